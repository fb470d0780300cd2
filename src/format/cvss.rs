//! CVSS vectors: parsing v3.1 and v4.0, scoring them and deriving the qualitative level.
//!
//! The arithmetic is the `cvss` crate's (the one RustSec uses); this module pins which
//! versions a report may carry, which score is which, and maps ratings onto [`Level`].
//!
//! Every vector has a **base score**, computed from its base metrics alone (CVSS-B for v4.0),
//! and the level follows it (`docs/exports.md`, "Which score the level follows"). Beside it:
//! for v3.1 the temporal and environmental scores when the vector carries such metrics; for
//! v4.0 the score of the whole vector under its nomenclature (CVSS-BT, CVSS-BE, CVSS-BTE) when
//! it carries threat or environmental metrics. v4.0 defines no separate threat or
//! environmental score: one score per vector, named by the metric groups it used.
//! [`to_json`] writes a vector as FIRST's CVSS JSON object, which CSAF and CVE records embed.

use std::str::FromStr;

use crate::format::report::Level;

/// A parsed vector's version, scores and level.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Assessment {
    pub version: CvssVersion,
    /// Base score, 0.0 to 10.0: the base metrics alone (for v4.0 CVSS-B, whatever else the
    /// vector carries).
    pub score: f64,
    /// The rating of the base score.
    pub level: Level,
    /// v3.1: the temporal score, when the vector gives `E`, `RL` or `RC` (other than `X`).
    pub temporal: Option<Rated>,
    /// v3.1: the environmental score, when the vector gives an environmental metric.
    pub environmental: Option<Rated>,
    /// v4.0: the score of the whole vector, when it gives threat or environmental metrics.
    pub overall: Option<(Nomenclature, Rated)>,
}

/// A score and its qualitative rating.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rated {
    pub score: f64,
    pub level: Level,
}

impl Rated {
    fn new(score: f64) -> Rated {
        Rated { score, level: rating(score) }
    }
}

/// CVSS v4.0 nomenclature: which metric groups a v4.0 score used (specification section 1.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Nomenclature {
    B,
    BT,
    BE,
    BTE,
}

impl Nomenclature {
    pub fn as_str(self) -> &'static str {
        match self {
            Nomenclature::B => "CVSS-B",
            Nomenclature::BT => "CVSS-BT",
            Nomenclature::BE => "CVSS-BE",
            Nomenclature::BTE => "CVSS-BTE",
        }
    }
}

/// CVSS versions a report may use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CvssVersion {
    V3_1,
    V4_0,
}

impl CvssVersion {
    pub fn as_str(self) -> &'static str {
        match self {
            CvssVersion::V3_1 => "3.1",
            CvssVersion::V4_0 => "4.0",
        }
    }
}

impl Assessment {
    /// The scores beside the base one, labelled: `temporal` and `environmental` (v3.1), the
    /// nomenclature of the whole vector's score (v4.0).
    pub fn others(&self) -> Vec<(&'static str, Rated)> {
        let mut out = Vec::new();
        out.extend(self.temporal.map(|r| ("temporal", r)));
        out.extend(self.environmental.map(|r| ("environmental", r)));
        out.extend(self.overall.map(|(n, r)| (n.as_str(), r)));
        out
    }

    /// The label of the base score: `base` (v3.1) or `CVSS-B` (v4.0).
    pub fn base_label(&self) -> &'static str {
        match self.version {
            CvssVersion::V3_1 => "base",
            CvssVersion::V4_0 => Nomenclature::B.as_str(),
        }
    }

    /// Every score in one line: `base 9.8 critical, temporal 8.8 high` or
    /// `CVSS-B 6.1 medium, CVSS-BTE 0.3 low`.
    pub fn describe(&self) -> String {
        let mut parts = vec![format!("{} {:.1} {}", self.base_label(), self.score, self.level)];
        parts.extend(self.others().iter().map(|(label, r)| format!("{label} {:.1} {}", r.score, r.level)));
        parts.join(", ")
    }
}

impl Assessment {
    /// Every score as JSON, for the tool's own machine-readable output (`show --format json`):
    /// `{"version", "base": {"score", "level"}, "temporal"?, "environmental"?, "overall"?:
    /// {"nomenclature", "score", "level"}}`, a key only when the vector gives such metrics.
    pub fn scores_json(&self) -> serde_json::Value {
        let rated = |r: Rated| serde_json::json!({ "score": r.score, "level": r.level });
        let mut out = serde_json::json!({
            "version": self.version.as_str(),
            "base": rated(Rated { score: self.score, level: self.level }),
        });
        if let Some(r) = self.temporal {
            out["temporal"] = rated(r);
        }
        if let Some(r) = self.environmental {
            out["environmental"] = rated(r);
        }
        if let Some((n, r)) = self.overall {
            out["overall"] = rated(r);
            out["overall"]["nomenclature"] = n.as_str().into();
        }
        out
    }
}

/// Parses a CVSS v3.1 or v4.0 vector string and scores it. A vector must name every base
/// metric of its version exactly once and no metric the version does not define
/// ([`check_metrics`]): the `cvss` crate alone scores an incomplete v3.1 vector as 0.0.
pub fn assess(vector: &str) -> Result<Assessment, String> {
    let vector = vector.trim();
    check_metrics(vector).map_err(|e| format!("not a valid CVSS vector: {e}"))?;
    let invalid = |e: ::cvss::Error| format!("not a valid CVSS vector: {e}");
    match ::cvss::Cvss::from_str(vector).map_err(invalid)? {
        ::cvss::Cvss::CvssV31(v) => Ok(assess_v3(&v, vector)),
        ::cvss::Cvss::CvssV40(v) => {
            // The crate scores the whole vector; the base score is that of the base metrics.
            let base: ::cvss::v4::Vector = only_base(vector, V4_BASE).parse().map_err(invalid)?;
            Ok(assess_v4(base.score().value(), v.score().value(), vector))
        }
        _ => Err("only CVSS v3.1 (`CVSS:3.1/…`) and v4.0 (`CVSS:4.0/…`) vectors are accepted".into()),
    }
}

fn assess_v3(v: &::cvss::v3::Vector, vector: &str) -> Assessment {
    use ::cvss::v3::Metric;
    let base = v.base_score().value();
    let given = groups_given(vector, V3_MORE);
    let temporal = given.0.then(|| {
        let e = v.e.map_or(1.0, Metric::score);
        let rl = v.rl.map_or(1.0, Metric::score);
        let rc = v.rc.map_or(1.0, Metric::score);
        Rated::new(roundup(base * e * rl * rc))
    });
    let environmental = given.1.then(|| Rated::new(v.environmental_score().value()));
    Assessment { version: CvssVersion::V3_1, score: base, level: rating(base), temporal, environmental, overall: None }
}

fn assess_v4(base: f64, whole: f64, vector: &str) -> Assessment {
    let overall = match groups_given(vector, V4_MORE) {
        (false, false) => None,
        (true, false) => Some(Nomenclature::BT),
        (false, true) => Some(Nomenclature::BE),
        (true, true) => Some(Nomenclature::BTE),
    };
    Assessment {
        version: CvssVersion::V4_0,
        score: base,
        level: rating(base),
        temporal: None,
        environmental: None,
        overall: overall.map(|n| (n, Rated::new(whole))),
    }
}

/// CVSS v3.1 Roundup (specification Appendix A): the smallest one-decimal number not below
/// the input, computed on integers so that 4.000000000001 stays 4.0.
fn roundup(x: f64) -> f64 {
    let int = (x * 100_000.0).round() as i64;
    if int % 10_000 == 0 { int as f64 / 100_000.0 } else { ((int / 10_000) + 1) as f64 / 10.0 }
}

/// The qualitative rating of a score (the same scale for v3.1 and v4.0).
fn rating(score: f64) -> Level {
    match score {
        s if s < 0.1 => Level::None,
        s if s < 4.0 => Level::Low,
        s if s < 7.0 => Level::Medium,
        s if s < 9.0 => Level::High,
        _ => Level::Critical,
    }
}

/// The vector's prefix and base metrics only, in the order written.
fn only_base(vector: &str, base: &[Metric]) -> String {
    let mut parts = vector.split('/');
    let prefix = parts.next().unwrap_or_default();
    let kept = parts.filter(|p| p.split_once(':').is_some_and(|(k, _)| base.iter().any(|(b, _, _)| *b == k)));
    std::iter::once(prefix).chain(kept).collect::<Vec<_>>().join("/")
}

/// Whether the vector gives (with a value other than `X`) a metric of the first group
/// (v3.1 temporal, v4.0 threat) and of the environmental group. Supplemental v4.0 metrics
/// change no score and count for neither.
fn groups_given(vector: &str, more: &[Grouped]) -> (bool, bool) {
    let mut given = (false, false);
    for (key, value) in vector.split('/').skip(1).filter_map(|p| p.split_once(':')) {
        match more.iter().find(|(m, _)| m.0 == key).map(|(_, g)| g) {
            _ if value == "X" => {}
            Some(Group::First) => given.0 = true,
            Some(Group::Environmental) => given.1 = true,
            _ => {}
        }
    }
    given
}

/// The vector's structure: a `CVSS:3.1/` or `CVSS:4.0/` prefix, then `METRIC:VALUE` parts,
/// each metric known to the version and given once, every base metric present, and for v4.0
/// in the specification's order, which FIRST's v4.0 JSON schema (and so the CVE and OSV
/// schemas) requires of a vector string. Values are left to the `cvss` crate. The error names
/// every missing, duplicated and unknown metric.
fn check_metrics(vector: &str) -> Result<(), String> {
    let (rest, base, other) = if let Some(rest) = vector.strip_prefix("CVSS:3.1/") {
        (rest, V3_BASE, V3_MORE)
    } else if let Some(rest) = vector.strip_prefix("CVSS:4.0/") {
        (rest, V4_BASE, V4_MORE)
    } else {
        // Other versions and non-vectors: the crate's message says what is wrong.
        return Ok(());
    };
    let mut seen: Vec<&str> = Vec::new();
    let (mut duplicated, mut unknown, mut malformed) = (Vec::new(), Vec::new(), Vec::new());
    for part in rest.split('/') {
        let Some((key, _)) = part.split_once(':').filter(|(k, v)| !k.is_empty() && !v.is_empty()) else {
            malformed.push(format!("`{part}`"));
            continue;
        };
        if !base.iter().any(|(k, _, _)| *k == key) && !other.iter().any(|(m, _)| m.0 == key) {
            unknown.push(key);
        } else if seen.contains(&key) {
            if !duplicated.contains(&key) {
                duplicated.push(key);
            }
        } else {
            seen.push(key);
        }
    }
    let missing: Vec<&str> = base.iter().map(|(k, _, _)| *k).filter(|k| !seen.contains(k)).collect();
    let mut problems = Vec::new();
    if !missing.is_empty() {
        problems.push(format!("missing base metric{} {}", plural(missing.len()), missing.join(", ")));
    }
    if !duplicated.is_empty() {
        problems.push(format!("metric{} given more than once: {}", plural(duplicated.len()), duplicated.join(", ")));
    }
    if !unknown.is_empty() {
        problems.push(format!("unknown metric{} {}", plural(unknown.len()), unknown.join(", ")));
    }
    if !malformed.is_empty() {
        problems.push(format!("not `METRIC:VALUE`: {}", malformed.join(", ")));
    }
    if vector.starts_with("CVSS:4.0/") {
        problems.extend(out_of_order(&seen));
    }
    if problems.is_empty() { Ok(()) } else { Err(problems.join("; ")) }
}

/// The first v4.0 metric written after one it should precede.
fn out_of_order(seen: &[&str]) -> Option<String> {
    let order: Vec<&str> = V4_BASE.iter().map(|m| m.0).chain(V4_MORE.iter().map(|(m, _)| m.0)).collect();
    let rank = |k: &str| order.iter().position(|o| *o == k);
    let (before, after) = seen.windows(2).map(|w| (w[0], w[1])).find(|(a, b)| rank(a) > rank(b))?;
    Some(format!(
        "v4.0 metrics must be in the specification's order ({}): `{after}` comes before `{before}`",
        order.join(", ")
    ))
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// A metric: abbreviation, JSON name (FIRST's schemas), values (abbreviation, JSON value).
type Metric = (&'static str, &'static str, &'static [(&'static str, &'static str)]);

/// Which score a non-base metric feeds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Group {
    /// v3.1 temporal, v4.0 threat.
    First,
    Environmental,
    /// v4.0 supplemental: describes, scores nothing.
    Supplemental,
}

type Grouped = (Metric, Group);

const IMPACT: &[(&str, &str)] = &[("N", "NONE"), ("L", "LOW"), ("H", "HIGH")];
const X: (&str, &str) = ("X", "NOT_DEFINED");
const MOD_IMPACT: &[(&str, &str)] = &[("N", "NONE"), ("L", "LOW"), ("H", "HIGH"), X];
const REQUIREMENT: &[(&str, &str)] = &[("L", "LOW"), ("M", "MEDIUM"), ("H", "HIGH"), X];

const V3_BASE: &[Metric] = &[
    ("AV", "attackVector", &[("N", "NETWORK"), ("A", "ADJACENT_NETWORK"), ("L", "LOCAL"), ("P", "PHYSICAL")]),
    ("AC", "attackComplexity", &[("L", "LOW"), ("H", "HIGH")]),
    ("PR", "privilegesRequired", IMPACT),
    ("UI", "userInteraction", &[("N", "NONE"), ("R", "REQUIRED")]),
    ("S", "scope", &[("U", "UNCHANGED"), ("C", "CHANGED")]),
    ("C", "confidentialityImpact", IMPACT),
    ("I", "integrityImpact", IMPACT),
    ("A", "availabilityImpact", IMPACT),
];

/// v3.1 temporal and environmental metrics.
const V3_MORE: &[Grouped] = &[
    (
        (
            "E",
            "exploitCodeMaturity",
            &[("U", "UNPROVEN"), ("P", "PROOF_OF_CONCEPT"), ("F", "FUNCTIONAL"), ("H", "HIGH"), X],
        ),
        Group::First,
    ),
    (
        (
            "RL",
            "remediationLevel",
            &[("O", "OFFICIAL_FIX"), ("T", "TEMPORARY_FIX"), ("W", "WORKAROUND"), ("U", "UNAVAILABLE"), X],
        ),
        Group::First,
    ),
    (("RC", "reportConfidence", &[("U", "UNKNOWN"), ("R", "REASONABLE"), ("C", "CONFIRMED"), X]), Group::First),
    (("CR", "confidentialityRequirement", REQUIREMENT), Group::Environmental),
    (("IR", "integrityRequirement", REQUIREMENT), Group::Environmental),
    (("AR", "availabilityRequirement", REQUIREMENT), Group::Environmental),
    (
        (
            "MAV",
            "modifiedAttackVector",
            &[("N", "NETWORK"), ("A", "ADJACENT_NETWORK"), ("L", "LOCAL"), ("P", "PHYSICAL"), X],
        ),
        Group::Environmental,
    ),
    (("MAC", "modifiedAttackComplexity", &[("L", "LOW"), ("H", "HIGH"), X]), Group::Environmental),
    (("MPR", "modifiedPrivilegesRequired", MOD_IMPACT), Group::Environmental),
    (("MUI", "modifiedUserInteraction", &[("N", "NONE"), ("R", "REQUIRED"), X]), Group::Environmental),
    (("MS", "modifiedScope", &[("U", "UNCHANGED"), ("C", "CHANGED"), X]), Group::Environmental),
    (("MC", "modifiedConfidentialityImpact", MOD_IMPACT), Group::Environmental),
    (("MI", "modifiedIntegrityImpact", MOD_IMPACT), Group::Environmental),
    (("MA", "modifiedAvailabilityImpact", MOD_IMPACT), Group::Environmental),
];

const V4_BASE: &[Metric] = &[
    ("AV", "attackVector", &[("N", "NETWORK"), ("A", "ADJACENT"), ("L", "LOCAL"), ("P", "PHYSICAL")]),
    ("AC", "attackComplexity", &[("L", "LOW"), ("H", "HIGH")]),
    ("AT", "attackRequirements", &[("N", "NONE"), ("P", "PRESENT")]),
    ("PR", "privilegesRequired", IMPACT),
    ("UI", "userInteraction", &[("N", "NONE"), ("P", "PASSIVE"), ("A", "ACTIVE")]),
    ("VC", "vulnConfidentialityImpact", IMPACT),
    ("VI", "vulnIntegrityImpact", IMPACT),
    ("VA", "vulnAvailabilityImpact", IMPACT),
    ("SC", "subConfidentialityImpact", IMPACT),
    ("SI", "subIntegrityImpact", IMPACT),
    ("SA", "subAvailabilityImpact", IMPACT),
];

const MOD_SUB_SAFETY: &[(&str, &str)] = &[("N", "NONE"), ("L", "LOW"), ("H", "HIGH"), ("S", "SAFETY"), X];

/// v4.0 threat, environmental and supplemental metrics (names as in FIRST's schema, which
/// capitalises `Safety`, `Automatable` and `Recovery`).
const V4_MORE: &[Grouped] = &[
    (("E", "exploitMaturity", &[("A", "ATTACKED"), ("P", "PROOF_OF_CONCEPT"), ("U", "UNREPORTED"), X]), Group::First),
    (("CR", "confidentialityRequirement", REQUIREMENT), Group::Environmental),
    (("IR", "integrityRequirement", REQUIREMENT), Group::Environmental),
    (("AR", "availabilityRequirement", REQUIREMENT), Group::Environmental),
    (
        ("MAV", "modifiedAttackVector", &[("N", "NETWORK"), ("A", "ADJACENT"), ("L", "LOCAL"), ("P", "PHYSICAL"), X]),
        Group::Environmental,
    ),
    (("MAC", "modifiedAttackComplexity", &[("L", "LOW"), ("H", "HIGH"), X]), Group::Environmental),
    (("MAT", "modifiedAttackRequirements", &[("N", "NONE"), ("P", "PRESENT"), X]), Group::Environmental),
    (("MPR", "modifiedPrivilegesRequired", MOD_IMPACT), Group::Environmental),
    (("MUI", "modifiedUserInteraction", &[("N", "NONE"), ("P", "PASSIVE"), ("A", "ACTIVE"), X]), Group::Environmental),
    (("MVC", "modifiedVulnConfidentialityImpact", MOD_IMPACT), Group::Environmental),
    (("MVI", "modifiedVulnIntegrityImpact", MOD_IMPACT), Group::Environmental),
    (("MVA", "modifiedVulnAvailabilityImpact", MOD_IMPACT), Group::Environmental),
    (("MSC", "modifiedSubConfidentialityImpact", MOD_IMPACT), Group::Environmental),
    (("MSI", "modifiedSubIntegrityImpact", MOD_SUB_SAFETY), Group::Environmental),
    (("MSA", "modifiedSubAvailabilityImpact", MOD_SUB_SAFETY), Group::Environmental),
    (("S", "Safety", &[("N", "NEGLIGIBLE"), ("P", "PRESENT"), X]), Group::Supplemental),
    (("AU", "Automatable", &[("N", "NO"), ("Y", "YES"), X]), Group::Supplemental),
    (("R", "Recovery", &[("A", "AUTOMATIC"), ("U", "USER"), ("I", "IRRECOVERABLE"), X]), Group::Supplemental),
    (("V", "valueDensity", &[("D", "DIFFUSE"), ("C", "CONCENTRATED"), X]), Group::Supplemental),
    (("RE", "vulnerabilityResponseEffort", &[("L", "LOW"), ("M", "MODERATE"), ("H", "HIGH"), X]), Group::Supplemental),
    (
        ("U", "providerUrgency", &[("Clear", "CLEAR"), ("Green", "GREEN"), ("Amber", "AMBER"), ("Red", "RED"), X]),
        Group::Supplemental,
    ),
];

/// One metric a vector gives: its abbreviation and FIRST's JSON name, its group, and the
/// value's abbreviation and FIRST's JSON value (`AV`, `attackVector`, `Base`, `N`, `NETWORK`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GivenMetric {
    pub key: &'static str,
    pub name: &'static str,
    /// `Base`; `Temporal` (v3.1) or `Threat` (v4.0); `Environmental`; `Supplemental` (v4.0).
    pub group: &'static str,
    pub value: &'static str,
    pub value_name: &'static str,
}

/// Every metric of a valid v3.1 or v4.0 vector, in the order written; `None` for a vector
/// [`assess`] refuses.
pub fn given_metrics(vector: &str) -> Option<Vec<GivenMetric>> {
    let vector = vector.trim();
    let version = assess(vector).ok()?.version;
    let (base, more, first) = match version {
        CvssVersion::V3_1 => (V3_BASE, V3_MORE, "Temporal"),
        CvssVersion::V4_0 => (V4_BASE, V4_MORE, "Threat"),
    };
    let group = |g: Group| match g {
        Group::First => first,
        Group::Environmental => "Environmental",
        Group::Supplemental => "Supplemental",
    };
    let known = base.iter().map(|m| (m, "Base")).chain(more.iter().map(|(m, g)| (m, group(*g))));
    let known: Vec<(&Metric, &str)> = known.collect();
    let given = vector.split('/').skip(1).filter_map(|part| {
        let (key, value) = part.split_once(':')?;
        let ((key, name, values), group) = known.iter().find(|((k, _, _), _)| *k == key)?;
        let (value, value_name) = values.iter().find(|(v, _)| *v == value)?;
        Some(GivenMetric { key, name, group, value, value_name })
    });
    Some(given.collect())
}

/// The vector as FIRST's CVSS JSON (`cvss-v3.1.json`, `cvss-v4.0.json`): version, vector string,
/// a property for every metric the vector gives, and its scores. `None` when the vector is
/// not a valid v3.1 or v4.0 vector.
///
/// v3.1: `baseScore` is the base score; `temporalScore` and `environmentalScore` (with their
/// severities) follow when the vector gives such metrics. v4.0: `baseScore` is the score of
/// the vector as written, the only score FIRST's v4.0 schema has (revision 2 of 2026-02-26
/// removed `threatScore` and `environmentalScore`, and the CVE 5.1.1 schema rejects them):
/// for a vector with threat or environmental metrics that is its CVSS-BT/BE/BTE score, as
/// FIRST's calculator shows it, and the metric properties say which.
pub fn to_json(vector: &str) -> Option<serde_json::Value> {
    let vector = vector.trim();
    let a = assess(vector).ok()?;
    let (base, more) = match a.version {
        CvssVersion::V3_1 => (V3_BASE, V3_MORE),
        CvssVersion::V4_0 => (V4_BASE, V4_MORE),
    };
    let mut out = serde_json::Map::new();
    out.insert("version".into(), a.version.as_str().into());
    out.insert("vectorString".into(), vector.into());
    for part in vector.split('/').skip(1) {
        let Some((key, value)) = part.split_once(':') else { continue };
        let metric = base.iter().chain(more.iter().map(|(m, _)| m)).find(|(k, _, _)| *k == key);
        if let Some((_, name, values)) = metric
            && let Some((_, text)) = values.iter().find(|(v, _)| *v == value)
        {
            out.insert((*name).into(), (*text).into());
        }
    }
    let mut score = |field: &str, r: Rated| {
        out.insert(format!("{field}Score"), r.score.into());
        out.insert(format!("{field}Severity"), r.level.as_str().to_uppercase().into());
    };
    match a.overall {
        Some((_, whole)) => score("base", whole),
        None => score("base", Rated { score: a.score, level: a.level }),
    }
    a.temporal.into_iter().for_each(|r| score("temporal", r));
    a.environmental.into_iter().for_each(|r| score("environmental", r));
    Some(serde_json::Value::Object(out))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn given_metrics_name_every_metric_and_its_group() {
        let m = given_metrics("CVSS:3.1/AV:A/AC:L/PR:N/UI:R/S:C/C:H/I:L/A:N/E:P").expect("valid");
        assert_eq!(m.len(), 9);
        assert_eq!(
            m[0],
            GivenMetric { key: "AV", name: "attackVector", group: "Base", value: "A", value_name: "ADJACENT_NETWORK" }
        );
        assert_eq!((m[8].name, m[8].group, m[8].value_name), ("exploitCodeMaturity", "Temporal", "PROOF_OF_CONCEPT"));
        let v4 = given_metrics("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/E:A/AU:Y").expect("v4");
        assert_eq!((v4[5].name, v4[5].group), ("vulnConfidentialityImpact", "Base"));
        assert_eq!((v4[11].group, v4[12].group, v4[12].value_name), ("Threat", "Supplemental", "YES"));
        assert!(given_metrics("CVSS:3.1/AV:N").is_none());
    }

    #[test]
    fn scores_v31_and_v40() {
        let a = assess("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H").expect("v3.1");
        assert_eq!((a.version, a.score, a.level), (CvssVersion::V3_1, 9.8, Level::Critical));
        let b = assess("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N").expect("v4.0");
        assert_eq!((b.version, b.level), (CvssVersion::V4_0, Level::Critical));
        assert!(assess("CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H").is_err());
        assert!(assess("CVSS:3.1/AV:X").is_err());
        assert!(assess("nonsense").is_err());
    }

    #[test]
    fn incomplete_duplicated_and_unknown_metrics_are_named() {
        let e = assess("CVSS:3.1/AV:N/AC:L").unwrap_err();
        assert!(e.contains("missing base metrics PR, UI, S, C, I, A"), "{e}");
        let e = assess("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H").unwrap_err();
        assert!(e.contains("missing base metrics SC, SI, SA"), "{e}");
        for (v, needle) in [
            ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/AV:L", "more than once: AV"),
            ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/XX:Y", "unknown metric XX"),
            ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/", "not `METRIC:VALUE`"),
            ("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/SA:H", "more than once: SA"),
            ("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/S:Q/C:H", "unknown metric C"),
            ("CVSS:4.0/AC:L/AV:N/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N", "`AV` comes before `AC`"),
            ("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/CR:H/E:U", "`E` comes before `CR`"),
        ] {
            let e = assess(v).unwrap_err();
            assert!(e.contains(needle), "{v}: {e}");
        }
        // v3.1 metrics may come in any order (FIRST's v3.1 schema allows it).
        assert!(assess("CVSS:3.1/AC:L/AV:N/PR:N/UI:N/S:U/C:H/I:H/A:H").is_ok());
        // Temporal, environmental and supplemental metrics stay accepted.
        assert!(assess("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/E:P/RL:O/RC:C/MAV:L").is_ok());
        assert!(assess("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/E:A/S:P").is_ok());
    }

    /// The example: threat and environmental metrics lower the whole vector's score to
    /// 0.3, its base metrics score 6.1 (FIRST's calculator and PyPI `cvss` 3.6 agree).
    #[test]
    fn v40_base_score_is_the_base_metrics_alone() {
        let v = "CVSS:4.0/AV:A/AC:H/AT:N/PR:L/UI:P/VC:L/VI:H/VA:L/SC:H/SI:H/SA:H/E:U/IR:H/MAV:A/MAT:N/MUI:P/MVI:N/MSA:N/R:I";
        let a = assess(v).expect("v4.0");
        assert_eq!((a.score, a.level), (6.1, Level::Medium));
        assert_eq!(a.overall, Some((Nomenclature::BTE, Rated { score: 0.3, level: Level::Low })));
        assert_eq!(a.describe(), "CVSS-B 6.1 medium, CVSS-BTE 0.3 low");
        let j = to_json(v).expect("json");
        assert_eq!((j["baseScore"].as_f64(), j["baseSeverity"].as_str()), (Some(0.3), Some("LOW")));
        for (key, value) in [
            ("exploitMaturity", "UNREPORTED"),
            ("integrityRequirement", "HIGH"),
            ("modifiedAttackVector", "ADJACENT"),
            ("modifiedSubAvailabilityImpact", "NONE"),
            ("Recovery", "IRRECOVERABLE"),
        ] {
            assert_eq!(j[key], value, "{key}");
        }
        assert!(j.get("threatScore").is_none() && j.get("environmentalScore").is_none(), "{j}");
        // Threat only, environmental only; `X` and supplemental metrics change nothing.
        let b = "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:H/SI:H/SA:H";
        assert_eq!(assess(&format!("{b}/E:P")).expect("bt").overall.map(|o| o.0), Some(Nomenclature::BT));
        assert_eq!(assess(&format!("{b}/CR:L")).expect("be").overall.map(|o| o.0), Some(Nomenclature::BE));
        let plain = assess(&format!("{b}/E:X/MAV:X/S:P/U:Red")).expect("x");
        assert_eq!((plain.score, plain.overall), (10.0, None));
        assert_eq!(to_json(&format!("{b}/E:P")).expect("json")["baseScore"].as_f64(), Some(9.3));
    }

    #[test]
    fn v31_temporal_and_environmental_scores_in_their_fields() {
        let v = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/E:P/RL:O/CR:H/MAV:L";
        let a = assess(v).expect("v3.1");
        assert_eq!((a.score, a.level), (9.8, Level::Critical));
        assert_eq!(a.temporal, Some(Rated { score: 8.8, level: Level::High }));
        assert_eq!(a.environmental, Some(Rated { score: 7.6, level: Level::High }));
        assert_eq!(a.describe(), "base 9.8 critical, temporal 8.8 high, environmental 7.6 high");
        let j = to_json(v).expect("json");
        for (key, value) in [
            ("baseScore", serde_json::json!(9.8)),
            ("temporalScore", serde_json::json!(8.8)),
            ("temporalSeverity", serde_json::json!("HIGH")),
            ("environmentalScore", serde_json::json!(7.6)),
            ("exploitCodeMaturity", serde_json::json!("PROOF_OF_CONCEPT")),
            ("remediationLevel", serde_json::json!("OFFICIAL_FIX")),
            ("confidentialityRequirement", serde_json::json!("HIGH")),
            ("modifiedAttackVector", serde_json::json!("LOCAL")),
        ] {
            assert_eq!(j[key], value, "{key}");
        }
        let env_only = assess("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/E:X/MS:C").expect("env");
        assert_eq!((env_only.temporal, env_only.environmental.map(|r| r.score)), (None, Some(10.0)));
    }

    #[test]
    fn roundup_follows_appendix_a() {
        assert_eq!(roundup(4.0), 4.0);
        assert_eq!(roundup(4.000_000_000_01), 4.0);
        assert_eq!(roundup(4.02), 4.1);
        assert_eq!(roundup(0.400_006), 0.5);
    }

    #[test]
    fn json_objects_name_every_base_metric() {
        let v3 = to_json("CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:N").expect("v3.1");
        assert_eq!(v3["attackVector"], "NETWORK");
        assert_eq!(v3["privilegesRequired"], "LOW");
        assert_eq!((v3["baseScore"].as_f64(), v3["baseSeverity"].as_str()), (Some(8.1), Some("HIGH")));
        assert_eq!(v3.as_object().map(|o| o.len()), Some(12));
        let v4 = to_json("CVSS:4.0/AV:N/AC:L/AT:P/PR:N/UI:A/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N").expect("v4.0");
        assert_eq!((v4["version"].as_str(), v4["attackRequirements"].as_str()), (Some("4.0"), Some("PRESENT")));
        assert_eq!(v4["userInteraction"], "ACTIVE");
        assert_eq!(v4.as_object().map(|o| o.len()), Some(15));
        assert!(to_json("CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H").is_none());
    }
}
