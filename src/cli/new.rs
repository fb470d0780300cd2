//! `enigm-disclose new`: file a new report and commit it.

use std::fs;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

use chrono::NaiveDate;
use clap::Args;
use enigm_disclose::Error;
use enigm_disclose::format::config::Config;
use enigm_disclose::format::report;
use enigm_disclose::format::report::{Justification, Level};
use enigm_disclose::store::clock;
use enigm_disclose::store::repo::Repo;
use enigm_disclose::workflow::create::{NewFile, NewReport, VexStatement, check_written, commit_new, write_new};
use serde::Serialize;

use super::Context;
use super::output::{Format, parse_date, print, print_json};

/// File a new report: allocate its id, write its file under reports/, commit it.
///
/// Missing --title/--product/--reporter-name are asked for on a terminal; without one
/// (scripts, CI) the command fails naming every missing flag.
#[derive(Debug, Args)]
#[command(
    after_help = "Example:\n  enigm-disclose new --title \"SQL injection in search\" \\\n      --product web --component api \\\n      --reporter-name \"Jane Doe\" --reporter-contact jane@example.org \\\n      --cvss \"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H\" \\\n      --body-file report.md"
)]
pub struct NewArgs {
    /// One-line title of the report.
    #[arg(long)]
    title: Option<String>,
    /// Affected product (one of the products in enigm.yaml).
    #[arg(long)]
    product: Option<String>,
    /// Affected component of the product.
    #[arg(long)]
    component: Option<String>,
    /// The reporter's name (or "Anonymous").
    #[arg(long)]
    reporter_name: Option<String>,
    /// How to reach the reporter (private: never rendered).
    #[arg(long)]
    reporter_contact: Option<String>,
    /// How the reporter wants to be credited, or "anonymous".
    #[arg(long)]
    credit: Option<String>,
    /// Severity level, when no CVSS vector is known yet.
    #[arg(long, value_name = "LEVEL", value_parser = parse_level, add = clap_complete::engine::ArgValueCompleter::new(super::complete::levels))]
    severity: Option<Level>,
    /// CVSS v3.1 or v4.0 vector; the level is derived from its score.
    #[arg(long, value_name = "VECTOR", conflicts_with = "severity")]
    cvss: Option<String>,
    /// Who handles the report.
    #[arg(long)]
    assignee: Option<String>,
    /// Date the report was received, YYYY-MM-DD [default: today].
    #[arg(long, value_name = "DATE", value_parser = parse_date)]
    reported: Option<NaiveDate>,
    /// Markdown file with the report body (the researcher's description).
    #[arg(long, value_name = "FILE", conflicts_with = "edit")]
    body_file: Option<PathBuf>,
    /// Open $VISUAL/$EDITOR on the new report before committing it.
    #[arg(long)]
    edit: bool,
    /// Write the report but do not commit it.
    #[arg(long)]
    no_commit: bool,
    /// Do not run the repository's pre-commit and commit-msg hooks (as `git commit --no-verify`).
    #[arg(long)]
    no_verify: bool,
    /// The product's package URL (e.g. pkg:npm/acme-web): how OSV, CSAF and VEX documents
    /// identify it.
    #[arg(long, value_name = "PURL")]
    purl: Option<String>,
    /// The product's CPE 2.3 name (e.g. cpe:2.3:a:acme:web:*:*:*:*:*:*:*:*).
    #[arg(long, value_name = "CPE")]
    cpe: Option<String>,
    /// File a VEX statement about someone else's vulnerability (a CVE or GHSA id) instead of
    /// a report: the product is under investigation until it is assessed.
    #[arg(long, value_name = "VULN-ID")]
    vex: Option<String>,
    /// With --vex: the product is not affected, for this reason (component_not_present,
    /// vulnerable_code_not_present, vulnerable_code_not_in_execute_path,
    /// vulnerable_code_cannot_be_controlled_by_adversary, inline_mitigations_already_exist).
    #[arg(long, value_name = "JUSTIFICATION", requires = "vex", value_parser = parse_justification)]
    justification: Option<Justification>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,
}

fn parse_justification(s: &str) -> Result<Justification, String> {
    s.parse()
}

fn parse_level(s: &str) -> Result<Level, String> {
    s.parse()
}

#[derive(Serialize)]
struct Created<'a> {
    id: String,
    path: &'a str,
    commit: Option<String>,
}

pub fn run(ctx: &Context, args: NewArgs) -> Result<ExitCode, Error> {
    let (repo, config) = ctx.open()?;
    if args.edit && config.sealing.is_some() {
        // The file on disk is sealed: the plaintext is edited through `edit`, never in place.
        return Err(Error::usage(
            "--edit does not apply in a sealed repository: the new file is sealed before it is written",
            "file the report, then run `enigm-disclose edit ID` (it opens the plaintext and re-seals it)",
        ));
    }
    let today = clock::today()?;
    let identity = if args.no_commit {
        None
    } else {
        let identity = repo.identity()?;
        Some(if args.no_verify { identity.without_hooks() } else { identity })
    };
    if identity.is_some() {
        repo.check_can_commit()?;
    }
    let request = request(&args, &config, &ctx.cwd, today, super::author(&repo, identity.as_ref()))?;
    request.check(&config, today)?;
    // Without an editor the lock is held from the write to the commit, so a kill in between
    // is cleaned up by the next run; with one it is taken after the editor closes.
    let mut lock = if identity.is_some() && !args.edit { Some(super::locked(&repo)?) } else { None };
    let file = write_new(&repo, &config, today, &request)?;
    if args.edit {
        if let Err(e) = edit(&repo, &file) {
            let _ = fs::remove_file(repo.root().join(&file.path));
            repo.pending_done();
            return Err(e);
        }
        // The edited file passes the same gate before it stays in reports/ or is committed.
        if let Err(e) = check_written(&repo, &config, today, &file) {
            keep_draft(&repo, &file);
            repo.pending_done();
            return Err(e);
        }
    }
    if identity.is_none() {
        repo.pending_done();
    }
    // Ids are allocated race-free by exclusive file creation; the lock keeps concurrent
    // commits from racing for the branch.
    if lock.is_none() && identity.is_some() {
        lock = Some(super::locked(&repo)?);
    }
    let commit = match &identity {
        None => None,
        Some(identity) => match commit_new(&repo, &file, identity) {
            Ok(oid) => Some(oid.to_string()),
            Err(e) if args.edit => {
                repo.pending_done();
                eprintln!("note: your edited report is kept, uncommitted, at {}", file.path.display());
                return Err(e);
            }
            Err(e) => {
                let _ = fs::remove_file(repo.root().join(&file.path));
                repo.pending_done();
                return Err(e);
            }
        },
    };
    drop(lock);
    let path = file.path.to_string_lossy().replace('\\', "/");
    match args.format {
        Format::Json => print_json(&Created { id: file.id.to_string(), path: &path, commit: commit.clone() })?,
        Format::Human => {
            let mut text = format!("Created {} at {path}\n", file.id);
            match commit {
                Some(c) => text.push_str(&format!("Committed as {} ({}: received)\n", &c[..7], file.id)),
                None => text.push_str("Not committed (--no-commit): commit it with git when ready.\n"),
            }
            print(&text)?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Builds the request from the flags, prompting for missing required values on a terminal.
fn request(
    args: &NewArgs,
    config: &Config,
    cwd: &Path,
    today: NaiveDate,
    author: Option<String>,
) -> Result<NewReport, Error> {
    let mut title = args.title.clone();
    let mut product =
        args.product.clone().or_else(|| (config.products.len() == 1).then(|| config.products[0].name.clone()));
    // A VEX statement is the organisation's own: it reports itself.
    let mut reporter =
        args.reporter_name.clone().or_else(|| args.vex.as_ref().map(|_| config.organization.name.clone()));
    let missing: Vec<&str> =
        [("--title", title.is_none()), ("--product", product.is_none()), ("--reporter-name", reporter.is_none())]
            .into_iter()
            .filter(|(_, m)| *m)
            .map(|(f, _)| f)
            .collect();
    if !missing.is_empty() {
        if !(std::io::stdin().is_terminal() && std::io::stderr().is_terminal()) {
            return Err(Error::usage(
                format!("missing required values: {}", missing.join(", ")),
                "pass them as flags; prompting needs a terminal",
            ));
        }
        title = title.map_or_else(|| prompt("Title"), Ok)?.into();
        product = product.map_or_else(|| prompt_product(config), Ok)?.into();
        reporter = reporter.map_or_else(|| prompt("Reporter name"), Ok)?.into();
    }
    let body = match &args.body_file {
        None => None,
        Some(p) => Some(read_body(&cwd.join(p))?),
    };
    let by = author.unwrap_or_else(|| config.organization.name.clone());
    Ok(NewReport {
        title: title.unwrap_or_default(),
        product: product.unwrap_or_default(),
        component: args.component.clone(),
        purl: args.purl.clone(),
        cpe: args.cpe.clone(),
        reporter_name: reporter.unwrap_or_default(),
        reporter_contact: args.reporter_contact.clone(),
        credit: args.credit.clone(),
        level: args.severity,
        cvss: args.cvss.clone(),
        assignee: args.assignee.clone(),
        reported: args.reported.unwrap_or(today),
        body,
        by,
        note: None,
        vex: args.vex.as_ref().map(|v| VexStatement { vulnerability: v.clone(), justification: args.justification }),
    })
}

fn read_body(path: &Path) -> Result<String, Error> {
    let meta = fs::metadata(path).map_err(Error::io(format!("cannot read {}", path.display())))?;
    if meta.len() > report::MAX_REPORT_BYTES {
        return Err(Error::usage(
            format!("{} is larger than 1 MiB", path.display()),
            "reports are limited to 1 MiB; move large material elsewhere and reference it",
        ));
    }
    let bytes = enigm_disclose::layout::read_regular(path, report::MAX_REPORT_BYTES)
        .map_err(Error::io(format!("cannot read {}", path.display())))?;
    String::from_utf8(bytes)
        .map_err(|_| Error::usage(format!("{} is not valid UTF-8", path.display()), "save the body file as UTF-8"))
}

fn prompt(label: &str) -> Result<String, Error> {
    dialoguer::Input::<String>::new()
        .with_prompt(label)
        .interact_text()
        .map_err(|e| Error::usage(format!("could not read {label}: {e}"), "pass the value as a flag instead"))
}

fn prompt_product(config: &Config) -> Result<String, Error> {
    if config.products.is_empty() {
        return prompt("Product");
    }
    let names: Vec<&str> = config.products.iter().map(|p| p.name.as_str()).collect();
    let i = dialoguer::Select::new()
        .with_prompt("Product")
        .items(&names)
        .default(0)
        .interact()
        .map_err(|e| Error::usage(format!("could not read the product: {e}"), "pass --product instead"))?;
    Ok(names[i].to_owned())
}

/// Moves a refused edited report out of the work tree (so it takes no id and cannot be
/// committed by accident) into the git directory, and says where it is.
fn keep_draft(repo: &Repo, file: &NewFile) {
    let from = repo.root().join(&file.path);
    let to = repo.git_dir().join(format!("enigm-draft-{}.md", file.id));
    match fs::rename(&from, &to) {
        Ok(()) => eprintln!(
            "note: nothing was created; your edited text is kept at {} (inside .git, never committed)",
            to.display()
        ),
        Err(_) => {
            let _ = fs::remove_file(&from);
        }
    }
}

/// Opens the user's editor on the new file, like `git commit` does.
fn edit(repo: &Repo, file: &NewFile) -> Result<(), Error> {
    let editor = ["VISUAL", "EDITOR"]
        .iter()
        .find_map(|v| std::env::var(v).ok().filter(|e| !e.trim().is_empty()))
        .unwrap_or_else(|| "vi".to_owned());
    let path = repo.root().join(&file.path);
    let status = Command::new("sh")
        .arg("-c")
        .arg(format!("{editor} \"$@\""))
        .arg(&editor)
        .arg(&path)
        .status()
        .map_err(Error::io(format!("cannot start the editor `{editor}`")))?;
    if !status.success() {
        return Err(Error::usage(
            format!("the editor `{editor}` exited with {status}; the report was not created"),
            "set $VISUAL or $EDITOR to a working editor",
        ));
    }
    Ok(())
}
