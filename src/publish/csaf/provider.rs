//! The site's CSAF provider directory (CSAF 2.0 section 7.1), directory-based distribution.
//!
//! ```text
//! csaf/provider-metadata.json      requirement 7 (needs render.base_url: its canonical_url)
//! csaf/index.txt                   requirement 12: every document's path
//! csaf/changes.csv                 requirement 13: path and current_release_date, newest first
//! csaf/<YYYY>/<id>.json            requirements 2 and 11: file name rule 5.1, year of release
//! csaf/feed-tlp-white.json         requirements 15-16: the ROLIE feed (with a base_url; rolie.rs)
//! csaf/openpgp/<FINGERPRINT>.asc   requirement 20: the public key, on a signed site
//! ```
//!
//! A signed site (a signing key configured) is a `csaf_trusted_provider`: every document and
//! listing gets its `.sha256`, `.sha512` and `.asc` (requirements 18-19, `publish::distribution`),
//! and `public_openpgp_keys` names the key.
//!
//! `provider-metadata.json` sits beside the year folders, one of the places section 7.1.7
//! suggests; its `distributions[].directory_url` is `<base_url>csaf/`. All advisories are
//! public, so all are TLP:WHITE and share one directory.

use serde_json::{Value, json};

use super::Publisher;
use super::rolie::{self, Entry};
use super::tracking::{History, Tracking};
use super::vex::Profile;
use crate::publish::public::Advisory;

/// The provider directory inside the site.
pub const DIR: &str = "csaf";

/// File name of a document (section 5.1): the id in lower case, every character other than
/// `+`, `-`, `a-z`, `0-9` replaced by `_`, then `.json`.
pub fn file_name(id: &str) -> String {
    let stem: String = id
        .to_lowercase()
        .chars()
        .map(|c| if c.is_ascii_lowercase() || c.is_ascii_digit() || c == '+' || c == '-' { c } else { '_' })
        .collect();
    format!("{stem}.json")
}

/// `<YYYY>/<file name>`, relative to the directory: the year of the initial release.
pub fn path(id: &str, tracking: &Tracking) -> String {
    let year = tracking.initial_release_date().get(..4).unwrap_or("0000");
    format!("{year}/{}", file_name(id))
}

/// The public key's path inside the directory (requirement 20: `openpgp/` beside
/// `provider-metadata.json`).
pub fn key_file(fingerprint: &str) -> String {
    format!("openpgp/{fingerprint}.asc")
}

/// A document listed by `index.txt` and `changes.csv`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listed {
    pub path: String,
    pub current_release_date: String,
}

/// `index.txt`: one path per line, sorted.
pub fn index_txt(listed: &[Listed]) -> String {
    let mut paths: Vec<&str> = listed.iter().map(|l| l.path.as_str()).collect();
    paths.sort_unstable();
    paths.iter().map(|p| format!("{p}\n")).collect()
}

/// `changes.csv`: `"<path>","<current_release_date>"` per line, latest change first (ties by
/// path, so the file is deterministic), no heading.
pub fn changes_csv(listed: &[Listed]) -> String {
    let mut rows: Vec<&Listed> = listed.iter().collect();
    rows.sort_by(|a, b| b.current_release_date.cmp(&a.current_release_date).then_with(|| a.path.cmp(&b.path)));
    rows.iter().map(|l| format!("\"{}\",\"{}\"\n", l.path, l.current_release_date)).collect()
}

/// `provider-metadata.json` for a site served at `base_url` (ending in `/`). `last_updated` is
/// the latest change of any document, so an unchanged site keeps the same bytes. `trusted`,
/// the signing key's fingerprint, makes the site a trusted provider that names its key.
pub fn metadata(publisher: &Publisher, base_url: &str, listed: &[Listed], trusted: Option<&str>) -> Value {
    let last_updated =
        listed.iter().map(|l| l.current_release_date.as_str()).max().unwrap_or("1970-01-01T00:00:00.000Z");
    let feed = json!({
        "summary": format!("All TLP:{} advisories of {}.", rolie::TLP_LABEL, publisher.name),
        "tlp_label": rolie::TLP_LABEL,
        "url": format!("{base_url}{DIR}/{}", rolie::feed_file()),
    });
    let mut meta = json!({
        "canonical_url": format!("{base_url}{DIR}/provider-metadata.json"),
        "distributions": [
            { "directory_url": format!("{base_url}{DIR}/") },
            { "rolie": { "feeds": [feed] } },
        ],
        "last_updated": last_updated,
        "list_on_CSAF_aggregators": true,
        "metadata_version": "2.0",
        "mirror_on_CSAF_aggregators": true,
        "publisher": publisher.json(),
        "role": if trusted.is_some() { "csaf_trusted_provider" } else { "csaf_provider" },
    });
    if let Some(fp) = trusted {
        meta["public_openpgp_keys"] =
            json!([{ "fingerprint": fp, "url": format!("{base_url}{DIR}/{}", key_file(fp)) }]);
    }
    meta
}

/// `index.txt`, `changes.csv` and (with a `base_url`) `provider-metadata.json` and the ROLIE
/// feed for every advisory, unsigned: paths inside the site and contents.
pub fn listing_files(
    advisories: &[Advisory],
    history: &History,
    publisher: &Publisher,
    base_url: Option<&str>,
) -> Vec<(String, Vec<u8>)> {
    listing(advisories, history, publisher, base_url, None)
}

/// [`listing_files`] of a site signed by the key with fingerprint `trusted`, if any.
pub fn listing(
    advisories: &[Advisory],
    history: &History,
    publisher: &Publisher,
    base_url: Option<&str>,
    trusted: Option<&str>,
) -> Vec<(String, Vec<u8>)> {
    // Each advisory's documents: the security advisory (not for a VEX-only statement) and the
    // `csaf_vex` document (`super::vex`).
    let entries: Vec<Entry> = advisories
        .iter()
        .flat_map(|a| {
            let t = history.tracking(a);
            let profiles: &[Profile] =
                if a.vex_only { &[Profile::Vex] } else { &[Profile::SecurityAdvisory, Profile::Vex] };
            profiles.iter().map(move |p| {
                let id = p.tracking_id(&a.id);
                Entry {
                    listed: Listed { path: path(&id, &t), current_release_date: t.current_release_date().to_owned() },
                    id,
                    title: a.title.clone(),
                    summary: a.summary.clone(),
                    initial_release_date: t.initial_release_date().to_owned(),
                }
            })
        })
        .collect();
    let listed: Vec<Listed> = entries.iter().map(|e| e.listed.clone()).collect();
    let mut files = vec![
        (format!("{DIR}/index.txt"), index_txt(&listed).into_bytes()),
        (format!("{DIR}/changes.csv"), changes_csv(&listed).into_bytes()),
    ];
    if let Some(base) = base_url {
        let text = |v: &Value| serde_json::to_string_pretty(v).unwrap_or_default() + "\n";
        let meta = metadata(publisher, base, &listed, trusted);
        files.push((format!("{DIR}/provider-metadata.json"), text(&meta).into_bytes()));
        let feed = rolie::feed(publisher, base, &entries, trusted.is_some());
        files.push((format!("{DIR}/{}", rolie::feed_file()), text(&feed).into_bytes()));
    }
    files
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_follow_section_5_1() {
        assert_eq!(file_name("ENIGM-2026-0001"), "enigm-2026-0001.json");
        assert_eq!(file_name("Example Company - 2019-YH3234"), "example_company_-_2019-yh3234.json");
        assert_eq!(file_name("RHBA-2019:0024"), "rhba-2019_0024.json");
    }

    #[test]
    fn index_and_changes_are_sorted() {
        let l = |p: &str, d: &str| Listed { path: p.into(), current_release_date: d.into() };
        let listed = [l("2025/b.json", "2026-01-02T00:00:00.000Z"), l("2026/a.json", "2026-01-01T00:00:00.000Z")];
        assert_eq!(index_txt(&listed), "2025/b.json\n2026/a.json\n");
        assert_eq!(
            changes_csv(&listed),
            "\"2025/b.json\",\"2026-01-02T00:00:00.000Z\"\n\"2026/a.json\",\"2026-01-01T00:00:00.000Z\"\n"
        );
    }
}
