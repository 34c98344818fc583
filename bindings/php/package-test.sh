#!/usr/bin/env bash
# Tests the composer package (bindings/php/composer.json, results-vault/results-vault) the way a
# portal requires it: a throw-away portal project in a temporary directory, whose composer.json
# requires the package through a "path" repository (copied, not symlinked, into vendor/) with
# packagist.org disabled; `composer install` runs offline (COMPOSER_HOME and the cache are
# temporary, COMPOSER_DISABLE_NETWORK=1); then examples/composer-portal.php, next to vendor/, uses
# `require 'vendor/autoload.php'` alone to create a vault, ingest and read back. The library and
# its FFI header are copied into an install prefix inside the temporary directory (<prefix>/lib,
# <prefix>/include, as scripts/install-capi.sh lays them out): RESULTS_VAULT_LIB names the
# library, and the binding must find the header beside it by itself.
#
#   RESULTS_VAULT_LIB   the library (default: <repo>/target/capi-install/lib/libresults_vault.so.1,
#                       from tests/install-check.sh)
#   COMPOSER, PHP       the composer and php commands (default: from PATH; Debian: composer, php-cli)
# Exits non-zero on failure.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
lib="${RESULTS_VAULT_LIB:-$repo/target/capi-install/lib/libresults_vault.so.1}"
composer="${COMPOSER:-composer}"
php="${PHP:-php}"

die() { echo "package-test.sh: $*" >&2; exit 1; }

[[ -f "$lib" ]] || die "no library at $lib (run tests/install-check.sh, or set RESULTS_VAULT_LIB)"
command -v "$composer" >/dev/null || die "composer not found (Debian: apt-get install composer)"
command -v "$php" >/dev/null || die "php not found (Debian: apt-get install php-cli)"
# The header: beside an installed library (<prefix>/include), else the repository's.
header_src="$(dirname "$(dirname "$lib")")/include/results_vault_php.h"
[[ -f "$header_src" ]] || header_src="$repo/include/results_vault_php.h"
[[ -f "$header_src" ]] || die "no results_vault_php.h beside $lib nor in $repo/include"
version="$(awk -F'"' '/^\[package\]/ {p=1; next} /^\[/ {p=0} p && /^version *=/ {print $2; exit}' "$repo/Cargo.toml")"
[[ -n "$version" ]] || die "no version in $repo/Cargo.toml"

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
case "$tmp/" in "$repo"/*) die "the temporary directory $tmp is inside the repository: set TMPDIR elsewhere" ;; esac

# Composer offline, with nothing of the user's: its home and cache are throw-away.
export COMPOSER_HOME="$tmp/composer-home" COMPOSER_CACHE_DIR="$tmp/composer-cache"
export COMPOSER_NO_INTERACTION=1 COMPOSER_DISABLE_NETWORK=1 COMPOSER_ALLOW_SUPERUSER=1
unset COMPOSER COMPOSER_AUTH COMPOSER_VENDOR_DIR COMPOSER_BIN_DIR

echo "== composer validate bindings/php/composer.json"
"$composer" validate --no-check-publish --working-dir="$here"

# The library as a portal's server has it: installed under a prefix, away from the repository.
prefix="$tmp/opt/results-vault"
mkdir -p "$prefix/lib" "$prefix/include"
cp -L "$lib" "$prefix/lib/libresults_vault.so.1"
cp "$header_src" "$prefix/include/results_vault_php.h"

# The portal project: requires the package through a path repository, packagist.org disabled.
portal="$tmp/portal"
mkdir -p "$portal"
PACKAGE_DIR="$here" PACKAGE_VERSION="$version" "$php" -r '
    $project = [
        "name" => "example/portal",
        "description" => "A throw-away portal requiring results-vault by path",
        "type" => "project",
        "license" => "proprietary",
        "require" => [
            "php" => ">=8.2",
            "results-vault/results-vault" => "^" . getenv("PACKAGE_VERSION"),
        ],
        "repositories" => [
            [
                "type" => "path",
                "url" => getenv("PACKAGE_DIR"),
                "options" => [
                    "symlink" => false,
                    "versions" => ["results-vault/results-vault" => getenv("PACKAGE_VERSION")],
                ],
            ],
            ["packagist.org" => false],
        ],
    ];
    file_put_contents($argv[1], json_encode($project, JSON_PRETTY_PRINT | JSON_UNESCAPED_SLASHES) . "\n");
' "$portal/composer.json"
cp "$here/examples/composer-portal.php" "$portal/"
cd "$portal"
echo "== composer install (in $portal)"
cat composer.json
"$composer" install --no-interaction --no-progress

installed="$portal/vendor/results-vault/results-vault"
[[ -d "$installed" && ! -L "$installed" ]] || die "the package is not copied into $installed"
[[ -f "$installed/src/Vault.php" ]] || die "no src/Vault.php in $installed"
installed_version="$("$php" -r '
    foreach (json_decode(file_get_contents("vendor/composer/installed.json"), true)["packages"] as $p) {
        if ($p["name"] === "results-vault/results-vault") { echo $p["version"]; }
    }')"
[[ "$installed_version" == "$version" ]] || die "installed version $installed_version, expected $version"
echo "ok    results-vault/results-vault $installed_version is in vendor/ (a copy)"

echo "== php composer-portal.php (RESULTS_VAULT_LIB=$prefix/lib/libresults_vault.so.1)"
env -u RESULTS_VAULT_HEADER -u LD_LIBRARY_PATH -u LD_PRELOAD RESULTS_VAULT_LIB="$prefix/lib/libresults_vault.so.1" \
    "$php" composer-portal.php work "$prefix/lib/libresults_vault.so.1" "$prefix/include/results_vault_php.h"

echo "package-test.sh: results-vault/results-vault $version installs by path, offline, and works through vendor/autoload.php"
