//! Standard exports through the binary: CSAF 2.0 documents and the provider directory, CVE
//! JSON 5 records, each valid against its official schema (from ../shared/schemas), CSAF also
//! against the standard's mandatory tests; refusals, revisions and private data.

use std::collections::HashMap;
use std::fs;

use enigm_disclose::publish::csaf::mandatory::mandatory;
use serde_json::Value;

use super::validate::{commit_all, shared_schema};
use crate::util::{TestRepo, stderr, stdout};

const EXPORTS: &str = include_str!("../fixtures/reports/exports.md");
const ORG_ID: &str = "5a3b1c2d-0e4f-4a1b-9c8d-7e6f5a4b3c2d";

/// A repository publishing the exports fixture, with a website, a base URL and a CNA id.
fn repo() -> TestRepo {
    let repo = TestRepo::new();
    let config = repo
        .read("enigm.yaml")
        .replacen("components: []", "components: [uploads]", 1)
        .replace("# website: https://www.example.com", "website: https://www.acme.test")
        .replace("# base_url: https://security.example.com/advisories/", "base_url: https://security.acme.test/")
        .replace("# cve_org_id: 00000000-0000-4000-8000-000000000000", &format!("cve_org_id: {ORG_ID}"));
    repo.write("enigm.yaml", config);
    repo.write("reports/ENIGM-2026-0001.md", EXPORTS);
    commit_all(&repo, "published report");
    repo.cmd().arg("validate").assert().success();
    repo
}

fn json(text: &str) -> Value {
    serde_json::from_str(text).expect("JSON output")
}

fn render(repo: &TestRepo, format: &str) -> Value {
    json(&stdout(&repo.cmd().args(["render", "1", "--format", format]).assert().success()))
}

/// Maps the URLs the CSAF schemas refer to onto the local copies (../shared/schemas/README.md).
struct LocalSchemas(HashMap<String, Value>);

impl jsonschema::Retrieve for LocalSchemas {
    fn retrieve(&self, uri: &jsonschema::Uri<String>) -> Result<Value, Box<dyn std::error::Error + Send + Sync>> {
        let uri = uri.as_str();
        let key = uri.split(['?', '#']).next().unwrap_or(uri);
        self.0.get(key).cloned().ok_or_else(|| format!("no local copy of {uri}").into())
    }
}

/// A validator for `name`, with CSAF's external references served locally.
pub fn validator(name: &str) -> jsonschema::Validator {
    let schema = shared_schema(name);
    let mut local = HashMap::new();
    for (url, file) in [
        ("https://www.first.org/cvss/cvss-v2.0.json", "cvss-v2.0.json"),
        ("https://www.first.org/cvss/cvss-v3.0.json", "cvss-v3.0.json"),
        ("https://www.first.org/cvss/cvss-v3.1.json", "cvss-v3.1.json"),
        ("https://docs.oasis-open.org/csaf/csaf/v2.0/csaf_json_schema.json", "csaf-2.0.schema.json"),
    ] {
        local.insert(url.to_owned(), shared_schema(file));
    }
    let built = jsonschema::options().should_validate_formats(true).with_retriever(LocalSchemas(local)).build(&schema);
    built.expect("schema compiles")
}

pub fn assert_valid(v: &jsonschema::Validator, doc: &Value, what: &str) {
    let errors: Vec<String> = v.iter_errors(doc).map(|e| format!("{e} at {}", e.instance_path())).collect();
    assert!(errors.is_empty(), "{what} invalid: {errors:#?}");
}

#[test]
fn one_report_exports_to_osv_csaf_and_cve_each_valid_against_its_official_schema() {
    let repo = repo();
    let osv = render(&repo, "osv");
    assert_valid(&validator("osv.schema.json"), &osv, "OSV");
    assert_eq!(osv["severity"].as_array().map(Vec::len), Some(2), "CVSS v3.1 and v4.0");
    let csaf = render(&repo, "csaf");
    assert_valid(&validator("csaf-2.0.schema.json"), &csaf, "CSAF");
    assert_eq!(mandatory(&csaf), [], "CSAF mandatory tests");
    let cve = render(&repo, "cve");
    assert_valid(&validator("cve-record-5.schema.json"), &cve, "CVE");
    for (name, doc) in [("osv", &osv), ("csaf", &csaf), ("cve", &cve)] {
        insta::assert_snapshot!(format!("export_{name}"), serde_json::to_string_pretty(doc).expect("json"));
    }
}

#[test]
fn a_broken_document_fails_the_schema_check() {
    // The validators are real: a v3.1 score with a wrong severity, a CVE record without a CNA.
    let repo = repo();
    let csaf_schema = validator("csaf-2.0.schema.json");
    let mut csaf = render(&repo, "csaf");
    csaf["vulnerabilities"][0]["scores"][0]["cvss_v3"]["baseSeverity"] = "SEVERE".into();
    assert!(!csaf_schema.is_valid(&csaf), "the CVSS v3.1 schema is reached through the local mapping");
    let cve_schema = validator("cve-record-5.schema.json");
    let mut cve = render(&repo, "cve");
    cve["containers"]["cna"]["providerMetadata"]["orgId"] = "not-a-uuid".into();
    assert!(!cve_schema.is_valid(&cve));
}

#[test]
fn the_site_is_a_csaf_provider_directory() {
    let repo = repo();
    let site = repo.sandbox.tmp.path().join("site");
    repo.cmd().args(["render", "--out"]).arg(&site).assert().success();
    let csaf = site.join("csaf");
    let doc = json(&fs::read_to_string(csaf.join("2026/enigm-2026-0001.json")).expect("document"));
    assert_eq!(doc, render(&repo, "csaf"), "the site's document is `render --format csaf`");
    assert_valid(&validator("csaf-2.0.schema.json"), &doc, "CSAF");
    // The advisory and its VEX document (`csaf_vex`), each a CSAF document of the provider.
    assert_eq!(
        fs::read_to_string(csaf.join("index.txt")).expect("index"),
        "2026/enigm-2026-0001-vex.json\n2026/enigm-2026-0001.json\n"
    );
    assert_eq!(
        fs::read_to_string(csaf.join("changes.csv")).expect("changes"),
        "\"2026/enigm-2026-0001-vex.json\",\"2026-03-01T00:00:00.000Z\"\n\"2026/enigm-2026-0001.json\",\"2026-03-01T00:00:00.000Z\"\n"
    );
    let meta = json(&fs::read_to_string(csaf.join("provider-metadata.json")).expect("metadata"));
    assert_eq!(meta["canonical_url"], "https://security.acme.test/csaf/provider-metadata.json");
    assert_eq!(meta["distributions"][0]["directory_url"], "https://security.acme.test/csaf/");
    assert_eq!(meta["publisher"], doc["document"]["publisher"]);
    assert_valid(&validator("csaf-2.0-provider.schema.json"), &meta, "provider metadata");
    repo.cmd().args(["render", "--check", "--out"]).arg(&site).assert().success();

    // Without base_url: documents and listings, no provider metadata (it needs a canonical URL).
    let config = repo.read("enigm.yaml").replace("base_url: https://security.acme.test/", "# no base_url");
    repo.write("enigm.yaml", &config);
    let a = repo.cmd().args(["render", "--out"]).arg(&site).assert().success();
    assert!(stderr(&a).contains("provider-metadata.json not written"), "{}", stderr(&a));
    assert!(!csaf.join("provider-metadata.json").exists() && csaf.join("2026/enigm-2026-0001.json").exists());
    // Without a website either: no CSAF at all, and `render --format csaf` says why.
    repo.write("enigm.yaml", config.replace("website: https://www.acme.test", ""));
    let a = repo.cmd().args(["render", "--out"]).arg(&site).assert().success();
    assert!(stderr(&a).contains("no CSAF documents"), "{}", stderr(&a));
    assert!(!csaf.join("index.txt").exists(), "removed: the tool wrote it");
    let a = repo.cmd().args(["render", "1", "--format", "csaf"]).assert().code(2);
    assert!(
        stderr(&a).contains("publisher namespace") && stderr(&a).contains("organization.website"),
        "{}",
        stderr(&a)
    );
}

/// Commits everything as `Test Lead` at `seconds` (UTC).
fn commit_at(repo: &TestRepo, message: &str, seconds: i64) {
    let git = repo.git();
    let mut index = git.index().expect("index");
    index.update_all(["*"], None).expect("update");
    index.write().expect("write");
    let tree = git.find_tree(index.write_tree().expect("tree")).expect("tree");
    let head = git.head().expect("head").peel_to_commit().expect("commit");
    let sig = git2::Signature::new("Test Lead", "lead@example.test", &git2::Time::new(seconds, 0)).expect("sig");
    git.commit(Some("HEAD"), &sig, &sig, message, &tree, &[&head]).expect("commit");
}

#[test]
fn edits_after_publication_are_revisions_and_uncommitted_ones_make_it_interim() {
    let repo = repo();
    // A private edit (the Context section) is no revision; a public one is, named.
    let private = EXPORTS.replace("default configuration.", "default configuration (confirmed on 2.3.9).");
    repo.write("reports/ENIGM-2026-0001.md", &private);
    commit_at(&repo, "ENIGM-2026-0001: clarify the context", 1_775_000_000); // 2026-04-01
    assert_eq!(render(&repo, "csaf")["document"]["tracking"]["version"], "1", "a private edit is no revision");
    let edited = private.replace("can read any file", "can read any file (including secrets)");
    repo.write("reports/ENIGM-2026-0001.md", &edited);
    commit_at(&repo, "ENIGM-2026-0001: clarify the impact", 1_775_554_200); // 2026-04-07T09:30:00Z
    let tracking = render(&repo, "csaf")["document"]["tracking"].clone();
    assert_eq!((tracking["version"].as_str(), tracking["status"].as_str()), (Some("2"), Some("final")));
    assert_eq!(tracking["current_release_date"], "2026-04-07T09:30:00.000Z");
    assert_eq!(tracking["revision_history"][1]["summary"], "Section Impact updated.");

    repo.write("reports/ENIGM-2026-0001.md", edited.replace("(confirmed on 2.3.9)", "(confirmed)"));
    let csaf = render(&repo, "csaf");
    assert_eq!(csaf["document"]["tracking"]["status"], "interim");
    assert_eq!(mandatory(&csaf), []);
    assert_valid(&validator("csaf-2.0.schema.json"), &csaf, "CSAF");

    // Withdrawing (a tool commit on the day of the timeline entry) adds one revision.
    commit_at(&repo, "context", 1_777_593_600); // 2026-05-01T00:00:00Z
    repo.cmd().args(["advance", "1", "withdrawn", "--reason", "duplicate of an older advisory"]).assert().success();
    let csaf = render(&repo, "csaf");
    let history: Vec<&str> = csaf["document"]["tracking"]["revision_history"]
        .as_array()
        .expect("history")
        .iter()
        .filter_map(|r| r["summary"].as_str())
        .collect();
    assert_eq!(history.last(), Some(&"Advisory withdrawn."), "{history:?}");
    assert!(!csaf.to_string().contains("duplicate of an older advisory"), "the reason is a private note");
    assert_eq!(mandatory(&csaf), []);
    let a = repo.cmd().args(["render", "1", "--format", "cve"]).assert().code(2);
    assert!(stderr(&a).contains("is withdrawn"), "{}", stderr(&a));
}

#[test]
fn refusals_are_clear_and_exit_2() {
    let repo = repo();
    repo.write(
        "reports/ENIGM-2026-0002.md",
        EXPORTS
            .replace("ENIGM-2026-0001", "ENIGM-2026-0002")
            .replace("aliases: [CVE-2026-41234]", "aliases: [GHSA-9wx4-h78v-vm56]"),
    );
    let a = repo.cmd().args(["render", "2", "--format", "cve"]).assert().code(2);
    assert!(stderr(&a).contains("has no CVE alias"), "{}", stderr(&a));
    let csaf = json(&stdout(&repo.cmd().args(["render", "2", "--format", "csaf"]).assert().success()));
    assert_eq!(csaf["vulnerabilities"][0]["ids"][0]["system_name"], "GitHub Security Advisory");
    assert!(csaf["vulnerabilities"][0].get("cve").is_none());

    repo.write(
        "reports/ENIGM-2026-0003.md",
        EXPORTS
            .replace("ENIGM-2026-0001", "ENIGM-2026-0003")
            .replace("state: published\nreported", "state: fixed\nreported")
            .replace("CVE-2026-41234", "CVE-2026-41235"),
    );
    for format in ["csaf", "cve"] {
        let a = repo.cmd().args(["render", "3", "--format", format]).assert().code(2);
        assert!(stderr(&a).contains("is not public"), "{format}: {}", stderr(&a));
        let a = repo.cmd().args(["render", "3", "--format", format, "--draft"]).assert().code(2);
        assert!(stderr(&a).contains("never drafts"), "{format}: {}", stderr(&a));
    }
    repo.write("enigm.yaml", repo.read("enigm.yaml").replace(&format!("cve_org_id: {ORG_ID}"), ""));
    let a = repo.cmd().args(["render", "1", "--format", "cve"]).assert().code(2);
    assert!(stderr(&a).contains("render.cve_org_id"), "{}", stderr(&a));
}

#[test]
fn nothing_private_reaches_csaf_or_cve() {
    let repo = repo();
    let leaky = EXPORTS
        .replace("contact: jane@example.org", "contact: leak-contact@example.org")
        .replace(
            "  - date: 2026-01-06\n    state: triaged\n",
            "  - date: 2026-01-06\n    state: triaged\n    by: LEAK-STAFF\n    note: LEAK-NOTE\n",
        )
        .replace("Upload an attachment named", "LEAK-REPRODUCTION")
        .replace("Found with web 2.4.0", "LEAK-CONTEXT")
        .replace("reported: 2026-01-05", "reported: 2026-01-05\nassignee: LEAK-ASSIGNEE\nembargo_until: 2026-02-28");
    repo.write("reports/ENIGM-2026-0001.md", leaky);
    let site = repo.sandbox.tmp.path().join("site");
    repo.cmd().args(["render", "--out"]).arg(&site).assert().success();
    let mut outputs = vec![
        stdout(&repo.cmd().args(["render", "1", "--format", "csaf"]).assert().success()),
        stdout(&repo.cmd().args(["render", "1", "--format", "cve"]).assert().success()),
    ];
    for f in ["csaf/2026/enigm-2026-0001.json", "csaf/index.txt", "csaf/changes.csv", "csaf/provider-metadata.json"] {
        outputs.push(fs::read_to_string(site.join(f)).expect(f));
    }
    for text in &outputs {
        for marker in ["LEAK-", "leak-contact", "embargo", "2026-02-28"] {
            assert!(!text.contains(marker), "{marker} leaked:\n{text}");
        }
    }
    assert!(outputs[0].contains("Jane Doe (Example Research Lab)") && outputs[1].contains("Jane Doe"), "credited");
}

/// The issue's v4.0 vector: threat and environmental metrics bring the whole vector to 0.3,
/// its base metrics score 6.1 (FIRST's calculator and PyPI `cvss` 3.6).
const V4_WITH_THREAT_AND_ENV: &str =
    "CVSS:4.0/AV:A/AC:H/AT:N/PR:L/UI:P/VC:L/VI:H/VA:L/SC:H/SI:H/SA:H/E:U/IR:H/MAV:A/MAT:N/MUI:P/MVI:N/MSA:N/R:I";
const V31_WITH_TEMPORAL_AND_ENV: &str = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/E:P/RL:O/CR:H/MAV:L";

fn with_severity(repo: &TestRepo, severity: &str) {
    let report = EXPORTS.replace(
        "  cvss: CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:N\n  cvss_v4: CVSS:4.0/AV:N/AC:L/AT:N/PR:L/UI:N/VC:H/VI:H/VA:N/SC:N/SI:N/SA:N\n  level: high\n",
        severity,
    );
    assert_ne!(report, EXPORTS, "the fixture's severity block moved");
    repo.write("reports/ENIGM-2026-0001.md", report);
    commit_all(repo, "rescored");
    repo.cmd().arg("validate").assert().success();
}

/// v3.1 temporal and environmental scores go in `temporalScore` / `environmentalScore` (CSAF
/// `cvss_v3`, CVE `cvssV3_1`) with a property per metric; `baseScore` stays the base score.
/// Every document stays valid against its schema and CSAF's mandatory tests (6.1.9, 6.1.10).
#[test]
fn v31_temporal_and_environmental_scores_have_their_own_fields() {
    let repo = repo();
    with_severity(&repo, &format!("  cvss: {V31_WITH_TEMPORAL_AND_ENV}\n"));
    let csaf = render(&repo, "csaf");
    assert_valid(&validator("csaf-2.0.schema.json"), &csaf, "CSAF");
    assert_eq!(mandatory(&csaf), [], "CSAF mandatory tests");
    let cve = render(&repo, "cve");
    assert_valid(&validator("cve-record-5.schema.json"), &cve, "CVE");
    let in_csaf = &csaf["vulnerabilities"][0]["scores"][0]["cvss_v3"];
    let in_cve = &cve["containers"]["cna"]["metrics"][0]["cvssV3_1"];
    for object in [in_csaf, in_cve] {
        assert_eq!((object["baseScore"].as_f64(), object["baseSeverity"].as_str()), (Some(9.8), Some("CRITICAL")));
        assert_eq!((object["temporalScore"].as_f64(), object["temporalSeverity"].as_str()), (Some(8.8), Some("HIGH")));
        assert_eq!(object["environmentalScore"].as_f64(), Some(7.6), "{object}");
        assert_eq!(
            (object["exploitCodeMaturity"].as_str(), object["modifiedAttackVector"].as_str()),
            (Some("PROOF_OF_CONCEPT"), Some("LOCAL"))
        );
    }
    let show = json(&stdout(&repo.cmd().args(["show", "1", "--format", "json"]).assert().success()));
    assert_eq!((show["severity_level"].as_str(), show["cvss_score"].as_f64()), (Some("critical"), Some(9.8)));
    assert_eq!(show["cvss_scores"][0]["temporal"], serde_json::json!({"score": 8.8, "level": "high"}));
    assert_eq!(show["cvss_scores"][0]["environmental"]["score"], 7.6);
    let human = stdout(&repo.cmd().args(["show", "1"]).env("NO_COLOR", "1").assert().success());
    assert!(human.contains("(base 9.8 critical, temporal 8.8 high, environmental 7.6 high)"), "{human}");
}

/// A v4.0 vector with threat and environmental metrics: the level and `show`'s score follow
/// the base metrics (CVSS-B 6.1, medium), the whole vector's CVSS-BTE score 0.3 is shown
/// beside it. In CVE `cvssV4_0`, `baseScore` is the vector's score as FIRST's v4.0 schema
/// defines it (its only score field: the CVE 5.1.1 schema rejects `threatScore`), with every
/// metric as a property; the CSAF 2.0 note names both scores.
#[test]
fn v40_threat_and_environmental_metrics_do_not_set_the_base_score() {
    let repo = repo();
    with_severity(&repo, &format!("  cvss: {V4_WITH_THREAT_AND_ENV}\n"));
    let show = json(&stdout(&repo.cmd().args(["show", "1", "--format", "json"]).assert().success()));
    assert_eq!((show["severity_level"].as_str(), show["cvss_score"].as_f64()), (Some("medium"), Some(6.1)));
    let overall = &show["cvss_scores"][0]["overall"];
    assert_eq!(overall, &serde_json::json!({"nomenclature": "CVSS-BTE", "score": 0.3, "level": "low"}));
    let human = stdout(&repo.cmd().args(["show", "1"]).env("NO_COLOR", "1").assert().success());
    assert!(human.contains("medium  CVSS:4.0/") && human.contains("(CVSS-B 6.1 medium, CVSS-BTE 0.3 low)"), "{human}");
    let list = json(&stdout(&repo.cmd().args(["list", "--format", "json"]).assert().success()));
    assert!(list.to_string().contains(r#""severity":"medium""#), "{list}");
    let cve = render(&repo, "cve");
    assert_valid(&validator("cve-record-5.schema.json"), &cve, "CVE");
    let m = &cve["containers"]["cna"]["metrics"][0]["cvssV4_0"];
    assert_eq!((m["baseScore"].as_f64(), m["vectorString"].as_str()), (Some(0.3), Some(V4_WITH_THREAT_AND_ENV)));
    for (key, value) in [
        ("exploitMaturity", "UNREPORTED"),
        ("integrityRequirement", "HIGH"),
        ("modifiedVulnIntegrityImpact", "NONE"),
        ("Recovery", "IRRECOVERABLE"),
    ] {
        assert_eq!(m[key], value, "{key}: {m}");
    }
    let csaf = render(&repo, "csaf");
    assert_valid(&validator("csaf-2.0.schema.json"), &csaf, "CSAF");
    assert_eq!(mandatory(&csaf), [], "CSAF mandatory tests");
    assert!(csaf.to_string().contains("(CVSS-B 6.1 medium, CVSS-BTE 0.3 low). CSAF 2.0"), "{csaf}");
    let osv = render(&repo, "osv");
    assert_eq!(osv["severity"], serde_json::json!([{"type": "CVSS_V4", "score": V4_WITH_THREAT_AND_ENV}]));
}

#[test]
fn each_cve_alias_gets_its_own_record_in_the_site_and_osv_keeps_exact_versions() {
    let repo = repo();
    let text = EXPORTS
        .replace("aliases: [CVE-2026-41234]", "aliases: [CVE-2026-41234, CVE-2026-41235]")
        .replace("affected: '< 1.10.0'", "affected: '1.9.0, 1.9.1'");
    repo.write("reports/ENIGM-2026-0001.md", &text);
    commit_all(&repo, "second CVE, exact versions");
    let site = repo.sandbox.tmp.path().join("site");
    repo.cmd().args(["render", "--out"]).arg(&site).assert().success();
    let schema = validator("cve-record-5.schema.json");
    for cve in ["CVE-2026-41234", "CVE-2026-41235"] {
        let record = json(&fs::read_to_string(site.join(format!("cve/{cve}.json"))).expect("record"));
        assert_eq!(record["cveMetadata"]["cveId"], cve);
        assert_valid(&schema, &record, cve);
    }
    assert_eq!(
        fs::read_to_string(site.join("cve/index.txt")).expect("index"),
        "CVE-2026-41234.json\nCVE-2026-41235.json\n"
    );
    let manifest = fs::read_to_string(site.join(".enigm-site")).expect("manifest");
    assert!(manifest.contains("cve/CVE-2026-41235.json\n") && manifest.contains("cve/index.txt\n"), "{manifest}");
    let a = repo.cmd().args(["render", "1", "--format", "cve"]).assert().code(2);
    assert!(stderr(&a).contains("2 CVE aliases") && stderr(&a).contains("cve/CVE-2026-41235.json"), "{}", stderr(&a));
    let csaf = render(&repo, "csaf");
    assert_eq!(csaf["vulnerabilities"].as_array().map(Vec::len), Some(2), "one vulnerability per CVE");
    assert_eq!(mandatory(&csaf), []);
    let osv = render(&repo, "osv");
    assert_valid(&validator("osv.schema.json"), &osv, "OSV");
    assert_eq!(osv["affected"][1]["versions"], serde_json::json!(["1.9.0", "1.9.1"]));
    assert!(osv["affected"][1].get("ranges").is_none(), "no wider range: {osv}");
}

#[test]
fn every_product_identification_helper_reaches_the_csaf_leaves_and_the_schema_accepts_them() {
    let repo = repo();
    let helpers = "    cpe: 'cpe:2.3:a:acme:web:*:*:*:*:*:*:*:*'\n    hashes:\n      - filename: web-2.3.0.tar.gz\n        file_hashes:\n          - algorithm: sha256\n            value: 4775203615d9534a8bfca96a93dc8b461a489f69124a130d786b42204f3341cc\n    model_numbers: [W-100]\n    sbom_urls: ['https://acme.test/sbom/web.json']\n    serial_numbers: ['SN-1*']\n    skus: [WEB-PRO]\n    x_generic_uris:\n      - namespace: https://acme.test/ids\n        uri: https://acme.test/ids/web\n";
    let text = EXPORTS
        .replace("    cpe: 'cpe:2.3:a:acme:web:*:*:*:*:*:*:*:*'\n", helpers)
        .replace("    purl: pkg:pypi/acme-api\n", "");
    repo.write("reports/ENIGM-2026-0001.md", &text);
    commit_all(&repo, "helpers");
    repo.cmd().args(["validate", "--deny-warnings"]).assert().success();
    let csaf = render(&repo, "csaf");
    assert_valid(&validator("csaf-2.0.schema.json"), &csaf, "CSAF");
    assert_eq!(mandatory(&csaf), []);
    let web = &csaf["product_tree"]["branches"][0]["branches"][0]["branches"];
    let (affected, fixed) =
        (&web[0]["product"]["product_identification_helper"], &web[1]["product"]["product_identification_helper"]);
    let keys = |h: &Value| h.as_object().expect("helper").keys().cloned().collect::<Vec<_>>();
    assert_eq!(
        keys(affected),
        ["cpe", "hashes", "model_numbers", "sbom_urls", "serial_numbers", "skus", "x_generic_uris"]
    );
    assert_eq!(keys(fixed), ["cpe", "model_numbers", "skus", "x_generic_uris"], "the files are the affected ones");
    let api = &csaf["product_tree"]["branches"][0]["branches"][1]["branches"];
    assert_eq!(api[0]["product"]["product_identification_helper"]["purl"], "pkg:pypi/acme-api", "derived");
    assert_eq!(api[1]["product"]["product_identification_helper"]["purl"], "pkg:pypi/acme-api@1.10.0");
    // A CPE the CSAF pattern refuses is refused by `validate` already.
    repo.write("reports/ENIGM-2026-0001.md", text.replace("cpe:2.3:a:acme:web:*", "cpe:acme web"));
    let a = repo.cmd().args(["validate", "--format", "json"]).assert().code(1);
    let found = json(&stdout(&a));
    assert_eq!(found["findings"][0]["code"], "invalid-field", "{found}");
    assert!(found["findings"][0]["message"].as_str().is_some_and(|m| m.starts_with("`products[0].cpe`")), "{found}");
}

#[test]
fn an_osv_prefix_the_schema_does_not_list_is_a_config_finding_and_a_listed_one_gives_valid_ids() {
    let repo = repo();
    let config = repo.read("enigm.yaml").replace("render:\n", "render:\n  osv_prefix: EXAMPLE\n");
    repo.write("enigm.yaml", &config);
    let a = repo.cmd().args(["validate", "--format", "json"]).assert().code(1);
    let found = json(&stdout(&a));
    assert_eq!(
        (found["findings"][0]["code"].as_str(), found["findings"][0]["path"].as_str()),
        (Some("config-invalid"), Some("enigm.yaml")),
        "{found}"
    );
    assert!(found["findings"][0]["message"].as_str().is_some_and(|m| m.contains("`EXAMPLE`")), "{found}");
    repo.write("enigm.yaml", config.replace("osv_prefix: EXAMPLE", "osv_prefix: PYSEC"));
    let osv = render(&repo, "osv");
    assert_eq!(osv["id"], "PYSEC-2026-0001");
    assert_valid(&validator("osv.schema.json"), &osv, "OSV");
}

/// Regression: `affected: '^1.9'` (a caret range) and `'1.x'` (a wildcard) were read as exact
/// versions: OSV listed the version `^1.9`, which no scanner matches, and `validate` said
/// nothing. Range syntax of other tools is text the exports cannot read, and says so.
#[test]
fn caret_and_wildcard_ranges_are_not_exported_as_exact_versions() {
    let repo = repo();
    for range in ["^1.9", "1.x", "~1.9.0"] {
        let text = EXPORTS.replace("affected: '< 1.10.0'", &format!("affected: '{range}'"));
        repo.write("reports/ENIGM-2026-0001.md", &text);
        let a = repo.cmd().args(["validate", "--format", "json"]).assert().success();
        let found = json(&stdout(&a));
        let codes: Vec<&str> =
            found["findings"].as_array().expect("findings").iter().filter_map(|f| f["code"].as_str()).collect();
        assert_eq!(codes, ["affected-unreadable"], "{range}: {found}");
        let osv = render(&repo, "osv");
        assert_valid(&validator("osv.schema.json"), &osv, "OSV");
        assert!(osv["affected"][1].get("versions").is_none(), "{range}: {osv}");
        assert!(osv["affected"][1].get("ranges").is_none(), "{range}: no wider range: {osv}");
    }
}

/// A range and a `fixed` version that disagree (`< 1.10.1` with `fixed: 1.10.0`, or a start
/// after the fix, which would give OSV inverted events) are a warning at `fixed`; `validate`
/// still passes (warnings), `--deny-warnings` fails.
#[test]
fn a_range_that_disagrees_with_the_fixed_version_is_a_warning_at_fixed() {
    let repo = repo();
    for (range, fixed) in [("< 1.10.1", "1.10.0"), (">= 2.0", "1.10.0"), ("<= 1.10.0", "1.10.0")] {
        let text = EXPORTS
            .replace("affected: '< 1.10.0'", &format!("affected: '{range}'"))
            .replace("fixed: '1.10.0'", &format!("fixed: '{fixed}'"));
        repo.write("reports/ENIGM-2026-0001.md", &text);
        let a = repo.cmd().args(["validate", "--format", "json"]).assert().success();
        let found = json(&stdout(&a));
        let hits: Vec<&Value> = found["findings"]
            .as_array()
            .expect("findings")
            .iter()
            .filter(|f| f["code"] == "affected-fixed-mismatch")
            .collect();
        assert_eq!(hits.len(), 1, "{range} / {fixed}: {found}");
        assert_eq!(hits[0]["line"], 18, "at `fixed`: {found}");
        repo.cmd().args(["validate", "--deny-warnings"]).assert().code(1);
    }
}

/// Regression: a commit dated before the publication (a skewed clock, a rebase, a backdated
/// commit) on top of an edit after it hid the edit: the CSAF document fell back from version
/// 2 to 1. The walk reads past a few commits older than the window.
#[test]
fn a_backdated_commit_does_not_hide_a_revision_of_the_csaf_document() {
    let repo = repo();
    let edited = EXPORTS.replace("can read any file", "can read any file (including secrets)");
    repo.write("reports/ENIGM-2026-0001.md", &edited);
    commit_at(&repo, "ENIGM-2026-0001: clarify the impact", 1_775_554_200); // 2026-04-07T09:30:00Z
    repo.write("notes.txt", "unrelated\n");
    let git = repo.git();
    let mut index = git.index().expect("index");
    index.add_path(std::path::Path::new("notes.txt")).expect("add");
    index.write().expect("write");
    drop(index);
    commit_at(&repo, "notes from a machine whose clock is a year behind", 1_744_018_200); // 2025-04-07
    let tracking = render(&repo, "csaf")["document"]["tracking"].clone();
    assert_eq!(tracking["version"], "2", "{tracking}");
    assert_eq!(tracking["revision_history"][1]["summary"], "Section Impact updated.", "{tracking}");
}
