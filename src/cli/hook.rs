//! `enigm-disclose hook install|uninstall`: the git pre-commit hook.

use std::path::Path;
use std::process::ExitCode;

use clap::{Args, Subcommand};
use enigm_disclose::Error;
use enigm_disclose::store::hook::{MARKER, install, uninstall};

use super::Context;
use super::output::print;

/// Install or remove the git pre-commit hook that runs `validate --staged`.
///
/// At each commit the hook finds the binary at run time: `git config enigm.path`, else the
/// path it was installed from (while still executable), else `enigm-disclose` on PATH. When
/// none works it refuses the commit and names the fixes.
#[derive(Debug, Args)]
#[command(after_help = "Examples:\n  enigm-disclose hook install\n  enigm-disclose hook uninstall")]
pub struct HookArgs {
    #[command(subcommand)]
    action: HookAction,
}

#[derive(Debug, Subcommand)]
enum HookAction {
    /// Write .git/hooks/pre-commit and pre-merge-commit (refuses to replace a hook it did not write).
    Install {
        /// Replace an existing hook that enigm-disclose did not write.
        #[arg(long)]
        force: bool,
    },
    /// Remove the hook, only if enigm-disclose wrote it.
    Uninstall,
}

pub fn run(ctx: &Context, args: HookArgs) -> Result<ExitCode, Error> {
    let (repo, _) = ctx.open()?;
    match args.action {
        HookAction::Install { force } => {
            let exe = std::env::current_exe().map_err(Error::io("cannot find the running binary"))?;
            let path = install(&repo, &script(&exe), force).map_err(foreign_hook_hint)?;
            print(&format!(
                "Installed {} (and pre-merge-commit): every commit, merge commits included, runs `enigm-disclose validate --staged`.\n",
                path.display()
            ))?;
        }
        HookAction::Uninstall => match uninstall(&repo)? {
            Some(path) => print(&format!("Removed {}.\n", path.display()))?,
            None => print("No pre-commit hook installed.\n")?,
        },
    }
    Ok(ExitCode::SUCCESS)
}

/// The hook script. At run time it finds the binary as `git config enigm.path` names it, else
/// at `exe` (where it was installed from) if that is still executable, else `enigm-disclose` on
/// `PATH`. When none works it says what is wrong and how to fix it, and exits 1 (the commit
/// is refused, never let through unchecked).
pub fn script(exe: &Path) -> String {
    let exe = exe.to_string_lossy().replace('\'', "'\\''");
    format!(
        r#"#!/bin/sh
{MARKER}
# Checks what is about to be committed. Installed by `enigm-disclose hook install`;
# remove with `enigm-disclose hook uninstall`. Bypass once with `git commit --no-verify`.
INSTALLED='{exe}'
ENIGM=$(git config --path --get enigm.path)
if [ -n "$ENIGM" ] && [ ! -x "$ENIGM" ]; then
  echo "enigm-disclose pre-commit hook: git config enigm.path is '$ENIGM', which is not an executable file; ignoring it." >&2
  ENIGM=
fi
if [ -z "$ENIGM" ] && [ -x "$INSTALLED" ]; then
  ENIGM=$INSTALLED
fi
if [ -z "$ENIGM" ] && command -v enigm-disclose >/dev/null 2>&1; then
  ENIGM=enigm-disclose
fi
if [ -z "$ENIGM" ]; then
  cat >&2 <<EOF
enigm-disclose pre-commit hook: cannot find the enigm-disclose binary, so this commit cannot be checked and is refused.
  The hook was installed from $INSTALLED, which is no longer an executable file,
  git config enigm.path is not set to one, and there is no enigm-disclose on PATH.
Fix it in one of these ways:
  - put enigm-disclose on PATH (for example: cargo install enigm-disclose);
  - tell the hook where it is: git config enigm.path /path/to/enigm-disclose
  - reinstall the hook with the binary you have: /path/to/enigm-disclose hook install
To skip the check for this one commit: git commit --no-verify
EOF
  exit 1
fi
"$ENIGM" validate --staged
status=$?
if [ "$status" -ge 126 ]; then
  echo "enigm-disclose pre-commit hook: $ENIGM could not be run (exit $status), so this commit is refused." >&2
  echo "  Install a working binary, point git config enigm.path at one, or reinstall the hook; git commit --no-verify skips the check once." >&2
fi
exit "$status"
"#
    )
}

/// An existing hook that is not ours: say how to replace it or chain the check.
fn foreign_hook_hint(e: Error) -> Error {
    match e {
        Error::Usage { message, .. } => Error::usage(
            message.0,
            "use --force to replace it, or chain the check yourself: add `enigm-disclose validate --staged || exit 1` to your hook",
        ),
        e => e,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_script_is_marked_and_quotes_the_path() {
        let s = script(Path::new("/opt/it's/enigm-disclose"));
        assert!(s.starts_with("#!/bin/sh\n# enigm-disclose:managed-hook\n"));
        assert!(s.contains("INSTALLED='/opt/it'\\''s/enigm-disclose'"), "{s}");
        assert!(s.contains("git commit --no-verify") && s.contains("git config enigm.path") && s.contains("exit 1"));
        assert!(s.contains("\n\"$ENIGM\" validate --staged\n") && s.ends_with("exit \"$status\"\n"));
    }
}
