//! Body checks: required `##` sections present and filled in.

use super::At;
use crate::format::finding::Code;

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
