//! `aggregate render OUT`: one public site over every repository of the set.
//!
//! Each member's committed tree is copied into a scratch directory and rendered there by the
//! same pipeline as its own `render` (its `enigm.yaml`, templates and policy, its publication
//! gate: only published and withdrawn reports, through the public view) into `OUT/<name>/`.
//! On top: `index.html` listing every advisory, `osv/` with every member's OSV records and
//! one `all.json`, and `aggregator.json`, a CSAF lister over each member's
//! `provider-metadata.json`. The top's files are listed in `OUT/.enigm-aggregate`; a file
//! listed by the previous render and no longer produced is removed, nothing else.

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Args;
use enigm_disclose::Error;
use enigm_disclose::publish::aggregate::{self as combined, Listed, MemberSite};
use enigm_disclose::publish::csaf::aggregator::{self, Lister};
use enigm_disclose::publish::csaf::tracking::History;
use enigm_disclose::publish::site::{self, SiteRequest};
use enigm_disclose::publish::templates::Renderer;
use enigm_disclose::query::aggregate::{self, Member, Set};
use enigm_disclose::store::files;
use enigm_disclose::store::history::report_revisions;
use enigm_disclose::store::repo::Repo;

use super::{Loaded, clashes};
use crate::cli::output::print;

/// Render one public site over every repository: each one's advisories, one `osv/all.json`,
/// and a CSAF lister `aggregator.json`.
#[derive(Debug, Args)]
pub struct RenderArgs {
    /// The combined site's directory (outside every repository of the set).
    out: PathBuf,
}

/// The list of the top's files, at the root of the combined site.
const MANIFEST: &str = ".enigm-aggregate";

/// Largest file of a member's render read back (an OSV record, the provider metadata).
const MAX_READ: u64 = 16 * 1024 * 1024;

/// Refuses a path inside (or equal to) any member of the set: nothing is written into one.
pub fn outside_members(set: &Set, path: &Path) -> Result<(), Error> {
    let canon = |p: &Path| {
        // The nearest existing ancestor, resolved, with the rest appended.
        let mut base = p.to_owned();
        let mut rest = Vec::new();
        while !base.exists() {
            let Some(name) = base.file_name().map(ToOwned::to_owned) else { break };
            rest.push(name);
            base.pop();
        }
        let mut c = fs::canonicalize(&base).unwrap_or(base);
        c.extend(rest.iter().rev());
        c
    };
    let target = canon(path);
    for m in &set.members {
        let root = canon(&m.path);
        if target.starts_with(&root) || root.starts_with(&target) {
            return Err(Error::usage(
                format!(
                    "{} is inside repository `{}` ({}): aggregate never writes into one",
                    path.display(),
                    m.name,
                    m.path.display()
                ),
                "write the output outside every repository of the set",
            ));
        }
    }
    Ok(())
}

/// What one member's render left for the top.
struct Rendered {
    site: MemberSite,
    listed: Vec<Listed>,
    osv: BTreeMap<String, Vec<u8>>,
    provider: Option<serde_json::Value>,
    skipped: usize,
}

pub fn run(ctx: &crate::cli::Context, loaded: &Loaded, args: RenderArgs) -> Result<ExitCode, Error> {
    let out = ctx.cwd.join(&args.out);
    let set = aggregate::load(&loaded.file, &loaded.dir)?;
    if !clashes(loaded, &set).is_empty() {
        eprintln!("error: not rendered: an id would not say which repository publishes it");
        return Ok(ExitCode::from(1));
    }
    outside_members(&set, &out)?;
    fs::create_dir_all(&out).map_err(Error::io(format!("cannot create {}", out.display())))?;
    let mut parts = Vec::new();
    for listed in &loaded.file.repositories {
        parts.push(render_member(loaded, listed, &out)?);
    }
    let skipped: usize = parts.iter().map(|p| p.skipped).sum();
    let written = write_top(loaded, &out, parts)?;
    print(&format!("{} repositories rendered to {}: {written} files at the top\n", set.members.len(), out.display()))?;
    Ok(if skipped == 0 { ExitCode::SUCCESS } else { ExitCode::from(1) })
}

/// Renders one member's committed tree into `out/<name>/`.
fn render_member(
    loaded: &Loaded,
    listed: &enigm_disclose::format::aggregate::Member,
    out: &Path,
) -> Result<Rendered, Error> {
    let (member, tree) = aggregate::open(&loaded.dir, listed)?;
    let scratch = tempfile::tempdir().map_err(Error::io("cannot create a scratch directory"))?;
    tree.export(scratch.path())?;
    drop(tree);
    let root = scratch.path();
    let config = enigm_disclose::rules::pipeline::load_config(root)?;
    let renderer = Renderer::new(Some(root))?;
    let member_out = out.join(&member.name);
    let plan = site::plan(root, &config, &member_out)?;
    let listed_advisories: Vec<Listed> = plan.advisories.iter().map(|a| Listed::of(&member.name, a)).collect();
    let history = {
        let (ids, since) = plan.history_wanted();
        member_history(&member, &ids, since, &config)?
    };
    let request = SiteRequest { out: member_out.clone(), only: None, check: false };
    let outcome = site::build(&config, &renderer, &request, plan, history)?;
    for note in &outcome.notes {
        eprintln!("note: {}: {note}", member.name);
    }
    for (p, why) in &outcome.skipped {
        let text = format!("{}: {} not rendered: {why}", member.name, p.display());
        eprintln!("warning: {}", crate::cli::table::sanitize(&text));
    }
    let site =
        MemberSite { name: member.name.clone(), title: config.organization.name.clone(), count: outcome.advisories };
    let osv = osv_records(&member_out)?;
    let provider = read_json(&member_out.join("csaf/provider-metadata.json"))?;
    Ok(Rendered { site, listed: listed_advisories, osv, provider, skipped: outcome.skipped.len() })
}

/// The revisions of the advisories from the member's history when `ref` is the HEAD of a
/// work tree (the walk follows HEAD); otherwise none (each CSAF document has its first
/// release only, dated from the report), with a note.
fn member_history(
    member: &Member,
    ids: &HashSet<&str>,
    since: Option<i64>,
    config: &enigm_disclose::format::config::Config,
) -> Result<History, Error> {
    let repo = Repo::discover(&member.path).ok().filter(|r| {
        let same = |a: &Path, b: &Path| fs::canonicalize(a).ok() == fs::canonicalize(b).ok();
        same(r.root(), &member.path) && r.resolves_to_head(&member.rev)
    });
    let Some(repo) = repo else {
        if since.is_some() {
            eprintln!(
                "note: {}: `{}` is not the HEAD of a work tree: CSAF documents carry their first release only",
                member.name, member.rev
            );
        }
        return Ok(History::none());
    };
    let mut revisions = report_revisions(&repo, ids, since)?;
    // The committed tree is what is rendered: uncommitted edits are no revision.
    revisions.dirty.clear();
    Ok(History::from_git(revisions, config))
}

/// The OSV records a member's render wrote (`osv/*.json` but `all.json`), by file name.
fn osv_records(member_out: &Path) -> Result<BTreeMap<String, Vec<u8>>, Error> {
    let dir = member_out.join("osv");
    let mut found = BTreeMap::new();
    let Ok(entries) = fs::read_dir(&dir) else { return Ok(found) };
    for entry in entries.flatten() {
        let Some(name) = entry.file_name().to_str().map(str::to_owned) else { continue };
        let regular = entry.file_type().is_ok_and(|t| t.is_file());
        if regular && name.ends_with(".json") && name != "all.json" {
            let bytes = enigm_disclose::layout::read_regular(&entry.path(), MAX_READ)
                .map_err(Error::io(format!("cannot read {}", entry.path().display())))?;
            found.insert(name, bytes);
        }
    }
    Ok(found)
}

fn read_json(path: &Path) -> Result<Option<serde_json::Value>, Error> {
    match enigm_disclose::layout::read_regular(path, MAX_READ) {
        Ok(bytes) => Ok(serde_json::from_slice(&bytes).ok()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(Error::io(format!("cannot read {}", path.display()))(e)),
    }
}

/// Writes the top of the combined site and removes the top files of the previous render that
/// are no longer produced; returns how many files it holds.
fn write_top(loaded: &Loaded, out: &Path, parts: Vec<Rendered>) -> Result<usize, Error> {
    let members: Vec<(String, BTreeMap<String, Vec<u8>>)> =
        parts.iter().map(|p| (p.site.name.clone(), p.osv.clone())).collect();
    let (records, all) = combined::osv(&members)?;
    let mut top: BTreeMap<String, Vec<u8>> = records.into_iter().map(|(f, c)| (format!("osv/{f}"), c)).collect();
    top.insert("osv/all.json".into(), all);
    let providers: Vec<serde_json::Value> = parts.iter().filter_map(|p| p.provider.clone()).collect();
    for p in parts.iter().filter(|p| p.provider.is_none()) {
        eprintln!(
            "note: {}: no csaf/provider-metadata.json (it needs `render.base_url`): not in aggregator.json",
            p.site.name
        );
    }
    if let Some(doc) = lister(loaded, &providers) {
        let text = serde_json::to_string_pretty(&doc).unwrap_or_default() + "\n";
        top.insert(aggregator::FILE.into(), text.into_bytes());
    }
    let sites: Vec<MemberSite> = parts.iter().map(|p| p.site.clone()).collect();
    let listed: Vec<Listed> = parts.into_iter().flat_map(|p| p.listed).collect();
    let renderer = Renderer::new(None)?;
    let with_aggregator = top.contains_key(aggregator::FILE);
    let index = combined::index(&renderer, &loaded.file.name, &sites, listed, with_aggregator)?;
    top.insert("index.html".into(), index.into_bytes());
    write_files(out, &top)?;
    Ok(top.len())
}

/// `aggregator.json`, when the aggregate file names the lister and the combined site's URL.
fn lister(loaded: &Loaded, providers: &[serde_json::Value]) -> Option<serde_json::Value> {
    let file = &loaded.file;
    let why = match (&file.aggregator, &file.base_url) {
        (None, _) => "the aggregate file has no `aggregator` (namespace, contact_details)",
        (_, None) => "the aggregate file has no `base_url` (its canonical URL)",
        _ if providers.is_empty() => "no repository has a provider-metadata.json",
        (Some(info), Some(base)) if enigm_disclose::publish::csaf::is_web_url(base) => {
            let base = if base.ends_with('/') { base.clone() } else { format!("{base}/") };
            let lister = Lister {
                name: &file.name,
                namespace: &info.namespace,
                contact_details: info.contact_details.as_deref(),
                issuing_authority: info.issuing_authority.as_deref(),
                canonical_url: format!("{base}{}", aggregator::FILE),
            };
            return aggregator::document(&lister, providers);
        }
        _ => "`base_url` is not an http(s) URL",
    };
    eprintln!("note: aggregator.json not written: {why}");
    None
}

/// Writes `files` under `out` (never through a link), then removes what the previous
/// manifest listed and is no longer produced, and writes the new manifest.
fn write_files(out: &Path, files: &BTreeMap<String, Vec<u8>>) -> Result<(), Error> {
    let previous: BTreeSet<String> = match enigm_disclose::layout::read_regular(&out.join(MANIFEST), MAX_READ) {
        Ok(bytes) => String::from_utf8_lossy(&bytes).lines().filter(|l| !l.is_empty()).map(str::to_owned).collect(),
        Err(_) => BTreeSet::new(),
    };
    for (rel, content) in files {
        let path = out.join(rel);
        let parent = Path::new(rel).parent().unwrap_or(Path::new(""));
        enigm_disclose::layout::no_links(out, parent).map_err(Error::io("cannot write the combined site"))?;
        if let Some(dir) = path.parent() {
            fs::create_dir_all(dir).map_err(Error::io(format!("cannot create {}", dir.display())))?;
        }
        if fs::symlink_metadata(&path).is_ok_and(|m| m.file_type().is_symlink()) {
            return Err(Error::usage(
                format!("{} is a link", path.display()),
                "remove it: the site is never written through a link",
            ));
        }
        if fs::read(&path).ok().as_deref() != Some(content.as_slice()) {
            files::write_atomic(&path, content).map_err(Error::io(format!("cannot write {}", path.display())))?;
        }
    }
    for rel in previous.iter().filter(|p| !files.contains_key(*p)) {
        let path = out.join(rel);
        let inside =
            files::is_contained(Path::new(rel)) && enigm_disclose::layout::no_links(out, Path::new(rel)).is_ok();
        if inside && fs::symlink_metadata(&path).is_ok_and(|m| m.is_file()) {
            fs::remove_file(&path).map_err(Error::io(format!("cannot remove {}", path.display())))?;
        }
    }
    let manifest: String = files.keys().map(|k| format!("{k}\n")).collect();
    files::write_atomic(&out.join(MANIFEST), manifest.as_bytes()).map_err(Error::io("cannot write the manifest"))
}
