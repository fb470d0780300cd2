//! The command-line layer: clap definitions, turning flags into requests, formatting output.
//!
//! Each subcommand lives in `cli/<command>.rs` with its clap struct and a `run` that resolves
//! the flags (repository opened, configuration loaded) and calls the library. Errors come
//! back typed and are rendered by `output.rs` with miette, which also turns the request
//! fields the core names (`{duplicate_of}`) into this command line's flags and adds the hints
//! that name flags; exit codes: 0 ok, 1 findings, 2 could not run. Only this layer knows clap,
//! dialoguer and flag spellings (`tests/cli/architecture.rs` checks it).

mod advance;
mod audit;
mod demo;
mod findings;
mod hook;
mod init;
mod list;
mod markdown;
mod new;
mod output;
mod render;
mod renumber;
mod seal;
mod show;
mod states;
mod stats;
mod status;
mod table;
mod validate;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

use enigm_disclose::Error;
use enigm_disclose::format::config::Config;
use enigm_disclose::store::repo::Repo;

const ABOUT: &str = "Coordinated vulnerability disclosure out of a plain git repository";

const AFTER_HELP: &str = "\
Exit codes: 0 ok, 1 findings (a report or the config has a problem), 2 usage or environment error.
Environment: NO_COLOR disables colour; ENIGM_TODAY=YYYY-MM-DD fixes today's date.

Start here:
  enigm-disclose init advisories --organization \"Example Corp\" --contact security@example.com --product web
  cd advisories && enigm-disclose new --title \"XSS in search\" --product web --reporter-name \"Jane Doe\"";

/// Command-line arguments.
#[derive(Debug, Parser)]
#[command(name = "enigm-disclose", version, about = ABOUT, after_help = AFTER_HELP)]
pub struct Cli {
    /// Run as if started in DIR (like `git -C`).
    #[arg(short = 'C', global = true, value_name = "DIR")]
    chdir: Option<PathBuf>,

    /// When to use colour in human output.
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto)]
    color: ColorChoice,

    /// Without a command: the repository's status (counts per state, what is overdue).
    #[command(subcommand)]
    command: Option<Command>,
}

/// When to colour output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    /// Colour when writing to a terminal and NO_COLOR is not set.
    Auto,
    Always,
    Never,
}

#[derive(Debug, Subcommand)]
enum Command {
    Init(init::InitArgs),
    Demo(demo::DemoArgs),
    New(new::NewArgs),
    List(list::ListArgs),
    Show(show::ShowArgs),
    Due(list::DueArgs),
    Stats(stats::StatsArgs),
    Validate(validate::ValidateArgs),
    Advance(advance::AdvanceArgs),
    States(states::StatesArgs),
    History(audit::HistoryArgs),
    Verify(audit::VerifyArgs),
    Render(render::RenderArgs),
    Templates(render::TemplatesArgs),
    Hook(hook::HookArgs),
    Renumber(renumber::RenumberArgs),
    Edit(seal::EditArgs),
    Seal(seal::SealArgs),
    Rekey(seal::RekeyArgs),
    /// Print shell completions (bash, zsh, fish, powershell, elvish).
    #[command(
        after_help = "Example:\n  enigm-disclose completions bash > ~/.local/share/bash-completion/completions/enigm-disclose"
    )]
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff).
    #[command(after_help = "Example:\n  enigm-disclose man > enigm-disclose.1 && man ./enigm-disclose.1")]
    Man,
}

/// Where a command runs.
pub struct Context {
    /// The working directory (after `-C`).
    pub cwd: PathBuf,
}

impl Context {
    /// The disclosure repository containing the working directory (configuration unchecked:
    /// `validate` reports its problems itself).
    pub fn open_repo_only(&self) -> Result<(Repo, ()), Error> {
        Ok((Repo::discover(&self.cwd)?, ()))
    }

    /// The disclosure repository containing the working directory, and its configuration.
    pub fn open(&self) -> Result<(Repo, Config), Error> {
        let repo = Repo::discover(&self.cwd)?;
        let config = Config::load(repo.root())?;
        Ok((repo, config))
    }
}

/// Takes the repository's write lock and says what it cleaned up after an interrupted run.
pub fn locked(repo: &Repo) -> Result<enigm_disclose::store::repo::WriteLock, Error> {
    let lock = repo.lock_for_writing()?;
    for note in lock.notes() {
        eprintln!("note: {note}");
    }
    Ok(lock)
}

fn completions(shell: clap_complete::Shell) -> Result<ExitCode, Error> {
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut <Cli as clap::CommandFactory>::command(), "enigm-disclose", &mut out);
    output::print(&String::from_utf8_lossy(&out))?;
    Ok(ExitCode::SUCCESS)
}

fn man_page() -> Result<ExitCode, Error> {
    let mut out = Vec::new();
    clap_mangen::Man::new(<Cli as clap::CommandFactory>::command())
        .render(&mut out)
        .map_err(Error::io("cannot render the man page"))?;
    output::print(&String::from_utf8_lossy(&out))?;
    Ok(ExitCode::SUCCESS)
}

/// Runs the parsed command line and returns the process exit code.
pub fn run(cli: Cli) -> ExitCode {
    output::setup(cli.color);
    // Sealed reports open with the user's identity, looked for on the first one read.
    enigm_disclose::format::sealed::install_key_source(enigm_disclose::store::keys::find);
    let cwd = match std::env::current_dir() {
        Ok(cwd) => cli.chdir.map_or(cwd.clone(), |d| cwd.join(d)),
        Err(e) => return output::fail(&Error::io("cannot read the current directory")(e)),
    };
    let ctx = Context { cwd };
    let Some(command) = cli.command else {
        return status::run(&ctx).unwrap_or_else(|e| output::fail(&e));
    };
    let result = match command {
        Command::Init(args) => init::run(&ctx, args),
        Command::New(args) => new::run(&ctx, args),
        Command::Validate(args) => validate::run(&ctx, args),
        Command::Renumber(args) => renumber::run(&ctx, args),
        Command::Advance(args) => advance::run(&ctx, args),
        Command::States(args) => states::run(&ctx, args),
        Command::History(args) => audit::run_history(&ctx, args),
        Command::Verify(args) => audit::run_verify(&ctx, args),
        Command::Render(args) => render::run(&ctx, args),
        Command::Templates(args) => render::run_templates(&ctx, args),
        Command::Hook(args) => hook::run(&ctx, args),
        Command::List(args) => list::run_list(&ctx, args),
        Command::Due(args) => list::run_due(&ctx, args),
        Command::Show(args) => show::run(&ctx, args),
        Command::Stats(args) => stats::run(&ctx, args),
        Command::Demo(args) => demo::run(&ctx, args),
        Command::Edit(args) => seal::run_edit(&ctx, args),
        Command::Seal(args) => seal::run_seal(&ctx, args),
        Command::Rekey(args) => seal::run_rekey(&ctx, args),
        Command::Completions { shell } => completions(shell),
        Command::Man => man_page(),
    };
    match result {
        Ok(code) => code,
        Err(e) => output::fail(&e),
    }
}
