//! Every report of the work tree, loaded at once, and the queries `list` and `due` run on it;
//! [`select`] gives the commands that act on several reports the ids the same query selects.
//!
//! Loading is parallel and tolerant: a file that does not parse is kept aside as
//! [`Unreadable`] (commands mention it and point at `validate`) rather than stopping a listing.
//! Rows are plain data; the command line decides how to print them.

use std::cmp::Ordering;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use rayon::iter::Either;
use rayon::prelude::*;
use serde::Serialize;

use crate::error::Result;
use crate::format::config::Policy;
use crate::format::report::{Level, Report, State};
pub use crate::query::deadline::Now;
use crate::query::deadline::{self, Deadline};
use crate::store::scan::{Listed, report_paths};

/// A report that parsed.
#[derive(Debug, Clone)]
pub struct Entry {
    pub path: PathBuf,
    pub report: Report,
}

/// A report file that could not be read or parsed.
#[derive(Debug, Clone, Serialize)]
pub struct Unreadable {
    pub path: PathBuf,
    pub message: String,
}

/// The reports of a repository.
#[derive(Debug, Clone, Default)]
pub struct Catalog {
    /// Parsed reports, sorted by path.
    pub entries: Vec<Entry>,
    pub unreadable: Vec<Unreadable>,
}

impl Catalog {
    /// Loads every report under `root/reports/`.
    pub fn load(root: &Path) -> Result<Catalog> {
        let (entries, unreadable) = scan(root, Some)?;
        Ok(Catalog { entries, unreadable })
    }
}

/// Loads every report under `root/reports/` in parallel and keeps only what `keep` makes of
/// each, so a listing of 100,000 reports never holds 100,000 parsed reports at once.
/// Results are in path order.
pub fn scan<T: Send>(root: &Path, keep: impl Fn(Entry) -> Option<T> + Sync) -> Result<(Vec<T>, Vec<Unreadable>)> {
    let paths = report_paths(root)?;
    let files = Listed::open(root, &paths);
    Ok(paths
        .into_par_iter()
        .filter_map(|path| match files.load(&path).and_then(|d| d.report()) {
            Ok(report) => keep(Entry { path, report }).map(Either::Left),
            Err(r) => Some(Either::Right(Unreadable { path, message: r.finding.message })),
        })
        .partition_map(|x| x))
}

/// One line of `list`: a report with what the team needs at a glance.
#[derive(Debug, Clone, Serialize)]
pub struct Row {
    pub id: String,
    pub state: State,
    /// The level, or the one the CVSS vector scores.
    pub severity: Option<Level>,
    pub products: Vec<String>,
    pub assignee: Option<String>,
    pub reported: NaiveDate,
    /// Days since `reported` (calendar days).
    pub age_days: i64,
    /// The earliest pending deadline (an overdue one first).
    pub next_deadline: Option<Deadline>,
    pub overdue: bool,
    /// The reporter has had a first response ([`deadline::acknowledged`]).
    pub acknowledged: bool,
    /// Days from `reported` to the first response, once there was one.
    pub first_response_days: Option<i64>,
    /// As written: a date, or a time with its offset or zone.
    pub embargo_until: Option<crate::format::embargo::Embargo>,
    /// The recorded SSVC outcome.
    pub ssvc: Option<String>,
    /// Exploited in the wild since.
    pub exploited: Option<chrono::DateTime<chrono::FixedOffset>>,
    pub title: String,
    pub path: PathBuf,
}

impl Row {
    /// The row of `entry` at `now` (the CRA deadlines, in hours, count too).
    pub fn new(entry: Entry, policy: &Policy, now: Now) -> Row {
        let today = now.today;
        let mut pending = deadline::pending(&entry.report, policy, now);
        pending.extend(crate::query::cra::pending(&entry.report, policy, now.at));
        pending.sort_by_key(|d| (!d.overdue(), d.due, d.due_at, d.kind));
        let severity = entry.report.level();
        let acknowledged = deadline::acknowledged(&entry.report);
        let first_response_days =
            deadline::first_response(&entry.report).map(|d| (d - entry.report.reported).num_days());
        let r = entry.report;
        Row {
            id: r.id,
            state: r.state,
            severity,
            products: r.products.into_iter().map(|p| p.name).collect(),
            assignee: r.assignee,
            reported: r.reported,
            age_days: (today - r.reported).num_days(),
            overdue: pending.iter().any(Deadline::overdue),
            acknowledged,
            first_response_days,
            next_deadline: pending.into_iter().next(),
            embargo_until: r.embargo_until,
            ssvc: r.ssvc.map(|d| d.outcome),
            exploited: r.exploited.map(|e| e.since),
            title: r.title,
            path: entry.path,
        }
    }
}

/// Which reports `list` shows.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// Any of these states (empty: all).
    pub states: Vec<State>,
    /// Any of these levels (empty: all).
    pub severities: Vec<Level>,
    pub product: Option<String>,
    pub assignee: Option<String>,
    pub overdue: bool,
    /// Only reports with deadlines (not published, rejected or withdrawn).
    pub open: bool,
    /// Only reports reported more than this many calendar days before today.
    pub older_than: Option<i64>,
}

impl Filter {
    /// True when `row` passes every condition.
    pub fn accepts(&self, row: &Row) -> bool {
        (self.states.is_empty() || self.states.contains(&row.state))
            && (self.severities.is_empty() || row.severity.is_some_and(|l| self.severities.contains(&l)))
            && self.product.as_ref().is_none_or(|p| row.products.iter().any(|x| x == p))
            && self.assignee.as_ref().is_none_or(|a| row.assignee.as_ref().is_some_and(|x| x.eq_ignore_ascii_case(a)))
            && (!self.overdue || row.overdue)
            && (!self.open || row.state.is_open())
            && self.older_than.is_none_or(|days| row.age_days > days)
    }

    /// True when no condition is set: every report passes.
    pub fn is_empty(&self) -> bool {
        self.states.is_empty()
            && self.severities.is_empty()
            && self.product.is_none()
            && self.assignee.is_none()
            && !self.overdue
            && !self.open
            && self.older_than.is_none()
    }
}

/// Orders of `list`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortKey {
    Id,
    State,
    /// Most severe first.
    Severity,
    /// Oldest first.
    Age,
    /// Most urgent first; reports without deadlines last.
    Deadline,
    Product,
    Title,
}

impl SortKey {
    /// How `a` and `b` compare in this order (ties are broken by the caller).
    pub fn compare(self, a: &Row, b: &Row) -> Ordering {
        match self {
            SortKey::Id => Ordering::Equal,
            SortKey::State => a.state.cmp(&b.state),
            SortKey::Severity => b.severity.cmp(&a.severity),
            SortKey::Age => b.age_days.cmp(&a.age_days),
            SortKey::Deadline => match (&a.next_deadline, &b.next_deadline) {
                (Some(x), Some(y)) => x.due.cmp(&y.due),
                (Some(_), None) => Ordering::Less,
                (None, Some(_)) => Ordering::Greater,
                (None, None) => Ordering::Equal,
            },
            SortKey::Product => a.products.first().cmp(&b.products.first()),
            SortKey::Title => a.title.to_lowercase().cmp(&b.title.to_lowercase()),
        }
    }
}

/// The rows of the reports under `root` that pass `filter`, sorted by `sort` then id, and the
/// files that could not be read.
pub fn rows(
    root: &Path,
    policy: &Policy,
    now: Now,
    filter: &Filter,
    sort: SortKey,
) -> Result<(Vec<Row>, Vec<Unreadable>)> {
    let (mut rows, unreadable) = scan(root, |e| Some(Row::new(e, policy, now)).filter(|r| filter.accepts(r)))?;
    rows.par_sort_by(|a, b| sort.compare(a, b).then_with(|| a.id.cmp(&b.id)));
    Ok((rows, unreadable))
}

/// The ids of the reports under `root` that pass `filter`, in id order, and the files that
/// could not be read: the selection of the commands that act on several reports at once
/// (`advance`, `reply`), the same query `list` shows.
pub fn select(
    root: &Path,
    policy: &Policy,
    today: NaiveDate,
    filter: &Filter,
) -> Result<(Vec<String>, Vec<Unreadable>)> {
    // The CRA clocks, in hours, count to the start of `today` (UTC) here.
    let now = Now::start_of(today);
    let (rows, unreadable) = rows(root, policy, now, filter, SortKey::Id)?;
    Ok((rows.into_iter().map(|r| r.id).collect(), unreadable))
}

/// One pending deadline of one report, for `due`.
#[derive(Debug, Clone, Serialize)]
pub struct DueItem {
    pub id: String,
    pub state: State,
    pub severity: Option<Level>,
    pub title: String,
    #[serde(flatten)]
    pub deadline: Deadline,
    pub overdue: bool,
}

/// Deadlines that are overdue or fall within `within` days of `today`, most urgent first.
/// The CRA deadlines (`query::cra`) count in hours up to `now`.
pub fn due(catalog: &Catalog, policy: &Policy, now: Now, within: i64) -> Vec<DueItem> {
    let mut items: Vec<DueItem> =
        catalog.entries.par_iter().flat_map_iter(|e| due_items(&e.report, policy, now, within)).collect();
    sort_due(&mut items);
    items
}

/// [`due`] for the reports under `root`, without keeping them all in memory.
pub fn due_in(root: &Path, policy: &Policy, now: Now, within: i64) -> Result<(Vec<DueItem>, Vec<Unreadable>)> {
    let (nested, unreadable) = scan(root, |e| {
        let items = due_items(&e.report, policy, now, within);
        (!items.is_empty()).then_some(items)
    })?;
    let mut items: Vec<DueItem> = nested.into_iter().flatten().collect();
    sort_due(&mut items);
    Ok((items, unreadable))
}

/// The deadlines of one report that [`due`] lists.
pub fn due_items(r: &Report, policy: &Policy, now: Now, within: i64) -> Vec<DueItem> {
    deadline::pending(r, policy, now)
        .into_iter()
        .chain(crate::query::cra::pending(r, policy, now.at))
        .filter(|d| d.days_left <= within || d.overdue())
        .map(|d| DueItem {
            id: r.id.clone(),
            state: r.state,
            severity: r.level(),
            title: r.title.clone(),
            overdue: d.overdue(),
            deadline: d,
        })
        .collect()
}

fn sort_due(items: &mut [DueItem]) {
    items.par_sort_by(due_order);
}

/// The order of `due`: most urgent first (an overdue deadline before one due the same day),
/// then the more severe, then by kind and id.
pub fn due_order(a: &DueItem, b: &DueItem) -> Ordering {
    let (x, y) = (&a.deadline, &b.deadline);
    (x.due, !x.overdue(), x.due_at, b.severity, x.kind, &a.id).cmp(&(
        y.due,
        !y.overdue(),
        y.due_at,
        a.severity,
        y.kind,
        &b.id,
    ))
}
