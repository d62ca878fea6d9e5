//! `MONTHYEAR` as [`MonthYear`]: `YYYYMM`, `YYYYMMDD` or `YYYYMMwN`.
//!
//! The year is 0000 to 9999 and the month 01 to 12; a day must exist in that month (leap
//! years included); a week `wN` is `w1` to `w5` with a lower-case `w` as FIX defines it.
//! Which of the three forms was read is kept and written back.

use super::digits::{read_digits, write_padded, Sink};
use super::{format, range, Date, FixValue, ValueError};

const MONTHYEAR: &str = "MONTHYEAR";

/// What a [`MonthYear`] gives beyond the month.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum MonthYearDetail {
    /// `YYYYMM`: just the month.
    Month,
    /// `YYYYMMDD`: a day of the month, 1 to 31.
    Day(u8),
    /// `YYYYMMwN`: a week of the month, 1 to 5.
    Week(u8),
}

/// A `MONTHYEAR` value, typically a contract's maturity: a month, optionally with a day or a
/// week of that month.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct MonthYear {
    year: u16,
    month: u8,
    detail: MonthYearDetail,
}

impl MonthYear {
    /// `YYYYMM`; `None` if the year is above 9999 or the month not 1 to 12.
    pub const fn new(year: u16, month: u8) -> Option<MonthYear> {
        MonthYear::with_detail(year, month, MonthYearDetail::Month)
    }

    /// `YYYYMMDD`; `None` if the date does not exist.
    pub const fn with_day(year: u16, month: u8, day: u8) -> Option<MonthYear> {
        MonthYear::with_detail(year, month, MonthYearDetail::Day(day))
    }

    /// `YYYYMMwN`; `None` if the year or month is out of range or the week not 1 to 5.
    pub const fn with_week(year: u16, month: u8, week: u8) -> Option<MonthYear> {
        MonthYear::with_detail(year, month, MonthYearDetail::Week(week))
    }

    /// Any of the three forms; `None` if a part is out of range.
    pub const fn with_detail(year: u16, month: u8, detail: MonthYearDetail) -> Option<MonthYear> {
        let valid = match detail {
            MonthYearDetail::Month => Date::new(year, month, 1).is_some(),
            MonthYearDetail::Day(day) => Date::new(year, month, day).is_some(),
            MonthYearDetail::Week(week) => {
                Date::new(year, month, 1).is_some() && week >= 1 && week <= 5
            }
        };
        if valid {
            Some(MonthYear {
                year,
                month,
                detail,
            })
        } else {
            None
        }
    }

    /// The year, 0 to 9999.
    pub const fn year(&self) -> u16 {
        self.year
    }

    /// The month, 1 to 12.
    pub const fn month(&self) -> u8 {
        self.month
    }

    /// Which form this is, with the day or week.
    pub const fn detail(&self) -> MonthYearDetail {
        self.detail
    }

    /// The day of the month, for the `YYYYMMDD` form.
    pub const fn day(&self) -> Option<u8> {
        match self.detail {
            MonthYearDetail::Day(day) => Some(day),
            _ => None,
        }
    }

    /// The week of the month, for the `YYYYMMwN` form.
    pub const fn week(&self) -> Option<u8> {
        match self.detail {
            MonthYearDetail::Week(week) => Some(week),
            _ => None,
        }
    }

    fn write_to<S: Sink + ?Sized>(&self, out: &mut S) {
        write_padded(out, u32::from(self.year), 4);
        write_padded(out, u32::from(self.month), 2);
        match self.detail {
            MonthYearDetail::Month => {}
            MonthYearDetail::Day(day) => write_padded(out, u32::from(day), 2),
            MonthYearDetail::Week(week) => {
                out.put(b'w');
                write_padded(out, u32::from(week), 1);
            }
        }
    }
}

impl FixValue for MonthYear {
    const SOH_FREE: bool = true;

    fn write(&self, out: &mut Vec<u8>) {
        self.write_to(out);
    }

    fn parse(bytes: &[u8]) -> Result<Self, ValueError> {
        let (year, month, tail) = match bytes {
            [] => return Err(ValueError::Empty),
            [y1, y2, y3, y4, m1, m2, tail @ ..] => ([*y1, *y2, *y3, *y4], [*m1, *m2], tail),
            _ => return Err(format(MONTHYEAR)),
        };
        let year = read_digits(&year).ok_or(format(MONTHYEAR))?;
        let month = read_digits(&month).ok_or(format(MONTHYEAR))?;
        let detail = match tail {
            [] => MonthYearDetail::Month,
            [b'w', w] => MonthYearDetail::Week(read_digits(&[*w]).ok_or(format(MONTHYEAR))? as u8),
            [d1, d2] => {
                MonthYearDetail::Day(read_digits(&[*d1, *d2]).ok_or(format(MONTHYEAR))? as u8)
            }
            _ => return Err(format(MONTHYEAR)),
        };
        // Year has 4 digits, month 2: the narrowing casts are lossless.
        MonthYear::with_detail(year as u16, month as u8, detail).ok_or(range(MONTHYEAR))
    }
}

wire_string_impls!(MonthYear, "a month as YYYYMM, YYYYMMDD or YYYYMMwN");

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip(s: &str) -> Result<String, ValueError> {
        MonthYear::parse(s.as_bytes()).map(|v| v.to_string())
    }

    #[test]
    fn the_three_forms_round_trip() {
        for s in [
            "202406", "20240615", "202406w1", "202406w5", "20240229", "000001", "999912",
        ] {
            assert_eq!(round_trip(s), Ok(s.to_owned()));
        }
        let m = MonthYear::parse(b"202406");
        assert_eq!(
            m.map(|m| (m.year(), m.month(), m.detail())),
            Ok((2024, 6, MonthYearDetail::Month))
        );
        let m = MonthYear::parse(b"20240615");
        assert_eq!(m.map(|m| (m.day(), m.week())), Ok((Some(15), None)));
        let m = MonthYear::parse(b"202406w3");
        assert_eq!(m.map(|m| (m.day(), m.week())), Ok((None, Some(3))));
    }

    #[test]
    fn rejections() {
        assert_eq!(MonthYear::parse(b""), Err(ValueError::Empty));
        for bad in [
            "2024",
            "20246",
            "2024061",
            "202406151",
            "202406W1",
            "202406w",
            "202406w12",
            "2024-06",
            "20240a",
        ] {
            assert_eq!(
                MonthYear::parse(bad.as_bytes()),
                Err(format(MONTHYEAR)),
                "{bad}"
            );
        }
        for bad in [
            "202413", "202400", "20240230", "20230229", "20240600", "202406w0", "202406w6",
        ] {
            assert_eq!(
                MonthYear::parse(bad.as_bytes()),
                Err(range(MONTHYEAR)),
                "{bad}"
            );
        }
    }

    #[test]
    fn constructors() {
        assert_eq!(
            MonthYear::new(2024, 6).map(|m| m.to_string()),
            Some("202406".to_owned())
        );
        assert_eq!(
            MonthYear::with_day(2024, 2, 29).map(|m| m.to_string()),
            Some("20240229".to_owned())
        );
        assert_eq!(
            MonthYear::with_week(2024, 6, 2).map(|m| m.to_string()),
            Some("202406w2".to_owned())
        );
        assert!(MonthYear::new(2024, 13).is_none());
        assert!(MonthYear::with_day(2023, 2, 29).is_none());
        assert!(MonthYear::with_week(2024, 6, 6).is_none());
        assert!(MonthYear::with_week(2024, 6, 0).is_none());
    }

    #[test]
    fn serde_is_the_wire_string() {
        let m = MonthYear::with_week(2024, 6, 2);
        assert_eq!(
            m.and_then(|m| serde_json::to_string(&m).ok()),
            Some("\"202406w2\"".to_owned())
        );
        let back: Result<MonthYear, _> = serde_json::from_str("\"202406w2\"");
        assert_eq!(back.ok(), m);
        assert!(MonthYear::new(2024, 6) < MonthYear::new(2024, 7));
    }
}
