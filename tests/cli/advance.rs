//! `advance` through the binary: every step of the lifecycle, guards, refusals, overrides,
//! format preservation, the user's index, and faults that must leave everything as it was.

use std::fs;
use std::path::Path;

use crate::util::{TestRepo, stderr, stdout};

const PATH: &str = "reports/ENIGM-2026-0001.md";

/// A repository with one received report whose body is already written.
fn repo_with_report() -> TestRepo {
    let repo = TestRepo::new();
    let body = repo.sandbox.tmp.path().join("body.md");
    fs::write(&body, "## Summary\n\nThe search page reflects the q parameter.\n\n## Impact\n\nSession theft.\n\n## Reproduction\n\nOpen /search?q=<script>.\n").expect("body");
    repo.cmd()
        .args(["new", "--title", "XSS in search", "--product", "web", "--reporter-name", "Jane Doe", "--body-file"])
        .arg(&body)
        .assert()
        .success();
    repo
}

fn edit(repo: &TestRepo, f: impl Fn(String) -> String) {
    repo.write(PATH, f(repo.read(PATH)));
}

fn advance(repo: &TestRepo, args: &[&str]) -> assert_cmd::assert::Assert {
    repo.cmd().arg("advance").args(args).assert()
}

/// Snapshot of what must not change on a failed step.
fn state_of(repo: &TestRepo) -> (String, git2::Oid, Vec<u8>) {
    (repo.read(PATH), repo.head_id(), fs::read(repo.root().join(".git/index")).expect("index"))
}

#[test]
fn a_report_walks_from_received_to_withdrawn() {
    let repo = repo_with_report();
    edit(&repo, |t| {
        t.replace("cwe: []", "severity:\n  cvss: CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N\ncwe: [CWE-79]")
    });
    let a = advance(&repo, &["1", "triaged", "--note", "Medium; reproducible", "--date", "2026-06-15"]).success();
    assert!(stdout(&a).contains("ENIGM-2026-0001: received → triaged"), "{}", stdout(&a));
    assert_eq!(repo.head_paths(), [PATH]);
    assert_eq!(
        repo.head_message(),
        "ENIGM-2026-0001: received → triaged\n\nMedium; reproducible\n\nDisclosure-Id: ENIGM-2026-0001\nDisclosure-State: triaged\nDisclosure-Previous-State: received\n"
    );
    assert!(repo.status().is_empty(), "edit-then-advance committed both: {:?}", repo.status());

    edit(&repo, |t| t.replace("  - name: web\n", "  - name: web\n    affected: '< 2.4.1'\n"));
    advance(&repo, &["2026-1", "confirmed"]).success();
    advance(&repo, &["ENIGM-2026-0001", "remediating"]).success();
    edit(&repo, |t| {
        t.replace("    affected: '< 2.4.1'\n", "    affected: '< 2.4.1'\n    fixed: '2.4.1'\n")
            + "\n## Remediation\n\nUpgrade to 2.4.1.\n"
    });
    advance(&repo, &["1", "fixed"]).success();
    advance(&repo, &["1", "published"]).success();
    let text = repo.read(PATH);
    assert!(text.contains("\npublished: 2026-06-15\ntimeline:\n"), "{text}");
    let a = advance(&repo, &["1", "withdrawn"]).code(1);
    assert!(stderr(&a).contains("withdrawing ENIGM-2026-0001 needs a reason"), "{}", stderr(&a));
    advance(&repo, &["1", "withdrawn", "--reason", "Duplicate of an upstream advisory"]).success();
    let text = repo.read(PATH);
    for line in [
        "state: withdrawn\n",
        "withdrawn: 2026-06-15\n",
        "    state: withdrawn\n",
        "    note: 'Reason: Duplicate of an upstream advisory'\n",
    ] {
        assert!(text.contains(line), "{line} in\n{text}");
    }
    assert_eq!(text.matches("  - date:").count(), 7, "one timeline entry per step");
    repo.cmd().arg("validate").assert().success();
    let a = advance(&repo, &["1", "published"]).code(1);
    assert!(stderr(&a).contains("`withdrawn` is final"), "{}", stderr(&a));
}

#[test]
fn illegal_steps_and_unmet_guards_are_refused_and_change_nothing() {
    let repo = repo_with_report();
    let before = state_of(&repo);
    let a = advance(&repo, &["1", "published"]).code(1);
    assert!(stderr(&a).contains("`received` → `published` is not a step"), "{}", stderr(&a));
    assert!(stderr(&a).contains("triaged, needs-info, rejected"));
    let a = advance(&repo, &["1", "triaged"]).code(1);
    let err = stderr(&a);
    assert!(err.contains("cannot move to `triaged`: 1 requirement not met"), "{err}");
    assert!(err.contains("a triaged report needs a severity"), "{err}");
    assert!(err.contains("reports/ENIGM-2026-0001.md:1:1"), "points into the file: {err}");
    assert_eq!(state_of(&repo), before);
}

#[test]
fn rejection_needs_a_resolution_and_reopening_clears_it() {
    let repo = repo_with_report();
    repo.new_report("original");
    advance(&repo, &["1", "rejected"]).code(1);
    advance(&repo, &["1", "rejected", "--resolution", "duplicate", "--duplicate-of", "2"]).success();
    let text = repo.read(PATH);
    assert!(text.contains("resolution: duplicate\nduplicate_of: ENIGM-2026-0002\ntimeline:"), "{text}");
    assert!(repo.head_message().contains("Disclosure-State: rejected"));
    edit(&repo, |t| t.replace("cwe: []", "severity:\n  level: low\ncwe: []"));
    advance(&repo, &["1", "triaged", "--note", "Reopened: not a duplicate after all"]).success();
    let text = repo.read(PATH);
    assert!(!text.contains("resolution:") && !text.contains("duplicate_of:"), "{text}");
    repo.cmd().arg("validate").assert().success();
}

/// Moves the report to `fixed` with an embargo, then returns the repository.
fn fixed_under_embargo() -> TestRepo {
    let repo = repo_with_report();
    edit(&repo, |t| {
        t.replace("cwe: []", "severity:\n  level: high\nembargo_until: 2026-07-01\ncwe: []")
            .replace("  - name: web\n", "  - name: web\n    affected: '< 2.4.1'\n")
            + "\n## Remediation\n\nUpgrade to 2.4.1 when released.\n"
    });
    for s in ["triaged", "confirmed", "remediating"] {
        advance(&repo, &["1", s]).success();
    }
    edit(&repo, |t| {
        t.replace("embargo_until: 2026-07-01\n", "embargo_until: 2026-07-01\nmitigation: Disable search.\n")
    });
    advance(&repo, &["1", "fixed"]).success();
    repo
}

#[test]
fn publishing_under_embargo_is_refused_unless_forced_with_a_reason() {
    let repo = fixed_under_embargo();
    let before = state_of(&repo);
    let a = advance(&repo, &["1", "published"]).code(1);
    assert!(stderr(&a).contains("under embargo until 2026-07-01"), "{}", stderr(&a));
    let a = advance(&repo, &["1", "published", "--force"]).code(2);
    assert!(stderr(&a).contains("--force needs --reason"), "{}", stderr(&a));
    assert_eq!(state_of(&repo), before);
    let a =
        advance(&repo, &["1", "published", "--force", "--reason", "Exploited in the wild; reporter agreed"]).success();
    assert!(stdout(&a).contains("overridden: the report is under embargo until 2026-07-01"), "{}", stdout(&a));
    let msg = repo.head_message();
    assert!(msg.contains("Disclosure-Override: Exploited in the wild; reporter agreed"), "{msg}");
    assert!(
        repo.read(PATH).contains(
            "note: 'Override (the report is under embargo until 2026-07-01): Exploited in the wild; reporter agreed'"
        ),
        "{}",
        repo.read(PATH)
    );
    // On the embargo date itself publishing is allowed.
    let repo = fixed_under_embargo();
    advance(&repo, &["1", "published", "--date", "2026-07-01"]).code(1); // date in the future (today is 2026-06-15)
    repo.cmd().env("ENIGM_TODAY", "2026-07-01").args(["advance", "1", "published"]).assert().success();
}

#[test]
fn publishing_the_day_before_the_embargo_date_is_refused_on_and_after_it_allowed() {
    let repo = fixed_under_embargo();
    let fixed = repo.read(PATH);
    let on = |day: &str| repo.cmd().env("ENIGM_TODAY", day).args(["advance", "1", "published", "--no-commit"]).assert();
    let a = on("2026-06-30").code(1);
    assert!(stderr(&a).contains("embargo-active"), "{}", stderr(&a));
    assert!(stderr(&a).contains("under embargo until 2026-07-01"), "{}", stderr(&a));
    assert_eq!(repo.read(PATH), fixed, "a refused step changes nothing");
    for day in ["2026-07-01", "2026-07-02"] {
        on(day).success();
        assert!(repo.read(PATH).contains(&format!("published: {day}")), "{day}: {}", repo.read(PATH));
        repo.write(PATH, fixed.clone());
    }
}

#[test]
fn the_edit_preserves_comments_quoting_and_the_body_and_keeps_the_users_index() {
    let repo = repo_with_report();
    edit(&repo, |t| {
        t.replace("title: XSS in search", "# Triage owner: Sam\ntitle: \"XSS in search\"   # as reported")
            .replace("cwe: []", "severity:\n  level: medium  # provisional\n\ncwe: []")
            .replace('\n', "\r\n")
    });
    // Commit this formatting, then leave unrelated staged and unstaged work around.
    crate::cli::validate::commit_all(&repo, "reformat");
    repo.write("enigm.yaml", repo.read("enigm.yaml") + "# staged\n");
    let git = repo.git();
    let mut index = git.index().expect("index");
    index.add_path(Path::new("enigm.yaml")).expect("stage");
    index.write().expect("write");
    repo.write("notes.txt", "scratch\n");

    let before = repo.read(PATH);
    advance(&repo, &["1", "triaged"]).success();
    let after = repo.read(PATH);
    let expected = before.replacen("\r\nstate: received\r\n", "\r\nstate: triaged\r\n", 1).replace(
        "    by: Test Lead\r\n---",
        "    by: Test Lead\r\n  - date: 2026-06-15\r\n    state: triaged\r\n    by: Test Lead\r\n---",
    );
    assert_eq!(after, expected, "only the state line changes and one entry is appended");
    assert_eq!(repo.head_paths(), [PATH]);
    let status: std::collections::HashMap<String, git2::Status> = repo.status().into_iter().collect();
    assert!(status["enigm.yaml"].contains(git2::Status::INDEX_MODIFIED), "{status:?}");
    assert!(status["notes.txt"].contains(git2::Status::WT_NEW));
    assert_eq!(status.len(), 2, "{status:?}");
}

#[test]
fn faults_leave_the_file_the_index_and_head_as_they_were() {
    let repo = repo_with_report();
    edit(&repo, |t| t.replace("cwe: []", "severity:\n  level: low\ncwe: []"));
    let before = state_of(&repo);

    fs::write(repo.root().join(".git/index.lock"), "").expect("lock");
    let a = advance(&repo, &["1", "triaged"]).code(2);
    assert!(stderr(&a).contains("the git index is locked"), "{}", stderr(&a));
    assert_eq!(state_of(&repo), before);
    fs::remove_file(repo.root().join(".git/index.lock")).expect("unlock");

    // The branch is locked by another process: the commit fails after the index was written,
    // and the index must be put back.
    fs::write(repo.root().join(".git/refs/heads/main.lock"), "").expect("ref lock");
    let a = advance(&repo, &["1", "triaged"]).code(2);
    assert!(stderr(&a).contains("could not move refs/heads/main"), "{}", stderr(&a));
    let after = state_of(&repo);
    assert_eq!((&after.0, after.1), (&before.0, before.1));
    let git = repo.git();
    let entry = git.index().expect("index").get_path(Path::new(PATH), 0).expect("entry");
    let head_blob =
        git.head().expect("head").peel_to_tree().expect("tree").get_path(Path::new(PATH)).expect("blob").id();
    assert_eq!(entry.id, head_blob, "index entry restored to HEAD's blob");
    fs::remove_file(repo.root().join(".git/refs/heads/main.lock")).expect("unlock");

    repo.sandbox.forget_identity();
    let a = advance(&repo, &["1", "triaged"]).code(2);
    assert!(stderr(&a).contains("no git identity"), "{}", stderr(&a));
    assert_eq!(state_of(&repo), before);
    fs::write(repo.sandbox.home().join(".gitconfig"), "[user]\n\tname = Test Lead\n\temail = lead@example.test\n")
        .expect("identity");

    git.set_head_detached(before.1).expect("detach");
    let a = advance(&repo, &["1", "triaged"]).code(2);
    assert!(stderr(&a).contains("HEAD is detached"), "{}", stderr(&a));
    assert_eq!(repo.read(PATH), before.0);
    git.set_head("refs/heads/main").expect("back");

    // --no-commit works without identity or a branch, and commits nothing.
    advance(&repo, &["1", "triaged", "--no-commit"]).success();
    assert_eq!(repo.head_id(), before.1);
    assert!(repo.read(PATH).contains("state: triaged"));
}

#[test]
fn an_unborn_head_and_an_invalid_report_are_refused() {
    let sb = crate::util::Sandbox::new();
    let root = sb.work();
    sb.cmd_in(&root).args(["init", ".", "--product", "web", "--no-commit"]).assert().success();
    sb.cmd_in(&root)
        .args(["new", "--title", "t", "--product", "web", "--reporter-name", "R", "--no-commit"])
        .assert()
        .success();
    let a = sb.cmd_in(&root).args(["advance", "1", "needs-info"]).assert().code(2);
    assert!(stderr(&a).contains("no commits yet"), "{}", stderr(&a));

    let repo = repo_with_report();
    edit(&repo, |t| {
        t.replace("title: XSS in search", "<<<<<<< HEAD\ntitle: XSS in search\n=======\ntitle: XSS\n>>>>>>> other")
    });
    let before = repo.read(PATH);
    let a = advance(&repo, &["1", "needs-info"]).code(1);
    assert!(stderr(&a).contains("is not valid; fix it first"), "{}", stderr(&a));
    assert_eq!(repo.read(PATH), before);
}

#[test]
fn ids_resolve_like_git_abbreviations() {
    let repo = repo_with_report();
    let body = repo.sandbox.tmp.path().join("old.md");
    fs::write(&body, "## Summary\n\nAn old report.\n").expect("body");
    repo.cmd()
        .args([
            "new",
            "--title",
            "old",
            "--product",
            "web",
            "--reporter-name",
            "R",
            "--reported",
            "2025-03-01",
            "--body-file",
        ])
        .arg(&body)
        .assert()
        .success();
    // A bare number is this year's report (the clock says 2026), with a note.
    let a = advance(&repo, &["1", "needs-info"]).success();
    assert!(repo.head_message().starts_with("ENIGM-2026-0001: received → needs-info"));
    assert!(
        stderr(&a).contains("note: `1` is read as ENIGM-2026-0001, this year's; also numbered so: ENIGM-2025-0001"),
        "{}",
        stderr(&a)
    );
    advance(&repo, &["2025-1", "needs-info"]).success();
    assert!(repo.head_message().starts_with("ENIGM-2025-0001: received → needs-info"));
    // In a year with neither, the number is ambiguous: both listed, one per line.
    let a = repo.cmd().args(["advance", "1", "triaged"]).env("ENIGM_TODAY", "2027-01-04").assert().code(2);
    let err = stderr(&a);
    assert!(err.contains("`1` is ambiguous"), "{err}");
    assert!(err.contains("\n          ENIGM-2025-0001\n          ENIGM-2026-0001\n"), "{err}");
}

#[test]
fn states_prints_the_table_and_diagrams() {
    let repo = TestRepo::new();
    let a = repo.cmd().arg("states").assert().success();
    assert!(
        stdout(&a).contains("fixed       → published    advisory published in coordination with the reporter"),
        "{}",
        stdout(&a)
    );
    let vex_step =
        "A VEX statement (vex_only: true) may also take:\n  triaged     → published    VEX statement published";
    assert!(stdout(&a).contains(vex_step), "{}", stdout(&a));
    assert!(stdout(&a).contains("\n  published    products; published date; sections: Summary\n"), "{}", stdout(&a));
    let a = repo.cmd().args(["states", "--format", "dot"]).assert().success();
    assert!(stdout(&a).starts_with("digraph lifecycle {") && stdout(&a).contains("\"rejected\" -> \"triaged\""));
    assert!(stdout(&a).contains("\"triaged\" -> \"published\" [label=\"VEX statement published"), "{}", stdout(&a));
    let a = repo.cmd().args(["states", "--format", "mermaid"]).assert().success();
    assert!(stdout(&a).contains("needs_info --> triaged"));
    let a = repo.cmd().args(["states", "--format", "json"]).assert().success();
    let v: serde_json::Value = serde_json::from_slice(&a.get_output().stdout).expect("json");
    assert_eq!(v["transitions"].as_array().map(Vec::len), Some(16));
    assert_eq!(v["vex_transitions"][0]["to"], "published");
    assert_eq!(v["states"][2]["vex_requires"], serde_json::json!(["sections: Summary"]), "triaged");
}

/// docs/lifecycle.md shows the table and the diagram exactly as `states` prints them.
#[test]
fn the_lifecycle_doc_is_what_states_prints() {
    let repo = TestRepo::new();
    let doc = fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/lifecycle.md")).expect("doc");
    for format in ["text", "mermaid"] {
        let out = stdout(&repo.cmd().args(["states", "--format", format]).assert().success());
        assert!(doc.contains(&out), "docs/lifecycle.md lacks `states --format {format}`:\n{out}");
    }
}

#[test]
fn a_secret_in_a_note_or_an_override_reason_is_refused_masked_and_never_committed() {
    const KEY: &str = "AKIAZ7VRSQ5TJ3XKQ4ME";
    let repo = fixed_under_embargo();
    let before = state_of(&repo);
    // Under embargo (forced, the reason is recorded), and on the embargo date (not forced).
    for (today, args) in [
        ("2026-06-15", &["1", "published", "--force", "--reason", &format!("approved with key {KEY}")][..]),
        ("2026-06-15", &["1", "published", "--force", "--reason", "agreed", "--note", &format!("key {KEY}")]),
        ("2026-07-01", &["1", "published", "--note", &format!("key {KEY}")]),
    ] {
        let out = repo.cmd().env("ENIGM_TODAY", today).arg("advance").args(args).output().expect("runs");
        let all = String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{args:?}: {all}");
        assert!(!all.contains(KEY) && !all.contains(&KEY[6..]), "{args:?} leaked the key: {all}");
        assert!(all.contains("secret"), "{args:?}: {all}");
        assert_eq!(state_of(&repo), before, "{args:?}: nothing written or committed");
    }
}

/// Every requirement of a step is a finding (exit 1) that names its field; flags that do not
/// go together are usage errors (exit 2). One row per requirement path of `advance`.
#[test]
fn requirements_exit_1_with_a_finding_and_usage_exits_2() {
    let repo = repo_with_report();
    repo.new_report("original");
    let published = repo_with_report();
    edit(&published, |t| {
        t.replace("cwe: []", "severity:\n  level: high\nmitigation: Disable search.\ncwe: []")
            .replace("  - name: web\n", "  - name: web\n    affected: '< 2.4.1'\n")
            + "\n## Remediation\n\nDisable search.\n"
    });
    for s in ["triaged", "confirmed", "remediating", "fixed", "published"] {
        advance(&published, &["1", s]).success();
    }
    let rows: &[(&TestRepo, &[&str], i32, &str)] = &[
        // Requirements of the target state: findings, located, naming the field.
        (&repo, &["1", "rejected"], 1, "Error: missing-resolution"),
        (&repo, &["1", "rejected"], 1, "a rejected report needs a `resolution`"),
        (&repo, &["1", "rejected", "--resolution", "duplicate"], 1, "a duplicate needs `duplicate_of`"),
        (
            &repo,
            &["1", "rejected", "--resolution", "duplicate", "--duplicate-of", "9"],
            1,
            "`duplicate_of` names `9`, which is not another report here",
        ),
        (
            &repo,
            &["1", "rejected", "--resolution", "duplicate", "--duplicate-of", "1"],
            1,
            "`duplicate_of` names the report itself (ENIGM-2026-0001)",
        ),
        (&repo, &["1", "triaged"], 1, "a triaged report needs a severity"),
        (&repo, &["1", "published"], 1, "is not a step of the disclosure lifecycle"),
        (&published, &["1", "withdrawn"], 1, "withdrawing ENIGM-2026-0001 needs a reason"),
        (&published, &["1", "withdrawn", "--reason", " "], 1, "Error: missing-reason"),
        // Flags that do not go together: usage.
        (&repo, &["1", "triaged", "--resolution", "wont-fix"], 2, "are for rejecting, not for `triaged`"),
        (&repo, &["1", "needs-info", "--duplicate-of", "2"], 2, "are for rejecting, not for `needs-info`"),
        (
            &repo,
            &["1", "rejected", "--resolution", "wont-fix", "--duplicate-of", "2"],
            2,
            "only goes with the resolution `duplicate`",
        ),
        (&published, &["1", "withdrawn", "--force"], 2, "--force needs --reason"),
        (&repo, &["1", "rejected", "--resolution", "banana"], 2, "unknown resolution `banana`"),
        (&repo, &["99", "triaged"], 2, "no report `99`"),
    ];
    for (repo, args, code, expected) in rows {
        let before = state_of(repo);
        let a = advance(repo, args).code(*code);
        let err = stderr(&a);
        assert!(err.contains(expected), "advance {args:?}: expected `{expected}` in\n{err}");
        assert!(!err.contains("no such other report"), "{err}");
        if *code == 1 && !expected.contains("not a step") && !expected.contains("reason") {
            assert!(err.contains("reports/ENIGM-2026-0001.md:"), "advance {args:?}: located: {err}");
        }
        assert_eq!(state_of(repo), before, "advance {args:?} changed nothing");
    }
}

/// needs-info is where a team asks because it cannot write the summary yet; a rejection is
/// explained by its resolution.
#[test]
fn needs_info_and_rejected_need_no_written_summary() {
    let repo = TestRepo::new();
    repo.new_report("Unclear report");
    advance(&repo, &["1", "needs-info", "--note", "Which version?"]).success();
    assert!(repo.read(PATH).contains("TODO: One paragraph"), "the skeleton is still unwritten");
    advance(&repo, &["1", "rejected", "--resolution", "out-of-scope"]).success();
    repo.cmd().arg("validate").assert().success();
}

/// A reporter who retracts before publication: `rejected` with `resolution: retracted`, from
/// any open state (here `fixed`), counted as rejected, never due, never exported.
#[test]
fn a_retracted_report_is_closed_and_never_published() {
    let repo = repo_with_report();
    edit(&repo, |t| {
        t.replace("cwe: []", "severity:\n  level: high\nmitigation: Disable search.\ncwe: []")
            .replace("  - name: web\n", "  - name: web\n    affected: '< 2.4.1'\n")
            + "\n## Remediation\n\nDisable search.\n"
    });
    for s in ["triaged", "confirmed", "remediating", "fixed"] {
        advance(&repo, &["1", s]).success();
    }
    let a = advance(&repo, &["1", "rejected", "--resolution", "retracted", "--note", "The reporter retracted it"]);
    let a = a.success();
    assert!(stdout(&a).contains("fixed → rejected"), "{}", stdout(&a));
    let text = repo.read(PATH);
    assert!(text.contains("state: rejected\n") && text.contains("resolution: retracted\n"), "{text}");
    repo.cmd().arg("validate").assert().success();
    repo.cmd().arg("verify").assert().success();
    let open = stdout(&repo.cmd().args(["list", "--open", "--format", "json"]).assert().success());
    assert!(!open.contains("ENIGM-2026-0001"), "{open}");
    let stats: serde_json::Value =
        serde_json::from_str(&stdout(&repo.cmd().args(["stats", "--format", "json"]).assert().success()))
            .expect("json");
    assert_eq!(stats["by_state"]["rejected"], 1, "{stats}");
    let due = stdout(&repo.cmd().args(["due", "--format", "json"]).assert().success());
    assert!(!due.contains("ENIGM-2026-0001"), "{due}");
    repo.cmd().args(["render", "--out", "site"]).assert().success();
    let site = crate::util::work_tree_files(&repo.root().join("site"), &[]);
    assert!(
        site.iter().all(|(p, b)| !p.to_string_lossy().contains("ENIGM-2026-0001")
            && !String::from_utf8_lossy(b).contains("ENIGM-2026-0001")),
        "nothing of it is exported"
    );
    for format in ["osv", "csaf", "cve", "md"] {
        let a = repo.cmd().args(["render", "1", "--format", format]).assert().code(2);
        assert!(stderr(&a).contains("is rejected and is not public"), "{format}: {}", stderr(&a));
    }
    // The reporter changes their mind: reopened, resolution removed.
    advance(&repo, &["1", "triaged"]).success();
    assert!(!repo.read(PATH).contains("resolution:"));
}
