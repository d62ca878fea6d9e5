#![no_main]
//! Fuzz target `view`: see `fix_fuzz::view`.

libfuzzer_sys::fuzz_target!(|data: &[u8]| fix_fuzz::view(data));
