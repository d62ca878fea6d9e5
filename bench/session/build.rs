//! Builds `peer/qfbench.cpp`, the QuickFIX C++ side of the benches, with g++ against
//! Debian's libquickfix-dev. Its path goes to the crate as `FIX_BENCH_QFBENCH` with the cfg
//! `quickfix_peer`. Without the headers or a compiler the build still succeeds: a cargo
//! warning says so and the benches print "skipped" for the QuickFIX figures.

#[path = "../../tests/interop/quickfix_peer_build.rs"]
mod quickfix_peer_build;

fn main() {
    quickfix_peer_build::build(&quickfix_peer_build::Peer {
        package: "fix-bench-session",
        source: "peer/qfbench.cpp",
        exe: "qfbench",
        env: "FIX_BENCH_QFBENCH",
        // The peer's own code (message building) is small; QuickFIX itself is Debian's
        // optimised build.
        opt: "-O2",
        skipped: "the QuickFIX figures",
    });
}
