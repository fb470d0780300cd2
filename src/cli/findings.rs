//! Output formats for findings: JSON, GitHub Actions annotations, SARIF 2.1.0.
//!
//! All three are documented in `docs/checks.md` and stable: fields are only ever added.
//! Every message has its secrets masked. The two CI formats (GitHub annotations and SARIF),
//! whose logs and alerts are often readable by more people than the repository, quote nothing
//! from a file that is not a published or withdrawn report ([`Placed::withheld`]): such a
//! finding carries its file, position and code, and the code's fixed summary as its message
//! (`docs/ci.md`, "What CI output contains").

use std::path::Path;

use enigm_disclose::format::finding::{Code, Finding, LineCol, LineIndex, Severity};
use enigm_disclose::format::report::{Document, State};
use enigm_disclose::rules::redact;
use enigm_disclose::rules::validate::{FileResult, Outcome};
use serde_json::{Value, json};
use strum::IntoEnumIterator;

/// A finding (secrets masked) with its 1-based start and (exclusive) end positions.
struct Placed {
    finding: Finding,
    start: Option<LineCol>,
    end: Option<LineCol>,
    /// The file is not a published or withdrawn report: CI formats quote nothing of it.
    withheld: bool,
    /// Characters on the file's first line, when its text was read: the region SARIF gives a
    /// finding about the whole file.
    first_line: Option<usize>,
}

impl Placed {
    /// The message a CI format shows: the finding's own (masked) message and help for a
    /// public report; for any other file the code's fixed summary, which quotes no value.
    fn ci_text(&self) -> String {
        if self.withheld {
            return format!("{} [details withheld: not a published report]", self.finding.code.summary());
        }
        let mut text = self.finding.message.clone();
        if let Some(h) = &self.finding.help {
            text.push_str("\nhelp: ");
            text.push_str(h);
        }
        text
    }
}

fn placed(outcome: &Outcome) -> Vec<Placed> {
    let mut out = Vec::new();
    for file in &outcome.files {
        let index = file.text.as_deref().map(LineIndex::new);
        let withheld = !is_public_report(file);
        let first_line = file.text.as_deref().map(|t| t.lines().next().unwrap_or_default().chars().count());
        for finding in &file.findings {
            let (start, end) = match (&finding.span, &index) {
                (Some(span), Some(index)) => (Some(index.locate(span.start)), Some(index.locate(span.end))),
                _ => (None, None),
            };
            out.push(Placed { finding: redact::mask_finding(finding.clone()), start, end, withheld, first_line });
        }
    }
    out
}

/// Whether the file is a report whose front matter says `published` or `withdrawn`. Anything
/// that cannot be read as one (no text kept, a file that does not parse, a state that is
/// misspelt, `enigm.yaml`) counts as unpublished, and so does a `published` report still
/// under embargo (`embargo-active`): the CI formats fail closed.
fn is_public_report(file: &FileResult) -> bool {
    let Some(text) = &file.text else { return false };
    if file.findings.iter().any(|f| f.code == Code::EmbargoActive) {
        return false;
    }
    let Ok(doc) = Document::parse(&file.path, text.clone()) else { return false };
    let state = doc.value().get("state").and_then(|v| v.as_str()).and_then(|s| s.parse::<State>().ok());
    enigm_disclose::layout::report_id_of(&file.path).is_some() && state.is_some_and(State::is_public)
}

fn path_of(f: &Finding) -> String {
    path_of_path(&f.path)
}

fn path_of_path(path: &Path) -> String {
    path.to_string_lossy().replace('\\', "/")
}

/// `--format json`.
pub fn json(outcome: &Outcome) -> Value {
    let findings: Vec<Value> = placed(outcome)
        .iter()
        .map(|p| {
            json!({
                "path": path_of(&p.finding),
                "code": p.finding.code,
                "severity": p.finding.severity,
                "message": p.finding.message,
                "help": p.finding.help,
                "line": p.start.map(|s| s.line),
                "column": p.start.map(|s| s.column),
                "end_line": p.end.map(|s| s.line),
                "end_column": p.end.map(|s| s.column),
            })
        })
        .collect();
    json!({
        "version": 1,
        "summary": {
            "errors": outcome.count(Severity::Error),
            "warnings": outcome.count(Severity::Warning),
            "files": outcome.files.len(),
        },
        "findings": findings,
    })
}

/// `--format github`: one workflow command per finding.
pub fn github(outcome: &Outcome) -> String {
    let mut out = String::new();
    for p in placed(outcome) {
        let kind = match p.finding.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        let mut props = vec![format!("file={}", escape_property(&path_of(&p.finding)))];
        if let (Some(s), Some(e)) = (p.start, p.end) {
            props.push(format!("line={},col={},endLine={},endColumn={}", s.line, s.column, e.line, e.column));
        }
        props.push(format!("title={}", escape_property(&format!("enigm-disclose {}", p.finding.code))));
        out.push_str(&format!("::{kind} {}::{}\n", props.join(","), escape_data(&p.ci_text())));
    }
    out
}

fn escape_data(s: &str) -> String {
    s.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A")
}

fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

/// Where the project's documentation lives; each code has a section in docs/checks.md.
const HOME: &str = "https://github.com/enigm/enigm-disclose";

/// `--format sarif`: a SARIF 2.1.0 log with one run; every code is a rule.
///
/// Shaped for GitHub code scanning (`docs/ci.md`, "SARIF"): every rule has a name, a help text
/// and a help URI; every location is a percent-encoded relative URI with a region (line 1 for a
/// finding about a whole file).
pub fn sarif(outcome: &Outcome) -> Value {
    let rules: Vec<Value> = Code::iter().map(sarif_rule).collect();
    let results: Vec<Value> = placed(outcome)
        .iter()
        .map(|p| {
            let location = json!({
                "artifactLocation": { "uri": uri_reference(&p.finding.path), "uriBaseId": "%SRCROOT%" },
                "region": region(p),
            });
            let mut result = json!({
                "ruleId": p.finding.code,
                "level": level(p.finding.severity),
                "message": { "text": p.ci_text() },
                "locations": [ { "physicalLocation": location } ],
            });
            if let Some(i) = Code::iter().position(|c| c == p.finding.code) {
                result["ruleIndex"] = json!(i);
            }
            result
        })
        .collect();
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": "enigm-disclose",
                "version": env!("CARGO_PKG_VERSION"),
                "informationUri": HOME,
                "rules": rules,
            }},
            "results": results,
        }],
    })
}

/// A code as a SARIF rule: id, a PascalCase name, descriptions, help (text and Markdown)
/// pointing at the code's section of docs/checks.md, its default level.
fn sarif_rule(c: Code) -> Value {
    let url = format!("{HOME}/blob/main/docs/checks.md#{c}");
    let summary = c.summary();
    let mut rule = json!({
        "id": c,
        "shortDescription": { "text": summary },
        "fullDescription": { "text": format!("{summary} (see docs/checks.md#{c})") },
        "help": {
            "text": format!("{summary}. What the check looks at, and how to fix a finding: {url}"),
            "markdown": format!("{summary}.\n\n[docs/checks.md: `{c}`]({url}) says what the check looks at and how to fix a finding."),
        },
        "helpUri": url,
        "defaultConfiguration": { "level": level(c.severity()) },
    });
    // A name that differs from the id only in case (`Symlink`) is one SARIF forbids (SARIF1001).
    let name: String = c.as_str().split('-').map(capitalised).collect();
    if !name.eq_ignore_ascii_case(c.as_str()) {
        rule["name"] = name.into();
    }
    rule
}

fn capitalised(word: &str) -> String {
    let mut chars = word.chars();
    chars.next().map(|c| c.to_ascii_uppercase().to_string() + chars.as_str()).unwrap_or_default()
}

/// The finding's span as a SARIF region with the four positions code scanning requires; a
/// finding without one (it is about the whole file) covers the file's first line (at least
/// one column, as for an empty span).
fn region(p: &Placed) -> Value {
    let first_line = LineCol { line: 1, column: p.first_line.unwrap_or_default() + 1 };
    let (s, e) = match (p.start, p.end) {
        (Some(s), Some(e)) => (s, e),
        _ => (LineCol { line: 1, column: 1 }, first_line),
    };
    let end_column = e.column.max(if e.line == s.line { s.column + 1 } else { 1 });
    json!({ "startLine": s.line, "startColumn": s.column, "endLine": e.line, "endColumn": end_column })
}

/// A repository path as a relative URI reference (RFC 3986): every byte that is not an
/// unreserved character or `/` is percent-encoded, so spaces, `%`, `#`, `?`, `:` and non-ASCII
/// names stay one path. On Unix a name that is not UTF-8 keeps its bytes.
fn uri_reference(path: &Path) -> String {
    #[cfg(unix)]
    let bytes = std::os::unix::ffi::OsStrExt::as_bytes(path.as_os_str()).to_vec();
    #[cfg(not(unix))]
    let bytes = path_of_path(path).into_bytes();
    let mut out = String::with_capacity(bytes.len());
    for b in bytes {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => out.push(char::from(b)),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn outcome(state: &str, extra: Option<Code>) -> Outcome {
        use enigm_disclose::rules::validate::FileResult;
        let path = std::path::PathBuf::from("reports/ENIGM-2026-0001.md");
        let text = format!("---\nid: ENIGM-2026-0001\ntitle: Secret product overflow\nstate: {state}\n---\n");
        let mut findings = vec![
            Finding::error(Code::CweFormat, &path, Some(4..8), "`CWE-qz` is not a CWE id (Secret product)")
                .with_help("about Secret product"),
        ];
        findings.extend(extra.map(|c| Finding::error(c, &path, None, "embargoed until 2027-01-01")));
        Outcome { files: vec![FileResult { path, text: Some(text), findings }] }
    }

    #[test]
    fn ci_formats_quote_only_public_reports() {
        for (state, extra, public) in [
            ("published", None, true),
            ("withdrawn", None, true),
            ("published", Some(Code::EmbargoActive), false),
            ("triaged", None, false),
            ("recieved", None, false),
            ("[unparsable", None, false),
        ] {
            let o = outcome(state, extra);
            let out = github(&o) + &sarif(&o).to_string();
            assert_eq!(out.contains("Secret product"), public, "{state} {extra:?}: {}", github(&o));
            assert_eq!(out.contains("details withheld"), !public, "{state}: {}", github(&o));
            assert!(out.contains("cwe-format") && out.contains("line=2"), "{}", github(&o));
        }
        // JSON (not a CI format) keeps the messages.
        assert!(json(&outcome("triaged", None)).to_string().contains("Secret product"));
    }

    #[test]
    fn github_escaping() {
        assert_eq!(escape_data("a%b\nc"), "a%25b%0Ac");
        assert_eq!(escape_property("a:b,c"), "a%3Ab%2Cc");
    }
}
