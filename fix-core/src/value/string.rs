//! `STRING` and the other free-text types (`COUNTRY`, `CURRENCY`, `EXCHANGE`, `LANGUAGE`,
//! `XID`, `XIDREF`) as `String`.
//!
//! Any bytes except SOH (0x01) are a valid FIX string. FIX strings are officially ASCII or
//! Latin-1, but this codec reads them as UTF-8 (plain ASCII is UTF-8) and rejects other bytes
//! with [`ValueError::Format`]; [`super::check_format`] is laxer and accepts any non-SOH bytes.
//! Use [`super::Data`] to keep raw bytes. Writing copies the bytes as they are: a `String`
//! containing SOH produces a broken message, which is the caller's responsibility.

use super::{format, FixValue, ValueError};

const STRING: &str = "STRING";

/// Validates that a value is non-empty and has no SOH.
#[inline]
pub(crate) fn check_no_soh(bytes: &[u8]) -> Result<(), ValueError> {
    if bytes.is_empty() {
        Err(ValueError::Empty)
    } else if crate::frame::find_soh(bytes).is_some() {
        Err(format(STRING))
    } else {
        Ok(())
    }
}

impl FixValue for String {
    fn write(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(self.as_bytes());
    }

    /// Checked for SOH, as [`crate::Writer::put_str`] does.
    #[inline]
    fn put_field(&self, w: &mut crate::Writer<'_>, prefix: &[u8]) {
        w.put_str(prefix, self);
    }

    fn parse(bytes: &[u8]) -> Result<Self, ValueError> {
        // Plain ASCII without SOH, the usual value: one pass for both checks.
        if let (false, Some(text)) = (bytes.is_empty(), crate::scan::ascii_text(bytes)) {
            return Ok(text.to_owned());
        }
        check_no_soh(bytes)?;
        core::str::from_utf8(bytes)
            .map(str::to_owned)
            .map_err(|_| format(STRING))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips() {
        for s in [
            "A",
            "hello world",
            "ABC-123/x=y",
            "  spaced  ",
            "€uro ünïcode",
        ] {
            let mut out = Vec::new();
            s.to_owned().write(&mut out);
            assert_eq!(out, s.as_bytes());
            assert_eq!(String::parse(&out), Ok(s.to_owned()));
        }
    }

    #[test]
    fn rejections() {
        assert_eq!(String::parse(b""), Err(ValueError::Empty));
        assert_eq!(String::parse(b"a\x01b"), Err(format(STRING)));
        assert_eq!(String::parse(b"\x01"), Err(format(STRING)));
        // Latin-1 'é' is not UTF-8.
        assert_eq!(String::parse(b"caf\xe9"), Err(format(STRING)));
        assert_eq!(check_no_soh(b"caf\xe9"), Ok(()));
    }

    #[test]
    fn other_control_bytes_are_kept() {
        assert_eq!(String::parse(b"a\tb\x02"), Ok("a\tb\x02".to_owned()));
    }
}
