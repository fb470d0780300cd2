//! The pre-commit gate through a real `git commit` with the installed hook: it checks the index
//! git is about to commit (`commit -a`, `commit PATH`, `--amend`, partial staging), refuses
//! changes that break committed history (acknowledged afterwards in `verify`), scans every file
//! under `reports/`, and says what to do when its binary is gone.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use crate::cli::validate::PUBLISHED;
use crate::util::{TestRepo, stderr, stdout};

/// An AWS access key id shape (not the documentation example).
const KEY: &str = "AKIAQWERTYUIOPASDFGH";
const PUB: &str = "reports/ENIGM-2026-0001.md";

/// `git` found once on the test's PATH, so tests can run it with any PATH.
fn git_exe() -> PathBuf {
    std::env::split_paths(&std::env::var_os("PATH").expect("PATH"))
        .map(|d| d.join("git"))
        .find(|p| p.is_file())
        .expect("git on PATH")
}

fn git_with(repo: &TestRepo, args: &[&str], env: &[(&str, &std::ffi::OsStr)]) -> Output {
    let mut c = Command::new(git_exe());
    c.args(args)
        .current_dir(repo.root())
        .env("HOME", repo.sandbox.home())
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("ENIGM_TODAY", crate::util::TODAY)
        .env("NO_COLOR", "1")
        .env_remove("GIT_INDEX_FILE");
    for (k, v) in env {
        c.env(k, v);
    }
    c.output().expect("git runs")
}

fn git(repo: &TestRepo, args: &[&str]) -> Output {
    git_with(repo, args, &[])
}

fn text(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr)
}

fn ok(repo: &TestRepo, args: &[&str]) {
    let out = git(repo, args);
    assert!(out.status.success(), "git {args:?} failed:\n{}", text(&out));
}

/// `git args` is refused by the hook with a finding `code`, and HEAD does not move.
fn refused(repo: &TestRepo, args: &[&str], code: &str) -> String {
    let head = repo.head_id();
    let out = git(repo, args);
    let all = text(&out);
    assert!(!out.status.success(), "git {args:?} got past the hook:\n{all}");
    assert!(all.contains(code), "git {args:?}: no `{code}` in:\n{all}");
    assert!(!all.contains(KEY), "the secret is shown unmasked:\n{all}");
    assert_eq!(repo.head_id(), head, "git {args:?} moved HEAD");
    all
}

/// `git args` passes the hook and makes a commit.
fn committed(repo: &TestRepo, args: &[&str]) {
    let head = repo.head_id();
    ok(repo, args);
    assert_ne!(repo.head_id(), head, "git {args:?} made no commit");
}

/// A repository with one `received` report filed by the tool; returns its path and text.
fn with_received() -> (TestRepo, String, String) {
    let repo = TestRepo::new();
    let id = repo.new_report("Path traversal in uploads");
    let path = format!("reports/{id}.md");
    let good = repo.read(&path);
    assert!(good.contains("\nstate: received\n"), "{good}");
    (repo, path, good)
}

/// The ways a report goes bad: a secret in the body, a misspelled state.
fn bad_versions(good: &str) -> [(String, &'static str); 2] {
    [
        (format!("{good}\nThe leaked key was {KEY}.\n"), "secret"),
        (good.replacen("\nstate: received\n", "\nstate: recieved\n", 1), "invalid-field"),
    ]
}

fn restore(repo: &TestRepo, path: &str) {
    ok(repo, &["checkout", "HEAD", "--", path]);
}

#[test]
fn the_hook_checks_the_index_git_commits_in_every_form() {
    let (repo, path, good) = with_received();
    for (take, (bad, code)) in bad_versions(&good).into_iter().enumerate() {
        let retitle =
            |t: &str| t.replace("Path traversal in uploads", &format!("Path traversal in uploads, take {take}"));
        // add + commit
        repo.write(&path, &bad);
        ok(&repo, &["add", &path]);
        refused(&repo, &["commit", "-m", "add then commit"], code);
        restore(&repo, &path);
        // commit -a: git commits a temporary index (.git/index.lock)
        repo.write(&path, &bad);
        refused(&repo, &["commit", "-a", "-m", "commit -a"], code);
        // commit PATH (--only): another temporary index (.git/next-index-*.lock)
        refused(&repo, &["commit", "-m", "commit path", "--", &path], code);
        // commit --include PATH
        refused(&repo, &["commit", "-i", "-m", "commit include", "--", &path], code);
        restore(&repo, &path);
        // commit --amend, staged and with -a
        repo.write(&path, retitle(&good));
        committed(&repo, &["commit", "-a", "-m", "retitle"]);
        let retitled = repo.read(&path);
        let bad_again = retitle(&bad);
        repo.write(&path, &bad_again);
        refused(&repo, &["commit", "--amend", "-a", "--no-edit"], code);
        ok(&repo, &["add", &path]);
        refused(&repo, &["commit", "--amend", "--no-edit"], code);
        repo.write(&path, &retitled);
        ok(&repo, &["add", &path]);
    }
    // A good amend passes.
    repo.write(&path, repo.read(&path).replace(", take 1", ", take 2"));
    ok(&repo, &["commit", "--amend", "-a", "--no-edit"]);
}

#[test]
fn a_merge_commit_passes_the_same_gate() {
    let (repo, path, good) = with_received();
    for (bad, code) in bad_versions(&good) {
        ok(&repo, &["checkout", "-q", "-b", "side"]);
        repo.write(&path, &bad);
        ok(&repo, &["commit", "-q", "--no-verify", "-a", "-m", "bad on a side branch"]);
        ok(&repo, &["checkout", "-q", "main"]);
        repo.write("notes.txt", code);
        ok(&repo, &["add", "notes.txt"]);
        committed(&repo, &["commit", "-q", "-m", "main moves on"]);
        // git merge makes the merge commit itself: pre-merge-commit runs the same check.
        refused(&repo, &["merge", "--no-ff", "-m", "merge side", "side"], code);
        ok(&repo, &["merge", "--abort"]);
        // After a conflict-free merge stopped with --no-commit, `git commit` is the gate.
        ok(&repo, &["merge", "--no-ff", "--no-commit", "side"]);
        refused(&repo, &["commit", "-m", "merge side"], code);
        ok(&repo, &["merge", "--abort"]);
        ok(&repo, &["branch", "-q", "-D", "side"]);
    }
}

#[test]
fn a_linked_worktree_commits_through_the_same_gate() {
    let (repo, path, good) = with_received();
    let other = repo.sandbox.tmp.path().join("other");
    ok(&repo, &["worktree", "add", "-q", "-b", "other", &other.display().to_string()]);
    for (bad, code) in bad_versions(&good) {
        fs::write(other.join(&path), &bad).expect("write");
        let tip = || repo.git().revparse_single("refs/heads/other").expect("branch").id();
        let head = tip();
        let out = Command::new(git_exe())
            .args(["commit", "-a", "-m", "in a linked worktree"])
            .current_dir(&other)
            .env("HOME", repo.sandbox.home())
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("ENIGM_TODAY", crate::util::TODAY)
            .env("NO_COLOR", "1")
            .output()
            .expect("git");
        assert!(!out.status.success() && text(&out).contains(code), "{}", text(&out));
        assert_eq!(tip(), head, "the commit was made");
    }
    // A good change commits there.
    fs::write(other.join(&path), good.replace("Path traversal in uploads", "Path traversal, other")).expect("write");
    let out = Command::new(git_exe())
        .args(["commit", "-a", "-m", "good"])
        .current_dir(&other)
        .env("HOME", repo.sandbox.home())
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("ENIGM_TODAY", crate::util::TODAY)
        .output()
        .expect("git");
    assert!(out.status.success(), "{}", text(&out));
}

#[test]
fn a_partially_staged_file_is_judged_by_what_is_staged() {
    let (repo, path, good) = with_received();
    let better = good.replace("Path traversal in uploads", "Path traversal in the upload handler");
    for (bad, code) in bad_versions(&better) {
        // Good content staged, bad content only in the work tree: the commit passes.
        repo.write(&path, &better);
        ok(&repo, &["add", &path]);
        repo.write(&path, &bad);
        committed(&repo, &["commit", "-m", "stage the good part"]);
        assert_eq!(git(&repo, &["show", &format!("HEAD:{path}")]).stdout, better.as_bytes());
        // The reverse: bad content staged, good content in the work tree: blocked.
        ok(&repo, &["reset", "-q", "--hard", "HEAD~1"]);
        repo.write(&path, &bad);
        ok(&repo, &["add", &path]);
        repo.write(&path, &better);
        refused(&repo, &["commit", "-m", "stage the bad part"], code);
        restore(&repo, &path);
    }
}

#[test]
fn validate_staged_reads_git_index_file_relative_to_the_work_tree_root() {
    let (repo, path, good) = with_received();
    let (bad, _) = &bad_versions(&good)[0];
    // An alternate index holding the bad version; .git/index keeps the good one.
    repo.write(&path, bad);
    let alt = repo.root().join(".git/alt-index");
    fs::copy(repo.root().join(".git/index"), &alt).expect("copy the index");
    let out = git_with(&repo, &["add", &path], &[("GIT_INDEX_FILE", alt.as_os_str())]);
    assert!(out.status.success(), "{}", text(&out));
    repo.write(&path, &good);
    repo.cmd().args(["validate", "--staged"]).assert().success();
    let a = repo.cmd().args(["validate", "--staged"]).env("GIT_INDEX_FILE", &alt).assert().code(1);
    assert!(stderr(&a).contains("secret"), "{}", stderr(&a));
    // Relative: to the work tree root, as git reads it, from any directory.
    fs::create_dir_all(repo.root().join("reports/sub")).expect("dir");
    let a = repo
        .sandbox
        .cmd_in(&repo.root().join("reports/sub"))
        .args(["validate", "--staged"])
        .env("GIT_INDEX_FILE", ".git/alt-index")
        .assert()
        .code(1);
    assert!(stderr(&a).contains("secret"), "{}", stderr(&a));
}

/// A repository with the published fixture committed through the hook.
fn with_published() -> TestRepo {
    let repo = TestRepo::new();
    let config = repo.read("enigm.yaml").replacen("components: []", "components: [uploads]", 1);
    repo.write("enigm.yaml", config);
    repo.write(PUB, PUBLISHED);
    ok(&repo, &["add", "-A"]);
    committed(&repo, &["commit", "-m", "publish"]);
    repo
}

#[test]
fn the_hook_refuses_deleting_renaming_or_rewriting_a_committed_report() {
    let repo = with_published();
    // Deleted: staged with git rm, or by commit -a.
    ok(&repo, &["rm", "-q", PUB]);
    refused(&repo, &["commit", "-m", "delete"], "published-deleted");
    ok(&repo, &["reset", "-q", "--hard"]);
    fs::remove_file(repo.root().join(PUB)).expect("rm");
    refused(&repo, &["commit", "-a", "-m", "delete -a"], "published-deleted");
    ok(&repo, &["reset", "-q", "--hard"]);
    // Renamed (the id kept).
    ok(&repo, &["mv", PUB, "reports/ENIGM-2026-0002.md"]);
    refused(&repo, &["commit", "-m", "rename"], "published-renamed");
    ok(&repo, &["reset", "-q", "--hard"]);
    // A committed timeline entry changed, or removed.
    let rewritten =
        PUBLISHED.replace("  - date: 2026-01-06\n    state: triaged", "  - date: 2026-01-07\n    state: triaged");
    repo.write(PUB, rewritten);
    refused(&repo, &["commit", "-a", "-m", "backdate"], "timeline-rewritten");
    let removed = PUBLISHED.replace("  - date: 2026-01-12\n    state: remediating\n", "");
    repo.write(PUB, removed);
    refused(&repo, &["commit", "-a", "-m", "drop an entry"], "timeline-rewritten");
    // The same through validate's own comparison.
    let a = repo.cmd().args(["validate", "--against", "HEAD"]).assert().code(1);
    assert!(stderr(&a).contains("timeline-rewritten"), "{}", stderr(&a));
    ok(&repo, &["reset", "-q", "--hard"]);
    // Appending to the timeline, and editing the body, are fine.
    repo.write(PUB, PUBLISHED.replace("Upgrade to 2.4.1.", "Upgrade to 2.4.1 or later."));
    committed(&repo, &["commit", "-a", "-m", "edit"]);
}

#[test]
fn a_state_jump_is_refused_at_commit_but_legal_steps_over_several_commits_pass_against() {
    let (repo, path, good) = with_received();
    let written: String =
        good.lines().map(|l| if l.starts_with("TODO") { "Written.\n".to_owned() } else { format!("{l}\n") }).collect();
    let triaged =
        written.replace("cwe: []", "severity:\n  cvss: CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N\ncwe: [CWE-79]");
    repo.write(&path, &triaged);
    repo.cmd().args(["advance", "1", "triaged"]).assert().success();
    let after_triage = repo.read(&path);
    // Confirmed by a hand edit with a well-formed timeline, from triaged: legal, one step.
    let confirmed = after_triage.replace("  - name: web\n", "  - name: web\n    affected: '< 2.4.1'\n").replacen(
        "\nstate: triaged\n",
        "\nstate: confirmed\n",
        1,
    );
    let confirmed =
        confirmed.replacen("\n---\n", &format!("\n  - date: {}\n    state: confirmed\n---\n", crate::util::TODAY), 1);
    // The same edit straight from received (two steps in one commit) is what verify calls an
    // illegal step: refused.
    ok(&repo, &["reset", "-q", "--hard", "HEAD~1"]);
    let jumped = confirmed.clone();
    repo.write(&path, &jumped);
    refused(&repo, &["commit", "-a", "-m", "jump"], "illegal-step");
    // One step at a time passes, and so does the whole branch against its base.
    ok(&repo, &["reset", "-q", "--hard"]);
    let base = head(&repo);
    repo.write(&path, &triaged);
    repo.cmd().args(["advance", "1", "triaged"]).assert().success();
    repo.write(&path, &confirmed);
    committed(&repo, &["commit", "-a", "-m", "confirm"]);
    repo.cmd().args(["validate", "--against", &base]).assert().success();
    assert_eq!(verify(&repo).0, 0);
}

fn verify(repo: &TestRepo) -> (i32, serde_json::Value) {
    let a = repo.cmd().args(["verify", "--format", "json"]).assert();
    (a.get_output().status.code().expect("code"), serde_json::from_slice(&a.get_output().stdout).expect("json"))
}

fn codes(v: &serde_json::Value, key: &str) -> Vec<String> {
    v[key].as_array().expect("array").iter().map(|f| f["code"].as_str().expect("code").to_owned()).collect()
}

fn head(repo: &TestRepo) -> String {
    repo.head_id().to_string()
}

#[test]
fn verify_accepts_acknowledged_history_and_reports_stale_or_bad_acknowledgements() {
    let repo = with_published();
    // Someone skips the hook: a deletion and a rewrite, each reverted.
    ok(&repo, &["rm", "-q", PUB]);
    ok(&repo, &["commit", "--no-verify", "-m", "delete"]);
    let deleted = head(&repo);
    repo.write(PUB, PUBLISHED);
    ok(&repo, &["add", PUB]);
    committed(&repo, &["commit", "-m", "restore"]);
    repo.write(PUB, PUBLISHED.replace("  - date: 2026-01-06\n", "  - date: 2026-01-07\n"));
    ok(&repo, &["commit", "--no-verify", "-a", "-m", "backdate"]);
    let rewritten = head(&repo);
    repo.write(PUB, PUBLISHED);
    // Reverting a rewrite is itself a rewrite of what HEAD holds: it too needs --no-verify.
    refused(&repo, &["commit", "-a", "-m", "revert"], "timeline-rewritten");
    ok(&repo, &["commit", "--no-verify", "-a", "-m", "revert"]);
    let reverted = head(&repo);
    let (code, v) = verify(&repo);
    assert_eq!(code, 1, "{v}");
    assert_eq!(codes(&v, "findings"), ["published-deleted", "timeline-rewritten", "timeline-rewritten"], "{v}");

    let ack = |commit: &str, code: &str| {
        format!(
            "  - commit: '{}'\n    code: {code}\n    path: {PUB}\n    reason: Hand edit without the hook; reverted.\n    by: Test Lead\n",
            &commit[..10]
        )
    };
    let file = format!(
        "acknowledged:\n{}{}{}",
        ack(&deleted, "published-deleted"),
        ack(&rewritten, "timeline-rewritten"),
        ack(&reverted, "timeline-rewritten")
    );
    // Only a committed acknowledgement counts.
    repo.write(".enigm/acknowledged.yaml", &file);
    assert_eq!(verify(&repo).0, 1);
    ok(&repo, &["add", ".enigm/acknowledged.yaml"]);
    committed(&repo, &["commit", "-m", "acknowledge"]);
    let (code, v) = verify(&repo);
    assert_eq!(code, 0, "{v}");
    assert!(codes(&v, "findings").is_empty(), "{v}");
    assert_eq!(codes(&v, "acknowledged").len(), 3, "{v}");
    assert_eq!(v["acknowledged"][0]["reason"], "Hand edit without the hook; reverted.");
    assert_eq!(v["acknowledged"][0]["by"], "Test Lead");
    // The run above recorded HEAD as verified, so a plain run now checks no commit: `--full`
    // walks the whole history again and shows what it acknowledged.
    let out = stdout(&repo.cmd().arg("verify").assert().success());
    assert!(out.contains("0 findings in 0 commits after"), "{out}");
    let out = stdout(&repo.cmd().args(["verify", "--full"]).assert().success());
    assert!(out.contains("acknowledged published-deleted") && out.contains("0 findings, 3 acknowledged"), "{out}");

    // An acknowledgement of nothing is reported.
    repo.write(".enigm/acknowledged.yaml", format!("{file}{}", ack("0123456789abcdef", "illegal-step")));
    committed(&repo, &["commit", "-a", "-m", "stale ack"]);
    let (code, v) = verify(&repo);
    assert_eq!((code, codes(&v, "findings")), (1, vec!["acknowledgement-unused".to_owned()]), "{v}");

    // Reasons are free text: a secret there is refused like anywhere else.
    repo.write(".enigm/acknowledged.yaml", file.replacen("reverted.", &format!("reverted; key {KEY}."), 1));
    refused(&repo, &["commit", "-a", "-m", "ack with a secret"], "secret");
    // A malformed file is refused by the hook, and by verify when it got in anyway.
    let bad = file.replace("    by: Test Lead\n", "");
    repo.write(".enigm/acknowledged.yaml", &bad);
    refused(&repo, &["commit", "-a", "-m", "bad ack"], "acknowledgement-invalid");
    ok(&repo, &["commit", "--no-verify", "-a", "-m", "bad ack"]);
    let (code, v) = verify(&repo);
    assert_eq!(code, 1, "{v}");
    assert!(codes(&v, "findings").contains(&"acknowledgement-invalid".to_owned()), "{v}");
}

#[test]
fn the_hook_scans_every_staged_file_under_reports() {
    let repo = TestRepo::new();
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        ("reports/attachments/server.log", format!("GET /?key={KEY}\n").into_bytes(), "secret"),
        ("reports/ENIGM-2026-0001/notes.txt", format!("aws {KEY}").into_bytes(), "secret"),
        ("reports/.draft.md", format!("---\n{KEY}\n").into_bytes(), "secret"),
        ("reports/poc.MD", format!("{KEY}\n").into_bytes(), "secret"),
        (
            "reports/shot.png",
            [b"\x89PNG\r\n\x1a\n\0\0tEXtComment\0".as_slice(), KEY.as_bytes(), b"\0\xff"].concat(),
            "secret",
        ),
        (
            "reports/capture.pcap",
            [b"\xd4\xc3\xb2\xa1\0\0".as_slice(), &KEY.bytes().flat_map(|b| [b, 0]).collect::<Vec<u8>>()].concat(),
            "secret",
        ),
        ("reports/poc.zip", b"PK\x03\x04\x14\0\0\0\x08\0rest".to_vec(), "file-unscannable"),
        ("reports/huge.log", vec![b'a'; 1024 * 1024 + 1], "file-too-large"),
    ];
    for (path, content, code) in &cases {
        repo.write(path, content);
        ok(&repo, &["add", "-f", path]);
        let out = refused(&repo, &["commit", "-m", "attach"], code);
        assert!(out.contains(path), "{path}: {out}");
        ok(&repo, &["rm", "-q", "--cached", path]);
        fs::remove_file(repo.root().join(path)).expect("rm");
    }
    // Clean attachments pass; a tracked one that gains a secret is caught by commit -a too.
    repo.write("reports/attachments/server.log", "GET /\n");
    repo.write("reports/shot.png", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0");
    ok(&repo, &["add", "reports"]);
    committed(&repo, &["commit", "-m", "clean attachments"]);
    repo.write("reports/attachments/server.log", format!("GET /\nGET /?key={KEY}\n"));
    refused(&repo, &["commit", "-a", "-m", "log grows"], "secret");
    refused(&repo, &["commit", "-m", "log grows", "--", "reports/attachments/server.log"], "secret");
}

/// A copy of the binary under test in its own directory.
fn binary_copy(dir: &Path) -> PathBuf {
    fs::create_dir_all(dir).expect("dir");
    let copy = dir.join("enigm-disclose");
    let built = env!("CARGO_BIN_EXE_enigm-disclose");
    // A hard link opens no file for writing; a copy made by this process holds a write
    // descriptor that a child forked meanwhile by another test thread inherits, and running
    // the copy then fails with ETXTBSY. Where linking is refused (another file system),
    // `cp` writes it in a process of its own.
    if fs::hard_link(built, &copy).is_err() {
        let status = Command::new("cp").arg(built).arg(&copy).status().expect("run cp");
        assert!(status.success(), "cp the binary");
    }
    copy
}

#[test]
fn a_hook_whose_binary_is_gone_says_how_to_fix_it_and_finds_it_again() {
    let repo = TestRepo::new();
    let tmp = repo.sandbox.tmp.path();
    // Install from a copy, then remove the copy.
    let copy = binary_copy(&tmp.join("gone"));
    let out = Command::new(&copy)
        .args(["hook", "install"])
        .current_dir(repo.root())
        .env("HOME", repo.sandbox.home())
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .output()
        .expect("install");
    assert!(out.status.success(), "{}", text(&out));
    fs::remove_file(&copy).expect("rm");
    // PATH with git and sh but no enigm-disclose.
    let bare_path = std::env::join_paths([git_exe().parent().expect("dir"), Path::new("/usr/bin"), Path::new("/bin")])
        .expect("PATH");
    assert!(
        std::env::split_paths(&bare_path).all(|d| !d.join("enigm-disclose").exists()),
        "the test needs a PATH without enigm-disclose"
    );
    let path_env = [("PATH", bare_path.as_os_str())];
    repo.write("reports/ENIGM-2026-0001.md", PUBLISHED.replace("level: critical", "level: low"));
    ok(&repo, &["add", "-A"]);
    let head = repo.head_id();
    let out = git_with(&repo, &["commit", "-m", "x"], &path_env);
    let all = text(&out);
    assert!(!out.status.success(), "{all}");
    assert_eq!(repo.head_id(), head);
    assert!(!all.contains("not found") || all.contains("cannot find the enigm-disclose binary"), "{all}");
    for needed in [
        "cannot find the enigm-disclose binary",
        "git config enigm.path",
        "hook install",
        "PATH",
        "git commit --no-verify",
    ] {
        assert!(all.contains(needed), "no `{needed}` in:\n{all}");
    }
    assert!(all.contains(&copy.display().to_string()), "names where it was installed from:\n{all}");

    // A configured path is used: the hook runs validate again (and blocks this bad report).
    let real = binary_copy(&tmp.join("configured"));
    ok(&repo, &["config", "enigm.path", &real.display().to_string()]);
    let out = git_with(&repo, &["commit", "-m", "x"], &path_env);
    assert!(!out.status.success() && text(&out).contains("cvss-level-mismatch"), "{}", text(&out));
    // A configured path that is gone is said so, and PATH is used.
    fs::remove_file(&real).expect("rm");
    let on_path = binary_copy(&tmp.join("on-path"));
    let with_bin = std::env::join_paths(
        std::iter::once(on_path.parent().expect("dir").to_owned()).chain(std::env::split_paths(&bare_path)),
    )
    .expect("PATH");
    let out = git_with(&repo, &["commit", "-m", "x"], &[("PATH", with_bin.as_os_str())]);
    let all = text(&out);
    assert!(!out.status.success() && all.contains("cvss-level-mismatch"), "{all}");
    assert!(all.contains("enigm.path") && all.contains("not an executable file"), "{all}");
    // With a good report the commit goes through that binary.
    ok(&repo, &["config", "--unset", "enigm.path"]);
    repo.write("enigm.yaml", repo.read("enigm.yaml").replacen("components: []", "components: [uploads]", 1));
    repo.write("reports/ENIGM-2026-0001.md", PUBLISHED);
    ok(&repo, &["add", "-A"]);
    let out = git_with(&repo, &["commit", "-m", "good"], &[("PATH", with_bin.as_os_str())]);
    assert!(out.status.success(), "{}", text(&out));
    // --no-verify skips the hook, as the message says.
    repo.write("reports/ENIGM-2026-0002.md", "not a report");
    ok(&repo, &["add", "-A"]);
    let out = git_with(&repo, &["commit", "--no-verify", "-m", "skip"], &path_env);
    assert!(out.status.success(), "{}", text(&out));
}

#[test]
fn the_hook_refuses_ambiguous_sections_and_secrets_split_by_a_yaml_escape() {
    // The classes of "private means private" and of decoded secrets, at the real commit: a
    // heading an HTML block swallows could publish a private section, and a key split by an
    // escaped line break is whole once YAML decodes it.
    let (repo, path, good) = with_received();
    let ambiguous = good.replacen("## Reproduction", "<details>\n## Reproduction", 1);
    assert_ne!(ambiguous, good, "the template has a Reproduction section");
    repo.write(&path, &ambiguous);
    refused(&repo, &["commit", "-a", "-m", "ambiguous"], "ambiguous-heading");
    let (head, tail) = KEY.split_at(10);
    let split = good.replacen("title: Path traversal in uploads", &format!("title: \"Leak {head}\\\n  {tail}\""), 1);
    assert_ne!(split, good, "the title was replaced");
    repo.write(&path, &split);
    refused(&repo, &["commit", "-a", "-m", "split"], "secret");
    repo.write(&path, &good);
    let out = git(&repo, &["status", "--porcelain"]);
    assert!(text(&out).trim().is_empty(), "{}", text(&out));
}
