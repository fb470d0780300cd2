//! `migrate`: moving a flat repository to the sharded layout in one commit.
//!
//! A repository that grows past a few thousand reports rewrites one large tree object with
//! every commit while `reports/` is flat. `migrate` moves each report file `reports/<ID>.md`
//! to its year shard `reports/<YEAR>/<ID>.md`, its folder `reports/<ID>/` beside it, and sets
//! `layout: sharded` in `enigm.yaml`, so new reports go there too. Every file keeps its bytes:
//! the commit is pure renames, which git's rename detection pairs (so `git log` follows them), and
//! `verify`, `history` and the CSAF revision history read as the same reports in their new
//! place ([`crate::store::history`]). It is one commit made like every other commit of the
//! tool (the repository's hooks, signing as configured, under the write lock the caller
//! holds); a failed commit moves every file back. It refuses while anything under
//! `reports/` or `enigm.yaml` is uncommitted, so the commit holds only the move; a
//! repository already sharded has nothing to do.

use std::fs;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::format::config::Config;
use crate::layout::{CONFIG_FILE, Layout, REPORTS_DIR, folder_beside, report_id_of, shard};
use crate::store::repo::{Change, CommitId, Identity, Repo};

/// What `migrate` moves: each report's file and the files of its folder, old → new path
/// (relative to the root), and the new `enigm.yaml` text when it must change.
#[derive(Debug, Clone, Default)]
pub struct Plan {
    /// Report files, old → new, sorted by old path.
    pub reports: Vec<(PathBuf, PathBuf)>,
    /// Files of report folders (messages, attachments), old → new.
    pub folder_files: Vec<(PathBuf, PathBuf)>,
    /// `enigm.yaml` with `layout: sharded`, when it does not say so yet.
    pub config: Option<String>,
}

impl Plan {
    /// Nothing to move and nothing to set: the repository is sharded already.
    pub fn is_empty(&self) -> bool {
        self.reports.is_empty() && self.folder_files.is_empty() && self.config.is_none()
    }

    fn moves(&self) -> impl Iterator<Item = &(PathBuf, PathBuf)> {
        self.reports.iter().chain(&self.folder_files)
    }
}

/// What `migrate` did.
#[derive(Debug)]
pub struct Migrated {
    pub plan: Plan,
    /// `None` when there was nothing to do.
    pub commit: Option<CommitId>,
}

/// Plans the move without touching anything; refuses while reports or `enigm.yaml` have
/// uncommitted changes, or when a report's shard already holds a file of the same name.
pub fn plan(repo: &Repo, config: &Config) -> Result<Plan> {
    let dirty = repo.uncommitted_under(&[REPORTS_DIR, CONFIG_FILE])?;
    if !dirty.is_empty() {
        let shown: String = dirty.iter().take(10).map(|p| format!("\n  {p}")).collect();
        let more = if dirty.len() > 10 { format!("\n  … and {} more", dirty.len() - 10) } else { String::new() };
        return Err(Error::usage(
            format!("refusing to migrate: reports or {CONFIG_FILE} have uncommitted changes:{shown}{more}"),
            "commit or stash them first (`git status`): the migration commit holds only the move",
        ));
    }
    let root = repo.root();
    let mut folders = std::collections::HashMap::new();
    crate::store::scan::report_folders(root, &mut folders)?;
    let mut plan = Plan::default();
    for old in crate::store::scan::report_paths(root)? {
        let Some(id) = report_id_of(&old).filter(|_| old.parent() == Some(Path::new(REPORTS_DIR))) else {
            continue;
        };
        // An id without a year (`validate` names it) has no shard: it stays where it is.
        if shard(id).is_none() {
            continue;
        }
        let new = Layout::Sharded.report_path(id);
        refuse_if_taken(root, &old, &new)?;
        for name in folders.get(&old).into_iter().flatten() {
            let (from, to) = (folder_beside(&old).join(name), folder_beside(&new).join(name));
            refuse_if_taken(root, &from, &to)?;
            plan.folder_files.push((from, to));
        }
        plan.reports.push((old, new));
    }
    if config.layout != Layout::Sharded {
        let text = crate::format::config::read_text(root)?;
        let set = crate::format::config::set_layout(&text, Layout::Sharded).ok_or_else(|| {
            Error::usage(
                format!("cannot set `layout: sharded` in {CONFIG_FILE} while keeping the rest of it"),
                "add the line `layout: sharded` to enigm.yaml by hand, commit it, and run migrate again",
            )
        })?;
        plan.config = Some(set);
    }
    Ok(plan)
}

fn refuse_if_taken(root: &Path, from: &Path, to: &Path) -> Result<()> {
    for rel in [from, to] {
        crate::layout::no_links(root, rel).map_err(Error::io(format!("cannot move {}", from.display())))?;
    }
    if fs::symlink_metadata(root.join(to)).is_ok() {
        return Err(Error::usage(
            format!("cannot move {} to {}: that file exists already", from.display(), to.display()),
            "a report is in both layouts' places (`validate` says `report-misplaced`): keep one, commit, and run migrate again",
        ));
    }
    Ok(())
}

/// Carries out `plan` (from [`plan`]) and commits it as one commit. The caller holds the
/// write lock.
pub fn migrate(repo: &Repo, plan: Plan, identity: &Identity) -> Result<Migrated> {
    if plan.is_empty() {
        return Ok(Migrated { plan, commit: None });
    }
    repo.check_can_commit()?;
    let root = repo.root();
    let mut changes = Vec::with_capacity(plan.reports.len() * 2 + 1);
    for (from, to) in plan.moves() {
        let bytes = fs::read(root.join(from)).map_err(Error::io(format!("cannot read {}", from.display())))?;
        changes.push(Change::Write { path: to.clone(), content: bytes });
        changes.push(Change::Remove { path: from.clone() });
    }
    let old_config = match &plan.config {
        Some(text) => {
            changes.push(Change::Write { path: PathBuf::from(CONFIG_FILE), content: text.clone().into_bytes() });
            Some(fs::read(root.join(CONFIG_FILE)).map_err(Error::io(format!("cannot read {CONFIG_FILE}")))?)
        }
        None => None,
    };
    // Recorded before the first move: a run killed part-way is put back by the next one.
    let pending = repo.begin(&changes)?;
    let moved = match move_files(root, &plan) {
        Ok(()) => plan.moves().cloned().collect::<Vec<_>>(),
        Err((done, e)) => {
            move_back(root, &done);
            pending.done();
            return Err(e);
        }
    };
    let result = plan
        .config
        .as_ref()
        .map_or(Ok(()), |text| {
            crate::store::files::write_atomic(&root.join(CONFIG_FILE), text.as_bytes())
                .map_err(Error::io(format!("cannot write {CONFIG_FILE}")))
        })
        .and_then(|()| repo.commit_paths(&changes, &message(&plan), identity));
    match result {
        Ok(commit) => {
            remove_empty_folders(root, &plan);
            pending.done();
            Ok(Migrated { plan, commit: Some(commit) })
        }
        Err(e) => {
            move_back(root, &moved);
            if let Some(bytes) = old_config {
                let _ = crate::store::files::write_atomic(&root.join(CONFIG_FILE), &bytes);
            }
            pending.done();
            Err(e)
        }
    }
}

/// Renames every planned file (making the shard and folder directories); on a failure,
/// the moves made so far and the error.
fn move_files(root: &Path, plan: &Plan) -> std::result::Result<(), (Vec<(PathBuf, PathBuf)>, Error)> {
    let mut done = Vec::new();
    for (from, to) in plan.moves() {
        let step = || -> std::io::Result<()> {
            if let Some(dir) = root.join(to).parent() {
                fs::create_dir_all(dir)?;
            }
            fs::rename(root.join(from), root.join(to))
        };
        if let Err(e) = step() {
            return Err((done, Error::io(format!("cannot move {} to {}", from.display(), to.display()))(e)));
        }
        done.push((from.clone(), to.clone()));
    }
    Ok(())
}

/// Puts moved files back (best effort: what cannot be put back now, the next run puts back
/// from the pending record).
fn move_back(root: &Path, moved: &[(PathBuf, PathBuf)]) {
    for (from, to) in moved.iter().rev() {
        if let Some(dir) = root.join(from).parent() {
            let _ = fs::create_dir_all(dir);
        }
        let _ = fs::rename(root.join(to), root.join(from));
    }
}

/// Removes the old folders left empty by the move (a folder still holding a file stays).
fn remove_empty_folders(root: &Path, plan: &Plan) {
    for (from, _) in &plan.folder_files {
        let folder = root.join(REPORTS_DIR);
        let mut dir = root.join(from);
        while dir.pop() && dir != folder && fs::remove_dir(&dir).is_ok() {}
    }
}

fn message(plan: &Plan) -> String {
    let n = plan.reports.len();
    let files = if plan.folder_files.is_empty() {
        String::new()
    } else {
        format!(
            " with {} file{} of their folders",
            plan.folder_files.len(),
            if plan.folder_files.len() == 1 { "" } else { "s" }
        )
    };
    format!(
        "migrate: {n} report{} moved to the sharded layout\n\nEvery report file reports/<ID>.md moved to reports/<YEAR>/<ID>.md{files}, \
         byte for byte, and enigm.yaml says `layout: sharded`. Pure renames: git's rename detection \
         and `enigm-disclose history` follow each report across this commit.\n",
        if n == 1 { "" } else { "s" }
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_message_counts_what_moved() {
        let one = Plan {
            reports: vec![(PathBuf::from("reports/A-2026-0001.md"), PathBuf::from("reports/2026/A-2026-0001.md"))],
            ..Plan::default()
        };
        assert!(message(&one).starts_with("migrate: 1 report moved to the sharded layout\n"));
        assert!(!one.is_empty());
        assert!(Plan::default().is_empty());
    }
}
