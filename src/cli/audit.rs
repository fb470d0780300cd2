//! `enigm-disclose history` and `enigm-disclose verify`: the audit trail in git.

use std::process::ExitCode;

use clap::Args;
use enigm_disclose::Error;
use enigm_disclose::query::audit::{Audit, FullCheck, history, verify};
use enigm_disclose::store::history::{self as git_history, VERIFIED_REF};

use super::Context;
use super::output::{Format, print, print_json};

/// Show a report's timeline joined with the git commits that changed it.
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  enigm-disclose history 2026-7\n  enigm-disclose history ENIGM-2026-0007 --format json"
)]
pub struct HistoryArgs {
    /// The report (ENIGM-2026-0007, 2026-7 or 7).
    #[arg(add = clap_complete::engine::ArgValueCompleter::new(super::complete::report_ids))]
    id: String,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,
}

/// Audit the git history: every state change legal, no committed timeline entry rewritten,
/// no published report deleted or renamed. Exit 1 on findings.
///
/// A run without findings records HEAD in refs/enigm/verified; the next run checks only the
/// commits after it (the whole history again when that commit is not an ancestor of HEAD).
#[derive(Debug, Args)]
#[command(after_help = "Examples:\n  enigm-disclose verify --format json\n  enigm-disclose verify --full")]
pub struct VerifyArgs {
    /// Check the whole history, ignoring the commit recorded in refs/enigm/verified.
    #[arg(long)]
    full: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,
}

pub fn run_history(ctx: &Context, args: HistoryArgs) -> Result<ExitCode, Error> {
    let (repo, config) = ctx.open()?;
    let id = super::report_id(&repo, &args.id)?;
    let h = history(&repo, &enigm_disclose::store::scan::report_file(repo.root(), config.layout, &id))?;
    if args.format == Format::Json {
        print_json(&h)?;
        return Ok(ExitCode::SUCCESS);
    }
    let mut out = format!("{}  {}\n", h.id, h.title);
    for e in &h.entries {
        let step = match (e.from, e.to, e.kind) {
            (Some(f), Some(t), _) => format!("{f} → {t}"),
            (None, Some(t), _) => format!("→ {t} (filed)"),
            (_, _, kind) => kind.to_owned(),
        };
        let commit = e.commit.as_deref().map_or("(no commit)".to_owned(), |c| c[..7].to_owned());
        let who = e.author.as_deref().or(e.by.as_deref()).unwrap_or("");
        out.push_str(&format!("{}  {:26} {:12} {}", e.date, step, commit, who));
        if let Some(n) = &e.note {
            out.push_str(&format!("  — {n}"));
        }
        out.push('\n');
    }
    print(&out)?;
    Ok(ExitCode::SUCCESS)
}

pub fn run_verify(ctx: &Context, args: VerifyArgs) -> Result<ExitCode, Error> {
    let (repo, _) = ctx.open()?;
    let mut audit = verify(&repo, args.full)?;
    if let Some(tip) = audit.verified_commit
        && let Err(e) = git_history::record_verified(&repo, tip)
    {
        eprintln!("warning: {e}");
        audit.verified = None;
    }
    if let Some(why) = scope_note(&audit) {
        eprintln!("{why}");
    }
    if audit.shallow {
        eprintln!(
            "warning: this is a shallow clone; history before its boundary was not checked (fetch with --unshallow, or fetch-depth: 0 in CI)"
        );
    }
    match args.format {
        Format::Json => print_json(&audit)?,
        Format::Human => {
            let mut out = String::new();
            for f in &audit.findings {
                // Findings on the acknowledgements file name HEAD but no author or date.
                let who = if f.author.is_empty() && f.commit_date.is_empty() {
                    String::new()
                } else {
                    format!(" ({}, {})", f.author, f.commit_date)
                };
                out.push_str(&format!("{} {} {}: {}{who}\n", f.code, &f.commit[..7], f.path, f.message));
            }
            for a in &audit.acknowledged {
                let f = &a.finding;
                out.push_str(&format!(
                    "acknowledged {} {} {}: {} — {} ({})\n",
                    f.code,
                    &f.commit[..7],
                    f.path,
                    f.message,
                    a.reason,
                    a.by
                ));
            }
            let acknowledged = match audit.acknowledged.len() {
                0 => String::new(),
                n => format!(", {n} acknowledged"),
            };
            let since = audit.checked_from.as_ref().map_or(String::new(), |c| format!(" after {}", &c[..7]));
            out.push_str(&format!(
                "{} finding{}{acknowledged} in {} commits{since} ({} report changes checked)\n",
                audit.findings.len(),
                if audit.findings.len() == 1 { "" } else { "s" },
                audit.commits,
                audit.changes
            ));
            print(&out)?;
        }
    }
    Ok(if audit.findings.is_empty() { ExitCode::SUCCESS } else { ExitCode::from(1) })
}

/// Why the whole history was checked, when a record was there but could not be used.
fn scope_note(audit: &Audit) -> Option<String> {
    let why = match audit.full_check? {
        FullCheck::Requested | FullCheck::NoRecord => return None,
        FullCheck::NotAnAncestor => "is not an ancestor of HEAD (history was rewritten)",
        FullCheck::UnknownCommit => "names a commit this repository does not have",
        FullCheck::AcknowledgementsChanged => "predates a change of .enigm/acknowledged.yaml",
    };
    Some(format!("note: {VERIFIED_REF} {why}: checking the whole history"))
}
