//! `document.tracking` of a CSAF document: its revisions, from the timeline and from git.
//!
//! A report is released when it is published and changes after that in two ways: the lifecycle
//! (withdrawal, a timeline entry) and plain edits, which only git records. So the revisions are
//! the publication, the withdrawal, and every commit that modified the report file on a later
//! day (the commit adding it, and commits on the publication or withdrawal day, are part of
//! those). A report with uncommitted changes is `interim`: it is being revised, and its next
//! revision gets a number when it is committed. Dates are the timeline's (midnight UTC) and
//! the commits' own, so the same repository always gives the same document. A commit's day is
//! its committer's local date, the date the tool writes in the timeline. The walk reads each
//! `reports/` tree once and compares trees in parallel, like `verify`.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use chrono::{DateTime, NaiveDate, Utc};
use git2::{Oid, Repository, StatusOptions};
use rayon::prelude::*;

use crate::error::Result;
use crate::layout::REPORTS_DIR;
use crate::publish::public::Advisory;
use crate::store::repo::Repo;

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
        .or_else(|| {
            a.timeline.iter().find(|s| s.state == crate::format::report::State::Published).map(|s| s.date.clone())
        })
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
        let steps = first_parent_steps(git, since.timestamp())?;
        // Consecutive steps are a commit and its parent; only those whose reports/ differ count.
        let pairs: Vec<(&Step, &Step)> =
            steps.windows(2).map(|w| (&w[0], &w[1])).filter(|(c, p)| c.tree != p.tree).collect();
        let git_dir = git.path().to_owned();
        let found: Vec<Result<Vec<(String, i64, i32)>>> = pairs
            .par_chunks(256.max(pairs.len() / 32 + 1))
            .map(|chunk| {
                let git = Repository::open(&git_dir)?;
                let mut trees = TreeCache::default();
                let mut out = Vec::new();
                for (commit, parent) in chunk {
                    let (Some(new), Some(old)) = (commit.tree, parent.tree) else { continue };
                    let (new, old) = (trees.get(&git, new)?, trees.get(&git, old)?);
                    out.extend(modified(&new, &old, &ids).into_iter().map(|id| (id, commit.time, commit.offset)));
                }
                Ok(out)
            })
            .collect();
        for part in found {
            for (id, time, offset) in part? {
                history.changes.entry(id).or_default().push((time, offset));
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

/// A commit of the first-parent chain: its `reports/` tree, time and UTC offset.
struct Step {
    tree: Option<Oid>,
    time: i64,
    offset: i32,
}

/// HEAD's first-parent chain, newest first, down to the first commit older than `since`
/// (included, as the parent of the oldest one that counts).
fn first_parent_steps(git: &Repository, since: i64) -> Result<Vec<Step>> {
    // Objects are addressed by their hash; re-hashing each tree on read costs half the walk
    // (as in `verify`). The integrity of the object store is `git fsck`'s job.
    git2::opts::strict_hash_verification(false);
    let mut steps = Vec::new();
    let Ok(head) = git.head().and_then(|h| h.peel_to_commit()) else { return Ok(steps) };
    let mut next = Some(head);
    while let Some(commit) = next {
        let tree = commit.tree()?.get_path(Path::new(REPORTS_DIR)).ok().map(|e| e.id());
        let time = commit.time();
        steps.push(Step { tree, time: time.seconds(), offset: time.offset_minutes() });
        if time.seconds() < since {
            break;
        }
        next = commit.parent(0).ok();
    }
    Ok(steps)
}

/// The two most recent `reports/` trees: a linear stretch reads each tree once.
#[derive(Default)]
struct TreeCache<'r> {
    recent: Vec<git2::Tree<'r>>,
}

impl<'r> TreeCache<'r> {
    fn get(&mut self, git: &'r Repository, id: Oid) -> Result<git2::Tree<'r>> {
        if let Some(t) = self.recent.iter().find(|t| t.id() == id) {
            return Ok(t.clone());
        }
        let tree = git.find_tree(id)?;
        self.recent.push(tree.clone());
        if self.recent.len() > 2 {
            self.recent.remove(0);
        }
        Ok(tree)
    }
}

/// Ids among `ids` whose report file differs between two `reports/` trees (present in both).
fn modified(new: &git2::Tree<'_>, old: &git2::Tree<'_>, ids: &HashSet<&str>) -> Vec<String> {
    // A few reports: two lookups beat walking trees of thousands of entries.
    if ids.len() <= 16 {
        let blob = |tree: &git2::Tree<'_>, id: &str| tree.get_name(&format!("{id}.md")).map(|e| e.id());
        return ids
            .iter()
            .filter(|id| matches!((blob(new, id), blob(old, id)), (Some(a), Some(b)) if a != b))
            .map(|id| (*id).to_owned())
            .collect();
    }
    // Both trees are sorted by name: walk them side by side.
    let (mut a, mut b) = (old.iter().peekable(), new.iter().peekable());
    let mut out = Vec::new();
    while let (Some(x), Some(y)) = (a.peek(), b.peek()) {
        match x.name_bytes().cmp(y.name_bytes()) {
            std::cmp::Ordering::Less => {
                a.next();
            }
            std::cmp::Ordering::Greater => {
                b.next();
            }
            std::cmp::Ordering::Equal => {
                if x.id() != y.id()
                    && let Some(id) = y.name().ok().and_then(|n| n.strip_suffix(".md")).filter(|id| ids.contains(id))
                {
                    out.push(id.to_owned());
                }
                a.next();
                b.next();
            }
        }
    }
    out
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

#[cfg(test)]
mod tests {
    use super::*;

    /// A tree holding `reports/` with files 0..n, file `changed` with other content.
    fn reports_tree(git: &Repository, n: usize, changed: Option<usize>) -> Oid {
        let mut b = git.treebuilder(None).expect("builder");
        for i in 0..n {
            let text = if Some(i) == changed { "changed" } else { "same" };
            let blob = git.blob(format!("{i} {text}").as_bytes()).expect("blob");
            b.insert(format!("ENIGM-2026-{i:04}.md"), blob, 0o100644).expect("insert");
        }
        b.write().expect("tree")
    }

    #[test]
    fn modified_files_are_found_by_lookup_and_by_walking_both_trees() {
        let dir = tempfile::tempdir().expect("tempdir");
        let git = Repository::init(dir.path()).expect("init");
        let old = git.find_tree(reports_tree(&git, 40, None)).expect("old");
        let new = git.find_tree(reports_tree(&git, 41, Some(7))).expect("new");
        let names: Vec<String> = (0..41).map(|i| format!("ENIGM-2026-{i:04}")).collect();
        let all: HashSet<&str> = names.iter().map(String::as_str).collect();
        assert_eq!(modified(&new, &old, &all), ["ENIGM-2026-0007"], "added files are not modified");
        let few: HashSet<&str> = ["ENIGM-2026-0007", "ENIGM-2026-0008", "ENIGM-2026-0040"].into();
        assert_eq!(modified(&new, &old, &few), ["ENIGM-2026-0007"]);
    }

    #[test]
    fn csaf_times_have_milliseconds_and_zulu() {
        let t = midnight("2026-03-01").expect("date");
        assert_eq!(csaf_time(t), "2026-03-01T00:00:00.000Z");
        assert!(midnight("2026-02-30").is_none());
    }
}
