//! QuickFIX C++ (Debian's libquickfix-dev 1.15.1) in process, through the `extern "C"`
//! shim `cpp/qfshim.cpp` that build.rs compiles. Without libquickfix-dev at build time
//! [`AVAILABLE`] is false and [`Dictionary::load`] says why.

use std::path::Path;

/// Whether build.rs found libquickfix-dev and linked the shim.
pub const AVAILABLE: bool = cfg!(quickfix_cpp);

/// The workspace's QuickFIX FIX.4.4 dictionary (`dictionaries/FIX44.xml`).
pub fn fix44_xml() -> &'static Path {
    Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../dictionaries/FIX44.xml"
    ))
}

/// A loaded `FIX::DataDictionary`.
pub struct Dictionary {
    #[cfg_attr(not(quickfix_cpp), allow(dead_code))]
    ptr: std::ptr::NonNull<std::ffi::c_void>,
}

/// One message prepared for QuickFIX: its bytes as a `std::string`, a `FIX::Message` parsed
/// from them with the dictionary (the encode input) and a reused output string.
pub struct Bench<'d> {
    #[cfg_attr(not(quickfix_cpp), allow(dead_code))]
    ptr: std::ptr::NonNull<std::ffi::c_void>,
    _dictionary: std::marker::PhantomData<&'d Dictionary>,
}

#[cfg(quickfix_cpp)]
#[allow(unsafe_code)]
mod ffi {
    use std::ffi::{c_char, c_int, c_void};

    extern "C" {
        pub fn qfshim_dictionary_new(path: *const c_char) -> *mut c_void;
        pub fn qfshim_dictionary_free(dd: *mut c_void);
        pub fn qfshim_bench_new(dd: *const c_void, raw: *const u8, len: usize) -> *mut c_void;
        pub fn qfshim_bench_free(b: *mut c_void);
        pub fn qfshim_parse_plain(b: *mut c_void) -> c_int;
        pub fn qfshim_parse_validate(b: *mut c_void) -> c_int;
        pub fn qfshim_encode(b: *mut c_void) -> i64;
        pub fn qfshim_build_encode_nos(b: *mut c_void) -> i64;
        pub fn qfshim_encoded(b: *mut c_void, len: *mut usize) -> *const u8;
    }
}

#[cfg(quickfix_cpp)]
#[allow(unsafe_code)]
mod imp {
    use super::{ffi, Bench, Dictionary};
    use std::ffi::CString;
    use std::path::Path;
    use std::ptr::NonNull;

    impl Dictionary {
        /// Loads a QuickFIX XML data dictionary.
        pub fn load(path: &Path) -> Result<Dictionary, String> {
            let c = CString::new(path.to_string_lossy().as_bytes())
                .map_err(|_| "path contains NUL".to_string())?;
            // SAFETY: `c` is a NUL-terminated string that outlives the call; the shim copies
            // it into a std::string, catches every exception and returns null on failure.
            let ptr = unsafe { ffi::qfshim_dictionary_new(c.as_ptr()) };
            NonNull::new(ptr)
                .map(|ptr| Dictionary { ptr })
                .ok_or_else(|| format!("QuickFIX cannot load {}", path.display()))
        }
    }

    impl Drop for Dictionary {
        fn drop(&mut self) {
            // SAFETY: `ptr` came from qfshim_dictionary_new and is freed once, here; every
            // `Bench` borrowing this dictionary has been dropped before (lifetime 'd).
            unsafe { ffi::qfshim_dictionary_free(self.ptr.as_ptr()) }
        }
    }

    impl<'d> Bench<'d> {
        /// Prepares `raw`; fails if QuickFIX cannot parse and validate it.
        pub fn new(dictionary: &'d Dictionary, raw: &[u8]) -> Result<Bench<'d>, String> {
            // SAFETY: the dictionary pointer is live for 'd, which the returned Bench
            // borrows; `raw` is valid for `raw.len()` bytes during the call and the shim
            // copies it. Exceptions are caught in the shim (null result).
            let ptr =
                unsafe { ffi::qfshim_bench_new(dictionary.ptr.as_ptr(), raw.as_ptr(), raw.len()) };
            NonNull::new(ptr)
                .map(|ptr| Bench {
                    ptr,
                    _dictionary: std::marker::PhantomData,
                })
                .ok_or_else(|| "QuickFIX rejects the message".to_string())
        }

        /// `FIX::Message` from the string without a dictionary; the field count or -1.
        pub fn parse_plain(&mut self) -> i32 {
            // SAFETY: `ptr` is a live handle from qfshim_bench_new, used by one thread at a
            // time (`&mut self`, and Bench is not Send); the shim catches exceptions.
            unsafe { ffi::qfshim_parse_plain(self.ptr.as_ptr()) }
        }

        /// `FIX::Message` from the string with the dictionary, then
        /// `DataDictionary::validate`; the field count or -1.
        pub fn parse_validate(&mut self) -> i32 {
            // SAFETY: as in `parse_plain`; the dictionary outlives the handle ('d).
            unsafe { ffi::qfshim_parse_validate(self.ptr.as_ptr()) }
        }

        /// `Message::toString` into the reused string; its length or -1.
        pub fn encode(&mut self) -> i64 {
            // SAFETY: as in `parse_plain`.
            unsafe { ffi::qfshim_encode(self.ptr.as_ptr()) }
        }

        /// The benchmark NewOrderSingle built from typed values with `FIX44::NewOrderSingle`
        /// and encoded (`toString`) into the reused string; its length or -1.
        pub fn build_encode_nos(&mut self) -> i64 {
            // SAFETY: as in `parse_plain`.
            unsafe { ffi::qfshim_build_encode_nos(self.ptr.as_ptr()) }
        }

        /// The bytes of the last [`Bench::encode`] or [`Bench::build_encode_nos`].
        pub fn encoded(&mut self) -> Vec<u8> {
            let mut len = 0usize;
            // SAFETY: the shim returns the data pointer of the handle's std::string and its
            // size; the string is not modified before the copy below, as `&mut self` keeps
            // any other call on this handle out.
            unsafe {
                let p = ffi::qfshim_encoded(self.ptr.as_ptr(), &mut len);
                std::slice::from_raw_parts(p, len).to_vec()
            }
        }
    }

    impl Drop for Bench<'_> {
        fn drop(&mut self) {
            // SAFETY: `ptr` came from qfshim_bench_new and is freed once, here.
            unsafe { ffi::qfshim_bench_free(self.ptr.as_ptr()) }
        }
    }
}

#[cfg(not(quickfix_cpp))]
mod imp {
    use super::{Bench, Dictionary};
    use std::path::Path;

    const MISSING: &str = "skipped: libquickfix-dev was not found when fix-bench-codec was built";

    impl Dictionary {
        /// Loads a QuickFIX XML data dictionary (here: never, QuickFIX is not linked).
        pub fn load(_path: &Path) -> Result<Dictionary, String> {
            Err(MISSING.to_string())
        }
    }

    impl<'d> Bench<'d> {
        /// Prepares a message (here: never, QuickFIX is not linked).
        pub fn new(_dictionary: &'d Dictionary, _raw: &[u8]) -> Result<Bench<'d>, String> {
            Err(MISSING.to_string())
        }

        /// Not linked: -1.
        pub fn parse_plain(&mut self) -> i32 {
            -1
        }

        /// Not linked: -1.
        pub fn parse_validate(&mut self) -> i32 {
            -1
        }

        /// Not linked: -1.
        pub fn encode(&mut self) -> i64 {
            -1
        }

        /// Not linked: -1.
        pub fn build_encode_nos(&mut self) -> i64 {
            -1
        }

        /// Not linked: nothing.
        pub fn encoded(&mut self) -> Vec<u8> {
            Vec::new()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::messages;

    #[test]
    fn quickfix_parses_validates_and_encodes_every_message() {
        let dd = match Dictionary::load(fix44_xml()) {
            Ok(dd) => dd,
            Err(e) => {
                if AVAILABLE {
                    panic!("{e}");
                }
                eprintln!("{e}");
                return;
            }
        };
        for (name, raw) in messages::all() {
            let mut b = Bench::new(&dd, &raw).unwrap_or_else(|e| panic!("{name}: {e}"));
            let (plain, validated) = (b.parse_plain(), b.parse_validate());
            eprintln!("{name}: QuickFIX fields {plain} without dictionary, {validated} with");
            assert!(plain > 20, "{name}");
            assert!(validated > 20, "{name}");
            assert!(b.encode() > 200, "{name}");
            messages::check_framing(&b.encoded()).unwrap_or_else(|e| panic!("{name}: {e}"));
            if name == "new_order_single" {
                assert!(b.build_encode_nos() > 200);
                let built = b.encoded();
                messages::check_framing(&built).unwrap_or_else(|e| panic!("built: {e}"));
                // The same fields as the benchmark bytes (QuickFIX orders the body by tag).
                let sorted = |m: &[u8]| {
                    let mut f: Vec<String> = String::from_utf8_lossy(m)
                        .split('\u{1}')
                        .map(str::to_string)
                        .collect();
                    f.sort();
                    f
                };
                assert_eq!(sorted(&built), sorted(&raw), "built NewOrderSingle");
            }
        }
    }
}
