//! `aggregator.json` of a combined site: a CSAF 2.0 *lister* (role of section 7.2.4; the list
//! of CSAF providers of requirement 21, section 7.1.21, in the shape of
//! `aggregator_json_schema.json`) over the providers of an aggregate's repositories.
//!
//! A lister lists where each provider's `provider-metadata.json` is; it does not mirror the
//! documents (an aggregator would, under its own URLs, with mirrors listed). The combined site
//! does hold each repository's documents in a folder of its own, but those are the
//! repositories' sites rendered side by side, not mirrors kept in step with each provider, so
//! the category is `lister`. Every entry is taken from the provider metadata the repository's
//! own render made (its canonical URL, publisher, role and `last_updated`); nothing is
//! invented here. The document's `last_updated` is the latest of its providers', so an
//! unchanged set renders the same bytes.

use serde_json::{Value, json};

/// The lister's own entry (`aggregator` in the document).
#[derive(Debug, Clone)]
pub struct Lister<'a> {
    pub name: &'a str,
    /// A URL the lister controls.
    pub namespace: &'a str,
    pub contact_details: Option<&'a str>,
    pub issuing_authority: Option<&'a str>,
    /// Where `aggregator.json` is served (ends in `/aggregator.json`).
    pub canonical_url: String,
}

/// The file name, at the root of the combined site.
pub const FILE: &str = "aggregator.json";

/// `aggregator.json` listing `providers` (each one's `provider-metadata.json`), in the order
/// given; `None` when there is none to list (the schema asks for at least one).
pub fn document(lister: &Lister<'_>, providers: &[Value]) -> Option<Value> {
    if providers.is_empty() {
        return None;
    }
    let entries: Vec<Value> = providers
        .iter()
        .map(|p| {
            json!({ "metadata": {
                "last_updated": p["last_updated"],
                "publisher": p["publisher"],
                "role": p["role"],
                "url": p["canonical_url"],
            }})
        })
        .collect();
    let last_updated = providers.iter().filter_map(|p| p["last_updated"].as_str()).max().unwrap_or_default();
    let mut aggregator = json!({ "category": "lister", "name": lister.name, "namespace": lister.namespace });
    if let Some(c) = lister.contact_details.filter(|c| !c.is_empty()) {
        aggregator["contact_details"] = json!(c);
    }
    if let Some(a) = lister.issuing_authority.filter(|a| !a.is_empty()) {
        aggregator["issuing_authority"] = json!(a);
    }
    Some(json!({
        "aggregator": aggregator,
        "aggregator_version": "2.0",
        "canonical_url": lister.canonical_url,
        "csaf_providers": entries,
        "last_updated": last_updated,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn provider(url: &str, updated: &str) -> Value {
        json!({
            "canonical_url": url,
            "last_updated": updated,
            "publisher": { "category": "vendor", "name": "Acme", "namespace": "https://acme.test" },
            "role": "csaf_provider",
        })
    }

    #[test]
    fn lists_each_provider_metadata_and_dates_by_the_latest() {
        let lister = Lister {
            name: "Acme",
            namespace: "https://acme.test",
            contact_details: Some("psirt@acme.test"),
            issuing_authority: None,
            canonical_url: "https://acme.test/all/aggregator.json".into(),
        };
        let a = provider("https://web.acme.test/csaf/provider-metadata.json", "2026-03-01T00:00:00.000Z");
        let b = provider("https://api.acme.test/csaf/provider-metadata.json", "2026-05-01T00:00:00.000Z");
        let doc = document(&lister, &[a, b]).expect("document");
        assert_eq!(doc["aggregator"]["category"], "lister");
        assert_eq!(doc["last_updated"], "2026-05-01T00:00:00.000Z");
        assert_eq!(doc["csaf_providers"][1]["metadata"]["url"], "https://api.acme.test/csaf/provider-metadata.json");
        assert!(doc["aggregator"].get("issuing_authority").is_none());
        assert!(document(&lister, &[]).is_none(), "nothing to list");
    }
}
