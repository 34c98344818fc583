#!/usr/bin/env bash
# Makes a throwaway PKI and runs portal.php against the library in RESULTS_VAULT_LIB
# (default: the repository's target/debug/libresults_vault.so; build it with
# `cargo build --features capi`). Exits non-zero on failure.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../../.." && pwd)"
export RESULTS_VAULT_LIB="${RESULTS_VAULT_LIB:-$repo/target/debug/libresults_vault.so}"
if [[ ! -f "$RESULTS_VAULT_LIB" ]]; then
    echo "no library at $RESULTS_VAULT_LIB (run: cargo build --features capi)" >&2
    exit 1
fi
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
bash "$repo/bindings/testdata/make-test-pki.sh" "$tmp/pki" >/dev/null 2>&1 \
    || { echo "make-test-pki.sh failed" >&2; exit 1; }
php "$here/portal.php" "$tmp/pki" "$tmp/work"
