//! Several disclosure repositories read as one: the organisation-wide `list`, `due` and
//! `stats` of `aggregate` (the file listing them: [`crate::format::aggregate`]).
//!
//! Each member is read from its committed tree at its `ref` ([`crate::store::committed`]):
//! what the team agreed on and committed, never a work tree's uncommitted edits, and never
//! written. Members load in parallel; each keeps its own `enigm.yaml`, so its deadlines follow
//! its own policy and its id prefix is its own. Prefixes must differ across the set: two
//! members with one prefix are a finding ([`prefix_clashes`]) naming both, since an id would
//! no longer say which repository holds it. Every row names its repository.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde::Serialize;

use crate::error::{Error, FileProblem, Result};
use crate::format::aggregate::{AggregateFile, Member as Listed};
use crate::format::config::Config;
use crate::format::finding::{Code, Finding};
use crate::format::report::Document;
use crate::layout::CONFIG_FILE;
use crate::query::catalog::{self, Catalog, DueItem, Entry, Filter, Now, Row, SortKey, Unreadable};
use crate::query::stats::{self, Stats, StatsRequest};
use crate::store::committed::Committed;

/// One repository of the set, as read.
#[derive(Debug, Clone)]
pub struct Member {
    pub name: String,
    /// Where it is, as the aggregate file resolves it.
    pub path: PathBuf,
    pub rev: String,
    /// The commit `rev` named when it was read.
    pub commit: String,
    pub config: Config,
}

/// The set, in the aggregate file's order.
#[derive(Debug, Clone)]
pub struct Set {
    pub members: Vec<Member>,
}

/// Where a member is: its `path`, relative to the directory of the aggregate file.
pub fn member_path(file_dir: &Path, listed: &Listed) -> PathBuf {
    file_dir.join(&listed.path)
}

/// Opens one member and reads its configuration from the committed tree.
pub fn open(file_dir: &Path, listed: &Listed) -> Result<(Member, Committed)> {
    let path = member_path(file_dir, listed);
    let tree = Committed::open(&path, &listed.rev)?;
    let text = tree.file(Path::new(CONFIG_FILE))?.ok_or_else(|| {
        Error::usage(
            format!("{} has no {CONFIG_FILE} at `{}`: it is not a disclosure repository", path.display(), listed.rev),
            "list disclosure repositories only (`enigm-disclose init` makes one)",
        )
    })?;
    let text = String::from_utf8_lossy(&text).into_owned();
    let config = crate::rules::pipeline::check_config(&text).map(|(c, _)| c).map_err(|mut findings| {
        let mut finding = findings.remove(0);
        finding.message = format!("{} (`{}`, at `{}`): {}", listed.name, path.display(), listed.rev, finding.message);
        Error::File(Box::new(FileProblem::new(finding, Some(text.clone()))))
    })?;
    let member = Member { name: listed.name.clone(), path, rev: listed.rev.clone(), commit: tree.commit_id(), config };
    Ok((member, tree))
}

/// Opens every member (in parallel), each with its configuration.
pub fn load(file: &AggregateFile, file_dir: &Path) -> Result<Set> {
    let members: Vec<Member> =
        file.repositories.par_iter().map(|m| open(file_dir, m).map(|(member, _)| member)).collect::<Result<_>>()?;
    Ok(Set { members })
}

/// Two members with one id prefix: one finding per later member, naming both, pointing at
/// the later one's entry in the aggregate file.
pub fn prefix_clashes(set: &Set, file: &Path) -> Vec<Finding> {
    let mut first: BTreeMap<&str, &Member> = BTreeMap::new();
    let mut findings = Vec::new();
    for m in &set.members {
        let prefix = m.config.id_prefix.as_str();
        match first.get(prefix) {
            Some(earlier) => findings.push(
                Finding::error(
                    Code::AggregatePrefixClash,
                    file,
                    None,
                    format!(
                        "repositories `{}` ({}) and `{}` ({}) both use the id prefix `{prefix}`",
                        earlier.name,
                        earlier.path.display(),
                        m.name,
                        m.path.display()
                    ),
                )
                .with_help("give each repository its own `id_prefix` in its enigm.yaml (then `enigm-disclose renumber` its reports)"),
            ),
            None => {
                first.insert(prefix, m);
            }
        }
    }
    findings
}

/// A file of a member that could not be read as a report.
#[derive(Debug, Clone, Serialize)]
pub struct MemberUnreadable {
    pub repository: String,
    #[serde(flatten)]
    pub file: Unreadable,
}

/// Reads the reports of one member's committed tree in parallel, keeping what `keep` makes of
/// each (as [`catalog::scan`] does for a work tree).
fn scan<T: Send>(
    file_dir: &Path,
    listed: &Listed,
    keep: impl Fn(&Member, Entry) -> Option<T> + Sync,
) -> Result<(Member, Vec<T>, Vec<Unreadable>)> {
    let (member, tree) = open(file_dir, listed)?;
    let blobs = tree.reports()?;
    drop(tree);
    let (kept, unreadable) = blobs
        .into_par_iter()
        .filter_map(|(path, read)| match read.and_then(|b| Document::from_bytes(&path, b)).and_then(|d| d.report()) {
            Ok(report) => keep(&member, Entry { path, report }).map(rayon::iter::Either::Left),
            Err(r) => Some(rayon::iter::Either::Right(Unreadable { path, message: r.finding.message })),
        })
        .partition_map(|x| x);
    Ok((member, kept, unreadable))
}

/// [`scan`] over every member in parallel, results in the file's order.
#[allow(clippy::type_complexity)]
fn scan_all<T: Send>(
    file: &AggregateFile,
    file_dir: &Path,
    keep: impl Fn(&Member, Entry) -> Option<T> + Sync,
) -> Result<(Set, Vec<T>, Vec<MemberUnreadable>)> {
    let parts: Vec<(Member, Vec<T>, Vec<Unreadable>)> =
        file.repositories.par_iter().map(|m| scan(file_dir, m, &keep)).collect::<Result<_>>()?;
    let (mut members, mut kept, mut unreadable) = (Vec::new(), Vec::new(), Vec::new());
    for (member, k, u) in parts {
        unreadable.extend(u.into_iter().map(|file| MemberUnreadable { repository: member.name.clone(), file }));
        kept.extend(k);
        members.push(member);
    }
    Ok((Set { members }, kept, unreadable))
}

/// One row of `aggregate list`: a `list` row and the repository holding it.
#[derive(Debug, Clone, Serialize)]
pub struct MemberRow {
    pub repository: String,
    #[serde(flatten)]
    pub row: Row,
}

/// The rows of every member that pass `filter` (each counted by its own policy), sorted by
/// `sort`, then repository and id.
pub fn rows(
    file: &AggregateFile,
    file_dir: &Path,
    now: Now,
    filter: &Filter,
    sort: SortKey,
) -> Result<(Set, Vec<MemberRow>, Vec<MemberUnreadable>)> {
    let (set, mut rows, unreadable) = scan_all(file, file_dir, |m, e| {
        let row = Row::new(e, &m.config.policy, now);
        filter.accepts(&row).then(|| MemberRow { repository: m.name.clone(), row })
    })?;
    rows.par_sort_by(|a, b| {
        sort.compare(&a.row, &b.row).then_with(|| a.repository.cmp(&b.repository)).then_with(|| a.row.id.cmp(&b.row.id))
    });
    Ok((set, rows, unreadable))
}

/// One item of `aggregate due`: a `due` item and the repository holding it.
#[derive(Debug, Clone, Serialize)]
pub struct MemberDue {
    pub repository: String,
    #[serde(flatten)]
    pub item: DueItem,
}

/// Every member's deadlines overdue or due within `within` days, most urgent first.
pub fn due(
    file: &AggregateFile,
    file_dir: &Path,
    now: Now,
    within: i64,
) -> Result<(Set, Vec<MemberDue>, Vec<MemberUnreadable>)> {
    let (set, nested, unreadable) = scan_all(file, file_dir, |m, e| {
        let items = catalog::due_items(&e.report, &m.config.policy, now, within);
        (!items.is_empty()).then(|| (m.name.clone(), items))
    })?;
    let mut items: Vec<MemberDue> = nested
        .into_iter()
        .flat_map(|(repository, of)| of.into_iter().map(move |item| MemberDue { repository: repository.clone(), item }))
        .collect();
    items.par_sort_by(|a, b| catalog::due_order(&a.item, &b.item).then_with(|| a.repository.cmp(&b.repository)));
    Ok((set, items, unreadable))
}

/// One member's figures in `aggregate stats`.
#[derive(Debug, Clone, Serialize)]
pub struct MemberStats {
    pub repository: String,
    pub id_prefix: String,
    pub commit: String,
    #[serde(flatten)]
    pub stats: Stats,
}

/// `aggregate stats`: every member's figures, by its own policy, and the organisation's.
#[derive(Debug, Clone, Serialize)]
pub struct SetStats {
    pub repositories: Vec<MemberStats>,
    /// All reports together: the timeline figures over every report; the deadline figures
    /// (`overdue`, `cra_overdue`, the oldest open reports' `overdue`) are each member's own,
    /// by its own policy, summed.
    pub total: Stats,
}

/// The figures of every member and of all of them together.
pub fn stats(
    file: &AggregateFile,
    file_dir: &Path,
    req: &StatsRequest,
) -> Result<(Set, SetStats, Vec<MemberUnreadable>)> {
    let (set, entries, unreadable) = scan_all(file, file_dir, |m, e| Some((m.name.clone(), e)))?;
    let mut by_member: BTreeMap<String, Vec<Entry>> = BTreeMap::new();
    for (name, e) in entries {
        by_member.entry(name).or_default().push(e);
    }
    let catalogs: Vec<Catalog> = set
        .members
        .iter()
        .map(|m| Catalog { entries: by_member.remove(&m.name).unwrap_or_default(), unreadable: Vec::new() })
        .collect();
    let repositories: Vec<MemberStats> = set
        .members
        .par_iter()
        .zip(catalogs.par_iter())
        .map(|(m, catalog)| MemberStats {
            repository: m.name.clone(),
            id_prefix: m.config.id_prefix.clone(),
            commit: m.commit.clone(),
            stats: stats::compute(catalog, &m.config.policy, req),
        })
        .collect();
    let all = Catalog { entries: catalogs.into_iter().flat_map(|c| c.entries).collect(), unreadable: Vec::new() };
    let total = combine(stats::compute(&all, &crate::format::config::Policy::default(), req), &repositories);
    Ok((set, SetStats { repositories, total }, unreadable))
}

/// `merged` (computed over every report with a default policy) with its policy figures
/// replaced by the members' own.
fn combine(mut merged: Stats, members: &[MemberStats]) -> Stats {
    merged.overdue = members.iter().map(|m| m.stats.overdue).sum();
    merged.cra_overdue = members.iter().map(|m| m.stats.cra_overdue).sum();
    let mut oldest: Vec<stats::OpenReport> = members.iter().flat_map(|m| m.stats.oldest_open.clone()).collect();
    oldest.sort_by(|a, b| b.age_days.cmp(&a.age_days).then_with(|| a.id.cmp(&b.id)));
    oldest.truncate(10);
    merged.oldest_open = oldest;
    merged
}
