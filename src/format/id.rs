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

/// How many "did you mean" candidates are listed.
const NEAR_SHOWN: usize = 5;

/// Ids close to what was typed, closest first (at most [`NEAR_SHOWN`]). The input is
/// compared part by part with the parts it has (`7`: the number; `2026-7`: year and number;
/// a full id: prefix, year and number), numbers without their zero padding, by edit
/// distance: the ids at distance 1, else 2; ties go to the nearest number.
fn near<'a>(input: &str, ids: &[&'a str]) -> Vec<&'a str> {
    let upper = input.to_ascii_uppercase();
    let mut typed = upper.rsplitn(3, '-');
    let number = typed.next().map(|n| n.trim_start_matches('0').to_owned()).unwrap_or_default();
    let (year, prefix) = (typed.next(), typed.next());
    let wanted: i64 = number.parse().unwrap_or(0);
    let mut scored: Vec<(usize, i64, &str)> = ids
        .iter()
        .filter_map(|id| {
            let p = id.parse::<ReportId>().ok()?;
            let mut d = strsim::levenshtein(&number, &p.number.to_string());
            d += year.map_or(0, |y| strsim::levenshtein(y, &p.year.to_string()));
            d += prefix.map_or(0, |x| strsim::levenshtein(x, &p.prefix));
            Some((d, (i64::from(p.number) - wanted).abs(), *id))
        })
        .collect();
    let limit = if scored.iter().any(|s| s.0 <= 1) { 1 } else { 2 };
    scored.retain(|s| s.0 <= limit);
    scored.sort();
    scored.into_iter().take(NEAR_SHOWN).map(|(_, _, id)| id).collect()
}

/// An id resolved from what the user typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolved {
    pub id: String,
    /// A bare number matched reports of several years and `id` is this year's: the others,
    /// so the caller can say that the number was read as this year's.
    pub other_years: Vec<String>,
}

/// Why what the user typed names no single report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unresolved {
    /// No report matches; `near` lists ids close to the input (possibly none).
    Unknown { input: String, near: Vec<String>, any: bool },
    /// Several reports match (sorted).
    Ambiguous { input: String, matches: Vec<String> },
}

impl Unresolved {
    /// One line saying what went wrong (ids are listed by [`Unresolved::candidates`]).
    pub fn message(&self) -> String {
        match self {
            Unresolved::Unknown { input, any: false, .. } => format!("no report `{input}` (there are no reports yet)"),
            Unresolved::Unknown { input, .. } => format!("no report `{input}`"),
            Unresolved::Ambiguous { input, .. } => format!("`{input}` is ambiguous"),
        }
    }

    /// The ids to offer, one per line, so that none is ever broken across lines.
    pub fn candidates(&self) -> &[String] {
        match self {
            Unresolved::Unknown { near, .. } => near,
            Unresolved::Ambiguous { matches, .. } => matches,
        }
    }
}

/// Resolves what a user typed (`ENIGM-2026-0007`, `2026-7`, `7`) to one of `ids`, as git
/// resolves abbreviated hashes: an exact id wins; otherwise the input's numbers must match the
/// end of exactly one id. A bare number that several years share means the report of
/// `this_year` when there is one (the others are returned, to be mentioned), so short ids do
/// not break every January. Unknown or ambiguous input lists the candidates.
pub fn resolve<'a>(
    input: &str,
    ids: impl IntoIterator<Item = &'a str>,
    this_year: i32,
) -> Result<Resolved, Unresolved> {
    let ids: Vec<&str> = ids.into_iter().collect();
    let input = input.trim().trim_end_matches(".md");
    let input = input.rsplit('/').next().unwrap_or(input);
    if ids.contains(&input) {
        return Ok(Resolved { id: input.to_owned(), other_years: Vec::new() });
    }
    let want: Vec<&str> = input.split('-').collect();
    let mut matches: Vec<&str> = ids
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
    matches.sort_unstable();
    let of_year = |id: &str| id.parse::<ReportId>().is_ok_and(|p| p.year == this_year);
    match matches.as_slice() {
        [one] => Ok(Resolved { id: (*one).to_owned(), other_years: Vec::new() }),
        [] => Err(Unresolved::Unknown {
            input: input.to_owned(),
            near: near(input, &ids).into_iter().map(str::to_owned).collect(),
            any: !ids.is_empty(),
        }),
        many if want.len() == 1 && many.iter().filter(|id| of_year(id)).count() == 1 => {
            let (this, others): (Vec<&str>, Vec<&str>) = many.iter().partition(|id| of_year(id));
            Ok(Resolved { id: this[0].to_owned(), other_years: others.into_iter().map(str::to_owned).collect() })
        }
        many => Err(Unresolved::Ambiguous {
            input: input.to_owned(),
            matches: many.iter().map(|s| (*s).to_owned()).collect(),
        }),
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
        let id = |input: &str, year: i32| resolve(input, ids, year).map(|r| r.id);
        assert_eq!(id("ENIGM-2026-0007", 2026), Ok("ENIGM-2026-0007".into()));
        assert_eq!(id("2026-7", 2026), Ok("ENIGM-2026-0007".into()));
        assert_eq!(id("12", 2026), Ok("ENIGM-2026-0012".into()));
        assert_eq!(id("reports/ENIGM-2026-0012.md", 2026), Ok("ENIGM-2026-0012".into()));
        assert_eq!(id("2025-7", 2026), Ok("ENIGM-2025-0007".into()));
        assert!(matches!(resolve("99", ids, 2026), Err(Unresolved::Unknown { .. })));
    }

    #[test]
    fn a_bare_number_means_this_years_report() {
        let ids = ["ENIGM-2025-0001", "ENIGM-2026-0001", "ENIGM-2025-0002"];
        assert_eq!(
            resolve("1", ids, 2026),
            Ok(Resolved { id: "ENIGM-2026-0001".into(), other_years: vec!["ENIGM-2025-0001".into()] })
        );
        // Another year with only one report of that number: that one, nothing to mention.
        assert_eq!(resolve("2", ids, 2026).map(|r| r.other_years.len()), Ok(0));
        // No report of this year among them: ambiguous, every one listed.
        let err = resolve("1", ids, 2027).expect_err("ambiguous");
        assert_eq!(err.candidates(), ["ENIGM-2025-0001", "ENIGM-2026-0001"]);
        assert_eq!(err.message(), "`1` is ambiguous");
    }

    #[test]
    fn did_you_mean_lists_close_ids_not_the_first_ones() {
        let ids: Vec<String> = (1..=40).map(|n| format!("ENIGM-2026-{n:04}")).collect();
        let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
        let near = |input: &str| resolve(input, ids.iter().copied(), 2026).expect_err("unknown").candidates().to_vec();
        assert_eq!(near("ENIGM-2026-0371"), ["ENIGM-2026-0037", "ENIGM-2026-0031"], "closest first");
        assert_eq!(near("ENIGN-2026-0039"), ["ENIGM-2026-0039"]);
        assert!(near("41").contains(&"ENIGM-2026-0040".to_owned()), "{:?}", near("41"));
        assert!(!near("41").contains(&"ENIGM-2026-0001".to_owned()));
        assert!(near("zzzzzzzz").is_empty());
        assert_eq!(resolve("1", [], 2026).expect_err("none").message(), "no report `1` (there are no reports yet)");
    }
}
