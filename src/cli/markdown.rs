//! Markdown for a terminal: headings, lists, quotes and code kept readable as plain text.
//!
//! Used by `show` for the report body. Raw HTML is shown as text (never interpreted) and every
//! character passes through [`sanitize`], so escape sequences in a researcher's text cannot
//! drive the terminal.

use pulldown_cmark::{CodeBlockKind, Event, HeadingLevel, Options, Parser, Tag, TagEnd};

use super::table::{Style, sanitize};

/// `markdown` as terminal text, styled when `color` is on.
pub fn to_terminal(markdown: &str, color: bool) -> String {
    let mut r = Renderer { color, out: String::new(), lists: Vec::new(), quote: 0, pending_link: Vec::new() };
    for event in Parser::new_ext(markdown, Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH) {
        r.event(event);
    }
    let mut out = r.out.trim_end().to_owned();
    out.push('\n');
    out
}

struct Renderer {
    color: bool,
    out: String,
    /// Open lists: the next number of an ordered list, `None` for bullets.
    lists: Vec<Option<u64>>,
    quote: usize,
    pending_link: Vec<String>,
}

impl Renderer {
    fn event(&mut self, event: Event<'_>) {
        match event {
            Event::Start(tag) => self.start(tag),
            Event::End(tag) => self.end(tag),
            Event::Text(t) => self.text(&t, Style::Plain),
            Event::Code(t) if self.color => self.text(&t, Style::Cyan),
            Event::Code(t) => self.text(&format!("`{t}`"), Style::Plain),
            Event::Html(t) | Event::InlineHtml(t) => self.text(&t, Style::Dim),
            Event::SoftBreak => self.out.push(' '),
            Event::HardBreak => self.newline(),
            Event::Rule => {
                self.block();
                self.out.push_str("────────");
                self.newline();
            }
            Event::TaskListMarker(done) => self.out.push_str(if done { "[x] " } else { "[ ] " }),
            Event::FootnoteReference(t) | Event::InlineMath(t) | Event::DisplayMath(t) => self.text(&t, Style::Plain),
        }
    }

    fn start(&mut self, tag: Tag<'_>) {
        match tag {
            Tag::Heading { level, .. } => {
                self.block();
                let marks = match level {
                    HeadingLevel::H1 => "# ",
                    HeadingLevel::H2 => "## ",
                    _ => "### ",
                };
                self.out.push_str(&Style::Bold.paint(marks, self.color));
                self.out.push_str(if self.color { "\x1b[1m" } else { "" });
            }
            Tag::Paragraph if self.lists.is_empty() => self.block(),
            Tag::BlockQuote(_) => {
                self.block();
                self.quote += 1;
                self.prefix();
            }
            Tag::CodeBlock(kind) => {
                self.block();
                if let CodeBlockKind::Fenced(lang) = kind
                    && !lang.is_empty()
                {
                    self.text(&format!("    [{lang}]"), Style::Dim);
                    self.newline();
                }
                self.out.push_str("    ");
            }
            Tag::List(start) => {
                if self.lists.is_empty() {
                    self.block();
                }
                self.lists.push(start);
            }
            Tag::Item => {
                self.newline_if_needed();
                let depth = self.lists.len().saturating_sub(1);
                self.out.push_str(&"  ".repeat(depth));
                match self.lists.last_mut() {
                    Some(Some(n)) => {
                        self.out.push_str(&format!("{n}. "));
                        *n += 1;
                    }
                    _ => self.out.push_str("• "),
                }
            }
            Tag::Link { dest_url, .. } | Tag::Image { dest_url, .. } => self.pending_link.push(dest_url.to_string()),
            Tag::TableCell => self.out.push_str("| "),
            _ => {}
        }
    }

    fn end(&mut self, tag: TagEnd) {
        match tag {
            TagEnd::Heading(_) => {
                if self.color {
                    self.out.push_str("\x1b[0m");
                }
                self.newline();
            }
            TagEnd::Paragraph | TagEnd::CodeBlock | TagEnd::TableRow | TagEnd::TableHead => self.newline_if_needed(),
            TagEnd::BlockQuote(_) => self.quote = self.quote.saturating_sub(1),
            TagEnd::List(_) => {
                self.lists.pop();
                self.newline_if_needed();
            }
            TagEnd::Link | TagEnd::Image => {
                if let Some(url) = self.pending_link.pop() {
                    self.text(&format!(" <{url}>"), Style::Dim);
                }
            }
            TagEnd::TableCell => self.out.push(' '),
            _ => {}
        }
    }

    fn text(&mut self, text: &str, style: Style) {
        let clean = sanitize_keep_newlines(text);
        let mut lines = clean.split('\n').peekable();
        while let Some(line) = lines.next() {
            self.out.push_str(&style.paint(line, self.color));
            if lines.peek().is_some() {
                self.newline();
                if self.out.ends_with('\n') && !line.is_empty() {
                    // Continuation lines of code blocks keep their indentation.
                    self.out.push_str("    ");
                }
            }
        }
    }

    fn prefix(&mut self) {
        for _ in 0..self.quote {
            self.out.push_str("│ ");
        }
    }

    fn newline(&mut self) {
        self.out.push('\n');
        self.prefix();
    }

    fn newline_if_needed(&mut self) {
        if !self.out.is_empty() && !self.out.ends_with('\n') && !self.out.ends_with("│ ") {
            self.newline();
        }
    }

    /// Starts a block: a blank line after whatever came before.
    fn block(&mut self) {
        if self.out.is_empty() {
            return;
        }
        self.newline_if_needed();
        if !self.out.ends_with("\n\n") {
            self.newline();
        }
    }
}

fn sanitize_keep_newlines(text: &str) -> String {
    text.split('\n').map(sanitize).collect::<Vec<_>>().join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn structure_stays_readable() {
        let md = "## Summary\n\nText with `code` and a [link](https://x.test).\n\n- one\n- two\n\n1. first\n2. second\n\n```sh\ncurl x\ncurl y\n```\n";
        let got = to_terminal(md, false);
        assert_eq!(
            got,
            "## Summary\n\nText with `code` and a link <https://x.test>.\n\n• one\n• two\n\n1. first\n2. second\n\n    [sh]\n    curl x\n    curl y\n"
        );
    }

    #[test]
    fn escapes_and_html_are_inert() {
        let got = to_terminal("Bad \x1b[2J <script>alert(1)</script>\n", false);
        assert!(got.contains("\\u{1b}[2J"), "{got}");
        assert!(got.contains("<script>"), "{got}");
    }
}
