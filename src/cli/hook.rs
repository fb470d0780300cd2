//! `enigm-disclose hook install|uninstall`: the git pre-commit hook.

use std::path::Path;
use std::process::ExitCode;

use clap::{Args, Subcommand};
use enigm_disclose::Error;
use enigm_disclose::store::hook::{MARKER, install, uninstall};

use super::Context;
use super::output::print;

/// Install or remove the git pre-commit hook that runs `validate --staged`.
#[derive(Debug, Args)]
#[command(after_help = "Examples:\n  enigm-disclose hook install\n  enigm-disclose hook uninstall")]
pub struct HookArgs {
    #[command(subcommand)]
    action: HookAction,
}

#[derive(Debug, Subcommand)]
enum HookAction {
    /// Write .git/hooks/pre-commit (refuses to replace a hook it did not write).
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
            print(&format!("Installed {}: every commit runs `enigm-disclose validate --staged`.\n", path.display()))?;
        }
        HookAction::Uninstall => match uninstall(&repo)? {
            Some(path) => print(&format!("Removed {}.\n", path.display()))?,
            None => print("No pre-commit hook installed.\n")?,
        },
    }
    Ok(ExitCode::SUCCESS)
}

/// The hook script calling `exe`, falling back to `enigm-disclose` on `PATH`.
pub fn script(exe: &Path) -> String {
    let exe = exe.to_string_lossy().replace('\'', "'\\''");
    format!(
        "#!/bin/sh\n{MARKER}\n# Checks what is about to be committed. Installed by `enigm-disclose hook install`;\n\
         # remove with `enigm-disclose hook uninstall`. Bypass once with `git commit --no-verify`.\n\
         ENIGM='{exe}'\n[ -x \"$ENIGM\" ] || ENIGM=enigm-disclose\nexec \"$ENIGM\" validate --staged\n"
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
        assert!(s.contains("ENIGM='/opt/it'\\''s/enigm-disclose'"));
        assert!(s.ends_with("exec \"$ENIGM\" validate --staged\n"));
    }
}
