//! The public SSVC decision: what an advisory says of the report's decision, and its shape
//! in the exports that have a place for it.
//!
//! Only a decision the tree agrees with leaves (a record `validate` flags stays home), with
//! the points and values as CERT/CC names them and without `by` (a person). CVE records carry
//! it as `metrics[].other` of type `ssvc`, the shape CISA's ADP container uses (`id`, `role`,
//! `options`, `version`, `timestamp`); OSV in `database_specific.ssvc`; CSAF 2.0 has no SSVC
//! score (its `scores[]` hold CVSS only; `ssvc_v1` arrives with CSAF 2.1), so it carries none.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use crate::format::config::Config;
use crate::format::report::Report;
use crate::format::ssvc::{Tree, field_name, value_name};

/// The decision as an advisory shows it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PublicSsvc {
    /// The decision table's id (`ssvc:DT_SP:1.0.0`).
    pub tree: String,
    /// Its name (`Supplier Patch Development Priority`).
    pub name: String,
    /// Its version (`1.0.0`).
    pub version: String,
    /// The outcome as CERT/CC names it (`Immediate`).
    pub decision: String,
    /// The outcome as the report spells it (`immediate`).
    pub outcome: String,
    /// Every point with its value, CERT/CC names, in tree order (derived ones included).
    pub options: Vec<(String, String)>,
    /// When it was decided (RFC 3339), when the record says.
    pub timestamp: Option<String>,
}

/// The public decision of `report`, when it has one the tree agrees with.
pub fn public(report: &Report, config: &Config) -> Option<PublicSsvc> {
    let decision = report.ssvc.as_ref()?;
    let tree = config.ssvc();
    if decision.tree.as_deref().is_some_and(|t| t != tree.id()) {
        return None;
    }
    let got = tree.evaluate(&decision.values).ok().filter(|g| g.outcome == decision.outcome)?;
    let outcome_point = tree.outcome_point();
    let decision_name = outcome_point.values.iter().find(|v| value_name(&v.name) == got.outcome)?.name.clone();
    let options = got.values.iter().filter_map(|(f, v)| named(&tree, f, v)).collect();
    let main = tree.main();
    Some(PublicSsvc {
        tree: tree.id(),
        name: main.name.clone(),
        version: main.version.clone(),
        decision: decision_name,
        outcome: got.outcome,
        options,
        timestamp: decision.decided.map(|d| d.to_utc().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)),
    })
}

/// A (field, value) pair of the report as CERT/CC names them.
fn named(tree: &Tree, field: &str, value: &str) -> Option<(String, String)> {
    let point = tree
        .tables
        .iter()
        .flat_map(|t| t.decision_points.iter())
        .map(|(_, p)| p)
        .find(|p| field_name(&p.name) == field)?;
    let v = point.values.iter().find(|v| value_name(&v.name) == value)?;
    Some((point.name.clone(), v.name.clone()))
}

impl PublicSsvc {
    /// The `content` of the CVE `metrics[].other` (and of OSV's `database_specific.ssvc`).
    pub fn content(&self, id: &str) -> Value {
        let options: Vec<Value> = self
            .options
            .iter()
            .map(|(k, v)| {
                let mut m = Map::new();
                m.insert(k.clone(), json!(v));
                Value::Object(m)
            })
            .collect();
        let mut c = json!({
            "id": id,
            "role": self.name,
            "tree": self.tree,
            "version": self.version,
            "options": options,
            "decision": self.decision,
        });
        if let Some(t) = &self.timestamp {
            c["timestamp"] = json!(t);
        }
        c
    }

    /// The CVE record's metric: `{"other": {"type": "ssvc", "content": …}}`.
    pub fn cve_metric(&self, cve: &str) -> Value {
        json!({ "other": { "type": "ssvc", "content": self.content(cve) } })
    }
}
