//! `enigm-disclose render` and `enigm-disclose templates export`.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, Subcommand, ValueEnum};
use enigm_disclose::Error;
use enigm_disclose::format::config::Config;
use enigm_disclose::format::report::Document;
use enigm_disclose::publish::csaf::tracking::{History, name_all};
use enigm_disclose::publish::distribution::Trust;
use enigm_disclose::publish::revisions::{self, cache, cache::RevisionCache};
use enigm_disclose::publish::signing::Signer;
use enigm_disclose::publish::site::reports::{self, ReportState};
use enigm_disclose::publish::site::{self, Format, OneRequest, SiteRequest};
use enigm_disclose::publish::templates::{Renderer, export_templates};
use enigm_disclose::store::clock;
use enigm_disclose::store::history::{self, Snapshot};
use enigm_disclose::store::repo::Repo;
use enigm_disclose::store::signing_key;

use super::Context;
use super::output::print;

/// Render public advisories: the static site, or one advisory to stdout.
///
/// Only published and withdrawn reports are rendered; contacts, assignees, timeline notes and
/// private sections never are. `--draft` previews one unpublished report, stamped on every
/// page, and never into the site directory; CSAF and CVE records are never drafts.
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  enigm-disclose render --out site            # the whole site\n  enigm-disclose render --out site --check    # exit 1 if site/ is stale\n  enigm-disclose render 2026-7 --format osv   # one advisory to stdout\n  enigm-disclose render 2026-7 --format cve   # a CVE record (needs a CVE id)\n  enigm-disclose render 2026-9 --draft > preview.html"
)]
pub struct RenderArgs {
    /// One advisory to print instead of building the site.
    #[arg(add = clap_complete::engine::ArgValueCompleter::new(super::complete::report_ids))]
    id: Option<String>,
    /// Site directory, or the file for one advisory [default: site/ in the repository].
    #[arg(long, value_name = "PATH")]
    out: Option<PathBuf>,
    /// Format of one advisory.
    #[arg(long, value_enum, default_value_t = OneFormat::Html, requires = "id")]
    format: OneFormat,
    /// Preview an unpublished report (stamped DRAFT).
    #[arg(long, requires = "id")]
    draft: bool,
    /// Render advisory pages only for reports changed since REV (index and feed always).
    #[arg(long, value_name = "REV", conflicts_with = "id")]
    changed_since: Option<String>,
    /// Do not write: exit 1 when the site directory is out of date.
    #[arg(long, conflicts_with = "id")]
    check: bool,
    /// With one advisory and --out: replace FILE even if it exists or git tracks it.
    #[arg(long, requires = "out")]
    force: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum OneFormat {
    Html,
    Md,
    Osv,
    /// A CSAF 2.0 security advisory.
    Csaf,
    /// A CVE JSON 5 record (for a report with a CVE alias).
    Cve,
    /// An OpenVEX 0.2.0 document.
    Openvex,
    /// A CSAF 2.0 VEX document (profile csaf_vex).
    CsafVex,
}

/// Manage template overrides.
#[derive(Debug, Args)]
#[command(after_help = "Example:\n  enigm-disclose templates export   # then edit templates/advisory.html.j2")]
pub struct TemplatesArgs {
    #[command(subcommand)]
    action: TemplatesAction,
}

#[derive(Debug, Subcommand)]
enum TemplatesAction {
    /// Copy the built-in templates into templates/ to customise them (existing files are kept).
    Export,
}

pub fn run_templates(ctx: &Context, args: TemplatesArgs) -> Result<ExitCode, Error> {
    let (repo, _) = ctx.open()?;
    match args.action {
        TemplatesAction::Export => {
            let written = export_templates(repo.root())?;
            let mut out = String::new();
            for w in &written {
                out.push_str(&format!("  created templates/{w}\n"));
            }
            out.push_str(&format!(
                "{} template{} exported; edit them and `render` uses them.\n",
                written.len(),
                if written.len() == 1 { "" } else { "s" }
            ));
            print(&out)?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub fn run(ctx: &Context, args: RenderArgs) -> Result<ExitCode, Error> {
    let (repo, config) = ctx.open()?;
    match args.id.clone() {
        None => run_site(ctx, &repo, &config, args),
        Some(id) => run_one(ctx, &repo, &config, &id, &args),
    }
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn run_site(ctx: &Context, repo: &Repo, config: &Config, args: RenderArgs) -> Result<ExitCode, Error> {
    // Two renders writing one site directory would interleave their files.
    let _lock = if args.check { None } else { Some(super::locked(repo)?) };
    let renderer = Renderer::new(Some(repo.root()))?;
    let out = args.out.map_or_else(|| repo.root().join("site"), |o| ctx.cwd.join(o));
    // Never into the git directory (a linked worktree's common directory included).
    if let Some(why) = repo.output_clash(&out).filter(|w| w.contains("git directory")) {
        return Err(Error::usage(
            format!("{} cannot be the site directory: {why}", out.display()),
            "render into a directory of its own, e.g. {out} site",
        ));
    }
    if !args.check {
        // Under the lock no other render writes here: any temporary file is a killed one's.
        for left in enigm_disclose::store::files::remove_own_temps(&out, 4) {
            eprintln!("note: removed {}, left by an interrupted render", left.display());
        }
    }
    let only = args.changed_since.as_deref().map(|rev| changed_since(repo, rev)).transpose()?;
    let trust = signer(repo, config)?.map(|s| Trust::Signer(Box::new(s)));
    if let Some(t) = &trust {
        eprintln!("note: signing with the OpenPGP key {}", t.public().fingerprint());
    }
    let request = SiteRequest { out: out.clone(), only, check: args.check };
    let outcome = build_site(repo, config, &renderer, &request, trust)?;
    for note in &outcome.notes {
        eprintln!("note: {note}");
    }
    for (p, why) in &outcome.skipped {
        let (path, why) = (super::table::sanitize(&p.display().to_string()), super::table::sanitize(why));
        eprintln!("warning: {path} not rendered: {why} (run `enigm-disclose validate`); its pages are kept");
    }
    let advisories = plural(outcome.advisories, "advisory", "advisories");
    if args.check {
        for f in &outcome.out_of_date {
            eprintln!("out of date: {f}");
        }
        let stale = plural(outcome.out_of_date.len(), "file", "files");
        print(&format!("{advisories}; {stale} out of date in {}\n", out.display()))?;
        let ok = outcome.out_of_date.is_empty() && outcome.skipped.is_empty();
        return Ok(if ok { ExitCode::SUCCESS } else { ExitCode::from(1) });
    }
    print(&format!(
        "{advisories} rendered to {}: {} written, {} unchanged, {} removed\n",
        out.display(),
        outcome.written.len(),
        outcome.unchanged,
        outcome.removed.len()
    ))?;
    Ok(if outcome.skipped.is_empty() { ExitCode::SUCCESS } else { ExitCode::from(1) })
}

/// Builds (or checks) the site of `repo` as `request` says, signed with `trust`'s key.
pub fn build_site(
    repo: &Repo,
    config: &Config,
    renderer: &Renderer,
    request: &SiteRequest,
    trust: Option<Trust>,
) -> Result<site::SiteOutcome, Error> {
    let tool = tool_build();
    let state = ReportState::read(history::read_cache(repo, reports::FILE).as_deref(), reports::key(&tool, config));
    let (plan, kept) = site::plan_with(repo.root(), config, &request.out, Some(&state))?;
    drop(state);
    save_cache(repo, reports::FILE, kept.filter(|_| !request.check), "the report state");
    let plan = plan.signed(trust).cached_pages(history::read_cache(repo, site::pages::FILE), tool);
    let (ids, since) = plan.history_wanted();
    let revisions = site_history(repo, config, &ids, since)?;
    let outcome = site::build(config, renderer, request, plan, revisions)?;
    save_cache(repo, site::pages::FILE, outcome.page_cache.as_deref(), "the page cache");
    Ok(outcome)
}

/// Keeps `bytes` as the cache `name` in the git directory; one that cannot be written (a
/// read-only clone) only makes the next render slower.
fn save_cache(repo: &Repo, name: &str, bytes: Option<impl AsRef<[u8]>>, what: &str) {
    if let Some(bytes) = bytes
        && let Err(e) = history::write_cache(repo, name, bytes.as_ref())
    {
        eprintln!("note: {what} was not saved: {e}");
    }
}

/// This build of the tool (the executable's size and modification time): a page cache made by
/// another build, even of the same version, is not used.
fn tool_build() -> String {
    let meta = std::env::current_exe().and_then(std::fs::metadata);
    let stamp =
        meta.as_ref().ok().and_then(|m| m.modified().ok()).and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok());
    format!("{}-{}", meta.map(|m| m.len()).unwrap_or_default(), stamp.map(|d| d.as_nanos()).unwrap_or_default())
}

/// The revisions of the site's advisories `ids` (their releases since `since`): the commits
/// after the cached walk's end, named and added to the cache in the git directory
/// ([`RevisionCache`]); the whole window when there is no cache that can be trusted.
fn site_history(repo: &Repo, config: &Config, ids: &HashSet<&str>, since: Option<i64>) -> Result<History, Error> {
    let dirty = repo.modified_reports()?.into_iter().filter(|id| ids.contains(id.as_str())).collect();
    let Some(since) = since else { return Ok(History::from_named(Default::default(), dirty)) };
    let cached = history::read_cache(repo, cache::FILE)
        .and_then(|bytes| RevisionCache::read(&bytes, config))
        .filter(|c| c.since <= since);
    let known = cached.as_ref().and_then(|c| history::commit_named(repo, &c.tip));
    let walked = history::report_edits_after(repo, known, since, &revisions::may_revise)?;
    let Some(tip) = walked.tip else { return Ok(History::from_named(Default::default(), dirty)) };
    let named = name_all(walked.changes, config);
    let unchanged = walked.since_known && named.is_empty() && cached.as_ref().is_some_and(|c| c.tip == tip.to_string());
    let cache = match cached {
        Some(mut c) if walked.since_known => {
            c.extend(tip.to_string(), named);
            c
        }
        _ => RevisionCache::new(config, tip.to_string(), since, named),
    };
    // A cache that cannot be written (a read-only clone) only makes the next render slower.
    let saved = if unchanged { Ok(()) } else { history::write_cache(repo, cache::FILE, &cache.to_bytes()) };
    if let Err(e) = saved {
        eprintln!("note: the revision cache was not saved: {e}");
    }
    Ok(History::from_named(cache.edits(), dirty))
}

/// The site's signing key, when one is configured (docs/distribution.md), unlocked.
fn signer(repo: &Repo, config: &Config) -> Result<Option<Signer>, Error> {
    let Some((text, origin)) = signing_key::find(repo.root(), config.render.signing_key_file.as_deref())? else {
        return Ok(None);
    };
    Signer::from_armored(&text, signing_key::passphrase().as_deref(), &origin).map(Some)
}

/// Ids of reports whose files differ between `rev` and the work tree.
fn changed_since(repo: &Repo, rev: &str) -> Result<HashSet<String>, Error> {
    let base = Snapshot::resolve(repo, rev)
        .map_err(|e| Error::usage(format!("cannot resolve `{rev}`: {}", e.message), "pass a commit, branch or tag"))?;
    base.changed_reports()
}

fn run_one(ctx: &Context, repo: &Repo, config: &Config, id: &str, args: &RenderArgs) -> Result<ExitCode, Error> {
    let id = super::report_id(repo, id)?;
    let doc = Document::load(repo.root(), &enigm_disclose::store::scan::report_file(repo.root(), config.layout, &id))?;
    let report = doc.report()?;
    let format = match args.format {
        OneFormat::Html => Format::Html,
        OneFormat::Md => Format::Md,
        OneFormat::Osv => Format::Osv,
        OneFormat::Csaf => Format::Csaf,
        OneFormat::Cve => Format::Cve,
        OneFormat::Openvex => Format::Openvex,
        OneFormat::CsafVex => Format::CsafVex,
    };
    let req = OneRequest { id: &id, root: repo.root(), format, draft: args.draft, now: clock::now()? };
    let text = site::render_one(&req, config, &doc, &report, |advisories| {
        let (ids, since) = History::wanted(advisories);
        Ok(History::from_git(history::report_revisions(repo, &ids, since)?, config))
    })?;
    write_one(args.out.as_deref(), ctx, &text, args.draft, repo, args.force)?;
    Ok(ExitCode::SUCCESS)
}

/// Writes one advisory to `out` (stdout when `None`); a draft never goes into a site directory
/// (one holding a manifest, or the repository's default `site/`).
fn write_one(
    out: Option<&Path>,
    ctx: &Context,
    text: &str,
    draft: bool,
    repo: &Repo,
    force: bool,
) -> Result<(), Error> {
    let Some(out) = out else { return super::output::print_data(text) };
    let root = repo.root();
    let path = ctx.cwd.join(out);
    let default_site = std::fs::canonicalize(root).unwrap_or_else(|_| root.to_owned()).join("site");
    let parent = path.parent().and_then(|p| std::fs::canonicalize(p).ok());
    let in_default_site = parent.is_some_and(|p| p.starts_with(&default_site));
    if draft && (site::inside_site(&path) || in_default_site) {
        return Err(Error::usage(
            format!("{} is inside a site directory; drafts are never written there", out.display()),
            "write the preview elsewhere, or to stdout",
        ));
    }
    super::output::check_output(repo, &path, force)?;
    super::output::write_output(repo, &path, text.as_bytes())
}
