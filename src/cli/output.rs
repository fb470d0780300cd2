//! Terminal output: colour decisions, miette setup, writing to stdout without panicking on a
//! closed pipe.

use std::io::{self, IsTerminal, Write};
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};

use enigm_disclose::Error;
use serde::Serialize;

use super::ColorChoice;

static COLOR: AtomicBool = AtomicBool::new(false);
static COLOR_STDOUT: AtomicBool = AtomicBool::new(false);

/// Decides colour from `--color`, `NO_COLOR` and whether stderr and stdout are terminals.
pub fn setup(choice: ColorChoice) {
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    let decide = |terminal: bool| match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => !no_color && terminal,
    };
    COLOR.store(decide(io::stderr().is_terminal()), Ordering::Relaxed);
    COLOR_STDOUT.store(decide(io::stdout().is_terminal()), Ordering::Relaxed);
}

/// Whether diagnostics (stderr) may use colour.
pub fn color() -> bool {
    COLOR.load(Ordering::Relaxed)
}

/// Whether tables and other standard output may use colour.
pub fn color_stdout() -> bool {
    COLOR_STDOUT.load(Ordering::Relaxed)
}

/// Width to fit tables into: `COLUMNS` when standard output is a terminal, else unlimited.
pub fn stdout_width() -> Option<usize> {
    if !io::stdout().is_terminal() {
        return None;
    }
    Some(std::env::var("COLUMNS").ok().and_then(|c| c.parse().ok()).unwrap_or(100))
}

/// Prints an error with miette and returns its exit code.
pub fn fail(error: &Error) -> ExitCode {
    eprint_diagnostic(error);
    ExitCode::from(error.exit_code())
}

/// Prints a diagnostic to stderr: file, line, column, the source line underlined, help.
pub fn eprint_diagnostic(diagnostic: &dyn miette::Diagnostic) {
    let mut text = String::new();
    let _ = render_diagnostic(diagnostic, &mut text);
    let _ = io::stderr().lock().write_all(text.as_bytes());
}

/// Renders a diagnostic the way the terminal shows it (width from `COLUMNS`, default 100).
pub fn render_diagnostic(diagnostic: &dyn miette::Diagnostic, out: &mut String) -> std::fmt::Result {
    let width = std::env::var("COLUMNS").ok().and_then(|c| c.parse().ok()).unwrap_or(100);
    let theme = if color() { miette::GraphicalTheme::unicode() } else { miette::GraphicalTheme::unicode_nocolor() };
    let handler = miette::GraphicalReportHandler::new_themed(theme).with_width(width).with_links(false);
    handler.render_report(out, diagnostic)
}

/// Writes text to stdout; a closed pipe (`| head`) is not an error.
pub fn print(text: &str) -> Result<(), Error> {
    let mut out = io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() != io::ErrorKind::BrokenPipe => Err(Error::io("cannot write to standard output")(e)),
        _ => Ok(()),
    }
}

/// Writes a value as pretty JSON and a newline to stdout.
pub fn print_json<T: Serialize>(value: &T) -> Result<(), Error> {
    let text = serde_json::to_string_pretty(value)
        .map_err(|e| Error::usage(format!("cannot encode JSON: {e}"), "this is a bug"))?;
    print(&(text + "\n"))
}

/// Output format of commands that support machine-readable output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Human,
    Json,
}

/// Parses a `--date`-style value (YYYY-MM-DD) for clap.
pub fn parse_date(s: &str) -> Result<chrono::NaiveDate, String> {
    enigm_disclose::store::clock::parse_date(s).map_err(|e| format!("`{s}` is not a date YYYY-MM-DD ({e})"))
}
