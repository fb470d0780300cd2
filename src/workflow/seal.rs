//! Sealing in the writing commands: what a sealed repository stores for a report's plaintext
//! ([`stored`]), the commit messages that must not repeat private text ([`withheld`]), and
//! `seal` / `rekey`, which (re-)seal reports to the current recipients in one commit.
//!
//! Every writing command works on the plaintext (edits stay byte-minimal there) and hands it
//! to [`stored`] just before writing: in a sealed repository it comes back as the sealed
//! file; if the plaintext and the recipients are unchanged, the file as it was (no re-seal).

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::format::config::Config;
use crate::format::report::{Document, Seal};
use crate::format::sealed::{self, SealError};
use crate::store::files;
use crate::store::repo::{Change, CommitId, Identity, Repo};

/// What the repository stores for `plaintext` (the report at `path`): the plaintext itself
/// in a plain repository; in a sealed one, the sealed file — `previous` (the report as it was
/// read) is kept as it is when its plaintext and recipients are unchanged.
pub fn stored(config: &Config, path: &Path, plaintext: String, previous: Option<&Document>) -> Result<String> {
    let Some(sealing) = &config.sealing else { return Ok(plaintext) };
    let fail =
        |source: SealError, help: &str| Error::Sealed { path: path.to_owned(), why: source, help: help.to_owned() };
    let doc = Document::parse_plain(path, plaintext)?;
    let report = doc.report()?;
    let recipients = sealing
        .recipients_for(report.products.iter().map(|p| p.name.as_str()))
        .map_err(|e| fail(e.into(), "fix `sealing` in enigm.yaml"))?;
    let fingerprints: Vec<String> = recipients.iter().map(|r| r.fingerprint()).collect();
    let public = &config.render.public_sections;
    let projection = sealed::Projection::of(&doc, &report, sealing.clear_titles, public, &fingerprints);
    if let Some(prev) = previous
        && prev.text == doc.text
        && let Some(Seal::Opened { stored, .. }) = &prev.seal
        && sealed::clear_part(stored) == projection.text()
    {
        return Ok(stored.clone());
    }
    let block =
        sealed::seal(&doc.text, &recipients).map_err(|e| fail(e, "check `sealing.recipients` in enigm.yaml"))?;
    Ok(sealed::compose(&projection, &block))
}

/// Seals, in a sealed repository, every report plaintext `changes` write (a file already
/// sealed is written as it is).
pub fn seal_changes(config: &Config, changes: &mut [Change]) -> Result<()> {
    if config.sealing.is_none() {
        return Ok(());
    }
    for change in changes {
        let Change::Write { path, content } = change else { continue };
        let Ok(text) = String::from_utf8(content.clone()) else { continue };
        let sealed_already = Document::parse_plain(path, text.clone()).is_ok_and(|d| d.value().get("sealed").is_some());
        // Report files only: a report's message and attachment files are sealed on their own.
        let is_report = crate::layout::report_id_of(path).is_some();
        if is_report && !sealed_already {
            *content = stored(config, path, text, None)?.into_bytes();
        }
    }
    Ok(())
}

/// `text` for a commit message of a sealed repository: private text (a title, a note) is
/// replaced by a pointer to the sealed report.
pub fn withheld(config: &Config, text: &str) -> String {
    if config.sealing.is_some() { sealed::WITHHELD.to_owned() } else { text.to_owned() }
}

/// The error for a sealed report that did not open where its plaintext is needed.
pub fn not_opened(path: &Path, why: SealError) -> Error {
    let help = match why {
        SealError::NoKey => {
            "set ENIGM_IDENTITY_FILE to your age identity file or SSH private key (docs/format.md, \"Sealed reports\")"
        }
        SealError::WrongKey { .. } => {
            "ask a recipient to add your public key to `sealing` in enigm.yaml and run `rekey`"
        }
        SealError::Key(_) => {
            "fix ENIGM_IDENTITY / ENIGM_IDENTITY_FILE (an age identity file or an SSH private key), or unset them for the default lookup (docs/format.md, \"Sealed reports\")"
        }
        _ => "restore the file from history (`git checkout`); a damaged seal cannot be opened",
    };
    Error::Sealed { path: path.to_owned(), why, help: help.to_owned() }
}

/// The plaintext of a report read for a change: refused when its seal did not open.
pub fn require_open(doc: &Document) -> Result<()> {
    match &doc.seal {
        Some(Seal::Closed { why }) => Err(not_opened(&doc.path, why.clone())),
        _ => Ok(()),
    }
}

/// What `seal` / `rekey` did.
#[derive(Debug, Clone)]
pub struct SealOutcome {
    /// Reports whose stored file changed.
    pub changed: Vec<PathBuf>,
    /// Reports already sealed to the current recipients, left as they were.
    pub unchanged: Vec<PathBuf>,
    pub commit: Option<CommitId>,
}

/// Seals (or, with `rekey`, re-seals to the current recipients) the reports `ids` (every
/// report when empty), in one commit. Every file is opened and sealed in memory first; any
/// refusal writes nothing.
pub fn seal_reports(
    repo: &Repo,
    config: &Config,
    ids: &[String],
    rekey: bool,
    identity: &Identity,
) -> Result<SealOutcome> {
    if config.sealing.is_none() {
        return Err(Error::usage(
            "this repository is not sealed: enigm.yaml has no `sealing` section",
            "add `sealing:` with `recipients:` to enigm.yaml (docs/format.md, \"Sealed reports\")",
        ));
    }
    let paths = if ids.is_empty() {
        crate::store::scan::report_paths(repo.root())?
    } else {
        ids.iter().map(|id| crate::store::scan::report_file(repo.root(), config.layout, id)).collect()
    };
    let mut changes = Vec::new();
    let mut outcome = SealOutcome { changed: Vec::new(), unchanged: Vec::new(), commit: None };
    for path in paths {
        let doc = Document::load(repo.root(), &path)?;
        require_open(&doc)?;
        // `seal` leaves sealed reports alone unless their recipients changed; `rekey`
        // re-seals every one (a fresh file key), so a removed key opens no new blob.
        let keep = if rekey { None } else { Some(&doc) };
        let new = stored(config, &path, doc.text.clone(), keep)?;
        if new == doc.stored_text() {
            outcome.unchanged.push(path);
        } else {
            outcome.changed.push(path.clone());
            changes.push(Change::Write { path, content: new.into_bytes() });
        }
    }
    if changes.is_empty() {
        return Ok(outcome);
    }
    // The configuration that names the recipients goes into the same commit (a repository
    // becomes sealed, or gains a recipient, in one step the pre-commit hook accepts).
    let config_text = crate::format::config::read_text(repo.root())?;
    changes.push(Change::Write { path: PathBuf::from(crate::layout::CONFIG_FILE), content: config_text.into_bytes() });
    let verb = if rekey { "rekey" } else { "seal" };
    let n = outcome.changed.len();
    let message = format!("{verb}: {n} report{} sealed to the current recipients\n", if n == 1 { "" } else { "s" });
    outcome.commit = Some(write_and_commit(repo, &changes, &message, identity)?);
    Ok(outcome)
}

/// Writes `changes` atomically (making the folders a new file needs, such as a report's
/// `messages/`) and commits them; a failed commit puts the old bytes back and removes the
/// files it created.
pub fn write_and_commit(repo: &Repo, changes: &[Change], message: &str, identity: &Identity) -> Result<CommitId> {
    let mut old = Vec::new();
    for change in changes {
        if let Change::Write { path, .. } = change {
            crate::layout::no_links(repo.root(), path)
                .map_err(Error::io(format!("cannot write {}", path.display())))?;
            old.push((path.clone(), std::fs::read(repo.root().join(path)).ok()));
        }
    }
    for change in changes {
        if let Change::Write { path, .. } = change
            && let Some(dir) = repo.root().join(path).parent()
        {
            std::fs::create_dir_all(dir).map_err(Error::io(format!("cannot create {}", dir.display())))?;
        }
    }
    let pending = repo.begin(changes)?;
    let restore = |old: &[(PathBuf, Option<Vec<u8>>)]| {
        for (path, bytes) in old {
            let full = repo.root().join(path);
            let _ = match bytes {
                Some(b) => files::write_atomic(&full, b),
                None => std::fs::remove_file(&full),
            };
        }
    };
    for change in changes {
        if let Change::Write { path, content } = change
            && let Err(e) = files::write_atomic(&repo.root().join(path), content)
        {
            restore(&old);
            pending.done();
            return Err(Error::io(format!("cannot write {}", path.display()))(e));
        }
    }
    match repo.commit_paths(changes, message, identity) {
        Ok(id) => {
            pending.done();
            Ok(id)
        }
        Err(e) => {
            restore(&old);
            pending.done();
            Err(e)
        }
    }
}

/// What `edit` checks and commits: the report at `path` as it was read (`before`, opened)
/// and the plaintext the user saved. Unchanged text commits nothing (`Ok(None)`); text with
/// errors (the checks of `validate`) or another id is refused and nothing is written;
/// otherwise it is stored (sealed in a sealed repository) and committed alone.
pub fn commit_edit(
    repo: &Repo,
    ctx: &crate::rules::checks::CheckContext<'_>,
    before: &Document,
    edited: String,
    identity: &Identity,
) -> Result<Option<CommitId>> {
    require_open(before)?;
    if edited == before.text {
        return Ok(None);
    }
    let path = before.path.clone();
    let refused = |findings, text, headline: &str| crate::workflow::advance::refused(findings, text, headline);
    let doc = Document::parse_plain(&path, edited)
        .map_err(|r| refused(vec![r.finding], r.text, "the edited report does not parse; nothing was written"))?;
    let mut errors = crate::rules::pipeline::check_document(&doc, ctx);
    errors.retain(|f| f.severity == crate::format::finding::Severity::Error);
    if !errors.is_empty() {
        let n = errors.len();
        let headline =
            format!("the edited report has {n} problem{}; nothing was written", if n == 1 { "" } else { "s" });
        return Err(refused(errors, Some(doc.text.clone()), &headline));
    }
    let id = before.report()?.id;
    if doc.report()?.id != id {
        return Err(Error::usage(
            format!("the edit changes the id to `{}`; it must stay `{id}`", doc.report()?.id),
            "to change an id, use `enigm-disclose renumber`",
        ));
    }
    let content = stored(ctx.config, &path, doc.text, Some(before))?;
    let message = format!("{id}: edited\n\nDisclosure-Id: {id}\n");
    let changes = [Change::Write { path, content: content.into_bytes() }];
    write_and_commit(repo, &changes, &message, identity).map(Some)
}

/// Makes the sealed demo's identity (`.git/enigm-demo-identity.txt`), appends its public key
/// as the recipient to `enigm.yaml`, and makes it this process's identity.
pub fn demo_identity(repo: &Repo) -> Result<PathBuf> {
    let path = repo.git_dir().join("enigm-demo-identity.txt");
    let (path, public) =
        crate::store::keys::write_identity(&path).map_err(Error::io("cannot write the demo identity file"))?;
    let config_path = repo.root().join(crate::layout::CONFIG_FILE);
    let sealing = crate::format::keys::Sealing { recipients: vec![public], ..Default::default() };
    let text = crate::format::config::read_text(repo.root())? + &sealing.render();
    files::write_atomic(&config_path, text.as_bytes()).map_err(Error::io("cannot write enigm.yaml"))?;
    let identity = std::fs::read_to_string(&path).map_err(Error::io("cannot read the demo identity file"))?;
    let ids = crate::format::keys::Identities::parse(&identity, &path.display().to_string())
        .map_err(|e| Error::usage(e.to_string(), "run the demo again in a new directory"))?;
    if !sealed::use_identities(ids) {
        return Err(Error::usage(
            "a sealed report was read before the demo identity was made",
            "run the sealed demo on its own",
        ));
    }
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::format::config::ConfigSeed;
    use crate::format::keys::{Identities, Sealing, generate};
    use crate::format::report::edit::Editor;
    use proptest::prelude::*;

    fn sealed_config() -> (Config, Identities) {
        let (identity, public) = generate();
        let seed = ConfigSeed {
            id_prefix: "ENIGM".into(),
            organization: "Org".into(),
            security_contact: "s@x".into(),
            products: vec!["web".into()],
        };
        let sealing = Sealing { recipients: vec![public], ..Sealing::default() };
        let config = Config::parse(&(seed.render() + &sealing.render())).expect("config");
        (config, Identities::parse(&identity, "test").expect("identity"))
    }

    fn plaintext(body: &str) -> String {
        format!(
            "---\nid: ENIGM-2026-0001\ntitle: T\nstate: received\nreported: 2026-01-05\nreporter:\n  name: R\nproducts:\n  - name: web\ntimeline:\n  - date: 2026-01-05\n    state: received\n---\n{body}"
        )
    }

    fn open(stored: &str, ids: &Identities) -> String {
        let body = &stored[crate::format::report::Parts::split(stored).expect("split").body_offset..];
        sealed::unseal(&body[sealed::block_start(body).expect("block")..], ids).expect("opens")
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 24, failure_persistence: None, ..ProptestConfig::default() })]
        #[test]
        fn edit_then_reseal_keeps_every_unchanged_byte(body in "(\\PC{0,40}(\n|\r\n)){0,8}") {
            let (config, ids) = sealed_config();
            let path = Path::new("reports/ENIGM-2026-0001.md");
            let plain = plaintext(&body);
            let first = stored(&config, path, plain.clone(), None).expect("seals");
            prop_assert!(!first.contains("title: T"));
            prop_assert_eq!(open(&first, &ids), plain.clone());
            let mut before = Document::parse_plain(path, plain.clone()).expect("parses");
            before.seal = Some(Seal::Opened { stored: first.clone(), info: None });
            // Unchanged plaintext: the stored file is kept, not re-sealed.
            prop_assert_eq!(stored(&config, path, plain.clone(), Some(&before)).expect("kept"), first.clone());
            let mut editor = Editor::new(Document::parse_plain(path, plain.clone()).expect("parses"));
            editor.set_field("assignee", "Sam Lee").expect("edit");
            let edited = editor.into_document().text;
            let second = stored(&config, path, edited.clone(), Some(&before)).expect("re-seals");
            let opened = open(&second, &ids);
            prop_assert_eq!(&opened, &edited);
            prop_assert!(opened.ends_with(&format!("---\n{body}")), "the body is byte for byte the same");
            prop_assert_eq!(opened.replacen("assignee: Sam Lee\n", "", 1), plain);
        }
    }
}
