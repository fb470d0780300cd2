//! Rendering advisories: templates, the static site, OSV, CSAF and CVE records (and the
//! messages to reporters, `templates/messages/`, through the same environment).
//!
//! One [`Renderer`] owns the minijinja environment: the built-in templates (embedded from
//! `templates/`) and any file of the same name in the repository's own `templates/`, which
//! overrides it. Undefined variables are errors, HTML and XML templates autoescape, rendering
//! is bounded (fuel, recursion) so a hostile template cannot hang CI, and templates have no
//! file system or network access. Errors point at the template file, line and source.

use std::fs;
use std::path::Path;

use miette::NamedSource;
use minijinja::{AutoEscape, Environment, UndefinedBehavior, Value};
use serde::Serialize;

use crate::error::{Error, Result, TemplateProblem};
use crate::format::config::Config;
use crate::layout::TEMPLATES_DIR;
use crate::publish::public::Advisory;

/// The built-in templates: name and source.
pub const BUILTIN: &[(&str, &str)] = &[
    ("base.html.j2", include_str!("../../templates/base.html.j2")),
    ("_style.css.j2", include_str!("../../templates/_style.css.j2")),
    ("_macros.j2", include_str!("../../templates/_macros.j2")),
    ("advisory.html.j2", include_str!("../../templates/advisory.html.j2")),
    ("advisory.md.j2", include_str!("../../templates/advisory.md.j2")),
    ("index.html.j2", include_str!("../../templates/index.html.j2")),
    ("feed.xml.j2", include_str!("../../templates/feed.xml.j2")),
    ("dashboard.html.j2", include_str!("../../templates/dashboard.html.j2")),
    ("aggregate.html.j2", include_str!("../../templates/aggregate.html.j2")),
    ("policy.html.j2", include_str!("../../templates/policy.html.j2")),
    ("contact.html.j2", include_str!("../../templates/contact.html.j2")),
    ("thanks.html.j2", include_str!("../../templates/thanks.html.j2")),
    ("security.txt.j2", include_str!("../../templates/security.txt.j2")),
    // Messages to reporters (`reply`, [`super::messages`]): plain text, never escaped.
    ("messages/_signature.j2", include_str!("../../templates/messages/_signature.j2")),
    ("messages/acknowledgement.j2", include_str!("../../templates/messages/acknowledgement.j2")),
    ("messages/needs-info.j2", include_str!("../../templates/messages/needs-info.j2")),
    ("messages/triaged.j2", include_str!("../../templates/messages/triaged.j2")),
    ("messages/confirmed.j2", include_str!("../../templates/messages/confirmed.j2")),
    ("messages/not-a-vulnerability.j2", include_str!("../../templates/messages/not-a-vulnerability.j2")),
    ("messages/expected-behavior.j2", include_str!("../../templates/messages/expected-behavior.j2")),
    ("messages/duplicate.j2", include_str!("../../templates/messages/duplicate.j2")),
    ("messages/known-issue.j2", include_str!("../../templates/messages/known-issue.j2")),
    ("messages/unsupported-configuration.j2", include_str!("../../templates/messages/unsupported-configuration.j2")),
    ("messages/outside-control.j2", include_str!("../../templates/messages/outside-control.j2")),
    ("messages/out-of-scope.j2", include_str!("../../templates/messages/out-of-scope.j2")),
    ("messages/fixed.j2", include_str!("../../templates/messages/fixed.j2")),
    ("messages/published.j2", include_str!("../../templates/messages/published.j2")),
    ("messages/credit.j2", include_str!("../../templates/messages/credit.j2")),
];

/// Instruction budget for one render: far above any real page, far below a runaway loop.
const FUEL: u64 = 50_000_000;

/// Largest output of one render. The index of 100,000 advisories is about 40 MB; a template
/// that repeats a large string cannot use memory beyond this (and the memory a render holds
/// is bounded too: [`super::sandbox`]).
pub const MAX_OUTPUT: usize = 64 * 1024 * 1024;

/// Instructions all renders of one [`Renderer`] may use together, beyond
/// [`FUEL_PER_PAGE`] for each page it was told about: a template that burns most of its
/// per-render fuel on every one of 10,000 pages stops after a few pages instead of hours.
const FUEL_BASE: u64 = 100_000_000;

/// Site-wide instructions granted per page (a real advisory page uses a few thousand).
pub const FUEL_PER_PAGE: u64 = 500_000;

/// Site-wide template variables.
#[derive(Debug, Clone, Serialize)]
pub struct SiteInfo {
    pub title: String,
    pub organization: String,
    pub contact: String,
    /// Public URL of the site, ending in `/` (empty when not configured).
    pub base_url: String,
    /// Atom feed id: the base URL, or a `urn:` built from the organisation.
    pub feed_id: String,
    /// The site publishes the disclosure policy (`policy.html`): the repository has a `policy.md`.
    pub has_policy: bool,
}

impl SiteInfo {
    /// From the configuration.
    pub fn from_config(config: &Config) -> Self {
        let org = &config.organization.name;
        let base_url = config
            .render
            .base_url
            .clone()
            .map(|u| if u.ends_with('/') { u } else { format!("{u}/") })
            .unwrap_or_default();
        let feed_id = if base_url.is_empty() {
            let slug: String =
                org.chars().map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '-' }).collect();
            format!("urn:enigm-disclose:{slug}")
        } else {
            base_url.clone()
        };
        SiteInfo {
            title: config.render.site_title.clone().unwrap_or_else(|| format!("{org} security advisories")),
            organization: org.clone(),
            contact: config.organization.security_contact.clone(),
            base_url,
            feed_id,
            has_policy: false,
        }
    }
}

/// The template environment.
pub struct Renderer {
    env: Environment<'static>,
    /// A hash of every template's source ([`Renderer::fingerprint`]).
    fingerprint: String,
    /// Instructions used so far by all renders, and the limit ([`Renderer::plan_pages`]).
    spent: std::sync::atomic::AtomicU64,
    budget: std::sync::atomic::AtomicU64,
}

impl Renderer {
    /// Built-in templates, overridden by same-named files in `root/templates/`.
    pub fn new(root: Option<&Path>) -> Result<Renderer> {
        let mut env = Environment::new();
        env.set_undefined_behavior(UndefinedBehavior::Strict);
        env.set_auto_escape_callback(|name| {
            if name.contains(".html") || name.contains(".xml") { AutoEscape::Html } else { AutoEscape::None }
        });
        env.set_fuel(Some(FUEL));
        env.set_recursion_limit(64);
        env.set_syntax(
            minijinja::syntax::SyntaxConfig::builder()
                .keep_trailing_newline(true)
                .build()
                .expect("default syntax is valid"),
        );
        let mut hash = <sha2::Sha256 as sha2::Digest>::new();
        for (name, source) in BUILTIN {
            let source = match root {
                Some(root) => override_source(root, name)?.unwrap_or_else(|| (*source).to_owned()),
                None => (*source).to_owned(),
            };
            for part in [name.as_bytes(), &[0], source.as_bytes(), &[0]] {
                sha2::Digest::update(&mut hash, part);
            }
            let owned = source.clone();
            env.add_template_owned(*name, source).map_err(|e| template_error(&e, name, &owned))?;
        }
        let fingerprint = sha2::Digest::finalize(hash).iter().map(|b| format!("{b:02x}")).collect();
        Ok(Renderer {
            env,
            fingerprint,
            spent: std::sync::atomic::AtomicU64::new(0),
            budget: std::sync::atomic::AtomicU64::new(FUEL_BASE),
        })
    }

    /// A hash of every template's source, built-in or overridden: what a cache of rendered
    /// pages must match.
    pub fn fingerprint(&self) -> &str {
        &self.fingerprint
    }

    /// Grants the site-wide instruction budget for `pages` renders.
    pub fn plan_pages(&self, pages: usize) {
        let budget = FUEL_BASE.saturating_add(FUEL_PER_PAGE.saturating_mul(pages as u64));
        self.budget.store(budget, std::sync::atomic::Ordering::Relaxed);
    }

    /// Renders template `name` with `context`.
    pub fn render(&self, name: &str, context: Value) -> Result<String> {
        use std::sync::atomic::Ordering;
        let template = self.env.get_template(name).map_err(|e| template_error(&e, name, ""))?;
        let static_name = BUILTIN.iter().find(|(n, _)| *n == name).map_or("(unknown)", |(n, _)| *n);
        let guard = super::sandbox::Guard::enter(static_name);
        let mut sink = Bounded { out: Vec::new(), limit: MAX_OUTPUT, full: false };
        let captured = template.render_captured_to(context, &mut sink);
        drop(guard);
        let captured = captured.map_err(|e| {
            let failing = e.name().unwrap_or(name).to_owned();
            let source = self.env.get_template(&failing).map(|t| t.source().to_owned()).unwrap_or_default();
            if sink.full {
                return budget_error(&failing, format!("its output passed {} MiB", MAX_OUTPUT >> 20));
            }
            template_error(&e, &failing, &source)
        })?;
        let used = captured.state().fuel_levels().map_or(0, |(consumed, _)| consumed);
        drop(captured);
        let spent = self.spent.fetch_add(used, Ordering::Relaxed) + used;
        let budget = self.budget.load(Ordering::Relaxed);
        if spent > budget {
            return Err(budget_error(name, format!("the templates used more than {budget} instructions in all")));
        }
        let out = String::from_utf8(sink.out).map_err(|_| budget_error(name, "its output is not UTF-8".into()))?;
        // Autoescaping also writes `/` as `&#x2f;`; `/` needs no escaping in HTML or XML text
        // or attributes, and a `&#x2f;` typed in a report arrives as `&amp;#x2f;`.
        Ok(if name.contains(".html") || name.contains(".xml") { out.replace("&#x2f;", "/") } else { out })
    }

    /// Renders `source`, a template kept outside `templates/` (the repository's `policy.md`),
    /// with the same rules (strict undefined, fuel, bounded memory); errors name `file`.
    pub fn render_source(&self, file: &'static str, source: &str, context: Value) -> Result<String> {
        let error = |e: &minijinja::Error| template_error_at(e, file, file, source);
        let template = self.env.template_from_named_str(file, source).map_err(|e| error(&e))?;
        let guard = super::sandbox::Guard::enter(file);
        let out = template.render(context);
        drop(guard);
        let out = out.map_err(|e| error(&e))?;
        if out.len() > MAX_OUTPUT {
            return Err(budget_error(file, format!("its output passed {} MiB", MAX_OUTPUT >> 20)));
        }
        Ok(out)
    }

    /// One advisory page (`advisory.html.j2` or `advisory.md.j2`); `root` is the relative
    /// path to the site root (`../` from `advisories/`).
    pub fn advisory(&self, template: &str, advisory: &Advisory, site: &SiteInfo, root: &str) -> Result<String> {
        let ctx = minijinja::context! {
            advisory => Value::from(minijinja::value::Serde(advisory)),
            site => Value::from(minijinja::value::Serde(site)),
            root => root,
            draft => advisory.draft.clone(),
        };
        self.render(template, ctx)
    }
}

/// The repository's own `templates/<name>`, if there is one. A link (the directory or the
/// file) is refused, and only a regular file is read (a FIFO would hang the render).
fn override_source(root: &Path, name: &str) -> Result<Option<String>> {
    let rel = Path::new(TEMPLATES_DIR).join(name);
    let path = root.join(&rel);
    crate::layout::no_links(root, &rel).map_err(Error::io(format!("cannot read {}", rel.display())))?;
    if fs::symlink_metadata(&path).is_err() {
        return Ok(None);
    }
    let bytes = crate::layout::read_regular(&path, MAX_TEMPLATE_BYTES)
        .map_err(Error::io(format!("cannot read {}", rel.display())))?;
    String::from_utf8(bytes)
        .map(Some)
        .map_err(|_| Error::usage(format!("{} is not valid UTF-8", rel.display()), "save the template as UTF-8"))
}

/// Largest template file read from the repository.
const MAX_TEMPLATE_BYTES: u64 = 1024 * 1024;

/// Collects a render's output up to `limit` bytes, then refuses (which stops the render).
struct Bounded {
    out: Vec<u8>,
    limit: usize,
    /// A write was refused for passing the limit.
    full: bool,
}

impl std::io::Write for Bounded {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.out.len() + buf.len() > self.limit {
            self.full = true;
            return Err(std::io::Error::other("template output limit reached"));
        }
        self.out.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// A template stopped for using too much: output or instructions.
fn budget_error(name: &str, why: String) -> Error {
    Error::Template(Box::new(TemplateProblem {
        message: format!("template {name} was stopped: {why} (a runaway loop or repetition?)"),
        source: None,
        span: None,
    }))
}

fn template_error(e: &minijinja::Error, name: &str, source: &str) -> Error {
    template_error_at(e, name, &format!("templates/{name}"), source)
}

/// A template error shown in `shown` (the file's path in the repository).
fn template_error_at(e: &minijinja::Error, name: &str, shown: &str, source: &str) -> Error {
    let span = e.range().or_else(|| e.line().map(|l| line_range(source, l)));
    Error::Template(Box::new(TemplateProblem {
        message: format!(
            "template {name}: {}",
            e.detail().map_or_else(|| e.kind().to_string(), |d| format!("{} ({d})", e.kind()))
        ),
        source: (!source.is_empty()).then(|| NamedSource::new(shown, source.to_owned())),
        span,
    }))
}

fn line_range(source: &str, line: usize) -> std::ops::Range<usize> {
    let start: usize = source.split_inclusive('\n').take(line.saturating_sub(1)).map(str::len).sum();
    let len = source[start.min(source.len())..].find('\n').unwrap_or(source.len() - start.min(source.len()));
    start..start + len
}

/// Copies the built-in templates into `root/templates/` (never overwriting a file).
pub fn export_templates(root: &Path) -> Result<Vec<String>> {
    let dir = root.join(TEMPLATES_DIR);
    crate::layout::no_links(root, Path::new(TEMPLATES_DIR)).map_err(Error::io("cannot write the templates"))?;
    fs::create_dir_all(&dir).map_err(Error::io(format!("cannot create {}", dir.display())))?;
    let mut written = Vec::new();
    // The combined site of `aggregate` belongs to no repository: no repository's copy is used.
    for (name, source) in BUILTIN.iter().filter(|(name, _)| *name != "aggregate.html.j2") {
        let path = dir.join(name);
        if let Some(parent) = path.parent().filter(|p| *p != dir) {
            crate::layout::no_links(root, &Path::new(TEMPLATES_DIR).join(parent.strip_prefix(&dir).unwrap_or(parent)))
                .map_err(Error::io("cannot write the templates"))?;
            fs::create_dir_all(parent).map_err(Error::io(format!("cannot create {}", parent.display())))?;
        }
        match crate::store::files::create_atomic(&path, source.as_bytes()) {
            Ok(()) => written.push((*name).to_owned()),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
            Err(e) => return Err(Error::io(format!("cannot write {}", path.display()))(e)),
        }
    }
    Ok(written)
}
