//! Snapshots of what people read: `validate` diagnostics for representative mistakes
//! (colour off, 100 columns).

use super::validate::PUBLISHED;
use crate::util::{TestRepo, stderr, stdout};

fn diagnostics(content: &str) -> String {
    let repo = TestRepo::new();
    let config = repo.read("enigm.yaml").replacen("components: []", "components: [uploads]", 1);
    repo.write("enigm.yaml", config);
    repo.write("reports/ENIGM-2026-0001.md", content);
    let a = repo.cmd().env("COLUMNS", "100").arg("validate").assert().code(1);
    format!("{}--- stdout ---\n{}", stderr(&a), stdout(&a))
}

#[test]
fn typo_in_a_key() {
    insta::assert_snapshot!(diagnostics(
        &PUBLISHED.replace("published: 2026-03-01", "published: 2026-03-01\nembargo_untill: 2026-04-01")
    ));
}

#[test]
fn yaml_syntax_error() {
    insta::assert_snapshot!(diagnostics(
        &PUBLISHED.replace("title: Path traversal in uploads", "title: [Path traversal")
    ));
}

#[test]
fn illegal_timeline_step_and_level_mismatch() {
    insta::assert_snapshot!(diagnostics(
        &PUBLISHED
            .replace("  - date: 2026-01-10\n    state: confirmed\n", "")
            .replace("level: critical", "level: medium")
    ));
}

#[test]
fn published_without_fix_or_remediation() {
    insta::assert_snapshot!(diagnostics(
        &PUBLISHED.replace("    fixed: '2.4.1'\n", "").replace("Upgrade to 2.4.1.", "TODO: describe the fix")
    ));
}

#[test]
fn secret_in_the_body_is_masked() {
    insta::assert_snapshot!(diagnostics(
        &PUBLISHED
            .replace("observe where it is written.", "log in at https://admin:Sup3rS3cret!@staging.example.com/.")
    ));
}

#[test]
fn missing_closing_fence() {
    insta::assert_snapshot!(diagnostics(&PUBLISHED.replacen("---\n\n## Summary", "\n## Summary", 1)));
}
