//! Finding codes: the closed set of stable identifiers a finding can carry.
//!
//! Every code is a variant of [`Code`], so a finding with an undocumented code cannot be
//! built. Its kebab-case name (`missing-fix`) is what every output shows (terminal, JSON,
//! SARIF, GitHub annotations) and the heading of its section in `docs/checks.md`; the
//! variant order is the order of that page, and each code has one severity and a one-line
//! summary here. This sits in `format` because the parser emits codes too; `rules` and
//! `query` use the same enum.

use serde::{Serialize, Serializer};
use strum::{Display, EnumIter, EnumString, IntoStaticStr};

use super::finding::Severity;

/// A stable finding code, documented in `docs/checks.md` (one section per code, in this order).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Display, EnumString, EnumIter, IntoStaticStr)]
#[strum(serialize_all = "kebab-case")]
pub enum Code {
    // Reading and parsing the file.
    FileUnreadable,
    FileTooLarge,
    Symlink,
    NotAFile,
    NotUtf8,
    MissingFrontMatter,
    UnclosedFrontMatter,
    YamlSyntax,
    YamlDuplicateKey,
    YamlUnsupported,
    YamlTooDeep,
    FrontMatterNotMapping,
    // Schema.
    UnknownField,
    MissingField,
    InvalidField,
    // Ids.
    IdFormat,
    IdMismatch,
    IdPrefix,
    IdYear,
    DuplicateId,
    ReportMisplaced,
    // State requirements.
    MissingSeverity,
    MissingAffected,
    MissingFix,
    MissingPublishedDate,
    MissingWithdrawnDate,
    MissingResolution,
    MissingDuplicateOf,
    UnknownDuplicate,
    UnexpectedField,
    UnknownProduct,
    UnknownComponent,
    EmbargoActive,
    MissingReason,
    // Timeline and dates.
    TimelineMissing,
    TimelineStart,
    TimelineOrder,
    TimelineTransition,
    TimelineState,
    DateInFuture,
    EmbargoBeforeReported,
    PublishedBeforeReported,
    WithdrawnBeforePublished,
    // Field formats.
    CvssInvalid,
    CvssLevelMismatch,
    CweFormat,
    CweUnknown,
    AliasFormat,
    ReferenceUrl,
    // Decisions and exploitation.
    SsvcInvalid,
    SsvcTree,
    SsvcOutcomeMismatch,
    ExploitedBeforeAware,
    // Version spans (`versions`).
    VersionsWithText,
    VersionsSpan,
    VersionsOrder,
    VersionUnordered,
    // What the exports (CSAF, OSV, CVE) can carry.
    AffectedUnreadable,
    AffectedInexpressible,
    AffectedFixedMismatch,
    PackageMissing,
    ProductUnidentified,
    CvssV4Only,
    // VEX statuses and statements.
    VexJustificationMissing,
    VexFieldMismatch,
    VexActionMissing,
    VexAliasMissing,
    // Body.
    MissingSection,
    EmptySection,
    AmbiguousHeading,
    DuplicateSection,
    // Correspondence and the report's folder.
    MessageDate,
    MessageFileMissing,
    MessageFileUnlisted,
    SealedFileDamaged,
    // Merges.
    MergeConflict,
    // Text.
    BidiControl,
    ControlCharacter,
    InvisibleCharacter,
    MixedScript,
    // Secrets.
    Secret,
    FileUnscannable,
    // Against a base revision.
    PublishedDeleted,
    PublishedRenamed,
    IdChanged,
    // History (`verify`).
    IllegalStep,
    TimelineRewritten,
    AcknowledgementInvalid,
    AcknowledgementUnused,
    // Sealed reports.
    NotSealed,
    SealUnreadable,
    SealRecipients,
    SealMismatch,
    // Configuration.
    ConfigUnreadable,
    ConfigUnknownKey,
    ConfigInvalid,
    ConfigPublishBeforeFix,
    ConfigUnknownProduct,
    // The public face: policy.md and security.txt.
    PolicyTemplate,
    SecurityTxtExpiresSoon,
    SecurityTxtExpired,
    SecurityTxtExpiresLate,
    // `aggregate`: several repositories read together.
    AggregateInvalid,
    AggregatePrefixClash,
}

impl Code {
    /// The kebab-case name, as shown in every output.
    pub fn as_str(self) -> &'static str {
        self.into()
    }

    /// The severity of every finding with this code.
    pub const fn severity(self) -> Severity {
        match self {
            Code::UnexpectedField
            | Code::UnknownComponent
            | Code::InvisibleCharacter
            | Code::MixedScript
            | Code::ConfigPublishBeforeFix
            | Code::CweUnknown
            | Code::VersionUnordered
            | Code::AffectedUnreadable
            | Code::AffectedInexpressible
            | Code::AffectedFixedMismatch
            | Code::PackageMissing
            | Code::ProductUnidentified
            | Code::CvssV4Only
            | Code::VexActionMissing
            | Code::SecurityTxtExpiresSoon => Severity::Warning,
            Code::MessageFileUnlisted => Severity::Warning,
            _ => Severity::Error,
        }
    }

    /// One line saying what the code means (SARIF rule descriptions).
    pub const fn summary(self) -> &'static str {
        match self {
            Code::FileUnreadable => "the file cannot be read",
            Code::FileTooLarge => "the file is larger than 1 MiB",
            Code::Symlink => "a report path is a symbolic link (never followed)",
            Code::NotAFile => "a report path is not a regular file",
            Code::NotUtf8 => "the file is not valid UTF-8",
            Code::MissingFrontMatter => "the file does not start with a --- fence",
            Code::UnclosedFrontMatter => "the front matter is never closed by a --- line",
            Code::YamlSyntax => "the front matter is not valid YAML",
            Code::YamlDuplicateKey => "a key appears twice in one mapping",
            Code::YamlUnsupported => "YAML aliases, tags or complex keys are used",
            Code::YamlTooDeep => "the YAML nests deeper than 64 levels",
            Code::FrontMatterNotMapping => "the front matter is not a mapping of keys to values",
            Code::UnknownField => "a key the format does not know (often a typo)",
            Code::MissingField => "a required key is missing",
            Code::InvalidField => "a value has the wrong type, spelling or format",
            Code::IdFormat => "the id is not <PREFIX>-<YEAR>-<NNNN>",
            Code::IdMismatch => "the id does not match the file name",
            Code::IdPrefix => "the id prefix is not the id_prefix of enigm.yaml",
            Code::IdYear => "the id year is not the year of `reported`",
            Code::DuplicateId => "two reports share an id",
            Code::ReportMisplaced => {
                "a report file is not where its id puts it (another year's shard, or both layouts)"
            }
            Code::MissingSeverity => "a report past triage has no severity",
            Code::MissingAffected => "a confirmed report has a product without `affected` versions",
            Code::MissingFix => "a fixed or published report has neither fixed versions nor a mitigation",
            Code::MissingPublishedDate => "a published report has no `published` date",
            Code::MissingWithdrawnDate => "a withdrawn report has no `withdrawn` date",
            Code::MissingResolution => "a rejected report has no `resolution`",
            Code::MissingDuplicateOf => "a duplicate has no `duplicate_of`",
            Code::UnknownDuplicate => "`duplicate_of` names no other existing report (or the report itself)",
            Code::UnexpectedField => {
                "a field that does not belong to the report's state (resolution, duplicate_of, published, withdrawn)"
            }
            Code::UnknownProduct => "a product is not listed in enigm.yaml",
            Code::UnknownComponent => "a component is not listed for its product in enigm.yaml",
            Code::EmbargoActive => "publishing before `embargo_until` (an `advance` guard)",
            Code::MissingReason => "withdrawing an advisory without a reason (an `advance` guard)",
            Code::TimelineMissing => "the report has no timeline",
            Code::TimelineStart => "the timeline does not start with `received`",
            Code::TimelineOrder => "timeline dates go backwards or precede `reported`",
            Code::TimelineTransition => "a timeline step is not a legal transition",
            Code::TimelineState => "the last timeline entry's state differs from `state`",
            Code::DateInFuture => "`reported`, `published`, `withdrawn` or a timeline date is after today",
            Code::EmbargoBeforeReported => "`embargo_until` is not after `reported`",
            Code::PublishedBeforeReported => "`published` or `withdrawn` is before `reported`",
            Code::WithdrawnBeforePublished => "`withdrawn` is before `published`",
            Code::CvssInvalid => "the CVSS vector does not parse as v3.1 or v4.0",
            Code::CvssLevelMismatch => "`level` does not match the CVSS score",
            Code::CweFormat => "a CWE id is not CWE-<number>",
            Code::CweUnknown => "a CWE id is not in the CWE catalogue, or is deprecated there",
            Code::AliasFormat => "an alias is not a CVE or GHSA id",
            Code::ReferenceUrl => "a reference URL is not an http(s) URL",
            Code::SsvcInvalid => "an SSVC decision names a point or value its tree does not have, or lacks one",
            Code::SsvcTree => "an SSVC decision names a tree other than the repository's",
            Code::SsvcOutcomeMismatch => "the recorded SSVC outcome is not the one the tree gives for the values",
            Code::ExploitedBeforeAware => "`exploited.aware` is before `exploited.since`",
            Code::VersionsWithText => "a product says `versions` together with `affected` or `fixed`",
            Code::VersionsSpan => "a `versions` span is empty, or starts at or after its end",
            Code::VersionsOrder => "`versions` spans overlap, touch or are not in ascending order",
            Code::VersionUnordered => {
                "a `versions` bound is not a dotted-number version, so it cannot be ordered or checked"
            }
            Code::AffectedUnreadable => "`affected` is prose, not a version range a machine can read",
            Code::AffectedInexpressible => "`affected` is comparators no single OSV or CVE span can say exactly",
            Code::AffectedFixedMismatch => "`affected` and `fixed` of a product disagree on where the fix is",
            Code::PackageMissing => "a product names an ecosystem but no package, so OSV cannot match it",
            Code::ProductUnidentified => "a published product has no identification helper (purl, cpe, …) for CSAF",
            Code::CvssV4Only => "a published report's only vector is CVSS v4.0, which CSAF 2.0 cannot score",
            Code::VexJustificationMissing => "a `not_affected` product has neither a `justification` nor an `impact`",
            Code::VexFieldMismatch => {
                "`justification` or `impact` on a product that is not `not_affected`, or `action` on one that is"
            }
            Code::VexActionMissing => {
                "an affected product of a published VEX statement has no `action`, fixed version or mitigation"
            }
            Code::VexAliasMissing => {
                "a VEX statement (`vex_only`) names no CVE or GHSA id of the vulnerability it is about"
            }
            Code::MissingSection => "a section the state requires is missing",
            Code::MessageDate => "a message in `correspondence` is dated before `reported` or after today",
            Code::MessageFileMissing => "a message's text or attachment is not a file inside the report's folder",
            Code::MessageFileUnlisted => "a file in the report's folder is named by no `correspondence` entry",
            Code::SealedFileDamaged => "a sealed file (`.age`) in a report's folder is not a well-formed age block",
            Code::EmptySection => "a required section is empty or still template text (TODO)",
            Code::AmbiguousHeading => {
                "a line reads like a section heading but is no top-level `##` heading (nested, in HTML, in an unclosed fence)"
            }
            Code::DuplicateSection => "two body sections have the same title",
            Code::MergeConflict => "the file has unresolved merge conflict markers, or is conflicted in the index",
            Code::BidiControl => "a bidirectional control character (Trojan Source) in the file",
            Code::ControlCharacter => "a control character (escape, NUL, …) in the file",
            Code::InvisibleCharacter => "a zero-width or other invisible character in the front matter",
            Code::MixedScript => "a front matter word mixes Latin with Greek or Cyrillic lookalike letters",
            Code::Secret => "credential material (key, token, password) in a report",
            Code::FileUnscannable => "a file under reports/ is compressed, so it cannot be scanned for secrets",
            Code::PublishedDeleted => "a published report was deleted",
            Code::PublishedRenamed => "a published report was renamed",
            Code::IdChanged => "a report's id changed",
            Code::IllegalStep => "a committed state change is not a step of the lifecycle",
            Code::TimelineRewritten => "committed timeline entries were changed or removed",
            Code::AcknowledgementInvalid => "the acknowledgements file (.enigm/acknowledged.yaml) is not well formed",
            Code::AcknowledgementUnused => "an acknowledgement names no finding of `verify`",
            Code::ConfigUnreadable => "enigm.yaml cannot be read",
            Code::ConfigUnknownKey => "enigm.yaml has a key the format does not know",
            Code::ConfigInvalid => "a value in enigm.yaml is wrong",
            Code::ConfigPublishBeforeFix => "the policy publishes before the fix deadline of a severity level",
            Code::ConfigUnknownProduct => {
                "`policy.products` overrides the policy of a product `products` does not list"
            }
            Code::PolicyTemplate => "policy.md does not render (a syntax error or an unknown variable)",
            Code::SecurityTxtExpiresSoon => "security.txt's `contact.expires` is less than 30 days away",
            Code::SecurityTxtExpired => "security.txt's `contact.expires` has passed",
            Code::SecurityTxtExpiresLate => "security.txt's `contact.expires` is more than a year away",
            Code::AggregateInvalid => "the aggregate file (the list of repositories) is wrong",
            Code::AggregatePrefixClash => "two repositories of an aggregate use one id prefix",
            Code::NotSealed => "a report of a sealed repository holds private content in clear text",
            Code::SealUnreadable => "a sealed report's block is damaged, altered or not for your key",
            Code::SealRecipients => "a seal is not addressed to exactly the current recipients",
            Code::SealMismatch => "a sealed report's clear part does not match its sealed plaintext",
        }
    }
}

impl Serialize for Code {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

/// Unit tests compare codes with their spelling; production code compares variants.
#[cfg(test)]
impl PartialEq<&str> for Code {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;
    use std::str::FromStr;

    use strum::IntoEnumIterator;

    use super::*;

    #[test]
    fn codes_are_unique_kebab_case_and_round_trip() {
        let mut seen = HashSet::new();
        for c in Code::iter() {
            let name = c.as_str();
            assert!(seen.insert(name), "duplicate code {name}");
            assert!(name.chars().all(|ch| ch.is_ascii_lowercase() || ch.is_ascii_digit() || ch == '-'), "{name}");
            assert!(!name.starts_with('-') && !name.ends_with('-') && !name.contains("--"), "{name}");
            assert_eq!(Code::from_str(name), Ok(c));
            assert_eq!(c.to_string(), name);
            assert_eq!(serde_json::to_value(c).expect("json"), serde_json::Value::from(name));
            assert!(!c.summary().is_empty());
        }
    }

    #[test]
    fn names_keep_their_spelling() {
        assert_eq!(Code::NotUtf8.as_str(), "not-utf8");
        assert_eq!(Code::MissingDuplicateOf.as_str(), "missing-duplicate-of");
        assert_eq!(Code::YamlTooDeep.as_str(), "yaml-too-deep");
        assert_eq!(Code::EmbargoActive.as_str(), "embargo-active");
        // A problem of a file or one of its parts names the part first, as its family does.
        assert_eq!(Code::FileUnscannable.as_str(), "file-unscannable");
        assert!(Code::from_str("embargo").is_err(), "an unknown code does not parse");
    }
}
