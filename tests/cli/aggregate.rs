//! `aggregate` through the binary: three disclosure repositories read as one (their committed
//! trees, never written), list/due/stats JSON naming each row's repository, a shared id prefix
//! as a finding, and the combined site holding exactly each repository's public advisories,
//! with one `osv/all.json` and an `aggregator.json` valid against the official schema.

use std::collections::HashMap;
use std::fs;
use std::path::{Path, PathBuf};

use serde_json::Value;

use super::validate::{commit_all, shared_schema};
use crate::util::{Sandbox, TestRepo, stderr, stdout};

const PUBLISHED: &str = include_str!("../fixtures/reports/exports.md");

/// What no file of a combined site may contain: it is only in unpublished reports.
const MARKER: &str = "MARKER-unpublished-7f3a";

/// A disclosure repository with id prefix `prefix`: one published advisory (committed), one
/// received report whose title holds [`MARKER`] (committed), and one published report that is
/// not committed (the committed tree is what aggregate reads).
fn member(prefix: &str, host: &str) -> TestRepo {
    let repo = TestRepo::new();
    let config = repo
        .read("enigm.yaml")
        .replace("id_prefix: ENIGM", &format!("id_prefix: {prefix}"))
        .replacen("components: []", "components: [uploads]", 1)
        .replace("# website: https://www.example.com", &format!("website: https://{host}"))
        .replace("# base_url: https://security.example.com/advisories/", &format!("base_url: https://{host}/"));
    repo.write("enigm.yaml", config);
    let id = format!("{prefix}-2026-0001");
    repo.write(&format!("reports/{id}.md"), PUBLISHED.replace("ENIGM-2026-0001", &id));
    commit_all(&repo, "published report");
    let unpublished = repo.new_report(&format!("{MARKER} in {prefix}"));
    assert_eq!(unpublished, format!("{prefix}-2026-0002"));
    let stray = format!("{prefix}-2026-0003");
    repo.write(&format!("reports/{stray}.md"), PUBLISHED.replace("ENIGM-2026-0001", &stray));
    repo
}

/// Three members and an aggregate file naming them, in a sandbox of its own.
struct Org {
    members: Vec<(String, TestRepo)>,
    sandbox: Sandbox,
}

impl Org {
    fn new(prefixes: &[&str]) -> Org {
        let members: Vec<(String, TestRepo)> = prefixes
            .iter()
            .map(|p| (p.to_lowercase(), member(p, &format!("{}.acme.test", p.to_lowercase()))))
            .collect();
        let sandbox = Sandbox::new();
        let mut text = String::from(
            "name: Acme Group\nbase_url: https://security.acme.test/all/\naggregator:\n  namespace: https://acme.test\n  contact_details: psirt@acme.test\nrepositories:\n",
        );
        for (name, repo) in &members {
            text.push_str(&format!("  - name: {name}\n    path: {}\n", repo.root().display()));
        }
        fs::write(sandbox.work().join("aggregate.yaml"), text).expect("aggregate file");
        Org { members, sandbox }
    }

    fn cmd(&self) -> assert_cmd::Command {
        let mut c = self.sandbox.cmd_in(&self.sandbox.work());
        c.arg("aggregate");
        c
    }

    fn json(&self, args: &[&str], code: i32) -> Value {
        let a = self.cmd().args(args).args(["--format", "json"]).assert().code(code);
        serde_json::from_str(&stdout(&a)).expect("JSON output")
    }

    /// Every file of every member, `.git` included, with its bytes.
    fn snapshot(&self) -> Vec<(PathBuf, Vec<u8>)> {
        self.members.iter().flat_map(|(_, r)| all_files(&r.root())).collect()
    }
}

fn all_files(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    let mut dirs = vec![dir.to_owned()];
    while let Some(d) = dirs.pop() {
        for entry in fs::read_dir(&d).expect("dir") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                dirs.push(path);
            } else {
                out.push((path.clone(), fs::read(&path).expect("read")));
            }
        }
    }
    out.sort();
    out
}

fn ids(rows: &Value, key: &str) -> Vec<(String, String)> {
    let mut found: Vec<(String, String)> = rows[key]
        .as_array()
        .expect("array")
        .iter()
        .map(|r| (r["repository"].as_str().expect("repository").to_owned(), r["id"].as_str().expect("id").to_owned()))
        .collect();
    found.sort();
    found.dedup();
    found
}

#[test]
fn list_due_and_stats_read_every_committed_tree_and_name_each_rows_repository() {
    let org = Org::new(&["WEB", "API", "APP"]);
    let before = org.snapshot();
    let list = org.json(&["list"], 0);
    let expected: Vec<(String, String)> = {
        let mut e: Vec<(String, String)> = ["app", "api", "web"]
            .iter()
            .flat_map(|n| {
                let p = n.to_uppercase();
                [(n.to_string(), format!("{p}-2026-0001")), (n.to_string(), format!("{p}-2026-0002"))]
            })
            .collect();
        e.sort();
        e
    };
    assert_eq!(ids(&list, "reports"), expected, "the committed reports of each, never the uncommitted one");
    assert_eq!(list["repositories"].as_array().expect("members").len(), 3);
    assert_eq!(list["repositories"][0]["id_prefix"], "WEB");
    assert_eq!(list["findings"], serde_json::json!([]));
    let open = org.json(&["list", "--state", "received"], 0);
    assert_eq!(open["reports"].as_array().expect("rows").len(), 3);

    // `due`: the received reports' deadlines, each naming its repository; exit 1 once one is
    // overdue, each counted by its own repository's policy.
    org.json(&["due"], 0);
    let due = org.json(&["due", "--today", "2026-10-01"], 1);
    let overdue: Vec<&Value> =
        due["items"].as_array().expect("items").iter().filter(|i| i["overdue"] == true).collect();
    assert_eq!(due["overdue"].as_u64(), Some(overdue.len() as u64));
    for p in ["WEB", "API", "APP"] {
        assert!(overdue.iter().any(|i| i["id"] == format!("{p}-2026-0002")), "{p}'s received report is overdue");
    }
    let due_ids: Vec<String> = ids(&due, "items").into_iter().map(|(_, id)| id).collect();
    assert_eq!(due_ids, ["API-2026-0002", "APP-2026-0002", "WEB-2026-0002"]);
    assert!(due["items"].as_array().expect("items").iter().all(|i| i["title"] == "(withheld: --show-titles)"));

    let stats = org.json(&["stats"], 0);
    assert_eq!(stats["total"]["total"], 6);
    assert_eq!(stats["total"]["by_state"]["published"], 3);
    let per: Vec<(&str, i64)> = stats["repositories"]
        .as_array()
        .expect("repositories")
        .iter()
        .map(|r| (r["repository"].as_str().expect("name"), r["total"].as_i64().expect("total")))
        .collect();
    assert_eq!(per, [("web", 2), ("api", 2), ("app", 2)]);

    let human = stdout(&org.cmd().arg("list").assert().success());
    assert!(human.starts_with("REPOSITORY") && human.contains("api") && human.contains("API-2026-0002"), "{human}");
    let dashboard = org.sandbox.work().join("dashboard.html");
    org.cmd().arg("dashboard").arg(&dashboard).assert().success();
    let page = fs::read_to_string(&dashboard).expect("dashboard");
    assert!(page.contains("Acme Group") && !page.contains(MARKER), "titles of unpublished reports stay out");
    assert_eq!(org.snapshot(), before, "no member was written");
}

#[test]
fn a_shared_id_prefix_is_a_finding_naming_both_repositories() {
    let org = Org::new(&["WEB", "API", "WEB"]);
    // The third is named `web` too: rename it so only the prefix clashes.
    let file = org.sandbox.work().join("aggregate.yaml");
    let text = fs::read_to_string(&file).expect("file");
    let last = text.rfind("- name: web").expect("third");
    fs::write(&file, format!("{}- name: web2{}", &text[..last], &text[last + "- name: web".len()..])).expect("write");
    let a = org.cmd().arg("list").assert().code(1);
    let err = stderr(&a);
    assert!(err.contains("aggregate-prefix-clash"), "{err}");
    assert!(err.contains("`web`") && err.contains("`web2`") && err.contains("`WEB`"), "{err}");
    let list = org.json(&["list"], 1);
    assert_eq!(list["findings"][0]["code"], "aggregate-prefix-clash");
    let out = org.sandbox.work().join("site");
    let render = org.cmd().arg("render").arg(&out).assert().code(1);
    assert!(stderr(&render).contains("not rendered"), "{}", stderr(&render));
    assert!(!out.exists(), "nothing rendered");

    // A name given twice is a problem of the file, pointing at it.
    fs::write(&file, text.replace("- name: api", "- name: web")).expect("write");
    let a = org.cmd().arg("list").assert().code(1);
    assert!(stderr(&a).contains("aggregate-invalid") && stderr(&a).contains("aggregate.yaml"), "{}", stderr(&a));
}

/// The vendored aggregator schema (tests/fixtures/csaf/README.md), its references to the
/// provider schema served from the shared copy.
fn aggregator_validator() -> jsonschema::Validator {
    struct Local(HashMap<String, Value>);
    impl jsonschema::Retrieve for Local {
        fn retrieve(&self, uri: &jsonschema::Uri<String>) -> Result<Value, Box<dyn std::error::Error + Send + Sync>> {
            let key = uri.as_str().split(['?', '#']).next().unwrap_or_default();
            self.0.get(key).cloned().ok_or_else(|| format!("no local copy of {uri}").into())
        }
    }
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/csaf/aggregator_json_schema.json");
    let schema: Value = serde_json::from_str(&fs::read_to_string(fixture).expect("schema")).expect("JSON");
    let mut local = HashMap::new();
    for (url, file) in [
        ("https://docs.oasis-open.org/csaf/csaf/v2.0/provider_json_schema.json", "csaf-2.0-provider.schema.json"),
        ("https://docs.oasis-open.org/csaf/csaf/v2.0/csaf_json_schema.json", "csaf-2.0.schema.json"),
        ("https://www.first.org/cvss/cvss-v2.0.json", "cvss-v2.0.json"),
        ("https://www.first.org/cvss/cvss-v3.0.json", "cvss-v3.0.json"),
        ("https://www.first.org/cvss/cvss-v3.1.json", "cvss-v3.1.json"),
    ] {
        local.insert(url.to_owned(), shared_schema(file));
    }
    jsonschema::options().should_validate_formats(true).with_retriever(Local(local)).build(&schema).expect("compiles")
}

#[test]
fn render_combines_exactly_each_repositorys_public_advisories() {
    let org = Org::new(&["WEB", "API", "APP"]);
    let before = org.snapshot();
    let out = org.sandbox.work().join("site");
    org.cmd().arg("render").arg(&out).assert().success();
    let public = ["API-2026-0001", "APP-2026-0001", "WEB-2026-0001"];
    for (name, _) in &org.members {
        let id = format!("{}-2026-0001", name.to_uppercase());
        assert!(out.join(name).join(format!("advisories/{id}.html")).is_file(), "{name}'s advisory");
        let pages: Vec<String> = fs::read_dir(out.join(name).join("advisories"))
            .expect("advisories")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(pages.len(), 2, "{name}: exactly its one public advisory (html, md): {pages:?}");
    }
    for (path, bytes) in all_files(&out) {
        let text = String::from_utf8_lossy(&bytes);
        assert!(!text.contains(MARKER), "{} holds an unpublished report", path.display());
        assert!(
            !text.contains("-2026-0002") && !text.contains("-2026-0003"),
            "{} names an unpublished id",
            path.display()
        );
    }
    let index = fs::read_to_string(out.join("index.html")).expect("index");
    for id in public {
        assert!(index.contains(&format!("{}/advisories/{id}.html", id[..3].to_lowercase())), "{id} in the index");
    }
    let all: Value =
        serde_json::from_str(&fs::read_to_string(out.join("osv/all.json")).expect("all.json")).expect("JSON");
    let osv: Vec<&str> = all.as_array().expect("list").iter().map(|r| r["id"].as_str().expect("id")).collect();
    assert_eq!(osv, public.map(|id| format!("x_{id}")), "one all.json over every repository");
    for id in &osv {
        assert!(out.join(format!("osv/{id}.json")).is_file(), "the record all.json lists is beside it");
    }
    let aggregator: Value =
        serde_json::from_str(&fs::read_to_string(out.join("aggregator.json")).expect("aggregator.json")).expect("JSON");
    let errors: Vec<String> =
        aggregator_validator().iter_errors(&aggregator).map(|e| format!("{e} at {}", e.instance_path())).collect();
    assert!(errors.is_empty(), "aggregator.json invalid: {errors:#?}");
    assert_eq!(aggregator["aggregator"]["category"], "lister");
    assert_eq!(aggregator["canonical_url"], "https://security.acme.test/all/aggregator.json");
    let urls: Vec<&str> = aggregator["csaf_providers"]
        .as_array()
        .expect("providers")
        .iter()
        .map(|p| p["metadata"]["url"].as_str().expect("url"))
        .collect();
    assert_eq!(
        urls,
        ["web", "api", "app"].map(|n| format!("https://{n}.acme.test/csaf/provider-metadata.json")),
        "each member's own provider metadata"
    );
    // Rendering again changes nothing; a member is never written, nor rendered into.
    org.cmd().arg("render").arg(&out).assert().success();
    assert_eq!(org.snapshot(), before, "no member was written");
    let inside = org.members[0].1.root().join("site");
    let a = org.cmd().arg("render").arg(&inside).assert().code(2);
    assert!(stderr(&a).contains("never writes into one"), "{}", stderr(&a));
    assert!(!inside.exists());
}

#[test]
fn a_bare_clone_is_read_at_the_ref_named_and_a_wrong_path_or_ref_is_a_usage_error() {
    let web = member("WEB", "web.acme.test");
    let sandbox = Sandbox::new();
    let bare = sandbox.tmp.path().join("web.git");
    let cloned = std::process::Command::new("git").arg("clone").arg("--bare").arg(web.root()).arg(&bare).output();
    assert!(cloned.expect("git runs").status.success(), "git clone --bare");
    let file = sandbox.work().join("aggregate.yaml");
    let write = |rev: &str, path: &Path| {
        let text = format!("repositories:\n  - name: web\n    path: {}\n    ref: {rev}\n", path.display());
        fs::write(&file, text).expect("aggregate file");
    };
    let list = |code: i32| {
        let a = sandbox.cmd_in(&sandbox.work()).args(["aggregate", "list", "--format", "json"]).assert().code(code);
        (serde_json::from_str::<Value>(&stdout(&a)).ok(), stderr(&a))
    };
    write("HEAD", &bare);
    let (out, _) = list(0);
    assert_eq!(ids(&out.expect("json"), "reports").len(), 2, "the bare clone's HEAD");
    // One commit back: before `new` filed the second report.
    write("HEAD~1", &bare);
    let out = list(0).0.expect("json");
    assert_eq!(ids(&out, "reports"), [("web".to_owned(), "WEB-2026-0001".to_owned())]);
    assert_eq!(out["repositories"][0]["ref"], "HEAD~1");
    write("no-such-branch", &bare);
    let (_, err) = list(2);
    assert!(err.contains("cannot resolve `no-such-branch`"), "{err}");
    write("HEAD", &sandbox.tmp.path().join("nowhere"));
    let (_, err) = list(2);
    assert!(err.contains("is not a git repository"), "{err}");
}
