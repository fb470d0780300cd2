//! Test helpers: a temporary disclosure repository and a command builder for the binary.
#![allow(dead_code)]

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use assert_cmd::Command;
use git2::Repository;
use tempfile::TempDir;

/// The date every test runs on (`ENIGM_TODAY`).
pub const TODAY: &str = "2026-06-15";

/// A temporary directory with an isolated HOME (its own git identity) and a work dir.
pub struct Sandbox {
    pub tmp: TempDir,
    /// When set, the binary runs under this user and group id (see [`Sandbox::run_as_nobody`]).
    run_as: Option<u32>,
}

impl Sandbox {
    pub fn new() -> Self {
        let sandbox = Sandbox::empty();
        fs::write(
            sandbox.home().join(".gitconfig"),
            "[user]\n\tname = Test Lead\n\temail = lead@example.test\n[init]\n\tdefaultBranch = main\n",
        )
        .expect("gitconfig");
        sandbox
    }

    /// A fresh sandbox holding a copy of `template`'s home and work dirs (a fixture built once
    /// per test process, see [`built_once`]).
    pub fn copy_of(template: &Path) -> Self {
        let tmp = tempfile::tempdir().expect("tempdir");
        copy_tree(template, tmp.path());
        Sandbox { tmp, run_as: None }
    }

    fn empty() -> Self {
        let tmp = tempfile::tempdir().expect("tempdir");
        fs::create_dir_all(tmp.path().join("home")).expect("home");
        fs::create_dir_all(tmp.path().join("work")).expect("work");
        Sandbox { tmp, run_as: None }
    }

    pub fn home(&self) -> PathBuf {
        self.tmp.path().join("home")
    }

    pub fn work(&self) -> PathBuf {
        self.tmp.path().join("work")
    }

    /// The binary, started in `dir`, with a clean, reproducible environment.
    pub fn cmd_in(&self, dir: &Path) -> Command {
        let mut c = match self.run_as {
            None => Command::cargo_bin("enigm-disclose").expect("binary"),
            Some(id) => {
                let mut c = Command::new("setpriv");
                c.arg(format!("--reuid={id}"))
                    .arg(format!("--regid={id}"))
                    .arg("--clear-groups")
                    .arg("--")
                    .arg(env!("CARGO_BIN_EXE_enigm-disclose"));
                c
            }
        };
        c.current_dir(dir)
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", self.home())
            .env("XDG_CONFIG_HOME", self.home().join(".config"))
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("ENIGM_TODAY", TODAY)
            .env("NO_COLOR", "1")
            .env("COLUMNS", "200")
            .env("GIT_AUTHOR_DATE", "@1781510400 +0000")
            .env("GIT_COMMITTER_DATE", "@1781510400 +0000");
        c
    }

    /// Whether the tests run as root (the sandbox directory, just created, is owned by uid 0).
    #[cfg(unix)]
    pub fn is_root(&self) -> bool {
        std::os::unix::fs::MetadataExt::uid(&fs::metadata(self.tmp.path()).expect("meta")) == 0
    }

    /// Hands the whole sandbox (HOME, the repository) to `nobody` (65534) and runs the binary
    /// as that user from now on, through `setpriv`: for tests of files the user cannot read,
    /// which root always can. The repository is then owned by the user running the binary,
    /// as usual, so git's ownership check passes.
    #[cfg(unix)]
    pub fn run_as_nobody(&mut self) {
        const NOBODY: u32 = 65534;
        fn chown_tree(path: &Path) {
            std::os::unix::fs::lchown(path, Some(NOBODY), Some(NOBODY)).expect("chown");
            if fs::symlink_metadata(path).expect("meta").is_dir() {
                for entry in fs::read_dir(path).expect("dir") {
                    chown_tree(&entry.expect("entry").path());
                }
            }
        }
        chown_tree(self.tmp.path());
        self.run_as = Some(NOBODY);
        let probe = self.cmd_in(self.tmp.path()).arg("--version").output().expect("setpriv (util-linux) runs");
        assert!(probe.status.success(), "cannot run the binary as nobody: {}", String::from_utf8_lossy(&probe.stderr));
    }

    /// Removes the git identity from HOME.
    pub fn forget_identity(&self) {
        fs::write(self.home().join(".gitconfig"), "[init]\n\tdefaultBranch = main\n").expect("gitconfig");
    }
}

/// A sandbox with an initialised disclosure repository in `work/`.
pub struct TestRepo {
    pub sandbox: Sandbox,
}

impl TestRepo {
    /// A copy of a repository `init` made once per test process (the same bytes `init` writes
    /// every time: dates and identity are fixed), instead of running `init` for every test.
    pub fn new() -> Self {
        static INITIALISED: OnceLock<PathBuf> = OnceLock::new();
        let template = built_once(&INITIALISED, "init", |sandbox| {
            TestRepo::init_in(sandbox);
        });
        let repo = TestRepo { sandbox: Sandbox::copy_of(template) };
        repo.refresh_index();
        repo
    }

    /// Runs `init` in the sandbox's work dir.
    fn init_in(sandbox: &Sandbox) {
        let root = sandbox.work();
        sandbox
            .cmd_in(&root)
            .args([
                "init",
                ".",
                "--organization",
                "Acme Corp",
                "--contact",
                "security@acme.test",
                "--product",
                "web",
                "--product",
                "api",
            ])
            .assert()
            .success();
    }

    /// Records the copied files' own stat data in the index, as `init` leaves it for the files
    /// it wrote, so a copy is indistinguishable from a fresh repository to git.
    fn refresh_index(&self) {
        refresh_index(&self.root());
    }

    pub fn root(&self) -> PathBuf {
        self.sandbox.work()
    }

    pub fn cmd(&self) -> Command {
        self.sandbox.cmd_in(&self.root())
    }

    pub fn git(&self) -> Repository {
        Repository::open(self.root()).expect("open repo")
    }

    pub fn write(&self, rel: &str, content: impl AsRef<[u8]>) {
        let p = self.root().join(rel);
        fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        fs::write(p, content).expect("write");
    }

    pub fn read(&self, rel: &str) -> String {
        fs::read_to_string(self.root().join(rel)).expect("read")
    }

    /// Makes `rel` unreadable to the binary: mode 000, and when the tests run as root (whom
    /// permissions do not stop), the binary runs as `nobody` from now on.
    #[cfg(unix)]
    pub fn make_unreadable(&mut self, rel: &str) {
        use std::os::unix::fs::PermissionsExt;
        let path = self.root().join(rel);
        fs::set_permissions(&path, fs::Permissions::from_mode(0o000)).expect("chmod");
        if self.sandbox.is_root() {
            self.sandbox.run_as_nobody();
        }
    }

    /// Files `new` with the given title and returns the id it printed (JSON output).
    pub fn new_report(&self, title: &str) -> String {
        let out = self
            .cmd()
            .args(["new", "--title", title, "--product", "web", "--reporter-name", "Jane Doe", "--format", "json"])
            .assert()
            .success();
        let v: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).expect("json");
        v["id"].as_str().expect("id").to_owned()
    }

    /// Paths changed by the HEAD commit.
    pub fn head_paths(&self) -> Vec<String> {
        let git = self.git();
        let head = git.head().expect("head").peel_to_commit().expect("commit");
        let parent_tree = head.parent(0).ok().map(|p| p.tree().expect("tree"));
        let diff = git.diff_tree_to_tree(parent_tree.as_ref(), Some(&head.tree().expect("tree")), None).expect("diff");
        diff.deltas()
            .map(|d| d.new_file().path().or(d.old_file().path()).expect("path").to_string_lossy().into_owned())
            .collect()
    }

    pub fn head_message(&self) -> String {
        self.git().head().expect("head").peel_to_commit().expect("commit").message().expect("utf8").to_owned()
    }

    pub fn head_id(&self) -> git2::Oid {
        self.git().head().expect("head").peel_to_commit().expect("commit").id()
    }

    pub fn commit_count(&self) -> usize {
        let git = self.git();
        let mut walk = git.revwalk().expect("walk");
        walk.push_head().expect("head");
        walk.count()
    }

    /// `git status --porcelain`-like list of (path, status bits), untracked included.
    pub fn status(&self) -> Vec<(String, git2::Status)> {
        let git = self.git();
        let mut opts = git2::StatusOptions::new();
        opts.include_untracked(true);
        let statuses = git.statuses(Some(&mut opts)).expect("status");
        statuses.iter().map(|e| (e.path().expect("path").to_owned(), e.status())).collect()
    }
}

/// A sandbox built by `build` once per test process, in a directory under cargo's
/// `CARGO_TARGET_TMPDIR` named after the process (directories of processes no longer running
/// are removed on the way); tests copy it with [`Sandbox::copy_of`] instead of building their own.
pub fn built_once(cell: &'static OnceLock<PathBuf>, name: &str, build: impl FnOnce(&Sandbox)) -> &'static Path {
    cell.get_or_init(|| {
        let parent = Path::new(env!("CARGO_TARGET_TMPDIR")).join("enigm-fixtures");
        fs::create_dir_all(&parent).expect("fixtures dir");
        remove_stale_fixtures(&parent);
        let sandbox = Sandbox::new();
        build(&sandbox);
        let dir = parent.join(format!("{}-{name}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        let built = sandbox.tmp.keep();
        if fs::rename(&built, &dir).is_err() {
            // Another file system: copy instead.
            copy_tree(&built, &dir);
            fs::remove_dir_all(&built).expect("remove the built copy");
        }
        dir
    })
}

/// Removes fixture directories left by test processes that have exited (on Linux, where
/// `/proc` tells which are running).
fn remove_stale_fixtures(parent: &Path) {
    if !Path::new("/proc/self").exists() {
        return;
    }
    for entry in fs::read_dir(parent).into_iter().flatten().flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let pid = name.split('-').next().unwrap_or_default();
        if !pid.is_empty() && !Path::new("/proc").join(pid).exists() {
            let _ = fs::remove_dir_all(entry.path());
        }
    }
}

/// Records the stat data of the work tree's files in the index of the repository at `root`
/// (after a copy: new inodes and times, same contents).
pub fn refresh_index(root: &Path) {
    let git = Repository::open(root).expect("open repo");
    let mut index = git.index().expect("index");
    index.update_all(["*"], None).expect("refresh index");
    index.write().expect("write index");
}

/// Copies a directory tree (files with their permissions, directories, symbolic links).
pub fn copy_tree(from: &Path, to: &Path) {
    fs::create_dir_all(to).expect("mkdir");
    for entry in fs::read_dir(from).expect("read dir") {
        let entry = entry.expect("entry");
        let (src, dst) = (entry.path(), to.join(entry.file_name()));
        let kind = entry.file_type().expect("file type");
        if kind.is_dir() {
            copy_tree(&src, &dst);
        } else if kind.is_symlink() {
            #[cfg(unix)]
            std::os::unix::fs::symlink(fs::read_link(&src).expect("link"), &dst).expect("symlink");
        } else {
            fs::copy(&src, &dst).expect("copy");
        }
    }
}

/// Stdout of an assert as a string.
pub fn stdout(a: &assert_cmd::assert::Assert) -> String {
    String::from_utf8_lossy(&a.get_output().stdout).into_owned()
}

/// Stderr of an assert as a string.
pub fn stderr(a: &assert_cmd::assert::Assert) -> String {
    String::from_utf8_lossy(&a.get_output().stderr).into_owned()
}

/// Every file of the work tree below `root` (outside `.git` and the top-level `skip` entries),
/// with its bytes, sorted by path: what a failed command must leave as it was.
pub fn work_tree_files(root: &Path, skip: &[&str]) -> Vec<(PathBuf, Vec<u8>)> {
    fn walk(root: &Path, dir: &Path, skip: &[&str], out: &mut Vec<(PathBuf, Vec<u8>)>) {
        for entry in fs::read_dir(dir).expect("dir") {
            let path = entry.expect("entry").path();
            let rel = path.strip_prefix(root).expect("inside").to_owned();
            if rel == Path::new(".git") || skip.iter().any(|s| rel == Path::new(s)) {
                continue;
            }
            if path.is_dir() {
                walk(root, &path, skip, out);
            } else {
                out.push((rel, fs::read(&path).expect("read")));
            }
        }
    }
    let mut files = Vec::new();
    walk(root, root, skip, &mut files);
    files.sort();
    files
}
