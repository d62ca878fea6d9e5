#![no_main]
//! Fuzz target `settings`: see `fix_fuzz::settings`.

libfuzzer_sys::fuzz_target!(|data: &[u8]| fix_fuzz::settings(data));
