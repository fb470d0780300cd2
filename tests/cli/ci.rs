//! What runs on CI runners says nothing about unpublished reports: the CI formats of
//! `validate` (GitHub annotations, SARIF) and `due` off a terminal name ids, files, lines and
//! codes, and quote nothing from the report. Checked with a unique marker planted in every
//! field and section of an embargoed report full of findings.

use crate::util::{TestRepo, stderr, stdout};

const PATH: &str = "reports/ENIGM-2026-0001.md";

/// Markers, one per place in the report; each is unique and appears nowhere else.
const MARKERS: &[&str] = &[
    "qzTITLEqz",
    "qzPRODUCTqz",
    "qzCOMPONENTqz",
    "qzREPORTERqz",
    "qzCONTACTqz",
    "qzCREDITqz",
    "qzCVSSqz",
    "qzCWEqz",
    "qzALIASqz",
    "qzURLqz",
    "qzASSIGNEEqz",
    "qzBYqz",
    "qzNOTEqz",
    "qzUNKNOWNKEYqz",
    "qzDUPLICATEqz",
    "qzAFFECTEDqz",
    "qzSUMMARYqz",
    "qzIMPACTqz",
    "qzREPROqz",
    "qzCONTEXTqz",
    "qzPRIVATEqz",
    "qzHEADINGqz",
    "qzSTATEqz",
    "qzLEVELqz",
];

/// A second report that fails the schema, whose messages would quote its key and values.
const SCHEMA_FAILING: &str = "---\nid: ENIGM-2026-0002\ntitle: t\nstate: qzSTATEqz\nreported: 2026-06-01\n\
reporter:\n  name: r\nproducts:\n  - name: web\nseverity:\n  level: qzLEVELqz\nqzUNKNOWNKEYqz: 1\n\
timeline:\n  - date: 2026-06-01\n    state: received\n---\n\n## Summary\n\nx\n";

/// An embargoed (`triaged`, `embargo_until` ahead) report with a marker in every field and
/// section, most of them also the subject of a finding that would quote it.
fn embargoed_report() -> String {
    "---\n\
id: ENIGM-2026-0001\n\
title: Heap overflow qzTITLEqz in the parser\n\
state: triaged\n\
reported: 2026-06-01\n\
embargo_until: 2026-12-01\n\
reporter:\n  name: qzREPORTERqz\n  contact: qzCONTACTqz@researcher.example\n  credit: qzCREDITqz\n\
products:\n  - name: qzPRODUCTqz\n    component: qzCOMPONENTqz\n    affected: '< qzAFFECTEDqz'\n\
severity:\n  cvss: CVSS:3.1/AV:N/qzCVSSqz\n  level: high\n\
cwe: [CWE-qzCWEqz]\n\
aliases: [qzALIASqz]\n\
references:\n  - url: gopher://qzURLqz.internal.example/x\n\
assignee: qzASSIGNEEqz\n\
duplicate_of: qzDUPLICATEqz\n\
timeline:\n  - date: 2026-06-01\n    state: received\n    by: qzBYqz\n  - date: 2026-06-02\n    state: triaged\n    by: Sam\n    note: qzNOTEqz\n\
---\n\n\
## Summary\n\nqzSUMMARYqz\n\n## Impact\n\nqzIMPACTqz\n\n## Reproduction\n\nqzREPROqz\n\n\
## Context\n\nqzCONTEXTqz\n\n## Private notes qzHEADINGqz\n\nqzPRIVATEqz\n"
        .to_owned()
}

fn repo_with_embargoed_report() -> TestRepo {
    let repo = TestRepo::new();
    repo.write(PATH, embargoed_report());
    repo.write("reports/ENIGM-2026-0002.md", SCHEMA_FAILING);
    for m in MARKERS {
        assert_eq!((embargoed_report() + SCHEMA_FAILING).matches(m).count(), 1, "{m} is planted once");
    }
    repo
}

fn assert_no_marker(what: &str, output: &str) {
    for m in MARKERS {
        assert!(!output.contains(m), "{what} quotes {m}:\n{output}");
    }
}

#[test]
fn ci_formats_quote_nothing_from_an_unpublished_report() {
    let repo = repo_with_embargoed_report();
    // The findings do quote the markers where the repository is private: the test plants
    // them where a message would show them.
    let json = stdout(&repo.cmd().args(["validate", "--format", "json"]).assert().code(1));
    let quoted = MARKERS.iter().filter(|m| json.contains(*m)).count();
    assert!(quoted >= 8, "only {quoted} markers are quoted by the JSON findings:\n{json}");

    let a = repo.cmd().args(["validate", "--format", "github"]).assert().code(1);
    let github = stdout(&a);
    assert_no_marker("validate --format github (stdout)", &github);
    assert_no_marker("validate --format github (stderr)", &stderr(&a));
    let lines: Vec<&str> = github.lines().collect();
    assert!(lines.len() >= 8, "{github}");
    for line in &lines {
        // The id (file), the line and the code are named; the message is the code's summary.
        assert!(
            line.starts_with("::error file=reports/ENIGM-2026-000")
                || line.starts_with("::warning file=reports/ENIGM-2026-000"),
            "{line}"
        );
        assert!(line.contains("title=enigm-disclose "), "{line}");
        assert!(line.contains("[details withheld: not a published report]"), "{line}");
        assert!(!line.contains("help: "), "no help text (some interpolate values): {line}");
    }
    assert!(lines.iter().any(|l| l.contains(",line=")), "findings are located: {github}");

    let a = repo.cmd().args(["validate", "--format", "sarif"]).assert().code(1);
    let sarif = stdout(&a);
    assert_no_marker("validate --format sarif (stdout)", &sarif);
    assert_no_marker("validate --format sarif (stderr)", &stderr(&a));
    let log: serde_json::Value = serde_json::from_str(&sarif).expect("sarif");
    let results = log["runs"][0]["results"].as_array().expect("results");
    assert_eq!(results.len(), lines.len());
    for r in results {
        let code = r["ruleId"].as_str().expect("rule");
        assert!(r["message"]["text"].as_str().expect("text").contains("details withheld"), "{r}");
        let uri = r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].as_str().unwrap_or_default();
        assert!(uri.starts_with("reports/ENIGM-2026-000"), "{code}: {uri}");
    }

    // Against a base revision and on the index, the same.
    let git = repo.git();
    let mut index = git.index().expect("index");
    index.add_path(std::path::Path::new(PATH)).expect("add");
    index.add_path(std::path::Path::new("reports/ENIGM-2026-0002.md")).expect("add");
    index.write().expect("write index");
    for args in
        [&["validate", "--staged", "--format", "github"][..], &["validate", "--against", "HEAD", "--format", "sarif"]]
    {
        let out = repo.cmd().args(args).output().expect("runs");
        assert_no_marker(
            &args.join(" "),
            &(String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr)),
        );
    }
}

#[test]
fn due_withholds_titles_off_a_terminal() {
    let repo = TestRepo::new();
    // A valid report due soon (so `due` lists it), its title and private fields marked.
    assert_eq!(repo.new_report("Heap overflow qzTITLEqz in the parser"), "ENIGM-2026-0001");
    repo.write(
        PATH,
        repo.read(PATH)
            .replace("name: Jane Doe", "name: qzREPORTERqz")
            .replace("## Summary\n", "## Summary\n\nqzSUMMARYqz\n"),
    );
    // A report file that cannot be read as one: its reason would quote the text.
    repo.write("reports/ENIGM-2026-0002.md", "---\nid: ENIGM-2026-0002\ntitle: [qzPRIVATEqz\n---\n");
    for format in ["table", "json", "csv"] {
        let out = repo.cmd().args(["due", "--format", format]).output().expect("runs");
        let all = String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
        assert_no_marker(&format!("due --format {format}"), &all);
        assert!(all.contains("ENIGM-2026-0001"), "the report is named by id: {all}");
        assert!(all.contains("withheld"), "{all}");
    }
    let out = repo.cmd().args(["due", "--format", "json"]).output().expect("runs");
    let json: serde_json::Value = serde_json::from_str(&String::from_utf8_lossy(&out.stdout)).expect("json");
    assert_eq!(json["titles_withheld"], true);
    // Asked for, the titles are there.
    let shown = repo.cmd().args(["due", "--show-titles"]).output().expect("runs");
    assert!(String::from_utf8_lossy(&shown.stdout).contains("qzTITLEqz"));
}
