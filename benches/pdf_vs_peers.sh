#!/usr/bin/env bash
# Verifying N signed ~200 KB PDFs, in one run on the same files, four ways:
#   ours     results-vault's verify_pdf, every file in ONE process (benches/pdf.rs with
#            RV_PDF_FILES): trust anchor + CRL, called as callers call it (no ChainCache of
#            their own: the process-wide one, so the officer's path and the CRL's signature
#            are verified once); and cold, with a fresh ChainCache per file (every file's
#            path searched and both issuer signatures verified, as for a new signer);
#   floor    in that same process, interleaved file by file with ours: the file's digest
#            (its signer's algorithm, SHA-256 for RSA) + one bare `ring` verification of the
#            file's own signature over its signed attributes;
#   pyHanko  validate_pdf_signature in a Python loop, in one process (pyhanko==0.38.0, the
#            tests' pin), as tests/pades/validate.py: same anchor and CRL, fetching off,
#            revocation_mode="require", a fresh ValidationContext per file (beside ours
#            cold), and a second pass with one context shared by all files (beside ours);
#   pdfsig   poppler's pdfsig, one process per file, with an NSS database holding the
#            anchor (trusted for e-mail signing) and the CRL.
# and prints medians per file and the ratios pyHanko/ours, pdfsig/ours, ours/floor.
# Targets (the issue): ours at least 30x faster than pyHanko in-process, and at most 2x
# the floor.
#
# The files: pyHanko signs tests/pades/make_pdfs.py's unsigned base (4 pages, a 197 KB
# noise image, an AcroForm; 208 KB signed) N times afresh (benches/pdf_peers/make_signed.py):
# every file is a separate signature with its own /Reason, /M and signature value, so no
# two files are byte-identical. MIX=rsa (default): all RSA-2048 PKCS#1 v1.5 SHA-256,
# ETSI.CAdES.detached. MIX=mixed: round robin RSA-2048 PAdES, RSA-2048 adbe.pkcs7.detached,
# ECDSA P-256 PAdES, ECDSA P-384 (SHA-384) PAdES.
# The PKI: bindings/testdata/make-test-pki.sh (ECDSA P-256 root, RSA-2048 officer, the
# root's CRL, valid 30 days), plus P-256 and P-384 officers for MIX=mixed.
#
# What each checks: ours and pyHanko the full PAdES verdict (CMS, ESS signing certificate,
# path to the anchor, CRL required, ByteRange coverage, changes after signing). pdfsig:
# the signature value over the ByteRange, the chain to a trusted NSS root with key usage
# for e-mail signing, validity and the CRL in its database (a missing CRL is tolerated);
# no PAdES attribute checks, no analysis of later changes (it only says whether the
# whole file is signed). It runs without -no-ocsp: see benches/pdf_peers/pdfsig_loop.py
# (poppler 22.12 misreports every chain with -no-ocsp; the certificates name no OCSP
# responder, so nothing goes to the network either way).
#
# Usage: benches/pdf_vs_peers.sh [N] [rsa|mixed]   (default 200 rsa)
# Needs: openssl, python3 (+ venv), pdfsig (poppler-utils), certutil and crlutil
# (libnss3-tools); the first run needs PyPI for pyHanko (the tests' virtualenv under
# target/tmp is reused). Rounds of ours: RV_PDF_ROUNDS (default 10).
set -euo pipefail
cd "$(dirname "$0")/.."
n="${1:-200}"
mix="${2:-rsa}"
target="${CARGO_TARGET_DIR:-$PWD/target}"
export PYTHONDONTWRITEBYTECODE=1 # make_signed.py imports tests/pades/make_pdfs.py: leave no __pycache__ there
work="$target/bench-pdf"

for tool in openssl python3 pdfsig certutil crlutil; do
    command -v "$tool" >/dev/null || {
        echo "needs $tool (Debian: openssl python3-venv poppler-utils libnss3-tools)" >&2
        exit 1
    }
done

# pyHanko's virtualenv: the one tests/common/pades.rs makes (same path, same marker).
venv="$target/tmp/pyhanko-venv"
pin="pyhanko==0.38.0"
if [[ ! -e "$venv/ready-$pin" ]]; then
    python3 -m venv "$venv"
    "$venv/bin/python" -m pip install -q "$pin"
    : >"$venv/ready-$pin"
fi
py="$venv/bin/python"

rm -rf "$work"
mkdir -p "$work"
echo "== $n files, mix $mix; $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"

# The PKI and keys.json for make_signed.py (tests/pades/README.md's layout).
pki="$work/pki"
bash bindings/testdata/make-test-pki.sh "$pki" >/dev/null 2>&1
signers='"rsa": {"key": "officer.key", "cert": "officer.pem"}'
if [[ "$mix" == mixed ]]; then
    for curve in P-256 P-384; do
        role="ecdsa-$(tr 'A-Z' 'a-z' <<<"${curve//-/}")" # ecdsa-p256, ecdsa-p384
        (cd "$pki" &&
            openssl req -new -newkey ec -pkeyopt "ec_paramgen_curve:$curve" -nodes -keyout "$role.key" \
                -out "$role.csr" -subj "/CN=Test Officer $curve" -config ca.cnf 2>/dev/null &&
            openssl ca -batch -config ca.cnf -cert root.pem -keyfile root.key -in "$role.csr" \
                -out "$role.pem" -extensions v3_officer -notext 2>/dev/null)
        signers+=", \"$role\": {\"key\": \"$role.key\", \"cert\": \"$role.pem\"}"
    done
fi
echo "{\"root\": \"root.pem\", \"crls\": [\"crl.der\"], \"signers\": {$signers}}" >"$pki/keys.json"

# The signed PDFs.
t0=$(date +%s.%N)
"$py" benches/pdf_peers/make_signed.py "$work/files" "$pki" "$n" "$mix"
echo "made $n signed PDFs with pyHanko in $(echo "$(date +%s.%N) - $t0" | bc) s ($(du -sh "$work/files" | cut -f1))"

# pdfsig's trust: an NSS database with the anchor (trusted for e-mail signing) and the CRL.
nss="$work/nssdb"
mkdir -p "$nss"
certutil -N -d "sql:$nss" --empty-password
certutil -A -d "sql:$nss" -n "bench root" -t "C,C,C" -i "$pki/root.pem"
crlutil -I -d "sql:$nss" -i "$pki/crl.der" -t 1

# 1. ours (and the floor), one process.
cargo bench --quiet --bench pdf --no-run
echo
echo "== ours: RV_PDF_FILES=$work/files cargo bench --bench pdf"
RV_PDF_FILES="$work/files" RV_PDF_ANCHOR="$pki/root.der" RV_PDF_CRL="$pki/crl.der" \
    cargo bench --quiet --bench pdf | tee "$work/ours.txt"
grep '^RESULT ' "$work/ours.txt" | cut -d' ' -f2- >"$work/ours.json"

# 2. pyHanko in-process; 3. pdfsig per file.
echo
echo "== pyHanko: benches/pdf_peers/pyhanko_loop.py (one process)"
"$py" benches/pdf_peers/pyhanko_loop.py "$pki/root.der" "$pki/crl.der" "$work"/files/*.pdf | tee "$work/pyhanko.json"
echo
echo "== pdfsig: benches/pdf_peers/pdfsig_loop.py (one process per file)"
python3 benches/pdf_peers/pdfsig_loop.py "$nss" "$work"/files/*.pdf | tee "$work/pdfsig.json"

# The table.
python3 - "$work" <<'PY'
import json, sys
work = sys.argv[1]
ours, pyh, sig = (json.load(open(f"{work}/{name}.json")) for name in ("ours", "pyhanko", "pdfsig"))
def ms(ns):
    return f"{ns / 1e6:8.3f} ms"
print(f"\n== medians per file ({ours['files']} files, mean {ours['mean_bytes']} bytes)")
rows = [
    ("ours: verify_pdf, one process", ours["ours_ns"], f"{ours['files_per_s']:.0f} files/s in whole passes"),
    ("ours, cold (fresh chain cache)", ours["ours_cold_ns"], ""),
    ("floor: digest + 1 signature", ours["floor_ns"], ""),
    ("pyHanko validate_pdf_signature", pyh["median_ns"], f"{pyh['files_per_s']:.0f} files/s; {pyh['failures']} not valid"),
    ("pyHanko, one context shared", pyh["shared_median_ns"],
     f"{pyh['shared_files_per_s']:.0f} files/s; {pyh['shared_failures']} not valid"),
    ("pdfsig, one process per file", sig["median_ns"], f"{sig['files_per_s']:.0f} files/s; {sig['failures']} not valid;"
     f" spawning /bin/true alone {sig['spawn_true_median_ns'] / 1e6:.2f} ms"),
]
for name, ns, note in rows:
    print(f"  {name:<32} {ms(ns)}  {note}")
def ratio(label, value, target, better_high):
    ok = value >= target if better_high else value <= target
    print(f"  {label:<32} {value:8.2f}x  target {'>=' if better_high else '<='} {target}x  {'ok' if ok else 'MISSED'}")
print("== ratios")
ratio("pyHanko / ours", pyh["median_ns"] / ours["ours_ns"], 30, True)
ratio("pyHanko shared / ours", pyh["shared_median_ns"] / ours["ours_ns"], 30, True)
ratio("pyHanko / ours cold", pyh["median_ns"] / ours["ours_cold_ns"], 30, True)
print(f"  {'pdfsig / ours':<32} {sig['median_ns'] / ours['ours_ns']:8.2f}x")
ratio("ours / floor", ours["ours_ns"] / ours["floor_ns"], 2, False)
print(f"  {'ours cold / floor':<32} {ours['ours_cold_ns'] / ours['floor_ns']:8.2f}x")
print(f"  where ours goes: CMS integrity (parse, digest, signature) {ms(ours['cms_integrity_ns'])},"
      f" path + CRL {ms(ours['cms_full_ns'] - ours['cms_integrity_ns'])}"
      f" (cold: one issuer signature alone {ms(ours['issuer_signature_ns'])}; a new path checks two),"
      f" PDF part {ms(ours['ours_cold_ns'] - ours['cms_full_ns'])}")
if pyh["failures"] or pyh["shared_failures"] or sig["failures"]:
    print(f"  NOT VALID: pyHanko {pyh['failed']}, pdfsig {sig['failed']}\n{sig.get('failure_output') or ''}")
PY
