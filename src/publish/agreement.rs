//! The range-agreement property: for generated layouts of `versions` spans (one to four
//! release branches; a first span from the first version; spans ending in `fixed` or
//! `last_affected`; single versions; an open-ended last span), the OSV record, the CVE record
//! and the CSAF document each answer "is version V affected?" exactly as the report does, for
//! every version of a small universe (pre-releases included).
//!
//! Each export is read by a reader of its own specification, not by our code: OSV by the
//! evaluation algorithm of the OSV schema (`docs/schema.md`, "Evaluation"), CVE by the
//! algorithm in the CVE JSON 5 schema's `versions` description (first matching entry, then
//! `defaultStatus`), CSAF's `product_version_range` by the `vers` specification's "checking if
//! a version is contained within a range". Versions are ordered by an independent key
//! (numbers, then "no pre-release" above any `-rc.N`), which is SemVer precedence for them.

use std::cmp::Ordering;

use proptest::prelude::*;
use serde_json::Value;

use crate::format::config::Config;
use crate::publish::csaf::test_support::{EXPORTS, advisory, config, document};

/// A version of the universe: `major.minor.patch`, with `-rc.N` when `pre` is set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct V {
    major: u8,
    minor: u8,
    patch: u8,
    /// `None` sorts after every pre-release of the same version.
    pre: Option<u8>,
}

impl V {
    fn key(self) -> (u8, u8, u8, u16) {
        (self.major, self.minor, self.patch, self.pre.map_or(u16::MAX, u16::from))
    }

    fn text(self) -> String {
        match self.pre {
            Some(n) => format!("{}.{}.{}-rc.{n}", self.major, self.minor, self.patch),
            None => format!("{}.{}.{}", self.major, self.minor, self.patch),
        }
    }
}

fn universe() -> Vec<V> {
    let mut all = Vec::new();
    for major in 0..5 {
        for minor in 0..3 {
            for patch in 0..3 {
                for pre in [Some(0), Some(1), None] {
                    all.push(V { major, minor, patch, pre });
                }
            }
        }
    }
    all.sort_by_key(|v| v.key());
    all
}

/// How a span ends.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Kind {
    Fixed,
    LastAffected,
    Single,
    Open,
}

/// A layout: the spans' kinds and `2 × n` ascending bounds (span `k` uses bounds `2k`, `2k+1`).
#[derive(Debug, Clone)]
struct Layout {
    kinds: Vec<Kind>,
    bounds: Vec<V>,
    from_first: bool,
}

impl Layout {
    fn truth(&self, q: V) -> bool {
        self.kinds.iter().enumerate().any(|(k, kind)| {
            let (lo, hi) = (self.bounds[2 * k], self.bounds[2 * k + 1]);
            let above = (k == 0 && self.from_first && *kind != Kind::Single) || q.key() >= lo.key();
            match kind {
                Kind::Fixed => above && q.key() < hi.key(),
                Kind::LastAffected => above && q.key() <= hi.key(),
                Kind::Single => q == lo,
                Kind::Open => above,
            }
        })
    }

    fn yaml(&self) -> String {
        let mut out = String::from("    versions:\n");
        for (k, kind) in self.kinds.iter().enumerate() {
            let (lo, hi) = (self.bounds[2 * k].text(), self.bounds[2 * k + 1].text());
            let mut fields = Vec::new();
            if !(k == 0 && self.from_first && *kind != Kind::Single) {
                fields.push(format!("introduced: '{lo}'"));
            }
            match kind {
                Kind::Fixed => fields.push(format!("fixed: '{hi}'")),
                Kind::LastAffected => fields.push(format!("last_affected: '{hi}'")),
                Kind::Single => fields.push(format!("last_affected: '{lo}'")),
                Kind::Open => {}
            }
            if fields.is_empty() {
                // An open span from the first version: every version.
                fields.push("introduced: '0'".to_owned());
            }
            out.push_str(&format!("      - {}\n", fields[0]));
            for f in &fields[1..] {
                out.push_str(&format!("        {f}\n"));
            }
        }
        out
    }

    /// The fixture with the `web` product's text replaced by these spans (an npm package, so
    /// OSV ranges are SEMVER).
    fn report(&self) -> String {
        let old = "    affected: '>= 2.0.0, < 2.4.1'\n    fixed: '2.4.1'\n";
        assert!(EXPORTS.contains(old));
        EXPORTS.replace(old, &format!("{}    ecosystem: npm\n    package: acme-web\n", self.yaml()))
    }
}

fn layouts() -> impl Strategy<Value = Layout> {
    (1usize..=4)
        .prop_flat_map(|n| {
            let kinds = proptest::collection::vec(
                prop_oneof![Just(Kind::Fixed), Just(Kind::LastAffected), Just(Kind::Single)],
                n,
            );
            (kinds, proptest::sample::subsequence(universe(), 2 * n), any::<bool>(), any::<bool>())
        })
        .prop_map(|(mut kinds, bounds, open_last, from_first)| {
            if open_last {
                *kinds.last_mut().expect("one span") = Kind::Open;
            }
            Layout { kinds, bounds, from_first }
        })
}

fn cmp(a: &str, b: &str) -> Ordering {
    // The readers' own order, for the universe's versions: by the independent key.
    let parse = |s: &str| {
        let (release, pre) = s.split_once("-rc.").map_or((s, None), |(r, p)| (r, Some(p)));
        let n: Vec<u8> = release.split('.').map(|x| x.parse().expect("number")).collect();
        let pre = pre.map(|p| p.parse::<u8>().expect("rc number"));
        V { major: n[0], minor: n.get(1).copied().unwrap_or(0), patch: n.get(2).copied().unwrap_or(0), pre }.key()
    };
    parse(a).cmp(&parse(b))
}

/// OSV's `IsVulnerable` for one `affected` entry: `versions`, then each range's events sorted
/// by version ("0" first).
fn osv_affected(entry: &Value, v: &str) -> bool {
    if entry["versions"].as_array().is_some_and(|l| l.iter().any(|x| x == v)) {
        return true;
    }
    entry["ranges"].as_array().into_iter().flatten().any(|range| {
        let mut events: Vec<(&str, &str)> = range["events"]
            .as_array()
            .expect("events")
            .iter()
            .map(|e| {
                let (k, x) = e.as_object().and_then(|o| o.iter().next()).expect("one key");
                (k.as_str(), x.as_str().expect("version"))
            })
            .collect();
        let order = |a: &str, b: &str| match (a, b) {
            ("0", "0") => Ordering::Equal,
            ("0", _) => Ordering::Less,
            (_, "0") => Ordering::Greater,
            _ => cmp(a, b),
        };
        events.sort_by(|a, b| order(a.1, b.1));
        let mut vulnerable = false;
        for (kind, x) in events {
            let at_or_after = x == "0" || cmp(v, x) != Ordering::Less;
            match kind {
                "introduced" if at_or_after => vulnerable = true,
                "fixed" if at_or_after => vulnerable = false,
                "last_affected" if cmp(v, x) == Ordering::Greater => vulnerable = false,
                _ => {}
            }
        }
        vulnerable
    })
}

/// The CVE JSON 5 status of `v`: the first entry that matches, else `defaultStatus`.
fn cve_status(product: &Value, v: &str) -> String {
    for e in product["versions"].as_array().into_iter().flatten() {
        let start = e["version"].as_str().expect("version");
        let from = start == "0" || cmp(v, start) != Ordering::Less;
        let status = e["status"].as_str().expect("status").to_owned();
        match (e["lessThan"].as_str(), e["lessThanOrEqual"].as_str()) {
            (None, None) if v == start => return status,
            (Some(lt), _) if from && (lt == "*" || cmp(v, lt) == Ordering::Less) => return status,
            (None, Some(le)) if from && cmp(v, le) != Ordering::Greater => return status,
            _ => {}
        }
    }
    product["defaultStatus"].as_str().unwrap_or("unknown").to_owned()
}

/// Whether `v` is in a `vers` range, by the specification's algorithm (with a lone `<`/`>`
/// constraint read as its plain meaning, which the pairwise loop leaves unsaid). Also checks
/// the range is well formed: constraints sorted by version, each version once.
fn vers_contains(range: &str, v: &str) -> bool {
    let (_, constraints) = range.strip_prefix("vers:").and_then(|r| r.split_once('/')).expect("a vers range");
    if constraints == "*" {
        return true;
    }
    let parsed: Vec<(&str, &str)> = constraints
        .split('|')
        .map(|c| {
            let op = [">=", "<=", "!=", "<", ">"].into_iter().find(|op| c.starts_with(op)).unwrap_or("=");
            (op, c.strip_prefix(op).unwrap_or(c))
        })
        .collect();
    for w in parsed.windows(2) {
        assert_eq!(cmp(w[0].1, w[1].1), Ordering::Less, "{range}: constraints sorted, versions unique");
    }
    if parsed.iter().any(|(op, x)| ["=", "<=", ">="].contains(op) && *x == v) {
        return true;
    }
    let rest: Vec<(&str, &str)> = parsed.into_iter().filter(|(op, _)| !["=", "!="].contains(op)).collect();
    let less = |op: &str| op.starts_with('<');
    if let [(op, x)] = rest.as_slice() {
        return if less(op) { cmp(v, x) == Ordering::Less } else { cmp(v, x) == Ordering::Greater };
    }
    let last = rest.len().saturating_sub(2);
    for (i, w) in rest.windows(2).enumerate() {
        let ((cop, cur), (nop, next)) = (w[0], w[1]);
        if i == 0 && less(cop) && cmp(v, cur) == Ordering::Less {
            return true;
        }
        if i == last && !less(nop) && cmp(v, next) == Ordering::Greater {
            return true;
        }
        if !less(cop) && less(nop) && cmp(v, cur) == Ordering::Greater && cmp(v, next) == Ordering::Less {
            return true;
        }
    }
    false
}

fn with_org() -> Config {
    let mut c = config();
    c.render.cve_org_id = Some("5a3b1c2d-0e4f-4a1b-9c8d-7e6f5a4b3c2d".into());
    c
}

/// The `web` leaves of a CSAF document: the range's name and the fixed versions with ids.
fn csaf_web(doc: &Value) -> (String, Vec<(String, String)>) {
    let products = doc["product_tree"]["branches"][0]["branches"].as_array().expect("products");
    let web = products.iter().find(|p| p["name"] == "web").expect("web");
    let leaves = web["branches"].as_array().expect("leaves");
    let range = leaves.iter().find(|l| l["category"] == "product_version_range").expect("range");
    let fixed = leaves
        .iter()
        .filter(|l| l["category"] == "product_version")
        .map(|l| {
            (l["name"].as_str().expect("name").to_owned(), l["product"]["product_id"].as_str().expect("id").to_owned())
        })
        .collect();
    (range["name"].as_str().expect("name").to_owned(), fixed)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn every_export_answers_is_v_affected_as_the_report_does(layout in layouts()) {
        let text = layout.report();
        let errors: Vec<_> = crate::rules::checks::test_support::findings(&text)
            .into_iter()
            .filter(|f| f.code.as_str().starts_with("version"))
            .collect();
        prop_assert!(errors.is_empty(), "a generated layout is valid: {errors:?}\n{text}");
        let a = advisory(&text);
        let report = a.products[0].versions();
        let osv = crate::publish::osv::record(&a, &config());
        let osv_web = &osv["affected"][0];
        for range in osv_web["ranges"].as_array().into_iter().flatten() {
            prop_assert_eq!(&range["type"], "SEMVER");
        }
        let cve = crate::publish::cve::record(&a, &with_org(), "").expect("record");
        let cve_web = &cve["containers"]["cna"]["affected"][0];
        let csaf = document(&text);
        let (range, fixed) = csaf_web(&csaf);
        for q in universe() {
            let v = q.text();
            let truth = layout.truth(q);
            prop_assert_eq!(report.is_affected(&v), Some(truth), "report, {} in\n{}", v, text);
            prop_assert_eq!(osv_affected(osv_web, &v), truth, "OSV, {} in {}", v, osv_web);
            let status = if truth { "affected" } else { "unaffected" };
            prop_assert_eq!(cve_status(cve_web, &v), status, "CVE, {} in {}", v, cve_web);
            prop_assert_eq!(vers_contains(&range, &v), truth, "CSAF, {} in {}", v, range);
        }
        let known_fixed = &csaf["vulnerabilities"][0]["product_status"]["fixed"];
        for (version, id) in &fixed {
            let q = universe().into_iter().find(|u| u.text() == *version).expect("a universe version");
            prop_assert!(!layout.truth(q), "CSAF names {} fixed, and it is affected", version);
            prop_assert!(known_fixed.as_array().is_some_and(|l| l.iter().any(|x| x == id.as_str())));
        }
        let spans_fixed = layout.kinds.iter().filter(|k| **k == Kind::Fixed).count();
        prop_assert_eq!(fixed.len(), spans_fixed, "a product_version per fixed version");
    }
}

#[test]
fn the_readers_read_the_specifications_examples() {
    let entry = serde_json::json!({ "ranges": [{ "type": "SEMVER", "events": [
        { "introduced": "1.0.0" }, { "fixed": "1.0.2" }, { "introduced": "3.0.0" }, { "fixed": "3.2.5" }
    ] }] });
    let hits: Vec<bool> = ["0.9.0", "1.0.0", "1.0.1", "1.0.2", "2.0.0", "3.1.0", "3.2.5"]
        .iter()
        .map(|v| osv_affected(&entry, v))
        .collect();
    assert_eq!(hits, [false, true, true, false, false, true, false]);
    assert!(
        vers_contains("vers:npm/1.2.3|>=2.0.0|<5.0.0", "1.2.3")
            && vers_contains("vers:npm/1.2.3|>=2.0.0|<5.0.0", "4.0.0")
    );
    assert!(
        !vers_contains("vers:npm/1.2.3|>=2.0.0|<5.0.0", "5.0.0")
            && !vers_contains("vers:npm/1.2.3|>=2.0.0|<5.0.0", "1.2.4")
    );
    let cve = serde_json::json!({ "versions": [
        { "version": "1.0", "lessThan": "1.3", "status": "affected", "versionType": "semver" },
    ], "defaultStatus": "unaffected" });
    assert_eq!((cve_status(&cve, "1.2.0"), cve_status(&cve, "1.3.0")), ("affected".into(), "unaffected".into()));
}
