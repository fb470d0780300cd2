//! `contact` in `enigm.yaml`: how researchers reach the organisation, as the public face says it.
//!
//! The policy page, the Security Contact page and `/.well-known/security.txt` (RFC 9116) are
//! rendered from these values together with `organization.security_contact` and the policy
//! deadlines, so the published texts and the deadlines the tool enforces cannot drift apart.
//! This module only types and checks the values (each problem located at its value); the
//! pages are made in `publish`, and the date checks of `Expires` (which need today) in `rules`.

use std::path::Path;

use chrono::{DateTime, FixedOffset, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::format::code::Code;
use crate::format::finding::Finding;
use crate::format::yaml::SpanMap;
use crate::layout::CONFIG_FILE;

/// The `contact` section.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct Contact {
    /// More ways to report, after `organization.security_contact`: `mailto:`, `https://` or
    /// `tel:` URIs (a bare email address is read as `mailto:`).
    pub channels: Vec<String>,
    /// Where the OpenPGP key for encrypted reports is published (an `https://` URL).
    pub encryption: Option<String>,
    /// That key's fingerprint, as people compare it.
    pub fingerprint: Option<String>,
    /// Languages reports may be written in (RFC 5646 tags), in order of preference.
    pub languages: Vec<String>,
    /// When `security.txt` stops being valid: `YYYY-MM-DD` (midnight UTC) or an RFC 3339 date
    /// and time with its offset. Without it, no `security.txt` is written.
    pub expires: Option<String>,
    /// The URLs `security.txt` is served at; default `<render.base_url>.well-known/security.txt`.
    pub canonical: Vec<String>,
}

impl Default for Contact {
    fn default() -> Self {
        Contact {
            channels: Vec::new(),
            encryption: None,
            fingerprint: None,
            languages: vec!["en".to_owned()],
            expires: None,
            canonical: Vec::new(),
        }
    }
}

/// A contact as a URI: an email address becomes `mailto:<address>`; a URI stays as it is.
pub fn uri(contact: &str) -> String {
    let contact = contact.trim();
    if has_scheme(contact) { contact.to_owned() } else { format!("mailto:{contact}") }
}

fn has_scheme(text: &str) -> bool {
    ["mailto:", "https://", "http://", "tel:"]
        .iter()
        .any(|s| text.len() > s.len() && text[..s.len()].eq_ignore_ascii_case(s))
}

/// Parses an `expires` value: `YYYY-MM-DD` is midnight UTC of that day.
pub fn parse_expires(text: &str) -> Option<DateTime<FixedOffset>> {
    let text = text.trim();
    if let Ok(date) = NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        return date.and_hms_opt(0, 0, 0).map(|t| t.and_utc().fixed_offset());
    }
    DateTime::parse_from_rfc3339(text).ok()
}

impl Contact {
    /// `expires` as a date and time, when set and well formed.
    pub fn expires_at(&self) -> Option<DateTime<FixedOffset>> {
        self.expires.as_deref().and_then(parse_expires)
    }

    /// Every value must fit where it goes: URIs with a scheme security.txt allows, a
    /// well-formed `expires`, one-line values (a line break would start a new field).
    pub fn check(&self, spans: &SpanMap) -> Result<(), Finding> {
        let bad = |key: String, message: String, help: &str| {
            let span = spans.get(&key).or_else(|| spans.get("contact")).map(|s| s.value.clone());
            Err(Finding::error(Code::ConfigInvalid, Path::new(CONFIG_FILE), span, message).with_help(help))
        };
        for (i, channel) in self.channels.iter().enumerate() {
            let allowed = ["mailto:", "https://", "tel:"].iter().any(|s| channel.trim().starts_with(s));
            let address = !channel.contains(':') && channel.contains('@');
            if !(allowed || address) || one_line(channel).is_err() {
                return bad(
                    format!("contact.channels[{i}]"),
                    format!("`contact.channels[{i}]`: `{}` is not a mailto:, https:// or tel: URI", channel.trim()),
                    "write each channel as mailto:security@example.com, https://example.com/report or tel:+1-201-555-0123",
                );
            }
        }
        for (key, value) in [("contact.encryption", &self.encryption)] {
            if let Some(v) = value.as_deref().filter(|v| !v.trim().starts_with("https://") || one_line(v).is_err()) {
                return bad(
                    key.to_owned(),
                    format!("`{key}`: `{}` is not an https:// URL", v.trim()),
                    "give the https:// URL where your OpenPGP public key is published",
                );
            }
        }
        for (i, url) in self.canonical.iter().enumerate() {
            if !url.trim().starts_with("https://") || one_line(url).is_err() {
                return bad(
                    format!("contact.canonical[{i}]"),
                    format!("`contact.canonical[{i}]`: `{}` is not an https:// URL", url.trim()),
                    "list the https:// URLs security.txt is served at (RFC 9116 requires https)",
                );
            }
        }
        for (i, tag) in self.languages.iter().enumerate() {
            let ok = !tag.is_empty()
                && tag.split('-').all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_alphanumeric()));
            if !ok {
                return bad(
                    format!("contact.languages[{i}]"),
                    format!("`contact.languages[{i}]`: `{tag}` is not a language tag"),
                    "use RFC 5646 language tags such as en, de or pt-BR",
                );
            }
        }
        if let Some(fp) = self.fingerprint.as_deref().filter(|f| one_line(f).is_err()) {
            return bad(
                "contact.fingerprint".into(),
                format!("`contact.fingerprint`: `{fp}` spans lines"),
                "write the fingerprint on one line",
            );
        }
        if let Some(e) = self.expires.as_deref().filter(|e| parse_expires(e).is_none()) {
            return bad(
                "contact.expires".into(),
                format!("`contact.expires`: `{e}` is not a date (YYYY-MM-DD) or an RFC 3339 date and time"),
                "write it as 2027-06-30 (midnight UTC) or 2027-06-30T12:00:00+02:00",
            );
        }
        Ok(())
    }
}

fn one_line(text: &str) -> Result<(), ()> {
    if text.chars().any(char::is_control) { Err(()) } else { Ok(()) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contacts_become_uris() {
        assert_eq!(uri("security@example.com"), "mailto:security@example.com");
        assert_eq!(uri("https://example.com/report"), "https://example.com/report");
        assert_eq!(uri("MAILTO:x@example.com"), "MAILTO:x@example.com");
    }

    #[test]
    fn expires_reads_a_date_or_a_date_time() {
        assert_eq!(parse_expires("2027-06-30").map(|d| d.to_rfc3339()).as_deref(), Some("2027-06-30T00:00:00+00:00"));
        assert_eq!(
            parse_expires("2027-06-30T12:00:00+02:00").map(|d| d.to_rfc3339()).as_deref(),
            Some("2027-06-30T12:00:00+02:00")
        );
        assert!(parse_expires("June 2027").is_none());
        assert!(parse_expires("2027-06-30T12:00:00").is_none(), "a time needs its offset");
    }
}
