//! `contact.expires`: the date `security.txt` stops being valid, against today.
//!
//! RFC 9116 makes `Expires` required and advises less than a year ahead, so that a stale file
//! is not trusted for long. `validate` warns 30 days before it passes (time to renew), and is
//! an error once it has passed or when it is more than a year away; each finding points at the
//! value in `enigm.yaml`. Without `contact.expires` no `security.txt` is written, so there is
//! nothing to check.

use std::path::Path;

use chrono::{Duration, NaiveDate};

use crate::format::config::Config;
use crate::format::finding::{Code, Finding};
use crate::format::yaml::SpanMap;
use crate::layout::CONFIG_FILE;

/// Days before `Expires` from which `validate` warns.
pub const WARN_DAYS: i64 = 30;

/// The finding for `contact.expires` as of `today`, if any.
pub fn expiry(config: &Config, spans: &SpanMap, today: NaiveDate) -> Option<Finding> {
    let expires = config.contact.expires_at()?;
    let span = spans.get("contact.expires").map(|s| s.value.clone());
    let at = |code, message: String, help: &str| {
        Some(Finding::new(code, Path::new(CONFIG_FILE), span.clone(), message).with_help(help))
    };
    let day = expires.with_timezone(&chrono::Utc).date_naive();
    let renew = "set `contact.expires` to a date less than a year from today, then render and publish the site again";
    let start_of_today = today.and_hms_opt(0, 0, 0).map(|t| t.and_utc()).unwrap_or_default();
    if expires.with_timezone(&chrono::Utc) <= start_of_today {
        return at(
            Code::SecurityTxtExpired,
            format!(
                "`contact.expires` ({day}) has passed: researchers should no longer trust the published security.txt"
            ),
            renew,
        );
    }
    if day > today + chrono::Months::new(12) {
        return at(
            Code::SecurityTxtExpiresLate,
            format!("`contact.expires` ({day}) is more than a year away (RFC 9116 advises less than a year)"),
            renew,
        );
    }
    if day - today <= Duration::days(WARN_DAYS) {
        return at(
            Code::SecurityTxtExpiresSoon,
            format!("`contact.expires` ({day}) is {} days away: security.txt expires then", (day - today).num_days()),
            renew,
        );
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(expires: &str, today: &str) -> Option<Code> {
        let text =
            format!("organization:\n  name: A\n  security_contact: s@a.test\ncontact:\n  expires: \"{expires}\"\n");
        let config = Config::parse(&text).expect("config");
        let yaml = Config::located(&text).expect("yaml");
        let found = expiry(&config, yaml.spans(), today.parse().expect("date"))?;
        let span = found.span.clone().expect("located at the value");
        assert!(text[span].contains(expires));
        Some(found.code)
    }

    #[test]
    fn expiry_is_judged_against_today() {
        assert_eq!(at("2027-06-30", "2026-12-01"), None);
        assert_eq!(at("2026-12-31", "2026-12-01"), Some(Code::SecurityTxtExpiresSoon));
        assert_eq!(at("2026-12-01", "2026-12-01"), Some(Code::SecurityTxtExpired));
        assert_eq!(
            at("2026-11-30T23:00:00-02:00", "2026-12-01"),
            Some(Code::SecurityTxtExpiresSoon),
            "01:00 UTC today: not passed yet"
        );
        assert_eq!(at("2026-06-30", "2026-12-01"), Some(Code::SecurityTxtExpired));
        assert_eq!(at("2027-11-30", "2026-12-01"), None, "364 days");
        assert_eq!(at("2027-12-02", "2026-12-01"), Some(Code::SecurityTxtExpiresLate));
        assert_eq!(Code::SecurityTxtExpiresSoon.severity(), crate::format::finding::Severity::Warning);
    }
}
