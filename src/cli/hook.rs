//! `enigm-disclose hook install|uninstall`: the git pre-commit hook.

use std::process::ExitCode;

use clap::{Args, Subcommand};
use enigm_disclose::Error;
use enigm_disclose::store::hook::{install, uninstall};

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
            let path = install(&repo, &exe, force)?;
            print(&format!("Installed {}: every commit runs `enigm-disclose validate --staged`.\n", path.display()))?;
        }
        HookAction::Uninstall => match uninstall(&repo)? {
            Some(path) => print(&format!("Removed {}.\n", path.display()))?,
            None => print("No pre-commit hook installed.\n")?,
        },
    }
    Ok(ExitCode::SUCCESS)
}
