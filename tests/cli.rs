//! Integration tests: the real binary on real temporary git repositories.
//! One test binary (faster to link), one module per area.

mod util;

mod cli {
    mod advance;
    mod audit;
    mod diagnostics;
    mod docs;
    mod exports;
    mod faults;
    mod hook;
    mod hostile;
    mod init;
    mod new;
    mod parse;
    mod queries;
    mod render;
    mod renumber;
    mod sandbox;
    mod validate;
    mod xss;
}
