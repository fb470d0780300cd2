//! The command-line layer: clap definitions, turning flags into requests, formatting output.
//!
//! Each subcommand lives in `cli/<command>.rs` with its clap struct and a `run` that resolves
//! the flags (repository opened, configuration loaded) and calls the library. Errors come
//! back typed and are rendered by `output.rs` with miette, which also turns the request
//! fields the core names (`{duplicate_of}`) into this command line's flags and adds the hints
//! that name flags; exit codes: 0 ok, 1 findings, 2 could not run. Only this layer knows clap,
//! dialoguer and flag spellings (`tests/cli/architecture.rs` checks it).

mod advance;
mod aggregate;
mod audit;
mod complete;
mod demo;
mod enrich;
mod findings;
mod hook;
mod import;
mod init;
mod list;
mod man;
mod markdown;
mod migrate;
mod new;
mod output;
mod render;
mod renumber;
mod reply;
mod seal;
mod select;
mod show;
mod states;
mod stats;
mod status;
mod table;
mod validate;
mod verify_site;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

use enigm_disclose::Error;
use enigm_disclose::format::config::Config;
use enigm_disclose::store::repo::Repo;

/// The binary's name, as the man pages and completion scripts call it.
pub const BIN: &str = "enigm-disclose";

/// The help heading of the options every command takes.
const GLOBAL: &str = "Global options";

const ABOUT: &str = "Coordinated vulnerability disclosure out of a plain git repository";

const AFTER_HELP: &str = "\
Exit codes: 0 ok, 1 findings (a report or the config has a problem), 2 usage or environment error.
Environment: NO_COLOR disables colour; ENIGM_TODAY=YYYY-MM-DD fixes today's date;
ENIGM_NOW=<RFC 3339 time> fixes the instant the CRA clocks count to.

Start here:
  enigm-disclose init advisories --organization \"Example Corp\" \\
      --contact security@example.com --product web
  cd advisories
  enigm-disclose new --title \"XSS in search\" --reporter-name \"Jane Doe\"";

/// Command-line arguments.
#[derive(Debug, Parser)]
#[command(name = "enigm-disclose", version, about = ABOUT, after_help = AFTER_HELP)]
pub struct Cli {
    /// Run as if started in DIR (like `git -C`).
    #[arg(short = 'C', global = true, value_name = "DIR", value_hint = clap::ValueHint::DirPath, help_heading = GLOBAL)]
    chdir: Option<PathBuf>,

    /// When to use colour in human output.
    #[arg(long, global = true, value_enum, value_name = "WHEN", default_value_t = ColorChoice::Auto, help_heading = GLOBAL)]
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
    Import(import::ImportArgs),
    List(list::ListArgs),
    Show(show::ShowArgs),
    Due(list::DueArgs),
    Stats(stats::StatsArgs),
    Aggregate(aggregate::AggregateArgs),
    Validate(validate::ValidateArgs),
    Advance(advance::AdvanceArgs),
    Reply(reply::ReplyArgs),
    Correspond(reply::CorrespondArgs),
    States(states::StatesArgs),
    History(audit::HistoryArgs),
    Verify(audit::VerifyArgs),
    Render(render::RenderArgs),
    VerifySite(verify_site::VerifySiteArgs),
    Templates(render::TemplatesArgs),
    Hook(hook::HookArgs),
    Renumber(renumber::RenumberArgs),
    Migrate(migrate::MigrateArgs),
    Enrich(enrich::EnrichArgs),
    Edit(seal::EditArgs),
    Seal(seal::SealArgs),
    Rekey(seal::RekeyArgs),
    /// Print shell completions (bash, zsh, fish, powershell, elvish).
    #[command(
        after_help = "Example:\n  dir=~/.local/share/bash-completion/completions\n  enigm-disclose completions bash > \"$dir/enigm-disclose\"\n\nDynamic completion (also the report ids of the repository you are in),\nin ~/.bashrc:\n  source <(COMPLETE=bash enigm-disclose)"
    )]
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
    Man(man::ManArgs),
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
        let config = enigm_disclose::rules::pipeline::load_config(repo.root())?;
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

/// The report id the user typed (`ENIGM-2026-0007`, `2026-7`, `7`), resolved against the
/// work tree; a bare number is this year's report (by the clock, so `ENIGM_TODAY` sets it),
/// with a note on stderr when another year has the same number.
pub fn report_id(repo: &Repo, input: &str) -> Result<String, Error> {
    let year = chrono::Datelike::year(&enigm_disclose::store::clock::today()?);
    let resolved = enigm_disclose::store::scan::resolve_id(repo.root(), input, year)?;
    if !resolved.other_years.is_empty() {
        eprintln!(
            "note: `{}` is read as {}, this year's; also numbered so: {} (name it with its year, e.g. `{}`)",
            input.trim(),
            resolved.id,
            resolved.other_years.join(", "),
            short_form(&resolved.other_years[0]),
        );
    }
    Ok(resolved.id)
}

/// `2025-7` for ENIGM-2025-0007.
fn short_form(id: &str) -> String {
    id.parse::<enigm_disclose::format::id::ReportId>()
        .map_or_else(|_| id.to_owned(), |p| format!("{}-{}", p.year, p.number))
}

/// Who a change is by (the timeline's `by`): the commit's author, or without a commit the
/// name git would record (`GIT_AUTHOR_NAME`, `user.name`), so `--no-commit` records the same.
pub fn author(repo: &Repo, identity: Option<&enigm_disclose::store::repo::Identity>) -> Option<String> {
    identity.map(|i| i.author_name()).or_else(|| repo.author_name())
}

fn completions(shell: clap_complete::Shell) -> Result<ExitCode, Error> {
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut <Cli as clap::CommandFactory>::command(), "enigm-disclose", &mut out);
    output::print(&String::from_utf8_lossy(&out))?;
    Ok(ExitCode::SUCCESS)
}

/// The command definition as `--help` shows it: inside `` `code` `` in help texts, spaces are
/// no-break spaces, so clap's wrapping never splits a command or a flag from its value. Shown
/// help turns them back into plain spaces ([`plain_spaces`]).
pub fn help_command() -> clap::Command {
    fn keep(cmd: clap::Command) -> clap::Command {
        let about = cmd.get_about().map(|s| code_together(&s.to_string()));
        let long_about = cmd.get_long_about().map(|s| code_together(&s.to_string()));
        let mut cmd = cmd.mut_args(|mut a| {
            if let Some(help) = a.get_help().map(|s| code_together(&s.to_string())) {
                a = a.help(help);
            }
            if let Some(long) = a.get_long_help().map(|s| code_together(&s.to_string())) {
                a = a.long_help(long);
            }
            a
        });
        if let Some(about) = about {
            cmd = cmd.about(about);
        }
        if let Some(long_about) = long_about {
            cmd = cmd.long_about(long_about);
        }
        let names: Vec<String> = cmd.get_subcommands().map(|s| s.get_name().to_owned()).collect();
        for name in names {
            cmd = cmd.mut_subcommand(name, keep);
        }
        cmd
    }
    keep(<Cli as clap::CommandFactory>::command())
}

/// `text` with every space inside `` `code` `` a no-break space.
fn code_together(text: &str) -> String {
    let mut in_code = false;
    text.chars()
        .map(|c| {
            if c == '`' {
                in_code = !in_code;
            }
            if c == ' ' && in_code { '\u{a0}' } else { c }
        })
        .collect()
}

/// Help text as printed: the no-break spaces of [`help_command`] back to spaces.
pub fn plain_spaces(text: &str) -> String {
    text.replace('\u{a0}', " ")
}

/// Parses the command line; `--help`, `--version` and parse errors are printed (with plain
/// spaces) and exit, as clap does.
pub fn parse() -> Cli {
    use clap::FromArgMatches;
    let parsed = help_command().try_get_matches().and_then(|m| Cli::from_arg_matches(&m));
    match parsed {
        Ok(cli) => cli,
        Err(e) => {
            use std::io::{IsTerminal, Write};
            let terminal =
                if e.use_stderr() { std::io::stderr().is_terminal() } else { std::io::stdout().is_terminal() };
            let color = terminal && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
            let rendered = e.render();
            let text = plain_spaces(&if color { rendered.ansi().to_string() } else { rendered.to_string() });
            // A closed pipe (`--help | head`) is not an error.
            let _ = if e.use_stderr() {
                std::io::stderr().lock().write_all(text.as_bytes())
            } else {
                std::io::stdout().lock().write_all(text.as_bytes())
            };
            std::process::exit(e.exit_code());
        }
    }
}

/// Answers a shell's completion request (`COMPLETE=bash …`, see `complete.rs`) and exits;
/// otherwise does nothing.
pub fn complete_if_asked() {
    complete::answer_if_asked();
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
        Command::Import(args) => import::run(&ctx, args),
        Command::Validate(args) => validate::run(&ctx, args),
        Command::Renumber(args) => renumber::run(&ctx, args),
        Command::Migrate(args) => migrate::run(&ctx, args),
        Command::Enrich(args) => enrich::run(&ctx, args),
        Command::Advance(args) => advance::run(&ctx, args),
        Command::Reply(args) => reply::run(&ctx, args),
        Command::Correspond(args) => reply::run_correspond(&ctx, args),
        Command::States(args) => states::run(&ctx, args),
        Command::History(args) => audit::run_history(&ctx, args),
        Command::Verify(args) => audit::run_verify(&ctx, args),
        Command::Render(args) => render::run(&ctx, args),
        Command::VerifySite(args) => verify_site::run(&ctx, args),
        Command::Templates(args) => render::run_templates(&ctx, args),
        Command::Hook(args) => hook::run(&ctx, args),
        Command::List(args) => list::run_list(&ctx, args),
        Command::Due(args) => list::run_due(&ctx, args),
        Command::Show(args) => show::run(&ctx, args),
        Command::Stats(args) => stats::run(&ctx, args),
        Command::Aggregate(args) => aggregate::run(&ctx, args),
        Command::Demo(args) => demo::run(&ctx, args),
        Command::Edit(args) => seal::run_edit(&ctx, args),
        Command::Seal(args) => seal::run_seal(&ctx, args),
        Command::Rekey(args) => seal::run_rekey(&ctx, args),
        Command::Completions { shell } => completions(shell),
        Command::Man(args) => man::run(&ctx, args),
    };
    match result {
        Ok(code) => code,
        Err(e) => output::fail(&e),
    }
}
