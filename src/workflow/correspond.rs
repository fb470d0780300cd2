//! Recording a message to or from the reporter: its entry appended to `correspondence[]`,
//! its text (and the files that came with it) written to the report's folder, all in one
//! commit. In a sealed repository the report is re-sealed and every file is sealed to the
//! report's recipients before it is written, so no message text reaches git in clear.
//!
//! The text and every attachment are scanned for secrets first: a message holding one is
//! refused and nothing is written (an importer redacts before it records). The file layout
//! is [`crate::format::correspondence`]'s.

use std::path::Path;

use chrono::NaiveDate;

use crate::error::{Error, Result};
use crate::format::config::Config;
use crate::format::correspondence as layout;
use crate::format::finding::{Finding, Severity};
use crate::format::report::edit::Editor;
use crate::format::report::{Document, Message, Report};
use crate::format::sealed;
use crate::rules::attachments;
use crate::rules::checks::secrets;
use crate::store::repo::{Change, CommitId, Identity, Repo};
use crate::workflow::advance::refused;

/// A message to record: its entry (`text` and `attachments` are filled in here), its text
/// and the files that came with it (the sender's name for each, and its bytes).
#[derive(Debug, Clone)]
pub struct Recorded {
    pub message: Message,
    pub text: String,
    pub attachments: Vec<(String, Vec<u8>)>,
}

/// The changes that record `rec` on the opened report `doc` (plaintext at `doc.path`): the
/// report with its new entry (stored, so sealed in a sealed repository), the text file and
/// the attachments. Returns them with the entry as written. A message dated before the
/// report's `reported` date or after `today` is refused, as `validate` would refuse it.
pub fn changes(config: &Config, today: NaiveDate, doc: Document, rec: &Recorded) -> Result<(Vec<Change>, Message)> {
    crate::workflow::seal::require_open(&doc)?;
    let report = doc.report()?;
    check_date(&report, &rec.message, today)?;
    let path = doc.path.clone();
    let n = report.correspondence.len() + 1;
    let is_sealed = config.sealing.is_some();
    let mut message = rec.message.clone();
    message.text = layout::message_name(n, message.direction, is_sealed);
    message.attachments.clear();
    let mut files: Vec<(String, Vec<u8>)> = vec![(message.text.clone(), rec.text.clone().into_bytes())];
    for (name, bytes) in &rec.attachments {
        let mut stored = layout::attachment_name(n, name, is_sealed);
        while files.iter().any(|(f, _)| *f == stored) {
            stored = layout::attachment_name(n, &format!("{}-{name}", files.len()), is_sealed);
        }
        message.attachments.push(stored.clone());
        files.push((stored, bytes.clone()));
    }
    check_secrets(&report.id, &path, &files)?;
    let entry = serde_yaml::to_string(&message)
        .map_err(|e| Error::usage(format!("cannot write the message entry: {e}"), "report this as a bug"))?;
    let mut editor = Editor::new(doc);
    editor.append_mapping("correspondence", &entry).map_err(|e| {
        Error::usage(format!("{}: {e}", path.display()), "write `correspondence:` as a block list, one entry per item")
    })?;
    let edited = editor.into_document();
    let new_text = crate::workflow::seal::stored(config, &path, edited.text, None)?;
    let mut out = vec![Change::Write { path: path.clone(), content: new_text.into_bytes() }];
    let recipients = recipients(config, &report, &path)?;
    for (name, bytes) in files {
        let target = layout::resolve(&path, &name).ok_or_else(|| {
            Error::usage(format!("{name}: not a path inside the report's folder"), "report this as a bug")
        })?;
        let content = match &recipients {
            Some(r) => seal_file(&target, &bytes, r)?,
            None => bytes,
        };
        out.push(Change::Write { path: target, content });
    }
    Ok((out, message))
}

/// Records `rec` on report `id` and commits it alone; returns the commit.
pub fn record(
    repo: &Repo,
    config: &Config,
    today: NaiveDate,
    id: &str,
    rec: &Recorded,
    identity: &Identity,
) -> Result<CommitId> {
    let path = crate::store::scan::report_file(repo.root(), config.layout, id);
    let doc = Document::load(repo.root(), &path).map_err(|r| {
        refused(vec![r.finding], r.text, &format!("{id} is not valid; fix it first (`enigm-disclose validate {id}`)"))
    })?;
    let (changes, message) = changes(config, today, doc, rec)?;
    let subject = crate::workflow::seal::withheld(config, &message.subject);
    let verb = match message.direction {
        crate::format::report::Direction::In => "from",
        crate::format::report::Direction::Out => "to",
    };
    let commit_message = format!("{id}: message {verb} the reporter\n\n{subject}\n");
    crate::workflow::seal::write_and_commit(repo, &changes, &commit_message, identity)
}

/// Refuses a message dated before `reported` or after today: the `message-date` check of
/// `validate`, made before anything is written (a clone has no pre-commit hook to make it).
fn check_date(report: &Report, message: &Message, today: NaiveDate) -> Result<()> {
    let day = message.at.date_naive();
    let why = if day < report.reported {
        format!("before the report's `reported` date {}", report.reported)
    } else if day > today {
        format!("in the future (today is {today})")
    } else {
        return Ok(());
    };
    Err(Error::usage(
        format!("{}: the message is dated {day}, {why}; nothing was written", report.id),
        "a message is recorded on or after the report's `reported` date and not after today \
         (`message-date`, docs/checks.md): check the date given for it, or the mail's Date header",
    ))
}

/// Refuses a message whose text or attachments hold a secret.
fn check_secrets(id: &str, report: &Path, files: &[(String, Vec<u8>)]) -> Result<()> {
    let mut found: Vec<Finding> = Vec::new();
    for (name, bytes) in files {
        let rel = layout::folder(report).join(name.trim_end_matches(".age").trim_end_matches('.'));
        let (_, findings) = if name.starts_with(layout::MESSAGES_DIR) {
            let text = String::from_utf8_lossy(bytes);
            (None, secrets::scan(&text, &rel))
        } else {
            attachments::check(&rel, bytes)
        };
        found.extend(findings.into_iter().filter(|f| f.severity == Severity::Error));
    }
    if found.is_empty() {
        return Ok(());
    }
    Err(refused(found, None, &format!("{id}: the message is refused: it holds material that must not enter git")))
}

/// The recipients files of the report are sealed to, in a sealed repository.
fn recipients(
    config: &Config,
    report: &crate::format::report::Report,
    path: &Path,
) -> Result<Option<Vec<crate::format::keys::Recipient>>> {
    let Some(sealing) = &config.sealing else { return Ok(None) };
    sealing.recipients_for(report.products.iter().map(|p| p.name.as_str())).map(Some).map_err(|e| Error::Sealed {
        path: path.to_owned(),
        why: e.into(),
        help: "fix `sealing` in enigm.yaml".into(),
    })
}

/// One file of a sealed report's folder, sealed.
fn seal_file(target: &Path, bytes: &[u8], recipients: &[crate::format::keys::Recipient]) -> Result<Vec<u8>> {
    sealed::seal_bytes(bytes, recipients).map(String::into_bytes).map_err(|why| Error::Sealed {
        path: target.to_owned(),
        why,
        help: "check `sealing.recipients` in enigm.yaml".into(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::format::config::ConfigSeed;
    use crate::format::keys::{Identities, generate};
    use crate::format::report::{Channel, Direction};

    const REPORT: &str = "---\nid: ENIGM-2026-0001\ntitle: T\nstate: received\nreported: 2026-03-01\nreporter:\n  name: R\nproducts:\n  - name: web\ntimeline:\n  - date: 2026-03-01\n    state: received\n---\n## Summary\n\nS.\n";

    fn config(sealed_to: Option<&str>) -> Config {
        let seed = ConfigSeed {
            id_prefix: "ENIGM".into(),
            organization: "Org".into(),
            security_contact: "s@x".into(),
            products: vec!["web".into()],
        };
        let mut text = seed.render();
        if let Some(key) = sealed_to {
            text.push_str(&format!("sealing:\n  recipients:\n    - {key}\n"));
        }
        Config::parse(&text).expect("config")
    }

    fn rec(text: &str, attachments: Vec<(String, Vec<u8>)>) -> Recorded {
        Recorded {
            message: Message {
                at: "2026-03-02T09:30:00+01:00".parse().expect("time"),
                direction: Direction::In,
                channel: Channel::Email,
                message_id: Some("<a@b>".into()),
                in_reply_to: None,
                subject: "More: logs".into(),
                template: None,
                text: String::new(),
                attachments: Vec::new(),
            },
            text: text.into(),
            attachments,
        }
    }

    fn today() -> NaiveDate {
        "2026-03-15".parse().expect("date")
    }

    fn doc() -> Document {
        Document::parse(Path::new("reports/ENIGM-2026-0001.md"), REPORT.into()).expect("doc")
    }

    fn written(changes: &[Change]) -> Vec<(String, String)> {
        changes
            .iter()
            .filter_map(|c| match c {
                Change::Write { path, content } => {
                    Some((path.display().to_string(), String::from_utf8_lossy(content).into_owned()))
                }
                _ => None,
            })
            .collect()
    }

    #[test]
    fn a_message_appends_an_entry_and_writes_its_files_in_the_folder() {
        let files = vec![("../../x.log".to_owned(), b"log line\n".to_vec())];
        let (changes, message) =
            changes(&config(None), today(), doc(), &rec("Here are logs.\n", files)).expect("changes");
        let w = written(&changes);
        assert_eq!(
            w.iter().map(|(p, _)| p.as_str()).collect::<Vec<_>>(),
            [
                "reports/ENIGM-2026-0001.md",
                "reports/ENIGM-2026-0001/messages/0001-in.md",
                "reports/ENIGM-2026-0001/attachments/0001-x.log"
            ]
        );
        assert!(w[0].1.starts_with(&REPORT[..REPORT.find("---\n##").expect("end")]), "only appended: {}", w[0].1);
        let back = Document::parse(Path::new("reports/ENIGM-2026-0001.md"), w[0].1.clone())
            .expect("parses")
            .report()
            .expect("typed");
        assert_eq!(back.correspondence, vec![message.clone()]);
        assert_eq!(message.attachments, ["attachments/0001-x.log"]);
        assert_eq!(w[1].1, "Here are logs.\n");
    }

    #[test]
    fn a_message_with_a_secret_is_refused() {
        let key = "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW\n-----END OPENSSH PRIVATE KEY-----\n";
        let attached = vec![("k.txt".to_owned(), key.as_bytes().to_vec())];
        assert!(changes(&config(None), today(), doc(), &rec("hi", attached)).is_err(), "in an attachment");
        assert!(changes(&config(None), today(), doc(), &rec(key, vec![])).is_err(), "in the text");
    }

    #[test]
    fn a_sealed_repository_seals_every_file_and_keeps_only_time_and_direction_in_clear() {
        let (identity, public) = generate();
        let files = vec![("shot.png".to_owned(), vec![0x89, b'P', b'N', b'G', 0, 1, 2])];
        let (changes, message) =
            changes(&config(Some(&public)), today(), doc(), &rec("Secret-ish words\n", files)).expect("changes");
        let w = written(&changes);
        assert_eq!(message.text, "messages/0001-in.md.age");
        assert!(w[0].1.contains("correspondence:\n  - at: "), "{}", w[0].1);
        assert!(!w[0].1.contains("More: logs"), "subject sealed: {}", w[0].1);
        let ids = Identities::parse(&identity, "test").expect("identity");
        assert_eq!(sealed::unseal(&w[1].1, &ids).expect("opens"), "Secret-ish words\n");
        assert!(w[2].0.ends_with("attachments/0001-shot.png.age"));
        assert_eq!(sealed::unseal_bytes(&w[2].1, &ids).expect("opens"), vec![0x89, b'P', b'N', b'G', 0, 1, 2]);
    }

    #[test]
    fn a_message_dated_outside_reported_to_today_is_refused() {
        let at = |t: &str| {
            let mut r = rec("hi", vec![]);
            r.message.at = t.parse().expect("time");
            r
        };
        assert!(changes(&config(None), today(), doc(), &at("2026-03-15T23:00:00+01:00")).is_ok(), "today");
        assert!(changes(&config(None), today(), doc(), &at("2026-03-01T00:00:00+01:00")).is_ok(), "reported");
        let future = changes(&config(None), today(), doc(), &at("2026-03-16T00:00:00+01:00")).unwrap_err();
        assert!(future.to_string().contains("dated 2026-03-16, in the future"), "{future}");
        let early = changes(&config(None), today(), doc(), &at("2026-02-28T23:59:00+01:00")).unwrap_err();
        assert!(early.to_string().contains("before the report's `reported` date 2026-03-01"), "{early}");
    }
}
