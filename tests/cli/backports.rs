//! Backports through the binary: a product fixed on two release branches (`versions` spans),
//! rendered into a site whose OSV record, CVE record and CSAF document carry the same two
//! spans and both fixed versions, each valid against its official schema (and CSAF against
//! the mandatory tests); the advisory page lists both; `validate` points at a broken span.

use std::fs;

use enigm_disclose::publish::csaf::mandatory::mandatory;
use serde_json::{Value, json};

use super::exports::{assert_valid, validator};
use super::validate::commit_all;
use crate::util::{TestRepo, stdout};

const EXPORTS: &str = include_str!("../fixtures/reports/exports.md");

const TWO_BRANCHES: &str = "    versions:
      - introduced: '3.0.0'
        fixed: '3.7.5'
      - introduced: '4.0.0'
        fixed: '4.1.2'
    ecosystem: npm
    package: acme-web
";

/// The exports fixture with `web` fixed in 3.7.5 and 4.1.2.
fn backported(spans: &str) -> String {
    let old = "    affected: '>= 2.0.0, < 2.4.1'\n    fixed: '2.4.1'\n";
    assert!(EXPORTS.contains(old));
    EXPORTS.replace(old, spans)
}

fn repo(report: &str) -> TestRepo {
    let repo = TestRepo::new();
    let config = repo
        .read("enigm.yaml")
        .replacen("components: []", "components: [uploads]", 1)
        .replace("# website: https://www.example.com", "website: https://www.acme.test")
        .replace("# base_url: https://security.example.com/advisories/", "base_url: https://security.acme.test/")
        .replace(
            "# cve_org_id: 00000000-0000-4000-8000-000000000000",
            "cve_org_id: 5a3b1c2d-0e4f-4a1b-9c8d-7e6f5a4b3c2d",
        );
    repo.write("enigm.yaml", config);
    repo.write("reports/ENIGM-2026-0001.md", report);
    commit_all(&repo, "published report");
    repo
}

fn read_json(path: std::path::PathBuf) -> Value {
    serde_json::from_str(&fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display())))
        .expect("JSON")
}

#[test]
fn two_backport_branches_reach_osv_cve_and_csaf_as_the_same_spans() {
    let repo = repo(&backported(TWO_BRANCHES));
    repo.cmd().arg("validate").assert().success();
    let site = repo.sandbox.tmp.path().join("site");
    repo.cmd().args(["render", "--out"]).arg(&site).assert().success();

    let osv = read_json(site.join("osv/x_ENIGM-2026-0001.json"));
    assert_valid(&validator("osv.schema.json"), &osv, "OSV");
    assert_eq!(
        osv["affected"][0]["package"],
        json!({ "ecosystem": "npm", "name": "acme-web", "purl": "pkg:npm/acme-web" })
    );
    assert_eq!(
        osv["affected"][0]["ranges"],
        json!([{ "type": "SEMVER", "events": [
            { "introduced": "3.0.0" }, { "fixed": "3.7.5" }, { "introduced": "4.0.0" }, { "fixed": "4.1.2" }
        ] }])
    );

    let cve = read_json(site.join("cve/CVE-2026-41234.json"));
    assert_valid(&validator("cve-record-5.schema.json"), &cve, "CVE");
    let web = &cve["containers"]["cna"]["affected"][0];
    let entry = |version: &str, less: &str, status: &str| json!({ "version": version, "lessThan": less, "status": status, "versionType": "semver" });
    assert_eq!(
        web["versions"],
        json!([
            entry("3.0.0", "3.7.5", "affected"),
            entry("4.0.0", "4.1.2", "affected"),
            entry("3.7.5", "4.0.0", "unaffected"),
            entry("4.1.2", "*", "unaffected"),
        ]),
        "no `unaffected` from 3.7.5 up while 4.0.0-4.1.2 is affected"
    );
    assert_eq!(web["defaultStatus"], "unaffected");

    let csaf = read_json(site.join("csaf/2026/enigm-2026-0001.json"));
    assert_valid(&validator("csaf-2.0.schema.json"), &csaf, "CSAF");
    assert_eq!(mandatory(&csaf), []);
    let leaves = &csaf["product_tree"]["branches"][0]["branches"][0]["branches"];
    assert_eq!(leaves[0]["category"], "product_version_range");
    assert_eq!(leaves[0]["name"], "vers:npm/>=3.0.0|<3.7.5|>=4.0.0|<4.1.2");
    let fixed: Vec<(&str, &str)> = leaves.as_array().expect("leaves")[1..]
        .iter()
        .map(|l| {
            (
                l["name"].as_str().unwrap_or(""),
                l["product"]["product_identification_helper"]["purl"].as_str().unwrap_or(""),
            )
        })
        .collect();
    assert_eq!(fixed, [("3.7.5", "pkg:npm/acme-web@3.7.5"), ("4.1.2", "pkg:npm/acme-web@4.1.2")]);
    let v = &csaf["vulnerabilities"][0];
    assert_eq!(v["product_status"]["fixed"], json!(["CSAFPID-0002", "CSAFPID-0003", "CSAFPID-0005"]));
    let fixes: Vec<&str> = v["remediations"]
        .as_array()
        .expect("remediations")
        .iter()
        .filter(|r| r["product_ids"] == json!(["CSAFPID-0001"]) && r["category"] == "vendor_fix")
        .filter_map(|r| r["details"].as_str())
        .collect();
    assert_eq!(
        fixes,
        [
            "Upgrade web (uploads) from versions >= 3.0.0, < 3.7.5 to version 3.7.5.",
            "Upgrade web (uploads) from versions >= 4.0.0, < 4.1.2 to version 4.1.2."
        ]
    );

    let page = fs::read_to_string(site.join("advisories/ENIGM-2026-0001.html")).expect("page");
    assert!(
        page.contains("&gt;= 3.0.0, &lt; 3.7.5; &gt;= 4.0.0, &lt; 4.1.2") && page.contains("3.7.5, 4.1.2"),
        "{page}"
    );
    let md = stdout(&repo.cmd().args(["render", "1", "--format", "md"]).assert().success());
    assert!(md.contains("| >= 3.0.0, < 3.7.5; >= 4.0.0, < 4.1.2 | 3.7.5, 4.1.2 |"), "{md}");
}

#[test]
fn a_broken_layout_is_an_error_at_its_span_and_versions_beside_fixed_names_both() {
    let overlapping = "    versions:
      - introduced: '3.0.0'
        fixed: '3.7.5'
      - introduced: '3.5.0'
        fixed: '4.1.2'
    fixed: '4.1.2'
    ecosystem: npm
    package: acme-web
";
    let text = backported(overlapping);
    let repo = repo(&text);
    let a = repo.cmd().args(["validate", "--format", "json"]).assert().code(1);
    let found: Value = serde_json::from_str(&stdout(&a)).expect("json");
    let findings = found["findings"].as_array().expect("findings");
    let line_of = |line: &str| text.lines().position(|l| l == line).map(|i| i as u64 + 1);
    let at = |code: &str| {
        findings
            .iter()
            .find(|f| f["code"] == code)
            .map(|f| (f["severity"].as_str().unwrap_or("").to_owned(), f["line"].as_u64()))
    };
    assert_eq!(at("versions-order"), Some(("error".into(), line_of("      - introduced: '3.5.0'"))), "{found}");
    assert_eq!(at("versions-with-text"), Some(("error".into(), line_of("    fixed: '4.1.2'"))), "{found}");
    let message = findings.iter().find(|f| f["code"] == "versions-with-text").and_then(|f| f["message"].as_str());
    assert!(message.is_some_and(|m| m.contains("`versions` and `fixed`")), "{message:?}");
}
