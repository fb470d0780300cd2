//! CVSS vectors: parsing v3.1 and v4.0 and deriving the qualitative level.
//!
//! The arithmetic is the `cvss` crate's (the one RustSec uses); this module pins which
//! versions a report may carry and maps the crate's rating onto [`Level`].

use std::str::FromStr;

use crate::report::Level;

/// A parsed vector's version, score and level.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Assessment {
    pub version: CvssVersion,
    /// Base score, 0.0 to 10.0.
    pub score: f64,
    pub level: Level,
}

/// CVSS versions a report may use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CvssVersion {
    V3_1,
    V4_0,
}

/// Parses a CVSS v3.1 or v4.0 vector string.
pub fn assess(vector: &str) -> Result<Assessment, String> {
    let parsed = ::cvss::Cvss::from_str(vector.trim()).map_err(|e| format!("not a valid CVSS vector: {e}"))?;
    let version = match parsed {
        ::cvss::Cvss::CvssV31(_) => CvssVersion::V3_1,
        ::cvss::Cvss::CvssV40(_) => CvssVersion::V4_0,
        _ => {
            return Err("only CVSS v3.1 (`CVSS:3.1/…`) and v4.0 (`CVSS:4.0/…`) vectors are accepted".into());
        }
    };
    let level = match parsed.severity() {
        ::cvss::Severity::None => Level::None,
        ::cvss::Severity::Low => Level::Low,
        ::cvss::Severity::Medium => Level::Medium,
        ::cvss::Severity::High => Level::High,
        ::cvss::Severity::Critical => Level::Critical,
    };
    Ok(Assessment { version, score: parsed.score(), level })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scores_v31_and_v40() {
        let a = assess("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H").expect("v3.1");
        assert_eq!((a.version, a.score, a.level), (CvssVersion::V3_1, 9.8, Level::Critical));
        let b = assess("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N").expect("v4.0");
        assert_eq!((b.version, b.level), (CvssVersion::V4_0, Level::Critical));
        assert!(assess("CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H").is_err());
        assert!(assess("CVSS:3.1/AV:X").is_err());
        assert!(assess("nonsense").is_err());
    }
}
