//! An [`Incoming`] advisory in this repository's terms ([`normalise`]) and the note that says
//! where it came from ([`import_note`]): what `import` files, through `new`'s checks and
//! rendering, for a GitHub security advisory or an OSV record.
//!
//! Decisions (`docs/intake.md`, "GitHub security advisories" and "OSV records"):
//! - **State**: every import starts in `received`, whatever state the channel's own record is
//!   in. A published upstream advisory is news to this team, not an advisory of its own: the
//!   team triages it, and each later step goes through `advance` and its guards (a severity
//!   of its own assessment, a fix, the embargo). The channel's state is kept in the first
//!   timeline entry's note (private), so a bulk `advance` can act on it.
//! - **Products**: a package becomes the `enigm.yaml` product whose name matches (ignoring
//!   case) the package name, else its last part (`@acme/widget`, `org.acme:widget`,
//!   `github.com/acme/widget/v2` → `widget`), else the name of a GitHub repository a
//!   reference points into; with no match the package name stays, and `validate` names it
//!   (`unknown-product`) so the team adds it to `enigm.yaml` or fixes the name.
//! - **Severity**: the vectors as given (a v4.0 vector alone is `cvss`); the channel's level
//!   only when there is no vector, since a level that disagrees with its vector is refused.
//! - **Ids**: CVE and GHSA ids are `aliases`; any other id (`PYSEC-…`, `GO-…`) becomes an
//!   `advisory` reference to its osv.dev page.
//!
//! Nothing here redacts or scans: the importer does that before it writes.

use crate::format::config::Config;
use crate::format::report::{Product, Reference, ReferenceType, SeverityInfo};

use super::{Incoming, Source};

/// `incoming` with its lists in this repository's terms (the decisions above): products
/// named as `enigm.yaml` names them, the channel's own id and every CVE/GHSA id in
/// `aliases`, other ids as osv.dev references, references without repeats, and the level
/// only when there is no vector. `import` files what this returns.
pub fn normalise(incoming: &Incoming, config: &Config) -> Incoming {
    let mut out = incoming.clone();
    let own = match &incoming.source {
        Source::Ghsa { ghsa_id } => Some(ghsa_id),
        Source::Osv { id } => Some(id),
        Source::Email { .. } => None,
    };
    if let Some(own) = own
        && !out.aliases.contains(own)
    {
        out.aliases.insert(0, own.clone());
    }
    let (aliases, mut references) = ids(&out);
    references.extend(incoming.references.iter().cloned());
    let mut seen = Vec::new();
    references.retain(|r| {
        !seen.contains(&r.url) && {
            seen.push(r.url.clone());
            true
        }
    });
    let repositories: Vec<String> = references.iter().filter_map(|r| repository(&r.url)).collect();
    out.products = incoming.products.iter().map(|p| product(p, config, &repositories)).collect();
    out.aliases = aliases;
    out.references = references;
    if let Some(sev) = severity(incoming) {
        (out.cvss, out.cvss_v4, out.level) = (sev.cvss, sev.cvss_v4, sev.level);
    }
    out
}

/// Aliases (CVE and GHSA ids) and osv.dev references for the other ids.
fn ids(incoming: &Incoming) -> (Vec<String>, Vec<Reference>) {
    let mut aliases: Vec<String> = Vec::new();
    let mut refs = Vec::new();
    for id in &incoming.aliases {
        if id.starts_with("CVE-") || id.starts_with("GHSA-") {
            if !aliases.contains(id) {
                aliases.push(id.clone());
            }
        } else if !id.is_empty() && id.chars().all(|c| c.is_ascii_alphanumeric() || "-_.:".contains(c)) {
            refs.push(Reference {
                kind: ReferenceType::Advisory,
                url: format!("{}{id}", crate::format::sealed::OSV_RECORD_URL),
            });
        }
    }
    (aliases, refs)
}

/// The repository name of a `https://github.com/<owner>/<repo>/…` URL.
fn repository(url: &str) -> Option<String> {
    let rest = url.strip_prefix("https://github.com/")?;
    let mut parts = rest.split('/');
    let (_owner, repo) = (parts.next()?, parts.next()?);
    (!repo.is_empty()).then(|| repo.trim_end_matches(".git").to_owned())
}

fn product(p: &Product, config: &Config, repositories: &[String]) -> Product {
    let package = p.package.as_deref().unwrap_or(&p.name);
    let candidates = [package.to_owned(), last_part(package)].into_iter().chain(repositories.iter().cloned());
    let matched = candidates
        .filter(|c| !c.is_empty())
        .find_map(|c| config.products.iter().find(|known| known.name.eq_ignore_ascii_case(&c)));
    Product { name: matched.map_or_else(|| p.name.clone(), |m| m.name.clone()), ..p.clone() }
}

/// The last part of a package name: after the last `/` or `:`, a Go major version suffix
/// (`/v2`) dropped.
fn last_part(package: &str) -> String {
    let trimmed = match package.rsplit_once("/v") {
        Some((head, n)) if !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()) => head,
        _ => package,
    };
    trimmed.rsplit(['/', ':']).next().unwrap_or(trimmed).to_owned()
}

fn severity(incoming: &Incoming) -> Option<SeverityInfo> {
    let (cvss, cvss_v4) = match (&incoming.cvss, &incoming.cvss_v4) {
        (None, Some(v4)) => (Some(v4.clone()), None),
        (v3, v4) => (v3.clone(), v4.clone()),
    };
    let level = incoming.level.filter(|_| cvss.is_none());
    (cvss.is_some() || level.is_some()).then_some(SeverityInfo { cvss, cvss_v4, level })
}

/// The private note on an imported advisory's first timeline entry: where it came from, and
/// its state there in this tool's terms.
pub fn import_note(incoming: &Incoming) -> String {
    let upstream =
        incoming.state.map(|s| format!("; its state there is `{s}` in this tool's terms")).unwrap_or_default();
    match &incoming.source {
        Source::Email { message_id } => format!("Imported from the e-mail {message_id}"),
        Source::Ghsa { ghsa_id } => format!("Imported from the GitHub security advisory {ghsa_id}{upstream}"),
        Source::Osv { id } => format!("Imported from the OSV record {id}{upstream}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::format::config::ConfigSeed;
    use crate::format::intake::{ghsa, osv};

    fn config() -> Config {
        let seed = ConfigSeed {
            id_prefix: "ENIGM".into(),
            organization: "Acme".into(),
            security_contact: "security@acme.example".into(),
            products: vec!["store".into(), "widget".into(), "gateway".into(), "acme-thumbs".into()],
        };
        Config::parse(&seed.render()).expect("config")
    }

    // That every fixture, normalised and filed, passes `validate` is checked through the
    // binary: `cli::advisories::import_files_every_advisory_once_and_a_second_import_is_a_no_op`.

    #[test]
    fn an_advisory_maps_products_ids_and_severity() {
        let published = include_str!("../../../tests/fixtures/ghsa/published.json");
        let item = &ghsa::parse(published.as_bytes()).expect("reads")[0];
        let n = normalise(item, &config());
        let names: Vec<&str> = n.products.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, ["widget", "widget"], "@acme/widget and org.acme:widget-core (by the repository)");
        assert_eq!(n.products[1].package.as_deref(), Some("org.acme:widget-core"));
        assert_eq!(n.aliases, ["GHSA-9wx4-h78v-vm56", "CVE-2026-31337"]);
        assert!(n.cvss.as_deref().is_some_and(|v| v.starts_with("CVSS:3.1/")) && n.cvss_v4.is_some());
        assert_eq!(n.level, None, "a vector gives the level");
        let note = import_note(&n);
        assert!(note.contains("GHSA-9wx4-h78v-vm56") && note.contains("`published`"), "{note}");

        let pysec = include_str!("../../../tests/fixtures/osv/PYSEC.json");
        let n = normalise(&osv::parse(pysec.as_bytes()).expect("reads")[0], &config());
        assert_eq!(n.aliases, ["CVE-2026-40100", "GHSA-5m6q-f2c8-xr9j"], "its own PYSEC id is not an alias");
        assert_eq!(n.references[0].url, "https://osv.dev/vulnerability/PYSEC-2026-112");
        assert_eq!(n.products[0].name, "store", "acme-store by the repository acme/store");
    }

    #[test]
    fn last_parts_of_package_names() {
        for (package, want) in [
            ("@acme/widget", "widget"),
            ("org.acme:widget", "widget"),
            ("github.com/acme/widget/v2", "widget"),
            ("github.com/acme/v2ray", "v2ray"),
            ("plain", "plain"),
        ] {
            assert_eq!(last_part(package), want, "{package}");
        }
    }
}
