//! The CSAF documents against an independent validator: the BSI secvisogram validator (npm
//! `@secvisogram/csaf-validator-lib`), run by `benches/csaf_validate.mjs` over the CSAF
//! directories the binary renders: the strict schema, the mandatory tests (6.1) and the
//! recommended tests (6.2). Complete reports (the demo repository, a generated corpus) give no
//! 6.2 warning; a report that lacks the data gets both the validator's warnings and
//! `validate`'s, naming the field.
//!
//! The validator needs node and the npm package: `.ci/run` installs it and sets
//! `ENIGM_CSAF_VALIDATOR` to the package's directory, and runs these tests with `--ignored`;
//! `cargo test` alone counts them as ignored, with the reason.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::{env, fs};

use serde_json::Value;

use super::validate::commit_all;
use crate::util::{Sandbox, TestRepo, stdout};

const EXPORTS: &str = include_str!("../fixtures/reports/exports.md");

/// The validator package's directory (`ENIGM_CSAF_VALIDATOR`); these tests are ignored unless
/// it is installed, so here its absence is a failure, not a pass.
fn validator() -> PathBuf {
    let dir = env::var_os("ENIGM_CSAF_VALIDATOR")
        .map(PathBuf::from)
        .expect("set ENIGM_CSAF_VALIDATOR to an installed @secvisogram/csaf-validator-lib (.ci/run does)");
    assert!(dir.join("package.json").is_file(), "{}: no package.json", dir.display());
    dir
}

/// The validator's counts over `dirs`: `{documents, failing: {test: {errors, warnings, …}}}`.
fn validate_csaf(lib: &Path, dirs: &[PathBuf]) -> Value {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/csaf_validate.mjs");
    let out = Command::new("node")
        .arg(script)
        .arg("--no-informative")
        .args(dirs)
        .env("ENIGM_CSAF_VALIDATOR", lib)
        .output()
        .expect("node runs");
    assert!(out.status.success(), "validator failed: {}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).expect("validator JSON")
}

/// The tests of a section (`6.1.`, `6.2.`, `schema`) that failed or warned, with their counts.
fn failing(result: &Value, section: &str) -> Vec<String> {
    let tests = result["failing"].as_object().expect("failing");
    tests.iter().filter(|(id, _)| id.starts_with(section)).map(|(id, c)| format!("{id}: {c}")).collect()
}

/// `gen-corpus`, built beside the test binary (`cargo test` builds the examples; a lone
/// `cargo test --test cli` builds it here).
pub fn gen_corpus() -> PathBuf {
    let exe = env::current_exe().expect("test binary");
    let bin = exe.parent().and_then(Path::parent).expect("target dir").join("examples/gen-corpus");
    if !bin.is_file() {
        let cargo = env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
        let built = Command::new(cargo).args(["build", "--example", "gen-corpus"]).status().expect("cargo");
        assert!(built.success(), "cannot build gen-corpus");
    }
    bin
}

#[test]
#[ignore = "needs the BSI CSAF validator (npm @secvisogram/csaf-validator-lib; ENIGM_CSAF_VALIDATOR=its directory); run with `cargo test -- --ignored`"]
fn complete_reports_pass_every_recommended_csaf_test() {
    let lib = validator();
    let sandbox = Sandbox::new();
    sandbox.cmd_in(&sandbox.work()).args(["demo", "demo"]).assert().success();
    let corpus = sandbox.work().join("corpus");
    let made = Command::new(gen_corpus()).arg("120").arg(&corpus).output().expect("gen-corpus");
    assert!(made.status.success(), "{}", String::from_utf8_lossy(&made.stderr));
    let config = fs::read_to_string(corpus.join("enigm.yaml")).expect("config");
    let config = config
        .replace("# website: https://www.example.com", "website: https://www.example.com")
        .replace("# base_url: https://security.example.com/advisories/", "base_url: https://security.example.com/");
    fs::write(corpus.join("enigm.yaml"), config).expect("config");
    let site = sandbox.work().join("corpus-site");
    // No warning about the exports (the corpus's dates follow the real clock, which the tests
    // pin earlier, so `date-in-future` is expected here).
    let a = sandbox.cmd_in(&corpus).args(["validate", "--format", "json"]).assert();
    let found: Value = serde_json::from_str(&stdout(&a)).expect("json");
    let warnings: Vec<&Value> =
        found["findings"].as_array().expect("findings").iter().filter(|f| f["severity"] == "warning").collect();
    assert!(warnings.is_empty(), "{warnings:?}");
    // Signed, as a trusted provider serves it: the validator reads the documents beside their
    // hashes, signatures and the ROLIE feed (tests/fixtures/keys/README.md).
    let key = include_str!("../fixtures/keys/openpgp-ed25519-test.asc");
    sandbox.cmd_in(&corpus).env("ENIGM_SIGNING_KEY", key).args(["render", "--out"]).arg(&site).assert().success();
    assert!(site.join("csaf/feed-tlp-white.json").is_file() && site.join("csaf/index.txt.asc").is_file());

    let result = validate_csaf(&lib, &[sandbox.work().join("demo/site/csaf"), site.join("csaf")]);
    let documents = result["documents"].as_u64().expect("count");
    eprintln!("{}: {documents} CSAF documents", result["validator"]);
    assert!(documents > 40, "the demo's and the corpus's documents: {documents}");
    for section in ["schema", "6.1.", "6.2."] {
        assert_eq!(failing(&result, section), Vec::<String>::new(), "{section} over {documents} documents");
    }
}

#[test]
#[ignore = "needs the BSI CSAF validator (npm @secvisogram/csaf-validator-lib; ENIGM_CSAF_VALIDATOR=its directory); run with `cargo test -- --ignored`"]
fn a_report_that_lacks_the_data_gets_the_validator_s_warnings_and_validate_names_each_field() {
    let lib = validator();
    let repo = TestRepo::new();
    let config = repo
        .read("enigm.yaml")
        .replacen("components: []", "components: [uploads]", 1)
        .replace("# website: https://www.example.com", "website: https://www.acme.test")
        .replace("# base_url: https://security.example.com/advisories/", "base_url: https://security.acme.test/");
    repo.write("enigm.yaml", config);
    let lacking = EXPORTS
        .replace("    cpe: 'cpe:2.3:a:acme:web:*:*:*:*:*:*:*:*'\n", "")
        .replace("affected: '>= 2.0.0, < 2.4.1'", "affected: 'all 2.x releases'")
        .replace("  cvss: CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:N\n", "")
        .replace("aliases: [CVE-2026-41234]", "aliases: [CVE-2026-41234, CVE-2026-41235]");
    repo.write("reports/ENIGM-2026-0001.md", &lacking);
    commit_all(&repo, "published report");
    let a = repo.cmd().args(["validate", "--format", "json"]).assert().success();
    let found: Value = serde_json::from_str(&stdout(&a)).expect("json");
    let codes: Vec<&str> =
        found["findings"].as_array().expect("findings").iter().filter_map(|f| f["code"].as_str()).collect();
    assert_eq!(codes, ["product-unidentified", "affected-unreadable", "cvss-v4-only"], "{found}");

    let dir = repo.sandbox.tmp.path().join("csaf");
    fs::create_dir_all(&dir).expect("dir");
    let doc = stdout(&repo.cmd().args(["render", "1", "--format", "csaf"]).assert().success());
    fs::write(dir.join("enigm-2026-0001.json"), doc).expect("write");
    let result = validate_csaf(&lib, &[dir]);
    let warned: Vec<String> =
        failing(&result, "6.2.").iter().map(|t| t.split(':').next().unwrap_or("").to_owned()).collect();
    // Two CVE aliases are two vulnerabilities, so 6.2.17 (a CVE in `ids`) stays quiet.
    assert_eq!(warned, ["6.2.16", "6.2.18", "6.2.3"], "{result}");
    assert_eq!(failing(&result, "6.1."), Vec::<String>::new());
}

#[test]
#[ignore = "needs the BSI CSAF validator (npm @secvisogram/csaf-validator-lib; ENIGM_CSAF_VALIDATOR=its directory); run with `cargo test -- --ignored`"]
fn a_backported_product_s_document_passes_the_schema_the_mandatory_and_the_recommended_tests() {
    let lib = validator();
    let repo = TestRepo::new();
    let config = repo
        .read("enigm.yaml")
        .replacen("components: []", "components: [uploads]", 1)
        .replace("# website: https://www.example.com", "website: https://www.acme.test")
        .replace("# base_url: https://security.example.com/advisories/", "base_url: https://security.acme.test/");
    repo.write("enigm.yaml", config);
    let spans = "    versions:\n      - introduced: '3.0.0'\n        fixed: '3.7.5'\n      - introduced: '4.0.0'\n        last_affected: '4.1.1'\n      - introduced: '5.0.0'\n        fixed: '5.0.3'\n    ecosystem: npm\n    package: acme-web\n";
    let report = EXPORTS.replace("    affected: '>= 2.0.0, < 2.4.1'\n    fixed: '2.4.1'\n", spans);
    repo.write("reports/ENIGM-2026-0001.md", &report);
    commit_all(&repo, "backported report");
    let dir = repo.sandbox.tmp.path().join("csaf");
    fs::create_dir_all(&dir).expect("dir");
    let doc = stdout(&repo.cmd().args(["render", "1", "--format", "csaf"]).assert().success());
    assert!(doc.contains("vers:npm/>=3.0.0|<3.7.5|>=4.0.0|<=4.1.1|>=5.0.0|<5.0.3"), "{doc}");
    fs::write(dir.join("enigm-2026-0001.json"), doc).expect("write");
    let result = validate_csaf(&lib, &[dir]);
    for section in ["schema", "6.1.", "6.2."] {
        assert_eq!(failing(&result, section), Vec::<String>::new(), "{section}: {result}");
    }
}

#[test]
#[ignore = "needs the BSI CSAF validator (npm @secvisogram/csaf-validator-lib; ENIGM_CSAF_VALIDATOR=its directory); run with `cargo test -- --ignored`"]
fn the_csaf_vex_documents_pass_the_validator() {
    let lib = validator();
    let repo = TestRepo::new();
    let config = repo
        .read("enigm.yaml")
        .replacen("components: []", "components: [uploads]", 1)
        .replace("# website: https://www.example.com", "website: https://www.acme.test")
        .replace("# base_url: https://security.example.com/advisories/", "base_url: https://security.acme.test/");
    repo.write("enigm.yaml", config);
    repo.write("reports/ENIGM-2026-0001.md", include_str!("../fixtures/reports/vex-mixed.md"));
    let vex_only = include_str!("../fixtures/reports/vex-only.md").replace("ENIGM-2026-0001", "ENIGM-2026-0002");
    repo.write("reports/ENIGM-2026-0002.md", vex_only);
    commit_all(&repo, "an advisory with every status, and a VEX-only statement");
    let site = repo.sandbox.tmp.path().join("site");
    repo.cmd().args(["render", "--out"]).arg(&site).assert().success();
    let dir = repo.sandbox.tmp.path().join("vex");
    fs::create_dir_all(&dir).expect("dir");
    for f in ["enigm-2026-0001-vex.json", "enigm-2026-0002-vex.json", "enigm-2026-0001.json"] {
        fs::copy(site.join("csaf/2026").join(f), dir.join(f)).expect("copy");
    }
    let result = validate_csaf(&lib, &[dir]);
    assert_eq!(result["documents"], 3, "{result}");
    for section in ["schema", "6.1.", "6.2."] {
        assert_eq!(failing(&result, section), Vec::<String>::new(), "{section}: {result}");
    }
}
