//! The advisories as the listing templates (the index, the feed, the filtered indexes) see
//! them: one lazy row per advisory, whose fields are converted to template values only when a
//! template reads them.
//!
//! A listing reads a handful of fields (id, title, severity, products, dates); converting every
//! advisory whole (its sections, references, revisions) into template values cost more CPU
//! than rendering the listings themselves, and held a second copy of the site's advisories in
//! memory, once per listing. A row answers every field an [`Advisory`] has, under the same
//! name, in the same order, with the value the whole conversion gives it (a test checks it),
//! so a template (a repository's own override included) sees the same advisory.

use std::sync::Arc;

use minijinja::value::{Enumerator, Object, ObjectRepr, Value};

use crate::publish::public::Advisory;

/// The fields of [`Advisory`], in declaration order (the order its serialisation gives).
const FIELDS: &[&str] = &[
    "id",
    "title",
    "state",
    "withdrawn",
    "summary",
    "severity",
    "cwe",
    "products",
    "aliases",
    "references",
    "credits",
    "mitigation",
    "reported",
    "published",
    "withdrawn_date",
    "withdrawal_reason",
    "modified",
    "revisions",
    "files",
    "timeline",
    "sections",
    "draft",
    "ssvc",
    "vex_only",
];

/// One advisory of `all`, as a template value.
#[derive(Debug)]
struct Row {
    all: Arc<[Advisory]>,
    at: usize,
}

impl Object for Row {
    fn repr(self: &Arc<Self>) -> ObjectRepr {
        ObjectRepr::Map
    }

    fn get_value(self: &Arc<Self>, key: &Value) -> Option<Value> {
        field(&self.all[self.at], key.as_str()?)
    }

    fn enumerate(self: &Arc<Self>) -> Enumerator {
        Enumerator::Str(FIELDS)
    }
}

fn serde(x: &impl serde::Serialize) -> Value {
    Value::from(minijinja::value::Serde(x))
}

/// The value of field `name` of `a`, as the conversion of the whole advisory gives it.
fn field(a: &Advisory, name: &str) -> Option<Value> {
    Some(match name {
        "id" => serde(&a.id),
        "title" => serde(&a.title),
        "state" => serde(&a.state),
        "withdrawn" => serde(&a.withdrawn),
        "summary" => serde(&a.summary),
        "severity" => serde(&a.severity),
        "cwe" => serde(&a.cwe),
        "products" => serde(&a.products),
        "aliases" => serde(&a.aliases),
        "references" => serde(&a.references),
        "credits" => serde(&a.credits),
        "mitigation" => serde(&a.mitigation),
        "reported" => serde(&a.reported),
        "published" => serde(&a.published),
        "withdrawn_date" => serde(&a.withdrawn_date),
        "withdrawal_reason" => serde(&a.withdrawal_reason),
        "modified" => serde(&a.modified),
        "revisions" => serde(&a.revisions),
        "files" => serde(&a.files),
        "timeline" => serde(&a.timeline),
        "sections" => serde(&a.sections),
        "draft" => serde(&a.draft),
        "ssvc" => serde(&a.ssvc),
        "vex_only" => serde(&a.vex_only),
        _ => return None,
    })
}

/// One lazy row per advisory of `all`, in its order.
pub fn rows(all: &Arc<[Advisory]>) -> Vec<Value> {
    (0..all.len()).map(|at| Value::from_object(Row { all: Arc::clone(all), at })).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::publish::csaf::test_support::{EXPORTS, advisory};

    #[test]
    fn a_row_answers_every_field_as_the_whole_advisory_does() {
        let all: Arc<[Advisory]> = vec![advisory(EXPORTS)].into();
        let whole = serde(&all[0]);
        let row = rows(&all).remove(0);
        let keys = |v: &Value| -> Vec<String> { v.try_iter().expect("a map").map(|k| k.to_string()).collect() };
        assert_eq!(keys(&row), keys(&whole), "the same fields, in the same order");
        assert_eq!(keys(&row), FIELDS);
        for name in FIELDS {
            let (a, b) = (row.get_attr(name).expect("row"), whole.get_attr(name).expect("whole"));
            let json = |x: &Value| serde_json::to_string(x).expect("json");
            assert_eq!(json(&a), json(&b), "{name}");
        }
        assert!(row.get_attr("no_such_field").expect("lookup").is_undefined());
        let env = minijinja::Environment::new();
        let text = "{{ a.id }} {{ a.products | map(attribute='name') | join(',') }} {{ a | length }}";
        let render = |a: &Value| env.render_str(text, minijinja::context! { a => a.clone() }).expect("renders");
        assert_eq!(render(&row), render(&whole));
    }
}
