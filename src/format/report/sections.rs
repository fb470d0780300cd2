//! The body's `##` sections (Summary, Impact, Reproduction, Context, Remediation), decided on
//! the Markdown document's structure, never on lines of text.
//!
//! The rule (`docs/format.md`, "Body sections"): only a level-2 heading (ATX `## Title` or
//! setext `Title` + `---`) at the document's top level starts a section: not one inside a
//! blockquote, a list item, an HTML block or a code block. A section ends only at the next
//! such heading. Anything else that reads like a section heading is *ambiguous*: the
//! [`Outline`] lists it (`validate` reports `ambiguous-heading`), and nothing from the
//! top-level block holding the first one on is [`Section::publishable`], so a heading that an
//! HTML block, a comment or a stray fence swallowed never drags what follows it into a public
//! section. Each section keeps the byte span of its heading and of its content.

use std::collections::HashSet;
use std::ops::Range;

use pulldown_cmark::{CodeBlockKind, Event, HeadingLevel, Options, Parser, Tag, TagEnd};

/// The Markdown extensions reports are parsed and rendered with (tables, strikethrough).
pub fn options() -> Options {
    Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH
}

/// One `##` section of a report body. Spans are bytes into the whole file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Section {
    /// The heading text, trimmed (`Summary`).
    pub title: String,
    pub heading: Range<usize>,
    /// From after the heading line to the next top-level `##` heading (or the end of the body).
    pub content: Range<usize>,
    /// The part of `content` before the top-level block that holds the body's first ambiguous
    /// line (all of `content` when there is none before its end): what a public section may
    /// publish.
    pub publishable: Range<usize>,
    /// An earlier section has the same title (compared case-insensitively): never published.
    pub repeated: bool,
}

/// Why a line that reads like a section heading does not start a section.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ambiguity {
    /// Inside a raw HTML block or an HTML comment.
    InHtml,
    /// A top-level heading while raw HTML before it left an element or a comment open: to a
    /// browser, it is inside that element.
    InOpenHtml,
    /// Inside a fenced code block that is never closed.
    InUnclosedFence,
    /// Inside a closed fenced code block: a stray fence before a heading swallows it and
    /// turns the code blocks after it inside out.
    InFence,
    /// A level-2 heading inside a blockquote or a list item.
    Nested,
    /// A level-1 heading inside a section (sections are level 2).
    Level1,
    /// Text that reads like a heading but is none: `##Title`, or a `##` line or a `---`
    /// underline under text that another block swallowed (a paragraph, a table, a list).
    NotAHeading,
}

/// One ambiguous line. `line` is bytes into the whole file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ambiguous {
    pub kind: Ambiguity,
    pub line: Range<usize>,
}

/// The sections of a body and its ambiguous lines, in file order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Outline {
    pub sections: Vec<Section>,
    pub ambiguous: Vec<Ambiguous>,
}

/// Finds the level-2 sections of `body`, which starts at byte `offset` of its file.
pub fn sections(body: &str, offset: usize) -> Vec<Section> {
    outline(body, offset).sections
}

/// What the parser saw: top-level `##` headings, and the ranges the line scan needs.
#[derive(Default)]
struct Structure {
    /// Top-level level-2 headings: title, range, and whether raw HTML before it left an
    /// element or a comment open (the heading then sits inside it, to a browser).
    found: Vec<(String, Range<usize>, bool)>,
    /// Every heading, any level and depth.
    headings: Vec<Range<usize>>,
    /// Level-2 headings inside a container; top-level level-1 headings.
    nested: Vec<(Ambiguity, Range<usize>)>,
    /// Indented code blocks: their lines are code.
    code: Vec<Range<usize>>,
    /// Closed fenced code blocks.
    fenced: Vec<Range<usize>>,
    unclosed: Vec<Range<usize>>,
    html: Vec<Range<usize>>,
    /// Every top-level block, in order.
    blocks: Vec<Range<usize>>,
}

fn parse(body: &str) -> Structure {
    let mut s = Structure::default();
    let mut depth = 0usize;
    let mut title: Option<(String, Range<usize>, bool)> = None;
    let mut html = OpenHtml::default();
    for (event, range) in Parser::new_ext(body, options()).into_offset_iter() {
        match &event {
            // Elements are followed in HTML blocks only: a payload in prose (`q=<script>`) is
            // no wrapper, while `<details>` on its own line is.
            Event::Html(_) => html.scan(body, range.clone(), true),
            Event::InlineHtml(_) => html.scan(body, range.clone(), false),
            _ => {}
        }
        match event {
            Event::Start(tag) => {
                if depth == 0 {
                    s.blocks.push(range.clone());
                }
                match tag {
                    Tag::Heading { level, .. } => {
                        s.headings.push(range.clone());
                        match (level, depth) {
                            (HeadingLevel::H2, 0) => {
                                title = Some((String::new(), range.clone(), html.is_open(range.start)))
                            }
                            (HeadingLevel::H2, _) => s.nested.push((Ambiguity::Nested, range.clone())),
                            (HeadingLevel::H1, 0) => s.nested.push((Ambiguity::Level1, range.clone())),
                            _ => {}
                        }
                    }
                    Tag::CodeBlock(CodeBlockKind::Indented) => s.code.push(range.clone()),
                    Tag::CodeBlock(CodeBlockKind::Fenced(_)) => {
                        if fence_closed(&body[range.clone()]) {
                            s.fenced.push(range.clone());
                        } else {
                            s.unclosed.push(range.clone());
                        }
                    }
                    Tag::HtmlBlock => s.html.push(range.clone()),
                    _ => {}
                }
                depth += 1;
            }
            Event::End(end) => {
                depth = depth.saturating_sub(1);
                if end == TagEnd::Heading(HeadingLevel::H2)
                    && depth == 0
                    && let Some((t, r, open)) = title.take()
                {
                    s.found.push((t.trim().to_owned(), r, open));
                }
            }
            Event::Text(t) | Event::Code(t) => {
                if let Some((title, ..)) = title.as_mut() {
                    title.push_str(&t);
                }
            }
            // Inline HTML is only ever inside a block; a raw HTML line outside one is a block.
            Event::Html(_) | Event::Rule | Event::InlineHtml(_) if depth == 0 => s.blocks.push(range),
            _ => {}
        }
    }
    s
}

/// Finds the sections of `body` (at byte `offset` of its file) and its ambiguous lines.
pub fn outline(body: &str, offset: usize) -> Outline {
    let s = parse(body);
    // A line belongs to a block it overlaps (a block in a container starts after its markers).
    // Each list is in document order and its blocks do not overlap: the last one starting
    // before the line's end is the only candidate.
    let within = |ranges: &[Range<usize>], line: &Range<usize>| {
        let i = ranges.partition_point(|r| r.start < line.end);
        i > 0 && ranges[i - 1].end > line.start
    };
    let mut ambiguous: Vec<(Ambiguity, Range<usize>)> = Vec::new();
    let (mut pos, mut prev_blank) = (0usize, true);
    for line in body.split_inclusive('\n') {
        let start = pos;
        pos += line.len();
        let here = start..pos;
        let quoted = strip_quotes(line);
        let bare = strip_markers(quoted);
        let atx = reads_as_h2(bare);
        let underline = !prev_blank && is_underline(quoted);
        // A fence line is no setext title (`---` right after a fence is YAML).
        let fence = quoted.starts_with("```") || quoted.starts_with("~~~");
        prev_blank = bare.trim().is_empty() || fence;
        if !(atx || underline) || within(&s.code, &here) {
            continue;
        }
        let kind = if within(&s.html, &here) {
            Ambiguity::InHtml
        } else if within(&s.unclosed, &here) {
            Ambiguity::InUnclosedFence
        } else if within(&s.fenced, &here) {
            Ambiguity::InFence
        } else if within(&s.headings, &here) {
            // Headings are the parser's to judge: nested and level-1 ones are listed from its
            // events.
            continue;
        } else {
            Ambiguity::NotAHeading
        };
        ambiguous.push((kind, start..start + line.trim_end().len()));
    }
    let first_section = s.found.first().map_or(usize::MAX, |(_, r, _)| r.start);
    for (_, r, _) in s.found.iter().filter(|(.., open)| *open) {
        let end = body[r.start..r.end].find('\n').map_or(r.end, |i| r.start + i);
        ambiguous.push((Ambiguity::InOpenHtml, r.start..end));
    }
    ambiguous.extend(s.nested.iter().filter(|(k, r)| *k != Ambiguity::Level1 || r.start > first_section).map(
        |(k, r)| {
            let end = body[r.start..r.end].find('\n').map_or(r.end, |i| r.start + i);
            (*k, r.start..end)
        },
    ));
    ambiguous.sort_by_key(|(_, r)| r.start);
    // The top-level block holding `pos` (or `pos` itself between blocks).
    let block_start = |pos: usize| s.blocks.iter().find(|b| b.start <= pos && pos < b.end).map_or(pos, |b| b.start);
    let mut seen = HashSet::new();
    let mut sections = Vec::with_capacity(s.found.len());
    // Nothing is published from the first ambiguous line on: a swallowed heading turns the
    // structure after it inside out (a fence it opened closes one that came later).
    let cut = ambiguous.first().map_or(body.len(), |(_, r)| {
        let heading = s.found.iter().any(|(_, h, open)| *open && h.start == r.start);
        if heading { r.start } else { block_start(r.start) }
    });
    for (i, (title, heading, _)) in s.found.iter().enumerate() {
        let content_start = line_end(body, heading.end);
        let content_end = s.found.get(i + 1).map_or(body.len(), |(_, next, _)| next.start).max(content_start);
        let cut = cut.clamp(content_start, content_end);
        sections.push(Section {
            title: title.clone(),
            heading: heading.start + offset..heading.end + offset,
            content: content_start + offset..content_end + offset,
            publishable: content_start + offset..cut + offset,
            repeated: !seen.insert(title.to_lowercase()),
        });
    }
    Outline {
        sections,
        ambiguous: ambiguous
            .into_iter()
            .map(|(kind, r)| Ambiguous { kind, line: r.start + offset..r.end + offset })
            .collect(),
    }
}

/// The raw HTML elements and the comment left open so far, in document order.
#[derive(Default)]
struct OpenHtml {
    elements: Vec<String>,
    /// Where the open comment ends (just after its `-->`; `usize::MAX` when never closed).
    comment_end: Option<usize>,
}

/// HTML elements that hold what follows them until their end tag (void elements and those
/// whose end tag may be left out are not listed). Other names (`Vec<String>` written without
/// backticks) are no element to a reader; custom elements (`<my-box>`) are.
const CONTAINERS: &[&str] = &[
    "a",
    "abbr",
    "address",
    "article",
    "aside",
    "audio",
    "b",
    "bdi",
    "bdo",
    "blockquote",
    "button",
    "canvas",
    "center",
    "cite",
    "code",
    "data",
    "datalist",
    "del",
    "details",
    "dfn",
    "dialog",
    "div",
    "dl",
    "em",
    "fieldset",
    "figcaption",
    "figure",
    "font",
    "footer",
    "form",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "header",
    "hgroup",
    "i",
    "iframe",
    "ins",
    "kbd",
    "label",
    "legend",
    "main",
    "map",
    "mark",
    "marquee",
    "math",
    "menu",
    "meter",
    "nav",
    "noembed",
    "noframes",
    "noscript",
    "object",
    "ol",
    "output",
    "picture",
    "plaintext",
    "pre",
    "progress",
    "q",
    "s",
    "samp",
    "script",
    "search",
    "section",
    "select",
    "slot",
    "small",
    "span",
    "strike",
    "strong",
    "style",
    "sub",
    "summary",
    "sup",
    "svg",
    "table",
    "template",
    "textarea",
    "time",
    "title",
    "u",
    "ul",
    "var",
    "video",
    "xmp",
];

impl OpenHtml {
    fn is_open(&self, pos: usize) -> bool {
        self.comment_end.is_some_and(|end| end > pos) || !self.elements.is_empty()
    }

    /// Follows comments in the raw text of `range` (searched in the body, as a comment's end
    /// may lie beyond the event), and tags too when it is an HTML block (`tags`).
    fn scan(&mut self, body: &str, range: Range<usize>, tags: bool) {
        let mut pos = range.start;
        while pos < range.end {
            if let Some(end) = self.comment_end.filter(|e| *e > pos) {
                pos = end;
                continue;
            }
            let Some(lt) = body[pos..range.end].find('<') else { return };
            let at = pos + lt;
            pos = at + 1;
            if body[at..].starts_with("<!--") {
                // `<!-->` and `<!--->` are complete (empty) comments.
                self.comment_end = Some(body[at + 2..].find("-->").map_or(usize::MAX, |i| at + 2 + i + 3));
                continue;
            }
            if tags {
                self.tag(&body[at + 1..range.end]);
            }
        }
    }

    /// Opens or closes the element of the tag that `rest` starts (after its `<`).
    fn tag(&mut self, rest: &str) {
        let (closing, name_at) = rest.strip_prefix('/').map_or((false, rest), |r| (true, r));
        let len = name_at.bytes().take_while(|b| b.is_ascii_alphanumeric() || *b == b'-').count();
        if len == 0 || !name_at.as_bytes()[0].is_ascii_alphabetic() {
            return;
        }
        let name = name_at[..len].to_ascii_lowercase();
        let tag_end = name_at.find('>').unwrap_or(name_at.len());
        if !(CONTAINERS.contains(&name.as_str()) || name.contains('-')) || name_at[..tag_end].ends_with('/') {
            return;
        }
        if closing {
            if let Some(i) = self.elements.iter().rposition(|e| *e == name) {
                self.elements.truncate(i);
            }
        } else {
            self.elements.push(name);
        }
    }
}

/// A fenced code block's text ends with a closing fence (same character, at least as long).
fn fence_closed(block: &str) -> bool {
    let mut lines = block.lines();
    let open = lines.next().map(|l| strip_quotes(l).trim_start()).unwrap_or("");
    let Some(ch) = open.chars().next().filter(|c| *c == '`' || *c == '~') else { return false };
    let n = open.chars().take_while(|c| *c == ch).count();
    lines.next_back().is_some_and(|last| {
        let last = strip_quotes(last).trim();
        last.len() >= n && last.chars().all(|c| c == ch)
    })
}

/// The line without its leading blockquote markers, white space and invisible characters
/// (a zero-width space before `##` hides nothing).
fn strip_quotes(line: &str) -> &str {
    line.trim_start_matches(|c: char| {
        c == '>'
            || c.is_whitespace()
            || matches!(c, '\u{00ad}' | '\u{034f}' | '\u{180e}' | '\u{200b}'..='\u{200f}' | '\u{2060}'..='\u{2064}' | '\u{feff}')
    })
}

/// The line without blockquote and list markers (`-`, `*`, `+`, `1.`, `1)` and a space).
fn strip_markers(line: &str) -> &str {
    let mut rest = strip_quotes(line);
    loop {
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        let marker = match rest.as_bytes().get(digits) {
            Some(b'.' | b')') if digits > 0 => digits + 1,
            Some(b'-' | b'*' | b'+') if digits == 0 => 1,
            _ => return rest,
        };
        match rest.as_bytes().get(marker) {
            Some(b' ' | b'\t') => rest = strip_quotes(&rest[marker..]),
            _ => return rest,
        }
    }
}

/// `##` not followed by another `#`: a level-2 heading to a reader, with or without a space.
fn reads_as_h2(bare: &str) -> bool {
    bare.starts_with("##") && !bare[2..].starts_with('#')
}

/// A setext level-2 underline: dashes only.
fn is_underline(quoted: &str) -> bool {
    let t = quoted.trim_end();
    !t.is_empty() && t.bytes().all(|b| b == b'-')
}

/// The position just after the line containing `pos - 1` (a heading's range may stop before
/// its newline).
fn line_end(body: &str, pos: usize) -> usize {
    if pos > 0 && body.as_bytes().get(pos - 1) == Some(&b'\n') {
        return pos;
    }
    body[pos..].find('\n').map_or(body.len(), |i| pos + i + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn titles(body: &str) -> Vec<String> {
        sections(body, 0).into_iter().map(|s| s.title).collect()
    }

    fn kinds(body: &str) -> Vec<Ambiguity> {
        outline(body, 0).ambiguous.into_iter().map(|a| a.kind).collect()
    }

    #[test]
    fn finds_sections_and_ignores_code_blocks() {
        let body = "intro\n\n## Summary\n\nA bug.\n\n    ## not a heading\n\n## Impact\nBad.\n";
        let s = sections(body, 100);
        let titles: Vec<_> = s.iter().map(|s| s.title.as_str()).collect();
        assert_eq!(titles, ["Summary", "Impact"]);
        let summary = &body[s[0].content.start - 100..s[0].content.end - 100];
        assert!(summary.starts_with("\nA bug."), "{summary:?}");
        assert!(summary.contains("## not a heading"));
        assert_eq!(&body[s[1].content.start - 100..s[1].content.end - 100], "Bad.\n");
        assert_eq!(s[0].publishable, s[0].content);
        assert!(kinds(body).is_empty());
    }

    #[test]
    fn setext_and_trailing_heading_without_newline() {
        let s = sections("## Summary", 0);
        assert_eq!(s.len(), 1);
        assert_eq!(s[0].content, 10..10);
        assert_eq!(titles("Summary\n-------\n\ntext\n\nImpact\n---\nbad\n"), ["Summary", "Impact"]);
    }

    #[test]
    fn nested_headings_start_no_section() {
        for nested in ["> ## Impact\n> exploit\n", "- ## Impact\n  exploit\n", "- step\n\n  ## Impact\n\n  exploit\n"] {
            let body = format!("## Reproduction\n\n{nested}\n## Remediation\nok\n");
            assert_eq!(titles(&body), ["Reproduction", "Remediation"], "{nested}");
            assert_eq!(kinds(&body), [Ambiguity::Nested], "{nested}");
        }
        let body = "## Reproduction\n\n> Impact\n> ---\n";
        assert_eq!((titles(body), kinds(body)), (vec!["Reproduction".to_owned()], vec![Ambiguity::Nested]));
    }

    #[test]
    fn swallowed_headings_are_ambiguous_and_cut_the_section() {
        let cases = [
            ("<details>\n## Reproduction\nexploit\n</details>\n", Ambiguity::InHtml),
            ("<!--\n## Reproduction\nexploit\n", Ambiguity::InHtml),
            ("<div>\nReproduction\n---\nexploit\n", Ambiguity::InHtml),
            ("```\n## Reproduction\nexploit\n", Ambiguity::InUnclosedFence),
            ("```\n## Reproduction\n\n```\n## Impact\nexploit\n", Ambiguity::InFence),
            ("##Reproduction\nexploit\n", Ambiguity::NotAHeading),
            ("# Reproduction\nexploit\n", Ambiguity::Level1),
        ];
        for (tail, kind) in cases {
            let body = format!("## Summary\n\nPublic.\n\n{tail}");
            let o = outline(&body, 0);
            assert_eq!(o.ambiguous.iter().map(|a| a.kind).collect::<Vec<_>>(), [kind], "{tail}");
            assert_eq!(&body[o.sections[0].publishable.clone()], "\nPublic.\n\n", "{tail}");
            // Nothing after the first ambiguous line is published, in any section.
            assert!(o.sections[1..].iter().all(|s| s.publishable.is_empty()), "{tail}");
        }
    }

    #[test]
    fn a_heading_inside_an_open_html_element_publishes_nothing() {
        let body = "## Reproduction\n\n<details>\n\n## Impact\n\nexploit\n\n</details>\n\n## Remediation\nok\n";
        let o = outline(body, 0);
        assert_eq!(
            o.sections.iter().map(|s| s.title.as_str()).collect::<Vec<_>>(),
            ["Reproduction", "Impact", "Remediation"]
        );
        assert_eq!(o.ambiguous.iter().map(|a| a.kind).collect::<Vec<_>>(), [Ambiguity::InOpenHtml]);
        assert!(o.sections[1].publishable.is_empty() && o.sections[2].publishable.is_empty());
        // Tags and a `<!--` in prose hold nothing open: they are text or inline HTML, and
        // the public view removes the comment to the end of its section.
        for prose in ["Open /search?q=<script>.", "A <details> tag.", "Impact text <!-- secret"] {
            let body = format!("## Impact\n\n{prose}\n\n## Remediation\nok\n");
            assert!(outline(&body, 0).ambiguous.is_empty(), "{prose}");
        }
        let closed = "## Reproduction\n\n<details>\n\nx\n\n</details>\n\n## Impact\nok\n";
        assert!(outline(closed, 0).ambiguous.is_empty());
    }

    #[test]
    fn more_ways_to_hide_a_heading() {
        for tail in [
            "| a |\n|---|\n## Reproduction\nexploit\n",
            "text\n    ## Reproduction\nexploit\n",
            "\u{200b}## Reproduction\nexploit\n",
            "| a |\n|---|\nReproduction\n---\nexploit\n",
            "text <!--\n\n## Reproduction\n\nexploit\n",
            "<my-box>\n\n## Reproduction\n\nexploit\n",
        ] {
            let body = format!("## Summary\n\nPublic.\n\n{tail}");
            let o = outline(&body, 0);
            let published: String =
                o.sections.iter().filter(|s| s.title == "Summary").map(|s| &body[s.publishable.clone()]).collect();
            assert!(!published.contains("exploit"), "{tail:?}: {o:?}");
        }
        // Not elements, not comments: nothing is held open.
        let body = "## Summary\n\nA Vec<String> and `<!--`.\n\n## Impact\nok\n";
        assert!(outline(body, 0).ambiguous.is_empty());
    }

    #[test]
    fn repeated_titles_are_marked() {
        let s = sections("## Impact\na\n## Reproduction\nb\n## impact\nc\n", 0);
        assert_eq!(s.iter().map(|s| s.repeated).collect::<Vec<_>>(), [false, false, true]);
    }
}
