//! Keys of sealed reports: who a seal is addressed to ([`Recipient`]), what opens it
//! ([`Identities`]), and the `sealing` section of `enigm.yaml` ([`Sealing`]).
//!
//! Recipients are age X25519 keys (`age1…`) or SSH public keys (`ssh-ed25519 …`, `ssh-rsa …`),
//! so a team can reuse the keys it already has. Each has a short, public fingerprint written
//! in clear in a sealed report: the `age1…` key itself, or `SHA256:…` for an SSH key (what
//! `ssh-keygen -l` prints). Identities are parsed from text here; where that text comes from
//! (the environment, a file) is the store's business ([`crate::store::keys`]).

use std::collections::BTreeMap;
use std::fmt;

use base64::Engine;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The `sealing` section of `enigm.yaml`: present means the repository is sealed.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Sealing {
    /// Recipients of every report (age or SSH public keys).
    #[serde(default)]
    pub recipients: Vec<String>,
    /// Extra recipients of the reports naming a product, by product name.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub products: BTreeMap<String, Vec<String>>,
    /// Titles stay in clear text (for dashboards); by default they are sealed.
    #[serde(default)]
    pub clear_titles: bool,
}

impl Sealing {
    /// The recipients of a report naming `products`: the team-wide ones, then each product's,
    /// without repeats (compared by fingerprint), in that order.
    pub fn recipients_for<'a>(&self, products: impl IntoIterator<Item = &'a str>) -> Result<Vec<Recipient>, KeyError> {
        let mut texts: Vec<&String> = self.recipients.iter().collect();
        for p in products {
            texts.extend(self.products.get(p).into_iter().flatten());
        }
        let mut out: Vec<Recipient> = Vec::new();
        for t in texts {
            let r = Recipient::parse(t)?;
            if !out.iter().any(|o| o.fingerprint() == r.fingerprint()) {
                out.push(r);
            }
        }
        if out.is_empty() {
            return Err(KeyError::NoRecipients);
        }
        Ok(out)
    }

    /// The commented `sealing` section `init` appends to a new `enigm.yaml`.
    pub fn render(&self) -> String {
        let q = crate::format::yamlout::scalar;
        let mut s = String::from(
            "\n# Sealed reports (docs/format.md, \"Sealed reports\"): every report is sealed with age to these\n\
             # recipients (age1... or SSH public keys); only id, state, dates, severity level and product\n\
             # names stay in clear text. After changing recipients, run `enigm-disclose rekey`.\n\
             sealing:\n  recipients:\n",
        );
        for r in &self.recipients {
            s.push_str(&format!("    - {}\n", q(r)));
        }
        s.push_str("  # Extra recipients per product (teams that may not read each other's reports):\n");
        s.push_str("  # products:\n  #   web: [age1...]\n");
        s.push_str(&format!(
            "  clear_titles: {}   # true: titles stay in clear text (dashboards)\n",
            self.clear_titles
        ));
        s
    }

    /// Every recipient written in the section, with its key path (`sealing.recipients[0]`),
    /// for checking that each one parses.
    pub fn all_texts(&self) -> Vec<(String, &str)> {
        let mut out: Vec<(String, &str)> =
            self.recipients.iter().enumerate().map(|(i, r)| (format!("sealing.recipients[{i}]"), r.as_str())).collect();
        for (name, list) in &self.products {
            out.extend(list.iter().enumerate().map(|(i, r)| (format!("sealing.products.{name}[{i}]"), r.as_str())));
        }
        out
    }
}

/// A key problem: a recipient or identity that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    /// Not an age X25519 recipient or a supported SSH public key.
    #[error("`{0}` is not an age recipient (age1…) or an SSH public key (ssh-ed25519 …, ssh-rsa …)")]
    BadRecipient(String),
    /// No recipient at all: a seal nobody could open.
    #[error("no recipients: `sealing.recipients` is empty")]
    NoRecipients,
    /// The identity text is neither an age identity file nor an unencrypted SSH private key.
    #[error("{origin}: {why}")]
    BadIdentity { origin: String, why: String },
}

/// One recipient of a seal.
#[derive(Clone)]
pub enum Recipient {
    X25519(age::x25519::Recipient),
    Ssh(age::ssh::Recipient),
}

impl fmt::Debug for Recipient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.fingerprint())
    }
}

impl Recipient {
    /// Parses an `age1…` key or an SSH public key line (a trailing comment is allowed).
    pub fn parse(text: &str) -> Result<Recipient, KeyError> {
        let t = text.trim();
        if t.starts_with("age1") {
            return t.parse().map(Recipient::X25519).map_err(|_| KeyError::BadRecipient(short(t)));
        }
        if t.starts_with("ssh-") {
            return t.parse().map(Recipient::Ssh).map_err(|_| KeyError::BadRecipient(short(t)));
        }
        Err(KeyError::BadRecipient(short(t)))
    }

    /// The public fingerprint written in clear in a sealed report.
    pub fn fingerprint(&self) -> String {
        match self {
            Recipient::X25519(r) => r.to_string(),
            Recipient::Ssh(r) => ssh_fingerprint(&r.to_string()),
        }
    }

    /// The recipient as the age library takes it.
    pub fn as_age(&self) -> &dyn age::Recipient {
        match self {
            Recipient::X25519(r) => r,
            Recipient::Ssh(r) => r,
        }
    }
}

/// `SHA256:<unpadded base64>` of an SSH public key's blob, as `ssh-keygen -l` prints it.
fn ssh_fingerprint(line: &str) -> String {
    let blob = line.split_whitespace().nth(1).unwrap_or_default();
    let bytes = base64::engine::general_purpose::STANDARD.decode(blob).unwrap_or_default();
    let digest = Sha256::digest(&bytes);
    format!("SHA256:{}", base64::engine::general_purpose::STANDARD_NO_PAD.encode(digest))
}

fn short(t: &str) -> String {
    let mut s: String = t.chars().take(24).collect();
    if t.chars().count() > 24 {
        s.push('…');
    }
    s
}

/// The identities that open seals: every key of an age identity file, or one SSH private key.
pub struct Identities {
    keys: Vec<Box<dyn age::Identity + Send + Sync>>,
    /// Where they came from, for messages (`ENIGM_IDENTITY_FILE=…`).
    pub origin: String,
}

impl fmt::Debug for Identities {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Identities({} from {})", self.keys.len(), self.origin)
    }
}

impl Identities {
    /// Parses identity text: an age identity file (`AGE-SECRET-KEY-1…` lines, `#` comments)
    /// or an unencrypted OpenSSH / PEM private key (ed25519 or RSA). The text is never quoted
    /// in an error.
    pub fn parse(text: &str, origin: &str) -> Result<Identities, KeyError> {
        let bad = |why: &str| KeyError::BadIdentity { origin: origin.to_owned(), why: why.to_owned() };
        if text.trim_start().starts_with("-----BEGIN") {
            let id = age::ssh::Identity::from_buffer(text.as_bytes(), None)
                .map_err(|_| bad("not a readable SSH private key"))?;
            return match id {
                age::ssh::Identity::Unencrypted(_) => {
                    Ok(Identities { keys: vec![Box::new(id)], origin: origin.to_owned() })
                }
                age::ssh::Identity::Encrypted(_) => Err(bad(
                    "the SSH key is protected by a passphrase, which this tool does not ask for; use an age identity or an unencrypted copy kept safe",
                )),
                age::ssh::Identity::Unsupported(_) => {
                    Err(bad("this SSH key type cannot open age files (use ed25519 or RSA)"))
                }
            };
        }
        let file = age::IdentityFile::from_buffer(text.as_bytes()).map_err(|e| bad(&e.to_string()))?;
        let keys = file.into_identities().map_err(|e| bad(&e.to_string()))?;
        if keys.is_empty() {
            return Err(bad("no identity in it (expected AGE-SECRET-KEY-1… lines)"));
        }
        Ok(Identities { keys, origin: origin.to_owned() })
    }

    /// The identities as the age library takes them.
    pub fn iter(&self) -> impl Iterator<Item = &dyn age::Identity> {
        self.keys.iter().map(|k| k.as_ref() as &dyn age::Identity)
    }
}

/// The public keys of identity text (an age identity file or an SSH private key), as
/// recipients; empty when none can be derived.
pub fn public_keys(text: &str) -> Vec<String> {
    if text.trim_start().starts_with("-----BEGIN") {
        return age::ssh::Identity::from_buffer(text.as_bytes(), None)
            .ok()
            .and_then(|id| age::ssh::Recipient::try_from(id).ok())
            .map(|r| vec![r.to_string()])
            .unwrap_or_default();
    }
    text.lines()
        .filter_map(|l| l.trim().parse::<age::x25519::Identity>().ok())
        .map(|i| i.to_public().to_string())
        .collect()
}

/// A fresh X25519 key pair: the identity file text (with its public key as a comment) and
/// the recipient.
pub fn generate() -> (String, String) {
    use age::secrecy::ExposeSecret;
    let id = age::x25519::Identity::generate();
    let public = id.to_public().to_string();
    (format!("# public key: {public}\n{}\n", id.to_string().expose_secret()), public)
}

#[cfg(test)]
mod tests {
    use super::*;

    const ED25519_PUB: &str =
        "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHsKLqeplhpW+uObz5dvMgjz1OxfM/XXUB+VHtZ6isGN alice@example";

    #[test]
    fn recipients_parse_and_fingerprint() {
        let (_, public) = generate();
        let r = Recipient::parse(&public).expect("age recipient");
        assert_eq!(r.fingerprint(), public);
        let s = Recipient::parse(ED25519_PUB).expect("ssh recipient");
        assert!(s.fingerprint().starts_with("SHA256:"), "{}", s.fingerprint());
        assert_eq!(s.fingerprint().len(), "SHA256:".len() + 43);
        assert!(matches!(Recipient::parse("age1nope"), Err(KeyError::BadRecipient(_))));
        assert!(matches!(Recipient::parse("AGE-SECRET-KEY-1"), Err(KeyError::BadRecipient(_))));
    }

    #[test]
    fn recipients_for_a_report_are_team_then_product_without_repeats() {
        let (_, a) = generate();
        let (_, b) = generate();
        let sealing = Sealing {
            recipients: vec![a.clone()],
            products: BTreeMap::from([("web".to_owned(), vec![b.clone(), a.clone()])]),
            clear_titles: false,
        };
        let fps = |ps: &[&str]| -> Vec<String> {
            sealing.recipients_for(ps.iter().copied()).expect("ok").iter().map(Recipient::fingerprint).collect()
        };
        assert_eq!(fps(&[]), std::slice::from_ref(&a));
        assert_eq!(fps(&["web"]), [a, b]);
        assert_eq!(Sealing::default().recipients_for([]).unwrap_err(), KeyError::NoRecipients);
    }

    #[test]
    fn identities_refuse_what_is_not_a_key_without_quoting_it() {
        let e = Identities::parse("AGE-SECRET-KEY-1NOTAKEY-hunter2\n", "ENIGM_IDENTITY").unwrap_err();
        assert!(!e.to_string().contains("hunter2"), "{e}");
        assert!(Identities::parse("# only a comment\n", "x").is_err());
        assert!(Identities::parse("-----BEGIN OPENSSH PRIVATE KEY-----\nnope\n", "x").is_err());
        let (text, public) = generate();
        assert!(Identities::parse(&text, "x").is_ok());
        assert_eq!(public_keys(&text), [public]);
    }
}
