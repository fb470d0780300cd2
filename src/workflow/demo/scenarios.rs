//! The demo's reports: a dozen realistic cases that together cover every lifecycle state,
//! with the edits a person makes on the way (affected and fixed versions, CWE, references),
//! and the richer data of a mature process ([`RICHER`]): a fix on two release branches, a
//! product that is not affected (VEX), an SSVC decision.

use crate::format::report::{Resolution, State};

/// One affected product as it ends up in the report.
pub struct DemoProduct {
    pub name: &'static str,
    pub component: Option<&'static str>,
    pub affected: &'static str,
    pub fixed: &'static str,
}

/// A state change: the target, days after the report came in, and what `advance` is told.
pub struct Step {
    pub to: State,
    pub day: i64,
    pub note: Option<&'static str>,
    pub resolution: Option<Resolution>,
    /// Index (in [`SCENARIOS`]) of the report this one duplicates.
    pub duplicate_of: Option<usize>,
    pub reason: Option<&'static str>,
}

const fn step(to: State, day: i64) -> Step {
    Step { to, day, note: None, resolution: None, duplicate_of: None, reason: None }
}

const fn noted(to: State, day: i64, note: &'static str) -> Step {
    Step { to, day, note: Some(note), resolution: None, duplicate_of: None, reason: None }
}

/// An edit of a published report: a CVE id assigned after publication, `day` days after the
/// report came in (the site shows it as an update: a revision, a new "Last updated").
pub struct LaterAlias {
    pub day: i64,
    pub alias: &'static str,
}

/// Published edits, by index in [`SCENARIOS`].
pub const LATER_ALIASES: &[(usize, LaterAlias)] = &[(0, LaterAlias { day: 51, alias: "CVE-2026-99002" })];

/// What a scenario records beyond its versions and fix: the richer data of issue 21.
pub struct Richer {
    /// A product fixed on several release branches: its name and its spans (introduced,
    /// fixed), written as `versions:` instead of its `affected`/`fixed` text.
    pub backports: Option<(&'static str, &'static [(&'static str, &'static str)])>,
    /// A product named as not affected (VEX): its name and the justification.
    pub not_affected: Option<(&'static str, &'static str)>,
    /// SSVC decision values (CERT/CC's supplier tree) and their outcome, recorded at triage.
    pub ssvc: Option<(&'static [(&'static str, &'static str)], &'static str)>,
}

/// The richer data, by index in [`SCENARIOS`].
pub const RICHER: &[(usize, Richer)] = &[
    (0, Richer { backports: None, not_affected: Some(("api-gateway", "component_not_present")), ssvc: None }),
    (
        1,
        Richer {
            backports: Some(("web-portal", &[("3.0.0", "3.7.5"), ("4.0.0", "4.1.2")])),
            not_affected: None,
            ssvc: None,
        },
    ),
    (
        3,
        Richer {
            backports: None,
            not_affected: None,
            ssvc: Some((
                &[
                    ("exploitation", "public-poc"),
                    ("automatable", "'yes'"),
                    ("value_density", "concentrated"),
                    ("technical_impact", "total"),
                    ("public_safety_impact", "minimal"),
                ],
                "out-of-cycle",
            )),
        },
    ),
];

/// The richer data of scenario `index`, if any.
pub fn richer(index: usize) -> Option<&'static Richer> {
    RICHER.iter().find(|(i, _)| *i == index).map(|(_, r)| r)
}

/// One report of the demo.
pub struct Scenario {
    pub title: &'static str,
    pub product: &'static str,
    pub component: Option<&'static str>,
    pub reporter: (&'static str, &'static str),
    pub credit: Option<&'static str>,
    pub cvss: Option<&'static str>,
    pub reported_days_ago: i64,
    pub products: &'static [DemoProduct],
    pub cwe: &'static [&'static str],
    pub aliases: &'static [&'static str],
    pub references: &'static [(&'static str, &'static str)],
    pub embargo_days_from_today: Option<i64>,
    pub body: &'static str,
    /// The `## Remediation` text added when the fix ships.
    pub remediation: &'static str,
    pub steps: &'static [Step],
}

const WEB_SEARCH: &[DemoProduct] =
    &[DemoProduct { name: "web-portal", component: Some("search"), affected: "< 3.8.2", fixed: "3.8.2" }];

/// Every scenario, in the order the reports are filed.
pub const SCENARIOS: &[Scenario] = &[
    Scenario {
        title: "Stored XSS in search results",
        product: "web-portal",
        component: Some("search"),
        reporter: ("Mina Okafor", "mina@example.net"),
        credit: Some("Mina Okafor"),
        cvss: Some("CVSS:3.1/AV:N/AC:L/PR:L/UI:R/S:C/C:L/I:L/A:N"),
        reported_days_ago: 210,
        products: WEB_SEARCH,
        cwe: &["CWE-79"],
        aliases: &[],
        references: &[("fix", "https://git.example.net/web-portal/commit/4f1c2e9")],
        embargo_days_from_today: None,
        body: "## Summary\n\nSaved search names are rendered without escaping on the results page, so a name containing markup runs as script for every user who opens the shared search.\n\n## Impact\n\nAn authenticated user can run JavaScript in the session of anyone who opens a shared search, including administrators.\n\n## Reproduction\n\n1. Save a search named `<img src=x onerror=alert(document.domain)>`.\n2. Share it and open the link as another user.\n\n## Context\n\nReported through the security contact; reproduced on 3.8.1.\n",
        remediation: "Upgrade to web-portal 3.8.2, which escapes saved search names.",
        steps: &[
            step(State::Triaged, 2),
            step(State::Confirmed, 5),
            step(State::Remediating, 7),
            noted(State::Fixed, 30, "3.8.2 released"),
            noted(State::Published, 44, "published with the reporter's agreement"),
        ],
    },
    Scenario {
        title: "SQL injection in the login form",
        product: "web-portal",
        component: Some("login"),
        reporter: ("Tomás Brennan", "tomas@example.net"),
        credit: Some("Tomás Brennan of Example Research"),
        cvss: Some("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"),
        reported_days_ago: 170,
        products: &[
            DemoProduct { name: "web-portal", component: Some("login"), affected: "< 3.7.5", fixed: "3.7.5" },
            DemoProduct { name: "api-gateway", component: None, affected: ">= 2.0, < 2.3.1", fixed: "2.3.1" },
        ],
        cwe: &["CWE-89"],
        // A made-up CVE id (the demo's CNA id is fictitious too), so `--format cve` has one.
        aliases: &["CVE-2026-99001"],
        references: &[
            ("fix", "https://git.example.net/web-portal/commit/91ab03d"),
            ("fix", "https://git.example.net/api-gateway/commit/77c0e12"),
        ],
        embargo_days_from_today: None,
        body: "## Summary\n\nThe login form builds its SQL query by concatenating the user name, so a crafted user name changes the query.\n\n## Impact\n\nAn unauthenticated attacker can read and modify the user database, including password hashes.\n\n## Reproduction\n\nSubmit the user name `' OR '1'='1' -- ` with any password against a test instance.\n\n## Context\n\nThe same query helper is shared by the API gateway's token endpoint.\n",
        remediation: "Upgrade web-portal to 3.7.5 (3.x) or 4.1.2 (4.x), and api-gateway to 2.3.1; all use parameterised queries.",
        steps: &[
            step(State::Triaged, 1),
            step(State::Confirmed, 2),
            step(State::Remediating, 3),
            step(State::Fixed, 20),
            step(State::Published, 30),
        ],
    },
    Scenario {
        title: "Open redirect after logout",
        product: "web-portal",
        component: None,
        reporter: ("Priya Natarajan", "priya@example.net"),
        credit: Some("Priya Natarajan"),
        cvss: Some("CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:U/C:L/I:N/A:N"),
        reported_days_ago: 150,
        products: &[DemoProduct { name: "web-portal", component: None, affected: "< 3.7.9", fixed: "3.7.9" }],
        cwe: &["CWE-601"],
        aliases: &[],
        references: &[],
        embargo_days_from_today: None,
        body: "## Summary\n\nThe `next` parameter of the logout endpoint accepts any absolute URL.\n\n## Impact\n\nPhishing pages can be reached through a link on the portal's own domain.\n\n## Reproduction\n\nOpen `/logout?next=https://attacker.example/` while logged in.\n\n## Context\n\nLater found to be blocked by the reverse proxy in every supported deployment.\n",
        remediation: "Upgrade to 3.7.9, which only redirects to relative paths.",
        steps: &[
            step(State::Triaged, 3),
            step(State::Confirmed, 6),
            step(State::Remediating, 8),
            step(State::Fixed, 25),
            step(State::Published, 40),
            Step {
                to: State::Withdrawn,
                day: 60,
                note: None,
                resolution: None,
                duplicate_of: None,
                reason: Some("not exploitable behind the supported proxy configuration"),
            },
        ],
    },
    Scenario {
        title: "Authentication bypass with unsigned JWTs",
        product: "api-gateway",
        component: None,
        reporter: ("Lena Fischer", "lena@example.net"),
        credit: Some("Lena Fischer"),
        cvss: Some("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:N/SC:N/SI:N/SA:N"),
        reported_days_ago: 75,
        products: &[DemoProduct { name: "api-gateway", component: None, affected: "< 2.4.0", fixed: "2.4.0" }],
        cwe: &["CWE-347"],
        aliases: &[],
        references: &[],
        embargo_days_from_today: Some(9),
        body: "## Summary\n\nThe gateway accepts tokens whose header says `alg: none` and skips the signature check.\n\n## Impact\n\nAnyone can call every API as any user.\n\n## Reproduction\n\nSend a request with a token whose header is `{\"alg\":\"none\"}` and an empty signature.\n\n## Context\n\nDownstream vendors ship the gateway; the publication date is coordinated with them.\n",
        remediation: "Upgrade to api-gateway 2.4.0, which rejects unsigned tokens.",
        steps: &[
            step(State::Triaged, 1),
            step(State::Confirmed, 2),
            step(State::Remediating, 3),
            noted(State::Fixed, 40, "fixed release shared with downstream vendors under embargo"),
        ],
    },
    Scenario {
        title: "SSRF through webhook URL validation",
        product: "api-gateway",
        component: None,
        reporter: ("Jonas Berg", "jonas@example.net"),
        credit: None,
        cvss: Some("CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:C/C:H/I:N/A:N"),
        reported_days_ago: 48,
        products: &[DemoProduct { name: "api-gateway", component: None, affected: "< 2.4.1", fixed: "2.4.1" }],
        cwe: &[],
        aliases: &[],
        references: &[],
        embargo_days_from_today: None,
        body: "## Summary\n\nWebhook URLs are checked before DNS resolution, so a name that resolves to 169.254.169.254 passes.\n\n## Impact\n\nA tenant administrator can read the cloud metadata service and its credentials.\n\n## Reproduction\n\nRegister a webhook on a host name that resolves to the metadata address and trigger an event.\n\n## Context\n\nFound during a customer's penetration test.\n",
        remediation: "",
        steps: &[step(State::Triaged, 2), step(State::Confirmed, 4), noted(State::Remediating, 6, "fix in review")],
    },
    Scenario {
        title: "Path traversal in CSV export",
        product: "web-portal",
        component: None,
        reporter: ("Chen Wei", "chen@example.net"),
        credit: Some("Chen Wei"),
        cvss: Some("CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:U/C:H/I:N/A:N"),
        reported_days_ago: 95,
        products: &[DemoProduct { name: "web-portal", component: None, affected: "< 3.9.0", fixed: "3.9.0" }],
        cwe: &[],
        aliases: &[],
        references: &[],
        embargo_days_from_today: None,
        body: "## Summary\n\nThe export file name is taken from the request and joined to the export directory unchecked.\n\n## Impact\n\nAn authenticated user can download any file the service can read.\n\n## Reproduction\n\nRequest `/export?name=../../etc/hostname`.\n\n## Context\n\nThe fix needs a storage-layer change; it is late against the policy.\n",
        remediation: "",
        steps: &[step(State::Triaged, 4), step(State::Confirmed, 10), step(State::Remediating, 12)],
    },
    Scenario {
        title: "Invoice download does not check ownership (IDOR)",
        product: "web-portal",
        component: None,
        reporter: ("Sofia Marin", "sofia@example.net"),
        credit: None,
        cvss: Some("CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:U/C:L/I:N/A:N"),
        reported_days_ago: 21,
        products: &[DemoProduct { name: "web-portal", component: None, affected: "<= 3.9.1", fixed: "" }],
        cwe: &[],
        aliases: &[],
        references: &[],
        embargo_days_from_today: None,
        body: "## Summary\n\nInvoice ids are sequential and the download endpoint does not check the invoice belongs to the caller.\n\n## Impact\n\nA customer can read other customers' invoices.\n\n## Reproduction\n\nDownload your own invoice, then change the id in the URL by one.\n\n## Context\n\nReported by a customer's security team.\n",
        remediation: "",
        steps: &[step(State::Triaged, 3), step(State::Confirmed, 8)],
    },
    Scenario {
        title: "No rate limit on password reset",
        product: "web-portal",
        component: Some("login"),
        reporter: ("Sam Holt", "sam@example.net"),
        credit: None,
        cvss: Some("CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:N/I:N/A:L"),
        reported_days_ago: 9,
        products: &[],
        cwe: &[],
        aliases: &[],
        references: &[],
        embargo_days_from_today: None,
        body: "## Summary\n\nThe password reset endpoint sends an email for every request, without a limit.\n\n## Impact\n\nAn attacker can flood a user's mailbox and the outgoing mail quota.\n\n## Reproduction\n\nSend 1,000 reset requests for one address in a minute.\n",
        remediation: "",
        steps: &[step(State::Triaged, 2)],
    },
    Scenario {
        title: "Crash when opening a crafted image",
        product: "mobile-app",
        component: None,
        reporter: ("Ava Lindqvist", "ava@example.net"),
        credit: None,
        cvss: None,
        reported_days_ago: 16,
        products: &[],
        cwe: &[],
        aliases: &[],
        references: &[],
        embargo_days_from_today: None,
        body: "## Summary\n\nThe app crashes when a chat message carries a specially crafted PNG.\n\n## Impact\n\nUnclear yet: at least a denial of service for the recipient.\n",
        remediation: "",
        steps: &[noted(State::NeedsInfo, 2, "asked for the sample file and the app version")],
    },
    Scenario {
        title: "Session token leaks in the Referer header",
        product: "web-portal",
        component: None,
        reporter: ("Noah Adeyemi", "noah@example.net"),
        credit: None,
        cvss: None,
        reported_days_ago: 1,
        products: &[],
        cwe: &[],
        aliases: &[],
        references: &[],
        embargo_days_from_today: None,
        body: "## Summary\n\nLinks to external help pages carry the session token in the query string, which is sent in the Referer header.\n",
        remediation: "",
        steps: &[],
    },
    Scenario {
        title: "Clickjacking on the account settings page",
        product: "web-portal",
        component: None,
        reporter: ("Ines Duarte", "ines@example.net"),
        credit: None,
        cvss: None,
        reported_days_ago: 12,
        products: &[],
        cwe: &[],
        aliases: &[],
        references: &[],
        embargo_days_from_today: None,
        body: "## Summary\n\nThe settings page can be framed by any site; there is no frame-ancestors policy.\n",
        remediation: "",
        steps: &[],
    },
    Scenario {
        title: "Server version shown in HTTP headers",
        product: "api-gateway",
        component: None,
        reporter: ("Kai Moreno", "kai@example.net"),
        credit: None,
        cvss: None,
        reported_days_ago: 60,
        products: &[],
        cwe: &[],
        aliases: &[],
        references: &[],
        embargo_days_from_today: None,
        body: "## Summary\n\nResponses include a `Server: api-gateway/2.3.0` header.\n\n## Context\n\nThe version is public in the release notes; this is not a vulnerability by itself.\n",
        remediation: "",
        steps: &[Step {
            to: State::Rejected,
            day: 3,
            note: Some("version numbers are public; hardening tracked separately"),
            resolution: Some(Resolution::NotAVulnerability),
            duplicate_of: None,
            reason: None,
        }],
    },
    Scenario {
        title: "Login accepts a quote in the user name",
        product: "web-portal",
        component: Some("login"),
        reporter: ("Eli Novak", "eli@example.net"),
        credit: None,
        cvss: None,
        reported_days_ago: 165,
        products: &[],
        cwe: &[],
        aliases: &[],
        references: &[],
        embargo_days_from_today: None,
        body: "## Summary\n\nA quote in the user name makes the login page return an SQL error.\n",
        remediation: "",
        steps: &[Step {
            to: State::Rejected,
            day: 2,
            note: None,
            resolution: Some(Resolution::Duplicate),
            duplicate_of: Some(1),
            reason: None,
        }],
    },
];

/// `text` with its `products:` block replaced by the scenario's products, each with its CPE
/// (and `fixed` versions when `fixed`).
pub fn with_products(text: &str, s: &Scenario, richer: Option<&Richer>, fixed: bool) -> String {
    let Some(start) = text.find("\nproducts:\n") else { return text.to_owned() };
    let block_start = start + 1;
    let after = &text[block_start + "products:\n".len()..];
    let len = block_len(after);
    let mut block = String::from("products:\n");
    // A product identification helper, as a vendor would give it (CSAF test 6.2.16).
    let cpe = |name: &str| format!("    cpe: 'cpe:2.3:a:example_widgets:{name}:*:*:*:*:*:*:*:*'\n");
    for p in s.products {
        block.push_str(&format!("  - name: {}\n", p.name));
        if let Some(c) = p.component {
            block.push_str(&format!("    component: {c}\n"));
        }
        match richer.and_then(|r| r.backports).filter(|(name, _)| *name == p.name) {
            Some((_, spans)) => {
                block.push_str("    versions:\n");
                for (introduced, fix) in spans {
                    block.push_str(&format!("      - introduced: '{introduced}'\n"));
                    if fixed {
                        block.push_str(&format!("        fixed: '{fix}'\n"));
                    } else {
                        block.push_str(&format!("        last_affected: '{}'\n", last_before(fix)));
                    }
                }
                block.push_str(&cpe(p.name));
            }
            None => {
                block.push_str(&format!("    affected: '{}'\n", p.affected));
                block.push_str(&cpe(p.name));
                if fixed && !p.fixed.is_empty() {
                    block.push_str(&format!("    fixed: '{}'\n", p.fixed));
                }
            }
        }
    }
    if let Some((name, justification)) = richer.and_then(|r| r.not_affected) {
        block.push_str(&format!("  - name: {name}\n    status: not_affected\n    justification: {justification}\n"));
        block.push_str(&cpe(name));
    }
    let end = block_start + "products:\n".len() + len;
    format!("{}{block}{}", &text[..block_start], &text[end..])
}

/// The release before `fixed` on its branch (`3.7.5` → `3.7.4`), the last affected one
/// while the fix is not out yet.
fn last_before(fixed: &str) -> String {
    match fixed.rsplit_once('.') {
        Some((head, patch)) => match patch.parse::<u32>() {
            Ok(n) if n > 0 => format!("{head}.{}", n - 1),
            _ => fixed.to_owned(),
        },
        None => fixed.to_owned(),
    }
}

/// `text` with the SSVC decision of `richer` added before the timeline, decided on `date`
/// by `by` (unchanged when there is none).
pub fn with_ssvc(text: &str, richer: Option<&Richer>, by: &str, date: chrono::NaiveDate) -> String {
    let Some((values, outcome)) = richer.and_then(|r| r.ssvc) else { return text.to_owned() };
    let mut block = String::from("ssvc:\n  values:\n");
    for (point, value) in values {
        block.push_str(&format!("    {point}: {value}\n"));
    }
    block.push_str(&format!("  outcome: {outcome}\n  by: {by}\n  decided: {date}T10:00:00Z\ntimeline:\n"));
    text.replacen("timeline:\n", &block, 1)
}

/// Length of the indented lines at the start of `after`.
fn block_len(after: &str) -> usize {
    let mut len = 0;
    for line in after.split_inclusive('\n') {
        if !line.starts_with(' ') {
            break;
        }
        len += line.len();
    }
    len
}

/// `text` with `key: []` replaced by the given items (unchanged when there are none).
pub fn with_list(text: &str, key: &str, items: &[&str]) -> String {
    if items.is_empty() {
        return text.to_owned();
    }
    text.replacen(&format!("\n{key}: []\n"), &format!("\n{key}: [{}]\n", items.join(", ")), 1)
}

/// `text` with `references: []` replaced by the given (type, url) pairs.
pub fn with_references(text: &str, refs: &[(&str, &str)]) -> String {
    if refs.is_empty() {
        return text.to_owned();
    }
    let mut block = String::from("\nreferences:\n");
    for (kind, url) in refs {
        block.push_str(&format!("  - type: {kind}\n    url: {url}\n"));
    }
    text.replacen("\nreferences: []\n", &block, 1)
}

/// `text` with a `## Remediation` section appended to the body (once).
pub fn with_remediation(text: &str, remediation: &str) -> String {
    if remediation.is_empty() || text.contains("\n## Remediation\n") {
        return text.to_owned();
    }
    format!("{}\n## Remediation\n\n{remediation}\n", text.trim_end_matches('\n'))
}
