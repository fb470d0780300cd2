//! `enigm-disclose man`: the manual pages, one per command, generated from the clap definitions.
//!
//! clap_mangen renders each page; this module names the pages (`enigm-disclose-new(1)`),
//! writes a synopsis with every option's value name (`[-C DIR]`), and a SEE ALSO section that
//! names only pages it generates, so the set printed by `man --out DIR` is complete.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Arg, ArgAction, Args, Command, CommandFactory};
use enigm_disclose::Error;

use super::output::print;

/// Print a manual page (roff), or write every page to a directory.
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  enigm-disclose man new | man -l -\n  enigm-disclose man --out ~/.local/share/man/man1"
)]
pub struct ManArgs {
    /// The command whose page to print (`hook install` as `hook-install`) [default: the main page].
    #[arg(value_name = "COMMAND", conflicts_with = "out")]
    command: Option<String>,
    /// Write every page to DIR (enigm-disclose.1, enigm-disclose-new.1, …) instead.
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
}

/// A rendered page: its file name and roff text.
pub struct Page {
    pub name: String,
    pub roff: String,
}

pub fn run(ctx: &super::Context, args: ManArgs) -> Result<ExitCode, Error> {
    let pages = pages()?;
    if let Some(dir) = args.out {
        let dir = ctx.cwd.join(dir);
        std::fs::create_dir_all(&dir).map_err(Error::io(format!("cannot create {}", dir.display())))?;
        for page in &pages {
            let path = dir.join(format!("{}.1", page.name));
            enigm_disclose::store::files::write_atomic(&path, page.roff.as_bytes())
                .map_err(Error::io(format!("cannot write {}", path.display())))?;
        }
        print(&format!("wrote {} manual pages to {}\n", pages.len(), dir.display()))?;
        return Ok(ExitCode::SUCCESS);
    }
    let wanted = match &args.command {
        None => super::BIN.to_owned(),
        Some(c) => format!("{}-{}", super::BIN, c.trim().replace(' ', "-")),
    };
    let Some(page) = pages.iter().find(|p| p.name == wanted) else {
        let names: Vec<&str> = pages.iter().skip(1).map(|p| &p.name[super::BIN.len() + 1..]).collect();
        return Err(Error::usage(
            format!("no manual page for `{}`", args.command.unwrap_or_default()),
            format!("pages exist for: {}", names.join(", ")),
        ));
    };
    print(&page.roff)?;
    Ok(ExitCode::SUCCESS)
}

/// Every page: the main one first, then one per (nested) subcommand.
pub fn pages() -> Result<Vec<Page>, Error> {
    let mut root = super::Cli::command().disable_help_subcommand(true);
    root.build();
    let mut out = Vec::new();
    collect(&root, super::BIN, super::BIN, None, &mut out)?;
    Ok(out)
}

/// Renders `cmd` as page `name` (invoked as `invocation`) and its subcommands after it.
fn collect(
    cmd: &Command,
    name: &str,
    invocation: &str,
    parent: Option<&str>,
    out: &mut Vec<Page>,
) -> Result<(), Error> {
    let subs: Vec<&Command> = cmd.get_subcommands().filter(|s| !s.is_hide_set()).collect();
    let page = cmd
        .clone()
        .display_name(name.to_owned())
        .bin_name(invocation.to_owned())
        .override_usage(synopsis(cmd, invocation));
    let mut roff = Vec::new();
    let source = format!("{} {}", super::BIN, env!("CARGO_PKG_VERSION"));
    clap_mangen::Man::new(page)
        .source(source)
        .manual("User Commands")
        .render(&mut roff)
        .map_err(Error::io("cannot render the manual page"))?;
    let mut roff = String::from_utf8_lossy(&roff).into_owned();
    let mut see_also: Vec<String> = parent.into_iter().map(str::to_owned).collect();
    see_also.extend(subs.iter().map(|s| format!("{name}-{}", s.get_name())));
    if !see_also.is_empty() {
        let refs: Vec<String> = see_also.iter().map(|r| format!("\\fB{}\\fR(1)", r.replace('-', "\\-"))).collect();
        roff.push_str(&format!(".SH \"SEE ALSO\"\n{}\n", refs.join(", ")));
    }
    out.push(Page { name: name.to_owned(), roff });
    for sub in subs {
        let sub_name = format!("{name}-{}", sub.get_name());
        collect(sub, &sub_name, &format!("{invocation} {}", sub.get_name()), Some(name), out)?;
    }
    Ok(())
}

/// `enigm-disclose new [-C DIR] [--title TITLE] … <ID>`: every visible argument with its value name.
fn synopsis(cmd: &Command, invocation: &str) -> String {
    let mut parts = vec![invocation.to_owned()];
    let (positionals, options): (Vec<&Arg>, Vec<&Arg>) =
        cmd.get_arguments().filter(|a| !a.is_hide_set()).partition(|a| a.is_positional());
    parts.extend(options.iter().filter_map(|a| option_form(a)));
    for a in positionals {
        let value = value_name(a);
        parts.push(if a.is_required_set() { format!("<{value}>") } else { format!("[{value}]") });
    }
    if cmd.has_subcommands() {
        parts.push(if cmd.is_subcommand_required_set() { "<COMMAND>".into() } else { "[COMMAND]".into() });
    }
    parts.join(" ")
}

fn option_form(a: &Arg) -> Option<String> {
    let spelled = match (a.get_short(), a.get_long()) {
        (Some(s), Some(l)) => format!("-{s}|--{l}"),
        (Some(s), None) => format!("-{s}"),
        (None, Some(l)) => format!("--{l}"),
        (None, None) => return None,
    };
    let takes_value = matches!(a.get_action(), ArgAction::Set | ArgAction::Append);
    let form = if takes_value { format!("{spelled} {}", value_name(a)) } else { spelled };
    Some(if a.is_required_set() { form } else { format!("[{form}]") })
}

fn value_name(a: &Arg) -> String {
    a.get_value_names()
        .and_then(|v| v.first().map(ToString::to_string))
        .unwrap_or_else(|| a.get_id().as_str().to_uppercase().replace('-', "_"))
}
