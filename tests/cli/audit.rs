//! `history` and `verify` on real git histories, including hand-made bad commits.

use std::fs;

use crate::cli::validate::{PUBLISHED, commit_all};
use crate::util::{TestRepo, stdout};

fn verify_json(repo: &TestRepo) -> (i32, serde_json::Value) {
    let a = repo.cmd().args(["verify", "--format", "json"]).assert();
    (a.get_output().status.code().expect("code"), serde_json::from_slice(&a.get_output().stdout).expect("json"))
}

fn codes(v: &serde_json::Value) -> Vec<String> {
    v["findings"].as_array().expect("findings").iter().map(|f| f["code"].as_str().expect("code").to_owned()).collect()
}

/// A repository whose history is made by the tool: new, then triaged.
pub fn tool_history() -> TestRepo {
    let repo = TestRepo::new();
    let body = repo.sandbox.tmp.path().join("b.md");
    fs::write(&body, "## Summary\n\nx\n\n## Impact\n\ny\n").expect("body");
    repo.cmd()
        .args(["new", "--title", "T", "--product", "web", "--reporter-name", "R", "--severity", "high", "--body-file"])
        .arg(&body)
        .assert()
        .success();
    repo.cmd().args(["advance", "1", "triaged", "--note", "looked at it"]).assert().success();
    repo
}

#[test]
fn a_history_made_by_the_tool_verifies_and_shows_in_history() {
    let repo = tool_history();
    // A hand edit that changes no state is fine and shows as an edit.
    repo.write(
        "reports/ENIGM-2026-0001.md",
        repo.read("reports/ENIGM-2026-0001.md").replace("\ny\n", "\ny, more detail\n"),
    );
    commit_all(&repo, "Clarify impact");
    let (code, v) = verify_json(&repo);
    assert_eq!((code, codes(&v).len()), (0, 0), "{v}");
    assert_eq!(v["commits"], 4);
    let a = repo.cmd().args(["history", "1"]).assert().success();
    let out = stdout(&a);
    assert!(out.contains("→ received"), "{out}");
    assert!(out.contains("received → triaged") && out.contains("— looked at it"), "{out}");
    assert!(out.contains("edit") && out.contains("Clarify impact"), "{out}");
    let a = repo.cmd().args(["history", "1", "--format", "json"]).assert().success();
    let h: serde_json::Value = serde_json::from_slice(&a.get_output().stdout).expect("json");
    let kinds: Vec<&str> =
        h["entries"].as_array().expect("entries").iter().map(|e| e["kind"].as_str().expect("kind")).collect();
    assert_eq!(kinds, ["filing", "state-change", "edit"]);
    assert_eq!(h["entries"][1]["from"], "received");
    assert_eq!(h["entries"][1]["commit"].as_str().map(str::len), Some(40));
}

#[test]
fn verify_finds_illegal_steps_rewritten_timelines_and_deleted_published_reports() {
    let repo = tool_history();
    let path = "reports/ENIGM-2026-0001.md";
    // Jump from triaged straight to published by hand.
    repo.write(path, repo.read(path).replacen("\nstate: triaged\n", "\nstate: published\n", 1));
    commit_all(&repo, "skip ahead");
    // Rewrite the first timeline entry's date.
    repo.write(
        path,
        repo.read(path).replacen(
            "  - date: 2026-06-15\n    state: received",
            "  - date: 2026-06-01\n    state: received",
            1,
        ),
    );
    commit_all(&repo, "backdate");
    // Delete it (it is published now).
    fs::remove_file(repo.root().join(path)).expect("rm");
    commit_all(&repo, "remove");
    // A published report moved to another file name.
    repo.write("reports/ENIGM-2026-0002.md", PUBLISHED.replace("0001", "0002"));
    commit_all(&repo, "add published");
    fs::rename(repo.root().join("reports/ENIGM-2026-0002.md"), repo.root().join("reports/ENIGM-2026-0099.md"))
        .expect("mv");
    commit_all(&repo, "rename");
    let (code, v) = verify_json(&repo);
    assert_eq!(code, 1);
    assert_eq!(codes(&v), ["illegal-step", "timeline-rewritten", "published-deleted", "published-renamed"], "{v}");
    assert_eq!(v["findings"][0]["message"], "ENIGM-2026-0001: `triaged` → `published` is not a step of the lifecycle");
    assert_eq!(v["findings"][0]["author"], "Test Lead");
    let a = repo.cmd().arg("verify").assert().code(1);
    assert!(stdout(&a).contains("4 findings in"), "{}", stdout(&a));
}

#[test]
fn merged_branches_are_checked_step_by_step_not_as_one_jump() {
    let repo = tool_history();
    let git = repo.git();
    let base = repo.head_id();
    git.branch("side", &git.find_commit(base).expect("base"), false).expect("branch");
    git.set_head("refs/heads/side").expect("switch");
    let path = "reports/ENIGM-2026-0001.md";
    repo.write(
        path,
        repo.read(path)
            .replace("  - name: web\n", "  - name: web\n    affected: '< 2'\n")
            .replace("\ny\n", "\ny\n\n## Reproduction\n\nz\n"),
    );
    repo.cmd().args(["advance", "1", "confirmed"]).assert().success();
    repo.cmd().args(["advance", "1", "remediating"]).assert().success();
    let side = repo.head_id();
    git.set_head("refs/heads/main").expect("main");
    git.checkout_head(Some(git2::build::CheckoutBuilder::new().force())).expect("checkout");
    repo.write("notes.md", "unrelated\n");
    commit_all(&repo, "unrelated work on main");
    let annotated = git.find_annotated_commit(side).expect("annotated");
    git.merge(&[&annotated], None, None).expect("merge");
    let mut index = git.index().expect("index");
    let tree = git.find_tree(index.write_tree().expect("tree")).expect("tree");
    let head = git.head().expect("head").peel_to_commit().expect("head");
    let sig = git2::Signature::now("Test Lead", "lead@example.test").expect("sig");
    git.commit(Some("HEAD"), &sig, &sig, "Merge side", &tree, &[&head, &git.find_commit(side).expect("side")])
        .expect("merge commit");
    git.cleanup_state().expect("cleanup");
    let (code, v) = verify_json(&repo);
    assert_eq!(
        (code, codes(&v).len()),
        (0, 0),
        "received→triaged→confirmed→remediating on the side branch is legal: {v}"
    );
    // history follows the side the merge took the file from: no merge commit as an edit.
    let h = history_json(&repo, "1");
    assert_eq!(kinds(&h), ["filing", "state-change", "state-change", "state-change"], "{h}");
    assert!(h["entries"].as_array().expect("entries").iter().all(|e| e["commit"].is_string()), "{h}");
}

fn history_json(repo: &TestRepo, id: &str) -> serde_json::Value {
    let a = repo.cmd().args(["history", id, "--format", "json"]).assert().success();
    serde_json::from_slice(&a.get_output().stdout).expect("json")
}

fn kinds(h: &serde_json::Value) -> Vec<String> {
    h["entries"].as_array().expect("entries").iter().map(|e| e["kind"].as_str().expect("kind").to_owned()).collect()
}

/// Regression: a report first committed by `advance` (after `new --no-commit`) showed
/// `received → needs-info (no commit)` and its commit as an `edit`. Each timeline entry is
/// joined with the commit that introduced it: here one commit files and advances.
#[test]
fn a_commit_that_files_and_advances_carries_both_entries() {
    let repo = TestRepo::new();
    repo.cmd()
        .args(["new", "--title", "T", "--product", "web", "--reporter-name", "R", "--no-commit"])
        .assert()
        .success();
    repo.cmd().args(["advance", "1", "needs-info", "--note", "which version?"]).assert().success();
    let head = repo.head_id().to_string();
    let h = history_json(&repo, "1");
    assert_eq!(kinds(&h), ["filing", "state-change"], "{h}");
    for e in h["entries"].as_array().expect("entries") {
        assert_eq!(e["commit"], head.as_str(), "{h}");
        assert_eq!(e["author"], "Test Lead");
    }
    assert_eq!(h["entries"][1]["from"], "received");
    let out = stdout(&repo.cmd().args(["history", "1"]).assert().success());
    assert!(!out.contains("(no commit)") && !out.contains("edit"), "{out}");
    assert!(out.contains("received → needs-info") && out.contains(&head[..7]), "{out}");
    // An entry written but not committed yet is timeline-only.
    repo.cmd().args(["advance", "1", "rejected", "--resolution", "out-of-scope", "--no-commit"]).assert().success();
    let h = history_json(&repo, "1");
    assert_eq!(kinds(&h), ["filing", "state-change", "timeline-only"], "{h}");
    assert!(h["entries"][2]["commit"].is_null() && h["entries"][2]["to"] == "rejected", "{h}");
}

/// Regression: the deletion commit of a published report was missing from its history. A
/// deletion and the restore are events, with their commits.
#[test]
fn the_deletion_and_restore_of_a_published_report_are_in_its_history() {
    let repo = TestRepo::new();
    let path = "reports/ENIGM-2026-0001.md";
    repo.write(path, PUBLISHED);
    commit_all(&repo, "add published");
    fs::remove_file(repo.root().join(path)).expect("rm");
    commit_all(&repo, "remove it by mistake");
    let deletion = repo.head_id().to_string();
    repo.write(path, PUBLISHED);
    commit_all(&repo, "restore it");
    let h = history_json(&repo, "1");
    let k = kinds(&h);
    let timeline = k.iter().filter(|k| *k == "filing" || *k == "state-change").count();
    assert_eq!(k[timeline..], ["deletion", "restore"], "{h}");
    assert_eq!(k[0], "filing");
    let del = &h["entries"][timeline];
    assert_eq!((del["commit"].as_str(), del["note"].as_str()), (Some(deletion.as_str()), Some("remove it by mistake")));
    let out = stdout(&repo.cmd().args(["history", "1"]).assert().success());
    assert!(out.contains("deletion") && out.contains(&deletion[..7]), "{out}");
}

/// Regression: `history` of every report of the demo showed `(no commit)`: the walk stopped at
/// the first commit older than the report, and the demo (like a rebase or a skewed clock)
/// makes commits whose dates do not follow the graph. Here HEAD is dated before report 1 was
/// received.
#[test]
fn history_joins_commits_when_a_later_commit_is_dated_earlier() {
    let repo = TestRepo::new();
    let new = |reported: &str| {
        let mut c = repo.cmd();
        c.args(["new", "--title", "T", "--product", "web", "--reporter-name", "R", "--reported", reported]);
        c
    };
    new("2026-06-14").assert().success();
    let filing = repo.head_id().to_string();
    new("2026-05-01")
        .env("GIT_AUTHOR_DATE", "@1777680000 +0000")
        .env("GIT_COMMITTER_DATE", "@1777680000 +0000")
        .assert()
        .success();
    let h = history_json(&repo, "1");
    assert_eq!(kinds(&h), ["filing"], "{h}");
    assert_eq!(h["entries"][0]["commit"], filing.as_str(), "{h}");
    let out = stdout(&repo.cmd().args(["history", "1"]).assert().success());
    assert!(!out.contains("(no commit)") && out.contains(&filing[..7]), "{out}");
}
