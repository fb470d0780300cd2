//! Incremental `verify` (refs/enigm/verified) and the histories `gen-corpus` makes, on both
//! layouts, through the binary.

use std::fs;
use std::path::Path;
use std::process::Command;

use crate::cli::conformance::gen_corpus;
use crate::cli::validate::commit_all;
use crate::util::{Sandbox, TestRepo, stderr};

const VERIFIED: &str = "refs/enigm/verified";

fn verify_in(sandbox: &Sandbox, dir: &Path, args: &[&str]) -> (i32, serde_json::Value, String) {
    let a = sandbox.cmd_in(dir).arg("verify").args(args).args(["--format", "json"]).assert();
    let out = a.get_output();
    let json = serde_json::from_slice(&out.stdout).expect("json");
    (out.status.code().expect("code"), json, stderr(&a))
}

fn verify(repo: &TestRepo, args: &[&str]) -> (i32, serde_json::Value, String) {
    verify_in(&repo.sandbox, &repo.root(), args)
}

fn recorded(git: &git2::Repository) -> Option<String> {
    git.refname_to_id(VERIFIED).ok().map(|o| o.to_string())
}

/// A report filed and triaged by the tool.
fn filed() -> TestRepo {
    crate::cli::audit::tool_history()
}

#[test]
fn a_clean_run_records_head_and_the_next_run_checks_only_the_new_commits() {
    let repo = filed();
    let git = repo.git();
    let (code, v, _) = verify(&repo, &[]);
    assert_eq!((code, &v["full_check"], &v["checked_from"]), (0, &"no-record".into(), &serde_json::Value::Null), "{v}");
    let first = repo.head_id().to_string();
    assert_eq!((v["verified"].as_str(), recorded(&git).as_deref()), (Some(first.as_str()), Some(first.as_str())));
    assert_eq!(v["commits"], 3, "{v}");

    repo.cmd().args(["advance", "1", "needs-info", "--note", "which version?"]).assert().success();
    let (code, v, _) = verify(&repo, &[]);
    assert_eq!((code, v["commits"].as_u64(), v["changes"].as_u64()), (0, Some(1), Some(1)), "{v}");
    assert_eq!((v["checked_from"].as_str(), &v["full_check"]), (Some(first.as_str()), &serde_json::Value::Null));
    let second = repo.head_id().to_string();
    assert_eq!(recorded(&git).as_deref(), Some(second.as_str()));
    let human = repo.cmd().arg("verify").assert().success();
    assert!(crate::util::stdout(&human).contains(&format!("0 findings in 0 commits after {}", &second[..7])));

    // A hand edit that jumps two states is caught by the incremental run, and not recorded.
    let path = "reports/ENIGM-2026-0001.md";
    repo.write(path, repo.read(path).replacen("\nstate: needs-info\n", "\nstate: published\n", 1));
    commit_all(&repo, "skip ahead");
    let (code, v, _) = verify(&repo, &[]);
    assert_eq!((code, v["commits"].as_u64()), (1, Some(1)), "{v}");
    assert_eq!(v["findings"][0]["code"], "illegal-step", "{v}");
    assert_eq!((&v["verified"], recorded(&git).as_deref()), (&serde_json::Value::Null, Some(second.as_str())));
    // It stays a finding on every run until it is dealt with.
    let (code, v, _) = verify(&repo, &[]);
    assert_eq!((code, v["checked_from"].as_str()), (1, Some(second.as_str())), "{v}");
    let (code, v, _) = verify(&repo, &["--full"]);
    assert_eq!((code, &v["full_check"], v["commits"].as_u64()), (1, &"requested".into(), Some(5)), "{v}");
}

#[test]
fn a_rewritten_or_unknown_record_means_a_full_check_and_says_so() {
    let repo = filed();
    let git = repo.git();
    assert_eq!(verify(&repo, &[]).0, 0);
    // Amend HEAD: the recorded commit is no longer in HEAD's history.
    let head = git.head().expect("head").peel_to_commit().expect("commit");
    let path = "reports/ENIGM-2026-0001.md";
    repo.write(path, repo.read(path).replacen("\nstate: triaged\n", "\nstate: fixed\n", 1));
    let mut index = git.index().expect("index");
    index.add_path(Path::new(path)).expect("add");
    index.write().expect("index");
    let tree = git.find_tree(index.write_tree().expect("tree")).expect("tree");
    head.amend(Some("HEAD"), None, None, None, Some("amended"), Some(&tree)).expect("amend");
    let (code, v, err) = verify(&repo, &[]);
    assert_eq!((code, &v["full_check"], v["commits"].as_u64()), (1, &"not-an-ancestor".into(), Some(3)), "{v}");
    assert_eq!(v["findings"][0]["code"], "illegal-step", "received → fixed in the amended commit: {v}");
    assert!(err.contains("refs/enigm/verified is not an ancestor of HEAD"), "{err}");

    // A record naming a commit this clone does not have.
    repo.write(path, repo.read(path).replacen("\nstate: fixed\n", "\nstate: triaged\n", 1));
    commit_all(&repo, "back to triaged");
    fs::write(git.path().join(VERIFIED), format!("{}\n", "1".repeat(40))).expect("ref");
    let (code, v, _) = verify(&repo, &[]);
    assert_eq!((code, &v["full_check"]), (1, &"unknown-commit".into()), "{v}");
}

#[test]
fn a_changed_acknowledgements_file_is_matched_against_the_whole_history_again() {
    let repo = filed();
    assert_eq!(verify(&repo, &[]).0, 0);
    repo.write(
        ".enigm/acknowledged.yaml",
        "acknowledged:\n  - commit: '0123456'\n    code: illegal-step\n    path: reports/ENIGM-2026-0001.md\n    reason: typo\n    by: Test Lead\n",
    );
    commit_all(&repo, "acknowledge");
    let (code, v, _) = verify(&repo, &[]);
    assert_eq!((code, &v["full_check"]), (1, &"acknowledgements-changed".into()), "{v}");
    assert_eq!(v["findings"][0]["code"], "acknowledgement-unused", "{v}");
}

/// Commits everything in the work tree of `dir` (a corpus), as a hand edit would.
fn commit_dir(dir: &Path, message: &str) {
    let git = git2::Repository::open(dir).expect("open");
    let mut index = git.index().expect("index");
    index.add_all(["*"], git2::IndexAddOption::DEFAULT, None).expect("add");
    index.update_all(["*"], None).expect("update");
    index.write().expect("write");
    let tree = git.find_tree(index.write_tree().expect("tree")).expect("tree");
    let head = git.head().expect("head").peel_to_commit().expect("commit");
    let sig = git2::Signature::now("Test Lead", "lead@example.test").expect("sig");
    git.commit(Some("HEAD"), &sig, &sig, message, &tree, &[&head]).expect("commit");
}

/// A corpus from `gen-corpus`, whose hand-written packs git itself checks object by object.
fn corpus(sandbox: &Sandbox, name: &str, args: &[&str]) -> std::path::PathBuf {
    let dir = sandbox.work().join(name);
    let made = Command::new(gen_corpus()).args(args).arg(&dir).output().expect("gen-corpus");
    assert!(made.status.success(), "{}", String::from_utf8_lossy(&made.stderr));
    let fsck = Command::new("git").arg("-C").arg(&dir).args(["fsck", "--full", "--strict"]).output().expect("git");
    assert!(fsck.status.success() && fsck.stderr.is_empty(), "{name}: {}", String::from_utf8_lossy(&fsck.stderr));
    let status = Command::new("git").arg("-C").arg(&dir).args(["status", "--porcelain"]).output().expect("git");
    assert!(status.status.success() && status.stdout.is_empty(), "{name}: the work tree is HEAD's");
    dir
}

#[test]
fn gen_corpus_makes_histories_verify_accepts_in_both_layouts() {
    let sandbox = Sandbox::new();
    // Fewer commits than full lifecycles need (the oldest reports are imported), and more
    // (round trips through needs-info).
    for (name, commits) in [("few", "300"), ("many", "900")] {
        let dir = corpus(&sandbox, name, &["200", "--commits", commits]);
        let (code, v, _) = verify_in(&sandbox, &dir, &[]);
        assert_eq!((code, v["findings"].as_array().map(Vec::len)), (0, Some(0)), "{name}: {v}");
        assert_eq!(v["commits"].as_u64(), commits.parse().ok(), "{name}: {v}");
    }
    let dir = corpus(&sandbox, "sharded", &["200", "--commits", "500", "--sharded"]);
    assert!(dir.join("reports/2024").is_dir() && !dir.join("reports/ENIGM-2024-0001.md").exists());
    let config = fs::read_to_string(dir.join("enigm.yaml")).expect("config");
    assert!(config.contains("\nlayout: sharded\n"), "{config}");
    // The generated sharded corpus is a repository the tool reads as such (on the day the
    // benchmarks use: the corpus has dates after the sandbox's today).
    sandbox.cmd_in(&dir).env("ENIGM_TODAY", "2026-11-24").arg("validate").assert().success();
    let (code, v, _) = verify_in(&sandbox, &dir, &[]);
    assert_eq!((code, v["commits"].as_u64()), (0, Some(500)), "{v}");
    assert!(v["changes"].as_u64() > Some(400), "the shards' files are diffed: {v}");

    // An illegal hand edit inside a shard is caught by the next, incremental run.
    let reports = fs::read_dir(dir.join("reports/2026")).expect("shard");
    let received = reports
        .map(|e| e.expect("entry").path())
        .find(|p| fs::read_to_string(p).is_ok_and(|t| t.contains("\nstate: received\n")))
        .expect("a received report");
    let text = fs::read_to_string(&received).expect("report");
    fs::write(&received, text.replacen("\nstate: received\n", "\nstate: fixed\n", 1)).expect("edit");
    commit_dir(&dir, "skip ahead in a shard");
    let (code, v, _) = verify_in(&sandbox, &dir, &[]);
    assert_eq!((code, v["commits"].as_u64(), v["checked_from"].is_string()), (1, Some(1), true), "{v}");
    let name = received.file_name().and_then(|n| n.to_str()).expect("name");
    assert_eq!(v["findings"][0]["path"], format!("reports/2026/{name}"), "{v}");
    assert_eq!(v["findings"][0]["code"], "illegal-step", "{v}");
}

#[test]
fn a_published_report_moved_between_layouts_is_the_same_report() {
    let sandbox = Sandbox::new();
    let dir = corpus(&sandbox, "flat", &["60", "--commits", "150"]);
    assert_eq!(verify_in(&sandbox, &dir, &[]).0, 0);
    let public = fs::read_dir(dir.join("reports"))
        .expect("reports")
        .map(|e| e.expect("entry").path())
        .find(|p| fs::read_to_string(p).is_ok_and(|t| t.contains("\nstate: published\n")))
        .expect("a published report");
    let name = public.file_name().and_then(|n| n.to_str()).expect("name").to_owned();
    let year = &name[6..10];
    fs::create_dir_all(dir.join("reports").join(year)).expect("shard");
    fs::rename(&public, dir.join("reports").join(year).join(&name)).expect("move");
    commit_dir(&dir, "move to the sharded layout");
    let (code, v, _) = verify_in(&sandbox, &dir, &[]);
    assert_eq!((code, v["commits"].as_u64(), v["changes"].as_u64()), (0, Some(1), Some(2)), "{v}");
    // Moved elsewhere, it is a rename of a published report.
    fs::rename(dir.join("reports").join(year).join(&name), dir.join("reports").join(format!("X{name}")))
        .expect("rename");
    commit_dir(&dir, "rename");
    let (code, v, _) = verify_in(&sandbox, &dir, &[]);
    assert_eq!((code, &v["findings"][0]["code"]), (1, &"published-renamed".into()), "{v}");
}
