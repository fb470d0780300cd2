//! Faults while writing: a full disk (a file-size limit), a process killed mid-write, a held
//! `index.lock`, and two commands racing on one repository. After each, the work tree, the
//! index and HEAD are as they were, or as the one successful command left them.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use crate::util::{TestRepo, stderr};

const PATH: &str = "reports/ENIGM-2026-0001.md";

/// A repository with one received report (a body over 2 KB) ready to be triaged.
fn repo_ready_to_triage() -> TestRepo {
    let repo = TestRepo::new();
    let body = repo.sandbox.tmp.path().join("body.md");
    let filler = "The search page reflects the q parameter without encoding it. ".repeat(30);
    fs::write(&body, format!("## Summary\n\n{filler}\n\n## Impact\n\nSession theft.\n")).expect("body");
    repo.cmd()
        .args([
            "new",
            "--title",
            "XSS in search",
            "--product",
            "web",
            "--reporter-name",
            "Jane Doe",
            "--severity",
            "low",
        ])
        .arg("--body-file")
        .arg(&body)
        .assert()
        .success();
    repo
}

/// The binary as a plain process (to run several at once, or under a shell), with the
/// sandbox's environment.
fn process(repo: &TestRepo, program: &str) -> Command {
    let mut c = Command::new(program);
    c.current_dir(repo.root())
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", repo.sandbox.home())
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("ENIGM_TODAY", crate::util::TODAY)
        .env("NO_COLOR", "1");
    c
}

fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_enigm-disclose")
}

/// Runs the binary with files limited to `kib` KiB. With `survive`, SIGXFSZ is ignored so the
/// write fails with EFBIG (a full disk, as the program sees it); without, the kernel kills
/// the process at the first write past the limit (an interruption mid-write).
fn limited(repo: &TestRepo, kib: u32, survive: bool, args: &[&str]) -> Output {
    let trap = if survive { "trap '' XFSZ; " } else { "" };
    let script = format!("{trap}ulimit -f {kib}; exec \"$0\" \"$@\"");
    process(repo, "sh").arg("-c").arg(script).arg(bin()).args(args).output().expect("sh runs")
}

/// Everything a failed command must leave as it was: the work tree (minus `.git`), the index
/// file and HEAD.
#[derive(Debug, PartialEq)]
struct Snapshot {
    files: Vec<(PathBuf, Vec<u8>)>,
    index: Vec<u8>,
    head: git2::Oid,
}

fn snapshot(repo: &TestRepo) -> Snapshot {
    let files = crate::util::work_tree_files(&repo.root(), &[]);
    Snapshot { files, index: fs::read(repo.root().join(".git/index")).expect("index"), head: repo.head_id() }
}

fn hidden_temp_files(dir: &Path) -> Vec<String> {
    fs::read_dir(dir)
        .map(|d| {
            d.filter_map(|e| e.ok())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| n.starts_with(".enigm-"))
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn a_full_disk_fails_cleanly_and_changes_nothing() {
    let repo = repo_ready_to_triage();
    let before = snapshot(&repo);
    let out = limited(&repo, 1, true, &["advance", "1", "triaged"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("cannot write reports/ENIGM-2026-0001.md") && err.contains("too large"), "{err}");
    assert_eq!(snapshot(&repo), before, "advance on a full disk changed something");
    assert!(hidden_temp_files(&repo.root().join("reports")).is_empty(), "the temporary file is removed");

    let big = repo.sandbox.tmp.path().join("big.md");
    fs::write(&big, format!("## Summary\n\n{}\n", "x".repeat(4000))).expect("body");
    let big = big.to_str().expect("utf8");
    let out = limited(
        &repo,
        1,
        true,
        &["new", "--title", "T", "--product", "web", "--reporter-name", "R", "--body-file", big],
    );
    assert_eq!(out.status.code(), Some(2), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(snapshot(&repo), before, "new on a full disk left something");

    let out = limited(&repo, 1, true, &["stats", "--html", "dash.html"]);
    assert_eq!(out.status.code(), Some(2), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(!repo.root().join("dash.html").exists());
    assert_eq!(snapshot(&repo), before);

    let out = limited(&repo, 1, true, &["templates", "export"]);
    assert_eq!(out.status.code(), Some(2), "{}", String::from_utf8_lossy(&out.stderr));
    // Whatever was exported before the disk filled up is whole: the same bytes as a full export.
    let reference = TestRepo::new();
    reference.cmd().args(["templates", "export"]).assert().success();
    for entry in fs::read_dir(repo.root().join("templates")).expect("templates").filter_map(|e| e.ok()) {
        let name = entry.file_name();
        if name == ".gitkeep" {
            continue;
        }
        let whole = fs::read(reference.root().join("templates").join(&name)).expect("reference template");
        assert_eq!(fs::read(entry.path()).expect("read"), whole, "{name:?} is half-written");
    }
    assert!(hidden_temp_files(&repo.root().join("templates")).is_empty());
}

#[test]
fn a_full_disk_during_render_leaves_whole_files() {
    let repo = TestRepo::new();
    repo.write(PATH, include_str!("../fixtures/reports/published.md"));
    let site = repo.sandbox.tmp.path().join("site");
    let site_arg = site.to_str().expect("utf8");
    repo.cmd().args(["render", "--out", site_arg]).assert().success();
    let old: Vec<(PathBuf, Vec<u8>)> = files_under(&site);
    repo.write(
        PATH,
        include_str!("../fixtures/reports/published.md").replace("Upgrade to 2.4.1.", &"Upgrade now. ".repeat(200)),
    );
    let out = limited(&repo, 4, true, &["render", "--out", site_arg]);
    assert_eq!(out.status.code(), Some(2), "{}", String::from_utf8_lossy(&out.stderr));
    let fresh = repo.sandbox.tmp.path().join("fresh");
    repo.cmd().args(["render", "--out", fresh.to_str().expect("utf8")]).assert().success();
    let new: Vec<(PathBuf, Vec<u8>)> = files_under(&fresh);
    for (rel, bytes) in files_under(&site) {
        let was = old.iter().any(|(r, b)| *r == rel && *b == bytes);
        let is = new.iter().any(|(r, b)| *r == rel && *b == bytes);
        assert!(was || is || rel.starts_with(".enigm-"), "{} is neither the old nor the new file", rel.display());
    }
}

fn files_under(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_owned()];
    while let Some(d) = stack.pop() {
        for e in fs::read_dir(&d).expect("dir").filter_map(|e| e.ok()) {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push((p.strip_prefix(dir).expect("inside").to_owned(), fs::read(&p).expect("read")));
            }
        }
    }
    out
}

#[test]
fn a_process_killed_mid_write_leaves_the_old_file() {
    let repo = repo_ready_to_triage();
    let before = snapshot(&repo);
    let out = limited(&repo, 1, false, &["advance", "1", "triaged"]);
    assert_eq!(out.status.code(), None, "the kernel killed it (SIGXFSZ)");
    let after = snapshot(&repo);
    assert_eq!(after.head, before.head);
    assert_eq!(after.index, before.index);
    let report = |s: &Snapshot| s.files.iter().find(|(p, _)| p == Path::new(PATH)).map(|(_, b)| b.clone());
    assert_eq!(report(&after), report(&before), "the report is the old one, whole");
    // A temporary file may remain; it is hidden, and nothing reads it as a report.
    repo.cmd().arg("validate").assert().success();
    repo.cmd().args(["advance", "1", "triaged"]).assert().success();
}

#[test]
fn killed_at_random_moments_the_report_is_old_or_new_never_partial() {
    let repo = repo_ready_to_triage();
    let old = repo.read(PATH);
    for delay_ms in [0u64, 2, 4, 6, 8, 10, 15, 20, 30, 50] {
        // Its output is of no interest (it may be killed before printing anything); it must not
        // reach the test harness's own stdout.
        let mut child = process(&repo, bin())
            .args(["advance", "1", "triaged", "--no-commit"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn");
        std::thread::sleep(std::time::Duration::from_millis(delay_ms));
        let _ = child.kill();
        let _ = child.wait();
        let now = repo.read(PATH);
        assert!(now == old || now.contains("state: triaged\n"), "partial file after {delay_ms} ms:\n{now}");
        if now != old {
            assert!(now.starts_with(&old[..old.find("state:").expect("state")]), "edits kept the bytes before");
            repo.write(PATH, &old);
        }
    }
}

#[test]
fn a_held_index_lock_is_reported_and_changes_nothing() {
    let repo = repo_ready_to_triage();
    fs::write(repo.root().join(".git/index.lock"), "").expect("lock");
    let before = snapshot(&repo);
    for args in
        [&["advance", "1", "triaged"][..], &["new", "--title", "T", "--product", "web", "--reporter-name", "R"][..]]
    {
        let a = repo.cmd().args(args).assert().code(2);
        assert!(stderr(&a).contains("the git index is locked"), "{}", stderr(&a));
        assert_eq!(snapshot(&repo), before, "`{}` changed something", args.join(" "));
    }
}

#[test]
fn two_advances_race_exactly_one_wins() {
    for _ in 0..4 {
        let repo = repo_ready_to_triage();
        let head = repo.head_id();
        let children: Vec<_> =
            (0..2).map(|_| process(&repo, bin()).args(["advance", "1", "triaged"]).output()).collect();
        let outputs: Vec<Output> = children.into_iter().map(|o| o.expect("ran")).collect();
        let codes: Vec<Option<i32>> = outputs.iter().map(|o| o.status.code()).collect();
        let wins = codes.iter().filter(|c| **c == Some(0)).count();
        assert_eq!(
            wins,
            1,
            "codes {codes:?}: {:?}",
            outputs.iter().map(|o| String::from_utf8_lossy(&o.stderr)).collect::<Vec<_>>()
        );
        let loser = outputs.iter().find(|o| o.status.code() != Some(0)).expect("a loser");
        assert_eq!(loser.status.code(), Some(1), "{}", String::from_utf8_lossy(&loser.stderr));
        assert!(String::from_utf8_lossy(&loser.stderr).contains("`triaged` → `triaged`"));
        assert_eq!(repo.commit_count(), 3, "init, new, one advance");
        assert_ne!(repo.head_id(), head);
        assert_eq!(repo.read(PATH).matches("state: triaged").count(), 2, "state and one timeline entry");
        assert!(repo.status().is_empty(), "{:?}", repo.status());
        repo.cmd().arg("validate").assert().success();
        repo.cmd().arg("verify").assert().success();
    }
}

#[test]
fn concurrent_news_get_distinct_ids_and_one_commit_each() {
    let repo = TestRepo::new();
    let children: Vec<_> = (0..4)
        .map(|i| {
            process(&repo, bin())
                .args(["new", "--title", &format!("Report {i}"), "--product", "web", "--reporter-name", "R"])
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .expect("spawn")
        })
        .collect();
    for c in children {
        let out = c.wait_with_output().expect("wait");
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    }
    assert_eq!(repo.commit_count(), 5);
    let ids: Vec<String> = fs::read_dir(repo.root().join("reports"))
        .expect("dir")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".md"))
        .collect();
    assert_eq!(ids.len(), 4, "{ids:?}");
    assert!(repo.status().is_empty(), "{:?}", repo.status());
    repo.cmd().arg("verify").assert().success();
}

#[test]
fn a_full_disk_stops_init_hook_and_demo_cleanly() {
    let repo = TestRepo::new();
    // The hook (about 1 KB with the binary's path) cannot be written: the old state stays.
    repo.cmd().args(["hook", "uninstall"]).assert().success();
    let before = snapshot(&repo);
    let out = limited(&repo, 0, true, &["hook", "install"]);
    assert_eq!(out.status.code(), Some(2), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(!repo.root().join(".git/hooks/pre-commit").exists(), "no half-written hook");
    assert_eq!(snapshot(&repo), before);

    // init: enigm.yaml (about 2 KB) does not fit; a second init, with room, completes it.
    let out =
        limited(&repo, 1, true, &["init", "fresh", "--organization", "A", "--contact", "a@b.test", "--product", "web"]);
    assert_eq!(out.status.code(), Some(2), "{}", String::from_utf8_lossy(&out.stderr));
    let fresh = repo.root().join("fresh");
    assert!(!fresh.join("enigm.yaml").exists(), "no half-written configuration");
    repo.cmd()
        .args(["init", "fresh", "--organization", "A", "--contact", "a@b.test", "--product", "web", "--force"])
        .assert()
        .success();
    assert!(fresh.join("enigm.yaml").is_file());

    let out = limited(&repo, 1, true, &["demo", "demo-dir"]);
    assert_eq!(out.status.code(), Some(2), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(!String::from_utf8_lossy(&out.stderr).contains("panicked"));
}
