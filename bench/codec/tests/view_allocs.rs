//! The typed view allocates nothing per message once its decoder is warm: decode, validate
//! and the five typed reads over the whole varied workload, counted by a counting global
//! allocator. (One test in this binary, so no other test allocates meanwhile.)

use std::sync::atomic::{AtomicU64, Ordering};

use fix_bench_codec::{reads, varied};
use fix_core::{Decoder, ValidationOptions};

struct Counting;

static CALLS: AtomicU64 = AtomicU64::new(0);

#[allow(unsafe_code)]
mod counting {
    use super::{Counting, CALLS};
    use std::alloc::{GlobalAlloc, Layout, System};
    use std::sync::atomic::Ordering;

    // SAFETY: every method forwards its arguments unchanged to `System`, which upholds the
    // GlobalAlloc contract; the counter is an atomic and never allocates.
    unsafe impl GlobalAlloc for Counting {
        unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
            CALLS.fetch_add(1, Ordering::Relaxed);
            // SAFETY: the caller's layout contract is passed on as is.
            unsafe { System.alloc(layout) }
        }

        unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
            // SAFETY: `ptr` was allocated by `System` with `layout`.
            unsafe { System.dealloc(ptr, layout) }
        }

        unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
            CALLS.fetch_add(1, Ordering::Relaxed);
            // SAFETY: as in `dealloc`, and `new_size` is the caller's.
            unsafe { System.realloc(ptr, layout, new_size) }
        }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

#[test]
fn typed_view_reads_allocate_nothing_once_warm() {
    let msgs = varied::workload();
    let opts = ValidationOptions::default();
    let mut decoder = Decoder::new();
    let pass = |decoder: &mut Decoder| {
        let mut digest = 0u64;
        for raw in &msgs {
            let m = fix44::MessageRef::decode(decoder, raw, &opts).unwrap();
            assert!(m.view().problem().is_none());
            digest ^= reads::view_reads(&m).unwrap();
        }
        digest
    };
    let warm = pass(&mut decoder);
    let before = CALLS.load(Ordering::Relaxed);
    let again = pass(&mut decoder);
    let calls = CALLS.load(Ordering::Relaxed) - before;
    assert_eq!(again, warm);
    assert_eq!(calls, 0, "allocations over {} messages", msgs.len());
}
