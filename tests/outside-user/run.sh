#!/usr/bin/env bash
# A user's first build: packages the published crates (without verification: .ci/run verifies
# them first), makes a local registry from the .crate files (local-registry.py), then builds
# each outside-user project from clean against it, runs it (the README examples), and installs
# `fix` (cargo install --path fix-cli). Prints the clean build time of each project.
#
# usage: tests/outside-user/run.sh [PROJECT...]    (default: fix44-user fix50-user session-user)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
out="$root/target/outside-user"
crates=(fix-core fix-dict fix-codegen fix44 fix50 fix-session fix-cli)
projects=("$@")
[ ${#projects[@]} -gt 0 ] || projects=(fix44-user fix50-user session-user)

args=()
for c in "${crates[@]}"; do args+=(-p "$c"); done
(cd "$root" && cargo package --no-verify --allow-dirty --quiet "${args[@]}")
files=()
for c in "${crates[@]}"; do files+=("$root/target/package/$c-0.1.0.crate"); done
python3 "$here/local-registry.py" "$out/registry" "${files[@]}"
export CARGO_REGISTRIES_FIX_LOCAL_INDEX="file://$out/registry/index"

for p in "${projects[@]}"; do
    target="$out/target-$p"
    rm -rf "$target" "$here/$p/Cargo.lock"
    cargo fetch --quiet --manifest-path "$here/$p/Cargo.toml"
    echo "== $p: clean debug build (cargo build, dependencies fetched beforehand)"
    TIMEFORMAT="   %R s wall, %U s user + %S s sys CPU"
    time cargo build --quiet --manifest-path "$here/$p/Cargo.toml" --target-dir "$target"
    echo "   $(ls "$target/debug/.fingerprint" | wc -l) units compiled"
    "$target/debug/$p"
    rm -rf "$target"
done

# `cargo install` puts `fix` on the PATH with its dictionaries built in (debug: the release
# build is the same code). From the workspace path: `cargo install --registry fix-local
# fix-cli` resolves an installed crate's dependencies by its manifest, which names crates.io,
# so it works once the crates are published; the packaged fix-cli's build is what
# `cargo package` verifies.
bin="$out/install"
rm -rf "$bin"
cargo install --quiet --debug --path "$root/fix-cli" --root "$bin" --target-dir "$out/target-install"
rm -rf "$out/target-install"
printf '8=FIX.4.4|9=5|35=0|10=163|\n' | "$bin/bin/fix" decode | tee "$out/decoded.txt"
grep -q 'Heartbeat' "$out/decoded.txt"
