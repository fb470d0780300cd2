//! The public face of the site beyond advisories: the disclosure policy (`policy.html`,
//! `policy.md`), the Security Contact page (`contact.html`), the Acknowledgements page
//! (`thanks.html`) and `/.well-known/security.txt`.
//!
//! Every page is rendered from `enigm.yaml`, `policy.md` and the public view of published
//! advisories only ([`crate::publish::public`]), so nothing about an unpublished report can
//! reach them.

use minijinja::{Value, context};

use crate::error::Result;
use crate::format::config::Config;
use crate::publish::public::{Advisory, markdown_html};
use crate::publish::templates::{Renderer, SiteInfo};
use crate::publish::{credits, policy, securitytxt};

/// What the site's public face is made from besides the configuration.
#[derive(Debug, Clone, Copy)]
pub struct FaceInputs<'a> {
    /// The repository's `policy.md`, when it has one.
    pub policy: Option<&'a str>,
    /// The site publishes `csaf/provider-metadata.json`.
    pub csaf: bool,
}

/// The pages, as (path in the site, content). `site` must say whether there is a policy.
pub fn files(
    renderer: &Renderer,
    config: &Config,
    site: &SiteInfo,
    advisories: &[Advisory],
    inputs: FaceInputs<'_>,
) -> Result<Vec<(String, Vec<u8>)>> {
    let site_value = Value::from(minijinja::value::Serde(site));
    let mut files = Vec::new();
    if let Some(source) = inputs.policy {
        let markdown = policy::render_markdown(renderer, source, config)?;
        let ctx = context! { policy_html => markdown_html(&markdown), site => site_value.clone(), root => "", draft => None::<String> };
        files.push(("policy.html".to_owned(), renderer.render("policy.html.j2", ctx)?.into_bytes()));
        files.push(("policy.md".to_owned(), markdown.into_bytes()));
    }
    let txt = securitytxt::fields(config, site, inputs.policy.is_some(), inputs.csaf);
    let face = policy::context(config);
    let ctx = context! {
        organization => face.organization,
        contact => Value::from(minijinja::value::Serde(&face.contact)),
        policy => Value::from(minijinja::value::Serde(&face.policy)),
        has_policy => inputs.policy.is_some(),
        has_security_txt => txt.is_some(),
        site => site_value.clone(),
        root => "",
        draft => None::<String>,
    };
    files.push(("contact.html".to_owned(), renderer.render("contact.html.j2", ctx)?.into_bytes()));
    let years = credits::thanks(advisories);
    let ctx = context! { years => Value::from(minijinja::value::Serde(&years)), site => site_value, root => "", draft => None::<String> };
    files.push(("thanks.html".to_owned(), renderer.render("thanks.html.j2", ctx)?.into_bytes()));
    if let Some(txt) = txt {
        let text = renderer.render("security.txt.j2", Value::from(minijinja::value::Serde(&txt)))?;
        files.push((policy::PAGES.security_txt.to_owned(), text.into_bytes()));
    }
    Ok(files)
}

/// Why parts of the public face are left out (for the render's notes).
pub fn notes(config: &Config, has_policy: bool) -> Vec<String> {
    let mut notes = Vec::new();
    if !has_policy {
        notes.push(format!(
            "{} not written: the repository has no {} (`init` adds the built-in one, also to an existing repository)",
            policy::PAGES.policy,
            crate::layout::POLICY_FILE
        ));
    }
    if config.contact.expires_at().is_none() {
        notes.push(".well-known/security.txt not written: it needs `contact.expires` in enigm.yaml".to_owned());
    }
    notes
}
