//! The public face (issue 19) through the binary: the disclosure policy rendered from
//! `enigm.yaml`, the contact page, `/.well-known/security.txt`, the acknowledgements page and
//! typed credits, on real repositories; and the promise that nothing about an unpublished
//! report reaches any of them.

use std::fs;
use std::path::{Path, PathBuf};

use super::validate::{PUBLISHED, commit_all};
use crate::util::{TestRepo, stderr, stdout};

/// The site directory of a test, next to its repository.
fn site_of(repo: &TestRepo) -> PathBuf {
    repo.sandbox.tmp.path().join("site")
}

/// Renders the site and returns its directory.
fn render(repo: &TestRepo) -> PathBuf {
    let site = site_of(repo);
    repo.cmd().args(["render", "--out"]).arg(&site).assert().success();
    site
}

fn read(site: &Path, rel: &str) -> String {
    fs::read_to_string(site.join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

/// A fresh repository (as `init` writes it) with a public address.
fn repo() -> TestRepo {
    let repo = TestRepo::new();
    let config = repo
        .read("enigm.yaml")
        .replacen("components: []", "components: [uploads]", 1)
        .replace("# base_url: https://security.example.com/advisories/", "base_url: https://security.acme.test/");
    repo.write("enigm.yaml", config);
    commit_all(&repo, "public address");
    repo
}

/// The published fixture as report `id`, published on `published`, with `front` lines in
/// place of its `credit: Jane Doe` line (indented under `reporter:`, or top-level keys).
fn published(id: &str, published: &str, title: &str, front: &str) -> String {
    let year = &id[6..10];
    PUBLISHED
        .replace("ENIGM-2026-0001", id)
        .replace("2026-", &format!("{year}-"))
        .replace(&format!("published: {year}-03-01"), &format!("published: {published}"))
        .replace("title: Path traversal in uploads", &format!("title: {title}"))
        .replace("  credit: Jane Doe\n", front)
}

#[test]
fn init_writes_a_policy_that_renders_from_the_configuration() {
    let repo = repo();
    let policy = repo.read("policy.md");
    assert!(policy.contains("{{ policy.acknowledge }}") && policy.contains("{% for item in policy.out_of_scope %}"));
    let site = render(&repo);
    let md = read(&site, "policy.md");
    for heading in [
        "## Overview and goals",
        "## Good-faith security research",
        "## How to report a vulnerability",
        "## Disclosure principles",
        "## Investigation process",
        "## Coordinated disclosure and timing",
        "## Out of scope",
        "## No bounty",
        "## Limitations",
    ] {
        assert!(md.contains(heading), "{heading}");
    }
    assert!(md.contains("<security@acme.test>") && md.contains("within\n3 days"), "{md}");
    assert!(md.contains("- Social engineering, phishing or pretexting"), "the default out-of-scope list");
    assert!(!md.contains("{{") && !md.contains("{%"), "every variable is filled in");
    let html = read(&site, "policy.html");
    assert!(html.contains("<h2>Out of scope</h2>") && html.contains("<a href=\"thanks.html\""), "{html}");
    assert!(read(&site, "index.html").contains("<a href=\"policy.html\">Disclosure policy</a>"));
}

#[test]
fn changing_acknowledge_days_changes_the_policy_and_the_contact_page_in_the_same_commit() {
    let repo = repo();
    let site = render(&repo);
    assert!(read(&site, "policy.md").contains("within\n3 days,"));
    let config = repo
        .read("enigm.yaml")
        .replace("acknowledge_days: 3", "acknowledge_days: 1")
        .replace("triage_days: 10", "triage_days: 5")
        .replace("business_days: false", "business_days: true");
    repo.write("enigm.yaml", config);
    commit_all(&repo, "answer faster");
    assert_eq!(repo.head_paths(), ["enigm.yaml"], "policy.md itself is unchanged");
    let site = render(&repo);
    let md = read(&site, "policy.md");
    assert!(
        md.contains("within\n1 business day, and we aim to finish our first assessment within 5 business days"),
        "{md}"
    );
    assert!(md.contains("business days (Monday to Friday; public holidays are not excluded)"), "{md}");
    let contact = read(&site, "contact.html");
    assert!(contact.contains("received your report within 1 business day."), "{contact}");
    // `render --check` sees that the published policy is out of date after such a change.
    let config = repo.read("enigm.yaml").replace("acknowledge_days: 1", "acknowledge_days: 2");
    repo.write("enigm.yaml", config);
    let a = repo.cmd().args(["render", "--check", "--out"]).arg(&site).assert().code(1);
    assert!(stderr(&a).contains("out of date: policy.md") && stderr(&a).contains("out of date: contact.html"));
}

#[test]
fn the_demo_organisation_s_policy_reads_as_its_own() {
    let (_sandbox, dir) = super::queries::demo();
    let md = read(&dir.join("site"), "policy.md");
    insta::assert_snapshot!("demo_policy", md);
}

#[test]
fn validate_locates_an_unknown_variable_in_policy_md_and_render_stops_there() {
    let repo = repo();
    let policy = repo.read("policy.md").replacen("{{ policy.acknowledge }}", "{{ policy.acknowledge_dayz }}", 1);
    repo.write("policy.md", &policy);
    let line = policy.lines().position(|l| l.contains("acknowledge_dayz")).expect("line") + 1;
    let a = repo.cmd().args(["validate", "--format", "json"]).assert().code(1);
    let v: serde_json::Value = serde_json::from_slice(&a.get_output().stdout).expect("json");
    let f = &v["findings"][0];
    assert_eq!((f["code"].as_str(), f["path"].as_str()), (Some("policy-template"), Some("policy.md")), "{v}");
    assert_eq!(f["line"].as_u64(), Some(line as u64), "{v}");
    assert!(f["message"].as_str().is_some_and(|m| m.contains("policy.acknowledge_dayz")), "{v}");
    let a = repo.cmd().args(["validate"]).env("NO_COLOR", "1").assert().code(1);
    assert!(stderr(&a).contains(&format!("policy.md:{line}:")), "{}", stderr(&a));
    let a = repo.cmd().args(["render", "--out"]).arg(site_of(&repo)).assert().code(2);
    assert!(stderr(&a).contains("policy.md") && stderr(&a).contains("acknowledge_dayz"), "{}", stderr(&a));
    assert!(!site_of(&repo).join("index.html").exists(), "nothing is written");
}

#[test]
fn without_policy_md_the_site_says_so_and_has_no_policy_link() {
    let repo = repo();
    fs::remove_file(repo.root().join("policy.md")).expect("rm");
    let site = site_of(&repo);
    let a = repo.cmd().args(["render", "--out"]).arg(&site).assert().success();
    assert!(stderr(&a).contains("note: policy.html not written: the repository has no policy.md"), "{}", stderr(&a));
    assert!(!site.join("policy.html").exists());
    assert!(!read(&site, "index.html").contains("policy.html"));
    assert!(!read(&site, "contact.html").contains("policy.html"));
    assert!(!read(&site, ".well-known/security.txt").contains("Policy:"));
}

#[test]
fn security_txt_follows_rfc_9116_from_the_configuration() {
    let repo = repo();
    let config = repo
        .read("enigm.yaml")
        .replace(
            "  # channels: [https://example.com/report]",
            "  channels: [https://acme.test/report, \"tel:+1-201-555-0123\"]",
        )
        .replace("  # encryption: https://example.com/pgp-key.asc", "  encryption: https://acme.test/pgp.asc")
        .replace("languages: [en]", "languages: [en, fr]")
        .replace("# website: https://www.example.com", "website: https://www.acme.test");
    repo.write("enigm.yaml", config);
    let site = render(&repo);
    let txt = read(&site, ".well-known/security.txt");
    insta::assert_snapshot!("security_txt", txt);
    assert!(txt.contains("Expires: 2027-06-14T00:00:00Z"), "init wrote today + 364 days: {txt}");
    let contact = read(&site, "contact.html");
    assert!(contact.contains("<a href=\"tel:+1-201-555-0123\">+1-201-555-0123</a>"), "{contact}");
    assert!(contact.contains("We read reports in: English, French."), "{contact}");
    // Without `contact.expires` (a required field) there is no file, and a note says why.
    let config = repo.read("enigm.yaml").replace("  expires: 2027-06-14", "  # expires: none");
    repo.write("enigm.yaml", config);
    let a = repo.cmd().args(["render", "--out"]).arg(&site).assert().success();
    assert!(stderr(&a).contains("security.txt not written: it needs `contact.expires`"), "{}", stderr(&a));
    assert!(!site.join(".well-known/security.txt").exists(), "the stale file was removed");
    assert!(!read(&site, "contact.html").contains("security.txt"));
}

#[test]
fn validate_warns_before_expires_and_refuses_a_passed_or_distant_date_at_the_value() {
    let repo = repo();
    let set = |value: &str| {
        let config = repo.read("enigm.yaml");
        let line = config.lines().find(|l| l.trim_start().starts_with("expires:")).expect("expires line").to_owned();
        repo.write("enigm.yaml", config.replace(&line, &format!("  expires: {value}")));
    };
    let finding = |code: i32| {
        let a = repo.cmd().args(["validate", "--format", "json"]).assert().code(code);
        let v: serde_json::Value = serde_json::from_slice(&a.get_output().stdout).expect("json");
        let f = v["findings"].as_array().expect("findings").first().cloned();
        f.map(|f| (f["code"].as_str().unwrap_or_default().to_owned(), f["path"].clone(), f["line"].clone()))
    };
    let line = repo.read("enigm.yaml").lines().position(|l| l.contains("expires: 2027-06-14")).expect("line") + 1;
    assert_eq!(finding(0), None, "init's date is fine");
    set("2026-07-01");
    let expected = |code: &str| Some((code.to_owned(), serde_json::json!("enigm.yaml"), serde_json::json!(line)));
    assert_eq!(finding(0), expected("security-txt-expires-soon"), "a warning does not fail the run");
    set("2026-06-15");
    assert_eq!(finding(1), expected("security-txt-expired"));
    set("\"2026-06-14T23:00:00-05:00\"");
    assert_eq!(finding(0), expected("security-txt-expires-soon"), "04:00 UTC today has not passed at midnight");
    set("2027-07-01");
    assert_eq!(finding(1), expected("security-txt-expires-late"));
    set("next year");
    assert_eq!(finding(1).map(|f| f.0).as_deref(), Some("config-invalid"));
}

/// Reports in several states, with credits of every kind, and a marker in every field that
/// must not leave an unpublished report.
fn credited_repo() -> TestRepo {
    let repo = repo();
    let old = published(
        "ENIGM-2025-0003",
        "2025-09-30",
        "Old credited issue",
        "credits:\n  - name: Ola Nordmann\n    type: finder\n    url: https://ola.example/\n  - name: Acme Fuzzer\n    type: tool\n  - name: Kim Lee\n    type: remediation_developer\n",
    );
    repo.write("reports/ENIGM-2025-0003.md", old);
    repo.write(
        "reports/ENIGM-2026-0001.md",
        published("ENIGM-2026-0001", "2026-03-01", "Legacy credit", "  credit: Jane Doe (Example Lab)\n"),
    );
    repo.write(
        "reports/ENIGM-2026-0002.md",
        published("ENIGM-2026-0002", "2026-04-02", "Nobody credited", "").replace("Jane Doe", "QZQUIETREPORTER"),
    );
    repo.write(
        "reports/ENIGM-2026-0004.md",
        published(
            "ENIGM-2026-0004",
            "2026-05-01",
            "Reporter wants no credit",
            "  credit: anonymous\ncredits:\n  - name: Anonymous\n    type: reporter\n",
        )
        .replace("Jane Doe", "QZANONREPORTER"),
    );
    let withdrawn = published("ENIGM-2026-0005", "2026-05-02", "Withdrawn issue", "  credit: QZWITHDRAWNCREDIT\n")
        .replace("state: published\n", "state: withdrawn\n")
        .replace("published: 2026-05-02\n", "published: 2026-05-02\nwithdrawn: 2026-05-03\n")
        .replace("timeline:\n", "timeline:\n  - date: 2026-05-03\n    state: withdrawn\n");
    repo.write("reports/ENIGM-2026-0005.md", withdrawn);
    for (n, state) in [(6, "received"), (7, "triaged"), (8, "fixed")] {
        let text = published(
            &format!("ENIGM-2026-{n:04}"),
            "2026-05-05",
            &format!("QZTITLE{n}"),
            &format!("  credit: QZCREDIT{n}\ncredits:\n  - name: QZTYPED{n}\n    type: analyst\n    url: https://qzurl{n}.example/\n"),
        )
        .replace("state: published\n", &format!("state: {state}\n"))
        .replace("published: 2026-05-05\n", "")
        .replace("Jane Doe", &format!("QZREPORTER{n}"));
        repo.write(&format!("reports/ENIGM-2026-{n:04}.md"), text);
    }
    commit_all(&repo, "reports");
    repo
}

#[test]
fn the_acknowledgements_thank_published_credits_only_newest_first_by_year() {
    let repo = credited_repo();
    let site = render(&repo);
    let thanks = read(&site, "thanks.html");
    insta::assert_snapshot!("thanks_html", thanks);
    let y2026 = thanks.find("<h2 id=\"y2026\">").expect("2026");
    let y2025 = thanks.find("<h2 id=\"y2025\">").expect("2025");
    assert!(y2026 < y2025, "newest year first");
    assert!(thanks.contains("Jane Doe (Example Lab) (finder)"), "the older reporter.credit is a finder");
    assert!(
        thanks.contains(
            "<a href=\"https://ola.example/\" rel=\"noopener noreferrer nofollow\">Ola Nordmann</a> (finder)"
        )
    );
    assert!(thanks.contains("Kim Lee (remediation developer)") && thanks.contains("Acme Fuzzer (tool)"));
    for absent in
        ["QZQUIETREPORTER", "QZANONREPORTER", "Anonymous", "ENIGM-2026-0002", "ENIGM-2026-0004", "QZWITHDRAWNCREDIT"]
    {
        assert!(!thanks.contains(absent), "{absent} is not thanked");
    }
}

#[test]
fn nobody_is_credited_publicly_unless_a_credit_is_recorded() {
    let repo = credited_repo();
    let site = render(&repo);
    for rel in ["advisories/ENIGM-2026-0002.html", "advisories/ENIGM-2026-0002.md", "osv/x_ENIGM-2026-0002.json"] {
        let text = read(&site, rel);
        assert!(!text.contains("QZQUIETREPORTER") && !text.contains("Credits") && !text.contains("credits"), "{rel}");
    }
    for rel in ["advisories/ENIGM-2026-0004.html", "osv/x_ENIGM-2026-0004.json"] {
        let text = read(&site, rel);
        assert!(!text.contains("QZANONREPORTER") && !text.to_lowercase().contains("anonymous"), "{rel}: {text}");
    }
}

#[test]
fn typed_credits_reach_every_export_with_their_roles() {
    let repo = credited_repo();
    let osv = repo.cmd().args(["render", "2025-3", "--format", "osv"]).assert().success();
    let osv: serde_json::Value = serde_json::from_str(&stdout(&osv)).expect("osv");
    assert_eq!(
        osv["credits"],
        serde_json::json!([
            {"name": "Ola Nordmann", "type": "FINDER", "contact": ["https://ola.example/"]},
            {"name": "Acme Fuzzer", "type": "TOOL"},
            {"name": "Kim Lee", "type": "REMEDIATION_DEVELOPER"}
        ])
    );
    let csaf = repo.cmd().args(["render", "2025-3", "--format", "csaf"]).assert().success();
    let csaf: serde_json::Value = serde_json::from_str(&stdout(&csaf)).expect("csaf");
    let acks = &csaf["vulnerabilities"][0]["acknowledgments"];
    assert_eq!(
        acks[0],
        serde_json::json!({"names": ["Ola Nordmann"], "summary": "found the vulnerability", "urls": ["https://ola.example/"]})
    );
    assert_eq!(acks[2], serde_json::json!({"names": ["Kim Lee"], "summary": "developed the fix"}));
    let config = repo.read("enigm.yaml").replace(
        "# cve_org_id: 00000000-0000-4000-8000-000000000000",
        "cve_org_id: 3f1e8a52-9c4d-4b7e-a1d2-5e6f7a8b9c0d",
    );
    repo.write("enigm.yaml", config);
    let cve = repo.cmd().args(["render", "2025-3", "--format", "cve"]).assert().success();
    let cve: serde_json::Value = serde_json::from_str(&stdout(&cve)).expect("cve");
    let types: Vec<&str> = cve["containers"]["cna"]["credits"]
        .as_array()
        .expect("credits")
        .iter()
        .filter_map(|c| c["type"].as_str())
        .collect();
    assert_eq!(types, ["finder", "tool", "remediation developer"]);
    let show = repo.cmd().args(["show", "2025-3"]).assert().success();
    assert!(stdout(&show).contains("Ola Nordmann (finder), Acme Fuzzer (tool), Kim Lee (remediation developer)"));
    let md = read(&render(&repo), "advisories/ENIGM-2025-0003.md");
    assert!(md.contains("- Ola Nordmann (finder): <https://ola.example/>\n- Acme Fuzzer (tool)\n"), "{md}");
}

#[test]
fn nothing_about_an_unpublished_report_reaches_any_page_of_the_public_face() {
    let repo = credited_repo();
    let site = render(&repo);
    let pages = ["policy.html", "policy.md", "contact.html", "thanks.html", ".well-known/security.txt", "index.html"];
    for rel in pages {
        let text = read(&site, rel);
        for n in 6..=8 {
            for marker in ["QZTITLE", "QZCREDIT", "QZTYPED", "QZREPORTER", "qzurl"] {
                assert!(!text.contains(&format!("{marker}{n}")), "{rel}: {marker}{n}");
            }
        }
    }
    // Nor any other file of the site.
    for (path, bytes) in super::render::all_files(&site) {
        let text = String::from_utf8_lossy(&bytes);
        assert!(!text.contains("QZTYPED") && !text.contains("qzurl"), "{path}");
    }
}

/// PyPI `sectxt` (the parser internet.nl uses) accepts the rendered file without errors.
/// `ENIGM_SECTXT_PYTHON` is a Python with it installed (`.ci/run` installs it).
#[test]
#[ignore = "needs sectxt"]
fn sectxt_parses_the_rendered_security_txt_without_errors() {
    let python = std::env::var("ENIGM_SECTXT_PYTHON").expect("ENIGM_SECTXT_PYTHON: a python with sectxt installed");
    let repo = repo();
    let config = repo
        .read("enigm.yaml")
        .replace("  # encryption: https://example.com/pgp-key.asc", "  encryption: https://acme.test/pgp.asc");
    repo.write("enigm.yaml", config);
    let site = render(&repo);
    let path = site.join(".well-known/security.txt");
    let script = "import json, sys\nfrom sectxt import Parser\np = Parser(open(sys.argv[1], 'rb').read())\n\
                  print(json.dumps({'valid': p.is_valid(), 'errors': p.errors, 'recommendations': p.recommendations}))";
    let out = std::process::Command::new(python).args(["-c", script]).arg(&path).output().expect("python");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(v["errors"], serde_json::json!([]), "{v}");
    assert_eq!(v["valid"], true, "{v}");
    // Only the signature is recommended (signing is the distribution's: issue 20). Without
    // `contact.encryption`, sectxt also recommends an `Encryption` field.
    let codes: Vec<&str> =
        v["recommendations"].as_array().expect("list").iter().filter_map(|r| r["code"].as_str()).collect();
    assert_eq!(codes, ["not_signed"], "{v}");
}
