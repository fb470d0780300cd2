//! `enigm-disclose renumber`: give one of two colliding reports the next free id — the one
//! not on the shared remote, or the one `--keep` does not name.

use std::process::ExitCode;

use clap::Args;
use enigm_disclose::Error;
use enigm_disclose::workflow::renumber::{Keep, KeptBecause, renumber};

use super::Context;
use super::output::print;

/// Resolve an id collision after a merge: the report already on the remote keeps the id.
///
/// Works on an add/add merge conflict on reports/<ID>.md (the result is staged for your merge
/// commit) and on two files claiming the same id (one commit). The report whose filing commit
/// is on a remote-tracking branch (as of your last fetch) keeps the id, since others may know
/// it already; the other gets the next free id. When neither or both are on a remote, name
/// the one that keeps the id with --keep. Published ids never change.
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  git pull     # CONFLICT (add/add): reports/ENIGM-2026-0007.md\n  enigm-disclose renumber ENIGM-2026-0007\n  enigm-disclose renumber ENIGM-2026-0007 --keep theirs\n  git commit   # conclude the merge"
)]
pub struct RenumberArgs {
    /// The id both reports claim.
    #[arg(add = clap_complete::engine::ArgValueCompleter::new(super::complete::report_ids))]
    id: String,
    /// The report that keeps the id: `ours` or `theirs` (the sides of a merge conflict), its
    /// file (reports/X.md), or the commit that filed it (4+ hex digits).
    #[arg(long, value_name = "WHICH")]
    keep: Option<String>,
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
    let keep = args.keep.as_deref().map(Keep::parse);
    // `7` or `2026-7` as anywhere else, when a file has the id as its name; else as typed.
    let id = super::report_id(&repo, &args.id).unwrap_or_else(|_| args.id.trim().to_owned());
    let done = renumber(&repo, &config, &id, keep.as_ref(), identity.as_ref())?;
    let because = match &done.because {
        KeptBecause::OnRemote(r) => format!("its filing is on {r}"),
        KeptBecause::Public => "it is published".to_owned(),
        KeptBecause::Named => "named by --keep".to_owned(),
    };
    let ((kept, kept_from), (moved, moved_from)) = (done.kept.lines(), done.moved.lines());
    let mut text = format!(
        "Kept {} for {kept}\n  {kept_from}; it keeps the id: {because}\nRenumbered {moved} as {} ({})\n  {moved_from}\n",
        done.old_id,
        done.new_id,
        done.path.display()
    );
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
