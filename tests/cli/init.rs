//! `init`: layout, commit, refusals, adoption of existing repositories.

use std::fs;

use crate::util::{Sandbox, TestRepo, stderr, stdout};

#[test]
fn init_creates_the_layout_and_one_commit() {
    let repo = TestRepo::new();
    for f in [".gitignore", "enigm.yaml", "policy.md", "reports/.gitkeep", "templates/.gitkeep"] {
        assert!(repo.root().join(f).is_file(), "{f}");
    }
    assert_eq!(repo.commit_count(), 1);
    let mut paths = repo.head_paths();
    paths.sort();
    assert_eq!(paths, [".gitignore", "enigm.yaml", "policy.md", "reports/.gitkeep", "templates/.gitkeep"]);
    let config = repo.read("enigm.yaml");
    assert!(config.contains("id_prefix: ENIGM"));
    assert!(config.contains("name: Acme Corp"));
    assert!(config.contains("# The disclosure policy"), "config is commented");
    assert!(repo.status().is_empty(), "clean after init: {:?}", repo.status());
}

#[test]
fn init_refuses_an_existing_layout_and_force_adds_only_what_is_missing() {
    let repo = TestRepo::new();
    let a = repo.cmd().args(["init", "."]).assert().code(2);
    assert!(stderr(&a).contains("enigm.yaml already exists"), "{}", stderr(&a));

    // A repository with a hand-written config but no reports/ or templates/ yet.
    let sb = Sandbox::new();
    let root = sb.work();
    fs::write(root.join("enigm.yaml"), "id_prefix: HAND\norganization:\n  name: Hand\n  security_contact: s@x\n")
        .expect("config");
    let a = sb.cmd_in(&root).args(["init"]).assert().code(2);
    assert!(stderr(&a).contains("use --force"), "{}", stderr(&a));
    let a = sb.cmd_in(&root).args(["init", "--force"]).assert().success();
    assert!(stdout(&a).contains("kept    enigm.yaml"), "{}", stdout(&a));
    let git = git2::Repository::open(&root).expect("repo");
    let head = git.head().expect("head").peel_to_commit().expect("commit");
    let names: Vec<String> = head.tree().expect("tree").iter().map(|e| e.name().expect("name").to_owned()).collect();
    assert_eq!(names, [".gitignore", "policy.md", "reports", "templates"], "only the missing files are committed");
    assert!(
        fs::read_to_string(root.join("enigm.yaml")).expect("read").contains("HAND"),
        "existing config never overwritten"
    );

    // Restoring a deleted tracked file changes nothing in git: no empty commit.
    fs::remove_file(repo.root().join("templates/.gitkeep")).expect("rm");
    let before = repo.head_id();
    repo.cmd().args(["init", ".", "--force"]).assert().success();
    assert_eq!(repo.head_id(), before);
    assert!(repo.root().join("templates/.gitkeep").exists());
}

#[test]
fn init_force_refuses_a_layout_the_kept_config_does_not_say() {
    let repo = TestRepo::new();
    let config = repo.read("enigm.yaml");
    let head = repo.head_id();
    let a = repo.cmd().args(["init", ".", "--force", "--layout", "sharded"]).assert().code(2);
    let err = stderr(&a);
    assert!(err.contains("enigm.yaml already says `layout: flat`"), "{err}");
    assert!(err.contains("enigm-disclose migrate"), "{err}");
    assert_eq!(repo.read("enigm.yaml"), config, "the config is untouched");
    assert_eq!(repo.head_id(), head, "nothing committed");
    // The layout it already has, or none asked for, is fine.
    repo.cmd().args(["init", ".", "--force", "--layout", "flat"]).assert().success();
    repo.cmd().args(["init", ".", "--force"]).assert().success();
}

#[test]
fn init_adopts_a_repository_with_history_and_refuses_when_dirty() {
    let sb = Sandbox::new();
    let root = sb.work();
    let git = git2::Repository::init(&root).expect("init");
    fs::write(root.join("README.md"), "hello\n").expect("write");
    let mut index = git.index().expect("index");
    index.add_path(std::path::Path::new("README.md")).expect("add");
    index.write().expect("write index");
    let tree = git.find_tree(index.write_tree().expect("tree")).expect("tree");
    let sig = git2::Signature::now("X", "x@example.test").expect("sig");
    let first = git.commit(Some("HEAD"), &sig, &sig, "first", &tree, &[]).expect("commit");

    fs::write(root.join("README.md"), "changed\n").expect("write");
    let a = sb.cmd_in(&root).args(["init"]).assert().code(2);
    assert!(stderr(&a).contains("uncommitted changes"), "{}", stderr(&a));
    assert!(!root.join("enigm.yaml").exists(), "nothing written when refusing");

    sb.cmd_in(&root).args(["init", "--force"]).assert().success();
    let head = git.head().expect("head").peel_to_commit().expect("commit");
    assert_eq!(head.parent_id(0).expect("parent"), first, "adds a commit on top of the history");
    assert_eq!(fs::read_to_string(root.join("README.md")).expect("read"), "changed\n", "user's change untouched");
    let statuses = git.statuses(None).expect("status");
    let readme = statuses.iter().find(|s| s.path().ok() == Some("README.md")).expect("README still modified");
    assert!(readme.status().contains(git2::Status::WT_MODIFIED));
}

#[test]
fn init_without_identity_fails_and_leaves_nothing() {
    let sb = Sandbox::new();
    sb.forget_identity();
    let a = sb.cmd_in(&sb.work()).args(["init", "repo"]).assert().code(2);
    assert!(stderr(&a).contains("no git identity: user.name and user.email not set"), "{}", stderr(&a));
    assert!(!sb.work().join("repo/enigm.yaml").exists());
}

#[test]
fn init_rejects_a_bad_prefix() {
    let sb = Sandbox::new();
    let a = sb.cmd_in(&sb.work()).args(["init", "r", "--prefix", "bad-prefix"]).assert().code(2);
    assert!(stderr(&a).contains("`bad-prefix` is not a valid id prefix"), "{}", stderr(&a));
}

#[test]
fn commands_outside_a_disclosure_repository_exit_2() {
    let sb = Sandbox::new();
    let a = sb.cmd_in(&sb.work()).args(["validate"]).assert().code(2);
    assert!(stderr(&a).contains("is not inside a git repository"), "{}", stderr(&a));
    let git = git2::Repository::init(sb.work().join("plain-git")).expect("git init");
    let a = sb.cmd_in(git.workdir().expect("work tree")).args(["validate"]).assert().code(2);
    assert!(stderr(&a).contains("is not inside a disclosure repository"), "{}", stderr(&a));
}

#[test]
fn init_ignores_the_site_and_the_dashboard_so_a_render_leaves_the_work_tree_clean() {
    let repo = TestRepo::new();
    assert_eq!(repo.read(".gitignore"), enigm_disclose::workflow::init::GITIGNORE);
    repo.cmd().args(["render"]).assert().success();
    repo.cmd().args(["stats", "--html", "dashboard.html"]).assert().success();
    assert!(repo.root().join("site/index.html").is_file() && repo.root().join("dashboard.html").is_file());
    let mut opts = git2::StatusOptions::new();
    opts.include_untracked(true).recurse_untracked_dirs(true);
    let git = repo.git();
    let untracked: Vec<String> = git
        .statuses(Some(&mut opts))
        .expect("status")
        .iter()
        .filter_map(|s| s.path().ok().map(str::to_owned))
        .collect();
    assert!(untracked.is_empty(), "render's default site/ and the dashboard are ignored: {untracked:?}");
}

#[test]
fn init_keeps_an_existing_gitignore_and_says_what_to_add() {
    let sb = Sandbox::new();
    let root = sb.work();
    git2::Repository::init(&root).expect("init");
    fs::write(root.join(".gitignore"), "target/\nsite\n").expect("write");
    let a = sb.cmd_in(&root).args(["init"]).assert().success();
    let out = stdout(&a);
    assert!(out.contains("kept    .gitignore (already there)"), "{out}");
    assert!(out.contains("add `/dashboard.html` to .gitignore"), "{out}");
    assert!(!out.contains("`/site/`"), "`site` already ignores the site: {out}");
    assert_eq!(fs::read_to_string(root.join(".gitignore")).expect("read"), "target/\nsite\n", "kept byte for byte");
}
