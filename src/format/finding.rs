//! Findings: located problems in a file, collected rather than thrown.
//!
//! Everything that reads user files (the report parser, the config loader, validation) reports
//! what is wrong as [`Finding`] values with a stable kebab-case code, a severity, a message, a
//! byte span and a help text, so one run can report every problem at once and every output
//! format (terminal, JSON, CI annotations) is built from the same data.

use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};

use serde::Serialize;

pub use super::code::Code;

/// How bad a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        })
    }
}

/// One located problem in one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// Stable identifier, documented in `docs/checks.md`.
    pub code: Code,
    pub severity: Severity,
    /// The file, relative to the repository root.
    pub path: PathBuf,
    /// Byte range in the file; `None` for whole-file problems.
    pub span: Option<Range<usize>>,
    /// One line saying what is wrong.
    pub message: String,
    /// What to do about it.
    pub help: Option<String>,
}

impl Finding {
    /// A finding with the severity documented for `code`.
    pub fn new(code: Code, path: &Path, span: Option<Range<usize>>, message: impl Into<String>) -> Self {
        let severity = code.severity();
        Finding { code, severity, path: path.to_owned(), span, message: message.into(), help: None }
    }

    /// An error finding (`code` is documented as an error).
    pub fn error(code: Code, path: &Path, span: Option<Range<usize>>, message: impl Into<String>) -> Self {
        debug_assert_eq!(code.severity(), Severity::Error, "{code} is documented as a warning");
        Finding::new(code, path, span, message)
    }

    /// A warning finding (`code` is documented as a warning).
    pub fn warning(code: Code, path: &Path, span: Option<Range<usize>>, message: impl Into<String>) -> Self {
        debug_assert_eq!(code.severity(), Severity::Warning, "{code} is documented as an error");
        Finding::new(code, path, span, message)
    }

    /// Adds a help text.
    #[must_use]
    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }
}

/// A 1-based line and column (in characters) of a byte offset in `text`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct LineCol {
    pub line: usize,
    pub column: usize,
}

/// The line starts of a text, so that many offsets become lines and columns without
/// rescanning the text for each (a file with 50,000 findings stays linear).
pub struct LineIndex<'a> {
    text: &'a str,
    starts: Vec<usize>,
}

impl<'a> LineIndex<'a> {
    pub fn new(text: &'a str) -> Self {
        let starts = std::iter::once(0).chain(text.match_indices('\n').map(|(i, _)| i + 1)).collect();
        LineIndex { text, starts }
    }

    /// The position of `offset`, as [`LineCol::of`] computes it.
    pub fn locate(&self, offset: usize) -> LineCol {
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = self.starts.partition_point(|&s| s <= offset);
        let start = self.starts[line - 1];
        LineCol { line, column: self.text[start..offset].chars().count() + 1 }
    }
}

impl LineCol {
    /// Computes the position of `offset` (clamped to the text, and to a char boundary).
    pub fn of(text: &str, offset: usize) -> LineCol {
        let mut offset = offset.min(text.len());
        while !text.is_char_boundary(offset) {
            offset -= 1;
        }
        let before = &text[..offset];
        let line = before.bytes().filter(|&b| b == b'\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let column = text[line_start..offset].chars().count() + 1;
        LineCol { line, column }
    }
}

impl fmt::Display for LineCol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.line, self.column)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_from_one_in_characters() {
        let text = "ab\ncé d\n";
        assert_eq!(LineCol::of(text, 0), LineCol { line: 1, column: 1 });
        assert_eq!(LineCol::of(text, 3), LineCol { line: 2, column: 1 });
        // byte 6 is the space after 'é' (2 bytes): column 3
        assert_eq!(LineCol::of(text, 6), LineCol { line: 2, column: 3 });
        assert_eq!(LineCol::of(text, 999), LineCol { line: 3, column: 1 });
        // inside a multibyte char: clamps back to its start
        assert_eq!(LineCol::of(text, 5), LineCol { line: 2, column: 2 });
    }

    #[test]
    fn the_line_index_agrees_with_scanning() {
        let text = "ab\r\nçd\n\nlast é";
        let index = LineIndex::new(text);
        for offset in 0..=text.len() + 2 {
            assert_eq!(index.locate(offset), LineCol::of(text, offset), "offset {offset}");
        }
    }
}
