//! Crashes at any moment: a real full disk (a small tmpfs) at every step of `advance`,
//! `renumber` and `new`, and SIGKILL at random moments of every writing command. After each,
//! the work tree, the index and HEAD are as before (or as the completed command left them),
//! `git fsck` is clean, and the next run works and leaves no temporary file.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use crate::util::{TestRepo, copy_tree};

fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_enigm-disclose")
}

/// The binary in `dir`, with the sandbox's environment.
fn run(repo: &TestRepo, dir: &Path, args: &[&str]) -> Command {
    let mut c = Command::new(bin());
    c.current_dir(dir)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", repo.sandbox.home())
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("ENIGM_TODAY", crate::util::TODAY)
        .env("NO_COLOR", "1")
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    c
}

fn git(dir: &Path, home: &Path, args: &[&str]) -> std::process::Output {
    Command::new("git")
        .current_dir(dir)
        .env("HOME", home)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .args(args)
        .output()
        .expect("git")
}

const BODY: &str = "## Summary\n\nThe search page reflects q unencoded.\n\n## Impact\n\nSession theft.\n";

/// A repository with one complete received report (ENIGM-2026-0001) and an uncommitted copy
/// of it claiming the same id (for renumber).
fn fixture() -> TestRepo {
    let repo = TestRepo::new();
    let body = repo.sandbox.tmp.path().join("body.md");
    fs::write(&body, BODY).expect("body");
    repo.cmd()
        .args(["new", "--title", "XSS", "--product", "web", "--reporter-name", "Jane", "--severity", "low"])
        .arg("--body-file")
        .arg(&body)
        .assert()
        .success();
    repo
}

/// What must not change when a command fails: the files (outside `.git`), the index entries
/// and HEAD.
#[derive(Debug, PartialEq)]
struct State {
    files: Vec<(PathBuf, Vec<u8>)>,
    index: Vec<(Vec<u8>, String, u32)>,
    head: String,
}

fn state(root: &Path) -> State {
    let files = crate::util::work_tree_files(root, &["filler"]);
    let git = git2::Repository::open(root).expect("open");
    let index = git.index().expect("index");
    let index = index.iter().map(|e| (e.path, e.id.to_string(), e.mode)).collect();
    let head = git.head().expect("head").peel_to_commit().expect("commit").id().to_string();
    State { files, index, head }
}

/// Our own leftovers anywhere in the repository (work tree and git dir).
fn leftovers(root: &Path) -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        let Ok(entries) = fs::read_dir(dir) else { return };
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            let path = entry.path();
            if entry.file_type().is_ok_and(|t| t.is_dir()) {
                if name != "objects" {
                    walk(&path, out);
                }
            } else if (name.starts_with(".enigm-") || name.starts_with("enigm-")) && name.ends_with(".tmp")
                || name.starts_with("enigm-pending-")
            {
                out.push(path);
            }
        }
    }
    let mut out = Vec::new();
    walk(root, &mut out);
    out
}

fn fsck_clean(root: &Path, home: &Path) {
    let out = git(root, home, &["fsck", "--no-progress", "--no-dangling"]);
    assert!(
        out.status.success(),
        "fsck: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(!text.contains("error") && !text.contains("missing") && !text.contains("broken"), "fsck: {text}");
}

fn clean_status(root: &Path, home: &Path) -> String {
    let out = git(root, home, &["status", "--porcelain", "--untracked-files=all"]);
    String::from_utf8_lossy(&out.stdout).lines().filter(|l| !l.contains(" site/")).collect::<Vec<_>>().join("\n")
}

/// A small tmpfs, unmounted when dropped.
struct Disk {
    path: PathBuf,
}

impl Disk {
    fn mount(at: PathBuf, size: &str) -> Option<Disk> {
        fs::create_dir_all(&at).ok()?;
        let out = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(&at)
            .output()
            .ok()?;
        out.status.success().then_some(Disk { path: at })
    }

    /// Fills the disk, then frees `slack` bytes.
    fn fill(&self, slack: u64) {
        let path = self.path.join("work/filler");
        let mut f = fs::File::create(&path).expect("filler");
        let chunk = vec![0u8; 4096];
        while f.write_all(&chunk).is_ok() {}
        let _ = f.flush();
        let len = f.metadata().expect("meta").len();
        f.set_len(len.saturating_sub(slack)).expect("truncate");
    }

    fn unfill(&self) {
        let _ = fs::remove_file(self.path.join("work/filler"));
    }
}

impl Drop for Disk {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.path).status();
    }
}

/// Needs to mount a tmpfs (root with CAP_SYS_ADMIN): `cargo test` counts it as ignored;
/// `.ci/run` runs it with `--ignored` where a mount works, and there a failed mount fails it.
/// The `ulimit -f` tests in faults.rs run everywhere.
#[test]
#[ignore = "needs to mount a tmpfs (root and CAP_SYS_ADMIN); .ci/run runs it with --ignored where it can"]
fn a_real_full_disk_at_every_step_changes_nothing_and_the_next_run_works() {
    let repo = fixture();
    let copy = repo.read("reports/ENIGM-2026-0001.md").replace("title: XSS", "title: Copy");
    let disk = Disk::mount(repo.sandbox.tmp.path().join("disk"), "8m")
        .expect("cannot mount a tmpfs here (needs root and CAP_SYS_ADMIN)");
    let home = repo.sandbox.home();
    let body = repo.sandbox.tmp.path().join("body.md");
    let body = body.to_str().expect("utf8").to_owned();
    let commands: [(&str, Vec<&str>); 3] = [
        ("advance", vec!["advance", "ENIGM-2026-0001", "triaged"]),
        ("renumber", vec!["renumber", "ENIGM-2026-0001", "--keep", "ENIGM-2026-0001"]),
        ("new", new_args(&body)),
    ];
    let mut failures = 0;
    for (name, args) in &commands {
        for slack in [0u64, 1, 2, 3, 4, 5, 6, 8, 10, 12, 16, 24, 32, 48, 64].map(|k| k * 4096) {
            let work = disk.path.join("work");
            let _ = fs::remove_dir_all(&work);
            disk.unfill();
            copy_tree(&repo.root(), &work);
            crate::util::refresh_index(&work);
            if *name == "renumber" {
                fs::write(work.join("reports/ENIGM-2026-0009.md"), &copy).expect("copy");
            }
            let before = state(&work);
            disk.fill(slack);
            let out = run(&repo, &work, args).output().expect("run");
            disk.unfill();
            let err = String::from_utf8_lossy(&out.stderr).into_owned();
            if out.status.success() {
                assert_eq!(clean_status(&work, &home), "", "{name} at {slack}: succeeded but left changes");
            } else {
                failures += 1;
                assert_eq!(out.status.code(), Some(2), "{name} at {slack} B free: {err}");
                assert!(!err.contains("panicked"), "{name} at {slack}: {err}");
                let after = state(&work);
                assert_eq!(after.head, before.head, "{name} at {slack}: HEAD moved: {err}");
                assert_eq!(after.index, before.index, "{name} at {slack}: index changed: {err}");
                assert_eq!(after.files, before.files, "{name} at {slack}: work tree changed: {err}");
                // With space back, the same command works.
                let again = run(&repo, &work, args).output().expect("run");
                assert!(again.status.success(), "{name} after {slack}: {}", String::from_utf8_lossy(&again.stderr));
            }
            fsck_clean(&work, &home);
            assert_eq!(leftovers(&work), Vec::<PathBuf>::new(), "{name} at {slack}: {err}");
        }
    }
    assert!(failures > 10, "the disk was full for only {failures} runs");
}

/// A tiny deterministic random source (xorshift), seeded from `ENIGM_FAULT_SEED` or the clock;
/// the seed is printed so a failure can be replayed.
struct Rng(u64);

impl Rng {
    fn new() -> Rng {
        let seed = std::env::var("ENIGM_FAULT_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or_else(|| {
            std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos() as u64).unwrap_or(1)
        });
        eprintln!("fault injection seed: ENIGM_FAULT_SEED={seed}");
        Rng(seed | 1)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
}

#[test]
fn killing_every_writing_command_at_random_moments_loses_nothing() {
    let repo = fixture();
    let copy = repo.read("reports/ENIGM-2026-0001.md").replace("title: XSS", "title: Copy");
    let home = repo.sandbox.home();
    let body = repo.sandbox.tmp.path().join("body.md");
    let body = body.to_str().expect("utf8").to_owned();
    let mut rng = Rng::new();
    let runs_per_command = std::env::var("ENIGM_FAULT_RUNS").ok().and_then(|s| s.parse().ok()).unwrap_or(6);
    let (mut kills, mut runs) = (0, 0);
    for name in ["new", "advance", "renumber", "render", "init"] {
        for i in 0..runs_per_command {
            let work = repo.sandbox.tmp.path().join(format!("run-{name}-{i}"));
            let args: Vec<&str> = match name {
                "new" => new_args(&body),
                "advance" => vec!["advance", "ENIGM-2026-0001", "triaged"],
                "renumber" => vec!["renumber", "ENIGM-2026-0001", "--keep", "ENIGM-2026-0001"],
                "render" => vec!["render"],
                _ => vec![
                    "init",
                    ".",
                    "--organization",
                    "Acme",
                    "--contact",
                    "s@acme.test",
                    "--product",
                    "web",
                    "--no-hook",
                ],
            };
            if name == "init" {
                fs::create_dir_all(&work).expect("dir");
            } else {
                copy_tree(&repo.root(), &work);
                crate::util::refresh_index(&work);
                if name == "renumber" {
                    fs::write(work.join("reports/ENIGM-2026-0009.md"), &copy).expect("copy");
                }
            }
            let reports_before: Vec<(PathBuf, Vec<u8>)> = read_reports(&work);
            let head_before = head(&work);
            let mut child = run(&repo, &work, &args).spawn().expect("spawn");
            std::thread::sleep(Duration::from_micros(rng.below(120_000)));
            let killed = child.try_wait().expect("wait").is_none();
            let _ = child.kill();
            let _ = child.wait();
            runs += 1;
            kills += usize::from(killed);
            if head(&work).is_some() {
                fsck_clean(&work, &home);
            }
            // Every report file is whole: its old bytes, or a complete file.
            for (path, bytes) in read_reports(&work) {
                let old = reports_before.iter().find(|(p, _)| *p == path).map(|(_, b)| b);
                let whole = bytes.ends_with(b"Session theft.\n") || old == Some(&bytes);
                assert!(whole, "{name} run {i}: {} is half-written", path.display());
            }
            // The index is HEAD's, or the commit's it was about to make (HEAD unmoved).
            if let Some(h) = head(&work) {
                let staged = git(&work, &home, &["diff", "--cached", "--name-only"]);
                let staged = String::from_utf8_lossy(&staged.stdout).into_owned();
                assert!(
                    staged.trim().is_empty()
                        || (Some(h) == head_before
                            && staged.lines().all(|l| l.starts_with("reports/") || !l.contains('/'))),
                    "{name} run {i}: index differs from HEAD in {staged}"
                );
            }
            // The next run (any writing command) cleans up.
            let next = if name == "init" { args.clone() } else { vec!["render"] };
            let out = run(&repo, &work, &next).output().expect("next");
            let err = String::from_utf8_lossy(&out.stderr);
            assert!(
                out.status.success()
                    || (name == "init" && (err.contains("already") || err.contains("half-created git repository"))),
                "{name} run {i}: the next run failed: {err}"
            );
            if err.contains("half-created") {
                // Killed inside libgit2's own init: explained (and `rm -rf .git` is the remedy).
                let _ = fs::remove_dir_all(&work);
                continue;
            }
            assert_eq!(leftovers(&work), Vec::<PathBuf>::new(), "{name} run {i}");
            // Wholly before (renumber: the uncommitted copy still there) or wholly after.
            let status = clean_status(&work, &home);
            let before_ok = name == "renumber" && status == "?? reports/ENIGM-2026-0009.md";
            assert!(status.is_empty() || before_ok, "{name} run {i}: after the next run: {status}");
            fsck_clean(&work, &home);
            let _ = fs::remove_dir_all(&work);
        }
    }
    eprintln!("fault injection: {runs} runs, {kills} killed mid-run, 0 corruptions");
    assert!(kills > runs / 4, "too few runs were killed mid-run ({kills} of {runs}): the timing is off");
}

fn read_reports(root: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let Ok(entries) = fs::read_dir(root.join("reports")) else { return Vec::new() };
    entries
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().ends_with(".md"))
        .map(|e| (e.path(), fs::read(e.path()).expect("read")))
        .collect()
}

fn head(root: &Path) -> Option<git2::Oid> {
    git2::Repository::open(root).ok()?.head().ok()?.peel_to_commit().ok().map(|c| c.id())
}

/// `new` with a body file: the writing command both fault tests kill.
fn new_args(body: &str) -> Vec<&str> {
    vec!["new", "--title", "T", "--product", "web", "--reporter-name", "R", "--severity", "low", "--body-file", body]
}
