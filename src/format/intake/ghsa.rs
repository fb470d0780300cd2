//! GitHub repository security advisories, as the REST API returns them
//! (`GET /repos/{owner}/{repo}/security-advisories`: a list; `…/security-advisories/{ghsa_id}`:
//! one object). A private vulnerability report is such an advisory in the `triage` state.
//!
//! The mapping (`docs/intake.md`, "GitHub security advisories"): `summary` → title,
//! `description` → body sections, `ghsa_id` and `cve_id` → aliases, `cvss_severities` (or the
//! older `cvss`) → vectors, `severity` → level, `cwe_ids` (or `cwes`) → CWEs, each
//! `vulnerabilities[]` entry → a product (its GitHub ecosystem named as OSV names it, its
//! range as `affected`, the first patched version as `fixed`), `html_url` → an advisory
//! reference, the credited reporter (or the author) → the reporter, and `state` → ours.

use serde::Deserialize;

use super::advisory::{self, items};
use super::{Incoming, IntakeError, Source};
use crate::format::report::credit::Credit as Credit_;
use crate::format::report::{Level, Product, Reference, ReferenceType, State};

#[derive(Debug, Deserialize)]
struct Advisory {
    ghsa_id: String,
    cve_id: Option<String>,
    html_url: Option<String>,
    summary: Option<String>,
    description: Option<String>,
    severity: Option<String>,
    state: Option<String>,
    created_at: Option<String>,
    published_at: Option<String>,
    author: Option<User>,
    vulnerabilities: Option<Vec<Vulnerability>>,
    cvss: Option<Vector>,
    cvss_severities: Option<CvssSeverities>,
    cwe_ids: Option<Vec<String>>,
    cwes: Option<Vec<Cwe>>,
    credits: Option<Vec<Credit>>,
    credits_detailed: Option<Vec<CreditDetailed>>,
    identifiers: Option<Vec<Identifier>>,
}

#[derive(Debug, Deserialize)]
struct User {
    login: String,
}

#[derive(Debug, Deserialize)]
struct Vulnerability {
    package: Option<Package>,
    vulnerable_version_range: Option<String>,
    patched_versions: Option<String>,
}

#[derive(Debug, Deserialize)]
struct Package {
    ecosystem: Option<String>,
    name: Option<String>,
}

#[derive(Debug, Deserialize)]
struct Vector {
    vector_string: Option<String>,
}

#[derive(Debug, Deserialize)]
struct CvssSeverities {
    cvss_v3: Option<Vector>,
    cvss_v4: Option<Vector>,
}

#[derive(Debug, Deserialize)]
struct Cwe {
    cwe_id: String,
}

#[derive(Debug, Deserialize)]
struct Credit {
    login: Option<String>,
    #[serde(rename = "type")]
    kind: Option<String>,
}

#[derive(Debug, Deserialize)]
struct CreditDetailed {
    user: Option<User>,
    #[serde(rename = "type")]
    kind: Option<String>,
}

#[derive(Debug, Deserialize)]
struct Identifier {
    #[serde(rename = "type")]
    kind: String,
    value: String,
}

/// Reads every advisory in `bytes` (one object or the API's list).
pub fn parse(bytes: &[u8]) -> Result<Vec<Incoming>, IntakeError> {
    items::<Advisory>(bytes, "a GitHub security advisory")?.into_iter().map(incoming).collect()
}

fn incoming(a: Advisory) -> Result<Incoming, IntakeError> {
    let ghsa_id = a.ghsa_id.trim().to_owned();
    if !ghsa_id.starts_with("GHSA-") {
        return Err(IntakeError::Invalid { field: "ghsa_id".into(), why: format!("`{ghsa_id}` is not a GHSA id") });
    }
    let at = match a.created_at.as_deref().or(a.published_at.as_deref()) {
        Some(t) => advisory::time("created_at", t)?,
        None => return Err(IntakeError::Invalid { field: "created_at".into(), why: "missing".into() }),
    };
    let (v3, v4) = vectors(&a);
    let (reporter_name, credited) = reporter(&a);
    let description = a.description.clone().unwrap_or_default();
    Ok(Incoming {
        source: Source::Ghsa { ghsa_id: ghsa_id.clone() },
        at,
        title: a
            .summary
            .clone()
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty())
            .unwrap_or_else(|| ghsa_id.clone()),
        reporter_contact: Some(format!("@{reporter_name}")),
        credit: credited.then(|| reporter_name.clone()),
        credits: credits(&a),
        reporter_name,
        products: products(&a),
        cvss: v3,
        cvss_v4: v4,
        level: a.severity.as_deref().and_then(|s| s.parse::<Level>().ok()),
        cwe: cwes(&a),
        aliases: aliases(&a, &ghsa_id),
        references: a
            .html_url
            .iter()
            .map(|u| Reference { kind: ReferenceType::Advisory, url: u.trim().to_owned() })
            .collect(),
        state: state(a.state.as_deref()),
        resolution: None,
        body: advisory::body(&description),
        text: description,
        attachments: Vec::new(),
        in_reply_to: Vec::new(),
    })
}

/// The v3.1 and v4.0 vectors: `cvss_severities`, else the older `cvss` (either version).
fn vectors(a: &Advisory) -> (Option<String>, Option<String>) {
    let get = |v: &Option<Vector>| advisory::vector(v.as_ref().and_then(|v| v.vector_string.as_deref()));
    let (mut v3, mut v4) = a.cvss_severities.as_ref().map_or((None, None), |s| (get(&s.cvss_v3), get(&s.cvss_v4)));
    if let Some(old) = get(&a.cvss) {
        let slot = if advisory::is_v4(&old) { &mut v4 } else { &mut v3 };
        slot.get_or_insert(old);
    }
    (v3.filter(|v| !advisory::is_v4(v)), v4.filter(|v| advisory::is_v4(v)))
}

/// Every credit of the advisory, typed (`credits_detailed`, else `credits`), each login once;
/// a credit of a type this tool does not know is `other`.
fn credits(a: &Advisory) -> Vec<Credit_> {
    let detailed = a.credits_detailed.iter().flatten().filter_map(|c| Some((c.user.as_ref()?.login.clone(), &c.kind)));
    let plain = a.credits.iter().flatten().filter_map(|c| Some((c.login.clone()?, &c.kind)));
    let mut out: Vec<Credit_> = Vec::new();
    let chosen: Vec<(String, &Option<String>)> =
        if a.credits_detailed.as_ref().is_some_and(|d| !d.is_empty()) { detailed.collect() } else { plain.collect() };
    for (login, kind) in chosen {
        let login = login.trim().to_owned();
        if !login.is_empty() && !out.iter().any(|c| c.name == login) {
            out.push(Credit_ { name: login, kind: advisory::credit_type(kind.as_deref()), url: None });
        }
    }
    out
}

/// The reporter's login and whether they are credited: the first credit of type `reporter`
/// or `finder` (`credits_detailed`, else `credits`), else the advisory's author.
fn reporter(a: &Advisory) -> (String, bool) {
    let is_reporter = |k: &Option<String>| matches!(k.as_deref(), Some("reporter" | "finder"));
    let detailed = a.credits_detailed.iter().flatten().filter(|c| is_reporter(&c.kind)).find_map(|c| c.user.as_ref());
    let plain = a.credits.iter().flatten().filter(|c| is_reporter(&c.kind)).find_map(|c| c.login.as_deref());
    match detailed.map(|u| u.login.as_str()).or(plain) {
        Some(login) => (login.to_owned(), true),
        None => (a.author.as_ref().map_or_else(|| "GitHub user".to_owned(), |u| u.login.clone()), false),
    }
}

/// One product per package: a package with several vulnerable ranges (one per release
/// branch) gets them as `versions` spans, when each is one span.
fn products(a: &Advisory) -> Vec<Product> {
    let mut out: Vec<Product> = Vec::new();
    for p in entries(a) {
        let same = out.iter_mut().find(|o| o.name == p.name && o.ecosystem == p.ecosystem);
        match same.and_then(|o| merged(o, &p).map(|spans| (o, spans))) {
            Some((o, spans)) => *o = Product { affected: None, fixed: None, versions: spans, ..o.clone() },
            None => out.push(p),
        }
    }
    out
}

/// The spans of `o` and `p` together, when both say one span each (or `o` has spans already).
fn merged(o: &Product, p: &Product) -> Option<Vec<crate::format::report::model::VersionSpan>> {
    use crate::format::versions::{as_entry, sort_spans};
    let mut spans = if o.versions.is_empty() {
        vec![as_entry(o.affected.as_deref(), o.fixed.as_deref())?]
    } else {
        o.versions.clone()
    };
    spans.push(as_entry(p.affected.as_deref(), p.fixed.as_deref())?);
    sort_spans(&mut spans);
    Some(spans)
}

fn entries(a: &Advisory) -> Vec<Product> {
    a.vulnerabilities
        .iter()
        .flatten()
        .filter_map(|v| {
            let package = v.package.as_ref()?;
            let name = package.name.as_deref().map(str::trim).filter(|n| !n.is_empty())?;
            let range = v.vulnerable_version_range.as_deref().map(str::trim).filter(|r| !r.is_empty());
            Some(Product {
                name: name.to_owned(),
                ecosystem: package.ecosystem.as_deref().and_then(advisory::osv_ecosystem).map(str::to_owned),
                package: Some(name.to_owned()),
                affected: range.map(str::to_owned),
                fixed: v.patched_versions.as_deref().and_then(advisory::first_version),
                ..Product::default()
            })
        })
        .collect()
}

fn cwes(a: &Advisory) -> Vec<String> {
    let mut out: Vec<String> = match &a.cwe_ids {
        Some(ids) if !ids.is_empty() => ids.clone(),
        _ => a.cwes.iter().flatten().map(|c| c.cwe_id.clone()).collect(),
    };
    out.dedup();
    out
}

/// The GHSA id, then the CVE id (`cve_id`, else a CVE in `identifiers`).
fn aliases(a: &Advisory, ghsa_id: &str) -> Vec<String> {
    let mut out = vec![ghsa_id.to_owned()];
    let cves =
        a.cve_id.iter().cloned().chain(
            a.identifiers.iter().flatten().filter(|i| i.kind.eq_ignore_ascii_case("CVE")).map(|i| i.value.clone()),
        );
    for cve in cves.map(|c| c.trim().to_owned()).filter(|c| !c.is_empty()) {
        if !out.contains(&cve) {
            out.push(cve);
        }
    }
    out
}

/// GitHub's state as ours: `triage` (a private report not yet accepted) is `received`
/// (`None`), `draft` (accepted, being worked on) `triaged`, `published` and `withdrawn` the
/// same, `closed` (declined) `rejected`.
fn state(state: Option<&str>) -> Option<State> {
    match state? {
        "draft" => Some(State::Triaged),
        "published" => Some(State::Published),
        "withdrawn" => Some(State::Withdrawn),
        "closed" => Some(State::Rejected),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TRIAGE: &str = include_str!("../../../tests/fixtures/ghsa/private-report-triage.json");
    const PUBLISHED: &str = include_str!("../../../tests/fixtures/ghsa/published.json");
    const LIST: &str = include_str!("../../../tests/fixtures/ghsa/list.json");

    fn one(text: &str) -> Incoming {
        let mut all = parse(text.as_bytes()).expect("parses");
        assert_eq!(all.len(), 1);
        all.remove(0)
    }

    #[test]
    fn a_private_report_in_triage() {
        let i = one(TRIAGE);
        assert_eq!(i.source, Source::Ghsa { ghsa_id: "GHSA-4x6r-xq2p-8c9w".into() });
        assert_eq!(i.at.to_rfc3339(), "2026-11-20T08:14:02+00:00");
        assert_eq!(i.title, "Path traversal in attachment download lets a user read files outside the store");
        assert_eq!((i.reporter_name.as_str(), i.reporter_contact.as_deref()), ("lena-sec", Some("@lena-sec")));
        assert_eq!(i.credit.as_deref(), Some("lena-sec"));
        assert_eq!(i.state, None, "triage is received");
        assert_eq!(i.level, Some(Level::High));
        assert_eq!(i.cvss.as_deref(), Some("CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:U/C:H/I:N/A:N"));
        assert_eq!(i.cvss_v4, None);
        assert_eq!(i.cwe, ["CWE-22"]);
        assert_eq!(i.aliases, ["GHSA-4x6r-xq2p-8c9w"]);
        assert_eq!(
            i.products,
            [Product {
                name: "acme-store".into(),
                ecosystem: Some("PyPI".into()),
                package: Some("acme-store".into()),
                affected: Some(">= 2.0.0, < 2.4.1".into()),
                fixed: None,
                ..Product::default()
            }]
        );
        assert_eq!(i.references[0].url, "https://github.com/acme/store/security/advisories/GHSA-4x6r-xq2p-8c9w");
        let titles: Vec<&str> = i.body.lines().filter(|l| l.starts_with("## ")).collect();
        assert_eq!(titles, ["## Summary", "## Context", "## Reproduction", "## Impact"]);
        assert!(i.text.starts_with("### Summary\n"), "{}", i.text);
    }

    #[test]
    fn a_published_advisory() {
        let i = one(PUBLISHED);
        assert_eq!(i.state, Some(State::Published));
        assert_eq!(i.aliases, ["GHSA-9wx4-h78v-vm56", "CVE-2026-31337"]);
        assert_eq!(i.cvss.as_deref(), Some("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"));
        assert_eq!(i.cvss_v4.as_deref(), Some("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N"));
        assert_eq!(i.level, Some(Level::Critical));
        assert_eq!(i.cwe, ["CWE-502", "CWE-20"]);
        assert_eq!(i.reporter_name, "tkowalski", "the finder credited, not the author");
        type Row<'a> = (&'a str, Option<&'a str>, Option<&'a str>, Option<&'a str>);
        let p: Vec<Row<'_>> = i
            .products
            .iter()
            .map(|p| (p.name.as_str(), p.ecosystem.as_deref(), p.affected.as_deref(), p.fixed.as_deref()))
            .collect();
        assert_eq!(
            p,
            [
                ("@acme/widget", Some("npm"), Some("< 3.2.5"), Some("3.2.5")),
                ("org.acme:widget-core", Some("Maven"), Some(">= 4.0.0, < 4.1.2"), Some("4.1.2")),
            ]
        );
    }

    #[test]
    fn ranges_of_one_package_on_two_branches_become_its_versions_spans() {
        let text = PUBLISHED
            .replace(
                r#"{ "ecosystem": "maven", "name": "org.acme:widget-core" }"#,
                r#"{ "ecosystem": "npm", "name": "@acme/widget" }"#,
            )
            .replace(r#""vulnerable_version_range": "< 3.2.5""#, r#""vulnerable_version_range": ">= 3.0.0, < 3.2.5""#);
        let i = one(&text);
        assert_eq!(i.products.len(), 1, "{:?}", i.products);
        let p = &i.products[0];
        assert_eq!((p.affected.as_deref(), p.fixed.as_deref()), (None, None));
        let span = |a: &str, f: &str| crate::format::report::model::VersionSpan {
            introduced: Some(a.into()),
            fixed: Some(f.into()),
            last_affected: None,
        };
        assert_eq!(p.versions, [span("3.0.0", "3.2.5"), span("4.0.0", "4.1.2")]);
    }

    #[test]
    fn a_list_reads_every_advisory_and_maps_each_state() {
        let all = parse(LIST.as_bytes()).expect("parses");
        let got: Vec<(&str, Option<State>)> = all
            .iter()
            .map(|i| match &i.source {
                Source::Ghsa { ghsa_id } => (ghsa_id.as_str(), i.state),
                _ => unreachable!(),
            })
            .collect();
        assert_eq!(
            got,
            [
                ("GHSA-2c3v-6p8q-jw4m", None),
                ("GHSA-7f5h-qrx2-9m3c", Some(State::Triaged)),
                ("GHSA-w8qx-3g9p-c6vh", Some(State::Rejected)),
            ]
        );
        assert_eq!(all[1].products[0].ecosystem.as_deref(), Some("crates.io"));
        assert_eq!(all[1].products[0].affected.as_deref(), Some("<= 0.9.4"));
        assert_eq!(all[2].cvss, None, "a CVSS 3.0 vector is dropped");
        assert_eq!(all[2].level, Some(Level::Low), "the level stays");
        assert_eq!(all[0].reporter_name, "someone-else", "no credit: the author");
        assert_eq!(all[0].credit, None);
    }

    #[test]
    fn broken_input_is_an_error_naming_what() {
        let err = |t: &str| parse(t.as_bytes()).unwrap_err().to_string();
        assert!(err("not json").contains("not JSON"), "{}", err("not json"));
        assert!(err("42").contains("JSON object"), "{}", err("42"));
        assert!(err(r#"[{"summary": "x"}]"#).contains("ghsa_id"), "{}", err(r#"[{"summary": "x"}]"#));
        assert!(err(r#"{"ghsa_id": "GHSA-2c3v-6p8q-jw4m"}"#).contains("created_at"));
        let bad_time = r#"{"ghsa_id": "GHSA-2c3v-6p8q-jw4m", "created_at": "yesterday"}"#;
        assert!(err(bad_time).contains("RFC 3339"), "{}", err(bad_time));
        assert!(err(r#"{"ghsa_id": "CVE-2026-1", "created_at": "2026-01-01T00:00:00Z"}"#).contains("not a GHSA id"));
        assert_eq!(parse(b"[]").expect("empty list"), Vec::<Incoming>::new());
    }
}
