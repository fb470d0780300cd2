//! enigm-disclose: coordinated vulnerability disclosure out of a plain git repository.
//!
//! Each report is a Markdown file with YAML front matter under `reports/`; the lifecycle is a
//! series of git commits; advisories are rendered from the files. This crate is the core: it
//! returns data and typed errors and knows nothing about the command line, which lives in
//! the binary (`src/main.rs`, `src/cli/`).

pub mod advance;
pub mod audit;
pub mod catalog;
pub mod checks;
pub mod clock;
pub mod config;
pub mod create;
pub mod cvss;
pub mod deadline;
pub mod demo;
pub mod edit;
pub mod error;
pub mod finding;
pub mod fsutil;
pub mod hook;
pub mod id;
pub mod init;
pub mod lifecycle;
pub mod public;
pub mod render;
pub mod renumber;
pub mod repo;
pub mod report;
pub mod scan;
pub mod schema;
pub mod stats;
pub mod validate;
pub mod yaml;
pub mod yamlout;

pub use error::{Error, Result};
