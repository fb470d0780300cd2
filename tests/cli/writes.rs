//! The tool's own writes pass the same gate as `validate`: `new` (flags, `--body-file`,
//! `--edit`) refuses what `validate` refuses before it writes anything or takes an id; every
//! output masks secrets (refusals, diagnostics, machine formats, `show`, `list`); CVSS vectors
//! name every base metric.

use std::fs;

use crate::util::{TestRepo, stderr, stdout};

/// An AWS access key id the scanner finds (not the documentation example).
const KEY: &str = "AKIAZ7VRSQ5TJ3XKQ4ME";
/// A GitHub token the scanner finds.
const TOKEN: &str = "ghp_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789";

fn new_args(title: &str) -> Vec<String> {
    ["new", "--title", title, "--product", "web", "--reporter-name", "Jane Doe"].map(String::from).to_vec()
}

/// Nothing was written or committed and no id was taken: the next report is still number 1.
fn assert_nothing_written(repo: &TestRepo, head: git2::Oid) {
    assert_eq!(repo.head_id(), head, "nothing committed");
    let names: Vec<String> = fs::read_dir(repo.root().join("reports"))
        .expect("ls")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, [".gitkeep"], "nothing written under reports/");
    assert!(repo.status().is_empty(), "work tree and index untouched: {:?}", repo.status());
}

fn assert_masked(output: &str, secrets: &[&str]) {
    for s in secrets {
        // Not the secret, nor a tell-tale part of it past a public prefix.
        assert!(!output.contains(s) && !output.contains(&s[6..]), "secret {s} leaked in:\n{output}");
    }
}

#[test]
fn new_refuses_what_validate_refuses_and_writes_nothing() {
    let body = "## Summary\n\nThe admin key is ".to_owned() + KEY + " and that is bad.\n";
    let long = "x".repeat(301);
    // (extra flags, the code of the refusal)
    let cases: Vec<(Vec<String>, &str)> = vec![
        (new_args(&format!("Leaked {KEY} in logs")), "secret"),
        (new_args(&format!("Token {TOKEN}")), "secret"),
        (
            [new_args("ok title"), vec!["--reporter-contact".into(), format!("https://jane:{TOKEN}@chat.example/x")]]
                .concat(),
            "secret",
        ),
        ([new_args("ok title"), vec!["--credit".into(), format!("key {KEY}")]].concat(), "secret"),
        ([new_args("ok title"), vec!["--assignee".into(), format!("sam {KEY}")]].concat(), "secret"),
        (new_args("Access check \u{202E}nimda\u{202C} bypass"), "bidi-control"),
        (new_args("zero\u{2066}width isolate"), "bidi-control"),
        (new_args(&long), "invalid-field"),
        ([new_args("ok title"), vec!["--body-file".into(), "BODY".into()]].concat(), "secret"),
        ([new_args("ok title"), vec!["--body-file".into(), "TROJAN".into()]].concat(), "bidi-control"),
    ];
    for (args, code) in cases {
        let repo = TestRepo::new();
        let dir = repo.sandbox.tmp.path();
        fs::write(dir.join("body.md"), &body).expect("body");
        fs::write(dir.join("trojan.md"), "## Summary\n\nif (isAdmin\u{202E} \u{2066}// check\u{2069}\u{2066}) {\n")
            .expect("body");
        let args: Vec<String> = args
            .into_iter()
            .map(|a| match a.as_str() {
                "BODY" => dir.join("body.md").to_string_lossy().into_owned(),
                "TROJAN" => dir.join("trojan.md").to_string_lossy().into_owned(),
                _ => a,
            })
            .collect();
        let head = repo.head_id();
        let a = repo.cmd().args(&args).assert().code(1);
        let err = stderr(&a);
        assert!(err.contains(&format!("[{code}]")) || err.contains(code), "{code} for {args:?}:\n{err}");
        assert!(err.contains("cannot create the report"), "{err}");
        assert!(err.contains("reports/ENIGM-2026-0001.md"), "located in the file it would write: {err}");
        // Nothing was written: the help must not claim the secret is in git history.
        assert!(!err.contains("the report is in git history"), "{err}");
        assert_masked(&err, &[KEY, TOKEN]);
        assert_masked(&stdout(&a), &[KEY, TOKEN]);
        assert_nothing_written(&repo, head);
        // --no-commit is refused the same way.
        repo.cmd().args(&args).arg("--no-commit").assert().code(1);
        assert_nothing_written(&repo, head);
        assert_eq!(repo.new_report("clean one"), "ENIGM-2026-0001", "no id was consumed");
    }
}

#[test]
fn new_with_edit_refuses_an_edited_secret_and_keeps_the_draft_outside_the_work_tree() {
    let repo = TestRepo::new();
    let editor = repo.sandbox.tmp.path().join("editor.sh");
    fs::write(&editor, format!("#!/bin/sh\nprintf '\\nThe key is {KEY}.\\n' >> \"$1\"\n")).expect("editor");
    let head = repo.head_id();
    let a = repo
        .cmd()
        .args(new_args("Edited in the editor"))
        .arg("--edit")
        .env("EDITOR", format!("sh {}", editor.display()))
        .assert()
        .code(1);
    let err = stderr(&a);
    assert!(err.contains("secret") && err.contains("masked"), "{err}");
    assert_masked(&err, &[KEY]);
    assert_nothing_written(&repo, head);
    assert!(repo.read(".git/enigm-draft-ENIGM-2026-0001.md").contains(KEY), "the user's edit is not lost");
    assert_eq!(repo.new_report("clean one"), "ENIGM-2026-0001", "no id was consumed");
}

/// A received report whose alias and body hold secrets: `alias-format` quotes the value.
fn repo_with_secret_report() -> TestRepo {
    let repo = TestRepo::new();
    assert_eq!(repo.new_report("Clean title"), "ENIGM-2026-0001");
    let path = "reports/ENIGM-2026-0001.md";
    let text = repo
        .read(path)
        .replace("aliases: []", &format!("aliases: [{KEY}]"))
        .replace("## Impact\n", &format!("## Impact\n\nUse https://admin:{TOKEN}@db.example/ to log in.\n"));
    repo.write(path, text);
    repo
}

#[test]
fn advance_refusal_masks_secrets_in_messages_and_the_source_snippet() {
    let repo = repo_with_secret_report();
    let a = repo.cmd().args(["advance", "1", "triaged"]).assert().code(1);
    let err = stderr(&a);
    assert!(err.contains("secret") && err.contains("alias-format"), "{err}");
    assert!(err.contains("aliases: [****"), "the snippet shows the line, masked: {err}");
    assert_masked(&err, &[KEY, TOKEN]);
    assert_masked(&stdout(&a), &[KEY, TOKEN]);
}

#[test]
fn every_output_masks_secrets() {
    let repo = repo_with_secret_report();
    let path = "reports/ENIGM-2026-0001.md";
    repo.write(path, repo.read(path).replace("title: Clean title", &format!("title: Title {KEY}")));
    for args in [
        &["validate"][..],
        &["validate", "--format", "json"],
        &["validate", "--format", "github"],
        &["validate", "--format", "sarif"],
        &["validate", path],
        &["show", "1"],
        &["show", "1", "--format", "json"],
        &["list"],
        &["list", "--format", "json"],
        &["list", "--format", "csv"],
        &["due", "--show-titles"],
        &["due", "--show-titles", "--format", "json"],
        &["stats"],
        &["advance", "1", "triaged"],
        &["advance", "1", "rejected", "--resolution", "invalid"],
    ] {
        let out = repo.cmd().args(args).output().expect("runs");
        let all = String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
        assert_masked(&all, &[KEY, TOKEN]);
    }
    // The masked forms are there: the finding is shown, not dropped.
    let json = stdout(&repo.cmd().args(["validate", "--format", "json"]).assert().code(1));
    assert!(json.contains("masked"), "{json}");
}

#[test]
fn incomplete_cvss_vectors_are_refused_with_the_missing_metrics_named() {
    let repo = TestRepo::new();
    for (vector, missing) in [
        ("CVSS:3.1/AV:N/AC:L", "missing base metrics PR, UI, S, C, I, A"),
        ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H", "missing base metric A"),
        ("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H", "missing base metrics SC, SI, SA"),
        ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/AV:P", "given more than once: AV"),
        ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/ZZ:Q", "unknown metric ZZ"),
    ] {
        let a = repo.cmd().args(new_args("t")).args(["--cvss", vector]).assert().code(2);
        assert!(stderr(&a).contains(missing), "{vector}: {}", stderr(&a));
    }
    assert_eq!(repo.new_report("clean"), "ENIGM-2026-0001");
    let path = "reports/ENIGM-2026-0001.md";
    repo.write(path, repo.read(path).replace("cwe: []", "severity:\n  cvss: CVSS:3.1/AV:N/AC:L\ncwe: []"));
    let a = repo.cmd().args(["validate", "--format", "json"]).assert().code(1);
    let json: serde_json::Value = serde_json::from_str(&stdout(&a)).expect("json");
    let f = json["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .find(|f| f["code"] == "cvss-invalid")
        .expect("cvss-invalid");
    assert!(f["message"].as_str().unwrap_or_default().contains("missing base metrics PR, UI, S, C, I, A"), "{f}");
    let line = repo.read(path).lines().position(|l| l.contains("cvss: CVSS:3.1/AV:N/AC:L")).expect("line") + 1;
    assert_eq!(f["line"], line, "located at the vector");
}
