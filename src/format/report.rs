//! Report files: reading, splitting and parsing them into located, typed data.
//!
//! A report is a Markdown file with a YAML front matter block. [`Document`] is a file that has
//! split and parsed as YAML: it owns the text and its front matter as a [`LocatedYaml`] (the
//! tree, its JSON value computed once, the byte span of every key path), so later checks can
//! point at lines. [`Document::report`] turns it into the typed [`Report`]. Anything wrong
//! comes back as a [`Rejected`] carrying one located [`Finding`].

pub mod credit;
pub mod edit;
pub mod model;
pub mod parts;
pub mod sections;

use std::fs;
use std::io::ErrorKind;
use std::ops::Range;
use std::path::{Path, PathBuf};

pub use credit::{Credit, CreditType};
pub use model::{
    Channel, Direction, Justification, Level, Message, Product, ProductStatus, Reference, ReferenceType, Report,
    Reporter, Resolution, SeverityInfo, State, TimelineEntry,
};
pub use parts::{LineEnding, Parts, SplitError};
pub use sections::Section;

use crate::format::finding::{Code, Finding};
use crate::format::located::{Kind, LocatedYaml};
use crate::format::yaml::{NodeKind, SpanMap};

/// The body a new report starts with: the sections to fill in.
pub const SKELETON_BODY: &str = "\
## Summary

TODO: One paragraph: what is vulnerable, and how.

## Impact

TODO: What an attacker gains, and under which conditions.

## Reproduction

TODO: Safe, minimal steps to reproduce. Never include live credentials or customer data.

## Context

TODO: Environment, versions, configuration, related reports or discussions.
";

/// Largest report file accepted, in bytes.
pub const MAX_REPORT_BYTES: u64 = 1024 * 1024;

/// A report's front matter: an empty `key:` is absent; findings use the report's codes.
pub static FRONT_MATTER: Kind = Kind {
    empty_is_absent: true,
    unknown: Code::UnknownField,
    missing: Code::MissingField,
    invalid: Code::InvalidField,
    expected_as_help: false,
    date_keys: &["reported", "published", "withdrawn", "date", "date_added"],
};

/// A file that could not become a [`Document`] (or a [`Report`]), with what was readable of
/// its text for showing the location.
#[derive(Debug, Clone)]
pub struct Rejected {
    pub finding: Finding,
    /// The file's text (lossily decoded if it was not UTF-8), when it could be read.
    pub text: Option<String>,
}

/// A report file split at its fences with its front matter parsed as YAML.
#[derive(Debug, Clone)]
pub struct Document {
    /// Path relative to the repository root.
    pub path: PathBuf,
    /// The whole file.
    pub text: String,
    pub bom: bool,
    pub line_ending: LineEnding,
    /// Byte range of the YAML between the fences.
    pub front_matter: Range<usize>,
    /// Byte range of the Markdown body.
    pub body: Range<usize>,
    /// Byte range of the opening fence line.
    pub opening_fence: Range<usize>,
    /// The front matter, parsed once.
    pub yaml: LocatedYaml,
    /// Set for a sealed report ([`crate::format::sealed`]): opened (this document is its
    /// plaintext) or not (this document is its clear part).
    pub seal: Option<Seal>,
}

/// What became of a sealed report's block when the file was parsed.
#[derive(Debug, Clone)]
pub enum Seal {
    /// Opened: the document is the plaintext; `stored` is the file as stored (sealed), `info`
    /// its clear `sealed` mapping (`None` when it is not `format` and `recipients`).
    Opened { stored: String, info: Option<crate::format::sealed::SealInfo> },
    /// Not opened (no key, wrong key, damaged): the document is the file as stored.
    Closed { why: crate::format::sealed::SealError },
}

impl Document {
    /// Reads and parses `root/rel`. Symbolic links are never followed; directories, files over
    /// [`MAX_REPORT_BYTES`] and non-UTF-8 files are rejected with a finding.
    pub fn load(root: &Path, rel: &Path) -> Result<Document, Box<Rejected>> {
        let full = root.join(rel);
        let unreadable = |e: std::io::Error| {
            let help = if e.kind() == ErrorKind::PermissionDenied {
                "check the file's permissions"
            } else {
                "check that the file exists and is readable"
            };
            rejected(rel, Code::FileUnreadable, format!("cannot read the file: {e}"), help)
        };
        if let Err(e) = crate::layout::no_links(root, rel.parent().unwrap_or(Path::new(""))) {
            return Err(rejected(
                rel,
                Code::FileUnreadable,
                e.to_string(),
                "replace the link with the directory itself",
            ));
        }
        let meta = fs::symlink_metadata(&full).map_err(unreadable)?;
        if meta.file_type().is_symlink() {
            return Err(rejected_symlink(rel));
        }
        if !meta.is_file() {
            return Err(rejected(
                rel,
                Code::NotAFile,
                "not a regular file".into(),
                "reports are files named reports/<ID>.md",
            ));
        }
        check_size(rel, meta.len())?;
        // Opened without following a link or blocking, however the path changed since.
        let bytes = crate::layout::read_regular(&full, MAX_REPORT_BYTES).map_err(unreadable)?;
        Document::from_bytes(rel, bytes)
    }

    /// Parses file content given as bytes (checks UTF-8 first).
    pub fn from_bytes(rel: &Path, bytes: Vec<u8>) -> Result<Document, Box<Rejected>> {
        match String::from_utf8(bytes) {
            Ok(text) => Document::parse(rel, text),
            Err(e) => {
                let at = e.utf8_error().valid_up_to();
                let text = String::from_utf8_lossy(e.as_bytes()).into_owned();
                // In the lossy text the bad byte became U+FFFD at the same offset.
                let finding = Finding::error(Code::NotUtf8, rel, Some(at..at + 1), "the file is not valid UTF-8")
                    .with_help("save the file as UTF-8");
                Err(Box::new(Rejected { finding, text: Some(text) }))
            }
        }
    }

    /// Splits and parses `text` (a whole report file); a sealed report is opened with the
    /// process's identities when it can be ([`Seal`]).
    pub fn parse(rel: &Path, text: String) -> Result<Document, Box<Rejected>> {
        let doc = Document::parse_plain(rel, text)?;
        if doc.value().get("sealed").is_none() {
            return Ok(doc);
        }
        Ok(doc.open_seal())
    }

    /// The plaintext of a sealed document when the block opens, else the document itself
    /// with the reason.
    fn open_seal(mut self) -> Document {
        let body = self.body_text();
        let at = crate::format::sealed::block_start(body);
        let opened = match at {
            None => Err(crate::format::sealed::SealError::Damaged { why: "there is no armoured block".into() }),
            Some(at) => crate::format::sealed::open(&body[at..]),
        };
        let why = match opened.map(|plain| Document::parse_plain(&self.path, plain)) {
            Ok(Ok(mut plain)) if plain.value().get("sealed").is_none() => {
                let info = crate::format::sealed::seal_info(&self.yaml);
                plain.seal = Some(Seal::Opened { stored: self.text, info });
                return plain;
            }
            Ok(Ok(_)) => crate::format::sealed::SealError::BadPlaintext("it is sealed again".into()),
            Ok(Err(r)) => crate::format::sealed::SealError::BadPlaintext(r.finding.message),
            Err(e) => e,
        };
        // Unopened, the body is the clear text before the block (public sections, if any).
        self.body.end = self.body.start + at.unwrap_or(self.body.len());
        self.seal = Some(Seal::Closed { why });
        self
    }

    /// The armoured block of a sealed report that was not opened.
    pub fn sealed_block(&self) -> Option<&str> {
        (self.is_closed() && self.body.end < self.text.len()).then(|| &self.text[self.body.end..])
    }

    /// The file as stored: the sealed text of an opened report, else [`Document::text`].
    pub fn stored_text(&self) -> &str {
        match &self.seal {
            Some(Seal::Opened { stored, .. }) => stored,
            _ => &self.text,
        }
    }

    /// True for a sealed report read without opening its block: only its clear part is known.
    pub fn is_closed(&self) -> bool {
        matches!(self.seal, Some(Seal::Closed { .. }))
    }

    /// Splits and parses `text` as it is, without opening a seal.
    pub fn parse_plain(rel: &Path, text: String) -> Result<Document, Box<Rejected>> {
        let parts = match Parts::split(&text) {
            Ok(p) => p,
            Err(e) => {
                let finding = split_finding(rel, e);
                return Err(Box::new(Rejected { finding, text: Some(text) }));
            }
        };
        let (bom, line_ending) = (parts.bom, parts.line_ending);
        let front_matter = parts.front_matter_offset..parts.front_matter_offset + parts.front_matter.len();
        let body = parts.body_offset..text.len();
        let opening_fence = usize::from(bom) * 3..parts.front_matter_offset;
        let root = opening_fence.start..opening_fence.start + 3;
        let yaml = match LocatedYaml::parse(
            rel,
            parts.front_matter,
            parts.front_matter_offset,
            1,
            Some(root),
            &FRONT_MATTER,
        ) {
            Ok(y) => y,
            Err(finding) => return Err(Box::new(Rejected { finding, text: Some(text) })),
        };
        if !matches!(yaml.tree.kind, NodeKind::Map(_)) {
            let span = if front_matter.is_empty() { opening_fence.clone() } else { yaml.tree.span.clone() };
            let finding = Finding::error(
                Code::FrontMatterNotMapping,
                rel,
                Some(span),
                "the front matter is not a mapping of keys to values",
            )
            .with_help("start with `id: …`, `title: …`, one key per line (see docs/format.md)");
            return Err(Box::new(Rejected { finding, text: Some(text) }));
        }
        Ok(Document {
            path: rel.to_owned(),
            text,
            bom,
            line_ending,
            front_matter,
            body,
            opening_fence,
            yaml,
            seal: None,
        })
    }

    /// Key path → span map of the front matter.
    pub fn spans(&self) -> &SpanMap {
        self.yaml.spans()
    }

    /// The front matter as a JSON value (for the schema and for serde), computed at parse
    /// time. A key with an empty value (`assignee:`) counts as absent.
    pub fn value(&self) -> &serde_json::Value {
        &self.yaml.value
    }

    /// The typed report, or a finding located at the first field that does not fit the model.
    pub fn report(&self) -> Result<Report, Box<Rejected>> {
        if self.is_closed() {
            return crate::format::sealed::clear_report(&self.yaml, &self.path)
                .map_err(|finding| Box::new(Rejected { finding, text: Some(self.text.clone()) }));
        }
        self.yaml
            .deserialize(&self.path)
            .map_err(|finding| Box::new(Rejected { finding, text: Some(self.text.clone()) }))
    }

    /// The span of a key path: its key when `key` is asked and known, else its value (or the
    /// nearest existing parent; the opening fence for the root).
    pub fn span_for(&self, path: &str, key: bool) -> Range<usize> {
        self.yaml.span_for(path, key)
    }

    /// The front matter text.
    pub fn front_matter_text(&self) -> &str {
        &self.text[self.front_matter.clone()]
    }

    /// The Markdown body text.
    pub fn body_text(&self) -> &str {
        &self.text[self.body.clone()]
    }

    /// The body's `##` sections.
    pub fn sections(&self) -> Vec<Section> {
        sections::sections(self.body_text(), self.body.start)
    }

    /// The body's sections and its ambiguous heading-like lines.
    pub fn outline(&self) -> sections::Outline {
        sections::outline(self.body_text(), self.body.start)
    }
}

/// A rejection without text (the file could not be read as a document).
fn rejected(rel: &Path, code: Code, message: String, help: &str) -> Box<Rejected> {
    Box::new(Rejected { finding: Finding::error(code, rel, None, message).with_help(help), text: None })
}

/// The rejection of a symbolic link: links are never followed.
pub fn rejected_symlink(rel: &Path) -> Box<Rejected> {
    rejected(
        rel,
        Code::Symlink,
        "the file is a symbolic link; links are never followed".into(),
        "replace the link with the report file itself",
    )
}

/// Refuses files over [`MAX_REPORT_BYTES`] before reading them.
pub fn check_size(rel: &Path, len: u64) -> Result<(), Box<Rejected>> {
    if len <= MAX_REPORT_BYTES {
        return Ok(());
    }
    Err(rejected(
        rel,
        Code::FileTooLarge,
        format!("the file is {len} bytes; reports are limited to 1 MiB"),
        "move large material (logs, captures) out of the report and reference it",
    ))
}

fn split_finding(rel: &Path, e: SplitError) -> Finding {
    match e {
        SplitError::MissingOpeningFence { first_line } => Finding::error(
            Code::MissingFrontMatter,
            rel,
            Some(first_line),
            "the file does not start with a `---` front matter fence",
        )
        .with_help("a report starts with a line `---`, then YAML fields, then another `---` line, then Markdown"),
        SplitError::MissingClosingFence { opening_fence } => Finding::error(
            Code::UnclosedFrontMatter,
            rel,
            Some(opening_fence),
            "the front matter opened here is never closed",
        )
        .with_help("add a line containing only `---` after the last YAML field"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = "---\nid: ENIGM-2026-0001\ntitle: T\nstate: received\nreported: 2026-01-05\nreporter:\n  name: R\n---\n## Summary\nx\n";

    fn doc(text: &str) -> Result<Document, Box<Rejected>> {
        Document::parse(Path::new("reports/x.md"), text.to_owned())
    }

    #[test]
    fn parses_a_minimal_report() {
        let d = doc(GOOD).expect("document");
        let r = d.report().expect("report");
        assert_eq!(r.id, "ENIGM-2026-0001");
        assert_eq!(r.state, State::Received);
        assert_eq!(d.sections()[0].title, "Summary");
    }

    #[test]
    fn unknown_field_points_at_the_key() {
        let text = GOOD.replace("reporter:", "embargo_untill: 2026-02-01\nreporter:");
        let d = doc(&text).expect("document");
        let f = d.report().unwrap_err().finding;
        assert_eq!(f.code, "unknown-field");
        let span = f.span.expect("span");
        assert_eq!(&text[span], "embargo_untill");
        assert!(f.help.expect("help").contains("embargo_until"));
    }

    #[test]
    fn impossible_date_points_at_the_value() {
        let text = GOOD.replace("2026-01-05", "2026-02-30");
        let f = doc(&text).expect("document").report().unwrap_err().finding;
        assert_eq!(f.code, "invalid-field");
        assert_eq!(&text[f.span.expect("span")], "2026-02-30");
        assert!(f.message.starts_with("`reported`"), "{}", f.message);
    }

    #[test]
    fn missing_field_points_at_the_fence() {
        let text = GOOD.replace("title: T\n", "");
        let f = doc(&text).expect("document").report().unwrap_err().finding;
        assert_eq!(f.code, "missing-field");
        assert_eq!(f.span, Some(0..3));
    }

    #[test]
    fn empty_optional_keys_are_absent() {
        let d = doc(&GOOD.replace("reporter:", "assignee:\nembargo_until:\nreporter:")).expect("document");
        let r = d.report().expect("report");
        assert_eq!((r.assignee, r.embargo_until), (None, None));
    }

    #[test]
    fn rejects_non_mapping_and_non_utf8() {
        assert_eq!(doc("---\n- a\n---\n").unwrap_err().finding.code, "front-matter-not-mapping");
        assert_eq!(doc("---\n---\n").unwrap_err().finding.code, "front-matter-not-mapping");
        let bytes = b"---\nid: \xff\n---\n".to_vec();
        let r = Document::from_bytes(Path::new("x.md"), bytes).unwrap_err();
        assert_eq!(r.finding.code, "not-utf8");
        assert_eq!(r.finding.span, Some(8..9));
    }
}
