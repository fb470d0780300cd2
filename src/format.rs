//! What a file says: bytes in, located and typed data out, and back.
//!
//! Everything here is a pure function of the bytes it is handed: no git, no file system walk,
//! no disclosure rules. The YAML reader keeps a span for every key so that [`rules`](crate::rules)
//! can point at the exact line; the writers change a file byte-minimally.

pub mod acknowledged;
pub mod aggregate;
pub mod code;
pub mod config;
pub mod contact;
pub mod correspondence;
pub mod cvss;
pub mod cwe;
pub mod embargo;
pub mod enrichment;
pub mod exploited;
pub mod finding;
pub mod id;
pub mod intake;
pub mod keys;
pub mod located;
pub mod purl;
pub mod ranges;
pub mod report;
pub mod sealed;
pub mod ssvc;
pub mod versions;
pub mod yaml;
pub mod yamlout;
