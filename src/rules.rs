//! What a file must be: the disclosure lifecycle, the JSON Schemas and the semantic checks.
//!
//! Rules turn a located document into findings and never write anything. `pipeline` is the
//! one path every YAML file takes (located YAML → schema → serde → checks); `validate`
//! orchestrates it over a work tree, the index or a revision; `advance` and `new` run the
//! same checks as guards.

pub mod attachments;
pub mod change;
pub mod checks;
pub mod folder;
pub mod lifecycle;
pub mod pipeline;
pub mod redact;
pub mod schema;
pub mod sealed;
pub mod validate;
