//! History as data: walks of HEAD, `reports/` trees compared by sorted entry name, a file's
//! blob at each commit and a report's lineage (the commits that made its file, across
//! merges, renames and deletions), the commit that filed a file, the ids changed since a
//! revision, and a revision's tree.
//!
//! Every walk goes through [`walk`] and every tree read through a [`TreeCache`] (the walk
//! `verify` checks, in `changes`, compares trees as bytes instead), so in a linear stretch of
//! history each `reports/` tree is read once: a commit's parent tree is the previous commit's
//! tree. Bulk walks split their commits into chunks checked in parallel, one
//! repository handle per worker (git handles are not shared across threads). Callers get
//! plain values (ids, times, names, file changes) and never a git handle, except the
//! per-worker [`Objects`] a check reads blobs from.

use std::cmp::Ordering;
use std::collections::{HashMap, HashSet};
use std::path::Path;

use git2::{Oid, Repository, Revwalk, Sort};
use rayon::prelude::*;

use super::repo::{BlobId, CommitId, GitFailure, Repo};

mod changes;
use crate::error::Result;
use crate::layout::{REPORTS_DIR, is_shard_name, report_id_in_reports};
pub use changes::{
    ChangedCommit, FileChange, Objects, VERIFIED_REF, Verified, Walked, record_verified, reports_changes, verified,
};

/// When a commit was made: Unix seconds and the committer's UTC offset in minutes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct When {
    pub seconds: i64,
    pub offset_minutes: i32,
}

/// What a commit says about itself.
#[derive(Debug, Clone)]
pub struct CommitInfo {
    pub id: CommitId,
    /// The committer's time.
    pub time: When,
    /// The author's name (`None` when it is not UTF-8).
    pub author: Option<String>,
    /// The first line of the message.
    pub summary: Option<String>,
}

impl CommitInfo {
    fn of(commit: &git2::Commit<'_>) -> CommitInfo {
        let t = commit.time();
        CommitInfo {
            id: CommitId(commit.id()),
            time: When { seconds: t.seconds(), offset_minutes: t.offset_minutes() },
            author: commit.author().name().ok().map(str::to_owned),
            summary: commit.summary().ok().flatten().map(str::to_owned),
        }
    }
}

/// Objects are addressed by their hash; re-hashing every object on read (libgit2's default)
/// costs half of a walk over history. The integrity of the object store is `git fsck`'s job,
/// as in git. This is the one function that turns the (process-wide) check off: before a walk,
/// and before the hook compares the index with HEAD's trees (`store::index`).
pub(super) fn trust_object_ids() {
    git2::opts::strict_hash_verification(false);
}

/// Where a walk starts.
#[derive(Clone, Copy)]
enum Tip {
    Head,
    Commit(Oid),
}

/// A walk from `tip` in `sort` order, following only first parents when `first_parent`;
/// `None` when HEAD has no commit. Without topological sorting the walk is incremental, so a
/// caller that stops early reads only what it needs.
fn walk(git: &Repository, tip: Tip, sort: Sort, first_parent: bool) -> Result<Option<Revwalk<'_>>> {
    let mut walk = git.revwalk()?;
    match tip {
        Tip::Head => {
            if walk.push_head().is_err() {
                return Ok(None);
            }
        }
        Tip::Commit(oid) => walk.push(oid)?,
    }
    if first_parent {
        walk.simplify_first_parent()?;
    }
    walk.set_sorting(sort)?;
    Ok(Some(walk))
}

/// The id of a commit's `reports/` tree, if it has one.
fn reports_tree(commit: &git2::Commit<'_>) -> Result<Option<Oid>> {
    Ok(commit.tree()?.get_path(Path::new(REPORTS_DIR)).ok().map(|e| e.id()))
}

/// The four most recent trees (`reports/` and, sharded, a year shard on each side of a
/// commit): a linear stretch reads each tree once.
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
        if self.recent.len() > 4 {
            self.recent.remove(0);
        }
        Ok(tree)
    }
}

/// Changes between two `reports/` trees, walking their sorted entries side by side:
/// (name, old blob, new blob). Only changed names are copied.
fn diff(old: Option<&git2::Tree<'_>>, new: Option<&git2::Tree<'_>>) -> Vec<(String, Option<Oid>, Option<Oid>)> {
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

/// [`diff`] of two `reports/` trees in either layout: the entries directly under `reports/`
/// and, inside each year shard whose tree changed, its entries named `<YEAR>/<name>` (a
/// shard that did not change is not read).
fn diff_reports(
    git: &Repository,
    old: Option<&git2::Tree<'_>>,
    new: Option<&git2::Tree<'_>>,
) -> Vec<(String, Option<Oid>, Option<Oid>)> {
    let mut out = Vec::new();
    for (name, a, b) in diff(old, new) {
        let shard = |id: Option<Oid>| id.filter(|_| is_shard_name(&name)).and_then(|id| git.find_tree(id).ok());
        let (sa, sb) = (shard(a), shard(b));
        if sa.is_none() && sb.is_none() {
            out.push((name, a, b));
            continue;
        }
        out.extend(diff(sa.as_ref(), sb.as_ref()).into_iter().map(|(n, x, y)| (format!("{name}/{n}"), x, y)));
    }
    out
}

fn entry_at<'t>(tree: Option<&'t git2::Tree<'_>>, i: usize) -> Option<git2::TreeEntry<'t>> {
    tree.and_then(|t| t.get(i))
}

/// What a commit did to a report's file, in [`report_lineage`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileEventKind {
    /// The file appeared (filed, or restored after a deletion).
    Added,
    Modified,
    Deleted,
    /// The file appeared under its name and the report left `from` (a file name inside
    /// `reports/`) in the same commit: a renumbering.
    Renamed {
        from: String,
    },
}

/// Decides whether a file (its name and bytes in a parent) became the new file (its bytes):
/// the caller's rule for a rename, which the walk does not know.
pub type RenamedFrom = dyn Fn(&str, &[u8], &[u8]) -> bool;

/// One commit of a report's lineage and the file's blobs before and after it.
#[derive(Debug, Clone)]
pub struct FileEvent {
    pub commit: CommitInfo,
    pub kind: FileEventKind,
    /// The file in the parent the lineage follows (under its old name for a rename).
    pub before: Option<BlobId>,
    pub after: Option<BlobId>,
}

/// The commits that made `reports/<name>` what it is in HEAD, oldest first, following the
/// report itself: through a merge, the parent whose version it kept (as git's history
/// simplification does), so another report that once had the same name on another branch is
/// not mixed in; across a rename (a file of the parent that left in the same commit and
/// that `renamed_from(old_name, old_bytes, new_bytes)` accepts); and past a deletion, back to
/// its filing. Commits older than `since` (Unix seconds) are not read: the file cannot be
/// older than its report.
///
/// Commit dates need not follow the graph (the demo's backdated commits, a rebase, a skewed
/// clock): when the walk reaches a commit whose parent lies outside the window while the file
/// still exists, the window was cut too early and the whole history is read instead.
pub fn report_lineage(repo: &Repo, name: &str, since: i64, renamed_from: &RenamedFrom) -> Result<Vec<FileEvent>> {
    trust_object_ids();
    match lineage_within(repo, name, since, renamed_from)? {
        Some(events) => Ok(events),
        None => Ok(lineage_within(repo, name, i64::MIN, renamed_from)?.unwrap_or_default()),
    }
}

/// [`report_lineage`] over the commits since `since`; `None` when that window does not hold
/// the whole lineage.
fn lineage_within(repo: &Repo, name: &str, since: i64, renamed_from: &RenamedFrom) -> Result<Option<Vec<FileEvent>>> {
    let git = repo.git();
    let window = commits_since(git, since)?;
    let parents: HashMap<Oid, &[Oid]> = window.iter().map(|(c, p)| (*c, p.as_slice())).collect();
    let oids: Vec<Oid> = window.iter().map(|(c, _)| *c).collect();
    let mut name = name.to_owned();
    let mut blobs = blobs_of(git.path(), &oids, &name)?;
    let mut events = Vec::new();
    let Some(mut cur) = oids.first().copied() else {
        // HEAD itself is older than the window: nothing was read.
        return Ok(if since == i64::MIN || git.head().is_err() { Some(events) } else { None });
    };
    loop {
        let now = blobs.get(&cur).copied().flatten();
        let Some(ps) = parents.get(&cur) else { break };
        if since != i64::MIN && now.is_some() && ps.iter().any(|p| !parents.contains_key(p)) {
            return Ok(None);
        }
        let before: Vec<Option<Oid>> = ps.iter().map(|p| blobs.get(p).copied().flatten()).collect();
        if let Some(i) = before.iter().position(|b| *b == now) {
            // Unchanged here: follow the parent it came from (absent: only within the window).
            if now.is_none() && !parents.contains_key(&ps[i]) {
                break;
            }
            cur = ps[i];
            continue;
        }
        let info = CommitInfo::of(&git.find_commit(cur)?);
        let event = |kind, before: Option<Oid>| FileEvent {
            commit: info.clone(),
            kind,
            before: before.map(BlobId),
            after: now.map(BlobId),
        };
        let from = before.iter().position(Option::is_some);
        match (now, from) {
            (_, Some(i)) => {
                let kind = if now.is_some() { FileEventKind::Modified } else { FileEventKind::Deleted };
                events.push(event(kind, before[i]));
                cur = ps[i];
            }
            (Some(new), None) => match renamed_in(git, cur, ps, &name, new, renamed_from)? {
                Some((i, old_name, old_blob)) => {
                    events.push(event(FileEventKind::Renamed { from: old_name.clone() }, Some(old_blob)));
                    blobs = blobs_of(git.path(), &oids, &old_name)?;
                    name = old_name;
                    cur = ps[i];
                }
                None => {
                    events.push(event(FileEventKind::Added, None));
                    match ps.first() {
                        Some(p) if parents.contains_key(p) => cur = *p,
                        _ => break,
                    }
                }
            },
            (None, None) => break,
        }
    }
    events.reverse();
    Ok(Some(events))
}

/// The parent (index), name and blob of the file `reports/<name>` (blob `new` in `commit`)
/// was renamed from: a file of a parent's `reports/` that the commit changed or removed, and
/// that `renamed_from` accepts.
fn renamed_in(
    git: &Repository,
    commit: Oid,
    parents: &[Oid],
    name: &str,
    new: Oid,
    renamed_from: &RenamedFrom,
) -> Result<Option<(usize, String, Oid)>> {
    let tree_of = |c: Oid| -> Result<Option<git2::Tree<'_>>> {
        Ok(reports_tree(&git.find_commit(c)?)?.map(|t| git.find_tree(t)).transpose()?)
    };
    let now = tree_of(commit)?;
    let Ok(new_bytes) = crate::store::repo::read_blob(git, new) else { return Ok(None) };
    for (i, p) in parents.iter().enumerate() {
        let old = tree_of(*p)?;
        let mut candidates = diff_reports(git, old.as_ref(), now.as_ref());
        // The file of the same id in the other layout first (a `migrate` moves every report).
        let own = report_id_in_reports(name);
        candidates.sort_by_key(|(n, _, _)| report_id_in_reports(n) != own);
        for (old_name, old_blob, _) in candidates {
            let Some(old_blob) = old_blob.filter(|_| old_name != name) else { continue };
            let Ok(old_bytes) = crate::store::repo::read_blob(git, old_blob) else { continue };
            if renamed_from(&old_name, &old_bytes, &new_bytes) {
                return Ok(Some((i, old_name, old_blob)));
            }
        }
    }
    Ok(None)
}

/// Commits reachable from HEAD committed at or after `since` (newest first), with their
/// parents.
fn commits_since(git: &Repository, since: i64) -> Result<Vec<(Oid, Vec<Oid>)>> {
    let Some(walk) = walk(git, Tip::Head, Sort::TOPOLOGICAL | Sort::TIME, false)? else {
        return Ok(Vec::new());
    };
    let mut out = Vec::new();
    for oid in walk {
        let commit = git.find_commit(oid?)?;
        if commit.time().seconds() < since {
            break;
        }
        out.push((commit.id(), commit.parent_ids().collect()));
    }
    Ok(out)
}

/// A commit and the blob of one file in it.
type CommitBlob = (Oid, Option<Oid>);

/// The blob of `reports/<name>` in each commit, read in parallel. Consecutive commits mostly
/// share the tree that holds the file (`reports/`, or its year shard, which other years'
/// commits leave alone), so a tree is searched only when it differs from the one before; the
/// search reads the tree's raw bytes ([`raw_entry`]) instead of parsing every entry.
fn blobs_of(git_dir: &Path, commits: &[Oid], name: &str) -> Result<HashMap<Oid, Option<Oid>>> {
    let (dir, file) = match name.rsplit_once('/') {
        Some((dir, file)) => (Some(dir), file),
        None => (None, name),
    };
    let parts: Vec<Result<Vec<CommitBlob>>> = commits
        .par_chunks(512.max(commits.len() / 32 + 1))
        .map(|chunk| {
            let git = Repository::open(git_dir)?;
            let odb = git.odb()?;
            let mut last: Option<(Oid, Option<Oid>)> = None;
            let mut out = Vec::with_capacity(chunk.len());
            for oid in chunk {
                let holder = match reports_tree(&git.find_commit(*oid)?)? {
                    Some(t) => match dir {
                        Some(dir) => raw_entry(&odb, t, dir)?,
                        None => Some(t),
                    },
                    None => None,
                };
                let blob = match (holder, last) {
                    (Some(t), Some((lt, lb))) if t == lt => lb,
                    (Some(t), _) => raw_entry(&odb, t, file)?,
                    (None, _) => None,
                };
                if let Some(t) = holder {
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

/// The id of the entry `name` (one path component) of the tree `tree`, found by walking the
/// tree's raw entries (`<mode> <name>\0<20-byte id>`) without building them. `None` when the
/// tree has no such entry, or is not a tree.
fn raw_entry(odb: &git2::Odb<'_>, tree: Oid, name: &str) -> Result<Option<Oid>> {
    let object = odb.read(tree)?;
    if object.kind() != git2::ObjectType::Tree {
        return Ok(None);
    }
    Ok(find_raw_entry(object.data(), name.as_bytes()).and_then(|id| Oid::from_bytes(id).ok()))
}

/// The 20-byte id of the entry named `name` in raw tree bytes; `None` when absent or when the
/// bytes are not a well-formed tree.
fn find_raw_entry<'a>(mut bytes: &'a [u8], name: &[u8]) -> Option<&'a [u8]> {
    while !bytes.is_empty() {
        let space = bytes.iter().position(|&b| b == b' ')?;
        let nul = space + 1 + bytes[space + 1..].iter().position(|&b| b == 0)?;
        let id = bytes.get(nul + 1..nul + 21)?;
        if &bytes[space + 1..nul] == name {
            return Some(id);
        }
        bytes = &bytes[nul + 21..];
    }
    None
}

/// Commits of HEAD's first-parent chain that modified report files, and reports with
/// uncommitted changes: what a report's revisions are made of.
#[derive(Debug, Clone, Default)]
pub struct ReportRevisions {
    /// Report id → the commits that modified its file (present before and after), newest
    /// first.
    pub changes: HashMap<String, Vec<Edit>>,
    /// Reports whose file differs from HEAD (staged or not).
    pub dirty: HashSet<String>,
}

/// One commit that modified a report file: when, and the file before and after it (empty
/// when a blob cannot be read), so the caller can say what changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edit {
    pub when: When,
    pub before: Vec<u8>,
    pub after: Vec<u8>,
}

/// The [`ReportRevisions`] of the reports `ids`, walking HEAD's first-parent chain back to the
/// first commits older than `since` ([`SKEW_SLOP`] of them; Unix seconds; no walk when `None`).
pub fn report_revisions(repo: &Repo, ids: &HashSet<&str>, since: Option<i64>) -> Result<ReportRevisions> {
    let dirty = repo.modified_reports()?.into_iter().filter(|id| ids.contains(id.as_str())).collect();
    let mut revisions = ReportRevisions { dirty, ..ReportRevisions::default() };
    let Some(since) = since else { return Ok(revisions) };
    trust_object_ids();
    let git = repo.git();
    let chain = first_parent_chain(git, since)?;
    // Consecutive links are a commit and its parent; only those whose reports/ differ count.
    let pairs: Vec<(&Link, &Link)> =
        chain.windows(2).map(|w| (&w[0], &w[1])).filter(|(c, p)| c.tree != p.tree).collect();
    let git_dir = git.path().to_owned();
    let found: Vec<Result<Vec<(String, Edit)>>> = pairs
        .par_chunks(256.max(pairs.len() / 32 + 1))
        .map(|chunk| {
            let git = Repository::open(&git_dir)?;
            let mut trees = TreeCache::default();
            let mut out = Vec::new();
            let read = |blob: Oid| crate::store::repo::read_blob(&git, blob).unwrap_or_default();
            for (commit, parent) in chunk {
                let (Some(new), Some(old)) = (commit.tree, parent.tree) else { continue };
                let (new, old) = (trees.get(&git, new)?, trees.get(&git, old)?);
                out.extend(modified(&git, &new, &old, ids).into_iter().map(|(id, before, after)| {
                    (id, Edit { when: commit.time, before: read(before), after: read(after) })
                }));
            }
            Ok(out)
        })
        .collect();
    for part in found {
        for (id, edit) in part? {
            revisions.changes.entry(id).or_default().push(edit);
        }
    }
    Ok(revisions)
}

/// A commit of the first-parent chain: its `reports/` tree and time.
struct Link {
    tree: Option<Oid>,
    time: When,
}

/// The edits of report files in the commits of HEAD's first-parent chain after `known` (a
/// commit an earlier walk ended at), or the whole window since `since` when `known` is not on
/// that chain any more (history rewritten) or not given: [`Edits::since_known`] says which.
/// Every report counts, in either layout ([`crate::layout::report_id_of`]); an edit is kept
/// only when `keep` accepts the file's bytes before it (the caller's cheap "could this be a
/// public revision" test), so the file after it is read only then.
pub fn report_edits_after(
    repo: &Repo,
    known: Option<CommitId>,
    since: i64,
    keep: &(dyn Fn(&[u8]) -> bool + Sync),
) -> Result<Edits> {
    trust_object_ids();
    let git = repo.git();
    let tip = git.head().ok().and_then(|h| h.peel_to_commit().ok()).map(|c| CommitId(c.id()));
    let (chain, since_known) = chain_to(git, known.map(|k| k.0), since)?;
    let pairs: Vec<(&Link, &Link)> =
        chain.windows(2).map(|w| (&w[0], &w[1])).filter(|(c, p)| c.tree != p.tree).collect();
    let git_dir = git.path().to_owned();
    let found: Vec<Result<Vec<(String, Edit)>>> = pairs
        .par_chunks(256.max(pairs.len() / 32 + 1))
        .map(|chunk| {
            let git = Repository::open(&git_dir)?;
            let mut out = Vec::new();
            for (commit, parent) in chunk {
                let (Some(new), Some(old)) = (commit.tree, parent.tree) else { continue };
                for (id, before, after) in modified_reports(&git, old, new, REPORTS_DIR)? {
                    let before = crate::store::repo::read_blob(&git, before).unwrap_or_default();
                    if keep(&before) {
                        let after = crate::store::repo::read_blob(&git, after).unwrap_or_default();
                        out.push((id, Edit { when: commit.time, before, after }));
                    }
                }
            }
            Ok(out)
        })
        .collect();
    let mut changes: HashMap<String, Vec<Edit>> = HashMap::new();
    for part in found {
        for (id, edit) in part? {
            changes.entry(id).or_default().push(edit);
        }
    }
    Ok(Edits { tip, since_known, changes })
}

/// What [`report_edits_after`] found.
#[derive(Debug)]
pub struct Edits {
    /// HEAD's commit (none in a repository without commits).
    pub tip: Option<CommitId>,
    /// The walk stopped at the known commit: `changes` are only those after it.
    pub since_known: bool,
    /// Report id → the edits of its file, newest first.
    pub changes: HashMap<String, Vec<Edit>>,
}

/// A commit id from its full hex form, if it names a commit of the repository.
pub fn commit_named(repo: &Repo, hex: &str) -> Option<CommitId> {
    let oid = Oid::from_str(hex).ok()?;
    repo.git().find_commit(oid).ok().map(|c| CommitId(c.id()))
}

/// Largest cache file read back.
const MAX_CACHE: u64 = 512 << 20;

/// A cache file of the tool's in the git directory (`.git/enigm/<name>`), if there is one that
/// can be read (a regular file, not a link).
pub fn read_cache(repo: &Repo, name: &str) -> Option<Vec<u8>> {
    crate::layout::read_regular(&repo.git_dir().join("enigm").join(name), MAX_CACHE).ok()
}

/// Replaces the cache file `.git/enigm/<name>` atomically (never in the work tree).
pub fn write_cache(repo: &Repo, name: &str, bytes: &[u8]) -> std::io::Result<()> {
    let dir = repo.git_dir().join("enigm");
    std::fs::create_dir_all(&dir)?;
    // A render killed while writing a cache leaves its temporary file here; the next write
    // removes it (a concurrent render whose temporary goes only fails to save its cache).
    crate::store::files::remove_own_temps(&dir, 0);
    crate::store::files::write_atomic(&dir.join(name), bytes)
}

/// HEAD's first-parent chain, newest first, down to `known` (included; then `true`) or, when
/// the chain does not reach it, as [`first_parent_chain`] cuts it.
fn chain_to(git: &Repository, known: Option<Oid>, since: i64) -> Result<(Vec<Link>, bool)> {
    let mut chain = Vec::new();
    let Some(walk) = walk(git, Tip::Head, Sort::NONE, true)? else { return Ok((chain, false)) };
    let mut older = 0;
    for oid in walk {
        let oid = oid?;
        let commit = git.find_commit(oid)?;
        let t = commit.time();
        chain.push(Link {
            tree: reports_tree(&commit)?,
            time: When { seconds: t.seconds(), offset_minutes: t.offset_minutes() },
        });
        if Some(oid) == known {
            return Ok((chain, true));
        }
        older = if t.seconds() < since { older + 1 } else { 0 };
        if older > SKEW_SLOP {
            break;
        }
    }
    Ok((chain, false))
}

/// Report files (by id) present in both trees `old` and `new` of the directory `dir` with
/// different blobs; a subdirectory (a year of the sharded layout) whose tree id is the same
/// in both is not read.
fn modified_reports(git: &Repository, old: Oid, new: Oid, dir: &str) -> Result<Vec<(String, Oid, Oid)>> {
    let (old_tree, new_tree) = (git.find_tree(old)?, git.find_tree(new)?);
    let mut out = Vec::new();
    for (name, a, b) in diff(Some(&old_tree), Some(&new_tree)) {
        let (Some(a), Some(b)) = (a, b) else { continue };
        let rel = format!("{dir}/{name}");
        let is_tree = |t: &git2::Tree<'_>| t.get_name(&name).and_then(|e| e.kind()) == Some(git2::ObjectType::Tree);
        if is_tree(&old_tree) && is_tree(&new_tree) {
            if dir == REPORTS_DIR {
                out.extend(modified_reports(git, a, b, &rel)?);
            }
        } else if let Some(id) = crate::layout::report_id_of(Path::new(&rel)) {
            out.push((id.to_owned(), a, b));
        }
    }
    Ok(out)
}

/// Commits older than the window read past the last one inside it, as git's `--since` reads a
/// few: commit dates need not follow the graph (a rebase, a skewed clock, a backdated commit),
/// and a revision after such a commit must not be lost (the CSAF version would go back).
const SKEW_SLOP: usize = 100;

/// HEAD's first-parent chain, newest first, down to [`SKEW_SLOP`] consecutive commits older
/// than `since` (included: the last of them is the parent of the oldest one that counts).
fn first_parent_chain(git: &Repository, since: i64) -> Result<Vec<Link>> {
    let mut chain = Vec::new();
    let Some(walk) = walk(git, Tip::Head, Sort::NONE, true)? else { return Ok(chain) };
    let mut older = 0;
    for oid in walk {
        let commit = git.find_commit(oid?)?;
        let t = commit.time();
        chain.push(Link {
            tree: reports_tree(&commit)?,
            time: When { seconds: t.seconds(), offset_minutes: t.offset_minutes() },
        });
        older = if t.seconds() < since { older + 1 } else { 0 };
        if older > SKEW_SLOP {
            break;
        }
    }
    Ok(chain)
}

/// Ids among `ids` whose report file differs between two `reports/` trees (present in both,
/// in either layout: a report moved to its shard unchanged is not modified), with the old
/// and the new blob.
fn modified(
    git: &Repository,
    new: &git2::Tree<'_>,
    old: &git2::Tree<'_>,
    ids: &HashSet<&str>,
) -> Vec<(String, Oid, Oid)> {
    // A few reports: a lookup per layout beats walking trees of thousands of entries.
    if ids.len() <= 16 {
        let blob = |tree: &git2::Tree<'_>, id: &str| {
            crate::layout::report_places(id)
                .iter()
                .find_map(|p| tree.get_path(p.strip_prefix(REPORTS_DIR).ok()?).ok())
                .map(|e| e.id())
        };
        return ids
            .iter()
            .filter_map(|id| match (blob(old, id), blob(new, id)) {
                (Some(a), Some(b)) if a != b => Some(((*id).to_owned(), a, b)),
                _ => None,
            })
            .collect();
    }
    let changes = diff_reports(git, Some(old), Some(new));
    let mut found: HashMap<&str, (Option<Oid>, Option<Oid>)> = HashMap::new();
    for (name, old, new) in &changes {
        let Some(id) = report_id_in_reports(name).filter(|id| ids.contains(id)) else { continue };
        let seen = found.entry(id).or_default();
        seen.0 = seen.0.or(*old);
        seen.1 = seen.1.or(*new);
    }
    found
        .into_iter()
        .filter_map(|(id, (old, new))| Some((id.to_owned(), old?, new?)).filter(|(_, a, b)| a != b))
        .collect()
}

/// The commit that filed `path` on the history of `tip`: the oldest commit, following first
/// parents from `tip`, of the unbroken run that has the file (`None` when `tip` itself does
/// not have it).
pub fn filing(repo: &Repo, tip: CommitId, path: &Path) -> Result<Option<CommitInfo>> {
    let git = repo.git();
    let mut filed = None;
    let Some(walk) = walk(git, Tip::Commit(tip.0), Sort::TOPOLOGICAL, true)? else { return Ok(filed) };
    for oid in walk {
        let commit = git.find_commit(oid?)?;
        if commit.tree()?.get_path(path).is_err() {
            break;
        }
        filed = Some(CommitInfo::of(&commit));
    }
    Ok(filed)
}

/// The tree of a commit or revision, read once for any number of lookups.
pub struct Snapshot<'r> {
    git: &'r Repository,
    tree: git2::Tree<'r>,
}

impl<'r> Snapshot<'r> {
    /// The tree `rev` (a commit, branch or tag) names.
    pub fn resolve(repo: &'r Repo, rev: &str) -> std::result::Result<Snapshot<'r>, GitFailure> {
        let git = repo.git();
        let tree = git.revparse_single(rev).and_then(|o| o.peel_to_tree())?;
        Ok(Snapshot { git, tree })
    }

    /// The tree of a commit.
    pub fn of_commit(repo: &'r Repo, commit: CommitId) -> Result<Snapshot<'r>> {
        let git = repo.git();
        Ok(Snapshot { git, tree: git.find_commit(commit.0)?.tree()? })
    }

    /// The content of the file at `path` (relative), if there is one that can be read.
    pub fn file(&self, path: &Path) -> Option<Vec<u8>> {
        let entry = self.tree.get_path(path).ok()?;
        crate::store::repo::read_blob(self.git, entry.id()).ok()
    }

    /// Its `reports/` directory, if it has one.
    pub fn reports(&self) -> Result<Option<ReportFiles<'r>>> {
        let Ok(entry) = self.tree.get_path(Path::new(REPORTS_DIR)) else { return Ok(None) };
        Ok(Some(ReportFiles { git: self.git, tree: self.git.find_tree(entry.id())? }))
    }

    /// Ids (file stems) of reports whose files differ between this tree and the work tree
    /// (through the index; new files included).
    pub fn changed_reports(&self) -> Result<HashSet<String>> {
        let mut opts = git2::DiffOptions::new();
        opts.pathspec(REPORTS_DIR).include_untracked(true);
        let diff = self.git.diff_tree_to_workdir_with_index(Some(&self.tree), Some(&mut opts))?;
        Ok(diff
            .deltas()
            .filter_map(|d| {
                d.new_file()
                    .path()
                    .or(d.old_file().path())
                    .and_then(|p| p.file_stem())
                    .and_then(|s| s.to_str())
                    .map(str::to_owned)
            })
            .collect())
    }
}

/// The files of a `reports/` tree.
pub struct ReportFiles<'r> {
    git: &'r Repository,
    tree: git2::Tree<'r>,
}

impl ReportFiles<'_> {
    /// (name, blob) of each entry with a UTF-8 name, sorted by name, and of each entry of
    /// its year shards (named `<YEAR>/<name>`, in place of the shard); no blob is read.
    pub fn entries(&self) -> Vec<(String, BlobId)> {
        let mut out = Vec::new();
        for item in self.tree.iter() {
            let Ok(name) = item.name() else { continue };
            let shard = (is_shard_name(name) && item.kind() == Some(git2::ObjectType::Tree))
                .then(|| self.git.find_tree(item.id()).ok())
                .flatten();
            match shard {
                Some(tree) => {
                    out.extend(tree.iter().filter_map(|e| Some((format!("{name}/{}", e.name().ok()?), BlobId(e.id())))))
                }
                None => out.push((name.to_owned(), BlobId(item.id()))),
            }
        }
        out
    }

    /// The content of one of its blobs, if it can be read.
    pub fn content(&self, blob: BlobId) -> Option<Vec<u8>> {
        crate::store::repo::read_blob(self.git, blob.0).ok()
    }

    /// (name, content) of each file with a UTF-8 name whose blob can be read, sorted by name.
    pub fn files(&self) -> impl Iterator<Item = (String, Vec<u8>)> + '_ {
        self.entries().into_iter().filter_map(|(name, blob)| Some((name, self.content(blob)?)))
    }
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

    #[test]
    fn a_raw_entry_is_the_entry_git_finds() {
        let dir = tempfile::tempdir().expect("tmp");
        let git = Repository::init(dir.path()).expect("init");
        let odb = git.odb().expect("odb");
        let mut b = git.treebuilder(None).expect("builder");
        // Names that are prefixes of each other, a space and an id whose bytes hold a NUL.
        let names = ["ENIGM-2026-0001.md", "ENIGM-2026-0001.md.bak", "ENIGM-2026-000", "a b", "2026"];
        for (i, n) in names.iter().enumerate() {
            b.insert(n, git.blob(format!("{i}\0{n}").as_bytes()).expect("blob"), 0o100644).expect("insert");
        }
        let tree = git.find_tree(b.write().expect("write")).expect("tree");
        for n in names.iter().chain(&["ENIGM-2026-0002.md", "", "ENIGM"]) {
            let want = tree.get_name(n).map(|e| e.id());
            assert_eq!(raw_entry(&odb, tree.id(), n).expect("read"), want, "{n:?}");
        }
        let blob = git.blob(b"100644 x\0").expect("blob");
        assert_eq!(raw_entry(&odb, blob, "x").expect("read"), None, "a blob is no tree");
        assert_eq!(find_raw_entry(b"100644 x\0short", b"x"), None, "a cut id");
    }

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
        let ids = |found: Vec<(String, Oid, Oid)>| found.into_iter().map(|(id, _, _)| id).collect::<Vec<_>>();
        assert_eq!(ids(modified(&git, &new, &old, &all)), ["ENIGM-2026-0007"], "added files are not modified");
        let few: HashSet<&str> = ["ENIGM-2026-0007", "ENIGM-2026-0008", "ENIGM-2026-0040"].into();
        let found = modified(&git, &new, &old, &few);
        let blob = |tree: &git2::Tree<'_>| tree.get_name("ENIGM-2026-0007.md").expect("file").id();
        assert_eq!(found, [("ENIGM-2026-0007".to_owned(), blob(&old), blob(&new))], "with the old and new blobs");
    }

    #[test]
    fn shards_are_diffed_inside_and_a_move_between_layouts_is_no_modification() {
        let dir = tempfile::tempdir().expect("tempdir");
        let git = Repository::init(dir.path()).expect("init");
        let flat = git.find_tree(reports_tree(&git, 3, None)).expect("flat");
        let moved = reports_tree(&git, 3, Some(1));
        let mut b = git.treebuilder(None).expect("builder");
        b.insert("2026", moved, 0o040000).expect("insert");
        let sharded = git.find_tree(b.write().expect("tree")).expect("sharded");
        let names: Vec<String> =
            diff_reports(&git, Some(&flat), Some(&sharded)).into_iter().map(|(n, _, _)| n).collect();
        assert_eq!(names.len(), 6, "three left the flat place, three arrived in the shard: {names:?}");
        assert!(
            names.contains(&"2026/ENIGM-2026-0001.md".to_owned()) && names.contains(&"ENIGM-2026-0001.md".to_owned())
        );
        let ids: HashSet<&str> = ["ENIGM-2026-0000", "ENIGM-2026-0001"].into();
        let found: Vec<String> = modified(&git, &sharded, &flat, &ids).into_iter().map(|(id, _, _)| id).collect();
        assert_eq!(found, ["ENIGM-2026-0001"], "only the one whose bytes changed, looked up in either layout");
        let many: Vec<String> = (0..20).map(|i| format!("ENIGM-2026-{i:04}")).collect();
        let many: HashSet<&str> = many.iter().map(String::as_str).collect();
        let found: Vec<String> = modified(&git, &sharded, &flat, &many).into_iter().map(|(id, _, _)| id).collect();
        assert_eq!(found, ["ENIGM-2026-0001"], "the same by walking both trees");
    }
}
