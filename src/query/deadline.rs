//! The disclosure policy's deadlines, computed from a report's dates and state.
//!
//! `enigm.yaml`'s `policy` gives days to acknowledge, to triage, to fix (per severity) and to
//! publish, counted from the `reported` date in calendar days or business days (Monday to
//! Friday). A deadline is *pending* until the report reaches the state that meets it; an
//! `embargo_until` date replaces the publication deadline; while a fix is in progress
//! (`remediating` or `fixed`) the publication deadline extends by the grace period. `list`,
//! `due`, `show` and the status screen all read these values from here. The acknowledgement
//! is met by the first outgoing message of `correspondence[]` ([`acknowledged`]).

use chrono::{Datelike, Duration, NaiveDate, Weekday};
use serde::Serialize;

use crate::format::config::Policy;
use crate::format::report::{Direction, Level, Report, State};

/// What a deadline is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    /// First response to the reporter: the first outgoing message; for a report with no
    /// correspondence at all, the first state change from `received`.
    Acknowledge,
    /// The report reaches `triaged` (or is closed).
    Triage,
    /// The report reaches `fixed`.
    Fix,
    /// The advisory is published.
    Publish,
    /// CRA Article 14(2)(a): the early warning, 24 hours from awareness.
    EarlyWarning,
    /// CRA Article 14(2)(b): the vulnerability notification, 72 hours from awareness.
    Notification,
    /// CRA Article 14(2)(c): the final report, 14 days after a corrective or mitigating
    /// measure is available.
    FinalReport,
}

impl Kind {
    /// The word used in tables and JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Acknowledge => "acknowledge",
            Kind::Triage => "triage",
            Kind::Fix => "fix",
            Kind::Publish => "publish",
            Kind::EarlyWarning => "early-warning",
            Kind::Notification => "notification",
            Kind::FinalReport => "final-report",
        }
    }
}

/// One pending deadline of one report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Deadline {
    pub kind: Kind,
    /// The last day on which meeting it is on time.
    pub due: NaiveDate,
    /// Days from today to `due` (calendar or business days, as the policy counts);
    /// negative when overdue.
    pub days_left: i64,
    /// Where the date comes from: `policy`, `policy+ssvc`, `embargo`, `policy+grace` or `cra`.
    pub basis: &'static str,
    /// The instant a deadline counted in hours (the CRA's) falls due, in the offset of the
    /// moment it counts from.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub due_at: Option<chrono::DateTime<chrono::FixedOffset>>,
    /// Whole hours from now to `due_at`, rounded down: negative once it has passed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hours_left: Option<i64>,
}

impl Deadline {
    /// True when `due` has passed.
    pub fn overdue(&self) -> bool {
        match self.hours_left {
            Some(hours) => hours < 0,
            None => self.days_left < 0,
        }
    }

    /// Short human text: `fix in 12d`, `publish today`, `triage 3d overdue`.
    pub fn describe(&self) -> String {
        let kind = self.kind.as_str();
        if let Some(hours) = self.hours_left {
            return match hours {
                h if h < 0 => format!("{kind} {}h overdue", -h),
                h => format!("{kind} in {h}h"),
            };
        }
        match self.days_left {
            0 => format!("{kind} today"),
            d if d < 0 => format!("{kind} {}d overdue", -d),
            d => format!("{kind} in {d}d"),
        }
    }
}

/// The pending deadlines of `report` on `today`, earliest first.
pub fn pending(report: &Report, policy: &Policy, today: NaiveDate) -> Vec<Deadline> {
    let state = report.state;
    if !state.is_open() {
        return Vec::new();
    }
    let mut out = Vec::new();
    let mut push = |kind, due, basis| {
        out.push(Deadline {
            kind,
            due,
            days_left: policy.days_between(today, due),
            basis,
            due_at: None,
            hours_left: None,
        })
    };
    let start = report.reported;
    if !acknowledged(report) {
        push(Kind::Acknowledge, policy.add_days(start, policy.acknowledge_days), "policy");
    }
    if matches!(state, State::Received | State::NeedsInfo) {
        push(Kind::Triage, policy.add_days(start, policy.triage_days), "policy");
    }
    if matches!(state, State::Triaged | State::Confirmed | State::Remediating)
        && let Some((days, basis)) = fix_days(report, policy)
    {
        push(Kind::Fix, policy.add_days(start, days), basis);
    }
    match report.embargo_until {
        // The embargo lifts at the start of its date (`Report::is_embargoed`): due that day.
        Some(embargo) => push(Kind::Publish, embargo, "embargo"),
        None if matches!(state, State::Remediating | State::Fixed) => {
            push(Kind::Publish, policy.add_days(start, policy.publish_days + policy.grace_days), "policy+grace")
        }
        None => push(Kind::Publish, policy.add_days(start, policy.publish_days), "policy"),
    }
    out.sort_by_key(|d| (d.due, d.kind));
    out
}

/// Whether the reporter has had a first response: an outgoing message in the correspondence;
/// a report with no correspondence at all (kept by hand, or from before correspondence was
/// recorded) counts its first state change from `received`, as it always did. A sealed
/// report's clear part keeps each message's time and direction, so this works without a key.
pub fn acknowledged(report: &Report) -> bool {
    if report.correspondence.is_empty() {
        return !(report.state == State::Received && report.timeline.len() <= 1);
    }
    report.correspondence.iter().any(|m| m.direction == Direction::Out)
}

/// The day of the first response ([`acknowledged`]): the first outgoing message's (in its own
/// offset), or without correspondence the date of the first state change.
pub fn first_response(report: &Report) -> Option<NaiveDate> {
    if report.correspondence.is_empty() {
        return report.timeline.iter().skip(1).map(|t| t.date).min();
    }
    report.correspondence.iter().filter(|m| m.direction == Direction::Out).map(|m| m.at.date_naive()).min()
}

/// Days to fix `report` and their basis: `ssvc_fix_days` of its SSVC outcome when the
/// policy lists it (`policy+ssvc`), else `fix_days` of its severity level (`policy`).
fn fix_days(report: &Report, policy: &Policy) -> Option<(u32, &'static str)> {
    let by_outcome = report.ssvc.as_ref().and_then(|d| policy.ssvc_fix_days.get(&d.outcome));
    match by_outcome {
        Some(days) => Some((*days, "policy+ssvc")),
        None => report.level().map(|l| (policy.fix_days.for_level(l), "policy")),
    }
}

impl Policy {
    /// `start` plus `days`, counted as the policy counts: in business days, the `days`
    /// Monday-to-Friday days after `start` (a deadline never falls on a weekend).
    pub fn add_days(&self, start: NaiveDate, days: u32) -> NaiveDate {
        if !self.business_days {
            return start.checked_add_signed(Duration::days(i64::from(days))).unwrap_or(NaiveDate::MAX);
        }
        let next = |d: NaiveDate| d.succ_opt().unwrap_or(NaiveDate::MAX);
        let mut date = start;
        let mut left = days;
        // Any 7 calendar days hold 5 business days; keep the last stretch day by day so the
        // result lands on a business day.
        while left > 5 {
            date = date.checked_add_signed(Duration::weeks(1)).unwrap_or(NaiveDate::MAX);
            left -= 5;
        }
        while left > 0 {
            date = next(date);
            if is_business_day(date) {
                left -= 1;
            }
        }
        while !is_business_day(date) {
            date = next(date);
        }
        date
    }

    /// Days from `from` to `to` as the policy counts them (negative when `to` is earlier).
    pub fn days_between(&self, from: NaiveDate, to: NaiveDate) -> i64 {
        if !self.business_days {
            return (to - from).num_days();
        }
        let (a, b, sign) = if from <= to { (from, to, 1) } else { (to, from, -1) };
        sign * business_days_between(a, b)
    }
}

/// Business days in `(a, b]`.
fn business_days_between(a: NaiveDate, b: NaiveDate) -> i64 {
    let total = (b - a).num_days();
    let weeks = total / 7;
    let mut count = weeks * 5;
    let mut d = a + Duration::weeks(weeks);
    while d < b {
        d = d.succ_opt().unwrap_or(NaiveDate::MAX);
        if is_business_day(d) {
            count += 1;
        }
    }
    count
}

fn is_business_day(d: NaiveDate) -> bool {
    !matches!(d.weekday(), Weekday::Sat | Weekday::Sun)
}

impl crate::format::config::FixDays {
    /// Days to fix a report of `level`.
    pub fn for_level(&self, level: Level) -> u32 {
        match level {
            Level::Critical => self.critical,
            Level::High => self.high,
            Level::Medium => self.medium,
            Level::Low => self.low,
            Level::None => self.none,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::format::report::{Reporter, SeverityInfo, TimelineEntry};

    fn date(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date")
    }

    fn report(state: State, level: Option<Level>) -> Report {
        let mut timeline =
            vec![TimelineEntry { date: date("2026-06-01"), state: State::Received, by: None, note: None }];
        if state != State::Received {
            timeline.push(TimelineEntry { date: date("2026-06-02"), state, by: None, note: None });
        }
        Report {
            id: "ENIGM-2026-0001".into(),
            title: "t".into(),
            state,
            reported: date("2026-06-01"),
            reporter: Reporter { name: "r".into(), contact: None, credit: None },
            credits: Vec::new(),
            products: vec![],
            severity: level.map(|l| SeverityInfo { cvss: None, cvss_v4: None, level: Some(l) }),
            cwe: vec![],
            embargo_until: None,
            aliases: vec![],
            references: vec![],
            assignee: None,
            mitigation: None,
            resolution: None,
            duplicate_of: None,
            published: None,
            withdrawn: None,
            timeline,
            correspondence: vec![],
            ssvc: None,
            exploited: None,
            kev: None,
            epss: None,
            vex_only: false,
        }
    }

    fn kinds(d: &[Deadline]) -> Vec<(&'static str, String, i64)> {
        d.iter().map(|d| (d.kind.as_str(), d.due.to_string(), d.days_left)).collect()
    }

    #[test]
    fn received_has_acknowledge_triage_and_publish() {
        let p = Policy::default();
        let got = pending(&report(State::Received, None), &p, date("2026-06-05"));
        assert_eq!(
            kinds(&got),
            [
                ("acknowledge", "2026-06-04".into(), -1),
                ("triage", "2026-06-11".into(), 6),
                ("publish", "2026-08-30".into(), 86)
            ]
        );
        assert!(got[0].overdue());
        assert_eq!(got[0].describe(), "acknowledge 1d overdue");
    }

    #[test]
    fn fix_deadline_follows_severity_and_grace_applies_while_fixing() {
        let p = Policy::default();
        let got = pending(&report(State::Remediating, Some(Level::Critical)), &p, date("2026-06-01"));
        assert_eq!(kinds(&got), [("fix", "2026-07-01".into(), 30), ("publish", "2026-09-13".into(), 104)]);
        assert_eq!(got[1].basis, "policy+grace");
        assert!(pending(&report(State::Published, Some(Level::High)), &p, date("2027-01-01")).is_empty());
    }

    #[test]
    fn embargo_replaces_the_publication_deadline() {
        let mut r = report(State::Fixed, Some(Level::Low));
        r.embargo_until = Some(date("2026-07-01"));
        let got = pending(&r, &Policy::default(), date("2026-07-01"));
        assert_eq!(kinds(&got), [("publish", "2026-07-01".into(), 0)]);
        assert_eq!(got[0].describe(), "publish today");
        // Due on the first day the embargo allows: never overdue while embargoed.
        for (day, embargoed, overdue) in
            [("2026-06-30", true, false), ("2026-07-01", false, false), ("2026-07-02", false, true)]
        {
            let got = pending(&r, &Policy::default(), date(day));
            assert_eq!((r.is_embargoed(date(day)), got[0].overdue()), (embargoed, overdue), "{day}");
        }
    }

    #[test]
    fn business_days_skip_weekends() {
        let p = Policy { business_days: true, ..Policy::default() };
        // 2026-06-05 is a Friday: three business days later is Wednesday.
        assert_eq!(p.add_days(date("2026-06-05"), 3), date("2026-06-10"));
        assert_eq!(p.add_days(date("2026-06-06"), 0), date("2026-06-08"), "a Saturday start moves to Monday");
        assert_eq!(p.add_days(date("2026-06-01"), 10), date("2026-06-15"));
        assert_eq!(p.days_between(date("2026-06-05"), date("2026-06-10")), 3);
        assert_eq!(p.days_between(date("2026-06-10"), date("2026-06-05")), -3);
        assert_eq!(p.days_between(date("2026-06-06"), date("2026-06-07")), 0);
        // From a Sunday, three business days are Monday, Tuesday, Wednesday.
        assert_eq!(p.add_days(date("2026-06-07"), 3), date("2026-06-10"));
        assert_eq!(p.add_days(date("2026-06-06"), 5), date("2026-06-12"), "Saturday + 5 is Friday");
        for start in 1..=7 {
            let from = date(&format!("2026-06-{start:02}"));
            for n in 1..40 {
                let due = p.add_days(from, n);
                assert!(is_business_day(due), "{from} + {n} = {due}");
                assert_eq!(p.days_between(from, due), i64::from(n), "{from} + {n} = {due}");
            }
        }
    }
}
