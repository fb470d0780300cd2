//! The git pre-commit hook: `validate --staged` before every commit.
//!
//! The hook is a small shell script marked as ours, so `install` never overwrites a hook it
//! did not write (unless forced) and `uninstall` removes only its own. It calls the binary
//! that installed it, falling back to `enigm-disclose` on `PATH`. `core.hooksPath` is honoured.

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

/// The hook script calling `exe`.
pub fn script(exe: &Path) -> String {
    let exe = exe.to_string_lossy().replace('\'', "'\\''");
    format!(
        "#!/bin/sh\n{MARKER}\n# Checks what is about to be committed. Installed by `enigm-disclose hook install`;\n\
         # remove with `enigm-disclose hook uninstall`. Bypass once with `git commit --no-verify`.\n\
         ENIGM='{exe}'\n[ -x \"$ENIGM\" ] || ENIGM=enigm-disclose\nexec \"$ENIGM\" validate --staged\n"
    )
}

/// Whether the hook at `path` was written by this tool.
fn is_ours(path: &Path) -> bool {
    fs::read_to_string(path).is_ok_and(|t| t.lines().take(3).any(|l| l == MARKER))
}

/// Installs the hook. An existing hook that is not ours is refused unless `force`.
pub fn install(repo: &Repo, exe: &Path, force: bool) -> Result<PathBuf> {
    let path = hook_path(repo);
    if path.exists() && !is_ours(&path) && !force {
        return Err(Error::usage(
            format!("{} exists and was not written by enigm-disclose", path.display()),
            "use --force to replace it, or chain the check yourself: add `enigm-disclose validate --staged || exit 1` to your hook",
        ));
    }
    if let Some(dir) = path.parent() {
        fs::create_dir_all(dir).map_err(Error::io(format!("cannot create {}", dir.display())))?;
    }
    crate::store::files::write_atomic(&path, script(exe).as_bytes())
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_script_is_marked_and_quotes_the_path() {
        let s = script(Path::new("/opt/it's/enigm-disclose"));
        assert!(s.starts_with("#!/bin/sh\n# enigm-disclose:managed-hook\n"));
        assert!(s.contains("ENIGM='/opt/it'\\''s/enigm-disclose'"));
        assert!(s.ends_with("exec \"$ENIGM\" validate --staged\n"));
    }
}
