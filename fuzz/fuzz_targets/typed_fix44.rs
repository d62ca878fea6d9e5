#![no_main]
//! Fuzz target `typed_fix44`: see `fix_fuzz::typed_fix44`.

libfuzzer_sys::fuzz_target!(|data: &[u8]| fix_fuzz::typed_fix44(data));
