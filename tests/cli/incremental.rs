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
