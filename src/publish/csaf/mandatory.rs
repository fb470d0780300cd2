//! The CSAF 2.0 mandatory tests (section 6.1) that apply to the documents this tool writes.
//!
//! The JSON schema cannot say that a product id is defined before it is used, or that a score
//! matches its vector; these tests do. [`mandatory`] runs them over any document and names each
//! failure by its test number. [`document`](super::document) runs them over every document it
//! builds, so `render` never writes one that a strict consumer would reject; the unit tests
//! here break generated documents on purpose to show each test fires. Implemented: 6.1.1, 6.1.2, 6.1.6, 6.1.7, 6.1.9, 6.1.10,
//! 6.1.11, 6.1.12, 6.1.13, 6.1.14, 6.1.16 to 6.1.23, 6.1.29 to 6.1.33, and the profile tests
//! of the two profiles written: 6.1.27.4 to 6.1.27.6 and 6.1.27.11 (`csaf_security_advisory`),
//! 6.1.27.4, 6.1.27.5 and 6.1.27.7 to 6.1.27.11 (`csaf_vex`, [`vex_profile`]); 6.1.27.1 to
//! 6.1.27.3 are the informational and incident response profiles', which are never written.
//! Relationships, translations and hashes are not used; product groups only as flags, threats
//! and remediations may name them (6.1.27.9, 6.1.27.10).

use std::collections::{HashMap, HashSet};

use serde_json::Value;

/// A failed test.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// `6.1.1`.
    pub test: &'static str,
    pub message: String,
}

type Out = Vec<Failure>;

fn fail(out: &mut Out, test: &'static str, message: impl Into<String>) {
    out.push(Failure { test, message: message.into() });
}

/// Every failure of the mandatory tests in `doc`.
pub fn mandatory(doc: &Value) -> Vec<Failure> {
    let mut out = Vec::new();
    product_ids(doc, &mut out);
    product_status(doc, &mut out);
    scores(doc, &mut out);
    cwe_and_cves(doc, &mut out);
    languages_and_purls(doc, &mut out);
    revisions(doc, &mut out);
    profile(doc, &mut out);
    vex_profile(doc, &mut out);
    flags(doc, &mut out);
    version_ranges(&doc["product_tree"], &mut out);
    out
}

fn arr(v: &Value) -> &[Value] {
    v.as_array().map_or(&[], Vec::as_slice)
}

fn strs(v: &Value) -> impl Iterator<Item = &str> {
    arr(v).iter().filter_map(Value::as_str)
}

/// Product ids defined by the product tree: branch leaves and full product names.
fn defined_ids(tree: &Value) -> Vec<&str> {
    fn walk<'a>(branches: &'a Value, out: &mut Vec<&'a str>) {
        for b in arr(branches) {
            out.extend(b["product"]["product_id"].as_str());
            walk(&b["branches"], out);
        }
    }
    let mut out: Vec<&str> = arr(&tree["full_product_names"]).iter().filter_map(|p| p["product_id"].as_str()).collect();
    walk(&tree["branches"], &mut out);
    out
}

/// Product ids referenced in vulnerabilities: (where, id).
fn referenced_ids(doc: &Value) -> Vec<(String, &str)> {
    let mut out = Vec::new();
    for (i, v) in arr(&doc["vulnerabilities"]).iter().enumerate() {
        if let Some(status) = v["product_status"].as_object() {
            for (group, ids) in status {
                out.extend(strs(ids).map(|id| (format!("/vulnerabilities/{i}/product_status/{group}"), id)));
            }
        }
        for (j, s) in arr(&v["scores"]).iter().enumerate() {
            out.extend(strs(&s["products"]).map(|id| (format!("/vulnerabilities/{i}/scores/{j}"), id)));
        }
        for key in ["remediations", "threats", "flags"] {
            for (j, r) in arr(&v[key]).iter().enumerate() {
                out.extend(strs(&r["product_ids"]).map(|id| (format!("/vulnerabilities/{i}/{key}/{j}"), id)));
            }
        }
    }
    out
}

/// 6.1.1 Missing Definition of Product ID, 6.1.2 Multiple Definition of Product ID.
fn product_ids(doc: &Value, out: &mut Out) {
    let defined = defined_ids(&doc["product_tree"]);
    let mut seen = HashSet::new();
    for id in &defined {
        if !seen.insert(*id) {
            fail(out, "6.1.2", format!("product id {id} is defined more than once"));
        }
    }
    for (at, id) in referenced_ids(doc) {
        if !seen.contains(id) {
            fail(out, "6.1.1", format!("product id {id} used at {at} is not defined in the product tree"));
        }
    }
}

/// 6.1.6 Contradicting Product Status.
fn product_status(doc: &Value, out: &mut Out) {
    let groups: [(&str, &[&str]); 4] = [
        ("affected", &["first_affected", "known_affected", "last_affected"]),
        ("not affected", &["known_not_affected"]),
        ("fixed", &["first_fixed", "fixed"]),
        ("under investigation", &["under_investigation"]),
    ];
    for (i, v) in arr(&doc["vulnerabilities"]).iter().enumerate() {
        let mut group_of: HashMap<&str, &str> = HashMap::new();
        for (group, keys) in groups {
            for id in keys.iter().flat_map(|k| strs(&v["product_status"][k])) {
                match group_of.insert(id, group) {
                    Some(other) if other != group => {
                        fail(out, "6.1.6", format!("/vulnerabilities/{i}: product {id} is both {other} and {group}"))
                    }
                    _ => {}
                }
            }
        }
    }
}

/// 6.1.7 Multiple Scores with same Version per Product; 6.1.9 Invalid CVSS computation and
/// 6.1.10 Inconsistent CVSS (every value given must be the one the vector string implies).
fn scores(doc: &Value, out: &mut Out) {
    for (i, v) in arr(&doc["vulnerabilities"]).iter().enumerate() {
        let mut scored: HashSet<(&str, &str)> = HashSet::new();
        for (j, s) in arr(&v["scores"]).iter().enumerate() {
            let Some(cvss) = s["cvss_v3"].as_object() else { continue };
            let version = cvss.get("version").and_then(Value::as_str).unwrap_or_default();
            for id in strs(&s["products"]) {
                if !scored.insert((id, version)) {
                    fail(out, "6.1.7", format!("/vulnerabilities/{i}: product {id} has two CVSS v{version} scores"));
                }
            }
            let vector = cvss.get("vectorString").and_then(Value::as_str).unwrap_or_default();
            let Some(expected) = crate::format::cvss::to_json(vector) else {
                fail(out, "6.1.9", format!("/vulnerabilities/{i}/scores/{j}: `{vector}` is not a valid vector"));
                continue;
            };
            for (key, value) in cvss {
                let test = if key.ends_with("Score") || key.ends_with("Severity") { "6.1.9" } else { "6.1.10" };
                if expected.get(key).is_some_and(|e| e != value) {
                    fail(
                        out,
                        test,
                        format!("/vulnerabilities/{i}/scores/{j}: {key} is {value}, the vector says {}", expected[key]),
                    );
                }
            }
        }
    }
}

/// 6.1.11 CWE (the name is the catalogue's), 6.1.23 Multiple Use of Same CVE.
fn cwe_and_cves(doc: &Value, out: &mut Out) {
    let mut cves = HashSet::new();
    for (i, v) in arr(&doc["vulnerabilities"]).iter().enumerate() {
        if let Some(id) = v["cwe"]["id"].as_str() {
            let name = v["cwe"]["name"].as_str().unwrap_or_default();
            match crate::format::cwe::name(id) {
                Some(n) if n == name => {}
                Some(n) => fail(out, "6.1.11", format!("/vulnerabilities/{i}/cwe: {id} is named `{n}`, not `{name}`")),
                None => fail(out, "6.1.11", format!("/vulnerabilities/{i}/cwe: {id} is not a known CWE")),
            }
        }
        if let Some(cve) = v["cve"].as_str()
            && !cves.insert(cve)
        {
            fail(out, "6.1.23", format!("{cve} is used by more than one vulnerability"));
        }
    }
}

/// 6.1.12 Language (a BCP 47 tag), 6.1.13 PURL (`pkg:<type>/<name>`).
fn languages_and_purls(doc: &Value, out: &mut Out) {
    let tag = |t: &str| {
        let mut parts = t.split('-');
        parts.next().is_some_and(|p| (2..=3).contains(&p.len()) && p.chars().all(|c| c.is_ascii_alphabetic()))
            && parts.all(|p| (1..=8).contains(&p.len()) && p.chars().all(|c| c.is_ascii_alphanumeric()))
    };
    for key in ["lang", "source_lang"] {
        if let Some(l) = doc["document"][key].as_str().filter(|l| !tag(l)) {
            fail(out, "6.1.12", format!("/document/{key}: `{l}` is not a language tag"));
        }
    }
    fn walk(v: &Value, out: &mut Out) {
        for b in arr(&v["branches"]) {
            if let Some(purl) = b["product"]["product_identification_helper"]["purl"].as_str() {
                let ok = purl.strip_prefix("pkg:").and_then(|r| r.split_once('/')).is_some_and(|(t, n)| {
                    !t.is_empty() && t.chars().all(|c| c.is_ascii_alphanumeric() || ".+-".contains(c)) && !n.is_empty()
                });
                if !ok {
                    fail(out, "6.1.13", format!("`{purl}` is not a valid package URL"));
                }
            }
            walk(b, out);
        }
    }
    walk(&doc["product_tree"], out);
}

/// What the tests need of a version: integer or semantic, its (major) number, pre-release.
#[derive(Debug, Clone, Copy)]
struct Version {
    integer: bool,
    major: u64,
    pre: bool,
}

fn parse_version(v: &str) -> Option<Version> {
    if let Ok(major) = v.parse::<u64>() {
        return Some(Version { integer: true, major, pre: false });
    }
    let core = v.split('+').next()?;
    let (core, pre) = core.split_once('-').map_or((core, false), |(c, _)| (c, true));
    let major = core.split('.').next()?.parse().ok()?;
    Some(Version { integer: false, major, pre })
}

/// 6.1.14 Sorted Revision History, 6.1.16 Latest Document Version, 6.1.17 Document Status
/// Draft, 6.1.18 Released Revision in Revision History, 6.1.19 Revision History Entries for
/// Pre-release Versions, 6.1.20 Non-draft Document Version, 6.1.21 Missing Item in Revision
/// History, 6.1.22 Multiple Definition in Revision History, 6.1.30 Mixed Integer and Semantic
/// Versioning.
fn revisions(doc: &Value, out: &mut Out) {
    let tracking = &doc["document"]["tracking"];
    let status = tracking["status"].as_str().unwrap_or_default();
    let version = tracking["version"].as_str().unwrap_or_default();
    let parsed = parse_version(version);
    // (number, date, parsed number)
    let mut items: Vec<(&str, &str, Option<Version>)> = arr(&tracking["revision_history"])
        .iter()
        .map(|r| {
            let number = r["number"].as_str().unwrap_or_default();
            (number, r["date"].as_str().unwrap_or_default(), parse_version(number))
        })
        .collect();
    let integer = |p: &Option<Version>| p.is_some_and(|v| v.integer);
    if items.iter().any(|(_, _, p)| integer(p) != integer(&parsed)) {
        fail(out, "6.1.30", "integer and semantic versions are mixed in the revision history and version");
    }
    let major = |p: &Option<Version>| p.map_or(u64::MAX, |v| v.major);
    let pre = |p: &Option<Version>| p.is_some_and(|v| v.pre);
    if (major(&parsed) == 0 || pre(&parsed)) && status != "draft" {
        fail(out, "6.1.17", format!("version {version} is a draft version, but the status is {status}"));
    }
    if status != "draft" && pre(&parsed) {
        fail(out, "6.1.20", format!("a {status} document has the pre-release version {version}"));
    }
    let mut numbers = HashSet::new();
    for (number, _, p) in &items {
        if !numbers.insert(*number) {
            fail(out, "6.1.22", format!("revision {number} appears twice"));
        }
        if status != "draft" && major(p) == 0 {
            fail(out, "6.1.18", format!("a {status} document lists the draft revision {number}"));
        }
        if pre(p) {
            fail(out, "6.1.19", format!("revision {number} is a pre-release version"));
        }
    }
    items.sort_by_key(|(_, _, p)| major(p));
    if items.windows(2).any(|w| w[0].1 > w[1].1) {
        fail(out, "6.1.14", "sorted by number, the revision history's dates are not ascending");
    }
    let majors: Vec<u64> = items.iter().map(|(_, _, p)| major(p)).collect();
    if majors.first().is_some_and(|m| *m > 1) || majors.windows(2).any(|w| w[1] > w[0] + 1) {
        fail(out, "6.1.21", "the revision history skips a version");
    }
    let without_build = |n: &str| n.split('+').next().unwrap_or(n).to_owned();
    let latest = items.iter().max_by_key(|(_, date, _)| *date).map(|(n, _, _)| without_build(n));
    if latest.is_some_and(|n| n != without_build(version)) {
        fail(out, "6.1.16", format!("version {version} is not the number of the latest revision"));
    }
}

/// 6.1.27.4 Product Tree, 6.1.27.5 Vulnerability Notes, 6.1.27.6 Product Status,
/// 6.1.27.4 Product Tree, 6.1.27.5 Vulnerability Notes, 6.1.27.11 Vulnerabilities (profiles
/// `csaf_security_advisory` and `csaf_vex`); 6.1.27.6 Product Status (`csaf_security_advisory`);
/// 6.1.29 Remediation without Product Reference.
fn profile(doc: &Value, out: &mut Out) {
    let category = doc["document"]["category"].as_str().unwrap_or_default();
    let advisory = category == "csaf_security_advisory";
    let both = advisory || category == "csaf_vex";
    if both && doc["product_tree"].is_null() {
        fail(out, "6.1.27.4", format!("a {category} document needs a product tree"));
    }
    if both && arr(&doc["vulnerabilities"]).is_empty() {
        fail(out, "6.1.27.11", format!("a {category} document needs vulnerabilities"));
    }
    for (i, v) in arr(&doc["vulnerabilities"]).iter().enumerate() {
        if both && arr(&v["notes"]).is_empty() {
            fail(out, "6.1.27.5", format!("/vulnerabilities/{i} has no notes"));
        }
        if advisory && v["product_status"].as_object().is_none_or(|s| s.is_empty()) {
            fail(out, "6.1.27.6", format!("/vulnerabilities/{i} has no product status"));
        }
        for (j, r) in arr(&v["remediations"]).iter().enumerate() {
            if arr(&r["product_ids"]).is_empty() && arr(&r["group_ids"]).is_empty() {
                fail(out, "6.1.29", format!("/vulnerabilities/{i}/remediations/{j} names no product"));
            }
        }
    }
}

/// The product ids an element names: its `product_ids` and the products of its `group_ids`.
fn named_products<'a>(element: &'a Value, groups: &HashMap<&str, Vec<&'a str>>) -> Vec<&'a str> {
    let mut ids: Vec<&str> = strs(&element["product_ids"]).collect();
    for g in strs(&element["group_ids"]) {
        ids.extend(groups.get(g).into_iter().flatten());
    }
    ids
}

/// `product_tree.product_groups`: group id → product ids.
fn product_groups(doc: &Value) -> HashMap<&str, Vec<&str>> {
    arr(&doc["product_tree"]["product_groups"])
        .iter()
        .filter_map(|g| Some((g["group_id"].as_str()?, strs(&g["product_ids"]).collect())))
        .collect()
}

/// The tests of the `csaf_vex` profile: 6.1.27.7 VEX Product Status, 6.1.27.8 Vulnerability
/// ID, 6.1.27.9 Impact Statement (every known-not-affected product has a flag or an `impact`
/// threat) and 6.1.27.10 Action Statement (every known-affected product has a remediation).
fn vex_profile(doc: &Value, out: &mut Out) {
    if doc["document"]["category"] != "csaf_vex" {
        return;
    }
    let groups = product_groups(doc);
    for (i, v) in arr(&doc["vulnerabilities"]).iter().enumerate() {
        let status = &v["product_status"];
        let vex_groups = ["fixed", "known_affected", "known_not_affected", "under_investigation"];
        if vex_groups.iter().all(|g| arr(&status[g]).is_empty()) {
            fail(out, "6.1.27.7", format!("/vulnerabilities/{i} has none of {}", vex_groups.join(", ")));
        }
        if v["cve"].is_null() && arr(&v["ids"]).is_empty() {
            fail(out, "6.1.27.8", format!("/vulnerabilities/{i} has neither a cve nor ids"));
        }
        let flagged: HashSet<&str> = arr(&v["flags"]).iter().flat_map(|f| named_products(f, &groups)).collect();
        let impacts = arr(&v["threats"]).iter().filter(|t| t["category"] == "impact");
        let explained: HashSet<&str> = impacts.flat_map(|t| named_products(t, &groups)).collect();
        for id in strs(&status["known_not_affected"]) {
            if !flagged.contains(id) && !explained.contains(id) {
                fail(
                    out,
                    "6.1.27.9",
                    format!("/vulnerabilities/{i}: not affected product {id} has no flag and no impact threat"),
                );
            }
        }
        let acted: HashSet<&str> = arr(&v["remediations"]).iter().flat_map(|r| named_products(r, &groups)).collect();
        for id in strs(&status["known_affected"]) {
            if !acted.contains(id) {
                fail(out, "6.1.27.10", format!("/vulnerabilities/{i}: affected product {id} has no remediation"));
            }
        }
    }
}

/// 6.1.32 Flag without Product Reference; 6.1.33 Multiple Flags with VEX Justification Codes
/// per Product.
fn flags(doc: &Value, out: &mut Out) {
    let groups = product_groups(doc);
    for (i, v) in arr(&doc["vulnerabilities"]).iter().enumerate() {
        let mut label_of: HashMap<&str, &str> = HashMap::new();
        for (j, f) in arr(&v["flags"]).iter().enumerate() {
            if arr(&f["product_ids"]).is_empty() && arr(&f["group_ids"]).is_empty() {
                fail(out, "6.1.32", format!("/vulnerabilities/{i}/flags/{j} names no product"));
            }
            let label = f["label"].as_str().unwrap_or_default();
            for id in named_products(f, &groups) {
                if label_of.insert(id, label).is_some() {
                    fail(out, "6.1.33", format!("/vulnerabilities/{i}: product {id} has more than one flag"));
                }
            }
        }
    }
}

/// True when a version name reads as a range to test 6.1.31: `<`, `>` or a range word.
pub fn names_a_range(name: &str) -> bool {
    const RANGE_WORDS: [&str; 8] = ["after", "all", "before", "earlier", "later", "prior", "versions", "version"];
    let lower = name.to_lowercase();
    name.contains(['<', '>']) || lower.split(|c: char| !c.is_alphanumeric()).any(|w| RANGE_WORDS.contains(&w))
}

/// 6.1.31 Version Range in Product Version: a `product_version` branch names one version.
fn version_ranges(v: &Value, out: &mut Out) {
    for b in arr(&v["branches"]) {
        let name = b["name"].as_str().unwrap_or_default();
        if b["category"] == "product_version" && names_a_range(name) {
            fail(out, "6.1.31", format!("product_version `{name}` is a range; use product_version_range"));
        }
        version_ranges(b, out);
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::publish::csaf::test_support::{EXPORTS, advisory, config, document};
    use crate::publish::csaf::tracking::{Revision, Tracking};
    use crate::publish::csaf::{Publisher, build};

    fn tests_failed(doc: &Value) -> Vec<&'static str> {
        let mut t: Vec<&'static str> = mandatory(doc).into_iter().map(|f| f.test).collect();
        t.dedup();
        t
    }

    /// `doc` with `edit` applied fails exactly `expected`.
    fn fails(edit: impl FnOnce(&mut Value), expected: &[&str]) {
        let mut doc = document(EXPORTS);
        edit(&mut doc);
        assert_eq!(tests_failed(&doc), expected, "{:#?}", mandatory(&doc));
    }

    #[test]
    fn generated_documents_pass_every_mandatory_test() {
        assert_eq!(mandatory(&document(EXPORTS)), []);
        let published = include_str!("../../../tests/fixtures/reports/published.md");
        assert_eq!(mandatory(&document(published)), []);
        // Withdrawn, revised after publication, being revised again, no products, v4.0 only.
        let text = EXPORTS
            .replace("state: published\nreported", "state: withdrawn\nreported")
            .replace("published: 2026-03-01", "published: 2026-03-01\nwithdrawn: 2026-05-02")
            .replace("products:\n", "products: []\nold_products:\n")
            .replace("  cvss: CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:N\n", "");
        let text = text[..text.find("old_products:").expect("marker")].to_owned()
            + &text[text.find("severity:").expect("severity")..];
        let a = advisory(&text);
        let revisions = ["2026-03-01T00:00:00.000Z", "2026-04-07T09:30:00.000Z", "2026-05-02T00:00:00.000Z"];
        let tracking = Tracking {
            revisions: revisions.iter().map(|d| Revision { date: (*d).into(), summary: "x".into() }).collect(),
            interim: true,
        };
        let doc = build(&a, &tracking, &Publisher::from_config(&config()).expect("publisher"), "");
        assert_eq!(doc["document"]["tracking"]["status"], "interim");
        assert_eq!(doc["document"]["tracking"]["version"], "3");
        assert!(doc["vulnerabilities"][0].get("scores").is_none(), "v4.0 goes in a note");
        assert_eq!(mandatory(&doc), []);
    }

    #[test]
    fn product_ids_must_be_defined_once_and_status_must_agree() {
        fails(|d| d["vulnerabilities"][0]["product_status"]["fixed"][0] = json!("CSAFPID-0099"), &["6.1.1"]);
        fails(
            |d| {
                d["product_tree"]["branches"][0]["branches"][1]["branches"][0]["product"]["product_id"] =
                    json!("CSAFPID-0001")
            },
            &["6.1.2", "6.1.1"],
        );
        fails(|d| d["vulnerabilities"][0]["product_status"]["fixed"][0] = json!("CSAFPID-0001"), &["6.1.6"]);
        fails(|d| d["vulnerabilities"][0]["remediations"][0]["product_ids"] = json!([]), &["6.1.29"]);
    }

    #[test]
    fn scores_must_match_their_vector() {
        fails(|d| d["vulnerabilities"][0]["scores"][0]["cvss_v3"]["baseScore"] = json!(9.8), &["6.1.9"]);
        fails(|d| d["vulnerabilities"][0]["scores"][0]["cvss_v3"]["baseSeverity"] = json!("CRITICAL"), &["6.1.9"]);
        fails(|d| d["vulnerabilities"][0]["scores"][0]["cvss_v3"]["attackVector"] = json!("LOCAL"), &["6.1.10"]);
        fails(
            |d| {
                let score = d["vulnerabilities"][0]["scores"][0].clone();
                d["vulnerabilities"][0]["scores"].as_array_mut().expect("scores").push(score);
            },
            &["6.1.7"],
        );
    }

    #[test]
    fn names_languages_and_package_urls() {
        fails(|d| d["vulnerabilities"][0]["cwe"]["name"] = json!("Path Traversal"), &["6.1.11"]);
        fails(|d| d["document"]["lang"] = json!("english!"), &["6.1.12"]);
        fails(
            |d| {
                d["product_tree"]["branches"][0]["branches"][1]["branches"][0]["product"]["product_identification_helper"]
                    ["purl"] = json!("pypi/acme-api")
            },
            &["6.1.13"],
        );
        fails(
            |d| {
                let v = d["vulnerabilities"][0].clone();
                d["vulnerabilities"].as_array_mut().expect("v").push(v);
            },
            &["6.1.23"],
        );
        fails(
            |d| d["product_tree"]["branches"][0]["branches"][0]["branches"][1]["name"] = json!("< 2.4.1"),
            &["6.1.31"],
        );
        fails(
            |d| d["product_tree"]["branches"][0]["branches"][0]["branches"][1]["name"] = json!("all versions"),
            &["6.1.31"],
        );
    }

    #[test]
    fn revision_history_is_ordered_complete_and_matches_the_version() {
        let revision = |n: &str, date: &str| json!({ "number": n, "date": date, "summary": "s" });
        fails(
            |d| {
                d["document"]["tracking"]["revision_history"] =
                    json!([revision("1", "2026-03-01T00:00:00.000Z"), revision("2", "2026-02-01T00:00:00.000Z")]);
            },
            &["6.1.14"],
        );
        fails(|d| d["document"]["tracking"]["version"] = json!("2"), &["6.1.16"]);
        fails(|d| d["document"]["tracking"]["revision_history"][0]["number"] = json!("2"), &["6.1.21", "6.1.16"]);
        fails(
            |d| {
                d["document"]["tracking"]["version"] = json!("0");
                d["document"]["tracking"]["revision_history"][0]["number"] = json!("0");
            },
            &["6.1.17", "6.1.18"],
        );
        fails(
            |d| {
                d["document"]["tracking"]["version"] = json!("1.0.0-rc.1");
                d["document"]["tracking"]["revision_history"][0]["number"] = json!("1.0.0-rc.1");
            },
            &["6.1.17", "6.1.20", "6.1.19"],
        );
        fails(|d| d["document"]["tracking"]["revision_history"][0]["number"] = json!("1.0.0"), &["6.1.30", "6.1.16"]);
        fails(
            |d| {
                let r = d["document"]["tracking"]["revision_history"][0].clone();
                d["document"]["tracking"]["revision_history"].as_array_mut().expect("h").push(r);
            },
            &["6.1.22"],
        );
    }

    #[test]
    fn the_security_advisory_profile() {
        fails(|d| d["vulnerabilities"][0]["notes"] = json!([]), &["6.1.27.5"]);
        fails(|d| d["vulnerabilities"][0]["product_status"] = json!({}), &["6.1.27.6"]);
        fails(|d| d["vulnerabilities"] = json!([]), &["6.1.27.11"]);
        fails(
            |d| {
                d.as_object_mut().expect("doc").remove("product_tree");
            },
            &["6.1.1", "6.1.27.4"],
        );
    }

    /// The VEX document of the exports fixture with web not affected and api under
    /// investigation, or (`affected`) as it is, with `edit` applied, fails exactly `expected`.
    fn vex_fails(affected: bool, edit: impl FnOnce(&mut Value), expected: &[&str]) {
        let text = if affected { EXPORTS.to_owned() } else { crate::publish::csaf::vex::tests::mixed() };
        let mut doc = crate::publish::csaf::test_support::vex_document(&text);
        assert_eq!(mandatory(&doc), [], "generated VEX documents pass");
        edit(&mut doc);
        assert_eq!(tests_failed(&doc), expected, "{:#?}", mandatory(&doc));
    }

    #[test]
    fn the_vex_profile() {
        let v0 = |d: &mut Value| d["vulnerabilities"][0].take();
        vex_fails(false, |d| d["vulnerabilities"][0]["notes"] = json!([]), &["6.1.27.5"]);
        vex_fails(false, |d| d["vulnerabilities"] = json!([]), &["6.1.27.11"]);
        vex_fails(false, |d| drop(d.as_object_mut().expect("doc").remove("product_tree")), &["6.1.1", "6.1.27.4"]);
        // A VEX document needs a VEX status (6.1.27.6 is the advisory profile's only).
        vex_fails(false, |d| d["vulnerabilities"][0]["product_status"] = json!({}), &["6.1.27.7"]);
        vex_fails(
            false,
            |d| {
                let mut v = v0(d);
                v.as_object_mut().expect("v").remove("cve");
                d["vulnerabilities"][0] = v;
            },
            &["6.1.27.8"],
        );
        // The not-affected product's flag and its impact threat: one of them is enough.
        vex_fails(false, |d| drop(d["vulnerabilities"][0].as_object_mut().expect("v").remove("flags")), &[]);
        vex_fails(
            false,
            |d| {
                let v = d["vulnerabilities"][0].as_object_mut().expect("v");
                v.remove("flags");
                v.remove("threats");
            },
            &["6.1.27.9"],
        );
        vex_fails(false, |d| d["vulnerabilities"][0]["threats"][0]["category"] = json!("exploit_status"), &[]);
        vex_fails(
            true,
            |d| drop(d["vulnerabilities"][0].as_object_mut().expect("v").remove("remediations")),
            &["6.1.27.10"],
        );
        // Through a product group, a flag counts for its products.
        vex_fails(
            false,
            |d| {
                d["product_tree"]["product_groups"] =
                    json!([{ "group_id": "CSAFGID-0001", "product_ids": ["CSAFPID-0001", "CSAFPID-0002"] }]);
                d["vulnerabilities"][0]["threats"] = json!([]);
                d["vulnerabilities"][0]["flags"][0] =
                    json!({ "label": "component_not_present", "group_ids": ["CSAFGID-0001"] });
            },
            &[],
        );
    }

    #[test]
    fn flags_name_products_once() {
        vex_fails(false, |d| d["vulnerabilities"][0]["flags"][0]["product_ids"] = json!([]), &["6.1.32"]);
        vex_fails(
            false,
            |d| {
                let flag = d["vulnerabilities"][0]["flags"][0].clone();
                d["vulnerabilities"][0]["flags"].as_array_mut().expect("flags").push(flag);
            },
            &["6.1.33"],
        );
    }

    #[test]
    fn the_advisory_profile_does_not_run_the_vex_tests() {
        let mut doc = document(&crate::publish::csaf::vex::tests::mixed());
        assert_eq!(doc["document"]["category"], "csaf_security_advisory");
        doc["vulnerabilities"][0].as_object_mut().expect("v").remove("threats");
        doc["vulnerabilities"][0].as_object_mut().expect("v").remove("flags");
        assert_eq!(mandatory(&doc), []);
    }
}
