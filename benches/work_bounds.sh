#!/bin/sh
# Bounded work per verification (issue 17, class 7): the lattice CMS (16 CA certificates
# that name each other as issuer, RSA-8192 e=2^33-1 as the issue built it, and RSA-4096
# e=2^32-1 within the bounds) at N = 1, 10, 1000 and 5900 SignerInfos, distinct costly
# SignerInfos past the pool, and certificate sets padded with 199 and 999 junk
# certificates named like the intermediate with its key identifier. Prints the time per
# case (release build); keep the output in benches/work_bounds.txt.
set -e
cd "$(dirname "$0")/.."
cargo test --release --all-features --test work_bounds -- --ignored --nocapture bench_work_bounds 2>&1 |
    grep -E '^(lattice|pool|padded)'
