//! The audit trail: a report's history joined with git, and `verify` over the whole history.
//!
//! Every state change is a commit, so git history can be checked against the lifecycle: a
//! state may only change by a legal step, timeline entries once committed are never rewritten
//! or removed, and a published report is never deleted or renamed. `verify` walks the commits
//! on the current branch (all parents) whose report files changed (the store's
//! [`reports_changes`](crate::store::history::reports_changes) diffs `reports/` and, sharded,
//! each changed year shard against the first parent), and parses only the changed files. In a merge, a file that equals its
//! version in another parent came from that parent and was checked there. Commits are checked
//! in parallel, one repository handle per worker.
//!
//! A clean run may be recorded (`refs/enigm/verified`, written by the store at the caller's
//! request: this module only reads); the next run then checks the commits after it, or
//! everything when the record cannot be trusted ([`FullCheck`]). This module holds the rules
//! the commits are checked against and decides where a run starts.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::error::Result;
use crate::format::acknowledged;
use crate::format::finding::Code;
use crate::format::report::{Document, Report, State};
use crate::format::sealed;
use crate::layout::{ACKNOWLEDGED_FILE, REPORTS_DIR};
use crate::rules::change;
use crate::store::history::{self, ChangedCommit, CommitInfo, FileEventKind, Objects, Snapshot, Verified};
use crate::store::repo::{BlobId, CommitId, Repo};

/// One problem found in the history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditFinding {
    /// [`Code::IllegalStep`], [`Code::TimelineRewritten`], [`Code::PublishedDeleted`] or
    /// [`Code::PublishedRenamed`].
    pub code: Code,
    pub commit: String,
    pub commit_date: String,
    pub author: String,
    pub path: String,
    pub message: String,
}

/// What `verify` looked at and found.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Audit {
    /// The walk reached the boundary of a shallow clone: history before it was not checked.
    pub shallow: bool,
    /// Commits checked (walked) by this run.
    pub commits: usize,
    pub changes: usize,
    /// The commit this run continued from (`refs/enigm/verified`): only commits not reachable
    /// from it were checked. `None`: the whole history was checked.
    pub checked_from: Option<String>,
    /// Why the whole history was checked (`None` when the run continued from a record).
    pub full_check: Option<FullCheck>,
    /// The commit whose history this run accepted (HEAD), when it can be recorded as verified:
    /// no findings but acknowledged ones, and no shallow boundary reached.
    pub verified: Option<String>,
    #[serde(skip)]
    pub verified_commit: Option<CommitId>,
    /// Findings not acknowledged, and problems of the acknowledgements file itself.
    pub findings: Vec<AuditFinding>,
    /// Findings the committed acknowledgements file accepts (they do not fail `verify`).
    pub acknowledged: Vec<AcknowledgedFinding>,
}

/// Why `verify` checked the whole history rather than the commits after its record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum FullCheck {
    /// The request asked for it.
    Requested,
    /// No commit is recorded as verified yet.
    NoRecord,
    /// The recorded commit is not in HEAD's history (a force push or a rebase rewrote it).
    NotAnAncestor,
    /// The record names a commit the repository does not have.
    UnknownCommit,
    /// `.enigm/acknowledged.yaml` changed since the recorded commit: every acknowledgement is
    /// matched against the whole history again.
    AcknowledgementsChanged,
}

/// A finding of history that `.enigm/acknowledged.yaml` (in HEAD) accepts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AcknowledgedFinding {
    #[serde(flatten)]
    pub finding: AuditFinding,
    pub reason: String,
    pub by: String,
}

/// Verifies the history of the current branch: the commits after the one recorded as
/// verified ([`history::VERIFIED_REF`]) when it is an ancestor of HEAD, else (or when `full`)
/// every commit.
pub fn verify(repo: &Repo, full: bool) -> Result<Audit> {
    let (from, full_check) = starting_point(repo, full)?;
    let walked = history::reports_changes(repo, from, check_step)?;
    let mut audit = Audit {
        commits: walked.commits,
        shallow: walked.shallow,
        checked_from: from.map(|c| c.to_string()),
        full_check,
        ..Audit::default()
    };
    let mut found = Vec::new();
    for (n, f) in walked.results {
        audit.changes += n;
        found.extend(f);
    }
    acknowledge(repo, found, from.is_some(), &mut audit)?;
    if audit.findings.is_empty() && !audit.shallow {
        audit.verified_commit = repo.head_id();
        audit.verified = audit.verified_commit.map(|h| h.to_string());
    }
    Ok(audit)
}

/// The verified commit to continue from, or why the whole history must be checked.
fn starting_point(repo: &Repo, full: bool) -> Result<(Option<CommitId>, Option<FullCheck>)> {
    if full {
        return Ok((None, Some(FullCheck::Requested)));
    }
    let from = match history::verified(repo)? {
        Verified::Ancestor(c) => c,
        Verified::None => return Ok((None, Some(FullCheck::NoRecord))),
        Verified::NotAncestor(_) => return Ok((None, Some(FullCheck::NotAnAncestor))),
        Verified::Unknown(_) => return Ok((None, Some(FullCheck::UnknownCommit))),
    };
    // The acknowledgements were matched against the history up to `from` as they were then.
    let acks = |c: CommitId| -> Result<Option<Vec<u8>>> {
        Ok(Snapshot::of_commit(repo, c)?.file(Path::new(ACKNOWLEDGED_FILE)))
    };
    let head = repo.head_commit()?;
    if acks(from)? != acks(head)? {
        return Ok((None, Some(FullCheck::AcknowledgementsChanged)));
    }
    Ok((Some(from), None))
}

/// Splits `found` into acknowledged findings and the rest, by the acknowledgements file as
/// committed in HEAD (a copy only in the work tree does not count: CI sees what is
/// committed). A malformed file, or an acknowledgement that names no finding, is a finding;
/// when only the commits after a verified one were checked (`partial`), with the file as it
/// was then, the other acknowledgements named findings of the history already checked.
fn acknowledge(repo: &Repo, found: Vec<AuditFinding>, partial: bool, audit: &mut Audit) -> Result<()> {
    let Some(head) = repo.head_id() else {
        audit.findings = found;
        return Ok(());
    };
    let file = Snapshot::of_commit(repo, head)?.file(Path::new(ACKNOWLEDGED_FILE));
    let file_finding = |message: String| AuditFinding {
        code: Code::AcknowledgementInvalid,
        commit: head.to_string(),
        commit_date: String::new(),
        author: String::new(),
        path: ACKNOWLEDGED_FILE.to_owned(),
        message,
    };
    let acks = match file.map(String::from_utf8) {
        None => Vec::new(),
        Some(Err(_)) => {
            audit.findings.push(file_finding("the file is not UTF-8".into()));
            Vec::new()
        }
        Some(Ok(text)) => match acknowledged::parse(&text) {
            Ok(acks) => acks,
            Err(problems) => {
                for f in problems {
                    let line = f.span.map(|s| text[..s.start.min(text.len())].matches('\n').count() + 1);
                    let at = line.map(|l| format!("line {l}: ")).unwrap_or_default();
                    audit.findings.push(file_finding(format!("{at}{}", f.message)));
                }
                Vec::new()
            }
        },
    };
    let mut used = vec![false; acks.len()];
    for f in found {
        match acks.iter().position(|a| a.matches(&f.commit, f.code, &f.path)) {
            Some(i) => {
                used[i] = true;
                let a = &acks[i];
                audit.acknowledged.push(AcknowledgedFinding { finding: f, reason: a.reason.clone(), by: a.by.clone() });
            }
            None => audit.findings.push(f),
        }
    }
    for (a, _) in acks.iter().zip(&used).filter(|(_, u)| !**u && !partial) {
        let mut f = file_finding(format!(
            "the acknowledgement of {} in {} at {} names no finding of `verify`",
            a.code, a.commit, a.path
        ));
        f.code = Code::AcknowledgementUnused;
        audit.findings.push(f);
    }
    Ok(())
}

fn parse_blob(blob: Option<Vec<u8>>, name: &str) -> Option<Report> {
    let path = Path::new(REPORTS_DIR).join(name);
    Document::from_bytes(&path, blob?).ok()?.report().ok()
}

fn check_step(objects: &Objects, step: &ChangedCommit) -> Result<(usize, Vec<AuditFinding>)> {
    let commit = &step.commit;
    let mut findings = Vec::new();
    let finding = |code, path: &str, message: String| AuditFinding {
        code,
        commit: commit.id.to_string(),
        commit_date: chrono::DateTime::from_timestamp(commit.time.seconds, 0)
            .map(|d| d.to_rfc3339())
            .unwrap_or_default(),
        author: commit.author.clone().unwrap_or_default(),
        path: format!("{REPORTS_DIR}/{path}"),
        message,
    };
    let mut deleted: Vec<(String, Report)> = Vec::new();
    let mut added: HashMap<String, (String, Report)> = HashMap::new();
    for change in &step.changes {
        // In a merge, a version that another parent already has was checked on that side.
        if change.merged {
            continue;
        }
        let name = &change.name;
        let parse = |blob: Option<BlobId>| blob.and_then(|b| parse_blob(objects.blob(b), name));
        match (parse(change.old), parse(change.new)) {
            (Some(old), Some(new)) => findings.extend(modified(&old, &new, name, &finding)),
            (Some(old), None) if change.new.is_none() => deleted.push((name.clone(), old)),
            (None, Some(new)) if change.old.is_none() => {
                added.insert(new.id.clone(), (name.clone(), new));
            }
            _ => {}
        }
    }
    for (name, old) in deleted {
        match added.get(&old.id) {
            // The same report under its path in the other layout (`migrate`): an edit.
            Some((to, new)) if same_file_name(&name, to) => findings.extend(modified(&old, new, to, &finding)),
            Some((to, _)) if old.state.is_public() => findings.push(finding(
                Code::PublishedRenamed,
                &name,
                format!("published report {} was moved to {REPORTS_DIR}/{to}", old.id),
            )),
            None if old.state.is_public() => findings.push(finding(
                Code::PublishedDeleted,
                &name,
                format!("published report {} ({}) was deleted", old.id, old.title),
            )),
            _ => {}
        }
    }
    Ok((step.changes.len(), findings))
}

/// The findings of one committed report file changed from `old` to `new` (at `name`).
fn modified(
    old: &Report,
    new: &Report,
    name: &str,
    finding: &dyn Fn(Code, &str, String) -> AuditFinding,
) -> Vec<AuditFinding> {
    let mut out: Vec<AuditFinding> =
        change::modified(old, new).into_iter().map(|b| finding(b.code, name, b.message)).collect();
    if old.id != new.id && old.state.is_public() {
        out.push(finding(
            Code::PublishedRenamed,
            name,
            format!("published report {} had its id changed to {}", old.id, new.id),
        ));
    }
    out
}

/// Two paths inside `reports/` name the same file in the two layouts (`<ID>.md` and
/// `<YEAR>/<ID>.md`).
fn same_file_name(a: &str, b: &str) -> bool {
    let id = |n: &str| crate::layout::report_id_of(&Path::new(REPORTS_DIR).join(n)).map(str::to_owned);
    id(a).is_some() && id(a) == id(b)
}

/// One row of a report's history.
#[derive(Debug, Clone, Serialize)]
pub struct HistoryEntry {
    /// Date of the timeline entry (or of the commit, for the other kinds).
    pub date: String,
    /// `filing` (the first timeline entry, with the commit that added the file),
    /// `state-change` (a later timeline entry, with the commit that introduced it: a commit
    /// that files and advances at once carries both), `timeline-only` (an entry not
    /// committed yet), or a commit that added no timeline entry: `edit`, `rename` (the report
    /// came from another file, `note` says which), `deletion`, `restore` (the file came back
    /// after a deletion).
    pub kind: &'static str,
    pub from: Option<State>,
    pub to: Option<State>,
    pub by: Option<String>,
    pub note: Option<String>,
    pub commit: Option<String>,
    pub author: Option<String>,
    pub commit_date: Option<String>,
}

/// A report's history: its timeline joined with the commits that changed its file.
#[derive(Debug, Clone, Serialize)]
pub struct History {
    pub id: String,
    pub title: String,
    pub path: PathBuf,
    pub entries: Vec<HistoryEntry>,
}

/// The history of the report at `path` (relative), from git and the work tree's timeline:
/// every commit of its lineage ([`history::report_lineage`]: across merges, renames and
/// deletions) in order, each timeline entry with the commit that introduced it, then the
/// entries not committed yet.
pub fn history(repo: &Repo, path: &Path) -> Result<History> {
    let report = Document::load(repo.root(), path)?.report()?;
    // Named inside `reports/` (`X.md`, `2026/X.md`), as the history walks name files.
    let name = path.strip_prefix(REPORTS_DIR).ok().and_then(Path::to_str).unwrap_or_default();
    // The file cannot exist before the report was received: stop the walk a day before that.
    let since = report.reported.and_hms_opt(0, 0, 0).map_or(i64::MIN, |d| d.and_utc().timestamp() - 86_400);
    let mut entries = Vec::new();
    // Timeline entries already introduced by an earlier commit of the lineage.
    let mut known = 0;
    let mut filed = false;
    for event in history::report_lineage(repo, name, since, &renamed_from)? {
        let c = &event.commit;
        let after = event.after.and_then(|b| parse_blob(repo.blob(b).ok(), name));
        let timeline = after.as_ref().map_or(&[][..], |r| r.timeline.as_slice());
        let introduced = timeline.len().saturating_sub(known);
        for (i, t) in timeline.iter().enumerate().skip(known) {
            let kind = if i == 0 && !filed { "filing" } else { "state-change" };
            entries.push(timeline_entry(timeline, i, kind, t, Some(c)));
        }
        if after.is_some() {
            known = timeline.len();
        }
        let kind = match &event.kind {
            FileEventKind::Added if !filed => None,
            FileEventKind::Added => Some("restore"),
            FileEventKind::Modified if introduced == 0 => Some("edit"),
            FileEventKind::Modified => None,
            FileEventKind::Deleted => Some("deletion"),
            FileEventKind::Renamed { .. } => Some("rename"),
        };
        filed = true;
        if let Some(kind) = kind {
            let note = match &event.kind {
                FileEventKind::Renamed { from } => Some(format!("renamed from {REPORTS_DIR}/{from}")),
                _ => c.summary.clone(),
            };
            entries.push(HistoryEntry {
                date: date_of(c).map(|d| d[..10].to_owned()).unwrap_or_default(),
                kind,
                from: None,
                to: None,
                by: None,
                note,
                commit: Some(c.id.to_string()),
                author: c.author.clone(),
                commit_date: date_of(c),
            });
        }
    }
    for (i, t) in report.timeline.iter().enumerate().skip(known) {
        entries.push(timeline_entry(&report.timeline, i, "timeline-only", t, None));
    }
    Ok(History { id: report.id, title: report.title, path: path.to_owned(), entries })
}

/// The row of timeline entry `i`, joined with the commit that introduced it.
fn timeline_entry(
    timeline: &[crate::format::report::TimelineEntry],
    i: usize,
    kind: &'static str,
    t: &crate::format::report::TimelineEntry,
    commit: Option<&CommitInfo>,
) -> HistoryEntry {
    HistoryEntry {
        date: t.date.to_string(),
        kind,
        from: i.checked_sub(1).map(|p| timeline[p].state),
        to: Some(t.state),
        by: t.by.clone(),
        note: t.note.clone(),
        commit: commit.map(|c| c.id.to_string()),
        author: commit.and_then(|c| c.author.clone()),
        commit_date: commit.and_then(date_of),
    }
}

/// The report in file `old_name` became `new`: the same bytes but for its id, as `renumber`
/// leaves them (the `id` value rewritten, every other byte kept), or the same bytes moved from
/// its place in one layout to the other (`migrate`). A sealed report is re-sealed by
/// `renumber`, so its block differs every time: there the clear parts are compared.
fn renamed_from(old_name: &str, old: &[u8], new: &[u8]) -> bool {
    let id = |bytes: &[u8], name: &str| parse_blob(Some(bytes.to_vec()), name).map(|r| r.id);
    let (Some(old_id), Some(new_id)) = (id(old, old_name), id(new, "new.md")) else { return false };
    if old == new {
        return crate::layout::report_id_in_reports(old_name) == Some(old_id.as_str());
    }
    let (Ok(old), Ok(new)) = (std::str::from_utf8(old), std::str::from_utf8(new)) else { return false };
    let (old_clear, new_clear) = (sealed::clear_part(old), sealed::clear_part(new));
    let both_sealed = old_clear.len() < old.len() && new_clear.len() < new.len();
    let (old, new) = if both_sealed { (old_clear, new_clear) } else { (old, new) };
    old_id != new_id && old.replacen(&old_id, &new_id, 1) == new
}

fn date_of(c: &CommitInfo) -> Option<String> {
    let t = c.time;
    let offset = chrono::FixedOffset::east_opt(t.offset_minutes * 60)?;
    chrono::DateTime::from_timestamp(t.seconds, 0).map(|d| d.with_timezone(&offset).to_rfc3339())
}

#[cfg(test)]
mod tests {
    use super::renamed_from;

    const REPORT: &str = "---\nid: ENIGM-2026-0001\ntitle: T\nstate: received\nreported: 2026-06-01\nreporter:\n  name: R\ntimeline:\n  - date: 2026-06-01\n    state: received\n---\n";

    #[test]
    fn a_rename_is_the_same_bytes_but_for_the_id() {
        let renamed = REPORT.replace("id: ENIGM-2026-0001", "id: ENIGM-2026-0002");
        assert!(renamed_from("ENIGM-2026-0001.md", REPORT.as_bytes(), renamed.as_bytes()));
        // A copy under another name claiming the id (renumber's work-tree case).
        assert!(renamed_from("ENIGM-2026-0009.md", REPORT.as_bytes(), renamed.as_bytes()));
        let edited = renamed.replace("title: T", "title: U");
        assert!(!renamed_from("ENIGM-2026-0001.md", REPORT.as_bytes(), edited.as_bytes()));
        assert!(renamed_from("ENIGM-2026-0001.md", REPORT.as_bytes(), REPORT.as_bytes()), "moved to the other layout");
        assert!(!renamed_from("ENIGM-2026-0009.md", REPORT.as_bytes(), REPORT.as_bytes()), "a copy of another file");
        assert!(super::same_file_name("ENIGM-2026-0001.md", "2026/ENIGM-2026-0001.md"));
        assert!(super::same_file_name("2026/ENIGM-2026-0001.md", "ENIGM-2026-0001.md"));
        assert!(!super::same_file_name("ENIGM-2026-0001.md", "2026/ENIGM-2026-0002.md"));
        assert!(!super::same_file_name("ENIGM-2026-0009.md", "2026/ENIGM-2026-0001.md"));
    }
}
