//! Which channel's bytes a file holds, so `import` reads any of them without being told: an
//! mbox (a `From ` separator line first), JSON (a GitHub security advisory when an object,
//! or the first of a list, has `ghsa_id`; an OSV record when it has `id` and `modified` or
//! `schema_version`), an RFC 5322 message (a header field first). Nothing else is guessed.

use serde_json::Value;

use super::{Incoming, IntakeError, ghsa, mail, osv};

/// The formats `import` reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Format {
    /// One RFC 5322 message (`.eml`).
    Email,
    /// An mbox of messages.
    Mbox,
    /// A GitHub repository security advisory (one object or the list the REST API returns).
    Ghsa,
    /// An OSV record.
    Osv,
}

impl Format {
    /// The name shown and written in JSON output.
    pub fn name(self) -> &'static str {
        match self {
            Format::Email => "email",
            Format::Mbox => "mbox",
            Format::Ghsa => "ghsa",
            Format::Osv => "osv",
        }
    }
}

/// The format of `bytes` (see the module docs).
pub fn detect(bytes: &[u8]) -> Result<Format, IntakeError> {
    let start = bytes.iter().position(|b| !b.is_ascii_whitespace()).unwrap_or(bytes.len());
    if mail::is_mbox(bytes) {
        return Ok(Format::Mbox);
    }
    if matches!(bytes.get(start), Some(b'{' | b'[')) {
        return json_format(&bytes[start..]);
    }
    if mail::is_message(bytes) {
        return Ok(Format::Email);
    }
    Err(IntakeError::Unrecognised { why: "it starts with neither a mail header, an mbox `From ` line nor JSON".into() })
}

fn json_format(bytes: &[u8]) -> Result<Format, IntakeError> {
    let value: Value = serde_json::from_slice(bytes)
        .map_err(|e| IntakeError::Unrecognised { why: format!("it looks like JSON but does not parse: {e}") })?;
    let first = match &value {
        Value::Array(items) => items.first(),
        other => Some(other),
    };
    let Some(Value::Object(map)) = first else {
        return Err(IntakeError::Unrecognised { why: "JSON, but not an object or a list of objects".into() });
    };
    if map.contains_key("ghsa_id") {
        Ok(Format::Ghsa)
    } else if map.contains_key("id") && (map.contains_key("modified") || map.contains_key("schema_version")) {
        Ok(Format::Osv)
    } else {
        Err(IntakeError::Unrecognised {
            why: "JSON without `ghsa_id` (a GitHub advisory) or `id` and `modified` (an OSV record)".into(),
        })
    }
}

/// Reads `bytes` in the format it has: each item on its own (a broken message of an mbox
/// does not stop the others), or one error about the file as a whole.
pub fn read(bytes: &[u8]) -> Result<(Format, Vec<Result<Incoming, IntakeError>>), IntakeError> {
    if bytes.len() > mail::MAX_INPUT {
        return Err(IntakeError::TooLarge {
            what: format!("the file ({} bytes)", bytes.len()),
            limit: format!("{} bytes", mail::MAX_INPUT),
        });
    }
    let format = detect(bytes)?;
    let items = match format {
        Format::Email | Format::Mbox => mail::parse_each(bytes)?,
        Format::Ghsa => ghsa::parse(bytes)?.into_iter().map(Ok).collect(),
        Format::Osv => osv::parse(bytes)?.into_iter().map(Ok).collect(),
    };
    Ok((format, items))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_format_is_told_by_its_first_bytes_or_shape() {
        assert_eq!(detect(b"From a@b Sat Jan  3 01:05:34 1996\nFrom: x\n"), Ok(Format::Mbox));
        assert_eq!(detect(b"Return-Path: <a@b>\nFrom: a@b\n"), Ok(Format::Email));
        assert_eq!(detect(b"  {\"ghsa_id\": \"GHSA-xxxx\"}"), Ok(Format::Ghsa));
        assert_eq!(detect(b"[{\"ghsa_id\": \"GHSA-xxxx\"}]"), Ok(Format::Ghsa));
        assert_eq!(detect(b"{\"id\": \"GO-2024-1\", \"modified\": \"2024-01-01T00:00:00Z\"}"), Ok(Format::Osv));
        assert!(matches!(detect(b"{\"name\": 1}"), Err(IntakeError::Unrecognised { .. })));
        assert!(matches!(detect(b"{not json"), Err(IntakeError::Unrecognised { .. })));
        assert!(matches!(detect(b"hello world"), Err(IntakeError::Unrecognised { .. })));
        assert!(matches!(detect(b""), Err(IntakeError::Unrecognised { .. })));
    }
}
