//! `render`: the site, one advisory, drafts, overrides, template errors, and the promise that
//! nothing unpublished or private ever reaches the output.

use std::fs;
use std::path::Path;

use super::validate::{PUBLISHED, commit_all, shared_schema};
use crate::util::{TestRepo, stderr, stdout};

/// A repository with the published fixture (the web product has an `uploads` component).
pub fn repo() -> TestRepo {
    let repo = TestRepo::new();
    let config = repo.read("enigm.yaml").replacen("components: []", "components: [uploads]", 1);
    repo.write(
        "enigm.yaml",
        config.replace(
            "# base_url: https://security.example.com/advisories/",
            "base_url: https://security.example.com/advisories/",
        ),
    );
    repo.write("reports/ENIGM-2026-0001.md", PUBLISHED);
    commit_all(&repo, "published report");
    repo
}

pub fn all_files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    for entry in fs::read_dir(dir).expect("ls") {
        let p = entry.expect("entry").path();
        if p.is_dir() {
            out.extend(all_files(&p));
        } else {
            out.push((p.display().to_string(), fs::read(&p).expect("read")));
        }
    }
    out.sort();
    out
}

#[test]
fn the_site_has_every_page_and_rerendering_is_byte_identical() {
    let repo = repo();
    let site = repo.sandbox.tmp.path().join("site");
    let site_arg = site.to_string_lossy().into_owned();
    let a = repo.cmd().args(["render", "--out", &site_arg]).assert().success();
    assert!(stdout(&a).contains("1 advisory rendered"), "{}", stdout(&a));
    for f in [
        "index.html",
        "feed.xml",
        "assets/filter.js",
        "advisories/ENIGM-2026-0001.html",
        "advisories/ENIGM-2026-0001.md",
        "osv/x_ENIGM-2026-0001.json",
        "osv/all.json",
        "by/product-web.html",
        "csaf/2026/enigm-2026-0001.json",
        "csaf/index.txt",
        "csaf/changes.csv",
        "csaf/provider-metadata.json",
    ] {
        assert!(site.join(f).is_file(), "{f}");
    }
    let first = all_files(&site);
    let a = repo.cmd().args(["render", "--out", &site_arg]).assert().success();
    assert!(stdout(&a).contains("0 written"), "{}", stdout(&a));
    assert_eq!(all_files(&site), first, "same input, same bytes");
    repo.cmd().args(["render", "--out", &site_arg, "--check"]).assert().success();

    let index = fs::read_to_string(site.join("index.html")).expect("index");
    assert!(index.contains("href=\"advisories/ENIGM-2026-0001.html\"") && index.contains("sev-critical"), "{index}");
    assert!(index.contains("<script src=\"assets/filter.js\"></script>"));
    assert!(!index.contains("http://") && !index.contains("https://cdn"), "no external assets");
    let feed = fs::read_to_string(site.join("feed.xml")).expect("feed");
    assert!(
        feed.contains("<id>https://security.example.com/advisories/advisories/ENIGM-2026-0001.html</id>")
            && feed.contains("<updated>2026-03-01T00:00:00Z</updated>"),
        "{feed}"
    );

    // A user's own file in the site directory survives; pages of a report gone are removed.
    fs::write(site.join("CNAME"), "security.example.com\n").expect("cname");
    fs::remove_file(repo.root().join("reports/ENIGM-2026-0001.md")).expect("rm");
    repo.cmd().args(["render", "--out", &site_arg, "--check"]).assert().code(1);
    let a = repo.cmd().args(["render", "--out", &site_arg]).assert().success();
    assert!(
        stdout(&a).contains("9 removed"),
        "pages, OSV, CSAF (advisory and VEX), OpenVEX and the index by product, severity and year: {}",
        stdout(&a)
    );
    assert!(!site.join("advisories/ENIGM-2026-0001.html").exists());
    assert!(site.join("CNAME").exists(), "never deletes what it did not write");
}

#[test]
fn nothing_unpublished_or_private_reaches_the_site() {
    let repo = repo();
    // Private parts of the published report.
    let published = PUBLISHED
        .replace("contact: jane@example.org", "contact: leak-contact@example.org")
        .replace(
            "  - date: 2026-01-06\n    state: triaged\n",
            "  - date: 2026-01-06\n    state: triaged\n    by: LEAK-STAFF-NAME\n    note: LEAK-TIMELINE-NOTE\n",
        )
        .replace("Upload a file named `../../x`", "LEAK-REPRODUCTION-STEP")
        + "\n## Context\n\nLEAK-CONTEXT-SECTION\n";
    let published = published.replace("reported: 2026-01-05", "reported: 2026-01-05\nassignee: LEAK-ASSIGNEE");
    // Its correspondence: a subject, a message id, the text and an attachment in its folder.
    let published = published.replacen(
        "\ntimeline:\n",
        "\ncorrespondence:\n  - at: 2026-01-05T10:00:00+00:00\n    direction: in\n    channel: email\n    message_id: <LEAK-MESSAGE-ID@reporter.example>\n    subject: LEAK-SUBJECT\n    text: messages/0001-in.md\n    attachments:\n      - attachments/0001-poc.txt\ntimeline:\n",
        1,
    );
    assert!(published.contains("LEAK-SUBJECT"), "the report has correspondence");
    repo.write("reports/ENIGM-2026-0001.md", published);
    repo.write("reports/ENIGM-2026-0001/messages/0001-in.md", "LEAK-MESSAGE-TEXT\n");
    repo.write("reports/ENIGM-2026-0001/attachments/0001-poc.txt", "LEAK-ATTACHMENT\n");
    repo.cmd().args(["validate", "reports/ENIGM-2026-0001.md"]).assert().success();
    // Unpublished reports in every non-public state, embargoed ones included.
    let states =
        [("received", "needs-info"), ("triaged", "confirmed"), ("remediating", "fixed"), ("rejected", "received")];
    for (i, (state, _)) in states.iter().enumerate() {
        let n = i + 2;
        let text = PUBLISHED
            .replace("ENIGM-2026-0001", &format!("ENIGM-2026-000{n}"))
            .replace("state: published\nreported", &format!("state: {state}\nembargo_until: 2026-12-31\nreported"))
            .replace("Path traversal in uploads", &format!("LEAK-TITLE-{n}"))
            .replace("The upload handler accepts", &format!("LEAK-BODY-{n} The upload handler accepts"))
            .replace("CVE-2026-12345", &format!("CVE-2026-9999{n}"));
        repo.write(&format!("reports/ENIGM-2026-000{n}.md"), text);
    }
    // An unpublished VEX statement (triaged, the step before its publication) and VEX fields
    // of the embargoed reports above: none of it leaves either.
    repo.write(
        "reports/ENIGM-2026-0006.md",
        "---\nid: ENIGM-2026-0006\ntitle: LEAK-VEX-TITLE\nstate: triaged\nvex_only: true\nreported: 2026-02-10\nreporter:\n  name: Acme\nproducts:\n  - name: web\n    status: not_affected\n    impact: LEAK-VEX-IMPACT\naliases: [CVE-2026-99996]\ntimeline:\n  - date: 2026-02-10\n    state: received\n  - date: 2026-02-11\n    state: triaged\n---\n\n## Summary\n\nLEAK-VEX-SUMMARY\n",
    );
    let embargoed = repo.read("reports/ENIGM-2026-0003.md").replacen(
        "    fixed: '2.4.1'\n",
        "    fixed: '2.4.1'\n    action: LEAK-VEX-ACTION\n",
        1,
    );
    repo.write("reports/ENIGM-2026-0003.md", embargoed);
    repo.cmd().args(["validate", "reports/ENIGM-2026-0006.md"]).assert().success();
    let site = repo.sandbox.tmp.path().join("site");
    repo.cmd().args(["render", "--out"]).arg(&site).assert().success();
    let files = all_files(&site);
    assert!(files.len() >= 6);
    let vex_files = files.iter().filter(|(p, _)| p.contains("/vex/") || p.ends_with("-vex.json")).count();
    assert_eq!(vex_files, 2, "the published report's OpenVEX and csaf_vex documents are among the files checked");
    for (path, bytes) in &files {
        let text = String::from_utf8_lossy(bytes);
        for marker in [
            "LEAK-",
            "leak-contact",
            "ENIGM-2026-0002",
            "ENIGM-2026-0003",
            "ENIGM-2026-0004",
            "ENIGM-2026-0005",
            "ENIGM-2026-0006",
            "CVE-2026-9999",
            "embargo",
        ] {
            assert!(!text.contains(marker), "{marker} leaked into {path}:\n{text}");
        }
    }
    let html = fs::read_to_string(site.join("advisories/ENIGM-2026-0001.html")).expect("page");
    assert!(html.contains("Jane Doe") && html.contains("overwrite files"), "public parts are there");
    // One unpublished report is refused without --draft.
    let a = repo.cmd().args(["render", "2", "--format", "html"]).assert().code(2);
    assert!(stderr(&a).contains("is not public") && stderr(&a).contains("--draft"), "{}", stderr(&a));
    // Neither the output nor the error messages of any public format carry private or
    // embargoed text, for the published report or the unpublished ones.
    for id in ["1", "2", "3", "4", "5", "6"] {
        for format in ["html", "md", "osv", "csaf", "cve", "openvex", "csaf-vex"] {
            let out = repo.cmd().args(["render", id, "--format", format]).output().expect("runs");
            let text = String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
            for marker in ["LEAK-", "leak-contact", "CVE-2026-9999"] {
                assert!(!text.contains(marker), "`render {id} --format {format}` leaked {marker}:\n{text}");
            }
        }
    }
}

#[test]
fn drafts_are_stamped_and_never_written_into_the_site() {
    let repo = repo();
    let text = PUBLISHED
        .replace("ENIGM-2026-0001", "ENIGM-2026-0002")
        .replace("state: published\nreported", "state: fixed\nembargo_until: 2026-12-31\nreported");
    repo.write("reports/ENIGM-2026-0002.md", text);
    for format in ["html", "md", "osv"] {
        let a = repo.cmd().args(["render", "2", "--draft", "--format", format]).assert().success();
        assert!(stdout(&a).contains("DRAFT — EMBARGOED until 2026-12-31"), "{format}: {}", stdout(&a));
    }
    // The embargo lifts at the start of its date, as for `advance`.
    for (today, stamp) in [("2026-12-30", "DRAFT — EMBARGOED until"), ("2026-12-31", "DRAFT — NOT PUBLISHED")] {
        let a = repo.cmd().env("ENIGM_TODAY", today).args(["render", "2", "--draft", "--format", "md"]).assert();
        assert!(stdout(&a.success()).contains(stamp), "{today}");
    }
    let site = repo.sandbox.tmp.path().join("site");
    repo.cmd().args(["render", "--out"]).arg(&site).assert().success();
    let a =
        repo.cmd().args(["render", "2", "--draft", "--out"]).arg(site.join("advisories/preview.html")).assert().code(2);
    assert!(stderr(&a).contains("drafts are never written there"), "{}", stderr(&a));
    let preview = repo.sandbox.tmp.path().join("preview.html");
    repo.cmd().args(["render", "2", "--draft", "--out"]).arg(&preview).assert().success();
    assert!(fs::read_to_string(&preview).expect("preview").contains("class=\"draft\""));
}

#[test]
fn osv_records_are_valid_against_the_official_schema() {
    let repo = repo();
    let with_package = PUBLISHED
        .replace("ENIGM-2026-0001", "ENIGM-2026-0002")
        .replace(
            "    component: uploads\n",
            "    component: uploads\n    ecosystem: npm\n    package: acme-web\n    purl: pkg:npm/acme-web\n",
        )
        .replace(
            "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
            "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N",
        )
        .replace("CVE-2026-12345", "CVE-2026-12346");
    repo.write("reports/ENIGM-2026-0002.md", with_package);
    let site = repo.sandbox.tmp.path().join("site");
    repo.cmd().args(["render", "--out"]).arg(&site).assert().success();
    let two: serde_json::Value =
        serde_json::from_slice(&fs::read(site.join("osv/x_ENIGM-2026-0002.json")).expect("osv")).expect("json");
    assert_eq!(
        two["affected"][0]["package"],
        serde_json::json!({"ecosystem": "npm", "name": "acme-web", "purl": "pkg:npm/acme-web"})
    );
    assert_eq!(two["affected"][0]["ranges"][0]["events"], serde_json::json!([{"introduced": "0"}, {"fixed": "2.4.1"}]));
    assert_eq!(two["severity"][0]["type"], "CVSS_V4");
    let one: serde_json::Value =
        serde_json::from_slice(&fs::read(site.join("osv/x_ENIGM-2026-0001.json")).expect("osv")).expect("json");
    assert!(one["affected"][0].get("package").is_none(), "no ecosystem: no package");
    assert_eq!(one["affected"][0]["database_specific"]["affected"], "< 2.4.1");
    let schema = shared_schema("osv.schema.json");
    let validator = jsonschema::options().should_validate_formats(true).build(&schema).expect("schema");
    for record in [&one, &two] {
        let errors: Vec<String> =
            validator.iter_errors(record).map(|e| format!("{e} at {}", e.instance_path())).collect();
        assert!(errors.is_empty(), "{}: {errors:#?}", record["id"]);
    }
}

#[test]
fn report_markup_and_fields_cannot_inject_script() {
    let repo = repo();
    let hostile = PUBLISHED
        .replace("title: Path traversal in uploads", "title: \"<script>alert('t')</script> traversal\"")
        .replace("The upload handler accepts `../` in file names.", "<script>alert(1)</script> <img src=x onerror=alert(2)> [x](javascript:alert(3)) <iframe src=https://evil.example></iframe> <a href=\"jAvAsCrIpT:alert(4)\">y</a>")
        .replace("https://example.com/web/commit/1", "https://example.com/\"><script>alert(5)</script>");
    repo.write("reports/ENIGM-2026-0001.md", hostile);
    let site = repo.sandbox.tmp.path().join("site");
    repo.cmd().args(["render", "--out"]).arg(&site).assert().success();
    for page in ["advisories/ENIGM-2026-0001.html", "index.html", "feed.xml"] {
        let html = fs::read_to_string(site.join(page)).expect("page").to_lowercase().replace("&#x2f;", "/");
        assert_eq!(
            html.matches("<script").count(),
            usize::from(page == "index.html"),
            "{page}: only the site's own script tag:\n{html}"
        );
        // `javascript:` may remain as inert text; never as an attribute value.
        for bad in ["=\"javascript:", "='javascript:", "onerror=", "<iframe"] {
            assert!(!html.contains(bad), "{bad} in {page}");
        }
    }
    let html = fs::read_to_string(site.join("advisories/ENIGM-2026-0001.html")).expect("page");
    assert!(html.contains("&lt;script&gt;alert(&#x27;t&#x27;)&lt;/script&gt; traversal"), "title escaped: {html}");
}

#[test]
fn overrides_template_errors_and_export() {
    let repo = repo();
    let a = repo.cmd().args(["templates", "export"]).assert().success();
    assert!(stdout(&a).contains("27 templates exported"), "{}", stdout(&a));
    let a = repo.cmd().args(["templates", "export"]).assert().success();
    assert!(stdout(&a).contains("0 templates exported"));
    repo.write("templates/advisory.md.j2", "CUSTOM {{ advisory.id }} for {{ site.organization }}\n");
    let a = repo.cmd().args(["render", "1", "--format", "md"]).assert().success();
    assert_eq!(stdout(&a), "CUSTOM ENIGM-2026-0001 for Acme Corp\n");

    repo.write("templates/advisory.md.j2", "line one\n{{ advisory.id }\n");
    let a = repo.cmd().args(["render", "1", "--format", "md"]).assert().code(2);
    assert!(stderr(&a).contains("templates/advisory.md.j2:2:"), "syntax error located: {}", stderr(&a));
    repo.write("templates/advisory.md.j2", "ok\n{{ advisory.no_such_field }}\n");
    let a = repo.cmd().args(["render", "1", "--format", "md"]).assert().code(2);
    assert!(
        stderr(&a).contains("undefined") && stderr(&a).contains("templates/advisory.md.j2:2:"),
        "undefined is an error: {}",
        stderr(&a)
    );
    repo.write(
        "templates/advisory.md.j2",
        "{% for i in range(100000000) %}{% for j in range(100000000) %}x{% endfor %}{% endfor %}\n",
    );
    let a =
        repo.cmd().args(["render", "1", "--format", "md"]).timeout(std::time::Duration::from_secs(60)).assert().code(2);
    assert!(
        stderr(&a).contains("fuel") || stderr(&a).contains("range"),
        "a runaway template is stopped: {}",
        stderr(&a)
    );
}

#[test]
fn changed_since_and_refused_out_dirs() {
    let repo = repo();
    repo.write(
        "reports/ENIGM-2026-0002.md",
        PUBLISHED.replace("ENIGM-2026-0001", "ENIGM-2026-0002").replace("CVE-2026-12345", "CVE-2026-12346"),
    );
    let site = repo.sandbox.tmp.path().join("site");
    let a = repo.cmd().args(["render", "--changed-since", "HEAD", "--out"]).arg(&site).assert().success();
    assert!(
        stdout(&a).contains("22 written"),
        "index, feed, filter, six files of the changed report (pages, OSV, CSAF, CSAF VEX, OpenVEX), CSAF index, changes and metadata, \
         osv/all.json, the index by product, severity and year, and the public face (policy.html \
         and .md, contact, thanks, security.txt) and the ROLIE feed: {}",
        stdout(&a)
    );
    assert!(
        site.join("advisories/ENIGM-2026-0002.html").exists() && !site.join("advisories/ENIGM-2026-0001.html").exists()
    );
    let a = repo.cmd().args(["render", "--out", "."]).assert().code(2);
    assert!(stderr(&a).contains("cannot be the site directory"), "{}", stderr(&a));
    repo.cmd().args(["render", "--out", "reports/site"]).assert().code(2);
}

#[test]
fn snapshots_of_one_advisory_in_each_format() {
    let repo = repo();
    for format in ["md", "html", "osv"] {
        let a = repo.cmd().args(["render", "1", "--format", format]).assert().success();
        insta::assert_snapshot!(format!("advisory_{format}"), stdout(&a));
    }
}

#[test]
fn a_published_report_that_stops_parsing_keeps_its_pages() {
    let repo = repo();
    let site = repo.sandbox.tmp.path().join("site");
    repo.cmd().args(["render", "--out"]).arg(&site).assert().success();
    repo.write("reports/ENIGM-2026-0001.md", PUBLISHED.replace("title: Path traversal in uploads", "title: [typo"));
    let a = repo.cmd().args(["render", "--out"]).arg(&site).assert().code(1);
    assert!(stderr(&a).contains("not rendered") && stderr(&a).contains("its pages are kept"), "{}", stderr(&a));
    assert!(site.join("advisories/ENIGM-2026-0001.html").exists(), "a typo never unpublishes an advisory");
    // A draft is refused in the default site directory even before the first render there.
    repo.write("reports/ENIGM-2026-0001.md", PUBLISHED);
    fs::create_dir_all(repo.root().join("site")).expect("site dir");
    let a = repo.cmd().args(["render", "1", "--draft", "--out", "site/preview.html"]).assert().code(2);
    assert!(stderr(&a).contains("drafts are never written there"), "{}", stderr(&a));
}

/// True when `html` (lowercased) holds something a browser would execute: a script element
/// (other than the site's own), a dangerous element, an event-handler attribute, or a
/// script/data URL in a URL attribute. Attributes are parsed, so text inside a quoted value
/// (`href="https://x/onload=…"`) is not mistaken for an attribute.
pub fn executable(html: &str) -> Option<String> {
    let tag = regex::Regex::new(r#"<[a-z](?:[^>"']|"[^"]*"|'[^']*')*>"#).expect("regex");
    let name = regex::Regex::new(r"^<([a-z0-9-]+)").expect("regex");
    let attr = regex::Regex::new(r#"([^\s"'>/=]+)\s*(?:=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+)))?"#).expect("regex");
    const ELEMENTS: &[&str] =
        &["iframe", "object", "embed", "frame", "frameset", "base", "link", "svg", "math", "style", "applet", "form"];
    const URL_ATTRS: &[&str] =
        &["href", "src", "action", "formaction", "background", "dynsrc", "lowsrc", "data", "xlink:href", "poster"];
    for m in tag.find_iter(html) {
        let t = m.as_str();
        let element = name.captures(t).map(|c| c[1].to_owned()).unwrap_or_default();
        let own_script = t == "<script src=\"assets/filter.js\">" || t == "<script src=\"../assets/filter.js\">";
        if (element == "script" && !own_script) || ELEMENTS.contains(&element.as_str()) {
            return Some(t.to_owned());
        }
        if element == "meta" && t.contains("http-equiv") && t.contains("refresh") {
            return Some(t.to_owned());
        }
        let rest = &t[1 + element.len()..t.len() - 1];
        for a in attr.captures_iter(rest) {
            let key = a[1].to_owned();
            let value = a.get(2).or(a.get(3)).or(a.get(4)).map_or("", |v| v.as_str());
            if key.starts_with("on") {
                return Some(t.to_owned());
            }
            let compact: String = value
                .replace("&#x3a;", ":")
                .replace("&colon;", ":")
                .chars()
                .filter(|c| !c.is_whitespace() && !c.is_control())
                .collect();
            if URL_ATTRS.contains(&key.as_str())
                && ["javascript:", "vbscript:", "data:"].iter().any(|p| compact.starts_with(p))
            {
                return Some(t.to_owned());
            }
            if key == "style" && (value.contains("expression(") || value.contains("url(")) {
                return Some(t.to_owned());
            }
        }
    }
    None
}

#[test]
fn the_well_known_xss_vectors_render_inert_in_body_and_title() {
    let vectors: Vec<&str> =
        include_str!("../fixtures/xss-vectors.txt").lines().filter(|l| !l.trim().is_empty()).collect();
    assert!(vectors.len() >= 40);
    // The detector itself catches what it must.
    for bad in [
        "<img src=x onerror=alert(1)>",
        "<a href=\"javascript:alert(1)\">",
        "<script>",
        "<iframe src=x>",
        "<a href='data:text/html,x'>",
        "<div style=\"width: expression(alert(1))\">",
    ] {
        assert!(executable(bad).is_some(), "detector misses {bad}");
    }
    assert!(executable("<a href=\"https://x.test\" rel=\"noopener\">x</a><p>on=1</p>").is_none());
    assert!(executable("<a href=\"https://x.test/&lt;svg/onload=alert(1)&gt;\">x</a>").is_none(), "inside a value");
    assert!(executable("<a href=\" java\tscript:alert(1)\">x</a>").is_some(), "whitespace-split scheme");
    assert!(executable("<p onmouseover='x'>").is_some());
    let repo = repo();
    for (i, v) in vectors.iter().enumerate() {
        let n = i + 2;
        let title = serde_json::to_string(&format!("T{n} {v}")).expect("json string");
        let text = PUBLISHED
            .replace("ENIGM-2026-0001", &format!("ENIGM-2026-{n:04}"))
            .replace("CVE-2026-12345", &format!("CVE-2026-{:05}", 20000 + n))
            .replace("title: Path traversal in uploads", &format!("title: {title}"))
            .replace("The upload handler accepts `../` in file names.", v);
        repo.write(&format!("reports/ENIGM-2026-{n:04}.md"), text);
    }
    let site = repo.sandbox.tmp.path().join("site");
    repo.cmd().args(["render", "--out"]).arg(&site).assert().success();
    let content = regex::Regex::new(r"<(title|summary)>([^<]*(<[^/][^<]*)*)</(title|summary)>").expect("regex");
    for (path, bytes) in all_files(&site) {
        if !(path.ends_with(".html") || path.ends_with(".xml")) {
            continue;
        }
        let html = String::from_utf8_lossy(&bytes).to_lowercase();
        if path.ends_with(".xml") {
            // In the feed, report text lands in <title> and <summary>: no markup may survive.
            for c in content.captures_iter(&html) {
                assert!(!c[2].contains('<'), "{path}: markup in feed text: {}", &c[2]);
            }
            continue;
        }
        // Report content lands in <title> and <main> (and anywhere in the feed); the page's own
        // <head> (style, CSP) is the template's.
        let scope = match (html.find("<main>"), html.find("</main>"), html.find("<title>"), html.find("</title>")) {
            (Some(a), Some(b), Some(c), Some(d)) => format!("{}{}", &html[c..d], &html[a..b]),
            _ => html.clone(),
        };
        if let Some(bad) = executable(&scope) {
            panic!("{path} carries executable markup: {bad}");
        }
    }
}

/// Bodies whose private text hides in Markdown structure, each with the markers it plants
/// (`PRIV-n`). The first paragraph of each Summary (`PUBLIC-n`) must still be published.
const PRIVATE_BODIES: &[&str] = &[
    // A public heading inside a blockquote or a list item of the private section.
    "## Summary\n\nPUBLIC-n\n\n## Reproduction\n\n> ## Impact\n> PRIV-n quoted exploit\n\n- ## Remediation\n  PRIV-n listed\n\n- step\n\n  ## Impact\n\n  PRIV-n nested\n",
    // An HTML block and an unclosed comment swallow the private heading.
    "## Summary\n\nPUBLIC-n\n\n<details>\n## Reproduction\nPRIV-n in details\n</details>\n\nPRIV-n after it\n",
    "## Summary\n\nPUBLIC-n\n\n<!--\n## Reproduction\n\nPRIV-n in a comment\n",
    "## Summary\n\nPUBLIC-n\n\n<details>\n\n## Reproduction\n\nPRIV-n\n\n## Impact\n\nPRIV-n inside the open details\n\n</details>\n",
    // A stray fence turns the fences after it inside out.
    "## Summary\n\nPUBLIC-n\n\n```\n## Reproduction\n\n```\n## Impact\nPRIV-n\n```\n",
    // A table swallows a setext heading; a zero-width space hides one.
    "## Summary\n\nPUBLIC-n\n\n| a |\n|---|\nReproduction\n---\nPRIV-n\n",
    "## Summary\n\nPUBLIC-n\n\n\u{200b}## Reproduction\nPRIV-n\n",
    // Comments in public sections, in every form.
    "## Summary\n\nPUBLIC-n <!-- PRIV-n inline -->\n\n<!--\nPRIV-n block\n-->\n\n## Impact\n\nImpact text <!-- PRIV-n\n",
    // Unsafe URLs in a public section.
    "## Summary\n\nPUBLIC-n [click](javascript:alert('PRIV-n')) <vbscript:PRIV-n> ![i](data:text/html,PRIV-n)\n[ref][r] <a href=\"javascript:PRIV-n\">a</a> <img src=\"javascript:PRIV-n\">\n\n[r]: javascript:PRIV-n\n",
];

#[test]
fn private_text_never_leaves_whatever_the_markdown_looks_like() {
    let repo = repo();
    let config = repo
        .read("enigm.yaml")
        .replace("# website: https://www.example.com", "website: https://www.acme.test")
        .replace(
            "# cve_org_id: 00000000-0000-4000-8000-000000000000",
            "cve_org_id: 5a3b1c2d-0e4f-4a1b-9c8d-7e6f5a4b3c2d",
        );
    repo.write("enigm.yaml", config);
    let front = &PUBLISHED[..PUBLISHED.find("\n---\n").expect("fences") + 5];
    for (i, body) in PRIVATE_BODIES.iter().enumerate() {
        let n = i + 2;
        let text = front
            .replace("ENIGM-2026-0001", &format!("ENIGM-2026-{n:04}"))
            .replace("CVE-2026-12345", &format!("CVE-2026-{:05}", 20000 + n))
            + &body.replace("-n", &format!("-{n}"))
            + "\n## Remediation\n\nUpgrade.\n";
        repo.write(&format!("reports/ENIGM-2026-{n:04}.md"), text);
    }
    commit_all(&repo, "tricky bodies");
    let leaks = |what: &str, text: &str| {
        let lower = text.to_lowercase();
        for bad in ["priv-", "javascript:", "vbscript:", "data:text/html"] {
            assert!(!lower.contains(bad), "{bad} reached {what}:\n{text}");
        }
    };
    let site = repo.sandbox.tmp.path().join("site");
    repo.cmd().args(["render", "--out"]).arg(&site).assert().success();
    for (path, bytes) in all_files(&site) {
        leaks(&path, &String::from_utf8_lossy(&bytes));
    }
    for n in 2..PRIVATE_BODIES.len() + 2 {
        let page = fs::read_to_string(site.join(format!("advisories/ENIGM-2026-{n:04}.html"))).expect("page");
        assert!(page.contains(&format!("PUBLIC-{n}")), "the public text of {n} is published:\n{page}");
        for format in ["html", "md", "osv", "csaf", "cve"] {
            let a = repo.cmd().args(["render", &n.to_string(), "--format", format]).assert().success();
            leaks(&format!("render {n} --format {format}"), &stdout(&a));
        }
    }
    // `validate` says where the structure is ambiguous (not for comments and unsafe URLs in
    // public sections: they are only removed).
    let a = repo.cmd().args(["validate", "--format", "json"]).assert().code(1);
    let v: serde_json::Value = serde_json::from_slice(&a.get_output().stdout).expect("json");
    let ambiguous: Vec<String> = v["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["code"] == "ambiguous-heading")
        .map(|f| f.to_string())
        .collect();
    for n in 2..PRIVATE_BODIES.len() + 2 {
        let file = format!("ENIGM-2026-{n:04}.md");
        let flagged = ambiguous.iter().any(|f| f.contains(&file));
        assert_eq!(flagged, n < PRIVATE_BODIES.len(), "{file}: {ambiguous:#?}");
    }
}
