//! OSV records (ossf/osv-schema): advisories received from an upstream project or another
//! vulnerability database, one record or a list of them.
//!
//! The mapping (`docs/intake.md`, "OSV records"): `summary` → title, `details` → body
//! sections, `id` and `aliases` → aliases, `severity[]` (`CVSS_V3`, `CVSS_V4`) → vectors,
//! `database_specific.severity` → level, `database_specific.cwe_ids` → CWEs, each
//! `affected[]` package and each span of its `SEMVER`/`ECOSYSTEM` ranges → a product
//! (`introduced`/`fixed`/`last_affected` events as `affected` text and `fixed`; a `versions`
//! list when there is no such range), `references` → references (the same kinds, lower
//! case), the first `FINDER`/`REPORTER` (or untyped) credit → the reporter (else the database the id
//! names), `published` (else `modified`) → when, `withdrawn` → the `withdrawn` state.

use serde::Deserialize;
use serde_json::Value;

use super::advisory::{self, items};
use super::{Incoming, IntakeError, Source};
use crate::format::report::credit::Credit as Credit_;
use crate::format::report::model::VersionSpan;
use crate::format::report::{Level, Product, Reference, ReferenceType, State};

#[derive(Debug, Deserialize)]
struct Record {
    id: String,
    modified: Option<String>,
    published: Option<String>,
    withdrawn: Option<String>,
    aliases: Option<Vec<String>>,
    summary: Option<String>,
    details: Option<String>,
    severity: Option<Vec<Severity>>,
    affected: Option<Vec<Affected>>,
    references: Option<Vec<Ref>>,
    credits: Option<Vec<Credit>>,
    database_specific: Option<Value>,
}

#[derive(Debug, Deserialize)]
struct Severity {
    #[serde(rename = "type")]
    kind: String,
    score: String,
}

#[derive(Debug, Deserialize)]
struct Affected {
    package: Option<Package>,
    severity: Option<Vec<Severity>>,
    ranges: Option<Vec<Range>>,
    versions: Option<Vec<String>>,
}

#[derive(Debug, Deserialize)]
struct Package {
    ecosystem: String,
    name: String,
    purl: Option<String>,
}

#[derive(Debug, Deserialize)]
struct Range {
    #[serde(rename = "type")]
    kind: String,
    events: Vec<Event>,
}

/// One event of a range: exactly one of its fields is set.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Event {
    pub introduced: Option<String>,
    pub fixed: Option<String>,
    pub last_affected: Option<String>,
    pub limit: Option<String>,
}

#[derive(Debug, Deserialize)]
struct Ref {
    #[serde(rename = "type")]
    kind: String,
    url: String,
}

#[derive(Debug, Deserialize)]
struct Credit {
    name: String,
    contact: Option<Vec<String>>,
    #[serde(rename = "type")]
    kind: Option<String>,
}

/// Reads every OSV record in `bytes` (one object or a list).
pub fn parse(bytes: &[u8]) -> Result<Vec<Incoming>, IntakeError> {
    items::<Record>(bytes, "an OSV record")?.into_iter().map(incoming).collect()
}

fn incoming(r: Record) -> Result<Incoming, IntakeError> {
    let id = r.id.trim().to_owned();
    if id.is_empty() {
        return Err(IntakeError::Invalid { field: "id".into(), why: "empty".into() });
    }
    let at = match (r.published.as_deref(), r.modified.as_deref()) {
        (Some(t), _) => advisory::time("published", t)?,
        (None, Some(t)) => advisory::time("modified", t)?,
        (None, None) => return Err(IntakeError::Invalid { field: "published".into(), why: "missing".into() }),
    };
    if let Some(w) = r.withdrawn.as_deref() {
        advisory::time("withdrawn", w)?;
    }
    let (v3, v4) = vectors(&r);
    let (reporter_name, reporter_contact, credit) = reporter(&r, &id);
    let details = r.details.clone().unwrap_or_default();
    let specific = r.database_specific.as_ref();
    Ok(Incoming {
        source: Source::Osv { id: id.clone() },
        at,
        title: r.summary.clone().map(|s| s.trim().to_owned()).filter(|s| !s.is_empty()).unwrap_or_else(|| id.clone()),
        reporter_name,
        reporter_contact,
        credit,
        credits: credits(&r),
        products: r.affected.iter().flatten().flat_map(products).collect(),
        cvss: v3,
        cvss_v4: v4,
        level: specific.and_then(|s| s.get("severity")).and_then(Value::as_str).and_then(level),
        cwe: strings(specific.and_then(|s| s.get("cwe_ids"))),
        aliases: std::iter::once(id.clone()).chain(r.aliases.iter().flatten().map(|a| a.trim().to_owned())).collect(),
        references: r.references.iter().flatten().map(reference).collect(),
        state: Some(if r.withdrawn.is_some() { State::Withdrawn } else { State::Published }),
        resolution: None,
        body: advisory::body(&details),
        text: details,
        attachments: Vec::new(),
        in_reply_to: Vec::new(),
    })
}

/// The v3.1 and v4.0 vectors of the record (or, failing that, of its first package that has one).
fn vectors(r: &Record) -> (Option<String>, Option<String>) {
    let all = r.severity.iter().flatten().chain(r.affected.iter().flatten().flat_map(|a| a.severity.iter().flatten()));
    let mut v3 = None;
    let mut v4 = None;
    for s in all {
        let slot = match s.kind.as_str() {
            "CVSS_V3" => &mut v3,
            "CVSS_V4" => &mut v4,
            _ => continue,
        };
        if slot.is_none() {
            *slot = advisory::vector(Some(&s.score));
        }
    }
    (v3, v4)
}

/// GitHub's and most databases' severity words (`MODERATE` is medium).
fn level(word: &str) -> Option<Level> {
    match word.to_ascii_lowercase().as_str() {
        "moderate" => Some(Level::Medium),
        other => other.parse().ok(),
    }
}

fn strings(v: Option<&Value>) -> Vec<String> {
    v.and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_str).map(str::to_owned).collect()
}

/// Every credit of the record, typed, each name once; its first `http(s)` contact as the URL.
fn credits(r: &Record) -> Vec<Credit_> {
    let mut out: Vec<Credit_> = Vec::new();
    for c in r.credits.iter().flatten() {
        let name = c.name.trim().to_owned();
        if name.is_empty() || out.iter().any(|o| o.name == name) {
            continue;
        }
        let url = c.contact.iter().flatten().find(|u| u.starts_with("https://") || u.starts_with("http://")).cloned();
        out.push(Credit_ { name, kind: advisory::credit_type(c.kind.as_deref()), url });
    }
    out
}

/// The first `FINDER` or `REPORTER` credit, or one without a type (name, first contact,
/// credited as the name), else
/// the database the record comes from.
fn reporter(r: &Record, id: &str) -> (String, Option<String>, Option<String>) {
    let credited = r.credits.iter().flatten().find(|c| matches!(c.kind.as_deref(), None | Some("FINDER" | "REPORTER")));
    match credited {
        Some(c) => {
            let contact = c.contact.iter().flatten().next().cloned();
            (c.name.trim().to_owned(), contact, Some(c.name.trim().to_owned()))
        }
        None => (database(id), None, None),
    }
}

/// Databases by the prefix of their ids (the OSV schema's list of prefixes).
const DATABASES: &[(&str, &str)] = &[
    ("GHSA", "GitHub Advisory Database"),
    ("GO", "Go Vulnerability Database"),
    ("PYSEC", "PyPI Advisory Database"),
    ("RUSTSEC", "RustSec Advisory Database"),
    ("OSV", "OSS-Fuzz"),
    ("CVE", "CVE Program"),
    ("GSD", "Global Security Database"),
    ("MAL", "OpenSSF Malicious Packages"),
    ("RSEC", "R Consortium Advisory Database"),
    ("PSF", "Python Software Foundation"),
];

fn database(id: &str) -> String {
    let prefix = id.split('-').next().unwrap_or(id);
    DATABASES
        .iter()
        .find(|(p, _)| *p == prefix)
        .map_or_else(|| format!("{prefix} advisory database"), |(_, name)| (*name).to_owned())
}

fn reference(r: &Ref) -> Reference {
    let kind = r.kind.to_ascii_lowercase().parse().unwrap_or(ReferenceType::Web);
    Reference { kind, url: r.url.trim().to_owned() }
}

/// One product per package: its `SEMVER`/`ECOSYSTEM` ranges as `affected`/`fixed` text when
/// they are one span, as `versions` spans when several (backports); without such a range,
/// its `versions` list (or no version text at all). `GIT` ranges (commit hashes) say nothing
/// a report's versions can hold.
fn products(a: &Affected) -> Vec<Product> {
    let Some(package) = &a.package else { return Vec::new() };
    let base = Product {
        name: package.name.trim().to_owned(),
        ecosystem: Some(package.ecosystem.trim().to_owned()),
        package: Some(package.name.trim().to_owned()),
        purl: package.purl.clone(),
        ..Product::default()
    };
    let ranges: Vec<&Range> =
        a.ranges.iter().flatten().filter(|r| matches!(r.kind.as_str(), "SEMVER" | "ECOSYSTEM")).collect();
    let spans: Vec<(String, Option<String>)> = ranges.iter().flat_map(|r| spans(&r.events)).collect();
    match spans.as_slice() {
        [] => {
            let versions: Vec<&str> = a.versions.iter().flatten().map(|v| v.trim()).filter(|v| !v.is_empty()).collect();
            let affected = (!versions.is_empty()).then(|| versions.join(", "));
            vec![Product { affected, ..base }]
        }
        [(affected, fixed)] => vec![Product { affected: Some(affected.clone()), fixed: fixed.clone(), ..base }],
        _ => {
            let mut versions: Vec<VersionSpan> = Vec::new();
            for s in ranges.iter().flat_map(|r| version_spans(&r.events)) {
                if !versions.contains(&s) {
                    versions.push(s);
                }
            }
            crate::format::versions::sort_spans(&mut versions);
            vec![Product { versions, ..base }]
        }
    }
}

/// The spans of a range's events as `versions` entries, read as [`spans`] reads them.
pub fn version_spans(events: &[Event]) -> Vec<VersionSpan> {
    let from = |v: Option<&str>| v.map(|v| v.trim().to_owned()).filter(|v| v != "0");
    let version = |v: &str| Some(v.trim().to_owned());
    let mut out = Vec::new();
    let mut open: Option<&str> = None;
    for e in events {
        if let Some(v) = e.introduced.as_deref() {
            if let Some(start) = open.replace(v) {
                out.push(VersionSpan { introduced: from(Some(start)), ..VersionSpan::default() });
            }
        } else if let Some(v) = e.fixed.as_deref() {
            out.push(VersionSpan { introduced: from(open.take()), fixed: version(v), last_affected: None });
        } else if let Some(v) = e.last_affected.as_deref() {
            out.push(VersionSpan { introduced: from(open.take()), fixed: None, last_affected: version(v) });
        }
    }
    if let Some(start) = open {
        out.push(VersionSpan { introduced: from(Some(start)), ..VersionSpan::default() });
    }
    out
}

/// The spans a range's events describe, in the order written, as report text and the fixed
/// version: each `introduced` opens a span that the next `fixed` (exclusive) or
/// `last_affected` (inclusive) closes; one still open at the end covers every later version.
/// `limit` events bound a search, not the affected versions, and are ignored.
pub fn spans(events: &[Event]) -> Vec<(String, Option<String>)> {
    let mut out = Vec::new();
    let mut open: Option<&str> = None;
    for e in events {
        if let Some(v) = e.introduced.as_deref() {
            if let Some(start) = open.replace(v) {
                out.push((advisory::span_text(start, None), None));
            }
        } else if let Some(v) = e.fixed.as_deref() {
            let start = open.take().unwrap_or("0");
            out.push((advisory::span_text(start, Some((v, false))), Some(v.trim().to_owned())));
        } else if let Some(v) = e.last_affected.as_deref() {
            let start = open.take().unwrap_or("0");
            out.push((advisory::span_text(start, Some((v, true))), None));
        }
    }
    if let Some(start) = open {
        out.push((advisory::span_text(start, None), None));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::format::ranges;
    use proptest::prelude::*;

    const GHSA: &str = include_str!("../../../tests/fixtures/osv/GHSA-origin.json");
    const PYSEC: &str = include_str!("../../../tests/fixtures/osv/PYSEC.json");
    const GO: &str = include_str!("../../../tests/fixtures/osv/GO.json");
    const WITHDRAWN: &str = include_str!("../../../tests/fixtures/osv/withdrawn.json");

    fn one(text: &str) -> Incoming {
        let mut all = parse(text.as_bytes()).expect("parses");
        assert_eq!(all.len(), 1);
        all.remove(0)
    }

    fn ranges_of(i: &Incoming) -> Vec<(&str, Option<&str>, Option<&str>)> {
        i.products.iter().map(|p| (p.name.as_str(), p.affected.as_deref(), p.fixed.as_deref())).collect()
    }

    #[test]
    fn a_ghsa_origin_record() {
        let i = one(GHSA);
        assert_eq!(i.source, Source::Osv { id: "GHSA-9wx4-h78v-vm56".into() });
        assert_eq!(i.at.to_rfc3339(), "2026-10-01T10:22:19+00:00");
        assert_eq!(i.aliases, ["GHSA-9wx4-h78v-vm56", "CVE-2026-31337"]);
        assert_eq!(i.cvss.as_deref(), Some("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"));
        assert_eq!(i.cvss_v4.as_deref(), Some("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N"));
        assert_eq!(i.level, Some(Level::Critical));
        assert_eq!(i.cwe, ["CWE-502"]);
        assert_eq!(i.state, Some(State::Published));
        assert_eq!((i.reporter_name.as_str(), i.credit.as_deref()), ("Tomasz Kowalski", Some("Tomasz Kowalski")));
        assert_eq!(i.reporter_contact.as_deref(), Some("https://github.com/tkowalski"));
        assert_eq!(ranges_of(&i), [("@acme/widget", Some("< 3.2.5"), Some("3.2.5"))]);
        assert_eq!(i.products[0].ecosystem.as_deref(), Some("npm"));
        assert_eq!(i.products[0].purl.as_deref(), Some("pkg:npm/%40acme/widget"));
        let kinds: Vec<ReferenceType> = i.references.iter().map(|r| r.kind).collect();
        assert_eq!(kinds, [ReferenceType::Advisory, ReferenceType::Fix, ReferenceType::Package, ReferenceType::Web]);
    }

    #[test]
    fn a_pysec_record_with_two_spans_and_no_credit() {
        let i = one(PYSEC);
        assert_eq!(i.aliases, ["PYSEC-2026-112", "CVE-2026-40100", "GHSA-5m6q-f2c8-xr9j"]);
        assert_eq!(i.reporter_name, "PyPI Advisory Database");
        assert_eq!(i.credit, None);
        assert_eq!(i.cvss, None, "no severity in the record");
        assert_eq!(i.level, None);
        assert_eq!(ranges_of(&i), [("acme-store", None, None)], "two spans are one product's `versions`");
        let span =
            |i: &str, f: &str| VersionSpan { introduced: Some(i.into()), fixed: Some(f.into()), last_affected: None };
        assert_eq!(i.products[0].versions, [span("1.0", "1.9.3"), span("2.0", "2.4.1")]);
        assert_eq!(
            i.body,
            "## Summary\n\nacme-store before 1.9.3 and 2.x before 2.4.1 lets a crafted archive name write outside the extraction directory.\n"
        );
    }

    #[test]
    fn a_go_record_with_a_semver_range_and_last_affected() {
        let i = one(GO);
        assert_eq!(i.at.to_rfc3339(), "2026-07-14T18:30:00+00:00");
        assert_eq!(i.aliases, ["GO-2026-3901", "CVE-2026-29876", "GHSA-c9rv-2hxq-p7m8"]);
        assert_eq!(
            ranges_of(&i),
            [
                ("github.com/acme/gateway", Some(">= 1.4.0, < 1.6.2"), Some("1.6.2")),
                ("github.com/acme/gateway/v2", Some("<= 2.0.3"), None),
            ]
        );
        assert_eq!(i.products[0].ecosystem.as_deref(), Some("Go"));
        assert_eq!(
            (i.reporter_name.as_str(), i.reporter_contact.as_deref()),
            ("Mira Osei", None),
            "a credit without a type"
        );
        assert_eq!(i.cvss_v4.as_deref(), Some("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:N/VI:N/VA:H/SC:N/SI:N/SA:N"));
        let titles: Vec<&str> = i.body.lines().filter(|l| l.starts_with("## ")).collect();
        assert_eq!(titles, ["## Summary", "## Impact"]);
    }

    #[test]
    fn a_withdrawn_record_and_a_versions_list() {
        let i = one(WITHDRAWN);
        assert_eq!(i.state, Some(State::Withdrawn));
        assert_eq!(ranges_of(&i), [("acme-thumbs", Some("0.9.0, 0.9.1"), None)]);
        assert_eq!(i.level, Some(Level::Medium), "MODERATE");
        assert_eq!(i.products[0].ecosystem.as_deref(), Some("crates.io"));
    }

    #[test]
    fn broken_records_say_which_field() {
        let err = |t: &str| parse(t.as_bytes()).unwrap_err().to_string();
        assert!(err(r#"{"summary": "x"}"#).contains("id"));
        assert!(err(r#"{"id": "X-1"}"#).contains("published: missing"), "{}", err(r#"{"id": "X-1"}"#));
        let bad = r#"[{"id": "X-1", "modified": "2026-01-01T00:00:00Z"}, {"id": "X-2", "modified": "soon"}]"#;
        assert!(err(bad).contains("modified"), "{}", err(bad));
        let bad_events = r#"{"id": "X-1", "modified": "2026-01-01T00:00:00Z", "affected": [{"ranges": [{"type": "SEMVER", "events": 3}]}]}"#;
        assert!(err(bad_events).starts_with("[0].affected[0].ranges[0].events"), "{}", err(bad_events));
    }

    fn ev(kind: &str, v: &str) -> Event {
        let v = Some(v.to_owned());
        match kind {
            "i" => Event { introduced: v, ..Event::default() },
            "f" => Event { fixed: v, ..Event::default() },
            "l" => Event { last_affected: v, ..Event::default() },
            _ => Event { limit: v, ..Event::default() },
        }
    }

    #[test]
    fn events_become_spans() {
        type Row<'a> = (&'a [(&'a str, &'a str)], &'a [(&'a str, Option<&'a str>)]);
        let table: &[Row<'_>] = &[
            (&[("i", "0"), ("f", "1.2.3")], &[("< 1.2.3", Some("1.2.3"))]),
            (&[("i", "1.0"), ("f", "1.2")], &[(">= 1.0, < 1.2", Some("1.2"))]),
            (&[("i", "1.0"), ("l", "1.1.9")], &[(">= 1.0, <= 1.1.9", None)]),
            (&[("i", "1.0")], &[(">= 1.0", None)]),
            (&[("i", "0")], &[(">= 0", None)]),
            (
                &[("i", "0"), ("f", "1.0"), ("i", "2.0"), ("f", "2.1")],
                &[("< 1.0", Some("1.0")), (">= 2.0, < 2.1", Some("2.1"))],
            ),
            (&[("i", "1.0"), ("limit", "9.9")], &[(">= 1.0", None)]),
            (&[("f", "3.0")], &[("< 3.0", Some("3.0"))]),
        ];
        for (events, want) in table {
            let events: Vec<Event> = events.iter().map(|(k, v)| ev(k, v)).collect();
            let got = spans(&events);
            let got: Vec<(&str, Option<&str>)> = got.iter().map(|(a, f)| (a.as_str(), f.as_deref())).collect();
            assert_eq!(&got, want, "{events:?}");
        }
    }

    fn version() -> impl Strategy<Value = String> {
        (0u32..20, 0u32..20, 0u32..20).prop_map(|(a, b, c)| format!("{a}.{b}.{c}"))
    }

    proptest! {
        #![proptest_config(ProptestConfig { failure_persistence: None, cases: 256, ..ProptestConfig::default() })]
        /// Whatever span the events give, the report's own range reader reads it back as
        /// that span: no export widens or narrows it.
        #[test]
        fn every_span_reads_back_as_the_same_span(
            start in proptest::option::of(version()), end in proptest::option::of(version()), inclusive in any::<bool>(),
        ) {
            // `introduced: X` + `last_affected: X` is the one version X: the range text reads
            // it as that single version, the span entry as a one-version span (same meaning).
            proptest::prop_assume!(!(inclusive && end.is_some() && start.as_deref().unwrap_or("0") == end.as_deref().unwrap_or("")));
            let mut events = vec![ev("i", start.as_deref().unwrap_or("0"))];
            if let Some(e) = &end {
                events.push(ev(if inclusive { "l" } else { "f" }, e));
            }
            let got = spans(&events);
            prop_assert_eq!(got.len(), 1);
            let parsed = ranges::parse(&got[0].0).expect("reads as ranges");
            let span = ranges::span(&parsed).expect("one span");
            prop_assert_eq!(span.start, start.unwrap_or_else(|| "0".to_owned()));
            prop_assert_eq!(span.end, end.clone().map(|e| (e, inclusive)));
            prop_assert_eq!(got[0].1.clone(), end.clone().filter(|_| !inclusive));
            // The same span as a `versions` entry reads the same in every export.
            let text = crate::format::versions::Versions::of(Some(&got[0].0), got[0].1.as_deref(), &[]);
            let entry = crate::format::versions::Versions::of(None, None, &version_spans(&events));
            prop_assert_eq!(text.affected, entry.affected);
        }
    }
}
