//! SSVC decisions through the binary: `validate` recomputes the outcome from the bundled
//! CERT/CC supplier tree or the repository's own; the outcome's fix deadline, `list`,
//! `stats` and the exports (CVE `metrics[].other`, OSV `database_specific`); and the tree
//! against CERT/CC's own package for every combination of its values.

use std::collections::BTreeMap;
use std::process::Command;

use enigm_disclose::format::ssvc::Tree;
use serde_json::Value;

use super::validate::commit_all;
use crate::util::{TestRepo, stderr, stdout};

const EXPORTS: &str = include_str!("../fixtures/reports/exports.md");
const ORG_ID: &str = "5a3b1c2d-0e4f-4a1b-9c8d-7e6f5a4b3c2d";

/// The decision the fixture gets: active exploitation, automatable, concentrated value,
/// total impact, significant public safety impact: `immediate`.
const DECISION: &str = "ssvc:\n  values:\n    exploitation: active\n    automatable: 'yes'\n    value_density: concentrated\n    technical_impact: total\n    public_safety_impact: significant\n  outcome: immediate\n  by: Alex Lead\n  decided: 2026-01-07T10:00:00+01:00\n";

/// The exports fixture with `decision` before its timeline, committed, in a repository set
/// up to render it.
fn repo_with(decision: &str) -> TestRepo {
    let repo = TestRepo::new();
    let config = repo
        .read("enigm.yaml")
        .replacen("components: []", "components: [uploads]", 1)
        .replace("# website: https://www.example.com", "website: https://www.acme.test")
        .replace("# base_url: https://security.example.com/advisories/", "base_url: https://security.acme.test/")
        .replace("# cve_org_id: 00000000-0000-4000-8000-000000000000", &format!("cve_org_id: {ORG_ID}"));
    repo.write("enigm.yaml", config);
    repo.write("reports/ENIGM-2026-0001.md", EXPORTS.replacen("timeline:\n", &format!("{decision}timeline:\n"), 1));
    commit_all(&repo, "report with an SSVC decision");
    repo
}

fn json(text: &str) -> Value {
    serde_json::from_str(text).expect("JSON output")
}

#[test]
fn a_decision_the_tree_agrees_with_validates_and_reaches_the_cve_and_osv_exports() {
    let repo = repo_with(DECISION);
    repo.cmd().arg("validate").assert().success();
    let cve = json(&stdout(&repo.cmd().args(["render", "1", "--format", "cve"]).assert().success()));
    let metrics = cve["containers"]["cna"]["metrics"].as_array().expect("metrics");
    let other = metrics.iter().find_map(|m| m.get("other")).expect("an ssvc metric");
    assert_eq!(other["type"], "ssvc");
    let content = &other["content"];
    assert_eq!(content["id"], "CVE-2026-41234");
    assert_eq!(content["decision"], "Immediate");
    assert_eq!(content["tree"], "ssvc:DT_SP:1.0.0");
    assert_eq!(content["timestamp"], "2026-01-07T09:00:00Z");
    let options: Vec<String> = content["options"]
        .as_array()
        .expect("options")
        .iter()
        .map(|o| o.as_object().expect("one pair").iter().map(|(k, v)| format!("{k}={}", v.as_str().unwrap())).collect())
        .collect();
    assert_eq!(
        options,
        [
            "Exploitation=Active",
            "Automatable=Yes",
            "Value Density=Concentrated",
            "Utility=Super Effective",
            "Technical Impact=Total",
            "Public Safety Impact=Significant"
        ]
    );
    assert!(!cve.to_string().contains("Alex Lead"), "who decided stays private");
    let schema = super::validate::shared_schema("cve-record-5.schema.json");
    let v = jsonschema::options().build(&schema).expect("schema");
    assert!(v.iter_errors(&cve).next().is_none(), "the CVE record stays valid");
    let osv = json(&stdout(&repo.cmd().args(["render", "1", "--format", "osv"]).assert().success()));
    assert_eq!(osv["database_specific"]["ssvc"]["decision"], "Immediate");
    let csaf = json(&stdout(&repo.cmd().args(["render", "1", "--format", "csaf"]).assert().success()));
    assert!(!csaf.to_string().contains("ssvc"), "CSAF 2.0 has no place for SSVC");
}

#[test]
fn a_wrong_outcome_and_unknown_values_are_located_findings_and_nothing_is_exported() {
    let repo = repo_with(&DECISION.replace("outcome: immediate", "outcome: scheduled"));
    let out = repo.cmd().args(["validate", "--format", "json"]).assert().code(1);
    let v = json(&stdout(&out));
    let text = v.to_string();
    assert!(text.contains("ssvc-outcome-mismatch"), "{text}");
    assert!(
        text.contains("`outcome: scheduled` is not what `ssvc:DT_SP:1.0.0` gives for these values: `immediate`"),
        "{text}"
    );
    let human = stderr(&repo.cmd().arg("validate").env("NO_COLOR", "1").assert().code(1));
    let at = EXPORTS.lines().position(|l| l == "timeline:").expect("timeline");
    let line = at + 1 + DECISION.lines().position(|l| l.starts_with("  outcome:")).expect("outcome");
    assert!(human.contains(&format!("ENIGM-2026-0001.md:{line}:")), "points at `outcome:` (line {line}): {human}");

    let repo = repo_with(
        &DECISION.replace("exploitation: active", "exploitation: activ").replace("    automatable: 'yes'\n", ""),
    );
    let text = stdout(&repo.cmd().args(["validate", "--format", "json"]).assert().code(1));
    assert!(text.contains("ssvc-invalid"), "{text}");
    assert!(
        text.contains("`exploitation: activ` is not a value of the point (expected one of: none, public-poc, active)"),
        "{text}"
    );
    assert!(text.contains("the tree needs a value for `automatable`"), "{text}");
}

#[test]
fn a_repository_tree_file_is_used_and_one_outside_the_repository_is_refused() {
    let decision = "ssvc:\n  tree: x_example.test:EXP:1.0.0\n  values:\n    exploitation: public-poc\n    exposure: open\n  outcome: high\n";
    let repo = repo_with(decision);
    let with_tree = |path: &str| {
        let config = repo.read("enigm.yaml").replace("  # ssvc_tree: ssvc/tree.json", &format!("  ssvc_tree: {path}"));
        repo.write("enigm.yaml", config);
    };
    // The bundled tree is another one.
    let text = stdout(&repo.cmd().args(["validate", "--format", "json"]).assert().code(1));
    assert!(text.contains("ssvc-tree"), "{text}");
    repo.write("ssvc/exposure.json", include_str!("../fixtures/ssvc/exposure.json"));
    with_tree("ssvc/exposure.json");
    repo.cmd().arg("validate").assert().success();
    let cve = json(&stdout(&repo.cmd().args(["render", "1", "--format", "cve"]).assert().success()));
    assert!(cve.to_string().contains("\"decision\":\"High\""), "{cve}");

    let config = repo.read("enigm.yaml").replace("ssvc_tree: ssvc/exposure.json", "ssvc_tree: ../exposure.json");
    repo.write("enigm.yaml", config);
    let err = stderr(&repo.cmd().arg("list").assert().code(1));
    assert!(err.contains("`policy.ssvc_tree`: `../exposure.json` is outside the repository"), "{err}");
}

#[test]
fn the_outcome_sets_the_fix_deadline_and_shows_in_list_and_stats() {
    let decision = DECISION.replace("  decided: 2026-01-07T10:00:00+01:00\n", "");
    let repo = repo_with(&decision);
    let text = repo.read("reports/ENIGM-2026-0001.md");
    let remediating = text
        .replace("state: published\nreported", "state: remediating\nreported")
        .replace("published: 2026-03-01\n", "")
        .replace("  - date: 2026-02-20\n    state: fixed\n  - date: 2026-03-01\n    state: published\n", "");
    repo.write("reports/ENIGM-2026-0001.md", remediating);
    let config = repo
        .read("enigm.yaml")
        .replace("  # ssvc_fix_days:", "  ssvc_fix_days:")
        .replace("  #   immediate: 7\n  #   out-of-cycle: 30", "    immediate: 7\n    out-of-cycle: 30");
    repo.write("enigm.yaml", config);
    commit_all(&repo, "remediating, fix days by outcome");
    repo.cmd().arg("validate").assert().success();
    let due = json(&stdout(
        &repo.cmd().args(["due", "--within", "400", "--format", "json", "--today", "2026-01-10"]).assert().success(),
    ));
    let fix = due["items"].as_array().unwrap().iter().find(|i| i["kind"] == "fix").expect("fix deadline").clone();
    assert_eq!((fix["due"].as_str(), fix["basis"].as_str()), (Some("2026-01-12"), Some("policy+ssvc")), "{fix}");
    let list = stdout(&repo.cmd().args(["list"]).env("NO_COLOR", "1").assert().success());
    assert!(list.contains("high · immediate"), "{list}");
    let rows = json(&stdout(&repo.cmd().args(["list", "--format", "json"]).assert().success()));
    assert_eq!(rows["reports"][0]["ssvc"], "immediate");
    let stats = json(&stdout(&repo.cmd().args(["stats", "--format", "json"]).assert().success()));
    assert_eq!(stats["by_ssvc"]["immediate"], 1);
    let human = stdout(&repo.cmd().args(["stats"]).env("NO_COLOR", "1").assert().success());
    assert!(human.contains("SSVC") && human.contains("immediate"), "{human}");
    repo.cmd().args(["stats", "--html", "dashboard.html"]).assert().success();
    assert!(repo.read("dashboard.html").contains("<b>1</b>SSVC immediate"), "the dashboard's outcome tile");
}

/// The Python interpreter that has PyPI `certcc-ssvc`: `ENIGM_SSVC_PYTHON`, else `python3`.
fn python() -> String {
    std::env::var("ENIGM_SSVC_PYTHON").unwrap_or_else(|_| "python3".to_owned())
}

/// Every combination of the bundled tree's values (48 leaf combinations, utility derived,
/// and 36 with utility given) gets the outcome CERT/CC's own `certcc-ssvc` gives
/// (`benches/ssvc_oracle.py`). Needs the package (Python >= 3.12), so `cargo test` counts it
/// as ignored; .ci/run installs it and runs it with ENIGM_SSVC_PYTHON.
#[test]
#[ignore = "needs certcc-ssvc (ENIGM_SSVC_PYTHON=python with it); run with `cargo test -- --ignored`"]
fn ssvc_outcomes_match_certcc_ssvc() {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/benches/ssvc_oracle.py");
    let out = Command::new(python())
        .arg(script)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {} (set ENIGM_SSVC_PYTHON): {e}", python()));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "the oracle failed (pip install certcc-ssvc): {err}");
    let tree = Tree::bundled();
    let mut mismatches = Vec::new();
    let lines: Vec<Value> = String::from_utf8_lossy(&out.stdout).lines().map(json).collect();
    assert_eq!(lines.len(), 84, "{err}");
    for line in &lines {
        let values: BTreeMap<String, String> = serde_json::from_value(line["values"].clone()).expect("values");
        let expected = line["outcome"].as_str().expect("outcome");
        match tree.evaluate(&values) {
            Ok(got) if got.outcome == expected => {}
            got => mismatches.push(format!("{values:?}: {got:?} here, {expected} in certcc-ssvc")),
        }
    }
    assert!(mismatches.is_empty(), "{mismatches:#?}");
}
