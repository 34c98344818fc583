#!/usr/bin/env python3
"""pyHanko's in-process validation over many PDFs, timed per file (benches/pdf_vs_peers.sh).

Usage: pyhanko_loop.py ANCHOR.der CRL.der FILE...

As tests/pades/validate.py does: trusts only ANCHOR, knows only the CRL, fetches nothing,
revocation_mode="require", a fresh ValidationContext per file (certvalidator caches
paths and revocation checks inside a context; results-vault's verify_pdf is measured
without its chain cache too). Then a second pass with ONE context shared by all files,
the counterpart of verify_pdf with a shared ChainCache. Every file is read into memory
first; the timed work per file is PdfFileReader over those bytes, its embedded
signatures, and validate_pdf_signature on each (bottom_line must be true). One untimed
warm-up file first (imports, lazily built tables). Prints one JSON object: medians per
file etc. (the shared-context pass as shared_*).
"""

import io
import json
import logging
import statistics
import sys
import time

from asn1crypto import crl as asn1_crl
from asn1crypto import x509 as asn1_x509
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext


def new_context(anchor, crls):
    return ValidationContext(trust_roots=[anchor], crls=crls, allow_fetching=False, revocation_mode="require")


def validate(data, anchor, crls, shared=None):
    reader = PdfFileReader(io.BytesIO(data))
    embedded = reader.embedded_signatures
    ok = bool(embedded)
    for emb in embedded:
        context = shared or new_context(anchor, crls)
        status = validate_pdf_signature(emb, signer_validation_context=context)
        ok = ok and bool(status.bottom_line)
    return ok


def main():
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    logging.disable(logging.ERROR)
    with open(sys.argv[1], "rb") as f:
        anchor = asn1_x509.Certificate.load(f.read())
    with open(sys.argv[2], "rb") as f:
        crls = [asn1_crl.CertificateList.load(f.read())]
    files = []
    for path in sys.argv[3:]:
        with open(path, "rb") as f:
            files.append((path, f.read()))
    validate(files[0][1], anchor, crls)  # warm-up, untimed

    def run(shared):
        times, failed = [], []
        start = time.perf_counter()
        for path, data in files:
            t0 = time.perf_counter()
            ok = validate(data, anchor, crls, shared)
            times.append(time.perf_counter() - t0)
            if not ok:
                failed.append(path)
        total = time.perf_counter() - start
        return {
            "median_ns": statistics.median(times) * 1e9,
            "mean_ns": statistics.mean(times) * 1e9,
            "total_s": total,
            "files_per_s": len(files) / total,
            "failed": failed[:5],
            "failures": len(failed),
        }

    result = {"files": len(files)}
    result.update(run(None))
    result.update({f"shared_{k}": v for k, v in run(new_context(anchor, crls)).items()})
    print(json.dumps(result))


if __name__ == "__main__":
    main()
