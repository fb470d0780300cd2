//! Timeline and date checks: order, legal steps, consistency with `state`, dates in range.

use super::{At, CheckContext};
use crate::format::finding::Code;
use crate::format::report::Report;
use crate::rules::lifecycle::{INITIAL, is_legal_for, targets_for};

pub fn check(at: &mut At<'_>, report: &Report, ctx: &CheckContext<'_>) {
    dates(at, report, ctx);
    messages(at, report, ctx);
    let Some(first) = report.timeline.first() else {
        return at.push(
            Code::TimelineMissing,
            at.key("state"),
            "the report has no timeline",
            format!("add `timeline:` with a first entry `- date: {}` / `state: received`", report.reported),
        );
    };
    if first.state != INITIAL {
        at.push(
            Code::TimelineStart,
            at.value("timeline[0].state"),
            format!("the timeline starts with `{}`, not `received`", first.state),
            "the first entry records when the report was received",
        );
    }
    if first.date < report.reported {
        at.push(
            Code::TimelineOrder,
            at.value("timeline[0].date"),
            format!("the first timeline date {} is before `reported` ({})", first.date, report.reported),
            "timeline dates start at the reported date",
        );
    }
    for (i, pair) in report.timeline.windows(2).enumerate() {
        let (prev, next) = (&pair[0], &pair[1]);
        if next.date < prev.date {
            at.push(
                Code::TimelineOrder,
                at.value(&format!("timeline[{}].date", i + 1)),
                format!("timeline date {} is before the previous entry's {}", next.date, prev.date),
                "keep timeline entries oldest first",
            );
        }
        if !is_legal_for(report.vex_only, prev.state, next.state) {
            let legal: Vec<&str> = targets_for(report.vex_only, prev.state).map(|s| s.as_str()).collect();
            let legal = if legal.is_empty() { "none: it is final".to_owned() } else { legal.join(", ") };
            at.push(
                Code::TimelineTransition,
                at.value(&format!("timeline[{}].state", i + 1)),
                format!("`{}` → `{}` is not a legal step", prev.state, next.state),
                format!("from `{}` the lifecycle allows: {legal} (see docs/lifecycle.md)", prev.state),
            );
        }
    }
    let last = report.timeline.len() - 1;
    if report.timeline[last].state != report.state {
        at.push(
            Code::TimelineState,
            at.value("state"),
            format!("`state` is `{}` but the last timeline entry is `{}`", report.state, report.timeline[last].state),
            "change state with `enigm-disclose advance`, which keeps both in step",
        );
    }
    for (i, entry) in report.timeline.iter().enumerate() {
        if entry.date > ctx.today {
            at.push(
                Code::DateInFuture,
                at.value(&format!("timeline[{i}].date")),
                format!("timeline date {} is in the future", entry.date),
                "record state changes when they happen",
            );
        }
    }
}

/// Each message is dated on or after `reported` and not after today (in its own offset).
fn messages(at: &mut At<'_>, report: &Report, ctx: &CheckContext<'_>) {
    for (i, m) in report.correspondence.iter().enumerate() {
        let day = m.at.date_naive();
        let why = if day < report.reported {
            format!("message {} is dated {day}, before `reported` {}", i + 1, report.reported)
        } else if day > ctx.today {
            format!("message {} is dated {day}, in the future (today is {})", i + 1, ctx.today)
        } else {
            continue;
        };
        at.push(
            Code::MessageDate,
            at.value(&format!("correspondence[{i}].at")),
            why,
            "record when the message was sent or received (RFC 3339, with its UTC offset)",
        );
    }
}

fn dates(at: &mut At<'_>, report: &Report, ctx: &CheckContext<'_>) {
    if let (Some(p), Some(w)) = (report.published, report.withdrawn)
        && w < p
    {
        at.push(
            Code::WithdrawnBeforePublished,
            at.value("withdrawn"),
            format!("`withdrawn` {w} is before `published` {p}"),
            "an advisory is withdrawn after it was published",
        );
    }
    if report.reported > ctx.today {
        at.push(
            Code::DateInFuture,
            at.value("reported"),
            format!("`reported` {} is in the future (today is {})", report.reported, ctx.today),
            "use the date the report was received",
        );
    }
    if let Some(e) = report.embargo_until
        && e.date() <= report.reported
    {
        at.push(
            Code::EmbargoBeforeReported,
            at.value("embargo_until"),
            format!("`embargo_until` {e} is not after `reported` {}", report.reported),
            "an embargo ends after the report was received",
        );
    }
    for (field, date) in [("published", report.published), ("withdrawn", report.withdrawn)] {
        let Some(date) = date else { continue };
        if date < report.reported {
            at.push(
                Code::PublishedBeforeReported,
                at.value(field),
                format!("`{field}` {date} is before `reported` {}", report.reported),
                "check the dates",
            );
        }
        if date > ctx.today {
            at.push(
                Code::DateInFuture,
                at.value(field),
                format!("`{field}` {date} is in the future (today is {})", ctx.today),
                format!("set `{field}` when it happens"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::checks::test_support::{PUBLISHED, codes};

    #[test]
    fn timeline_rules() {
        assert_eq!(
            codes(&PUBLISHED.replace("  - date: 2026-01-10\n    state: confirmed\n", "")),
            ["timeline-transition"]
        );
        assert_eq!(codes(&PUBLISHED.replace("date: 2026-01-12", "date: 2026-01-02")), ["timeline-order"]);
        assert_eq!(
            codes(
                &PUBLISHED
                    .replace(
                        "  - date: 2026-01-05\n    state: received\n",
                        "  - date: 2026-01-05\n    state: triaged\n"
                    )
                    .replace("  - date: 2026-01-06\n    state: triaged\n", "")
            ),
            ["timeline-start"]
        );
        assert_eq!(codes(&PUBLISHED.replace("  - date: 2026-03-01\n    state: published\n", "")), ["timeline-state"]);
        let none = PUBLISHED.split("timeline:\n").next().expect("head").to_owned()
            + "---\n\n## Summary\n\nx\n## Impact\n\nx\n## Remediation\n\nx\n";
        assert_eq!(codes(&none), ["timeline-missing"]);
    }

    #[test]
    fn date_rules() {
        assert!(
            codes(&PUBLISHED.replace("published: 2026-03-01", "published: 2026-07-01")).contains(&"date-in-future")
        );
        assert_eq!(
            codes(&PUBLISHED.replace("published: 2026-03-01", "published: 2026-03-01\nembargo_until: 2026-01-01")),
            ["embargo-before-reported"]
        );
        assert_eq!(
            codes(&PUBLISHED.replace("published: 2026-03-01", "published: 2025-03-01")),
            ["published-before-reported"]
        );
        assert!(codes(&PUBLISHED.replace("date: 2026-03-01", "date: 2026-09-01")).contains(&"date-in-future"));
    }

    #[test]
    fn withdrawn_not_before_published() {
        let withdrawn = PUBLISHED
            .replace("state: published\nreported", "state: withdrawn\nreported")
            .replace("    state: published\n", "    state: published\n  - date: 2026-03-02\n    state: withdrawn\n")
            .replace("published: 2026-03-01", "published: 2026-03-01\nwithdrawn: 2026-02-01");
        assert_eq!(codes(&withdrawn), ["withdrawn-before-published"]);
    }
}
