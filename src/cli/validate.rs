//! `enigm-disclose validate`: check reports and print findings.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, ValueEnum};
use enigm_disclose::Error;
use enigm_disclose::error::FileProblem;
use enigm_disclose::format::finding::Severity;
use enigm_disclose::rules::redact;
use enigm_disclose::rules::validate::{self, Request, Source};
use enigm_disclose::store::clock;
use enigm_disclose::store::repo::Repo;

use super::Context;
use super::findings;
use super::output::{eprint_diagnostic, print, print_json};

/// Check reports and enigm.yaml: schema, ids, state requirements, timeline, dates, CVSS,
/// formats, required sections, secrets. Exit 1 when anything is found.
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  enigm-disclose validate            # every report and enigm.yaml\n  enigm-disclose validate reports/ENIGM-2026-0001.md\n  enigm-disclose validate --staged   # what is about to be committed\n  enigm-disclose validate --against origin/main --format github"
)]
pub struct ValidateArgs {
    /// Report files to check [default: every report under reports/].
    paths: Vec<PathBuf>,
    /// Check the content staged in the git index instead of the work tree.
    #[arg(long)]
    staged: bool,
    /// Also check the change against a base revision: published reports are never deleted or
    /// renamed, ids never change.
    #[arg(long, value_name = "REV")]
    against: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ValidateFormat::Human)]
    format: ValidateFormat,
    /// Exit 1 on warnings too.
    #[arg(long)]
    deny_warnings: bool,
}

/// Output formats of `validate`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum ValidateFormat {
    /// Diagnostics with the source line underlined, and a summary.
    Human,
    /// Stable JSON (docs/checks.md).
    Json,
    /// GitHub Actions annotations (::error file=…,line=…::…).
    Github,
    /// SARIF 2.1.0 for code scanning.
    Sarif,
}

pub fn run(ctx: &Context, args: ValidateArgs) -> Result<ExitCode, Error> {
    let (repo, _config) = ctx.open_repo_only()?;
    let paths = if args.paths.is_empty() {
        None
    } else {
        Some(
            args.paths
                .iter()
                .map(|p| relative_to(&repo, &ctx.cwd.join(p), args.staged))
                .collect::<Result<Vec<_>, _>>()?,
        )
    };
    let request = Request {
        paths,
        source: if args.staged { Source::Index } else { Source::WorkTree },
        against: args.against,
        today: clock::today()?,
        policy_check: Some(enigm_disclose::publish::policy::check),
        // The hook's check: what the commit changes (everything when the configuration changes).
        changes_only: args.staged,
    };
    let outcome = validate::run(&repo, &request)?;
    match args.format {
        ValidateFormat::Human => {
            for file in &outcome.files {
                let text = file.text.as_deref().map(|t| redact::mask_file_text(t, &file.findings));
                for finding in file.findings.iter().take(SHOWN_PER_FILE) {
                    eprint_diagnostic(&FileProblem::new(redact::mask_finding(finding.clone()), text.clone()));
                }
                if let Some(more) = file.findings.len().checked_sub(SHOWN_PER_FILE).filter(|n| *n > 0) {
                    eprintln!(
                        "… and {more} more finding{} in {} (`--format json` lists every one)\n",
                        plural(more),
                        file.path.display()
                    );
                }
            }
            let (e, w, n) = (outcome.count(Severity::Error), outcome.count(Severity::Warning), outcome.files.len());
            print(&format!("{e} error{}, {w} warning{} in {n} file{}\n", plural(e), plural(w), plural(n)))?;
            let closed = enigm_disclose::format::sealed::read_without_key();
            if closed > 0 {
                eprintln!(
                    "note: {closed} sealed report{} checked without a key, from the clear part only; these checks need one: {}",
                    plural(closed),
                    enigm_disclose::rules::sealed::NEEDS_KEY
                );
            }
        }
        ValidateFormat::Json => print_json(&findings::json(&outcome))?,
        ValidateFormat::Github => super::output::print_data(&findings::github(&outcome))?,
        ValidateFormat::Sarif => print_json(&findings::sarif(&outcome))?,
    }
    let failed = outcome.count(Severity::Error) > 0 || (args.deny_warnings && outcome.count(Severity::Warning) > 0);
    Ok(if failed { ExitCode::from(1) } else { ExitCode::SUCCESS })
}

/// Diagnostics drawn per file in human output; the rest are counted (machine formats list
/// all). Drawing is per finding, so a hostile file with 20,000 problems stays fast.
const SHOWN_PER_FILE: usize = 25;

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// `path` relative to the repository root; a path outside the repository is refused.
fn relative_to(repo: &Repo, path: &Path, staged: bool) -> Result<PathBuf, Error> {
    let outside = || {
        Error::usage(
            format!("{} is outside the disclosure repository", path.display()),
            "pass paths inside the repository",
        )
    };
    let root =
        std::fs::canonicalize(repo.root()).map_err(Error::io(format!("cannot resolve {}", repo.root().display())))?;
    let parent = path.parent().ok_or_else(outside)?;
    let name = path.file_name().ok_or_else(outside)?;
    let parent = match std::fs::canonicalize(parent) {
        Ok(p) => p,
        // A staged file's directory may be gone from the work tree.
        Err(_) if staged => parent.to_owned(),
        Err(e) => return Err(Error::io(format!("cannot resolve {}", path.display()))(e)),
    };
    let rel = parent.join(name).strip_prefix(&root).map(PathBuf::from).map_err(|_| outside())?;
    if !enigm_disclose::store::files::is_contained(&rel) {
        return Err(outside());
    }
    let is_report = enigm_disclose::layout::report_id_of(&rel).is_some()
        || (rel.parent() == Some(Path::new(enigm_disclose::layout::REPORTS_DIR))
            && rel.extension().is_some_and(|e| e == "md"));
    if !is_report && rel != Path::new(enigm_disclose::layout::CONFIG_FILE) {
        return Err(Error::usage(
            format!("{} is not a report", rel.display()),
            "validate checks reports/<ID>.md, reports/<YEAR>/<ID>.md and enigm.yaml; pre-commit users: `files: ^(reports/([0-9]{4}/)?[^/]+\\.md|enigm\\.yaml)$`",
        ));
    }
    Ok(rel)
}
