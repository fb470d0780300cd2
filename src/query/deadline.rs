//! The disclosure policy's deadlines, computed from a report's dates and state.
//!
//! `enigm.yaml`'s `policy` gives days to acknowledge, to triage, to fix (per severity) and to
//! publish, counted from the `reported` date in calendar days or business days (Monday to
//! Friday). A deadline is *pending* until the report reaches the state that meets it; an
//! `embargo_until` replaces the publication deadline (a timed embargo's is due at its instant,
//! counted in hours like the CRA's); while a fix is in progress (`remediating` or `fixed`) the
//! publication deadline extends by the grace period. A product may have its own policy
//! (`policy.products`): a report is held to the policy of each of its products, and each of
//! its deadlines is the earliest they set ([`pending`]). `list`, `due`, `show`, `stats` and
//! the status screen all read these values from here. The acknowledgement is met by the first
//! outgoing message of `correspondence[]` ([`acknowledged`]).

use chrono::{DateTime, Datelike, Duration, FixedOffset, NaiveDate, Weekday};
use serde::Serialize;

use crate::format::config::Policy;
use crate::format::embargo::Embargo;
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
    /// The product whose own policy (`policy.products.<name>`) set this deadline; absent when
    /// the global policy did (or the embargo, or the CRA).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub product: Option<String>,
    /// The instant a deadline counted in hours (the CRA's, a timed embargo's) falls due: a
    /// CRA one in the viewer's offset, an embargo in the offset its author wrote.
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
        format!("{} {}", self.kind.as_str(), self.when())
    }

    /// When, as people read it: `in 12d`, `today`, `3d overdue`; in hours (`in 13h`, `2h
    /// overdue`) for a CRA deadline, and for a timed embargo within 48 hours of it. The hour
    /// either side of the instant is `in under 1h` / `under 1h overdue` (`hours_left` 0 and -1:
    /// a deadline passed a second ago is not "1h overdue").
    pub fn when(&self) -> String {
        match self.hours_left {
            Some(h) if self.basis == "cra" || h.abs() < 48 => match h {
                0 => "in under 1h".to_owned(),
                -1 => "under 1h overdue".to_owned(),
                h if h < 0 => format!("{}h overdue", -h),
                h => format!("in {h}h"),
            },
            _ => match self.days_left {
                0 => "today".to_owned(),
                d if d < 0 => format!("{}d overdue", -d),
                d => format!("in {d}d"),
            },
        }
    }
}

/// Today and the current instant: what the deadlines in days and in hours count up to.
#[derive(Debug, Clone, Copy)]
pub struct Now {
    pub today: NaiveDate,
    pub at: DateTime<FixedOffset>,
}

impl Now {
    /// `today`, with the start of that day (UTC) as the instant.
    pub fn start_of(today: NaiveDate) -> Now {
        Now { today, at: today.and_time(chrono::NaiveTime::MIN).and_utc().fixed_offset() }
    }
}

/// The products whose policy governs `report`: every product it names except the `not_affected`
/// ones (a team whose product is not affected does not set the report's clock). A report whose
/// every product is `not_affected` is held to the global policy (an empty list).
pub fn concerned_products(report: &Report) -> Vec<&str> {
    let not_affected = crate::format::report::ProductStatus::NotAffected;
    report.products.iter().filter(|p| p.vex_status() != not_affected).map(|p| p.name.as_str()).collect()
}

/// The pending deadlines of `report` at `now`, earliest first: under each policy its concerned
/// products are held to ([`Policy::for_products`], [`concerned_products`]), the earliest of
/// each kind.
pub fn pending(report: &Report, policy: &Policy, now: Now) -> Vec<Deadline> {
    if !report.state.is_open() {
        return Vec::new();
    }
    let mut out: Vec<Deadline> = Vec::new();
    let policies = policy.for_products(concerned_products(report));
    // A deadline is labelled with a product only where its override changes it.
    let global =
        if policies.iter().any(|(name, _)| name.is_some()) { pending_under(report, policy, now) } else { Vec::new() };
    let as_global = |d: &Deadline| global.iter().any(|g| g.kind == d.kind && (g.due, g.due_at) == (d.due, d.due_at));
    for (product, p) in policies {
        for mut d in pending_under(report, &p, now) {
            d.product = product.filter(|_| d.basis.starts_with("policy") && !as_global(&d)).map(str::to_owned);
            match out.iter_mut().find(|o| o.kind == d.kind) {
                Some(o) if (d.due, d.due_at) < (o.due, o.due_at) => *o = d,
                Some(_) => {}
                None => out.push(d),
            }
        }
    }
    out.sort_by_key(|d| (d.due, d.kind));
    out
}

/// The pending deadlines of `report` under one policy.
fn pending_under(report: &Report, policy: &Policy, now: Now) -> Vec<Deadline> {
    let (state, today) = (report.state, now.today);
    let mut out = Vec::new();
    let mut push = |kind, due, basis| {
        out.push(Deadline {
            kind,
            due,
            days_left: policy.days_between(today, due),
            basis,
            product: None,
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
        Some(embargo) => out.push(embargo_deadline(embargo, policy, now)),
        None if matches!(state, State::Remediating | State::Fixed) => {
            push(Kind::Publish, policy.add_days(start, policy.publish_days + policy.grace_days), "policy+grace")
        }
        None => push(Kind::Publish, policy.add_days(start, policy.publish_days), "policy"),
    }
    out
}

/// The publication deadline an embargo sets. A date-only one lifts at the start of its date
/// (`Report::is_embargoed`): due that day, in days. A timed one is due at its instant, shown
/// in its author's offset, and counted in hours from `now`.
fn embargo_deadline(embargo: Embargo, policy: &Policy, now: Now) -> Deadline {
    let Some(at) = embargo.time() else {
        let due = embargo.date();
        let days_left = policy.days_between(now.today, due);
        return Deadline {
            kind: Kind::Publish,
            due,
            days_left,
            basis: "embargo",
            product: None,
            due_at: None,
            hours_left: None,
        };
    };
    let seen = at.with_timezone(now.at.offset()).date_naive();
    Deadline {
        kind: Kind::Publish,
        due: seen,
        days_left: (seen - now.at.date_naive()).num_days(),
        basis: "embargo",
        product: None,
        due_at: Some(at),
        hours_left: Some((at - now.at).num_seconds().div_euclid(3600)),
    }
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
        let got = pending(&report(State::Received, None), &p, Now::start_of(date("2026-06-05")));
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
        let got = pending(&report(State::Remediating, Some(Level::Critical)), &p, Now::start_of(date("2026-06-01")));
        assert_eq!(kinds(&got), [("fix", "2026-07-01".into(), 30), ("publish", "2026-09-13".into(), 104)]);
        assert_eq!(got[1].basis, "policy+grace");
        assert!(
            pending(&report(State::Published, Some(Level::High)), &p, Now::start_of(date("2027-01-01"))).is_empty()
        );
    }

    #[test]
    fn embargo_replaces_the_publication_deadline() {
        let mut r = report(State::Fixed, Some(Level::Low));
        r.embargo_until = Some(date("2026-07-01").into());
        let got = pending(&r, &Policy::default(), Now::start_of(date("2026-07-01")));
        assert_eq!(kinds(&got), [("publish", "2026-07-01".into(), 0)]);
        assert_eq!(got[0].describe(), "publish today");
        // Due on the first day the embargo allows: never overdue while embargoed.
        for (day, embargoed, overdue) in
            [("2026-06-30", true, false), ("2026-07-01", false, false), ("2026-07-02", false, true)]
        {
            let got = pending(&r, &Policy::default(), Now::start_of(date(day)));
            assert_eq!((r.is_embargoed(Now::start_of(date(day)).at), got[0].overdue()), (embargoed, overdue), "{day}");
        }
    }

    #[test]
    fn a_timed_embargo_is_due_at_its_instant_in_its_authors_offset() {
        let mut r = report(State::Fixed, Some(Level::Low));
        r.embargo_until = Some("2026-12-03 09:00 America/New_York".parse().expect("embargo"));
        let at = |s: &str| DateTime::parse_from_rfc3339(s).expect("now");
        // Seen from Tokyo, 09:00 in New York is 23:00 the same day; from Honolulu, 04:00.
        for (now, due, hours) in [
            ("2026-12-03T08:59:00+09:00", "2026-12-03", 14),
            ("2026-12-03T03:00:00-10:00", "2026-12-03", 1),
            ("2026-12-01T09:00:00-05:00", "2026-12-03", 48),
        ] {
            let now = Now { today: at(now).date_naive(), at: at(now) };
            let got = pending(&r, &Policy::default(), now);
            assert_eq!(got[0].due_at.expect("due at").to_rfc3339(), "2026-12-03T09:00:00-05:00");
            assert_eq!((got[0].due.to_string(), got[0].hours_left), (due.to_owned(), Some(hours)), "{now:?}");
            assert!(!got[0].overdue());
        }
        let before = at("2026-12-03T08:59:59-05:00");
        assert!(r.is_embargoed(before) && !r.is_embargoed(at("2026-12-03T09:00:00-05:00")));
        let late = Now { today: before.date_naive(), at: at("2026-12-03T10:30:00-05:00") };
        let got = pending(&r, &Policy::default(), late);
        assert!(got[0].overdue());
        assert_eq!(got[0].describe(), "publish 2h overdue");
        let far = Now::start_of(date("2026-11-01"));
        assert_eq!(pending(&r, &Policy::default(), far)[0].describe(), "publish in 32d", "days when far off");
    }

    fn with_products(names: &[&str]) -> Report {
        let mut r = report(State::Triaged, Some(Level::High));
        r.products =
            names.iter().map(|n| serde_json::from_value(serde_json::json!({"name": n})).expect("product")).collect();
        r
    }

    fn two_products() -> Policy {
        let yaml = "fix_days: {high: 60}\npublish_days: 90\nproducts:\n  firmware:\n    fix_days: {high: 20}\n    publish_days: 45\n  cloud:\n    acknowledge_days: 1\n    fix_days: {high: 30}\n";
        serde_yaml::from_str(yaml).expect("policy")
    }

    #[test]
    fn each_product_has_its_own_policy_and_several_get_the_strictest() {
        let p = two_products();
        let on = Now::start_of(date("2026-06-05"));
        let due = |names: &[&str]| {
            pending(&with_products(names), &p, on)
                .into_iter()
                .map(|d| (d.kind.as_str(), d.due.to_string(), d.product))
                .collect::<Vec<_>>()
        };
        let some = |s: &str| Some(s.to_owned());
        assert_eq!(
            due(&["firmware"]),
            [("fix", "2026-06-21".into(), some("firmware")), ("publish", "2026-07-16".into(), some("firmware"))]
        );
        assert_eq!(
            due(&["cloud"]),
            [("fix", "2026-07-01".into(), some("cloud")), ("publish", "2026-08-30".into(), None)],
            "cloud keeps the global publish window: that deadline names no product"
        );
        assert_eq!(due(&["other"]), [("fix", "2026-07-31".into(), None), ("publish", "2026-08-30".into(), None)]);
        assert_eq!(due(&[]), due(&["other"]), "no product: the global policy");
        // Several products: each deadline is the earliest of their policies.
        assert_eq!(
            due(&["cloud", "firmware"]),
            [("fix", "2026-06-21".into(), some("firmware")), ("publish", "2026-07-16".into(), some("firmware"))]
        );
        // A product that is not affected does not set the clock.
        let mut vex = with_products(&["cloud", "firmware"]);
        vex.products[1].status = Some(crate::format::report::ProductStatus::NotAffected);
        let got: Vec<_> = pending(&vex, &p, on).into_iter().map(|d| (d.kind.as_str(), d.due.to_string())).collect();
        assert_eq!(got, [("fix", "2026-07-01".to_owned()), ("publish", "2026-08-30".to_owned())]);
        let mut unacknowledged = with_products(&["other", "cloud"]);
        unacknowledged.state = State::Received;
        unacknowledged.timeline.truncate(1);
        let got = pending(&unacknowledged, &p, on);
        assert_eq!(
            (got[0].kind, got[0].due.to_string(), got[0].product.as_deref()),
            (Kind::Acknowledge, "2026-06-02".into(), Some("cloud"))
        );
    }

    #[test]
    fn a_products_override_keeps_the_global_values_it_leaves_out() {
        let p = two_products();
        let firmware = p.for_product("firmware").expect("override");
        assert_eq!((firmware.fix_days.high, firmware.fix_days.critical, firmware.triage_days), (20, 30, 10));
        assert!(firmware.products.is_empty() && firmware.out_of_scope.is_empty());
        assert!(p.for_product("other").is_none());
        let global = Policy::default();
        let only = global.for_products(["firmware"]);
        assert!(
            matches!(only.as_slice(), [(None, std::borrow::Cow::Borrowed(_))]),
            "no overrides: the global one, borrowed"
        );
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
