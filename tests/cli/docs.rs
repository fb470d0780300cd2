//! The documentation stays in step with the code.

use std::fs;
use std::path::Path;

use enigm_disclose::format::finding::{Code, Severity};
use strum::IntoEnumIterator;

fn doc(name: &str) -> String {
    fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs").join(name)).expect("doc exists")
}

#[test]
fn every_check_code_has_one_section_in_checks_md_in_table_order() {
    let text = doc("checks.md");
    let headings: Vec<&str> =
        text.lines().filter_map(|l| l.strip_prefix("### `").and_then(|r| r.strip_suffix('`'))).collect();
    let codes: Vec<&str> = Code::iter().map(Code::as_str).collect();
    assert_eq!(headings, codes, "docs/checks.md sections must match the `Code` variants one to one, in order");
    for c in Code::iter() {
        let section = text.split(&format!("### `{c}`")).nth(1).expect("section");
        let severity = if c.severity() == Severity::Error { "**Error**" } else { "**Warning**" };
        assert!(section.trim_start().starts_with(severity), "{c} documented with the wrong severity");
    }
}

#[test]
fn the_format_reference_documents_every_report_field() {
    let text = doc("format.md");
    let schema: serde_json::Value = serde_json::from_str(enigm_disclose::rules::schema::REPORT_SCHEMA).expect("schema");
    for key in schema["properties"].as_object().expect("properties").keys() {
        assert!(text.contains(&format!("`{key}`")), "docs/format.md does not mention `{key}`");
    }
}

#[test]
fn the_readme_tours_every_command_and_runs_the_demo_first() {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).expect("README");
    let sandbox = crate::util::Sandbox::new();
    let help = crate::util::stdout(&sandbox.cmd_in(&sandbox.work()).arg("--help").assert().success());
    let commands = help
        .lines()
        .skip_while(|l| !l.starts_with("Commands:"))
        .skip(1)
        .take_while(|l| l.starts_with("  "))
        .filter_map(|l| l.split_whitespace().next())
        .filter(|c| *c != "help");
    for c in commands {
        assert!(
            readme.contains(&format!("enigm-disclose {c}")) || readme.contains(&format!("-- {c}")),
            "README does not show `{c}`"
        );
    }
    let first_block = readme.split("```sh\n").nth(1).and_then(|b| b.split("```").next()).expect("a sh block");
    assert_eq!(first_block.trim(), "cargo run --release -- demo", "the first command is the demo");
    let second = readme.split("```sh\n").nth(2).and_then(|b| b.split("```").next()).expect("a second block");
    assert_eq!(second.trim(), "cargo test");
    let ci = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/.ci/run")).expect(".ci/run");
    assert!(ci.contains("\ncargo test --locked\n"), ".ci/run runs the README's test command");
}

/// The version in Cargo.toml, the newest entry of CHANGELOG.md and every release tag the docs
/// tell users to pin (`--tag`, `ENIGM_TAG`, pre-commit's `rev:`) are one version: `v<version>`.
#[test]
fn the_version_the_changelog_and_the_pinned_tag_agree() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let version = env!("CARGO_PKG_VERSION");
    let changelog = fs::read_to_string(root.join("CHANGELOG.md")).expect("CHANGELOG.md");
    let entries: Vec<&str> = changelog.lines().filter(|l| l.starts_with("## [")).collect();
    assert_eq!(entries.first(), Some(&"## [Unreleased]"), "Keep a Changelog: an Unreleased entry on top");
    let newest = entries.get(1).expect("a released entry");
    let date = newest
        .strip_prefix(&format!("## [{version}] - "))
        .unwrap_or_else(|| panic!("the newest CHANGELOG.md entry is `{newest}`, not Cargo.toml's version {version}"));
    assert!(chrono::NaiveDate::parse_from_str(date, "%Y-%m-%d").is_ok(), "`{newest}`: a YYYY-MM-DD date");

    let tag = format!("v{version}");
    for file in ["README.md", "docs/ci.md", "docs/releasing.md", ".pre-commit-hooks.yaml"] {
        let text = fs::read_to_string(root.join(file)).expect("doc");
        let tags: Vec<&str> = text
            .split(|c: char| c.is_whitespace() || "`'\"()[],;:".contains(c))
            .filter(|w| {
                w.strip_prefix('v').is_some_and(|r| r.starts_with(|c: char| c.is_ascii_digit()) && r.contains('.'))
            })
            .collect();
        assert!(tags.iter().all(|t| *t == tag), "{file} names {tags:?}; Cargo.toml's version is {tag}");
        let pins = ["--tag v", "ENIGM_TAG: v", "rev: v"];
        if file != "docs/releasing.md" {
            assert!(pins.iter().any(|p| text.contains(&format!("{p}{version}"))), "{file} pins {tag}");
        }
    }
}
