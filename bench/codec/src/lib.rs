//! Side-by-side codec benchmarks of issue 5: our FIX.4.4 codec (`fix44` typed messages and
//! the `fix_core` zero-copy view) against fefix 0.7 and QuickFIX C++ (Debian's
//! libquickfix-dev, in process through a small C shim), on the same message bytes, plus a
//! report of heap allocations per message.
//!
//! ```text
//! cargo bench -p fix-bench-codec                         # criterion: every engine, one run
//! cargo run -p fix-bench-codec --release --bin codec-allocs   # allocations per message
//! ```

pub mod fefix_peer;
pub mod messages;
pub mod quickfix;
pub mod reads;
pub mod varied;
