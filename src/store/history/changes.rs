//! The walk `verify` checks, and the record of how far it got.
//!
//! [`reports_changes`] visits each commit whose report files changed, with the files that
//! changed: unchanged `reports/` trees are skipped by id, and in the sharded layout so is each
//! `reports/<YEAR>/` shard whose tree id did not change, so a commit costs the one shard it
//! touched, not every report. It can start after a commit already verified
//! ([`VERIFIED_REF`]): then only commits not reachable from it are walked, and their parents'
//! trees are read from git, never from a cache.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use git2::{Odb, Oid, Repository, Sort};
use rayon::prelude::*;

use super::{CommitInfo, Tip, reports_tree, trust_object_ids, walk};
use crate::error::{Error, Result};
use crate::layout::{REPORTS_DIR, report_id_of};
use crate::store::repo::{BlobId, CommitId, Repo};

mod rawtree;
use rawtree::{Owned, RawCache};

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
    keep_large_buffers();
    // Every commit and tree of the walk is read once (what it says is kept in `reports` and
    // `steps`): libgit2's object cache only held them, a few hundred MB at 200,000 commits.
    git2::opts::enable_caching(false);
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
            let odb = objects.git.odb()?;
            let mut trees = RawCache::default();
            let mut out = Vec::with_capacity(chunk.len());
            for step in chunk {
                let changed = changed_commit(&objects.git, &odb, &mut trees, step)?;
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

/// The walk reads every version of each year shard (close to 1 MB at 20,000 reports), each
/// one allocated by libgit2 with the C allocator. glibc serves a block that size with a fresh
/// `mmap` and gives it back with `munmap` on free, so every version was paid again in page
/// faults (14 % of `verify --full` at 100,000 reports). Served from the heap instead, a freed
/// version's memory holds the next one. Only glibc's thresholds change (process-wide, as
/// [`trust_object_ids`]); other C libraries keep their own.
fn keep_large_buffers() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: `mallopt` sets two of glibc's allocation thresholds; it takes the allocator's
    // own locks and changes no allocation already made.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 32 << 20);
        libc::mallopt(libc::M_TRIM_THRESHOLD, 256 << 20);
    }
}

/// The report files `step` changed against its first parent.
fn changed_commit<'o>(
    git: &Repository,
    odb: &'o Odb<'_>,
    trees: &mut RawCache<'o>,
    step: &Step,
) -> Result<ChangedCommit> {
    let parent = step.parents.first().copied().flatten();
    let others: Vec<git2::Tree<'_>> =
        step.parents.iter().skip(1).flatten().map(|t| git.find_tree(*t)).collect::<std::result::Result<_, _>>()?;
    let mut changes = Vec::new();
    report_files_diff(odb, trees, parent, step.tree, "", &mut changes)?;
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

/// Appends the report files that differ between two trees of `reports/` (or of one year
/// shard, `prefix` being `<YEAR>/`): (path inside `reports/`, old blob, new blob). A shard
/// whose tree id is the same on both sides is not read.
fn report_files_diff<'o>(
    odb: &'o Odb<'_>,
    trees: &mut RawCache<'o>,
    old: Option<Oid>,
    new: Option<Oid>,
    prefix: &str,
    out: &mut Vec<(String, Option<Oid>, Option<Oid>)>,
) -> Result<()> {
    if old == new {
        return Ok(());
    }
    let empty = RawCache::empty();
    let old = match old {
        Some(t) => trees.get(odb, t)?,
        None => empty.clone(),
    };
    let pairs = match new {
        Some(t) => trees.diff(odb, &old, t)?.1,
        None => old.entries()?.into_iter().map(|e| (Some(e.into()), None)).collect(),
    };
    let mut shards = Vec::new();
    for (a, b) in pairs {
        let Some(either) = a.as_ref().or(b.as_ref()) else { continue };
        let path = format!("{prefix}{}", String::from_utf8_lossy(&either.name));
        let side = |e: &Option<Owned>, tree: bool| e.as_ref().filter(|e| e.tree == tree).map(|e| e.id);
        if prefix.is_empty() && (side(&a, true).is_some() || side(&b, true).is_some()) {
            // A year shard (`reports/<YEAR>/`) is diffed in turn; other folders are not reports.
            if report_id_of(&Path::new(REPORTS_DIR).join(&path).join("x.md")).is_some() {
                shards.push((side(&a, true), side(&b, true), format!("{path}/")));
            }
        }
        let (old, new) = (side(&a, false), side(&b, false));
        if report_id_of(&Path::new(REPORTS_DIR).join(&path)).is_some() && (old.is_some() || new.is_some()) {
            out.push((path, old, new));
        }
    }
    for (a, b, prefix) in shards {
        report_files_diff(odb, trees, a, b, &prefix, out)?;
    }
    Ok(())
}
