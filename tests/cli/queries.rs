//! `demo`, `list`, `due`, `show`, `stats` and the status screen through the binary, on the
//! demo repository (dates relative to the fixed test date, so every figure is stable).

use std::fs;

use crate::util::{Sandbox, stderr, stdout};

/// A sandbox holding the demo repository in `work/demo`: a copy of one `demo` built once per
/// test process (`demo` writes the same bytes every time, dates being relative to the fixed
/// test date), so the tests here do not each build their own.
pub(crate) fn demo() -> (Sandbox, std::path::PathBuf) {
    static DEMO: std::sync::OnceLock<std::path::PathBuf> = std::sync::OnceLock::new();
    let template = crate::util::built_once(&DEMO, "demo", |sandbox| {
        sandbox.cmd_in(&sandbox.work()).args(["demo", "demo"]).assert().success();
    });
    let sandbox = Sandbox::copy_of(template);
    let dir = sandbox.work().join("demo");
    crate::util::refresh_index(&dir);
    (sandbox, dir)
}

fn run(sandbox: &Sandbox, dir: &std::path::Path, args: &[&str]) -> assert_cmd::assert::Assert {
    sandbox.cmd_in(dir).args(args).assert()
}

#[test]
fn demo_builds_a_valid_repository_with_every_state_and_a_site() {
    let sandbox = Sandbox::new();
    let a = sandbox.cmd_in(&sandbox.work()).args(["demo", "demo"]).assert().success();
    let out = stdout(&a);
    assert!(out.contains("13 reports in every lifecycle state, 47 commits; 3 advisories rendered"), "{out}");
    assert!(out.contains("Try next:"), "{out}");
    let dir = sandbox.work().join("demo");
    for state in
        ["received", "needs-info", "triaged", "confirmed", "remediating", "fixed", "published", "rejected", "withdrawn"]
    {
        assert!(out.contains(&format!("  {state}\n")), "no {state} report:\n{out}");
    }
    run(&sandbox, &dir, &["validate"]).success();
    run(&sandbox, &dir, &["verify"]).success();
    assert!(dir.join("site/index.html").is_file());
    let git = git2::Repository::open(&dir).expect("repo");
    let mut opts = git2::StatusOptions::new();
    opts.include_untracked(true).include_ignored(false);
    let statuses = git.statuses(Some(&mut opts)).expect("status");
    assert!(statuses.is_empty(), "the demo leaves a clean work tree (site/ is ignored)");
    // Commits carry their timeline dates: the first is 240 days before the test date.
    let mut walk = git.revwalk().expect("walk");
    walk.push_head().expect("head");
    walk.set_sorting(git2::Sort::TIME).expect("sort");
    let oldest = walk.last().expect("a commit").expect("oid");
    let time = git.find_commit(oldest).expect("commit").time().seconds();
    assert_eq!(chrono::DateTime::from_timestamp(time, 0).expect("time").date_naive().to_string(), "2025-10-18");

    let again = sandbox.cmd_in(&sandbox.work()).args(["demo", "demo"]).assert().code(2);
    assert!(stderr(&again).contains("is not empty"), "{}", stderr(&again));
}

#[test]
fn list_table_and_filters() {
    let (sandbox, dir) = demo();
    insta::assert_snapshot!("list_table", stdout(&run(&sandbox, &dir, &["list"]).success()));
    insta::assert_snapshot!(
        "list_open_by_deadline",
        stdout(&run(&sandbox, &dir, &["list", "--open", "--sort", "deadline"]).success())
    );
    let ids = |args: &[&str]| -> Vec<String> {
        let out = stdout(&run(&sandbox, &dir, args).success());
        out.lines().skip(1).map(|l| l.split_whitespace().next().unwrap_or_default().to_owned()).collect()
    };
    assert_eq!(ids(&["list", "--state", "received,needs-info"]).len(), 3);
    assert_eq!(ids(&["list", "--state", "rejected", "--state", "withdrawn"]).len(), 3);
    assert_eq!(ids(&["list", "--severity", "critical"]).len(), 2);
    assert_eq!(ids(&["list", "--product", "mobile-app"]).len(), 1);
    assert_eq!(ids(&["list", "--assignee", "alex rivera"]).len(), 13);
    assert_eq!(ids(&["list", "--assignee", "nobody"]).len(), 0);
    let overdue = ids(&["list", "--overdue"]);
    assert_eq!(overdue.len(), 3, "{overdue:?}");
    let by_severity = ids(&["list", "--sort", "severity", "--open"]);
    let table = stdout(&run(&sandbox, &dir, &["list", "--sort", "severity", "--open"]).success());
    assert!(table.lines().nth(1).is_some_and(|l| l.contains("critical")), "{table}");
    assert_eq!(by_severity.len(), 8);
    let bad = run(&sandbox, &dir, &["list", "--state", "done"]).code(2);
    assert!(stderr(&bad).contains("received, needs-info"), "{}", stderr(&bad));
}

#[test]
fn list_json_and_csv_are_complete_and_stable() {
    let (sandbox, dir) = demo();
    let json: serde_json::Value =
        serde_json::from_str(&stdout(&run(&sandbox, &dir, &["list", "--format", "json"]).success())).expect("json");
    assert_eq!(json["today"], "2026-06-15");
    let reports = json["reports"].as_array().expect("reports");
    assert_eq!(reports.len(), 13);
    let first = &reports[0];
    for key in [
        "id",
        "state",
        "severity",
        "products",
        "assignee",
        "reported",
        "age_days",
        "next_deadline",
        "overdue",
        "embargo_until",
        "title",
        "path",
    ] {
        assert!(first.get(key).is_some(), "no `{key}` in {first}");
    }
    assert_eq!(json["unreadable"], serde_json::json!([]));
    let csv = stdout(&run(&sandbox, &dir, &["list", "--format", "csv", "--state", "remediating"]).success());
    insta::assert_snapshot!("list_csv", csv);
    assert!(csv.contains("\r\n"), "RFC 4180 line ends");
}

#[test]
fn due_lists_overdue_first_and_exits_1() {
    let (sandbox, dir) = demo();
    let a = run(&sandbox, &dir, &["due", "--show-titles"]).code(1);
    insta::assert_snapshot!("due_table", stdout(&a));
    assert!(stderr(&a).contains("4 overdue, 5 due within 14 days"), "{}", stderr(&a));
    let json: serde_json::Value =
        serde_json::from_str(&stdout(&run(&sandbox, &dir, &["due", "--within", "0", "--format", "json"]).code(1)))
            .expect("json");
    assert_eq!(json["overdue"], 4);
    let items = json["items"].as_array().expect("items");
    assert!(items.iter().all(|i| i["overdue"] == true), "--within 0 keeps only what is due today or late");
    assert_eq!(items[0]["kind"], "acknowledge");
    // Long ago, nothing was due yet; the report filed "today" only acknowledges later.
    let early = run(&sandbox, &dir, &["due", "--today", "2025-10-19"]).success();
    assert!(stderr(&early).contains("nothing overdue"), "{}", stderr(&early));
    // ENIGM_TODAY and --today agree.
    let by_env = stdout(
        &sandbox.cmd_in(&dir).args(["due", "--format", "json"]).env("ENIGM_TODAY", "2026-07-01").assert().code(1),
    );
    let by_flag = stdout(&run(&sandbox, &dir, &["due", "--format", "json", "--today", "2026-07-01"]).code(1));
    assert_eq!(by_env, by_flag);
}

#[test]
fn business_days_move_deadlines_past_weekends() {
    let (sandbox, dir) = demo();
    let calendar: serde_json::Value =
        serde_json::from_str(&stdout(&run(&sandbox, &dir, &["due", "--format", "json", "--within", "400"]).code(1)))
            .expect("json");
    let config = fs::read_to_string(dir.join("enigm.yaml")).expect("config");
    fs::write(dir.join("enigm.yaml"), config.replace("business_days: false", "business_days: true")).expect("write");
    let business: serde_json::Value =
        serde_json::from_str(&stdout(&run(&sandbox, &dir, &["due", "--format", "json", "--within", "400"]).code(1)))
            .expect("json");
    let due = |v: &serde_json::Value, id: &str, kind: &str| -> String {
        v["items"]
            .as_array()
            .expect("items")
            .iter()
            .find(|i| i["id"] == id && i["kind"] == kind)
            .map(|i| i["due"].as_str().expect("due").to_owned())
            .unwrap_or_default()
    };
    // The newest report came in on Sunday 2026-06-14: 3 calendar days is Wednesday 06-17, and
    // so are 3 business days (Monday, Tuesday, Wednesday).
    let newest = calendar["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|i| i["kind"] == "acknowledge" && i["overdue"] == false)
        .expect("acknowledge")["id"]
        .as_str()
        .expect("id")
        .to_owned();
    assert_eq!(due(&calendar, &newest, "acknowledge"), "2026-06-17");
    assert_eq!(due(&business, &newest, "acknowledge"), "2026-06-17");
    let calendar_publish = due(&calendar, &newest, "publish");
    let business_publish = due(&business, &newest, "publish");
    assert!(business_publish > calendar_publish, "{business_publish} vs {calendar_publish}");
    let weekday =
        chrono::NaiveDate::parse_from_str(&business_publish, "%Y-%m-%d").expect("date").format("%a").to_string();
    assert!(!["Sat", "Sun"].contains(&weekday.as_str()), "{business_publish} is a {weekday}");
}

#[test]
fn show_summarises_one_report_and_resolves_abbreviations() {
    let (sandbox, dir) = demo();
    let ids = stdout(&run(&sandbox, &dir, &["list", "--format", "csv", "--state", "published"]).success());
    let sqli =
        ids.lines().find(|l| l.contains("SQL injection")).and_then(|l| l.split(',').next()).expect("id").to_owned();
    insta::assert_snapshot!("show_human", stdout(&run(&sandbox, &dir, &["show", &sqli]).success()));
    let json: serde_json::Value =
        serde_json::from_str(&stdout(&run(&sandbox, &dir, &["show", &sqli, "--format", "json"]).success()))
            .expect("json");
    assert_eq!(json["report"]["reporter"]["contact"], "tomas@example.net", "the team's view is complete");
    assert_eq!(json["severity_level"], "critical");
    assert_eq!(json["cvss_score"], 9.8);
    assert!(json["body"].as_str().expect("body").contains("## Remediation"));
    // Issue 21's data: the SSVC decision, a product named as not affected.
    let all = stdout(&run(&sandbox, &dir, &["list", "--format", "csv"]).success());
    let id_of =
        |title: &str| all.lines().find(|l| l.contains(title)).and_then(|l| l.split(',').next()).expect("id").to_owned();
    let jwt = stdout(&run(&sandbox, &dir, &["show", &id_of("unsigned JWTs")]).success());
    assert!(jwt.contains("\nssvc       out-of-cycle  automatable yes, exploitation public-poc,"), "{jwt}");
    assert!(jwt.contains("(decided 20") && jwt.contains(" by Alex Rivera)"), "{jwt}");
    let xss = stdout(&run(&sandbox, &dir, &["show", &id_of("Stored XSS")]).success());
    assert!(xss.contains("\nproduct    api-gateway  status not_affected (component_not_present)\n"), "{xss}");
    let number = sqli.rsplit('-').next().expect("n").trim_start_matches('0');
    let short = format!("{}-{number}", &sqli[5..9]);
    let by_short = stdout(&run(&sandbox, &dir, &["show", &short]).success());
    assert!(by_short.starts_with(&sqli), "{by_short}");
    let missing = run(&sandbox, &dir, &["show", "99"]).code(2);
    assert!(stderr(&missing).contains("no report `99`"), "{}", stderr(&missing));
}

#[test]
fn a_bare_number_is_this_years_report_and_says_so() {
    let (sandbox, dir) = demo();
    // The demo spans two years (2025 and 2026), so `1` names two reports: today's year wins.
    let a = run(&sandbox, &dir, &["show", "1"]).success();
    assert!(stdout(&a).starts_with("DEMO-2026-0001"), "{}", stdout(&a));
    assert!(stderr(&a).contains("note: `1` is read as DEMO-2026-0001, this year's; also numbered so: DEMO-2025-0001 (name it with its year, e.g. `2025-1`)"), "{}", stderr(&a));
    let a = run(&sandbox, &dir, &["show", "2025-1"]).success();
    assert!(stdout(&a).starts_with("DEMO-2025-0001") && stderr(&a).is_empty(), "{}", stderr(&a));
}

/// Regression: every January, `show 1` was ambiguous between last December's report and this
/// year's first. The clock (`ENIGM_TODAY`) decides which year is "this year".
#[test]
fn short_ids_survive_new_year() {
    let repo = crate::util::TestRepo::new();
    let new = |title: &str, today: &str| {
        repo.cmd()
            .args(["new", "--title", title, "--product", "web", "--reporter-name", "R"])
            .env("ENIGM_TODAY", today)
            .assert()
            .success();
    };
    new("December", "2025-12-30");
    new("January", "2026-01-02");
    let show = |today: &str| repo.cmd().args(["show", "1"]).env("ENIGM_TODAY", today).assert().success();
    let a = show("2026-01-05");
    assert!(stdout(&a).starts_with("ENIGM-2026-0001  January"), "{}", stdout(&a));
    assert!(stderr(&a).contains("also numbered so: ENIGM-2025-0001"), "{}", stderr(&a));
    let a = show("2025-12-31");
    assert!(stdout(&a).starts_with("ENIGM-2025-0001  December"), "{}", stdout(&a));
    repo.cmd().args(["history", "1"]).env("ENIGM_TODAY", "2026-01-05").assert().success();
}

/// "Did you mean" lists the ids nearest to what was typed, one per line, so no id is ever
/// broken across lines however narrow the terminal.
#[test]
fn did_you_mean_lists_near_ids_one_per_line() {
    let (sandbox, dir) = demo();
    for columns in ["200", "40"] {
        let a = sandbox.cmd_in(&dir).args(["show", "DEMO-2026-0071"]).env("COLUMNS", columns).assert().code(2);
        let err = stderr(&a);
        assert!(err.contains("no report `DEMO-2026-0071`"), "{err}");
        let listed: Vec<&str> = err.lines().map(str::trim).filter(|l| l.starts_with("DEMO-")).collect();
        assert!(!listed.is_empty() && listed.len() <= 5, "{err}");
        assert!(listed.iter().all(|l| l.parse::<enigm_disclose::format::id::ReportId>().is_ok()), "whole ids: {err}");
        assert!(listed.contains(&"DEMO-2026-0001"), "one edit away: {err}");
    }
}

#[test]
fn stats_tables_json_and_dashboard() {
    let (sandbox, dir) = demo();
    insta::assert_snapshot!("stats_human", stdout(&run(&sandbox, &dir, &["stats"]).success()));
    let json: serde_json::Value =
        serde_json::from_str(&stdout(&run(&sandbox, &dir, &["stats", "--format", "json"]).success())).expect("json");
    assert_eq!(json["total"], 13);
    assert_eq!(json["by_state"]["published"], 2);
    assert_eq!(json["times"]["fix"]["count"], 4);
    assert_eq!(json["times"]["fix"]["median"], 25);
    assert_eq!(json["times"]["triage"]["p90"], 4);
    assert_eq!(json["by_product"]["api-gateway"]["total"], 4);
    let since: serde_json::Value = serde_json::from_str(&stdout(
        &run(&sandbox, &dir, &["stats", "--since", "2026-05-01", "--format", "json"]).success(),
    ))
    .expect("json");
    assert_eq!(since["total"], 5);

    run(&sandbox, &dir, &["stats", "--html", "dash.html"]).success();
    let page = fs::read_to_string(dir.join("dash.html")).expect("dashboard");
    for chart in ["id=\"reports-per-month\"", "id=\"time-to-fix\"", "id=\"open-by-age\""] {
        assert!(page.contains(chart), "missing {chart}");
    }
    assert_eq!(page.matches("<svg ").count(), 3);
    assert!(
        !page.contains("<script") && !page.contains("src=\"http") && !page.contains("href=\"http"),
        "self-contained"
    );
    // Titles of open (unpublished) reports, the embargoed one included, are withheld.
    for title in ["Authentication bypass with unsigned JWTs", "Path traversal in CSV export", "Clickjacking"] {
        assert!(!page.contains(title), "{title} leaked into the dashboard");
    }
    assert!(page.contains("title withheld"));
    run(&sandbox, &dir, &["stats", "--html", "dash.html", "--with-titles"]).success();
    let page = fs::read_to_string(dir.join("dash.html")).expect("dashboard");
    assert!(page.contains("Authentication bypass with unsigned JWTs"));
}

#[test]
fn status_screen_without_a_command() {
    let (sandbox, dir) = demo();
    let a = run(&sandbox, &dir, &[]).success();
    insta::assert_snapshot!("status_screen", stdout(&a));
    let outside = sandbox.cmd_in(&sandbox.home()).assert().code(2);
    assert!(stdout(&outside).contains("Usage: enigm-disclose"), "{}", stdout(&outside));
}

#[test]
fn colour_only_when_asked_or_on_a_terminal() {
    let (sandbox, dir) = demo();
    let plain = stdout(&run(&sandbox, &dir, &["list"]).success());
    assert!(!plain.contains('\x1b'), "NO_COLOR and a pipe: no escapes");
    let forced = stdout(&run(&sandbox, &dir, &["--color", "always", "list"]).success());
    assert!(forced.contains("\x1b[1;31mcritical\x1b[0m"), "{forced}");
    let piped = stdout(&sandbox.cmd_in(&dir).env_remove("NO_COLOR").arg("list").assert().success());
    assert!(!piped.contains('\x1b'), "auto colour stays off on a pipe");
}

#[test]
fn unreadable_reports_are_named_not_fatal() {
    let (sandbox, dir) = demo();
    fs::write(dir.join("reports/DEMO-2026-0099.md"), "---\nid: [\n---\n").expect("write");
    let a = run(&sandbox, &dir, &["list"]).code(1);
    assert!(stderr(&a).contains("reports/DEMO-2026-0099.md"), "{}", stderr(&a));
    assert!(stderr(&a).contains("enigm-disclose validate"), "{}", stderr(&a));
    assert_eq!(stdout(&a).lines().count(), 14);
}

#[test]
fn titles_cannot_drive_the_terminal() {
    let (sandbox, dir) = demo();
    let path = dir.join("reports/DEMO-2026-0001.md");
    let text = fs::read_to_string(&path).expect("read");
    let title = text.lines().find(|l| l.starts_with("title: ")).expect("title").to_owned();
    fs::write(&path, text.replacen(&title, "title: \"Evil \\e[2J \\u202Egnp.exe\"", 1)).expect("write");
    let out = stdout(&run(&sandbox, &dir, &["--color", "always", "list"]).success());
    assert!(!out.contains("\x1b[2J") && !out.contains('\u{202E}'), "{out}");
    assert!(out.contains("Evil \\u{1b}[2J \\u{202e}gnp.exe"), "{out}");
}
