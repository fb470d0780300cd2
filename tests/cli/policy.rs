//! Embargo times and per-product policies through the binary (issues 21 and 22): an embargo
//! at 09:00 New York refuses publication at 08:59 there and allows it at 09:00, seen from
//! several offsets, and `due`, `list`, `stats` and a draft's stamp agree; a malformed time is a
//! located finding; two products with their own deadlines each get theirs in `due`, `stats`,
//! the dashboard and the published policy; an override for an unknown product is a finding at
//! its line.

use std::fs;
use std::path::PathBuf;

use serde_json::Value;

use super::validate::commit_all;
use crate::util::{TestRepo, stderr, stdout};

const PATH: &str = "reports/ENIGM-2026-0001.md";
const NEW_YORK: &str = "2026-12-03 09:00 America/New_York";

fn json(text: &str) -> Value {
    serde_json::from_str(text).expect("JSON output")
}

/// A command that sees the instant `now` (and the date of it as today).
fn at(repo: &TestRepo, now: &str) -> assert_cmd::Command {
    let mut cmd = repo.cmd();
    cmd.env("ENIGM_TODAY", "").env("ENIGM_NOW", now);
    cmd
}

/// A `high` report of `product`, received on 2026-06-15 (the sandbox's today), committed.
fn new_report(repo: &TestRepo, title: &str, product: &str) -> String {
    let body = repo.sandbox.tmp.path().join("body.md");
    fs::write(&body, "## Summary\n\nThe search page reflects the q parameter.\n\n## Impact\n\nSession theft.\n\n## Reproduction\n\nOpen /search?q=<script>.\n").expect("body");
    let out = repo
        .cmd()
        .args(["new", "--title", title, "--product", product, "--reporter-name", "Jane Doe", "--format", "json"])
        .arg("--body-file")
        .arg(&body)
        .assert()
        .success();
    let path = format!("reports/{}.md", json(&stdout(&out))["id"].as_str().expect("id"));
    let text = repo.read(&path).replace("cwe: []", "severity:\n  level: high\ncwe: []");
    repo.write(&path, text);
    commit_all(repo, title);
    path
}

/// One report, `fixed` under the embargo `embargo`, ready to publish.
fn fixed_under(embargo: &str) -> TestRepo {
    let repo = TestRepo::new();
    new_report(&repo, "XSS in search", "web");
    let text = repo
        .read(PATH)
        .replace("cwe: []", &format!("embargo_until: {embargo}\ncwe: []"))
        .replace("  - name: web\n", "  - name: web\n    affected: '< 2.4.1'\n    fixed: '2.4.1'\n")
        + "\n## Remediation\n\nUpgrade to 2.4.1.\n";
    repo.write(PATH, text);
    commit_all(&repo, "embargo");
    for s in ["triaged", "confirmed", "remediating", "fixed"] {
        repo.cmd().args(["advance", "1", s]).assert().success();
    }
    repo
}

fn publish_at(repo: &TestRepo, now: &str) -> assert_cmd::assert::Assert {
    at(repo, now).args(["advance", "1", "published", "--no-commit"]).assert()
}

#[test]
fn an_embargo_at_nine_in_new_york_refuses_publication_at_8_59_and_allows_it_at_9_00() {
    let repo = fixed_under(NEW_YORK);
    let fixed = repo.read(PATH);
    // 08:59 in New York (EST, -05:00), and the same minute in Berlin and Tokyo.
    for now in ["2026-12-03T08:59:00-05:00", "2026-12-03T14:59:59+01:00", "2026-12-03T22:59:00+09:00"] {
        let a = publish_at(&repo, now).code(1);
        assert!(stderr(&a).contains("embargo-active"), "{now}: {}", stderr(&a));
        assert!(stderr(&a).contains(&format!("under embargo until {NEW_YORK}")), "{now}: {}", stderr(&a));
        assert_eq!(repo.read(PATH), fixed, "a refused step changes nothing");
    }
    for now in ["2026-12-03T09:00:00-05:00", "2026-12-03T15:00:00+01:00", "2026-12-04T08:00:00+09:00"] {
        publish_at(&repo, now).success();
        assert!(repo.read(PATH).contains("state: published"), "{now}");
        repo.write(PATH, fixed.clone());
    }
    // Past midnight in Auckland (the 4th there, +13:00) but 08:30 in New York: still embargoed.
    publish_at(&repo, "2026-12-04T02:30:00+13:00").code(1);
    // A step recorded for an earlier day counts as taken at that day's end (in the clock's offset).
    let on = |date: &str| {
        at(&repo, "2026-12-05T10:00:00-05:00")
            .args(["advance", "1", "published", "--no-commit", "--date", date])
            .assert()
    };
    on("2026-12-02").code(1);
    on("2026-12-03").success();
}

#[test]
fn due_list_stats_and_a_draft_read_the_embargo_instant_in_the_authors_zone() {
    let repo = fixed_under(NEW_YORK);
    let due = |now: &str| json(&stdout(&at(&repo, now).args(["due", "--format", "json"]).assert().success()));
    // Seen from Berlin on the evening before: 09:00 New York is 15:00 CET the next day.
    let v = due("2026-12-02T20:00:00+01:00");
    let publish = &v["items"][0];
    assert_eq!((publish["kind"].as_str(), publish["basis"].as_str()), (Some("publish"), Some("embargo")));
    assert_eq!(publish["due_at"], "2026-12-03T09:00:00-05:00", "shown in the author's zone");
    assert_eq!((publish["hours_left"].as_i64(), publish["due"].as_str()), (Some(19), Some("2026-12-03")));
    let table = stdout(&at(&repo, "2026-12-02T20:00:00+01:00").arg("due").assert().success());
    assert!(table.contains("2026-12-03 09:00 -05:00") && table.contains("in 19h"), "{table}");
    // Ten days ahead it reads in days; an hour after the instant it is overdue, and `due` exits 1.
    let far = at(&repo, "2026-11-23T09:00:00-05:00").args(["list"]).assert().success();
    assert!(stdout(&far).contains("publish in 10d"), "{}", stdout(&far));
    let late = at(&repo, "2026-12-03T10:30:00-05:00").args(["due", "--format", "json"]).assert().code(1);
    assert_eq!(json(&stdout(&late))["items"][0]["hours_left"], -2);

    let list = json(&stdout(&at(&repo, "2026-12-01T12:00:00Z").args(["list", "--format", "json"]).assert().success()));
    assert_eq!(list["reports"][0]["embargo_until"], NEW_YORK, "as written");
    let embargoed = |now: &str| {
        json(&stdout(&at(&repo, now).args(["stats", "--format", "json"]).assert().success()))["embargoed"].as_u64()
    };
    assert_eq!(embargoed("2026-12-03T13:59:59Z"), Some(1));
    assert_eq!(embargoed("2026-12-03T14:00:00Z"), Some(0));
    let draft =
        |now: &str| stdout(&at(&repo, now).args(["render", "1", "--draft", "--format", "md"]).assert().success());
    assert!(draft("2026-12-03T13:59:59Z").contains(&format!("EMBARGOED until {NEW_YORK}")));
    assert!(draft("2026-12-03T14:00:00Z").contains("DRAFT — NOT PUBLISHED"));
    // A date-only embargo keeps its meaning: the whole date, on the reader's clock.
    let dated = fixed_under("2026-12-03");
    publish_at(&dated, "2026-12-02T23:59:59-10:00").code(1);
    publish_at(&dated, "2026-12-03T00:00:00+14:00").success();
}

#[test]
fn a_malformed_embargo_time_is_a_finding_at_its_line() {
    let repo = fixed_under(NEW_YORK);
    let original = repo.read(PATH);
    for (value, says) in [
        ("2026-11-01 01:30 America/New_York", "happens twice in America/New_York"),
        ("2026-03-08 02:30 America/New_York", "does not exist in America/New_York"),
        ("2026-12-03 09:00 America/Nwe_York", "is not a time zone of the tz database"),
        ("2026-12-03T09:00:00", "an RFC 3339 date-time with its offset (2026-12-03T09:00:00-05:00)"),
        ("next thursday", "is not in the form this field takes"),
        ("2026-02-30", "is not a valid date"),
    ] {
        let text = original.replace(NEW_YORK, value);
        repo.write(PATH, &text);
        let a = repo.cmd().arg("validate").assert().code(1);
        let err = stderr(&a);
        assert!(err.contains(says), "{value}: {err}");
        let line = text.lines().position(|l| l.starts_with("embargo_until:")).expect("line") + 1;
        assert!(err.contains(&format!("ENIGM-2026-0001.md:{line}:")), "{value}: points at line {line}: {err}");
    }
}

/// `web` and `api` each with their own deadlines: `web` fixes a high report in 20 days and
/// publishes in 45, `api` fixes it in 40 and answers in 1.
fn two_products() -> TestRepo {
    let repo = TestRepo::new();
    let config = repo.read("enigm.yaml").replace(
        "  business_days: false    # true: count Monday-Friday only\n",
        "  business_days: false    # true: count Monday-Friday only\n  products:\n    web:\n      fix_days: {critical: 10, high: 20}\n      publish_days: 45\n    api:\n      acknowledge_days: 1\n      fix_days: {high: 40}\n",
    );
    repo.write("enigm.yaml", config);
    commit_all(&repo, "per-product policy");
    for (title, product) in [("XSS in search", "web"), ("Token leak", "api")] {
        let path = new_report(&repo, title, product);
        assert!(path.ends_with(if product == "web" { "0001.md" } else { "0002.md" }));
    }
    for id in ["1", "2"] {
        repo.cmd().args(["advance", id, "triaged"]).assert().success();
    }
    repo
}

fn render(repo: &TestRepo) -> PathBuf {
    let site = repo.sandbox.tmp.path().join("site");
    repo.cmd().args(["render", "--out"]).arg(&site).assert().success();
    site
}

#[test]
fn two_products_each_get_their_own_deadlines_in_due_stats_the_dashboard_and_the_policy() {
    let repo = two_products();
    repo.cmd().arg("validate").assert().success();
    let on = |day: &str, args: &[&str]| repo.cmd().env("ENIGM_TODAY", day).args(args).assert();
    let v = json(&stdout(&on("2026-06-15", &["due", "--within", "400", "--format", "json"]).success()));
    let item = |id: &str, kind: &str| {
        v["items"].as_array().expect("items").iter().find(|i| i["id"] == id && i["kind"] == kind).cloned()
    };
    let fix_web = item("ENIGM-2026-0001", "fix").expect("web fix");
    let fix_api = item("ENIGM-2026-0002", "fix").expect("api fix");
    assert_eq!((fix_web["due"].as_str(), fix_web["product"].as_str()), (Some("2026-07-05"), Some("web")));
    assert_eq!((fix_api["due"].as_str(), fix_api["product"].as_str()), (Some("2026-07-25"), Some("api")));
    let publish_web = item("ENIGM-2026-0001", "publish").expect("web publish");
    assert_eq!(publish_web["due"], "2026-07-30", "web publishes in 45 days");
    assert_eq!(item("ENIGM-2026-0002", "publish").expect("api publish")["due"], "2026-09-13", "api: the global 90");

    // On 2026-07-10 the web fix is overdue, the api one is not: `due` exits 1, stats count each.
    let table = stdout(&on("2026-07-10", &["due"]).code(1));
    assert!(table.contains("2026-07-05") && table.contains("5d overdue"), "{table}");
    let stats = json(&stdout(&on("2026-07-10", &["stats", "--format", "json"]).success()));
    let (web, api) = (&stats["by_product"]["web"], &stats["by_product"]["api"]);
    assert_eq!(
        (web["overdue"].as_u64(), api["overdue"].as_u64(), stats["overdue"].as_u64()),
        (Some(1), Some(0), Some(1))
    );
    assert_eq!((web["policy"]["own"].as_bool(), web["policy"]["fix_days"]["high"].as_u64()), (Some(true), Some(20)));
    assert_eq!(web["policy"]["publish_days"], 45);
    assert_eq!(
        (api["policy"]["fix_days"]["high"].as_u64(), api["policy"]["acknowledge_days"].as_u64()),
        (Some(40), Some(1))
    );
    assert_eq!(api["policy"]["fix_days"]["critical"], 30, "what api leaves out is the global policy's");
    let list = stdout(&on("2026-07-10", &["list", "--overdue"]).success());
    assert!(list.contains("ENIGM-2026-0001") && !list.contains("ENIGM-2026-0002"), "{list}");

    let dashboard = repo.sandbox.tmp.path().join("dashboard.html");
    repo.cmd().env("ENIGM_TODAY", "2026-07-10").args(["stats", "--html"]).arg(&dashboard).assert().success();
    let page = fs::read_to_string(&dashboard).expect("dashboard");
    assert!(page.contains("<td>fix 10/20/90/90/90d · publish 45d (own)</td>"), "{page}");
    assert!(page.contains("<td>fix 30/40/90/90/90d · publish 90d (own)</td>"), "{page}");

    let site = render(&repo);
    let policy = fs::read_to_string(site.join("policy.md")).expect("policy.md");
    assert!(
        policy.contains("| web | 3 days | 10 days | 10 days | 20 days | 90 days | 90 days | 45 days |"),
        "{policy}"
    );
    assert!(policy.contains("| api | 1 day | 10 days | 30 days | 40 days | 90 days | 90 days | 90 days |"), "{policy}");
    let html = fs::read_to_string(site.join("policy.html")).expect("policy.html");
    assert!(html.contains("<td>web</td>") && html.contains("<td>api</td>"), "the table is rendered");
}

#[test]
fn a_report_of_both_products_is_held_to_the_strictest_of_their_policies() {
    let repo = two_products();
    let text = repo.read("reports/ENIGM-2026-0002.md").replace("  - name: api\n", "  - name: api\n  - name: web\n");
    repo.write("reports/ENIGM-2026-0002.md", text);
    commit_all(&repo, "both");
    let v = json(&stdout(&repo.cmd().args(["due", "--within", "400", "--format", "json"]).assert().success()));
    let of_both: Vec<(String, String, String)> = v["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter(|i| i["id"] == "ENIGM-2026-0002")
        .map(|i| (i["kind"].to_string(), i["due"].to_string(), i["product"].to_string()))
        .collect();
    let row = |k: &str, d: &str, p: &str| (format!("\"{k}\""), format!("\"{d}\""), format!("\"{p}\""));
    assert_eq!(of_both, [row("fix", "2026-07-05", "web"), row("publish", "2026-07-30", "web")]);
}

#[test]
fn an_override_for_a_product_the_config_does_not_list_is_a_finding_at_its_line() {
    let repo = TestRepo::new();
    let config = repo.read("enigm.yaml").replace(
        "  business_days: false    # true: count Monday-Friday only\n",
        "  business_days: false    # true: count Monday-Friday only\n  products:\n    wbe:\n      publish_days: 45\n",
    );
    repo.write("enigm.yaml", &config);
    let a = repo.cmd().arg("validate").assert().code(1);
    let err = stderr(&a);
    let line = config.lines().position(|l| l.trim_start().starts_with("wbe:")).expect("line") + 1;
    assert!(err.contains("config-unknown-product") && err.contains(&format!("enigm.yaml:{line}:")), "{err}");
    assert!(err.contains("did you mean `web`?"), "{err}");
    // The other commands still run: the configuration is usable.
    repo.cmd().arg("due").assert().success();
}

/// What people read, as they read it: `due` with a timed embargo and two products' own
/// deadlines, the published per-product table and the unknown-product diagnostic.
#[test]
fn what_people_read_of_embargo_times_and_product_policies() {
    let repo = two_products();
    let text = repo.read(PATH).replace("cwe: []", &format!("embargo_until: {NEW_YORK}\ncwe: []"));
    repo.write(PATH, text);
    commit_all(&repo, "embargo");
    let due = stdout(
        &at(&repo, "2026-07-10T09:00:00+02:00").args(["due", "--within", "400", "--show-titles"]).assert().code(1),
    );
    insta::assert_snapshot!("due_with_an_embargo_time_and_product_policies", due);
    let site = render(&repo);
    let policy = fs::read_to_string(site.join("policy.md")).expect("policy.md");
    let table: String = policy
        .lines()
        .skip_while(|l| !l.starts_with("These are our general deadlines"))
        .take_while(|l| !l.starts_with("All periods"))
        .map(|l| format!("{l}\n"))
        .collect();
    insta::assert_snapshot!("policy_md_per_product_table", table);
    let config = repo.read("enigm.yaml").replace("    api:\n", "    apj:\n");
    repo.write("enigm.yaml", config);
    let a = repo.cmd().arg("validate").assert().code(1);
    insta::assert_snapshot!("config_unknown_product", stderr(&a));
}
