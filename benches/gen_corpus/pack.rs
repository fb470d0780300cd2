//! Writes a git pack (and its version-2 index) directly: the generator knows how each object
//! differs from its previous version, so it stores that delta instead of having libgit2 or
//! git search for one, and hashes objects with the CPU's SHA instructions (the `sha1` crate).
//! One writer per parallel part; a pack never refers to another pack's objects.

use std::collections::HashSet;
use std::fs::{self, File};
use std::io::{self, BufWriter, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use flate2::{Compression, Crc, write::ZlibEncoder};
use git2::Oid;
use sha1::{Digest, Sha1};

/// Object types as the pack format numbers them.
#[derive(Clone, Copy)]
pub enum Kind {
    Commit = 1,
    Tree = 2,
    Blob = 3,
}

const OFS_DELTA: u8 = 6;

/// Where an object went: its id, and its offset and chain depth in its pack, for later deltas.
#[derive(Clone, Copy)]
pub struct Placed {
    pub id: Oid,
    offset: u64,
    depth: usize,
}

pub struct Pack {
    dir: PathBuf,
    tmp: PathBuf,
    out: BufWriter<File>,
    offset: u64,
    /// Id, CRC-32 of the packed bytes, offset.
    entries: Vec<([u8; 20], u32, u64)>,
    seen: HashSet<[u8; 20]>,
    max_depth: usize,
}

/// The id git gives `data` as an object of `kind`.
pub fn object_id(kind: Kind, data: &[u8]) -> Oid {
    let name = match kind {
        Kind::Commit => "commit",
        Kind::Tree => "tree",
        Kind::Blob => "blob",
    };
    let mut h = Sha1::new();
    h.update(format!("{name} {}\0", data.len()).as_bytes());
    h.update(data);
    Oid::from_bytes(&h.finalize()).expect("20 bytes")
}

fn varint_header(kind: u8, mut size: usize) -> Vec<u8> {
    let mut out = vec![(kind << 4) | (size & 0x0f) as u8];
    size >>= 4;
    while size > 0 {
        *out.last_mut().expect("byte") |= 0x80;
        out.push((size & 0x7f) as u8);
        size >>= 7;
    }
    out
}

fn delta_size(out: &mut Vec<u8>, mut size: usize) {
    loop {
        let byte = (size & 0x7f) as u8;
        size >>= 7;
        if size == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

fn copy_op(out: &mut Vec<u8>, mut at: usize, mut len: usize) {
    while len > 0 {
        let n = len.min(0xff_ffff);
        let (mut op, mut args) = (0x80u8, Vec::with_capacity(7));
        for i in 0..4 {
            let b = (at >> (8 * i)) as u8;
            if b != 0 {
                op |= 1 << i;
                args.push(b);
            }
        }
        for i in 0..3 {
            let b = (n >> (8 * i)) as u8;
            if b != 0 {
                op |= 0x10 << i;
                args.push(b);
            }
        }
        out.push(op);
        out.extend_from_slice(&args);
        (at, len) = (at + n, len - n);
    }
}

/// A delta turning `old` into `new`: their common prefix and suffix copied, the middle inserted.
pub fn delta(old: &[u8], new: &[u8]) -> Vec<u8> {
    let prefix = old.iter().zip(new).take_while(|(a, b)| a == b).count();
    let most = old.len().min(new.len()) - prefix;
    let suffix = old.iter().rev().zip(new.iter().rev()).take(most).take_while(|(a, b)| a == b).count();
    let mut out = Vec::with_capacity(64 + new.len() - prefix - suffix);
    delta_size(&mut out, old.len());
    delta_size(&mut out, new.len());
    copy_op(&mut out, 0, prefix);
    for chunk in new[prefix..new.len() - suffix].chunks(0x7f) {
        out.push(chunk.len() as u8);
        out.extend_from_slice(chunk);
    }
    copy_op(&mut out, old.len() - suffix, suffix);
    out
}

impl Pack {
    /// A pack being written into `dir` (`.git/objects/pack`); deltas chain at most `max_depth` deep.
    pub fn create(dir: &Path, part: usize, max_depth: usize) -> io::Result<Pack> {
        let tmp = dir.join(format!("tmp_gen_corpus_{part}.pack"));
        let mut out = BufWriter::with_capacity(
            1 << 20,
            File::options().read(true).write(true).create(true).truncate(true).open(&tmp)?,
        );
        out.write_all(b"PACK\0\0\0\x02\0\0\0\0")?;
        let seen = HashSet::new();
        Ok(Pack { dir: dir.to_owned(), tmp, out, offset: 12, entries: Vec::new(), seen, max_depth })
    }

    fn entry(&mut self, id: Oid, head: &[u8], body: &[u8]) -> io::Result<u64> {
        let mut z = ZlibEncoder::new(Vec::with_capacity(body.len() / 2 + 64), Compression::fast());
        z.write_all(body)?;
        let z = z.finish()?;
        let mut crc = Crc::new();
        crc.update(head);
        crc.update(&z);
        let at = self.offset;
        self.out.write_all(head)?;
        self.out.write_all(&z)?;
        self.offset += (head.len() + z.len()) as u64;
        let mut key = [0; 20];
        key.copy_from_slice(id.as_bytes());
        self.entries.push((key, crc.sum(), at));
        Ok(at)
    }

    /// Stores `data` whole, or as a delta of `base` (its previous version in this pack) while
    /// the chain is short enough. An object already in the pack is not written again.
    pub fn put(&mut self, kind: Kind, data: &[u8], base: Option<(&Placed, &[u8])>) -> io::Result<Placed> {
        let id = object_id(kind, data);
        let mut key = [0; 20];
        key.copy_from_slice(id.as_bytes());
        if !self.seen.insert(key) {
            let offset = self.entries.iter().rev().find(|e| e.0 == key).map_or(0, |e| e.2);
            return Ok(Placed { id, offset, depth: self.max_depth });
        }
        match base.filter(|(b, _)| b.depth < self.max_depth) {
            Some((b, old)) => {
                let d = delta(old, data);
                let mut head = varint_header(OFS_DELTA, d.len());
                let mut n = self.offset - b.offset;
                let mut ofs = vec![(n & 0x7f) as u8];
                while n >> 7 > 0 {
                    n = (n >> 7) - 1;
                    ofs.push(0x80 | (n & 0x7f) as u8);
                }
                head.extend(ofs.iter().rev());
                let offset = self.entry(id, &head, &d)?;
                Ok(Placed { id, offset, depth: b.depth + 1 })
            }
            None => {
                let offset = self.entry(id, &varint_header(kind as u8, data.len()), data)?;
                Ok(Placed { id, offset, depth: 0 })
            }
        }
    }

    /// Writes the object count and the checksum, then the index; renames both into place.
    pub fn finish(mut self) -> io::Result<()> {
        self.out.flush()?;
        let mut file = self.out.into_inner().map_err(|e| e.into_error())?;
        file.seek(SeekFrom::Start(8))?;
        file.write_all(&(self.entries.len() as u32).to_be_bytes())?;
        file.seek(SeekFrom::Start(0))?;
        let (mut h, mut buf) = (Sha1::new(), vec![0; 1 << 20]);
        loop {
            let n = file.read(&mut buf)?;
            if n == 0 {
                break;
            }
            h.update(&buf[..n]);
        }
        let sum = h.finalize();
        file.write_all(&sum)?;
        file.sync_all()?;
        drop(file);
        let name = sum.iter().map(|b| format!("{b:02x}")).collect::<String>();
        let idx_tmp = self.dir.join(format!("tmp_gen_corpus_{name}.idx"));
        write_index(&idx_tmp, &mut self.entries, &sum)?;
        fs::rename(&self.tmp, self.dir.join(format!("pack-{name}.pack")))?;
        fs::rename(&idx_tmp, self.dir.join(format!("pack-{name}.idx")))
    }
}

/// A pack index, version 2: fan-out, sorted ids, CRCs, offsets (large ones in a second table).
fn write_index(path: &Path, entries: &mut [([u8; 20], u32, u64)], pack_sum: &[u8]) -> io::Result<()> {
    entries.sort_unstable_by_key(|e| e.0);
    let mut out = Vec::with_capacity(1072 + entries.len() * 28);
    out.extend_from_slice(b"\xfftOc\0\0\0\x02");
    let mut fan = [0u32; 256];
    for e in entries.iter() {
        fan[e.0[0] as usize] += 1;
    }
    let mut total = 0;
    for count in fan {
        total += count;
        out.extend_from_slice(&total.to_be_bytes());
    }
    entries.iter().for_each(|e| out.extend_from_slice(&e.0));
    entries.iter().for_each(|e| out.extend_from_slice(&e.1.to_be_bytes()));
    let mut large = Vec::new();
    for e in entries.iter() {
        let small = match u32::try_from(e.2) {
            Ok(o) if o < 0x8000_0000 => o,
            _ => {
                large.push(e.2);
                0x8000_0000 | (large.len() as u32 - 1)
            }
        };
        out.extend_from_slice(&small.to_be_bytes());
    }
    large.iter().for_each(|o| out.extend_from_slice(&o.to_be_bytes()));
    out.extend_from_slice(pack_sum);
    let sum = Sha1::digest(&out);
    out.extend_from_slice(&sum);
    fs::write(path, out)
}

#[cfg(test)]
mod tests {
    use super::delta;

    #[test]
    fn a_prefix_suffix_delta_rebuilds_the_new_version() {
        // Applies a delta as git does, for the shapes the generator makes.
        fn apply(old: &[u8], d: &[u8]) -> Vec<u8> {
            let mut i = 0;
            let mut size = || {
                let (mut v, mut shift) = (0usize, 0);
                loop {
                    let b = d[i];
                    i += 1;
                    v |= ((b & 0x7f) as usize) << shift;
                    shift += 7;
                    if b & 0x80 == 0 {
                        return v;
                    }
                }
            };
            let (_, _) = (size(), size());
            let mut out = Vec::new();
            while i < d.len() {
                let op = d[i];
                i += 1;
                if op & 0x80 == 0 {
                    out.extend_from_slice(&d[i..i + op as usize]);
                    i += op as usize;
                    continue;
                }
                let (mut at, mut len) = (0usize, 0usize);
                for k in 0..4 {
                    if op & (1 << k) != 0 {
                        at |= (d[i] as usize) << (8 * k);
                        i += 1;
                    }
                }
                for k in 0..3 {
                    if op & (0x10 << k) != 0 {
                        len |= (d[i] as usize) << (8 * k);
                        i += 1;
                    }
                }
                out.extend_from_slice(&old[at..at + if len == 0 { 0x10000 } else { len }]);
            }
            out
        }
        let long: Vec<u8> = (0..300_000u32).map(|i| (i % 251) as u8).collect();
        let mut edited = long.clone();
        edited.splice(70_000..70_020, (0..400).map(|i| i as u8));
        for (old, new) in
            [(&b"abc"[..], &b"abXc"[..]), (b"", b"new"), (b"same", b"same"), (&long, &edited), (&edited, &long)]
        {
            assert_eq!(apply(old, &delta(old, new)), new);
        }
    }
}
