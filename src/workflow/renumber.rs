//! `renumber`: resolving an id collision between two reports.
//!
//! Two people who filed reports on clones that had not seen each other can get the same id.
//! After the merge (a pull) this shows up either as an add/add conflict on
//! `reports/<ID>.md` (the usual case) or as two files claiming the same `id`. The id others
//! may already know is the one on the shared remote, so the report whose filing commit is
//! reachable from a remote-tracking branch keeps it; the other gets the next free id: its file
//! is renamed, its `id` rewritten in place (every other byte kept), and `duplicate_of`
//! references that can only have meant it are updated. When neither or both are on a remote
//! the user names the one that keeps the id ([`Keep`]); a published report always keeps its
//! id. The renumbered report's messages and attachments (`reports/<ID>/`, as its
//! correspondence names them) move to the new id's folder with it. In a merge the result is staged for the merge commit; otherwise it is committed as one
//! commit. `history` follows the renamed report back to its filing.

use std::collections::HashSet;
use std::fs;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::format::config::Config;
use crate::format::id::{self, ReportId};
use crate::format::report::{Document, State};
use crate::layout::REPORTS_DIR;
use crate::store::files;
use crate::store::history::{self, CommitInfo, Snapshot};
use crate::store::repo::{Change, CommitId, Identity, Repo};
use crate::store::scan::report_paths;
use crate::workflow::create::ids_in_dir;

/// What `renumber` did.
#[derive(Debug)]
pub struct Renumbered {
    pub old_id: String,
    pub new_id: ReportId,
    /// The renumbered report's new file.
    pub path: PathBuf,
    /// The report that kept the id, the one renumbered, and why.
    pub kept: Candidate,
    pub moved: Candidate,
    pub because: KeptBecause,
    /// Other reports whose `duplicate_of` was updated.
    pub updated_references: Vec<PathBuf>,
    /// The commit made (`None` inside a merge: the result is staged for the merge commit).
    pub commit: Option<CommitId>,
}

/// Why the kept report kept the id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeptBecause {
    /// Its filing is on this remote-tracking branch; the other's is not.
    OnRemote(String),
    /// It is published (or withdrawn): published ids never change.
    Public,
    /// The user named it.
    Named,
}

/// One of the reports claiming the id, as the user is shown it.
#[derive(Debug, Clone)]
pub struct Candidate {
    pub path: PathBuf,
    /// `ours` or `theirs` in a merge conflict (both have the same path there).
    pub side: Option<&'static str>,
    pub title: String,
    pub state: State,
    /// The commit that filed it (`None`: not committed).
    pub filing: Option<CommitInfo>,
    /// A remote-tracking branch that has its filing commit.
    pub remote: Option<String>,
}

impl Candidate {
    /// One line: side, file, title, filing commit and author, and where it is.
    pub fn describe(&self) -> String {
        let (what, provenance) = self.lines();
        format!("{what}, {provenance}")
    }

    /// The same in two short lines (side, file, title and state; filing and remote), so a
    /// list of candidates is not wrapped in the middle of a path or an id.
    pub fn lines(&self) -> (String, String) {
        let side = self.side.map(|s| format!("{s}: ")).unwrap_or_default();
        let filed = match &self.filing {
            Some(c) => format!("filed in {} by {}", c.id.short(), c.author.as_deref().unwrap_or("?")),
            None => "not committed".to_owned(),
        };
        let remote = match &self.remote {
            Some(r) => format!("on {r}"),
            None => "on no remote-tracking branch".to_owned(),
        };
        (format!("{side}{} \"{}\" ({})", self.path.display(), self.title, self.state), format!("{filed}, {remote}"))
    }

    /// True when `keep` (see [`Keep`]) names this report.
    fn is_named_by(&self, keep: &Keep) -> bool {
        match keep {
            Keep::Side(side) => self.side == Some(*side),
            Keep::Path(p) => {
                let p = p.strip_prefix("./").unwrap_or(p);
                self.path == Path::new(p)
                    || self.path == Path::new(REPORTS_DIR).join(p)
                    || self.path.file_stem().is_some_and(|s| s == std::ffi::OsStr::new(p))
            }
            Keep::Commit(prefix) => self.filing.as_ref().is_some_and(|c| c.id.to_string().starts_with(prefix.as_str())),
        }
    }
}

/// Which report keeps the id, as the user names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Keep {
    /// `ours` or `theirs`: a side of the merge conflict.
    Side(&'static str),
    /// The report's file (`reports/X.md`, `X.md`) or its file's id (`X`).
    Path(String),
    /// A prefix (4 hex digits or more) of the commit that filed it.
    Commit(String),
}

impl Keep {
    /// Reads what the user typed: `ours`, `theirs`, a hex commit prefix, else a file.
    pub fn parse(text: &str) -> Keep {
        let t = text.trim();
        match t {
            "ours" => Keep::Side("ours"),
            "theirs" => Keep::Side("theirs"),
            _ if t.len() >= 4 && t.len() <= 40 && t.bytes().all(|b| b.is_ascii_hexdigit()) => {
                Keep::Commit(t.to_ascii_lowercase())
            }
            _ => Keep::Path(t.to_owned()),
        }
    }
}

/// One side of a collision.
struct Claim {
    doc: Document,
    /// Tip of the history it came from, for telling which references meant it.
    tip: Option<CommitId>,
    shown: Candidate,
}

/// Gives one of two reports sharing `id` the next free id: the one not on a remote, or the
/// one `keep` does not name.
pub fn renumber(
    repo: &Repo,
    config: &Config,
    id: &str,
    keep: Option<&Keep>,
    identity: Option<&Identity>,
) -> Result<Renumbered> {
    let merge_head = repo.merge_head();
    let mut sides = None;
    for rel in crate::layout::report_places(id) {
        if sides.is_none() {
            sides = conflict_sides(repo, &rel, merge_head)?;
        }
    }
    let (claims, in_merge) = match sides {
        Some(sides) => (sides, true),
        None => (work_tree_claims(repo, id)?, false),
    };
    if claims.len() < 2 {
        return Err(Error::usage(
            format!("no collision: only one report has the id {id}"),
            "renumber resolves two reports sharing an id (after a merge); nothing to do",
        ));
    }
    let (keep, moving, because) = choose(claims, id, keep)?;
    crate::workflow::seal::require_open(&moving.doc)?;
    crate::workflow::seal::require_open(&keep.doc)?;
    let year = moving.doc.report().map(|r| chrono::Datelike::year(&r.reported))?;
    let mut taken: HashSet<ReportId> = repo.ids_on_branches()?.into_iter().collect();
    taken.extend(ids_in_dir(&repo.root().join(crate::layout::REPORTS_DIR))?);
    let new_id = id::next_free(&config.id_prefix, year, &taken);
    // The new file goes where the repository's layout puts new reports.
    let new_rel = config.layout.report_path(&new_id.to_string());
    // Only the text changes from here on; the parsed tree still describes the old text.
    let new_text = replace_value(&moving.doc, "id", &new_id.to_string())?;

    let references = references_to_update(repo, id, &new_id.to_string(), &keep, &moving)?;
    let mut changes = vec![Change::Write { path: new_rel.clone(), content: new_text.into_bytes() }];
    if in_merge {
        changes
            .push(Change::Write { path: keep.shown.path.clone(), content: keep.doc.stored_text().as_bytes().to_vec() });
    } else if moving.shown.path != keep.shown.path {
        changes.push(Change::Remove { path: moving.shown.path.clone() });
    }
    for (path, text) in &references {
        changes.push(Change::Write { path: path.clone(), content: text.clone().into_bytes() });
    }
    changes.extend(folder_changes(repo, &new_rel, &keep, &moving, in_merge)?);
    // A sealed repository stores each edited plaintext sealed.
    crate::workflow::seal::seal_changes(config, &mut changes)?;
    // Recorded before the first write: a run killed part-way is undone by the next one
    // (which then renumbers afresh, to the same id), so a rerun never makes a third copy.
    let pending = repo.begin(&changes)?;
    let saved = save_work_tree(repo, &changes);
    if let Err(e) = write_work_tree(repo, &changes) {
        undo_work_tree(repo, &saved);
        return Err(e);
    }
    let commit = if in_merge {
        repo.stage_resolved(&changes)?;
        None
    } else if let Some(identity) = identity {
        let why = match &because {
            KeptBecause::OnRemote(r) => format!("the other report, already on {r}, keeps it"),
            KeptBecause::Public => "the other report is published and keeps it".to_owned(),
            KeptBecause::Named => "the other report was chosen to keep it".to_owned(),
        };
        let message = format!(
            "{new_id}: renumbered from {id}\n\nThe id {id} was taken twice; {why}.\n\nDisclosure-Id: {new_id}\nDisclosure-Previous-Id: {id}\n"
        );
        match repo.commit_paths(&changes, &message, identity) {
            Ok(c) => Some(c),
            Err(e) => {
                undo_work_tree(repo, &saved);
                return Err(e);
            }
        }
    } else {
        None
    };
    pending.done();
    Ok(Renumbered {
        old_id: id.to_owned(),
        new_id,
        path: new_rel,
        kept: keep.shown,
        moved: moving.shown,
        because,
        updated_references: references.into_iter().map(|(p, _)| p).collect(),
        commit,
    })
}

/// A claim as shown to the user: its filing commit (from `tip`) and the remote that has it.
fn claim(repo: &Repo, path: &Path, doc: Document, tip: Option<CommitId>, side: Option<&'static str>) -> Result<Claim> {
    let report = doc.report()?;
    let filing = match tip {
        Some(t) => history::filing(repo, t, path)?,
        None => None,
    };
    let remote = match &filing {
        Some(c) => repo.remote_branch_containing(c.id)?,
        None => None,
    };
    let shown = Candidate { path: path.to_owned(), side, title: report.title, state: report.state, filing, remote };
    Ok(Claim { doc, tip, shown })
}

/// The two sides of an add/add conflict on `rel`, if there is one.
fn conflict_sides(repo: &Repo, rel: &Path, merge_head: Option<CommitId>) -> Result<Option<Vec<Claim>>> {
    let Some((ours, theirs)) = repo.conflict_sides(rel)? else {
        return Ok(None);
    };
    let head = repo.head_commit()?;
    let mut claims = Vec::new();
    for (blob, tip, side) in [(ours, Some(head), "ours"), (theirs, merge_head, "theirs")] {
        let doc = Document::from_bytes(rel, repo.blob(blob)?)?;
        claims.push(claim(repo, rel, doc, tip, Some(side))?);
    }
    Ok(Some(claims))
}

/// Reports in the work tree whose front matter claims `id`.
fn work_tree_claims(repo: &Repo, id: &str) -> Result<Vec<Claim>> {
    let head = repo.head_id();
    let mut claims = Vec::new();
    for path in report_paths(repo.root())? {
        let Ok(doc) = Document::load(repo.root(), &path) else {
            continue;
        };
        if doc.report().is_ok_and(|r| r.id == id) {
            claims.push(claim(repo, &path, doc, head, None)?);
        }
    }
    Ok(claims)
}

/// Splits the claims into (kept, renumbered, why): the one `keep` names keeps the id; else
/// the only one on a remote-tracking branch; else the only public one. Anything else is for
/// the user to decide, and the refusal lists both. A public report is never renumbered.
fn choose(mut claims: Vec<Claim>, id: &str, keep: Option<&Keep>) -> Result<(Claim, Claim, KeptBecause)> {
    if claims.len() > 2 {
        return Err(Error::usage(
            format!("{} reports claim the id {id}; renumber resolves two at a time:{}", claims.len(), listed(&claims)),
            "give all but one of them new ids by hand (rename the file and its `id`)",
        ));
    }
    let only = |f: &dyn Fn(&Candidate) -> bool| {
        let hits: Vec<usize> = (0..claims.len()).filter(|&i| f(&claims[i].shown)).collect();
        (hits.len() == 1).then(|| hits[0])
    };
    let public = |c: &Candidate| c.state.is_public();
    let (index, because) = match keep {
        Some(k) => match only(&|c| c.is_named_by(k)) {
            Some(i) => (i, KeptBecause::Named),
            None => return Err(not_named(&claims, id, k)),
        },
        None => match (only(&|c| c.remote.is_some()), only(&public)) {
            (Some(i), _) => (i, KeptBecause::OnRemote(claims[i].shown.remote.clone().unwrap_or_default())),
            (None, Some(i)) => (i, KeptBecause::Public),
            (None, None) => return Err(undecided(&claims, id)),
        },
    };
    let kept = claims.remove(index);
    let moving = claims.remove(0);
    if public(&moving.shown) {
        return Err(Error::usage(
            format!("{} is published; published ids are never renumbered", moving.shown.describe()),
            "keep the published report's id (name it with {keep}), or resolve the collision by hand and record it in both reports",
        ));
    }
    Ok((kept, moving, because))
}

/// The candidates, two short lines each, for a refusal.
fn listed(claims: &[Claim]) -> String {
    claims
        .iter()
        .map(|c| {
            let (what, provenance) = c.shown.lines();
            format!("\n  - {what}\n    {provenance}")
        })
        .collect()
}

/// How to name one: by side in a conflict, else by file; or by filing commit.
fn how_to_name(claims: &[Claim]) -> String {
    let example = |c: &Claim| match (c.shown.side, &c.shown.filing) {
        (Some(side), _) => side.to_owned(),
        (None, _) => c.shown.path.display().to_string(),
    };
    let commit = claims
        .iter()
        .find_map(|c| c.shown.filing.as_ref())
        .map(|c| format!(", or by the commit that filed it ({{keep}} {})", c.id.short()))
        .unwrap_or_default();
    format!("name the report that keeps the id with {{keep}}, e.g. {{keep}} {}{commit}", example(&claims[0]))
}

fn undecided(claims: &[Claim], id: &str) -> Error {
    let on_remote = claims.iter().filter(|c| c.shown.remote.is_some()).count();
    let why = if on_remote == 0 {
        "neither is on a remote-tracking branch, so no one else can know the id yet"
    } else {
        "both are on remote-tracking branches"
    };
    Error::usage(
        format!("two reports claim the id {id}: which one keeps it? ({why}){}", listed(claims)),
        how_to_name(claims),
    )
}

fn not_named(claims: &[Claim], id: &str, keep: &Keep) -> Error {
    let named = claims.iter().filter(|c| c.shown.is_named_by(keep)).count();
    let what = if named == 0 { "names neither of" } else { "names both of" };
    Error::usage(format!("{{keep}} {what} the two reports claiming {id}:{}", listed(claims)), how_to_name(claims))
}

/// The document's text with the scalar at `path` replaced by `value` (every other byte kept).
fn replace_value(doc: &Document, path: &str, value: &str) -> Result<String> {
    let span = doc.spans().get(path).map(|s| s.value.clone()).ok_or_else(|| {
        Error::usage(format!("{} has no `{path}` field", doc.path.display()), "run `enigm-disclose validate`")
    })?;
    let mut text = String::with_capacity(doc.text.len() + value.len());
    text.push_str(&doc.text[..span.start]);
    text.push_str(&crate::format::yamlout::scalar(value));
    text.push_str(&doc.text[span.end..]);
    Ok(text)
}

/// Reports whose `duplicate_of: <id>` can only mean the renumbered report: they come from its
/// side of history (its tip's tree has them so) and not from the kept side.
fn references_to_update(
    repo: &Repo,
    id: &str,
    new_id: &str,
    keep: &Claim,
    moving: &Claim,
) -> Result<Vec<(PathBuf, String)>> {
    let (Some(moving_tip), Some(keep_tip)) = (moving.tip, keep.tip) else {
        return Ok(Vec::new());
    };
    if moving_tip == keep_tip {
        return Ok(Vec::new());
    }
    let (moving_tree, keep_tree) = (Snapshot::of_commit(repo, moving_tip)?, Snapshot::of_commit(repo, keep_tip)?);
    let refers = |tree: &Snapshot<'_>, path: &Path| -> bool {
        let Some(content) = tree.file(path) else {
            return false;
        };
        Document::from_bytes(path, content)
            .ok()
            .and_then(|d| d.report().ok())
            .and_then(|r| r.duplicate_of)
            .is_some_and(|d| d == id)
    };
    let mut out = Vec::new();
    for path in report_paths(repo.root())? {
        if path == keep.shown.path || path == moving.shown.path {
            continue;
        }
        let Ok(doc) = Document::load(repo.root(), &path) else {
            continue;
        };
        if !doc.report().is_ok_and(|r| r.duplicate_of.as_deref() == Some(id)) {
            continue;
        }
        if refers(&moving_tree, &path) && !refers(&keep_tree, &path) {
            out.push((path, replace_value(&doc, "duplicate_of", new_id)?));
        }
    }
    Ok(out)
}

/// The renumbered report's own files (its messages and attachments, as its correspondence
/// names them) moved from the folder beside its file to the folder beside `new_rel` (its new
/// file, `reports/<new id>/` or the shard's). A file the kept report names
/// too stays, as the kept side has it (in a merge that resolves its conflict); the others
/// leave the old folder. In a merge the moving side's bytes come from its commit (the work
/// tree holds conflict markers); otherwise from the work tree.
fn folder_changes(repo: &Repo, new_rel: &Path, keep: &Claim, moving: &Claim, in_merge: bool) -> Result<Vec<Change>> {
    let names = |c: &Claim| -> Result<Vec<String>> {
        let report = c.doc.report()?;
        Ok(report
            .correspondence
            .iter()
            .flat_map(|m| std::iter::once(m.text.clone()).chain(m.attachments.clone()))
            .collect())
    };
    let (moving_names, keep_names) = (names(moving)?, names(keep)?);
    let snapshot = |c: &Claim| -> Result<Option<Snapshot<'_>>> {
        match (in_merge, c.tip) {
            (true, Some(tip)) => Snapshot::of_commit(repo, tip).map(Some),
            _ => Ok(None),
        }
    };
    let (moving_tree, keep_tree) = (snapshot(moving)?, snapshot(keep)?);
    let read = |tree: &Option<Snapshot<'_>>, rel: &Path| -> Result<Vec<u8>> {
        let bytes = match tree {
            Some(t) => t.file(rel),
            None => crate::layout::no_links(repo.root(), rel).ok().and_then(|()| {
                crate::layout::read_regular(&repo.root().join(rel), crate::rules::attachments::MAX_BYTES * 2).ok()
            }),
        };
        bytes.ok_or_else(|| {
            Error::usage(
                format!("{}: named in the correspondence of the report, but missing", rel.display()),
                "restore the file (`git checkout`), or resolve the collision by hand",
            )
        })
    };
    let mut out = Vec::new();
    for name in &moving_names {
        let (Some(old), Some(new)) = (
            crate::format::correspondence::resolve(&moving.shown.path, name),
            crate::format::correspondence::resolve(new_rel, name),
        ) else {
            continue;
        };
        out.push(Change::Write { path: new, content: read(&moving_tree, &old)? });
        if !keep_names.contains(name) {
            out.push(Change::Remove { path: old });
        } else if in_merge {
            out.push(Change::Write { content: read(&keep_tree, &old)?, path: old });
        }
    }
    Ok(out)
}

/// The bytes each changed path holds now (`None`: no file), to put back on failure.
fn save_work_tree(repo: &Repo, changes: &[Change]) -> Vec<(PathBuf, Option<Vec<u8>>)> {
    changes
        .iter()
        .map(|c| {
            let path = match c {
                Change::Write { path, .. } | Change::Remove { path } => path.clone(),
            };
            let bytes = fs::read(repo.root().join(&path)).ok();
            (path, bytes)
        })
        .collect()
}

/// Puts the work tree back after a failed write or commit (best effort: what cannot be put
/// back now, on a full disk, the next run puts back from its pending record).
fn undo_work_tree(repo: &Repo, saved: &[(PathBuf, Option<Vec<u8>>)]) {
    for (path, bytes) in saved {
        let full = repo.root().join(path);
        let _ = match bytes {
            Some(b) => files::write_atomic(&full, b),
            None => fs::remove_file(&full),
        };
    }
}

fn write_work_tree(repo: &Repo, changes: &[Change]) -> Result<()> {
    for change in changes {
        let path = match change {
            Change::Write { path, .. } | Change::Remove { path } => path,
        };
        crate::layout::no_links(repo.root(), path).map_err(Error::io(format!("cannot write {}", path.display())))?;
        match change {
            Change::Write { path, content } => {
                let full = repo.root().join(path);
                if let Some(dir) = full.parent() {
                    fs::create_dir_all(dir).map_err(Error::io(format!("cannot create {}", dir.display())))?;
                }
                files::write_atomic(&full, content).map_err(Error::io(format!("cannot write {}", path.display())))?
            }
            Change::Remove { path } => fs::remove_file(repo.root().join(path))
                .map_err(Error::io(format!("cannot remove {}", path.display())))?,
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keep_reads_sides_commits_and_files() {
        assert_eq!(Keep::parse("ours"), Keep::Side("ours"));
        assert_eq!(Keep::parse(" theirs "), Keep::Side("theirs"));
        assert_eq!(Keep::parse("3E337C2"), Keep::Commit("3e337c2".into()));
        assert_eq!(Keep::parse("abc"), Keep::Path("abc".into()), "too short for a commit");
        assert_eq!(Keep::parse("reports/ENIGM-2026-0001.md"), Keep::Path("reports/ENIGM-2026-0001.md".into()));
        let c = Candidate {
            path: PathBuf::from("reports/ENIGM-2026-0009.md"),
            side: None,
            title: "T".into(),
            state: State::Received,
            filing: None,
            remote: None,
        };
        for named in
            ["reports/ENIGM-2026-0009.md", "./reports/ENIGM-2026-0009.md", "ENIGM-2026-0009.md", "ENIGM-2026-0009"]
        {
            assert!(c.is_named_by(&Keep::parse(named)), "{named}");
        }
        assert!(!c.is_named_by(&Keep::parse("ours")) && !c.is_named_by(&Keep::parse("abcd1234")));
    }
}
