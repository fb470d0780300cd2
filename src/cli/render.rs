//! `enigm-disclose render` and `enigm-disclose templates export`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, Subcommand, ValueEnum};
use enigm_disclose::public::{advisory, is_renderable};
use enigm_disclose::render::site::{self, SiteRequest};
use enigm_disclose::render::{Renderer, SiteInfo, export_templates, osv};
use enigm_disclose::repo::REPORTS_DIR;
use enigm_disclose::report::Document;
use enigm_disclose::scan::resolve_id;
use enigm_disclose::{Error, clock, fsutil};

use super::Context;
use super::output::{print, print_json};

/// Render public advisories: the static site, or one advisory to stdout.
///
/// Only published and withdrawn reports are rendered; contacts, assignees, timeline notes and
/// private sections never are. `--draft` previews one unpublished report, stamped on every
/// page, and never into the site directory.
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  enigm-disclose render --out site              # the whole site\n  enigm-disclose render --out site --check      # exit 1 when site/ is out of date\n  enigm-disclose render 2026-7 --format osv     # one advisory to stdout\n  enigm-disclose render 2026-9 --draft > preview.html"
)]
pub struct RenderArgs {
    /// One advisory to print instead of building the site.
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
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum OneFormat {
    Html,
    Md,
    Osv,
}

/// Manage template overrides.
#[derive(Debug, Args)]
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
    let renderer = Renderer::new(Some(repo.root()))?;
    let Some(id) = &args.id else {
        let out = args.out.map_or_else(|| repo.root().join("site"), |o| ctx.cwd.join(o));
        let outcome = site::build(
            &repo,
            &config,
            &renderer,
            &SiteRequest { out: out.clone(), changed_since: args.changed_since, check: args.check },
        )?;
        for (p, why) in &outcome.skipped {
            eprintln!("warning: {} not rendered: {why} (run `enigm-disclose validate`)", p.display());
        }
        if args.check {
            for f in &outcome.out_of_date {
                eprintln!("out of date: {f}");
            }
            print(&format!(
                "{} advisories; {} file{} out of date in {}\n",
                outcome.advisories,
                outcome.out_of_date.len(),
                if outcome.out_of_date.len() == 1 { "" } else { "s" },
                out.display()
            ))?;
            return Ok(if outcome.out_of_date.is_empty() && outcome.skipped.is_empty() {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            });
        }
        print(&format!(
            "{} advisories rendered to {}: {} written, {} unchanged, {} removed\n",
            outcome.advisories,
            out.display(),
            outcome.written.len(),
            outcome.unchanged,
            outcome.removed.len()
        ))?;
        return Ok(if outcome.skipped.is_empty() { ExitCode::SUCCESS } else { ExitCode::from(1) });
    };
    let id = resolve_id(repo.root(), id)?;
    let path = Path::new(REPORTS_DIR).join(format!("{id}.md"));
    let doc = Document::load(repo.root(), &path)?;
    let report = doc.report()?;
    let stamp = if args.draft {
        let today = clock::today()?;
        Some(match report.embargo_until {
            Some(e) if e >= today => format!("DRAFT — EMBARGOED until {e}"),
            _ => "DRAFT — NOT PUBLISHED".to_owned(),
        })
    } else if is_renderable(&report) {
        None
    } else {
        return Err(Error::usage(
            format!("{id} is {} and is not public; nothing unpublished is rendered", report.state),
            format!("preview it with `enigm-disclose render {id} --draft`"),
        ));
    };
    let adv = advisory(&doc, &report, &config, stamp);
    let text = match args.format {
        OneFormat::Html => renderer.advisory("advisory.html.j2", &adv, &SiteInfo::from_config(&config), "")?,
        OneFormat::Md => renderer.advisory("advisory.md.j2", &adv, &SiteInfo::from_config(&config), "")?,
        OneFormat::Osv => {
            print_json_to(args.out.as_deref(), ctx, &osv::record(&adv, &config), args.draft)?;
            return Ok(ExitCode::SUCCESS);
        }
    };
    write_one(args.out.as_deref(), ctx, &text, args.draft)?;
    Ok(ExitCode::SUCCESS)
}

fn print_json_to(out: Option<&Path>, ctx: &Context, value: &serde_json::Value, draft: bool) -> Result<(), Error> {
    match out {
        None => print_json(value),
        Some(_) => write_one(out, ctx, &(serde_json::to_string_pretty(value).unwrap_or_default() + "\n"), draft),
    }
}

/// Writes one advisory to `out` (stdout when `None`); a draft never goes into a site directory.
fn write_one(out: Option<&Path>, ctx: &Context, text: &str, draft: bool) -> Result<(), Error> {
    let Some(out) = out else { return print(text) };
    let path = ctx.cwd.join(out);
    if draft && site::inside_site(&path) {
        return Err(Error::usage(
            format!("{} is inside a site directory; drafts are never written there", out.display()),
            "write the preview elsewhere, or to stdout",
        ));
    }
    fsutil::write_atomic(&path, text.as_bytes()).map_err(Error::io(format!("cannot write {}", path.display())))
}
