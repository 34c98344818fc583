#!/usr/bin/env python3
"""Makes a small signed PDF with the real `openssl` CLI, for the binding tests (PHP, Java,
and tests/ffi_pdf.rs), from a PKI made by make-test-pki.sh. Python 3 standard library only.

The PDF is one page of text with one approval signature, as ISO 32000-1 §12.8 lays it out:
an AcroForm signature field (/FT /Sig) whose /V is the signature dictionary, /SubFilter
/adbe.pkcs7.detached, a /Contents hex placeholder of fixed width, a /ByteRange over the
whole file but that placeholder, and a detached CMS made by
`openssl cms -sign -binary -outform DER -nosmimecap -cades -md sha256` over the two ranges,
written in hex into the placeholder (zero-padded, as PDF signers do). One revision, a
classic xref table, no incremental update.

(openssl always writes a signingTime attribute, which PAdES baseline
(/ETSI.CAdES.detached) forbids; /adbe.pkcs7.detached admits it.)

Usage: make-signed-pdf.py SIGNER_CERT.pem SIGNER_KEY.pem OUT.pdf [--reason TEXT]
                          [--location TEXT] [--field NAME]
"""

import argparse
import datetime
import os
import subprocess
import sys
import tempfile

# Bytes reserved for the DER CMS (hex doubles it): an RSA-2048 signer with its
# certificate needs about 2 KiB.
CMS_RESERVED = 8192


def pdf_text(text):
    """A PDF literal string (PDFDocEncoding for ASCII; UTF-16BE with a BOM otherwise)."""
    try:
        raw = text.encode("ascii")
    except UnicodeEncodeError:
        raw = b"\xfe\xff" + text.encode("utf-16-be")
    out = raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")
    return b"(" + out + b")"


def build(field, reason, location, signing_time):
    """The PDF with zeroed /Contents and /ByteRange placeholders, and their offsets."""
    content = (
        b"BT /F1 14 Tf 72 760 Td (Trich luc khai sinh - ban sao dien tu) Tj ET\n"
        b"BT /F1 10 Tf 72 740 Td (Signed by make-signed-pdf.py for the binding tests) Tj ET\n"
    )
    byte_range_placeholder = b"/ByteRange [0 0000000000 0000000000 0000000000]"
    contents_placeholder = b"<" + b"0" * (2 * CMS_RESERVED) + b">"
    m = signing_time.strftime("D:%Y%m%d%H%M%S+00'00'").encode("ascii")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [4 0 R] /SigFlags 3 >> >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 6 0 R"
        b" /Resources << /Font << /F1 7 0 R >> >> /Annots [4 0 R] >>",
        b"<< /Type /Annot /Subtype /Widget /FT /Sig /T " + pdf_text(field)
        + b" /V 5 0 R /Rect [0 0 0 0] /F 132 /P 3 0 R >>",
        b"<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter /adbe.pkcs7.detached "
        + byte_range_placeholder + b" /Contents " + contents_placeholder
        + b" /M (" + m + b") /Reason " + pdf_text(reason) + b" /Location " + pdf_text(location) + b" >>",
        b"<< /Length " + str(len(content)).encode() + b" >>\nstream\n" + content + b"endstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n" % (len(objects) + 1)
    out += b"0000000000 65535 f \n"
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return out, out.index(byte_range_placeholder), out.index(contents_placeholder), len(contents_placeholder)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("cert")
    parser.add_argument("key")
    parser.add_argument("out")
    parser.add_argument("--reason", default="Ký số bản sao điện tử")
    parser.add_argument("--location", default="UBND phường Bến Nghé")
    parser.add_argument("--field", default="Signature1")
    args = parser.parse_args()

    now = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
    pdf, range_at, a, gap = build(args.field, args.reason, args.location, now)
    b = a + gap
    c = len(pdf) - b
    byte_range = b"/ByteRange [0 %d %d %d]" % (a, b, c)
    placeholder_len = len(b"/ByteRange [0 0000000000 0000000000 0000000000]")
    pdf[range_at:range_at + placeholder_len] = byte_range.ljust(placeholder_len, b" ")

    with tempfile.TemporaryDirectory(prefix="rv-signed-pdf-") as tmp:
        signed = os.path.join(tmp, "signed-bytes")
        cms = os.path.join(tmp, "cms.der")
        with open(signed, "wb") as f:
            f.write(pdf[:a] + pdf[b:])
        run = subprocess.run(
            ["openssl", "cms", "-sign", "-binary", "-outform", "DER", "-nosmimecap", "-cades",
             "-md", "sha256", "-signer", args.cert, "-inkey", args.key, "-in", signed, "-out", cms],
            capture_output=True,
        )
        if run.returncode != 0:
            sys.exit("openssl cms -sign failed: " + run.stderr.decode(errors="replace"))
        with open(cms, "rb") as f:
            der = f.read()
    if len(der) > CMS_RESERVED:
        sys.exit(f"the CMS ({len(der)} bytes) does not fit the {CMS_RESERVED} bytes reserved")
    hex_cms = der.hex().encode("ascii").ljust(2 * CMS_RESERVED, b"0")
    pdf[a + 1:b - 1] = hex_cms
    with open(args.out, "wb") as f:
        f.write(pdf)


if __name__ == "__main__":
    main()
