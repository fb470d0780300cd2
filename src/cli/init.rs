//! `enigm-disclose init`: create or adopt a disclosure repository.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;
use enigm_disclose::Error;
use enigm_disclose::format::config::ConfigSeed;
use enigm_disclose::layout::Layout;
use enigm_disclose::store::hook;
use enigm_disclose::store::repo::Repo;
use enigm_disclose::workflow::init::{InitOptions, init, missing_ignores};

use super::Context;
use super::output::print;

/// Create (or adopt) a git repository as a disclosure repository.
///
/// Writes a commented enigm.yaml, reports/, templates/ and a .gitignore for the generated site and
/// dashboard, and commits exactly those files.
#[derive(Debug, Args)]
#[command(
    after_help = "Example:\n  enigm-disclose init advisories --organization \"Example Corp\" \\\n      --contact security@example.com --product web --product api"
)]
pub struct InitArgs {
    /// Directory to initialise (created if missing) [default: current directory].
    dir: Option<PathBuf>,
    /// Prefix of report ids (<PREFIX>-<YEAR>-<NNNN>).
    #[arg(long, default_value = "ENIGM")]
    prefix: String,
    /// The organisation running the disclosure process.
    #[arg(long, default_value = "Example Corp")]
    organization: String,
    /// Where researchers send reports (email address or URL).
    #[arg(long, default_value = "security@example.com")]
    contact: String,
    /// A product reports can be filed against (repeatable).
    #[arg(long = "product", value_name = "NAME")]
    products: Vec<String>,
    /// Proceed on a repository with uncommitted changes or an existing layout; only missing
    /// files are added, nothing is overwritten.
    #[arg(long)]
    force: bool,
    /// Write the files but do not commit them.
    #[arg(long)]
    no_commit: bool,
    /// Do not run the repository's pre-commit and commit-msg hooks (as `git commit --no-verify`).
    #[arg(long)]
    no_verify: bool,
    /// Do not install the git pre-commit hook (`validate --staged` before every commit).
    #[arg(long)]
    no_hook: bool,
    /// Seal every report with age (only routing metadata stays in clear text). Without
    /// --recipient, your identity's public key is the recipient; without an identity, a new
    /// one is created at ~/.config/enigm/identity.txt.
    #[arg(long)]
    sealed: bool,
    /// A recipient of the sealed reports: an age public key (age1…) or an SSH public key
    /// (repeatable; implies --sealed).
    #[arg(long = "recipient", value_name = "KEY")]
    recipients: Vec<String>,
    /// Keep report titles in clear text in a sealed repository (for dashboards).
    #[arg(long, requires = "sealed")]
    clear_titles: bool,
    /// Where report files live: flat (reports/<ID>.md) or sharded (reports/<YEAR>/<ID>.md,
    /// for repositories that will hold many reports).
    /// Default: flat; with --force on an existing repository, it must be what enigm.yaml says.
    #[arg(long, value_enum)]
    layout: Option<LayoutArg>,
}

/// The `layout` of `enigm.yaml`, as the command line spells it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LayoutArg {
    Flat,
    Sharded,
}

impl From<LayoutArg> for Layout {
    fn from(arg: LayoutArg) -> Layout {
        match arg {
            LayoutArg::Flat => Layout::Flat,
            LayoutArg::Sharded => Layout::Sharded,
        }
    }
}

pub fn run(ctx: &Context, args: InitArgs) -> Result<ExitCode, Error> {
    let dir = args.dir.map_or_else(|| ctx.cwd.clone(), |d| ctx.cwd.join(d));
    let opts = InitOptions {
        dir,
        seed: ConfigSeed {
            id_prefix: args.prefix,
            organization: args.organization,
            security_contact: args.contact,
            products: args.products,
        },
        force: args.force,
        commit: !args.no_commit,
        verify: !args.no_verify,
        sealing: None,
        layout: args.layout.map(Layout::from),
    };
    let mut text = String::new();
    let opts = if args.sealed || !args.recipients.is_empty() {
        let sealing = super::seal::sealing_for_init(args.recipients, args.clear_titles, &mut text)?;
        InitOptions { sealing: Some(sealing), ..opts }
    } else {
        opts
    };
    let outcome = init(&opts)?;
    let what =
        if outcome.created_repository { "Initialised a new git repository" } else { "Adopted the git repository" };
    text.push_str(&format!("{what} at {}\n", outcome.root.display()));
    for p in &outcome.written {
        text.push_str(&format!("  created {}\n", p.display()));
    }
    for p in &outcome.kept {
        text.push_str(&format!("  kept    {} (already there)\n", p.display()));
    }
    let missing = missing_ignores(&outcome.root);
    if !missing.is_empty() {
        text.push_str(&format!(
            "  add {} to .gitignore: enigm-disclose writes them and they are not sources\n",
            missing.iter().map(|m| format!("`{m}`")).collect::<Vec<_>>().join(" and ")
        ));
    }
    match outcome.commit {
        Some(oid) => text.push_str(&format!("Committed as {}\n", oid.short())),
        None if outcome.written.is_empty() => text.push_str("Nothing to add.\n"),
        None => text.push_str("Not committed (--no-commit).\n"),
    }
    if !args.no_hook {
        let repo = Repo::discover(&outcome.root)?;
        let exe = std::env::current_exe().map_err(Error::io("cannot find the running binary"))?;
        match hook::install(&repo, &super::hook::script(&exe), false) {
            Ok(path) => text.push_str(&format!("Installed the pre-commit hook ({}): commits run `validate --staged`.\n", path.display())),
            Err(_) => text.push_str("Kept the existing pre-commit hook; to chain the checks, add `enigm-disclose validate --staged || exit 1` to it.\n"),
        }
    }
    text.push_str("Next: edit enigm.yaml (organisation, products), then `enigm-disclose new`.\n");
    print(&text)?;
    Ok(ExitCode::SUCCESS)
}
