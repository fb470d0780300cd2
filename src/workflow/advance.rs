//! `advance`: moving a report to its next state as one edit and one commit.
//!
//! Planning is pure: the report (as it is in the work tree, so "edit, then advance" commits
//! both) must be valid; the step must be in the lifecycle table; the edit changes `state`,
//! appends a timeline entry and sets what the step sets (`published`, `resolution`, …); then
//! the would-be file is put through the same checks as `validate` — those are the guards.
//! Only two guards can be overridden, by a forced step with a reason: publishing under embargo and
//! publishing without a fix or mitigation; the override is recorded in the timeline and the
//! commit. Executing writes the file atomically and commits it alone; if the commit cannot
//! be made the old bytes are put back.
//!
//! Several reports (bulk triage) are planned one by one, each exactly as alone; then either
//! each plan is executed as its own commit, or all of them as one ([`execute_batch`]), which
//! writes every file or none.

use std::collections::HashSet;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use chrono::NaiveDate;

use crate::error::{Error, FileProblem, Result};
use crate::format::config::Config;
use crate::format::finding::{Code, Finding, Severity};
use crate::format::report::edit::Editor;
use crate::format::report::{Document, Resolution, State};
use crate::rules::checks::{self, At, CheckContext, KnownIds};
use crate::rules::lifecycle::{is_legal_for, targets_for};
use crate::rules::{pipeline, redact};
use crate::store::files;
use crate::store::repo::{Change, CommitId, Identity, Repo};

/// What the user asked for.
#[derive(Debug, Clone)]
pub struct AdvanceRequest {
    pub id: String,
    pub to: State,
    pub note: Option<String>,
    pub resolution: Option<Resolution>,
    pub duplicate_of: Option<String>,
    pub reason: Option<String>,
    pub date: NaiveDate,
    /// The clock's now: with `date` (a step recorded for an earlier day counts as taken at
    /// the end of that day), the instant the embargo guard compares with.
    pub now: chrono::DateTime<chrono::FixedOffset>,
    pub force: bool,
    /// Who makes the change (timeline `by`).
    pub by: String,
}

/// A checked step, ready to write and commit.
#[derive(Debug, Clone)]
pub struct Plan {
    pub id: String,
    pub path: PathBuf,
    pub from: State,
    pub to: State,
    pub old_text: String,
    pub new_text: String,
    /// The edited report in plain text (`new_text` is it as stored: sealed in a sealed
    /// repository); what a reply sent with the step is composed from.
    pub edited: String,
    pub message: String,
    /// Guards overridden with --force, with the reason.
    pub overrides: Vec<String>,
    /// The front matter fields the step writes (`state`, `resolution`, `timeline`, …).
    pub writes: Vec<&'static str>,
    /// The note the commit message carries (none in a sealed repository).
    pub note: Option<String>,
    /// The override reason the commit message carries (withheld in a sealed repository).
    pub override_reason: Option<String>,
}

/// Codes of the guards a forced publication (with a recorded reason) may override.
pub const OVERRIDABLE: &[Code] = &[Code::MissingFix, Code::EmbargoActive];

/// Why a step was refused: the findings, shown against the text they point into, with every
/// secret masked in both ([`redact`]).
pub fn refused(findings: Vec<Finding>, text: Option<String>, headline: &str) -> Error {
    let count = findings.len();
    let headline = if count > SHOWN_PROBLEMS {
        format!("{headline} (the first {SHOWN_PROBLEMS} of {count} problems are shown; `validate` lists them all)")
    } else {
        headline.to_owned()
    };
    let masked = text.map(|t| redact::mask_file_text(&t, &findings));
    Error::Refused {
        headline,
        problems: findings
            .iter()
            .take(SHOWN_PROBLEMS)
            .map(|f| FileProblem::new(redact::mask_finding(f.clone()), masked.clone()))
            .collect(),
        count,
    }
}

/// Problems drawn in a refusal; a hostile file with thousands stays fast to report.
const SHOWN_PROBLEMS: usize = 25;

/// The report ids of the work tree ([`crate::store::scan::report_ids`]: the files in
/// `reports/` and its year shards), answered without listing 100,000 files (issue 22): an id
/// is known when its file is where either layout puts it (one `stat` each; a shard that is a
/// link is not entered, as the listing does not enter it). Anything else (a file in the wrong
/// shard, an odd name) is looked up in the listing, made once on first need, so the answer is
/// always the listing's.
pub struct WorkTreeIds {
    root: PathBuf,
    listed: OnceLock<HashSet<String>>,
}

impl WorkTreeIds {
    /// The ids of the work tree at `root`. Refuses a linked `reports/`, as the listing does.
    pub fn new(root: &Path) -> Result<WorkTreeIds> {
        crate::layout::no_links(root, Path::new(crate::layout::REPORTS_DIR))
            .map_err(Error::io("cannot list the reports"))?;
        Ok(WorkTreeIds { root: root.to_owned(), listed: OnceLock::new() })
    }

    /// Whether the file of `id` is where a layout puts it, as the listing would see it.
    fn in_place(&self, id: &str) -> bool {
        if id.is_empty() || id.starts_with('.') || id.contains(['/', '\\']) {
            return false;
        }
        let is = |rel: &Path| fs::symlink_metadata(self.root.join(rel)).is_ok();
        crate::layout::report_places(id).iter().any(|place| {
            let shard = place.parent().filter(|p| *p != Path::new(crate::layout::REPORTS_DIR));
            let entered = shard.is_none_or(|s| fs::symlink_metadata(self.root.join(s)).is_ok_and(|m| m.is_dir()));
            entered && is(place)
        })
    }
}

impl KnownIds for WorkTreeIds {
    fn contains(&self, id: &str) -> bool {
        self.in_place(id)
            || self
                .listed
                .get_or_init(|| crate::store::scan::report_ids(&self.root).unwrap_or_default().into_iter().collect())
                .contains(id)
    }
}

/// Plans the step without touching anything.
pub fn plan(
    root: &Path,
    config: &Config,
    known_ids: &dyn KnownIds,
    today: NaiveDate,
    req: &AdvanceRequest,
) -> Result<Plan> {
    let path = crate::store::scan::report_file(root, config.layout, &req.id);
    let not_valid = format!("{} is not valid; fix it first (`enigm-disclose validate {}`)", req.id, path.display());
    let doc = Document::load(root, &path).map_err(|r| refused(vec![r.finding], r.text, &not_valid))?;
    crate::workflow::seal::require_open(&doc)?;
    let ctx = CheckContext { config, today, known_ids };
    let current = errors_of(&doc, &ctx);
    if !current.is_empty() {
        return Err(refused(current, Some(doc.text.clone()), &not_valid));
    }
    let report = doc.report()?;
    let from = report.state;
    if !is_legal_for(report.vex_only, from, req.to) {
        let allowed: Vec<&str> = targets_for(report.vex_only, from).map(State::as_str).collect();
        let help = if allowed.is_empty() {
            format!("`{from}` is final")
        } else {
            format!("from `{from}` the next states are: {}", allowed.join(", "))
        };
        return Err(Error::Step {
            message: format!("{}: `{from}` → `{}` is not a step of the disclosure lifecycle", req.id, req.to),
            help,
        });
    }
    check_flags(req)?;
    let old_text = doc.stored_text().to_owned();
    let mut editor = Editor::new(doc);
    apply(&mut editor, req, from).map_err(|e| {
        Error::usage(format!("{}: {e}", path.display()), "edit the report by hand, or rewrite the field on one line")
    })?;
    let edited = editor.into_document();
    let mut guards = errors_of(&edited, &ctx);
    guards.extend(request_findings(req, &path));
    if req.to == State::Published {
        let at = crate::format::embargo::instant_of(req.date, req.now);
        checks::state::embargo(&mut At { doc: &edited, out: &mut guards }, &report, at);
    }
    let (overridable, hard): (Vec<Finding>, Vec<Finding>) =
        guards.into_iter().partition(|f| req.to == State::Published && OVERRIDABLE.contains(&f.code));
    let overridden = req.force && req.reason.is_some();
    if !hard.is_empty() || !(overridable.is_empty() || overridden) {
        let mut all = hard;
        all.extend(overridable.iter().cloned());
        let headline = format!(
            "{} cannot move to `{}`: {} requirement{} not met",
            req.id,
            req.to,
            all.len(),
            if all.len() == 1 { "" } else { "s" }
        );
        return Err(refused(all, Some(edited.text.clone()), &headline));
    }
    let overrides: Vec<String> = overridable.iter().map(|f| f.message.clone()).collect();
    let (new_text, message) = if overrides.is_empty() {
        (edited.text, message(req, from, &[]))
    } else {
        // Record the override in the timeline entry's note, then in the commit.
        let mut editor = Editor::new(Document::load(root, &path)?);
        let mut forced = req.clone();
        forced.note = Some(override_note(req, &overrides));
        apply(&mut editor, &forced, from).map_err(|e| Error::usage(e.to_string(), "edit the report by hand"))?;
        let forced_doc = editor.into_document();
        // The override note (with the reason) is new text: it passes the same checks.
        let mut hard = errors_of(&forced_doc, &ctx);
        hard.retain(|f| !OVERRIDABLE.contains(&f.code));
        if !hard.is_empty() {
            let headline = format!("{} cannot move to `{}`: the override reason is refused", req.id, req.to);
            return Err(refused(hard, Some(forced_doc.text), &headline));
        }
        (forced_doc.text, message(req, from, &overrides))
    };
    // Nothing the commit message says may be a secret (the note and reason are in it).
    if !redact::secret_spans(&message).is_empty() {
        return Err(Error::usage(
            format!("{}: the commit message would hold a secret (in the note or the reason)", req.id),
            "describe the secret instead of quoting it (e.g. \"an admin token\")",
        ));
    }
    // A sealed repository stores the edited plaintext sealed, and its commit repeats no note.
    let edited = new_text.clone();
    let new_text = crate::workflow::seal::stored(config, &path, new_text, None)?;
    let sealed = config.sealing.is_some();
    let (message, note, override_reason) = if sealed {
        let reason = req.reason.as_ref().map(|_| crate::format::sealed::WITHHELD.to_owned());
        let withheld = AdvanceRequest { note: None, reason: reason.clone(), ..req.clone() };
        (self::message(&withheld, from, &overrides), None, reason)
    } else {
        (message, timeline_note(req).filter(|n| !n.trim().is_empty()), req.reason.clone())
    };
    let override_reason = override_reason.filter(|_| !overrides.is_empty());
    let writes = writes(req, from);
    Ok(Plan {
        id: req.id.clone(),
        path,
        from,
        to: req.to,
        old_text,
        new_text,
        edited,
        message,
        overrides,
        writes,
        note,
        override_reason,
    })
}

/// The front matter fields [`apply`] writes for the step.
fn writes(req: &AdvanceRequest, from: State) -> Vec<&'static str> {
    let mut out = vec!["state"];
    match req.to {
        State::Published => out.push("published"),
        State::Withdrawn => out.push("withdrawn"),
        State::Rejected => {
            out.extend(req.resolution.map(|_| "resolution"));
            out.extend(req.duplicate_of.as_ref().map(|_| "duplicate_of"));
        }
        State::Triaged if from == State::Rejected => out.extend(["resolution (removed)", "duplicate_of (removed)"]),
        _ => {}
    }
    out.push("timeline");
    out
}

/// Error findings of the full check of a document (schema, typed model, semantic rules).
fn errors_of(doc: &Document, ctx: &CheckContext<'_>) -> Vec<Finding> {
    let mut findings = pipeline::check_document(doc, ctx);
    findings.retain(|f| f.severity == Severity::Error);
    findings
}

/// Flags that do not go together or with the target state: usage errors. (What the target
/// state needs is a requirement, found by the guards and [`request_findings`].) [`plan`]
/// checks them; a bulk run checks them once before planning any report.
pub fn check_flags(req: &AdvanceRequest) -> Result<()> {
    let bad = |m: String, h: &str| Err(Error::usage(m, h));
    match req.to {
        State::Rejected => {
            if let (Some(r), Some(_)) = (req.resolution, &req.duplicate_of)
                && r != Resolution::Duplicate
            {
                return bad("{duplicate_of} only goes with the resolution `duplicate`".into(), "drop {duplicate_of}");
            }
        }
        _ if req.resolution.is_some() || req.duplicate_of.is_some() => {
            return bad(
                format!("{{resolution}} and {{duplicate_of}} are for rejecting, not for `{}`", req.to),
                "drop {resolution} and {duplicate_of}, or move the report to `rejected`",
            );
        }
        _ => {}
    }
    if req.force && req.reason.as_deref().is_none_or(|r| r.trim().is_empty()) {
        return bad(
            "{force} needs {reason}".into(),
            "pass {reason}: the reason for the override is recorded in the timeline and the commit",
        );
    }
    Ok(())
}

/// Requirements of the step that live in the request, not in the file: withdrawing needs a
/// reason. Findings (exit 1) like the file's own requirements.
fn request_findings(req: &AdvanceRequest, path: &Path) -> Vec<Finding> {
    let mut out = Vec::new();
    if req.to == State::Withdrawn && req.reason.as_deref().is_none_or(|r| r.trim().is_empty()) {
        out.push(
            Finding::error(Code::MissingReason, path, None, format!("withdrawing {} needs a reason", req.id)).with_help(
                "say why the advisory is withdrawn (the `reason` of the step); it is recorded in the timeline and the commit, and the advisory's withdrawal notice shows it",
            ),
        );
    }
    out
}

/// The edit: state, fields the step sets or clears, the timeline entry.
fn apply(
    editor: &mut Editor,
    req: &AdvanceRequest,
    from: State,
) -> std::result::Result<(), crate::format::report::edit::EditError> {
    editor.set_field("state", req.to.as_str())?;
    let date = req.date.to_string();
    match req.to {
        State::Published => editor.set_field("published", &date)?,
        State::Withdrawn => editor.set_field("withdrawn", &date)?,
        State::Rejected => {
            if let Some(r) = req.resolution {
                editor.set_field("resolution", r.as_str())?;
            }
            if let Some(d) = &req.duplicate_of {
                editor.set_field("duplicate_of", d)?;
            }
        }
        State::Triaged if from == State::Rejected => {
            editor.remove_field("resolution")?;
            editor.remove_field("duplicate_of")?;
        }
        _ => {}
    }
    let note = timeline_note(req);
    let mut fields: Vec<(&str, &str)> = vec![("date", &date), ("state", req.to.as_str()), ("by", &req.by)];
    if let Some(n) = &note {
        fields.push(("note", n));
    }
    editor.append_timeline(&fields)
}

fn timeline_note(req: &AdvanceRequest) -> Option<String> {
    match (&req.note, req.to == State::Withdrawn, &req.reason) {
        (Some(n), true, Some(r)) if !n.contains(r.as_str()) => Some(format!("{n} Reason: {r}")),
        (None, true, Some(r)) => Some(format!("Reason: {r}")),
        (n, _, _) => n.clone(),
    }
}

fn override_note(req: &AdvanceRequest, overrides: &[String]) -> String {
    let reason = req.reason.clone().unwrap_or_default();
    let base = req.note.clone().map(|n| format!("{n} ")).unwrap_or_default();
    format!("{base}Override ({}): {reason}", overrides.join("; "))
}

fn message(req: &AdvanceRequest, from: State, overrides: &[String]) -> String {
    let mut m = format!("{}: {from} → {}\n", req.id, req.to);
    let note = timeline_note(req);
    if let Some(n) = note.as_deref().filter(|n| !n.trim().is_empty()) {
        m.push('\n');
        m.push_str(n.trim());
        m.push('\n');
    }
    if !overrides.is_empty() {
        m.push_str(&format!("\nOverridden: {}\n", overrides.join("; ")));
    }
    m.push_str(&format!(
        "\nDisclosure-Id: {}\nDisclosure-State: {}\nDisclosure-Previous-State: {from}\n",
        req.id, req.to
    ));
    if !overrides.is_empty() {
        m.push_str(&format!("Disclosure-Override: {}\n", req.reason.as_deref().unwrap_or_default().replace('\n', " ")));
    }
    m
}

/// Writes the planned file and commits it (unless `identity` is `None`: `--no-commit`).
/// If the commit fails, the old bytes are put back and the index is untouched.
pub fn execute(repo: &Repo, plan: &Plan, identity: Option<&Identity>) -> Result<Option<CommitId>> {
    let full = repo.root().join(&plan.path);
    crate::layout::no_links(repo.root(), &plan.path)
        .map_err(Error::io(format!("cannot write {}", plan.path.display())))?;
    let changes = [Change::Write { path: plan.path.clone(), content: plan.new_text.clone().into_bytes() }];
    let pending = repo.begin(&changes)?;
    // A second name for the old file: putting it back is a rename, which needs no free space
    // (on a full disk, writing the old bytes again could fail).
    let kept = full.with_file_name(format!(".enigm-keep-{}.tmp", std::process::id()));
    let _ = fs::remove_file(&kept);
    let linked = fs::hard_link(&full, &kept).is_ok();
    let drop_kept = || {
        if linked {
            let _ = fs::remove_file(&kept);
        }
    };
    if let Err(e) = files::write_atomic(&full, plan.new_text.as_bytes()) {
        drop_kept();
        pending.done();
        return Err(Error::io(format!("cannot write {}", plan.path.display()))(e));
    }
    let Some(identity) = identity else {
        drop_kept();
        pending.done();
        return Ok(None);
    };
    match repo.commit_paths(&changes, &plan.message, identity) {
        Ok(oid) => {
            drop_kept();
            pending.done();
            Ok(Some(oid))
        }
        Err(e) => {
            // If even this fails, the pending record stays and the next run puts the file back.
            let restored =
                if linked { fs::rename(&kept, &full) } else { files::write_atomic(&full, plan.old_text.as_bytes()) };
            restored.map_err(Error::io(format!("cannot restore {} after a failed commit", plan.path.display())))?;
            pending.done();
            Err(e)
        }
    }
}

/// Writes every planned file and commits them all as one commit (unless `identity` is `None`:
/// the files are only written). All or nothing: if a file cannot be written or the commit
/// cannot be made, every file is put back as it was.
pub fn execute_batch(repo: &Repo, plans: &[Plan], identity: Option<&Identity>) -> Result<Option<CommitId>> {
    let changes: Vec<Change> = plans
        .iter()
        .map(|p| Change::Write { path: p.path.clone(), content: p.new_text.clone().into_bytes() })
        .collect();
    match identity {
        Some(identity) => {
            crate::workflow::seal::write_and_commit(repo, &changes, &batch_message(plans), identity).map(Some)
        }
        None => {
            for p in plans {
                execute(repo, p, None)?;
            }
            Ok(None)
        }
    }
}

/// The message of one commit that makes every step of `plans` (all to the same state): a
/// line per report, the note once, then a `Disclosure-Id` trailer per report.
pub fn batch_message(plans: &[Plan]) -> String {
    let to = plans.first().map_or("", |p| p.to.as_str());
    let mut m = format!("{} reports → {to}\n\n", plans.len());
    for p in plans {
        m.push_str(&format!("{}: {} → {}\n", p.id, p.from, p.to));
        if !p.overrides.is_empty() {
            m.push_str(&format!("  Overridden: {}\n", p.overrides.join("; ")));
        }
    }
    if let Some(note) = plans.first().and_then(|p| p.note.as_deref()) {
        m.push_str(&format!("\n{}\n", note.trim()));
    }
    m.push('\n');
    for p in plans {
        m.push_str(&format!("Disclosure-Id: {}\n", p.id));
    }
    m.push_str(&format!("Disclosure-State: {to}\n"));
    if let Some(reason) = plans.iter().find_map(|p| p.override_reason.as_deref()) {
        m.push_str(&format!("Disclosure-Override: {}\n", reason.replace('\n', " ")));
    }
    m
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The ids found without the listing are exactly the listing's ([`crate::store::scan::report_ids`]),
    /// in both layouts and in the odd cases the listing decides (a wrong shard, a linked shard,
    /// a dot name, a directory named like a report).
    #[cfg(unix)]
    #[test]
    fn work_tree_ids_answer_as_the_listing() {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path();
        let elsewhere = tempfile::tempdir().expect("tempdir");
        for rel in [
            "reports/A-2026-0001.md",
            "reports/2025/A-2025-0002.md",
            "reports/2025/A-2026-0003.md",
            "reports/.A-2026-0004.md",
        ] {
            fs::create_dir_all(root.join(rel).parent().expect("parent")).expect("mkdir");
            fs::write(root.join(rel), "x").expect("write");
        }
        fs::create_dir_all(root.join("reports/A-2026-0005.md")).expect("mkdir");
        fs::write(elsewhere.path().join("A-2024-0006.md"), "x").expect("write");
        std::os::unix::fs::symlink(elsewhere.path(), root.join("reports/2024")).expect("link");
        let listed: HashSet<String> = crate::store::scan::report_ids(root).expect("list").into_iter().collect();
        let ids = WorkTreeIds::new(root).expect("ids");
        for id in [
            "A-2026-0001",
            "A-2025-0002",
            "A-2026-0003",
            ".A-2026-0004",
            "A-2026-0005",
            "A-2024-0006",
            "A-2026-0009",
            "",
            "../x",
            "2025/A-2025-0002",
        ] {
            assert_eq!(ids.contains(id), listed.contains(id), "{id}");
        }
        assert!(ids.contains("A-2026-0003") && !ids.contains("A-2024-0006"), "wrong shard known, linked shard not");
    }

    /// A report in `state` with formatting choices a person might make.
    fn report(state: State, crlf: bool, bom: bool, indent: usize, comment: bool, quote: u8, blank: bool) -> String {
        let title = match quote {
            0 => "Plain title".to_owned(),
            1 => "'Single: quoted'".to_owned(),
            _ => "\"Double \\\"quoted\\\"\"".to_owned(),
        };
        let pad = " ".repeat(indent);
        let mut s = String::new();
        if bom {
            s.push('\u{feff}');
        }
        s.push_str("---\n");
        if comment {
            s.push_str("# Kept comment\n");
        }
        s.push_str(&format!("id: ENIGM-2026-0001  # id comment\ntitle: {title}\nstate: {state}\n"));
        if blank {
            s.push('\n');
        }
        s.push_str("reported: 2026-01-05\nreporter:\n  name: R   # who\n");
        s.push_str(&format!("timeline:\n{pad}- date: 2026-01-05\n{pad}  state: received\n"));
        s.push_str("---\n\n## Summary\n\nBody text, with: colons.\n");
        if crlf { s.replace('\n', "\r\n") } else { s }
    }

    /// Lines of `old` (except the ones listed) appear in `new` in order; returns the lines of
    /// `new` that are not matched.
    fn added_lines(old: &str, new: &str, dropped: &[&str]) -> Vec<String> {
        let old: Vec<&str> = old.split_inclusive('\n').filter(|l| !dropped.contains(&l.trim_end())).collect();
        let mut added = Vec::new();
        let mut i = 0;
        for line in new.split_inclusive('\n') {
            if i < old.len() && line == old[i] {
                i += 1;
            } else {
                added.push(line.trim_end().to_owned());
            }
        }
        assert_eq!(i, old.len(), "every old line is kept, in order:\nold:\n{old:?}\nnew:\n{new}");
        added
    }

    #[test]
    fn a_batch_message_names_every_report_and_says_the_note_once() {
        let plan = |id: &str, from, overrides: Vec<String>, reason: Option<&str>| Plan {
            id: id.into(),
            path: PathBuf::from(format!("reports/{id}.md")),
            from,
            to: State::Published,
            old_text: String::new(),
            new_text: String::new(),
            edited: String::new(),
            message: String::new(),
            overrides,
            writes: vec!["state", "published", "timeline"],
            note: Some("Coordinated release".into()),
            override_reason: reason.map(Into::into),
        };
        let plans = [
            plan("A-2026-0001", State::Fixed, vec![], None),
            plan("A-2026-0002", State::Fixed, vec!["embargo until 2026-07-01".into()], Some("Exploited")),
        ];
        assert_eq!(
            batch_message(&plans),
            "2 reports → published\n\nA-2026-0001: fixed → published\nA-2026-0002: fixed → published\n  Overridden: embargo until 2026-07-01\n\nCoordinated release\n\nDisclosure-Id: A-2026-0001\nDisclosure-Id: A-2026-0002\nDisclosure-State: published\nDisclosure-Override: Exploited\n"
        );
        let req = |to, resolution| AdvanceRequest {
            id: "A-2026-0001".into(),
            to,
            note: None,
            resolution,
            duplicate_of: None,
            reason: None,
            date: NaiveDate::from_ymd_opt(2026, 1, 9).expect("date"),
            now: chrono::DateTime::parse_from_rfc3339("2026-01-09T12:00:00Z").expect("now"),
            force: false,
            by: "S".into(),
        };
        assert_eq!(
            writes(&req(State::Rejected, Some(Resolution::Spam)), State::Received),
            ["state", "resolution", "timeline"]
        );
        assert_eq!(
            writes(&req(State::Triaged, None), State::Rejected),
            ["state", "resolution (removed)", "duplicate_of (removed)", "timeline"]
        );
        assert_eq!(writes(&req(State::NeedsInfo, None), State::Received), ["state", "timeline"]);
    }

    proptest! {
        #![proptest_config(ProptestConfig { failure_persistence: None, cases: 128, ..ProptestConfig::default() })]
        #[test]
        fn the_edit_changes_only_state_and_adds_only_the_step(
            crlf in any::<bool>(), bom in any::<bool>(), indent in prop_oneof![Just(0usize), Just(2), Just(4)],
            comment in any::<bool>(), quote in 0u8..3, blank in any::<bool>(), note in proptest::option::of("[a-zA-Z :#'\"]{1,30}"),
            reject in any::<bool>(),
        ) {
            let text = report(State::Received, crlf, bom, indent, comment, quote, blank);
            let doc = Document::parse(Path::new("reports/ENIGM-2026-0001.md"), text.clone()).expect("parses");
            let to = if reject { State::Rejected } else { State::Triaged };
            let req = AdvanceRequest {
                id: "ENIGM-2026-0001".into(), to, note: note.clone(),
                resolution: reject.then_some(Resolution::OutOfScope), duplicate_of: None, reason: None,
                date: NaiveDate::from_ymd_opt(2026, 1, 9).expect("date"),
                now: chrono::DateTime::parse_from_rfc3339("2026-01-09T12:00:00Z").expect("now"), force: false, by: "Sam Lee".into(),
            };
            let mut editor = Editor::new(doc);
            apply(&mut editor, &req, State::Received).expect("edit");
            let new = editor.into_document();
            let report = new.report().expect("edited report parses");
            prop_assert_eq!(report.state, to);
            prop_assert_eq!(report.timeline.len(), 2);
            prop_assert_eq!(&report.timeline[1].note, &note);
            prop_assert_eq!(new.bom, bom);
            let added = added_lines(&text.replace('\r', ""), &new.text.replace('\r', ""), &["state: received"]);
            let dash = " ".repeat(indent);
            let mut expected = vec![format!("state: {to}")];
            if reject {
                expected.push("resolution: out-of-scope".to_owned());
            }
            expected.push(format!("{dash}- date: 2026-01-09"));
            expected.push(format!("{dash}  state: {to}"));
            expected.push(format!("{dash}  by: Sam Lee"));
            if let Some(n) = &note {
                expected.push(format!("{dash}  note: {}", crate::format::yamlout::scalar(n)));
            }
            prop_assert_eq!(added, expected);
            if crlf {
                prop_assert!(!new.text.replace("\r\n", "").contains('\n'), "CRLF kept throughout");
            }
        }
    }
}
