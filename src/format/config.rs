//! `enigm.yaml`: the disclosure repository's configuration.
//!
//! It names the organisation, its products, the id prefix, the disclosure policy's deadlines
//! and render settings. It is parsed into the same [`LocatedYaml`] as a report's front matter
//! and typed by the same serde step, so an unknown key or a wrong value is reported with its
//! line. `validate` puts the config schema between the two ([`Config::located`], then
//! [`Config::from_located`]); every other command just loads it ([`Config::load`]).

use std::fs;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::format::finding::{Code, Finding};
use crate::format::located::{Kind, LocatedYaml};
use crate::format::report::Rejected;
use crate::format::yaml::SpanMap;
use crate::layout::CONFIG_FILE;

/// `enigm.yaml`: every value counts, even an empty one; findings use the `config-` codes.
pub static CONFIG_YAML: Kind = Kind {
    empty_is_absent: false,
    unknown: Code::ConfigUnknownKey,
    missing: Code::ConfigInvalid,
    invalid: Code::ConfigInvalid,
    expected_as_help: true,
    date_keys: &[],
};

/// The configuration.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Prefix of report ids: `<PREFIX>-<YEAR>-<NNNN>`.
    #[serde(default = "default_prefix")]
    pub id_prefix: String,
    /// Where new reports are written: `reports/<ID>.md` (flat, the default) or
    /// `reports/<YEAR>/<ID>.md` (sharded). Reading accepts both.
    #[serde(default)]
    pub layout: crate::layout::Layout,
    pub organization: Organization,
    #[serde(default)]
    pub products: Vec<ProductConfig>,
    #[serde(default)]
    pub policy: Policy,
    /// How researchers reach the organisation: the contact page and `security.txt`.
    #[serde(default)]
    pub contact: crate::format::contact::Contact,
    #[serde(default)]
    pub render: RenderConfig,
    /// Values the secret scanner accepts, each by its SHA-256 (never the value itself).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub allowed_secrets: Vec<AllowedSecret>,
    /// Present: the repository is sealed (`docs/format.md`, "Sealed reports").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sealing: Option<crate::format::keys::Sealing>,
    /// How replies to reporters are addressed and sent (`reply`, docs/intake.md "Sending").
    #[serde(default)]
    pub mail: MailConfig,
    /// The SSVC tree of `policy.ssvc_tree` once read ([`Config::read_ssvc_tree`]); the bundled
    /// one when `None`.
    #[serde(skip)]
    pub ssvc_tree: Option<std::sync::Arc<crate::format::ssvc::Tree>>,
}

/// Replies to reporters: the sender, the `Message-Id` domain and the transport. Credentials
/// are never here (the repository is shared): they come from the environment.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct MailConfig {
    /// The `From` of replies (`Security Team <security@example.com>`); default: the
    /// organisation's name and `security_contact`, when that is an e-mail address.
    pub from: Option<String>,
    /// The domain of new `Message-Id`s; default: the domain of `from`.
    pub domain: Option<String>,
    /// How `reply` sends: `smtp` (default) or `sendmail` (`sendmail -t`).
    pub transport: MailTransport,
    pub smtp: SmtpConfig,
}

/// The transport of replies.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum MailTransport {
    #[default]
    Smtp,
    Sendmail,
}

/// The SMTP server replies go through.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct SmtpConfig {
    pub host: Option<String>,
    /// Default: 587 with `starttls`, 465 with `tls`, 25 with `none`.
    pub port: Option<u16>,
    pub tls: TlsMode,
}

impl Default for SmtpConfig {
    fn default() -> Self {
        SmtpConfig { host: None, port: None, tls: TlsMode::Starttls }
    }
}

/// How the SMTP connection is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum TlsMode {
    /// Plain connection upgraded with STARTTLS, which must succeed.
    Starttls,
    /// TLS from the first byte (SMTPS).
    Tls,
    /// No encryption (a relay on localhost).
    None,
}

impl SmtpConfig {
    /// The port: the configured one, or the usual one of the TLS mode.
    pub fn port_or_default(&self) -> u16 {
        self.port.unwrap_or(match self.tls {
            TlsMode::Starttls => 587,
            TlsMode::Tls => 465,
            TlsMode::None => 25,
        })
    }
}

/// One value the secret scanner accepts (an SSRF payload, a documentation key): its SHA-256
/// as lowercase hex and why it is not a secret, so the acceptance is reviewable.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct AllowedSecret {
    pub sha256: String,
    pub reason: String,
}

/// Who runs the disclosure process.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Organization {
    pub name: String,
    /// Where researchers send reports (an email address or URL).
    pub security_contact: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub website: Option<String>,
}

/// A product reports can be filed against.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ProductConfig {
    pub name: String,
    #[serde(default)]
    pub components: Vec<String>,
}

/// Deadlines of the disclosure policy, in days.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct Policy {
    /// From `received` to an acknowledgement: the first outgoing message, or for a report
    /// with no correspondence at all the first state change.
    pub acknowledge_days: u32,
    /// From `received` to `triaged`.
    pub triage_days: u32,
    /// From `received` to `fixed`, per severity level.
    pub fix_days: FixDays,
    /// From `received` to `published` (unless an embargo says otherwise).
    pub publish_days: u32,
    /// Extra days granted past `publish_days` when a fix is imminent.
    pub grace_days: u32,
    /// Count business days (Monday to Friday) instead of calendar days.
    pub business_days: bool,
    /// What the published policy lists as out of scope (`policy.md`).
    pub out_of_scope: Vec<String>,
    /// Days to fix per SSVC outcome (`immediate: 7`); for a report with an SSVC decision
    /// whose outcome is listed here, this wins over `fix_days`.
    #[serde(skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub ssvc_fix_days: std::collections::BTreeMap<String, u32>,
    /// A repository's own SSVC tree file (CERT/CC decision table JSON), relative to the root.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ssvc_tree: Option<String>,
    /// The EU Cyber Resilience Act applies: exploited reports get the Article 14 deadlines.
    pub cra: bool,
    /// Per-product overrides (`policy.products.<name>`): a report of that product counts its
    /// deadlines from the global policy with these values in its place ([`Policy::for_product`]);
    /// a report of several products gets the strictest of their policies (the earliest date of
    /// each deadline, `query::deadline`).
    #[serde(skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub products: std::collections::BTreeMap<String, PolicyOverride>,
}

/// What a product's policy changes (`policy.products.<name>`); everything left out is the
/// global policy's. `fix_days` and `ssvc_fix_days` override per level and per outcome.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct PolicyOverride {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub acknowledge_days: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub triage_days: Option<u32>,
    #[serde(skip_serializing_if = "FixDaysOverride::is_empty")]
    pub fix_days: FixDaysOverride,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub publish_days: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub grace_days: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub business_days: Option<bool>,
    #[serde(skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub ssvc_fix_days: std::collections::BTreeMap<String, u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cra: Option<bool>,
}

/// Days to fix per severity level, for the levels a product's policy changes.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct FixDaysOverride {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub critical: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub high: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub medium: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub low: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub none: Option<u32>,
}

impl FixDaysOverride {
    fn is_empty(&self) -> bool {
        *self == FixDaysOverride::default()
    }

    /// The days of `level` (`critical` … `none`), when the override sets them.
    pub fn get(&self, level: &str) -> Option<u32> {
        match level {
            "critical" => self.critical,
            "high" => self.high,
            "medium" => self.medium,
            "low" => self.low,
            "none" => self.none,
            _ => None,
        }
    }

    fn apply(&self, to: &FixDays) -> FixDays {
        FixDays {
            critical: self.critical.unwrap_or(to.critical),
            high: self.high.unwrap_or(to.high),
            medium: self.medium.unwrap_or(to.medium),
            low: self.low.unwrap_or(to.low),
            none: self.none.unwrap_or(to.none),
        }
    }
}

impl Policy {
    /// The policy of a report of product `name`: the global one with the product's
    /// overrides in place, or `None` when `policy.products` has none for it. It carries no
    /// overrides of its own and no out-of-scope list (the published policy's, not a deadline).
    pub fn for_product(&self, name: &str) -> Option<Policy> {
        let o = self.products.get(name)?;
        let mut ssvc_fix_days = self.ssvc_fix_days.clone();
        ssvc_fix_days.extend(o.ssvc_fix_days.iter().map(|(k, v)| (k.clone(), *v)));
        Some(Policy {
            acknowledge_days: o.acknowledge_days.unwrap_or(self.acknowledge_days),
            triage_days: o.triage_days.unwrap_or(self.triage_days),
            fix_days: o.fix_days.apply(&self.fix_days),
            publish_days: o.publish_days.unwrap_or(self.publish_days),
            grace_days: o.grace_days.unwrap_or(self.grace_days),
            business_days: o.business_days.unwrap_or(self.business_days),
            out_of_scope: Vec::new(),
            ssvc_fix_days,
            ssvc_tree: None,
            cra: o.cra.unwrap_or(self.cra),
            products: std::collections::BTreeMap::new(),
        })
    }

    /// The policies a report of `products` is held to, each with the product whose override
    /// it is (`None`: the global policy): one per named product with an override, and the
    /// global one when a product has none or no product is named. Without any override this
    /// is the global policy alone, borrowed.
    pub fn for_products<'a>(
        &'a self,
        products: impl IntoIterator<Item = &'a str>,
    ) -> Vec<(Option<&'a str>, std::borrow::Cow<'a, Policy>)> {
        let global = || (None, std::borrow::Cow::Borrowed(self));
        if self.products.is_empty() {
            return vec![global()];
        }
        let mut out: Vec<(Option<&'a str>, std::borrow::Cow<'a, Policy>)> = Vec::new();
        let mut any_global = false;
        for name in products {
            match self.for_product(name) {
                Some(p) if !out.iter().any(|(n, _)| *n == Some(name)) => {
                    out.push((Some(name), std::borrow::Cow::Owned(p)))
                }
                Some(_) => {}
                None => any_global = true,
            }
        }
        if any_global || out.is_empty() {
            out.insert(0, global());
        }
        out
    }
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            acknowledge_days: 3,
            triage_days: 10,
            fix_days: FixDays::default(),
            publish_days: 90,
            grace_days: 14,
            business_days: false,
            out_of_scope: OUT_OF_SCOPE.iter().map(|s| (*s).to_owned()).collect(),
            ssvc_fix_days: std::collections::BTreeMap::new(),
            ssvc_tree: None,
            cra: false,
            products: std::collections::BTreeMap::new(),
        }
    }
}

/// The activities the policy rules out unless `policy.out_of_scope` says otherwise.
pub const OUT_OF_SCOPE: &[&str] = &[
    "Denial of service, load or stress testing, and anything else that degrades or disrupts a service",
    "Social engineering, phishing or pretexting of our staff, contractors or customers",
    "Physical attacks on our offices, data centres or equipment",
    "Accessing, changing, deleting or keeping data that is not yours; use test accounts you own",
    "Violating anyone's privacy, including collecting personal data beyond what shows the issue",
    "Going further than needed to demonstrate an issue, such as moving laterally or keeping access",
    "Demanding payment or any other benefit in exchange for details of an issue",
    "Disclosing an issue publicly before we have handled it together as this policy describes",
];

/// Days to fix per severity level.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct FixDays {
    pub critical: u32,
    pub high: u32,
    pub medium: u32,
    pub low: u32,
    pub none: u32,
}

impl Default for FixDays {
    fn default() -> Self {
        FixDays { critical: 30, high: 60, medium: 90, low: 90, none: 90 }
    }
}

/// How advisories are rendered.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct RenderConfig {
    /// Title of the advisory site.
    pub site_title: Option<String>,
    /// Public URL the site is served from (for links in the feed).
    pub base_url: Option<String>,
    /// Body sections that are public once a report is published.
    pub public_sections: Vec<String>,
    /// OSV id prefix registered for this database; without one, OSV ids are `x_<ID>`.
    pub osv_prefix: Option<String>,
    /// The CNA's organization UUID in the CVE program (`render --format cve`).
    pub cve_org_id: Option<String>,
    /// The armoured OpenPGP secret key that signs the site, outside the repository
    /// (`ENIGM_SIGNING_KEY` / `ENIGM_SIGNING_KEY_FILE` take precedence; docs/distribution.md).
    pub signing_key_file: Option<String>,
}

impl Default for RenderConfig {
    fn default() -> Self {
        RenderConfig {
            site_title: None,
            base_url: None,
            public_sections: vec!["Summary".into(), "Impact".into(), "Remediation".into()],
            osv_prefix: None,
            cve_org_id: None,
            signing_key_file: None,
        }
    }
}

fn default_prefix() -> String {
    "ENIGM".into()
}

/// Values `init` writes into a new configuration.
#[derive(Debug, Clone)]
pub struct ConfigSeed {
    pub id_prefix: String,
    pub organization: String,
    pub security_contact: String,
    pub products: Vec<String>,
}

impl Config {
    /// Loads `root/enigm.yaml`. A missing file, bad YAML or a value that does not fit is a
    /// [`Rejected`] located in the file.
    pub fn load(root: &Path) -> Result<Config, Box<Rejected>> {
        let text = read_text(root)?;
        let mut config = Config::parse(&text)?;
        config.read_ssvc_tree(root).map_err(|finding| Box::new(Rejected { finding, text: Some(text) }))?;
        Ok(config)
    }

    /// Reads and parses the tree file `policy.ssvc_tree` names (never through a symbolic
    /// link, never outside the repository) into [`Config::ssvc_tree`].
    pub fn read_ssvc_tree(&mut self, root: &Path) -> Result<(), Finding> {
        let Some(rel) = self.policy.ssvc_tree.clone() else { return Ok(()) };
        let bad = |why: String| {
            Finding::error(Code::ConfigInvalid, Path::new(CONFIG_FILE), None, format!("`policy.ssvc_tree`: {why}"))
                .with_help("name a CERT/CC decision table JSON file (one table, or a list whose last one decides) inside the repository")
        };
        let rel_path = Path::new(&rel);
        if rel_path.is_absolute() || rel_path.components().any(|c| matches!(c, std::path::Component::ParentDir)) {
            return Err(bad(format!("`{rel}` is outside the repository")));
        }
        crate::layout::no_links(root, rel_path).map_err(|e| bad(format!("`{rel}`: {e}")))?;
        let text = fs::read_to_string(root.join(rel_path)).map_err(|e| bad(format!("cannot read `{rel}`: {e}")))?;
        let tree = crate::format::ssvc::Tree::parse(&text).map_err(|e| bad(format!("`{rel}`: {e}")))?;
        self.ssvc_tree = Some(std::sync::Arc::new(tree));
        Ok(())
    }

    /// The SSVC tree decisions are checked against: the repository's, else the bundled one.
    pub fn ssvc(&self) -> std::sync::Arc<crate::format::ssvc::Tree> {
        self.ssvc_tree.clone().unwrap_or_else(crate::format::ssvc::Tree::bundled)
    }

    /// Parses configuration text.
    pub fn parse(text: &str) -> Result<Config, Box<Rejected>> {
        let reject = |finding: Finding| Box::new(Rejected { finding, text: Some(text.to_owned()) });
        Config::from_located(&Config::located(text).map_err(reject)?).map_err(reject)
    }

    /// The configuration text as a located YAML document (a YAML error is its finding).
    pub fn located(text: &str) -> Result<LocatedYaml, Finding> {
        LocatedYaml::parse(Path::new(CONFIG_FILE), text, 0, 0, None, &CONFIG_YAML)
    }

    /// The typed configuration of a parsed `enigm.yaml`, or the finding of the first value
    /// that does not fit.
    pub fn from_located(yaml: &LocatedYaml) -> Result<Config, Finding> {
        let config: Config = yaml.deserialize(Path::new(CONFIG_FILE))?;
        config.check_prefix(yaml.spans())?;
        config.check_osv_prefix(yaml.spans())?;
        config.check_recipients(yaml.spans())?;
        config.contact.check(yaml.spans())?;
        Ok(config)
    }

    fn check_prefix(&self, spans: &SpanMap) -> Result<(), Finding> {
        if crate::format::id::valid_prefix(&self.id_prefix) {
            return Ok(());
        }
        let span = spans.get("id_prefix").map(|s| s.value.clone());
        Err(Finding::error(
            Code::ConfigInvalid,
            Path::new(CONFIG_FILE),
            span,
            format!("`id_prefix`: `{}` is not a valid id prefix", self.id_prefix),
        )
        .with_help("use 1 to 16 characters: an uppercase letter, then uppercase letters or digits (e.g. `ENIGM`)"))
    }

    /// `render.osv_prefix` must be a home database prefix the OSV schema lists (its `prefix`
    /// pattern): any other gives ids no OSV consumer accepts.
    fn check_osv_prefix(&self, spans: &SpanMap) -> Result<(), Finding> {
        let Some(prefix) = self.render.osv_prefix.as_deref() else { return Ok(()) };
        if OSV_PREFIXES.contains(&prefix) {
            return Ok(());
        }
        let span = spans.get("render.osv_prefix").map(|s| s.value.clone());
        Err(Finding::error(
            Code::ConfigInvalid,
            Path::new(CONFIG_FILE),
            span,
            format!("`render.osv_prefix`: `{prefix}` is not a database prefix the OSV schema lists, so every OSV id would be invalid"),
        )
        .with_help("remove it (ids are then x_<ID>, for a private database), or use the prefix registered for your database with OSV (e.g. `GHSA`, `PYSEC`, `RUSTSEC`)"))
    }

    /// Every sealing recipient must parse, and a sealed repository needs at least one.
    fn check_recipients(&self, spans: &SpanMap) -> Result<(), Finding> {
        let Some(sealing) = &self.sealing else { return Ok(()) };
        let bad = |key: &str, message: String| {
            let span = spans.get(key).or_else(|| spans.get("sealing")).map(|s| s.value.clone());
            Err(Finding::error(Code::ConfigInvalid, Path::new(CONFIG_FILE), span, message).with_help(
                "list age public keys (age1…) or SSH public keys (ssh-ed25519 …, ssh-rsa …) under `sealing.recipients`",
            ))
        };
        if sealing.recipients.is_empty() && sealing.products.values().all(Vec::is_empty) {
            return bad(
                "sealing.recipients",
                "`sealing.recipients`: a sealed repository needs at least one recipient".into(),
            );
        }
        for (key, text) in sealing.all_texts() {
            if let Err(e) = crate::format::keys::Recipient::parse(text) {
                return bad(&key, format!("`{key}`: {e}"));
            }
        }
        Ok(())
    }

    /// The configured product named `name`.
    pub fn product(&self, name: &str) -> Option<&ProductConfig> {
        self.products.iter().find(|p| p.name == name)
    }
}

/// The home database prefixes of the OSV schema (1.7, `$defs.prefix`), without the `-`.
pub const OSV_PREFIXES: &[&str] = &[
    "ASB-A",
    "PUB-A",
    "ALPINE",
    "ALSA",
    "ALBA",
    "ALEA",
    "AZL",
    "BELL",
    "BIT",
    "CGA",
    "CLEANSTART",
    "CLSA",
    "CURL",
    "CVE",
    "DEBIAN",
    "DHI",
    "DRUPAL",
    "DSA",
    "DLA",
    "ELA",
    "DTSA",
    "ECHO",
    "EEF",
    "FreeBSD",
    "GHSA",
    "GO",
    "GSD",
    "HSEC",
    "JLSEC",
    "KUBE",
    "LBSEC",
    "LSN",
    "MAL",
    "MINI",
    "MGASA",
    "OESA",
    "OSEC",
    "OSV",
    "openSUSE-SU",
    "PHSA",
    "PSF",
    "PYSEC",
    "RHBA",
    "RHEA",
    "RHSA",
    "RLSA",
    "RXSA",
    "RSEC",
    "ROOT",
    "RUSTSEC",
    "SUSE-SU",
    "SUSE-RU",
    "SUSE-FU",
    "SUSE-OU",
    "UBUNTU",
    "USN",
    "V8",
];

/// The text of `root/enigm.yaml`. A symbolic link (which could point outside the
/// repository) is never followed; a directory, a file over 1 MiB or non-UTF-8 bytes are
/// refused with a `config-unreadable` finding.
/// `text` (an `enigm.yaml`) with `layout` set, every other byte kept: the value of an
/// existing `layout` key replaced, else the commented `# layout: …` line of a fresh file, else
/// a `layout:` line before the first top-level key. `None` when the text does not parse, or
/// would not say `layout` afterwards (then it is for a person to edit).
pub fn set_layout(text: &str, layout: crate::layout::Layout) -> Option<String> {
    let yaml = Config::located(text).ok()?;
    let value = layout.as_str();
    let out = match yaml.spans().get("layout") {
        Some(span) => format!("{}{value}{}", &text[..span.value.start], &text[span.value.end..]),
        None => {
            let line = format!("layout: {value}");
            let at = |needle: &str| {
                text.match_indices(needle).map(|(i, _)| i).find(|&i| i == 0 || text[..i].ends_with('\n'))
            };
            match at("# layout: ") {
                Some(i) => {
                    let end = text[i..].find('\n').map_or(text.len(), |n| i + n);
                    format!("{}{line}{}", &text[..i], &text[end..])
                }
                None => {
                    let first_key = text
                        .split_inclusive('\n')
                        .scan(0, |pos, l| {
                            let start = *pos;
                            *pos += l.len();
                            Some((start, l))
                        })
                        .find(|(_, l)| l.starts_with(|c: char| c.is_ascii_alphabetic()))
                        .map_or(text.len(), |(start, _)| start);
                    format!("{}{line}\n{}", &text[..first_key], &text[first_key..])
                }
            }
        }
    };
    Config::parse(&out).ok().filter(|c| c.layout == layout).map(|_| out)
}

pub fn read_text(root: &Path) -> Result<String, Box<Rejected>> {
    let rel = Path::new(CONFIG_FILE);
    let unreadable = |why: String, help: &str| {
        Box::new(Rejected {
            finding: Finding::error(Code::ConfigUnreadable, rel, None, format!("cannot read {CONFIG_FILE}: {why}"))
                .with_help(help),
            text: None,
        })
    };
    let init = "run `enigm-disclose init` to create a disclosure repository";
    let meta = fs::symlink_metadata(root.join(rel)).map_err(|e| unreadable(e.to_string(), init))?;
    if meta.file_type().is_symlink() {
        // A link could point anywhere, even outside the repository: never followed.
        return Err(unreadable("it is a symbolic link".into(), "replace the link with the file itself"));
    }
    if !meta.is_file() {
        return Err(unreadable("it is not a regular file".into(), init));
    }
    if meta.len() > crate::format::report::MAX_REPORT_BYTES {
        return Err(unreadable(
            format!("it is larger than {} bytes", crate::format::report::MAX_REPORT_BYTES),
            "shorten it",
        ));
    }
    let bytes = crate::layout::read_regular(&root.join(rel), crate::format::report::MAX_REPORT_BYTES)
        .map_err(|e| unreadable(e.to_string(), init))?;
    let text = String::from_utf8(bytes).map_err(|e| {
        unreadable(format!("it is not valid UTF-8 (byte {})", e.utf8_error().valid_up_to()), "save it as UTF-8")
    })?;
    Ok(text)
}

impl ConfigSeed {
    /// The commented `enigm.yaml` text for a new repository.
    pub fn render(&self) -> String {
        self.render_expiring(None)
    }

    /// [`ConfigSeed::render`], with `contact.expires` set (`init` gives today plus 364 days).
    pub fn render_expiring(&self, expires: Option<chrono::NaiveDate>) -> String {
        let expires = match expires {
            Some(date) => format!("  expires: {date}       # security.txt's Expires: renew before it passes"),
            None => "  # expires: 2027-06-30   # security.txt's Expires; without it no security.txt".to_owned(),
        };
        let q = crate::format::yamlout::scalar;
        let products = if self.products.is_empty() {
            "products: []\n  # - name: example-server\n  #   components: [api, web-ui]\n".to_owned()
        } else {
            let mut s = String::from("products:\n");
            for p in &self.products {
                s.push_str(&format!("  - name: {}\n    components: []\n", q(p)));
            }
            s
        };
        format!(
            r#"# enigm-disclose configuration. Reference: docs/format.md ("Configuration").
# Unknown keys are an error, so a typo never passes silently.

# Report ids are <id_prefix>-<YEAR>-<NNNN>, e.g. {prefix}-2026-0001.
id_prefix: {prefix}

# Where report files live: flat, reports/<ID>.md (the default), or sharded,
# reports/<YEAR>/<ID>.md (`enigm-disclose migrate` moves a flat repository).
# layout: sharded

# Who runs this disclosure process; shown on advisories.
organization:
  name: {org}
  # Where researchers send reports (email address or URL).
  security_contact: {contact}
  # website: https://www.example.com   # names the publisher of CSAF documents

# Products reports can be filed against: every report names one of them;
# `components` (optional) lists the parts of a product a report may name.
{products}
# The disclosure policy: deadlines in days, counted from the `reported` date.
policy:
  acknowledge_days: 3     # received -> first response to the reporter
  triage_days: 10         # received -> triaged
  fix_days:               # received -> fixed, by severity level; none later than
    critical: 30          # publish_days, or an advisory would go out before its fix
    high: 60              # is due (validate warns: config-publish-before-fix)
    medium: 90
    low: 90
    none: 90
  publish_days: 90        # received -> published (an embargo date overrides it)
  grace_days: 14          # extra days when a fix is about to ship
  business_days: false    # true: count Monday-Friday only
  # out_of_scope: [...]   # what policy.md lists as out of scope (default: docs/format.md)
  # ssvc_fix_days:        # received -> fixed, by SSVC outcome; wins over fix_days
  #   immediate: 7
  #   out-of-cycle: 30
  # ssvc_tree: ssvc/tree.json   # your own SSVC tree (CERT/CC decision table JSON)
  # cra: true             # EU Cyber Resilience Act, Article 14 clocks for exploited reports
  # products:             # a product's own deadlines (any key above but out_of_scope
  #   firmware:           # and ssvc_tree); what it leaves out is as above
  #     fix_days: {{critical: 14, high: 30}}
  #     publish_days: 120

# How researchers reach you, for policy.md, the contact page and security.txt (RFC 9116).
contact:
  # channels: [https://example.com/report]   # more ways to report, after security_contact
  # encryption: https://example.com/pgp-key.asc
  # fingerprint: "AAAA BBBB CCCC DDDD EEEE  FFFF 0000 1111 2222 3333"
  languages: [en]         # languages reports may be written in
{expires}

# How public advisories are rendered.
render:
  # site_title: Example Corp security advisories
  # base_url: https://security.example.com/advisories/
  # Body sections that become public when a report is published.
  public_sections: [Summary, Impact, Remediation]
  # osv_prefix: PYSEC     # the OSV prefix registered for your database; default x_<ID>
  # CSAF documents name the publisher by `organization.website` (else base_url); the site's
  # CSAF provider metadata needs base_url. CVE records need your CNA's organization UUID:
  # cve_org_id: 00000000-0000-4000-8000-000000000000
"#,
            prefix = self.id_prefix,
            expires = expires,
            org = q(&self.organization),
            contact = q(&self.security_contact),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seed() -> ConfigSeed {
        ConfigSeed {
            id_prefix: "ACME".into(),
            organization: "Acme: Corp".into(),
            security_contact: "security@acme.test".into(),
            products: vec!["web".into()],
        }
    }

    #[test]
    fn the_seeded_config_parses_back() {
        let c = Config::parse(&seed().render()).expect("parses");
        assert_eq!(c.id_prefix, "ACME");
        assert_eq!(c.organization.name, "Acme: Corp");
        assert_eq!(c.products[0].name, "web");
        assert_eq!(c.policy, Policy::default());
        let empty = ConfigSeed { products: vec![], ..seed() };
        assert!(Config::parse(&empty.render()).expect("parses").products.is_empty());
    }

    #[test]
    fn the_layout_is_set_keeping_every_other_byte() {
        use crate::layout::Layout;
        let fresh = seed().render();
        assert_eq!(Config::parse(&fresh).expect("parses").layout, Layout::Flat, "flat by default");
        let sharded = set_layout(&fresh, Layout::Sharded).expect("set");
        assert_eq!(sharded, fresh.replacen("# layout: sharded", "layout: sharded", 1));
        assert_eq!(
            set_layout(&sharded, Layout::Flat).expect("set"),
            fresh.replacen("# layout: sharded", "layout: flat", 1)
        );
        let bare = "# mine\nid_prefix: ACME\norganization:\n  name: A\n  security_contact: s@a.test\n";
        assert_eq!(
            set_layout(bare, Layout::Sharded).expect("set"),
            bare.replacen("id_prefix", "layout: sharded\nid_prefix", 1)
        );
        assert_eq!(set_layout("organization: [", Layout::Sharded), None, "not YAML: left to a person");
    }

    #[test]
    fn unknown_key_is_located() {
        let text = seed().render().replace("  triage_days: 10", "  triage_dayz: 10");
        let r = Config::parse(&text).unwrap_err();
        assert_eq!(r.finding.code, "config-unknown-key");
        let span = r.finding.span.expect("span");
        assert_eq!(&text[span], "triage_dayz");
    }

    #[test]
    fn an_osv_prefix_the_schema_does_not_list_is_located() {
        let with = |p: &str| seed().render().replace("# osv_prefix: PYSEC ", &format!("osv_prefix: {p}"));
        let r = Config::parse(&with("EXAMPLE")).unwrap_err();
        assert_eq!(r.finding.code, "config-invalid");
        assert_eq!(&with("EXAMPLE")[r.finding.span.expect("span")], "EXAMPLE");
        assert_eq!(Config::parse(&with("PYSEC")).expect("listed").render.osv_prefix.as_deref(), Some("PYSEC"));
    }

    #[test]
    fn bad_prefix_is_located() {
        let text = seed().render().replace("id_prefix: ACME", "id_prefix: ac-me");
        let r = Config::parse(&text).unwrap_err();
        assert_eq!(&text[r.finding.span.expect("span")], "ac-me");
    }
}
