//! `enrich`: threat data from files the user downloaded (CISA's KEV catalog, FIRST's EPSS
//! scores; [`crate::format::enrichment`]) written into the reports whose `aliases` carry a
//! listed CVE, in one commit. No network access: the tool only reads the files it is given.
//!
//! A KEV listing sets `kev` and, on a report without `exploited`, `exploited` with source
//! `kev`, `since` the entry's `dateAdded` (00:00 UTC, the catalog gives no time) and `aware`
//! the moment of the enrichment (that is when this repository learned it; an earlier
//! awareness is the team's to write). An EPSS score sets `epss`. A value already recorded
//! unchanged is not rewritten; a report that is sealed and cannot be opened is refused.

use std::path::PathBuf;

use chrono::{DateTime, FixedOffset, NaiveTime};

use crate::error::{Error, Result};
use crate::format::config::Config;
use crate::format::enrichment::{EpssScores, KevCatalog};
use crate::format::exploited::{Exploited, Source};
use crate::format::report::edit::Editor;
use crate::format::report::{Document, Report};
use crate::store::repo::{Change, CommitId, Identity, Repo};
use crate::workflow::advance::refused;

/// What to enrich with.
#[derive(Debug, Clone, Default)]
pub struct Sources {
    pub kev: Option<KevCatalog>,
    pub epss: Option<EpssScores>,
}

/// What changed in one report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Enriched {
    pub id: String,
    pub path: PathBuf,
    /// The fields written: `kev`, `exploited`, `epss`.
    pub fields: Vec<&'static str>,
}

/// What `enrich` did.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub reports: Vec<Enriched>,
    /// `None` when nothing changed.
    pub commit: Option<CommitId>,
}

/// Enriches every report under `reports/` and commits the changes in one commit.
pub fn enrich(
    repo: &Repo,
    config: &Config,
    sources: &Sources,
    now: DateTime<FixedOffset>,
    identity: &Identity,
) -> Result<Outcome> {
    let mut changes = Vec::new();
    let mut reports = Vec::new();
    for path in crate::store::scan::report_paths(repo.root())? {
        let doc = Document::load(repo.root(), &path)
            .map_err(|r| refused(vec![r.finding], r.text, &format!("{} is not valid; fix it first", path.display())))?;
        crate::workflow::seal::require_open(&doc)?;
        let report = doc.report()?;
        let Some((text, fields)) = enriched_text(doc, &report, sources, now)? else { continue };
        let stored = crate::workflow::seal::stored(config, &path, text, None)?;
        changes.push(Change::Write { path: path.clone(), content: stored.into_bytes() });
        reports.push(Enriched { id: report.id, path, fields });
    }
    if changes.is_empty() {
        return Ok(Outcome { reports, commit: None });
    }
    let ids: Vec<&str> = reports.iter().map(|r| r.id.as_str()).collect();
    let message = format!("enrich: {} from {}\n\n{}\n", plural(ids.len()), source_names(sources), ids.join("\n"));
    let commit = crate::workflow::seal::write_and_commit(repo, &changes, &message, identity)?;
    Ok(Outcome { reports, commit: Some(commit) })
}

fn plural(n: usize) -> String {
    if n == 1 { "1 report".to_owned() } else { format!("{n} reports") }
}

fn source_names(sources: &Sources) -> String {
    let kev = sources.kev.as_ref().map(|k| format!("KEV {}", k.version));
    let epss = sources.epss.as_ref().map(|e| format!("EPSS {} of {}", e.model, e.date));
    kev.into_iter().chain(epss).collect::<Vec<_>>().join(" and ")
}

/// The report's new text and the fields written, or `None` when nothing changes.
pub fn enriched_text(
    doc: Document,
    report: &Report,
    sources: &Sources,
    now: DateTime<FixedOffset>,
) -> Result<Option<(String, Vec<&'static str>)>> {
    let cves: Vec<&String> = report.aliases.iter().filter(|a| a.starts_with("CVE-")).collect();
    let kev = sources.kev.as_ref().and_then(|k| cves.iter().find_map(|c| k.entries.get(c.as_str())));
    let epss = sources.epss.as_ref().and_then(|e| cves.iter().find_map(|c| e.scores.get(c.as_str())));
    let path = doc.path.clone();
    let mut editor = Editor::new(doc);
    let mut fields = Vec::new();
    let mut set = |editor: &mut Editor, key: &'static str, yaml: String| {
        editor.set_mapping(key, &yaml).map_err(|e| {
            Error::usage(
                format!("{}: cannot write `{key}`: {e}", path.display()),
                "write the front matter one key per line",
            )
        })?;
        fields.push(key);
        Ok::<(), Error>(())
    };
    if let Some(k) = kev.filter(|k| report.kev.as_ref() != Some(*k)) {
        set(&mut editor, "kev", to_yaml(k)?)?;
    }
    if let Some(k) = kev.filter(|_| report.exploited.is_none()) {
        let since = k.date_added.and_time(NaiveTime::MIN).and_utc().fixed_offset();
        let exploited = Exploited {
            since,
            aware: Some(now.max(since)),
            source: Source::Kev,
            early_warning: None,
            notification: None,
            measure_available: None,
            final_report: None,
        };
        set(&mut editor, "exploited", to_yaml(&exploited)?)?;
    }
    if let Some(e) = epss.filter(|e| report.epss.as_ref() != Some(*e)) {
        set(&mut editor, "epss", to_yaml(e)?)?;
    }
    if fields.is_empty() {
        return Ok(None);
    }
    Ok(Some((editor.into_document().text, fields)))
}

fn to_yaml<T: serde::Serialize>(value: &T) -> Result<String> {
    serde_yaml::to_string(value)
        .map_err(|e| Error::usage(format!("cannot write the field: {e}"), "report this as a bug"))
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::format::enrichment::{parse_epss, parse_kev};

    const REPORT: &str = "---\nid: ENIGM-2026-0001\ntitle: T\nstate: triaged\nreported: 2026-11-01\nreporter:\n  name: R\naliases:\n  - CVE-2026-1234\nseverity:\n  level: high\ntimeline:\n  - date: 2026-11-01\n    state: received\n  - date: 2026-11-02\n    state: triaged\n---\n## Summary\n\nS.\n";

    fn sources() -> Sources {
        let kev = r#"{"catalogVersion":"2026.11.28","dateReleased":"2026-11-28T17:02:11Z","vulnerabilities":[{"cveID":"CVE-2026-1234","dateAdded":"2026-11-20","knownRansomwareCampaignUse":"Known"}]}"#;
        let epss =
            "#model_version:v2025.03.14,score_date:2026-11-30T00:00:00Z\ncve,epss,percentile\nCVE-2026-1234,0.5,0.9\n";
        Sources { kev: Some(parse_kev(kev).unwrap()), epss: Some(parse_epss(epss).unwrap()) }
    }

    fn doc(text: &str) -> Document {
        Document::parse(Path::new("reports/ENIGM-2026-0001.md"), text.into()).expect("doc")
    }

    #[test]
    fn a_listed_cve_gets_kev_exploited_and_epss_and_a_second_run_changes_nothing() {
        let now: DateTime<FixedOffset> = "2026-12-01T10:00:00+01:00".parse().unwrap();
        let d = doc(REPORT);
        let report = d.report().unwrap();
        let (text, fields) = enriched_text(d, &report, &sources(), now).unwrap().expect("changed");
        assert_eq!(fields, ["kev", "exploited", "epss"]);
        let again = doc(&text);
        let r = again.report().expect("valid report");
        assert_eq!(r.kev.as_ref().map(|k| k.catalog_version.as_str()), Some("2026.11.28"));
        let e = r.exploited.as_ref().expect("exploited");
        assert_eq!(
            (e.source, e.since.to_rfc3339(), e.aware),
            (Source::Kev, "2026-11-20T00:00:00+00:00".into(), Some(now))
        );
        assert_eq!(r.epss.as_ref().map(|e| e.score), Some(0.5));
        assert!(text.ends_with("---\n## Summary\n\nS.\n"));
        assert_eq!(enriched_text(again, &r, &sources(), now).unwrap(), None);
    }

    #[test]
    fn a_report_without_the_cve_is_left_alone() {
        let d = doc(&REPORT.replace("CVE-2026-1234", "CVE-2026-9999"));
        let r = d.report().unwrap();
        assert_eq!(enriched_text(d, &r, &sources(), "2026-12-01T00:00:00Z".parse().unwrap()).unwrap(), None);
    }
}
