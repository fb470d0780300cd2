//! Finding the report files of a repository, in either layout.
//!
//! Reports are the `*.md` entries directly under `reports/` (flat) and directly under its
//! year shards `reports/<YEAR>/` (sharded; [`crate::layout`]); both are read whatever the
//! repository's `layout` says, so a flat repository, a sharded one and one half way through
//! a move all list every report. Hidden files (such as `.gitkeep`) are skipped. Entries are
//! returned sorted, so every command sees the same order; symbolic links and directories
//! named like reports are returned too, so that loading them produces a finding instead of
//! silently ignoring them. A report found by id costs one `stat` per layout, no listing.
//! [`Listed`] reads the files of a listing through handles on their directories, so that
//! reading 100,000 reports costs one `openat` each instead of three path walks.

use std::collections::HashMap;
use std::fs;
use std::io::{ErrorKind, Read};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::format::id::{ReportId, Resolved, Unresolved};
use crate::format::report::{Document, MAX_REPORT_BYTES, Rejected};
use crate::layout::{REPORTS_DIR, is_shard_name, report_places};

/// Relative paths (`reports/<name>.md`, `reports/<YEAR>/<name>.md`) of every report entry,
/// sorted.
pub fn report_paths(root: &Path) -> Result<Vec<PathBuf>> {
    // A linked `reports/` would be read from (and written to) outside the repository.
    crate::layout::no_links(root, Path::new(REPORTS_DIR)).map_err(Error::io("cannot list the reports"))?;
    let mut paths = Vec::new();
    let mut shards = Vec::new();
    list_reports(root, Path::new(REPORTS_DIR), &mut paths, Some(&mut shards))?;
    for shard in shards {
        list_reports(root, &shard, &mut paths, None)?;
    }
    // By bytes: for names in one directory the same order as `Path`'s, which compares
    // component by component and is several times slower on 100,000 paths.
    paths.sort_unstable_by(|a, b| a.as_os_str().cmp(b.as_os_str()));
    Ok(paths)
}

/// The report entries of the directory `rel` into `paths`, and (when `shards` is given) its
/// year shard directories into `shards`. A linked shard is not entered.
fn list_reports(
    root: &Path,
    rel: &Path,
    paths: &mut Vec<PathBuf>,
    mut shards: Option<&mut Vec<PathBuf>>,
) -> Result<()> {
    let dir = root.join(rel);
    let entries = match fs::read_dir(&dir) {
        Ok(e) => e,
        Err(e) if e.kind() == ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(Error::io(format!("cannot list {}", dir.display()))(e)),
    };
    for entry in entries {
        let entry = entry.map_err(Error::io(format!("cannot list {}", dir.display())))?;
        let name = entry.file_name();
        let Some(name) = name.to_str() else {
            // A non-UTF-8 name cannot be a report id; still show it so it gets a finding.
            paths.push(rel.join(entry.file_name()));
            continue;
        };
        if !name.starts_with('.') && name.ends_with(".md") {
            paths.push(rel.join(name));
        } else if let Some(shards) = shards.as_deref_mut()
            && is_shard_name(name)
            && entry.file_type().is_ok_and(|t| t.is_dir())
        {
            shards.push(rel.join(name));
        }
    }
    Ok(())
}

/// The report files of a listing, read through their directories (`reports/`, its shards),
/// each opened once without following a link. A file is opened with `openat` in its
/// directory's handle: no path walk, no separate `lstat`, and a directory swapped for a link
/// after the listing is never entered (the handle is the directory that was there).
pub struct Listed {
    root: PathBuf,
    /// Directory (relative to the root) → its handle; a directory that could not be opened
    /// without following a link is missing, and its files take [`Document::load`].
    dirs: HashMap<PathBuf, OwnedFd>,
}

impl Listed {
    /// Opens the directories of `paths` (as [`report_paths`] lists them).
    pub fn open(root: &Path, paths: &[PathBuf]) -> Listed {
        let mut dirs: HashMap<PathBuf, OwnedFd> = HashMap::new();
        let reports = Path::new(REPORTS_DIR);
        let top = open_dir(None, &root.join(reports));
        for parent in paths.iter().filter_map(|p| p.parent()) {
            if dirs.contains_key(parent) {
                continue;
            }
            let fd = match (&top, parent.strip_prefix(reports)) {
                (Some(top), Ok(rest)) if rest.as_os_str().is_empty() => top.try_clone().ok(),
                // Only a year shard, as the listing enters them (never `..`).
                (Some(top), Ok(rest)) if rest.to_str().is_some_and(is_shard_name) => open_dir(Some(top), rest),
                _ => None,
            };
            if let Some(fd) = fd {
                dirs.insert(parent.to_owned(), fd);
            }
        }
        Listed { root: root.to_owned(), dirs }
    }

    /// The document at `rel`, with exactly the outcome of [`Document::load`]: a regular file
    /// of allowed size is read through its directory's handle, anything else (a link, a
    /// directory, a FIFO, a file too large or gone) takes [`Document::load`], which names it.
    pub fn load(&self, rel: &Path) -> Result<Document, Box<Rejected>> {
        match self.read(rel) {
            Some(bytes) => Document::from_bytes(rel, bytes),
            None => Document::load(&self.root, rel),
        }
    }

    /// The bytes of `rel` when it is a regular file of at most [`MAX_REPORT_BYTES`].
    fn read(&self, rel: &Path) -> Option<Vec<u8>> {
        let dir = self.dirs.get(rel.parent()?)?;
        let name = std::ffi::CString::new(rel.file_name()?.as_bytes()).ok()?;
        let flags = libc::O_RDONLY | libc::O_NOFOLLOW | libc::O_NONBLOCK | libc::O_CLOEXEC;
        // SAFETY: a valid directory descriptor and a NUL-terminated name; the returned
        // descriptor is owned by the `File` below.
        let fd = unsafe { libc::openat(dir.as_raw_fd(), name.as_ptr(), flags) };
        if fd < 0 {
            return None;
        }
        // SAFETY: `fd` was just opened and is owned by nothing else.
        let file = fs::File::from(unsafe { OwnedFd::from_raw_fd(fd) });
        let meta = file.metadata().ok()?;
        if !meta.is_file() || meta.len() > MAX_REPORT_BYTES {
            return None;
        }
        let mut bytes = Vec::with_capacity(meta.len() as usize);
        file.take(MAX_REPORT_BYTES + 1).read_to_end(&mut bytes).ok()?;
        (bytes.len() as u64 <= MAX_REPORT_BYTES).then_some(bytes)
    }
}

/// A directory handle opened without following a link: `path` itself, or the entry `name`
/// of `parent`.
fn open_dir(parent: Option<&OwnedFd>, path: &Path) -> Option<OwnedFd> {
    let name = std::ffi::CString::new(path.as_os_str().as_bytes()).ok()?;
    let flags = libc::O_RDONLY | libc::O_DIRECTORY | libc::O_NOFOLLOW | libc::O_CLOEXEC;
    let at = parent.map_or(libc::AT_FDCWD, |p| p.as_raw_fd());
    // SAFETY: a valid descriptor (or AT_FDCWD) and a NUL-terminated path; the result is owned below.
    let fd = unsafe { libc::openat(at, name.as_ptr(), flags) };
    // SAFETY: `fd` was just opened and is owned by nothing else.
    (fd >= 0).then(|| unsafe { OwnedFd::from_raw_fd(fd) })
}

/// The path of report `id` relative to the root: where its file is (flat first, then its
/// shard; one `stat` each), else `None`.
pub fn find_report(root: &Path, id: &str) -> Option<PathBuf> {
    report_places(id).into_iter().find(|rel| fs::symlink_metadata(root.join(rel)).is_ok())
}

/// The path of report `id`: where its file is, else where `layout` would put it (so that a
/// refusal names the file the user would expect).
pub fn report_file(root: &Path, layout: crate::layout::Layout, id: &str) -> PathBuf {
    find_report(root, id).unwrap_or_else(|| layout.report_path(id))
}

/// The files of every report folder (`reports/<ID>/`, `reports/<YEAR>/<ID>/`, any depth),
/// into `out` by the path of the report file the folder sits beside, each relative to its
/// folder with `/` separators. Links are neither listed nor followed.
pub fn report_folders(root: &Path, out: &mut std::collections::HashMap<PathBuf, Vec<String>>) -> Result<()> {
    crate::layout::no_links(root, Path::new(REPORTS_DIR)).map_err(Error::io("cannot list the reports"))?;
    folders_in(root, Path::new(REPORTS_DIR), out, true);
    Ok(())
}

fn folders_in(root: &Path, rel: &Path, out: &mut std::collections::HashMap<PathBuf, Vec<String>>, top: bool) {
    let Ok(entries) = fs::read_dir(root.join(rel)) else { return };
    for entry in entries.flatten() {
        let is_dir = entry.file_type().is_ok_and(|t| t.is_dir());
        let Some(name) = entry.file_name().to_str().map(str::to_owned) else { continue };
        if !is_dir || name.starts_with('.') {
            continue;
        }
        if top && is_shard_name(&name) {
            folders_in(root, &rel.join(&name), out, false);
            continue;
        }
        let mut names = Vec::new();
        walk(&entry.path(), "", &mut names, 0);
        names.sort();
        out.insert(rel.join(format!("{name}.md")), names);
    }
}

/// The regular files under `dir` (at most 8 levels), as `prefix/name`.
fn walk(dir: &Path, prefix: &str, names: &mut Vec<String>, depth: usize) {
    let Ok(entries) = fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let Some(name) = entry.file_name().to_str().map(str::to_owned) else { continue };
        // The tool's own temporary files (`.enigm-…tmp`) and other hidden files are not content.
        if name.starts_with('.') {
            continue;
        }
        let rel = if prefix.is_empty() { name } else { format!("{prefix}/{name}") };
        match entry.file_type() {
            Ok(t) if t.is_file() => names.push(rel),
            Ok(t) if t.is_dir() && depth < 8 => walk(&entry.path(), &rel, names, depth + 1),
            _ => {}
        }
    }
}

/// Report ids named by the report files in either layout (file stems).
pub fn report_ids(root: &Path) -> Result<Vec<String>> {
    Ok(report_paths(root)?.iter().filter_map(|p| p.file_stem().and_then(|s| s.to_str()).map(str::to_owned)).collect())
}

/// Resolves an id as the user typed it (`ENIGM-2026-0007`, `2026-7`, `7`) against the reports
/// in the work tree; a bare number several years share is this year's report (`this_year`,
/// from the [clock](super::clock)), and the others are returned for the caller to mention.
pub fn resolve_id(root: &Path, input: &str, this_year: i32) -> Result<Resolved> {
    // A full id needs no listing (it matters with 100,000 reports).
    let exact = input.trim();
    if exact.parse::<crate::format::id::ReportId>().is_ok_and(|id| id.to_string() == exact)
        && find_report(root, exact).is_some()
    {
        return Ok(Resolved { id: exact.to_owned(), other_years: Vec::new() });
    }
    let ids = report_ids(root)?;
    crate::format::id::resolve(input, ids.iter().map(String::as_str), this_year).map_err(|u| {
        // One id per line: an id is never broken across lines, whatever the width.
        let listed: String = u.candidates().iter().map(|c| format!("\n  {c}")).collect();
        let help = match (&u, u.candidates().first()) {
            (_, None) => "ids can be abbreviated as `2026-7` or `7` when unambiguous; `enigm-disclose list` lists them"
                .to_owned(),
            (Unresolved::Ambiguous { .. }, Some(first)) => {
                let short = first.parse::<ReportId>().map(|p| format!("{}-{}", p.year, p.number));
                let example = short.map(|s| format!(" (`{s}`)")).unwrap_or_default();
                format!("it names these reports; name one with its year{example} or in full:{listed}")
            }
            (Unresolved::Unknown { .. }, Some(_)) => format!("did you mean:{listed}"),
        };
        Error::usage(u.message(), help)
    })
}
