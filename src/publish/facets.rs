//! The index filtered by product, severity and year, as static pages: each filter is a link
//! to a page of its own (`by/severity-high.html`), so reading needs no script (`filter.js` only
//! adds the search box on top). Pages are named by a slug of the value; products whose names
//! give the same slug share a page, named after all of them.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::publish::public::Advisory;

/// The directory of the filtered pages, inside the site.
pub const DIR: &str = "by";

/// Severity pages in the order the index offers them.
const LEVELS: &[&str] = &["critical", "high", "medium", "low", "none", "unrated"];

/// One value to filter by (documented in `docs/templates.md`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Facet {
    /// `product`, `severity` or `year`.
    pub kind: &'static str,
    /// `web`, `high`, `2026` (products sharing a page: `Web / web`).
    pub name: String,
    /// `by/product-web.html`, from the site root.
    pub path: String,
    /// How many advisories the page lists.
    pub count: usize,
}

/// Every filter of the index, each with the advisories it lists (newest first, as given).
#[derive(Debug, Default, Serialize)]
pub struct Facets {
    pub products: Vec<Facet>,
    pub severities: Vec<Facet>,
    pub years: Vec<Facet>,
}

/// A facet and the indexes of its advisories in the list it was made from.
pub type Page = (Facet, Vec<usize>);

/// The facets of `advisories` and, for each, which advisories its page lists.
pub fn facets(advisories: &[Advisory]) -> (Facets, Vec<Page>) {
    let mut products: BTreeMap<String, (Vec<String>, Vec<usize>)> = BTreeMap::new();
    let mut levels: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    let mut years: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (i, a) in advisories.iter().enumerate() {
        for p in &a.products {
            let (names, list) = products.entry(slug(&p.name)).or_default();
            if !names.contains(&p.name) {
                names.push(p.name.clone());
            }
            if list.last() != Some(&i) {
                list.push(i);
            }
        }
        levels.entry(level(a)).or_default().push(i);
        let date = a.published.as_deref().unwrap_or(&a.reported);
        years.entry(date.get(..4).unwrap_or(date).to_owned()).or_default().push(i);
    }
    let facet = |kind: &'static str, slug: &str, name: String, count: usize| Facet {
        kind,
        name,
        path: format!("{DIR}/{kind}-{slug}.html"),
        count,
    };
    let mut pages: Vec<Page> = Vec::new();
    let mut all = Facets::default();
    for (s, (mut names, list)) in products {
        names.sort();
        pages.push((facet("product", &s, names.join(" / "), list.len()), list));
    }
    for l in LEVELS {
        if let Some(list) = levels.remove(l) {
            pages.push((facet("severity", l, (*l).to_owned(), list.len()), list));
        }
    }
    for (y, list) in years.into_iter().rev() {
        pages.push((facet("year", &slug(&y), y.clone(), list.len()), list));
    }
    for (f, _) in &pages {
        match f.kind {
            "product" => all.products.push(f.clone()),
            "severity" => all.severities.push(f.clone()),
            _ => all.years.push(f.clone()),
        }
    }
    (all, pages)
}

/// The severity an advisory is filed under: its level, or `unrated`.
fn level(a: &Advisory) -> &'static str {
    let given = a.severity.as_ref().and_then(|s| s.level.as_deref());
    LEVELS.iter().find(|l| Some(**l) == given).copied().unwrap_or("unrated")
}

/// Longest slug in a file name.
const MAX_SLUG: usize = 48;

/// Lowercase ASCII letters and digits, other runs as one `-`, at most [`MAX_SLUG`] of them;
/// `x` when nothing is left.
fn slug(name: &str) -> String {
    let mapped: String =
        name.chars().map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '-' }).collect();
    let joined = mapped.split('-').filter(|p| !p.is_empty()).collect::<Vec<_>>().join("-");
    // A file name stays short: longer names share the page of their first characters.
    let cut = joined[..joined.len().min(MAX_SLUG)].trim_end_matches('-');
    if cut.is_empty() { "x".to_owned() } else { cut.to_owned() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_file_names() {
        assert_eq!(slug("Web App (EU)"), "web-app-eu");
        assert_eq!(slug("../../etc"), "etc");
        assert_eq!(slug("日本"), "x");
        assert_eq!(slug(&"a-".repeat(100)).len(), MAX_SLUG - 1, "cut, without a trailing dash");
    }
}
