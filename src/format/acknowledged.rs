//! `.enigm/acknowledged.yaml`: history findings a team has looked at and accepted.
//!
//! History is never rewritten, so a change that `verify` refuses (a published report deleted,
//! a timeline entry rewritten), once it is in the history of a shared branch and has been
//! reverted, stays a finding forever. The team acknowledges each such finding here, in a
//! committed file with a reason and a name; `verify` then reports it as acknowledged instead of
//! failing. This module reads the file and checks its shape; matching acknowledgements to
//! findings is [`crate::query::audit`]'s.
//!
//! ```yaml
//! acknowledged:
//!   - commit: 3f2c9a1            # the commit verify names (7 to 40 hex digits)
//!     code: timeline-rewritten   # the finding's code
//!     path: reports/ENIGM-2026-0001.md
//!     reason: Backdated by mistake in a hand edit; reverted in 9be01c2.
//!     by: Jane Lead
//! ```

use std::path::Path;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::format::finding::{Code, Finding};
use crate::format::located::{Kind, LocatedYaml};
use crate::layout::ACKNOWLEDGED_FILE;

/// The acknowledgements file: every problem is `acknowledgement-invalid`.
pub static ACKNOWLEDGED_YAML: Kind = Kind {
    empty_is_absent: false,
    unknown: Code::AcknowledgementInvalid,
    missing: Code::AcknowledgementInvalid,
    invalid: Code::AcknowledgementInvalid,
    expected_as_help: true,
    date_keys: &[],
};

/// The codes of `verify` that can be acknowledged.
pub const ACKNOWLEDGEABLE: &[Code] =
    &[Code::IllegalStep, Code::TimelineRewritten, Code::PublishedDeleted, Code::PublishedRenamed];

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    acknowledged: Vec<Acknowledgement>,
}

/// One acknowledged finding of `verify`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Acknowledgement {
    /// The commit, as a full or abbreviated (at least 7 hex digits) id.
    pub commit: String,
    /// The finding's code, e.g. `timeline-rewritten`.
    pub code: String,
    /// The file, relative to the root (`reports/ENIGM-2026-0001.md`).
    pub path: String,
    /// Why the team accepts it.
    pub reason: String,
    /// Who acknowledged it.
    pub by: String,
}

impl Acknowledgement {
    /// True when this acknowledges the finding of `code` at `path` in `commit` (full id).
    pub fn matches(&self, commit: &str, code: Code, path: &str) -> bool {
        commit.starts_with(&self.commit.to_ascii_lowercase()) && self.code == code.as_str() && self.path == path
    }
}

/// Reads the acknowledgements file's text; every problem is a finding on it.
pub fn parse(text: &str) -> Result<Vec<Acknowledgement>, Vec<Finding>> {
    let path = Path::new(ACKNOWLEDGED_FILE);
    let doc = LocatedYaml::parse(path, text, 0, 0, None, &ACKNOWLEDGED_YAML).map_err(|f| vec![f])?;
    let file: File = doc.deserialize(path).map_err(|mut f| {
        // An id of digits only (`1234567`) or like `1e10000` reads as a YAML number.
        if f.message.contains("].commit`") {
            f.help = Some("quote the commit id: commit: '0123456'".into());
        }
        vec![f]
    })?;
    let mut findings = Vec::new();
    for (i, a) in file.acknowledged.iter().enumerate() {
        let mut bad = |field: &str, message: String, help: &str| {
            let span = doc.span_for(&format!("acknowledged[{i}].{field}"), false);
            findings.push(Finding::error(Code::AcknowledgementInvalid, path, Some(span), message).with_help(help));
        };
        if !(7..=40).contains(&a.commit.len()) || !a.commit.bytes().all(|b| b.is_ascii_hexdigit()) {
            bad(
                "commit",
                format!("`{}` is not a commit id", a.commit),
                "write the commit `verify` names: 7 to 40 hex digits",
            );
        }
        match Code::from_str(&a.code) {
            Ok(c) if ACKNOWLEDGEABLE.contains(&c) => {}
            _ => {
                let codes: Vec<&str> = ACKNOWLEDGEABLE.iter().map(|c| c.as_str()).collect();
                bad(
                    "code",
                    format!("`{}` is not a finding of `verify`", a.code),
                    &format!("one of: {}", codes.join(", ")),
                );
            }
        }
        if a.path.trim().is_empty() {
            bad("path", "the path is empty".into(), "write the file `verify` names, e.g. reports/ENIGM-2026-0001.md");
        }
        if a.reason.trim().is_empty() {
            bad("reason", "the reason is empty".into(), "say why the team accepts this change in history");
        }
        if a.by.trim().is_empty() {
            bad("by", "`by` is empty".into(), "name who acknowledges it");
        }
    }
    if findings.is_empty() { Ok(file.acknowledged) } else { Err(findings) }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = "acknowledged:\n  - commit: 3f2c9a1\n    code: timeline-rewritten\n    path: reports/ENIGM-2026-0001.md\n    reason: reverted\n    by: Jane\n";

    #[test]
    fn reads_a_good_file_and_matches_by_prefix() {
        let acks = parse(GOOD).expect("good");
        assert!(acks[0].matches(
            &format!("3f2c9a1{}", "0".repeat(33)),
            Code::TimelineRewritten,
            "reports/ENIGM-2026-0001.md"
        ));
        assert!(!acks[0].matches("3f2c9a2", Code::TimelineRewritten, "reports/ENIGM-2026-0001.md"));
        assert!(!acks[0].matches("3f2c9a1", Code::IllegalStep, "reports/ENIGM-2026-0001.md"));
    }

    #[test]
    fn refuses_bad_shapes() {
        for bad in [
            GOOD.replace("3f2c9a1", "HEAD"),
            GOOD.replace("timeline-rewritten", "secret"),
            GOOD.replace("reason: reverted", "reason: ''"),
            GOOD.replace("    by: Jane\n", ""),
            GOOD.replace("    by: Jane\n", "    by: Jane\n    extra: 1\n"),
            "acknowledged: nope\n".to_owned(),
            "- a\n".to_owned(),
            "acknowledged: [\n".to_owned(),
        ] {
            let findings = parse(&bad).expect_err(&bad);
            assert!(
                findings.iter().all(|f| f.code == Code::AcknowledgementInvalid || f.code.as_str().starts_with("yaml")),
                "{bad}: {findings:?}"
            );
        }
    }
}
