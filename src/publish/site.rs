//! The static advisory site: index, one page (HTML and Markdown), one OSV record and one CSAF
//! document per public advisory, its VEX documents (OpenVEX and CSAF `csaf_vex`: all a VEX-only
//! statement gets, [`super::openvex`]), one CVE record per CVE alias (with `render.cve_org_id`), an
//! Atom feed, `osv/all.json` (every OSV record's id and `modified`, for OSV.dev to import), the
//! index filtered by product, severity and year ([`super::facets`]), a CSAF provider directory
//! and the public face ([`super::face`]: policy, contact, acknowledgements, `security.txt`); and one
//! advisory on its own in any of those formats or as a CVE record ([`render_one`]), built by
//! the same code as the site's files.
//!
//! Only reports in state `published` or `withdrawn` are read into the site, through the public
//! view. Output is deterministic (sorted, no clock), so re-rendering gives the same bytes and
//! CI diffs stay clean. The site directory keeps a manifest (`.enigm-site`) of the files the
//! tool wrote: files no longer produced are removed only if they are in it, so nothing the
//! tool did not write is ever deleted, and never outside the directory. The site is streamed:
//! advisories are rendered a batch at a time and their files written before the next batch,
//! so memory holds the advisories' public views and one batch of pages, never the whole site;
//! the manifest is written last.
//!
//! With a signing key ([`SitePlan::signed`]) the site is a trusted distribution: hashes and
//! OpenPGP signatures of what it distributes, the public key, a signed `security.txt`
//! ([`super::distribution`]); signatures of unchanged files are kept as they are.
//!
//! What the site needs from git (the reports changed since a revision, the revisions of each
//! advisory, which date every "last updated" and the CSAF documents) is read by the caller
//! between [`plan`] and [`build`] and handed in as data: this module never opens the
//! repository.

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;

use super::csaf::tracking::{History, Tracking};
use super::csaf::{self, Publisher, provider};
use super::distribution::{self, Trust};
use super::templates::{Renderer, SiteInfo};
use super::{cve, facets, openvex, osv, revisions};
use pages::PageCache;
use reports::ReportState;

pub mod pages;
pub mod reports;
mod rows;
use crate::error::{Error, Result};
use crate::format::config::Config;
use crate::format::report::{Document, Report};
use crate::layout::{REPORTS_DIR, SITE_MANIFEST};
use crate::publish::public::{self, Advisory, CveFile};
use crate::store::files;
use crate::store::scan::report_paths;
use crate::store::statcache::Stat;

/// The filter script of the index page (a local file: nothing is fetched from elsewhere).
const FILTER_JS: &str = include_str!("../../templates/assets/filter.js");

/// What to build.
#[derive(Debug, Clone)]
pub struct SiteRequest {
    pub out: PathBuf,
    /// Render advisory pages only for these reports (ids; those changed since a revision).
    pub only: Option<HashSet<String>>,
    /// Compare instead of writing.
    pub check: bool,
}

/// What happened.
#[derive(Debug, Default)]
pub struct SiteOutcome {
    pub advisories: usize,
    pub written: Vec<String>,
    pub unchanged: usize,
    pub removed: Vec<String>,
    /// With `check`: files that are missing, different or stale.
    pub out_of_date: Vec<String>,
    /// Public reports that could not be read (invalid): not rendered.
    pub skipped: Vec<Skipped>,
    /// Parts of the site that were left out, and why (configuration missing).
    pub notes: Vec<String>,
    /// The page cache to keep for the next render ([`SitePlan::cached_pages`]); `None` when it
    /// is the one the render started from.
    pub page_cache: Option<Vec<u8>>,
}

/// What the site's CSAF directory needs: the publisher and the revisions of each advisory.
pub struct CsafExport {
    pub publisher: Publisher,
    pub history: History,
    /// The signing key's fingerprint, on a signed site.
    pub trusted: Option<String>,
}

/// A report that could not be rendered, and why.
pub type Skipped = (PathBuf, String);

/// A produced file: path inside the site, content.
type SiteFile = (String, Vec<u8>);

/// Public advisories of the repository, newest first, and the reports that could not be read.
pub fn public_advisories(root: &Path, config: &Config) -> Result<(Vec<Advisory>, Vec<Skipped>)> {
    let paths = report_paths(root)?;
    let results: Vec<reports::Found> = paths.par_iter().map(|p| reports::load(root, p, config).0).collect();
    sorted_public(results)
}

/// [`public_advisories`] through the render state `state` ([`reports`]): reports whose stat is
/// the recorded one are not read. Also the state to keep, when it changed.
pub fn public_advisories_with(root: &Path, config: &Config, state: &ReportState) -> Result<(Public, Option<Vec<u8>>)> {
    let paths = report_paths(root)?;
    let results: Vec<_> = paths.par_iter().map(|p| state.find(root, p, config)).collect();
    let (found, entries): (Vec<_>, Vec<_>) = results.into_iter().unzip();
    let kept = state.replaced(entries.into_iter().flatten().collect());
    Ok((sorted_public(found)?, kept))
}

/// The public advisories, newest first, and the public reports that could not be read.
pub type Public = (Vec<Advisory>, Vec<Skipped>);

/// The public advisories of `results` (one per report file), newest first; two files with one
/// id are refused.
fn sorted_public(results: Vec<reports::Found>) -> Result<Public> {
    let (mut ok, mut skipped) = (Vec::new(), Vec::new());
    // Two files with one id would write the same pages: one would silently replace the other.
    let mut seen: BTreeMap<String, PathBuf> = BTreeMap::new();
    for r in results.into_iter().flatten() {
        match r {
            Ok((path, a)) => {
                if let Some(first) = seen.insert(a.id.to_lowercase(), path.clone()) {
                    return Err(Error::usage(
                        format!(
                            "{} and {} both hold advisory {}: their pages would replace each other",
                            first.display(),
                            path.display(),
                            a.id
                        ),
                        "give each report its own id (see `enigm-disclose renumber`), or remove the duplicate",
                    ));
                }
                ok.push(a);
            }
            Err(s) => skipped.push(s),
        }
    }
    ok.sort_by(|a, b| b.published.cmp(&a.published).then_with(|| b.id.cmp(&a.id)));
    Ok((ok, skipped))
}

/// The formats one advisory renders to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// `advisory.html.j2`.
    Html,
    /// `advisory.md.j2`.
    Md,
    /// An OSV record.
    Osv,
    /// A CSAF 2.0 security advisory.
    Csaf,
    /// A CVE JSON 5 record (needs a CVE alias).
    Cve,
    /// An OpenVEX document ([`super::openvex`]).
    Openvex,
    /// A CSAF 2.0 document of profile `csaf_vex` ([`csaf::vex`]).
    CsafVex,
}

impl Format {
    /// CSAF, CVE and VEX records are made for publication and ingested as they are: never
    /// drafts.
    pub fn is_record(self) -> bool {
        matches!(self, Format::Csaf | Format::Cve | Format::Openvex | Format::CsafVex)
    }

    /// The formats of a VEX-only statement: it is no advisory of ours.
    pub fn is_vex(self) -> bool {
        matches!(self, Format::Openvex | Format::CsafVex)
    }
}

/// One advisory in a page or record format (not CSAF, which needs its history: see
/// [`render_one`]). `root` is the relative path from the page to the site root.
fn advisory_text(
    renderer: &Renderer,
    config: &Config,
    site: &SiteInfo,
    a: &Advisory,
    format: Format,
    root: &str,
) -> Result<String> {
    let json = |value: std::result::Result<String, serde_json::Error>, what: &str| {
        value.map(|v| v + "\n").map_err(|e| Error::usage(format!("cannot encode {what}: {e}"), "this is a bug"))
    };
    match format {
        Format::Html => renderer.advisory("advisory.html.j2", a, site, root),
        Format::Md => renderer.advisory("advisory.md.j2", a, site, root),
        Format::Osv => json(serde_json::to_string_pretty(&osv::record(a, config)), "OSV"),
        Format::Cve => {
            let records = cve::records(a, config, &site.base_url)?;
            if let [(_, record)] = records.as_slice() {
                return json(serde_json::to_string_pretty(record), "the CVE record");
            }
            let paths: Vec<String> = records.iter().map(|(cve, _)| cve_path(cve)).collect();
            Err(Error::usage(
                format!("{} has {} CVE aliases, so {} CVE records", a.id, records.len(), records.len()),
                format!("render the site with {{out}}: it writes one record per CVE id ({})", paths.join(", ")),
            ))
        }
        Format::Csaf | Format::Openvex | Format::CsafVex => {
            Err(Error::usage("a CSAF or VEX document is built with its revision history", "this is a bug"))
        }
    }
}

/// What to render for `render ID`.
pub struct OneRequest<'a> {
    /// The report's id as its file names it (messages name the file's id, never a front
    /// matter value).
    pub id: &'a str,
    /// The repository root, for template overrides.
    pub root: &'a Path,
    pub format: Format,
    /// Preview an unpublished report, stamped as a draft on every page.
    pub draft: bool,
    /// Now: a draft of a report still under embargo is stamped so.
    pub now: chrono::DateTime<chrono::FixedOffset>,
}

/// One report's advisory, as `render` would publish it (or as a stamped draft). A report that
/// is not public is refused unless `draft`; CSAF and CVE records are never drafts. `history`
/// is asked for the revisions of a public advisory (they date it in every format): it is the
/// caller's to read them from git.
pub fn render_one(
    req: &OneRequest<'_>,
    config: &Config,
    doc: &Document,
    report: &Report,
    history: impl FnOnce(&[Advisory]) -> Result<History>,
) -> Result<String> {
    let id = req.id;
    if req.format.is_record() && req.draft {
        return Err(Error::usage(
            "CSAF and CVE records are never drafts: they are made for publication, and tools ingest them as they are",
            format!("preview {id} with {{draft}} in the html, md or osv format"),
        ));
    }
    if req.draft && doc.is_closed() && !report.state.is_public() {
        return Err(Error::usage(
            format!("{id} is sealed and could not be opened: a draft previews its private text, which needs a key"),
            "run it where your identity is (ENIGM_IDENTITY_FILE, or ~/.config/enigm/identity.txt; docs/format.md, \"Sealed reports\")",
        ));
    }
    let stamp = if req.draft {
        Some(match report.embargo_until {
            Some(e) if report.is_embargoed(req.now) => format!("DRAFT — EMBARGOED until {e}"),
            _ if report.state.is_public() => "DRAFT PREVIEW".to_owned(),
            _ => "DRAFT — NOT PUBLISHED".to_owned(),
        })
    } else if report.state.is_public() {
        None
    } else {
        return Err(Error::usage(
            format!("{id} is {} and is not public; nothing unpublished is rendered", report.state),
            "preview it as a draft with {draft}",
        ));
    };
    if report.vex_only && !req.format.is_vex() {
        return Err(Error::usage(
            format!("{id} is a VEX statement (vex_only): it is no advisory of ours and renders only as VEX"),
            "render it in the openvex or csaf-vex format",
        ));
    }
    let mut adv = public::advisory(doc, report, config, stamp);
    let site = SiteInfo::from_config(config);
    // A public report's revisions date every format; a draft of an unpublished one has none.
    let tracking = if report.state.is_public() {
        let tracking = history(std::slice::from_ref(&adv))?.tracking(&adv);
        let publisher = Publisher::from_config(config).ok();
        updated(&mut adv, &tracking, config, publisher.is_some());
        Some(tracking)
    } else {
        None
    };
    match req.format {
        // OSV and CVE need no template, so a broken override does not stop them.
        Format::Osv | Format::Cve => advisory_text(&Renderer::new(None)?, config, &site, &adv, req.format, ""),
        Format::Html | Format::Md => {
            advisory_text(&Renderer::new(Some(req.root))?, config, &site, &adv, req.format, "")
        }
        Format::Csaf | Format::CsafVex | Format::Openvex => {
            let publisher = Publisher::from_config(config)?;
            let tracking = tracking.unwrap_or_else(|| History::none().tracking(&adv));
            Ok(match req.format {
                Format::Csaf => csaf::to_text(&csaf::document(&adv, &tracking, &publisher, &site.base_url)?),
                Format::CsafVex => csaf::to_text(&csaf::vex_document(&adv, &tracking, &publisher, &site.base_url)?),
                _ => openvex::to_text(&openvex::document(&adv, &tracking, &publisher, &site.base_url)),
            })
        }
    }
}

/// How many advisories are rendered (in parallel) before their files are written: the site
/// is never held in memory, only one batch of pages at a time.
const BATCH: usize = 256;

/// Renders every file of the site: relative path → content. `csaf` adds the CSAF directory;
/// `policy` is the repository's `policy.md` ([`super::face`]). The whole site in memory: for
/// tests and small sites; [`build`] streams the same files ([`page_files`], [`shared_files`]).
pub fn render_files(
    renderer: &Renderer,
    config: &Config,
    advisories: &[Advisory],
    only: Option<&HashSet<String>>,
    csaf: Option<&CsafExport>,
    policy: Option<&str>,
) -> Result<BTreeMap<String, Vec<u8>>> {
    let site = site_info(renderer, config, advisories, policy);
    let mut files = page_files(renderer, config, &site, advisories, only, csaf)?;
    files.extend(shared_files(renderer, config, &site, &advisories.to_vec().into(), csaf, policy)?);
    Ok(files)
}

/// The site's template context, with the instruction budget granted for every page.
fn site_info(renderer: &Renderer, config: &Config, advisories: &[Advisory], policy: Option<&str>) -> SiteInfo {
    let site = SiteInfo { has_policy: policy.is_some(), ..SiteInfo::from_config(config) };
    // Two templates per advisory, plus the index, the feed, the filtered indexes and the
    // public face's pages.
    renderer.plan_pages(advisories.len() * 2 + 7 + facets::facets(advisories).1.len());
    site
}

/// The files of each advisory of `advisories` (those in `only`): its pages, its OSV record and
/// its CSAF document.
fn page_files(
    renderer: &Renderer,
    config: &Config,
    site: &SiteInfo,
    advisories: &[Advisory],
    only: Option<&HashSet<String>>,
    csaf: Option<&CsafExport>,
) -> Result<BTreeMap<String, Vec<u8>>> {
    let pages: Vec<Result<Vec<SiteFile>>> = advisories
        .par_iter()
        .filter(|a| only.is_none_or(|o| o.contains(&a.id)))
        .map(|a| advisory_files(renderer, config, site, a, csaf))
        .collect();
    let mut files = BTreeMap::new();
    for page in pages {
        files.extend(page?);
    }
    Ok(files)
}

/// The files of one advisory: its pages, its OSV record and its CSAF document.
fn advisory_files(
    renderer: &Renderer,
    config: &Config,
    site: &SiteInfo,
    a: &Advisory,
    csaf: Option<&CsafExport>,
) -> Result<Vec<SiteFile>> {
    let page = |format| advisory_text(renderer, config, site, a, format, "../");
    let mut files = Vec::new();
    // A VEX-only statement is no advisory of ours: its VEX documents only.
    if !a.vex_only {
        files.push((format!("advisories/{}.html", a.id), page(Format::Html)?.into_bytes()));
        files.push((format!("advisories/{}.md", a.id), page(Format::Md)?.into_bytes()));
        files.push((a.files.osv.clone(), page(Format::Osv)?.into_bytes()));
    }
    if let Some(c) = csaf {
        files.extend(csaf_and_vex_files(a, c, &site.base_url)?);
    }
    Ok(files)
}

/// The files made of all advisories together: the indexes, the feed, the CSAF listings, the
/// CVE records, `osv/all.json` and the public face.
fn shared_files(
    renderer: &Renderer,
    config: &Config,
    site: &SiteInfo,
    advisories: &Arc<[Advisory]>,
    csaf: Option<&CsafExport>,
    policy: Option<&str>,
) -> Result<BTreeMap<String, Vec<u8>>> {
    let (facets, facet_pages) = facets::facets(advisories);
    let mut files = BTreeMap::new();
    let base = Some(site.base_url.as_str()).filter(|b| csaf::is_web_url(b));
    if let Some(c) = csaf {
        files.extend(provider::listing(advisories, &c.history, &c.publisher, base, c.trusted.as_deref()));
    }
    let face = super::face::FaceInputs { policy, csaf: csaf.is_some() && base.is_some() };
    files.extend(super::face::files(renderer, config, site, advisories, face)?);
    if config.render.cve_org_id.is_some() {
        files.extend(cve_files(config, site, advisories)?);
    }
    let updated = advisories.iter().map(|a| a.modified.as_str()).max().unwrap_or("1970-01-01T00:00:00Z").to_owned();
    // One lazy row per advisory, shared by every listing ([`rows`]).
    let rows = rows::rows(advisories);
    let index = |listed: Vec<minijinja::Value>, root: &str, facet: Option<&facets::Facet>| {
        let ctx = minijinja::context! {
            advisories => minijinja::Value::from(listed),
            site => minijinja::Value::from(minijinja::value::Serde(site)),
            root => root,
            draft => None::<String>,
            updated => updated.clone(),
            facets => minijinja::Value::from(minijinja::value::Serde(&facets)),
            facet => minijinja::Value::from(minijinja::value::Serde(facet)),
        };
        renderer.render("index.html.j2", ctx.clone()).map(|page| (page, ctx))
    };
    let (page, ctx) = index(rows.clone(), "", None)?;
    files.insert("index.html".into(), page.into_bytes());
    files.insert("feed.xml".into(), renderer.render("feed.xml.j2", ctx)?.into_bytes());
    for (facet, listed) in &facet_pages {
        let listed = listed.iter().map(|i| rows[*i].clone()).collect();
        files.insert(facet.path.clone(), index(listed, "../", Some(facet))?.0.into_bytes());
    }
    files.insert("osv/all.json".into(), osv_listing(advisories, config));
    files.insert("assets/filter.js".into(), FILTER_JS.as_bytes().to_vec());
    Ok(files)
}

/// An advisory's CSAF documents (the advisory unless it is VEX-only, and the `csaf_vex` one)
/// and its OpenVEX document, at the paths [`updated`] names.
fn csaf_and_vex_files(a: &Advisory, c: &CsafExport, base_url: &str) -> Result<Vec<SiteFile>> {
    let tracking = c.history.tracking(a);
    let mut files = Vec::new();
    let path = |profile| format!("{}/{}", provider::DIR, csaf::document_path(profile, &a.id, &tracking));
    if !a.vex_only {
        let doc = csaf::document(a, &tracking, &c.publisher, base_url)?;
        files.push((path(csaf::Profile::SecurityAdvisory), csaf::to_text(&doc).into_bytes()));
    }
    let vex = csaf::vex_document(a, &tracking, &c.publisher, base_url)?;
    files.push((path(csaf::Profile::Vex), csaf::to_text(&vex).into_bytes()));
    let open = openvex::document(a, &tracking, &c.publisher, base_url);
    files.push((openvex::file_path(&a.id), openvex::to_text(&open).into_bytes()));
    Ok(files)
}

/// `osv/all.json`: the id and `modified` of every OSV record of the site, sorted by id (what
/// OSV.dev's REST import reads; docs/exports.md).
fn osv_listing(advisories: &[Advisory], config: &Config) -> Vec<u8> {
    let mut listed: Vec<serde_json::Value> = advisories
        .iter()
        .filter(|a| !a.vex_only)
        .map(|a| serde_json::json!({ "id": osv::osv_id(&a.id, config), "modified": a.modified }))
        .collect();
    listed.sort_by(|a, b| a["id"].as_str().cmp(&b["id"].as_str()));
    (serde_json::to_string_pretty(&listed).unwrap_or_default() + "\n").into_bytes()
}

/// Dates an advisory by its revisions ([`revisions::apply`]) and names its files in the site:
/// the OSV record, the CSAF document (when the site has a CSAF directory) and the CVE records
/// (when it writes them).
fn updated(a: &mut Advisory, tracking: &Tracking, config: &Config, with_csaf: bool) {
    revisions::apply(a, tracking);
    a.files.osv = osv::file_path(&a.id, config);
    let csaf_path = |profile| format!("{}/{}", provider::DIR, csaf::document_path(profile, &a.id, tracking));
    a.files.csaf = (with_csaf && !a.vex_only).then(|| csaf_path(csaf::Profile::SecurityAdvisory));
    a.files.csaf_vex = with_csaf.then(|| csaf_path(csaf::Profile::Vex));
    a.files.openvex = with_csaf.then(|| openvex::file_path(&a.id));
    if config.render.cve_org_id.is_some() && !a.withdrawn && !a.vex_only {
        let mut seen = HashSet::new();
        let cves = a.aliases.iter().filter(|x| crate::rules::checks::fields::is_cve(x) && seen.insert(x.as_str()));
        a.files.cve = cves.map(|id| CveFile { id: id.clone(), path: cve_path(id) }).collect();
    }
}

/// `cve/<CVE-ID>.json`, the path of one CVE record in the site.
fn cve_path(cve: &str) -> String {
    format!("cve/{cve}.json")
}

/// One CVE record per CVE alias of every published advisory (a withdrawn one would be a
/// REJECTED record, which the CNA files), and `cve/index.txt` listing them, sorted. A record
/// that cannot be made (no reference) stops the render with its reason.
fn cve_files(config: &Config, site: &SiteInfo, advisories: &[Advisory]) -> Result<Vec<SiteFile>> {
    let mut files = Vec::new();
    let with_cve =
        advisories.iter().filter(|a| !a.withdrawn && !a.vex_only && a.aliases.iter().any(|x| x.starts_with("CVE-")));
    for a in with_cve {
        for (cve, record) in cve::records(a, config, &site.base_url)? {
            let text = serde_json::to_string_pretty(&record).unwrap_or_default() + "\n";
            files.push((cve_path(&cve), text.into_bytes()));
        }
    }
    if !files.is_empty() {
        let mut paths: Vec<&str> = files.iter().map(|(p, _)| p.trim_start_matches("cve/")).collect();
        paths.sort_unstable();
        let index: String = paths.iter().map(|p| format!("{p}\n")).collect();
        files.push(("cve/index.txt".to_owned(), index.into_bytes()));
    }
    Ok(files)
}

/// The site's inputs from the work tree: the public advisories, and the CSAF publisher.
pub struct SitePlan {
    pub advisories: Vec<Advisory>,
    pub skipped: Vec<Skipped>,
    /// Set when the site gets a CSAF directory.
    publisher: Option<Publisher>,
    /// The repository's `policy.md`.
    policy: Option<String>,
    notes: Vec<String>,
    /// Set when the site is signed (or, with only the public key, re-rendered to be compared).
    trust: Option<Trust>,
    /// The previous render's page cache (its bytes, if any) and the build of the tool.
    page_cache: Option<(Option<Vec<u8>>, String)>,
}

impl SitePlan {
    /// The plan of a site distributed with `trust`'s key (none: unsigned).
    pub fn signed(self, trust: Option<Trust>) -> SitePlan {
        SitePlan { trust, ..self }
    }

    /// Reuses the files of advisories whose inputs did not change since the render that
    /// left the page cache `bytes` ([`pages`]); `tool` names the build of the tool. The new
    /// cache is [`SiteOutcome::page_cache`].
    pub fn cached_pages(self, bytes: Option<Vec<u8>>, tool: String) -> SitePlan {
        SitePlan { page_cache: Some((bytes, tool)), ..self }
    }

    /// What git must be asked for the revisions of the advisories ([`History::wanted`]).
    pub fn history_wanted(&self) -> (HashSet<&str>, Option<i64>) {
        History::wanted(&self.advisories)
    }
}

/// Checks the site directory and reads the site's inputs from the work tree at `root`.
pub fn plan(root: &Path, config: &Config, out: &Path) -> Result<SitePlan> {
    plan_with(root, config, out, None).map(|(plan, _)| plan)
}

/// [`plan`], reading the reports through the render state `state` ([`reports`]); also the
/// state to keep, when it changed.
pub fn plan_with(
    root: &Path,
    config: &Config,
    out: &Path,
    state: Option<&ReportState>,
) -> Result<(SitePlan, Option<Vec<u8>>)> {
    check_out_dir(root, out)?;
    let ((advisories, skipped), kept) = match state {
        Some(state) => public_advisories_with(root, config, state)?,
        None => (public_advisories(root, config)?, None),
    };
    let mut notes = Vec::new();
    let publisher = csaf_publisher(config, &mut notes);
    let policy = super::policy::read_source(root)?;
    notes.extend(super::face::notes(config, policy.is_some()));
    Ok((SitePlan { advisories, skipped, publisher, policy, notes, trust: None, page_cache: None }, kept))
}

/// The publisher of the site's CSAF part, or why it is left out (no publisher namespace, or no
/// base URL for the provider metadata).
fn csaf_publisher(config: &Config, notes: &mut Vec<String>) -> Option<Publisher> {
    let publisher = match Publisher::from_config(config) {
        Ok(p) => p,
        Err(e) => {
            notes.push(format!(
                "no CSAF documents and no VEX documents: {e} (set `organization.website` or `render.base_url`)"
            ));
            return None;
        }
    };
    if !csaf::is_web_url(&SiteInfo::from_config(config).base_url) {
        notes.push("csaf/provider-metadata.json not written: its canonical_url needs `render.base_url`".to_owned());
    }
    Some(publisher)
}

/// Builds (or checks) the site from `plan`; `history` holds the revisions git records (for
/// [`SitePlan::history_wanted`]). Files are written batch by batch as they are rendered
/// ([`BATCH`]), the files made of all advisories after them, the manifest last: an interrupted
/// render leaves a manifest that names only files a render wrote.
pub fn build(
    config: &Config,
    renderer: &Renderer,
    req: &SiteRequest,
    plan: SitePlan,
    history: History,
) -> Result<SiteOutcome> {
    let SitePlan { mut advisories, skipped, publisher, policy, notes, trust, page_cache } = plan;
    for a in &mut advisories {
        let tracking = history.tracking(a);
        updated(a, &tracking, config, publisher.is_some());
    }
    let advisories: Arc<[Advisory]> = advisories.into();
    let only = req.only.as_ref();
    let trusted = trust.as_ref().map(|t| t.public().fingerprint());
    let csaf = publisher.map(|publisher| CsafExport { publisher, history, trusted });
    let outcome = SiteOutcome { advisories: advisories.len(), skipped, notes, ..SiteOutcome::default() };
    let mut writer = SiteWriter::open(req, trust.as_ref(), outcome)?;
    let site = site_info(renderer, config, &advisories, policy.as_deref());
    // The cache's bytes are kept to compare: an unchanged cache is not written again.
    let (mut cache, previous) = match page_cache {
        Some((bytes, tool)) => {
            let key = pages::site_key(&tool, config, renderer.fingerprint(), policy.is_some(), csaf.is_some());
            (Some(PageCache::read(bytes.as_deref(), key)), bytes)
        }
        None => (None, None),
    };
    // Every advisory's key, in order: what the shared files are made of ([`pages::shared_key`]).
    let mut keys: Option<Vec<String>> = cache.as_ref().filter(|_| only.is_none()).map(|_| Vec::new());
    for batch in advisories.chunks(BATCH) {
        let listed = batch.iter().filter(|a| only.is_none_or(|o| o.contains(&a.id)));
        let made: Vec<Result<Made>> = listed
            .collect::<Vec<_>>()
            .par_iter()
            .map(|a| made(renderer, config, &site, a, csaf.as_ref(), cache.as_ref(), &writer))
            .collect();
        let (mut files, mut reused) = (BTreeMap::new(), HashSet::new());
        for m in made {
            let (id, key, pages) = m?;
            if let Some(keys) = keys.as_mut() {
                keys.extend(key.clone());
            }
            let (list, from_cache) = match pages {
                Pages::Kept(paths) => {
                    writer.keep(paths);
                    continue;
                }
                Pages::Read(list) => (list, true),
                Pages::Rendered(list) => (list, false),
            };
            if let (Some(c), Some(key)) = (cache.as_mut(), key) {
                c.record(id, key, list.iter().map(|(p, bytes)| (p.clone(), pages::file_hash(bytes))).collect());
            }
            if from_cache {
                reused.extend(list.iter().map(|(p, _)| p.clone()));
            }
            files.extend(list);
        }
        writer.put(files, false, &reused)?;
    }
    let shared_key =
        keys.map(|k| pages::shared_key(&k, policy.as_deref(), csaf.as_ref().map(|c| c.trusted.as_deref())));
    let unread = writer.trust.is_none() && !req.check;
    let kept = cache.as_ref().zip(shared_key.as_deref()).filter(|_| unread);
    match kept.and_then(|(c, k)| c.kept(pages::SHARED, k, &req.out)) {
        Some(paths) => writer.keep(paths),
        None => {
            let shared = shared_files(renderer, config, &site, &advisories, csaf.as_ref(), policy.as_deref())?;
            if let (Some(c), Some(k)) = (cache.as_mut(), shared_key) {
                c.record(pages::SHARED, k, shared.iter().map(|(p, b)| (p.clone(), pages::file_hash(b))).collect());
            }
            writer.put(shared, true, &HashSet::new())?;
        }
    }
    if let Some(c) = cache.as_mut().filter(|_| only.is_none()) {
        let ids: HashSet<&str> = advisories.iter().map(|a| a.id.as_str()).collect();
        c.retain(|id| id == pages::SHARED || ids.contains(id));
    }
    if let Some(c) = cache.as_mut().filter(|_| !req.check) {
        c.settle(&req.out, &writer.seen);
    }
    let mut outcome = writer.finish()?;
    outcome.page_cache = cache.filter(|_| !req.check).map(|c| c.to_bytes()).filter(|b| previous.as_ref() != Some(b));
    Ok(outcome)
}

/// One advisory's files: (id, cache key, its files).
type Made<'a> = (&'a str, Option<String>, Pages);

/// An advisory's files, as this render got them.
enum Pages {
    /// Rendered.
    Rendered(Vec<SiteFile>),
    /// The site's own bytes, read back and found as the page cache recorded them.
    Read(Vec<SiteFile>),
    /// Unchanged in the site by their stat ([`PageCache::kept`]): not read, nothing to write.
    Kept(Vec<String>),
}

/// The files of advisory `a`: the bytes the site holds when the page cache says they were made
/// from the same inputs and they still hash as recorded, else rendered.
fn made<'a>(
    renderer: &Renderer,
    config: &Config,
    site: &SiteInfo,
    a: &'a Advisory,
    csaf: Option<&CsafExport>,
    cache: Option<&PageCache>,
    writer: &SiteWriter<'_>,
) -> Result<Made<'a>> {
    let key = cache.map(|_| pages::advisory_key(a, csaf.map(|c| c.history.tracking(a)).as_ref()));
    // A signed site signs what it distributes, and a check compares it: both read the files.
    let unread = writer.trust.is_none() && !writer.req.check;
    let kept = cache.zip(key.as_deref()).filter(|_| unread).and_then(|(c, k)| c.kept(&a.id, k, &writer.req.out));
    if let Some(paths) = kept {
        return Ok((&a.id, key, Pages::Kept(paths)));
    }
    let recorded = cache.zip(key.as_deref()).and_then(|(c, k)| c.files(&a.id, k));
    let reused = recorded.and_then(|files| {
        files
            .iter()
            .map(|(path, hash)| {
                writer.read_old(path).filter(|b| pages::file_hash(b) == *hash).map(|b| (path.clone(), b))
            })
            .collect::<Option<Vec<SiteFile>>>()
    });
    match reused {
        Some(files) => Ok((&a.id, key, Pages::Read(files))),
        None => Ok((&a.id, key, Pages::Rendered(advisory_files(renderer, config, site, a, csaf)?))),
    }
}

/// Writes (or, with `check`, compares) a site's files as they come, and remembers their names
/// for the manifest.
struct SiteWriter<'a> {
    req: &'a SiteRequest,
    trust: Option<&'a Trust>,
    outcome: SiteOutcome,
    /// The previous render's manifest.
    previous: BTreeSet<String>,
    /// The regular files of the site directory before this render.
    existing: HashSet<String>,
    /// Every file produced so far.
    produced: BTreeSet<String>,
    /// Directories checked for links (and created).
    checked: HashSet<PathBuf>,
    /// The stat of each file right after it was written or compared ([`PageCache::settle`]).
    seen: std::collections::HashMap<String, Stat>,
}

impl<'a> SiteWriter<'a> {
    fn open(req: &'a SiteRequest, trust: Option<&'a Trust>, outcome: SiteOutcome) -> Result<SiteWriter<'a>> {
        let previous = read_manifest(&req.out)?;
        // One directory listing instead of a failed open per new file.
        let existing = existing_files(&req.out);
        let (produced, checked, seen) = (BTreeSet::new(), HashSet::new(), Default::default());
        Ok(SiteWriter { req, trust, outcome, previous, existing, produced, checked, seen })
    }

    /// Counts files the site holds unchanged, unread ([`Pages::Kept`]), as produced.
    fn keep(&mut self, paths: Vec<String>) {
        self.outcome.unchanged += paths.len();
        self.produced.extend(paths);
    }

    /// The current content of a site file, when the listing saw a regular file there.
    fn read_old(&self, rel: &str) -> Option<Vec<u8>> {
        if !self.existing.contains(rel) {
            return None;
        }
        crate::layout::read_regular(&self.req.out.join(rel), MAX_SITE_FILE).ok()
    }

    /// Signs `files` (with `whole`: they are the shared files, which carry the key and the
    /// signed `security.txt`) and writes those that differ from what the site holds (`same`:
    /// files whose content was read from the site).
    fn put(&mut self, mut files: BTreeMap<String, Vec<u8>>, whole: bool, same: &HashSet<String>) -> Result<()> {
        if let Some(t) = self.trust {
            let read_old = |rel: &str| self.read_old(rel);
            if whole {
                distribution::add(&mut files, t, &read_old)?;
            } else {
                distribution::sign(&mut files, t, &read_old)?;
            }
        }
        // Never through a link: a committed `site/advisories -> /elsewhere` would write there.
        // Each directory is checked once; a file itself is only read when the listing (which
        // does not follow links) saw a regular file, and a new one is created with O_EXCL,
        // which fails on a link instead of following it.
        let parents: BTreeSet<&Path> = files.keys().filter_map(|rel| Path::new(rel).parent()).collect();
        for dir in parents {
            if self.checked.contains(dir) {
                continue;
            }
            crate::layout::no_links(&self.req.out, dir).map_err(Error::io("cannot write the site"))?;
            if !self.req.check {
                let path = self.req.out.join(dir);
                fs::create_dir_all(&path).map_err(Error::io(format!("cannot create {}", path.display())))?;
            }
            self.checked.insert(dir.to_owned());
        }
        // A new file is created in place (a failed render exits non-zero, so nothing is
        // deployed); an existing one is replaced through a temporary file, so it is never
        // half-written. Writes are sequential: rendering is the parallel part, and two threads
        // creating files in one directory made the kernel contend (system time 4x, wall time
        // 1.5x on 2 cores).
        for (rel, content) in files {
            let path = self.req.out.join(&rel);
            // `same`: bytes just read from the site file itself.
            let old = if same.contains(&rel) { Some(content.clone()) } else { self.read_old(&rel) };
            match old {
                Some(old) if old == content => self.outcome.unchanged += 1,
                _ if self.req.check => self.outcome.out_of_date.push(rel.clone()),
                old => {
                    // A file the listing saw is replaced even when it was not read back (one
                    // larger than the read cap: the CSAF feed of a big site).
                    let written = if old.is_some() || self.existing.contains(&rel) {
                        files::write_replace(&path, &content)
                    } else {
                        files::create_new(&path, &content)
                    };
                    written.map_err(Error::io(format!("cannot write {}", path.display())))?;
                    self.outcome.written.push(rel.clone());
                }
            }
            if let Some(stat) = Stat::of(&path).filter(|_| !self.req.check) {
                self.seen.insert(rel.clone(), stat);
            }
            self.produced.insert(rel);
        }
        Ok(())
    }

    /// Removes the files of the previous render that were not produced, and writes the
    /// manifest (with its signature, on a signed site).
    fn finish(mut self) -> Result<SiteOutcome> {
        let only = self.req.only.is_some();
        // The manifest's own hashes and signature are written with it, after the files.
        let signed_manifest: Vec<String> = match self.trust {
            Some(_) => distribution::COMPANIONS.iter().map(|ext| format!("{SITE_MANIFEST}.{ext}")).collect(),
            None => Vec::new(),
        };
        self.produced.extend(signed_manifest);
        // A report that cannot be read right now (a typo) must not unpublish its pages.
        if !only && self.outcome.skipped.is_empty() {
            let stale: Vec<String> = self.previous.iter().filter(|p| !self.produced.contains(*p)).cloned().collect();
            for rel in stale {
                self.remove_stale(rel)?;
            }
        }
        if self.req.check {
            return Ok(self.outcome);
        }
        let mut manifest = if only { std::mem::take(&mut self.previous) } else { BTreeSet::new() };
        manifest.extend(std::mem::take(&mut self.produced));
        let text: String = manifest.iter().map(|p| format!("{p}\n")).collect();
        if let Some(t) = self.trust {
            let read_old = |rel: &str| self.read_old(rel);
            for (rel, content) in distribution::companions(t, SITE_MANIFEST, text.as_bytes(), &read_old)? {
                files::write_atomic(&self.req.out.join(rel), &content)
                    .map_err(Error::io("cannot write the site manifest"))?;
            }
        }
        files::write_atomic(&self.req.out.join(SITE_MANIFEST), text.as_bytes())
            .map_err(Error::io("cannot write the site manifest"))?;
        Ok(self.outcome)
    }

    /// Removes (or, with `check`, reports) a file of the previous render no longer produced:
    /// only a regular file the manifest names, inside the site, reached through no link.
    fn remove_stale(&mut self, rel: String) -> Result<()> {
        let path = self.req.out.join(&rel);
        let inside =
            files::is_contained(Path::new(&rel)) && crate::layout::no_links(&self.req.out, Path::new(&rel)).is_ok();
        if !(inside && fs::symlink_metadata(&path).is_ok_and(|m| m.is_file())) {
            return Ok(());
        }
        if self.req.check {
            self.outcome.out_of_date.push(rel);
        } else {
            fs::remove_file(&path).map_err(Error::io(format!("cannot remove {}", path.display())))?;
            self.outcome.removed.push(rel);
        }
        Ok(())
    }
}

/// Relative paths of the regular files under `out` (two levels, links not followed).
fn existing_files(out: &Path) -> HashSet<String> {
    let mut found = HashSet::new();
    let mut dirs = vec![(out.to_owned(), String::new(), 0)];
    while let Some((dir, prefix, depth)) = dirs.pop() {
        let Ok(entries) = fs::read_dir(&dir) else { continue };
        for entry in entries.flatten() {
            let (Ok(kind), Some(name)) = (entry.file_type(), entry.file_name().to_str().map(str::to_owned)) else {
                continue;
            };
            let rel = format!("{prefix}{name}");
            if kind.is_file() {
                found.insert(rel);
            } else if kind.is_dir() && depth < 2 {
                dirs.push((entry.path(), format!("{rel}/"), depth + 1));
            }
        }
    }
    found
}

/// Largest site file (or manifest) read back to compare. Not the template output cap: files
/// made without a template grow with the site (the CSAF ROLIE feed of 45,000 advisories is
/// 90 MB), and one that cannot be read back is rewritten every time.
const MAX_SITE_FILE: u64 = 1 << 30;

/// The previous render's manifest: none when missing; a manifest that is not a regular file
/// (a FIFO, a link) is refused rather than read.
fn read_manifest(out: &Path) -> Result<BTreeSet<String>> {
    let path = out.join(SITE_MANIFEST);
    match crate::layout::read_regular(&path, MAX_SITE_FILE) {
        Ok(bytes) => Ok(String::from_utf8_lossy(&bytes).lines().filter(|l| !l.is_empty()).map(str::to_owned).collect()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(BTreeSet::new()),
        Err(e) => Err(Error::io(format!("cannot read the site manifest {}", path.display()))(e)),
    }
}

/// The site directory must not be (or contain) the repository's own files.
fn check_out_dir(root: &Path, out: &Path) -> Result<()> {
    // A site inside the repository is reached through no link (a committed `site -> /etc`).
    if let Ok(rel) = out.strip_prefix(root) {
        crate::layout::no_links(root, rel).map_err(Error::io("cannot use the site directory"))?;
    }
    let canon = |p: &Path| fs::canonicalize(p).unwrap_or_else(|_| p.to_owned());
    let (root, out_c) = (canon(root), canon(out));
    let bad = out_c == root
        || out_c.join(".git").exists()
        || out_c.join(REPORTS_DIR).exists()
        || out_c.starts_with(root.join(REPORTS_DIR))
        || out_c.starts_with(root.join(".git"));
    if bad {
        return Err(Error::usage(
            format!("{} cannot be the site directory", out.display()),
            "render into a directory of its own, e.g. {out} site",
        ));
    }
    Ok(())
}

/// True when `path` is inside a site directory (one holding a manifest).
pub fn inside_site(path: &Path) -> bool {
    let abs = if path.is_absolute() {
        path.to_owned()
    } else {
        std::env::current_dir().map(|c| c.join(path)).unwrap_or_else(|_| path.to_owned())
    };
    abs.ancestors().skip(1).any(|d| d.join(SITE_MANIFEST).is_file())
}
