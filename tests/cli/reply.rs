//! `reply`, `correspond` and `advance --reply` through the binary: complete, threaded
//! messages; header injection; delivery through `sendmail -t` and a real SMTP server on
//! loopback; the correspondence entry and its text committed with the send, and nothing
//! committed when the send fails; the acknowledgement deadline met by the first reply.

use std::fs;
use std::path::{Path, PathBuf};

use crate::util::{TestRepo, stderr, stdout};

const PATH: &str = "reports/ENIGM-2026-0001.md";
const NOW: &str = "2026-06-15T10:30:00+02:00";

/// A repository with one received report from Jane Doe (contact jane@example.org), filed
/// on 2026-06-12, and `extra` appended to enigm.yaml (committed).
fn repo_with(extra: &str) -> TestRepo {
    let repo = TestRepo::new();
    repo.cmd()
        .args(["new", "--title", "XSS in search", "--product", "web", "--reporter-name", "Jane Doe"])
        .args(["--reporter-contact", "jane@example.org", "--reported", "2026-06-12"])
        .assert()
        .success();
    if !extra.is_empty() {
        let config = repo.read("enigm.yaml") + extra;
        repo.write("enigm.yaml", config);
        commit_all(&repo, "configure mail");
    }
    repo
}

fn commit_all(repo: &TestRepo, message: &str) {
    let git = repo.git();
    let mut index = git.index().expect("index");
    index.add_all(["*"], git2::IndexAddOption::DEFAULT, None).expect("add");
    index.write().expect("write");
    let tree = git.find_tree(index.write_tree().expect("tree")).expect("tree");
    let sig = git2::Signature::now("Test Lead", "lead@example.test").expect("sig");
    let parent = git.head().expect("head").peel_to_commit().expect("commit");
    git.commit(Some("HEAD"), &sig, &sig, message, &tree, &[&parent]).expect("commit");
}

/// The reporter's first mail, recorded by hand, as the thread a reply continues.
fn record_first_mail(repo: &TestRepo) {
    repo.write("../mail.txt", "Hello, the search page reflects q.\n");
    repo.cmd()
        .args(["correspond", "1", "--in", "--subject", "XSS in search", "--at", "2026-06-12T08:00:00Z"])
        .args(["--message-id", "<first@reporter.example>", "../mail.txt"])
        .assert()
        .success();
}

/// The header fields of a message (continuation lines unfolded), and its body.
fn parse(message: &str) -> (Vec<(String, String)>, String) {
    let message = message.replace("\r\n", "\n");
    let (head, body) = message.split_once("\n\n").expect("a blank line ends the header");
    let mut fields: Vec<(String, String)> = Vec::new();
    for line in head.lines() {
        if line.starts_with([' ', '\t']) {
            fields.last_mut().expect("a field to continue").1.push_str(line);
        } else {
            let (name, value) = line.split_once(':').expect("name: value");
            fields.push((name.to_owned(), value.trim().to_owned()));
        }
    }
    (fields, body.to_owned())
}

fn field<'a>(fields: &'a [(String, String)], name: &str) -> Option<&'a str> {
    fields.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
}

/// A fake `sendmail` that keeps its arguments and the message in `dir`, and exits `code`.
fn fake_sendmail(repo: &TestRepo, code: i32) -> (PathBuf, PathBuf) {
    use std::os::unix::fs::PermissionsExt;
    let dir = repo.sandbox.tmp.path().join("outbox");
    fs::create_dir_all(&dir).expect("outbox");
    let script = repo.sandbox.tmp.path().join("sendmail");
    fs::write(
        &script,
        format!(
            "#!/bin/sh\nprintf '%s\\n' \"$@\" > '{d}/args'\ncat > '{d}/message'\necho 'relay refused' >&2\nexit {code}\n",
            d = dir.display()
        ),
    )
    .expect("script");
    fs::set_permissions(&script, fs::Permissions::from_mode(0o755)).expect("chmod");
    (script, dir)
}

fn report(repo: &TestRepo) -> serde_yaml::Value {
    let text = repo.read(PATH);
    let front = text.trim_start_matches("---\n").split("\n---\n").next().expect("front matter").to_owned();
    serde_yaml::from_str(&front).expect("yaml")
}

#[test]
fn a_reply_is_a_complete_message_threaded_on_the_correspondence() {
    let repo = repo_with("");
    record_first_mail(&repo);
    let before = repo.commit_count();
    let out = repo.cmd().env("ENIGM_NOW", NOW).args(["reply", "1", "--template", "acknowledgement"]).assert().success();
    let (fields, body) = parse(&stdout(&out));
    assert_eq!(field(&fields, "To"), Some("\"Jane Doe\" <jane@example.org>"));
    assert_eq!(field(&fields, "From"), Some("\"Acme Corp Security Team\" <security@acme.test>"));
    assert_eq!(field(&fields, "Subject"), Some("Re: XSS in search"));
    assert_eq!(field(&fields, "In-Reply-To"), Some("<first@reporter.example>"));
    assert_eq!(field(&fields, "References"), Some("<first@reporter.example>"));
    assert_eq!(field(&fields, "Date"), Some("Mon, 15 Jun 2026 08:30:00 +0000"));
    let id = field(&fields, "Message-ID").expect("a message id");
    assert!(id.starts_with("<20260615103000.") && id.ends_with("@acme.test>"), "{id}");
    assert!(body.starts_with("Dear Jane Doe,\n\nThank you for reporting"), "{body}");
    let words = body.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(words.contains("tracking it as ENIGM-2026-0001"), "{body}");
    assert_eq!(repo.commit_count(), before, "writing a message commits nothing");

    // A new thread takes the template's subject; --output writes the file.
    let fresh = repo_with("mail:\n  from: PSIRT <psirt@mail.acme.test>\n  domain: ids.acme.test\n");
    fresh.cmd().args(["reply", "1", "--template", "needs-info", "--output", "../reply.eml"]).assert().success();
    let (fields, body) = parse(&fresh.read("../reply.eml"));
    assert_eq!(field(&fields, "Subject"), Some("[ENIGM-2026-0001] More information needed: XSS in search"));
    assert_eq!(field(&fields, "From"), Some("PSIRT <psirt@mail.acme.test>"));
    assert!(field(&fields, "Message-ID").is_some_and(|i| i.ends_with("@ids.acme.test>")));
    assert_eq!(field(&fields, "In-Reply-To"), None);
    // needs-info lists what the report lacks, from its own sections (all still TODO).
    assert!(body.contains("- safe, minimal steps to reproduce the issue\n"), "{body}");
    assert!(body.contains("- the affected versions"), "{body}");
}

#[test]
fn no_value_can_inject_a_header() {
    let repo = repo_with("");
    record_first_mail(&repo);
    // A subject (as an importer might have stored it) with a line break and a header after it.
    let text = repo.read(PATH).replace("subject: XSS in search", "subject: \"Hi\\r\\nBcc: victim@evil.example\"");
    repo.write(PATH, text);
    let out = repo.cmd().args(["reply", "1", "--template", "triaged"]).assert().success();
    let (fields, _) = parse(&stdout(&out));
    assert!(fields.iter().all(|(n, _)| !n.eq_ignore_ascii_case("bcc")), "{fields:?}");
    assert_eq!(field(&fields, "Subject"), Some("Re: Hi Bcc: victim@evil.example"));
    // A reporter name with a line break stays inside the To field.
    let text = repo.read(PATH).replace("  name: Jane Doe", "  name: \"Jane\\r\\nCc: victim@evil.example\"");
    repo.write(PATH, text);
    let out = repo.cmd().args(["reply", "1", "--template", "triaged"]).assert().success();
    let (fields, _) = parse(&stdout(&out));
    assert!(fields.iter().all(|(n, _)| !n.eq_ignore_ascii_case("cc")), "{fields:?}");
    // lettre encodes the name (it holds a colon) as one RFC 2047 word, the break a space.
    let to = field(&fields, "To").expect("To");
    let word = to.strip_prefix("=?utf-8?b?").and_then(|t| t.strip_suffix("?= <jane@example.org>")).expect(to);
    let name = base64::Engine::decode(&base64::engine::general_purpose::STANDARD, word).expect("base64");
    assert_eq!(String::from_utf8(name).expect("utf8"), "Jane Cc: victim@evil.example");
    // A contact with a line break is not an address: refused, exit 2.
    let text =
        repo.read(PATH).replace("contact: jane@example.org", "contact: \"jane@example.org\\nBcc: x@evil.example\"");
    repo.write(PATH, text);
    let err = repo.cmd().args(["reply", "1", "--template", "triaged"]).assert().code(2);
    assert!(stderr(&err).contains("is not an e-mail address"), "{}", stderr(&err));
    // A message id given by hand must be one.
    let bad = repo
        .cmd()
        .args(["correspond", "1", "--out", "--subject", "x", "--message-id", "<a@b>\nBcc: x@y", "-"])
        .write_stdin("text")
        .assert()
        .code(2);
    assert!(stderr(&bad).contains("is not a message id"), "{}", stderr(&bad));
}

#[test]
fn sendmail_delivers_and_the_reply_is_recorded_in_one_commit() {
    let repo = repo_with("mail:\n  transport: sendmail\n");
    record_first_mail(&repo);
    let (script, outbox) = fake_sendmail(&repo, 0);
    let before = repo.commit_count();
    let out = repo
        .cmd()
        .env("ENIGM_SENDMAIL", &script)
        .env("ENIGM_NOW", NOW)
        .args(["reply", "1", "--template", "acknowledgement", "--send", "--format", "json"])
        .assert()
        .success();
    let json: serde_json::Value = serde_json::from_str(&stdout(&out)).expect("json");
    let message_id = json[0]["message_id"].as_str().expect("id").to_owned();
    assert_eq!(fs::read_to_string(outbox.join("args")).expect("args"), "-t\n-i\n");
    let delivered = fs::read_to_string(outbox.join("message")).expect("message");
    assert!(!delivered.contains('\r'), "sendmail reads LF line ends");
    let (fields, body) = parse(&delivered);
    assert_eq!(field(&fields, "Message-ID"), Some(message_id.as_str()));
    assert_eq!(field(&fields, "To"), Some("\"Jane Doe\" <jane@example.org>"));

    assert_eq!(repo.commit_count(), before + 1);
    let mut paths = repo.head_paths();
    paths.sort();
    assert_eq!(paths, [PATH, "reports/ENIGM-2026-0001/messages/0002-out.md"]);
    assert!(repo.head_message().contains(&format!("Disclosure-Reply: {message_id}")), "{}", repo.head_message());
    let entry = &report(&repo)["correspondence"][1];
    assert_eq!(entry["direction"].as_str(), Some("out"));
    assert_eq!(entry["template"].as_str(), Some("acknowledgement"));
    assert_eq!(entry["message_id"].as_str(), Some(message_id.as_str()));
    assert_eq!(entry["in_reply_to"].as_str(), Some("<first@reporter.example>"));
    assert_eq!(entry["at"].as_str(), Some(NOW));
    assert_eq!(repo.read("reports/ENIGM-2026-0001/messages/0002-out.md"), body.replace("\r\n", "\n"));
    assert!(repo.status().is_empty(), "{:?}", repo.status());
    repo.cmd().arg("validate").assert().success();
}

#[test]
fn a_failed_send_records_nothing() {
    let repo = repo_with("mail:\n  transport: sendmail\n");
    let (script, _) = fake_sendmail(&repo, 75);
    let before = (repo.head_id(), repo.read(PATH));
    let err = repo
        .cmd()
        .env("ENIGM_SENDMAIL", &script)
        .args(["reply", "1", "--template", "acknowledgement", "--send"])
        .assert()
        .code(2);
    assert!(stderr(&err).contains("the message was not sent"), "{}", stderr(&err));
    assert!(stderr(&err).contains("relay refused"), "{}", stderr(&err));
    assert_eq!((repo.head_id(), repo.read(PATH)), before);
    assert!(repo.status().is_empty(), "{:?}", repo.status());
    // No SMTP server configured: refused before anything is sent or written.
    let smtp = repo_with("");
    let err = smtp.cmd().args(["reply", "1", "--template", "acknowledgement", "--send"]).assert().code(2);
    assert!(stderr(&err).contains("no SMTP server is configured"), "{}", stderr(&err));
}

#[test]
fn advance_with_a_reply_is_one_commit_and_the_reply_sees_the_new_state() {
    let repo = repo_with("mail:\n  transport: sendmail\n");
    let (script, outbox) = fake_sendmail(&repo, 0);
    let before = repo.commit_count();
    repo.cmd()
        .env("ENIGM_SENDMAIL", &script)
        .args(["advance", "1", "rejected", "--resolution", "out-of-scope", "--reply", "out-of-scope"])
        .assert()
        .success();
    assert_eq!(repo.commit_count(), before + 1);
    let message = repo.head_message();
    assert!(message.starts_with("ENIGM-2026-0001: received → rejected\n"), "{message}");
    assert!(message.contains("\nDisclosure-Reply: <"), "{message}");
    let r = report(&repo);
    assert_eq!(r["state"].as_str(), Some("rejected"));
    assert_eq!(r["correspondence"][0]["template"].as_str(), Some("out-of-scope"));
    let (_, body) = parse(&fs::read_to_string(outbox.join("message")).expect("sent"));
    assert!(body.contains("- Denial of service, load or stress testing"), "the policy's list: {body}");

    // A failed send leaves the step undone too.
    let (failing, _) = fake_sendmail(&repo, 1);
    let other = repo_with("mail:\n  transport: sendmail\n");
    let head = other.head_id();
    other
        .cmd()
        .env("ENIGM_SENDMAIL", &failing)
        .args(["advance", "1", "needs-info", "--reply", "needs-info"])
        .assert()
        .code(2);
    assert_eq!(other.head_id(), head);
    assert!(other.read(PATH).contains("state: received"));
}

#[test]
fn messages_typed_in_by_hand_are_recorded_with_their_attachments() {
    let repo = repo_with("");
    repo.write("../crash.log", "line 1\n");
    repo.cmd()
        .args(["correspond", "1", "--in", "--subject", "Logs", "--channel", "web", "--attach", "../crash.log", "-"])
        .write_stdin("Here are the logs.\n")
        .assert()
        .success();
    let entry = &report(&repo)["correspondence"][0];
    assert_eq!(entry["channel"].as_str(), Some("web"));
    assert_eq!(entry["text"].as_str(), Some("messages/0001-in.md"));
    assert_eq!(entry["attachments"][0].as_str(), Some("attachments/0001-crash.log"));
    assert_eq!(repo.read("reports/ENIGM-2026-0001/attachments/0001-crash.log"), "line 1\n");
    // --record: a reply sent another way (pasted into a web form) is committed unsent.
    repo.cmd().args(["reply", "1", "--template", "acknowledgement", "--record"]).assert().success();
    assert_eq!(report(&repo)["correspondence"][1]["direction"].as_str(), Some("out"));
    repo.cmd().arg("validate").assert().success();
}

#[test]
fn several_reports_get_one_message_each() {
    let repo = repo_with("");
    repo.cmd()
        .args([
            "new",
            "--title",
            "SQLi",
            "--product",
            "web",
            "--reporter-name",
            "Sam",
            "--reporter-contact",
            "sam@example.org",
        ])
        .assert()
        .success();
    let dir = repo.sandbox.tmp.path().join("out");
    fs::create_dir_all(&dir).expect("dir");
    repo.cmd().args(["reply", "1", "2", "--template", "acknowledgement", "--output"]).arg(&dir).assert().success();
    let (fields, _) = parse(&fs::read_to_string(dir.join("ENIGM-2026-0002.eml")).expect("second"));
    assert_eq!(field(&fields, "To"), Some("Sam <sam@example.org>"));
    assert!(dir.join("ENIGM-2026-0001.eml").is_file());
    let err = repo.cmd().args(["reply", "1", "2", "--template", "acknowledgement"]).assert().code(2);
    assert!(stderr(&err).contains("--output"), "{}", stderr(&err));
}

#[test]
fn the_first_reply_meets_the_acknowledgement_deadline() {
    let repo = repo_with("mail:\n  transport: sendmail\n");
    record_first_mail(&repo);
    let due = |repo: &TestRepo| -> serde_json::Value {
        let out = repo.cmd().args(["due", "--format", "json"]).assert();
        serde_json::from_slice(&out.get_output().stdout).expect("json")
    };
    let kinds = |v: &serde_json::Value| -> Vec<String> {
        v["items"].as_array().expect("items").iter().map(|i| i["kind"].as_str().expect("kind").to_owned()).collect()
    };
    // Reported 2026-06-12 + 3 days: due today, and an incoming mail does not meet it.
    assert!(kinds(&due(&repo)).contains(&"acknowledge".to_owned()), "{}", due(&repo));
    let stats = |repo: &TestRepo| -> serde_json::Value {
        let out = repo.cmd().args(["stats", "--format", "json"]).assert().success();
        serde_json::from_slice(&out.get_output().stdout).expect("json")
    };
    assert_eq!(stats(&repo)["unacknowledged"], 1);
    assert_eq!(stats(&repo)["times"]["first_response"]["count"], 0);

    let (script, _) = fake_sendmail(&repo, 0);
    repo.cmd()
        .env("ENIGM_SENDMAIL", &script)
        .env("ENIGM_NOW", NOW)
        .args(["reply", "1", "--template", "acknowledgement", "--send"])
        .assert()
        .success();
    assert!(!kinds(&due(&repo)).contains(&"acknowledge".to_owned()), "{}", due(&repo));
    let s = stats(&repo);
    assert_eq!(s["unacknowledged"], 0);
    assert_eq!(s["times"]["first_response"]["median"], 3, "{s}");
    let list = repo.cmd().args(["list", "--format", "json"]).assert().success();
    let list: serde_json::Value = serde_json::from_slice(&list.get_output().stdout).expect("json");
    assert_eq!(list["reports"][0]["acknowledged"], true);
    assert_eq!(list["reports"][0]["first_response_days"], 3);
}

/// `python -m aiosmtpd` (PyPI), started on a free loopback port, storing what it receives in
/// a maildir; stopped when dropped.
struct SmtpServer {
    child: std::process::Child,
    port: u16,
    maildir: PathBuf,
}

impl SmtpServer {
    fn start(python: &Path, dir: &Path) -> SmtpServer {
        let port = std::net::TcpListener::bind("127.0.0.1:0").expect("bind").local_addr().expect("addr").port();
        let maildir = dir.join("maildir");
        let child = std::process::Command::new(python)
            .args(["-m", "aiosmtpd", "-n", "-l", &format!("127.0.0.1:{port}"), "-c", "aiosmtpd.handlers.Mailbox"])
            .arg(&maildir)
            .spawn()
            .expect("aiosmtpd starts");
        // Wait until it accepts connections (it fails the test below if it never does).
        for _ in 0..200 {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        SmtpServer { child, port, maildir }
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
#[ignore = "needs aiosmtpd"]
fn reply_send_delivers_through_a_real_smtp_server() {
    let python = PathBuf::from(std::env::var_os("ENIGM_AIOSMTPD_PYTHON").expect("ENIGM_AIOSMTPD_PYTHON"));
    let probe = tempfile::tempdir().expect("dir");
    let server = SmtpServer::start(&python, probe.path());
    let repo = repo_with(&format!("mail:\n  smtp:\n    host: 127.0.0.1\n    port: {}\n    tls: none\n", server.port));
    record_first_mail(&repo);
    let out = repo
        .cmd()
        .env("ENIGM_NOW", NOW)
        .args(["reply", "1", "--template", "needs-info", "--send", "--format", "json"])
        .assert()
        .success();
    let json: serde_json::Value = serde_json::from_str(&stdout(&out)).expect("json");
    let message_id = json[0]["message_id"].as_str().expect("id");
    // Python's own e-mail parser reads the delivered message back.
    let script = "import email,glob,json,sys\nfrom email import policy\nfiles=glob.glob(sys.argv[1]+'/new/*')\nm=email.message_from_binary_file(open(files[0],'rb'),policy=policy.default)\nprint(json.dumps({'count':len(files),'body':m.get_content(),**{k:str(m[k]) for k in ['From','To','Subject','Message-ID','In-Reply-To','References','Date']}}))";
    let parsed =
        std::process::Command::new(&python).args(["-c", script]).arg(&server.maildir).output().expect("python");
    assert!(parsed.status.success(), "{}", String::from_utf8_lossy(&parsed.stderr));
    let m: serde_json::Value = serde_json::from_slice(&parsed.stdout).expect("json");
    assert_eq!(m["count"], 1);
    assert_eq!(m["To"], "Jane Doe <jane@example.org>");
    assert_eq!(m["From"], "Acme Corp Security Team <security@acme.test>");
    assert_eq!(m["Subject"], "Re: XSS in search");
    assert_eq!(m["Message-ID"], message_id);
    assert_eq!(m["In-Reply-To"], "<first@reporter.example>");
    assert_eq!(m["References"], "<first@reporter.example>");
    assert_eq!(m["Date"], "Mon, 15 Jun 2026 08:30:00 +0000");
    let body = m["body"].as_str().expect("body");
    assert!(body.contains("- safe, minimal steps to reproduce the issue"), "{body}");
    // The recorded text is the body sent (the maildir adds a final newline).
    let recorded = repo.read("reports/ENIGM-2026-0001/messages/0002-out.md");
    assert_eq!(recorded.trim_end(), body.replace("\r\n", "\n").trim_end());
    assert_eq!(report(&repo)["correspondence"][1]["message_id"].as_str(), Some(message_id));
}

#[test]
fn validate_checks_the_entries_against_the_report_folder() {
    let repo = repo_with("");
    record_first_mail(&repo);
    repo.cmd().arg("validate").assert().success();
    let codes = |repo: &TestRepo| -> (Option<i32>, String) {
        let out = repo.cmd().args(["validate", "--format", "json"]).output().expect("validate");
        (out.status.code(), String::from_utf8_lossy(&out.stdout).into_owned())
    };
    // A file nobody names: a warning (exit 0).
    repo.write("reports/ENIGM-2026-0001/notes.txt", "stray\n");
    let (code, json) = codes(&repo);
    assert_eq!(code, Some(0), "{json}");
    assert!(json.contains("\"message-file-unlisted\"") && json.contains("reports/ENIGM-2026-0001/notes.txt"), "{json}");
    fs::remove_file(repo.root().join("reports/ENIGM-2026-0001/notes.txt")).expect("rm");
    // The named text gone, a name outside the folder, a date in the future: errors.
    fs::remove_file(repo.root().join("reports/ENIGM-2026-0001/messages/0001-in.md")).expect("rm");
    let (code, json) = codes(&repo);
    assert_eq!(code, Some(1));
    assert!(json.contains("\"message-file-missing\""), "{json}");
    let text = repo.read(PATH);
    repo.write(PATH, text.replace("text: messages/0001-in.md", "text: ../ENIGM-2026-0002.md"));
    let (_, json) = codes(&repo);
    assert!(json.contains("is not a path inside the report's folder"), "{json}");
    let text = repo.read(PATH);
    repo.write(PATH, text.replace("at: 2026-06-12T08:00:00Z", "at: 2026-07-01T08:00:00Z"));
    let (_, json) = codes(&repo);
    assert!(json.contains("\"message-date\"") && json.contains("in the future"), "{json}");
}

/// Whether one of the test's clear texts is in `text`. The whole markers, not a prefix: the
/// armoured ciphertext is base64, where `QZX` alone turns up by chance (the test failed so).
fn in_clear(text: &str) -> bool {
    ["QZXTITLE", "QZXATTACHMENT", "QZXSUBJECT", "QZXTEXT"].iter().any(|m| text.contains(m))
}

#[test]
fn a_sealed_repository_seals_every_message_file_and_the_gate_accepts_them() {
    let sandbox = crate::util::Sandbox::new();
    let root = sandbox.work();
    let run = |args: &[&str], stdin: &str| {
        let a = sandbox.cmd_in(&root).env("ENIGM_NOW", NOW).args(args).write_stdin(stdin).assert();
        a.success()
    };
    run(&["init", ".", "--sealed", "--product", "web", "--contact", "security@acme.test"], "");
    run(
        &[
            "new",
            "--title",
            "QZXTITLE",
            "--product",
            "web",
            "--reporter-name",
            "Jane",
            "--reporter-contact",
            "jane@example.org",
        ],
        "",
    );
    fs::write(sandbox.tmp.path().join("poc.txt"), "QZXATTACHMENT\n").expect("poc");
    let poc = sandbox.tmp.path().join("poc.txt");
    // Each commit passes the repository's pre-commit hook (`validate --staged`).
    run(
        &[
            "correspond",
            "1",
            "--in",
            "--subject",
            "QZXSUBJECT",
            "--at",
            "2026-06-15T08:00:00Z",
            "--attach",
            poc.to_str().expect("utf8"),
            "-",
        ],
        "QZXTEXT\n",
    );
    run(&["reply", "1", "--template", "acknowledgement", "--record"], "");
    let folder = root.join("reports/ENIGM-2026-0001");
    let mut stored: Vec<String> = Vec::new();
    for dir in ["messages", "attachments"] {
        for e in fs::read_dir(folder.join(dir)).expect("dir") {
            let path = e.expect("entry").path();
            let text = fs::read_to_string(&path).expect("armoured text");
            assert!(text.starts_with("-----BEGIN AGE ENCRYPTED FILE-----") && !in_clear(&text), "{text}");
            stored.push(path.file_name().expect("name").to_string_lossy().into_owned());
        }
    }
    stored.sort();
    assert_eq!(stored, ["0001-in.md.age", "0001-poc.txt.age", "0002-out.md.age"]);
    let log = std::process::Command::new("git").current_dir(&root).args(["log", "-p", "--all"]).output().expect("git");
    assert!(!in_clear(&String::from_utf8_lossy(&log.stdout)), "nothing in clear in history");
    sandbox.cmd_in(&root).arg("validate").assert().success();

    // Without the key: the acknowledgement still reads from the clear time and direction.
    let keyless =
        |args: &[&str]| sandbox.cmd_in(&root).env("HOME", sandbox.tmp.path()).args(args).output().expect("runs");
    let due = keyless(&["due", "--format", "json"]);
    assert!(
        !String::from_utf8_lossy(&due.stdout).contains("\"acknowledge\""),
        "{}",
        String::from_utf8_lossy(&due.stdout)
    );
    assert!(keyless(&["validate"]).status.success(), "{}", String::from_utf8_lossy(&keyless(&["validate"]).stderr));
    // A damaged sealed file is a finding, with or without the key.
    let path = folder.join("attachments/0001-poc.txt.age");
    let text = fs::read_to_string(&path).expect("sealed");
    fs::write(&path, &text[..text.len() / 2]).expect("cut");
    for out in [
        keyless(&["validate", "--format", "json"]),
        sandbox.cmd_in(&root).args(["validate", "--format", "json"]).output().expect("runs"),
    ] {
        assert_eq!(out.status.code(), Some(1));
        assert!(
            String::from_utf8_lossy(&out.stdout).contains("\"sealed-file-damaged\""),
            "{}",
            String::from_utf8_lossy(&out.stdout)
        );
    }
}

#[test]
fn a_repository_template_overrides_the_built_in_one() {
    let repo = repo_with("");
    repo.cmd().args(["templates", "export"]).assert().success();
    assert!(
        repo.read("templates/messages/out-of-scope.j2").contains("policy.out_of_scope"),
        "exported with the others"
    );
    repo.write(
        "templates/messages/acknowledgement.j2",
        "Subject: Got it ({{ report.id }})\n\nHi {{ reporter.name }},\r\nthanks.\n",
    );
    let out = repo.cmd().args(["reply", "1", "--template", "acknowledgement"]).assert().success();
    let (fields, body) = parse(&stdout(&out));
    assert_eq!(field(&fields, "Subject"), Some("Got it (ENIGM-2026-0001)"));
    assert!(body.starts_with("Hi Jane Doe,"), "{body}");
    // An undefined variable is an error that names the template, not an empty value.
    repo.write("templates/messages/acknowledgement.j2", "Subject: x\n\n{{ reporter.phone }}\n");
    let err = repo.cmd().args(["reply", "1", "--template", "acknowledgement"]).assert().code(2);
    assert!(stderr(&err).contains("messages/acknowledgement.j2"), "{}", stderr(&err));
    let err = repo.cmd().args(["reply", "1", "--template", "acknowledgment"]).assert().code(2);
    assert!(stderr(&err).contains("there is no message template `acknowledgment`"), "{}", stderr(&err));
}

#[test]
fn a_commit_that_fails_after_the_send_says_so_with_the_message_id() {
    use std::os::unix::fs::PermissionsExt;
    let repo = repo_with("mail:\n  transport: sendmail\n");
    let (script, outbox) = fake_sendmail(&repo, 0);
    let hook = repo.root().join(".git/hooks/commit-msg");
    fs::write(&hook, "#!/bin/sh\necho 'commit-msg: refused' >&2\nexit 1\n").expect("hook");
    fs::set_permissions(&hook, fs::Permissions::from_mode(0o755)).expect("chmod");
    let before = (repo.head_id(), repo.read(PATH));
    let err = repo
        .cmd()
        .env("ENIGM_SENDMAIL", &script)
        .args(["reply", "1", "--template", "acknowledgement", "--send"])
        .assert()
        .code(2);
    let sent = fs::read_to_string(outbox.join("message")).expect("it was sent");
    let (fields, _) = parse(&sent);
    let id = field(&fields, "Message-ID").expect("id");
    let said = stderr(&err);
    assert!(said.contains("WAS SENT") && said.contains(id) && said.contains("correspond"), "{said}");
    assert_eq!((repo.head_id(), repo.read(PATH)), before, "the record is not half-written");
    assert!(!repo.root().join("reports/ENIGM-2026-0001/messages/0001-out.md").exists());
}

/// Regression: `correspond --at` outside [reported, today] was committed and `validate` then
/// failed on `message-date`; a clone has no pre-commit hook, so the command must refuse it.
#[test]
fn a_message_dated_in_the_future_or_before_the_report_is_refused_and_nothing_is_written() {
    let repo = repo_with("");
    let before = repo.commit_count();
    for (at, why) in [
        ("2026-07-01T09:00:00Z", "in the future (today is 2026-06-15)"),
        ("2026-06-01T09:00:00Z", "before the report's `reported` date 2026-06-12"),
    ] {
        let a = repo
            .cmd()
            .args(["correspond", "1", "--in", "--subject", "x", "--no-verify", "--at", at, "-"])
            .write_stdin("hello\n")
            .assert()
            .code(2);
        assert!(stderr(&a).contains(why), "{}", stderr(&a));
    }
    assert_eq!(repo.commit_count(), before);
    assert!(repo.status().is_empty(), "{:?}", repo.status());
    repo.cmd().arg("validate").assert().success();
}

/// Issue 18's bulk reply: `reply` takes `list`'s query as `advance` does (it took ids only,
/// though the help of the selection said otherwise): every received report is acknowledged,
/// one commit each, and the triaged one is left alone.
#[test]
fn reply_acts_on_a_query_one_commit_per_report() {
    let repo = repo_with("");
    for (title, who) in [("SQLi", "sam@example.org"), ("CSRF", "kim@example.org")] {
        repo.cmd()
            .args(["new", "--title", title, "--product", "web", "--reporter-name", "R"])
            .args(["--reporter-contact", who])
            .assert()
            .success();
    }
    repo.cmd().args(["advance", "3", "rejected", "--resolution", "spam"]).assert().success();
    let before = repo.commit_count();
    let a = repo
        .cmd()
        .args(["reply", "--state", "received", "--template", "acknowledgement", "--record"])
        .assert()
        .success();
    let out = stdout(&a);
    assert!(out.contains("ENIGM-2026-0001: recorded as sent to jane@example.org"), "{out}");
    assert!(out.contains("ENIGM-2026-0002: recorded as sent to sam@example.org"), "{out}");
    assert!(!out.contains("ENIGM-2026-0003"), "{out}");
    assert_eq!(repo.commit_count(), before + 2);
    let none = repo.cmd().args(["reply", "--state", "fixed", "--template", "fixed", "--record"]).assert().success();
    assert!(stderr(&none).contains("no reports match the query"), "{}", stderr(&none));
    let both = repo.cmd().args(["reply", "1", "--state", "received", "--template", "acknowledgement"]).assert().code(2);
    assert!(stderr(&both).contains("not both"), "{}", stderr(&both));
    assert_eq!(repo.commit_count(), before + 2);
    repo.cmd().arg("validate").assert().success();
}
