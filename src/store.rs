//! The repository on disk: every git2 call and every ambient input (files, clock, hooks).
//!
//! Nothing outside this module touches git2, so git's rules (index, locks, refs, hash
//! verification) are applied in one place. Other modules see repositories as [`repo::Repo`]
//! and history as plain data.

pub mod clock;
pub mod files;
pub mod hook;
pub mod repo;
pub mod scan;
