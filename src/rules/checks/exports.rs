//! What the exports can carry: findings for a published report whose CSAF document, OSV
//! record or CVE record would be less than the report says.
//!
//! Each is a warning at the field that lacks something: prose where a version range is
//! expected (CSAF names the range with the text, recommended test 6.2.18; OSV and CVE cannot
//! match versions against it), comparators no single span can say (`> 1.0`: OSV has no
//! exclusive start, so its record lists no range rather than a wider one), an ecosystem
//! without a package (no OSV consumer can match the entry), a product without an
//! identification helper (test 6.2.16) and a CVSS v4.0 vector alone (CSAF 2.0 has no v4.0
//! score, test 6.2.3). They apply to `published` and `withdrawn` reports, the ones exported.

use super::{At, CheckContext};
use crate::format::cvss::{CvssVersion, assess};
use crate::format::finding::Code;
use crate::format::ranges;
use crate::format::report::{Product, Report};

pub fn check(at: &mut At<'_>, report: &Report, _ctx: &CheckContext<'_>) {
    if !report.state.is_public() {
        return;
    }
    for (i, p) in report.products.iter().enumerate() {
        affected(at, i, p);
        if p.ecosystem.as_deref().is_some_and(|e| !e.trim().is_empty()) && p.package.is_none() {
            at.push(
                Code::PackageMissing,
                at.value(&format!("products[{i}].ecosystem")),
                format!(
                    "product `{}` names the ecosystem `{}` but no package",
                    p.name,
                    p.ecosystem.as_deref().unwrap_or_default()
                ),
                "add `package:` with the package's name in that ecosystem, so OSV records can be matched",
            );
        }
        if !p.identified() {
            at.push(
                Code::ProductUnidentified,
                at.value(&format!("products[{i}]")),
                format!("product `{}` has no identification helper, so CSAF consumers cannot match it (test 6.2.16)", p.name),
                "add `cpe:` (e.g. 'cpe:2.3:a:vendor:product:*:*:*:*:*:*:*:*'), `purl:`, or `ecosystem:` and `package:` to derive the purl; `model_numbers`, `skus` and `x_generic_uris` count too",
            );
        }
    }
    cvss_v4_only(at, report);
}

/// `affected` text that is prose, or comparators without one span.
fn affected(at: &mut At<'_>, i: usize, p: &Product) {
    let Some(text) = p.affected.as_deref().map(str::trim).filter(|t| !t.is_empty()) else { return };
    let key = format!("products[{i}].affected");
    match ranges::parse(text).map(|c| ranges::shape(&c)) {
        None => at.push(
            Code::AffectedUnreadable,
            at.value(&key),
            format!("`{text}` cannot be machine-read as a version range: CSAF names the range with this text (test 6.2.18), and the OSV and CVE records list no versions for it"),
            "write comparators (`>= 2.0, < 2.4.1`) or exact versions (`2.0.1, 2.0.2`); keep the prose in the body",
        ),
        Some(Err(why)) => at.push(
            Code::AffectedInexpressible,
            at.value(&key),
            format!("`{text}` cannot be expressed as an OSV range or a CVE span: {why}; the OSV record lists no range for it"),
            "write one span with an inclusive start (`>= 1.0.1, < 2` for `> 1.0, < 2`), or exact versions",
        ),
        Some(Ok(ranges::Shape::Span(span))) => fixed_agrees(at, i, p, &span),
        Some(Ok(ranges::Shape::Versions(_))) => {}
    }
}

/// A span and a `fixed` version that say different things about where the fix is.
fn fixed_agrees(at: &mut At<'_>, i: usize, p: &Product, span: &ranges::Span) {
    use std::cmp::Ordering::Less;
    let Some(fixed) = p.fixed.as_deref().map(str::trim).filter(|f| !f.is_empty()) else { return };
    let cmp = |a: &str| ranges::compare(a, fixed);
    let why = match &span.end {
        Some((end, false)) if cmp(end) != Some(std::cmp::Ordering::Equal) => {
            Some(format!("the range ends before `{end}`, but the fix is `{fixed}`"))
        }
        Some((end, true)) if cmp(end).is_some_and(|o| o != Less) => {
            Some(format!("the range includes `{end}`, at or after the fix `{fixed}`"))
        }
        _ if span.start != "0" && cmp(&span.start).is_some_and(|o| o != Less) => {
            Some(format!("the range starts at `{}`, at or after the fix `{fixed}`", span.start))
        }
        _ => None,
    };
    if let Some(why) = why {
        at.push(
            Code::AffectedFixedMismatch,
            at.value(&format!("products[{i}].fixed")),
            format!(
                "product `{}`: {why}, so the OSV and CVE records would contradict each other or the report",
                p.name
            ),
            "make the range's upper bound the fixed version (`< FIXED`), or correct `fixed`",
        );
    }
}

/// A v4.0 vector and no v3.1 one: the CSAF document has no score.
fn cvss_v4_only(at: &mut At<'_>, report: &Report) {
    let Some(sev) = &report.severity else { return };
    // One vector only: two that are both v4.0 are `cvss-invalid` already.
    let (key, vector) = match (&sev.cvss, &sev.cvss_v4) {
        (Some(v), None) => ("severity.cvss", v),
        (None, Some(v)) => ("severity.cvss_v4", v),
        _ => return,
    };
    if assess(vector).is_ok_and(|a| a.version == CvssVersion::V4_0) {
        at.push(
            Code::CvssV4Only,
            at.value(key),
            "the only CVSS vector is v4.0, and CSAF 2.0 scores only v2 and v3: the CSAF document has no score (test 6.2.3)",
            "add the CVSS v3.1 vector too: `cvss:` v3.1 and `cvss_v4:` v4.0",
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::checks::test_support::{PUBLISHED, findings};

    fn codes_at(text: &str) -> Vec<(&'static str, String)> {
        findings(text)
            .into_iter()
            .map(|f| (f.code.as_str(), f.span.map(|s| text[s].to_owned()).unwrap_or_default()))
            .collect()
    }

    #[test]
    fn ranges_the_exports_cannot_carry_are_found_at_the_value() {
        let with = |affected: &str| PUBLISHED.replace("affected: '< 2.4.1'", &format!("affected: '{affected}'"));
        assert_eq!(codes_at(&with("all 2.x releases")), [("affected-unreadable", "'all 2.x releases'".to_owned())]);
        assert_eq!(codes_at(&with("> 1.0, < 2")), [("affected-inexpressible", "'> 1.0, < 2'".to_owned())]);
        assert_eq!(codes_at(&with("2.0.1, 2.0.2")), []);
        let draft = with("all 2.x releases").replace("state: published", "state: triaged");
        assert!(!findings(&draft).iter().any(|f| f.code.as_str().starts_with("affected-")), "only exported reports");
    }

    #[test]
    fn a_range_and_a_fixed_version_that_disagree_are_found_at_fixed() {
        let with = |affected: &str, fixed: &str| {
            PUBLISHED
                .replace("affected: '< 2.4.1'", &format!("affected: '{affected}'"))
                .replace("fixed: '2.4.1'", &format!("fixed: '{fixed}'"))
        };
        let mismatch =
            |a: &str, f: &str| codes_at(&with(a, f)).contains(&("affected-fixed-mismatch", format!("'{f}'")));
        assert!(mismatch("< 3.7.6", "3.7.5"), "ends past the fix");
        assert!(mismatch("<= 3.7.5", "3.7.5"), "includes the fix");
        assert!(mismatch(">= 4.0", "3.7.5"), "starts after the fix: inverted OSV events");
        assert!(mismatch(">= 1.0, < 2.0", "1.5-rc1"), "a fix that is not the end");
        for (a, f) in [("< 3.7.5", "3.7.5"), ("<= 3.7.4", "3.7.5"), (">= 1.0, < 1.10", "1.10.0"), (">= 3.0", "3.7.5")] {
            assert!(!mismatch(a, f), "{a} with fixed {f} agree");
        }
    }

    #[test]
    fn helpers_packages_and_scores() {
        let bare = PUBLISHED.replace("    cpe: 'cpe:2.3:a:org:web:*:*:*:*:*:*:*:*'\n", "");
        assert_eq!(codes_at(&bare).first().map(|c| c.0), Some("product-unidentified"));
        let eco = bare.replace("affected: '< 2.4.1'", "affected: '< 2.4.1'\n    ecosystem: PyPI");
        assert_eq!(codes_at(&eco).iter().map(|c| c.0).collect::<Vec<_>>(), ["package-missing", "product-unidentified"]);
        let derived = eco.replace("ecosystem: PyPI", "ecosystem: PyPI\n    package: orbit");
        assert_eq!(codes_at(&derived), [], "the purl is derived from the package");
        let v4 = PUBLISHED.replace(
            "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
            "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N",
        );
        assert_eq!(codes_at(&v4).iter().map(|c| c.0).collect::<Vec<_>>(), ["cvss-v4-only"]);
    }
}
