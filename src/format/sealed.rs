//! Sealed reports: the file shape, sealing and opening (age, ASCII armour).
//!
//! A sealed report is still `reports/<ID>.md` with a front matter: the front matter holds in
//! clear text only what the tool needs without a key (id, state, dates, severity level,
//! product names, optionally the title) and a `sealed` mapping (format version and recipient
//! fingerprints); the body is one armoured age block whose plaintext is the whole report file
//! as it would be unsealed, byte for byte. The clear part is a projection of that plaintext
//! ([`clear_front_matter`]), so a key holder can check one against the other. The exact shape
//! is documented in `docs/format.md` ("Sealed reports") and is stable.
//!
//! Opening needs identities; the command line installs where they come from once
//! ([`install_key_source`]), and every parse of a sealed file opens it when it can
//! ([`crate::format::report::Document::parse`]). Without a key the file parses as its clear
//! part.

use std::io::{Read, Write};
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

use crate::format::keys::{Identities, KeyError, Recipient};
use crate::format::report::{Report, State};
use crate::format::yamlout::scalar;

/// The first line of the armoured block.
pub const BEGIN: &str = "-----BEGIN AGE ENCRYPTED FILE-----";
/// The last line of the armoured block.
pub const END: &str = "-----END AGE ENCRYPTED FILE-----";
/// The version of the sealed shape written in `sealed.format`.
pub const FORMAT: u32 = 1;
/// What stands for a withheld title or name when a report is read without a key.
pub const WITHHELD: &str = "(sealed)";

/// The `sealed` mapping of a sealed report's front matter.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct SealInfo {
    pub format: u32,
    /// Fingerprints of the recipients the block is addressed to.
    pub recipients: Vec<String>,
    /// [`source_hash`]es of the channel ids the report holds (its messages' `Message-Id`s,
    /// its aliases): what `import` needs to recognise a re-import or a follow-up without a key.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sources: Vec<String>,
}

/// The clear stand-in of a channel id (`<abc@example.org>`, `GHSA-…`, an OSV id): its SHA-256
/// (lowercase hex) after trimming, with ids that are not `Message-Id`s upper-cased (GHSA and
/// Where osv.dev shows a record: the URL an imported OSV id is kept under.
pub const OSV_RECORD_URL: &str = "https://osv.dev/vulnerability/";

/// CVE ids are case-insensitive). The same on both sides of a comparison, and not the id.
pub fn source_hash(key: &str) -> String {
    use sha2::Digest;
    let key = key.trim();
    let key = if key.starts_with('<') { key.to_owned() } else { key.to_uppercase() };
    sha2::Sha256::digest(key.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

/// The channel ids of a report, hashed ([`source_hash`]), sorted and without repeats: its
/// messages' `Message-Id`s, its aliases, and the ids of the OSV records its osv.dev
/// references point at (an imported `PYSEC-…` or `GO-…` id is such a reference).
pub fn report_sources(report: &Report) -> Vec<String> {
    let ids = report.correspondence.iter().filter_map(|m| m.message_id.as_deref());
    let osv = report.references.iter().filter_map(|r| r.url.strip_prefix(OSV_RECORD_URL));
    let mut out: Vec<String> =
        ids.chain(report.aliases.iter().map(String::as_str)).chain(osv).map(source_hash).collect();
    out.sort();
    out.dedup();
    out
}

/// The `sealed` mapping as written: format, recipients, and the hashed sources when any.
fn sealed_mapping(report: &Report, recipients: &[String]) -> String {
    let mut s = format!("sealed:\n  format: {FORMAT}\n  recipients:\n");
    for r in recipients {
        s.push_str(&format!("    - {}\n", scalar(r)));
    }
    let sources = report_sources(report);
    if !sources.is_empty() {
        s.push_str("  sources:\n");
        for h in sources {
            s.push_str(&format!("    - {h}\n"));
        }
    }
    s
}

/// Why a seal could not be made or opened.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SealError {
    /// No identity is available to open the seal.
    #[error("no key: the report is sealed and no identity was found")]
    NoKey,
    /// None of the available identities is a recipient of the seal.
    #[error("none of your keys ({origin}) is a recipient of this seal")]
    WrongKey { origin: String },
    /// The armoured block is missing, cut short or not an age file.
    #[error("the sealed block is damaged: {why}")]
    Damaged { why: String },
    /// The block decrypted, but its content was altered (authentication failed).
    #[error("the sealed block was altered: it does not authenticate")]
    Tampered,
    /// The identity could not be loaded.
    #[error(transparent)]
    Key(#[from] KeyError),
    /// The plaintext is not UTF-8 or is itself sealed.
    #[error("the sealed plaintext is not a report file: {0}")]
    BadPlaintext(String),
}

/// Seals `plaintext` to `recipients` as one armoured age block (ending with a newline).
pub fn seal(plaintext: &str, recipients: &[Recipient]) -> Result<String, SealError> {
    seal_bytes(plaintext.as_bytes(), recipients)
}

/// Seals any bytes (a message text, an attachment) as one armoured age block.
pub fn seal_bytes(plaintext: &[u8], recipients: &[Recipient]) -> Result<String, SealError> {
    let failed = |e: &dyn std::fmt::Display| SealError::Damaged { why: e.to_string() };
    let encryptor =
        age::Encryptor::with_recipients(recipients.iter().map(Recipient::as_age)).map_err(|e| failed(&e))?;
    let armor =
        age::armor::ArmoredWriter::wrap_output(Vec::new(), age::armor::Format::AsciiArmor).map_err(|e| failed(&e))?;
    let mut writer = encryptor.wrap_output(armor).map_err(|e| failed(&e))?;
    writer.write_all(plaintext).map_err(|e| failed(&e))?;
    let out = writer.finish().and_then(|a| a.finish()).map_err(|e| failed(&e))?;
    let mut text = String::from_utf8(out).map_err(|e| failed(&e))?;
    if !text.ends_with('\n') {
        text.push('\n');
    }
    Ok(text)
}

/// Opens an armoured block with `identities`: the exact plaintext bytes, as text.
pub fn unseal(block: &str, identities: &Identities) -> Result<String, SealError> {
    let out = unseal_bytes(block, identities)?;
    String::from_utf8(out).map_err(|_| SealError::BadPlaintext("not UTF-8".into()))
}

/// Opens an armoured block with `identities`: the exact plaintext bytes.
pub fn unseal_bytes(block: &str, identities: &Identities) -> Result<Vec<u8>, SealError> {
    // A block without its end line was cut short: damaged, whatever the decryption would say.
    if !block.trim_end().ends_with(END) {
        return Err(SealError::Damaged { why: format!("it does not end with `{END}` (cut short?)") });
    }
    let decryptor = header(block)?;
    let mut reader = decryptor.decrypt(identities.iter()).map_err(|e| match e {
        age::DecryptError::NoMatchingKeys => SealError::WrongKey { origin: identities.origin.clone() },
        age::DecryptError::InvalidMac | age::DecryptError::DecryptionFailed => SealError::Tampered,
        other => SealError::Damaged { why: other.to_string() },
    })?;
    let mut out = Vec::new();
    reader.read_to_end(&mut out).map_err(|e| {
        if e.kind() == std::io::ErrorKind::InvalidData {
            SealError::Tampered
        } else {
            SealError::Damaged { why: e.to_string() }
        }
    })?;
    Ok(out)
}

/// Checks what can be checked without a key: the block is armoured, complete and starts
/// with a well-formed age header. (Which recipients it is addressed to is not visible in
/// an age header; the clear `sealed.recipients` list says it.)
pub fn check_block(block: &str) -> Result<(), SealError> {
    let trimmed = block.trim_end();
    if !trimmed.trim_start().starts_with(BEGIN) {
        return Err(SealError::Damaged { why: format!("it does not start with `{BEGIN}`") });
    }
    if !trimmed.ends_with(END) {
        return Err(SealError::Damaged { why: format!("it does not end with `{END}` (cut short?)") });
    }
    // The payload cannot be checked without the key (its authentication needs the file key).
    header(block).map(|_| ())
}

fn header(block: &str) -> Result<age::Decryptor<age::armor::ArmoredReader<std::io::BufReader<&[u8]>>>, SealError> {
    let trimmed = block.trim_start();
    if !trimmed.starts_with(BEGIN) {
        return Err(SealError::Damaged { why: format!("it does not start with `{BEGIN}`") });
    }
    age::Decryptor::new_buffered(age::armor::ArmoredReader::new(trimmed.as_bytes()))
        .map_err(|e| SealError::Damaged { why: e.to_string() })
}

/// Where the armoured block starts in a file's body: the last line that is [`BEGIN`] (a
/// public section quoting the line cannot move it).
pub fn block_start(body: &str) -> Option<usize> {
    let mut pos = 0;
    let mut found = None;
    for line in body.split_inclusive('\n') {
        if line.trim_end() == BEGIN {
            found = Some(pos);
        }
        pos += line.len();
    }
    found
}

/// The clear front matter of a sealed report (without fences), projected from the typed
/// plaintext report: id, title (only when `clear_title`), state, reported, severity level,
/// product names, embargo, publication and withdrawal dates, timeline dates and states, and
/// the `sealed` mapping.
pub fn clear_front_matter(report: &Report, clear_title: bool, recipients: &[String]) -> String {
    let mut s = format!("id: {}\n", scalar(&report.id));
    if clear_title {
        s.push_str(&format!("title: {}\n", scalar(&report.title)));
    }
    s.push_str(&format!("state: {}\nreported: {}\n", report.state, report.reported));
    if let Some(level) = report.level() {
        s.push_str(&format!("severity:\n  level: {level}\n"));
    }
    if !report.products.is_empty() {
        s.push_str("products:\n");
        for p in &report.products {
            s.push_str(&format!("  - name: {}\n", scalar(&p.name)));
        }
    }
    match report.embargo_until {
        // A date as it always was; a time (with a zone name and spaces) as a safe scalar.
        Some(crate::format::embargo::Embargo::Date(d)) => s.push_str(&format!("embargo_until: {d}\n")),
        Some(e) => s.push_str(&format!("embargo_until: {}\n", scalar(&e.to_string()))),
        None => {}
    }
    for (key, date) in [("published", report.published), ("withdrawn", report.withdrawn)] {
        if let Some(d) = date {
            s.push_str(&format!("{key}: {d}\n"));
        }
    }
    if !report.timeline.is_empty() {
        s.push_str("timeline:\n");
        for t in &report.timeline {
            s.push_str(&format!("  - date: {}\n    state: {}\n", t.date, t.state));
        }
    }
    s.push_str(&clear_correspondence(report));
    s.push_str(&clear_exploited(report));
    s.push_str(&sealed_mapping(report, recipients));
    s
}

/// The clear `exploited` mapping: its times and source (what the CRA clocks of `due` need).
fn clear_exploited(report: &Report) -> String {
    let Some(e) = &report.exploited else { return String::new() };
    let mut s = format!("exploited:\n  since: {}\n", scalar(&e.since.to_rfc3339()));
    for (key, at) in [("aware", e.aware), ("early_warning", e.early_warning), ("notification", e.notification)]
        .into_iter()
        .chain([("measure_available", e.measure_available), ("final_report", e.final_report)])
    {
        if let Some(at) = at {
            s.push_str(&format!("  {key}: {}\n", scalar(&at.to_rfc3339())));
        }
    }
    s.push_str(&format!("  source: {}\n", e.source.as_str()));
    s
}

/// The clear `correspondence` list: each message's time and direction only (what `due` and
/// `stats` need to see whether and when the reporter was answered), nothing of its content.
fn clear_correspondence(report: &Report) -> String {
    if report.correspondence.is_empty() {
        return String::new();
    }
    let mut s = String::from("correspondence:\n");
    for m in &report.correspondence {
        s.push_str(&format!("  - at: {}\n    direction: {}\n", scalar(&m.at.to_rfc3339()), m.direction));
    }
    s
}

/// What a sealed file keeps in clear text before its block: the fenced front matter and,
/// for a public report, its public sections.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Projection {
    pub front_matter: String,
    pub body: String,
}

impl Projection {
    /// The clear part of the sealed report `doc` (its plaintext, typed as `report`): the
    /// routing fields ([`clear_front_matter`]) while it is private; once public (published,
    /// withdrawn), every field but the private ones and the `public_sections` of the body.
    pub fn of(
        doc: &crate::format::report::Document,
        report: &Report,
        clear_title: bool,
        public_sections: &[String],
        recipients: &[String],
    ) -> Projection {
        if !report.state.is_public() {
            return Projection {
                front_matter: clear_front_matter(report, clear_title, recipients),
                body: String::new(),
            };
        }
        Projection { front_matter: public_front_matter(report, recipients), body: public_body(doc, public_sections) }
    }

    /// The text before the block: front matter between fences, then the clear body.
    pub fn text(&self) -> String {
        format!("---\n{}---\n{}", self.front_matter, self.body)
    }
}

/// The front matter of a public sealed report: every field except the reporter's contact,
/// the assignee, who made the SSVC decision and the timeline's authors and notes, then the
/// `sealed` mapping.
pub fn public_front_matter(report: &Report, recipients: &[String]) -> String {
    let mut public = report.clone();
    public.reporter.contact = None;
    public.assignee = None;
    if let Some(decision) = &mut public.ssvc {
        decision.by = None;
    }
    for t in &mut public.timeline {
        t.by = None;
        t.note = None;
    }
    public.correspondence.clear();
    let mut s = serde_yaml::to_string(&public).unwrap_or_default();
    s.push_str(&clear_correspondence(report));
    s.push_str(&sealed_mapping(report, recipients));
    s
}

/// The public sections of a report body, in file order, each as `## Title`, a blank line
/// and its publishable text (what the advisory renders: a repeated section never, a section
/// only up to its first ambiguous heading-like line).
pub fn public_body(doc: &crate::format::report::Document, public_sections: &[String]) -> String {
    let public: Vec<String> = public_sections.iter().map(|s| s.to_lowercase()).collect();
    let mut out = String::new();
    for section in doc.outline().sections {
        if section.repeated || !public.contains(&section.title.to_lowercase()) {
            continue;
        }
        let text = doc.text[section.publishable.clone()].trim();
        out.push_str(&format!("## {}\n\n{text}\n\n", section.title));
    }
    out
}

/// The text of a stored sealed file before its block (the clear part).
pub fn clear_part(stored: &str) -> &str {
    let body = crate::format::report::Parts::split(stored).map(|p| p.body_offset).unwrap_or(0);
    &stored[..body + block_start(&stored[body..]).unwrap_or(stored.len() - body)]
}

/// A whole sealed file: its clear part, then the block.
pub fn compose(projection: &Projection, block: &str) -> String {
    projection.text() + block
}

/// The clear part of a sealed report, as typed (what the tool knows without a key).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Clear {
    pub id: String,
    #[serde(default)]
    pub title: Option<String>,
    pub state: State,
    pub reported: chrono::NaiveDate,
    #[serde(default)]
    pub severity: Option<ClearSeverity>,
    #[serde(default)]
    pub products: Vec<ClearProduct>,
    #[serde(default)]
    pub embargo_until: Option<crate::format::embargo::Embargo>,
    #[serde(default)]
    pub published: Option<chrono::NaiveDate>,
    #[serde(default)]
    pub withdrawn: Option<chrono::NaiveDate>,
    #[serde(default)]
    pub timeline: Vec<ClearStep>,
    #[serde(default)]
    pub correspondence: Vec<ClearMessage>,
    /// Clear so the CRA clocks run without a key: only times and the source.
    #[serde(default)]
    pub exploited: Option<crate::format::exploited::Exploited>,
    pub sealed: SealInfo,
}

/// A clear message: when, and which way.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClearMessage {
    pub at: chrono::DateTime<chrono::FixedOffset>,
    pub direction: crate::format::report::Direction,
}

/// The clear severity: only the level.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClearSeverity {
    pub level: crate::format::report::Level,
}

/// A clear product: only its name.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClearProduct {
    pub name: String,
}

/// A clear timeline step: its date and state.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClearStep {
    pub date: chrono::NaiveDate,
    pub state: State,
}

impl ClearMessage {
    /// The message as far as the clear part tells it: content [`WITHHELD`].
    fn to_message(&self) -> crate::format::report::Message {
        crate::format::report::Message {
            at: self.at,
            direction: self.direction,
            channel: crate::format::report::Channel::Other,
            message_id: None,
            in_reply_to: None,
            subject: WITHHELD.to_owned(),
            template: None,
            text: String::new(),
            attachments: Vec::new(),
        }
    }
}

impl Clear {
    /// The report as far as the clear part tells it: withheld text is [`WITHHELD`].
    pub fn to_report(&self) -> Report {
        use crate::format::report::{Product, Reporter, SeverityInfo, TimelineEntry};
        Report {
            id: self.id.clone(),
            title: self.title.clone().unwrap_or_else(|| WITHHELD.to_owned()),
            state: self.state,
            reported: self.reported,
            reporter: Reporter { name: WITHHELD.to_owned(), contact: None, credit: None },
            credits: Vec::new(),
            products: self.products.iter().map(|p| Product { name: p.name.clone(), ..Product::default() }).collect(),
            severity: self.severity.as_ref().map(|s| SeverityInfo { cvss: None, cvss_v4: None, level: Some(s.level) }),
            cwe: Vec::new(),
            embargo_until: self.embargo_until,
            aliases: Vec::new(),
            references: Vec::new(),
            assignee: None,
            mitigation: None,
            resolution: None,
            duplicate_of: None,
            published: self.published,
            withdrawn: self.withdrawn,
            timeline: self
                .timeline
                .iter()
                .map(|t| TimelineEntry { date: t.date, state: t.state, by: None, note: None })
                .collect(),
            correspondence: self.correspondence.iter().map(ClearMessage::to_message).collect(),
            ssvc: None,
            exploited: self.exploited.clone(),
            kev: None,
            epss: None,
            vex_only: false,
        }
    }
}

/// The report a sealed file's clear part tells: a public one (published, withdrawn) holds
/// every public field; a private one only the routing fields, the rest [`WITHHELD`].
pub fn clear_report(
    yaml: &crate::format::located::LocatedYaml,
    path: &std::path::Path,
) -> Result<Report, crate::format::finding::Finding> {
    let public = yaml.value.get("title").is_some() && yaml.value.get("reporter").is_some();
    if !public {
        return yaml.deserialize::<Clear>(path).map(|c| c.to_report());
    }
    let mut value = yaml.value.clone();
    let mut messages = serde_json::Value::Null;
    if let Some(map) = value.as_object_mut() {
        map.remove("sealed");
        messages = map.remove("correspondence").unwrap_or_default();
    }
    let misfit = |e: serde_json::Error| {
        crate::format::finding::Finding::error(
            crate::format::finding::Code::InvalidField,
            path,
            None,
            format!("the clear part of the sealed report does not fit: {e}"),
        )
    };
    let mut report = serde_json::from_value::<Report>(value).map_err(misfit)?;
    if !messages.is_null() {
        let clear: Vec<ClearMessage> = serde_json::from_value(messages).map_err(misfit)?;
        report.correspondence = clear.iter().map(ClearMessage::to_message).collect();
    }
    Ok(report)
}

/// The `sealed` mapping of a sealed file's clear part.
pub fn seal_info(yaml: &crate::format::located::LocatedYaml) -> Option<SealInfo> {
    serde_json::from_value(yaml.value.get("sealed")?.clone()).ok()
}

/// Where identities come from: called once, on the first sealed file of the process.
pub type KeySource = fn() -> Result<Option<Identities>, KeyError>;

static SOURCE: OnceLock<KeySource> = OnceLock::new();
static KEYS: OnceLock<Result<Option<Identities>, KeyError>> = OnceLock::new();

/// Sets where this process finds its identities (the command line does, at start). Without
/// it, sealed files are read without a key.
pub fn install_key_source(source: KeySource) {
    let _ = SOURCE.set(source);
}

/// Makes `ids` this process's identities (the sealed demo); false when identities were
/// already looked for.
pub fn use_identities(ids: Identities) -> bool {
    KEYS.set(Ok(Some(ids))).is_ok()
}

/// The process's identities: `Ok(None)` without any.
pub fn identities() -> Result<Option<&'static Identities>, SealError> {
    let keys = KEYS.get_or_init(|| SOURCE.get().map_or(Ok(None), |source| source()));
    match keys {
        Ok(k) => Ok(k.as_ref()),
        Err(e) => Err(SealError::Key(e.clone())),
    }
}

static READ_WITHOUT_KEY: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

/// Opens a sealed file's block with the process's identities.
pub fn open(block: &str) -> Result<String, SealError> {
    let opened = match identities()? {
        Some(ids) => unseal(block, ids),
        None => Err(SealError::NoKey),
    };
    match opened {
        Err(e @ (SealError::NoKey | SealError::WrongKey { .. })) => {
            READ_WITHOUT_KEY.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            Err(e)
        }
        other => other,
    }
}

/// How many sealed files this process has read without a key (for `validate`'s note).
pub fn read_without_key() -> usize {
    READ_WITHOUT_KEY.load(std::sync::atomic::Ordering::Relaxed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::format::keys::generate;
    use proptest::prelude::*;

    fn pair() -> (Identities, Recipient) {
        let (text, public) = generate();
        (Identities::parse(&text, "test").expect("identity"), Recipient::parse(&public).expect("recipient"))
    }

    #[test]
    fn the_clear_part_keeps_an_embargo_as_written() {
        for embargo in ["2026-12-03", "2026-12-03T09:00:00-05:00", "2026-12-03 09:00 America/New_York"] {
            let text = format!(
                "id: ENIGM-2026-0001\ntitle: t\nstate: triaged\nreported: 2026-10-20\nreporter: {{name: r}}\nembargo_until: {embargo}\n"
            );
            let report: Report = serde_yaml::from_str(&text).expect("report");
            let clear = clear_front_matter(&report, false, &[]);
            assert!(clear.contains(&format!("embargo_until: {embargo}\n")), "{clear}");
            let back: Clear = serde_yaml::from_str(&clear).expect("clear part");
            assert_eq!(back.embargo_until, report.embargo_until);
        }
    }

    #[test]
    fn seal_then_unseal_is_exact() {
        let (ids, r) = pair();
        let text = "---\nid: X\n---\r\n## Summary\n\u{feff}tail without newline";
        let block = seal(text, std::slice::from_ref(&r)).expect("seals");
        assert!(block.starts_with(BEGIN) && block.trim_end().ends_with(END), "{block}");
        assert!(!block.contains("Summary"));
        assert_eq!(unseal(&block, &ids).expect("opens"), text);
        assert_eq!(check_block(&block), Ok(()));
    }

    #[test]
    fn wrong_key_truncated_and_tampered_are_typed() {
        let (_, r) = pair();
        let (other, _) = pair();
        let block = seal("secret text", std::slice::from_ref(&r)).expect("seals");
        assert!(matches!(unseal(&block, &other), Err(SealError::WrongKey { .. })));
        let cut = &block[..block.len() / 2];
        assert!(matches!(check_block(cut), Err(SealError::Damaged { .. })));
        assert!(matches!(unseal(cut, &other), Err(SealError::Damaged { .. } | SealError::WrongKey { .. })));
        assert!(matches!(unseal("no block", &other), Err(SealError::Damaged { .. })));
    }

    #[test]
    fn a_flipped_payload_byte_does_not_authenticate() {
        let (ids, r) = pair();
        let plain = "x".repeat(200);
        let block = seal(&plain, std::slice::from_ref(&r)).expect("seals");
        // Flip one base64 character of the last payload line (before the END line).
        let lines: Vec<&str> = block.lines().collect();
        let target = lines.len() - 2;
        let mut changed: Vec<String> = lines.iter().map(|l| (*l).to_owned()).collect();
        let line = &changed[target];
        let first = line.chars().next().expect("char");
        let replacement = if first == 'A' { 'B' } else { 'A' };
        changed[target] = format!("{replacement}{}", &line[1..]);
        let tampered = changed.join("\n") + "\n";
        let got = unseal(&tampered, &ids);
        assert!(matches!(got, Err(SealError::Tampered | SealError::Damaged { .. })), "{got:?}");
    }

    #[test]
    fn a_block_without_its_end_line_is_damaged_not_altered() {
        let (ids, r) = pair();
        let block = seal("report text", std::slice::from_ref(&r)).expect("seals");
        let cut = block.trim_end().strip_suffix(END).expect("ends with END");
        let got = unseal(cut, &ids);
        assert!(matches!(&got, Err(SealError::Damaged { why }) if why.contains("cut short")), "{got:?}");
    }

    fn ssh(name: &str) -> (Identities, Recipient) {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/keys/");
        let private = std::fs::read_to_string(format!("{dir}{name}")).expect("key");
        let public = std::fs::read_to_string(format!("{dir}{name}.pub")).expect("public key");
        (Identities::parse(&private, name).expect("identity"), Recipient::parse(&public).expect("recipient"))
    }

    #[test]
    fn ssh_ed25519_and_rsa_recipients_seal_and_open() {
        let (ed_ids, ed) = ssh("ssh-ed25519-test");
        let (rsa_ids, rsa) = ssh("ssh-rsa-test");
        assert_eq!(
            ed.fingerprint(),
            "SHA256:T317dHkMdOyKlQgnLSCSn0WxAxo5rAfpEtsIpz4Q9TI",
            "as ssh-keygen -l prints it"
        );
        assert_eq!(rsa.fingerprint(), "SHA256:E9NALVlrsw/8kA41tSFWfmNqCNX9h27LgUM0aeSHRZc");
        let (x_ids, x) = pair();
        let text = "---\nid: X\n---\nbody\n";
        let block = seal(text, &[ed, rsa, x]).expect("seals to all three");
        for ids in [&ed_ids, &rsa_ids, &x_ids] {
            assert_eq!(unseal(&block, ids).expect("opens"), text);
        }
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/keys/");
        let protected = std::fs::read_to_string(format!("{dir}ssh-ed25519-protected-test")).expect("key");
        let e = Identities::parse(&protected, "protected").unwrap_err();
        assert!(e.to_string().contains("passphrase"), "{e}");
    }

    /// The CRA clocks run without a key: `exploited`'s times and source stay in clear, and
    /// read back from the clear part into the report `due` sees.
    #[test]
    fn exploited_times_stay_in_the_clear_part() {
        let text = "id: ENIGM-2026-0001\ntitle: Secret title\nstate: triaged\nreported: 2026-10-20\nreporter:\n  name: R\n\
                    exploited:\n  since: 2026-10-24T09:00:00+02:00\n  aware: 2026-10-24T12:00:00+02:00\n  source: telemetry\n\
                    timeline:\n  - date: 2026-10-20\n    state: received\n  - date: 2026-10-21\n    state: triaged\n";
        let report: Report = serde_yaml::from_str(text).expect("report");
        let clear = clear_front_matter(&report, false, &["age1x".to_owned()]);
        assert!(clear.contains("exploited:\n  since: 2026-10-24T09:00:00+02:00\n  aware: 2026-10-24T12:00:00+02:00\n  source: telemetry\n"), "{clear}");
        assert!(!clear.contains("Secret title"));
        let yaml = crate::format::located::LocatedYaml::parse(
            std::path::Path::new("reports/ENIGM-2026-0001.md"),
            &clear,
            0,
            0,
            None,
            &crate::format::report::FRONT_MATTER,
        )
        .expect("yaml");
        let back = clear_report(&yaml, std::path::Path::new("reports/ENIGM-2026-0001.md")).expect("clear report");
        assert_eq!(back.exploited, report.exploited);
    }

    #[test]
    fn a_public_sealed_report_keeps_who_decided_sealed() {
        let text = "id: ENIGM-2026-0001\ntitle: T\nstate: published\nreported: 2026-10-20\nreporter:\n  name: R\n\
                    published: 2026-10-30\nssvc:\n  values:\n    exploitation: none\n  outcome: defer\n  by: Secret Person\n";
        let report: Report = serde_yaml::from_str(text).expect("report");
        let public = public_front_matter(&report, &["age1x".to_owned()]);
        assert!(public.contains("outcome: defer") && !public.contains("Secret Person"), "{public}");
    }

    #[test]
    fn block_start_finds_the_armour_line() {
        assert_eq!(block_start(&format!("## Summary\nx\n{BEGIN}\nabc\n")), Some(13));
        assert_eq!(block_start("## Summary\n"), None);
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 32, ..ProptestConfig::default() })]
        #[test]
        fn round_trips_any_text(text in "\\PC*(\r\n|\n)?\\PC*") {
            let (ids, r) = pair();
            let block = seal(&text, std::slice::from_ref(&r)).expect("seals");
            prop_assert_eq!(unseal(&block, &ids).expect("opens"), text);
        }
    }
}
