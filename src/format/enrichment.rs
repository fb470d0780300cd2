//! The threat data files `enrich` reads, downloaded by the user: CISA's Known Exploited
//! Vulnerabilities catalog (JSON: `catalogVersion`, `dateReleased`, `vulnerabilities[]` with
//! `cveID`, `dateAdded`, `knownRansomwareCampaignUse`, …) and FIRST's EPSS scores (CSV: a
//! `#model_version:…,score_date:…` comment line, then `cve,epss,percentile`). Parsing only:
//! bytes in, typed data out, every problem a message naming the line or field.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::Deserialize;

use crate::format::exploited::{Epss, Kev};

/// The KEV catalog, by CVE.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KevCatalog {
    pub version: String,
    pub released: String,
    pub entries: BTreeMap<String, Kev>,
}

/// An EPSS file, by CVE.
#[derive(Debug, Clone, PartialEq)]
pub struct EpssScores {
    pub model: String,
    pub date: NaiveDate,
    pub scores: BTreeMap<String, Epss>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawCatalog {
    catalog_version: String,
    date_released: String,
    vulnerabilities: Vec<RawKev>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawKev {
    #[serde(rename = "cveID")]
    cve_id: String,
    date_added: String,
    #[serde(default)]
    known_ransomware_campaign_use: Option<String>,
}

/// Parses a KEV catalog (`known_exploited_vulnerabilities.json`).
pub fn parse_kev(text: &str) -> Result<KevCatalog, String> {
    let raw: RawCatalog = serde_json::from_str(text).map_err(|e| format!("not a KEV catalog: {e}"))?;
    let mut entries = BTreeMap::new();
    for (i, v) in raw.vulnerabilities.into_iter().enumerate() {
        let date_added = NaiveDate::parse_from_str(&v.date_added, "%Y-%m-%d")
            .map_err(|_| format!("vulnerabilities[{i}].dateAdded: `{}` is not a YYYY-MM-DD date", v.date_added))?;
        let cve = v.cve_id.trim().to_owned();
        let kev = Kev {
            cve: cve.clone(),
            date_added,
            catalog_version: raw.catalog_version.clone(),
            ransomware: v.known_ransomware_campaign_use.filter(|s| !s.trim().is_empty()),
        };
        entries.insert(cve, kev);
    }
    Ok(KevCatalog { version: raw.catalog_version, released: raw.date_released, entries })
}

/// Parses an EPSS CSV (`epss_scores-YYYY-MM-DD.csv`, uncompressed).
pub fn parse_epss(text: &str) -> Result<EpssScores, String> {
    let mut lines = text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty());
    let (_, comment) = lines.next().ok_or("the EPSS file is empty")?;
    let meta: BTreeMap<&str, &str> = comment
        .strip_prefix('#')
        .ok_or("line 1: expected the `#model_version:…,score_date:…` comment line")?
        .split(',')
        .filter_map(|kv| kv.split_once(':'))
        .map(|(k, v)| (k.trim(), v.trim()))
        .collect();
    let model = meta.get("model_version").ok_or("line 1: no `model_version`")?.to_string();
    let date_text = meta.get("score_date").ok_or("line 1: no `score_date`")?;
    let date = date_text
        .get(..10)
        .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
        .ok_or_else(|| format!("line 1: `score_date:{date_text}` is not a date"))?;
    let (_, header) = lines.next().ok_or("line 2: expected the header `cve,epss,percentile`")?;
    let columns: Vec<&str> = header.split(',').map(str::trim).collect();
    let col = |name: &str| columns.iter().position(|c| *c == name).ok_or(format!("the header has no `{name}` column"));
    let (c_cve, c_epss, c_pct) = (col("cve")?, col("epss")?, col("percentile")?);
    let mut scores = BTreeMap::new();
    for (n, line) in lines {
        let cells: Vec<&str> = line.split(',').map(str::trim).collect();
        let cell = |i: usize| cells.get(i).copied().ok_or(format!("line {}: too few columns", n + 1));
        let number = |i: usize| -> Result<f64, String> {
            let text = cell(i)?;
            text.parse::<f64>()
                .ok()
                .filter(|v| (0.0..=1.0).contains(v))
                .ok_or(format!("line {}: `{text}` is not a number from 0 to 1", n + 1))
        };
        let cve = cell(c_cve)?.to_owned();
        let epss =
            Epss { cve: cve.clone(), score: number(c_epss)?, percentile: number(c_pct)?, date, model: model.clone() };
        scores.insert(cve, epss);
    }
    Ok(EpssScores { model, date, scores })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_kev_catalog_parses_by_cve() {
        let text = r#"{"title":"CISA Catalog of Known Exploited Vulnerabilities","catalogVersion":"2026.11.28","dateReleased":"2026-11-28T17:02:11.2334Z","count":1,
            "vulnerabilities":[{"cveID":"CVE-2026-1234","vendorProject":"Example","product":"Web","dateAdded":"2026-11-20","knownRansomwareCampaignUse":"Unknown","notes":""}]}"#;
        let kev = parse_kev(text).expect("parses");
        assert_eq!(kev.version, "2026.11.28");
        let e = &kev.entries["CVE-2026-1234"];
        assert_eq!(e.date_added.to_string(), "2026-11-20");
        assert_eq!(e.ransomware.as_deref(), Some("Unknown"));
        assert!(parse_kev("{}").unwrap_err().starts_with("not a KEV catalog"));
        let bad = text.replace("2026-11-20", "20 Nov");
        assert!(parse_kev(&bad).unwrap_err().contains("vulnerabilities[0].dateAdded"));
    }

    #[test]
    fn an_epss_file_parses_with_its_comment_line() {
        let text = "#model_version:v2025.03.14,score_date:2026-11-30T12:55:00Z\ncve,epss,percentile\nCVE-2026-1234,0.94123,0.99876\n";
        let epss = parse_epss(text).expect("parses");
        assert_eq!((epss.model.as_str(), epss.date.to_string()), ("v2025.03.14", "2026-11-30".to_owned()));
        assert_eq!(epss.scores["CVE-2026-1234"].percentile, 0.99876);
        assert!(parse_epss("cve,epss,percentile\n").unwrap_err().contains("comment line"));
        assert!(parse_epss(&text.replace("0.94123", "1.5")).unwrap_err().contains("line 3"));
        assert!(parse_epss(&text.replace("percentile", "pct")).unwrap_err().contains("`percentile`"));
    }
}
