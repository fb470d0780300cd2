//! Where the features of issue 21 meet, through the binary: a product fixed on two release
//! branches (backports) beside products with other VEX statuses, read in every export.

use serde_json::{Value, json};

use super::exports::{assert_valid, validator};
use super::vex::{json_file, openvex_schema, render, repo_with};
use enigm_disclose::publish::csaf::mandatory::mandatory;

const BACKPORTS_VEX: &str = include_str!("../fixtures/reports/backports-vex.md");

/// (status, product @ids) of each OpenVEX statement.
fn openvex_statuses(doc: &Value) -> Vec<(String, Vec<String>)> {
    let statements = doc["statements"].as_array().expect("statements");
    statements
        .iter()
        .map(|s| {
            let ids = s["products"].as_array().expect("products").iter();
            (s["status"].as_str().unwrap_or("").into(), ids.map(|p| p["@id"].as_str().unwrap_or("").into()).collect())
        })
        .collect()
}

#[test]
fn backport_fixes_are_one_openvex_product_and_one_csaf_vex_remediation_each() {
    let repo = repo_with(BACKPORTS_VEX);
    let found: Value = serde_json::from_str(&crate::util::stdout(
        &repo.cmd().args(["validate", "--format", "json"]).assert().success(),
    ))
    .expect("json");
    assert_eq!(found["findings"], json!([]), "the fixture is clean");
    let site = repo.sandbox.tmp.path().join("site");
    repo.cmd().args(["render", "--out"]).arg(&site).assert().success();

    let open = json_file(&site, "vex/ENIGM-2026-0001.openvex.json");
    assert_valid(&openvex_schema(), &open, "OpenVEX");
    let own = |s: &str, ids: &[&str]| (s.to_owned(), ids.iter().map(|i| (*i).to_owned()).collect::<Vec<_>>());
    assert_eq!(
        openvex_statuses(&open),
        [
            own("affected", &["pkg:npm/orbit"]),
            own("fixed", &["pkg:npm/orbit@3.7.5"]),
            own("fixed", &["pkg:npm/orbit@4.1.2"]),
            own("not_affected", &["pkg:npm/acme-web"]),
            own("under_investigation", &["pkg:npm/acme-cli"]),
        ],
        "each fixed version is a purl of its own, never `pkg:npm/orbit@3.7.5, 4.1.2`"
    );
    assert_eq!(
        open["statements"][0]["action_statement"],
        "Upgrade api on its release branch: from versions >= 3.0.0, < 3.7.5 to 3.7.5; \
         from versions >= 4.0.0, < 4.1.2 to 4.1.2."
    );

    let vex = json_file(&site, "csaf/2026/enigm-2026-0001-vex.json");
    assert_valid(&validator("csaf-2.0.schema.json"), &vex, "CSAF VEX");
    assert_eq!(mandatory(&vex), [], "mandatory tests, 6.1.27.x of csaf_vex included");
    let v = &vex["vulnerabilities"][0];
    assert_eq!(
        v["product_status"],
        json!({
            "known_affected": ["CSAFPID-0001"],
            "fixed": ["CSAFPID-0002", "CSAFPID-0003"],
            "known_not_affected": ["CSAFPID-0004"],
            "under_investigation": ["CSAFPID-0005"],
        })
    );
    let fixes: Vec<&str> = v["remediations"]
        .as_array()
        .expect("remediations")
        .iter()
        .filter(|r| r["category"] == "vendor_fix")
        .filter_map(|r| r["details"].as_str())
        .collect();
    assert_eq!(
        fixes,
        [
            "Upgrade api from versions >= 3.0.0, < 3.7.5 to version 3.7.5.",
            "Upgrade api from versions >= 4.0.0, < 4.1.2 to version 4.1.2."
        ]
    );
    let advisory = json_file(&site, "csaf/2026/enigm-2026-0001.json");
    assert_eq!(advisory["vulnerabilities"], vex["vulnerabilities"], "the advisory and its VEX agree");
    assert_eq!(render(&repo, "1", "openvex"), open);
}

/// A `not_affected` product that also lists `versions`: its fixed version would say the
/// versions before it were affected, so CSAF lists no `fixed` product for it (it listed web
/// 1.2.0 as fixed beside web as known not affected, where OpenVEX said only `not_affected`).
#[test]
fn a_not_affected_product_has_no_fixed_version_in_csaf() {
    let web = "    justification: vulnerable_code_not_present\n";
    let report = BACKPORTS_VEX.replacen(
        web,
        &format!("{web}    versions:\n      - introduced: \"1.0.0\"\n        fixed: \"1.2.0\"\n"),
        1,
    );
    assert_ne!(report, BACKPORTS_VEX);
    let repo = repo_with(&report);
    let csaf = render(&repo, "1", "csaf");
    assert_eq!(mandatory(&csaf), []);
    let status = &csaf["vulnerabilities"][0]["product_status"];
    assert_eq!(status["fixed"], json!(["CSAFPID-0002", "CSAFPID-0003"]), "orbit's two branches only: {status}");
    assert_eq!(status["known_not_affected"], json!(["CSAFPID-0004"]));
    let open = render(&repo, "1", "openvex");
    let fixed: Vec<(String, Vec<String>)> = openvex_statuses(&open).into_iter().filter(|(s, _)| s == "fixed").collect();
    assert_eq!(fixed.len(), 2, "{fixed:?}");
}
