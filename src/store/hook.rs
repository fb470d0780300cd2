//! The git pre-commit hook: `validate --staged` before every commit.
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

/// Where git looks for the pre-commit hook of `repo`.
pub fn hook_path(repo: &Repo) -> PathBuf {
    let hooks = repo
        .config_path("core.hooksPath")
        .map(|p| if p.is_absolute() { p } else { repo.root().join(p) })
        .unwrap_or_else(|| repo.git_dir().join("hooks"));
    hooks.join("pre-commit")
}

/// Whether the hook at `path` was written by this tool.
fn is_ours(path: &Path) -> bool {
    fs::read_to_string(path).is_ok_and(|t| t.lines().take(3).any(|l| l == MARKER))
}

/// Installs `script` (which must carry [`MARKER`] in its first lines) as the hook. An existing
/// hook that is not ours is refused unless `force`.
pub fn install(repo: &Repo, script: &str, force: bool) -> Result<PathBuf> {
    let path = hook_path(repo);
    if path.exists() && !is_ours(&path) && !force {
        return Err(Error::usage(
            format!("{} exists and was not written by enigm-disclose", path.display()),
            "replace it with {force}, or run the check from your own hook",
        ));
    }
    if let Some(dir) = path.parent() {
        fs::create_dir_all(dir).map_err(Error::io(format!("cannot create {}", dir.display())))?;
    }
    crate::store::files::write_atomic(&path, script.as_bytes())
        .map_err(Error::io(format!("cannot write {}", path.display())))?;
    make_executable(&path)?;
    Ok(path)
}

/// Removes the hook if it is ours; a foreign hook is left alone (error).
pub fn uninstall(repo: &Repo) -> Result<Option<PathBuf>> {
    let path = hook_path(repo);
    if !path.exists() {
        return Ok(None);
    }
    if !is_ours(&path) {
        return Err(Error::usage(
            format!("{} was not written by enigm-disclose; left alone", path.display()),
            "remove it yourself if you no longer want it",
        ));
    }
    fs::remove_file(&path).map_err(Error::io(format!("cannot remove {}", path.display())))?;
    Ok(Some(path))
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
