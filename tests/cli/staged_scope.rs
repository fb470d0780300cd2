//! The hook checks what a commit changes (index vs HEAD), and answers the rules across reports
//! (duplicate ids, published reports kept, renames) from the index and HEAD trees: through a
//! real `git commit` with the installed hook, its findings are those of a check of everything
//! (`validate --against HEAD` on the same files in the work tree), and a change to
//! `enigm.yaml` checks every report again.

use std::process::{Command, Output};

use crate::cli::validate::PUBLISHED;
use crate::util::{TestRepo, stdout};

const PUB: &str = "reports/ENIGM-2026-0001.md";
const KEY: &str = "AKIAQWERTYUIOPASDFGH";

fn git(repo: &TestRepo, args: &[&str]) -> Output {
    Command::new("git")
        .args(args)
        .current_dir(repo.root())
        .env("HOME", repo.sandbox.home())
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("ENIGM_TODAY", crate::util::TODAY)
        .env("NO_COLOR", "1")
        .env_remove("GIT_INDEX_FILE")
        .output()
        .expect("git runs")
}

fn text(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr)
}

fn ok(repo: &TestRepo, args: &[&str]) {
    let out = git(repo, args);
    assert!(out.status.success(), "git {args:?} failed:\n{}", text(&out));
}

/// `git commit` is refused by the hook, naming `code`; HEAD stays.
fn refused(repo: &TestRepo, code: &str) -> String {
    let head = repo.head_id();
    let out = git(repo, &["commit", "-q", "-m", "change"]);
    let all = text(&out);
    assert!(!out.status.success(), "the commit got past the hook:\n{all}");
    assert!(all.contains(code), "no `{code}` in:\n{all}");
    assert_eq!(repo.head_id(), head);
    all
}

fn committed(repo: &TestRepo) {
    let head = repo.head_id();
    ok(repo, &["commit", "-q", "-m", "change"]);
    assert_ne!(repo.head_id(), head);
}

/// (path, code, line, message) of each finding of `validate ARGS --format json`, and its exit code.
fn findings(repo: &TestRepo, args: &[&str]) -> (i32, Vec<(String, String, u64, String)>) {
    let a = repo.cmd().arg("validate").args(args).args(["--format", "json"]).assert();
    let code = a.get_output().status.code().expect("exit code");
    let v: serde_json::Value = serde_json::from_str(&stdout(&a)).expect("json");
    let list = v["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            let s = |k: &str| f[k].as_str().unwrap_or_default().to_owned();
            (s("path"), s("code"), f["line"].as_u64().unwrap_or(0), s("message"))
        })
        .collect();
    (code, list)
}

/// The hook's check (`validate --staged`, the changes only) finds what a check of every file
/// against HEAD finds, with the work tree as staged. Returns the codes found.
fn same_as_everything(repo: &TestRepo) -> Vec<String> {
    let staged = findings(repo, &["--staged"]);
    let everything = findings(repo, &["--against", "HEAD"]);
    assert_eq!(staged, everything, "the changes-only check differs from a check of everything");
    staged.1.into_iter().map(|(path, code, _, _)| format!("{path} {code}")).collect()
}

/// The published fixture and a received report, committed through the hook.
fn repo() -> TestRepo {
    let repo = TestRepo::new();
    let config = repo.read("enigm.yaml").replacen("components: []", "components: [uploads]", 1);
    repo.write("enigm.yaml", config);
    repo.write(PUB, PUBLISHED);
    ok(&repo, &["add", "-A"]);
    committed(&repo);
    repo.new_report("Path traversal in search");
    repo
}

#[test]
fn a_staged_report_claiming_the_id_of_an_unchanged_one_is_refused_and_both_are_named() {
    let repo = repo();
    repo.write("reports/ENIGM-2026-0009.md", PUBLISHED);
    ok(&repo, &["add", "-A"]);
    let out = refused(&repo, "duplicate-id");
    assert!(out.contains("also used by reports/ENIGM-2026-0009.md"), "the unchanged report is named too:\n{out}");
    let codes = same_as_everything(&repo);
    assert!(codes.contains(&format!("{PUB} duplicate-id")), "{codes:?}");
    assert!(codes.contains(&"reports/ENIGM-2026-0009.md duplicate-id".to_owned()), "{codes:?}");
}

#[test]
fn deleting_or_renaming_a_published_report_is_refused_from_the_trees() {
    let repo = repo();
    ok(&repo, &["rm", "-q", PUB]);
    refused(&repo, "published-deleted");
    assert!(same_as_everything(&repo).contains(&format!("{PUB} published-deleted")));
    ok(&repo, &["reset", "-q", "--hard"]);
    ok(&repo, &["mv", PUB, "reports/ENIGM-2026-0005.md"]);
    refused(&repo, "published-renamed");
    assert!(same_as_everything(&repo).contains(&format!("{PUB} published-renamed")));
}

#[test]
fn a_change_to_the_configuration_checks_every_report_again() {
    let repo = repo();
    // The unchanged published report names a component the configuration no longer has.
    let config = repo.read("enigm.yaml").replacen("components: [uploads]", "components: [search]", 1);
    repo.write("enigm.yaml", config);
    ok(&repo, &["add", "enigm.yaml"]);
    assert!(same_as_everything(&repo).contains(&format!("{PUB} unknown-component")));
    // A warning: the commit goes through, and the hook has shown it on the unchanged report.
    let out = git(&repo, &["commit", "-q", "-m", "config"]);
    assert!(out.status.success() && text(&out).contains("unknown-component"), "{}", text(&out));
    assert!(text(&out).contains(&format!("{PUB}:12:16")), "{}", text(&out));
}

#[test]
fn a_file_in_a_report_folder_is_checked_with_its_report() {
    let repo = repo();
    repo.write("reports/ENIGM-2026-0001/server.log", format!("key {KEY}\n"));
    ok(&repo, &["add", "-A"]);
    refused(&repo, "secret");
    // The work tree check does not scan attachments (the gate does): compared by hand. The
    // folder's report is checked too (the file is not listed in its correspondence).
    let (_, found) = findings(&repo, &["--staged"]);
    let codes: Vec<&str> = found.iter().map(|(_, c, _, _)| c.as_str()).collect();
    assert_eq!(codes, ["message-file-unlisted", "secret"], "{found:?}");
}

#[test]
fn only_the_changes_are_judged_a_bad_committed_report_is_left_to_validate() {
    let repo = repo();
    // Committed past the hook: the hook judges changes, `validate` (CI) judges everything.
    repo.write(PUB, PUBLISHED.replace("level: critical", "level: low"));
    ok(&repo, &["commit", "-q", "-a", "--no-verify", "-m", "bypass"]);
    repo.write("README.md", "notes\n");
    ok(&repo, &["add", "README.md"]);
    committed(&repo);
    let (code, all) = findings(&repo, &[]);
    assert_eq!(code, 1);
    assert!(all.iter().any(|(p, c, _, _)| p == PUB && c == "cvss-level-mismatch"), "{all:?}");
}

#[test]
fn the_first_commit_checks_everything_staged() {
    let repo = repo();
    ok(&repo, &["checkout", "-q", "--orphan", "fresh"]);
    repo.write(PUB, PUBLISHED.replace("level: critical", "level: low"));
    ok(&repo, &["add", "-A"]);
    let out = git(&repo, &["commit", "-q", "-m", "first"]);
    assert!(!out.status.success() && text(&out).contains("cvss-level-mismatch"), "{}", text(&out));
    assert_eq!(findings(&repo, &["--staged"]), findings(&repo, &[]));
    repo.write(PUB, PUBLISHED);
    ok(&repo, &["add", "-A"]);
    ok(&repo, &["commit", "-q", "-m", "first"]);
}

/// The hook reads the index file itself (issue 22); every form git writes gives the findings
/// a check of everything gives: version 4 (paths prefix-compressed), a skip-worktree entry,
/// an intent-to-add entry (left to libgit2), and after the commit a valid cache-tree.
#[test]
fn every_index_form_git_writes_gives_the_same_findings() {
    let forms: [&[&[&str]]; 4] = [
        &[&["update-index", "--index-version", "4"]],
        &[&["update-index", "--index-version", "3"], &["update-index", "--skip-worktree", PUB]],
        &[&["add", "-N", "NOTES.txt"]],
        &[&["update-index", "--index-version", "2"]],
    ];
    for setup in forms {
        let repo = repo();
        repo.write("NOTES.txt", "notes\n");
        for args in setup {
            ok(&repo, args);
        }
        // A copy of the published report under another name claims its id.
        repo.write("reports/ENIGM-2026-0009.md", PUBLISHED);
        ok(&repo, &["add", "reports/ENIGM-2026-0009.md"]);
        let out = refused(&repo, "duplicate-id");
        assert!(out.contains("also used by reports/ENIGM-2026-0009.md"), "{setup:?}:\n{out}");
        assert!(same_as_everything(&repo).contains(&format!("{PUB} duplicate-id")), "{setup:?}");
        // Unstaged again, a change that passes is committed, and then nothing is staged.
        ok(&repo, &["rm", "-q", "--cached", "reports/ENIGM-2026-0009.md"]);
        std::fs::remove_file(repo.root().join("reports/ENIGM-2026-0009.md")).expect("rm");
        repo.write("README.md", "notes\n");
        ok(&repo, &["add", "README.md"]);
        committed(&repo);
        let (code, found) = findings(&repo, &["--staged"]);
        assert_eq!((code, found), (0, vec![]), "{setup:?}");
    }
}

/// A split index (`link`) or a sparse index (`sdir`) is not read by the hook's own reader: it
/// falls back to libgit2, which refuses both with the way out (exit 2, as before issue 22).
#[test]
fn a_split_or_sparse_index_falls_back_and_is_refused_with_the_way_out() {
    for setup in [
        &[&["update-index", "--split-index"][..]][..],
        &[&["config", "index.sparse", "true"][..], &["sparse-checkout", "set", "--cone", "--sparse-index", "reports"]],
    ] {
        let repo = repo();
        repo.write("docs/notes.md", "notes\n");
        ok(&repo, &["add", "-A"]);
        ok(&repo, &["commit", "-q", "--no-verify", "-m", "docs"]);
        for args in setup {
            ok(&repo, args);
        }
        let a = repo.cmd().args(["validate", "--staged"]).assert().code(2);
        let err = crate::util::stderr(&a);
        assert!(err.contains("git config core.splitIndex false"), "{setup:?}:\n{err}");
    }
}
