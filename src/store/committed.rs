//! A repository's committed tree at one revision, read without touching the repository:
//! what `aggregate` reads of each of its members.
//!
//! A member is opened as it is (a work tree or a bare repository, never searched upwards), one
//! revision is resolved to its commit, and only objects are read: no index, no work tree, no
//! ref, no lock, so a member is never written and an uncommitted edit in it is never seen.
//! Report files are those [`crate::layout::report_id_of`] recognises, in either layout; a
//! link or a directory where a report file should be is handed back as its finding, as a
//! work tree's would be. [`Committed::export`] copies the tree into a directory of the
//! caller's (the combined site renders a member from it), regular files only.

use std::fs;
use std::path::{Path, PathBuf};

use git2::{ObjectType, Oid, Repository, RepositoryOpenFlags, TreeWalkMode, TreeWalkResult};

use crate::error::{Error, Result};
use crate::format::report::{MAX_REPORT_BYTES, Rejected, check_size, rejected_symlink};
use crate::layout::{REPORTS_DIR, report_id_of};

/// Git's file modes of a regular file (the only entries ever read as files).
const REGULAR: [i32; 2] = [0o100644, 0o100755];
/// Git's file mode of a symbolic link.
const LINK: i32 = 0o120000;

/// One member's tree at one commit.
pub struct Committed {
    git: Repository,
    tree: Oid,
    commit: Oid,
}

/// A report entry of the tree: its path and its bytes, or why it cannot be read.
pub type ReportBlob = (PathBuf, std::result::Result<Vec<u8>, Box<Rejected>>);

impl Committed {
    /// Opens the repository at `path` (exactly there: a work tree's root or a bare
    /// repository) and resolves `rev` to a commit.
    pub fn open(path: &Path, rev: &str) -> Result<Committed> {
        let flags = RepositoryOpenFlags::NO_SEARCH;
        let git = Repository::open_ext(path, flags, std::iter::empty::<&std::ffi::OsStr>()).map_err(|e| {
            Error::usage(
                format!("{} is not a git repository: {}", path.display(), e.message()),
                "name a clone's directory or a bare repository (clone or fetch a remote one first: docs/aggregate.md)",
            )
        })?;
        let found = git.revparse_single(rev).and_then(|o| o.peel_to_commit()).map(|c| (c.tree_id(), c.id()));
        let (tree, commit) = found.map_err(|e| {
            Error::usage(
                format!("cannot resolve `{rev}` in {}: {}", path.display(), e.message()),
                "name a commit, branch or tag the repository has (a fetched branch is `origin/main`)",
            )
        })?;
        Ok(Committed { git, tree, commit })
    }

    /// The full id of the commit read.
    pub fn commit_id(&self) -> String {
        self.commit.to_string()
    }

    /// The content of the regular file at `rel` (None when there is none).
    pub fn file(&self, rel: &Path) -> Result<Option<Vec<u8>>> {
        let tree = self.git.find_tree(self.tree)?;
        let Ok(entry) = tree.get_path(rel) else { return Ok(None) };
        if !REGULAR.contains(&entry.filemode()) {
            return Ok(None);
        }
        Ok(Some(crate::store::repo::read_blob(&self.git, entry.id())?))
    }

    /// Every report entry of `reports/` (flat and sharded), sorted by path.
    pub fn reports(&self) -> Result<Vec<ReportBlob>> {
        let tree = self.git.find_tree(self.tree)?;
        let Ok(dir) = tree.get_path(Path::new(REPORTS_DIR)) else { return Ok(Vec::new()) };
        if dir.kind() != Some(ObjectType::Tree) {
            return Ok(Vec::new());
        }
        let dir = self.git.find_tree(dir.id())?;
        let mut found = Vec::new();
        let mut failed = None;
        dir.walk(TreeWalkMode::PreOrder, |parent, entry| {
            let Ok(name) = entry.name() else { return TreeWalkResult::Skip };
            let rel = Path::new(REPORTS_DIR).join(parent).join(name);
            if report_id_of(&rel).is_none() {
                // Year folders are walked; report folders and anything else are not.
                let year = parent.is_empty() && name.len() == 4 && name.bytes().all(|b| b.is_ascii_digit());
                return if year && entry.kind() == Some(ObjectType::Tree) {
                    TreeWalkResult::Ok
                } else {
                    TreeWalkResult::Skip
                };
            }
            match self.report_blob(&rel, entry.filemode(), entry.id()) {
                Ok(read) => found.push((rel, read)),
                Err(e) => {
                    failed = Some(e);
                    return TreeWalkResult::Abort;
                }
            }
            TreeWalkResult::Skip
        })
        .or_else(|e| if failed.is_some() { Ok(()) } else { Err(e) })?;
        if let Some(e) = failed {
            return Err(e);
        }
        found.sort_by(|a, b| a.0.cmp(&b.0));
        Ok(found)
    }

    fn report_blob(&self, rel: &Path, mode: i32, oid: Oid) -> Result<std::result::Result<Vec<u8>, Box<Rejected>>> {
        if mode == LINK {
            return Ok(Err(rejected_symlink(rel)));
        }
        if !REGULAR.contains(&mode) {
            let finding = crate::format::finding::Finding::error(
                crate::format::finding::Code::NotAFile,
                rel,
                None,
                "not a regular file",
            )
            .with_help("reports are files named reports/<ID>.md");
            return Ok(Err(Box::new(Rejected { finding, text: None })));
        }
        let (size, _) = self.git.odb()?.read_header(oid)?;
        if let Err(r) = check_size(rel, size as u64) {
            return Ok(Err(r));
        }
        debug_assert!(size as u64 <= MAX_REPORT_BYTES);
        Ok(Ok(self.git.find_blob(oid)?.content().to_vec()))
    }

    /// Writes the tree's regular files into the empty directory `dir`, leaving out the
    /// entries under `reports/` that are not report files (correspondence folders): links,
    /// submodules and names that could leave the directory are skipped.
    pub fn export(&self, dir: &Path) -> Result<usize> {
        let tree = self.git.find_tree(self.tree)?;
        let mut files = Vec::new();
        tree.walk(TreeWalkMode::PreOrder, |parent, entry| {
            let Ok(name) = entry.name() else { return TreeWalkResult::Skip };
            if matches!(name, "" | "." | ".." | ".git") || name.contains(['/', '\\', '\0']) {
                return TreeWalkResult::Skip;
            }
            let rel = Path::new(parent).join(name);
            let under_reports = parent.starts_with(&format!("{REPORTS_DIR}/"));
            match entry.kind() {
                // Below `reports/`, only year folders hold report files (never report folders).
                Some(ObjectType::Tree) if under_reports => {
                    let year = parent.len() == REPORTS_DIR.len() + 1
                        && name.len() == 4
                        && name.bytes().all(|b| b.is_ascii_digit());
                    if year { TreeWalkResult::Ok } else { TreeWalkResult::Skip }
                }
                Some(ObjectType::Tree) => TreeWalkResult::Ok,
                Some(ObjectType::Blob) if REGULAR.contains(&entry.filemode()) => {
                    if !under_reports || report_id_of(&rel).is_some() {
                        files.push((rel, entry.id()));
                    }
                    TreeWalkResult::Ok
                }
                _ => TreeWalkResult::Skip,
            }
        })?;
        for (rel, oid) in &files {
            let path = dir.join(rel);
            if let Some(parent) = path.parent() {
                fs::create_dir_all(parent).map_err(Error::io(format!("cannot create {}", parent.display())))?;
            }
            let bytes = crate::store::repo::read_blob(&self.git, *oid)?;
            crate::store::files::create_new(&path, &bytes)
                .map_err(Error::io(format!("cannot write {}", path.display())))?;
        }
        Ok(files.len())
    }
}
