//! Finding the report files of a repository.
//!
//! Reports are the `*.md` entries directly under `reports/`. Hidden files (such as
//! `.gitkeep`) are skipped. Entries are returned sorted, so every command sees the same
//! order; symbolic links and directories are returned too, so that loading them produces a
//! finding instead of silently ignoring them.

use std::fs;
use std::io::ErrorKind;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::format::id::{ReportId, Resolved, Unresolved};
use crate::layout::REPORTS_DIR;

/// Relative paths (`reports/<name>.md`) of every report entry, sorted.
pub fn report_paths(root: &Path) -> Result<Vec<PathBuf>> {
    let dir = root.join(REPORTS_DIR);
    // A linked `reports/` would be read from (and written to) outside the repository.
    crate::layout::no_links(root, Path::new(REPORTS_DIR)).map_err(Error::io("cannot list the reports"))?;
    let entries = match fs::read_dir(&dir) {
        Ok(e) => e,
        Err(e) if e.kind() == ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(Error::io(format!("cannot list {}", dir.display()))(e)),
    };
    let mut paths = Vec::new();
    for entry in entries {
        let entry = entry.map_err(Error::io(format!("cannot list {}", dir.display())))?;
        let name = entry.file_name();
        let Some(name) = name.to_str() else {
            // A non-UTF-8 name cannot be a report id; still show it so it gets a finding.
            paths.push(Path::new(REPORTS_DIR).join(entry.file_name()));
            continue;
        };
        if !name.starts_with('.') && name.ends_with(".md") {
            paths.push(Path::new(REPORTS_DIR).join(name));
        }
    }
    // By bytes: for names in one directory the same order as `Path`'s, which compares
    // component by component and is several times slower on 100,000 paths.
    paths.sort_unstable_by(|a, b| a.as_os_str().cmp(b.as_os_str()));
    Ok(paths)
}

/// The files of every report folder (`reports/<ID>/`, any depth), into `out` by id, each
/// relative to its folder with `/` separators. Links are neither listed nor followed.
pub fn report_folders(root: &Path, out: &mut std::collections::HashMap<String, Vec<String>>) -> Result<()> {
    let dir = root.join(REPORTS_DIR);
    crate::layout::no_links(root, Path::new(REPORTS_DIR)).map_err(Error::io("cannot list the reports"))?;
    let Ok(entries) = fs::read_dir(&dir) else { return Ok(()) };
    for entry in entries.flatten() {
        let is_dir = entry.file_type().is_ok_and(|t| t.is_dir());
        if let (true, Some(id)) = (is_dir, entry.file_name().to_str()) {
            let mut names = Vec::new();
            walk(&entry.path(), "", &mut names, 0);
            names.sort();
            out.insert(id.to_owned(), names);
        }
    }
    Ok(())
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

/// Report ids named by the files under `reports/` (file stems).
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
        && fs::symlink_metadata(root.join(REPORTS_DIR).join(format!("{exact}.md"))).is_ok()
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
