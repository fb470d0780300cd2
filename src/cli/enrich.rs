//! `enigm-disclose enrich`: KEV membership and EPSS scores from files the user downloaded.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Args;
use enigm_disclose::Error;
use enigm_disclose::format::enrichment::{parse_epss, parse_kev};
use enigm_disclose::workflow::enrich::{Sources, enrich};

use super::Context;
use super::output::print;

/// Record CISA KEV membership and FIRST EPSS scores on the reports whose aliases carry the CVE.
///
/// Reads the files you downloaded; the tool never goes to the network. A report whose CVE is
/// in the KEV catalog gets `kev` (and, when it has no `exploited`, `exploited` with source kev,
/// since the date it was added, aware now); one whose CVE is scored gets `epss`. Every changed
/// report goes into one commit; values already recorded are not rewritten.
#[derive(Debug, Args)]
#[command(
    after_help = "Examples (download the files first; docs/queries.md names them):\n  enigm-disclose enrich --kev known_exploited_vulnerabilities.json\n  enigm-disclose enrich --kev kev.json --epss epss_scores-2026-11-30.csv"
)]
pub struct EnrichArgs {
    /// CISA's Known Exploited Vulnerabilities catalog (JSON).
    #[arg(long, value_name = "FILE", value_hint = clap::ValueHint::FilePath, required_unless_present = "epss")]
    kev: Option<PathBuf>,
    /// FIRST's EPSS scores (CSV, uncompressed, with its `#model_version:…` line).
    #[arg(long, value_name = "FILE", value_hint = clap::ValueHint::FilePath)]
    epss: Option<PathBuf>,
    /// Do not run the repository's pre-commit and commit-msg hooks (as `git commit --no-verify`).
    #[arg(long)]
    no_verify: bool,
}

fn read(path: &Path, what: &str) -> Result<String, Error> {
    std::fs::read_to_string(path).map_err(|e| {
        Error::usage(format!("cannot read the {what} file {}: {e}", path.display()), "download it first (see --help)")
    })
}

fn parsed<T>(path: &Path, what: &str, parse: fn(&str) -> Result<T, String>) -> Result<T, Error> {
    parse(&read(path, what)?).map_err(|e| {
        Error::usage(format!("{}: {e}", path.display()), format!("give the {what} file as downloaded (see --help)"))
    })
}

pub fn run(ctx: &Context, args: EnrichArgs) -> Result<ExitCode, Error> {
    let sources = Sources {
        kev: args.kev.as_deref().map(|p| parsed(p, "KEV", parse_kev)).transpose()?,
        epss: args.epss.as_deref().map(|p| parsed(p, "EPSS", parse_epss)).transpose()?,
    };
    let (repo, config) = ctx.open()?;
    let _lock = super::locked(&repo)?;
    let identity = repo.identity()?;
    let identity = if args.no_verify { identity.without_hooks() } else { identity };
    let now = enigm_disclose::store::clock::now()?;
    let done = enrich(&repo, &config, &sources, now, &identity)?;
    let mut text = String::new();
    for r in &done.reports {
        text.push_str(&format!("{}: {}\n", r.id, r.fields.join(", ")));
    }
    match done.commit {
        Some(oid) => text.push_str(&format!("Committed {} report(s) as {}\n", done.reports.len(), oid.short())),
        None => text.push_str("Nothing to record: no report's CVE is listed, or every value is already recorded.\n"),
    }
    print(&text)?;
    Ok(ExitCode::SUCCESS)
}
