#!/usr/bin/env bash
# Runs every test of results-vault. On a fresh Debian machine it first installs the
# Debian packages listed in tests/apt-packages.txt that are missing (as root, or via sudo).
# Usage: tests/run-all.sh
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
command -v dpkg-query >/dev/null || { echo "== not a Debian system: install $(grep -v '^#' tests/apt-packages.txt | tr '\n' ' ')yourself"; : > /dev/null; }
while command -v dpkg-query >/dev/null && read -r pkg; do
    [[ -z "$pkg" || "$pkg" == \#* ]] && continue
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done < tests/apt-packages.txt
if ((${#missing[@]})); then
    sudo=""
    [[ "$(id -u)" == 0 ]] || sudo="sudo"
    echo "== installing ${missing[*]}"
    DEBIAN_FRONTEND=noninteractive $sudo apt-get update -q
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
command -v cargo >/dev/null || { echo "cargo not found: install Rust (https://rustup.rs) first" >&2; exit 1; }

step() { echo; echo "== $*"; "$@"; }
# Each feature set links its own copy of every test binary (one per tests/*.rs). The copies
# of a finished set are deleted before the next is built, so a run needs the disk of one set,
# not of five (a CI machine's disk filled otherwise). Only executables without an extension
# in deps/ are test binaries: libraries, proc-macros and build scripts are left alone.
prune_test_binaries() {
    find target/debug/deps -maxdepth 1 -type f -perm -u+x ! -name '*.*' -delete 2>/dev/null || true
    echo "== disk: $(du -sh target 2>/dev/null | cut -f1) in target, $(df -h --output=avail . | tail -1 | tr -d ' ') free"
}

# The external suites (x509-limbo, PDF signature attack files) are read in place from
# $RV_TESTDATA (default ../shared/testdata). A clone without them skips those tests, loudly;
# RV_REQUIRE_TESTDATA=1 (set by .ci/run) makes their absence a failure.
testdata="${RV_TESTDATA:-$PWD/../shared/testdata}"
for suite in x509-limbo pdf-attacks; do
    if [[ ! -d "$testdata/$suite" ]]; then
        if [[ "${RV_REQUIRE_TESTDATA:-}" == 1 ]]; then
            echo "== the external suite $suite is required but $testdata/$suite is missing (set RV_TESTDATA)" >&2
            exit 1
        fi
        echo "== SKIPPING the tests of the external suite $suite: $testdata/$suite is missing (set RV_TESTDATA)"
    fi
done

# Lints need the rustfmt and clippy components; a toolchain without them skips the lints,
# never the tests.
if cargo fmt --version >/dev/null 2>&1; then step cargo fmt --all -- --check; else echo "== rustfmt missing: format check skipped"; fi
if cargo clippy --version >/dev/null 2>&1; then
    step cargo clippy --all-features --all-targets -- -D warnings
else
    echo "== clippy missing: lint skipped"
fi
# Every feature set builds and passes: default (cli), none, each alone, all.
step cargo test --no-default-features
prune_test_binaries
step cargo test --no-default-features --features capi
prune_test_binaries
step cargo test --no-default-features --features cli
prune_test_binaries
step cargo test --no-default-features --features report --lib
prune_test_binaries
RUSTDOCFLAGS="-D warnings" step cargo doc --no-deps --all-features
# Benchmarks are compiled, never run here (nor their 1M-record generator).
step cargo bench --no-run --all-features
prune_test_binaries
# The x509-limbo line (agreement, skips, false accepts) in the log.
step cargo test --all-features --test limbo -- --nocapture
step cargo test --all-features
# The C library as a portal installs it: pkg-config, SONAME, the C test program linked to it.
step tests/install-check.sh
# The PHP binding on the installed library (found by its SONAME through the loader path).
RESULTS_VAULT_LIB="$PWD/target/capi-install/lib/libresults_vault.so.1" step bash bindings/php/run-tests.sh
# The Java binding (JNA, JUnit 5 console launcher) on the same library.
RESULTS_VAULT_LIB="$PWD/target/capi-install/lib/libresults_vault.so.1" step bash bindings/java/run-tests.sh
# A portal's whole flow in PHP and in Java, written from the READMEs alone.
RESULTS_VAULT_LIB="$PWD/target/capi-install/lib/libresults_vault.so.1" step bash bindings/php/examples/run.sh
RESULTS_VAULT_LIB="$PWD/target/capi-install/lib/libresults_vault.so.1" step bash bindings/java/examples/run.sh
# The packages portals install: the jar that carries the library (run with nothing set, from
# outside the repository), and the composer package required by path (offline, packagist off).
step bash bindings/java/package-test.sh
RESULTS_VAULT_LIB="$PWD/target/capi-install/lib/libresults_vault.so.1" step bash bindings/php/package-test.sh
# The main job, as the README runs it (debug build here: the tests compiled it already),
# then the officer's step of the quick start: verify the first stored result, print the report.
rm -f target/quickstart-ci.vault target/quickstart-ci.pdf
step cargo run --all-features --example quickstart -- target/quickstart-ci.vault | tee target/quickstart-ci.txt
first_id=$(awk '/^ingested/ {print $2; exit}' target/quickstart-ci.txt)
step cargo run --all-features --bin rvault -- --vault target/quickstart-ci.vault verify "$first_id" \
    --report target/quickstart-ci.pdf
pdftotext target/quickstart-ci.pdf - | grep -q "HỢP LỆ" || { echo "the quick start's report does not say HỢP LỆ" >&2; exit 1; }
# Verdicts that last (issue 20): with no one refreshing anything, the first result is PASSED
# 13 days later (every CRL stale), 3 years later (the officer's certificate expired) and 20
# years later, judged at its proof of existence with the evidence kept at acceptance.
for later in "+13 days" "+3 years" "+20 years"; do
    at=$(date -u -d "$later" +%Y-%m-%dT%H:%M:%SZ)
    echo "== rvault verify $first_id --at $at ($later): PASSED expected"
    cargo run -q --all-features --bin rvault -- --vault target/quickstart-ci.vault verify "$first_id" --at "$at" \
        > /dev/null || { echo "the quick start's first result is not PASSED at $later ($at)" >&2; exit 1; }
done
# Every stored result is a real PDF: `verify --json` reads each with no pdf_problem (exit codes
# 0-3 are verdicts: one result is unsigned, one revoked), and the first carries the officer's
# signature inside the PDF (a signature with a field), PASSED.
first=1
for id in $(awk '/^ingested/ {print $2}' target/quickstart-ci.txt); do
    rc=0
    json=$(cargo run -q --all-features --bin rvault -- --vault target/quickstart-ci.vault verify "$id" --json) || rc=$?
    ((rc <= 3)) || { echo "rvault verify --json $id: exit code $rc" >&2; exit 1; }
    VERDICT="$json" python3 - "$first" <<'PY' || { echo "the quick start's record $id: see above" >&2; exit 1; }
import json, os, sys
verdict = json.loads(os.environ["VERDICT"])
if "pdf_problem" in verdict:
    sys.exit(f"pdf_problem: {verdict['pdf_problem']}")
inside = [s for s in verdict["signatures"] if s.get("field")]
if sys.argv[1] == "1" and not (inside and inside[0]["indication"] == "PASSED"):
    sys.exit(f"no PASSED signature inside the PDF: {verdict['signatures']}")
PY
    first=0
done
echo "== the quick start's records: real PDFs, the first signed inside"
