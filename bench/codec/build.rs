//! Builds the QuickFIX C++ side of the codec benches against Debian's libquickfix-dev:
//! `cpp/qfshim.cpp` (a thin `extern "C"` interface over `FIX::Message` and
//! `FIX::DataDictionary`) into a static library linked with libquickfix and libstdc++, with
//! the cfg `quickfix_cpp`; and `cpp/qfcount.cpp` (a counting global operator new) linked only
//! into the `codec-allocs` report. Without the headers or a compiler the build still
//! succeeds: a cargo warning says so and the QuickFIX benches print "skipped" (the same with
//! `FIX_BENCH_CODEC_NO_QUICKFIX=1`, to check that build).

use std::path::{Path, PathBuf};
use std::process::Command;

const HEADER: &str = "/usr/include/quickfix/Message.h";

fn compile(cxx: &str, src: &Path, obj: &Path) -> Result<(), String> {
    let out = Command::new(cxx)
        .args(["-std=c++14", "-O2", "-fPIC", "-Wall", "-Wno-deprecated"])
        .arg("-Wno-deprecated-declarations")
        .arg("-c")
        .arg(src)
        .arg("-o")
        .arg(obj)
        .output()
        .map_err(|e| format!("cannot run {cxx}: {e}"))?;
    if out.status.success() {
        return Ok(());
    }
    let err = String::from_utf8_lossy(&out.stderr);
    let first = err.lines().find(|l| l.contains("error")).unwrap_or("");
    Err(format!(
        "{cxx} failed on {} ({}): {first}",
        src.display(),
        out.status
    ))
}

fn build(out: &Path, manifest: &Path) -> Result<(), String> {
    let cxx = std::env::var("CXX").unwrap_or_else(|_| "g++".to_string());
    let shim = out.join("qfshim.o");
    let count = out.join("qfcount.o");
    compile(&cxx, &manifest.join("cpp/qfshim.cpp"), &shim)?;
    compile(&cxx, &manifest.join("cpp/qfcount.cpp"), &count)?;
    let lib = out.join("libqfshim.a");
    let _ = std::fs::remove_file(&lib);
    let ar = Command::new("ar")
        .arg("crs")
        .arg(&lib)
        .arg(&shim)
        .status()
        .map_err(|e| format!("cannot run ar: {e}"))?;
    if !ar.success() {
        return Err(format!("ar failed ({ar})"));
    }
    println!("cargo::rustc-link-search=native={}", out.display());
    println!("cargo::rustc-link-lib=static=qfshim");
    println!("cargo::rustc-link-lib=dylib=quickfix");
    println!("cargo::rustc-link-lib=dylib=stdc++");
    println!("cargo::rustc-link-arg-bin=codec-allocs={}", count.display());
    println!("cargo::rustc-cfg=quickfix_cpp");
    Ok(())
}

fn main() {
    println!("cargo::rustc-check-cfg=cfg(quickfix_cpp)");
    println!("cargo::rerun-if-changed=cpp/qfshim.cpp");
    println!("cargo::rerun-if-changed=cpp/qfcount.cpp");
    // A missing file makes cargo rerun this script on every build, so installing the
    // package later is noticed.
    println!("cargo::rerun-if-changed={HEADER}");
    println!("cargo::rerun-if-env-changed=CXX");
    println!("cargo::rerun-if-env-changed=FIX_BENCH_CODEC_NO_QUICKFIX");

    if std::env::var_os("FIX_BENCH_CODEC_NO_QUICKFIX").is_some() {
        println!(
            "cargo::warning=fix-bench-codec: FIX_BENCH_CODEC_NO_QUICKFIX is set; the QuickFIX \
             C++ benches will be skipped"
        );
        return;
    }
    if !Path::new(HEADER).exists() {
        println!(
            "cargo::warning=fix-bench-codec: {HEADER} not found (apt-get install \
             libquickfix-dev); the QuickFIX C++ benches will be skipped"
        );
        return;
    }
    let manifest = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default());
    let out = PathBuf::from(std::env::var_os("OUT_DIR").unwrap_or_default());
    if let Err(e) = build(&out, &manifest) {
        println!("cargo::warning=fix-bench-codec: {e}; the QuickFIX C++ benches will be skipped");
    }
}
