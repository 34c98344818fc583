#!/usr/bin/env python3
"""One `pdfsig` process per PDF, timed per file from spawn to exit (benches/pdf_vs_peers.sh).

Usage: pdfsig_loop.py NSSDIR FILE...

Runs `pdfsig -nssdir sql:NSSDIR FILE` for each file (NSSDIR: an NSS database holding the
trust anchor, trusted for e-mail signing, and the CRL, made by the script with
certutil/crlutil). A file counts as verified when pdfsig prints "Signature is Valid."
and "Certificate is Trusted." for every signature. Also times /bin/true the same way,
to show how much of a file's time is process creation from Python alone. Prints one
JSON object: medians per file etc.

Why not `-no-ocsp`: poppler 22.12 (Debian 12) reads NSS's last error code after
CERT_PKIXVerifyCert whatever that returned, and with the OCSP-disabled revocation policy
a stale code is left behind: every certificate then reads "Unknown issue with
Certificate or corrupted data." although the chain is good. The bench certificates carry
no AIA (no OCSP responder URL) and NSS has no default responder, so pdfsig makes no
network request either way (checked with `strace -e trace=connect`): it checks the
local CRL in the database (a revoked signer reads "Certificate has been Revoked.").
"""

import json
import statistics
import subprocess
import sys
import time


def timed(argv):
    t0 = time.perf_counter()
    out = subprocess.run(argv, capture_output=True, check=False)
    return time.perf_counter() - t0, out


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    nssdir, files = sys.argv[1], sys.argv[2:]
    argv = ["pdfsig", "-nssdir", f"sql:{nssdir}"]
    timed(argv + [files[0]])  # warm-up, untimed (binary and libraries into the page cache)
    times, failed, sample = [], [], None
    start = time.perf_counter()
    for path in files:
        t, out = timed(argv + [path])
        times.append(t)
        text = out.stdout.decode("utf-8", "replace")
        signatures = text.count("Signature Validation:")
        valid = text.count("Signature is Valid.")
        trusted = text.count("Certificate is Trusted.")
        if not (signatures and signatures == valid == trusted):
            failed.append(path)
            sample = sample or (text + out.stderr.decode("utf-8", "replace"))[-600:]
    total = time.perf_counter() - start
    spawn = [timed(["true"])[0] for _ in range(min(len(files), 200))]
    print(
        json.dumps(
            {
                "files": len(files),
                "median_ns": statistics.median(times) * 1e9,
                "mean_ns": statistics.mean(times) * 1e9,
                "total_s": total,
                "files_per_s": len(files) / total,
                "spawn_true_median_ns": statistics.median(spawn) * 1e9,
                "failed": failed[:5],
                "failures": len(failed),
                "failure_output": sample,
            }
        )
    )


if __name__ == "__main__":
    main()
