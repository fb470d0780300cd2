//! Which reports a command acts on: ids typed by the user, or a query with `list`'s filters.
//!
//! `list` shows a query; `advance` (and `reply`) act on the same selection, resolved here
//! once so every command reads ids and filters alike ([`QueryArgs`], [`reports`]).

use chrono::NaiveDate;
use clap::Args;
use enigm_disclose::Error;
use enigm_disclose::format::config::Config;
use enigm_disclose::format::report::{Level, State};
use enigm_disclose::query::catalog::{self, Filter};
use enigm_disclose::store::repo::Repo;

use super::output::warn_unreadable;

/// The filters of a query: a report must pass all of them; a filter given several times (or
/// with commas) accepts any of its values.
#[derive(Debug, Clone, Default, Args)]
pub struct QueryArgs {
    /// Only reports in these states.
    #[arg(long, value_delimiter = ',', value_name = "STATE", add = clap_complete::engine::ArgValueCompleter::new(super::complete::states))]
    pub state: Vec<State>,
    /// Only reports of these severity levels (from `level` or the CVSS vector).
    #[arg(long, value_delimiter = ',', value_name = "LEVEL", add = clap_complete::engine::ArgValueCompleter::new(super::complete::levels))]
    pub severity: Vec<Level>,
    /// Only reports affecting this product.
    #[arg(long)]
    pub product: Option<String>,
    /// Only reports assigned to this person (case-insensitive).
    #[arg(long)]
    pub assignee: Option<String>,
    /// Only reports with an overdue deadline.
    #[arg(long)]
    pub overdue: bool,
    /// Only open reports (not published, rejected or withdrawn).
    #[arg(long)]
    pub open: bool,
    /// Only reports reported more than this long ago: days (`3d`, `3`) or weeks (`2w`).
    #[arg(long, value_name = "AGE", value_parser = parse_age)]
    pub older_than: Option<i64>,
}

impl QueryArgs {
    /// The query as the core's filter.
    pub fn filter(&self) -> Filter {
        Filter {
            states: self.state.clone(),
            severities: self.severity.clone(),
            product: self.product.clone(),
            assignee: self.assignee.clone(),
            overdue: self.overdue,
            open: self.open,
            older_than: self.older_than,
        }
    }
}

/// An age in days: `3d`, `3` or `2w`.
pub fn parse_age(s: &str) -> Result<i64, String> {
    let s = s.trim();
    let (number, unit) = match s.strip_suffix(['d', 'w']) {
        Some(n) => (n, if s.ends_with('w') { 7 } else { 1 }),
        None => (s, 1),
    };
    match number.parse::<u32>() {
        Ok(n) => Ok(i64::from(n) * unit),
        Err(_) => Err(format!("`{s}` is not an age: write days (`3d` or `3`) or weeks (`2w`)")),
    }
}

/// The reports named by `ids` (resolved as every command resolves one, duplicates dropped),
/// or by the query, in id order. Naming both, or neither, is a usage error; files the query
/// could not read are named on stderr and left out.
pub fn reports(
    repo: &Repo,
    config: &Config,
    today: NaiveDate,
    ids: &[String],
    query: &QueryArgs,
) -> Result<Vec<String>, Error> {
    let filter = query.filter();
    match (ids.is_empty(), filter.is_empty()) {
        (false, false) => Err(Error::usage(
            "name the reports by id or by a query, not both",
            "drop the ids to act on every report the query selects (`enigm-disclose list` with the same filters shows them)",
        )),
        (true, true) => Err(Error::usage(
            "no reports named: give one or more ids, or a query",
            "e.g. the ids `7 8`, or the query `--state received --older-than 3d` (the filters of `enigm-disclose list`)",
        )),
        (false, true) => {
            let mut out: Vec<String> = Vec::new();
            for input in ids {
                let id = super::report_id(repo, input)?;
                if !out.contains(&id) {
                    out.push(id);
                }
            }
            Ok(out)
        }
        (true, false) => {
            let (ids, unreadable) = catalog::select(repo.root(), &config.policy, today, &filter)?;
            warn_unreadable(&unreadable);
            Ok(ids)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ages_read_days_and_weeks() {
        assert_eq!(parse_age("3d"), Ok(3));
        assert_eq!(parse_age("3"), Ok(3));
        assert_eq!(parse_age("2w"), Ok(14));
        assert!(parse_age("3h").is_err());
        assert!(parse_age("-1d").is_err());
        assert!(parse_age("").is_err());
    }
}
