//! JSON Schema validation of report front matter and of `enigm.yaml`.
//!
//! The schemas ship in `schemas/` and are embedded in the binary; each is compiled once per
//! process. Both check the JSON value a [`LocatedYaml`] computed when it was parsed (the same
//! value serde then types). Errors become located findings: an unknown key points at the key
//! (with the closest known key as a suggestion), anything else at the offending value.

use std::path::Path;
use std::sync::OnceLock;

use jsonschema::error::ValidationErrorKind;
use jsonschema::{ValidationError, Validator};
use serde_json::Value;

use crate::format::finding::{Code, Finding};
use crate::format::located::LocatedYaml;
use crate::format::yaml::{SpanMap, pointer_to_path};

/// The report front matter schema (`schemas/report.schema.json`).
pub const REPORT_SCHEMA: &str = include_str!("../../schemas/report.schema.json");
/// The configuration schema (`schemas/config.schema.json`).
pub const CONFIG_SCHEMA: &str = include_str!("../../schemas/config.schema.json");

fn compile(text: &str) -> Validator {
    // The embedded schemas are tested to parse and compile; a failure here is a build bug.
    let schema: Value = serde_json::from_str(text).expect("embedded schema is valid JSON");
    jsonschema::draft202012::options().should_validate_formats(true).build(&schema).expect("embedded schema compiles")
}

fn report_validator() -> &'static Validator {
    static V: OnceLock<Validator> = OnceLock::new();
    V.get_or_init(|| compile(REPORT_SCHEMA))
}

fn config_validator() -> &'static Validator {
    static V: OnceLock<Validator> = OnceLock::new();
    V.get_or_init(|| compile(CONFIG_SCHEMA))
}

/// The schema a document is checked against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Schema {
    /// A report's front matter.
    Report,
    /// `enigm.yaml`.
    Config,
}

impl Schema {
    /// Every schema finding of `doc`, the YAML of the file at `path`. A problem of the
    /// document as a whole points at `doc.root` or, for a file that is all YAML, at its start.
    pub fn check(self, path: &Path, doc: &LocatedYaml) -> Vec<Finding> {
        let (validator, code_prefix) = match self {
            Schema::Report => (report_validator(), ""),
            Schema::Config => (config_validator(), "config-"),
        };
        // Most files are valid: the short-circuiting check first, the span map only on errors.
        if validator.is_valid(&doc.value) {
            return Vec::new();
        }
        let at = Located { path, spans: doc.spans(), root: doc.root.clone().unwrap_or(0..0) };
        validator.iter_errors(&doc.value).flat_map(|error| findings_for(&error, &at, code_prefix)).collect()
    }
}

/// Where findings should point when a path has no span (the root, for instance).
struct Located<'a> {
    path: &'a Path,
    spans: &'a SpanMap,
    /// Span used for the root object (e.g. the opening fence).
    root: std::ops::Range<usize>,
}

fn findings_for(error: &ValidationError<'_>, at: &Located<'_>, code_prefix: &str) -> Vec<Finding> {
    let path = pointer_to_path(error.instance_path().as_str());
    let value_span = |p: &str| match at.spans.nearest(p) {
        Some(("", _)) | None => at.root.clone(),
        Some((_, s)) => s.value.clone(),
    };
    let code = |c: Code| -> Code {
        match (code_prefix, c) {
            ("config-", Code::UnknownField) => Code::ConfigUnknownKey,
            ("config-", _) => Code::ConfigInvalid,
            _ => c,
        }
    };
    let field = |p: &str| match (p.is_empty(), code_prefix) {
        (true, "config-") => "the configuration".to_owned(),
        (true, _) => "front matter".to_owned(),
        _ => format!("`{p}`"),
    };
    match error.kind() {
        ValidationErrorKind::AdditionalProperties { unexpected } => unexpected
            .iter()
            .map(|key| {
                let child = if path.is_empty() { key.clone() } else { format!("{path}.{key}") };
                let span = at.spans.get(&child).and_then(|s| s.key.clone()).unwrap_or_else(|| value_span(&path));
                let known = known_keys(error.schema_path().as_str(), code_prefix);
                let mut f = Finding::error(
                    code(Code::UnknownField),
                    at.path,
                    Some(span),
                    format!("unknown field `{key}` in {}", field(&path)),
                );
                f.help = Some(match closest(key, &known) {
                    Some(k) => format!("did you mean `{k}`?"),
                    None => format!("known fields: {}", known.join(", ")),
                });
                f
            })
            .collect(),
        ValidationErrorKind::Required { property } => {
            let name = property.as_str().unwrap_or_default();
            let f = Finding::error(
                code(Code::MissingField),
                at.path,
                Some(value_span(&path)),
                format!("{} is missing the required field `{name}`", field(&path)),
            )
            .with_help(format!("add `{name}:` (see docs/format.md)"));
            vec![f]
        }
        ValidationErrorKind::Enum { options } => {
            let allowed: Vec<String> = options
                .as_array()
                .map(|a| a.iter().filter_map(|v| v.as_str().map(str::to_owned)).collect())
                .unwrap_or_default();
            let one_of = format!("use one of: {}", allowed.join(", "));
            let help = match error.instance().as_str().and_then(|typed| closest(typed, &allowed)) {
                Some(near) => format!("did you mean `{near}`? ({one_of})"),
                None => one_of,
            };
            let f = Finding::error(
                code(Code::InvalidField),
                at.path,
                Some(value_span(&path)),
                format!("{}: {} is not an allowed value", field(&path), error.instance()),
            )
            .with_help(help);
            vec![f]
        }
        ValidationErrorKind::Format { format } if format == "date" => {
            let f = Finding::error(
                code(Code::InvalidField),
                at.path,
                Some(value_span(&path)),
                format!("{}: {} is not a valid date", field(&path), error.instance()),
            )
            .with_help("dates are written YYYY-MM-DD and must exist in the calendar");
            vec![f]
        }
        ValidationErrorKind::Pattern { .. } => {
            let form = described(error, code_prefix).unwrap_or_else(|| "see docs/format.md".to_owned());
            let f = Finding::error(
                code(Code::InvalidField),
                at.path,
                Some(value_span(&path)),
                format!("{}: {} is not in the form this field takes", field(&path), short(error.instance())),
            )
            .with_help(form);
            vec![f]
        }
        ValidationErrorKind::MaxLength { limit } | ValidationErrorKind::MinLength { limit } => {
            let chars = error.instance().as_str().map_or(0, |s| s.chars().count());
            let too_long = matches!(error.kind(), ValidationErrorKind::MaxLength { .. });
            let (message, help) = if too_long {
                (
                    format!("{} is {chars} characters long; at most {limit} are allowed", field(&path)),
                    format!(
                        "shorten it to {limit} characters or fewer: name the weakness and where it is (\"SQL injection in search\"), and move the details into the body"
                    ),
                )
            } else {
                (format!("{} is empty", field(&path)), "give it a value".to_owned())
            };
            vec![Finding::error(code(Code::InvalidField), at.path, Some(value_span(&path)), message).with_help(help)]
        }
        ValidationErrorKind::Type { .. } => {
            let mut f = Finding::error(
                code(Code::InvalidField),
                at.path,
                Some(value_span(&path)),
                format!("{}: {error}", field(&path)),
            );
            f.help = type_help(&path, error.instance()).or_else(|| described(error, code_prefix));
            vec![f]
        }
        _ => vec![Finding::error(
            code(Code::InvalidField),
            at.path,
            Some(value_span(&path)),
            format!("{}: {error}", field(&path)),
        )],
    }
}

/// A value as the message quotes it: JSON, cut to 60 characters.
fn short(value: &Value) -> String {
    let text = value.to_string();
    match text.char_indices().nth(60) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text,
    }
}

/// The help of a value of the wrong type where the right form is known: a CWE written as a
/// number (`cwe: [89]`, at `cwe[0]`) is the string `CWE-89`.
fn type_help(path: &str, instance: &Value) -> Option<String> {
    let n = instance.as_u64()?;
    let index = path.strip_prefix("cwe[")?.strip_suffix(']')?;
    index
        .parse::<usize>()
        .is_ok()
        .then(|| format!("CWE ids are strings of the form `CWE-<number>`: write `CWE-{n}`, e.g. `cwe: [CWE-{n}]`"))
}

/// What the schema says the failing value should be: the `description` of the schema node
/// whose keyword failed (`…/properties/id_prefix/pattern` → that property's description).
fn described(error: &ValidationError<'_>, code_prefix: &str) -> Option<String> {
    static REPORT: OnceLock<Value> = OnceLock::new();
    static CONFIG: OnceLock<Value> = OnceLock::new();
    let (cell, text) = if code_prefix.is_empty() { (&REPORT, REPORT_SCHEMA) } else { (&CONFIG, CONFIG_SCHEMA) };
    let schema = cell.get_or_init(|| serde_json::from_str(text).unwrap_or(Value::Null));
    let keyword_path = error.schema_path().as_str();
    let node_path = keyword_path.rsplit_once('/').map_or("", |(node, _)| node);
    let description = resolve(schema, node_path)?.get("description")?.as_str()?;
    Some(format!("expected: {description}"))
}

/// Property names allowed at the object whose `additionalProperties` failed.
fn known_keys(schema_path: &str, code_prefix: &str) -> Vec<String> {
    // Parsed once per process: a file with thousands of unknown keys asks for each of them.
    static REPORT: OnceLock<Value> = OnceLock::new();
    static CONFIG: OnceLock<Value> = OnceLock::new();
    let (cell, text) = if code_prefix.is_empty() { (&REPORT, REPORT_SCHEMA) } else { (&CONFIG, CONFIG_SCHEMA) };
    let schema = cell.get_or_init(|| serde_json::from_str(text).unwrap_or(Value::Null));
    let object_pointer = schema_path.strip_suffix("/additionalProperties").unwrap_or(schema_path);
    let object = resolve(schema, object_pointer);
    object
        .and_then(|o| o.get("properties"))
        .and_then(Value::as_object)
        .map(|p| p.keys().cloned().collect())
        .unwrap_or_default()
}

/// Follows a schema path, stepping through `$ref`s into `$defs`.
fn resolve<'a>(schema: &'a Value, pointer: &str) -> Option<&'a Value> {
    let mut node = schema;
    for seg in pointer.split('/').skip(1) {
        if seg == "$ref" {
            let target = node.get("$ref")?.as_str()?.strip_prefix('#')?;
            node = schema.pointer(target)?;
            continue;
        }
        node = match node {
            Value::Object(m) => m.get(seg).or_else(|| {
                m.get("$ref")
                    .and_then(|r| r.as_str())
                    .and_then(|r| schema.pointer(r.strip_prefix('#')?))
                    .and_then(|t| t.get(seg))
            })?,
            Value::Array(a) => a.get(seg.parse::<usize>().ok()?)?,
            _ => return None,
        };
    }
    Some(node)
}

/// The known key closest to `key` by edit distance, when it is close enough to be a typo.
pub fn closest(key: &str, known: &[String]) -> Option<String> {
    known
        .iter()
        .map(|k| (strsim::levenshtein(key, k), k))
        .filter(|(d, k)| *d <= 2.max(k.len() / 4))
        .min_by_key(|(d, _)| *d)
        .map(|(_, k)| k.clone())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::format::report::Document;

    fn findings(text: &str) -> Vec<Finding> {
        let doc = Document::parse(Path::new("r.md"), text.to_owned()).expect("doc");
        Schema::Report.check(&doc.path, &doc.yaml)
    }

    const GOOD: &str =
        "---\nid: ENIGM-2026-0001\ntitle: T\nstate: received\nreported: 2026-01-05\nreporter:\n  name: R\n---\n";

    #[test]
    fn embedded_schemas_compile_and_accept_a_good_report() {
        assert!(findings(GOOD).is_empty());
        let _ = config_validator();
    }

    #[test]
    fn every_schema_problem_is_reported_and_located() {
        let text = GOOD
            .replace(
                "state: received",
                "state: recieved\nembargo_untill: 2026-02-01\nproducts:\n  - name: web\n    fixed: 1.5",
            )
            .replace("2026-01-05", "2026-02-30");
        let f = findings(&text);
        let codes: Vec<&str> = f.iter().map(|x| x.code.as_str()).collect();
        assert_eq!(f.len(), 4, "{f:#?}");
        assert!(codes.contains(&"unknown-field") && codes.contains(&"invalid-field"));
        let unknown = f.iter().find(|x| x.code == "unknown-field").expect("unknown");
        assert_eq!(&text[unknown.span.clone().expect("span")], "embargo_untill");
        assert_eq!(unknown.help.as_deref(), Some("did you mean `embargo_until`?"));
        let state = f.iter().find(|x| x.message.contains("`state`")).expect("state");
        assert!(state.help.as_deref().unwrap_or_default().contains("needs-info"));
        assert!(f.iter().any(|x| x.message.contains("`products[0].fixed`")));
        assert!(f.iter().any(|x| x.message.contains("not a valid date")));
    }

    #[test]
    fn unknown_nested_key_suggests_from_the_right_object() {
        let text = GOOD.replace("  name: R", "  name: R\n  contcat: x");
        let f = findings(&text);
        assert_eq!(f[0].help.as_deref(), Some("did you mean `contact`?"));
        let text = GOOD.replace("state: received", "state: received\nproducts:\n  - name: a\n    afected: x");
        assert_eq!(findings(&text)[0].help.as_deref(), Some("did you mean `affected`?"));
    }

    #[test]
    fn missing_required_field() {
        let f = findings(&GOOD.replace("title: T\n", ""));
        assert_eq!(f[0].code, "missing-field");
        assert!(f[0].message.contains("`title`"));
    }
}
