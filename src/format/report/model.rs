//! The typed report: what the front matter means once it has parsed.
//!
//! Field names and value spellings here are the file format (`docs/format.md`). Every struct
//! refuses unknown keys, so a typo such as `embargo_untill` never passes silently.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, FixedOffset, NaiveDate};
use serde::{Deserialize, Serialize};

/// A report's front matter.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Report {
    pub id: String,
    pub title: String,
    pub state: State,
    pub reported: NaiveDate,
    pub reporter: Reporter,
    /// Who is credited publicly, and for what; nobody unless recorded here (or in the older
    /// `reporter.credit`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub credits: Vec<super::credit::Credit>,
    #[serde(default)]
    pub products: Vec<Product>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub severity: Option<SeverityInfo>,
    #[serde(default)]
    pub cwe: Vec<String>,
    /// When the embargo lifts: a date, or a time with an offset or a time zone
    /// ([`crate::format::embargo`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub embargo_until: Option<crate::format::embargo::Embargo>,
    #[serde(default)]
    pub aliases: Vec<String>,
    #[serde(default)]
    pub references: Vec<Reference>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assignee: Option<String>,
    /// A workaround that protects users without a fixed version.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mitigation: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resolution: Option<Resolution>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duplicate_of: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub published: Option<NaiveDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub withdrawn: Option<NaiveDate>,
    #[serde(default)]
    pub timeline: Vec<TimelineEntry>,
    /// Every message to and from the reporter, oldest first. Private: never rendered.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub correspondence: Vec<Message>,
    /// The SSVC decision record ([`crate::format::ssvc`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ssvc: Option<crate::format::ssvc::Decision>,
    /// Exploited in the wild: since when, and the CRA notifications ([`crate::format::exploited`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exploited: Option<crate::format::exploited::Exploited>,
    /// Listed in CISA's KEV catalog (`enrich`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kev: Option<crate::format::exploited::Kev>,
    /// FIRST's EPSS score (`enrich`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub epss: Option<crate::format::exploited::Epss>,
    /// A VEX statement about someone else's vulnerability (named in `aliases`): it says how
    /// our products stand (`products[].status`) and renders as VEX only (OpenVEX and CSAF
    /// `csaf_vex`), never as an advisory of ours. Its lifecycle is short: `triaged` →
    /// `published` ([`crate::rules::lifecycle::is_legal_for`]).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub vex_only: bool,
}

/// Who reported the issue.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Reporter {
    pub name: String,
    /// How to reach the reporter. Private: never rendered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact: Option<String>,
    /// How the reporter wants to be credited, or `anonymous` (read as one `finder` credit;
    /// `credits` is the typed form).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credit: Option<String>,
}

/// One affected product (or platform area).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Product {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub component: Option<String>,
    /// Affected versions, as range text (`< 2.4.1`, `>= 1.0, < 1.9.3`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub affected: Option<String>,
    /// The first fixed version.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fixed: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ecosystem: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub package: Option<String>,
    /// Package URL; derived from `ecosystem` and `package` when not given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub purl: Option<String>,
    // The other product identification helpers of CSAF 2.0 (section 3.1.3.3).
    /// A CPE 2.3 name (or a CPE 2.2 URI).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cpe: Option<String>,
    /// Files of the affected versions, by cryptographic hash.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub hashes: Vec<FileHashes>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub model_numbers: Vec<String>,
    /// URLs of SBOMs of the affected versions.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sbom_urls: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub serial_numbers: Vec<String>,
    /// Stock keeping units.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub skus: Vec<String>,
    /// Identifiers of a standard CSAF does not name: a namespace URL and the identifier.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub x_generic_uris: Vec<GenericUri>,
    /// Affected spans, one per release branch (backports), in the shape of OSV's events and
    /// Go's `versions`: each span starts at `introduced` and ends before `fixed` (or at
    /// `last_affected`). Said instead of `affected`/`fixed`, never beside them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub versions: Vec<VersionSpan>,
    /// The product's VEX status for this vulnerability; unset reads as `affected`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<ProductStatus>,
    /// Why a `not_affected` product is not affected (the OpenVEX / CSAF set).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub justification: Option<Justification>,
    /// The impact statement of a `not_affected` product: how it is not affected, in words.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub impact: Option<String>,
    /// The action statement of an `affected` product: what a user should do.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub action: Option<String>,
}

/// One affected span of versions of a product: from `introduced` (inclusive; unset for "from
/// the first version") up to `fixed` (exclusive) or `last_affected` (inclusive); neither for
/// "and every later version". At most one of `fixed` and `last_affected`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct VersionSpan {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub introduced: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fixed: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_affected: Option<String>,
}

/// A product's VEX status (OpenVEX `status`; CSAF `product_status` groups).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ProductStatus {
    /// Some versions are affected (the spans say which).
    Affected,
    /// No version is affected; `justification` and `impact` say why.
    NotAffected,
    /// Every version the report names is fixed.
    Fixed,
    /// Not known yet.
    UnderInvestigation,
}

/// Why a product is not affected: the five justifications OpenVEX and CSAF share.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Justification {
    ComponentNotPresent,
    VulnerableCodeNotPresent,
    VulnerableCodeNotInExecutePath,
    VulnerableCodeCannotBeControlledByAdversary,
    InlineMitigationsAlreadyExist,
}

impl ProductStatus {
    /// Every status, in declaration order.
    pub const ALL: &'static [ProductStatus] =
        &[ProductStatus::Affected, ProductStatus::NotAffected, ProductStatus::Fixed, ProductStatus::UnderInvestigation];

    /// The spelling of report files, OpenVEX and CSAF VEX (`not_affected`).
    pub fn as_str(self) -> &'static str {
        match self {
            ProductStatus::Affected => "affected",
            ProductStatus::NotAffected => "not_affected",
            ProductStatus::Fixed => "fixed",
            ProductStatus::UnderInvestigation => "under_investigation",
        }
    }
}

impl Justification {
    /// Every justification, in declaration order.
    pub const ALL: &'static [Justification] = &[
        Justification::ComponentNotPresent,
        Justification::VulnerableCodeNotPresent,
        Justification::VulnerableCodeNotInExecutePath,
        Justification::VulnerableCodeCannotBeControlledByAdversary,
        Justification::InlineMitigationsAlreadyExist,
    ];

    /// The spelling of report files, OpenVEX `justification` and the CSAF flag `label`: the
    /// three are the same set with the same words.
    pub fn as_str(self) -> &'static str {
        match self {
            Justification::ComponentNotPresent => "component_not_present",
            Justification::VulnerableCodeNotPresent => "vulnerable_code_not_present",
            Justification::VulnerableCodeNotInExecutePath => "vulnerable_code_not_in_execute_path",
            Justification::VulnerableCodeCannotBeControlledByAdversary => {
                "vulnerable_code_cannot_be_controlled_by_adversary"
            }
            Justification::InlineMitigationsAlreadyExist => "inline_mitigations_already_exist",
        }
    }
}

impl FromStr for Justification {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let known: Vec<&str> = Justification::ALL.iter().map(|j| j.as_str()).collect();
        Justification::ALL
            .iter()
            .copied()
            .find(|j| j.as_str() == s)
            .ok_or_else(|| unknown_value("justification", s, &known))
    }
}

impl Product {
    /// The VEX status: `status`, else `affected`.
    pub fn vex_status(&self) -> ProductStatus {
        self.status.unwrap_or(ProductStatus::Affected)
    }

    /// `purl`, else the one `ecosystem` and `package` give ([`crate::format::purl::derive`]).
    pub fn purl_or_derived(&self) -> Option<String> {
        let given = self.purl.as_deref().map(str::trim).filter(|u| !u.is_empty());
        given
            .map(str::to_owned)
            .or_else(|| crate::format::purl::derive(self.ecosystem.as_deref()?, self.package.as_deref()?))
    }

    /// Whether a helper identifies every version of the product (the affected range and the
    /// fixed version alike): a purl (given or derived), a CPE, model numbers, SKUs or generic
    /// URIs. Hashes, serial numbers and SBOM URLs name the affected files only.
    pub fn identified(&self) -> bool {
        self.purl_or_derived().is_some()
            || self.cpe.is_some()
            || !self.model_numbers.is_empty()
            || !self.skus.is_empty()
            || !self.x_generic_uris.is_empty()
    }
}

/// One file identified by its hashes (CSAF `hashes[]`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct FileHashes {
    pub filename: String,
    pub file_hashes: Vec<FileHash>,
}

/// A hash value and its algorithm (`sha256`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct FileHash {
    pub algorithm: String,
    pub value: String,
}

/// A generic identifier (CSAF `x_generic_uris[]`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct GenericUri {
    pub namespace: String,
    pub uri: String,
}

/// How severe the issue is.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct SeverityInfo {
    /// A CVSS v3.1 or v4.0 vector.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cvss: Option<String>,
    /// A CVSS v4.0 vector given alongside a v3.1 `cvss` (CVE records and OSV carry both).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cvss_v4: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub level: Option<Level>,
}

/// One public reference.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Reference {
    #[serde(rename = "type", default = "ReferenceType::web")]
    pub kind: ReferenceType,
    pub url: String,
}

/// One step of the report's history.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct TimelineEntry {
    pub date: NaiveDate,
    pub state: State,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub by: Option<String>,
    /// Private working note; never rendered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// One message to or from the reporter (`correspondence[]`). Its text is a file in the
/// report's folder (`reports/<ID>/`), sealed there in a sealed repository
/// ([`crate::format::correspondence`]). Private: no public output reads it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Message {
    /// When it was sent or received, to the second, with its UTC offset (RFC 3339).
    pub at: DateTime<FixedOffset>,
    pub direction: Direction,
    pub channel: Channel,
    /// The RFC 5322 `Message-Id` with its angle brackets, when the channel has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message_id: Option<String>,
    /// The `Message-Id` this message answers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub in_reply_to: Option<String>,
    pub subject: String,
    /// The message template an outgoing message was rendered from (`acknowledgement`, …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub template: Option<String>,
    /// The text's file, relative to the report's folder (`messages/0001-in.md`).
    pub text: String,
    /// Files that came with it, relative to the report's folder.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attachments: Vec<String>,
}

/// The message of a value that is not one of `known`, with the closest one when it looks like
/// a typo (`recieved` → did you mean `received`?).
fn unknown_value(kind: &str, typed: &str, known: &[&str]) -> String {
    let near = known
        .iter()
        .map(|k| (strsim::levenshtein(typed, k), *k))
        .filter(|(d, k)| *d <= 2.max(k.len() / 4))
        .min_by_key(|(d, _)| *d);
    let kind = kind.to_lowercase();
    match near {
        Some((_, k)) => {
            format!("unknown {kind} `{typed}`: did you mean `{k}`? (expected one of: {})", known.join(", "))
        }
        None => format!("unknown {kind} `{typed}` (expected one of: {})", known.join(", ")),
    }
}

macro_rules! kebab_enum {
    ($(#[$meta:meta])* $name:ident { $($variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, Serialize)]
        pub enum $name {
            $(#[serde(rename = $text)] $variant,)+
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The spelling used in report files.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text,)+ }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl FromStr for $name {
            type Err = String;
            fn from_str(s: &str) -> Result<Self, String> {
                match s {
                    $($text => Ok($name::$variant),)+
                    _ => Err(unknown_value(stringify!($name), s, &[$($text),+])),
                }
            }
        }
    };
}

kebab_enum!(
    /// Where a report is in the disclosure lifecycle.
    State {
        Received = "received",
        NeedsInfo = "needs-info",
        Triaged = "triaged",
        Confirmed = "confirmed",
        Remediating = "remediating",
        Fixed = "fixed",
        Published = "published",
        Rejected = "rejected",
        Withdrawn = "withdrawn",
    }
);

kebab_enum!(
    /// Whether a message came from the reporter (`in`) or went to them (`out`).
    Direction { In = "in", Out = "out" }
);

kebab_enum!(
    /// The channel a message travelled by.
    Channel {
        Email = "email",
        Github = "github",
        Osv = "osv",
        Web = "web",
        Phone = "phone",
        Other = "other",
    }
);

kebab_enum!(
    /// Qualitative severity (the CVSS rating scale).
    Level { None = "none", Low = "low", Medium = "medium", High = "high", Critical = "critical" }
);

kebab_enum!(
    /// Why a report was closed without a fix.
    Resolution {
        NotAVulnerability = "not-a-vulnerability",
        ExpectedBehavior = "expected-behavior",
        Duplicate = "duplicate",
        KnownIssue = "known-issue",
        UnsupportedConfiguration = "unsupported-configuration",
        OutsideControl = "outside-control",
        OutOfScope = "out-of-scope",
        WontFix = "wont-fix",
        Retracted = "retracted",
        Spam = "spam",
        Invalid = "invalid",
    }
);

impl Resolution {
    /// Not a security report at all (`spam`, `invalid`): left out of the figures that measure
    /// the team's response (`docs/queries.md`, "Reports that are not reports").
    pub fn is_not_a_report(self) -> bool {
        matches!(self, Resolution::Spam | Resolution::Invalid)
    }
}

kebab_enum!(
    /// Reference kinds, as in OSV (lowercase).
    ReferenceType {
        Advisory = "advisory",
        Article = "article",
        Detection = "detection",
        Discussion = "discussion",
        Report = "report",
        Fix = "fix",
        Introduced = "introduced",
        Git = "git",
        Package = "package",
        Evidence = "evidence",
        Web = "web",
    }
);

impl ReferenceType {
    fn web() -> Self {
        ReferenceType::Web
    }
}

impl Report {
    /// True while the embargo holds at `now` ([`Embargo::holds_at`](crate::format::embargo::Embargo::holds_at)).
    /// A date-only embargo lifts at the start of `embargo_until` on the clock of `now`: on that
    /// date the report may be published (and is shown as not under embargo); on the day
    /// before it may not. A timed one lifts at its instant. A report without `embargo_until`
    /// is never embargoed.
    pub fn is_embargoed(&self, now: DateTime<FixedOffset>) -> bool {
        self.embargo_until.is_some_and(|until| until.holds_at(now))
    }

    /// Whether the report counts in the figures that measure the team's response (time to
    /// triage, fix, publish, first response): every report but one closed as `spam` or
    /// `invalid` ([`Resolution::is_not_a_report`]).
    pub fn measures_response(&self) -> bool {
        !(self.state == State::Rejected && self.resolution.is_some_and(Resolution::is_not_a_report))
    }

    /// The severity level: `severity.level`, else the one its main CVSS vector scores.
    pub fn level(&self) -> Option<Level> {
        self.severity.as_ref().and_then(SeverityInfo::level_or_scored)
    }
}

impl SeverityInfo {
    /// The main vector: `cvss`, else `cvss_v4`.
    pub fn main_vector(&self) -> Option<&str> {
        self.cvss.as_deref().or(self.cvss_v4.as_deref())
    }

    /// The level: `level` when given, else the one the main vector ([`Self::main_vector`])
    /// scores; `None` without either (or with a vector that does not parse).
    pub fn level_or_scored(&self) -> Option<Level> {
        self.level.or_else(|| self.main_vector().and_then(|v| crate::format::cvss::assess(v).ok()).map(|a| a.level))
    }
}

impl State {
    /// Still has deadlines: not closed (`rejected`) and not public.
    pub fn is_open(self) -> bool {
        !matches!(self, State::Published | State::Rejected | State::Withdrawn)
    }

    /// Needs a severity: every state past triage except `rejected`.
    pub fn needs_severity(self) -> bool {
        !matches!(self, State::Received | State::NeedsInfo | State::Rejected)
    }

    /// At or after `confirmed` on the way to publication.
    pub fn is_confirmed_or_later(self) -> bool {
        matches!(self, State::Confirmed | State::Remediating | State::Fixed | State::Published | State::Withdrawn)
    }

    /// At or after `fixed`: a fix or a mitigation exists.
    pub fn is_fixed_or_later(self) -> bool {
        matches!(self, State::Fixed | State::Published | State::Withdrawn)
    }

    /// The advisory is public (`published` or `withdrawn`): it may be rendered.
    pub fn is_public(self) -> bool {
        matches!(self, State::Published | State::Withdrawn)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn enums_round_trip_their_spelling() {
        for s in State::ALL {
            assert_eq!(s.as_str().parse::<State>(), Ok(*s));
        }
        for r in Resolution::ALL {
            assert_eq!(r.as_str().parse::<Resolution>(), Ok(*r));
        }
        let err = "bogus".parse::<Level>().unwrap_err();
        assert!(err.contains("none, low, medium, high, critical"), "{err}");
        assert!(!err.contains("did you mean"), "{err}");
        let err = "recieved".parse::<State>().unwrap_err();
        assert!(err.contains("did you mean `received`?"), "{err}");
        assert!("dupliate".parse::<Resolution>().unwrap_err().contains("did you mean `duplicate`?"));
    }

    fn date(s: &str) -> NaiveDate {
        s.parse().expect("date")
    }

    fn report(embargo_until: Option<&str>, severity: Option<SeverityInfo>) -> Report {
        Report {
            id: "ENIGM-2026-0001".into(),
            title: "T".into(),
            state: State::Fixed,
            reported: date("2026-01-05"),
            reporter: Reporter { name: "R".into(), contact: None, credit: None },
            credits: Vec::new(),
            products: Vec::new(),
            severity,
            cwe: Vec::new(),
            embargo_until: embargo_until.map(|d| date(d).into()),
            aliases: Vec::new(),
            references: Vec::new(),
            assignee: None,
            mitigation: None,
            resolution: None,
            duplicate_of: None,
            published: None,
            withdrawn: None,
            timeline: Vec::new(),
            correspondence: Vec::new(),
            ssvc: None,
            exploited: None,
            kev: None,
            epss: None,
            vex_only: false,
        }
    }

    #[test]
    fn the_embargo_lifts_at_the_start_of_its_date() {
        let r = report(Some("2026-07-01"), None);
        let noon = |d: &str| crate::format::embargo::start_of(date(d), FixedOffset::east_opt(0).expect("utc"));
        assert!(r.is_embargoed(noon("2026-06-30")), "the day before");
        assert!(!r.is_embargoed(noon("2026-07-01")), "the day itself");
        assert!(!r.is_embargoed(noon("2026-07-02")), "the day after");
        assert!(!report(None, None).is_embargoed(noon("2026-06-30")), "no embargo");
    }

    #[test]
    fn the_level_is_given_or_scored_from_the_main_vector() {
        let sev = |cvss: Option<&str>, cvss_v4: Option<&str>, level| {
            Some(SeverityInfo { cvss: cvss.map(Into::into), cvss_v4: cvss_v4.map(Into::into), level })
        };
        let v3 = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H";
        let v4 = "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:L/VI:N/VA:N/SC:N/SI:N/SA:N";
        assert_eq!(report(None, sev(Some(v3), None, Some(Level::Low))).level(), Some(Level::Low), "level wins");
        assert_eq!(report(None, sev(Some(v3), None, None)).level(), Some(Level::Critical));
        assert_eq!(report(None, sev(None, Some(v4), None)).level(), Some(Level::Medium), "v4 alone");
        assert_eq!(report(None, sev(Some(v3), Some(v4), None)).level(), Some(Level::Critical), "cvss is the main one");
        assert_eq!(report(None, sev(Some("CVSS:3.1/nope"), None, None)).level(), None);
        assert_eq!(report(None, None).level(), None);
    }

    #[test]
    fn vex_spellings_are_the_serde_ones() {
        for s in ProductStatus::ALL {
            assert_eq!(serde_json::to_value(s).expect("json"), serde_json::json!(s.as_str()));
        }
        for j in Justification::ALL {
            assert_eq!(serde_json::to_value(j).expect("json"), serde_json::json!(j.as_str()));
            assert_eq!(j.as_str().parse::<Justification>(), Ok(*j));
        }
        assert!("component_not_presnt".parse::<Justification>().unwrap_err().contains("did you mean"));
        assert_eq!(Product::default().vex_status(), ProductStatus::Affected, "unset reads as affected");
    }

    #[test]
    fn state_predicates() {
        use State::*;
        let of = |f: fn(State) -> bool| State::ALL.iter().copied().filter(|s| f(*s)).collect::<Vec<_>>();
        assert_eq!(of(State::is_open), [Received, NeedsInfo, Triaged, Confirmed, Remediating, Fixed]);
        assert_eq!(of(State::needs_severity), [Triaged, Confirmed, Remediating, Fixed, Published, Withdrawn]);
        assert_eq!(of(State::is_confirmed_or_later), [Confirmed, Remediating, Fixed, Published, Withdrawn]);
        assert_eq!(of(State::is_fixed_or_later), [Fixed, Published, Withdrawn]);
        assert_eq!(of(State::is_public), [Published, Withdrawn]);
    }
}
