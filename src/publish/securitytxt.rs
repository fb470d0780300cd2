//! `/.well-known/security.txt` (RFC 9116): where and how to report, machine-readable.
//!
//! Built from the same values as the contact page (`contact` and `organization` in
//! `enigm.yaml`): one `Contact` per channel, `Expires` from `contact.expires` (in UTC), and,
//! when the site has a public address (`render.base_url`), `Acknowledgments`, `Canonical`,
//! `Policy` and, when the site publishes CSAF provider metadata, the `CSAF` line of CSAF 2.0
//! (section 7.1.8). Without `contact.expires` no file is written: the field is required and
//! the site is rendered without a clock. The file is written unsigned.

use serde::Serialize;

use crate::format::config::Config;
use crate::publish::policy::{self, PAGES};
use crate::publish::templates::SiteInfo;

/// The variables of `security.txt.j2` (documented in `docs/templates.md`).
#[derive(Debug, Clone, Serialize)]
pub struct SecurityTxt {
    pub organization: String,
    /// Contact URIs, the primary first.
    pub contacts: Vec<String>,
    /// `2027-06-30T00:00:00Z`.
    pub expires: String,
    pub encryption: Option<String>,
    pub acknowledgments: Option<String>,
    /// `en, de`, or none.
    pub preferred_languages: Option<String>,
    pub canonical: Vec<String>,
    pub policy: Option<String>,
    pub csaf: Option<String>,
}

/// The file's values, or `None` without a valid `contact.expires`. `has_policy`: the site
/// publishes `policy.html`; `csaf`: it publishes `csaf/provider-metadata.json`.
pub fn fields(config: &Config, site: &SiteInfo, has_policy: bool, csaf: bool) -> Option<SecurityTxt> {
    let expires = config.contact.expires_at()?.with_timezone(&chrono::Utc).format("%Y-%m-%dT%H:%M:%SZ").to_string();
    let base = Some(site.base_url.as_str()).filter(|b| b.starts_with("https://") || b.starts_with("http://"));
    let url = |page: &str| base.map(|b| format!("{b}{page}"));
    let canonical: Vec<String> = if config.contact.canonical.is_empty() {
        url(PAGES.security_txt).into_iter().collect()
    } else {
        config.contact.canonical.iter().map(|u| u.trim().to_owned()).collect()
    };
    let context = policy::context(config);
    let languages = config.contact.languages.join(", ");
    let one_line = |v: String| (!v.chars().any(char::is_control)).then_some(v);
    Some(SecurityTxt {
        organization: context.organization.replace(|c: char| c.is_control(), " "),
        contacts: context.contact.channels.into_iter().filter_map(|c| one_line(c.uri)).collect(),
        expires,
        encryption: config.contact.encryption.clone().and_then(one_line),
        acknowledgments: url(PAGES.thanks).and_then(one_line),
        preferred_languages: Some(languages).filter(|l| !l.is_empty()),
        canonical: canonical.into_iter().filter_map(one_line).collect(),
        policy: url(PAGES.policy).filter(|_| has_policy).and_then(one_line),
        csaf: url("csaf/provider-metadata.json").filter(|_| csaf).and_then(one_line),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::format::config::ConfigSeed;

    fn config(extra: &str) -> Config {
        let seed = ConfigSeed {
            id_prefix: "ACME".into(),
            organization: "Acme Corp".into(),
            security_contact: "security@acme.test".into(),
            products: vec![],
        };
        let text = seed.render_expiring(Some(chrono::NaiveDate::from_ymd_opt(2027, 6, 30).expect("date")));
        Config::parse(&text.replace("# base_url: https://security.example.com/advisories/", extra)).expect("config")
    }

    #[test]
    fn without_a_base_url_only_the_fields_that_need_none_are_given() {
        let c = config("");
        let f = fields(&c, &SiteInfo::from_config(&c), true, true).expect("expires is set");
        assert_eq!(f.contacts, ["mailto:security@acme.test"]);
        assert_eq!(f.expires, "2027-06-30T00:00:00Z");
        assert!(f.canonical.is_empty() && f.policy.is_none() && f.csaf.is_none() && f.acknowledgments.is_none());
    }

    #[test]
    fn with_a_base_url_the_pages_are_linked() {
        let c = config("base_url: https://security.acme.test/");
        let f = fields(&c, &SiteInfo::from_config(&c), true, true).expect("expires is set");
        assert_eq!(f.canonical, ["https://security.acme.test/.well-known/security.txt"]);
        assert_eq!(f.policy.as_deref(), Some("https://security.acme.test/policy.html"));
        assert_eq!(f.csaf.as_deref(), Some("https://security.acme.test/csaf/provider-metadata.json"));
        let f = fields(&c, &SiteInfo::from_config(&c), false, false).expect("expires is set");
        assert!(f.policy.is_none() && f.csaf.is_none());
    }
}
