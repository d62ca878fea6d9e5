use super::*;

#[test]
fn fused_copy_finds_soh_at_every_position_and_length() {
    for n in 0..40usize {
        let clean: Vec<u8> = (0..n).map(|i| b'a' + (i % 26) as u8).collect();
        let mut out = vec![b'x'; n + 1];
        assert!(!copy_soh_checked(&mut out[1..], &clean), "len {n}");
        assert_eq!(&out[1..], &clean[..]);
        for p in 0..n {
            let mut dirty = clean.clone();
            dirty[p] = SOH;
            let mut out = vec![b'x'; n + 1];
            assert!(copy_soh_checked(&mut out[1..], &dirty), "len {n} at {p}");
            assert_eq!(&out[1..], &dirty[..]);
        }
    }
}
