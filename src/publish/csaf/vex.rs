//! VEX in CSAF: the product statuses of an advisory's products, and the `csaf_vex` profile.
//!
//! Each report product is one entry of the product tree ([`super::products`], in file order),
//! and its `status` puts the entry's range leaf in one `product_status` group: unset or
//! `affected` in `known_affected`, `not_affected` in `known_not_affected`, `fixed` in `fixed`,
//! `under_investigation` in `under_investigation`; a fixed version's leaf is always `fixed`. A
//! `not_affected` product's `justification` is a flag with the same label (the two sets use
//! the same words), its `impact` a threat of category `impact` (6.1.27.9 takes either). Only
//! known-affected products get scores and remediations; one without a fix, mitigation or
//! `action` gets `none_available`, so every one has an action statement (6.1.27.10).
//!
//! The same document, with `document.category` `csaf_vex` and its own tracking id
//! (`<ID>-VEX`: section 5.1 names the file after it, and two documents of one publisher may
//! not share one), is the advisory's VEX document; it sits beside the advisory in the provider
//! directory (section 7.1: every CSAF document of the provider, whatever its profile, is in the
//! year folders and the listings). A VEX-only statement (`vex_only`) has only this one.

use serde_json::{Value, json};

use super::products::{Entry, Tree};
use crate::format::report::ProductStatus;
use crate::publish::public::Advisory;

/// The CSAF profile of a document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Profile {
    /// `csaf_security_advisory`: the advisory.
    SecurityAdvisory,
    /// `csaf_vex`: the products' statuses for the vulnerability.
    Vex,
}

impl Profile {
    /// `document.category`.
    pub fn category(self) -> &'static str {
        match self {
            Profile::SecurityAdvisory => "csaf_security_advisory",
            Profile::Vex => "csaf_vex",
        }
    }

    /// `document.tracking.id` of the advisory `id` in this profile.
    pub fn tracking_id(self, id: &str) -> String {
        match self {
            Profile::SecurityAdvisory => id.to_owned(),
            Profile::Vex => format!("{id}-VEX"),
        }
    }
}

/// The product ids of each status group, in tree order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Groups<'a> {
    pub known_affected: Vec<&'a str>,
    pub known_not_affected: Vec<&'a str>,
    pub fixed: Vec<&'a str>,
    pub under_investigation: Vec<&'a str>,
}

/// The status of tree entry `i`: its product's, or `affected` (the placeholder entry of an
/// advisory that lists no products).
fn status(a: &Advisory, i: usize) -> ProductStatus {
    a.products.get(i).map_or(ProductStatus::Affected, |p| p.status)
}

/// The groups of `tree`'s entries by their products' statuses; the fixed versions of the
/// affected and fixed products are `fixed`.
pub fn groups<'a>(a: &Advisory, tree: &'a Tree) -> Groups<'a> {
    let mut g = Groups::default();
    for (i, e) in tree.entries.iter().enumerate() {
        let range = e.affected_id.as_str();
        let status = status(a, i);
        match status {
            ProductStatus::Affected => g.known_affected.push(range),
            ProductStatus::NotAffected => g.known_not_affected.push(range),
            ProductStatus::Fixed => g.fixed.push(range),
            ProductStatus::UnderInvestigation => g.under_investigation.push(range),
        }
        // A fixed version says the versions before it were affected: not of a product that is
        // not affected or still under investigation (OpenVEX states none for them either).
        if matches!(status, ProductStatus::Affected | ProductStatus::Fixed) {
            g.fixed.extend(e.fixed.iter().map(|f| f.id.as_str()));
        }
    }
    g
}

/// `product_status`: the groups that have products.
pub fn product_status(g: &Groups<'_>) -> Value {
    let mut status = serde_json::Map::new();
    for (key, ids) in [
        ("known_affected", &g.known_affected),
        ("known_not_affected", &g.known_not_affected),
        ("fixed", &g.fixed),
        ("under_investigation", &g.under_investigation),
    ] {
        if !ids.is_empty() {
            status.insert(key.into(), json!(ids));
        }
    }
    Value::Object(status)
}

/// `flags` (a justification per `not_affected` product) and `threats` (an impact statement per
/// `not_affected` product), in tree order.
pub fn flags_and_threats(a: &Advisory, tree: &Tree) -> (Vec<Value>, Vec<Value>) {
    let (mut flags, mut threats) = (Vec::new(), Vec::new());
    for (p, e) in a.products.iter().zip(&tree.entries).filter(|(p, _)| p.status == ProductStatus::NotAffected) {
        if let Some(j) = p.justification {
            flags.push(json!({ "label": j.as_str(), "product_ids": [e.affected_id] }));
        }
        if let Some(impact) = p.impact.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
            threats.push(json!({ "category": "impact", "details": impact, "product_ids": [e.affected_id] }));
        }
    }
    (flags, threats)
}

/// The `vendor_fix` texts of one entry: one per fixed version (naming the span it ends, for
/// backports), or the `fixed` text that names no single version.
fn vendor_fixes(e: &Entry) -> Vec<String> {
    let fixes = e.fixed.iter().map(|f| match &f.branch {
        Some(branch) => format!("Upgrade {} from versions {branch} to version {}.", e.label, f.version),
        None => format!("Upgrade {} to version {} or later.", e.label, f.version),
    });
    let text = e.fixed.is_empty().then(|| e.fixed_text.as_ref().map(|t| format!("Fixed for {}: {t}.", e.label)));
    fixes.chain(text.flatten()).collect()
}

/// The remediations of the known-affected products and of those under investigation: each
/// affected product's fixed version (`vendor_fix`), each one's `action` (`mitigation`), the
/// report's mitigation (`workaround`, for the affected ones), and `none_available` for a
/// product that has none of them (mandatory test 6.1.27.10 asks it of the affected ones,
/// recommended test 6.2.2 of both).
pub fn remediations(a: &Advisory, tree: &Tree) -> Vec<Value> {
    let affected = groups(a, tree).known_affected;
    let mut out = Vec::new();
    let mut covered: Vec<&str> = Vec::new();
    let mut open: Vec<&str> = Vec::new();
    for (i, e) in tree.entries.iter().enumerate() {
        let id = e.affected_id.as_str();
        let status = status(a, i);
        if !matches!(status, ProductStatus::Affected | ProductStatus::UnderInvestigation) {
            continue;
        }
        open.push(id);
        let fixes = if status == ProductStatus::Affected { vendor_fixes(e) } else { Vec::new() };
        if !fixes.is_empty() {
            covered.push(id);
        }
        out.extend(fixes.into_iter().map(|d| json!({ "category": "vendor_fix", "details": d, "product_ids": [id] })));
        if let Some(action) = a.products.get(i).and_then(|p| p.action.as_deref()) {
            out.push(json!({ "category": "mitigation", "details": action, "product_ids": [id] }));
            covered.push(id);
        }
    }
    if let Some(m) = a.mitigation.as_ref().filter(|_| !affected.is_empty()) {
        out.push(json!({ "category": "workaround", "details": m, "product_ids": affected }));
        covered.extend(&affected);
    }
    let bare: Vec<&str> = open.into_iter().filter(|id| !covered.contains(id)).collect();
    if !bare.is_empty() {
        let details = "No fix or workaround is available yet.";
        out.push(json!({ "category": "none_available", "details": details, "product_ids": bare }));
    }
    out
}

/// The vulnerability's ids in the VEX profile, which needs `cve` or `ids` (6.1.27.8): the
/// report's own id when the vulnerability has neither (a report without aliases).
pub fn ensure_ids(v: &mut Value, a: &Advisory, publisher: &str) {
    if v["cve"].is_null() && v["ids"].as_array().is_none_or(Vec::is_empty) {
        v["ids"] = json!([{ "system_name": format!("{publisher} advisory"), "text": a.id }]);
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::publish::csaf::products::tree;
    use crate::publish::csaf::test_support::{EXPORTS, advisory};

    /// The exports fixture with web not affected (by `justification`) and api under investigation.
    pub(crate) fn mixed() -> String {
        EXPORTS
            .replacen("    fixed: '2.4.1'\n", "    status: not_affected\n    justification: vulnerable_code_not_in_execute_path\n    impact: The download endpoint is not built in.\n", 1)
            .replacen("    affected: '>= 2.0.0, < 2.4.1'\n", "", 1)
            .replacen("    affected: '< 1.10.0'\n    fixed: '1.10.0'\n", "    status: under_investigation\n", 1)
    }

    #[test]
    fn statuses_become_groups_flags_and_threats() {
        let a = advisory(&mixed());
        let t = tree(&a, "Acme Corp");
        let g = groups(&a, &t);
        assert_eq!(g.known_not_affected, ["CSAFPID-0001"]);
        assert_eq!(g.under_investigation, ["CSAFPID-0002"]);
        assert!(g.known_affected.is_empty() && g.fixed.is_empty(), "{g:?}");
        let (flags, threats) = flags_and_threats(&a, &t);
        assert_eq!(flags, [json!({ "label": "vulnerable_code_not_in_execute_path", "product_ids": ["CSAFPID-0001"] })]);
        assert_eq!(threats[0]["category"], "impact");
        assert_eq!(threats[0]["details"], "The download endpoint is not built in.");
        let none = json!({ "category": "none_available", "details": "No fix or workaround is available yet.", "product_ids": ["CSAFPID-0002"] });
        assert_eq!(
            remediations(&a, &t),
            [none],
            "nothing affected; the product under investigation has no fix yet (6.2.2)"
        );
    }

    #[test]
    fn every_known_affected_product_gets_an_action() {
        let a = Advisory { mitigation: None, ..advisory(&EXPORTS.replace("    fixed: '1.10.0'\n", "")) };
        let t = tree(&a, "Acme Corp");
        let r = remediations(&a, &t);
        let categories: Vec<&str> = r.iter().filter_map(|x| x["category"].as_str()).collect();
        assert_eq!(categories, ["vendor_fix", "none_available"]);
        assert_eq!(r[1]["product_ids"], json!(["CSAFPID-0003"]));
        let mut acted = a.clone();
        acted.products[1].action = Some("Block uploads at the proxy.".into());
        let r = remediations(&acted, &tree(&acted, "Acme Corp"));
        assert_eq!(
            r[1],
            json!({ "category": "mitigation", "details": "Block uploads at the proxy.", "product_ids": ["CSAFPID-0003"] })
        );
        assert_eq!(r.len(), 2);
    }
}
