#![no_main]
//! Bytes → `Document::from_bytes` → schema, typed model, semantic and raw-text checks →
//! findings rendered as the CLI renders them. See `enigm_disclose_fuzz::parse_validate`.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    enigm_disclose_fuzz::parse_validate(data);
});
