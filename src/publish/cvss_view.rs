//! A CVSS vector broken down for readers: each metric it gives, by name, with its value's
//! name ("Attack vector: Network"), for the advisory page. The metric tables are
//! [`crate::format::cvss`]'s (FIRST's JSON names); this module only turns them into words.

use serde::{Deserialize, Serialize};

use crate::format::cvss::given_metrics;

/// One metric of a vector as the page shows it (documented in `docs/templates.md`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublicMetric {
    /// `AV`.
    pub key: String,
    /// `Attack vector`.
    pub name: String,
    /// `N`.
    pub value: String,
    /// `Network`.
    pub value_name: String,
    /// `Base`, `Temporal` (v3.1), `Threat` (v4.0), `Environmental` or `Supplemental`.
    pub group: String,
}

/// The metrics of a valid vector, in the order written (empty for an invalid one).
pub fn metrics(vector: &str) -> Vec<PublicMetric> {
    given_metrics(vector)
        .unwrap_or_default()
        .into_iter()
        .map(|m| PublicMetric {
            key: m.key.to_owned(),
            name: metric_name(m.name),
            value: m.value.to_owned(),
            value_name: sentence(&m.value_name.replace('_', " ")),
            group: m.group.to_owned(),
        })
        .collect()
}

/// FIRST's JSON name in words, with the specification's wording for v4.0's system prefixes:
/// `vulnConfidentialityImpact` → `Vulnerable system confidentiality impact`.
fn metric_name(json: &str) -> String {
    let mut words = String::new();
    for c in json.chars() {
        if c.is_uppercase() && !words.is_empty() {
            words.push(' ');
        }
        words.push(c);
    }
    let words = words.to_lowercase();
    let expanded = match words.split_once(' ') {
        Some(("vuln", rest)) => format!("vulnerable system {rest}"),
        Some(("sub", rest)) => format!("subsequent system {rest}"),
        Some(("modified", rest)) => format!(
            "modified {}",
            rest.replacen("vuln ", "vulnerable system ", 1).replacen("sub ", "subsequent system ", 1)
        ),
        _ => words,
    };
    sentence(&expanded)
}

/// Lowercase with a capital first letter.
fn sentence(text: &str) -> String {
    let lower = text.to_lowercase();
    let mut chars = lower.chars();
    chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metrics_read_as_words() {
        let m = metrics("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H");
        let pairs: Vec<(&str, &str)> = m.iter().map(|m| (m.name.as_str(), m.value_name.as_str())).collect();
        assert_eq!(
            pairs,
            [
                ("Attack vector", "Network"),
                ("Attack complexity", "Low"),
                ("Privileges required", "None"),
                ("User interaction", "None"),
                ("Scope", "Unchanged"),
                ("Confidentiality impact", "High"),
                ("Integrity impact", "High"),
                ("Availability impact", "High"),
            ]
        );
        let v4 = metrics("CVSS:4.0/AV:N/AC:L/AT:P/PR:N/UI:P/VC:H/VI:H/VA:H/SC:L/SI:N/SA:N/E:P/MSI:S/S:P");
        let names: Vec<&str> = v4.iter().map(|m| m.name.as_str()).collect();
        assert_eq!(names[2], "Attack requirements");
        assert_eq!(names[5], "Vulnerable system confidentiality impact");
        assert_eq!(names[8], "Subsequent system confidentiality impact");
        assert_eq!(
            (names[11], v4[11].value_name.as_str(), v4[11].group.as_str()),
            ("Exploit maturity", "Proof of concept", "Threat")
        );
        assert_eq!((names[12], v4[12].value_name.as_str()), ("Modified subsequent system integrity impact", "Safety"));
        assert_eq!((names[13], v4[13].group.as_str()), ("Safety", "Supplemental"));
        assert!(metrics("CVSS:3.1/AV:N").is_empty());
    }
}
