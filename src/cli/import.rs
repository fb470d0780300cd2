//! `enigm-disclose import`: reports from what a channel delivered (e-mail, mbox, GitHub
//! security advisories, OSV records), one commit per item; the output says, per item, what
//! became of it and what was redacted. The work is `workflow::import`'s.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Args;
use enigm_disclose::Error;
use enigm_disclose::format::intake::{Incoming, IntakeError, detect, mail};
use enigm_disclose::store::clock;
use enigm_disclose::workflow::import::{self, Imported, Importer, Options, Outcome};
use miette::Diagnostic;
use serde::Serialize;

use super::Context;
use super::output::{Format, flag, print, print_json};

/// Import reports from e-mail (.eml, mbox), GitHub security advisories and OSV records.
///
/// Each item becomes a report committed as `new` makes one (same checks, same ids, sealed
/// in a sealed repository), with the message as its first correspondence entry; a message
/// already imported is skipped, and a reply to a known message is added to its report's
/// correspondence. Secrets are redacted before anything is written. Exit code 1 when an
/// item was refused. Formats and field mapping: docs/intake.md.
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  enigm-disclose import report.eml\n  enigm-disclose import --product web inbox.mbox\n  enigm-disclose import --keep-raw ~/security-originals - < message.eml\n  enigm-disclose import --format json advisories.json"
)]
pub struct ImportArgs {
    /// Files to import: .eml, mbox, GHSA or OSV JSON (the format is detected); `-` reads stdin.
    #[arg(required = true, value_name = "FILE", value_hint = clap::ValueHint::FilePath)]
    files: Vec<PathBuf>,
    /// The product of items that name none of the products in enigm.yaml.
    #[arg(long, value_name = "NAME")]
    product: Option<String>,
    /// Also keep each file's original bytes in DIR, outside the repository (mode 0600), for
    /// handling by hand what was redacted.
    #[arg(long, value_name = "DIR", value_hint = clap::ValueHint::DirPath)]
    keep_raw: Option<PathBuf>,
    /// Do not run the repository's pre-commit and commit-msg hooks (as `git commit --no-verify`).
    #[arg(long)]
    no_verify: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,
}

/// One item of the output, as `--format json` writes it (docs/intake.md, "Importing").
#[derive(Serialize)]
struct Item {
    input: String,
    /// Which of the command line's files (the same name may be given twice).
    #[serde(skip)]
    file: usize,
    item: usize,
    format: Option<&'static str>,
    source: Option<SourceOut>,
    outcome: &'static str,
    id: Option<String>,
    path: Option<String>,
    commit: Option<String>,
    title: Option<String>,
    redacted: Vec<import::Redacted>,
    withheld: Vec<import::Withheld>,
    duplicates: Vec<import::Duplicate>,
    error: Option<String>,
    help: Option<String>,
}

#[derive(Serialize)]
struct SourceOut {
    channel: String,
    id: String,
}

#[derive(Serialize)]
struct Kept {
    input: String,
    path: String,
}

#[derive(Serialize, Default)]
struct Counts {
    created: usize,
    follow_up: usize,
    already_imported: usize,
    refused: usize,
}

#[derive(Serialize)]
struct Report {
    items: Vec<Item>,
    kept_raw: Vec<Kept>,
    counts: Counts,
}

pub fn run(ctx: &Context, args: ImportArgs) -> Result<ExitCode, Error> {
    let (repo, config) = ctx.open()?;
    let today = clock::today()?;
    let identity = repo.identity()?;
    let identity = if args.no_verify { identity.without_hooks() } else { identity };
    repo.check_can_commit()?;
    check_product(&config, args.product.as_deref())?;
    let keep_dir = args.keep_raw.as_ref().map(|d| import::check_raw_dir(&repo, &ctx.cwd.join(d))).transpose()?;
    // A missing or unreadable file stops the command before anything is imported (exit 2);
    // one over the size limit is refused as an item.
    let mut inputs = Vec::new();
    for f in &args.files {
        let bytes = read_input(&ctx.cwd, f)?;
        let read = bytes.as_ref().ok().map(|b| detect::read(b));
        inputs.push(Input { name: f.display().to_string(), bytes, read });
    }
    let mut report = Report { items: Vec::new(), kept_raw: Vec::new(), counts: Counts::default() };
    // Every original is kept before anything is imported.
    if let Some(dir) = &keep_dir {
        report.kept_raw = keep_originals(&repo, dir, &inputs)?;
    }
    let by = super::author(&repo, Some(&identity)).unwrap_or_else(|| config.organization.name.clone());
    let options = Options { default_product: args.product.clone(), by, today };
    let _lock = super::locked(&repo)?;
    let mut importer = Importer::new(&repo, &config, options, &identity)?;
    for (file, input) in inputs.into_iter().enumerate() {
        let at = (file, input.name.as_str());
        match (input.bytes, input.read) {
            (Err(e), _) => report.items.push(item(at, 1, None, refused_input(e))),
            (Ok(_), None) => {}
            (Ok(_), Some(Err(e))) => report.items.push(item(at, 1, None, refused_input(import::intake_error(e)))),
            (Ok(_), Some(Ok((format, items)))) => {
                for (n, incoming) in items.into_iter().enumerate() {
                    let done = importer.import(incoming);
                    report.items.push(item(at, n + 1, Some(format.name()), done));
                }
            }
        }
    }
    report.counts = tally(&report.items);
    let code = if report.counts.refused > 0 { ExitCode::from(1) } else { ExitCode::SUCCESS };
    match args.format {
        Format::Json => print_json(&report)?,
        Format::Human => print(&human(&report))?,
    }
    Ok(code)
}

/// One file of the command line: its bytes (or why it is refused) and what they read as.
struct Input {
    name: String,
    bytes: Result<Vec<u8>, Error>,
    read: Option<ReadResult>,
}

type ReadResult = Result<(detect::Format, Vec<Result<Incoming, IntakeError>>), IntakeError>;

/// `--product` names a product of the configuration.
fn check_product(config: &enigm_disclose::format::config::Config, product: Option<&str>) -> Result<(), Error> {
    match product {
        Some(p) if config.product(p).is_none() => {
            let known: Vec<&str> = config.products.iter().map(|p| p.name.as_str()).collect();
            Err(Error::usage(
                format!("product `{p}` is not listed in enigm.yaml (known: {})", known.join(", ")),
                "products are listed in enigm.yaml under `products`",
            ))
        }
        _ => Ok(()),
    }
}

/// Keeps the original bytes of every readable input in `dir` (`--keep-raw`).
fn keep_originals(repo: &enigm_disclose::store::repo::Repo, dir: &Path, inputs: &[Input]) -> Result<Vec<Kept>, Error> {
    let mut kept = Vec::new();
    for input in inputs {
        let Ok(bytes) = &input.bytes else { continue };
        let ext = match &input.read {
            Some(Ok((detect::Format::Email, _))) => "eml",
            Some(Ok((detect::Format::Mbox, _))) => "mbox",
            Some(Ok((detect::Format::Ghsa | detect::Format::Osv, _))) => "json",
            _ => "raw",
        };
        let path = import::keep_raw(repo, dir, bytes, ext)?;
        kept.push(Kept { input: input.name.clone(), path: path.display().to_string() });
    }
    Ok(kept)
}

/// How many items had each outcome.
fn tally(items: &[Item]) -> Counts {
    let mut c = Counts::default();
    for i in items {
        match i.outcome {
            "created" => c.created += 1,
            "follow-up" => c.follow_up += 1,
            "already-imported" => c.already_imported += 1,
            _ => c.refused += 1,
        }
    }
    c
}

/// Reads one input (`-`: standard input), at most the readers' limit: a larger file is
/// refused (the inner error) before it is read.
fn read_input(cwd: &Path, file: &Path) -> Result<Result<Vec<u8>, Error>, Error> {
    let limit = mail::MAX_INPUT as u64;
    let too_large = |what: String| {
        Error::usage(
            format!("{what} is larger than {} MiB, the most `import` reads", limit / (1024 * 1024)),
            "import the message without its large attachments; keep large material outside the repository",
        )
    };
    if file == Path::new("-") {
        let mut bytes = Vec::new();
        std::io::stdin()
            .lock()
            .take(limit + 1)
            .read_to_end(&mut bytes)
            .map_err(Error::io("cannot read standard input"))?;
        return Ok(if bytes.len() as u64 > limit { Err(too_large("standard input".into())) } else { Ok(bytes) });
    }
    let path = cwd.join(file);
    let meta = std::fs::metadata(&path).map_err(Error::io(format!("cannot read {}", file.display())))?;
    if meta.len() > limit {
        return Ok(Err(too_large(format!("{} ({:.1} MiB)", file.display(), meta.len() as f64 / (1024.0 * 1024.0)))));
    }
    enigm_disclose::layout::read_regular(&path, limit)
        .map(Ok)
        .map_err(Error::io(format!("cannot read {}", file.display())))
}

fn refused_input(e: Error) -> Imported {
    Imported { source: None, title: None, redactions: Default::default(), outcome: Outcome::Refused(e) }
}

/// One item of the output from what became of it.
fn item((file, input): (usize, &str), n: usize, format: Option<&'static str>, done: Imported) -> Item {
    let source = done
        .source
        .as_ref()
        .map(|s| SourceOut { channel: s.channel().to_string(), id: import::source_key(s).to_owned() });
    let mut out = Item {
        input: input.to_owned(),
        file,
        item: n,
        format,
        source,
        outcome: "refused",
        id: None,
        path: None,
        commit: None,
        title: done.title,
        redacted: done.redactions.redacted,
        withheld: done.redactions.withheld,
        duplicates: Vec::new(),
        error: None,
        help: None,
    };
    match done.outcome {
        Outcome::Created { id, path, commit, duplicates } => {
            out.outcome = "created";
            out.id = Some(id);
            out.path = Some(path.to_string_lossy().replace('\\', "/"));
            out.commit = Some(commit.to_string());
            out.duplicates = duplicates;
        }
        Outcome::FollowUp { id, commit } => {
            out.outcome = "follow-up";
            out.id = Some(id);
            out.commit = Some(commit.to_string());
        }
        Outcome::Already { id } => {
            out.outcome = "already-imported";
            out.id = Some(id);
        }
        Outcome::Refused(e) => {
            let (message, help) = describe(&e);
            out.error = Some(message);
            out.help = help;
            // The whole diagnostic (findings with their lines) goes to stderr.
            super::output::fail(&e);
        }
    }
    out
}

/// An error's message and help as this command line words them (fields as flags).
fn describe(e: &Error) -> (String, Option<String>) {
    match e {
        Error::Usage { message, help } => (message.render(flag), help.as_ref().map(|h| h.render(flag))),
        other => (other.to_string(), other.help().map(|h| h.to_string())),
    }
}

/// The human output: one line per item, indented details, a count.
fn human(report: &Report) -> String {
    let multi = |file: usize| report.items.iter().filter(|i| i.file == file).count() > 1;
    let mut s = String::new();
    for i in &report.items {
        let label = if multi(i.file) { format!("{}#{}", i.input, i.item) } else { i.input.clone() };
        let id = i.id.as_deref().unwrap_or_default();
        let short = i.commit.as_deref().map(|c| &c[..7.min(c.len())]).unwrap_or_default();
        let line = match i.outcome {
            "created" => format!("created {id} — {} (commit {short})", i.title.as_deref().unwrap_or_default()),
            "follow-up" => format!("follow-up attached to {id} (commit {short})"),
            "already-imported" => {
                format!("already imported as {id} ({})", i.source.as_ref().map_or("", |s| s.id.as_str()))
            }
            _ => format!("refused: {}", i.error.as_deref().unwrap_or_default()),
        };
        s.push_str(&format!("{label}: {line}\n"));
        details(i, &mut s);
    }
    for k in &report.kept_raw {
        s.push_str(&format!("kept the original of {} at {}\n", k.input, k.path));
    }
    let c = &report.counts;
    s.push_str(&format!(
        "{} created, {} follow-up{}, {} already imported, {} refused\n",
        c.created,
        c.follow_up,
        if c.follow_up == 1 { "" } else { "s" },
        c.already_imported,
        c.refused
    ));
    s
}

/// The indented lines under an item: redactions (one per secret, with every field it was
/// in), withheld attachments, likely duplicates.
fn details(i: &Item, s: &mut String) {
    let mut seen: Vec<(&str, &str, Vec<&str>)> = Vec::new();
    for r in &i.redacted {
        match seen.iter_mut().find(|(_, m, _)| *m == r.marker) {
            Some((_, _, fields)) if !fields.contains(&r.field.as_str()) => fields.push(&r.field),
            Some(_) => {}
            None => seen.push((&r.kind, &r.marker, vec![&r.field])),
        }
    }
    for (kind, marker, fields) in seen {
        s.push_str(&format!("  redacted {kind} in {}: {marker}\n", fields.join(", ")));
    }
    for w in &i.withheld {
        s.push_str(&format!("  withheld attachment {}: {}\n", w.name, w.why));
    }
    for d in &i.duplicates {
        s.push_str(&format!("  likely duplicate of {} (similarity {:.2})\n", d.id, d.similarity));
    }
}
