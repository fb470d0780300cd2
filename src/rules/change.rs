//! What a change may do to a report that is already committed.
//!
//! Once committed, a report's state moves only by legal steps and its timeline only grows.
//! `verify` checks this on every commit of history ([`crate::query::audit`]); the pre-commit
//! gate (`validate` against HEAD, [`crate::rules::validate`]) checks the same rule on what is
//! about to be committed, so a change that `verify` would later fail on is refused first.

use crate::format::finding::Code;
use crate::format::report::Report;
use crate::rules::lifecycle::is_legal_for;

/// One way `new` breaks the history of `old`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Break {
    /// [`Code::IllegalStep`] or [`Code::TimelineRewritten`].
    pub code: Code,
    pub message: String,
}

/// The ways the next version `new` of a committed report `old` (same file) breaks its history,
/// when `new` is one commit after `old` (as `verify` sees each commit).
pub fn modified(old: &Report, new: &Report) -> Vec<Break> {
    illegal_step(old, new).into_iter().chain(timeline_rewritten(old, new)).collect()
}

/// `old` → `new` changed the state by something other than one step of the lifecycle. Only
/// meaningful across one commit: over several, a report moves by several legal steps.
pub fn illegal_step(old: &Report, new: &Report) -> Option<Break> {
    (old.state != new.state && !is_legal_for(new.vex_only, old.state, new.state)).then(|| Break {
        code: Code::IllegalStep,
        message: format!("{}: `{}` → `{}` is not a step of the lifecycle", new.id, old.state, new.state),
    })
}

/// `new` no longer starts with every timeline entry `old` had: the timeline is append-only.
pub fn timeline_rewritten(old: &Report, new: &Report) -> Option<Break> {
    (!new.timeline.starts_with(&old.timeline)).then(|| Break {
        code: Code::TimelineRewritten,
        message: format!("{}: committed timeline entries were changed or removed", new.id),
    })
}
