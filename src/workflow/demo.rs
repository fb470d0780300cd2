//! `demo`: a throw-away disclosure repository with a dozen realistic reports in every state.
//!
//! Everything goes through the same code as the commands: `init` writes the layout, `new`
//! allocates ids and commits each report, a person's edits (severity, affected and fixed
//! versions, CWE) are made in the file as someone would in an editor, and `advance` checks
//! and commits each state change. Dates are relative to today, and each commit is dated on
//! its timeline date, so `history`, `verify`, `due` and `stats` have a real past to read.
//! Names and addresses are fictitious (`example.net`).

mod scenarios;

use std::path::{Path, PathBuf};

use chrono::{Duration, NaiveDate};

use crate::error::{Error, Result};
use crate::format::config::{Config, ConfigSeed};
use crate::format::report::State;
use crate::publish::csaf::tracking::History;
use crate::publish::site::{self, SiteRequest};
use crate::publish::templates::Renderer;
use crate::store::history;
use crate::store::repo::{Change, Identity, Repo};
use crate::workflow::advance::{self, AdvanceRequest};
use crate::workflow::create::{self, NewReport};
use crate::workflow::init::{self, InitOptions};
use scenarios::{SCENARIOS, Scenario, Step};

/// The security lead who triages and advances reports in the demo.
const LEAD: (&str, &str) = ("Alex Rivera", "alex.rivera@example.net");

/// What `demo` built.
#[derive(Debug)]
pub struct DemoOutcome {
    pub root: PathBuf,
    /// Report ids and their final states, in creation order.
    pub reports: Vec<(String, State)>,
    pub commits: usize,
    /// The rendered site and how many advisories it holds.
    pub site: PathBuf,
    pub advisories: usize,
    /// The demo's identity file, for a sealed demo.
    pub identity: Option<PathBuf>,
}

/// Builds the demo repository in `dir` (which must not exist or be empty), as of `today`.
pub fn build(dir: &Path, today: NaiveDate) -> Result<DemoOutcome> {
    build_with(dir, today, false)
}

/// [`build`], sealed when `sealed`: the reports are sealed to a demo identity made for it
/// (`.git/enigm-demo-identity.txt`, never committed or cloned), which this process uses.
pub fn build_with(dir: &Path, today: NaiveDate, sealed: bool) -> Result<DemoOutcome> {
    check_empty(dir)?;
    let seed = ConfigSeed {
        id_prefix: "DEMO".into(),
        organization: "Example Widgets Ltd".into(),
        security_contact: "security@example.net".into(),
        products: vec!["web-portal".into(), "api-gateway".into(), "mobile-app".into()],
    };
    let opts = InitOptions {
        dir: dir.to_owned(),
        seed,
        force: false,
        commit: false,
        verify: false,
        sealing: None,
        layout: Default::default(),
    };
    let outcome = init::init(&opts)?;
    let repo = Repo::discover(&outcome.root)?;
    configure_site(repo.root())?;
    let identity = if sealed { Some(crate::workflow::seal::demo_identity(&repo)?) } else { None };
    let changes: Vec<Change> = outcome
        .written
        .iter()
        .map(|p| Ok(Change::Write { path: p.clone(), content: read(repo.root(), p)? }))
        .collect::<Result<_>>()?;
    let start = today - Duration::days(240);
    repo.commit_paths(&changes, "Initialise the disclosure repository\n", &identity_at(LEAD, start)?)?;
    let config = Config::load(repo.root())?;
    let mut commits = 1;
    let mut reports = Vec::new();
    let mut ids: Vec<String> = Vec::new();
    for (i, scenario) in SCENARIOS.iter().enumerate() {
        let (id, state, made) = play(&repo, &config, today, (scenario, scenarios::richer(i)), &ids)?;
        commits += made;
        for (_, later) in scenarios::LATER_ALIASES.iter().filter(|(s, _)| *s == i) {
            commits += edit_published(&repo, &id, scenario, later, today)?;
        }
        ids.push(id.clone());
        reports.push((id, state));
    }
    let renderer = Renderer::new(Some(repo.root()))?;
    let site_dir = repo.root().join("site");
    let plan = site::plan(repo.root(), &config, &site_dir)?;
    let (ids, since) = plan.history_wanted();
    let revisions = History::from_git(history::report_revisions(&repo, &ids, since)?, &config);
    let request = SiteRequest { out: site_dir.clone(), only: None, check: false };
    let built = site::build(&config, &renderer, &request, plan, revisions)?;
    Ok(DemoOutcome {
        root: repo.root().components().collect(),
        reports,
        commits,
        site: site_dir,
        advisories: built.advisories,
        identity,
    })
}

/// Fills in the render settings a real team would: the site's title and address (for the
/// feed and the CSAF provider metadata), a second reporting channel, an encryption key, and a
/// (fictitious) CNA id for CVE records.
fn configure_site(root: &Path) -> Result<()> {
    let path = root.join(crate::layout::CONFIG_FILE);
    let text = String::from_utf8_lossy(&read(root, Path::new(crate::layout::CONFIG_FILE))?).into_owned();
    let text = text
        .replacen(
            "  # site_title: Example Corp security advisories",
            "  site_title: Example Widgets security advisories",
            1,
        )
        .replacen(
            "  # base_url: https://security.example.com/advisories/",
            "  base_url: https://security.example.net/advisories/",
            1,
        )
        .replacen(
            "  # channels: [https://example.com/report]   # more ways to report, after security_contact",
            "  channels: [https://www.example.net/security/report]",
            1,
        )
        .replacen(
            "  # encryption: https://example.com/pgp-key.asc",
            "  encryption: https://security.example.net/pgp-key.asc",
            1,
        )
        .replacen(
            "  # fingerprint: \"AAAA BBBB CCCC DDDD EEEE  FFFF 0000 1111 2222 3333\"",
            "  fingerprint: \"4F2A 9C1D 7B3E 5A60 D218  E9C4 0B7F 3D6A 1E85 C290\"   # fictitious",
            1,
        )
        .replacen("  languages: [en]", "  languages: [en, de]", 1)
        .replacen(
            "  # cve_org_id: 00000000-0000-4000-8000-000000000000",
            "  cve_org_id: 3f1e8a52-9c4d-4b7e-a1d2-5e6f7a8b9c0d   # fictitious: the demo is not a CNA",
            1,
        );
    crate::store::files::write_atomic(&path, text.as_bytes()).map_err(Error::io("cannot write enigm.yaml"))
}

fn check_empty(dir: &Path) -> Result<()> {
    let empty = std::fs::read_dir(dir).map_or(true, |mut entries| entries.next().is_none());
    if empty {
        return Ok(());
    }
    Err(Error::usage(
        format!("{} is not empty", dir.display()),
        "give `demo` a new directory, or none for a fresh temporary one",
    ))
}

fn read(root: &Path, rel: &Path) -> Result<Vec<u8>> {
    std::fs::read(root.join(rel)).map_err(Error::io(format!("cannot read {}", rel.display())))
}

/// A commit identity dated at noon UTC on `date`.
fn identity_at((name, email): (&str, &str), date: NaiveDate) -> Result<Identity> {
    let seconds = date.and_hms_opt(12, 0, 0).map_or(0, |t| t.and_utc().timestamp());
    Identity::fixed(name, email, seconds)
}

/// Files one scenario's report and walks it through its steps; returns its id, final state
/// and the number of commits made.
fn play(
    repo: &Repo,
    config: &Config,
    today: NaiveDate,
    (s, richer): (&Scenario, Option<&scenarios::Richer>),
    earlier: &[String],
) -> Result<(String, State, usize)> {
    let reported = today - Duration::days(s.reported_days_ago);
    let request = NewReport {
        title: s.title.into(),
        product: s.product.into(),
        component: s.component.map(Into::into),
        purl: None,
        cpe: None,
        reporter_name: s.reporter.0.into(),
        reporter_contact: Some(s.reporter.1.into()),
        credit: s.credit.map(Into::into),
        level: None,
        cvss: s.cvss.map(Into::into),
        assignee: Some(LEAD.0.into()),
        reported,
        body: Some(s.body.into()),
        by: LEAD.0.into(),
        note: None,
        vex: None,
    };
    let file = create::write_new(repo, config, today, &request)?;
    create::commit_new(repo, &file, &identity_at(LEAD, reported)?)?;
    let id = file.id.to_string();
    let mut commits = 1;
    let mut state = State::Received;
    for step in s.steps {
        let date = reported + Duration::days(step.day);
        edit_before(repo, &file.path, (s, richer), step, today)?;
        let known: std::collections::HashSet<String> =
            crate::store::scan::report_ids(repo.root())?.into_iter().collect();
        let req = AdvanceRequest {
            id: id.clone(),
            to: step.to,
            note: step.note.map(Into::into),
            resolution: step.resolution,
            duplicate_of: step.duplicate_of.and_then(|i| earlier.get(i).cloned()),
            reason: step.reason.map(Into::into),
            date,
            now: crate::query::deadline::Now::start_of(date).at,
            force: false,
            by: LEAD.0.into(),
        };
        let plan = advance::plan(repo.root(), config, &known, today, &req)?;
        advance::execute(repo, &plan, Some(&identity_at(LEAD, date)?))?;
        commits += 1;
        state = step.to;
    }
    Ok((id, state, commits))
}

/// A CVE id assigned after publication, committed as a person would (one commit of the file,
/// sealed again when the demo seals).
fn edit_published(
    repo: &Repo,
    id: &str,
    s: &Scenario,
    later: &scenarios::LaterAlias,
    today: NaiveDate,
) -> Result<usize> {
    let rel = crate::store::scan::report_file(repo.root(), crate::layout::Layout::default(), id);
    let doc = crate::format::report::Document::load(repo.root(), &rel)?;
    let edited = scenarios::with_list(&doc.text, "aliases", &[later.alias]);
    let config = Config::load(repo.root())?;
    let stored = crate::workflow::seal::stored(&config, &rel, edited, Some(&doc))?;
    crate::store::files::write_atomic(&repo.root().join(&rel), stored.as_bytes())
        .map_err(Error::io(format!("cannot write {}", rel.display())))?;
    let date = (today - Duration::days(s.reported_days_ago) + Duration::days(later.day)).min(today);
    let change = Change::Write { path: rel, content: stored.into_bytes() };
    let message = format!("{id}: {} assigned after publication\n", later.alias);
    repo.commit_paths(&[change], &message, &identity_at(LEAD, date)?)?;
    Ok(1)
}

/// The edits a person makes to the file before a step: what the new state requires.
fn edit_before(
    repo: &Repo,
    rel: &Path,
    (s, richer): (&Scenario, Option<&scenarios::Richer>),
    step: &Step,
    today: NaiveDate,
) -> Result<()> {
    let doc = crate::format::report::Document::load(repo.root(), rel)?;
    let text = doc.text.clone();
    let mut edited = text.clone();
    match step.to {
        State::Triaged => {
            let date = today - Duration::days(s.reported_days_ago) + Duration::days(step.day);
            edited = scenarios::with_ssvc(&edited, richer, LEAD.0, date);
        }
        State::Confirmed => edited = scenarios::with_products(&edited, s, richer, false),
        State::Fixed => {
            edited = scenarios::with_products(&edited, s, richer, true);
            edited = scenarios::with_list(&edited, "cwe", s.cwe);
            edited = scenarios::with_list(&edited, "aliases", s.aliases);
            edited = scenarios::with_references(&edited, s.references);
            edited = scenarios::with_remediation(&edited, s.remediation);
            if let Some(days) = s.embargo_days_from_today {
                let until = today + Duration::days(days);
                edited = edited.replacen("timeline:\n", &format!("embargo_until: {until}\ntimeline:\n"), 1);
            }
        }
        _ => {}
    }
    if edited != text {
        let config = Config::load(repo.root())?;
        let edited = crate::workflow::seal::stored(&config, rel, edited, Some(&doc))?;
        crate::store::files::write_atomic(&repo.root().join(rel), edited.as_bytes())
            .map_err(Error::io(format!("cannot write {}", rel.display())))?;
    }
    Ok(())
}
