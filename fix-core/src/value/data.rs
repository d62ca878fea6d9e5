//! `DATA` and `XMLDATA` as [`Data`]: raw bytes, which may contain SOH.
//!
//! The framing layer finds the end of such a value from the preceding LENGTH field; this codec
//! only copies bytes. Reading fails only for an empty value.

use super::{FixValue, ValueError};

/// The raw bytes of a `DATA` or `XMLDATA` field (any bytes, SOH included).
///
/// In serde formats it is a list of byte values, so any bytes survive a round trip.
#[derive(
    Debug,
    Clone,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Default,
    serde::Serialize,
    serde::Deserialize,
)]
pub struct Data(pub Vec<u8>);

impl Data {
    /// The bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// The number of bytes, i.e. the value of the LENGTH field that must precede this one.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// True if there are no bytes (an empty value cannot be sent).
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl From<Vec<u8>> for Data {
    fn from(bytes: Vec<u8>) -> Self {
        Data(bytes)
    }
}

impl From<&[u8]> for Data {
    fn from(bytes: &[u8]) -> Self {
        Data(bytes.to_vec())
    }
}

impl AsRef<[u8]> for Data {
    fn as_ref(&self) -> &[u8] {
        &self.0
    }
}

impl FixValue for Data {
    fn write(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.0);
    }

    fn parse(bytes: &[u8]) -> Result<Self, ValueError> {
        if bytes.is_empty() {
            Err(ValueError::Empty)
        } else {
            Ok(Data(bytes.to_vec()))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn any_bytes_round_trip() {
        let all: Vec<u8> = (0..=255u8).collect();
        let data = Data::parse(&all);
        assert_eq!(data, Ok(Data(all.clone())));
        let mut out = Vec::new();
        Data(all.clone()).write(&mut out);
        assert_eq!(out, all);
        assert_eq!(Data::parse(b"a\x01b=c\x01").map(|d| d.len()), Ok(6));
    }

    #[test]
    fn empty_is_rejected() {
        assert_eq!(Data::parse(b""), Err(ValueError::Empty));
        assert!(Data::default().is_empty());
    }
}
