//! `hook install|uninstall`, and the installed hook blocking a bad commit in real git.

use std::fs;
use std::process::Command;

use crate::cli::validate::PUBLISHED;
use crate::util::{TestRepo, stderr};

/// `git` in the test repository with the sandbox's HOME (identity) and a PATH.
fn git(repo: &TestRepo, args: &[&str]) -> std::process::Output {
    Command::new("git")
        .args(args)
        .current_dir(repo.root())
        .env("HOME", repo.sandbox.home())
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("ENIGM_TODAY", crate::util::TODAY)
        .env("NO_COLOR", "1")
        .output()
        .expect("git runs")
}

#[test]
fn the_hook_blocks_a_bad_report_and_passes_a_good_one() {
    let repo = TestRepo::new();
    let config = repo.read("enigm.yaml").replacen("components: []", "components: [uploads]", 1);
    repo.write("enigm.yaml", config);
    repo.cmd().args(["hook", "install"]).assert().success();
    let hook = repo.root().join(".git/hooks/pre-commit");
    let text = fs::read_to_string(&hook).expect("hook");
    assert!(text.contains("# enigm-disclose:managed-hook") && text.contains("validate --staged"));
    #[cfg(unix)]
    assert_eq!(
        std::os::unix::fs::PermissionsExt::mode(&fs::metadata(&hook).expect("meta").permissions()) & 0o111,
        0o111
    );

    repo.write("reports/ENIGM-2026-0001.md", PUBLISHED.replace("level: critical", "level: low"));
    assert!(git(&repo, &["add", "-A"]).status.success());
    let out = git(&repo, &["commit", "-m", "bad report"]);
    assert!(!out.status.success(), "the hook blocks the commit");
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("cvss-level-mismatch"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    repo.write("reports/ENIGM-2026-0001.md", PUBLISHED);
    assert!(git(&repo, &["add", "-A"]).status.success());
    let out = git(&repo, &["commit", "-m", "good report"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
}

#[test]
fn install_refuses_foreign_hooks_and_uninstall_removes_only_its_own() {
    let repo = TestRepo::new();
    let hook = repo.root().join(".git/hooks/pre-commit");
    fs::create_dir_all(hook.parent().expect("dir")).expect("hooks dir");
    fs::write(&hook, "#!/bin/sh\necho mine\n").expect("foreign hook");
    let a = repo.cmd().args(["hook", "install"]).assert().code(2);
    assert!(
        stderr(&a).contains("was not written by enigm-disclose") && stderr(&a).contains("validate --staged || exit 1"),
        "{}",
        stderr(&a)
    );
    let a = repo.cmd().args(["hook", "uninstall"]).assert().code(2);
    assert!(stderr(&a).contains("left alone"));
    assert_eq!(fs::read_to_string(&hook).expect("hook"), "#!/bin/sh\necho mine\n");
    repo.cmd().args(["hook", "install", "--force"]).assert().success();
    repo.cmd().args(["hook", "uninstall"]).assert().success();
    assert!(!hook.exists());
    repo.cmd().args(["hook", "uninstall"]).assert().success();
}

#[test]
fn init_installs_the_hook_unless_told_not_to() {
    let repo = TestRepo::new();
    assert!(
        fs::read_to_string(repo.root().join(".git/hooks/pre-commit"))
            .expect("hook")
            .contains("# enigm-disclose:managed-hook")
    );
    let sb = crate::util::Sandbox::new();
    sb.cmd_in(&sb.work()).args(["init", "r", "--no-hook"]).assert().success();
    assert!(!sb.work().join("r/.git/hooks/pre-commit").exists());
}

#[test]
fn completions_man_page_and_an_example_in_every_help() {
    let repo = TestRepo::new();
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let a = repo.cmd().args(["completions", shell]).assert().success();
        assert!(crate::util::stdout(&a).contains("advance"), "{shell}");
    }
    let a = repo.cmd().arg("man").assert().success();
    assert!(crate::util::stdout(&a).starts_with(".ie"), "roff output");
    for cmd in [
        "init",
        "new",
        "validate",
        "advance",
        "states",
        "history",
        "verify",
        "render",
        "templates",
        "hook",
        "renumber",
        "completions",
        "man",
    ] {
        let a = repo.cmd().args([cmd, "--help"]).assert().success();
        assert!(crate::util::stdout(&a).contains("Example"), "`{cmd} --help` has no example");
    }
}
