//! `enigm-disclose validate`: check reports and print findings.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;
use enigm_disclose::Error;
use enigm_disclose::error::FileProblem;
use enigm_disclose::finding::Severity;
use enigm_disclose::scan::report_paths;
use enigm_disclose::validate::validate_paths;

use super::Context;
use super::output::{eprint_diagnostic, print};

/// Check reports: front matter, fields, ids. Exit 1 when anything is found.
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  enigm-disclose validate\n  enigm-disclose validate reports/ENIGM-2026-0001.md"
)]
pub struct ValidateArgs {
    /// Report files to check [default: every report under reports/].
    paths: Vec<PathBuf>,
}

pub fn run(ctx: &Context, args: ValidateArgs) -> Result<ExitCode, Error> {
    let (repo, config) = ctx.open()?;
    let root = repo.root();
    let paths = if args.paths.is_empty() {
        report_paths(root)?
    } else {
        args.paths
            .iter()
            .map(|p| relative_to(root, &ctx.cwd.join(p)))
            .collect::<Result<_, _>>()?
    };
    let outcome = validate_paths(root, &config, &paths);
    for file in &outcome.files {
        for finding in &file.findings {
            eprint_diagnostic(&FileProblem::new(finding.clone(), file.text.clone()));
        }
    }
    let (errors, warnings) = (
        outcome.count(Severity::Error),
        outcome.count(Severity::Warning),
    );
    let summary = format!(
        "{errors} error{}, {warnings} warning{} in {} file{}\n",
        plural(errors),
        plural(warnings),
        outcome.files.len(),
        plural(outcome.files.len())
    );
    print(&summary)?;
    Ok(if errors > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// `path` relative to the repository root; a path outside the repository is refused.
fn relative_to(root: &std::path::Path, path: &std::path::Path) -> Result<PathBuf, Error> {
    let outside = || {
        Error::usage(
            format!("{} is outside the disclosure repository", path.display()),
            "pass paths inside the repository",
        )
    };
    let root = std::fs::canonicalize(root)
        .map_err(Error::io(format!("cannot resolve {}", root.display())))?;
    let parent = path.parent().ok_or_else(outside)?;
    let parent = std::fs::canonicalize(parent)
        .map_err(Error::io(format!("cannot resolve {}", path.display())))?;
    let name = path.file_name().ok_or_else(outside)?;
    parent
        .join(name)
        .strip_prefix(&root)
        .map(PathBuf::from)
        .map_err(|_| outside())
}
