//! `enigm-disclose demo`: build a throw-away disclosure repository to explore.

use std::path::{Path, PathBuf};
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
    after_help = "Examples:\n  enigm-disclose demo\n  enigm-disclose demo /tmp/disclosure-demo\n  cd /tmp/disclosure-demo && enigm-disclose"
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
    out.push('\n');
    let bin = invocation();
    out.push_str(&try_next(&outcome.root, &bin, example));
    if let Some(identity) = &outcome.identity {
        out.push_str(&sealed_sides(&outcome.root, identity, &bin, example));
    }
    print(&out)?;
    Ok(ExitCode::SUCCESS)
}

/// The "Try next" lines: commands that work as printed in a POSIX shell (`bin` is how to call
/// this binary), then where the site is, as a path and a `file://` URL (no `open`: macOS only).
fn try_next(root: &Path, bin: &str, example: &str) -> String {
    let commands = [
        (format!("cd {}", sh_quote(&root.to_string_lossy())), ""),
        (bin.to_owned(), "status: counts per state, what is overdue"),
        (format!("{bin} list --open --sort deadline"), ""),
        (format!("{bin} due"), "exits 1: some deadlines are overdue"),
        (format!("{bin} show {example}"), "one report; ids abbreviate as in git"),
        (format!("{bin} history {example}"), "its timeline joined with the git log"),
        (format!("{bin} validate"), ""),
        (format!("{bin} stats --html dashboard.html"), ""),
        (format!("{bin} render {example} --format csaf"), "also osv, cve, md, html"),
    ];
    let width = commands.iter().map(|(c, _)| c.chars().count()).max().unwrap_or(0);
    let mut out = String::from("Try next:\n");
    for (command, comment) in &commands {
        if comment.is_empty() {
            out.push_str(&format!("  {command}\n"));
        } else {
            out.push_str(&format!("  {command:width$}  # {comment}\n"));
        }
    }
    let index = root.join("site").join("index.html");
    out.push_str(&format!(
        "\nThe public advisories, to open in a browser:\n  {}\n  {}\n",
        index.display(),
        file_url(&index)
    ));
    if bin != BIN {
        out.push_str(&format!("\n(`cargo install --path .` in the source tree puts {BIN} on your PATH.)\n"));
    }
    out
}

/// How a newcomer sees both sides of a sealed demo: with the demo identity, and from a clone
/// that holds no key. Commands work as printed (quoted for a POSIX shell).
fn sealed_sides(root: &Path, identity: &Path, bin: &str, example: &str) -> String {
    let id = sh_quote(&identity.to_string_lossy());
    let clone = sh_quote(&format!("{}-clone", root.to_string_lossy()));
    let root = sh_quote(&root.to_string_lossy());
    format!(
        "\nThe reports are sealed to the demo identity {id}.\n  \
         With the key:   ENIGM_IDENTITY_FILE={id} {bin} -C {root} show {example}\n  \
         Without a key:  git clone -q {root} {clone} && {bin} -C {clone} show {example}\n"
    )
}

/// The binary's name on PATH once installed.
const BIN: &str = "enigm-disclose";

/// How a printed command calls this binary: `enigm-disclose` when that name on PATH is this very
/// binary, else its full path (after `cargo run` it is under target/, not on PATH).
fn invocation() -> String {
    let Ok(exe) = std::env::current_exe().and_then(std::fs::canonicalize) else { return BIN.to_owned() };
    let on_path = std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).map(|d| d.join(BIN)).find(|c| c.is_file()))
        .unwrap_or_default();
    match on_path.and_then(|p| std::fs::canonicalize(p).ok()) {
        Some(found) if found == exe => BIN.to_owned(),
        _ => sh_quote(&exe.to_string_lossy()),
    }
}

/// `text` as one word for a POSIX shell: as it is when it holds only characters no shell treats
/// specially, else in single quotes (a quote inside becomes `'\''`).
fn sh_quote(text: &str) -> String {
    let plain = |c: char| c.is_ascii_alphanumeric() || "/._-+,:=@%".contains(c);
    if !text.is_empty() && text.chars().all(plain) {
        return text.to_owned();
    }
    format!("'{}'", text.replace('\'', "'\\''"))
}

/// A `file://` URL for an absolute path, every byte outside the unreserved set and `/`
/// percent-encoded (spaces, `#`, `%`, non-ASCII).
fn file_url(path: &Path) -> String {
    let mut url = String::from("file://");
    for b in path.to_string_lossy().bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => url.push(char::from(b)),
            _ => url.push_str(&format!("%{b:02X}")),
        }
    }
    url
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_are_quoted_only_when_a_shell_would_split_or_expand_them() {
        assert_eq!(sh_quote("/tmp/enigm-demo-x1"), "/tmp/enigm-demo-x1");
        assert_eq!(sh_quote("/home/me/my demo"), "'/home/me/my demo'");
        assert_eq!(sh_quote("/tmp/it's $HOME"), "'/tmp/it'\\''s $HOME'");
        assert_eq!(sh_quote(""), "''");
    }

    #[test]
    fn file_urls_encode_what_a_url_cannot_hold() {
        assert_eq!(file_url(Path::new("/tmp/a b/#1/é/index.html")), "file:///tmp/a%20b/%231/%C3%A9/index.html");
    }

    #[test]
    fn try_next_quotes_the_directory_and_aligns_comments() {
        let text = try_next(Path::new("/tmp/my demo"), "'/opt/x y/enigm-disclose'", "DEMO-2026-0002");
        assert!(text.contains("  cd '/tmp/my demo'\n"), "{text}");
        assert!(text.contains("  '/opt/x y/enigm-disclose' due  "), "{text}");
        assert!(text.contains("file:///tmp/my%20demo/site/index.html"), "{text}");
        assert!(!text.contains("  open "), "{text}");
        assert!(text.contains("cargo install --path ."), "{text}");
        assert!(!try_next(Path::new("/d"), BIN, "1").contains("cargo install"));
    }
}
