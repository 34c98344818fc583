#!/usr/bin/env bash
# Verifying a B-LTA PDF (signature + signature timestamp + document timestamp, OCSP and
# CRLs from its DSS, no CRL from the caller) against the floor of its one signature: the
# SHA-256 of the whole file plus one verification of the signer's signature (issue 21's
# target: at most 2x). The file is pyHanko's, made by tests/pades/make_levels.py with a
# real openssl TSA and OCSP responder (the pades_levels test, LEVELS_KEEP=1 keeps it).
#
#   benches/pades_levels.sh            # makes the fixtures, then benchmarks
#   RV_PDF_ROUNDS=30 benches/pades_levels.sh
set -euo pipefail
cd "$(dirname "$0")/.."
keep=target/tmp/levels-keep
if [ ! -f "$keep/pdfs/levels-b-lta.pdf" ]; then
    LEVELS_KEEP=1 cargo test --no-default-features --test pades_levels -- --nocapture >/dev/null
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for f in levels-b-lta.pdf levels-b-lta-renewed.pdf; do cp "$keep/pdfs/$f" "$work/"; done
openssl x509 -in "$keep/pki/root.pem" -outform DER -out "$work/root.der"
RV_PDF_FILES="$work" RV_PDF_ANCHOR="$work/root.der" RV_PDF_WHICH=first \
    cargo bench --bench pdf
