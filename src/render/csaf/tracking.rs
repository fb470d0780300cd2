//! `document.tracking` of a CSAF document: its revisions, from the timeline and from git.
//!
//! A report is released when it is published and changes after that in two ways: the lifecycle
//! (withdrawal, a timeline entry) and plain edits, which only git records. So the revisions are
//! the publication, the withdrawal, and every commit that modified the report file on a later
//! day (the commit adding it, and commits on the publication or withdrawal day, are part of
//! those). A report with uncommitted changes is `interim`: it is being revised, and its next
//! revision gets a number when it is committed. Dates are the timeline's (midnight UTC) and
//! the commits' own, so the same repository always gives the same document. A commit's day is
//! its committer's local date, the date the tool writes in the timeline.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use chrono::{DateTime, NaiveDate, Utc};
use git2::{Delta, Oid, Repository, Sort, StatusOptions};

use crate::error::Result;
use crate::public::Advisory;
use crate::repo::{REPORTS_DIR, Repo};

/// One revision of the document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Revision {
    /// `2026-03-01T00:00:00.000Z`.
    pub date: String,
    pub summary: String,
}

/// What `document.tracking` says about one advisory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tracking {
    /// Oldest first; revision `n` is `revisions[n - 1]`.
    pub revisions: Vec<Revision>,
    /// Uncommitted changes: the document is being revised.
    pub interim: bool,
}

impl Tracking {
    pub fn initial_release_date(&self) -> &str {
        self.revisions.first().map_or("", |r| r.date.as_str())
    }

    pub fn current_release_date(&self) -> &str {
        self.revisions.last().map_or("", |r| r.date.as_str())
    }

    /// Integer versioning: the number of revisions.
    pub fn version(&self) -> String {
        self.revisions.len().to_string()
    }
}

/// Commits that modified report files, and reports with uncommitted changes.
#[derive(Debug, Default)]
pub struct History {
    /// Report id → commits that modified its file: time (Unix seconds) and the committer's UTC
    /// offset (minutes), whose local date is the date the tool wrote in the timeline.
    changes: HashMap<String, Vec<(i64, i32)>>,
    dirty: HashSet<String>,
}

/// Midnight UTC of a `YYYY-MM-DD` date.
fn midnight(date: &str) -> Option<DateTime<Utc>> {
    NaiveDate::parse_from_str(date, "%Y-%m-%d").ok().and_then(|d| d.and_hms_opt(0, 0, 0)).map(|t| t.and_utc())
}

/// A CSAF date-time: `2026-03-01T00:00:00.000Z`.
pub fn csaf_time(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

/// The release date of an advisory: `published`, else its `published` timeline step, else
/// the date it was reported.
fn release_day(a: &Advisory) -> String {
    a.published
        .clone()
        .or_else(|| a.timeline.iter().find(|s| s.state == crate::report::State::Published).map(|s| s.date.clone()))
        .unwrap_or_else(|| a.reported.clone())
}

impl History {
    /// No git information: revisions come from the timeline alone.
    pub fn none() -> History {
        History::default()
    }

    /// Walks the first-parent history of HEAD back to the oldest publication among `advisories`.
    pub fn load(repo: &Repo, advisories: &[Advisory]) -> Result<History> {
        let git = repo.git();
        let ids: HashSet<&str> = advisories.iter().map(|a| a.id.as_str()).collect();
        let mut history = History { dirty: dirty(git, &ids)?, ..History::default() };
        let Some(since) = advisories.iter().filter_map(|a| midnight(&release_day(a))).min() else {
            return Ok(history);
        };
        let Ok(head) = git.head().and_then(|h| h.peel_to_commit()) else { return Ok(history) };
        let mut walk = git.revwalk()?;
        walk.push(head.id())?;
        walk.set_sorting(Sort::TIME)?;
        walk.simplify_first_parent()?;
        for oid in walk {
            let commit = git.find_commit(oid?)?;
            let time = commit.time().seconds();
            if time < since.timestamp() {
                break;
            }
            let Ok(parent) = commit.parent(0) else { continue };
            for id in modified(git, reports_tree(&commit), reports_tree(&parent), &ids)? {
                history.changes.entry(id).or_default().push((time, commit.time().offset_minutes()));
            }
        }
        Ok(history)
    }

    /// The tracking of one advisory.
    pub fn tracking(&self, a: &Advisory) -> Tracking {
        let epoch = DateTime::<Utc>::UNIX_EPOCH;
        let released = midnight(&release_day(a)).unwrap_or(epoch);
        let withdrawn = a.withdrawn_date.as_deref().and_then(midnight);
        let mut revisions = vec![(released, "Initial public release.".to_owned())];
        if let Some(w) = withdrawn {
            revisions.push((w, "Advisory withdrawn.".to_owned()));
        }
        // The commits of the publication and the withdrawal are those revisions already.
        let quiet_days = [Some(released.date_naive()), withdrawn.map(|w| w.date_naive())];
        for &(t, offset) in self.changes.get(&a.id).into_iter().flatten() {
            let Some(time) = DateTime::from_timestamp(t, 0) else { continue };
            let local_day = DateTime::from_timestamp(t + i64::from(offset) * 60, 0).map(|l| l.date_naive());
            if time > released && !quiet_days.contains(&local_day) {
                revisions.push((time, "Advisory revised.".to_owned()));
            }
        }
        revisions.sort_by_key(|(t, _)| *t);
        Tracking {
            revisions: revisions.into_iter().map(|(t, summary)| Revision { date: csaf_time(t), summary }).collect(),
            interim: self.dirty.contains(&a.id),
        }
    }
}

fn reports_tree(commit: &git2::Commit<'_>) -> Option<Oid> {
    commit.tree().ok()?.get_path(Path::new(REPORTS_DIR)).ok().map(|e| e.id())
}

/// Ids among `ids` whose report file was modified between the `old` and `new` reports trees.
fn modified(git: &Repository, new: Option<Oid>, old: Option<Oid>, ids: &HashSet<&str>) -> Result<Vec<String>> {
    let (Some(new), Some(old)) = (new, old) else { return Ok(Vec::new()) };
    if new == old {
        return Ok(Vec::new());
    }
    let (new, old) = (git.find_tree(new)?, git.find_tree(old)?);
    // A few reports: two lookups per commit beat diffing trees of thousands of entries.
    if ids.len() <= 16 {
        let blob = |tree: &git2::Tree<'_>, id: &str| tree.get_name(&format!("{id}.md")).map(|e| e.id());
        return Ok(ids
            .iter()
            .filter(|id| matches!((blob(&new, id), blob(&old, id)), (Some(a), Some(b)) if a != b))
            .map(|id| (*id).to_owned())
            .collect());
    }
    let diff = git.diff_tree_to_tree(Some(&old), Some(&new), None)?;
    Ok(diff
        .deltas()
        .filter(|d| d.status() == Delta::Modified)
        .filter_map(|d| d.new_file().path()?.file_stem()?.to_str().map(str::to_owned))
        .filter(|id| ids.contains(id.as_str()))
        .collect())
}

/// Ids among `ids` whose report differs from HEAD (staged or not).
fn dirty(git: &Repository, ids: &HashSet<&str>) -> Result<HashSet<String>> {
    let mut opts = StatusOptions::new();
    opts.pathspec(REPORTS_DIR).include_untracked(false);
    let statuses = git.statuses(Some(&mut opts))?;
    Ok(statuses
        .iter()
        .filter(|e| e.status().intersects(git2::Status::WT_MODIFIED | git2::Status::INDEX_MODIFIED))
        .filter_map(|e| Path::new(e.path().ok()?).file_stem()?.to_str().map(str::to_owned))
        .filter(|id| ids.contains(id.as_str()))
        .collect())
}
