//! A message's text made into a report body: the `##` sections a report has (those of
//! [`SKELETON_BODY`]: Summary, Impact, Reproduction, Context), filled from the headings a
//! reporter wrote (`Description:`, `## Impact`, `**Steps to reproduce**`, …) where the text has
//! them, else the whole text under `## Summary`; every section the text lacks keeps its
//! `TODO:` line, as `new` writes it. Any channel whose text is free-form uses it.
//!
//! The text is quoted so it cannot change the report's shape: a line that would be a
//! Markdown heading is escaped (`\#`), and so is `<` (no raw HTML reaches a rendered page).

use crate::format::report::SKELETON_BODY;

/// The words of a heading, lower-case, that open each section of the skeleton.
const HEADINGS: &[(&str, &[&str])] = &[
    (
        "Summary",
        &[
            "summary",
            "description",
            "overview",
            "details",
            "vulnerability",
            "vulnerability details",
            "vulnerability description",
            "issue",
            "problem",
        ],
    ),
    ("Impact", &["impact", "severity", "risk", "attack scenario", "security impact"]),
    (
        "Reproduction",
        &[
            "reproduction",
            "reproduction steps",
            "steps to reproduce",
            "steps",
            "how to reproduce",
            "repro",
            "proof of concept",
            "poc",
            "exploit",
        ],
    ),
    (
        "Context",
        &[
            "context",
            "environment",
            "affected versions",
            "versions",
            "version",
            "configuration",
            "setup",
            "additional information",
            "additional context",
            "references",
            "notes",
        ],
    ),
];

/// The report body for `text` (see the module docs).
pub fn report_body(text: &str) -> String {
    let skeleton = skeleton();
    let mut filled: Vec<Vec<String>> = vec![Vec::new(); skeleton.len()];
    let mut current = 0;
    let mut any_heading = false;
    for line in text.lines() {
        match heading(line) {
            Some((i, rest)) => {
                any_heading = true;
                current = i;
                if !rest.is_empty() {
                    filled[current].push(quote(rest));
                }
            }
            None => filled[current].push(quote(line)),
        }
    }
    if !any_heading {
        filled = vec![Vec::new(); skeleton.len()];
        filled[0] = text.lines().map(quote).collect();
    }
    let mut out = String::new();
    for ((title, todo), lines) in skeleton.iter().zip(filled) {
        let body = lines.join("\n");
        let body = body.trim_matches('\n').trim_end();
        out.push_str(&format!("## {title}\n\n"));
        out.push_str(if body.trim().is_empty() { todo } else { body });
        out.push_str("\n\n");
    }
    out.truncate(out.trim_end().len());
    out.push('\n');
    out
}

/// The skeleton's sections: each title and its `TODO:` text.
fn skeleton() -> Vec<(&'static str, &'static str)> {
    SKELETON_BODY
        .split("## ")
        .filter(|s| !s.trim().is_empty())
        .filter_map(|s| s.split_once('\n'))
        .map(|(title, rest)| (title.trim(), rest.trim()))
        .collect()
}

/// The skeleton section a line opens, with the text after a `Heading:` on the same line.
fn heading(line: &str) -> Option<(usize, &str)> {
    let t = line.trim();
    if t.is_empty() || t.len() > 80 {
        return None;
    }
    let t = t.trim_start_matches('#').trim();
    let t = t.trim_start_matches(|c: char| c.is_ascii_digit()).trim_start_matches(['.', ')']).trim();
    let (name, rest) = match t.split_once(':') {
        Some((name, rest)) => (name, rest.trim()),
        None => (t, ""),
    };
    // Without a colon or heading marks a line is a heading only when it is the whole line.
    let marked = line.trim_start().starts_with('#') || t.contains(':') || name.starts_with("**");
    let name = name.trim().trim_matches(['*', '_']).trim().to_lowercase();
    let i = HEADINGS.iter().position(|(_, words)| words.contains(&name.as_str()))?;
    if !marked && !rest.is_empty() {
        return None;
    }
    if !marked && name.split_whitespace().count() > 4 {
        return None;
    }
    let rest = rest.trim_start_matches(['*', '_']).trim();
    Some((i, rest))
}

/// A line of outside text as report Markdown: headings and raw HTML escaped.
fn quote(line: &str) -> String {
    let line = line.trim_end().replace('<', "\\<");
    if line.trim_start().starts_with('#') || line.trim_start().starts_with("---") {
        format!("\\{}", line.trim_start())
    } else {
        line
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headings_a_reporter_writes_become_the_report_sections() {
        let text = "Hello team,\n\nDescription:\nThe search box reflects input.\n\n**Steps to reproduce**\n1. open /search?q=<script>\n\nImpact: session theft\n";
        let body = report_body(text);
        assert_eq!(
            body,
            "## Summary\n\nHello team,\n\nThe search box reflects input.\n\n## Impact\n\nsession theft\n\n## Reproduction\n\n1. open /search?q=\\<script>\n\n## Context\n\nTODO: Environment, versions, configuration, related reports or discussions.\n"
        );
    }

    #[test]
    fn text_without_headings_is_the_summary_and_the_rest_stays_to_do() {
        let body = report_body("I found a bug.\n# not a heading\n");
        assert!(body.starts_with("## Summary\n\nI found a bug.\n\\# not a heading\n\n## Impact\n\nTODO:"), "{body}");
        assert_eq!(body.matches("\n## ").count() + 1, 4, "{body}");
        assert!(report_body("").starts_with("## Summary\n\nTODO:"));
    }

    #[test]
    fn a_sentence_that_starts_with_a_heading_word_is_not_a_heading() {
        let body = report_body("Impact of this is unclear to me\n");
        assert!(body.starts_with("## Summary\n\nImpact of this"), "{body}");
    }
}
