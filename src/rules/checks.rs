//! Semantic checks: the rules a JSON Schema cannot express.
//!
//! Each rule has a stable code (listed in [`CODES`] and documented in `docs/checks.md`), a
//! severity, a one-line message, a help text and a span. Checks take a parsed [`Document`]
//! and its typed [`Report`] and never stop at the first problem; [`rules::pipeline`] runs
//! them after the schema and serde. The state requirements ([`state::requirements`]) are also
//! the guards of `advance`.
//!
//! [`rules::pipeline`]: crate::rules::pipeline

pub(crate) mod fields;
mod ids;
pub mod secrets;
mod sections;
pub mod state;
mod timeline;
pub mod unicode;

use std::collections::HashSet;
use std::ops::Range;

use chrono::NaiveDate;

use crate::format::config::Config;
use crate::format::finding::{Finding, Severity};
use crate::format::report::{Document, Report};

/// What the checks need to know beyond the report itself.
pub struct CheckContext<'a> {
    pub config: &'a Config,
    pub today: NaiveDate,
    /// Every report id known in the tree (file names), for `duplicate_of`.
    pub known_ids: &'a HashSet<String>,
}

/// A documented check: code, severity, one-line summary.
#[derive(Debug, Clone, Copy)]
pub struct CheckInfo {
    pub code: &'static str,
    pub severity: Severity,
    pub summary: &'static str,
}

const fn e(code: &'static str, summary: &'static str) -> CheckInfo {
    CheckInfo { code, severity: Severity::Error, summary }
}

const fn w(code: &'static str, summary: &'static str) -> CheckInfo {
    CheckInfo { code, severity: Severity::Warning, summary }
}

/// Every finding code the tool can produce, with its severity.
pub const CODES: &[CheckInfo] = &[
    // Reading and parsing the file.
    e("file-unreadable", "the file cannot be read"),
    e("file-too-large", "the file is larger than 1 MiB"),
    e("symlink", "a report path is a symbolic link (never followed)"),
    e("not-a-file", "a report path is not a regular file"),
    e("not-utf8", "the file is not valid UTF-8"),
    e("missing-front-matter", "the file does not start with a --- fence"),
    e("unclosed-front-matter", "the front matter is never closed by a --- line"),
    e("yaml-syntax", "the front matter is not valid YAML"),
    e("yaml-duplicate-key", "a key appears twice in one mapping"),
    e("yaml-unsupported", "YAML aliases, tags or complex keys are used"),
    e("yaml-too-deep", "the YAML nests deeper than 64 levels"),
    e("front-matter-not-mapping", "the front matter is not a mapping of keys to values"),
    // Schema.
    e("unknown-field", "a key the format does not know (often a typo)"),
    e("missing-field", "a required key is missing"),
    e("invalid-field", "a value has the wrong type, spelling or format"),
    // Ids.
    e("id-format", "the id is not <PREFIX>-<YEAR>-<NNNN>"),
    e("id-mismatch", "the id does not match the file name"),
    e("id-prefix", "the id prefix is not the id_prefix of enigm.yaml"),
    e("id-year", "the id year is not the year of `reported`"),
    e("duplicate-id", "two reports share an id"),
    // State requirements.
    e("missing-severity", "a report past triage has no severity"),
    e("missing-affected", "a confirmed report has a product without `affected` versions"),
    e("missing-fix", "a fixed or published report has neither fixed versions nor a mitigation"),
    e("missing-published-date", "a published report has no `published` date"),
    e("missing-withdrawn-date", "a withdrawn report has no `withdrawn` date"),
    e("missing-resolution", "a rejected report has no `resolution`"),
    e("missing-duplicate-of", "a duplicate has no `duplicate_of`"),
    e("unknown-duplicate", "`duplicate_of` names no existing report"),
    w(
        "unexpected-field",
        "a field that does not belong to the report's state (resolution, duplicate_of, published, withdrawn)",
    ),
    e("unknown-product", "a product is not listed in enigm.yaml"),
    w("unknown-component", "a component is not listed for its product in enigm.yaml"),
    // Timeline and dates.
    e("timeline-missing", "the report has no timeline"),
    e("timeline-start", "the timeline does not start with `received`"),
    e("timeline-order", "timeline dates go backwards or precede `reported`"),
    e("timeline-transition", "a timeline step is not a legal transition"),
    e("timeline-state", "the last timeline entry's state differs from `state`"),
    e("date-in-future", "`reported`, `published`, `withdrawn` or a timeline date is after today"),
    e("embargo-before-reported", "`embargo_until` is not after `reported`"),
    e("published-before-reported", "`published` or `withdrawn` is before `reported`"),
    e("withdrawn-before-published", "`withdrawn` is before `published`"),
    // Field formats.
    e("cvss-invalid", "the CVSS vector does not parse as v3.1 or v4.0"),
    e("cvss-level-mismatch", "`level` does not match the CVSS score"),
    e("cwe-format", "a CWE id is not CWE-<number>"),
    e("alias-format", "an alias is not a CVE or GHSA id"),
    e("reference-url", "a reference URL is not an http(s) URL"),
    // Body.
    e("missing-section", "a section the state requires is missing"),
    e("empty-section", "a required section is empty or still template text (TODO)"),
    // Merges.
    e("merge-conflict", "the file has unresolved merge conflict markers, or is conflicted in the index"),
    // Text.
    e("bidi-control", "a bidirectional control character (Trojan Source) in the file"),
    e("control-character", "a control character (escape, NUL, …) in the file"),
    w("invisible-character", "a zero-width or other invisible character in the front matter"),
    w("mixed-script", "a front matter word mixes Latin with Greek or Cyrillic lookalike letters"),
    // Secrets.
    e("secret", "credential material (key, token, password) in a report"),
    // Against a base revision.
    e("published-deleted", "a published report was deleted"),
    e("published-renamed", "a published report was renamed"),
    e("id-changed", "a report's id changed"),
    // Configuration.
    e("config-unreadable", "enigm.yaml cannot be read"),
    e("config-unknown-key", "enigm.yaml has a key the format does not know"),
    e("config-invalid", "a value in enigm.yaml is wrong"),
];

/// The documented information of `code`.
pub fn info(code: &str) -> Option<&'static CheckInfo> {
    CODES.iter().find(|c| c.code == code)
}

/// Checks on the raw text of any file, parsed or not: secrets (a secret must be reported even
/// in a file that does not parse), merge conflict markers and Trojan Source characters.
/// `front_matter` is the YAML's byte range when the file split at its fences.
pub fn check_text(path: &std::path::Path, text: &str, front_matter: Option<Range<usize>>) -> Vec<Finding> {
    let mut out = secrets::scan(text, path);
    out.extend(unicode::check(path, text, front_matter));
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        if line.starts_with("<<<<<<< ") || line.starts_with(">>>>>>> ") || line.trim_end() == "<<<<<<<" {
            let len = line.trim_end().len();
            out.push(
                Finding::error("merge-conflict", path, Some(offset..offset + len), "unresolved merge conflict marker")
                    .with_help("resolve the conflict (keep one version of each field); for an id collision use `enigm-disclose renumber`"),
            );
            break;
        }
        offset += line.len();
    }
    out
}

/// Runs the semantic checks on one typed report (the schema and raw-text checks are in
/// [`pipeline::check_document`](crate::rules::pipeline::check_document)).
pub fn check_report(doc: &Document, report: &Report, ctx: &CheckContext<'_>) -> Vec<Finding> {
    let mut out = Vec::new();
    let mut at = At { doc, out: &mut out };
    ids::check(&mut at, report, ctx);
    state::requirements(&mut at, report, ctx, report.state);
    timeline::check(&mut at, report, ctx);
    fields::check(&mut at, report, ctx);
    out
}

/// Collects findings for one document, locating key paths.
pub struct At<'a> {
    pub doc: &'a Document,
    pub out: &'a mut Vec<Finding>,
}

impl At<'_> {
    /// Span of a key path's value (or nearest parent).
    pub fn value(&self, path: &str) -> Range<usize> {
        self.doc.span_for(path, false)
    }

    /// Span of a key path's key, falling back to its value.
    pub fn key(&self, path: &str) -> Range<usize> {
        self.doc.span_for(path, true)
    }

    /// Span of the opening `---` fence (for problems of the whole front matter).
    pub fn opening(&self) -> Range<usize> {
        self.doc.opening_fence.start..self.doc.opening_fence.start + 3
    }

    /// Records a finding with the severity documented for `code`.
    pub fn push(
        &mut self,
        code: &'static str,
        span: Range<usize>,
        message: impl Into<String>,
        help: impl Into<String>,
    ) {
        let severity = info(code).map_or(Severity::Error, |i| i.severity);
        let mut f = Finding::error(code, &self.doc.path, Some(span), message).with_help(help);
        f.severity = severity;
        self.out.push(f);
    }
}

#[cfg(test)]
pub(crate) mod test_support {
    use std::collections::HashSet;
    use std::path::Path;

    use chrono::NaiveDate;

    use super::*;
    use crate::format::config::ConfigSeed;

    /// A fully valid published report (shared with the integration tests).
    pub const PUBLISHED: &str = include_str!("../../tests/fixtures/reports/published.md");

    pub fn config() -> Config {
        let seed = ConfigSeed {
            id_prefix: "ENIGM".into(),
            organization: "Org".into(),
            security_contact: "s@x".into(),
            products: vec!["web".into()],
        };
        let text = seed.render().replace("components: []", "components: [uploads, search]");
        Config::parse(&text).expect("config")
    }

    /// Codes found in `text` (as reports/ENIGM-2026-0001.md), with ENIGM-2026-0002 known.
    pub fn codes(text: &str) -> Vec<&'static str> {
        findings(text).into_iter().map(|f| f.code).collect()
    }

    pub fn findings(text: &str) -> Vec<Finding> {
        let doc = Document::parse(Path::new("reports/ENIGM-2026-0001.md"), text.to_owned()).expect("doc");
        let report = doc.report().expect("report");
        let known: HashSet<String> = ["ENIGM-2026-0001".to_owned(), "ENIGM-2026-0002".to_owned()].into();
        let config = config();
        let ctx = CheckContext {
            config: &config,
            today: NaiveDate::from_ymd_opt(2026, 6, 15).expect("date"),
            known_ids: &known,
        };
        check_report(&doc, &report, &ctx)
    }

    #[test]
    fn the_published_example_is_clean() {
        assert_eq!(findings(PUBLISHED), Vec::new());
    }

    #[test]
    fn codes_are_unique_kebab_case() {
        let mut seen = HashSet::new();
        for c in CODES {
            assert!(seen.insert(c.code), "duplicate code {}", c.code);
            assert!(c.code.chars().all(|ch| ch.is_ascii_lowercase() || ch.is_ascii_digit() || ch == '-'), "{}", c.code);
        }
    }
}
