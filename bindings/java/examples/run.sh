#!/usr/bin/env bash
# Makes a throwaway PKI, compiles the Java binding (bindings/java/src/main/java) and Portal.java
# with javac into a temporary directory, and runs Portal against the library in RESULTS_VAULT_LIB
# (default: the repository's target/debug/libresults_vault.so; build it with
# `cargo build --features capi`). JNA: JNA_JAR, default /usr/share/java/jna.jar.
# Exits non-zero on failure.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../../.." && pwd)"
export RESULTS_VAULT_LIB="${RESULTS_VAULT_LIB:-$repo/target/debug/libresults_vault.so}"
jna="${JNA_JAR:-/usr/share/java/jna.jar}"
if [[ ! -f "$RESULTS_VAULT_LIB" ]]; then
    echo "no library at $RESULTS_VAULT_LIB (run: cargo build --features capi)" >&2
    exit 1
fi
if [[ ! -f "$jna" ]]; then
    echo "no JNA jar at $jna (Debian: apt-get install libjna-java)" >&2
    exit 1
fi
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
bash "$repo/bindings/testdata/make-test-pki.sh" "$tmp/pki" >/dev/null 2>&1 \
    || { echo "make-test-pki.sh failed" >&2; exit 1; }
mkdir -p "$tmp/classes"
find "$repo/bindings/java/src/main/java" -name '*.java' > "$tmp/sources.txt"
echo "$here/Portal.java" >> "$tmp/sources.txt"
javac --release 17 -encoding UTF-8 -cp "$jna" -d "$tmp/classes" @"$tmp/sources.txt"
java -cp "$tmp/classes:$jna" Portal "$tmp/pki" "$tmp/work"
