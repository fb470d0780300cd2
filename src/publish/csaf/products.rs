//! The CSAF product tree of an advisory: vendor → product → affected range and fixed versions.
//!
//! Each report product gives leaves under `vendor` / `product_name`: its affected versions as
//! one `product_version_range` (a `vers` range of every span, from the same normalised spans
//! as OSV and CVE ([`crate::format::versions`]); prose as written: a range never goes in a
//! `product_version`, mandatory test 6.1.31) and each fixed version (one per release branch
//! for backports) as a `product_version`. Product ids are numbered in file order
//! (`CSAFPID-0001`, …), so the same report always gives the same ids. Each leaf carries the
//! product identification helpers the report gives (purl, derived from the package when not
//! given, CPE, model numbers, …), so a consumer can match it (recommended test 6.2.16).

use serde_json::{Value, json};

use super::mandatory::names_a_range;

use crate::format::ranges;
use crate::format::versions::{Affected, End, Span};
use crate::publish::public::{Advisory, PublicProduct};

/// One report product in the tree.
#[derive(Debug, Clone)]
pub struct Entry {
    /// `orbit-server (attachments)`.
    pub label: String,
    /// The product id of the affected range.
    pub affected_id: String,
    /// The fixed versions, each with its product id and the span it ends (for backports).
    pub fixed: Vec<Fix>,
    /// A `fixed` text that names no single version ("all releases after 2.1"): it cannot be a
    /// `product_version` (mandatory test 6.1.31), so it is said in the remediation only.
    pub fixed_text: Option<String>,
}

/// One fixed version of a product: a `product_version` leaf.
#[derive(Debug, Clone)]
pub struct Fix {
    pub version: String,
    pub id: String,
    /// The affected span this version ends (`>= 3.0.0, < 3.7.5`), when the product has several.
    pub branch: Option<String>,
}

/// The tree and the ids it defines.
#[derive(Debug, Clone)]
pub struct Tree {
    pub json: Value,
    pub entries: Vec<Entry>,
}

impl Tree {
    pub fn affected_ids(&self) -> Vec<&str> {
        self.entries.iter().map(|e| e.affected_id.as_str()).collect()
    }

    pub fn fixed_ids(&self) -> Vec<&str> {
        self.entries.iter().flat_map(|e| e.fixed.iter().map(|f| f.id.as_str())).collect()
    }
}

fn product_id(n: usize) -> String {
    format!("CSAFPID-{n:04}")
}

/// The name of the affected-range branch: the spans as one `vers` range (`vers:npm/>=3.0.0|
/// <3.7.5|>=4.0.0|<4.1.2`: `vers` joins disjoint spans in one range), or the text as written
/// (a `vers` of its comparators when it has them). Every version without any said: `*`.
pub fn range_name(p: &PublicProduct) -> String {
    let scheme = ranges::scheme(p.purl.as_deref());
    let v = p.versions();
    match &v.affected {
        _ if v.is_every() => format!("vers:{scheme}/*"),
        Affected::Spans(spans) => {
            format!("vers:{scheme}/{}", spans.iter().map(vers_span).collect::<Vec<_>>().join("|"))
        }
        Affected::Unreadable(Some(text)) => {
            ranges::parse(text).map_or_else(|| text.clone(), |c| ranges::vers(&scheme, &c))
        }
        Affected::Unreadable(None) => format!("versions before the fixed ones ({})", v.fixed.join(", ")),
    }
}

/// One span as `vers` constraints: `>=3.0.0|<3.7.5`, `<=2.3`, `2.0.1` (a single version).
fn vers_span(s: &Span) -> String {
    let Span::Range { introduced, end } = s else { return s.start().unwrap_or_default().to_owned() };
    let mut parts: Vec<String> = introduced.iter().map(|i| format!(">={i}")).collect();
    match end {
        End::Fixed(f) => parts.push(format!("<{f}")),
        End::LastAffected(l) => parts.push(format!("<={l}")),
        End::Open => {}
    }
    parts.join("|")
}

/// The fixed versions that become `product_version` leaves: each span's `fixed` (with the
/// span, when there are several), or the `fixed` text: its exact versions, or the text as
/// written when it is one name that is no range.
fn fixed_versions(p: &PublicProduct) -> Vec<(String, Option<String>)> {
    let v = p.versions();
    let spans = v.spans().unwrap_or_default();
    if !p.versions.is_empty() {
        let several = v.fixed.len() > 1;
        let mut seen = std::collections::HashSet::new();
        let ended = |f: &str| spans.iter().find(|s| matches!(s, Span::Range { end: End::Fixed(x), .. } if x == f));
        return v
            .fixed
            .iter()
            .filter(|f| seen.insert(f.as_str()))
            .map(|f| (f.clone(), ended(f).filter(|_| several).map(Span::describe)))
            .collect();
    }
    let given = p.fixed.as_deref().map(str::trim).filter(|f| !f.is_empty() && !names_a_range(f));
    match given {
        Some(_) if v.fixed.len() > 1 => v.fixed.iter().map(|f| (f.clone(), None)).collect(),
        Some(f) => vec![(f.to_owned(), None)],
        None => Vec::new(),
    }
}

fn leaf(category: &str, name: &str, full_name: String, id: &str, helper: Option<Value>) -> Value {
    let mut product = json!({ "name": full_name, "product_id": id });
    if let Some(helper) = helper {
        product["product_identification_helper"] = helper;
    }
    json!({ "category": category, "name": name, "product": product })
}

/// The product identification helper of one leaf (CSAF 2.0 section 3.1.3.3): what the report
/// gives, with the purl (given or derived from the package) versioned on the fixed leaf.
/// Hashes, serial numbers and SBOM URLs describe the affected files, so only the affected leaf
/// carries them.
fn helper(p: &PublicProduct, fixed: Option<&str>) -> Option<Value> {
    let mut h = serde_json::Map::new();
    let purl = p.purl.as_deref().filter(|u| u.starts_with("pkg:"));
    let purl = match fixed {
        None => purl.map(str::to_owned),
        Some(f) => purl.filter(|u| !u.contains(['@', '?', '#'])).map(|u| format!("{u}@{f}")),
    };
    if let Some(purl) = purl {
        h.insert("purl".into(), json!(purl));
    }
    if let Some(cpe) = &p.cpe {
        h.insert("cpe".into(), json!(cpe));
    }
    let mut list = |key: &str, items: Vec<Value>| {
        if !items.is_empty() {
            h.insert(key.into(), Value::Array(items));
        }
    };
    let strings = |v: &[String]| v.iter().map(|s| json!(s)).collect::<Vec<_>>();
    list("model_numbers", strings(&p.model_numbers));
    list("skus", strings(&p.skus));
    list(
        "x_generic_uris",
        p.x_generic_uris.iter().map(|g| json!({ "namespace": g.namespace, "uri": g.uri })).collect(),
    );
    if fixed.is_none() {
        list("serial_numbers", strings(&p.serial_numbers));
        list("sbom_urls", strings(&p.sbom_urls));
        let hashes = p.hashes.iter().map(|f| {
            let file_hashes: Vec<Value> =
                f.file_hashes.iter().map(|x| json!({ "algorithm": x.algorithm, "value": x.value })).collect();
            json!({ "filename": f.filename, "file_hashes": file_hashes })
        });
        list("hashes", hashes.collect());
    }
    (!h.is_empty()).then_some(Value::Object(h))
}

/// The product tree of `a`, with `vendor` as the top branch.
pub fn tree(a: &Advisory, vendor: &str) -> Tree {
    if a.products.is_empty() {
        let id = product_id(1);
        let name = format!("{vendor} (affected products not listed)");
        let entry = Entry { label: name.clone(), affected_id: id.clone(), fixed: Vec::new(), fixed_text: None };
        return Tree {
            json: json!({ "full_product_names": [{ "name": name, "product_id": id }] }),
            entries: vec![entry],
        };
    }
    let mut products: Vec<(String, Vec<Value>)> = Vec::new();
    let mut entries = Vec::new();
    let mut next = 0;
    for p in &a.products {
        let label = match &p.component {
            Some(c) => format!("{} ({c})", p.name),
            None => p.name.clone(),
        };
        let mut leaves = Vec::new();
        next += 1;
        let affected_id = product_id(next);
        let range = range_name(p);
        let shown = p.affected.clone().unwrap_or_else(|| range.clone());
        leaves.push(leaf(
            "product_version_range",
            &range,
            format!("{vendor} {label} {shown}"),
            &affected_id,
            helper(p, None),
        ));
        let given = p.fixed.as_deref().map(str::trim).filter(|f| !f.is_empty() && p.versions.is_empty());
        let fixed_text = given.filter(|f| names_a_range(f)).map(str::to_owned);
        let fixed = fixed_versions(p)
            .into_iter()
            .map(|(version, branch)| {
                next += 1;
                let id = product_id(next);
                let name = format!("{vendor} {label} {version}");
                leaves.push(leaf("product_version", &version, name, &id, helper(p, Some(&version))));
                Fix { version, id, branch }
            })
            .collect();
        entries.push(Entry { label, affected_id, fixed, fixed_text });
        match products.iter_mut().find(|(name, _)| *name == p.name) {
            Some((_, branches)) => branches.extend(leaves),
            None => products.push((p.name.clone(), leaves)),
        }
    }
    let product_branches: Vec<Value> = products
        .into_iter()
        .map(|(name, branches)| json!({ "category": "product_name", "name": name, "branches": branches }))
        .collect();
    let json = json!({ "branches": [{ "category": "vendor", "name": vendor, "branches": product_branches }] });
    Tree { json, entries }
}
