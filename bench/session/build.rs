//! Builds `peer/qfbench.cpp`, the QuickFIX C++ side of the benches, with g++ against
//! Debian's libquickfix-dev. Its path goes to the crate as `FIX_BENCH_QFBENCH` with the cfg
//! `quickfix_peer`. Without the headers or a compiler the build still succeeds: a cargo
//! warning says so and the benches print "skipped" for the QuickFIX figures.

use std::path::{Path, PathBuf};
use std::process::Command;

const HEADER: &str = "/usr/include/quickfix/Application.h";

fn main() {
    println!("cargo::rustc-check-cfg=cfg(quickfix_peer)");
    println!("cargo::rerun-if-changed=peer/qfbench.cpp");
    // A missing file makes cargo rerun this script on every build, so installing the
    // package later is noticed; once present, a changed header triggers a rebuild.
    println!("cargo::rerun-if-changed={HEADER}");
    println!("cargo::rerun-if-env-changed=CXX");

    if !Path::new(HEADER).exists() {
        println!(
            "cargo::warning=fix-bench-session: {HEADER} not found (apt-get install \
             libquickfix-dev); the QuickFIX figures will be skipped"
        );
        return;
    }
    let manifest = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default());
    let out = PathBuf::from(std::env::var_os("OUT_DIR").unwrap_or_default()).join("qfbench");
    let cxx = std::env::var("CXX").unwrap_or_else(|_| "g++".to_string());
    // -O2: the peer's own code (message building) is small; QuickFIX itself is Debian's
    // optimised build.
    let result = Command::new(&cxx)
        .args([
            "-std=c++14",
            "-O2",
            "-Wall",
            "-Wno-deprecated",
            "-Wno-deprecated-declarations",
        ])
        .arg(manifest.join("peer/qfbench.cpp"))
        .arg("-o")
        .arg(&out)
        .args(["-lquickfix", "-lpthread"])
        .output();
    match result {
        Ok(o) if o.status.success() => {
            println!("cargo::rustc-cfg=quickfix_peer");
            println!("cargo::rustc-env=FIX_BENCH_QFBENCH={}", out.display());
        }
        Ok(o) => {
            let err = String::from_utf8_lossy(&o.stderr);
            let first = err
                .lines()
                .find(|l| l.contains("error"))
                .unwrap_or("")
                .to_string();
            println!(
                "cargo::warning=fix-bench-session: building the QuickFIX peer with {cxx} \
                 failed ({}); the QuickFIX figures will be skipped: {first}",
                o.status
            );
        }
        Err(e) => println!(
            "cargo::warning=fix-bench-session: cannot run {cxx} ({e}); the QuickFIX figures \
             will be skipped"
        ),
    }
}
