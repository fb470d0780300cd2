//! The SSVC decision and the exploitation record: `validate` recomputes the outcome from the
//! repository's tree (`policy.ssvc_tree`, else the bundled CERT/CC supplier tree) and flags a
//! record that names unknown points or values, another tree, or an outcome the tree does not
//! give; and an `exploited.aware` before `exploited.since`.

use super::{At, CheckContext};
use crate::format::finding::Code;
use crate::format::report::Report;
use crate::format::ssvc::Problem;

pub fn check(at: &mut At<'_>, report: &Report, ctx: &CheckContext<'_>) {
    exploited(at, report);
    let Some(decision) = &report.ssvc else { return };
    let tree = ctx.config.ssvc();
    let id = tree.id();
    if let Some(named) = decision.tree.as_deref().filter(|t| *t != id) {
        at.push(
            Code::SsvcTree,
            at.value("ssvc.tree"),
            format!("the decision names the tree `{named}`, but the repository's tree is `{id}`"),
            "decide again with the repository's tree and set `tree:` to its id, or drop `tree:`",
        );
        return;
    }
    match tree.evaluate(&decision.values) {
        Ok(got) if got.outcome == decision.outcome => {}
        Ok(got) => {
            let shown: Vec<String> = got.values.iter().map(|(k, v)| format!("{k}: {v}")).collect();
            at.push(
                Code::SsvcOutcomeMismatch,
                at.value("ssvc.outcome"),
                format!(
                    "`outcome: {}` is not what `{id}` gives for these values: `{}` ({})",
                    decision.outcome,
                    got.outcome,
                    shown.join(", ")
                ),
                format!("set `outcome: {}`, or correct the values", got.outcome),
            );
        }
        Err(problems) => {
            for p in problems {
                let path = match &p {
                    Problem::UnknownPoint { field, .. } => at.key(&format!("ssvc.values.{field}")),
                    Problem::UnknownValue { field, .. } | Problem::Conflict { field, .. } => {
                        at.value(&format!("ssvc.values.{field}"))
                    }
                    Problem::Missing { .. } | Problem::NoRow => at.key("ssvc.values"),
                };
                let fields = tree.fields().join(", ");
                at.push(
                    Code::SsvcInvalid,
                    path,
                    format!("SSVC decision: {p}"),
                    format!("the tree `{id}` takes: {fields} (docs/format.md, \"SSVC decision\")"),
                );
            }
        }
    }
}

fn exploited(at: &mut At<'_>, report: &Report) {
    let Some(e) = &report.exploited else { return };
    if let Some(aware) = e.aware.filter(|a| *a < e.since) {
        at.push(
            Code::ExploitedBeforeAware,
            at.value("exploited.aware"),
            format!(
                "`exploited.aware` ({}) is before `exploited.since` ({})",
                aware.to_rfc3339(),
                e.since.to_rfc3339()
            ),
            "the organisation cannot become aware of exploitation before it started: correct one of the two",
        );
    }
}
