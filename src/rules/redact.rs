//! Masking secrets in everything a command shows.
//!
//! A secret found in a report must not travel further than the file it is in: not into a
//! terminal scroll-back, a CI log, a JSON or SARIF file or a commit message. The scanner
//! ([`secrets::scan`]) says where secrets are; this module replaces their bytes with `*` in
//! any text that is about to be shown (a diagnostic's source snippet, a finding's message,
//! a table), keeping byte lengths so that spans into the text stay valid.
//!
//! Text from outside (an imported mail, an advisory) is *redacted* instead ([`redact`]): each
//! secret is replaced by a marker `[REDACTED <kind> <short hash>]` that names what it was and
//! tells two secrets apart, so the committed text never holds the value.

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

/// One secret [`redact`] replaced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Redaction {
    /// What the scanner says it is (`AWS access key`).
    pub kind: &'static str,
    /// What stands in its place: `[REDACTED aws-access-key 3f2a9c1e]`.
    pub marker: String,
}

/// The most passes [`redact`] makes (a redaction can bring two halves of a secret together).
const REDACT_PASSES: usize = 4;

/// `text` with every secret the scanner finds replaced by its marker (the first 8 hex digits
/// of the secret's SHA-256: enough to tell two apart, useless to recover it), and what was
/// replaced. A PEM private key is replaced from its `BEGIN` line to its `END` line. Allow
/// markers in the text are not honoured: text from outside cannot vouch for itself. `None`
/// when a secret is still found after the last pass (the caller refuses the text).
pub fn redact(text: &str) -> Option<(String, Vec<Redaction>)> {
    let mut out = text.to_owned();
    let mut done = Vec::new();
    for _ in 0..REDACT_PASSES {
        let spans = secrets::locate(&out);
        if spans.is_empty() {
            return Some((out, done));
        }
        let mut next = String::with_capacity(out.len());
        let mut at = 0;
        for (span, kind) in spans {
            if span.start < at {
                continue;
            }
            let end = pem_end(&out, &span);
            let hash = secrets::sha256_hex(&out.as_bytes()[span.start..end]);
            let marker = format!("[REDACTED {} {}]", kebab(kind), &hash[..8]);
            next.push_str(&out[at..span.start]);
            next.push_str(&marker);
            done.push(Redaction { kind, marker });
            at = end;
        }
        next.push_str(&out[at..]);
        out = next;
    }
    secrets::locate(&out).is_empty().then_some((out, done))
}

/// Where a secret found at `span` ends: for a PEM `BEGIN … PRIVATE KEY` line, after the
/// matching `END` line (or the last line of its base64 body); otherwise at the span's end.
fn pem_end(text: &str, span: &Range<usize>) -> usize {
    let found = &text[span.clone()];
    if !(found.starts_with("-----BEGIN") && found.contains("PRIVATE KEY")) || found.contains("-----END") {
        return span.end;
    }
    let rest = &text[span.end..];
    if let Some(i) = rest.find("-----END") {
        let after = &rest[i + 8..];
        let close = after.find("-----").map_or(after.len(), |j| j + 5);
        return span.end + i + 8 + close;
    }
    let first_line = rest.find('\n').map_or(rest.len(), |i| i + 1);
    let mut end = span.end + first_line;
    for line in rest[first_line..].split_inclusive('\n') {
        let body = line.trim();
        // Base64 lines of a key body (64 characters; a short last one is left: no use alone).
        if body.len() < 16 || !body.chars().all(|c| c.is_ascii_alphanumeric() || "+/=".contains(c)) {
            break;
        }
        end += line.len();
    }
    end
}

/// `AWS access key` → `aws-access-key`.
fn kebab(kind: &str) -> String {
    let words: Vec<String> = kind
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_ascii_lowercase)
        .collect();
    words.join("-")
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
    fn redaction_replaces_each_secret_by_a_marker_and_keeps_the_rest() {
        let text = format!("key {KEY} and again {KEY}.\n");
        let (out, done) = redact(&text).expect("redacted");
        assert!(!out.contains(KEY), "{out}");
        assert_eq!(done.len(), 2);
        assert!(
            done[0].marker.starts_with("[REDACTED aws-access-key-id ") && done[0].marker == done[1].marker,
            "{done:?}"
        );
        assert_eq!(out, format!("key {m} and again {m}.\n", m = done[0].marker));
        assert_eq!(redact("nothing here"), Some(("nothing here".to_owned(), Vec::new())));
        let marked = format!("{KEY} # enigm:allow-secret");
        assert!(!redact(&marked).expect("redacted").0.contains(KEY), "allow markers from outside are ignored");
    }

    #[test]
    fn a_pem_private_key_is_redacted_to_its_end_line() {
        let key = "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW\n-----END OPENSSH PRIVATE KEY-----\n";
        let (out, done) = redact(&format!("before\n{key}after\n")).expect("redacted");
        assert_eq!(done.len(), 1, "{done:?}");
        assert_eq!(out, format!("before\n{}\nafter\n", done[0].marker));
        let cut = "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gun\n\ntail\n";
        let (out, _) = redact(cut).expect("redacted");
        assert!(!out.contains("MIIEow") && out.ends_with("]\ntail\n"), "{out}");
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
