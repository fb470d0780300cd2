//! `document.tracking` of a CSAF document: its revisions, from the timeline and from git.
//!
//! A report is released when it is published and changes after that in two ways: the lifecycle
//! (withdrawal, a timeline entry) and plain edits, which only git records. So the revisions are
//! the publication, the withdrawal, and every commit after the release that changed what the
//! advisory says in public ([`crate::publish::revisions`] compares the public view of the file
//! before and after the commit and names the change: "Added alias CVE-…"). A commit that only
//! touched private fields, the lifecycle (the withdrawal's own commit) or that made the report
//! public in the first place is not a revision. A report with uncommitted changes is
//! `interim`: it is being revised, and its next revision gets a number when it is committed.
//! Dates are the timeline's (midnight UTC) and the commits' own, so the same repository always
//! gives the same document. The same revisions give every other output its "last updated"
//! ([`crate::publish::revisions::apply`]): OSV `modified`, the page, the feed, the CVE record.
//! What git says arrives as data ([`ReportRevisions`], read by the caller with
//! [`store::history::report_revisions`](crate::store::history::report_revisions) for the
//! ids and window [`History::wanted`] gives): this module never opens the repository.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, NaiveDate, Utc};

use crate::format::config::Config;
use crate::publish::public::Advisory;
use crate::publish::revisions::named_edits;
use crate::store::history::{Edit, ReportRevisions, When};

/// One revision of the document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Revision {
    /// `2026-03-01T00:00:00.000Z`.
    pub date: String,
    pub summary: String,
}

/// What `document.tracking` says about one advisory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tracking {
    /// Oldest first; revision `n` is `revisions[n - 1]`.
    pub revisions: Vec<Revision>,
    /// Uncommitted changes: the document is being revised.
    pub interim: bool,
}

impl Tracking {
    pub fn initial_release_date(&self) -> &str {
        self.revisions.first().map_or("", |r| r.date.as_str())
    }

    pub fn current_release_date(&self) -> &str {
        self.revisions.last().map_or("", |r| r.date.as_str())
    }

    /// Integer versioning: the number of revisions.
    pub fn version(&self) -> String {
        self.revisions.len().to_string()
    }
}

/// A commit that modified a report file, and what it changed in public (`None`: not readable).
pub type Named = (When, Option<Vec<String>>);

/// Commits that changed published reports in public, and reports with uncommitted changes.
#[derive(Debug, Default)]
pub struct History {
    /// Report id → commits that modified its file: when, and what changed in public (`None`:
    /// one side could not be read, so the change cannot be named; empty: nothing public).
    edits: HashMap<String, Vec<Named>>,
    /// Reports with uncommitted changes.
    dirty: HashSet<String>,
}

/// The summary of a revision whose change cannot be named (a version that does not parse).
pub const REVISED: &str = "Advisory revised.";

/// Midnight UTC of a `YYYY-MM-DD` date.
fn midnight(date: &str) -> Option<DateTime<Utc>> {
    NaiveDate::parse_from_str(date, "%Y-%m-%d").ok().and_then(|d| d.and_hms_opt(0, 0, 0)).map(|t| t.and_utc())
}

/// A CSAF date-time: `2026-03-01T00:00:00.000Z`.
pub fn csaf_time(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

/// The release date of an advisory: `published`, else its `published` timeline step, else
/// the date it was reported.
fn release_day(a: &Advisory) -> String {
    a.published
        .clone()
        .or_else(|| {
            a.timeline.iter().find(|s| s.state == crate::format::report::State::Published).map(|s| s.date.clone())
        })
        .unwrap_or_else(|| a.reported.clone())
}

/// Each report's edits (newest first) summarised in public terms with the public sections
/// `config` names.
pub fn name_all(changes: HashMap<String, Vec<Edit>>, config: &Config) -> HashMap<String, Vec<Named>> {
    use rayon::prelude::*;
    changes
        .into_par_iter()
        .map(|(id, edits)| {
            let named = named_edits(&id, &edits, config);
            (id, named)
        })
        .collect()
}

impl History {
    /// No git information: revisions come from the timeline alone.
    pub fn none() -> History {
        History::default()
    }

    /// What git must be asked for the revisions of `advisories`: their ids, and how far back
    /// to walk HEAD's first-parent history (Unix seconds: the oldest release; `None` when
    /// there is none).
    pub fn wanted(advisories: &[Advisory]) -> (HashSet<&str>, Option<i64>) {
        let ids = advisories.iter().map(|a| a.id.as_str()).collect();
        let since = advisories.iter().filter_map(|a| midnight(&release_day(a))).min().map(|t| t.timestamp());
        (ids, since)
    }

    /// The revisions git records, read for [`History::wanted`]; each edit is summarised in
    /// public terms with the public sections `config` names.
    pub fn from_git(git: ReportRevisions, config: &Config) -> History {
        History { edits: name_all(git.changes, config), dirty: git.dirty }
    }

    /// The revisions of edits already named ([`name_all`]), and the reports with uncommitted
    /// changes.
    pub fn from_named(edits: HashMap<String, Vec<Named>>, dirty: HashSet<String>) -> History {
        History { edits, dirty }
    }

    /// The tracking of one advisory.
    pub fn tracking(&self, a: &Advisory) -> Tracking {
        let epoch = DateTime::<Utc>::UNIX_EPOCH;
        let released = midnight(&release_day(a)).unwrap_or(epoch);
        let withdrawn = a.withdrawn_date.as_deref().and_then(midnight);
        let mut revisions = vec![(released, "Initial public release.".to_owned())];
        if let Some(w) = withdrawn {
            revisions.push((w, "Advisory withdrawn.".to_owned()));
        }
        // The commits of the publication and the withdrawal change nothing public but the
        // lifecycle: those revisions are there already.
        // Oldest first (git gives them newest first), so commits made in the same second keep
        // their order through the stable sort below.
        for (when, changes) in self.edits.get(&a.id).into_iter().flatten().rev() {
            let Some(time) = DateTime::from_timestamp(when.seconds, 0).filter(|t| *t > released) else { continue };
            match changes {
                None => revisions.push((time, REVISED.to_owned())),
                Some(c) if !c.is_empty() => revisions.push((time, c.join(" "))),
                Some(_) => {}
            }
        }
        revisions.sort_by_key(|(t, _)| *t);
        Tracking {
            revisions: revisions.into_iter().map(|(t, summary)| Revision { date: csaf_time(t), summary }).collect(),
            interim: self.dirty.contains(&a.id),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edits_become_named_revisions_in_commit_order_even_within_one_second() {
        use crate::publish::csaf::test_support::{EXPORTS, advisory, config};
        let one = EXPORTS.replace("aliases: [CVE-2026-41234]", "aliases: [CVE-2026-41234, CVE-2026-41235]");
        let two = one.replace("CVE-2026-41235]", "CVE-2026-41235, CVE-2026-41236]");
        let private = two.replace("default configuration", "a lab");
        let at = |seconds| When { seconds, offset_minutes: 0 };
        let edit = |s, b: &str, a: &str| Edit { when: at(s), before: b.into(), after: a.into() };
        let april = 1_775_554_200; // 2026-04-07T09:30:00Z
        let mut git = ReportRevisions::default();
        // Newest first, as the walk gives them; the last two in one second.
        let edits = vec![edit(april + 9, &two, &private), edit(april, &one, &two), edit(april, EXPORTS, &one)];
        git.changes.insert("ENIGM-2026-0001".into(), edits);
        let tracking = History::from_git(git, &config()).tracking(&advisory(&two));
        let summaries: Vec<&str> = tracking.revisions.iter().map(|r| r.summary.as_str()).collect();
        assert_eq!(
            summaries,
            ["Initial public release.", "Added alias CVE-2026-41235.", "Added alias CVE-2026-41236."],
            "in commit order; the private edit is none"
        );
        assert_eq!(tracking.current_release_date(), "2026-04-07T09:30:00.000Z");
    }

    #[test]
    fn csaf_times_have_milliseconds_and_zulu() {
        let t = midnight("2026-03-01").expect("date");
        assert_eq!(csaf_time(t), "2026-03-01T00:00:00.000Z");
        assert!(midnight("2026-02-30").is_none());
    }
}
