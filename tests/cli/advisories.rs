//! GitHub security advisories and OSV records (tests/fixtures/ghsa, tests/fixtures/osv)
//! imported, checked, committed and triaged in bulk by the real binary in a real repository.

use std::fs;
use std::path::Path;

use crate::util::{TestRepo, stdout};

/// After every fixture's dates.
const TODAY: &str = "2026-12-01";

/// A repository whose enigm.yaml lists the fixtures' products (committed).
fn repo_with_products() -> TestRepo {
    let repo = TestRepo::new();
    let config = repo.read("enigm.yaml").replacen(
        "products:\n",
        "products:\n  - name: store\n  - name: widget\n  - name: gateway\n  - name: acme-thumbs\n",
        1,
    );
    repo.write("enigm.yaml", &config);
    commit(&repo, &["enigm.yaml"], "Products");
    repo
}

/// A repository listing the fixtures' products, with every fixture file imported (items that
/// name no product go to `store`); returns it and the number of reports filed.
fn repo_with_advisories() -> (TestRepo, usize) {
    let repo = repo_with_products();
    let out = repo
        .cmd()
        .env("ENIGM_TODAY", TODAY)
        .args(["import", "--product", "store", "--format", "json"])
        .args(fixture_files())
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    (repo, v["counts"]["created"].as_u64().expect("count") as usize)
}

/// Commits `paths` as they are in the work tree.
fn commit(repo: &TestRepo, paths: &[&str], message: &str) {
    let git = repo.git();
    let mut index = git.index().expect("index");
    index.add_all(paths, git2::IndexAddOption::DEFAULT, None).expect("add");
    index.write().expect("write index");
    let tree = git.find_tree(index.write_tree().expect("tree")).expect("tree");
    let head = git.head().expect("head").peel_to_commit().expect("commit");
    let who = git2::Signature::now("Sam Lee", "sam@acme.test").expect("signature");
    git.commit(Some("HEAD"), &who, &who, message, &tree, &[&head]).expect("commit");
}

#[test]
fn every_fixture_becomes_a_report_validate_accepts_and_bulk_triage_moves_them() {
    let (repo, n) = repo_with_advisories();
    assert_eq!(n, 8, "9 items; the OSV record of GHSA origin is the GHSA already filed");
    let a = repo.cmd().env("ENIGM_TODAY", TODAY).arg("validate").assert().success();
    assert!(stdout(&a).contains("0 errors, 0 warnings in 8 files"), "{}", stdout(&a));
    // The private report and the list's open ones are for `store`; the rest are upstream news.
    let listed = repo.cmd().env("ENIGM_TODAY", TODAY).args(["list", "--product", "store", "--format", "json"]).assert();
    let v: serde_json::Value = serde_json::from_slice(&listed.success().get_output().stdout).expect("json");
    let titles: Vec<&str> =
        v["reports"].as_array().expect("rows").iter().map(|r| r["title"].as_str().expect("t")).collect();
    assert!(titles.contains(&"Session cookie lacks the Secure attribute"), "{titles:?}");
    let a = repo
        .cmd()
        .env("ENIGM_TODAY", TODAY)
        .args(["advance", "--product", "store", "needs-info", "--batch", "--note", "Asked for versions"])
        .assert()
        .success();
    assert!(stdout(&a).contains(&format!("Committed {} reports as ", titles.len())), "{}", stdout(&a));
    repo.cmd().env("ENIGM_TODAY", TODAY).arg("verify").assert().success();
    let report = repo.read("reports/ENIGM-2026-0001.md");
    assert!(report.contains("  note: Imported from the GitHub security advisory GHSA-"), "{report}");
}

/// The fixture files, GHSA first, in name order.
fn fixture_files() -> Vec<std::path::PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let mut out = Vec::new();
    for dir in ["ghsa", "osv"] {
        let mut files: Vec<_> = fs::read_dir(root.join(dir)).expect("dir").map(|e| e.expect("entry").path()).collect();
        files.sort();
        out.extend(files);
    }
    out
}

#[test]
fn import_files_every_advisory_once_and_a_second_import_is_a_no_op() {
    let repo = repo_with_products();
    let files = fixture_files();
    let import = |extra: &[&str]| {
        let mut cmd = repo.cmd();
        cmd.env("ENIGM_TODAY", TODAY).args(["import", "--format", "json"]).args(extra).args(&files);
        let out = cmd.output().expect("runs");
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
        (out.status.code(), v)
    };
    let (code, v) = import(&["--product", "store"]);
    assert_eq!(code, Some(0), "{v:#}");
    let outcomes: Vec<&str> =
        v["items"].as_array().expect("items").iter().map(|i| i["outcome"].as_str().expect("outcome")).collect();
    // 9 items; the OSV record of GHSA origin is the published GHSA already filed.
    assert_eq!(outcomes.iter().filter(|o| **o == "created").count(), 8, "{v:#}");
    assert_eq!(outcomes.iter().filter(|o| **o == "already-imported").count(), 1, "{v:#}");
    let a = repo.cmd().env("ENIGM_TODAY", TODAY).arg("validate").assert().success();
    assert!(stdout(&a).contains("0 errors, 0 warnings in 8 files"), "{}", stdout(&a));
    let pysec = fs::read_dir(repo.root().join("reports"))
        .expect("reports")
        .filter_map(|e| fs::read_to_string(e.expect("entry").path()).ok())
        .find(|t| t.contains("PYSEC-2026-112"))
        .expect("the PYSEC record was filed");
    assert!(pysec.contains("url: https://osv.dev/vulnerability/PYSEC-2026-112"), "kept as a reference: {pysec}");
    // Its two ranges (one per release branch) are the product's `versions` spans.
    assert!(
        pysec.contains(
            "    versions:\n    - introduced: '1.0'\n      fixed: 1.9.3\n    - introduced: '2.0'\n      fixed: 2.4.1\n"
        ),
        "{pysec}"
    );
    // The published GHSA's typed credits become the report's credits, each with its role.
    let ghsa = fs::read_dir(repo.root().join("reports"))
        .expect("reports")
        .filter_map(|e| fs::read_to_string(e.expect("entry").path()).ok())
        .find(|t| t.contains("GHSA-9wx4-h78v-vm56"))
        .expect("the published GHSA was filed");
    assert!(
        ghsa.contains("credits:\n  - name: acme-maintainer\n    type: remediation_developer\n  - name: tkowalski\n    type: finder\n"),
        "{ghsa}"
    );
    assert!(!ghsa.contains("  credit: "), "no untyped credit beside the typed ones: {ghsa}");
    let head = repo.git().head().expect("head").target();
    let (code, v) = import(&["--product", "store"]);
    assert_eq!(code, Some(0), "{v:#}");
    assert!(
        v["items"].as_array().expect("items").iter().all(|i| i["outcome"] == "already-imported"),
        "every item is recognised: {v:#}"
    );
    assert_eq!(repo.git().head().expect("head").target(), head, "no commit");
}
