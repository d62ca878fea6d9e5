//! The space-separated types (`MULTIPLEVALUESTRING`, `MULTIPLESTRINGVALUE`,
//! `MULTIPLECHARVALUE`) as [`MultipleValues`].
//!
//! Values are separated by single spaces. An empty token (a leading or trailing space, or two
//! spaces in a row) is a [`ValueError::Format`] naming `MULTIPLEVALUESTRING`; an invalid token
//! gives the token type's own error.

use super::{format, FixValue, ValueError};

const MULTIPLE: &str = "MULTIPLEVALUESTRING";

/// A space-separated list of values, e.g. `MultipleValues<char>` for `MULTIPLECHARVALUE` or
/// `MultipleValues<String>` for `MULTIPLESTRINGVALUE`.
///
/// An empty list writes nothing, which is not a valid field value: do not send it.
/// In serde formats it is a list.
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
pub struct MultipleValues<T>(pub Vec<T>);

impl<T> From<Vec<T>> for MultipleValues<T> {
    fn from(values: Vec<T>) -> Self {
        MultipleValues(values)
    }
}

/// Calls `check` on every space-separated token, rejecting empty tokens.
pub(crate) fn check_tokens(
    bytes: &[u8],
    check: impl Fn(&[u8]) -> Result<(), ValueError>,
) -> Result<(), ValueError> {
    if bytes.is_empty() {
        return Err(ValueError::Empty);
    }
    for token in bytes.split(|&b| b == b' ') {
        if token.is_empty() {
            return Err(format(MULTIPLE));
        }
        check(token)?;
    }
    Ok(())
}

impl<T: FixValue> FixValue for MultipleValues<T> {
    fn write(&self, out: &mut Vec<u8>) {
        for (i, value) in self.0.iter().enumerate() {
            if i > 0 {
                out.push(b' ');
            }
            value.write(out);
        }
    }

    fn parse(bytes: &[u8]) -> Result<Self, ValueError> {
        if bytes.is_empty() {
            return Err(ValueError::Empty);
        }
        let mut values = Vec::new();
        for token in bytes.split(|&b| b == b' ') {
            if token.is_empty() {
                return Err(format(MULTIPLE));
            }
            values.push(T::parse(token)?);
        }
        Ok(MultipleValues(values))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chars_round_trip() {
        let v = MultipleValues::<char>::parse(b"1 A z");
        assert_eq!(v, Ok(MultipleValues(vec!['1', 'A', 'z'])));
        let mut out = Vec::new();
        MultipleValues(vec!['1', 'A', 'z']).write(&mut out);
        assert_eq!(out, b"1 A z");
    }

    #[test]
    fn strings_and_single_token() {
        assert_eq!(
            MultipleValues::<String>::parse(b"AB CDE"),
            Ok(MultipleValues(vec!["AB".to_owned(), "CDE".to_owned()]))
        );
        assert_eq!(
            MultipleValues::<i64>::parse(b"-5"),
            Ok(MultipleValues(vec![-5]))
        );
        let mut out = Vec::new();
        MultipleValues(vec![1i64, -2, 30]).write(&mut out);
        assert_eq!(out, b"1 -2 30");
    }

    #[test]
    fn rejections() {
        assert_eq!(MultipleValues::<char>::parse(b""), Err(ValueError::Empty));
        for bad in [&b"A  B"[..], b" A", b"A ", b" "] {
            assert_eq!(
                MultipleValues::<char>::parse(bad),
                Err(format(MULTIPLE)),
                "{bad:?}"
            );
            assert_eq!(check_tokens(bad, |_| Ok(())), Err(format(MULTIPLE)));
        }
        // A bad token reports the token type.
        assert_eq!(
            MultipleValues::<char>::parse(b"A BC"),
            Err(ValueError::Format { expected: "CHAR" })
        );
        assert_eq!(
            MultipleValues::<String>::parse(b"A \x01"),
            Err(ValueError::Format { expected: "STRING" })
        );
    }

    #[test]
    fn empty_list_writes_nothing() {
        let mut out = Vec::new();
        MultipleValues::<char>(Vec::new()).write(&mut out);
        assert!(out.is_empty());
    }
}
