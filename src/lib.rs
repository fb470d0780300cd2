//! enigm-disclose: coordinated vulnerability disclosure out of a plain git repository.
//!
//! Each report is a Markdown file with YAML front matter under `reports/` (flat, or sharded by
//! year: [`layout`]); the lifecycle is a series of git commits; advisories are rendered from
//! the files. This crate is the core: it
//! returns data and typed errors that name fields and concepts, never flags. The command line
//! (parsing, flag names, hints, output formats) lives in the binary (`src/main.rs`, `src/cli/`).
//!
//! # The crate's rooms
//!
//! | module | holds | never |
//! |---|---|---|
//! | [`format`] | what a file says: bytes ↔ located, typed data (YAML, reports, `enigm.yaml`, ids, CVSS, SSVC trees, version ranges, purls, the CWE catalogue, KEV/EPSS files, findings, what a channel delivers) | git, rules, I/O beyond the bytes it is given |
//! | [`rules`] | what a file must be: the lifecycle, the JSON Schemas, the semantic checks, `validate` | writes |
//! | [`store`] | the repository on disk: every git call, files, the hook, the clock, mail sent out of it | policy decisions |
//! | [`workflow`] | commands that change the repository: init, new, import, advance, renumber, migrate, demo, reply | rendering |
//! | [`query`] | read-only views: list, deadlines, stats, the audit of history | writes |
//! | [`publish`] | the public view and everything rendered from it: site, OSV, CSAF, OpenVEX, CVE, dashboard; the public face (policy, contact page, acknowledgements, `security.txt`); the templated messages to reporters | a `Repo`: history arrives as data |
//!
//! # The two pipelines
//!
//! - **Check**: bytes → [`format::report::Document`] (front matter spans) → [`rules::schema`]
//!   → typed [`format::report::Report`] → [`rules::checks`] → [`format::finding::Finding`]s.
//!   `validate`, the pre-commit hook and every writing command run it.
//! - **Publish**: a valid report → [`publish::public::Advisory`] (nothing private) → templates
//!   and exporters → files under the site directory.
//!
//! # Commands → modules
//!
//! | command | core module |
//! |---|---|
//! | `init`, `hook` | [`workflow::init`], [`store::hook`] |
//! | `new` | [`workflow::create`] |
//! | `import` | [`workflow::import`] (readers: [`format::intake`]; redaction: [`rules::redact`]; messages: [`workflow::correspond`]) |
//! | `advance` | [`workflow::advance`] (with a reply: [`workflow::reply`]) |
//! | `reply`, `correspond` | [`workflow::reply`], [`workflow::correspond`] (templates: [`publish::messages`]; sending: [`store::mail`]) |
//! | `renumber` | [`workflow::renumber`] |
//! | `migrate` | [`workflow::migrate`] (where reports live: [`layout`], [`store::scan`]) |
//! | `enrich` | [`workflow::enrich`] (files: [`format::enrichment`]) |
//! | `demo` | [`workflow::demo`] |
//! | `seal`, `rekey`, `edit` | [`workflow::seal`] (file shape and age: [`format::sealed`], keys: [`format::keys`], [`store::keys`]) |
//! | `validate` | [`rules::validate`] (a report's folder: [`rules::folder`]) |
//! | `list`, `show` | [`query::catalog`] |
//! | `due`, status screen | [`query::deadline`], [`query::cra`] (CRA Article 14 clocks) |
//! | `stats` | [`query::stats`], [`publish::dashboard`] |
//! | `verify`, `history` | [`query::audit`] |
//! | `aggregate` | [`query::aggregate`] (the file: [`format::aggregate`]; committed trees: [`store::committed`]); its site: [`publish::site`] per repository, [`publish::aggregate`], [`publish::csaf::aggregator`] |
//! | `render` | [`publish::site`] (+ [`publish::facets`]), [`publish::revisions`], [`publish::osv`], [`publish::csaf`], [`publish::openvex`], [`publish::cve`], [`publish::face`] ([`publish::policy`], [`publish::securitytxt`], [`publish::credits`]); signed: [`publish::distribution`], [`publish::signing`] (key: [`store::signing_key`]) |
//! | `verify-site` | [`publish::verify`] |
//! | `states` | [`rules::lifecycle`] |

pub mod error;
pub mod format;
pub mod layout;
pub mod publish;
pub mod query;
pub mod rules;
pub mod store;
pub mod workflow;

pub use error::{Error, Result};
