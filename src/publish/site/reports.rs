//! What the last render read from each report file, so that a re-render reads and parses only
//! the reports that changed since.
//!
//! The render state records, per report path, the file's stat tuple ([`Stat`], with git's rule
//! against racy timestamps: a file changed less than two seconds before it was read is not
//! recorded) and its public view ([`Advisory`], before its revisions are applied), or that it is
//! not public. A file whose stat is the recorded one is not opened: its recorded view is the
//! one reading it would give. The view is a function of the file's bytes, the configuration and
//! the tool, which the state's key holds ([`key`]); a state made under another key, one that
//! does not parse, or an entry that does not, is ignored and the file read. Never recorded: a
//! file that could not be read (its error is reported on every render) and a sealed report
//! (whether it opens depends on the identities at hand). The bytes live where the caller keeps
//! them (the git directory); this module never opens the repository.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use sha2::{Digest, Sha256};

use super::Skipped;
use crate::format::config::Config;
use crate::format::report::Document;
use crate::publish::public::{self, Advisory};
use crate::store::statcache::Stat;

/// The file's name in the git directory's `enigm/` folder.
pub const FILE: &str = "render-reports.json";

/// Bumped whenever what is recorded, or what an advisory holds, changes.
const FORMAT: u32 = 1;

/// What the state depends on: this module's format, the tool (its version and the build the
/// caller names) and the configuration.
pub fn key(tool: &str, config: &Config) -> String {
    let config = serde_json::to_string(config).unwrap_or_default();
    let mut hash = Sha256::new();
    for p in [&FORMAT.to_string(), env!("CARGO_PKG_VERSION"), tool, &config] {
        hash.update(p.as_bytes());
        hash.update([0]);
    }
    hash.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// One report file as the last render read it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Entry {
    stat: Stat,
    /// Its public view (JSON), when the report is public.
    advisory: Option<Box<RawValue>>,
}

/// The recorded reports, by path relative to the repository root.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct ReportState {
    key: String,
    reports: HashMap<String, Entry>,
}

/// What one report file gives the site: its public view, why a file that claims to be public
/// could not be read, or nothing (not public).
pub type Found = Option<std::result::Result<(PathBuf, Advisory), Skipped>>;

impl ReportState {
    /// The state in `bytes` when it was made under `key`; else an empty one.
    pub fn read(bytes: Option<&[u8]>, key: String) -> ReportState {
        let state: Option<ReportState> = bytes.and_then(|b| serde_json::from_slice(b).ok());
        state.filter(|s| s.key == key).unwrap_or(ReportState { key, reports: HashMap::new() })
    }

    /// The report `rel` under `root`: from the state when its stat is the recorded one, else
    /// read; with the entry to record for it (`None`: read it again next time).
    pub fn find(&self, root: &Path, rel: &Path, config: &Config) -> (Found, Option<(String, Entry)>) {
        let Some(name) = rel.to_str() else { return (load(root, rel, config).0, None) };
        // Taken before the file is read: what is read is at least as new as the stat.
        let stat = Stat::settled(&root.join(rel));
        if let Some(hit) = stat.and_then(|s| self.recorded(name, s, rel)) {
            return hit;
        }
        let (found, recordable) = load(root, rel, config);
        let entry = stat.filter(|_| recordable).and_then(|stat| {
            let advisory = match &found {
                Some(Ok((_, a))) => Some(serde_json::value::to_raw_value(a).ok()?),
                _ => None,
            };
            Some((name.to_owned(), Entry { stat, advisory }))
        });
        (found, entry)
    }

    /// The recorded view of `name` when its stat is `stat` and the entry parses.
    fn recorded(&self, name: &str, stat: Stat, rel: &Path) -> Option<(Found, Option<(String, Entry)>)> {
        let entry = self.reports.get(name).filter(|e| e.stat == stat)?;
        let found = match &entry.advisory {
            None => None,
            Some(raw) => Some(Ok((rel.to_owned(), serde_json::from_str::<Advisory>(raw.get()).ok()?))),
        };
        Some((found, Some((name.to_owned(), entry.clone()))))
    }

    /// The state holding `entries`, as bytes; `None` when they are what this state holds.
    pub fn replaced(&self, entries: BTreeMap<String, Entry>) -> Option<Vec<u8>> {
        let same = entries.len() == self.reports.len()
            && entries.iter().all(|(k, e)| {
                self.reports.get(k).is_some_and(|old| {
                    old.stat == e.stat && old.advisory.as_ref().map(|r| r.get()) == e.advisory.as_ref().map(|r| r.get())
                })
            });
        if same {
            return None;
        }
        // Written entry by entry, each dropped once written: the state is never held twice.
        let mut out = Vec::with_capacity(self.reports.len().max(entries.len()) * 256);
        out.extend_from_slice(b"{\"key\":");
        serde_json::to_writer(&mut out, &self.key).ok()?;
        out.extend_from_slice(b",\"reports\":{");
        for (i, (name, entry)) in entries.into_iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            serde_json::to_writer(&mut out, &name).ok()?;
            out.push(b':');
            serde_json::to_writer(&mut out, &entry).ok()?;
        }
        out.extend_from_slice(b"}}");
        Some(out)
    }
}

/// Reads report `rel`: what it gives the site, and whether that may be recorded (read without
/// error, and not sealed).
pub fn load(root: &Path, rel: &Path, config: &Config) -> (Found, bool) {
    match Document::load(root, rel).and_then(|d| d.report().map(|r| (d, r))) {
        Ok((d, r)) => {
            let recordable = d.seal.is_none();
            (r.state.is_public().then(|| Ok((rel.to_owned(), public::advisory(&d, &r, config, None)))), recordable)
        }
        // An unreadable file is only reported when it claims to be public. Its text is
        // what loading read (never read again: the path may be a FIFO or a link).
        Err(e) => {
            let public =
                e.text.as_deref().is_some_and(|t| t.contains("state: published") || t.contains("state: withdrawn"));
            (public.then(|| Err((rel.to_owned(), e.finding.message))), false)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_state_under_another_key_or_garbage_is_empty() {
        let state = ReportState::read(None, "k".into());
        let stat = Stat { size: 1, mtime_ns: 2, ctime_ns: 3, ino: 4, dev: 5 };
        let entry = Entry { stat, advisory: None };
        let bytes = state.replaced(BTreeMap::from([("reports/A-1.md".to_owned(), entry.clone())])).expect("changed");
        let expected =
            serde_json::json!({ "key": "k", "reports": { "reports/A-1.md": { "stat": stat, "advisory": null } } });
        assert_eq!(serde_json::from_slice::<serde_json::Value>(&bytes).expect("JSON"), expected);
        let back = ReportState::read(Some(&bytes), "k".into());
        assert_eq!(back.reports.len(), 1);
        assert!(back.replaced(BTreeMap::from([("reports/A-1.md".to_owned(), entry)])).is_none(), "unchanged");
        assert!(ReportState::read(Some(&bytes), "other".into()).reports.is_empty());
        assert!(ReportState::read(Some(b"{\"key\":"), "k".into()).reports.is_empty());
    }
}
