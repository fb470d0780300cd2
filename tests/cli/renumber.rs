//! `renumber`: id collisions after a merge (add/add conflict) and in the work tree; which
//! report keeps the id, decided by what is on the shared remote, on real clones.

use std::fs;
use std::path::{Path, PathBuf};

use crate::util::{Sandbox, TestRepo, stderr, stdout};

fn report(id: &str, title: &str, extra: &str) -> String {
    format!(
        "---\nid: {id}\ntitle: {title}\nstate: received\nreported: 2026-06-01\nreporter:\n  name: R\n{extra}timeline:\n  - date: 2026-06-01\n    state: received\n---\n\n## Summary\n\n{title}\n"
    )
}

/// Commits `files` on top of `parent` to `refname` with git2 (as a colleague's clone would).
fn commit_on(repo: &TestRepo, refname: &str, parent: git2::Oid, files: &[(&str, String)], time: i64) -> git2::Oid {
    let git = repo.git();
    let parent = git.find_commit(parent).expect("parent");
    let mut index = git2::Index::new().expect("index");
    index.read_tree(&parent.tree().expect("tree")).expect("read");
    for (path, content) in files {
        let blob = git.blob(content.as_bytes()).expect("blob");
        let mut entry = index.get_path(Path::new("enigm.yaml"), 0).expect("template entry");
        entry.id = blob;
        entry.path = path.as_bytes().to_vec();
        entry.file_size = content.len() as u32;
        entry.flags = path.len() as u16;
        index.add(&entry).expect("add");
    }
    let tree = git.find_tree(index.write_tree_to(&git).expect("tree")).expect("tree");
    let sig = git2::Signature::new("Colleague", "c@example.test", &git2::Time::new(time, 0)).expect("sig");
    git.commit(Some(refname), &sig, &sig, "colleague's report", &tree, &[&parent]).expect("commit")
}

#[test]
fn renumber_resolves_an_add_add_merge_conflict() {
    let repo = TestRepo::new();
    let base = repo.head_id();
    // The colleague filed ENIGM-2026-0001 first (earlier commit), on a branch we had not fetched.
    let theirs = commit_on(
        &repo,
        "refs/heads/colleague",
        base,
        &[("reports/ENIGM-2026-0001.md", report("ENIGM-2026-0001", "Theirs", ""))],
        1_781_000_000,
    );
    let git = repo.git();
    git.reference_symbolic("HEAD", "refs/heads/main", true, "stay").expect("head");
    // We filed ours later, unaware, plus a duplicate that points at ours. Simulate "unaware" by
    // hiding the colleague's branch while we file.
    git.find_reference("refs/heads/colleague").expect("ref").delete().expect("hide");
    assert_eq!(repo.new_report("Mine"), "ENIGM-2026-0001");
    let dup = report("ENIGM-2026-0002", "Dup", "resolution: duplicate\nduplicate_of: ENIGM-2026-0001\n");
    repo.write("reports/ENIGM-2026-0002.md", &dup);
    let mut idx = git.index().expect("index");
    idx.add_path(Path::new("reports/ENIGM-2026-0002.md")).expect("add");
    idx.write().expect("write");
    let tree = git.find_tree(idx.write_tree().expect("tree")).expect("tree");
    let head = git.head().expect("head").peel_to_commit().expect("c");
    let sig = git2::Signature::new("Test Lead", "lead@example.test", &git2::Time::new(1_781_510_500, 0)).expect("sig");
    git.commit(Some("HEAD"), &sig, &sig, "dup", &tree, &[&head]).expect("commit");
    git.reference("refs/heads/colleague", theirs, true, "fetch").expect("restore");

    let annotated = git.find_annotated_commit(theirs).expect("annotated");
    git.merge(&[&annotated], None, None).expect("merge");
    assert!(git.index().expect("index").has_conflicts(), "add/add conflict expected");

    // Neither side is on a remote-tracking branch: the user says which keeps the id.
    let a = repo.cmd().args(["renumber", "ENIGM-2026-0001"]).assert().code(2);
    assert!(stderr(&a).contains("neither is on a remote-tracking branch"), "{}", stderr(&a));
    let a = repo.cmd().args(["renumber", "ENIGM-2026-0001", "--keep", "theirs"]).assert().success();
    let out = stdout(&a);
    assert!(out.contains("Kept ENIGM-2026-0001 for theirs: reports/ENIGM-2026-0001.md \"Theirs\""), "{out}");
    assert!(out.contains("Renumbered ours: reports/ENIGM-2026-0001.md \"Mine\" (received)"), "{out}");
    assert!(out.contains("as ENIGM-2026-0003 (reports/ENIGM-2026-0003.md)"), "{out}");
    assert!(out.contains("updated duplicate_of in reports/ENIGM-2026-0002.md"), "{out}");
    assert!(out.contains("run `git commit` to conclude the merge"), "{out}");

    let git = repo.git();
    assert!(!git.index().expect("index").has_conflicts());
    assert_eq!(
        repo.read("reports/ENIGM-2026-0001.md"),
        report("ENIGM-2026-0001", "Theirs", ""),
        "the earlier report keeps the id"
    );
    let mine = repo.read("reports/ENIGM-2026-0003.md");
    assert!(mine.starts_with("---\nid: ENIGM-2026-0003\ntitle: Mine\n"), "{mine}");
    assert_eq!(
        repo.read("reports/ENIGM-2026-0002.md"),
        dup.replace("duplicate_of: ENIGM-2026-0001", "duplicate_of: ENIGM-2026-0003")
    );
    let index = git.index().expect("index");
    for p in ["reports/ENIGM-2026-0001.md", "reports/ENIGM-2026-0002.md", "reports/ENIGM-2026-0003.md"] {
        assert!(index.get_path(Path::new(p), 0).is_some(), "{p} staged");
    }
    repo.cmd().arg("validate").assert().success();
}

#[test]
fn renumber_moves_the_uncommitted_copy_in_one_commit() {
    let repo = TestRepo::new();
    repo.new_report("first");
    repo.write("reports/ENIGM-2026-0009.md", report("ENIGM-2026-0001", "Copy", ""));
    let before = repo.commit_count();
    let a = repo.cmd().args(["renumber", "ENIGM-2026-0001"]).assert().code(2);
    let err = stderr(&a);
    assert!(err.contains("- reports/ENIGM-2026-0001.md \"first\" (received)\n"), "{err}");
    assert!(err.contains("- reports/ENIGM-2026-0009.md \"Copy\" (received)\n"), "{err}");
    assert!(err.contains("not committed, on no remote-tracking branch"), "{err}");
    assert_eq!(repo.commit_count(), before, "nothing done");
    let a = repo.cmd().args(["renumber", "ENIGM-2026-0001", "--keep", "ENIGM-2026-0001"]).assert().success();
    assert!(stdout(&a).contains("as ENIGM-2026-0010"), "{}", stdout(&a));
    assert_eq!(repo.commit_count(), before + 1);
    assert!(!repo.root().join("reports/ENIGM-2026-0009.md").exists());
    assert!(repo.read("reports/ENIGM-2026-0010.md").contains("id: ENIGM-2026-0010\ntitle: Copy"));
    assert!(repo.head_message().starts_with("ENIGM-2026-0010: renumbered from ENIGM-2026-0001"));
    assert!(repo.status().is_empty(), "{:?}", repo.status());
}

#[test]
fn renumber_refuses_without_a_collision_or_when_both_are_published() {
    let repo = TestRepo::new();
    repo.new_report("only");
    let a = repo.cmd().args(["renumber", "ENIGM-2026-0001"]).assert().code(2);
    assert!(stderr(&a).contains("no collision"), "{}", stderr(&a));

    let published = |id: &str| report(id, "P", "").replace("state: received", "state: published");
    repo.write("reports/ENIGM-2026-0001.md", published("ENIGM-2026-0001"));
    repo.write("reports/ENIGM-2026-0005.md", published("ENIGM-2026-0001"));
    let a = repo.cmd().args(["renumber", "ENIGM-2026-0001"]).assert().code(2);
    assert!(stderr(&a).contains("which one keeps it?"), "{}", stderr(&a));
    let a = repo.cmd().args(["renumber", "ENIGM-2026-0001", "--keep", "reports/ENIGM-2026-0001.md"]).assert().code(2);
    assert!(stderr(&a).contains("published ids are never renumbered"), "{}", stderr(&a));
    assert!(fs::read_dir(repo.root().join("reports")).expect("ls").count() == 3);
}

/// A bare "shared remote" and two clones of it, Alice's and Bob's, in one sandbox.
struct Team {
    sandbox: Sandbox,
    alice: PathBuf,
    bob: PathBuf,
}

impl Team {
    fn new() -> Team {
        let repo = TestRepo::new();
        let sandbox = repo.sandbox;
        let tmp = sandbox.tmp.path().to_owned();
        git(&sandbox, &tmp, &["clone", "-q", "--bare", "work", "remote.git"]);
        git(&sandbox, &tmp, &["clone", "-q", "remote.git", "alice"]);
        git(&sandbox, &tmp, &["clone", "-q", "remote.git", "bob"]);
        Team { alice: tmp.join("alice"), bob: tmp.join("bob"), sandbox }
    }

    /// Files a report in `dir` as `who` (the git author) and returns the commit id.
    fn file(&self, dir: &Path, who: &str, title: &str) -> String {
        self.sandbox
            .cmd_in(dir)
            .args(["new", "--title", title, "--product", "web", "--reporter-name", "R"])
            .env("GIT_AUTHOR_NAME", who)
            .assert()
            .success();
        git(&self.sandbox, dir, &["rev-parse", "HEAD"]).trim().to_owned()
    }

    fn git(&self, dir: &Path, args: &[&str]) -> String {
        git(&self.sandbox, dir, args)
    }

    /// Bob pulls Alice's work (from `source`) into his own: an add/add conflict on 0001.
    fn bob_pulls(&self, source: &str) {
        let out = git_raw(&self.sandbox, &self.bob, &["pull", "-q", "--no-rebase", source, "main"]);
        assert!(!out.status.success(), "a conflict is expected");
        assert!(String::from_utf8_lossy(&out.stdout).contains("CONFLICT (add/add)"), "{out:?}");
    }

    fn renumber(&self, extra: &[&str]) -> assert_cmd::assert::Assert {
        self.sandbox.cmd_in(&self.bob).args(["renumber", "ENIGM-2026-0001"]).args(extra).assert()
    }

    fn history(&self, dir: &Path, id: &str) -> serde_json::Value {
        let a = self.sandbox.cmd_in(dir).args(["history", id, "--format", "json"]).assert().success();
        serde_json::from_slice(&a.get_output().stdout).expect("json")
    }
}

/// The `git` command line in `dir`, with the sandbox's home (identity) and fixed dates: every
/// commit of these tests falls in the same second, where "the later one" was arbitrary.
fn git_raw(sandbox: &Sandbox, dir: &Path, args: &[&str]) -> std::process::Output {
    std::process::Command::new("git")
        .current_dir(dir)
        .args(args)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", sandbox.home())
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_AUTHOR_DATE", "@1781510400 +0000")
        .env("GIT_COMMITTER_DATE", "@1781510400 +0000")
        .output()
        .expect("git runs")
}

fn git(sandbox: &Sandbox, dir: &Path, args: &[&str]) -> String {
    let out = git_raw(sandbox, dir, args);
    assert!(out.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn authors(h: &serde_json::Value) -> Vec<String> {
    h["entries"].as_array().expect("entries").iter().map(|e| e["author"].as_str().unwrap_or("-").to_owned()).collect()
}

/// Regression: Alice filed ENIGM-2026-0001 and pushed; Bob filed his own 0001 and pulled.
/// `renumber` renamed Alice's report (the id the researcher already knew). Now the report on
/// the remote keeps its id, Bob's moves, and Bob's report keeps its filing in `history`.
#[test]
fn the_report_already_on_the_remote_keeps_its_id() {
    let team = Team::new();
    let alice_filing = team.file(&team.alice, "Alice", "Alice report");
    team.git(&team.alice, &["push", "-q", "origin", "main"]);
    let bob_filing = team.file(&team.bob, "Bob", "Bob report");
    team.bob_pulls("origin");

    // Short ids work as anywhere else.
    let out = stdout(&team.sandbox.cmd_in(&team.bob).args(["renumber", "1"]).assert().success());
    assert!(out.contains("Kept ENIGM-2026-0001 for theirs: reports/ENIGM-2026-0001.md \"Alice report\""), "{out}");
    assert!(out.contains("it keeps the id: its filing is on origin/main\n"), "{out}");
    assert!(
        out.contains("Renumbered ours: reports/ENIGM-2026-0001.md \"Bob report\" (received) as ENIGM-2026-0002"),
        "{out}"
    );
    assert!(out.contains(&format!("  filed in {} by Bob, on no remote-tracking branch\n", &bob_filing[..7])), "{out}");
    team.git(&team.bob, &["commit", "-q", "--no-edit"]);
    team.sandbox.cmd_in(&team.bob).arg("validate").assert().success();
    team.sandbox.cmd_in(&team.bob).arg("verify").assert().success();
    let text = fs::read_to_string(team.bob.join("reports/ENIGM-2026-0001.md")).expect("kept");
    assert!(text.contains("title: Alice report"), "{text}");

    // Bob's renumbered report keeps its filing commit and author across the rename.
    let h = team.history(&team.bob, "2");
    assert_eq!(h["entries"][0]["kind"], "filing", "{h}");
    assert_eq!(h["entries"][0]["commit"], bob_filing.as_str(), "{h}");
    assert_eq!(h["entries"][0]["author"], "Bob", "{h}");
    let rename =
        h["entries"].as_array().expect("entries").iter().find(|e| e["kind"] == "rename").expect("a rename row");
    assert_eq!(rename["note"], "renamed from reports/ENIGM-2026-0001.md", "{h}");
    // Alice's report's history is hers alone: Bob's filing of the same name is not mixed in.
    let h = team.history(&team.bob, "ENIGM-2026-0001");
    assert_eq!(authors(&h), ["Alice"], "{h}");
    assert_eq!(h["entries"][0]["commit"], alice_filing.as_str());

    // Pushed, Alice gets it as it is: her id unchanged.
    team.git(&team.bob, &["push", "-q", "origin", "main"]);
    team.git(&team.alice, &["pull", "-q", "--ff-only", "origin", "main"]);
    let h = team.history(&team.alice, "2");
    assert_eq!(h["entries"][0]["author"], "Bob", "{h}");
}

/// Neither report is on a remote (Bob pulled straight from Alice's clone): the command
/// refuses, lists both with their filing commits and authors, and `--keep` decides.
#[test]
fn neither_on_a_remote_asks_which_keeps_the_id() {
    let team = Team::new();
    let alice_filing = team.file(&team.alice, "Alice", "Alice report");
    team.file(&team.bob, "Bob", "Bob report");
    team.bob_pulls("../alice");
    let conflicted = || team.git(&team.bob, &["diff", "--name-only", "--diff-filter=U"]);
    assert_eq!(conflicted().trim(), "reports/ENIGM-2026-0001.md");

    let err = stderr(&team.renumber(&[]).code(2));
    assert!(
        err.contains(
            "two reports claim the id ENIGM-2026-0001: which one keeps it? (neither is on a remote-tracking branch"
        ),
        "{err}"
    );
    assert!(err.contains("ours: reports/ENIGM-2026-0001.md \"Bob report\" (received)\n"), "{err}");
    assert!(err.contains("theirs: reports/ENIGM-2026-0001.md \"Alice report\" (received)\n"), "{err}");
    assert!(
        err.contains(&format!("filed in {} by Alice, on no remote-tracking branch\n", &alice_filing[..7])),
        "{err}"
    );
    assert!(err.contains("--keep ours"), "the help names the flag: {err}");
    // A file name both sides share names both: refused, nothing changed.
    let err = stderr(&team.renumber(&["--keep", "reports/ENIGM-2026-0001.md"]).code(2));
    assert!(err.contains("--keep names both of the two reports"), "{err}");
    let err = stderr(&team.renumber(&["--keep", "abcdef12"]).code(2));
    assert!(err.contains("--keep names neither of the two reports"), "{err}");
    assert_eq!(conflicted().trim(), "reports/ENIGM-2026-0001.md", "still unresolved");

    // Alice's filing commit names her report unambiguously.
    let out = stdout(&team.renumber(&["--keep", &alice_filing[..8]]).success());
    assert!(out.contains("\"Alice report\"") && out.contains("it keeps the id: named by --keep"), "{out}");
    assert!(out.contains("Renumbered ours: reports/ENIGM-2026-0001.md \"Bob report\""), "{out}");
    team.git(&team.bob, &["commit", "-q", "--no-edit"]);
    team.sandbox.cmd_in(&team.bob).arg("validate").assert().success();
}

/// Both reports are on remote-tracking branches: refused; `--keep ours` keeps Bob's.
#[test]
fn both_on_remotes_asks_which_keeps_the_id() {
    let team = Team::new();
    team.file(&team.alice, "Alice", "Alice report");
    team.git(&team.alice, &["push", "-q", "origin", "main"]);
    team.file(&team.bob, "Bob", "Bob report");
    team.git(&team.bob, &["push", "-q", "origin", "main:bob-work"]);
    team.bob_pulls("origin");
    let err = stderr(&team.renumber(&[]).code(2));
    assert!(err.contains("both are on remote-tracking branches"), "{err}");
    assert!(err.contains("on origin/bob-work") && err.contains("on origin/main"), "{err}");
    let out = stdout(&team.renumber(&["--keep", "ours"]).success());
    assert!(out.contains("Kept ENIGM-2026-0001 for ours: reports/ENIGM-2026-0001.md \"Bob report\""), "{out}");
    assert!(out.contains("Renumbered theirs: reports/ENIGM-2026-0001.md \"Alice report\""), "{out}");
    team.git(&team.bob, &["commit", "-q", "--no-edit"]);
    let h = team.history(&team.bob, "2");
    assert_eq!(h["entries"][0]["author"], "Alice", "Alice's report, renamed, keeps her filing: {h}");
}
