//! Exploitation, the CRA Article 14 clocks and offline enrichment through the binary: `due`
//! (hours, exit 1 once one is missed), `list`, the status screen and `stats` across Berlin's
//! DST change; `enrich --kev --epss` from the KEV and EPSS fixtures in one commit; old
//! reports without the new fields unchanged.

use serde_json::Value;

use super::validate::commit_all;
use crate::util::{TestRepo, stdout};

const KEV: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/kev/known_exploited_vulnerabilities.json");
const EPSS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/epss/epss_scores-2026-11-30.csv");

fn json(text: &str) -> Value {
    serde_json::from_str(text).expect("JSON output")
}

/// A repository with `policy.cra: true` and one report received on 2026-10-23, exploited as
/// `exploited` (a YAML block) says, and the report's path.
fn repo_with(exploited: &str) -> (TestRepo, String) {
    let repo = TestRepo::new();
    let config = repo.read("enigm.yaml").replace("  # cra: true", "  cra: true");
    repo.write("enigm.yaml", config);
    let out = repo
        .cmd()
        .env("ENIGM_TODAY", "2026-10-23")
        .args(["new", "--title", "Exploited", "--product", "web", "--reporter-name", "Jane Doe", "--format", "json"])
        .assert()
        .success();
    let path = format!("reports/{}.md", json(&stdout(&out))["id"].as_str().expect("id"));
    let text = repo.read(&path).replacen("timeline:\n", &format!("{exploited}timeline:\n"), 1);
    repo.write(&path, text);
    commit_all(&repo, "exploited");
    (repo, path)
}

/// Aware at 09:00 CEST on Saturday 2026-10-24; Berlin leaves summer time at 03:00 on the 25th.
const AWARE: &str =
    "exploited:\n  since: 2026-10-24T06:00:00+02:00\n  aware: 2026-10-24T09:00:00+02:00\n  source: telemetry\n";

fn due_at(repo: &TestRepo, now: &str) -> assert_cmd::assert::Assert {
    repo.cmd().env("ENIGM_TODAY", "").env("ENIGM_NOW", now).args(["due", "--format", "json"]).assert()
}

#[test]
fn due_counts_the_cra_hours_across_the_dst_change_and_exits_1_once_one_is_missed() {
    let (repo, _) = repo_with(AWARE);
    repo.cmd().env("ENIGM_TODAY", "2026-10-26").arg("validate").assert().success();
    // 07:30 CET on the 25th: 24 real hours after 09:00 CEST is 08:00 CET, half an hour away.
    let v = json(&stdout(&due_at(&repo, "2026-10-25T07:30:00+01:00").success()));
    let items = v["items"].as_array().expect("items");
    let early = items.iter().find(|i| i["kind"] == "early-warning").expect("early warning");
    assert_eq!(early["due_at"], "2026-10-25T08:00:00+01:00");
    assert_eq!((early["hours_left"].as_i64(), early["overdue"].as_bool()), (Some(0), Some(false)));
    assert_eq!(early["basis"], "cra");
    let notification = items.iter().find(|i| i["kind"] == "notification").expect("notification");
    assert_eq!(
        (notification["due_at"].as_str(), notification["hours_left"].as_i64()),
        (Some("2026-10-27T08:00:00+01:00"), Some(48))
    );
    assert!(items.iter().all(|i| i["kind"] != "final-report"), "no measure is available yet");
    // One second late: missed, exit 1, and the table says so in hours.
    let v = json(&stdout(&due_at(&repo, "2026-10-25T08:00:01+01:00").code(1)));
    assert_eq!(v["overdue"], 1);
    let table = stdout(
        &repo.cmd().env("ENIGM_TODAY", "").env("ENIGM_NOW", "2026-10-25T10:00:00+01:00").arg("due").assert().code(1),
    );
    assert!(table.contains("2026-10-25 08:00 +01:00") && table.contains("2h overdue"), "{table}");
    assert!(table.contains("early-warning (cra)"), "{table}");
    let csv = stdout(
        &repo
            .cmd()
            .env("ENIGM_TODAY", "")
            .env("ENIGM_NOW", "2026-10-25T10:00:00+01:00")
            .args(["due", "--format", "csv"])
            .assert()
            .code(1),
    );
    assert!(csv.lines().next().is_some_and(|h| h.ends_with(",title,due_at,hours_left")), "{csv}");
    assert!(csv.contains(",early-warning,cra,") && csv.contains(",2026-10-25T08:00:00+01:00,-2"), "{csv}");
    // The same instant seen from New York (EDT, -04:00) is 03:00 there.
    let v = json(&stdout(&due_at(&repo, "2026-10-24T21:00:00-04:00").success()));
    assert_eq!(v["items"][0]["due_at"], "2026-10-25T03:00:00-04:00");
    assert_eq!(v["items"][0]["hours_left"], 6);
}

#[test]
fn list_the_status_screen_and_stats_show_the_clocks_and_submitted_ones_stop() {
    let (repo, path) = repo_with(AWARE);
    let at = |cmd: &mut assert_cmd::Command| {
        cmd.env("ENIGM_TODAY", "").env("ENIGM_NOW", "2026-10-24T20:00:00+02:00").env("NO_COLOR", "1");
    };
    let mut list = repo.cmd();
    at(&mut list);
    let list = stdout(&list.arg("list").assert().success());
    assert!(list.contains("early-warning in 13h") && list.contains("exploited"), "{list}");
    let mut status = repo.cmd();
    at(&mut status);
    let status = stdout(&status.assert().success());
    assert!(status.contains("early-warning in 13h"), "{status}");
    let mut stats = repo.cmd();
    at(&mut stats);
    let stats = json(&stdout(&stats.args(["stats", "--format", "json"]).assert().success()));
    assert_eq!((stats["exploited"].as_u64(), stats["cra_overdue"].as_u64()), (Some(1), Some(0)));
    let mut html = repo.cmd();
    at(&mut html);
    html.env("ENIGM_NOW", "2026-10-27T12:00:00+01:00").args(["stats", "--html", "dashboard.html"]).assert().success();
    let page = repo.read("dashboard.html");
    assert!(page.contains("<b>1</b>exploited") && page.contains("<b>1</b>CRA deadline missed"), "{page}");

    // Both notifications submitted: only the final report remains, once a measure exists.
    let text = repo.read(&path).replace(
        "  source: telemetry\n",
        "  source: telemetry\n  early_warning: 2026-10-24T15:00:00+02:00\n  notification: 2026-10-26T10:00:00+01:00\n  measure_available: 2026-11-02T12:00:00+01:00\n",
    );
    repo.write(&path, text);
    commit_all(&repo, "notified");
    // (The policy's triage deadline is overdue by then, so `due` exits 1.)
    let v = json(&stdout(&due_at(&repo, "2026-11-03T09:00:00+01:00").code(1)));
    let kinds: Vec<&str> = v["items"].as_array().unwrap().iter().filter_map(|i| i["kind"].as_str()).collect();
    assert!(!kinds.contains(&"early-warning") && !kinds.contains(&"notification"), "{kinds:?}");
    let last = v["items"].as_array().unwrap().iter().find(|i| i["kind"] == "final-report").expect("final report");
    assert_eq!((last["due_at"].as_str(), last["hours_left"].as_i64()), (Some("2026-11-16T12:00:00+01:00"), Some(315)));
}

#[test]
fn without_policy_cra_or_exploited_nothing_changes() {
    let (repo, _) = repo_with(AWARE);
    let config = repo.read("enigm.yaml").replace("  cra: true", "  # cra: true");
    repo.write("enigm.yaml", config);
    let v = json(&stdout(&due_at(&repo, "2026-10-24T00:00:00Z").success()));
    assert!(v["items"].as_array().unwrap().iter().all(|i| i["basis"] != "cra"), "{v}");
    // An old report (no new field) validates as before, and its JSON has no new key.
    let old = TestRepo::new();
    old.new_report("Plain");
    old.cmd().arg("validate").assert().success();
    let v = json(&stdout(&old.cmd().args(["due", "--format", "json"]).assert().success()));
    assert!(v["items"].as_array().unwrap().iter().all(|i| i.get("due_at").is_none() && i.get("hours_left").is_none()));
}

#[test]
fn aware_before_since_is_a_located_finding() {
    let (repo, _) = repo_with(&AWARE.replace("aware: 2026-10-24T09:00:00+02:00", "aware: 2026-10-24T05:00:00+02:00"));
    let text =
        stdout(&repo.cmd().env("ENIGM_TODAY", "2026-10-26").args(["validate", "--format", "json"]).assert().code(1));
    assert!(text.contains("exploited-before-aware"), "{text}");
}

#[test]
fn enrich_records_kev_and_epss_on_the_report_with_the_cve_in_one_commit() {
    let repo = TestRepo::new();
    let id = repo.new_report("Path traversal");
    let other = repo.new_report("Unrelated");
    let path = format!("reports/{id}.md");
    let text = repo.read(&path).replacen("aliases: []\n", "aliases: [CVE-2026-41234]\n", 1);
    repo.write(&path, text);
    commit_all(&repo, "alias");
    let before = repo.commit_count();
    let untouched = repo.read(&format!("reports/{other}.md"));
    let out = stdout(
        &repo
            .cmd()
            .env("ENIGM_NOW", "2026-12-01T10:00:00+01:00")
            .args(["enrich", "--kev", KEV, "--epss", EPSS])
            .assert()
            .success(),
    );
    assert!(out.contains(&format!("{id}: kev, exploited, epss")), "{out}");
    assert_eq!(repo.commit_count(), before + 1, "one commit");
    assert_eq!(repo.head_paths(), std::slice::from_ref(&path));
    assert!(repo.head_message().starts_with("enrich: 1 report from KEV 2026.11.28 and EPSS v2025.03.14 of 2026-11-30"));
    assert_eq!(repo.read(&format!("reports/{other}.md")), untouched);
    let text = repo.read(&path);
    for line in [
        "kev:\n  cve: CVE-2026-41234\n  date_added: 2026-11-20\n  catalog_version: 2026.11.28\n  ransomware: Unknown\n",
        "exploited:\n  since: 2026-11-20T00:00:00Z\n  aware: 2026-12-01T10:00:00+01:00\n  source: kev\n",
        "epss:\n  cve: CVE-2026-41234\n  score: 0.41827\n  percentile: 0.97402\n  date: 2026-11-30\n  model: v2025.03.14\n",
    ] {
        assert!(text.contains(line), "{line} in {text}");
    }
    repo.cmd().env("ENIGM_TODAY", "2026-12-01").arg("validate").assert().success();
    // A second run has nothing to record and makes no commit.
    let again = stdout(&repo.cmd().args(["enrich", "--kev", KEV, "--epss", EPSS]).assert().success());
    assert!(again.contains("Nothing to record"), "{again}");
    assert_eq!(repo.commit_count(), before + 1);
    // A file that is not a catalog is a usage error naming it; nothing is written.
    repo.write("bogus.json", "{\"title\": \"x\"}");
    let err = crate::util::stderr(&repo.cmd().args(["enrich", "--kev", "bogus.json"]).assert().code(2));
    assert!(err.contains("bogus.json: not a KEV catalog"), "{err}");
}

/// A VEX statement "web is not affected by CVE-2026-41234" whose CVE is in KEV: `enrich`
/// records it, but the Article 14 clocks are for a vulnerability in our product, so `due`
/// shows none and exits 0 (it showed early-warning and notification deadlines, and exited 1
/// once the early warning was 2 hours overdue).
#[test]
fn a_not_affected_vex_statement_of_a_kev_cve_starts_no_cra_clock() {
    let repo = TestRepo::new();
    let config = repo.read("enigm.yaml").replace("  # cra: true", "  cra: true");
    repo.write("enigm.yaml", config);
    commit_all(&repo, "cra");
    let now = "2026-11-30T10:00:00Z";
    repo.cmd()
        .env("ENIGM_TODAY", "")
        .env("ENIGM_NOW", now)
        .args(["new", "--vex", "CVE-2026-41234", "--product", "web", "--justification", "component_not_present"])
        .args(["--title", "web and CVE-2026-41234"])
        .assert()
        .success();
    repo.cmd().env("ENIGM_TODAY", "").env("ENIGM_NOW", now).args(["enrich", "--kev", KEV]).assert().success();
    let path = "reports/ENIGM-2026-0001.md";
    assert!(repo.read(path).contains("exploited:"), "enrich records the exploitation in the wild");
    let v = json(&stdout(&due_at(&repo, "2026-12-01T12:00:00Z").success()));
    let cra: Vec<&Value> = v["items"].as_array().expect("items").iter().filter(|i| i["basis"] == "cra").collect();
    assert!(cra.is_empty(), "{cra:?}");
}

/// The hour either side of a deadline: 30 minutes before and one second after the early
/// warning (`due` said `in 0h` and `1h overdue`).
#[test]
fn due_says_under_an_hour_either_side_of_the_deadline() {
    let (repo, _) = repo_with(AWARE);
    let text = |now: &str| {
        let a = repo.cmd().env("ENIGM_TODAY", "").env("ENIGM_NOW", now).arg("due").assert();
        String::from_utf8_lossy(&a.get_output().stdout).into_owned()
    };
    let before = text("2026-10-25T07:30:00+01:00");
    assert!(before.contains("in under 1h") && before.contains("early-warning (cra)"), "{before}");
    let after = text("2026-10-25T08:00:01+01:00");
    assert!(after.contains("under 1h overdue") && !after.replace("under 1h", "").contains("1h overdue"), "{after}");
}
