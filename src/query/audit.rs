//! The audit trail: a report's history joined with git, and `verify` over the whole history.
//!
//! Every state change is a commit, so git history can be checked against the lifecycle: a
//! state may only change by a legal step, timeline entries once committed are never rewritten
//! or removed, and a published report is never deleted or renamed. `verify` walks every
//! commit on the current branch (all parents) whose `reports/` tree changed, diffs that tree
//! against its first parent by sorted entry names (each tree is read once), and parses only
//! the changed files. In a merge, a file that equals its version in another parent came from
//! that parent and was checked there. Commits are checked in parallel, one repository handle
//! per worker.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use git2::{Oid, Repository, Sort};
use rayon::prelude::*;
use serde::Serialize;

use crate::error::Result;
use crate::format::finding::Code;
use crate::format::report::{Document, Report, State};
use crate::layout::REPORTS_DIR;
use crate::rules::lifecycle::is_legal;
use crate::store::repo::Repo;

/// One problem found in the history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditFinding {
    /// [`Code::IllegalStep`], [`Code::TimelineRewritten`], [`Code::PublishedDeleted`] or
    /// [`Code::PublishedRenamed`].
    pub code: Code,
    pub commit: String,
    pub commit_date: String,
    pub author: String,
    pub path: String,
    pub message: String,
}

/// What `verify` looked at and found.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Audit {
    /// The repository is a shallow clone: history before its boundary was not checked.
    pub shallow: bool,
    pub commits: usize,
    pub changes: usize,
    pub findings: Vec<AuditFinding>,
}

/// A commit to check: its id and the parents' `reports/` trees.
struct Step {
    commit: Oid,
    tree: Option<Oid>,
    parents: Vec<Option<Oid>>,
}

/// Verifies the history of the current branch.
pub fn verify(repo: &Repo) -> Result<Audit> {
    // Objects are addressed by their hash; re-hashing every tree on read (libgit2's default)
    // costs half the walk. Integrity of the object store is `git fsck`'s job, as in git.
    git2::opts::strict_hash_verification(false);
    let git = repo.git();
    let mut walk = git.revwalk()?;
    if walk.push_head().is_err() {
        return Ok(Audit::default());
    }
    walk.set_sorting(Sort::TOPOLOGICAL | Sort::REVERSE)?;
    let mut reports_tree: HashMap<Oid, Option<Oid>> = HashMap::new();
    let mut steps = Vec::new();
    let mut commits = 0;
    for oid in walk {
        let commit = git.find_commit(oid?)?;
        commits += 1;
        let tree = commit.tree()?.get_path(Path::new(REPORTS_DIR)).ok().map(|e| e.id());
        let parents: Vec<Option<Oid>> = commit.parent_ids().map(|p| reports_tree.get(&p).copied().flatten()).collect();
        reports_tree.insert(commit.id(), tree);
        let changed = match parents.first() {
            Some(first) => *first != tree,
            None => tree.is_some(),
        };
        if changed {
            steps.push(Step { commit: commit.id(), tree, parents });
        }
    }
    let git_dir = git.path().to_owned();
    let results: Vec<Result<(usize, Vec<AuditFinding>)>> = steps
        .par_chunks(256.max(steps.len() / 64 + 1))
        .map(|chunk| {
            let git = Repository::open(&git_dir)?;
            let mut out = (0, Vec::new());
            // In a linear stretch each commit's parent tree is the previous commit's tree.
            let mut last: Option<git2::Tree<'_>> = None;
            for step in chunk {
                let parent = match (step.parents.first().copied().flatten(), last.take()) {
                    (Some(p), Some(t)) if t.id() == p => Some(t),
                    (Some(p), _) => Some(git.find_tree(p)?),
                    (None, _) => None,
                };
                let tree = step.tree.map(|t| git.find_tree(t)).transpose()?;
                let (n, f) = check_step(&git, step, parent.as_ref(), tree.as_ref())?;
                out.0 += n;
                out.1.extend(f);
                last = tree;
            }
            Ok(out)
        })
        .collect();
    let mut audit = Audit { commits, shallow: git.is_shallow(), ..Audit::default() };
    for r in results {
        let (n, f) = r?;
        audit.changes += n;
        audit.findings.extend(f);
    }
    Ok(audit)
}

/// Changes between two `reports/` trees, walking their sorted entries in place:
/// (name, old blob, new blob). Only changed names are copied.
fn diff(old: Option<&git2::Tree<'_>>, new: Option<&git2::Tree<'_>>) -> Vec<(String, Option<Oid>, Option<Oid>)> {
    use std::cmp::Ordering;
    let (mut i, mut j, mut out) = (0, 0, Vec::new());
    let text = |e: &git2::TreeEntry<'_>| String::from_utf8_lossy(e.name_bytes()).into_owned();
    loop {
        let (a, b) = (entry_at(old, i), entry_at(new, j));
        let order = match (&a, &b) {
            (Some(a), Some(b)) => a.name_bytes().cmp(b.name_bytes()),
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (None, None) => break,
        };
        match (order, a, b) {
            (Ordering::Equal, Some(a), Some(b)) => {
                if a.id() != b.id() {
                    out.push((text(&b), Some(a.id()), Some(b.id())));
                }
                i += 1;
                j += 1;
            }
            (Ordering::Less, Some(a), _) => {
                out.push((text(&a), Some(a.id()), None));
                i += 1;
            }
            (_, _, Some(b)) => {
                out.push((text(&b), None, Some(b.id())));
                j += 1;
            }
            _ => break,
        }
    }
    out
}

fn entry_at<'t>(tree: Option<&'t git2::Tree<'_>>, i: usize) -> Option<git2::TreeEntry<'t>> {
    tree.and_then(|t| t.get(i))
}

fn parse_blob(git: &Repository, name: &str, blob: Oid) -> Option<Report> {
    let blob = git.find_blob(blob).ok()?;
    let path = Path::new(REPORTS_DIR).join(name);
    Document::from_bytes(&path, blob.content().to_vec()).ok()?.report().ok()
}

fn check_step(
    git: &Repository,
    step: &Step,
    old: Option<&git2::Tree<'_>>,
    new: Option<&git2::Tree<'_>>,
) -> Result<(usize, Vec<AuditFinding>)> {
    let commit = git.find_commit(step.commit)?;
    let others: Vec<git2::Tree<'_>> =
        step.parents.iter().skip(1).flatten().map(|t| git.find_tree(*t)).collect::<std::result::Result<_, _>>()?;
    let changes = diff(old, new);
    let mut findings = Vec::new();
    let finding = |code, path: &str, message: String| AuditFinding {
        code,
        commit: commit.id().to_string(),
        commit_date: chrono::DateTime::from_timestamp(commit.time().seconds(), 0)
            .map(|d| d.to_rfc3339())
            .unwrap_or_default(),
        author: commit.author().name().unwrap_or_default().to_owned(),
        path: format!("{REPORTS_DIR}/{path}"),
        message,
    };
    let mut deleted_public: Vec<(String, Report)> = Vec::new();
    let mut added_ids: HashMap<String, String> = HashMap::new();
    for (name, before, after) in &changes {
        // In a merge, a version that another parent already has was checked on that side.
        if after.is_some() && others.iter().any(|o| o.get_name(name).map(|e| e.id()) == *after) {
            continue;
        }
        match (before, after) {
            (Some(b), Some(a)) => {
                let (Some(old), Some(new)) = (parse_blob(git, name, *b), parse_blob(git, name, *a)) else { continue };
                if old.state != new.state && !is_legal(old.state, new.state) {
                    findings.push(finding(
                        Code::IllegalStep,
                        name,
                        format!("{}: `{}` → `{}` is not a step of the lifecycle", new.id, old.state, new.state),
                    ));
                }
                if !new.timeline.starts_with(&old.timeline) {
                    findings.push(finding(
                        Code::TimelineRewritten,
                        name,
                        format!("{}: committed timeline entries were changed or removed", new.id),
                    ));
                }
                if old.id != new.id && old.state.is_public() {
                    findings.push(finding(
                        Code::PublishedRenamed,
                        name,
                        format!("published report {} had its id changed to {}", old.id, new.id),
                    ));
                }
            }
            (Some(b), None) => {
                if let Some(old) = parse_blob(git, name, *b).filter(|r| r.state.is_public()) {
                    deleted_public.push((name.clone(), old));
                }
            }
            (None, Some(a)) => {
                if let Some(new) = parse_blob(git, name, *a) {
                    added_ids.insert(new.id, name.clone());
                }
            }
            (None, None) => {}
        }
    }
    for (name, old) in deleted_public {
        match added_ids.get(&old.id) {
            Some(to) => findings.push(finding(
                Code::PublishedRenamed,
                &name,
                format!("published report {} was moved to {REPORTS_DIR}/{to}", old.id),
            )),
            None => findings.push(finding(
                Code::PublishedDeleted,
                &name,
                format!("published report {} ({}) was deleted", old.id, old.title),
            )),
        }
    }
    Ok((changes.len(), findings))
}

/// One row of a report's history.
#[derive(Debug, Clone, Serialize)]
pub struct HistoryEntry {
    /// Date of the timeline entry (or of the commit, for edits).
    pub date: String,
    /// `state-change`, `edit`, or `timeline-only` (an entry with no matching commit).
    pub kind: &'static str,
    pub from: Option<State>,
    pub to: Option<State>,
    pub by: Option<String>,
    pub note: Option<String>,
    pub commit: Option<String>,
    pub author: Option<String>,
    pub commit_date: Option<String>,
}

/// A report's history: its timeline joined with the commits that changed its file.
#[derive(Debug, Clone, Serialize)]
pub struct History {
    pub id: String,
    pub title: String,
    pub path: PathBuf,
    pub entries: Vec<HistoryEntry>,
}

/// The history of the report at `path` (relative), from the work tree's timeline and git.
pub fn history(repo: &Repo, path: &Path) -> Result<History> {
    let report = Document::load(repo.root(), path)?.report()?;
    git2::opts::strict_hash_verification(false);
    let git = repo.git();
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default();
    // The file cannot exist before the report was received: stop the walk a day before that.
    let since = report.reported.and_hms_opt(0, 0, 0).map_or(i64::MIN, |d| d.and_utc().timestamp() - 86_400);
    let window = commits_since(git, since)?;
    let blobs = blobs_of(git.path(), &window, name)?;
    let mut commits: Vec<(git2::Commit<'_>, Option<State>, Option<State>)> = Vec::new();
    for (oid, parent) in window.iter().rev() {
        let now = blobs.get(oid).copied().flatten();
        let before = parent.and_then(|p| blobs.get(&p).copied().flatten());
        if now.is_none() || now == before {
            continue;
        }
        let state_of = |b: Option<Oid>| b.and_then(|b| parse_blob(git, name, b)).map(|r| r.state);
        commits.push((git.find_commit(*oid)?, state_of(before), state_of(now)));
    }
    let mut entries = Vec::new();
    let mut used = vec![false; commits.len()];
    for (i, t) in report.timeline.iter().enumerate() {
        let from = i.checked_sub(1).map(|p| report.timeline[p].state);
        let matched = (0..commits.len()).find(|&m| !used[m] && commits[m].2 == Some(t.state) && commits[m].1 == from);
        let (commit, author, commit_date) = match matched {
            Some(m) => {
                used[m] = true;
                let c = &commits[m].0;
                (Some(c.id().to_string()), c.author().name().ok().map(str::to_owned), date_of(c))
            }
            None => (None, None, None),
        };
        let kind = if commit.is_some() { "state-change" } else { "timeline-only" };
        entries.push(HistoryEntry {
            date: t.date.to_string(),
            kind,
            from,
            to: Some(t.state),
            by: t.by.clone(),
            note: t.note.clone(),
            commit,
            author,
            commit_date,
        });
    }
    for (c, _, _) in commits.iter().zip(&used).filter(|(_, u)| !**u).map(|(c, _)| c) {
        let date = date_of(c).map(|d| d[..10].to_owned()).unwrap_or_default();
        entries.push(HistoryEntry {
            date,
            kind: "edit",
            from: None,
            to: None,
            by: None,
            note: c.summary().ok().flatten().map(str::to_owned),
            commit: Some(c.id().to_string()),
            author: c.author().name().ok().map(str::to_owned),
            commit_date: date_of(c),
        });
    }
    entries
        .sort_by(|a, b| (a.date.as_str(), a.commit_date.as_deref()).cmp(&(b.date.as_str(), b.commit_date.as_deref())));
    Ok(History { id: report.id, title: report.title, path: path.to_owned(), entries })
}

/// Commits reachable from HEAD committed at or after `since` (newest first), with their first
/// parent.
fn commits_since(git: &Repository, since: i64) -> Result<Vec<(Oid, Option<Oid>)>> {
    let mut walk = git.revwalk()?;
    if walk.push_head().is_err() {
        return Ok(Vec::new());
    }
    walk.set_sorting(Sort::TOPOLOGICAL | Sort::TIME)?;
    let mut out = Vec::new();
    for oid in walk {
        let commit = git.find_commit(oid?)?;
        if commit.time().seconds() < since {
            break;
        }
        out.push((commit.id(), commit.parent_id(0).ok()));
    }
    Ok(out)
}

/// A commit and the blob of one file in it.
type CommitBlob = (Oid, Option<Oid>);

/// The blob of `reports/<name>` in each commit, read in parallel (one tree parse per distinct
/// `reports/` tree).
fn blobs_of(git_dir: &Path, commits: &[(Oid, Option<Oid>)], name: &str) -> Result<HashMap<Oid, Option<Oid>>> {
    let parts: Vec<Result<Vec<CommitBlob>>> = commits
        .par_chunks(512.max(commits.len() / 32 + 1))
        .map(|chunk| {
            let git = Repository::open(git_dir)?;
            let mut last: Option<(Oid, Option<Oid>)> = None;
            let mut out = Vec::with_capacity(chunk.len());
            for (oid, _) in chunk {
                let tree = git.find_commit(*oid)?.tree()?.get_path(Path::new(REPORTS_DIR)).ok().map(|e| e.id());
                let blob = match (tree, last) {
                    (Some(t), Some((lt, lb))) if t == lt => lb,
                    (Some(t), _) => git.find_tree(t)?.get_name(name).map(|e| e.id()),
                    (None, _) => None,
                };
                if let Some(t) = tree {
                    last = Some((t, blob));
                }
                out.push((*oid, blob));
            }
            Ok(out)
        })
        .collect();
    let mut map = HashMap::with_capacity(commits.len());
    for part in parts {
        map.extend(part?);
    }
    Ok(map)
}

fn date_of(c: &git2::Commit<'_>) -> Option<String> {
    let t = c.time();
    let offset = chrono::FixedOffset::east_opt(t.offset_minutes() * 60)?;
    chrono::DateTime::from_timestamp(t.seconds(), 0).map(|d| d.with_timezone(&offset).to_rfc3339())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn diff_of_sorted_entries() {
        let dir = tempfile::tempdir().expect("tmp");
        let git = Repository::init(dir.path()).expect("init");
        let blob = |s: &str| git.blob(s.as_bytes()).expect("blob");
        let tree = |entries: &[(&str, Oid)]| {
            let mut b = git.treebuilder(None).expect("builder");
            for (n, o) in entries {
                b.insert(n, *o, 0o100644).expect("insert");
            }
            git.find_tree(b.write().expect("write")).expect("tree")
        };
        let (o1, o2, o3, o4, o9) = (blob("1"), blob("2"), blob("3"), blob("4"), blob("9"));
        let old = tree(&[("a", o1), ("b", o2), ("d", o4)]);
        let new = tree(&[("a", o1), ("b", o9), ("c", o3)]);
        let d = diff(Some(&old), Some(&new));
        assert_eq!(
            d,
            vec![
                ("b".to_owned(), Some(o2), Some(o9)),
                ("c".to_owned(), None, Some(o3)),
                ("d".to_owned(), Some(o4), None)
            ]
        );
        assert_eq!(diff(None, Some(&old)).len(), 3);
    }
}
