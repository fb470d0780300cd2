//! The rules of sealed reports, in the one per-file pipeline ([`pipeline::check_document`]).
//!
//! - In a sealed repository every report must be sealed (`not-sealed`), addressed to exactly
//!   the recipients `enigm.yaml` names for it (`seal-recipients`).
//! - Without a key, what the clear part tells is checked: its shape, the ids, dates and the
//!   timeline's states, and that the block is a complete, well-formed age file. The other
//!   checks need the plaintext; [`NEEDS_KEY`] names them.
//! - With a key, the plaintext goes through the whole plain pipeline, and the clear part must
//!   be exactly its projection (`seal-mismatch`: edited by hand, or tampered with).
//!
//! [`pipeline::check_document`]: crate::rules::pipeline::check_document

use std::path::Path;

use crate::format::finding::{Code, Finding};
use crate::format::report::Report;
use crate::format::report::{Document, Seal};
use crate::format::sealed::{self, SealError, SealInfo};
use crate::rules::checks::{self, CheckContext};
use crate::rules::pipeline;

/// The checks that need the plaintext of a sealed report, as `validate` names them.
pub const NEEDS_KEY: &str = "state requirements (severity vector, affected and fixed versions), field formats (CVSS, \
CWE, aliases, references), body sections, secret and Unicode scans of the sealed text, and the match of the clear \
part with the plaintext";

/// Every finding of a report file as stored (in the work tree, the index, a revision): the
/// whole pipeline, and in a sealed repository `not-sealed` for a file in clear text. (The
/// plaintext a command is about to seal is checked with [`pipeline::check_document`].)
pub fn check_stored(doc: &Document, ctx: &CheckContext<'_>) -> Vec<Finding> {
    let mut out = pipeline::check_document(doc, ctx);
    if doc.seal.is_none() && ctx.config.sealing.is_some() {
        out.push(not_sealed(&doc.path));
    }
    out
}

/// The findings of a sealed file (opened or not); `None` for a file in clear text.
pub fn check(doc: &Document, ctx: &CheckContext<'_>) -> Option<Vec<Finding>> {
    match (&doc.seal, &ctx.config.sealing) {
        (None, _) => None,
        (Some(Seal::Opened { stored, info }), _) => Some(opened(doc, stored, info.as_ref(), ctx)),
        (Some(Seal::Closed { why }), _) => Some(closed(doc, why, ctx)),
    }
}

/// The text findings of the report `text` (as stored) point into: its plaintext when it is a
/// sealed report that opens, else the text itself.
pub fn display_text(path: &Path, text: String) -> String {
    if !text.contains(sealed::BEGIN) {
        return text;
    }
    match Document::parse(path, text.clone()) {
        Ok(doc) if matches!(doc.seal, Some(Seal::Opened { .. })) => doc.text,
        _ => text,
    }
}

fn not_sealed(path: &Path) -> Finding {
    Finding::error(Code::NotSealed, path, None, "the repository is sealed, but this report is in clear text")
        .with_help("seal it with `enigm-disclose seal` (one commit; docs/format.md, \"Sealed reports\")")
}

/// The plaintext's own findings, then the match of the stored clear part with it.
fn opened(doc: &Document, stored: &str, info: Option<&SealInfo>, ctx: &CheckContext<'_>) -> Vec<Finding> {
    let mut out = pipeline::check_plain(doc, ctx);
    let Ok(report) = doc.report() else { return out };
    let Some(info) = info else {
        out.push(mismatch(&doc.path, "its `sealed` mapping is not `format` and `recipients`"));
        return out;
    };
    out.extend(recipients(&doc.path, info, &report, ctx));
    let clear_titles = ctx.config.sealing.as_ref().is_some_and(|s| s.clear_titles);
    let public = &ctx.config.render.public_sections;
    let projected = sealed::Projection::of(doc, &report, clear_titles, public, &info.recipients);
    if sealed::clear_part(stored) != projected.text() {
        out.push(mismatch(&doc.path, "its clear part differs from what the sealed plaintext says"));
    }
    out
}

fn mismatch(path: &Path, what: &str) -> Finding {
    Finding::error(Code::SealMismatch, path, None, format!("the sealed report does not hold together: {what}"))
        .with_help("the clear part is written by the tool; undo the hand edit, or re-seal with `enigm-disclose rekey`")
}

/// What the clear part and the block tell without opening it.
fn closed(doc: &Document, why: &SealError, ctx: &CheckContext<'_>) -> Vec<Finding> {
    let mut out = Vec::new();
    // Not holding a key for this report (per-product recipients) is no problem of the file.
    let without_key = matches!(why, SealError::NoKey | SealError::WrongKey { .. });
    if !without_key {
        let help = match why {
            SealError::Key(_) => "fix ENIGM_IDENTITY / ENIGM_IDENTITY_FILE, or unset them to validate without a key",
            _ => "a damaged block cannot be repaired: restore the file from history (`git log -p`)",
        };
        out.push(
            Finding::error(Code::SealUnreadable, &doc.path, None, format!("the sealed block cannot be opened: {why}"))
                .with_help(help),
        );
    }
    match doc.sealed_block().map(sealed::check_block) {
        None => out.push(
            Finding::error(Code::SealUnreadable, &doc.path, None, "the sealed report has no armoured age block")
                .with_help("restore the file from history (`git log -p`)"),
        ),
        Some(Err(e)) if without_key => out.push(
            Finding::error(Code::SealUnreadable, &doc.path, None, format!("the sealed block is not well formed: {e}"))
                .with_help("restore the file from history (`git log -p`)"),
        ),
        _ => {}
    }
    match (doc.report(), sealed::seal_info(&doc.yaml)) {
        (Ok(report), Some(info)) => {
            out.extend(checks::check_clear(doc, &report, ctx));
            out.extend(recipients(&doc.path, &info, &report, ctx));
        }
        (Err(rejected), _) => out.push(rejected.finding),
        (_, None) => out.push(
            Finding::error(
                Code::InvalidField,
                &doc.path,
                Some(doc.span_for("sealed", false)),
                "`sealed` must hold `format` and `recipients`",
            )
            .with_help("the clear part is written by the tool; restore it from history"),
        ),
    }
    // Text in clear (a clear title, public sections) is scanned as any other text.
    let hashes: Vec<String> = ctx.config.allowed_secrets.iter().map(|a| a.sha256.clone()).collect();
    let allowed = checks::secrets::Allowed { sha256: &hashes };
    out.extend(pipeline::text_findings(
        &doc.path,
        &doc.text[..doc.body.end],
        doc.front_matter.clone(),
        &doc.yaml.tree,
        allowed,
    ));
    out
}

/// The seal is addressed to exactly the recipients `enigm.yaml` names for the report.
fn recipients(path: &Path, info: &SealInfo, report: &Report, ctx: &CheckContext<'_>) -> Option<Finding> {
    let help = "re-seal to the current recipients with `enigm-disclose rekey` (one commit)";
    let Some(sealing) = &ctx.config.sealing else {
        return Some(
            Finding::error(Code::SealRecipients, path, None, "the report is sealed, but enigm.yaml has no `sealing`")
                .with_help("add the `sealing` section back to enigm.yaml"),
        );
    };
    let wanted = sealing.recipients_for(report.products.iter().map(|p| p.name.as_str())).ok()?;
    let wanted: Vec<String> = wanted.iter().map(|r| r.fingerprint()).collect();
    let mut have = info.recipients.clone();
    let mut want = wanted.clone();
    have.sort();
    want.sort();
    if info.format != sealed::FORMAT {
        return Some(
            Finding::error(
                Code::SealUnreadable,
                path,
                None,
                format!("`sealed.format` is {}; this version reads {}", info.format, sealed::FORMAT),
            )
            .with_help("upgrade enigm-disclose"),
        );
    }
    if have == want {
        return None;
    }
    let missing: Vec<&String> = want.iter().filter(|w| !have.contains(w)).collect();
    let extra: Vec<&String> = have.iter().filter(|h| !want.contains(h)).collect();
    let mut what = Vec::new();
    if !missing.is_empty() {
        what.push(format!("not addressed to {}", list(&missing)));
    }
    if !extra.is_empty() {
        what.push(format!("still addressed to {} (no longer a recipient)", list(&extra)));
    }
    Some(Finding::error(Code::SealRecipients, path, None, format!("the seal is {}", what.join("; "))).with_help(help))
}

fn list(fps: &[&String]) -> String {
    fps.iter().map(|f| format!("`{f}`")).collect::<Vec<_>>().join(", ")
}
