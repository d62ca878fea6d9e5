use super::super::UtcTimeOnly;
use super::*;

/// `good` cut or padded to lengths from `lens`, with one or two bytes changed to
/// digits or separators: values near the valid ones, for checks that must agree.
fn near_misses(good: &[u8], lens: &[usize], seed: u64) -> impl Iterator<Item = Vec<u8>> {
    let good = good.to_vec();
    let lens = lens.to_vec();
    let mut rng = seed;
    (0..200_000).map(move |_| {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        let r = rng;
        let len = lens[(r % lens.len() as u64) as usize];
        let mut v = good[..len.min(good.len())].to_vec();
        v.resize(len, b'3');
        for k in 0..=(r >> 8) % 2 {
            let at = (r >> (16 + 8 * k)) as usize % v.len();
            v[at] = b"0123456789:-./ "[(r >> (40 + 4 * k)) as usize % 15];
        }
        v
    })
}

#[test]
fn quick_time_only_check_agrees_with_parse() {
    let lens = [8, 9, 10, 12, 15, 18, 20, 21, 22, 7];
    for v in near_misses(b"23:59:60.123456789123", &lens, 0x2545_f491_4f6c_dd1d) {
        let text = String::from_utf8_lossy(&v);
        assert_eq!(
            quick_utc_time_only_ok(&v),
            UtcTimeOnly::parse(&v).is_ok(),
            "{text}"
        );
    }
}

#[test]
fn quick_check_agrees_with_fast_timestamp() {
    let lens = [17, 18, 19, 21, 24, 27, 30, 31, 16];
    let good = b"20240229-23:59:60.123456789123";
    for v in near_misses(good, &lens, 0x9e37_79b9_7f4a_7c15) {
        let text = String::from_utf8_lossy(&v);
        assert_eq!(
            quick_utc_timestamp_ok(&v),
            fast_timestamp(&v).is_some(),
            "{text}"
        );
    }
    for s in [
        &b"20230229-10:11:12"[..],
        b"20240229-10:11:12",
        b"19000229-00:00:00",
        b"20000229-00:00:00",
        b"20241131-00:00:00",
        b"20241231-23:59:60.5",
    ] {
        assert_eq!(
            quick_utc_timestamp_ok(s),
            fast_timestamp(s).is_some(),
            "{s:?}"
        );
    }
}

#[test]
fn fast_timestamp_reads_the_usual_shapes() {
    for s in [
        &b"20240102-10:11:12.345"[..],
        b"20240102-10:11:12",
        b"20240229-23:59:60.123456789",
        b"20240229-23:59:60.123456789123",
        b"20240229-23:59:60.1",
    ] {
        assert_eq!(fast_timestamp(s), UtcTimestamp::parse(s).ok(), "{s:?}");
        assert!(fast_timestamp(s).is_some(), "{s:?}");
    }
    for s in [
        &b"20230229-10:11:12"[..],
        b"20240102-24:11:12",
        b"20240102-10:60:12",
        b"20240102-10:11:61",
        b"20240102-10:11:12.",
        b"20240102-10:11:12.1234567890123",
        b"20240102-10:11:12.12a",
        b"2024010-10:11:12.123",
        b"20240102 10:11:12",
        b"20241301-10:11:12",
        b"20240100-10:11:12",
    ] {
        assert_eq!(fast_timestamp(s), None, "{s:?}");
    }
}
