//! `validate` through the binary: modes (paths, --staged, --against), formats, exit codes.

use std::fs;
use std::path::{Path, PathBuf};

use crate::util::{TestRepo, stderr, stdout};

pub const PUBLISHED: &str = include_str!("../fixtures/reports/published.md");

/// A repository whose `web` product has an `uploads` component, with the published fixture.
fn repo_with_published() -> TestRepo {
    let repo = TestRepo::new();
    let config = repo.read("enigm.yaml").replacen("components: []", "components: [uploads, search]", 1);
    repo.write("enigm.yaml", config);
    repo.write("reports/ENIGM-2026-0001.md", PUBLISHED);
    commit_all(&repo, "add published report");
    repo
}

/// Stages everything and commits with git2.
pub fn commit_all(repo: &TestRepo, message: &str) {
    let git = repo.git();
    let mut index = git.index().expect("index");
    index.add_all(["*"], git2::IndexAddOption::DEFAULT, None).expect("add");
    index.update_all(["*"], None).expect("update");
    index.write().expect("write");
    let tree = git.find_tree(index.write_tree().expect("tree")).expect("tree");
    let head = git.head().expect("head").peel_to_commit().expect("commit");
    let sig = git2::Signature::now("Test Lead", "lead@example.test").expect("sig");
    git.commit(Some("HEAD"), &sig, &sig, message, &tree, &[&head]).expect("commit");
}

fn json(repo: &TestRepo, args: &[&str]) -> (i32, serde_json::Value) {
    let a = repo.cmd().arg("validate").args(args).args(["--format", "json"]).assert();
    let code = a.get_output().status.code().expect("code");
    (code, serde_json::from_slice(&a.get_output().stdout).expect("json output"))
}

fn codes(v: &serde_json::Value) -> Vec<String> {
    v["findings"].as_array().expect("findings").iter().map(|f| f["code"].as_str().expect("code").to_owned()).collect()
}

#[test]
fn a_clean_repository_exits_0_in_every_format() {
    let repo = repo_with_published();
    for format in ["human", "json", "github", "sarif"] {
        repo.cmd().args(["validate", "--format", format]).assert().success();
    }
    let (code, v) = json(&repo, &[]);
    assert_eq!(code, 0);
    assert_eq!(v["summary"], serde_json::json!({"errors": 0, "warnings": 0, "files": 1}));
}

#[test]
fn json_output_has_the_documented_shape() {
    let repo = repo_with_published();
    repo.write(
        "reports/ENIGM-2026-0001.md",
        PUBLISHED.replace("level: critical", "level: low").replace("[CWE-22]", "[CWE22]"),
    );
    let (code, v) = json(&repo, &[]);
    assert_eq!(code, 1);
    assert_eq!(v["version"], 1);
    assert_eq!(v["summary"]["errors"], 2);
    let f = &v["findings"][0];
    assert_eq!(f["path"], "reports/ENIGM-2026-0001.md");
    assert_eq!(f["code"], "cvss-level-mismatch");
    assert_eq!(f["severity"], "error");
    assert_eq!(
        (f["line"].as_u64(), f["column"].as_u64(), f["end_line"].as_u64(), f["end_column"].as_u64()),
        (Some(18), Some(10), Some(18), Some(13))
    );
    assert!(f["help"].as_str().expect("help").contains("level: critical"));
    assert_eq!(v["findings"][1]["code"], "cwe-format", "ordered by position");
}

#[test]
fn github_annotations_point_at_file_line_and_column() {
    let repo = repo_with_published();
    repo.write("reports/ENIGM-2026-0001.md", PUBLISHED.replace("aliases: [CVE-2026-12345]", "aliases: [CVE-26-1]"));
    let a = repo.cmd().args(["validate", "--format", "github"]).assert().code(1);
    let out = stdout(&a);
    assert!(out.starts_with("::error file=reports/ENIGM-2026-0001.md,line=20,col=11,endLine=20,endColumn=19,title=enigm-disclose alias-format::`CVE-26-1` is not a CVE or GHSA id%0Ahelp: "), "{out}");
}

/// An official schema from ../shared/schemas (or ENIGM_SHARED_SCHEMAS). The team provides
/// ../shared beside the clone (CI has it); a conformance test without its schema fails, saying
/// where it looked, rather than passing without checking.
pub fn shared_schema(name: &str) -> serde_json::Value {
    let dir = std::env::var_os("ENIGM_SHARED_SCHEMAS")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/schemas"));
    let text = fs::read_to_string(dir.join(name)).unwrap_or_else(|e| {
        panic!(
            "{name} not found in {} ({e}): put the team's shared/ beside the clone or set ENIGM_SHARED_SCHEMAS",
            dir.display()
        )
    });
    serde_json::from_str(&text).expect("schema is JSON")
}

#[test]
fn sarif_output_is_valid_against_the_official_schema() {
    let repo = repo_with_published();
    repo.write(
        "reports/ENIGM-2026-0001.md",
        PUBLISHED.replace("[CWE-22]", "[CWE22]").replace("Upgrade to 2.4.1.", "TODO"),
    );
    repo.write("reports/ENIGM-2026-0002.md", "no front matter\n");
    let a = repo.cmd().args(["validate", "--format", "sarif"]).assert().code(1);
    let log: serde_json::Value = serde_json::from_slice(&a.get_output().stdout).expect("sarif json");
    let results = log["runs"][0]["results"].as_array().expect("results");
    assert_eq!(results.len(), 3);
    assert_eq!(results[0]["ruleId"], "cwe-format");
    assert_eq!(results[0]["locations"][0]["physicalLocation"]["region"]["startLine"], 19);
    let schema = shared_schema("sarif-2.1.0.schema.json");
    let validator = jsonschema::validator_for(&schema).expect("schema compiles");
    let errors: Vec<String> = validator.iter_errors(&log).map(|e| format!("{} at {}", e, e.instance_path())).collect();
    assert!(errors.is_empty(), "SARIF invalid: {errors:#?}");
}

#[test]
fn staged_checks_the_index_not_the_work_tree() {
    let repo = repo_with_published();
    // Stage a broken version, then fix the work tree without staging.
    repo.write(
        "reports/ENIGM-2026-0001.md",
        PUBLISHED.replace("state: published\nreported", "state: publishd\nreported"),
    );
    let git = repo.git();
    let mut index = git.index().expect("index");
    index.add_path(Path::new("reports/ENIGM-2026-0001.md")).expect("add");
    index.write().expect("write");
    repo.write("reports/ENIGM-2026-0001.md", PUBLISHED);
    repo.cmd().arg("validate").assert().success();
    let (code, v) = json(&repo, &["--staged"]);
    assert_eq!(code, 1);
    assert_eq!(codes(&v), ["invalid-field"]);
    // And the other way round: a clean index, a broken work tree.
    index.add_path(Path::new("reports/ENIGM-2026-0001.md")).expect("add");
    index.write().expect("write");
    repo.write("reports/ENIGM-2026-0001.md", "broken\n");
    repo.cmd().args(["validate", "--staged"]).assert().success();
    repo.cmd().arg("validate").assert().code(1);
    // A staged file that is not in the work tree at all.
    repo.write("reports/ENIGM-2026-0002.md", PUBLISHED.replace("0001", "0002"));
    let mut index = git.index().expect("index");
    index.add_path(Path::new("reports/ENIGM-2026-0002.md")).expect("add");
    index.write().expect("write");
    fs::remove_file(repo.root().join("reports/ENIGM-2026-0002.md")).expect("rm");
    let (code, v) = json(&repo, &["--staged", "reports/ENIGM-2026-0002.md"]);
    assert_eq!((code, v["summary"]["files"].as_u64()), (0, Some(1)), "{v}");
}

#[test]
fn against_a_base_revision_protects_published_reports_and_ids() {
    let repo = repo_with_published();
    repo.write(
        "reports/ENIGM-2026-0002.md",
        PUBLISHED.replace("0001", "0002").replace("CVE-2026-12345", "CVE-2026-12346"),
    );
    commit_all(&repo, "second");
    fs::remove_file(repo.root().join("reports/ENIGM-2026-0001.md")).expect("rm");
    let text = repo.read("reports/ENIGM-2026-0002.md");
    repo.write("reports/ENIGM-2026-0002.md", text.replace("id: ENIGM-2026-0002", "id: ENIGM-2026-0003"));
    let (code, v) = json(&repo, &["--against", "HEAD"]);
    assert_eq!(code, 1);
    let c = codes(&v);
    assert!(c.contains(&"published-deleted".to_owned()), "{c:?}");
    assert!(c.contains(&"id-changed".to_owned()), "{c:?}");
    // A rename keeps the id but moves the file.
    repo.write("reports/ENIGM-2026-0002.md", text);
    fs::rename(repo.root().join("reports/ENIGM-2026-0002.md"), repo.root().join("reports/ENIGM-2026-0009.md"))
        .expect("mv");
    let (_, v) = json(&repo, &["--against", "HEAD"]);
    assert!(codes(&v).contains(&"published-renamed".to_owned()), "{v}");
    let a = repo.cmd().args(["validate", "--against", "no-such-rev"]).assert().code(2);
    assert!(stderr(&a).contains("cannot resolve `no-such-rev`"));
}

#[test]
fn warnings_fail_only_with_deny_warnings() {
    let repo = repo_with_published();
    repo.write("reports/ENIGM-2026-0001.md", PUBLISHED.replace("component: uploads", "component: billing"));
    let (code, v) = json(&repo, &[]);
    assert_eq!((code, codes(&v)), (0, vec!["unknown-component".to_owned()]));
    repo.cmd().args(["validate", "--deny-warnings"]).assert().code(1);
}

#[test]
fn config_problems_are_located_in_enigm_yaml() {
    let repo = repo_with_published();
    repo.write(
        "enigm.yaml",
        repo.read("enigm.yaml")
            .replace("  triage_days: 10", "  triage_dayz: 10")
            .replace("publish_days: 90", "publish_days: ninety"),
    );
    let (code, v) = json(&repo, &[]);
    assert_eq!(code, 1);
    assert_eq!(codes(&v), ["config-unknown-key", "config-invalid"]);
    assert_eq!(v["findings"][0]["path"], "enigm.yaml");
    assert!(v["findings"][0]["help"].as_str().expect("help").contains("triage_days"));
}

#[test]
fn duplicate_ids_and_paths_outside_the_repository() {
    let repo = repo_with_published();
    repo.write("reports/ENIGM-2026-0007.md", PUBLISHED);
    let (_, v) = json(&repo, &[]);
    let c = codes(&v);
    assert_eq!(c.iter().filter(|c| *c == "duplicate-id").count(), 2, "{c:?}");
    let a = repo.cmd().args(["validate", "../outside.md"]).assert().code(2);
    assert!(stderr(&a).contains("outside the disclosure repository"), "{}", stderr(&a));
}

#[test]
fn secrets_are_reported_masked_in_every_format() {
    let repo = repo_with_published();
    let token = ["ghp_", "aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789"].concat();
    repo.write(
        "reports/ENIGM-2026-0001.md",
        PUBLISHED.replace("observe where it is written.", &format!("use the token {token}.")),
    );
    for format in ["human", "json", "github", "sarif"] {
        let a = repo.cmd().args(["validate", "--format", format]).assert().code(1);
        let all = format!("{}{}", stdout(&a), stderr(&a));
        assert!(all.contains("possible GitHub token"), "{format}: {all}");
        assert!(!all.contains(&token[8..]), "{format} leaks the secret: {all}");
    }
}

#[test]
fn secrets_are_found_even_in_files_that_do_not_parse() {
    let repo = repo_with_published();
    let token = ["xoxb-", "123456789012-abcdefghijkl"].concat();
    repo.write(
        "reports/ENIGM-2026-0001.md",
        PUBLISHED.replace("title: Path traversal in uploads", &format!("title: [broken {token}")),
    );
    let (_, v) = json(&repo, &[]);
    let mut found = codes(&v);
    found.sort();
    assert_eq!(found, ["secret", "yaml-syntax"]);
    repo.write(
        "reports/ENIGM-2026-0001.md",
        PUBLISHED
            .replace("embargo", "x")
            .replace("published: 2026-03-01", &format!("published: 2026-03-01\nembargo_untill: {token}")),
    );
    let (_, v) = json(&repo, &[]);
    assert!(codes(&v).contains(&"unknown-field".to_owned()) && codes(&v).contains(&"secret".to_owned()), "{v}");
}

#[test]
fn merge_conflicts_are_reported_in_the_work_tree_and_the_index() {
    let repo = repo_with_published();
    repo.write(
        "reports/ENIGM-2026-0001.md",
        PUBLISHED
            .replace("level: critical\n", "<<<<<<< HEAD\n  level: critical\n=======\n  level: high\n>>>>>>> theirs\n"),
    );
    let (code, v) = json(&repo, &[]);
    assert_eq!(code, 1);
    assert!(codes(&v).contains(&"merge-conflict".to_owned()), "{v}");

    // A conflicted index entry (stages 1-3, no stage 0) under --staged.
    let git = repo.git();
    let mut index = git.index().expect("index");
    let mut entry = index.get_path(Path::new("reports/ENIGM-2026-0001.md"), 0).expect("entry");
    index.remove_path(Path::new("reports/ENIGM-2026-0001.md")).expect("rm");
    for stage in [1u16, 2, 3] {
        entry.flags = (entry.flags & 0x0fff) | (stage << 12);
        index.add(&entry).expect("add conflict stage");
    }
    index.write().expect("write");
    let (code, v) = json(&repo, &["--staged"]);
    assert_eq!((code, codes(&v)), (1, vec!["merge-conflict".to_owned()]), "{v}");
}

#[test]
fn paths_that_are_not_reports_are_refused() {
    let repo = repo_with_published();
    repo.write("notes.md", "# notes\n");
    let a = repo.cmd().args(["validate", "notes.md"]).assert().code(2);
    assert!(stderr(&a).contains("notes.md is not a report"), "{}", stderr(&a));
    repo.cmd().args(["validate", "enigm.yaml"]).assert().success();
}

#[test]
fn secret_split_by_a_yaml_escape_is_found() {
    let repo = repo_with_published();
    // A double-quoted YAML value continued with `\` at the end of the line: the raw text never
    // shows the token whole, the decoded value (what `render` publishes) does.
    let (head, tail) = ("ghp_R7kQ2mX9vLp4Tz8W", "c1Nb6Hj3Fd5Sg0Ay2Ue7");
    let title = format!("title: \"Token {head}\\\n  {tail} leaked\"");
    repo.write("reports/ENIGM-2026-0001.md", PUBLISHED.replace("title: Path traversal in uploads", &title));
    let (code, v) = json(&repo, &[]);
    assert_eq!(code, 1, "{v}");
    let secrets: Vec<_> =
        v["findings"].as_array().expect("findings").iter().filter(|f| f["code"] == "secret").collect();
    assert_eq!(secrets.len(), 1, "{v}");
    let message = secrets[0]["message"].as_str().expect("message");
    assert!(message.contains("GitHub token") && message.contains("YAML escapes"), "{message}");
    assert!(!v.to_string().contains(tail), "{v}");
}

#[test]
fn ssrf_payloads_pass_and_one_secret_value_can_be_accepted() {
    let repo = repo_with_published();
    let body = "request `http://127.0.0.1:80@evil.example/` and `http://[::1]:8080@evil.example/`.";
    repo.write("reports/ENIGM-2026-0001.md", PUBLISHED.replace("observe where it is written.", body));
    let (code, v) = json(&repo, &[]);
    assert_eq!(code, 0, "SSRF payloads are not secrets: {v}");

    // A password the report must quote: refused, then accepted by an inline comment, or by
    // its SHA-256 in enigm.yaml (and only that value).
    let quoted = "log in at `https://admin:Wq4zPt7Lm2@10.0.0.5/` (the default)";
    repo.write("reports/ENIGM-2026-0001.md", PUBLISHED.replace("observe where it is written.", quoted));
    assert_eq!(json(&repo, &[]).0, 1);
    let marked = format!("{quoted} <!-- enigm:allow-secret -->");
    repo.write("reports/ENIGM-2026-0001.md", PUBLISHED.replace("observe where it is written.", &marked));
    assert_eq!(json(&repo, &[]).0, 0);
    repo.write("reports/ENIGM-2026-0001.md", PUBLISHED.replace("observe where it is written.", quoted));
    let config = repo.read("enigm.yaml");
    // printf %s Wq4zPt7Lm2 | sha256sum
    let hash = enigm_disclose::rules::checks::secrets::sha256_hex(b"Wq4zPt7Lm2");
    repo.write(
        "enigm.yaml",
        format!("{config}\nallowed_secrets:\n  - sha256: {hash}\n    reason: vendor default password, public\n"),
    );
    let (code, v) = json(&repo, &[]);
    assert_eq!(code, 0, "{v}");
    let other = quoted.replace("Wq4zPt7Lm2", "Wq4zPt7Lm3");
    repo.write("reports/ENIGM-2026-0001.md", PUBLISHED.replace("observe where it is written.", &other));
    assert_eq!(json(&repo, &[]).0, 1, "the allowlist accepts one value, not the pattern");
}

/// The help of each finding `validate` gives for `text` as report 0001, by code.
fn helps(repo: &TestRepo, text: &str) -> Vec<(String, String, String)> {
    repo.write("reports/ENIGM-2026-0001.md", text);
    let (_, v) = json(repo, &[]);
    v["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            let s = |k: &str| f[k].as_str().unwrap_or_default().to_owned();
            (s("code"), s("message"), s("help"))
        })
        .collect()
}

/// Misspelled enum values get a "did you mean", a CWE written as a number gets its form, a
/// long title gets the limit and how to shorten it.
#[test]
fn misspelled_values_and_wrong_forms_get_a_helpful_finding() {
    let repo = repo_with_published();
    let cases = [
        ("state: published", "state: publishd", "did you mean `published`?"),
        ("level: critical", "level: critcal", "did you mean `critical`?"),
        ("cwe: [CWE-22]", "cwe: [22]", "write `CWE-22`"),
    ];
    for (from, to, want) in cases {
        assert!(PUBLISHED.contains(from), "{from}");
        let found = helps(&repo, &PUBLISHED.replace(from, to));
        assert!(found.iter().any(|(c, _, h)| c == "invalid-field" && h.contains(want)), "{to}: {found:?}");
    }
    let title = format!("title: {}", "A".repeat(450));
    let text = PUBLISHED.lines().map(|l| if l.starts_with("title:") { title.as_str() } else { l }).collect::<Vec<_>>();
    let found = helps(&repo, &(text.join("\n") + "\n"));
    let (_, message, help) = found.iter().find(|(c, _, _)| c == "invalid-field").expect("title finding");
    assert!(message.contains("450 characters long") && message.contains("at most 300"), "{message}");
    assert!(help.contains("300 characters or fewer") && help.contains("body"), "{help}");
    assert!(!message.contains(&"A".repeat(70)), "the message does not repeat the title: {message}");
}

/// A bad `id_prefix` reads as what it should be, not as a regex, and `list` words a
/// configuration problem exactly as `validate` does.
#[test]
fn config_problems_read_the_same_in_validate_and_list() {
    let repo = repo_with_published();
    let good = repo.read("enigm.yaml");
    for (from, to) in [
        ("id_prefix: ENIGM", "id_prefix: en-igm"),
        ("  triage_days: 10", "  triage_dayz: 10"),
        ("    low: 90", "    low: lots"),
    ] {
        assert!(good.contains(from), "{from}");
        repo.write("enigm.yaml", good.replace(from, to));
        let v = repo.cmd().arg("validate").assert().code(1);
        let l = repo.cmd().arg("list").assert().code(1);
        let (v, l) = (stderr(&v), stderr(&l));
        let headline = |e: &str| e.lines().find(|l| l.contains('×')).map(str::to_owned).unwrap_or_default();
        assert!(!headline(&v).is_empty() && headline(&v) == headline(&l), "{to}:\n{v}\n{l}");
        assert!(!v.contains("^[A-Z]"), "no raw regex: {v}");
    }
    repo.write("enigm.yaml", good.replace("id_prefix: ENIGM", "id_prefix: en-igm"));
    let a = repo.cmd().arg("validate").assert().code(1);
    assert!(stderr(&a).contains("uppercase letter"), "{}", stderr(&a));
}

/// A policy that publishes before a fix is due is a warning at the offending key; the
/// defaults `init` writes are consistent.
#[test]
fn a_policy_publishing_before_the_fix_deadline_is_a_warning() {
    let repo = repo_with_published();
    let (code, v) = json(&repo, &[]);
    assert_eq!(code, 0, "the default policy is consistent: {v}");
    assert!(!codes(&v).contains(&"config-publish-before-fix".to_owned()), "{v}");
    let good = repo.read("enigm.yaml");
    repo.write("enigm.yaml", good.replace("    low: 90", "    low: 180").replace("    none: 90", "    none: 365"));
    let (code, v) = json(&repo, &[]);
    assert_eq!(code, 0, "a warning does not fail validate: {v}");
    let warnings: Vec<&serde_json::Value> = v["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["code"] == "config-publish-before-fix")
        .collect();
    assert_eq!(warnings.len(), 2, "{v}");
    assert_eq!(warnings[0]["severity"], "warning");
    assert_eq!(warnings[0]["path"], "enigm.yaml");
    let text = repo.read("enigm.yaml");
    let line = text.lines().position(|l| l == "    low: 180").expect("line") + 1;
    assert_eq!(warnings[0]["line"], line, "{}", warnings[0]);
    assert!(warnings[0]["message"].as_str().expect("message").contains("`policy.fix_days.low` is 180 days"));
    // The reports were still checked, and --deny-warnings fails the run.
    repo.cmd().args(["validate", "--deny-warnings"]).assert().code(1);
    // Other commands do not warn about it.
    let a = repo.cmd().arg("list").assert().success();
    assert!(!stderr(&a).contains("publish-before-fix"), "{}", stderr(&a));
}
