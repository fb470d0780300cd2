//! A file's stat tuple, as a cache key: what lets `render` skip reading a file whose stat has
//! not changed since it last read (or wrote) it, with git's rule against racy timestamps.
//!
//! A file system stamps a change with a coarse clock, so two writes within one tick can leave
//! the same modification time (and the same size). An entry is therefore only trusted when its
//! modification time was older, by more than the coarsest granularity in use ([`MARGIN_NS`]),
//! than the moment the stat was taken: a later write then necessarily moves the time. A stat
//! that is too recent is not recorded ([`Stat::settled`] gives `None`) and the file is read
//! again next time. Links and anything but a regular file have no stat here.

use std::os::unix::fs::MetadataExt;
use std::path::Path;

use serde::{Deserialize, Serialize};

/// Two seconds: the coarsest modification-time granularity of common file systems (FAT's);
/// ext4, XFS, btrfs and tmpfs stamp in jiffies.
pub const MARGIN_NS: i128 = 2_000_000_000;

/// What `lstat` says of a regular file: any write, rename over, `touch` or `chmod` changes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Stat {
    pub size: u64,
    pub mtime_ns: i128,
    pub ctime_ns: i128,
    pub ino: u64,
    pub dev: u64,
}

fn now_ns() -> i128 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos() as i128)
}

impl Stat {
    /// The stat of the regular file `path` (a link is not followed: `None`).
    pub fn of(path: &Path) -> Option<Stat> {
        let m = std::fs::symlink_metadata(path).ok().filter(|m| m.file_type().is_file())?;
        let ns = |s: i64, n: i64| i128::from(s) * 1_000_000_000 + i128::from(n);
        Some(Stat {
            size: m.len(),
            mtime_ns: ns(m.mtime(), m.mtime_nsec()),
            ctime_ns: ns(m.ctime(), m.ctime_nsec()),
            ino: m.ino(),
            dev: m.dev(),
        })
    }

    /// The stat of `path` when it can be trusted as a key later: its modification time is older
    /// than now by more than [`MARGIN_NS`] (git's rule compares with the index file's time).
    /// Taken before any read of the file, so the content read is at least as new as the stat.
    /// A write sets the modification time to the present, so it moves a settled one; a time set
    /// back by hand changes the status change time, which the tuple holds too.
    pub fn settled(path: &Path) -> Option<Stat> {
        let now = now_ns();
        Stat::of(path).filter(|s| s.mtime_ns + MARGIN_NS < now)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fresh_file_is_not_settled_and_an_old_one_is_until_it_changes() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("a.md");
        std::fs::write(&path, "one").expect("write");
        assert!(Stat::of(&path).is_some());
        assert_eq!(Stat::settled(&path), None, "written just now: racy");
        let old = std::time::SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(1_600_000_000);
        std::fs::File::options().write(true).open(&path).expect("open").set_modified(old).expect("mtime");
        let before = Stat::settled(&path).expect("an old modification time is settled");
        std::fs::write(&path, "two").expect("write");
        assert_ne!(Stat::of(&path), Some(before), "same size, new content: another stat");
        let f = std::fs::File::options().write(true).open(&path).expect("open");
        f.set_modified(old).expect("mtime set back");
        assert_ne!(Stat::of(&path), Some(before), "the time set back: the status change time moved");
        std::os::unix::fs::symlink(&path, dir.path().join("link.md")).expect("link");
        assert_eq!(Stat::of(&dir.path().join("link.md")), None, "a link has no stat");
    }
}
