//! The typed report: what the front matter means once it has parsed.
//!
//! Field names and value spellings here are the file format (`docs/format.md`). Every struct
//! refuses unknown keys, so a typo such as `embargo_untill` never passes silently.

use std::fmt;
use std::str::FromStr;

use chrono::NaiveDate;
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
    #[serde(default)]
    pub products: Vec<Product>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub severity: Option<SeverityInfo>,
    #[serde(default)]
    pub cwe: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub embargo_until: Option<NaiveDate>,
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
}

/// Who reported the issue.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Reporter {
    pub name: String,
    /// How to reach the reporter. Private: never rendered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact: Option<String>,
    /// How the reporter wants to be credited, or `anonymous`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credit: Option<String>,
}

/// One affected product (or platform area).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
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
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub purl: Option<String>,
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
                    _ => Err(format!(
                        "unknown {} `{s}` (expected one of: {})",
                        stringify!($name).to_lowercase(),
                        [$($text),+].join(", ")
                    )),
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
    }
);

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
        let err = "nope".parse::<Level>().unwrap_err();
        assert!(err.contains("none, low, medium, high, critical"), "{err}");
    }
}
