//! What people read when something is not right yet: each error's own `help:` line, `--help`
//! (global options under their own heading, examples that never wrap), the manual pages, and
//! dynamic shell completion.

use std::fs;
use std::process::Command;

use crate::util::{Sandbox, TestRepo, stderr, stdout};

/// The `help:` text of a diagnostic (its continuation lines joined), and the whole stderr.
fn help_of(err: &str) -> String {
    let mut help = Vec::new();
    let mut lines = err.lines();
    while let Some(line) = lines.next() {
        if let Some(h) = line.trim_start().strip_prefix("help: ") {
            help.push(h.trim().to_owned());
            // Continuation lines are indented past "help: ".
            for more in lines.by_ref() {
                if more.starts_with("        ") && !more.trim().is_empty() {
                    help.push(more.trim().to_owned());
                } else {
                    break;
                }
            }
        }
    }
    help.join(" ")
}

/// Every usage and requirement error of `new`: each one's help names the flag or field it is
/// about, and none gets another error's help (the blanket "products and components" line).
#[test]
fn every_new_error_has_its_own_relevant_help() {
    let repo = TestRepo::new();
    let config = repo.read("enigm.yaml");
    assert!(config.contains("  - name: web\n    components: []"), "{config}");
    repo.write(
        "enigm.yaml",
        config.replace("  - name: web\n    components: []", "  - name: web\n    components: [ui]"),
    );
    let base = ["new", "--reporter-name", "Jane Doe"];
    let long_title = "A".repeat(301);
    let cases: Vec<(Vec<&str>, &str, bool)> = vec![
        // (extra args, what the help must contain, whether it is about products)
        (vec!["--title", "two\nlines"], "--title", false),
        (vec!["--title", "   "], "--title", false),
        (vec!["--title", "t", "--reported", "2030-01-01"], "--reported", false),
        (vec!["--title", "t", "--cvss", "banana"], "--cvss", false),
        (vec!["--title", "t", "--assignee", " "], "--assignee", false),
        (vec!["--title", "t", "--reporter-contact", "a\tb"], "--reporter-contact", false),
        (
            vec!["--title", "t", "--severity", "low", "--cvss", "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"],
            "",
            false,
        ),
        (vec!["--title", &long_title], "300 characters", false),
        (vec!["--title", "t", "--product", "nope"], "products", true),
        (vec!["--title", "t", "--product", "web", "--component", "nope"], "components", true),
    ];
    for (extra, needle, about_products) in cases {
        let mut args: Vec<&str> = base.to_vec();
        if !extra.contains(&"--product") {
            args.extend(["--product", "web"]);
        }
        args.extend(&extra);
        let out = repo.cmd().args(&args).output().expect("run");
        let err = String::from_utf8_lossy(&out.stderr).into_owned();
        assert!(!out.status.success(), "{extra:?} should fail");
        if needle.is_empty() {
            // --severity with --cvss is refused by the parser (they conflict).
            assert!(err.contains("--cvss") && err.contains("--severity"), "{extra:?}: {err}");
            continue;
        }
        let help = help_of(&err);
        assert!(help.contains(needle), "{extra:?}: the help should name {needle}: {help:?}\n{err}");
        assert_eq!(help.contains("products and components"), about_products, "{extra:?}: {help:?}");
    }
    // Several problems: each one's help, once.
    let a = repo
        .cmd()
        .args(["new", "--title", "a\nb", "--reporter-name", " ", "--product", "web", "--cvss", "banana"])
        .assert()
        .code(2);
    let help = help_of(&stderr(&a));
    for needle in ["--title", "--reporter-name", "--cvss"] {
        assert!(help.contains(needle), "{needle}: {help}");
    }
    assert!(!help.contains("products and components"), "{help}");
}

/// Every usage and requirement error of `advance` has a help that names what it is about.
#[test]
fn every_advance_error_has_its_own_relevant_help() {
    let repo = TestRepo::new();
    let id = repo.new_report("SQL injection in search");
    let other = repo.new_report("XSS in search");
    let cases: Vec<(Vec<&str>, &str)> = vec![
        // Unmet requirements are findings on the file (exit 1): their help names the field.
        (vec![&id, "rejected"], "resolution:"),
        (vec![&id, "rejected", "--resolution", "duplicate"], "duplicate_of"),
        (vec![&id, "rejected", "--resolution", "duplicate", "--duplicate-of", &id], "original report"),
        (vec![&id, "rejected", "--resolution", "out-of-scope", "--duplicate-of", &other], "--duplicate-of"),
        (vec![&id, "triaged", "--resolution", "duplicate"], "--resolution"),
        (vec![&id, "published"], "triaged"),
        (vec![&id, "needs-info", "--force"], "--reason"),
        (vec!["ENIGM-2026-0099", "triaged"], "did you mean"),
    ];
    for (args, needle) in cases {
        let out = repo.cmd().arg("advance").args(&args).output().expect("run");
        let err = String::from_utf8_lossy(&out.stderr).into_owned();
        assert!(!out.status.success(), "{args:?} should fail: {err}");
        let help = help_of(&err);
        assert!(help.contains(needle), "{args:?}: the help should name {needle}: {help:?}\n{err}");
        assert!(!help.contains("products and components"), "{args:?}: {help:?}");
    }
    // A withdrawal needs a reason; a published report is needed first, so only the message.
    let a = repo.cmd().args(["advance", &id, "triaged", "--resolution", "bogus"]).assert().code(2);
    assert!(stderr(&a).contains("did you mean") || stderr(&a).contains("expected one of"), "{}", stderr(&a));
}

/// A misspelled state, level or resolution on the command line gets a "did you mean".
#[test]
fn misspelled_values_on_the_command_line_get_a_suggestion() {
    let repo = TestRepo::new();
    let id = repo.new_report("SQL injection in search");
    for (args, want) in [
        (vec!["advance", id.as_str(), "traiged"], "did you mean `triaged`?"),
        (vec!["list", "--state", "recieved"], "did you mean `received`?"),
        (vec!["list", "--severity", "hihg"], "did you mean `high`?"),
        (vec!["advance", id.as_str(), "rejected", "--resolution", "duplicat"], "did you mean `duplicate`?"),
    ] {
        let a = repo.cmd().args(&args).assert().code(2);
        assert!(stderr(&a).contains(want), "{args:?}: {}", stderr(&a));
    }
}

/// The global options (`-C`, `--color`) have their own heading, after the command's own.
#[test]
fn global_options_have_their_own_heading() {
    let sandbox = Sandbox::new();
    for command in ["new", "list", "advance", "validate", "render", "show"] {
        let a = sandbox.cmd_in(&sandbox.work()).args([command, "--help"]).assert().success();
        let out = stdout(&a);
        let own = out.find("\nOptions:").expect("Options heading");
        let global = out.find("\nGlobal options:").unwrap_or_else(|| panic!("{command}: {out}"));
        assert!(own < global, "{command}: global options come after the command's own");
        let own_section = &out[own..global];
        assert!(!own_section.contains("-C <DIR>") && !own_section.contains("--color"), "{command}: {own_section}");
        assert!(out[global..].contains("-C <DIR>") && out[global..].contains("--color <WHEN>"), "{command}");
    }
}

/// `--help` of the main commands, as a new user reads it (80 columns).
#[test]
fn help_snapshots() {
    let sandbox = Sandbox::new();
    for command in ["", "init", "new", "list", "advance", "validate", "render"] {
        let mut cmd = sandbox.cmd_in(&sandbox.work());
        cmd.env("COLUMNS", "80");
        if !command.is_empty() {
            cmd.arg(command);
        }
        let a = cmd.arg("--help").assert().success();
        let name = if command.is_empty() { "help_main".to_owned() } else { format!("help_{command}") };
        insta::assert_snapshot!(name, stdout(&a));
    }
}

/// No example in any `--help` wraps at 80 columns (a wrapped command cannot be pasted), and no
/// help text wraps inside a `command`.
#[test]
fn help_examples_never_wrap_at_80_columns() {
    let sandbox = Sandbox::new();
    let commands = subcommands(&sandbox);
    for command in std::iter::once(String::new()).chain(commands) {
        let help = |columns: &str| {
            let mut cmd = sandbox.cmd_in(&sandbox.work());
            cmd.env("COLUMNS", columns);
            cmd.args(command.split_whitespace()).arg("--help");
            String::from_utf8(cmd.output().expect("help").stdout).expect("utf8")
        };
        let (narrow, wide) = (help("80"), help("1000"));
        let examples = |text: &str| -> Vec<String> {
            let at = text.rfind("\nExample").or_else(|| text.rfind("\nStart here")).map_or(text.len(), |i| i);
            text[at..].lines().map(str::to_owned).collect()
        };
        assert_eq!(examples(&narrow), examples(&wide), "`{command} --help`: an example wraps at 80 columns");
        for line in examples(&narrow) {
            assert!(line.chars().count() <= 80, "`{command} --help`: {line}");
        }
        // No `code` span is split over two lines, and the output has plain spaces only.
        for line in narrow.lines() {
            assert!(line.matches('`').count() % 2 == 0, "`{command} --help` wraps inside `code`: {line}");
        }
        assert!(!narrow.contains('\u{a0}'), "`{command} --help` prints a no-break space");
    }
}

/// Subcommand paths (`new`, `hook install`) from the top-level help and `hook --help`.
fn subcommands(sandbox: &Sandbox) -> Vec<String> {
    let list = |args: &[&str]| -> Vec<String> {
        let out = sandbox.cmd_in(&sandbox.work()).args(args).arg("--help").output().expect("help");
        let text = String::from_utf8(out.stdout).expect("utf8");
        text.lines()
            .skip_while(|l| !l.starts_with("Commands:"))
            .skip(1)
            .take_while(|l| l.starts_with("  "))
            .filter(|l| !l.starts_with("   "))
            .filter_map(|l| l.split_whitespace().next().map(str::to_owned))
            .filter(|c| c != "help")
            .collect()
    };
    let mut all = Vec::new();
    for c in list(&[]) {
        let nested = list(&[&c]);
        all.push(c.clone());
        all.extend(nested.into_iter().map(|n| format!("{c} {n}")));
    }
    all
}

/// `man --out DIR` writes one page per command; each renders, each page it refers to exists,
/// and every synopsis names option values (`-C DIR`).
#[test]
fn every_command_has_a_complete_man_page() {
    let sandbox = Sandbox::new();
    let dir = sandbox.tmp.path().join("man1");
    sandbox.cmd_in(&sandbox.work()).args(["man", "--out"]).arg(&dir).assert().success();
    let mut names: Vec<String> = fs::read_dir(&dir)
        .expect("pages")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    let expected: Vec<String> = std::iter::once("enigm-disclose.1".to_owned())
        .chain(subcommands(&sandbox).iter().map(|c| format!("enigm-disclose-{}.1", c.replace(' ', "-"))))
        .collect();
    for page in &expected {
        assert!(names.contains(page), "{page} is missing from {names:?}");
    }
    let reference = regex::Regex::new(r"(enigm\\-disclose(?:\\-[a-z]+)*)(?:\\fR)?\(1\)").expect("regex");
    for name in &names {
        let roff = fs::read_to_string(dir.join(name)).expect("page");
        for r in reference.captures_iter(&roff) {
            let page = format!("{}.1", r[1].replace("\\-", "-"));
            assert!(names.contains(&page), "{name} refers to {page}, which is not generated");
        }
        let synopsis = roff.split(".SH SYNOPSIS").nth(1).and_then(|s| s.split(".SH").next()).expect("synopsis");
        assert!(synopsis.contains("[\\-C DIR]"), "{name}: {synopsis}");
        assert!(!synopsis.contains("\\-C \\fR]") && !synopsis.contains("[\\-C ]"), "{name}: {synopsis}");
        assert!(roff.contains(".SH DESCRIPTION") && roff.contains(".SH OPTIONS"), "{name}");
    }
    let new = fs::read_to_string(dir.join("enigm-disclose-new.1")).expect("new page");
    assert!(new.contains("[\\-\\-title TITLE]") && new.contains("[\\-\\-severity LEVEL]"), "{new}");
    // `man` prints one page, and the subcommand's page by name.
    let a = sandbox.cmd_in(&sandbox.work()).args(["man", "new"]).assert().success();
    assert_eq!(stdout(&a), new);
    sandbox.cmd_in(&sandbox.work()).args(["man", "nope"]).assert().code(2);
}

/// With groff installed, every page formats without a single warning. Without it the test
/// is reported as ignored (see `.ci/run`, which runs the ignored tests where groff exists).
#[test]
#[ignore = "needs groff (run with --ignored where it is installed; .ci/run does)"]
fn man_pages_format_without_warnings() {
    let sandbox = Sandbox::new();
    let dir = sandbox.tmp.path().join("man1");
    sandbox.cmd_in(&sandbox.work()).args(["man", "--out"]).arg(&dir).assert().success();
    let mut checked = 0;
    for entry in fs::read_dir(&dir).expect("pages") {
        let path = entry.expect("entry").path();
        let out = Command::new("groff")
            .args(["-k", "-man", "-Tutf8", "-ww", "-z"])
            .arg(&path)
            .output()
            .expect("groff is installed: this test is only run where it is");
        assert!(out.status.success(), "{}", path.display());
        let warnings = String::from_utf8_lossy(&out.stderr);
        assert!(warnings.trim().is_empty(), "{}: {warnings}", path.display());
        checked += 1;
    }
    assert!(checked > 10, "{checked} pages");
}

/// Asks the binary for completions the way the bash script it prints does.
fn complete(repo: &TestRepo, words: &[&str]) -> Vec<String> {
    let index = (words.len() - 1).to_string();
    let out = repo
        .cmd()
        .env("COMPLETE", "bash")
        .env("_CLAP_COMPLETE_INDEX", &index)
        .env("_CLAP_COMPLETE_COMP_TYPE", "9")
        .env("_CLAP_COMPLETE_SPACE", "true")
        .env("_CLAP_IFS", "\n")
        .arg("--")
        .args(words)
        .output()
        .expect("complete");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).expect("utf8").lines().map(str::to_owned).collect()
}

/// Dynamic completion offers states, levels, resolutions, formats and the repository's ids.
#[test]
fn dynamic_completion_offers_states_and_report_ids() {
    let repo = TestRepo::new();
    let first = repo.new_report("SQL injection in search");
    let second = repo.new_report("XSS in search");
    let bin = "enigm-disclose";
    // Every command that takes report ids completes them (edit and seal were missed).
    for command in ["show", "advance", "history", "render", "renumber", "edit", "seal"] {
        let ids = complete(&repo, &[bin, command, ""]);
        assert!(ids.contains(&first) && ids.contains(&second), "{command}: {ids:?}");
    }
    assert_eq!(complete(&repo, &[bin, "advance", &first, "tri"]), vec!["triaged"]);
    let states = complete(&repo, &[bin, "list", "--state", ""]);
    assert!(states.contains(&"received".to_owned()) && states.contains(&"withdrawn".to_owned()), "{states:?}");
    assert!(complete(&repo, &[bin, "new", "--severity", ""]).contains(&"critical".to_owned()));
    assert!(
        complete(&repo, &[bin, "advance", &first, "rejected", "--resolution", "dup"]).contains(&"duplicate".to_owned())
    );
    assert!(complete(&repo, &[bin, "list", "--format", ""]).contains(&"csv".to_owned()));
    // -C points the ids at another repository; outside one, ids complete to nothing, quietly.
    let outside = repo.sandbox.tmp.path().to_string_lossy().into_owned();
    let from_outside = complete(&repo, &[bin, "-C", &outside, "show", ""]);
    assert!(!from_outside.iter().any(|c| c.starts_with("ENIGM-")), "{from_outside:?}");
    let root = repo.root().to_string_lossy().into_owned();
    assert!(complete(&repo, &[bin, "-C", &root, "history", "ENIGM"]).contains(&first));
    // The registration script for each documented shell.
    for shell in ["bash", "zsh", "fish"] {
        let out = repo.cmd().env("COMPLETE", shell).output().expect("script");
        assert!(out.status.success() && String::from_utf8_lossy(&out.stdout).contains("enigm-disclose"), "{shell}");
    }
}

/// `-C` names what is wrong: a missing directory, a directory outside git, a git repository
/// that is not a disclosure repository; each exits 2.
#[test]
fn dash_c_says_what_the_directory_is() {
    let sandbox = Sandbox::new();
    let plain = sandbox.tmp.path().join("plain");
    fs::create_dir_all(&plain).expect("mkdir");
    let git = sandbox.tmp.path().join("git");
    git2::Repository::init(&git).expect("git init");
    let missing = sandbox.tmp.path().join("missing");
    let run = |dir: &std::path::Path| {
        let a = sandbox.cmd_in(&sandbox.work()).arg("-C").arg(dir).arg("list").assert().code(2);
        stderr(&a)
    };
    let err = run(&missing);
    assert!(err.contains("no such directory") && !err.contains("disclosure repository"), "{err}");
    let file = sandbox.tmp.path().join("a-file");
    fs::write(&file, "x").expect("file");
    let err = run(&file);
    assert!(err.contains("not a directory") && err.contains("not a file in it"), "{err}");
    let err = run(&plain);
    assert!(err.contains("not inside a git repository"), "{err}");
    let err = run(&git);
    assert!(err.contains("not inside a disclosure repository") && err.contains("no enigm.yaml"), "{err}");
    assert!(err.contains("enigm-disclose init"), "{err}");
    // Narrow, the hint wraps between words, never inside a `command` or an id.
    let a = sandbox.cmd_in(&sandbox.work()).env("COLUMNS", "50").arg("-C").arg(&git).arg("list").assert().code(2);
    for line in stderr(&a).lines() {
        assert!(line.matches('`').count() % 2 == 0, "wrapped inside `code`: {line}\n{}", stderr(&a));
    }
    let repo = TestRepo::new();
    let a = repo.cmd().env("COLUMNS", "40").args(["show", "ENIGM-2026-0042"]).assert().code(2);
    let err = stderr(&a);
    assert!(err.contains("ENIGM-2026-0042"), "an id is never split at its hyphens: {err}");
}

/// The detached-HEAD hint names the branch HEAD came from, not a `main` that may not exist.
#[test]
fn the_detached_head_hint_names_the_real_branch() {
    let repo = TestRepo::new();
    let git = |args: &[&str]| {
        let out = Command::new("git").current_dir(repo.root()).args(args).output().expect("git");
        assert!(out.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    };
    git(&["branch", "-m", "trunk"]);
    git(&["branch", "side"]);
    git(&["checkout", "-q", "--detach"]);
    let a = repo.cmd().args(["new", "--title", "t", "--product", "web", "--reporter-name", "J"]).assert().code(2);
    let err = stderr(&a);
    assert!(err.contains("`git switch trunk`") && !err.contains("git switch main"), "{err}");
}
