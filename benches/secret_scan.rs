//! Prints each secret `scan_file` finds in the given files, one `FILE<TAB>FIRST<TAB>LAST` line
//! (1-based lines) per finding, never the secret: what `benches/secrets.py` compares with
//! detect-secrets on the corpus.

use std::path::Path;

fn main() -> std::process::ExitCode {
    for arg in std::env::args().skip(1) {
        let Ok(text) = std::fs::read_to_string(&arg) else {
            eprintln!("secret-scan: cannot read {arg}");
            return std::process::ExitCode::from(2);
        };
        let line = |at: usize| text[..at.min(text.len())].matches('\n').count() + 1;
        for f in enigm_disclose::rules::checks::secrets::scan_file(&text, Path::new(&arg)) {
            if let Some(s) = f.span {
                println!("{arg}\t{}\t{}", line(s.start), line(s.end.max(s.start + 1) - 1));
            }
        }
    }
    std::process::ExitCode::SUCCESS
}
