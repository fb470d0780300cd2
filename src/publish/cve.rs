//! CVE JSON 5 records (the CNA container) from the public view of a report.
//!
//! Built with serde_json from an [`Advisory`] only, like OSV and CSAF. A record needs a `CVE-`
//! alias (the first one), the CNA's organization UUID (`render.cve_org_id`) and at least one
//! reference (the advisory page, with `render.base_url`); [`record`] refuses without them.
//! A product's versions (read once by [`crate::format::versions`], like OSV and CSAF) become
//! one `affected` `version` / `lessThan` entry per span and `unaffected` entries only between
//! spans, so no entry contradicts another; text no span can say is kept as written.

use serde_json::{Value, json};

use crate::error::{Error, Result};
use crate::format::config::Config;
use crate::format::report::ProductStatus;
use crate::format::versions::{self, Affected, End, Span, Versions};
use crate::publish::csaf::is_web_url;
use crate::publish::public::{Advisory, PublicProduct};

/// `dataVersion` of the records.
pub const DATA_VERSION: &str = "5.1";

/// Package collections for `collectionURL`, by OSV ecosystem name: the URLs the CVE JSON 5
/// schema lists as `collectionURL` examples, and the `versionType` of their versions.
const COLLECTIONS: &[(&str, &str, &str)] = &[
    ("ConanCenter", "https://conan.io/center", "custom"),
    ("CRAN", "https://cran.r-project.org", "custom"),
    ("crates.io", "https://crates.io", "semver"),
    ("Debian", "https://packages.debian.org", "custom"),
    ("Go", "https://golang.org/pkg", "semver"),
    ("Hackage", "https://hackage.haskell.org", "custom"),
    ("Hex", "https://repo.hex.pm", "semver"),
    ("Julia", "https://juliahub.com", "semver"),
    ("Maven", "https://repo.maven.apache.org/maven2", "maven"),
    ("npm", "https://registry.npmjs.org", "semver"),
    ("NuGet", "https://nuget.org/packages", "semver"),
    ("opam", "https://opam.ocaml.org/packages", "custom"),
    ("Packagist", "https://packagist.org", "semver"),
    ("Pub", "https://pub.dev", "semver"),
    ("PyPI", "https://pypi.python.org", "python"),
    ("RubyGems", "https://rubygems.org", "custom"),
];

/// The CVE records of an advisory, one per CVE alias (each once, in the order written), with
/// the CVE id; `base_url` ends in `/` (or is empty).
pub fn records(a: &Advisory, config: &Config, base_url: &str) -> Result<Vec<(String, Value)>> {
    let mut seen = std::collections::HashSet::new();
    let cves: Vec<&String> =
        a.aliases.iter().filter(|x| crate::rules::checks::fields::is_cve(x) && seen.insert(x.as_str())).collect();
    if cves.is_empty() {
        return Err(no_cve(a));
    }
    cves.into_iter().map(|cve| Ok((cve.clone(), record_for(a, cve, config, base_url)?))).collect()
}

fn no_cve(a: &Advisory) -> Error {
    Error::usage(
        format!("{} has no CVE alias; a CVE record is written only for a report with one", a.id),
        "add the CVE id assigned to the issue to `aliases` (e.g. `aliases: [CVE-2026-12345]`)",
    )
}

/// The CVE record of the advisory's first CVE alias; `base_url` ends in `/` (or is empty).
pub fn record(a: &Advisory, config: &Config, base_url: &str) -> Result<Value> {
    let cve = a.aliases.iter().find(|x| crate::rules::checks::fields::is_cve(x)).ok_or_else(|| no_cve(a))?;
    record_for(a, cve, config, base_url)
}

/// The record of `cve`, one of the advisory's aliases.
fn record_for(a: &Advisory, cve: &str, config: &Config, base_url: &str) -> Result<Value> {
    if a.withdrawn {
        return Err(Error::usage(
            format!("{} is withdrawn; its CVE record would be a REJECTED one, which is not generated", a.id),
            format!("ask your CNA to reject {cve}, or render the advisory in another format"),
        ));
    }
    let org = org_id(config)?;
    let references = references(a, base_url);
    if references.is_empty() {
        return Err(Error::usage(
            format!("{} has no public reference; a CVE record needs at least one", a.id),
            "add one to `references`, or set `render.base_url` so the advisory page is referenced",
        ));
    }
    let mut cna = json!({
        "providerMetadata": { "orgId": org },
        "title": truncate(&a.title, 256),
        "descriptions": [description(a)],
        "affected": a.products.iter().map(|p| affected(p, &config.organization.name)).collect::<Vec<_>>(),
        "references": references,
    });
    if let Some(p) = &a.published {
        cna["datePublic"] = json!(format!("{p}T00:00:00.000Z"));
    }
    add_details(&mut cna, a);
    if let Some(ssvc) = &a.ssvc {
        let metric = ssvc.cve_metric(cve);
        match cna.get_mut("metrics").and_then(Value::as_array_mut) {
            Some(metrics) => metrics.push(metric),
            None => cna["metrics"] = json!([metric]),
        }
    }
    Ok(json!({
        "dataType": "CVE_RECORD",
        "dataVersion": DATA_VERSION,
        "cveMetadata": { "cveId": cve, "assignerOrgId": org, "state": "PUBLISHED", "dateUpdated": date_updated(a) },
        "containers": { "cna": cna },
    }))
}

/// When the record last changed: the advisory's `modified` (its latest revision), with the
/// milliseconds CVE timestamps carry.
fn date_updated(a: &Advisory) -> String {
    chrono::DateTime::parse_from_rfc3339(&a.modified)
        .map(|t| t.to_utc().format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string())
        .unwrap_or_else(|_| a.modified.clone())
}

/// `render.cve_org_id`, when set to a UUID (version 4, as the CVE schema requires).
fn org_id(config: &Config) -> Result<&str> {
    let id = config.render.cve_org_id.as_deref().map(str::trim).unwrap_or_default();
    let groups: Vec<&str> = id.split('-').collect();
    let hex = |g: &str, n: usize| g.len() == n && g.chars().all(|c| c.is_ascii_hexdigit());
    let ok = groups.len() == 5
        && [8, 4, 4, 4, 12].iter().zip(&groups).all(|(n, g)| hex(g, *n))
        && groups[2].starts_with('4')
        && groups[3].starts_with(['8', '9', 'a', 'b', 'A', 'B']);
    if ok {
        return Ok(id);
    }
    Err(Error::usage(
        if id.is_empty() {
            "a CVE record names its CNA, and `render.cve_org_id` is not set".to_owned()
        } else {
            format!("`render.cve_org_id` (`{id}`) is not a version 4 UUID")
        },
        "set `render.cve_org_id` in enigm.yaml to your CNA's organization UUID (from CVE Services)",
    ))
}

fn truncate(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((i, _)) => text[..i].to_owned(),
        None => text.to_owned(),
    }
}

/// The summary as text (else the title), with the public sections as Markdown media.
fn description(a: &Advisory) -> Value {
    let text = if a.summary.is_empty() { &a.title } else { &a.summary };
    let mut d = json!({ "lang": "en", "value": truncate(text, 4096) });
    let markdown: Vec<String> = a.sections.iter().map(|s| format!("## {}\n\n{}", s.title, s.markdown)).collect();
    if !markdown.is_empty() {
        let value = truncate(&markdown.join("\n\n"), 16384);
        d["supportingMedia"] = json!([{ "type": "text/markdown", "base64": false, "value": value }]);
    }
    d
}

/// One affected product: vendor, product, component as a module, and its versions.
fn affected(p: &PublicProduct, vendor: &str) -> Value {
    let mut out = json!({ "vendor": vendor, "product": p.name });
    if let Some(c) = &p.component {
        out["modules"] = json!([c]);
    }
    let collection = p.ecosystem.as_deref().and_then(|e| COLLECTIONS.iter().find(|(name, _, _)| *name == e));
    if let Some(package) = &p.package {
        out["packageName"] = json!(package);
        if let Some((_, url, _)) = collection {
            out["collectionURL"] = json!(url);
        }
    }
    // VEX statuses: a product not affected is unaffected in every version, one under
    // investigation unknown (`src/publish/csaf/vex.rs`).
    match p.status {
        ProductStatus::NotAffected => return with_default(out, "unaffected"),
        ProductStatus::UnderInvestigation => return with_default(out, "unknown"),
        ProductStatus::Affected | ProductStatus::Fixed => {}
    }
    let version_type = collection.map_or("custom", |(_, _, t)| *t);
    let (versions, default) = affected_versions(&p.versions(), version_type);
    if !versions.is_empty() {
        out["versions"] = Value::Array(versions);
    }
    out["defaultStatus"] = json!(default);
    out
}

fn with_default(mut out: Value, status: &str) -> Value {
    out["defaultStatus"] = json!(status);
    out
}

/// The versions of a product and the status of those they do not list. Each affected span
/// is one `affected` entry (`version` + `lessThan` / `lessThanOrEqual`, or a single
/// `version`), then each fixed version is an `unaffected` entry up to the next affected
/// span (or `*`), so no `unaffected` claim covers an affected version; everything else is
/// `unaffected` too. Text no span can say is kept as written, with `unknown` elsewhere. A
/// product with no versions said is affected in every version.
fn affected_versions(v: &Versions, version_type: &str) -> (Vec<Value>, &'static str) {
    if !v.said {
        return (Vec::new(), "affected");
    }
    let Some(spans) = v.spans() else {
        let text = match &v.affected {
            Affected::Unreadable(Some(text)) => Some(json!({ "version": text, "status": "affected" })),
            _ => None,
        };
        let fixed = v.fixed.iter().map(|f| unaffected(f, "*", version_type));
        return (text.into_iter().chain(fixed).collect(), "unknown");
    };
    let mut out: Vec<Value> = spans.iter().map(|s| affected_span(s, version_type)).collect();
    for f in unique(&v.fixed) {
        if v.is_affected(f) != Some(false) {
            continue;
        }
        let next = spans.iter().filter_map(Span::start).map(|s| (s, versions::compare(s, f)));
        let next: Option<Vec<(&str, std::cmp::Ordering)>> = next.map(|(s, o)| o.map(|o| (s, o))).collect();
        let Some(next) = next else { continue };
        let mut above: Vec<&str> = next.into_iter().filter(|(_, o)| o.is_gt()).map(|(s, _)| s).collect();
        above.sort_by(|a, b| versions::compare(a, b).unwrap_or(std::cmp::Ordering::Equal));
        out.push(unaffected(f, above.first().copied().unwrap_or("*"), version_type));
    }
    (out, "unaffected")
}

fn unique(list: &[String]) -> Vec<&String> {
    let mut seen = std::collections::HashSet::new();
    list.iter().filter(|f| seen.insert(f.as_str())).collect()
}

fn affected_span(s: &Span, version_type: &str) -> Value {
    let Span::Range { introduced, end } = s else {
        return json!({ "version": s.start(), "status": "affected" });
    };
    let mut v =
        json!({ "version": introduced.as_deref().unwrap_or("0"), "status": "affected", "versionType": version_type });
    match end {
        End::LastAffected(l) => v["lessThanOrEqual"] = json!(l),
        End::Fixed(f) => v["lessThan"] = json!(f),
        End::Open => v["lessThan"] = json!("*"),
    }
    v
}

fn unaffected(from: &str, less_than: &str, version_type: &str) -> Value {
    json!({ "version": from, "lessThan": less_than, "status": "unaffected", "versionType": version_type })
}

/// References with CVE tags by type, then the advisory page when the site has a URL.
fn references(a: &Advisory, base_url: &str) -> Vec<Value> {
    let mut out: Vec<Value> = a
        .references
        .iter()
        .filter(|r| is_web_url(&r.url))
        .map(|r| {
            let tag = match r.kind.as_str() {
                "advisory" => Some("vendor-advisory"),
                "fix" => Some("patch"),
                "report" => Some("issue-tracking"),
                "article" => Some("technical-description"),
                "evidence" => Some("exploit"),
                "package" => Some("product"),
                _ => None,
            };
            match tag {
                Some(t) => json!({ "url": r.url, "tags": [t] }),
                None => json!({ "url": r.url }),
            }
        })
        .collect();
    let page = format!("{base_url}advisories/{}.html", a.id);
    if is_web_url(base_url) && !a.references.iter().any(|r| r.url == page) {
        out.push(json!({ "url": page, "name": a.title, "tags": ["vendor-advisory"] }));
    }
    out
}

/// Problem types (CWE), metrics (CVSS), solutions, workarounds and credits, when known.
fn add_details(cna: &mut Value, a: &Advisory) {
    let problems: Vec<Value> = a
        .cwe
        .iter()
        .map(|id| {
            let text = crate::format::cwe::name(id).map_or_else(|| id.clone(), |n| format!("{id} {n}"));
            json!({ "descriptions": [{ "lang": "en", "description": text, "cweId": id, "type": "CWE" }] })
        })
        .collect();
    if !problems.is_empty() {
        cna["problemTypes"] = Value::Array(problems);
    }
    let vectors = a.severity.iter().flat_map(|s| [s.vector.as_deref(), s.vector_v4.as_deref()]).flatten();
    let metrics: Vec<Value> = vectors
        .filter_map(crate::format::cvss::to_json)
        .map(|m| {
            let key = if m["version"] == "4.0" { "cvssV4_0" } else { "cvssV3_1" };
            json!({ "format": "CVSS", "scenarios": [{ "lang": "en", "value": "GENERAL" }], key: m })
        })
        .collect();
    if !metrics.is_empty() {
        cna["metrics"] = Value::Array(metrics);
    }
    let fixes: Vec<String> = a
        .products
        .iter()
        .filter_map(|p| {
            let several = p.versions.iter().filter(|s| s.fixed.is_some()).count() > 1;
            p.fixed.as_ref().map(|f| format!("{} is fixed in version{} {f}.", p.name, if several { "s" } else { "" }))
        })
        .collect();
    let remediation = a.sections.iter().find(|s| s.title.eq_ignore_ascii_case("remediation"));
    let solution =
        remediation.map(|s| crate::publish::public::plain_text(&s.markdown)).unwrap_or_else(|| fixes.join(" "));
    if !solution.is_empty() {
        cna["solutions"] = json!([{ "lang": "en", "value": truncate(&solution, 4096) }]);
    }
    if let Some(m) = &a.mitigation {
        cna["workarounds"] = json!([{ "lang": "en", "value": truncate(m, 4096) }]);
    }
    if !a.credits.is_empty() {
        let credits: Vec<Value> =
            a.credits.iter().map(|c| json!({ "lang": "en", "value": c.name, "type": c.role.label() })).collect();
        cna["credits"] = Value::Array(credits);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::publish::csaf::test_support::{EXPORTS, advisory, config};

    const ORG: &str = "5a3b1c2d-0e4f-4a1b-9c8d-7e6f5a4b3c2d";

    fn with_org() -> Config {
        let mut c = config();
        c.render.cve_org_id = Some(ORG.into());
        c
    }

    #[test]
    fn the_fixture_becomes_a_cna_container() {
        let r = record(&advisory(EXPORTS), &with_org(), "https://security.acme.test/").expect("record");
        assert_eq!(
            r["cveMetadata"],
            json!({ "cveId": "CVE-2026-41234", "assignerOrgId": ORG, "state": "PUBLISHED", "dateUpdated": "2026-03-01T00:00:00.000Z" })
        );
        let cna = &r["containers"]["cna"];
        assert_eq!(
            cna["affected"][0]["versions"],
            json!([
                { "version": "2.0.0", "lessThan": "2.4.1", "status": "affected", "versionType": "custom" },
                { "version": "2.4.1", "lessThan": "*", "status": "unaffected", "versionType": "custom" },
            ])
        );
        assert_eq!(cna["affected"][0]["modules"], json!(["uploads"]));
        assert_eq!(cna["affected"][1]["collectionURL"], "https://pypi.python.org");
        assert_eq!(cna["affected"][1]["versions"][0]["versionType"], "python");
        assert_eq!(cna["metrics"][0]["cvssV3_1"]["baseScore"], 8.1);
        assert_eq!(cna["metrics"][1]["cvssV4_0"]["version"], "4.0");
        assert_eq!(cna["problemTypes"][0]["descriptions"][0]["cweId"], "CWE-22");
        assert_eq!(cna["credits"][0]["value"], "Jane Doe (Example Research Lab)");
        let text = r.to_string();
        assert!(
            !text.contains("jane@example.org") && !text.contains("Debian") && !text.contains("etc/passwd"),
            "{text}"
        );
    }

    #[test]
    fn refusals() {
        let a = advisory(EXPORTS);
        let no_org = record(&a, &config(), "").unwrap_err().to_string();
        assert!(no_org.contains("cve_org_id"), "{no_org}");
        let mut bad = with_org();
        bad.render.cve_org_id = Some("not-a-uuid".into());
        assert!(record(&a, &bad, "").unwrap_err().to_string().contains("not a version 4 UUID"));
        let no_cve = advisory(&EXPORTS.replace("aliases: [CVE-2026-41234]", "aliases: []"));
        assert!(record(&no_cve, &with_org(), "").unwrap_err().to_string().contains("has no CVE alias"));
        let no_refs = advisory(&EXPORTS.replace("references:\n  - type: advisory\n    url: https://security.acme.test/advisories/ENIGM-2026-0001\n  - type: fix\n    url: https://git.acme.test/web/commit/5e1f0c2a9b7d\n", "references: []\n"));
        assert!(record(&no_refs, &with_org(), "").unwrap_err().to_string().contains("no public reference"));
        assert!(record(&no_refs, &with_org(), "https://security.acme.test/").is_ok(), "the advisory page is one");
    }

    #[test]
    fn one_record_per_cve_alias() {
        let a = advisory(&EXPORTS.replace(
            "aliases: [CVE-2026-41234]",
            "aliases: [CVE-2026-41234, GHSA-9wx4-h78v-vm56, CVE-2026-41235, CVE-2026-41234]",
        ));
        let all = records(&a, &with_org(), "https://security.acme.test/").expect("records");
        let ids: Vec<&str> = all
            .iter()
            .map(|(id, r)| {
                assert_eq!(r["cveMetadata"]["cveId"], *id);
                id.as_str()
            })
            .collect();
        assert_eq!(ids, ["CVE-2026-41234", "CVE-2026-41235"]);
        assert_eq!(all[0].1["containers"], all[1].1["containers"], "the same advisory under each id");
    }

    #[test]
    fn collection_urls_are_the_schema_s() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/schemas/cve-record-5.schema.json");
        let Ok(text) = std::fs::read_to_string(path) else {
            assert!(std::env::var_os("CI").is_none(), "{path} missing under CI");
            return eprintln!("SKIPPED: {path} not found");
        };
        for (ecosystem, url, _) in COLLECTIONS {
            assert!(text.contains(&format!("\"{url}\"")), "{ecosystem}: {url} is not a collectionURL the schema lists");
        }
    }

    #[test]
    fn range_text_maps_to_versions() {
        let p = |affected: Option<&str>, fixed: Option<&str>| PublicProduct {
            name: "web".into(),
            component: None,
            affected: affected.map(Into::into),
            fixed: fixed.map(Into::into),
            versions: Vec::new(),
            ecosystem: None,
            package: None,
            purl: None,
            cpe: None,
            hashes: Vec::new(),
            model_numbers: Vec::new(),
            sbom_urls: Vec::new(),
            serial_numbers: Vec::new(),
            skus: Vec::new(),
            x_generic_uris: Vec::new(),
            status: crate::format::report::ProductStatus::Affected,
            justification: None,
            impact: None,
            action: None,
        };
        let pv = |affected: Option<&str>, fixed: Option<&str>| p(affected, fixed).versions();
        let (v, d) = affected_versions(&pv(Some("<= 2.3"), None), "custom");
        assert_eq!(
            (v[0]["lessThanOrEqual"].as_str(), v[0]["version"].as_str(), d),
            (Some("2.3"), Some("0"), "unaffected")
        );
        let (v, d) = affected_versions(&pv(None, Some("1.2")), "custom");
        assert_eq!((v[0]["lessThan"].as_str(), d), (Some("1.2"), "unaffected"));
        let (v, d) = affected_versions(&pv(Some("2.0.1, 2.0.2"), None), "custom");
        assert_eq!((v.len(), d), (2, "unaffected"));
        let (v, d) = affected_versions(&pv(Some("all 2.x releases"), None), "custom");
        assert_eq!((v[0]["version"].as_str(), d), (Some("all 2.x releases"), "unknown"));
        let (v, d) = affected_versions(&pv(None, None), "custom");
        assert_eq!((v.len(), d), (0, "affected"));
        let (v, _) = affected_versions(&pv(Some("<= 3.7.5"), Some("3.7.5")), "custom");
        assert_eq!(v.len(), 1, "no unaffected claim for a fixed version the range holds: {v:?}");
    }

    #[test]
    fn backports_claim_unaffected_only_between_the_spans() {
        let span = |i: &str, f: &str| crate::format::report::model::VersionSpan {
            introduced: Some(i.into()),
            fixed: Some(f.into()),
            last_affected: None,
        };
        let v = Versions::of(None, None, &[span("3.0.0", "3.7.5"), span("4.0.0", "4.1.2")]);
        let (list, default) = affected_versions(&v, "semver");
        let entry = |version: &str, less: &str, status: &str| json!({ "version": version, "lessThan": less, "status": status, "versionType": "semver" });
        assert_eq!(
            list,
            [
                entry("3.0.0", "3.7.5", "affected"),
                entry("4.0.0", "4.1.2", "affected"),
                entry("3.7.5", "4.0.0", "unaffected"),
                entry("4.1.2", "*", "unaffected"),
            ]
        );
        assert_eq!(default, "unaffected");
    }
}
