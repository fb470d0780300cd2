//! Trusted distribution: what a signed site adds to the files it renders, so a consumer can
//! check that a document comes from the organisation unaltered (CSAF 2.0 requirements
//! 7.1.18-7.1.20, RFC 9116 section 2.3).
//!
//! For every distributed file ([`is_signed`]: the CSAF documents and listings, the ROLIE feed,
//! OSV and CVE records, and the site manifest) the site gets `FILE.sha256`, `FILE.sha512`
//! (`sha256sum`'s format, so `sha256sum -c` checks them) and `FILE.asc`, a detached
//! signature; `.well-known/security.txt` is replaced by its cleartext-signed form; the
//! public key is published under `csaf/openpgp/`.
//!
//! Signatures are stable: a file whose previous signature still verifies with the key over
//! the same bytes keeps that signature, byte for byte, so an unchanged site re-renders to
//! the same bytes and mirrors do not churn; only what changed is signed again. With only the
//! public key ([`Trust::Published`], how `verify-site` re-renders a site) everything but the
//! signatures is produced, for a byte-for-byte comparison.

use std::collections::BTreeMap;

use rayon::prelude::*;
use sha2::{Digest, Sha256, Sha512};

use super::csaf::provider;
use super::signing::{PublicKey, Signer};
use crate::error::Result;
use crate::layout::SITE_MANIFEST;

/// Where `security.txt` lives in the site (RFC 9116 section 3).
pub const SECURITY_TXT: &str = ".well-known/security.txt";

/// The extensions of the files that go with a signed file, in the order of the ROLIE links.
pub const COMPANIONS: [&str; 3] = ["sha256", "sha512", "asc"];

/// The key a trusted site is distributed with.
#[derive(Debug, Clone)]
pub enum Trust {
    /// The secret key: the site is signed.
    Signer(Box<Signer>),
    /// Only the published public key: everything but new signatures is produced.
    Published(Box<PublicKey>),
}

impl Trust {
    pub fn public(&self) -> &PublicKey {
        match self {
            Trust::Signer(s) => s.public(),
            Trust::Published(p) => p,
        }
    }

    fn signer(&self) -> Option<&Signer> {
        match self {
            Trust::Signer(s) => Some(s),
            Trust::Published(_) => None,
        }
    }
}

/// The public key's path inside the site.
pub fn key_path(public: &PublicKey) -> String {
    format!("{}/{}", provider::DIR, provider::key_file(&public.fingerprint()))
}

/// True for a site file that gets hashes and a detached signature.
pub fn is_signed(path: &str) -> bool {
    if path == SITE_MANIFEST {
        return true;
    }
    let dir = path.split('/').next().unwrap_or_default();
    let kind = [".json", ".txt", ".csv"].iter().any(|e| path.ends_with(e));
    let key = path.starts_with(&format!("{}/openpgp/", provider::DIR));
    matches!(dir, "csaf" | "osv" | "cve" | super::openvex::DIR) && kind && !key
}

/// `<hex>  <file name>\n`, as `sha256sum` and `sha512sum` write it.
pub fn hash_line(ext: &str, data: &[u8], path: &str) -> String {
    let digest: Vec<u8> = if ext == "sha512" { Sha512::digest(data).to_vec() } else { Sha256::digest(data).to_vec() };
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    let name = path.rsplit('/').next().unwrap_or(path);
    format!("{hex}  {name}\n")
}

/// A file of the site: path inside it, content.
pub type SiteFile = (String, Vec<u8>);

/// The previous content of a site file, if it has one (the caller reads the site directory).
pub type Previous<'a> = dyn Fn(&str) -> Option<Vec<u8>> + Sync + 'a;

/// The hash and signature files of one file: `(path, content)`; without a previous signature
/// that verifies and without a secret key, no `.asc`.
pub fn companions(trust: &Trust, path: &str, data: &[u8], previous: &Previous<'_>) -> Result<Vec<SiteFile>> {
    let mut out: Vec<SiteFile> = ["sha256", "sha512"]
        .iter()
        .map(|ext| (format!("{path}.{ext}"), hash_line(ext, data, path).into_bytes()))
        .collect();
    let asc = format!("{path}.asc");
    let kept = previous(&asc)
        .filter(|old| std::str::from_utf8(old).is_ok_and(|old| trust.public().verify_detached(data, old).is_ok()));
    let signature = match (kept, trust.signer()) {
        (Some(old), _) => Some(old),
        (None, Some(signer)) => Some(signer.sign_detached(data)?.into_bytes()),
        (None, None) => None,
    };
    out.extend(signature.map(|s| (asc, s)));
    Ok(out)
}

/// Adds to the rendered `files` their hashes and signatures, the public key, and the signed
/// `security.txt`. `previous` reads what the site directory holds now.
pub fn add(files: &mut BTreeMap<String, Vec<u8>>, trust: &Trust, previous: &Previous<'_>) -> Result<()> {
    let mut added = Vec::new();
    if let Some(text) = files.get(SECURITY_TXT).map(|t| String::from_utf8_lossy(t).into_owned())
        && let Some(signed) = signed_security_txt(trust, &text, previous)?
    {
        added.push((SECURITY_TXT.to_owned(), signed.into_bytes()));
    }
    let public = trust.public();
    added.push((key_path(public), public.armored().as_bytes().to_vec()));
    sign(files, trust, previous)?;
    files.extend(added);
    Ok(())
}

/// Adds to `files` the hashes and signatures of those that are distributed ([`is_signed`]):
/// what [`add`] does for one part of a site that is written part by part.
pub fn sign(files: &mut BTreeMap<String, Vec<u8>>, trust: &Trust, previous: &Previous<'_>) -> Result<()> {
    let signed: Vec<(&String, &Vec<u8>)> = files.iter().filter(|(p, _)| is_signed(p)).collect();
    let extra: Vec<Result<Vec<SiteFile>>> =
        signed.par_iter().map(|(path, data)| companions(trust, path, data, previous)).collect();
    let mut added = Vec::new();
    for e in extra {
        added.extend(e?);
    }
    files.extend(added);
    Ok(())
}

/// `security.txt` cleartext-signed: the previous one when it signs the same text with the key,
/// else a new signature; `None` (left unsigned) without a secret key.
fn signed_security_txt(trust: &Trust, text: &str, previous: &Previous<'_>) -> Result<Option<String>> {
    let old = previous(SECURITY_TXT).and_then(|b| String::from_utf8(b).ok());
    if let Some(old) = old.filter(|o| same_text(trust.public().verify_cleartext(o).ok().as_deref(), text)) {
        return Ok(Some(old));
    }
    trust.signer().map(|s| s.sign_cleartext(text)).transpose()
}

/// Whether a cleartext message's signed text is `text` (line ends aside: the signed text is
/// normalised to CRLF).
pub fn same_text(signed: Option<&str>, text: &str) -> bool {
    let norm = |t: &str| t.replace("\r\n", "\n").trim_end_matches('\n').to_owned();
    signed.is_some_and(|s| norm(s) == norm(text))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documents_listings_and_records_are_signed_pages_and_the_key_are_not() {
        for p in [
            "csaf/2026/enigm-2026-0001.json",
            "csaf/index.txt",
            "csaf/changes.csv",
            "csaf/provider-metadata.json",
            "csaf/feed-tlp-white.json",
            "osv/ENIGM-2026-0001.json",
            "osv/all.json",
            "cve/CVE-2026-1.json",
            "cve/index.txt",
            "csaf/2026/enigm-2026-0001-vex.json",
            "vex/ENIGM-2026-0001.openvex.json",
            ".enigm-site",
        ] {
            assert!(is_signed(p), "{p}");
        }
        for p in [
            "index.html",
            "feed.xml",
            "advisories/ENIGM-2026-0001.md",
            "csaf/openpgp/ABCD.asc",
            "csaf/2026/x.json.asc",
            "csaf/2026/x.json.sha256",
            "vex/ENIGM-2026-0001.openvex.json.asc",
            ".well-known/security.txt",
        ] {
            assert!(!is_signed(p), "{p}");
        }
    }

    #[test]
    fn hash_lines_are_sha256sum_lines() {
        assert_eq!(
            hash_line("sha256", b"", "csaf/2026/a.json"),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855  a.json\n"
        );
        assert!(hash_line("sha512", b"", "a.json").starts_with("cf83e1357eefb8bdf1542850d66d8007"));
    }

    fn site() -> BTreeMap<String, Vec<u8>> {
        [("csaf/index.txt", "2026/a.json\n"), ("index.html", "<html>"), (SECURITY_TXT, "Contact: x\n")]
            .into_iter()
            .map(|(p, c)| (p.to_owned(), c.as_bytes().to_vec()))
            .collect()
    }

    #[test]
    fn a_signed_site_gets_companions_the_key_and_a_signed_security_txt_and_keeps_them() {
        let trust = Trust::Signer(Box::new(crate::publish::signing::tests::signer()));
        let mut files = site();
        add(&mut files, &trust, &|_| None).expect("signed");
        let names: Vec<&str> = files.keys().map(String::as_str).collect();
        let key = "csaf/openpgp/CD04100D6D27B7D0F2C4868403B7541517F4B02B.asc";
        let expected = [SECURITY_TXT, "csaf/index.txt", "csaf/index.txt.asc", "csaf/index.txt.sha256"];
        for n in expected.iter().chain(&["csaf/index.txt.sha512", key, "index.html"]) {
            assert!(names.contains(n), "{n}: {names:?}");
        }
        assert!(!names.contains(&"index.html.asc"));
        let txt = String::from_utf8(files[SECURITY_TXT].clone()).expect("utf8");
        assert!(same_text(trust.public().verify_cleartext(&txt).ok().as_deref(), "Contact: x\n"), "{txt}");

        // Again over the same bytes: every signature is the previous one.
        let old = files.clone();
        let mut again = site();
        add(&mut again, &trust, &|p| old.get(p).cloned()).expect("signed");
        assert_eq!(again, old, "nothing re-signed");
        // A changed file is signed anew; one whose old signature does not verify too.
        let mut changed = site();
        changed.insert("csaf/index.txt".into(), b"2026/b.json\n".to_vec());
        add(&mut changed, &trust, &|p| old.get(p).cloned()).expect("signed");
        assert_ne!(changed["csaf/index.txt.asc"], old["csaf/index.txt.asc"]);
        assert_eq!(changed[SECURITY_TXT], old[SECURITY_TXT]);
    }

    #[test]
    fn with_only_the_public_key_everything_but_new_signatures_is_made() {
        let public = crate::publish::signing::tests::signer().public().clone();
        let mut files = site();
        add(&mut files, &Trust::Published(Box::new(public)), &|_| None).expect("made");
        assert!(files.contains_key("csaf/index.txt.sha256") && !files.contains_key("csaf/index.txt.asc"));
        assert_eq!(files[SECURITY_TXT], b"Contact: x\n", "left unsigned");
    }
}
