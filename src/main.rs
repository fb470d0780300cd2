//! The `enigm-disclose` command: parses arguments and hands over to the CLI layer.

mod cli;

use std::process::ExitCode;

#[global_allocator]
static GLOBAL: enigm_disclose::publish::sandbox::Counting<mimalloc::MiMalloc> =
    enigm_disclose::publish::sandbox::Counting(mimalloc::MiMalloc);

fn main() -> ExitCode {
    cli::complete_if_asked();
    cli::run(cli::parse())
}
