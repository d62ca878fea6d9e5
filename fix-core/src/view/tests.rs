use super::*;

#[test]
fn digits_value_reads_one_to_eight_digits() {
    let mut rng = 0x9e37_79b9_7f4a_7c15u64;
    for _ in 0..20_000 {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        let len = 1 + (rng % 8) as usize;
        let digits: Vec<u8> = (0..len).map(|i| ((rng >> (5 * i)) % 10) as u8).collect();
        let word = digits
            .iter()
            .enumerate()
            .fold(0u64, |w, (i, &d)| w | u64::from(d) << (8 * i));
        let expected = digits.iter().fold(0u32, |a, &d| a * 10 + u32::from(d));
        assert_eq!(digits_value(word, len), expected, "{digits:?}");
    }
    assert_eq!(digits_value(0x0909_0909_0909_0909, 8), 99_999_999);
    assert_eq!(digits_value(0x05_03, 2), 35);
}
