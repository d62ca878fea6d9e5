//! How many fraction digits a time value carries.

/// How many digits of a fraction of a second a time value carries on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub enum Precision {
    /// No fraction: `HH:MM:SS`.
    #[default]
    Seconds,
    /// Milliseconds: `HH:MM:SS.sss`.
    Millis,
    /// Microseconds: `HH:MM:SS.ssssss`.
    Micros,
    /// Nanoseconds: `HH:MM:SS.sssssssss`.
    Nanos,
}

impl Precision {
    /// The number of fraction digits: 0, 3, 6 or 9.
    pub const fn digits(self) -> usize {
        match self {
            Precision::Seconds => 0,
            Precision::Millis => 3,
            Precision::Micros => 6,
            Precision::Nanos => 9,
        }
    }

    /// The smallest precision that can hold `digits` fraction digits (0 gives seconds, 1 to 3
    /// millis, 4 to 6 micros, 7 to 9 nanos); `None` above 9.
    pub const fn for_digits(digits: usize) -> Option<Precision> {
        Some(match digits {
            0 => Precision::Seconds,
            1..=3 => Precision::Millis,
            4..=6 => Precision::Micros,
            7..=9 => Precision::Nanos,
            _ => return None,
        })
    }

    /// The length of one unit in nanoseconds: 1,000,000,000 for seconds down to 1 for nanos.
    pub const fn unit_nanos(self) -> u32 {
        match self {
            Precision::Seconds => 1_000_000_000,
            Precision::Millis => 1_000_000,
            Precision::Micros => 1_000,
            Precision::Nanos => 1,
        }
    }

    /// `nanos` truncated to a multiple of this precision's unit.
    pub const fn truncate(self, nanos: u32) -> u32 {
        nanos - nanos % self.unit_nanos()
    }
}
