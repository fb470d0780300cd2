//! VEX through the binary: product statuses in a published advisory become an OpenVEX document
//! (valid against the OpenVEX JSON schema, vendored in tests/fixtures/openvex/) and a CSAF
//! `csaf_vex` document (valid against the CSAF schema in ../shared/schemas and our mandatory
//! tests, 6.1.27.x included); a VEX-only statement goes `new --vex` → triaged → published and
//! renders as VEX only.

use std::fs;
use std::path::Path;

use enigm_disclose::publish::csaf::mandatory::mandatory;
use serde_json::{Value, json};

use super::exports::{assert_valid, validator};
use super::render::all_files;
use super::validate::commit_all;
use crate::util::{TestRepo, stderr, stdout};

const MIXED: &str = include_str!("../fixtures/reports/vex-mixed.md");
const VEX_ONLY: &str = include_str!("../fixtures/reports/vex-only.md");

/// The OpenVEX 0.2.0 schema (tests/fixtures/openvex/README.md), formats checked.
pub(super) fn openvex_schema() -> jsonschema::Validator {
    let text = include_str!("../fixtures/openvex/openvex_json_schema.json");
    let schema: Value = serde_json::from_str(text).expect("schema is JSON");
    jsonschema::options().should_validate_formats(true).build(&schema).expect("schema compiles")
}

/// A repository with a website and a base URL (a CSAF publisher), holding `report`, committed.
pub(super) fn repo_with(report: &str) -> TestRepo {
    let repo = TestRepo::new();
    let config = repo
        .read("enigm.yaml")
        .replacen("components: []", "components: [uploads]", 1)
        .replace("# website: https://www.example.com", "website: https://www.acme.test")
        .replace("# base_url: https://security.example.com/advisories/", "base_url: https://security.acme.test/");
    repo.write("enigm.yaml", config);
    repo.write("reports/ENIGM-2026-0001.md", report);
    commit_all(&repo, "report");
    repo
}

pub(super) fn json_file(dir: &Path, rel: &str) -> Value {
    serde_json::from_str(&fs::read_to_string(dir.join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))).expect("JSON")
}

pub(super) fn render(repo: &TestRepo, id: &str, format: &str) -> Value {
    serde_json::from_str(&stdout(&repo.cmd().args(["render", id, "--format", format]).assert().success()))
        .expect("JSON")
}

/// (product @id, status) of each statement.
fn statuses(doc: &Value) -> Vec<(String, String)> {
    let s = doc["statements"].as_array().expect("statements");
    s.iter()
        .map(|x| (x["products"][0]["@id"].as_str().unwrap_or("").into(), x["status"].as_str().unwrap_or("").into()))
        .collect()
}

#[test]
fn a_published_report_with_every_status_renders_openvex_and_csaf_vex() {
    let repo = repo_with(MIXED);
    let a = repo.cmd().args(["validate", "--format", "json"]).assert().success();
    let found: Value = serde_json::from_str(&stdout(&a)).expect("json");
    assert_eq!(found["findings"], json!([]), "the fixture is clean");
    let site = repo.sandbox.tmp.path().join("site");
    repo.cmd().args(["render", "--out"]).arg(&site).assert().success();

    let open = json_file(&site, "vex/ENIGM-2026-0001.openvex.json");
    assert_valid(&openvex_schema(), &open, "OpenVEX");
    assert_eq!(open, render(&repo, "1", "openvex"), "the site's document is `render --format openvex`");
    assert_eq!(open["@id"], "https://security.acme.test/vex/ENIGM-2026-0001.openvex.json");
    assert_eq!(
        statuses(&open),
        [
            ("cpe:2.3:a:acme:web:*:*:*:*:*:*:*:*".to_owned(), "not_affected".to_owned()),
            ("pkg:pypi/acme-api".into(), "affected".into()),
            ("pkg:pypi/acme-api@1.10.0".into(), "fixed".into()),
            ("pkg:pypi/acme-api-cli".into(), "under_investigation".into()),
        ]
    );
    let s = &open["statements"];
    assert_eq!(s[0]["vulnerability"], json!({ "name": "CVE-2026-41234", "aliases": ["ENIGM-2026-0001"] }));
    assert_eq!(s[0]["justification"], "vulnerable_code_not_in_execute_path");
    assert!(s[0]["status_notes"].as_str().is_some_and(|n| n.starts_with("The download endpoint")), "{}", s[0]);
    assert!(s[1]["action_statement"].as_str().is_some_and(|a| a.starts_with("Upgrade acme-api to 1.10.0;")));

    let vex = json_file(&site, "csaf/2026/enigm-2026-0001-vex.json");
    assert_valid(&validator("csaf-2.0.schema.json"), &vex, "CSAF VEX");
    assert_eq!(mandatory(&vex), [], "mandatory tests, 6.1.27.x of csaf_vex included");
    assert_eq!(vex, render(&repo, "1", "csaf-vex"));
    assert_eq!(
        (vex["document"]["category"].as_str(), vex["document"]["tracking"]["id"].as_str()),
        (Some("csaf_vex"), Some("ENIGM-2026-0001-VEX"))
    );
    let v = &vex["vulnerabilities"][0];
    assert_eq!(
        v["product_status"],
        json!({
            "known_not_affected": ["CSAFPID-0001"],
            "known_affected": ["CSAFPID-0002"],
            "fixed": ["CSAFPID-0003"],
            "under_investigation": ["CSAFPID-0004"],
        })
    );
    assert_eq!(
        v["flags"],
        json!([{ "label": "vulnerable_code_not_in_execute_path", "product_ids": ["CSAFPID-0001"] }])
    );
    assert_eq!(v["threats"][0]["category"], "impact");
    assert_eq!(v["scores"][0]["products"], json!(["CSAFPID-0002"]), "only the affected product is scored");
    let remediation: Vec<(&str, &Value)> = v["remediations"]
        .as_array()
        .expect("remediations")
        .iter()
        .map(|r| (r["category"].as_str().unwrap_or(""), &r["product_ids"]))
        .collect();
    assert_eq!(
        remediation,
        [
            ("vendor_fix", &json!(["CSAFPID-0002"])),
            ("mitigation", &json!(["CSAFPID-0002"])),
            ("workaround", &json!(["CSAFPID-0002"])),
            ("none_available", &json!(["CSAFPID-0004"])),
        ]
    );
    for (name, doc) in [("openvex", &open), ("csaf_vex", &vex)] {
        insta::assert_snapshot!(format!("vex_{name}"), serde_json::to_string_pretty(doc).expect("json"));
    }
    // The advisory itself carries the same statuses, and both documents are listed.
    let advisory = json_file(&site, "csaf/2026/enigm-2026-0001.json");
    assert_eq!(advisory["vulnerabilities"], vex["vulnerabilities"]);
    assert_eq!(mandatory(&advisory), []);
    let index = fs::read_to_string(site.join("csaf/index.txt")).expect("index");
    assert_eq!(index, "2026/enigm-2026-0001-vex.json\n2026/enigm-2026-0001.json\n");
    // OSV and CVE say the same: only the affected package is affected.
    let osv = render(&repo, "1", "osv");
    assert_valid(&validator("osv.schema.json"), &osv, "OSV");
    let packages: Vec<&str> =
        osv["affected"].as_array().expect("affected").iter().filter_map(|x| x["package"]["name"].as_str()).collect();
    assert_eq!(packages, ["acme-api"], "{osv}");
    let config = repo.read("enigm.yaml").replace(
        "# cve_org_id: 00000000-0000-4000-8000-000000000000",
        "cve_org_id: 5a3b1c2d-0e4f-4a1b-9c8d-7e6f5a4b3c2d",
    );
    repo.write("enigm.yaml", config);
    let cve = render(&repo, "1", "cve");
    assert_valid(&validator("cve-record-5.schema.json"), &cve, "CVE");
    let defaults: Vec<&str> = cve["containers"]["cna"]["affected"]
        .as_array()
        .expect("affected")
        .iter()
        .filter_map(|x| x["defaultStatus"].as_str())
        .collect();
    assert_eq!(
        defaults,
        ["unaffected", "unaffected", "unknown"],
        "web: not affected; api: a span; cli: under investigation"
    );
    assert!(cve["containers"]["cna"]["affected"][0].get("versions").is_none());
}

#[test]
fn the_openvex_schema_check_is_real() {
    let repo = repo_with(MIXED);
    let schema = openvex_schema();
    let doc = render(&repo, "1", "openvex");
    assert!(schema.is_valid(&doc));
    let mut both = doc.clone();
    both["statements"][0]["impact_statement"] = json!("also an impact statement");
    assert!(!schema.is_valid(&both), "a not_affected statement takes a justification or an impact statement, not both");
    let mut no_action = doc.clone();
    no_action["statements"][1].as_object_mut().expect("statement").remove("action_statement");
    assert!(!schema.is_valid(&no_action), "an affected statement needs an action statement");
    let mut bad_time = doc;
    bad_time["timestamp"] = json!("March 1st");
    assert!(!schema.is_valid(&bad_time), "formats are checked");
}

#[test]
fn a_signed_site_hashes_and_signs_the_vex_documents() {
    let repo = repo_with(MIXED);
    let site = repo.sandbox.tmp.path().join("site");
    let key = include_str!("../fixtures/keys/openpgp-ed25519-test.asc");
    repo.cmd().env("ENIGM_SIGNING_KEY", key).args(["render", "--out"]).arg(&site).assert().success();
    for f in ["vex/ENIGM-2026-0001.openvex.json", "csaf/2026/enigm-2026-0001-vex.json"] {
        for ext in ["sha256", "sha512", "asc"] {
            assert!(site.join(format!("{f}.{ext}")).is_file(), "{f}.{ext}");
        }
    }
    let feed = json_file(&site, "csaf/feed-tlp-white.json");
    let ids: Vec<&str> =
        feed["feed"]["entry"].as_array().expect("entries").iter().filter_map(|e| e["id"].as_str()).collect();
    assert_eq!(ids, ["ENIGM-2026-0001-VEX", "ENIGM-2026-0001"]);
    repo.cmd().args(["verify-site"]).arg(&site).assert().success();
}

#[test]
fn a_vex_statement_is_filed_triaged_published_and_rendered_as_vex_only() {
    let repo = repo_with(MIXED);
    // `new --vex`: the organisation files it; the product is under investigation.
    let out = repo
        .cmd()
        .args([
            "new",
            "--vex",
            "CVE-2026-1234",
            "--title",
            "Acme and CVE-2026-1234",
            "--product",
            "api",
            "--purl",
            "pkg:pypi/acme-api",
            "--format",
            "json",
        ])
        .assert()
        .success();
    let id = serde_json::from_str::<Value>(&stdout(&out)).expect("json")["id"].as_str().expect("id").to_owned();
    assert_eq!(id, "ENIGM-2026-0002");
    let path = format!("reports/{id}.md");
    let text = repo.read(&path);
    for line in [
        "vex_only: true\n",
        "    purl: pkg:pypi/acme-api\n    status: under_investigation\n",
        "aliases: [CVE-2026-1234]\n",
        "  name: Acme Corp\n",
    ] {
        assert!(text.contains(line), "{line:?} in\n{text}");
    }
    // Assessed: not affected, and why.
    let assessed = text
        .replace(
            "    status: under_investigation\n",
            "    status: not_affected\n    justification: component_not_present\n",
        )
        .replace(
            "TODO: Which of our products the vulnerability concerns, and how they stand.",
            "The api client does not ship libthumb.",
        );
    repo.write(&path, assessed);
    commit_all(&repo, "assessed");
    // Triaged first (the products are assessed), then straight to `published`: the short way
    // is a VEX statement's only (an advisory's is unit-tested in rules::lifecycle).
    let early = repo.cmd().args(["advance", "2", "published"]).assert().code(1);
    assert!(stderr(&early).contains("the next states are: triaged"), "{}", stderr(&early));
    repo.cmd().args(["advance", "2", "triaged"]).assert().success();
    repo.cmd().args(["advance", "2", "published"]).assert().success();

    let site = repo.sandbox.tmp.path().join("site");
    repo.cmd().args(["render", "--out"]).arg(&site).assert().success();
    let prefix = format!("{}/", site.display());
    let files: Vec<String> =
        all_files(&site).into_iter().map(|(p, _)| p.trim_start_matches(&prefix).to_owned()).collect();
    let of_it: Vec<&str> =
        files.iter().map(String::as_str).filter(|p| p.to_lowercase().contains("enigm-2026-0002")).collect();
    assert_eq!(of_it, ["csaf/2026/enigm-2026-0002-vex.json", "vex/ENIGM-2026-0002.openvex.json"], "VEX only");
    let open = json_file(&site, "vex/ENIGM-2026-0002.openvex.json");
    assert_valid(&openvex_schema(), &open, "OpenVEX");
    assert_eq!(open["statements"][0]["vulnerability"], json!({ "name": "CVE-2026-1234" }));
    assert_eq!(open["statements"][0]["products"][0]["@id"], "pkg:pypi/acme-api", "known by the purl `new` wrote");
    assert_eq!(
        (open["statements"][0]["status"].as_str(), open["statements"][0]["justification"].as_str()),
        (Some("not_affected"), Some("component_not_present"))
    );
    let vex = json_file(&site, "csaf/2026/enigm-2026-0002-vex.json");
    assert_valid(&validator("csaf-2.0.schema.json"), &vex, "CSAF VEX");
    assert_eq!(mandatory(&vex), []);
    let refs = vex["document"]["references"].to_string();
    assert!(!refs.contains("advisories/ENIGM-2026-0002") && !refs.contains("osv/"), "no advisory of ours: {refs}");
    // Listed as a VEX statement in the index; not in the feed, OSV's list or CVE records.
    let index = fs::read_to_string(site.join("index.html")).expect("index");
    assert!(
        index.contains("<a href=\"vex/ENIGM-2026-0002.openvex.json\">ENIGM-2026-0002</a>")
            && index.contains("VEX statement"),
        "{index}"
    );
    assert!(!index.contains("advisories/ENIGM-2026-0002.html"));
    for listing in ["feed.xml", "osv/all.json"] {
        assert!(!fs::read_to_string(site.join(listing)).expect("listing").contains("ENIGM-2026-0002"), "{listing}");
    }
    // One statement alone renders as VEX, never as an advisory.
    for format in ["html", "md", "osv", "csaf", "cve"] {
        let a = repo.cmd().args(["render", "2", "--format", format]).assert().code(2);
        assert!(stderr(&a).contains("is a VEX statement"), "{format}: {}", stderr(&a));
    }
    assert_eq!(render(&repo, "2", "openvex"), open);
}

#[test]
fn new_refuses_identifiers_without_their_scheme_and_names_the_flag() {
    let repo = repo_with(MIXED);
    let head = repo.head_id();
    for (flag, value, says) in [
        ("--purl", "acme-api", "--purl `acme-api` is not a package URL"),
        ("--cpe", "acme:web", "--cpe `acme:web` is not a CPE name"),
    ] {
        let out = repo
            .cmd()
            .args(["new", "--vex", "CVE-2026-1234", "--title", "t", "--product", "api", flag, value])
            .assert()
            .code(2);
        assert!(stderr(&out).contains(says), "{}", stderr(&out));
    }
    assert_eq!(repo.head_id(), head, "nothing committed");
    let out = repo
        .cmd()
        .args(["new", "--title", "t", "--product", "api", "--reporter-name", "Jane", "--cpe"])
        .args(["cpe:2.3:a:acme:api:*:*:*:*:*:*:*:*", "--no-commit"])
        .assert()
        .success();
    assert!(stdout(&out).contains("ENIGM-2026-0002"), "{}", stdout(&out));
    assert!(repo.read("reports/ENIGM-2026-0002.md").contains("    cpe: cpe:2.3:a:acme:api:*:*:*:*:*:*:*:*\n"));
}

#[test]
fn a_vex_statement_counts_in_stats_but_not_in_the_response_figures() {
    let repo = repo_with(MIXED);
    let stats = |repo: &TestRepo| -> Value {
        let out = repo.cmd().args(["stats", "--format", "json"]).assert().success();
        serde_json::from_str(&stdout(&out)).expect("json")
    };
    let before = stats(&repo);
    repo.cmd()
        .args(["new", "--vex", "CVE-2026-1234", "--title", "Acme and CVE-2026-1234", "--product", "api"])
        .assert()
        .success();
    let received = stats(&repo);
    assert_eq!(received["open"].as_u64(), Some(before["open"].as_u64().expect("n") + 1));
    assert_eq!(received["unacknowledged"], before["unacknowledged"], "no researcher waits for an answer");
    let text = repo.read("reports/ENIGM-2026-0002.md").replacen(
        "TODO: Which of our products the vulnerability concerns, and how they stand.",
        "The api client is being checked.",
        1,
    );
    repo.write("reports/ENIGM-2026-0002.md", text);
    commit_all(&repo, "assessed");
    repo.cmd().args(["advance", "2", "triaged"]).assert().success();
    let after = stats(&repo);
    assert_eq!((after["total"].as_u64(), after["vex_statements"].as_u64()), (Some(2), Some(1)));
    assert_eq!(after["by_state"]["triaged"].as_u64(), Some(before["by_state"]["triaged"].as_u64().expect("n") + 1));
    for figure in ["first_response", "triage", "fix", "publish"] {
        assert_eq!(after["times"][figure], before["times"][figure], "{figure}: a VEX statement is not measured");
    }
    assert_eq!(after["fix_histogram"], before["fix_histogram"]);
    let human = stdout(&repo.cmd().arg("stats").assert().success());
    assert!(human.contains("1 VEX statements (about others' vulnerabilities): counted here"), "{human}");
    let page = repo.sandbox.tmp.path().join("dashboard.html");
    repo.cmd().args(["stats", "--html"]).arg(&page).assert().success();
    let page = fs::read_to_string(&page).expect("dashboard");
    assert!(page.contains("VEX statements"), "a tile");
}

#[test]
fn a_vex_only_fixture_validates_and_a_broken_status_is_found_at_its_line() {
    let repo = repo_with(VEX_ONLY);
    repo.cmd().arg("validate").assert().success();
    let broken = VEX_ONLY
        .replace("    justification: component_not_present\n", "")
        .replace("    impact: The api client links", "    action: Upgrade.\n    impact: The api client links");
    repo.write("reports/ENIGM-2026-0001.md", &broken);
    let a = repo.cmd().args(["validate", "--format", "json"]).assert().code(1);
    let found: Value = serde_json::from_str(&stdout(&a)).expect("json");
    let at: Vec<(&str, u64)> = found["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| (f["code"].as_str().unwrap_or(""), f["line"].as_u64().unwrap_or(0)))
        .collect();
    let line = |needle: &str| broken.lines().position(|l| l.contains(needle)).expect("line") as u64 + 1;
    assert_eq!(
        at,
        [("vex-justification-missing", line("status: not_affected")), ("vex-field-mismatch", line("action: Upgrade."))]
    );
}
