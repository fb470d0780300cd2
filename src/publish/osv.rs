//! OSV records (ossf/osv-schema) from the public view of a report.
//!
//! Built with serde, never with string templates. The OSV id needs a prefix the schema
//! accepts: `x_<ID>` for a private database, or `<osv_prefix>-<YEAR>-<NNNN>` when
//! `render.osv_prefix` names a registered one. A product ships through a package ecosystem
//! only when its `ecosystem` is one OSV lists; otherwise it is exported without `package`, its
//! version text kept in `database_specific`.

use serde_json::{Value, json};

use crate::format::config::Config;
use crate::publish::public::Advisory;

/// The OSV schema version these records follow.
pub const SCHEMA_VERSION: &str = "1.7.0";

/// Ecosystems the OSV schema accepts (its `ecosystemName` enum).
const ECOSYSTEMS: &[&str] = &[
    "AlmaLinux",
    "Alpaquita",
    "Alpine",
    "Android",
    "Azure Linux",
    "BellSoft Hardened Containers",
    "Bioconductor",
    "Bitnami",
    "Chainguard",
    "CleanStart",
    "ConanCenter",
    "CRAN",
    "crates.io",
    "Debian",
    "Docker Hardened Images",
    "Echo",
    "FreeBSD",
    "GHC",
    "GitHub Actions",
    "Go",
    "Hackage",
    "Hex",
    "Julia",
    "Kubernetes",
    "Linux",
    "Mageia",
    "Maven",
    "MinimOS",
    "npm",
    "NuGet",
    "opam",
    "openEuler",
    "openSUSE",
    "OSS-Fuzz",
    "Packagist",
    "Photon OS",
    "Pub",
    "PyPI",
    "Red Hat",
    "Rocky Linux",
    "Root",
    "RubyGems",
    "SUSE",
    "SwiftURL",
    "TuxCare",
    "Ubuntu",
    "VSCode",
    "Wolfi",
];

/// The OSV id of a report.
pub fn osv_id(id: &str, config: &Config) -> String {
    match &config.render.osv_prefix {
        Some(prefix) => format!("{prefix}-{}", id.strip_prefix(&format!("{}-", config.id_prefix)).unwrap_or(id)),
        None => format!("x_{id}"),
    }
}

/// The OSV record of an advisory.
pub fn record(a: &Advisory, config: &Config) -> Value {
    let mut v = json!({
        "schema_version": SCHEMA_VERSION,
        "id": osv_id(&a.id, config),
        "modified": a.modified,
        "summary": match &a.draft { Some(d) => format!("{d}: {}", a.title), None => a.title.clone() },
        "details": details(a),
    });
    let obj = v.as_object_mut().expect("json! object");
    if let Some(p) = &a.published {
        obj.insert("published".into(), json!(format!("{p}T00:00:00Z")));
    }
    if let Some(w) = &a.withdrawn_date {
        obj.insert("withdrawn".into(), json!(format!("{w}T00:00:00Z")));
    }
    if !a.aliases.is_empty() {
        obj.insert("aliases".into(), json!(a.aliases));
    }
    if let Some(s) = a.severity.as_ref().filter(|s| s.vector.is_some() && s.version.is_some()) {
        let kind = if s.version.as_deref() == Some("4.0") { "CVSS_V4" } else { "CVSS_V3" };
        let mut scores = vec![json!({ "type": kind, "score": s.vector })];
        if let Some(v4) = &s.vector_v4 {
            scores.push(json!({ "type": "CVSS_V4", "score": v4 }));
        }
        obj.insert("severity".into(), Value::Array(scores));
    }
    obj.insert("affected".into(), Value::Array(a.products.iter().map(affected).collect()));
    if !a.references.is_empty() {
        let refs: Vec<Value> =
            a.references.iter().map(|r| json!({ "type": r.kind.to_uppercase(), "url": r.url })).collect();
        obj.insert("references".into(), Value::Array(refs));
    }
    if !a.credits.is_empty() {
        let credits: Vec<Value> = a.credits.iter().map(|c| json!({ "name": c, "type": "FINDER" })).collect();
        obj.insert("credits".into(), Value::Array(credits));
    }
    let mut specific = json!({ "source": a.id, "cwe_ids": a.cwe });
    if let Some(level) = a.severity.as_ref().and_then(|s| s.level.as_ref()) {
        specific["severity"] = json!(level);
    }
    if let Some(d) = &a.draft {
        specific["draft"] = json!(d);
    }
    obj.insert("database_specific".into(), specific);
    v
}

/// `details`: the public sections as Markdown, then the mitigation.
fn details(a: &Advisory) -> String {
    let mut parts: Vec<String> = a.sections.iter().map(|s| format!("## {}\n\n{}", s.title, s.markdown)).collect();
    if let Some(m) = &a.mitigation {
        parts.push(format!("## Mitigation\n\n{m}"));
    }
    parts.join("\n\n")
}

fn affected(p: &crate::publish::public::PublicProduct) -> Value {
    let mut specific = json!({ "product": p.name });
    if let Some(c) = &p.component {
        specific["component"] = json!(c);
    }
    if let Some(a) = &p.affected {
        specific["affected"] = json!(a);
    }
    if let Some(f) = &p.fixed {
        specific["fixed"] = json!(f);
    }
    let ecosystem = p.ecosystem.as_deref().filter(|e| ECOSYSTEMS.contains(&e.split(':').next().unwrap_or(e)));
    let Some((ecosystem, name)) = ecosystem.zip(p.package.as_deref()) else {
        return json!({ "database_specific": specific });
    };
    let mut package = json!({ "ecosystem": ecosystem, "name": name });
    if let Some(purl) = &p.purl {
        package["purl"] = json!(purl);
    }
    let introduced = p.affected.as_deref().and_then(lower_bound).unwrap_or_else(|| "0".to_owned());
    let mut events = vec![json!({ "introduced": introduced })];
    match (&p.fixed, p.affected.as_deref().and_then(upper_bound)) {
        (Some(f), _) => events.push(json!({ "fixed": f })),
        (None, Some(("<", v))) => events.push(json!({ "fixed": v })),
        (None, Some((_, v))) => events.push(json!({ "last_affected": v })),
        (None, None) => {}
    }
    json!({ "package": package, "ranges": [{ "type": "ECOSYSTEM", "events": events }], "database_specific": specific })
}

/// `>= 1.2` in a range text → `1.2`.
fn lower_bound(range: &str) -> Option<String> {
    range
        .split(',')
        .map(str::trim)
        .find_map(|part| part.strip_prefix(">=").map(|v| v.trim().to_owned()))
        .filter(|v| !v.is_empty())
}

/// `< 2.4.1` → (`<`, `2.4.1`); `<= 2.3` → (`<=`, `2.3`).
fn upper_bound(range: &str) -> Option<(&'static str, String)> {
    range
        .split(',')
        .map(str::trim)
        .find_map(|part| {
            if let Some(v) = part.strip_prefix("<=") {
                Some(("<=", v.trim().to_owned()))
            } else {
                part.strip_prefix('<').map(|v| ("<", v.trim().to_owned()))
            }
        })
        .filter(|(_, v)| !v.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lower_bounds() {
        assert_eq!(lower_bound(">= 1.0, < 1.9.3"), Some("1.0".into()));
        assert_eq!(lower_bound("< 2"), None);
        assert_eq!(upper_bound(">= 1.0, < 1.9.3"), Some(("<", "1.9.3".into())));
        assert_eq!(upper_bound("<= 2.3"), Some(("<=", "2.3".into())));
        assert_eq!(upper_bound("all"), None);
    }
}
