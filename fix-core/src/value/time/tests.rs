use super::super::{format, range, FixValue, ValueError};
use super::*;
use crate::encode::Bounded;
use std::time::{Duration, UNIX_EPOCH};

fn text<T: FixValue>(v: &T) -> String {
    let mut out = Vec::new();
    v.write(&mut out);
    String::from_utf8(out).unwrap_or_default()
}

fn ts(s: &str) -> UtcTimestamp {
    match UtcTimestamp::parse(s.as_bytes()) {
        Ok(t) => t,
        Err(e) => panic!("{s}: {e}"),
    }
}

fn date(y: u16, m: u8, d: u8) -> Date {
    match Date::new(y, m, d) {
        Some(d) => d,
        None => panic!("invalid test date {y}-{m}-{d}"),
    }
}

// ---- Date ----

#[test]
fn leap_years() {
    assert!(Date::is_leap_year(2000));
    assert!(Date::is_leap_year(2024));
    assert!(Date::is_leap_year(0));
    assert!(!Date::is_leap_year(1900));
    assert!(!Date::is_leap_year(2023));
    assert!(!Date::is_leap_year(2100));
    assert_eq!(Date::days_in_month(2024, 2), Some(29));
    assert_eq!(Date::days_in_month(2023, 2), Some(28));
    assert_eq!(Date::days_in_month(2023, 4), Some(30));
    assert_eq!(Date::days_in_month(2023, 13), None);
}

#[test]
fn date_construction_checks_ranges() {
    assert!(Date::new(2024, 2, 29).is_some());
    assert!(Date::new(2023, 2, 29).is_none());
    assert!(Date::new(2024, 2, 30).is_none());
    assert!(Date::new(2024, 4, 31).is_none());
    assert!(Date::new(2024, 13, 1).is_none());
    assert!(Date::new(2024, 0, 1).is_none());
    assert!(Date::new(2024, 1, 0).is_none());
    assert!(Date::new(10000, 1, 1).is_none());
    assert!(Date::new(9999, 12, 31).is_some());
    assert!(Date::new(0, 1, 1).is_some());
}

#[test]
fn date_wire_form() {
    for s in ["20240229", "00000101", "99991231", "19700101", "20001231"] {
        assert_eq!(
            Date::parse(s.as_bytes()).map(|d| text(&d)),
            Ok(s.to_owned())
        );
    }
    let d = UtcDateOnly::parse(b"20240229");
    assert_eq!(d.map(|d| (d.year(), d.month(), d.day())), Ok((2024, 2, 29)));
    assert_eq!(UtcDateOnly::parse(b""), Err(ValueError::Empty));
    assert_eq!(UtcDateOnly::parse(b"20241301"), Err(range(UTCDATEONLY)));
    assert_eq!(UtcDateOnly::parse(b"20240230"), Err(range(UTCDATEONLY)));
    assert_eq!(LocalMktDate::parse(b"20230229"), Err(range(LOCALMKTDATE)));
    assert_eq!(
        LocalMktDate::parse(b"20240229").map(|d| text(&d)),
        Ok("20240229".to_owned())
    );
    assert_eq!(LocalMktDate::parse(b"20240100"), Err(range(LOCALMKTDATE)));
    for bad in [
        &b"2024022"[..],
        b"202402290",
        b"2024-02-29",
        b"2024022a",
        b"-2024022",
        b"2024 229",
    ] {
        assert_eq!(UtcDateOnly::parse(bad), Err(format(UTCDATEONLY)), "{bad:?}");
    }
}

#[test]
fn epoch_days_known_values() {
    assert_eq!(date(1970, 1, 1).days_since_epoch(), 0);
    assert_eq!(date(1969, 12, 31).days_since_epoch(), -1);
    // 951868800 s / 86400 s per day.
    assert_eq!(date(2000, 3, 1).days_since_epoch(), 11_017);
    // 1970..2023 is 54 years with 13 leap days (1972..=2020), then Jan (31) + 28 days.
    assert_eq!(
        date(2024, 2, 29).days_since_epoch(),
        54 * 365 + 13 + 31 + 28
    );
    assert_eq!(Date::from_days_since_epoch(0), Some(date(1970, 1, 1)));
    assert_eq!(Date::from_days_since_epoch(11_017), Some(date(2000, 3, 1)));
    assert_eq!(Date::from_days_since_epoch(-719_528), Some(date(0, 1, 1)));
    assert_eq!(Date::from_days_since_epoch(-719_529), None);
    assert_eq!(
        Date::from_days_since_epoch(2_932_896),
        Some(date(9999, 12, 31))
    );
    assert_eq!(Date::from_days_since_epoch(2_932_897), None);
    assert_eq!(Date::from_days_since_epoch(i64::MAX), None);
    assert_eq!(Date::from_days_since_epoch(i64::MIN), None);
}

/// Walks every day from 0000-01-01 to 9999-12-31 with a naive "next day" and checks that
/// the day numbers are consecutive in both directions.
#[test]
fn every_day_converts_both_ways() {
    let (mut y, mut m, mut d) = (0u16, 1u8, 1u8);
    let mut expected = -719_528i64;
    loop {
        let current = date(y, m, d);
        assert_eq!(current.days_since_epoch(), expected);
        assert_eq!(Date::from_days_since_epoch(expected), Some(current));
        if (y, m, d) == (9999, 12, 31) {
            break;
        }
        expected += 1;
        d += 1;
        if Some(d) > Date::days_in_month(y, m) {
            d = 1;
            m += 1;
            if m > 12 {
                m = 1;
                y += 1;
            }
        }
    }
}

// ---- Precision ----

#[test]
fn precision_classes() {
    assert_eq!(Precision::for_digits(0), Some(Precision::Seconds));
    assert_eq!(Precision::for_digits(1), Some(Precision::Millis));
    assert_eq!(Precision::for_digits(3), Some(Precision::Millis));
    assert_eq!(Precision::for_digits(4), Some(Precision::Micros));
    assert_eq!(Precision::for_digits(7), Some(Precision::Nanos));
    assert_eq!(Precision::for_digits(10), None);
    assert_eq!(Precision::Micros.digits(), 6);
    assert_eq!(Precision::Millis.truncate(123_456_789), 123_000_000);
    assert_eq!(Precision::Seconds.truncate(999_999_999), 0);
}

// ---- UtcTimestamp ----

#[test]
fn timestamp_fill_writes_every_part() {
    let precisions = [
        Precision::Seconds,
        Precision::Millis,
        Precision::Micros,
        Precision::Nanos,
    ];
    for (y, mo, d, h, mi, sec, nanos) in [
        (2024u16, 1u8, 2u8, 10u8, 11u8, 12u8, 345_678_901u32),
        (1, 12, 31, 23, 59, 60, 999_999_999),
        (9999, 2, 28, 0, 0, 0, 0),
        (1970, 6, 9, 9, 5, 7, 1_002_003),
    ] {
        for p in precisions {
            let date = Date::new(y, mo, d).unwrap_or_else(|| panic!("{y}-{mo}-{d}"));
            let ts = UtcTimestamp::new(date, h, mi, sec, nanos, p)
                .unwrap_or_else(|| panic!("{h}:{mi}:{sec}"));
            let digits = p.digits();
            let fraction = format!("{:09}", p.truncate(nanos));
            let mut expected = format!("{y:04}{mo:02}{d:02}-{h:02}:{mi:02}:{sec:02}");
            if digits > 0 {
                expected.push('.');
                expected.push_str(&fraction[..digits]);
            }
            let mut out = [b'x'; 28];
            let n = ts.fill(&mut out);
            assert_eq!(std::str::from_utf8(&out[..n]), Ok(expected.as_str()));
            let mut written = Vec::new();
            ts.write(&mut written);
            assert_eq!(written, expected.as_bytes());
        }
    }
}

#[test]
fn timestamp_precision_round_trips() {
    for (s, p) in [
        ("20240229-23:59:59", Precision::Seconds),
        ("20240229-23:59:59.999", Precision::Millis),
        ("20240229-23:59:59.000001", Precision::Micros),
        ("20240229-23:59:59.000000001", Precision::Nanos),
        ("20240229-00:00:00.000", Precision::Millis),
        ("00000101-00:00:00", Precision::Seconds),
        ("99991231-23:59:60.999999999", Precision::Nanos),
    ] {
        let t = ts(s);
        assert_eq!(t.precision(), p, "{s}");
        assert_eq!(text(&t), s);
        assert_eq!(t.to_string(), s);
    }
}

#[test]
fn timestamp_fields() {
    let t = ts("20240229-23:58:57.123456");
    assert_eq!(
        (
            t.year(),
            t.month(),
            t.day(),
            t.hour(),
            t.minute(),
            t.second(),
            t.nanos()
        ),
        (2024, 2, 29, 23, 58, 57, 123_456_000)
    );
    assert_eq!(t.date(), date(2024, 2, 29));
    assert_eq!(t.time().to_string(), "23:58:57.123456");
    assert_eq!(UtcTimestamp::from_date_time(t.date(), t.time()), t);
}

#[test]
fn odd_fraction_lengths_round_up_to_the_next_class() {
    let t = ts("20240229-12:00:00.5");
    assert_eq!((t.precision(), t.nanos()), (Precision::Millis, 500_000_000));
    assert_eq!(t.to_string(), "20240229-12:00:00.500");
    // Four digits are micros, not millis: nothing is lost.
    let t = ts("20240229-12:00:00.1234");
    assert_eq!((t.precision(), t.nanos()), (Precision::Micros, 123_400_000));
    assert_eq!(t.to_string(), "20240229-12:00:00.123400");
    let t = ts("20240229-12:00:00.1234567");
    assert_eq!((t.precision(), t.nanos()), (Precision::Nanos, 123_456_700));
    // Picoseconds are truncated to nanoseconds.
    let t = ts("20240229-12:00:00.123456789999");
    assert_eq!((t.precision(), t.nanos()), (Precision::Nanos, 123_456_789));
}

#[test]
fn timestamp_rejections() {
    let f = Err(format(UTCTIMESTAMP));
    let r = Err(range(UTCTIMESTAMP));
    assert_eq!(UtcTimestamp::parse(b""), Err(ValueError::Empty));
    for bad in [
        "20240229",
        "20240229-",
        "20240229 12:00:00",
        "20240229-12:00",
        "20240229-12:00:0",
        "20240229-12:00:00.",
        "20240229-12:00:00.1234567890123",
        "20240229-12:00:00.12a",
        "20240229-12:00:00Z",
        "20240229-12-00-00",
        "2024022-12:00:00",
        "20240229-1:00:00",
        "20240229-12:00:00 ",
        "2024O229-12:00:00",
    ] {
        assert_eq!(UtcTimestamp::parse(bad.as_bytes()), f, "{bad}");
    }
    for bad in [
        "20241301-00:00:00",
        "20240001-00:00:00",
        "20240230-00:00:00",
        "20230229-00:00:00",
        "20240229-24:00:00",
        "20240229-23:60:00",
        "20240229-23:59:61",
    ] {
        assert_eq!(UtcTimestamp::parse(bad.as_bytes()), r, "{bad}");
    }
}

#[test]
fn unix_nanos_known_values() {
    const NS: i128 = 1_000_000_000;
    let epoch = ts("19700101-00:00:00");
    assert_eq!(epoch.to_unix_nanos(), 0);
    assert_eq!(
        UtcTimestamp::from_unix_nanos(0, Precision::Seconds),
        Some(epoch)
    );

    let y2k = ts("20000301-00:00:00");
    assert_eq!(y2k.to_unix_nanos(), 951_868_800 * NS);
    assert_eq!(
        UtcTimestamp::from_unix_nanos(951_868_800 * NS, Precision::Seconds),
        Some(y2k)
    );

    // 2024-03-01T00:00:00Z is 1709251200 (19783 days * 86400); one nanosecond before it:
    let leap_day = ts("20240229-23:59:59.999999999");
    let expected = (54 * 365 + 13 + 31 + 29) * 86_400 * NS - 1;
    assert_eq!(expected, 1_709_251_200 * NS - 1);
    assert_eq!(leap_day.to_unix_nanos(), expected);
    assert_eq!(
        UtcTimestamp::from_unix_nanos(expected, Precision::Nanos),
        Some(leap_day)
    );
    assert_eq!(
        UtcTimestamp::from_unix_nanos(expected, Precision::Millis).map(|t| t.to_string()),
        Some("20240229-23:59:59.999".to_owned())
    );

    // Half a second before the epoch.
    let before = UtcTimestamp::from_unix_nanos(-NS / 2, Precision::Millis);
    assert_eq!(
        before.map(|t| t.to_string()),
        Some("19691231-23:59:59.500".to_owned())
    );
    assert_eq!(before.map(|t| t.to_unix_nanos()), Some(-NS / 2));

    // Range ends.
    let first = ts("00000101-00:00:00");
    assert_eq!(first.to_unix_nanos(), -719_528 * 86_400 * NS);
    assert_eq!(
        UtcTimestamp::from_unix_nanos(first.to_unix_nanos() - 1, Precision::Nanos),
        None
    );
    let last = ts("99991231-23:59:59.999999999");
    assert_eq!(
        UtcTimestamp::from_unix_nanos(last.to_unix_nanos(), Precision::Nanos),
        Some(last)
    );
    assert_eq!(
        UtcTimestamp::from_unix_nanos(last.to_unix_nanos() + 1, Precision::Nanos),
        None
    );
    assert_eq!(
        UtcTimestamp::from_unix_nanos(i128::MAX, Precision::Nanos),
        None
    );
    assert_eq!(
        UtcTimestamp::from_unix_nanos(i128::MIN, Precision::Nanos),
        None
    );

    // A leap second counts as the next minute's first second.
    assert_eq!(
        ts("20161231-23:59:60").to_unix_nanos(),
        ts("20170101-00:00:00").to_unix_nanos()
    );
}

#[test]
fn system_time_conversions() {
    let t = UNIX_EPOCH + Duration::new(951_868_800, 123_456_789);
    let from = UtcTimestamp::from_system_time(t, Precision::Micros);
    assert_eq!(
        from.map(|t| t.to_string()),
        Some("20000301-00:00:00.123456".to_owned())
    );
    let t = UNIX_EPOCH - Duration::from_millis(1500);
    let from = UtcTimestamp::from_system_time(t, Precision::Millis);
    assert_eq!(
        from.map(|t| t.to_string()),
        Some("19691231-23:59:58.500".to_owned())
    );
    let now = UtcTimestamp::now(Precision::Seconds);
    assert!(now.is_some_and(|n| n.year() >= 2024 && n.precision() == Precision::Seconds));
}

#[test]
fn with_precision_truncates() {
    let t = ts("20240229-23:59:59.987654321");
    assert_eq!(
        t.with_precision(Precision::Micros).to_string(),
        "20240229-23:59:59.987654"
    );
    assert_eq!(
        t.with_precision(Precision::Millis).to_string(),
        "20240229-23:59:59.987"
    );
    assert_eq!(
        t.with_precision(Precision::Seconds).to_string(),
        "20240229-23:59:59"
    );
    let coarse = ts("20240229-23:59:59.5");
    assert_eq!(
        coarse.with_precision(Precision::Nanos).to_string(),
        "20240229-23:59:59.500000000"
    );
}

#[test]
fn constructors_check_ranges() {
    let d = date(2024, 2, 29);
    assert!(UtcTimestamp::new(d, 24, 0, 0, 0, Precision::Seconds).is_none());
    assert!(UtcTimestamp::new(d, 0, 60, 0, 0, Precision::Seconds).is_none());
    assert!(UtcTimestamp::new(d, 0, 0, 61, 0, Precision::Seconds).is_none());
    assert!(UtcTimestamp::new(d, 0, 0, 0, 1_000_000_000, Precision::Nanos).is_none());
    let t = UtcTimestamp::new(d, 23, 59, 60, 123_456_789, Precision::Millis);
    assert_eq!(
        t.map(|t| (t.nanos(), t.to_string())),
        Some((123_000_000, "20240229-23:59:60.123".to_owned()))
    );
    assert!(UtcTimeOnly::new(23, 59, 59, 0, Precision::Seconds).is_some());
    assert!(UtcTimeOnly::new(24, 0, 0, 0, Precision::Seconds).is_none());
    assert!(LocalMktTime::new(9, 30, 0, 0, Precision::Seconds).is_some());
    assert!(LocalMktTime::new(9, 60, 0, 0, Precision::Seconds).is_none());
    assert!(UtcDateOnly::new(2023, 2, 29).is_none());
    assert!(LocalMktDate::new(2024, 2, 29).is_some());
}

#[test]
fn ordering_is_chronological() {
    assert!(ts("20240229-23:59:59") < ts("20240301-00:00:00"));
    assert!(ts("20231231-23:59:59.999") < ts("20240101-00:00:00.000"));
    assert!(ts("20240101-00:00:00.001") < ts("20240101-00:00:00.002"));
    assert_ne!(ts("20240101-00:00:00"), ts("20240101-00:00:00.000"));
    assert!(date(2023, 12, 31) < date(2024, 1, 1));
}

#[test]
fn serde_uses_the_wire_string() {
    let t = ts("20240229-23:59:59.999");
    assert_eq!(
        serde_json::to_string(&t).ok(),
        Some("\"20240229-23:59:59.999\"".to_owned())
    );
    let back: Result<UtcTimestamp, _> = serde_json::from_str("\"20240229-23:59:59.999\"");
    assert_eq!(back.ok(), Some(t));
    let bad: Result<UtcTimestamp, _> = serde_json::from_str("\"20240230-23:59:59\"");
    assert!(bad.is_err());
    let d = date(2024, 2, 29);
    assert_eq!(
        serde_json::to_string(&d).ok(),
        Some("\"20240229\"".to_owned())
    );
    let t = UtcTimeOnly::parse(b"07:05:03.250");
    assert_eq!(
        t.ok().and_then(|t| serde_json::to_string(&t).ok()),
        Some("\"07:05:03.250\"".to_owned())
    );
    let l: Result<LocalMktDate, _> = serde_json::from_str("\"20240101\"");
    assert_eq!(l.ok(), LocalMktDate::new(2024, 1, 1));
}

#[test]
fn display_debug_and_from_str() {
    let t: Result<UtcTimestamp, _> = "20240229-01:02:03.004".parse();
    assert_eq!(
        t.map(|t| format!("{t} {t:?}")),
        Ok("20240229-01:02:03.004 UtcTimestamp(\"20240229-01:02:03.004\")".to_owned())
    );
    let bad: Result<UtcTimeOnly, _> = "1:02:03".parse();
    assert_eq!(bad, Err(format(UTCTIMEONLY)));
}

#[test]
fn time_only_types() {
    for s in [
        "00:00:00",
        "23:59:60",
        "12:34:56.789",
        "12:34:56.789012",
        "12:34:56.789012345",
    ] {
        assert_eq!(
            UtcTimeOnly::parse(s.as_bytes()).map(|t| text(&t)),
            Ok(s.to_owned())
        );
        assert_eq!(
            LocalMktTime::parse(s.as_bytes()).map(|t| text(&t)),
            Ok(s.to_owned())
        );
    }
    let t = UtcTimeOnly::parse(b"01:02:03.4");
    assert_eq!(
        t.map(|t| (t.hour(), t.minute(), t.second(), t.nanos())),
        Ok((1, 2, 3, 400_000_000))
    );
    assert_eq!(UtcTimeOnly::parse(b"24:00:00"), Err(range(UTCTIMEONLY)));
    assert_eq!(UtcTimeOnly::parse(b"23:60:00"), Err(range(UTCTIMEONLY)));
    assert_eq!(LocalMktTime::parse(b"24:00:00"), Err(range(LOCALMKTTIME)));
    assert_eq!(UtcTimeOnly::parse(b""), Err(ValueError::Empty));
    for bad in [
        "12:00",
        "12:00:00.",
        "12:00:00Z",
        "12.00.00",
        "120000",
        "12:00:00:00",
    ] {
        assert_eq!(
            UtcTimeOnly::parse(bad.as_bytes()),
            Err(format(UTCTIMEONLY)),
            "{bad}"
        );
        assert_eq!(
            LocalMktTime::parse(bad.as_bytes()),
            Err(format(LOCALMKTTIME)),
            "{bad}"
        );
    }
    let t = UtcTimeOnly::parse(b"12:00:00.123456789");
    assert_eq!(
        t.map(|t| t.with_precision(Precision::Millis).to_string()),
        Ok("12:00:00.123".to_owned())
    );
}
