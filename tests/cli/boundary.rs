//! Never outside the repository, never over the user's files, bounded reads: links are not
//! followed, FIFOs are not opened for reading, output never lands in `.git/` or over a tracked
//! or foreign file without `--force`, two files with one id are refused, and huge blobs are
//! refused by their size before they are read.

use std::fs;
use std::os::unix::fs::symlink;
use std::process::Command;
use std::time::Duration;

use super::validate::PUBLISHED;
use crate::util::{TestRepo, stderr};

const ID: &str = "ENIGM-2026-0001";

fn published() -> TestRepo {
    let repo = TestRepo::new();
    repo.write(&format!("reports/{ID}.md"), PUBLISHED);
    repo
}

#[test]
fn a_linked_site_directory_is_neither_written_nor_cleaned() {
    let repo = published();
    let outside = tempfile::tempdir().expect("tempdir");
    fs::write(outside.path().join("victim.html"), "keep me").expect("victim");
    fs::create_dir_all(repo.root().join("site")).expect("site");
    symlink(outside.path(), repo.root().join("site/advisories")).expect("symlink");
    fs::write(repo.root().join("site/.enigm-site"), "advisories/victim.html\n").expect("manifest");
    let a = repo.cmd().args(["render"]).timeout(Duration::from_secs(60)).assert().code(2);
    assert!(stderr(&a).contains("symbolic link"), "{}", stderr(&a));
    assert_eq!(fs::read_to_string(outside.path().join("victim.html")).expect("victim"), "keep me");
    assert_eq!(fs::read_dir(outside.path()).expect("ls").count(), 1, "nothing written outside");
}

#[test]
fn a_linked_site_file_is_not_written_through() {
    let repo = published();
    let outside = tempfile::tempdir().expect("tempdir");
    let victim = outside.path().join("victim");
    fs::write(&victim, "keep me").expect("victim");
    fs::create_dir_all(repo.root().join("site")).expect("site");
    symlink(&victim, repo.root().join("site/index.html")).expect("symlink");
    fs::write(repo.root().join("site/.enigm-site"), "index.html\n").expect("manifest");
    repo.cmd().args(["render"]).assert().code(2);
    assert_eq!(fs::read_to_string(&victim).expect("victim"), "keep me");
}

#[test]
fn a_linked_site_root_inside_the_repository_is_refused() {
    let repo = published();
    let outside = tempfile::tempdir().expect("tempdir");
    symlink(outside.path(), repo.root().join("site")).expect("symlink");
    let a = repo.cmd().args(["render"]).assert().code(2);
    assert!(stderr(&a).contains("symbolic link"), "{}", stderr(&a));
    assert_eq!(fs::read_dir(outside.path()).expect("ls").count(), 0);
}

#[test]
fn linked_reports_and_templates_are_not_read_or_written() {
    let repo = published();
    let outside = tempfile::tempdir().expect("tempdir");
    fs::rename(repo.root().join("reports"), outside.path().join("reports")).expect("move");
    symlink(outside.path().join("reports"), repo.root().join("reports")).expect("symlink");
    for args in [&["list"][..], &["validate"], &["render"]] {
        let a = repo.cmd().args(args).assert().code(2);
        assert!(stderr(&a).contains("symbolic link"), "{args:?}: {}", stderr(&a));
    }
    let before = fs::read_dir(outside.path().join("reports")).expect("ls").count();
    repo.cmd().args(["new", "--title", "x", "--severity", "low", "--no-commit"]).assert().code(2);
    assert_eq!(fs::read_dir(outside.path().join("reports")).expect("ls").count(), before, "new wrote outside");
    let a = repo.cmd().args(["renumber", "ENIGM-2026-0001"]).assert().code(2);
    assert!(stderr(&a).contains("symbolic link"), "renumber: {}", stderr(&a));
    assert_eq!(fs::read_dir(outside.path().join("reports")).expect("ls").count(), before, "renumber wrote outside");

    let repo = published();
    let templates = tempfile::tempdir().expect("tempdir");
    fs::write(templates.path().join("advisory.md.j2"), "outside {{ advisory.id }}").expect("template");
    fs::remove_dir_all(repo.root().join("templates")).ok();
    symlink(templates.path(), repo.root().join("templates")).expect("symlink");
    let a = repo.cmd().args(["render", "1", "--format", "md"]).assert().code(2);
    assert!(stderr(&a).contains("symbolic link"), "{}", stderr(&a));
}

#[test]
fn a_fifo_named_like_the_manifest_does_not_hang_render() {
    let repo = published();
    fs::create_dir_all(repo.root().join("site")).expect("site");
    let made = Command::new("mkfifo").arg(repo.root().join("site/.enigm-site")).status().expect("mkfifo");
    assert!(made.success());
    let a = repo.cmd().args(["render"]).timeout(Duration::from_secs(60)).assert().code(2);
    assert!(stderr(&a).contains("not a regular file"), "{}", stderr(&a));

    let repo = published();
    fs::remove_file(repo.root().join("templates/advisory.md.j2")).ok();
    let made = Command::new("mkfifo").arg(repo.root().join("templates/advisory.md.j2")).status().expect("mkfifo");
    assert!(made.success());
    let a = repo.cmd().args(["render", "1", "--format", "md"]).timeout(Duration::from_secs(60)).assert().code(2);
    assert!(stderr(&a).contains("not a regular file"), "{}", stderr(&a));
}

#[test]
fn output_files_never_replace_repository_files_without_force() {
    let repo = published();
    let added = Command::new("git").current_dir(repo.root()).args(["add", "-A"]).status().expect("add");
    assert!(added.success());
    Command::new("git")
        .current_dir(repo.root())
        .args(["-c", "user.name=t", "-c", "user.email=t@e", "commit", "-qm", "x", "--no-verify"])
        .status()
        .expect("commit");
    let report = format!("reports/{ID}.md");
    let edited = format!("{PUBLISHED}\nuncommitted edit\n");
    repo.write(&report, &edited);
    let a = repo.cmd().args(["render", "1", "--out", &report]).assert().code(2);
    assert!(stderr(&a).contains("--force"), "{}", stderr(&a));
    assert_eq!(repo.read(&report), edited, "the edited report is intact");
    let a = repo.cmd().args(["stats", "--html", &report]).assert().code(2);
    assert!(stderr(&a).contains("tracks"), "{}", stderr(&a));
    assert_eq!(repo.read(&report), edited);

    // Into the git directory: never, not even with --force.
    for force in [false, true] {
        let mut args = vec!["render", "1", "--out", ".git/hooks/pre-commit"];
        if force {
            args.push("--force");
        }
        let a = repo.cmd().args(&args).assert().code(2);
        assert!(stderr(&a).contains("git directory"), "{}", stderr(&a));
        let mut args = vec!["stats", "--html", ".git/config"];
        if force {
            args.push("--force");
        }
        repo.cmd().args(&args).assert().code(2);
    }
    assert!(repo.read(".git/config").contains("[core]"));
    let a = repo.cmd().args(["render", "--out", ".git/hooks"]).assert().code(2);
    assert!(stderr(&a).contains("site directory"), "{}", stderr(&a));
    assert!(!repo.root().join(".git/hooks/index.html").exists());

    // A file the tool did not write needs --force; one it wrote is replaced.
    repo.write("notes.html", "mine");
    repo.cmd().args(["render", "1", "--out", "notes.html"]).assert().code(2);
    assert_eq!(repo.read("notes.html"), "mine");
    repo.cmd().args(["render", "1", "--out", "notes.html", "--force"]).assert().success();
    assert!(repo.read("notes.html").contains(ID));
    repo.cmd().args(["render", "1", "--out", "page.html"]).assert().success();
    repo.cmd().args(["render", "1", "--out", "page.html", "--format", "md"]).assert().success();
    let elsewhere = tempfile::tempdir().expect("tempdir");
    symlink(elsewhere.path(), repo.root().join("docs")).expect("symlink");
    let a = repo.cmd().args(["stats", "--html", "docs/dash.html"]).assert().code(2);
    assert!(stderr(&a).contains("symbolic link"), "{}", stderr(&a));
    assert_eq!(fs::read_dir(elsewhere.path()).expect("ls").count(), 0);
    repo.write("page.html", "edited by hand");
    repo.cmd().args(["render", "1", "--out", "page.html"]).assert().code(2);
    assert_eq!(repo.read("page.html"), "edited by hand");
}

/// Runs the binary under `umask` through `sh -c 'umask …; exec …'`, with the test environment.
fn under_umask(repo: &TestRepo, dir: &std::path::Path, umask: &str, args: &[&str]) {
    let template = repo.sandbox.cmd_in(dir);
    let mut cmd = Command::new("sh");
    cmd.current_dir(dir).env_clear();
    for (k, v) in template.get_envs() {
        if let Some(v) = v {
            cmd.env(k, v);
        }
    }
    cmd.arg("-c").arg(format!("umask {umask}; exec \"$0\" \"$@\"")).arg(env!("CARGO_BIN_EXE_enigm-disclose"));
    let out = cmd.args(args).output().expect("sh");
    assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
}

/// Every file the tool creates follows the umask, as git's do (tempfile alone makes 0600):
/// `enigm.yaml` and the hooks' siblings from `init`, a report from `new`, the dashboard,
/// `render --out FILE`, the site and the manual pages.
#[test]
fn new_files_follow_the_umask_022_and_077() {
    use std::os::unix::fs::PermissionsExt;
    for (umask, want) in [("022", 0o644), ("077", 0o600)] {
        let repo = TestRepo::new();
        let dir = repo.sandbox.tmp.path().join(format!("r{umask}"));
        let work = repo.sandbox.work();
        let d = dir.to_string_lossy().into_owned();
        under_umask(
            &repo,
            &work,
            umask,
            &["init", &d, "--organization", "Acme", "--contact", "s@acme.test", "--product", "web"],
        );
        under_umask(&repo, &dir, umask, &["new", "--title", "SQL injection", "--reporter-name", "Jane Doe"]);
        fs::write(dir.join("reports/ENIGM-2026-0001.md"), PUBLISHED).expect("publish by hand");
        under_umask(&repo, &dir, umask, &["stats", "--html", "dashboard.html"]);
        under_umask(&repo, &dir, umask, &["render", "1", "--out", "page.html"]);
        under_umask(&repo, &dir, umask, &["render", "--out", "site"]);
        under_umask(&repo, &dir, umask, &["man", "--out", "man1"]);
        let report = fs::read_dir(dir.join("reports")).expect("reports").count();
        assert!(report >= 1);
        for rel in [
            "enigm.yaml",
            "reports/ENIGM-2026-0001.md",
            "dashboard.html",
            "page.html",
            "site/index.html",
            "man1/enigm-disclose.1",
        ] {
            let mode =
                fs::metadata(dir.join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}")).permissions().mode() & 0o777;
            assert_eq!(mode, want, "umask {umask}: {rel} is {mode:o}");
        }
    }
}

#[test]
fn two_files_with_one_id_are_refused_by_render_naming_both() {
    let repo = published();
    repo.write("reports/ENIGM-2026-0002.md", PUBLISHED);
    let a = repo.cmd().args(["render"]).assert().code(2);
    let err = stderr(&a);
    assert!(err.contains("reports/ENIGM-2026-0001.md") && err.contains("reports/ENIGM-2026-0002.md"), "{err}");
    assert!(!repo.root().join("site/index.html").exists());
}

/// A committed 1 GiB blob of zeros (about 1 MB packed) is refused from its object header.
#[test]
fn a_huge_blob_is_refused_before_it_is_read() {
    let repo = published();
    let big = repo.root().join("big.tmp");
    let f = fs::File::create(&big).expect("create");
    f.set_len(1 << 30).expect("sparse file");
    drop(f);
    let out = Command::new("git")
        .current_dir(repo.root())
        .args(["hash-object", "-w", "big.tmp"])
        .output()
        .expect("hash-object");
    assert!(out.status.success());
    let oid = String::from_utf8(out.stdout).expect("utf8").trim().to_owned();
    fs::remove_file(&big).expect("rm");
    let path = "reports/ENIGM-2026-0002.md";
    let staged = Command::new("git")
        .current_dir(repo.root())
        .args(["update-index", "--add", "--cacheinfo", &format!("100644,{oid},{path}")])
        .status()
        .expect("update-index");
    assert!(staged.success());
    let peak = |args: &[&str]| -> (i32, String, u64) {
        let bin = assert_cmd::cargo::cargo_bin("enigm-disclose");
        let out = Command::new("/usr/bin/time")
            .arg("-f")
            .arg("PEAK %M")
            .arg(bin)
            .args(args)
            .current_dir(repo.root())
            .env("NO_COLOR", "1")
            .output()
            .expect("time");
        let err = String::from_utf8_lossy(&out.stderr).into_owned();
        let kb = err.lines().rev().find_map(|l| l.strip_prefix("PEAK ")).and_then(|k| k.trim().parse().ok());
        (out.status.code().unwrap_or(-1), err, kb.unwrap_or(0))
    };
    if !std::path::Path::new("/usr/bin/time").exists() {
        repo.cmd().args(["validate", "--staged"]).assert().code(1);
        return;
    }
    let (code, err, kb) = peak(&["validate", "--staged"]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("file-too-large") || err.contains("1 MiB"), "{err}");
    assert!(kb < 300 * 1024, "validate --staged peaked at {kb} KiB");
    let committed = Command::new("git")
        .current_dir(repo.root())
        .args(["-c", "user.name=t", "-c", "user.email=t@e", "commit", "-qm", "big", "--no-verify"])
        .status()
        .expect("commit");
    assert!(committed.success());
    let (_, err, kb) = peak(&["verify"]);
    assert!(kb < 300 * 1024, "verify peaked at {kb} KiB: {err}");
}

/// Escape sequences in a title, a file name, a commit message and an author name never reach
/// the terminal raw, from any command; the validate snippet shows U+202E escaped, with the
/// underline on it.
#[test]
fn repository_strings_are_printable_in_every_command() {
    let repo = TestRepo::new();
    let hostile = PUBLISHED.replacen(
        "title: Path traversal in uploads",
        "title: \"Path \u{1b}]0;pwned\u{7} trav\u{202E}ersal\"",
        1,
    );
    assert_ne!(hostile, PUBLISHED, "the fixture's title line changed");
    repo.write(&format!("reports/{ID}.md"), &hostile);
    repo.write("reports/ENIGM-2026-0002\u{1b}[2J.md", &hostile);
    let git = |args: &[&str]| {
        let ok = Command::new("git").current_dir(repo.root()).args(args).status().expect("git").success();
        assert!(ok, "git {args:?}");
    };
    git(&["add", "-A"]);
    git(&[
        "-c",
        "user.name=Eve \u{1b}[8m",
        "-c",
        "user.email=e@example.org",
        "commit",
        "-qm",
        "msg \u{1b}]0;x\u{7}",
        "--no-verify",
    ]);
    for color in ["never", "always"] {
        for args in [&["validate"][..], &["list"], &["stats"], &["due"], &["history"], &["verify"], &["show", "1"]] {
            let out = repo.cmd().arg("--color").arg(color).args(args).output().expect("run");
            let all = [out.stdout, out.stderr].concat();
            let text = String::from_utf8_lossy(&all);
            for raw in ["\u{1b}]", "\u{1b}[2J", "\u{1b}[8m", "\u{202E}", "\u{7}"] {
                assert!(!text.contains(raw), "{args:?} --color {color} printed {raw:?} raw:\n{text}");
            }
            if color == "never" {
                assert!(!text.contains('\u{1b}'), "{args:?}: {text}");
            }
        }
    }
    let a = repo.cmd().args(["validate"]).assert().code(1);
    let err = stderr(&a);
    let block: Vec<&str> = err.lines().skip_while(|l| !l.contains("bidirectional control character")).collect();
    let at = block.iter().position(|l| l.contains("trav\\u{202e}ersal")).expect("escaped snippet line");
    let (line, under) = (block[at], block[at + 1]);
    let col = line.chars().collect::<String>().find("\\u{202e}").map(|b| line[..b].chars().count()).expect("escape");
    assert_eq!(under.chars().nth(col), Some('─'), "the underline sits on the escape:\n{line}\n{under}");
}
