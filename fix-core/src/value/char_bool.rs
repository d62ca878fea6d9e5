//! `CHAR` as `char` and `BOOLEAN` as `bool`.
//!
//! A `CHAR` is exactly one printable ASCII byte, space (0x20) to `~` (0x7E). Control bytes,
//! DEL and non-ASCII bytes are [`ValueError::Format`], as is more than one byte. Writing a
//! non-ASCII `char` emits its UTF-8 bytes (which will not read back as a `CHAR`); writing a
//! space inside a [`super::MultipleValues`] makes the value ambiguous. Both are the caller's
//! responsibility.
//!
//! A `BOOLEAN` is `Y` or `N` (upper case only).

use super::{format, FixValue, ValueError};

const CHAR: &str = "CHAR";
const BOOLEAN: &str = "BOOLEAN";

/// The one byte of a `CHAR` value, if `bytes` is a valid one.
#[inline]
fn char_byte(bytes: &[u8]) -> Result<u8, ValueError> {
    match bytes {
        [] => Err(ValueError::Empty),
        [b @ b' '..=b'~'] => Ok(*b),
        _ => Err(format(CHAR)),
    }
}

/// Validates a `CHAR` wire value.
pub(crate) fn check_char(bytes: &[u8]) -> Result<(), ValueError> {
    char_byte(bytes).map(|_| ())
}

/// Reads a `BOOLEAN`.
pub(crate) fn parse_bool(bytes: &[u8]) -> Result<bool, ValueError> {
    match bytes {
        [] => Err(ValueError::Empty),
        b"Y" => Ok(true),
        b"N" => Ok(false),
        _ => Err(format(BOOLEAN)),
    }
}

impl FixValue for char {
    fn write(&self, out: &mut Vec<u8>) {
        let mut buf = [0u8; 4];
        out.extend_from_slice(self.encode_utf8(&mut buf).as_bytes());
    }

    fn parse(bytes: &[u8]) -> Result<Self, ValueError> {
        char_byte(bytes).map(char::from)
    }
}

impl FixValue for bool {
    const SOH_FREE: bool = true;

    fn write(&self, out: &mut Vec<u8>) {
        out.push(if *self { b'Y' } else { b'N' });
    }

    fn parse(bytes: &[u8]) -> Result<Self, ValueError> {
        parse_bool(bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text<T: FixValue>(v: T) -> Vec<u8> {
        let mut out = Vec::new();
        v.write(&mut out);
        out
    }

    #[test]
    fn char_round_trips_every_printable_byte() {
        for b in b' '..=b'~' {
            let c = char::from(b);
            assert_eq!(text(c), vec![b]);
            assert_eq!(char::parse(&[b]), Ok(c));
        }
    }

    #[test]
    fn char_rejections() {
        assert_eq!(char::parse(b""), Err(ValueError::Empty));
        assert_eq!(char::parse(b"AB"), Err(format(CHAR)));
        assert_eq!(char::parse(b"\x01"), Err(format(CHAR)));
        assert_eq!(char::parse(b"\x7f"), Err(format(CHAR)));
        assert_eq!(char::parse(b"\t"), Err(format(CHAR)));
        assert_eq!(char::parse("é".as_bytes()), Err(format(CHAR)));
        assert_eq!(char::parse(b"\xe9"), Err(format(CHAR)));
    }

    #[test]
    fn non_ascii_char_is_written_as_utf8() {
        assert_eq!(text('é'), "é".as_bytes());
    }

    #[test]
    fn booleans() {
        assert_eq!(text(true), b"Y");
        assert_eq!(text(false), b"N");
        assert_eq!(bool::parse(b"Y"), Ok(true));
        assert_eq!(bool::parse(b"N"), Ok(false));
        assert_eq!(bool::parse(b""), Err(ValueError::Empty));
        for bad in [&b"y"[..], b"n", b"YES", b"1", b"0", b"T", b"YN"] {
            assert_eq!(bool::parse(bad), Err(format(BOOLEAN)), "{bad:?}");
        }
    }
}
