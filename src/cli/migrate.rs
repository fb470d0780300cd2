//! `enigm-disclose migrate`: move a flat repository to the sharded layout.

use std::process::ExitCode;

use clap::Args;
use enigm_disclose::Error;
use enigm_disclose::workflow::migrate::{Plan, migrate, plan};

use super::Context;
use super::output::print;

/// Move every report to the sharded layout (reports/<YEAR>/<ID>.md) in one commit.
///
/// Each report file and its folder move to their year's shard byte for byte, and enigm.yaml
/// gets `layout: sharded`, so new reports go there too. The commit is pure renames: `git log
/// --follow`, `history`, `verify` and the CSAF revision history follow every report across
/// it. Refuses while anything under reports/ or enigm.yaml is uncommitted; a repository
/// already sharded has nothing to do.
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  enigm-disclose migrate --dry-run   # list what would move\n  enigm-disclose migrate\n  git log --follow reports/2026/ENIGM-2026-0001.md"
)]
pub struct MigrateArgs {
    /// Print what would move and change nothing.
    #[arg(long)]
    dry_run: bool,
    /// Do not run the repository's pre-commit and commit-msg hooks (as `git commit --no-verify`).
    #[arg(long)]
    no_verify: bool,
}

pub fn run(ctx: &Context, args: MigrateArgs) -> Result<ExitCode, Error> {
    let (repo, config) = ctx.open()?;
    let _lock = super::locked(&repo)?;
    let plan = plan(&repo, &config)?;
    if plan.is_empty() {
        print(
            "The repository is sharded already (layout: sharded, every report in reports/<YEAR>/): nothing to do.\n",
        )?;
        return Ok(ExitCode::SUCCESS);
    }
    if args.dry_run {
        print(&describe(&plan))?;
        print("Nothing was changed (--dry-run).\n")?;
        return Ok(ExitCode::SUCCESS);
    }
    let identity = repo.identity()?;
    let identity = if args.no_verify { identity.without_hooks() } else { identity };
    let done = migrate(&repo, plan, &identity)?;
    let mut text = summary(&done.plan);
    if let Some(commit) = done.commit {
        text.push_str(&format!("Committed as {}\n", commit.short()));
    }
    print(&text)?;
    Ok(ExitCode::SUCCESS)
}

/// Every move, one per line, and the configuration change.
fn describe(plan: &Plan) -> String {
    let mut text = String::new();
    for (from, to) in plan.reports.iter().chain(&plan.folder_files) {
        text.push_str(&format!("Would move {} -> {}\n", from.display(), to.display()));
    }
    if plan.config.is_some() {
        text.push_str("Would set `layout: sharded` in enigm.yaml\n");
    }
    text
}

/// What was done, in two lines at most (a repository of 100,000 reports is not listed).
fn summary(plan: &Plan) -> String {
    let (n, f) = (plan.reports.len(), plan.folder_files.len());
    let mut text = format!("Moved {n} report{} to reports/<YEAR>/", if n == 1 { "" } else { "s" });
    if f > 0 {
        text.push_str(&format!(" with {f} file{} of their folders", if f == 1 { "" } else { "s" }));
    }
    text.push('\n');
    if plan.config.is_some() {
        text.push_str("Set `layout: sharded` in enigm.yaml: new reports are filed in their year's shard\n");
    }
    text
}
