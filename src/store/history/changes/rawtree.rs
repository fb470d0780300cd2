//! Tree objects compared as bytes, for the walk over every commit.
//!
//! In a long history, consecutive versions of a tree of thousands of reports differ in one
//! entry. Parsing both versions into entries costs time in the number of reports for every
//! commit; comparing their bytes finds the common prefix and suffix at memory speed, and only
//! the entries between them are parsed. Entry boundaries are never guessed from bytes (an
//! object id or a name could look like an entry): they come from the offsets of the previous
//! version, which was parsed from its start (or derived, exactly, from its own predecessor).

use std::cmp::Ordering;
use std::rc::Rc;

use git2::{ObjectType, Odb, OdbObject, Oid};

use crate::error::{Error, Result};

/// A tree object's bytes and the offset of each of its entries. The bytes stay in the buffer
/// libgit2 read them into (a shard of 20,000 reports is almost 1 MB: a copy per commit was a
/// pass over every version of it).
pub(super) struct RawTree<'o> {
    id: Oid,
    object: Option<OdbObject<'o>>,
    offsets: Vec<u32>,
}

/// One entry of a [`RawTree`].
#[derive(Clone, Copy)]
pub(super) struct Entry<'t> {
    pub name: &'t [u8],
    pub id: Oid,
    pub tree: bool,
    /// Where the next entry starts.
    end: usize,
}

fn corrupt(id: Oid) -> Error {
    Error::Git { message: format!("tree {id} is malformed"), help: Some("run `git fsck`".into()) }
}

/// The entry of `data` starting at `at` ("<mode> <name>\0<20-byte id>").
fn entry_at(data: &[u8], at: usize, tree_id: Oid) -> Result<Entry<'_>> {
    let rest = data.get(at..).ok_or_else(|| corrupt(tree_id))?;
    let space = rest.iter().position(|&b| b == b' ').ok_or_else(|| corrupt(tree_id))?;
    let nul = rest[space..].iter().position(|&b| b == 0).ok_or_else(|| corrupt(tree_id))? + space;
    let raw = rest.get(nul + 1..nul + 21).ok_or_else(|| corrupt(tree_id))?;
    let id = Oid::from_bytes(raw).map_err(|_| corrupt(tree_id))?;
    Ok(Entry { name: &rest[space + 1..nul], id, tree: &rest[..space] == b"40000", end: at + nul + 21 })
}

/// The tree object `id`.
fn read_tree<'o>(odb: &'o Odb<'_>, id: Oid) -> Result<OdbObject<'o>> {
    let object = odb.read(id)?;
    if object.kind() != ObjectType::Tree {
        return Err(corrupt(id));
    }
    Ok(object)
}

impl<'o> RawTree<'o> {
    /// Reads `id` and parses its entry offsets from the start.
    fn read(odb: &'o Odb<'_>, id: Oid) -> Result<RawTree<'o>> {
        let tree = RawTree { id, object: Some(read_tree(odb, id)?), offsets: Vec::new() };
        let (data, mut offsets, mut at) = (tree.data(), Vec::new(), 0);
        while at < data.len() {
            offsets.push(at as u32);
            at = entry_at(data, at, id)?.end;
        }
        Ok(RawTree { offsets, ..tree })
    }

    fn data(&self) -> &[u8] {
        self.object.as_ref().map_or(&[], OdbObject::data)
    }

    pub fn entries(&self) -> Result<Vec<Entry<'_>>> {
        self.offsets.iter().map(|&o| entry_at(self.data(), o as usize, self.id)).collect()
    }
}

/// The few trees read last: in a linear stretch of history a commit's old tree is the
/// previous commit's new one.
#[derive(Default)]
pub(super) struct RawCache<'o> {
    recent: Vec<Rc<RawTree<'o>>>,
}

impl<'o> RawCache<'o> {
    /// The empty tree (the side of a diff that has no tree).
    pub fn empty() -> Rc<RawTree<'o>> {
        Rc::new(RawTree { id: Oid::ZERO_SHA1, object: None, offsets: Vec::new() })
    }

    fn find(&self, id: Oid) -> Option<Rc<RawTree<'o>>> {
        self.recent.iter().find(|t| t.id == id).cloned()
    }

    fn keep(&mut self, tree: Rc<RawTree<'o>>) -> Rc<RawTree<'o>> {
        self.recent.push(tree.clone());
        if self.recent.len() > 4 {
            self.recent.remove(0);
        }
        tree
    }

    pub fn get(&mut self, odb: &'o Odb<'_>, id: Oid) -> Result<Rc<RawTree<'o>>> {
        match self.find(id) {
            Some(t) => Ok(t),
            None => Ok(self.keep(Rc::new(RawTree::read(odb, id)?))),
        }
    }

    /// The entries that differ between trees `old` and `new` (old entry, new entry; `None`
    /// for a side without the name), in git's order; `new` is kept with its offsets derived
    /// from `old`'s, so only the bytes between their common prefix and suffix are parsed.
    pub fn diff(&mut self, odb: &'o Odb<'_>, old: &RawTree<'o>, new_id: Oid) -> Result<(Rc<RawTree<'o>>, Vec<Pair>)> {
        if let Some(new) = self.find(new_id) {
            let pairs = merge(old, &new, 0, common_suffix(old.data(), new.data()))?;
            return Ok((new, pairs));
        }
        let object = read_tree(odb, new_id)?;
        let data = object.data();
        let prefix = common_prefix(old.data(), data);
        // The last entry of `old` that starts within the common prefix starts there in `new` too.
        let first = old.offsets.partition_point(|&o| o as usize <= prefix).saturating_sub(1);
        let start = old.offsets.get(first).map_or(0, |&o| o as usize);
        let suffix = common_suffix(old.data(), data);
        let new = RawTree { id: new_id, object: Some(object), offsets: old.offsets[..first].to_vec() };
        let pairs = merge(old, &new, start, suffix)?;
        Ok((self.keep(Rc::new(derive_offsets(old, new, start, first, suffix)?)), pairs))
    }
}

/// Bytes compared per step before the byte-wise search: a slice comparison of this length is
/// one vectorised `bcmp`, where a byte-wise loop was most of `verify`'s time on big shards.
const CHUNK: usize = 256;

/// The length of the longest common prefix of `a` and `b`.
fn common_prefix(a: &[u8], b: &[u8]) -> usize {
    let n = a.len().min(b.len());
    let mut at = 0;
    while at + CHUNK <= n && a[at..at + CHUNK] == b[at..at + CHUNK] {
        at += CHUNK;
    }
    at + a[at..n].iter().zip(&b[at..n]).take_while(|(x, y)| x == y).count()
}

/// The length of the longest common suffix of `a` and `b`.
fn common_suffix(a: &[u8], b: &[u8]) -> usize {
    let n = a.len().min(b.len());
    let (ea, eb) = (a.len(), b.len());
    let mut at = 0;
    while at + CHUNK <= n && a[ea - at - CHUNK..ea - at] == b[eb - at - CHUNK..eb - at] {
        at += CHUNK;
    }
    at + a[..ea - at].iter().rev().zip(b[..eb - at].iter().rev()).take_while(|(x, y)| x == y).count()
}

/// (old entry, new entry) of a name that differs; owned ids and names.
pub(super) type Pair = (Option<Owned>, Option<Owned>);

/// An entry, copied out of its tree.
#[derive(Debug, Clone)]
pub(super) struct Owned {
    pub name: Vec<u8>,
    pub id: Oid,
    pub tree: bool,
}

impl From<Entry<'_>> for Owned {
    fn from(e: Entry<'_>) -> Owned {
        Owned { name: e.name.to_vec(), id: e.id, tree: e.tree }
    }
}

/// `new`'s offsets: `old`'s up to entry `first` (bytes identical up to `start`), those parsed
/// from `start` until the rest of both trees is the same bytes, then `old`'s shifted.
fn derive_offsets<'o>(
    old: &RawTree<'o>,
    mut new: RawTree<'o>,
    start: usize,
    first: usize,
    suffix: usize,
) -> Result<RawTree<'o>> {
    let (mut i, mut ia, mut j) = (start, first, start);
    let (old_data, new_len) = (old.data(), new.data().len());
    loop {
        let (rest_old, rest_new) = (old_data.len() - i, new_len - j);
        if rest_old == rest_new && rest_old <= suffix {
            let shift = j as i64 - i as i64;
            new.offsets.extend(old.offsets[ia..].iter().map(|&o| (o as i64 + shift) as u32));
            return Ok(new);
        }
        // Advance the side that is behind (or both), as the merge does.
        let (a, b) = (
            (i < old_data.len()).then(|| entry_at(old_data, i, old.id)).transpose()?,
            (j < new_len).then(|| entry_at(new.data(), j, new.id)).transpose()?,
        );
        let order = match (&a, &b) {
            (Some(x), Some(y)) => git_order(x, y),
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (None, None) => return Ok(new),
        };
        if order != Ordering::Greater {
            i = a.map_or(i, |e| e.end);
            ia += 1;
        }
        if order != Ordering::Less {
            let end = b.map_or(j, |e| e.end);
            new.offsets.push(j as u32);
            j = end;
        }
    }
}

/// The differing entries of `old` and `new` from byte `start`, an entry boundary of both;
/// stops when the rest of both is the same bytes (within their common `suffix`).
fn merge(old: &RawTree<'_>, new: &RawTree<'_>, start: usize, suffix: usize) -> Result<Vec<Pair>> {
    let (mut i, mut j, mut out) = (start, start, Vec::new());
    let (old_data, new_data) = (old.data(), new.data());
    loop {
        let (rest_old, rest_new) = (old_data.len() - i, new_data.len() - j);
        if rest_old == rest_new && rest_old <= suffix {
            return Ok(out);
        }
        let a = (i < old_data.len()).then(|| entry_at(old_data, i, old.id)).transpose()?;
        let b = (j < new_data.len()).then(|| entry_at(new_data, j, new.id)).transpose()?;
        match (a, b) {
            (Some(x), Some(y)) => match git_order(&x, &y) {
                Ordering::Equal => {
                    if (x.id, x.tree) != (y.id, y.tree) {
                        out.push((Some(x.into()), Some(y.into())));
                    }
                    (i, j) = (x.end, y.end);
                }
                Ordering::Less => {
                    out.push((Some(x.into()), None));
                    i = x.end;
                }
                Ordering::Greater => {
                    out.push((None, Some(y.into())));
                    j = y.end;
                }
            },
            (Some(x), None) => {
                out.push((Some(x.into()), None));
                i = x.end;
            }
            (None, Some(y)) => {
                out.push((None, Some(y.into())));
                j = y.end;
            }
            (None, None) => return Ok(out),
        }
    }
}

/// Git's order of tree entries: by name, a folder's name followed by `/`. A file and a folder
/// of the same name compare equal here, so a change of kind pairs them.
pub(super) fn git_order(a: &Entry<'_>, b: &Entry<'_>) -> Ordering {
    let common = a.name.len().min(b.name.len());
    match a.name[..common].cmp(&b.name[..common]) {
        Ordering::Equal => {}
        other => return other,
    }
    let next = |e: &Entry<'_>| e.name.get(common).copied().or(e.tree.then_some(b'/'));
    match (next(a), next(b)) {
        _ if a.name.len() == b.name.len() => Ordering::Equal,
        (x, y) => x.cmp(&y),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree(git: &git2::Repository, names: &[(String, String)]) -> Oid {
        let mut b = git.treebuilder(None).expect("builder");
        for (name, content) in names {
            b.insert(name, git.blob(content.as_bytes()).expect("blob"), 0o100644).expect("insert");
        }
        b.write().expect("write")
    }

    /// The chunked comparisons agree with a byte-wise one, a difference at every place around
    /// the chunk boundaries and slices of unequal length included.
    #[test]
    fn common_prefix_and_suffix_match_a_bytewise_count() {
        let slow_prefix = |a: &[u8], b: &[u8]| a.iter().zip(b).take_while(|(x, y)| x == y).count();
        let slow_suffix = |a: &[u8], b: &[u8]| a.iter().rev().zip(b.iter().rev()).take_while(|(x, y)| x == y).count();
        let base: Vec<u8> = (0..3 * CHUNK + 7).map(|i| (i % 253) as u8).collect();
        for at in (0..base.len()).step_by(5).chain([CHUNK - 1, CHUNK, CHUNK + 1, 2 * CHUNK]) {
            let mut other = base.clone();
            other[at] ^= 0xff;
            let shorter = &base[..base.len() - 3];
            for (a, b) in
                [(&base[..], &other[..]), (&other[..], shorter), (&base[..], shorter), (&base[3..], &base[..])]
            {
                assert_eq!(common_prefix(a, b), slow_prefix(a, b), "prefix, at {at}");
                assert_eq!(common_suffix(a, b), slow_suffix(a, b), "suffix, at {at}");
            }
        }
    }

    /// Every kind of change, alone and together, gives what a full parse of both trees gives,
    /// and the derived offsets are those a parse from the start finds.
    #[test]
    fn byte_diff_matches_a_full_comparison() {
        let dir = tempfile::tempdir().expect("tempdir");
        let git = git2::Repository::init(dir.path()).expect("init");
        let odb = git.odb().expect("odb");
        let base: Vec<(String, String)> = (0..300).map(|i| (format!("R-{i}.md"), format!("v{i}"))).collect();
        type Edit = Box<dyn Fn(&mut Vec<(String, String)>)>;
        let edits: Vec<Edit> = vec![
            Box::new(|t| t[150].1 = "changed".into()),
            Box::new(|t| t.insert(0, ("A.md".into(), "new".into()))),
            Box::new(|t| t.push(("Z.md".into(), "new".into()))),
            Box::new(|t| drop(t.remove(299))),
            Box::new(|t| drop(t.remove(0))),
            Box::new(|t| {
                t[10].1 = "x".into();
                t.remove(200);
                t.push(("R-99.mdx".into(), "y".into()));
            }),
            Box::new(|t| t.clear()),
        ];
        for (k, edit) in edits.iter().enumerate() {
            let mut next = base.clone();
            edit(&mut next);
            let (old_id, new_id) = (tree(&git, &base), tree(&git, &next));
            let mut cache = RawCache::default();
            let old = cache.get(&odb, old_id).expect("old");
            let (new, found) = cache.diff(&odb, &old, new_id).expect("diff");
            let parsed = RawTree::read(&odb, new_id).expect("parse");
            assert_eq!(new.offsets, parsed.offsets, "edit {k}: offsets");
            // The same as libgit2's parse of both trees, compared entry by entry.
            let (a, b) = (git.find_tree(old_id).expect("old"), git.find_tree(new_id).expect("new"));
            let expected = crate::store::history::diff(Some(&a), Some(&b));
            let found_triples: Vec<(String, Option<Oid>, Option<Oid>)> = found
                .iter()
                .map(|(x, y)| {
                    let name = x.as_ref().or(y.as_ref()).map(|e| String::from_utf8_lossy(&e.name).into_owned());
                    (name.unwrap_or_default(), x.as_ref().map(|e| e.id), y.as_ref().map(|e| e.id))
                })
                .collect();
            assert_eq!(found_triples, expected, "edit {k}");
            assert!(!found.is_empty(), "edit {k} changes something");
        }
    }
}
