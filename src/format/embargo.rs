//! `embargo_until`: the moment an embargo lifts, as the parties agreed it.
//!
//! Coordinated releases are agreed across time zones ("Thursday 09:00 New York"), so an
//! embargo may name a time: a date (`2026-12-03`, the meaning it always had), an RFC 3339
//! date-time with its UTC offset (`2026-12-03T09:00:00-05:00`, `…Z`), or a wall-clock time in
//! an IANA time zone (`2026-12-03 09:00 America/New_York`), whose offset the tz database gives
//! for that date (DST included). Everything that asks "is it still embargoed?" compares an
//! instant ([`Embargo::holds_at`]) with the clock (`store::clock::now`); the value is shown as
//! written, in the author's zone ([`Embargo`]'s `Display`).
//!
//! A date-only embargo lifts at 00:00 of that date on the clock that reads it (the viewer's
//! calendar date, as before times existed): on the date itself the report may be published.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, FixedOffset, LocalResult, NaiveDate, NaiveDateTime, NaiveTime, SecondsFormat, TimeZone};
use chrono_tz::Tz;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// When an embargo lifts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Embargo {
    /// `2026-12-03`: lifts at the start of that date in the offset of the clock that reads it.
    Date(NaiveDate),
    /// `2026-12-03T09:00:00-05:00`: lifts at that instant, written in that offset.
    At(DateTime<FixedOffset>),
    /// `2026-12-03 09:00 America/New_York`: lifts at that wall-clock time in that zone.
    Zoned(DateTime<Tz>),
}

impl Embargo {
    /// The instant the embargo lifts, for a clock in `offset` (which only a date-only
    /// embargo depends on: 00:00 of its date there).
    pub fn lifts_at(&self, offset: FixedOffset) -> DateTime<FixedOffset> {
        match self {
            Embargo::Date(d) => start_of(*d, offset),
            Embargo::At(at) => *at,
            Embargo::Zoned(at) => at.fixed_offset(),
        }
    }

    /// True while the embargo holds at `now`: before the instant it lifts. For a date-only
    /// embargo, while `now`'s own calendar date is before it.
    pub fn holds_at(&self, now: DateTime<FixedOffset>) -> bool {
        now < self.lifts_at(*now.offset())
    }

    /// The date as written (the author's calendar date).
    pub fn date(&self) -> NaiveDate {
        match self {
            Embargo::Date(d) => *d,
            Embargo::At(at) => at.date_naive(),
            Embargo::Zoned(at) => at.date_naive(),
        }
    }

    /// The instant it lifts, when it names a time (`None` for a date).
    pub fn time(&self) -> Option<DateTime<FixedOffset>> {
        match self {
            Embargo::Date(_) => None,
            Embargo::At(at) => Some(*at),
            Embargo::Zoned(at) => Some(at.fixed_offset()),
        }
    }

    /// Parses the three forms; the error says what was wrong, for the finding.
    pub fn parse(text: &str) -> Result<Embargo, String> {
        let text = text.trim();
        if let Ok(date) = NaiveDate::parse_from_str(text, "%Y-%m-%d") {
            return Ok(Embargo::Date(date));
        }
        if let Ok(at) = DateTime::parse_from_rfc3339(text) {
            return Ok(Embargo::At(at));
        }
        if let Some((local, zone)) = text.rsplit_once(' ').filter(|(_, z)| z.chars().any(|c| c.is_ascii_alphabetic())) {
            return zoned(local.trim(), zone);
        }
        if text.len() == 10 {
            return Err(format!("`{text}` is not a date in the calendar (YYYY-MM-DD)"));
        }
        if NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S").is_ok() {
            return Err(format!(
                "`{text}` has no UTC offset: add one (`{text}Z`, `{text}-05:00`) or a time zone (`{} America/New_York`)",
                text.replace('T', " ")
            ));
        }
        Err(format!(
            "`{text}` is not a date (YYYY-MM-DD), an RFC 3339 date-time with its offset or a time in a time zone (YYYY-MM-DD HH:MM Region/City)"
        ))
    }
}

/// 00:00 of `date` in `offset`.
pub fn start_of(date: NaiveDate, offset: FixedOffset) -> DateTime<FixedOffset> {
    let local = date.and_time(NaiveTime::MIN);
    offset.from_local_datetime(&local).single().unwrap_or_else(|| local.and_utc().fixed_offset())
}

/// The instant a step dated `date` is judged at, seen at `now`: `now` itself on today's
/// date; the last instant of `date` (in `now`'s offset) for a step recorded for an earlier
/// day, which happened some time that day.
pub fn instant_of(date: NaiveDate, now: DateTime<FixedOffset>) -> DateTime<FixedOffset> {
    if date == now.date_naive() {
        return now;
    }
    let next = date.succ_opt().unwrap_or(date);
    start_of(next, *now.offset()) - chrono::Duration::nanoseconds(1)
}

fn zoned(local: &str, zone: &str) -> Result<Embargo, String> {
    let tz = Tz::from_str(zone).map_err(|_| {
        format!(
            "`{zone}` is not a time zone of the tz database (write it as `Region/City`, e.g. `Europe/Berlin`, or `UTC`)"
        )
    })?;
    let wall = ["%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"]
        .iter()
        .find_map(|f| NaiveDateTime::parse_from_str(local, f).ok())
        .ok_or_else(|| format!("`{local}` is not a date and a time (YYYY-MM-DD HH:MM) before the zone `{zone}`"))?;
    match tz.from_local_datetime(&wall) {
        LocalResult::Single(at) => Ok(Embargo::Zoned(at)),
        LocalResult::Ambiguous(a, b) => Err(format!(
            "`{local}` happens twice in {zone} (the clocks go back): write the offset you mean, `{}` or `{}`",
            rfc3339(&a.fixed_offset()),
            rfc3339(&b.fixed_offset())
        )),
        LocalResult::None => {
            Err(format!("`{local}` does not exist in {zone} (the clocks go forward past it): choose another time"))
        }
    }
}

fn rfc3339(at: &DateTime<FixedOffset>) -> String {
    at.to_rfc3339_opts(SecondsFormat::AutoSi, true)
}

/// As written: `2026-12-03`, `2026-12-03T09:00:00-05:00`, `2026-12-03 09:00 America/New_York`
/// (seconds only when not zero). [`Embargo::parse`] reads it back to the same value.
impl fmt::Display for Embargo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Embargo::Date(d) => write!(f, "{d}"),
            Embargo::At(at) => f.write_str(&rfc3339(at)),
            Embargo::Zoned(at) => {
                let time = if chrono::Timelike::second(at) == 0 { "%Y-%m-%d %H:%M" } else { "%Y-%m-%d %H:%M:%S" };
                write!(f, "{} {}", at.format(time), at.timezone().name())
            }
        }
    }
}

impl FromStr for Embargo {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Embargo::parse(s)
    }
}

impl Serialize for Embargo {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Embargo {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        Embargo::parse(&text).map_err(serde::de::Error::custom)
    }
}

impl From<NaiveDate> for Embargo {
    fn from(date: NaiveDate) -> Self {
        Embargo::Date(date)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn e(s: &str) -> Embargo {
        Embargo::parse(s).unwrap_or_else(|why| panic!("{s}: {why}"))
    }

    fn at(s: &str) -> DateTime<FixedOffset> {
        DateTime::parse_from_rfc3339(s).expect("time")
    }

    #[test]
    fn the_three_forms_read_back_as_written() {
        for text in [
            "2026-12-03",
            "2026-12-03T09:00:00-05:00",
            "2026-12-03T14:00:00Z",
            "2026-12-03T09:00:30.500+05:30",
            "2026-12-03 09:00 America/New_York",
            "2026-12-03 09:00:30 Europe/Berlin",
            "2026-12-03 23:30 UTC",
        ] {
            assert_eq!(e(text).to_string(), text);
            assert_eq!(e(&e(text).to_string()), e(text), "{text}");
        }
        assert_eq!(e("2026-12-03T09:00 Asia/Tokyo").to_string(), "2026-12-03 09:00 Asia/Tokyo");
    }

    #[test]
    fn malformed_values_say_what_is_wrong() {
        for (text, says) in [
            ("2026-02-30", "is not a date in the calendar"),
            ("next week", "not a time zone"),
            ("2026-12-03 09:00 Mars/Olympus", "not a time zone of the tz database"),
            ("2026-12-03 25:00 Europe/Paris", "is not a date and a time"),
            ("2026-03-08 02:30 America/New_York", "does not exist in America/New_York"),
            ("2026-11-01 01:30 America/New_York", "`2026-11-01T01:30:00-04:00` or `2026-11-01T01:30:00-05:00`"),
            ("2026-10-25 02:30 Europe/Berlin", "happens twice in Europe/Berlin"),
            ("2026-12-03T09:00:00", "has no UTC offset"),
            ("2026-12-03T25:00:00Z", "is not a date (YYYY-MM-DD), an RFC 3339"),
        ] {
            let why = Embargo::parse(text).expect_err(text);
            assert!(why.contains(says), "{text}: {why}");
        }
    }

    /// A date-only embargo keeps its meaning: it lifts at 00:00 of its date on the viewer's
    /// clock, whatever its offset.
    #[test]
    fn a_date_lifts_at_the_start_of_the_viewers_date() {
        let d = e("2026-07-01");
        for now in ["2026-06-30T23:59:59-10:00", "2026-06-30T23:59:59+14:00", "2026-06-30T12:00:00Z"] {
            assert!(d.holds_at(at(now)), "{now}");
        }
        for now in ["2026-07-01T00:00:00-10:00", "2026-07-01T00:00:00+14:00", "2026-07-02T08:00:00Z"] {
            assert!(!d.holds_at(at(now)), "{now}");
        }
    }

    /// 09:00 in New York is 14:00 UTC in winter (EST) and 13:00 UTC in summer (EDT); the
    /// same instant is past midnight in Tokyo and the evening before in Honolulu.
    #[test]
    fn a_zoned_time_follows_the_zones_dst_rules() {
        for (embargo, lifts) in [
            ("2026-12-03 09:00 America/New_York", "2026-12-03T14:00:00Z"),
            ("2026-07-03 09:00 America/New_York", "2026-07-03T13:00:00Z"),
            // The day New York starts DST (2026-03-08): 09:00 is already EDT.
            ("2026-03-08 09:00 America/New_York", "2026-03-08T13:00:00Z"),
            // Berlin leaves summer time on 2026-10-25 at 03:00 CEST.
            ("2026-10-25 01:30 Europe/Berlin", "2026-10-24T23:30:00Z"),
            ("2026-10-25 04:00 Europe/Berlin", "2026-10-25T03:00:00Z"),
            // Sydney starts DST on 2026-10-04: 09:00 is +11:00, the day before +10:00.
            ("2026-10-04 09:00 Australia/Sydney", "2026-10-03T22:00:00Z"),
            ("2026-10-03 09:00 Australia/Sydney", "2026-10-02T23:00:00Z"),
        ] {
            let lift = at(lifts);
            let emb = e(embargo);
            assert_eq!(emb.time(), Some(lift), "{embargo}");
            let second = chrono::Duration::seconds(1);
            for viewer in ["+00:00", "+09:00", "-10:00", "+05:30"] {
                let offset: FixedOffset = viewer.parse().expect("offset");
                let now = lift.with_timezone(&offset);
                assert!(emb.holds_at(now - second), "{embargo} a second before, seen at {viewer}");
                assert!(!emb.holds_at(now), "{embargo} at the instant, seen at {viewer}");
            }
        }
        let tokyo = at("2026-12-03T14:00:00Z").with_timezone(&"+09:00".parse::<FixedOffset>().expect("offset"));
        assert_eq!(tokyo.date_naive().to_string(), "2026-12-03", "23:00 in Tokyo");
        assert_eq!((tokyo + chrono::Duration::hours(1)).date_naive().to_string(), "2026-12-04");
    }

    #[test]
    fn an_offset_time_is_one_instant_in_every_zone() {
        let emb = e("2026-12-03T09:00:00-05:00");
        assert!(emb.holds_at(at("2026-12-03T13:59:59Z")));
        assert!(!emb.holds_at(at("2026-12-04T00:00:00+10:00")), "the same instant in Brisbane");
        assert!(emb.holds_at(at("2026-12-03T03:59:59-10:00")), "Honolulu, the same morning");
        assert_eq!(emb.date().to_string(), "2026-12-03");
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig { failure_persistence: None, cases: 256, ..Default::default() })]
        /// Any wall-clock time in zones with DST (north and south) and odd offsets either
        /// parses, reads back as written and lifts exactly at its instant, or is refused as
        /// skipped or repeated; nothing typed panics.
        #[test]
        fn zoned_times_read_back_and_lift_at_their_instant(
            day in 0i64..1100, minute in 0u32..1440,
            zone in proptest::sample::select(vec!["America/New_York", "Europe/Berlin", "Australia/Sydney", "Asia/Kolkata", "Pacific/Chatham", "UTC"]),
            viewer in -720i32..840, junk in "\\PC{0,40}",
        ) {
            let date = NaiveDate::from_ymd_opt(2026, 1, 1).expect("date") + chrono::Duration::days(day);
            let text = format!("{date} {:02}:{:02} {zone}", minute / 60, minute % 60);
            match Embargo::parse(&text) {
                Ok(emb) => {
                    proptest::prop_assert_eq!(emb.to_string(), text.clone());
                    let lift = emb.time().expect("timed");
                    let now = lift.with_timezone(&FixedOffset::east_opt(viewer * 60).expect("offset"));
                    proptest::prop_assert!(emb.holds_at(now - chrono::Duration::seconds(1)));
                    proptest::prop_assert!(!emb.holds_at(now));
                }
                Err(why) => proptest::prop_assert!(why.contains("happens twice") || why.contains("does not exist"), "{}: {}", text, why),
            }
            let _ = Embargo::parse(&junk);
        }
    }

    #[test]
    fn a_step_on_an_earlier_day_is_judged_at_that_days_end() {
        let now = at("2026-12-05T10:00:00-05:00");
        assert_eq!(instant_of(now.date_naive(), now), now);
        let day = "2026-12-03".parse().expect("date");
        assert_eq!(rfc3339(&instant_of(day, now)), "2026-12-03T23:59:59.999999999-05:00");
    }
}
