//! The public pages grown up, through the binary: a published edit dates every output from one
//! git fact and is summarised in the page's revision history; `osv/all.json`; the withdrawn
//! notice; the CVSS breakdown and the links to the machine-readable files; the index filtered
//! by product, severity and year without a script; nothing private on any of them; and the
//! pages in headless Chromium at 1280 and 390 px (ignored unless Chromium is installed).

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use serde_json::Value;

use super::render::all_files;
use super::validate::commit_all;
use crate::util::{TestRepo, stdout};

const EXPORTS: &str = include_str!("../fixtures/reports/exports.md");
const ORG_ID: &str = "5a3b1c2d-0e4f-4a1b-9c8d-7e6f5a4b3c2d";

/// The exports fixture published in a repository with a website, a base URL and a CNA id.
fn repo() -> TestRepo {
    let repo = TestRepo::new();
    let config = repo
        .read("enigm.yaml")
        .replacen("components: []", "components: [uploads]", 1)
        .replace("# website: https://www.example.com", "website: https://www.acme.test")
        .replace("# base_url: https://security.example.com/advisories/", "base_url: https://security.acme.test/")
        .replace("# cve_org_id: 00000000-0000-4000-8000-000000000000", &format!("cve_org_id: {ORG_ID}"));
    repo.write("enigm.yaml", config);
    repo.write("reports/ENIGM-2026-0001.md", EXPORTS);
    commit_all(&repo, "published report");
    repo
}

/// Commits every change as `Test Lead` at `seconds` (UTC).
fn commit_at(repo: &TestRepo, message: &str, seconds: i64) {
    let git = repo.git();
    let mut index = git.index().expect("index");
    index.add_all(["*"], git2::IndexAddOption::DEFAULT, None).expect("add");
    index.update_all(["*"], None).expect("update");
    index.write().expect("write");
    let tree = git.find_tree(index.write_tree().expect("tree")).expect("tree");
    let head = git.head().expect("head").peel_to_commit().expect("commit");
    let sig = git2::Signature::new("Test Lead", "lead@example.test", &git2::Time::new(seconds, 0)).expect("sig");
    git.commit(Some("HEAD"), &sig, &sig, message, &tree, &[&head]).expect("commit");
}

/// Renders the site into `<sandbox>/site` and returns its directory.
fn render_site(repo: &TestRepo) -> PathBuf {
    let site = repo.sandbox.tmp.path().join("site");
    repo.cmd().args(["render", "--out", &site.to_string_lossy()]).assert().success();
    site
}

fn read(site: &Path, rel: &str) -> String {
    fs::read_to_string(site.join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

fn json(site: &Path, rel: &str) -> Value {
    serde_json::from_str(&read(site, rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

/// The exports fixture with a second CVE alias, a new reference and api's fix moved to 1.10.1.
fn edited() -> String {
    EXPORTS
        .replace("aliases: [CVE-2026-41234]", "aliases: [CVE-2026-41234, CVE-2026-41299]")
        .replace(
            "    url: https://git.acme.test/web/commit/5e1f0c2a9b7d\n",
            "    url: https://git.acme.test/web/commit/5e1f0c2a9b7d\n  - type: article\n    url: https://blog.acme.test/attachments\n",
        )
        .replace("fixed: '1.10.0'", "fixed: '1.10.1'")
        .replace("affected: '< 1.10.0'", "affected: '< 1.10.1'")
}

#[test]
fn a_published_edit_dates_osv_the_page_the_feed_the_cve_record_and_csaf_alike() {
    let repo = repo();
    repo.write("reports/ENIGM-2026-0001.md", edited());
    commit_at(&repo, "ENIGM-2026-0001: second CVE, api fix 1.10.1", 1_775_554_200); // 2026-04-07T09:30:00Z
    let site = render_site(&repo);
    let at = "2026-04-07T09:30:00";
    assert_eq!(json(&site, "osv/x_ENIGM-2026-0001.json")["modified"], format!("{at}Z"));
    let csaf = json(&site, "csaf/2026/enigm-2026-0001.json");
    let tracking = &csaf["document"]["tracking"];
    assert_eq!(
        (tracking["version"].as_str(), tracking["current_release_date"].as_str()),
        (Some("2"), Some(&*format!("{at}.000Z")))
    );
    let summary = "Added alias CVE-2026-41299. Fixed version of api changed from 1.10.0 to 1.10.1. Affected versions of api changed to < 1.10.1. Added reference https://blog.acme.test/attachments.";
    assert_eq!(tracking["revision_history"][1]["summary"], summary);
    for cve in ["CVE-2026-41234", "CVE-2026-41299"] {
        assert_eq!(
            json(&site, &format!("cve/{cve}.json"))["cveMetadata"]["dateUpdated"],
            format!("{at}.000Z"),
            "{cve}"
        );
    }
    let feed = read(&site, "feed.xml");
    assert!(feed.contains(&format!("<updated>{at}Z</updated>")), "{feed}");
    let page = read(&site, "advisories/ENIGM-2026-0001.html");
    assert!(page.contains("<dt>Last updated</dt><dd>2026-04-07</dd>"), "{page}");
    let escaped = summary.replace('<', "&lt;");
    assert!(page.contains(&format!("<li value=\"2\"><span class=\"date\">2026-04-07</span> {escaped}</li>")), "{page}");
    assert!(read(&site, "advisories/ENIGM-2026-0001.md").contains(&format!("2. 2026-04-07: {summary}")));
    assert_eq!(
        json(&site, "osv/all.json"),
        serde_json::json!([{ "id": "x_ENIGM-2026-0001", "modified": format!("{at}Z") }])
    );
    // `render ID` says the same as the site.
    let one: Value =
        serde_json::from_str(&stdout(&repo.cmd().args(["render", "1", "--format", "osv"]).assert().success()))
            .expect("osv");
    assert_eq!(one["modified"], format!("{at}Z"));

    // A private edit (the reporter's contact, a private section) is no update: nothing moves.
    let private =
        edited().replace("jane@example.org", "jane@elsewhere.test").replace("default configuration", "a lab setup");
    repo.write("reports/ENIGM-2026-0001.md", private);
    commit_at(&repo, "ENIGM-2026-0001: private notes", 1_776_000_000); // 2026-04-12
    let before = all_files(&site);
    let a = repo.cmd().args(["render", "--out", &site.to_string_lossy()]).assert().success();
    assert!(stdout(&a).contains(" 0 written"), "{}", stdout(&a));
    assert_eq!(all_files(&site), before, "a private edit changes no public byte");
}

#[test]
fn all_json_lists_exactly_the_osv_files_with_their_modified() {
    let repo = repo();
    let second = EXPORTS
        .replace("ENIGM-2026-0001", "ENIGM-2026-0002")
        .replace("aliases: [CVE-2026-41234]", "aliases: []")
        .replace("published: 2026-03-01", "published: 2026-03-02")
        .replace("  - date: 2026-03-01\n    state: published", "  - date: 2026-03-02\n    state: published");
    repo.write("reports/ENIGM-2026-0002.md", second);
    let config = repo.read("enigm.yaml").replace("# osv_prefix: PYSEC", "osv_prefix: PYSEC");
    assert!(config.contains("osv_prefix: PYSEC"), "the template offers osv_prefix");
    repo.write("enigm.yaml", config);
    commit_all(&repo, "second advisory, a registered prefix");
    let site = render_site(&repo);
    let mut files: BTreeMap<String, String> = BTreeMap::new();
    for entry in fs::read_dir(site.join("osv")).expect("osv dir") {
        let name = entry.expect("entry").file_name().to_string_lossy().into_owned();
        if name != "all.json" {
            let record = json(&site, &format!("osv/{name}"));
            assert_eq!(format!("{}.json", record["id"].as_str().expect("id")), name, "a record is named by its id");
            files.insert(
                record["id"].as_str().expect("id").to_owned(),
                record["modified"].as_str().expect("m").to_owned(),
            );
        }
    }
    let listed: BTreeMap<String, String> = json(&site, "osv/all.json")
        .as_array()
        .expect("a list")
        .iter()
        .map(|e| {
            assert_eq!(e.as_object().expect("object").len(), 2, "id and modified: {e}");
            (e["id"].as_str().expect("id").to_owned(), e["modified"].as_str().expect("modified").to_owned())
        })
        .collect();
    assert_eq!(listed, files);
    assert_eq!(listed.keys().collect::<Vec<_>>(), ["PYSEC-2026-0001", "PYSEC-2026-0002"]);
}

#[test]
fn a_withdrawn_page_says_when_and_why_and_each_page_links_its_files_and_breaks_down_cvss() {
    let repo = repo();
    let site = render_site(&repo);
    let page = read(&site, "advisories/ENIGM-2026-0001.html");
    for link in [
        "<a href=\"../osv/x_ENIGM-2026-0001.json\">OSV</a>",
        "<a href=\"../csaf/2026/enigm-2026-0001.json\">CSAF</a>",
        "<a href=\"../cve/CVE-2026-41234.json\">CVE-2026-41234 (CVE JSON)</a>",
        "<a href=\"mailto:security@acme.test\">security@acme.test</a>",
    ] {
        assert!(page.contains(link), "{link} in {page}");
    }
    for metric in [
        "<tr><td>Attack vector</td><td>Network <code>AV:N</code></td></tr>",
        "<tr><td>Privileges required</td><td>Low <code>PR:L</code></td></tr>",
        "<tr><td>Vulnerable system confidentiality impact</td><td>High <code>VC:H</code></td></tr>",
        "<tr><td>Subsequent system availability impact</td><td>None <code>SA:N</code></td></tr>",
    ] {
        assert!(page.contains(metric), "{metric} in {page}");
    }
    assert!(!page.contains("class=\"notice\""), "no notice on a published advisory");

    repo.cmd()
        .args(["advance", "1", "withdrawn", "--note", "Talked to Jane.", "--reason", "a duplicate of ENIGM-2025-0040"])
        .assert()
        .success();
    let site = render_site(&repo);
    let page = read(&site, "advisories/ENIGM-2026-0001.html");
    assert!(
        page.contains("<div class=\"notice\" role=\"note\"><p><strong>Withdrawn on 2026-06-15.</strong> This advisory no longer applies; it is kept for reference.</p><p>Reason: a duplicate of ENIGM-2025-0040</p></div>"),
        "{page}"
    );
    assert!(!page.contains("Talked to Jane"), "the rest of the note stays private");
    assert!(!page.contains("CVE JSON"), "a withdrawn advisory has no CVE record to link");
    let md = read(&site, "advisories/ENIGM-2026-0001.md");
    assert!(
        md.contains("> **Withdrawn on 2026-06-15.**") && md.contains("> Reason: a duplicate of ENIGM-2025-0040"),
        "{md}"
    );
    assert!(page.contains("<span class=\"date\">2026-06-15</span> Advisory withdrawn.</li>"), "{page}");
}

/// Three advisories over two products, two severities and two years.
fn three_advisories(repo: &TestRepo) {
    let other = |id: &str, product: &str, level: &str, day: &str| {
        EXPORTS
            .replace("ENIGM-2026-0001", id)
            .replace("aliases: [CVE-2026-41234]", "aliases: []")
            .replace("  - name: api\n    affected: '< 1.10.0'\n    fixed: '1.10.0'\n    ecosystem: PyPI\n    package: acme-api\n    purl: pkg:pypi/acme-api\n", "")
            .replace("  - name: web\n    component: uploads\n", &format!("  - name: {product}\n"))
            .replace("    cpe: 'cpe:2.3:a:acme:web:*:*:*:*:*:*:*:*'\n", "")
            .replace("level: high", &format!("level: {level}"))
            .replace("severity:\n  cvss: CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:N\n  cvss_v4: CVSS:4.0/AV:N/AC:L/AT:N/PR:L/UI:N/VC:H/VI:H/VA:N/SC:N/SI:N/SA:N\n", "severity:\n")
            .replace("2026-03-01", day)
    };
    repo.write("reports/ENIGM-2026-0002.md", other("ENIGM-2026-0002", "api", "low", "2026-04-01"));
    repo.write(
        "reports/ENIGM-2025-0009.md",
        other("ENIGM-2025-0009", "web", "low", "2025-12-01")
            .replace("reported: 2026-01-05", "reported: 2025-11-05")
            .replace("date: 2026-01-", "date: 2025-11-")
            .replace("date: 2026-02-20", "date: 2025-11-20"),
    );
    commit_all(repo, "two more advisories");
    repo.cmd().arg("validate").assert().success();
}

#[test]
fn the_index_is_filtered_by_product_severity_and_year_on_static_pages() {
    let repo = repo();
    three_advisories(&repo);
    let site = render_site(&repo);
    let listed = |rel: &str| -> Vec<String> {
        let page = read(&site, rel);
        page.match_indices("advisories/ENIGM-").map(|(i, _)| page[i + 11..i + 26].to_owned()).collect()
    };
    assert_eq!(listed("index.html"), ["ENIGM-2026-0002", "ENIGM-2026-0001", "ENIGM-2025-0009"]);
    assert_eq!(listed("by/product-api.html"), ["ENIGM-2026-0002", "ENIGM-2026-0001"]);
    assert_eq!(listed("by/product-web.html"), ["ENIGM-2026-0001", "ENIGM-2025-0009"]);
    assert_eq!(listed("by/severity-high.html"), ["ENIGM-2026-0001"]);
    assert_eq!(listed("by/severity-low.html"), ["ENIGM-2026-0002", "ENIGM-2025-0009"]);
    assert_eq!(listed("by/year-2026.html"), ["ENIGM-2026-0002", "ENIGM-2026-0001"]);
    assert_eq!(listed("by/year-2025.html"), ["ENIGM-2025-0009"]);
    let index = read(&site, "index.html");
    for facet in ["by/product-api.html", "by/severity-high.html", "by/severity-low.html", "by/year-2025.html"] {
        assert!(index.contains(&format!("<a href=\"{facet}\">")), "{facet} is a plain link");
    }
    let page = read(&site, "by/severity-low.html");
    assert!(page.contains("<a href=\"../by/severity-low.html\" aria-current=\"page\">low</a>"), "{page}");
    assert!(page.contains("2 advisories with severity <strong>low</strong>"), "{page}");
    // Every relative link of every page resolves to a file of the site.
    for (path, bytes) in all_files(&site).into_iter().filter(|(p, _)| p.ends_with(".html")) {
        let text = String::from_utf8(bytes).expect("utf-8");
        let dir = Path::new(&path).parent().expect("dir").to_owned();
        for (i, _) in text.match_indices(" href=\"").chain(text.match_indices(" src=\"")) {
            let start = text[i..].find('"').expect("quote") + i + 1;
            let target = &text[start..start + text[start..].find('"').expect("end")];
            if target.contains(':') || target.starts_with('#') {
                continue;
            }
            assert!(dir.join(target.split('#').next().expect("path")).is_file(), "{path} links {target}");
        }
    }
}

#[test]
fn nothing_private_or_unpublished_reaches_any_page_or_file() {
    let repo = repo();
    three_advisories(&repo);
    // Markers in every private place of a published report, and in an unpublished report.
    let marked = edited()
        .replace("jane@example.org", "MARK-contact@private.test")
        .replace("default configuration.", "default configuration. MARK-CONTEXT")
        .replace("the response contains", "MARK-REPRODUCTION the response contains")
        .replace("    state: triaged\n", "    state: triaged\n    by: MARK-BY\n    note: MARK-NOTE\n")
        .replace("reporter:\n", "assignee: MARK-ASSIGNEE\nreporter:\n");
    repo.write("reports/ENIGM-2026-0001.md", marked);
    commit_at(&repo, "public and private edits", 1_775_554_200);
    repo.cmd()
        .args(["advance", "2026-2", "withdrawn", "--note", "MARK-WITHDRAW-NOTE", "--reason", "not exploitable"])
        .assert()
        .success();
    repo.write(
        "reports/ENIGM-2026-0003.md",
        EXPORTS
            .replace("ENIGM-2026-0001", "ENIGM-2026-0003")
            .replace("state: published", "state: fixed")
            .replace("title: Path traversal in attachment download", "title: MARK-UNPUBLISHED title")
            .replace("published: 2026-03-01\n", "")
            .replace("  - date: 2026-03-01\n    state: published\n", "")
            .replace("aliases: [CVE-2026-41234]", "aliases: [CVE-2026-49999]"),
    );
    commit_all(&repo, "an unpublished report");
    let site = render_site(&repo);
    let files = all_files(&site);
    assert!(files.iter().any(|(p, _)| p.contains("/by/")) && files.iter().any(|(p, _)| p.ends_with("all.json")));
    assert!(
        files.iter().any(|(p, _)| p.ends_with(".openvex.json")) && files.iter().any(|(p, _)| p.ends_with("-vex.json"))
    );
    for (path, bytes) in &files {
        let text = String::from_utf8_lossy(bytes);
        for marker in ["MARK", "CVE-2026-49999", "ENIGM-2026-0003"] {
            assert!(!text.contains(marker), "{marker} in {path}");
        }
    }
    let page = read(&site, "advisories/ENIGM-2026-0001.html");
    assert!(page.contains("Added alias CVE-2026-41299."), "the public part of the edit is summarised: {page}");
}

/// Headless Chromium (`ENIGM_CHROMIUM`, else `chromium` on PATH) opens every page type of the
/// demo site (a withdrawn advisory, one with a published edit) at 1280 and 390 px: a script in
/// each page checks that nothing overflows horizontally and that every link inside the site
/// names one of its files, and posts its verdict to the page framing it, which `--dump-dom`
/// prints; `--screenshot` saves what a person checks (`target/screenshots/<page>-<width>.png`,
/// docs/templates.md).
#[test]
#[ignore = "needs chromium"]
fn every_page_type_fits_1280_and_390_pixels_in_chromium_and_its_links_resolve() {
    let chromium = std::env::var("ENIGM_CHROMIUM").unwrap_or_else(|_| "chromium".to_owned());
    let sandbox = crate::util::Sandbox::new();
    let dir = sandbox.work().join("demo");
    sandbox.cmd_in(&sandbox.work()).args(["demo", &dir.to_string_lossy()]).assert().success();
    let site = sandbox.work().join("site");
    sandbox.cmd_in(&dir).args(["render", "--out", &site.to_string_lossy()]).assert().success();

    let html: Vec<String> = all_files(&site)
        .into_iter()
        .map(|(p, _)| p)
        .filter(|p| p.ends_with(".html"))
        .map(|p| Path::new(&p).strip_prefix(&site).expect("inside").to_string_lossy().into_owned())
        .collect();
    let kinds = ["index.html", "advisories/", "by/product-", "by/severity-", "by/year-"];
    let mut pages: Vec<String> = kinds.iter().filter_map(|k| html.iter().find(|p| p.starts_with(k)).cloned()).collect();
    assert_eq!(pages.len(), kinds.len(), "every page type: {pages:?}");
    let has = |p: &String, what: &str| p.starts_with("advisories/") && read(&site, p).contains(what);
    let withdrawn = html.iter().find(|p| has(p, "class=\"notice\"")).expect("a withdrawn advisory");
    let revised = html.iter().find(|p| has(p, "Added alias CVE-2026-99002.")).expect("the demo's published edit");
    pages.extend([withdrawn.clone(), revised.clone()]);
    pages.sort();
    pages.dedup();

    let shots = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/screenshots");
    fs::create_dir_all(&shots).expect("screenshots dir");
    for page in &pages {
        for width in [1280, 390] {
            let verdict = check_in_chromium(&chromium, &site, page, width, &shots, sandbox.tmp.path());
            assert_eq!(verdict, "ok", "{page} at {width} px");
        }
    }
}

/// Height of the frame a page is shown in: the screenshots show the whole of most pages.
const FRAME_HEIGHT: u32 = 2400;

/// Loads `page`, with a checking script added, in a frame `width` px wide (a headless window
/// is never narrower than 500 px, a frame is as narrow as it is told); returns the script's
/// verdict, which the frame posts to the wrapper page and `--dump-dom` prints.
fn check_in_chromium(chromium: &str, site: &Path, page: &str, width: u32, shots: &Path, tmp: &Path) -> String {
    // A copy of the page with the check appended: the site's own pages stay as rendered.
    let copy = site.join(page).with_extension(format!("check-{width}.html"));
    let original = read(site, page);
    fs::write(
        &copy,
        original.replace("</body>", &format!("<script src=\"{}\"></script></body>", checker(site, &copy))),
    )
    .expect("copy");
    let wrapper = copy.with_extension("frame.html");
    fs::write(
        &wrapper,
        format!(
            "<!doctype html><html><head><meta charset=\"utf-8\"><style>body{{margin:0}}iframe{{border:0;display:block}}</style></head>\
             <body><iframe src=\"{}\" width=\"{width}\" height=\"{FRAME_HEIGHT}\"></iframe><script>\
             addEventListener(\"message\", function (e) {{ document.documentElement.setAttribute(\"data-verdict\", e.data); }});\
             </script></body></html>",
            copy.file_name().expect("name").to_string_lossy()
        ),
    )
    .expect("wrapper");
    let url = format!("file://{}", wrapper.display());
    let name = page.replace('/', "_").trim_end_matches(".html").to_owned();
    let profile = tmp.join(format!("chromium-{name}-{width}"));
    let run = |extra: &[String]| {
        std::process::Command::new(chromium)
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--hide-scrollbars",
                "--allow-file-access-from-files",
                &format!("--user-data-dir={}", profile.display()),
                &format!("--window-size={},{FRAME_HEIGHT}", width.max(500)),
            ])
            .args(extra)
            .arg(&url)
            .output()
            .expect("chromium runs")
    };
    let out = run(&["--virtual-time-budget=3000".to_owned(), "--dump-dom".to_owned()]);
    let dom = String::from_utf8_lossy(&out.stdout).into_owned();
    let png = shots.join(format!("{name}-{width}.png"));
    let taken = run(&[format!("--screenshot={}", png.display())]);
    assert!(png.is_file(), "no screenshot: {}", String::from_utf8_lossy(&taken.stderr));
    for f in [&copy, &wrapper, &copy.with_extension("js")] {
        fs::remove_file(f).expect("remove the check's files");
    }
    let start = dom.find("data-verdict=\"").map(|i| i + 14);
    start.map_or_else(
        || format!("no verdict in the DOM: {}", String::from_utf8_lossy(&out.stderr)),
        |s| dom[s..s + dom[s..].find('"').expect("end")].replace("&gt;", ">").replace("&amp;", "&"),
    )
}

/// The checking script, written next to the page copy: horizontal overflow of the document,
/// and every `href`/`src` inside the site (not `mailto:` or `https:`) naming one of its files.
fn checker(site: &Path, copy: &Path) -> String {
    let script = copy.with_extension("js");
    let files: Vec<String> =
        all_files(site).into_iter().map(|(p, _)| format!("file://{p}")).filter(|p| !p.contains(".check-")).collect();
    let known = serde_json::to_string(&files).expect("json");
    fs::write(
        &script,
        format!(
            r##"(function () {{
  var known = {known}, bad = [];
  var d = document.documentElement;
  if (d.scrollWidth > d.clientWidth) bad.push("overflow: scrollWidth " + d.scrollWidth + " > clientWidth " + d.clientWidth);
  document.querySelectorAll("[href], [src]").forEach(function (e) {{
    var raw = e.getAttribute("href") || e.getAttribute("src");
    if (/^(mailto|https?):/.test(raw) || raw.charAt(0) === "#") return;
    var url = (e.href || e.src).split("#")[0];
    if (known.indexOf(url) < 0 && url.indexOf(".check-") < 0) bad.push("link " + raw + " -> " + url);
  }});
  parent.postMessage(bad.length ? bad.join("; ") : "ok", "*");
}})();"##
        ),
    )
    .expect("script");
    script.file_name().expect("name").to_string_lossy().into_owned()
}
