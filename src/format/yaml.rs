//! A YAML tree that remembers where every node came from.
//!
//! Reports and the configuration are YAML, and every problem found in them must point at the
//! exact line. `serde_yaml` gives values but no positions, so front matter is parsed once with
//! the event parser of `saphyr-parser` into a [`Node`] tree whose spans are byte offsets into
//! the whole file. The block subset real reports are written in is read by a faster reader
//! (`fast`, about 40 % of `list` at 100,000 reports was the event parser) into the very same
//! tree; anything outside it goes through the event parser. From that tree come the JSON value (for the JSON Schema and for serde into
//! the typed model) and the [`SpanMap`] from key paths such as `products[1].fixed` to spans.
//!
//! Scalars resolve with the YAML 1.2 core schema (so `2026-01-05` stays a string and `yes` is
//! not a boolean). Anchors/aliases and tags other than `!!str` are refused: a report never
//! needs them, and refusing aliases makes "billion laughs" inputs harmless.

mod fast;

use std::collections::HashMap;
use std::ops::Range;

use saphyr_parser::{Event, Parser, ScalarStyle, Span as MarkSpan};
use serde_json::{Map, Number, Value};

use crate::format::code::Code;

/// A byte range in the file the YAML came from.
pub type Span = Range<usize>;

/// Deepest nesting accepted; real reports nest three levels.
const MAX_DEPTH: usize = 64;

/// One YAML node with the byte span of its text.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub kind: NodeKind,
    pub span: Span,
}

/// What a node holds.
#[derive(Debug, Clone, PartialEq)]
pub enum NodeKind {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    /// A string, with the style it was written in (plain, quoted, block).
    Str(String, ScalarStyle),
    Seq(Vec<Node>),
    Map(Vec<(Key, Node)>),
}

/// A mapping key and the span of the key text.
#[derive(Debug, Clone, PartialEq)]
pub struct Key {
    pub name: String,
    pub span: Span,
}

/// Why a YAML text could not be turned into a tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YamlError {
    /// [`Code::YamlSyntax`], [`Code::YamlDuplicateKey`], [`Code::YamlUnsupported`] or [`Code::YamlTooDeep`].
    pub code: Code,
    pub message: String,
    pub span: Span,
    pub help: Option<String>,
}

/// Where a key path's key and value are in the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldSpan {
    /// The key's text (`None` for sequence items and the root).
    pub key: Option<Span>,
    /// The value's text.
    pub value: Span,
}

/// Key path (`products[1].fixed`) → span, for every node of a document.
#[derive(Debug, Clone, Default)]
pub struct SpanMap {
    spans: HashMap<String, FieldSpan>,
}

impl SpanMap {
    /// Builds the map for every node under `root` (the root itself has path `""`).
    pub fn from_tree(root: &Node) -> Self {
        let mut map = SpanMap::default();
        map.insert_node(String::new(), None, root);
        map
    }

    fn insert_node(&mut self, path: String, key: Option<Span>, node: &Node) {
        match &node.kind {
            NodeKind::Seq(items) => {
                for (i, item) in items.iter().enumerate() {
                    self.insert_node(format!("{path}[{i}]"), None, item);
                }
            }
            NodeKind::Map(entries) => {
                for (k, v) in entries {
                    let child = if path.is_empty() { k.name.clone() } else { format!("{path}.{}", k.name) };
                    self.insert_node(child, Some(k.span.clone()), v);
                }
            }
            _ => {}
        }
        self.spans.insert(path, FieldSpan { key, value: node.span.clone() });
    }

    /// The span of exactly this path.
    pub fn get(&self, path: &str) -> Option<&FieldSpan> {
        self.spans.get(path)
    }

    /// The span of this path or, if it does not exist, of its nearest existing ancestor.
    pub fn nearest(&self, path: &str) -> Option<(&str, &FieldSpan)> {
        let mut p = path;
        loop {
            if let Some((k, v)) = self.spans.get_key_value(p) {
                return Some((k.as_str(), v));
            }
            if p.is_empty() {
                return None;
            }
            p = parent_path(p);
        }
    }

    /// Number of paths recorded.
    pub fn len(&self) -> usize {
        self.spans.len()
    }

    /// True when nothing was recorded.
    pub fn is_empty(&self) -> bool {
        self.spans.is_empty()
    }
}

/// `products[1].fixed` → `products[1]` → `products` → ``.
pub fn parent_path(path: &str) -> &str {
    match path.rfind(['.', '[']) {
        Some(i) => &path[..i],
        None => "",
    }
}

/// Converts a JSON pointer (`/products/1/fixed`) to a key path (`products[1].fixed`).
pub fn pointer_to_path(pointer: &str) -> String {
    let mut out = String::new();
    for raw in pointer.split('/').skip(1) {
        let seg = raw.replace("~1", "/").replace("~0", "~");
        if !seg.is_empty() && seg.bytes().all(|b| b.is_ascii_digit()) && !out.is_empty() {
            out.push('[');
            out.push_str(&seg);
            out.push(']');
        } else {
            if !out.is_empty() {
                out.push('.');
            }
            out.push_str(&seg);
        }
    }
    out
}

impl Node {
    /// The JSON value of this node (keys in file order).
    pub fn to_json(&self) -> Value {
        self.json(false)
    }

    /// Like [`to_json`](Self::to_json), leaving out every mapping entry whose value is null
    /// (`assignee:` with nothing after it counts as absent).
    pub fn to_json_without_nulls(&self) -> Value {
        self.json(true)
    }

    fn json(&self, skip_nulls: bool) -> Value {
        match &self.kind {
            NodeKind::Null => Value::Null,
            NodeKind::Bool(b) => Value::Bool(*b),
            NodeKind::Int(i) => Value::Number((*i).into()),
            NodeKind::Float(f) => Number::from_f64(*f).map_or_else(|| Value::String(f.to_string()), Value::Number),
            NodeKind::Str(s, _) => Value::String(s.clone()),
            NodeKind::Seq(items) => Value::Array(items.iter().map(|i| i.json(skip_nulls)).collect()),
            NodeKind::Map(entries) => {
                let mut map = Map::with_capacity(entries.len());
                for (k, v) in entries {
                    if !(skip_nulls && matches!(v.kind, NodeKind::Null)) {
                        map.insert(k.name.clone(), v.json(skip_nulls));
                    }
                }
                Value::Object(map)
            }
        }
    }

    /// The value under `key` when this node is a mapping.
    pub fn get(&self, key: &str) -> Option<&Node> {
        match &self.kind {
            NodeKind::Map(entries) => entries.iter().find(|(k, _)| k.name == key).map(|(_, v)| v),
            _ => None,
        }
    }
}

/// Parses one YAML document. `base` is the byte offset of `text` in its file, so spans are
/// file offsets. An empty document is `Null`.
pub fn parse(text: &str, base: usize) -> Result<Node, YamlError> {
    parse_at(text, base, 0)
}

/// Like [`parse`], for text that starts on line `lines_before + 1` of its file (messages name
/// file lines).
pub fn parse_at(text: &str, base: usize, lines_before: usize) -> Result<Node, YamlError> {
    match fast::parse(text, base) {
        Some(tree) => Ok(tree),
        None => parse_events(text, base, lines_before),
    }
}

/// The fast reader alone: the tree [`parse_at`] gives, or `None` when `text` is outside the
/// subset it handles. Public so that tests and benchmarks can compare the two readers.
pub fn parse_subset(text: &str, base: usize) -> Option<Node> {
    fast::parse(text, base)
}

/// [`parse_at`] through the general event parser alone, for any YAML (the fast reader answers
/// only for the subset real front matter uses, with the same tree).
pub fn parse_events(text: &str, base: usize, lines_before: usize) -> Result<Node, YamlError> {
    let offsets = ByteOffsets::new(text, base);
    let mut builder = Builder { text, lines_before, offsets: &offsets, stack: Vec::new(), root: None, documents: 0 };
    let mut parser = Parser::new_from_str(text);
    while let Some(next) = parser.next_event() {
        match next {
            Ok((event, span)) => builder.on_event(event, span)?,
            Err(e) => {
                let at = offsets.byte(e.marker().index());
                return Err(YamlError {
                    code: Code::YamlSyntax,
                    message: format!("YAML syntax error: {}", e.info()),
                    span: at..at,
                    help: Some(
                        "check indentation, and quote values that contain `: ` or start with a special character"
                            .into(),
                    ),
                });
            }
        }
    }
    Ok(builder.root.unwrap_or(Node { kind: NodeKind::Null, span: base..base }))
}

/// Maps the parser's character indices to byte offsets in the file.
struct ByteOffsets {
    base: usize,
    /// Byte offset of each char, only built when the text is not ASCII.
    table: Option<Vec<usize>>,
    len: usize,
}

impl ByteOffsets {
    fn new(text: &str, base: usize) -> Self {
        let table = (!text.is_ascii()).then(|| text.char_indices().map(|(i, _)| i).collect());
        ByteOffsets { base, table, len: text.len() }
    }

    fn byte(&self, char_index: usize) -> usize {
        let local = match &self.table {
            None => char_index.min(self.len),
            Some(t) => t.get(char_index).copied().unwrap_or(self.len),
        };
        self.base + local
    }
}

/// Mappings longer than this index their keys, so that a hostile file with 50,000 keys does
/// not make duplicate detection quadratic; shorter ones (every real report) scan.
const INDEX_KEYS_FROM: usize = 32;

/// The position in `entries` of key `name`, through `index` once the mapping is long.
fn find_key(entries: &[(Key, Node)], index: &mut Option<HashMap<String, usize>>, name: &str) -> Option<usize> {
    if entries.len() < INDEX_KEYS_FROM {
        return entries.iter().position(|(k, _)| k.name == name);
    }
    let index =
        index.get_or_insert_with(|| entries.iter().enumerate().map(|(i, (k, _))| (k.name.clone(), i)).rev().collect());
    index.get(name).copied()
}

enum Open {
    Seq { start: usize, items: Vec<Node> },
    Map { start: usize, entries: Vec<(Key, Node)>, pending_key: Option<Key>, index: Option<HashMap<String, usize>> },
}

struct Builder<'a> {
    text: &'a str,
    lines_before: usize,
    offsets: &'a ByteOffsets,
    stack: Vec<Open>,
    root: Option<Node>,
    documents: usize,
}

impl Builder<'_> {
    fn span(&self, s: &MarkSpan) -> Span {
        self.offsets.byte(s.start.index())..self.offsets.byte(s.end.index())
    }

    fn on_event(&mut self, event: Event<'_>, mark: MarkSpan) -> Result<(), YamlError> {
        let span = self.span(&mark);
        match event {
            Event::DocumentStart(_) => {
                self.documents += 1;
                if self.documents > 1 {
                    return Err(unsupported(
                        span,
                        "a second YAML document in the front matter",
                        "keep one YAML document between the `---` fences",
                    ));
                }
            }
            Event::Alias(_) => {
                return Err(unsupported(
                    span,
                    "YAML aliases (`*name`)",
                    "write the value out in full instead of referring to an anchor",
                ));
            }
            Event::Scalar(text, style, anchor, tag) => {
                refuse_anchor(anchor, &span)?;
                let span = self.scalar_span(span, style);
                // An absent value (`key:`, `? key` alone) has no text; the parser's span of it
                // can cover the next token (`? ` of the following key), so make it empty.
                let span = if text.is_empty() && style == ScalarStyle::Plain { span.start..span.start } else { span };
                let kind = resolve_scalar(&text, style, tag.as_deref(), &span)?;
                self.push(Node { kind, span })?;
            }
            Event::SequenceStart(anchor, tag) => {
                refuse_anchor(anchor, &span)?;
                refuse_tag(tag.as_deref(), &span)?;
                self.open(Open::Seq { start: span.start, items: Vec::new() }, &span)?;
            }
            Event::MappingStart(anchor, tag) => {
                refuse_anchor(anchor, &span)?;
                refuse_tag(tag.as_deref(), &span)?;
                self.open(Open::Map { start: span.start, entries: Vec::new(), pending_key: None, index: None }, &span)?;
            }
            Event::SequenceEnd | Event::MappingEnd => {
                // A flow collection ends at its `]`/`}`; the parser's span runs on over
                // trailing spaces and comments. Block collections end at their last child.
                let local = span.start - self.offsets.base;
                let flow_end = matches!(self.text.as_bytes().get(local), Some(b']' | b'}'));
                self.close(if flow_end { span.start + 1 } else { span.start })?;
            }
            Event::Nothing | Event::StreamStart | Event::StreamEnd | Event::DocumentEnd => {}
        }
        Ok(())
    }

    fn open(&mut self, open: Open, span: &Span) -> Result<(), YamlError> {
        if self.stack.len() >= MAX_DEPTH {
            return Err(YamlError {
                code: Code::YamlTooDeep,
                message: format!("YAML nesting deeper than {MAX_DEPTH} levels"),
                span: span.clone(),
                help: Some("a report nests a few levels at most; flatten this structure".into()),
            });
        }
        if let Some(Open::Map { pending_key: None, .. }) = self.stack.last() {
            return Err(unsupported(span.clone(), "a mapping key that is a list or mapping", "use a plain text key"));
        }
        self.stack.push(open);
        Ok(())
    }

    /// The parser's span of a quoted scalar runs on over trailing spaces and comments; cut it
    /// at the closing quote.
    fn scalar_span(&self, span: Span, style: ScalarStyle) -> Span {
        let local = span.start.saturating_sub(self.offsets.base);
        let Some(rest) = self.text.get(local..) else { return span };
        let close = match style {
            ScalarStyle::SingleQuoted => {
                let mut i = 1;
                loop {
                    match rest[i.min(rest.len())..].find('\'') {
                        Some(j) if rest.as_bytes().get(i + j + 1) == Some(&b'\'') => i += j + 2,
                        Some(j) => break Some(i + j + 1),
                        None => break None,
                    }
                }
            }
            ScalarStyle::DoubleQuoted => {
                let mut escaped = false;
                rest.char_indices().skip(1).find_map(|(i, c)| match (c, escaped) {
                    (_, true) => {
                        escaped = false;
                        None
                    }
                    ('\\', false) => {
                        escaped = true;
                        None
                    }
                    ('"', false) => Some(i + 1),
                    _ => None,
                })
            }
            _ => None,
        };
        match close {
            Some(end) if span.start + end <= span.end => span.start..span.start + end,
            _ => span,
        }
    }

    fn close(&mut self, end: usize) -> Result<(), YamlError> {
        let node = match self.stack.pop() {
            Some(Open::Seq { start, items }) => {
                Node { span: start..end.max(last_end(&items, start)), kind: NodeKind::Seq(items) }
            }
            Some(Open::Map { start, entries, .. }) => {
                let last = entries.last().map_or(start, |(_, v)| v.span.end);
                Node { span: start..end.max(last), kind: NodeKind::Map(entries) }
            }
            None => return Ok(()),
        };
        self.push(node)
    }

    /// Attaches a finished node to its parent (or makes it the root).
    fn push(&mut self, node: Node) -> Result<(), YamlError> {
        match self.stack.last_mut() {
            None => self.root = Some(node),
            Some(Open::Seq { items, .. }) => items.push(node),
            Some(Open::Map { entries, pending_key, index, .. }) => match pending_key.take() {
                Some(key) => {
                    if let Some(index) = index {
                        index.insert(key.name.clone(), entries.len());
                    }
                    entries.push((key, node));
                }
                None => {
                    let name = key_text(&node)?;
                    if let Some((first, _)) = find_key(entries, index, &name).map(|i| &entries[i]) {
                        let local = first.span.start.saturating_sub(self.offsets.base);
                        let first_line = crate::format::finding::LineCol::of(self.text, local).line + self.lines_before;
                        return Err(YamlError {
                            code: Code::YamlDuplicateKey,
                            message: format!("duplicate key `{name}`"),
                            span: node.span,
                            help: Some(format!("`{name}` is already set on line {first_line}; keep one of them")),
                        });
                    }
                    *pending_key = Some(Key { name, span: node.span });
                }
            },
        }
        Ok(())
    }
}

fn last_end(items: &[Node], start: usize) -> usize {
    items.last().map_or(start, |n| n.span.end)
}

fn key_text(node: &Node) -> Result<String, YamlError> {
    match &node.kind {
        NodeKind::Str(s, _) => Ok(s.clone()),
        NodeKind::Int(i) => Ok(i.to_string()),
        NodeKind::Bool(b) => Ok(b.to_string()),
        NodeKind::Float(f) => Ok(f.to_string()),
        NodeKind::Null => Ok(String::new()),
        NodeKind::Seq(_) | NodeKind::Map(_) => {
            Err(unsupported(node.span.clone(), "a mapping key that is a list or mapping", "use a plain text key"))
        }
    }
}

fn unsupported(span: Span, what: &str, help: &str) -> YamlError {
    YamlError {
        code: Code::YamlUnsupported,
        message: format!("{what}: not supported in this file"),
        span,
        help: Some(help.into()),
    }
}

fn refuse_anchor(anchor: usize, span: &Span) -> Result<(), YamlError> {
    if anchor == 0 {
        return Ok(());
    }
    Err(unsupported(
        span.clone(),
        "YAML anchors (`&name`)",
        "write each value out in full; anchors and aliases are not used in reports",
    ))
}

fn refuse_tag(tag: Option<&saphyr_parser::Tag>, span: &Span) -> Result<(), YamlError> {
    match tag {
        None => Ok(()),
        Some(t) => {
            Err(unsupported(span.clone(), &format!("the YAML tag `{}{}`", t.handle, t.suffix), "remove the tag"))
        }
    }
}

fn resolve_scalar(
    text: &str,
    style: ScalarStyle,
    tag: Option<&saphyr_parser::Tag>,
    span: &Span,
) -> Result<NodeKind, YamlError> {
    if let Some(t) = tag {
        let is_str = t.suffix == "str" && (t.handle == "!!" || t.handle == "tag:yaml.org,2002:");
        if !is_str {
            return Err(unsupported(
                span.clone(),
                &format!("the YAML tag `{}{}`", t.handle, t.suffix),
                "remove the tag, or use `!!str` to force text",
            ));
        }
        return Ok(NodeKind::Str(text.to_owned(), style));
    }
    if style != ScalarStyle::Plain {
        return Ok(NodeKind::Str(text.to_owned(), style));
    }
    Ok(resolve_plain(text).unwrap_or_else(|| NodeKind::Str(text.to_owned(), style)))
}

/// YAML 1.2 core schema resolution of a plain scalar; `None` means "a string".
fn resolve_plain(text: &str) -> Option<NodeKind> {
    match text {
        "" | "~" | "null" | "Null" | "NULL" => return Some(NodeKind::Null),
        "true" | "True" | "TRUE" => return Some(NodeKind::Bool(true)),
        "false" | "False" | "FALSE" => return Some(NodeKind::Bool(false)),
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => {
            return Some(NodeKind::Float(f64::INFINITY));
        }
        "-.inf" | "-.Inf" | "-.INF" => return Some(NodeKind::Float(f64::NEG_INFINITY)),
        ".nan" | ".NaN" | ".NAN" => return Some(NodeKind::Float(f64::NAN)),
        _ => {}
    }
    let first = text.as_bytes()[0];
    if !(first.is_ascii_digit() || matches!(first, b'-' | b'+' | b'.')) {
        return None;
    }
    if let Some(hex) = text.strip_prefix("0x") {
        return i64::from_str_radix(hex, 16).ok().map(NodeKind::Int);
    }
    if let Some(oct) = text.strip_prefix("0o") {
        return i64::from_str_radix(oct, 8).ok().map(NodeKind::Int);
    }
    let digits = text.strip_prefix(['-', '+']).unwrap_or(text);
    if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
        // Too large for i64: still a number in YAML; keep it as a float like other parsers.
        return Some(
            text.parse::<i64>().map_or_else(|_| NodeKind::Float(text.parse().unwrap_or(f64::NAN)), NodeKind::Int),
        );
    }
    if is_core_float(digits) {
        return text.parse::<f64>().ok().map(NodeKind::Float);
    }
    None
}

/// `[0-9]+(\.[0-9]*)?([eE][-+]?[0-9]+)?` or `\.[0-9]+([eE][-+]?[0-9]+)?`.
fn is_core_float(s: &str) -> bool {
    let (mantissa, exponent) = match s.find(['e', 'E']) {
        Some(i) => (&s[..i], Some(&s[i + 1..])),
        None => (s, None),
    };
    let (int, frac) = match mantissa.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (mantissa, None),
    };
    let all_digits = |p: &str| p.bytes().all(|b| b.is_ascii_digit());
    let mantissa_ok = match frac {
        Some(f) => all_digits(int) && all_digits(f) && !(int.is_empty() && f.is_empty()),
        None => !int.is_empty() && all_digits(int),
    };
    let exponent_ok = exponent.is_none_or(|e| {
        let d = e.strip_prefix(['-', '+']).unwrap_or(e);
        !d.is_empty() && all_digits(d)
    });
    mantissa_ok && exponent_ok && (frac.is_some() || exponent.is_some())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree(text: &str) -> Node {
        parse(text, 0).expect("parses")
    }

    #[test]
    fn resolves_core_schema_scalars() {
        let n = tree("a: 2026-01-05\nb: yes\nc: 12\nd: 1.5\ne: ~\nf: true\ng: '12'\nh: 1.2.3\n");
        let v = n.to_json();
        assert_eq!(v["a"], "2026-01-05");
        assert_eq!(v["b"], "yes");
        assert_eq!(v["c"], 12);
        assert_eq!(v["d"], 1.5);
        assert!(v["e"].is_null());
        assert_eq!(v["f"], true);
        assert_eq!(v["g"], "12");
        assert_eq!(v["h"], "1.2.3");
    }

    #[test]
    fn spans_point_at_keys_and_values_in_bytes() {
        let text = "title: \"héllo\"\nproducts:\n  - name: a\n    fixed: '1.2'\n";
        let n = parse(text, 4).expect("parses");
        let map = SpanMap::from_tree(&n);
        let fixed = map.get("products[0].fixed").expect("path");
        assert_eq!(&text[fixed.value.start - 4..fixed.value.end - 4], "'1.2'");
        let key = fixed.key.clone().expect("key span");
        assert_eq!(&text[key.start - 4..key.end - 4], "fixed");
        let title = map.get("title").expect("title");
        assert_eq!(&text[title.value.start - 4..title.value.end - 4], "\"héllo\"");
    }

    #[test]
    fn spans_stop_before_trailing_comments() {
        let text = "a: 'it''s'  # c\nb: \"q\\\"x\"   # d\nc: []  # e\nd: plain  # f\ne: {k: v} # g\n";
        let map = SpanMap::from_tree(&parse(text, 0).expect("parses"));
        for (path, want) in [("a", "'it''s'"), ("b", "\"q\\\"x\""), ("c", "[]"), ("d", "plain"), ("e", "{k: v}")] {
            let s = map.get(path).expect("path").value.clone();
            assert_eq!(&text[s], want, "{path}");
        }
    }

    #[test]
    fn nearest_walks_up_to_an_existing_parent() {
        let n = tree("products:\n  - name: a\n");
        let map = SpanMap::from_tree(&n);
        assert_eq!(map.nearest("products[0].fixed").map(|(p, _)| p), Some("products[0]"));
        assert_eq!(map.nearest("nothing.here").map(|(p, _)| p), Some(""));
    }

    #[test]
    fn refuses_duplicate_keys_aliases_tags_and_depth() {
        assert_eq!(parse("a: 1\na: 2\n", 0).unwrap_err().code, "yaml-duplicate-key");
        assert_eq!(parse("a: &x 1\nb: *x\n", 0).unwrap_err().code, "yaml-unsupported");
        assert_eq!(parse("a: &x 1\n", 0).unwrap_err().code, "yaml-unsupported", "anchors too");
        let bomb =
            "a: &a [1,1,1,1,1,1,1,1,1]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n";
        assert_eq!(parse(bomb, 0).unwrap_err().code, "yaml-unsupported", "billion laughs refused at the first anchor");
        assert_eq!(parse("a: !!binary aGk=\n", 0).unwrap_err().code, "yaml-unsupported");
        assert_eq!(parse("a: !!str 12\n", 0).expect("str tag").to_json()["a"], "12");
        let deep = format!("a: {}{}\n", "[".repeat(100), "]".repeat(100));
        assert_eq!(parse(&deep, 0).unwrap_err().code, "yaml-too-deep");
    }

    #[test]
    fn absent_values_have_empty_spans() {
        // The parser's span of `c`'s missing value covered `? ` of the next key.
        let text = "? c\n? d\n: 1\ne:\n";
        let map = SpanMap::from_tree(&parse(text, 0).expect("parses"));
        for path in ["c", "e"] {
            assert!(map.get(path).expect("path").value.is_empty(), "{path}");
        }
        assert_eq!(&text[map.get("d").expect("d").value.clone()], "1");
    }

    #[test]
    fn syntax_errors_are_located() {
        let e = parse("a: 1\nb: [1, 2\n", 10).unwrap_err();
        assert_eq!(e.code, "yaml-syntax");
        assert!(e.span.start >= 10);
    }

    #[test]
    fn converts_json_pointers() {
        assert_eq!(pointer_to_path("/products/1/fixed"), "products[1].fixed");
        assert_eq!(pointer_to_path(""), "");
        assert_eq!(pointer_to_path("/a~1b"), "a/b");
    }

    #[test]
    fn duplicates_are_found_in_long_mappings_too() {
        let mut text: String = (0..100).map(|i| format!("k{i}: v\n")).collect();
        text.push_str("k5: again\n");
        let e = parse(&text, 0).unwrap_err();
        assert_eq!(e.code, "yaml-duplicate-key");
        assert_eq!(e.help.as_deref(), Some("`k5` is already set on line 6; keep one of them"));
        assert!(parse(&(0..100).map(|i| format!("k{i}: v\n")).collect::<String>(), 0).is_ok());
    }
}
