//! Builds `peer/qfpeer.cpp`, the QuickFIX C++ counterparty, with g++ against Debian's
//! libquickfix-dev. Its path goes to the crate as `FIX_INTEROP_QFPEER` with the cfg
//! `quickfix_peer`. Without the headers or a compiler the build still succeeds: a cargo warning
//! says so and the tests report that they were skipped (or fail under
//! `FIX_INTEROP_REQUIRED=1`).

#[path = "quickfix_peer_build.rs"]
mod quickfix_peer_build;

fn main() {
    quickfix_peer_build::build(&quickfix_peer_build::Peer {
        package: "fix-interop",
        source: "peer/qfpeer.cpp",
        exe: "qfpeer",
        env: "FIX_INTEROP_QFPEER",
        opt: "-O1",
        skipped: "the QuickFIX interop tests",
    });
}
