//! `enigm-disclose demo`: build a throw-away disclosure repository to explore.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;
use enigm_disclose::Error;
use enigm_disclose::store::clock;
use enigm_disclose::workflow::demo;

use super::Context;
use super::output::print;

/// Create a demo disclosure repository with a dozen realistic reports in every state.
///
/// The reports are made through the real commands (so the git history is real) and the site
/// is rendered. Names and addresses are fictitious. Without DIR a new directory is made under the
/// system's temporary directory; it is kept, and the command prints where.
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  enigm-disclose demo\n  enigm-disclose demo /tmp/disclosure-demo && cd /tmp/disclosure-demo && enigm-disclose"
)]
pub struct DemoArgs {
    /// Where to create it (must not exist or be empty) [default: a new temporary directory].
    dir: Option<PathBuf>,
    /// Seal the demo's reports to a demo identity (its path is printed), to see both sides:
    /// with the key and, in a clone or with ENIGM_IDENTITY_FILE unset, without.
    #[arg(long)]
    sealed: bool,
}

pub fn run(ctx: &Context, args: DemoArgs) -> Result<ExitCode, Error> {
    let dir = match args.dir {
        Some(d) => ctx.cwd.join(d),
        None => tempfile::Builder::new()
            .prefix("enigm-demo-")
            .tempdir()
            .map_err(Error::io("cannot create a temporary directory"))?
            .keep(),
    };
    let today = clock::today()?;
    let outcome = demo::build_with(&dir, today, args.sealed)?;
    let root = outcome.root.display().to_string();
    let mut out = format!(
        "Demo disclosure repository: {root}\n  {} reports in every lifecycle state, {} commits; {} advisories rendered to {}\n\n",
        outcome.reports.len(),
        outcome.commits,
        outcome.advisories,
        outcome.site.display()
    );
    for (id, state) in &outcome.reports {
        out.push_str(&format!("  {id}  {state}\n"));
    }
    let example = outcome.reports.get(1).map_or("1", |(id, _)| id.as_str());
    out.push_str(&format!(
        "\nTry next:\n  cd {root}\n  enigm-disclose                          # status: counts per state, what is overdue\n  enigm-disclose list --open --sort deadline\n  enigm-disclose due                      # exits 1: some deadlines are overdue\n  enigm-disclose show {example}         # one report; ids abbreviate as in git\n  enigm-disclose history {example}      # its timeline joined with the git log\n  enigm-disclose validate\n  enigm-disclose stats --html dashboard.html\n  enigm-disclose render {example} --format csaf   # also osv, cve, md, html\n  open site/index.html                    # the public advisories\n"
    ));
    if let Some(identity) = &outcome.identity {
        out.push_str(&format!(
            "\nThe reports are sealed to the demo identity {id}.\nWith the key:     export ENIGM_IDENTITY_FILE={id}; enigm-disclose show {example}\nWithout a key:    git clone {root} /tmp/demo-clone && enigm-disclose -C /tmp/demo-clone show {example}\n",
            id = identity.display()
        ));
    }
    print(&out)?;
    Ok(ExitCode::SUCCESS)
}
