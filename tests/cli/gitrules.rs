//! The tool's commits follow git's own rules (hooks, signing, filters, operations in
//! progress, worktrees, bare and shallow repositories, detached HEAD), and a run killed part
//! way is cleaned up by the next.

use std::fs;
use std::path::Path;
use std::process::Command;

use crate::util::{TestRepo, stderr, stdout};

/// `git` in the repository, with the sandbox's HOME.
fn git(repo: &TestRepo, args: &[&str]) -> std::process::Output {
    git_in(repo, &repo.root(), args)
}

fn git_in(repo: &TestRepo, dir: &Path, args: &[&str]) -> std::process::Output {
    Command::new("git")
        .current_dir(dir)
        .env("HOME", repo.sandbox.home())
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GNUPGHOME", repo.sandbox.tmp.path().join("gnupg"))
        .args(args)
        .output()
        .expect("git runs")
}

fn ok(out: &std::process::Output) -> String {
    assert!(out.status.success(), "{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn new_args() -> [&'static str; 7] {
    ["new", "--title", "XSS in search", "--product", "web", "--reporter-name", "Jane Doe"]
}

/// Files a report complete enough to be triaged (severity, summary, impact).
fn new_triageable(repo: &TestRepo, extra: &[&str]) {
    let body = repo.sandbox.tmp.path().join("body.md");
    fs::write(&body, "## Summary\n\nThe search page reflects q unencoded.\n\n## Impact\n\nSession theft.\n")
        .expect("body");
    repo.cmd().args(new_args()).args(["--severity", "low", "--body-file"]).arg(&body).args(extra).assert().success();
}

fn hook(repo: &TestRepo, name: &str, script: &str) {
    let path = repo.root().join(".git/hooks").join(name);
    fs::write(&path, script).expect("hook");
    #[cfg(unix)]
    fs::set_permissions(&path, std::os::unix::fs::PermissionsExt::from_mode(0o755)).expect("chmod");
}

fn untracked(repo: &TestRepo) -> Vec<String> {
    repo.status().into_iter().filter(|(_, s)| s.contains(git2::Status::WT_NEW)).map(|(p, _)| p).collect()
}

fn have(program: &str) -> bool {
    Command::new(program).arg("--version").output().is_ok()
}

/// Needs gpg: `cargo test` counts it as ignored (with the reason); `.ci/run` runs it with
/// `--ignored` where gpg is installed, and there a missing gpg fails it.
#[test]
#[ignore = "needs gpg (apt-get install -y gnupg); .ci/run runs it with --ignored"]
fn commits_are_signed_with_a_gpg_key_when_commit_gpgsign_is_set() {
    assert!(have("gpg"), "gpg is not installed (apt-get install -y gnupg)");
    let repo = TestRepo::new();
    let home = repo.sandbox.tmp.path().join("gnupg");
    fs::create_dir_all(&home).expect("gnupg");
    #[cfg(unix)]
    fs::set_permissions(&home, std::os::unix::fs::PermissionsExt::from_mode(0o700)).expect("chmod");
    let batch = "%no-protection\nKey-Type: eddsa\nKey-Curve: ed25519\nKey-Usage: sign\nName-Real: Test Lead\nName-Email: lead@example.test\nExpire-Date: 0\n%commit\n";
    fs::write(repo.sandbox.tmp.path().join("batch"), batch).expect("batch");
    let made = Command::new("gpg")
        .env("GNUPGHOME", &home)
        .args(["--batch", "--gen-key"])
        .arg(repo.sandbox.tmp.path().join("batch"))
        .output()
        .expect("gpg");
    assert!(made.status.success(), "{}", String::from_utf8_lossy(&made.stderr));
    ok(&git(&repo, &["config", "commit.gpgsign", "true"]));
    ok(&git(&repo, &["config", "user.signingkey", "lead@example.test"]));
    repo.cmd().env("GNUPGHOME", &home).args(new_args()).assert().success();
    ok(&git(&repo, &["verify-commit", "HEAD"]));
    let log = git(&repo, &["log", "-1", "--show-signature", "--format=%G?"]);
    assert!(String::from_utf8_lossy(&log.stdout).trim_end().ends_with('G'), "{:?}", log);

    // A key that does not exist: refused, nothing committed.
    ok(&git(&repo, &["config", "user.signingkey", "nobody@nowhere.test"]));
    let before = repo.head_id();
    let a = repo.cmd().env("GNUPGHOME", &home).args(new_args()).assert().code(2);
    assert!(stderr(&a).contains("could not be signed"), "{}", stderr(&a));
    assert_eq!(repo.head_id(), before);
    assert!(untracked(&repo).is_empty(), "{:?}", untracked(&repo));
}

/// Needs ssh-keygen, run like the gpg test above.
#[test]
#[ignore = "needs ssh-keygen (apt-get install -y openssh-client); .ci/run runs it with --ignored"]
fn commits_are_signed_with_an_ssh_key_when_gpg_format_is_ssh() {
    assert!(
        have("ssh-keygen") || Command::new("ssh-keygen").arg("-?").output().is_ok(),
        "ssh-keygen is not installed (apt-get install -y openssh-client)"
    );
    let repo = TestRepo::new();
    let key = repo.sandbox.tmp.path().join("id_ed25519");
    let made = Command::new("ssh-keygen")
        .args(["-q", "-t", "ed25519", "-N", "", "-C", "lead", "-f"])
        .arg(&key)
        .output()
        .expect("ssh-keygen");
    assert!(made.status.success(), "{}", String::from_utf8_lossy(&made.stderr));
    let public = fs::read_to_string(key.with_extension("pub")).expect("pub");
    let allowed = repo.sandbox.tmp.path().join("allowed_signers");
    fs::write(&allowed, format!("lead@example.test {public}")).expect("allowed");
    for (k, v) in [
        ("commit.gpgsign", "true"),
        ("gpg.format", "ssh"),
        ("user.signingkey", key.to_str().expect("utf8")),
        ("gpg.ssh.allowedSignersFile", allowed.to_str().expect("utf8")),
    ] {
        ok(&git(&repo, &["config", k, v]));
    }
    new_triageable(&repo, &[]);
    let out = git(&repo, &["verify-commit", "HEAD"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stderr).contains("Good \"git\" signature"), "{:?}", out);
    // advance signs too.
    repo.cmd().args(["advance", "ENIGM-2026-0001", "triaged"]).assert().success();
    ok(&git(&repo, &["verify-commit", "HEAD"]));
}

#[test]
fn pre_commit_sees_the_commits_tree_and_commit_msg_may_edit_the_message() {
    let repo = TestRepo::new();
    let seen = repo.sandbox.tmp.path().join("seen");
    // The user's own staged file must not be in the hook's index: only HEAD + the report.
    repo.write("notes.txt", "mine");
    ok(&git(&repo, &["add", "notes.txt"]));
    hook(&repo, "pre-commit", &format!("#!/bin/sh\ngit ls-files > '{}'\n", seen.display()));
    hook(&repo, "commit-msg", "#!/bin/sh\nprintf '\\nReviewed-by: hook\\n' >> \"$1\"\n");
    repo.cmd().args(new_args()).assert().success();
    let files = fs::read_to_string(&seen).expect("hook ran");
    assert!(files.contains("reports/ENIGM-2026-0001.md"), "{files}");
    assert!(!files.contains("notes.txt"), "{files}");
    assert!(repo.head_message().contains("Reviewed-by: hook"), "{}", repo.head_message());
    assert!(repo.head_message().contains("Disclosure-Id: ENIGM-2026-0001"));
}

#[test]
fn a_failing_hook_refuses_the_commit_and_no_verify_skips_it() {
    let repo = TestRepo::new();
    hook(&repo, "pre-commit", "#!/bin/sh\necho 'policy: no commits today' >&2\nexit 1\n");
    let before = repo.head_id();
    let a = repo.cmd().args(new_args()).assert().code(2);
    assert!(
        stderr(&a).contains("pre-commit hook") && stderr(&a).contains("policy: no commits today"),
        "{}",
        stderr(&a)
    );
    assert!(stderr(&a).contains("--no-verify"), "{}", stderr(&a));
    assert_eq!(repo.head_id(), before);
    assert!(untracked(&repo).is_empty(), "{:?}", untracked(&repo));
    new_triageable(&repo, &["--no-verify"]);
    assert_ne!(repo.head_id(), before);
    // advance restores the file when its hook refuses.
    let text = repo.read("reports/ENIGM-2026-0001.md");
    repo.cmd().args(["advance", "ENIGM-2026-0001", "triaged"]).assert().code(2);
    assert_eq!(repo.read("reports/ENIGM-2026-0001.md"), text);
    assert!(repo.status().is_empty(), "{:?}", repo.status());
}

#[test]
fn the_repositorys_own_enigm_hook_passes_the_tools_commits() {
    // TestRepo's init installed the enigm pre-commit hook: it runs `validate --staged` on the
    // hook's index, which holds the new report.
    let repo = TestRepo::new();
    assert!(repo.root().join(".git/hooks/pre-commit").exists());
    new_triageable(&repo, &[]);
    repo.cmd().args(["advance", "ENIGM-2026-0001", "triaged"]).assert().success();
}

#[test]
fn new_refuses_during_a_conflicted_merge_and_a_cherry_pick() {
    let repo = TestRepo::new();
    repo.write("file.txt", "base\n");
    ok(&git(&repo, &["add", "file.txt"]));
    ok(&git(&repo, &["commit", "-qm", "base", "--no-verify"]));
    ok(&git(&repo, &["checkout", "-qb", "other"]));
    repo.write("file.txt", "theirs\n");
    ok(&git(&repo, &["commit", "-qam", "theirs", "--no-verify"]));
    ok(&git(&repo, &["checkout", "-q", "main"]));
    repo.write("file.txt", "ours\n");
    ok(&git(&repo, &["commit", "-qam", "ours", "--no-verify"]));
    assert!(!git(&repo, &["merge", "other"]).status.success());
    let before = repo.head_id();
    let a = repo.cmd().args(new_args()).assert().code(2);
    assert!(stderr(&a).contains("a merge is in progress with unresolved conflicts"), "{}", stderr(&a));
    assert!(stderr(&a).contains("git merge --abort"), "{}", stderr(&a));
    assert_eq!(repo.head_id(), before);
    assert!(!repo.root().join("reports/ENIGM-2026-0001.md").exists());
    ok(&git(&repo, &["merge", "--abort"]));
    assert!(!git(&repo, &["cherry-pick", "other"]).status.success());
    let a = repo.cmd().args(new_args()).assert().code(2);
    assert!(stderr(&a).contains("a cherry-pick is in progress"), "{}", stderr(&a));
}

#[test]
fn linked_worktrees_share_the_write_lock_and_never_allocate_an_id_twice() {
    let repo = TestRepo::new();
    let wt = repo.sandbox.tmp.path().join("wt2");
    ok(&git(&repo, &["worktree", "add", "-q", "-b", "second", wt.to_str().expect("utf8")]));
    assert!(fs::symlink_metadata(wt.join(".git")).expect(".git").is_file(), "a linked worktree has a .git file");
    // Truly concurrent: spawn first, wait after.
    let mut running = Vec::new();
    for i in 0..4 {
        let dir = if i % 2 == 0 { repo.root() } else { wt.clone() };
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_enigm-disclose"));
        cmd.current_dir(&dir)
            .env("HOME", repo.sandbox.home())
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("ENIGM_TODAY", crate::util::TODAY)
            .args(new_args())
            .args(["--format", "json"])
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped());
        running.push(cmd.spawn().expect("spawn"));
    }
    let mut ids = Vec::new();
    for child in running {
        let out = child.wait_with_output().expect("wait");
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
        ids.push(v["id"].as_str().expect("id").to_owned());
    }
    let mut all: Vec<String> = fs::read_dir(repo.root().join("reports"))
        .expect("ls")
        .chain(fs::read_dir(wt.join("reports")).expect("ls"))
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".md"))
        .collect();
    let n = all.len();
    all.sort();
    all.dedup();
    assert_eq!(all.len(), n, "an id was allocated twice: {all:?} ({ids:?})");
    assert_eq!(n, 4);
    assert!(repo.root().join(".git/enigm.lock").exists(), "the lock is in the common git dir");
    assert!(!repo.root().join(".git/worktrees/wt2/enigm.lock").exists());
}

#[test]
fn a_bare_repository_gets_a_clear_message() {
    let repo = TestRepo::new();
    let bare = repo.sandbox.tmp.path().join("bare.git");
    ok(&git(&repo, &["clone", "-q", "--bare", ".", bare.to_str().expect("utf8")]));
    let a = repo.sandbox.cmd_in(&bare).args(new_args()).assert().code(2);
    assert!(stderr(&a).contains("is a bare git repository"), "{}", stderr(&a));
    assert!(stderr(&a).contains("git clone"), "{}", stderr(&a));
}

#[test]
fn a_shallow_clone_works() {
    let repo = TestRepo::new();
    repo.new_report("first");
    repo.new_report("second");
    let clone = repo.sandbox.tmp.path().join("shallow");
    let url = format!("file://{}", repo.root().display());
    ok(&git(&repo, &["clone", "-q", "--depth", "1", &url, clone.to_str().expect("utf8")]));
    assert!(clone.join(".git/shallow").exists());
    let body = repo.sandbox.tmp.path().join("body.md");
    fs::write(&body, "## Summary\n\nThe search page reflects q unencoded.\n\n## Impact\n\nSession theft.\n")
        .expect("body");
    let a = repo
        .sandbox
        .cmd_in(&clone)
        .args(new_args())
        .args(["--severity", "low", "--body-file"])
        .arg(&body)
        .assert()
        .success();
    assert!(stdout(&a).contains("ENIGM-2026-0003"), "{}", stdout(&a));
    repo.sandbox.cmd_in(&clone).args(["advance", "ENIGM-2026-0003", "triaged"]).assert().success();
    repo.sandbox.cmd_in(&clone).args(["list"]).assert().success();
    repo.sandbox.cmd_in(&clone).args(["validate"]).assert().success();
}

#[test]
fn a_detached_head_is_refused_with_how_to_fix_it() {
    let repo = TestRepo::new();
    ok(&git(&repo, &["checkout", "-q", "--detach"]));
    let a = repo.cmd().args(new_args()).assert().code(2);
    assert!(stderr(&a).contains("HEAD is detached") && stderr(&a).contains("git switch"), "{}", stderr(&a));
    assert!(untracked(&repo).is_empty());
}

#[test]
fn a_clean_filter_on_reports_is_refused_and_nothing_is_written() {
    let repo = TestRepo::new();
    repo.write(".gitattributes", "reports/** filter=crypt diff=crypt\n");
    ok(&git(&repo, &["add", ".gitattributes"]));
    ok(&git(&repo, &["commit", "-qm", "crypt", "--no-verify"]));
    ok(&git(&repo, &["config", "filter.crypt.clean", "rev"]));
    let before = repo.head_id();
    let a = repo.cmd().args(new_args()).assert().code(2);
    assert!(stderr(&a).contains("filter=crypt"), "{}", stderr(&a));
    assert_eq!(repo.head_id(), before);
    assert!(untracked(&repo).is_empty(), "{:?}", untracked(&repo));
}

#[test]
fn text_attributes_normalise_crlf_in_the_committed_blob() {
    let repo = TestRepo::new();
    repo.write(".gitattributes", "*.md text\n");
    ok(&git(&repo, &["add", ".gitattributes"]));
    ok(&git(&repo, &["commit", "-qm", "text", "--no-verify"]));
    let body = repo.sandbox.tmp.path().join("body.md");
    fs::write(&body, "## Summary\r\n\r\nReflected XSS in q.\r\n").expect("body");
    repo.cmd().args(new_args()).arg("--body-file").arg(&body).assert().success();
    let blob = ok(&git(&repo, &["show", "HEAD:reports/ENIGM-2026-0001.md"]));
    assert!(!blob.contains('\r'), "{blob:?}");
    let status = ok(&git(&repo, &["status", "--porcelain"]));
    assert!(status.trim().is_empty(), "{status}");
}

#[test]
fn a_renumber_killed_after_its_writes_is_undone_and_redone_by_the_next_run() {
    let repo = TestRepo::new();
    repo.new_report("first");
    let copy = repo.read("reports/ENIGM-2026-0001.md").replace("XSS", "Copy");
    repo.write("reports/ENIGM-2026-0009.md", copy);
    // The hook kills the command after every file is written, before the commit.
    hook(&repo, "pre-commit", "#!/bin/sh\nkill -9 $PPID\nsleep 5\n");
    let out =
        repo.cmd().args(["renumber", "ENIGM-2026-0001", "--keep", "reports/ENIGM-2026-0001.md"]).output().expect("run");
    assert!(!out.status.success());
    assert!(repo.root().join("reports/ENIGM-2026-0010.md").exists(), "killed after writing");
    fs::remove_file(repo.root().join(".git/hooks/pre-commit")).expect("rm hook");
    let a = repo.cmd().args(["renumber", "ENIGM-2026-0001", "--keep", "reports/ENIGM-2026-0001.md"]).assert().success();
    assert!(stdout(&a).contains("as ENIGM-2026-0010"), "{}", stdout(&a));
    assert!(stderr(&a).contains("interrupted run"), "{}", stderr(&a));
    let mut names: Vec<String> = fs::read_dir(repo.root().join("reports"))
        .expect("ls")
        .map(|e| e.expect("e").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, [".gitkeep", "ENIGM-2026-0001.md", "ENIGM-2026-0010.md"]);
    assert!(repo.status().is_empty(), "{:?}", repo.status());
    let git_dir: Vec<String> = fs::read_dir(repo.root().join(".git"))
        .expect("ls")
        .map(|e| e.expect("e").file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("enigm-") || n.starts_with(".enigm-"))
        .collect();
    assert!(git_dir.is_empty(), "{git_dir:?}");
}

#[test]
fn a_new_killed_before_its_commit_leaves_a_file_the_next_run_removes() {
    let repo = TestRepo::new();
    hook(&repo, "pre-commit", "#!/bin/sh\nkill -9 $PPID\nsleep 5\n");
    let out = repo.cmd().args(new_args()).output().expect("run");
    assert!(!out.status.success());
    assert_eq!(untracked(&repo), ["reports/ENIGM-2026-0001.md"]);
    fs::remove_file(repo.root().join(".git/hooks/pre-commit")).expect("rm hook");
    let a = repo.cmd().args(new_args()).assert().success();
    assert!(stderr(&a).contains("removed reports/ENIGM-2026-0001.md"), "{}", stderr(&a));
    assert!(stdout(&a).contains("ENIGM-2026-0001"), "the id is reused: {}", stdout(&a));
    assert!(repo.status().is_empty(), "{:?}", repo.status());
}

#[test]
fn render_removes_temporary_files_a_killed_render_left() {
    let repo = TestRepo::new();
    repo.new_report("first");
    fs::create_dir_all(repo.root().join("site/advisories")).expect("site");
    fs::write(repo.root().join("site/advisories/.enigm-Ab12.tmp"), "half").expect("tmp");
    fs::write(repo.root().join("site/.enigm-Zz.tmp"), "half").expect("tmp");
    let a = repo.cmd().args(["render"]).assert().success();
    assert!(stderr(&a).contains("interrupted render"), "{}", stderr(&a));
    assert!(!repo.root().join("site/advisories/.enigm-Ab12.tmp").exists());
    assert!(!repo.root().join("site/.enigm-Zz.tmp").exists());
}

#[test]
fn a_stale_index_lock_is_explained() {
    let repo = TestRepo::new();
    let lock = repo.root().join(".git/index.lock");
    fs::write(&lock, "").expect("lock");
    let old = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
    fs::File::options().write(true).open(&lock).expect("open").set_modified(old).expect("mtime");
    let a = repo.cmd().args(new_args()).assert().code(2);
    let err = stderr(&a);
    assert!(err.contains("untouched for") && err.contains("rm ") && err.contains("index.lock"), "{err}");
    assert!(untracked(&repo).is_empty(), "{:?}", untracked(&repo));
}
