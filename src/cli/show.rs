//! `enigm-disclose show`: one report summarised for a terminal, or as JSON.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Args;
use enigm_disclose::Error;
use enigm_disclose::format::config::Config;
use enigm_disclose::format::cvss;
use enigm_disclose::format::report::{Document, Level, Report};
use enigm_disclose::format::versions;
use enigm_disclose::query::deadline::{self, Deadline};
use serde::Serialize;

use super::Context;
use super::markdown::to_terminal;
use super::output::{Format, color_stdout, parse_date, print, print_json};
use super::output::{deadline_style, severity_style};
use super::table::{Style, sanitize};

/// Show one report: fields, deadlines, timeline and the body, readable in a terminal.
///
/// This is the team's view: it includes the reporter's contact, timeline notes and private
/// sections. `--format json` prints the full parsed report.
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  enigm-disclose show 7\n  enigm-disclose show 2026-7 --format json | jq .report.severity"
)]
pub struct ShowArgs {
    /// The report id (`ENIGM-2026-0007`, `2026-7` or `7` when unambiguous).
    #[arg(add = clap_complete::engine::ArgValueCompleter::new(super::complete::report_ids))]
    id: String,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,
    /// The date deadlines count to [default: ENIGM_TODAY or the local date].
    #[arg(long, value_parser = parse_date, value_name = "DATE")]
    today: Option<chrono::NaiveDate>,
}

#[derive(Serialize)]
struct ShowJson<'a> {
    path: &'a Path,
    report: &'a Report,
    /// The level, or the one the CVSS vector scores.
    severity_level: Option<Level>,
    /// The base score of the main vector (`cvss`, else `cvss_v4`): the one the level follows.
    cvss_score: Option<f64>,
    /// Every score of every valid vector (`docs/queries.md`).
    cvss_scores: Vec<serde_json::Value>,
    deadlines: &'a [Deadline],
    /// The Markdown body, as written.
    body: &'a str,
}

pub fn run(ctx: &Context, args: ShowArgs) -> Result<ExitCode, Error> {
    let (repo, config) = ctx.open()?;
    let now = super::output::now(args.today)?;
    let id = super::report_id(&repo, &args.id)?;
    let path: PathBuf = enigm_disclose::store::scan::report_file(repo.root(), config.layout, &id);
    let doc = Document::load(repo.root(), &path)?;
    let report = doc.report()?;
    let mut deadlines = deadline::pending(&report, &config.policy, now);
    deadlines.extend(enigm_disclose::query::cra::pending(&report, &config.policy, now.at));
    match args.format {
        Format::Json => print_json(&ShowJson {
            path: &path,
            severity_level: report.level(),
            cvss_score: cvss_score(&report),
            cvss_scores: cvss_scores(&report),
            report: &report,
            deadlines: &deadlines,
            body: if doc.is_closed() { "" } else { doc.body_text() },
        })?,
        Format::Human => print(&human(&doc, &report, &deadlines, &config))?,
    }
    Ok(broken_seal(&doc))
}

/// Exit 1 (a finding) when the report's seal is damaged or altered: the file itself is wrong,
/// as `validate` reports it (`seal-unreadable`). No key, or a key that is not a recipient, is
/// not a fault of the file: the clear part is shown and the command succeeds.
fn broken_seal(doc: &Document) -> ExitCode {
    use enigm_disclose::format::{report::Seal, sealed::SealError};
    match &doc.seal {
        Some(Seal::Closed {
            why: why @ (SealError::Damaged { .. } | SealError::Tampered | SealError::BadPlaintext(_)),
        }) => {
            eprintln!("error: {}: {why} (`enigm-disclose validate` reports it as seal-unreadable)", doc.path.display());
            ExitCode::from(1)
        }
        _ => ExitCode::SUCCESS,
    }
}

/// The score of the main vector (`cvss`, else `cvss_v4`).
fn cvss_score(report: &Report) -> Option<f64> {
    let s = report.severity.as_ref()?;
    s.cvss.as_deref().or(s.cvss_v4.as_deref()).and_then(|v| cvss::assess(v).ok()).map(|a| a.score)
}

/// `{"field": "cvss" or "cvss_v4", "vector", ...scores}` for each valid vector.
fn cvss_scores(report: &Report) -> Vec<serde_json::Value> {
    let Some(s) = report.severity.as_ref() else { return Vec::new() };
    [("cvss", &s.cvss), ("cvss_v4", &s.cvss_v4)]
        .into_iter()
        .filter_map(|(field, v)| v.as_deref().map(|v| (field, v)))
        .filter_map(|(field, v)| {
            let mut scores = cvss::assess(v).ok()?.scores_json();
            scores["field"] = field.into();
            scores["vector"] = v.into();
            Some(scores)
        })
        .collect()
}

/// ` (9.8)` for a vector with base metrics only, else every score:
/// ` (CVSS-B 6.1 medium, CVSS-BTE 0.3 low)`.
fn scores_text(vector: &str) -> String {
    match cvss::assess(vector) {
        Ok(a) if a.others().is_empty() => format!(" ({:.1})", a.score),
        Ok(a) => format!(" ({})", a.describe()),
        Err(_) => String::new(),
    }
}

/// The SSVC decision, exploitation and enrichment lines, when the report has them:
/// `ssvc  out-of-cycle  exploitation public-poc, automatable yes, … (decided … by …)`.
fn threat_fields(r: &Report) -> Vec<(&'static str, String)> {
    let mut lines = Vec::new();
    if let Some(d) = &r.ssvc {
        let values: Vec<String> = d.values.iter().map(|(point, value)| format!("{point} {value}")).collect();
        let mut line = format!("{}  {}", d.outcome, values.join(", "));
        match (d.decided, &d.by) {
            (Some(at), Some(by)) => line.push_str(&format!(" (decided {} by {by})", at.format("%Y-%m-%d"))),
            (Some(at), None) => line.push_str(&format!(" (decided {})", at.format("%Y-%m-%d"))),
            (None, Some(by)) => line.push_str(&format!(" (decided by {by})")),
            (None, None) => {}
        }
        lines.push(("ssvc", line));
    }
    if let Some(e) = &r.exploited {
        lines.push(("exploited", format!("since {} ({})", e.since.format("%Y-%m-%d %H:%M %:z"), e.source.as_str())));
    }
    if let Some(k) = &r.kev {
        lines.push(("kev", format!("{} added {} (catalog {})", k.cve, k.date_added, k.catalog_version)));
    }
    if let Some(e) = &r.epss {
        lines.push(("epss", format!("{} score {:.5}, percentile {:.5} ({})", e.cve, e.score, e.percentile, e.date)));
    }
    lines
}

fn human(doc: &Document, r: &Report, deadlines: &[Deadline], _config: &Config) -> String {
    let color = color_stdout();
    let mut out = String::new();
    let _ = writeln!(out, "{}  {}", Style::Bold.paint(&r.id, color), Style::Bold.paint(&sanitize(&r.title), color));
    let mut field = |name: &str, value: String| {
        let _ = writeln!(out, "{:<11}{}", Style::Dim.paint(&format!("{name:<11}"), color).trim_end_matches(' '), value);
    };
    let since = r.timeline.last().map(|t| format!(" (since {})", t.date)).unwrap_or_default();
    field("state", format!("{}{since}", r.state));
    let level = r.level();
    let mut severity = severity_style(level).paint(level.map_or("-", Level::as_str), color);
    let sev = r.severity.as_ref();
    if let Some(v) = sev.and_then(|s| s.cvss.as_deref().or(s.cvss_v4.as_deref())) {
        severity.push_str(&format!("  {}{}", sanitize(v), scores_text(v)));
    }
    field("severity", severity);
    if let Some(v4) = sev.filter(|s| s.cvss.is_some()).and_then(|s| s.cvss_v4.as_deref()) {
        field("cvss v4.0", format!("{}{}", sanitize(v4), scores_text(v4)));
    }
    let mut reporter = sanitize(&r.reporter.name);
    if let Some(c) = &r.reporter.contact {
        reporter.push_str(&format!(" <{}>", sanitize(c)));
    }
    if let Some(c) = &r.reporter.credit {
        reporter.push_str(&format!(", credit: {}", sanitize(c)));
    }
    field("reported", format!("{} by {reporter}", r.reported));
    if !r.credits.is_empty() {
        let credits: Vec<String> =
            r.credits.iter().map(|c| format!("{} ({})", sanitize(&c.name), c.kind.label())).collect();
        field("credits", credits.join(", "));
    }
    for p in &r.products {
        let mut text = sanitize(&p.name);
        let (affected, fixed) = (versions::affected_text(p), versions::fixed_text(p));
        for (label, value) in [("component", &p.component), ("affected", &affected), ("fixed", &fixed)] {
            if let Some(v) = value {
                text.push_str(&format!("  {label} {}", sanitize(v)));
            }
        }
        if let Some(status) = p.status {
            text.push_str(&format!("  status {}", status.as_str()));
            if let Some(j) = p.justification {
                text.push_str(&format!(" ({})", j.as_str()));
            }
        }
        field("product", text);
    }
    for (name, value) in threat_fields(r) {
        field(name, sanitize(&value));
    }
    let optional = [
        ("cwe", (!r.cwe.is_empty()).then(|| r.cwe.join(", "))),
        ("aliases", (!r.aliases.is_empty()).then(|| r.aliases.join(", "))),
        ("assignee", r.assignee.clone()),
        ("embargo", r.embargo_until.map(|d| format!("until {d}"))),
        ("mitigation", r.mitigation.clone()),
        ("resolution", r.resolution.map(|x| x.to_string())),
        ("duplicate", r.duplicate_of.clone()),
        ("published", r.published.map(|d| d.to_string())),
        ("withdrawn", r.withdrawn.map(|d| d.to_string())),
    ];
    for (name, value) in optional {
        if let Some(v) = value {
            field(name, sanitize(&v));
        }
    }
    for reference in &r.references {
        field("reference", format!("{} {}", reference.kind, sanitize(&reference.url)));
    }
    field("file", doc.path.display().to_string());
    if !deadlines.is_empty() {
        let _ = writeln!(out, "\n{}", Style::Bold.paint("Deadlines", color));
        for d in deadlines {
            let basis = if d.basis == "policy" { String::new() } else { format!(" ({})", d.basis) };
            let when = deadline_style(d).paint(&d.describe(), color);
            let due = d.due_at.map_or_else(|| d.due.to_string(), |at| at.format("%Y-%m-%d %H:%M %:z").to_string());
            let _ = writeln!(out, "  {due}  {when}{basis}");
        }
    }
    let _ = writeln!(out, "\n{}", Style::Bold.paint("Timeline", color));
    for t in &r.timeline {
        let mut line = format!("  {}  {:<11}", t.date, t.state.as_str());
        if let Some(by) = &t.by {
            line.push_str(&format!("  by {}", sanitize(by)));
        }
        if let Some(note) = &t.note {
            line.push_str(&format!("  — {}", sanitize(note)));
        }
        let _ = writeln!(out, "{}", line.trim_end());
    }
    if let Some(enigm_disclose::format::report::Seal::Closed { why }) = &doc.seal {
        let _ = writeln!(out, "\nThe rest of the report is sealed and was not opened: {why}.");
        return out;
    }
    let body = doc.body_text();
    if !body.trim().is_empty() {
        let _ = writeln!(out);
        out.push_str(&to_terminal(body, color));
    }
    out
}
