//! The secret corpus (`tests/fixtures/secrets/`, written by its `generate.py`): recall and
//! false positives of [`scan_file`](super::scan_file) against `manifest.tsv`.

use std::collections::BTreeMap;
use std::path::Path;

/// One manifest row: a case's file, its 1-based line range, and whether it is a secret.
struct Case {
    file: String,
    lines: std::ops::RangeInclusive<usize>,
    secret: bool,
    kind: String,
    placement: String,
}

fn corpus_dir() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/secrets")
}

fn cases() -> Vec<Case> {
    let manifest = std::fs::read_to_string(corpus_dir().join("manifest.tsv")).expect("manifest");
    manifest
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            Case {
                file: f[0].to_owned(),
                lines: f[1].parse().expect("line")..=f[2].parse().expect("line"),
                secret: f[3] == "secret",
                kind: f[4].to_owned(),
                placement: f[5].to_owned(),
            }
        })
        .collect()
}

/// File → the 1-based line ranges of its findings.
fn flagged() -> BTreeMap<String, Vec<std::ops::RangeInclusive<usize>>> {
    let mut out = BTreeMap::new();
    for entry in std::fs::read_dir(corpus_dir()).expect("corpus dir") {
        let path = entry.expect("entry").path();
        let name = path.file_name().expect("name").to_string_lossy().into_owned();
        if name == "manifest.tsv" || name == "generate.py" {
            continue;
        }
        let text = std::fs::read_to_string(&path).expect("corpus file");
        let line = |at: usize| text[..at].matches('\n').count() + 1;
        let spans = super::scan_file(&text, Path::new(&name))
            .into_iter()
            .filter_map(|f| f.span)
            .map(|s| line(s.start)..=line(s.end.max(s.start + 1) - 1))
            .collect();
        out.insert(name, spans);
    }
    out
}

#[test]
fn corpus_recall_and_false_positives() {
    let cases = cases();
    let flagged = flagged();
    let overlaps = |a: &std::ops::RangeInclusive<usize>, b: &std::ops::RangeInclusive<usize>| {
        a.start() <= b.end() && b.start() <= a.end()
    };
    let hit = |c: &Case| flagged.get(&c.file).is_some_and(|v| v.iter().any(|s| overlaps(s, &c.lines)));
    let secrets: Vec<&Case> = cases.iter().filter(|c| c.secret).collect();
    let look: Vec<&Case> = cases.iter().filter(|c| !c.secret).collect();
    let missed: Vec<String> = secrets
        .iter()
        .filter(|c| !hit(c))
        .map(|c| format!("{}:{} {} ({})", c.file, c.lines.start(), c.kind, c.placement))
        .collect();
    let false_pos: Vec<String> =
        look.iter().filter(|c| hit(c)).map(|c| format!("{}:{}", c.file, c.lines.start())).collect();
    // Findings on lines that are no case at all (filler, headers) are false positives too.
    let stray: Vec<String> = flagged
        .iter()
        .flat_map(|(file, spans)| spans.iter().map(move |s| (file, s)))
        .filter(|(file, s)| !cases.iter().any(|c| &c.file == *file && overlaps(s, &c.lines)))
        .map(|(file, s)| format!("{file}:{}", s.start()))
        .collect();
    let kinds: std::collections::BTreeSet<&str> = secrets.iter().map(|c| c.kind.as_str()).collect();
    assert!(secrets.len() >= 200 && kinds.len() >= 40 && look.len() >= 100, "corpus too small");
    let recall = 1.0 - missed.len() as f64 / secrets.len() as f64;
    let fp = (false_pos.len() + stray.len()) as f64 / look.len() as f64;
    eprintln!(
        "secret corpus: recall {recall:.3} ({} of {}), false positives {fp:.3}; missed {missed:?}; fp {false_pos:?} {stray:?}",
        secrets.len() - missed.len(),
        secrets.len()
    );
    assert!(recall >= 0.95, "recall {recall:.3}; missed: {missed:#?}");
    assert!(fp <= 0.02, "false positives {fp:.3}: {false_pos:#?} stray: {stray:#?}");
}
