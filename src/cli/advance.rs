//! `enigm-disclose advance`: move a report to its next state, as one commit.

use std::collections::HashSet;
use std::process::ExitCode;

use chrono::NaiveDate;
use clap::Args;
use enigm_disclose::Error;
use enigm_disclose::format::report::{Resolution, State};
use enigm_disclose::store::clock;
use enigm_disclose::store::scan::report_ids;
use enigm_disclose::workflow::advance::{AdvanceRequest, execute, plan};

use super::Context;
use super::output::{Format, parse_date, print, print_json};

/// Move a report to its next state: edit it in place and commit it alone.
///
/// The step must be in the lifecycle (`enigm-disclose states`), and the report must meet the
/// target state's requirements — the same checks as `validate`. The report is read from the
/// work tree, so edit it first and `advance` commits both.
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  enigm-disclose advance 2026-7 triaged --note \"Assessed: high\"\n  enigm-disclose advance 7 rejected --resolution duplicate \\\n      --duplicate-of 2026-3\n  enigm-disclose advance 7 published\n  enigm-disclose advance 7 withdrawn --reason \"Not a vulnerability after all\""
)]
pub struct AdvanceArgs {
    /// The report (ENIGM-2026-0007, 2026-7 or 7).
    #[arg(add = clap_complete::engine::ArgValueCompleter::new(super::complete::report_ids))]
    id: String,
    /// The state to move to.
    #[arg(value_parser = parse_state, add = clap_complete::engine::ArgValueCompleter::new(super::complete::states))]
    state: State,
    /// A note for the timeline and the commit message (private: never rendered).
    #[arg(long)]
    note: Option<String>,
    /// Why the report is rejected (with `rejected`).
    #[arg(long, value_parser = parse_resolution, add = clap_complete::engine::ArgValueCompleter::new(super::complete::resolutions))]
    resolution: Option<Resolution>,
    /// The original report (with `--resolution duplicate`).
    #[arg(long, value_name = "ID", add = clap_complete::engine::ArgValueCompleter::new(super::complete::report_ids))]
    duplicate_of: Option<String>,
    /// Why (needed for `withdrawn`, whose notice on the advisory page shows it, and with --force).
    #[arg(long)]
    reason: Option<String>,
    /// Date of the change, YYYY-MM-DD [default: today].
    #[arg(long, value_parser = parse_date)]
    date: Option<NaiveDate>,
    /// Publish despite an embargo or a missing fix (needs --reason; recorded).
    #[arg(long)]
    force: bool,
    /// Edit the file but do not commit.
    #[arg(long)]
    no_commit: bool,
    /// Do not run the repository's pre-commit and commit-msg hooks (as `git commit --no-verify`).
    #[arg(long)]
    no_verify: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,
}

fn parse_state(s: &str) -> Result<State, String> {
    s.parse()
}

fn parse_resolution(s: &str) -> Result<Resolution, String> {
    s.parse()
}

pub fn run(ctx: &Context, args: AdvanceArgs) -> Result<ExitCode, Error> {
    let (repo, config) = ctx.open()?;
    // Held until the commit is made: a concurrent `advance` waits, then sees this one's result.
    let _lock = super::locked(&repo)?;
    let today = clock::today()?;
    let id = super::report_id(&repo, &args.id)?;
    // An original that names no report is an unmet requirement (a finding, exit 1), not a
    // usage error: it is passed on as typed and the guards say what is wrong with it.
    let duplicate_of =
        args.duplicate_of.as_deref().map(|d| super::report_id(&repo, d).unwrap_or_else(|_| d.trim().to_owned()));
    let identity = if args.no_commit {
        None
    } else {
        let identity = repo.identity()?;
        Some(if args.no_verify { identity.without_hooks() } else { identity })
    };
    if identity.is_some() {
        repo.check_can_commit()?;
        if !repo.has_head() {
            return Err(Error::UnbornHead);
        }
    }
    let by = super::author(&repo, identity.as_ref()).unwrap_or_else(|| config.organization.name.clone());
    let known: HashSet<String> = report_ids(repo.root())?.into_iter().collect();
    let request = AdvanceRequest {
        id: id.clone(),
        to: args.state,
        note: args.note,
        resolution: args.resolution,
        duplicate_of,
        reason: args.reason,
        date: args.date.unwrap_or(today),
        force: args.force,
        by,
    };
    let plan = plan(repo.root(), &config, &known, today, &request)?;
    let commit = execute(&repo, &plan, identity.as_ref())?;
    match args.format {
        Format::Json => print_json(&serde_json::json!({
            "id": id,
            "from": plan.from,
            "to": plan.to,
            "path": plan.path.to_string_lossy().replace('\\', "/"),
            "commit": commit.map(|c| c.to_string()),
            "overrides": plan.overrides,
        }))?,
        Format::Human => {
            let mut text = format!("{id}: {} → {}\n", plan.from, plan.to);
            for o in &plan.overrides {
                text.push_str(&format!("  overridden: {o}\n"));
            }
            match commit {
                Some(c) => text.push_str(&format!("Committed as {}\n", c.short())),
                None => text.push_str(&format!(
                    "Not committed (--no-commit): {} is edited in the work tree.\n",
                    plan.path.display()
                )),
            }
            print(&text)?;
        }
    }
    Ok(ExitCode::SUCCESS)
}
