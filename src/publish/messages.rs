//! Messages to reporters, rendered from `templates/messages/<name>.j2` (overridable per
//! repository like the advisory templates, [`super::templates`]).
//!
//! A template renders plain text (never HTML-escaped): an optional first line `Subject: …`
//! (the subject of a new thread; a reply to an existing thread keeps `Re:` and its subject),
//! a blank line, then the body. Its variables are [`MessageContext`]'s, documented in
//! docs/intake.md ("Reply templates"). Only the report's own data and the policy reach a
//! template: it is a private message to the reporter, never a public page.

use chrono::NaiveDate;
use minijinja::Value;
use serde::Serialize;

use crate::error::{Error, Result};
use crate::publish::templates::{BUILTIN, Renderer};

/// Where message templates live, under `templates/`.
pub const DIR: &str = "messages";

/// The names of the message templates `reply` offers (`acknowledgement`, …): every built-in
/// `messages/<name>.j2` except the partials (`_signature`).
pub fn names() -> Vec<&'static str> {
    BUILTIN
        .iter()
        .filter_map(|(n, _)| n.strip_prefix("messages/")?.strip_suffix(".j2"))
        .filter(|n| !n.starts_with('_'))
        .collect()
}

/// What a message template sees.
#[derive(Debug, Clone, Serialize)]
pub struct MessageContext {
    pub report: ReportInfo,
    pub reporter: ReporterInfo,
    pub organization: OrganizationInfo,
    pub policy: PolicyInfo,
    /// What the report still lacks (needs-info): one phrase each.
    pub missing: Vec<String>,
    /// `product version` for each product with a fixed version.
    pub fixed_versions: Vec<String>,
    /// The planned publication date: the embargo's (as written), else the policy's deadline.
    pub publication_date: Option<NaiveDate>,
    /// The public advisory's URL (`render.base_url` + `advisories/<ID>.html`), when configured.
    pub advisory_url: Option<String>,
    /// Who signs: the display name of the sender.
    pub sender: String,
    pub today: NaiveDate,
}

/// The report, as a message names it.
#[derive(Debug, Clone, Serialize)]
pub struct ReportInfo {
    pub id: String,
    pub title: String,
    pub state: String,
    pub reported: NaiveDate,
    pub resolution: Option<String>,
    pub duplicate_of: Option<String>,
    pub severity: Option<String>,
    pub products: Vec<String>,
    pub aliases: Vec<String>,
    /// As written: a date, or a time with its offset or zone.
    pub embargo_until: Option<crate::format::embargo::Embargo>,
    pub published: Option<NaiveDate>,
}

/// The reporter.
#[derive(Debug, Clone, Serialize)]
pub struct ReporterInfo {
    pub name: String,
    /// How they want to be credited (`anonymous`), if they said.
    pub credit: Option<String>,
}

/// The organisation, from `enigm.yaml`.
#[derive(Debug, Clone, Serialize)]
pub struct OrganizationInfo {
    pub name: String,
    pub contact: String,
    pub website: Option<String>,
}

/// The policy figures a message may quote.
#[derive(Debug, Clone, Serialize)]
pub struct PolicyInfo {
    pub acknowledge_days: u32,
    pub triage_days: u32,
    pub publish_days: u32,
    pub out_of_scope: Vec<String>,
}

/// A rendered message: the subject its template proposes (if any) and the body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    pub subject: Option<String>,
    pub body: String,
}

/// Renders message template `name` with `ctx`. An unknown name is a usage error listing the
/// templates there are.
pub fn render(renderer: &Renderer, name: &str, ctx: &MessageContext) -> Result<Rendered> {
    let known = names();
    if !known.contains(&name) {
        return Err(Error::usage(
            format!("there is no message template `{name}`"),
            format!("use one of: {}", known.join(", ")),
        ));
    }
    let text = renderer.render(&format!("{DIR}/{name}.j2"), Value::from(minijinja::value::Serde(ctx)))?;
    Ok(split(&text))
}

/// Splits a `Subject:` first line off the rendered text; the body loses its leading blank
/// lines and ends in exactly one newline.
fn split(text: &str) -> Rendered {
    let text = text.trim_start_matches(['\n', '\r']);
    let (subject, rest) = match text.strip_prefix("Subject:") {
        Some(rest) => {
            let (line, body) = rest.split_once('\n').unwrap_or((rest, ""));
            (Some(line.trim().to_owned()).filter(|s| !s.is_empty()), body)
        }
        None => (None, text),
    };
    let body = rest.trim_start_matches(['\n', '\r']).trim_end();
    Rendered { subject, body: format!("{body}\n") }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn context(state: &str, resolution: Option<&str>) -> MessageContext {
        let day = |s: &str| s.parse::<NaiveDate>().expect("date");
        MessageContext {
            report: ReportInfo {
                id: "ACME-2026-0007".into(),
                title: "XSS in search".into(),
                state: state.into(),
                reported: day("2026-06-01"),
                resolution: resolution.map(str::to_owned),
                duplicate_of: (resolution == Some("duplicate")).then(|| "ACME-2026-0003".into()),
                severity: Some("medium".into()),
                products: vec!["web".into()],
                aliases: vec![],
                embargo_until: None,
                published: (state == "published").then(|| day("2026-08-01")),
            },
            reporter: ReporterInfo { name: "Jane Doe".into(), credit: Some("Jane Doe (Example Labs)".into()) },
            organization: OrganizationInfo {
                name: "Acme Corp".into(),
                contact: "security@acme.test".into(),
                website: Some("https://acme.test".into()),
            },
            policy: PolicyInfo {
                acknowledge_days: 3,
                triage_days: 10,
                publish_days: 90,
                out_of_scope: crate::format::config::OUT_OF_SCOPE.iter().map(|s| (*s).to_owned()).collect(),
            },
            missing: vec![
                "safe, minimal steps to reproduce the issue".into(),
                "the affected product and its versions".into(),
            ],
            fixed_versions: vec!["web 2.4.1".into()],
            publication_date: Some(day("2026-08-30")),
            advisory_url: Some("https://acme.test/security/advisories/ACME-2026-0007.html".into()),
            sender: "Acme Security Team".into(),
            today: day("2026-06-15"),
        }
    }

    #[test]
    fn every_template_renders_a_subject_and_a_polite_body() {
        let renderer = Renderer::new(None).expect("renderer");
        for name in names() {
            let (state, resolution) = match name {
                "acknowledgement" | "needs-info" | "triaged" | "confirmed" | "fixed" | "published" | "credit" => {
                    (name, None)
                }
                r => ("rejected", Some(r)),
            };
            let out = render(&renderer, name, &context(state, resolution)).expect(name);
            let subject = out.subject.clone().expect("a subject");
            assert!(subject.starts_with("[ACME-2026-0007] "), "{name}: {subject}");
            assert!(out.body.starts_with("Dear Jane Doe,\n\n"), "{name}: {}", out.body);
            assert!(out.body.contains("Kind regards,\n\nAcme Security Team\nAcme Corp\n"), "{name}");
            assert!(!out.body.contains("\n\n\n"), "{name}: no double blank lines:\n{}", out.body);
            insta::assert_snapshot!(format!("message_{name}"), format!("Subject: {subject}\n\n{}", out.body));
        }
    }

    #[test]
    fn an_unknown_template_names_the_known_ones() {
        let renderer = Renderer::new(None).expect("renderer");
        let err = render(&renderer, "acknowledgment", &context("received", None)).expect_err("unknown");
        assert!(err.to_string().contains("acknowledgment"), "{err}");
        assert!(names().contains(&"out-of-scope") && !names().contains(&"_signature"));
    }

    #[test]
    fn the_subject_line_is_split_off() {
        assert_eq!(
            split("Subject: Hi there\n\n\nBody\n\n"),
            Rendered { subject: Some("Hi there".into()), body: "Body\n".into() }
        );
        assert_eq!(split("Body only"), Rendered { subject: None, body: "Body only\n".into() });
    }
}
