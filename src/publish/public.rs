//! The public view of a report: what may leave the repository, and nothing else.
//!
//! Confidentiality is the first rule: renderers never see a [`Report`] or a [`Document`], only
//! an [`Advisory`] built here. It leaves out the reporter's contact, the assignee, timeline
//! notes and authors, and every body section not listed in `render.public_sections`; only
//! recorded credits are shown (never the reporter's name by default), and `anonymous` ones not.
//! Sections are the document's structure (`format::report::sections`):
//! a public section is cut at its first ambiguous heading-like line and a repeated one is left
//! out. Markdown is rendered with pulldown-cmark and sanitised with ammonia, so report text can
//! never inject script into a page; the Markdown that leaves as Markdown is made safe by
//! [`crate::publish::markdown`] (no comment, no raw HTML, no unsafe URL).

use std::collections::HashSet;

use serde::{Deserialize, Serialize};

use crate::format::config::Config;
use crate::format::report::model::{FileHashes, GenericUri, Justification, ProductStatus, VersionSpan};
use crate::format::report::sections::options;
use crate::format::report::{Document, Report, State};
use crate::format::versions::Versions;
use crate::publish::cvss_view::{PublicMetric, metrics};
use crate::publish::markdown::{SAFE_SCHEMES, page_markdown, public_markdown, without_comments};
use crate::publish::revisions::PublicRevision;

/// The template context of one advisory (documented in `docs/templates.md`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Advisory {
    pub id: String,
    pub title: String,
    /// `published` or `withdrawn` (or the report's state for a draft).
    pub state: State,
    pub withdrawn: bool,
    /// The Summary section as plain text (one paragraph), for lists and feeds.
    pub summary: String,
    pub severity: Option<PublicSeverity>,
    pub cwe: Vec<String>,
    pub products: Vec<PublicProduct>,
    pub aliases: Vec<String>,
    pub references: Vec<PublicReference>,
    /// Who is credited, and for what (`super::credits`); nobody unless recorded.
    pub credits: Vec<super::credits::PublicCredit>,
    pub mitigation: Option<String>,
    pub reported: String,
    pub published: Option<String>,
    pub withdrawn_date: Option<String>,
    /// Why the advisory was withdrawn: the `advance … withdrawn --reason` text (the part of
    /// the withdrawal step's note after its last `Reason: `), which the withdrawal notice
    /// publishes; none before a withdrawal or when the note has no reason.
    pub withdrawal_reason: Option<String>,
    /// Last change: the latest of the timeline, published and withdrawn dates and of the
    /// revisions (RFC 3339, UTC): see [`crate::publish::revisions`].
    pub modified: String,
    /// The public revision history, oldest first (set by [`crate::publish::revisions::apply`]
    /// from git; empty for a draft).
    pub revisions: Vec<PublicRevision>,
    /// The advisory's machine-readable files in the site, relative to its root.
    pub files: AdvisoryFiles,
    /// Public timeline: dates and states only.
    pub timeline: Vec<PublicStep>,
    /// Public body sections, in file order.
    pub sections: Vec<PublicSection>,
    /// Set only for `render --draft`: the stamp every page carries.
    pub draft: Option<String>,
    /// The SSVC decision, when the tree agrees with it ([`crate::publish::ssvc`]).
    pub ssvc: Option<crate::publish::ssvc::PublicSsvc>,
    /// A VEX statement about someone else's vulnerability (`vex_only`): rendered as OpenVEX
    /// and CSAF `csaf_vex` only ([`crate::publish::openvex`]).
    pub vex_only: bool,
}

/// Where an advisory's machine-readable files are in the site (paths from the site root).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct AdvisoryFiles {
    /// `osv/ENIGM-2026-0001.json`.
    pub osv: String,
    /// `csaf/2026/enigm-2026-0001.json`, when the site has a CSAF directory.
    pub csaf: Option<String>,
    /// One CVE record per CVE alias, when the site writes CVE records.
    pub cve: Vec<CveFile>,
    /// `vex/ENIGM-2026-0001.openvex.json`, when the site has a publisher (as CSAF).
    pub openvex: Option<String>,
    /// `csaf/2026/enigm-2026-0001-vex.json`, the `csaf_vex` document, beside `csaf`.
    pub csaf_vex: Option<String>,
}

/// A CVE record of the site.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CveFile {
    pub id: String,
    /// `cve/CVE-2026-1234.json`.
    pub path: String,
}

/// Severity as shown.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PublicSeverity {
    /// none, low, medium, high, critical.
    pub level: Option<String>,
    pub score: Option<f64>,
    pub vector: Option<String>,
    /// `3.1` or `4.0`.
    pub version: Option<String>,
    /// A CVSS v4.0 vector given beside a v3.1 `vector` (`severity.cvss_v4`), when valid.
    pub vector_v4: Option<String>,
    /// Its score.
    pub score_v4: Option<f64>,
    /// The metrics of `vector`, by name ("Attack vector: Network").
    pub metrics: Vec<PublicMetric>,
    /// The metrics of `vector_v4`.
    pub metrics_v4: Vec<PublicMetric>,
}

/// An affected product.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PublicProduct {
    pub name: String,
    pub component: Option<String>,
    /// The affected versions as range text: as written, or the `versions` spans joined with
    /// `; ` (`>= 3.0.0, < 3.7.5; >= 4.0.0, < 4.1.2`).
    pub affected: Option<String>,
    /// The fixed version(s): as written, or each span's `fixed` joined with `, `.
    pub fixed: Option<String>,
    /// The `versions` spans as written (empty for a product that uses `affected`/`fixed`); the
    /// exports read them through [`PublicProduct::versions`].
    pub versions: Vec<VersionSpan>,
    pub ecosystem: Option<String>,
    pub package: Option<String>,
    /// The given purl, else the one derived from `ecosystem` and `package`.
    pub purl: Option<String>,
    /// The other product identification helpers, as the report gives them.
    pub cpe: Option<String>,
    pub hashes: Vec<FileHashes>,
    pub model_numbers: Vec<String>,
    pub sbom_urls: Vec<String>,
    pub serial_numbers: Vec<String>,
    pub skus: Vec<String>,
    pub x_generic_uris: Vec<GenericUri>,
    /// The VEX status (`affected` when the report leaves it unset).
    pub status: ProductStatus,
    /// Why a `not_affected` product is not affected.
    pub justification: Option<Justification>,
    /// How a `not_affected` product is not affected, in words.
    pub impact: Option<String>,
    /// What users of the product should do.
    pub action: Option<String>,
}

impl PublicProduct {
    /// The normalised affected spans and fixed versions every export is written from.
    pub fn versions(&self) -> Versions {
        if self.versions.is_empty() {
            Versions::of(self.affected.as_deref(), self.fixed.as_deref(), &[])
        } else {
            Versions::of(None, None, &self.versions)
        }
    }
}

/// A reference link.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PublicReference {
    #[serde(rename = "type")]
    pub kind: String,
    pub url: String,
}

/// One public timeline step.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PublicStep {
    pub date: String,
    pub state: State,
}

/// A public body section.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PublicSection {
    pub title: String,
    /// Lowercase, dashes: an anchor for the heading.
    pub slug: String,
    /// The section's Markdown, as written.
    pub markdown: String,
    /// Sanitised HTML.
    pub html: String,
}

/// Builds the public view. `draft` is the stamp for previews of unpublished reports.
pub fn advisory(doc: &Document, report: &Report, config: &Config, draft: Option<String>) -> Advisory {
    let public: HashSet<String> = config.render.public_sections.iter().map(|s| s.to_lowercase()).collect();
    // Only a section's publishable part leaves (up to its first ambiguous heading-like line),
    // and never a repeated title: see `format::report::sections`.
    let sections: Vec<PublicSection> = doc
        .outline()
        .sections
        .into_iter()
        .filter(|s| !s.repeated && public.contains(&s.title.to_lowercase()))
        .map(|s| {
            let written = without_comments(doc.text[s.publishable.clone()].trim());
            let written = written.trim();
            PublicSection {
                slug: slug(&s.title),
                html: markdown_html(&page_markdown(written)),
                title: s.title,
                markdown: public_markdown(written),
            }
        })
        .collect();
    // From the Markdown as published: raw HTML is skipped, not shown as text.
    let summary = sections
        .iter()
        .find(|s| s.title.eq_ignore_ascii_case("summary"))
        .map(|s| plain_text(&s.markdown))
        .unwrap_or_default();
    let severity = report.severity.as_ref().map(public_severity);
    let credits = super::credits::public(report);
    let last = report
        .timeline
        .iter()
        .map(|t| t.date)
        .chain(report.published)
        .chain(report.withdrawn)
        .max()
        .unwrap_or(report.reported);
    Advisory {
        id: report.id.clone(),
        title: report.title.clone(),
        state: report.state,
        withdrawn: report.state == State::Withdrawn,
        summary,
        severity,
        cwe: report.cwe.clone(),
        products: report
            .products
            .iter()
            .map(|p| PublicProduct {
                name: p.name.clone(),
                component: p.component.clone(),
                affected: crate::format::versions::affected_text(p),
                fixed: crate::format::versions::fixed_text(p),
                versions: p.versions.clone(),
                ecosystem: p.ecosystem.clone(),
                package: p.package.clone(),
                purl: p.purl_or_derived(),
                cpe: p.cpe.clone(),
                hashes: p.hashes.clone(),
                model_numbers: p.model_numbers.clone(),
                sbom_urls: p.sbom_urls.clone(),
                serial_numbers: p.serial_numbers.clone(),
                skus: p.skus.clone(),
                x_generic_uris: p.x_generic_uris.clone(),
                status: p.vex_status(),
                justification: p.justification,
                impact: p.impact.clone(),
                action: p.action.clone(),
            })
            .collect(),
        aliases: report.aliases.clone(),
        // Only http(s) URLs become links (`validate` reports the others as `reference-url`):
        // a page never links a `javascript:` or relative URL from a report.
        references: report
            .references
            .iter()
            .filter(|r| crate::rules::checks::fields::check_url(&r.url).is_ok())
            .map(|r| PublicReference { kind: r.kind.to_string(), url: r.url.clone() })
            .collect(),
        credits,
        mitigation: report.mitigation.as_deref().map(public_markdown),
        reported: report.reported.to_string(),
        published: report.published.map(|d| d.to_string()),
        withdrawn_date: report.withdrawn.map(|d| d.to_string()),
        withdrawal_reason: withdrawal_reason(report),
        modified: format!("{last}T00:00:00Z"),
        revisions: Vec::new(),
        files: AdvisoryFiles { osv: format!("osv/{}.json", report.id), ..AdvisoryFiles::default() },
        timeline: report.timeline.iter().map(|t| PublicStep { date: t.date.to_string(), state: t.state }).collect(),
        sections,
        draft,
        ssvc: crate::publish::ssvc::public(report, config),
        vex_only: report.vex_only,
    }
}

/// The main vector (`cvss`, else `cvss_v4`) with its score, and a v4.0 one beside a v3.1 one.
fn public_severity(s: &crate::format::report::SeverityInfo) -> PublicSeverity {
    use crate::format::cvss::{CvssVersion, assess};
    let main = s.cvss.as_ref().or(s.cvss_v4.as_ref());
    let assessed = main.and_then(|v| assess(v).ok());
    let extra = s
        .cvss
        .as_ref()
        .and(s.cvss_v4.as_ref())
        .and_then(|v| assess(v).ok().filter(|a| a.version == CvssVersion::V4_0).map(|a| (v, a)))
        .filter(|_| assessed.is_some_and(|a| a.version == CvssVersion::V3_1));
    PublicSeverity {
        level: s.level_or_scored().map(|l| l.to_string()),
        score: assessed.map(|a| a.score),
        vector: main.cloned(),
        version: assessed.map(|a| match a.version {
            CvssVersion::V3_1 => "3.1".to_owned(),
            CvssVersion::V4_0 => "4.0".to_owned(),
        }),
        vector_v4: extra.map(|(v, _)| v.clone()),
        score_v4: extra.map(|(_, a)| a.score),
        metrics: main.filter(|_| assessed.is_some()).map(|v| metrics(v)).unwrap_or_default(),
        metrics_v4: extra.map(|(v, _)| metrics(v)).unwrap_or_default(),
    }
}

/// The reason `advance … withdrawn --reason` recorded: what follows the last `Reason: ` in the
/// note of the latest `withdrawn` step (the rest of the note stays private).
fn withdrawal_reason(report: &Report) -> Option<String> {
    if report.state != State::Withdrawn {
        return None;
    }
    let step = report.timeline.iter().rev().find(|t| t.state == State::Withdrawn)?;
    let (_, reason) = step.note.as_deref()?.rsplit_once("Reason: ")?;
    Some(reason.trim()).filter(|r| !r.is_empty()).map(str::to_owned)
}

/// Markdown to sanitised HTML: no script, no event handlers, only http(s)/mailto links.
pub fn markdown_html(markdown: &str) -> String {
    use pulldown_cmark::{Parser, html};
    let mut raw = String::with_capacity(markdown.len() * 2);
    html::push_html(&mut raw, Parser::new_ext(markdown, options()));
    ammonia::Builder::default()
        .url_schemes(HashSet::from(SAFE_SCHEMES))
        .link_rel(Some("noopener noreferrer nofollow"))
        .clean(&raw)
        .to_string()
}

/// The text of Markdown without markup, on one line.
pub fn plain_text(markdown: &str) -> String {
    use pulldown_cmark::{Event, Parser, TagEnd};
    let mut out = String::new();
    for event in Parser::new(markdown) {
        match event {
            Event::Text(t) | Event::Code(t) => out.push_str(&t),
            Event::SoftBreak | Event::HardBreak => out.push(' '),
            Event::End(
                TagEnd::Paragraph | TagEnd::Heading(_) | TagEnd::Item | TagEnd::CodeBlock | TagEnd::TableCell,
            ) => out.push(' '),
            _ => {}
        }
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn slug(title: &str) -> String {
    let s: String = title.chars().map(|c| if c.is_alphanumeric() { c.to_ascii_lowercase() } else { '-' }).collect();
    s.split('-').filter(|p| !p.is_empty()).collect::<Vec<_>>().join("-")
}

#[cfg(test)]
mod private_tests;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_is_sanitised() {
        let vectors = [
            "<script>alert(1)</script>",
            "[x](javascript:alert(1))",
            "<img src=x onerror=alert(1)>",
            "<iframe src=https://evil.example></iframe>",
            "<a href=\"JaVaScRiPt:alert(1)\">x</a>",
            "<svg onload=alert(1)>",
            "<div style=\"background:url(javascript:alert(1))\">x</div>",
            "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
            "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
        ];
        for v in vectors {
            let html = markdown_html(v).to_lowercase();
            for bad in ["<script", "javascript:", "onerror", "onload", "<iframe", "data:text", "style="] {
                assert!(!html.contains(bad), "{v} -> {html}");
            }
        }
        assert!(markdown_html("[ok](https://x.test)").contains("rel=\"noopener noreferrer nofollow\""));
    }

    #[test]
    fn plain_text_and_slugs() {
        assert_eq!(plain_text("The `upload` handler\naccepts **../**."), "The upload handler accepts ../.");
        assert_eq!(slug("Remediation & Workarounds"), "remediation-workarounds");
    }
}
