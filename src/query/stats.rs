//! Disclosure metrics computed from report timelines: counts, time to first response (the
//! first outgoing message, [`deadline::first_response`]), to triage, fix and publish.
//!
//! Durations are calendar days from `reported` to the first timeline entry of the state that
//! ends the phase (`triaged`, `fixed`, `published`). Reports closed as `spam` or `invalid`
//! are not security reports: they count in the totals and per-state counts (the volume that
//! arrives) but not in any figure that measures the response ([`Report::measures_response`]).
//! Neither do VEX statements (`vex_only`: what our products make of someone else's
//! vulnerability, filed by ourselves): they have no researcher to answer and nothing of ours to
//! fix. Percentiles use the nearest-rank method, so every figure is a duration some report
//! actually had. `stats` prints these; the HTML
//! dashboard ([`dashboard`]) draws them.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};
use serde::Serialize;

use crate::format::report::{Level, Report, State};
use crate::query::catalog::Catalog;
use crate::query::deadline;

/// Buckets of the time-to-fix histogram: (label, last day included).
pub const FIX_BUCKETS: &[(&str, i64)] =
    &[("0–7", 7), ("8–30", 30), ("31–60", 60), ("61–90", 90), ("91–180", 180), ("181+", i64::MAX)];

/// Buckets of the open-reports-by-age chart.
pub const AGE_BUCKETS: &[(&str, i64)] =
    &[("0–7", 7), ("8–30", 30), ("31–90", 90), ("91–180", 180), ("181–365", 365), ("366+", i64::MAX)];

/// Summary of a set of durations in days.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Durations {
    /// How many reports the figures come from.
    pub count: usize,
    pub median: Option<i64>,
    pub p90: Option<i64>,
}

impl Durations {
    fn of(mut days: Vec<i64>) -> Durations {
        days.sort_unstable();
        Durations { count: days.len(), median: percentile(&days, 50), p90: percentile(&days, 90) }
    }
}

/// Nearest-rank percentile of sorted values.
fn percentile(sorted: &[i64], p: usize) -> Option<i64> {
    if sorted.is_empty() {
        return None;
    }
    let rank = (p * sorted.len()).div_ceil(100).max(1);
    sorted.get(rank - 1).copied()
}

/// Time-to figures.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Times {
    /// From `reported` to the first response ([`deadline::first_response`]).
    pub first_response: Durations,
    pub triage: Durations,
    pub fix: Durations,
    pub publish: Durations,
}

/// Figures for one product.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProductStats {
    pub total: usize,
    pub open: usize,
    /// Open reports with a missed deadline (each counted by its own deadlines: a report of
    /// several products is held to the strictest of their policies).
    pub overdue: usize,
    pub times: Times,
    /// The deadlines the product's reports are held to.
    pub policy: ProductPolicy,
}

/// The policy of one product: the global one, or its own (`policy.products.<name>`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProductPolicy {
    /// True when `policy.products` overrides the global policy for this product.
    pub own: bool,
    pub acknowledge_days: u32,
    pub triage_days: u32,
    pub fix_days: crate::format::config::FixDays,
    /// Days to fix per SSVC outcome (absent when none is set).
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub ssvc_fix_days: BTreeMap<String, u32>,
    pub publish_days: u32,
    pub grace_days: u32,
    pub business_days: bool,
    pub cra: bool,
}

impl ProductPolicy {
    /// The policy reports of product `name` are held to.
    pub fn of(policy: &crate::format::config::Policy, name: &str) -> ProductPolicy {
        let own = policy.for_product(name);
        let p = own.as_ref().unwrap_or(policy);
        ProductPolicy {
            own: own.is_some(),
            acknowledge_days: p.acknowledge_days,
            triage_days: p.triage_days,
            fix_days: p.fix_days.clone(),
            ssvc_fix_days: p.ssvc_fix_days.clone(),
            publish_days: p.publish_days,
            grace_days: p.grace_days,
            business_days: p.business_days,
            cra: p.cra,
        }
    }
}

/// An open report in the dashboard's "oldest open" list.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OpenReport {
    pub id: String,
    pub state: State,
    pub severity: Option<Level>,
    pub age_days: i64,
    pub overdue: bool,
    /// The title, or `None` when it must not be shown (not public and titles not asked for).
    pub title: Option<String>,
}

/// Everything `stats` reports.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Stats {
    pub today: NaiveDate,
    /// Reports reported on or after this date only.
    pub since: Option<NaiveDate>,
    pub total: usize,
    pub open: usize,
    pub overdue: usize,
    /// Open reports whose reporter has had no first response yet.
    pub unacknowledged: usize,
    /// Under an embargo that has not ended.
    pub embargoed: usize,
    /// Closed as `spam` or `invalid`: counted in `total` and `by_state`, left out of `times`,
    /// `by_product` times and `fix_histogram`.
    pub not_reports: usize,
    /// VEX statements (`vex_only`): counted in `total` and `by_state`, left out of `times`,
    /// `by_product` times, `fix_histogram` and `unacknowledged`.
    pub vex_statements: usize,
    pub by_state: BTreeMap<String, usize>,
    /// By level (`unknown` when a report has none yet).
    pub by_severity: BTreeMap<String, usize>,
    pub times: Times,
    /// By product, over the reports that concern it: a product the report names as
    /// `not_affected` does not count it ([`deadline::concerned_products`]).
    pub by_product: BTreeMap<String, ProductStats>,
    /// `YYYY-MM` → level → reports received that month.
    pub by_month: BTreeMap<String, BTreeMap<String, usize>>,
    /// Time-to-fix histogram, in [`FIX_BUCKETS`] order.
    pub fix_histogram: Vec<(String, usize)>,
    /// Open reports by age, in [`AGE_BUCKETS`] order.
    pub open_by_age: Vec<(String, usize)>,
    /// The 10 oldest open reports.
    pub oldest_open: Vec<OpenReport>,
    /// Recorded SSVC outcome → reports (only reports with a decision).
    pub by_ssvc: BTreeMap<String, usize>,
    /// Reports marked `exploited`.
    pub exploited: usize,
    /// Reports with a missed CRA deadline ([`crate::query::cra`]) at the request's `now`.
    pub cra_overdue: usize,
}

/// What to compute.
#[derive(Debug, Clone)]
pub struct StatsRequest {
    pub today: NaiveDate,
    pub since: Option<NaiveDate>,
    /// Show titles of reports that are not public.
    pub with_titles: bool,
    /// The instant the CRA clocks count to; the start of `today` (UTC) when `None`.
    pub now: Option<chrono::DateTime<chrono::FixedOffset>>,
}

/// Days from `reported` to the first timeline entry in `state`.
fn days_to(report: &Report, state: State) -> Option<i64> {
    report.timeline.iter().find(|t| t.state == state).map(|t| (t.date - report.reported).num_days())
}

/// Whether `report` counts in the figures that measure the team's response: not when closed
/// as spam or invalid ([`Report::measures_response`]), not when a VEX statement.
fn measured(report: &Report) -> bool {
    report.measures_response() && !report.vex_only
}

/// The time-to figures of the reports that measure the response.
fn times<'a>(reports: impl Iterator<Item = &'a Report> + Clone) -> Times {
    let measured = reports.filter(|r| measured(r));
    let phase = |s| Durations::of(measured.clone().filter_map(|r| days_to(r, s)).collect());
    let first = measured.clone().filter_map(|r| deadline::first_response(r).map(|d| (d - r.reported).num_days()));
    Times {
        first_response: Durations::of(first.collect()),
        triage: phase(State::Triaged),
        fix: phase(State::Fixed),
        publish: phase(State::Published),
    }
}

fn level_name(level: Option<Level>) -> String {
    level.map_or_else(|| "unknown".to_owned(), |l| l.to_string())
}

fn bucket(buckets: &[(&str, i64)], days: i64) -> usize {
    buckets.iter().position(|(_, max)| days <= *max).unwrap_or(buckets.len() - 1)
}

/// The instant the clocks count to: `now`, else the start of `today` (UTC).
fn now_of(req: &StatsRequest) -> chrono::DateTime<chrono::FixedOffset> {
    req.now.unwrap_or_else(|| req.today.and_time(chrono::NaiveTime::MIN).and_utc().fixed_offset())
}

/// SSVC outcomes, exploited reports and reports with a missed CRA deadline.
fn threat_figures(
    reports: &[&Report],
    policy: &crate::format::config::Policy,
    req: &StatsRequest,
) -> (BTreeMap<String, usize>, usize, usize) {
    let now = now_of(req);
    let mut by_ssvc = BTreeMap::new();
    for d in reports.iter().filter_map(|r| r.ssvc.as_ref()) {
        *by_ssvc.entry(d.outcome.clone()).or_default() += 1;
    }
    let exploited = reports.iter().filter(|r| r.exploited.is_some()).count();
    let missed =
        reports.iter().filter(|r| crate::query::cra::pending(r, policy, now).iter().any(|d| d.overdue())).count();
    (by_ssvc, exploited, missed)
}

/// Computes the figures over the catalog.
pub fn compute(catalog: &Catalog, policy: &crate::format::config::Policy, req: &StatsRequest) -> Stats {
    let reports: Vec<&Report> =
        catalog.entries.iter().map(|e| &e.report).filter(|r| req.since.is_none_or(|s| r.reported >= s)).collect();
    let is_open = |r: &Report| r.state.is_open();
    let mut by_state: BTreeMap<String, usize> = State::ALL.iter().map(|s| (s.to_string(), 0)).collect();
    let mut by_severity = BTreeMap::new();
    let mut by_month: BTreeMap<String, BTreeMap<String, usize>> = BTreeMap::new();
    let mut fix_histogram = vec![0; FIX_BUCKETS.len()];
    let mut open_by_age = vec![0; AGE_BUCKETS.len()];
    let mut open = Vec::new();
    let mut late_ids = std::collections::HashSet::new();
    for r in &reports {
        *by_state.entry(r.state.to_string()).or_default() += 1;
        let level = r.level();
        *by_severity.entry(level_name(level)).or_default() += 1;
        let month = format!("{:04}-{:02}", r.reported.year(), r.reported.month());
        *by_month.entry(month).or_default().entry(level_name(level)).or_default() += 1;
        if let Some(d) = days_to(r, State::Fixed).filter(|_| measured(r)) {
            fix_histogram[bucket(FIX_BUCKETS, d)] += 1;
        }
        if is_open(r) {
            let age = (req.today - r.reported).num_days();
            open_by_age[bucket(AGE_BUCKETS, age.max(0))] += 1;
            let late = deadline::pending(r, policy, deadline::Now { today: req.today, at: now_of(req) })
                .iter()
                .any(|d| d.overdue());
            if late {
                late_ids.insert(std::ptr::from_ref::<Report>(r));
            }
            let title = (req.with_titles || r.state.is_public()).then(|| r.title.clone());
            open.push(OpenReport {
                id: r.id.clone(),
                state: r.state,
                severity: level,
                age_days: age,
                overdue: late,
                title,
            });
        }
    }
    let (by_ssvc, exploited, cra_overdue) = threat_figures(&reports, policy, req);
    open.sort_by(|a, b| b.age_days.cmp(&a.age_days).then_with(|| a.id.cmp(&b.id)));
    open.truncate(10);
    let mut per_product: BTreeMap<&str, Vec<&Report>> = BTreeMap::new();
    for r in &reports {
        // A product named as `not_affected` has nothing to do with the report's response.
        let mut names = deadline::concerned_products(r);
        names.dedup();
        for name in names {
            per_product.entry(name).or_default().push(r);
        }
    }
    let by_product = per_product
        .into_iter()
        .map(|(name, of)| {
            let open = of.iter().filter(|r| is_open(r)).count();
            let overdue = of.iter().filter(|r| late_ids.contains(&std::ptr::from_ref::<Report>(r))).count();
            let stats = ProductStats {
                total: of.len(),
                open,
                overdue,
                times: times(of.iter().copied()),
                policy: ProductPolicy::of(policy, name),
            };
            (name.to_owned(), stats)
        })
        .collect();
    Stats {
        today: req.today,
        since: req.since,
        total: reports.len(),
        open: reports.iter().filter(|r| is_open(r)).count(),
        overdue: late_ids.len(),
        unacknowledged: reports.iter().filter(|r| is_open(r) && !r.vex_only && !deadline::acknowledged(r)).count(),
        embargoed: reports.iter().filter(|r| r.is_embargoed(now_of(req))).count(),
        not_reports: reports.iter().filter(|r| !r.measures_response()).count(),
        vex_statements: reports.iter().filter(|r| r.vex_only).count(),
        by_ssvc,
        exploited,
        cra_overdue,
        by_state,
        by_severity,
        times: times(reports.iter().copied()),
        by_product,
        by_month,
        fix_histogram: FIX_BUCKETS.iter().zip(fix_histogram).map(|((l, _), n)| ((*l).to_owned(), n)).collect(),
        open_by_age: AGE_BUCKETS.iter().zip(open_by_age).map(|((l, _), n)| ((*l).to_owned(), n)).collect(),
        oldest_open: open,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank_percentiles() {
        let d = Durations::of(vec![10, 1, 5, 3, 8, 2, 9, 4, 7, 6]);
        assert_eq!((d.count, d.median, d.p90), (10, Some(5), Some(9)));
        let one = Durations::of(vec![4]);
        assert_eq!((one.median, one.p90), (Some(4), Some(4)));
        assert_eq!(Durations::of(vec![]).median, None);
    }

    #[test]
    fn spam_and_invalid_reports_count_but_are_not_measured() {
        use crate::format::report::{Reporter, Resolution, TimelineEntry};
        let date = |s: &str| s.parse::<NaiveDate>().expect("date");
        let report = |id: &str, resolution: Option<Resolution>, vex_only: bool| {
            let step = |d: &str, state| TimelineEntry { date: date(d), state, by: None, note: None };
            let mut timeline = vec![step("2026-01-01", State::Received), step("2026-01-03", State::Triaged)];
            if resolution.is_some() {
                timeline.push(step("2026-01-20", State::Rejected));
            }
            Report {
                id: id.into(),
                title: "t".into(),
                state: if resolution.is_some() { State::Rejected } else { State::Triaged },
                reported: date("2026-01-01"),
                reporter: Reporter { name: "r".into(), contact: None, credit: None },
                credits: Vec::new(),
                products: vec![],
                severity: None,
                cwe: vec![],
                embargo_until: None,
                aliases: vec![],
                references: vec![],
                assignee: None,
                mitigation: None,
                resolution,
                duplicate_of: None,
                published: None,
                withdrawn: None,
                timeline,
                correspondence: vec![],
                ssvc: None,
                exploited: None,
                kev: None,
                epss: None,
                vex_only,
            }
        };
        let entries = [
            report("A-2026-0001", None, false),
            report("A-2026-0002", Some(Resolution::Spam), false),
            report("A-2026-0003", Some(Resolution::Invalid), false),
            report("A-2026-0004", Some(Resolution::WontFix), false),
            report("A-2026-0005", None, true),
        ]
        .into_iter()
        .map(|report| crate::query::catalog::Entry { path: report.id.clone().into(), report })
        .collect();
        let catalog = Catalog { entries, unreadable: vec![] };
        let req = StatsRequest { today: date("2026-02-01"), since: None, with_titles: false, now: None };
        let s = compute(&catalog, &crate::format::config::Policy::default(), &req);
        assert_eq!((s.total, s.not_reports, s.vex_statements, s.by_state["rejected"]), (5, 2, 1, 3));
        assert_eq!(s.times.triage.count, 2, "the triaged report and the wont-fix one, not the VEX statement");
        assert_eq!(s.open, 2);
    }

    #[test]
    fn buckets_cover_every_duration() {
        assert_eq!(bucket(FIX_BUCKETS, 0), 0);
        assert_eq!(bucket(FIX_BUCKETS, 8), 1);
        assert_eq!(bucket(FIX_BUCKETS, 90), 3);
        assert_eq!(bucket(FIX_BUCKETS, 10_000), 5);
    }
}
