//! OSV records (ossf/osv-schema) from the public view of a report.
//!
//! Built with serde, never with string templates. The OSV id needs a prefix the schema
//! accepts: `x_<ID>` for a private database, or `<osv_prefix>-<YEAR>-<NNNN>` when
//! `render.osv_prefix` names a registered one. A product ships through a package ecosystem
//! only when its `ecosystem` is one OSV lists; otherwise it is exported without `package`, its
//! version text kept in `database_specific`. A package's versions are exactly the report's
//! (read once by [`crate::format::versions`], like CVE and CSAF): each span (one per release
//! branch for backports) becomes an `introduced` / `fixed` or `last_affected` pair of events,
//! single versions a `versions` list, and text no OSV range can say gets neither, never a
//! wider range (`validate` warns about it).

use serde_json::{Value, json};

use crate::format::config::Config;
use crate::format::report::ProductStatus;
use crate::format::versions::{self, End, Span, Versions};
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

/// Where the OSV record of report `id` is in the site: `osv/<OSV id>.json`, the name OSV.dev's
/// REST import asks for (`osv/all.json` lists the ids).
pub fn file_path(id: &str, config: &Config) -> String {
    format!("osv/{}.json", osv_id(id, config))
}

/// The OSV record of an advisory.
pub fn record(a: &Advisory, config: &Config) -> Value {
    let mut v = json!({
        "schema_version": SCHEMA_VERSION,
        "id": osv_id(&a.id, config),
        "modified": a.modified,
        "summary": summary(match &a.draft { Some(d) => format!("{d}: {}", a.title), None => a.title.clone() }),
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
    // A product that is not affected, or not known to be, is no affected package (VEX statuses:
    // `src/publish/csaf/vex.rs`).
    let listed = a.products.iter().filter(|p| matches!(p.status, ProductStatus::Affected | ProductStatus::Fixed));
    obj.insert("affected".into(), Value::Array(listed.map(affected).collect()));
    if !a.references.is_empty() {
        let refs: Vec<Value> =
            a.references.iter().map(|r| json!({ "type": r.kind.to_uppercase(), "url": r.url })).collect();
        obj.insert("references".into(), Value::Array(refs));
    }
    if !a.credits.is_empty() {
        let credits: Vec<Value> = a
            .credits
            .iter()
            .map(|c| {
                let mut v = json!({ "name": c.name, "type": c.role.osv() });
                if let Some(url) = &c.url {
                    v["contact"] = json!([url]);
                }
                v
            })
            .collect();
        obj.insert("credits".into(), Value::Array(credits));
    }
    let mut specific = json!({ "source": a.id, "cwe_ids": a.cwe });
    if let Some(level) = a.severity.as_ref().and_then(|s| s.level.as_ref()) {
        specific["severity"] = json!(level);
    }
    if let Some(d) = &a.draft {
        specific["draft"] = json!(d);
    }
    if let Some(ssvc) = &a.ssvc {
        specific["ssvc"] = ssvc.content(&a.id);
    }
    obj.insert("database_specific".into(), specific);
    v
}

/// The longest summary OSV recommends ("on the order of no more than 120 characters").
const SUMMARY_MAX: usize = 120;

/// The title as a summary: cut at the last word boundary before [`SUMMARY_MAX`] characters,
/// with "…", when longer; `details` then starts with the whole title.
fn summary(title: String) -> String {
    if title.chars().count() <= SUMMARY_MAX {
        return title;
    }
    let cut = title.char_indices().nth(SUMMARY_MAX - 1).map_or(title.len(), |(i, _)| i);
    let head = &title[..cut];
    let word = head.rfind(char::is_whitespace).filter(|&i| i > 0).map_or(head, |i| &head[..i]);
    format!("{}…", word.trim_end_matches(|c: char| c.is_whitespace() || ",;:-".contains(c)))
}

/// `details`: the whole title when the summary had to be cut, the public sections as
/// Markdown, then the mitigation.
fn details(a: &Advisory) -> String {
    let long_title = (a.title.chars().count() > SUMMARY_MAX).then(|| a.title.clone());
    let sections = a.sections.iter().map(|s| format!("## {}\n\n{}", s.title, s.markdown));
    let mut parts: Vec<String> = long_title.into_iter().chain(sections).collect();
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
    let mut out = json!({ "package": package, "database_specific": specific });
    // Text no OSV range can say exactly gets no range rather than a wider one (`validate`
    // reports it as `affected-unreadable` or `affected-inexpressible`).
    if let Some(a) = affects(&p.versions(), ecosystem) {
        if !a.ranges.is_empty() {
            out["ranges"] = json!(a.ranges);
        }
        if !a.versions.is_empty() {
            out["versions"] = json!(a.versions);
        }
    }
    out
}

/// Ecosystems whose versions are SemVer 2.0 by rule, so their ranges are `SEMVER` when every
/// version in them is one (others, and ranges with another version, are `ECOSYSTEM`).
const SEMVER_ECOSYSTEMS: &[&str] = &["crates.io", "Go", "Hex", "npm", "Pub", "SwiftURL"];

/// What an OSV `affected` entry lists: ranges of events and exact versions.
#[derive(Debug, Default, PartialEq)]
struct Affects {
    /// `{type, events}` ranges: one for the spans that end in `fixed` (and an open last one),
    /// one for those that end in `last_affected` (OSV allows only one of the two per range).
    ranges: Vec<Value>,
    /// Single affected versions.
    versions: Vec<String>,
}

/// The report's spans exactly (read by [`crate::format::versions`]): each span is an
/// `introduced` event and its `fixed` or `last_affected` event, in ascending order; single
/// versions are the `versions` list. `None` for text no OSV range can express.
fn affects(v: &Versions, ecosystem: &str) -> Option<Affects> {
    let spans = v.spans()?;
    let (mut fixed, mut last) = (Vec::new(), Vec::new());
    let mut out = Affects::default();
    for s in spans {
        let Span::Range { introduced, end } = s else {
            out.versions.push(s.start().unwrap_or_default().to_owned());
            continue;
        };
        let start = json!({ "introduced": introduced.as_deref().unwrap_or("0") });
        match end {
            End::Fixed(f) => fixed.extend([start, json!({ "fixed": f })]),
            End::LastAffected(l) => last.extend([start, json!({ "last_affected": l })]),
            End::Open => fixed.push(start),
        }
    }
    let semver = SEMVER_ECOSYSTEMS.contains(&ecosystem);
    for events in [fixed, last].into_iter().filter(|e| !e.is_empty()) {
        let all_semver = events.iter().flat_map(|e| e.as_object().into_iter().flat_map(|o| o.values()));
        let all_semver = all_semver.filter_map(Value::as_str).all(|x| x == "0" || versions::is_semver(x));
        let kind = if semver && all_semver { "SEMVER" } else { "ECOSYSTEM" };
        out.ranges.push(json!({ "type": kind, "events": events }));
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::publish::csaf::test_support::{EXPORTS, advisory};

    fn product(affected: Option<&str>, fixed: Option<&str>) -> crate::publish::public::PublicProduct {
        let mut p = advisory(EXPORTS).products[1].clone();
        p.affected = affected.map(Into::into);
        p.fixed = fixed.map(Into::into);
        p
    }

    fn events(affected: Option<&str>, fixed: Option<&str>) -> Option<Affects> {
        affects(&product(affected, fixed).versions(), "PyPI")
    }

    #[test]
    fn ranges_are_exactly_the_report_s() {
        let ev =
            |v: Value| Some(Affects { ranges: vec![json!({ "type": "ECOSYSTEM", "events": v })], versions: vec![] });
        assert_eq!(
            events(Some(">= 1.0, < 1.9.3"), Some("1.9.3")),
            ev(json!([{ "introduced": "1.0" }, { "fixed": "1.9.3" }]))
        );
        assert_eq!(events(Some("<= 2.3"), None), ev(json!([{ "introduced": "0" }, { "last_affected": "2.3" }])));
        assert_eq!(events(Some(">= 3.0"), Some("3.2")), ev(json!([{ "introduced": "3.0" }, { "fixed": "3.2" }])));
        assert_eq!(events(None, Some("1.2")), ev(json!([{ "introduced": "0" }, { "fixed": "1.2" }])));
        assert_eq!(events(None, None), ev(json!([{ "introduced": "0" }])));
        let exact = Some(Affects { ranges: vec![], versions: vec!["2.0.1".into(), "2.0.2".into()] });
        assert_eq!(events(Some("2.0.1, 2.0.2"), None), exact);
        assert_eq!(events(Some("> 1.0, < 2"), None), None, "no exclusive introduced in OSV");
        assert_eq!(events(Some("all 2.x releases"), None), None);
    }

    #[test]
    fn backports_are_one_range_per_kind_of_end_and_semver_where_the_ecosystem_is() {
        let span = |i: Option<&str>, f: Option<&str>, l: Option<&str>| crate::format::report::model::VersionSpan {
            introduced: i.map(Into::into),
            fixed: f.map(Into::into),
            last_affected: l.map(Into::into),
        };
        let v = Versions::of(
            None,
            None,
            &[
                span(None, None, Some("1.9.9")),
                span(Some("2.5.0"), None, Some("2.5.0")),
                span(Some("3.0.0"), Some("3.7.5"), None),
                span(Some("4.0.0"), Some("4.1.2"), None),
                span(Some("5.0.0"), None, None),
            ],
        );
        let a = affects(&v, "npm").expect("spans");
        assert_eq!(
            a.ranges,
            [
                json!({ "type": "SEMVER", "events": [{ "introduced": "3.0.0" }, { "fixed": "3.7.5" }, { "introduced": "4.0.0" }, { "fixed": "4.1.2" }, { "introduced": "5.0.0" }] }),
                json!({ "type": "SEMVER", "events": [{ "introduced": "0" }, { "last_affected": "1.9.9" }] }),
            ]
        );
        assert_eq!(a.versions, ["2.5.0"]);
        assert_eq!(affects(&v, "PyPI").expect("spans").ranges[0]["type"], "ECOSYSTEM");
        let short = Versions::of(Some(">= 1.0, < 1.2"), None, &[]);
        assert_eq!(affects(&short, "npm").expect("span").ranges[0]["type"], "ECOSYSTEM", "1.2 is not SemVer 2.0");
    }

    #[test]
    fn a_long_title_is_cut_at_a_word_for_the_summary() {
        let title = "Path traversal in the upload handler ".repeat(5);
        let cut = summary(title.trim().to_owned());
        assert!(
            cut.chars().count() <= SUMMARY_MAX
                && cut.ends_with(" Path…")
                && title.starts_with(cut.trim_end_matches("…")),
            "{cut}"
        );
        assert_eq!(summary("Short".into()), "Short");
        let one_word = "x".repeat(200);
        assert_eq!(summary(one_word).chars().count(), SUMMARY_MAX);
        let mut a = advisory(EXPORTS);
        a.title = title.trim().to_owned();
        assert!(details(&a).starts_with(a.title.as_str()));
    }

    #[test]
    fn an_entry_without_an_exact_range_lists_none() {
        let e = affected(&product(Some("all 2.x releases"), Some("3.0")));
        assert!(e.get("ranges").is_none() && e.get("versions").is_none(), "{e}");
        assert_eq!(e["database_specific"]["affected"], "all 2.x releases");
        let e = affected(&product(Some("2.0.1, 2.0.2"), None));
        assert_eq!(e["versions"], json!(["2.0.1", "2.0.2"]));
        assert!(e.get("ranges").is_none());
    }
}
