//! A product's affected versions as one normalised set of spans, whichever way the report
//! says them: the `versions` list (one span per release branch, for backports) or the older
//! `affected` text with one `fixed` version.
//!
//! OSV, CVE and CSAF are all written from [`Versions`], and `validate` reads the same thing,
//! so the exports cannot disagree with each other or with [`Versions::is_affected`]. Versions
//! are ordered by [`compare`]: dotted numbers with an optional SemVer pre-release
//! (`1.2.0-rc.1` < `1.2.0`) and build metadata ignored (`+build`). That is SemVer 2.0's
//! precedence, which OSV `SEMVER` ranges, CVE `semver` spans and `vers` ranges of semver
//! schemes use, and agrees with PEP 440, Maven and most other schemes for purely numeric
//! versions. Versions of other shapes (`1.0rc1`, `2024a`) are kept as written and have no
//! order here: the exports carry them unchanged and `validate` warns that it cannot check them.

use std::cmp::Ordering;

use crate::format::ranges::{self, Op};
use crate::format::report::Product;
use crate::format::report::model::VersionSpan;

/// Where an affected span ends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum End {
    /// Before this version (OSV `fixed`, CVE `lessThan`, vers `<`).
    Fixed(String),
    /// At this version, inclusive (OSV `last_affected`, CVE `lessThanOrEqual`, vers `<=`).
    LastAffected(String),
    /// Never: every later version is affected too.
    Open,
}

/// One affected span.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Span {
    /// One version only (an exact version of the `affected` text, or a span whose
    /// `introduced` is its `last_affected`).
    Single(String),
    /// From `introduced` (inclusive; `None` for "from the first version") to `end`.
    Range { introduced: Option<String>, end: End },
}

/// What a product's affected versions are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Affected {
    /// Spans in the order written (validated to be ascending for `versions`).
    Spans(Vec<Span>),
    /// Text no span can say (`all 2.x releases`, `> 1.0, < 2`), as written; `None` when
    /// nothing readable was said (no `affected` and several fixed versions).
    Unreadable(Option<String>),
}

/// A product's affected spans and its fixed versions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Versions {
    pub affected: Affected,
    /// The exact fixed versions, in the order written (each span's `fixed`, or the `fixed`
    /// text when it is one or more exact versions).
    pub fixed: Vec<String>,
    /// Whether the report said anything: `false` for a product with neither `versions`,
    /// `affected` nor `fixed` (read as "every version").
    pub said: bool,
}

impl Versions {
    /// The normalised reading of a product: `spans` when given (the `versions` list), else the
    /// `affected` text and `fixed`.
    pub fn of(affected: Option<&str>, fixed: Option<&str>, spans: &[VersionSpan]) -> Versions {
        if !spans.is_empty() {
            return Versions {
                affected: Affected::Spans(spans.iter().map(span_of).collect()),
                fixed: spans.iter().filter_map(|s| s.fixed.clone()).collect(),
                said: true,
            };
        }
        let text = affected.map(str::trim).filter(|t| !t.is_empty());
        let fixed_text = fixed.map(str::trim).filter(|f| !f.is_empty());
        let fixed = fixed_text.map(exact_versions).unwrap_or_default();
        let affected = match text {
            Some(text) => from_text(text, &fixed),
            None => match fixed.as_slice() {
                [] => Affected::Spans(vec![every()]),
                [f] => Affected::Spans(vec![Span::Range { introduced: None, end: End::Fixed(f.clone()) }]),
                _ => Affected::Unreadable(None),
            },
        };
        Versions { affected, fixed, said: text.is_some() || fixed_text.is_some() }
    }

    /// Whether `version` is affected; `None` when the report cannot say (unreadable text, or a
    /// version [`compare`] cannot order against a bound it would need).
    pub fn is_affected(&self, version: &str) -> Option<bool> {
        let Affected::Spans(spans) = &self.affected else { return None };
        let mut unknown = false;
        for s in spans {
            match s.contains(version) {
                Some(true) => return Some(true),
                Some(false) => {}
                None => unknown = true,
            }
        }
        (!unknown).then_some(false)
    }

    /// The spans, when readable.
    pub fn spans(&self) -> Option<&[Span]> {
        match &self.affected {
            Affected::Spans(s) => Some(s),
            Affected::Unreadable(_) => None,
        }
    }

    /// Every version affected, nothing else said.
    pub fn is_every(&self) -> bool {
        self.spans() == Some(&[every()][..])
    }
}

impl Span {
    /// Whether the span holds `version`; `None` when a needed comparison has no answer.
    pub fn contains(&self, version: &str) -> Option<bool> {
        match self {
            Span::Single(v) => Some(compare(version, v)? == Ordering::Equal),
            Span::Range { introduced, end } => {
                let above = match introduced {
                    None => true,
                    Some(i) => compare(version, i)? != Ordering::Less,
                };
                let below = match end {
                    End::Fixed(f) => compare(version, f)? == Ordering::Less,
                    End::LastAffected(l) => compare(version, l)? != Ordering::Greater,
                    End::Open => true,
                };
                Some(above && below)
            }
        }
    }

    /// The first affected version, `None` for "from the first version".
    pub fn start(&self) -> Option<&str> {
        match self {
            Span::Single(v) => Some(v),
            Span::Range { introduced, .. } => introduced.as_deref(),
        }
    }

    /// The span as range text (`>= 3.0.0, < 3.7.5`, `<= 2.3`, `2.0.1`, `*`).
    pub fn describe(&self) -> String {
        let Span::Range { introduced, end } = self else { return self.start().unwrap_or_default().to_owned() };
        let mut parts: Vec<String> = introduced.iter().map(|i| format!(">= {i}")).collect();
        match end {
            End::Fixed(f) => parts.push(format!("< {f}")),
            End::LastAffected(l) => parts.push(format!("<= {l}")),
            End::Open if parts.is_empty() => parts.push("*".to_owned()),
            End::Open => {}
        }
        parts.join(", ")
    }
}

/// Every version: from the first, never ending.
fn every() -> Span {
    Span::Range { introduced: None, end: End::Open }
}

/// One entry of the `versions` list; `introduced: "0"` is OSV's "from the first version".
fn span_of(s: &VersionSpan) -> Span {
    let introduced = s.introduced.clone().filter(|i| i != "0");
    match (&introduced, &s.fixed, &s.last_affected) {
        (Some(i), None, Some(l)) if i == l => Span::Single(i.clone()),
        (_, Some(f), _) => Span::Range { introduced, end: End::Fixed(f.clone()) },
        (_, None, Some(l)) => Span::Range { introduced, end: End::LastAffected(l.clone()) },
        (_, None, None) => Span::Range { introduced, end: End::Open },
    }
}

/// The exact versions of a `fixed` text (`3.7.5`, `3.7.5, 4.1.2`); empty for anything else.
fn exact_versions(text: &str) -> Vec<String> {
    match ranges::parse(text) {
        Some(c) if c.iter().all(|c| c.op == Op::Eq) => c.into_iter().map(|c| c.version).collect(),
        _ => Vec::new(),
    }
}

/// The `affected` text read with the fixed versions: a span without an upper bound ends at
/// the one fixed version after its start (what the OSV record always said).
fn from_text(text: &str, fixed: &[String]) -> Affected {
    let shape = ranges::parse(text).map(|c| ranges::shape(&c));
    match shape {
        Some(Ok(ranges::Shape::Versions(list))) => Affected::Spans(list.into_iter().map(Span::Single).collect()),
        Some(Ok(ranges::Shape::Span(span))) => {
            let introduced = Some(span.start).filter(|s| s != "0");
            let end = match (span.end, fixed) {
                (Some((e, false)), _) => End::Fixed(e),
                (Some((e, true)), _) => End::LastAffected(e),
                (None, [f]) if introduced.as_deref().is_none_or(|i| !compare(f, i).is_some_and(Ordering::is_le)) => {
                    End::Fixed(f.clone())
                }
                (None, _) => End::Open,
            };
            Affected::Spans(vec![Span::Range { introduced, end }])
        }
        _ => Affected::Unreadable(Some(text.to_owned())),
    }
}

/// A product's affected versions as text for people (pages, `show`, messages): `affected` as
/// written, else the `versions` spans joined with `; ` (`>= 3.0.0, < 3.7.5; >= 4.0.0, < 4.1.2`).
pub fn affected_text(p: &Product) -> Option<String> {
    p.affected.clone().or_else(|| {
        let v = Versions::of(None, None, &p.versions);
        let text: Vec<String> = v.spans()?.iter().map(Span::describe).collect();
        (!p.versions.is_empty()).then(|| text.join("; "))
    })
}

/// A product's fixed versions as text for people: `fixed` as written, else each span's
/// `fixed` joined with `, ` (`3.7.5, 4.1.2`).
pub fn fixed_text(p: &Product) -> Option<String> {
    p.fixed.clone().or_else(|| {
        let fixed: Vec<&str> = p.versions.iter().filter_map(|s| s.fixed.as_deref()).collect();
        (!fixed.is_empty()).then(|| fixed.join(", "))
    })
}

/// Sorts spans by their first version, oldest branch first (an import's records list them in
/// any order); a span whose start cannot be ordered keeps its place relative to the others.
pub fn sort_spans(spans: &mut [VersionSpan]) {
    let start = |s: &VersionSpan| s.introduced.clone().unwrap_or_else(|| "0".to_owned());
    spans.sort_by(|a, b| compare(&start(a), &start(b)).unwrap_or(Ordering::Equal));
}

/// A span of the `affected`/`fixed` text as a `versions` entry, when the text is one span.
pub fn as_entry(affected: Option<&str>, fixed: Option<&str>) -> Option<VersionSpan> {
    let v = Versions::of(affected, fixed, &[]);
    let (introduced, fixed, last_affected) = match v.spans()? {
        [Span::Single(x)] => (Some(x.clone()), None, Some(x.clone())),
        [Span::Range { introduced, end }] => match end {
            End::Fixed(f) => (introduced.clone(), Some(f.clone()), None),
            End::LastAffected(l) => (introduced.clone(), None, Some(l.clone())),
            End::Open => (introduced.clone(), None, None),
        },
        _ => return None,
    };
    Some(VersionSpan { introduced, fixed, last_affected })
}

/// What is wrong with a `versions` list, by index: the findings `validate` reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// A span with neither `introduced`, `fixed` nor `last_affected`.
    Empty(usize),
    /// `introduced` at or after `fixed`, or after `last_affected`.
    Inverted { index: usize, introduced: String, end: String },
    /// A span that starts before the previous one.
    OutOfOrder(usize),
    /// A span that starts inside (or right at the end of) the previous one.
    Overlap(usize),
    /// A version [`compare`] cannot order, at `versions[index].field`.
    Unordered { index: usize, field: &'static str, version: String },
}

/// The problems of a `versions` list, in order.
pub fn problems(spans: &[VersionSpan]) -> Vec<Problem> {
    let empty = |s: &VersionSpan| s.introduced.is_none() && s.fixed.is_none() && s.last_affected.is_none();
    let mut out = Vec::new();
    for (index, s) in spans.iter().enumerate() {
        let fields = [("introduced", &s.introduced), ("fixed", &s.fixed), ("last_affected", &s.last_affected)];
        let mut ordered = true;
        for (field, v) in fields {
            if let Some(v) = v.as_deref().filter(|v| *v != "0" && parse(v).is_none()) {
                out.push(Problem::Unordered { index, field, version: v.to_owned() });
                ordered = false;
            }
        }
        if empty(s) {
            out.push(Problem::Empty(index));
        } else if ordered {
            out.extend(inverted(index, s));
        }
    }
    for (index, pair) in spans.windows(2).enumerate() {
        if !empty(&pair[0]) && !empty(&pair[1]) {
            out.extend(order(index + 1, &span_of(&pair[0]), &span_of(&pair[1])));
        }
    }
    out
}

fn inverted(index: usize, s: &VersionSpan) -> Option<Problem> {
    let introduced = s.introduced.as_deref().filter(|i| *i != "0")?;
    let (end, bad) = match (&s.fixed, &s.last_affected) {
        (Some(f), _) => (f, compare(introduced, f)?.is_ge()),
        (None, Some(l)) => (l, compare(introduced, l)?.is_gt()),
        (None, None) => return None,
    };
    bad.then(|| Problem::Inverted { index, introduced: introduced.to_owned(), end: end.clone() })
}

/// Span `index` (`next`) against the one before it.
fn order(index: usize, prev: &Span, next: &Span) -> Option<Problem> {
    let Some(start) = next.start() else { return Some(Problem::Overlap(index)) };
    if let Some(p) = prev.start()
        && compare(start, p)?.is_lt()
    {
        return Some(Problem::OutOfOrder(index));
    }
    let inside = match prev {
        Span::Single(v) => compare(start, v)?.is_le(),
        Span::Range { end: End::Fixed(f), .. } => compare(start, f)?.is_le(),
        Span::Range { end: End::LastAffected(l), .. } => compare(start, l)?.is_le(),
        Span::Range { end: End::Open, .. } => true,
    };
    inside.then_some(Problem::Overlap(index))
}

/// A version [`compare`] can order: its numeric release parts and pre-release identifiers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Parsed<'a> {
    release: Vec<u64>,
    pre: Option<Vec<&'a str>>,
}

/// `1.2.3-rc.1+build` → release `[1, 2, 3]`, pre-release `["rc", "1"]`; `None` when a release
/// part is not a number or an identifier is empty.
pub fn parse(v: &str) -> Option<Parsed<'_>> {
    let v = v.split_once('+').map_or(v, |(head, _)| head);
    let (release, pre) = match v.split_once('-') {
        Some((r, p)) => (r, Some(p)),
        None => (v, None),
    };
    let release = release.split('.').map(|p| p.parse::<u64>().ok()).collect::<Option<Vec<_>>>()?;
    let pre = match pre {
        Some(p) => {
            let ids: Vec<&str> = p.split('.').collect();
            if ids.iter().any(|i| i.is_empty()) {
                return None;
            }
            Some(ids)
        }
        None => None,
    };
    Some(Parsed { release, pre })
}

/// Two versions in SemVer precedence, with release parts of any count (missing parts are 0:
/// `1.0` = `1.0.0`); `None` when either is not such a version and the texts differ.
pub fn compare(a: &str, b: &str) -> Option<Ordering> {
    if a == b {
        return Some(Ordering::Equal);
    }
    let (pa, pb) = (parse(a)?, parse(b)?);
    let n = pa.release.len().max(pb.release.len());
    let part = |r: &[u64], i: usize| r.get(i).copied().unwrap_or(0);
    let release = (0..n).map(|i| part(&pa.release, i).cmp(&part(&pb.release, i))).find(|o| o.is_ne());
    if let Some(o) = release {
        return Some(o);
    }
    Some(match (&pa.pre, &pb.pre) {
        (None, None) => Ordering::Equal,
        (None, Some(_)) => Ordering::Greater,
        (Some(_), None) => Ordering::Less,
        (Some(x), Some(y)) => pre_release(x, y),
    })
}

/// SemVer 2.0 rule 11.4: identifiers left to right, numbers numerically and below words,
/// words in ASCII order, a shorter list first when it is a prefix.
fn pre_release(x: &[&str], y: &[&str]) -> Ordering {
    for (a, b) in x.iter().zip(y) {
        let o = match (a.parse::<u64>(), b.parse::<u64>()) {
            (Ok(m), Ok(n)) => m.cmp(&n),
            (Ok(_), Err(_)) => Ordering::Less,
            (Err(_), Ok(_)) => Ordering::Greater,
            (Err(_), Err(_)) => a.cmp(b),
        };
        if o.is_ne() {
            return o;
        }
    }
    x.len().cmp(&y.len())
}

/// A strict SemVer 2.0 version (`MAJOR.MINOR.PATCH[-pre][+build]`, no leading zeros): what an
/// OSV `SEMVER` range may hold.
pub fn is_semver(v: &str) -> bool {
    let number = |p: &str| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()) && (p == "0" || !p.starts_with('0'));
    let ident = |p: &str| !p.is_empty() && p.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
    let (head, build) = v.split_once('+').map_or((v, None), |(h, b)| (h, Some(b)));
    let (release, pre) = head.split_once('-').map_or((head, None), |(r, p)| (r, Some(p)));
    let parts: Vec<&str> = release.split('.').collect();
    parts.len() == 3
        && parts.iter().all(|p| number(p))
        && pre.is_none_or(|p| p.split('.').all(|i| ident(i) && (!i.chars().all(|c| c.is_ascii_digit()) || number(i))))
        && build.is_none_or(|b| b.split('.').all(ident))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vs(introduced: Option<&str>, fixed: Option<&str>, last: Option<&str>) -> VersionSpan {
        VersionSpan {
            introduced: introduced.map(Into::into),
            fixed: fixed.map(Into::into),
            last_affected: last.map(Into::into),
        }
    }

    #[test]
    fn semver_precedence() {
        use Ordering::{Equal, Greater, Less};
        let order = [
            "1.0.0-alpha",
            "1.0.0-alpha.1",
            "1.0.0-alpha.beta",
            "1.0.0-beta",
            "1.0.0-beta.2",
            "1.0.0-beta.11",
            "1.0.0-rc.1",
            "1.0.0",
        ];
        for w in order.windows(2) {
            assert_eq!(compare(w[0], w[1]), Some(Less), "{} < {}", w[0], w[1]);
            assert_eq!(compare(w[1], w[0]), Some(Greater));
        }
        assert_eq!(compare("1.10", "1.9"), Some(Greater));
        assert_eq!(compare("1.0", "1.0.0"), Some(Equal));
        assert_eq!(compare("1.0.0+build.5", "1.0.0"), Some(Equal));
        assert_eq!(compare("1.0rc1", "1.0"), None);
        assert_eq!(compare("2024a", "2024a"), Some(Equal));
        assert!(
            is_semver("1.2.3")
                && is_semver("1.2.3-rc.1+b.7")
                && !is_semver("1.2")
                && !is_semver("01.2.3")
                && !is_semver("v1.2.3")
        );
        assert!(!is_semver("1.2.3-01"), "numeric pre-release identifiers have no leading zero");
    }

    #[test]
    fn backports_are_spans_and_fixed_versions() {
        let v =
            Versions::of(None, None, &[vs(Some("3.0.0"), Some("3.7.5"), None), vs(Some("4.0.0"), Some("4.1.2"), None)]);
        assert_eq!(v.fixed, ["3.7.5", "4.1.2"]);
        let affected = |x: &str| v.is_affected(x);
        assert_eq!(
            ["2.9", "3.0.0", "3.7.4", "3.7.5", "3.9", "4.0.0-rc.1", "4.0.0", "4.1.1", "4.1.2", "5.0"].map(affected),
            [false, true, true, false, false, false, true, true, false, false].map(Some)
        );
        assert_eq!(affected("3.x"), None, "not a version this order knows");
        let single = Versions::of(None, None, &[vs(Some("2.0.1"), None, Some("2.0.1"))]);
        assert_eq!(single.spans(), Some(&[Span::Single("2.0.1".into())][..]));
    }

    #[test]
    fn the_old_text_reads_as_it_exported() {
        let spans = |a: Option<&str>, f: Option<&str>| Versions::of(a, f, &[]).affected;
        let range =
            |i: Option<&str>, end: End| Affected::Spans(vec![Span::Range { introduced: i.map(Into::into), end }]);
        assert_eq!(spans(Some(">= 2.0.0, < 2.4.1"), Some("2.4.1")), range(Some("2.0.0"), End::Fixed("2.4.1".into())));
        assert_eq!(spans(Some("<= 2.3"), None), range(None, End::LastAffected("2.3".into())));
        assert_eq!(spans(Some(">= 3.0"), Some("3.2")), range(Some("3.0"), End::Fixed("3.2".into())));
        assert_eq!(
            spans(Some(">= 4.0"), Some("3.7.5")),
            range(Some("4.0"), End::Open),
            "a fix before the start ends nothing"
        );
        assert_eq!(spans(None, Some("1.2")), range(None, End::Fixed("1.2".into())));
        assert_eq!(
            spans(Some("2.0.1, 2.0.2"), None),
            Affected::Spans(vec![Span::Single("2.0.1".into()), Span::Single("2.0.2".into())])
        );
        assert_eq!(spans(Some("all 2.x releases"), Some("3.0")), Affected::Unreadable(Some("all 2.x releases".into())));
        assert_eq!(spans(None, Some("3.7.5, 4.1.2")), Affected::Unreadable(None));
        let every = Versions::of(None, None, &[]);
        assert!(every.is_every() && !every.said && every.is_affected("9.9") == Some(true));
    }

    #[test]
    fn problems_name_the_span() {
        let list = [
            vs(Some("4.0.0"), Some("4.1.2"), None),
            vs(Some("3.0.0"), Some("3.7.5"), None),
            vs(None, None, None),
            vs(Some("5.2"), Some("5.1"), None),
            vs(Some("6.0"), None, Some("6.0.x")),
        ];
        assert_eq!(
            problems(&list),
            [
                Problem::Empty(2),
                Problem::Inverted { index: 3, introduced: "5.2".into(), end: "5.1".into() },
                Problem::Unordered { index: 4, field: "last_affected", version: "6.0.x".into() },
                Problem::OutOfOrder(1),
            ],
            "an empty span is reported once, not again as overlapping its neighbours"
        );
        let touching = [vs(Some("1.0"), Some("2.0"), None), vs(Some("2.0"), Some("3.0"), None)];
        assert_eq!(problems(&touching), [Problem::Overlap(1)]);
        let fine = [vs(None, None, Some("2.3")), vs(Some("3.0"), Some("3.7.5"), None), vs(Some("4.0"), None, None)];
        assert_eq!(problems(&fine), []);
        assert_eq!(problems(&[vs(Some("4.0"), None, None), vs(Some("5.0"), None, None)]), [Problem::Overlap(1)]);
    }
}
