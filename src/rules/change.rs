//! What a change may do to a report that is already committed.
//!
//! Once committed, a report's state moves only by legal steps and its timeline only grows.
//! `verify` checks this on every commit of history ([`crate::query::audit`]); the pre-commit
//! gate (`validate` against HEAD, [`crate::rules::validate`]) checks the same rule on what is
//! about to be committed, so a change that `verify` would later fail on is refused first.

use crate::format::finding::Code;
use crate::format::report::Report;
use crate::rules::lifecycle::is_legal;

/// One way `new` breaks the history of `old`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Break {
    /// [`Code::IllegalStep`] or [`Code::TimelineRewritten`].
    pub code: Code,
    pub message: String,
}

/// The ways the next version `new` of a committed report `old` (same file) breaks its history.
pub fn modified(old: &Report, new: &Report) -> Vec<Break> {
    let mut out = Vec::new();
    if old.state != new.state && !is_legal(old.state, new.state) {
        out.push(Break {
            code: Code::IllegalStep,
            message: format!("{}: `{}` → `{}` is not a step of the lifecycle", new.id, old.state, new.state),
        });
    }
    if !new.timeline.starts_with(&old.timeline) {
        out.push(Break {
            code: Code::TimelineRewritten,
            message: format!("{}: committed timeline entries were changed or removed", new.id),
        });
    }
    out
}
