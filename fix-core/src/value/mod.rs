//! Codecs for FIX field values: parse from and write to the tag=value wire form.
//!
//! Every codec is allocation-free when writing (it appends to a caller's `Vec<u8>`) and when
//! checking ([`check_format`]). One module per family of types.
//!
//! | Dictionary type | Rust type |
//! |---|---|
//! | `INT` | `i64` |
//! | `SEQNUM` | `u64` |
//! | `LENGTH`, `NUMINGROUP`, `TAGNUM`, `DAYOFMONTH` | `u32` |
//! | `FLOAT`, `PRICE`, `QTY`, `AMT`, `PRICEOFFSET`, `PERCENTAGE` | [`rust_decimal::Decimal`] |
//! | `CHAR` | `char` |
//! | `BOOLEAN` | `bool` |
//! | `STRING`, `COUNTRY`, `CURRENCY`, `EXCHANGE`, `LANGUAGE`, `XID`, `XIDREF` | `String` |
//! | `DATA`, `XMLDATA` | [`Data`] |
//! | `MULTIPLEVALUESTRING`, `MULTIPLESTRINGVALUE`, `MULTIPLECHARVALUE` | [`MultipleValues`] |
//! | `UTCTIMESTAMP` | [`UtcTimestamp`] |
//! | `UTCTIMEONLY` | [`UtcTimeOnly`] |
//! | `UTCDATEONLY` | [`UtcDateOnly`] |
//! | `LOCALMKTDATE` | [`LocalMktDate`] |
//! | `LOCALMKTTIME` | [`LocalMktTime`] |
//! | `MONTHYEAR` | [`MonthYear`] |
//! | `TZTIMEONLY` | [`TzTimeOnly`] |
//! | `TZTIMESTAMP` | [`TzTimestamp`] |
//!
//! Errors name the dictionary type that was expected. A Rust type that serves several
//! dictionary types reports one of them: `u32` reports `LENGTH`, `u64` reports `SEQNUM`,
//! `Decimal` reports `FLOAT`, `String` reports `STRING`, [`Data`] reports `DATA` and an empty
//! token in [`MultipleValues`] reports `MULTIPLEVALUESTRING`. [`check_format`] always reports
//! the type it was given.

use thiserror::Error;

use crate::field_type::FieldType;

/// Implements `Display` (via a stack buffer), `Debug` (`Name("wire")`), `FromStr` and serde
/// (as the wire-form string) for a `Copy` type that has `fn write_to<S: Sink>(&self, &mut S)`
/// and a [`FixValue`] implementation.
macro_rules! wire_string_impls {
    ($ty:ident, $expecting:literal) => {
        impl ::core::fmt::Display for $ty {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                let mut buf = $crate::value::digits::StackBuf::new();
                self.write_to(&mut buf);
                f.write_str(buf.as_str().ok_or(::core::fmt::Error)?)
            }
        }

        impl ::core::fmt::Debug for $ty {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                let mut buf = $crate::value::digits::StackBuf::new();
                self.write_to(&mut buf);
                f.debug_tuple(stringify!($ty))
                    .field(&buf.as_str().ok_or(::core::fmt::Error)?)
                    .finish()
            }
        }

        impl ::core::str::FromStr for $ty {
            type Err = $crate::value::ValueError;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                <$ty as $crate::value::FixValue>::parse(s.as_bytes())
            }
        }

        impl ::serde::Serialize for $ty {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.collect_str(self)
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $ty {
            fn deserialize<D: ::serde::Deserializer<'de>>(
                deserializer: D,
            ) -> Result<Self, D::Error> {
                struct WireVisitor;

                impl ::serde::de::Visitor<'_> for WireVisitor {
                    type Value = $ty;

                    fn expecting(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                        f.write_str($expecting)
                    }

                    fn visit_str<E: ::serde::de::Error>(self, v: &str) -> Result<$ty, E> {
                        <$ty as $crate::value::FixValue>::parse(v.as_bytes()).map_err(E::custom)
                    }

                    fn visit_bytes<E: ::serde::de::Error>(self, v: &[u8]) -> Result<$ty, E> {
                        <$ty as $crate::value::FixValue>::parse(v).map_err(E::custom)
                    }
                }

                deserializer.deserialize_str(WireVisitor)
            }
        }
    };
}

/// Accessors for the time-of-day part (`self.time`, a `time::Hms`) of a time type.
macro_rules! hms_accessors {
    () => {
        /// The hour, 0 to 23.
        pub const fn hour(&self) -> u8 {
            self.time.hour
        }

        /// The minute, 0 to 59.
        pub const fn minute(&self) -> u8 {
            self.time.minute
        }

        /// The second, 0 to 60 (60 is a leap second).
        pub const fn second(&self) -> u8 {
            self.time.second
        }

        /// The fraction of the second in nanoseconds; always a multiple of the precision's
        /// unit (e.g. of 1,000,000 for [`Precision::Millis`](crate::value::Precision::Millis)).
        pub const fn nanos(&self) -> u32 {
            self.time.nanos
        }

        /// How many fraction digits the wire form has.
        pub const fn precision(&self) -> $crate::value::Precision {
            self.time.precision
        }
    };
}

/// Accessors for the date part (`self.date`, a [`Date`]) of a time type.
macro_rules! date_accessors {
    () => {
        /// The date.
        pub const fn date(&self) -> $crate::value::Date {
            self.date
        }

        /// The year, 0 to 9999.
        pub const fn year(&self) -> u16 {
            self.date.year()
        }

        /// The month, 1 to 12.
        pub const fn month(&self) -> u8 {
            self.date.month()
        }

        /// The day of the month, 1 to 31.
        pub const fn day(&self) -> u8 {
            self.date.day()
        }
    };
}

mod char_bool;
mod data;
mod decimal;
pub(crate) mod digits;
mod int;
mod month_year;
mod multi;
mod string;
mod time;
pub(crate) use decimal::quick_decimal_ok;
pub(crate) use time::{quick_utc_time_only_ok, quick_utc_timestamp_ok};
mod tz;

pub use data::Data;
pub use month_year::{MonthYear, MonthYearDetail};
pub use multi::MultipleValues;
pub use time::{
    Date, LocalMktDate, LocalMktTime, Precision, UtcDateOnly, UtcTimeOnly, UtcTimestamp,
};
pub use tz::{TzOffset, TzTimeOnly, TzTimestamp};

/// Why a field value could not be read.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum ValueError {
    /// The field has no value (`tag=` followed directly by SOH).
    #[error("empty value")]
    Empty,
    /// The bytes are not in the type's format.
    #[error("incorrect data format for {expected}")]
    Format {
        /// The type that was expected, as the dictionary names it.
        expected: &'static str,
    },
    /// The value is well-formed but out of the type's range (e.g. a month of 13).
    #[error("value out of range for {expected}")]
    Range {
        /// The type that was expected, as the dictionary names it.
        expected: &'static str,
    },
}

/// A Rust type that represents a FIX field value on the wire.
pub trait FixValue: Sized {
    /// Whether the wire form can never hold SOH (digits and fixed punctuation: dates, times,
    /// booleans). A value written through [`FixValue::write`] is then not searched for SOH;
    /// by default it is, and [`Writer::finish_checked`](crate::Writer::finish_checked)
    /// reports one.
    const SOH_FREE: bool = false;
    /// Appends the wire form of `self` (without tag, `=` or SOH) to `out`.
    fn write(&self, out: &mut Vec<u8>);
    /// Reads a value from its wire form (without tag, `=` or SOH).
    fn parse(bytes: &[u8]) -> Result<Self, ValueError>;
    /// Appends the field: `prefix` (the tag and `=`), the wire form of `self` and SOH. This
    /// is what [`Writer::put`](crate::Writer::put) does; the default goes through
    /// [`FixValue::write`], the library's types and generated enums write straight into the
    /// writer's buffer.
    #[inline]
    fn put_field(&self, w: &mut crate::Writer<'_>, prefix: &[u8]) {
        w.put_written(prefix, self);
    }
}

/// Checks, without allocating, that `bytes` is a well-formed value of dictionary type `ty`.
///
/// This is the test behind the session-level reject reason "Incorrect data format for value":
/// a [`ValueError::Format`] or [`ValueError::Range`] result means the value must be rejected,
/// [`ValueError::Empty`] means the field had no value at all (every type rejects that). Errors
/// carry `ty`'s dictionary name.
///
/// Rules per type:
///
/// * `INT`: optional `-`, then digits, within `i64`.
/// * `SEQNUM`: digits only (no sign), within `u64`.
/// * `LENGTH`, `NUMINGROUP`, `TAGNUM`: digits only (no sign), within `u32`.
/// * `DAYOFMONTH`: digits only, 1 to 31.
/// * Decimal types: optional `-`, digits with at most one `.` (`5.` and `.5` are accepted),
///   at least one digit, no exponent or `+`; at most 28 significant digits and 28 decimals.
/// * `CHAR`: exactly one printable ASCII byte (space to `~`).
/// * `BOOLEAN`: `Y` or `N`.
/// * `STRING`, `COUNTRY`, `CURRENCY`, `EXCHANGE`, `LANGUAGE`, `XID`, `XIDREF`: anything without
///   SOH. Non-UTF-8 bytes (Latin-1) are accepted here even though parsing into `String` rejects
///   them.
/// * `MULTIPLEVALUESTRING`, `MULTIPLESTRINGVALUE`: space-separated non-empty tokens without
///   SOH (no leading, trailing or doubled spaces).
/// * `MULTIPLECHARVALUE`: space-separated tokens of one printable ASCII byte each.
/// * `DATA`, `XMLDATA`: any bytes.
/// * Date and time types: exactly what the corresponding type's [`FixValue::parse`] accepts.
///
/// For every type except the string-like ones, `check_format(ty, b)` succeeds exactly when
/// parsing `b` into the Rust type listed in the module documentation succeeds (with the range
/// limits above for the unsigned types).
pub fn check_format(ty: FieldType, bytes: &[u8]) -> Result<(), ValueError> {
    if bytes.is_empty() {
        return Err(ValueError::Empty);
    }
    let result = match ty {
        FieldType::Int => int::parse_i64(bytes).map(drop),
        FieldType::SeqNum => int::parse_unsigned(bytes, u64::MAX).map(drop),
        FieldType::Length | FieldType::NumInGroup | FieldType::TagNum => {
            int::parse_unsigned(bytes, u64::from(u32::MAX)).map(drop)
        }
        FieldType::DayOfMonth => match int::parse_unsigned(bytes, u64::from(u32::MAX)) {
            Ok(1..=31) => Ok(()),
            Ok(_) => Err(range("")),
            Err(e) => Err(e),
        },
        FieldType::Float
        | FieldType::Price
        | FieldType::Qty
        | FieldType::Amt
        | FieldType::PriceOffset
        | FieldType::Percentage => decimal::check_decimal(bytes),
        FieldType::Char => char_bool::check_char(bytes),
        FieldType::Boolean => char_bool::parse_bool(bytes).map(drop),
        FieldType::String
        | FieldType::Country
        | FieldType::Currency
        | FieldType::Exchange
        | FieldType::Language
        | FieldType::Xid
        | FieldType::XidRef => string::check_no_soh(bytes),
        FieldType::MultipleValueString | FieldType::MultipleStringValue => {
            multi::check_tokens(bytes, string::check_no_soh)
        }
        FieldType::MultipleCharValue => multi::check_tokens(bytes, char_bool::check_char),
        FieldType::Data | FieldType::XmlData => Ok(()),
        FieldType::UtcTimestamp => time::check_utc_timestamp(bytes),
        FieldType::UtcTimeOnly => UtcTimeOnly::parse(bytes).map(drop),
        FieldType::UtcDateOnly => UtcDateOnly::parse(bytes).map(drop),
        FieldType::LocalMktDate => LocalMktDate::parse(bytes).map(drop),
        FieldType::LocalMktTime => LocalMktTime::parse(bytes).map(drop),
        FieldType::MonthYear => MonthYear::parse(bytes).map(drop),
        FieldType::TzTimeOnly => TzTimeOnly::parse(bytes).map(drop),
        FieldType::TzTimestamp => TzTimestamp::parse(bytes).map(drop),
    };
    result.map_err(|e| retag(e, ty.dictionary_name()))
}

/// A quick test that `bytes` (not empty) is a well-formed value of `ty`: `true` only when
/// [`check_format`] would accept it; `false` when it would not or when the quick test cannot
/// tell (call [`check_format`] for the verdict and the error). Covers the common short forms
/// of integers, decimals, characters and timestamps without a function call.
#[inline(always)]
pub(crate) fn quick_format_ok(ty: FieldType, bytes: &[u8]) -> bool {
    match ty {
        FieldType::Char => matches!(bytes, [b' '..=b'~']),
        // Nine digits fit every integer type; DAYOFMONTH has a range and is left out.
        FieldType::SeqNum | FieldType::Length | FieldType::NumInGroup | FieldType::TagNum => {
            bytes.len() <= 9 && bytes.iter().all(u8::is_ascii_digit)
        }
        FieldType::Int => {
            let digits = match bytes {
                [b'-', rest @ ..] => rest,
                _ => bytes,
            };
            !digits.is_empty() && digits.len() <= 9 && digits.iter().all(u8::is_ascii_digit)
        }
        FieldType::Float
        | FieldType::Price
        | FieldType::Qty
        | FieldType::Amt
        | FieldType::PriceOffset
        | FieldType::Percentage => decimal::quick_decimal_ok(bytes),
        FieldType::Boolean => matches!(bytes, b"Y" | b"N"),
        FieldType::UtcTimestamp => time::quick_utc_timestamp_ok(bytes),
        _ => false,
    }
}

/// Replaces the type name an error carries.
fn retag(error: ValueError, expected: &'static str) -> ValueError {
    match error {
        ValueError::Empty => ValueError::Empty,
        ValueError::Format { .. } => ValueError::Format { expected },
        ValueError::Range { .. } => ValueError::Range { expected },
    }
}

/// Shorthand for a [`ValueError::Format`].
pub(crate) const fn format(expected: &'static str) -> ValueError {
    ValueError::Format { expected }
}

/// Shorthand for a [`ValueError::Range`].
pub(crate) const fn range(expected: &'static str) -> ValueError {
    ValueError::Range { expected }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fmt_err(ty: FieldType) -> Result<(), ValueError> {
        Err(ValueError::Format {
            expected: ty.dictionary_name(),
        })
    }

    fn range_err(ty: FieldType) -> Result<(), ValueError> {
        Err(ValueError::Range {
            expected: ty.dictionary_name(),
        })
    }

    #[test]
    fn empty_is_rejected_for_every_type() {
        for ty in FieldType::ALL {
            assert_eq!(check_format(*ty, b""), Err(ValueError::Empty), "{ty:?}");
        }
    }

    #[test]
    fn every_type_has_an_accepted_sample() {
        for ty in FieldType::ALL {
            let sample: &[u8] = match ty {
                FieldType::Int => b"-42",
                FieldType::Length
                | FieldType::SeqNum
                | FieldType::NumInGroup
                | FieldType::TagNum
                | FieldType::DayOfMonth => b"31",
                FieldType::Float
                | FieldType::Price
                | FieldType::Qty
                | FieldType::Amt
                | FieldType::PriceOffset
                | FieldType::Percentage => b"-12.50",
                FieldType::Char => b"1",
                FieldType::Boolean => b"Y",
                FieldType::MultipleCharValue => b"1 2 A",
                FieldType::Data | FieldType::XmlData => b"\x01\x00 x",
                FieldType::UtcTimestamp => b"20240229-23:59:60.123",
                FieldType::UtcTimeOnly | FieldType::LocalMktTime => b"23:59:59",
                FieldType::UtcDateOnly | FieldType::LocalMktDate => b"20240229",
                FieldType::MonthYear => b"202402w4",
                FieldType::TzTimeOnly => b"07:39Z",
                FieldType::TzTimestamp => b"20060901-07:39:00-05:30",
                _ => b"USD a\xe9",
            };
            assert_eq!(check_format(*ty, sample), Ok(()), "{ty:?}");
        }
    }

    #[test]
    fn integers() {
        assert_eq!(
            check_format(FieldType::Int, b"-9223372036854775808"),
            Ok(())
        );
        assert_eq!(
            check_format(FieldType::Int, b"9223372036854775808"),
            range_err(FieldType::Int)
        );
        assert_eq!(check_format(FieldType::Int, b"+1"), fmt_err(FieldType::Int));
        assert_eq!(
            check_format(FieldType::Int, b"1.0"),
            fmt_err(FieldType::Int)
        );
        assert_eq!(
            check_format(FieldType::SeqNum, b"18446744073709551615"),
            Ok(())
        );
        assert_eq!(
            check_format(FieldType::SeqNum, b"-1"),
            fmt_err(FieldType::SeqNum)
        );
        assert_eq!(check_format(FieldType::Length, b"4294967295"), Ok(()));
        assert_eq!(
            check_format(FieldType::Length, b"4294967296"),
            range_err(FieldType::Length)
        );
        assert_eq!(check_format(FieldType::NumInGroup, b"007"), Ok(()));
        assert_eq!(
            check_format(FieldType::TagNum, b"1a"),
            fmt_err(FieldType::TagNum)
        );
        assert_eq!(check_format(FieldType::DayOfMonth, b"1"), Ok(()));
        assert_eq!(
            check_format(FieldType::DayOfMonth, b"0"),
            range_err(FieldType::DayOfMonth)
        );
        assert_eq!(
            check_format(FieldType::DayOfMonth, b"32"),
            range_err(FieldType::DayOfMonth)
        );
    }

    #[test]
    fn decimals_and_scalars() {
        for ty in [FieldType::Price, FieldType::Qty, FieldType::Percentage] {
            assert_eq!(check_format(ty, b"5."), Ok(()));
            assert_eq!(check_format(ty, b".5"), Ok(()));
            assert_eq!(check_format(ty, b"-0"), Ok(()));
            assert_eq!(check_format(ty, b"1e5"), fmt_err(ty));
            assert_eq!(check_format(ty, b"+1"), fmt_err(ty));
            assert_eq!(check_format(ty, b"."), fmt_err(ty));
            assert_eq!(check_format(ty, b"1234567890123456789012345678"), Ok(()));
            assert_eq!(
                check_format(ty, b"12345678901234567890123456789"),
                range_err(ty)
            );
        }
        assert_eq!(
            check_format(FieldType::Char, b"AB"),
            fmt_err(FieldType::Char)
        );
        assert_eq!(
            check_format(FieldType::Char, b"\x01"),
            fmt_err(FieldType::Char)
        );
        assert_eq!(
            check_format(FieldType::Boolean, b"y"),
            fmt_err(FieldType::Boolean)
        );
        assert_eq!(check_format(FieldType::Boolean, b"N"), Ok(()));
    }

    #[test]
    fn strings_and_codes_are_lenient_but_reject_soh() {
        for ty in [
            FieldType::String,
            FieldType::Currency,
            FieldType::Country,
            FieldType::Exchange,
            FieldType::Language,
            FieldType::Xid,
            FieldType::XidRef,
        ] {
            assert_eq!(check_format(ty, b"not-a-real-code 123"), Ok(()));
            assert_eq!(check_format(ty, b"\xff\xfe"), Ok(()));
            assert_eq!(check_format(ty, b"a\x01b"), fmt_err(ty));
        }
    }

    #[test]
    fn multiple_values() {
        let ty = FieldType::MultipleCharValue;
        assert_eq!(check_format(ty, b"A"), Ok(()));
        assert_eq!(check_format(ty, b"A BC"), fmt_err(ty));
        assert_eq!(check_format(ty, b"A  B"), fmt_err(ty));
        assert_eq!(check_format(ty, b" A"), fmt_err(ty));
        assert_eq!(check_format(ty, b"A "), fmt_err(ty));
        for ty in [
            FieldType::MultipleValueString,
            FieldType::MultipleStringValue,
        ] {
            assert_eq!(check_format(ty, b"AB CD E"), Ok(()));
            assert_eq!(check_format(ty, b"AB  CD"), fmt_err(ty));
            assert_eq!(check_format(ty, b"AB \x01"), fmt_err(ty));
        }
        assert_eq!(check_format(FieldType::Data, b"\x01"), Ok(()));
        assert_eq!(check_format(FieldType::XmlData, b"<a>\x01</a>"), Ok(()));
    }

    #[test]
    fn times_carry_the_checked_type_name() {
        assert_eq!(
            check_format(FieldType::UtcTimestamp, b"20241301-00:00:00"),
            range_err(FieldType::UtcTimestamp)
        );
        assert_eq!(
            check_format(FieldType::UtcDateOnly, b"2024011"),
            fmt_err(FieldType::UtcDateOnly)
        );
        assert_eq!(
            check_format(FieldType::LocalMktDate, b"20230229"),
            range_err(FieldType::LocalMktDate)
        );
        assert_eq!(
            check_format(FieldType::LocalMktTime, b"24:00:00"),
            range_err(FieldType::LocalMktTime)
        );
        assert_eq!(
            check_format(FieldType::UtcTimeOnly, b"12:00"),
            fmt_err(FieldType::UtcTimeOnly)
        );
        assert_eq!(check_format(FieldType::TzTimeOnly, b"12:00"), Ok(()));
        assert_eq!(
            check_format(FieldType::MonthYear, b"202406w6"),
            range_err(FieldType::MonthYear)
        );
        assert_eq!(
            check_format(FieldType::TzTimestamp, b"20240101-00:00:00+5"),
            fmt_err(FieldType::TzTimestamp)
        );
    }

    #[test]
    fn check_agrees_with_parse() {
        use rust_decimal::Decimal;
        let samples: &[&[u8]] = &[
            b"0",
            b"-0",
            b"007",
            b"-",
            b"1.",
            b".1",
            b"1.2.3",
            b"A",
            b" ",
            b"~",
            b"Y",
            b"N",
            b"99999999999999999999",
            b"-9223372036854775809",
            b"4294967296",
            b"20240229",
            b"20230229",
            b"12:30:00",
            b"12:30:00.1234",
            b"20240229-12:30:00.1",
            b"20240229-12:30:00.1234567890",
            b"202402",
            b"20240230",
            b"12:30Z",
            b"12:30:00+01",
        ];
        for s in samples {
            assert_eq!(
                check_format(FieldType::Int, s).is_ok(),
                i64::parse(s).is_ok()
            );
            assert_eq!(
                check_format(FieldType::SeqNum, s).is_ok(),
                u64::parse(s).is_ok()
            );
            assert_eq!(
                check_format(FieldType::Length, s).is_ok(),
                u32::parse(s).is_ok()
            );
            assert_eq!(
                check_format(FieldType::Price, s).is_ok(),
                Decimal::parse(s).is_ok()
            );
            assert_eq!(
                check_format(FieldType::Char, s).is_ok(),
                char::parse(s).is_ok()
            );
            assert_eq!(
                check_format(FieldType::Boolean, s).is_ok(),
                bool::parse(s).is_ok()
            );
            assert_eq!(
                check_format(FieldType::MultipleCharValue, s).is_ok(),
                MultipleValues::<char>::parse(s).is_ok()
            );
            assert_eq!(
                check_format(FieldType::UtcTimestamp, s).is_ok(),
                UtcTimestamp::parse(s).is_ok()
            );
            assert_eq!(
                check_format(FieldType::UtcTimeOnly, s).is_ok(),
                UtcTimeOnly::parse(s).is_ok()
            );
            assert_eq!(
                check_format(FieldType::UtcDateOnly, s).is_ok(),
                UtcDateOnly::parse(s).is_ok()
            );
            assert_eq!(
                check_format(FieldType::MonthYear, s).is_ok(),
                MonthYear::parse(s).is_ok()
            );
            assert_eq!(
                check_format(FieldType::TzTimeOnly, s).is_ok(),
                TzTimeOnly::parse(s).is_ok()
            );
        }
    }
}
