//! The time-of-day types: `UTCTIMEONLY` and `LOCALMKTTIME`.

use super::super::digits::Sink;
use super::super::{FixValue, ValueError};
use super::{Hms, Precision, LOCALMKTTIME, UTCTIMEONLY};

/// A time-of-day FIX type (`HH:MM:SS[.sss[sss[sss]]]`) wrapping an `Hms`: constructor,
/// accessors, precision, codec and string forms; the types differ in name and meaning only.
macro_rules! time_of_day_type {
    ($(#[$doc:meta])* $name:ident, $type_name:expr, $described:expr) => {
        $(#[$doc])*
        #[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name {
            pub(super) time: Hms,
        }

        impl $name {
            /// The time, or `None` if the hour is above 23, the minute above 59, the second
            /// above 60 or `nanos` is a second or more. `nanos` is truncated to `precision`.
            pub const fn new(
                hour: u8,
                minute: u8,
                second: u8,
                nanos: u32,
                precision: Precision,
            ) -> Option<$name> {
                match Hms::new(hour, minute, second, nanos, precision) {
                    Some(time) => Some($name { time }),
                    None => None,
                }
            }

            hms_accessors!();

            /// The same time with another precision, truncating the fraction when lowering
            /// it.
            pub const fn with_precision(self, precision: Precision) -> $name {
                let mut time = self.time;
                time.nanos = precision.truncate(time.nanos);
                time.precision = precision;
                $name { time }
            }

            fn write_to<S: Sink + ?Sized>(&self, out: &mut S) {
                self.time.write_to(out);
            }
        }

        impl FixValue for $name {
            const SOH_FREE: bool = true;

            fn write(&self, out: &mut Vec<u8>) {
                self.write_to(out);
            }

            fn parse(bytes: &[u8]) -> Result<Self, ValueError> {
                Hms::parse_exact(bytes, $type_name).map(|time| $name { time })
            }
        }

        wire_string_impls!($name, $described);
    };
}

time_of_day_type!(
    /// A `UTCTIMEONLY`: a UTC time of day with its wire precision, `HH:MM:SS[.sss[sss[sss]]]`.
    UtcTimeOnly,
    UTCTIMEONLY,
    "a UTC time as HH:MM:SS[.sss]"
);

time_of_day_type!(
    /// A `LOCALMKTTIME`: a time of day in the market's local time zone, `HH:MM:SS[.sss]`.
    ///
    /// Fractions follow the same rules as [`UtcTimeOnly`].
    LocalMktTime,
    LOCALMKTTIME,
    "a local market time as HH:MM:SS[.sss]"
);
