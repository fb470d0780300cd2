//! Bulk triage through the binary: `advance` with several ids or a query, the plan, one
//! commit per report or one for all (`--batch`), `--dry-run`, failures of one report among
//! several, the `spam` and `invalid` resolutions in `stats`, and a sealed repository.

use std::fs;

use crate::util::{Sandbox, TestRepo, stderr, stdout};

/// A repository with reports received on these dates (ENIGM-2026-0001, -0002, …); today is
/// 2026-06-15.
fn repo_with(dates: &[&str]) -> TestRepo {
    let repo = TestRepo::new();
    for (i, date) in dates.iter().enumerate() {
        repo.cmd()
            .args(["new", "--title", &format!("Report {}", i + 1), "--product", "web", "--reporter-name", "R"])
            .args(["--reported", date])
            .assert()
            .success();
    }
    repo
}

fn advance(repo: &TestRepo, args: &[&str]) -> assert_cmd::assert::Assert {
    repo.cmd().arg("advance").args(args).assert()
}

fn state_of(repo: &TestRepo, n: usize) -> String {
    let text = repo.read(&format!("reports/ENIGM-2026-{n:04}.md"));
    text.lines().find_map(|l| l.strip_prefix("state: ")).expect("state").to_owned()
}

/// The subject lines of the commits since `before`, newest first.
fn subjects_since(repo: &TestRepo, before: git2::Oid) -> Vec<String> {
    let git = repo.git();
    let mut walk = git.revwalk().expect("walk");
    walk.push_head().expect("head");
    walk.hide(before).expect("hide");
    walk.map(|id| {
        git.find_commit(id.expect("oid"))
            .expect("commit")
            .message()
            .expect("utf8")
            .lines()
            .next()
            .unwrap_or_default()
            .to_owned()
    })
    .collect()
}

#[test]
fn a_query_selects_the_reports_and_each_moves_in_its_own_commit() {
    let repo = repo_with(&["2026-06-01", "2026-06-10", "2026-06-14"]);
    let before = repo.head_id();
    let a =
        advance(&repo, &["--state", "received", "--older-than", "3d", "rejected", "--resolution", "spam"]).success();
    let out = stdout(&a);
    assert!(out.starts_with("Plan: 2 reports → rejected (one commit per report)\n"), "{out}");
    assert!(out.contains("  ENIGM-2026-0001  received → rejected  writes state, resolution, timeline\n"), "{out}");
    assert!(
        out.contains("ENIGM-2026-0002: committed as ") && out.contains("2 of 2 reports moved to `rejected`."),
        "{out}"
    );
    assert!(!out.contains("ENIGM-2026-0003"), "reported yesterday: not older than 3 days\n{out}");
    assert_eq!(
        subjects_since(&repo, before),
        ["ENIGM-2026-0002: received → rejected", "ENIGM-2026-0001: received → rejected"]
    );
    assert_eq!(repo.head_paths(), ["reports/ENIGM-2026-0002.md"], "one report per commit");
    assert_eq!((state_of(&repo, 1), state_of(&repo, 3)), ("rejected".to_owned(), "received".to_owned()));
    assert!(repo.read("reports/ENIGM-2026-0001.md").contains("resolution: spam\n"));
    // The same query `list` shows.
    let listed =
        repo.cmd().args(["list", "--state", "received", "--older-than", "0d", "--format", "json"]).assert().success();
    let v: serde_json::Value = serde_json::from_slice(&listed.get_output().stdout).expect("json");
    let ids: Vec<&str> = v["reports"].as_array().expect("list").iter().map(|r| r["id"].as_str().expect("id")).collect();
    assert_eq!(ids, ["ENIGM-2026-0003"]);
    repo.cmd().arg("validate").assert().success();
}

#[test]
fn a_dry_run_shows_the_plan_and_changes_nothing() {
    let repo = repo_with(&["2026-06-01", "2026-06-02"]);
    let (head, files) = (repo.head_id(), crate::util::work_tree_files(&repo.root(), &[".git"]));
    let a = advance(&repo, &["1", "2", "needs-info", "--dry-run", "--format", "json"]).success();
    let v: serde_json::Value = serde_json::from_slice(&a.get_output().stdout).expect("json");
    assert_eq!(v["dry_run"], true);
    assert_eq!(v["failed"], serde_json::json!([]));
    let r = &v["reports"][1];
    assert_eq!(
        (r["id"].as_str(), r["from"].as_str(), r["to"].as_str(), r["path"].as_str()),
        (Some("ENIGM-2026-0002"), Some("received"), Some("needs-info"), Some("reports/ENIGM-2026-0002.md"))
    );
    assert_eq!(r["writes"], serde_json::json!(["state", "timeline"]));
    assert!(r["commit"].is_null() && r["error"].is_null());
    let a = advance(&repo, &["1", "2", "needs-info", "--dry-run"]).success();
    assert!(stdout(&a).ends_with("Dry run: nothing written.\n"), "{}", stdout(&a));
    assert_eq!(repo.head_id(), head);
    assert_eq!(crate::util::work_tree_files(&repo.root(), &[".git"]), files);
}

#[test]
fn batch_makes_one_commit_of_all_or_writes_nothing() {
    let repo = repo_with(&["2026-06-01", "2026-06-02", "2026-06-03"]);
    let before = repo.head_id();
    let a = advance(&repo, &["1", "2", "rejected", "--resolution", "invalid", "--batch", "--note", "Support requests"])
        .success();
    assert!(stdout(&a).contains("Committed 2 reports as "), "{}", stdout(&a));
    assert_eq!(subjects_since(&repo, before).len(), 1);
    assert_eq!(repo.head_paths(), ["reports/ENIGM-2026-0001.md", "reports/ENIGM-2026-0002.md"]);
    assert_eq!(
        repo.head_message(),
        "2 reports → rejected\n\nENIGM-2026-0001: received → rejected\nENIGM-2026-0002: received → rejected\n\n\
         Support requests\n\nDisclosure-Id: ENIGM-2026-0001\nDisclosure-Id: ENIGM-2026-0002\nDisclosure-State: rejected\n"
    );
    // All or nothing: report 1 is already rejected, so report 3 does not move either.
    let (head, files) = (repo.head_id(), crate::util::work_tree_files(&repo.root(), &[".git"]));
    let a = advance(&repo, &["1", "3", "rejected", "--resolution", "spam", "--batch"]).code(1);
    let out = stdout(&a);
    assert!(
        out.contains("ENIGM-2026-0001  cannot move: ENIGM-2026-0001: `rejected` → `rejected` is not a step"),
        "{out}"
    );
    assert!(out.contains("Nothing written (--batch is all or nothing): 1 of 2 reports cannot move."), "{out}");
    assert!(stderr(&a).contains("from `rejected` the next states are: triaged"), "{}", stderr(&a));
    assert_eq!(repo.head_id(), head);
    assert_eq!(crate::util::work_tree_files(&repo.root(), &[".git"]), files);
    repo.cmd().args(["verify"]).assert().success();
}

#[test]
fn a_report_that_cannot_move_is_named_and_the_others_still_move() {
    let repo = repo_with(&["2026-06-01", "2026-06-02", "2026-06-03"]);
    advance(&repo, &["2", "rejected", "--resolution", "duplicate", "--duplicate-of", "1"]).success();
    let before = repo.head_id();
    let a = advance(&repo, &["1", "2", "3", "rejected", "--resolution", "spam"]).code(1);
    let out = stdout(&a);
    assert!(
        out.contains("2 of 3 reports moved to `rejected`.") && out.ends_with("Not moved: ENIGM-2026-0002\n"),
        "{out}"
    );
    assert_eq!(
        subjects_since(&repo, before),
        ["ENIGM-2026-0003: received → rejected", "ENIGM-2026-0001: received → rejected"]
    );
    assert!(repo.read("reports/ENIGM-2026-0002.md").contains("resolution: duplicate\n"), "left as it was");
    let json = advance(&repo, &["1", "2", "triaged", "--format", "json", "--dry-run"]).code(1);
    let v: serde_json::Value = serde_json::from_slice(&json.get_output().stdout).expect("json");
    assert_eq!(v["failed"], serde_json::json!(["ENIGM-2026-0001", "ENIGM-2026-0002"]));
    assert!(v["reports"][0]["error"].as_str().is_some_and(|e| e.contains("cannot move to `triaged`")), "{v}");
}

#[test]
fn ids_and_a_query_together_or_neither_and_flags_that_do_not_go_together_are_usage_errors() {
    let repo = repo_with(&["2026-06-01", "2026-06-02"]);
    let head = repo.head_id();
    for (args, says) in [
        (&["1", "--state", "received", "triaged"][..], "by id or by a query, not both"),
        (&["triaged"][..], "no reports named"),
        (&["--state", "received", "triaged", "--resolution", "spam"][..], "are for rejecting, not for `triaged`"),
        (&["1", "2", "bogus"][..], "the last argument names the state to move to"),
        (&["--older-than", "3h", "triaged"][..], "is not an age"),
    ] {
        let a = advance(&repo, args).code(2);
        assert!(stderr(&a).contains(says), "{args:?}: {}", stderr(&a));
    }
    assert_eq!(repo.head_id(), head);
    let a = advance(&repo, &["--state", "fixed", "triaged"]).success();
    assert!(stderr(&a).contains("no reports match the query: nothing to do"), "{}", stderr(&a));
}

#[test]
fn spam_and_invalid_reports_count_but_stay_out_of_the_response_figures() {
    let repo = repo_with(&["2026-06-01", "2026-06-02", "2026-06-03"]);
    advance(&repo, &["1", "2", "rejected", "--resolution", "spam"]).success();
    advance(&repo, &["3", "rejected", "--resolution", "invalid"]).success();
    let a = repo.cmd().args(["stats", "--format", "json"]).assert().success();
    let v: serde_json::Value = serde_json::from_slice(&a.get_output().stdout).expect("json");
    assert_eq!((v["total"].as_u64(), v["not_reports"].as_u64()), (Some(3), Some(3)));
    assert_eq!(v["by_state"]["rejected"], 3);
    let human = repo.cmd().arg("stats").assert().success();
    assert!(stdout(&human).contains("3 closed as spam or invalid"), "{}", stdout(&human));
    let html = repo.root().join("../dash.html");
    repo.cmd().args(["stats", "--html"]).arg(&html).assert().success();
    assert!(fs::read_to_string(&html).expect("html").contains("spam or invalid"));
}

#[test]
fn a_sealed_repository_moves_several_reports_as_one_advance_does() {
    let sandbox = Sandbox::new();
    let root = sandbox.work();
    sandbox
        .cmd_in(&root)
        .args(["init", ".", "--sealed", "--product", "web", "--contact", "s@acme.test"])
        .assert()
        .success();
    for n in 1..=2 {
        let title = format!("QZXTITLE{n}");
        sandbox
            .cmd_in(&root)
            .args(["new", "--title", &title, "--product", "web", "--reporter-name", "R"])
            .assert()
            .success();
    }
    let a = sandbox
        .cmd_in(&root)
        .args(["advance", "--state", "received", "rejected", "--resolution", "spam", "--batch", "--note", "QZXNOTE"])
        .assert()
        .success();
    assert!(stdout(&a).contains("Committed 2 reports as "), "{}", stdout(&a));
    let git = git2::Repository::open(&root).expect("repo");
    let head = git.head().expect("head").peel_to_commit().expect("commit");
    let message = head.message().expect("utf8");
    assert!(message.starts_with("2 reports → rejected\n") && !message.contains("QZXNOTE"), "{message}");
    for n in 1..=2 {
        let file = fs::read_to_string(root.join(format!("reports/ENIGM-2026-{n:04}.md"))).expect("report");
        assert!(file.contains("-----BEGIN AGE ENCRYPTED FILE-----") && !file.contains("QZX"), "{file}");
    }
    let shown = sandbox.cmd_in(&root).args(["show", "1"]).assert().success();
    assert!(stdout(&shown).contains("rejected"), "{}", stdout(&shown));
    sandbox.cmd_in(&root).arg("validate").assert().success();
}
