//! Characters that make a report read differently from what it holds (Trojan Source).
//!
//! Reports come from outside researchers and are read in terminals, editors, diffs and web
//! pages. Bidirectional controls reorder what is displayed (CVE-2021-42574), control
//! characters drive terminals, zero-width characters hide text, and a word mixing Latin with
//! Cyrillic or Greek letters can impersonate another (`pаypal` with a Cyrillic `а`). The
//! first two are errors anywhere in the file; the last two are warnings in the front matter.

use std::ops::Range;
use std::path::Path;

use crate::format::finding::{Code, Finding};
use crate::format::yaml::{Node, NodeKind};

/// Bidirectional formatting characters: embeddings, overrides, isolates and marks that can
/// reorder text (the marks only in the front matter matter; all are refused).
fn is_bidi(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}')
}

/// True when every byte is printable ASCII, a tab, a line feed or a carriage return: then no
/// bidi, invisible or control character ([`is_control`]) is there. Each chunk is checked
/// without branches, so the loop is vectorised (it reads every byte of 100,000 reports).
fn clean_ascii(bytes: &[u8]) -> bool {
    bytes.chunks(64).all(|chunk| {
        chunk.iter().fold(true, |ok, &b| ok & ((0x20..0x7f).contains(&b) | (b == b'\t') | (b == b'\n') | (b == b'\r')))
    })
}

/// C0 and C1 controls other than tab, line feed and carriage return.
fn is_control(c: char) -> bool {
    c.is_control() && !matches!(c, '\t' | '\n' | '\r')
}

/// Characters that display as nothing.
fn is_invisible(c: char) -> bool {
    matches!(c, '\u{200B}'..='\u{200D}' | '\u{2060}'..='\u{2064}' | '\u{FEFF}' | '\u{00AD}' | '\u{180E}')
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Script {
    Latin,
    Greek,
    Cyrillic,
    Other,
}

fn script(c: char) -> Script {
    match c {
        'a'..='z' | 'A'..='Z' | '\u{00C0}'..='\u{024F}' => Script::Latin,
        '\u{0370}'..='\u{03FF}' => Script::Greek,
        '\u{0400}'..='\u{04FF}' => Script::Cyrillic,
        _ => Script::Other,
    }
}

/// Checks the whole file text; `front_matter` is the byte range of the YAML, when known.
pub fn check(path: &Path, text: &str, front_matter: Option<Range<usize>>) -> Vec<Finding> {
    // Most reports are ASCII: no bidi, invisible or lookalike letters can be there, and one
    // byte scan finds any control character (100,000 files, so this matters).
    if clean_ascii(text.as_bytes()) {
        return Vec::new();
    }
    let mut out = Vec::new();
    let (mut bidi, mut control, mut invisible) = (false, false, false);
    let in_front = |i: usize| front_matter.as_ref().is_some_and(|r| r.contains(&i));
    for (i, c) in text.char_indices() {
        let span = i..i + c.len_utf8();
        if is_bidi(c) && !bidi {
            bidi = true;
            out.push(
                Finding::error(
                    Code::BidiControl,
                    path,
                    Some(span),
                    format!("bidirectional control character {}", name(c)),
                )
                .with_help(
                    "it can make text display in a different order than it is stored (Trojan Source); delete it",
                ),
            );
        } else if is_control(c) && !control {
            control = true;
            out.push(
                Finding::error(Code::ControlCharacter, path, Some(span), format!("control character {}", name(c)))
                    .with_help(
                        "control characters can drive terminals and hide text; delete it (write escapes as text)",
                    ),
            );
        } else if is_invisible(c) && in_front(i) && !(i == 0 && c == '\u{FEFF}') && !invisible {
            invisible = true;
            out.push(
                Finding::new(Code::InvisibleCharacter, path, Some(span), format!("invisible character {}", name(c)))
                    .with_help("it displays as nothing, so two different values can look the same; delete it"),
            );
        }
    }
    if let Some(range) = front_matter {
        out.extend(mixed_scripts(path, text, range));
    }
    out
}

/// Values that only become dangerous once decoded: a double-quoted YAML string can write
/// `"\e[2J"` or `"\u202E"` without the raw character being in the file. One finding, at the
/// value; skipped when the raw text already had one (same characters, already reported).
pub fn check_values(path: &Path, tree: &Node, raw: &[Finding]) -> Option<Finding> {
    if raw.iter().any(|f| matches!(f.code, Code::BidiControl | Code::ControlCharacter)) {
        return None;
    }
    let (node, c) = find_decoded(tree)?;
    let code = if is_bidi(c) { Code::BidiControl } else { Code::ControlCharacter };
    Some(
        Finding::error(code, path, Some(node.span.clone()), format!("this value decodes to the character {}", name(c)))
            .with_help("a YAML escape (`\\e`, `\\u…`) writes it; delete the escape"),
    )
}

fn find_decoded(node: &Node) -> Option<(&Node, char)> {
    match &node.kind {
        NodeKind::Str(s, _) if clean_ascii(s.as_bytes()) => None,
        NodeKind::Str(s, _) => s.chars().find(|&c| is_bidi(c) || is_control(c)).map(|c| (node, c)),
        NodeKind::Seq(items) => items.iter().find_map(find_decoded),
        NodeKind::Map(entries) => entries.iter().find_map(|(_, v)| find_decoded(v)),
        _ => None,
    }
}

/// `U+202E RIGHT-TO-LEFT OVERRIDE`-style name of a character.
fn name(c: char) -> String {
    let known = match c {
        '\u{202A}' => "LEFT-TO-RIGHT EMBEDDING",
        '\u{202B}' => "RIGHT-TO-LEFT EMBEDDING",
        '\u{202C}' => "POP DIRECTIONAL FORMATTING",
        '\u{202D}' => "LEFT-TO-RIGHT OVERRIDE",
        '\u{202E}' => "RIGHT-TO-LEFT OVERRIDE",
        '\u{2066}' => "LEFT-TO-RIGHT ISOLATE",
        '\u{2067}' => "RIGHT-TO-LEFT ISOLATE",
        '\u{2068}' => "FIRST STRONG ISOLATE",
        '\u{2069}' => "POP DIRECTIONAL ISOLATE",
        '\u{200B}' => "ZERO WIDTH SPACE",
        '\u{200C}' => "ZERO WIDTH NON-JOINER",
        '\u{200D}' => "ZERO WIDTH JOINER",
        '\u{FEFF}' => "ZERO WIDTH NO-BREAK SPACE",
        '\u{0000}' => "NULL",
        '\u{001B}' => "ESCAPE",
        _ => "",
    };
    let code = format!("U+{:04X}", u32::from(c));
    if known.is_empty() { code } else { format!("{code} {known}") }
}

/// Words of the front matter that mix Latin letters with Greek or Cyrillic ones (one finding).
fn mixed_scripts(path: &Path, text: &str, range: Range<usize>) -> Option<Finding> {
    let yaml = text.get(range.clone())?;
    let mut start = None;
    let mut seen: Vec<Script> = Vec::new();
    for (i, c) in yaml.char_indices().chain(std::iter::once((yaml.len(), ' '))) {
        if c.is_alphanumeric() {
            start.get_or_insert(i);
            let s = script(c);
            if s != Script::Other && !seen.contains(&s) {
                seen.push(s);
            }
            continue;
        }
        if let Some(from) = start.take()
            && seen.contains(&Script::Latin)
            && seen.len() > 1
        {
            let span = range.start + from..range.start + i;
            let f = Finding::new(
                Code::MixedScript,
                path,
                Some(span),
                format!("`{}` mixes Latin with Greek or Cyrillic letters", &yaml[from..i]),
            )
            .with_help("a lookalike letter can make an id, product or name impersonate another; retype the word");
            return Some(f);
        }
        seen.clear();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clean_ascii_is_exactly_no_control_bidi_or_invisible_character() {
        for b in 0u8..=0x7f {
            let c = char::from(b);
            let want = !(is_control(c) || is_bidi(c) || is_invisible(c));
            // Alone, and at every position of a chunk longer than one vector.
            for at in [0, 31, 63, 64, 99] {
                let mut text = vec![b'a'; 100];
                text[at] = b;
                assert_eq!(clean_ascii(&text), want, "byte {b:#04x} at {at}");
            }
        }
        assert!(!clean_ascii("é".as_bytes()));
        assert!(clean_ascii(b""));
    }

    fn codes(text: &str, front: Option<Range<usize>>) -> Vec<&'static str> {
        check(Path::new("r.md"), text, front).into_iter().map(|f| f.code.as_str()).collect()
    }

    #[test]
    fn trojan_source_characters_are_found_and_located() {
        let text = "title: a\u{202E}b\n";
        let f = check(Path::new("r.md"), text, Some(0..text.len()));
        assert_eq!(f[0].code, "bidi-control");
        assert_eq!(&text[f[0].span.clone().expect("span")], "\u{202E}");
        assert!(f[0].message.contains("U+202E RIGHT-TO-LEFT OVERRIDE"), "{}", f[0].message);
        assert_eq!(codes("a\u{1b}[2J b\u{0}", None), ["control-character"], "one finding per kind");
        assert_eq!(codes("tabs\tand\r\nlines\n", None), Vec::<&str>::new());
    }

    #[test]
    fn escapes_that_decode_to_controls_are_found_at_the_value() {
        let text = "title: \"a \\e[2J b\"\nok: \"\\u202E\"\n";
        let tree = crate::format::yaml::parse(text, 0).expect("yaml");
        let f = check_values(Path::new("r.md"), &tree, &[]).expect("finding");
        assert_eq!((f.code.as_str(), &text[f.span.clone().expect("span")]), ("control-character", "\"a \\e[2J b\""));
        assert!(f.message.contains("U+001B ESCAPE"), "{}", f.message);
        assert!(
            check_values(Path::new("r.md"), &crate::format::yaml::parse("a: plain\n", 0).expect("yaml"), &[]).is_none()
        );
    }

    #[test]
    fn invisible_characters_matter_in_the_front_matter_only() {
        let text = "title: a\u{200B}b\n---\nbody\u{200B}\n";
        assert_eq!(codes(text, Some(0..11)), ["invisible-character"]);
        assert_eq!(codes("\u{FEFF}title: x\n", Some(0..12)), Vec::<&str>::new(), "a leading BOM is fine");
    }

    #[test]
    fn lookalike_words_are_warned_about() {
        let text = "title: Login to p\u{0430}ypal\n";
        let f = check(Path::new("r.md"), text, Some(0..text.len()));
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].code, "mixed-script");
        assert_eq!(&text[f[0].span.clone().expect("span")], "p\u{0430}ypal");
        assert_eq!(codes("title: Ошибка in Σ module\n", Some(0..27)), Vec::<&str>::new(), "whole words are fine");
    }
}
