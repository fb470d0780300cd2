//! `enigm-disclose reply` (a templated message to the reporter: written out, sent, recorded)
//! and `enigm-disclose correspond` (recording a message sent or received another way).

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use chrono::{DateTime, FixedOffset};
use clap::Args;
use enigm_disclose::Error;
use enigm_disclose::format::report::{Channel, Direction, Message};
use enigm_disclose::publish::templates::Renderer;
use enigm_disclose::store::clock;
use enigm_disclose::store::mail::{self, Outgoing};
use enigm_disclose::store::repo::{Identity, Repo};
use enigm_disclose::workflow::correspond::{self, Recorded};
use enigm_disclose::workflow::reply::{self, Composed, ReplyRequest};

use super::Context;
use super::output::{Format, check_output, flag, print, print_data, print_json, write_output};
use super::select::QueryArgs;

/// Write a message to the reporter from a template (and send it, recorded).
///
/// The message is complete (RFC 5322: To the reporter's contact, From `mail.from`, Subject,
/// Date, a new Message-Id, In-Reply-To and References from the report's correspondence). It
/// goes to stdout or --output; --send sends it (`mail.transport` in enigm.yaml: SMTP, or
/// `sendmail -t`) and commits the correspondence entry and its text; --record commits them
/// without sending, for a message you send yourself. Templates: `templates/messages/*.j2`
/// (docs/intake.md, "Reply templates").
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  enigm-disclose reply 7 --template acknowledgement\n  enigm-disclose reply 7 --template needs-info --send\n  enigm-disclose reply 7 8 9 --template acknowledgement --send\n  enigm-disclose reply --state received --template acknowledgement --send\n  enigm-disclose reply 7 --template out-of-scope --output reply.eml\n\nTemplates: acknowledgement, needs-info, triaged, confirmed, fixed, published,\ncredit, and one per resolution: not-a-vulnerability, expected-behavior,\nduplicate, known-issue, unsupported-configuration, outside-control,\nout-of-scope.\nEnvironment: ENIGM_SMTP_USER and ENIGM_SMTP_PASSWORD log in to the SMTP\nserver; ENIGM_SENDMAIL names the sendmail program."
)]
pub struct ReplyArgs {
    /// The reports (ENIGM-2026-0007, 2026-7 or 7; none with a query); one message each.
    #[arg(add = clap_complete::engine::ArgValueCompleter::new(super::complete::report_ids))]
    ids: Vec<String>,
    /// The message template (`templates/messages/NAME.j2`).
    #[arg(long, short = 't', value_name = "NAME")]
    template: String,
    /// Write the message to FILE (with several reports: into the directory FILE, as ID.eml).
    #[arg(long, short = 'o', value_name = "FILE", value_hint = clap::ValueHint::FilePath)]
    output: Option<PathBuf>,
    /// Send the message and commit its record.
    #[arg(long, conflicts_with = "record")]
    send: bool,
    /// Commit the record without sending (you send the message yourself).
    #[arg(long)]
    record: bool,
    /// Replace an --output file the tool did not write.
    #[arg(long)]
    force: bool,
    /// Do not run the repository's pre-commit and commit-msg hooks (as `git commit --no-verify`).
    #[arg(long)]
    no_verify: bool,
    /// Output format of the summary (with --send or --record).
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,
    /// Select the reports by a query instead of ids (the filters of `list`).
    #[command(flatten, next_help_heading = "Query (instead of ids)")]
    query: QueryArgs,
}

/// Record a message to or from the reporter that travelled another way.
///
/// A web form, a call, a mail typed in by hand: its `correspondence` entry, its text and its
/// attachments (scanned for secrets), in one commit. docs/intake.md, "Correspondence".
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  enigm-disclose correspond 7 --in --subject \"More details\" mail.txt\n  enigm-disclose correspond 7 --out --channel phone --subject Call - < notes.txt\n  enigm-disclose correspond 7 --in --subject Logs --attach crash.log text.md"
)]
pub struct CorrespondArgs {
    /// The report (ENIGM-2026-0007, 2026-7 or 7).
    #[arg(add = clap_complete::engine::ArgValueCompleter::new(super::complete::report_ids))]
    id: String,
    /// The message's text: a file, or `-` for standard input.
    #[arg(value_name = "FILE")]
    text: PathBuf,
    /// A message from the reporter.
    #[arg(long = "in", conflicts_with = "outgoing", required_unless_present = "outgoing")]
    incoming: bool,
    /// A message to the reporter.
    #[arg(long = "out")]
    outgoing: bool,
    /// Its subject.
    #[arg(long)]
    subject: String,
    /// How it travelled.
    #[arg(long, value_parser = parse_channel, default_value = "email")]
    channel: Channel,
    /// When it was sent or received, RFC 3339 (2026-06-15T09:30:00+02:00) [default: now].
    #[arg(long, value_parser = parse_time)]
    at: Option<DateTime<FixedOffset>>,
    /// Its Message-Id, `<id@domain>`.
    #[arg(long, value_name = "ID")]
    message_id: Option<String>,
    /// The Message-Id it answers.
    #[arg(long, value_name = "ID")]
    in_reply_to: Option<String>,
    /// The template an outgoing message was written from.
    #[arg(long, value_name = "NAME")]
    template: Option<String>,
    /// A file that came with it (repeatable).
    #[arg(long, value_name = "FILE")]
    attach: Vec<PathBuf>,
    /// Do not run the repository's pre-commit and commit-msg hooks (as `git commit --no-verify`).
    #[arg(long)]
    no_verify: bool,
}

fn parse_channel(s: &str) -> Result<Channel, String> {
    s.parse()
}

fn parse_time(s: &str) -> Result<DateTime<FixedOffset>, String> {
    DateTime::parse_from_rfc3339(s.trim()).map_err(|e| format!("{e} (write it as 2026-06-15T09:30:00+02:00)"))
}

/// The largest message text or attachment read (the limit of files under `reports/`).
const MAX_INPUT: u64 = enigm_disclose::rules::attachments::MAX_BYTES;

pub fn run(ctx: &Context, args: ReplyArgs) -> Result<ExitCode, Error> {
    let (repo, config) = ctx.open()?;
    let commits = args.send || args.record;
    let _lock = if commits { Some(super::locked(&repo)?) } else { None };
    let identity = if commits { Some(identity(&repo, args.no_verify)?) } else { None };
    let (today, at) = (clock::today()?, clock::now()?);
    let ids = super::select::reports(&repo, &config, today, &args.ids, &args.query)?;
    if ids.is_empty() {
        eprintln!("no reports match the query: nothing to do");
        return Ok(ExitCode::SUCCESS);
    }
    let several = ids.len() > 1;
    if several && args.output.is_none() && !commits {
        return Err(Error::usage(
            "several messages cannot all go to standard output",
            format!("pass {} DIR (one ID.eml each), or {} to send them", flag("output"), flag("send")),
        ));
    }
    let renderer = Renderer::new(Some(repo.root()))?;
    // Every message is composed (and checked) before the first is sent.
    let mut composed = Vec::new();
    for id in ids {
        let req = ReplyRequest { id: id.clone(), template: args.template.clone(), at, today };
        let doc = reply::load(repo.root(), &id)?;
        composed.push(reply::compose(&config, &renderer, &doc, &req)?);
    }
    if let Some(out) = &args.output {
        write_messages(&repo, &ctx.cwd.join(out), &composed, several, args.force)?;
    }
    let Some(identity) = identity else {
        if args.output.is_none() {
            print_data(&String::from_utf8_lossy(&composed[0].bytes).replace("\r\n", "\n"))?;
        }
        return Ok(ExitCode::SUCCESS);
    };
    let send =
        |c: &Composed| -> Result<(), Error> { if args.send { mail::send(&config.mail, outgoing(c)) } else { Ok(()) } };
    let mut done = Vec::new();
    for c in &composed {
        let commit = reply::send_and_record(&repo, &config, today, c, &identity, &send)?;
        if args.format == Format::Human {
            print(&summary(c, args.send, &commit.short()))?;
        }
        done.push(serde_json::json!({
            "id": c.id, "to": c.to, "message_id": c.message_id, "sent": args.send, "commit": commit.to_string(),
        }));
    }
    if args.format == Format::Json {
        print_json(&done)?;
    }
    Ok(ExitCode::SUCCESS)
}

/// The envelope and bytes of a composed message.
pub fn outgoing(c: &Composed) -> Outgoing<'_> {
    Outgoing { id: &c.id, from: &c.from, to: &c.to, bytes: &c.bytes }
}

/// The human line of one sent or recorded message.
pub fn summary(c: &Composed, sent: bool, commit: &str) -> String {
    let verb = if sent { "sent to" } else { "recorded as sent to" };
    format!(
        "{}: {verb} {} ({})\n  Message-Id: {}\nCommitted as {commit}\n",
        c.id, c.to, c.recorded.message.subject, c.message_id
    )
}

/// The commit identity (hooks skipped with --no-verify), checked before anything is sent.
pub fn identity(repo: &Repo, no_verify: bool) -> Result<Identity, Error> {
    let identity = repo.identity()?;
    repo.check_can_commit()?;
    if !repo.has_head() {
        return Err(Error::UnbornHead);
    }
    Ok(if no_verify { identity.without_hooks() } else { identity })
}

fn write_messages(repo: &Repo, out: &Path, composed: &[Composed], several: bool, force: bool) -> Result<(), Error> {
    for c in composed {
        let path = if several { out.join(format!("{}.eml", c.id)) } else { out.to_owned() };
        check_output(repo, &path, force)?;
        write_output(repo, &path, &c.bytes)?;
    }
    Ok(())
}

pub fn run_correspond(ctx: &Context, args: CorrespondArgs) -> Result<ExitCode, Error> {
    let (repo, config) = ctx.open()?;
    let _lock = super::locked(&repo)?;
    let identity = identity(&repo, args.no_verify)?;
    let id = super::report_id(&repo, &args.id)?;
    let rec = recorded(ctx, &args)?;
    let commit = correspond::record(&repo, &config, clock::today()?, &id, &rec, &identity)?;
    let direction = if args.incoming { "from" } else { "to" };
    print(&format!("{id}: message {direction} the reporter recorded\nCommitted as {}\n", commit.short()))?;
    Ok(ExitCode::SUCCESS)
}

fn recorded(ctx: &Context, args: &CorrespondArgs) -> Result<Recorded, Error> {
    for (field, value) in [("message_id", &args.message_id), ("in_reply_to", &args.in_reply_to)] {
        if let Some(v) = value
            && !reply::valid_message_id(v)
        {
            return Err(Error::usage(
                format!("{} `{}` is not a message id", flag(field), reply::header_text(v)),
                "write it as RFC 5322 does, in angle brackets: <id@example.com>",
            ));
        }
    }
    let text = read_input(&ctx.cwd, &args.text)?;
    let text = String::from_utf8(text).map_err(|_| {
        Error::usage(format!("{}: the message text is not UTF-8", args.text.display()), "save it as UTF-8")
    })?;
    let mut attachments = Vec::new();
    for path in &args.attach {
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        attachments.push((name, read_input(&ctx.cwd, path)?));
    }
    let message = Message {
        at: args.at.map_or_else(clock::now, Ok)?,
        direction: if args.incoming { Direction::In } else { Direction::Out },
        channel: args.channel,
        message_id: args.message_id.clone(),
        in_reply_to: args.in_reply_to.clone(),
        subject: reply::header_text(&args.subject),
        template: args.template.clone(),
        text: String::new(),
        attachments: Vec::new(),
    };
    Ok(Recorded { message, text, attachments })
}

/// A file's bytes (bounded; only a regular file), or standard input for `-`.
fn read_input(cwd: &Path, path: &Path) -> Result<Vec<u8>, Error> {
    if path == Path::new("-") {
        let mut bytes = Vec::new();
        std::io::stdin()
            .take(MAX_INPUT + 1)
            .read_to_end(&mut bytes)
            .map_err(Error::io("cannot read standard input"))?;
        return bounded(bytes, path);
    }
    let full = cwd.join(path);
    let bytes = enigm_disclose::layout::read_regular(&full, MAX_INPUT + 1)
        .map_err(Error::io(format!("cannot read {}", path.display())))?;
    bounded(bytes, path)
}

fn bounded(bytes: Vec<u8>, path: &Path) -> Result<Vec<u8>, Error> {
    if bytes.len() as u64 > MAX_INPUT {
        return Err(Error::usage(
            format!("{} is larger than 1 MiB, the limit of files kept with a report", path.display()),
            "keep large material outside the repository and describe it in the message",
        ));
    }
    Ok(bytes)
}
