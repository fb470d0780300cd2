//! What the two JSON channels (GitHub security advisories, OSV records) share: a Markdown
//! description split into a report's `##` sections, version text in the report's `affected`
//! syntax, ecosystem names, and the limits every JSON item is read under.
//!
//! Both readers only read: the text they produce is checked later, like any report, by the
//! same pipeline `validate` runs.

use chrono::{DateTime, FixedOffset};
use serde::de::DeserializeOwned;

use super::IntakeError;
use crate::format::cvss;

/// The most items one file may hold (an API page holds at most 100).
pub const MAX_ITEMS: usize = 10_000;
/// The largest JSON document read, in bytes.
pub const MAX_BYTES: usize = 32 * 1024 * 1024;

/// The items of `bytes`: one JSON object or an array of them, each read as `T`. `what` names
/// the format in errors (`a GitHub security advisory`).
pub fn items<T: DeserializeOwned>(bytes: &[u8], what: &str) -> Result<Vec<T>, IntakeError> {
    if bytes.len() > MAX_BYTES {
        return Err(IntakeError::TooLarge { what: format!("{what} file"), limit: format!("{MAX_BYTES} bytes") });
    }
    let value: serde_json::Value =
        serde_json::from_slice(bytes).map_err(|e| IntakeError::Unrecognised { why: format!("not JSON: {e}") })?;
    let list = match value {
        serde_json::Value::Array(list) => list,
        object @ serde_json::Value::Object(_) => vec![object],
        _ => return Err(IntakeError::Unrecognised { why: format!("{what} is a JSON object or a list of them") }),
    };
    if list.len() > MAX_ITEMS {
        return Err(IntakeError::TooLarge { what: format!("items in the {what} file"), limit: MAX_ITEMS.to_string() });
    }
    list.into_iter()
        .enumerate()
        .map(|(i, v)| {
            serde_path_to_error::deserialize(v).map_err(|e| {
                let path = e.path().to_string();
                let field = if path == "." { format!("[{i}]") } else { format!("[{i}].{path}") };
                IntakeError::Invalid { field, why: format!("not {what}: {}", e.into_inner()) }
            })
        })
        .collect()
}

/// An RFC 3339 time of field `field`.
pub fn time(field: &str, text: &str) -> Result<DateTime<FixedOffset>, IntakeError> {
    DateTime::parse_from_rfc3339(text.trim()).map_err(|e| IntakeError::Invalid {
        field: field.to_owned(),
        why: format!("`{text}` is not an RFC 3339 time: {e}"),
    })
}

/// A CVSS vector the report format accepts (v3.1 or v4.0), else `None` (a v3.0 or v2 vector
/// is dropped; the source's qualitative severity still gives the level).
pub fn vector(text: Option<&str>) -> Option<String> {
    let text = text?.trim();
    cvss::assess(text).ok().map(|_| text.to_owned())
}

/// Whether `vector` is a CVSS v4.0 vector.
pub fn is_v4(vector: &str) -> bool {
    vector.starts_with("CVSS:4.0/")
}

/// OSV ecosystem names by GitHub's (`security-advisory-ecosystems`).
const GITHUB_ECOSYSTEMS: &[(&str, &str)] = &[
    ("actions", "GitHub Actions"),
    ("composer", "Packagist"),
    ("erlang", "Hex"),
    ("go", "Go"),
    ("maven", "Maven"),
    ("npm", "npm"),
    ("nuget", "NuGet"),
    ("pip", "PyPI"),
    ("pub", "Pub"),
    ("rubygems", "RubyGems"),
    ("rust", "crates.io"),
    ("swift", "SwiftURL"),
];

/// The OSV name of a GitHub ecosystem; `None` for `other` and names GitHub does not list.
pub fn osv_ecosystem(github: &str) -> Option<&'static str> {
    let github = github.trim().to_ascii_lowercase();
    GITHUB_ECOSYSTEMS.iter().find(|(g, _)| *g == github).map(|(_, o)| *o)
}

/// Report section titles by the headings reporters and databases use (GitHub's private
/// vulnerability report form asks for Summary, Details, PoC and Impact).
const SECTION_NAMES: &[(&str, &str)] = &[
    ("summary", "Summary"),
    ("description", "Summary"),
    ("overview", "Summary"),
    ("impact", "Impact"),
    ("poc", "Reproduction"),
    ("proof of concept", "Reproduction"),
    ("reproduction", "Reproduction"),
    ("steps to reproduce", "Reproduction"),
    ("details", "Context"),
    ("context", "Context"),
    ("workarounds", "Remediation"),
    ("patches", "Remediation"),
    ("remediation", "Remediation"),
    ("mitigation", "Remediation"),
];

/// A report body from a Markdown description: its top-level ATX headings (levels 1 to 3,
/// outside code fences) become `##` sections, the names forms use mapped to the report's
/// (`PoC` → `Reproduction`, `Details` → `Context`); text before the first heading goes under
/// `## Summary`. Each report section appears once: a repeated one is folded into the first
/// (its heading kept as a bold line). Empty text gives an empty body.
pub fn body(description: &str) -> String {
    let mut sections: Vec<(String, String)> = Vec::new();
    let mut current = 0;
    let mut fence: Option<String> = None;
    for line in description.replace("\r\n", "\n").lines() {
        let trimmed = line.trim_start();
        if let Some(open) = &fence {
            if trimmed.starts_with(open.as_str()) {
                fence = None;
            }
        } else if trimmed.starts_with("```") || trimmed.starts_with("~~~") {
            fence = Some(trimmed[..3].to_owned());
        } else if let Some(title) = heading(line) {
            let name = section_name(&title);
            current = match sections.iter().position(|(t, _)| *t == name) {
                Some(i) => {
                    sections[i].1.push_str(&format!("\n**{title}**\n"));
                    i
                }
                None => {
                    sections.push((name, String::new()));
                    sections.len() - 1
                }
            };
            continue;
        }
        if sections.is_empty() {
            sections.push(("Summary".to_owned(), String::new()));
        }
        sections[current].1.push_str(line);
        sections[current].1.push('\n');
    }
    sections
        .into_iter()
        .filter(|(_, text)| !text.trim().is_empty())
        .map(|(title, text)| format!("## {title}\n\n{}\n", text.trim()))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The text of an ATX heading of level 1 to 3 (at most three spaces of indent), if `line` is one.
fn heading(line: &str) -> Option<String> {
    let indent = line.len() - line.trim_start_matches(' ').len();
    let rest = line.trim_start_matches(' ');
    let hashes = rest.len() - rest.trim_start_matches('#').len();
    let after = &rest[hashes..];
    let ok = indent <= 3 && (1..=3).contains(&hashes) && (after.is_empty() || after.starts_with([' ', '\t']));
    let title = after.trim().trim_end_matches('#').trim();
    (ok && !title.is_empty()).then(|| title.to_owned())
}

/// The report section a heading names: a known name mapped, else the heading itself.
fn section_name(title: &str) -> String {
    let key = title.trim_end_matches(':').trim().to_lowercase();
    SECTION_NAMES.iter().find(|(k, _)| *k == key).map_or_else(|| title.to_owned(), |(_, v)| (*v).to_owned())
}

/// The first version of a "patched versions" text (`1.9.3`, `>= 1.9.3`, `1.9.3, 2.0.1`).
pub fn first_version(text: &str) -> Option<String> {
    let first = text.split(',').next()?.trim().trim_start_matches(['>', '=', ' ']).trim();
    (!first.is_empty() && !first.contains(char::is_whitespace)).then(|| first.to_owned())
}

/// Version range text in the report syntax from a span: `start` inclusive (`0` or empty for
/// every version from the first) to an exclusive `fixed` or an inclusive `last_affected`.
pub fn span_text(start: &str, end: Option<(&str, bool)>) -> String {
    let lower = (!matches!(start.trim(), "" | "0")).then(|| format!(">= {}", start.trim()));
    let upper = end.map(|(v, inclusive)| format!("{} {}", if inclusive { "<=" } else { "<" }, v.trim()));
    match (lower, upper) {
        (Some(l), Some(u)) => format!("{l}, {u}"),
        (Some(l), None) => l,
        (None, Some(u)) => u,
        (None, None) => ">= 0".to_owned(),
    }
}

/// A credit type as GitHub (`remediation_developer`) or OSV (`REMEDIATION_DEVELOPER`) spells
/// it; one this tool does not know, or none, is `other`.
pub fn credit_type(kind: Option<&str>) -> crate::format::report::credit::CreditType {
    let spelled = kind.unwrap_or("other").trim().to_lowercase();
    serde_json::from_value(serde_json::Value::String(spelled))
        .unwrap_or(crate::format::report::credit::CreditType::Other)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_form_description_becomes_report_sections() {
        let text = "### Summary\nA path traversal.\n\n### Details\nIn `download.rs`.\n\n```sh\n# not a heading\n```\n### PoC\n1. Upload `../x`.\n### Impact\nFiles are read.\n";
        assert_eq!(
            body(text),
            "## Summary\n\nA path traversal.\n\n## Context\n\nIn `download.rs`.\n\n```sh\n# not a heading\n```\n\n## Reproduction\n\n1. Upload `../x`.\n\n## Impact\n\nFiles are read.\n"
        );
        assert_eq!(body("Just text.\n\nMore."), "## Summary\n\nJust text.\n\nMore.\n");
        assert_eq!(body("Intro.\n# Impact\nBad.\n#nohash\n"), "## Summary\n\nIntro.\n\n## Impact\n\nBad.\n#nohash\n");
        assert_eq!(body("## Impact\nA\n## Impact\nB\n"), "## Impact\n\nA\n\n**Impact**\nB\n");
        assert_eq!(body("## Timeline\nsoon\n"), "## Timeline\n\nsoon\n");
        assert_eq!(body(""), "");
    }

    #[test]
    fn spans_read_as_report_ranges() {
        type Row<'a> = (&'a str, Option<(&'a str, bool)>, &'a str);
        let table: &[Row<'_>] = &[
            ("0", Some(("1.9.3", false)), "< 1.9.3"),
            ("1.0", Some(("1.9.3", false)), ">= 1.0, < 1.9.3"),
            ("1.0", Some(("1.2", true)), ">= 1.0, <= 1.2"),
            ("2.0", None, ">= 2.0"),
            ("0", None, ">= 0"),
        ];
        for (start, end, want) in table {
            assert_eq!(span_text(start, *end), *want, "{start} {end:?}");
        }
        assert_eq!(first_version(">= 1.9.3").as_deref(), Some("1.9.3"));
        assert_eq!(first_version("1.9.3, 2.0.1").as_deref(), Some("1.9.3"));
        assert_eq!(first_version(" "), None);
    }

    #[test]
    fn ecosystems_map_to_osv_names() {
        assert_eq!(osv_ecosystem("pip"), Some("PyPI"));
        assert_eq!(osv_ecosystem("rust"), Some("crates.io"));
        assert_eq!(osv_ecosystem("composer"), Some("Packagist"));
        assert_eq!(osv_ecosystem("other"), None);
    }

    #[test]
    fn hostile_json_is_an_error_never_a_panic() {
        #[derive(Debug, serde::Deserialize)]
        struct Any {}
        let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
        assert!(matches!(items::<Any>(deep.as_bytes(), "x"), Err(IntakeError::Unrecognised { .. })));
        let many = format!("[{}{{}}]", "{},".repeat(MAX_ITEMS));
        assert!(matches!(items::<Any>(many.as_bytes(), "x"), Err(IntakeError::TooLarge { .. })));
        let big = vec![b' '; MAX_BYTES + 1];
        assert!(matches!(items::<Any>(&big, "x"), Err(IntakeError::TooLarge { .. })));
        assert!(matches!(items::<Any>(b"\xff\xfe", "x"), Err(IntakeError::Unrecognised { .. })));
        assert_eq!(items::<Any>(b"[{}, {}]", "x").map(|v| v.len()), Ok(2));
    }

    #[test]
    fn only_vectors_the_format_accepts_are_kept() {
        assert!(vector(Some("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H")).is_some());
        assert_eq!(vector(Some("CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H")), None);
        assert_eq!(vector(None), None);
    }
}
