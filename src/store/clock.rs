//! Today's date, overridable so deadlines, tests and demos are reproducible.
//!
//! `ENIGM_TODAY=YYYY-MM-DD` fixes the date every command sees as "today" (documented in the
//! README); otherwise it is the local calendar date. `ENIGM_NOW=<RFC 3339>` fixes the instant
//! ([`now`]) that the clocks counted in hours (the CRA's) see and that a message is dated, and
//! today when `ENIGM_TODAY` is not set; without it, `ENIGM_TODAY` means that date at 00:00
//! UTC, else the system clock.

use chrono::{DateTime, FixedOffset, NaiveDate};

use crate::error::{Error, Result};

/// Environment variable that fixes today's date.
pub const TODAY_ENV: &str = "ENIGM_TODAY";

/// Environment variable that fixes the current instant.
pub const NOW_ENV: &str = "ENIGM_NOW";

/// Today, from `ENIGM_TODAY`, else the date of `ENIGM_NOW` (in its offset), else the local clock.
pub fn today() -> Result<NaiveDate> {
    match std::env::var(TODAY_ENV) {
        Ok(v) if !v.is_empty() => parse_date(&v)
            .map_err(|_| Error::usage(format!("{TODAY_ENV}=`{v}` is not a date"), "write it as YYYY-MM-DD")),
        _ => Ok(fixed_now()?.map_or_else(|| chrono::Local::now().date_naive(), |n| n.date_naive())),
    }
}

/// Now, from `ENIGM_NOW`, else `ENIGM_TODAY` at 00:00 UTC, else the system clock (in the
/// local offset).
pub fn now() -> Result<DateTime<FixedOffset>> {
    if let Some(now) = fixed_now()? {
        return Ok(now);
    }
    match std::env::var(TODAY_ENV) {
        Ok(v) if !v.is_empty() => Ok(today()?.and_time(chrono::NaiveTime::MIN).and_utc().fixed_offset()),
        _ => Ok(chrono::Local::now().fixed_offset()),
    }
}

fn fixed_now() -> Result<Option<DateTime<FixedOffset>>> {
    match std::env::var(NOW_ENV) {
        Ok(v) if !v.is_empty() => DateTime::parse_from_rfc3339(v.trim()).map(Some).map_err(|_| {
            Error::usage(
                format!("{NOW_ENV}=`{v}` is not a time"),
                "write it as RFC 3339, e.g. 2026-10-24T09:00:00+02:00",
            )
        }),
        _ => Ok(None),
    }
}

/// Parses a `YYYY-MM-DD` date.
pub fn parse_date(text: &str) -> Result<NaiveDate, chrono::ParseError> {
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d")
}
