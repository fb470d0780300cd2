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
fn tool_history() -> TestRepo {
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
    assert_eq!(kinds, ["state-change", "state-change", "edit"]);
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
}
