//! Aligned text tables for the terminal, and CSV.
//!
//! Cells are sanitised before they reach a terminal: control characters and bidirectional
//! overrides (Trojan Source) from a researcher's title are shown as `\u{…}` escapes, never
//! interpreted. Colour is ANSI and only used when standard output allows it.

use unicode_width::UnicodeWidthStr;

/// A terminal colour for a cell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    Plain,
    Bold,
    Dim,
    Red,
    BoldRed,
    Yellow,
    Cyan,
}

impl Style {
    fn code(self) -> &'static str {
        match self {
            Style::Plain => "",
            Style::Bold => "1",
            Style::Dim => "2",
            Style::Red => "31",
            Style::BoldRed => "1;31",
            Style::Yellow => "33",
            Style::Cyan => "36",
        }
    }

    /// `text` wrapped in this style's escape codes when `color` is on.
    pub fn paint(self, text: &str, color: bool) -> String {
        if !color || self == Style::Plain {
            return text.to_owned();
        }
        format!("\x1b[{}m{text}\x1b[0m", self.code())
    }
}

/// One cell: text and style.
#[derive(Debug, Clone)]
pub struct Cell {
    pub text: String,
    pub style: Style,
}

impl Cell {
    pub fn new(text: impl AsRef<str>, style: Style) -> Cell {
        Cell { text: sanitize(text.as_ref()), style }
    }

    pub fn plain(text: impl AsRef<str>) -> Cell {
        Cell::new(text, Style::Plain)
    }
}

/// Control characters, bidi controls and other invisible format characters made visible.
pub fn sanitize(text: &str) -> String {
    if !text.chars().any(suspicious) {
        return text.to_owned();
    }
    text.chars().map(|c| if suspicious(c) { c.escape_unicode().to_string() } else { c.to_string() }).collect()
}

/// Text on its way to a terminal, made printable: control characters (but newline and tab),
/// bidi controls and invisible format characters are escaped as `\u{..}`, so a file name,
/// commit message or author name cannot move the cursor, retitle the window or hide text.
/// With `keep_colors`, SGR colour sequences (`ESC [ digits m`, the tool's own styling and
/// miette's) pass; without, every escape is shown.
pub fn terminal_safe(text: &str, keep_colors: bool) -> std::borrow::Cow<'_, str> {
    let unsafe_char = |c: char| suspicious(c) && c != '\n' && c != '\t';
    if !text.chars().any(unsafe_char) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        if c == '\x1b' && keep_colors {
            let tail = &rest[1..];
            let params = tail
                .strip_prefix('[')
                .map(|t| t.len() - t.trim_start_matches(|d: char| d.is_ascii_digit() || d == ';').len());
            if let Some(n) = params.filter(|&n| tail[1 + n..].starts_with('m')) {
                out.push_str(&rest[..n + 3]);
                rest = &rest[n + 3..];
                continue;
            }
        }
        if unsafe_char(c) {
            out.push_str(&c.escape_unicode().to_string());
        } else {
            out.push(c);
        }
        rest = &rest[c.len_utf8()..];
    }
    std::borrow::Cow::Owned(out)
}

fn suspicious(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2069}' | '\u{FEFF}')
}

/// A table: a header and rows, printed with columns aligned; the last column is cut to fit
/// `width` when one is given.
pub struct Table {
    header: Vec<&'static str>,
    rows: Vec<Vec<Cell>>,
}

impl Table {
    pub fn new(header: Vec<&'static str>) -> Table {
        Table { header, rows: Vec::new() }
    }

    pub fn push(&mut self, row: Vec<Cell>) {
        self.rows.push(row);
    }

    /// The table as text, one line per row. Rows are laid out in parallel: `list` prints
    /// 100,000 of them.
    pub fn render(&self, color: bool, width: Option<usize>) -> String {
        use rayon::prelude::*;
        let n = self.header.len();
        let header: Vec<Cell> = self.header.iter().map(|h| Cell::new(h, Style::Bold)).collect();
        let widths = self
            .rows
            .par_iter()
            .map(|row| row.iter().take(n).map(|c| display_width(&c.text)).collect::<Vec<_>>())
            .reduce(
                || header.iter().map(|c| display_width(&c.text)).collect(),
                |a, b| a.iter().zip(&b).map(|(x, y)| *x.max(y)).collect(),
            );
        let line = |row: &Vec<Cell>| {
            let mut line = String::with_capacity(128);
            let mut used = 0;
            for (i, cell) in row.iter().enumerate().take(n) {
                let last = i + 1 == n;
                match (last, width) {
                    // Secrets are masked before the cut, which would leave a part the
                    // output's own masking no longer recognises.
                    (true, Some(w)) => push_painted(
                        &mut line,
                        &truncate(
                            &enigm_disclose::rules::redact::mask_text(&cell.text),
                            w.saturating_sub(used).max(10),
                        ),
                        cell.style,
                        color,
                    ),
                    _ => push_painted(&mut line, &cell.text, cell.style, color),
                }
                if !last {
                    let pad = widths[i] - display_width(&cell.text) + 2;
                    line.extend(std::iter::repeat_n(' ', pad));
                    used += widths[i] + 2;
                }
            }
            let trimmed = line.trim_end().len();
            line.truncate(trimmed);
            line.push('\n');
            line
        };
        let mut out = line(&header);
        let body: Vec<String> = self.rows.par_iter().map(line).collect();
        out.reserve(body.iter().map(String::len).sum());
        for l in body {
            out.push_str(&l);
        }
        out
    }
}

/// Columns `text` takes on a terminal (ASCII without a table lookup).
fn display_width(text: &str) -> usize {
    if text.is_ascii() { text.len() } else { text.width() }
}

/// Appends `text` to `out`, wrapped in `style`'s escape codes when `color` is on.
fn push_painted(out: &mut String, text: &str, style: Style, color: bool) {
    if color && style != Style::Plain {
        out.push_str("\x1b[");
        out.push_str(style.code());
        out.push('m');
        out.push_str(text);
        out.push_str("\x1b[0m");
    } else {
        out.push_str(text);
    }
}

/// `text` cut to `max` columns with an ellipsis.
fn truncate(text: &str, max: usize) -> String {
    if text.width() <= max {
        return text.to_owned();
    }
    let mut out = String::new();
    let mut w = 0;
    for c in text.chars() {
        let cw = unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
        if w + cw + 1 > max {
            break;
        }
        out.push(c);
        w += cw;
    }
    out.push('…');
    out
}

/// RFC 4180 CSV: a header and rows. Text cells that a spreadsheet would run as a formula
/// (starting with `=`, `+`, `-`, `@`, tab or carriage return) are prefixed with `'`.
pub fn csv(header: &[&str], rows: &[Vec<CsvField>]) -> String {
    let mut out = header.join(",");
    out.push_str("\r\n");
    for row in rows {
        let fields: Vec<String> = row.iter().map(CsvField::encode).collect();
        out.push_str(&fields.join(","));
        out.push_str("\r\n");
    }
    out
}

/// A CSV value: text from users (guarded against formulas) or a number/date/keyword.
pub enum CsvField {
    Text(String),
    Value(String),
}

impl CsvField {
    fn encode(&self) -> String {
        let raw = match self {
            CsvField::Text(t) if t.starts_with(['=', '+', '-', '@', '\t', '\r']) => format!("'{t}"),
            CsvField::Text(t) | CsvField::Value(t) => t.clone(),
        };
        if raw.contains([',', '"', '\n', '\r']) { format!("\"{}\"", raw.replace('"', "\"\"")) } else { raw }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_align_by_display_width() {
        let mut t = Table::new(vec!["ID", "TITLE"]);
        t.push(vec![Cell::plain("漢字"), Cell::plain("a")]);
        t.push(vec![Cell::plain("x"), Cell::plain("b")]);
        assert_eq!(t.render(false, None), "ID    TITLE\n漢字  a\nx     b\n");
    }

    #[test]
    fn the_last_column_is_cut_to_the_width() {
        let mut t = Table::new(vec!["ID", "TITLE"]);
        t.push(vec![Cell::plain("1"), Cell::plain("a very long title that goes on")]);
        assert_eq!(t.render(false, Some(16)).lines().nth(1), Some("1   a very long…"));
    }

    #[test]
    fn bidi_and_control_characters_are_escaped() {
        assert_eq!(sanitize("a\u{202E}b\x1b[31m"), "a\\u{202e}b\\u{1b}[31m");
        assert_eq!(sanitize("plain é"), "plain é");
        assert_eq!(terminal_safe("a\n\tb", false), "a\n\tb");
        assert_eq!(
            terminal_safe("\x1b[31mred\x1b[0m \x1b]0;title\x07", true),
            "\x1b[31mred\x1b[0m \\u{1b}]0;title\\u{7}"
        );
        assert_eq!(terminal_safe("\x1b[31mx\u{202E}", false), "\\u{1b}[31mx\\u{202e}");
    }

    #[test]
    fn csv_quotes_and_guards_formulas() {
        let rows = vec![vec![CsvField::Text("=HYPERLINK(\"x\")".into()), CsvField::Value("-3".into())]];
        assert_eq!(csv(&["a", "b"], &rows), "a,b\r\n\"'=HYPERLINK(\"\"x\"\")\",-3\r\n");
    }
}
