//! Validation: every finding of every report file, in one pass.
//!
//! Each file is loaded and parsed into a [`Document`], turned into a typed report and put
//! through the checks; nothing stops at the first problem of a file or of the run. Results
//! are ordered by path, then position, so output is deterministic.

use std::path::{Path, PathBuf};

use crate::config::Config;
use crate::finding::{Finding, Severity};
use crate::report::Document;

/// The findings of one file, with its text for showing locations.
#[derive(Debug, Clone)]
pub struct FileResult {
    pub path: PathBuf,
    pub text: Option<String>,
    pub findings: Vec<Finding>,
}

/// The result of a validation run.
#[derive(Debug, Clone, Default)]
pub struct Outcome {
    /// One entry per file checked, sorted by path.
    pub files: Vec<FileResult>,
}

impl Outcome {
    /// Number of findings of a severity.
    pub fn count(&self, severity: Severity) -> usize {
        self.files
            .iter()
            .flat_map(|f| &f.findings)
            .filter(|f| f.severity == severity)
            .count()
    }

    /// Files with at least one finding.
    pub fn files_with_findings(&self) -> usize {
        self.files.iter().filter(|f| !f.findings.is_empty()).count()
    }
}

/// Validates the report files at `paths` (relative to `root`).
pub fn validate_paths(root: &Path, config: &Config, paths: &[PathBuf]) -> Outcome {
    let mut files: Vec<FileResult> = paths
        .iter()
        .map(|p| validate_file(root, config, p))
        .collect();
    files.sort_by(|a, b| a.path.cmp(&b.path));
    for f in &mut files {
        f.findings
            .sort_by_key(|x| (x.span.as_ref().map_or(0, |s| s.start), x.code));
    }
    Outcome { files }
}

fn validate_file(root: &Path, config: &Config, rel: &Path) -> FileResult {
    let doc = match Document::load(root, rel) {
        Ok(d) => d,
        Err(r) => {
            return FileResult {
                path: rel.to_owned(),
                text: r.text,
                findings: vec![r.finding],
            };
        }
    };
    let findings = match doc.report() {
        Err(r) => vec![r.finding],
        Ok(report) => {
            let mut out = Vec::new();
            let expected = rel.file_stem().and_then(|s| s.to_str()).unwrap_or_default();
            if report.id != expected {
                out.push(
                    Finding::error(
                        "id-mismatch",
                        rel,
                        Some(doc.span_for("id", false)),
                        format!(
                            "id `{}` does not match the file name `{expected}.md`",
                            report.id
                        ),
                    )
                    .with_help(
                        "the file of report <ID> is reports/<ID>.md; rename the file or fix the id",
                    ),
                );
            }
            let _ = config;
            out
        }
    };
    FileResult {
        path: rel.to_owned(),
        text: Some(doc.text),
        findings,
    }
}
