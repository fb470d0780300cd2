//! Templates from a repository run sandboxed: no file access, bounded recursion, output and
//! instructions, so a malicious override cannot read secrets, exhaust memory or hang CI.

use std::time::{Duration, Instant};

use super::validate::PUBLISHED;
use crate::util::{TestRepo, stderr};

fn with_template(name: &str, source: &str) -> TestRepo {
    let repo = TestRepo::new();
    repo.write("reports/ENIGM-2026-0001.md", PUBLISHED);
    repo.write(&format!("templates/{name}"), source);
    repo
}

/// A malicious `advisory.md.j2` stops `render` with exit 2 and `expected` in the error, no
/// file content in it, in time.
fn is_stopped(source: &str, expected: &str) {
    let repo = with_template("advisory.md.j2", source);
    let started = Instant::now();
    let a = repo.cmd().args(["render", "1", "--format", "md"]).timeout(Duration::from_secs(120)).assert().code(2);
    assert!(stderr(&a).contains(expected), "{source}: {}", stderr(&a));
    assert!(!stderr(&a).contains("root:"), "no file content leaks into the error");
    assert!(started.elapsed() < Duration::from_secs(120));
}

/// One test per malicious template (they run in parallel).
mod a_malicious_template_is_stopped_with_a_clear_error {
    use super::is_stopped;

    #[test]
    fn include_of_an_absolute_path() {
        is_stopped("{% include \"/etc/passwd\" %}", "template not found");
    }

    #[test]
    fn include_out_of_the_templates() {
        is_stopped("{% include \"../enigm.yaml\" %}", "template not found");
    }

    #[test]
    fn endless_recursion() {
        is_stopped("{% macro f(n) %}{{ f(n) }}{% endmacro %}{{ f(1) }}", "recursion limit exceeded");
    }

    #[test]
    fn a_huge_range() {
        is_stopped("{% for i in range(100000000) %}x{% endfor %}", "range has too many elements");
    }

    #[test]
    fn a_long_loop() {
        is_stopped("{% for i in range(10000) %}{% for j in range(10000) %}{% endfor %}{% endfor %}", "ran out of fuel");
    }

    #[test]
    fn a_huge_repeated_string() {
        is_stopped("{{ \"x\" * 1000000000 }}", "repeated string is too large");
    }

    #[test]
    fn a_string_doubled_in_a_loop() {
        is_stopped(
            "{% set ns = namespace(s=\"x\") %}{% for i in range(40) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}{{ ns.s|length }}",
            "templates/advisory.md.j2 was stopped: it held more than 160 MiB",
        );
    }

    #[test]
    fn a_list_doubled_in_a_loop() {
        is_stopped(
            "{% set ns = namespace(l=[1]) %}{% for i in range(40) %}{% set ns.l = ns.l + ns.l %}{% endfor %}{{ ns.l|length }}",
            "templates/advisory.md.j2 was stopped",
        );
    }

    #[test]
    fn concatenated_repeats() {
        is_stopped("{{ (\"x\" * 99999999) ~ (\"x\" * 99999999) ~ (\"x\" * 99999999) }}", "was stopped");
    }

    #[test]
    fn a_join_of_a_huge_range() {
        is_stopped("{{ range(100000)|join(\"x\" * 10000) }}", "was stopped");
    }

    #[test]
    fn a_replace_that_grows() {
        is_stopped("{{ (\"x\" * 99999999)|replace(\"x\", \"yy\")|replace(\"y\", \"zz\")|length }}", "was stopped");
    }

    #[test]
    fn nested_loops_over_huge_ranges() {
        is_stopped(
            "{% for i in range(100000) %}{% for j in range(100000) %}{{ i }}{% endfor %}{% endfor %}",
            "ran out of fuel",
        );
    }

    #[test]
    fn a_huge_output() {
        is_stopped("{% set s = \"x\" * 10000000 %}{% for i in range(50) %}{{ s }}{% endfor %}", "output passed 64 MiB");
    }
}

#[test]
fn a_template_that_burns_fuel_on_every_page_stops_the_site_early() {
    let repo = TestRepo::new();
    for n in 1..=40 {
        let text = PUBLISHED
            .replace("ENIGM-2026-0001", &format!("ENIGM-2026-{n:04}"))
            .replace("CVE-2026-12345", &format!("CVE-2026-{:05}", 30000 + n));
        repo.write(&format!("reports/ENIGM-2026-{n:04}.md"), text);
    }
    // About 40 million instructions per page: under the per-render limit, but 40 pages of it
    // would be 1.6 billion; the site-wide budget stops it after a few.
    repo.write(
        "templates/advisory.md.j2",
        "{% for i in range(2000) %}{% for j in range(5000) %}{% endfor %}{% endfor %}done",
    );
    let site = repo.sandbox.tmp.path().join("site");
    let a = repo.cmd().args(["render", "--out"]).arg(&site).timeout(Duration::from_secs(300)).assert().code(2);
    assert!(stderr(&a).contains("instructions in all") || stderr(&a).contains("ran out of fuel"), "{}", stderr(&a));
    assert!(!site.join("index.html").exists(), "nothing is written when rendering fails");
}

/// The memory a hostile template makes the process hold stays bounded (a generous bound on
/// the peak resident size, measured by /usr/bin/time when it is installed).
#[test]
fn a_string_doubling_template_stays_within_bounded_memory() {
    if !std::path::Path::new("/usr/bin/time").exists() {
        return;
    }
    let repo = with_template(
        "advisory.md.j2",
        "{% set ns = namespace(s=\"x\") %}{% for i in range(40) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}{{ ns.s }}",
    );
    let out = std::process::Command::new("/usr/bin/time")
        .args(["-f", "PEAK %M"])
        .arg(assert_cmd::cargo::cargo_bin("enigm-disclose"))
        .args(["render", "1", "--format", "md"])
        .current_dir(repo.root())
        .output()
        .expect("time");
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("templates/advisory.md.j2 was stopped"), "{err}");
    let kb: u64 =
        err.lines().rev().find_map(|l| l.strip_prefix("PEAK ")).and_then(|k| k.trim().parse().ok()).unwrap_or(0);
    assert!(kb < 300 * 1024, "peak {kb} KiB");
}
