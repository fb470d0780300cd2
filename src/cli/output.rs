//! Terminal output: colour decisions, miette setup, writing to stdout without panicking on a
//! closed pipe.

use std::io::{self, IsTerminal, Write};
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};

use enigm_disclose::Error;
use enigm_disclose::format::report::Level;
use enigm_disclose::query::catalog::Unreadable;
use enigm_disclose::query::deadline::Deadline;
use enigm_disclose::rules::redact;
use enigm_disclose::store::clock;
use serde::Serialize;

use super::ColorChoice;
use super::table::Style;

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

/// Prints an error with miette and returns its exit code. Request fields named by the core
/// become this command line's flags, and errors whose remedy is a flag get that hint.
pub fn fail(error: &Error) -> ExitCode {
    let masked = masked(error);
    let error = masked.as_ref().unwrap_or(error);
    match error {
        Error::Usage { message, help } => {
            let help = help.as_ref().map(|h| h.render(flag));
            eprint_diagnostic(&Hinted { inner: error, message: Some(message.render(flag)), help });
        }
        _ => match hint(error) {
            Some(help) => eprint_diagnostic(&Hinted { inner: error, message: None, help: Some(help) }),
            None => eprint_diagnostic(error),
        },
    }
    ExitCode::from(error.exit_code())
}

/// The error with every secret masked in the findings and file texts it shows (`None` when
/// it shows none). Printing masks again, but only what the scanner finds in the rendered text.
fn masked(error: &Error) -> Option<Error> {
    match error {
        Error::File(p) => Some(Error::File(Box::new(redact::remask(p)))),
        Error::Refused { headline, problems, count } => Some(Error::Refused {
            headline: headline.clone(),
            problems: problems.iter().map(redact::remask).collect(),
            count: *count,
        }),
        _ => None,
    }
}

/// The flag that sets a request field: `duplicate_of` → `--duplicate-of`.
/// Refuses to write the tool's output (`render ID --out`, `stats --html`) over the user's
/// files: never into the git directory, never over a tracked file, never over an existing
/// file (which the tool may not have written) unless `force`.
pub fn check_output(
    repo: &enigm_disclose::store::repo::Repo,
    path: &std::path::Path,
    force: bool,
) -> Result<(), Error> {
    if let Some(why) = repo.output_clash(path)
        && (!force || why.contains("git directory"))
    {
        {
            let help = if why.contains("git directory") {
                "write the output outside .git/".to_owned()
            } else {
                format!("write it elsewhere, or pass {} to replace the file", flag("force"))
            };
            return Err(Error::usage(format!("will not write over it: {why}"), help));
        }
    }
    // Inside the work tree, no directory on the way is a link (`docs -> /etc`).
    if let Ok(rel) = path.strip_prefix(repo.root()) {
        let parent = rel.parent().unwrap_or(std::path::Path::new(""));
        enigm_disclose::layout::no_links(repo.root(), parent)
            .map_err(Error::io(format!("cannot write {}", path.display())))?;
    }
    if !force && path.symlink_metadata().is_ok() && !wrote_it(repo, path) {
        return Err(Error::usage(
            format!("{} exists; the tool does not replace a file it may not have written", path.display()),
            format!("write to a new file, or pass {} to replace it", flag("force")),
        ));
    }
    Ok(())
}

/// Where the tool records the output files it wrote (path and a hash of the content), inside
/// the git directory: a file is replaced without `--force` only while it is what the tool wrote.
const OUTPUTS_FILE: &str = "enigm-outputs";

fn fingerprint(bytes: &[u8]) -> String {
    // FNV-1a: stable across builds, enough to tell "unchanged since we wrote it".
    let hash = bytes.iter().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| (h ^ u64::from(*b)).wrapping_mul(0x100_0000_01b3));
    format!("{hash:016x} {}", bytes.len())
}

fn output_key(path: &std::path::Path) -> String {
    std::fs::canonicalize(path).unwrap_or_else(|_| path.to_owned()).display().to_string()
}

fn recorded_outputs(repo: &enigm_disclose::store::repo::Repo) -> Vec<String> {
    enigm_disclose::layout::read_regular(&repo.git_dir().join(OUTPUTS_FILE), 4 << 20)
        .map(|b| String::from_utf8_lossy(&b).lines().map(str::to_owned).collect())
        .unwrap_or_default()
}

/// True when `path` holds exactly what the tool last wrote there.
fn wrote_it(repo: &enigm_disclose::store::repo::Repo, path: &std::path::Path) -> bool {
    let Ok(bytes) = enigm_disclose::layout::read_regular(path, 256 << 20) else { return false };
    let line = format!("{}\t{}", fingerprint(&bytes), output_key(path));
    recorded_outputs(repo).contains(&line)
}

/// Writes an output file checked by [`check_output`] and records it as the tool's.
pub fn write_output(
    repo: &enigm_disclose::store::repo::Repo,
    path: &std::path::Path,
    bytes: &[u8],
) -> Result<(), Error> {
    enigm_disclose::store::files::write_atomic(path, bytes)
        .map_err(Error::io(format!("cannot write {}", path.display())))?;
    let key = output_key(path);
    let mut lines: Vec<String> =
        recorded_outputs(repo).into_iter().filter(|l| l.split_once('\t').is_none_or(|(_, p)| p != key)).collect();
    lines.push(format!("{}\t{key}", fingerprint(bytes)));
    let text: String = lines.iter().rev().take(1000).rev().map(|l| format!("{l}\n")).collect();
    // Best effort: without the record, the next write asks for --force.
    let _ = enigm_disclose::store::files::write_atomic(&repo.git_dir().join(OUTPUTS_FILE), text.as_bytes());
    Ok(())
}

pub fn flag(field: &str) -> String {
    match field {
        "level" => "--severity".to_owned(),
        "root" => "-C DIR".to_owned(),
        _ => format!("--{}", field.replace('_', "-")),
    }
}

/// The command line's own remedy for an error, where the core's help cannot name it.
fn hint(error: &Error) -> Option<String> {
    let help = match error {
        Error::NotAGitRepo { .. } => {
            "create one with `enigm-disclose init [DIR]`, or point at one with `-C DIR`".to_owned()
        }
        Error::NotADisclosureRepo { root, .. } => format!(
            "make it one with `enigm-disclose init {}`, or point at a disclosure repository with `-C DIR`",
            root.display()
        ),
        Error::NoSuchDirectory { .. } => "`-C DIR` names the directory to run in: it must exist".to_owned(),
        Error::NotADirectory { .. } => "`-C DIR` names the directory to run in, not a file in it".to_owned(),
        Error::NoIdentity { .. } | Error::DetachedHead { .. } => format!("{} (or use --no-commit)", help_of(error)?),
        Error::Refused { problems, .. } => {
            let mut codes: Vec<&str> = problems
                .iter()
                .map(|p| p.finding.code)
                .filter(|c| enigm_disclose::workflow::advance::OVERRIDABLE.contains(c))
                .map(<&str>::from)
                .collect();
            codes.dedup();
            if codes.is_empty() {
                return None;
            }
            format!("`--force --reason \"…\"` overrides {} (the reason is recorded)", codes.join(" and "))
        }
        _ => return None,
    };
    Some(help)
}

fn help_of(error: &Error) -> Option<String> {
    miette::Diagnostic::help(error).map(|h| h.to_string())
}

/// An error shown with the command line's wording of its message or help.
struct Hinted<'a> {
    inner: &'a Error,
    message: Option<String>,
    help: Option<String>,
}

impl std::fmt::Debug for Hinted<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(self.inner, f)
    }
}

impl std::fmt::Display for Hinted<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.message {
            Some(m) => f.write_str(m),
            None => std::fmt::Display::fmt(self.inner, f),
        }
    }
}

impl std::error::Error for Hinted<'_> {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        std::error::Error::source(self.inner)
    }
}

impl miette::Diagnostic for Hinted<'_> {
    fn code<'b>(&'b self) -> Option<Box<dyn std::fmt::Display + 'b>> {
        self.inner.code()
    }

    fn help<'b>(&'b self) -> Option<Box<dyn std::fmt::Display + 'b>> {
        self.help.as_ref().map(|h| Box::new(h) as Box<dyn std::fmt::Display>)
    }

    fn severity(&self) -> Option<miette::Severity> {
        self.inner.severity()
    }

    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        self.inner.source_code()
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = miette::LabeledSpan> + '_>> {
        self.inner.labels()
    }

    fn related<'b>(&'b self) -> Option<Box<dyn Iterator<Item = &'b dyn miette::Diagnostic> + 'b>> {
        self.inner.related()
    }

    fn diagnostic_source(&self) -> Option<&dyn miette::Diagnostic> {
        self.inner.diagnostic_source()
    }
}

/// Prints a diagnostic to stderr: file, line, column, the source line underlined, help.
pub fn eprint_diagnostic(diagnostic: &dyn miette::Diagnostic) {
    let mut text = String::new();
    let _ = render_diagnostic(diagnostic, &mut text);
    let masked = redact::mask_text(&text);
    let _ = io::stderr().lock().write_all(super::table::terminal_safe(&masked, color()).as_bytes());
}

/// Renders a diagnostic the way the terminal shows it (width from `COLUMNS`, default 100).
pub fn render_diagnostic(diagnostic: &dyn miette::Diagnostic, out: &mut String) -> std::fmt::Result {
    let width = std::env::var("COLUMNS").ok().and_then(|c| c.parse().ok()).unwrap_or(100);
    let theme = if color() { miette::GraphicalTheme::unicode() } else { miette::GraphicalTheme::unicode_nocolor() };
    let handler = miette::GraphicalReportHandler::new_themed(theme)
        .with_width(width)
        .with_links(false)
        .with_break_words(false)
        .with_word_splitter(textwrap::WordSplitter::NoHyphenation)
        .with_word_separator(textwrap::WordSeparator::Custom(words_outside_code));
    handler.render_report(out, diagnostic)
}

/// Splits a line into words at spaces, except inside `` `code` ``: a command or a flag with its
/// value stays on one line, and no id is split at its hyphens.
fn words_outside_code(line: &str) -> Box<dyn Iterator<Item = textwrap::core::Word<'_>> + '_> {
    let mut words = Vec::new();
    let (mut start, mut in_code, mut prev_space) = (0, false, false);
    for (i, c) in line.char_indices() {
        if prev_space && c != ' ' && !in_code {
            words.push(textwrap::core::Word::from(&line[start..i]));
            start = i;
        }
        if c == '`' {
            in_code = !in_code;
        }
        prev_space = c == ' ';
    }
    if start < line.len() {
        words.push(textwrap::core::Word::from(&line[start..]));
    }
    Box::new(words.into_iter())
}

/// Writes text to stdout, every secret the scanner finds in it masked (a title or body shown
/// by `list` or `show`, a JSON string); a closed pipe (`| head`) is not an error.
pub fn print(text: &str) -> Result<(), Error> {
    let masked = redact::mask_text(text);
    write_stdout(&super::table::terminal_safe(&masked, color_stdout()))
}

/// Prints data meant for files and programs (JSON, CSV, a rendered advisory) as it is, unless
/// stdout is a terminal: then it is made printable like any other output.
pub fn print_data(text: &str) -> Result<(), Error> {
    let masked = redact::mask_text(text);
    if io::stdout().is_terminal() {
        write_stdout(&super::table::terminal_safe(&masked, false))
    } else {
        write_stdout(&masked)
    }
}

fn write_stdout(text: &str) -> Result<(), Error> {
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
    print_data(&(text + "\n"))
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

/// Today as the command sees it: `--today`, else `ENIGM_TODAY`, else the clock.
pub fn today(flag: Option<chrono::NaiveDate>) -> Result<chrono::NaiveDate, Error> {
    flag.map_or_else(clock::today, Ok)
}

/// Today and now: with a `--today` date, that date at 00:00 UTC; else the clock's.
pub fn now(flag: Option<chrono::NaiveDate>) -> Result<enigm_disclose::query::catalog::Now, Error> {
    let today = today(flag)?;
    let at = match flag {
        Some(d) => d.and_time(chrono::NaiveTime::MIN).and_utc().fixed_offset(),
        None => clock::now()?,
    };
    Ok(enigm_disclose::query::catalog::Now { today, at })
}

/// Warns about report files that could not be read (exit 1: they are findings).
pub fn warn_unreadable(unreadable: &[Unreadable]) -> ExitCode {
    if unreadable.is_empty() {
        return ExitCode::SUCCESS;
    }
    eprintln!("warning: {} report file(s) could not be read and are not listed:", unreadable.len());
    for u in unreadable.iter().take(10) {
        let message = redact::mask_text(&u.message);
        eprintln!("  {}: {}", u.path.display(), super::table::sanitize(&message));
    }
    if unreadable.len() > 10 {
        eprintln!("  … and {} more", unreadable.len() - 10);
    }
    eprintln!("  run `enigm-disclose validate` for details");
    ExitCode::from(1)
}

/// The style of a severity level.
pub fn severity_style(level: Option<Level>) -> Style {
    match level {
        Some(Level::Critical) => Style::BoldRed,
        Some(Level::High) => Style::Red,
        Some(Level::Medium) => Style::Yellow,
        Some(Level::Low) => Style::Cyan,
        Some(Level::None) | None => Style::Dim,
    }
}

/// The style of a deadline: red when overdue, yellow within a week.
pub fn deadline_style(d: &Deadline) -> Style {
    match d.days_left {
        n if n < 0 => Style::BoldRed,
        n if n <= 7 => Style::Yellow,
        _ => Style::Plain,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_break_at_spaces_outside_code_only() {
        let words: Vec<String> = words_outside_code("run `enigm-disclose init DIR` or ENIGM-2026-0007 now")
            .map(|w| w.word.to_owned())
            .collect();
        assert_eq!(words, ["run", "`enigm-disclose init DIR`", "or", "ENIGM-2026-0007", "now"]);
    }
}
