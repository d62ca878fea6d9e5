//! Build-script code shared by the packages that run a QuickFIX C++ peer program
//! (`fix-interop`'s `qfpeer`, `fix-bench-session`'s `qfbench`): compile one C++ file with g++
//! (or `$CXX`) against Debian's libquickfix-dev and hand its path to the crate as an
//! environment variable with the cfg `quickfix_peer`. Without the headers or a compiler the
//! build still succeeds: a cargo warning says what will be skipped. Included with `#[path]`
//! by each build script.

use std::path::{Path, PathBuf};
use std::process::Command;

const HEADER: &str = "/usr/include/quickfix/Application.h";

/// One peer program to build.
pub struct Peer<'a> {
    /// The package, named in warnings.
    pub package: &'a str,
    /// The C++ file, relative to the package.
    pub source: &'a str,
    /// The executable's name in OUT_DIR.
    pub exe: &'a str,
    /// The environment variable that carries the executable's path to the crate.
    pub env: &'a str,
    /// The g++ optimisation flag.
    pub opt: &'a str,
    /// What a missing peer skips, for the warnings ("the QuickFIX interop tests").
    pub skipped: &'a str,
}

/// Builds `peer`, printing the cargo directives.
pub fn build(peer: &Peer<'_>) {
    println!("cargo::rustc-check-cfg=cfg(quickfix_peer)");
    println!("cargo::rerun-if-changed={}", peer.source);
    // A missing file makes cargo rerun this script on every build, so installing the
    // package later is noticed; once present, a changed header triggers a rebuild.
    println!("cargo::rerun-if-changed={HEADER}");
    println!("cargo::rerun-if-env-changed=CXX");
    let Peer {
        package, skipped, ..
    } = peer;
    if !Path::new(HEADER).exists() {
        println!(
            "cargo::warning={package}: {HEADER} not found (apt-get install libquickfix-dev); \
             {skipped} will be skipped"
        );
        return;
    }
    let manifest = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default());
    let out = PathBuf::from(std::env::var_os("OUT_DIR").unwrap_or_default()).join(peer.exe);
    let cxx = std::env::var("CXX").unwrap_or_else(|_| "g++".to_string());
    let result = Command::new(&cxx)
        .args([
            "-std=c++14",
            peer.opt,
            "-Wall",
            "-Wno-deprecated",
            "-Wno-deprecated-declarations",
        ])
        .arg(manifest.join(peer.source))
        .arg("-o")
        .arg(&out)
        .args(["-lquickfix", "-lpthread"])
        .output();
    match result {
        Ok(o) if o.status.success() => {
            println!("cargo::rustc-cfg=quickfix_peer");
            println!("cargo::rustc-env={}={}", peer.env, out.display());
        }
        Ok(o) => {
            let err = String::from_utf8_lossy(&o.stderr);
            let first = err.lines().find(|l| l.contains("error")).unwrap_or("");
            println!(
                "cargo::warning={package}: building the QuickFIX peer with {cxx} failed ({}); \
                 {skipped} will be skipped: {first}",
                o.status
            );
        }
        Err(e) => {
            println!("cargo::warning={package}: cannot run {cxx} ({e}); {skipped} will be skipped")
        }
    }
}
