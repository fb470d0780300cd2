//! One located YAML document: a file's YAML parsed once, for the schema and for serde alike.
//!
//! A report's front matter and the whole of `enigm.yaml` both become a [`LocatedYaml`]: the
//! [`Node`] tree (spans are offsets into the file), its JSON value, computed once at parse
//! time (the JSON Schema validates it, serde deserialises the typed model from it, checks
//! read it), and the key path → span map, built on first use. The two ways YAML turns into a
//! finding are here and nowhere else: a YAML error ([`yaml_finding`]) and a value that does
//! not fit the typed model ([`LocatedYaml::deserialize`]). What differs between a report and
//! the configuration (finding codes, whether `key:` counts as absent) is a [`Kind`].
//!
//! Only parsing and serde live here; the pipeline that puts the schema between them is
//! `rules::pipeline` (format/ knows nothing of rules).

use std::path::Path;
use std::sync::OnceLock;

use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::format::finding::{Code, Finding};
use crate::format::yaml::{self, Node, NodeKind, Span, SpanMap, YamlError};

/// What differs between the kinds of YAML document the tool reads.
#[derive(Debug)]
pub struct Kind {
    /// A mapping key with an empty value (`assignee:`) is left out of the value, as if absent.
    pub empty_is_absent: bool,
    /// Code of a key the model does not know.
    pub unknown: Code,
    /// Code of a required key that is missing.
    pub missing: Code,
    /// Code of any other value that does not fit the model.
    pub invalid: Code,
    /// Serde's `…, expected …` tail becomes the help of every error; otherwise only of
    /// unknown-key and unknown-variant errors (the rest keep it in the message).
    pub expected_as_help: bool,
    /// Keys whose values are dates: a misfit there gets the date-format help.
    pub date_keys: &'static [&'static str],
}

/// A parsed YAML document with its JSON value and spans.
#[derive(Debug, Clone)]
pub struct LocatedYaml {
    pub tree: Node,
    /// The tree as JSON (for the schema and for serde), computed once.
    pub value: Value,
    /// Where findings about the document as a whole point (a report's opening fence).
    /// `None` (a file that is all YAML): serde's point at the root node, the schema's at the
    /// start of the file.
    pub root: Option<Span>,
    kind: &'static Kind,
    /// Key path → span, built on first use (valid files never need it).
    spans: OnceLock<SpanMap>,
}

/// The finding of a YAML error in the file at `path`.
pub fn yaml_finding(path: &Path, e: YamlError) -> Finding {
    Finding { help: e.help, ..Finding::error(e.code, path, Some(e.span), e.message) }
}

impl LocatedYaml {
    /// Parses `text`, which sits at byte `base` and after `lines_before` lines of the file at
    /// `path`. A YAML error is that file's finding.
    pub fn parse(
        path: &Path,
        text: &str,
        base: usize,
        lines_before: usize,
        root: Option<Span>,
        kind: &'static Kind,
    ) -> Result<LocatedYaml, Finding> {
        let tree = yaml::parse_at(text, base, lines_before).map_err(|e| yaml_finding(path, e))?;
        let value = if kind.empty_is_absent { tree.to_json_without_nulls() } else { tree.to_json() };
        Ok(LocatedYaml { tree, value, root, kind, spans: OnceLock::new() })
    }

    /// Key path → span map.
    pub fn spans(&self) -> &SpanMap {
        self.spans.get_or_init(|| SpanMap::from_tree(&self.tree))
    }

    /// The span of a key path: its key when `key` is asked and known, else its value (or the
    /// nearest existing parent; [`root`](Self::root) for the document as a whole).
    pub fn span_for(&self, path: &str, key: bool) -> Span {
        // A top-level key is found in the tree itself, so checks that locate `id` or `state`
        // up front do not build the span map of a file that turns out to be valid.
        if !path.is_empty()
            && !path.contains(['.', '['])
            && let NodeKind::Map(entries) = &self.tree.kind
        {
            return match entries.iter().find(|(k, _)| k.name == path) {
                Some((k, _)) if key => k.span.clone(),
                Some((_, v)) => v.span.clone(),
                None => self.root.clone().unwrap_or_else(|| self.tree.span.clone()),
            };
        }
        self.span_in_map(path, key)
    }

    fn span_in_map(&self, path: &str, key: bool) -> Span {
        match (self.spans().nearest(path), &self.root) {
            (Some(("", _)) | None, Some(root)) => root.clone(),
            (None, None) => self.tree.span.clone(),
            (Some((found, s)), _) if key && found == path => s.key.clone().unwrap_or_else(|| s.value.clone()),
            (Some((_, s)), _) => s.value.clone(),
        }
    }

    /// The typed model of the value, or the finding of the first field that does not fit it
    /// (the file is at `path`).
    pub fn deserialize<T: DeserializeOwned>(&self, path: &Path) -> Result<T, Finding> {
        // Most values fit: plain serde first; the path-tracking pass (it records every key it
        // walks) runs only to locate an error.
        if let Ok(typed) = T::deserialize(&self.value) {
            return Ok(typed);
        }
        serde_path_to_error::deserialize::<_, T>(&self.value).map_err(|e| {
            let at = e.path().to_string();
            let at = if at == "." { String::new() } else { at };
            self.serde_finding(path, &at, &e.inner().to_string())
        })
    }

    fn serde_finding(&self, path: &Path, at: &str, inner: &str) -> Finding {
        let kind = self.kind;
        let (message, help) = match inner.split_once(", expected") {
            Some((head, rest)) if kind.expected_as_help || head.starts_with("unknown") => {
                (head.to_owned(), Some(format!("expected{rest}")))
            }
            _ => (inner.to_owned(), None),
        };
        let code = if message.starts_with("unknown field") {
            kind.unknown
        } else if message.starts_with("missing field") {
            kind.missing
        } else {
            kind.invalid
        };
        let span = self.span_for(at, code == kind.unknown);
        let shown = if at.is_empty() { message } else { format!("`{at}`: {message}") };
        let leaf = at.rsplit('.').next().unwrap_or_default();
        let help = help.or_else(|| {
            kind.date_keys
                .contains(&leaf)
                .then(|| "dates are written YYYY-MM-DD and must exist in the calendar".to_owned())
        });
        Finding { help, ..Finding::error(code, path, Some(span), shown) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::format::config::CONFIG_YAML;
    use crate::format::report::FRONT_MATTER;

    #[test]
    fn top_level_spans_from_the_tree_match_the_span_map() {
        let text = "id: A\nstate: x\nempty:\nproducts:\n  - name: web\n";
        for (root, kind) in [(Some(0..3), &FRONT_MATTER), (None, &CONFIG_YAML)] {
            let doc = LocatedYaml::parse(Path::new("f"), text, 4, 1, root, kind).expect("parses");
            for path in ["id", "state", "empty", "products", "absent"] {
                for key in [false, true] {
                    assert_eq!(doc.span_for(path, key), doc.span_in_map(path, key), "{path} {key}");
                }
            }
        }
    }

    #[test]
    fn empty_values_are_absent_only_in_front_matter() {
        let parse = |kind| LocatedYaml::parse(Path::new("f"), "a:\nb: [{c: }]\n", 0, 0, None, kind).expect("parses");
        assert_eq!(parse(&FRONT_MATTER).value, serde_json::json!({"b": [{}]}));
        assert_eq!(parse(&CONFIG_YAML).value, serde_json::json!({"a": null, "b": [{"c": null}]}));
    }
}
