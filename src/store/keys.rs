//! Where the user's identity comes from, for opening sealed reports (an ambient input, like
//! the clock): as age and sops look for theirs.
//!
//! In order, the first that is set or exists wins:
//! 1. `ENIGM_IDENTITY`: the identity itself (age identity lines or an SSH private key);
//! 2. `ENIGM_IDENTITY_FILE`: the path of an age identity file or an SSH private key;
//! 3. `$XDG_CONFIG_HOME/enigm/identity.txt` (else `~/.config/enigm/identity.txt`);
//! 4. `~/.ssh/id_ed25519`, then `~/.ssh/id_rsa`.
//!
//! An identity named by the environment that cannot be used is an error; a default file
//! that cannot be used (a passphrase-protected SSH key) is skipped.

use std::path::{Path, PathBuf};

use crate::format::keys::{Identities, KeyError};

/// The environment variable holding the identity itself.
pub const IDENTITY_VAR: &str = "ENIGM_IDENTITY";
/// The environment variable naming the identity file.
pub const IDENTITY_FILE_VAR: &str = "ENIGM_IDENTITY_FILE";

/// The user's identities, from the first source that has one; `Ok(None)` without any.
pub fn find() -> Result<Option<Identities>, KeyError> {
    match find_text()? {
        Some((text, origin)) => Identities::parse(&text, &origin).map(Some),
        None => Ok(None),
    }
}

/// The text of the user's identity and where it came from (for messages), from the first
/// source that has one.
pub fn find_text() -> Result<Option<(String, String)>, KeyError> {
    if let Some(text) = std::env::var_os(IDENTITY_VAR).filter(|v| !v.is_empty()) {
        return Ok(Some((text.to_string_lossy().into_owned(), IDENTITY_VAR.to_owned())));
    }
    if let Some(path) = std::env::var_os(IDENTITY_FILE_VAR).filter(|v| !v.is_empty()) {
        let path = PathBuf::from(path);
        let origin = format!("{IDENTITY_FILE_VAR}={}", path.display());
        let text = read(&path).map_err(|why| KeyError::BadIdentity { origin: origin.clone(), why })?;
        return Ok(Some((text, origin)));
    }
    let ssh = home().unwrap_or_default().join(".ssh");
    for path in default_paths() {
        let Ok(text) = read(&path) else { continue };
        let origin = path.display().to_string();
        // A default SSH key that cannot open age files (passphrase, key type) is skipped.
        if path.starts_with(&ssh) && Identities::parse(&text, &origin).is_err() {
            continue;
        }
        return Ok(Some((text, origin)));
    }
    Ok(None)
}

/// Writes a new age identity to the default identity file (never over an existing file,
/// readable only by the user) and returns its path and public key.
pub fn create_identity() -> std::io::Result<(PathBuf, String)> {
    let path = default_paths()
        .into_iter()
        .next()
        .ok_or_else(|| std::io::Error::new(std::io::ErrorKind::NotFound, "neither HOME nor XDG_CONFIG_HOME is set"))?;
    write_identity(&path)
}

/// Writes a new age identity to `path` (never over an existing file, mode 0600) and returns
/// its path and public key.
pub fn write_identity(path: &Path) -> std::io::Result<(PathBuf, String)> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let (text, public) = crate::format::keys::generate();
    let mut f = std::fs::OpenOptions::new().write(true).create_new(true).mode(0o600).open(path)?;
    f.write_all(text.as_bytes())?;
    f.sync_all()?;
    Ok((path.to_owned(), public))
}

fn home() -> Option<PathBuf> {
    std::env::var_os("HOME").filter(|h| !h.is_empty()).map(PathBuf::from)
}

/// The files looked at when the environment names none, in order.
pub fn default_paths() -> Vec<PathBuf> {
    let mut out = Vec::new();
    let config = std::env::var_os("XDG_CONFIG_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| home().map(|h| h.join(".config")));
    if let Some(c) = config {
        out.push(c.join("enigm").join("identity.txt"));
    }
    if let Some(h) = home() {
        out.push(h.join(".ssh").join("id_ed25519"));
        out.push(h.join(".ssh").join("id_rsa"));
    }
    out
}

/// A small regular file's text (an identity is never larger than 64 KiB). Outside the
/// repository, a link is the user's own choice and is followed.
fn read(path: &Path) -> Result<String, String> {
    let meta = std::fs::metadata(path).map_err(|e| e.to_string())?;
    if !meta.is_file() || meta.len() > 64 * 1024 {
        return Err("not a regular file of at most 64 KiB".into());
    }
    let bytes = std::fs::read(path).map_err(|e| e.to_string())?;
    String::from_utf8(bytes).map_err(|_| "not UTF-8 text".to_owned())
}
