//! Creating a report: checking the request, allocating its id, writing the file, committing.
//!
//! The id is the next free number for the prefix and the `reported` year across the work
//! tree and every local and remote-tracking branch, so two people on two branches do not
//! collide once one has fetched the other. The file is created without ever overwriting one
//! (if another process takes the id first, the next number is tried).

use std::collections::HashSet;
use std::fs;
use std::io::ErrorKind;
use std::path::{Path, PathBuf};

use chrono::{Datelike, NaiveDate};

use crate::error::{Error, Result};
use crate::format::config::Config;
use crate::format::finding::Severity;
use crate::format::id::{self, ReportId};
use crate::format::report::{Document, Justification, Level, State};
use crate::format::yamlout::scalar;
use crate::layout::REPORTS_DIR;
use crate::rules::checks::CheckContext;
use crate::rules::pipeline;
use crate::store::files;
use crate::store::repo::{Change, CommitId, Identity, Repo};
use crate::workflow::advance::refused;

/// What a new report starts with.
#[derive(Debug, Clone)]
pub struct NewReport {
    pub title: String,
    pub product: String,
    pub component: Option<String>,
    /// The product's package URL and CPE name (CSAF product identification helpers; what a
    /// VEX statement's product is known by in OpenVEX and `csaf_vex`).
    pub purl: Option<String>,
    pub cpe: Option<String>,
    pub reporter_name: String,
    pub reporter_contact: Option<String>,
    pub credit: Option<String>,
    pub level: Option<Level>,
    pub cvss: Option<String>,
    pub assignee: Option<String>,
    pub reported: NaiveDate,
    /// Markdown body; `None` gives the section skeleton.
    pub body: Option<String>,
    /// Who records the first timeline entry.
    pub by: String,
    /// A private note on the first timeline entry (where an imported report came from).
    pub note: Option<String>,
    /// File a VEX statement (`vex_only`) about this vulnerability instead of a report.
    pub vex: Option<VexStatement>,
}

/// What a new VEX statement says: the vulnerability (a CVE or GHSA id, someone else's) and,
/// when known, why the product is not affected; without one the product is
/// `under_investigation` until it is assessed.
#[derive(Debug, Clone)]
pub struct VexStatement {
    pub vulnerability: String,
    pub justification: Option<Justification>,
}

/// The body a new VEX statement starts with.
pub const VEX_SKELETON_BODY: &str = "\
## Summary

TODO: Which of our products the vulnerability concerns, and how they stand.
";

/// A report file written to the work tree.
#[derive(Debug, Clone)]
pub struct NewFile {
    pub id: ReportId,
    /// Relative to the repository root.
    pub path: PathBuf,
}

/// The body a new report starts with: the sections to fill in (also what `import` fills in
/// for the sections a message lacks).
pub use crate::format::report::SKELETON_BODY;

impl NewReport {
    /// Checks the request against the configuration; every problem is reported at once, each
    /// with its own help (the help lines of the problems found, in order, without repeats).
    /// The purl and the CPE name have their scheme (the schema checks the rest once written).
    fn check_identifiers(&self, problems: &mut Vec<(String, String)>) {
        if let Some(p) = self.purl.as_deref().map(str::trim)
            && !(p.starts_with("pkg:") && p.contains('/'))
        {
            problems.push((
                format!("{{purl}} `{p}` is not a package URL"),
                "{purl} takes a package URL, e.g. pkg:npm/acme-web or pkg:pypi/acme-api@2.4.1".into(),
            ));
        }
        if let Some(c) = self.cpe.as_deref().map(str::trim)
            && !(c.starts_with("cpe:2.3:") || c.starts_with("cpe:/"))
        {
            problems.push((
                format!("{{cpe}} `{c}` is not a CPE name"),
                "{cpe} takes a CPE 2.3 name, e.g. cpe:2.3:a:acme:web:*:*:*:*:*:*:*:*".into(),
            ));
        }
    }

    pub fn check(&self, config: &Config, today: NaiveDate) -> Result<()> {
        let mut problems: Vec<(String, String)> = Vec::new();
        self.check_lines(&mut problems);
        self.check_product(config, &mut problems);
        if let Some(v) = &self.cvss {
            match crate::format::cvss::assess(v) {
                Err(e) => problems.push((
                    format!("{{cvss}}: {e}"),
                    "{cvss} takes a CVSS v3.1 or v4.0 vector, e.g. CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H".into(),
                )),
                Ok(a) if self.level.is_some_and(|l| l != a.level) => problems.push((
                    format!("{{level}} does not match the CVSS score {} ({})", a.score, a.level),
                    format!("drop {{level}} (the CVSS vector gives `{}`), or correct the vector", a.level),
                )),
                Ok(_) => {}
            }
        }
        self.check_identifiers(&mut problems);
        if let Some(v) = &self.vex {
            let id = v.vulnerability.trim();
            if !(crate::rules::checks::fields::is_cve(id) || crate::rules::checks::fields::is_ghsa(id)) {
                problems.push((
                    format!("{{vex}} `{id}` is not a CVE or GHSA id"),
                    "{vex} takes the id of the vulnerability the statement is about, e.g. CVE-2026-1234".into(),
                ));
            }
        }
        if self.reported > today {
            problems.push((
                format!("{{reported}} {} is in the future (today is {today})", self.reported),
                "{reported} is the day the report arrived: today or earlier (YYYY-MM-DD)".into(),
            ));
        }
        if problems.is_empty() {
            return Ok(());
        }
        let mut helps: Vec<&str> = Vec::new();
        for (_, h) in &problems {
            if !helps.contains(&h.as_str()) {
                helps.push(h);
            }
        }
        let lines: Vec<&str> = problems.iter().map(|(m, _)| m.as_str()).collect();
        Err(Error::usage(format!("cannot create the report:\n  - {}", lines.join("\n  - ")), helps.join("\n")))
    }

    /// The one-line text fields: not blank, a single line.
    fn check_lines(&self, problems: &mut Vec<(String, String)>) {
        for (field, value) in [
            ("{title}", Some(&self.title)),
            ("{reporter_name}", Some(&self.reporter_name)),
            ("{reporter_contact}", self.reporter_contact.as_ref()),
            ("{credit}", self.credit.as_ref()),
            ("{assignee}", self.assignee.as_ref()),
            ("{purl}", self.purl.as_ref()),
            ("{cpe}", self.cpe.as_ref()),
        ] {
            let Some(v) = value else { continue };
            if v.trim().is_empty() {
                problems.push((format!("{field} is empty"), format!("give {field} a value (a few words)")));
            } else if v.chars().any(char::is_control) {
                problems.push((
                    format!("{field} must be a single line without control characters"),
                    format!("write {field} on one line; longer text belongs in the report body"),
                ));
            }
        }
    }

    /// The product and component are listed in the configuration.
    fn check_product(&self, config: &Config, problems: &mut Vec<(String, String)>) {
        let listed = "products and components are listed in enigm.yaml under `products`".to_owned();
        match config.product(&self.product) {
            None if config.products.is_empty() => problems.push((
                format!("product `{}` is not listed in enigm.yaml, which lists no products yet", self.product),
                "add the product to enigm.yaml under `products` first".into(),
            )),
            None => {
                let known: Vec<&str> = config.products.iter().map(|p| p.name.as_str()).collect();
                problems.push((
                    format!("product `{}` is not listed in enigm.yaml (known: {})", self.product, known.join(", ")),
                    listed,
                ));
            }
            Some(p) => {
                if let Some(c) = &self.component
                    && !p.components.is_empty()
                    && !p.components.contains(c)
                {
                    problems.push((
                        format!(
                            "component `{c}` is not listed for `{}` in enigm.yaml (known: {})",
                            p.name,
                            p.components.join(", ")
                        ),
                        listed,
                    ));
                }
            }
        }
    }

    /// The level to record: the given one, or the one the CVSS vector scores.
    fn effective_level(&self) -> Option<Level> {
        self.level.or_else(|| self.cvss.as_deref().and_then(|v| crate::format::cvss::assess(v).ok()).map(|a| a.level))
    }

    /// The file text of this report with id `id`.
    pub fn render(&self, id: &ReportId) -> String {
        let mut s = String::with_capacity(1024);
        s.push_str("---\n");
        s.push_str(&format!(
            "id: {id}\ntitle: {}\nstate: {}\nreported: {}\n",
            scalar(&self.title),
            State::Received,
            self.reported
        ));
        s.push_str(&format!("reporter:\n  name: {}\n", scalar(&self.reporter_name)));
        if let Some(c) = &self.reporter_contact {
            s.push_str(&format!("  contact: {}\n", scalar(c)));
        }
        if let Some(c) = &self.credit {
            s.push_str(&format!("  credit: {}\n", scalar(c)));
        }
        if self.vex.is_some() {
            s.push_str("vex_only: true\n");
        }
        s.push_str(&format!("products:\n  - name: {}\n", scalar(&self.product)));
        if let Some(c) = &self.component {
            s.push_str(&format!("    component: {}\n", scalar(c)));
        }
        for (key, value) in [("purl", &self.purl), ("cpe", &self.cpe)] {
            if let Some(v) = value {
                s.push_str(&format!("    {key}: {}\n", scalar(v.trim())));
            }
        }
        match self.vex.as_ref().map(|v| v.justification) {
            Some(Some(j)) => s.push_str(&format!("    status: not_affected\n    justification: {}\n", j.as_str())),
            Some(None) => s.push_str("    status: under_investigation\n"),
            None => {}
        }
        let level = self.effective_level();
        if self.cvss.is_some() || level.is_some() {
            s.push_str("severity:\n");
            if let Some(v) = &self.cvss {
                s.push_str(&format!("  cvss: {}\n", scalar(v.trim())));
            }
            if let Some(l) = level {
                s.push_str(&format!("  level: {l}\n"));
            }
        }
        let aliases = self.vex.as_ref().map_or_else(String::new, |v| scalar(v.vulnerability.trim()));
        s.push_str(&format!("cwe: []\naliases: [{aliases}]\nreferences: []\n"));
        if let Some(a) = &self.assignee {
            s.push_str(&format!("assignee: {}\n", scalar(a)));
        }
        s.push_str(&format!(
            "timeline:\n  - date: {}\n    state: {}\n    by: {}\n",
            self.reported,
            State::Received,
            scalar(&self.by)
        ));
        if let Some(note) = &self.note {
            s.push_str(&format!("    note: {}\n", scalar(note)));
        }
        s.push_str("---\n\n");
        let skeleton = if self.vex.is_some() { VEX_SKELETON_BODY } else { SKELETON_BODY };
        let body = self.body.as_deref().unwrap_or(skeleton);
        s.push_str(body);
        if !body.ends_with('\n') {
            s.push('\n');
        }
        s
    }
}

/// Writes the new report under the next free id (never overwriting a file), after putting
/// the text it would write through [`gate`]: a refused report writes nothing and takes no id.
pub fn write_new(repo: &Repo, config: &Config, today: NaiveDate, req: &NewReport) -> Result<NewFile> {
    let dir = repo.root().join(REPORTS_DIR);
    // The ids taken are read from the branches' trees (names only, no file is parsed nor the
    // directory listed); a file in the work tree no branch has yet (uncommitted) is found
    // when the new file is created next to it, and the next number is taken.
    let taken: HashSet<ReportId> = repo.ids_on_branches()?.into_iter().collect();
    let known: HashSet<String> = taken.iter().map(ToString::to_string).collect();
    let mut id = id::next_free(&config.id_prefix, req.reported.year(), &taken);
    // Where the repository's layout puts it: `reports/` or the year's shard.
    let place = |id: &ReportId| config.layout.report_path(&id.to_string());
    gate(config, today, &known, &place(&id), req.render(&id))?;
    let shard = place(&id).parent().map(Path::to_owned).unwrap_or_else(|| dir.clone());
    crate::layout::no_links(repo.root(), &shard).map_err(Error::io("cannot write the report"))?;
    let full_shard = repo.root().join(&shard);
    fs::create_dir_all(&full_shard).map_err(Error::io(format!("cannot create {}", full_shard.display())))?;
    for _ in 0..100 {
        let rel = place(&id);
        // In a sealed repository the checked plaintext is sealed before the first write.
        let content = crate::workflow::seal::stored(config, &rel, req.render(&id), None)?;
        // Recorded first, so a run killed before its commit has the file removed by the next.
        repo.begin(&[Change::Write { path: rel.clone(), content: content.clone().into_bytes() }])?.done_later();
        match files::create_atomic(&repo.root().join(&rel), content.as_bytes()) {
            Ok(()) => return Ok(NewFile { id, path: rel }),
            Err(e) if e.kind() == ErrorKind::AlreadyExists => id.number += 1,
            Err(e) => return Err(Error::io(format!("cannot write {}", rel.display()))(e)),
        }
    }
    Err(Error::usage(
        "could not find a free report id after 100 attempts",
        "check the reports/ directory for unexpected files",
    ))
}

/// The gate every new report passes before it is written and again before it is committed
/// (after `--edit`): the whole check `validate` runs and `advance` guards with
/// ([`pipeline::check_document`]), on the file text as it would be written. Any error refuses
/// it, with the findings located in that text and every secret masked.
pub fn gate(config: &Config, today: NaiveDate, known_ids: &HashSet<String>, path: &Path, text: String) -> Result<()> {
    let mut known = known_ids.clone();
    if let Some(stem) = path.file_stem().and_then(|s| s.to_str()) {
        known.insert(stem.to_owned());
    }
    let headline = |n: usize| {
        format!(
            "cannot create the report: {n} problem{} in what would be written; nothing was written",
            if n == 1 { "" } else { "s" }
        )
    };
    let doc = Document::parse(path, text).map_err(|r| refused(vec![r.finding], r.text, &headline(1)))?;
    let ctx = CheckContext { config, today, known_ids: &known };
    let mut findings = pipeline::check_document(&doc, &ctx);
    findings.retain(|f| f.severity == Severity::Error);
    if findings.is_empty() {
        return Ok(());
    }
    let n = findings.len();
    Err(refused(findings, Some(doc.text), &headline(n)))
}

/// Puts the report file as it is now on disk (after `--edit`) through [`gate`] again.
pub fn check_written(repo: &Repo, config: &Config, today: NaiveDate, file: &NewFile) -> Result<()> {
    let doc = Document::load(repo.root(), &file.path)
        .map_err(|r| refused(vec![r.finding], r.text, "cannot create the report: the edited file does not parse"))?;
    let known: HashSet<String> = ids_in_dir(&repo.root().join(REPORTS_DIR))?.iter().map(ToString::to_string).collect();
    gate(config, today, &known, &file.path, doc.text)
}

/// Report ids named by the files in `dir` (a `reports/` directory) and in its year shards.
pub fn ids_in_dir(dir: &Path) -> Result<Vec<ReportId>> {
    let entries = match fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(Error::io(format!("cannot list {}", dir.display()))(e)),
    };
    let mut ids = Vec::new();
    for entry in entries.filter_map(|e| e.ok()) {
        let Some(name) = entry.file_name().to_str().map(str::to_owned) else { continue };
        match ReportId::from_file_name(&name) {
            Some(id) => ids.push(id),
            None if crate::layout::is_shard_name(&name) && entry.file_type().is_ok_and(|t| t.is_dir()) => {
                ids.extend(ids_in_dir(&entry.path())?)
            }
            None => {}
        }
    }
    Ok(ids)
}

/// Commits the new report file as it is now on disk (possibly edited), after checking it
/// still parses and keeps its id.
pub fn commit_new(repo: &Repo, file: &NewFile, identity: &Identity) -> Result<CommitId> {
    let doc = Document::load(repo.root(), &file.path)?;
    let report = doc.report()?;
    if report.id != file.id.to_string() {
        return Err(Error::usage(
            format!("the report's id was changed to `{}`; it must stay `{}`", report.id, file.id),
            "keep the allocated id, or rename the file with `enigm-disclose renumber`",
        ));
    }
    let message = format!(
        "{id}: {state} — {title}\n\nDisclosure-Id: {id}\nDisclosure-State: {state}\n",
        id = file.id,
        state = State::Received,
        title = if doc.seal.is_some() {
            crate::format::sealed::WITHHELD.to_owned()
        } else {
            report.title.replace(['\n', '\r'], " ")
        }
    );
    let changes = [Change::Write { path: file.path.clone(), content: doc.stored_text().as_bytes().to_vec() }];
    // An edited file is recorded again as it is now, so a kill before the commit removes it
    // only when it is still what the tool wrote.
    repo.begin(&changes)?.done_later();
    let commit = repo.commit_paths(&changes, &message, identity)?;
    repo.pending_done();
    Ok(commit)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::format::config::ConfigSeed;

    fn req() -> NewReport {
        NewReport {
            title: "SQL injection: in search".into(),
            product: "web".into(),
            component: Some("api".into()),
            purl: None,
            cpe: None,
            reporter_name: "Jane".into(),
            reporter_contact: Some("jane@example.org".into()),
            credit: None,
            level: None,
            cvss: Some("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H".into()),
            assignee: None,
            reported: NaiveDate::from_ymd_opt(2026, 3, 1).expect("date"),
            body: None,
            by: "Sam".into(),
            note: None,
            vex: None,
        }
    }

    fn config() -> Config {
        let seed = ConfigSeed {
            id_prefix: "ENIGM".into(),
            organization: "Org".into(),
            security_contact: "s@x".into(),
            products: vec!["web".into()],
        };
        Config::parse(&seed.render()).expect("config")
    }

    #[test]
    fn rendered_report_parses_back_to_the_request() {
        let id = ReportId::new("ENIGM", 2026, 1);
        let text = req().render(&id);
        let r = Document::parse(Path::new("reports/ENIGM-2026-0001.md"), text).expect("doc").report().expect("report");
        assert_eq!(r.title, "SQL injection: in search");
        assert_eq!(r.state, State::Received);
        assert_eq!(r.severity.and_then(|s| s.level), Some(Level::Critical));
        assert_eq!(r.timeline.len(), 1);
        assert_eq!(r.products[0].component.as_deref(), Some("api"));
        assert!(!r.vex_only && r.aliases.is_empty());
    }

    #[test]
    fn a_vex_statement_names_its_vulnerability_and_starts_under_investigation() {
        let id = ReportId::new("ENIGM", 2026, 1);
        let parse = |req: NewReport| {
            Document::parse(Path::new("reports/ENIGM-2026-0001.md"), req.render(&id))
                .expect("doc")
                .report()
                .expect("report")
        };
        let vex = |justification| NewReport {
            vex: Some(VexStatement { vulnerability: "CVE-2026-1234".into(), justification }),
            ..req()
        };
        let r = parse(vex(None));
        assert!(r.vex_only);
        assert_eq!(r.aliases, ["CVE-2026-1234"]);
        assert_eq!(r.products[0].status, Some(crate::format::report::ProductStatus::UnderInvestigation));
        let r = parse(vex(Some(Justification::ComponentNotPresent)));
        assert_eq!(r.products[0].status, Some(crate::format::report::ProductStatus::NotAffected));
        assert_eq!(r.products[0].justification, Some(Justification::ComponentNotPresent));
        let bad =
            NewReport { vex: Some(VexStatement { vulnerability: "log4shell".into(), justification: None }), ..req() };
        let err = bad.check(&config(), NaiveDate::from_ymd_opt(2026, 6, 1).expect("date")).expect_err("refused");
        assert!(err.to_string().contains("vex` `log4shell` is not a CVE or GHSA id"), "{err}");
    }

    #[test]
    fn check_lists_every_problem() {
        let today = NaiveDate::from_ymd_opt(2026, 1, 1).expect("date");
        let mut bad = req();
        bad.product = "nope".into();
        bad.title = "two\nlines".into();
        bad.level = Some(Level::Low);
        let msg = bad.check(&config(), today).unwrap_err().to_string();
        for needle in
            ["`title` must be a single line", "product `nope`", "does not match the CVSS score", "in the future"]
        {
            assert!(msg.contains(needle), "{needle} in {msg}");
        }
        let ok_today = NaiveDate::from_ymd_opt(2026, 12, 1).expect("date");
        assert!(req().check(&config(), ok_today).is_ok());
    }
}
