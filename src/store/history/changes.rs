//! The walk `verify` checks, and the record of how far it got.
//!
//! [`reports_changes`] visits each commit whose report files changed, with the files that
//! changed: unchanged `reports/` trees are skipped by id, and in the sharded layout so is each
//! `reports/<YEAR>/` shard whose tree id did not change, so a commit costs the one shard it
//! touched, not every report. It can start after a commit already verified
//! ([`VERIFIED_REF`]): then only commits not reachable from it are walked, and their parents'
//! trees are read from git, never from a cache.

use std::cmp::Ordering;
use std::collections::{HashMap, HashSet};
use std::path::Path;

use git2::{ObjectType, Oid, Repository, Sort};
use rayon::prelude::*;

use super::{CommitInfo, Tip, TreeCache, reports_tree, trust_object_ids, walk};
use crate::error::{Error, Result};
use crate::layout::{REPORTS_DIR, report_id_of};
use crate::store::repo::{BlobId, CommitId, Repo};

/// The ref naming the last commit whose history `verify` accepted (no findings, or only
/// acknowledged ones). Only a successful `verify` moves it.
pub const VERIFIED_REF: &str = "refs/enigm/verified";

/// One report file that differs between two commits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileChange {
    /// Path inside `reports/`: `<ID>.md`, or `<YEAR>/<ID>.md` in the sharded layout.
    pub name: String,
    pub old: Option<BlobId>,
    pub new: Option<BlobId>,
    /// In a merge: another parent already has the new version (it was checked on that side).
    pub merged: bool,
}

/// A commit whose report files differ from its first parent's, and how.
#[derive(Debug, Clone)]
pub struct ChangedCommit {
    pub commit: CommitInfo,
    pub changes: Vec<FileChange>,
}

/// Read access to blobs for one worker of a parallel walk.
pub struct Objects {
    git: Repository,
}

impl Objects {
    /// The content of a blob, if it can be read.
    pub fn blob(&self, id: BlobId) -> Option<Vec<u8>> {
        crate::store::repo::read_blob(&self.git, id.0).ok()
    }
}

/// The result of [`reports_changes`].
#[derive(Debug)]
pub struct Walked<T> {
    /// Commits walked.
    pub commits: usize,
    /// The walk reached the boundary of a shallow clone: history before it was not walked.
    pub shallow: bool,
    /// One result per commit that changed report files, oldest first.
    pub results: Vec<T>,
}

/// What [`VERIFIED_REF`] says, seen from HEAD.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verified {
    /// No record (or no commit at HEAD).
    None,
    /// HEAD is this commit or one of its descendants: only later commits need checking.
    Ancestor(CommitId),
    /// The recorded commit is not in HEAD's history (a force push, a rebase).
    NotAncestor(CommitId),
    /// The ref names no commit this repository has (a fetched ref without its objects).
    Unknown(String),
}

/// Where the last successful `verify` stopped, relative to HEAD.
pub fn verified(repo: &Repo) -> Result<Verified> {
    let git = repo.git();
    let (Ok(reference), Some(head)) = (git.find_reference(VERIFIED_REF), repo.head_id()) else {
        return Ok(Verified::None);
    };
    let Some(target) = reference.resolve().ok().and_then(|r| r.target()) else {
        return Ok(Verified::Unknown(String::from_utf8_lossy(reference.name_bytes()).into_owned()));
    };
    if git.find_commit(target).is_err() {
        return Ok(Verified::Unknown(target.to_string()));
    }
    let id = CommitId(target);
    let ancestor = target == head.0 || git.graph_descendant_of(head.0, target)?;
    Ok(if ancestor { Verified::Ancestor(id) } else { Verified::NotAncestor(id) })
}

/// Records `tip` in [`VERIFIED_REF`], atomically (git writes the ref through a lock file and
/// a rename, so a reader sees the old or the new value). Two runs that race both verified
/// what they record; the later write wins.
pub fn record_verified(repo: &Repo, tip: CommitId) -> Result<()> {
    let message = format!("enigm-disclose verify: history up to {tip} checked");
    repo.git().reference(VERIFIED_REF, tip.0, true, &message).map(drop).map_err(|e| Error::Git {
        message: format!("cannot record {VERIFIED_REF}: {}", e.message()),
        help: Some("the findings above stand; the next `verify` checks these commits again".into()),
    })
}

/// The boundary commits of a shallow clone (their parents are not in the repository).
fn shallow_boundary(git: &Repository) -> HashSet<Oid> {
    let text = std::fs::read_to_string(git.path().join("shallow")).unwrap_or_default();
    text.lines().filter_map(|l| Oid::from_str(l.trim()).ok()).collect()
}

/// A commit to diff: its id, its `reports/` tree and its parents'.
struct Step {
    commit: Oid,
    tree: Option<Oid>,
    parents: Vec<Option<Oid>>,
}

/// Every commit on the current branch (all parents) not reachable from `after`, oldest
/// first, whose report files differ from its first parent's, diffed against it and given to
/// `check` (in parallel).
pub fn reports_changes<T, F>(repo: &Repo, after: Option<CommitId>, check: F) -> Result<Walked<T>>
where
    T: Send,
    F: Fn(&Objects, &ChangedCommit) -> Result<T> + Sync,
{
    trust_object_ids();
    let git = repo.git();
    let Some(mut walk) = walk(git, Tip::Head, Sort::TOPOLOGICAL | Sort::REVERSE, false)? else {
        return Ok(Walked { commits: 0, shallow: false, results: Vec::new() });
    };
    if let Some(after) = after {
        walk.hide(after.0)?;
    }
    let boundary = shallow_boundary(git);
    let mut reports: HashMap<Oid, Option<Oid>> = HashMap::new();
    let (mut steps, mut commits, mut shallow) = (Vec::new(), 0, false);
    for oid in walk {
        let commit = git.find_commit(oid?)?;
        commits += 1;
        shallow |= boundary.contains(&commit.id());
        let tree = reports_tree(&commit)?;
        let mut parents = Vec::new();
        for p in commit.parent_ids() {
            parents.push(match reports.get(&p) {
                Some(t) => *t,
                // Not walked (at or before `after`): read from git; absent past a shallow boundary.
                None => git.find_commit(p).ok().map(|c| reports_tree(&c)).transpose()?.flatten(),
            });
        }
        reports.insert(commit.id(), tree);
        let changed = match parents.first() {
            Some(first) => *first != tree,
            None => tree.is_some(),
        };
        if changed {
            steps.push(Step { commit: commit.id(), tree, parents });
        }
    }
    let git_dir = git.path().to_owned();
    let parts: Vec<Result<Vec<T>>> = steps
        .par_chunks(256.max(steps.len() / 64 + 1))
        .map(|chunk| {
            let objects = Objects { git: Repository::open(&git_dir)? };
            let mut trees = TreeCache::default();
            let mut out = Vec::with_capacity(chunk.len());
            for step in chunk {
                let changed = changed_commit(&objects.git, &mut trees, step)?;
                out.push(check(&objects, &changed)?);
            }
            Ok(out)
        })
        .collect();
    let mut results = Vec::with_capacity(steps.len());
    for part in parts {
        results.extend(part?);
    }
    Ok(Walked { commits, shallow, results })
}

/// The report files `step` changed against its first parent.
fn changed_commit<'r>(git: &'r Repository, trees: &mut TreeCache<'r>, step: &Step) -> Result<ChangedCommit> {
    let parent = step.parents.first().copied().flatten();
    let others: Vec<git2::Tree<'_>> =
        step.parents.iter().skip(1).flatten().map(|t| git.find_tree(*t)).collect::<std::result::Result<_, _>>()?;
    let mut changes = Vec::new();
    report_files_diff(git, trees, parent, step.tree, "", &mut changes)?;
    let changes = changes
        .into_iter()
        .map(|(name, old, new)| {
            let merged =
                new.is_some() && others.iter().any(|o| o.get_path(Path::new(&name)).ok().map(|e| e.id()) == new);
            FileChange { name, old: old.map(BlobId), new: new.map(BlobId), merged }
        })
        .collect();
    Ok(ChangedCommit { commit: CommitInfo::of(&git.find_commit(step.commit)?), changes })
}

/// An entry of a tree, as the diff needs it.
struct Entry<'t> {
    entry: git2::TreeEntry<'t>,
    id: Oid,
    tree: bool,
}

impl Entry<'_> {
    fn name(&self) -> &[u8] {
        self.entry.name_bytes()
    }
}

/// Appends the report files that differ between two trees of `reports/` (or of one year
/// shard, `prefix` being `<YEAR>/`): (path inside `reports/`, old blob, new blob). A shard
/// whose tree id is the same on both sides is not read.
fn report_files_diff<'r>(
    git: &'r Repository,
    trees: &mut TreeCache<'r>,
    old: Option<Oid>,
    new: Option<Oid>,
    prefix: &str,
    out: &mut Vec<(String, Option<Oid>, Option<Oid>)>,
) -> Result<()> {
    if old == new {
        return Ok(());
    }
    let old = old.map(|t| trees.get(git, t)).transpose()?;
    let new = new.map(|t| trees.get(git, t)).transpose()?;
    let mut shards = Vec::new();
    for (a, b) in sorted_diff(old.as_ref(), new.as_ref()) {
        let Some(either) = a.as_ref().or(b.as_ref()) else { continue };
        let path = format!("{prefix}{}", String::from_utf8_lossy(either.name()));
        let side = |e: &Option<Entry<'_>>, tree: bool| e.as_ref().filter(|e| e.tree == tree).map(|e| e.id);
        if prefix.is_empty() && (side(&a, true).is_some() || side(&b, true).is_some()) {
            // A year shard (`reports/<YEAR>/`) is diffed in turn; other folders are not reports.
            if report_id_of(&Path::new(REPORTS_DIR).join(&path).join("x.md")).is_some() {
                shards.push((side(&a, true), side(&b, true), format!("{path}/")));
            }
        }
        let (old, new) = (side(&a, false), side(&b, false));
        let is_report = report_id_of(&Path::new(REPORTS_DIR).join(&path)).is_some();
        if is_report && (old.is_some() || new.is_some()) {
            out.push((path, old, new));
        }
    }
    for (a, b, prefix) in shards {
        report_files_diff(git, trees, a, b, &prefix, out)?;
    }
    Ok(())
}

/// The entries that differ between two trees, walking their sorted entries side by side in
/// git's order (a folder sorts as its name followed by `/`): (old, new), `None` for a side
/// without the name. An entry that changed kind (file ↔ folder) comes once with both sides.
fn sorted_diff<'t>(old: Option<&'t git2::Tree<'_>>, new: Option<&'t git2::Tree<'_>>) -> Vec<DiffPair<'t>> {
    let entries = |t: Option<&'t git2::Tree<'_>>| -> Vec<Entry<'t>> {
        t.map(|t| t.iter().map(|e| Entry { id: e.id(), tree: e.kind() == Some(ObjectType::Tree), entry: e }).collect())
            .unwrap_or_default()
    };
    let (a, b) = (entries(old), entries(new));
    let (mut a, mut b) = (a.into_iter().map(Some).collect::<Vec<_>>(), b.into_iter().map(Some).collect::<Vec<_>>());
    let (mut i, mut j, mut out) = (0, 0, Vec::new());
    while i < a.len() || j < b.len() {
        let order = match (a.get(i).and_then(Option::as_ref), b.get(j).and_then(Option::as_ref)) {
            (Some(x), Some(y)) => git_order(x, y),
            (Some(_), None) => Ordering::Less,
            _ => Ordering::Greater,
        };
        match order {
            Ordering::Equal => {
                let (x, y) = (a[i].take(), b[j].take());
                if x.as_ref().map(|x| (x.id, x.tree)) != y.as_ref().map(|y| (y.id, y.tree)) {
                    out.push((x, y));
                }
                i += 1;
                j += 1;
            }
            Ordering::Less => {
                out.push((a[i].take(), None));
                i += 1;
            }
            Ordering::Greater => {
                out.push((None, b[j].take()));
                j += 1;
            }
        }
    }
    out
}

type DiffPair<'t> = (Option<Entry<'t>>, Option<Entry<'t>>);

/// Git's order of tree entries: by name, a folder's name followed by `/`. A file and a folder
/// of the same name compare equal here, so a change of kind pairs them.
fn git_order(a: &Entry<'_>, b: &Entry<'_>) -> Ordering {
    let key = |e: &Entry<'_>, i: usize| match e.name().get(i) {
        Some(c) => Some(*c),
        None if e.tree => Some(b'/'),
        None => None,
    };
    let (la, lb) = (a.name().len(), b.name().len());
    let n = la.max(lb) + 1;
    for i in 0..n {
        match (key(a, i), key(b, i)) {
            (Some(x), Some(y)) if x == y => continue,
            (Some(x), Some(y)) => return x.cmp(&y),
            (None, None) => return Ordering::Equal,
            // One name ends: equal names of different kinds, or a prefix.
            (None, Some(b'/')) | (Some(b'/'), None) if la == lb => return Ordering::Equal,
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
        }
    }
    Ordering::Equal
}
