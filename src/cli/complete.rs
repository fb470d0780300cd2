//! Dynamic shell completion: the values a shell offers for states, levels, resolutions and
//! report ids, answered by clap_complete's engine when the shell sets `COMPLETE`.
//!
//! Completers run on every TAB, so they are cheap (a directory listing, no parsing) and never
//! fail loudly: outside a disclosure repository, ids simply complete to nothing.

use std::ffi::OsStr;
use std::path::PathBuf;

use clap::CommandFactory;
use clap_complete::engine::CompletionCandidate;
use enigm_disclose::format::report::{Level, Resolution, State};

/// Answers a completion request and exits, when the shell asked for one (`COMPLETE=bash …`);
/// otherwise returns and the command runs as usual.
pub fn answer_if_asked() {
    clap_complete::CompleteEnv::with_factory(super::Cli::command).var("COMPLETE").complete();
}

fn matching(current: &OsStr, values: impl IntoIterator<Item = &'static str>) -> Vec<CompletionCandidate> {
    let typed = current.to_string_lossy();
    values.into_iter().filter(|v| v.starts_with(typed.as_ref())).map(CompletionCandidate::new).collect()
}

/// The lifecycle's states.
pub fn states(current: &OsStr) -> Vec<CompletionCandidate> {
    matching(current, State::ALL.iter().map(|s| s.as_str()))
}

/// Severity levels.
pub fn levels(current: &OsStr) -> Vec<CompletionCandidate> {
    matching(current, Level::ALL.iter().map(|l| l.as_str()))
}

/// Resolutions of a rejected report.
pub fn resolutions(current: &OsStr) -> Vec<CompletionCandidate> {
    matching(current, Resolution::ALL.iter().map(|r| r.as_str()))
}

/// Report ids, then the lifecycle's states (`advance`'s `[ID]... STATE`).
pub fn ids_and_states(current: &OsStr) -> Vec<CompletionCandidate> {
    let mut out = report_ids(current);
    out.extend(states(current));
    out
}

/// Report ids of the repository containing the working directory (or `-C DIR`), newest first.
pub fn report_ids(current: &OsStr) -> Vec<CompletionCandidate> {
    let typed = current.to_string_lossy();
    let Ok(repo) = enigm_disclose::store::repo::Repo::discover(&start_dir()) else { return Vec::new() };
    let Ok(mut ids) = enigm_disclose::store::scan::report_ids(repo.root()) else { return Vec::new() };
    ids.sort_unstable_by(|a, b| b.cmp(a));
    ids.into_iter().filter(|id| id.starts_with(typed.as_ref())).map(CompletionCandidate::new).collect()
}

/// The directory the completed command would run in: the last `-C DIR` on the line so far.
fn start_dir() -> PathBuf {
    let cwd = std::env::current_dir().unwrap_or_default();
    let args: Vec<String> = std::env::args().collect();
    let mut dir = None;
    for (i, a) in args.iter().enumerate() {
        if a == "-C" {
            dir = args.get(i + 1).cloned();
        } else if let Some(d) = a.strip_prefix("-C").filter(|d| !d.is_empty()) {
            dir = Some(d.to_owned());
        }
    }
    dir.map_or(cwd.clone(), |d| cwd.join(d))
}
