#!/usr/bin/env bash
# Builds the Java binding's jar with the native library inside, so that a portal needs no system
# install: target/java/results-vault-<version>.jar (path printed on stdout), holding the classes of
# src/main/java, the library as <JNA resource prefix>/libresults_vault.so (linux-x86-64/ on
# x86-64 Linux; JNA extracts it from the class path when no libresults_vault is on the system
# library path) and a manifest. Plain javac and jar: no Maven, no network. JNA is not inside: the
# portal puts JNA 5.13+ on its class path too (Debian: libjna-java, /usr/share/java/jna.jar).
#
#   build-jar.sh [LIBRARY]   the .so to bundle (default: target/capi-install/lib/libresults_vault.so.1,
#                            made by tests/install-check.sh or scripts/install-capi.sh, else
#                            target/release/libresults_vault.so from `cargo build --release --features capi`)
#   JNA_JAR                  compile against it (default /usr/share/java/jna.jar)
#   OUT_DIR                  where the jar goes (default <repo>/target/java)
# The version is the crate's (Cargo.toml), which must equal pom.xml's. Exits non-zero on failure.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
jna="${JNA_JAR:-/usr/share/java/jna.jar}"
out="${OUT_DIR:-$repo/target/java}"

die() { echo "build-jar.sh: $*" >&2; exit 1; }

lib="${1:-}"
if [[ -z "$lib" ]]; then
    for candidate in "$repo/target/capi-install/lib/libresults_vault.so.1" "$repo/target/release/libresults_vault.so"; do
        if [[ -f "$candidate" ]]; then lib="$candidate"; break; fi
    done
    [[ -n "$lib" ]] || die "no library to bundle: run tests/install-check.sh or cargo build --release --features capi, or name one"
fi
[[ -f "$lib" ]] || die "no library at $lib"
[[ -f "$jna" ]] || die "no JNA jar at $jna (Debian: apt-get install libjna-java, or set JNA_JAR)"
for tool in javac jar readelf sha256sum; do
    command -v "$tool" >/dev/null || die "$tool not found (javac, jar: default-jdk-headless; readelf: binutils)"
done

# The version: Cargo.toml's [package] version, checked against pom.xml's project version.
version="$(awk -F'"' '/^\[package\]/ {p=1; next} /^\[/ {p=0} p && /^version *=/ {print $2; exit}' "$repo/Cargo.toml")"
[[ -n "$version" ]] || die "no version in $repo/Cargo.toml"
pom_version="$(awk '/<artifactId>results-vault<\/artifactId>/ {f=1; next}
    f && /<version>/ {gsub(/.*<version>|<\/version>.*/, ""); print; exit}' "$here/pom.xml")"
[[ "$pom_version" == "$version" ]] \
    || die "Cargo.toml says version $version but bindings/java/pom.xml says $pom_version: make them equal"

# What the library is: the results-vault C ABI (rv_abi_version), its SONAME, its architecture,
# which names the JNA resource prefix (com.sun.jna.Platform.RESOURCE_PREFIX) it goes under.
header="$(readelf -h "$lib")" || die "$lib is not an ELF file"
case "$(awk -F: '/Machine:/ {gsub(/^ +/, "", $2); print $2}' <<<"$header")" in
    "Advanced Micro Devices X86-64") prefix="linux-x86-64" ;;
    "AArch64") prefix="linux-aarch64" ;;
    *) die "$lib: an architecture this script has no JNA resource prefix for: $(grep Machine: <<<"$header")" ;;
esac
dynamic="$(readelf -d "$lib")"
grep -q 'Library soname: \[libresults_vault\.so\.[0-9]*\]' <<<"$dynamic" \
    || die "$lib has no SONAME libresults_vault.so.N: not the results-vault C library?"
symbols="$(readelf --dyn-syms -W "$lib")"
grep -qw 'rv_abi_version' <<<"$symbols" || die "$lib exports no rv_abi_version: not built with --features capi?"
abi="$(sed -n 's/^#define RV_ABI_VERSION \([0-9]*\).*/\1/p' "$repo/include/results_vault.h")"
soname_abi="$(sed -n 's/.*Library soname: \[libresults_vault\.so\.\([0-9]*\)\].*/\1/p' <<<"$dynamic")"
[[ -z "$abi" || "$abi" == "$soname_abi" ]] \
    || die "$lib has SONAME libresults_vault.so.$soname_abi but include/results_vault.h is ABI $abi: rebuild it"
sha="$(sha256sum "$lib" | cut -d' ' -f1)"

mkdir -p "$out"
stage="$(mktemp -d "$out/.build-jar.XXXXXX")"
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage/classes" "$stage/native/$prefix"

mapfile -t sources < <(find "$here/src/main/java" -name '*.java' | sort)
javac --release 17 -encoding UTF-8 -cp "$jna" -d "$stage/classes" "${sources[@]}"
cp -L "$lib" "$stage/native/$prefix/libresults_vault.so"
chmod 0755 "$stage/native/$prefix/libresults_vault.so"

cat > "$stage/MANIFEST.MF" <<EOF
Manifest-Version: 1.0
Created-By: bindings/java/build-jar.sh (javac $(javac -version 2>&1 | awk '{print $2}'))
Automatic-Module-Name: vn.resultsvault
Implementation-Title: results-vault Java binding
Implementation-Version: $version
Implementation-Vendor-Id: vn.resultsvault
Results-Vault-ABI-Version: ${abi:-$soname_abi}
Results-Vault-Native-Library: $prefix/libresults_vault.so
Results-Vault-Native-SHA-256: $sha
Results-Vault-Requires: JNA 5.13 or newer on the class path (Debian: /usr/share/java/jna.jar)
EOF

name="results-vault-$version.jar"
jar --create --file "$stage/$name" --manifest "$stage/MANIFEST.MF" \
    -C "$stage/classes" . -C "$stage/native" "$prefix/libresults_vault.so"
mv -f "$stage/$name" "$out/$name"     # atomic: a reader never sees half a jar
echo "build-jar.sh: $out/$name: $(find "$stage/classes" -name '*.class' | wc -l) classes, $prefix/libresults_vault.so ($(basename "$lib"), sha256 $sha)" >&2
echo "$out/$name"
