//! The body's `##` sections (Summary, Impact, Reproduction, Context, Remediation).
//!
//! Headings are found with pulldown-cmark, so a `## ` line inside a code block is not a
//! section. Each section keeps the byte span of its heading and of its content.

use std::ops::Range;

use pulldown_cmark::{Event, HeadingLevel, Parser, Tag, TagEnd};

/// One `##` section of a report body. Spans are bytes into the whole file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Section {
    /// The heading text, trimmed (`Summary`).
    pub title: String,
    pub heading: Range<usize>,
    /// From after the heading line to the next `##` heading (or the end of the body).
    pub content: Range<usize>,
}

/// Finds the level-2 sections of `body`, which starts at byte `offset` of its file.
pub fn sections(body: &str, offset: usize) -> Vec<Section> {
    let mut found: Vec<(String, Range<usize>)> = Vec::new();
    let mut current: Option<(String, Range<usize>)> = None;
    for (event, range) in Parser::new(body).into_offset_iter() {
        match event {
            Event::Start(Tag::Heading { level: HeadingLevel::H2, .. }) => current = Some((String::new(), range)),
            Event::Text(t) | Event::Code(t) if current.is_some() => {
                if let Some((title, _)) = current.as_mut() {
                    title.push_str(&t);
                }
            }
            Event::End(TagEnd::Heading(HeadingLevel::H2)) => {
                if let Some((title, r)) = current.take() {
                    found.push((title.trim().to_owned(), r));
                }
            }
            _ => {}
        }
    }
    let mut out = Vec::with_capacity(found.len());
    for (i, (title, heading)) in found.iter().enumerate() {
        let content_start = line_end(body, heading.end);
        let content_end = found.get(i + 1).map_or(body.len(), |(_, next)| next.start).max(content_start);
        out.push(Section {
            title: title.clone(),
            heading: heading.start + offset..heading.end + offset,
            content: content_start + offset..content_end + offset,
        });
    }
    out
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

    #[test]
    fn finds_sections_and_ignores_code_blocks() {
        let body = "intro\n\n## Summary\n\nA bug.\n\n```\n## not a heading\n```\n\n## Impact\nBad.\n";
        let s = sections(body, 100);
        let titles: Vec<_> = s.iter().map(|s| s.title.as_str()).collect();
        assert_eq!(titles, ["Summary", "Impact"]);
        let summary = &body[s[0].content.start - 100..s[0].content.end - 100];
        assert!(summary.starts_with("\nA bug."), "{summary:?}");
        assert!(summary.contains("## not a heading"));
        assert_eq!(&body[s[1].content.start - 100..s[1].content.end - 100], "Bad.\n");
    }

    #[test]
    fn setext_and_trailing_heading_without_newline() {
        let s = sections("## Summary", 0);
        assert_eq!(s.len(), 1);
        assert_eq!(s[0].content, 10..10);
    }
}
