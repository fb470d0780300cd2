//! `reply`: a message to the reporter rendered from a template, as a complete RFC 5322
//! message, and (when sent) recorded in the report's correspondence in one commit.
//!
//! [`compose`] is pure: the report (as in the work tree), its findings and the policy fill
//! the template's variables ([`crate::publish::messages`]); lettre's builder writes the
//! message, so every header value is encoded and folded by the one implementation and no
//! value can start a header of its own (text values have their line breaks and controls
//! replaced by spaces first, message ids that are not `<local@domain>` are dropped). The
//! thread comes from `correspondence[]`: `Re:` the subject of the last message, answering its
//! `Message-Id`, with every earlier id in `References`.
//!
//! [`send_and_record`] checks everything that could refuse the record (the report, secrets
//! in the text) first, then sends, then writes and commits: a failed send leaves the
//! repository as it was; a failed commit after a send is [`Error::SentNotRecorded`], which
//! names the message id so nobody sends it twice.

use std::path::Path;
use std::str::FromStr;

use chrono::{DateTime, FixedOffset, NaiveDate};
use lettre::message::{Mailbox, header::ContentType};

use crate::error::{Error, Result};
use crate::format::config::Config;
use crate::format::report::{Channel, Direction, Document, Message, Report};
use crate::publish::messages::{self, MessageContext, OrganizationInfo, PolicyInfo, ReportInfo, ReporterInfo};
use crate::publish::templates::Renderer;
use crate::query::deadline;
use crate::store::repo::{Change, CommitId, Identity, Repo};
use crate::workflow::advance::refused;
use crate::workflow::correspond::{self, Recorded};

/// The most `References` a reply carries (the oldest are dropped first).
const MAX_REFERENCES: usize = 20;

/// What to write.
#[derive(Debug, Clone)]
pub struct ReplyRequest {
    pub id: String,
    pub template: String,
    /// The message's `Date` (and the correspondence entry's `at`).
    pub at: DateTime<FixedOffset>,
    pub today: NaiveDate,
}

/// A composed reply: the message as sent, and the entry that records it.
#[derive(Debug, Clone)]
pub struct Composed {
    pub id: String,
    pub message_id: String,
    /// The envelope: the sender's and the reporter's bare addresses.
    pub from: String,
    pub to: String,
    /// The whole RFC 5322 message (CRLF line ends).
    pub bytes: Vec<u8>,
    pub recorded: Recorded,
}

/// Loads report `id` from the work tree (in either layout), refusing one that does not parse.
pub fn load(root: &Path, id: &str) -> Result<Document> {
    let path = crate::store::scan::report_file(root, crate::layout::Layout::default(), id);
    let doc = Document::load(root, &path).map_err(|r| {
        refused(vec![r.finding], r.text, &format!("{id} is not valid; fix it first (`enigm-disclose validate {id}`)"))
    })?;
    crate::workflow::seal::require_open(&doc)?;
    Ok(doc)
}

/// Renders template `req.template` for the opened report `doc` and writes the message.
pub fn compose(config: &Config, renderer: &Renderer, doc: &Document, req: &ReplyRequest) -> Result<Composed> {
    let report = doc.report()?;
    let to = reporter_mailbox(&report)?;
    let from = sender_mailbox(config)?;
    let domain = config.mail.domain.clone().unwrap_or_else(|| from.email.domain().to_owned());
    let ctx = context(config, doc, &report, &from, crate::query::deadline::Now { today: req.today, at: req.at });
    let rendered = messages::render(renderer, &req.template, &ctx)?;
    let thread = Thread::of(&report);
    let subject = header_text(&match (&thread.subject, &rendered.subject) {
        (Some(s), _) => reply_subject(s),
        (None, Some(s)) => s.clone(),
        (None, None) => format!("[{}] {}", report.id, report.title),
    });
    let message_id = new_message_id(&domain, req.at)?;
    let mut builder = lettre::Message::builder()
        .from(from.clone())
        .to(to.clone())
        .subject(subject.clone())
        .date(req.at.into())
        .message_id(Some(message_id.clone()));
    if let Some(parent) = &thread.in_reply_to {
        builder = builder.in_reply_to(parent.clone()).references(thread.references.join(" "));
    }
    let email = builder
        .header(ContentType::TEXT_PLAIN)
        .body(rendered.body.clone())
        .map_err(|e| Error::usage(format!("{}: cannot write the message: {e}", report.id), "report this as a bug"))?;
    let message = Message {
        at: req.at,
        direction: Direction::Out,
        channel: Channel::Email,
        message_id: Some(message_id.clone()),
        in_reply_to: thread.in_reply_to.clone(),
        subject,
        template: Some(req.template.clone()),
        text: String::new(),
        attachments: Vec::new(),
    };
    Ok(Composed {
        id: report.id.clone(),
        message_id,
        from: from.email.to_string(),
        to: to.email.to_string(),
        bytes: email.formatted(),
        recorded: Recorded { message, text: rendered.body, attachments: Vec::new() },
    })
}

/// The changes that record `composed` on `doc` (checked: a refusal comes before any send).
pub fn record_changes(config: &Config, today: NaiveDate, doc: Document, composed: &Composed) -> Result<Vec<Change>> {
    Ok(correspond::changes(config, today, doc, &composed.recorded)?.0)
}

/// Sends `composed` through `send` and commits `changes` (which record it) with `message`:
/// nothing is written when the send fails; a failed commit after the send says so loudly.
pub fn send_and_commit(
    repo: &Repo,
    composed: &Composed,
    changes: &[Change],
    commit_message: &str,
    identity: &Identity,
    send: &dyn Fn(&Composed) -> Result<()>,
) -> Result<CommitId> {
    send(composed)?;
    crate::workflow::seal::write_and_commit(repo, changes, commit_message, identity).map_err(|e| {
        Error::SentNotRecorded { id: composed.id.clone(), message_id: composed.message_id.clone(), why: e.to_string() }
    })
}

/// Sends `composed` through `send` (a no-op for a message sent another way) and records it on
/// its report in one commit; the record is checked before anything is sent.
pub fn send_and_record(
    repo: &Repo,
    config: &Config,
    today: NaiveDate,
    composed: &Composed,
    identity: &Identity,
    send: &dyn Fn(&Composed) -> Result<()>,
) -> Result<CommitId> {
    let doc = load(repo.root(), &composed.id)?;
    let changes = record_changes(config, today, doc, composed)?;
    let message = commit_message(config, composed);
    send_and_commit(repo, composed, &changes, &message, identity, send)
}

/// The step `plan` (from [`crate::workflow::advance::plan`]) and a reply composed from the
/// report as the step leaves it, sent, then committed together as one commit (the step's
/// message with a `Disclosure-Reply` trailer). Nothing is written when the send fails.
pub fn advance_and_reply(
    repo: &Repo,
    config: &Config,
    renderer: &Renderer,
    plan: &crate::workflow::advance::Plan,
    req: &ReplyRequest,
    identity: &Identity,
    send: &dyn Fn(&Composed) -> Result<()>,
) -> Result<(Composed, CommitId)> {
    let doc = Document::parse_plain(&plan.path, plan.edited.clone())?;
    let composed = compose(config, renderer, &doc, req)?;
    let changes = record_changes(config, req.today, doc, &composed)?;
    let message = format!("{}Disclosure-Reply: {}\n", plan.message, composed.message_id);
    let commit = send_and_commit(repo, &composed, &changes, &message, identity, send)?;
    Ok((composed, commit))
}

/// The commit message of a recorded reply.
pub fn commit_message(config: &Config, composed: &Composed) -> String {
    let subject = crate::workflow::seal::withheld(config, &composed.recorded.message.subject);
    let template = composed.recorded.message.template.as_deref().unwrap_or("reply");
    format!(
        "{}: reply to the reporter ({template})\n\n{subject}\n\nDisclosure-Id: {}\nDisclosure-Reply: {}\n",
        composed.id, composed.id, composed.message_id
    )
}

/// The policy a message quotes: the report's own (`policy.products`), the strictest of its
/// concerned products' when it has several.
fn policy_info(config: &Config, report: &Report) -> PolicyInfo {
    let policies = config.policy.for_products(crate::query::deadline::concerned_products(report));
    let least = |days: fn(&crate::format::config::Policy) -> u32| policies.iter().map(|(_, p)| days(p)).min();
    let global = &config.policy;
    PolicyInfo {
        acknowledge_days: least(|p| p.acknowledge_days).unwrap_or(global.acknowledge_days),
        triage_days: least(|p| p.triage_days).unwrap_or(global.triage_days),
        publish_days: least(|p| p.publish_days).unwrap_or(global.publish_days),
        out_of_scope: global.out_of_scope.clone(),
    }
}

/// The variables of a message template for `report`.
fn context(
    config: &Config,
    doc: &Document,
    report: &Report,
    from: &Mailbox,
    now: crate::query::deadline::Now,
) -> MessageContext {
    let today = now.today;
    let publication_date = report.embargo_until.map(|e| e.date()).or_else(|| {
        deadline::pending(report, &config.policy, now)
            .into_iter()
            .find(|d| d.kind == deadline::Kind::Publish)
            .map(|d| d.due)
    });
    let base = crate::publish::templates::SiteInfo::from_config(config).base_url;
    MessageContext {
        report: ReportInfo {
            id: report.id.clone(),
            title: report.title.clone(),
            state: report.state.to_string(),
            reported: report.reported,
            resolution: report.resolution.map(|r| r.to_string()),
            duplicate_of: report.duplicate_of.clone(),
            severity: report.level().map(|l| l.to_string()),
            products: report.products.iter().map(|p| p.name.clone()).collect(),
            aliases: report.aliases.clone(),
            embargo_until: report.embargo_until,
            published: report.published,
        },
        reporter: ReporterInfo { name: report.reporter.name.clone(), credit: report.reporter.credit.clone() },
        organization: OrganizationInfo {
            name: config.organization.name.clone(),
            contact: config.organization.security_contact.clone(),
            website: config.organization.website.clone(),
        },
        policy: policy_info(config, report),
        missing: crate::rules::checks::sections::missing_info(doc, report),
        fixed_versions: report
            .products
            .iter()
            .filter_map(|p| crate::format::versions::fixed_text(p).map(|f| format!("{} {f}", p.name)))
            .collect(),
        publication_date,
        advisory_url: (!base.is_empty()).then(|| format!("{base}advisories/{}.html", report.id)),
        sender: from.name.clone().unwrap_or_else(|| format!("{} Security Team", config.organization.name)),
        today,
    }
}

/// The thread a reply continues.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Thread {
    subject: Option<String>,
    in_reply_to: Option<String>,
    references: Vec<String>,
}

impl Thread {
    /// From the correspondence: the subject of the last message, the last message id, and
    /// every well-formed id in order (at most [`MAX_REFERENCES`], the newest kept).
    fn of(report: &Report) -> Thread {
        let mut references: Vec<String> = Vec::new();
        for id in report.correspondence.iter().filter_map(|m| m.message_id.as_deref()).filter(|i| valid_message_id(i)) {
            if !references.iter().any(|r| r == id) {
                references.push(id.to_owned());
            }
        }
        let skip = references.len().saturating_sub(MAX_REFERENCES);
        references.drain(..skip);
        Thread {
            subject: report.correspondence.last().map(|m| m.subject.clone()).filter(|s| !s.trim().is_empty()),
            in_reply_to: references.last().cloned(),
            references,
        }
    }
}

/// `Re: subject`, without doubling an existing `Re:`.
fn reply_subject(subject: &str) -> String {
    let s = subject.trim();
    if s.get(..3).is_some_and(|p| p.eq_ignore_ascii_case("re:")) { s.to_owned() } else { format!("Re: {s}") }
}

/// A header value on one line: every control character (CR, LF, tab, …) a space, runs of
/// spaces one, trimmed. No value can end its header and start another.
pub fn header_text(value: &str) -> String {
    let spaced: String = value.chars().map(|c| if c.is_control() { ' ' } else { c }).collect();
    spaced.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Whether `id` is a `Message-Id` as RFC 5322 writes it: `<left@right>`, printable ASCII,
/// no spaces or angle brackets inside.
pub fn valid_message_id(id: &str) -> bool {
    let Some(inner) = id.strip_prefix('<').and_then(|i| i.strip_suffix('>')) else { return false };
    let ok = |part: &str| !part.is_empty() && part.bytes().all(|b| b.is_ascii_graphic() && !b"<>@\\\"".contains(&b));
    inner.len() <= 250 && inner.split_once('@').is_some_and(|(l, r)| ok(l) && ok(r))
}

/// A new, unique `Message-Id` at `domain`: the time and 128 random bits.
fn new_message_id(domain: &str, at: DateTime<FixedOffset>) -> Result<String> {
    let mut random = [0u8; 16];
    getrandom::fill(&mut random).map_err(|e| {
        Error::usage(format!("cannot draw a random message id: {e}"), "check the system's random source")
    })?;
    let hex: String = random.iter().map(|b| format!("{b:02x}")).collect();
    let id = format!("<{}.{hex}@{}>", at.format("%Y%m%d%H%M%S"), domain.trim());
    if !valid_message_id(&id) {
        return Err(Error::usage(
            format!("`{domain}` cannot be the domain of a message id"),
            "set `mail.domain` in enigm.yaml to a domain name (e.g. example.com)",
        ));
    }
    Ok(id)
}

/// The reporter's address, from `reporter.contact` (`jane@example.com`, `Jane <jane@…>`,
/// `mailto:jane@…`), named after the reporter when the contact gives no name.
fn reporter_mailbox(report: &Report) -> Result<Mailbox> {
    let contact = report.reporter.contact.as_deref().map(str::trim).unwrap_or_default();
    let bare = contact.strip_prefix("mailto:").unwrap_or(contact);
    let mut mailbox = parse_mailbox(bare).ok_or_else(|| {
        Error::usage(
            format!("{}: the reporter's contact `{}` is not an e-mail address", report.id, header_text(contact)),
            "set `reporter.contact` to the reporter's e-mail address; a message sent another way is recorded with `enigm-disclose correspond`",
        )
    })?;
    if mailbox.name.is_none() {
        mailbox.name = Some(header_text(&report.reporter.name)).filter(|n| !n.is_empty());
    }
    Ok(mailbox)
}

/// The sender: `mail.from`, else the organisation at its `security_contact`.
fn sender_mailbox(config: &Config) -> Result<Mailbox> {
    let configured = config.mail.from.as_deref();
    let text = configured.unwrap_or(&config.organization.security_contact);
    let mut mailbox = parse_mailbox(text.trim()).ok_or_else(|| {
        Error::usage(
            format!("`{}` is not an e-mail address to send replies from", header_text(text)),
            "set `mail.from` in enigm.yaml, e.g. `Security Team <security@example.com>`",
        )
    })?;
    if mailbox.name.is_none() {
        mailbox.name = Some(format!("{} Security Team", header_text(&config.organization.name)));
    }
    Ok(mailbox)
}

/// A mailbox, when `text` is one and holds no control character (a line break in a name
/// would be folded by lettre, but such a contact is not one to trust).
fn parse_mailbox(text: &str) -> Option<Mailbox> {
    if text.chars().any(char::is_control) {
        return None;
    }
    Mailbox::from_str(text).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_values_stay_on_one_line() {
        assert_eq!(header_text("Hi\r\nBcc: victim@example.com"), "Hi Bcc: victim@example.com");
        assert_eq!(header_text("  a\tb\u{0}c  "), "a b c");
        assert_eq!(reply_subject("RE: x"), "RE: x");
        assert_eq!(reply_subject("Bug"), "Re: Bug");
    }

    #[test]
    fn message_ids_are_checked_before_they_become_headers() {
        assert!(valid_message_id("<a.b@example.com>"));
        assert!(!valid_message_id("<a@b>\r\nBcc: x@y"));
        assert!(!valid_message_id("a@b"));
        assert!(!valid_message_id("<a b@c>"));
        assert!(!valid_message_id("<@c>"));
        let at = DateTime::parse_from_rfc3339("2026-06-15T09:00:00+02:00").expect("time");
        let one = new_message_id("acme.test", at).expect("id");
        assert!(one.starts_with("<20260615090000.") && one.ends_with("@acme.test>"), "{one}");
        assert_ne!(one, new_message_id("acme.test", at).expect("id"), "unique");
        assert!(new_message_id("bad domain\r\nX: y", at).is_err());
    }

    #[test]
    fn contacts_with_line_breaks_are_not_addresses() {
        assert!(parse_mailbox("jane@example.com").is_some());
        assert!(parse_mailbox("Jane Doe <jane@example.com>").is_some());
        assert!(parse_mailbox("jane@example.com\r\nBcc: x@example.com").is_none());
        assert!(parse_mailbox("@jane on Signal").is_none());
    }
}
