//! VEX statuses: what `products[].status` and its companions must say, so that every OpenVEX
//! statement and CSAF VEX document rendered from the report is complete (OpenVEX's required
//! justification or impact statement, CSAF mandatory tests 6.1.27.9 and 6.1.27.10).
//!
//! A `not_affected` product says why (`justification`, `impact` or both); `justification` and
//! `impact` belong to `not_affected` only, and `action` to every other status. An affected
//! product without an `action` is only a warning, and only in a published VEX statement: the
//! exports say "upgrade to the fixed version" or the mitigation instead, and only when neither
//! exists does the statement tell users nothing (in an advisory that is `missing-fix`, an
//! error, already). A VEX statement (`vex_only`) names the vulnerability it is about by a CVE
//! or GHSA alias.

use super::{At, CheckContext};
use crate::format::finding::Code;
use crate::format::report::{Product, ProductStatus, Report};

pub fn check(at: &mut At<'_>, report: &Report, _ctx: &CheckContext<'_>) {
    for (i, p) in report.products.iter().enumerate() {
        product(at, report, i, p);
    }
    let names_one = report.aliases.iter().any(|a| super::fields::is_cve(a) || super::fields::is_ghsa(a));
    if report.vex_only && !names_one {
        at.push(
            Code::VexAliasMissing,
            at.key("aliases"),
            "a VEX statement names the vulnerability it is about, but `aliases` has no CVE or GHSA id",
            "add the vulnerability's id to `aliases:` (e.g. [CVE-2026-1234])",
        );
    }
}

fn product(at: &mut At<'_>, report: &Report, i: usize, p: &Product) {
    let status = p.vex_status();
    let key = |field: &str| format!("products[{i}].{field}");
    if status == ProductStatus::NotAffected {
        if p.justification.is_none() && p.impact.is_none() {
            at.push(
                Code::VexJustificationMissing,
                at.value(&key("status")),
                format!("product `{}` is not_affected but says neither why nor how", p.name),
                "add `justification:` (component_not_present, vulnerable_code_not_present, vulnerable_code_not_in_execute_path, vulnerable_code_cannot_be_controlled_by_adversary, inline_mitigations_already_exist) and/or `impact:` with the reason in words",
            );
        }
        if p.action.is_some() {
            mismatch(at, &key("action"), &p.name, "action", status);
        }
        return;
    }
    for (field, set) in [("justification", p.justification.is_some()), ("impact", p.impact.is_some())] {
        if set {
            mismatch(at, &key(field), &p.name, field, status);
        }
    }
    // An advisory's affected product without a fix or mitigation is `missing-fix` already.
    let public = report.state.is_public() && report.vex_only;
    let told = p.action.is_some() || p.fixed.is_some() || !p.versions.is_empty() || report.mitigation.is_some();
    if public && status == ProductStatus::Affected && !told {
        at.push(
            Code::VexActionMissing,
            at.value(&format!("products[{i}]")),
            format!("affected product `{}` has no `action`, fixed version or mitigation: its VEX statement can only say that no remediation is available", p.name),
            "add `action:` saying what users should do (upgrade, configure, replace), or a `fixed:` version",
        );
    }
}

fn mismatch(at: &mut At<'_>, key: &str, name: &str, field: &str, status: ProductStatus) {
    let (only, help) = if field == "action" {
        ("is for products that are affected, fixed or under investigation", "remove `action:`, or change `status:`")
    } else {
        ("is only for `not_affected` products", "remove it, or set `status: not_affected`")
    };
    at.push(
        Code::VexFieldMismatch,
        at.key(key),
        format!("product `{name}` is {} and has `{field}`, which {only}", status.as_str()),
        help,
    );
}

#[cfg(test)]
mod tests {
    use crate::format::finding::Finding;
    use crate::rules::checks::test_support::{PUBLISHED, findings};

    /// The fixture with its first product's `- name: web` line followed by `lines`.
    fn with(lines: &str) -> String {
        PUBLISHED.replacen("  - name: web\n", &format!("  - name: web\n{lines}"), 1)
    }

    fn vex(text: &str) -> Vec<(&'static str, usize)> {
        let f: Vec<Finding> = findings(text);
        f.iter()
            .filter(|f| f.code.as_str().starts_with("vex-"))
            .map(|x| {
                let at = x.span.clone().expect("span").start;
                (x.code.as_str(), text[..at].lines().count() + usize::from(text[..at].ends_with('\n')))
            })
            .collect()
    }

    fn line_of(text: &str, needle: &str) -> usize {
        text.lines().position(|l| l.contains(needle)).expect("line") + 1
    }

    #[test]
    fn a_not_affected_product_says_why() {
        let bare = with("    status: not_affected\n");
        assert_eq!(vex(&bare), [("vex-justification-missing", line_of(&bare, "status: not_affected"))]);
        for why in ["    justification: component_not_present\n", "    impact: The parser is not built in.\n"] {
            assert_eq!(vex(&with(&format!("    status: not_affected\n{why}"))), [], "{why}");
        }
    }

    #[test]
    fn justification_and_impact_only_with_not_affected_and_action_never_with_it() {
        let t = with("    status: fixed\n    justification: component_not_present\n    impact: x\n");
        assert_eq!(
            vex(&t),
            [("vex-field-mismatch", line_of(&t, "justification:")), ("vex-field-mismatch", line_of(&t, "impact: x"))]
        );
        let unset = with("    justification: component_not_present\n");
        assert_eq!(vex(&unset), [("vex-field-mismatch", line_of(&unset, "justification:"))], "unset is affected");
        let t = with("    status: not_affected\n    impact: Not built.\n    action: Upgrade.\n");
        assert_eq!(vex(&t), [("vex-field-mismatch", line_of(&t, "action: Upgrade."))]);
        let message = findings(&t).into_iter().find(|f| f.code.as_str() == "vex-field-mismatch").expect("found");
        assert!(message.message.contains("`web` is not_affected and has `action`"), "{}", message.message);
    }

    #[test]
    fn a_published_vex_statement_s_affected_product_with_nothing_to_do_warns() {
        // The fixture has a fixed version: the statement can say what to do.
        let statement = PUBLISHED.replacen("state:", "vex_only: true\nstate:", 1);
        assert_eq!(vex(&statement), []);
        let bare = statement.replace("    fixed: '2.4.1'\n", "");
        assert!(!bare.contains("fixed: '") && !bare.contains("\nmitigation:"), "fixture changed");
        assert_eq!(vex(&bare), [("vex-action-missing", line_of(&bare, "  - name: web"))], "{:?}", findings(&bare));
        let acted = bare.replacen("  - name: web\n", "  - name: web\n    action: Disable uploads.\n", 1);
        assert_eq!(vex(&acted), []);
        // In an advisory that is `missing-fix`, not this warning as well.
        let advisory = PUBLISHED.replace("    fixed: '2.4.1'\n", "");
        assert_eq!(vex(&advisory), []);
        assert!(findings(&advisory).iter().any(|f| f.code.as_str() == "missing-fix"));
    }

    #[test]
    fn a_vex_statement_names_the_vulnerability() {
        let t = PUBLISHED.replacen("state:", "vex_only: true\nstate:", 1);
        let without = t.replace("aliases: [CVE-2026-12345]", "aliases: []");
        assert!(without.contains("aliases: []"), "fixture changed");
        assert_eq!(vex(&without), [("vex-alias-missing", line_of(&without, "aliases: []"))]);
        assert_eq!(vex(&t), []);
    }
}
