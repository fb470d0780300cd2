//! `enigm-disclose list` and `enigm-disclose due`: the morning view of a disclosure repo.

use std::io::IsTerminal;
use std::process::ExitCode;

use clap::{Args, ValueEnum};
use enigm_disclose::Error;
use enigm_disclose::format::report::Level;
use enigm_disclose::query::catalog::{self, DueItem, Row, SortKey, Unreadable};
use serde::Serialize;

use super::Context;
use super::output::{
    color_stdout, deadline_style, parse_date, print, print_json, severity_style, stdout_width, warn_unreadable,
};
use super::table::{Cell, CsvField, Style, Table, csv};

/// List reports as a table: id, state, severity, product, age, next deadline, title.
///
/// Filters combine (a report must pass all of them); a filter given several times (or with
/// commas) accepts any of its values. Colour marks severity and overdue deadlines when
/// standard output is a terminal and NO_COLOR is not set.
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  enigm-disclose list --open --sort deadline\n  enigm-disclose list --state received,triaged --severity critical,high\n  enigm-disclose list --overdue --format csv > overdue.csv\n  enigm-disclose list --state received --older-than 3d"
)]
pub struct ListArgs {
    #[command(flatten)]
    query: super::select::QueryArgs,
    /// Order of the rows.
    #[arg(long, value_enum, default_value_t = SortArg::Id)]
    sort: SortArg,
    /// Output format.
    #[arg(long, value_enum, default_value_t = TableFormat::Table)]
    format: TableFormat,
    /// The date deadlines and ages count to [default: ENIGM_TODAY or the local date].
    #[arg(long, value_parser = parse_date, value_name = "DATE")]
    today: Option<chrono::NaiveDate>,
}

/// List overdue and upcoming deadlines, most urgent first; exit 1 when any is overdue.
///
/// Exit 1 makes it a CI or cron alert. Deadlines come from `policy` in enigm.yaml: acknowledge, triage, fix (by severity) and
/// publish, counted from the `reported` date (calendar or business days); an embargo date
/// replaces the publication deadline.
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  enigm-disclose due                    # overdue and due within 14 days\n  enigm-disclose due --within 30 --format json\n  ENIGM_TODAY=2026-07-01 enigm-disclose due   # as on another day"
)]
pub struct DueArgs {
    /// Also list deadlines due within this many days.
    #[arg(long, default_value_t = 14, value_name = "DAYS")]
    within: u32,
    /// Output format.
    #[arg(long, value_enum, default_value_t = TableFormat::Table)]
    format: TableFormat,
    /// The date deadlines count to [default: ENIGM_TODAY or the local date].
    #[arg(long, value_parser = parse_date, value_name = "DATE")]
    today: Option<chrono::NaiveDate>,
    /// Show the reports' titles (and why unreadable files could not be read). Without it they
    /// are shown only when standard output is a terminal: in CI logs and files, `due` names
    /// reports by id.
    #[arg(long)]
    show_titles: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(super) enum SortArg {
    Id,
    State,
    /// Most severe first.
    Severity,
    /// Oldest first.
    Age,
    /// Most urgent first.
    Deadline,
    Product,
    Title,
}

/// Output of `list` and `due`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TableFormat {
    Table,
    Json,
    Csv,
}

impl SortArg {
    pub(super) fn key(self) -> SortKey {
        match self {
            SortArg::Id => SortKey::Id,
            SortArg::State => SortKey::State,
            SortArg::Severity => SortKey::Severity,
            SortArg::Age => SortKey::Age,
            SortArg::Deadline => SortKey::Deadline,
            SortArg::Product => SortKey::Product,
            SortArg::Title => SortKey::Title,
        }
    }
}

pub fn run_list(ctx: &Context, args: ListArgs) -> Result<ExitCode, Error> {
    let (repo, config) = ctx.open()?;
    let now = super::output::now(args.today)?;
    let today = now.today;
    let filter = args.query.filter();
    let (rows, unreadable) = catalog::rows(repo.root(), &config.policy, now, &filter, args.sort.key())?;
    match args.format {
        TableFormat::Table => {
            print(&list_table(&rows))?;
            if rows.is_empty() {
                eprintln!("no reports match");
            }
        }
        TableFormat::Json => print_json(&ListJson { today, reports: &rows, unreadable: &unreadable })?,
        TableFormat::Csv => super::output::print_data(&list_csv(&rows))?,
    }
    Ok(warn_unreadable(&unreadable))
}

pub fn run_due(ctx: &Context, args: DueArgs) -> Result<ExitCode, Error> {
    let (repo, config) = ctx.open()?;
    let now = super::output::now(args.today)?;
    let today = now.today;
    let (mut items, mut unreadable) = catalog::due_in(repo.root(), &config.policy, now, i64::from(args.within))?;
    // Every report `due` lists is unpublished: off a terminal, nothing of its text is shown.
    let withheld = !(args.show_titles || std::io::stdout().is_terminal());
    if withheld {
        for i in &mut items {
            i.title = WITHHELD.to_owned();
        }
        for u in &mut unreadable {
            u.message = "cannot be read as a report (details withheld: --show-titles)".to_owned();
        }
    }
    let overdue = items.iter().filter(|i| i.overdue).count();
    match args.format {
        TableFormat::Table => {
            if items.is_empty() {
                eprintln!("nothing overdue or due within {} days", args.within);
            } else {
                print(&due_table(&items))?;
                eprintln!("{overdue} overdue, {} due within {} days", items.len() - overdue, args.within);
            }
        }
        TableFormat::Json => print_json(&DueJson {
            today,
            now: now.at,
            within_days: args.within,
            overdue,
            titles_withheld: withheld,
            items: &items,
            unreadable: &unreadable,
        })?,
        TableFormat::Csv => super::output::print_data(&due_csv(&items))?,
    }
    let code = warn_unreadable(&unreadable);
    Ok(if overdue > 0 { ExitCode::from(1) } else { code })
}

/// The title `due` shows in place of a report's own, off a terminal without `--show-titles`.
pub(super) const WITHHELD: &str = "(withheld: --show-titles)";

#[derive(Serialize)]
struct ListJson<'a> {
    today: chrono::NaiveDate,
    reports: &'a [Row],
    unreadable: &'a [Unreadable],
}

#[derive(Serialize)]
struct DueJson<'a> {
    today: chrono::NaiveDate,
    /// The instant the deadlines in hours (CRA) count to.
    now: chrono::DateTime<chrono::FixedOffset>,
    within_days: u32,
    overdue: usize,
    /// Titles replaced by a placeholder (not a terminal, no `--show-titles`).
    titles_withheld: bool,
    items: &'a [DueItem],
    unreadable: &'a [Unreadable],
}

/// Tells the user (on stderr) which files were left out of a listing; the exit code is 1
/// when any was (a listing that leaves reports out is a finding), else 0.
pub(super) fn level_text(level: Option<Level>) -> &'static str {
    level.map_or("-", Level::as_str)
}

/// The level, with the SSVC outcome and an exploitation mark when the report has them
/// (`high · immediate · exploited`).
pub(super) fn severity_text(r: &Row) -> String {
    let mut parts = vec![level_text(r.severity).to_owned()];
    parts.extend(r.ssvc.clone());
    parts.extend(r.exploited.map(|_| "exploited".to_owned()));
    parts.join(" · ")
}

fn products_text(products: &[String]) -> String {
    match products {
        [] => "-".into(),
        [one] => one.clone(),
        [first, rest @ ..] => format!("{first} +{}", rest.len()),
    }
}

fn list_table(rows: &[Row]) -> String {
    let mut t = Table::new(vec!["ID", "STATE", "SEVERITY", "PRODUCT", "AGE", "NEXT DEADLINE", "TITLE"]);
    for r in rows {
        let (deadline, style) =
            r.next_deadline.as_ref().map_or(("-".into(), Style::Dim), |d| (d.describe(), deadline_style(d)));
        t.push(vec![
            Cell::plain(&r.id),
            Cell::plain(r.state.as_str()),
            Cell::new(severity_text(r), severity_style(r.severity)),
            Cell::plain(products_text(&r.products)),
            Cell::plain(format!("{}d", r.age_days)),
            Cell::new(deadline, style),
            Cell::plain(&r.title),
        ]);
    }
    t.render(color_stdout(), stdout_width())
}

fn list_csv(rows: &[Row]) -> String {
    let header = [
        "id",
        "state",
        "severity",
        "products",
        "assignee",
        "reported",
        "age_days",
        "next_deadline",
        "next_deadline_due",
        "overdue",
        "title",
    ];
    let rows: Vec<Vec<CsvField>> = rows
        .iter()
        .map(|r| {
            vec![
                CsvField::Value(r.id.clone()),
                CsvField::Value(r.state.to_string()),
                CsvField::Value(r.severity.map(|l| l.to_string()).unwrap_or_default()),
                CsvField::Text(r.products.join(" ")),
                CsvField::Text(r.assignee.clone().unwrap_or_default()),
                CsvField::Value(r.reported.to_string()),
                CsvField::Value(r.age_days.to_string()),
                CsvField::Value(r.next_deadline.as_ref().map(|d| d.kind.as_str().to_owned()).unwrap_or_default()),
                CsvField::Value(r.next_deadline.as_ref().map(|d| d.due.to_string()).unwrap_or_default()),
                CsvField::Value(r.overdue.to_string()),
                CsvField::Text(r.title.clone()),
            ]
        })
        .collect();
    csv(&header, &rows)
}

fn due_table(items: &[DueItem]) -> String {
    let mut t = Table::new(vec!["DUE", "WHEN", "DEADLINE", "ID", "STATE", "SEVERITY", "TITLE"]);
    for i in items {
        let d = &i.deadline;
        let when = d.when();
        let due = d.due_at.map_or_else(|| d.due.to_string(), |at| at.format("%Y-%m-%d %H:%M %:z").to_string());
        // The basis unless it is the plain policy, and the product whose own policy set it.
        let kind = match (d.product.as_deref(), d.basis) {
            (None, "policy") => d.kind.as_str().to_owned(),
            (None, basis) => format!("{} ({basis})", d.kind.as_str()),
            (Some(product), "policy") => format!("{} ({product})", d.kind.as_str()),
            (Some(product), basis) => format!("{} ({basis}, {product})", d.kind.as_str()),
        };
        t.push(vec![
            Cell::plain(due),
            Cell::new(when, deadline_style(d)),
            Cell::plain(kind),
            Cell::plain(&i.id),
            Cell::plain(i.state.as_str()),
            Cell::new(level_text(i.severity), severity_style(i.severity)),
            Cell::plain(&i.title),
        ]);
    }
    t.render(color_stdout(), stdout_width())
}

fn due_csv(items: &[DueItem]) -> String {
    // `due_at` and `hours_left` are set for the CRA deadlines only; appended, so the earlier
    // columns keep their places.
    let header = [
        "due",
        "days_left",
        "overdue",
        "deadline",
        "basis",
        "id",
        "state",
        "severity",
        "title",
        "due_at",
        "hours_left",
    ];
    let rows: Vec<Vec<CsvField>> = items
        .iter()
        .map(|i| {
            vec![
                CsvField::Value(i.deadline.due.to_string()),
                CsvField::Value(i.deadline.days_left.to_string()),
                CsvField::Value(i.overdue.to_string()),
                CsvField::Value(i.deadline.kind.as_str().to_owned()),
                CsvField::Value(i.deadline.basis.to_owned()),
                CsvField::Value(i.id.clone()),
                CsvField::Value(i.state.to_string()),
                CsvField::Value(i.severity.map(|l| l.to_string()).unwrap_or_default()),
                CsvField::Text(i.title.clone()),
                CsvField::Value(i.deadline.due_at.map(|at| at.to_rfc3339()).unwrap_or_default()),
                CsvField::Value(i.deadline.hours_left.map(|h| h.to_string()).unwrap_or_default()),
            ]
        })
        .collect();
    csv(&header, &rows)
}
