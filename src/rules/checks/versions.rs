//! The `versions` spans of a product (backports): what makes them one clear reading.
//!
//! [`crate::format::versions`] turns spans into what every export says; these checks make
//! sure that reading is the one the author meant: `versions` is never given beside
//! `affected`/`fixed` (two answers), a span is not empty and does not end before it starts,
//! and spans ascend without overlapping or touching (OSV, CVE and `vers` all need a strict
//! order). A bound that is not a dotted-number version cannot be ordered, so it is a warning:
//! the exports carry it as written. Every state: the spans are data, not a publication step.

use super::{At, CheckContext};
use crate::format::finding::Code;
use crate::format::report::{Product, Report};
use crate::format::versions::{Problem, problems};

pub fn check(at: &mut At<'_>, report: &Report, _ctx: &CheckContext<'_>) {
    for (i, p) in report.products.iter().enumerate() {
        if p.versions.is_empty() {
            continue;
        }
        with_text(at, i, p);
        for problem in problems(&p.versions) {
            push(at, i, p, problem);
        }
    }
}

/// `versions` beside `affected` or `fixed`.
fn with_text(at: &mut At<'_>, i: usize, p: &Product) {
    for (field, given) in [("affected", &p.affected), ("fixed", &p.fixed)] {
        if given.is_some() {
            at.push(
                Code::VersionsWithText,
                at.key(&format!("products[{i}].{field}")),
                format!("product `{}` gives both `versions` and `{field}`: the spans say which versions are affected and fixed, so `{field}` would be a second answer", p.name),
                format!("remove `{field}`: put each fixed version in its span's `fixed` (`- introduced: '3.0.0'` / `fixed: '3.7.5'`)"),
            );
        }
    }
}

fn push(at: &mut At<'_>, i: usize, p: &Product, problem: Problem) {
    let span = |j: usize| at.value(&format!("products[{i}].versions[{j}]"));
    let name = &p.name;
    match problem {
        Problem::Empty(j) => at.push(
            Code::VersionsSpan,
            span(j),
            format!("span {} of product `{name}` is empty: it says neither `introduced`, `fixed` nor `last_affected`", j + 1),
            "give the span its first affected version (`introduced`) and its fix (`fixed`) or last affected version (`last_affected`), or remove it",
        ),
        Problem::Inverted { index: j, introduced, end } => at.push(
            Code::VersionsSpan,
            span(j),
            format!("span {} of product `{name}` starts at `{introduced}`, at or after its end `{end}`, so it holds no version", j + 1),
            "swap or correct the versions: `introduced` is the first affected version, `fixed` the first fixed one",
        ),
        Problem::OutOfOrder(j) => at.push(
            Code::VersionsOrder,
            span(j),
            format!("span {} of product `{name}` starts before span {}: spans go from the oldest release branch to the newest", j + 1, j),
            "list the spans in ascending order of `introduced`",
        ),
        Problem::Overlap(j) => at.push(
            Code::VersionsOrder,
            span(j),
            format!("span {} of product `{name}` starts at or before the end of span {} (or span {} never ends): the spans overlap or touch", j + 1, j, j),
            "start the span after the previous one's `fixed`/`last_affected`, or merge the two spans into one",
        ),
        Problem::Unordered { index: j, field, version } => at.push(
            Code::VersionUnordered,
            at.value(&format!("products[{i}].versions[{j}].{field}")),
            format!("`{version}` is not a dotted-number version (`1.2.3`, `1.2.3-rc.1`), so it cannot be ordered against the other bounds: the exports carry it as written, unchecked"),
            "write the version as dotted numbers with an optional `-pre-release`, as the package's releases are numbered",
        ),
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::checks::test_support::{PUBLISHED, findings};

    fn with_versions(block: &str) -> String {
        let text = PUBLISHED.replace("    affected: '< 2.4.1'\n", "").replace("    fixed: '2.4.1'\n", "");
        text.replace("  - name: web\n", &format!("  - name: web\n    versions:\n{block}"))
    }

    fn codes_at(text: &str) -> Vec<(&'static str, String)> {
        findings(text)
            .into_iter()
            .filter(|f| f.code.as_str().starts_with("version"))
            .map(|f| (f.code.as_str(), f.span.map(|s| text[s].to_owned()).unwrap_or_default()))
            .collect()
    }

    #[test]
    fn two_branches_are_valid() {
        let text = with_versions(
            "      - introduced: '3.0.0'\n        fixed: '3.7.5'\n      - introduced: '4.0.0'\n        fixed: '4.1.2'\n",
        );
        assert!(text.contains("versions:"), "{text}");
        assert_eq!(findings(&text).iter().map(|f| f.code.as_str()).collect::<Vec<_>>(), Vec::<&str>::new());
    }

    #[test]
    fn each_problem_is_found_at_its_span() {
        let text = with_versions(concat!(
            "      - introduced: '4.0.0'\n        fixed: '4.1.2'\n",
            "      - introduced: '3.0.0'\n        fixed: '3.7.5'\n",
            "      - {}\n",
            "      - introduced: '6.1'\n        fixed: '6.0'\n",
            "      - introduced: '7.0'\n        last_affected: '7.x'\n",
        ));
        let found = codes_at(&text);
        assert_eq!(
            found.iter().map(|(c, _)| *c).collect::<Vec<_>>(),
            ["versions-span", "versions-span", "version-unordered", "versions-order"],
            "{found:?}"
        );
        assert_eq!(found[0].1, "{}");
        assert!(found[1].1.starts_with("introduced: '6.1'"), "{found:?}");
        assert_eq!(found[2].1, "'7.x'");
        assert!(found[3].1.starts_with("introduced: '3.0.0'"), "{found:?}");
    }

    #[test]
    fn versions_beside_affected_or_fixed_is_an_error_naming_both() {
        let text = with_versions("      - introduced: '3.0.0'\n        fixed: '3.7.5'\n")
            .replace("    versions:\n", "    affected: '< 3.7.5'\n    versions:\n");
        let f: Vec<_> = findings(&text).into_iter().filter(|f| f.code.as_str() == "versions-with-text").collect();
        assert_eq!(f.len(), 1, "{f:?}");
        assert!(f[0].message.contains("`versions` and `affected`"), "{}", f[0].message);
        assert_eq!(&text[f[0].span.clone().expect("span")], "affected");
        assert_eq!(f[0].severity, crate::format::finding::Severity::Error);
    }
}
