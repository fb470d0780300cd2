//! Fuzz harness for enigm-disclose: the properties each target checks.
//!
//! The libFuzzer targets in `fuzz_targets/` and the stable `replay` binary both call the
//! functions here, so a crash found by the fuzzer replays on a stable toolchain. A violated
//! property is a panic (a crash for libFuzzer). See `docs/robustness.md`.
//!
//! - [`parse_validate`]: any bytes go through the `validate` pipeline of one file (UTF-8,
//!   fences, YAML tree, schema, typed model, semantic and raw-text checks) and every finding
//!   is rendered the way the terminal shows it. Nothing may panic, every span must lie in the
//!   text on character boundaries, and plain one-line scalars must span exactly their text.
//! - [`edit_roundtrip`]: a report and a list of edits (`set_field`, `remove_field`,
//!   `append_timeline`). An edit may refuse, but when it succeeds the result reparses, the
//!   edited value reads back as written, every other field keeps its value, the body and all
//!   bytes outside the edited entry are unchanged, and set-then-remove restores the file.

use std::collections::HashSet;
use std::ops::Range;
use std::path::Path;
use std::sync::OnceLock;

use arbitrary::{Result as ArbResult, Unstructured};
use chrono::NaiveDate;
use enigm_disclose::error::FileProblem;
use enigm_disclose::format::config::{Config, ConfigSeed};
use enigm_disclose::format::finding::{Finding, LineCol};
use enigm_disclose::format::report::edit::Editor;
use enigm_disclose::format::report::{Document, LineEnding, MAX_REPORT_BYTES, Parts};
use enigm_disclose::format::yaml::{Node, NodeKind};
use enigm_disclose::rules::checks::{self, CheckContext};
use saphyr_parser::ScalarStyle;
use serde_json::Value;

/// Where the fuzzed file claims to live (its id is known, so `id-mismatch` can pass).
pub const REPORT_PATH: &str = "reports/ENIGM-2026-0001.md";

/// Separates the report text from the operation bytes in `edit_roundtrip` inputs. `0xFF`
/// never occurs in UTF-8, so the split is unambiguous.
pub const OPS_SEPARATOR: u8 = 0xFF;

struct Fixture {
    config: Config,
    known: HashSet<String>,
    today: NaiveDate,
}

fn fixture() -> &'static Fixture {
    static F: OnceLock<Fixture> = OnceLock::new();
    F.get_or_init(|| {
        let seed = ConfigSeed {
            id_prefix: "ENIGM".into(),
            organization: "Org".into(),
            security_contact: "security@example.org".into(),
            products: vec!["web".into()],
        };
        let text = seed.render().replace("components: []", "components: [uploads, search]");
        let config = Config::parse(&text).expect("the fuzz configuration parses");
        let known = ["ENIGM-2026-0001".to_owned(), "ENIGM-2026-0002".to_owned()].into();
        let today = NaiveDate::from_ymd_opt(2026, 6, 15).expect("date");
        Fixture { config, known, today }
    })
}

fn path() -> &'static Path {
    Path::new(REPORT_PATH)
}

// ---------------------------------------------------------------------------------------
// parse_validate
// ---------------------------------------------------------------------------------------

/// Any bytes through the per-file `validate` pipeline; panics on a violated property.
pub fn parse_validate(data: &[u8]) {
    if data.len() as u64 > MAX_REPORT_BYTES {
        return; // refused by size before reading
    }
    let fx = fixture();
    let ctx = CheckContext { config: &fx.config, today: fx.today, known_ids: &fx.known };
    match Document::from_bytes(path(), data.to_vec()) {
        Err(rejected) => {
            // As `validate` does for a file that does not parse: the finding, then the
            // raw-text checks (secrets, controls, conflict markers) on what could be read.
            let text = rejected.text.clone().expect("a rejection from bytes keeps the text");
            check_finding(&rejected.finding, &text);
            let front =
                Parts::split(&text).ok().map(|p| p.front_matter_offset..p.front_matter_offset + p.front_matter.len());
            for f in checks::check_text(path(), &text, front) {
                check_finding(&f, &text);
            }
        }
        Ok(doc) => {
            check_document_shape(&doc);
            for f in enigm_disclose::rules::pipeline::check_document(&doc, &ctx) {
                check_finding(&f, &doc.text);
            }
            match doc.report() {
                Err(r) => check_finding(&r.finding, &doc.text),
                Ok(report) => {
                    // Consumers of a typed report: deadlines, the public advisory, OSV.
                    let now = enigm_disclose::query::deadline::Now::start_of(fx.today);
                    let _ = enigm_disclose::query::deadline::pending(&report, &fx.config.policy, now);
                    let advisory =
                        enigm_disclose::publish::public::advisory(&doc, &report, &fx.config, Some("draft".into()));
                    let _ = enigm_disclose::publish::osv::record(&advisory, &fx.config);
                }
            }
        }
    }
}

/// A finding's span lies in its text, and the finding renders as the terminal shows it.
fn check_finding(f: &Finding, text: &str) {
    if let Some(span) = &f.span {
        assert!(
            span.start <= span.end && span.end <= text.len(),
            "finding `{}` has span {span:?} outside the text (len {})",
            f.code,
            text.len()
        );
        let _ = (LineCol::of(text, span.start), LineCol::of(text, span.end));
    }
    let problem = FileProblem::new(f.clone(), Some(text.to_owned()));
    let handler = miette::GraphicalReportHandler::new_themed(miette::GraphicalTheme::unicode_nocolor())
        .with_width(100)
        .with_links(false);
    let mut out = String::new();
    handler.render_report(&mut out, &problem).expect("a finding renders");
}

fn assert_range(text: &str, r: &Range<usize>, what: &str) {
    assert!(r.start <= r.end && r.end <= text.len(), "{what} {r:?} outside the text (len {})", text.len());
    assert!(
        text.is_char_boundary(r.start) && text.is_char_boundary(r.end),
        "{what} {r:?} is not on character boundaries"
    );
}

/// The ranges of a parsed document and of every node of its tree are valid slices of the
/// text; plain one-line scalars and keys span exactly their text.
fn check_document_shape(doc: &Document) {
    let text = &doc.text;
    assert_range(text, &doc.front_matter, "front matter");
    assert_range(text, &doc.body, "body");
    assert_range(text, &doc.opening_fence, "opening fence");
    assert!(matches!(doc.yaml.tree.kind, NodeKind::Map(_)), "a document's root is a mapping");
    assert!(doc.value().is_object());
    check_node(text, &doc.yaml.tree, 0);
    for s in doc.sections() {
        assert_range(text, &s.heading, "section heading");
        assert_range(text, &s.content, "section content");
    }
}

fn check_node(text: &str, node: &Node, depth: usize) {
    assert!(depth <= 70, "tree deeper than the parser's limit");
    assert_range(text, &node.span, "node span");
    match &node.kind {
        NodeKind::Str(s, ScalarStyle::Plain) => check_plain(text, &node.span, s, "plain scalar"),
        NodeKind::Seq(items) => items.iter().for_each(|n| check_node(text, n, depth + 1)),
        NodeKind::Map(entries) => {
            for (k, v) in entries {
                assert_range(text, &k.span, "key span");
                let raw = &text[k.span.clone()];
                let plain = !raw.starts_with(['"', '\'', '|', '>', '!', '?']);
                if plain && !k.name.is_empty() && !is_core_special(&k.name) {
                    check_plain(text, &k.span, &k.name, "plain key");
                }
                check_node(text, v, depth + 1);
            }
        }
        _ => {}
    }
}

/// Keys written as numbers or booleans read back as their canonical text (`0x1F` → `31`).
fn is_core_special(name: &str) -> bool {
    name.parse::<f64>().is_ok() || matches!(name, "true" | "false" | "inf" | "-inf" | "NaN")
}

fn check_plain(text: &str, span: &Range<usize>, value: &str, what: &str) {
    let raw = &text[span.clone()];
    if raw.contains(['\n', '\r']) {
        return; // folded multi-line scalar
    }
    // A tagged scalar (`!!str 12`) spans its tag too.
    let untagged = match raw.strip_prefix('!') {
        Some(rest) => rest.split_once([' ', '\t']).map_or(rest, |(_, v)| v.trim_start()),
        None => raw,
    };
    assert_eq!(untagged, value, "{what} at {span:?} does not span its text");
}

// ---------------------------------------------------------------------------------------
// edit_roundtrip
// ---------------------------------------------------------------------------------------

/// Top-level keys of the report format (and a few that are not).
const KNOWN_KEYS: &[&str] = &[
    "id",
    "title",
    "state",
    "reported",
    "reporter",
    "products",
    "severity",
    "cwe",
    "embargo_until",
    "aliases",
    "references",
    "assignee",
    "mitigation",
    "resolution",
    "duplicate_of",
    "published",
    "withdrawn",
    "timeline",
    "x",
];

const TIMELINE_KEYS: &[&str] = &["date", "state", "by", "note", "reason"];

/// Values that have broken YAML writers before.
const TRICKY_VALUES: &[&str] = &[
    "",
    " ",
    "confirmed",
    "2026-01-07",
    " 2026-1-05",
    "2026-1-5",
    "yes",
    "no",
    "null",
    "~",
    "true",
    "1.10",
    "0x1F",
    "-",
    "- x",
    "a: b",
    "a #b",
    "#x",
    "'",
    "\"",
    "''",
    "\\",
    "---",
    "...",
    "[x]",
    "{x}",
    "*x",
    "&x",
    "!x",
    "%x",
    "@x",
    "`x",
    "|",
    ">",
    "a\nb",
    "a\r\nb",
    "a\rb",
    "\n",
    "\t",
    "trailing ",
    " leading",
    "é",
    "\u{feff}",
    "\u{2028}",
    "\u{85}",
    "\u{202e}x",
    "\0",
    "Reproduced: yes",
];

/// One editor operation.
#[derive(Debug, Clone)]
pub enum Op {
    Set(String, String),
    Remove(String),
    Append(Vec<(String, String)>),
    /// `set_field` of an absent key, then `remove_field` of it: the text must come back.
    SetThenRemove(String, String),
    /// `set_field` twice with the same value: the second changes nothing.
    SetTwice(String, String),
}

fn top_keys(doc: &Document) -> Vec<String> {
    match &doc.yaml.tree.kind {
        NodeKind::Map(entries) => entries.iter().map(|(k, _)| k.name.clone()).collect(),
        _ => Vec::new(),
    }
}

/// A key the editor's callers could pass: a known field, an existing key that is a simple
/// identifier, or a new identifier (never a YAML special word).
fn gen_key(u: &mut Unstructured<'_>, existing: &[String], known: &[&str]) -> ArbResult<String> {
    let simple: Vec<&String> = existing.iter().filter(|k| is_identifier(k)).collect();
    Ok(match u.int_in_range(0..=3)? {
        0 | 1 => (*u.choose(known)?).to_owned(),
        2 if !simple.is_empty() => u.choose(&simple)?.to_string(),
        _ => {
            let len = u.int_in_range(1..=8)?;
            let mut k = String::new();
            for _ in 0..len {
                k.push(*u.choose(&['a', 'b', 'e', 'i', 'n', 'o', 'r', 's', 't', 'u', 'l', '_'])?);
            }
            if is_identifier(&k) { k } else { "k".to_owned() }
        }
    })
}

fn is_identifier(k: &str) -> bool {
    let mut chars = k.chars();
    chars.next().is_some_and(|c| c.is_ascii_lowercase() || c == '_')
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        && !matches!(k, "null" | "true" | "false")
}

fn gen_value(u: &mut Unstructured<'_>) -> ArbResult<String> {
    Ok(match u.int_in_range(0..=4)? {
        0 | 1 => (*u.choose(TRICKY_VALUES)?).to_owned(),
        2 => {
            let a = *u.choose(TRICKY_VALUES)?;
            let b = *u.choose(TRICKY_VALUES)?;
            format!("{a}{b}")
        }
        _ => {
            let s: String = u.arbitrary()?;
            s.chars().take(64).collect()
        }
    })
}

fn gen_op(u: &mut Unstructured<'_>, doc: &Document) -> ArbResult<Op> {
    let keys = top_keys(doc);
    Ok(match u.int_in_range(0..=9)? {
        0..=2 => Op::Set(gen_key(u, &keys, KNOWN_KEYS)?, gen_value(u)?),
        3 | 4 => Op::Remove(gen_key(u, &keys, KNOWN_KEYS)?),
        5 | 6 => {
            let n = u.int_in_range(1..=4)?;
            let mut fields = Vec::with_capacity(n);
            for i in 0..n {
                let key = if i == 0 { "date".to_owned() } else { gen_key(u, &[], TIMELINE_KEYS)? };
                fields.push((key, gen_value(u)?));
            }
            Op::Append(fields)
        }
        7 | 8 => Op::SetThenRemove(gen_key(u, &keys, KNOWN_KEYS)?, gen_value(u)?),
        _ => Op::SetTwice(gen_key(u, &keys, KNOWN_KEYS)?, gen_value(u)?),
    })
}

/// Splits an `edit_roundtrip` input into the report text and the operation bytes.
pub fn split_input(data: &[u8]) -> (&[u8], &[u8]) {
    match data.iter().position(|&b| b == OPS_SEPARATOR) {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (data, &[]),
    }
}

/// A report (then `0xFF` and operation bytes) through the editor; panics on a violated
/// property. Without operation bytes a fixed battery of edits runs on every top-level key.
pub fn edit_roundtrip(data: &[u8]) {
    let (text, ops) = split_input(data);
    let Ok(text) = std::str::from_utf8(text) else { return };
    let Ok(doc) = Document::parse(path(), text.to_owned()) else { return };
    if ops.is_empty() {
        for op in battery(&doc) {
            apply(&doc, &op);
        }
        return;
    }
    let mut u = Unstructured::new(ops);
    let mut doc = doc;
    for _ in 0..16 {
        if u.is_empty() {
            break;
        }
        let Ok(op) = gen_op(&mut u, &doc) else { break };
        if let Some(next) = apply(&doc, &op) {
            doc = next;
        }
    }
}

/// Edits every report gets: each top-level key set to its own text value and to another,
/// and removed; new keys set then removed; timeline entries appended.
fn battery(doc: &Document) -> Vec<Op> {
    let mut ops = Vec::new();
    for k in top_keys(doc).into_iter().filter(|k| is_identifier(k)).take(24) {
        if let Some(NodeKind::Str(own, _)) = doc.yaml.tree.get(&k).map(|n| &n.kind) {
            // Writing a field's own value back must read back the same.
            ops.push(Op::SetTwice(k.clone(), own.clone()));
        }
        ops.push(Op::SetTwice(k.clone(), "fuzz: value #1".into()));
        ops.push(Op::Remove(k));
    }
    ops.push(Op::SetThenRemove("assignee".into(), "Sam Lee".into()));
    ops.push(Op::SetThenRemove("zz_new".into(), "'x'\n".into()));
    ops.push(Op::Append(vec![
        ("date".into(), "2026-02-01".into()),
        ("state".into(), "triaged".into()),
        ("note".into(), "Reproduced: yes".into()),
    ]));
    // A note chrono would read as a date (once written unquoted, losing its space).
    ops.push(Op::Append(vec![
        ("date".into(), "2026-02-02".into()),
        ("state".into(), "confirmed".into()),
        ("note".into(), " 2026-2-02".into()),
    ]));
    ops
}

/// Applies one operation to a fresh editor on `before` and checks its properties. Returns
/// the edited document when the operation succeeded.
pub fn apply(before: &Document, op: &Op) -> Option<Document> {
    match op {
        Op::Set(k, v) => set(before, k, v),
        Op::Remove(k) => remove(before, k),
        Op::Append(fields) => append(before, fields),
        Op::SetThenRemove(k, v) => {
            let existed = before.yaml.tree.get(k).is_some();
            let after = set(before, k, v)?;
            if existed {
                return Some(after);
            }
            let back = remove(&after, k)?;
            assert_eq!(back.text, before.text, "set_field({k:?}, {v:?}) then remove_field did not restore the file");
            Some(back)
        }
        Op::SetTwice(k, v) => {
            let once = set(before, k, v)?;
            let twice = set(&once, k, v).unwrap_or_else(|| panic!("setting {k:?} again to {v:?} was refused"));
            assert_eq!(once.text, twice.text, "setting {k:?} to the same value {v:?} twice changed the text");
            Some(twice)
        }
    }
}

fn set(before: &Document, key: &str, value: &str) -> Option<Document> {
    let mut ed = Editor::new(before.clone());
    let result = ed.set_field(key, value);
    let after = ed.into_document();
    if result.is_err() {
        return None;
    }
    let ctx = format!("set_field({key:?}, {value:?})");
    reparses(&after, &ctx);
    common(before, &after, &[key], &ctx);
    let got = after.yaml.tree.get(key).map(Node::to_json);
    assert_eq!(got, Some(Value::String(value.to_owned())), "{ctx}: the value does not read back");
    let (old, new) = (&before.text, &after.text);
    match entry(before, key) {
        Some((key_span, node)) => {
            // Replaced in place: everything but the value's text is kept.
            let region = if node.span.is_empty() {
                // `key:` with no value: the value goes after the colon (which may be on the
                // next line after an explicit `? key`).
                let colon = old[key_span.end..].find(':').map_or(key_span.end, |i| key_span.end + i);
                key_span.start..line_end_excl(old, colon)
            } else {
                node.span.clone()
            };
            assert_outside_kept(old, new, region, &ctx);
            assert_eq!(top_keys(before), top_keys(&after), "{ctx}: the keys changed");
        }
        None => {
            assert_one_insertion(old, new, &ctx);
            let mut want = top_keys(before);
            let got = top_keys(&after);
            let at = got.iter().position(|k| k == key).expect("the new key");
            want.insert(at, key.to_owned());
            assert_eq!(want, got, "{ctx}: keys other than the new one moved");
        }
    }
    Some(after)
}

fn remove(before: &Document, key: &str) -> Option<Document> {
    let mut ed = Editor::new(before.clone());
    let result = ed.remove_field(key);
    let after = ed.into_document();
    if result.is_err() {
        return None;
    }
    let ctx = format!("remove_field({key:?})");
    reparses(&after, &ctx);
    common(before, &after, &[key], &ctx);
    assert!(after.yaml.tree.get(key).is_none(), "{ctx}: the key is still there");
    let (old, new) = (&before.text, &after.text);
    match entry(before, key) {
        None => assert_eq!(old, new, "{ctx}: removing an absent key changed the text"),
        Some((key_span, node)) => {
            let start = line_start(old, key_span.start);
            let end = line_end_incl(old, node.span.end.max(key_span.end).max(start));
            assert_outside_kept(old, new, start..end, &ctx);
            assert_one_deletion(old, new, &ctx);
            let want: Vec<String> = top_keys(before).into_iter().filter(|k| k != key).collect();
            assert_eq!(want, top_keys(&after), "{ctx}: other keys changed");
        }
    }
    Some(after)
}

fn append(before: &Document, fields: &[(String, String)]) -> Option<Document> {
    let pairs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let mut ed = Editor::new(before.clone());
    let result = ed.append_timeline(&pairs);
    let after = ed.into_document();
    if result.is_err() {
        return None;
    }
    let ctx = format!("append_timeline({pairs:?})");
    reparses(&after, &ctx);
    common(before, &after, &["timeline"], &ctx);
    let old_items = match before.yaml.tree.get("timeline").map(|n| &n.kind) {
        Some(NodeKind::Seq(items)) => items.iter().map(Node::to_json).collect(),
        _ => Vec::new(),
    };
    let new_items: Vec<Value> = match after.yaml.tree.get("timeline").map(|n| &n.kind) {
        Some(NodeKind::Seq(items)) => items.iter().map(Node::to_json).collect(),
        other => panic!("{ctx}: the timeline is not a list after appending: {other:?}"),
    };
    assert_eq!(new_items.len(), old_items.len() + 1, "{ctx}: not exactly one entry added");
    assert_eq!(new_items[..old_items.len()], old_items[..], "{ctx}: earlier entries changed");
    let want: serde_json::Map<String, Value> =
        fields.iter().map(|(k, v)| (k.clone(), Value::String(v.clone()))).collect();
    assert_eq!(new_items.last(), Some(&Value::Object(want)), "{ctx}: the entry does not read back");
    let (old, new) = (&before.text, &after.text);
    match entry(before, "timeline") {
        Some((key_span, node)) if old_items.is_empty() => {
            // `timeline:` / `timeline: []` are rewritten on their own line only.
            let start = line_start(old, key_span.start);
            let end = line_end_incl(old, node.span.end.max(key_span.end));
            assert_outside_kept(old, new, start..end, &ctx);
        }
        _ => assert_one_insertion(old, new, &ctx),
    }
    Some(after)
}

fn entry<'d>(doc: &'d Document, key: &str) -> Option<(Range<usize>, &'d Node)> {
    match &doc.yaml.tree.kind {
        NodeKind::Map(entries) => entries.iter().find(|(k, _)| k.name == key).map(|(k, v)| (k.span.clone(), v)),
        _ => None,
    }
}

/// The edited text parses again to the same tree.
fn reparses(after: &Document, ctx: &str) {
    let again = Document::parse(path(), after.text.clone())
        .unwrap_or_else(|r| panic!("{ctx}: the edited text does not reparse: {}", r.finding.message));
    // Compared as text: `.nan` is not equal to itself.
    assert_eq!(
        format!("{:?}", again.yaml.tree),
        format!("{:?}", after.yaml.tree),
        "{ctx}: reparsing gives another tree"
    );
}

/// What every successful edit keeps: BOM, line ending style, opening fence, body, and the
/// value of every top-level key not being edited.
fn common(before: &Document, after: &Document, edited: &[&str], ctx: &str) {
    assert_eq!(before.bom, after.bom, "{ctx}: BOM changed");
    assert_eq!(before.line_ending, after.line_ending, "{ctx}: line ending changed");
    assert_eq!(
        &before.text[before.opening_fence.clone()],
        &after.text[after.opening_fence.clone()],
        "{ctx}: opening fence changed"
    );
    assert_eq!(before.body_text(), after.body_text(), "{ctx}: the body changed");
    if let NodeKind::Map(entries) = &before.yaml.tree.kind {
        for (k, v) in entries.iter().filter(|(k, _)| !edited.contains(&k.name.as_str())) {
            let now = after.yaml.tree.get(&k.name).map(Node::to_json);
            assert_eq!(now, Some(v.to_json()), "{ctx}: the untouched field {:?} changed", k.name);
        }
    }
    if before.line_ending == LineEnding::CrLf && bare_lf(&before.text) == 0 {
        assert_eq!(bare_lf(&after.text), 0, "{ctx}: a CRLF file got an LF line ending");
    }
}

fn bare_lf(text: &str) -> usize {
    let b = text.as_bytes();
    (0..b.len()).filter(|&i| b[i] == b'\n' && (i == 0 || b[i - 1] != b'\r')).count()
}

/// `new` keeps `old[..region.start]` and `old[region.end..]` byte for byte.
fn assert_outside_kept(old: &str, new: &str, region: Range<usize>, ctx: &str) {
    let (head, tail) = (&old[..region.start], &old[region.end..]);
    assert!(
        new.len() >= head.len() + tail.len() && new.starts_with(head) && new.ends_with(tail),
        "{ctx}: bytes outside {region:?} ({:?}) changed\n--- before\n{old}\n--- after\n{new}",
        &old[region.clone()]
    );
}

fn common_prefix(a: &str, b: &str) -> usize {
    a.bytes().zip(b.bytes()).take_while(|(x, y)| x == y).count()
}

fn common_suffix(a: &str, b: &str) -> usize {
    a.bytes().rev().zip(b.bytes().rev()).take_while(|(x, y)| x == y).count()
}

/// `new` is `old` with one run of bytes inserted (nothing of `old` lost or changed).
fn assert_one_insertion(old: &str, new: &str, ctx: &str) {
    let ok = new.len() > old.len() && common_prefix(old, new) + common_suffix(old, new) >= old.len();
    assert!(ok, "{ctx}: not a pure insertion\n--- before\n{old}\n--- after\n{new}");
}

/// `new` is `old` with one run of bytes deleted.
fn assert_one_deletion(old: &str, new: &str, ctx: &str) {
    let ok = new.len() < old.len() && common_prefix(old, new) + common_suffix(old, new) >= new.len();
    assert!(ok, "{ctx}: not a pure deletion\n--- before\n{old}\n--- after\n{new}");
}

fn line_start(text: &str, pos: usize) -> usize {
    text[..pos].rfind(['\n', '\r']).map_or(0, |i| i + 1)
}

fn line_end_incl(text: &str, pos: usize) -> usize {
    match text[pos..].find(['\n', '\r']) {
        Some(i) if text[pos + i..].starts_with("\r\n") => pos + i + 2,
        Some(i) => pos + i + 1,
        None => text.len(),
    }
}

fn line_end_excl(text: &str, pos: usize) -> usize {
    text[pos..].find(['\n', '\r']).map_or(text.len(), |i| pos + i)
}

#[cfg(test)]
mod tests {
    use super::*;

    const REPORT: &str = include_str!("../../tests/fixtures/reports/published.md");

    #[test]
    fn the_properties_hold_on_the_published_fixture() {
        parse_validate(REPORT.as_bytes());
        edit_roundtrip(REPORT.as_bytes());
        let mut with_ops = REPORT.as_bytes().to_vec();
        with_ops.push(OPS_SEPARATOR);
        with_ops.extend((0..=255u8).rev());
        edit_roundtrip(&with_ops);
    }

    /// Fixtures of crashes whose bug is not fixed yet (outside the files the fuzzing work
    /// may change); `open_bugs_still_fail` tells when one is fixed and can join the others.
    const OPEN: &[&str] = &[];

    fn fixtures() -> Vec<std::path::PathBuf> {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/hostile/fuzz");
        let mut paths: Vec<_> =
            std::fs::read_dir(&dir).expect("tests/fixtures/hostile/fuzz").map(|e| e.expect("entry").path()).collect();
        paths.sort();
        assert!(!paths.is_empty(), "no fixtures in {}", dir.display());
        paths
    }

    fn is_open(path: &Path) -> bool {
        OPEN.iter().any(|name| path.file_name().is_some_and(|n| n == *name))
    }

    #[test]
    fn open_bugs_still_fail() {
        for path in fixtures().into_iter().filter(|p| is_open(p)) {
            let data = std::fs::read(&path).expect("fixture");
            let failed = std::panic::catch_unwind(|| edit_roundtrip(&data)).is_err();
            assert!(failed, "{} passes now: remove it from OPEN", path.display());
        }
    }

    /// The crashes found so far, as fixtures (docs/robustness.md).
    #[test]
    fn the_regression_fixtures_pass() {
        for path in fixtures() {
            let data = std::fs::read(&path).expect("fixture");
            eprintln!("{}", path.display());
            parse_validate(&data);
            if !is_open(&path) {
                edit_roundtrip(&data);
            }
        }
    }

    #[test]
    fn a_value_chrono_reads_as_a_date_reads_back() {
        let doc = Document::parse(path(), REPORT.to_owned()).expect("parses");
        let op = Op::Append(vec![("date".into(), "2026-03-02".into()), ("note".into(), " 2026-1-05".into())]);
        assert!(apply(&doc, &op).is_some());
    }

    /// Layouts the editor must handle (or refuse) without breaking a property; the last ones
    /// were crashes before the fixes listed in docs/robustness.md.
    #[test]
    fn the_properties_hold_on_unusual_layouts() {
        for t in [
            "---\n  a: |\n    x\n  b: 1\n---\n",
            "---\na:   # c\nb: 1\n---\n",
            "---\ntimeline:\n  - date: 2026-01-05\n    note: |+\n      x\n\nother: 1\n---\n",
            "---\ntimeline:\n  - {date: 2026-01-05}\n---\n",
            "---\ntimeline:\n- date: 2026-01-05\n---\n",
            "---\na: |\n  x\n---",
            "---\na: 'x'   # c\r\nb: 1\n---\n",
            "---\r\na: 1\r\nb: >\r\n  x\r\n\r\nc: 2\r\n---\r\n",
            "---\na: [1,\n  2]\nb: {c: 1,\n  d: 2}   # x\ntimeline: [] # c\n---\n",
            "---\na: b\n# trailing comment\n---\n",
            "---\n? a\n: b\n? c\n:\n---\n",
            "---\na: \"x\n  y\"\nb: plain\n  continued\n---\n",
            "---\ntimeline:\n  - date: 2026-01-05\n    # comment\n  # comment 2\nz: 1\n---\n",
            "---\ntimeline:\n  -   date: 2026-01-05\n      state: x\n---\n",
            "---\ntimeline:\n  - - a\n---\n",
            "---\ntimeline:\n  - x\n  - y # c\n---\n",
            "---\ntimeline: ~\n---\n",
            "---\ntimeline:\n---\n",
            "---\ntimeline: # c\n---\n",
            "---\ntimeline: !!str\n---\n",
            "---\na: 1\ntimeline: []\nb: 2\n---\n",
            "---\ntimeline:\n  []\n---\n",
            "---\n? c\n? d\n: 1\n---\n",
            "---\n? c\nd: 1\n---\n",
            "---\n{c: , d: 1}\n---\n",
            "---\n{c, d: 1}\n---\n",
            "---\nc:\nd: 'x:y'\n---\n",
            "---\ntitle: X\rwithdrawn: 2026-01-01\nstate: a\n---\n",
            "---\ntitle: X # c\rproducts:\n---\n",
        ] {
            parse_validate(t.as_bytes());
            edit_roundtrip(t.as_bytes());
        }
    }
}
