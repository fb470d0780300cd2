//! `render` again after a change: the site it leaves is the one a render into an empty
//! directory makes, byte for byte, whatever the caches in `.git/enigm/` hold (none, garbage,
//! the edits of commits that history no longer has, pages made with other templates or edited
//! by hand since).

use std::fs;
use std::path::{Path, PathBuf};

use super::render::{all_files, repo};
use super::validate::{PUBLISHED, commit_all};
use crate::util::{TestRepo, stdout};

const CACHE: &str = ".git/enigm/render-revisions.json";
const PAGES: &str = ".git/enigm/render-pages.json";

/// Renders the site of `repo` into `dir` (a path under the sandbox), and returns its files by
/// path relative to `dir`.
fn render(repo: &TestRepo, dir: &str) -> Vec<(String, Vec<u8>)> {
    let out = site(repo, dir);
    repo.cmd().args(["render", "--out"]).arg(&out).assert().success();
    relative(&out)
}

fn site(repo: &TestRepo, dir: &str) -> PathBuf {
    repo.sandbox.tmp.path().join(dir)
}

fn relative(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let prefix = format!("{}/", dir.display());
    all_files(dir).into_iter().map(|(p, c)| (p.trim_start_matches(&prefix).to_owned(), c)).collect()
}

/// Two more public reports, so that the site has advisories that do not change.
fn with_three(repo: &TestRepo) {
    for n in ["0002", "0003"] {
        let text = PUBLISHED
            .replace("id: ENIGM-2026-0001", &format!("id: ENIGM-2026-{n}"))
            .replace("CVE-2026-12345", &format!("CVE-2026-1{n}"))
            .replace("Path traversal in uploads", &format!("Issue {n} in uploads"));
        repo.write(&format!("reports/ENIGM-2026-{n}.md"), text);
    }
    commit_all(repo, "two more published reports");
}

fn add_alias(repo: &TestRepo, alias: &str) {
    let text = repo.read("reports/ENIGM-2026-0002.md");
    repo.write("reports/ENIGM-2026-0002.md", text.replace("aliases: [", &format!("aliases: [{alias}, ")));
    commit_all(repo, &format!("ENIGM-2026-0002: alias {alias}"));
}

fn csaf_of_0002(files: &[(String, Vec<u8>)]) -> String {
    let (_, doc) = files.iter().find(|(p, _)| p == "csaf/2026/enigm-2026-0002.json").expect("the CSAF document");
    String::from_utf8_lossy(doc).into_owned()
}

#[test]
fn a_render_after_an_edit_equals_a_fresh_render_into_an_empty_directory() {
    let repo = repo();
    with_three(&repo);
    render(&repo, "site");
    assert!(repo.root().join(CACHE).is_file(), "the revisions are cached in the git directory");
    assert!(!repo.root().join("site").exists() && repo.status().is_empty(), "nothing in the work tree");
    add_alias(&repo, "GHSA-aaaa-bbbb-cccc");
    let out = site(&repo, "site");
    let a = repo.cmd().args(["render", "--out"]).arg(&out).assert().success();
    // Only the edited advisory's files and what lists it are written again: the two other
    // advisories' pages, OSV records and CSAF documents are not.
    let said = stdout(&a);
    let unchanged: usize = said
        .split(", ")
        .find_map(|part| part.strip_suffix(" unchanged")?.parse().ok())
        .unwrap_or_else(|| panic!("{said}"));
    assert!(unchanged >= 8, "{said}");
    let again = relative(&out);
    let fresh = render(&repo, "fresh");
    assert_eq!(again, fresh, "re-rendered site = fresh render (manifest included)");
    let csaf = csaf_of_0002(&fresh);
    assert!(csaf.contains("Added alias GHSA-aaaa-bbbb-cccc."), "the edit is a revision: {csaf}");
    assert!(csaf.contains("\"version\": \"2\""), "{csaf}");
    fs::remove_file(repo.root().join(CACHE)).expect("rm cache");
    assert_eq!(render(&repo, "no-cache"), fresh, "without a cache: the same site");
}

#[test]
fn a_corrupt_or_outdated_revision_cache_is_rebuilt_never_trusted() {
    let repo = repo();
    with_three(&repo);
    add_alias(&repo, "GHSA-aaaa-bbbb-cccc");
    let reference = render(&repo, "reference");
    for garbage in [&b"\x00\xffnot json"[..], b"{\"format\":1,", b""] {
        fs::write(repo.root().join(CACHE), garbage).expect("corrupt the cache");
        assert_eq!(render(&repo, "reference"), reference, "a corrupt cache is rebuilt");
        let cache = fs::read(repo.root().join(CACHE)).expect("rebuilt cache");
        assert!(cache.starts_with(b"{"), "rewritten");
    }
    // History rewritten: the cached walk ended at a commit that HEAD no longer has.
    let git = repo.git();
    let head = git.head().expect("head").peel_to_commit().expect("commit");
    let parent = head.parent(0).expect("parent");
    git.reset(parent.as_object(), git2::ResetType::Hard, None).expect("reset");
    add_alias(&repo, "GHSA-dddd-eeee-ffff");
    let rewritten = render(&repo, "reference");
    let csaf = csaf_of_0002(&rewritten);
    assert!(
        csaf.contains("Added alias GHSA-dddd-eeee-ffff.") && !csaf.contains("GHSA-aaaa"),
        "only the edits of the history HEAD has: {csaf}"
    );
    fs::remove_file(repo.root().join(CACHE)).expect("rm cache");
    assert_eq!(render(&repo, "scratch"), rewritten, "same as without a cache");
}

#[test]
fn pages_are_reused_only_while_their_inputs_and_their_bytes_are_the_same() {
    let repo = repo();
    with_three(&repo);
    render(&repo, "site");
    let cache = fs::read_to_string(repo.root().join(PAGES)).expect("the page cache is in the git directory");
    assert!(cache.contains("advisories/ENIGM-2026-0003.html"), "{cache}");
    // A page edited by hand is not taken for a render: its bytes no longer hash as recorded.
    let page = site(&repo, "site").join("advisories/ENIGM-2026-0003.html");
    fs::write(&page, "defaced").expect("deface");
    add_alias(&repo, "GHSA-aaaa-bbbb-cccc");
    let again = render(&repo, "site");
    assert_eq!(again, render(&repo, "fresh"), "= a fresh render");
    assert!(fs::read_to_string(&page).expect("page").contains("ENIGM-2026-0003"), "rendered again");
    // Another template renders every page again.
    repo.cmd().args(["templates", "export"]).assert().success();
    let template = repo.read("templates/advisory.html.j2");
    repo.write("templates/advisory.html.j2", format!("<!-- house style -->\n{template}"));
    let restyled = render(&repo, "site");
    let pages = restyled.iter().filter(|(p, _)| p.starts_with("advisories/") && p.ends_with(".html"));
    assert_eq!(pages.clone().count(), 3);
    assert!(pages.clone().all(|(_, c)| c.starts_with(b"<!-- house style -->")), "every page re-rendered");
    fs::remove_file(repo.root().join(PAGES)).expect("rm");
    assert_eq!(render(&repo, "no-cache"), restyled, "= a render without the cache");
}

const STATE: &str = ".git/enigm/render-reports.json";

/// Sets every file under `dir` back a day, so that the stat-keyed render state and page cache
/// trust them (a file changed less than two seconds before it was read never is). The status
/// change time still moves, as with `touch -d`.
fn age(dir: &Path) {
    let day_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(86_400);
    for (path, _) in all_files(dir) {
        let f = fs::File::options().write(true).open(&path).expect("open");
        f.set_modified(day_ago).expect("set the modification time");
    }
}

/// A render into an empty directory with no state or cache in the git directory (they are
/// put back afterwards).
fn fresh(repo: &TestRepo, dir: &str) -> Vec<(String, Vec<u8>)> {
    let (kept, aside) = (repo.root().join(".git/enigm"), repo.root().join(".git/enigm-aside"));
    fs::rename(&kept, &aside).expect("set the caches aside");
    let files = render(repo, dir);
    fs::remove_dir_all(&kept).expect("rm the fresh caches");
    fs::rename(&aside, &kept).expect("put the caches back");
    files
}

/// Renders `site` again from the warm state and checks it against a fresh render.
fn same_as_fresh(repo: &TestRepo, step: &str) {
    let again = render(repo, "site");
    assert_eq!(again, fresh(repo, &format!("fresh-{step}")), "after {step}: = a fresh render");
    age(&repo.root().join("reports"));
    age(&site(repo, "site"));
    assert_eq!(render(repo, "site"), again, "after {step}: settled");
}

/// A repository of three reports rendered twice to `site`, its reports and outputs aged past
/// git's racy window, so the second render settled the state and the page cache.
fn settled_three() -> TestRepo {
    let repo = repo();
    with_three(&repo);
    age(&repo.root().join("reports"));
    render(&repo, "site");
    age(&site(&repo, "site"));
    render(&repo, "site");
    repo
}

#[test]
fn a_render_from_the_stat_keyed_state_sees_every_change_and_equals_a_fresh_render() {
    let repo = settled_three();
    let state = fs::read_to_string(repo.root().join(STATE)).expect("the render state is in the git directory");
    assert!(state.contains("\"reports/ENIGM-2026-0003.md\":{\"stat\""), "recorded by stat: {state}");
    let pages = fs::read_to_string(repo.root().join(PAGES)).expect("page cache");
    assert!(pages.contains("\"stats\":[{\"size\""), "output stats recorded once settled: {pages}");
    same_as_fresh(&repo, "nothing");
    // An edit of the same size, its modification time set back: the status change time moved.
    let text = repo.read("reports/ENIGM-2026-0002.md");
    repo.write("reports/ENIGM-2026-0002.md", text.replace("Issue 0002 in uploads", "Issue 0002 in Uploads"));
    age(&repo.root().join("reports"));
    let edited = render(&repo, "site");
    let page = edited.iter().find(|(p, _)| p == "advisories/ENIGM-2026-0002.html").expect("page");
    assert!(String::from_utf8_lossy(&page.1).contains("Issue 0002 in Uploads"), "the edit is seen");
    commit_all(&repo, "ENIGM-2026-0002: title");
    same_as_fresh(&repo, "a same-size edit");
    // A page edited by hand (same size, its time set back) is rendered again.
    let page = site(&repo, "site").join("advisories/ENIGM-2026-0003.html");
    let html = fs::read_to_string(&page).expect("page");
    fs::write(&page, html.replacen("ENIGM-2026-0003", "ENIGM-2026-9999", 1)).expect("deface");
    age(&site(&repo, "site"));
    same_as_fresh(&repo, "a page edited by hand");
    assert!(!fs::read_to_string(&page).expect("page").contains("ENIGM-2026-9999"), "restored");
    // A deletion and a rename (another id in another file).
    fs::remove_file(repo.root().join("reports/ENIGM-2026-0003.md")).expect("rm");
    commit_all(&repo, "ENIGM-2026-0003: removed");
    same_as_fresh(&repo, "a deletion");
    assert!(!site(&repo, "site").join("advisories/ENIGM-2026-0003.html").exists(), "its pages are removed");
    let text = repo.read("reports/ENIGM-2026-0002.md").replace("id: ENIGM-2026-0002", "id: ENIGM-2026-0005");
    fs::remove_file(repo.root().join("reports/ENIGM-2026-0002.md")).expect("rm");
    repo.write("reports/ENIGM-2026-0005.md", text);
    commit_all(&repo, "ENIGM-2026-0002: renumbered 0005");
    same_as_fresh(&repo, "a rename");
    // A state change through the tool.
    repo.cmd().args(["advance", "1", "withdrawn", "--reason", "a duplicate"]).assert().success();
    same_as_fresh(&repo, "a withdrawal");
    let withdrawn = fs::read_to_string(site(&repo, "site").join("advisories/ENIGM-2026-0001.html")).expect("page");
    assert!(withdrawn.contains("a duplicate"), "{withdrawn}");
    // Another configuration: every report is read again.
    let config = repo.read("enigm.yaml");
    repo.write(
        "enigm.yaml",
        config.replacen("base_url: https://security.example.com/", "base_url: https://sec.example.org/", 1),
    );
    commit_all(&repo, "base_url");
    same_as_fresh(&repo, "a configuration change");
    // A corrupt or truncated state, a deleted one: the same site.
    let reference = render(&repo, "site");
    let whole = fs::read(repo.root().join(STATE)).expect("state");
    for garbage in [&b"\x00\xffnot json"[..], &whole[..whole.len() / 2], b""] {
        fs::write(repo.root().join(STATE), garbage).expect("corrupt the state");
        assert_eq!(render(&repo, "site"), reference, "a corrupt state is rebuilt");
        assert!(fs::read(repo.root().join(STATE)).expect("rebuilt").starts_with(b"{\"key\""), "rewritten");
    }
    fs::remove_file(repo.root().join(STATE)).expect("rm state");
    assert_eq!(render(&repo, "site"), reference, "without a state: the same site");
}

/// The inode of `path`: a file replaced (as every cache write is, atomically) gets another.
fn inode(path: &Path) -> u64 {
    use std::os::unix::fs::MetadataExt;
    fs::metadata(path).expect("stat").ino()
}

#[test]
fn the_files_made_of_all_advisories_are_kept_unread_only_while_nothing_they_are_made_of_changed() {
    let repo = settled_three();
    let cache = fs::read_to_string(repo.root().join(PAGES)).expect("page cache");
    assert!(cache.contains("\"index.html\"") && cache.contains("\"feed.xml\""), "the shared files are cached: {cache}");
    // Nothing changed: nothing is written, the page cache included.
    let before = inode(&repo.root().join(PAGES));
    let out = site(&repo, "site");
    let a = repo.cmd().args(["render", "--out"]).arg(&out).assert().success();
    assert!(stdout(&a).contains(": 0 written,"), "{}", stdout(&a));
    assert_eq!(inode(&repo.root().join(PAGES)), before, "an unchanged page cache is not written again");
    same_as_fresh(&repo, "nothing");
    // The index edited by hand (same size, its time set back) and the feed deleted: both back.
    let index = out.join("index.html");
    let html = fs::read_to_string(&index).expect("index");
    fs::write(&index, html.replacen("ENIGM-2026-0003", "ENIGM-2026-9999", 1)).expect("deface");
    fs::remove_file(out.join("feed.xml")).expect("rm feed");
    age(&out);
    same_as_fresh(&repo, "the index edited and the feed deleted by hand");
    assert!(!fs::read_to_string(&index).expect("index").contains("ENIGM-2026-9999"), "restored");
    assert!(out.join("feed.xml").is_file(), "the feed is written again");
    // The policy's source is part of what the shared files are made of.
    repo.write("policy.md", "# Our policy\n\nWe answer within a week.\n");
    commit_all(&repo, "policy");
    age(&repo.root().join("reports"));
    same_as_fresh(&repo, "a new policy");
    let policy = fs::read_to_string(out.join("policy.html")).expect("the policy page");
    assert!(policy.contains("We answer within a week."), "{policy}");
    repo.write("policy.md", "# Our policy\n\nWe answer within two days.\n");
    commit_all(&repo, "policy: faster");
    same_as_fresh(&repo, "an edited policy");
    assert!(fs::read_to_string(out.join("policy.html")).expect("policy").contains("two days"));
    // One report edited: its listing rows change.
    let text = repo.read("reports/ENIGM-2026-0002.md");
    repo.write("reports/ENIGM-2026-0002.md", text.replace("Issue 0002 in uploads", "Issue 0002 in Uploads"));
    age(&repo.root().join("reports"));
    same_as_fresh(&repo, "a title edited");
    assert!(fs::read_to_string(&index).expect("index").contains("Issue 0002 in Uploads"), "the index lists the edit");
}
