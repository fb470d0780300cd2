//! The hostile corpus (`tests/fixtures/hostile/`): every fixture gets its expected located
//! findings from `validate`, and every command run over it ends with exit 0, 1 or 2, a message
//! naming the file, no panic and no hang.
//!
//! One test per fixture (listed in the modules `reports`, `configs` and `fuzz` below; the
//! test `every_fixture_has_its_test` fails when a fixture file has no test or a test no file),
//! so the corpus runs in parallel and a failure names its fixture.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::Duration;

use crate::util::{TestRepo, stderr};

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

/// The expectation line of one fixture.
fn expectation(name: &str) -> (i32, Vec<String>) {
    let (_, exit, codes) = expectations()
        .into_iter()
        .find(|(n, ..)| n == name)
        .unwrap_or_else(|| panic!("{name} has no line in tests/fixtures/hostile/expected.txt"));
    (exit, codes)
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

/// Runs one command with a time bound.
fn run_output(repo: &TestRepo, args: &[&str]) -> Output {
    repo.cmd().args(args).timeout(Duration::from_secs(60)).output().expect("runs")
}

/// (exit code, stdout + stderr) of a command's output.
fn summary(args: &[&str], out: &Output) -> (i32, String) {
    let text = String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    let code = out.status.code().unwrap_or_else(|| panic!("`{}` was killed (timeout?):\n{text}", args.join(" ")));
    (code, text)
}

const VALIDATE_JSON: &[&str] = &["validate", "--format", "json"];

/// Every command, over a repository holding one hostile file; `names` are the strings one of
/// which a failing command must mention. `validated` is the output of `validate --format
/// json` on this repository when [`validate_reports`] already ran it (validate changes
/// nothing, so a second run would give the same output).
fn every_command_behaves(repo: &TestRepo, fixture: &str, names: &[&str], validated: Option<Output>) {
    let site = repo.sandbox.tmp.path().join("site-out");
    let site = site.to_str().expect("utf8 path");
    let commands: &[&[&str]] = &[
        &["validate"],
        VALIDATE_JSON,
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
    // The commands up to `advance` only read the repository (render writes outside it): they
    // run at once; `advance` and what follows change it, so they run in order after them.
    let writers = commands.iter().position(|c| c.first() == Some(&"advance")).expect("advance");
    let mut validated = validated;
    let mut outputs: Vec<Output> = std::thread::scope(|s| {
        let running: Vec<_> = commands[..writers]
            .iter()
            .map(|args| match validated.take_if(|_| *args == VALIDATE_JSON) {
                Some(out) => s.spawn(move || out),
                None => s.spawn(move || run_output(repo, args)),
            })
            .collect();
        running.into_iter().map(|t| t.join().expect("command thread")).collect()
    });
    for args in &commands[writers..] {
        outputs.push(run_output(repo, args));
    }
    for (args, out) in commands.iter().zip(outputs) {
        let (code, text) = summary(args, &out);
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

/// Checks validate's JSON findings for the file: the expected exit code and codes, each with
/// a line. Returns the command's output.
fn validate_reports(repo: &TestRepo, fixture: &str, path: &str, exit: i32, codes: &[String]) -> Output {
    let out = run_output(repo, VALIDATE_JSON);
    let (code, text) = summary(VALIDATE_JSON, &out);
    assert_eq!(code, exit, "{fixture}: `validate --format json` exited {code}, not {exit}:\n{text}");
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
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
    out
}

/// `reports/<name>` as the repository's one report: its findings, then every command.
fn report_fixture(name: &str) {
    let (exit, codes) = expectation(name);
    let repo = TestRepo::new();
    fs::copy(hostile(name), repo.root().join(REPORT)).expect("copy");
    commit_all(&repo, &format!("hostile: {name}"));
    let validated = validate_reports(&repo, name, REPORT, exit, &codes);
    every_command_behaves(&repo, name, &[REPORT, ID], Some(validated));
}

/// `configs/<name>` as the repository's `enigm.yaml`: its findings, then every command.
fn config_fixture(name: &str) {
    let (exit, codes) = expectation(name);
    let repo = TestRepo::new();
    repo.write(REPORT, include_str!("../fixtures/reports/published.md"));
    fs::copy(hostile(name), repo.root().join("enigm.yaml")).expect("copy");
    commit_all(&repo, &format!("hostile: {name}"));
    let validated = validate_reports(&repo, name, "enigm.yaml", exit, &codes);
    every_command_behaves(&repo, name, &["enigm.yaml", ID], Some(validated));
}

/// Inputs the fuzzers found (docs/robustness.md): every command stays clean on them too.
fn fuzz_fixture(name: &str) {
    let repo = TestRepo::new();
    let path = hostile(name);
    fs::copy(&path, repo.root().join(REPORT)).expect("copy");
    commit_all(&repo, "fuzz finding");
    every_command_behaves(&repo, &path.display().to_string(), &[REPORT, ID], None);
}

/// One test per fixture file of `$dir`, named after the file (`-` as `_`, no extension),
/// and `$dir::FIXTURES`, the file names the tests cover.
macro_rules! fixture_tests {
    ($dir:ident, $ext:literal, $check:ident: $($name:ident)*) => {
        mod $dir {
            pub const FIXTURES: &[&str] =
                &[$(concat!(stringify!($dir), "/", stringify!($name), ".", $ext)),*];
            $(
                #[test]
                fn $name() {
                    let name = concat!(stringify!($dir), "/", stringify!($name), ".", $ext).replace('_', "-");
                    super::$check(&name);
                }
            )*
        }
    };
}

fixture_tests!(reports, "md", report_fixture:
    bytes_double_bom bytes_escape_in_body bytes_latin1 bytes_nul_in_body bytes_nul_in_front_matter
    bytes_overlong_utf8 bytes_surrogate_utf8 bytes_truncated_utf8 bytes_utf16_bom conflict_markers
    fence_indented fence_missing fence_only_opening fence_two_blocks fence_unclosed
    field_missing_reporter field_missing_title field_unknown file_empty file_whitespace
    id_bidi_override id_cyrillic_lookalike id_other_report id_path_traversal id_slashes id_wrong_year
    lines_bom_crlf lines_cr_only lines_crlf lines_mixed lines_no_final_newline
    secret_aws_key secret_private_key secret_url_password
    text_bidi_isolate_body text_bidi_title text_escape_in_title text_mixed_script_title text_zero_width_product
    type_aliases_map type_cwe_string type_embargo_number type_huge_integer type_id_number type_null_title
    type_product_name_number type_products_map type_published_bad_date type_reference_kind
    type_reported_feb_30 type_reported_month_13 type_reported_word type_reporter_string
    type_resolution_unknown type_severity_level_unknown type_severity_string type_state_number
    type_state_unknown type_timeline_date_feb_30 type_timeline_map type_title_empty type_title_list
    yaml_alias_merge_key yaml_anchor yaml_billion_laughs yaml_custom_tag yaml_deep_block yaml_deep_flow
    yaml_duplicate_key yaml_duplicate_nested_key yaml_flow_unclosed yaml_front_matter_empty
    yaml_front_matter_list yaml_front_matter_scalar yaml_key_is_map yaml_multi_document yaml_python_tag
    yaml_syntax_bad_indent yaml_syntax_unclosed_quote yaml_tab_indent
);

fixture_tests!(configs, "yaml", config_fixture:
    config_bad_prefix config_bidi_org config_billion_laughs config_deep config_duplicate_key config_empty
    config_huge_number config_negative_days config_not_utf8 config_scalar config_tab config_unknown_key
    config_wrong_type
);

fixture_tests!(fuzz, "md", fuzz_fixture:
    edit_explicit_key_without_value edit_flow_front_matter edit_lone_cr_line_break
    edit_timeline_note_date_like edit_value_1e400
);

/// Every fixture file has its test above and its line in expected.txt (fuzz findings have
/// none: any outcome but a bad failure is fine), and every test and line its file.
#[test]
fn every_fixture_has_its_test() {
    let files = |dir: &str| -> BTreeSet<String> {
        fs::read_dir(hostile(dir))
            .expect("fixture dir")
            .map(|e| format!("{dir}/{}", e.expect("entry").file_name().to_string_lossy()))
            .collect()
    };
    let tested = |list: &[&str]| -> BTreeSet<String> { list.iter().map(|n| n.replace('_', "-")).collect() };
    for (dir, list, at_least) in
        [("reports", reports::FIXTURES, 60), ("configs", configs::FIXTURES, 10), ("fuzz", fuzz::FIXTURES, 5)]
    {
        let on_disk = files(dir);
        assert!(on_disk.len() >= at_least, "the corpus has {} {dir} fixtures", on_disk.len());
        let tested_set = tested(list);
        let untested: Vec<_> = on_disk.difference(&tested_set).collect();
        assert!(untested.is_empty(), "fixtures without a test (add them to fixture_tests!): {untested:?}");
        let missing: Vec<_> = tested_set.difference(&on_disk).collect();
        assert!(missing.is_empty(), "tests without a fixture file: {missing:?}");
        assert_eq!(list.len(), on_disk.len(), "{dir}: a name is listed twice in fixture_tests!");
    }
    let expected: BTreeSet<String> = expectations().into_iter().map(|(n, ..)| n).collect();
    let corpus: BTreeSet<String> = files("reports").into_iter().chain(files("configs")).collect();
    assert_eq!(expected, corpus, "expected.txt and the reports/ and configs/ fixtures differ");
}

/// Cases that cannot be stored in git as fixtures, made here on the base fixture: the file's
/// findings, then every command.
fn generated(make: impl FnOnce(&Path, &str), exit: i32, code: &str) {
    let what = std::thread::current().name().unwrap_or("generated").to_owned();
    let base = fs::read_to_string(hostile("reports/lines-no-final-newline.md")).expect("base");
    let repo = TestRepo::new();
    make(&repo.root().join(REPORT), &base);
    let validated = validate_reports(&repo, &what, REPORT, exit, &[code.to_owned()]);
    every_command_behaves(&repo, &what, &[REPORT, ID], Some(validated));
}

mod generated {
    use std::fs;
    use std::path::Path;

    use super::{generated, mkfifo, symlink};

    #[test]
    fn over_1_mib_on_one_line() {
        generated(|p, b| fs::write(p, format!("{b}\n{}\n", "x".repeat(1_100_000))).expect("w"), 1, "file-too-large");
    }

    #[test]
    fn a_1_000_000_byte_title() {
        generated(
            |p, b| fs::write(p, b.replace("XSS in search", &"A".repeat(1_000_000))).expect("w"),
            1,
            "invalid-field",
        );
    }

    #[test]
    fn twenty_thousand_unknown_keys() {
        generated(
            |p, b| {
                let keys: String = (0..20_000).map(|i| format!("k{i}: v\n")).collect();
                fs::write(p, b.replacen("title:", &format!("{keys}title:"), 1)).expect("w")
            },
            1,
            "unknown-field",
        );
    }

    #[test]
    fn ten_thousand_timeline_entries() {
        generated(
            |p, b| {
                let entries: String = (0..10_000).map(|_| "  - date: 2026-06-01\n    state: received\n").collect();
                fs::write(p, b.replacen("timeline:\n", &format!("timeline:\n{entries}"), 1)).expect("w")
            },
            1,
            "timeline-transition",
        );
    }

    #[test]
    fn a_symbolic_link_out_of_the_repository() {
        generated(|p, _| symlink(Path::new("/etc/passwd"), p), 1, "symlink");
    }

    #[test]
    fn a_dangling_symbolic_link() {
        generated(|p, _| symlink(Path::new("../nowhere/x.md"), p), 1, "symlink");
    }

    #[test]
    fn a_directory_named_like_a_report() {
        generated(|p, _| fs::create_dir(p).expect("dir"), 1, "not-a-file");
    }

    #[test]
    fn a_fifo_named_like_a_report() {
        generated(|p, _| mkfifo(p), 1, "not-a-file");
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

/// As root (whom permissions do not stop), the commands run as `nobody`, who owns the
/// repository but may not read the report.
#[cfg(unix)]
#[test]
fn an_unreadable_report_is_named() {
    let mut repo = TestRepo::new();
    repo.write(REPORT, include_str!("../fixtures/reports/published.md"));
    repo.make_unreadable(REPORT);
    let a = repo.cmd().arg("validate").assert().code(1);
    assert!(stderr(&a).contains("file-unreadable") && stderr(&a).contains(REPORT), "{}", stderr(&a));
    every_command_behaves(&repo, "an unreadable report", &[REPORT, ID], None);
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(repo.root().join(REPORT), fs::Permissions::from_mode(0o644)).expect("chmod");
}

fn symlink(target: &Path, link: &Path) {
    #[cfg(unix)]
    std::os::unix::fs::symlink(target, link).expect("symlink");
    #[cfg(not(unix))]
    let _ = (target, link);
}

fn mkfifo(path: &Path) {
    let out = std::process::Command::new("mkfifo").arg(path).output().expect("mkfifo runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
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
