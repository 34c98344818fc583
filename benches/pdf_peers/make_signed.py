#!/usr/bin/env python3
"""N signed ~200 KB PDFs for benches/pdf_vs_peers.sh, made by pyHanko.

Usage: make_signed.py OUTDIR KEYDIR N [rsa|mixed]

Run with the python of the pyHanko virtualenv (pyhanko==0.38.0, as the PAdES tests use).
KEYDIR holds keys.json in the layout of tests/pades/README.md ("root", "signers": role ->
{"key", "cert"}). The document is tests/pades/make_pdfs.py's unsigned base (4 pages of
text, a 197 KB noise image, an AcroForm; classic xref table), written once; every file is
a fresh pyHanko signature of it (incremental update, invisible approval signature in a
new field "Signature1"), so no two files are byte-identical: each has its own /Reason
("... result 00042"), its own /M and its own signature value.

- rsa (default): every file RSA-2048, PKCS#1 v1.5, SHA-256, /ETSI.CAdES.detached (PAdES
  B-B), as tests/pades' pades-rsa-pkcs1v15-sha256.pdf.
- mixed: round robin over RSA-2048 PAdES, RSA-2048 adbe.pkcs7.detached, ECDSA P-256
  (SHA-256) PAdES and ECDSA P-384 (SHA-384) PAdES; KEYDIR then needs the roles
  "ecdsa-p256" and "ecdsa-p384" too.
"""

import io
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tests", "pades"))

import make_pdfs  # noqa: E402 - the fixtures' own base document, keys and digests
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter  # noqa: E402
from pyhanko.sign import signers  # noqa: E402
from pyhanko.sign.fields import SigFieldSpec  # noqa: E402

KINDS = {
    "rsa": [("rsa", make_pdfs.PADES, "pades")],
    "mixed": [
        ("rsa", make_pdfs.PADES, "pades"),
        ("rsa", make_pdfs.PKCS7, "pkcs7"),
        ("ecdsa-p256", make_pdfs.PADES, "pades"),
        ("ecdsa-p384", make_pdfs.PADES, "pades"),
    ],
}


def main():
    if len(sys.argv) not in (4, 5):
        sys.exit(__doc__)
    outdir, keydir, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
    kinds = KINDS[sys.argv[4] if len(sys.argv) == 5 else "rsa"]
    os.makedirs(outdir, exist_ok=True)
    keys = make_pdfs.Keys(keydir)
    signer_of = {role: keys.signer(role) for role, _, _ in kinds}
    base = make_pdfs.make_base()
    for i in range(n):
        role, subfilter, tag = kinds[i % len(kinds)]
        meta = signers.PdfSignatureMetadata(
            field_name="Signature1",
            md_algorithm=make_pdfs.ROLES[role][1],
            subfilter=subfilter,
            reason=f"Approval of the administrative result {i:05d}",
            location="Da Nang",
        )
        spec = SigFieldSpec(sig_field_name="Signature1", on_page=0)
        out = io.BytesIO()
        signers.PdfSigner(meta, signer_of[role], new_field_spec=spec).sign_pdf(
            IncrementalPdfFileWriter(io.BytesIO(base)), output=out
        )
        with open(os.path.join(outdir, f"{i:05d}-{tag}-{role}.pdf"), "wb") as f:
            f.write(out.getvalue())


if __name__ == "__main__":
    main()
