//! The disclosure lifecycle as data: states and the legal transitions between them.
//!
//! One table, read by `validate` (timeline steps must be legal) and by `advance`; printed by
//! `states`. The requirements a report must meet to *be* in a state (the guards) live with
//! the checks (`checks::state`), so `validate` and `advance` share one definition.

use crate::format::report::State;

/// A legal state change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Transition {
    pub from: State,
    pub to: State,
    /// What the step means in the disclosure policy.
    pub meaning: &'static str,
}

const fn t(from: State, to: State, meaning: &'static str) -> Transition {
    Transition { from, to, meaning }
}

/// Every legal transition.
pub const TRANSITIONS: &[Transition] = &[
    t(State::Received, State::Triaged, "acknowledged and assessed by risk"),
    t(State::Received, State::NeedsInfo, "more information asked of the reporter"),
    t(State::Received, State::Rejected, "closed without a fix"),
    t(State::NeedsInfo, State::Triaged, "information received, assessed"),
    t(State::NeedsInfo, State::Rejected, "closed without a fix"),
    t(State::Triaged, State::Confirmed, "reproduced"),
    t(State::Triaged, State::NeedsInfo, "more information asked of the reporter"),
    t(State::Triaged, State::Rejected, "closed without a fix"),
    t(State::Confirmed, State::Remediating, "fix in progress"),
    t(State::Confirmed, State::Rejected, "will not be fixed"),
    t(State::Remediating, State::Fixed, "fix released or mitigation documented"),
    t(State::Remediating, State::Rejected, "closed without an advisory (e.g. retracted)"),
    t(State::Fixed, State::Published, "advisory published in coordination with the reporter"),
    t(State::Fixed, State::Rejected, "closed without an advisory (e.g. retracted)"),
    t(State::Published, State::Withdrawn, "advisory withdrawn (never deleted)"),
    t(State::Rejected, State::Triaged, "reopened"),
];

/// The steps only a VEX statement (`vex_only: true`) may take besides [`TRANSITIONS`]: it
/// claims no vulnerability of ours, so there is nothing to confirm, fix or coordinate, and it
/// goes from `triaged` (the products are assessed) straight to `published`.
pub const VEX_TRANSITIONS: &[Transition] =
    &[t(State::Triaged, State::Published, "VEX statement published (vex_only, nothing of ours to fix)")];

/// The state every report starts in.
pub const INITIAL: State = State::Received;

/// True when `from → to` is a legal step.
pub fn is_legal(from: State, to: State) -> bool {
    TRANSITIONS.iter().any(|t| t.from == from && t.to == to)
}

/// The states reachable from `from` in one step.
pub fn targets(from: State) -> impl Iterator<Item = State> {
    TRANSITIONS.iter().filter(move |t| t.from == from).map(|t| t.to)
}

/// [`is_legal`] for a report, a VEX statement (`vex_only`) also by [`VEX_TRANSITIONS`].
pub fn is_legal_for(vex_only: bool, from: State, to: State) -> bool {
    is_legal(from, to) || (vex_only && VEX_TRANSITIONS.iter().any(|t| t.from == from && t.to == to))
}

/// [`targets`] for a report, a VEX statement's with [`VEX_TRANSITIONS`].
pub fn targets_for(vex_only: bool, from: State) -> impl Iterator<Item = State> {
    let extra = if vex_only { VEX_TRANSITIONS } else { &[] };
    TRANSITIONS.iter().chain(extra).filter(move |t| t.from == from).map(|t| t.to)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_state_is_reachable_from_received() {
        let mut seen = vec![INITIAL];
        let mut i = 0;
        while i < seen.len() {
            for next in targets(seen[i]) {
                if !seen.contains(&next) {
                    seen.push(next);
                }
            }
            i += 1;
        }
        assert_eq!(seen.len(), State::ALL.len(), "{seen:?}");
    }

    #[test]
    fn table_matches_the_policy() {
        assert!(is_legal(State::Fixed, State::Published));
        assert!(is_legal(State::Rejected, State::Triaged));
        assert!(!is_legal(State::Received, State::Published));
        assert!(!is_legal(State::Published, State::Received));
        assert_eq!(targets(State::Published).collect::<Vec<_>>(), [State::Withdrawn]);
        assert_eq!(targets(State::Withdrawn).count(), 0, "withdrawn is final");
        // A report can be closed (e.g. retracted by its reporter) from every open state.
        for s in State::ALL.iter().filter(|s| s.is_open()) {
            assert!(is_legal(*s, State::Rejected), "{s} → rejected");
        }
        let unique: std::collections::HashSet<_> = TRANSITIONS.iter().map(|t| (t.from, t.to)).collect();
        assert_eq!(unique.len(), TRANSITIONS.len());
    }

    #[test]
    fn only_a_vex_statement_goes_from_triaged_to_published() {
        assert!(!is_legal_for(false, State::Triaged, State::Published));
        assert!(is_legal_for(true, State::Triaged, State::Published));
        assert!(is_legal_for(true, State::Fixed, State::Published), "the long way stays open");
        assert!(!is_legal_for(true, State::Received, State::Published), "it is triaged first");
        assert_eq!(
            targets_for(true, State::Triaged).collect::<Vec<_>>(),
            [State::Confirmed, State::NeedsInfo, State::Rejected, State::Published]
        );
        for v in VEX_TRANSITIONS {
            assert!(!is_legal(v.from, v.to), "{v:?} is VEX-only");
        }
    }
}
