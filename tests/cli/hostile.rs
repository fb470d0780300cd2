//! The hostile corpus (`tests/fixtures/hostile/`): every fixture gets its expected located
//! findings from `validate`, and every command run over it ends with exit 0, 1 or 2, a message
//! naming the file, no panic and no hang.

use std::fs;
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::util::{TestRepo, stderr, stdout};

const REPORT: &str = "reports/ENIGM-2026-0001.md";
const ID: &str = "ENIGM-2026-0001";

fn hostile(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/hostile").join(rel)
}

/// (fixture, validate's exit code, codes it must report).
fn expectations() -> Vec<(String, i32, Vec<String>)> {
    let text = fs::read_to_string(hostile("expected.txt")).expect("expected.txt");
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| {
            let mut parts = l.split_whitespace();
            let name = parts.next().expect("name").to_owned();
            let exit = parts.next().and_then(|e| e.parse().ok()).expect("exit code");
            let codes = parts.filter(|c| *c != "-").map(str::to_owned).collect();
            (name, exit, codes)
        })
        .collect()
}

/// Commits everything in the work tree (the hostile bytes become history for `verify`).
fn commit_all(repo: &TestRepo, message: &str) {
    let git = repo.git();
    let mut index = git.index().expect("index");
    index.add_all(["*"], git2::IndexAddOption::FORCE, None).expect("add");
    index.write().expect("write index");
    let tree = git.find_tree(index.write_tree().expect("tree")).expect("tree");
    let sig = git2::Signature::now("Test Lead", "lead@example.test").expect("sig");
    let parent = git.head().expect("head").peel_to_commit().expect("commit");
    git.commit(Some("HEAD"), &sig, &sig, message, &tree, &[&parent]).expect("commit");
}

/// Runs one command with a time bound; returns (exit code, stdout + stderr).
fn run(repo: &TestRepo, args: &[&str]) -> (i32, String) {
    let out = repo.cmd().args(args).timeout(Duration::from_secs(60)).output().expect("runs");
    let text = String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    let code = out.status.code().unwrap_or_else(|| panic!("`{}` was killed (timeout?):\n{text}", args.join(" ")));
    (code, text)
}

/// Every command, over a repository holding one hostile file; `names` are the strings one of
/// which a failing command must mention.
fn every_command_behaves(repo: &TestRepo, fixture: &str, names: &[&str]) {
    let site = repo.sandbox.tmp.path().join("site-out");
    let site = site.to_str().expect("utf8 path");
    let commands: &[&[&str]] = &[
        &["validate"],
        &["validate", "--format", "json"],
        &["validate", "--format", "sarif"],
        &["validate", "--staged"],
        &[],
        &["list"],
        &["list", "--format", "json"],
        &["due"],
        &["stats", "--format", "json"],
        &["show", ID],
        &["show", ID, "--format", "json"],
        &["render", "--out", site],
        &["render", ID, "--format", "osv"],
        &["render", ID, "--draft"],
        &["advance", ID, "triaged"],
        &["history", ID],
        &["verify"],
        &["new", "--title", "Another report", "--product", "web", "--reporter-name", "Jane Doe"],
    ];
    for args in commands {
        let (code, text) = run(repo, args);
        let shown = format!("`enigm-disclose {}` on {fixture}", args.join(" "));
        assert!(code != 101 && !text.contains("panicked"), "{shown} panicked:\n{text}");
        assert!(matches!(code, 0..=2), "{shown} exited {code}:\n{text}");
        // `due` exits 1 for overdue deadlines, which is not about the file.
        let about_deadlines = args.first() == Some(&"due") && text.contains("overdue");
        if code != 0 && !about_deadlines {
            assert!(names.iter().any(|n| text.contains(n)), "{shown} exited {code} without naming the file:\n{text}");
        }
    }
}

/// Checks validate's JSON findings for the file: the expected codes, each with a line.
fn validate_reports(repo: &TestRepo, fixture: &str, path: &str, exit: i32, codes: &[String]) {
    let out = repo.cmd().args(["validate", "--format", "json"]).timeout(Duration::from_secs(60)).assert().code(exit);
    let json: serde_json::Value = serde_json::from_str(&stdout(&out)).expect("json");
    let findings = json["findings"].as_array().expect("findings");
    for code in codes {
        let found = findings.iter().find(|f| f["code"] == code.as_str() && f["path"] == path);
        let f = found.unwrap_or_else(|| panic!("{fixture}: no `{code}` on {path}; got {findings:#?}"));
        // Problems of the file as a whole have no line to point at.
        let whole_file = ["config-unreadable", "file-too-large", "symlink", "not-a-file", "file-unreadable"];
        if !whole_file.contains(&code.as_str()) {
            assert!(f["line"].as_u64().is_some(), "{fixture}: `{code}` is not located: {f}");
        }
    }
}

#[test]
fn every_report_fixture_gets_its_findings_and_no_command_fails_badly() {
    let cases: Vec<_> = expectations().into_iter().filter(|(n, ..)| n.starts_with("reports/")).collect();
    assert!(cases.len() >= 60, "the corpus has {} report fixtures", cases.len());
    for (name, exit, codes) in cases {
        let repo = TestRepo::new();
        fs::copy(hostile(&name), repo.root().join(REPORT)).expect("copy");
        commit_all(&repo, &format!("hostile: {name}"));
        validate_reports(&repo, &name, REPORT, exit, &codes);
        every_command_behaves(&repo, &name, &[REPORT, ID]);
    }
}

#[test]
fn every_config_fixture_is_refused_with_its_finding() {
    let cases: Vec<_> = expectations().into_iter().filter(|(n, ..)| n.starts_with("configs/")).collect();
    assert!(cases.len() >= 10);
    for (name, exit, codes) in cases {
        let repo = TestRepo::new();
        repo.write(REPORT, include_str!("../fixtures/reports/published.md"));
        fs::copy(hostile(&name), repo.root().join("enigm.yaml")).expect("copy");
        commit_all(&repo, &format!("hostile: {name}"));
        validate_reports(&repo, &name, "enigm.yaml", exit, &codes);
        every_command_behaves(&repo, &name, &["enigm.yaml", ID]);
    }
}

/// Cases that cannot be stored in git as fixtures: made here.
#[test]
fn generated_hostile_files() {
    let base = fs::read_to_string(hostile("reports/lines-no-final-newline.md")).expect("base");
    type Make = fn(&Path, &str);
    let cases: Vec<(&str, Make, i32, &str)> = vec![
        (
            "over 1 MiB on one line",
            |p, b| fs::write(p, format!("{b}\n{}\n", "x".repeat(1_100_000))).expect("w"),
            1,
            "file-too-large",
        ),
        (
            "a 1,000,000-byte title",
            |p, b| fs::write(p, b.replace("XSS in search", &"A".repeat(1_000_000))).expect("w"),
            1,
            "invalid-field",
        ),
        (
            "50,000 unknown keys",
            |p, b| {
                let keys: String = (0..20_000).map(|i| format!("k{i}: v\n")).collect();
                fs::write(p, b.replacen("title:", &format!("{keys}title:"), 1)).expect("w")
            },
            1,
            "unknown-field",
        ),
        (
            "20,000 timeline entries",
            |p, b| {
                let entries: String = (0..10_000).map(|_| "  - date: 2026-06-01\n    state: received\n").collect();
                fs::write(p, b.replacen("timeline:\n", &format!("timeline:\n{entries}"), 1)).expect("w")
            },
            1,
            "timeline-transition",
        ),
        ("a symbolic link out of the repository", |p, _| symlink(Path::new("/etc/passwd"), p), 1, "symlink"),
        ("a dangling symbolic link", |p, _| symlink(Path::new("../nowhere/x.md"), p), 1, "symlink"),
        ("a directory named like a report", |p, _| fs::create_dir(p).expect("dir"), 1, "not-a-file"),
        ("a FIFO named like a report", |p, _| mkfifo(p), 1, "not-a-file"),
    ];
    for (what, make, exit, code) in cases {
        let repo = TestRepo::new();
        make(&repo.root().join(REPORT), &base);
        validate_reports(&repo, what, REPORT, exit, &[code.to_owned()]);
        every_command_behaves(&repo, what, &[REPORT, ID]);
    }
}

#[test]
fn a_symlinked_config_is_never_followed() {
    let repo = TestRepo::new();
    let outside = repo.sandbox.tmp.path().join("outside.yaml");
    fs::copy(repo.root().join("enigm.yaml"), &outside).expect("copy");
    fs::remove_file(repo.root().join("enigm.yaml")).expect("rm");
    symlink(&outside, &repo.root().join("enigm.yaml"));
    let a = repo.cmd().arg("validate").assert().code(1);
    assert!(stderr(&a).contains("symbolic link"), "{}", stderr(&a));
    // Every other command refuses to run on it (exit 1: the configuration has a finding).
    let a = repo.cmd().arg("list").assert().code(1);
    assert!(stderr(&a).contains("symbolic link"), "{}", stderr(&a));
}

#[cfg(unix)]
#[test]
fn an_unreadable_report_is_named() {
    use std::os::unix::fs::PermissionsExt;
    let repo = TestRepo::new();
    repo.write(REPORT, include_str!("../fixtures/reports/published.md"));
    let path = repo.root().join(REPORT);
    fs::set_permissions(&path, fs::Permissions::from_mode(0o000)).expect("chmod");
    if fs::read(&path).is_ok() {
        // Running as root: permissions do not stop reads, so there is nothing to observe.
        fs::set_permissions(&path, fs::Permissions::from_mode(0o644)).expect("chmod");
        return;
    }
    let a = repo.cmd().arg("validate").assert().code(1);
    assert!(stderr(&a).contains("file-unreadable") && stderr(&a).contains(REPORT), "{}", stderr(&a));
    every_command_behaves(&repo, "an unreadable report", &[REPORT, ID]);
    fs::set_permissions(&path, fs::Permissions::from_mode(0o644)).expect("chmod");
}

fn symlink(target: &Path, link: &Path) {
    #[cfg(unix)]
    std::os::unix::fs::symlink(target, link).expect("symlink");
    #[cfg(not(unix))]
    let _ = (target, link);
}

fn mkfifo(path: &Path) {
    let status = std::process::Command::new("mkfifo").arg(path).status().expect("mkfifo runs");
    assert!(status.success());
}

/// Inputs the fuzzers found (docs/robustness.md): every command stays clean on them too.
#[test]
fn fuzzer_findings_stay_fixed() {
    let dir = hostile("fuzz");
    let mut names: Vec<_> =
        fs::read_dir(&dir).expect("fuzz fixtures").filter_map(|e| e.ok()).map(|e| e.path()).collect();
    names.sort();
    assert!(names.len() >= 5, "{names:?}");
    for path in names {
        let repo = TestRepo::new();
        fs::copy(&path, repo.root().join(REPORT)).expect("copy");
        commit_all(&repo, "fuzz finding");
        every_command_behaves(&repo, &path.display().to_string(), &[REPORT, ID]);
    }
}

/// The fuzzer found that a title such as `1e400` was written unquoted and read back as `inf`.
#[test]
fn a_number_like_title_survives_new_and_show() {
    let repo = TestRepo::new();
    for title in ["1e400", "-1e400", "2e308", "0x1F", "yes", "2026-01-05"] {
        let out = repo
            .cmd()
            .args(["new", &format!("--title={title}"), "--product", "web", "--reporter-name", "R", "--format", "json"])
            .assert()
            .success();
        let id = serde_json::from_slice::<serde_json::Value>(&out.get_output().stdout).expect("json")["id"]
            .as_str()
            .expect("id")
            .to_owned();
        let shown = repo.cmd().args(["show", &id, "--format", "json"]).assert().success();
        let json: serde_json::Value = serde_json::from_slice(&shown.get_output().stdout).expect("json");
        assert_eq!(json["report"]["title"], title);
    }
}
