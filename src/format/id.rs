//! Report ids: `<PREFIX>-<YEAR>-<NNNN>` and allocating the next free one.
//!
//! The year is the year of the `reported` date; the number has at least four digits,
//! zero-padded, and counts up per prefix and year. Allocation is pure: callers gather the
//! names already taken (working tree and every branch) and [`next_free`] picks the next.

use std::fmt;
use std::str::FromStr;

/// A parsed report id.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ReportId {
    pub prefix: String,
    pub year: i32,
    pub number: u32,
}

impl ReportId {
    /// The id with the given parts.
    pub fn new(prefix: &str, year: i32, number: u32) -> Self {
        ReportId { prefix: prefix.to_owned(), year, number }
    }

    /// The report file name, `<ID>.md`.
    pub fn file_name(&self) -> String {
        format!("{self}.md")
    }

    /// Parses a report file name `<ID>.md`.
    pub fn from_file_name(name: &str) -> Option<ReportId> {
        name.strip_suffix(".md")?.parse().ok()
    }
}

impl fmt::Display for ReportId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{:04}-{:04}", self.prefix, self.year, self.number)
    }
}

impl FromStr for ReportId {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let bad = || format!("`{s}` is not a report id (expected <PREFIX>-<YEAR>-<NNNN>, e.g. ENIGM-2026-0001)");
        let mut parts = s.rsplitn(3, '-');
        let (number, year, prefix) =
            (parts.next().ok_or_else(bad)?, parts.next().ok_or_else(bad)?, parts.next().ok_or_else(bad)?);
        let digits = |t: &str| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit());
        if !valid_prefix(prefix) || year.len() != 4 || !digits(year) || number.len() < 4 || !digits(number) {
            return Err(bad());
        }
        let year = year.parse().map_err(|_| bad())?;
        let number: u32 = number.parse().map_err(|_| bad())?;
        if number == 0 {
            return Err(bad());
        }
        Ok(ReportId { prefix: prefix.to_owned(), year, number })
    }
}

/// An id prefix is an uppercase ASCII letter followed by up to 15 uppercase letters or digits.
pub fn valid_prefix(prefix: &str) -> bool {
    let b = prefix.as_bytes();
    !b.is_empty()
        && b.len() <= 16
        && b[0].is_ascii_uppercase()
        && b.iter().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
}

/// The next id for `prefix` and `year` after every id among `taken` (other prefixes and years
/// are ignored).
pub fn next_free<'a>(prefix: &str, year: i32, taken: impl IntoIterator<Item = &'a ReportId>) -> ReportId {
    let highest =
        taken.into_iter().filter(|id| id.prefix == prefix && id.year == year).map(|id| id.number).max().unwrap_or(0);
    ReportId::new(prefix, year, highest + 1)
}

/// Up to 10 ids close to `input`: those containing it, else those whose number is nearest.
fn candidates<'a>(input: &str, ids: &[&'a str]) -> Vec<&'a str> {
    let mut near: Vec<&str> = ids.iter().copied().filter(|id| id.contains(input)).collect();
    if near.is_empty() {
        let wanted = input.rsplit('-').next().and_then(|n| n.parse::<i64>().ok()).unwrap_or(0);
        let distance = |id: &&str| id.parse::<ReportId>().map_or(i64::MAX, |p| (i64::from(p.number) - wanted).abs());
        near = ids.to_vec();
        near.sort_by_key(|id| (distance(id), *id));
    }
    near.truncate(10);
    near.sort_unstable();
    near
}

/// Resolves what a user typed (`ENIGM-2026-0007`, `2026-7`, `7`) to one of `ids`, as git
/// resolves abbreviated hashes: an exact id wins; otherwise the input's numbers must match the
/// end of exactly one id. Unknown or ambiguous input lists the candidates.
pub fn resolve<'a>(input: &str, ids: impl IntoIterator<Item = &'a str>) -> Result<String, String> {
    let ids: Vec<&str> = ids.into_iter().collect();
    let input = input.trim().trim_end_matches(".md");
    let input = input.rsplit('/').next().unwrap_or(input);
    if ids.contains(&input) {
        return Ok(input.to_owned());
    }
    let want: Vec<&str> = input.split('-').collect();
    let matches: Vec<&str> = ids
        .iter()
        .copied()
        .filter(|id| {
            let Ok(parsed) = id.parse::<ReportId>() else { return false };
            match want.as_slice() {
                [n] => n.parse::<u32>().is_ok_and(|n| n == parsed.number),
                [y, n] => {
                    y.parse::<i32>().is_ok_and(|y| y == parsed.year)
                        && n.parse::<u32>().is_ok_and(|n| n == parsed.number)
                }
                [p, y, n] => {
                    p.eq_ignore_ascii_case(&parsed.prefix)
                        && y.parse::<i32>().is_ok_and(|y| y == parsed.year)
                        && n.parse::<u32>().is_ok_and(|n| n == parsed.number)
                }
                _ => false,
            }
        })
        .collect();
    match matches.as_slice() {
        [one] => Ok((*one).to_owned()),
        [] => {
            let near = candidates(input, &ids);
            Err(if near.is_empty() {
                format!("no report `{input}` (there are no reports yet)")
            } else {
                format!("no report `{input}`; did you mean: {}", near.join(", "))
            })
        }
        many => {
            let mut many = many.to_vec();
            many.sort_unstable();
            Err(format!("`{input}` is ambiguous: {}", many.join(", ")))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_and_parses() {
        let id = ReportId::new("ENIGM", 2026, 7);
        assert_eq!(id.to_string(), "ENIGM-2026-0007");
        assert_eq!("ENIGM-2026-0007".parse::<ReportId>(), Ok(id.clone()));
        assert_eq!("ENIGM-2026-12345".parse::<ReportId>().map(|i| i.number), Ok(12345));
        assert_eq!(ReportId::from_file_name("ENIGM-2026-0007.md"), Some(id));
        for bad in [
            "ENIGM-2026-7",
            "enigm-2026-0001",
            "ENIGM-26-0001",
            "ENIGM-2026-0000",
            "../x-2026-0001",
            "ENIGM-2026-00a1",
            "2026-0001",
            "A/B-2026-0001",
        ] {
            assert!(bad.parse::<ReportId>().is_err(), "{bad}");
        }
    }

    #[test]
    fn next_free_takes_the_highest_of_its_prefix_and_year() {
        let taken: Vec<ReportId> = ["ENIGM-2026-0003", "ENIGM-2026-0010", "ENIGM-2025-0050", "OTHER-2026-0099"]
            .iter()
            .map(|s| s.parse().expect("id"))
            .collect();
        assert_eq!(next_free("ENIGM", 2026, &taken).to_string(), "ENIGM-2026-0011");
        assert_eq!(next_free("ENIGM", 2027, &taken).to_string(), "ENIGM-2027-0001");
        assert_eq!(next_free("ENIGM", 2026, &[ReportId::new("ENIGM", 2026, 9999)]).to_string(), "ENIGM-2026-10000");
    }

    #[test]
    fn resolves_abbreviations_like_git() {
        let ids = ["ENIGM-2026-0007", "ENIGM-2025-0007", "ENIGM-2026-0012"];
        assert_eq!(resolve("ENIGM-2026-0007", ids), Ok("ENIGM-2026-0007".into()));
        assert_eq!(resolve("2026-7", ids), Ok("ENIGM-2026-0007".into()));
        assert_eq!(resolve("12", ids), Ok("ENIGM-2026-0012".into()));
        assert_eq!(resolve("reports/ENIGM-2026-0012.md", ids), Ok("ENIGM-2026-0012".into()));
        assert_eq!(resolve("7", ids), Err("`7` is ambiguous: ENIGM-2025-0007, ENIGM-2026-0007".into()));
        assert!(resolve("99", ids).unwrap_err().starts_with("no report `99`"));
    }
}
