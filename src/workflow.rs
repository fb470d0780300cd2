//! Commands that change the repository: each one checks, writes files atomically, and makes
//! one git commit through [`store`](crate::store).

pub mod advance;
pub mod correspond;
pub mod create;
pub mod demo;
pub mod enrich;
pub mod import;
pub mod init;
pub mod migrate;
pub mod renumber;
pub mod reply;
pub mod seal;
