//! The named revisions of every report, remembered between renders so that a render reads only
//! the commits made since the last one.
//!
//! Naming a revision ([`super::named_edits`]) means reading both versions of a file at every
//! commit that changed it; over a long history that is most of a render's time. The cache
//! holds the result for HEAD's first-parent chain down to the commit it was computed at
//! (`tip`), and is trusted only when everything that shaped it is the same: its format
//! version, the tool's version and the configuration (the public sections named in it decide
//! what an edit changed in public). That `tip` is still an ancestor of HEAD is the walk's to
//! check ([`crate::store::history::report_edits_after`] stops at it on the first-parent
//! chain, or reads the whole window when it is not there). A cache that does not parse, or
//! whose key differs, is ignored and rebuilt: it is never trusted blindly. It lives in the git
//! directory (the caller's to read and write), never in the work tree.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::format::config::Config;
use crate::publish::csaf::tracking::Named;
use crate::store::history::When;

/// The file's name in the git directory's `enigm/` folder.
pub const FILE: &str = "render-revisions.json";

/// Bumped whenever what is cached, or how it is computed, changes.
const FORMAT: u32 = 1;

/// The named revisions of every report up to commit `tip`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RevisionCache {
    format: u32,
    tool: String,
    config: String,
    /// The commit (full hex id) the edits run to.
    pub tip: String,
    /// The oldest commit time (Unix seconds) the walk that started the cache was asked for.
    pub since: i64,
    /// Report id → its edits, newest first.
    edits: HashMap<String, Vec<CachedEdit>>,
}

/// One named edit: the commit's time and what changed in public (`None`: not readable).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct CachedEdit {
    seconds: i64,
    offset: i32,
    changes: Option<Vec<String>>,
}

/// What a cache must match to be used: the tool, and the configuration it named edits with.
fn config_key(config: &Config) -> String {
    let text = serde_json::to_string(config).unwrap_or_default();
    Sha256::digest(text.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

impl RevisionCache {
    /// A cache of `edits` (newest first per report) up to `tip`, for a walk back to `since`.
    pub fn new(config: &Config, tip: String, since: i64, edits: HashMap<String, Vec<Named>>) -> RevisionCache {
        let mut cache = RevisionCache {
            format: FORMAT,
            tool: env!("CARGO_PKG_VERSION").to_owned(),
            config: config_key(config),
            tip,
            since,
            edits: HashMap::new(),
        };
        cache.prepend(edits);
        cache
    }

    /// The cache in `bytes`, if it parses and was made by this format, this tool and this
    /// configuration; `None` means: rebuild it.
    pub fn read(bytes: &[u8], config: &Config) -> Option<RevisionCache> {
        let cache: RevisionCache = serde_json::from_slice(bytes).ok()?;
        let same =
            cache.format == FORMAT && cache.tool == env!("CARGO_PKG_VERSION") && cache.config == config_key(config);
        same.then_some(cache)
    }

    /// Adds the edits of the commits after `tip` (newest first per report), which now runs to
    /// `new_tip`.
    pub fn extend(&mut self, new_tip: String, newer: HashMap<String, Vec<Named>>) {
        self.tip = new_tip;
        self.prepend(newer);
    }

    fn prepend(&mut self, newer: HashMap<String, Vec<Named>>) {
        for (id, named) in newer {
            let older = self.edits.remove(&id).unwrap_or_default();
            let mut list: Vec<CachedEdit> = named
                .into_iter()
                .map(|(when, changes)| CachedEdit { seconds: when.seconds, offset: when.offset_minutes, changes })
                .collect();
            list.extend(older);
            self.edits.insert(id, list);
        }
    }

    /// The named edits of every report, newest first.
    pub fn edits(&self) -> HashMap<String, Vec<Named>> {
        let named = |e: &CachedEdit| (When { seconds: e.seconds, offset_minutes: e.offset }, e.changes.clone());
        self.edits.iter().map(|(id, list)| (id.clone(), list.iter().map(named).collect())).collect()
    }

    pub fn to_bytes(&self) -> Vec<u8> {
        serde_json::to_vec(self).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> Config {
        crate::publish::csaf::test_support::config()
    }

    fn at(seconds: i64) -> When {
        When { seconds, offset_minutes: 0 }
    }

    #[test]
    fn newer_edits_come_first_and_the_cache_reads_back() {
        let old = HashMap::from([("A-1".to_owned(), vec![(at(1), Some(vec!["Added alias X.".to_owned()]))])]);
        let mut cache = RevisionCache::new(&config(), "aa".into(), 0, old);
        cache.extend("bb".into(), HashMap::from([("A-1".to_owned(), vec![(at(2), None)])]));
        let back = RevisionCache::read(&cache.to_bytes(), &config()).expect("same key");
        assert_eq!(back, cache);
        assert_eq!(back.tip, "bb");
        assert_eq!(back.edits()["A-1"], [(at(2), None), (at(1), Some(vec!["Added alias X.".to_owned()]))]);
    }

    #[test]
    fn another_configuration_format_or_garbage_is_not_trusted() {
        let cache = RevisionCache::new(&config(), "aa".into(), 0, HashMap::new());
        let mut other = config();
        other.render.base_url = Some("https://elsewhere.test/".into());
        assert!(RevisionCache::read(&cache.to_bytes(), &other).is_none(), "another configuration");
        let old_format = String::from_utf8(cache.to_bytes()).expect("utf8").replace("\"format\":1", "\"format\":0");
        assert!(RevisionCache::read(old_format.as_bytes(), &config()).is_none(), "another format");
        assert!(RevisionCache::read(b"{\"format\":1,", &config()).is_none(), "truncated");
        assert!(RevisionCache::read(b"\x00\xff", &config()).is_none(), "garbage");
    }
}
