//! The e-mail reader: one RFC 5322 message (`.eml`) or an mbox of several, read with the
//! `mail-parser` crate (MIME multipart, quoted-printable and base64, RFC 2047 encoded words,
//! charsets such as ISO-8859-1, windows-1252 and Shift_JIS), into [`Incoming`] items.
//!
//! - `From` → reporter name and contact; `Subject` → title (`Re:`/`Fwd:` dropped, one line,
//!   at most [`MAX_TITLE`] characters); `Date` → when; `Message-Id` kept (a message without one
//!   gets `<sha256-…@import.invalid>` from its bytes, so a re-import is still recognised);
//!   `In-Reply-To` then `References` → what it answers.
//! - The text: the plain-text parts, or an HTML-only mail's HTML converted to text by
//!   [`super::html`] (headings, lists, links and lines kept, every tag dropped: no HTML reaches
//!   the report). The body is that text made into report
//!   sections ([`super::sections`]).
//! - A forwarded message (`message/rfc822`) is quoted into the text under a "Forwarded
//!   message" line with its From, Date and Subject; its attachments come along. When the
//!   forwarding mail says next to nothing itself ([`FORWARD_NOTE`] characters at most), the
//!   report is the forwarded one's: its sender is the reporter and its subject the title.
//! - Every other attachment or inline file is kept with the name its sender gave it (made
//!   safe where it is stored, `format::correspondence::safe_name`).
//!
//! Limits keep hostile mail harmless: [`MAX_INPUT`] bytes per file, [`MAX_ITEMS`] messages per
//! mbox, [`MAX_PARTS`] MIME parts per message, [`MAX_ATTACHMENT`] bytes per attachment,
//! [`MAX_TEXT`] bytes of text; over
//! one, the item (or the file) is refused with [`IntakeError::TooLarge`] saying which. The
//! parser works with its own stack (no recursion on nesting) and never panics on input.

use std::borrow::Cow;

use chrono::{DateTime, FixedOffset};
use mail_parser::{Address, HeaderValue, Message, MessageParser, MimeHeaders, PartType};

use super::{Attachment, Incoming, IntakeError, Source, sections};

/// The largest file read, in bytes.
pub const MAX_INPUT: usize = 64 * 1024 * 1024;
/// The most messages read from one mbox.
pub const MAX_ITEMS: usize = 10_000;
/// The most MIME parts one message may have.
pub const MAX_PARTS: usize = 1_000;
/// The largest attachment kept: what the pre-commit gate scans (1 MiB).
pub const MAX_ATTACHMENT: usize = crate::format::report::MAX_REPORT_BYTES as usize;
/// The longest message text kept, in bytes (its report, which holds it again, must stay
/// within the 1 MiB of a report).
pub const MAX_TEXT: usize = 384 * 1024;
/// The longest title, in characters (longer subjects are cut, with `…`).
pub const MAX_TITLE: usize = 150;
/// The most characters a forwarding mail's own text may have for the forwarded message to be
/// taken as the report itself.
pub const FORWARD_NOTE: usize = 300;
/// The longest `Message-Id` kept.
const MAX_ID: usize = 250;
/// The longest reporter name kept, in characters.
const MAX_NAME: usize = 100;

/// Reads every message in `bytes`; the first one that cannot be read fails the whole file
/// (`import` uses [`parse_each`] to read the others).
pub fn parse(bytes: &[u8]) -> Result<Vec<Incoming>, IntakeError> {
    parse_each(bytes)?.into_iter().collect()
}

/// Reads every message in `bytes`, each on its own: one broken message of an mbox does not
/// stop the others. The outer error is about the file as a whole (too large, too many).
pub fn parse_each(bytes: &[u8]) -> Result<Vec<Result<Incoming, IntakeError>>, IntakeError> {
    if bytes.len() > MAX_INPUT {
        return Err(too_large("the file", bytes.len(), MAX_INPUT));
    }
    if !is_mbox(bytes) {
        return Ok(vec![parse_one(bytes)]);
    }
    let mut out = Vec::new();
    for message in mail_parser::mailbox::mbox::MessageIterator::new(bytes) {
        if out.len() == MAX_ITEMS {
            return Err(IntakeError::TooLarge { what: "the mbox's messages".into(), limit: MAX_ITEMS.to_string() });
        }
        out.push(match message {
            Ok(m) => parse_one(m.contents()),
            Err(e) => Err(IntakeError::Invalid { field: "mbox".into(), why: e.to_string() }),
        });
    }
    Ok(out)
}

/// Whether `bytes` is an mbox: it starts with a `From ` separator line.
pub fn is_mbox(bytes: &[u8]) -> bool {
    bytes.starts_with(b"From ")
}

/// Whether `bytes` looks like one RFC 5322 message: its first line is a header field.
pub fn is_message(bytes: &[u8]) -> bool {
    let first = bytes.split(|b| *b == b'\n').next().unwrap_or_default();
    let name_len = first.iter().take_while(|b| b.is_ascii_alphanumeric() || **b == b'-').count();
    name_len > 0 && first.get(name_len) == Some(&b':')
}

fn too_large(what: &str, size: usize, limit: usize) -> IntakeError {
    IntakeError::TooLarge { what: format!("{what} ({})", human_size(size)), limit: human_size(limit) }
}

/// `52.4 MiB`, `3 KiB`.
fn human_size(n: usize) -> String {
    let n = n as f64;
    if n >= 1024.0 * 1024.0 {
        format!("{:.1} MiB", n / (1024.0 * 1024.0))
    } else {
        format!("{:.0} KiB", (n / 1024.0).ceil())
    }
}

/// Reads one message.
fn parse_one(raw: &[u8]) -> Result<Incoming, IntakeError> {
    let message = MessageParser::default()
        .parse(raw)
        .filter(|m| !m.headers().is_empty())
        .ok_or_else(|| IntakeError::Invalid { field: "message".into(), why: "no header fields".into() })?;
    if message.parts.len() > MAX_PARTS {
        return Err(IntakeError::TooLarge {
            what: format!("the message's MIME parts ({})", message.parts.len()),
            limit: MAX_PARTS.to_string(),
        });
    }
    let at = date(&message)?;
    let (mut reporter_name, mut reporter_contact) = sender(message.from());
    let mut title = title(message.subject().unwrap_or_default());
    let own_text = text_of(&message);
    let mut text = own_text.clone();
    let mut attachments = Vec::new();
    let mut forwarded = Vec::new();
    collect_parts(&message, &mut text, &mut attachments, &mut forwarded, 0)?;
    if text.len() > MAX_TEXT {
        return Err(too_large("the message's text", text.len(), MAX_TEXT));
    }
    if let [fwd] = forwarded.as_slice()
        && own_text.trim().chars().count() <= FORWARD_NOTE
    {
        (reporter_name, reporter_contact) = sender(fwd.from());
        let t = self::title(fwd.subject().unwrap_or_default());
        if t != NO_SUBJECT {
            title = t;
        }
    }
    let message_id = message.message_id().and_then(clean_id).unwrap_or_else(|| synthetic_id(raw));
    let mut in_reply_to = ids(message.in_reply_to());
    for id in ids(message.references()).into_iter().rev() {
        if !in_reply_to.contains(&id) {
            in_reply_to.push(id);
        }
    }
    let body = sections::report_body(&text);
    Ok(Incoming {
        source: Source::Email { message_id },
        at,
        title,
        reporter_name,
        reporter_contact,
        credit: None,
        credits: Vec::new(),
        products: Vec::new(),
        cvss: None,
        cvss_v4: None,
        level: None,
        cwe: Vec::new(),
        aliases: Vec::new(),
        references: Vec::new(),
        state: None,
        resolution: None,
        body,
        text,
        attachments,
        in_reply_to,
    })
}

/// The message's `Date` as a time with its offset.
fn date(message: &Message<'_>) -> Result<DateTime<FixedOffset>, IntakeError> {
    let invalid = |why: &str| IntakeError::Invalid { field: "Date".into(), why: why.into() };
    let d = message.date().ok_or_else(|| invalid("missing or not a date"))?;
    if !d.is_valid() {
        return Err(invalid("not a valid date"));
    }
    DateTime::parse_from_rfc3339(&d.to_rfc3339()).map_err(|e| invalid(&e.to_string()))
}

/// The reporter's name and address from a `From` field (name: the display name, else the
/// address, else `Anonymous`).
fn sender(from: Option<&Address<'_>>) -> (String, Option<String>) {
    let first = from.and_then(Address::first);
    let address = first.and_then(|a| a.address()).map(one_line).filter(|a| a.contains('@') && a.len() <= MAX_ID);
    let name = first.and_then(|a| a.name()).map(one_line).filter(|n| !n.is_empty());
    let name = name.or_else(|| address.clone()).unwrap_or_else(|| "Anonymous".to_owned());
    (cut(&name, MAX_NAME), address)
}

/// What stands for an empty subject.
const NO_SUBJECT: &str = "(no subject)";

/// A subject as a report title: one line, reply and forward prefixes dropped, bounded.
pub fn title(subject: &str) -> String {
    let mut t = one_line(subject);
    loop {
        let lower = t.to_lowercase();
        let prefix = ["re:", "fwd:", "fw:", "aw:", "wg:", "tr:", "sv:", "vs:", "antw:"]
            .iter()
            .find(|p| lower.starts_with(*p))
            .map(|p| p.len())
            .or_else(|| {
                (lower.starts_with("re[") || lower.starts_with("re(")).then(|| lower.find(':').map(|i| i + 1)).flatten()
            });
        match prefix {
            Some(n) if t.is_char_boundary(n) => t = t[n..].trim_start().to_owned(),
            _ => break,
        }
    }
    if t.is_empty() { NO_SUBJECT.to_owned() } else { cut(&t, MAX_TITLE) }
}

/// Control characters and runs of white space as one space, trimmed.
fn one_line(s: &str) -> String {
    s.split(|c: char| c.is_whitespace() || c.is_control()).filter(|w| !w.is_empty()).collect::<Vec<_>>().join(" ")
}

/// At most `max` characters, cut with `…`.
fn cut(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_owned();
    }
    let mut out: String = s.chars().take(max - 1).collect();
    out.truncate(out.trim_end().len());
    out.push('…');
    out
}

/// A `Message-Id` as stored: with angle brackets, printable ASCII with an `@`, no spaces,
/// bounded; anything else is not taken for one.
fn clean_id(id: &str) -> Option<String> {
    let id = id.trim().trim_start_matches('<').trim_end_matches('>');
    let ok =
        id.contains('@') && id.len() <= MAX_ID && id.chars().all(|c| c.is_ascii_graphic() && !"<>\"\\".contains(c));
    ok.then(|| format!("<{id}>"))
}

/// The id a message without `Message-Id` is known by: from its bytes.
fn synthetic_id(raw: &[u8]) -> String {
    use sha2::Digest;
    let hex: String = sha2::Sha256::digest(raw).iter().take(16).map(|b| format!("{b:02x}")).collect();
    format!("<sha256-{hex}@import.invalid>")
}

/// The message ids of an `In-Reply-To` or `References` field.
fn ids(value: &HeaderValue<'_>) -> Vec<String> {
    let list: Vec<&str> = match value {
        HeaderValue::Text(t) => t.split_whitespace().collect(),
        HeaderValue::TextList(l) => l.iter().flat_map(|t| t.split_whitespace()).collect(),
        _ => Vec::new(),
    };
    let mut out: Vec<String> = Vec::new();
    for id in list.into_iter().filter_map(clean_id) {
        if !out.contains(&id) {
            out.push(id);
        }
    }
    out.truncate(100);
    out
}

/// The text of a message: its text bodies (an HTML one, when there is no plain one, as
/// Markdown text: [`super::html`]), with `\n` line ends, control characters dropped and
/// trailing spaces trimmed.
fn text_of(message: &Message<'_>) -> String {
    let parts: Vec<Cow<'_, str>> = message
        .text_body
        .iter()
        .filter_map(|i| message.parts.get(*i as usize))
        .filter_map(|p| match &p.body {
            PartType::Text(t) => Some(Cow::Borrowed(t.as_ref())),
            PartType::Html(h) => Some(Cow::Owned(super::html::to_markdown(h))),
            _ => None,
        })
        .collect();
    clean_text(&parts.join("\n\n"))
}

fn clean_text(text: &str) -> String {
    let unified = text.replace("\r\n", "\n").replace('\r', "\n");
    let lines: Vec<String> = unified
        .lines()
        .map(|l| l.chars().filter(|c| *c == '\t' || !c.is_control()).collect::<String>().trim_end().to_owned())
        .collect();
    let joined = lines.join("\n");
    let trimmed = joined.trim_matches('\n');
    if trimmed.is_empty() { String::new() } else { format!("{trimmed}\n") }
}

/// Attachments and forwarded messages of `message`: files into `attachments` (each within
/// [`MAX_ATTACHMENT`]), forwarded messages quoted into `text` and kept in `forwarded`.
fn collect_parts<'m>(
    message: &'m Message<'m>,
    text: &mut String,
    attachments: &mut Vec<Attachment>,
    forwarded: &mut Vec<&'m Message<'m>>,
    depth: usize,
) -> Result<(), IntakeError> {
    for part in message.attachments() {
        if let PartType::Message(inner) = &part.body {
            if depth == 0 {
                forwarded.push(inner);
            }
            text.push_str(&forward_quote(inner));
            if depth < 3 {
                collect_parts(inner, text, attachments, forwarded, depth + 1)?;
            }
            continue;
        }
        let bytes = part.contents();
        let name = part.attachment_name().map(one_line).unwrap_or_else(|| "attachment".to_owned());
        if bytes.len() > MAX_ATTACHMENT {
            return Err(too_large(&format!("attachment `{}`", cut(&name, 60)), bytes.len(), MAX_ATTACHMENT));
        }
        attachments.push(Attachment { name, bytes: bytes.to_vec() });
    }
    Ok(())
}

/// A forwarded message as quoted into the text.
fn forward_quote(inner: &Message<'_>) -> String {
    let (name, address) = sender(inner.from());
    let from = match address {
        Some(a) if a != name => format!("{name} <{a}>"),
        _ => name,
    };
    let date = inner.date().map(|d| d.to_rfc3339()).unwrap_or_default();
    let subject = one_line(inner.subject().unwrap_or_default());
    format!(
        "\n---------- Forwarded message ----------\nFrom: {from}\nDate: {date}\nSubject: {subject}\n\n{}",
        text_of(inner)
    )
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    proptest! {
        #![proptest_config(ProptestConfig { cases: 200, failure_persistence: None, ..ProptestConfig::default() })]

        /// Any bytes: read or refused, never a panic.
        #[test]
        fn any_bytes_are_read_or_refused(bytes in proptest::collection::vec(any::<u8>(), 0..3000)) {
            let _ = parse_each(&bytes);
            let mut mbox = b"From x Mon Jun  1 10:00:00 2026\n".to_vec();
            mbox.extend_from_slice(&bytes);
            let _ = parse_each(&mbox);
        }

        /// Whatever a subject and a sender hold, the title and name are one bounded line.
        #[test]
        fn titles_and_names_are_one_bounded_line(subject in "\\PC{0,400}", name in "[^\"\\\\]{0,200}", body in "\\PC{0,300}") {
            let mail = format!(
                "From: \"{name}\" <a@b.example>\r\nSubject: {subject}\r\nDate: Mon, 1 Jun 2026 10:00:00 +0000\r\n\r\n{body}\r\n"
            );
            if let Ok(items) = parse(mail.as_bytes()) {
                for m in items {
                    prop_assert!(m.title.chars().count() <= MAX_TITLE && !m.title.contains(['\n', '\r']), "{:?}", m.title);
                    prop_assert!(m.reporter_name.chars().count() <= MAX_NAME && !m.reporter_name.contains(['\n', '\r']));
                    prop_assert!(!m.title.chars().any(char::is_control) && !m.reporter_name.chars().any(char::is_control));
                }
            }
        }
    }

    const PLAIN: &str = "From: Jane Doe <jane@example.org>\r\nTo: security@example.com\r\nSubject: Re: Fwd:  XSS in\r\n search\r\nDate: Tue, 3 Mar 2026 10:00:00 +0100\r\nMessage-ID: <abc@example.org>\r\nIn-Reply-To: <x@y>\r\nReferences: <w@y> <x@y>\r\n\r\nDescription:\r\nThe search box.\r\n";

    #[test]
    fn a_plain_message_gives_reporter_title_date_and_threading() {
        let items = parse(PLAIN.as_bytes()).expect("reads");
        let m = &items[0];
        assert_eq!(m.source, Source::Email { message_id: "<abc@example.org>".into() });
        assert_eq!(m.title, "XSS in search");
        assert_eq!(m.reporter_name, "Jane Doe");
        assert_eq!(m.reporter_contact.as_deref(), Some("jane@example.org"));
        assert_eq!(m.at.to_rfc3339(), "2026-03-03T10:00:00+01:00");
        assert_eq!(m.in_reply_to, ["<x@y>", "<w@y>"]);
        assert_eq!(m.text, "Description:\nThe search box.\n");
        assert!(m.body.starts_with("## Summary\n\nThe search box.\n"), "{}", m.body);
    }

    #[test]
    fn titles_are_one_bounded_line_without_prefixes() {
        assert_eq!(title("RE: AW: Fwd: hello\r\nInjected: x"), "hello Injected: x");
        assert_eq!(title("   "), NO_SUBJECT);
        assert_eq!(title(&"é".repeat(400)).chars().count(), MAX_TITLE);
        assert_eq!(title("Re[2]: again"), "again");
    }

    #[test]
    fn an_mbox_gives_each_message_and_a_broken_one_alone_fails() {
        let mbox = format!(
            "From jane@example.org Tue Mar  3 10:00:00 2026\n{}\nFrom x Tue Mar  3 10:00:00 2026\nnot a mail at all\n",
            PLAIN.replace("\r\n", "\n")
        );
        let items = parse_each(mbox.as_bytes()).expect("reads");
        assert_eq!(items.len(), 2);
        assert!(items[0].is_ok());
        assert!(items[1].is_err(), "{:?}", items[1]);
    }

    #[test]
    fn ids_are_cleaned_and_a_missing_one_is_made_from_the_bytes() {
        assert_eq!(clean_id("<a@b>").as_deref(), Some("<a@b>"));
        assert_eq!(clean_id("<a b@c>"), None);
        assert_eq!(clean_id("content:"), None);
        let no_id = PLAIN.replace("Message-ID: <abc@example.org>\r\n", "");
        let a = parse(no_id.as_bytes()).expect("reads");
        let b = parse(no_id.as_bytes()).expect("reads");
        assert_eq!(a[0].source, b[0].source);
        assert!(matches!(&a[0].source, Source::Email { message_id } if message_id.ends_with("@import.invalid>")));
    }

    #[test]
    fn detection_tells_mail_from_other_bytes() {
        assert!(is_message(PLAIN.as_bytes()));
        assert!(!is_message(b"{\"id\": 1}"));
        assert!(!is_message(b"no colon here\n"));
        assert!(is_mbox(b"From a@b Tue Mar  3 10:00:00 2026\n"));
    }
}
