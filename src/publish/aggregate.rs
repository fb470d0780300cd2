//! The top of a combined site (`aggregate render`): the page that lists every repository's
//! public advisories, the one `osv/all.json` over all of them, and `aggregator.json`
//! ([`super::csaf::aggregator`]).
//!
//! Each repository's own site is rendered by [`super::site`] into a folder of its own, through
//! its own publication gate; this module only lists what those renders let out. It is handed
//! the advisories and the files the members' renders wrote, as data.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::Value;

use super::templates::Renderer;
use crate::error::{Error, Result};
use crate::publish::public::Advisory;

/// One repository's part of the combined site.
#[derive(Debug, Clone, Serialize)]
pub struct MemberSite {
    /// Its folder in the combined site.
    pub name: String,
    /// Its organisation's name (the link text).
    pub title: String,
    /// Public advisories rendered.
    pub count: usize,
}

/// One advisory as the combined index lists it.
#[derive(Debug, Clone, Serialize)]
pub struct Listed {
    pub repository: String,
    pub id: String,
    pub title: String,
    pub severity: Option<String>,
    pub published: Option<String>,
    pub withdrawn: bool,
}

impl Listed {
    /// The listing of a public advisory of `repository`.
    pub fn of(repository: &str, a: &Advisory) -> Listed {
        Listed {
            repository: repository.to_owned(),
            id: a.id.clone(),
            title: a.title.clone(),
            severity: a.severity.as_ref().and_then(|s| s.level.clone()),
            published: a.published.clone(),
            withdrawn: a.withdrawn,
        }
    }
}

/// `index.html` of the combined site: every advisory, newest first, linked into its
/// repository's folder.
pub fn index(
    renderer: &Renderer,
    name: &str,
    members: &[MemberSite],
    mut advisories: Vec<Listed>,
    with_aggregator: bool,
) -> Result<String> {
    advisories.sort_by(|a, b| b.published.cmp(&a.published).then_with(|| b.id.cmp(&a.id)));
    let ctx = minijinja::context! {
        name => name,
        repositories => minijinja::Value::from(minijinja::value::Serde(members)),
        advisories => minijinja::Value::from(minijinja::value::Serde(&advisories)),
        aggregator => with_aggregator,
    };
    renderer.render("aggregate.html.j2", ctx)
}

/// Files by name: OSV record file name → content.
pub type Records = BTreeMap<String, Vec<u8>>;

/// The OSV records of every member, for the combined `osv/`: OSV file name → (repository,
/// content), and the combined `osv/all.json`. Each member's records are the files its render
/// wrote (`osv/<OSV id>.json`, listed by its own `all.json`); two members writing one OSV id
/// (one `render.osv_prefix` for both) would replace each other's record, and stop the render.
pub fn osv(members: &[(String, Records)]) -> Result<(Records, Vec<u8>)> {
    let mut files = Records::new();
    let mut owner: BTreeMap<String, &str> = BTreeMap::new();
    let mut listed: Vec<Value> = Vec::new();
    for (name, records) in members {
        for (file, content) in records {
            if let Some(first) = owner.insert(file.clone(), name) {
                return Err(Error::usage(
                    format!("repositories `{first}` and `{name}` both publish the OSV record osv/{file}"),
                    "give each repository its own `render.osv_prefix` (or none: OSV ids then carry the id prefix)",
                ));
            }
            let record: Value = serde_json::from_slice(content).unwrap_or(Value::Null);
            listed.push(serde_json::json!({ "id": record["id"], "modified": record["modified"] }));
            files.insert(file.clone(), content.clone());
        }
    }
    listed.sort_by(|a, b| a["id"].as_str().cmp(&b["id"].as_str()));
    let all = serde_json::to_string_pretty(&listed).unwrap_or_default() + "\n";
    Ok((files, all.into_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(id: &str) -> Vec<u8> {
        format!("{{\"id\": \"{id}\", \"modified\": \"2026-01-01T00:00:00Z\"}}").into_bytes()
    }

    #[test]
    fn all_json_lists_every_member_record_and_a_shared_id_is_refused() {
        let a = ("web".to_owned(), BTreeMap::from([("x_WEB-2026-0001.json".to_owned(), record("x_WEB-2026-0001"))]));
        let b = ("api".to_owned(), BTreeMap::from([("x_API-2026-0001.json".to_owned(), record("x_API-2026-0001"))]));
        let (files, all) = osv(&[a.clone(), b]).expect("distinct");
        assert_eq!(files.len(), 2);
        let all: Value = serde_json::from_slice(&all).expect("json");
        assert_eq!(all[0]["id"], "x_API-2026-0001", "sorted by id");
        let twice = ("app".to_owned(), a.1.clone());
        let e = osv(&[a, twice]).expect_err("one OSV id twice");
        assert!(e.to_string().contains("`web` and `app`"), "{e}");
    }
}
