#!/usr/bin/env bash
# Hostile PDFs (issue 16, class 5): every shape of tests/pdf_hostile_cost.rs made at 2, 20
# and 200 MB and verified in release mode, one process per file; prints the verification
# time (s, and s per MB against the 1 s/MB target) and the process's peak RSS (MiB, and
# RSS / file size against the 10x target; the RSS includes the file read into memory and
# the process's own ~5 MiB; held/size leaves both out: what verifying took), with what the
# verifier answered (cut to 100 characters).
#
# Usage: benches/pdf_hostile.sh                  (all shapes, 2 20 200 MB)
#        SIZES="2 20" SHAPES="trailers" benches/pdf_hostile.sh
#        RV_HOSTILE_BIN=path/to/pdf_hostile_cost-… benches/pdf_hostile.sh   (another build)
# A run is stopped after TIMEOUT seconds (default 600) and reported as such.
set -euo pipefail
cd "$(dirname "$0")/.."
sizes="${SIZES:-2 20 200}"
shapes="${SHAPES:-trailers form_updates huge_arrays many_revisions ref_chains xref_sizes object_streams reordered_dicts}"
limit="${TIMEOUT:-600}"
target="${CARGO_TARGET_DIR:-$PWD/target}"
work="$target/bench-pdf-hostile"
mkdir -p "$work"

bin="${RV_HOSTILE_BIN:-}"
if [ -z "$bin" ]; then
    bin=$(cargo test --release --all-features --test pdf_hostile_cost --no-run 2>&1 |
        sed -n 's/.*Executable .*(\(.*\))$/\1/p' | tail -1)
fi
[ -x "$bin" ] || { echo "no test binary ($bin)" >&2; exit 1; }

printf '%-16s %5s %10s %8s %6s %9s %8s %9s  %s\n' shape MB bytes seconds s/MB peak_MiB RSS/size held/size outcome
for mb in $sizes; do
    for shape in $shapes; do
        file="$work/$shape-$mb.pdf"
        RV_HOSTILE_SHAPE="$shape" RV_HOSTILE_MB="$mb" RV_HOSTILE_OUT="$file" \
            "$bin" --ignored --exact gen_child --test-threads=1 >/dev/null
        bytes=$(stat -c %s "$file")
        set +e
        out=$(RV_HOSTILE_FILE="$file" timeout "$limit" /usr/bin/time -f 'TIME %e %M' \
            "$bin" --ignored --exact measure_child --nocapture --test-threads=1 2>&1)
        status=$?
        set -e
        rm -f "$file"
        peak_kib=$(printf '%s\n' "$out" | sed -n 's/^TIME [0-9.]* \([0-9]*\)$/\1/p' | tail -1)
        result=$(printf '%s\n' "$out" | grep -o 'RESULT .*' | tail -1 || true)
        if [ -z "$result" ]; then
            what=$([ "$status" = 124 ] && echo "stopped after ${limit} s" || echo "exit $status")
            printf '%-16s %5s %10s %8s %6s %9s %8s %9s  %s\n' "$shape" "$mb" "$bytes" ">$limit" - - - - "$what"
            continue
        fi
        seconds=$(printf '%s\n' "$result" | sed -n 's/.*seconds=\([0-9.]*\).*/\1/p')
        outcome=$(printf '%s\n' "$result" | sed -n 's/.*outcome=//p' | cut -c1-100)
        base_kib=$(printf '%s\n' "$result" | sed -n 's/.*base_kib=\([0-9]*\).*/\1/p')
        awk -v s="$shape" -v mb="$mb" -v b="$bytes" -v t="$seconds" -v k="${peak_kib:-0}" -v base="${base_kib:-0}" -v o="$outcome" 'BEGIN {
            size = b / 1048576
            printf "%-16s %5s %10d %8.3f %6.3f %9.1f %8.2f %9.2f  %s\n", s, mb, b, t, t / size, k / 1024, k / 1024 / size, (k - base) / 1024 / size, o
        }'
    done
done
