//! What `git commit` does around a commit, done for the tool's own commits: refuse in the
//! middle of a merge, rebase, cherry-pick or revert; refuse paths whose clean filter the tool
//! cannot run and normalise line endings where the `text`/`eol` attributes ask for it; run the
//! `pre-commit` and `commit-msg` hooks (unless the caller asked not to verify); sign the commit
//! when `commit.gpgsign` is set, through `gpg` or `ssh-keygen -Y sign` as git does.
//!
//! Everything here runs before the branch moves, so a refusal leaves refs and the index as
//! they were.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use git2::{AttrCheckFlags, AttrValue, Repository, RepositoryState, Tree};

use crate::error::{Error, Result};

/// Two dashes, for the options of git and gpg written in messages and command lines (the
/// tool's own flags are the CLI's to spell).
const DD: &str = "--";

/// Refuses to commit while git has an operation in progress, as `git commit` does during a
/// conflicted merge (and as a commit on top would lose the operation's state).
pub(super) fn check_state(git: &Repository) -> Result<()> {
    let what = match git.state() {
        RepositoryState::Clean => return Ok(()),
        RepositoryState::Merge => "a merge",
        RepositoryState::Revert | RepositoryState::RevertSequence => "a revert",
        RepositoryState::CherryPick | RepositoryState::CherryPickSequence => "a cherry-pick",
        RepositoryState::Bisect => return Ok(()),
        RepositoryState::Rebase | RepositoryState::RebaseInteractive | RepositoryState::RebaseMerge => "a rebase",
        RepositoryState::ApplyMailbox | RepositoryState::ApplyMailboxOrRebase => "`git am`",
    };
    let conflicted = git.index().is_ok_and(|i| i.has_conflicts());
    Err(Error::Git {
        message: format!(
            "{what} is in progress{}; the tool does not commit in the middle of it",
            if conflicted { " with unresolved conflicts" } else { "" }
        ),
        help: Some(format!(
            "finish it first (resolve, `git add`, then `git commit` or `git {0} {DD}continue`), or abandon it (`git {0} {DD}abort`); then run the command again",
            match what {
                "a merge" => "merge",
                "a revert" => "revert",
                "a cherry-pick" => "cherry-pick",
                "a rebase" => "rebase",
                _ => "am",
            }
        )),
    })
}

/// The bytes git would store for `content` at `path`: line endings normalised to LF where
/// the `text` or `eol` attribute (or `core.autocrlf`) asks for it. A clean filter the tool
/// cannot run (any `filter=<name>` whose `filter.<name>.clean`/`.process` is configured, or
/// that is `required`) is refused, so nothing is committed in a form the filter would not
/// have produced (a git-crypt repository would get its secrets in plain text).
pub(super) fn to_blob(git: &Repository, path: &Path, content: &[u8]) -> Result<Vec<u8>> {
    let flags = AttrCheckFlags::FILE_THEN_INDEX;
    let attr = |name: &str| git.get_attr_bytes(path, name, flags).map(AttrValue::from_bytes);
    let config = git.config()?;
    match attr("filter")? {
        AttrValue::String(name) => {
            let configured = ["clean", "process"]
                .iter()
                .any(|k| config.get_string(&format!("filter.{name}.{k}")).is_ok_and(|v| !v.trim().is_empty()));
            let required = config.get_bool(&format!("filter.{name}.required")).unwrap_or(false);
            if configured || required {
                return Err(Error::Git {
                    message: format!(
                        "{} has the attribute filter={name}, and the tool cannot run git's clean filters; nothing was committed",
                        path.display()
                    ),
                    help: Some(format!(
                        "commit through git instead (`git add {0} && git commit`), or remove `filter={name}` for reports/ in .gitattributes if the reports need not be filtered",
                        path.display()
                    )),
                });
            }
        }
        AttrValue::Bytes(_) => {
            return Err(Error::Git {
                message: format!("{} has a filter attribute that is not UTF-8; nothing was committed", path.display()),
                help: Some("fix .gitattributes".into()),
            });
        }
        _ => {}
    }
    let autocrlf = config.get_string("core.autocrlf").map(|v| v.to_ascii_lowercase()).unwrap_or_default();
    let auto_default = matches!(autocrlf.as_str(), "true" | "input" | "yes" | "on" | "1");
    let convert = match attr("text")? {
        AttrValue::True => true,
        AttrValue::False => false,
        AttrValue::String("auto") => !content.contains(&0),
        _ => match attr("eol")? {
            AttrValue::String(_) => true,
            _ => auto_default && !content.contains(&0),
        },
    };
    if !convert || !content.windows(2).any(|w| w == b"\r\n") {
        return Ok(content.to_vec());
    }
    let mut out = Vec::with_capacity(content.len());
    let mut i = 0;
    while i < content.len() {
        if content[i] == b'\r' && content.get(i + 1) == Some(&b'\n') {
            i += 1;
            continue;
        }
        out.push(content[i]);
        i += 1;
    }
    Ok(out)
}

/// Where git looks for hooks: `core.hooksPath` (relative to the work tree root), else the
/// common git directory's `hooks/`.
pub(super) fn hooks_dir(git: &Repository, root: &Path) -> PathBuf {
    git.config()
        .ok()
        .and_then(|c| c.get_path("core.hooksPath").ok())
        .map(|p| if p.is_absolute() { p } else { root.join(p) })
        .unwrap_or_else(|| git.commondir().join("hooks"))
}

fn hook(git: &Repository, root: &Path, name: &str) -> Option<PathBuf> {
    let path = hooks_dir(git, root).join(name);
    is_executable(&path).then_some(path)
}

#[cfg(unix)]
fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

#[cfg(not(unix))]
fn is_executable(path: &Path) -> bool {
    path.is_file()
}

/// Runs the `pre-commit` hook as `git commit` does: in the work tree root, with
/// `GIT_INDEX_FILE` naming an index that holds exactly the tree about to be committed.
pub(super) fn run_pre_commit(git: &Repository, root: &Path, tree: &Tree<'_>) -> Result<()> {
    let Some(hook) = hook(git, root, "pre-commit") else {
        return Ok(());
    };
    let tmp = TempInGitDir::new(git, "index")?;
    let mut index = git2::Index::open(&tmp.path)?;
    index.read_tree(tree)?;
    index
        .write()
        .map_err(|e| Error::Git { message: format!("cannot write the hook's index: {}", e.message()), help: None })?;
    let mut cmd = Command::new(&hook);
    cmd.current_dir(root).env("GIT_INDEX_FILE", &tmp.path).env("GIT_EDITOR", ":");
    run_hook(&mut cmd, "pre-commit", &hook)
}

/// Runs the `commit-msg` hook with the message in a file (`.git/COMMIT_EDITMSG`, as git
/// does) and returns the message as the hook left it.
pub(super) fn run_commit_msg(git: &Repository, root: &Path, message: &str) -> Result<String> {
    let Some(hook) = hook(git, root, "commit-msg") else {
        return Ok(message.to_owned());
    };
    let tmp = TempInGitDir::new(git, "msg")?;
    std::fs::write(&tmp.path, message).map_err(Error::io(format!("cannot write {}", tmp.path.display())))?;
    let mut cmd = Command::new(&hook);
    cmd.arg(&tmp.path).current_dir(root).env("GIT_EDITOR", ":");
    run_hook(&mut cmd, "commit-msg", &hook)?;
    let edited =
        std::fs::read_to_string(&tmp.path).map_err(Error::io(format!("cannot read {}", tmp.path.display())))?;
    if edited.trim().is_empty() {
        return Err(Error::Git {
            message: "the commit-msg hook left an empty commit message; nothing was committed".into(),
            help: Some(format!("see {}", hook.display())),
        });
    }
    Ok(edited)
}

fn run_hook(cmd: &mut Command, name: &str, path: &Path) -> Result<()> {
    cmd.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped());
    let out = cmd.output().map_err(Error::io(format!("cannot run the {name} hook {}", path.display())))?;
    if out.status.success() {
        // The hook's own output goes where git would show it.
        let _ = std::io::stderr().write_all(&out.stdout);
        let _ = std::io::stderr().write_all(&out.stderr);
        return Ok(());
    }
    // Braces around words would read as field names in the message: keep them apart.
    let said =
        format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr)).replace('{', "{ ");
    Err(Error::Usage {
        message: crate::error::FieldText(format!(
            "the {name} hook ({}) refused the commit ({}); nothing was committed{}",
            path.display(),
            out.status,
            if said.trim().is_empty() { String::new() } else { format!(":\n{}", said.trim_end()) }
        )),
        help: Some(crate::error::FieldText(
            "fix what the hook reports, or skip the repository's hooks once with {no_verify}".into(),
        )),
    })
}

/// A temporary file in the git directory, removed when dropped; named
/// `enigm-<what>-<pid>.tmp` so a later run can recognise and remove one a kill left.
struct TempInGitDir {
    path: PathBuf,
}

impl TempInGitDir {
    fn new(git: &Repository, what: &str) -> Result<TempInGitDir> {
        let path = git.path().join(format!("enigm-{what}-{}.tmp", std::process::id()));
        let _ = std::fs::remove_file(&path);
        Ok(TempInGitDir { path })
    }
}

impl Drop for TempInGitDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

/// Removes the temporary files a killed run left in the git directory (`enigm-*-<pid>.tmp`
/// of a process that is gone, and the `.enigm-*.tmp` of an interrupted atomic write).
pub(super) fn remove_stale_temps(git_dir: &Path, alive: impl Fn(u32) -> bool) {
    let Ok(entries) = std::fs::read_dir(git_dir) else { return };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if !entry.file_type().is_ok_and(|t| t.is_file()) || !name.ends_with(".tmp") {
            continue;
        }
        let stale = if name.starts_with(".enigm-") {
            true
        } else if let Some(rest) = name.strip_prefix("enigm-") {
            let pid =
                rest.trim_end_matches(".tmp").trim_end_matches(".sig").rsplit('-').next().and_then(|p| p.parse().ok());
            pid.is_none_or(|p| p != std::process::id() && !alive(p))
        } else {
            false
        };
        if stale {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

/// The signature git would put on a commit with this buffer, if the configuration asks for
/// one (`commit.gpgsign`): `gpg.format` openpgp (`gpg.program`, `gpg.openpgp.program`), x509
/// (`gpg.x509.program`) or ssh (`gpg.ssh.program`), with `user.signingkey` (for openpgp the
/// committer's identity when unset, as git does).
pub(super) fn sign(git: &Repository, buffer: &[u8], committer: &str) -> Result<Option<String>> {
    let config = git.config()?;
    if !config.get_bool("commit.gpgsign").unwrap_or(false) {
        return Ok(None);
    }
    let format = config.get_string("gpg.format").unwrap_or_else(|_| "openpgp".into());
    let key = config.get_string("user.signingkey").ok().filter(|k| !k.trim().is_empty());
    let failed = |why: String| {
        Error::Git {
        message: format!("commit.gpgsign is set and the commit could not be signed: {why}; nothing was committed"),
        help: Some(
            "check gpg.format, user.signingkey and the signing program (`git commit -S` fails the same way), or unset commit.gpgsign"
                .into(),
        ),
    }
    };
    match format.as_str() {
        "openpgp" | "x509" => {
            let program = config
                .get_string(&format!("gpg.{format}.program"))
                .or_else(|_| {
                    if format == "openpgp" { config.get_string("gpg.program") } else { Err(git2::Error::from_str("")) }
                })
                .unwrap_or_else(|_| if format == "openpgp" { "gpg".into() } else { "gpgsm".into() });
            let key = key.unwrap_or_else(|| committer.to_owned());
            let mut child = Command::new(&program)
                .arg(format!("{DD}status-fd=2"))
                .args(["-bsau", &key])
                .stdin(Stdio::piped())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .map_err(|e| failed(format!("cannot run `{program}`: {e}")))?;
            if let Some(mut stdin) = child.stdin.take() {
                stdin.write_all(buffer).map_err(|e| failed(format!("cannot write to `{program}`: {e}")))?;
            }
            let out = child.wait_with_output().map_err(|e| failed(format!("`{program}` failed: {e}")))?;
            let status = String::from_utf8_lossy(&out.stderr);
            if !out.status.success() || !status.contains("[GNUPG:] SIG_CREATED ") {
                return Err(failed(format!("`{program}` said: {}", status.trim())));
            }
            String::from_utf8(out.stdout)
                .map(Some)
                .map_err(|_| failed(format!("`{program}` printed a non-text signature")))
        }
        "ssh" => {
            let program = config.get_string("gpg.ssh.program").unwrap_or_else(|_| "ssh-keygen".into());
            let key = key.ok_or_else(|| failed("gpg.format is ssh and user.signingkey is not set".into()))?;
            let data = TempInGitDir::new(git, "sign")?;
            std::fs::write(&data.path, buffer).map_err(Error::io(format!("cannot write {}", data.path.display())))?;
            let sig_path = PathBuf::from(format!("{}.sig", data.path.display()));
            let _sig_guard = TempInGitDir { path: sig_path.clone() };
            let literal =
                key.strip_prefix("key::").map(str::to_owned).or_else(|| key.starts_with("ssh-").then(|| key.clone()));
            let key_file = TempInGitDir::new(git, "key")?;
            let mut cmd = Command::new(&program);
            cmd.args(["-Y", "sign", "-n", "git", "-f"]);
            match literal {
                Some(public) => {
                    std::fs::write(&key_file.path, format!("{public}\n"))
                        .map_err(Error::io(format!("cannot write {}", key_file.path.display())))?;
                    cmd.arg(&key_file.path).arg("-U");
                }
                None => {
                    let expanded = match key.strip_prefix("~/") {
                        Some(rest) => std::env::var_os("HOME")
                            .map(|h| PathBuf::from(h).join(rest))
                            .unwrap_or_else(|| key.clone().into()),
                        None => PathBuf::from(&key),
                    };
                    cmd.arg(expanded);
                }
            }
            let out = cmd
                .arg(&data.path)
                .stdin(Stdio::null())
                .output()
                .map_err(|e| failed(format!("cannot run `{program}`: {e}")))?;
            if !out.status.success() {
                return Err(failed(format!("`{program}` said: {}", String::from_utf8_lossy(&out.stderr).trim())));
            }
            std::fs::read_to_string(&sig_path)
                .map(Some)
                .map_err(|e| failed(format!("`{program}` wrote no signature ({e})")))
        }
        other => Err(failed(format!("gpg.format `{other}` is not one git knows (openpgp, x509, ssh)"))),
    }
}
