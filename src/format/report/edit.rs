//! Editing a report in place, changing only the bytes an edit means to change.
//!
//! Reserialising front matter through serde would lose comments, key order, quoting and
//! blank lines, so edits are splices into the original text at spans from the located YAML
//! tree: a scalar value is replaced, a timeline entry is appended after the last one with the
//! list's own indentation, a top-level field is inserted before `timeline:` (or replaced if
//! present) or removed with its lines. New lines use the file's line ending. Each edit
//! re-parses the text, so a sequence of edits always works on fresh spans.

use std::ops::Range;
use std::path::Path;

use crate::format::report::{Document, Rejected};
use crate::format::yaml::{Node, NodeKind};
use crate::format::yamlout::scalar;

/// Why an edit could not be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EditError {
    /// The field has a shape the editor does not rewrite (e.g. a multi-line block).
    #[error("cannot edit `{field}` in place: {why}")]
    Unsupported { field: String, why: &'static str },
    /// The edited text no longer parses (a bug, or an unusual layout).
    #[error("the edited report does not parse: {0}")]
    Reparse(String),
}

/// A report's text being edited.
pub struct Editor {
    doc: Document,
}

impl Editor {
    /// Starts editing a parsed document.
    pub fn new(doc: Document) -> Self {
        Editor { doc }
    }

    /// The current text.
    pub fn text(&self) -> &str {
        &self.doc.text
    }

    /// Finishes, returning the edited document.
    pub fn into_document(self) -> Document {
        self.doc
    }

    fn newline(&self) -> &'static str {
        self.doc.line_ending.as_str()
    }

    fn splice(&mut self, range: Range<usize>, with: &str) -> Result<(), EditError> {
        let mut text = String::with_capacity(self.doc.text.len() + with.len());
        text.push_str(&self.doc.text[..range.start]);
        text.push_str(with);
        text.push_str(&self.doc.text[range.end..]);
        self.doc = Document::parse(&self.doc.path.clone(), text)
            .map_err(|r: Box<Rejected>| EditError::Reparse(r.finding.message))?;
        Ok(())
    }

    fn top(&self, key: &str) -> Option<(Range<usize>, &Node)> {
        match &self.doc.yaml.tree.kind {
            NodeKind::Map(entries) => entries.iter().find(|(k, _)| k.name == key).map(|(k, v)| (k.span.clone(), v)),
            _ => None,
        }
    }

    /// Sets a top-level scalar field: replaces its value in place, or inserts `key: value`
    /// before `timeline:` (at the end of the front matter when there is no timeline).
    pub fn set_field(&mut self, key: &str, value: &str) -> Result<(), EditError> {
        let rendered = scalar(value);
        if let Some((_, node)) = self.top(key) {
            if !is_inline_scalar(node, &self.doc.text) {
                return Err(EditError::Unsupported { field: key.into(), why: "its value is not a one-line scalar" });
            }
            let span = node.span.clone();
            let span = if span.is_empty() { self.after_key_colon(key).map(|at| at..at) } else { Some(span) };
            let Some(span) = span else {
                return Err(EditError::Unsupported { field: key.into(), why: "its key has no `:`" });
            };
            let with = if node.span.is_empty() { format!(" {rendered}") } else { rendered };
            return self.splice(span, &with);
        }
        self.refuse_flow_root(key)?;
        let at = match self.top("timeline") {
            Some((key_span, _)) => line_start(&self.doc.text, key_span.start),
            None => self.doc.front_matter.end,
        };
        let line = format!("{key}: {rendered}{}", self.newline());
        self.splice(at..at, &line)
    }

    /// Lines are added and removed only in a block mapping: in a flow one (`{id: …, …}`) a
    /// key's line can start inside another value, or hold other keys.
    fn refuse_flow_root(&self, key: &str) -> Result<(), EditError> {
        if self.doc.text[self.doc.yaml.tree.span.start..].starts_with('{') {
            return Err(EditError::Unsupported {
                field: key.into(),
                why: "the front matter is written in flow style ({...}); write one key per line",
            });
        }
        Ok(())
    }

    /// For `key:` with an empty value, the position right after its colon: the last `:`
    /// between the key and the (empty) value, so never the colon of a later key (`? key`
    /// alone has none).
    fn after_key_colon(&self, key: &str) -> Option<usize> {
        let (k, node) = self.top(key)?;
        let text = &self.doc.text;
        let upto = node.span.start.max(k.end);
        text[k.end..]
            .char_indices()
            .take_while(|(i, _)| k.end + i <= upto)
            .filter(|(_, c)| *c == ':')
            .last()
            .map(|(i, _)| k.end + i + 1)
    }

    /// Sets a top-level field to a block mapping (`serde_yaml`'s output for a struct: one
    /// `key: value` per line): replaces the field's lines where it is, or inserts it before
    /// `timeline:` (at the end of the front matter when there is no timeline).
    pub fn set_mapping(&mut self, key: &str, mapping: &str) -> Result<(), EditError> {
        self.refuse_flow_root(key)?;
        let nl = self.newline().to_owned();
        let mut block = format!("{key}:{nl}");
        for line in mapping.lines().filter(|l| !l.trim().is_empty()) {
            block.push_str(&format!("  {line}{nl}"));
        }
        let at = match self.top(key) {
            Some((key_span, _)) => {
                let at = line_start(&self.doc.text, key_span.start);
                self.remove_field(key)?;
                at
            }
            None => match self.top("timeline") {
                Some((key_span, _)) => line_start(&self.doc.text, key_span.start),
                None => self.doc.front_matter.end,
            },
        };
        self.splice(at..at, &block)
    }

    /// Removes a top-level field and its value's lines (nothing if absent).
    pub fn remove_field(&mut self, key: &str) -> Result<(), EditError> {
        let Some((key_span, node)) = self.top(key) else { return Ok(()) };
        self.refuse_flow_root(key)?;
        let start = line_start(&self.doc.text, key_span.start);
        let mut end_of = node.span.end.max(key_span.end);
        if node.span.is_empty() {
            // `? key` then `:` on its own line: the colon goes too.
            end_of = end_of.max(self.after_key_colon(key).unwrap_or(0));
        }
        if end_of > key_span.end && matches!(self.doc.text.as_bytes().get(end_of - 1), Some(b'\n' | b'\r')) {
            end_of -= 1;
        }
        let end = line_end_incl(&self.doc.text, end_of);
        self.splice(start..end, "")
    }

    /// Appends an entry to the `timeline` list; `fields` are (key, value) pairs in order.
    pub fn append_timeline(&mut self, fields: &[(&str, &str)]) -> Result<(), EditError> {
        self.append_entry("timeline", fields)
    }

    /// Appends an entry to the top-level list `key` (`timeline`, `correspondence`), in the
    /// list's own indentation; a missing list is added at the end of the front matter.
    pub fn append_entry(&mut self, key: &str, fields: &[(&str, &str)]) -> Result<(), EditError> {
        self.append_block(key, &|dash, keys, nl| render_entry(dash, keys, fields, nl))
    }

    /// Appends to the list `key` an entry given as a YAML block mapping (`serde_yaml`'s output
    /// for a struct: one `key: value` per line, nested lists and maps below their key).
    pub fn append_mapping(&mut self, key: &str, mapping: &str) -> Result<(), EditError> {
        self.append_block(key, &|dash, keys, nl| render_mapping(dash, keys, mapping, nl))
    }

    fn append_block(&mut self, key: &str, render: &dyn Fn(&str, &str, &str) -> String) -> Result<(), EditError> {
        self.refuse_flow_root(key)?;
        let nl = self.newline();
        let Some((_, node)) = self.top(key) else {
            let block = render("  ", "    ", nl);
            let at = self.doc.front_matter.end;
            return self.splice(at..at, &format!("{key}:{nl}{block}"));
        };
        let items = match &node.kind {
            NodeKind::Seq(items) => items.clone(),
            NodeKind::Null => Vec::new(),
            _ => return Err(EditError::Unsupported { field: key.into(), why: "it is not a list" }),
        };
        let text = &self.doc.text;
        let flow = node.span.start < node.span.end && text[node.span.clone()].trim_start().starts_with('[');
        if items.is_empty() {
            // `timeline:` or `timeline: []`: drop the empty value (keeping a comment on the
            // line), then add a block list below the key.
            let value_start = if node.span.is_empty() {
                self.after_key_colon(key)
                    .ok_or(EditError::Unsupported { field: key.into(), why: "its key has no `:`" })?
            } else {
                node.span.start
            };
            let value_end = if node.span.is_empty() { value_start } else { node.span.end };
            let trailing = &text[value_end..line_end_excl(text, value_end)];
            if !trailing.trim().is_empty() && !trailing.trim_start().starts_with('#') {
                return Err(EditError::Unsupported { field: key.into(), why: "text follows its value" });
            }
            let colon = text[..value_start].rfind(':').map_or(value_start, |i| i + 1);
            let drop_end = if value_end > value_start { value_end } else { colon };
            self.splice(colon..drop_end, "")?;
            let key_start = self.top(key).map_or(0, |(k, _)| k.start);
            let at = line_end_incl(&self.doc.text, key_start);
            let mut block = render("  ", "    ", nl);
            if !self.doc.text[..at].ends_with(['\n', '\r']) {
                block.insert_str(0, nl);
            }
            return self.splice(at..at, &block);
        }
        if flow {
            return Err(EditError::Unsupported {
                field: key.into(),
                why: "it is written in flow style ([...]); write one entry per line",
            });
        }
        let first = &items[0];
        let dash_col = column_of_dash(text, first.span.start);
        let key_col = first.span.start - line_start(text, first.span.start);
        let dash_indent = " ".repeat(dash_col);
        let key_indent = " ".repeat(key_col);
        let last = items.last().map_or(node.span.end, |n| n.span.end);
        let at = line_end_incl(text, last.saturating_sub(1).max(first.span.start));
        let mut block = render(&dash_indent, &key_indent, nl);
        if at == text.len() || !text[..at].ends_with(['\n', '\r']) {
            block.insert_str(0, nl);
        }
        self.splice(at..at, &block)
    }
}

/// `- k: v` lines of one list entry.
fn render_entry(dash_indent: &str, key_indent: &str, fields: &[(&str, &str)], nl: &str) -> String {
    let mut out = String::new();
    for (i, (k, v)) in fields.iter().enumerate() {
        let value = if is_date(v) { (*v).to_owned() } else { scalar(v) };
        if i == 0 {
            out.push_str(&format!("{dash_indent}- {k}: {value}{nl}"));
        } else {
            out.push_str(&format!("{key_indent}{k}: {value}{nl}"));
        }
    }
    out
}

/// The lines of a YAML block mapping as one list entry: the first after `- `, the rest
/// indented to its keys.
fn render_mapping(dash_indent: &str, key_indent: &str, mapping: &str, nl: &str) -> String {
    let mut out = String::new();
    for (i, line) in mapping.lines().filter(|l| !l.trim().is_empty()).enumerate() {
        let lead = if i == 0 { format!("{dash_indent}- ") } else { key_indent.to_owned() };
        out.push_str(&format!("{lead}{line}{nl}"));
    }
    out
}

/// A date written as `YYYY-MM-DD` exactly (chrono's parser also takes ` 2026-1-05`, which
/// unquoted would read back without its space).
fn is_date(v: &str) -> bool {
    v.len() == 10
        && chrono::NaiveDate::parse_from_str(v, "%Y-%m-%d").is_ok_and(|d| d.format("%Y-%m-%d").to_string() == v)
}

/// True when `node` is a scalar written on one line (plain or quoted, not a block).
fn is_inline_scalar(node: &Node, text: &str) -> bool {
    match &node.kind {
        NodeKind::Seq(_) | NodeKind::Map(_) => false,
        _ => !text[node.span.clone()].contains('\n') && !text[node.span.clone()].starts_with(['|', '>']),
    }
}

// Lines end as YAML ends them: at `\n`, `\r\n` or a lone `\r` (a key after a lone `\r` is
// on a line of its own for the parser, so it must be for the editor).
fn line_start(text: &str, pos: usize) -> usize {
    text[..pos].rfind(['\n', '\r']).map_or(0, |i| i + 1)
}

/// End of the line containing `pos`, including its line ending.
fn line_end_incl(text: &str, pos: usize) -> usize {
    match text[pos..].find(['\n', '\r']) {
        Some(i) if text[pos + i..].starts_with("\r\n") => pos + i + 2,
        Some(i) => pos + i + 1,
        None => text.len(),
    }
}

/// End of the line containing `pos`, excluding its line ending.
fn line_end_excl(text: &str, pos: usize) -> usize {
    text[pos..].find(['\n', '\r']).map_or(text.len(), |i| pos + i)
}

/// Column of the `-` that introduces the list item starting at `item_start`.
fn column_of_dash(text: &str, item_start: usize) -> usize {
    let ls = line_start(text, item_start);
    text[ls..item_start].find('-').unwrap_or(0)
}

/// Parses `text` as the report at `path` and starts an editor (for tests and callers that
/// hold text).
pub fn editor_for(path: &Path, text: String) -> Result<Editor, Box<Rejected>> {
    Document::parse(path, text).map(Editor::new)
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "---\n# comment kept\nid: ENIGM-2026-0001   # trailing comment\ntitle: \"Quoted: title\"\nstate: triaged\n\nreported: 2026-01-05\nreporter:\n  name: R\ntimeline:\n    - date: 2026-01-05\n      state: received\n    - date: 2026-01-06   # indented differently on purpose\n      state: triaged\n---\n\n## Summary\n\nBody stays.\n";

    fn ed(text: &str) -> Editor {
        editor_for(Path::new("reports/ENIGM-2026-0001.md"), text.to_owned()).expect("parses")
    }

    #[test]
    fn sets_a_mapping_in_place_or_before_the_timeline() {
        let mut e = ed(TEXT);
        e.set_mapping("kev", "cve: CVE-2026-1234\ndate_added: 2026-11-20\n").expect("inserted");
        assert!(
            e.text()
                .contains("reporter:\n  name: R\nkev:\n  cve: CVE-2026-1234\n  date_added: 2026-11-20\ntimeline:\n"),
            "{}",
            e.text()
        );
        e.set_mapping("kev", "cve: CVE-2026-9999\n").expect("replaced");
        assert!(e.text().contains("reporter:\n  name: R\nkev:\n  cve: CVE-2026-9999\ntimeline:\n"), "{}", e.text());
        assert!(e.text().ends_with("## Summary\n\nBody stays.\n"));
    }

    #[test]
    fn replaces_a_scalar_and_keeps_everything_else() {
        let mut e = ed(TEXT);
        e.set_field("state", "confirmed").expect("edit");
        assert_eq!(e.text(), TEXT.replace("state: triaged\n\n", "state: confirmed\n\n"));
    }

    #[test]
    fn appends_a_timeline_entry_with_the_lists_indentation() {
        let mut e = ed(TEXT);
        e.append_timeline(&[
            ("date", "2026-01-07"),
            ("state", "confirmed"),
            ("by", "Sam Lee"),
            ("note", "Reproduced: yes"),
        ])
        .expect("edit");
        let expected = TEXT.replace(
            "      state: triaged\n---",
            "      state: triaged\n    - date: 2026-01-07\n      state: confirmed\n      by: Sam Lee\n      note: 'Reproduced: yes'\n---",
        );
        assert_eq!(e.text(), expected);
        let r = e.into_document().report().expect("report");
        assert_eq!(r.timeline.len(), 3);
    }

    #[test]
    fn inserts_new_fields_before_the_timeline_and_removes_fields() {
        let mut e = ed(TEXT);
        e.set_field("published", "2026-02-01").expect("insert");
        assert!(e.text().contains("  name: R\npublished: 2026-02-01\ntimeline:\n"), "{}", e.text());
        e.set_field("published", "2026-02-02").expect("replace");
        assert!(e.text().contains("published: 2026-02-02\ntimeline:"));
        e.remove_field("published").expect("remove");
        assert_eq!(e.text(), TEXT);
    }

    #[test]
    fn crlf_files_get_crlf_lines() {
        let crlf = TEXT.replace('\n', "\r\n");
        let mut e = ed(&crlf);
        e.set_field("state", "confirmed").expect("edit");
        e.append_timeline(&[("date", "2026-01-07"), ("state", "confirmed")]).expect("append");
        e.set_field("resolution", "wont-fix").expect("insert");
        assert!(!e.text().replace("\r\n", "").contains('\n'), "only CRLF line endings: {:?}", e.text());
    }

    #[test]
    fn empty_or_flow_timelines_become_block_lists() {
        let base = "---\nid: A\ntimeline: []   # none yet\n---\nbody\n";
        let mut e = ed(base);
        e.append_timeline(&[("date", "2026-01-05"), ("state", "received")]).expect("append");
        assert_eq!(
            e.text(),
            "---\nid: A\ntimeline:   # none yet\n  - date: 2026-01-05\n    state: received\n---\nbody\n"
        );
        let none = "---\nid: A\n---\n";
        let mut e = ed(none);
        e.append_timeline(&[("date", "2026-01-05"), ("state", "received")]).expect("append");
        assert_eq!(e.text(), "---\nid: A\ntimeline:\n  - date: 2026-01-05\n    state: received\n---\n");
    }

    #[test]
    fn explicit_keys_without_values_are_edited_alone() {
        // Found by the fuzz harness (tests/fixtures/hostile/fuzz/): removing `c` took `d`.
        let mut e = ed("---\n? c\n? d\n: 1\n---\n");
        e.remove_field("c").expect("remove");
        assert_eq!(e.text(), "---\n? d\n: 1\n---\n");
        let mut e = ed("---\n? c\n? d\n: 1\n---\n");
        assert!(matches!(e.set_field("c", "x"), Err(EditError::Unsupported { .. })), "no colon to write after");
        // `? c` then `:` alone: both lines go, no empty key is left behind.
        let mut e = ed("---\n? a\n: b\n? c\n:\nd: 1\n---\n");
        e.remove_field("c").expect("remove");
        assert_eq!(e.text(), "---\n? a\n: b\nd: 1\n---\n");
        let mut e = ed("---\n? c\n:\n---\n");
        e.set_field("c", "x").expect("set");
        assert_eq!(e.text(), "---\n? c\n: x\n---\n");
    }

    #[test]
    fn flow_style_front_matter_is_only_edited_in_place() {
        // Found by fuzzing: the new key went in at the start of the line holding `timeline`,
        // which began inside the title's quoted string.
        let text = "---\n{id: A, title: \"XSS in\n search\", timeline: []}\n---\n";
        let mut e = ed(text);
        assert!(matches!(e.set_field("assignee", "x"), Err(EditError::Unsupported { .. })));
        assert!(matches!(e.remove_field("title"), Err(EditError::Unsupported { .. })));
        assert!(matches!(e.append_timeline(&[("date", "2026-01-05")]), Err(EditError::Unsupported { .. })));
        assert_eq!(e.text(), text);
        e.set_field("id", "B").expect("in place");
        assert_eq!(e.text(), text.replace("id: A", "id: B"));
    }

    #[test]
    fn a_lone_carriage_return_ends_a_line() {
        // Found by fuzzing: YAML reads `withdrawn` as a key of its own line, the editor did
        // not, so removing one field took the other with it.
        let text = "---\ntitle: X\rwithdrawn: 2026-01-01\nstate: a\n---\n";
        let mut e = ed(text);
        e.remove_field("withdrawn").expect("remove");
        assert_eq!(e.text(), "---\ntitle: X\rstate: a\n---\n");
        let mut e = ed(text);
        e.remove_field("title").expect("remove");
        assert_eq!(e.text(), "---\nwithdrawn: 2026-01-01\nstate: a\n---\n");
    }

    #[test]
    fn only_exact_dates_are_written_unquoted() {
        // Found by fuzzing: chrono reads ` 2026-1-05` as a date, and unquoted it lost its space.
        let mut e = ed(TEXT);
        e.append_timeline(&[("date", "2026-01-07"), ("state", "confirmed"), ("note", " 2026-1-05")]).expect("append");
        assert!(e.text().contains("      state: confirmed\n      note: ' 2026-1-05'\n"), "{}", e.text());
        let r = e.into_document().report().expect("report");
        assert_eq!(r.timeline.last().and_then(|t| t.note.as_deref()), Some(" 2026-1-05"));
    }

    #[test]
    fn refuses_block_scalars_and_flow_lists_with_items() {
        let mut e = ed("---\nstate: |\n  multi\n---\n");
        assert!(matches!(e.set_field("state", "x"), Err(EditError::Unsupported { .. })));
        let mut e = ed("---\ntimeline: [{date: 2026-01-05, state: received}]\n---\n");
        assert!(matches!(e.append_timeline(&[("date", "2026-01-06")]), Err(EditError::Unsupported { .. })));
    }
}
