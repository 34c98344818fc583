#!/usr/bin/env bash
# Builds the C library (release, feature capi) and installs it for C, PHP and Java portals:
#   <prefix>/lib/libresults_vault.so.<ABI>   the shared library (its SONAME)
#   <prefix>/lib/libresults_vault.so         the link-time name (a symlink)
#   <prefix>/lib/libresults_vault.a          the static library
#   <prefix>/lib/pkgconfig/results_vault.pc  pkg-config: `pkg-config --cflags --libs results_vault`
#   <prefix>/include/results_vault.h         the C header
#   <prefix>/include/results_vault_php.h     the same, without preprocessor lines (PHP FFI)
#   <prefix>/include/results_vault_php_preload.h  for php.ini's ffi.preload: the PHP header
#                                            with the FFI scope and the installed library
# Usage: scripts/install-capi.sh [prefix]   (default /usr/local; DESTDIR is honoured)
set -euo pipefail
cd "$(dirname "$0")/.."
prefix="${1:-/usr/local}"
dest="${DESTDIR:-}$prefix"
abi=$(sed -n 's/^const ABI_VERSION: u32 = \([0-9]*\);/\1/p' build.rs)
[[ -n "$abi" ]] || { echo "cannot read ABI_VERSION from build.rs" >&2; exit 1; }

RV_INSTALL_PREFIX="$prefix" cargo build --release --lib --features capi
target="${CARGO_TARGET_DIR:-target}/release"

install -d "$dest/lib/pkgconfig" "$dest/include"
install -m 0755 "$target/libresults_vault.so" "$dest/lib/libresults_vault.so.$abi"
ln -sf "libresults_vault.so.$abi" "$dest/lib/libresults_vault.so"
install -m 0644 "$target/libresults_vault.a" "$dest/lib/libresults_vault.a"
install -m 0644 "$target/results_vault.pc" "$dest/lib/pkgconfig/results_vault.pc"
install -m 0644 include/results_vault.h include/results_vault_php.h "$dest/include/"
# PHP-FPM binds the library once per server with ffi.preload=<this file> (the two #define
# lines are the only preprocessor lines FFI accepts, and only there).
{
    printf '#define FFI_SCOPE "RESULTS_VAULT"\n#define FFI_LIB "%s"\n' "$prefix/lib/libresults_vault.so.$abi"
    cat include/results_vault_php.h
} > "$dest/include/results_vault_php_preload.h"
chmod 0644 "$dest/include/results_vault_php_preload.h"
echo "installed results_vault (ABI $abi) under $dest"
# A system-wide install needs the loader's cache refreshed to find the SONAME.
if [[ -z "${DESTDIR:-}" && ( "$prefix" == /usr || "$prefix" == /usr/local ) && "$(id -u)" == 0 ]]; then
    ldconfig
fi
