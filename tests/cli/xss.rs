//! Every report field that reaches a page, and the site settings, carry each well-known XSS
//! filter-evasion vector; no page may end up with executable markup (element, attribute or
//! URL context), and no feed text with markup.

use super::render::{all_files, executable, repo};
use super::validate::PUBLISHED;

/// Report fields that reach HTML, and how to put `value` (a YAML string) into each.
const FIELDS: &[(&str, &str, &str)] = &[
    ("title", "title: Path traversal in uploads", "title: {v}"),
    ("credit", "  credit: Jane Doe", "  credit: {v}"),
    ("product", "  - name: web\n", "  - name: {v}\n"),
    ("component", "    component: uploads", "    component: {v}"),
    ("affected", "    affected: '< 2.4.1'", "    affected: {v}"),
    ("fixed", "    fixed: '2.4.1'", "    fixed: {v}"),
    ("cvss", "  cvss: CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", "  cvss: {v}"),
    ("cwe", "cwe: [CWE-22]", "cwe: [{v}]"),
    ("alias", "aliases: [CVE-2026-12345]", "aliases: [{v}]"),
    ("reference url", "    url: https://example.com/web/commit/1", "    url: {v}"),
    ("reference url in https", "    url: https://example.com/web/commit/1", "    url: {vh}"),
    ("mitigation", "published: 2026-03-01", "mitigation: {v}\npublished: 2026-03-01"),
    ("impact section", "An authenticated user can overwrite files outside the upload directory.", "{raw}"),
];

fn vectors() -> Vec<&'static str> {
    include_str!("../fixtures/xss-vectors.txt").lines().filter(|l| !l.trim().is_empty()).collect()
}

/// A site with one report per vector in `field`: no page carries executable markup, no feed
/// text markup.
fn renders_each_vector_inert(field: &str) {
    let (_, from, to) = FIELDS.iter().find(|(f, ..)| *f == field).expect("a field of FIELDS");
    assert!(PUBLISHED.contains(from), "the fixture has no `{from}` for {field}");
    let vectors = vectors();
    let repo = repo();
    let mut n = 1;
    for v in &vectors {
        n += 1;
        let yaml = serde_json::to_string(v).expect("json string");
        let in_https = serde_json::to_string(&format!("https://example.com/{v}")).expect("json string");
        let with = to.replace("{v}", &yaml).replace("{vh}", &in_https).replace("{raw}", v);
        let text = PUBLISHED
            .replace("ENIGM-2026-0001", &format!("ENIGM-2026-{n:04}"))
            .replace("CVE-2026-12345", &format!("CVE-2026-{:05}", 10000 + n))
            .replacen(from, &with, 1);
        repo.write(&format!("reports/ENIGM-2026-{n:04}.md"), text);
    }
    let site = repo.sandbox.tmp.path().join("site");
    repo.cmd().args(["render", "--out"]).arg(&site).assert().success();
    let mut pages = 0;
    let content = regex::Regex::new(r"<(title|summary)>([^<]*)</(title|summary)>").expect("regex");
    for (path, bytes) in all_files(&site) {
        let text = String::from_utf8_lossy(&bytes).to_lowercase();
        if path.ends_with(".xml") {
            assert_eq!(
                content.captures_iter(&text).count(),
                text.matches("<title>").count() + text.matches("<summary>").count(),
                "{path}: markup inside feed text"
            );
            continue;
        }
        if !path.ends_with(".html") {
            continue;
        }
        pages += 1;
        let scope = match (text.find("<main>"), text.find("</main>"), text.find("<title>"), text.find("</title>")) {
            (Some(a), Some(b), Some(c), Some(d)) => format!("{}{}", &text[c..d], &text[a..b]),
            _ => text.clone(),
        };
        if let Some(bad) = executable(&scope) {
            panic!("{path} carries executable markup: {bad}");
        }
    }
    assert!(pages > vectors.len(), "{pages} pages for {} vectors in {field}", vectors.len());
}

/// One test per field of [`FIELDS`] (one site each, so they run in parallel), and `TESTED`,
/// the fields they cover.
macro_rules! every_field {
    ($($test:ident => $field:literal,)*) => {
        /// Every field that reaches a page, each vector in it.
        mod every_field_that_reaches_a_page_renders_each_vector_inert {
            pub const TESTED: &[&str] = &[$($field),*];
            $(
                #[test]
                fn $test() {
                    super::renders_each_vector_inert($field);
                }
            )*
        }
    };
}

every_field! {
    title => "title",
    credit => "credit",
    product => "product",
    component => "component",
    affected => "affected",
    fixed => "fixed",
    cvss => "cvss",
    cwe => "cwe",
    alias => "alias",
    reference_url => "reference url",
    reference_url_in_https => "reference url in https",
    mitigation => "mitigation",
    impact_section => "impact section",
}

#[test]
fn every_field_has_its_test_and_the_corpus_is_complete() {
    let fields: Vec<&str> = FIELDS.iter().map(|(f, ..)| *f).collect();
    assert_eq!(fields, every_field_that_reaches_a_page_renders_each_vector_inert::TESTED);
    let reports = fields.len() * vectors().len();
    assert!(reports > 500, "{reports} reports");
}

#[test]
fn site_settings_render_inert_too() {
    let repo = repo();
    let vector = "\"><script>alert(1)</script><img src=x onerror=alert(2)>";
    let yaml = serde_json::to_string(vector).expect("json");
    let config = repo
        .read("enigm.yaml")
        .replace("  # site_title: Example Corp security advisories", &format!("  site_title: {yaml}"))
        .replace("  name: Acme Corp", &format!("  name: {yaml}"));
    assert!(config.contains(&format!("site_title: {yaml}")) && config.contains(&format!("name: {yaml}")));
    repo.write("enigm.yaml", config);
    let site = repo.sandbox.tmp.path().join("site");
    repo.cmd().args(["render", "--out"]).arg(&site).assert().success();
    let mut shown = 0;
    for (path, bytes) in all_files(&site) {
        if path.ends_with(".html") {
            // Settings land in <title> and the body; the <head>'s style and policy are the
            // template's own.
            let html = String::from_utf8_lossy(&bytes).to_lowercase();
            let scope = match (html.find("<title>"), html.find("</title>"), html.find("<body")) {
                (Some(a), Some(b), Some(c)) => format!("{}{}", &html[a..b], &html[c..]),
                _ => html.clone(),
            };
            if let Some(bad) = executable(&scope) {
                panic!("{path} carries executable markup from the settings: {bad}");
            }
            shown += usize::from(scope.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
        }
    }
    assert!(shown >= 2, "the settings are shown (escaped) on the pages");
}
