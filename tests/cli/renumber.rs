//! `renumber`: id collisions after a merge (add/add conflict) and in the work tree.

use std::fs;
use std::path::Path;

use crate::util::{TestRepo, stderr, stdout};

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

    let a = repo.cmd().args(["renumber", "ENIGM-2026-0001"]).assert().success();
    let out = stdout(&a);
    assert!(out.contains("Renumbered the later ENIGM-2026-0001 as ENIGM-2026-0003"), "{out}");
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
    let a = repo.cmd().args(["renumber", "ENIGM-2026-0001"]).assert().success();
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
    assert!(stderr(&a).contains("published ids are never renumbered"), "{}", stderr(&a));
    assert!(fs::read_dir(repo.root().join("reports")).expect("ls").count() == 3);
}
