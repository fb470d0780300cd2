//! Today's date, overridable so deadlines, tests and demos are reproducible.
//!
//! `ENIGM_TODAY=YYYY-MM-DD` fixes the date every command sees as "today" (documented in the
//! README); otherwise it is the local calendar date. `ENIGM_NOW` fixes the time a message is
//! dated ([`now`]).

use chrono::NaiveDate;

use crate::error::{Error, Result};

/// Environment variable that fixes today's date.
pub const TODAY_ENV: &str = "ENIGM_TODAY";

/// Today, from `ENIGM_TODAY` or the local clock.
pub fn today() -> Result<NaiveDate> {
    match std::env::var(TODAY_ENV) {
        Ok(v) if !v.is_empty() => parse_date(&v)
            .map_err(|_| Error::usage(format!("{TODAY_ENV}=`{v}` is not a date"), "write it as YYYY-MM-DD")),
        _ => Ok(chrono::Local::now().date_naive()),
    }
}

/// Environment variable that fixes the current time (RFC 3339), for reproducible messages.
pub const NOW_ENV: &str = "ENIGM_NOW";

/// Now, with the local UTC offset: `ENIGM_NOW` (RFC 3339) if set; else the local clock's time
/// of day on `ENIGM_TODAY`'s date when that is set (so a message is dated on "today"); else
/// the local clock.
pub fn now() -> Result<chrono::DateTime<chrono::FixedOffset>> {
    if let Ok(v) = std::env::var(NOW_ENV)
        && !v.is_empty()
    {
        return chrono::DateTime::parse_from_rfc3339(v.trim()).map_err(|_| {
            Error::usage(
                format!("{NOW_ENV}=`{v}` is not a time"),
                "write it as RFC 3339, e.g. 2026-06-15T09:30:00+02:00",
            )
        });
    }
    let local = chrono::Local::now().fixed_offset();
    let day = today()?;
    if day == local.date_naive() {
        return Ok(local);
    }
    let at = day.and_time(local.time());
    Ok(at.and_local_timezone(*local.offset()).single().unwrap_or(local))
}

/// Parses a `YYYY-MM-DD` date.
pub fn parse_date(text: &str) -> Result<NaiveDate, chrono::ParseError> {
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d")
}
