#!/usr/bin/env bash
# Compiles the binding and bench/Bench.java, then times verifyRecord (with JSON), isReusable
# (without JSON) and findReusable (with JSON); prints one JSON line.
#
#   run-bench.sh <vault-path> <result-id> <query-json> <requester-json> <iterations>
#       times an existing vault;
#   run-bench.sh [iterations]
#       makes a throwaway PKI and vault with the tests' flow (bench/MakeBenchVault.java), then
#       times it (default 1000 iterations).
#
#   RESULTS_VAULT_LIB  the library (default: ../../target/release/libresults_vault.so if built,
#                      else ../../target/debug/libresults_vault.so, from this script's directory)
#   JNA_JAR            default /usr/share/java/jna.jar
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
if [[ -n "${RESULTS_VAULT_LIB:-}" ]]; then
    lib="$RESULTS_VAULT_LIB"
elif [[ -f "$here/../../target/release/libresults_vault.so" ]]; then
    lib="$here/../../target/release/libresults_vault.so"
else
    lib="$here/../../target/debug/libresults_vault.so"
fi
[[ -f "$lib" ]] || { echo "run-bench.sh: no library at $lib (cargo build --release --features capi)" >&2; exit 1; }
jna="${JNA_JAR:-/usr/share/java/jna.jar}"

classes="$here/build/bench-classes"
rm -rf "$classes"
mkdir -p "$classes"
mapfile -t sources < <(find "$here/src/main/java" -name '*.java' | sort)
javac --release 17 -encoding UTF-8 -cp "$jna" -d "$classes" "${sources[@]}" \
    "$here/bench/Bench.java" "$here/bench/MakeBenchVault.java"

run() {
    java -Dresultsvault.library="$lib" -cp "$classes:$jna" "$@"
}

if [[ $# -eq 5 ]]; then
    run Bench "$@"
elif [[ $# -le 1 ]]; then
    work="$(mktemp -d)"
    trap 'rm -rf "$work"' EXIT
    bash "$here/../testdata/make-test-pki.sh" "$work/pki" >/dev/null
    mapfile -t bench_args < <(run MakeBenchVault "$work/pki" "$work/bench.vault")
    run Bench "${bench_args[@]}" "${1:-1000}"
else
    sed -n '2,12p' "$0" >&2
    exit 2
fi
