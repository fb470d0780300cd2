//! Published edits as updates: what an edit of a public report changed, said in public terms,
//! and the one "last updated" every output follows from it.
//!
//! Git records that a commit modified a published report ([`crate::store::history::Edit`]);
//! only the report's public view before and after the commit says whether the advisory
//! changed, and how ("Added alias CVE-2026-1234.", "Fixed version 2.4.1 added for web.").
//! The comparison is between two [`Advisory`] values, so a private field (the reporter's
//! contact, a private section, a timeline note) can never be named in a summary: it is not
//! there to compare. The CSAF revision history ([`super::csaf::tracking`]) is made of these
//! changes, and [`apply`] hands the same revisions to the page (its revision history and "Last
//! updated"), OSV `modified`, the feed's `<updated>` and the CVE record's `dateUpdated`.

pub mod cache;

use chrono::DateTime;
use serde::{Deserialize, Serialize};

use crate::format::config::Config;
use crate::format::report::Document;
use crate::layout::report_path;
use crate::publish::csaf::tracking::Tracking;
use crate::publish::public::{self, Advisory, PublicProduct};
use crate::store::history::{Edit, When};

/// One revision of an advisory as its page shows it (documented in `docs/templates.md`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublicRevision {
    /// 1, 2, …: the CSAF revision number.
    pub number: usize,
    /// `2026-07-01`.
    pub date: String,
    /// `Initial public release.`, `Added alias CVE-2026-1234.`, `Advisory withdrawn.`
    pub summary: String,
}

/// What changed in public between two versions of the report file `id`: `None` when either
/// version cannot be read; empty when nothing public changed, or when the old version was not
/// public (the commit is the publication itself, not an update of it).
pub fn public_changes(id: &str, before: &[u8], after: &[u8], config: &Config) -> Option<Vec<String>> {
    compare(public_view(id, before, config).as_ref(), public_view(id, after, config).as_ref())
}

/// [`public_changes`] of each edit of report `id`, in order. Consecutive commits share a
/// version (one's `before` is often the next one's `after`): each is read once.
pub fn named_edits(id: &str, edits: &[Edit], config: &Config) -> Vec<(When, Option<Vec<String>>)> {
    let mut last: Option<(&[u8], Option<Advisory>)> = None;
    let mut out = Vec::with_capacity(edits.len());
    for e in edits {
        let after = match last.take() {
            Some((b, v)) if b == e.after.as_slice() => v,
            _ => public_view(id, &e.after, config),
        };
        // Most edits of a report come before its release: those need no reading.
        if surely_not_public(&e.before) {
            out.push((e.when, Some(Vec::new())));
            continue;
        }
        let before = public_view(id, &e.before, config);
        out.push((e.when, compare(before.as_ref(), after.as_ref())));
        last = Some((&e.before, before));
    }
    out
}

/// Whether an edit whose file before it held `before` can be a revision of a public
/// advisory: only when that version may have been public ([`named_edits`] names no other).
pub fn may_revise(before: &[u8]) -> bool {
    !surely_not_public(before)
}

/// The file's front matter has a top-level `state:` line naming a state that is not public
/// (`state: fixed`): a cheap look at the bytes, which says nothing when in doubt (quotes, a
/// comment, no such line), so the file is then read in full.
fn surely_not_public(bytes: &[u8]) -> bool {
    let text = String::from_utf8_lossy(bytes.get(..bytes.len().min(64 * 1024)).unwrap_or_default());
    let mut lines = text.lines();
    if lines.next().map(str::trim_end) != Some("---") {
        return false;
    }
    let state = lines.take_while(|l| l.trim_end() != "---").find_map(|l| l.strip_prefix("state: "));
    state.is_some_and(|v| {
        let v = v.trim_end();
        v.chars().all(|c| c.is_ascii_lowercase() || c == '-')
            && v.parse::<crate::format::report::State>().is_ok_and(|s| !s.is_public())
    })
}

fn compare(old: Option<&Advisory>, new: Option<&Advisory>) -> Option<Vec<String>> {
    let (old, new) = (old?, new?);
    if !old.state.is_public() {
        return Some(Vec::new());
    }
    Some(changes(old, new))
}

/// The public view of one version of a report file.
fn public_view(id: &str, bytes: &[u8], config: &Config) -> Option<Advisory> {
    let doc = Document::from_bytes(&report_path(id), bytes.to_vec()).ok()?;
    let report = doc.report().ok()?;
    Some(public::advisory(&doc, &report, config, None))
}

/// Gives the advisory its revisions, and `modified` the time of the latest one when that is
/// later than the timeline's dates.
pub fn apply(a: &mut Advisory, tracking: &Tracking) {
    a.revisions = tracking
        .revisions
        .iter()
        .enumerate()
        .map(|(i, r)| PublicRevision {
            number: i + 1,
            date: r.date.get(..10).unwrap_or(&r.date).to_owned(),
            summary: r.summary.clone(),
        })
        .collect();
    let latest = tracking.revisions.last().and_then(|r| DateTime::parse_from_rfc3339(&r.date).ok());
    if let Some(latest) = latest.map(|t| t.to_utc().format("%Y-%m-%dT%H:%M:%SZ").to_string())
        && latest > a.modified
    {
        a.modified = latest;
    }
}

/// Fields that are the lifecycle (their revisions are the release and the withdrawal), that
/// are derived from others, or that the site adds: never a change of their own.
const NOT_EDITS: &[&str] = &[
    "id",
    "state",
    "withdrawn",
    "withdrawn_date",
    "withdrawal_reason",
    "published",
    "reported",
    "modified",
    "timeline",
    "draft",
    "revisions",
    "files",
    "summary",
];

/// Fields [`changes`] names one by one; any other public field that differs is "updated".
const NAMED: &[&str] = &["title", "aliases", "products", "severity", "cwe", "references", "sections", "mitigation"];

/// The public changes from `old` to `new`, in a stable order.
fn changes(old: &Advisory, new: &Advisory) -> Vec<String> {
    let mut out = Vec::new();
    if old.title != new.title {
        out.push(format!("Title changed to \"{}\".", new.title));
    }
    listed(&mut out, &old.aliases, &new.aliases, "alias");
    products(&mut out, &old.products, &new.products);
    severity(&mut out, old, new);
    listed(&mut out, &old.cwe, &new.cwe, "weakness");
    let urls = |a: &Advisory| a.references.iter().map(|r| r.url.clone()).collect::<Vec<_>>();
    listed(&mut out, &urls(old), &urls(new), "reference");
    sections(&mut out, old, new);
    match (&old.mitigation, &new.mitigation) {
        (None, Some(_)) => out.push("Mitigation added.".to_owned()),
        (Some(_), None) => out.push("Mitigation removed.".to_owned()),
        (Some(a), Some(b)) if a != b => out.push("Mitigation updated.".to_owned()),
        _ => {}
    }
    out.extend(other_fields(old, new));
    out
}

/// "Added alias X." / "Removed alias X." for the items only one side has.
fn listed(out: &mut Vec<String>, old: &[String], new: &[String], what: &str) {
    out.extend(new.iter().filter(|x| !old.contains(x)).map(|x| format!("Added {what} {x}.")));
    out.extend(old.iter().filter(|x| !new.contains(x)).map(|x| format!("Removed {what} {x}.")));
}

fn product_name(p: &PublicProduct) -> String {
    match &p.component {
        Some(c) => format!("{} ({c})", p.name),
        None => p.name.clone(),
    }
}

/// Products added, removed, and the fixed and affected versions of the others.
fn products(out: &mut Vec<String>, old: &[PublicProduct], new: &[PublicProduct]) {
    let find = |list: &[PublicProduct], name: &str| list.iter().find(|p| product_name(p) == name).cloned();
    for p in new {
        let name = product_name(p);
        let Some(before) = find(old, &name) else {
            out.push(format!("Product {name} added."));
            continue;
        };
        match (&before.fixed, &p.fixed) {
            (None, Some(v)) => out.push(format!("Fixed version {v} added for {name}.")),
            (Some(_), None) => out.push(format!("Fixed version of {name} removed.")),
            (Some(a), Some(b)) if a != b => out.push(format!("Fixed version of {name} changed from {a} to {b}.")),
            _ => {}
        }
        match (&before.affected, &p.affected) {
            (a, Some(b)) if a.as_ref() != Some(b) => out.push(format!("Affected versions of {name} changed to {b}.")),
            (Some(_), None) => out.push(format!("Affected versions of {name} removed.")),
            _ => {}
        }
        let rest = |p: &PublicProduct| {
            let mut v = serde_json::to_value(p).unwrap_or_default();
            if let Some(o) = v.as_object_mut() {
                o.remove("fixed");
                o.remove("affected");
            }
            v
        };
        if rest(&before) != rest(p) {
            out.push(format!("Product details of {name} updated."));
        }
    }
    out.extend(
        old.iter().map(product_name).filter(|n| find(new, n).is_none()).map(|n| format!("Product {n} removed.")),
    );
}

fn severity(out: &mut Vec<String>, old: &Advisory, new: &Advisory) {
    let level = |a: &Advisory| a.severity.as_ref().and_then(|s| s.level.clone());
    let vectors = |a: &Advisory| a.severity.as_ref().map(|s| (s.vector.clone(), s.vector_v4.clone()));
    match (level(old), level(new)) {
        (None, Some(b)) => out.push(format!("Severity {b} added.")),
        (Some(_), None) => out.push("Severity removed.".to_owned()),
        (Some(a), Some(b)) if a != b => out.push(format!("Severity changed from {a} to {b}.")),
        _ => {}
    }
    if vectors(old) != vectors(new) {
        out.push("CVSS vector updated.".to_owned());
    }
}

/// Public sections added, removed or edited, by title.
fn sections(out: &mut Vec<String>, old: &Advisory, new: &Advisory) {
    let find = |a: &Advisory, title: &str| {
        a.sections.iter().find(|s| s.title.eq_ignore_ascii_case(title)).map(|s| s.markdown.clone())
    };
    for s in &new.sections {
        match find(old, &s.title) {
            None => out.push(format!("Section {} added.", s.title)),
            Some(m) if m != s.markdown => out.push(format!("Section {} updated.", s.title)),
            Some(_) => {}
        }
    }
    for s in old.sections.iter().filter(|s| find(new, &s.title).is_none()) {
        out.push(format!("Section {} removed.", s.title));
    }
}

/// Any other public field that differs (credits, say): "Credits updated."
fn other_fields(old: &Advisory, new: &Advisory) -> Vec<String> {
    let (Ok(serde_json::Value::Object(a)), Ok(serde_json::Value::Object(b))) =
        (serde_json::to_value(old), serde_json::to_value(new))
    else {
        return Vec::new();
    };
    let skipped = |k: &str| NOT_EDITS.contains(&k) || NAMED.contains(&k);
    let mut keys: Vec<&String> = a.keys().chain(b.keys()).filter(|k| !skipped(k)).collect();
    keys.sort_unstable();
    keys.dedup();
    keys.into_iter()
        .filter(|k| a.get(*k) != b.get(*k))
        .map(|k| {
            let words = k.replace('_', " ");
            let mut chars = words.chars();
            let first = chars.next().map(|c| c.to_uppercase().collect::<String>()).unwrap_or_default();
            format!("{first}{} updated.", chars.as_str())
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const REPORT: &str = "---\nid: ENIGM-2026-0001\ntitle: Path traversal in uploads\nstate: published\nreported: 2026-03-01\npublished: 2026-04-01\nreporter:\n  name: Jane Doe\n  contact: jane@private.test\nproducts:\n  - name: web\n    affected: \"< 2.4.1\"\nassignee: Private Person\ntimeline:\n  - date: 2026-04-01\n    state: published\n    note: private note\n---\n\n## Summary\n\nThe upload handler accepts `../`.\n\n## Context\n\nPrivate context.\n";

    fn config() -> Config {
        crate::publish::csaf::test_support::config()
    }

    fn changed(before: &str, after: &str) -> Option<Vec<String>> {
        public_changes("ENIGM-2026-0001", before.as_bytes(), after.as_bytes(), &config())
    }

    #[test]
    fn public_edits_are_named() {
        let after = REPORT
            .replace("    affected: \"< 2.4.1\"\n", "    affected: \"< 2.4.1\"\n    fixed: 2.4.1\n")
            .replace("\nstate: published\n", "\nstate: published\naliases: [CVE-2026-1234]\nreferences:\n  - url: https://example.test/fix\n    type: fix\n")
            .replace("accepts `../`.", "accepts `../` and `..\\\\`.");
        assert_eq!(
            changed(REPORT, &after).expect("readable"),
            [
                "Added alias CVE-2026-1234.",
                "Fixed version 2.4.1 added for web.",
                "Added reference https://example.test/fix.",
                "Section Summary updated.",
            ]
        );
    }

    #[test]
    fn a_chain_of_edits_reads_each_version_once_and_names_each_edit() {
        let one = REPORT.replace("\nstate: published\n", "\nstate: published\naliases: [CVE-2026-1234]\n");
        let two = one.replace("aliases: [CVE-2026-1234]", "aliases: [CVE-2026-1234, CVE-2026-1235]");
        let when = |s| When { seconds: s, offset_minutes: 0 };
        let edit = |s, b: &str, a: &str| Edit { when: when(s), before: b.into(), after: a.into() };
        // Newest first, as git gives them.
        let edits = [edit(2, &one, &two), edit(1, REPORT, &one)];
        let named = named_edits("ENIGM-2026-0001", &edits, &config());
        assert_eq!(
            named,
            [
                (when(2), Some(vec!["Added alias CVE-2026-1235.".to_owned()])),
                (when(1), Some(vec!["Added alias CVE-2026-1234.".to_owned()]))
            ]
        );
    }

    #[test]
    fn private_edits_and_the_publication_are_no_update() {
        let private = REPORT
            .replace("jane@private.test", "jane@elsewhere.test")
            .replace("Private Person", "Someone Else")
            .replace("private note", "another note")
            .replace("Private context.", "More private context.");
        assert_eq!(changed(REPORT, &private), Some(vec![]), "nothing public changed");
        let before = REPORT.replace("\nstate: published", "\nstate: fixed");
        assert_eq!(changed(&before, REPORT), Some(vec![]), "the publication is the release, not an update");
        assert_eq!(changed("not a report", REPORT), None, "an unreadable version cannot be named");
        assert!(surely_not_public(before.as_bytes()));
        for maybe in
            [REPORT.to_owned(), REPORT.replace("\nstate: published", "\nstate: 'fixed'"), "state: fixed".to_owned()]
        {
            assert!(!surely_not_public(maybe.as_bytes()), "read in full: {maybe}");
        }
    }

    #[test]
    fn severity_products_and_other_fields() {
        let before = REPORT.replace("\nstate: published\n", "\nstate: published\nseverity:\n  level: high\n");
        let after = REPORT
            .replace("\nstate: published\n", "\nstate: published\nseverity:\n  level: critical\n")
            .replace("    affected: \"< 2.4.1\"\n", "    affected: \"< 2.5\"\n  - name: api\n")
            .replace("  name: Jane Doe\n", "  name: Jane Doe\n  credit: J. Doe\n");
        let got = changed(&before, &after).expect("readable");
        assert_eq!(
            got,
            [
                "Affected versions of web changed to < 2.5.",
                "Product api added.",
                "Severity changed from high to critical.",
                "Credits updated."
            ]
        );
    }
}
