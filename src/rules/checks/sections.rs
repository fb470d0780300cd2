//! Body checks: required `##` sections present and filled in, and a structure that says
//! unambiguously where each section starts (the rule is in `format::report::sections`).

use super::At;
use crate::format::finding::Code;
use crate::format::report::sections::Ambiguity;

/// Reports each section of `names` that is missing, empty, or still template text.
pub fn required(at: &mut At<'_>, names: &[&str]) {
    let sections = at.doc.sections();
    for name in names {
        match sections.iter().find(|s| s.title.eq_ignore_ascii_case(name)) {
            None => {
                let end = at.doc.text.len();
                let span = if at.doc.body.is_empty() {
                    at.opening()
                } else {
                    end.saturating_sub(1).max(at.doc.body.start)..end
                };
                at.push(
                    Code::MissingSection,
                    span,
                    format!("the `## {name}` section is missing"),
                    format!("add a `## {name}` heading with its text to the body"),
                );
            }
            Some(s) => {
                let content = &at.doc.text[s.content.clone()];
                if is_placeholder(content) {
                    at.push(
                        Code::EmptySection,
                        s.heading.clone(),
                        format!("the `## {name}` section is empty or still template text"),
                        format!("write the {} text, replacing any `TODO` placeholder", name.to_lowercase()),
                    );
                }
            }
        }
    }
}

/// What a reporter is asked for, by body section: the section and the phrase a request for
/// more information uses (`needs-info`).
pub const REPORTER_SECTIONS: &[(&str, &str)] = &[
    ("Summary", "a description of the issue: what is vulnerable, and how"),
    ("Impact", "the impact: what an attacker gains, and under which conditions"),
    ("Reproduction", "safe, minimal steps to reproduce the issue"),
    ("Context", "the environment: affected versions, configuration, related reports"),
];

/// What the report still lacks from the reporter, one phrase each: every section of
/// [`REPORTER_SECTIONS`] missing or still template text (the same test as [`required`]),
/// and the affected product or versions when no product names them.
pub fn missing_info(doc: &crate::format::report::Document, report: &crate::format::report::Report) -> Vec<String> {
    let sections = doc.sections();
    let mut out: Vec<String> = REPORTER_SECTIONS
        .iter()
        .filter(|(name, _)| {
            sections
                .iter()
                .find(|s| s.title.eq_ignore_ascii_case(name))
                .is_none_or(|s| is_placeholder(&doc.text[s.content.clone()]))
        })
        .map(|(_, phrase)| (*phrase).to_owned())
        .collect();
    if report.products.is_empty() {
        out.push("the affected product and its versions".to_owned());
    } else if report.products.iter().all(|p| p.affected.is_none() && p.versions.is_empty()) {
        out.push("the affected versions (the oldest and newest you tested)".to_owned());
    }
    out
}

/// Reports every line that reads like a section heading without being one, and every
/// repeated section title: the public view leaves such text out; the author must say what
/// they mean.
pub fn structure(at: &mut At<'_>) {
    let outline = at.doc.outline();
    for a in &outline.ambiguous {
        let section = outline.sections.iter().rev().find(|s| s.heading.start < a.line.start);
        let within = match (a.kind, section) {
            (Ambiguity::InOpenHtml, _) => "nothing from here on is published".to_owned(),
            (_, None) => "it starts no section and stays before the first section".to_owned(),
            (_, Some(s)) => format!("it starts no section and stays part of `## {}`", s.title),
        };
        let (what, help) = match a.kind {
            Ambiguity::InHtml => (
                "is inside an HTML block or comment",
                "close the HTML element or comment and leave a blank line before the heading",
            ),
            Ambiguity::InOpenHtml => (
                "is inside an HTML element or comment left open above it (to a browser)",
                "close the HTML element (`</details>`) or comment (`-->`) before the heading",
            ),
            Ambiguity::InUnclosedFence => {
                ("is inside a code fence that is never closed", "close the code fence before the heading")
            }
            Ambiguity::InFence => (
                "is inside a code fence (a stray fence before a heading swallows it)",
                "close every fence before the next heading; indent code that must show `##` lines by four spaces",
            ),
            Ambiguity::Nested => (
                "is a heading inside a blockquote or list item",
                "move the heading to the start of a line outside the quote or list, or make it `###` or bold text",
            ),
            Ambiguity::Level1 => ("is a level-1 heading; sections are `##`", "write section headings as `## Title`"),
            Ambiguity::NotAHeading => (
                "is not a heading where it stands (`##Title` needs a space; text, a table or a list right above it, or an invisible character before it, swallows it)",
                "write section headings as `## Title` on a line of their own, after a blank line",
            ),
        };
        at.push(
            Code::AmbiguousHeading,
            a.line.clone(),
            format!("this line reads like a section heading but {what}: {within}"),
            help,
        );
    }
    for s in outline.sections.iter().filter(|s| s.repeated) {
        at.push(
            Code::DuplicateSection,
            s.heading.clone(),
            format!("the `## {}` section appears more than once; a repeated section is never published", s.title),
            "merge the text into the first section with this title, or rename one",
        );
    }
}

/// True when the text has no content besides whitespace, HTML comments and `TODO` lines.
fn is_placeholder(content: &str) -> bool {
    let mut rest = content;
    let mut text = String::new();
    while let Some(start) = rest.find("<!--") {
        text.push_str(&rest[..start]);
        rest = rest[start..].find("-->").map_or("", |end| &rest[start + end + 3..]);
    }
    text.push_str(rest);
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .all(|l| l.starts_with("TODO") || l.starts_with("_TODO") || l.starts_with("*TODO"))
}

#[cfg(test)]
mod tests {
    use super::is_placeholder;
    use crate::rules::checks::test_support::{PUBLISHED, codes};

    #[test]
    fn placeholders() {
        assert!(is_placeholder("\n\nTODO: write\n"));
        assert!(is_placeholder("<!-- hint -->\n"));
        assert!(!is_placeholder("Real text. TODO later\n"));
    }

    #[test]
    fn ambiguous_structure_is_an_error() {
        let repro = "## Reproduction\n\nUpload a file named `../../x` and observe where it is written.\n";
        for (extra, code) in [
            ("> ## Impact\n> leaked\n", "ambiguous-heading"),
            ("<details>\n## Impact\nleaked\n</details>\n", "ambiguous-heading"),
            ("<!--\n## Impact\n-->\n", "ambiguous-heading"),
            ("\n## Reproduction\n\nagain\n", "duplicate-section"),
        ] {
            assert_eq!(codes(&PUBLISHED.replace(repro, &format!("{repro}\n{extra}"))), [code], "{extra}");
        }
        assert_eq!(codes(&PUBLISHED.replace(repro, &format!("{repro}\n```\n## Impact\n```\n"))), ["ambiguous-heading"]);
        // Indented code, quoted lower headings and `#` comments in fences are fine.
        for fine in ["    ## Impact\n", "> ### Impact\n", "```sh\n# run as root\n```\n", "```yaml\n---\na: 1\n```\n"] {
            assert!(codes(&PUBLISHED.replace(repro, &format!("{repro}\n{fine}"))).is_empty(), "{fine}");
        }
    }

    #[test]
    fn sections_required_by_state() {
        assert_eq!(codes(&PUBLISHED.replace("## Remediation\n\nUpgrade to 2.4.1.\n", "")), ["missing-section"]);
        assert_eq!(codes(&PUBLISHED.replace("Upgrade to 2.4.1.", "TODO: how to fix")), ["empty-section"]);
        assert_eq!(
            codes(&PUBLISHED.replace(
                "## Impact\n\nAn authenticated user can overwrite files outside the upload directory.\n",
                "## Impact\n\n"
            )),
            ["empty-section"]
        );
    }
}
