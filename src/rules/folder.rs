//! The files of a report's folder (`reports/<ID>/`, beside the report in either layout,
//! [`crate::format::correspondence`]) against
//! its `correspondence[]`: every named text and attachment is a file inside the folder
//! (`message-file-missing`), every file there is named by an entry (`message-file-unlisted`,
//! a warning: a file nobody will find from the report), and every sealed file (`.age`) is a
//! well-formed armoured age block (`sealed-file-damaged`); with a key it must open, and what
//! it holds is scanned for secrets like any other file under `reports/`.
//!
//! Names are checked on the report's own text (a sealed report opened with a key); a sealed
//! report read without a key keeps no names in clear, so only its files' shape is checked.

use std::ops::Range;
use std::path::Path;

use crate::format::correspondence as layout;
use crate::format::finding::{Code, Finding};
use crate::format::report::{Document, Report};
use crate::format::sealed;

/// Findings of the names: entries of `report` (parsed from `doc`) against `present`, the
/// files of its folder (relative to the folder, `/`-separated).
pub fn check_names(doc: &Document, report: &Report, present: &[String]) -> Vec<Finding> {
    let mut out = Vec::new();
    if doc.is_closed() {
        return out;
    }
    let mut named: Vec<&str> = Vec::new();
    for (i, m) in report.correspondence.iter().enumerate() {
        let names = std::iter::once((format!("correspondence[{i}].text"), m.text.as_str())).chain(
            m.attachments
                .iter()
                .enumerate()
                .map(|(j, a)| (format!("correspondence[{i}].attachments[{j}]"), a.as_str())),
        );
        for (key, name) in names {
            named.push(name);
            let why = if layout::resolve(&doc.path, name).is_none() {
                format!("`{name}` is not a path inside the report's folder {}/", layout::folder(&doc.path).display())
            } else if !present.iter().any(|p| p == name) {
                format!(
                    "message {}: `{name}` is not in the report's folder {}/",
                    i + 1,
                    layout::folder(&doc.path).display()
                )
            } else {
                continue;
            };
            out.push(Finding::error(Code::MessageFileMissing, &doc.path, Some(span(doc, &key)), why).with_help(
                "restore the file (`git log -- reports/`), or correct the name: it is relative to the report's folder",
            ));
        }
    }
    for file in present.iter().filter(|p| !named.contains(&p.as_str())) {
        let path = layout::folder(&doc.path).join(file);
        out.push(
            Finding::warning(
                Code::MessageFileUnlisted,
                &path,
                None,
                format!("{file} is in the folder of {}, but no `correspondence` entry names it", report.id),
            )
            .with_help("name it in the entry it came with (`text` or `attachments`), or remove it"),
        );
    }
    out
}

fn span(doc: &Document, key: &str) -> Range<usize> {
    doc.span_for(key, false)
}

/// Findings of one sealed file (`rel`, a `.age` name) without or with a key: its shape,
/// then (opened) the secret scan of what it holds.
pub fn check_sealed_file(rel: &Path, bytes: &[u8]) -> Vec<Finding> {
    let damaged = |why: String| {
        vec![
            Finding::error(Code::SealedFileDamaged, rel, None, why)
                .with_help("a damaged block cannot be repaired: restore the file from history (`git log -p`)"),
        ]
    };
    let Ok(text) = std::str::from_utf8(bytes) else {
        return damaged("the sealed file is not text (an armoured age block is ASCII)".into());
    };
    if let Err(e) = sealed::check_block(text) {
        return damaged(format!("the sealed file is not a well-formed age block: {e}"));
    }
    let ids = match sealed::identities() {
        Ok(Some(ids)) => ids,
        _ => return Vec::new(),
    };
    match sealed::unseal_bytes(text, ids) {
        Ok(plain) => {
            let inner = rel.with_extension("");
            let mut found = crate::rules::attachments::check(&inner, &plain).1;
            for f in &mut found {
                f.path = rel.to_owned();
                f.span = None;
                f.message.push_str(" (in the sealed file, opened)");
            }
            found
        }
        Err(sealed::SealError::NoKey | sealed::SealError::WrongKey { .. }) => Vec::new(),
        Err(e) => damaged(format!("the sealed file does not open: {e}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const REPORT: &str = "---\nid: ENIGM-2026-0001\ntitle: T\nstate: received\nreported: 2026-03-01\nreporter:\n  name: R\ntimeline:\n  - date: 2026-03-01\n    state: received\ncorrespondence:\n  - at: 2026-03-02T09:30:00+01:00\n    direction: in\n    channel: email\n    subject: S\n    text: messages/0001-in.md\n    attachments:\n      - attachments/0001-log.txt\n  - at: 2026-03-03T09:30:00+01:00\n    direction: out\n    channel: email\n    subject: Re\n    text: ../ENIGM-2026-0002.md\n---\n## Summary\n\nS.\n";

    fn codes(present: &[&str]) -> Vec<(Code, String)> {
        let doc = Document::parse(Path::new("reports/ENIGM-2026-0001.md"), REPORT.into()).expect("doc");
        let report = doc.report().expect("report");
        let present: Vec<String> = present.iter().map(|s| (*s).to_owned()).collect();
        check_names(&doc, &report, &present).into_iter().map(|f| (f.code, f.message)).collect()
    }

    #[test]
    fn named_files_must_be_in_the_folder_and_files_there_named() {
        let found = codes(&["messages/0001-in.md", "attachments/0001-log.txt", "notes.txt"]);
        assert_eq!(found.len(), 2, "{found:?}");
        assert_eq!(found[0].0, Code::MessageFileMissing);
        assert!(found[0].1.contains("not a path inside"), "{found:?}");
        assert_eq!(found[1].0, Code::MessageFileUnlisted);
        let missing = codes(&[]);
        assert!(
            missing.iter().any(|(c, m)| *c == Code::MessageFileMissing && m.contains("0001-log.txt")),
            "{missing:?}"
        );
    }

    #[test]
    fn a_sealed_file_must_be_an_age_block() {
        let rel = Path::new("reports/ENIGM-2026-0001/messages/0001-in.md.age");
        assert_eq!(check_sealed_file(rel, b"hello")[0].code, Code::SealedFileDamaged);
        let (_, public) = crate::format::keys::generate();
        let recipient = crate::format::keys::Recipient::parse(&public).expect("recipient");
        let block = sealed::seal_bytes(b"text", &[recipient]).expect("seal");
        assert!(check_sealed_file(rel, block.as_bytes()).is_empty(), "well formed, no key: nothing to say");
        let cut = &block[..block.len() / 2];
        assert_eq!(check_sealed_file(rel, cut.as_bytes())[0].code, Code::SealedFileDamaged);
    }
}
