//! OpenPGP signatures of the published files (CSAF 2.0 requirements 7.1.19 and 7.1.20): a
//! detached, ASCII-armoured signature per file, a cleartext signature for `security.txt`
//! (RFC 9116 section 2.3), and their verification against the published public key.
//!
//! The implementation is rpgp (`pgp`), pure Rust: no C library, no gpg agent, so CI signs
//! with a key it holds in a secret. The secret key is unlocked once (a passphrase's key
//! derivation is deliberately slow: paying it per file would cost minutes on a large site).
//! Signing picks the newest signing-capable subkey, or the primary key when it can sign, as
//! gpg does; verification accepts a signature by the primary key or any of its subkeys.

use pgp::composed::{
    ArmorOptions, CleartextSignedMessage, Deserializable, DetachedSignature, SignedPublicKey, SignedSecretKey,
};
use pgp::crypto::hash::HashAlgorithm;
use pgp::packet::Signature;
use pgp::types::{KeyDetails, Password};

use crate::error::{Error, Result};

/// A secret key that can sign, unlocked.
#[derive(Debug, Clone)]
pub struct Signer {
    key: SignedSecretKey,
    /// `None`: the primary key signs; `Some(i)`: secret subkey `i`.
    subkey: Option<usize>,
    public: PublicKey,
}

/// A public key (certificate) that signatures are checked against.
#[derive(Debug, Clone)]
pub struct PublicKey {
    key: SignedPublicKey,
    armored: String,
}

fn signing_error(message: impl Into<String>, help: impl Into<String>) -> Error {
    Error::Signing { message: message.into(), help: help.into() }
}

impl Signer {
    /// The armoured secret key `text` (from `origin`, for messages), unlocked with
    /// `passphrase` when it is protected.
    pub fn from_armored(text: &str, passphrase: Option<&str>, origin: &str) -> Result<Signer> {
        let (mut key, _) = SignedSecretKey::from_string(text).map_err(|e| {
            signing_error(
                format!("{origin} is not an armoured OpenPGP secret key: {e}"),
                "export the secret key armoured (docs/distribution.md, \"Making the key\")",
            )
        })?;
        let subkey = signing_subkey(&key);
        if subkey.is_none() && !primary_can_sign(&key) {
            return Err(signing_error(
                format!("the OpenPGP key in {origin} has no key that can sign"),
                "add a signing subkey, or use a key made for signing (docs/distribution.md, \"Making the key\")",
            ));
        }
        let password = Password::from(passphrase.unwrap_or(""));
        let unlocked = match subkey {
            Some(i) => key.secret_subkeys[i].key.remove_password(&password),
            None => key.primary_key.remove_password(&password),
        };
        unlocked.map_err(|_| {
            let why = if passphrase.is_some() { "the passphrase is wrong" } else { "it is protected by a passphrase" };
            signing_error(
                format!("cannot unlock the OpenPGP key in {origin}: {why}"),
                "set ENIGM_SIGNING_PASSPHRASE to the key's passphrase",
            )
        })?;
        let public_key = key.to_public_key();
        let armored = public_key
            .to_armored_string(ArmorOptions::default())
            .map_err(|e| signing_error(format!("cannot export the public key of {origin}: {e}"), "this is a bug"))?;
        let signer = Signer { key, subkey, public: PublicKey { key: public_key, armored } };
        // A key whose secret part does not match (or an algorithm rpgp cannot sign with)
        // fails here, once, rather than on the first file.
        let probe = signer.sign_detached(b"probe")?;
        signer.public.verify_detached(b"probe", &probe).map_err(|why| {
            signing_error(
                format!("the OpenPGP key in {origin} makes signatures that do not verify: {why}"),
                "this is a bug",
            )
        })?;
        Ok(signer)
    }

    /// The public key of this signer.
    pub fn public(&self) -> &PublicKey {
        &self.public
    }

    /// A detached, ASCII-armoured binary signature of `data`.
    pub fn sign_detached(&self, data: &[u8]) -> Result<String> {
        let (rng, pw, hash) = (rand::thread_rng(), Password::empty(), HashAlgorithm::Sha256);
        let sig = match self.subkey {
            Some(i) => DetachedSignature::sign_binary_data(rng, &self.key.secret_subkeys[i].key, &pw, hash, data),
            None => DetachedSignature::sign_binary_data(rng, &self.key.primary_key, &pw, hash, data),
        };
        sig.and_then(|s| s.to_armored_string(ArmorOptions::default()))
            .map_err(|e| signing_error(format!("cannot sign: {e}"), "check the signing key (docs/distribution.md)"))
    }

    /// `text` with a cleartext signature (`-----BEGIN PGP SIGNED MESSAGE-----`).
    pub fn sign_cleartext(&self, text: &str) -> Result<String> {
        let (rng, pw) = (rand::thread_rng(), Password::empty());
        let msg = match self.subkey {
            Some(i) => CleartextSignedMessage::sign(rng, text, &self.key.secret_subkeys[i].key, &pw),
            None => CleartextSignedMessage::sign(rng, text, &self.key.primary_key, &pw),
        };
        msg.and_then(|m| m.to_armored_string(ArmorOptions::default()))
            .map_err(|e| signing_error(format!("cannot sign: {e}"), "check the signing key (docs/distribution.md)"))
    }
}

/// The subkey that signs: the newest one whose binding says it can.
fn signing_subkey(key: &SignedSecretKey) -> Option<usize> {
    let can_sign = |sigs: &[Signature]| sigs.iter().any(|s| s.key_flags().sign());
    key.secret_subkeys
        .iter()
        .enumerate()
        .filter(|(_, k)| can_sign(&k.signatures))
        .max_by_key(|(_, k)| k.key.created_at())
        .map(|(i, _)| i)
}

fn primary_can_sign(key: &SignedSecretKey) -> bool {
    let d = &key.details;
    d.users.iter().flat_map(|u| &u.signatures).chain(&d.direct_signatures).any(|s| s.key_flags().sign())
}

impl PublicKey {
    /// An armoured public key (`-----BEGIN PGP PUBLIC KEY BLOCK-----`).
    pub fn from_armored(text: &str) -> std::result::Result<PublicKey, String> {
        let (key, _) =
            SignedPublicKey::from_string(text).map_err(|e| format!("not an armoured OpenPGP public key: {e}"))?;
        let armored = key.to_armored_string(ArmorOptions::default()).map_err(|e| e.to_string())?;
        Ok(PublicKey { key, armored })
    }

    /// The primary key's fingerprint, upper-case hex (as provider-metadata.json lists it).
    pub fn fingerprint(&self) -> String {
        hex_upper(self.key.primary_key.fingerprint().as_bytes())
    }

    /// The key as it is published: armoured, with a trailing newline.
    pub fn armored(&self) -> &str {
        &self.armored
    }

    /// Checks the armoured detached signature `asc` of `data`; the error says why not.
    pub fn verify_detached(&self, data: &[u8], asc: &str) -> std::result::Result<(), String> {
        let (sig, _) = DetachedSignature::from_string(asc).map_err(|e| format!("not an OpenPGP signature: {e}"))?;
        self.check(&sig.signature, |key| key.detached(&sig, data))
    }

    /// Checks a cleartext-signed text and returns the text that was signed.
    pub fn verify_cleartext(&self, signed: &str) -> std::result::Result<String, String> {
        let (msg, _) =
            CleartextSignedMessage::from_string(signed).map_err(|e| format!("not a cleartext-signed message: {e}"))?;
        let sig = msg.signatures().first().ok_or("the message has no signature")?;
        self.check(sig, |key| key.cleartext(&msg))?;
        Ok(msg.signed_text())
    }

    /// Ok when `verify` accepts the primary key or one of the subkeys.
    fn check(&self, sig: &Signature, verify: impl Fn(&dyn VerifyWith) -> bool) -> std::result::Result<(), String> {
        let primary = &self.key.primary_key;
        if verify(primary) || self.key.public_subkeys.iter().any(|s| verify(&s.key)) {
            return Ok(());
        }
        let issuer: Vec<String> = sig.issuer_fingerprint().iter().map(|f| hex_upper(f.as_bytes())).collect();
        Err(match issuer.first() {
            Some(f) if !self.knows(f) => format!("signed by another key ({f}), not {}", self.fingerprint()),
            _ => format!("the signature does not match the content (key {})", self.fingerprint()),
        })
    }

    fn knows(&self, fingerprint: &str) -> bool {
        let subkeys = self.key.public_subkeys.iter().map(|s| hex_upper(s.key.fingerprint().as_bytes()));
        std::iter::once(self.fingerprint()).chain(subkeys).any(|f| f == fingerprint)
    }
}

/// What a signature is checked with: the primary key or a subkey.
trait VerifyWith {
    fn detached(&self, sig: &DetachedSignature, data: &[u8]) -> bool;
    fn cleartext(&self, msg: &CleartextSignedMessage) -> bool;
}

impl<K: pgp::types::VerifyingKey> VerifyWith for K {
    fn detached(&self, sig: &DetachedSignature, data: &[u8]) -> bool {
        sig.verify(self, data).is_ok()
    }
    fn cleartext(&self, msg: &CleartextSignedMessage) -> bool {
        msg.verify(self).is_ok()
    }
}

fn hex_upper(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02X}")).collect()
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// Test-only keys (tests/fixtures/keys/README.md): a certify-only primary key with a
    /// signing subkey, protected by `passphrase`; and an unprotected key whose primary signs.
    pub const SUBKEY_PROTECTED: &str = include_str!("../../tests/fixtures/keys/openpgp-subkey-protected-test.asc");
    pub const PRIMARY: &str = include_str!("../../tests/fixtures/keys/openpgp-ed25519-test.asc");

    /// The protected test key, unlocked once (its key derivation takes seconds unoptimised).
    pub fn signer() -> Signer {
        static SIGNER: std::sync::OnceLock<Signer> = std::sync::OnceLock::new();
        SIGNER
            .get_or_init(|| Signer::from_armored(SUBKEY_PROTECTED, Some("passphrase"), "the test key").expect("key"))
            .clone()
    }

    #[test]
    fn a_subkey_or_the_primary_key_signs_and_the_public_key_verifies() {
        let s = signer();
        assert_eq!(s.public().fingerprint(), "CD04100D6D27B7D0F2C4868403B7541517F4B02B");
        assert!(s.subkey.is_some(), "the primary key only certifies");
        let asc = s.sign_detached(b"data\n").expect("sign");
        assert!(asc.starts_with("-----BEGIN PGP SIGNATURE-----"), "{asc}");
        s.public().verify_detached(b"data\n", &asc).expect("verifies");
        let why = s.public().verify_detached(b"data!\n", &asc).expect_err("other data");
        assert!(why.contains("does not match"), "{why}");

        let other = Signer::from_armored(PRIMARY, None, "the other key").expect("unprotected key");
        assert!(other.subkey.is_none());
        let theirs = other.sign_detached(b"data\n").expect("sign");
        let why = s.public().verify_detached(b"data\n", &theirs).expect_err("another key");
        assert!(why.contains("another key (BD18C6A92AD26B42DA16909AF63E03E23A2DC50A)"), "{why}");
    }

    #[test]
    fn cleartext_signatures_carry_their_text() {
        let s = signer();
        let text = "Contact: mailto:security@acme.test\n- a dashed line\nExpires: 2027-01-01T00:00:00.000Z\n";
        let signed = s.sign_cleartext(text).expect("sign");
        assert!(signed.starts_with("-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA256\n\nContact:"), "{signed}");
        let back = s.public().verify_cleartext(&signed).expect("verifies");
        assert_eq!(back.replace("\r\n", "\n").trim_end(), text.trim_end());
        let tampered = signed.replace("security@acme.test", "evil@acme.test");
        assert!(s.public().verify_cleartext(&tampered).is_err());
    }

    #[test]
    fn wrong_or_missing_passphrases_and_public_keys_are_refused_with_the_reason() {
        let e = |r: Result<Signer>| r.expect_err("refused").to_string();
        assert!(e(Signer::from_armored(SUBKEY_PROTECTED, Some("wrong"), "K")).contains("the passphrase is wrong"));
        assert!(e(Signer::from_armored(SUBKEY_PROTECTED, None, "K")).contains("protected by a passphrase"));
        let public = signer().public().armored().to_owned();
        assert!(e(Signer::from_armored(&public, None, "K")).contains("K is not an armoured OpenPGP secret key"));
        assert!(PublicKey::from_armored("not a key").is_err());
        let again = PublicKey::from_armored(&public).expect("public key");
        assert_eq!(again.armored(), public, "exported the same bytes every time");
    }

    /// gpg, an independent implementation, accepts both kinds of signature.
    #[test]
    #[ignore = "needs gpg (apt-get install -y gnupg); .ci/run runs it with --ignored"]
    fn gpg_verifies_detached_and_cleartext_signatures() {
        let dir = tempfile::tempdir().expect("tmp");
        let home = dir.path().join("gnupg");
        std::fs::create_dir(&home).expect("home");
        let s = signer();
        std::fs::write(dir.path().join("key.asc"), s.public().armored()).expect("key");
        std::fs::write(dir.path().join("data"), b"data\n").expect("data");
        std::fs::write(dir.path().join("data.asc"), s.sign_detached(b"data\n").expect("sign")).expect("asc");
        std::fs::write(dir.path().join("security.txt"), s.sign_cleartext("Contact: x\n").expect("sign")).expect("txt");
        let gpg = |args: &[&str]| {
            let out = std::process::Command::new("gpg")
                .env("GNUPGHOME", &home)
                .current_dir(dir.path())
                .args(["--batch", "--no-tty"])
                .args(args)
                .output()
                .expect("gpg is installed");
            assert!(out.status.success(), "gpg {args:?}: {}", String::from_utf8_lossy(&out.stderr));
        };
        gpg(&["--import", "key.asc"]);
        gpg(&["--verify", "data.asc", "data"]);
        gpg(&["--verify", "security.txt"]);
    }
}
