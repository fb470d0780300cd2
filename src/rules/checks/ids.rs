//! Id checks: format, file name, prefix, year.

use chrono::Datelike;

use super::{At, CheckContext};
use crate::format::finding::Code;
use crate::format::id::ReportId;
use crate::format::report::Report;

pub fn check(at: &mut At<'_>, report: &Report, ctx: &CheckContext<'_>) {
    let span = at.value("id");
    let stem = at.doc.path.file_stem().and_then(|s| s.to_str()).unwrap_or_default().to_owned();
    if report.id != stem {
        at.push(Code::IdMismatch, span.clone(), format!("id `{}` does not match the file name `{stem}.md`", report.id), "the file of report <ID> is reports/<ID>.md; rename the file or fix the id (`enigm-disclose renumber` resolves collisions)");
    }
    let id: ReportId = match report.id.parse() {
        Ok(id) => id,
        Err(e) => {
            return at.push(
                Code::IdFormat,
                span,
                e,
                "ids are <PREFIX>-<YEAR>-<NNNN>, e.g. ENIGM-2026-0001; `enigm-disclose new` allocates them",
            );
        }
    };
    if id.prefix != ctx.config.id_prefix {
        at.push(
            Code::IdPrefix,
            span.clone(),
            format!("id prefix `{}` is not the repository's `{}`", id.prefix, ctx.config.id_prefix),
            "id_prefix in enigm.yaml sets the prefix of every report id",
        );
    }
    if id.year != report.reported.year() {
        at.push(
            Code::IdYear,
            span,
            format!("id year {} is not the year of `reported` ({})", id.year, report.reported),
            "the year in the id is the year the report was received; fix `reported` or renumber the report",
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::checks::test_support::{PUBLISHED, codes};

    #[test]
    fn id_rules() {
        assert!(codes(&PUBLISHED.replace("id: ENIGM-2026-0001", "id: ENIGM-2026-0002")).contains(&"id-mismatch"));
        assert!(codes(&PUBLISHED.replace("id: ENIGM-2026-0001", "id: ENIGM-26-1")).contains(&"id-format"));
        assert!(codes(&PUBLISHED.replace("id: ENIGM-2026-0001", "id: OTHER-2026-0001")).contains(&"id-prefix"));
        let c = codes(
            &PUBLISHED
                .replace("reported: 2026-01-05", "reported: 2025-12-30")
                .replace("date: 2026-01-05", "date: 2025-12-30"),
        );
        assert_eq!(c, ["id-year"]);
    }
}
