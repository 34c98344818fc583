#!/usr/bin/env bash
# Tests the packaged jar the way a portal uses it: builds it (build-jar.sh, from the library of
# tests/install-check.sh unless one is named), copies it into a throw-away portal outside the
# repository, compiles examples/JarPortal.java against the jar and JNA alone, and runs it with
# `java -cp classes:results-vault-<version>.jar:jna.jar` from there, with no RESULTS_VAULT_LIB,
# LD_LIBRARY_PATH, -Dresultsvault.library nor jna.library.path: the library must be the jar's copy
# (the binding says so, and no libresults_vault* file is mapped into the JVM). Then the overrides
# still win over the bundled copy: RESULTS_VAULT_LIB, -Dresultsvault.library, -Djna.library.path.
#
#   package-test.sh [LIBRARY]   the .so to bundle (see build-jar.sh)
#   JNA_JAR                     default /usr/share/java/jna.jar
# Exits non-zero on failure.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
jna="${JNA_JAR:-/usr/share/java/jna.jar}"

die() { echo "package-test.sh: $*" >&2; exit 1; }

jar_path="$(bash "$here/build-jar.sh" "$@")"
jar_name="$(basename "$jar_path")"
installed="$repo/target/capi-install/lib/libresults_vault.so.1"
override_lib="${1:-$installed}"
[[ -f "$override_lib" ]] || override_lib="$repo/target/release/libresults_vault.so"

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
case "$tmp/" in "$repo"/*) die "the temporary directory $tmp is inside the repository: set TMPDIR elsewhere" ;; esac
portal="$tmp/portal"
mkdir -p "$portal/lib" "$portal/src" "$portal/classes"
cp "$jar_path" "$portal/lib/"
cp "$here/examples/JarPortal.java" "$portal/src/"
cd "$portal"

# The portal's build: the jar and JNA, nothing from the repository.
javac --release 17 -encoding UTF-8 -cp "lib/$jar_name:$jna" -d classes src/JarPortal.java

# A clean environment: nothing that names the library or feeds options to the JVM.
clean_env=(env -u RESULTS_VAULT_LIB -u RESULTS_VAULT_HEADER -u LD_LIBRARY_PATH -u LD_PRELOAD
    -u CLASSPATH -u JAVA_TOOL_OPTIONS -u _JAVA_OPTIONS -u JDK_JAVA_OPTIONS)
cp_run="classes:lib/$jar_name:$jna"

# A libresults_vault installed on the system comes first for JNA (as it should: the system's
# administrator chose it), so the bundled copy can only be proven on a machine without one.
system_copy="$( { ldconfig -p 2>/dev/null | grep -o '=> .*libresults_vault\.so.*' | cut -c4- || true; }; \
    ls /usr/local/lib/libresults_vault.so* /usr/lib/libresults_vault.so* /usr/lib/*-linux-gnu/libresults_vault.so* 2>/dev/null || true)"
expect=(--expect-bundled)
if [[ -n "$system_copy" ]]; then
    echo "package-test.sh: NOTE: a libresults_vault is installed on this system ($(tr '\n' ' ' <<<"$system_copy")):" \
        "JNA prefers it, so the bundled copy is not checked here (it is on a machine without one, as in CI)" >&2
    expect=()
fi

echo "== the jar alone: java -cp classes:lib/$jar_name:$jna JarPortal (in $portal)"
out="$("${clean_env[@]}" java -cp "$cp_run" JarPortal work "${expect[@]}" 2>&1)" || { echo "$out"; die "JarPortal failed"; }
echo "$out"
file="$(sed -n 's/^LIBRARY_FILE //p' <<<"$out")"
[[ -n "$file" ]] || die "JarPortal named no library file"
case "$file" in "$repo"/*) die "the library came from the repository ($file), not from the jar" ;; esac
if ((${#expect[@]})); then
    [[ "$(basename "${file% (deleted)}")" == jna* ]] || die "the library file $file is not JNA's extracted copy (jna*)"
fi

# The control: the same classes without the library in the jar find none (so the run above could
# only have loaded the jar's copy), and say where to find one.
if ((${#expect[@]})); then
    mkdir -p "$tmp/unpacked"
    (cd "$tmp/unpacked" && jar --extract --file "$portal/lib/$jar_name")
    jar --create --file "$tmp/classes-only.jar" -C "$tmp/unpacked" vn
    echo "== the control: the same classes without the library"
    if out="$("${clean_env[@]}" java -cp "classes:$tmp/classes-only.jar:$jna" JarPortal work-control 2>&1)"; then
        echo "$out"; die "without the bundled library JarPortal still found one"
    fi
    grep -q "LibraryLoadException (RV_LOAD_FAILURE): the results-vault library was not found" <<<"$out" \
        || { echo "$out"; die "without the bundled library: not the expected load error"; }
    echo "ok    $(grep -o 'LibraryLoadException.*not found' <<<"$out")"
fi

# The overrides still come before the bundled copy.
echo "== RESULTS_VAULT_LIB=$override_lib"
out="$("${clean_env[@]}" RESULTS_VAULT_LIB="$override_lib" java -cp "$cp_run" JarPortal work-env 2>&1)" \
    || { echo "$out"; die "JarPortal with RESULTS_VAULT_LIB failed"; }
grep -q "^library: $override_lib (from the environment variable RESULTS_VAULT_LIB)" <<<"$out" \
    || { echo "$out"; die "RESULTS_VAULT_LIB did not choose the library"; }
echo "ok    $(grep '^library: ' <<<"$out")"

echo "== -Dresultsvault.library=$override_lib"
out="$("${clean_env[@]}" java -Dresultsvault.library="$override_lib" -cp "$cp_run" JarPortal work-prop 2>&1)" \
    || { echo "$out"; die "JarPortal with -Dresultsvault.library failed"; }
grep -q "^library: $override_lib (from the system property resultsvault.library)" <<<"$out" \
    || { echo "$out"; die "-Dresultsvault.library did not choose the library"; }
echo "ok    $(grep '^library: ' <<<"$out")"

lib_dir="$tmp/jna-library-path"
mkdir -p "$lib_dir"
cp -L "$override_lib" "$lib_dir/libresults_vault.so.1"
ln -s libresults_vault.so.1 "$lib_dir/libresults_vault.so"   # as an install lays it out
echo "== -Djna.library.path=$lib_dir"
out="$("${clean_env[@]}" java -Djna.library.path="$lib_dir" -cp "$cp_run" JarPortal work-jna 2>&1)" \
    || { echo "$out"; die "JarPortal with -Djna.library.path failed"; }
grep -q "^LIBRARY_FILE $lib_dir/libresults_vault.so.1$" <<<"$out" \
    || { echo "$out"; die "-Djna.library.path did not choose the library"; }
echo "ok    $(grep '^library: ' <<<"$out")"

echo "package-test.sh: $jar_name works on its own (JNA from $jna) and yields to the overrides"
