//! Times and timestamps with a time zone offset: `TZTIMEONLY` and `TZTIMESTAMP`.
//!
//! Formats:
//!
//! * `HH:MM[:SS[.fraction]]` then the zone for [`TzTimeOnly`]
//! * `YYYYMMDD-HH:MM:SS[.fraction]` then the zone for [`TzTimestamp`]
//!
//! The zone is absent, `Z` (UTC), or `+hh` / `-hh` optionally followed by `:mm`, with two
//! digits each, `hh` 00 to 23 and `mm` 00 to 59 (lenient: real offsets stay within ±14:00).
//! Fractions follow the rules of the [`super::UtcTimestamp`] family (1 to 12 digits, kept at
//! 3, 6 or 9 digits); a fraction needs seconds. An offset is written as `+hh` when it is a
//! whole number of hours and `+hh:mm` otherwise, so `+05:00` reads back as `+05`; a negative
//! zero offset (`-00`) is written `+00`.

use super::digits::{read_digits, write_padded, Sink};
use super::time::{parse_date_dash, unix_nanos, Hms};
use super::{format, range, Date, FixValue, Precision, ValueError};

const TZTIMEONLY: &str = "TZTIMEONLY";
const TZTIMESTAMP: &str = "TZTIMESTAMP";

/// The largest offset magnitude accepted, in minutes (23:59).
const MAX_OFFSET_MINUTES: i16 = 23 * 60 + 59;

/// The time zone part of a [`TzTimeOnly`] or [`TzTimestamp`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub enum TzOffset {
    /// No zone was given.
    #[default]
    Absent,
    /// `Z`: UTC.
    Utc,
    /// `+hh[:mm]` or `-hh[:mm]`: minutes east of UTC (negative west), at most 23:59 either way.
    Minutes(i16),
}

impl TzOffset {
    /// The offset from UTC in minutes: `None` if absent, `Some(0)` for `Z`.
    pub const fn minutes(self) -> Option<i16> {
        match self {
            TzOffset::Absent => None,
            TzOffset::Utc => Some(0),
            TzOffset::Minutes(m) => Some(m),
        }
    }

    /// True unless this is a [`TzOffset::Minutes`] beyond ±23:59.
    pub const fn is_valid(self) -> bool {
        match self {
            TzOffset::Minutes(m) => m >= -MAX_OFFSET_MINUTES && m <= MAX_OFFSET_MINUTES,
            _ => true,
        }
    }

    /// Reads the whole of `bytes` as a zone suffix.
    fn parse(bytes: &[u8], expected: &'static str) -> Result<TzOffset, ValueError> {
        let (sign, hh, mm) = match bytes {
            [] => return Ok(TzOffset::Absent),
            [b'Z'] => return Ok(TzOffset::Utc),
            [sign @ (b'+' | b'-'), h1, h2] => (*sign, [*h1, *h2], None),
            [sign @ (b'+' | b'-'), h1, h2, b':', m1, m2] => (*sign, [*h1, *h2], Some([*m1, *m2])),
            _ => return Err(format(expected)),
        };
        let hours = read_digits(&hh).ok_or(format(expected))?;
        let minutes = match mm {
            Some(mm) => read_digits(&mm).ok_or(format(expected))?,
            None => 0,
        };
        if hours > 23 || minutes > 59 {
            return Err(range(expected));
        }
        // At most 23 * 60 + 59, which fits in an i16.
        let total = (hours * 60 + minutes) as i16;
        Ok(TzOffset::Minutes(if sign == b'-' { -total } else { total }))
    }

    fn write_to<S: Sink + ?Sized>(self, out: &mut S) {
        match self {
            TzOffset::Absent => {}
            TzOffset::Utc => out.put(b'Z'),
            TzOffset::Minutes(m) => {
                out.put(if m < 0 { b'-' } else { b'+' });
                let magnitude = u32::from(m.unsigned_abs());
                write_padded(out, magnitude / 60, 2);
                if magnitude % 60 != 0 {
                    out.put(b':');
                    write_padded(out, magnitude % 60, 2);
                }
            }
        }
    }
}

/// A `TZTIMEONLY`: a time of day with an optional zone, `HH:MM[:SS[.sss]][Z|+hh[:mm]|-hh[:mm]]`.
///
/// Whether seconds were given is kept, so `07:39Z` is written back as `07:39Z`.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TzTimeOnly {
    time: Hms,
    has_seconds: bool,
    offset: TzOffset,
}

impl TzTimeOnly {
    /// The time, or `None` if a field is out of range (hour above 23, minute above 59, second
    /// above 60, `nanos` a second or more, an invalid offset) or if `second` is `None` while
    /// `precision` is not [`Precision::Seconds`] or `nanos` is not zero (a fraction needs
    /// seconds). `nanos` is truncated to `precision`.
    pub const fn new(
        hour: u8,
        minute: u8,
        second: Option<u8>,
        nanos: u32,
        precision: Precision,
        offset: TzOffset,
    ) -> Option<TzTimeOnly> {
        if !offset.is_valid() {
            return None;
        }
        let (second, has_seconds) = match second {
            Some(s) => (s, true),
            None if nanos == 0 && matches!(precision, Precision::Seconds) => (0, false),
            None => return None,
        };
        match Hms::new(hour, minute, second, nanos, precision) {
            Some(time) => Some(TzTimeOnly {
                time,
                has_seconds,
                offset,
            }),
            None => None,
        }
    }

    hms_accessors!();

    /// True if the wire form has seconds (`HH:MM:SS`), false for `HH:MM`.
    pub const fn has_seconds(&self) -> bool {
        self.has_seconds
    }

    /// The zone.
    pub const fn offset(&self) -> TzOffset {
        self.offset
    }

    fn write_to<S: Sink + ?Sized>(&self, out: &mut S) {
        self.time.write_hm(out);
        if self.has_seconds {
            self.time.write_seconds(out);
        }
        self.offset.write_to(out);
    }
}

impl FixValue for TzTimeOnly {
    const SOH_FREE: bool = true;

    fn write(&self, out: &mut Vec<u8>) {
        self.write_to(out);
    }

    fn parse(bytes: &[u8]) -> Result<Self, ValueError> {
        if bytes.is_empty() {
            return Err(ValueError::Empty);
        }
        let prefix = Hms::parse_prefix(bytes, false, TZTIMEONLY)?;
        let offset = TzOffset::parse(prefix.rest, TZTIMEONLY)?;
        Ok(TzTimeOnly {
            time: prefix.hms,
            has_seconds: prefix.has_seconds,
            offset,
        })
    }
}

wire_string_impls!(
    TzTimeOnly,
    "a time as HH:MM[:SS[.sss]] with an optional zone"
);

/// A `TZTIMESTAMP`: a local date and time with an optional zone,
/// `YYYYMMDD-HH:MM:SS[.sss][Z|+hh[:mm]|-hh[:mm]]`.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TzTimestamp {
    date: Date,
    time: Hms,
    offset: TzOffset,
}

impl TzTimestamp {
    /// The timestamp, or `None` if a field is out of range (hour above 23, minute above 59,
    /// second above 60, `nanos` a second or more, an invalid offset). `nanos` is truncated to
    /// `precision`.
    pub const fn new(
        date: Date,
        hour: u8,
        minute: u8,
        second: u8,
        nanos: u32,
        precision: Precision,
        offset: TzOffset,
    ) -> Option<TzTimestamp> {
        if !offset.is_valid() {
            return None;
        }
        match Hms::new(hour, minute, second, nanos, precision) {
            Some(time) => Some(TzTimestamp { date, time, offset }),
            None => None,
        }
    }

    date_accessors!();
    hms_accessors!();

    /// The zone.
    pub const fn offset(&self) -> TzOffset {
        self.offset
    }

    /// Nanoseconds since 1970-01-01T00:00:00Z of the instant this denotes: the local time
    /// minus the offset. An absent zone is taken as UTC.
    pub fn to_unix_nanos(&self) -> i128 {
        let local = unix_nanos(self.date, &self.time);
        let offset_minutes = i128::from(self.offset.minutes().unwrap_or(0));
        local - offset_minutes * 60 * 1_000_000_000
    }

    fn write_to<S: Sink + ?Sized>(&self, out: &mut S) {
        self.date.write_to(out);
        out.put(b'-');
        self.time.write_to(out);
        self.offset.write_to(out);
    }
}

impl FixValue for TzTimestamp {
    const SOH_FREE: bool = true;

    fn write(&self, out: &mut Vec<u8>) {
        self.write_to(out);
    }

    fn parse(bytes: &[u8]) -> Result<Self, ValueError> {
        let (date, rest) = parse_date_dash(bytes, TZTIMESTAMP)?;
        let prefix = Hms::parse_prefix(rest, true, TZTIMESTAMP)?;
        let offset = TzOffset::parse(prefix.rest, TZTIMESTAMP)?;
        Ok(TzTimestamp {
            date,
            time: prefix.hms,
            offset,
        })
    }
}

wire_string_impls!(
    TzTimestamp,
    "a timestamp as YYYYMMDD-HH:MM:SS[.sss] with an optional zone"
);

#[cfg(test)]
mod tests {
    use super::*;

    fn text<T: FixValue>(v: &T) -> String {
        let mut out = Vec::new();
        v.write(&mut out);
        String::from_utf8(out).unwrap_or_default()
    }

    fn round_trip<T: FixValue>(s: &str) -> Result<String, ValueError> {
        T::parse(s.as_bytes()).map(|v| text(&v))
    }

    #[test]
    fn time_only_round_trips() {
        for s in [
            "07:39",
            "07:39Z",
            "07:39:00Z",
            "07:39:59.123Z",
            "07:39+05",
            "07:39-05:30",
            "13:30:00.123456-08",
            "00:00+00",
            "23:59:60.999999999+14",
            "12:00:00+23:59",
        ] {
            assert_eq!(round_trip::<TzTimeOnly>(s), Ok(s.to_owned()));
        }
        // Whole-hour offsets are written without minutes; -00 is written +00.
        assert_eq!(
            round_trip::<TzTimeOnly>("07:39+05:00"),
            Ok("07:39+05".to_owned())
        );
        assert_eq!(
            round_trip::<TzTimeOnly>("07:39-00"),
            Ok("07:39+00".to_owned())
        );
        // Odd fraction lengths are widened like UTC times.
        assert_eq!(
            round_trip::<TzTimeOnly>("07:39:00.5Z"),
            Ok("07:39:00.500Z".to_owned())
        );
    }

    #[test]
    fn time_only_fields() {
        let t = TzTimeOnly::parse(b"07:39-05:30");
        assert_eq!(
            t.map(|t| (t.hour(), t.minute(), t.has_seconds(), t.offset())),
            Ok((7, 39, false, TzOffset::Minutes(-330)))
        );
        let t = TzTimeOnly::parse(b"07:39:12.250Z");
        assert_eq!(
            t.map(|t| (t.second(), t.nanos(), t.precision(), t.offset().minutes())),
            Ok((12, 250_000_000, Precision::Millis, Some(0)))
        );
        let t = TzTimeOnly::parse(b"07:39:12");
        assert_eq!(t.map(|t| t.offset()), Ok(TzOffset::Absent));
        assert_eq!(TzOffset::Absent.minutes(), None);
    }

    #[test]
    fn time_only_rejections() {
        assert_eq!(TzTimeOnly::parse(b""), Err(ValueError::Empty));
        for bad in [
            "07",
            "07:3",
            "7:39",
            "07:39:",
            "07:39.5",
            "07:39:00.",
            "07:39z",
            "07:39+5",
            "07:39+0530",
            "07:39+05:3",
            "07:39 Z",
            "07:39ZZ",
            "07:39+05:30:00",
            "07:39:00Zx",
        ] {
            assert_eq!(
                TzTimeOnly::parse(bad.as_bytes()),
                Err(format(TZTIMEONLY)),
                "{bad}"
            );
        }
        for bad in ["24:00Z", "23:60", "23:59:61", "12:00+24", "12:00+05:60"] {
            assert_eq!(
                TzTimeOnly::parse(bad.as_bytes()),
                Err(range(TZTIMEONLY)),
                "{bad}"
            );
        }
    }

    #[test]
    fn time_only_constructor() {
        let t = TzTimeOnly::new(7, 39, None, 0, Precision::Seconds, TzOffset::Utc);
        assert_eq!(t.map(|t| t.to_string()), Some("07:39Z".to_owned()));
        let t = TzTimeOnly::new(
            7,
            39,
            Some(5),
            120_000_000,
            Precision::Millis,
            TzOffset::Minutes(90),
        );
        assert_eq!(
            t.map(|t| t.to_string()),
            Some("07:39:05.120+01:30".to_owned())
        );
        assert!(TzTimeOnly::new(7, 39, None, 5, Precision::Seconds, TzOffset::Utc).is_none());
        assert!(TzTimeOnly::new(7, 39, None, 0, Precision::Millis, TzOffset::Utc).is_none());
        assert!(
            TzTimeOnly::new(7, 39, None, 0, Precision::Seconds, TzOffset::Minutes(1440)).is_none()
        );
        assert!(TzTimeOnly::new(24, 0, None, 0, Precision::Seconds, TzOffset::Absent).is_none());
    }

    #[test]
    fn timestamp_round_trips() {
        for s in [
            "20060901-07:39:00",
            "20060901-07:39:00Z",
            "20060901-07:39:00.123-05",
            "20060901-07:39:00.123456+05:30",
            "20240229-23:59:60.000000001-11:45",
        ] {
            assert_eq!(round_trip::<TzTimestamp>(s), Ok(s.to_owned()));
        }
        let t = TzTimestamp::parse(b"20060901-07:39:00.123-05");
        assert_eq!(
            t.map(|t| (
                t.year(),
                t.month(),
                t.day(),
                t.hour(),
                t.nanos(),
                t.offset()
            )),
            Ok((2006, 9, 1, 7, 123_000_000, TzOffset::Minutes(-300)))
        );
    }

    #[test]
    fn timestamp_rejections() {
        assert_eq!(TzTimestamp::parse(b""), Err(ValueError::Empty));
        for bad in [
            "20060901-07:39Z",
            "20060901",
            "20060901-07:39:00+5",
            "2006091-07:39:00",
            "20060901T07:39:00Z",
        ] {
            assert_eq!(
                TzTimestamp::parse(bad.as_bytes()),
                Err(format(TZTIMESTAMP)),
                "{bad}"
            );
        }
        for bad in [
            "20061301-07:39:00Z",
            "20230229-07:39:00",
            "20060901-24:00:00Z",
            "20060901-07:39:00+24",
        ] {
            assert_eq!(
                TzTimestamp::parse(bad.as_bytes()),
                Err(range(TZTIMESTAMP)),
                "{bad}"
            );
        }
    }

    #[test]
    fn timestamp_instant() {
        // 2000-03-01T05:30:00+05:30 is 2000-03-01T00:00:00Z = 951868800 s.
        let t = TzTimestamp::parse(b"20000301-05:30:00+05:30");
        assert_eq!(
            t.map(|t| t.to_unix_nanos()),
            Ok(951_868_800 * 1_000_000_000)
        );
        let t = TzTimestamp::parse(b"20000229-19:00:00-05");
        assert_eq!(
            t.map(|t| t.to_unix_nanos()),
            Ok(951_868_800 * 1_000_000_000)
        );
        let t = TzTimestamp::parse(b"20000301-00:00:00");
        assert_eq!(
            t.map(|t| t.to_unix_nanos()),
            Ok(951_868_800 * 1_000_000_000)
        );
    }

    #[test]
    fn serde_and_display() {
        let t = TzTimestamp::parse(b"20060901-07:39:00.123-05");
        assert_eq!(
            t.clone().ok().and_then(|t| serde_json::to_string(&t).ok()),
            Some("\"20060901-07:39:00.123-05\"".to_owned())
        );
        let back: Result<TzTimestamp, _> = serde_json::from_str("\"20060901-07:39:00.123-05\"");
        assert_eq!(back.ok(), t.ok());
        let t: Result<TzTimeOnly, _> = serde_json::from_str("\"07:39Z\"");
        assert_eq!(
            t.map(|t| format!("{t:?}")).ok(),
            Some("TzTimeOnly(\"07:39Z\")".to_owned())
        );
    }
}
