//! Today's date, overridable so deadlines, tests and demos are reproducible.
//!
//! `ENIGM_TODAY=YYYY-MM-DD` fixes the date every command sees as "today" (documented in the
//! README); otherwise it is the local calendar date.

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

/// Parses a `YYYY-MM-DD` date.
pub fn parse_date(text: &str) -> Result<NaiveDate, chrono::ParseError> {
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d")
}
