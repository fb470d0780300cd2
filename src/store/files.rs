//! File writes that never leave a half-written file, and paths that stay inside the repo.
//!
//! Every write goes to a temporary file in the same directory, is flushed to disk, then
//! renamed over (or, for new files, linked to) the destination, so a crash or a full disk
//! leaves either the old file or the new one.

use std::fs;
use std::io::{self, Write};
use std::path::{Component, Path};

use tempfile::NamedTempFile;

/// Replaces (or creates) `path` with `bytes` atomically, keeping an existing file's
/// permissions.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let tmp = temp_with(path, bytes)?;
    if let Ok(meta) = fs::metadata(path) {
        fs::set_permissions(tmp.path(), meta.permissions())?;
    }
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

/// Replaces `path` with `bytes` through a temporary file and a rename, without forcing the
/// data to disk: for regenerable output (the rendered site), where a crash may lose the new
/// file but never leaves a half-written one in its place.
pub fn write_replace(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let mut tmp = temp_builder().tempfile_in(dir)?;
    tmp.write_all(bytes)?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

/// Creates a new file `path` with `bytes` (fails with `AlreadyExists`), without a temporary
/// file: for regenerable output only.
pub fn create_new(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let mut f = fs::OpenOptions::new().write(true).create_new(true).open(path)?;
    f.write_all(bytes)
}

/// Creates `path` with `bytes` atomically; fails with `AlreadyExists` if it exists.
pub fn create_atomic(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let tmp = temp_with(path, bytes)?;
    tmp.persist_noclobber(path).map_err(|e| e.error)?;
    Ok(())
}

fn temp_with(path: &Path, bytes: &[u8]) -> io::Result<NamedTempFile> {
    let dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let mut tmp = temp_builder().tempfile_in(dir)?;
    tmp.write_all(bytes)?;
    tmp.as_file().sync_all()?;
    Ok(tmp)
}

/// Temporary files are created with mode 0666 less the umask, as a plain new file would be
/// (tempfile's default is 0600), so a new file the tool writes follows the umask.
fn temp_builder() -> tempfile::Builder<'static, 'static> {
    use std::os::unix::fs::PermissionsExt;
    let mut b = tempfile::Builder::new();
    b.prefix(".enigm-").suffix(".tmp").permissions(fs::Permissions::from_mode(0o666));
    b
}

/// True when `rel` is a plain relative path that cannot leave its base directory
/// (no `..`, no root, no prefix).
pub fn is_contained(rel: &Path) -> bool {
    rel.components().all(|c| matches!(c, Component::Normal(_) | Component::CurDir)) && rel.components().next().is_some()
}

/// Removes the temporary files (`.enigm-*.tmp`) an interrupted write left under `dir` (down
/// to `depth` levels of subdirectories, and in year shards such as `reports/2026/`, never
/// following a symbolic link). The caller holds the write lock, so none belongs to a running
/// command. Returns the files removed.
pub fn remove_own_temps(dir: &Path, depth: u32) -> Vec<std::path::PathBuf> {
    fn walk(dir: &Path, depth: u32, out: &mut Vec<std::path::PathBuf>) {
        let Ok(entries) = fs::read_dir(dir) else { return };
        for entry in entries.flatten() {
            let Ok(kind) = entry.file_type() else { continue };
            let name = entry.file_name();
            let name = name.to_string_lossy();
            if kind.is_dir() && depth > 0 {
                walk(&entry.path(), depth - 1, out);
            } else if kind.is_dir() && crate::layout::is_shard_name(&name) {
                // A year shard of `reports/` holds report files as `reports/` does.
                walk(&entry.path(), 0, out);
            } else if kind.is_file()
                && name.starts_with(".enigm-")
                && name.ends_with(".tmp")
                && fs::remove_file(entry.path()).is_ok()
            {
                out.push(entry.path());
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, depth, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn atomic_writes_replace_and_refuse_to_clobber() {
        let dir = tempfile::tempdir().expect("tempdir");
        let p = dir.path().join("a.md");
        create_atomic(&p, b"one").expect("create");
        assert_eq!(create_atomic(&p, b"two").unwrap_err().kind(), io::ErrorKind::AlreadyExists);
        assert_eq!(fs::read(&p).expect("read"), b"one");
        write_atomic(&p, b"three").expect("replace");
        assert_eq!(fs::read(&p).expect("read"), b"three");
        let leftovers = fs::read_dir(dir.path()).expect("ls").count();
        assert_eq!(leftovers, 1, "no temporary files left behind");
    }

    #[test]
    fn containment() {
        assert!(is_contained(Path::new("reports/A.md")));
        assert!(!is_contained(Path::new("../x")));
        assert!(!is_contained(Path::new("/etc/passwd")));
        assert!(!is_contained(Path::new("reports/../../x")));
        assert!(!is_contained(Path::new("")));
    }
}
