//! `enigm-disclose stats`: disclosure metrics, as a table, JSON or an HTML dashboard.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;
use enigm_disclose::Error;
use enigm_disclose::format::report::State;
use enigm_disclose::query::catalog::Catalog;
use enigm_disclose::query::stats::{self, Durations, Stats, StatsRequest};

use super::Context;
use super::output::{Format, color_stdout, parse_date, print, print_json};
use super::output::{today, warn_unreadable};
use super::table::{Cell, Style, Table};

/// Disclosure metrics: counts, and days to triage, fix and publish.
///
/// Counts per state and severity; median and 90th percentile days to triage, fix and publish,
/// overall and per product; computed from the timelines. `--html FILE` also writes a self-contained dashboard page (SVG charts, no external
/// assets). It is internal: it counts embargoed and unpublished reports, but shows their
/// titles only with `--with-titles`.
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  enigm-disclose stats\n  enigm-disclose stats --since 2026-01-01 --format json\n  enigm-disclose stats --html dashboard.html"
)]
pub struct StatsArgs {
    /// Only reports received on or after this date.
    #[arg(long, value_parser = parse_date, value_name = "DATE")]
    since: Option<chrono::NaiveDate>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,
    /// Also write the HTML dashboard to FILE.
    #[arg(long, value_name = "FILE")]
    html: Option<PathBuf>,
    /// Replace the --html file even if it exists or git tracks it.
    #[arg(long, requires = "html")]
    force: bool,
    /// Show titles of unpublished (and embargoed) reports in the dashboard.
    #[arg(long)]
    with_titles: bool,
    /// The date ages and deadlines count to [default: ENIGM_TODAY or the local date].
    #[arg(long, value_parser = parse_date, value_name = "DATE")]
    today: Option<chrono::NaiveDate>,
}

pub fn run(ctx: &Context, args: StatsArgs) -> Result<ExitCode, Error> {
    let (repo, config) = ctx.open()?;
    let today = today(args.today)?;
    let catalog = Catalog::load(repo.root())?;
    let now = (args.today.is_none()).then(enigm_disclose::store::clock::now).transpose()?;
    let req = StatsRequest { today, since: args.since, with_titles: args.with_titles, now };
    let figures = stats::compute(&catalog, &config.policy, &req);
    match args.format {
        Format::Json => print_json(&figures)?,
        Format::Human => print(&human(&figures))?,
    }
    if let Some(file) = &args.html {
        let path = ctx.cwd.join(file);
        super::output::check_output(&repo, &path, args.force)?;
        let renderer = enigm_disclose::publish::templates::Renderer::new(Some(repo.root()))?;
        let page = enigm_disclose::publish::dashboard::html(&renderer, &figures, &config.organization.name)?;
        super::output::write_output(&repo, &path, page.as_bytes())?;
        eprintln!("wrote the dashboard to {}", file.display());
    }
    Ok(warn_unreadable(&catalog.unreadable))
}

fn days(d: Option<i64>) -> String {
    d.map_or_else(|| "-".to_owned(), |d| format!("{d}d"))
}

fn duration_cells(d: &Durations) -> [Cell; 3] {
    [Cell::plain(days(d.median)), Cell::plain(days(d.p90)), Cell::plain(d.count.to_string())]
}

pub(super) fn human(s: &Stats) -> String {
    let color = color_stdout();
    let mut out = String::new();
    let since = s.since.map(|d| format!(" received since {d}")).unwrap_or_default();
    out.push_str(&format!(
        "{} reports{since}: {} open, {} overdue, {} not acknowledged, {} under embargo (as of {})\n",
        s.total, s.open, s.overdue, s.unacknowledged, s.embargoed, s.today
    ));
    if s.not_reports > 0 {
        out.push_str(&format!(
            "{} closed as spam or invalid: counted here, left out of the times to triage, fix and publish\n",
            s.not_reports
        ));
    }
    if s.vex_statements > 0 {
        out.push_str(&format!(
            "{} VEX statements (about others' vulnerabilities): counted here, left out of the times and of not acknowledged\n",
            s.vex_statements
        ));
    }
    out.push('\n');
    let mut states = Table::new(vec!["STATE", "REPORTS"]);
    for state in State::ALL {
        let n = s.by_state.get(state.as_str()).copied().unwrap_or(0);
        states.push(vec![Cell::plain(state.as_str()), Cell::plain(n.to_string())]);
    }
    out.push_str(&states.render(color, None));
    out.push('\n');
    let mut levels = Table::new(vec!["SEVERITY", "REPORTS"]);
    for level in ["critical", "high", "medium", "low", "none", "unknown"] {
        if let Some(n) = s.by_severity.get(level) {
            let style = super::output::severity_style(level.parse().ok());
            levels.push(vec![Cell::new(level, style), Cell::plain(n.to_string())]);
        }
    }
    out.push_str(&levels.render(color, None));
    out.push('\n');
    if !s.by_ssvc.is_empty() {
        let mut outcomes = Table::new(vec!["SSVC", "REPORTS"]);
        for (outcome, n) in &s.by_ssvc {
            outcomes.push(vec![Cell::plain(outcome), Cell::plain(n.to_string())]);
        }
        out.push_str(&outcomes.render(color, None));
        out.push('\n');
    }
    if s.exploited > 0 {
        out.push_str(&format!("{} exploited, {} with a missed CRA deadline\n\n", s.exploited, s.cra_overdue));
    }
    let mut times = Table::new(vec!["DAYS TO", "MEDIAN", "P90", "REPORTS"]);
    let t = &s.times;
    for (name, d) in
        [("first response", &t.first_response), ("triage", &t.triage), ("fix", &t.fix), ("publish", &t.publish)]
    {
        let mut row = vec![Cell::new(name, Style::Plain)];
        row.extend(duration_cells(d));
        times.push(row);
    }
    out.push_str(&times.render(color, None));
    if !s.by_product.is_empty() {
        out.push('\n');
        let mut products =
            Table::new(vec!["PRODUCT", "REPORTS", "OPEN", "TRIAGE MEDIAN", "FIX MEDIAN", "FIX P90", "PUBLISH MEDIAN"]);
        for (name, p) in &s.by_product {
            products.push(vec![
                Cell::plain(name),
                Cell::plain(p.total.to_string()),
                Cell::plain(p.open.to_string()),
                Cell::plain(days(p.times.triage.median)),
                Cell::plain(days(p.times.fix.median)),
                Cell::plain(days(p.times.fix.p90)),
                Cell::plain(days(p.times.publish.median)),
            ]);
        }
        out.push_str(&products.render(color, None));
    }
    out
}
