//! `new`: flags, prompts refused without a TTY, id allocation, atomicity, the user's index.

use std::fs;
use std::path::Path;

use crate::util::{TestRepo, stderr, stdout};

fn new_args(title: &str) -> Vec<&str> {
    vec!["new", "--title", title, "--product", "web", "--reporter-name", "Jane Doe"]
}

#[test]
fn new_writes_and_commits_the_report() {
    let repo = TestRepo::new();
    let a = repo
        .cmd()
        .args(new_args("Reflected XSS: search"))
        .args([
            "--component",
            "api",
            "--reporter-contact",
            "jane@example.org",
            "--cvss",
            "CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N",
        ])
        .assert()
        .success();
    assert!(stdout(&a).contains("Created ENIGM-2026-0001 at reports/ENIGM-2026-0001.md"), "{}", stdout(&a));
    let text = repo.read("reports/ENIGM-2026-0001.md");
    for line in [
        "id: ENIGM-2026-0001",
        "title: 'Reflected XSS: search'",
        "state: received",
        "reported: 2026-06-15",
        "contact: jane@example.org",
        "level: medium",
        "    by: Test Lead",
        "## Reproduction",
    ] {
        assert!(text.contains(line), "{line} in\n{text}");
    }
    assert_eq!(repo.head_paths(), ["reports/ENIGM-2026-0001.md"]);
    assert_eq!(
        repo.head_message(),
        "ENIGM-2026-0001: received — Reflected XSS: search\n\nDisclosure-Id: ENIGM-2026-0001\nDisclosure-State: received\n"
    );
    let git = repo.git();
    let head = git.head().expect("head").peel_to_commit().expect("commit");
    assert_eq!(head.author().name().ok(), Some("Test Lead"));
    assert_eq!(head.author().email().ok(), Some("lead@example.test"));
    assert!(repo.status().is_empty(), "work tree and index clean: {:?}", repo.status());
    repo.cmd().arg("validate").assert().success();
}

#[test]
fn new_json_output_and_sequential_ids() {
    let repo = TestRepo::new();
    assert_eq!(repo.new_report("one"), "ENIGM-2026-0001");
    assert_eq!(repo.new_report("two"), "ENIGM-2026-0002");
    let a =
        repo.cmd().args(new_args("three")).args(["--reported", "2025-12-30", "--format", "json"]).assert().success();
    let v: serde_json::Value = serde_json::from_slice(&a.get_output().stdout).expect("json");
    assert_eq!(v["id"], "ENIGM-2025-0001", "the year comes from --reported");
    assert_eq!(v["path"], "reports/ENIGM-2025-0001.md");
    assert_eq!(v["commit"].as_str().map(str::len), Some(40));
}

#[test]
fn new_without_a_terminal_names_every_missing_flag() {
    let repo = TestRepo::new();
    let a = repo.cmd().args(["new", "--component", "api"]).assert().code(2);
    assert!(stderr(&a).contains("missing required values: --title, --product, --reporter-name"), "{}", stderr(&a));
    assert!(stderr(&a).contains("prompting needs a terminal"));
    assert_eq!(repo.commit_count(), 1);
}

#[test]
fn new_refuses_unknown_products_and_bad_values_all_at_once() {
    let repo = TestRepo::new();
    let a = repo
        .cmd()
        .args([
            "new",
            "--title",
            "t",
            "--product",
            "nope",
            "--reporter-name",
            "R",
            "--cvss",
            "CVSS:3.1/AV:Q",
            "--reported",
            "2030-01-01",
        ])
        .assert()
        .code(2);
    let err = stderr(&a);
    for needle in [
        "product `nope` is not listed in enigm.yaml (known: web, api)",
        "--cvss: not a valid CVSS vector",
        "is in the future",
    ] {
        assert!(err.contains(needle), "{needle} in {err}");
    }
    assert!(
        fs::read_dir(repo.root().join("reports")).expect("ls").all(|e| e.expect("entry").file_name() == ".gitkeep")
    );
}

#[test]
fn ids_are_allocated_across_local_and_remote_branches() {
    let repo = TestRepo::new();
    let git = repo.git();
    let base = repo.head_id();
    // A colleague's branch with two reports.
    git.branch("colleague", &git.find_commit(base).expect("base"), false).expect("branch");
    git.set_head("refs/heads/colleague").expect("switch");
    repo.new_report("theirs 1");
    repo.new_report("theirs 2");
    let theirs = repo.head_id();
    // A remote-tracking branch with a higher number, as after a fetch.
    git.reference("refs/remotes/origin/other", theirs, true, "fetch").expect("remote ref");
    // Back on main: the files are not in the work tree, only in git objects.
    git.set_head("refs/heads/main").expect("switch back");
    git.checkout_head(Some(git2::build::CheckoutBuilder::new().force())).expect("checkout");
    for n in [1, 2] {
        fs::remove_file(repo.root().join(format!("reports/ENIGM-2026-000{n}.md"))).ok();
    }
    assert_eq!(repo.new_report("mine"), "ENIGM-2026-0003");

    // A number only a remote branch knows about is skipped too.
    let mut index = git2::Index::new().expect("index");
    index.read_tree(&git.find_commit(theirs).expect("c").tree().expect("t")).expect("read");
    let blob = git.blob(b"---\n---\n").expect("blob");
    let entry = git2::IndexEntry {
        ctime: git2::IndexTime::new(0, 0),
        mtime: git2::IndexTime::new(0, 0),
        dev: 0,
        ino: 0,
        mode: 0o100644,
        uid: 0,
        gid: 0,
        file_size: 8,
        id: blob,
        flags: 0,
        flags_extended: 0,
        path: b"reports/ENIGM-2026-0041.md".to_vec(),
    };
    index.add(&entry).expect("add");
    let tree = git.find_tree(index.write_tree_to(&git).expect("tree")).expect("tree");
    let sig = git2::Signature::now("X", "x@example.test").expect("sig");
    let c =
        git.commit(None, &sig, &sig, "remote work", &tree, &[&git.find_commit(theirs).expect("c")]).expect("commit");
    git.reference("refs/remotes/origin/other", c, true, "fetch").expect("remote ref");
    assert_eq!(repo.new_report("after fetch"), "ENIGM-2026-0042");
}

#[test]
fn new_never_overwrites_an_existing_file() {
    let repo = TestRepo::new();
    repo.write("reports/ENIGM-2026-0001.md", "hand-written, untracked\n");
    assert_eq!(repo.new_report("next"), "ENIGM-2026-0002");
    assert_eq!(repo.read("reports/ENIGM-2026-0001.md"), "hand-written, untracked\n");
}

#[test]
fn new_commits_only_its_file_and_keeps_the_users_index() {
    let repo = TestRepo::new();
    let config = repo.read("enigm.yaml");
    repo.write("enigm.yaml", format!("{config}# staged edit\n"));
    let git = repo.git();
    let mut index = git.index().expect("index");
    index.add_path(Path::new("enigm.yaml")).expect("stage");
    index.write().expect("write");
    repo.write("enigm.yaml", format!("{config}# staged edit\n# unstaged edit\n"));
    repo.write("notes.txt", "untracked\n");

    repo.new_report("only me");
    assert_eq!(repo.head_paths(), ["reports/ENIGM-2026-0001.md"]);
    let status: std::collections::HashMap<String, git2::Status> = repo.status().into_iter().collect();
    assert_eq!(status.len(), 2, "{status:?}");
    assert!(status["enigm.yaml"].contains(git2::Status::INDEX_MODIFIED | git2::Status::WT_MODIFIED));
    assert!(status["notes.txt"].contains(git2::Status::WT_NEW));
    let staged = git.index().expect("index");
    let blob = git.find_blob(staged.get_path(Path::new("enigm.yaml"), 0).expect("entry").id).expect("blob");
    assert!(String::from_utf8_lossy(blob.content()).ends_with("# staged edit\n"), "staged content kept");
    assert!(repo.read("enigm.yaml").ends_with("# unstaged edit\n"), "work tree kept");
}

#[test]
fn new_without_identity_detached_head_or_locked_index_changes_nothing() {
    let repo = TestRepo::new();
    let before = repo.head_id();
    let reports_now = || fs::read_dir(repo.root().join("reports")).expect("ls").count();

    repo.sandbox.forget_identity();
    let a = repo.cmd().args(new_args("x")).assert().code(2);
    assert!(stderr(&a).contains("no git identity"), "{}", stderr(&a));
    assert_eq!((repo.head_id(), reports_now()), (before, 1));
    // --no-commit needs no identity.
    repo.cmd().args(new_args("x")).arg("--no-commit").assert().success();
    assert!(repo.root().join("reports/ENIGM-2026-0001.md").exists());
    assert_eq!(repo.head_id(), before);
    fs::remove_file(repo.root().join("reports/ENIGM-2026-0001.md")).expect("rm");
    fs::write(repo.sandbox.home().join(".gitconfig"), "[user]\n\tname = Test Lead\n\temail = lead@example.test\n")
        .expect("identity back");

    fs::write(repo.root().join(".git/index.lock"), "").expect("lock");
    let a = repo.cmd().args(new_args("x")).assert().code(2);
    assert!(stderr(&a).contains("the git index is locked"), "{}", stderr(&a));
    assert_eq!((repo.head_id(), reports_now()), (before, 1));
    fs::remove_file(repo.root().join(".git/index.lock")).expect("unlock");

    let git = repo.git();
    git.set_head_detached(before).expect("detach");
    let a = repo.cmd().args(new_args("x")).assert().code(2);
    assert!(stderr(&a).contains("HEAD is detached"), "{}", stderr(&a));
    assert_eq!(reports_now(), 1);
}

#[test]
fn new_with_body_file_and_with_editor() {
    let repo = TestRepo::new();
    let body = repo.sandbox.tmp.path().join("body.md");
    fs::write(&body, "## Summary\n\nThe search box reflects input.\n").expect("body");
    let body_arg = body.to_string_lossy().into_owned();
    repo.cmd().args(new_args("with body")).args(["--body-file", &body_arg]).assert().success();
    assert!(repo.read("reports/ENIGM-2026-0001.md").ends_with("---\n\n## Summary\n\nThe search box reflects input.\n"));

    // An "editor" that rewrites the title, as a user would.
    let editor = repo.sandbox.tmp.path().join("editor.sh");
    fs::write(&editor, "#!/bin/sh\nsed -i 's/^title: .*/title: Edited title/' \"$1\"\n").expect("editor");
    #[cfg(unix)]
    std::os::unix::fs::PermissionsExt::set_mode(&mut fs::metadata(&editor).expect("meta").permissions(), 0o755);
    let a = repo
        .cmd()
        .args(new_args("before edit"))
        .arg("--edit")
        .env("EDITOR", format!("sh {}", editor.display()))
        .assert()
        .success();
    assert!(stdout(&a).contains("ENIGM-2026-0002"));
    assert!(repo.read("reports/ENIGM-2026-0002.md").contains("title: Edited title"));
    assert!(repo.head_message().starts_with("ENIGM-2026-0002: received — Edited title"), "{}", repo.head_message());

    // An editor that breaks the YAML: nothing committed, nothing left in reports/ (the id is
    // not taken); the edit is kept for the user inside .git.
    fs::write(&editor, "#!/bin/sh\nsed -i 's/^title: .*/title: [broken/' \"$1\"\n").expect("editor");
    let before = repo.head_id();
    let a = repo
        .cmd()
        .args(new_args("will break"))
        .arg("--edit")
        .env("EDITOR", format!("sh {}", editor.display()))
        .assert()
        .code(1);
    assert!(stderr(&a).contains("reports/ENIGM-2026-0003.md"), "{}", stderr(&a));
    assert_eq!(repo.head_id(), before);
    assert!(!repo.root().join("reports/ENIGM-2026-0003.md").exists());
    assert!(repo.read(".git/enigm-draft-ENIGM-2026-0003.md").contains("[broken"));
    assert!(stderr(&a).contains("enigm-draft-ENIGM-2026-0003.md"), "{}", stderr(&a));
}

#[test]
fn chdir_flag_runs_elsewhere() {
    let repo = TestRepo::new();
    let root = repo.root().to_string_lossy().into_owned();
    repo.sandbox.cmd_in(repo.sandbox.tmp.path()).args(["-C", &root]).args(new_args("via -C")).assert().success();
    assert!(repo.root().join("reports/ENIGM-2026-0001.md").exists());
}

/// Regression: `new --no-commit` recorded the organisation (`by: Acme Corp`) although git
/// knew the user's name; with a commit it recorded the git name.
#[test]
fn new_records_the_git_name_with_or_without_a_commit() {
    let repo = TestRepo::new();
    repo.cmd().args(new_args("committed")).assert().success();
    repo.cmd().args(new_args("uncommitted")).arg("--no-commit").assert().success();
    assert!(repo.read("reports/ENIGM-2026-0001.md").contains("    by: Test Lead\n"));
    assert!(repo.read("reports/ENIGM-2026-0002.md").contains("    by: Test Lead\n"), "user.name, not the organisation");
    // GIT_AUTHOR_NAME wins over user.name, as in git, either way.
    repo.cmd().args(new_args("env")).arg("--no-commit").env("GIT_AUTHOR_NAME", "Ana Env").assert().success();
    repo.cmd().args(new_args("env commit")).env("GIT_AUTHOR_NAME", "Ana Env").assert().success();
    assert!(repo.read("reports/ENIGM-2026-0003.md").contains("    by: Ana Env\n"));
    assert!(repo.read("reports/ENIGM-2026-0004.md").contains("    by: Ana Env\n"));
    // `advance --no-commit` resolves the name the same way.
    repo.cmd().args(["advance", "2", "needs-info", "--no-commit"]).assert().success();
    assert!(repo.read("reports/ENIGM-2026-0002.md").contains("    state: needs-info\n    by: Test Lead\n"));
    // Without any name the organisation stands in (only --no-commit can run without one).
    repo.sandbox.forget_identity();
    repo.cmd().args(new_args("nobody")).arg("--no-commit").assert().success();
    assert!(repo.read("reports/ENIGM-2026-0005.md").contains("    by: Acme Corp\n"));
}

/// Regression: `GIT_AUTHOR_DATE="2026-06-20 09:30:00 +0200"`, a form git accepts, was refused
/// ("cannot read the date"), though the README says the variables are honoured as git does.
#[test]
fn git_s_iso_dates_in_the_environment_are_honoured() {
    let repo = TestRepo::new();
    repo.cmd()
        .args(new_args("T"))
        .env("GIT_AUTHOR_DATE", "2026-06-20 09:30:00 +0200")
        .env("GIT_COMMITTER_DATE", "2026-06-20T09:30:00 +0200")
        .assert()
        .success();
    let git = repo.git();
    let head = git.head().expect("head").peel_to_commit().expect("commit");
    for when in [head.author().when(), head.committer().when()] {
        assert_eq!((when.seconds(), when.offset_minutes()), (1_781_940_600, 120));
    }
    let a = repo.cmd().args(new_args("T2")).env("GIT_AUTHOR_DATE", "next tuesday").assert().code(2);
    assert!(stderr(&a).contains("ISO 8601"), "{}", stderr(&a));
}
