#![no_main]
//! Fuzz target `dictionary`: see `fix_fuzz::dictionary`.

libfuzzer_sys::fuzz_target!(|data: &[u8]| fix_fuzz::dictionary(data));
