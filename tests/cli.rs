//! Integration tests: the real binary on real temporary git repositories.
//! One test binary (faster to link), one module per area.

mod util;

mod cli {
    mod advance;
    mod advisories;
    mod aggregate;
    mod architecture;
    mod audit;
    mod backports;
    mod boundary;
    mod bulk;
    mod ci;
    mod conformance;
    mod cra;
    mod crash;
    mod diagnostics;
    mod distribution;
    mod docs;
    mod exports;
    mod faults;
    mod gate;
    mod gitrules;
    mod help;
    mod hook;
    mod hostile;
    mod incremental;
    mod init;
    mod intake_mail;
    mod new;
    mod oracle;
    mod pages;
    mod parse;
    mod policy;
    mod public_face;
    mod queries;
    mod readme;
    mod render;
    mod renumber;
    mod reply;
    mod sandbox;
    mod sarif;
    mod sealed;
    mod seams;
    mod shard;
    mod ssvc;
    mod staged_scope;
    mod validate;
    mod verify;
    mod vex;
    mod writes;
    mod xss;
}

/// Every `tests/cli/*.rs` is a `mod` above, and every `tests/*.rs` is a test target of
/// Cargo.toml (`autotests = false`) or a `mod` of this file: a file forgotten here would
/// compile nowhere and its tests would never run.
#[test]
fn no_forgotten_test_files() {
    use std::collections::BTreeSet;
    use std::path::Path;
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let rs_files = |dir: &Path| -> BTreeSet<String> {
        std::fs::read_dir(dir)
            .expect("tests dir")
            .map(|e| e.expect("entry").path())
            .filter(|p| p.is_file() && p.extension().is_some_and(|e| e == "rs"))
            .map(|p| p.file_stem().expect("stem").to_string_lossy().into_owned())
            .collect()
    };
    let this = std::fs::read_to_string(root.join("tests/cli.rs")).expect("tests/cli.rs");
    let mods = |indent: &str| -> BTreeSet<String> {
        this.lines()
            .filter_map(|l| l.strip_prefix(indent)?.strip_prefix("mod ")?.strip_suffix(';'))
            .map(str::to_owned)
            .collect()
    };
    assert_eq!(rs_files(&root.join("tests/cli")), mods("    "), "tests/cli/*.rs and the `mod`s of `mod cli` differ");

    let manifest = std::fs::read_to_string(root.join("Cargo.toml")).expect("Cargo.toml");
    let targets: BTreeSet<String> = manifest
        .lines()
        .filter_map(|l| l.trim().strip_prefix("path = \"tests/")?.strip_suffix(".rs\""))
        .map(str::to_owned)
        .collect();
    let known: BTreeSet<String> = targets.union(&mods("")).cloned().collect();
    assert_eq!(rs_files(&root.join("tests")), known, "tests/*.rs: each is a [[test]] of Cargo.toml or a `mod` here");
}
