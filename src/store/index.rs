//! A read-only reader of git's index file, for the pre-commit hook (issue 22).
//!
//! libgit2 reads an index by hashing the whole file with its collision-detecting SHA-1 and
//! allocating every entry, then compares HEAD's whole tree with it: most of what the hook cost
//! at 100,000 reports. Git itself does not verify the checksum when it reads the index, and
//! keeps in it a cache of the trees the index would write (the `TREE` extension): a directory
//! whose cached tree is valid and equal to HEAD's has nothing staged in it. This reader takes
//! the entries (versions 2, 3 and 4) and that cache from the file's bytes, so only the
//! directories the cache marks as changed are compared with HEAD, in raw tree bytes.
//!
//! It reads what it fully understands and nothing else: an index with a required extension it
//! does not handle (a split index's `link`, a sparse index's `sdir`), an entry flag it does not
//! know, an intent-to-add entry or anything malformed makes [`RawIndex::read`] return `None`,
//! and the caller reads the index with libgit2 as before.

use std::path::Path;

use git2::{Oid, Repository};

/// Entry flag bits (the 16-bit flags word after the object id).
const EXTENDED: u16 = 0x4000;
const STAGE_MASK: u16 = 0x3000;
/// Extended flag bits (version 3 and later): skip-worktree and intent-to-add; others are
/// reserved, and an index that sets them is left to libgit2.
const SKIP_WORKTREE: u16 = 0x4000;
const INTENT_TO_ADD: u16 = 0x2000;
/// The fixed part of an entry: stat data (40 bytes), the object id (20), the flags (2).
const FIXED: usize = 62;
const OID_LEN: usize = 20;
/// A directory entry of a sparse index: left to libgit2.
const TREE_MODE: u32 = 0o040000;

/// One index entry: its path (a range of [`RawIndex::names`]), mode, object id and stage.
#[derive(Debug, Clone, Copy)]
pub(super) struct Entry {
    start: u32,
    len: u32,
    pub(super) mode: u32,
    pub(super) oid: [u8; OID_LEN],
    pub(super) stage: u8,
}

/// A node of the cache-tree (`TREE` extension): a directory, the tree id it would be written
/// as (`None` when invalidated by a change) and its subdirectories, sorted by name.
#[derive(Debug, Default)]
struct CacheTree {
    name: Vec<u8>,
    oid: Option<Oid>,
    children: Vec<CacheTree>,
}

impl CacheTree {
    fn child(&self, name: &[u8]) -> Option<&CacheTree> {
        self.children.binary_search_by(|c| c.name.as_slice().cmp(name)).ok().map(|n| &self.children[n])
    }
}

/// A path the index changes from HEAD, with HEAD's object there (none when HEAD has no file).
pub(super) type Changed = (Vec<u8>, Option<Oid>);

/// The entries of an index file, sorted as git keeps them (by path bytes, then stage).
pub(super) struct RawIndex {
    names: Vec<u8>,
    entries: Vec<Entry>,
    tree: Option<CacheTree>,
}

/// Reads a big-endian `u32` at `at`.
fn be32(buf: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_be_bytes(buf.get(at..at + 4)?.try_into().ok()?))
}

fn be16(buf: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_be_bytes(buf.get(at..at + 2)?.try_into().ok()?))
}

/// The offset varint of index version 4 (how many bytes of the previous path to drop).
fn varint(buf: &[u8], at: &mut usize) -> Option<usize> {
    let mut c = *buf.get(*at)?;
    *at += 1;
    let mut value = usize::from(c & 0x7f);
    while c & 0x80 != 0 {
        c = *buf.get(*at)?;
        *at += 1;
        value = value.checked_add(1)?.checked_mul(128)? + usize::from(c & 0x7f);
    }
    Some(value)
}

impl RawIndex {
    /// The index in the file at `path`: `Some(empty)` when there is no file (git's empty
    /// index), `None` when it must be read by libgit2 (see the module docs).
    pub(super) fn read(path: &Path) -> Option<RawIndex> {
        match std::fs::read(path) {
            Ok(bytes) => RawIndex::parse(&bytes),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                Some(RawIndex { names: Vec::new(), entries: Vec::new(), tree: None })
            }
            Err(_) => None,
        }
    }

    /// The index in `buf`, or `None` for anything this reader leaves to libgit2.
    pub(super) fn parse(buf: &[u8]) -> Option<RawIndex> {
        if buf.get(..4)? != b"DIRC" || buf.len() < 12 + OID_LEN {
            return None;
        }
        let version = be32(buf, 4)?;
        if !(2..=4).contains(&version) {
            return None;
        }
        let count = be32(buf, 8)? as usize;
        let body = &buf[..buf.len() - OID_LEN];
        let mut index =
            RawIndex { names: Vec::new(), entries: Vec::with_capacity(count.min(body.len() / FIXED)), tree: None };
        let mut at = 12;
        let mut previous = (0usize, 0usize);
        for _ in 0..count {
            at = index.entry(body, at, version, &mut previous)?;
        }
        index.extensions(body, at)?;
        Some(index)
    }

    /// Reads the entry at `at`; returns where the next one starts.
    fn entry(&mut self, buf: &[u8], at: usize, version: u32, previous: &mut (usize, usize)) -> Option<usize> {
        let mode = be32(buf, at + 24)?;
        let oid: [u8; OID_LEN] = buf.get(at + 40..at + 60)?.try_into().ok()?;
        let flags = be16(buf, at + 60)?;
        let mut p = at + FIXED;
        if flags & EXTENDED != 0 {
            let extended = be16(buf, p).filter(|_| version >= 3)?;
            if extended & !SKIP_WORKTREE != 0 || extended & INTENT_TO_ADD != 0 {
                return None;
            }
            p += 2;
        }
        if mode == TREE_MODE {
            return None;
        }
        let start = self.names.len();
        let next = if version == 4 {
            let drop = varint(buf, &mut p)?;
            let kept = previous.1.checked_sub(drop)?;
            let nul = p + buf.get(p..)?.iter().position(|&b| b == 0)?;
            self.names.extend_from_within(previous.0..previous.0 + kept);
            self.names.extend_from_slice(&buf[p..nul]);
            nul + 1
        } else {
            // The length is in the flags unless it is 0xFFF or more.
            let short = usize::from(flags & 0x0fff);
            let nul = match short {
                0x0fff => p + buf.get(p..)?.iter().position(|&b| b == 0)?,
                n => Some(p + n).filter(|&nul| buf.get(nul) == Some(&0))?,
            };
            self.names.extend_from_slice(&buf[p..nul]);
            // Padded with 1 to 8 NULs to a multiple of 8 bytes from the entry's start.
            at + (nul - at + 8) / 8 * 8
        };
        let len = self.names.len() - start;
        *previous = (start, len);
        if len == 0 || next > buf.len() {
            return None;
        }
        let stage = ((flags & STAGE_MASK) >> 12) as u8;
        self.entries.push(Entry { start: start as u32, len: len as u32, mode, oid, stage });
        Some(next)
    }

    /// Reads the extensions from `at` to the end of `buf`: the cache-tree is kept, other
    /// optional ones (an upper-case first letter) are skipped, a required one is not handled.
    fn extensions(&mut self, buf: &[u8], mut at: usize) -> Option<()> {
        while at < buf.len() {
            let signature = buf.get(at..at + 4)?;
            let size = be32(buf, at + 4)? as usize;
            let data = buf.get(at + 8..(at + 8).checked_add(size)?)?;
            match signature {
                b"TREE" => {
                    let mut p = 0;
                    self.tree = Some(cache_tree(data, &mut p)?);
                }
                s if s[0].is_ascii_uppercase() => {}
                _ => return None,
            }
            at += 8 + size;
        }
        Some(())
    }

    /// The path of entry `e`.
    pub(super) fn path(&self, e: &Entry) -> &[u8] {
        &self.names[e.start as usize..(e.start + e.len) as usize]
    }

    pub(super) fn entries(&self) -> &[Entry] {
        &self.entries
    }

    /// The position of the first entry whose path is not before `path`.
    pub(super) fn lower_bound(&self, path: &[u8]) -> usize {
        self.entries.partition_point(|e| self.path(e) < path)
    }

    /// The entry at `path` and `stage`.
    pub(super) fn get(&self, path: &[u8], stage: u8) -> Option<&Entry> {
        self.entries[self.lower_bound(path)..].iter().take_while(|e| self.path(e) == path).find(|e| e.stage == stage)
    }

    /// What the index changes from the tree `head` (HEAD's root tree): each changed path
    /// (added, modified, removed, of another mode, or conflicted) with HEAD's blob where HEAD
    /// has one, sorted by path. Directories the cache-tree shows unchanged are not read.
    pub(super) fn changes_from(&self, git: &Repository, head: Oid) -> Result<Vec<Changed>, git2::Error> {
        // Re-hashing HEAD's trees on every read (5 MB for the `reports/` tree of 100,000 flat
        // reports, with the collision-detecting SHA-1) is `git fsck`'s job, as in the walks.
        crate::store::history::trust_object_ids();
        let odb = git.odb()?;
        let mut walk = Compare { odb: &odb, index: self, out: Vec::new() };
        walk.dir(b"", head, 0, self.entries.len(), self.tree.as_ref())?;
        walk.out.sort();
        walk.out.dedup_by(|a, b| a.0 == b.0);
        Ok(walk.out)
    }
}

/// One cache-tree node and its subdirectories, from `data` at `p`: the name (NUL-ended), the
/// number of entries it covers (`-1`: invalid), a space, the number of subdirectories, a
/// newline, and the tree id when valid.
fn cache_tree(data: &[u8], p: &mut usize) -> Option<CacheTree> {
    let nul = *p + data.get(*p..)?.iter().position(|&b| b == 0)?;
    let name = data[*p..nul].to_vec();
    let line_end = nul + 1 + data.get(nul + 1..)?.iter().position(|&b| b == b'\n')?;
    let line = std::str::from_utf8(&data[nul + 1..line_end]).ok()?;
    let (entries, subtrees) = line.split_once(' ')?;
    let entries: i64 = entries.parse().ok()?;
    let subtrees: usize = subtrees.parse().ok()?;
    *p = line_end + 1;
    let oid = if entries >= 0 {
        let id = Oid::from_bytes(data.get(*p..*p + OID_LEN)?).ok()?;
        *p += OID_LEN;
        Some(id)
    } else {
        None
    };
    let mut children = Vec::with_capacity(subtrees.min(data.len()));
    for _ in 0..subtrees {
        children.push(cache_tree(data, p)?);
    }
    children.sort_by(|a, b| a.name.cmp(&b.name));
    Some(CacheTree { name, oid, children })
}

/// A comparison of the index with HEAD's trees, directory by directory.
struct Compare<'a> {
    odb: &'a git2::Odb<'a>,
    index: &'a RawIndex,
    out: Vec<Changed>,
}

/// A tree entry: its name, mode and id.
struct TreeEntry<'t> {
    name: &'t [u8],
    mode: u32,
    oid: Oid,
}

/// The entries of a raw tree object, in order; an `Err` item ends a malformed one.
struct TreeEntries<'t> {
    data: &'t [u8],
    at: usize,
}

impl<'t> TreeEntries<'t> {
    fn next_entry(&mut self) -> Option<TreeEntry<'t>> {
        let data = &self.data[self.at..];
        let space = data.iter().position(|&b| b == b' ')?;
        let mode = u32::from_str_radix(std::str::from_utf8(&data[..space]).ok()?, 8).ok()?;
        let nul = space + 1 + data[space + 1..].iter().position(|&b| b == 0)?;
        let oid = Oid::from_bytes(data.get(nul + 1..nul + 1 + OID_LEN)?).ok()?;
        self.at += nul + 1 + OID_LEN;
        Some(TreeEntry { name: &data[space + 1..nul], mode, oid })
    }
}

impl<'t> Iterator for TreeEntries<'t> {
    type Item = Result<TreeEntry<'t>, ()>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.at >= self.data.len() {
            return None;
        }
        Some(self.next_entry().ok_or_else(|| self.at = self.data.len()))
    }
}

fn tree_entries(data: &[u8]) -> TreeEntries<'_> {
    TreeEntries { data, at: 0 }
}

/// A tree mode as the index records it (git's `canon_mode`: a regular file is 100644 or
/// 100755 whatever other bits an old tree has).
fn canon(mode: u32) -> u32 {
    match mode & 0o170000 {
        0o100000 if mode & 0o111 != 0 => 0o100755,
        0o100000 => 0o100644,
        _ => mode,
    }
}

fn malformed(oid: Oid) -> git2::Error {
    git2::Error::from_str(&format!("tree {oid} is malformed"))
}

impl Compare<'_> {
    /// Compares the directory `dir` (`""` or `a/b/`) of HEAD, tree `oid`, with the index
    /// entries `lo..hi` (every entry under `dir`).
    fn dir(
        &mut self,
        dir: &[u8],
        oid: Oid,
        lo: usize,
        hi: usize,
        cached: Option<&CacheTree>,
    ) -> Result<(), git2::Error> {
        if cached.and_then(|c| c.oid) == Some(oid) {
            return Ok(());
        }
        let odb = self.odb;
        let object = odb.read(oid)?;
        let index = self.index;
        let path_of = |n: usize| index.path(&index.entries[n]);
        // `dir` and the tree entry's name (with a `/` after a directory's).
        let mut path = dir.to_vec();
        let mut i = lo;
        for entry in tree_entries(object.data()) {
            let entry = entry.map_err(|()| malformed(oid))?;
            let is_dir = entry.mode == TREE_MODE;
            path.truncate(dir.len());
            path.extend_from_slice(entry.name);
            if is_dir {
                path.push(b'/');
            }
            // Index entries before this one are not in HEAD: added.
            while i < hi && path_of(i) < path.as_slice() && !(is_dir && path_of(i).starts_with(&path)) {
                self.out.push((path_of(i).to_vec(), None));
                i += 1;
            }
            if is_dir {
                let end = i + index.entries[i..hi].partition_point(|e| index.path(e).starts_with(&path));
                if end == i {
                    self.removed(&path, entry.oid)?;
                } else {
                    self.dir(&path, entry.oid, i, end, cached.and_then(|c| c.child(entry.name)))?;
                }
                i = end;
                continue;
            }
            // The stages of one path (a linear look: a binary search per file of a flat
            // `reports/` of 100,000 would cost more than the comparison).
            let end = i + index.entries[i..hi].iter().take_while(|e| index.path(e) == path.as_slice()).count();
            let same = end == i + 1 && {
                let e = &index.entries[i];
                e.stage == 0 && e.mode == canon(entry.mode) && e.oid == *entry.oid.as_bytes()
            };
            if !same {
                self.out.push((path.clone(), Some(entry.oid)));
            }
            i = end;
        }
        for n in i..hi {
            self.out.push((path_of(n).to_vec(), None));
        }
        Ok(())
    }

    /// Every file of HEAD's tree `oid` at `dir` (`a/b/`), none of which the index has.
    fn removed(&mut self, dir: &[u8], oid: Oid) -> Result<(), git2::Error> {
        let odb = self.odb;
        let object = odb.read(oid)?;
        for entry in tree_entries(object.data()) {
            let entry = entry.map_err(|()| malformed(oid))?;
            let path = [dir, entry.name].concat();
            if entry.mode == TREE_MODE {
                self.removed(&[path.as_slice(), b"/"].concat(), entry.oid)?;
            } else {
                self.out.push((path, Some(entry.oid)));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use git2::{Index, IndexEntry, IndexTime};
    use proptest::prelude::*;
    use std::collections::BTreeMap;

    fn entry(path: &str, oid: Oid, mode: u32, stage: u16) -> IndexEntry {
        IndexEntry {
            ctime: IndexTime::new(0, 0),
            mtime: IndexTime::new(0, 0),
            dev: 0,
            ino: 0,
            mode,
            uid: 0,
            gid: 0,
            file_size: 0,
            id: oid,
            flags: (stage << 12) | (path.len().min(0xfff) as u16),
            flags_extended: 0,
            path: path.as_bytes().to_vec(),
        }
    }

    /// libgit2's answer: the paths the index changes from `tree`, with HEAD's blob.
    fn libgit2_changes(git: &Repository, tree: Oid, index: &Index) -> Vec<(Vec<u8>, Option<Oid>)> {
        let tree = git.find_tree(tree).expect("tree");
        let mut opts = git2::DiffOptions::new();
        opts.include_typechange(true);
        let diff = git.diff_tree_to_index(Some(&tree), Some(index), Some(&mut opts)).expect("diff");
        let mut out: Vec<(Vec<u8>, Option<Oid>)> = diff
            .deltas()
            .map(|d| {
                let path = d.new_file().path().or(d.old_file().path()).expect("path");
                let head = (d.old_file().exists() && !d.old_file().id().is_zero()).then(|| d.old_file().id());
                (path.to_str().expect("utf-8").as_bytes().to_vec(), head)
            })
            .collect();
        out.sort();
        out.dedup_by(|a, b| a.0 == b.0);
        out
    }

    /// Paths over a small alphabet, so that files, directories, prefixes (`a`, `a.b`, `a/b`)
    /// and a name that is a file on one side and a directory on the other all occur.
    fn path() -> impl Strategy<Value = String> {
        proptest::collection::vec(prop_oneof![Just("a"), Just("b"), Just("a.b"), Just("a-b"), Just("c")], 1..4)
            .prop_map(|parts| parts.join("/"))
    }

    /// An edit of the index after the commit: (path, content or removal, executable, stage).
    fn edit() -> impl Strategy<Value = (String, Option<u8>, bool, u16)> {
        (path(), proptest::option::of(0u8..4), any::<bool>(), prop_oneof![4 => Just(0u16), 1 => 1u16..4])
    }

    /// Keeps only files none of whose ancestors is a file (as an index or a tree can hold them).
    fn consistent(files: BTreeMap<String, (u8, bool)>) -> BTreeMap<String, (u8, bool)> {
        let names: Vec<String> = files.keys().cloned().collect();
        files.into_iter().filter(|(p, _)| !names.iter().any(|other| p.starts_with(&format!("{other}/")))).collect()
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        #[test]
        fn the_raw_index_finds_the_changes_libgit2_finds(
            committed in proptest::collection::btree_map(path(), (0u8..4, any::<bool>()), 0..12),
            edits in proptest::collection::vec(edit(), 0..8),
            write_tree_first in any::<bool>(),
        ) {
            let dir = tempfile::tempdir().expect("tempdir");
            let git = Repository::init(dir.path()).expect("init");
            let blob = |n: u8| git.blob(&[b'x', n]).expect("blob");
            let mode = |exec: bool| if exec { 0o100_755 } else { 0o100_644 };
            let mut index = git.index().expect("index");
            for (p, (n, exec)) in consistent(committed) {
                index.add(&entry(&p, blob(n), mode(exec), 0)).expect("add");
            }
            let tree = index.write_tree().expect("tree");
            for (p, content, exec, stage) in edits {
                // Git never stages a file where a directory is, or below a file (a D/F clash).
                let clash = index.iter().any(|e| {
                    let other = String::from_utf8(e.path).expect("utf-8");
                    other.starts_with(&format!("{p}/")) || p.starts_with(&format!("{other}/"))
                });
                if content.is_some() && clash {
                    continue;
                }
                match content {
                    None => { let _ = index.remove_path(Path::new(&p)); }
                    // Staging a file resolves its conflict; a conflict stage replaces stage 0.
                    Some(n) if stage == 0 => {
                        let _ = index.remove_path(Path::new(&p));
                        index.add(&entry(&p, blob(n), mode(exec), 0)).expect("add");
                    }
                    Some(n) => {
                        let _ = index.remove(Path::new(&p), 0);
                        let _ = index.add(&entry(&p, blob(n), mode(exec), stage));
                    }
                }
            }
            if write_tree_first && !index.has_conflicts() {
                // A valid cache-tree that differs from HEAD's.
                let _ = index.write_tree();
            }
            index.write().expect("write");
            let raw = RawIndex::read(&dir.path().join(".git/index")).expect("read without libgit2");
            let index = git.index().expect("index");
            prop_assert_eq!(raw.entries().len(), index.len());
            prop_assert_eq!(raw.changes_from(&git, tree).expect("changes"), libgit2_changes(&git, tree, &index));
        }
    }

    /// An index file with one entry per `(path, flags, extended)`, in version `version`.
    fn index_file(version: u32, entries: &[(&str, u16, u16)], extension: &[u8]) -> Vec<u8> {
        let mut out = b"DIRC".to_vec();
        out.extend(version.to_be_bytes());
        out.extend((entries.len() as u32).to_be_bytes());
        let mut previous = "";
        for (path, flags, extended) in entries {
            let start = out.len();
            out.extend([0u8; 24]);
            out.extend(0o100_644u32.to_be_bytes());
            out.extend([0u8; 12]);
            out.extend([7u8; 20]);
            out.extend(flags.to_be_bytes());
            if flags & EXTENDED != 0 {
                out.extend(extended.to_be_bytes());
            }
            if version == 4 {
                let common = previous.bytes().zip(path.bytes()).take_while(|(a, b)| a == b).count();
                out.push((previous.len() - common) as u8);
                out.extend(&path.as_bytes()[common..]);
                out.push(0);
            } else {
                out.extend(path.as_bytes());
                out.resize(start + (out.len() - start + 8) / 8 * 8, 0);
            }
            previous = path;
        }
        out.extend(extension);
        out.extend([0u8; 20]);
        out
    }

    #[test]
    fn versions_2_3_and_4_are_read_alike() {
        let entries = [("reports/A.md", 12, 0), ("reports/AB.md", 13, 0), ("reports/B/x.txt", 15, 0)];
        for version in [2, 3, 4] {
            let raw = RawIndex::parse(&index_file(version, &entries, b"")).expect("read");
            let paths: Vec<&[u8]> = raw.entries().iter().map(|e| raw.path(e)).collect();
            assert_eq!(paths, [&b"reports/A.md"[..], b"reports/AB.md", b"reports/B/x.txt"], "version {version}");
            assert!(raw.get(b"reports/AB.md", 0).is_some() && raw.get(b"reports/AB", 0).is_none());
        }
    }

    #[test]
    fn what_it_does_not_handle_is_left_to_libgit2() {
        let plain = [("a", 1, 0)];
        assert!(RawIndex::parse(&index_file(2, &plain, b"")).is_some());
        // Versions it does not know, a required extension (split index), intent-to-add, a
        // reserved extended flag, an extended flag in version 2, a truncated file.
        assert!(RawIndex::parse(&index_file(5, &plain, b"")).is_none());
        assert!(RawIndex::parse(&index_file(2, &plain, b"link\0\0\0\0")).is_none());
        assert!(RawIndex::parse(&index_file(2, &plain, b"sdir\0\0\0\0")).is_none());
        assert!(RawIndex::parse(&index_file(3, &[("a", EXTENDED | 1, INTENT_TO_ADD)], b"")).is_none());
        assert!(RawIndex::parse(&index_file(3, &[("a", EXTENDED | 1, 0x0800)], b"")).is_none());
        assert!(RawIndex::parse(&index_file(2, &[("a", EXTENDED | 1, 0)], b"")).is_none());
        let whole = index_file(2, &plain, b"");
        assert!(RawIndex::parse(&whole[..whole.len() - 30]).is_none());
        // Skip-worktree is read (the entry is staged as any other); optional extensions are skipped.
        assert!(RawIndex::parse(&index_file(3, &[("a", EXTENDED | 1, SKIP_WORKTREE)], b"")).is_some());
        assert!(RawIndex::parse(&index_file(2, &plain, b"UNTR\0\0\0\x02ab")).is_some());
    }
}
