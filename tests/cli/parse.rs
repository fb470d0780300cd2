//! Broken report files: every one gives a located error through `validate`, never a panic.

use crate::util::{TestRepo, stderr, stdout};

const GOOD: &str = "---\nid: ENIGM-2026-0001\ntitle: T\nstate: received\nreported: 2026-01-05\nreporter:\n  name: R\ntimeline:\n  - date: 2026-01-05\n    state: received\n---\n\n## Summary\n\nx\n";

fn check(repo: &TestRepo, content: &[u8]) -> (i32, String) {
    repo.write("reports/ENIGM-2026-0001.md", content);
    let a = repo.cmd().arg("validate").assert();
    let code = a.get_output().status.code().expect("exit code");
    (code, format!("{}{}", stderr(&a), stdout(&a)))
}

#[test]
fn a_good_file_validates_in_lf_crlf_and_with_bom() {
    let repo = TestRepo::new();
    assert_eq!(check(&repo, GOOD.as_bytes()).0, 0);
    assert_eq!(check(&repo, GOOD.replace('\n', "\r\n").as_bytes()).0, 0);
    assert_eq!(check(&repo, format!("\u{feff}{GOOD}").as_bytes()).0, 0);
}

#[test]
fn broken_files_give_located_errors_and_exit_1() {
    let repo = TestRepo::new();
    let cases: Vec<(&str, Vec<u8>, &str, &str)> = vec![
        (
            "no closing fence",
            GOOD.replacen("---\n\n", "\n", 1).into_bytes(),
            "unclosed-front-matter",
            "ENIGM-2026-0001.md:1:1",
        ),
        ("no front matter", b"# Just markdown\n".to_vec(), "missing-front-matter", "ENIGM-2026-0001.md:1:1"),
        ("bad yaml", GOOD.replace("title: T", "title: [unclosed").into_bytes(), "yaml-syntax", "ENIGM-2026-0001.md:"),
        (
            "duplicate key",
            GOOD.replace("title: T", "title: T\ntitle: U").into_bytes(),
            "yaml-duplicate-key",
            "ENIGM-2026-0001.md:4:1",
        ),
        (
            "non-utf8",
            GOOD.replace("title: T", "title: T\u{1}")
                .replace('\u{1}', "\u{7f}")
                .into_bytes()
                .into_iter()
                .map(|b| if b == 0x7f { 0xff } else { b })
                .collect(),
            "not-utf8",
            "ENIGM-2026-0001.md:3:9",
        ),
        (
            "bad date",
            GOOD.replacen("2026-01-05", "2026-02-30", 1).into_bytes(),
            "invalid-field",
            "ENIGM-2026-0001.md:5:11",
        ),
        (
            "unknown key",
            GOOD.replacen("state:", "embargo_untill: 2026-02-01\nstate:", 1).into_bytes(),
            "unknown-field",
            "ENIGM-2026-0001.md:4:1",
        ),
        (
            "crlf bad yaml",
            GOOD.replace("title: T", "title: [x").replace('\n', "\r\n").into_bytes(),
            "yaml-syntax",
            "ENIGM-2026-0001.md:",
        ),
        (
            "bom missing field",
            format!("\u{feff}{}", GOOD.replace("title: T\n", "")).into_bytes(),
            "missing-field",
            "ENIGM-2026-0001.md:1:",
        ),
    ];
    for (what, content, code, location) in cases {
        let (exit, out) = check(&repo, &content);
        assert_eq!(exit, 1, "{what}: {out}");
        assert!(out.contains(code), "{what}: expected {code} in\n{out}");
        assert!(out.contains(location), "{what}: expected {location} in\n{out}");
        assert!(out.contains("1 error, 0 warnings in 1 file"), "{what}: {out}");
    }
}

#[test]
fn a_two_mib_file_is_refused_without_reading_it_all() {
    let repo = TestRepo::new();
    let mut big = GOOD.as_bytes().to_vec();
    big.extend(std::iter::repeat_n(b'a', 2 * 1024 * 1024));
    let (exit, out) = check(&repo, &big);
    assert_eq!(exit, 1, "{out}");
    assert!(out.contains("file-too-large") && out.contains("reports are limited to 1 MiB"), "{out}");
}

#[test]
fn id_must_match_the_file_name() {
    let repo = TestRepo::new();
    let (exit, out) = check(&repo, GOOD.replace("id: ENIGM-2026-0001", "id: ENIGM-2026-0002").as_bytes());
    assert_eq!(exit, 1);
    assert!(out.contains("id-mismatch") && out.contains("ENIGM-2026-0001.md:2:5"), "{out}");
}

#[test]
fn every_problem_of_every_file_is_reported_in_one_run() {
    let repo = TestRepo::new();
    repo.write("reports/ENIGM-2026-0002.md", "no fence\n");
    repo.write("reports/ENIGM-2026-0003.md", GOOD.replace("0001", "0003").replace("title: T", "title: [x"));
    let (exit, out) = check(&repo, GOOD.as_bytes());
    assert_eq!(exit, 1);
    assert!(out.contains("2 errors, 0 warnings in 3 files"), "{out}");
    let first = out.find("ENIGM-2026-0002.md").expect("0002");
    let second = out.find("ENIGM-2026-0003.md").expect("0003");
    assert!(first < second, "ordered by path");
}

#[cfg(unix)]
#[test]
fn symlinks_are_never_followed_and_directories_are_not_reports() {
    let repo = TestRepo::new();
    let outside = repo.sandbox.tmp.path().join("secret.md");
    std::fs::write(&outside, GOOD).expect("outside file");
    std::os::unix::fs::symlink(&outside, repo.root().join("reports/ENIGM-2026-0001.md")).expect("symlink");
    std::fs::create_dir_all(repo.root().join("reports/ENIGM-2026-0002.md")).expect("dir");
    let a = repo.cmd().args(["validate", "--format", "json"]).assert().code(1);
    let v: serde_json::Value = serde_json::from_slice(&a.get_output().stdout).expect("json");
    let codes: Vec<&str> =
        v["findings"].as_array().expect("findings").iter().map(|f| f["code"].as_str().expect("code")).collect();
    assert_eq!(codes, ["symlink", "not-a-file"]);
    assert!(!String::from_utf8_lossy(&a.get_output().stdout).contains("reporter"), "the link target is never read");
}

/// As root (whom permissions do not stop), `validate` runs as `nobody`, who owns the
/// repository but may not read the report.
#[cfg(unix)]
#[test]
fn an_unreadable_file_is_a_located_finding() {
    let mut repo = TestRepo::new();
    repo.write("reports/ENIGM-2026-0001.md", GOOD);
    repo.make_unreadable("reports/ENIGM-2026-0001.md");
    let a = repo.cmd().args(["validate", "--format", "json"]).assert().code(1);
    let v: serde_json::Value = serde_json::from_slice(&a.get_output().stdout).expect("json");
    let findings: Vec<(&str, &str)> = v["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| (f["code"].as_str().expect("code"), f["path"].as_str().expect("path")))
        .collect();
    assert_eq!(findings, [("file-unreadable", "reports/ENIGM-2026-0001.md")]);
}

/// The fast front-matter reader answers for (nearly) every report `gen-corpus` writes, in
/// both layouts, and gives exactly the event parser's tree; `validate` still passes them all.
#[test]
fn the_fast_yaml_reader_reads_gen_corpus_reports_as_the_event_parser_does() {
    use enigm_disclose::format::report::Parts;
    use enigm_disclose::format::yaml::{parse_events, parse_subset};
    let sandbox = crate::util::Sandbox::new();
    for (name, extra) in [("flat", None), ("sharded", Some("--sharded"))] {
        let dir = sandbox.work().join(name);
        let made = std::process::Command::new(crate::cli::conformance::gen_corpus())
            .args(["400", "--commits", "1"])
            .args(extra)
            .arg(&dir)
            .output()
            .expect("gen-corpus");
        assert!(made.status.success(), "{}", String::from_utf8_lossy(&made.stderr));
        let (mut total, mut answered) = (0, 0);
        for file in crate::util::work_tree_files(&dir, &[]) {
            if !file.0.starts_with("reports") || file.0.extension().is_none_or(|e| e != "md") {
                continue;
            }
            let text = String::from_utf8(file.1).expect("utf-8");
            let parts = Parts::split(&text).expect("front matter");
            let (yaml, base) = (parts.front_matter, parts.front_matter_offset);
            total += 1;
            if let Some(fast) = parse_subset(yaml, base) {
                answered += 1;
                let slow = parse_events(yaml, base, 1).expect("the event parser reads it");
                assert_eq!(format!("{fast:?}"), format!("{slow:?}"), "{}", file.0.display());
            }
        }
        assert!(total >= 400, "{name}: {total} reports");
        assert!(answered * 100 >= total * 99, "{name}: the fast reader answered {answered} of {total}");
        // The corpus is dated from today, not from the sandbox's fixed day.
        sandbox.cmd_in(&dir).env_remove("ENIGM_TODAY").arg("validate").assert().code(0);
    }
}
