//! The internal metrics dashboard: one self-contained HTML page with inline SVG charts.
//!
//! No scripts, fonts, stylesheets or images are loaded from anywhere, so the page can be
//! attached to an email or opened offline. It is internal (it counts unpublished and
//! embargoed reports) but the titles of reports that are not public appear only when the
//! figures were computed with titles ([`StatsRequest::with_titles`](crate::query::stats::StatsRequest));
//! every text is escaped by the template engine.
//!
//! This module lays the charts out (bars, gridlines and labels as numbers) and hands them to
//! `templates/dashboard.html.j2`, which a repository can override like the advisory templates.

use std::collections::BTreeMap;

use serde::Serialize;

use super::templates::Renderer;
use crate::error::Result;
use crate::format::report::Level;
use crate::query::stats::{Stats, Times};

/// Severity series in drawing order, with their colours.
const SERIES: &[(&str, &str)] = &[
    ("critical", "#8e24aa"),
    ("high", "#d32f2f"),
    ("medium", "#f57c00"),
    ("low", "#1976d2"),
    ("none", "#607d8b"),
    ("unknown", "#bdbdbd"),
];

/// The dashboard page, rendered with `dashboard.html.j2`.
pub fn html(renderer: &Renderer, stats: &Stats, organization: &str) -> Result<String> {
    let page = Page {
        organization,
        today: stats.today.to_string(),
        since: stats.since.map(|s| s.to_string()),
        tiles: tiles(stats),
        monthly: monthly_chart(stats),
        fix: bar_chart("time-to-fix", &stats.fix_histogram, "#1976d2"),
        age: bar_chart("open-by-age", &stats.open_by_age, "#f57c00"),
        legend: SERIES.iter().map(|(level, color)| Legend { level, color }).collect(),
        oldest: oldest_rows(stats),
        products: product_rows(stats),
    };
    renderer.render("dashboard.html.j2", minijinja::Value::from(minijinja::value::Serde(&page)))
}

/// What the template sees (documented in `docs/templates.md`).
#[derive(Serialize)]
struct Page<'a> {
    organization: &'a str,
    today: String,
    since: Option<String>,
    tiles: Vec<Tile>,
    /// `None` when there are no reports yet.
    monthly: Option<Chart>,
    fix: Chart,
    age: Chart,
    legend: Vec<Legend>,
    oldest: Vec<OldRow>,
    products: Vec<ProductRow>,
}

#[derive(Serialize)]
struct Tile {
    label: String,
    value: String,
}

#[derive(Serialize)]
struct Legend {
    level: &'static str,
    color: &'static str,
}

/// An SVG chart: numbers are pre-formatted (one decimal) so the page is stable.
#[derive(Serialize)]
struct Chart {
    id: &'static str,
    label: &'static str,
    width: String,
    height: String,
    left: String,
    baseline: String,
    gridlines: Vec<Gridline>,
    bars: Vec<Bar>,
    labels: Vec<Label>,
}

#[derive(Serialize)]
struct Gridline {
    y: String,
    text_x: String,
    text_y: String,
    value: usize,
}

#[derive(Serialize)]
struct Bar {
    x: String,
    y: String,
    width: String,
    height: String,
    color: &'static str,
    title: String,
}

#[derive(Serialize)]
struct Label {
    x: String,
    y: String,
    text: String,
    /// Rotated 45° (month names under the monthly chart).
    rotated: bool,
}

#[derive(Serialize)]
struct OldRow {
    id: String,
    state: String,
    severity: &'static str,
    age_days: i64,
    overdue: bool,
    /// `None`: withheld (not public).
    title: Option<String>,
}

#[derive(Serialize)]
struct ProductRow {
    name: String,
    total: usize,
    open: usize,
    overdue: usize,
    triage: String,
    fix: String,
    fix_p90: String,
    publish: String,
    /// The deadlines the product is held to: `fix 7/20/45/90/90d · publish 45d`, `(own)` when
    /// `policy.products` sets them.
    policy: String,
    own_policy: bool,
}

/// One line of a product's deadlines: fix by level (critical/high/medium/low/none), fix by
/// SSVC outcome when the policy sets any (`ssvc immediate 2d, out-of-cycle 10d`, shortest
/// first), publish.
fn policy_line(p: &crate::query::stats::ProductPolicy) -> String {
    let f = &p.fix_days;
    let unit = if p.business_days { " business days" } else { "d" };
    let mut by_outcome: Vec<(&String, &u32)> = p.ssvc_fix_days.iter().collect();
    by_outcome.sort_by_key(|(outcome, days)| (**days, *outcome));
    let ssvc: Vec<String> = by_outcome.iter().map(|(outcome, days)| format!("{outcome} {days}{unit}")).collect();
    let ssvc = if ssvc.is_empty() { String::new() } else { format!(" · ssvc {}", ssvc.join(", ")) };
    format!(
        "fix {}/{}/{}/{}/{}{unit}{ssvc} · publish {}{unit}{}",
        f.critical,
        f.high,
        f.medium,
        f.low,
        f.none,
        p.publish_days,
        if p.cra { " · CRA" } else { "" }
    )
}

fn days(d: Option<i64>) -> String {
    d.map_or_else(|| "–".to_owned(), |d| format!("{d}d"))
}

fn n1(v: f64) -> String {
    format!("{v:.1}")
}

fn tiles(s: &Stats) -> Vec<Tile> {
    let t = &s.times;
    // Shown when there are any: they are in `reports`, not in the times.
    let not_reports = (s.not_reports > 0).then(|| ("spam or invalid".to_owned(), s.not_reports.to_string()));
    let vex = (s.vex_statements > 0).then(|| ("VEX statements".to_owned(), s.vex_statements.to_string()));
    // Shown when any report has them.
    let threats = (s.exploited > 0)
        .then(|| {
            [
                ("exploited".to_owned(), s.exploited.to_string()),
                ("CRA deadline missed".to_owned(), s.cra_overdue.to_string()),
            ]
        })
        .into_iter()
        .flatten();
    let outcomes = s.by_ssvc.iter().map(|(o, n)| (format!("SSVC {o}"), n.to_string()));
    [
        ("reports", s.total.to_string()),
        ("open", s.open.to_string()),
        ("overdue", s.overdue.to_string()),
        ("not acknowledged", s.unacknowledged.to_string()),
        ("median to first response", days(t.first_response.median)),
        ("under embargo", s.embargoed.to_string()),
        ("median to triage", days(t.triage.median)),
        ("median to fix", days(t.fix.median)),
        ("p90 to fix", days(t.fix.p90)),
        ("median to publish", days(t.publish.median)),
    ]
    .into_iter()
    .map(|(label, value)| (label.to_owned(), value))
    .chain(not_reports)
    .chain(vex)
    .chain(threats)
    .chain(outcomes)
    .map(|(label, value)| Tile { label, value })
    .collect()
}

/// The frame of a chart: size and the y axis gridlines up to `top`.
struct Frame {
    w: f64,
    h: f64,
    left: f64,
    bottom: f64,
    top: usize,
}

impl Frame {
    fn base(&self) -> f64 {
        self.h - self.bottom
    }

    /// The height of a bar of `n` on this scale.
    fn bar(&self, n: usize) -> f64 {
        (self.base() - 10.0) * n as f64 / self.top as f64
    }

    fn chart(&self, id: &'static str, label: &'static str, bars: Vec<Bar>, labels: Vec<Label>) -> Chart {
        let gridlines = ticks(self.top)
            .into_iter()
            .map(|value| {
                let y = self.base() - self.bar(value);
                Gridline { y: n1(y), text_x: n1(self.left - 4.0), text_y: n1(y + 4.0), value }
            })
            .collect();
        Chart {
            id,
            label,
            width: self.w.to_string(),
            height: self.h.to_string(),
            left: self.left.to_string(),
            baseline: self.base().to_string(),
            gridlines,
            bars,
            labels,
        }
    }
}

/// Stacked bars: one per month (the last 24), segments by severity.
fn monthly_chart(s: &Stats) -> Option<Chart> {
    let empty = BTreeMap::new();
    let months: Vec<(String, &BTreeMap<String, usize>)> =
        month_range(s).into_iter().map(|m| (m.clone(), s.by_month.get(&m).unwrap_or(&empty))).collect();
    if months.is_empty() {
        return None;
    }
    let top = nice_max(months.iter().map(|(_, m)| m.values().sum::<usize>()).max().unwrap_or(1).max(1));
    let frame = Frame { w: 640.0, h: 230.0, left: 36.0, bottom: 52.0, top };
    let slot = (frame.w - frame.left) / months.len() as f64;
    let (mut bars, mut labels) = (Vec::new(), Vec::new());
    for (i, (month, levels)) in months.iter().enumerate() {
        let x = frame.left + slot * i as f64 + slot * 0.15;
        let mut y = frame.base();
        for (level, color) in SERIES {
            let n = levels.get(*level).copied().unwrap_or(0);
            if n == 0 {
                continue;
            }
            let bar = frame.bar(n);
            y -= bar;
            let title = format!("{month} {level}: {n}");
            bars.push(Bar { x: n1(x), y: n1(y), width: n1(slot * 0.7), height: n1(bar), color, title });
        }
        let text = month.clone();
        labels.push(Label { x: n1(x + slot * 0.35), y: n1(frame.base() + 12.0), text, rotated: true });
    }
    Some(frame.chart("reports-per-month", "Reports received per month, stacked by severity", bars, labels))
}

/// Every month from the first with a report to the last (at most the last 24), gaps included.
fn month_range(s: &Stats) -> Vec<String> {
    let parse = |m: &String| -> Option<(i32, u32)> {
        let (y, mo) = m.split_once('-')?;
        Some((y.parse().ok()?, mo.parse().ok()?))
    };
    let (Some(first), Some(last)) =
        (s.by_month.keys().next().and_then(parse), s.by_month.keys().last().and_then(parse))
    else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let (mut y, mut m) = first;
    while (y, m) <= last {
        out.push(format!("{y:04}-{m:02}"));
        (y, m) = if m == 12 { (y + 1, 1) } else { (y, m + 1) };
    }
    let skip = out.len().saturating_sub(24);
    out.split_off(skip)
}

/// Simple bars with labels under them.
fn bar_chart(id: &'static str, data: &[(String, usize)], color: &'static str) -> Chart {
    let top = nice_max(data.iter().map(|(_, n)| *n).max().unwrap_or(0).max(1));
    let frame = Frame { w: 640.0, h: 200.0, left: 36.0, bottom: 28.0, top };
    let slot = (frame.w - frame.left) / data.len().max(1) as f64;
    let (mut bars, mut labels) = (Vec::new(), Vec::new());
    for (i, (label, n)) in data.iter().enumerate() {
        let bar = frame.bar(*n);
        let x = frame.left + slot * i as f64 + slot * 0.15;
        let title = format!("{label}: {n}");
        bars.push(Bar { x: n1(x), y: n1(frame.base() - bar), width: n1(slot * 0.7), height: n1(bar), color, title });
        labels.push(Label { x: n1(x + slot * 0.35), y: n1(frame.base() + 16.0), text: label.clone(), rotated: false });
    }
    frame.chart(id, id, bars, labels)
}

/// The top of a chart's scale: the smallest 1, 2 or 5 × 10ⁿ at or above `max`.
fn nice_max(max: usize) -> usize {
    let mut base = 1;
    loop {
        for m in [1, 2, 5] {
            if m * base >= max {
                return m * base;
            }
        }
        base *= 10;
    }
}

/// Gridline values for a scale topped at `top` (a [`nice_max`]): whole numbers only.
fn ticks(top: usize) -> Vec<usize> {
    match top {
        t if t % 2 == 0 => vec![t / 2, t],
        t if t % 5 == 0 => (1..=5).map(|k| k * t / 5).collect(),
        t => vec![t],
    }
}

fn oldest_rows(s: &Stats) -> Vec<OldRow> {
    s.oldest_open
        .iter()
        .map(|r| OldRow {
            id: r.id.clone(),
            state: r.state.to_string(),
            severity: r.severity.map_or("–", Level::as_str),
            age_days: r.age_days,
            overdue: r.overdue,
            title: r.title.clone(),
        })
        .collect()
}

fn product_rows(s: &Stats) -> Vec<ProductRow> {
    s.by_product
        .iter()
        .map(|(name, p)| {
            let Times { triage, fix, publish, .. } = &p.times;
            ProductRow {
                name: name.clone(),
                total: p.total,
                open: p.open,
                overdue: p.overdue,
                triage: days(triage.median),
                fix: days(fix.median),
                fix_p90: days(fix.p90),
                publish: days(publish.median),
                policy: policy_line(&p.policy),
                own_policy: p.policy.own,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scales_have_whole_number_ticks() {
        assert_eq!((nice_max(1), nice_max(3), nice_max(5), nice_max(7), nice_max(101)), (1, 5, 5, 10, 200));
        assert_eq!(ticks(5), [1, 2, 3, 4, 5]);
        assert_eq!(ticks(10), [5, 10]);
        assert_eq!(ticks(1), [1]);
    }

    #[test]
    fn a_policy_line_names_the_ssvc_fix_deadlines_shortest_first() {
        let policy = crate::format::config::Policy::default();
        let mut p = crate::query::stats::ProductPolicy::of(&policy, "web");
        assert_eq!(policy_line(&p), "fix 30/60/90/90/90d · publish 90d");
        p.ssvc_fix_days = [("scheduled".to_owned(), 60), ("immediate".to_owned(), 7), ("out-of-cycle".to_owned(), 30)]
            .into_iter()
            .collect();
        p.business_days = true;
        assert_eq!(
            policy_line(&p),
            "fix 30/60/90/90/90 business days · ssvc immediate 7 business days, out-of-cycle 30 business days, \
             scheduled 60 business days · publish 90 business days"
        );
    }
}
