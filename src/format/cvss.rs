//! CVSS vectors: parsing v3.1 and v4.0 and deriving the qualitative level.
//!
//! The arithmetic is the `cvss` crate's (the one RustSec uses); this module pins which
//! versions a report may carry and maps the crate's rating onto [`Level`]. [`to_json`] writes a
//! vector as FIRST's CVSS JSON object, which CSAF and CVE records embed.

use std::str::FromStr;

use crate::format::report::Level;

/// A parsed vector's version, score and level.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Assessment {
    pub version: CvssVersion,
    /// Base score, 0.0 to 10.0.
    pub score: f64,
    pub level: Level,
}

/// CVSS versions a report may use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CvssVersion {
    V3_1,
    V4_0,
}

/// Parses a CVSS v3.1 or v4.0 vector string. A vector must name every base metric of its
/// version exactly once and no metric the version does not define ([`check_metrics`]): the
/// `cvss` crate alone scores an incomplete v3.1 vector as 0.0.
pub fn assess(vector: &str) -> Result<Assessment, String> {
    let vector = vector.trim();
    check_metrics(vector).map_err(|e| format!("not a valid CVSS vector: {e}"))?;
    let parsed = ::cvss::Cvss::from_str(vector).map_err(|e| format!("not a valid CVSS vector: {e}"))?;
    let version = match parsed {
        ::cvss::Cvss::CvssV31(_) => CvssVersion::V3_1,
        ::cvss::Cvss::CvssV40(_) => CvssVersion::V4_0,
        _ => {
            return Err("only CVSS v3.1 (`CVSS:3.1/…`) and v4.0 (`CVSS:4.0/…`) vectors are accepted".into());
        }
    };
    let level = match parsed.severity() {
        ::cvss::Severity::None => Level::None,
        ::cvss::Severity::Low => Level::Low,
        ::cvss::Severity::Medium => Level::Medium,
        ::cvss::Severity::High => Level::High,
        ::cvss::Severity::Critical => Level::Critical,
    };
    Ok(Assessment { version, score: parsed.score(), level })
}

/// Metrics a v3.1 vector may carry beyond the base ones (temporal and environmental).
const V3_OTHER: &[&str] = &["E", "RL", "RC", "CR", "IR", "AR", "MAV", "MAC", "MPR", "MUI", "MS", "MC", "MI", "MA"];

/// Metrics a v4.0 vector may carry beyond the base ones (threat, environmental, supplemental).
const V4_OTHER: &[&str] = &[
    "E", "CR", "IR", "AR", "MAV", "MAC", "MAT", "MPR", "MUI", "MVC", "MVI", "MVA", "MSC", "MSI", "MSA", "S", "AU", "R",
    "V", "RE", "U",
];

/// The vector's structure: a `CVSS:3.1/` or `CVSS:4.0/` prefix, then `METRIC:VALUE` parts,
/// each metric known to the version and given once, every base metric present. Values are
/// left to the `cvss` crate. The error names every missing, duplicated and unknown metric.
fn check_metrics(vector: &str) -> Result<(), String> {
    let (rest, base, other) = if let Some(rest) = vector.strip_prefix("CVSS:3.1/") {
        (rest, V3_BASE, V3_OTHER)
    } else if let Some(rest) = vector.strip_prefix("CVSS:4.0/") {
        (rest, V4_BASE, V4_OTHER)
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
        if !base.iter().any(|(k, _, _)| *k == key) && !other.contains(&key) {
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
    if problems.is_empty() { Ok(()) } else { Err(problems.join("; ")) }
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// Base metrics of v3.1: abbreviation, JSON name, values (abbreviation, JSON value).
type Metric = (&'static str, &'static str, &'static [(&'static str, &'static str)]);

const IMPACT: &[(&str, &str)] = &[("N", "NONE"), ("L", "LOW"), ("H", "HIGH")];

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

/// The vector as FIRST's CVSS JSON (`cvss-v3.1.json`, `cvss-v4.0.json`): version, vector string,
/// base metrics, base score and severity. Other metrics stay in the vector string only.
/// `None` when the vector is not a valid v3.1 or v4.0 vector.
pub fn to_json(vector: &str) -> Option<serde_json::Value> {
    let vector = vector.trim();
    let a = assess(vector).ok()?;
    let (version, table) = match a.version {
        CvssVersion::V3_1 => ("3.1", V3_BASE),
        CvssVersion::V4_0 => ("4.0", V4_BASE),
    };
    let mut out = serde_json::Map::new();
    out.insert("version".into(), version.into());
    out.insert("vectorString".into(), vector.into());
    for part in vector.split('/').skip(1) {
        let Some((key, value)) = part.split_once(':') else { continue };
        let metric = table.iter().find(|(k, _, _)| *k == key);
        if let Some((_, name, values)) = metric
            && let Some((_, text)) = values.iter().find(|(v, _)| *v == value)
        {
            out.insert((*name).into(), (*text).into());
        }
    }
    out.insert("baseScore".into(), a.score.into());
    out.insert("baseSeverity".into(), a.level.as_str().to_uppercase().into());
    Some(serde_json::Value::Object(out))
}

#[cfg(test)]
mod tests {
    use super::*;

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
        ] {
            let e = assess(v).unwrap_err();
            assert!(e.contains(needle), "{v}: {e}");
        }
        // Temporal, environmental and supplemental metrics stay accepted.
        assert!(assess("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/E:P/RL:O/RC:C/MAV:L").is_ok());
        assert!(assess("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/E:A/S:P").is_ok());
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
