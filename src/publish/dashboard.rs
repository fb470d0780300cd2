//! The internal metrics dashboard: one self-contained HTML page with inline SVG charts.
//!
//! No scripts, fonts, stylesheets or images are loaded from anywhere, so the page can be
//! attached to an email or opened offline. It is internal (it counts unpublished and
//! embargoed reports) but the titles of reports that are not public appear only when the
//! figures were computed with titles ([`super::StatsRequest::with_titles`]); every text is
//! HTML-escaped.

use std::fmt::Write as _;

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

/// Escapes text for HTML element content and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// The dashboard page.
pub fn html(stats: &Stats, organization: &str) -> String {
    let mut out = String::new();
    let title = format!("{} — disclosure dashboard", escape(organization));
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"robots\" content=\"noindex\">\n<title>{title}</title>\n<style>{CSS}</style>\n</head>\n<body>\n<header><h1>{title}</h1><p class=\"internal\">Internal: counts include unpublished and embargoed reports. As of {today}{since}.</p></header>\n",
        today = stats.today,
        since = stats.since.map(|s| format!(", reports received since {s}")).unwrap_or_default(),
    );
    tiles(&mut out, stats);
    section(&mut out, "Reports received per month, by severity", &monthly_chart(stats));
    section(
        &mut out,
        "Time to fix (days from report to fixed)",
        &bar_chart("time-to-fix", &stats.fix_histogram, "#1976d2"),
    );
    section(&mut out, "Open reports by age (days)", &bar_chart("open-by-age", &stats.open_by_age, "#f57c00"));
    section(&mut out, "Oldest open reports", &oldest_table(stats));
    section(&mut out, "By product", &product_table(stats));
    out.push_str("</body>\n</html>\n");
    out
}

const CSS: &str = "body{font-family:system-ui,sans-serif;margin:2rem auto;max-width:60rem;color:#222;padding:0 1rem}\
h1{font-size:1.5rem}h2{font-size:1.15rem;margin-top:2rem}.internal{color:#b71c1c;font-weight:600}\
.tiles{display:flex;flex-wrap:wrap;gap:.75rem}.tile{border:1px solid #ddd;border-radius:6px;padding:.6rem 1rem;min-width:7rem}\
.tile b{display:block;font-size:1.6rem}table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:.3rem .5rem;border-bottom:1px solid #eee}\
.withheld{color:#777;font-style:italic}.overdue{color:#b71c1c;font-weight:600}.legend span{margin-right:1rem;white-space:nowrap}\
.legend i{display:inline-block;width:.8rem;height:.8rem;margin-right:.3rem;vertical-align:-1px}svg text{font-size:11px;fill:#444}";

fn section(out: &mut String, heading: &str, body: &str) {
    let _ = write!(out, "<section>\n<h2>{}</h2>\n{body}</section>\n", escape(heading));
}

fn days(d: Option<i64>) -> String {
    d.map_or_else(|| "–".to_owned(), |d| format!("{d}d"))
}

fn tiles(out: &mut String, s: &Stats) {
    let t = &s.times;
    let items = [
        ("reports", s.total.to_string()),
        ("open", s.open.to_string()),
        ("overdue", s.overdue.to_string()),
        ("under embargo", s.embargoed.to_string()),
        ("median to triage", days(t.triage.median)),
        ("median to fix", days(t.fix.median)),
        ("p90 to fix", days(t.fix.p90)),
        ("median to publish", days(t.publish.median)),
    ];
    out.push_str("<div class=\"tiles\">\n");
    for (label, value) in items {
        let _ = writeln!(out, "<div class=\"tile\"><b>{}</b>{}</div>", escape(&value), escape(label));
    }
    out.push_str("</div>\n");
}

/// Stacked bars: one per month (the last 24), segments by severity.
fn monthly_chart(s: &Stats) -> String {
    let empty = std::collections::BTreeMap::new();
    let months: Vec<(String, &std::collections::BTreeMap<String, usize>)> =
        month_range(s).into_iter().map(|m| (m.clone(), s.by_month.get(&m).unwrap_or(&empty))).collect();
    if months.is_empty() {
        return "<p>No reports yet.</p>\n".into();
    }
    let max = nice_max(months.iter().map(|(_, m)| m.values().sum::<usize>()).max().unwrap_or(1).max(1));
    let (w, h, left, bottom) = (640.0, 230.0, 36.0, 52.0);
    let slot = (w - left) / months.len() as f64;
    let mut svg = svg_open("reports-per-month", w, h, "Reports received per month, stacked by severity");
    axis(&mut svg, max, left, w, h, bottom);
    for (i, (month, levels)) in months.iter().enumerate() {
        let x = left + slot * i as f64 + slot * 0.15;
        let mut y = h - bottom;
        for (level, color) in SERIES {
            let n = levels.get(*level).copied().unwrap_or(0);
            if n == 0 {
                continue;
            }
            let bar = (h - bottom - 10.0) * n as f64 / max as f64;
            y -= bar;
            let _ = writeln!(
                svg,
                "<rect class=\"bar\" x=\"{x:.1}\" y=\"{y:.1}\" width=\"{:.1}\" height=\"{bar:.1}\" fill=\"{color}\"><title>{} {level}: {n}</title></rect>",
                slot * 0.7,
                escape(month)
            );
        }
        let _ = writeln!(
            svg,
            "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\" transform=\"rotate(-45 {:.1} {:.1})\">{}</text>",
            x + slot * 0.35,
            h - bottom + 12.0,
            x + slot * 0.35,
            h - bottom + 12.0,
            escape(month)
        );
    }
    svg.push_str("</svg>\n<p class=\"legend\">");
    for (level, color) in SERIES {
        let _ = write!(svg, "<span><i style=\"background:{color}\"></i>{level}</span>");
    }
    svg.push_str("</p>\n");
    svg
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
fn bar_chart(id: &str, data: &[(String, usize)], color: &str) -> String {
    let max = nice_max(data.iter().map(|(_, n)| *n).max().unwrap_or(0).max(1));
    let (w, h, left, bottom) = (640.0, 200.0, 36.0, 28.0);
    let slot = (w - left) / data.len().max(1) as f64;
    let mut svg = svg_open(id, w, h, id);
    axis(&mut svg, max, left, w, h, bottom);
    for (i, (label, n)) in data.iter().enumerate() {
        let bar = (h - bottom - 10.0) * *n as f64 / max as f64;
        let x = left + slot * i as f64 + slot * 0.15;
        let _ = writeln!(
            svg,
            "<rect class=\"bar\" x=\"{x:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{bar:.1}\" fill=\"{color}\"><title>{}: {n}</title></rect>",
            h - bottom - bar,
            slot * 0.7,
            escape(label)
        );
        let _ = writeln!(
            svg,
            "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{}</text>",
            x + slot * 0.35,
            h - bottom + 16.0,
            escape(label)
        );
    }
    svg.push_str("</svg>\n");
    svg
}

fn svg_open(id: &str, w: f64, h: f64, label: &str) -> String {
    format!(
        "<svg id=\"{}\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {w} {h}\" width=\"100%\" role=\"img\" aria-label=\"{}\">\n",
        escape(id),
        escape(label)
    )
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

/// The y axis: a baseline and labelled gridlines up to `top`.
fn axis(svg: &mut String, top: usize, left: f64, w: f64, h: f64, bottom: f64) {
    let base = h - bottom;
    let _ = writeln!(svg, "<line x1=\"{left}\" y1=\"{base}\" x2=\"{w}\" y2=\"{base}\" stroke=\"#999\"/>");
    for value in ticks(top) {
        let y = base - (base - 10.0) * value as f64 / top as f64;
        let _ = writeln!(svg, "<line x1=\"{left}\" y1=\"{y:.1}\" x2=\"{w}\" y2=\"{y:.1}\" stroke=\"#eee\"/>");
        let _ = writeln!(svg, "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{value}</text>", left - 4.0, y + 4.0);
    }
}

fn oldest_table(s: &Stats) -> String {
    if s.oldest_open.is_empty() {
        return "<p>No open reports.</p>\n".into();
    }
    let mut t =
        String::from("<table>\n<tr><th>Id</th><th>State</th><th>Severity</th><th>Age</th><th>Title</th></tr>\n");
    for r in &s.oldest_open {
        let title = match &r.title {
            Some(t) => escape(t),
            None => "<span class=\"withheld\">title withheld (not public)</span>".into(),
        };
        let age = if r.overdue {
            format!("<span class=\"overdue\">{}d, overdue</span>", r.age_days)
        } else {
            format!("{}d", r.age_days)
        };
        let _ = writeln!(
            t,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{age}</td><td>{title}</td></tr>",
            escape(&r.id),
            r.state,
            r.severity.map_or("–", Level::as_str)
        );
    }
    t.push_str("</table>\n");
    t
}

fn product_table(s: &Stats) -> String {
    if s.by_product.is_empty() {
        return "<p>No products named yet.</p>\n".into();
    }
    let mut t = String::from(
        "<table>\n<tr><th>Product</th><th>Reports</th><th>Open</th><th>Median to triage</th><th>Median to fix</th><th>p90 to fix</th><th>Median to publish</th></tr>\n",
    );
    for (name, p) in &s.by_product {
        let Times { triage, fix, publish } = &p.times;
        let _ = writeln!(
            t,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            escape(name),
            p.total,
            p.open,
            days(triage.median),
            days(fix.median),
            days(fix.p90),
            days(publish.median)
        );
    }
    t.push_str("</table>\n");
    t
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
    fn text_is_escaped() {
        assert_eq!(escape("<b a=\"x\">&'"), "&lt;b a=&quot;x&quot;&gt;&amp;&#39;");
    }
}
