//! Semantic checks: the rules a JSON Schema cannot express.
//!
//! Each rule has a stable code (a [`Code`] variant, documented in `docs/checks.md`), a
//! severity, a one-line message, a help text and a span. Checks take a parsed [`Document`]
//! and its typed [`Report`] and never stop at the first problem; [`rules::pipeline`] runs
//! them after the schema and serde. The state requirements ([`state::requirements`]) are also
//! the guards of `advance`.
//!
//! [`rules::pipeline`]: crate::rules::pipeline

mod exports;
pub(crate) mod fields;
mod ids;
pub mod secrets;
pub mod sections;
pub mod securitytxt;
mod ssvc;
pub mod state;
mod timeline;
pub mod unicode;
mod versions;
mod vex;

use std::collections::HashSet;
use std::ops::Range;

use chrono::NaiveDate;

use crate::format::config::Config;
use crate::format::finding::{Code, Finding};
use crate::format::report::{Document, Report};

/// What the checks need to know beyond the report itself.
pub struct CheckContext<'a> {
    pub config: &'a Config,
    pub today: NaiveDate,
    /// Every report id known in the tree (file names), for `duplicate_of`.
    pub known_ids: &'a dyn KnownIds,
}

/// The report ids known in the tree, asked one at a time: a set of them, or (to check one
/// report among 100,000 without listing them: issue 22) a lookup of the files where a report
/// of that id would be.
pub trait KnownIds: Sync {
    /// Whether a report file is named after `id`.
    fn contains(&self, id: &str) -> bool;
}

impl KnownIds for HashSet<String> {
    fn contains(&self, id: &str) -> bool {
        HashSet::contains(self, id)
    }
}

/// Checks on the raw text of any file, parsed or not: secrets (a secret must be reported even
/// in a file that does not parse), merge conflict markers and Trojan Source characters.
/// `front_matter` is the YAML's byte range when the file split at its fences.
pub fn check_text(path: &std::path::Path, text: &str, front_matter: Option<Range<usize>>) -> Vec<Finding> {
    check_text_allowing(path, text, front_matter, secrets::Allowed::default())
}

/// [`check_text`], accepting the secret values `allowed` names (from `enigm.yaml`).
pub fn check_text_allowing(
    path: &std::path::Path,
    text: &str,
    front_matter: Option<Range<usize>>,
    allowed: secrets::Allowed<'_>,
) -> Vec<Finding> {
    let mut out = secrets::scan_allowing(text, path, allowed);
    out.extend(unicode::check(path, text, front_matter));
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        if line.starts_with("<<<<<<< ") || line.starts_with(">>>>>>> ") || line.trim_end() == "<<<<<<<" {
            let len = line.trim_end().len();
            out.push(
                Finding::error(Code::MergeConflict, path, Some(offset..offset + len), "unresolved merge conflict marker")
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
    versions::check(&mut at, report, ctx);
    exports::check(&mut at, report, ctx);
    ssvc::check(&mut at, report, ctx);
    vex::check(&mut at, report, ctx);
    sections::structure(&mut at);
    out
}

/// The semantic checks that need only what a sealed report keeps in clear text (ids, dates,
/// the timeline's states): what `validate` runs without a key.
pub fn check_clear(doc: &Document, report: &Report, ctx: &CheckContext<'_>) -> Vec<Finding> {
    let mut out = Vec::new();
    let mut at = At { doc, out: &mut out };
    ids::check(&mut at, report, ctx);
    timeline::check(&mut at, report, ctx);
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
    pub fn push(&mut self, code: Code, span: Range<usize>, message: impl Into<String>, help: impl Into<String>) {
        self.out.push(Finding::new(code, &self.doc.path, Some(span), message).with_help(help));
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
        findings(text).into_iter().map(|f| f.code.as_str()).collect()
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
}
