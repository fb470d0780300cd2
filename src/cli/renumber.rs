//! `enigm-disclose renumber`: give the later of two colliding reports the next free id.

use std::process::ExitCode;

use clap::Args;
use enigm_disclose::Error;
use enigm_disclose::workflow::renumber::renumber;

use super::Context;
use super::output::print;

/// Resolve an id collision after a merge: the report added later gets the next free id.
///
/// Works on an add/add merge conflict on reports/<ID>.md (the result is staged for your merge
/// commit) and on two files claiming the same id (one commit). Published ids never change.
#[derive(Debug, Args)]
#[command(
    after_help = "Example:\n  git merge colleague-branch   # CONFLICT (add/add): reports/ENIGM-2026-0007.md\n  enigm-disclose renumber ENIGM-2026-0007\n  git commit                     # conclude the merge"
)]
pub struct RenumberArgs {
    /// The id both reports claim.
    #[arg(add = clap_complete::engine::ArgValueCompleter::new(super::complete::report_ids))]
    id: String,
    /// Do not commit (outside a merge).
    #[arg(long)]
    no_commit: bool,
    /// Do not run the repository's pre-commit and commit-msg hooks (as `git commit --no-verify`).
    #[arg(long)]
    no_verify: bool,
}

pub fn run(ctx: &Context, args: RenumberArgs) -> Result<ExitCode, Error> {
    let (repo, config) = ctx.open()?;
    let _lock = super::locked(&repo)?;
    let identity = if args.no_commit {
        None
    } else {
        let identity = repo.identity()?;
        Some(if args.no_verify { identity.without_hooks() } else { identity })
    };
    let done = renumber(&repo, &config, &args.id, identity.as_ref())?;
    let mut text = format!("Renumbered the later {} as {} ({})\n", done.old_id, done.new_id, done.path.display());
    for p in &done.updated_references {
        text.push_str(&format!("  updated duplicate_of in {}\n", p.display()));
    }
    match done.commit {
        Some(oid) => text.push_str(&format!("Committed as {}\n", oid.short())),
        None if identity.is_some() => {
            text.push_str("Conflict resolved and staged; run `git commit` to conclude the merge.\n")
        }
        None => text.push_str("Not committed (--no-commit).\n"),
    }
    print(&text)?;
    Ok(ExitCode::SUCCESS)
}
