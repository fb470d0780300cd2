//! Field format checks: CVSS vectors and levels, CWE ids, aliases, reference URLs.

use super::{At, CheckContext};
use crate::format::finding::Code;
use crate::format::report::Report;

pub fn check(at: &mut At<'_>, report: &Report, _ctx: &CheckContext<'_>) {
    if let Some(sev) = &report.severity {
        check_severity(at, sev);
    }
    for (i, cwe) in report.cwe.iter().enumerate() {
        if !is_cwe(cwe) {
            at.push(
                Code::CweFormat,
                at.value(&format!("cwe[{i}]")),
                format!("`{cwe}` is not a CWE id"),
                "write CWE ids as CWE-<number>, e.g. CWE-79",
            );
        } else {
            check_catalogue(at, i, cwe);
        }
    }
    for (i, alias) in report.aliases.iter().enumerate() {
        if !is_cve(alias) && !is_ghsa(alias) {
            at.push(
                Code::AliasFormat,
                at.value(&format!("aliases[{i}]")),
                format!("`{alias}` is not a CVE or GHSA id"),
                "aliases are CVE-YYYY-NNNN (4 or more digits) or GHSA-xxxx-xxxx-xxxx",
            );
        }
    }
    for (i, r) in report.references.iter().enumerate() {
        if let Err(why) = check_url(&r.url) {
            at.push(
                Code::ReferenceUrl,
                at.value(&format!("references[{i}].url")),
                format!("`{}` {why}", r.url),
                "references are public http or https URLs",
            );
        }
    }
}

/// The vectors parse (`cvss_v4` as v4.0, beside a `cvss` that is not) and `level` matches the
/// main vector: `cvss`, or `cvss_v4` alone.
fn check_severity(at: &mut At<'_>, sev: &crate::format::report::SeverityInfo) {
    use crate::format::cvss::{CvssVersion, assess};
    let main = sev.cvss.as_ref().map(|v| ("severity.cvss", v, assess(v)));
    let extra = sev.cvss_v4.as_ref().map(|v| {
        let a = assess(v).and_then(|a| match a.version {
            CvssVersion::V4_0 => Ok(a),
            CvssVersion::V3_1 => Err("`cvss_v4` takes a CVSS v4.0 vector (`CVSS:4.0/…`); v3.1 goes in `cvss`".into()),
        });
        ("severity.cvss_v4", v, a)
    });
    if let (Some((_, _, Ok(m))), Some((key, _, Ok(_)))) = (&main, &extra)
        && m.version == CvssVersion::V4_0
    {
        at.push(
            Code::CvssInvalid,
            at.value(key),
            "`severity.cvss` is already a v4.0 vector, so `cvss_v4` cannot add one",
            "put the v3.1 vector in `cvss` and the v4.0 one in `cvss_v4`, or drop `cvss_v4`",
        );
    }
    for (key, _, result) in main.iter().chain(&extra) {
        if let Err(e) = result {
            at.push(
                Code::CvssInvalid,
                at.value(key),
                format!("`{key}`: {e}"),
                "write a full CVSS v3.1 or v4.0 base vector, e.g. CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
            );
        }
    }
    let Some((_, _, Ok(a))) = main.as_ref().or(extra.as_ref()) else { return };
    if let Some(level) = sev.level
        && level != a.level
    {
        at.push(
            Code::CvssLevelMismatch,
            at.value("severity.level"),
            format!("`level: {level}` does not match the CVSS score {:.1}, which is {}", a.score, a.level),
            format!("set `level: {}` or fix the vector", a.level),
        );
    }
}

/// A well-formed CWE id the catalogue lacks, or marks deprecated.
fn check_catalogue(at: &mut At<'_>, i: usize, cwe: &str) {
    use crate::format::cwe;
    let problem = match cwe::weakness(cwe) {
        None => "is not a weakness of",
        Some(w) if w.status == "Deprecated" => "is deprecated in",
        Some(_) => return,
    };
    at.push(
        Code::CweUnknown,
        at.value(&format!("cwe[{i}]")),
        format!("`{cwe}` {problem} the CWE List {}", cwe::version()),
        "look the weakness up on cwe.mitre.org and use its current id",
    );
}

fn digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

fn is_cwe(s: &str) -> bool {
    s.strip_prefix("CWE-").is_some_and(|n| digits(n) && !n.starts_with('0'))
}

/// `CVE-YYYY-NNNN` with four or more digits in the sequence number.
pub fn is_cve(s: &str) -> bool {
    let mut parts = s.split('-');
    matches!((parts.next(), parts.next(), parts.next(), parts.next()), (Some("CVE"), Some(y), Some(n), None) if y.len() == 4 && digits(y) && n.len() >= 4 && digits(n))
}

/// `GHSA-xxxx-xxxx-xxxx` with groups from GitHub's alphabet (23456789cfghjmpqrvwx).
pub(crate) fn is_ghsa(s: &str) -> bool {
    let Some(rest) = s.strip_prefix("GHSA-") else {
        return false;
    };
    let groups: Vec<&str> = rest.split('-').collect();
    groups.len() == 3 && groups.iter().all(|g| g.len() == 4 && g.bytes().all(|b| b"23456789cfghjmpqrvwx".contains(&b)))
}

pub(crate) fn check_url(url: &str) -> Result<(), &'static str> {
    let rest =
        url.strip_prefix("https://").or_else(|| url.strip_prefix("http://")).ok_or("is not an http or https URL")?;
    if url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err("contains whitespace or control characters");
    }
    let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host = host.rsplit('@').next().unwrap_or_default();
    if host.is_empty() || host.starts_with(':') {
        return Err("has no host");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::checks::test_support::{PUBLISHED, codes};

    #[test]
    fn formats() {
        assert!(
            is_cve("CVE-2026-12345") && is_cve("CVE-2026-1234") && !is_cve("CVE-2026-123") && !is_cve("cve-2026-1234")
        );
        assert!(is_ghsa("GHSA-9wx4-h78v-vm56") && !is_ghsa("GHSA-abcd-efgh-ijkl"));
        assert!(is_cwe("CWE-79") && !is_cwe("CWE-079") && !is_cwe("79"));
        assert!(
            check_url("https://x.test/a").is_ok()
                && check_url("javascript:alert(1)").is_err()
                && check_url("https:///x").is_err()
                && check_url("ftp://x").is_err()
        );
    }

    #[test]
    fn field_rules() {
        assert_eq!(codes(&PUBLISHED.replace("level: critical", "level: low")), ["cvss-level-mismatch"]);
        assert_eq!(codes(&PUBLISHED.replace("CVSS:3.1/AV:N/AC:L", "CVSS:3.1/AV:Q/AC:L")), ["cvss-invalid"]);
        assert_eq!(codes(&PUBLISHED.replace("[CWE-22]", "[CWE22]")), ["cwe-format"]);
        assert_eq!(codes(&PUBLISHED.replace("[CWE-22]", "[CWE-99999]")), ["cwe-unknown"]);
        assert_eq!(codes(&PUBLISHED.replace("[CWE-22]", "[CWE-534]")), ["cwe-unknown"], "deprecated");
        assert_eq!(codes(&PUBLISHED.replace("[CWE-22]", "[CWE-1004]")), Vec::<&str>::new(), "outside the old table");
        assert_eq!(codes(&PUBLISHED.replace("[CVE-2026-12345]", "[CVE-26-1]")), ["alias-format"]);
        assert_eq!(
            codes(&PUBLISHED.replace("https://example.com/web/commit/1", "javascript:alert(1)")),
            ["reference-url"]
        );
        let v4 = PUBLISHED.replace(
            "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
            "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N",
        );
        assert_eq!(codes(&v4), ["cvss-v4-only"], "valid; only CSAF lacks its score");
        let v4_vector = "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N";
        let both = PUBLISHED.replace("  level: critical\n", &format!("  cvss_v4: {v4_vector}\n  level: critical\n"));
        assert_eq!(codes(&both), Vec::<&str>::new());
        assert_eq!(codes(&both.replace("cvss_v4: CVSS:4.0/AV:N", "cvss_v4: CVSS:4.0/AV:Q")), ["cvss-invalid"]);
        let v31_in_v4 =
            both.replace(&format!("cvss_v4: {v4_vector}"), "cvss_v4: CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H");
        assert_eq!(codes(&v31_in_v4), ["cvss-invalid"]);
        assert_eq!(codes(&both.replace("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", v4_vector)), ["cvss-invalid"]);
        let alone = v4.replace("  cvss: CVSS:4.0", "  cvss_v4: CVSS:4.0");
        assert_eq!(codes(&alone), ["cvss-v4-only"]);
        assert_eq!(codes(&alone.replace("level: critical", "level: low")), ["cvss-level-mismatch", "cvss-v4-only"]);
    }
}
