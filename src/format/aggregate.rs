//! What an aggregate file says: the disclosure repositories `aggregate` reads as one.
//!
//! An organisation runs one disclosure repository per team or product line; `aggregate.yaml`
//! (any name: the command is given the file) lists them so `aggregate` can show them together:
//!
//! ```yaml
//! name: Example Corp                          # the dashboard's and the combined site's title
//! base_url: https://security.example.com/all/ # where the combined site is served
//! aggregator:                                 # the CSAF lister's own metadata (aggregator.json)
//!   namespace: https://example.com
//!   contact_details: security@example.com
//! repositories:
//!   - name: web                               # a directory name: [a-z0-9_-]
//!     path: ../web-advisories                 # a clone, a work tree or a bare repository
//!     ref: main                               # the committed tree read (default HEAD)
//! ```
//!
//! Paths are relative to the file's directory. Each repository's id prefix comes from its own
//! `enigm.yaml`, never from here. It is read with the same located YAML reader as
//! `enigm.yaml`, so every problem points at its line.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::format::finding::{Code, Finding};
use crate::format::located::{Kind, LocatedYaml};
use crate::format::report::Rejected;

/// How the aggregate file's values that do not fit are reported.
static AGGREGATE_YAML: Kind = Kind {
    empty_is_absent: false,
    unknown: Code::AggregateInvalid,
    missing: Code::AggregateInvalid,
    invalid: Code::AggregateInvalid,
    expected_as_help: true,
    date_keys: &[],
};

/// The repositories read together, and what the combined site says about itself.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AggregateFile {
    /// The organisation (the dashboard's title, the combined index's heading).
    #[serde(default = "default_name")]
    pub name: String,
    /// Where the combined site is served (`https://…/`): `aggregator.json`'s canonical URL.
    #[serde(default)]
    pub base_url: Option<String>,
    /// The CSAF lister's metadata; without it no `aggregator.json` is written.
    #[serde(default)]
    pub aggregator: Option<AggregatorInfo>,
    pub repositories: Vec<Member>,
}

/// The lister's own entry in `aggregator.json` (its `aggregator` object, CSAF 2.0 section 7.1.21).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AggregatorInfo {
    /// A URL the organisation controls, its globally unique identifier.
    pub namespace: String,
    /// How to reach whoever runs the list.
    #[serde(default)]
    pub contact_details: Option<String>,
    /// The authority to publish the list.
    #[serde(default)]
    pub issuing_authority: Option<String>,
}

/// One disclosure repository of the set.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Member {
    /// Names the repository in every row and its directory in the combined site.
    pub name: String,
    /// A local git repository (work tree or bare), relative to the aggregate file.
    pub path: PathBuf,
    /// The commit, branch or tag whose committed tree is read.
    #[serde(default = "default_ref", rename = "ref")]
    pub rev: String,
}

fn default_name() -> String {
    "All repositories".to_owned()
}

fn default_ref() -> String {
    "HEAD".to_owned()
}

impl AggregateFile {
    /// Parses the text of the aggregate file at `path` (named in findings): a YAML error, a
    /// key it does not know, a missing `repositories`, a name that is not a directory name or
    /// is given twice, an empty list.
    pub fn parse(path: &Path, text: &str) -> Result<AggregateFile, Box<Rejected>> {
        let reject = |finding: Finding| Box::new(Rejected { finding, text: Some(text.to_owned()) });
        let yaml = LocatedYaml::parse(path, text, 0, 0, None, &AGGREGATE_YAML).map_err(reject)?;
        let file: AggregateFile = yaml.deserialize(path).map_err(reject)?;
        file.check(path, &yaml).map_err(reject)?;
        Ok(file)
    }

    fn check(&self, path: &Path, yaml: &LocatedYaml) -> Result<(), Finding> {
        let bad = |at: &str, message: String, help: &str| {
            Err(Finding::error(Code::AggregateInvalid, path, Some(yaml.span_for(at, false)), message).with_help(help))
        };
        if self.repositories.is_empty() {
            return bad("repositories", "`repositories` is empty".into(), "list at least one repository");
        }
        let mut seen = BTreeMap::new();
        for (i, m) in self.repositories.iter().enumerate() {
            let at = format!("repositories[{i}].name");
            if !valid_name(&m.name) {
                let message = format!("`{}` cannot name a repository: it becomes a directory of the site", m.name);
                return bad(&at, message, "use lower-case letters, digits, `-` and `_` (at most 64)");
            }
            if let Some(first) = seen.insert(m.name.as_str(), i) {
                let message = format!("`{}` names repositories {} and {}", m.name, first + 1, i + 1);
                return bad(&at, message, "give each repository its own name");
            }
        }
        Ok(())
    }
}

/// A repository name: a safe directory name (`[a-z0-9_-]`, not starting with `-`).
fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 64
        && !name.starts_with('-')
        && name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<AggregateFile, Box<Rejected>> {
        AggregateFile::parse(Path::new("aggregate.yaml"), text)
    }

    #[test]
    fn reads_repositories_with_defaults() {
        let f = parse(
            "repositories:\n  - name: web\n    path: ../web\n  - name: api\n    path: /srv/api.git\n    ref: main\n",
        )
        .expect("valid");
        assert_eq!(f.name, "All repositories");
        assert_eq!((f.repositories[0].rev.as_str(), f.repositories[1].rev.as_str()), ("HEAD", "main"));
        assert_eq!(f.repositories[1].path, PathBuf::from("/srv/api.git"));
        assert!(f.aggregator.is_none() && f.base_url.is_none());
    }

    #[test]
    fn problems_point_at_their_line() {
        let text = "repositories:\n  - name: web\n    path: a\n  - name: web\n    path: b\n";
        let e = parse(text).expect_err("duplicate");
        assert_eq!(e.finding.code, Code::AggregateInvalid);
        assert!(e.finding.message.contains("repositories 1 and 2"), "{}", e.finding.message);
        let span = e.finding.span.clone().expect("span");
        assert_eq!(&text[span], "web");
        let bad_name = "repositories:\n  - name: ../x\n    path: a\n";
        let span = parse(bad_name).expect_err("not a directory name").finding.span.clone().expect("span");
        assert_eq!(&bad_name[span], "../x");
        let unknown = parse("repositories: []\nrepos: 1\n").expect_err("unknown key");
        assert_eq!(unknown.finding.code, Code::AggregateInvalid);
        assert!(parse("repositories: []\n").is_err(), "empty");
        assert!(parse("name: x\n").is_err(), "no repositories");
        assert!(parse("repositories:\n  - name: a\n").is_err(), "no path");
    }
}
