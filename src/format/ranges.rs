//! Affected-version text (`< 2.4.1`, `>= 1.0, < 1.9.3`, `2.0.1, 2.0.2`) read as comparators.
//!
//! Reports write version ranges as free text; CSAF wants a `vers` range name, CVE records a
//! `version` / `lessThan` span and OSV `introduced` / `fixed` events or a list of `versions`.
//! This is the one reader of that text for all of them and for `validate`: it reads
//! comma-separated comparators and says `None` for anything else, and [`shape`] says whether
//! they are one span or a list of exact versions, so no export widens what a report says.

/// A comparison operator of a range.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Lt,
    Le,
    Gt,
    Ge,
    Eq,
}

/// One comparator: operator and version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Constraint {
    pub op: Op,
    pub version: String,
}

/// A contiguous span: from `start` (inclusive; `0` for "from the first version") up to `end`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Span {
    pub start: String,
    /// Upper bound and whether it is inclusive; `None` for "and every later version".
    pub end: Option<(String, bool)>,
}

/// The comparators of a range text, or `None` when a part is not `<op> <version>` (or a bare
/// version) or the text is empty.
pub fn parse(text: &str) -> Option<Vec<Constraint>> {
    let parts: Vec<Constraint> = text.split(',').map(|p| constraint(p.trim())).collect::<Option<_>>()?;
    (!parts.is_empty()).then_some(parts)
}

fn constraint(part: &str) -> Option<Constraint> {
    let ops = [(">=", Op::Ge), ("<=", Op::Le), ("==", Op::Eq), (">", Op::Gt), ("<", Op::Lt), ("=", Op::Eq)];
    let (op, rest) = ops.iter().find_map(|(p, op)| part.strip_prefix(p).map(|r| (*op, r))).unwrap_or((Op::Eq, part));
    let version = rest.trim();
    let plain = !version.is_empty()
        && !version.contains(|c: char| c.is_whitespace() || "<>=|,*".contains(c))
        && !is_range_syntax(version);
    plain.then(|| Constraint { op, version: version.to_owned() })
}

/// Range syntax of other tools that reads like a version but is not one: npm/Cargo caret and
/// tilde ranges (`^3.7`, `~1.2`, `~>1.2`), negation (`!=1.0`) and wildcards (`2.x`, `1.*`).
fn is_range_syntax(version: &str) -> bool {
    version.starts_with(['^', '~', '!']) || version.split('.').any(|part| matches!(part, "x" | "X"))
}

/// A `vers` range (`vers:pypi/>=1.0|<1.9.3`): the comparators in the order written.
pub fn vers(scheme: &str, constraints: &[Constraint]) -> String {
    let parts: Vec<String> = constraints
        .iter()
        .map(|c| {
            let op = match c.op {
                Op::Lt => "<",
                Op::Le => "<=",
                Op::Gt => ">",
                Op::Ge => ">=",
                Op::Eq => "",
            };
            format!("{op}{}", c.version)
        })
        .collect();
    format!("vers:{scheme}/{}", parts.join("|"))
}

/// The span of a range with at most one inclusive lower bound and one upper bound; `None` for
/// exact versions, exclusive lower bounds and anything else a single span cannot say.
pub fn span(constraints: &[Constraint]) -> Option<Span> {
    let (mut start, mut end) = (None, None);
    for c in constraints {
        match c.op {
            Op::Ge if start.is_none() => start = Some(c.version.clone()),
            Op::Lt if end.is_none() => end = Some((c.version.clone(), false)),
            Op::Le if end.is_none() => end = Some((c.version.clone(), true)),
            _ => return None,
        }
    }
    Some(Span { start: start.unwrap_or_else(|| "0".to_owned()), end })
}

/// Two versions in the order every export uses ([`crate::format::versions::compare`]: SemVer
/// precedence over dotted numbers), or `None` when a version is not of that shape (`1.0rc1`,
/// `2024a`): equal texts are always `Equal`.
pub fn compare(a: &str, b: &str) -> Option<std::cmp::Ordering> {
    crate::format::versions::compare(a, b)
}

/// What a range is, in the terms every export can carry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Shape {
    /// One contiguous span (`>= 1.0, < 2`, `< 2.4.1`, `<= 2.3`, `>= 3`).
    Span(Span),
    /// Exact versions only (`2.0.1, 2.0.2`).
    Versions(Vec<String>),
}

/// The shape of a range, or why it has none: an exclusive lower bound (OSV and CVE spans
/// start at an affected version), exact versions mixed with comparators, or two bounds on
/// one side.
pub fn shape(constraints: &[Constraint]) -> Result<Shape, &'static str> {
    if constraints.iter().all(|c| c.op == Op::Eq) {
        return Ok(Shape::Versions(constraints.iter().map(|c| c.version.clone()).collect()));
    }
    if let Some(s) = span(constraints) {
        return Ok(Shape::Span(s));
    }
    Err(if constraints.iter().any(|c| c.op == Op::Gt) {
        "it has an exclusive lower bound (`>`), and a span starts at the first affected version"
    } else if constraints.iter().any(|c| c.op == Op::Eq) {
        "it mixes exact versions with comparators"
    } else {
        "it has more than one lower or upper bound"
    })
}

/// The `vers` scheme of a product: its purl type (`pkg:pypi/x` → `pypi`), else `generic`.
pub fn scheme(purl: Option<&str>) -> String {
    purl.and_then(|p| p.strip_prefix("pkg:"))
        .and_then(|p| p.split('/').next())
        .filter(|t| !t.is_empty() && t.chars().all(|c| c.is_ascii_alphanumeric() || ".+-".contains(c)))
        .map_or_else(|| "generic".to_owned(), str::to_lowercase)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(op: Op, v: &str) -> Constraint {
        Constraint { op, version: v.into() }
    }

    #[test]
    fn versions_compare_by_numeric_parts() {
        use std::cmp::Ordering::{Equal, Greater, Less};
        assert_eq!(compare("1.10", "1.9"), Some(Greater));
        assert_eq!(compare("1.0", "1.0.0"), Some(Equal));
        assert_eq!(compare("2.4.0", "2.4.1"), Some(Less));
        assert_eq!(compare("1.0rc1", "1.0rc1"), Some(Equal));
        assert_eq!(compare("1.0rc1", "1.0"), None, "a part that is not a number is not ordered");
    }

    #[test]
    fn comparators_parse_and_free_text_does_not() {
        assert_eq!(parse("< 2.4.1"), Some(vec![c(Op::Lt, "2.4.1")]));
        assert_eq!(parse(">= 1.0, < 1.9.3"), Some(vec![c(Op::Ge, "1.0"), c(Op::Lt, "1.9.3")]));
        assert_eq!(parse("2.3.1"), Some(vec![c(Op::Eq, "2.3.1")]));
        assert_eq!(parse("all versions"), None);
        assert_eq!(parse("< 2.4, and 3.x"), None);
        assert_eq!(parse(""), None);
        assert_eq!(parse("<"), None);
        for other_syntax in ["^3.7", "~1.2", "~>1.2", "!=1.0", "2.x", "1.2.X", "1.*", "*", ">= 2.x"] {
            assert_eq!(parse(other_syntax), None, "{other_syntax}");
        }
        assert_eq!(
            parse("v3.7.4, 1.0rc1, 2.0.0-x.1"),
            Some(vec![c(Op::Eq, "v3.7.4"), c(Op::Eq, "1.0rc1"), c(Op::Eq, "2.0.0-x.1")])
        );
    }

    #[test]
    fn vers_and_spans() {
        let r = parse(">= 1.0, < 1.9.3").expect("parses");
        assert_eq!(vers("pypi", &r), "vers:pypi/>=1.0|<1.9.3");
        assert_eq!(span(&r), Some(Span { start: "1.0".into(), end: Some(("1.9.3".into(), false)) }));
        assert_eq!(span(&[c(Op::Le, "2.3")]), Some(Span { start: "0".into(), end: Some(("2.3".into(), true)) }));
        assert_eq!(span(&[c(Op::Ge, "3")]), Some(Span { start: "3".into(), end: None }));
        assert_eq!(span(&[c(Op::Gt, "1.0"), c(Op::Lt, "2")]), None);
        assert_eq!(span(&[c(Op::Eq, "1.0")]), None);
        assert_eq!(scheme(Some("pkg:PyPI/orbit-sdk")), "pypi");
        assert_eq!(scheme(None), "generic");
    }

    #[test]
    fn shapes() {
        let shape_of = |t: &str| shape(&parse(t).expect("parses"));
        assert_eq!(shape_of("2.0.1, 2.0.2"), Ok(Shape::Versions(vec!["2.0.1".into(), "2.0.2".into()])));
        assert_eq!(shape_of("< 2"), Ok(Shape::Span(Span { start: "0".into(), end: Some(("2".into(), false)) })));
        assert!(shape_of("> 1.0, < 2").unwrap_err().contains("exclusive lower bound"));
        assert!(shape_of("2.0.1, < 3").unwrap_err().contains("mixes"));
        assert!(shape_of(">= 1, >= 2").unwrap_err().contains("more than one"));
    }
}
