//! The git pre-commit hook (and its twin for merge commits): `validate --staged` before every
//! commit.
//!
//! The hook is a small shell script marked as ours, so `install` never overwrites a hook it
//! did not write (unless forced) and `uninstall` removes only its own. The script itself (the
//! command line it runs) is the CLI's to write; this module puts it where git looks for it
//! (`core.hooksPath` is honoured) and makes it executable.

use std::fs;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::store::repo::Repo;

/// The line that marks a hook as written by this tool.
pub const MARKER: &str = "# enigm-disclose:managed-hook";

/// The hooks installed, all running the same script: git runs `pre-commit` before a commit
/// made from the index (`git commit` in all its forms), and `pre-merge-commit` before the merge
/// commit `git merge` makes by itself, which `pre-commit` never sees.
pub const HOOKS: &[&str] = &["pre-commit", "pre-merge-commit"];

/// Where git looks for the hooks of `repo` (`core.hooksPath` is honoured).
fn hooks_dir(repo: &Repo) -> PathBuf {
    repo.config_path("core.hooksPath")
        .map(|p| if p.is_absolute() { p } else { repo.root().join(p) })
        .unwrap_or_else(|| repo.git_dir().join("hooks"))
}

/// Where git looks for the pre-commit hook of `repo`.
pub fn hook_path(repo: &Repo) -> PathBuf {
    hooks_dir(repo).join(HOOKS[0])
}

/// Whether the hook at `path` was written by this tool.
fn is_ours(path: &Path) -> bool {
    fs::read_to_string(path).is_ok_and(|t| t.lines().take(3).any(|l| l == MARKER))
}

/// Installs `script` (which must carry [`MARKER`] in its first lines) as each of [`HOOKS`].
/// An existing hook that is not ours is refused unless `force` (and then nothing is written).
/// Returns the pre-commit hook's path.
pub fn install(repo: &Repo, script: &str, force: bool) -> Result<PathBuf> {
    let dir = hooks_dir(repo);
    let paths: Vec<PathBuf> = HOOKS.iter().map(|h| dir.join(h)).collect();
    if let Some(foreign) = paths.iter().find(|p| p.exists() && !is_ours(p))
        && !force
    {
        return Err(Error::usage(
            format!("{} exists and was not written by enigm-disclose", foreign.display()),
            "replace it with {force}, or run the check from your own hook",
        ));
    }
    fs::create_dir_all(&dir).map_err(Error::io(format!("cannot create {}", dir.display())))?;
    for path in &paths {
        crate::store::files::write_atomic(path, script.as_bytes())
            .map_err(Error::io(format!("cannot write {}", path.display())))?;
        make_executable(path)?;
    }
    Ok(paths[0].clone())
}

/// Removes the hooks that are ours; a foreign pre-commit hook is left alone (error), a foreign
/// hook of another name is left alone silently. Returns the pre-commit hook's path if it was
/// removed.
pub fn uninstall(repo: &Repo) -> Result<Option<PathBuf>> {
    let dir = hooks_dir(repo);
    let main = dir.join(HOOKS[0]);
    if main.exists() && !is_ours(&main) {
        return Err(Error::usage(
            format!("{} was not written by enigm-disclose; left alone", main.display()),
            "remove it yourself if you no longer want it",
        ));
    }
    let mut removed = None;
    for path in HOOKS.iter().map(|h| dir.join(h)) {
        if path.exists() && is_ours(&path) {
            fs::remove_file(&path).map_err(Error::io(format!("cannot remove {}", path.display())))?;
            removed.get_or_insert(path);
        }
    }
    Ok(removed.filter(|p| *p == main))
}

#[cfg(unix)]
fn make_executable(path: &Path) -> Result<()> {
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(path, fs::Permissions::from_mode(0o755))
        .map_err(Error::io(format!("cannot make {} executable", path.display())))
}

#[cfg(not(unix))]
fn make_executable(_path: &Path) -> Result<()> {
    Ok(())
}
