//! `verify-site`: a consumer's check of a rendered site, with nothing but its files (and,
//! optionally, a key the consumer already trusts).
//!
//! Every distributed file ([`distribution::is_signed`]) must come with a `.sha256`, a
//! `.sha512` and a detached `.asc` that match it and verify with the key the site publishes
//! in `provider-metadata.json` (`public_openpgp_keys`, a file under `csaf/openpgp/` whose
//! fingerprint is the one listed); `security.txt` must carry a valid cleartext signature;
//! `index.txt`, `changes.csv`, the ROLIE feed and the site manifest must agree with the files
//! present. Each problem names the file. [`compare`] then checks that a fresh render of the
//! repository reproduces the site byte for byte (signatures aside: they are checked instead).

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::Path;

use rayon::prelude::*;
use serde_json::Value;

use super::csaf::provider::DIR;
use super::distribution::{self, SECURITY_TXT, hash_line};
use super::signing::PublicKey;
use crate::error::{Error, Result};
use crate::layout::SITE_MANIFEST;

/// One thing wrong with one file.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Problem {
    /// Path inside the site.
    pub file: String,
    pub why: String,
}

/// What was checked, and what is wrong.
#[derive(Debug, Default)]
pub struct Verified {
    /// The key the signatures were checked with.
    pub key: Option<PublicKey>,
    /// Files whose hashes and signature were checked.
    pub signed: usize,
    pub problems: Vec<Problem>,
}

/// The files of a site directory: relative path → content.
pub type SiteFiles = BTreeMap<String, Vec<u8>>;

/// Largest file read from a site.
const MAX_FILE: u64 = 64 << 20;

/// Every regular file under `dir` (links are not followed), by relative path. Without
/// `everything`, only what [`verify`] reads is read (the pages are listed, empty).
pub fn read_site(dir: &Path, everything: bool) -> Result<SiteFiles> {
    let needed = |rel: &str| {
        everything
            || distribution::is_signed(rel)
            || rel.starts_with(&format!("{DIR}/"))
            || rel == SECURITY_TXT
            || distribution::COMPANIONS.iter().any(|ext| rel.ends_with(&format!(".{ext}")))
    };
    let mut files = SiteFiles::new();
    let mut dirs = vec![(dir.to_owned(), String::new())];
    while let Some((d, prefix)) = dirs.pop() {
        let entries = fs::read_dir(&d).map_err(Error::io(format!("cannot read {}", d.display())))?;
        for entry in entries.flatten() {
            let (Ok(kind), Some(name)) = (entry.file_type(), entry.file_name().to_str().map(str::to_owned)) else {
                continue;
            };
            let rel = format!("{prefix}{name}");
            if kind.is_dir() {
                dirs.push((entry.path(), format!("{rel}/")));
            } else if kind.is_file() && !needed(&rel) {
                files.insert(rel, Vec::new());
            } else if kind.is_file() {
                let bytes = crate::layout::read_regular(&entry.path(), MAX_FILE)
                    .map_err(Error::io(format!("cannot read {}", entry.path().display())))?;
                files.insert(rel, bytes);
            }
        }
    }
    Ok(files)
}

/// Checks the site's files. `pinned` is a key the consumer trusts: the site must publish
/// that key. Without it the published key is used (which proves integrity, not origin).
pub fn verify(files: &SiteFiles, pinned: Option<&PublicKey>) -> Verified {
    let mut v = Verified::default();
    let mut problem = |file: &str, why: String| v.problems.push(Problem { file: file.to_owned(), why });
    let meta_path = format!("{DIR}/provider-metadata.json");
    let meta = files.get(&meta_path).and_then(|b| serde_json::from_slice::<Value>(b).ok());
    if files.contains_key(&meta_path) && meta.is_none() {
        problem(&meta_path, "not JSON".into());
    }
    let base = meta.as_ref().and_then(|m| m["canonical_url"].as_str()).and_then(|u| u.strip_suffix(&meta_path));
    let key = match published_key(files, meta.as_ref(), base, pinned) {
        Ok(k) => Some(k),
        Err((file, why)) => {
            problem(&file, why);
            // The signatures are still checked (a damaged provider-metadata.json among them),
            // with the trusted key or the one key the site holds.
            pinned.cloned().or_else(|| lone_key(files))
        }
    };
    if let (Some(m), Some(base)) = (&meta, base) {
        for (file, why) in listings(files, m, base, key.is_some()) {
            problem(&file, why);
        }
    }
    if let Some(key) = &key {
        let (signed, problems) = signatures(files, key);
        v.signed = signed;
        v.problems.extend(problems);
        v.key = Some(key.clone());
    }
    v.problems.extend(manifest(files));
    v.problems.sort();
    v.problems.dedup();
    v
}

type Bad = (String, String);

/// The key the site publishes (checked against `pinned`), or why there is none to use.
fn published_key(
    files: &SiteFiles,
    meta: Option<&Value>,
    base: Option<&str>,
    pinned: Option<&PublicKey>,
) -> std::result::Result<PublicKey, Bad> {
    let meta_path = format!("{DIR}/provider-metadata.json");
    let bad = |why: String| (meta_path.clone(), why);
    let Some(meta) = meta else {
        return Err(bad("missing: the site names no signing key (render it with a signing key)".into()));
    };
    let Some(entry) = meta["public_openpgp_keys"].as_array().and_then(|k| k.first()) else {
        return Err(bad("lists no public_openpgp_keys: the site is not signed".into()));
    };
    let url = entry["url"].as_str().unwrap_or_default();
    let path =
        base.and_then(|b| url.strip_prefix(b)).ok_or_else(|| bad(format!("the key {url} is not on this site")))?;
    let text = files.get(path).ok_or_else(|| (path.to_owned(), "missing: provider-metadata.json lists it".into()))?;
    let key = PublicKey::from_armored(&String::from_utf8_lossy(text)).map_err(|why| (path.to_owned(), why))?;
    let listed = entry["fingerprint"].as_str().unwrap_or_default();
    if !listed.eq_ignore_ascii_case(&key.fingerprint()) {
        return Err(bad(format!("lists fingerprint {listed}, but {path} is key {}", key.fingerprint())));
    }
    match pinned {
        Some(p) if p.fingerprint() != key.fingerprint() => {
            Err(bad(format!("publishes key {}, not the trusted key {}", key.fingerprint(), p.fingerprint())))
        }
        _ => Ok(key),
    }
}

/// The site's only public key under `csaf/openpgp/`, if it has exactly one.
fn lone_key(files: &SiteFiles) -> Option<PublicKey> {
    let prefix = format!("{DIR}/openpgp/");
    let mut keys = files.iter().filter(|(p, _)| p.starts_with(&prefix) && p.ends_with(".asc"));
    match (keys.next(), keys.next()) {
        (Some((_, k)), None) => PublicKey::from_armored(&String::from_utf8_lossy(k)).ok(),
        _ => None,
    }
}

/// Hashes and signatures of every distributed file, and signature files of files not there.
fn signatures(files: &SiteFiles, key: &PublicKey) -> (usize, Vec<Problem>) {
    let signed: Vec<(&String, &Vec<u8>)> = files.iter().filter(|(p, _)| distribution::is_signed(p)).collect();
    let mut problems: Vec<Problem> =
        signed.par_iter().flat_map_iter(|(path, data)| check_file(files, key, path, data)).collect();
    for path in files.keys() {
        let stem = distribution::COMPANIONS.iter().find_map(|ext| path.strip_suffix(&format!(".{ext}")));
        if let Some(stem) = stem.filter(|s| !files.contains_key(*s) && !s.starts_with(&format!("{DIR}/openpgp/"))) {
            problems.push(Problem { file: path.clone(), why: format!("belongs to {stem}, which is not there") });
        }
    }
    if let Some(text) = files.get(SECURITY_TXT)
        && let Err(why) = key.verify_cleartext(&String::from_utf8_lossy(text))
    {
        problems.push(Problem { file: SECURITY_TXT.to_owned(), why: format!("cleartext signature: {why}") });
    }
    (signed.len(), problems)
}

fn check_file(files: &SiteFiles, key: &PublicKey, path: &str, data: &[u8]) -> Vec<Problem> {
    let mut out = Vec::new();
    let mut bad = |why: String| out.push(Problem { file: path.to_owned(), why });
    for ext in ["sha256", "sha512"] {
        match files.get(&format!("{path}.{ext}")) {
            None => bad(format!("has no .{ext}")),
            Some(h) if !same_hash(h, &hash_line(ext, data, path)) => bad(format!("does not match its .{ext}")),
            Some(_) => {}
        }
    }
    match files.get(&format!("{path}.asc")) {
        None => bad("has no signature (.asc)".into()),
        Some(asc) => {
            if let Err(why) = key.verify_detached(data, &String::from_utf8_lossy(asc)) {
                bad(format!("bad signature: {why}"));
            }
        }
    }
    out
}

/// A hash file matches when its first word is the digest (the file name is optional).
fn same_hash(file: &[u8], expected: &str) -> bool {
    let word = |t: &str| t.split_whitespace().next().map(str::to_ascii_lowercase);
    word(&String::from_utf8_lossy(file)).is_some_and(|w| Some(w) == word(expected))
}

/// `index.txt`, `changes.csv`, the documents and the ROLIE feeds agree; the role says signed.
fn listings(files: &SiteFiles, meta: &Value, base: &str, signed: bool) -> Vec<Bad> {
    let mut bad = Vec::new();
    let docs: BTreeSet<String> = files
        .keys()
        .filter_map(|p| p.strip_prefix(&format!("{DIR}/")))
        .filter(|p| is_document(p))
        .map(str::to_owned)
        .collect();
    let index_path = format!("{DIR}/index.txt");
    let index: BTreeSet<String> = text(files, &index_path).lines().map(str::to_owned).collect();
    diff_sets(&mut bad, &index_path, &index, &docs, "lists", "does not list");
    let changes_path = format!("{DIR}/changes.csv");
    let changes: BTreeMap<String, String> = text(files, &changes_path).lines().filter_map(csv_row).collect();
    let listed: BTreeSet<String> = changes.keys().cloned().collect();
    diff_sets(&mut bad, &changes_path, &listed, &docs, "lists", "does not list");
    for (doc, date) in &changes {
        let current = document(files, doc).map(|d| d["document"]["tracking"]["current_release_date"].clone());
        if current.as_ref().is_some_and(|c| c.as_str() != Some(date.as_str())) {
            bad.push((
                changes_path.clone(),
                format!("dates {doc} {date}, the document says {}", current.unwrap_or_default()),
            ));
        }
    }
    let role = meta["role"].as_str().unwrap_or_default();
    if signed != (role == "csaf_trusted_provider") {
        bad.push((
            format!("{DIR}/provider-metadata.json"),
            format!("role {role} does not match the signatures present"),
        ));
    }
    for feed in meta["distributions"].as_array().into_iter().flatten().filter_map(|d| d["rolie"]["feeds"].as_array()) {
        for url in feed.iter().filter_map(|f| f["url"].as_str()) {
            bad.extend(rolie(files, base, url, &docs));
        }
    }
    bad
}

/// A ROLIE feed lists exactly the documents present, and links what is there.
fn rolie(files: &SiteFiles, base: &str, url: &str, docs: &BTreeSet<String>) -> Vec<Bad> {
    let meta_path = format!("{DIR}/provider-metadata.json");
    let Some(path) = url.strip_prefix(base) else {
        return vec![(meta_path, format!("the feed {url} is not on this site"))];
    };
    let Some(feed) = files.get(path).and_then(|b| serde_json::from_slice::<Value>(b).ok()) else {
        return vec![(path.to_owned(), "missing or not JSON: provider-metadata.json lists it".into())];
    };
    let mut bad = Vec::new();
    let mut listed = BTreeSet::new();
    for entry in feed["feed"]["entry"].as_array().into_iter().flatten() {
        for href in entry["link"].as_array().into_iter().flatten().filter_map(|l| l["href"].as_str()) {
            match href.strip_prefix(base) {
                Some(rel) if files.contains_key(rel) => {}
                _ => bad.push((path.to_owned(), format!("links {href}, which is not on this site"))),
            }
        }
        let src = entry["content"]["src"].as_str().and_then(|s| s.strip_prefix(base));
        if let Some(doc) = src.and_then(|s| s.strip_prefix(&format!("{DIR}/"))) {
            listed.insert(doc.to_owned());
        }
    }
    diff_sets(&mut bad, path, &listed, docs, "has an entry for", "has no entry for");
    bad
}

fn diff_sets(
    bad: &mut Vec<Bad>,
    file: &str,
    listed: &BTreeSet<String>,
    present: &BTreeSet<String>,
    lists: &str,
    not: &str,
) {
    for gone in listed.difference(present) {
        bad.push((file.to_owned(), format!("{lists} {gone}, which is not there")));
    }
    for extra in present.difference(listed) {
        bad.push((file.to_owned(), format!("{not} {extra}, which is there")));
    }
}

/// `<YYYY>/<name>.json` inside the provider directory.
fn is_document(rel: &str) -> bool {
    let mut parts = rel.split('/');
    let year = parts.next().is_some_and(|y| y.len() == 4 && y.bytes().all(|b| b.is_ascii_digit()));
    let name = parts.next().is_some_and(|n| n.ends_with(".json"));
    year && name && parts.next().is_none()
}

fn text(files: &SiteFiles, path: &str) -> String {
    files.get(path).map(|b| String::from_utf8_lossy(b).into_owned()).unwrap_or_default()
}

fn document(files: &SiteFiles, doc: &str) -> Option<Value> {
    files.get(&format!("{DIR}/{doc}")).and_then(|b| serde_json::from_slice(b).ok())
}

/// `"<path>","<date>"`.
fn csv_row(line: &str) -> Option<(String, String)> {
    let (path, date) = line.split_once("\",\"")?;
    Some((path.strip_prefix('"')?.to_owned(), date.strip_suffix('"')?.to_owned()))
}

/// Every file the site manifest lists is there.
fn manifest(files: &SiteFiles) -> Vec<Problem> {
    let listed = text(files, SITE_MANIFEST);
    listed
        .lines()
        .filter(|l| !l.is_empty() && !files.contains_key(*l))
        .map(|l| Problem { file: l.to_owned(), why: format!("missing: the site manifest ({SITE_MANIFEST}) lists it") })
        .collect()
}

/// Compares the site with a fresh render of its repository (`rendered`, made with the
/// site's public key and no secret key): every file the render produced must be in the site
/// with the same bytes, and every file the site's manifest lists must have been produced.
/// Signatures cannot be reproduced without the secret key: they are verified instead, and
/// `security.txt` is compared by the text it signs.
pub fn compare(site: &SiteFiles, rendered: &SiteFiles, key: Option<&PublicKey>) -> Vec<Problem> {
    let mut out = Vec::new();
    let own = |p: &str| p == SITE_MANIFEST || p.starts_with(&format!("{SITE_MANIFEST}."));
    for (path, bytes) in rendered.iter().filter(|(p, _)| !own(p)) {
        let same = match site.get(path) {
            None => false,
            Some(s) if path == SECURITY_TXT && s != bytes => {
                let signed = key.and_then(|k| k.verify_cleartext(&String::from_utf8_lossy(s)).ok());
                distribution::same_text(signed.as_deref(), &String::from_utf8_lossy(bytes))
            }
            Some(s) => s == bytes,
        };
        if !same {
            let why = if site.contains_key(path) { "differs from" } else { "is missing, but is in" };
            out.push(Problem { file: path.clone(), why: format!("{why} a fresh render of the repository") });
        }
    }
    for listed in text(site, SITE_MANIFEST).lines().filter(|l| !l.is_empty() && !own(l)) {
        if !rendered.contains_key(listed) && !listed.ends_with(".asc") {
            out.push(Problem {
                file: listed.to_owned(),
                why: "is not produced by a fresh render of the repository".into(),
            });
        }
    }
    out.sort();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documents_are_year_folders_of_json_files() {
        assert!(is_document("2026/enigm-2026-0001.json"));
        for p in ["index.txt", "2026/a.json.asc", "openpgp/X.asc", "feed-tlp-white.json", "x/2026/a.json"] {
            assert!(!is_document(p), "{p}");
        }
    }

    #[test]
    fn changes_rows_and_hash_files_are_read_as_written() {
        assert_eq!(
            csv_row("\"2026/a.json\",\"2026-01-01T00:00:00.000Z\""),
            Some(("2026/a.json".into(), "2026-01-01T00:00:00.000Z".into()))
        );
        assert!(same_hash(b"ABCD  a.json\n", "abcd  a.json\n") && same_hash(b"abcd\n", "abcd  a.json\n"));
        assert!(!same_hash(b"abce  a.json\n", "abcd  a.json\n") && !same_hash(b"", "abcd  a.json\n"));
    }

    #[test]
    fn a_site_without_provider_metadata_is_not_a_signed_site() {
        let v = verify(&SiteFiles::new(), None);
        assert_eq!(v.problems.len(), 1, "{:?}", v.problems);
        assert!(v.problems[0].why.contains("names no signing key"));
    }
}
