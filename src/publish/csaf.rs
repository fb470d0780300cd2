//! CSAF 2.0 documents (profile `csaf_security_advisory`, and `csaf_vex`: [`vex`]) from the
//! public view of a report.
//!
//! Built with serde_json, like OSV, from an [`Advisory`] only, so nothing private can reach a
//! document. The report's products become the product tree ([`products`]), its revisions
//! `document.tracking` ([`tracking`]); the site publishes the documents as a CSAF provider
//! directory ([`provider`]). Every document is checked against the standard's mandatory tests
//! ([`mandatory`]) before it is returned: one that fails is never written, and the error names
//! the test.
//! CSAF 2.0 scores only CVSS v2 and v3: a v4.0 vector is carried in a vulnerability note.
//! Each CVE alias is a vulnerability of its own (with the same products, notes and scores).

pub mod aggregator;
pub mod mandatory;
pub mod products;
pub mod provider;
pub mod rolie;
pub mod tracking;
pub mod vex;

use serde_json::{Value, json};

use self::products::Tree;
use self::tracking::Tracking;
pub use self::vex::Profile;
use crate::error::{Error, Result};
use crate::format::config::Config;
use crate::publish::public::Advisory;

/// The CSAF version of the documents.
pub const CSAF_VERSION: &str = "2.0";

/// Who issues the documents (`document.publisher`, and the provider metadata).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Publisher {
    pub name: String,
    /// A URL the publisher controls: `organization.website`, else `render.base_url`.
    pub namespace: String,
    pub contact: String,
}

impl Publisher {
    /// From the configuration; refused when there is no URL to use as the namespace.
    pub fn from_config(config: &Config) -> Result<Publisher> {
        let website = config.organization.website.as_deref().map(str::trim).filter(|w| !w.is_empty());
        let namespace = website.or(config.render.base_url.as_deref()).unwrap_or_default().trim();
        if !is_web_url(namespace) {
            return Err(Error::usage(
                "CSAF needs a publisher namespace: an http(s) URL the organisation controls",
                "set `organization.website` (or `render.base_url`) in enigm.yaml to an https:// URL",
            ));
        }
        Ok(Publisher {
            name: config.organization.name.clone(),
            namespace: namespace.to_owned(),
            contact: config.organization.security_contact.clone(),
        })
    }

    pub(crate) fn json(&self) -> Value {
        json!({
            "category": "vendor",
            "name": self.name,
            "namespace": self.namespace,
            "contact_details": self.contact,
        })
    }
}

/// An `http://` or `https://` URL with a host and no whitespace (the `reference-url` rule).
pub fn is_web_url(url: &str) -> bool {
    crate::rules::checks::fields::check_url(url).is_ok()
}

/// The CSAF document of an advisory, checked against the mandatory tests (section 6.1).
/// `base_url` (ending in `/`, or empty) adds links to the advisory's other formats on the site.
///
/// A document that fails a test is refused with [`Error::CsafSelfCheck`]: a consumer that
/// validates strictly would reject it, so it is better not written at all.
pub fn document(a: &Advisory, tracking: &Tracking, publisher: &Publisher, base_url: &str) -> Result<Value> {
    profile_document(Profile::SecurityAdvisory, a, tracking, publisher, base_url)
}

/// The `csaf_vex` document of an advisory (or of a VEX-only statement), checked as
/// [`document`] is, the VEX profile's tests (6.1.27.x) included: see [`vex`].
pub fn vex_document(a: &Advisory, tracking: &Tracking, publisher: &Publisher, base_url: &str) -> Result<Value> {
    profile_document(Profile::Vex, a, tracking, publisher, base_url)
}

fn profile_document(
    profile: Profile,
    a: &Advisory,
    tracking: &Tracking,
    publisher: &Publisher,
    base_url: &str,
) -> Result<Value> {
    let doc = build_profile(profile, a, tracking, publisher, base_url);
    match mandatory::mandatory(&doc).into_iter().next() {
        None => Ok(doc),
        Some(failure) => Err(Error::CsafSelfCheck { id: a.id.clone(), test: failure.test, message: failure.message }),
    }
}

/// The CSAF security advisory of an advisory, unchecked.
#[cfg(test)]
pub(crate) fn build(a: &Advisory, tracking: &Tracking, publisher: &Publisher, base_url: &str) -> Value {
    build_profile(Profile::SecurityAdvisory, a, tracking, publisher, base_url)
}

/// The CSAF document of an advisory in `profile`, unchecked.
pub(crate) fn build_profile(
    profile: Profile,
    a: &Advisory,
    tracking: &Tracking,
    publisher: &Publisher,
    base_url: &str,
) -> Value {
    let tree = products::tree(a, &publisher.name);
    let vulnerabilities: Vec<Value> = cves(a)
        .into_iter()
        .map(|cve| {
            let mut v = vulnerability(a, tracking, &tree, cve);
            if profile == Profile::Vex {
                vex::ensure_ids(&mut v, a, &publisher.name);
            }
            v
        })
        .collect();
    json!({
        "document": document_part(profile, a, tracking, publisher, base_url),
        "product_tree": tree.json,
        "vulnerabilities": vulnerabilities,
    })
}

/// The path of an advisory's document in `profile` inside the provider directory
/// (`2026/enigm-2026-0001.json`, `2026/enigm-2026-0001-vex.json`).
pub fn document_path(profile: Profile, id: &str, tracking: &Tracking) -> String {
    provider::path(&profile.tracking_id(id), tracking)
}

/// The CVE ids of the report, each once; `[None]` without one. Each is a vulnerability of its
/// own: `ids` takes no CVE (recommended test 6.2.17).
fn cves(a: &Advisory) -> Vec<Option<&str>> {
    let mut seen = std::collections::HashSet::new();
    let cves: Vec<Option<&str>> = a
        .aliases
        .iter()
        .filter(|x| crate::rules::checks::fields::is_cve(x) && seen.insert(x.as_str()))
        .map(|x| Some(x.as_str()))
        .collect();
    if cves.is_empty() { vec![None] } else { cves }
}

fn document_part(profile: Profile, a: &Advisory, tracking: &Tracking, publisher: &Publisher, base_url: &str) -> Value {
    let mut doc = json!({
        "category": profile.category(),
        "csaf_version": CSAF_VERSION,
        "title": a.title,
        "lang": "en",
        "publisher": publisher.json(),
        "distribution": { "tlp": { "label": "WHITE", "url": "https://www.first.org/tlp/" } },
        "tracking": tracking_json(&profile.tracking_id(&a.id), tracking),
    });
    if let Some(level) = a.severity.as_ref().and_then(|s| s.level.as_ref()) {
        doc["aggregate_severity"] = json!({ "text": level });
    }
    let mut notes = Vec::new();
    if !a.summary.is_empty() {
        notes.push(json!({ "category": "summary", "title": "Summary", "text": a.summary }));
    }
    if let Some(w) = &a.withdrawn_date {
        notes.push(json!({ "category": "general", "title": "Withdrawn", "text": format!("This advisory was withdrawn on {w}.") }));
    }
    if !notes.is_empty() {
        doc["notes"] = Value::Array(notes);
    }
    if is_web_url(base_url) {
        doc["references"] = Value::Array(self_references(profile, a, tracking, base_url));
    }
    doc
}

/// The advisory's own files on the site: the advisory (CSAF, page, OSV) unless it is a
/// VEX-only statement, and its VEX documents (`csaf_vex`, OpenVEX) for the VEX profile.
fn self_references(profile: Profile, a: &Advisory, tracking: &Tracking, base_url: &str) -> Vec<Value> {
    let csaf = |p: Profile| format!("{base_url}{}/{}", provider::DIR, document_path(p, &a.id, tracking));
    let mut refs = Vec::new();
    if profile == Profile::Vex {
        let openvex = format!("{base_url}{}", crate::publish::openvex::file_path(&a.id));
        refs.push(json!({ "category": "self", "summary": "This VEX document in the common security advisory format", "url": csaf(Profile::Vex) }));
        refs.push(json!({ "category": "self", "summary": "This VEX document in the OpenVEX format", "url": openvex }));
    }
    if !a.vex_only {
        let category = if profile == Profile::Vex { "external" } else { "self" };
        refs.push(json!({ "category": category, "summary": "This advisory in the common security advisory format", "url": csaf(Profile::SecurityAdvisory) }));
        refs.push(json!({ "category": category, "summary": "This advisory as a web page", "url": format!("{base_url}advisories/{}.html", a.id) }));
        refs.push(json!({ "category": category, "summary": "This advisory in the open source vulnerability format", "url": format!("{base_url}{}", a.files.osv) }));
    }
    refs
}

fn tracking_json(id: &str, t: &Tracking) -> Value {
    let history: Vec<Value> = t
        .revisions
        .iter()
        .enumerate()
        .map(|(i, r)| json!({ "date": r.date, "number": (i + 1).to_string(), "summary": r.summary }))
        .collect();
    json!({
        "id": id,
        "status": if t.interim { "interim" } else { "final" },
        "version": t.version(),
        "initial_release_date": t.initial_release_date(),
        "current_release_date": t.current_release_date(),
        "revision_history": history,
        "generator": { "engine": { "name": "enigm-disclose", "version": env!("CARGO_PKG_VERSION") } },
    })
}

fn vulnerability(a: &Advisory, tracking: &Tracking, tree: &Tree, cve: Option<&str>) -> Value {
    let groups = vex::groups(a, tree);
    let mut v = json!({
        "title": a.title,
        "notes": vulnerability_notes(a),
        "product_status": vex::product_status(&groups),
        "release_date": tracking.initial_release_date(),
    });
    if let Some(cve) = cve {
        v["cve"] = json!(cve);
    }
    let mut seen = std::collections::HashSet::new();
    let others: Vec<&String> =
        a.aliases.iter().filter(|x| !crate::rules::checks::fields::is_cve(x) && seen.insert(*x)).collect();
    if !others.is_empty() {
        v["ids"] = Value::Array(others.into_iter().map(|x| id_json(x)).collect());
    }
    if let Some((id, name)) = a.cwe.first().and_then(|id| crate::format::cwe::name(id).map(|n| (id, n))) {
        v["cwe"] = json!({ "id": id, "name": name });
    }
    let v31 = a.severity.as_ref().and_then(|s| s.vector.as_deref()).and_then(crate::format::cvss::to_json);
    if let Some(cvss) = v31.filter(|c| c["version"] == "3.1" && !groups.known_affected.is_empty()) {
        v["scores"] = json!([{ "cvss_v3": cvss, "products": groups.known_affected }]);
    }
    let remediations = vex::remediations(a, tree);
    if !remediations.is_empty() {
        v["remediations"] = Value::Array(remediations);
    }
    let (flags, threats) = vex::flags_and_threats(a, tree);
    if !flags.is_empty() {
        v["flags"] = Value::Array(flags);
    }
    if !threats.is_empty() {
        v["threats"] = Value::Array(threats);
    }
    if !a.references.is_empty() {
        let refs: Vec<Value> = a
            .references
            .iter()
            .filter(|r| is_web_url(&r.url))
            .map(|r| json!({ "category": "external", "summary": reference_summary(&r.kind), "url": r.url }))
            .collect();
        if !refs.is_empty() {
            v["references"] = Value::Array(refs);
        }
    }
    if !a.credits.is_empty() {
        let acknowledgments: Vec<Value> = a
            .credits
            .iter()
            .map(|c| {
                let mut v = json!({ "names": [c.name], "summary": c.role.summary() });
                if let Some(url) = &c.url {
                    v["urls"] = json!([url]);
                }
                v
            })
            .collect();
        v["acknowledgments"] = Value::Array(acknowledgments);
    }
    v
}

fn id_json(alias: &str) -> Value {
    let system = match alias.split('-').next().unwrap_or(alias) {
        "GHSA" => "GitHub Security Advisory",
        other => other,
    };
    json!({ "system_name": system, "text": alias })
}

/// The public sections (Summary as `summary`, others as `details`), the CVSS v4.0 vector and the
/// CWE ids the `cwe` field cannot hold.
fn vulnerability_notes(a: &Advisory) -> Vec<Value> {
    let mut notes: Vec<Value> = a
        .sections
        .iter()
        .filter(|s| !s.markdown.trim().is_empty())
        .map(|s| {
            let category = if s.title.eq_ignore_ascii_case("summary") { "summary" } else { "details" };
            json!({ "category": category, "title": s.title, "text": s.markdown })
        })
        .collect();
    if notes.is_empty() {
        notes.push(json!({ "category": "description", "title": "Title", "text": a.title }));
    }
    let v4 = a
        .severity
        .as_ref()
        .and_then(|s| s.vector_v4.as_ref().or(s.vector.as_ref().filter(|_| s.version.as_deref() == Some("4.0"))));
    if let Some((vector, scores)) = v4.and_then(|v| crate::format::cvss::assess(v).ok().map(|a| (v, a))) {
        // The base score (CVSS-B) and, with threat or environmental metrics, the vector's own.
        let text = format!("{vector} ({}). CSAF 2.0 scores only CVSS v2 and v3.", scores.describe());
        notes.push(json!({ "category": "other", "title": "CVSS v4.0", "text": text }));
    }
    let named = a.cwe.first().and_then(|id| crate::format::cwe::name(id)).is_some();
    let unnamed: Vec<&str> = a.cwe.iter().skip(usize::from(named)).map(String::as_str).collect();
    if !unnamed.is_empty() {
        notes.push(json!({ "category": "other", "title": "Weaknesses", "text": unnamed.join(", ") }));
    }
    notes
}

/// `fix` → `Fix`.
fn reference_summary(kind: &str) -> String {
    let mut c = kind.chars();
    c.next().map_or_else(|| "Reference".to_owned(), |f| f.to_uppercase().chain(c).collect())
}

/// Serialises a document as the site and `render --format csaf` write it.
pub fn to_text(doc: &Value) -> String {
    serde_json::to_string_pretty(doc).unwrap_or_default() + "\n"
}

/// An advisory, configuration and document from the integration fixture, for unit tests.
#[cfg(test)]
pub(crate) mod test_support {
    use std::path::Path;

    use super::*;
    use crate::format::config::ConfigSeed;
    use crate::format::report::Document;

    /// A published report with two products, a CVE alias, CVSS v3.1 and v4.0, a CWE, fixed
    /// versions and a credit (shared with the integration tests).
    pub const EXPORTS: &str = include_str!("../../tests/fixtures/reports/exports.md");

    pub fn config() -> Config {
        let seed = ConfigSeed {
            id_prefix: "ENIGM".into(),
            organization: "Acme Corp".into(),
            security_contact: "security@acme.test".into(),
            products: vec!["web".into(), "api".into()],
        };
        let text = seed.render().replace("# website: https://www.example.com", "website: https://www.acme.test");
        Config::parse(&text).expect("config")
    }

    pub fn advisory(text: &str) -> Advisory {
        let doc = Document::parse(Path::new("reports/ENIGM-2026-0001.md"), text.to_owned()).expect("parses");
        let report = doc.report().expect("report");
        crate::publish::public::advisory(&doc, &report, &config(), None)
    }

    pub fn document(text: &str) -> Value {
        let a = advisory(text);
        let publisher = Publisher::from_config(&config()).expect("publisher");
        super::document(&a, &tracking::History::none().tracking(&a), &publisher, "https://security.acme.test/")
            .expect("passes the mandatory tests")
    }

    pub fn vex_document(text: &str) -> Value {
        let a = advisory(text);
        let publisher = Publisher::from_config(&config()).expect("publisher");
        super::vex_document(&a, &tracking::History::none().tracking(&a), &publisher, "https://security.acme.test/")
            .expect("passes the mandatory tests")
    }
}

#[cfg(test)]
mod tests {
    use super::test_support::{EXPORTS, config, document};
    use super::*;

    #[test]
    fn a_fixed_text_that_names_no_single_version_goes_to_the_remediation_only() {
        let d = document(&EXPORTS.replace("fixed: '2.4.1'", "fixed: 'all releases after <2.4'"));
        let versions: Vec<&str> = d["product_tree"]["branches"][0]["branches"]
            .as_array()
            .expect("products")
            .iter()
            .flat_map(|p| p["branches"].as_array().expect("leaves"))
            .filter(|b| b["category"] == "product_version")
            .filter_map(|b| b["name"].as_str())
            .collect();
        assert_eq!(versions, ["1.10.0"]);
        let details: Vec<&str> = d["vulnerabilities"][0]["remediations"]
            .as_array()
            .expect("remediations")
            .iter()
            .filter_map(|r| r["details"].as_str())
            .collect();
        assert!(details.iter().any(|t| t.ends_with(": all releases after <2.4.")), "{details:?}");
    }

    #[test]
    fn a_document_that_fails_a_mandatory_test_is_refused_with_the_test_id() {
        // A package URL without a type or name cannot come from a valid report; built
        // by hand it must stop the document instead of reaching a consumer.
        let mut a = super::test_support::advisory(EXPORTS);
        a.products[0].purl = Some("pkg:/".into());
        let publisher = Publisher::from_config(&config()).expect("publisher");
        let err = super::document(&a, &tracking::History::none().tracking(&a), &publisher, "").expect_err("refused");
        let Error::CsafSelfCheck { id, test, .. } = &err else { panic!("{err:?}") };
        assert_eq!((id.as_str(), *test), ("ENIGM-2026-0001", "6.1.13"));
        assert!(err.to_string().contains("mandatory test 6.1.13"), "{err}");
    }

    #[test]
    fn the_fixture_becomes_a_full_security_advisory() {
        let d = document(EXPORTS);
        assert_eq!(d["document"]["tracking"]["version"], "1");
        assert_eq!(d["document"]["tracking"]["initial_release_date"], "2026-03-01T00:00:00.000Z");
        assert_eq!(d["document"]["publisher"]["namespace"], "https://www.acme.test");
        let v = &d["vulnerabilities"][0];
        assert_eq!(v["cve"], "CVE-2026-41234");
        assert_eq!(v["cwe"]["id"], "CWE-22");
        assert_eq!(
            v["product_status"],
            json!({ "known_affected": ["CSAFPID-0001", "CSAFPID-0003"], "fixed": ["CSAFPID-0002", "CSAFPID-0004"] })
        );
        assert_eq!(v["scores"][0]["cvss_v3"]["baseScore"], 8.1);
        let notes = v["notes"].to_string();
        assert!(
            notes.contains("CVSS:4.0/AV:N") && !notes.contains("Reproduction") && !notes.contains("Debian"),
            "{notes}"
        );
        let web = &d["product_tree"]["branches"][0]["branches"][0];
        assert_eq!(web["branches"][0]["name"], "vers:generic/>=2.0.0|<2.4.1");
        let api = &d["product_tree"]["branches"][0]["branches"][1]["branches"];
        assert_eq!(api[0]["name"], "vers:pypi/<1.10.0");
        assert_eq!(api[1]["product"]["product_identification_helper"]["purl"], "pkg:pypi/acme-api@1.10.0");
        assert!(!d.to_string().contains("jane@example.org"));
    }

    #[test]
    fn each_cve_alias_is_a_vulnerability_and_ids_take_no_cve() {
        let d = document(&EXPORTS.replace(
            "aliases: [CVE-2026-41234]",
            "aliases: [CVE-2026-41234, GHSA-9wx4-h78v-vm56, CVE-2026-41235, CVE-2026-41234]",
        ));
        let v = d["vulnerabilities"].as_array().expect("vulnerabilities");
        let cves: Vec<&str> = v.iter().filter_map(|x| x["cve"].as_str()).collect();
        assert_eq!(cves, ["CVE-2026-41234", "CVE-2026-41235"]);
        for x in v {
            assert_eq!(x["ids"], json!([{ "system_name": "GitHub Security Advisory", "text": "GHSA-9wx4-h78v-vm56" }]));
            assert_eq!(x["product_status"], v[0]["product_status"]);
        }
    }

    #[test]
    fn the_vex_document_is_the_advisory_in_the_vex_profile() {
        let advisory = document(EXPORTS);
        let vex = super::test_support::vex_document(EXPORTS);
        assert_eq!(vex["document"]["category"], "csaf_vex");
        assert_eq!(vex["document"]["tracking"]["id"], "ENIGM-2026-0001-VEX");
        assert_eq!(
            (&vex["product_tree"], &vex["vulnerabilities"]),
            (&advisory["product_tree"], &advisory["vulnerabilities"])
        );
        let refs: Vec<(&str, &str)> = vex["document"]["references"]
            .as_array()
            .expect("references")
            .iter()
            .map(|r| (r["category"].as_str().unwrap_or(""), r["url"].as_str().unwrap_or("")))
            .collect();
        assert_eq!(refs[0], ("self", "https://security.acme.test/csaf/2026/enigm-2026-0001-vex.json"));
        assert_eq!(refs[1], ("self", "https://security.acme.test/vex/ENIGM-2026-0001.openvex.json"));
        assert_eq!(refs[2], ("external", "https://security.acme.test/csaf/2026/enigm-2026-0001.json"));
        // Without any alias the vulnerability is named by the report's id (6.1.27.8).
        let bare = super::test_support::vex_document(&EXPORTS.replace("aliases: [CVE-2026-41234]", "aliases: []"));
        assert_eq!(
            bare["vulnerabilities"][0]["ids"],
            json!([{ "system_name": "Acme Corp advisory", "text": "ENIGM-2026-0001" }])
        );
    }

    #[test]
    fn a_mixed_report_has_every_status_group_and_no_score_for_unaffected_products() {
        let text = super::vex::tests::mixed().replacen(
            "  - name: api\n",
            "  - name: web\n    component: search\n    affected: '< 2.5'\n    status: fixed\n    cpe: 'cpe:2.3:a:acme:web:*:*:*:*:*:*:*:*'\n  - name: api\n",
            1,
        );
        let d = document(&text);
        let v = &d["vulnerabilities"][0];
        assert_eq!(
            v["product_status"],
            json!({ "known_not_affected": ["CSAFPID-0001"], "fixed": ["CSAFPID-0002"], "under_investigation": ["CSAFPID-0003"] })
        );
        assert!(v.get("scores").is_none(), "{v}");
        assert_eq!(
            v["remediations"],
            json!([{ "category": "none_available", "details": "No fix or workaround is available yet.", "product_ids": ["CSAFPID-0003"] }])
        );
        assert_eq!(v["flags"][0]["label"], "vulnerable_code_not_in_execute_path");
    }

    #[test]
    fn a_publisher_needs_a_url() {
        let mut c = config();
        c.organization.website = None;
        assert!(Publisher::from_config(&c).is_err());
        c.render.base_url = Some("https://security.acme.test/".into());
        assert_eq!(Publisher::from_config(&c).expect("publisher").namespace, "https://security.acme.test/");
        c.organization.website = Some("acme.test".into());
        assert!(Publisher::from_config(&c).is_err(), "not a URL");
    }
}
