//! Sealed reports (issue 17), end to end through the binary: a clone without a key holds
//! nothing private, not in any object; publication puts exactly the public parts in clear;
//! every command works from the clear part without a key and from the plaintext with one.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command as Process;
use std::sync::OnceLock;

use crate::util::{Sandbox, TODAY, built_once};

/// The states the fixture holds one report in, and the steps that lead there.
const STATES: &[(&str, &[&str])] = &[
    ("received", &[]),
    ("needs-info", &["needs-info"]),
    ("triaged", &["triaged"]),
    ("confirmed", &["triaged", "confirmed"]),
    ("remediating", &["triaged", "confirmed", "remediating"]),
    ("fixed", &["triaged", "confirmed", "remediating", "fixed"]),
    ("published", &["triaged", "confirmed", "remediating", "fixed", "published"]),
    ("withdrawn", &["triaged", "confirmed", "remediating", "fixed", "published", "withdrawn"]),
    ("rejected", &["rejected"]),
];

/// A marker planted in one field or section of report `n`: unique, and never produced by
/// base64 by chance.
fn marker(n: usize, what: &str) -> String {
    format!("QZX{n}{}", what.to_uppercase())
}

/// The markers of report `n` that stay sealed for good (private even once published).
/// (Timeline authors are the committers' names, which git records in clear in every commit:
/// docs/security.md says so.)
const PRIVATE: &[&str] = &["contact", "assignee", "note", "reason", "reproduction", "context"];
/// The markers of report `n` that are private until it is published, public after.
/// (`analyst` is a typed `credits` entry: private until published like the rest.)
const PUBLIC: &[&str] =
    &["title", "reporter", "credit", "analyst", "mitigation", "reference", "summary", "impact", "remediation"];

/// The full plaintext of report `n` (ENIGM-2026-000n), as `edit` saves it.
fn plaintext(n: usize) -> String {
    let m = |w: &str| marker(n, w);
    format!(
        "---\nid: ENIGM-2026-{n:04}\ntitle: {title}\nstate: received\nreported: {TODAY}\nreporter:\n  name: {reporter}\n  \
         contact: {contact}@example.test\n  credit: {credit}\ncredits:\n  - name: {analyst}\n    type: analyst\nproducts:\n  - name: web\n    affected: \"< 2.4.1\"\n    \
         fixed: \"2.4.1\"\nseverity:\n  cvss: CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:N\ncwe: [CWE-79]\naliases: []\n\
         references:\n  - url: https://example.test/{reference}\nassignee: {assignee}\nmitigation: {mitigation}\n\
         timeline:\n  - date: {TODAY}\n    state: received\n    by: Test Lead\n---\n\n## Summary\n\n{summary} text.\n\n\
         ## Impact\n\n{impact} text.\n\n## Reproduction\n\n{reproduction} text.\n\n## Context\n\n{context} text.\n\n\
         ## Remediation\n\n{remediation} text.\n",
        title = m("title"),
        reporter = m("reporter"),
        contact = m("contact"),
        credit = m("credit"),
        analyst = m("analyst"),
        reference = m("reference"),
        assignee = m("assignee"),
        mitigation = m("mitigation"),
        summary = m("summary"),
        impact = m("impact"),
        reproduction = m("reproduction"),
        context = m("context"),
        remediation = m("remediation"),
    )
}

/// The identity file `init --sealed` creates in the sandbox's HOME.
fn identity_file(sandbox: &Sandbox) -> PathBuf {
    sandbox.home().join(".config/enigm/identity.txt")
}

/// A sealed repository with one report in every state, built through the binary only
/// (`init --sealed`, `new`, `edit`, `advance`), once per test process.
fn fixture() -> &'static Path {
    static BUILT: OnceLock<PathBuf> = OnceLock::new();
    built_once(&BUILT, "sealed", |sandbox| {
        let root = sandbox.work();
        let run = |args: &[&str]| {
            let out = sandbox.cmd_in(&root).args(args).output().expect("runs");
            assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
        };
        let init = sandbox
            .cmd_in(&root)
            .args(["init", ".", "--sealed", "--product", "web", "--contact", "security@acme.test"])
            .output()
            .expect("init");
        assert!(init.status.success(), "{}", String::from_utf8_lossy(&init.stderr));
        assert!(String::from_utf8_lossy(&init.stdout).contains("Created your identity at"));
        assert!(identity_file(sandbox).is_file());
        for (i, (_, steps)) in STATES.iter().enumerate() {
            let n = i + 1;
            run(&["new", "--title", "placeholder", "--product", "web", "--reporter-name", "placeholder"]);
            let draft = sandbox.tmp.path().join(format!("draft-{n}.md"));
            fs::write(&draft, plaintext(n)).expect("draft");
            let editor = format!("cp {}", draft.display());
            let out =
                sandbox.cmd_in(&root).env("EDITOR", editor).args(["edit", &n.to_string()]).output().expect("edit");
            assert!(out.status.success(), "edit {n}: {}", String::from_utf8_lossy(&out.stderr));
            for step in *steps {
                let note = format!("{} step {step}", marker(n, "note"));
                let mut args = vec!["advance".to_owned(), n.to_string(), (*step).to_owned(), "--note".into(), note];
                match *step {
                    "rejected" => args.extend(["--resolution".into(), "not-a-vulnerability".into()]),
                    "withdrawn" => args.extend(["--reason".into(), marker(n, "reason")]),
                    _ => {}
                }
                let args: Vec<&str> = args.iter().map(String::as_str).collect();
                run(&args);
            }
        }
    })
}

/// Every object of the git repository at `dir`, decompressed, as one byte string.
fn all_objects(dir: &Path) -> Vec<u8> {
    let out = Process::new("git")
        .current_dir(dir)
        .args(["cat-file", "--batch-all-objects", "--batch"])
        .output()
        .expect("git cat-file");
    assert!(out.status.success());
    out.stdout
}

fn git(dir: &Path, args: &[&str]) {
    let out = Process::new("git").current_dir(dir).args(args).output().expect("git");
    assert!(out.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&out.stderr));
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle.as_bytes())
}

/// A clone of the fixture, packed (`git gc`), in a fresh sandbox whose HOME has no key.
fn keyless_clone() -> (Sandbox, PathBuf) {
    let sandbox = Sandbox::new();
    let clone = sandbox.tmp.path().join("clone");
    let out = Process::new("git")
        .args(["clone", "--quiet", "--no-local"])
        .arg(fixture().join("work"))
        .arg(&clone)
        .output()
        .expect("git clone");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    git(&clone, &["gc", "--quiet", "--aggressive"]);
    (sandbox, clone)
}

#[test]
fn a_clone_without_a_key_holds_no_private_marker_in_any_object() {
    let (sandbox, clone) = keyless_clone();
    let objects = all_objects(&clone);
    assert!(objects.len() > 10_000, "the clone has its objects ({} bytes)", objects.len());
    let mut hits = Vec::new();
    for (i, (state, _)) in STATES.iter().enumerate() {
        let n = i + 1;
        let public_now = matches!(*state, "published" | "withdrawn");
        for what in PRIVATE.iter().chain(if public_now { &[][..] } else { PUBLIC }) {
            if contains(&objects, &marker(n, what)) {
                hits.push(format!("{state}: {what}"));
            }
        }
    }
    assert_eq!(hits, Vec::<String>::new(), "private markers found in the clone's objects");
    // Not even the private CVSS vector of an unpublished report: only published ones show it.
    let in_work_tree: String = fs::read_to_string(clone.join("reports/ENIGM-2026-0006.md")).expect("fixed report");
    assert!(!in_work_tree.contains("CVSS:3.1"), "{in_work_tree}");
    assert!(in_work_tree.contains("state: fixed") && in_work_tree.contains("-----BEGIN AGE ENCRYPTED FILE-----"));
    // Without a key the clone still validates (from the clear part) and lists its reports.
    let out = sandbox.cmd_in(&clone).arg("validate").output().expect("validate");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(stderr.contains("9 sealed reports checked without a key"), "{stderr}");
    assert!(stderr.contains("need one: state requirements"), "{stderr}");
    let list = sandbox.cmd_in(&clone).args(["list", "--state", "fixed"]).output().expect("list");
    let list = String::from_utf8_lossy(&list.stdout);
    assert!(list.contains("ENIGM-2026-0006") && list.contains("(sealed)"), "{list}");
}

#[test]
fn publication_puts_exactly_the_public_parts_in_clear() {
    let (sandbox, clone) = keyless_clone();
    let objects = all_objects(&clone);
    for (i, (state, _)) in STATES.iter().enumerate() {
        let n = i + 1;
        if !matches!(*state, "published" | "withdrawn") {
            continue;
        }
        for what in PUBLIC {
            assert!(contains(&objects, &marker(n, what)), "{state}: public {what} is in clear");
        }
        let file = fs::read_to_string(clone.join(format!("reports/ENIGM-2026-{n:04}.md"))).expect("file");
        for what in PRIVATE {
            assert!(!file.contains(&marker(n, what)), "{state}: private {what} stays sealed");
        }
    }
    // `render` needs no key: the public site holds the public parts of the public reports.
    let site = sandbox.tmp.path().join("site");
    let out = sandbox.cmd_in(&clone).args(["render", "--out"]).arg(&site).output().expect("render");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let page = fs::read_to_string(site.join("advisories/ENIGM-2026-0007.html")).expect("advisory page");
    for what in ["title", "summary", "impact", "remediation", "mitigation", "credit", "analyst"] {
        assert!(page.contains(&marker(7, what)), "the page shows the {what}");
    }
    // The acknowledgements thank the published report's credits, and nobody else's.
    let thanks = fs::read_to_string(site.join("thanks.html")).expect("acknowledgements page");
    assert!(thanks.contains(&marker(7, "analyst")) && thanks.contains(&marker(7, "credit")), "{thanks}");
    for (i, (state, _)) in STATES.iter().enumerate().filter(|(_, (s, _))| *s != "published") {
        for what in PUBLIC.iter().chain(PRIVATE) {
            assert!(!thanks.contains(&marker(i + 1, what)), "{state}: {what} is not thanked");
        }
    }
    for what in PRIVATE {
        assert!(!page.contains(&marker(7, what)), "the page never shows the {what}");
    }
    // A draft of an unpublished report previews its private text: without a key it is refused
    // (exit 2), not rendered as a "(sealed)" placeholder page; a published one still renders.
    let out = sandbox.cmd_in(&clone).args(["render", "3", "--draft"]).output().expect("draft");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("sealed") && stderr.contains("needs a key") && out.stdout.is_empty(), "{stderr}");
    let out = sandbox.cmd_in(&clone).args(["render", "7", "--draft"]).output().expect("draft");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
}

#[test]
fn with_the_key_every_command_reads_the_plaintext() {
    let sandbox = Sandbox::copy_of(fixture());
    crate::util::refresh_index(&sandbox.work());
    let root = sandbox.work();
    let show = sandbox.cmd_in(&root).args(["show", "3"]).output().expect("show");
    let text = String::from_utf8_lossy(&show.stdout);
    assert!(show.status.success(), "{}", String::from_utf8_lossy(&show.stderr));
    assert!(text.contains(&marker(3, "title")) && text.contains(&marker(3, "reproduction")), "{text}");
    let out = sandbox.cmd_in(&root).arg("validate").output().expect("validate");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(!stderr.contains("without a key"), "{stderr}");
    // Without the key, `show` says what is withheld instead of printing the block.
    let keyless = sandbox.tmp.path().join("elsewhere");
    fs::create_dir_all(&keyless).expect("dir");
    let show = sandbox
        .cmd_in(&root)
        .env("HOME", &keyless)
        .env("XDG_CONFIG_HOME", &keyless)
        .args(["show", "3"])
        .output()
        .expect("show");
    let text = String::from_utf8_lossy(&show.stdout);
    assert!(show.status.success());
    assert!(text.contains("ENIGM-2026-0003  (sealed)") && text.contains("sealed and was not opened"), "{text}");
    assert!(!text.contains("BEGIN AGE"), "{text}");
}

#[test]
fn a_wrong_key_a_damaged_block_and_a_changed_recipient_are_findings_and_nothing_is_written() {
    let sandbox = Sandbox::copy_of(fixture());
    crate::util::refresh_index(&sandbox.work());
    let root = sandbox.work();
    let path = root.join("reports/ENIGM-2026-0003.md");
    let before = fs::read(&path).expect("read");
    // Another identity: not a recipient; `advance` refuses, validate checks the clear part.
    let other_key = generate_identity(&sandbox);
    let out = sandbox
        .cmd_in(&root)
        .env("ENIGM_IDENTITY_FILE", &other_key)
        .args(["advance", "3", "confirmed"])
        .output()
        .expect("advance");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("none of your keys") && stderr.contains("rekey"), "{stderr}");
    assert_eq!(fs::read(&path).expect("read"), before, "nothing written");
    // A truncated block: a `seal-unreadable` finding with or without a key, never a panic.
    let text = String::from_utf8(before.clone()).expect("utf8");
    let cut = &text[..text.len() - 80];
    fs::write(&path, cut).expect("write");
    for key in [Some(identity_file(&sandbox)), None] {
        let mut cmd = sandbox.cmd_in(&root);
        if key.is_none() {
            cmd.env("HOME", sandbox.tmp.path()).env("XDG_CONFIG_HOME", sandbox.tmp.path());
        }
        let out = cmd.args(["validate", "--format", "json"]).output().expect("validate");
        let json = String::from_utf8_lossy(&out.stdout);
        assert_eq!(out.status.code(), Some(1), "{json}");
        assert!(json.contains("seal-unreadable"), "{json}");
    }
    // A flipped character inside the payload: altered, with the key.
    let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
    let target = lines.len() - 3;
    let flipped: String = lines[target].chars().rev().collect();
    lines[target] = flipped;
    fs::write(&path, lines.join("\n") + "\n").expect("write");
    let out = sandbox.cmd_in(&root).args(["validate", "--format", "json"]).output().expect("validate");
    let json = String::from_utf8_lossy(&out.stdout);
    assert!(json.contains("seal-unreadable"), "{json}");
    // `show` still shows the clear part, but a damaged file is a finding: exit 1, said on stderr.
    let out = sandbox.cmd_in(&root).args(["show", "3"]).output().expect("show");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("altered") && stderr.contains("seal-unreadable"), "{stderr}");
    assert!(String::from_utf8_lossy(&out.stdout).contains("ENIGM-2026-0003"), "the clear part is shown");
    fs::write(&path, &before).expect("restore");
    // A recipient added in enigm.yaml: every seal misses it until `rekey`.
    let config = fs::read_to_string(root.join("enigm.yaml")).expect("config");
    let new_recipient = public_key_of(&other_key);
    let config = config.replacen("  recipients:\n", &format!("  recipients:\n    - {new_recipient}\n"), 1);
    fs::write(root.join("enigm.yaml"), config).expect("config");
    let out = sandbox.cmd_in(&root).args(["validate", "--format", "json"]).output().expect("validate");
    let json = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(json.matches("\"seal-recipients\"").count(), 9, "{json}");
}

/// A new age identity file in the sandbox (made by `init --sealed` in a scratch repository).
fn generate_identity(sandbox: &Sandbox) -> PathBuf {
    let home = sandbox.tmp.path().join("other-home");
    let scratch = sandbox.tmp.path().join("scratch");
    fs::create_dir_all(&home).expect("home");
    let out = sandbox
        .cmd_in(sandbox.tmp.path())
        .env("HOME", &home)
        .env("XDG_CONFIG_HOME", home.join(".config"))
        .args(["init", "--sealed", "--no-commit", "--no-hook"])
        .arg(&scratch)
        .output()
        .expect("init");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    home.join(".config/enigm/identity.txt")
}

fn public_key_of(identity: &Path) -> String {
    let text = fs::read_to_string(identity).expect("identity");
    text.lines().find_map(|l| l.strip_prefix("# public key: ")).expect("public key comment").to_owned()
}

/// The fixture, copied for a test that changes it, with the key in its HOME.
fn writable_copy() -> (Sandbox, PathBuf) {
    let sandbox = Sandbox::copy_of(fixture());
    crate::util::refresh_index(&sandbox.work());
    let root = sandbox.work();
    (sandbox, root)
}

fn ok(cmd: &mut assert_cmd::Command) -> String {
    let out = cmd.output().expect("runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn head_message(root: &Path) -> String {
    let out = Process::new("git").current_dir(root).args(["log", "-1", "--format=%B"]).output().expect("git log");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn rekey_reseals_every_report_to_the_new_recipients_in_one_commit() {
    let (sandbox, root) = writable_copy();
    let other = generate_identity(&sandbox);
    let config = fs::read_to_string(root.join("enigm.yaml")).expect("config");
    let config = config.replacen("  recipients:\n", &format!("  recipients:\n    - {}\n", public_key_of(&other)), 1);
    fs::write(root.join("enigm.yaml"), config).expect("config");
    let before = fs::read_to_string(root.join("reports/ENIGM-2026-0002.md")).expect("report");
    let out = ok(sandbox.cmd_in(&root).arg("rekey"));
    assert!(out.contains("re-sealed reports/ENIGM-2026-0009.md"), "{out}");
    assert!(head_message(&root).starts_with("rekey: 9 reports sealed"), "{}", head_message(&root));
    let status = Process::new("git").current_dir(&root).args(["status", "--porcelain"]).output().expect("status");
    assert!(status.stdout.is_empty(), "enigm.yaml is committed with the new seals");
    let after = fs::read_to_string(root.join("reports/ENIGM-2026-0002.md")).expect("report");
    assert_ne!(before, after);
    assert!(after.contains(&public_key_of(&other)));
    // The new recipient opens every report; validate is clean with either key.
    ok(sandbox.cmd_in(&root).arg("validate"));
    let show = ok(sandbox.cmd_in(&root).env("ENIGM_IDENTITY_FILE", &other).args(["show", "2"]));
    assert!(show.contains(&marker(2, "reproduction")), "{show}");
    // `seal` leaves reports already sealed to the current recipients as they are.
    let out = ok(sandbox.cmd_in(&root).arg("seal"));
    assert!(out.contains("9 already sealed") && out.contains("Nothing to seal"), "{out}");
    assert_eq!(fs::read_to_string(root.join("reports/ENIGM-2026-0002.md")).expect("report"), after);
}

#[test]
fn seal_turns_a_plain_repository_sealed_in_one_commit_and_the_hook_refuses_clear_text() {
    let sandbox = Sandbox::new();
    let root = sandbox.work();
    ok(sandbox.cmd_in(&root).args(["init", ".", "--product", "web"]));
    ok(sandbox.cmd_in(&root).args(["new", "--title", "QZXPLAINTITLE", "--product", "web", "--reporter-name", "R"]));
    let identity = generate_identity(&sandbox);
    let config = fs::read_to_string(root.join("enigm.yaml")).expect("config")
        + &format!("sealing:\n  recipients:\n    - {}\n", public_key_of(&identity));
    fs::write(root.join("enigm.yaml"), config).expect("config");
    // The clear report is now a finding.
    let out = sandbox.cmd_in(&root).args(["validate", "--format", "json"]).output().expect("validate");
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).contains("not-sealed"));
    // `seal` seals it and commits the configuration with it, in one commit; the plaintext is
    // the file as it was, byte for byte.
    let plain = fs::read_to_string(root.join("reports/ENIGM-2026-0001.md")).expect("plain");
    let out = ok(sandbox.cmd_in(&root).env("ENIGM_IDENTITY_FILE", &identity).arg("seal"));
    assert!(out.contains("sealed reports/ENIGM-2026-0001.md"), "{out}");
    let paths = Process::new("git").current_dir(&root).args(["show", "--name-only", "--format=", "HEAD"]).output();
    assert_eq!(String::from_utf8_lossy(&paths.expect("git show").stdout), "enigm.yaml\nreports/ENIGM-2026-0001.md\n");
    let sealed = fs::read_to_string(root.join("reports/ENIGM-2026-0001.md")).expect("sealed");
    assert!(!sealed.contains("QZXPLAINTITLE") && sealed.contains("sealed:\n  format: 1\n"), "{sealed}");
    // The pre-commit hook refuses a report in clear text in the sealed repository.
    fs::write(root.join("reports/ENIGM-2026-0002.md"), plain.replace("ENIGM-2026-0001", "ENIGM-2026-0002"))
        .expect("copy");
    git(&root, &["add", "reports/ENIGM-2026-0002.md"]);
    let refused = Process::new("git")
        .current_dir(&root)
        .env("HOME", sandbox.home())
        .env("XDG_CONFIG_HOME", sandbox.home().join(".config"))
        .env("ENIGM_IDENTITY_FILE", &identity)
        .env("ENIGM_TODAY", TODAY)
        .args(["commit", "-q", "-m", "a clear report"])
        .output()
        .expect("git commit");
    let said = format!("{}{}", String::from_utf8_lossy(&refused.stdout), String::from_utf8_lossy(&refused.stderr));
    assert!(!refused.status.success() && said.contains("not-sealed"), "{said}");
    git(&root, &["rm", "-q", "--cached", "reports/ENIGM-2026-0002.md"]);
    fs::remove_file(root.join("reports/ENIGM-2026-0002.md")).expect("rm");
    let draft = sandbox.tmp.path().join("opened.md");
    let editor = format!("cp \"$1\" {}; true", draft.display());
    let out = ok(sandbox.cmd_in(&root).env("ENIGM_IDENTITY_FILE", &identity).env("EDITOR", editor).args(["edit", "1"]));
    assert!(out.contains("no change"), "{out}");
    assert_eq!(fs::read_to_string(&draft).expect("draft"), plain, "seal then open gives back the exact bytes");
    assert_eq!(fs::read_to_string(root.join("reports/ENIGM-2026-0001.md")).expect("same"), sealed, "no re-seal");
    ok(sandbox.cmd_in(&root).env("ENIGM_IDENTITY_FILE", &identity).arg("validate"));
}

#[test]
fn new_without_a_key_seals_and_renumber_and_history_work_on_sealed_reports() {
    let (sandbox, root) = writable_copy();
    let keyless = sandbox.tmp.path().join("keyless");
    fs::create_dir_all(&keyless).expect("dir");
    // An intake without any key: the report is sealed before it is written.
    let out = ok(sandbox.cmd_in(&root).env("XDG_CONFIG_HOME", &keyless).args([
        "new",
        "--title",
        "QZXINTAKE",
        "--product",
        "web",
        "--reporter-name",
        "QZXINTAKER",
    ]));
    assert!(out.contains("ENIGM-2026-0010"), "{out}");
    let file = fs::read_to_string(root.join("reports/ENIGM-2026-0010.md")).expect("new report");
    assert!(!file.contains("QZXINTAKE") && file.contains("-----BEGIN AGE ENCRYPTED FILE-----"), "{file}");
    assert!(head_message(&root).starts_with("ENIGM-2026-0010: received — (sealed)"), "{}", head_message(&root));
    // Without a key, changes that need the plaintext are refused and write nothing.
    let out = sandbox.cmd_in(&root).env("XDG_CONFIG_HOME", &keyless).args(["advance", "10", "triaged"]).output();
    let out = out.expect("advance");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no key"), "{}", String::from_utf8_lossy(&out.stderr));
    // A copy of a sealed report under another name: renumber opens, re-ids and re-seals it.
    fs::copy(root.join("reports/ENIGM-2026-0003.md"), root.join("reports/ENIGM-2026-0020.md")).expect("copy");
    let out = ok(sandbox.cmd_in(&root).args(["renumber", "ENIGM-2026-0003", "--keep", "reports/ENIGM-2026-0003.md"]));
    assert!(out.contains("as ENIGM-2026-0021"), "{out}");
    let moved = fs::read_to_string(root.join("reports/ENIGM-2026-0021.md")).expect("renumbered");
    assert!(moved.starts_with("---\nid: ENIGM-2026-0021\n") && !moved.contains(&marker(3, "title")), "{moved}");
    ok(sandbox.cmd_in(&root).arg("validate"));
    // History reads every version, with or without the key.
    let with = ok(sandbox.cmd_in(&root).args(["history", "6"]));
    assert!(with.contains("fixed"), "{with}");
    let without = ok(sandbox.cmd_in(&root).env("XDG_CONFIG_HOME", &keyless).args(["history", "6"]));
    assert!(without.contains("fixed") && !without.contains(&marker(6, "note")), "{without}");
}

#[test]
fn demo_sealed_prints_its_identity_and_both_sides_work() {
    let sandbox = Sandbox::new();
    let dir = sandbox.tmp.path().join("demo");
    let out = ok(sandbox.cmd_in(sandbox.tmp.path()).args(["demo", "--sealed"]).arg(&dir));
    let identity = dir.join(".git/enigm-demo-identity.txt");
    assert!(out.contains(&format!("sealed to the demo identity {}", identity.display())), "{out}");
    assert!(identity.is_file());
    let report = fs::read_to_string(dir.join("reports/DEMO-2026-0002.md")).expect("report");
    assert!(report.contains("-----BEGIN AGE ENCRYPTED FILE-----") && !report.contains("\ntitle:"), "{report}");
    let with = sandbox.cmd_in(&dir).env("ENIGM_IDENTITY_FILE", &identity).arg("validate").output().expect("validate");
    assert!(with.status.success() && !String::from_utf8_lossy(&with.stderr).contains("without a key"));
    let without = sandbox.cmd_in(&dir).arg("validate").output().expect("validate");
    assert!(without.status.success());
    assert!(String::from_utf8_lossy(&without.stderr).contains("13 sealed reports checked without a key"));
    assert!(dir.join("site/index.html").is_file(), "the public site is rendered");
}

#[test]
fn clear_titles_keep_titles_in_clear_for_list_and_due_without_a_key() {
    let sandbox = Sandbox::new();
    let root = sandbox.work();
    ok(sandbox.cmd_in(&root).args(["init", ".", "--sealed", "--clear-titles", "--product", "web"]));
    ok(sandbox.cmd_in(&root).args(["new", "--title", "Open redirect", "--product", "web", "--reporter-name", "QZXR"]));
    let file = fs::read_to_string(root.join("reports/ENIGM-2026-0001.md")).expect("report");
    assert!(file.contains("\ntitle: Open redirect\n") && !file.contains("QZXR"), "{file}");
    let keyless = sandbox.tmp.path().join("keyless");
    let list = ok(sandbox.cmd_in(&root).env("XDG_CONFIG_HOME", &keyless).arg("list"));
    assert!(list.contains("Open redirect"), "{list}");
    let due = ok(sandbox.cmd_in(&root).env("XDG_CONFIG_HOME", &keyless).args(["due", "--show-titles"]));
    assert!(due.contains("Open redirect"), "{due}");
    ok(sandbox.cmd_in(&root).env("XDG_CONFIG_HOME", &keyless).arg("validate"));
    // `new --edit` would open the sealed file: refused, pointing at `edit`.
    let out =
        sandbox.cmd_in(&root).env("EDITOR", "true").args(["new", "--edit", "--title", "T"]).output().expect("new");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("enigm-disclose edit ID"));
}

#[test]
fn a_refused_edit_is_drawn_against_the_plaintext_and_kept_inside_git() {
    let (sandbox, root) = writable_copy();
    let before = fs::read(root.join("reports/ENIGM-2026-0003.md")).expect("report");
    // Rewriting a committed timeline entry: the pre-commit hook refuses the commit.
    let editor = "sed -i 's/by: Test Lead/by: Someone Else/'";
    let out = sandbox.cmd_in(&root).env("EDITOR", editor).args(["edit", "3"]).output().expect("edit");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("timeline-rewritten") && stderr.contains("kept at"), "{stderr}");
    let base64_line = |l: &str| {
        let t = l.rsplit('│').next().unwrap_or_default().trim();
        t.len() == 64 && t.chars().all(|c| c.is_ascii_alphanumeric() || c == '+' || c == '/')
    };
    assert!(!stderr.lines().any(base64_line), "the diagnostic draws plaintext lines:\n{stderr}");
    assert_eq!(fs::read(root.join("reports/ENIGM-2026-0003.md")).expect("report"), before, "nothing written");
}

/// Regression: an `ENIGM_IDENTITY_FILE` that names no file was refused with "a damaged seal
/// cannot be opened, restore the file from history" (the seal was fine) and the reason three
/// times over. The help names the variable to fix; the reason is said once.
#[test]
fn a_missing_identity_file_is_refused_with_help_about_the_key_not_the_seal() {
    let (sandbox, root) = writable_copy();
    let before = fs::read(root.join("reports/ENIGM-2026-0003.md")).expect("read");
    let missing = sandbox.tmp.path().join("no-such-identity.txt");
    let out = sandbox
        .cmd_in(&root)
        .env("ENIGM_IDENTITY_FILE", &missing)
        .args(["advance", "3", "confirmed"])
        .output()
        .expect("advance");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("ENIGM_IDENTITY_FILE=") && stderr.contains("fix ENIGM_IDENTITY"), "{stderr}");
    assert!(!stderr.contains("damaged") && !stderr.contains("git checkout"), "{stderr}");
    assert_eq!(stderr.matches("No such file").count(), 1, "{stderr}");
    assert_eq!(fs::read(root.join("reports/ENIGM-2026-0003.md")).expect("read"), before, "nothing written");
}

/// Regression: after an add/add conflict, the history of the sealed report `renumber` renamed
/// began at the merge commit: `renumber` re-seals, so the block differs and the rename was not
/// recognised. Sealed files are compared by their clear parts; the filing commit is kept.
#[test]
fn a_sealed_report_renumbered_after_an_add_add_conflict_keeps_its_filing_commit() {
    let (sandbox, root) = writable_copy();
    let other = sandbox.tmp.path().join("colleague");
    let git = |dir: &Path, args: &[&str]| {
        let out = Process::new("git")
            .current_dir(dir)
            .args(args)
            .env("HOME", sandbox.home())
            .env("XDG_CONFIG_HOME", sandbox.home().join(".config"))
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .output()
            .expect("git");
        (out.status.success(), String::from_utf8_lossy(&out.stdout).trim().to_owned())
    };
    let new = |dir: &Path, title: &str| {
        ok(sandbox.cmd_in(dir).args(["new", "--title", title, "--product", "web", "--reporter-name", "R"]))
    };
    // A colleague's clone files 0010; so does this repository, which then pulls it.
    assert!(git(sandbox.tmp.path(), &["clone", "-q", root.to_str().expect("utf8"), "colleague"]).0);
    new(&other, "the colleague's report");
    let side_filing = git(&other, &["rev-parse", "HEAD"]).1;
    new(&root, "our report");
    assert!(!git(&root, &["pull", "-q", "--no-rebase", other.to_str().expect("utf8"), "main"]).0, "add/add conflict");
    let out = ok(sandbox.cmd_in(&root).args(["renumber", "ENIGM-2026-0010", "--keep", "ours"]));
    assert!(out.contains("as ENIGM-2026-0011"), "{out}");
    assert!(git(&root, &["commit", "-q", "--no-edit"]).0);
    let out = ok(sandbox.cmd_in(&root).args(["history", "11", "--format", "json"]));
    let h: serde_json::Value = serde_json::from_str(&out).expect("json");
    let entries = h["entries"].as_array().expect("entries");
    let kinds: Vec<&str> = entries.iter().filter_map(|e| e["kind"].as_str()).collect();
    assert_eq!(kinds, ["filing", "rename"], "{h}");
    assert_eq!(entries[0]["commit"], side_filing.as_str(), "{h}");
    assert_eq!(entries[1]["note"], "renamed from reports/ENIGM-2026-0010.md", "{h}");
}

/// Regression: an editor that failed before saving anything (`EDITOR=false`) left the sealed
/// report's whole plaintext in `.git/enigm-edit-*.md`. Only text the user changed is kept.
#[test]
fn a_failed_editor_leaves_no_plaintext_copy_unless_the_text_was_changed() {
    let (sandbox, root) = writable_copy();
    let drafts = || -> Vec<PathBuf> {
        let entries = fs::read_dir(root.join(".git")).expect("git dir");
        entries.map(|e| e.expect("entry").path()).filter(|p| p.to_string_lossy().contains("enigm-edit-")).collect()
    };
    let out = sandbox.cmd_in(&root).env("EDITOR", "false").args(["edit", "3"]).output().expect("edit");
    assert_eq!(out.status.code(), Some(2));
    assert!(!String::from_utf8_lossy(&out.stderr).contains("kept at"), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(drafts(), Vec::<PathBuf>::new(), "no plaintext copy of an unchanged report");
    let editor = "sh -c 'echo QZXCHANGED >> \"$0\"; exit 1'";
    let out = sandbox.cmd_in(&root).env("EDITOR", editor).args(["edit", "3"]).output().expect("edit");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("kept at"), "{}", String::from_utf8_lossy(&out.stderr));
    let kept = drafts();
    assert_eq!(kept.len(), 1, "the changed text is kept");
    assert!(fs::read_to_string(&kept[0]).expect("draft").contains("QZXCHANGED"));
}
