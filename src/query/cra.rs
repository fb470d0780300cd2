//! The EU Cyber Resilience Act's reporting clocks (Regulation (EU) 2024/2847, Article 14(2),
//! applicable from 11 September 2026) for an actively exploited vulnerability.
//!
//! With `policy.cra: true` (or `cra: true` in the own policy of one of its products,
//! `policy.products`), a report with `exploited` owes: (a) an early warning "without
//! undue delay and in any event within 24 hours" of the manufacturer becoming aware, (b) a
//! vulnerability notification within 72 hours of becoming aware, and (c) a final report "no
//! later than 14 days after a corrective or mitigating measure is available". The clocks are
//! counted in hours between instants (a DST change or a time zone changes nothing), from
//! `exploited.aware` (else `exploited.since`), and shown in the UTC offset of the clock that
//! reads them (`ENIGM_NOW`, else the local one); the final report's from
//! `exploited.measure_available`, else the start of the report's `fixed` timeline date in the
//! offset of `aware`, and never from before `aware` (a fix that shipped before the
//! organisation learned of the exploitation gives it 14 days from then, not a deadline already
//! missed when it learns). A report whose every product is `not_affected` owes none. A deadline is pending until its time of submission is recorded
//! (`exploited.early_warning`, `notification`, `final_report`). A `rejected` report owes none.

use chrono::{DateTime, Duration, FixedOffset, NaiveTime};

use crate::format::config::Policy;
use crate::format::report::{Report, State};
use crate::query::deadline::{Deadline, Kind};

/// Hours to the early warning.
pub const EARLY_WARNING_HOURS: i64 = 24;
/// Hours to the vulnerability notification.
pub const NOTIFICATION_HOURS: i64 = 72;
/// Days from an available measure to the final report.
pub const FINAL_REPORT_DAYS: i64 = 14;

/// The pending CRA deadlines of `report` at `now`, earliest first (none unless `policy.cra`, or
/// the `cra` of the policy of one of its products, `policy.products`).
pub fn pending(report: &Report, policy: &Policy, now: DateTime<FixedOffset>) -> Vec<Deadline> {
    let Some(e) = report.exploited.as_ref().filter(|_| report.state != State::Rejected && applies(report, policy))
    else {
        return Vec::new();
    };
    let aware = e.aware_at();
    let measure = e
        .measure_available
        .or_else(|| {
            let fixed = report.timeline.iter().find(|t| t.state == State::Fixed)?;
            fixed.date.and_time(NaiveTime::MIN).and_local_timezone(*aware.offset()).single()
        })
        .map(|m| m.max(aware));
    let clocks = [
        (Kind::EarlyWarning, Some(aware + Duration::hours(EARLY_WARNING_HOURS)), e.early_warning),
        (Kind::Notification, Some(aware + Duration::hours(NOTIFICATION_HOURS)), e.notification),
        (Kind::FinalReport, measure.map(|m| m + Duration::days(FINAL_REPORT_DAYS)), e.final_report),
    ];
    clocks
        .into_iter()
        .filter(|(_, _, done)| done.is_none())
        .filter_map(|(kind, at, _)| at.map(|at| deadline(kind, at, now)))
        .collect()
}

/// Whether the Act's clocks run for `report`: the CRA is in the policy of one of its products
/// that the vulnerability may be in (all but the `not_affected` ones), or in the global policy
/// for a report that names no product. A report whose every product is `not_affected` (a VEX
/// statement "we are not affected by CVE-X") owes no notification.
fn applies(report: &Report, policy: &Policy) -> bool {
    let concerned = super::deadline::concerned_products(report);
    if concerned.is_empty() && !report.products.is_empty() {
        return false;
    }
    policy.for_products(concerned).iter().any(|(_, p)| p.cra)
}

/// A deadline due at the instant `at`, seen at `now`: shown in the offset of `now` (the
/// viewer's clock), so its date and hour are the viewer's wall clock after a DST change.
fn deadline(kind: Kind, at: DateTime<FixedOffset>, now: DateTime<FixedOffset>) -> Deadline {
    let seconds = (at - now).num_seconds();
    let at = at.with_timezone(now.offset());
    Deadline {
        kind,
        due: at.date_naive(),
        days_left: (at.date_naive() - now.date_naive()).num_days(),
        basis: "cra",
        product: None,
        due_at: Some(at),
        hours_left: Some(seconds.div_euclid(3600)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::format::exploited::{Exploited, Source};

    fn at(s: &str) -> DateTime<FixedOffset> {
        DateTime::parse_from_rfc3339(s).expect("time")
    }

    fn exploited(aware: &str) -> Exploited {
        Exploited {
            since: at(aware),
            aware: None,
            source: Source::Telemetry,
            early_warning: None,
            notification: None,
            measure_available: None,
            final_report: None,
        }
    }

    fn report(e: Exploited) -> Report {
        let text = "id: ENIGM-2026-0001\ntitle: t\nstate: triaged\nreported: 2026-10-20\nreporter: {name: r}\n\
                    timeline:\n  - {date: 2026-10-20, state: received}\n  - {date: 2026-10-21, state: triaged}\n";
        let mut r: Report = serde_yaml::from_str(text).expect("report");
        r.exploited = Some(e);
        r
    }

    fn cra() -> Policy {
        Policy { cra: true, ..Policy::default() }
    }

    #[test]
    fn no_clock_without_the_policy_or_the_field() {
        let r = report(exploited("2026-10-24T09:00:00+02:00"));
        assert!(pending(&r, &Policy::default(), at("2026-10-24T10:00:00Z")).is_empty());
        let mut plain = r.clone();
        plain.exploited = None;
        assert!(pending(&plain, &cra(), at("2026-10-24T10:00:00Z")).is_empty());
    }

    #[test]
    fn a_products_own_policy_can_turn_the_clocks_on() {
        let mut r = report(exploited("2026-10-24T09:00:00+02:00"));
        let now = at("2026-10-24T10:00:00Z");
        let policy: Policy = serde_yaml::from_str("products: {cloud: {cra: true}}").expect("policy");
        assert!(pending(&r, &policy, now).is_empty(), "no product: the global policy, without the CRA");
        r.products = vec![serde_json::from_value(serde_json::json!({"name": "cloud"})).expect("product")];
        assert_eq!(pending(&r, &policy, now).len(), 2, "early warning and notification");
        r.products.push(serde_json::from_value(serde_json::json!({"name": "web"})).expect("product"));
        assert_eq!(pending(&r, &policy, now).len(), 2, "any of its products' policies");
    }

    /// Berlin leaves summer time at 03:00 CEST on 2026-10-25: 24 hours after 09:00 CEST on the
    /// 24th is 08:00 CET on the 25th, not 09:00.
    #[test]
    fn hours_are_real_hours_across_a_dst_change() {
        let r = report(exploited("2026-10-24T09:00:00+02:00"));
        let got = pending(&r, &cra(), at("2026-10-25T07:30:00+01:00"));
        assert_eq!(got[0].kind, Kind::EarlyWarning);
        assert_eq!(got[0].due_at, Some(at("2026-10-25T08:00:00+01:00")));
        assert_eq!(got[0].hours_left, Some(0), "30 minutes left");
        assert!(!got[0].overdue());
        let late = pending(&r, &cra(), at("2026-10-25T08:00:01+01:00"));
        assert_eq!(late[0].hours_left, Some(-1));
        assert!(late[0].overdue());
        assert_eq!(late[0].describe(), "early-warning under 1h overdue", "one second late");
        assert_eq!(got[0].describe(), "early-warning in under 1h");
        assert_eq!(late[1].describe(), "notification in 47h");
    }

    /// The same instant of awareness written in several offsets gives the same deadline and
    /// hours; the due date and hour are the viewer's, past midnight where it falls so (New
    /// York after its DST start on 2026-03-08 is -04:00).
    #[test]
    fn the_same_instant_in_several_time_zones_and_across_midnight() {
        for aware in ["2026-03-07T23:30:00-05:00", "2026-03-08T04:30:00+00:00", "2026-03-08T15:30:00+11:00"] {
            for (now, due_at, due_date) in [
                ("2026-03-08T08:00:00-04:00", "2026-03-09T00:30:00-04:00", "2026-03-09"), // New York, EDT
                ("2026-03-08T12:00:00+00:00", "2026-03-09T04:30:00+00:00", "2026-03-09"), // UTC
                ("2026-03-08T17:30:00+05:30", "2026-03-09T10:00:00+05:30", "2026-03-09"), // Kolkata
                ("2026-03-08T02:00:00-10:00", "2026-03-08T18:30:00-10:00", "2026-03-08"), // Honolulu
            ] {
                let got = pending(&report(exploited(aware)), &cra(), at(now));
                let shown = got[0].due_at.expect("due at").to_rfc3339();
                assert_eq!((shown.as_str(), got[0].due.to_string()), (due_at, due_date.to_owned()), "{aware} at {now}");
                assert_eq!((got[0].hours_left, got[1].hours_left), (Some(16), Some(64)), "{aware} at {now}");
            }
        }
    }

    #[test]
    fn submitted_notifications_stop_their_clock_and_a_fix_starts_the_final_report() {
        let mut e = exploited("2026-10-24T09:00:00+02:00");
        e.aware = Some(at("2026-10-24T18:00:00+02:00"));
        e.early_warning = Some(at("2026-10-25T09:00:00+01:00"));
        let mut r = report(e);
        let got = pending(&r, &cra(), at("2026-10-25T12:00:00Z"));
        assert_eq!(got.iter().map(|d| d.kind).collect::<Vec<_>>(), [Kind::Notification]);
        assert_eq!(got[0].due_at, Some(at("2026-10-27T17:00:00+01:00")), "72 hours from awareness, not since");
        r.timeline.push(crate::format::report::TimelineEntry {
            date: "2026-11-02".parse().expect("date"),
            state: State::Fixed,
            by: None,
            note: None,
        });
        let got = pending(&r, &cra(), at("2026-11-03T12:00:00Z"));
        let last = got.last().expect("final report");
        assert_eq!(last.kind, Kind::FinalReport);
        assert_eq!(last.due_at, Some(at("2026-11-16T00:00:00+02:00")), "the fixed date's start, + 14 days");
        r.state = State::Rejected;
        assert!(pending(&r, &cra(), at("2026-11-03T12:00:00Z")).is_empty());
    }
    #[test]
    fn a_fix_before_awareness_gives_fourteen_days_from_awareness() {
        let mut r = report(exploited("2026-11-20T10:00:00Z"));
        r.timeline.push(crate::format::report::TimelineEntry {
            date: "2026-06-04".parse().expect("date"),
            state: State::Fixed,
            by: None,
            note: None,
        });
        let got = pending(&r, &cra(), at("2026-11-20T11:00:00Z"));
        let last = got.last().expect("final report");
        assert_eq!(last.kind, Kind::FinalReport);
        assert_eq!(last.due_at, Some(at("2026-12-04T10:00:00Z")), "not missed in June, before anyone knew");
    }

    #[test]
    fn a_report_whose_every_product_is_not_affected_owes_no_notification() {
        let mut r = report(exploited("2026-10-24T09:00:00+02:00"));
        let now = at("2026-10-24T10:00:00Z");
        let product = |status: &str| {
            serde_json::from_value(serde_json::json!({"name": "web", "status": status})).expect("product")
        };
        r.products = vec![product("not_affected")];
        assert!(pending(&r, &cra(), now).is_empty(), "the vulnerability is in none of our products");
        r.products.push(product("under_investigation"));
        assert_eq!(pending(&r, &cra(), now).len(), 2, "one product may hold it");
        let policy: Policy = serde_yaml::from_str("products: {cloud: {cra: true}}").expect("policy");
        r.products =
            vec![serde_json::from_value(serde_json::json!({"name": "cloud", "status": "not_affected"})).expect("p")];
        r.products.push(product("affected"));
        assert!(pending(&r, &policy, now).is_empty(), "the product under the CRA is not affected");
    }
}
