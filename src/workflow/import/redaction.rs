//! Redacting an incoming item before anything of it is written: every text field of every
//! channel (title, reporter fields, body, message text, text attachments) has each secret
//! replaced by its marker ([`crate::rules::redact::redact`]); a binary attachment whose
//! printable strings hold a secret, or one that cannot be scanned (a compressed archive), is
//! withheld: not stored at all, only named in the output.

use std::path::Path;

use crate::format::finding::{Code, Severity};
use crate::format::intake::Incoming;
use crate::rules::attachments;
use crate::rules::redact::{Redaction, redact};

/// One secret replaced: in which field, what it was, its marker.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Redacted {
    /// `title`, `reporter.name`, `body`, `text`, `attachment <name>`, …
    pub field: String,
    pub kind: String,
    pub marker: String,
}

/// An attachment that was not stored, and why.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Withheld {
    pub name: String,
    pub why: String,
}

/// What redaction did to an item.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Redactions {
    pub redacted: Vec<Redacted>,
    pub withheld: Vec<Withheld>,
}

/// Redacts `item` in place. `Err` names a field in which a secret survived every pass (the
/// item is refused: nothing of it may be written).
pub fn redact_item(item: &mut Incoming) -> Result<Redactions, String> {
    let mut out = Redactions::default();
    let field = |name: &str, value: &mut String, out: &mut Redactions| -> Result<(), String> {
        let (text, done) = redact(value).ok_or_else(|| name.to_owned())?;
        out.redacted.extend(done.into_iter().map(|r: Redaction| Redacted {
            field: name.to_owned(),
            kind: r.kind.to_owned(),
            marker: r.marker,
        }));
        *value = text;
        Ok(())
    };
    field("title", &mut item.title, &mut out)?;
    field("reporter.name", &mut item.reporter_name, &mut out)?;
    for (name, value) in [("reporter.contact", &mut item.reporter_contact), ("reporter.credit", &mut item.credit)] {
        if let Some(v) = value {
            field(name, v, &mut out)?;
        }
    }
    field("body", &mut item.body, &mut out)?;
    field("text", &mut item.text, &mut out)?;
    let mut kept = Vec::new();
    for mut a in std::mem::take(&mut item.attachments) {
        let name = format!("attachment {}", a.name);
        field(&name, &mut a.name, &mut out)?;
        let (_, findings) = attachments::check(Path::new("attachment"), &a.bytes);
        let unscannable = findings.iter().find(|f| f.code == Code::FileUnscannable);
        match (unscannable, std::str::from_utf8(&a.bytes)) {
            (Some(f), _) => out.withheld.push(Withheld { name: a.name, why: f.message.clone() }),
            (None, Ok(text)) if !text.contains('\0') => {
                let mut text = text.to_owned();
                field(&name, &mut text, &mut out)?;
                a.bytes = text.into_bytes();
                kept.push(a);
            }
            (None, _) => match findings.iter().find(|f| f.severity == Severity::Error) {
                Some(f) => {
                    let why = crate::rules::redact::mask_text(&f.message).into_owned();
                    out.withheld.push(Withheld { name: a.name, why });
                }
                None => kept.push(a),
            },
        }
    }
    item.attachments = kept;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::format::intake::{Attachment, Source};

    const KEY: &str = "AKIAZ7VRSQ5TJ3XKQ4ME";

    fn item() -> Incoming {
        Incoming {
            source: Source::Email { message_id: "<a@b>".into() },
            at: "2026-03-02T09:30:00+01:00".parse().expect("time"),
            title: format!("key {KEY}"),
            reporter_name: "R".into(),
            reporter_contact: None,
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
            body: format!("## Summary\n\n{KEY}\n"),
            text: format!("{KEY}\n"),
            attachments: vec![
                Attachment { name: "log.txt".into(), bytes: format!("id={KEY}\n").into_bytes() },
                Attachment { name: "core.bin".into(), bytes: [&[0u8, 1, 2][..], KEY.as_bytes(), &[0]].concat() },
                Attachment { name: "shot.png".into(), bytes: vec![0x89, b'P', b'N', b'G', 0, 1] },
                Attachment { name: "a.zip".into(), bytes: b"PK\x03\x04rest".to_vec() },
            ],
            in_reply_to: Vec::new(),
        }
    }

    #[test]
    fn every_text_field_is_redacted_and_binary_files_with_secrets_are_withheld() {
        let mut it = item();
        let done = redact_item(&mut it).expect("redacts");
        let fields: Vec<&str> = done.redacted.iter().map(|r| r.field.as_str()).collect();
        assert_eq!(fields, ["title", "body", "text", "attachment log.txt"]);
        assert!(!format!("{it:?}").contains(KEY));
        assert_eq!(it.attachments.iter().map(|a| a.name.as_str()).collect::<Vec<_>>(), ["log.txt", "shot.png"]);
        assert_eq!(done.withheld.iter().map(|w| w.name.as_str()).collect::<Vec<_>>(), ["core.bin", "a.zip"]);
        assert!(!format!("{done:?}").contains("Z7VRSQ"), "{done:?}");
    }
}
