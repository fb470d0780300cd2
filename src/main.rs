//! The `enigm-disclose` command: parses arguments and hands over to the CLI layer.

mod cli;

use std::process::ExitCode;

#[global_allocator]
static GLOBAL: enigm_disclose::publish::sandbox::Counting<mimalloc::MiMalloc> =
    enigm_disclose::publish::sandbox::Counting(mimalloc::MiMalloc);

fn main() -> ExitCode {
    no_huge_pages();
    cli::complete_if_asked();
    cli::run(cli::parse())
}

/// Turns transparent huge pages off for this process (Linux). With THP `always`, each first
/// touch of a 2 MiB region zeroes all of it; the allocator's arenas are touched sparsely and
/// purged and touched again, so `perf` put 28-31 % of `list` at 100,000 reports in the
/// kernel's `clear_page_erms` (issue 22). Ordinary 4 KiB pages zero only what is used.
fn no_huge_pages() {
    #[cfg(target_os = "linux")]
    // SAFETY: PR_SET_THP_DISABLE takes plain integers and changes only this process's flag.
    unsafe {
        libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0);
    }
}
