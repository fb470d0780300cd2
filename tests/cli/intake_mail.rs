//! `import` of e-mail (issue 18), end to end through the binary on real repositories: real-world
//! shaped messages (tests/fixtures/mail/) become reports that `validate` accepts, a re-import
//! is a no-op, a reply chain is one report with follow-ups, secrets reach no git object, and
//! hostile mail gives a clear refusal or a safe result, never a panic or a file outside the
//! report's folder.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command as Process;

use crate::util::{Sandbox, TestRepo, stderr, stdout, work_tree_files};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/mail").join(name)
}

/// `import --format json` of `files` (fixture names or paths), its exit code and output.
fn import_json(repo: &TestRepo, args: &[&str]) -> (i32, serde_json::Value) {
    let out = repo.cmd().arg("import").arg("--format").arg("json").args(args).output().expect("runs");
    let v = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!("json ({e}): {}\n{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr))
    });
    (out.status.code().expect("exit code"), v)
}

fn path_str(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

fn outcomes(v: &serde_json::Value) -> Vec<String> {
    v["items"].as_array().expect("items").iter().map(|i| i["outcome"].as_str().expect("outcome").to_owned()).collect()
}

fn id_of(v: &serde_json::Value, n: usize) -> String {
    v["items"][n]["id"].as_str().expect("id").to_owned()
}

fn validate_ok(repo: &TestRepo) {
    let a = repo.cmd().arg("validate").assert();
    let out = a.get_output();
    assert!(out.status.success(), "validate: {}{}", stdout(&a), stderr(&a));
}

fn git(dir: &Path, args: &[&str]) -> Vec<u8> {
    let out = Process::new("git").current_dir(dir).args(args).output().expect("git");
    assert!(out.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    out.stdout
}

/// Every object of the repository, packed first (`git gc`), decompressed, as one byte string.
fn all_objects(root: &Path) -> Vec<u8> {
    git(root, &["gc", "--quiet"]);
    git(root, &["cat-file", "--batch-all-objects", "--batch"])
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle.as_bytes())
}

const EML: &[&str] = &[
    "alternative.eml",
    "html-only.eml",
    "attachments.eml",
    "latin1.eml",
    "shift_jis.eml",
    "cp1252.eml",
    "forwarded.eml",
];

#[test]
fn real_world_messages_become_reports_that_validate() {
    let repo = TestRepo::new();
    let files: Vec<PathBuf> = EML.iter().map(|f| fixture(f)).collect();
    let args: Vec<&str> = files.iter().map(|p| path_str(p)).collect();
    let (code, v) = import_json(&repo, &args);
    assert_eq!(code, 0, "{v:#}");
    assert_eq!(outcomes(&v), vec!["created"; EML.len()], "{v:#}");
    validate_ok(&repo);
    let report = |n: usize| repo.read(&format!("reports/{}.md", id_of(&v, n)));

    // multipart/alternative, quoted-printable UTF-8: the plain part, its headings as sections.
    let alt = report(0);
    for needle in [
        "title: IDOR in the API export endpoint",
        "name: Zoë Müller",
        "contact: zoe@researcher.example",
        "  - name: api\n",
        "message_id: <CAF1a2b3c4d5e6f@mail.researcher.example>",
        "## Impact\n\nAny logged-in customer can read every other customer's invoices.",
        "## Reproduction\n\n1. Log in as tenant A.",
        "## Context\n\nAPI 4.2.0, production.",
    ] {
        assert!(alt.contains(needle), "{needle} in {alt}");
    }
    // HTML only: Markdown text, no markup, no script.
    let html = report(1);
    assert!(html.contains("## Impact\n\nPhishing: a link to our login page"), "{html}");
    assert!(html.contains("1. Open https://app.acme.test/login?next=https://evil.example/"), "{html}");
    for tag in ["<p", "<h2", "<script", "alert(", "onclick", "<b>"] {
        assert!(!html.contains(tag), "{tag} in {html}");
    }
    // base64 attachments: stored byte for byte in the report's folder, named in the entry.
    let id = id_of(&v, 2);
    let png = fs::read(repo.root().join(format!("reports/{id}/attachments/0001-screenshot.png"))).expect("png");
    assert!(png.starts_with(&[0x89, b'P', b'N', b'G']) && png.len() == 8 + 256, "{} bytes", png.len());
    let log = repo.read(&format!("reports/{id}/attachments/0001-server.log"));
    assert!(log.starts_with("2026-06-02 10:00:01 GET /search"), "{log}");
    assert!(
        report(2)
            .contains("    attachments:\n    - attachments/0001-screenshot.png\n    - attachments/0001-server.log\n"),
        "{}",
        report(2)
    );
    assert!(report(2).contains("title: Reflected XSS in web search (screenshot and log attached)"), "Fwd: dropped");
    // Charsets: ISO-8859-1 (an encoded word in the subject too), Shift_JIS, windows-1252.
    assert!(report(3).contains("title: Énumération des comptes sur le site web"), "{}", report(3));
    assert!(report(3).contains("name: François Lefèvre") && report(3).contains("révèle si un compte existe"));
    assert!(report(4).contains("title: APIの脆弱性報告") && report(4).contains("name: 山田 太郎"), "{}", report(4));
    assert!(report(4).contains("API の認証トークンが URL に含まれ"), "{}", report(4));
    assert!(report(5).contains("The web app’s “export” button costs €0 to abuse"), "{}", report(5));
    // A forwarded message with a one-line note: the report is the forwarded one's.
    let fwd = report(6);
    assert!(fwd.contains("name: Priya Natarajan") && fwd.contains("contact: priya@bugs.example"), "{fwd}");
    assert!(fwd.contains("title: SSRF in the web image proxy") && fwd.contains("## Impact\n\nCloud metadata"), "{fwd}");
    let text = repo.read(&format!("reports/{}/messages/0001-in.md", id_of(&v, 6)));
    assert!(text.starts_with("Passing this one on") && text.contains("---------- Forwarded message ----------"));
    // One commit per report, each with the report, its message and its attachments.
    assert_eq!(repo.commit_count(), 1 + EML.len());
    assert_eq!(repo.status(), Vec::new(), "nothing left uncommitted");
}

#[test]
fn a_re_import_is_recognised_and_commits_nothing() {
    let repo = TestRepo::new();
    let files = [fixture("alternative.eml"), fixture("several.mbox")];
    let args: Vec<&str> = files.iter().map(|p| path_str(p)).collect();
    let (code, first) = import_json(&repo, &args);
    assert_eq!((code, outcomes(&first)), (0, vec!["created".to_owned(); 4]), "{first:#}");
    let commits = repo.commit_count();
    let (code, again) = import_json(&repo, &args);
    assert_eq!(code, 0);
    assert_eq!(outcomes(&again), vec!["already-imported"; 4], "{again:#}");
    for n in 0..4 {
        assert_eq!(id_of(&again, n), id_of(&first, n));
    }
    assert_eq!(repo.commit_count(), commits, "no commit");
    let human = stdout(&repo.cmd().args(["import", path_str(&files[0])]).assert().success());
    assert!(human.contains(&format!("already imported as {}", id_of(&first, 0))), "{human}");
}

#[test]
fn an_mbox_gives_one_report_per_message_each_in_its_own_commit() {
    let repo = TestRepo::new();
    let (code, v) = import_json(&repo, &[path_str(&fixture("several.mbox"))]);
    assert_eq!((code, outcomes(&v)), (0, vec!["created".to_owned(); 3]), "{v:#}");
    let products: Vec<String> = (0..3)
        .map(|n| {
            let r = repo.read(&format!("reports/{}.md", id_of(&v, n)));
            r.split("products:\n  - name: ").nth(1).expect("product").lines().next().expect("line").to_owned()
        })
        .collect();
    assert_eq!(products, ["web", "api", "web"], "products named in subject or text");
    assert_eq!(repo.commit_count(), 4);
    validate_ok(&repo);
}

#[test]
fn a_reply_chain_is_one_report_and_its_follow_ups() {
    let repo = TestRepo::new();
    let (code, v) = import_json(&repo, &[path_str(&fixture("thread.mbox"))]);
    assert_eq!((code, outcomes(&v)), (0, vec!["created".to_owned(), "follow-up".into(), "follow-up".into()]), "{v:#}");
    let id = id_of(&v, 0);
    assert_eq!((id_of(&v, 1), id_of(&v, 2)), (id.clone(), id.clone()));
    let report = repo.read(&format!("reports/{id}.md"));
    assert_eq!(report.matches("  - at: ").count(), 3, "{report}");
    assert!(report.contains("message_id: <t2@sec.example>\n    in_reply_to: <t1@sec.example>"), "{report}");
    // The third names only `References`: its last id is what it answers.
    assert!(report.contains("message_id: <t3@sec.example>\n    in_reply_to: <t2@sec.example>"), "{report}");
    let third = repo.read(&format!("reports/{id}/messages/0003-in.md"));
    assert_eq!(third, "Any update?\n");
    // An mbox `>From ` line is unquoted in the text (mboxrd).
    assert!(repo.read(&format!("reports/{id}/messages/0002-in.md")).contains("\nFrom the web server"));
    assert_eq!(repo.commit_count(), 4, "one commit per message");
    validate_ok(&repo);
}

#[test]
fn a_follow_up_imported_later_threads_to_its_report() {
    let repo = TestRepo::new();
    let dir = tempfile::tempdir().expect("tmp");
    let mbox = fs::read_to_string(fixture("thread.mbox")).expect("mbox");
    let cut = mbox.match_indices("\nFrom ravi@").map(|(i, _)| i + 1).collect::<Vec<_>>();
    let (first, rest) = mbox.split_at(cut[0]);
    fs::write(dir.path().join("1.mbox"), first).expect("write");
    fs::write(dir.path().join("2.mbox"), rest).expect("write");
    let (_, a) = import_json(&repo, &[path_str(&dir.path().join("1.mbox"))]);
    let (code, b) = import_json(&repo, &[path_str(&dir.path().join("2.mbox"))]);
    assert_eq!((code, outcomes(&b)), (0, vec!["follow-up".to_owned(); 2]), "{b:#}");
    assert_eq!(id_of(&b, 0), id_of(&a, 0));
}

#[test]
fn likely_duplicates_are_named() {
    let repo = TestRepo::new();
    import_json(&repo, &[path_str(&fixture("html-only.eml"))]);
    let dir = tempfile::tempdir().expect("tmp");
    let again = fs::read_to_string(fixture("html-only.eml"))
        .expect("eml")
        .replace("<html-only-1@example.net>", "<html-only-2@example.net>")
        .replace("Subject: Open redirect on login", "Subject: Open redirect in the login page");
    fs::write(dir.path().join("again.eml"), again).expect("write");
    let (code, v) = import_json(&repo, &[path_str(&dir.path().join("again.eml"))]);
    assert_eq!((code, outcomes(&v)), (0, vec!["created".to_owned()]));
    let dup = &v["items"][0]["duplicates"][0];
    assert_eq!(dup["id"], "ENIGM-2026-0001", "{v:#}");
    assert!(dup["similarity"].as_f64().expect("number") >= 0.5, "{v:#}");
}

/// A message with a secret in every part: subject, plain text, HTML, a text attachment, a
/// binary attachment.
const SECRETS: &[&str] = &[
    "AKIAZ7VRSQ5TJ3XKQ4ME",
    "ghp_R7xK2mQ9vL4nT8wP3sY6zA1bC5dE0fG2hJ4k",
    "sk_live_4eC39HqLyjWDarjtT1zdp7dc",
    "xoxb-263594206564-2343594206574-FGqddMF8t08v8N7Oq4i57vs1",
    "AKIAQ4M2X7VRSN5TJ3KE",
];

fn secret_mail() -> Vec<u8> {
    use base64::Engine;
    let b64 = |b: &[u8]| base64::engine::general_purpose::STANDARD.encode(b);
    let binary = [&[0u8, 1, 2, 3][..], b"key=", SECRETS[4].as_bytes(), &[0, 0xff, 0xfe]].concat();
    let html = format!("<p>HTML part: token <b>{}</b></p>", SECRETS[2]);
    format!(
        "From: Eve Leak <eve@example.org>\r\nTo: security@acme.test\r\nSubject: web login leaks {s0}\r\n\
         Date: Wed, 10 Jun 2026 10:00:00 +0000\r\nMessage-ID: <secrets-1@example.org>\r\nMIME-Version: 1.0\r\n\
         Content-Type: multipart/mixed; boundary=\"S\"\r\n\r\n--S\r\nContent-Type: multipart/alternative; boundary=\"A\"\r\n\r\n\
         --A\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nThe web login page logs the token {s1} in clear.\r\n\
         --A\r\nContent-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n{html}\r\n--A--\r\n\
         --S\r\nContent-Type: text/plain; name=\"env.txt\"\r\nContent-Disposition: attachment; filename=\"env.txt\"\r\n\r\n\
         SLACK_TOKEN={s3}\r\n--S\r\nContent-Type: application/octet-stream; name=\"core.bin\"\r\n\
         Content-Disposition: attachment; filename=\"core.bin\"\r\nContent-Transfer-Encoding: base64\r\n\r\n{bin}\r\n--S--\r\n",
        s0 = SECRETS[0],
        s1 = SECRETS[1],
        s3 = SECRETS[3],
        html = b64(html.as_bytes()),
        bin = b64(&binary),
    )
    .into_bytes()
}

/// An HTML-only message with a secret in its HTML.
fn secret_html_mail() -> String {
    format!(
        "From: Eve Leak <eve@example.org>\r\nTo: security@acme.test\r\nSubject: API debug page\r\n\
         Date: Wed, 10 Jun 2026 11:00:00 +0000\r\nMessage-ID: <secrets-2@example.org>\r\n\
         Content-Type: text/html; charset=utf-8\r\n\r\n<h2>Summary</h2><p>The API debug page shows <code>{}</code>.</p>\r\n",
        SECRETS[2]
    )
}

#[test]
fn secrets_in_every_part_of_a_message_reach_no_object_of_the_repository() {
    let repo = TestRepo::new();
    let dir = tempfile::tempdir().expect("tmp");
    fs::write(dir.path().join("secrets.eml"), secret_mail()).expect("write");
    fs::write(dir.path().join("html.eml"), secret_html_mail()).expect("write");
    let raw = dir.path().join("originals");
    let out = repo
        .cmd()
        .args(["import", "--keep-raw", path_str(&raw)])
        .arg(dir.path().join("secrets.eml"))
        .arg(dir.path().join("html.eml"))
        .assert()
        .success();
    let shown = stdout(&out) + &stderr(&out);
    for s in SECRETS {
        assert!(!shown.contains(s), "{s} shown: {shown}");
    }
    for needle in [
        "redacted AWS access key id in title: [REDACTED aws-access-key-id ",
        "redacted GitHub token in body, text: [REDACTED github-token ",
        "redacted Slack token in attachment env.txt: [REDACTED slack-token ",
        "withheld attachment core.bin: possible AWS access key id",
        "redacted Stripe key in body, text: [REDACTED stripe-key ",
    ] {
        assert!(shown.contains(needle), "{needle} in {shown}");
    }
    validate_ok(&repo);
    let objects = all_objects(&repo.root());
    for s in SECRETS {
        // The distinctive part of each: no prefix a marker could share.
        let tail = &s[s.len() - 16..];
        assert!(!contains(&objects, tail), "{s} in a git object");
    }
    assert!(contains(&objects, "[REDACTED aws-access-key-id "), "the markers are committed");
    // The originals are kept outside the repository, readable by their owner only.
    let kept: Vec<PathBuf> = fs::read_dir(&raw).expect("kept").map(|e| e.expect("entry").path()).collect();
    assert_eq!(kept.len(), 2, "{kept:?}");
    for k in &kept {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(fs::metadata(k).expect("meta").permissions().mode() & 0o777, 0o600, "{}", k.display());
    }
    let originals: Vec<u8> = kept.iter().flat_map(|k| fs::read(k).expect("read")).collect();
    assert!(contains(&originals, SECRETS[0]), "the original holds what was redacted");
}

#[test]
fn keep_raw_inside_the_repository_is_refused_and_nothing_is_written() {
    let repo = TestRepo::new();
    let before = work_tree_files(&repo.root(), &[]);
    for dir in ["originals", ".git/originals"] {
        let a = repo.cmd().args(["import", "--keep-raw", dir, path_str(&fixture("alternative.eml"))]).assert().code(2);
        assert!(stderr(&a).contains("--keep-raw") && stderr(&a).contains("inside the repository"), "{}", stderr(&a));
    }
    assert_eq!(work_tree_files(&repo.root(), &[]), before);
    assert_eq!(repo.commit_count(), 1);
}

#[test]
fn an_item_that_names_no_product_needs_one_when_several_are_configured() {
    let repo = TestRepo::new();
    let dir = tempfile::tempdir().expect("tmp");
    let mail = "From: a@b.example\nSubject: Something is wrong\nDate: Mon, 1 Jun 2026 10:00:00 +0000\nMessage-ID: <np@b.example>\n\nIt breaks.\n";
    fs::write(dir.path().join("m.eml"), mail).expect("write");
    let file = dir.path().join("m.eml");
    let a = repo.cmd().args(["import", path_str(&file)]).assert().code(1);
    assert!(
        stdout(&a).contains("refused: the item names none of the products in enigm.yaml (web, api)"),
        "{}",
        stdout(&a)
    );
    assert!(stderr(&a).contains("--product"), "{}", stderr(&a));
    assert_eq!(repo.commit_count(), 1);
    let a = repo.cmd().args(["import", "--product", "api", path_str(&file)]).assert().success();
    assert!(stdout(&a).contains("created ENIGM-2026-0001"), "{}", stdout(&a));
    assert!(repo.read("reports/ENIGM-2026-0001.md").contains("products:\n  - name: api\n"));
    // Standard input, and a product that is not configured.
    let a = repo.cmd().args(["import", "--product", "nope", "-"]).write_stdin(mail).assert().code(2);
    assert!(stderr(&a).contains("product `nope` is not listed"), "{}", stderr(&a));
    let a = repo.cmd().args(["import", "-"]).write_stdin(mail).assert().success();
    assert!(stdout(&a).contains("-: already imported as ENIGM-2026-0001"), "{}", stdout(&a));
}

#[test]
fn the_human_output_says_what_became_of_each_item() {
    let repo = TestRepo::new();
    // The inputs sit in the work tree, untracked: names relative to where import runs.
    repo.write("secrets.eml", secret_mail());
    repo.write("junk.txt", "hello\n");
    repo.write("thread.mbox", fs::read(fixture("thread.mbox")).expect("read"));
    let a = repo.cmd().args(["import", "thread.mbox", "secrets.eml", "junk.txt", "thread.mbox"]).assert().code(1);
    let commit = regex::Regex::new(r"commit [0-9a-f]{7}").expect("regex");
    insta::assert_snapshot!(commit.replace_all(&stdout(&a), "commit <sha>"));
}

#[test]
fn a_sealed_repository_keeps_every_imported_text_sealed() {
    let sandbox = Sandbox::new();
    let root = sandbox.work();
    let ok = |cmd: &mut assert_cmd::Command| {
        let out = cmd.output().expect("runs");
        assert!(
            out.status.success(),
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    ok(sandbox.cmd_in(&root).args(["init", ".", "--sealed", "--product", "web", "--contact", "security@acme.test"]));
    let thread = fixture("thread.mbox");
    let out = ok(sandbox.cmd_in(&root).args(["import", path_str(&fixture("attachments.eml")), path_str(&thread)]));
    assert!(out.contains("created ENIGM-2026-0001") && out.contains("follow-up attached to ENIGM-2026-0002"), "{out}");
    let stored = fs::read_to_string(root.join("reports/ENIGM-2026-0001.md")).expect("read");
    assert!(stored.contains("-----BEGIN AGE ENCRYPTED FILE-----") && stored.contains("  sources:\n    - "), "{stored}");
    let names: Vec<String> = fs::read_dir(root.join("reports/ENIGM-2026-0001/attachments"))
        .expect("dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    assert!(names.iter().all(|n| n.ends_with(".age")) && names.len() == 2, "{names:?}");
    let objects = all_objects(&root);
    for private in [
        "Reflected XSS",
        "Lee, Kim",
        "kim@example.org",
        "reflects the q parameter",
        "GET /search",
        "Path traversal",
        "ravi@sec.example",
        "Any update?",
        "attach-1@example.org",
        "t1@sec.example",
    ] {
        assert!(!contains(&objects, private), "{private} in clear in a git object");
    }
    validate_ok_in(&sandbox, &root);
    let show = ok(sandbox.cmd_in(&root).args(["show", "1"]));
    assert!(show.contains("Reflected XSS in web search"), "{show}");
    // Without the key: a re-import and a follow-up are still recognised from the clear part.
    let key = sandbox.home().join(".config/enigm/identity.txt");
    fs::rename(&key, sandbox.tmp.path().join("away.txt")).expect("move the key away");
    let again = ok(sandbox.cmd_in(&root).args(["import", path_str(&thread)]));
    assert_eq!(again.matches("already imported as ENIGM-2026-0002").count(), 3, "{again}");
    let dir = tempfile::tempdir().expect("tmp");
    let reply = "From: Ravi Kumar <ravi@sec.example>\nSubject: Re: Path traversal\nDate: Thu, 11 Jun 2026 10:00:00 +0000\nMessage-ID: <t4@sec.example>\nIn-Reply-To: <t3@sec.example>\n\nStill there.\n";
    fs::write(dir.path().join("reply.eml"), reply).expect("write");
    let out = sandbox.cmd_in(&root).args(["import", path_str(&dir.path().join("reply.eml"))]).output().expect("runs");
    assert_eq!(out.status.code(), Some(1), "a follow-up needs the key to open its report");
    assert!(String::from_utf8_lossy(&out.stderr).contains("no key"), "{}", String::from_utf8_lossy(&out.stderr));
    fs::rename(sandbox.tmp.path().join("away.txt"), &key).expect("key back");
    let out = ok(sandbox.cmd_in(&root).args(["import", path_str(&dir.path().join("reply.eml"))]));
    assert!(out.contains("follow-up attached to ENIGM-2026-0002"), "{out}");
}

fn validate_ok_in(sandbox: &Sandbox, root: &Path) {
    let out = sandbox.cmd_in(root).arg("validate").output().expect("runs");
    assert!(out.status.success(), "{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
}

// Hostile mail.

/// Imports `bytes` as one file; returns exit code, stdout and stderr. Never a panic (101).
fn import_bytes(repo: &TestRepo, name: &str, bytes: &[u8]) -> (i32, String, String) {
    let dir = tempfile::tempdir().expect("tmp");
    let path = dir.path().join(name);
    fs::write(&path, bytes).expect("write");
    let out = repo.cmd().arg("import").arg(&path).output().expect("runs");
    let code = out.status.code().expect("exit code");
    let (o, e) = (String::from_utf8_lossy(&out.stdout).into_owned(), String::from_utf8_lossy(&out.stderr).into_owned());
    assert!(code == 0 || code == 1, "exit {code}: {o}{e}");
    assert!(!e.contains("panicked"), "{e}");
    (code, o, e)
}

fn with_attachment(size: usize) -> Vec<u8> {
    use base64::Engine;
    let data = vec![b'A'; size];
    let b64 = base64::engine::general_purpose::STANDARD.encode(&data);
    let mut wrapped = String::with_capacity(b64.len() + b64.len() / 76 * 2);
    for chunk in b64.as_bytes().chunks(76) {
        wrapped.push_str(std::str::from_utf8(chunk).expect("ascii"));
        wrapped.push_str("\r\n");
    }
    format!(
        "From: a@b.example\r\nSubject: web big\r\nDate: Mon, 1 Jun 2026 10:00:00 +0000\r\nMessage-ID: <big-{size}@b.example>\r\n\
         Content-Type: multipart/mixed; boundary=\"B\"\r\n\r\n--B\r\nContent-Type: text/plain\r\n\r\nSee attached.\r\n\
         --B\r\nContent-Type: application/octet-stream; name=\"big.bin\"\r\nContent-Transfer-Encoding: base64\r\n\r\n{wrapped}--B--\r\n"
    )
    .into_bytes()
}

#[test]
fn a_50_mb_attachment_is_a_clear_size_error_and_nothing_is_written() {
    let repo = TestRepo::new();
    let before = work_tree_files(&repo.root(), &[]);
    let (code, out, _) = import_bytes(&repo, "big.eml", &with_attachment(50 * 1024 * 1024));
    assert_eq!(code, 1);
    assert!(out.contains("refused:") && out.contains("larger than 64 MiB"), "{out}");
    let (code, out, _) = import_bytes(&repo, "big.eml", &with_attachment(2 * 1024 * 1024));
    assert_eq!(code, 1);
    assert!(out.contains("attachment `big.bin` (2.0 MiB) exceeds the limit of 1.0 MiB"), "{out}");
    let long = format!(
        "From: a@b.example\r\nSubject: web long\r\nDate: Mon, 1 Jun 2026 10:00:00 +0000\r\n\r\n{}",
        "a long line of text\r\n".repeat(30_000)
    );
    let (code, out, _) = import_bytes(&repo, "long.eml", long.as_bytes());
    assert_eq!(code, 1);
    assert!(out.contains("the message's text (") && out.contains("exceeds the limit of"), "{out}");
    assert_eq!(work_tree_files(&repo.root(), &[]), before, "nothing written");
    assert_eq!(repo.commit_count(), 1);
}

#[test]
fn ten_thousand_mime_parts_are_refused_and_deep_nesting_is_safe() {
    let repo = TestRepo::new();
    let head = "From: a@b.example\r\nSubject: web parts\r\nDate: Mon, 1 Jun 2026 10:00:00 +0000\r\n";
    let mut flat =
        format!("{head}Message-ID: <flat@b.example>\r\nContent-Type: multipart/mixed; boundary=\"P\"\r\n\r\n");
    for i in 0..10_000 {
        flat.push_str(&format!(
            "--P\r\nContent-Type: text/plain; name=\"{i}.txt\"\r\nContent-Disposition: attachment\r\n\r\npart {i}\r\n"
        ));
    }
    flat.push_str("--P--\r\n");
    let (code, out, _) = import_bytes(&repo, "flat.eml", flat.as_bytes());
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("the message's MIME parts (") && out.contains(") exceeds the limit of 1000"), "{out}");
    // 10,000 nested multiparts: no stack overflow, a bounded result.
    let mut deep =
        format!("{head}Message-ID: <deep@b.example>\r\nContent-Type: multipart/mixed; boundary=\"d0\"\r\n\r\n");
    for i in 1..10_000 {
        deep.push_str(&format!("--d{}\r\nContent-Type: multipart/mixed; boundary=\"d{i}\"\r\n\r\n", i - 1));
    }
    deep.push_str("--d9999\r\nContent-Type: text/plain\r\n\r\ninnermost\r\n");
    let (_, out, err) = import_bytes(&repo, "deep.eml", deep.as_bytes());
    assert!(out.contains("deep.eml: "), "{out}{err}");
    // 2,000 forwarded messages inside each other: read to a bounded depth, safely.
    let mut nested = format!("{head}\r\ninnermost\r\n");
    for i in 0..2_000 {
        nested = format!("{head}Message-ID: <n{i}@b.example>\r\nContent-Type: message/rfc822\r\n\r\n{nested}");
    }
    let (_, out, err) = import_bytes(&repo, "nested.eml", nested.as_bytes());
    assert!(out.contains("nested.eml: "), "{out}{err}");
    validate_ok(&repo);
}

#[test]
fn broken_encodings_give_a_safe_result() {
    let repo = TestRepo::new();
    let head = |id: &str| {
        format!(
            "From: =?UTF-8?B?!!!?= <a@b.example>\r\nSubject: =?X-UNKNOWN?Q?web=FF=FE?=\r\nDate: Mon, 1 Jun 2026 10:00:00 +0000\r\nMessage-ID: <{id}@b.example>\r\n"
        )
    };
    let cases: Vec<Vec<u8>> = vec![
        format!("{}Content-Transfer-Encoding: base64\r\n\r\n@@@ not base64 ###\r\n", head("b64")).into_bytes(),
        format!("{}Content-Transfer-Encoding: quoted-printable\r\n\r\nweb =ZZ =\r\n=4", head("qp")).into_bytes(),
        format!("{}Content-Type: text/plain; charset=no-such-charset\r\n\r\nweb \u{fffd}\r\n", head("cs")).into_bytes(),
        [head("utf8").as_bytes(), b"Content-Type: text/plain; charset=utf-8\r\n\r\nweb \xff\xfe\xc3\x28 bytes\r\n"].concat(),
        format!("{}Content-Type: multipart/mixed; boundary=\"never\"\r\n\r\n--never\r\nContent-Type: text/plain\r\n\r\nweb cut", head("mp")).into_bytes(),
        format!("{}Date: 99 Foo 20261 99:99:99 +9999\r\n\r\nweb\r\n", head("date").replace("Date: Mon, 1 Jun 2026 10:00:00 +0000\r\n", "")).into_bytes(),
        b"From: \r\nSubject:\r\n\r\n\r\n".to_vec(),
    ];
    for (i, bytes) in cases.iter().enumerate() {
        import_bytes(&repo, &format!("{i}.eml"), bytes);
    }
    validate_ok(&repo);
    assert_eq!(repo.status(), Vec::new(), "every import committed or wrote nothing");
}

#[test]
fn attachment_names_that_climb_out_stay_inside_the_folder() {
    let repo = TestRepo::new();
    let names = [
        "../../../../etc/passwd",
        "..\\..\\windows\\win.ini",
        "/etc/shadow",
        ".bashrc",
        "..",
        "a\u{0}b.txt",
        "=?UTF-8?Q?=2E=2E=2F=2E=2E=2Fevil.txt?=",
    ];
    let mut mail = String::from(
        "From: a@b.example\r\nSubject: web names\r\nDate: Mon, 1 Jun 2026 10:00:00 +0000\r\nMessage-ID: <names@b.example>\r\nContent-Type: multipart/mixed; boundary=\"N\"\r\n\r\n--N\r\nContent-Type: text/plain\r\n\r\nnames\r\n",
    );
    for (i, n) in names.iter().enumerate() {
        mail.push_str(&format!(
            "--N\r\nContent-Type: text/plain\r\nContent-Disposition: attachment; filename=\"{n}\"\r\n\r\nfile {i}\r\n"
        ));
    }
    mail.push_str("--N--\r\n");
    let before: Vec<PathBuf> = work_tree_files(&repo.root(), &[]).into_iter().map(|(p, _)| p).collect();
    let (code, out, _) = import_bytes(&repo, "names.eml", mail.as_bytes());
    assert_eq!(code, 0, "{out}");
    let after: Vec<PathBuf> = work_tree_files(&repo.root(), &[]).into_iter().map(|(p, _)| p).collect();
    let new: Vec<String> =
        after.iter().filter(|p| !before.contains(p)).map(|p| p.to_string_lossy().into_owned()).collect();
    assert_eq!(new.len(), 2 + names.len(), "{new:?}");
    for p in &new {
        assert!(
            p == "reports/ENIGM-2026-0001.md" || p.starts_with("reports/ENIGM-2026-0001/"),
            "{p} outside the report's folder"
        );
    }
    let attached: Vec<&String> = new.iter().filter(|p| p.contains("/attachments/")).collect();
    assert_eq!(attached.len(), names.len(), "{new:?}");
    assert!(attached.iter().all(|p| !p.contains("..") && !p.contains("/.")), "{attached:?}");
    validate_ok(&repo);
}

#[test]
fn header_injection_in_values_stays_in_its_field() {
    let repo = TestRepo::new();
    let mail = "From: =?UTF-8?Q?Mallory=0D=0Acontact:_evil?= <m@b.example>\r\n\
        Subject: =?UTF-8?Q?web_bug=0D=0Astate:_published=0D=0A---?=\r\n\
        Date: Mon, 1 Jun 2026 10:00:00 +0000\r\nMessage-ID: <inj@b.example>\r\n\
        In-Reply-To: <x@y>\r\n\tcontent: injected\r\n\r\n---\r\nid: ENIGM-2026-0099\r\n---\r\n## Impact\r\n<script>x</script>\r\n";
    let (code, out, _) = import_bytes(&repo, "inj.eml", mail.as_bytes());
    assert_eq!(code, 0, "{out}");
    let report = repo.read("reports/ENIGM-2026-0001.md");
    let front = report.split("\n---\n").next().expect("front matter");
    assert!(front.contains("title: 'web bug state: published ---'\n"), "{report}");
    assert!(front.contains("name: 'Mallory contact: evil'\n"), "{report}");
    assert!(front.contains("state: received\n") && !front.contains("\nstate: published"), "{report}");
    assert!(!front.contains("0099") && !front.contains("content"), "{report}");
    assert!(report.contains("## Impact\n\n\\<script>x\\</script>\n"), "{report}");
    validate_ok(&repo);
}

#[test]
fn renumber_moves_the_imported_messages_with_their_report() {
    let repo = TestRepo::new();
    let root = repo.root();
    let run = |args: &[&str]| {
        let out = repo.cmd().args(args).output().expect("runs");
        assert!(
            out.status.success(),
            "{args:?}: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    };
    // A colleague imports a reply chain on a branch we have not seen...
    git(&root, &["checkout", "-q", "-b", "colleague"]);
    run(&["import", path_str(&fixture("thread.mbox"))]);
    let theirs = String::from_utf8(git(&root, &["rev-parse", "HEAD"])).expect("sha").trim().to_owned();
    git(&root, &["checkout", "-q", "main"]);
    git(&root, &["branch", "-q", "-D", "colleague"]);
    // ...while we import another report under the same id; then we merge.
    run(&["import", path_str(&fixture("alternative.eml"))]);
    let merge =
        Process::new("git").current_dir(&root).args(["merge", "-q", "--no-edit", &theirs]).output().expect("git");
    assert!(!merge.status.success(), "add/add conflicts expected");
    run(&["renumber", "ENIGM-2026-0001", "--keep", "ours"]);
    git(&root, &["commit", "-q", "--no-edit"]);
    let moved = repo.read("reports/ENIGM-2026-0002.md");
    assert!(
        moved.contains("title: Path traversal in web downloads") && moved.contains("messages/0003-in.md"),
        "{moved}"
    );
    for n in 1..=3 {
        assert!(root.join(format!("reports/ENIGM-2026-0002/messages/000{n}-in.md")).is_file(), "message {n} moved");
    }
    assert_eq!(repo.read("reports/ENIGM-2026-0002/messages/0003-in.md"), "Any update?\n");
    let kept = repo.read("reports/ENIGM-2026-0001/messages/0001-in.md");
    assert!(kept.starts_with("Hello security team,"), "the kept report's message: {kept}");
    for n in 2..=3 {
        assert!(
            !root.join(format!("reports/ENIGM-2026-0001/messages/000{n}-in.md")).exists(),
            "{n} left the old folder"
        );
    }
    assert_eq!(repo.status(), Vec::new(), "everything committed");
    validate_ok(&repo);
}

#[test]
fn every_field_of_the_json_output_is_documented() {
    let repo = TestRepo::new();
    let dir = tempfile::tempdir().expect("tmp");
    let raw = dir.path().join("originals");
    let (_, v) = import_json(&repo, &["--keep-raw", path_str(&raw), path_str(&fixture("alternative.eml"))]);
    let docs = fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/intake.md")).expect("docs");
    let section = docs.split("\n## Importing\n").nth(1).and_then(|s| s.split("\n## ").next()).expect("section");
    let keys =
        |value: &serde_json::Value| -> Vec<String> { value.as_object().expect("object").keys().cloned().collect() };
    let mut all = keys(&v);
    all.extend(keys(&v["items"][0]));
    all.extend(keys(&v["counts"]));
    all.extend(keys(&v["kept_raw"][0]));
    for key in all {
        assert!(
            section.contains(&format!("`{key}`")) || section.contains(&format!("\"{key}\"")),
            "`{key}` is not in docs/intake.md, Importing"
        );
    }
}

/// Regression: a follow-up whose Date is after today (the sender's clock) was committed without
/// a hook and `validate` then failed on `message-date`; now the import refuses it, writing nothing.
#[test]
fn a_follow_up_dated_after_today_is_refused_and_nothing_is_written() {
    let repo = TestRepo::new();
    let dir = tempfile::tempdir().expect("tmp");
    let first = "From: Jane Doe <jane@example.org>\nSubject: XSS in web\nDate: Mon, 15 Jun 2026 09:30:00 +0200\nMessage-ID: <m1@example.org>\n\nThe web search reflects q.\n";
    let later = "From: Jane Doe <jane@example.org>\nSubject: Re: XSS in web\nDate: Wed, 17 Jun 2026 09:30:00 +0200\nMessage-ID: <m2@example.org>\nIn-Reply-To: <m1@example.org>\n\nAlso the titles.\n";
    fs::write(dir.path().join("1.eml"), first).expect("write");
    fs::write(dir.path().join("2.eml"), later).expect("write");
    let (code, _) = import_json(&repo, &[path_str(&dir.path().join("1.eml"))]);
    assert_eq!(code, 0);
    let before = repo.commit_count();
    let a = repo.cmd().args(["import", "--no-verify"]).arg(dir.path().join("2.eml")).assert().code(1);
    assert!(
        stderr(&a).contains("the message is dated 2026-06-17, in the future (today is 2026-06-15)"),
        "{}",
        stderr(&a)
    );
    assert_eq!(repo.commit_count(), before);
    assert!(repo.status().is_empty(), "{:?}", repo.status());
    validate_ok(&repo);
}
