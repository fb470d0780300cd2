//! SSVC decisions: the decision tree as data, a report's decision record, and the outcome the
//! tree gives for the record's values.
//!
//! A tree file is CERT/CC's own decision table JSON (what `certcc-ssvc` writes with
//! `DecisionTable.model_dump_json()`): one table, or a list of tables whose last one is the
//! decision and whose earlier ones derive its inputs (the supplier tree's `Utility` comes from
//! `Automatable` and `Value Density`). The CERT/CC supplier tree is bundled
//! (`ssvc/supplier.json`, from `certcc-ssvc` 2026.10.0); a repository may name its own file
//! in `enigm.yaml` (`policy.ssvc_tree`). In a report, a decision point is named by its name in
//! snake case (`public_safety_impact`) and a value by its name in kebab case (`public-poc`).

use std::collections::BTreeMap;
use std::fmt;
use std::sync::{Arc, LazyLock};

use chrono::{DateTime, FixedOffset};
use serde::de::{MapAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize};

/// The bundled CERT/CC supplier tree (`ssvc:DT_U:1.0.0` then `ssvc:DT_SP:1.0.0`).
pub const SUPPLIER_TREE: &str = include_str!("ssvc/supplier.json");

static BUNDLED: LazyLock<Arc<Tree>> =
    LazyLock::new(|| Arc::new(Tree::parse(SUPPLIER_TREE).expect("the bundled SSVC tree parses")));

/// A report's SSVC decision record (`ssvc:` in the front matter).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Decision {
    /// The tree's id (`ssvc:DT_SP:1.0.0`); the configured tree's when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tree: Option<String>,
    /// Decision point (snake case name) → value (kebab case name).
    pub values: BTreeMap<String, String>,
    /// The outcome recorded (kebab case name: `defer`, `scheduled`, `out-of-cycle`, `immediate`).
    pub outcome: String,
    /// Who decided.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub by: Option<String>,
    /// When, with its UTC offset (RFC 3339).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decided: Option<DateTime<FixedOffset>>,
}

/// A decision tree: tables in order, the last one giving the outcome.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tree {
    pub tables: Vec<Table>,
}

/// One CERT/CC decision table.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Table {
    pub namespace: String,
    pub key: String,
    pub version: String,
    pub name: String,
    /// The decision points by id (`ssvc:E:1.1.0`), in file order; one of them is the outcome.
    #[serde(deserialize_with = "ordered")]
    pub decision_points: Vec<(String, Point)>,
    /// The id of the outcome decision point.
    pub outcome: String,
    /// Every combination: decision point id → value key.
    pub mapping: Vec<BTreeMap<String, String>>,
}

/// One decision point and its values.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Point {
    pub key: String,
    pub version: String,
    pub name: String,
    pub values: Vec<PointValue>,
}

/// One value of a decision point.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct PointValue {
    pub key: String,
    pub name: String,
}

/// What is wrong with a record against a tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// `values` names a decision point the tree does not have.
    UnknownPoint { field: String, known: Vec<String> },
    /// A value that is not one of the point's.
    UnknownValue { field: String, value: String, known: Vec<String> },
    /// A point the tree needs has no value (and cannot be derived).
    Missing { field: String },
    /// A point given and derived from other values disagrees with its derivation.
    Conflict { field: String, given: String, derived: String },
    /// The tree has no row for these values.
    NoRow,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Problem::UnknownPoint { field, known } => {
                write!(f, "`{field}` is not a decision point of the tree (expected: {})", known.join(", "))
            }
            Problem::UnknownValue { field, value, known } => {
                write!(f, "`{field}: {value}` is not a value of the point (expected one of: {})", known.join(", "))
            }
            Problem::Missing { field } => write!(f, "the tree needs a value for `{field}`"),
            Problem::Conflict { field, given, derived } => {
                write!(f, "`{field}: {given}` disagrees with the `{derived}` the other values give")
            }
            Problem::NoRow => f.write_str("the tree has no outcome for these values"),
        }
    }
}

/// The outcome of a record and the full set of values it used (given and derived).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Evaluation {
    /// The outcome's kebab case name.
    pub outcome: String,
    /// Every decision point of the tree with its value, in tree order: (point, value) as
    /// (name, value name) pairs, derived ones included.
    pub values: Vec<(String, String)>,
}

impl Tree {
    /// The bundled CERT/CC supplier tree.
    pub fn bundled() -> Arc<Tree> {
        Arc::clone(&BUNDLED)
    }

    /// Parses a tree file: one decision table or a non-empty list of them.
    pub fn parse(text: &str) -> Result<Tree, String> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum OneOrMany {
            Many(Vec<Table>),
            One(Box<Table>),
        }
        let tables = match serde_json::from_str::<OneOrMany>(text).map_err(|e| e.to_string())? {
            OneOrMany::Many(t) => t,
            OneOrMany::One(t) => vec![*t],
        };
        let tree = Tree { tables };
        tree.check().map(|()| tree)
    }

    fn check(&self) -> Result<(), String> {
        let Some(_) = self.tables.last() else { return Err("the tree file holds no decision table".into()) };
        for t in &self.tables {
            if t.point(&t.outcome).is_none() {
                return Err(format!(
                    "table `{}`: its outcome `{}` is not one of its decision points",
                    t.id(),
                    t.outcome
                ));
            }
            for row in &t.mapping {
                for (id, key) in row {
                    let point = t.point(id).ok_or_else(|| format!("table `{}`: a row names `{id}`", t.id()))?;
                    if !point.values.iter().any(|v| &v.key == key) {
                        return Err(format!("table `{}`: a row gives `{id}` the unknown value `{key}`", t.id()));
                    }
                }
            }
        }
        Ok(())
    }

    /// The decision table: the last one.
    pub fn main(&self) -> &Table {
        self.tables.last().expect("a parsed tree has a table")
    }

    /// The tree's id: its decision table's (`ssvc:DT_SP:1.0.0`).
    pub fn id(&self) -> String {
        self.main().id()
    }

    /// The outcome point of the decision table.
    pub fn outcome_point(&self) -> &Point {
        let main = self.main();
        main.point(&main.outcome).expect("checked at parse")
    }

    /// The field names a record may give, in tree order (inputs of every table).
    pub fn fields(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for t in &self.tables {
            for (_, p) in t.inputs() {
                let f = field_name(&p.name);
                if !out.contains(&f) {
                    out.push(f);
                }
            }
        }
        out
    }

    /// The outcome `values` give, or every problem found.
    pub fn evaluate(&self, values: &BTreeMap<String, String>) -> Result<Evaluation, Vec<Problem>> {
        let fields = self.fields();
        let mut problems: Vec<Problem> = values
            .keys()
            .filter(|k| !fields.contains(k))
            .map(|k| Problem::UnknownPoint { field: k.clone(), known: fields.clone() })
            .collect();
        let mut used = Vec::new();
        let outcome = self.value_of(self.tables.len() - 1, values, &mut used, &mut problems);
        match outcome {
            Some(outcome) if problems.is_empty() => Ok(Evaluation { outcome, values: used }),
            _ => Err(problems),
        }
    }

    /// The outcome (value name) of table `index`.
    fn value_of(
        &self,
        index: usize,
        values: &BTreeMap<String, String>,
        used: &mut Vec<(String, String)>,
        problems: &mut Vec<Problem>,
    ) -> Option<String> {
        let table = &self.tables[index];
        let mut row = BTreeMap::new();
        let mut failed = false;
        for (id, point) in table.inputs() {
            let field = field_name(&point.name);
            let given = values.get(&field).and_then(|v| match point.value_named(v) {
                Some(pv) => Some(pv),
                None => {
                    problems.push(Problem::UnknownValue {
                        field: field.clone(),
                        value: v.clone(),
                        known: point.names(),
                    });
                    None
                }
            });
            let derived = self.tables[..index]
                .iter()
                .rposition(|t| &t.outcome == id)
                .filter(|at| {
                    self.tables[*at].inputs().all(|(_, p)| values.contains_key(&field_name(&p.name))) || given.is_none()
                })
                .and_then(|at| self.value_of(at, values, used, problems))
                .and_then(|name| point.value_named(&name));
            let value = match (given, derived) {
                (Some(g), Some(d)) if g.key != d.key => {
                    problems.push(Problem::Conflict {
                        field,
                        given: value_name(&g.name),
                        derived: value_name(&d.name),
                    });
                    failed = true;
                    continue;
                }
                (Some(v), _) | (None, Some(v)) => v,
                (None, None) => {
                    if !values.contains_key(&field) {
                        problems.push(Problem::Missing { field });
                    }
                    failed = true;
                    continue;
                }
            };
            used.push((field, value_name(&value.name)));
            row.insert(id.clone(), value.key.clone());
        }
        if failed {
            return None;
        }
        let outcome = table.point(&table.outcome).expect("checked at parse");
        let hit = table.mapping.iter().find(|m| row.iter().all(|(id, key)| m.get(id) == Some(key)));
        let Some(key) = hit.and_then(|m| m.get(&table.outcome)) else {
            problems.push(Problem::NoRow);
            return None;
        };
        outcome.values.iter().find(|v| &v.key == key).map(|v| value_name(&v.name))
    }
}

impl Table {
    /// `namespace:key:version`.
    pub fn id(&self) -> String {
        format!("{}:{}:{}", self.namespace, self.key, self.version)
    }

    fn point(&self, id: &str) -> Option<&Point> {
        self.decision_points.iter().find(|(i, _)| i == id).map(|(_, p)| p)
    }

    /// The decision points other than the outcome, in file order.
    pub fn inputs(&self) -> impl Iterator<Item = (&String, &Point)> {
        self.decision_points.iter().filter(|(id, _)| id != &self.outcome).map(|(id, p)| (id, p))
    }
}

impl Point {
    fn value_named(&self, name: &str) -> Option<PointValue> {
        self.values.iter().find(|v| value_name(&v.name) == name).cloned()
    }

    /// The value names as a report spells them.
    pub fn names(&self) -> Vec<String> {
        self.values.iter().map(|v| value_name(&v.name)).collect()
    }
}

/// A decision point's name as a report's key: `Public Safety Impact` → `public_safety_impact`.
pub fn field_name(name: &str) -> String {
    spelled(name, '_')
}

/// A value's name as a report spells it: `Public PoC` → `public-poc`.
pub fn value_name(name: &str) -> String {
    spelled(name, '-')
}

fn spelled(name: &str, sep: char) -> String {
    let words: Vec<String> =
        name.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).map(str::to_lowercase).collect();
    words.join(&sep.to_string())
}

/// Deserializes a JSON object into its entries in file order.
fn ordered<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<(String, Point)>, D::Error> {
    struct Entries;
    impl<'de> Visitor<'de> for Entries {
        type Value = Vec<(String, Point)>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("an object of decision points by id")
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            let mut out = Vec::new();
            while let Some(entry) = map.next_entry::<String, Point>()? {
                out.push(entry);
            }
            Ok(out)
        }
    }
    d.deserialize_map(Entries)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
    }

    #[test]
    fn the_bundled_tree_is_the_cert_cc_supplier_tree() {
        let tree = Tree::bundled();
        assert_eq!(tree.id(), "ssvc:DT_SP:1.0.0");
        assert_eq!(
            tree.fields(),
            ["automatable", "value_density", "exploitation", "utility", "technical_impact", "public_safety_impact"]
        );
        assert_eq!(tree.outcome_point().names(), ["defer", "scheduled", "out-of-cycle", "immediate"]);
        assert_eq!(tree.main().mapping.len(), 36);
    }

    #[test]
    fn utility_is_derived_from_automatable_and_value_density() {
        let tree = Tree::bundled();
        let all = values(&[
            ("exploitation", "active"),
            ("automatable", "yes"),
            ("value_density", "concentrated"),
            ("technical_impact", "total"),
            ("public_safety_impact", "significant"),
        ]);
        let got = tree.evaluate(&all).expect("evaluates");
        assert_eq!(got.outcome, "immediate");
        assert!(got.values.contains(&("utility".into(), "super-effective".into())), "{:?}", got.values);
        let none = values(&[
            ("exploitation", "none"),
            ("utility", "laborious"),
            ("technical_impact", "partial"),
            ("public_safety_impact", "minimal"),
        ]);
        assert_eq!(tree.evaluate(&none).expect("utility given").outcome, "defer");
    }

    #[test]
    fn problems_are_all_named() {
        let tree = Tree::bundled();
        let bad = values(&[
            ("exploitation", "activ"),
            ("automatable", "yes"),
            ("value_density", "diffuse"),
            ("utility", "super-effective"),
            ("public_safety", "minimal"),
        ]);
        let problems = tree.evaluate(&bad).unwrap_err();
        let text: Vec<String> = problems.iter().map(ToString::to_string).collect();
        assert!(text.iter().any(|t| t.contains("`public_safety` is not a decision point")), "{text:?}");
        assert!(text.iter().any(|t| t.contains("`exploitation: activ`")), "{text:?}");
        assert!(text.iter().any(|t| t.contains("disagrees with the `efficient`")), "{text:?}");
        assert!(text.iter().any(|t| t.contains("needs a value for `technical_impact`")), "{text:?}");
    }

    #[test]
    fn a_single_table_file_parses_and_a_broken_one_is_refused() {
        let one = serde_json::to_string(&serde_json::from_str::<serde_json::Value>(SUPPLIER_TREE).unwrap()[1]).unwrap();
        let tree = Tree::parse(&one).expect("one table");
        // serde_json::Value sorts the keys: the fields come in the file's order, sorted here.
        assert_eq!(tree.fields(), ["exploitation", "public_safety_impact", "technical_impact", "utility"]);
        assert!(Tree::parse("[]").unwrap_err().contains("no decision table"));
        assert!(Tree::parse(&one.replace("\"ssvc:DSOI:1.0.0\":\"I\"", "\"ssvc:DSOI:1.0.0\":\"Z\"")).is_err());
        assert!(Tree::parse("{").is_err());
    }

    #[test]
    fn names_are_spelled_for_yaml() {
        assert_eq!(field_name("Public Safety Impact"), "public_safety_impact");
        assert_eq!(value_name("Public PoC"), "public-poc");
        assert_eq!(value_name("Out-of-Cycle"), "out-of-cycle");
    }
}
