//! The public side: what may leave the repository, and the files rendered from it.
//!
//! [`public`] builds the public view of a report (nothing private survives it); the exporters
//! and the site render only that view. History facts (revision dates) are handed in as data,
//! never as a repository handle, so what is published is a function of its inputs.

pub mod aggregate;
#[cfg(test)]
mod agreement;
pub mod credits;
pub mod csaf;
pub mod cve;
pub mod cvss_view;
pub mod dashboard;
pub mod distribution;
pub mod face;
pub mod facets;
pub mod markdown;
pub mod messages;
pub mod openvex;
pub mod osv;
pub mod policy;
pub mod public;
pub mod revisions;
pub mod sandbox;
pub mod securitytxt;
pub mod signing;
pub mod site;
pub mod ssvc;
pub mod templates;
pub mod verify;
