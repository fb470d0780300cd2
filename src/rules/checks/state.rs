//! What a report must have to be in a state: the requirements `validate` checks and the
//! guards `advance` applies before entering a state. One definition for both. The embargo
//! ([`embargo`]) is a guard of the step to `published` only: `validate` does not apply it.

use super::{At, CheckContext, sections};
use crate::format::finding::Code;
use crate::format::report::{Report, Resolution, State};

/// Body sections a report in `state` must have, filled in.
pub fn required_sections(state: State) -> &'static [&'static str] {
    match state {
        // A report just received is the researcher's text as it came in; a team asks for
        // information because it cannot write the summary yet; a rejection is explained by
        // its `resolution` (spam, out of scope, retracted) and needs no written summary.
        State::Received | State::NeedsInfo | State::Rejected => &[],
        State::Triaged => &["Summary", "Impact"],
        State::Confirmed | State::Remediating => &["Summary", "Impact", "Reproduction"],
        State::Fixed | State::Published | State::Withdrawn => &["Summary", "Impact", "Remediation"],
    }
}

/// Whether a product's `versions` spans are fixed: one has a `fixed` version and none is
/// open-ended (every later version still affected).
fn spans_fixed(p: &crate::format::report::Product) -> bool {
    p.versions.iter().any(|s| s.fixed.is_some())
        && p.versions.iter().all(|s| s.fixed.is_some() || s.last_affected.is_some())
}

/// The sections of a VEX statement (`vex_only`) in `state`: a Summary once triaged, saying
/// what the statement is about; it has no impact of ours, nothing to reproduce or remediate.
pub fn required_sections_for(vex_only: bool, state: State) -> &'static [&'static str] {
    match (vex_only, state) {
        (false, _) => required_sections(state),
        (true, State::Received | State::NeedsInfo | State::Rejected) => &[],
        (true, _) => &["Summary"],
    }
}

/// Checks that `report` meets the requirements of `state` (its own state for `validate`, the
/// target state for `advance`).
pub fn requirements(at: &mut At<'_>, report: &Report, ctx: &CheckContext<'_>, state: State) {
    // A VEX statement's vulnerability is someone else's: its severity is theirs to give.
    if state.needs_severity()
        && !report.vex_only
        && report.severity.as_ref().is_none_or(|s| s.cvss.is_none() && s.cvss_v4.is_none() && s.level.is_none())
    {
        at.push(Code::MissingSeverity, at.key("severity"), format!("a {state} report needs a severity"), "add `severity:` with a `cvss:` vector (v3.1 or v4.0) and/or a `level:` (none, low, medium, high, critical)");
    }
    if state.is_confirmed_or_later() {
        if report.products.is_empty() {
            at.push(
                Code::MissingAffected,
                at.key("products"),
                format!("a {state} report needs the affected products"),
                "add `products:` with `- name:` and `affected:` (e.g. '< 2.4.1')",
            );
        }
        // Only an affected product has affected versions to name (a VEX statement's products
        // are named by their identifiers).
        let ranged = report.products.iter().enumerate().filter(|(_, p)| needs_fix(report, p));
        for (i, p) in ranged {
            if p.affected.as_deref().is_none_or(|a| a.trim().is_empty()) && p.versions.is_empty() {
                at.push(
                    Code::MissingAffected,
                    at.value(&format!("products[{i}]")),
                    format!("product `{}` has no `affected` versions", p.name),
                    "add `affected:` with the affected version range, e.g. '< 2.4.1'",
                );
            }
        }
    }
    if state.is_fixed_or_later() && !report.vex_only {
        let all_fixed = !report.products.is_empty()
            && report
                .products
                .iter()
                .filter(|p| needs_fix(report, p))
                .all(|p| p.fixed.as_deref().is_some_and(|f| !f.trim().is_empty()) || spans_fixed(p));
        let mitigated = report.mitigation.as_deref().is_some_and(|m| !m.trim().is_empty());
        if !all_fixed && !mitigated {
            at.push(
                Code::MissingFix,
                at.key("products"),
                format!("a {state} report needs a fixed version for every product, or a mitigation"),
                "add `fixed:` to each product, or a top-level `mitigation:` describing the workaround",
            );
        }
    }
    if state.is_public() && report.published.is_none() {
        at.push(
            Code::MissingPublishedDate,
            at.opening(),
            format!("a {state} report needs a `published` date"),
            "add `published: YYYY-MM-DD` (advance sets it)",
        );
    }
    if state == State::Withdrawn && report.withdrawn.is_none() {
        at.push(
            Code::MissingWithdrawnDate,
            at.opening(),
            "a withdrawn report needs a `withdrawn` date",
            "add `withdrawn: YYYY-MM-DD` (advance sets it)",
        );
    }
    resolution(at, report, ctx, state);
    products(at, report, ctx);
    sections::required(at, required_sections_for(report.vex_only, state));
}

/// Whether a product of `report` needs affected versions and a fix: an affected one (status
/// unset or `affected`) of an advisory; not a VEX statement's, nor a product that is
/// `not_affected`, `fixed` (every version named is fixed) or `under_investigation`.
fn needs_fix(report: &Report, p: &crate::format::report::Product) -> bool {
    !report.vex_only && p.vex_status() == crate::format::report::model::ProductStatus::Affected
}

/// The guard of publishing at the instant `now`: refused while the report is embargoed
/// ([`Report::is_embargoed`]: publishing on a date-only embargo's date itself is allowed, and
/// at a timed one's instant).
pub fn embargo(at: &mut At<'_>, report: &Report, now: chrono::DateTime<chrono::FixedOffset>) {
    if let Some(until) = report.embargo_until.filter(|_| report.is_embargoed(now)) {
        at.push(
            Code::EmbargoActive,
            at.value("embargo_until"),
            format!("the report is under embargo until {until}"),
            "publish on or after the embargo date, or agree a new date with the reporter; a forced publication records its reason",
        );
    }
}

fn resolution(at: &mut At<'_>, report: &Report, ctx: &CheckContext<'_>, state: State) {
    match (state, report.resolution) {
        (State::Rejected, None) => {
            let names: Vec<&str> = Resolution::ALL.iter().map(|r| r.as_str()).collect();
            at.push(
                Code::MissingResolution,
                at.key("state"),
                "a rejected report needs a `resolution`",
                format!("add `resolution:` with one of: {}", names.join(", ")),
            );
        }
        (State::Rejected, Some(_)) => {}
        (_, Some(_)) => at.push(
            Code::UnexpectedField,
            at.key("resolution"),
            format!("a {state} report has a `resolution`"),
            "a resolution records why a report was rejected; remove it, or reject the report",
        ),
        (_, None) => {}
    }
    if report.duplicate_of.is_some() && !(state == State::Rejected && report.resolution == Some(Resolution::Duplicate))
    {
        at.push(
            Code::UnexpectedField,
            at.key("duplicate_of"),
            "`duplicate_of` is set but the report is not rejected as a duplicate",
            "remove it, or reject the report with `resolution: duplicate`",
        );
    }
    if report.published.is_some() && !state.is_public() {
        at.push(
            Code::UnexpectedField,
            at.key("published"),
            format!("a {state} report has a `published` date"),
            "only published or withdrawn reports have a published date; remove it",
        );
    }
    if report.withdrawn.is_some() && state != State::Withdrawn {
        at.push(
            Code::UnexpectedField,
            at.key("withdrawn"),
            format!("a {state} report has a `withdrawn` date"),
            "only withdrawn reports have a withdrawn date; remove it",
        );
    }
    if state == State::Rejected && report.resolution == Some(Resolution::Duplicate) {
        match &report.duplicate_of {
            None => at.push(
                Code::MissingDuplicateOf,
                at.key("resolution"),
                "a duplicate needs `duplicate_of`",
                "add `duplicate_of:` with the id of the original report",
            ),
            Some(d) if d == &report.id => at.push(
                Code::UnknownDuplicate,
                at.value("duplicate_of"),
                format!("`duplicate_of` names the report itself ({d})"),
                "a report cannot duplicate itself: name the original report",
            ),
            Some(d) if !ctx.known_ids.contains(d) => at.push(
                Code::UnknownDuplicate,
                at.value("duplicate_of"),
                format!("`duplicate_of` names `{d}`, which is not another report here"),
                "use the id of an existing report (its file is reports/<ID>.md)",
            ),
            Some(_) => {}
        }
    }
}

fn products(at: &mut At<'_>, report: &Report, ctx: &CheckContext<'_>) {
    for (i, p) in report.products.iter().enumerate() {
        match ctx.config.product(&p.name) {
            None => {
                let known: Vec<&str> = ctx.config.products.iter().map(|c| c.name.as_str()).collect();
                let known = if known.is_empty() {
                    "enigm.yaml lists no products yet".to_owned()
                } else {
                    format!("known: {}", known.join(", "))
                };
                at.push(
                    Code::UnknownProduct,
                    at.value(&format!("products[{i}].name")),
                    format!("product `{}` is not listed in enigm.yaml", p.name),
                    format!("{known}; add it under `products:` in enigm.yaml or fix the name"),
                );
            }
            Some(c) => {
                if let Some(comp) = &p.component
                    && !c.components.is_empty()
                    && !c.components.contains(comp)
                {
                    at.push(
                        Code::UnknownComponent,
                        at.value(&format!("products[{i}].component")),
                        format!("component `{comp}` is not listed for `{}`", p.name),
                        format!(
                            "known: {}; add it to the product's `components` in enigm.yaml",
                            c.components.join(", ")
                        ),
                    );
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::checks::test_support::{PUBLISHED, codes};

    fn as_state(state: &str, last: &str) -> String {
        PUBLISHED
            .replace("state: published\nreported", &format!("state: {state}\nreported"))
            .replace("  - date: 2026-03-01\n    state: published\n", last)
    }

    #[test]
    fn severity_needed_past_triage() {
        let text = PUBLISHED
            .replace("severity:\n  cvss: CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H\n  level: critical\n", "");
        assert!(codes(&text).contains(&"missing-severity"));
    }

    #[test]
    fn affected_needed_once_confirmed() {
        assert!(codes(&PUBLISHED.replace("    affected: '< 2.4.1'\n", "")).contains(&"missing-affected"));
    }

    #[test]
    fn fix_or_mitigation_needed_once_fixed() {
        let no_fix = PUBLISHED.replace("    fixed: '2.4.1'\n", "");
        assert!(codes(&no_fix).contains(&"missing-fix"));
        let mitigated = no_fix.replace("published: 2026-03-01", "published: 2026-03-01\nmitigation: Disable uploads.");
        assert!(!codes(&mitigated).contains(&"missing-fix"));
    }

    #[test]
    fn published_and_withdrawn_dates() {
        assert!(codes(&PUBLISHED.replace("published: 2026-03-01\n", "")).contains(&"missing-published-date"));
        let withdrawn = PUBLISHED
            .replace("state: published\nreported", "state: withdrawn\nreported")
            .replace("    state: published\n", "    state: published\n  - date: 2026-03-02\n    state: withdrawn\n");
        assert!(codes(&withdrawn).contains(&"missing-withdrawn-date"));
        assert!(
            !codes(&withdrawn.replace("published: 2026-03-01", "published: 2026-03-01\nwithdrawn: 2026-03-02"))
                .iter()
                .any(|c| c.starts_with("missing"))
        );
    }

    #[test]
    fn rejection_needs_a_resolution_and_duplicates_an_original() {
        let rejected = as_state("rejected", "");
        let rejected = rejected.replace("  - date: 2026-01-06\n    state: triaged\n  - date: 2026-01-10\n    state: confirmed\n  - date: 2026-01-12\n    state: remediating\n  - date: 2026-02-20\n    state: fixed\n", "  - date: 2026-01-06\n    state: rejected\n").replace("published: 2026-03-01\n", "");
        assert_eq!(codes(&rejected), ["missing-resolution"]);
        let dup = rejected.replace("state: rejected\nreported", "state: rejected\nresolution: duplicate\nreported");
        assert_eq!(codes(&dup), ["missing-duplicate-of"]);
        assert_eq!(
            codes(&dup.replace("resolution: duplicate", "resolution: duplicate\nduplicate_of: ENIGM-2026-0009")),
            ["unknown-duplicate"]
        );
        assert_eq!(
            codes(&dup.replace("resolution: duplicate", "resolution: duplicate\nduplicate_of: ENIGM-2026-0002")),
            Vec::<&str>::new()
        );
        assert_eq!(
            codes(&PUBLISHED.replace("published: 2026-03-01", "published: 2026-03-01\nresolution: wont-fix")),
            ["unexpected-field"]
        );
    }

    #[test]
    fn the_embargo_guard_holds_until_the_embargo_date() {
        use std::path::Path;

        use super::super::At;
        use crate::format::report::Document;

        let guard = |embargo: &str, now: &str| {
            let text =
                PUBLISHED.replace("published: 2026-03-01", &format!("published: 2026-03-01\nembargo_until: {embargo}"));
            let doc = Document::parse(Path::new("reports/ENIGM-2026-0001.md"), text).expect("doc");
            let report = doc.report().expect("report");
            let mut out = Vec::new();
            let now = chrono::DateTime::parse_from_rfc3339(now).expect("now");
            super::embargo(&mut At { doc: &doc, out: &mut out }, &report, now);
            out.iter().map(|f| f.code.as_str()).collect::<Vec<_>>()
        };
        let none = Vec::<&str>::new();
        assert_eq!(guard("2026-07-01", "2026-06-30T23:59:59+02:00"), ["embargo-active"], "the day before");
        assert_eq!(guard("2026-07-01", "2026-07-01T00:00:00+02:00"), none, "the day itself");
        assert_eq!(guard("2026-07-01", "2026-07-02T12:00:00+02:00"), none, "the day after");
        // 09:00 in New York, seen from Berlin (15:00 CET).
        let ny = "2026-12-03 09:00 America/New_York";
        assert_eq!(guard(ny, "2026-12-03T14:59:59+01:00"), ["embargo-active"], "08:59:59 in New York");
        assert_eq!(guard(ny, "2026-12-03T15:00:00+01:00"), none, "09:00 in New York");
        assert_eq!(guard("2026-12-03T09:00:00-05:00", "2026-12-03T13:59:00Z"), ["embargo-active"]);
        assert_eq!(guard("2026-12-03T09:00:00-05:00", "2026-12-03T14:00:00Z"), none);
    }

    #[test]
    fn products_and_components_come_from_the_config() {
        assert_eq!(codes(&PUBLISHED.replace("  - name: web", "  - name: mobile")), ["unknown-product"]);
        assert_eq!(codes(&PUBLISHED.replace("component: uploads", "component: cli")), ["unknown-component"]);
    }

    #[test]
    fn fields_that_do_not_belong_to_the_state_are_flagged() {
        assert_eq!(
            codes(&PUBLISHED.replace("published: 2026-03-01", "published: 2026-03-01\nduplicate_of: ENIGM-2026-0002")),
            ["unexpected-field"]
        );
        assert_eq!(
            codes(&PUBLISHED.replace("published: 2026-03-01", "published: 2026-03-01\nwithdrawn: 2026-03-02")),
            ["unexpected-field"]
        );
        let received = "---\nid: ENIGM-2026-0001\ntitle: T\nstate: received\nreported: 2026-01-05\nreporter:\n  name: R\npublished: 2026-01-06\ntimeline:\n  - date: 2026-01-05\n    state: received\n---\n";
        assert_eq!(codes(received), ["unexpected-field"]);
    }
}
