//! `enigm-disclose seal` and `rekey`: seal reports to the repository's recipients, one commit;
//! and the recipients `init --sealed` starts with.

use std::process::ExitCode;

use clap::Args;
use enigm_disclose::Error;
use enigm_disclose::format::keys::{Recipient, Sealing, public_keys};
use enigm_disclose::store::keys;
use enigm_disclose::workflow::seal::{SealOutcome, seal_reports};

use super::Context;
use super::output::print;

/// Seal reports that are in clear text, to the recipients in enigm.yaml (one commit).
///
/// A sealed report keeps only its id, state, dates, severity level and product names in
/// clear text; everything else is in one armoured age block. Reports already sealed to the
/// current recipients are left as they are. Opening each report needs your identity
/// (ENIGM_IDENTITY_FILE, ~/.config/enigm/identity.txt or ~/.ssh/id_ed25519).
#[derive(Debug, Args)]
#[command(after_help = "Examples:\n  enigm-disclose seal\n  enigm-disclose seal 2026-7 2026-8")]
pub struct SealArgs {
    /// Reports to seal (ENIGM-2026-0007, 2026-7 or 7) [default: every report].
    #[arg(add = clap_complete::engine::ArgValueCompleter::new(super::complete::report_ids))]
    ids: Vec<String>,
    /// Do not run the repository's pre-commit and commit-msg hooks (as `git commit --no-verify`).
    #[arg(long)]
    no_verify: bool,
}

/// Re-seal every report to the current recipients of enigm.yaml (one commit).
///
/// Run it after adding or removing a recipient. Every report gets a fresh seal; older
/// versions in git history stay readable by the keys they were sealed to (see
/// docs/security.md: rotate, rewrite history, or accept).
#[derive(Debug, Args)]
#[command(after_help = "Example:\n  enigm-disclose rekey")]
pub struct RekeyArgs {
    /// Do not run the repository's pre-commit and commit-msg hooks (as `git commit --no-verify`).
    #[arg(long)]
    no_verify: bool,
}

/// Edit a report's plaintext in $VISUAL/$EDITOR, check it, re-seal it and commit it.
///
/// Like `sops edit`: a sealed report is opened with your identity into a private temporary
/// file in the git directory, your editor runs on it, and on save the text goes through the
/// checks of `validate`; then it is sealed again (only if it changed) and committed alone. A
/// refused edit is kept inside .git (never committed) and nothing is written.
#[derive(Debug, Args)]
#[command(after_help = "Example:\n  EDITOR=nano enigm-disclose edit 2026-7")]
pub struct EditArgs {
    /// The report (ENIGM-2026-0007, 2026-7 or 7).
    #[arg(add = clap_complete::engine::ArgValueCompleter::new(super::complete::report_ids))]
    id: String,
    /// Do not run the repository's pre-commit and commit-msg hooks (as `git commit --no-verify`).
    #[arg(long)]
    no_verify: bool,
}

pub fn run_edit(ctx: &Context, args: EditArgs) -> Result<ExitCode, Error> {
    let (repo, config) = ctx.open()?;
    let _lock = super::locked(&repo)?;
    let today = enigm_disclose::store::clock::today()?;
    let id = crate::cli::report_id(&repo, &args.id)?;
    let identity = repo.identity()?;
    let identity = if args.no_verify { identity.without_hooks() } else { identity };
    repo.check_can_commit()?;
    let path = enigm_disclose::store::scan::report_file(repo.root(), config.layout, &id);
    let before = enigm_disclose::format::report::Document::load(repo.root(), &path)?;
    enigm_disclose::workflow::seal::require_open(&before)?;
    let draft = repo.git_dir().join(format!("enigm-edit-{}-{id}.md", std::process::id()));
    write_private(&draft, &before.text)?;
    let edited = run_editor(&draft)
        .and_then(|()| std::fs::read_to_string(&draft).map_err(Error::io(format!("cannot read {}", draft.display()))));
    let known: std::collections::HashSet<String> =
        enigm_disclose::store::scan::report_ids(repo.root())?.into_iter().collect();
    let checks = enigm_disclose::rules::checks::CheckContext { config: &config, today, known_ids: &known };
    let result =
        edited.and_then(|text| enigm_disclose::workflow::seal::commit_edit(&repo, &checks, &before, text, &identity));
    match result {
        Ok(commit) => {
            let _ = std::fs::remove_file(&draft);
            match commit {
                Some(c) => print(&format!("{id}: edited\nCommitted as {}\n", c.short()))?,
                None => print(&format!("{id}: no change\n"))?,
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => {
            // Nothing edited (the editor failed or saved nothing new): no plaintext copy stays.
            if std::fs::read_to_string(&draft).is_ok_and(|t| t == before.text) {
                let _ = std::fs::remove_file(&draft);
            } else {
                eprintln!("note: your edited text is kept at {} (inside .git, never committed)", draft.display());
            }
            Err(e)
        }
    }
}

/// Writes `text` to a new file only the user can read.
fn write_private(path: &std::path::Path, text: &str) -> Result<(), Error> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let _ = std::fs::remove_file(path);
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .map_err(Error::io(format!("cannot write {}", path.display())))?;
    f.write_all(text.as_bytes()).map_err(Error::io(format!("cannot write {}", path.display())))
}

/// Runs $VISUAL / $EDITOR (else `vi`) on `path`, as `git commit` does.
fn run_editor(path: &std::path::Path) -> Result<(), Error> {
    let editor = ["VISUAL", "EDITOR"]
        .iter()
        .find_map(|v| std::env::var(v).ok().filter(|e| !e.trim().is_empty()))
        .unwrap_or_else(|| "vi".to_owned());
    let status = std::process::Command::new("sh")
        .arg("-c")
        .arg(format!("{editor} \"$@\""))
        .arg(&editor)
        .arg(path)
        .status()
        .map_err(Error::io(format!("cannot start the editor `{editor}`")))?;
    if !status.success() {
        return Err(Error::usage(
            format!("the editor `{editor}` exited with {status}; nothing was written"),
            "set $VISUAL or $EDITOR to a working editor",
        ));
    }
    Ok(())
}

pub fn run_seal(ctx: &Context, args: SealArgs) -> Result<ExitCode, Error> {
    let (repo, config) = ctx.open()?;
    let _lock = super::locked(&repo)?;
    let ids: Vec<String> = args.ids.iter().map(|i| crate::cli::report_id(&repo, i)).collect::<Result<_, _>>()?;
    let identity = repo.identity()?;
    let identity = if args.no_verify { identity.without_hooks() } else { identity };
    repo.check_can_commit()?;
    let outcome = seal_reports(&repo, &config, &ids, false, &identity)?;
    report(&outcome, "sealed")
}

pub fn run_rekey(ctx: &Context, args: RekeyArgs) -> Result<ExitCode, Error> {
    let (repo, config) = ctx.open()?;
    let _lock = super::locked(&repo)?;
    let identity = repo.identity()?;
    let identity = if args.no_verify { identity.without_hooks() } else { identity };
    repo.check_can_commit()?;
    let outcome = seal_reports(&repo, &config, &[], true, &identity)?;
    report(&outcome, "re-sealed")
}

fn report(outcome: &SealOutcome, verb: &str) -> Result<ExitCode, Error> {
    let mut text = String::new();
    for p in &outcome.changed {
        text.push_str(&format!("  {verb} {}\n", p.display()));
    }
    if !outcome.unchanged.is_empty() {
        text.push_str(&format!("  {} already sealed to the current recipients\n", outcome.unchanged.len()));
    }
    match &outcome.commit {
        Some(c) => text.push_str(&format!("Committed as {}\n", c.short())),
        None => text.push_str("Nothing to seal.\n"),
    }
    print(&text)?;
    Ok(ExitCode::SUCCESS)
}

/// The `sealing` section of a new repository: the given recipients; without any, the public
/// key of the user's identity; without an identity, a new one (its path is said in `notes`).
pub fn sealing_for_init(recipients: Vec<String>, clear_titles: bool, notes: &mut String) -> Result<Sealing, Error> {
    let bad = |e: enigm_disclose::format::keys::KeyError| {
        Error::usage(e.to_string(), "give an age public key (age1…) or an SSH public key line to {recipient}")
    };
    for r in &recipients {
        Recipient::parse(r).map_err(bad)?;
    }
    if !recipients.is_empty() {
        return Ok(Sealing { recipients, clear_titles, ..Sealing::default() });
    }
    let found = keys::find_text().map_err(|e| Error::usage(e.to_string(), "fix or unset the identity variable"))?;
    let mine = match found {
        Some((text, origin)) => {
            let public = public_keys(&text);
            if public.is_empty() {
                return Err(Error::usage(
                    format!("no public key can be derived from your identity ({origin})"),
                    "name the recipients with {recipient}",
                ));
            }
            notes.push_str(&format!("Sealing to your identity ({origin}): {}\n", public.join(", ")));
            public
        }
        None => {
            let (path, public) = keys::create_identity().map_err(Error::io("cannot create an identity file"))?;
            notes.push_str(&format!(
                "Created your identity at {} (keep it secret, back it up); its public key {public} is the recipient.\n",
                path.display()
            ));
            vec![public]
        }
    };
    Ok(Sealing { recipients: mine, clear_titles, ..Sealing::default() })
}
