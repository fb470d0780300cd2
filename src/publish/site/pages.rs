//! What the previous render made of each advisory, so that a re-render after one report changed
//! renders only that advisory's pages again.
//!
//! An advisory's files (its HTML and Markdown pages, its OSV record, its CSAF document) are a
//! function of its public view (which holds its revisions and dates), its CSAF tracking, the
//! configuration, the templates and the tool. The cache records, per advisory, a hash of all of
//! those (the key) and the SHA-256 of each file it produced. When the key is the same and every
//! file in the site still has the recorded bytes (read and hashed: a file edited or removed by
//! hand is rendered again), those bytes are the render: they go through signing, comparison and
//! the manifest exactly as freshly rendered ones. Anything else (another template, another
//! `enigm.yaml`, another tool version, a cache that does not parse) renders everything.
//!
//! Each file's stat tuple is recorded too, once it has settled ([`Stat::settled`], git's rule
//! against racy timestamps): an unsigned render keeps a file whose key and stat are unchanged
//! without reading it at all ([`PageCache::kept`]); any other stat (an edit by hand, a `touch`,
//! a file replaced) sends it back to being read and hashed.
//!
//! The files made of all advisories together (indexes, feeds, listings, the public face) are
//! one more entry ([`SHARED`]), keyed by every advisory's key and the policy's source
//! ([`shared_key`]): when none of those changed and each file still has its recorded stat, an
//! unsigned render neither makes nor reads them. The cache is sorted, so an unchanged cache
//! is the same bytes, and is not written again. The bytes live where the caller keeps them
//! (the git directory); this module never opens the repository.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use rayon::prelude::*;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::format::config::Config;
use crate::publish::csaf::tracking::Tracking;
use crate::publish::public::Advisory;
use crate::store::statcache::Stat;

/// The file's name in the git directory's `enigm/` folder.
pub const FILE: &str = "render-pages.json";

/// Bumped whenever what is cached, or what goes into a key, changes.
const FORMAT: u32 = 2;

fn hex(digest: &[u8]) -> String {
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// The SHA-256 of a file's bytes, in hex.
pub fn file_hash(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// The pages of every advisory, as the last render made them.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PageCache {
    format: u32,
    /// What every key depends on: tool, configuration, templates, site.
    site: String,
    /// Advisory id → its key and its files (path, SHA-256); sorted, so that the same cache is
    /// the same bytes.
    advisories: BTreeMap<String, Entry>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Entry {
    key: String,
    files: Vec<(String, String)>,
    /// The stat of each file (same order) once it settled; empty until [`PageCache::settle`].
    stats: Vec<Option<Stat>>,
}

/// The part of every key that is the same for the whole site: the tool (its version and the
/// build the caller names), the configuration, the templates, and whether the site has a
/// policy page and a CSAF directory.
pub fn site_key(tool: &str, config: &Config, templates: &str, has_policy: bool, csaf: bool) -> String {
    let config = serde_json::to_string(config).unwrap_or_default();
    let parts = [env!("CARGO_PKG_VERSION"), tool, &config, templates, &has_policy.to_string(), &csaf.to_string()];
    let mut hash = Sha256::new();
    for p in parts {
        hash.update(p.as_bytes());
        hash.update([0]);
    }
    hex(&hash.finalize())
}

/// The key of one advisory's files: its public view and its CSAF tracking.
pub fn advisory_key(a: &Advisory, tracking: Option<&Tracking>) -> String {
    let mut hash = Sha256::new();
    hash.update(serde_json::to_vec(a).unwrap_or_default());
    if let Some(t) = tracking {
        for r in &t.revisions {
            hash.update([0]);
            hash.update(r.date.as_bytes());
            hash.update([0]);
            hash.update(r.summary.as_bytes());
        }
        hash.update([1, u8::from(t.interim)]);
    }
    hex(&hash.finalize())
}

/// The cache's name for the files made of all advisories together (the indexes, the feeds,
/// the listings, the public face): no advisory id is empty.
pub const SHARED: &str = "";

/// The key of the shared files: every advisory's key ([`advisory_key`], in the site's order),
/// the policy page's source and, on a signed site, the key's fingerprint (the rest is the
/// site key's).
pub fn shared_key(advisory_keys: &[String], policy: Option<&str>, csaf: Option<Option<&str>>) -> String {
    let mut hash = Sha256::new();
    for k in advisory_keys {
        hash.update(k.as_bytes());
        hash.update([0]);
    }
    for part in [policy, csaf.map(|t| t.unwrap_or("-"))] {
        hash.update([u8::from(part.is_some())]);
        hash.update(part.unwrap_or_default().as_bytes());
        hash.update([0]);
    }
    hex(&hash.finalize())
}

impl PageCache {
    /// An empty cache for the site `site` ([`site_key`]).
    pub fn new(site: String) -> PageCache {
        PageCache { format: FORMAT, site, advisories: BTreeMap::new() }
    }

    /// The cache in `bytes` when it was made for the same site key; else an empty one.
    pub fn read(bytes: Option<&[u8]>, site: String) -> PageCache {
        let cache: Option<PageCache> = bytes.and_then(|b| serde_json::from_slice(b).ok());
        cache.filter(|c| c.format == FORMAT && c.site == site).unwrap_or_else(|| PageCache::new(site))
    }

    /// The files recorded for advisory `id` under `key`, with their hashes.
    pub fn files(&self, id: &str, key: &str) -> Option<&[(String, String)]> {
        self.advisories.get(id).filter(|e| e.key == key).map(|e| e.files.as_slice())
    }

    /// The files of advisory `id` when its key is `key` and each file in the site `out` has the
    /// stat recorded for it: the site holds the recorded bytes, unread.
    pub fn kept(&self, id: &str, key: &str, out: &Path) -> Option<Vec<String>> {
        let e = self.advisories.get(id).filter(|e| e.key == key && e.stats.len() == e.files.len())?;
        let same =
            e.files.iter().zip(&e.stats).all(|((path, _), stat)| stat.is_some() && Stat::of(&out.join(path)) == *stat);
        same.then(|| e.files.iter().map(|(p, _)| p.clone()).collect())
    }

    /// Records what advisory `id` rendered to under `key` (their stats: [`PageCache::settle`]).
    pub fn record(&mut self, id: &str, key: String, files: Vec<(String, String)>) {
        self.advisories.insert(id.to_owned(), Entry { key, files, stats: Vec::new() });
    }

    /// Records the stat of every file in the site `out` that has none yet, when it settled and
    /// is still `seen`'s (the stat taken right after the file was written or compared: a file
    /// changed since, by hand, is not recorded).
    pub fn settle(&mut self, out: &Path, seen: &HashMap<String, Stat>) {
        self.advisories.par_iter_mut().filter(|(_, e)| e.stats.len() != e.files.len()).for_each(|(_, e)| {
            let stat = |p: &str| Stat::settled(&out.join(p)).filter(|s| seen.get(p) == Some(s));
            e.stats = e.files.iter().map(|(p, _)| stat(p)).collect();
        });
    }

    /// Keeps only the advisories `keep` accepts (those still in the site).
    pub fn retain(&mut self, keep: impl Fn(&str) -> bool) {
        self.advisories.retain(|id, _| keep(id));
    }

    pub fn to_bytes(&self) -> Vec<u8> {
        serde_json::to_vec(self).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cache_for_another_site_or_garbage_is_empty() {
        let mut cache = PageCache::new("s1".into());
        cache.record("A-1", "k".into(), vec![("advisories/A-1.html".into(), file_hash(b"x"))]);
        let bytes = cache.to_bytes();
        assert_eq!(PageCache::read(Some(&bytes), "s1".into()), cache);
        assert_eq!(PageCache::read(Some(&bytes), "s1".into()).files("A-1", "k").map(<[_]>::len), Some(1));
        assert!(PageCache::read(Some(&bytes), "s1".into()).files("A-1", "other key").is_none());
        assert_eq!(PageCache::read(Some(&bytes), "s2".into()), PageCache::new("s2".into()));
        assert_eq!(PageCache::read(Some(b"{\"format\":"), "s1".into()), PageCache::new("s1".into()));
        assert_eq!(PageCache::read(None, "s1".into()), PageCache::new("s1".into()));
    }

    #[test]
    fn the_site_key_follows_templates_and_configuration() {
        let config = crate::publish::csaf::test_support::config();
        let base = site_key("build", &config, "t1", false, true);
        assert_eq!(base, site_key("build", &config, "t1", false, true));
        assert_ne!(base, site_key("build", &config, "t2", false, true), "templates");
        assert_ne!(base, site_key("other build", &config, "t1", false, true), "tool");
        let mut other = config.clone();
        other.render.base_url = Some("https://elsewhere.test/".into());
        assert_ne!(base, site_key("build", &other, "t1", false, true), "configuration");
    }
}
