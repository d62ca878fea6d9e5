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

#[test]
fn a_shape_that_keeps_missing_is_set_aside_longer_each_time() {
    let mut t = Trust::NEW;
    // A new shape that misses at once is set aside for one message, then relearned.
    t.miss();
    assert_eq!(t.cooldown, 1);
    assert!(t.cool(), "after one message the next shape is remembered");
    t.relearned();
    // Missing again doubles the time set aside, up to MAX_BACKOFF.
    let mut waits = Vec::new();
    for _ in 0..10 {
        t.miss();
        waits.push(t.cooldown);
        let mut n = 1;
        while !t.cool() {
            n += 1;
        }
        assert_eq!(Some(&n), waits.last());
        t.relearned();
    }
    assert_eq!(waits, [2, 4, 8, 16, 32, 64, 64, 64, 64, 64]);
}

#[test]
fn a_shape_that_pays_survives_a_few_misses_and_resets_the_backoff() {
    let mut t = Trust::NEW;
    t.miss();
    while !t.cool() {}
    t.relearned();
    for _ in 0..20 {
        t.hit();
    }
    assert_eq!(t.backoff, 1, "a replay resets the backoff");
    for _ in 0..3 {
        t.miss();
        assert_eq!(t.cooldown, 0, "still in use after {} misses", t.score);
    }
    t.miss();
    assert_eq!(
        t.cooldown, 1,
        "set aside after MAX_SCORE / MISS_COST misses"
    );
}
