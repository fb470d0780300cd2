//! The README runs as written, and so do the commands `demo` prints.
//!
//! Every ```` ```sh ```` block of README.md runs, in order, in one POSIX shell (`sh`), with the
//! built binary first on PATH as `enigm-disclose`, a fixed git identity and HOME, and the
//! tool's clock pinned (`ENIGM_TODAY`, `GIT_*_DATE`). Each `## ` section starts in the same
//! fresh directory; inside a section, `cd` and shell variables carry over from block to block,
//! as they would for a reader pasting them into one terminal. Every command must exit 0, or
//! the code its trailing comment names (`# exits 1: ...`). A block whose first line is
//! `# not run by tests/cli/readme.rs: <reason>` is skipped, and must give a reason.
//!
//! The set-up section is the exception: `cargo run --release -- demo` runs the built binary
//! instead (`enigm-disclose demo`, in a temporary directory, then the shell moves into the
//! directory it printed, as the README tells the reader to), and `cargo test` is not run (it is
//! the command running this test).

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::util::{Sandbox, TODAY};

/// What a block's first line says when the block is not run.
const NOT_RUN: &str = "# not run by tests/cli/readme.rs:";

/// One command of a block: its first line in README.md, its text (continuation lines and a
/// here-document included) and the exit code it must end with.
#[derive(Debug)]
struct Step {
    line: usize,
    text: String,
    exit: i32,
}

/// A ```` ```sh ```` block: the `## ` section it is in and its commands.
#[derive(Debug)]
struct Block {
    line: usize,
    section: String,
    steps: Vec<Step>,
}

/// The `sh` blocks of `markdown`, in order; skipped blocks are left out, after checking they
/// give a reason.
fn sh_blocks(markdown: &str) -> Vec<Block> {
    let mut blocks = Vec::new();
    let mut section = String::new();
    let mut lines = markdown.lines().enumerate().map(|(i, l)| (i + 1, l));
    while let Some((n, line)) = lines.next() {
        if let Some(title) = line.strip_prefix("## ") {
            section = title.to_owned();
        }
        if line.trim_end() != "```sh" {
            continue;
        }
        let body: Vec<(usize, &str)> = lines.by_ref().take_while(|(_, l)| l.trim_end() != "```").collect();
        if let Some(reason) = body.first().and_then(|(_, l)| l.strip_prefix(NOT_RUN)) {
            assert!(!reason.trim().is_empty(), "README.md:{n}: a block not run says why");
            continue;
        }
        blocks.push(Block { line: n, section: section.clone(), steps: steps(&body) });
    }
    blocks
}

/// The commands of a block: comments and blank lines dropped, `\` continuations and
/// here-documents joined to the command they belong to.
fn steps(body: &[(usize, &str)]) -> Vec<Step> {
    let mut steps = Vec::new();
    let mut lines = body.iter().copied();
    while let Some((n, first)) = lines.next() {
        if first.trim().is_empty() || first.trim_start().starts_with('#') {
            continue;
        }
        let mut text = first.to_owned();
        let mut last = first;
        while last.ends_with('\\') {
            let (_, next) = lines.next().unwrap_or_else(|| panic!("README.md:{n}: `\\` at the end of a block"));
            text.push('\n');
            text.push_str(next);
            last = next;
        }
        let exit = expected_exit(&text);
        if let Some(word) = heredoc_word(&text) {
            loop {
                let (_, next) = lines.next().unwrap_or_else(|| panic!("README.md:{n}: here-document without {word}"));
                text.push('\n');
                text.push_str(next);
                if next == word {
                    break;
                }
            }
        }
        steps.push(Step { line: n, text, exit });
    }
    steps
}

/// The terminator of a here-document the command opens (`<<'EOF'` or `<<EOF`).
fn heredoc_word(command: &str) -> Option<String> {
    let rest = command.split_once("<<")?.1.trim_start_matches('-');
    let word: String = rest.trim_matches('\'').chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
    (!word.is_empty()).then_some(word)
}

/// The exit code a command's trailing comment announces (`# exits 1: ...`), else 0.
fn expected_exit(line: &str) -> i32 {
    line.split_once("# exits ")
        .and_then(|(_, rest)| rest.split(|c: char| !c.is_ascii_digit()).next()?.parse().ok())
        .unwrap_or(0)
}

/// The set-up section's cargo commands, as the test runs them (see the module doc).
fn mapped(step: &Step) -> Option<String> {
    match step.text.trim() {
        "cargo test" => None,
        "cargo run --release -- demo" => Some(
            "enigm-disclose demo > \"$README_TMP/demo.out\" && cat \"$README_TMP/demo.out\" && \
             cd \"$(sed -n 's/^Demo disclosure repository: //p' \"$README_TMP/demo.out\")\""
                .to_owned(),
        ),
        other if other.starts_with("cargo ") => panic!("README.md:{}: no mapping for `{other}`", step.line),
        _ => Some(step.text.clone()),
    }
}

/// One shell script running `blocks` in order, checking each command's exit code.
fn script(blocks: &[Block]) -> String {
    let mut out = String::from("cd \"$README_WORK\" || exit 100\n");
    let mut section = None;
    for block in blocks {
        if section != Some(&block.section) {
            out.push_str(&format!("\n# ## {}\ncd \"$README_WORK\" || exit 100\n", block.section));
            section = Some(&block.section);
        }
        for step in &block.steps {
            let Some(text) = mapped(step) else { continue };
            let (line, exit) = (step.line, step.exit);
            out.push_str(&format!(
                "printf '\\n+ README.md:{line}\\n'\n{text}\nrc=$?\n[ \"$rc\" -eq {exit} ] || {{ echo \"README.md:{line}: exit $rc, expected {exit}\" >&2; exit 100; }}\n"
            ));
        }
    }
    out
}

/// A directory holding `enigm-disclose`, a link to the binary under test.
fn bin_dir(sandbox: &Sandbox) -> PathBuf {
    let bin = sandbox.tmp.path().join("bin");
    fs::create_dir_all(&bin).expect("bin");
    std::os::unix::fs::symlink(env!("CARGO_BIN_EXE_enigm-disclose"), bin.join("enigm-disclose")).expect("link");
    bin
}

/// `sh -c script` in `dir` with the sandbox's reproducible environment and `path_first` (if any)
/// ahead of the system PATH.
fn shell(sandbox: &Sandbox, dir: &Path, script: &str, path_first: Option<&Path>) -> std::process::Output {
    let tmp = sandbox.tmp.path().join("tmp");
    fs::create_dir_all(&tmp).expect("tmp");
    let system = std::env::var_os("PATH").unwrap_or_default();
    let path = match path_first {
        Some(first) => std::env::join_paths(std::iter::once(first.to_owned()).chain(std::env::split_paths(&system))),
        None => std::env::join_paths(std::env::split_paths(&system)),
    }
    .expect("PATH");
    Command::new("sh")
        .arg("-c")
        .arg(script)
        .current_dir(dir)
        .env_clear()
        .env("PATH", path)
        .env("HOME", sandbox.home())
        .env("XDG_CONFIG_HOME", sandbox.home().join(".config"))
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("TMPDIR", &tmp)
        .env("ENIGM_TODAY", TODAY)
        .env("NO_COLOR", "1")
        .env("COLUMNS", "120")
        .env("GIT_AUTHOR_DATE", "@1781510400 +0000")
        .env("GIT_COMMITTER_DATE", "@1781510400 +0000")
        .env("README_WORK", sandbox.work())
        .env("README_TMP", sandbox.tmp.path())
        .output()
        .expect("sh runs")
}

fn transcript(output: &std::process::Output) -> String {
    format!("{}\n--- stderr ---\n{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr))
}

/// Paths `git status` shows in `dir`: changed, staged or untracked and not ignored.
fn unclean(dir: &Path) -> Vec<String> {
    let git = git2::Repository::open(dir).unwrap_or_else(|e| panic!("{} is a git repository: {e}", dir.display()));
    let mut opts = git2::StatusOptions::new();
    opts.include_untracked(true).recurse_untracked_dirs(true).include_ignored(false);
    let statuses = git.statuses(Some(&mut opts)).expect("status");
    statuses.iter().filter_map(|s| s.path().ok().map(str::to_owned)).collect()
}

#[test]
fn every_sh_block_of_the_readme_runs_in_order_and_the_tour_ends_clean() {
    let readme = fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).expect("README");
    let blocks = sh_blocks(&readme);
    let sections: Vec<&str> = blocks.iter().map(|b| b.section.as_str()).collect();
    assert!(
        sections.contains(&"Two commands on a fresh machine") && sections.contains(&"A short tour"),
        "{sections:?}"
    );
    assert!(blocks.iter().map(|b| b.steps.len()).sum::<usize>() > 40, "the blocks hold the tour's commands");
    let refusals: Vec<&Step> = blocks.iter().flat_map(|b| &b.steps).filter(|s| s.exit == 1).collect();
    assert!(refusals.iter().any(|s| s.text.contains("published")), "the tour shows the embargo refusal");

    let sandbox = Sandbox::new();
    let bin = bin_dir(&sandbox);
    let output = shell(&sandbox, &sandbox.work(), &script(&blocks), Some(&bin));
    let log = transcript(&output);
    assert!(output.status.success(), "a README command failed (blocks from README.md:{}):\n{log}", blocks[0].line);
    for needle in ["Try next:", "refused", "embargo", "ENIGM-2026-0002: received → rejected"] {
        assert!(log.contains(needle), "`{needle}` not in the README run:\n{log}");
    }
    // The tour's repository, and the sealed one of "Sealed reports", end clean.
    let tour = sandbox.work().join("advisories");
    assert!(tour.join(".git").is_dir(), "the tour makes its repository: {}", tour.display());
    assert_eq!(unclean(&tour), Vec::<String>::new(), "the tour leaves nothing untracked or uncommitted");
    assert!(tour.join("site/index.html").is_file(), "the tour renders the site");
    let sealed = sandbox.work().join("sealed");
    assert!(sealed.join("reports/ENIGM-2026-0001.md").is_file(), "the sealed section files a report");
    assert_eq!(unclean(&sealed), Vec::<String>::new(), "the sealed section leaves nothing uncommitted");
}

#[test]
fn the_readme_parser_reads_continuations_heredocs_exit_codes_and_skips() {
    let text = "## S\n```sh\n# comment\na \\\n  b   # exits 1: why\ncat > f <<'EOF'\nx # exits 2\nEOF\n\nc\n```\n```sh\n# not run by tests/cli/readme.rs: needs the network\nd\n```\n";
    let blocks = sh_blocks(text);
    assert_eq!(blocks.len(), 1);
    let steps: Vec<(usize, &str, i32)> = blocks[0].steps.iter().map(|s| (s.line, s.text.as_str(), s.exit)).collect();
    assert_eq!(
        steps,
        [(4, "a \\\n  b   # exits 1: why", 1), (6, "cat > f <<'EOF'\nx # exits 2\nEOF", 0), (10, "c", 0)]
    );
    assert_eq!(expected_exit("due   # exits 1: overdue"), 1);
    assert_eq!(expected_exit("due   # exit if late"), 0);
}

/// The lines between `Try next:` and the next blank line of `demo`'s output.
fn try_next(out: &str) -> Vec<String> {
    out.lines()
        .skip_while(|l| *l != "Try next:")
        .skip(1)
        .take_while(|l| !l.is_empty())
        .map(|l| l.trim().to_owned())
        .collect()
}

/// Runs every "Try next" line in one shell (the `cd` first carries over), each checked for
/// exit 0, or 1 where the line says `# exits 1`.
fn run_try_next(sandbox: &Sandbox, lines: &[String], path_first: Option<&Path>) -> String {
    let mut script = String::new();
    for (i, line) in lines.iter().enumerate() {
        let exit = expected_exit(line);
        script.push_str(&format!(
            "{line}\nrc=$?\n[ \"$rc\" -eq {exit} ] || {{ echo \"line {i}: exit $rc, expected {exit}\" >&2; exit 100; }}\n"
        ));
    }
    let output = shell(sandbox, &sandbox.work(), &script, path_first);
    assert!(output.status.success(), "a Try next line failed:\n{script}\n{}", transcript(&output));
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[test]
fn the_demo_prints_commands_that_work_as_printed() {
    // Not on PATH (as after `cargo run`): the lines call the binary by its path; the demo's
    // directory has a space, so its `cd` line must be quoted.
    let sandbox = Sandbox::new();
    let exe = env!("CARGO_BIN_EXE_enigm-disclose");
    let demo = shell(&sandbox, &sandbox.work(), &format!("'{exe}' demo 'my demo'"), None);
    assert!(demo.status.success(), "{}", transcript(&demo));
    let out = String::from_utf8_lossy(&demo.stdout).into_owned();
    let lines = try_next(&out);
    let exe = fs::canonicalize(env!("CARGO_BIN_EXE_enigm-disclose")).expect("exe");
    assert_eq!(
        lines.first().map(String::as_str),
        Some(format!("cd '{}'", sandbox.work().join("my demo").display()).as_str())
    );
    assert!(lines.len() > 5 && lines[1..].iter().all(|l| l.starts_with(&exe.to_string_lossy().into_owned())), "{out}");
    assert!(lines.iter().any(|l| l.contains("# exits 1")), "`due` says it exits 1: {out}");
    assert!(!out.contains("\n  open "), "no macOS-only `open`: {out}");
    let index = sandbox.work().join("my demo/site/index.html");
    assert!(out.contains(&format!("  {}\n", index.display())) && out.contains("file://"), "{out}");
    assert!(out.contains("/my%20demo/site/index.html\n"), "the URL is encoded: {out}");
    assert!(index.is_file());
    let ran = run_try_next(&sandbox, &lines, None);
    assert!(ran.contains("DEMO-2026-0002"), "{ran}");

    // On PATH (after `cargo install`): the lines say `enigm-disclose`.
    let sandbox = Sandbox::new();
    let bin = bin_dir(&sandbox);
    let demo = shell(&sandbox, &sandbox.work(), "enigm-disclose demo", Some(&bin));
    assert!(demo.status.success(), "{}", transcript(&demo));
    let out = String::from_utf8_lossy(&demo.stdout).into_owned();
    let lines = try_next(&out);
    assert!(lines[0].starts_with("cd ") && lines[1..].iter().all(|l| l.starts_with("enigm-disclose")), "{out}");
    assert!(!out.contains("cargo install"), "{out}");
    run_try_next(&sandbox, &lines, Some(&bin));
}
