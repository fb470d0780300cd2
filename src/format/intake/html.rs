//! HTML mail as Markdown text, so an HTML-only message reads like a plain one and no HTML
//! ever reaches a report: one linear pass over the tags (no tree, no recursion, bounded by the
//! input), keeping text, line structure, headings (`## `), list items (`- `, `1. `), links
//! (`text (url)`), preformatted text, and dropping every tag, attribute, comment, `script`,
//! `style` and `head`. Character references are decoded. Chosen over a crate (`html2text`
//! pulls an HTML5 parser and a tree): mail HTML only needs its text and its lines.

/// Elements whose content is dropped.
const DROPPED: &[&str] = &["script", "style", "head", "title", "template", "noscript", "svg", "object"];
/// Elements that end a line (before and after).
const BLOCKS: &[&str] = &[
    "p",
    "div",
    "br",
    "tr",
    "table",
    "ul",
    "ol",
    "blockquote",
    "pre",
    "section",
    "article",
    "header",
    "footer",
    "hr",
    "dl",
    "dt",
    "dd",
    "center",
    "form",
];

/// The Markdown text of `html` (see the module docs).
pub fn to_markdown(html: &str) -> String {
    let mut out = String::with_capacity(html.len() / 2);
    let mut rest = html;
    let mut dropping: Option<String> = None;
    let mut pre = 0usize;
    let mut lists: Vec<Option<usize>> = Vec::new();
    let mut link: Option<(String, usize)> = None;
    while !rest.is_empty() {
        let Some(lt) = rest.find('<') else {
            if dropping.is_none() {
                push_text(&mut out, rest, pre > 0);
            }
            break;
        };
        if dropping.is_none() {
            push_text(&mut out, &rest[..lt], pre > 0);
        }
        rest = &rest[lt..];
        if let Some(after) = rest.strip_prefix("<!--") {
            rest = after.find("-->").map_or("", |i| &after[i + 3..]);
            continue;
        }
        let Some(gt) = rest.find('>') else { break };
        let tag = &rest[1..gt];
        rest = &rest[gt + 1..];
        let closing = tag.starts_with('/');
        let name: String = tag
            .trim_start_matches('/')
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect::<String>()
            .to_ascii_lowercase();
        if let Some(d) = &dropping {
            if closing && *d == name {
                dropping = None;
            }
            continue;
        }
        if !closing && DROPPED.contains(&name.as_str()) && !tag.ends_with('/') {
            dropping = Some(name);
            continue;
        }
        match (name.as_str(), closing) {
            ("h1" | "h2" | "h3" | "h4" | "h5" | "h6", false) => {
                blank_line(&mut out);
                out.push_str("## ");
            }
            ("h1" | "h2" | "h3" | "h4" | "h5" | "h6", true) => blank_line(&mut out),
            ("ul", false) => lists.push(None),
            ("ol", false) => lists.push(Some(0)),
            ("ul" | "ol", true) => {
                lists.pop();
                new_line(&mut out);
            }
            ("li", false) => {
                new_line(&mut out);
                let marker = match lists.last_mut() {
                    Some(Some(n)) => {
                        *n += 1;
                        format!("{n}. ")
                    }
                    _ => "- ".to_owned(),
                };
                out.push_str(&"  ".repeat(lists.len().saturating_sub(1)));
                out.push_str(&marker);
            }
            ("pre", false) => {
                pre += 1;
                blank_line(&mut out);
            }
            ("pre", true) => {
                pre = pre.saturating_sub(1);
                blank_line(&mut out);
            }
            ("a", false) => link = href(tag).map(|h| (h, out.len())),
            ("a", true) => {
                if let Some((h, start)) = link.take()
                    && !out[start.min(out.len())..].contains(h.as_str())
                {
                    out.push_str(&format!(" ({h})"));
                }
            }
            ("p" | "div" | "blockquote" | "table" | "section" | "article", _) => blank_line(&mut out),
            (n, _) if BLOCKS.contains(&n) => new_line(&mut out),
            ("td" | "th", true) => out.push(' '),
            _ => {}
        }
    }
    let lines: Vec<&str> = out.lines().map(str::trim_end).collect();
    let mut text = String::new();
    let mut blank = true;
    for line in lines {
        if line.trim().is_empty() {
            if !blank {
                text.push('\n');
            }
            blank = true;
        } else {
            text.push_str(line);
            text.push('\n');
            blank = false;
        }
    }
    let text = text.trim_end();
    if text.is_empty() { String::new() } else { format!("{text}\n") }
}

/// Appends text, white space collapsed unless preformatted.
fn push_text(out: &mut String, raw: &str, pre: bool) {
    let text = decode_entities(raw);
    if pre {
        out.push_str(&text);
        return;
    }
    for (i, word) in text.split(|c: char| c.is_whitespace()).enumerate() {
        if i > 0 && !out.ends_with([' ', '\n']) && !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
}

fn new_line(out: &mut String) {
    if !out.is_empty() && !out.ends_with('\n') {
        out.push('\n');
    }
}

fn blank_line(out: &mut String) {
    new_line(out);
    if !out.is_empty() && !out.ends_with("\n\n") {
        out.push('\n');
    }
}

/// The `href` of an `<a …>` tag when it is a web or mail link.
fn href(tag: &str) -> Option<String> {
    let lower = tag.to_ascii_lowercase();
    let at = lower.find("href=")? + 5;
    let value = &tag[at..];
    let value = match value.chars().next()? {
        q @ ('"' | '\'') => value[1..].split(q).next()?,
        _ => value.split(|c: char| c.is_whitespace() || c == '>').next()?,
    };
    let value = decode_entities(value);
    let ok = ["http://", "https://", "mailto:"].iter().any(|p| value.to_ascii_lowercase().starts_with(p));
    ok.then_some(value)
}

/// `&amp;`, `&lt;`, `&#233;`, `&#xE9;`, `&nbsp;` and a few more, decoded; others kept.
fn decode_entities(s: &str) -> String {
    if !s.contains('&') {
        return s.to_owned();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        let end = rest[1..].find(';').map(|j| j + 1).filter(|j| *j <= 10);
        let decoded = end.and_then(|j| entity(&rest[1..j]));
        match (end, decoded) {
            (Some(j), Some(c)) => {
                out.push(c);
                rest = &rest[j + 1..];
            }
            _ => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

fn entity(name: &str) -> Option<char> {
    if let Some(num) = name.strip_prefix('#') {
        let code = match num.strip_prefix(['x', 'X']) {
            Some(hex) => u32::from_str_radix(hex, 16).ok()?,
            None => num.parse().ok()?,
        };
        return char::from_u32(code).filter(|c| !c.is_control() || *c == '\n' || *c == '\t');
    }
    Some(match name {
        "amp" => '&',
        "lt" => '<',
        "gt" => '>',
        "quot" => '"',
        "apos" => '\'',
        "nbsp" => ' ',
        "ndash" => '–',
        "mdash" => '—',
        "hellip" => '…',
        "rsquo" => '’',
        "lsquo" => '‘',
        "rdquo" => '”',
        "ldquo" => '“',
        "copy" => '©',
        "euro" => '€',
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn structure_survives_and_markup_does_not() {
        let html = "<html><head><style>p{}</style><script>alert(1)</script></head><body>\
            <h2>Impact</h2><p>Session <b>theft</b> &amp; more&nbsp;here.</p>\
            <ol><li>Open <a href=\"https://x.test/a?b=1&amp;c=2\">the page</a></li><li>Log in</li></ol>\
            <p onclick=\"x()\">Bye<br>Sam</p><!-- <script>hidden</script> --><pre>  code  line</pre></body></html>";
        assert_eq!(
            to_markdown(html),
            "## Impact\n\nSession theft & more here.\n\n1. Open the page (https://x.test/a?b=1&c=2)\n2. Log in\n\nBye\nSam\n\n  code  line\n"
        );
    }

    #[test]
    fn broken_html_gives_text_and_never_panics() {
        for s in ["<", "<p", "&", "&#xFFFFFFFF;", "<a href=>x</a>", "<script>never closed", "é<b>é</b>&#233;", "<<>>"]
        {
            let _ = to_markdown(s);
        }
        assert_eq!(to_markdown("a &#233; &unknown; b"), "a é &unknown; b\n");
        assert_eq!(to_markdown("<script>x"), "");
    }
}
