//! The disclosure policy, the Security Contact page and the values both are rendered from.
//!
//! `policy.md` at the repository root is a minijinja template (Markdown): its deadlines, the
//! contact channels, the encryption key and the out-of-scope list are variables filled from
//! `enigm.yaml`, so the published policy says what the tool enforces and changes in the same
//! commit as the configuration. `init` writes the built-in text ([`BUILTIN`]); `validate`
//! renders it with [`check`] (every variable must exist); the site publishes it as
//! `policy.md` and `policy.html`, and the contact page from the same [`PolicyContext`].

use std::path::Path;

use serde::Serialize;

use crate::error::{Error, Result};
use crate::format::config::{Config, Policy};
use crate::format::contact;
use crate::format::finding::{Code, Finding};
use crate::layout::POLICY_FILE;
use crate::publish::templates::{Renderer, SiteInfo};

/// The policy text `init` writes as `policy.md`.
pub const BUILTIN: &str = include_str!("../../templates/policy.md.j2");

/// Largest `policy.md` read.
const MAX_POLICY_BYTES: u64 = 1024 * 1024;

/// The variables of `policy.md` and `contact.html.j2` (documented in `docs/templates.md`).
#[derive(Debug, Clone, Serialize)]
pub struct PolicyContext {
    pub organization: String,
    pub contact: ContactInfo,
    pub policy: Deadlines,
    pub pages: Pages,
    pub site: SiteInfo,
}

/// How to reach the organisation.
#[derive(Debug, Clone, Serialize)]
pub struct ContactInfo {
    /// `organization.security_contact` as configured.
    pub primary: String,
    /// Every channel, the primary first.
    pub channels: Vec<Channel>,
    pub encryption: Option<String>,
    pub fingerprint: Option<String>,
    /// Language tags (`contact.languages`).
    pub languages: Vec<String>,
    /// The same languages by name (`German` for `de`; an unknown tag as written).
    pub language_names: Vec<String>,
}

/// One way to report.
#[derive(Debug, Clone, Serialize)]
pub struct Channel {
    /// `mailto:security@example.com`, `https://…`, `tel:…`.
    pub uri: String,
    /// As people read it: the address without `mailto:`, the URL, the number.
    pub text: String,
    /// `email`, `web` or `phone`.
    pub kind: &'static str,
    /// As a Markdown autolink (`<security@example.com>`, `<https://…>`), or the number.
    pub markdown: String,
}

/// The policy's deadlines, as numbers and as phrases (`3 business days`).
#[derive(Debug, Clone, Serialize)]
pub struct Deadlines {
    pub acknowledge_days: u32,
    pub triage_days: u32,
    pub publish_days: u32,
    pub grace_days: u32,
    pub business_days: bool,
    /// `business days` or `days`.
    pub unit: &'static str,
    pub acknowledge: String,
    pub triage: String,
    pub publish: String,
    pub grace: String,
    /// Per severity level: `critical`, `high`, `medium`, `low`, `none`.
    pub fix: FixPhrases,
    /// One sentence saying how days are counted.
    pub counting: &'static str,
    pub out_of_scope: Vec<String>,
    /// Every product of `products` with its deadlines, when any has its own policy
    /// (`policy.products`); empty when they all follow this one.
    pub products: Vec<ProductDeadlines>,
}

/// One product's deadlines on the policy page.
#[derive(Debug, Clone, Serialize)]
pub struct ProductDeadlines {
    pub name: String,
    /// True when `policy.products` gives the product its own deadlines.
    pub own: bool,
    /// The same fields as `policy` (its `out_of_scope` and `products` are empty).
    #[serde(flatten)]
    pub deadlines: Deadlines,
}

/// Fix deadlines as phrases.
#[derive(Debug, Clone, Serialize)]
pub struct FixPhrases {
    pub critical: String,
    pub high: String,
    pub medium: String,
    pub low: String,
    pub none: String,
}

/// The public pages, relative to the site root.
#[derive(Debug, Clone, Serialize)]
pub struct Pages {
    pub advisories: &'static str,
    pub policy: &'static str,
    pub contact: &'static str,
    pub thanks: &'static str,
    pub security_txt: &'static str,
}

/// The site's public pages.
pub const PAGES: Pages = Pages {
    advisories: "index.html",
    policy: "policy.html",
    contact: "contact.html",
    thanks: "thanks.html",
    security_txt: ".well-known/security.txt",
};

/// The sentence of the policy that says what the configured day counts mean.
const CALENDAR: &str = "All periods in this policy are calendar days, counted from the day we receive your report.";
const BUSINESS: &str = "All periods in this policy are business days (Monday to Friday; public holidays are not \
                        excluded), counted from the day we receive your report.";

/// The values the policy and the contact page are rendered from.
pub fn context(config: &Config) -> PolicyContext {
    let c = &config.contact;
    let primary = config.organization.security_contact.trim().to_owned();
    let mut uris = vec![contact::uri(&primary)];
    for uri in c.channels.iter().map(|u| contact::uri(u)) {
        if !uris.iter().any(|u| u.eq_ignore_ascii_case(&uri)) {
            uris.push(uri);
        }
    }
    PolicyContext {
        organization: config.organization.name.clone(),
        contact: ContactInfo {
            primary,
            channels: uris.into_iter().map(channel).collect(),
            encryption: c.encryption.clone(),
            fingerprint: c.fingerprint.clone(),
            languages: c.languages.clone(),
            language_names: c.languages.iter().map(|l| language_name(l)).collect(),
        },
        policy: Deadlines { products: product_deadlines(config), ..deadlines(&config.policy) },
        pages: PAGES,
        site: SiteInfo::from_config(config),
    }
}

fn channel(uri: String) -> Channel {
    let lower = uri.to_ascii_lowercase();
    let (kind, text) = if lower.starts_with("mailto:") {
        ("email", uri["mailto:".len()..].to_owned())
    } else if lower.starts_with("tel:") {
        ("phone", uri["tel:".len()..].to_owned())
    } else {
        ("web", uri.clone())
    };
    let markdown = if kind == "phone" { text.clone() } else { format!("<{text}>") };
    Channel { uri, text, kind, markdown }
}

/// English names of common language tags, for the policy's prose; other tags stay as written.
const LANGUAGES: &[(&str, &str)] = &[
    ("ar", "Arabic"),
    ("cs", "Czech"),
    ("da", "Danish"),
    ("de", "German"),
    ("el", "Greek"),
    ("en", "English"),
    ("es", "Spanish"),
    ("fi", "Finnish"),
    ("fr", "French"),
    ("he", "Hebrew"),
    ("hi", "Hindi"),
    ("hu", "Hungarian"),
    ("it", "Italian"),
    ("ja", "Japanese"),
    ("ko", "Korean"),
    ("nl", "Dutch"),
    ("no", "Norwegian"),
    ("pl", "Polish"),
    ("pt", "Portuguese"),
    ("ro", "Romanian"),
    ("ru", "Russian"),
    ("sv", "Swedish"),
    ("tr", "Turkish"),
    ("uk", "Ukrainian"),
    ("zh", "Chinese"),
];

fn language_name(tag: &str) -> String {
    LANGUAGES.iter().find(|(t, _)| t.eq_ignore_ascii_case(tag)).map_or_else(|| tag.to_owned(), |(_, n)| (*n).to_owned())
}

/// Each configured product's deadlines, when one of them has its own policy.
fn product_deadlines(config: &Config) -> Vec<ProductDeadlines> {
    if !config.products.iter().any(|p| config.policy.products.contains_key(&p.name)) {
        return Vec::new();
    }
    config
        .products
        .iter()
        .map(|product| {
            let own = config.policy.for_product(&product.name);
            let mut d = deadlines(own.as_ref().unwrap_or(&config.policy));
            d.out_of_scope.clear();
            ProductDeadlines { name: product.name.clone(), own: own.is_some(), deadlines: d }
        })
        .collect()
}

fn deadlines(p: &Policy) -> Deadlines {
    let unit = if p.business_days { "business days" } else { "days" };
    let phrase = |n: u32| match (n, p.business_days) {
        (1, true) => "1 business day".to_owned(),
        (1, false) => "1 day".to_owned(),
        (n, _) => format!("{n} {unit}"),
    };
    let f = &p.fix_days;
    Deadlines {
        acknowledge_days: p.acknowledge_days,
        triage_days: p.triage_days,
        publish_days: p.publish_days,
        grace_days: p.grace_days,
        business_days: p.business_days,
        unit,
        acknowledge: phrase(p.acknowledge_days),
        triage: phrase(p.triage_days),
        publish: phrase(p.publish_days),
        grace: phrase(p.grace_days),
        fix: FixPhrases {
            critical: phrase(f.critical),
            high: phrase(f.high),
            medium: phrase(f.medium),
            low: phrase(f.low),
            none: phrase(f.none),
        },
        counting: if p.business_days { BUSINESS } else { CALENDAR },
        out_of_scope: p.out_of_scope.clone(),
        products: Vec::new(),
    }
}

/// The repository's `policy.md`, when there is one (never through a link, only a regular file).
pub fn read_source(root: &Path) -> Result<Option<String>> {
    let rel = Path::new(POLICY_FILE);
    crate::layout::no_links(root, rel).map_err(Error::io(format!("cannot read {POLICY_FILE}")))?;
    if std::fs::symlink_metadata(root.join(rel)).is_err() {
        return Ok(None);
    }
    let bytes = crate::layout::read_regular(&root.join(rel), MAX_POLICY_BYTES)
        .map_err(Error::io(format!("cannot read {POLICY_FILE}")))?;
    String::from_utf8(bytes)
        .map(Some)
        .map_err(|_| Error::usage(format!("{POLICY_FILE} is not valid UTF-8"), "save it as UTF-8"))
}

/// `policy.md` rendered: the Markdown the site publishes.
pub fn render_markdown(renderer: &Renderer, source: &str, config: &Config) -> Result<String> {
    let ctx = minijinja::Value::from(minijinja::value::Serde(context(config)));
    renderer.render_source(POLICY_FILE, source, ctx)
}

/// `validate`'s check of `policy.md`: it must render, with every variable defined. A problem
/// is one `policy-template` finding at its place in the file.
pub fn check(source: &str, config: &Config) -> Vec<Finding> {
    let renderer = match Renderer::new(None) {
        Ok(r) => r,
        Err(e) => return vec![finding(e.to_string(), None)],
    };
    match render_markdown(&renderer, source, config) {
        Ok(_) => Vec::new(),
        Err(Error::Template(problem)) => {
            let message = problem.message.trim_start_matches("template ").to_owned();
            vec![finding(message, problem.span.clone())]
        }
        Err(e) => vec![finding(e.to_string(), None)],
    }
}

fn finding(message: String, span: Option<std::ops::Range<usize>>) -> Finding {
    Finding::error(Code::PolicyTemplate, Path::new(POLICY_FILE), span, message).with_help(
        "use only the variables docs/templates.md lists for policy.md (\"The policy\"), or restore the built-in text from templates/policy.md.j2",
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::format::config::ConfigSeed;

    fn config() -> Config {
        let seed = ConfigSeed {
            id_prefix: "ACME".into(),
            organization: "Acme Corp".into(),
            security_contact: "security@acme.test".into(),
            products: vec![],
        };
        Config::parse(&seed.render()).expect("config")
    }

    #[test]
    fn the_built_in_policy_renders_every_section_with_the_configured_deadlines() {
        let mut c = config();
        let text = render_markdown(&Renderer::new(None).expect("renderer"), BUILTIN, &c).expect("renders");
        for heading in [
            "## Overview and goals",
            "## Good-faith security research",
            "## How to report a vulnerability",
            "## Disclosure principles",
            "## Investigation process",
            "## Coordinated disclosure and timing",
            "## Out of scope",
            "## No bounty",
            "## Limitations",
        ] {
            assert!(text.contains(heading), "{heading} missing");
        }
        assert!(text.contains("within\n3 days"), "{text}");
        assert!(text.contains("security@acme.test"));
        c.policy.business_days = true;
        c.policy.acknowledge_days = 1;
        let text = render_markdown(&Renderer::new(None).expect("renderer"), BUILTIN, &c).expect("renders");
        assert!(text.contains("within\n1 business day,"), "{text}");
        assert!(text.contains("business days (Monday to Friday"));
    }

    #[test]
    fn each_products_deadlines_are_listed_when_one_has_its_own() {
        let renderer = Renderer::new(None).expect("renderer");
        let mut c = config();
        let plain = render_markdown(&renderer, BUILTIN, &c).expect("renders");
        assert!(!plain.contains("Each product's own"), "no table without an override");
        for name in ["firmware", "cloud"] {
            c.products.push(crate::format::config::ProductConfig { name: name.into(), components: vec![] });
        }
        let o: crate::format::config::PolicyOverride =
            serde_yaml::from_str("fix_days: {critical: 7, high: 20}\npublish_days: 45\nbusiness_days: true")
                .expect("override");
        c.policy.products.insert("firmware".into(), o);
        let text = render_markdown(&renderer, BUILTIN, &c).expect("renders");
        assert!(
            text.contains("| firmware | 3 business days | 10 business days | 7 business days | 20 business days | 90 business days | 90 business days | 45 business days |"),
            "{text}"
        );
        assert!(
            text.contains("| cloud | 3 days | 10 days | 30 days | 60 days | 90 days | 90 days | 90 days |"),
            "{text}"
        );
        assert!(check(BUILTIN, &c).is_empty());
    }

    #[test]
    fn an_unknown_variable_is_a_located_finding() {
        let source = "# Policy\n\nWe answer within {{ policy.acknowledge_dayz }}.\n";
        let found = check(source, &config());
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].code, Code::PolicyTemplate);
        let span = found[0].span.clone().expect("located");
        assert!(source[span].contains("acknowledge_dayz"), "{:?}", found[0]);
        assert!(check(BUILTIN, &config()).is_empty());
    }
}
