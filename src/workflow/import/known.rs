//! What the repository already holds, as `import` needs it: which channel ids belong to which
//! report (for "already imported" and follow-ups) and each report's product, title and text
//! (for likely duplicates).
//!
//! Ids are compared by their hash ([`sealed::source_hash`]), so a sealed report answers from
//! its clear `sealed.sources` without a key, and a plain or opened one from its messages'
//! `Message-Id`s and its aliases. Duplicates are scored by the Jaccard index of normalised
//! word sets (lower-case letters and digits, words of three or more characters) of the titles
//! and of the texts, on reports of the same product; [`DUPLICATE_AT`] or more is named.

use std::collections::{BTreeSet, HashMap};
use std::path::Path;

use crate::error::Result;
use crate::format::report::{Document, Report};
use crate::format::sealed::{self, WITHHELD};

/// The similarity from which a report is named as a likely duplicate.
pub const DUPLICATE_AT: f64 = 0.5;

/// One report as far as `import` compares with it.
#[derive(Debug, Clone)]
struct Known {
    id: String,
    products: Vec<String>,
    title: BTreeSet<String>,
    text: BTreeSet<String>,
}

/// A report that looks like the same issue, and how much.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Duplicate {
    pub id: String,
    /// 0 to 1, two decimals.
    pub similarity: f64,
}

/// The reports of the repository, indexed.
#[derive(Debug, Default)]
pub struct Index {
    sources: HashMap<String, String>,
    reports: Vec<Known>,
}

impl Index {
    /// Reads every report under `reports/` (a file that does not read is skipped: `validate`
    /// reports it).
    pub fn load(root: &Path) -> Result<Index> {
        let mut index = Index::default();
        for path in crate::store::scan::report_paths(root)? {
            let Ok(doc) = Document::load(root, &path) else { continue };
            let Ok(report) = doc.report() else { continue };
            let sources = if doc.is_closed() { clear_sources(&doc) } else { sealed::report_sources(&report) };
            let text = if doc.is_closed() { "" } else { doc.body_text() };
            index.add(&report, sources, text);
        }
        Ok(index)
    }

    /// Adds a report (one just imported, or read) with its hashed sources and its text.
    pub fn add(&mut self, report: &Report, sources: Vec<String>, text: &str) {
        for s in sources {
            self.sources.entry(s).or_insert_with(|| report.id.clone());
        }
        let title = if report.title == WITHHELD { BTreeSet::new() } else { words(&report.title) };
        self.reports.push(Known {
            id: report.id.clone(),
            products: report.products.iter().map(|p| p.name.clone()).collect(),
            title,
            text: words(text),
        });
    }

    /// The report holding channel id `key`, if any.
    pub fn holder(&self, key: &str) -> Option<&str> {
        self.sources.get(&sealed::source_hash(key)).map(String::as_str)
    }

    /// Records that `key` now belongs to report `id`.
    pub fn claim(&mut self, key: &str, id: &str) {
        self.sources.insert(sealed::source_hash(key), id.to_owned());
    }

    /// Reports of `product` whose title or text is like `title`/`text`, most similar first.
    pub fn duplicates(&self, product: &str, title: &str, text: &str, except: &str) -> Vec<Duplicate> {
        let (t, x) = (words(title), words(text));
        let mut out: Vec<Duplicate> = self
            .reports
            .iter()
            .filter(|k| k.id != except && k.products.iter().any(|p| p == product))
            .map(|k| (k, jaccard(&t, &k.title).max(jaccard(&x, &k.text))))
            .filter(|(_, s)| *s >= DUPLICATE_AT)
            .map(|(k, s)| Duplicate { id: k.id.clone(), similarity: (s * 100.0).round() / 100.0 })
            .collect();
        out.sort_by(|a, b| b.similarity.total_cmp(&a.similarity).then_with(|| a.id.cmp(&b.id)));
        out.truncate(5);
        out
    }
}

/// The hashed sources in a sealed report's clear `sealed.sources`.
fn clear_sources(doc: &Document) -> Vec<String> {
    let list = doc.value().get("sealed").and_then(|s| s.get("sources")).and_then(|s| s.as_array());
    list.map(|l| l.iter().filter_map(|v| v.as_str().map(str::to_owned)).collect()).unwrap_or_default()
}

/// The normalised words of `text`: lower-case runs of letters and digits, three or more
/// characters long, without the `TODO` placeholders of a report skeleton.
fn words(text: &str) -> BTreeSet<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.chars().count() >= 3)
        .map(str::to_lowercase)
        .filter(|w| w != "todo")
        .collect()
}

/// |a ∩ b| / |a ∪ b|; 0 when either is empty.
fn jaccard(a: &BTreeSet<String>, b: &BTreeSet<String>) -> f64 {
    if a.is_empty() || b.is_empty() {
        return 0.0;
    }
    let common = a.intersection(b).count() as f64;
    common / ((a.len() + b.len()) as f64 - common)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn similar_titles_of_the_same_product_are_duplicates() {
        let r = |id: &str, title: &str, product: &str| {
            let text = format!(
                "---\nid: {id}\ntitle: {title}\nstate: received\nreported: 2026-03-01\nreporter:\n  name: R\nproducts:\n  - name: {product}\ntimeline:\n  - date: 2026-03-01\n    state: received\n---\n## Summary\n\nS.\n"
            );
            Document::parse(Path::new("reports/x.md"), text).expect("doc").report().expect("report")
        };
        let mut index = Index::default();
        index.add(&r("ENIGM-2026-0001", "Stored XSS in the search page", "web"), Vec::new(), "");
        index.add(&r("ENIGM-2026-0002", "Stored XSS in the search page", "api"), Vec::new(), "");
        index.add(&r("ENIGM-2026-0003", "SQL injection in login", "web"), Vec::new(), "");
        let d = index.duplicates("web", "XSS in search page", "", "none");
        assert_eq!(d.iter().map(|d| d.id.as_str()).collect::<Vec<_>>(), ["ENIGM-2026-0001"]);
        assert!(d[0].similarity >= DUPLICATE_AT && d[0].similarity <= 1.0, "{d:?}");
        assert!(index.duplicates("web", "Open redirect", "", "none").is_empty());
    }

    #[test]
    fn jaccard_is_the_share_of_common_words() {
        let a = words("alpha beta gamma");
        let b = words("alpha beta delta");
        assert!((jaccard(&a, &b) - 0.5).abs() < 1e-9, "{}", jaccard(&a, &b));
        assert_eq!(jaccard(&a, &a), 1.0);
        assert_eq!(jaccard(&a, &BTreeSet::new()), 0.0);
    }
}
