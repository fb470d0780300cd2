//! Markdown that leaves the repository: no comment, no raw HTML, no unsafe URL, in any format.
//!
//! A public section's text is published three ways: as sanitised HTML (the page), and as
//! Markdown (the `.md` page, OSV `details`, CSAF notes, CVE descriptions), which other tools
//! render however they like. So the Markdown itself is made safe here, on pulldown-cmark's
//! event stream with offsets, never on lines of text:
//! - HTML comments are removed, an unclosed `<!--` running to the end of the text (outside
//!   code spans and code blocks, where `<!--` is code);
//! - raw HTML (blocks and inline tags) becomes its text, the way the sanitised page shows it;
//! - a link, image or autolink whose URL has a scheme other than `http`, `https` or
//!   `mailto` becomes its plain text (an autolink disappears), and such a reference
//!   definition is removed.

use std::collections::HashSet;
use std::ops::Range;

use pulldown_cmark::{Event, LinkType, Parser, Tag};

use crate::format::report::sections::options;

/// The URL schemes that may leave, in every format.
pub const SAFE_SCHEMES: [&str; 3] = ["http", "https", "mailto"];

/// True for a URL without a scheme (relative) or with one of [`SAFE_SCHEMES`]. Spaces and
/// control characters are ignored as browsers ignore them (`java\tscript:`); anything before
/// the first `:` that is not a path, query or fragment counts as a scheme.
pub fn safe_url(url: &str) -> bool {
    let u: String = url.chars().filter(|c| !c.is_control() && !c.is_whitespace()).collect();
    match u.find(':') {
        Some(i) if !u[..i].contains(['/', '?', '#']) => {
            let scheme = u[..i].to_ascii_lowercase();
            SAFE_SCHEMES.contains(&scheme.as_str())
        }
        _ => true,
    }
}

/// `markdown` without its HTML comments: `<!--` outside code opens a comment that runs to the
/// next `-->`, or to the end of the text when it is never closed.
pub fn without_comments(markdown: &str) -> String {
    let mut text = markdown.to_owned();
    // Removing a comment may join `<!` and `--` into a new opener: repeat until none is left.
    loop {
        let code = code_ranges(&text);
        let mut out = String::with_capacity(text.len());
        let mut pos = 0;
        for (start, _) in text.match_indices("<!--") {
            // Code ranges are in document order and do not overlap.
            let i = code.partition_point(|r| r.start <= start);
            if start < pos || (i > 0 && start < code[i - 1].end) {
                continue;
            }
            out.push_str(&text[pos..start]);
            pos = text[start + 2..].find("-->").map_or(text.len(), |i| start + 2 + i + 3);
        }
        if pos == 0 && out.is_empty() {
            return text;
        }
        out.push_str(&text[pos..]);
        text = out;
    }
}

/// The Markdown that Markdown outputs carry: comments removed, raw HTML as text, only safe URLs.
pub fn public_markdown(markdown: &str) -> String {
    settle(without_comments(markdown), true)
}

/// The Markdown the HTML page is rendered from: comments removed, only safe URLs (its raw
/// HTML is left to the sanitiser, which keeps an unsafe autolink's text otherwise).
pub fn page_markdown(markdown: &str) -> String {
    settle(without_comments(markdown), false)
}

/// Passes of [`unsafe_parts`] until nothing is left to replace.
fn settle(mut text: String, raw_html: bool) -> String {
    // Each pass removes what the last one could have uncovered (raw HTML whose text reads as a
    // link); a few passes settle any real text. Past that, fail closed: escaped plain text.
    for _ in 0..8 {
        match unsafe_parts(&text, raw_html) {
            None => return text,
            Some(next) => text = next,
        }
    }
    escape(&crate::publish::public::plain_text(&text))
}

/// One pass: the text with its unsafe links (and its raw HTML, with `raw_html`) replaced, or
/// `None` when it has none.
fn unsafe_parts(markdown: &str, raw_html: bool) -> Option<String> {
    let parser = Parser::new_ext(markdown, options()).into_offset_iter();
    let mut edits: Vec<(Range<usize>, String)> = parser
        .reference_definitions()
        .iter()
        .filter(|(_, def)| !safe_url(&def.dest))
        .map(|(_, def)| (def.span.clone(), String::new()))
        .collect();
    // An unsafe link or image being replaced by its text: range, text so far, nesting.
    let mut capture: Option<(Range<usize>, String, usize)> = None;
    for (event, range) in parser {
        if let Some((_, text, nesting)) = capture.as_mut() {
            match &event {
                Event::Start(_) => *nesting += 1,
                Event::End(_) => *nesting -= 1,
                Event::Text(t) | Event::Code(t) => text.push_str(t),
                Event::SoftBreak | Event::HardBreak => text.push(' '),
                _ => {}
            }
            if *nesting == 0 {
                let (range, text, _) = capture.take().expect("capturing");
                edits.push((range, escape(&text)));
            }
            continue;
        }
        let replacement = match event {
            Event::Start(Tag::Link { link_type: LinkType::Autolink | LinkType::Email, dest_url, .. })
                if !safe_url(&dest_url) =>
            {
                String::new()
            }
            Event::Start(Tag::Link { dest_url, .. } | Tag::Image { dest_url, .. }) if !safe_url(&dest_url) => {
                capture = Some((range, String::new(), 1));
                continue;
            }
            Event::Start(Tag::HtmlBlock) | Event::Html(_) | Event::InlineHtml(_) if raw_html => {
                let text = html_text(&markdown[range.clone()]);
                // Keep the block a block.
                if markdown[range.clone()].ends_with('\n') { text + "\n" } else { text }
            }
            _ => continue,
        };
        edits.push((range, replacement));
    }
    if edits.is_empty() {
        return None;
    }
    // Outermost first; an edit inside one already made waits for the next pass.
    edits.sort_by(|a, b| a.0.start.cmp(&b.0.start).then(b.0.end.cmp(&a.0.end)));
    let mut out = String::with_capacity(markdown.len());
    let mut pos = 0;
    for (range, replacement) in edits {
        if range.start < pos {
            continue;
        }
        out.push_str(&markdown[pos..range.start]);
        out.push_str(&replacement);
        pos = range.end;
    }
    out.push_str(&markdown[pos..]);
    Some(out)
}

/// The text of raw HTML, as a sanitiser shows it: no tags, no attributes, no script or style
/// content, `<` and `&` escaped.
fn html_text(html: &str) -> String {
    ammonia::Builder::empty()
        .clean_content_tags(HashSet::from(["script", "style"]))
        .clean(html)
        .to_string()
        .trim_end()
        .to_owned()
}

/// Text with every ASCII punctuation character backslash-escaped: it reads as itself in any
/// CommonMark renderer, never as markup.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if c.is_ascii_punctuation() {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Byte ranges of code spans and code blocks.
fn code_ranges(markdown: &str) -> Vec<Range<usize>> {
    Parser::new_ext(markdown, options())
        .into_offset_iter()
        .filter(|(e, _)| matches!(e, Event::Code(_) | Event::Start(Tag::CodeBlock(_))))
        .map(|(_, r)| r)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_with_unsafe_schemes() {
        for bad in
            ["javascript:alert(1)", "JaVaScRiPt:x", " java\tscript:x", "vbscript:x", "data:text/html,x", "file:///etc"]
        {
            assert!(!safe_url(bad), "{bad}");
        }
        for ok in ["https://x.test/a:b", "http://x", "mailto:a@x.test", "/relative", "#frag", "a/b:c", "?q=a:b"] {
            assert!(safe_url(ok), "{ok}");
        }
    }

    #[test]
    fn comments_never_leave() {
        assert_eq!(without_comments("a <!-- secret --> b"), "a  b");
        assert_eq!(without_comments("a\n<!--\nsecret\n"), "a\n");
        assert_eq!(without_comments("`<!--` code <!-- x -->"), "`<!--` code ");
        assert_eq!(without_comments("<!<!-- x -->-- secret"), "");
        assert_eq!(without_comments("<!-->shown"), "shown");
    }

    #[test]
    fn markdown_outputs_carry_no_raw_html_and_no_unsafe_url() {
        let cases = [
            ("Text <script>alert(1)</script> and `<code>`", "Text alert(1) and `<code>`"),
            ("<img src=x onerror=alert(1)>\n\n**bold**", "\n\n**bold**"),
            ("plain **markdown** [ok](https://x.test)", "plain **markdown** [ok](https://x.test)"),
            ("[click](javascript:alert(1)) here", "click here"),
            ("![alt](javascript:alert(1))", "alt"),
            ("see <javascript:alert(1)>.", "see ."),
            ("[x][r]\n\n[r]: vbscript:msgbox(1)\n", "x\n\n\n"),
            ("[x](java&#115;cript:alert(1))", "x"),
            ("<div>\n<a href=\"javascript:alert(1)\">hi</a>\n</div>\n", "\nhi\n"),
            ("<span>[x](javascript:alert(1))</span>", "x"),
        ];
        for (input, want) in cases {
            let got = public_markdown(input);
            assert_eq!(got, want, "{input}");
        }
    }
}
