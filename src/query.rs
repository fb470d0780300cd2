//! Read-only views of the repository: the catalogue, deadlines, statistics and the audit of
//! the history. Nothing here writes.

pub mod aggregate;
pub mod audit;
pub mod catalog;
pub mod cra;
pub mod deadline;
pub mod stats;
