#![no_main]
//! Fuzz target `framing`: see `fix_fuzz::framing`.

libfuzzer_sys::fuzz_target!(|data: &[u8]| fix_fuzz::framing(data));
