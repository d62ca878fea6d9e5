#![no_main]
//! Fuzz target `session`: see `fix_fuzz::session`.

libfuzzer_sys::fuzz_target!(|data: &[u8]| fix_fuzz::session(data));
