//! `import`: what a channel delivered ([`Incoming`], from any reader of
//! [`crate::format::intake`]) made into reports, one commit per item.
//!
//! For each item, in order:
//! 1. **Already imported?** Its channel id (`Message-Id`, GHSA id, OSV id) is looked up among
//!    the ids the reports hold ([`known::Index`]); found, nothing is written.
//! 2. **Redacted** ([`redaction`]): every secret in every text field is replaced by its
//!    marker, binary attachments holding one are withheld, before anything is written.
//! 3. **A follow-up?** When `In-Reply-To`/`References` name a message a report holds, the item
//!    is appended to that report's correspondence ([`correspond::record`]).
//! 4. **Otherwise a new report**, as `new` files one ([`create`]): the same checks, the same
//!    id allocation, sealed before the first write in a sealed repository; the item is its
//!    first correspondence entry (direction `in`) with its attachments, in the same commit.
//!    Reports of the same product with a similar title or text are named as likely duplicates.
//!
//! The product is the channel's own when it names one listed in `enigm.yaml`; else the first
//! listed product (or component) named as a word in the title, then in the text; else the
//! default the request gives; else the only product of the configuration; else the item is
//! refused, naming `{product}`.

pub mod known;
pub mod redaction;

use std::collections::HashSet;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;

use crate::error::{Error, Result};
use crate::format::config::Config;
use crate::format::intake::{Incoming, IntakeError, Source};
use crate::format::report::{Direction, Document, Message, State};
use crate::format::yamlout::scalar;
use crate::layout::REPORTS_DIR;
use crate::store::repo::{CommitId, Identity, Repo};
use crate::workflow::correspond::{self, Recorded};
use crate::workflow::create::{self, NewFile, NewReport};

pub use known::Duplicate;
pub use redaction::{Redacted, Redactions, Withheld};

/// What every item of one `import` shares.
#[derive(Debug, Clone)]
pub struct Options {
    /// The product of an item that names none.
    pub default_product: Option<String>,
    /// Who records the first timeline entry.
    pub by: String,
    pub today: NaiveDate,
}

/// What became of one item.
#[derive(Debug)]
pub enum Outcome {
    /// A new report, committed.
    Created { id: String, path: PathBuf, commit: CommitId, duplicates: Vec<Duplicate> },
    /// Appended to the correspondence of a report.
    FollowUp { id: String, commit: CommitId },
    /// Its channel id is already held by a report: nothing written.
    Already { id: String },
    /// Nothing written, for this reason.
    Refused(Error),
}

/// One item's result: what it was (after redaction) and what became of it.
#[derive(Debug)]
pub struct Imported {
    pub source: Option<Source>,
    pub title: Option<String>,
    pub redactions: Redactions,
    pub outcome: Outcome,
}

/// The channel id of a source (`<id@host>`, `GHSA-…`, an OSV id).
pub fn source_key(source: &Source) -> &str {
    match source {
        Source::Email { message_id } => message_id,
        Source::Ghsa { ghsa_id } => ghsa_id,
        Source::Osv { id } => id,
    }
}

/// Imports items one by one into one repository (the caller holds its write lock).
pub struct Importer<'a> {
    repo: &'a Repo,
    config: &'a Config,
    options: Options,
    identity: &'a Identity,
    index: known::Index,
}

impl<'a> Importer<'a> {
    /// Reads what the repository holds (channel ids, titles) once.
    pub fn new(repo: &'a Repo, config: &'a Config, options: Options, identity: &'a Identity) -> Result<Self> {
        let index = known::Index::load(repo.root())?;
        Ok(Importer { repo, config, options, identity, index })
    }

    /// Imports one item (or says why a channel's bytes gave none).
    pub fn import(&mut self, item: std::result::Result<Incoming, IntakeError>) -> Imported {
        let mut item = match item {
            Ok(item) => item,
            Err(e) => return refused(None, None, intake_error(e)),
        };
        let source = item.source.clone();
        let key = source_key(&source).to_owned();
        if let Some(id) = self.index.holder(&key) {
            let outcome = Outcome::Already { id: id.to_owned() };
            return Imported { source: Some(source), title: None, redactions: Redactions::default(), outcome };
        }
        let redactions = match redaction::redact_item(&mut item) {
            Ok(r) => r,
            Err(field) => {
                let e = Error::usage(
                    format!("a secret in {field} could not be redacted; nothing was written"),
                    "import the message by hand after removing the secret (keep the original with {keep_raw})",
                );
                return refused(Some(source), None, e);
            }
        };
        if !matches!(item.source, Source::Email { .. }) {
            item = crate::format::intake::render::normalise(&item, self.config);
        }
        let title = Some(item.title.clone());
        let thread = item.in_reply_to.iter().find_map(|r| self.index.holder(r).map(str::to_owned));
        let outcome = match thread {
            Some(id) => self.follow_up(&id, &item),
            None => self.create(&item),
        };
        let outcome = outcome.unwrap_or_else(Outcome::Refused);
        if let Outcome::Created { id, .. } | Outcome::FollowUp { id, .. } = &outcome {
            self.index.claim(&key, id);
        }
        Imported { source: Some(source), title, redactions, outcome }
    }

    /// Appends `item` to report `id`'s correspondence, in its own commit.
    fn follow_up(&mut self, id: &str, item: &Incoming) -> Result<Outcome> {
        let commit =
            correspond::record(self.repo, self.config, self.options.today, id, &recorded(item), self.identity)?;
        Ok(Outcome::FollowUp { id: id.to_owned(), commit })
    }

    /// Files `item` as a new report with its first message, in one commit.
    fn create(&mut self, item: &Incoming) -> Result<Outcome> {
        let today = self.options.today;
        let (product, component) = product_of(self.config, item, self.options.default_product.as_deref())?;
        let request = NewReport {
            title: item.title.clone(),
            product: product.clone(),
            component,
            purl: None,
            cpe: None,
            reporter_name: item.reporter_name.clone(),
            reporter_contact: item.reporter_contact.clone(),
            // Typed credits, when the channel has them, are the report's credits instead.
            credit: item.credit.clone().filter(|_| item.credits.is_empty()),
            level: if item.cvss.is_some() || item.cvss_v4.is_some() { None } else { item.level },
            cvss: item.cvss.clone().or_else(|| item.cvss_v4.clone()),
            assignee: None,
            reported: item.at.date_naive().min(today),
            body: Some(item.body.clone()),
            by: self.options.by.clone(),
            // Where an advisory came from, and its state there (docs/intake.md).
            note: (!matches!(item.source, Source::Email { .. }))
                .then(|| crate::format::intake::render::import_note(item)),
            vex: None,
        };
        request.check(self.config, today)?;
        let duplicates = self.index.duplicates(&product, &item.title, &item.text, "");
        let file = create::write_new(self.repo, self.config, today, &request)?;
        match self.commit_new(&file, &request, item, &product) {
            Ok((commit, report)) => {
                let sources = crate::format::sealed::report_sources(&report);
                self.index.add(&report, sources, &item.body);
                let id = file.id.to_string();
                Ok(Outcome::Created { id, path: file.path, commit, duplicates })
            }
            Err(e) => {
                remove_new(self.repo, &file);
                Err(e)
            }
        }
    }

    /// The new report's final text (with the channel's lists and its first message) checked
    /// and committed with the message's files.
    fn commit_new(
        &self,
        file: &NewFile,
        request: &NewReport,
        item: &Incoming,
        product: &str,
    ) -> Result<(CommitId, crate::format::report::Report)> {
        let text =
            with_credits(with_products(with_lists(request.render(&file.id), item), item, product), item, &file.path);
        let known: HashSet<String> =
            create::ids_in_dir(&self.repo.root().join(REPORTS_DIR))?.iter().map(ToString::to_string).collect();
        create::gate(self.config, self.options.today, &known, &file.path, text.clone())?;
        let parse = |text: String| {
            Document::parse(&file.path, text)
                .map_err(|r| crate::workflow::advance::refused(vec![r.finding], r.text, "cannot create the report"))
        };
        let report = parse(text.clone())?.report()?;
        let (changes, _) = correspond::changes(self.config, self.options.today, parse(text)?, &recorded(item))?;
        let title = crate::workflow::seal::withheld(self.config, &item.title.replace(['\n', '\r'], " "));
        let message = format!(
            "{id}: {state} — {title}\n\nDisclosure-Id: {id}\nDisclosure-State: {state}\n",
            id = file.id,
            state = State::Received,
        );
        let commit = crate::workflow::seal::write_and_commit(self.repo, &changes, &message, self.identity)?;
        self.repo.pending_done();
        Ok((commit, report))
    }
}

fn refused(source: Option<Source>, title: Option<String>, e: Error) -> Imported {
    Imported { source, title, redactions: Redactions::default(), outcome: Outcome::Refused(e) }
}

/// A channel reader's error as the item's refusal.
pub fn intake_error(e: IntakeError) -> Error {
    let help = match &e {
        IntakeError::Unrecognised { .. } => {
            "import reads e-mail (.eml), mbox, GitHub security advisories (REST API JSON) and OSV records (docs/intake.md)"
        }
        IntakeError::Invalid { .. } => "fix the item, or import the report by hand with `enigm-disclose new`",
        IntakeError::TooLarge { .. } => {
            "keep large material outside the repository and reference it; import the message without it"
        }
    };
    Error::usage(format!("cannot import: {e}"), help)
}

/// The correspondence entry of an incoming item.
fn recorded(item: &Incoming) -> Recorded {
    let message_id = match &item.source {
        Source::Email { message_id } => Some(message_id.clone()),
        _ => None,
    };
    Recorded {
        message: Message {
            at: item.at,
            direction: Direction::In,
            channel: item.source.channel(),
            message_id,
            in_reply_to: item.in_reply_to.first().cloned(),
            subject: item.title.clone(),
            template: None,
            text: String::new(),
            attachments: Vec::new(),
        },
        text: item.text.clone(),
        attachments: item.attachments.iter().map(|a| (a.name.clone(), a.bytes.clone())).collect(),
    }
}

/// The product (and component) of `item` (see the module docs).
fn product_of(config: &Config, item: &Incoming, default: Option<&str>) -> Result<(String, Option<String>)> {
    if let Some(p) = item.products.iter().find(|p| config.product(&p.name).is_some()) {
        return Ok((p.name.clone(), p.component.clone()));
    }
    for text in [&item.title, &item.text] {
        if let Some(found) = named_product(config, text) {
            return Ok(found);
        }
    }
    if let Some(d) = default {
        return Ok((d.to_owned(), None));
    }
    if let [only] = config.products.as_slice() {
        return Ok((only.name.clone(), None));
    }
    let known: Vec<&str> = config.products.iter().map(|p| p.name.as_str()).collect();
    Err(Error::usage(
        format!("the item names none of the products in enigm.yaml ({})", known.join(", ")),
        "name the product for items that name none with {product}",
    ))
}

/// The first product of the configuration named (as a whole word, any case) in `text`, the
/// earliest mention winning; a component named instead gives its product and the component.
fn named_product(config: &Config, text: &str) -> Option<(String, Option<String>)> {
    let lower = text.to_lowercase();
    let mut best: Option<(usize, String, Option<String>)> = None;
    for p in &config.products {
        let names = std::iter::once((p.name.as_str(), None)).chain(p.components.iter().map(|c| (c.as_str(), Some(c))));
        for (name, component) in names {
            if let Some(at) = word_at(&lower, &name.to_lowercase())
                && best.as_ref().is_none_or(|(b, _, _)| at < *b)
            {
                best = Some((at, p.name.clone(), component.cloned()));
            }
        }
    }
    best.map(|(_, p, c)| (p, c))
}

/// Where `word` first occurs in `text` with no letter or digit either side.
fn word_at(text: &str, word: &str) -> Option<usize> {
    if word.is_empty() {
        return None;
    }
    text.match_indices(word).map(|(i, _)| i).find(|&i| {
        let before = text[..i].chars().next_back();
        let after = text[i + word.len()..].chars().next();
        !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric)
    })
}

/// The rendered new report with the channel's CWEs, aliases (its own id among them for an
/// advisory) and references in place of the empty lists `new` writes.
fn with_lists(text: String, item: &Incoming) -> String {
    let aliases = item.aliases.clone();
    let list = |key: &str, values: &[String]| {
        if values.is_empty() {
            return format!("{key}: []\n");
        }
        let items: String = values.iter().map(|v| format!("  - {}\n", scalar(v))).collect();
        format!("{key}:\n{items}")
    };
    let references = if item.references.is_empty() {
        "references: []\n".to_owned()
    } else {
        let items: String =
            item.references.iter().map(|r| format!("  - type: {}\n    url: {}\n", r.kind, scalar(&r.url))).collect();
        format!("references:\n{items}")
    };
    let lists = format!("{}{}{references}", list("cwe", &item.cwe), list("aliases", &aliases));
    text.replacen("cwe: []\naliases: []\nreferences: []\n", &lists, 1)
}

/// The rendered new report with the channel's own entries for `product` (their affected and
/// fixed versions, ecosystem, package) in place of the bare name `new` writes, when the
/// channel has any; other products of the channel that `enigm.yaml` lists are not guessed at.
fn with_products(text: String, item: &Incoming, product: &str) -> String {
    let own: Vec<&crate::format::report::Product> = item.products.iter().filter(|p| p.name == product).collect();
    if own.is_empty() {
        return text;
    }
    let Ok(yaml) = serde_yaml::to_string(&own) else { return text };
    let block: String = yaml.lines().map(|l| format!("  {l}\n")).collect();
    let Some(start) = text.find("\nproducts:\n").map(|i| i + "\nproducts:\n".len()) else { return text };
    let end =
        text[start..].split_inclusive('\n').take_while(|l| l.starts_with("  ")).map(str::len).sum::<usize>() + start;
    format!("{}{block}{}", &text[..start], &text[end..])
}

/// The rendered new report with the channel's typed credits as its `credits` (before the
/// timeline), when it has any.
fn with_credits(text: String, item: &Incoming, path: &Path) -> String {
    if item.credits.is_empty() {
        return text;
    }
    let Ok(yaml) = serde_yaml::to_string(&item.credits) else { return text };
    let Ok(mut editor) = crate::format::report::edit::editor_for(path, text.clone()) else { return text };
    match editor.set_mapping("credits", &yaml) {
        Ok(()) => editor.text().to_owned(),
        Err(_) => text,
    }
}

/// Removes a new report's file (and its folder, if it was made) after a refusal.
fn remove_new(repo: &Repo, file: &NewFile) {
    let _ = fs::remove_file(repo.root().join(&file.path));
    let folder = repo.root().join(crate::format::correspondence::folder(&file.path));
    for sub in [crate::format::correspondence::MESSAGES_DIR, crate::format::correspondence::ATTACHMENTS_DIR] {
        let _ = fs::remove_dir(folder.join(sub));
    }
    let _ = fs::remove_dir(&folder);
    repo.pending_done();
}

/// Keeps the original bytes of an input outside the repository, in `dir` (made if missing),
/// as `<first 16 hex digits of their SHA-256>.<ext>` with mode 0600 (an existing file of that
/// name holds the same bytes and is kept). Refused when `dir` is inside the work tree or the
/// git directory. Returns the file's path.
pub fn keep_raw(repo: &Repo, dir: &Path, bytes: &[u8], ext: &str) -> Result<PathBuf> {
    let dir = check_raw_dir(repo, dir)?;
    let hash = crate::rules::checks::secrets::sha256_hex(bytes);
    let path = dir.join(format!("{}.{ext}", &hash[..16]));
    let opened = {
        use std::os::unix::fs::OpenOptionsExt;
        fs::OpenOptions::new().write(true).create_new(true).mode(0o600).open(&path)
    };
    match opened {
        Ok(mut f) => f
            .write_all(bytes)
            .and_then(|()| f.sync_all())
            .map_err(Error::io(format!("cannot write {}", path.display())))?,
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
        Err(e) => return Err(Error::io(format!("cannot write {}", path.display()))(e)),
    }
    Ok(path)
}

/// The `{keep_raw}` directory, resolved (through its nearest existing parent, so nothing is
/// made before the check) and refused inside the work tree or the git directory; then made.
pub fn check_raw_dir(repo: &Repo, dir: &Path) -> Result<PathBuf> {
    let mut existing = dir.to_owned();
    let mut missing = Vec::new();
    while fs::symlink_metadata(&existing).is_err() {
        match (existing.file_name(), existing.parent()) {
            (Some(name), Some(parent)) => {
                missing.push(name.to_owned());
                existing = parent.to_owned();
            }
            _ => break,
        }
    }
    let mut resolved =
        fs::canonicalize(&existing).map_err(Error::io(format!("cannot resolve {}", existing.display())))?;
    resolved.extend(missing.iter().rev());
    for inside in [repo.root(), repo.git_dir()] {
        let inside = fs::canonicalize(inside).unwrap_or_else(|_| inside.to_owned());
        if resolved.starts_with(&inside) {
            return Err(Error::usage(
                format!(
                    "{{keep_raw}} {} is inside the repository ({}): the originals would be committed or kept with it",
                    dir.display(),
                    inside.display()
                ),
                "name a directory outside the work tree and the git directory, e.g. a private one in your home",
            ));
        }
    }
    fs::create_dir_all(&resolved).map_err(Error::io(format!("cannot create {}", dir.display())))?;
    Ok(resolved)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::format::config::ConfigSeed;

    fn config(products: &[&str]) -> Config {
        let seed = ConfigSeed {
            id_prefix: "ENIGM".into(),
            organization: "Org".into(),
            security_contact: "s@x".into(),
            products: products.iter().map(|p| (*p).to_owned()).collect(),
        };
        Config::parse(&seed.render()).expect("config")
    }

    #[test]
    fn products_are_found_as_words_earliest_first() {
        let c = config(&["web", "api", "mobile"]);
        assert_eq!(named_product(&c, "The API and the web app"), Some(("api".into(), None)));
        assert_eq!(named_product(&c, "webhooks are broken"), None);
        assert_eq!(named_product(&c, "in Mobile."), Some(("mobile".into(), None)));
    }

    #[test]
    fn the_channels_own_product_entry_keeps_its_versions() {
        let text = "a\nproducts:\n  - name: web\ncwe: []\n".to_owned();
        let mut item = incoming();
        item.products = vec![
            crate::format::report::Product {
                name: "web".into(),
                affected: Some("< 2.4.1".into()),
                fixed: Some("2.4.1".into()),
                ..Default::default()
            },
            crate::format::report::Product { name: "other".into(), ..Default::default() },
        ];
        assert_eq!(
            with_products(text.clone(), &item, "web"),
            "a\nproducts:\n  - name: web\n    affected: < 2.4.1\n    fixed: 2.4.1\ncwe: []\n"
        );
        assert_eq!(with_products(text.clone(), &incoming(), "web"), text);
    }

    fn incoming() -> Incoming {
        crate::format::intake::Incoming {
            source: Source::Ghsa { ghsa_id: "GHSA-abcd-efgh-ijkl".into() },
            at: "2026-03-02T09:30:00+01:00".parse().expect("time"),
            title: "t".into(),
            reporter_name: "r".into(),
            reporter_contact: None,
            credit: None,
            credits: Vec::new(),
            products: Vec::new(),
            cvss: None,
            cvss_v4: None,
            level: None,
            cwe: Vec::new(),
            aliases: Vec::new(),
            references: Vec::new(),
            state: None,
            resolution: None,
            body: String::new(),
            text: String::new(),
            attachments: Vec::new(),
            in_reply_to: Vec::new(),
        }
    }

    #[test]
    fn lists_from_the_channel_replace_the_empty_ones() {
        let text = "a\ncwe: []\naliases: []\nreferences: []\nb\n".to_owned();
        let mut item = incoming();
        item.cwe = vec!["CWE-79".into()];
        item.aliases = vec!["CVE-2026-1234".into()];
        assert_eq!(
            with_lists(text.clone(), &item),
            "a\ncwe:\n  - CWE-79\naliases:\n  - CVE-2026-1234\nreferences: []\nb\n"
        );
        // The channel's own id is among the aliases once the item is normalised.
        let normal = crate::format::intake::render::normalise(&item, &config(&["web"]));
        assert_eq!(
            with_lists(text, &normal),
            "a\ncwe:\n  - CWE-79\naliases:\n  - GHSA-abcd-efgh-ijkl\n  - CVE-2026-1234\nreferences: []\nb\n"
        );
    }
}
