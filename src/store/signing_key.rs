//! Where the site's OpenPGP signing key comes from (an ambient input, like the clock and the
//! sealed-report identity): the environment in CI, or a file the configuration names, never
//! the repository (a secret key committed there would be published with its history).
//!
//! In order, the first that is set wins:
//! 1. `ENIGM_SIGNING_KEY`: the armoured secret key itself (a CI secret);
//! 2. `ENIGM_SIGNING_KEY_FILE`: the path of an armoured secret key;
//! 3. `render.signing_key_file` in `enigm.yaml` (`~/` is the home directory).
//!
//! The passphrase of a protected key is `ENIGM_SIGNING_PASSPHRASE`. None set: the site is
//! not signed.

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// The environment variable holding the armoured secret key.
pub const KEY_VAR: &str = "ENIGM_SIGNING_KEY";
/// The environment variable naming the key file.
pub const KEY_FILE_VAR: &str = "ENIGM_SIGNING_KEY_FILE";
/// The environment variable holding the key's passphrase.
pub const PASSPHRASE_VAR: &str = "ENIGM_SIGNING_PASSPHRASE";

/// The largest key file read (an armoured OpenPGP key with a few subkeys is a few KiB).
const MAX_KEY: u64 = 1 << 20;

/// The armoured key and where it came from (for messages); `None` when no source is set.
/// A file inside the repository at `root` is refused, as is one that cannot be read.
pub fn find(root: &Path, configured: Option<&str>) -> Result<Option<(String, String)>> {
    if let Some(text) = std::env::var_os(KEY_VAR).filter(|v| !v.is_empty()) {
        return Ok(Some((text.to_string_lossy().into_owned(), KEY_VAR.to_owned())));
    }
    let (path, origin) = match std::env::var_os(KEY_FILE_VAR).filter(|v| !v.is_empty()) {
        Some(p) => (PathBuf::from(&p), format!("{KEY_FILE_VAR}={}", PathBuf::from(&p).display())),
        None => match configured.map(str::trim).filter(|c| !c.is_empty()) {
            Some(c) => (expand_home(c), format!("render.signing_key_file ({c})")),
            None => return Ok(None),
        },
    };
    let path = if path.is_absolute() { path } else { root.join(path) };
    let canon = |p: &Path| std::fs::canonicalize(p).unwrap_or_else(|_| p.to_owned());
    if canon(&path).starts_with(canon(root)) {
        return Err(Error::Signing {
            message: format!(
                "{origin} is inside the repository: a secret key there would be published with its history"
            ),
            help: "keep the key outside the repository (a CI secret in ENIGM_SIGNING_KEY, or a file in your home)"
                .into(),
        });
    }
    let bytes = read(&path).map_err(|why| Error::Signing {
        message: format!("cannot read the signing key {origin}: {why}"),
        help: "name an armoured OpenPGP secret key file (docs/distribution.md)".into(),
    })?;
    Ok(Some((bytes, origin)))
}

/// The passphrase of the signing key, when one is set.
pub fn passphrase() -> Option<String> {
    std::env::var(PASSPHRASE_VAR).ok().filter(|p| !p.is_empty())
}

fn expand_home(path: &str) -> PathBuf {
    match (path.strip_prefix("~/"), std::env::var_os("HOME").filter(|h| !h.is_empty())) {
        (Some(rest), Some(home)) => PathBuf::from(home).join(rest),
        _ => PathBuf::from(path),
    }
}

/// A small regular file's text. Outside the repository, a link is the user's own choice.
fn read(path: &Path) -> std::result::Result<String, String> {
    let meta = std::fs::metadata(path).map_err(|e| e.to_string())?;
    if !meta.is_file() || meta.len() > MAX_KEY {
        return Err("not a regular file of at most 1 MiB".into());
    }
    let bytes = std::fs::read(path).map_err(|e| e.to_string())?;
    String::from_utf8(bytes).map_err(|_| "not UTF-8 text (export the key armoured)".to_owned())
}
