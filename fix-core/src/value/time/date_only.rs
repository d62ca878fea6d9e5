//! The date-only types: `UTCDATEONLY` and `LOCALMKTDATE`.

use super::super::digits::Sink;
use super::super::{FixValue, ValueError};
use super::{Date, LOCALMKTDATE, UTCDATEONLY};

/// A date-only FIX type (`YYYYMMDD`) wrapping a [`Date`]: constructors, accessors, codec
/// and string forms; the types differ in name and meaning only.
macro_rules! date_type {
    ($(#[$doc:meta])* $name:ident, $type_name:expr, $described:expr) => {
        $(#[$doc])*
        #[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name {
            date: Date,
        }

        impl $name {
            /// The date, or `None` if it does not exist (see [`Date::new`]).
            pub const fn new(year: u16, month: u8, day: u8) -> Option<$name> {
                match Date::new(year, month, day) {
                    Some(date) => Some($name { date }),
                    None => None,
                }
            }

            /// Wraps a date.
            pub const fn from_date(date: Date) -> $name {
                $name { date }
            }

            date_accessors!();

            fn write_to<S: Sink + ?Sized>(&self, out: &mut S) {
                self.date.write_to(out);
            }
        }

        impl FixValue for $name {
            const SOH_FREE: bool = true;

            fn write(&self, out: &mut Vec<u8>) {
                self.write_to(out);
            }

            fn parse(bytes: &[u8]) -> Result<Self, ValueError> {
                Date::parse_as(bytes, $type_name).map(|date| $name { date })
            }
        }

        wire_string_impls!($name, $described);
    };
}

date_type!(
    /// A `UTCDATEONLY`: a UTC date, `YYYYMMDD`.
    UtcDateOnly,
    UTCDATEONLY,
    "a UTC date as YYYYMMDD"
);

date_type!(
    /// A `LOCALMKTDATE`: a date in the market's local time zone, `YYYYMMDD`.
    LocalMktDate,
    LOCALMKTDATE,
    "a local market date as YYYYMMDD"
);
