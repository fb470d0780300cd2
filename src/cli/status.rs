//! `enigm-disclose` with no arguments: a one-screen status of the disclosure repository.

use std::process::ExitCode;

use enigm_disclose::Error;
use enigm_disclose::format::report::State;
use enigm_disclose::query::catalog::{self, Catalog, DueItem};

use super::Context;
use super::output::{color_stdout, print};
use super::output::{deadline_style, warn_unreadable};
use super::table::{Cell, Style, Table};

/// Items shown per group before pointing at `due`.
const SHOWN: usize = 8;
/// Days ahead the status looks.
const WITHIN: i64 = 14;

/// Prints the status screen; outside a disclosure repository, prints the help.
pub fn run(ctx: &Context) -> Result<ExitCode, Error> {
    let (repo, config) = match ctx.open() {
        Ok(found) => found,
        Err(Error::NotADisclosureRepo { .. } | Error::NotAGitRepo { .. }) => {
            let help = super::help_command().render_help().to_string();
            print(&format!("{}\n", super::plain_spaces(&help)))?;
            return Ok(ExitCode::from(2));
        }
        Err(e) => return Err(e),
    };
    let now = super::output::now(None)?;
    let today = now.today;
    let catalog = Catalog::load(repo.root())?;
    let color = color_stdout();
    let open = catalog.entries.iter().filter(|e| e.report.state.is_open()).count();
    let mut out = format!(
        "{} — {} reports ({open} open), as of {today}\n",
        Style::Bold.paint(&super::table::sanitize(&config.organization.name), color),
        catalog.entries.len()
    );
    let counts: Vec<String> = State::ALL
        .iter()
        .map(|s| (s, catalog.entries.iter().filter(|e| e.report.state == *s).count()))
        .filter(|(_, n)| *n > 0)
        .map(|(s, n)| format!("{s} {n}"))
        .collect();
    if !counts.is_empty() {
        out.push_str(&format!("  {}\n", counts.join(" · ")));
    }
    let items = catalog::due(&catalog, &config.policy, now, WITHIN);
    let (overdue, soon): (Vec<DueItem>, Vec<DueItem>) = items.into_iter().partition(|i| i.overdue);
    group(&mut out, &format!("Overdue ({})", overdue.len()), &overdue, color);
    group(&mut out, &format!("Due within {WITHIN} days ({})", soon.len()), &soon, color);
    if overdue.is_empty() && soon.is_empty() {
        out.push_str("\nNothing overdue or due within 14 days.\n");
    }
    out.push_str(
        "\nNext: enigm-disclose list --open · due · show ID · new · validate · stats   (--help lists every command)\n",
    );
    print(&out)?;
    Ok(warn_unreadable(&catalog.unreadable))
}

fn group(out: &mut String, heading: &str, items: &[DueItem], color: bool) {
    if items.is_empty() {
        return;
    }
    out.push_str(&format!("\n{}\n", Style::Bold.paint(heading, color)));
    let mut t = Table::new(vec!["  ID", "DEADLINE", "STATE", "TITLE"]);
    for i in items.iter().take(SHOWN) {
        t.push(vec![
            Cell::plain(format!("  {}", i.id)),
            Cell::new(i.deadline.describe(), deadline_style(&i.deadline)),
            Cell::plain(i.state.as_str()),
            Cell::plain(&i.title),
        ]);
    }
    let table = t.render(color, super::output::stdout_width());
    // The group heading says what the columns are; skip the table's own header line.
    out.push_str(table.split_once('\n').map_or("", |(_, rest)| rest));
    if items.len() > SHOWN {
        out.push_str(&format!("  … and {} more: enigm-disclose due\n", items.len() - SHOWN));
    }
}
