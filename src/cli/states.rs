//! `enigm-disclose states`: the lifecycle table, as text or as a diagram, with the step only a
//! VEX statement (`vex_only`) takes and what such a statement needs instead.

use std::process::ExitCode;

use clap::{Args, ValueEnum};
use enigm_disclose::Error;
use enigm_disclose::format::report::State;
use enigm_disclose::rules::checks::state::required_sections_for;
use enigm_disclose::rules::lifecycle::{TRANSITIONS, Transition, VEX_TRANSITIONS};

use super::Context;
use super::output::{print, print_json};

/// Print the disclosure lifecycle: states, transitions and what each state requires.
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  enigm-disclose states\n  enigm-disclose states --format mermaid\n  enigm-disclose states --format dot | dot -Tsvg > lifecycle.svg"
)]
pub struct StatesArgs {
    /// Output format.
    #[arg(long, value_enum, default_value_t = StatesFormat::Text)]
    format: StatesFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum StatesFormat {
    Text,
    Json,
    /// Graphviz.
    Dot,
    Mermaid,
}

pub fn run(_ctx: &Context, args: StatesArgs) -> Result<ExitCode, Error> {
    match args.format {
        StatesFormat::Text => print(&text())?,
        StatesFormat::Dot => print(&dot())?,
        StatesFormat::Mermaid => print(&mermaid())?,
        StatesFormat::Json => print_json(&json())?,
    }
    Ok(ExitCode::SUCCESS)
}

/// What a report (or, `vex_only`, a VEX statement: someone else's vulnerability, so no
/// severity, affected versions or fix of ours) needs to be in state `s`.
fn requirements(vex_only: bool, s: State) -> Vec<String> {
    let mut r = Vec::new();
    if s.needs_severity() && !vex_only {
        r.push("severity".to_owned());
    }
    if s.is_confirmed_or_later() {
        r.push(if vex_only { "products" } else { "affected versions" }.to_owned());
    }
    if s.is_fixed_or_later() && !vex_only {
        r.push("fixed versions or mitigation".to_owned());
    }
    if s.is_public() {
        r.push("published date".to_owned());
    }
    if s == State::Withdrawn {
        r.push("withdrawn date, --reason".to_owned());
    }
    if s == State::Rejected {
        r.push("resolution (--resolution; a duplicate also --duplicate-of)".to_owned());
    }
    let sections = required_sections_for(vex_only, s);
    if !sections.is_empty() {
        r.push(format!("sections: {}", sections.join(", ")));
    }
    r
}

fn text() -> String {
    let width = TRANSITIONS.iter().map(|t| t.from.as_str().len()).max().unwrap_or(0);
    let steps = |out: &mut String, list: &[Transition]| {
        for t in list {
            out.push_str(&format!("  {:width$} → {:12} {}\n", t.from.as_str(), t.to.as_str(), t.meaning));
        }
    };
    let needs = |out: &mut String, vex_only: bool| {
        for s in State::ALL {
            let r = requirements(vex_only, *s);
            out.push_str(&format!(
                "  {:12} {}\n",
                s.as_str(),
                if r.is_empty() { "—".to_owned() } else { r.join("; ") }
            ));
        }
    };
    let mut out = String::from("Transitions:\n");
    steps(&mut out, TRANSITIONS);
    out.push_str("\nA VEX statement (vex_only: true) may also take:\n");
    steps(&mut out, VEX_TRANSITIONS);
    out.push_str("\nRequirements to be in a state:\n");
    needs(&mut out, false);
    out.push_str("\nRequirements of a VEX statement (vex_only: true) to be in a state:\n");
    needs(&mut out, true);
    out
}

fn dot() -> String {
    let mut out = String::from("digraph lifecycle {\n  rankdir=LR;\n  node [shape=box, style=rounded];\n");
    for s in State::ALL {
        out.push_str(&format!("  \"{s}\";\n"));
    }
    for t in TRANSITIONS {
        out.push_str(&format!("  \"{}\" -> \"{}\" [label=\"{}\"];\n", t.from, t.to, t.meaning));
    }
    for t in VEX_TRANSITIONS {
        out.push_str(&format!("  \"{}\" -> \"{}\" [label=\"{}\", style=dashed];\n", t.from, t.to, t.meaning));
    }
    out.push_str("}\n");
    out
}

fn mermaid() -> String {
    let node = |s: State| s.as_str().replace('-', "_");
    let mut out = String::from("stateDiagram-v2\n    [*] --> received\n");
    for t in TRANSITIONS.iter().chain(VEX_TRANSITIONS) {
        out.push_str(&format!("    {} --> {}: {}\n", node(t.from), node(t.to), t.meaning));
    }
    out.push_str("    withdrawn --> [*]\n");
    out
}

fn json() -> serde_json::Value {
    serde_json::json!({
        "states": State::ALL.iter().map(|s| serde_json::json!({"name": s, "requires": requirements(false, *s), "vex_requires": requirements(true, *s)})).collect::<Vec<_>>(),
        "transitions": TRANSITIONS.iter().map(|t| serde_json::json!({"from": t.from, "to": t.to, "meaning": t.meaning})).collect::<Vec<_>>(),
        "vex_transitions": VEX_TRANSITIONS.iter().map(|t| serde_json::json!({"from": t.from, "to": t.to, "meaning": t.meaning})).collect::<Vec<_>>(),
    })
}
