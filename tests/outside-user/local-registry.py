#!/usr/bin/env python3
"""Makes a local Cargo registry from packaged crates, served as crates.io would serve them.

usage: local-registry.py OUT CRATE_FILE...

OUT receives the .crate files and a git index (crates.io's index format) whose entries are
read from each packaged (normalized) Cargo.toml: dependencies on crates in the registry stay in
it, the others point at crates.io. Use it as a registry named in Cargo's configuration:

    CARGO_REGISTRIES_FIX_LOCAL_INDEX=file://$OUT/index cargo build
    # Cargo.toml: fix44 = { version = "0.1", registry = "fix-local" }
"""
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tomllib

CRATES_IO = "https://github.com/rust-lang/crates.io-index"
KINDS = {"dependencies": "normal", "build-dependencies": "build"}


def index_path(name):
    n = name.lower()
    if len(n) <= 2:
        return os.path.join(str(len(n)), n)
    if len(n) == 3:
        return os.path.join("3", n[0], n)
    return os.path.join(n[:2], n[2:4], n)


def manifest(crate_file):
    with tarfile.open(crate_file) as tar:
        member = next(m for m in tar.getmembers() if m.name.count("/") == 1
                      and m.name.endswith("/Cargo.toml"))
        return tomllib.loads(tar.extractfile(member).read().decode())


def deps(toml, ours):
    tables = [(t, KINDS[k], None) for k, t in toml.items() if k in KINDS]
    for target, t in toml.get("target", {}).items():
        tables += [(t[k], KINDS[k], target) for k in KINDS if k in t]
    out = []
    for table, kind, target in tables:
        for key, spec in table.items():
            spec = {"version": spec} if isinstance(spec, str) else spec
            package = spec.get("package", key)
            dep = {
                "name": key,
                "req": spec.get("version", "*"),
                "features": spec.get("features", []),
                "optional": spec.get("optional", False),
                "default_features": spec.get("default-features", True),
                "target": target,
                "kind": kind,
            }
            if package != key:
                dep["package"] = package
            if package not in ours:
                dep["registry"] = CRATES_IO
            out.append(dep)
    return out


def main():
    out, crates = sys.argv[1], sys.argv[2:]
    shutil.rmtree(out, ignore_errors=True)
    index = os.path.join(out, "index")
    os.makedirs(index)
    tomls = [(c, manifest(c)) for c in crates]
    ours = {t["package"]["name"] for _, t in tomls}
    for crate_file, toml in tomls:
        pkg = toml["package"]
        name, vers = pkg["name"], pkg["version"]
        shutil.copy(crate_file, os.path.join(out, f"{name}-{vers}.crate"))
        with open(crate_file, "rb") as f:
            cksum = hashlib.sha256(f.read()).hexdigest()
        entry = {
            "name": name, "vers": vers, "deps": deps(toml, ours), "cksum": cksum,
            "features": {}, "features2": toml.get("features", {}), "yanked": False, "v": 2,
        }
        if "rust-version" in pkg:
            entry["rust_version"] = pkg["rust-version"]
        path = os.path.join(index, index_path(name))
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "a") as f:
            f.write(json.dumps(entry) + "\n")
    with open(os.path.join(index, "config.json"), "w") as f:
        json.dump({"dl": "file://" + os.path.abspath(out) + "/{crate}-{version}.crate"}, f)
    git = ["git", "-C", index, "-c", "user.name=local-registry", "-c", "user.email=none@localhost"]
    subprocess.run(git + ["init", "-q"], check=True)
    subprocess.run(git + ["add", "-A"], check=True)
    subprocess.run(git + ["commit", "-q", "-m", "index"], check=True)
    print(f"local registry with {len(tomls)} crates: file://{os.path.abspath(index)}")


if __name__ == "__main__":
    main()
