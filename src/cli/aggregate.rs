//! `enigm-disclose aggregate`: several disclosure repositories read as one (docs/aggregate.md).
//!
//! The subcommands are the organisation-wide `list`, `due` and `stats`, the dashboard, and the
//! combined public site. Every member is read from its committed tree at its `ref`, never
//! written: output goes to stdout, or to a file or directory outside every member.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, Subcommand};
use enigm_disclose::Error;
use enigm_disclose::error::FileProblem;
use enigm_disclose::format::aggregate::AggregateFile;
use enigm_disclose::format::finding::Finding;
use enigm_disclose::query::aggregate::{self, MemberDue, MemberRow, MemberUnreadable, Set, SetStats};
use enigm_disclose::query::stats::StatsRequest;
use serde::Serialize;

use super::Context;
use super::list::{SortArg, WITHHELD, level_text, severity_text};
use super::output::{color_stdout, deadline_style, parse_date, print, print_json, severity_style, stdout_width};
use super::table::{Cell, Table};

mod site;

/// Read several disclosure repositories as one: list, due, stats, dashboard, combined site.
///
/// The repositories are listed in a small YAML file (docs/aggregate.md): a name, a local
/// path (a clone or a bare repository; fetch remote ones yourself) and the ref whose
/// committed tree is read. Nothing is written into any of them. Every row names its
/// repository; each repository's deadlines follow its own policy. Two repositories with one
/// id prefix are a finding (exit 1).
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  enigm-disclose aggregate list --open\n  enigm-disclose aggregate --file org.yaml due --format json\n  enigm-disclose aggregate stats\n  enigm-disclose aggregate dashboard org-dashboard.html\n  enigm-disclose aggregate render public-site"
)]
pub struct AggregateArgs {
    /// The file listing the repositories.
    #[arg(long, value_name = "FILE", default_value = "aggregate.yaml", value_hint = clap::ValueHint::FilePath)]
    file: PathBuf,
    #[command(subcommand)]
    command: AggregateCommand,
}

#[derive(Debug, Subcommand)]
enum AggregateCommand {
    List(ListArgs),
    Due(DueArgs),
    Stats(StatsArgs),
    Dashboard(DashboardArgs),
    Render(site::RenderArgs),
}

/// Every repository's reports as one table (the filters of `list`).
#[derive(Debug, Args)]
struct ListArgs {
    #[command(flatten)]
    query: super::select::QueryArgs,
    /// Order of the rows (then repository and id).
    #[arg(long, value_enum, default_value_t = SortArg::Id)]
    sort: SortArg,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ViewFormat::Table)]
    format: ViewFormat,
    /// The date deadlines and ages count to [default: ENIGM_TODAY or the local date].
    #[arg(long, value_parser = parse_date, value_name = "DATE")]
    today: Option<chrono::NaiveDate>,
}

/// Every repository's overdue and upcoming deadlines, most urgent first; exit 1 when any is
/// overdue.
#[derive(Debug, Args)]
struct DueArgs {
    /// Also list deadlines due within this many days.
    #[arg(long, default_value_t = 14, value_name = "DAYS")]
    within: u32,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ViewFormat::Table)]
    format: ViewFormat,
    /// The date deadlines count to [default: ENIGM_TODAY or the local date].
    #[arg(long, value_parser = parse_date, value_name = "DATE")]
    today: Option<chrono::NaiveDate>,
    /// Show the reports' titles (without it, only on a terminal, as `due` does).
    #[arg(long)]
    show_titles: bool,
}

/// Disclosure metrics per repository and for all of them together.
#[derive(Debug, Args)]
struct StatsArgs {
    /// Only reports received on or after this date.
    #[arg(long, value_parser = parse_date, value_name = "DATE")]
    since: Option<chrono::NaiveDate>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = super::output::Format::Human)]
    format: super::output::Format,
    /// The date ages and deadlines count to [default: ENIGM_TODAY or the local date].
    #[arg(long, value_parser = parse_date, value_name = "DATE")]
    today: Option<chrono::NaiveDate>,
}

/// Write the organisation-wide HTML dashboard (internal: it counts unpublished reports).
#[derive(Debug, Args)]
struct DashboardArgs {
    /// The HTML file to write (outside every repository of the set).
    file: PathBuf,
    /// Replace FILE if it exists.
    #[arg(long)]
    force: bool,
    /// Only reports received on or after this date.
    #[arg(long, value_parser = parse_date, value_name = "DATE")]
    since: Option<chrono::NaiveDate>,
    /// Show titles of unpublished (and embargoed) reports.
    #[arg(long)]
    with_titles: bool,
    /// The date ages and deadlines count to [default: ENIGM_TODAY or the local date].
    #[arg(long, value_parser = parse_date, value_name = "DATE")]
    today: Option<chrono::NaiveDate>,
}

/// Output of `aggregate list` and `aggregate due`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum ViewFormat {
    Table,
    Json,
}

/// The aggregate file, read and parsed, and the directory its paths are relative to.
pub struct Loaded {
    pub file: AggregateFile,
    pub path: PathBuf,
    pub dir: PathBuf,
}

/// Largest aggregate file read.
const MAX_FILE: u64 = 1024 * 1024;

fn load_file(ctx: &Context, file: &Path) -> Result<Loaded, Error> {
    let path = ctx.cwd.join(file);
    let bytes = enigm_disclose::layout::read_regular(&path, MAX_FILE).map_err(|e| {
        Error::usage(
            format!("cannot read the aggregate file {}: {e}", file.display()),
            "list the repositories in aggregate.yaml (docs/aggregate.md), or name the file with {file}",
        )
    })?;
    let text = String::from_utf8_lossy(&bytes).into_owned();
    let parsed = AggregateFile::parse(file, &text)?;
    let dir = path.parent().map_or_else(|| ctx.cwd.clone(), Path::to_owned);
    Ok(Loaded { file: parsed, path: file.to_owned(), dir })
}

pub fn run(ctx: &Context, args: AggregateArgs) -> Result<ExitCode, Error> {
    let loaded = load_file(ctx, &args.file)?;
    match args.command {
        AggregateCommand::List(a) => run_list(&loaded, a),
        AggregateCommand::Due(a) => run_due(&loaded, a),
        AggregateCommand::Stats(a) => run_stats(&loaded, a),
        AggregateCommand::Dashboard(a) => run_dashboard(ctx, &loaded, a),
        AggregateCommand::Render(a) => site::run(ctx, &loaded, a),
    }
}

/// Prints the prefix clashes of the set (stderr) and returns them.
pub fn clashes(loaded: &Loaded, set: &Set) -> Vec<Finding> {
    let found = aggregate::prefix_clashes(set, &loaded.path);
    for f in &found {
        super::output::eprint_diagnostic(&FileProblem::new(f.clone(), None));
    }
    found
}

/// Findings as the JSON outputs carry them.
#[derive(Serialize)]
struct FindingJson<'a> {
    code: &'static str,
    message: &'a str,
    help: Option<&'a str>,
}

fn findings_json(findings: &[Finding]) -> Vec<FindingJson<'_>> {
    findings
        .iter()
        .map(|f| FindingJson { code: f.code.as_str(), message: &f.message, help: f.help.as_deref() })
        .collect()
}

/// The repositories as the JSON outputs name them.
#[derive(Serialize)]
struct MemberJson<'a> {
    name: &'a str,
    path: String,
    #[serde(rename = "ref")]
    rev: &'a str,
    commit: &'a str,
    id_prefix: &'a str,
}

fn members_json(set: &Set) -> Vec<MemberJson<'_>> {
    set.members
        .iter()
        .map(|m| MemberJson {
            name: &m.name,
            path: m.path.display().to_string(),
            rev: &m.rev,
            commit: &m.commit,
            id_prefix: &m.config.id_prefix,
        })
        .collect()
}

/// Warns about files that could not be read, naming their repository; 1 when any was.
fn warn_unreadable(unreadable: &[MemberUnreadable]) -> u8 {
    if unreadable.is_empty() {
        return 0;
    }
    eprintln!("warning: {} report file(s) could not be read and are left out:", unreadable.len());
    for u in unreadable.iter().take(10) {
        let message = enigm_disclose::rules::redact::mask_text(&u.file.message);
        let shown = super::table::sanitize(&format!("{}: {}: {message}", u.repository, u.file.path.display()));
        eprintln!("  {shown}");
    }
    if unreadable.len() > 10 {
        eprintln!("  … and {} more", unreadable.len() - 10);
    }
    eprintln!("  run `enigm-disclose validate` in those repositories for details");
    1
}

/// Exit 1 when there were findings (clashes, unreadable files) or `also`.
fn code(findings: &[Finding], unreadable: &[MemberUnreadable], also: bool) -> ExitCode {
    let bad = !findings.is_empty() || warn_unreadable(unreadable) > 0 || also;
    if bad { ExitCode::from(1) } else { ExitCode::SUCCESS }
}

#[derive(Serialize)]
struct ListJson<'a> {
    today: chrono::NaiveDate,
    repositories: Vec<MemberJson<'a>>,
    reports: &'a [MemberRow],
    unreadable: &'a [MemberUnreadable],
    findings: Vec<FindingJson<'a>>,
}

fn run_list(loaded: &Loaded, args: ListArgs) -> Result<ExitCode, Error> {
    let now = super::output::now(args.today)?;
    let filter = args.query.filter();
    let (set, rows, unreadable) = aggregate::rows(&loaded.file, &loaded.dir, now, &filter, args.sort.key())?;
    let findings = clashes(loaded, &set);
    match args.format {
        ViewFormat::Table => {
            print(&list_table(&rows))?;
            if rows.is_empty() {
                eprintln!("no reports match");
            }
        }
        ViewFormat::Json => print_json(&ListJson {
            today: now.today,
            repositories: members_json(&set),
            reports: &rows,
            unreadable: &unreadable,
            findings: findings_json(&findings),
        })?,
    }
    Ok(code(&findings, &unreadable, false))
}

fn list_table(rows: &[MemberRow]) -> String {
    let mut t = Table::new(vec!["REPOSITORY", "ID", "STATE", "SEVERITY", "AGE", "NEXT DEADLINE", "TITLE"]);
    for MemberRow { repository, row: r } in rows {
        let (deadline, style) = r
            .next_deadline
            .as_ref()
            .map_or(("-".into(), super::table::Style::Dim), |d| (d.describe(), deadline_style(d)));
        t.push(vec![
            Cell::plain(repository),
            Cell::plain(&r.id),
            Cell::plain(r.state.as_str()),
            Cell::new(severity_text(r), severity_style(r.severity)),
            Cell::plain(format!("{}d", r.age_days)),
            Cell::new(deadline, style),
            Cell::plain(&r.title),
        ]);
    }
    t.render(color_stdout(), stdout_width())
}

#[derive(Serialize)]
struct DueJson<'a> {
    today: chrono::NaiveDate,
    now: chrono::DateTime<chrono::FixedOffset>,
    within_days: u32,
    overdue: usize,
    titles_withheld: bool,
    repositories: Vec<MemberJson<'a>>,
    items: &'a [MemberDue],
    unreadable: &'a [MemberUnreadable],
    findings: Vec<FindingJson<'a>>,
}

fn run_due(loaded: &Loaded, args: DueArgs) -> Result<ExitCode, Error> {
    let now = super::output::now(args.today)?;
    let (set, mut items, mut unreadable) = aggregate::due(&loaded.file, &loaded.dir, now, i64::from(args.within))?;
    let findings = clashes(loaded, &set);
    // As `due`: every item is unpublished, so off a terminal nothing of its text is shown.
    let withheld = !(args.show_titles || std::io::stdout().is_terminal());
    if withheld {
        items.iter_mut().for_each(|i| i.item.title = WITHHELD.to_owned());
        for u in &mut unreadable {
            u.file.message = "cannot be read as a report (details withheld: --show-titles)".to_owned();
        }
    }
    let overdue = items.iter().filter(|i| i.item.overdue).count();
    match args.format {
        ViewFormat::Table if items.is_empty() => eprintln!("nothing overdue or due within {} days", args.within),
        ViewFormat::Table => {
            print(&due_table(&items))?;
            eprintln!("{overdue} overdue, {} due within {} days", items.len() - overdue, args.within);
        }
        ViewFormat::Json => print_json(&DueJson {
            today: now.today,
            now: now.at,
            within_days: args.within,
            overdue,
            titles_withheld: withheld,
            repositories: members_json(&set),
            items: &items,
            unreadable: &unreadable,
            findings: findings_json(&findings),
        })?,
    }
    Ok(code(&findings, &unreadable, overdue > 0))
}

fn due_table(items: &[MemberDue]) -> String {
    let mut t = Table::new(vec!["REPOSITORY", "DUE", "DEADLINE", "ID", "STATE", "SEVERITY", "TITLE"]);
    for MemberDue { repository, item: i } in items {
        let d = &i.deadline;
        t.push(vec![
            Cell::plain(repository),
            Cell::new(d.describe(), deadline_style(d)),
            Cell::plain(d.due.to_string()),
            Cell::plain(&i.id),
            Cell::plain(i.state.as_str()),
            Cell::new(level_text(i.severity), severity_style(i.severity)),
            Cell::plain(&i.title),
        ]);
    }
    t.render(color_stdout(), stdout_width())
}

fn stats_request(
    today: Option<chrono::NaiveDate>,
    since: Option<chrono::NaiveDate>,
    titles: bool,
) -> Result<StatsRequest, Error> {
    let now = today.is_none().then(enigm_disclose::store::clock::now).transpose()?;
    Ok(StatsRequest { today: super::output::today(today)?, since, with_titles: titles, now })
}

#[derive(Serialize)]
struct StatsJson<'a> {
    repositories: Vec<MemberJson<'a>>,
    #[serde(flatten)]
    stats: &'a SetStats,
    unreadable: &'a [MemberUnreadable],
    findings: Vec<FindingJson<'a>>,
}

fn run_stats(loaded: &Loaded, args: StatsArgs) -> Result<ExitCode, Error> {
    let req = stats_request(args.today, args.since, false)?;
    let (set, figures, unreadable) = aggregate::stats(&loaded.file, &loaded.dir, &req)?;
    let findings = clashes(loaded, &set);
    match args.format {
        super::output::Format::Json => print_json(&StatsJson {
            repositories: members_json(&set),
            stats: &figures,
            unreadable: &unreadable,
            findings: findings_json(&findings),
        })?,
        super::output::Format::Human => print(&stats_human(&loaded.file.name, &figures))?,
    }
    Ok(code(&findings, &unreadable, false))
}

fn stats_human(name: &str, s: &SetStats) -> String {
    let mut t = Table::new(vec!["REPOSITORY", "PREFIX", "REPORTS", "OPEN", "OVERDUE", "NOT ACKNOWLEDGED", "EMBARGOED"]);
    for m in &s.repositories {
        let f = &m.stats;
        let counts = [f.total, f.open, f.overdue, f.unacknowledged, f.embargoed];
        let mut row = vec![Cell::plain(&m.repository), Cell::plain(&m.id_prefix)];
        row.extend(counts.map(|n| Cell::plain(n.to_string())));
        t.push(row);
    }
    let mut out = t.render(color_stdout(), None);
    out.push_str(&format!("\n{}, all {} repositories:\n", super::table::sanitize(name), s.repositories.len()));
    out.push_str(&super::stats::human(&s.total));
    out
}

fn run_dashboard(ctx: &Context, loaded: &Loaded, args: DashboardArgs) -> Result<ExitCode, Error> {
    let req = stats_request(args.today, args.since, args.with_titles)?;
    let (set, figures, unreadable) = aggregate::stats(&loaded.file, &loaded.dir, &req)?;
    let findings = clashes(loaded, &set);
    let path = ctx.cwd.join(&args.file);
    site::outside_members(&set, &path)?;
    if !args.force && std::fs::symlink_metadata(&path).is_ok() {
        return Err(Error::usage(
            format!("{} exists", args.file.display()),
            "name a new file, or replace it with {force}",
        ));
    }
    let renderer = enigm_disclose::publish::templates::Renderer::new(None)?;
    let page = enigm_disclose::publish::dashboard::html(&renderer, &figures.total, &loaded.file.name)?;
    enigm_disclose::store::files::write_atomic(&path, page.as_bytes())
        .map_err(Error::io(format!("cannot write {}", path.display())))?;
    eprintln!("wrote the dashboard of {} repositories to {}", set.members.len(), args.file.display());
    Ok(code(&findings, &unreadable, false))
}
