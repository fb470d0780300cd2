//! A fast reader for the block-YAML subset that report front matter is written in.
//!
//! Profiles of `list`, `due` and `validate` at 100,000 reports put ~40 % of their time in the
//! general event parser. Real front matter uses a small subset: block mappings and sequences,
//! one-line plain, single- and double-quoted scalars, and one-line flow sequences of plain
//! scalars (`cwe: [CWE-79]`, `aliases: []`). This module reads exactly that subset straight
//! into the same [`Node`] tree the event parser path builds (kinds, styles, byte spans), and
//! answers `None` ("not handled") for anything else: comments, tabs, anchors, tags, block
//! scalars, multi-line scalars, flow collections with nested content, unknown escapes,
//! duplicate keys, odd characters. On `None` the event parser runs as before, so every error
//! and every unusual file behaves as it always did. `tests` in the parent module run both
//! readers on many inputs and require identical trees whenever this one answers.

use super::{Key, Node, NodeKind, ScalarStyle, key_text, resolve_plain};

/// Nesting deeper than this is left to the event parser (real reports nest three levels).
const MAX_DEPTH: usize = 16;
/// Mappings longer than this are left to the event parser (its duplicate check is indexed).
const MAX_KEYS: usize = 64;

/// The tree of `text` (at byte `base` of its file), or `None` when `text` is outside the
/// subset this reader handles.
pub(super) fn parse(text: &str, base: usize) -> Option<Node> {
    if !plain_characters(text) {
        return None;
    }
    let lines = lines(text)?;
    let first = lines.first()?;
    let mut reader = Reader { src: text, text: text.as_bytes(), base, lines: &lines, at: 0, depth: 0 };
    let root = reader.block(first.indent)?;
    (reader.at == lines.len()).then_some(root)
}

/// False when `text` holds a character the subset leaves to the event parser: tabs, carriage
/// returns, control characters, C1 controls, Unicode line separators, byte-order marks,
/// non-characters; or a comment (` #` or a line starting with `#`).
fn plain_characters(text: &str) -> bool {
    // One branch-free pass (it vectorises): controls, DEL, and whether anything is not ASCII.
    let (control, high) = text.as_bytes().iter().fold((false, false), |(control, high), &b| {
        (control | ((b < 0x20) & (b != b'\n')) | (b == 0x7f), high | (b >= 0x80))
    });
    if control || text.contains(" #") || text.starts_with('#') || text.contains("\n#") {
        return false;
    }
    !high
        || !text
            .chars()
            .any(|c| matches!(c, '\u{80}'..='\u{9f}' | '\u{2028}' | '\u{2029}' | '\u{feff}' | '\u{fffe}' | '\u{ffff}'))
}

/// One non-blank line: byte offsets of its start and end (before `\n`), and its indentation.
struct Line {
    start: usize,
    end: usize,
    indent: usize,
}

impl Line {
    fn content(&self) -> usize {
        self.start + self.indent
    }
}

/// The non-blank lines of `text`; `None` for document markers and directives.
fn lines(text: &str) -> Option<Vec<Line>> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len() / 24);
    let mut start = 0;
    while start < bytes.len() {
        let end = text[start..].find('\n').map_or(bytes.len(), |i| start + i);
        let line = &bytes[start..end];
        let indent = line.iter().take_while(|&&b| b == b' ').count();
        if indent < line.len() {
            if line.starts_with(b"---") || line.starts_with(b"...") || line[0] == b'%' {
                return None;
            }
            out.push(Line { start, end, indent });
        }
        start = end + 1;
    }
    Some(out)
}

struct Reader<'a> {
    src: &'a str,
    /// `src` as bytes; every offset the reader cuts at is an ASCII byte or the end of a line,
    /// so slicing `src` there is always at a character boundary.
    text: &'a [u8],
    base: usize,
    lines: &'a [Line],
    /// Index of the current line.
    at: usize,
    depth: usize,
}

impl Reader<'_> {
    fn line(&self) -> Option<&Line> {
        self.lines.get(self.at)
    }

    /// Where the event parser puts the end of a block that closes before the current line:
    /// the first character of that line, or the end of the text.
    fn next_token(&self) -> usize {
        self.base + self.line().map_or(self.text.len(), Line::content)
    }

    fn is_entry(&self, pos: usize, end: usize) -> bool {
        self.text[pos] == b'-' && (pos + 1 == end || self.text[pos + 1] == b' ')
    }

    /// A block node whose first line is the current one, at column `indent`.
    fn block(&mut self, indent: usize) -> Option<Node> {
        let line = self.line()?;
        let (pos, end) = (line.start + indent, line.end);
        if self.is_entry(pos, end) { self.seq(indent, false) } else { self.map(indent) }
    }

    fn enter(&mut self) -> Option<()> {
        self.depth += 1;
        (self.depth <= MAX_DEPTH).then_some(())
    }

    /// A block sequence whose `-` items sit at column `col`; `indentless` when it is the value
    /// of a mapping key at the same column.
    fn seq(&mut self, col: usize, indentless: bool) -> Option<Node> {
        self.enter()?;
        let start = self.base + self.line()?.start + col;
        let mut items = Vec::new();
        while let Some(line) = self.line() {
            if line.indent != col || !self.is_entry(line.content(), line.end) {
                if line.indent >= col && !(indentless && line.indent == col) {
                    return None;
                }
                break;
            }
            let (line_start, end) = (line.start, line.end);
            let mut pos = line.content() + 1;
            while pos < end && self.text[pos] == b' ' {
                pos += 1;
            }
            let item = if pos == end {
                // `- ` with trailing spaces: the event parser's mark of the null moves on.
                if pos != line.content() + 1 {
                    return None;
                }
                self.at += 1;
                self.nested(col, self.base + line_start + col + 1, false)?
            } else if self.is_entry(pos, end) {
                return None;
            } else if key_end(self.text, pos, end).is_some() {
                self.map(pos - line_start)?
            } else {
                let node = self.inline(pos, end)?;
                self.at += 1;
                self.no_continuation(col)?;
                node
            };
            items.push(item);
        }
        // The event parser starts an indentless sequence at its first item's text (when that
        // is a one-line scalar; other first items are left to it).
        let start = match items.first() {
            Some(first) if indentless && matches!(first.kind, NodeKind::Null | NodeKind::Map(_) | NodeKind::Seq(_)) => {
                return None;
            }
            Some(first) if indentless => first.span.start,
            _ => start,
        };
        let close = self.next_token();
        self.depth -= 1;
        let end = close.max(items.last().map_or(start, |n| n.span.end));
        Some(Node { kind: NodeKind::Seq(items), span: start..end })
    }

    /// A block mapping whose keys sit at column `col`; the first key may follow `- ` on the
    /// current line.
    fn map(&mut self, col: usize) -> Option<Node> {
        self.enter()?;
        let first = self.line()?;
        let start = self.base + first.start + col;
        let mut entries: Vec<(Key, Node)> = Vec::new();
        let mut pos = first.start + col;
        loop {
            let end = self.line()?.end;
            let colon = key_end(self.text, pos, end)?;
            let name = key_name(self.src.get(pos..colon)?)?;
            if entries.len() >= MAX_KEYS || entries.iter().any(|(k, _)| k.name == name) {
                return None;
            }
            let key = Key { name, span: self.base + pos..self.base + colon };
            let mut value_at = colon + 1;
            while value_at < end && self.text[value_at] == b' ' {
                value_at += 1;
            }
            let value = if value_at == end {
                self.at += 1;
                self.nested(col, self.base + colon, true)?
            } else {
                let node = self.inline(value_at, end)?;
                self.at += 1;
                self.no_continuation(col)?;
                node
            };
            entries.push((key, value));
            match self.line() {
                Some(next) if next.indent == col && !self.is_entry(next.content(), next.end) => pos = next.content(),
                Some(next) if next.indent >= col => return None,
                _ => break,
            }
        }
        let close = self.next_token();
        self.depth -= 1;
        let end = close.max(entries.last().map_or(start, |(_, v)| v.span.end));
        Some(Node { kind: NodeKind::Map(entries), span: start..end })
    }

    /// The value of a key or item with nothing after it on its line (`at` is the mark the
    /// event parser gives an absent value): a block below it, or null.
    fn nested(&mut self, col: usize, at: usize, in_map: bool) -> Option<Node> {
        match self.line() {
            Some(next) if next.indent > col => self.block(next.indent),
            Some(next) if in_map && next.indent == col && self.is_entry(next.content(), next.end) => {
                self.seq(col, true)
            }
            _ => Some(Node { kind: NodeKind::Null, span: at..at }),
        }
    }

    /// After a one-line value, a deeper line would continue it (or be an error).
    fn no_continuation(&self, col: usize) -> Option<()> {
        match self.line() {
            Some(next) if next.indent > col => None,
            _ => Some(()),
        }
    }

    /// A one-line value from `pos` to the line's `end`.
    fn inline(&self, pos: usize, end: usize) -> Option<Node> {
        let end = trim_end(self.text, pos, end);
        let at = |a: usize, b: usize| self.base + a..self.base + b;
        match self.text[pos] {
            b'\'' => {
                let (value, close) = single_quoted(self.src, pos, end)?;
                Some(Node { kind: NodeKind::Str(value, ScalarStyle::SingleQuoted), span: at(pos, close) })
            }
            b'"' => {
                let (value, close) = double_quoted(self.src, pos, end)?;
                Some(Node { kind: NodeKind::Str(value, ScalarStyle::DoubleQuoted), span: at(pos, close) })
            }
            b'[' => self.flow_seq(pos, end),
            b'{' if &self.text[pos..end] == b"{}" => Some(Node { kind: NodeKind::Map(Vec::new()), span: at(pos, end) }),
            _ => {
                let text = block_plain(self.src, pos, end)?;
                Some(Node { kind: plain_kind(text), span: at(pos, end) })
            }
        }
    }

    /// `[]` or `[a, b]` with plain items, on one line.
    fn flow_seq(&self, pos: usize, end: usize) -> Option<Node> {
        if self.text[end - 1] != b']' {
            return None;
        }
        let span = self.base + pos..self.base + end;
        let inner = (pos + 1, end - 1);
        let mut items = Vec::new();
        if self.text[inner.0..inner.1].iter().any(|&b| b != b' ') {
            let mut item_start = inner.0;
            for piece in self.text[inner.0..inner.1].split(|&b| b == b',') {
                let a = item_start + piece.iter().take_while(|&&b| b == b' ').count();
                let b = trim_end(self.text, a, item_start + piece.len());
                let text = flow_plain(self.src, a, b)?;
                items.push(Node { kind: plain_kind(text), span: self.base + a..self.base + b });
                item_start += piece.len() + 1;
            }
        }
        Some(Node { kind: NodeKind::Seq(items), span })
    }
}

/// The end of a mapping key starting at `pos` (the position of its `:`), when the line from
/// `pos` is `key:` or `key: …` with a simple key.
fn key_end(text: &[u8], pos: usize, end: usize) -> Option<usize> {
    let colon = pos + text[pos..end].iter().position(|&b| b == b':')?;
    let ends = colon + 1 == end || text[colon + 1] == b' ';
    (ends && colon > pos).then_some(colon)
}

/// The name of a key written with letters, digits, `_`, `-` and `.` (resolved as the event
/// parser path resolves it: `1.0` is the float 1, `null` is empty); `None` for other keys.
fn key_name(text: &str) -> Option<String> {
    let raw = text.as_bytes();
    let simple = raw.iter().all(|&b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'));
    if !simple || matches!(raw[0], b'-' | b'.') {
        return None;
    }
    let kind = plain_kind(text);
    key_text(&Node { kind, span: 0..0 }).ok()
}

fn plain_kind(text: &str) -> NodeKind {
    resolve_plain(text).unwrap_or_else(|| NodeKind::Str(text.to_owned(), ScalarStyle::Plain))
}

fn trim_end(text: &[u8], pos: usize, mut end: usize) -> usize {
    while end > pos && text[end - 1] == b' ' {
        end -= 1;
    }
    end
}

/// A plain scalar in block context, `pos..end` trimmed; `None` where the first character is
/// an indicator or the text holds `: ` or ends with `:`.
fn block_plain(src: &str, pos: usize, end: usize) -> Option<&str> {
    let text = src.get(pos..end)?;
    let s = text.as_bytes();
    let first = s[0];
    if matches!(first, b'&' | b'*' | b'!' | b'|' | b'>' | b'%' | b'@' | b'`' | b'#' | b',' | b']' | b'}' | b'[' | b'{')
        || (matches!(first, b'-' | b'?' | b':') && (s.len() == 1 || s[1] == b' '))
        || text.contains(": ")
        || s.ends_with(b":")
    {
        return None;
    }
    Some(text)
}

/// A plain item of a flow sequence: words of letters, digits and `._/+-` (`CWE-79`), starting
/// and ending with a letter or digit, with single spaces between words.
fn flow_plain(src: &str, pos: usize, end: usize) -> Option<&str> {
    let text = src.get(pos..end).filter(|s| !s.is_empty())?;
    let s = text.as_bytes();
    let word = |b: &u8| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'/' | b'+' | b'-');
    let ok = s.iter().all(|b| word(b) || *b == b' ')
        && s[0].is_ascii_alphanumeric()
        && s[s.len() - 1].is_ascii_alphanumeric()
        && !text.contains("  ")
        && !text.contains(" -")
        && !text.contains("- ");
    ok.then_some(text)
}

/// A single-quoted scalar that ends the line: its value and the end of its closing quote.
fn single_quoted(src: &str, pos: usize, end: usize) -> Option<(String, usize)> {
    let text = src.as_bytes();
    let mut out = String::new();
    let (mut i, mut from) = (pos + 1, pos + 1);
    while i < end {
        if text[i] != b'\'' {
            i += 1;
        } else if i + 1 < end && text[i + 1] == b'\'' {
            out.push_str(src.get(from..=i)?);
            i += 2;
            from = i;
        } else {
            out.push_str(src.get(from..i)?);
            return (i + 1 == end).then_some((out, i + 1));
        }
    }
    None
}

/// A double-quoted scalar that ends the line, with the escapes `\\ \" \/ \n \t` only.
fn double_quoted(src: &str, pos: usize, end: usize) -> Option<(String, usize)> {
    let text = src.as_bytes();
    let mut out = String::new();
    let (mut i, mut from) = (pos + 1, pos + 1);
    while i < end {
        match text[i] {
            b'\\' => {
                let c = match *text.get(i + 1).filter(|_| i + 1 < end)? {
                    b'\\' => '\\',
                    b'"' => '"',
                    b'/' => '/',
                    b'n' => '\n',
                    b't' => '\t',
                    _ => return None,
                };
                out.push_str(src.get(from..i)?);
                out.push(c);
                i += 2;
                from = i;
            }
            b'"' => {
                out.push_str(src.get(from..i)?);
                return (i + 1 == end).then_some((out, i + 1));
            }
            _ => i += 1,
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use proptest::prelude::*;

    use super::super::parse_events;
    use super::parse;

    /// Runs both readers; when the fast one answers, the trees must be the same (compared as
    /// debug text, so a NaN equals itself). True when the fast one answered.
    pub(crate) fn agree(text: &str, base: usize) -> bool {
        let Some(fast) = parse(text, base) else { return false };
        match parse_events(text, base, 0) {
            Ok(slow) => assert_eq!(format!("{fast:?}"), format!("{slow:?}"), "trees differ for {text:?}"),
            Err(e) => panic!("the fast reader accepted what the event parser refuses ({e:?}): {text:?}"),
        }
        true
    }

    /// Every front matter and YAML file under `dir`.
    fn yaml_texts(dir: &Path, out: &mut Vec<String>) {
        let Ok(entries) = std::fs::read_dir(dir) else { return };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                yaml_texts(&path, out);
                continue;
            }
            let Ok(text) = std::fs::read_to_string(&path) else { continue };
            match path.extension().and_then(|e| e.to_str()) {
                Some("yaml" | "yml") => out.push(text),
                Some("md") => {
                    if let Ok(parts) = crate::format::report::Parts::split(&text) {
                        out.push(parts.front_matter.to_owned());
                    }
                    out.extend(fenced_yaml(&text));
                }
                _ => {}
            }
        }
    }

    /// The ```yaml blocks of a Markdown file (the docs' examples).
    fn fenced_yaml(text: &str) -> Vec<String> {
        let mut blocks = Vec::new();
        let mut current: Option<String> = None;
        for line in text.lines() {
            match current.as_mut() {
                None if line.trim_start().starts_with("```yaml") => current = Some(String::new()),
                Some(_) if line.trim_start().starts_with("```") => blocks.extend(current.take()),
                Some(block) => {
                    block.push_str(line);
                    block.push('\n');
                }
                None => {}
            }
        }
        blocks
    }

    #[test]
    fn fixtures_and_docs_read_the_same_both_ways() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut texts = Vec::new();
        for dir in ["tests/fixtures", "docs", "examples", "templates"] {
            yaml_texts(&root.join(dir), &mut texts);
        }
        assert!(texts.len() > 50, "found {} texts", texts.len());
        let answered = texts.iter().filter(|t| agree(t, 7)).count();
        assert!(answered > texts.len() / 4, "the fast reader answered {answered} of {}", texts.len());
    }

    #[test]
    fn shapes_of_the_subset_read_the_same_both_ways() {
        for text in [
            "a: 1\n",
            "a: 1",
            "a:\n",
            "a:\nb: 2\n",
            "a:\n  b: x\n  c: 'y'\nd: \"z\"\n",
            "a:\n- x\n- y\nb: 1\n",
            "a:\n  - x\n  -\n  - name: n\n    v: 2\n  - k:\n    l: 3\nz: q\n",
            "a: []\nb: {}\nc: [x]\nd: [CWE-79, CWE-80 ,  y z ]\n",
            "a: 'it''s'\nb: \"q\\\"\\\\\\n\\t\\/\"\nc: ''\nd: \"\"\n",
            "a: plain text  \nb: 1.5\nc: 0x1F\nd: ~\ne: true\nf: .nan\n12: x\n1.0: y\nnull: z\n",
            "a: héllo wörld\nb: 'ü'\nc: [e]\nd: \"ö\"\n",
            "\n\na: 1\n\n\nb:\n\n  - x\n\n",
            "- a\n- b: 1\n  c: 2\n-\n",
            "  a: 1\n  b: 2\n",
            "a: < 1.2\nb: => 1\nc: -1\nd: -x\ne: :x\nf: ?x\ng: x:y\nh: http://a/b#c\n",
            "a:\n    b:\n        - 1\n        - 2\n    c: 3\n",
        ] {
            assert!(agree(text, 0) && agree(text, 11), "not answered: {text:?}");
        }
    }

    #[test]
    fn outside_the_subset_is_left_to_the_event_parser() {
        for text in [
            "a: 1 # c\n",
            "# c\na: 1\n",
            "a: &x 1\n",
            "a: *x\n",
            "a: !!str 1\n",
            "a: |\n  x\n",
            "a: >\n  x\n",
            "a: x\n  y\n",
            "a: 'x\n  y'\n",
            "a:\tb\n",
            "a: [[1]]\n",
            "a: {b: 1}\n",
            "a: 1\na: 2\n",
            "a: \"\\u00e9\"\n",
            "? a\n: b\n",
            "'a': 1\n",
            "a: - b\n",
            "a: b: c\n",
            "---\na: 1\n",
            "a: 1\r\n",
        ] {
            assert!(parse(text, 0).is_none(), "{text:?}");
        }
    }

    /// A scalar from the subset or near it.
    fn scalar() -> impl Strategy<Value = String> {
        prop_oneof![
            "[a-zA-Z0-9 ._/<>=:-]{1,12}",
            "'[a-z' #:]{0,8}'",
            "\"[a-z\\\\\"' #:ntu]{0,8}\"",
            "\\[[a-zA-Z0-9, -]{0,12}\\]",
            Just("{}".to_owned()),
            "[-?:!&*|>@%#~0-9.+eE]{1,4}",
            "\\PC{1,6}",
        ]
    }

    /// A tree of mappings, sequences and scalars.
    #[derive(Debug, Clone)]
    enum Tree {
        Scalar(String),
        Map(Vec<(String, Tree)>),
        Seq(Vec<Tree>),
    }

    fn tree() -> impl Strategy<Value = Tree> {
        let leaf = proptest::option::weighted(0.9, scalar()).prop_map(|s| Tree::Scalar(s.unwrap_or_default()));
        leaf.prop_recursive(4, 40, 5, |inner| {
            let key = prop_oneof![8 => "[a-z_]{1,8}", 1 => "[0-9]{1,2}", 1 => "[a-z0-9.:' -]{1,5}"];
            prop_oneof![
                proptest::collection::vec((key, inner.clone()), 1..5).prop_map(Tree::Map),
                proptest::collection::vec(inner, 1..4).prop_map(Tree::Seq),
            ]
        })
    }

    /// How a tree is written out: indentation step, indentless sequences under keys, blank
    /// lines and trailing spaces.
    #[derive(Debug, Clone, Copy)]
    struct Style {
        step: usize,
        indentless: bool,
        blank: bool,
        trailing: bool,
    }

    fn write(tree: &Tree, indent: usize, style: Style, out: &mut String) {
        let pad = |out: &mut String, n: usize| out.push_str(&" ".repeat(n));
        match tree {
            Tree::Scalar(s) => {
                out.push(' ');
                out.push_str(s);
                out.push_str(if style.trailing { "  \n" } else { "\n" });
            }
            Tree::Map(entries) => {
                for (key, value) in entries {
                    pad(out, indent);
                    out.push_str(key);
                    out.push(':');
                    child(value, indent, style, true, out);
                }
            }
            Tree::Seq(items) => {
                for item in items {
                    pad(out, indent);
                    out.push('-');
                    child(item, indent, style, false, out);
                }
            }
        }
        if style.blank {
            out.push('\n');
        }
    }

    fn child(value: &Tree, indent: usize, style: Style, in_map: bool, out: &mut String) {
        match value {
            Tree::Scalar(s) if s.is_empty() => out.push('\n'),
            Tree::Scalar(_) => write(value, indent, style, out),
            Tree::Seq(_) if in_map && style.indentless => {
                out.push('\n');
                write(value, indent, style, out);
            }
            _ => {
                out.push('\n');
                write(value, indent + style.step, style, out);
            }
        }
    }

    /// YAML text written from a random tree, sometimes with one character changed so that it
    /// is near the subset rather than in it.
    fn document() -> impl Strategy<Value = String> {
        let style = (1usize..5, proptest::bool::ANY, proptest::bool::weighted(0.1), proptest::bool::weighted(0.1))
            .prop_map(|(step, indentless, blank, trailing)| Style { step, indentless, blank, trailing });
        let mutation = proptest::option::weighted(0.3, (proptest::num::usize::ANY, "[ \n:#'\"\\-\\[\\]{},&*!|>\t]"));
        (tree(), style, mutation).prop_map(|(tree, style, mutation)| {
            let mut out = String::new();
            write(&Tree::Map(vec![("root".into(), tree)]), 0, style, &mut out);
            if let Some((at, c)) = mutation {
                let mut at = at % (out.len() + 1);
                while !out.is_char_boundary(at) {
                    at -= 1;
                }
                out.insert_str(at, &c);
            }
            out
        })
    }

    /// The property below only proves something where the fast reader answers: it must answer
    /// for a good share of the generated documents (a fixed sample, so the figure is stable).
    #[test]
    fn the_generated_documents_are_often_in_the_subset() {
        use proptest::strategy::ValueTree;
        let mut runner = proptest::test_runner::TestRunner::deterministic();
        let strategy = document();
        let texts: Vec<String> = (0..1000).map(|_| strategy.new_tree(&mut runner).expect("sample").current()).collect();
        let answered = texts.iter().filter(|t| agree(t, 0)).count();
        assert!((150..1000).contains(&answered), "answered {answered} of 1000");
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 2000, failure_persistence: None, ..ProptestConfig::default() })]
        #[test]
        fn generated_yaml_reads_the_same_both_ways(text in document(), base in 0usize..40) {
            agree(&text, base);
        }

        #[test]
        fn generated_scalars_read_the_same_both_ways(v in scalar(), dash in proptest::bool::ANY) {
            let text = if dash { format!("a:\n  - {v}\n  - x\n") } else { format!("a: {v}\nb: x\n") };
            agree(&text, 3);
        }
    }
}
