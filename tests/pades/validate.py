#!/usr/bin/env python3
"""pyHanko's verdict on every signature of some PDF files.

Usage: validate.py ANCHOR.pem CRL.der FILE...

Trusts only ANCHOR (PEM or DER), knows only the CRL (DER or PEM; pass "-" for none),
fetches nothing, and requires revocation information (the CRL) for every
certificate below the anchor (revocation_mode="require"). Prints one JSON object per
line for each signature or document timestamp, in signing order:

  file, path, index, field, kind ("signature" | "timestamp"), subfilter,
  intact, valid, trusted, revoked, trust_problem (AdES sub-indication name or null),
  coverage (SignatureCoverageLevel name), modification_level (ModificationLevel name
  or null), docmdp_ok, docmdp (P of a certification signature, else null),
  bottom_line, signer (subject), md_algorithm, mechanism, signing_time, diff_error

A file that cannot be read gives one line {file, path, error} and the next file is
validated. Exit status 0 unless the arguments are wrong.
"""

import json
import logging
import os
import sys
import traceback

from asn1crypto import crl as asn1_crl
from asn1crypto import pem as asn1_pem
from asn1crypto import x509 as asn1_x509
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.diff_analysis import SuspiciousModification
from pyhanko.sign.validation import validate_pdf_signature, validate_pdf_timestamp
from pyhanko_certvalidator import ValidationContext


def der(path):
    with open(path, "rb") as f:
        data = f.read()
    if asn1_pem.detect(data):
        _, _, data = asn1_pem.unarmor(data)
    return data


def name(enum_value):
    return None if enum_value is None else enum_value.name


def context(anchor, crls):
    # a fresh context per file: certvalidator caches paths and revocation results
    return ValidationContext(
        trust_roots=[anchor],
        crls=crls,
        allow_fetching=False,
        revocation_mode="require",
    )


def describe(path, index, emb, status, kind):
    diff = status.diff_result
    docmdp = emb.docmdp_level
    line = {
        "file": os.path.basename(path),
        "path": path,
        "index": index,
        "field": emb.field_name,
        "kind": kind,
        "subfilter": str(emb.sig_object.get("/SubFilter", "")).lstrip("/"),
        "intact": bool(status.intact),
        "valid": bool(status.valid),
        "trusted": bool(status.trusted),
        "revoked": bool(status.revoked),
        "trust_problem": name(status.trust_problem_indic),
        "coverage": name(status.coverage),
        "modification_level": name(status.modification_level),
        "docmdp_ok": getattr(status, "docmdp_ok", None),
        "docmdp": None if docmdp is None else docmdp.value,
        "signer": status.signing_cert.subject.human_friendly,
        "md_algorithm": status.md_algorithm,
        "mechanism": status.pkcs7_signature_mechanism,
        "diff_error": str(diff).splitlines()[0] if isinstance(diff, SuspiciousModification) else None,
    }
    if kind == "signature":
        line["bottom_line"] = bool(status.bottom_line)
        t = status.signer_reported_dt
        line["signing_time"] = None if t is None else t.isoformat()
    else:
        # a document timestamp: the token must be intact, valid and trusted, and what
        # follows it must be permitted
        line["bottom_line"] = bool(
            status.intact
            and status.valid
            and status.trusted
            and status.modification_level is not None
            and status.modification_level.name != "OTHER"
        )
        line["signing_time"] = status.timestamp.isoformat()
    return line


def validate_file(path, anchor, crls):
    with open(path, "rb") as f:
        reader = PdfFileReader(f)
        embedded = reader.embedded_signatures
        if not embedded:
            print(json.dumps({"file": os.path.basename(path), "path": path, "signatures": 0}), flush=True)
        for index, emb in enumerate(embedded):
            try:
                if emb.sig_object_type == "/DocTimeStamp":
                    status = validate_pdf_timestamp(emb, validation_context=context(anchor, crls))
                    line = describe(path, index, emb, status, "timestamp")
                else:
                    status = validate_pdf_signature(emb, signer_validation_context=context(anchor, crls))
                    line = describe(path, index, emb, status, "signature")
            except Exception as e:  # noqa: BLE001 - one bad signature must not hide the others
                line = {
                    "file": os.path.basename(path),
                    "path": path,
                    "index": index,
                    "field": emb.field_name,
                    "error": f"{type(e).__name__}: {e}",
                }
            print(json.dumps(line), flush=True)


def main():
    # pyHanko logs every SuspiciousModification with a traceback; the JSON carries it
    logging.disable(logging.ERROR)
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    anchor = asn1_x509.Certificate.load(der(sys.argv[1]))
    crls = [] if sys.argv[2] == "-" else [asn1_crl.CertificateList.load(der(sys.argv[2]))]
    for path in sys.argv[3:]:
        try:
            validate_file(path, anchor, crls)
        except Exception as e:  # noqa: BLE001 - report and go on with the next file
            print(
                json.dumps(
                    {
                        "file": os.path.basename(path),
                        "path": path,
                        "error": f"{type(e).__name__}: {e}",
                        "trace": traceback.format_exc().splitlines()[-3:],
                    }
                ),
                flush=True,
            )


if __name__ == "__main__":
    main()
