#!/bin/sh
# The audit re-hashes the archive (issue 18): `rvault log verify` over 1,000 results of
# 200 KB (half text, half noise, as scanned and born-digital PDFs mix), against
# `sha256sum` over the same bytes on disk, in one run. Prints the median of 5 runs of each
# and their ratio (sha256sum time / log verify time: 1.0 = as fast as sha256sum).
# Usage: benches/log_verify.sh [RESULTS] [BYTES]
set -eu
cd "$(dirname "$0")/.."
n=${1:-1000}
size=${2:-204800}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cargo build --release --quiet --features cli --bin rvault
rvault=$PWD/target/release/rvault

python3 - "$work" "$n" "$size" <<'EOF'
import os, random, sys
work, n, size = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
os.makedirs(f"{work}/files")
rng = random.Random(18)
words = "giấy khai sinh trích lục ủy ban nhân dân phường hải châu đà nẵng số quyển năm".split()
with open(f"{work}/manifest.csv", "w") as m:
    m.write("file,dossier_code,procedure_code,document_type,document_number,issuer_agency_code,"
            "subject_kind,subject_id,issued_at,valid_from,media_type\n")
    for i in range(n):
        text = " ".join(rng.choice(words) for _ in range(size // 8)).encode()[: size // 2]
        body = text + rng.randbytes(size - len(text))
        with open(f"{work}/files/{i}.bin", "wb") as f:
            f.write(body)
        m.write(f"files/{i}.bin,D-{i},1.000466,birth-extract,{i}/TLKS,G22.46.01,citizen,"
                f"0012030{i:05d},2026-10-01,2026-10-01,application/octet-stream\n")
EOF
"$rvault" --vault "$work/v.vault" init >/dev/null
"$rvault" --vault "$work/v.vault" ingest --manifest "$work/manifest.csv" >/dev/null 2>&1

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
timed() {
    for _ in 1 2 3 4 5; do
        start=$(date +%s.%N)
        "$@" >/dev/null
        end=$(date +%s.%N)
        echo "$end - $start" | bc
    done | median
}
sync
ours=$(timed "$rvault" --vault "$work/v.vault" log verify)
skip=$(timed "$rvault" --vault "$work/v.vault" log verify --skip-contents)
peer=$(timed sh -c "sha256sum '$work'/files/*.bin")
mb=$(echo "$n * $size / 1048576" | bc)
echo "results: $n x $size bytes ($mb MiB); vault file $(du -m "$work/v.vault" | cut -f1) MiB; $(nproc) cores"
echo "rvault log verify:                 ${ours} s (median of 5)"
echo "rvault log verify --skip-contents: ${skip} s"
echo "sha256sum over the same bytes:     ${peer} s"
echo "ratio sha256sum / log verify:      $(echo "scale=2; $peer / $ours" | bc) (target >= 0.80)"
