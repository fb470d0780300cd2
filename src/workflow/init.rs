//! `init`: making (or adopting) a git repository as a disclosure repository.
//!
//! It writes `enigm.yaml`, `policy.md` (the disclosure policy, a template filled from
//! `enigm.yaml`), `reports/`, `templates/` and a `.gitignore` for what the tool generates in the
//! repository (the site, the dashboard), and commits exactly those files. On a
//! repository that already has a disclosure layout or uncommitted changes it refuses, listing
//! why; with `force` it adds only what is missing and never overwrites an existing file.

use std::fs;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::format::config::ConfigSeed;
use crate::layout::{CONFIG_FILE, POLICY_FILE, REPORTS_DIR, TEMPLATES_DIR};
use crate::store::files;
use crate::store::repo::{Change, CommitId, Repo};

/// What `init` should do.
#[derive(Debug, Clone)]
pub struct InitOptions {
    pub dir: PathBuf,
    pub seed: ConfigSeed,
    pub force: bool,
    pub commit: bool,
    /// Run the repository's pre-commit and commit-msg hooks (if it has any) on the commit.
    pub verify: bool,
    /// Seal the repository's reports to these recipients (a `sealing` section).
    pub sealing: Option<crate::format::keys::Sealing>,
    /// Where new reports go (`layout` in `enigm.yaml`; flat unless told). `None`: not asked
    /// for, so a kept `enigm.yaml` may say either.
    pub layout: Option<crate::layout::Layout>,
}

/// What `init` did.
#[derive(Debug)]
pub struct InitOutcome {
    pub root: PathBuf,
    pub created_repository: bool,
    /// Files written, relative to the root.
    pub written: Vec<PathBuf>,
    /// Files that existed and were kept.
    pub kept: Vec<PathBuf>,
    pub commit: Option<CommitId>,
}

/// The `.gitignore` of a fresh layout: what the tool writes inside the repository by default or
/// as the docs show it, rebuilt from the reports and never a source. An existing `.gitignore` is
/// kept as it is (see [`missing_ignores`]).
pub const GITIGNORE: &str = "\
# Written by `enigm-disclose init`: outputs rebuilt from the reports, never committed.
# The advisory site (`enigm-disclose render` writes site/ by default):
/site/
# The internal dashboard under the name the README gives it (`enigm-disclose stats` writes it):
/dashboard.html
";

/// What [`GITIGNORE`] ignores, as its lines read.
const GENERATED: [&str; 2] = ["/site/", "/dashboard.html"];

/// How long a new `security.txt` is valid: just under the year RFC 9116 advises as a maximum.
const EXPIRES_AFTER_DAYS: i64 = 364;

/// The files of a fresh layout, as of `today`: path and content.
fn layout(opts: &InitOptions, today: chrono::NaiveDate) -> Vec<(PathBuf, Vec<u8>)> {
    let expires = today + chrono::Duration::days(EXPIRES_AFTER_DAYS);
    let config = opts.seed.render_expiring(Some(expires))
        + &opts.sealing.as_ref().map(crate::format::keys::Sealing::render).unwrap_or_default();
    // The fresh file parses (its own test says so): the layout line is always set.
    let config = match opts.layout.unwrap_or_default() {
        crate::layout::Layout::Flat => config,
        layout => crate::format::config::set_layout(&config, layout).unwrap_or(config),
    };
    vec![
        (PathBuf::from(CONFIG_FILE), config.into_bytes()),
        (PathBuf::from(POLICY_FILE), crate::publish::policy::BUILTIN.as_bytes().to_vec()),
        (Path::new(REPORTS_DIR).join(".gitkeep"), Vec::new()),
        (Path::new(TEMPLATES_DIR).join(".gitkeep"), Vec::new()),
        (PathBuf::from(".gitignore"), GITIGNORE.as_bytes().to_vec()),
    ]
}

/// The generated paths an existing `.gitignore` at `root` does not name on a line of its own
/// (empty when it names them all or there is none): `init` keeps the file and says what to add.
pub fn missing_ignores(root: &Path) -> Vec<&'static str> {
    let Ok(text) = fs::read_to_string(root.join(".gitignore")) else { return Vec::new() };
    // `/site/`, `site/`, `/site` and `site` all ignore the site directory at the root.
    let bare = |line: &str| line.trim().trim_start_matches('/').trim_end_matches('/').to_owned();
    let lines: Vec<String> = text.lines().map(bare).collect();
    GENERATED.into_iter().filter(|g| !lines.contains(&bare(g))).collect()
}

/// Runs `init`.
pub fn init(opts: &InitOptions) -> Result<InitOutcome> {
    if !crate::format::id::valid_prefix(&opts.seed.id_prefix) {
        return Err(Error::usage(
            format!("`{}` is not a valid id prefix", opts.seed.id_prefix),
            "use 1 to 16 characters: an uppercase letter, then uppercase letters or digits (e.g. ENIGM)",
        ));
    }
    fs::create_dir_all(&opts.dir).map_err(Error::io(format!("cannot create {}", opts.dir.display())))?;
    let (repo, created) = Repo::open_or_init(&opts.dir)?;
    // Shared with every other writing command; also removes what an interrupted init left.
    let _lock = repo.lock_for_writing()?;
    let root = repo.root().to_owned();
    let reasons = refusal_reasons(&repo)?;
    if !reasons.is_empty() && !opts.force {
        return Err(Error::usage(
            format!("refusing to initialise {}:\n  - {}", root.display(), reasons.join("\n  - ")),
            "use {force} to add only the missing files; existing files are never overwritten and other changes are not committed",
        ));
    }
    kept_layout_agrees(&root, opts.layout)?;
    let identity = if opts.commit {
        let identity = repo.identity()?;
        Some(if opts.verify { identity } else { identity.without_hooks() })
    } else {
        None
    };
    if opts.commit {
        repo.check_can_commit()?;
    }
    let (mut written, mut kept, mut changes) = (Vec::new(), Vec::new(), Vec::new());
    let today = crate::store::clock::today()?;
    for (rel, content) in layout(opts, today) {
        let full = root.join(&rel);
        if full.exists() || full.is_symlink() {
            kept.push(rel);
            continue;
        }
        // A linked `reports/` or `templates/` would take the files out of the repository.
        if let Err(e) = crate::layout::no_links(&root, &rel) {
            remove_all(&root, &written);
            return Err(Error::io(format!("cannot write {}", rel.display()))(e));
        }
        if let Some(parent) = full.parent() {
            fs::create_dir_all(parent).map_err(Error::io(format!("cannot create {}", parent.display())))?;
        }
        // Every file so far is recorded before the next is written: a kill leaves nothing the
        // next run cannot remove.
        let mut recorded = changes.clone();
        recorded.push(Change::Write { path: rel.clone(), content: content.clone() });
        repo.begin(&recorded)?.done_later();
        if let Err(e) = files::create_atomic(&full, &content) {
            remove_all(&root, &written);
            return Err(Error::io(format!("cannot write {}", rel.display()))(e));
        }
        written.push(rel.clone());
        changes.push(Change::Write { path: rel, content });
    }
    let commit = match identity {
        Some(identity) if !changes.is_empty() => {
            let message = "Initialise disclosure repository\n\nCreated by enigm-disclose init: enigm.yaml, policy.md, reports/, templates/, .gitignore.\n";
            match repo.commit_paths(&changes, message, &identity) {
                Ok(oid) => Some(oid),
                Err(Error::NothingToCommit) => None,
                Err(e) => {
                    remove_all(&root, &written);
                    repo.pending_done();
                    return Err(e);
                }
            }
        }
        _ => None,
    };
    repo.pending_done();
    Ok(InitOutcome { root, created_repository: created, written, kept, commit })
}

/// A layout asked for must be the one a kept `enigm.yaml` says: `init` never rewrites an existing
/// file, and silently keeping the other layout would file new reports where the user did not
/// ask. Moving the reports of an existing repository is `migrate`'s job.
fn kept_layout_agrees(root: &Path, asked: Option<crate::layout::Layout>) -> Result<()> {
    let Some(asked) = asked else { return Ok(()) };
    if !root.join(CONFIG_FILE).exists() {
        return Ok(());
    }
    let Ok(config) = crate::format::config::Config::load(root) else { return Ok(()) };
    if config.layout == asked {
        return Ok(());
    }
    Err(Error::usage(
        format!(
            "{CONFIG_FILE} already says `layout: {}`, and init never overwrites an existing file",
            config.layout.as_str()
        ),
        format!(
            "to move the reports of this repository to the {} layout run `enigm-disclose migrate` (it moves every report in one commit and sets the layout), or drop the layout option",
            asked.as_str()
        ),
    ))
}

/// Why `init` should not proceed without `--force`.
fn refusal_reasons(repo: &Repo) -> Result<Vec<String>> {
    let root = repo.root();
    let mut reasons = Vec::new();
    if root.join(CONFIG_FILE).exists() {
        reasons.push(format!("{CONFIG_FILE} already exists (this is already a disclosure repository)"));
    }
    for dir in [REPORTS_DIR, TEMPLATES_DIR] {
        if has_entries(&root.join(dir)) {
            reasons.push(format!("{dir}/ already contains files"));
        }
    }
    if repo.has_head() && repo.has_uncommitted_changes()? {
        reasons.push("the repository has uncommitted changes".to_owned());
    }
    Ok(reasons)
}

fn has_entries(dir: &Path) -> bool {
    fs::read_dir(dir).map(|mut it| it.any(|e| e.is_ok_and(|e| e.file_name() != ".gitkeep"))).unwrap_or(false)
}

fn remove_all(root: &Path, written: &[PathBuf]) {
    for rel in written {
        let _ = fs::remove_file(root.join(rel));
    }
}
