//! The property that holds the public/private split: documents with private sections full of
//! nested structure (blockquotes, lists, HTML blocks, comments, code fences, setext headings,
//! reference definitions, unsafe links), each private position holding a unique marker, and
//! public sections ending in blocks that swallow the next heading. No marker may reach the
//! public view or any output rendered from it: HTML, Markdown, OSV, CSAF, CVE.

use std::path::Path;

use chrono::NaiveDate;
use proptest::prelude::*;

use crate::format::config::{Config, ConfigSeed};
use crate::format::report::Document;
use crate::publish::csaf::tracking::History;
use crate::publish::site::{Format, OneRequest, render_one};

/// Every private marker starts with this (compared lowercased: markers may sit in a URL).
const MARK: &str = "zqxpriv";

/// Private pieces: `{H}` is a public section's name, `{M}` a fresh marker.
const PIECES: &[&str] = &[
    "{M} plain text\n",
    "> ## {H}\n> {M}\n",
    "> {H}\n> ---\n> {M}\n",
    "- ## {H}\n  {M}\n",
    "- step\n\n  ## {H}\n\n  {M}\n",
    "1. step\n   {H}\n   ---\n   {M}\n",
    "<details>\n## {H}\n{M}\n</details>\n",
    "<details>\n<summary>x</summary>\n\n## {H}\n\n{M}\n\n</details>\n",
    "<!--\n## {H}\n{M}\n-->\n",
    "<!-- {M} -->\n",
    "text <!-- {M} --> text\n",
    "<div>\n{H}\n---\n{M}\n</div>\n",
    "```\n## {H}\n{M}\n```\n",
    "~~~~\n## {H}\n```\n{M}\n~~~~\n",
    "    ## {H}\n    {M}\n",
    "##{H}\n{M}\n",
    "# {H}\n{M}\n",
    "| a |\n|---|\n| {M} |\n",
    "[r0]: https://{M}.example/ \"{M}\"\n",
    "[x](javascript:{M}) <javascript:{M}> ![i](https://{M}.example/i.png)\n",
    "<a href=\"https://{M}.example/\">{M}</a>\n",
    // Never closed: they swallow everything after them, public headings included.
    "```\n## {H}\n{M}\n",
    "<!--\n## {H}\n{M}\n",
    "<pre>\n## {H}\n\n{M}\n",
];

/// What a public section may end with, and the prefix it gives the next heading line: each
/// swallows (or nests) a private heading that follows it directly.
const OPENERS: &[(&str, &str)] = &[
    ("", ""),
    ("<details>\n", ""),
    ("<!--\n", ""),
    ("```\n", ""),
    ("~~~\n", ""),
    ("<div>\n", ""),
    ("<pre>\n", ""),
    ("<script>\n", ""),
    ("- item\n\n", "  "),
    ("> quote\n", "> "),
    ("text <!--\n", ""),
    ("<details>\n\n", ""),
    ("<my-box>\n\n", ""),
    ("text\n", "    "),
    ("", "\u{200b}"),
    ("| a |\n|---|\n", ""),
];

/// How a private section's heading is written (`{P}` the opener's prefix, `{T}` the title).
const HEADINGS: &[&str] = &["{P}## {T}\n", "{P}## {t}\n", "{P}##   {T}   ##\n", "{P}{T}\n{P}---\n"];

const PUBLIC: &[&str] = &["Summary", "Impact", "Remediation"];
const PRIVATE: &[&str] = &["Reproduction", "Context", "Notes"];

#[derive(Debug, Clone)]
enum Spec {
    Public { title: usize, opener: usize },
    Private { title: usize, heading: usize, pieces: Vec<(usize, usize)> },
}

fn spec() -> impl Strategy<Value = Spec> {
    prop_oneof![
        (0..PUBLIC.len(), 0..OPENERS.len()).prop_map(|(title, opener)| Spec::Public { title, opener }),
        (0..PRIVATE.len(), 0..HEADINGS.len(), prop::collection::vec((0..PIECES.len(), 0..PUBLIC.len()), 1..5))
            .prop_map(|(title, heading, pieces)| Spec::Private { title, heading, pieces }),
    ]
}

/// The body of `specs`, and the sentinel text of its first section when that one is public
/// (nothing comes before it that could swallow it, so it must be published).
fn body(specs: &[Spec]) -> (String, Option<String>) {
    let (mut out, mut marker, mut prefix, mut sentinel) = (String::new(), 0, "", None);
    for (i, s) in specs.iter().enumerate() {
        match s {
            Spec::Public { title, opener } => {
                let (tail, p) = OPENERS[*opener];
                let text = format!("PUBLICOK{i}");
                out.push_str(&format!(
                    "\n## {}\n\nPublic text {text}; see [the details][r0].\n\n{tail}",
                    PUBLIC[*title]
                ));
                if i == 0 {
                    sentinel = Some(text);
                }
                prefix = p;
            }
            Spec::Private { title, heading, pieces } => {
                let t = PRIVATE[*title];
                out.push_str(
                    &HEADINGS[*heading].replace("{P}", prefix).replace("{T}", t).replace("{t}", &t.to_lowercase()),
                );
                for (piece, h) in pieces {
                    marker += 1;
                    out.push('\n');
                    out.push_str(
                        &PIECES[*piece].replace("{H}", PUBLIC[*h]).replace("{M}", &format!("ZQXPRIV{marker}Z")),
                    );
                }
                out.push('\n');
                prefix = "";
            }
        }
    }
    (out, sentinel)
}

/// A configuration that can render every format (website, base URL, CNA id).
fn config() -> Config {
    let seed = ConfigSeed {
        id_prefix: "ENIGM".into(),
        organization: "Org".into(),
        security_contact: "s@x".into(),
        products: vec!["web".into()],
    };
    let text = seed
        .render()
        .replace("components: []", "components: [uploads, search]")
        .replace("# website: https://www.example.com", "website: https://www.acme.test")
        .replace("# base_url: https://security.example.com/advisories/", "base_url: https://security.acme.test/")
        .replace(
            "# cve_org_id: 00000000-0000-4000-8000-000000000000",
            "cve_org_id: 00000000-0000-4000-8000-000000000000",
        );
    Config::parse(&text).expect("config")
}

/// Every public output of the published fixture with `body` as its body.
fn outputs(body: &str, config: &Config) -> Vec<(String, String)> {
    let fixture = crate::rules::checks::test_support::PUBLISHED;
    let front = &fixture[..fixture.find("\n---\n").expect("fixture fences") + 5];
    let doc = Document::parse(Path::new("reports/ENIGM-2026-0001.md"), format!("{front}{body}")).expect("parses");
    let report = doc.report().expect("report");
    let advisory = crate::publish::public::advisory(&doc, &report, config, None);
    let mut out = vec![("public view".to_owned(), serde_json::to_string(&advisory).expect("json"))];
    let today = NaiveDate::from_ymd_opt(2026, 6, 15).expect("date");
    for format in [Format::Html, Format::Md, Format::Osv, Format::Csaf, Format::Cve] {
        let req = OneRequest {
            id: "ENIGM-2026-0001",
            root: Path::new("/nonexistent"),
            format,
            draft: false,
            now: crate::query::deadline::Now::start_of(today).at,
        };
        let text = render_one(&req, config, &doc, &report, |_| Ok(History::none())).expect("renders");
        out.push((format!("{format:?}"), text));
    }
    out
}

fn assert_private(body: &str, sentinel: Option<&str>, config: &Config) {
    for (what, text) in outputs(body, config) {
        let lower = text.to_lowercase();
        assert!(
            !lower.contains(MARK),
            "a private marker reached {what}:\n--- body ---\n{body}\n--- {what} ---\n{text}"
        );
        // Only private text holds `javascript:` (public text may hold `<!--` in code).
        assert!(!lower.contains("javascript:"), "javascript: reached {what}:\n{body}\n---\n{text}");
        if let Some(s) = sentinel {
            assert!(text.contains(s), "the public text {s} is missing from {what}:\n{body}\n---\n{text}");
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn no_private_marker_reaches_any_output(specs in prop::collection::vec(spec(), 1..7)) {
        let (body, sentinel) = body(&specs);
        assert_private(&body, sentinel.as_deref(), &config());
    }
}

/// Each piece after each opener, once, deterministically (heading forms in turn).
#[test]
fn every_piece_after_every_opener_stays_private() {
    let config = config();
    for piece in 0..PIECES.len() {
        for opener in 0..OPENERS.len() {
            let heading = (piece + opener) % HEADINGS.len();
            let specs = [
                Spec::Public { title: 0, opener },
                Spec::Private { title: 0, heading, pieces: vec![(piece, 1)] },
                Spec::Public { title: 2, opener: 0 },
            ];
            let (body, _) = body(&specs);
            assert_private(&body, Some("PUBLICOK0"), &config);
        }
    }
}
