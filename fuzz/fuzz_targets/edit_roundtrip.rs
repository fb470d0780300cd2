#![no_main]
//! A report followed by `0xFF` and operation bytes → editor operations → reparse and
//! round-trip properties. See `enigm_disclose_fuzz::edit_roundtrip`.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    enigm_disclose_fuzz::edit_roundtrip(data);
});
