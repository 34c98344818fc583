#!/usr/bin/env bash
# Compiles the Java binding and its JUnit 5 tests with plain javac and runs them with the JUnit
# Platform console launcher (no Maven needed). Exits non-zero on any failure.
#
#   RESULTS_VAULT_LIB  the library to test (default: ../../target/debug/libresults_vault.so, from
#                      this script's directory; build it with `cargo build --features capi`)
#   JNA_JAR            default /usr/share/java/jna.jar
#   JUNIT_JAR          default /usr/share/java/junit-platform-console-standalone.jar
# Extra arguments go to the launcher, e.g. `run-tests.sh --select-class=vn.resultsvault.JsonCodecTest`
# (with a --select-* option the class path is not scanned: the launcher refuses both at once).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
lib="${RESULTS_VAULT_LIB:-$here/../../target/debug/libresults_vault.so}"
jna="${JNA_JAR:-/usr/share/java/jna.jar}"
junit="${JUNIT_JAR:-/usr/share/java/junit-platform-console-standalone.jar}"

if [[ ! -f "$lib" ]]; then
    echo "run-tests.sh: no library at $lib (cargo build --features capi, or set RESULTS_VAULT_LIB)" >&2
    exit 1
fi
lib="$(cd "$(dirname "$lib")" && pwd)/$(basename "$lib")"
for jar in "$jna" "$junit"; do
    [[ -f "$jar" ]] || { echo "run-tests.sh: missing $jar" >&2; exit 1; }
done

build="$here/build"
main_classes="$build/classes"
test_classes="$build/test-classes"
rm -rf "$main_classes" "$test_classes"
mkdir -p "$main_classes" "$test_classes"

mapfile -t main_sources < <(find "$here/src/main/java" -name '*.java' | sort)
mapfile -t test_sources < <(find "$here/src/test/java" -name '*.java' | sort)

javac --release 17 -encoding UTF-8 -Xlint:all -Xdoclint:all/protected -Werror \
    -cp "$jna" -d "$main_classes" "${main_sources[@]}"
javac --release 17 -encoding UTF-8 -Xlint:all,-processing -Werror \
    -cp "$main_classes:$jna:$junit" -d "$test_classes" "${test_sources[@]}"

selection=(--scan-classpath "$test_classes")
for arg in "$@"; do
    case "$arg" in
        --select*|-c|-m|-p) selection=() ;;
    esac
done

# The JVM of the tests: the library under test, the PKI script, and the class path for the tests
# that start a second JVM (library loading under other settings).
java \
    -Dresultsvault.library="$lib" \
    -Dresultsvault.testdata="$here/../testdata" \
    -Dresultsvault.test.classpath="$main_classes:$test_classes:$jna" \
    -jar "$junit" \
    -cp "$main_classes:$test_classes:$jna" \
    "${selection[@]}" \
    --disable-banner \
    --fail-if-no-tests \
    --exclude-engine=junit-vintage \
    --details=tree \
    "$@"
