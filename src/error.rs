//! Operational errors: why a command could not do its job.
//!
//! Problems *in* a file are [`Finding`](crate::format::finding::Finding)s; when one stops a command it
//! travels as [`Error::File`]. Everything else (no repository, no git identity, a locked
//! index, bad flags) is a variant here with a code and a help text. [`Error::exit_code`] maps
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

    /// The directory is not inside a disclosure repository.
    #[error("{} is not inside a disclosure repository (no enigm.yaml at the root of a git work tree)", path.display())]
    #[diagnostic(
        code("not-a-disclosure-repo"),
        help("create one with `enigm-disclose init [DIR]`, or point at one with `-C DIR`")
    )]
    NotADisclosureRepo { path: PathBuf },

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
        help(
            "set it with `git config user.name \"Your Name\"` and `git config user.email you@example.com` (or use --no-commit)"
        )
    )]
    NoIdentity { missing: String },

    /// HEAD is detached, so a commit would not land on any branch.
    #[error("HEAD is detached; the commit would not be on any branch")]
    #[diagnostic(code("detached-head"), help("switch to a branch first (`git switch main`), or use --no-commit"))]
    DetachedHead,

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
    Template(Box<crate::publish::templates::TemplateProblem>),

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
    #[error("{message}")]
    #[diagnostic(code("usage"))]
    Usage {
        message: String,
        #[help]
        help: Option<String>,
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
        Error::Usage { message: message.into(), help: Some(help.into()) }
    }

    /// Wraps an I/O error with what was being done.
    pub fn io(action: impl Into<String>) -> impl FnOnce(io::Error) -> Error {
        let action = action.into();
        move |source| Error::Io { action, source }
    }
}

impl From<git2::Error> for Error {
    fn from(e: git2::Error) -> Self {
        Error::Git { message: e.message().to_owned(), help: None }
    }
}

impl From<Box<Rejected>> for Error {
    fn from(r: Box<Rejected>) -> Self {
        Error::File(Box::new(FileProblem::new(r.finding, r.text)))
    }
}

/// A [`Finding`] with its file's text, displayable as a miette diagnostic pointing at the span.
#[derive(Debug, Clone)]
pub struct FileProblem {
    pub finding: Finding,
    source: Option<NamedSource<String>>,
}

impl FileProblem {
    /// Pairs a finding with the text of its file (when available).
    pub fn new(finding: Finding, text: Option<String>) -> Self {
        let name = finding.path.display().to_string();
        let source = text.filter(|_| finding.span.is_some()).map(|t| NamedSource::new(name, t).with_language("yaml"));
        FileProblem { finding, source }
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
