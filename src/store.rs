//! The repository on disk: every call into the git library and every ambient input (files,
//! clock, hooks, and mail sent out of it: [`mail`]).
//!
//! Nothing outside this module touches the git library, so git's rules (index, locks, refs,
//! hash verification) are applied in one place. Other modules see repositories as
//! [`repo::Repo`] and history as plain data ([`history`]: commit ids, times, file changes).

pub mod clock;
mod commit;
pub mod committed;
pub mod files;
pub mod history;
pub mod hook;
mod index;
pub mod keys;
pub mod mail;
pub mod repo;
pub mod scan;
pub mod signing_key;
pub mod statcache;
