//! Operational errors: why a command could not do its job.
//!
//! This module depends on nothing but [`format::finding`](crate::format::finding),
//! [`format::report`](crate::format::report) and [`format::sealed`](crate::format::sealed)'s
//! error (a template problem is defined here, not in `publish`), so every room can return
//! these errors without an import cycle.
//!
//! Problems *in* a file are [`Finding`](crate::format::finding::Finding)s; when one stops a command it
//! travels as [`Error::File`]. Everything else (no repository, no git identity, a locked
//! index, a bad request) is a variant here with a code and a help text. Core errors name
//! request fields and concepts, never command-line flags: the CLI maps fields to its flags
//! ([`FieldText`]) and adds the hints that depend on how the tool was called. [`Error::exit_code`] maps
//! them onto the documented exit codes: 1 for a problem in a file, 2 for everything else.

use std::fmt;
use std::io;
use std::path::PathBuf;

use miette::{Diagnostic, LabeledSpan, NamedSource, SourceCode};

use crate::format::finding::{Finding, Severity};
use crate::format::report::Rejected;

/// Result alias for the library.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Why a command failed.
#[derive(Debug, thiserror::Error, Diagnostic)]
pub enum Error {
    /// The repository has no commit yet, so there is nothing to build on.
    #[error("the repository has no commits yet")]
    #[diagnostic(code("unborn-head"), help("commit the disclosure repository first (`enigm-disclose init` does)"))]
    UnbornHead,

    /// The directory to work in does not exist.
    #[error("no such directory: {}", path.display())]
    #[diagnostic(code("no-such-directory"), help("name an existing directory"))]
    NoSuchDirectory { path: PathBuf },

    /// The directory to work in exists but is a file (or another non-directory).
    #[error("not a directory: {}", path.display())]
    #[diagnostic(code("not-a-directory"), help("name the directory that holds it"))]
    NotADirectory { path: PathBuf },

    /// The directory is not inside a git work tree at all.
    #[error("{} is not inside a git repository, so not inside a disclosure repository", path.display())]
    #[diagnostic(code("not-a-git-repo"), help("create one with `enigm-disclose init`, or work from inside one"))]
    NotAGitRepo { path: PathBuf },

    /// The directory is inside a git work tree that is not a disclosure repository.
    #[error("{} is not inside a disclosure repository: the git work tree {} has no enigm.yaml at its root", path.display(), root.display())]
    #[diagnostic(
        code("not-a-disclosure-repo"),
        help("make it one with `enigm-disclose init` at its root, or work from inside a disclosure repository")
    )]
    NotADisclosureRepo { path: PathBuf, root: PathBuf },

    /// A file (report or configuration) has a problem that stops the command.
    #[error(transparent)]
    #[diagnostic(transparent)]
    File(Box<FileProblem>),

    /// A change was refused: the report does not meet the requirements (each one listed).
    #[error("{headline}")]
    #[diagnostic(code("refused"))]
    Refused {
        headline: String,
        #[related]
        problems: Vec<FileProblem>,
        count: usize,
    },

    /// The requested state change is not a step of the disclosure lifecycle.
    #[error("{message}")]
    #[diagnostic(code("illegal-step"))]
    Step {
        message: String,
        #[help]
        help: String,
    },

    /// `user.name` / `user.email` are not set, so no commit can be authored.
    #[error("no git identity: {missing} not set")]
    #[diagnostic(
        code("no-git-identity"),
        help("set it with `git config user.name \"Your Name\"` and `git config user.email you@example.com`")
    )]
    NoIdentity { missing: String },

    /// HEAD is detached, so a commit would not land on any branch. `branch` is the one to
    /// go back to, when the repository says (the branch left last, or the only one).
    #[error("HEAD is detached; the commit would not be on any branch")]
    #[diagnostic(code("detached-head"), help("{}", switch_help(branch.as_deref())))]
    DetachedHead { branch: Option<String> },

    /// Another git process holds the index lock.
    #[error("the git index is locked by another process ({})", path.display())]
    #[diagnostic(
        code("index-locked"),
        help("wait for the other git command to finish; if none is running, remove the stale lock file")
    )]
    IndexLocked { path: PathBuf },

    /// The commit would change nothing.
    #[error("nothing to commit: the files are already committed as they are")]
    #[diagnostic(code("nothing-to-commit"))]
    NothingToCommit,

    /// A template failed to load or render.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Template(Box<TemplateProblem>),

    /// A CSAF document built from a report fails one of the standard's mandatory tests; nothing
    /// was written. Reports that pass `validate` should never get here.
    #[error("the CSAF document of {id} fails mandatory test {test} of CSAF 2.0: {message}")]
    #[diagnostic(
        code("csaf-self-check"),
        help("no file was written; this is a bug in enigm-disclose if the report validates: please report it")
    )]
    CsafSelfCheck { id: String, test: &'static str, message: String },

    /// A sealed report could not be sealed or opened (no key, wrong key, damaged block).
    #[error("{}: {why}", path.display())]
    #[diagnostic(code("sealed"))]
    Sealed {
        path: PathBuf,
        /// Not a `source`: the message already says it, and miette would repeat it below.
        why: crate::format::sealed::SealError,
        #[help]
        help: String,
    },

    /// A reply could not be sent (SMTP or `sendmail`): nothing was recorded or committed.
    #[error("{id}: the message was not sent: {why}")]
    #[diagnostic(code("send-failed"))]
    SendFailed {
        id: String,
        why: String,
        #[help]
        help: String,
    },

    /// A reply WAS sent, but recording it (the correspondence entry and its commit) failed.
    #[error("{id}: the message {message_id} WAS SENT to the reporter, but it is not recorded: {why}")]
    #[diagnostic(
        code("sent-not-recorded"),
        help(
            "do not send it again: record it by hand with `enigm-disclose correspond` (out, with this message id) once the cause is fixed"
        )
    )]
    SentNotRecorded { id: String, message_id: String, why: String },

    /// The OpenPGP signing key could not be found, read, unlocked or used.
    #[error("{message}")]
    #[diagnostic(code("signing"))]
    Signing {
        message: String,
        #[help]
        help: String,
    },
    /// A git operation failed.
    #[error("git: {message}")]
    #[diagnostic(code("git"))]
    Git {
        message: String,
        #[help]
        help: Option<String>,
    },

    /// A file system operation failed.
    #[error("{action}: {source}")]
    #[diagnostic(code("io"))]
    Io {
        action: String,
        #[source]
        source: io::Error,
    },

    /// The request cannot be carried out as given (bad or missing values, refused action).
    /// Request fields are named in the text as `{field}` (see [`FieldText`]).
    #[error("{message}")]
    #[diagnostic(code("usage"))]
    Usage {
        message: FieldText,
        #[help]
        help: Option<FieldText>,
    },
}

impl Error {
    /// The process exit code for this error: 1 when a file has a problem, 2 otherwise.
    pub fn exit_code(&self) -> u8 {
        match self {
            Error::File(_) | Error::Refused { .. } | Error::Step { .. } => 1,
            _ => 2,
        }
    }

    /// A usage error with a help text.
    pub fn usage(message: impl Into<String>, help: impl Into<String>) -> Error {
        Error::Usage { message: FieldText(message.into()), help: Some(FieldText(help.into())) }
    }

    /// Wraps an I/O error with what was being done.
    pub fn io(action: impl Into<String>) -> impl FnOnce(io::Error) -> Error {
        let action = action.into();
        move |source| Error::Io { action, source }
    }
}

fn switch_help(branch: Option<&str>) -> String {
    match branch {
        Some(b) => format!("switch to a branch first (`git switch {b}`)"),
        None => "switch to a branch first (`git switch BRANCH`; `git branch` lists them)".to_owned(),
    }
}

impl From<Box<Rejected>> for Error {
    fn from(r: Box<Rejected>) -> Self {
        Error::File(Box::new(FileProblem::new(r.finding, r.text)))
    }
}

/// A message that names request fields as `{field}` placeholders (`{duplicate_of}`), so the
/// core names the field and each front end says it its own way: plainly `` `duplicate_of` ``
/// ([`fmt::Display`]), or as the command line's `--duplicate-of` ([`FieldText::render`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldText(pub String);

impl FieldText {
    /// The text with each `{field}` replaced by `name(field)`; braces around anything that is
    /// not a field name (lower case letters and `_`) are kept as they are.
    pub fn render(&self, name: impl Fn(&str) -> String) -> String {
        let text = &self.0;
        let mut out = String::with_capacity(text.len());
        let mut rest = text.as_str();
        while let Some(open) = rest.find('{') {
            out.push_str(&rest[..open]);
            let after = &rest[open + 1..];
            match after.find('}') {
                Some(close) if close > 0 && after[..close].bytes().all(|b| b.is_ascii_lowercase() || b == b'_') => {
                    out.push_str(&name(&after[..close]));
                    rest = &after[close + 1..];
                }
                _ => {
                    out.push('{');
                    rest = after;
                }
            }
        }
        out.push_str(rest);
        out
    }
}

impl fmt::Display for FieldText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.render(|field| format!("`{field}`")))
    }
}

/// `text` with control characters (but newline, carriage return and tab), bidi controls and
/// invisible format characters escaped as `\u{..}`, and a map from byte offsets in `text` to
/// offsets in the result (for spans).
pub fn printable(text: &str) -> (String, impl Fn(usize) -> usize + use<>) {
    let hidden = |c: char| {
        (c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
            || matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2069}' | '\u{FEFF}')
    };
    let mut out = String::with_capacity(text.len());
    // (offset in text, growth so far) at each escaped character, in order.
    let mut shifts: Vec<(usize, usize)> = Vec::new();
    for (at, c) in text.char_indices() {
        if hidden(c) {
            let escaped = c.escape_unicode().to_string();
            out.push_str(&escaped);
            let before = shifts.last().map_or(0, |s| s.1);
            shifts.push((at, before + escaped.len() - c.len_utf8()));
        } else {
            out.push(c);
        }
    }
    let map = move |offset: usize| {
        // Characters escaped strictly before `offset` moved it.
        let i = shifts.partition_point(|s| s.0 < offset);
        offset + if i == 0 { 0 } else { shifts[i - 1].1 }
    };
    (out, map)
}

/// A [`Finding`] with its file's text, displayable as a miette diagnostic pointing at the span.
#[derive(Debug, Clone)]
pub struct FileProblem {
    pub finding: Finding,
    source: Option<NamedSource<String>>,
}

impl FileProblem {
    /// Pairs a finding with the text of its file (when available).
    pub fn new(mut finding: Finding, text: Option<String>) -> Self {
        let name = printable(&finding.path.display().to_string()).0;
        let text = text.filter(|_| finding.span.is_some());
        // The snippet is shown escaped (a raw U+202E would reorder the line it warns about),
        // and the span moved to the same characters in the escaped text.
        let source = text.map(|t| {
            let (shown, map) = printable(&t);
            if let Some(span) = finding.span.as_mut() {
                *span = map(span.start)..map(span.end);
            }
            NamedSource::new(name, shown).with_language("yaml")
        });
        FileProblem { finding, source }
    }

    /// The file text shown around the finding, if any.
    pub fn text(&self) -> Option<&str> {
        self.source.as_ref().map(|s| s.inner().as_str())
    }
}

impl fmt::Display for FileProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.source.is_some() {
            f.write_str(&self.finding.message)
        } else {
            write!(f, "{}: {}", self.finding.path.display(), self.finding.message)
        }
    }
}

impl std::error::Error for FileProblem {}

impl Diagnostic for FileProblem {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(self.finding.code))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.finding.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
        })
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.finding.help.as_ref().map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.source.as_ref().map(|s| s as &dyn SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let span = self.finding.span.clone()?;
        self.source.as_ref()?;
        let len = span.end.saturating_sub(span.start);
        Some(Box::new(std::iter::once(LabeledSpan::new(Some("here".into()), span.start, len))))
    }
}

/// A template that failed to load or render, shown at its line.
#[derive(Debug)]
pub struct TemplateProblem {
    pub(crate) message: String,
    pub(crate) source: Option<NamedSource<String>>,
    pub(crate) span: Option<std::ops::Range<usize>>,
}

impl fmt::Display for TemplateProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for TemplateProblem {}

impl Diagnostic for TemplateProblem {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new("template"))
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(
            "fix the template (docs/templates.md lists every variable), or delete the override to use the built-in one",
        ))
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.source.as_ref().map(|s| s as &dyn SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let span = self.span.clone()?;
        self.source.as_ref()?;
        Some(Box::new(std::iter::once(LabeledSpan::new(Some("here".into()), span.start, span.end - span.start))))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn printable_escapes_and_maps_offsets() {
        let text = "a\u{202E}b\x1bc\nd";
        let (shown, map) = printable(text);
        assert_eq!(shown, "a\\u{202e}b\\u{1b}c\nd");
        assert_eq!(&shown[map(1)..map(4)], "\\u{202e}");
        assert_eq!(&shown[map(4)..map(5)], "b");
        assert_eq!(&shown[map(5)..map(6)], "\\u{1b}");
        assert_eq!(&shown[map(8)..], "d");
    }

    #[test]
    fn field_text_names_fields_plainly_or_as_the_front_end_says() {
        let t = FieldText("{resolution} and {duplicate_of} are for rejecting; a {JSON} {} stays".into());
        assert_eq!(t.to_string(), "`resolution` and `duplicate_of` are for rejecting; a {JSON} {} stays");
        let flags = t.render(|f| format!("--{}", f.replace('_', "-")));
        assert_eq!(flags, "--resolution and --duplicate-of are for rejecting; a {JSON} {} stays");
        assert_eq!(FieldText("unclosed {title".into()).to_string(), "unclosed {title");
    }
}
