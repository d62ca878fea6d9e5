//! Builds `peer/qfpeer.cpp`, the QuickFIX C++ counterparty, with g++ against Debian's
//! libquickfix-dev. Its path goes to the crate as `FIX_INTEROP_QFPEER` with the cfg
//! `quickfix_peer`. Without the headers or a compiler the build still succeeds: a cargo warning
//! says so and the tests report that they were skipped (or fail under
//! `FIX_INTEROP_REQUIRED=1`).

use std::path::{Path, PathBuf};
use std::process::Command;

const HEADER: &str = "/usr/include/quickfix/Application.h";

fn main() {
    println!("cargo::rustc-check-cfg=cfg(quickfix_peer)");
    println!("cargo::rerun-if-changed=peer/qfpeer.cpp");
    // A missing file makes cargo rerun this script on every build, so installing the
    // package later is noticed; once present, a changed header triggers a rebuild.
    println!("cargo::rerun-if-changed={HEADER}");
    println!("cargo::rerun-if-env-changed=CXX");

    if !Path::new(HEADER).exists() {
        println!(
            "cargo::warning=fix-interop: {HEADER} not found (apt-get install libquickfix-dev); \
             the QuickFIX interop tests will be skipped"
        );
        return;
    }
    let manifest = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default());
    let out = PathBuf::from(std::env::var_os("OUT_DIR").unwrap_or_default()).join("qfpeer");
    let cxx = std::env::var("CXX").unwrap_or_else(|_| "g++".to_string());
    let result = Command::new(&cxx)
        .args([
            "-std=c++14",
            "-O1",
            "-Wall",
            "-Wno-deprecated",
            "-Wno-deprecated-declarations",
        ])
        .arg(manifest.join("peer/qfpeer.cpp"))
        .arg("-o")
        .arg(&out)
        .args(["-lquickfix", "-lpthread"])
        .output();
    match result {
        Ok(o) if o.status.success() => {
            println!("cargo::rustc-cfg=quickfix_peer");
            println!("cargo::rustc-env=FIX_INTEROP_QFPEER={}", out.display());
        }
        Ok(o) => {
            let err = String::from_utf8_lossy(&o.stderr);
            let first = err
                .lines()
                .find(|l| l.contains("error"))
                .unwrap_or("")
                .to_string();
            println!(
                "cargo::warning=fix-interop: building the QuickFIX peer with {cxx} failed \
                 ({}); the QuickFIX interop tests will be skipped: {first}",
                o.status
            );
        }
        Err(e) => println!(
            "cargo::warning=fix-interop: cannot run {cxx} ({e}); the QuickFIX interop tests \
             will be skipped"
        ),
    }
}
