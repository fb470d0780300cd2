//! Validation: every finding of every report file, in one pass.
//!
//! Files come from the work tree or from the git index (`--staged`: what is about to be
//! committed). The configuration goes through the per-file pipeline first
//! ([`pipeline::check_config`]); then every report goes through its pipeline
//! ([`pipeline::check_document`]: parsed once, checked against the report schema, typed and put
//! through the semantic checks), in parallel. Cross-file rules (duplicate ids) and the
//! comparison with a base revision run after. Results are ordered by path, then position, so output is deterministic.
//!
//! The pre-commit hook's check (`--staged`, [`Request::changes_only`]) reads only what the next
//! commit changes (`Changes`: the index compared with HEAD by blob id) and answers the
//! cross-file rules from the index's paths and HEAD's blobs of the changed files, so a commit
//! of one report costs the same with 100 or 100,000 reports beside it.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use chrono::NaiveDate;
use rayon::prelude::*;

use crate::error::{Error, Result};
use crate::format::config::Config;
use crate::format::finding::{Code, Finding, Severity};
use crate::format::report::{Document, Rejected};
use crate::layout::{ACKNOWLEDGED_FILE, CONFIG_FILE, POLICY_FILE, REPORTS_DIR};
use crate::rules::attachments;
use crate::rules::change;
use crate::rules::checks::{self, CheckContext, KnownIds};
use crate::rules::pipeline;
use crate::store::history::Snapshot;
use crate::store::repo::{BlobId, Repo, Staged, StagedChange};
use crate::store::scan::{Listed, report_paths};

/// The findings of one file, with its text for showing locations.
#[derive(Debug, Clone)]
pub struct FileResult {
    pub path: PathBuf,
    pub text: Option<String>,
    pub findings: Vec<Finding>,
}

/// The result of a validation run.
#[derive(Debug, Clone, Default)]
pub struct Outcome {
    /// One entry per file checked, sorted by path.
    pub files: Vec<FileResult>,
}

impl Outcome {
    /// Number of findings of a severity.
    pub fn count(&self, severity: Severity) -> usize {
        self.files.iter().flat_map(|f| &f.findings).filter(|f| f.severity == severity).count()
    }
}

/// Where file contents are read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    WorkTree,
    /// The git index (stage 0): what the next commit will contain.
    Index,
}

/// What to validate.
#[derive(Debug, Clone)]
pub struct Request {
    /// Files to check (relative to the root); `None` means every report.
    pub paths: Option<Vec<PathBuf>>,
    pub source: Source,
    /// A revision to compare against (published reports kept, ids unchanged).
    pub against: Option<String>,
    pub today: NaiveDate,
    /// Renders `policy.md` and returns its problems (`publish::policy::check`, handed in by
    /// the caller: templates are the publish room's); `None` leaves `policy.md` unchecked.
    pub policy_check: Option<fn(&str, &Config) -> Vec<Finding>>,
    /// With [`Source::Index`] and no `paths` nor `against`: check only what the next commit
    /// changes (`Changes`); the same findings as checking everything, as long as HEAD itself
    /// passed (which the gate saw to). `false` checks every staged file.
    pub changes_only: bool,
}

/// Reads files from the chosen source.
struct Files<'a> {
    repo: &'a Repo,
    source: Source,
    index: Option<Staged<'a>>,
}

impl Files<'_> {
    fn read(&self, rel: &Path) -> Loaded {
        match self.read_staged(rel) {
            Some(bytes) => Document::from_bytes(rel, bytes?),
            None => Document::load(self.repo.root(), rel),
        }
    }

    /// The bytes of a staged file, when the source is the index (`None` for the work tree):
    /// inflated here, parsed by the caller (on any thread).
    fn read_staged(&self, rel: &Path) -> Option<std::result::Result<Vec<u8>, Box<Rejected>>> {
        match (&self.index, self.source) {
            (Some(index), Source::Index) => Some(staged_bytes(index, rel)),
            _ => None,
        }
    }

    fn read_text(&self, rel: &Path) -> Option<String> {
        match (&self.index, self.source) {
            (Some(index), Source::Index) => {
                // A symbolic link is stored as a blob holding its target: never read as text.
                let entry = index.file(rel).filter(|e| e.mode & 0o170000 != 0o120000)?;
                index.with_blob(entry.blob, |content| String::from_utf8(content.to_vec()).ok()).ok()?
            }
            _ => {
                // Only a regular file is read (a FIFO would block, a link could lead outside).
                let path = self.repo.root().join(rel);
                crate::layout::no_links(self.repo.root(), rel).ok()?;
                let bytes = crate::layout::read_regular(&path, crate::format::report::MAX_REPORT_BYTES).ok()?;
                String::from_utf8(bytes).ok()
            }
        }
    }

    /// The files of the report folders (`<report path without .md>/…`, beside the report file)
    /// of `reports` in the source, by the report file beside the folder, each relative to its folder. A link is never listed
    /// (nor followed): it is not a file there. From the index only the folders of `reports`
    /// are looked up (each by a binary search); the work tree lists them all.
    fn folders(&self, reports: &[PathBuf]) -> Result<HashMap<PathBuf, Vec<String>>> {
        let mut out: HashMap<PathBuf, Vec<String>> = HashMap::new();
        match (&self.index, self.source) {
            (Some(index), Source::Index) => {
                for report in reports {
                    let Some(folder) = report.to_str().and_then(|p| p.strip_suffix(".md")) else {
                        continue;
                    };
                    let prefix = format!("{folder}/");
                    let names: Vec<String> = index
                        .files_under(&prefix)
                        .into_iter()
                        .filter(|(_, file)| file.mode & 0o170000 == 0o100000)
                        .filter_map(|(path, _)| path.strip_prefix(&prefix).map(str::to_owned))
                        .collect();
                    if !names.is_empty() {
                        out.entry(report.clone()).or_default().extend(names);
                    }
                }
            }
            _ => crate::store::scan::report_folders(self.repo.root(), &mut out)?,
        }
        Ok(out)
    }

    /// Every report path in the source, sorted (the index's own order: by bytes, which for
    /// report paths is the order of their components too; a conflicted path once).
    fn report_paths(&self) -> Result<Vec<PathBuf>> {
        match (&self.index, self.source) {
            (Some(index), Source::Index) => {
                let mut paths: Vec<String> =
                    index.paths().filter(|p| crate::layout::report_id_of(Path::new(p)).is_some()).collect();
                paths.dedup();
                Ok(paths.into_iter().map(PathBuf::from).collect())
            }
            _ => report_paths(self.repo.root()),
        }
    }
}

/// The bytes of the staged file `rel` (stage 0), or why it cannot be read as a report.
fn staged_bytes(index: &Staged<'_>, rel: &Path) -> std::result::Result<Vec<u8>, Box<Rejected>> {
    let Some(entry) = index.file(rel) else {
        let conflicted = index.is_conflicted(rel);
        let finding = if conflicted {
            Finding::error(Code::MergeConflict, rel, None, "the file is conflicted in the index (unresolved merge)")
                .with_help(
                    "resolve the conflict and `git add` the file; for an id collision use `enigm-disclose renumber`",
                )
        } else {
            Finding::error(Code::FileUnreadable, rel, None, "the file is not in the git index")
                .with_help("stage it with `git add`, or validate the work tree instead")
        };
        return Err(Box::new(Rejected { finding, text: None }));
    };
    if entry.mode == 0o120_000 {
        return Err(crate::format::report::rejected_symlink(rel));
    }
    // The size from the object header first: a huge blob is never inflated.
    if let Ok(size) = index.blob_size(entry.blob) {
        crate::format::report::check_size(rel, size)?;
    }
    let loaded = index.with_blob(entry.blob, |content| {
        crate::format::report::check_size(rel, content.len() as u64)?;
        Ok(content.to_vec())
    });
    loaded.map_err(|e| {
        Box::new(Rejected {
            finding: Finding::error(
                Code::FileUnreadable,
                rel,
                None,
                format!("cannot read the staged file: {}", e.message),
            ),
            text: None,
        })
    })?
}

/// The ids the report files in `all` (sorted by bytes) are named after, for `duplicate_of`:
/// an id is looked up where either layout puts its file (two binary searches, issue 22: the
/// hook checks one report and must not hash 100,000 names); any other (a file in the wrong
/// shard, an unknown id) in the set of every file stem, made once on first need.
struct PathIds<'a> {
    all: &'a [PathBuf],
    stems: OnceLock<HashSet<String>>,
}

impl KnownIds for PathIds<'_> {
    fn contains(&self, id: &str) -> bool {
        crate::layout::report_places(id).iter().any(|place| listed(self.all, place))
            || self
                .stems
                .get_or_init(|| {
                    self.all.iter().filter_map(|p| p.file_stem().and_then(|s| s.to_str()).map(str::to_owned)).collect()
                })
                .contains(id)
    }
}

/// Whether `path` is in `paths`, sorted by bytes (as the index and [`report_paths`] list them):
/// a binary search, no set of 100,000 paths to hash.
fn listed(paths: &[PathBuf], path: &Path) -> bool {
    paths.binary_search_by(|p| p.as_os_str().cmp(path.as_os_str())).is_ok()
}

/// The id a report path names (its file stem, in either layout).
fn report_id(rel: &Path) -> Option<&str> {
    crate::layout::report_id_of(rel)
}

/// What the next commit changes, for a check of the changes only: the changed paths under
/// `reports/` with HEAD's blob where HEAD has them. Everything else about the repository is
/// as HEAD has it, which passed the gate: an unchanged file's findings are the same as when
/// it was committed, and it claims the id it is named after.
struct Changes {
    paths: Vec<StagedChange>,
}

impl Changes {
    /// The changes to check, or `None` when everything must be checked: no HEAD yet (the first
    /// commit), or a change to what every report is judged by (`enigm.yaml`, the policy, the
    /// schemas, the SSVC tree file): any report's findings may change with it.
    fn of(index: &Staged<'_>, config: &Config) -> Result<Option<Changes>> {
        let Some(changed) = index.changes_from_head()? else { return Ok(None) };
        let ssvc = config.policy.ssvc_tree.as_deref().map(|p| p.trim_start_matches("./"));
        let judged_by = |p: &str| p == CONFIG_FILE || p == POLICY_FILE || p.starts_with("schemas/") || Some(p) == ssvc;
        if changed.iter().any(|c| judged_by(&c.path)) {
            return Ok(None);
        }
        let prefix = format!("{REPORTS_DIR}/");
        Ok(Some(Changes { paths: changed.into_iter().filter(|c| c.path.starts_with(&prefix)).collect() }))
    }

    /// The staged reports to check: the changed ones, and those whose folder changed.
    fn targets(&self, all: &[PathBuf]) -> Vec<PathBuf> {
        let mut out = Vec::new();
        for change in &self.paths {
            let path = Path::new(&change.path);
            if report_id(path).is_some() {
                if listed(all, path) {
                    out.push(path.to_owned());
                }
                continue;
            }
            // A file in a report's folder: `reports/<ID>/…` or `reports/<YEAR>/<ID>/…`.
            let mut owner = PathBuf::new();
            for part in path.iter().take(3) {
                owner.push(part);
                let report = owner.with_extension("md");
                if owner.as_os_str().len() > REPORTS_DIR.len() && listed(all, &report) {
                    out.push(report);
                }
            }
        }
        out
    }

    /// HEAD's reports the next commit changes or removes, with HEAD's blob.
    fn head_reports(&self) -> Vec<(PathBuf, BlobId)> {
        self.paths
            .iter()
            .filter(|c| report_id(Path::new(&c.path)).is_some())
            .filter_map(|c| c.head_blob.map(|b| (PathBuf::from(&c.path), b)))
            .collect()
    }

    /// The changed paths under `reports/` that are not reports (attachments, folders' files).
    fn other_files(&self) -> HashSet<&str> {
        self.paths.iter().map(|c| c.path.as_str()).filter(|p| report_id(Path::new(p)).is_none()).collect()
    }
}

/// Runs validation.
pub fn run(repo: &Repo, request: &Request) -> Result<Outcome> {
    let index = match request.source {
        Source::Index => Some(repo.staged()?),
        Source::WorkTree => None,
    };
    let files = Files { repo, source: request.source, index };
    let (config, mut config_warnings) = match check_config(&files) {
        Ok(c) => c,
        Err(result) => return Ok(finish(vec![result])),
    };
    // The date is judged where the site is published from (the work tree, CI), not by the
    // commit gate: a `security.txt` coming due must never stop a report being filed.
    if let Some(text) = config_warnings.text.as_ref().filter(|_| request.source == Source::WorkTree)
        && let Ok(yaml) = Config::located(text)
    {
        config_warnings.findings.extend(checks::securitytxt::expiry(&config, yaml.spans(), request.today));
    }
    let all = files.report_paths()?;
    let changes = match (&files.index, &request.paths, &request.against) {
        (Some(index), None, None) if request.changes_only => Changes::of(index, &config)?,
        _ => None,
    };
    let targets: Vec<PathBuf> = match (&request.paths, &changes) {
        (Some(p), _) => sorted(p.iter().filter(|p| p.as_path() != Path::new(CONFIG_FILE)).cloned().collect()),
        (None, Some(changes)) => sorted(changes.targets(&all)),
        (None, None) => all.clone(),
    };
    let known_ids = PathIds { all: &all, stems: OnceLock::new() };
    let ctx = CheckContext { config: &config, today: request.today, known_ids: &known_ids };
    let root = repo.root();
    // The work tree's folders are listed once (the sealed files need them too); the index's
    // are looked up per report checked.
    let folders = match request.source {
        Source::WorkTree => files.folders(&[])?,
        Source::Index => HashMap::new(),
    };
    let mut checked = check_files(&files, &ctx, &folders, targets)?;
    if changes.is_some() {
        // An unchanged report whose id a changed one claims is in the clash too: it is checked
        // (and shows its `duplicate-id`) as a check of everything would.
        let claimed: HashSet<&str> = checked.iter().filter_map(|(_, c)| c.as_ref().map(|c| c.id.as_str())).collect();
        let done: HashSet<&Path> = checked.iter().map(|(r, _)| r.path.as_path()).collect();
        let more: Vec<PathBuf> = all
            .iter()
            .filter(|p| report_id(p).is_some_and(|id| claimed.contains(id)) && !done.contains(p.as_path()))
            .cloned()
            .collect();
        if !more.is_empty() {
            checked.extend(check_files(&files, &ctx, &folders, more)?);
            checked.sort_by(|a, b| a.0.path.cmp(&b.0.path));
        }
    }
    let claims: HashMap<PathBuf, Claim> =
        checked.iter().filter_map(|(r, c)| c.clone().map(|c| (r.path.clone(), c))).collect();
    let mut results: Vec<FileResult> = duplicate_ids(checked, &all);
    for f in placement(&all, &claims) {
        push_finding(&mut results, f);
    }
    relocate(&mut results);
    if request.source == Source::WorkTree {
        results.extend(sealed_files(root, &folders, request.paths.as_deref()));
    }
    if !config_warnings.findings.is_empty() {
        results.push(config_warnings);
    }
    if let (Some(index), None) = (&files.index, &request.paths) {
        let changed = changes.as_ref().map(Changes::other_files);
        results.extend(attachments(index, &all, changed.as_ref()));
    }
    // The disclosure policy: it must render with the configuration (every variable defined).
    if let (Some(check), None) = (request.policy_check, &request.paths)
        && let Some(text) = files.read_text(Path::new(POLICY_FILE))
    {
        let findings = check(&text, &config);
        if !findings.is_empty() {
            results.push(FileResult { path: PathBuf::from(POLICY_FILE), text: Some(text), findings });
        }
    }
    // The acknowledgements file: its shape, and (reasons are free text) secrets.
    if request.paths.is_none()
        && let Some(text) = files.read_text(Path::new(ACKNOWLEDGED_FILE))
    {
        let mut findings = crate::format::acknowledged::parse(&text).err().unwrap_or_default();
        findings.extend(checks::secrets::scan(&text, Path::new(ACKNOWLEDGED_FILE)));
        if !findings.is_empty() {
            results.push(FileResult { path: PathBuf::from(ACKNOWLEDGED_FILE), text: Some(text), findings });
        }
    }
    // What is about to be committed is compared with HEAD: the gate refuses what `verify`
    // would find in history afterwards.
    let base = request
        .against
        .clone()
        .or_else(|| (request.source == Source::Index && repo.has_head()).then(|| "HEAD".to_owned()));
    if let Some(rev) = &base {
        let head = changes.as_ref().map(Changes::head_reports);
        let current = Current { paths: &all, claims: &claims, fast: head.is_some() };
        against(repo, &files, rev, head, &current, &mut results)?;
    }
    // Text is kept only where there is something to show (100,000 clean files need none).
    for r in &mut results {
        if !r.findings.is_empty() && r.text.is_none() && r.findings.iter().any(|f| f.span.is_some()) {
            // Spans of an opened sealed report point into its plaintext.
            r.text = files.read_text(&r.path).map(|t| crate::rules::sealed::display_text(&r.path, t));
        }
    }
    Ok(finish(results))
}

/// Paths sorted and without repeats.
fn sorted(mut paths: Vec<PathBuf>) -> Vec<PathBuf> {
    paths.sort();
    paths.dedup();
    paths
}

/// Staged files are inflated this many at a time before they are parsed and checked in
/// parallel: memory holds one chunk of files, never the whole index's.
const CHUNK: usize = 256;

/// Reads and checks `targets`, in their order, in parallel. git handles are not shared across
/// threads: staged blobs are inflated here a chunk at a time, then parsed and checked on every
/// thread; work tree files are read on every thread. A document is dropped once checked
/// (its text is kept only when it has findings).
fn check_files(
    files: &Files<'_>,
    ctx: &CheckContext<'_>,
    work_tree_folders: &HashMap<PathBuf, Vec<String>>,
    targets: Vec<PathBuf>,
) -> Result<Vec<(FileResult, Option<Claim>)>> {
    let root = files.repo.root();
    // Work tree files are opened through their directories' handles (one `openat` each).
    let listed = Listed::open(root, if files.source == Source::WorkTree { &targets } else { &[] });
    let mut out = Vec::with_capacity(targets.len());
    // Work tree files are read on every thread: one chunk.
    let size = if files.source == Source::Index { CHUNK } else { targets.len().max(1) };
    for chunk in targets.chunks(size) {
        let staged_folders = match files.source {
            Source::Index => files.folders(chunk)?,
            Source::WorkTree => HashMap::new(),
        };
        let folders = if files.source == Source::Index { &staged_folders } else { work_tree_folders };
        let inputs: Vec<(&PathBuf, Option<_>)> = chunk.iter().map(|p| (p, files.read_staged(p))).collect();
        out.par_extend(inputs.into_par_iter().map(|(p, staged)| {
            let doc = match staged {
                Some(bytes) => bytes.and_then(|b| Document::from_bytes(p, b)),
                None => listed.load(p),
            };
            let present = folders.get(p);
            check_file(p, doc, ctx, present)
        }));
    }
    Ok(out)
}

/// Orders results by path and position, and masks secrets in the text kept for display.
fn finish(mut results: Vec<FileResult>) -> Outcome {
    results.sort_by(|a, b| a.path.cmp(&b.path));
    for r in &mut results {
        r.findings.sort_by(|a, b| {
            (a.span.as_ref().map(|s| s.start), a.code).cmp(&(b.span.as_ref().map(|s| s.start), b.code))
        });
        if let Some(text) = &mut r.text {
            for f in r.findings.iter().filter(|f| f.code == Code::Secret) {
                if let Some(span) = &f.span {
                    mask_span(text, span.clone());
                }
            }
        }
    }
    Outcome { files: results }
}

/// Replaces the characters in `span` by `*`, keeping the byte length (so offsets stay valid).
fn mask_span(text: &mut String, span: std::ops::Range<usize>) {
    let Some(secret) = text.get(span.clone()) else {
        return;
    };
    let stars = "*".repeat(secret.len());
    text.replace_range(span, &stars);
}

/// Reads `enigm.yaml` and puts it through its pipeline; on any finding, the file's result.
/// A usable configuration comes with the result of its warnings (no findings when there are none).
fn check_config(files: &Files<'_>) -> std::result::Result<(Config, FileResult), FileResult> {
    let rel = Path::new(CONFIG_FILE);
    let fail = |findings: Vec<Finding>, text: Option<String>| FileResult { path: rel.to_owned(), text, findings };
    let text = match files.source {
        Source::WorkTree => {
            crate::format::config::read_text(files.repo.root()).map_err(|r| fail(vec![r.finding], None))?
        }
        Source::Index => files.read_text(rel).ok_or_else(|| {
            let f = Finding::error(
                Code::ConfigUnreadable,
                rel,
                None,
                "enigm.yaml cannot be read from the index (missing, a symbolic link, or not UTF-8)",
            )
            .with_help("restore it from git, or run `enigm-disclose init` again, which adds only missing files");
            fail(vec![f], None)
        })?,
    };
    match pipeline::check_config(&text) {
        // The SSVC tree file is read from the work tree, also when checking the index.
        Ok((mut config, warnings)) => match config.read_ssvc_tree(files.repo.root()) {
            Ok(()) => Ok((config, fail(warnings, Some(text)))),
            Err(finding) => Err(fail(vec![finding], Some(text))),
        },
        Err(findings) => Err(fail(findings, Some(text))),
    }
}

/// A document read from its source, or why it could not be.
type Loaded = std::result::Result<Document, Box<Rejected>>;

/// The id a report claims and where it is written.
#[derive(Debug, Clone)]
struct Claim {
    id: String,
    span: std::ops::Range<usize>,
}

/// One file: schema, typed model, semantic checks. Also returns the id it claims. The text is
/// kept only when there are findings to show in it.
fn check_file(
    rel: &Path,
    loaded: Loaded,
    ctx: &CheckContext<'_>,
    folder: Option<&Vec<String>>,
) -> (FileResult, Option<Claim>) {
    let result = |text, findings| FileResult { path: rel.to_owned(), text, findings };
    let doc = match loaded {
        Ok(d) => d,
        Err(r) => {
            let mut findings = vec![r.finding];
            if let Some(t) = &r.text {
                let front = crate::format::report::Parts::split(t)
                    .ok()
                    .map(|p| p.front_matter_offset..p.front_matter_offset + p.front_matter.len());
                findings.extend(checks::check_text(rel, t, front));
            }
            return (result(r.text, findings), None);
        }
    };
    let claimed = doc
        .value()
        .get("id")
        .and_then(|v| v.as_str())
        .map(|id| Claim { id: id.to_owned(), span: doc.span_for("id", false) });
    let mut findings = crate::rules::sealed::check_stored(&doc, ctx);
    if (folder.is_some() || doc.value().get("correspondence").is_some())
        && let Ok(report) = doc.report()
    {
        findings.extend(crate::rules::folder::check_names(&doc, &report, folder.map_or(&[][..], Vec::as_slice)));
    }
    let text = (!findings.is_empty()).then_some(doc.text);
    (result(text, findings), claimed)
}

/// Adds `duplicate-id` findings: a report claiming an id that another file is named after
/// or also claims.
fn duplicate_ids(checked: Vec<(FileResult, Option<Claim>)>, all: &[PathBuf]) -> Vec<FileResult> {
    let mut claims: HashMap<String, Vec<PathBuf>> = HashMap::new();
    let checked_paths: HashSet<&Path> = checked.iter().map(|(r, _)| r.path.as_path()).collect();
    // Only the ids the checked files claim matter: an unchecked file is named after its id.
    let claimed: HashSet<&str> = checked.iter().filter_map(|(_, c)| c.as_ref().map(|c| c.id.as_str())).collect();
    for p in all.iter().filter(|p| !checked_paths.contains(p.as_path())) {
        if let Some(stem) = p.file_stem().and_then(|s| s.to_str()).filter(|s| claimed.contains(s)) {
            claims.entry(stem.to_owned()).or_default().push(p.clone());
        }
    }
    for (r, claim) in &checked {
        if let Some(c) = claim {
            claims.entry(c.id.clone()).or_default().push(r.path.clone());
        }
    }
    checked
        .into_iter()
        .map(|(mut r, claim)| {
            if let Some(Claim { id, span }) = claim
                && let Some(others) = claims.get(&id)
                && others.len() > 1
            {
                let other: Vec<String> =
                    others.iter().filter(|p| **p != r.path).map(|p| p.display().to_string()).collect();
                let f = Finding::error(
                    Code::DuplicateId,
                    &r.path,
                    Some(span),
                    format!("id `{id}` is also used by {}", other.join(", ")),
                )
                .with_help(format!(
                    "after a merge, `enigm-disclose renumber {id}` gives the later report the next free id"
                ));
                r.findings.push(f);
            }
            r
        })
        .collect()
}

/// Every staged file under `reports/` that is not a report (attachments, logs, captures),
/// scanned for secrets ([`attachments::check`]); its size is checked before it is read.
/// With `only` (a check of the changes), just those of the files it names that are staged.
fn attachments(index: &Staged<'_>, reports: &[PathBuf], only: Option<&HashSet<&str>>) -> Vec<FileResult> {
    let staged = match only {
        None => index.files_under(&format!("{REPORTS_DIR}/")),
        Some(only) => {
            let mut some: Vec<(String, crate::store::repo::StagedFile)> =
                only.iter().filter_map(|p| index.file(Path::new(p)).map(|f| ((*p).to_owned(), f))).collect();
            some.sort_by(|a, b| a.0.cmp(&b.0));
            some
        }
    };
    let mut out = Vec::new();
    for (path, file) in staged {
        let rel = PathBuf::from(&path);
        // A submodule (gitlink) commits a pointer, not content.
        if listed(reports, &rel) || file.mode == 0o160_000 {
            continue;
        }
        let unreadable = |message: String| FileResult {
            path: rel.clone(),
            text: None,
            findings: vec![Finding::error(Code::FileUnreadable, &rel, None, message)],
        };
        let size = match index.blob_size(file.blob) {
            Ok(size) => size,
            Err(e) => {
                out.push(unreadable(format!("cannot read the staged file: {}", e.message)));
                continue;
            }
        };
        if size > attachments::MAX_BYTES {
            let f = Finding::error(
                Code::FileTooLarge,
                &rel,
                None,
                format!("the file is {size} bytes; files under {REPORTS_DIR}/ are scanned for secrets up to 1 MiB"),
            )
            .with_help("keep large material (logs, captures) outside the repository, or split it");
            out.push(FileResult { path: rel, text: None, findings: vec![f] });
            continue;
        }
        let check = |bytes: &[u8]| {
            if crate::format::correspondence::is_sealed_name(&path) {
                (None, crate::rules::folder::check_sealed_file(&rel, bytes))
            } else {
                attachments::check(&rel, bytes)
            }
        };
        match index.with_blob(file.blob, check) {
            Ok((_, findings)) if findings.is_empty() => {}
            Ok((text, findings)) => out.push(FileResult { path: rel.clone(), text, findings }),
            Err(e) => out.push(unreadable(format!("cannot read the staged file: {}", e.message))),
        }
    }
    out
}

/// Moves findings about another file than their result's (a report's folder's files) to
/// that file's own result.
fn relocate(results: &mut Vec<FileResult>) {
    let mut moved = Vec::new();
    for r in results.iter_mut() {
        let (own, other): (Vec<Finding>, Vec<Finding>) = r.findings.drain(..).partition(|f| f.path == r.path);
        r.findings = own;
        moved.extend(other);
    }
    for f in moved {
        push_finding(results, f);
    }
}

/// The sealed (`.age`) files of the folders of the checked reports in the work tree
/// ([`crate::rules::folder::check_sealed_file`]); the gate checks staged ones ([`attachments`]).
fn sealed_files(root: &Path, folders: &HashMap<PathBuf, Vec<String>>, only: Option<&[PathBuf]>) -> Vec<FileResult> {
    let mut out = Vec::new();
    for (report, names) in folders {
        if only.is_some_and(|o| !o.contains(report)) {
            continue;
        }
        for name in names.iter().filter(|n| crate::format::correspondence::is_sealed_name(n)) {
            let rel = crate::layout::folder_beside(report).join(name);
            let findings = match crate::layout::read_regular(&root.join(&rel), attachments::MAX_BYTES) {
                Ok(bytes) => crate::rules::folder::check_sealed_file(&rel, &bytes),
                Err(e) => vec![Finding::error(Code::FileUnreadable, &rel, None, format!("cannot read the file: {e}"))],
            };
            if !findings.is_empty() {
                out.push(FileResult { path: rel, text: None, findings });
            }
        }
    }
    out
}

/// `report-misplaced` findings of the checked reports (`checked`, by path): a file in a year
/// shard that is not its id's, or an id whose file is in both layouts' places (`all`).
fn placement(all: &[PathBuf], checked: &HashMap<PathBuf, Claim>) -> Vec<Finding> {
    let mut out = Vec::new();
    for rel in checked.keys() {
        let help = "the file of report <ID> is reports/<ID>.md (flat) or reports/<YEAR>/<ID>.md (sharded), never both; `enigm-disclose migrate` moves every report to its shard";
        if let Some(right) = crate::layout::misplaced(rel) {
            let message = format!("{} is in the wrong shard: the report's file is {}", rel.display(), right.display());
            out.push(Finding::error(Code::ReportMisplaced, rel, None, message).with_help(help));
        }
        let Some(id) = crate::layout::report_id_of(rel) else { continue };
        let places = crate::layout::report_places(id);
        // An id without a year has one place only.
        if places.len() == 2 && places.iter().all(|p| listed(all, p)) && places[0] == *rel {
            let message =
                format!("{} and {} are both files of {id}: keep one", places[0].display(), places[1].display());
            out.push(Finding::error(Code::ReportMisplaced, rel, None, message).with_help(help));
        }
    }
    out
}

/// Adds `finding` to the result of its file, creating one if the file has none yet.
fn push_finding(results: &mut Vec<FileResult>, finding: Finding) {
    match results.iter_mut().find(|r| r.path == finding.path) {
        Some(r) => r.findings.push(finding),
        None => results.push(FileResult { path: finding.path.clone(), text: None, findings: vec![finding] }),
    }
}

/// Compares the checked source with `rev`: published reports stay, ids do not change,
/// committed timeline entries stay as they were, and (when `rev` is HEAD: what is checked is
/// the next commit) the state moves by one legal step ([`change`]).
/// The reports of the checked source, for [`against`]: their paths, the ids the checked ones
/// claim, and whether the unchecked ones are taken to claim the id they are named after (a
/// check of the changes: HEAD passed the gate) rather than read.
struct Current<'a> {
    paths: &'a [PathBuf],
    claims: &'a HashMap<PathBuf, Claim>,
    fast: bool,
}

/// `head`, when given, names the only base reports to compare (a check of the changes: those
/// the next commit changes or removes, with their blobs); else every report of `rev` is.
fn against(
    repo: &Repo,
    files: &Files<'_>,
    rev: &str,
    head: Option<Vec<(PathBuf, BlobId)>>,
    current: &Current<'_>,
    results: &mut Vec<FileResult>,
) -> Result<()> {
    let claims = current.claims;
    let base = Snapshot::resolve(repo, rev).map_err(|e| {
        Error::usage(
            format!("cannot resolve `{rev}`: {}", e.message),
            "pass a commit, branch or tag, e.g. {against} origin/main",
        )
    })?;
    let entries = match head {
        Some(entries) => entries,
        None => match base.reports()? {
            Some(tree) => {
                tree.entries().into_iter().map(|(name, blob)| (Path::new(REPORTS_DIR).join(name), blob)).collect()
            }
            None => return Ok(()),
        },
    };
    let one_commit = repo.resolves_to_head(rev);
    // Sorted by bytes: looked up by binary search, not hashed (issue 22).
    let current_set = current.paths;
    let mut current_ids: Option<HashMap<String, PathBuf>> = None;
    for (rel, blob) in entries {
        // A report moved to its place in the other layout (`migrate`) is compared there.
        let rel = moved_between_layouts(&rel, current_set);
        // A file staged as it is at `rev` has nothing to compare (the hook reads no other).
        if listed(current_set, &rel)
            && let Some(index) = &files.index
            && index.file(&rel).is_some_and(|f| f.blob == blob)
        {
            continue;
        }
        let Ok(content) = repo.blob(blob) else { continue };
        let Ok(base_report) = Document::from_bytes(&rel, content.clone()).and_then(|d| d.report()) else {
            continue;
        };
        if listed(current_set, &rel) {
            if let Ok(doc) = files.read(&rel)
                && doc.text.as_bytes() != content.as_slice()
                && let Ok(now) = doc.report()
            {
                // The next commit is one step after HEAD; over several commits a report may
                // have moved by several legal steps, which the timeline checks already judge.
                let steps = one_commit.then(|| change::illegal_step(&base_report, &now)).flatten();
                for b in steps.into_iter().chain(change::timeline_rewritten(&base_report, &now)) {
                    let (key, help) = match b.code {
                        Code::IllegalStep => (
                            "state",
                            "move a report one step at a time (`enigm-disclose advance`); `enigm-disclose states` lists the steps",
                        ),
                        _ => (
                            "timeline",
                            "committed timeline entries are never changed or removed: restore them and add a new entry instead",
                        ),
                    };
                    let f = Finding::error(
                        b.code,
                        &rel,
                        Some(doc.span_for(key, false)),
                        format!("{} (in {rev})", b.message),
                    )
                    .with_help(help);
                    push_finding(results, f);
                }
            }
            if let Some(r) = results.iter_mut().find(|r| r.path == rel)
                && let Some(now) = claims.get(&rel)
                && now.id != base_report.id
            {
                let f = Finding::error(
                    Code::IdChanged,
                    &rel,
                    Some(now.span.clone()),
                    format!("the id changed from `{}` (in {rev}) to `{}`", base_report.id, now.id),
                )
                .with_help(
                    "an id never changes once committed; `renumber` is the one way to move a report to a new id",
                );
                r.findings.push(f);
            }
            continue;
        }
        if !base_report.state.is_public() {
            continue;
        }
        let ids = current_ids.get_or_insert_with(|| current_id_map(files, current));
        let f = match ids.get(&base_report.id) {
            Some(new_path) => Finding::error(Code::PublishedRenamed, &rel, None, format!("published report {} was renamed to {}", base_report.id, new_path.display()))
                .with_help("published advisories keep their file and id; move it back"),
            None => Finding::error(Code::PublishedDeleted, &rel, None, format!("published report {} was deleted", base_report.id))
                .with_help("published advisories are never deleted; withdraw it instead (advance it to `withdrawn`, with the reason)"),
        };
        results.push(FileResult { path: rel, text: None, findings: vec![f] });
    }
    Ok(())
}

/// `rel` (a report file at the base revision), or, when it is gone and its id's place in the
/// other layout is among `current`, that place: a report moved between layouts is the same
/// report, checked as a modification.
fn moved_between_layouts(rel: &Path, current: &[PathBuf]) -> PathBuf {
    if listed(current, rel) {
        return rel.to_owned();
    }
    let places = crate::layout::report_id_of(rel).map(crate::layout::report_places).unwrap_or_default();
    let other = places.into_iter().find(|p| p.as_path() != rel && listed(current, p));
    other.unwrap_or_else(|| rel.to_owned())
}

/// The id each current report claims, and its path: read from the checked files' claims; an
/// unchecked file is read, or (`fast`) taken to claim the id it is named after.
fn current_id_map(files: &Files<'_>, current: &Current<'_>) -> HashMap<String, PathBuf> {
    current
        .paths
        .iter()
        .filter_map(|p| {
            let id = match current.claims.get(p) {
                Some(claim) => Some(claim.id.clone()),
                None if current.fast => report_id(p).map(str::to_owned),
                None => {
                    files.read(p).ok().and_then(|d| d.value().get("id").and_then(|v| v.as_str().map(str::to_owned)))
                }
            };
            id.map(|id| (id, p.clone()))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placement_names_wrong_shards_and_both_places_and_never_panics_on_odd_names() {
        let claim = |p: &str| (PathBuf::from(p), Claim { id: String::new(), span: 0..0 });
        let all: Vec<PathBuf> =
            // Sorted by bytes, as the index and the listing give them (looked up by binary search).
            ["reports/2025/A-2026-0002.md", "reports/2026/A-2026-0001.md", "reports/A-2026-0001.md", "reports/odd.md"]
                .map(PathBuf::from)
                .to_vec();
        let checked: HashMap<PathBuf, Claim> = all.iter().map(|p| claim(p.to_str().expect("utf8"))).collect();
        let mut found: Vec<String> = placement(&all, &checked).into_iter().map(|f| f.message).collect();
        found.sort();
        assert_eq!(
            found,
            [
                "reports/2025/A-2026-0002.md is in the wrong shard: the report's file is reports/2026/A-2026-0002.md",
                "reports/A-2026-0001.md and reports/2026/A-2026-0001.md are both files of A-2026-0001: keep one",
            ]
        );
    }
}
