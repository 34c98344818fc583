#!/usr/bin/env bash
# `rvault verify` over N stored, signed results in one process, against `openssl cms -verify`
# run once per result on the same exported material (content check + CMS + chain + CRL);
# and bulk `rvault ingest --manifest` of N ~200 KB files with 1 and 2 threads.
# Usage: benches/cli_vs_openssl.sh [N]   (default 1000; needs openssl; builds rvault --release)
set -euo pipefail
cd "$(dirname "$0")/.."
n="${1:-1000}"
cargo build --release --quiet --bin rvault
rvault="$PWD/target/release/rvault"
work="$PWD/target/bench-cli"
rm -rf "$work"
mkdir -p "$work/files"
bash bindings/testdata/make-test-pki.sh "$work/pki" >/dev/null 2>&1

# N incompressible ~200 KB "scans" and their manifest.
python3 - "$work" "$n" <<'PY'
import os, sys
work, n = sys.argv[1], int(sys.argv[2])
with open(f"{work}/files/manifest.csv", "w") as m:
    m.write("file,dossier_code,procedure_code,document_type,document_number,issuer_agency_code,"
            "subject_kind,subject_id,issued_at,valid_from,media_type\n")
    for i in range(n):
        with open(f"{work}/files/kq-{i:05}.pdf", "wb") as f:
            f.write(b"%PDF-1.7\n" + os.urandom(200 * 1024 - 9))
        m.write(f"kq-{i:05}.pdf,G22.46-BENCH-{i:06},1.000466,birth-extract,{i}/TLKS,G22.46.01,"
                f"citizen,0012030{i:05},2026-01-02,2026-01-02,application/pdf\n")
PY

seconds() { local t0 t1; t0=$(date +%s.%N); "$@" >/dev/null; t1=$(date +%s.%N); echo "$t1 - $t0" | bc; }
for jobs in 1 2; do
    rm -f "$work/ingest-$jobs.vault"*
    "$rvault" --vault "$work/ingest-$jobs.vault" init >/dev/null
    s=$(seconds "$rvault" --vault "$work/ingest-$jobs.vault" ingest --manifest "$work/files/manifest.csv" --jobs "$jobs")
    echo "ingest --manifest, $n x 200 KB, --jobs $jobs: ${s} s ($(echo "$n / $s" | bc) results/s)"
done

# Sign every result (demo key) and export each for openssl.
vault="$work/ingest-2.vault"
"$rvault" --vault "$vault" trust add anchor "$work/pki/root.pem" >/dev/null
"$rvault" --vault "$vault" trust add crl "$work/pki/crl.pem" >/dev/null
ids=$(sqlite3 "$vault" "select result_id from records" 2>/dev/null || true)
if [[ -z "$ids" ]]; then
    ids=$(for f in "$work"/files/kq-*.pdf; do "$rvault" --vault "$vault" verify "$f" --json | python3 -c 'import json,sys; print(json.loads(sys.stdin.readline())["result_id"])'; done)
fi
mkdir -p "$work/export"
for id in $ids; do
    "$rvault" --vault "$vault" sign local "$id" --key "$work/pki/officer.key" --cert "$work/pki/officer.pem" >/dev/null
    "$rvault" --vault "$vault" export "$id" --out "$work/export/$id" >/dev/null
done

# The same checks both ways: rvault in one process; openssl once per result.
# shellcheck disable=SC2086 # the ids are words
t_rvault=$(seconds "$rvault" --vault "$vault" verify $ids --json)
check_openssl() {
    for id in $ids; do
        (cd "$work/export/$id" && sha256sum content >/dev/null &&
            openssl cms -verify -binary -inform DER -in signature-1.der -content envelope.json \
                -CAfile trust.pem -crl_check_all -purpose any -out /dev/null 2>/dev/null)
    done
}
t_openssl=$(seconds check_openssl)
echo "verify $n stored results: rvault (one process) ${t_rvault} s, openssl cms -verify per file ${t_openssl} s," \
     "ratio $(echo "scale=3; $t_rvault / $t_openssl" | bc)"
