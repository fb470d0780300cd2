//! The site's ROLIE feed (CSAF 2.0 requirement 7.1.15, RFC 8322 in its JSON form): one feed
//! per TLP label, each entry linking a CSAF document and, on a signed site, its hashes and
//! signature (requirements 7.1.18 and 7.1.19).
//!
//! Every advisory the site publishes is public, so there is one feed, `feed-tlp-white.json`
//! (CSAF 2.0 still uses TLP 1.0's WHITE), beside `provider-metadata.json`, which lists it in
//! `distributions`. The feed is built from what the documents say, sorted, with no clock, so
//! an unchanged site keeps the same bytes.

use serde_json::{Value, json};

use super::provider::{DIR, Listed};
use super::{CSAF_VERSION, Publisher};

/// The TLP label of every published advisory, as CSAF 2.0 spells it.
pub const TLP_LABEL: &str = "WHITE";

/// The schema URL a ROLIE entry names for CSAF 2.0 documents.
pub const CSAF_SCHEMA_URL: &str = "https://docs.oasis-open.org/csaf/csaf/v2.0/csaf_json_schema.json";

/// The feed's path inside the provider directory.
pub fn feed_file() -> String {
    format!("feed-tlp-{}.json", TLP_LABEL.to_lowercase())
}

/// One document in the feed: what `index.txt` lists, and what the entry shows of it.
#[derive(Debug, Clone)]
pub struct Entry {
    pub listed: Listed,
    /// `document.tracking.id`.
    pub id: String,
    /// `document.title`.
    pub title: String,
    pub summary: String,
    pub initial_release_date: String,
}

/// The feed for a site served at `base_url` (ending in `/`); `signed` adds the links to each
/// document's `.sha256`, `.sha512` and `.asc`. Newest change first, ties by path.
pub fn feed(publisher: &Publisher, base_url: &str, entries: &[Entry], signed: bool) -> Value {
    let mut rows: Vec<&Entry> = entries.iter().collect();
    rows.sort_by(|a, b| {
        b.listed
            .current_release_date
            .cmp(&a.listed.current_release_date)
            .then_with(|| a.listed.path.cmp(&b.listed.path))
    });
    let updated = rows.first().map_or("1970-01-01T00:00:00.000Z", |e| e.listed.current_release_date.as_str());
    let entry: Vec<Value> = rows.iter().map(|e| entry(e, base_url, signed)).collect();
    json!({
        "feed": {
            "id": format!("{}-csaf-feed-tlp-{}", feed_id(&publisher.name), TLP_LABEL.to_lowercase()),
            "title": format!("{} CSAF feed (TLP:{TLP_LABEL})", publisher.name),
            "link": [{ "rel": "self", "href": format!("{base_url}{DIR}/{}", feed_file()) }],
            "category": [{ "scheme": "urn:ietf:params:rolie:category:information-type", "term": "csaf" }],
            "updated": updated,
            "entry": entry,
        }
    })
}

fn entry(e: &Entry, base_url: &str, signed: bool) -> Value {
    let url = format!("{base_url}{DIR}/{}", e.listed.path);
    let mut link = vec![json!({ "rel": "self", "href": url })];
    if signed {
        for (rel, ext) in [("hash", "sha256"), ("hash", "sha512"), ("signature", "asc")] {
            link.push(json!({ "rel": rel, "href": format!("{url}.{ext}") }));
        }
    }
    let mut value = json!({
        "id": e.id,
        "title": e.title,
        "link": link,
        "published": e.initial_release_date,
        "updated": e.listed.current_release_date,
        "content": { "type": "application/json", "src": url },
        "format": { "schema": CSAF_SCHEMA_URL, "version": CSAF_VERSION },
    });
    let summary = e.summary.trim();
    if !summary.is_empty() {
        value["summary"] = json!({ "content": summary });
    }
    value
}

/// The feed id's stem: the publisher's name in the characters a ROLIE feed id allows
/// (`a-z`, `0-9`, `+`, `-`, `_`, `.`), others as `-`.
fn feed_id(name: &str) -> String {
    let stem: String = name
        .to_lowercase()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || "+-_.".contains(c) { c } else { '-' })
        .collect();
    let stem = stem.trim_matches('-');
    if stem.is_empty() { "enigm".to_owned() } else { stem.to_owned() }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn publisher() -> Publisher {
        Publisher { name: "Acme Corp".into(), namespace: "https://acme.test".into(), contact: "x".into() }
    }

    fn e(path: &str, date: &str) -> Entry {
        Entry {
            listed: Listed { path: path.into(), current_release_date: date.into() },
            id: path.into(),
            title: "T".into(),
            summary: String::new(),
            initial_release_date: date.into(),
        }
    }

    #[test]
    fn entries_are_newest_first_and_signed_ones_link_hashes_and_signature() {
        let entries = [e("2026/a.json", "2026-01-01T00:00:00.000Z"), e("2026/b.json", "2026-02-01T00:00:00.000Z")];
        let f = feed(&publisher(), "https://acme.test/", &entries, true);
        assert_eq!(f["feed"]["id"], "acme-corp-csaf-feed-tlp-white");
        assert_eq!(f["feed"]["updated"], "2026-02-01T00:00:00.000Z");
        assert_eq!(f["feed"]["entry"][0]["id"], "2026/b.json");
        let links = f["feed"]["entry"][0]["link"].as_array().expect("links");
        let hrefs: Vec<&str> = links.iter().filter_map(|l| l["href"].as_str()).collect();
        assert_eq!(
            hrefs,
            [
                "https://acme.test/csaf/2026/b.json",
                "https://acme.test/csaf/2026/b.json.sha256",
                "https://acme.test/csaf/2026/b.json.sha512",
                "https://acme.test/csaf/2026/b.json.asc"
            ]
        );
        let unsigned = feed(&publisher(), "https://acme.test/", &entries, false);
        assert_eq!(unsigned["feed"]["entry"][0]["link"].as_array().map(Vec::len), Some(1));
        assert!(unsigned["feed"]["entry"][0].get("summary").is_none(), "no empty summary");
    }

    #[test]
    fn an_empty_feed_is_still_a_feed() {
        let f = feed(&Publisher { name: "   ".into(), ..publisher() }, "https://acme.test/", &[], false);
        assert_eq!(f["feed"]["id"], "enigm-csaf-feed-tlp-white");
        assert_eq!(f["feed"]["entry"], json!([]));
    }
}
