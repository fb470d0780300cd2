//! OpenVEX 0.2.0 documents: one per public advisory (and per VEX-only statement), from the
//! same public view and product statuses as its CSAF documents ([`super::csaf::vex`]).
//!
//! A statement is one product's status for one vulnerability: the vulnerability is each CVE
//! alias (or the report's id without one), named with the report's other ids as aliases; the
//! product is identified by its purl (the `@id` too), CPE, and, for one affected file, its
//! hashes, and a `component` that is a purl is its subcomponent. A `not_affected` statement
//! carries the justification or, without one, the impact statement (the OpenVEX schema takes
//! exactly one of them: beside a justification the impact is the status notes); an affected
//! one an action statement (the report's `action`, else "upgrade to" the fixed version, else
//! the mitigation, else "no fix yet"; with backports, the fixed version of each release
//! branch), and each fixed version of a product with a purl is a `fixed` statement of its own
//! (`pkg:…@2.4.1`; one per release branch). Only the [`Advisory`] is read, so nothing
//! private can leave; dates are the CSAF revisions' ([`Tracking`]), so the output has no clock.

use serde_json::{Value, json};

use super::csaf::tracking::Tracking;
use super::csaf::{Publisher, is_web_url};
use crate::format::report::ProductStatus;
use crate::format::versions::{End, Span};
use crate::publish::public::{Advisory, PublicProduct};

/// The OpenVEX context of the documents (the specification's version).
pub const CONTEXT: &str = "https://openvex.dev/ns/v0.2.0";

/// The directory of the OpenVEX documents in the site.
pub const DIR: &str = "vex";

/// `vex/ENIGM-2026-0001.openvex.json`: the document's path in the site.
pub fn file_path(id: &str) -> String {
    format!("{DIR}/{id}.openvex.json")
}

/// The OpenVEX document of `a`. `base_url` (ending in `/`, or empty) is where the site is
/// served; without one the document's `@id` is under the publisher's namespace.
pub fn document(a: &Advisory, tracking: &Tracking, publisher: &Publisher, base_url: &str) -> Value {
    let base = if is_web_url(base_url) {
        base_url.to_owned()
    } else {
        format!("{}/", publisher.namespace.trim_end_matches('/'))
    };
    let timestamp = Some(tracking.initial_release_date()).filter(|d| !d.is_empty()).unwrap_or(&a.modified);
    let mut doc = json!({
        "@context": CONTEXT,
        "@id": format!("{base}{}", file_path(&a.id)),
        "author": publisher.name,
        "role": "vendor",
        "timestamp": timestamp,
        "version": tracking.revisions.len().max(1),
        "tooling": format!("enigm-disclose {}", env!("CARGO_PKG_VERSION")),
        "statements": statements(a, &publisher.namespace),
    });
    let current = tracking.current_release_date();
    if !current.is_empty() && current != timestamp {
        doc["last_updated"] = json!(current);
    }
    doc
}

/// The vulnerabilities the statements are about: each CVE alias, with every other id of the
/// report as an alias; the report's id when it has no CVE.
fn vulnerabilities(a: &Advisory) -> Vec<Value> {
    let mut ids: Vec<&str> = Vec::new();
    for x in a.aliases.iter().map(String::as_str).chain([a.id.as_str()]) {
        if !ids.contains(&x) {
            ids.push(x);
        }
    }
    if a.vex_only {
        // Our id names the statement, not the vulnerability.
        ids.retain(|x| *x != a.id);
    }
    let cves: Vec<&str> = ids.iter().copied().filter(|x| crate::rules::checks::fields::is_cve(x)).collect();
    let names = if cves.is_empty() { ids.first().copied().into_iter().collect() } else { cves };
    names
        .into_iter()
        .map(|name| {
            let aliases: Vec<&str> = ids.iter().copied().filter(|x| *x != name).collect();
            let mut v = json!({ "name": name });
            if !aliases.is_empty() {
                v["aliases"] = json!(aliases);
            }
            v
        })
        .collect()
}

fn statements(a: &Advisory, namespace: &str) -> Vec<Value> {
    let mut out = Vec::new();
    for vulnerability in vulnerabilities(a) {
        for p in &a.products {
            out.push(statement(a, p, &vulnerability, namespace));
            for fixed in fixed_products(p) {
                out.push(json!({ "vulnerability": vulnerability, "products": [fixed], "status": "fixed" }));
            }
        }
    }
    out
}

/// One product's statement.
fn statement(a: &Advisory, p: &PublicProduct, vulnerability: &Value, namespace: &str) -> Value {
    let mut s = json!({
        "vulnerability": vulnerability,
        "products": [product(p, namespace)],
        "status": p.status.as_str(),
    });
    let impact = p.impact.as_deref().map(str::trim).filter(|t| !t.is_empty());
    match p.status {
        ProductStatus::NotAffected => match (p.justification, impact) {
            (Some(j), notes) => {
                s["justification"] = json!(j.as_str());
                if let Some(n) = notes {
                    s["status_notes"] = json!(n);
                }
            }
            (None, Some(i)) => s["impact_statement"] = json!(i),
            (None, None) => {}
        },
        ProductStatus::Affected => {
            s["action_statement"] = json!(action(a, p));
            if let Some(range) = p.affected.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
                s["status_notes"] = json!(format!("Affected versions: {range}."));
            }
        }
        ProductStatus::Fixed | ProductStatus::UnderInvestigation => {
            if let Some(action) = &p.action {
                s["action_statement"] = json!(action);
            }
        }
    }
    s
}

/// What users of an affected product should do.
fn action(a: &Advisory, p: &PublicProduct) -> String {
    let fixed = p.fixed.as_deref().map(str::trim).filter(|f| !f.is_empty());
    match (&p.action, fixed, &a.mitigation) {
        (Some(action), _, _) => action.clone(),
        (None, Some(_), _) if p.versions().fixed.len() > 1 => backport_action(p),
        (None, Some(f), _) => format!("Upgrade {} to version {f} or later.", label(p)),
        (None, None, Some(m)) => m.clone(),
        (None, None, None) => "No fix or workaround is available yet.".to_owned(),
    }
}

fn label(p: &PublicProduct) -> String {
    match &p.component {
        Some(c) => format!("{} ({c})", p.name),
        None => p.name.clone(),
    }
}

/// The product of a statement: its purl as `@id` and identifier, else its CPE, else an IRI
/// under the publisher's namespace; the hashes of its one affected file; a purl `component`
/// as its subcomponent.
fn product(p: &PublicProduct, namespace: &str) -> Value {
    let purl = p.purl.as_deref().filter(|u| u.starts_with("pkg:"));
    let mut identifiers = serde_json::Map::new();
    if let Some(purl) = purl {
        identifiers.insert("purl".into(), json!(purl));
    }
    if let Some(cpe) = &p.cpe {
        let key = if cpe.starts_with("cpe:2.3:") { "@cpe23" } else { "@cpe22" };
        identifiers.insert(key.into(), json!(cpe));
    }
    let id = purl
        .map(str::to_owned)
        .or_else(|| p.cpe.clone())
        .unwrap_or_else(|| format!("{}/products/{}", namespace.trim_end_matches('/'), slug(&p.name)));
    let mut product = json!({ "@id": id });
    if !identifiers.is_empty() {
        product["identifiers"] = Value::Object(identifiers);
    }
    if let [file] = p.hashes.as_slice() {
        let hashes: serde_json::Map<String, Value> = file
            .file_hashes
            .iter()
            .filter_map(|h| hash_key(&h.algorithm).map(|k| (k.into(), json!(h.value))))
            .collect();
        if !hashes.is_empty() {
            product["hashes"] = Value::Object(hashes);
        }
    }
    if let Some(c) = p.component.as_deref().filter(|c| c.starts_with("pkg:")) {
        product["subcomponents"] = json!([{ "@id": c, "identifiers": { "purl": c } }]);
    }
    product
}

/// Several fixed versions (backports): the one of each release branch, with the span it ends
/// when the product lists `versions` ("… from versions >= 3.0.0, < 3.7.5 to 3.7.5 …").
fn backport_action(p: &PublicProduct) -> String {
    let v = p.versions();
    let steps: Vec<String> = match v.spans() {
        Some(spans) if !p.versions.is_empty() => spans
            .iter()
            .filter_map(|s| match s {
                Span::Range { end: End::Fixed(f), .. } => Some(format!("from versions {} to {f}", s.describe())),
                _ => None,
            })
            .collect(),
        _ => v.fixed.iter().map(|f| format!("to {f}")).collect(),
    };
    format!("Upgrade {} on its release branch: {}.", label(p), steps.join("; "))
}

/// Each fixed version of a product with an unversioned purl (one per release branch for
/// backports), as a product of its own: `pkg:npm/orbit@3.7.5`, `pkg:npm/orbit@4.1.2`.
fn fixed_products(p: &PublicProduct) -> Vec<Value> {
    let purl = p.purl.as_deref().filter(|u| u.starts_with("pkg:") && !u.contains(['@', '?', '#']));
    let Some(purl) = purl.filter(|_| p.status == ProductStatus::Affected) else { return Vec::new() };
    p.versions()
        .fixed
        .iter()
        .map(|f| {
            let versioned = format!("{purl}@{f}");
            json!({ "@id": versioned, "identifiers": { "purl": versioned } })
        })
        .collect()
}

/// OpenVEX's name of a hash algorithm (`sha256` → `sha-256`); `None` for one it has no key for.
fn hash_key(algorithm: &str) -> Option<&'static str> {
    let a = algorithm.to_lowercase().replace(['-', '_'], "");
    Some(match a.as_str() {
        "md5" => "md5",
        "sha1" => "sha1",
        "sha256" => "sha-256",
        "sha384" => "sha-384",
        "sha512" => "sha-512",
        "sha3224" => "sha3-224",
        "sha3256" => "sha3-256",
        "sha3384" => "sha3-384",
        "sha3512" => "sha3-512",
        "blake2s256" => "blake2s-256",
        "blake2b256" => "blake2b-256",
        "blake2b512" => "blake2b-512",
        _ => return None,
    })
}

fn slug(name: &str) -> String {
    let s: String =
        name.chars().map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '-' }).collect();
    s.split('-').filter(|p| !p.is_empty()).collect::<Vec<_>>().join("-")
}

/// Serialises a document as the site and `render --format openvex` write it.
pub fn to_text(doc: &Value) -> String {
    serde_json::to_string_pretty(doc).unwrap_or_default() + "\n"
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::publish::csaf::test_support::{EXPORTS, advisory, config};
    use crate::publish::csaf::tracking::History;

    fn doc(text: &str) -> Value {
        let a = advisory(text);
        let publisher = Publisher::from_config(&config()).expect("publisher");
        document(&a, &History::none().tracking(&a), &publisher, "https://security.acme.test/")
    }

    #[test]
    fn an_advisory_states_each_product_and_its_fixed_version() {
        let d = doc(EXPORTS);
        assert_eq!(d["@id"], "https://security.acme.test/vex/ENIGM-2026-0001.openvex.json");
        assert_eq!((d["author"].as_str(), d["version"].as_u64()), (Some("Acme Corp"), Some(1)));
        assert_eq!(d["timestamp"], "2026-03-01T00:00:00.000Z");
        let s = d["statements"].as_array().expect("statements");
        let summary: Vec<(&str, &str)> = s
            .iter()
            .map(|x| (x["products"][0]["@id"].as_str().unwrap_or(""), x["status"].as_str().unwrap_or("")))
            .collect();
        assert_eq!(
            summary,
            [
                ("cpe:2.3:a:acme:web:*:*:*:*:*:*:*:*", "affected"),
                ("pkg:pypi/acme-api", "affected"),
                ("pkg:pypi/acme-api@1.10.0", "fixed")
            ]
        );
        assert_eq!(s[0]["vulnerability"], json!({ "name": "CVE-2026-41234", "aliases": ["ENIGM-2026-0001"] }));
        assert_eq!(s[0]["action_statement"], "Upgrade web (uploads) to version 2.4.1 or later.");
        assert_eq!(s[0]["status_notes"], "Affected versions: >= 2.0.0, < 2.4.1.");
        assert_eq!(s[0]["products"][0]["identifiers"], json!({ "@cpe23": "cpe:2.3:a:acme:web:*:*:*:*:*:*:*:*" }));
        assert!(!d.to_string().contains("jane@example.org"), "nothing private");
    }

    #[test]
    fn not_affected_carries_one_reason_and_a_vex_statement_names_the_third_party_cve() {
        let text = EXPORTS
            .replacen("state: published", "vex_only: true\nstate: published", 1)
            .replacen(
                "    fixed: '2.4.1'\n",
                "    status: not_affected\n    justification: component_not_present\n    impact: Not built in.\n",
                1,
            )
            .replacen("    fixed: '1.10.0'\n", "    status: not_affected\n    impact: The client never calls it.\n", 1);
        let d = doc(&text);
        let s = d["statements"].as_array().expect("statements");
        assert_eq!(s.len(), 2, "no fixed statement for a product that is not affected");
        assert_eq!(s[0]["vulnerability"], json!({ "name": "CVE-2026-41234" }), "our id is not the CVE's alias");
        assert_eq!(
            (s[0]["justification"].as_str(), s[0]["status_notes"].as_str(), s[0].get("impact_statement")),
            (Some("component_not_present"), Some("Not built in."), None)
        );
        assert_eq!(
            (s[1]["impact_statement"].as_str(), s[1].get("justification")),
            (Some("The client never calls it."), None)
        );
    }

    #[test]
    fn products_without_identifiers_get_an_iri_and_purl_components_are_subcomponents() {
        let mut a = advisory(EXPORTS);
        a.products[0].cpe = None;
        a.products[0].component = Some("pkg:npm/left-pad@1.0.0".into());
        a.products[0].hashes = vec![
            serde_json::from_value(
                json!({ "filename": "web.tar.gz", "file_hashes": [{ "algorithm": "sha256", "value": "ab" }] }),
            )
            .expect("hashes"),
        ];
        let p = product(&a.products[0], "https://www.acme.test/");
        assert_eq!(p["@id"], "https://www.acme.test/products/web");
        assert_eq!(p["hashes"], json!({ "sha-256": "ab" }));
        assert_eq!(p["subcomponents"][0]["identifiers"]["purl"], "pkg:npm/left-pad@1.0.0");
        assert_eq!(hash_key("SHA-512"), Some("sha-512"));
        assert_eq!(hash_key("crc32"), None);
    }
}
