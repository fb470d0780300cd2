//! What a reporting channel delivers, read into one shape: an [`Incoming`] report (or a
//! follow-up to one) that `import` turns into a report file, committed like `new`.
//!
//! Each channel has its own reader: e-mail (`.eml`, mbox) in [`mail`], GitHub repository
//! security advisories / private vulnerability reports as the REST API returns them in
//! [`ghsa`], OSV records in [`osv`]. Readers only read: they never touch the repository,
//! allocate ids or redact; the import workflow (`workflow::import`) does that for every
//! channel alike, so the same checks, redaction and idempotency apply whatever the source.
//! [`render::normalise`] puts an advisory's products, ids and severity in this repository's terms first.

use chrono::{DateTime, FixedOffset};

use crate::format::report::{Channel, Level, Product, Reference, Resolution, State};

mod advisory;
pub mod detect;
pub mod ghsa;
pub mod html;
pub mod mail;
pub mod osv;
pub mod render;
pub mod sections;

/// Where an incoming item came from: the key that makes a second import of it a no-op.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Source {
    /// An e-mail, by its `Message-Id` (with angle brackets).
    Email { message_id: String },
    /// A GitHub security advisory, by its `ghsa_id`.
    Ghsa { ghsa_id: String },
    /// An OSV record, by its `id`.
    Osv { id: String },
}

impl Source {
    /// The channel a correspondence entry records for it.
    pub fn channel(&self) -> Channel {
        match self {
            Source::Email { .. } => Channel::Email,
            Source::Ghsa { .. } => Channel::Github,
            Source::Osv { .. } => Channel::Osv,
        }
    }
}

/// One file that came with an item: the sender's name for it and its bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attachment {
    pub name: String,
    pub bytes: Vec<u8>,
}

/// One item a channel delivered: a new report, or (with `in_reply_to`/`references` naming a
/// known message) a follow-up to one.
#[derive(Debug, Clone, PartialEq)]
pub struct Incoming {
    pub source: Source,
    /// When it was sent (the mail's `Date`, the advisory's `created_at`/`published`).
    pub at: DateTime<FixedOffset>,
    /// The subject line or the advisory's summary.
    pub title: String,
    pub reporter_name: String,
    /// An e-mail address or a handle (`@octocat`).
    pub reporter_contact: Option<String>,
    /// How the reporter asked to be credited, when the channel says.
    pub credit: Option<String>,
    /// Every credit the channel records, typed (GHSA `credits`, OSV `credits[]`): the report's
    /// public credits once it is published. Empty for mail (nobody is credited unasked).
    pub credits: Vec<crate::format::report::credit::Credit>,
    pub products: Vec<Product>,
    pub cvss: Option<String>,
    pub cvss_v4: Option<String>,
    pub level: Option<Level>,
    pub cwe: Vec<String>,
    /// Other ids of the issue: the GHSA id, an OSV id, CVE ids.
    pub aliases: Vec<String>,
    pub references: Vec<Reference>,
    /// The state the channel's own record is in, mapped to ours (a published GHSA →
    /// `published`); `None` for `received`.
    pub state: Option<State>,
    pub resolution: Option<Resolution>,
    /// The report body: Markdown with the `##` sections of a report (Summary, Impact,
    /// Reproduction, Context, …) where the channel's text can be split that way.
    pub body: String,
    /// The message text as received (plain text or Markdown converted from HTML): the
    /// first correspondence entry of the report, or the follow-up's.
    pub text: String,
    pub attachments: Vec<Attachment>,
    /// The `Message-Id` this item answers (`In-Reply-To`), then the rest of `References`.
    pub in_reply_to: Vec<String>,
}

/// Why a channel's bytes could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IntakeError {
    /// The bytes are not in any format `import` reads.
    #[error("not an e-mail, an mbox, a GitHub security advisory or an OSV record: {why}")]
    Unrecognised { why: String },
    /// The format is known but the item is broken; `field` names what (`ghsa_id`, `Date`).
    #[error("{field}: {why}")]
    Invalid { field: String, why: String },
    /// Over a limit (size, parts, items); says which.
    #[error("{what} exceeds the limit of {limit}")]
    TooLarge { what: String, limit: String },
}
