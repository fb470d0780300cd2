//! All git access: opening the disclosure repository, identities, commits that touch only
//! the tool's own files, reading report names on every branch, the index (staged and
//! conflicted files) and the status of report files. Walks of history are in
//! [`history`](super::history), on the same handle.
//!
//! A commit made by the tool contains exactly the files it changed, on top of HEAD, whatever
//! else the user has staged: the tree is HEAD's with only the directories on those paths
//! rebuilt (never the whole tree), and afterwards only those paths are updated in the user's
//! index. The branch moves last, with
//! a compare-and-swap on its old value; if the index or the branch cannot be updated, the
//! index is put back as it was and the error says why.

use std::collections::HashSet;
use std::fmt;
use std::fs;
use std::path::{Path, PathBuf};

use git2::{ErrorCode, Index, IndexEntry, IndexTime, Oid, Repository, Signature, StatusOptions, Time};

use crate::error::{Error, Result};
use crate::format::id::ReportId;
use crate::layout::{CONFIG_FILE, LOCK_FILE, REPORTS_DIR};
use crate::store::commit;
use crate::store::files;
use crate::store::index::RawIndex;

/// The disclosure repository: a git work tree.
pub struct Repo {
    git: Repository,
    root: PathBuf,
}

/// Exclusive right to change the repository through the tool, held until dropped.
///
/// It is an OS advisory lock on `enigm.lock` in the common git directory (shared by every
/// linked worktree of the repository): the kernel releases it when the process ends, even by
/// a crash or `kill -9`, so it is never stale. Two commands that edit and commit (`new`,
/// `advance`, `renumber`, `render`), in any worktrees, therefore never interleave: the second
/// waits, then sees the first one's result.
///
/// Taking it also finishes what an interrupted run left ([`Repo::recover`]): its notes say
/// what was cleaned up.
#[derive(Debug)]
pub struct WriteLock {
    _file: fs::File,
    notes: Vec<String>,
}

impl WriteLock {
    /// What was cleaned up after an interrupted run when the lock was taken.
    pub fn notes(&self) -> &[String] {
        &self.notes
    }
}

/// The record of a change in progress (`enigm-pending-<pid>` in the git directory), written
/// before the work tree is touched and removed once the commit is made: a run killed in
/// between leaves it, and the next run puts the work tree and index back as HEAD has them.
#[must_use]
pub struct Pending {
    path: PathBuf,
}

impl Pending {
    /// The change is complete (committed, staged or deliberately left uncommitted).
    pub fn done(self) {
        let _ = fs::remove_file(&self.path);
    }

    /// The record stays until [`Repo::pending_done`] (a change completed in a later step).
    pub fn done_later(self) {}
}

/// An `index.lock` untouched this long is probably left by a killed git process.
const STALE_LOCK_SECS: u64 = 60;

/// How long a command waits for another one to finish.
const LOCK_WAIT: std::time::Duration = std::time::Duration::from_secs(20);

/// One file change in a commit (paths relative to the root, `/`-separated).
#[derive(Debug, Clone)]
pub enum Change {
    Write { path: PathBuf, content: Vec<u8> },
    Remove { path: PathBuf },
}

impl Change {
    fn path(&self) -> &Path {
        match self {
            Change::Write { path, .. } | Change::Remove { path } => path,
        }
    }
}

/// Author and committer of the tool's commits, and whether the repository's `pre-commit` and
/// `commit-msg` hooks run (they do unless [`Identity::without_hooks`]).
pub struct Identity {
    author: Signature<'static>,
    committer: Signature<'static>,
    hooks: bool,
    /// Sign when the configuration says so (`commit.gpgsign`).
    sign: bool,
}

impl Identity {
    /// One person as author and committer, at a fixed time (Unix seconds, UTC): commits that
    /// come out the same on every run (the demo), so neither hooks nor signing apply.
    pub fn fixed(name: &str, email: &str, seconds: i64) -> Result<Identity> {
        let sig = Signature::new(name, email, &Time::new(seconds, 0))?;
        Ok(Identity { author: sig.clone(), committer: sig, hooks: false, sign: false })
    }

    /// The same identity, committing without running the repository's hooks (as
    /// `git commit` with its no-verify option).
    pub fn without_hooks(mut self) -> Identity {
        self.hooks = false;
        self
    }

    /// The author's name, for timeline entries.
    pub fn author_name(&self) -> String {
        self.author.name().unwrap_or_default().to_owned()
    }
}

/// A commit's id (its hash). Displays as the full hex id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct CommitId(pub(super) Oid);

impl CommitId {
    /// The abbreviated form git shows (7 hex digits).
    pub fn short(&self) -> String {
        let mut hex = self.0.to_string();
        hex.truncate(7);
        hex
    }
}

impl fmt::Display for CommitId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// A file's content id in git (a blob hash).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct BlobId(pub(super) Oid);

/// A git operation that failed, with git's own message, for callers that word the error
/// themselves (an unresolvable revision, an unreadable staged file).
#[derive(Debug, Clone)]
pub struct GitFailure {
    pub message: String,
}

impl From<git2::Error> for GitFailure {
    fn from(e: git2::Error) -> Self {
        GitFailure { message: e.message().to_owned() }
    }
}

/// Largest blob any command reads into memory: the limit `validate` applies to files in the
/// work tree. The size comes from the object header, so a huge blob is refused before it is
/// inflated (a 1 GiB run of zeros packs to about 1 MB).
pub const MAX_BLOB_BYTES: u64 = crate::format::report::MAX_REPORT_BYTES;

/// Refuses a blob over [`MAX_BLOB_BYTES`] without loading it.
pub(crate) fn check_blob_size(git: &Repository, oid: Oid) -> std::result::Result<(), GitFailure> {
    let (size, _) = git.odb()?.read_header(oid)?;
    if size as u64 > MAX_BLOB_BYTES {
        return Err(GitFailure {
            message: format!(
                "blob {oid} is {size} bytes; files are limited to {MAX_BLOB_BYTES} bytes, so it is not read"
            ),
        });
    }
    Ok(())
}

/// The content of a blob no larger than [`MAX_BLOB_BYTES`].
pub(crate) fn read_blob(git: &Repository, oid: Oid) -> std::result::Result<Vec<u8>, GitFailure> {
    check_blob_size(git, oid)?;
    Ok(git.find_blob(oid)?.content().to_vec())
}

impl From<GitFailure> for Error {
    fn from(e: GitFailure) -> Self {
        Error::Git { message: e.message, help: None }
    }
}

impl From<git2::Error> for Error {
    fn from(e: git2::Error) -> Self {
        Error::Git { message: e.message().to_owned(), help: None }
    }
}

/// The git index as it is now: what the next commit will contain.
pub struct Staged<'r> {
    repo: &'r Repo,
    index: StagedIndex,
}

/// The index as read: by [`RawIndex`] (the hook's fast path), or by libgit2 when the file has
/// something that reader leaves to it (a split or sparse index, intent-to-add entries, …).
enum StagedIndex {
    Raw(RawIndex),
    Git(Index),
}

/// A file at stage 0 of the index (not conflicted).
#[derive(Debug, Clone, Copy)]
pub struct StagedFile {
    /// The git file mode (`0o100644`, `0o120000` for a symbolic link, …).
    pub mode: u32,
    pub blob: BlobId,
}

/// A path the next commit changes ([`Staged::changes_from_head`]).
#[derive(Debug, Clone)]
pub struct StagedChange {
    /// Relative, `/`-separated.
    pub path: String,
    /// The file's blob in HEAD, when HEAD has a file there.
    pub head_blob: Option<BlobId>,
}

/// The path of a libgit2 index entry as bytes.
fn rel_bytes(rel: &Path) -> &[u8] {
    rel.as_os_str().as_encoded_bytes()
}

fn raw_file(e: &crate::store::index::Entry) -> StagedFile {
    StagedFile { mode: e.mode, blob: BlobId(Oid::from_bytes(&e.oid).expect("20 bytes")) }
}

impl Staged<'_> {
    /// The file at `rel` (relative, `/`-separated), unless it is missing or conflicted.
    pub fn file(&self, rel: &Path) -> Option<StagedFile> {
        match &self.index {
            StagedIndex::Raw(raw) => raw.get(rel_bytes(rel), 0).map(raw_file),
            StagedIndex::Git(index) => index.get_path(rel, 0).map(|e| StagedFile { mode: e.mode, blob: BlobId(e.id) }),
        }
    }

    /// True when `rel` has conflict stages (an unresolved merge).
    pub fn is_conflicted(&self, rel: &Path) -> bool {
        match &self.index {
            StagedIndex::Raw(raw) => (1..=3).any(|stage| raw.get(rel_bytes(rel), stage).is_some()),
            StagedIndex::Git(index) => (1..=3).any(|stage| index.get_path(rel, stage).is_some()),
        }
    }

    /// Every UTF-8 path in the index, in index order (a conflicted path once per stage).
    pub fn paths(&self) -> Box<dyn Iterator<Item = String> + '_> {
        match &self.index {
            StagedIndex::Raw(raw) => {
                Box::new(raw.entries().iter().filter_map(|e| std::str::from_utf8(raw.path(e)).ok().map(str::to_owned)))
            }
            StagedIndex::Git(index) => Box::new(index.iter().filter_map(|e| String::from_utf8(e.path).ok())),
        }
    }

    /// The size in bytes of a staged blob, read from the object header (the content is not
    /// loaded).
    pub fn blob_size(&self, blob: BlobId) -> std::result::Result<u64, GitFailure> {
        let (size, _) = self.repo.git.odb()?.read_header(blob.0)?;
        Ok(size as u64)
    }

    /// Every stage-0 entry whose path starts with `prefix`, with its mode and blob, in index
    /// order (paths that are not UTF-8 are shown lossily). The index is sorted by path, so
    /// only the matching entries are visited (a report's folder among 100,000 reports is
    /// found by a binary search, not a scan).
    pub fn files_under(&self, prefix: &str) -> Vec<(String, StagedFile)> {
        let lossy = |p: &[u8]| String::from_utf8_lossy(p).into_owned();
        match &self.index {
            StagedIndex::Raw(raw) => raw.entries()[raw.lower_bound(prefix.as_bytes())..]
                .iter()
                .take_while(|e| raw.path(e).starts_with(prefix.as_bytes()))
                .filter(|e| e.stage == 0)
                .map(|e| (lossy(raw.path(e)), raw_file(e)))
                .collect(),
            StagedIndex::Git(index) => {
                let Ok(start) = index.find_prefix(prefix) else { return Vec::new() };
                (start..index.len())
                    .map_while(|n| index.get(n).filter(|e| e.path.starts_with(prefix.as_bytes())))
                    .filter(|e| (e.flags >> 12) & 0x3 == 0)
                    .map(|e| (lossy(&e.path), StagedFile { mode: e.mode, blob: BlobId(e.id) }))
                    .collect()
            }
        }
    }

    /// What the next commit changes: every path whose staged entry differs from HEAD's tree
    /// (added, modified, deleted, of another type, or conflicted), with HEAD's blob where HEAD
    /// has the path, in path order. Only blob ids are compared (no file is read); from the
    /// raw index, only the directories its cache-tree shows changed are. `None` when HEAD has
    /// no commit yet (everything is new).
    pub fn changes_from_head(&self) -> Result<Option<Vec<StagedChange>>> {
        let Ok(head) = self.repo.git.head() else { return Ok(None) };
        let tree = head.peel_to_tree()?;
        let index = match &self.index {
            StagedIndex::Raw(raw) => {
                let changes = raw.changes_from(&self.repo.git, tree.id())?;
                let out = changes.into_iter().filter_map(|(path, head)| {
                    Some(StagedChange { path: String::from_utf8(path).ok()?, head_blob: head.map(BlobId) })
                });
                return Ok(Some(out.collect()));
            }
            StagedIndex::Git(index) => index,
        };
        let mut opts = git2::DiffOptions::new();
        opts.include_typechange(true);
        let diff = self.repo.git.diff_tree_to_index(Some(&tree), Some(index), Some(&mut opts))?;
        let mut out: Vec<StagedChange> = diff
            .deltas()
            .filter_map(|d| {
                let path = d.new_file().path().or(d.old_file().path())?.to_str()?.to_owned();
                let head_blob =
                    (d.old_file().exists() && !d.old_file().id().is_zero()).then(|| BlobId(d.old_file().id()));
                Some(StagedChange { path, head_blob })
            })
            .collect();
        out.dedup_by(|a, b| a.path == b.path);
        Ok(Some(out))
    }

    /// Runs `f` on the content of a staged blob.
    pub fn with_blob<T>(&self, blob: BlobId, f: impl FnOnce(&[u8]) -> T) -> std::result::Result<T, GitFailure> {
        check_blob_size(&self.repo.git, blob.0)?;
        let blob = self.repo.git.find_blob(blob.0)?;
        Ok(f(blob.content()))
    }
}

impl Repo {
    /// Finds the git work tree containing `start` and checks it is a disclosure repository.
    pub fn discover(start: &Path) -> Result<Repo> {
        if !start.is_dir() {
            let path = start.to_owned();
            return Err(if start.exists() { Error::NotADirectory { path } } else { Error::NoSuchDirectory { path } });
        }
        let git = Repository::discover(start).map_err(|_| Error::NotAGitRepo { path: start.to_owned() })?;
        if git.is_bare() {
            return Err(Error::usage(
                format!("{} is a bare git repository: it has no work tree to hold reports", git.path().display()),
                "clone it (`git clone <bare> <dir>`) and run the command inside the clone",
            ));
        }
        let root = git.workdir().ok_or_else(|| Error::NotAGitRepo { path: start.to_owned() })?.to_owned();
        if !root.join(CONFIG_FILE).is_file() {
            return Err(Error::NotADisclosureRepo { path: start.to_owned(), root: root.components().collect() });
        }
        Ok(Repo { git, root })
    }

    /// Opens the repository whose work tree is exactly `dir`, or creates one there.
    /// Returns whether it was created.
    pub fn open_or_init(dir: &Path) -> Result<(Repo, bool)> {
        let (git, created) = match Repository::open(dir) {
            Ok(g) if g.workdir().is_some_and(|w| same_dir(w, dir)) => (g, false),
            Ok(_) | Err(_) => match Repository::init(dir) {
                Ok(g) => (g, true),
                Err(e) if dir.join(".git").exists() => {
                    let git_dir = dir.join(".git");
                    return Err(Error::Git {
                        message: format!(
                            "{} is a half-created git repository ({}): an interrupted `init`, or a git command running now",
                            git_dir.display(),
                            e.message()
                        ),
                        help: Some(format!(
                            "if no git command is running and it holds nothing of yours (no commits), remove it (`rm -rf {}`) and run init again",
                            git_dir.display()
                        )),
                    });
                }
                Err(e) => return Err(e.into()),
            },
        };
        let root = git
            .workdir()
            .ok_or_else(|| {
                Error::usage(
                    format!("{} is a bare repository", dir.display()),
                    "disclosure repositories need a work tree",
                )
            })?
            .to_owned();
        Ok((Repo { git, root }, created))
    }

    /// The work tree root.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The underlying repository handle, for the rest of the store.
    pub(super) fn git(&self) -> &Repository {
        &self.git
    }

    /// True when HEAD points at a commit (false in a repository with no commit yet).
    pub fn has_head(&self) -> bool {
        self.git.head().is_ok()
    }

    /// The commit HEAD points at.
    pub fn head_commit(&self) -> Result<CommitId> {
        Ok(CommitId(self.git.head()?.peel_to_commit()?.id()))
    }

    /// The commit HEAD points at, if any.
    pub fn head_id(&self) -> Option<CommitId> {
        self.git.head().ok().and_then(|h| h.peel_to_commit().ok()).map(|c| CommitId(c.id()))
    }

    /// True when `rev` names the commit HEAD points at.
    pub fn resolves_to_head(&self, rev: &str) -> bool {
        let commit = |r: &str| self.git.revparse_single(r).and_then(|o| o.peel_to_commit()).map(|c| c.id()).ok();
        commit(rev).is_some_and(|c| Some(c) == commit("HEAD"))
    }

    /// The commit being merged (`MERGE_HEAD`), during a merge.
    pub fn merge_head(&self) -> Option<CommitId> {
        let text = fs::read_to_string(self.git_dir().join("MERGE_HEAD")).ok()?;
        Oid::from_str(text.lines().next()?.trim()).ok().map(CommitId)
    }

    /// The content of a blob.
    pub fn blob(&self, id: BlobId) -> Result<Vec<u8>> {
        Ok(read_blob(&self.git, id.0)?)
    }

    /// The index the next commit is made from, for reading staged files: the file named by
    /// `GIT_INDEX_FILE` when it is set, as git's own commands read it (git sets it for the
    /// pre-commit hook: `commit -a` and `commit PATH` commit a temporary index, not
    /// `.git/index`), else the repository's index. A relative path is relative to the work
    /// tree root, as git resolves it; a file that does not exist is an empty index, as in git.
    pub fn staged(&self) -> Result<Staged<'_>> {
        let (path, what) = match std::env::var_os("GIT_INDEX_FILE").filter(|v| !v.is_empty()) {
            Some(path) => (self.root.join(PathBuf::from(path)), "GIT_INDEX_FILE"),
            None => (self.git.path().join("index"), "the index"),
        };
        if let Some(raw) = RawIndex::read(&path) {
            return Ok(Staged { repo: self, index: StagedIndex::Raw(raw) });
        }
        let index = match what {
            "GIT_INDEX_FILE" => Index::open(&path),
            _ => self.git.index(),
        };
        let index = index.map_err(|e| index_unreadable(&path, what, &e))?;
        Ok(Staged { repo: self, index: StagedIndex::Git(index) })
    }

    /// Our and their blobs of `rel` when it is in an add/add (or modify) conflict: index
    /// stages 2 and 3.
    pub fn conflict_sides(&self, rel: &Path) -> Result<Option<(BlobId, BlobId)>> {
        let index = self.git.index()?;
        let (ours, theirs) = (index.get_path(rel, 2), index.get_path(rel, 3));
        Ok(ours.zip(theirs).map(|(o, t)| (BlobId(o.id), BlobId(t.id))))
    }

    /// The author's name as git resolves it (`GIT_AUTHOR_NAME`, else `user.name`), without
    /// needing an email: who a change is by when it is not committed (`--no-commit`), the same
    /// name a commit would record. `None` when git has none.
    pub fn author_name(&self) -> Option<String> {
        let config = self.git.config().ok()?;
        git_setting(&config, "GIT_AUTHOR_NAME", "user.name")
    }

    /// Author and committer from the environment (`GIT_AUTHOR_NAME`, …, `GIT_AUTHOR_DATE`, as
    /// git reads them) or the git configuration. A missing name or email is an error.
    pub fn identity(&self) -> Result<Identity> {
        let config = self.git.config()?;
        let get = |env: &str, key: &str| git_setting(&config, env, key);
        let mut missing = Vec::new();
        let mut who = |kind: &str| {
            let upper = kind.to_uppercase();
            let name = get(&format!("GIT_{upper}_NAME"), "user.name");
            let email = get(&format!("GIT_{upper}_EMAIL"), "user.email");
            if name.is_none() && !missing.contains(&"user.name") {
                missing.push("user.name");
            }
            if email.is_none() && !missing.contains(&"user.email") {
                missing.push("user.email");
            }
            (name, email, std::env::var(format!("GIT_{upper}_DATE")).ok())
        };
        let author = who("author");
        let committer = who("committer");
        if !missing.is_empty() {
            return Err(Error::NoIdentity { missing: missing.join(" and ") });
        }
        Ok(Identity { author: signature(author)?, committer: signature(committer)?, hooks: true, sign: true })
    }

    /// The branch HEAD points at (full ref name) and its commit, if it has one.
    fn head_branch(&self) -> Result<(String, Option<git2::Commit<'_>>)> {
        match self.git.head() {
            Ok(head) if head.is_branch() => {
                let name = head
                    .name()
                    .map_err(|_| Error::usage("HEAD names a branch that is not UTF-8", "rename the branch"))?
                    .to_owned();
                Ok((name, Some(head.peel_to_commit()?)))
            }
            Ok(_) => Err(Error::DetachedHead { branch: self.branch_to_return_to() }),
            Err(e) if e.code() == ErrorCode::UnbornBranch => {
                let head = self.git.find_reference("HEAD")?;
                let target = head
                    .symbolic_target()
                    .ok()
                    .flatten()
                    .ok_or_else(|| Error::DetachedHead { branch: self.branch_to_return_to() })?
                    .to_owned();
                Ok((target, None))
            }
            Err(e) => Err(e.into()),
        }
    }

    /// The branch a detached HEAD most likely came from: the last one HEAD's reflog moved away
    /// from (`checkout: moving from master to …`) that still exists, else the only local branch,
    /// else `init.defaultBranch` if it exists. `None` when the repository does not say.
    pub fn branch_to_return_to(&self) -> Option<String> {
        let exists = |name: &str| self.git.find_branch(name, git2::BranchType::Local).is_ok();
        if let Ok(log) = self.git.reflog("HEAD") {
            let left = log.iter().filter_map(|e| {
                let m = e.message().ok().flatten()?.strip_prefix("checkout: moving from ")?.to_owned();
                Some(m.split_once(" to ")?.0.to_owned())
            });
            if let Some(b) = left.into_iter().find(|b: &String| exists(b)) {
                return Some(b);
            }
        }
        let branches: Vec<String> = self
            .git
            .branches(Some(git2::BranchType::Local))
            .ok()?
            .filter_map(|b| b.ok()?.0.name().ok().flatten().map(str::to_owned))
            .collect();
        if let [only] = branches.as_slice() {
            return Some(only.clone());
        }
        let default = self.git.config().ok()?.get_string("init.defaultBranch").ok()?;
        exists(&default).then_some(default)
    }

    /// Refuses what `git commit` refuses: HEAD not on a branch, a merge, rebase, cherry-pick
    /// or revert in progress.
    pub fn check_can_commit(&self) -> Result<()> {
        commit::check_state(&self.git)?;
        self.head_branch().map(|_| ())
    }

    /// Records `changes` as in progress before they are written to the work tree (see
    /// [`Pending`]). Refuses paths the tool cannot commit as git would (a clean filter), so
    /// nothing is written for them.
    pub fn begin(&self, changes: &[Change]) -> Result<Pending> {
        let head = self.head_id().map(|h| h.to_string()).unwrap_or_else(|| "none".into());
        let mut text = format!("enigm-pending 1\nhead {head}\n");
        for change in changes {
            let path = change.path().to_string_lossy().replace('\\', "/");
            match change {
                Change::Write { content, .. } => {
                    let raw = Oid::hash_object(git2::ObjectType::Blob, content)?;
                    let blob =
                        Oid::hash_object(git2::ObjectType::Blob, &commit::to_blob(&self.git, change.path(), content)?)?;
                    text.push_str(&format!("write {raw} {blob} {path}\n"));
                }
                Change::Remove { path: rel } => {
                    // Its bytes are kept as a blob, so an uncommitted file can be put back too.
                    let saved = match fs::read(self.root.join(rel)) {
                        Ok(bytes) => self.git.blob(&bytes)?.to_string(),
                        Err(_) => "-".into(),
                    };
                    text.push_str(&format!("remove {saved} - {path}\n"));
                }
            }
        }
        let path = self.pending_path();
        let tmp = path.with_extension("tmp");
        let write = || -> std::io::Result<()> {
            let mut f = fs::File::create(&tmp)?;
            std::io::Write::write_all(&mut f, text.as_bytes())?;
            f.sync_all()?;
            fs::rename(&tmp, &path)
        };
        if let Err(e) = write() {
            let _ = fs::remove_file(&tmp);
            return Err(Error::io(format!("cannot write {}", path.display()))(e));
        }
        Ok(Pending { path })
    }

    /// This process's pending record is complete (see [`Pending::done`]), for a change whose
    /// [`Pending`] was not kept (a new report, committed later).
    pub fn pending_done(&self) {
        let _ = fs::remove_file(self.pending_path());
    }

    fn pending_path(&self) -> PathBuf {
        self.git_dir().join(format!("enigm-pending-{}", std::process::id()))
    }

    /// Finishes what interrupted runs left (the caller holds the [`WriteLock`]): each
    /// [`Pending`] record of a process that is gone is undone where its commit was not made
    /// (files it wrote are put back as HEAD has them, in the work tree and the index; a file
    /// changed since is left and named), and the tool's temporary files are removed from the
    /// git directory. Returns what was done, for the user.
    pub fn recover(&self) -> Vec<String> {
        let mut notes = Vec::new();
        let Ok(entries) = fs::read_dir(self.git_dir()) else { return notes };
        let mut records: Vec<PathBuf> = entries
            .flatten()
            .filter(|e| e.file_name().to_str().is_some_and(|n| n.starts_with("enigm-pending-") && !n.ends_with(".tmp")))
            .map(|e| e.path())
            .collect();
        records.sort();
        records.retain(|record| {
            let pid =
                record.file_name().and_then(|n| n.to_str()).and_then(|n| n.rsplit('-').next()?.parse::<u32>().ok());
            !pid.is_some_and(|p| p != std::process::id() && process_alive(p))
        });
        if let Some(oldest) = records.iter().filter_map(|r| fs::metadata(r).and_then(|m| m.modified()).ok()).min() {
            notes.extend(self.remove_locks_left_since(oldest));
        }
        for record in records {
            match self.undo(&record) {
                Ok(done) => {
                    notes.extend(done);
                    let _ = fs::remove_file(&record);
                }
                Err(e) => {
                    notes.push(format!("could not undo the interrupted change recorded in {}: {e}", record.display()))
                }
            }
        }
        commit::remove_stale_temps(self.git_dir(), process_alive);
        let dirs = [
            (self.root.clone(), 0),
            (self.root.join(REPORTS_DIR), 0),
            (self.root.join(crate::layout::TEMPLATES_DIR), 2),
        ];
        for (dir, depth) in dirs {
            for left in files::remove_own_temps(&dir, depth) {
                notes.push(format!("removed {}, a temporary file left by an interrupted run", left.display()));
            }
        }
        notes
    }

    /// git's own lock files (the index's, HEAD's, the branch's) that a killed run of the tool
    /// left: created after its pending record was written, and untouched for a second (a live
    /// git command holds them for milliseconds). Anything older is left for the user, whose
    /// next command explains it.
    fn remove_locks_left_since(&self, since: std::time::SystemTime) -> Vec<String> {
        let mut candidates = vec![self.git_dir().join("index.lock"), self.git_dir().join("HEAD.lock")];
        if let Ok(head) = self.git.find_reference("HEAD")
            && let Ok(Some(target)) = head.symbolic_target()
        {
            candidates.push(self.git.commondir().join(format!("{target}.lock")));
        }
        let slack = std::time::Duration::from_secs(1);
        let mut notes = Vec::new();
        for lock in candidates {
            let modified = || fs::metadata(&lock).and_then(|m| m.modified()).ok();
            let Some(mut when) = modified() else { continue };
            if when + slack < since {
                continue;
            }
            let deadline = std::time::Instant::now() + 2 * slack;
            while when.elapsed().unwrap_or_default() < slack && std::time::Instant::now() < deadline {
                std::thread::sleep(std::time::Duration::from_millis(50));
                match modified() {
                    Some(w) => when = w,
                    None => break,
                }
            }
            if modified() == Some(when) && when.elapsed().unwrap_or_default() >= slack && fs::remove_file(&lock).is_ok()
            {
                notes.push(format!("removed {}, left by an interrupted run of this tool", lock.display()));
            }
        }
        notes
    }

    fn undo(&self, record: &Path) -> Result<Vec<String>> {
        let text = fs::read_to_string(record).map_err(Error::io(format!("cannot read {}", record.display())))?;
        let mut lines = text.lines();
        if lines.next() != Some("enigm-pending 1") {
            return Ok(vec![format!("removed {}, which this version cannot read", record.display())]);
        }
        let head_tree = self.git.head().ok().and_then(|h| h.peel_to_tree().ok());
        let in_head = |path: &Path| head_tree.as_ref().and_then(|t| t.get_path(path).ok()).map(|e| e.id());
        let mut entries = Vec::new();
        for line in lines.skip(1) {
            let mut parts = line.splitn(4, ' ');
            let (Some(kind), Some(raw), Some(blob), Some(path)) =
                (parts.next(), parts.next(), parts.next(), parts.next())
            else {
                continue;
            };
            entries.push((kind.to_owned(), Oid::from_str(raw).ok(), Oid::from_str(blob).ok(), PathBuf::from(path)));
        }
        let committed = entries.iter().all(|(kind, _, blob, path)| match kind.as_str() {
            "write" => in_head(path) == *blob,
            _ => in_head(path).is_none(),
        });
        if committed {
            return Ok(Vec::new());
        }
        let mut index = self.git.index()?;
        let mut notes = Vec::new();
        for (kind, raw, blob, path) in &entries {
            let full = self.root.join(path);
            let head_blob = in_head(path);
            let on_disk = fs::symlink_metadata(&full).ok().filter(|m| m.is_file()).and_then(|_| fs::read(&full).ok());
            let ours =
                on_disk.as_ref().is_some_and(|bytes| Oid::hash_object(git2::ObjectType::Blob, bytes).ok() == *raw);
            let restore = match kind.as_str() {
                "write" => ours,
                _ => on_disk.is_none() && (head_blob.is_some() || raw.is_some()),
            };
            let source = if kind == "write" { head_blob } else { raw.or(head_blob) };
            if restore {
                match source {
                    Some(id) => {
                        let content = self.git.find_blob(id)?.content().to_vec();
                        files::write_atomic(&full, &content)
                            .map_err(Error::io(format!("cannot restore {}", path.display())))?;
                        notes.push(format!(
                            "restored {} as HEAD has it (an interrupted run had changed it)",
                            path.display()
                        ));
                    }
                    None => {
                        fs::remove_file(&full).map_err(Error::io(format!("cannot remove {}", path.display())))?;
                        notes.push(format!(
                            "removed {}, which an interrupted run had written and not committed",
                            path.display()
                        ));
                    }
                }
            } else if kind == "write" && on_disk.is_some() && head_blob.is_some_and(|h| Some(h) != *blob) {
                let now = on_disk.as_deref().and_then(|b| Oid::hash_object(git2::ObjectType::Blob, b).ok());
                if now != head_blob {
                    notes.push(format!(
                        "{} was being changed by an interrupted run and has been edited since: left as it is",
                        path.display()
                    ));
                }
            }
            let staged = index.get_path(path, 0).map(|e| e.id);
            let staged_ours = staged.is_some() && (staged == *blob || staged == *raw);
            let staged_missing = staged.is_none() && kind != "write";
            if staged_ours || staged_missing {
                match head_blob {
                    Some(id) => {
                        let len = self.git.find_blob(id)?.size();
                        index.add(&self.entry(path, id, len, true))?;
                    }
                    None => {
                        let _ = index.remove_path(path);
                    }
                }
            }
        }
        index.write().map_err(|e| self.index_error(e))?;
        Ok(notes)
    }

    /// Commits exactly `changes` on top of HEAD and updates only those paths in the index.
    /// The work tree must already hold the new content. On failure nothing observable changed.
    pub fn commit_paths(&self, changes: &[Change], message: &str, identity: &Identity) -> Result<CommitId> {
        commit::check_state(&self.git)?;
        let (refname, parent) = self.head_branch()?;
        let mut blobs = Vec::with_capacity(changes.len());
        let mut edits = Vec::with_capacity(changes.len());
        for change in changes {
            match change {
                Change::Write { path, content } => {
                    let oid = self.git.blob(&commit::to_blob(&self.git, path, content)?)?;
                    blobs.push(Some((oid, content.len())));
                    edits.push((tree_path(path)?, Some(oid)));
                }
                Change::Remove { path } => {
                    blobs.push(None);
                    edits.push((tree_path(path)?, None));
                }
            }
        }
        let base = parent.as_ref().map(git2::Commit::tree).transpose()?;
        let root = edit_tree(&self.git, base.as_ref(), edits)?;
        let tree = match root {
            Some(id) => self.git.find_tree(id)?,
            None => self.git.find_tree(self.git.treebuilder(None)?.write()?)?,
        };
        if parent.as_ref().is_some_and(|p| p.tree_id() == tree.id()) {
            return Err(Error::NothingToCommit);
        }
        let parents: Vec<&git2::Commit<'_>> = parent.iter().collect();
        let message = if identity.hooks {
            commit::run_pre_commit(&self.git, &self.root, &tree)?;
            commit::run_commit_msg(&self.git, &self.root, message)?
        } else {
            message.to_owned()
        };
        let message = message.as_str();
        let buffer = self.git.commit_create_buffer(&identity.author, &identity.committer, message, &tree, &parents)?;
        let committer = format!(
            "{} <{}>",
            identity.committer.name().unwrap_or_default(),
            identity.committer.email().unwrap_or_default()
        );
        let signature = if identity.sign { commit::sign(&self.git, &buffer, &committer)? } else { None };
        let oid = match signature {
            Some(signature) => {
                let content = std::str::from_utf8(&buffer)
                    .map_err(|_| Error::Git { message: "the commit is not UTF-8".into(), help: None })?;
                self.git.commit_signed(content, &signature, None)?
            }
            None => self.git.commit(None, &identity.author, &identity.committer, message, &tree, &parents)?,
        };

        let mut index = self.git.index()?;
        let saved: Vec<Option<IndexEntry>> = changes.iter().map(|c| index.get_path(c.path(), 0)).collect();
        for (change, blob) in changes.iter().zip(&blobs) {
            match blob {
                Some((blob, len)) => index.add(&self.entry(change.path(), *blob, *len, true))?,
                None => {
                    if index.get_path(change.path(), 0).is_some() {
                        index.remove_path(change.path())?;
                    }
                }
            }
        }
        if let Err(e) = index.write() {
            let _ = index.read(true);
            return Err(self.index_error(e));
        }
        let subject = message.lines().next().unwrap_or_default();
        let reflog = format!("commit: {subject}");
        let moved = match &parent {
            Some(p) => self.git.reference_matching(&refname, oid, true, p.id(), &reflog).map(|_| ()),
            None => self.git.reference(&refname, oid, false, &reflog).map(|_| ()),
        };
        if let Err(e) = moved {
            self.restore_index(&mut index, changes, saved);
            return Err(Error::Git {
                message: format!("could not move {refname}: {}", e.message()),
                help: Some("another process changed the branch at the same time; run the command again".into()),
            });
        }
        Ok(CommitId(oid))
    }

    /// Stages `changes` (already written to the work tree), resolving conflicts on those paths;
    /// used inside a merge, where the merge commit is the user's to make.
    pub fn stage_resolved(&self, changes: &[Change]) -> Result<()> {
        let mut index = self.git.index()?;
        for change in changes {
            let _ = index.conflict_remove(change.path());
            match change {
                Change::Write { path, content } => {
                    let oid = self.git.blob(content)?;
                    index.add(&self.entry(path, oid, content.len(), true))?;
                }
                Change::Remove { path } => {
                    let _ = index.remove_path(path);
                }
            }
        }
        index.write().map_err(|e| self.index_error(e))
    }

    fn restore_index(&self, index: &mut Index, changes: &[Change], saved: Vec<Option<IndexEntry>>) {
        for (change, old) in changes.iter().zip(saved) {
            let _ = match old {
                Some(entry) => index.add(&entry),
                None => index.remove_path(change.path()),
            };
        }
        let _ = index.write();
    }

    fn index_error(&self, e: git2::Error) -> Error {
        if e.code() == ErrorCode::Locked || e.message().contains("index.lock") {
            let path = self.git.path().join("index.lock");
            let age = fs::metadata(&path).ok().and_then(|m| m.modified().ok()).and_then(|t| t.elapsed().ok());
            match age {
                Some(age) if age.as_secs() >= STALE_LOCK_SECS => Error::Git {
                    message: format!(
                        "the git index is locked ({} exists, untouched for {} s): a git command is running, or one was killed and left its lock",
                        path.display(),
                        age.as_secs()
                    ),
                    help: Some(format!(
                        "if no git command is running in this repository, remove the stale lock (`rm {}`) and run the command again; nothing was changed",
                        path.display()
                    )),
                },
                _ => Error::IndexLocked { path },
            }
        } else {
            e.into()
        }
    }

    /// An index entry for `path` with the work tree file's stat data when `stat` is set (so
    /// `git status` sees the file as unchanged without re-hashing it).
    fn entry(&self, path: &Path, id: Oid, len: usize, stat: bool) -> IndexEntry {
        let path_bytes = path.to_string_lossy().replace('\\', "/").into_bytes();
        let mut entry = IndexEntry {
            ctime: IndexTime::new(0, 0),
            mtime: IndexTime::new(0, 0),
            dev: 0,
            ino: 0,
            mode: 0o100_644,
            uid: 0,
            gid: 0,
            file_size: u32::try_from(len).unwrap_or(u32::MAX),
            id,
            flags: u16::try_from(path_bytes.len().min(0xfff)).unwrap_or(0xfff),
            flags_extended: 0,
            path: path_bytes,
        };
        if stat && let Ok(meta) = fs::metadata(self.root.join(path)) {
            fill_stat(&mut entry, &meta);
        }
        entry
    }

    /// Every report id named by a file under `reports/` on any local or remote-tracking
    /// branch (and a detached HEAD), read from git objects without checking anything out.
    pub fn ids_on_branches(&self) -> Result<Vec<ReportId>> {
        let mut seen_trees = HashSet::new();
        let mut ids = Vec::new();
        let mut tips = Vec::new();
        for reference in self.git.references()? {
            let reference = reference?;
            let is_branch =
                reference.name().is_ok_and(|n| n.starts_with("refs/heads/") || n.starts_with("refs/remotes/"));
            if is_branch && let Ok(commit) = reference.peel_to_commit() {
                tips.push(commit);
            }
        }
        if let Ok(head) = self.git.head()
            && let Ok(commit) = head.peel_to_commit()
        {
            tips.push(commit);
        }
        for commit in tips {
            let Ok(entry) = commit.tree()?.get_path(Path::new(REPORTS_DIR)) else {
                continue;
            };
            if !seen_trees.insert(entry.id()) {
                continue;
            }
            let Ok(tree) = self.git.find_tree(entry.id()) else {
                continue;
            };
            for e in tree.iter() {
                let Ok(name) = e.name() else { continue };
                if let Some(id) = ReportId::from_file_name(name) {
                    ids.push(id);
                } else if crate::layout::is_shard_name(name)
                    && let Ok(shard) = self.git.find_tree(e.id())
                {
                    ids.extend(shard.iter().filter_map(|e| e.name().ok().and_then(ReportId::from_file_name)));
                }
            }
        }
        Ok(ids)
    }

    /// The first remote-tracking branch (`refs/remotes/…`, by name) whose history contains
    /// `commit`: the commit is on a shared remote as far as this clone knows (as of its last
    /// fetch).
    pub fn remote_branch_containing(&self, commit: CommitId) -> Result<Option<String>> {
        let mut names = Vec::new();
        for reference in self.git.references_glob("refs/remotes/*")? {
            let reference = reference?;
            // `origin/HEAD` points at another remote branch, which is checked itself.
            if reference.kind() == Some(git2::ReferenceType::Symbolic) {
                continue;
            }
            let (Ok(name), Ok(tip)) = (reference.name().map(str::to_owned), reference.peel_to_commit()) else {
                continue;
            };
            if tip.id() == commit.0 || self.git.graph_descendant_of(tip.id(), commit.0)? {
                names.push(name.trim_start_matches("refs/remotes/").to_owned());
            }
        }
        names.sort();
        Ok(names.into_iter().next())
    }

    /// True when tracked files have staged or unstaged modifications.
    pub fn has_uncommitted_changes(&self) -> Result<bool> {
        let mut opts = StatusOptions::new();
        opts.include_untracked(false).include_ignored(false);
        Ok(!self.git.statuses(Some(&mut opts))?.is_empty())
    }

    /// Paths under `pathspecs` (relative, `/`-separated) that differ from HEAD: staged,
    /// unstaged or untracked (ignored files excepted), sorted.
    pub fn uncommitted_under(&self, pathspecs: &[&str]) -> Result<Vec<String>> {
        let mut opts = StatusOptions::new();
        opts.include_untracked(true).recurse_untracked_dirs(true).include_ignored(false);
        for spec in pathspecs {
            opts.pathspec(spec);
        }
        let statuses = self.git.statuses(Some(&mut opts))?;
        let mut paths: Vec<String> = statuses.iter().filter_map(|e| e.path().ok().map(str::to_owned)).collect();
        paths.sort();
        Ok(paths)
    }

    /// Ids (file stems) of tracked report files that differ from HEAD, staged or not.
    pub fn modified_reports(&self) -> Result<HashSet<String>> {
        let mut opts = StatusOptions::new();
        opts.pathspec(REPORTS_DIR).include_untracked(false);
        let statuses = self.git.statuses(Some(&mut opts))?;
        Ok(statuses
            .iter()
            .filter(|e| e.status().intersects(git2::Status::WT_MODIFIED | git2::Status::INDEX_MODIFIED))
            .filter_map(|e| Path::new(e.path().ok()?).file_stem()?.to_str().map(str::to_owned))
            .collect())
    }

    /// A path-valued git configuration setting (`core.hooksPath`), as git reads it.
    pub fn config_path(&self, key: &str) -> Option<PathBuf> {
        self.git.config().ok().and_then(|c| c.get_path(key).ok())
    }

    /// The git directory (`.git`).
    pub fn git_dir(&self) -> &Path {
        self.git.path()
    }

    /// Why the tool must not write a file of its own output to `path`: it is inside the git
    /// directory (or a linked worktree's common directory), or it is a file of the work tree
    /// that git tracks (modified or not). `None` when neither.
    pub fn output_clash(&self, path: &Path) -> Option<String> {
        let canon = |p: &Path| fs::canonicalize(p).unwrap_or_else(|_| p.to_owned());
        // The deepest existing ancestor, canonical, plus the rest (the file may not exist yet).
        let mut existing = path.to_owned();
        let mut rest = Vec::new();
        while !existing.exists() && existing.symlink_metadata().is_err() {
            let Some(name) = existing.file_name().map(ToOwned::to_owned) else { break };
            rest.push(name);
            if !existing.pop() {
                break;
            }
        }
        let mut full = canon(&existing);
        full.extend(rest.iter().rev());
        for dir in [self.git.path(), self.git.commondir()] {
            if full.starts_with(canon(dir)) {
                return Some(format!("{} is inside the git directory {}", path.display(), dir.display()));
            }
        }
        let rel = full.strip_prefix(canon(self.root())).ok().filter(|r| !r.as_os_str().is_empty())?;
        let tracked = self.git.index().ok().is_some_and(|i| i.get_path(rel, 0).is_some())
            || self.git.status_file(rel).is_ok_and(|s| !s.is_wt_new() && !s.is_ignored() && !s.is_empty());
        tracked.then(|| format!("{} is a file of the repository that git tracks", rel.display()))
    }

    /// Takes the repository's [`WriteLock`], waiting up to 20 s for another command, then
    /// finishes what an interrupted run left ([`Repo::recover`]).
    pub fn lock_for_writing(&self) -> Result<WriteLock> {
        let path = self.git.commondir().join(LOCK_FILE);
        let file = fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(Error::io(format!("cannot open {}", path.display())))?;
        let deadline = std::time::Instant::now() + LOCK_WAIT;
        loop {
            match file.try_lock() {
                Ok(()) => {
                    let notes = self.recover();
                    return Ok(WriteLock { _file: file, notes });
                }
                Err(fs::TryLockError::WouldBlock) if std::time::Instant::now() < deadline => {
                    std::thread::sleep(std::time::Duration::from_millis(25));
                }
                Err(fs::TryLockError::WouldBlock) => {
                    return Err(Error::usage(
                        "another enigm-disclose command has been changing this repository for 20 s",
                        format!("wait for it to finish and try again (it holds a lock on {})", path.display()),
                    ));
                }
                Err(fs::TryLockError::Error(e)) => {
                    return Err(Error::io(format!("cannot lock {}", path.display()))(e));
                }
            }
        }
    }
}

/// The components of a repository-relative path, as a tree names them; a path that cannot be
/// one (empty, absolute, `..`) is refused.
fn tree_path(path: &Path) -> Result<Vec<String>> {
    let parts: Option<Vec<String>> = path
        .components()
        .map(|c| match c {
            std::path::Component::Normal(name) => name.to_str().map(str::to_owned),
            _ => None,
        })
        .collect();
    parts.filter(|p| !p.is_empty()).ok_or_else(|| Error::Git {
        message: format!("{} cannot be committed: not a plain relative path", path.display()),
        help: None,
    })
}

/// A file edit of [`edit_tree`]: its path's components, and its new blob (`None`: removed).
type TreeEdit = (Vec<String>, Option<Oid>);

/// `base` with `edits` applied; `None` when nothing is left in it (git keeps no empty
/// directory). Only the directories on the edited paths are rebuilt, each written out from its
/// existing entries in their order with the edited ones merged in (a directory of 100,000
/// reports is one pass over its parsed entries: no tree builder to fill, hash, sort and free,
/// which cost a quarter of `new` at that size: issue 22), and never looks at the other
/// entries' objects (which building the tree from an index does, as
/// `git2::opts::strict_object_creation` checks that each exists). Every entry it inserts is
/// checked: a blob just written, or a tree just built.
fn edit_tree(git: &Repository, base: Option<&git2::Tree<'_>>, edits: Vec<TreeEdit>) -> Result<Option<Oid>> {
    let mut below: std::collections::BTreeMap<String, Vec<TreeEdit>> = std::collections::BTreeMap::new();
    // The new entry (blob or tree, with its mode) of each name edited here; `None`: removed.
    let mut here: std::collections::BTreeMap<String, Option<(Oid, u32)>> = std::collections::BTreeMap::new();
    for (mut parts, blob) in edits {
        let name = parts.remove(0);
        if parts.is_empty() {
            // A file the tool writes is a regular, non-executable file (as its index entries).
            here.insert(name, blob.map(|oid| (oid, 0o100_644)));
        } else {
            below.entry(name).or_default().push((parts, blob));
        }
    }
    for (name, edits) in below {
        // Edits apply in path order, so one of the name itself (`a`) comes before those below it
        // (`a/x`): the directory it replaced or removed is gone, and what is below starts empty.
        let sub = match base.and_then(|b| b.get_name(&name)) {
            Some(e) if e.kind() == Some(git2::ObjectType::Tree) && !here.contains_key(&name) => {
                Some(git.find_tree(e.id())?)
            }
            _ => None,
        };
        match edit_tree(git, sub.as_ref(), edits)? {
            Some(oid) => {
                here.insert(name, Some((oid, 0o040_000)));
            }
            // Nothing left of the directory; a file of that name is not under it, and stays.
            None if sub.is_some() => {
                here.insert(name, None);
            }
            None => {}
        }
    }
    if !here.keys().all(|n| plain_name(n)) {
        return build_tree(git, base, here);
    }
    // The new entries in git's order, merged into the base's (which are in that order).
    let mut added: Vec<(&str, Oid, u32)> =
        here.iter().filter_map(|(n, e)| e.map(|(oid, mode)| (n.as_str(), oid, mode))).collect();
    added.sort_by(|a, b| git_order(a.0.as_bytes(), a.2, b.0.as_bytes(), b.2));
    let mut added = added.into_iter().peekable();
    let mut out = Vec::new();
    let push = |out: &mut Vec<u8>, name: &[u8], oid: Oid, mode: u32| {
        out.extend_from_slice(format!("{mode:o} ").as_bytes());
        out.extend_from_slice(name);
        out.push(0);
        out.extend_from_slice(oid.as_bytes());
    };
    for entry in base.into_iter().flat_map(git2::Tree::iter) {
        let (name, mode) = (entry.name_bytes(), entry.filemode_raw() as u32);
        while let Some(&(n, oid, m)) = added.peek().filter(|a| git_order(a.0.as_bytes(), a.2, name, mode).is_lt()) {
            push(&mut out, n.as_bytes(), oid, m);
            added.next();
        }
        if std::str::from_utf8(name).is_ok_and(|n| here.contains_key(n)) {
            continue;
        }
        push(&mut out, name, entry.id(), mode);
    }
    for (n, oid, m) in added {
        push(&mut out, n.as_bytes(), oid, m);
    }
    Ok(if out.is_empty() { None } else { Some(git.odb()?.write(git2::ObjectType::Tree, &out)?) })
}

/// A name every git accepts as a tree entry without question: ASCII letters, digits, `-`, `_`
/// and `.`, not starting with a dot (report files, shards, `reports`). Any other is written by
/// git's tree builder, which checks it.
fn plain_name(name: &str) -> bool {
    !name.is_empty()
        && !name.starts_with('.')
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}

/// git's order of tree entries: by name bytes, a directory compared as if its name ended in `/`.
fn git_order(a: &[u8], a_mode: u32, b: &[u8], b_mode: u32) -> std::cmp::Ordering {
    let end = |mode: u32| if mode & 0o170_000 == 0o040_000 { b'/' } else { 0 };
    let n = a.len().min(b.len());
    a[..n].cmp(&b[..n]).then_with(|| {
        let x = a.get(n).copied().unwrap_or(end(a_mode));
        let y = b.get(n).copied().unwrap_or(end(b_mode));
        x.cmp(&y)
    })
}

/// `base` with the entries of `here` set (or removed, `None`) by git's tree builder, which
/// checks each name: for the names [`plain_name`] does not vouch for.
fn build_tree(
    git: &Repository,
    base: Option<&git2::Tree<'_>>,
    here: std::collections::BTreeMap<String, Option<(Oid, u32)>>,
) -> Result<Option<Oid>> {
    let mut builder = git.treebuilder(base)?;
    for (name, entry) in here {
        match entry {
            Some((oid, mode)) => {
                builder.insert(&name, oid, mode as i32)?;
            }
            None if builder.get(&name)?.is_some() => builder.remove(&name)?,
            None => {}
        }
    }
    Ok(if builder.is_empty() { None } else { Some(builder.write()?) })
}

/// An identity setting as git reads it: the environment variable when set and not empty,
/// else the configuration key; blank values count as unset.
fn git_setting(config: &git2::Config, env: &str, key: &str) -> Option<String> {
    std::env::var(env)
        .ok()
        .filter(|v| !v.is_empty())
        .or_else(|| config.get_string(key).ok())
        .filter(|v| !v.trim().is_empty())
}

/// An index that cannot be read; the split and sparse index formats are the usual reason.
fn index_unreadable(path: &Path, what: &str, e: &git2::Error) -> Error {
    let help = e.message().contains("extension").then(|| {
        "the index is in a format the tool cannot read (a split or sparse index): run `git config core.splitIndex false` and `git config index.sparse false`, then `git status` to rewrite it".to_owned()
    });
    Error::Git { message: format!("cannot read {} ({what}): {}", path.display(), e.message()), help }
}

/// True while a process with this id exists (Linux: `/proc`; elsewhere assumed alive, so
/// nothing of a running process is ever touched).
fn process_alive(pid: u32) -> bool {
    if cfg!(target_os = "linux") { Path::new("/proc").join(pid.to_string()).exists() } else { true }
}

fn same_dir(a: &Path, b: &Path) -> bool {
    match (fs::canonicalize(a), fs::canonicalize(b)) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}

fn signature((name, email, date): (Option<String>, Option<String>, Option<String>)) -> Result<Signature<'static>> {
    let (name, email) = (name.unwrap_or_default(), email.unwrap_or_default());
    let sig = match date.as_deref().map(parse_git_date) {
        Some(Some(time)) => Signature::new(&name, &email, &time)?,
        Some(None) => {
            return Err(Error::usage(
                format!("cannot read the date `{}` in GIT_AUTHOR_DATE/GIT_COMMITTER_DATE", date.unwrap_or_default()),
                "use `@<unix seconds> +0000`, ISO 8601 (2026-01-05 10:00:00 +0000) or RFC 3339 (2026-01-05T10:00:00Z)",
            ));
        }
        None => Signature::now(&name, &email)?,
    };
    Ok(sig)
}

/// Reads git's internal date format (`@1700000000 +0100` or `1700000000 +0100`), RFC 3339,
/// RFC 2822 and git's ISO 8601 forms.
fn parse_git_date(text: &str) -> Option<Time> {
    let text = text.trim();
    let raw = text.strip_prefix('@').unwrap_or(text);
    if let Some((secs, tz)) = raw.split_once(' ')
        && let (Ok(secs), Some(offset)) = (secs.parse::<i64>(), parse_tz(tz))
    {
        return Some(Time::new(secs, offset));
    }
    if let Ok(secs) = raw.parse::<i64>() {
        return Some(Time::new(secs, 0));
    }
    let dt = chrono::DateTime::parse_from_rfc3339(text)
        .or_else(|_| chrono::DateTime::parse_from_rfc2822(text))
        .ok()
        .or_else(|| parse_iso_date(text))?;
    Some(Time::new(dt.timestamp(), dt.offset().local_minus_utc() / 60))
}

/// git's ISO 8601 forms (`2026-01-05 10:00`, `2026-01-05T10:00:00`, `2026-01-05 10:00:00
/// +0200`): without a zone, the local one, as git takes it.
fn parse_iso_date(text: &str) -> Option<chrono::DateTime<chrono::FixedOffset>> {
    let (local, tz) = match text.rsplit_once(' ') {
        Some((rest, tz)) if parse_tz(tz).is_some() => (rest, parse_tz(tz)),
        _ => (text, None),
    };
    let naive = ["%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M"]
        .iter()
        .find_map(|f| chrono::NaiveDateTime::parse_from_str(local.trim(), f).ok())?;
    let offset = match tz {
        Some(minutes) => chrono::FixedOffset::east_opt(minutes * 60)?,
        None => *chrono::TimeZone::from_local_datetime(&chrono::Local, &naive).earliest()?.offset(),
    };
    naive.and_local_timezone(offset).single()
}

fn parse_tz(tz: &str) -> Option<i32> {
    let (sign, digits) = match tz.as_bytes().first()? {
        b'+' => (1, &tz[1..]),
        b'-' => (-1, &tz[1..]),
        _ => return None,
    };
    if digits.len() != 4 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let hours: i32 = digits[..2].parse().ok()?;
    let minutes: i32 = digits[2..].parse().ok()?;
    Some(sign * (hours * 60 + minutes))
}

#[cfg(unix)]
fn fill_stat(entry: &mut IndexEntry, meta: &fs::Metadata) {
    use std::os::unix::fs::MetadataExt;
    let t = |secs: i64, nanos: i64| IndexTime::new(i32::try_from(secs).unwrap_or(0), u32::try_from(nanos).unwrap_or(0));
    entry.ctime = t(meta.ctime(), meta.ctime_nsec());
    entry.mtime = t(meta.mtime(), meta.mtime_nsec());
    entry.dev = u32::try_from(meta.dev()).unwrap_or(0);
    entry.ino = u32::try_from(meta.ino() & u64::from(u32::MAX)).unwrap_or(0);
    entry.uid = meta.uid();
    entry.gid = meta.gid();
    entry.file_size = u32::try_from(meta.len()).unwrap_or(u32::MAX);
}

#[cfg(not(unix))]
fn fill_stat(entry: &mut IndexEntry, meta: &fs::Metadata) {
    entry.file_size = u32::try_from(meta.len()).unwrap_or(u32::MAX);
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    /// The tree an index of `files` writes (what `commit_paths` built before [`edit_tree`]).
    fn tree_of(git: &Repository, files: &[(&str, Oid)]) -> Oid {
        let mut index = Index::new().expect("index");
        for (path, oid) in files {
            let mut e = Repo { git: Repository::open(git.path()).expect("open"), root: PathBuf::new() }.entry(
                Path::new(path),
                *oid,
                1,
                false,
            );
            e.mode = 0o100_644;
            index.add(&e).expect("add");
        }
        index.write_tree_to(git).expect("tree")
    }

    #[test]
    fn editing_a_tree_gives_the_tree_an_index_of_the_result_writes() {
        let dir = tempfile::tempdir().expect("tmp");
        let git = Repository::init(dir.path()).expect("init");
        let blob = |s: &str| git.blob(s.as_bytes()).expect("blob");
        let (a, b, c, d) = (blob("a"), blob("b"), blob("c"), blob("d"));
        let before = [("enigm.yaml", a), ("reports/A.md", a), ("reports/B.md", b), ("reports/2026/C.md", c)];
        let base = git.find_tree(tree_of(&git, &before)).expect("base");
        let edit = |p: &str, o: Option<Oid>| (tree_path(Path::new(p)).expect("path"), o);
        let edits = vec![
            edit("reports/B.md", Some(d)),
            edit("reports/A.md", None),
            edit("reports/2026/C.md", None),
            edit("reports/2027/E.md", Some(c)),
            edit("reports/B/log.txt", Some(a)),
            // A name git's tree builder checks (the other directories are spliced).
            edit("reports/B/odd name.txt", Some(b)),
            edit("reports/2027/E-dir/x.md", Some(d)),
            edit("reports/2027/E.mdx", Some(a)),
            edit("missing/gone.md", None),
        ];
        let after = [
            ("enigm.yaml", a),
            ("reports/2027/E-dir/x.md", d),
            ("reports/2027/E.md", c),
            ("reports/2027/E.mdx", a),
            ("reports/B.md", d),
            ("reports/B/log.txt", a),
            ("reports/B/odd name.txt", b),
        ];
        assert_eq!(edit_tree(&git, Some(&base), edits).expect("edit"), Some(tree_of(&git, &after)));
        let all_gone = vec![
            edit("enigm.yaml", None),
            edit("reports/A.md", None),
            edit("reports/B.md", None),
            edit("reports/2026/C.md", None),
        ];
        assert_eq!(edit_tree(&git, Some(&base), all_gone).expect("edit"), None, "nothing left");
        assert!(tree_path(Path::new("../x")).is_err() && tree_path(Path::new("")).is_err());
    }

    fn list(m: &BTreeMap<String, Oid>) -> Vec<(&str, Oid)> {
        m.iter().map(|(p, o)| (p.as_str(), *o)).collect()
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(48))]
        /// Spliced trees are the trees git writes, whatever names sort around each other
        /// (`a`, `a.md`, `a-b`, the directory `a/`, and names the tree builder checks).
        #[test]
        fn a_spliced_tree_is_the_tree_git_writes(
            before in proptest::collection::btree_map("(r/)?(a|a\\.md|a-b|b|a/x|a-b/y|a\\.md/z|a b)", 0..3u8, 0..8),
            edits in proptest::collection::btree_map("(r/)?(a|a\\.md|a-b|b|a/x|a-b/y|a\\.md/z|a b|c/d)", proptest::option::of(0..3u8), 1..5),
        ) {
            let dir = tempfile::tempdir().expect("tmp");
            let git = Repository::init(dir.path()).expect("init");
            let blobs: Vec<Oid> = (0..3).map(|i| git.blob(format!("{i}").as_bytes()).expect("blob")).collect();
            // A path is a file or a directory, never both: keep the first of each clash.
            let consistent = |files: &BTreeMap<String, Oid>| {
                files.keys().all(|p| !files.keys().any(|q| q.starts_with(&format!("{p}/"))))
            };
            let base_files: BTreeMap<String, Oid> = before.iter().map(|(p, b)| (p.clone(), blobs[*b as usize])).collect();
            proptest::prop_assume!(consistent(&base_files));
            // As edits are applied by name: a file or a directory of that name goes, and a
            // file on the way to a written path gives way to its directory.
            let mut after = base_files.clone();
            for (p, b) in &edits {
                after.retain(|q, _| q != p && !q.starts_with(&format!("{p}/")));
                if let Some(b) = b {
                    after.retain(|q, _| !p.starts_with(&format!("{q}/")));
                    after.insert(p.clone(), blobs[*b as usize]);
                }
            }
            proptest::prop_assume!(consistent(&after));
            let base = git.find_tree(tree_of(&git, &list(&base_files))).expect("base");
            let edit_list = edits
                .iter()
                .map(|(p, b)| (tree_path(Path::new(p)).expect("path"), b.map(|b| blobs[b as usize])))
                .collect();
            let want = (!after.is_empty()).then(|| tree_of(&git, &list(&after)));
            proptest::prop_assert_eq!(edit_tree(&git, Some(&base), edit_list).expect("edit"), want);
        }
    }

    #[test]
    fn reads_git_dates() {
        let t = parse_git_date("@1700000000 +0130").expect("internal");
        assert_eq!((t.seconds(), t.offset_minutes()), (1_700_000_000, 90));
        let t = parse_git_date("2026-01-05T10:00:00-02:00").expect("rfc3339");
        assert_eq!(t.offset_minutes(), -120);
        let t = parse_git_date("2026-01-05 10:00:00 +0200").expect("iso with zone");
        assert_eq!((t.seconds(), t.offset_minutes()), (1_767_600_000, 120));
        let t = parse_git_date("2026-01-05T10:00:00 +0000").expect("iso with T");
        assert_eq!(t.seconds(), 1_767_607_200);
        assert!(parse_git_date("2026-01-05 10:00").is_some(), "iso, local zone");
        assert!(parse_git_date("yesterday").is_none());
        assert!(parse_git_date("2026-13-05 10:00").is_none());
    }
}
