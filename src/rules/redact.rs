//! Masking secrets in everything a command shows.
//!
//! A secret found in a report must not travel further than the file it is in: not into a
//! terminal scroll-back, a CI log, a JSON or SARIF file or a commit message. The scanner
//! ([`secrets::scan`]) says where secrets are; this module replaces their bytes with `*` in
//! any text that is about to be shown (a diagnostic's source snippet, a finding's message,
//! a table), keeping byte lengths so that spans into the text stay valid.

use std::borrow::Cow;
use std::ops::Range;
use std::path::Path;

use crate::error::FileProblem;
use crate::format::finding::{Code, Finding};
use crate::rules::checks::secrets;

/// The byte ranges of the secrets the scanner finds in `text`.
pub fn secret_spans(text: &str) -> Vec<Range<usize>> {
    secrets::scan(text, Path::new("")).into_iter().filter(|f| f.code == Code::Secret).filter_map(|f| f.span).collect()
}

/// `text` with the bytes of every span (widened to character boundaries) replaced by `*`.
pub fn mask_spans(text: &str, spans: &[Range<usize>]) -> String {
    let mut bytes = text.as_bytes().to_vec();
    for span in spans {
        let mut start = span.start.min(text.len());
        let mut end = span.end.min(text.len()).max(start);
        while !text.is_char_boundary(start) {
            start -= 1;
        }
        while !text.is_char_boundary(end) {
            end += 1;
        }
        bytes[start..end].fill(b'*');
    }
    // Whole characters were replaced by ASCII: still UTF-8.
    String::from_utf8(bytes).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

/// `text` with every secret the scanner finds in it masked.
pub fn mask_text(text: &str) -> Cow<'_, str> {
    let spans = secret_spans(text);
    if spans.is_empty() { Cow::Borrowed(text) } else { Cow::Owned(mask_spans(text, &spans)) }
}

/// The finding with every secret in its message and help masked.
pub fn mask_finding(mut finding: Finding) -> Finding {
    if let Cow::Owned(m) = mask_text(&finding.message) {
        finding.message = m;
    }
    if let Some(h) = &finding.help
        && let Cow::Owned(m) = mask_text(h)
    {
        finding.help = Some(m);
    }
    finding
}

/// The file text to show beside findings: every secret the scanner finds in it and every
/// span of a `secret` finding among `findings` (which may come from decoded values) masked.
pub fn mask_file_text(text: &str, findings: &[Finding]) -> String {
    let mut spans = secret_spans(text);
    spans.extend(findings.iter().filter(|f| f.code == Code::Secret).filter_map(|f| f.span.clone()));
    mask_spans(text, &spans)
}

/// A finding shown against its file's text, both masked.
pub fn problem(finding: Finding, text: Option<&str>, all: &[Finding]) -> FileProblem {
    FileProblem::new(mask_finding(finding), text.map(|t| mask_file_text(t, all)))
}

/// The same problem with its message and source text masked (again: masking is idempotent).
pub fn remask(p: &FileProblem) -> FileProblem {
    problem(p.finding.clone(), p.text(), std::slice::from_ref(&p.finding))
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "AKIAZ7VRSQ5TJ3XKQ4ME";

    #[test]
    fn masks_keep_offsets_and_hide_every_byte() {
        let text = format!("title: é {KEY} after\n");
        let masked = mask_text(&text);
        assert_eq!(masked.len(), text.len());
        assert!(!masked.contains("Z7VRSQ"), "{masked}");
        assert!(masked.ends_with(" after\n"));
        assert_eq!(mask_text("nothing here"), Cow::Borrowed("nothing here"));
        // A span inside a multi-byte character widens to the whole character.
        assert_eq!(mask_spans("aéb", std::slice::from_ref(&(2..3))), "a**b");
    }

    #[test]
    fn findings_and_problems_are_masked() {
        let f = Finding::error(Code::InvalidField, Path::new("r.md"), Some(7..27), format!("`{KEY}` is too long"))
            .with_help(format!("shorten {KEY}"));
        let m = mask_finding(f.clone());
        assert!(!m.message.contains(KEY) && !m.help.as_deref().unwrap_or_default().contains(KEY), "{m:?}");
        let text = format!("title: {KEY}\n");
        let p = problem(f, Some(&text), &[]);
        assert!(!p.text().unwrap_or_default().contains(KEY));
        assert!(!remask(&p).text().unwrap_or_default().contains(KEY));
    }
}
