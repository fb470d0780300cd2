//! The crate's rooms keep to what they claim (`src/lib.rs`): each claim is checked here on the
//! source text, so a change that breaks one fails CI instead of slowly blurring the layout.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

/// The top-level modules of the library, as `src/<name>.rs` (+ `src/<name>/`).
const ROOMS: &[&str] = &["error", "format", "layout", "publish", "query", "rules", "store", "workflow"];

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// Every `.rs` file under `dir`, with its path relative to `src/`.
fn rust_files(dir: &Path, out: &mut Vec<(String, String)>) {
    let mut entries: Vec<_> = fs::read_dir(dir).expect("read src").map(|e| e.expect("entry").path()).collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            let rel = path.strip_prefix(src()).expect("under src").to_string_lossy().replace('\\', "/");
            out.push((rel, fs::read_to_string(&path).expect("read")));
        }
    }
}

/// The code of a file: comment lines dropped, and the unit tests (`#[cfg(test)]` to the end,
/// where every file of this crate keeps them) cut off.
fn code(text: &str) -> String {
    let text = text.split("#[cfg(test)]").next().unwrap_or_default();
    text.lines().filter(|l| !l.trim_start().starts_with("//")).collect::<Vec<_>>().join("\n")
}

fn files() -> Vec<(String, String)> {
    let mut out = Vec::new();
    rust_files(&src(), &mut out);
    assert!(out.len() > 40, "found only {} files under src/", out.len());
    out
}

/// The room a file belongs to: `rules/checks/state.rs` → `rules`; `main.rs`, `cli/…` → `cli`.
fn room(rel: &str) -> &str {
    let first = rel.split('/').next().unwrap_or_default();
    let name = first.strip_suffix(".rs").unwrap_or(first);
    if name == "main" { "cli" } else { name }
}

/// Files (outside `allowed` rooms) whose code matches `needle`.
fn offenders(allowed: &[&str], matches: impl Fn(&str) -> bool) -> Vec<String> {
    files()
        .into_iter()
        .filter(|(rel, _)| !allowed.contains(&room(rel)))
        .filter(|(_, text)| matches(&code(text)))
        .map(|(rel, _)| rel)
        .collect()
}

#[test]
fn git2_is_called_only_from_store() {
    // Comments too: nothing outside store talks about git2 handles.
    let hits: Vec<String> =
        files().into_iter().filter(|(rel, t)| room(rel) != "store" && t.contains("git2")).map(|(r, _)| r).collect();
    assert_eq!(hits, Vec::<String>::new(), "git2 outside src/store/");
}

#[test]
fn clap_and_prompts_live_in_the_cli() {
    let hits = offenders(&["cli"], |c| c.contains("clap") || c.contains("dialoguer"));
    assert_eq!(hits, Vec::<String>::new(), "clap or dialoguer outside src/cli/");
}

#[test]
fn the_core_names_fields_not_flags() {
    // A flag spelling is `--` and a lower-case letter (`--title`), or `-C DIR`; core messages
    // name the field (`{title}`) and the CLI says how to set it.
    let flag = regex::Regex::new(r"(^|[^-\w])--[a-z][a-z-]*|-C DIR").expect("regex");
    let hits: Vec<String> = files()
        .into_iter()
        .filter(|(rel, _)| room(rel) != "cli")
        .flat_map(|(rel, text)| {
            code(&text).lines().filter(|l| flag.is_match(l)).map(|l| format!("{rel}: {}", l.trim())).collect::<Vec<_>>()
        })
        .collect();
    assert_eq!(hits, Vec::<String>::new(), "flag spellings outside src/cli/");
}

#[test]
fn templates_and_html_sanitising_live_in_publish() {
    let hits = offenders(&["publish"], |c| c.contains("minijinja") || c.contains("ammonia"));
    assert_eq!(hits, Vec::<String>::new(), "minijinja or ammonia outside src/publish/");
}

#[test]
fn publish_never_holds_a_repository() {
    let repo = regex::Regex::new(r"\bRepo\b|store::repo\b").expect("regex");
    let hits: Vec<String> = files()
        .into_iter()
        .filter(|(rel, t)| room(rel) == "publish" && repo.is_match(&code(t)))
        .map(|(r, _)| r)
        .collect();
    assert_eq!(hits, Vec::<String>::new(), "publish/ uses the repository handle");
}

/// Which rooms each room's code names (`crate::<room>`).
fn uses() -> BTreeMap<String, BTreeSet<String>> {
    let path = regex::Regex::new(r"crate::([a-z_]+)").expect("regex");
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (rel, text) in files() {
        let from = room(&rel).to_owned();
        if !ROOMS.contains(&from.as_str()) {
            continue;
        }
        for cap in path.captures_iter(&code(&text)) {
            let to = cap[1].to_owned();
            if to != from && ROOMS.contains(&to.as_str()) {
                graph.entry(from.clone()).or_default().insert(to);
            }
        }
    }
    graph
}

#[test]
fn format_depends_on_no_other_room() {
    let graph = uses();
    let format: Vec<&String> = graph.get("format").map(|s| s.iter().collect()).unwrap_or_default();
    let allowed = ["error", "layout"];
    let bad: Vec<&&String> = format.iter().filter(|r| !allowed.contains(&r.as_str())).collect();
    assert!(bad.is_empty(), "src/format/ imports {bad:?}");
}

#[test]
fn rooms_import_each_other_without_a_cycle() {
    let graph = uses();
    // Depth-first search; a room met again on the current path closes a cycle.
    fn visit<'g>(
        room: &'g str,
        graph: &'g BTreeMap<String, BTreeSet<String>>,
        path: &mut Vec<&'g str>,
        done: &mut BTreeSet<&'g str>,
    ) -> Option<Vec<String>> {
        if let Some(at) = path.iter().position(|r| *r == room) {
            let mut cycle: Vec<String> = path[at..].iter().map(|r| (*r).to_owned()).collect();
            cycle.push(room.to_owned());
            return Some(cycle);
        }
        if !done.insert(room) {
            return None;
        }
        path.push(room);
        for next in graph.get(room).into_iter().flatten() {
            if let Some(c) = visit(next, graph, path, done) {
                return Some(c);
            }
        }
        path.pop();
        None
    }
    let mut done = BTreeSet::new();
    for room in ROOMS {
        if let Some(cycle) = visit(room, &graph, &mut Vec::new(), &mut done) {
            panic!("import cycle between rooms: {}", cycle.join(" -> "));
        }
    }
    // The check sees real edges (a regex that matched nothing would pass vacuously).
    assert!(graph.get("workflow").is_some_and(|s| s.contains("store")), "{graph:?}");
}

#[test]
fn the_checks_see_what_they_claim_to() {
    // Self-test of the helpers: a flag in core code, a comment and a test module.
    let text = "fn a() { x(\"use --force\"); }\n// --title in a comment\n#[cfg(test)]\nmod tests { \"--x\" }";
    assert_eq!(code(text), "fn a() { x(\"use --force\"); }");
    assert_eq!(room("rules/checks/state.rs"), "rules");
    assert_eq!(room("main.rs"), "cli");
    assert_eq!(room("layout.rs"), "layout");
}
