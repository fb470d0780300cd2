//! Where things live in a disclosure repository: every path the tool reads or writes.
//!
//! One place for the names, so that a command, the hook, the site and the tests agree on them
//! and a future layout (sharded `reports/<YEAR>/`) changes one file.

use std::path::PathBuf;

/// Directory of report files, relative to the repository root.
pub const REPORTS_DIR: &str = "reports";

/// The repository's configuration file, at the root.
pub const CONFIG_FILE: &str = "enigm.yaml";

/// Directory of the repository's own templates (each overrides the built-in of the same name).
pub const TEMPLATES_DIR: &str = "templates";

/// The list of files a site render wrote, at the root of the output directory; only files it
/// names are ever replaced or removed by the next render.
pub const SITE_MANIFEST: &str = ".enigm-site";

/// History findings of `verify` the team has acknowledged (committed, with a reason), relative
/// to the repository root; see `format::acknowledged`.
pub const ACKNOWLEDGED_FILE: &str = ".enigm/acknowledged.yaml";

/// The write lock's file name inside the git directory.
pub const LOCK_FILE: &str = "enigm.lock";

/// The file name of a report: `<ID>.md`.
pub fn report_file_name(id: &str) -> String {
    format!("{id}.md")
}

/// The path of a report, relative to the repository root: `reports/<ID>.md`.
pub fn report_path(id: &str) -> PathBuf {
    PathBuf::from(REPORTS_DIR).join(report_file_name(id))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reports_live_under_reports() {
        assert_eq!(report_path("ENIGM-2026-0001"), PathBuf::from("reports/ENIGM-2026-0001.md"));
    }
}
