//! Files under `reports/` that are not reports (attachments, logs, captures, screenshots):
//! what the pre-commit gate checks in them before they reach history.
//!
//! Every such file is scanned for secrets with the report scanner
//! ([`secrets::scan`](crate::rules::checks::secrets::scan)). A UTF-8 text file is scanned as it
//! is, and its findings point into it. Any other file is scanned in its printable strings (runs
//! of at least [`MIN_RUN`] printable ASCII characters, in single bytes or UTF-16), as `strings`
//! shows them; those findings name the file but no position. A compressed container (zip and
//! the office formats built on it, gzip, bzip2, xz, zstd, 7z, rar, a PDF with compressed
//! streams) cannot be scanned that way, so it is refused with `file-unscannable`. Sizes are
//! checked by the caller before a file is read ([`MAX_BYTES`]).

use std::path::Path;

use crate::format::finding::{Code, Finding};
use crate::rules::checks::secrets;

/// The largest file scanned: the limit of a report.
pub const MAX_BYTES: u64 = crate::format::report::MAX_REPORT_BYTES;

/// The shortest run of printable characters taken from a binary file.
pub const MIN_RUN: usize = 8;

/// The findings of one non-report file under `reports/`, and its text when it is UTF-8 text
/// (for showing where they are).
pub fn check(rel: &Path, bytes: &[u8]) -> (Option<String>, Vec<Finding>) {
    if let Some(kind) = compressed(bytes) {
        let f = Finding::error(
            Code::FileUnscannable,
            rel,
            None,
            format!("the file is {kind}: its content cannot be scanned for secrets"),
        )
        .with_help(
            "commit the material uncompressed (text is scanned; so are the strings of other binary files), or keep it outside the repository",
        );
        return (None, vec![f]);
    }
    match std::str::from_utf8(bytes) {
        Ok(text) if !text.contains('\0') => (Some(text.to_owned()), secrets::scan(text, rel)),
        _ => {
            let strings = printable_strings(bytes);
            let findings = secrets::scan(&strings, rel)
                .into_iter()
                .map(|mut f| {
                    f.span = None;
                    f.message.push_str(" (in the printable strings of a binary file)");
                    f
                })
                .collect();
            (None, findings)
        }
    }
}

/// What kind of compressed container `bytes` is, by its signature.
fn compressed(bytes: &[u8]) -> Option<&'static str> {
    const SIGNATURES: &[(&[u8], &str)] = &[
        (b"PK\x03\x04", "a zip archive (or a format built on zip: docx, xlsx, jar, apk)"),
        (b"PK\x05\x06", "a zip archive"),
        (b"PK\x07\x08", "a zip archive"),
        (b"\x1f\x8b", "gzip-compressed"),
        (b"BZh", "bzip2-compressed"),
        (b"\xfd7zXZ\x00", "xz-compressed"),
        (b"\x28\xb5\x2f\xfd", "zstd-compressed"),
        (b"7z\xbc\xaf\x27\x1c", "a 7z archive"),
        (b"Rar!\x1a\x07", "a rar archive"),
    ];
    if let Some((_, kind)) = SIGNATURES.iter().find(|(sig, _)| bytes.starts_with(sig)) {
        return Some(kind);
    }
    let is_pdf = bytes.starts_with(b"%PDF");
    let filtered = ["/FlateDecode", "/LZWDecode", "/DCTDecode", "/JBIG2Decode", "/Crypt", "/Encrypt"]
        .iter()
        .any(|f| bytes.windows(f.len()).any(|w| w == f.as_bytes()));
    (is_pdf && filtered).then_some("a PDF with compressed or encrypted streams")
}

/// Runs of at least [`MIN_RUN`] printable ASCII characters, as single bytes and as UTF-16
/// (little and big endian), one per line.
fn printable_strings(bytes: &[u8]) -> String {
    let printable = |b: u8| b == b'\t' || (0x20..0x7f).contains(&b);
    let mut out = String::new();
    let mut push_runs = |chars: &mut dyn Iterator<Item = Option<u8>>| {
        let mut run = String::new();
        for c in chars.chain(std::iter::once(None)) {
            match c {
                Some(b) if printable(b) => run.push(char::from(b)),
                _ => {
                    if run.len() >= MIN_RUN {
                        out.push_str(&run);
                        out.push('\n');
                    }
                    run.clear();
                }
            }
        }
    };
    push_runs(&mut bytes.iter().map(|b| Some(*b)));
    for offset in 0..2 {
        let pairs = bytes.get(offset..).unwrap_or_default().chunks_exact(2);
        push_runs(&mut pairs.clone().map(|p| (p[1] == 0).then_some(p[0])));
        push_runs(&mut pairs.map(|p| (p[0] == 0).then_some(p[1])));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "AKIAQWERTYUIOPASDFGH";

    fn codes(bytes: &[u8]) -> Vec<Code> {
        check(Path::new("reports/x.bin"), bytes).1.into_iter().map(|f| f.code).collect()
    }

    #[test]
    fn text_is_scanned_with_positions() {
        let (text, findings) = check(Path::new("reports/a.log"), format!("key={KEY}\n").as_bytes());
        assert!(text.is_some());
        assert_eq!(findings.len(), 1);
        assert_eq!(findings[0].span, Some(4..24));
    }

    #[test]
    fn binaries_are_scanned_in_their_strings_single_byte_and_utf16() {
        let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\x0ctEXtComment\0".to_vec();
        png.extend_from_slice(KEY.as_bytes());
        png.extend_from_slice(b"\0\xff\xfe");
        assert_eq!(codes(&png), [Code::Secret]);
        let utf16le: Vec<u8> = KEY.bytes().flat_map(|b| [b, 0]).collect();
        assert_eq!(codes(&[b"\xff\xfe".as_slice(), &utf16le].concat()), [Code::Secret]);
        let utf16be: Vec<u8> = KEY.bytes().flat_map(|b| [0, b]).collect();
        assert_eq!(codes(&[b"\x01".as_slice(), &utf16be].concat()), [Code::Secret]);
        assert!(codes(b"\0\x01\x02 nothing here \xff").is_empty());
    }

    #[test]
    fn compressed_containers_are_refused() {
        assert_eq!(codes(b"PK\x03\x04rest"), [Code::FileUnscannable]);
        assert_eq!(codes(b"\x1f\x8b\x08\0"), [Code::FileUnscannable]);
        assert_eq!(codes(b"%PDF-1.7\n1 0 obj << /Filter /FlateDecode >>"), [Code::FileUnscannable]);
        assert!(codes(b"%PDF-1.7\n1 0 obj << >> stream\nplain\nendstream").is_empty());
    }
}
