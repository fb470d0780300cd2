//! Runs fuzz inputs through a target's checks on a stable toolchain, without libFuzzer:
//!
//! ```text
//! cargo run --manifest-path fuzz/Cargo.toml --no-default-features --bin replay -- \
//!     parse_validate tests/fixtures/hostile/fuzz fuzz/seeds/parse_validate
//! ```
//!
//! Each argument after the target is a file or a directory (its files, not recursive). A
//! violated property panics with the input's path printed just before; the exit code is 0
//! when every input passed.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

fn inputs(arg: &Path) -> Vec<PathBuf> {
    if arg.is_dir() {
        let mut files: Vec<PathBuf> = std::fs::read_dir(arg)
            .unwrap_or_else(|e| panic!("cannot list {}: {e}", arg.display()))
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.is_file())
            .collect();
        files.sort();
        files
    } else {
        vec![arg.to_owned()]
    }
}

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let target: fn(&[u8]) = match args.next().as_deref() {
        Some("parse_validate") => enigm_disclose_fuzz::parse_validate,
        Some("edit_roundtrip") => enigm_disclose_fuzz::edit_roundtrip,
        _ => {
            eprintln!("usage: replay <parse_validate|edit_roundtrip> <file or directory>...");
            return ExitCode::from(2);
        }
    };
    let mut count = 0;
    for arg in args {
        for file in inputs(Path::new(&arg)) {
            let data = std::fs::read(&file).unwrap_or_else(|e| panic!("cannot read {}: {e}", file.display()));
            eprintln!("replay {}", file.display());
            target(&data);
            count += 1;
        }
    }
    eprintln!("{count} passed, 0 failed");
    ExitCode::SUCCESS
}
