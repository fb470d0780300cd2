//! Typed credits: who is thanked for a report, and for what.
//!
//! The roles are those of OSV and GitHub advisories (and, spelled with spaces, CVE records),
//! written in report files as GitHub spells them (`remediation_developer`). A credit is public
//! once its report is: nobody is credited unless a credit is recorded, in `credits` or in the
//! older `reporter.credit` (read as one `finder` credit).

use std::fmt;

use serde::{Deserialize, Serialize};

/// One entry of a report's `credits`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Credit {
    /// The name as the credited person or organisation wants it shown, or `anonymous`.
    pub name: String,
    /// The role.
    #[serde(rename = "type")]
    pub kind: CreditType,
    /// A public page of theirs (an `https://` URL), linked from the name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}

/// The role of a credit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CreditType {
    Finder,
    Reporter,
    Analyst,
    Coordinator,
    RemediationDeveloper,
    RemediationReviewer,
    RemediationVerifier,
    Tool,
    Sponsor,
    Other,
}

impl CreditType {
    /// Every role, in the order OSV lists them.
    pub const ALL: &'static [CreditType] = &[
        CreditType::Finder,
        CreditType::Reporter,
        CreditType::Analyst,
        CreditType::Coordinator,
        CreditType::RemediationDeveloper,
        CreditType::RemediationReviewer,
        CreditType::RemediationVerifier,
        CreditType::Tool,
        CreditType::Sponsor,
        CreditType::Other,
    ];

    /// The spelling in report files (and GitHub advisories): `remediation_developer`.
    pub fn as_str(self) -> &'static str {
        match self {
            CreditType::Finder => "finder",
            CreditType::Reporter => "reporter",
            CreditType::Analyst => "analyst",
            CreditType::Coordinator => "coordinator",
            CreditType::RemediationDeveloper => "remediation_developer",
            CreditType::RemediationReviewer => "remediation_reviewer",
            CreditType::RemediationVerifier => "remediation_verifier",
            CreditType::Tool => "tool",
            CreditType::Sponsor => "sponsor",
            CreditType::Other => "other",
        }
    }

    /// As people read it, and as CVE records spell it: `remediation developer`.
    pub fn label(self) -> String {
        self.as_str().replace('_', " ")
    }

    /// As OSV spells it: `REMEDIATION_DEVELOPER`.
    pub fn osv(self) -> String {
        self.as_str().to_uppercase()
    }

    /// What the credited did, as a CSAF acknowledgment's summary says it.
    pub fn summary(self) -> &'static str {
        match self {
            CreditType::Finder => "found the vulnerability",
            CreditType::Reporter => "reported the vulnerability",
            CreditType::Analyst => "validated the vulnerability and its severity",
            CreditType::Coordinator => "coordinated the disclosure",
            CreditType::RemediationDeveloper => "developed the fix",
            CreditType::RemediationReviewer => "reviewed the fix",
            CreditType::RemediationVerifier => "verified the fix",
            CreditType::Tool => "was used to find the vulnerability",
            CreditType::Sponsor => "supported the work",
            CreditType::Other => "contributed to the advisory",
        }
    }
}

impl fmt::Display for CreditType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_role_has_its_three_spellings() {
        let t = CreditType::RemediationDeveloper;
        assert_eq!(
            (t.as_str(), t.label().as_str(), t.osv().as_str()),
            ("remediation_developer", "remediation developer", "REMEDIATION_DEVELOPER")
        );
        for t in CreditType::ALL {
            let parsed: CreditType = serde_json::from_value(serde_json::json!(t.as_str())).expect("parses");
            assert_eq!(parsed, *t);
        }
        assert_eq!(CreditType::ALL.len(), 10);
    }
}
