//! The sharded layout `reports/<YEAR>/<ID>.md`: a repository made sharded by `init`, and a
//! flat one with history moved by `migrate`, each driven through every command, the hook,
//! `verify`, `history`, `git log --follow` and the CSAF revision history.

use std::fs;
use std::path::Path;
use std::process::{Command as Process, Output};

use serde_json::Value;

use crate::util::{Sandbox, TODAY, TestRepo, stderr, stdout};

const EXPORTS: &str = include_str!("../fixtures/reports/exports.md");

/// `git` in `root` with the sandbox's identity, at `seconds` (UTC); hooks run as they would.
fn git_at(sandbox: &Sandbox, root: &Path, seconds: i64, args: &[&str]) -> Output {
    let date = format!("@{seconds} +0000");
    Process::new("git")
        .current_dir(root)
        .env("HOME", sandbox.home())
        .env("XDG_CONFIG_HOME", sandbox.home().join(".config"))
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("ENIGM_TODAY", TODAY)
        .env("NO_COLOR", "1")
        .env("GIT_AUTHOR_DATE", &date)
        .env("GIT_COMMITTER_DATE", &date)
        .args(args)
        .output()
        .expect("git runs")
}

fn git_ok(sandbox: &Sandbox, root: &Path, args: &[&str]) -> String {
    let out = git_at(sandbox, root, 1_781_510_400, args);
    assert!(
        out.status.success(),
        "git {args:?}: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Stages everything and commits it at `seconds` (the pre-commit hook runs).
fn commit_all_at(sandbox: &Sandbox, root: &Path, message: &str, seconds: i64) {
    git_ok(sandbox, root, &["add", "-A"]);
    let out = git_at(sandbox, root, seconds, &["commit", "-q", "-m", message]);
    assert!(out.status.success(), "commit {message}: {}", String::from_utf8_lossy(&out.stderr));
}

fn ok(cmd: &mut assert_cmd::Command) -> String {
    let out = cmd.output().expect("runs");
    assert!(
        out.status.success(),
        "exit {:?}\n{}{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn json(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("JSON ({e}): {text}"))
}

fn exists(root: &Path, rel: &str) -> bool {
    fs::symlink_metadata(root.join(rel)).is_ok()
}

fn revision_history(repo: &TestRepo) -> Value {
    let csaf = json(&ok(repo.cmd().args(["render", "ENIGM-2026-0001", "--format", "csaf"])));
    csaf["document"]["tracking"]["revision_history"].clone()
}

/// `enigm.yaml` with the product component and site address the exports fixture needs.
fn configure(repo: &TestRepo) {
    let config = repo
        .read("enigm.yaml")
        .replacen("components: []", "components: [uploads]", 1)
        .replace("# base_url: https://security.example.com/advisories/", "base_url: https://security.acme.test/");
    repo.write("enigm.yaml", config);
}

/// A flat repository with history: a published report edited after publication (a CSAF
/// revision), a received one with a message and its attachment (a folder), and an advance.
fn flat_repo_with_history() -> TestRepo {
    let repo = TestRepo::new();
    configure(&repo);
    repo.write("reports/ENIGM-2026-0001.md", EXPORTS);
    commit_all_at(&repo.sandbox, &repo.root(), "ENIGM-2026-0001: published", 1_772_323_200); // 2026-03-01
    let edited = EXPORTS.replace("can read any file", "can read any file (including secrets)");
    assert_ne!(edited, EXPORTS);
    repo.write("reports/ENIGM-2026-0001.md", edited);
    commit_all_at(&repo.sandbox, &repo.root(), "ENIGM-2026-0001: clarify the impact", 1_775_554_200); // 2026-04-07
    assert_eq!(repo.new_report("Second report"), "ENIGM-2026-0002");
    repo.write("../mail.txt", "Hello, the search page reflects q.\n");
    repo.write("../crash.log", "stack trace\n");
    ok(repo.cmd().args(["correspond", "2", "--in", "--subject", "XSS", "--at", "2026-06-15T08:00:00Z"]).args([
        "--attach",
        "../crash.log",
        "../mail.txt",
    ]));
    ok(repo.cmd().args(["advance", "2", "needs-info"]));
    repo
}

#[test]
fn migrate_moves_a_flat_repository_in_one_commit_of_renames_that_history_follows() {
    let repo = flat_repo_with_history();
    let root = repo.root();
    let sandbox = &repo.sandbox;
    let revisions_before = revision_history(&repo);
    assert_eq!(revisions_before.as_array().map(Vec::len), Some(2), "{revisions_before}");
    let history_before = json(&ok(repo.cmd().args(["history", "2", "--format", "json"])));
    let folder_files: Vec<String> = ["messages/0001-in.md", "attachments/0001-crash.log"].map(String::from).to_vec();
    for f in &folder_files {
        assert!(exists(&root, &format!("reports/ENIGM-2026-0002/{f}")), "{f}");
    }

    // Uncommitted changes to reports are refused, nothing moved.
    repo.write("reports/ENIGM-2026-0002.md", repo.read("reports/ENIGM-2026-0002.md") + "\nmore\n");
    let a = repo.cmd().arg("migrate").assert().code(2);
    assert!(
        stderr(&a).contains("uncommitted changes") && stderr(&a).contains("reports/ENIGM-2026-0002.md"),
        "{}",
        stderr(&a)
    );
    git_ok(sandbox, &root, &["checkout", "--", "reports/ENIGM-2026-0002.md"]);

    // The plan, and nothing changed.
    let head = repo.head_id();
    let plan = ok(repo.cmd().args(["migrate", "--dry-run"]));
    assert!(plan.contains("Would move reports/ENIGM-2026-0001.md -> reports/2026/ENIGM-2026-0001.md"), "{plan}");
    assert!(
        plan.contains(
            "Would move reports/ENIGM-2026-0002/messages/0001-in.md -> reports/2026/ENIGM-2026-0002/messages/0001-in.md"
        ),
        "{plan}"
    );
    assert!(plan.contains("Would set `layout: sharded` in enigm.yaml"), "{plan}");
    assert_eq!(repo.head_id(), head);
    assert!(exists(&root, "reports/ENIGM-2026-0001.md") && !exists(&root, "reports/2026"));

    let before = repo.commit_count();
    let out = ok(repo.cmd().arg("migrate"));
    assert!(out.contains("Moved 2 reports to reports/<YEAR>/ with 2 files of their folders"), "{out}");
    assert_eq!(repo.commit_count(), before + 1, "one commit");
    assert!(repo.status().is_empty(), "work tree and index are the commit: {:?}", repo.status());
    assert!(repo.read("enigm.yaml").contains("\nlayout: sharded\n"));
    assert!(!exists(&root, "reports/ENIGM-2026-0001.md") && !exists(&root, "reports/ENIGM-2026-0002"));
    for f in &folder_files {
        assert!(exists(&root, &format!("reports/2026/ENIGM-2026-0002/{f}")), "{f}");
    }
    // Pure renames: git pairs every file with its old path at 100 % similarity.
    let status = git_ok(sandbox, &root, &["diff", "--name-status", "-M", "HEAD~1", "HEAD"]);
    let renames = status.lines().filter(|l| l.starts_with("R100\t")).count();
    assert_eq!(renames, 4, "{status}");
    assert_eq!(status.lines().count(), 5, "and enigm.yaml: {status}");
    let follow = git_ok(sandbox, &root, &["log", "--follow", "--format=%s", "--", "reports/2026/ENIGM-2026-0001.md"]);
    assert_eq!(
        follow.lines().collect::<Vec<_>>(),
        [
            "migrate: 2 reports moved to the sharded layout",
            "ENIGM-2026-0001: clarify the impact",
            "ENIGM-2026-0001: published"
        ],
        "{follow}"
    );

    // Every view reads across the move.
    let verify = repo.cmd().arg("verify").assert().success();
    assert!(stdout(&verify).contains("0 findings"), "{}", stdout(&verify));
    assert_eq!(revision_history(&repo), revisions_before, "the move is no revision");
    let history = json(&ok(repo.cmd().args(["history", "2", "--format", "json"])));
    let entries = history["entries"].as_array().expect("entries");
    let old = history_before["entries"].as_array().expect("entries");
    assert_eq!(entries[..old.len()], old[..], "the history before the move is kept");
    assert_eq!(entries.last().expect("rename")["kind"], "rename");
    assert_eq!(entries.last().expect("rename")["note"], "renamed from reports/ENIGM-2026-0002.md");
    assert_eq!(history["path"], "reports/2026/ENIGM-2026-0002.md");
    ok(repo.cmd().arg("validate"));
    ok(repo.cmd().args(["validate", "--staged"]));
    assert!(ok(repo.cmd().args(["show", "2"])).contains("Second report"));
    assert!(ok(repo.cmd().arg("list")).contains("ENIGM-2026-0002"));

    // New reports go to their shard; a second migrate has nothing to do.
    assert_eq!(repo.new_report("Third report"), "ENIGM-2026-0003");
    assert!(exists(&root, "reports/2026/ENIGM-2026-0003.md"));
    let count = repo.commit_count();
    let again = ok(repo.cmd().arg("migrate"));
    assert!(again.contains("sharded already"), "{again}");
    assert_eq!(repo.commit_count(), count);
    ok(repo.cmd().arg("verify"));
}

#[test]
fn a_failed_migration_commit_leaves_work_tree_index_and_refs_as_they_were() {
    let repo = flat_repo_with_history();
    let root = repo.root();
    // A pre-commit hook that refuses (the repository's own; migrate runs hooks as git would).
    let hook = root.join(".git/hooks/pre-commit");
    fs::write(&hook, "#!/bin/sh\necho 'no, not today' >&2\nexit 1\n").expect("hook");
    fs::set_permissions(&hook, std::os::unix::fs::PermissionsExt::from_mode(0o755)).expect("chmod");
    let (head, config) = (repo.head_id(), repo.read("enigm.yaml"));
    let files = crate::util::work_tree_files(&root, &[".git"]);
    let a = repo.cmd().arg("migrate").assert().failure();
    assert!(stderr(&a).contains("no, not today"), "{}", stderr(&a));
    assert_eq!(repo.head_id(), head);
    assert!(repo.status().is_empty(), "{:?}", repo.status());
    assert_eq!(repo.read("enigm.yaml"), config);
    assert_eq!(crate::util::work_tree_files(&root, &[".git"]), files, "every file back in its place");
    // Without the hooks it goes through.
    ok(repo.cmd().args(["migrate", "--no-verify"]));
    assert!(exists(&root, "reports/2026/ENIGM-2026-0002/messages/0001-in.md"));
}

#[test]
fn a_sharded_repository_from_init_through_every_command() {
    let sandbox = Sandbox::new();
    let root = sandbox.work();
    ok(sandbox.cmd_in(&root).args(["init", ".", "--layout", "sharded", "--product", "web", "--product", "api"]));
    let config = fs::read_to_string(root.join("enigm.yaml")).expect("config");
    assert!(config.contains("\nlayout: sharded\n"), "{config}");
    let config = config
        .replacen("components: []", "components: [uploads]", 1)
        .replace("# base_url: https://security.example.com/advisories/", "base_url: https://security.acme.test/")
        + "mail:\n  transport: sendmail\n";
    fs::write(root.join("enigm.yaml"), config).expect("config");
    commit_all_at(&sandbox, &root, "configure", 1_772_000_000);
    let cmd = || sandbox.cmd_in(&root);

    // new, correspond, advance, reply: the report and its folder in the year's shard.
    let new = json(&ok(cmd()
        .args(["new", "--title", "XSS", "--product", "web", "--reporter-name", "Jane Doe"])
        .args(["--reporter-contact", "jane@example.org", "--format", "json"])));
    assert_eq!(new["id"], "ENIGM-2026-0001");
    assert!(exists(&root, "reports/2026/ENIGM-2026-0001.md") && !exists(&root, "reports/ENIGM-2026-0001.md"));
    fs::write(sandbox.tmp.path().join("mail.txt"), "Hello\n").expect("mail");
    ok(cmd().args(["correspond", "1", "--in", "--subject", "XSS", "--at", "2026-06-15T08:00:00Z", "../mail.txt"]));
    assert!(exists(&root, "reports/2026/ENIGM-2026-0001/messages/0001-in.md"));
    ok(cmd().args(["advance", "1", "needs-info"]));
    let sendmail = sandbox.tmp.path().join("sendmail");
    fs::write(&sendmail, "#!/bin/sh\ncat > /dev/null\n").expect("script");
    fs::set_permissions(&sendmail, std::os::unix::fs::PermissionsExt::from_mode(0o755)).expect("chmod");
    ok(cmd().env("ENIGM_SENDMAIL", &sendmail).args(["reply", "1", "--template", "acknowledgement", "--send"]));
    assert!(exists(&root, "reports/2026/ENIGM-2026-0001/messages/0002-out.md"));

    // import: an advisory of another year lands in its own shard.
    let fixture = include_str!("../fixtures/ghsa/published.json").replace("\"2026-", "\"2025-");
    let ghsa = sandbox.tmp.path().join("ghsa.json");
    fs::write(&ghsa, fixture).expect("advisory");
    let imported = json(&ok(cmd().args(["import", "--product", "web", "--format", "json"]).arg(&ghsa)));
    let id = imported["items"][0]["id"].as_str().expect("imported id").to_owned();
    let year = id.split('-').nth(1).expect("year").to_owned();
    assert_eq!(year, "2025", "{imported}");
    assert!(exists(&root, &format!("reports/{year}/{id}.md")), "{imported}");

    // A published report, committed through git and the hook, then edited: render and CSAF.
    let published = EXPORTS.replace("ENIGM-2026-0001", "ENIGM-2026-0009");
    fs::create_dir_all(root.join("reports/2026")).expect("shard");
    fs::write(root.join("reports/2026/ENIGM-2026-0009.md"), &published).expect("write");
    commit_all_at(&sandbox, &root, "ENIGM-2026-0009: published", 1_772_323_200);
    let edited = published.replace("can read any file", "can read any file (including secrets)");
    fs::write(root.join("reports/2026/ENIGM-2026-0009.md"), &edited).expect("write");
    commit_all_at(&sandbox, &root, "ENIGM-2026-0009: clarify the impact", 1_775_554_200);
    let csaf = json(&ok(cmd().args(["render", "9", "--format", "csaf"])));
    assert_eq!(csaf["document"]["tracking"]["revision_history"].as_array().map(Vec::len), Some(2), "{csaf}");
    let site = ok(cmd().args(["render"]));
    assert!(root.join("site").is_dir(), "{site}");
    assert!(fs::read_to_string(root.join("site/index.html")).expect("index").contains("ENIGM-2026-0009"));

    // The hook refuses a bad report in a shard, and one filed in the wrong year's shard.
    fs::write(root.join("reports/2026/ENIGM-2026-0009.md"), edited.replace("level: high", "level: low")).expect("bad");
    git_ok(&sandbox, &root, &["add", "-A"]);
    let out = git_at(&sandbox, &root, 1_781_510_400, &["commit", "-m", "bad"]);
    assert!(!out.status.success() && String::from_utf8_lossy(&out.stderr).contains("cvss-level-mismatch"));
    git_ok(&sandbox, &root, &["checkout", "HEAD", "--", "reports/2026/ENIGM-2026-0009.md"]);
    let misplaced = fs::read_to_string(root.join("reports/2026/ENIGM-2026-0001.md")).expect("report");
    fs::create_dir_all(root.join("reports/2025")).expect("shard");
    fs::write(root.join("reports/2025/ENIGM-2026-0001.md"), &misplaced).expect("write");
    fs::write(root.join("reports/ENIGM-2026-0001.md"), &misplaced).expect("write");
    let v = cmd().args(["validate", "--format", "json"]).output().expect("validate");
    assert_eq!(v.status.code(), Some(1));
    let text = String::from_utf8_lossy(&v.stdout);
    assert!(text.contains("reports/2025/ENIGM-2026-0001.md is in the wrong shard: the report's file is reports/2026/ENIGM-2026-0001.md"), "{text}");
    assert!(
        text.contains(
            "reports/ENIGM-2026-0001.md and reports/2026/ENIGM-2026-0001.md are both files of ENIGM-2026-0001"
        ),
        "{text}"
    );
    git_ok(&sandbox, &root, &["add", "-A"]);
    let out = git_at(&sandbox, &root, 1_781_510_400, &["commit", "-m", "misplaced"]);
    assert!(!out.status.success() && String::from_utf8_lossy(&out.stderr).contains("report-misplaced"));
    git_ok(&sandbox, &root, &["reset", "-q"]);
    fs::remove_file(root.join("reports/ENIGM-2026-0001.md")).expect("rm");
    fs::remove_dir_all(root.join("reports/2025")).expect("rm");

    // renumber: a copy claiming the id (committed past the hook) gets the next free id, in the shard.
    let copy = "---\nid: ENIGM-2026-0001\ntitle: Copy\nstate: received\nreported: 2026-06-01\nreporter:\n  name: R\nproducts:\n  - name: web\ntimeline:\n  - date: 2026-06-01\n    state: received\n---\n\n## Summary\n\nCopy\n";
    fs::write(root.join("reports/2026/ENIGM-2026-0005.md"), copy).expect("copy");
    git_ok(&sandbox, &root, &["add", "-A"]);
    git_ok(&sandbox, &root, &["commit", "-q", "--no-verify", "-m", "a copy"]);
    let out = ok(cmd().args(["renumber", "ENIGM-2026-0001", "--keep", "reports/2026/ENIGM-2026-0001.md"]));
    assert!(out.contains("as ENIGM-2026-0010 (reports/2026/ENIGM-2026-0010.md)"), "{out}");
    assert!(exists(&root, "reports/2026/ENIGM-2026-0010.md") && !exists(&root, "reports/2026/ENIGM-2026-0005.md"));

    // Everything checks: validate, the gate, verify (history), and a clean status.
    ok(cmd().arg("validate"));
    ok(cmd().args(["validate", "--staged"]));
    ok(cmd().args(["validate", "reports/2026/ENIGM-2026-0009.md"]));
    let verify = cmd().arg("verify").output().expect("verify");
    assert!(verify.status.success(), "{}", String::from_utf8_lossy(&verify.stdout));
    let history = json(&ok(cmd().args(["history", "9", "--format", "json"])));
    assert_eq!(history["path"], "reports/2026/ENIGM-2026-0009.md");
    assert!(history["entries"].as_array().expect("entries").iter().any(|e| e["kind"] == "edit"), "{history}");
    assert!(ok(cmd().arg("migrate")).contains("sharded already"));
}

#[test]
fn seal_reads_and_writes_reports_in_their_shard() {
    let sandbox = Sandbox::new();
    let root = sandbox.work();
    ok(sandbox.cmd_in(&root).args(["init", ".", "--layout", "sharded", "--sealed", "--product", "web"]));
    ok(sandbox.cmd_in(&root).args(["new", "--title", "QZXSEALEDTITLE", "--product", "web", "--reporter-name", "R"]));
    let stored = fs::read_to_string(root.join("reports/2026/ENIGM-2026-0001.md")).expect("sealed report");
    assert!(!stored.contains("QZXSEALEDTITLE") && stored.contains("sealed"), "{stored}");
    assert!(ok(sandbox.cmd_in(&root).args(["show", "1"])).contains("QZXSEALEDTITLE"));
    let out = ok(sandbox.cmd_in(&root).arg("rekey"));
    assert!(out.contains("reports/2026/ENIGM-2026-0001.md"), "{out}");
    ok(sandbox.cmd_in(&root).arg("validate"));
    ok(sandbox.cmd_in(&root).arg("verify"));
}
