//! Splitting a report file into its front matter and body, keeping byte offsets.
//!
//! The split borrows from the file text and remembers everything needed to write the file
//! back byte for byte: a UTF-8 byte order mark, the line ending style, where the front matter
//! and body start.

use std::ops::Range;

/// The line ending a file uses (taken from its opening fence).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineEnding {
    Lf,
    CrLf,
}

impl LineEnding {
    /// The characters of this line ending.
    pub fn as_str(self) -> &'static str {
        match self {
            LineEnding::Lf => "\n",
            LineEnding::CrLf => "\r\n",
        }
    }
}

/// A report file split at its `---` fences. Offsets are bytes into the whole file text
/// (including a BOM, if present).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Parts<'a> {
    /// The file starts with a UTF-8 byte order mark.
    pub bom: bool,
    pub line_ending: LineEnding,
    /// The YAML between the fences.
    pub front_matter: &'a str,
    pub front_matter_offset: usize,
    /// The Markdown after the closing fence.
    pub body: &'a str,
    pub body_offset: usize,
    /// The closing fence line (without its line ending).
    pub closing_fence: Range<usize>,
}

/// Why a file could not be split.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SplitError {
    /// The first line is not `---`.
    MissingOpeningFence { first_line: Range<usize> },
    /// No line `---` closes the front matter.
    MissingClosingFence { opening_fence: Range<usize> },
}

const BOM: &str = "\u{feff}";

impl<'a> Parts<'a> {
    /// Splits `text` (the whole file) at its front matter fences.
    pub fn split(text: &'a str) -> Result<Parts<'a>, SplitError> {
        let bom = text.starts_with(BOM);
        let start = if bom { BOM.len() } else { 0 };
        let (first_line, after_first) = line_at(text, start);
        if text[first_line.clone()].trim_end() != "---" {
            return Err(SplitError::MissingOpeningFence { first_line });
        }
        let line_ending =
            if text[first_line.end..after_first].starts_with("\r\n") { LineEnding::CrLf } else { LineEnding::Lf };
        let fm_start = after_first;
        let mut pos = fm_start;
        while pos < text.len() {
            let (line, next) = line_at(text, pos);
            if text[line.clone()].trim_end() == "---" {
                return Ok(Parts {
                    bom,
                    line_ending,
                    front_matter: &text[fm_start..line.start],
                    front_matter_offset: fm_start,
                    body: &text[next..],
                    body_offset: next,
                    closing_fence: line,
                });
            }
            pos = next;
        }
        Err(SplitError::MissingClosingFence { opening_fence: first_line })
    }
}

/// The line starting at `start` (without its `\n` / `\r\n`) and the start of the next line.
fn line_at(text: &str, start: usize) -> (Range<usize>, usize) {
    match text[start..].find('\n') {
        Some(i) => {
            let nl = start + i;
            let end = if nl > start && text.as_bytes()[nl - 1] == b'\r' { nl - 1 } else { nl };
            (start..end, nl + 1)
        }
        None => (start..text.len(), text.len()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_lf_file() {
        let text = "---\nid: A\n---\n## Summary\n";
        let p = Parts::split(text).expect("splits");
        assert_eq!(p.front_matter, "id: A\n");
        assert_eq!(p.front_matter_offset, 4);
        assert_eq!(p.body, "## Summary\n");
        assert_eq!(p.line_ending, LineEnding::Lf);
        assert!(!p.bom);
        assert_eq!(&text[p.closing_fence.clone()], "---");
    }

    #[test]
    fn splits_crlf_with_bom_and_no_trailing_newline() {
        let text = "\u{feff}---\r\nid: A\r\n---";
        let p = Parts::split(text).expect("splits");
        assert!(p.bom);
        assert_eq!(p.line_ending, LineEnding::CrLf);
        assert_eq!(p.front_matter, "id: A\r\n");
        assert_eq!(p.front_matter_offset, 3 + 5);
        assert_eq!(p.body, "");
    }

    #[test]
    fn empty_front_matter_is_allowed_by_the_split() {
        let p = Parts::split("---\n---\nbody").expect("splits");
        assert_eq!(p.front_matter, "");
        assert_eq!(p.body, "body");
    }

    #[test]
    fn reports_missing_fences() {
        assert_eq!(Parts::split("id: A\n"), Err(SplitError::MissingOpeningFence { first_line: 0..5 }));
        assert_eq!(Parts::split(""), Err(SplitError::MissingOpeningFence { first_line: 0..0 }));
        assert_eq!(Parts::split("---\nid: A\n"), Err(SplitError::MissingClosingFence { opening_fence: 0..3 }));
    }
}
