//! `enigm-disclose advance`: move a report to its next state, as one commit; or several
//! reports (by ids or a query), each as its own commit or all as one (`--batch`).

use std::process::ExitCode;

use chrono::NaiveDate;
use clap::Args;
use enigm_disclose::Error;
use enigm_disclose::format::config::Config;
use enigm_disclose::format::report::{Resolution, State};
use enigm_disclose::store::clock;
use enigm_disclose::store::repo::{CommitId, Identity, Repo};
use enigm_disclose::workflow::advance::{AdvanceRequest, Plan, WorkTreeIds, check_flags, execute, execute_batch, plan};
use serde::Serialize;

use super::Context;
use super::output::{Format, parse_date, print, print_json};
use super::select::QueryArgs;

/// Move a report to its next state: edit it in place and commit it alone.
///
/// The step must be in the lifecycle (`enigm-disclose states`), and the report must meet the
/// target state's requirements — the same checks as `validate`. The report is read from the
/// work tree, so edit it first and `advance` commits both.
///
/// Several reports — named by id, or selected by a query with `list`'s filters — are
/// planned first (each from → to, and what is written), then moved one commit per report;
/// a report that cannot move is named and the others still move (exit 1). `--batch` makes
/// one commit of all of them or writes nothing; `--dry-run` shows the plan only.
#[derive(Debug, Args)]
#[command(
    override_usage = "enigm-disclose advance [OPTIONS] [ID]... <STATE>",
    after_help = "Examples:\n  enigm-disclose advance 2026-7 triaged --note \"Assessed: high\"\n  enigm-disclose advance 7 rejected --resolution duplicate \\\n      --duplicate-of 2026-3\n  enigm-disclose advance 7 published\n  enigm-disclose advance 7 triaged --reply triaged\n  enigm-disclose advance 7 withdrawn --reason \"Not a vulnerability after all\"\n  enigm-disclose advance 7 8 9 triaged --batch\n  enigm-disclose advance --state received --older-than 3d rejected \\\n      --resolution spam --dry-run"
)]
pub struct AdvanceArgs {
    /// The reports (ENIGM-2026-0007, 2026-7 or 7; none with a query), then the state to move
    /// them to.
    #[arg(value_name = "ID|STATE", required = true, num_args = 1.., add = clap_complete::engine::ArgValueCompleter::new(super::complete::ids_and_states))]
    targets: Vec<String>,
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
    /// Also send the reporter the message of template NAME (as `reply --send`), composed from
    /// the report as the step leaves it; the step and the record of the message are one commit.
    #[arg(long, value_name = "NAME", conflicts_with = "no_commit")]
    reply: Option<String>,
    /// Edit the file but do not commit.
    #[arg(long)]
    no_commit: bool,
    /// Do not run the repository's pre-commit and commit-msg hooks (as `git commit --no-verify`).
    #[arg(long)]
    no_verify: bool,
    /// Show the plan (each report, from → to, what is written) and change nothing.
    #[arg(long)]
    dry_run: bool,
    /// Several reports: one commit for all of them, or nothing if any cannot move.
    #[arg(long)]
    batch: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,
    /// Select the reports by a query instead of ids (the filters of `list`).
    #[command(flatten, next_help_heading = "Query (instead of ids)")]
    query: QueryArgs,
}

/// The ids and the target state of the positional arguments (the state comes last).
fn split_targets(targets: &[String]) -> Result<(&[String], State), Error> {
    let (last, ids) =
        targets.split_last().ok_or_else(|| Error::usage("no target state given", "name the state to move to last"))?;
    let to = last.parse::<State>().map_err(|e| {
        Error::usage(
            format!("the last argument names the state to move to: {e}"),
            "write the ids first, then the state (`enigm-disclose advance 7 8 triaged`)",
        )
    })?;
    Ok((ids, to))
}

fn parse_resolution(s: &str) -> Result<Resolution, String> {
    s.parse()
}

/// What every run needs, resolved once: the repository, its config and lock, today, who
/// commits (none with `--no-commit`), who the timeline names, the known ids.
struct Setup {
    repo: Repo,
    config: Config,
    _lock: enigm_disclose::store::repo::WriteLock,
    today: NaiveDate,
    /// The clock's instant (the embargo guard).
    now: chrono::DateTime<chrono::FixedOffset>,
    identity: Option<Identity>,
    by: String,
    known: WorkTreeIds,
    /// The ids as typed, and the state to move to.
    ids: Vec<String>,
    to: State,
}

fn setup(ctx: &Context, args: &AdvanceArgs) -> Result<Setup, Error> {
    let (ids, to) = split_targets(&args.targets)?;
    let ids = ids.to_vec();
    let (repo, config) = ctx.open()?;
    // Held until the commits are made: a concurrent `advance` waits, then sees this one's result.
    let lock = super::locked(&repo)?;
    let (today, now) = (clock::today()?, clock::now()?);
    let identity = if args.no_commit || args.dry_run {
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
    let known = WorkTreeIds::new(repo.root())?;
    Ok(Setup { repo, config, _lock: lock, today, now, identity, by, known, ids, to })
}

/// The request for report `id`.
fn request(s: &Setup, args: &AdvanceArgs, id: String) -> AdvanceRequest {
    // An original that names no report is an unmet requirement (a finding, exit 1), not a
    // usage error: it is passed on as typed and the guards say what is wrong with it.
    let duplicate_of =
        args.duplicate_of.as_deref().map(|d| super::report_id(&s.repo, d).unwrap_or_else(|_| d.trim().to_owned()));
    AdvanceRequest {
        id,
        to: s.to,
        note: args.note.clone(),
        resolution: args.resolution,
        duplicate_of,
        reason: args.reason.clone(),
        date: args.date.unwrap_or(s.today),
        now: s.now,
        force: args.force,
        by: s.by.clone(),
    }
}

pub fn run(ctx: &Context, args: AdvanceArgs) -> Result<ExitCode, Error> {
    let s = setup(ctx, &args)?;
    let single = s.ids.len() == 1 && args.query.filter().is_empty() && !args.dry_run && !args.batch;
    if single {
        return run_one(&s, &args);
    }
    if args.reply.is_some() {
        return Err(Error::usage(
            "--reply sends one message: it takes one report",
            "advance the reports first, then answer each with `enigm-disclose reply ID... --template NAME --send`",
        ));
    }
    let ids = super::select::reports(&s.repo, &s.config, s.today, &s.ids, &args.query)?;
    if ids.is_empty() {
        eprintln!("no reports match the query: nothing to do");
        return Ok(ExitCode::SUCCESS);
    }
    // Flags that do not go together are a usage error once, before any report is planned.
    check_flags(&request(&s, &args, ids[0].clone()))?;
    let planned: Vec<(String, Result<Plan, Error>)> = ids
        .into_iter()
        .map(|id| {
            let req = request(&s, &args, id.clone());
            (id, plan(s.repo.root(), &s.config, &s.known, s.today, &req))
        })
        .collect();
    run_bulk(&s, &args, planned)
}

/// One report named by id: the step and its commit, as it always was.
fn run_one(s: &Setup, args: &AdvanceArgs) -> Result<ExitCode, Error> {
    let id = super::report_id(&s.repo, &s.ids[0])?;
    let plan = plan(s.repo.root(), &s.config, &s.known, s.today, &request(s, args, id.clone()))?;
    if let (Some(template), Some(identity)) = (&args.reply, &s.identity) {
        return with_reply(&s.repo, &s.config, &plan, template, identity, args.format);
    }
    let commit = execute(&s.repo, &plan, s.identity.as_ref())?;
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

/// One report of a bulk run, as `--format json` prints it (docs/lifecycle.md, "Several reports").
#[derive(Debug, Serialize)]
struct Outcome {
    id: String,
    from: Option<State>,
    to: State,
    path: Option<String>,
    writes: Vec<&'static str>,
    overrides: Vec<String>,
    /// The commit that made the step (the shared one with `--batch`); `None` in a dry run,
    /// with `--no-commit`, or when the report failed.
    commit: Option<String>,
    /// Why the report did not move.
    error: Option<String>,
    /// The exit code its error gives (1 a finding, 2 could not run).
    #[serde(skip)]
    code: u8,
}

impl Outcome {
    fn of(id: String, to: State, planned: &Result<Plan, Error>) -> Outcome {
        let (from, path, writes, overrides) = match planned {
            Ok(p) => {
                (Some(p.from), Some(p.path.to_string_lossy().replace('\\', "/")), p.writes.clone(), p.overrides.clone())
            }
            Err(_) => (None, None, Vec::new(), Vec::new()),
        };
        let (error, code) = match planned {
            Ok(_) => (None, 0),
            Err(e) => (Some(error_text(e)), e.exit_code()),
        };
        Outcome { id, from, to, path, writes, overrides, commit: None, error, code }
    }

    fn fail(&mut self, e: &Error) {
        self.error = Some(error_text(e));
        self.code = e.exit_code();
        super::output::fail(e);
    }
}

/// An error as one report's outcome says it: its message, any secret in it masked (as the
/// diagnostic on stderr masks it).
fn error_text(e: &Error) -> String {
    enigm_disclose::rules::redact::mask_text(&e.to_string()).into_owned()
}

/// The bulk run: the plan, then (unless a dry run) the commits; exit 1 (or 2) when any report
/// did not move.
fn run_bulk(s: &Setup, args: &AdvanceArgs, planned: Vec<(String, Result<Plan, Error>)>) -> Result<ExitCode, Error> {
    let mut outcomes: Vec<Outcome> = planned.iter().map(|(id, p)| Outcome::of(id.clone(), s.to, p)).collect();
    let human = args.format == Format::Human;
    if human {
        print(&plan_text(args, s.to, &outcomes))?;
    }
    for (_, p) in &planned {
        if let Err(e) = p {
            super::output::fail(e);
        }
    }
    let plans: Vec<&Plan> = planned.iter().filter_map(|(_, p)| p.as_ref().ok()).collect();
    let refused = outcomes.iter().any(|o| o.error.is_some());
    let mut batch_commit = None;
    let summary = if args.dry_run {
        "Dry run: nothing written.".to_owned()
    } else if args.batch && refused {
        format!(
            "Nothing written (--batch is all or nothing): {} of {} reports cannot move.",
            outcomes.iter().filter(|o| o.error.is_some()).count(),
            outcomes.len()
        )
    } else if args.batch {
        let all: Vec<Plan> = plans.iter().map(|p| (*p).clone()).collect();
        let commit = execute_batch(&s.repo, &all, s.identity.as_ref())?;
        batch_commit = commit.as_ref().map(CommitId::to_string);
        for o in &mut outcomes {
            o.commit.clone_from(&batch_commit);
        }
        match commit {
            Some(c) => format!("Committed {} reports as {}.", all.len(), c.short()),
            None => format!("Not committed (--no-commit): {} reports are edited in the work tree.", all.len()),
        }
    } else {
        one_commit_each(s, &planned, &mut outcomes, human)?
    };
    let failed: Vec<&str> = outcomes.iter().filter(|o| o.error.is_some()).map(|o| o.id.as_str()).collect();
    if human {
        let tail = if failed.is_empty() { String::new() } else { format!("\nNot moved: {}\n", failed.join(", ")) };
        print(&format!("{summary}\n{tail}"))?;
    } else {
        print_json(&serde_json::json!({
            "to": s.to,
            "dry_run": args.dry_run,
            "batch": args.batch,
            "commit": batch_commit,
            "reports": outcomes,
            "failed": failed,
        }))?;
    }
    let code = outcomes.iter().map(|o| o.code).max().unwrap_or(0);
    Ok(ExitCode::from(code))
}

/// Executes each plan as its own commit, in order; a report that fails is recorded and the
/// rest still move. Returns the summary line.
fn one_commit_each(
    s: &Setup,
    planned: &[(String, Result<Plan, Error>)],
    outcomes: &mut [Outcome],
    human: bool,
) -> Result<String, Error> {
    let mut done = 0;
    for ((_, p), o) in planned.iter().zip(outcomes.iter_mut()) {
        let Ok(p) = p else { continue };
        match execute(&s.repo, p, s.identity.as_ref()) {
            Ok(commit) => {
                done += 1;
                o.commit = commit.as_ref().map(CommitId::to_string);
                if human {
                    let how = commit
                        .map_or_else(|| "edited (--no-commit)".to_owned(), |c| format!("committed as {}", c.short()));
                    print(&format!("{}: {how}\n", o.id))?;
                }
            }
            Err(e) => o.fail(&e),
        }
    }
    Ok(format!(
        "{done} of {} reports moved to `{}`.",
        planned.len(),
        outcomes.first().map_or(State::Received, |o| o.to)
    ))
}

/// The plan as people read it: one line per report.
fn plan_text(args: &AdvanceArgs, to: State, outcomes: &[Outcome]) -> String {
    let how = if args.batch { "one commit for all" } else { "one commit per report" };
    let mut text = format!("Plan: {} reports → {} ({how})\n", outcomes.len(), to);
    let width = outcomes.iter().map(|o| o.id.len()).max().unwrap_or(0);
    for o in outcomes {
        match (&o.from, &o.error) {
            (Some(from), None) => {
                text.push_str(&format!("  {:width$}  {from} → {}  writes {}\n", o.id, o.to, o.writes.join(", ")));
                for ov in &o.overrides {
                    text.push_str(&format!("  {:width$}  overridden: {ov}\n", ""));
                }
            }
            (_, error) => text.push_str(&format!(
                "  {:width$}  cannot move: {}\n",
                o.id,
                error.as_deref().unwrap_or_default().lines().next().unwrap_or_default()
            )),
        }
    }
    text.push('\n');
    text
}

/// The step and a reply in one commit (`--reply`): sent first, committed after.
fn with_reply(
    repo: &enigm_disclose::store::repo::Repo,
    config: &enigm_disclose::format::config::Config,
    plan: &enigm_disclose::workflow::advance::Plan,
    template: &str,
    identity: &enigm_disclose::store::repo::Identity,
    format: Format,
) -> Result<ExitCode, Error> {
    use enigm_disclose::workflow::reply;
    let renderer = enigm_disclose::publish::templates::Renderer::new(Some(repo.root()))?;
    let id = plan.path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
    let req = reply::ReplyRequest {
        id: id.clone(),
        template: template.to_owned(),
        at: clock::now()?,
        today: clock::today()?,
    };
    let send = |c: &reply::Composed| enigm_disclose::store::mail::send(&config.mail, super::reply::outgoing(c));
    let (composed, commit) = reply::advance_and_reply(repo, config, &renderer, plan, &req, identity, &send)?;
    match format {
        Format::Json => print_json(&serde_json::json!({
            "id": id,
            "from": plan.from,
            "to": plan.to,
            "path": plan.path.to_string_lossy().replace('\\', "/"),
            "commit": commit.to_string(),
            "overrides": plan.overrides,
            "reply": { "to": composed.to, "message_id": composed.message_id, "template": template },
        }))?,
        Format::Human => print(&format!(
            "{id}: {} → {}\n{}",
            plan.from,
            plan.to,
            super::reply::summary(&composed, true, &commit.short())
        ))?,
    }
    Ok(ExitCode::SUCCESS)
}
