#!/usr/bin/env bash
# Runs the PHP binding's tests (PHPUnit 9.6) against an already built library; builds
# nothing. Build first:  cd <repo> && cargo build --features capi
#
#   RESULTS_VAULT_LIB   the library to test (default: <repo>/target/debug/libresults_vault.so)
#   RESULTS_VAULT_HEADER  its FFI header (default: found by the binding: <repo>/include/results_vault_php.h)
#   PHP, PHPUNIT        the php binary and the phpunit script (default: from PATH)
# Extra arguments go to phpunit (e.g. --filter FlowTest). Exits non-zero on any failure.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"

export RESULTS_VAULT_LIB="${RESULTS_VAULT_LIB:-$repo/target/debug/libresults_vault.so}"
if [[ ! -f "$RESULTS_VAULT_LIB" ]]; then
    echo "run-tests.sh: no library at $RESULTS_VAULT_LIB (build it: cd $repo && cargo build --features capi)" >&2
    exit 2
fi

php="${PHP:-php}"
if ! command -v "$php" >/dev/null 2>&1; then
    echo "run-tests.sh: php not found" >&2
    exit 2
fi
modules="$("$php" -m)"   # read whole: `php -m | grep -q` fails under pipefail (SIGPIPE)
if ! grep -qx 'FFI' <<<"$modules"; then
    echo "run-tests.sh: the PHP extension FFI is not loaded (apt-get install php-ffi? php -m lists no FFI)" >&2
    exit 2
fi
if ! grep -qx 'openssl' <<<"$modules"; then
    echo "run-tests.sh: the tests need the PHP extension openssl (they play the remote signer)" >&2
    exit 2
fi
for tool in openssl bash python3; do
    command -v "$tool" >/dev/null 2>&1 || { echo "run-tests.sh: $tool not found" >&2; exit 2; }
done

phpunit="${PHPUNIT:-$(command -v phpunit || true)}"
if [[ -z "$phpunit" || ! -f "$phpunit" ]]; then
    echo "run-tests.sh: phpunit not found (apt-get install phpunit, or set PHPUNIT)" >&2
    exit 2
fi

echo "run-tests.sh: $("$php" -r 'echo PHP_VERSION;') with $RESULTS_VAULT_LIB" >&2
cd "$here"
# ffi.enable=1: FFI::cdef is allowed outside preloading whatever php.ini says.
exec "$php" -d ffi.enable=1 "$phpunit" -c "$here/phpunit.xml.dist" "$@"
