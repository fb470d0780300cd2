//! Where a report's correspondence and attachments live, and what their names may be.
//!
//! A report `reports/<ID>.md` owns the folder beside it, `reports/<ID>/` (in the sharded
//! layout `reports/<YEAR>/<ID>.md` owns `reports/<YEAR>/<ID>/`): message texts under
//! `messages/` (`0001-in.md`, `0002-out.md`, numbered in the order of `correspondence[]`) and
//! files that came with a message under `attachments/`. In a sealed repository each such file
//! is one armoured age block with `.age` appended to its name, sealed to the report's
//! recipients ([`crate::format::sealed::seal_bytes`]); in a plain one it is stored as it is.
//! Names in `correspondence[].text` and `attachments` are relative to the folder, so a
//! renumbered report moves its folder and keeps its entries.
//!
//! Every name that came from outside (an attachment's file name in a mail) goes through
//! [`safe_name`]: one path component, printable, not hidden, bounded, so no file is ever
//! written outside the folder whatever a sender writes.

use std::path::{Component, Path, PathBuf};

use crate::format::report::Direction;

/// Message texts, inside a report's folder.
pub const MESSAGES_DIR: &str = "messages";
/// Files that came with messages, inside a report's folder.
pub const ATTACHMENTS_DIR: &str = "attachments";
/// The extension a sealed repository appends to each stored file.
pub const SEALED_EXT: &str = "age";
/// The longest file name kept, in bytes (the rest is cut at a character boundary).
pub const MAX_NAME: usize = 100;

/// The folder of the report whose file is `report` (relative to the repository root),
/// beside it: `reports/2026/X.md` → `reports/2026/X`.
pub fn folder(report: &Path) -> PathBuf {
    crate::layout::folder_beside(report)
}

/// The name (relative to the folder) of the `n`th message (1-based) of a report.
pub fn message_name(n: usize, direction: Direction, sealed: bool) -> String {
    with_seal(format!("{MESSAGES_DIR}/{n:04}-{direction}.md"), sealed)
}

/// The name (relative to the folder) of an attachment whose sender called it `name`:
/// `attachments/<NNNN>-<safe name>`, numbered by its message so two mails' `log.txt` differ.
pub fn attachment_name(message: usize, name: &str, sealed: bool) -> String {
    let safe = safe_name(name).unwrap_or_else(|| "attachment".to_owned());
    with_seal(format!("{ATTACHMENTS_DIR}/{message:04}-{safe}"), sealed)
}

fn with_seal(name: String, sealed: bool) -> String {
    if sealed { format!("{name}.{SEALED_EXT}") } else { name }
}

/// A file name from outside made safe to store: its last path component (either slash),
/// control characters and the characters Windows forbids replaced by `_`, leading dots and
/// spaces dropped, cut to [`MAX_NAME`] bytes. `None` when nothing usable is left.
pub fn safe_name(name: &str) -> Option<String> {
    let last = name.rsplit(['/', '\\']).next().unwrap_or("");
    let cleaned: String =
        last.chars().map(|c| if c.is_control() || "<>:\"|?*".contains(c) { '_' } else { c }).collect();
    let trimmed = cleaned.trim_start_matches(['.', ' ']).trim_end_matches([' ', '.']);
    let mut cut = trimmed.to_owned();
    while cut.len() > MAX_NAME {
        cut.pop();
    }
    (!cut.is_empty()).then_some(cut)
}

/// The repository path of `name` inside the folder of the report at `report`, or `None`
/// when `name` is not a plain relative path (absolute, `..`, a drive prefix): such a name is
/// never followed.
pub fn resolve(report: &Path, name: &str) -> Option<PathBuf> {
    let rel = Path::new(name);
    let plain = !name.is_empty() && rel.components().all(|c| matches!(c, Component::Normal(_)));
    plain.then(|| folder(report).join(rel))
}

/// Whether a stored name is sealed (ends in `.age`).
pub fn is_sealed_name(name: &str) -> bool {
    name.ends_with(&format!(".{SEALED_EXT}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_from_outside_stay_one_component_inside_the_folder() {
        assert_eq!(safe_name("../../etc/passwd").as_deref(), Some("passwd"));
        assert_eq!(safe_name("..\\..\\boot.ini").as_deref(), Some("boot.ini"));
        assert_eq!(safe_name(".bashrc").as_deref(), Some("bashrc"));
        assert_eq!(safe_name("a\u{0}b\nc:d.txt").as_deref(), Some("a_b_c_d.txt"));
        assert_eq!(safe_name("..").as_deref(), None);
        assert_eq!(safe_name("dir/").as_deref(), None);
        assert_eq!(safe_name("rapport é.pdf").as_deref(), Some("rapport é.pdf"));
        let long = "é".repeat(80);
        assert!(safe_name(&long).is_some_and(|n| n.len() <= MAX_NAME && n.chars().all(|c| c == 'é')));
        assert_eq!(attachment_name(2, "../x.log", false), "attachments/0002-x.log");
        assert_eq!(attachment_name(2, "///", true), "attachments/0002-attachment.age");
    }

    #[test]
    fn stored_names_resolve_only_inside_the_folder() {
        let report = Path::new("reports/ENIGM-2026-0001.md");
        assert_eq!(
            resolve(report, "messages/0001-in.md"),
            Some(PathBuf::from("reports/ENIGM-2026-0001/messages/0001-in.md"))
        );
        assert_eq!(
            resolve(Path::new("reports/2026/ENIGM-2026-0001.md"), "messages/0001-in.md"),
            Some(PathBuf::from("reports/2026/ENIGM-2026-0001/messages/0001-in.md")),
            "beside the report in the sharded layout"
        );
        assert_eq!(resolve(report, "../ENIGM-2026-0002.md"), None);
        assert_eq!(resolve(report, "/etc/passwd"), None);
        assert_eq!(resolve(report, "./a"), None);
        assert_eq!(resolve(report, ""), None);
        assert_eq!(message_name(3, Direction::Out, true), "messages/0003-out.md.age");
    }
}
