//! Where things live in a disclosure repository: every path the tool reads or writes.
//!
//! One place for the names, so that a command, the hook, the site and the tests agree on them
//! and the two report layouts (flat `reports/<ID>.md`, sharded `reports/<YEAR>/<ID>.md`) are
//! told apart in one file.

use std::io::{self, Read};
use std::path::{Path, PathBuf};

/// Directory of report files, relative to the repository root.
pub const REPORTS_DIR: &str = "reports";

/// The repository's configuration file, at the root.
pub const CONFIG_FILE: &str = "enigm.yaml";

/// The disclosure policy, a Markdown template at the root (`publish::policy`).
pub const POLICY_FILE: &str = "policy.md";

/// Directory of the repository's own templates (each overrides the built-in of the same name).
pub const TEMPLATES_DIR: &str = "templates";

/// The list of files a site render wrote, at the root of the output directory; only files it
/// names are ever replaced or removed by the next render.
pub const SITE_MANIFEST: &str = ".enigm-site";

/// History findings of `verify` the team has acknowledged (committed, with a reason), relative
/// to the repository root; see `format::acknowledged`.
pub const ACKNOWLEDGED_FILE: &str = ".enigm/acknowledged.yaml";

/// The write lock's file name inside the git directory.
pub const LOCK_FILE: &str = "enigm.lock";

/// The file name of a report: `<ID>.md`.
pub fn report_file_name(id: &str) -> String {
    format!("{id}.md")
}

/// The path of a report, relative to the repository root: `reports/<ID>.md`.
pub fn report_path(id: &str) -> PathBuf {
    PathBuf::from(REPORTS_DIR).join(report_file_name(id))
}

/// How a repository files its reports: `reports/<ID>.md` (flat) or `reports/<YEAR>/<ID>.md`
/// (sharded by the id's year, as GitHub's advisory database shards). Reading accepts both
/// ([`report_id_of`]); the layout decides only where a new report is written.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Layout {
    #[default]
    Flat,
    Sharded,
}

impl Layout {
    /// Where the report `id` lives in this layout, relative to the repository root. An id
    /// without a year shard (not `<PREFIX>-<YEAR>-<N>`) stays flat.
    pub fn report_path(self, id: &str) -> PathBuf {
        self.shard_dir(id).join(report_file_name(id))
    }

    /// The folder of the report's correspondence, beside its file: `…/<ID>/`.
    pub fn report_folder(self, id: &str) -> PathBuf {
        self.shard_dir(id).join(id)
    }

    fn shard_dir(self, id: &str) -> PathBuf {
        match (self, shard(id)) {
            (Layout::Sharded, Some(year)) => Path::new(REPORTS_DIR).join(year),
            _ => PathBuf::from(REPORTS_DIR),
        }
    }

    /// The name `enigm.yaml` spells it with.
    pub fn as_str(self) -> &'static str {
        match self {
            Layout::Flat => "flat",
            Layout::Sharded => "sharded",
        }
    }
}

/// The places a report `id` may live, relative to the root: flat first, then its shard
/// (one place for an id without a year).
pub fn report_places(id: &str) -> Vec<PathBuf> {
    let mut places = vec![Layout::Flat.report_path(id)];
    if shard(id).is_some() {
        places.push(Layout::Sharded.report_path(id));
    }
    places
}

/// The folder of a report's correspondence, beside its file (`reports/2026/X.md` →
/// `reports/2026/X`), in whichever layout the file is.
pub fn folder_beside(report: &Path) -> PathBuf {
    report.with_extension("")
}

/// A file of a report's folder named by a repository-relative `/`-separated path
/// (`reports/<ID>/messages/0001-in.md`, `reports/<YEAR>/<ID>/…`): the report file the folder
/// sits beside and the name inside the folder. `None` for a report file or anything else.
pub fn folder_entry(rel: &str) -> Option<(PathBuf, &str)> {
    let rest = rel.strip_prefix(REPORTS_DIR)?.strip_prefix('/')?;
    let (first, after) = rest.split_once('/')?;
    let (dir, folder, name) = match after.split_once('/') {
        Some((folder, name)) if is_shard_name(first) => (Path::new(REPORTS_DIR).join(first), folder, name),
        _ if is_shard_name(first) => return None,
        _ => (PathBuf::from(REPORTS_DIR), first, after),
    };
    (!folder.starts_with('.')).then(|| (dir.join(report_file_name(folder)), name))
}

/// True for the name of a year shard directory under `reports/` (four ASCII digits).
pub fn is_shard_name(name: &str) -> bool {
    name.len() == 4 && name.bytes().all(|b| b.is_ascii_digit())
}

/// The id of a report file named relative to `reports/` (`X.md` or `2026/X.md`), as the
/// history walks name them; `None` for anything else (see [`report_id_of`]).
pub fn report_id_in_reports(name: &str) -> Option<&str> {
    let (first, rest) = match name.split_once('/') {
        Some((shard, file)) if is_shard_name(shard) && !file.contains('/') => (shard, Some(file)),
        Some(_) => return None,
        None => (name, None),
    };
    let file = rest.unwrap_or(first);
    file.strip_suffix(".md").filter(|stem| !stem.is_empty() && !file.starts_with('.'))
}

/// Where a report file (relative to the root) is in the wrong place: a sharded file whose
/// shard is not its id's year. Returns the place it belongs.
pub fn misplaced(rel: &Path) -> Option<PathBuf> {
    let id = report_id_of(rel)?;
    let in_shard = rel.parent().is_some_and(|p| p != Path::new(REPORTS_DIR));
    let right = Layout::Sharded.report_path(id);
    (in_shard && rel != right).then_some(right)
}

/// The year shard of a report id: `ENIGM-2026-0001` → `2026`.
pub fn shard(id: &str) -> Option<&str> {
    let mut parts = id.rsplitn(3, '-');
    let (_number, year) = (parts.next()?, parts.next()?);
    parts.next()?;
    (year.len() == 4 && year.bytes().all(|b| b.is_ascii_digit())).then_some(year)
}

/// The id of a report file named by a repository-relative path in either layout
/// (`reports/<ID>.md` or `reports/<YEAR>/<ID>.md`), or `None` for any other path. The
/// name is not checked to be a valid id here; `validate` does that.
pub fn report_id_of(rel: &Path) -> Option<&str> {
    // The plain `/`-separated paths the index and trees hold (the hook looks at 100,000 of
    // them) are split as strings: through `Path` components they were a fifth of the hook's
    // time. Anything else (`.`, `//`, a leading or trailing `/`, not UTF-8) goes through them.
    if let Some(text) = rel.to_str() {
        // An id found this way is the one `Path` components find (the path is plain).
        if let Some(id) = plain_report_id(text) {
            return Some(id);
        }
        if !text.split('/').any(|part| part.is_empty() || part == ".") {
            return None;
        }
    }
    report_id_of_components(rel)
}

/// The id of `reports/<ID>.md` or `reports/<YEAR>/<ID>.md` written plainly.
fn plain_report_id(text: &str) -> Option<&str> {
    let rest = text.strip_prefix(REPORTS_DIR)?.strip_prefix('/')?;
    let name = match rest.split_once('/') {
        None => rest,
        Some((shard, name)) if is_shard_name(shard) && !name.contains('/') => name,
        Some(_) => return None,
    };
    name.strip_suffix(".md").filter(|stem| !stem.is_empty() && !name.starts_with('.'))
}

/// [`report_id_of`] through `Path` components, for any path.
fn report_id_of_components(rel: &Path) -> Option<&str> {
    let rest = rel.strip_prefix(REPORTS_DIR).ok()?;
    let mut parts = rest.iter().map(|p| p.to_str());
    let (first, second, third) = (parts.next()??, parts.next(), parts.next());
    let name = match (second, third) {
        (None, _) => first,
        (Some(Some(name)), None) if is_shard_name(first) => name,
        _ => return None,
    };
    name.strip_suffix(".md").filter(|stem| !stem.is_empty() && !name.starts_with('.'))
}

/// Refuses when `root/rel`, or any directory on the way to it below `root`, is a symbolic
/// link: nothing the tool reads or writes inside the repository or the site is reached
/// through a link, which could lead anywhere. Components that do not exist yet are fine.
pub fn no_links(root: &Path, rel: &Path) -> io::Result<()> {
    let mut path = root.to_owned();
    for part in rel.components() {
        path.push(part);
        match std::fs::symlink_metadata(&path) {
            Ok(m) if m.file_type().is_symlink() => return Err(link_error(&path)),
            Ok(_) => {}
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

fn link_error(path: &Path) -> io::Error {
    io::Error::other(format!(
        "{} is a symbolic link; links inside the repository and the site are never followed (replace it with the directory or file itself)",
        path.display()
    ))
}

/// Reads `path` if it is a regular file of at most `limit` bytes. The last component is
/// opened without following a link (`O_NOFOLLOW`) and without blocking (`O_NONBLOCK`, so a
/// FIFO or a device named like the file cannot hang the command); the type and size are
/// checked on the open file, and no more than `limit` bytes are ever read.
pub fn read_regular(path: &Path, limit: u64) -> io::Result<Vec<u8>> {
    use std::os::unix::fs::OpenOptionsExt;
    let file = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK)
        .open(path)
        .map_err(|e| if e.raw_os_error() == Some(libc::ELOOP) { link_error(path) } else { e })?;
    let meta = file.metadata()?;
    if !meta.is_file() {
        return Err(io::Error::new(io::ErrorKind::InvalidInput, format!("{} is not a regular file", path.display())));
    }
    if meta.len() > limit {
        return Err(too_large(path, limit));
    }
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    file.take(limit + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > limit {
        return Err(too_large(path, limit));
    }
    Ok(bytes)
}

fn too_large(path: &Path, limit: u64) -> io::Error {
    io::Error::new(io::ErrorKind::FileTooLarge, format!("{} is larger than {limit} bytes", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_string_path_to_a_report_id_agrees_with_the_components_path() {
        let paths = [
            "reports/ENIGM-2026-0001.md",
            "reports/2026/ENIGM-2026-0001.md",
            "reports/2026/x/ENIGM-2026-0001.md",
            "reports/20260/ENIGM-2026-0001.md",
            "reports/.md",
            "reports/.hidden.md",
            "reports/x.txt",
            "reports",
            "reports/",
            "reportsX/a.md",
            "docs/a.md",
            "reports/a.md/b.md",
            "reports/../a.md",
            "reports/..",
            "reports/ENIGM-2026-0001/notes.md",
            "reports/2026/.md",
            "reports/2026",
            "reports/2026/",
            "a.md",
        ];
        for p in paths {
            assert_eq!(report_id_of(Path::new(p)), report_id_of_components(Path::new(p)), "{p}");
        }
        // What only `Path` components normalise.
        for (p, id) in [("reports//a.md", Some("a")), ("reports/./a.md", Some("a")), ("./reports/a.md", None)] {
            assert_eq!(report_id_of(Path::new(p)), id, "{p}");
        }
    }

    #[test]
    fn reports_live_under_reports() {
        assert_eq!(report_path("ENIGM-2026-0001"), PathBuf::from("reports/ENIGM-2026-0001.md"));
    }

    #[test]
    fn both_layouts_name_a_report_and_nothing_else() {
        let id = "ENIGM-2026-0001";
        assert_eq!(Layout::Flat.report_path(id), PathBuf::from("reports/ENIGM-2026-0001.md"));
        assert_eq!(Layout::Sharded.report_path(id), PathBuf::from("reports/2026/ENIGM-2026-0001.md"));
        assert_eq!(Layout::Sharded.report_folder(id), PathBuf::from("reports/2026/ENIGM-2026-0001"));
        assert_eq!(Layout::Sharded.report_path("odd"), PathBuf::from("reports/odd.md"));
        for layout in [Layout::Flat, Layout::Sharded] {
            assert_eq!(report_id_of(&layout.report_path(id)), Some(id));
        }
        for other in [
            "reports/.gitkeep",
            "reports/2026/x/y.md",
            "reports/ENIGM-2026-0001/messages/0001-in.md",
            "x/A.md",
            "reports/abc/A.md",
            "reports/A.txt",
        ] {
            assert_eq!(report_id_of(Path::new(other)), None, "{other}");
        }
    }

    #[test]
    fn places_folders_and_shards() {
        let id = "ENIGM-2026-0001";
        assert_eq!(
            report_places(id),
            [PathBuf::from("reports/ENIGM-2026-0001.md"), PathBuf::from("reports/2026/ENIGM-2026-0001.md")]
        );
        assert_eq!(report_places("odd"), [PathBuf::from("reports/odd.md")]);
        assert_eq!(folder_beside(&Layout::Sharded.report_path(id)), Layout::Sharded.report_folder(id));
        assert_eq!(folder_beside(&Layout::Flat.report_path(id)), Layout::Flat.report_folder(id));
        assert_eq!(report_id_in_reports("ENIGM-2026-0001.md"), Some(id));
        assert_eq!(report_id_in_reports("2026/ENIGM-2026-0001.md"), Some(id));
        for other in ["ENIGM-2026-0001", "2026/x/y.md", "abc/A.md", ".gitkeep", "2026/.md"] {
            assert_eq!(report_id_in_reports(other), None, "{other}");
        }
        assert_eq!(misplaced(Path::new("reports/2025/ENIGM-2026-0001.md")), Some(Layout::Sharded.report_path(id)));
        assert_eq!(misplaced(Path::new("reports/2026/ENIGM-2026-0001.md")), None);
        assert_eq!(misplaced(Path::new("reports/ENIGM-2026-0001.md")), None, "flat is read in either layout");
        assert_eq!(misplaced(Path::new("reports/2026/odd.md")), Some(PathBuf::from("reports/odd.md")));
        assert_eq!((Layout::Flat.as_str(), Layout::Sharded.as_str()), ("flat", "sharded"));
        assert_eq!(
            folder_entry("reports/2026/ENIGM-2026-0001/messages/0001-in.md"),
            Some((Layout::Sharded.report_path(id), "messages/0001-in.md"))
        );
        assert_eq!(folder_entry("reports/ENIGM-2026-0001/a/b"), Some((Layout::Flat.report_path(id), "a/b")));
        for other in ["reports/2026/ENIGM-2026-0001.md", "reports/ENIGM-2026-0001.md", "x/A/b", "reports/.git/x"] {
            assert_eq!(folder_entry(other), None, "{other}");
        }
    }

    #[test]
    fn links_fifos_and_large_files_are_not_read() {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path();
        std::fs::create_dir(root.join("real")).expect("mkdir");
        std::fs::write(root.join("real/a"), b"abc").expect("write");
        std::os::unix::fs::symlink("real", root.join("link")).expect("symlink");
        assert!(no_links(root, Path::new("real/a")).is_ok());
        assert!(no_links(root, Path::new("real/missing/b")).is_ok());
        assert!(no_links(root, Path::new("link/a")).is_err());
        assert_eq!(read_regular(&root.join("real/a"), 3).expect("read"), b"abc");
        assert!(read_regular(&root.join("real/a"), 2).is_err());
        std::os::unix::fs::symlink("real/a", root.join("file-link")).expect("symlink");
        assert!(read_regular(&root.join("file-link"), 10).is_err());
        assert!(read_regular(root, 10).is_err(), "a directory");
        let fifo = std::ffi::CString::new(root.join("fifo").to_str().expect("utf8")).expect("cstr");
        // SAFETY: a valid C string.
        assert_eq!(unsafe { libc::mkfifo(fifo.as_ptr(), 0o600) }, 0);
        assert!(read_regular(&root.join("fifo"), 10).is_err(), "a FIFO is refused without blocking");
    }
}
