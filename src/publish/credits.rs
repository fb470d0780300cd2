//! Credits as they leave the repository, and the Acknowledgements page built from them.
//!
//! Nobody is credited publicly by default: a report's reporter is its intake contact, and only
//! a recorded credit (`credits`, or the older `reporter.credit`, read as one `finder`) is shown.
//! A credit named `anonymous` is left out everywhere. The Acknowledgements page (`thanks.html`)
//! lists the credits of published advisories only (not withdrawn ones), newest first, by year.

use serde::{Deserialize, Serialize};

use crate::format::report::{CreditType, Report};
use crate::publish::public::Advisory;

/// One public credit (a template variable: `docs/templates.md`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "CreditFields")]
pub struct PublicCredit {
    pub name: String,
    /// The role as report files spell it: `remediation_developer`.
    #[serde(rename = "type")]
    pub kind: String,
    /// The role as people read it: `remediation developer`.
    pub label: String,
    /// A public `https://` page of the credited, when recorded.
    pub url: Option<String>,
    /// The role, for the exporters.
    #[serde(skip)]
    pub role: CreditType,
}

/// A [`PublicCredit`] as it is serialised (the render state keeps advisories: `super::site`):
/// its role is read back from its spelling.
#[derive(Deserialize)]
struct CreditFields {
    name: String,
    #[serde(rename = "type")]
    kind: String,
    label: String,
    url: Option<String>,
}

impl TryFrom<CreditFields> for PublicCredit {
    type Error = String;

    fn try_from(c: CreditFields) -> Result<PublicCredit, String> {
        let role = CreditType::ALL.iter().find(|r| r.as_str() == c.kind).ok_or_else(|| format!("role {}", c.kind))?;
        Ok(PublicCredit { name: c.name, kind: c.kind, label: c.label, url: c.url, role: *role })
    }
}

/// The public credits of a report: `credits` in file order, then `reporter.credit` as a
/// finder unless that name is already credited; no empty or `anonymous` name.
pub fn public(report: &Report) -> Vec<PublicCredit> {
    let shown = |name: &str| {
        let name = name.trim();
        (!name.is_empty() && !name.eq_ignore_ascii_case("anonymous")).then(|| name.to_owned())
    };
    let mut out: Vec<PublicCredit> = report
        .credits
        .iter()
        .filter_map(|c| {
            let url = c.url.as_deref().map(str::trim).filter(|u| crate::rules::checks::fields::check_url(u).is_ok());
            Some(credit(shown(&c.name)?, c.kind, url.map(str::to_owned)))
        })
        .collect();
    if let Some(name) = report.reporter.credit.as_deref().and_then(shown)
        && !out.iter().any(|c| c.name == name)
    {
        out.push(credit(name, CreditType::Finder, None));
    }
    out
}

fn credit(name: String, role: CreditType, url: Option<String>) -> PublicCredit {
    PublicCredit { name, kind: role.as_str().to_owned(), label: role.label(), url, role }
}

/// One year of the Acknowledgements page.
#[derive(Debug, Clone, Serialize)]
pub struct ThanksYear {
    pub year: String,
    pub entries: Vec<ThanksEntry>,
}

/// One published advisory and its credits.
#[derive(Debug, Clone, Serialize)]
pub struct ThanksEntry {
    pub id: String,
    pub title: String,
    /// `YYYY-MM-DD`.
    pub published: String,
    pub credits: Vec<PublicCredit>,
}

/// The Acknowledgements page's years, newest first: each published (not withdrawn) advisory
/// with a credit, newest first within its year. `advisories` come newest first.
pub fn thanks(advisories: &[Advisory]) -> Vec<ThanksYear> {
    let mut years: Vec<ThanksYear> = Vec::new();
    let mut entries: Vec<&Advisory> =
        advisories.iter().filter(|a| !a.withdrawn && a.draft.is_none() && !a.credits.is_empty()).collect();
    entries.sort_by(|a, b| b.published.cmp(&a.published).then_with(|| b.id.cmp(&a.id)));
    for a in entries {
        let Some(published) = a.published.clone() else { continue };
        let year = published.get(..4).unwrap_or_default().to_owned();
        let entry = ThanksEntry { id: a.id.clone(), title: a.title.clone(), published, credits: a.credits.clone() };
        match years.last_mut() {
            Some(y) if y.year == year => y.entries.push(entry),
            _ => years.push(ThanksYear { year, entries: vec![entry] }),
        }
    }
    years
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::format::report::Credit;

    fn report(credit: Option<&str>, credits: &[(&str, CreditType)]) -> Report {
        let text = "id: X-2026-0001\ntitle: t\nstate: published\nreported: 2026-01-01\nreporter:\n  name: Rea Porter\n";
        let mut r: Report = serde_yaml::from_str(text).expect("report");
        r.reporter.credit = credit.map(str::to_owned);
        r.credits = credits.iter().map(|(n, k)| Credit { name: (*n).to_owned(), kind: *k, url: None }).collect();
        r
    }

    #[test]
    fn nobody_is_credited_by_default() {
        assert!(public(&report(None, &[])).is_empty(), "the reporter's name is never a credit by itself");
        assert!(public(&report(Some("Anonymous"), &[])).is_empty());
        assert!(public(&report(None, &[("anonymous", CreditType::Finder)])).is_empty());
    }

    #[test]
    fn typed_credits_come_first_and_the_old_credit_is_a_finder() {
        let r = report(Some("Mina"), &[("Ola", CreditType::RemediationDeveloper), ("Mina", CreditType::Reporter)]);
        let names: Vec<(String, String)> = public(&r).into_iter().map(|c| (c.name, c.kind)).collect();
        assert_eq!(names, [("Ola".into(), "remediation_developer".into()), ("Mina".into(), "reporter".into())]);
        let legacy = public(&report(Some("Mina"), &[]));
        assert_eq!((legacy[0].name.as_str(), legacy[0].role), ("Mina", CreditType::Finder));
    }
}
