//! Writing YAML scalars that read back as exactly the same string.
//!
//! New reports and in-place edits emit single values into hand-edited files. `serde_yaml`
//! decides when a string needs quotes (a title like `yes`, `1.10` or `- x`); a string that
//! would need a multi-line block is written as a JSON string, which is valid YAML.

/// `s` as a one-line YAML scalar that parses back to `s`.
pub fn scalar(s: &str) -> String {
    if s.is_empty() {
        return "''".to_owned();
    }
    let candidate = match serde_yaml::to_string(s) {
        Ok(out) => {
            let out = out.strip_suffix('\n').unwrap_or(&out);
            if out.contains('\n') || !out.is_ascii() && needs_json(s) { json(s) } else { out.to_owned() }
        }
        Err(_) => json(s),
    };
    // The emitter and our parser disagree on a few plain scalars (`1e400` is a float that
    // overflows to `inf` here): whatever does not read back as `s` is written as JSON.
    if reads_back_as(&candidate, s) { candidate } else { json(s) }
}

/// True when `k: <out>` parses (with the tool's own YAML reader) to the string `s`.
fn reads_back_as(out: &str, s: &str) -> bool {
    crate::format::yaml::parse(&format!("k: {out}\n"), 0)
        .is_ok_and(|t| t.to_json().get("k").and_then(|v| v.as_str()) == Some(s))
}

/// Control and bidi characters are escaped through a JSON string.
fn needs_json(s: &str) -> bool {
    s.chars().any(|c| {
        c.is_control()
            || matches!(c, '\u{2028}' | '\u{2029}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{feff}')
    })
}

fn json(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| "''".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn reads_back(s: &str) -> serde_json::Value {
        let doc = format!("k: {}\n", scalar(s));
        crate::format::yaml::parse(&doc, 0).expect("parses").to_json()["k"].clone()
    }

    #[test]
    fn ambiguous_strings_are_quoted() {
        for s in [
            "yes",
            "true",
            "1.10",
            "2026-01-05",
            "- x",
            "a: b",
            "#x",
            "",
            "null",
            "~",
            "0x1F",
            "@at",
            "é",
            "\u{2028}",
            "a\u{2029}b",
            "\u{85}",
            "1e400",
            "2e308",
            "-1e400",
            "1e+400",
        ] {
            assert_eq!(reads_back(s), serde_json::Value::String(s.into()), "{s}");
        }
        assert_eq!(scalar("plain title"), "plain title");
    }

    proptest! {
        // Failures are pinned as cases in `ambiguous_strings_are_quoted`, not in a file.
        #![proptest_config(ProptestConfig { failure_persistence: None, ..ProptestConfig::default() })]
        #[test]
        fn any_string_round_trips(s in "\\PC{0,40}|[ -~\\n\\t\u{202e}]{0,20}") {
            prop_assert_eq!(reads_back(&s), serde_json::Value::String(s.clone()));
        }
    }
}
