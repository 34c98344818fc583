#!/usr/bin/env bash
# Installs the C library into target/capi-install with scripts/install-capi.sh, then
# builds the C test program as a portal would (pkg-config, the shared library found by
# its SONAME at run time) and runs it. Called by tests/run-all.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
prefix="$PWD/target/capi-install"
rm -rf "$prefix"
scripts/install-capi.sh "$prefix"
soname=$(readelf -d "$prefix/lib/libresults_vault.so.1" | sed -n 's/.*Library soname: \[\(.*\)\]/\1/p')
[[ "$soname" == libresults_vault.so.1 ]] || { echo "SONAME is '$soname', expected libresults_vault.so.1" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export PKG_CONFIG_PATH="$prefix/lib/pkgconfig"
# shellcheck disable=SC2046 # word splitting of the flags is intended
cc -std=c99 -Wall -Wextra -Werror bindings/c/vault_test.c $(pkg-config --cflags --libs results_vault) -o "$work/vault_test"
readelf -d "$work/vault_test" | grep -q 'NEEDED.*libresults_vault.so.1' || { echo "not linked to the SONAME" >&2; exit 1; }
bindings/testdata/make-test-pki.sh "$work/pki"
mkdir "$work/run"
LD_LIBRARY_PATH="$prefix/lib" "$work/vault_test" "$work/pki" "$work/run"
# PHP-FPM's way: the library bound once by ffi.preload, from the installed preload header.
if command -v php >/dev/null; then
    out=$(RV_SRC="$PWD/bindings/php/src" php -d ffi.enable=preload -d ffi.preload="$prefix/include/results_vault_php_preload.h" -r '
        spl_autoload_register(function ($c) { require getenv("RV_SRC") . "/" . str_replace("\\", "/", substr($c, 13)) . ".php"; });
        echo ResultsVault\Library::instance()->headerPath();')
    [[ "$out" == "FFI scope RESULTS_VAULT" ]] || { echo "ffi.preload of the installed header failed: $out" >&2; exit 1; }
fi
