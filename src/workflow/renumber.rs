//! `renumber`: resolving an id collision between two reports.
//!
//! Two people who filed reports on branches that had not seen each other can get the same id.
//! After the merge this shows up either as an add/add conflict on `reports/<ID>.md` (the usual
//! case) or as two files claiming the same `id`. The report added later (by commit date) gets
//! the next free id: its file is renamed, its `id` rewritten in place (every other byte kept),
//! and `duplicate_of` references that can only have meant it are updated. Published ids are
//! never renumbered. In a merge the result is staged for the merge commit; otherwise it is
//! committed as one commit.

use std::collections::HashSet;
use std::fs;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::format::config::Config;
use crate::format::id::{self, ReportId};
use crate::format::report::{Document, State};
use crate::layout::REPORTS_DIR;
use crate::store::files;
use crate::store::history::{self, Snapshot};
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
    /// Other reports whose `duplicate_of` was updated.
    pub updated_references: Vec<PathBuf>,
    /// The commit made (`None` inside a merge: the result is staged for the merge commit).
    pub commit: Option<CommitId>,
}

/// One side of a collision.
struct Claim {
    path: PathBuf,
    doc: Document,
    state: State,
    /// Commit time of the commit that added it (`i64::MAX` when not committed).
    added: i64,
    /// Tip of the history it came from, for telling which references meant it.
    tip: Option<CommitId>,
}

/// Gives the later of two reports sharing `id` the next free id.
pub fn renumber(repo: &Repo, config: &Config, id: &str, identity: Option<&Identity>) -> Result<Renumbered> {
    let rel = Path::new(REPORTS_DIR).join(format!("{id}.md"));
    let merge_head = repo.merge_head();
    let (claims, in_merge) = match conflict_sides(repo, &rel, merge_head)? {
        Some(sides) => (sides, true),
        None => (work_tree_claims(repo, id)?, false),
    };
    if claims.len() < 2 {
        return Err(Error::usage(
            format!("no collision: only one report has the id {id}"),
            "renumber resolves two reports sharing an id (after a merge); nothing to do",
        ));
    }
    let (keep, moving) = pick_later(claims, id)?;
    crate::workflow::seal::require_open(&moving.doc)?;
    crate::workflow::seal::require_open(&keep.doc)?;
    let year = moving.doc.report().map(|r| chrono::Datelike::year(&r.reported))?;
    let mut taken: HashSet<ReportId> = repo.ids_on_branches()?.into_iter().collect();
    taken.extend(ids_in_dir(&repo.root().join(REPORTS_DIR))?);
    let new_id = id::next_free(&config.id_prefix, year, &taken);
    let new_rel = Path::new(REPORTS_DIR).join(new_id.file_name());
    // Only the text changes from here on; the parsed tree still describes the old text.
    let new_text = replace_value(&moving.doc, "id", &new_id.to_string())?;

    let references = references_to_update(repo, id, &new_id.to_string(), &keep, &moving)?;
    let mut changes = vec![Change::Write { path: new_rel.clone(), content: new_text.into_bytes() }];
    if in_merge {
        changes.push(Change::Write { path: keep.path.clone(), content: keep.doc.stored_text().as_bytes().to_vec() });
    } else if moving.path != keep.path {
        changes.push(Change::Remove { path: moving.path.clone() });
    }
    for (path, text) in &references {
        changes.push(Change::Write { path: path.clone(), content: text.clone().into_bytes() });
    }
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
        let message = format!(
            "{new_id}: renumbered from {id}\n\nThe id {id} was taken twice; this report was added later.\n\nDisclosure-Id: {new_id}\nDisclosure-Previous-Id: {id}\n"
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
        updated_references: references.into_iter().map(|(p, _)| p).collect(),
        commit,
    })
}

/// The two sides of an add/add conflict on `rel`, if there is one.
fn conflict_sides(repo: &Repo, rel: &Path, merge_head: Option<CommitId>) -> Result<Option<Vec<Claim>>> {
    let Some((ours, theirs)) = repo.conflict_sides(rel)? else {
        return Ok(None);
    };
    let head = repo.head_commit()?;
    let mut claims = Vec::new();
    for (blob, tip) in [(ours, Some(head)), (theirs, merge_head)] {
        let doc = Document::from_bytes(rel, repo.blob(blob)?)?;
        let state = doc.report()?.state;
        let added = match tip {
            Some(t) => history::first_added(repo, t, rel)?,
            None => i64::MAX,
        };
        claims.push(Claim { path: rel.to_owned(), doc, state, added, tip });
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
        let Ok(report) = doc.report() else { continue };
        if report.id != id {
            continue;
        }
        let added = match head {
            Some(h) => history::first_added(repo, h, &path)?,
            None => i64::MAX,
        };
        claims.push(Claim { path, doc, state: report.state, added, tip: head });
    }
    Ok(claims)
}

/// Splits the claims into (kept, renumbered): the later one moves, unless it is published.
fn pick_later(mut claims: Vec<Claim>, id: &str) -> Result<(Claim, Claim)> {
    claims.sort_by_key(|c| c.added);
    let movable = |c: &Claim| !matches!(c.state, State::Published | State::Withdrawn);
    let index = (0..claims.len()).rev().find(|&i| movable(&claims[i])).ok_or_else(|| {
        Error::usage(
            format!("every report with the id {id} has been published; published ids are never renumbered"),
            "resolve the collision by hand and record it in both reports",
        )
    })?;
    let moving = claims.remove(index);
    let keep = claims.remove(claims.len() - 1);
    Ok((keep, moving))
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
        if path == keep.path || path == moving.path {
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
            Change::Write { path, content } => files::write_atomic(&repo.root().join(path), content)
                .map_err(Error::io(format!("cannot write {}", path.display())))?,
            Change::Remove { path } => fs::remove_file(repo.root().join(path))
                .map_err(Error::io(format!("cannot remove {}", path.display())))?,
        }
    }
    Ok(())
}
