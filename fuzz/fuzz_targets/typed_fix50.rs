#![no_main]
//! Fuzz target `typed_fix50`: see `fix_fuzz::typed_fix50`.

libfuzzer_sys::fuzz_target!(|data: &[u8]| fix_fuzz::typed_fix50(data));
