#!/usr/bin/env python3
"""Makes the PAdES test fixtures: an unsigned base PDF and signed variants.

Usage: make_pdfs.py OUTDIR KEYDIR

Run it with the python of the pyHanko virtualenv (pyhanko==0.38.0), as
tests/common/pades.rs does. KEYDIR holds the test PKI made by that helper:
`keys.json` names the PEM files (PKCS#8 keys) of each signer role; without it
the files are `<role>.key` / `<role>.pem`. Writes every PDF to OUTDIR and
OUTDIR/manifest.json: a JSON array, one object per file, saying what a correct
PAdES validator must conclude about each signature in it (see README.md).
"""

import hashlib
import io
import json
import os
import random
import sys
import zlib
from datetime import datetime, timezone

from asn1crypto import crl as asn1_crl
from asn1crypto import keys as asn1_keys
from asn1crypto import pem as asn1_pem
from asn1crypto import x509 as asn1_x509
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.generic import pdf_name
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import signers, timestamps
from pyhanko.sign.fields import FieldMDPAction, FieldMDPSpec, MDPPerm, SigFieldSpec, SigSeedSubFilter
from pyhanko.sign.validation import add_validation_info
from pyhanko_certvalidator import ValidationContext

PADES = SigSeedSubFilter.PADES  # /ETSI.CAdES.detached
PKCS7 = SigSeedSubFilter.ADOBE_PKCS7_DETACHED  # /adbe.pkcs7.detached
SUBFILTER_NAME = {PADES: "ETSI.CAdES.detached", PKCS7: "adbe.pkcs7.detached"}

FIELD_NAME = "applicant_name"
FIELD_VALUE = "Nguyen Van An"
# the second text field of the FieldMDP fixtures' base (make_base(second_field=True))
FIELD2_NAME = "receipt_number"
FIELD2_VALUE = "BL-2026-001234"

# ---------------------------------------------------------------------------
# Key material
# ---------------------------------------------------------------------------

ROLES = {
    # role: (key type label, digest)
    "rsa": ("rsa-pkcs1v15", "sha256"),
    "ecdsa-p256": ("ecdsa-p256", "sha256"),
    "ecdsa-p384": ("ecdsa-p384", "sha384"),
    "ed25519": ("ed25519", "sha512"),
    "revoked": ("ecdsa-p256", "sha256"),
    "expired": ("ecdsa-p256", "sha256"),
    "tsa": ("rsa-pkcs1v15", "sha256"),
}


class Keys:
    def __init__(self, keydir):
        self.keydir = keydir
        manifest = os.path.join(keydir, "keys.json")
        if os.path.exists(manifest):
            with open(manifest) as f:
                self.spec = json.load(f)
        else:
            self.spec = {
                "root": "root.pem",
                "signers": {r: {"key": f"{r}.key", "cert": f"{r}.pem"} for r in ROLES},
            }
        self.root = os.path.join(keydir, self.spec["root"])

    def files(self, role):
        s = self.spec["signers"][role]
        return os.path.join(self.keydir, s["key"]), os.path.join(self.keydir, s["cert"])

    def signer(self, role, pss=False):
        key, cert = self.files(role)
        return signers.SimpleSigner.load(key, cert, ca_chain_files=(self.root,), prefer_pss=pss)

    def cert(self, role):
        return load_cert(self.files(role)[1])

    def crls(self):
        out = []
        for name in self.spec.get("crls", []):
            with open(os.path.join(self.keydir, name), "rb") as f:
                out.append(f.read())
        return out


def pss_salt(keys, digest_len=32):
    """The maximum PSS salt length pyHanko uses: emLen - hLen - 2."""
    bits = keys.cert("rsa").public_key.bit_size
    return (bits - 1 + 7) // 8 - digest_len - 2


def revocation_date(keys, cert):
    """When the fixture CRL says `cert` was revoked (None: not listed)."""
    for data in keys.crls():
        if asn1_pem.detect(data):
            _, _, data = asn1_pem.unarmor(data)
        for entry in asn1_crl.CertificateList.load(data)["tbs_cert_list"]["revoked_certificates"]:
            if entry["user_certificate"].native == cert.serial_number:
                return entry["revocation_date"].native
    return None


def load_cert(path):
    with open(path, "rb") as f:
        data = f.read()
    if asn1_pem.detect(data):
        _, _, data = asn1_pem.unarmor(data)
    return asn1_x509.Certificate.load(data)


def load_key(path):
    with open(path, "rb") as f:
        data = f.read()
    if asn1_pem.detect(data):
        _, _, data = asn1_pem.unarmor(data)
    return asn1_keys.PrivateKeyInfo.load(data)


# ---------------------------------------------------------------------------
# The unsigned base PDF, written by hand (classic xref table or xref stream)
# ---------------------------------------------------------------------------

PARAGRAPHS = [
    "PEOPLE'S COMMITTEE OF HAI CHAU WARD",
    "SOCIALIST REPUBLIC OF VIET NAM - Independence - Freedom - Happiness",
    "DECISION No. 1234/QD-UBND on the settlement of an administrative procedure",
    "Pursuant to the Law on Organization of Local Government; pursuant to the Decree on the "
    "implementation of the one-stop-shop mechanism in handling administrative procedures; "
    "considering the dossier submitted by the applicant and the proposal of the head of the "
    "justice and civil status division,",
    "Article 1. To approve the result of the procedure for the applicant named in the form "
    "field on the first page. The result is issued in electronic form and carries the digital "
    "signature of the competent officer. The electronic result has the same legal value as the "
    "paper result.",
    "Article 2. The fee collected is 1,500,000 VND (one million five hundred thousand dong), "
    "paid at the one-stop-shop counter. The receipt number is recorded in the dossier.",
    "Article 3. This decision takes effect from the date of signing. The office of the "
    "People's Committee, the justice and civil status division and the applicant are "
    "responsible for implementing this decision.",
]


def pdf_string(text):
    escaped = text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
    return "(" + escaped + ")"


def wrap(text, width=88):
    words, lines, line = text.split(), [], ""
    for w in words:
        if len(line) + len(w) + 1 > width:
            lines.append(line)
            line = w
        else:
            line = (line + " " + w).strip()
    if line:
        lines.append(line)
    return lines


def page_text(page_no, pages):
    ops = ["BT", "/F2 13 Tf", "14 TL", "72 770 Td"]
    ops.append(pdf_string(f"{PARAGRAPHS[0]}  (page {page_no} of {pages})") + " Tj T* T*")
    ops.append("/F1 10.5 Tf 13 TL")
    rnd = random.Random(page_no)
    y_lines = 2
    for i in range(40):
        para = PARAGRAPHS[1 + (page_no + i) % (len(PARAGRAPHS) - 1)]
        for line in wrap(para):
            ops.append(pdf_string(line) + " Tj T*")
            y_lines += 1
        ops.append("T*")
        y_lines += 1
        if y_lines > 46 - (12 if page_no == 1 else 0):
            break
        if rnd.random() < 0.2:
            ops.append("/F2 10.5 Tf")
        else:
            ops.append("/F1 10.5 Tf")
    ops.append("ET")
    if page_no == 1:
        # the applicant's name label next to the form field, and the scanned seal
        ops += ["BT /F2 11 Tf 72 166 Td (Applicant:) Tj ET"]
        ops += ["q 150 0 0 150 400 40 cm /Im1 Do Q"]
    return "\n".join(ops).encode("latin-1")


class RawPdf:
    """Collects numbered objects; writes them with a classic xref table or an xref stream."""

    def __init__(self):
        self.objects = {}

    def reserve(self):
        n = len(self.objects) + 1
        self.objects[n] = None
        return n

    def set(self, n, body):
        self.objects[n] = body

    def add(self, body):
        n = self.reserve()
        self.set(n, body)
        return n

    @staticmethod
    def stream(dict_body, data, compress=True):
        if compress:
            data = zlib.compress(data, 9)
            dict_body += " /Filter /FlateDecode"
        return ("stream", f"<< {dict_body} /Length {len(data)} >>".encode(), data)

    def write(self, root, info, xref_stream=False):
        out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
        offsets = {}
        doc_id = hashlib.md5(b"results-vault pades fixture base " + str(xref_stream).encode()).hexdigest()
        size = len(self.objects) + 1
        in_objstm = {}
        if xref_stream:
            # non-stream objects other than the catalog go into one object stream
            packed = [n for n, b in self.objects.items() if isinstance(b, str) and n != root]
            objstm_n = size
            size += 1
            header, body = [], bytearray()
            for i, n in enumerate(packed):
                header.append(f"{n} {len(body)}")
                body += self.objects[n].encode("latin-1") + b"\n"
                in_objstm[n] = (objstm_n, i)
            head = (" ".join(header) + "\n").encode()
            data = zlib.compress(head + bytes(body), 9)
            objstm = (
                "stream",
                f"<< /Type /ObjStm /N {len(packed)} /First {len(head)} /Filter /FlateDecode "
                f"/Length {len(data)} >>".encode(),
                data,
            )
            items = [(n, b) for n, b in self.objects.items() if n not in in_objstm]
            items.append((objstm_n, objstm))
        else:
            items = list(self.objects.items())
        for n, body in items:
            offsets[n] = len(out)
            out += f"{n} 0 obj\n".encode()
            if isinstance(body, tuple):
                _, d, data = body
                out += d + b"\nstream\n" + data + b"\nendstream"
            else:
                out += body.encode("latin-1")
            out += b"\nendobj\n"
        trailer = f"/Size {size} /Root {root} 0 R /Info {info} 0 R /ID [<{doc_id}> <{doc_id}>]"
        if not xref_stream:
            xref_at = len(out)
            out += f"xref\n0 {size}\n".encode()
            out += b"0000000000 65535 f\r\n"
            for n in range(1, size):
                out += f"{offsets[n]:010d} 00000 n\r\n".encode()
            out += f"trailer\n<< {trailer} >>\nstartxref\n{xref_at}\n%%EOF\n".encode()
            return bytes(out)
        xref_n = size
        size += 1
        trailer = trailer.replace(f"/Size {size - 1}", f"/Size {size}")
        xref_at = len(out)
        offsets[xref_n] = xref_at
        rows = bytearray(b"\x00\x00\x00\x00\x00\xff\xff")
        for n in range(1, size):
            if n in in_objstm:
                stm, idx = in_objstm[n]
                rows += b"\x02" + stm.to_bytes(4, "big") + idx.to_bytes(2, "big")
            else:
                rows += b"\x01" + offsets[n].to_bytes(4, "big") + b"\x00\x00"
        data = zlib.compress(bytes(rows), 9)
        out += f"{xref_n} 0 obj\n".encode()
        out += (
            f"<< /Type /XRef {trailer} /W [1 4 2] /Filter /FlateDecode /Length {len(data)} >>".encode()
            + b"\nstream\n"
            + data
            + b"\nendstream\nendobj\n"
        )
        out += f"startxref\n{xref_at}\n%%EOF\n".encode()
        return bytes(out)


def make_base(pages=4, xref_stream=False, second_field=False):
    """`second_field`: a second empty text field, FIELD2_NAME (widget on page 1 too),
    after the first in /Fields and /Annots (the FieldMDP fixtures lock one field and
    fill the other)."""
    pdf = RawPdf()
    catalog = pdf.reserve()
    pages_n = pdf.reserve()
    acroform = pdf.reserve()
    info = pdf.reserve()
    helv = pdf.add("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>")
    helv_bold = pdf.add("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>")
    # a 256x256 RGB "scanned seal" of noise: about 197 KB that Flate cannot shrink
    noise = random.Random(20261101).randbytes(256 * 256 * 3)
    image = pdf.add(
        RawPdf.stream(
            "/Type /XObject /Subtype /Image /Width 256 /Height 256 /ColorSpace /DeviceRGB /BitsPerComponent 8",
            noise,
        )
    )
    field = pdf.reserve()
    field_ap = pdf.add(
        RawPdf.stream(
            "/Type /XObject /Subtype /Form /BBox [0 0 260 20] /Resources << /Font << /Helv %d 0 R >> >>" % helv,
            b"/Tx BMC\nEMC\n",
            compress=False,
        )
    )
    widgets = [field]
    if second_field:
        field2 = pdf.reserve()
        field2_ap = pdf.add(
            RawPdf.stream(
                "/Type /XObject /Subtype /Form /BBox [0 0 160 20] /Resources << /Font << /Helv %d 0 R >> >>" % helv,
                b"/Tx BMC\nEMC\n",
                compress=False,
            )
        )
        widgets.append(field2)
    kids = []
    for p in range(1, pages + 1):
        content = pdf.add(RawPdf.stream("", page_text(p, pages)))
        page = pdf.reserve()
        annots = f" /Annots [{' '.join(f'{w} 0 R' for w in widgets)}]" if p == 1 else ""
        pdf.set(
            page,
            f"<< /Type /Page /Parent {pages_n} 0 R /MediaBox [0 0 595 842] "
            f"/Resources << /Font << /F1 {helv} 0 R /F2 {helv_bold} 0 R >> /XObject << /Im1 {image} 0 R >> "
            f"/ProcSet [/PDF /Text /ImageC] >> /Contents {content} 0 R{annots} >>",
        )
        kids.append(page)
    first_page = kids[0]
    pdf.set(
        field,
        f"<< /Type /Annot /Subtype /Widget /FT /Tx /T {pdf_string(FIELD_NAME)} /TU (Full name of the applicant) "
        f"/Rect [140 160 400 180] /F 4 /P {first_page} 0 R /DA (/Helv 11 Tf 0 g) /MK << /BC [0 0 0] >> "
        f"/AP << /N {field_ap} 0 R >> >>",
    )
    if second_field:
        pdf.set(
            field2,
            f"<< /Type /Annot /Subtype /Widget /FT /Tx /T {pdf_string(FIELD2_NAME)} /TU (Number of the fee receipt) "
            f"/Rect [140 136 300 156] /F 4 /P {first_page} 0 R /DA (/Helv 11 Tf 0 g) /MK << /BC [0 0 0] >> "
            f"/AP << /N {field2_ap} 0 R >> >>",
        )
    pdf.set(pages_n, f"<< /Type /Pages /Kids [{' '.join(f'{k} 0 R' for k in kids)}] /Count {len(kids)} >>")
    pdf.set(
        acroform,
        f"<< /Fields [{' '.join(f'{w} 0 R' for w in widgets)}] /DA (/Helv 0 Tf 0 g) /DR << /Font << /Helv {helv} 0 R >> >> >>",
    )
    pdf.set(
        info,
        "<< /Title (Decision 1234/QD-UBND) /Author (Hai Chau Ward People's Committee) "
        "/Producer (results-vault tests/pades/make_pdfs.py) /CreationDate (D:20261101100000Z) "
        "/ModDate (D:20261101100000Z) >>",
    )
    pdf.set(catalog, f"<< /Type /Catalog /Pages {pages_n} 0 R /AcroForm {acroform} 0 R /Lang (en) >>")
    return pdf.write(catalog, info, xref_stream=xref_stream)


# ---------------------------------------------------------------------------
# Signing and incremental updates (pyHanko)
# ---------------------------------------------------------------------------


class FixturePdfSigner(signers.PdfSigner):
    """PdfSigner with two test-only knobs: a fixed signing time (the /M entry, and the
    signingTime attribute of adbe.pkcs7.detached), and signing in spite of a P=1
    certification (which pyHanko rightly refuses; the fixtures need the forbidden case)."""

    signing_time = None
    ignore_docmdp = False

    def init_signing_session(self, pdf_out, existing_fields_only=False):
        session = super().init_signing_session(pdf_out, existing_fields_only)
        if self.signing_time is not None:
            session.system_time = self.signing_time
        return session

    def _enforce_certification_constraints(self, reader):
        if not self.ignore_docmdp:
            super()._enforce_certification_constraints(reader)


def sign(
    src,
    keys,
    role,
    field,
    subfilter=PADES,
    pss=False,
    certify=None,
    visible=False,
    signing_time=None,
    ignore_docmdp=False,
    lock=None,
    lock_p=None,
):
    """Signs `src` (bytes) as an incremental update; returns the new file's bytes.
    `lock`: a FieldMDPSpec for the new signature field; pyHanko writes it both as the
    field's /Lock dictionary and as a /FieldMDP transform in the signature's /Reference.
    `lock_p`: an MDPPerm written as /P of that /Lock (PDF 2.0, ISO 32000-2 12.7.5.5): the
    changes permitted to the whole document after this signature."""
    digest = ROLES[role][1]
    meta = signers.PdfSignatureMetadata(
        field_name=field,
        md_algorithm=digest,
        subfilter=subfilter,
        certify=certify is not None,
        docmdp_permissions=certify or MDPPerm.FILL_FORMS,
        reason="Approval of the administrative result" if certify is None else "Issuance of the result",
        location="Da Nang",
    )
    spec = SigFieldSpec(
        sig_field_name=field,
        on_page=0,
        box=(72, 60, 300, 130) if visible else None,
        field_mdp_spec=lock,
        doc_mdp_update_value=lock_p,
    )
    pdf_signer = FixturePdfSigner(meta, keys.signer(role, pss=pss), new_field_spec=spec)
    pdf_signer.signing_time = signing_time
    pdf_signer.ignore_docmdp = ignore_docmdp
    w = IncrementalPdfFileWriter(io.BytesIO(src))
    out = io.BytesIO()
    pdf_signer.sign_pdf(w, output=out)
    return out.getvalue()


def fill_form(src, value=FIELD_VALUE, name=FIELD_NAME):
    """Fills the text field `name`: a new /V and a new normal appearance, as a viewer does."""
    w = IncrementalPdfFileWriter(io.BytesIO(src))
    acroform = w.root["/AcroForm"]
    helv = acroform["/DR"]["/Font"].raw_get("/Helv")
    for field_ref in acroform["/Fields"]:
        field = field_ref.get_object()
        if field.get("/T") == name:
            break
    else:
        raise RuntimeError("no text field")
    field["/V"] = generic.TextStringObject(value)
    x1, y1, x2, y2 = (float(v) for v in field["/Rect"])
    ap = generic.StreamObject(
        {
            pdf_name("/Type"): pdf_name("/XObject"),
            pdf_name("/Subtype"): pdf_name("/Form"),
            pdf_name("/BBox"): generic.ArrayObject([generic.NumberObject(x) for x in (0, 0, round(x2 - x1), round(y2 - y1))]),
            pdf_name("/Resources"): generic.DictionaryObject(
                {pdf_name("/Font"): generic.DictionaryObject({pdf_name("/Helv"): helv})}
            ),
        },
        stream_data=("/Tx BMC\nq BT /Helv 11 Tf 0 g 2 6 Td %s Tj ET Q\nEMC\n" % pdf_string(value)).encode(),
    )
    field["/AP"] = generic.DictionaryObject({pdf_name("/N"): w.add_object(ap)})
    w.mark_update(field_ref)
    out = io.BytesIO()
    w.write(out)
    return out.getvalue()


def add_comment(src, page=1):
    """Adds a sticky-note comment (/Text annotation) to page `page` (0-based)."""
    w = IncrementalPdfFileWriter(io.BytesIO(src))
    _, page_ref = _page(w, page)
    annot = generic.DictionaryObject(
        {
            pdf_name("/Type"): pdf_name("/Annot"),
            pdf_name("/Subtype"): pdf_name("/Text"),
            pdf_name("/Rect"): generic.ArrayObject([generic.NumberObject(x) for x in (500, 700, 520, 720)]),
            pdf_name("/Contents"): generic.TextStringObject("Checked against the paper dossier."),
            pdf_name("/T"): generic.TextStringObject("Reviewer"),
            pdf_name("/M"): generic.pdf_date(datetime.now(timezone.utc)),
            pdf_name("/Name"): pdf_name("/Comment"),
            pdf_name("/F"): generic.NumberObject(4),
            pdf_name("/P"): page_ref,
        }
    )
    w.register_annotation(page_ref, w.add_object(annot))
    out = io.BytesIO()
    w.write(out)
    return out.getvalue()


def _page(w, index):
    page_ref, _ = w.find_page_for_modification(index)
    return page_ref.get_object(), page_ref


def change_page_content(src, page=1):
    """Rewrites the content stream of page `page` in place (same object number): the fee
    in Article 2 becomes 9,500,000 VND."""
    w = IncrementalPdfFileWriter(io.BytesIO(src))
    page_obj, _ = _page(w, page)
    content_ref = page_obj.raw_get("/Contents")
    stream = content_ref.get_object()
    data = stream.data
    changed = data.replace(b"1,500,000", b"9,500,000")
    if changed == data:
        raise RuntimeError("page has no fee to change")
    stream.strip_filters()
    stream._data = changed  # noqa: SLF001 (pyHanko has no public setter)
    stream._encoded_data = None
    stream.compress()
    w.mark_update(content_ref)
    out = io.BytesIO()
    w.write(out)
    return out.getvalue()


def add_page(src):
    """Appends a page (an annex) to the page tree."""
    w = IncrementalPdfFileWriter(io.BytesIO(src))
    first, _ = _page(w, 0)
    fonts = first["/Resources"]["/Font"]
    content = generic.StreamObject(
        stream_data=b"BT /F1 12 Tf 72 770 Td (Annex added after signing.) Tj ET\n",
    )
    content.compress()
    page = generic.DictionaryObject(
        {
            pdf_name("/Type"): pdf_name("/Page"),
            pdf_name("/MediaBox"): generic.ArrayObject([generic.NumberObject(x) for x in (0, 0, 595, 842)]),
            pdf_name("/Resources"): generic.DictionaryObject({pdf_name("/Font"): fonts}),
            pdf_name("/Contents"): w.add_object(content),
        }
    )
    w.insert_page(page)
    out = io.BytesIO()
    w.write(out)
    return out.getvalue()


def add_dss(src, keys):
    """Adds a DSS (certificates and the CRL of every signature) in an incremental update."""
    r = PdfFileReader(io.BytesIO(src))
    vc = ValidationContext(
        trust_roots=[load_cert(keys.root)],
        crls=keys.crls(),
        allow_fetching=False,
        revocation_mode="require",
    )
    out = io.BytesIO(src)
    for emb in r.embedded_regular_signatures:
        r2 = PdfFileReader(io.BytesIO(out.getvalue()))
        emb2 = [e for e in r2.embedded_regular_signatures if e.field_name == emb.field_name][0]
        out = add_validation_info(emb2, vc, output=io.BytesIO())
    return out.getvalue()


def add_doc_timestamp(src, keys):
    """Appends a document timestamp (/DocTimeStamp, ETSI.RFC3161) made by an in-process
    TSA (pyHanko's DummyTimeStamper with the fixture TSA certificate): no network."""
    tsa_key, tsa_cert = keys.files("tsa")
    stamper = timestamps.DummyTimeStamper(
        tsa_cert=load_cert(tsa_cert),
        tsa_key=load_key(tsa_key),
        certs_to_embed=[load_cert(keys.root)],
    )
    w = IncrementalPdfFileWriter(io.BytesIO(src))
    out = io.BytesIO()
    signers.PdfTimeStamper(stamper, field_name="DocTimeStamp1").timestamp_pdf(w, "sha256", output=out)
    return out.getvalue()


# ---------------------------------------------------------------------------
# Expectations (what a correct validator concludes), recorded in manifest.json
# ---------------------------------------------------------------------------

LEVELS = ["NONE", "LTA_UPDATES", "FORM_FILLING", "ANNOTATIONS", "OTHER"]


def expect(
    whole=True,
    level="NONE",
    docmdp=None,
    trusted=True,
    revoked=False,
    expired=False,
    locked_field_changed=False,
    lock_p=None,
):
    """`docmdp`: the P value of the document's certification signature (None: none).
    A DocMDP violation is a later change beyond what P allows (P=1: LTA updates only,
    P=2: + form filling and signing, P=3: + annotations). OTHER changes are never
    permitted. `locked_field_changed`: a later update changed a form field that this
    signature's FieldMDP lock (ISO 32000-1 12.8.2.4) names: not permitted either,
    though it is no DocMDP violation. `lock_p`: the /P of this signature's field lock (PDF
    2.0): later changes beyond what that P allows are not permitted either."""
    allowed = {None: "ANNOTATIONS", 1: "LTA_UPDATES", 2: "FORM_FILLING", 3: "ANNOTATIONS"}[docmdp]
    violation = docmdp is not None and LEVELS.index(level) > LEVELS.index(allowed)
    lock_violation = lock_p is not None and LEVELS.index(level) > LEVELS.index(
        {1: "LTA_UPDATES", 2: "FORM_FILLING", 3: "ANNOTATIONS"}[lock_p]
    )
    permitted = level != "OTHER" and not violation and not locked_field_changed and not lock_violation
    return {
        "intact": True,
        "valid": True,
        "trusted": trusted,
        "revoked": revoked,
        "expired": expired,
        "covers_whole_file": whole,
        "coverage": "ENTIRE_FILE" if whole else "ENTIRE_REVISION",
        "modification_level": level,
        "docmdp_violation": violation,
        "modification_permitted": permitted,
        "bottom_line": trusted and permitted,
    }


PYHANKO_NO_ANNOTATIONS = {
    "modification_level": "OTHER",
    "modification_permitted": False,
    "bottom_line": False,
    "note": "pyHanko 0.38.0's StandardDiffPolicy does not implement the ANNOTATIONS level: "
    "any new annotation that is not a form field widget is an unexplained change (OTHER)",
}


PYHANKO_LOCKED_FIELD = {
    "modification_level": "OTHER",
    "modification_permitted": False,
    "bottom_line": False,
    "note": "pyHanko 0.38.0 rejects the change of a locked field with a SuspiciousModification "
    f"('Update of ... is not allowed because the form field {FIELD_NAME} is locked.'), which it "
    "reports as modification level OTHER; the change itself is form filling (and rightly not permitted)",
}

PYHANKO_LOCK_UNCHANGED_AP = {
    "modification_level": "OTHER",
    "modification_permitted": False,
    "bottom_line": False,
    "note": "pyHanko 0.38.0 false positive: after a signature that locks a field whose appearance "
    "stream was written before the signed revision, any later form update is rejected ('Update of "
    f"<that appearance stream> is not allowed because the form field {FIELD_NAME} is locked.') "
    "although that field and its /AP are unchanged. "
    "_allow_in_place_appearance_update (diff_analysis/rules/form_field_rules.py) whitelists the "
    "unchanged /AP /N stream of every field unless its last change is exactly the signed revision "
    "(== rather than <=), and the policy refuses any whitelisted update of a locked field",
}


SUBJECTS = {}  # role -> subject of its certificate, filled in by main()


def sig(field, role, key_type, subfilter, exp, kind="approval", docmdp=None, pyhanko=None, lock=None, lock_p=None):
    """`lock`: the FieldMDPSpec of the signature's field (its /Lock and /FieldMDP transform);
    `lock_p`: the /P of that lock (PDF 2.0), which pyHanko reports as the signature's docmdp."""
    entry = {
        "field": field,
        "kind": kind,
        "signer": role,
        "signer_subject": SUBJECTS[role],
        "key_type": key_type,
        "subfilter": subfilter if isinstance(subfilter, str) else SUBFILTER_NAME[subfilter],
        "docmdp": docmdp,
        "lock_p": lock_p,
        "fieldmdp": None
        if lock is None
        else {"action": lock.action.value[1:], "fields": [str(f) for f in lock.fields or ()]},
        "expect": exp,
    }
    if pyhanko:
        entry["pyhanko_differs"] = pyhanko
    return entry


# ---------------------------------------------------------------------------


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    outdir, keydir = sys.argv[1:3]
    os.makedirs(outdir, exist_ok=True)
    keys = Keys(keydir)
    for role in ROLES:
        SUBJECTS[role] = keys.cert(role).subject.human_friendly
    manifest = []

    def emit(name, data, description, signatures):
        with open(os.path.join(outdir, name), "wb") as f:
            f.write(data)
        entry = {"file": name, "description": description, "size": len(data), "signatures": signatures}
        if signatures:
            first = signatures[0]
            entry.update(
                signer=first["signer"],
                key_type=first["key_type"],
                subfilter=first["subfilter"],
                expect=first["expect"],
            )
        else:
            entry.update(signer=None, key_type=None, subfilter=None, expect=None)
        manifest.append(entry)
        return data

    base = emit("base.pdf", make_base(), "Unsigned base: PDF 1.7, 4 pages of Helvetica text, a "
                "197 KB noise image, an AcroForm text field 'applicant_name'; classic xref table.", [])
    base_xs = emit("base-xrefstream.pdf", make_base(xref_stream=True), "The same document written with an "
                   "object stream and a cross-reference stream (PDF 1.5+ style).", [])

    # 1. key types x subfilters: one approval signature covering the whole file
    matrix = [
        ("rsa-pkcs1v15-sha256", "rsa", False),
        ("rsa-pss-sha256", "rsa", True),
        ("ecdsa-p256-sha256", "ecdsa-p256", False),
        ("ecdsa-p384-sha384", "ecdsa-p384", False),
        ("ed25519-sha512", "ed25519", False),
    ]
    for label, role, pss in matrix:
        for subfilter, tag in ((PADES, "pades"), (PKCS7, "pkcs7")):
            data = sign(base, keys, role, "Signature1", subfilter=subfilter, pss=pss)
            emit(
                f"{tag}-{label}.pdf",
                data,
                f"One approval signature, {label}, /SubFilter /{SUBFILTER_NAME[subfilter]}"
                + (" (PAdES B-B)" if subfilter == PADES else "")
                + (f"; RSASSA-PSS, MGF1-SHA-256, salt length {pss_salt(keys)} (pyHanko's maximum)" if pss else ""),
                [sig("Signature1", role, label, subfilter, expect())],
            )

    rsa = "rsa-pkcs1v15-sha256"
    p256 = "ecdsa-p256-sha256"
    signed = sign(base, keys, "rsa", "Signature1", visible=True)

    # xref-stream base, signed
    emit(
        "pades-xrefstream.pdf",
        sign(base_xs, keys, "rsa", "Signature1", visible=True),
        "base-xrefstream.pdf with one visible PAdES signature (the update has an xref stream too)",
        [sig("Signature1", "rsa", rsa, PADES, expect())],
    )

    # 2. signed twice
    emit(
        "signed-twice.pdf",
        sign(signed, keys, "ecdsa-p256", "Signature2"),
        "Two approval signatures by two signers: RSA (visible, revision 2) then ECDSA P-256 "
        "(revision 3, incremental). The first covers its revision; the second adds a signature field.",
        [
            sig("Signature1", "rsa", rsa, PADES, expect(whole=False, level="FORM_FILLING")),
            sig("Signature2", "ecdsa-p256", p256, PADES, expect()),
        ],
    )

    # 3. certification (DocMDP) with P=1, 2, 3 and later updates
    perms = {1: MDPPerm.NO_CHANGES, 2: MDPPerm.FILL_FORMS, 3: MDPPerm.ANNOTATE}
    certified_by_p = {}
    for p, perm in perms.items():
        cert_field = "Certification"
        certified = certified_by_p[p] = sign(base, keys, "rsa", cert_field, certify=perm, visible=True)
        emit(
            f"certified-p{p}.pdf",
            certified,
            f"Certification signature with DocMDP P={p}, nothing after it",
            [sig(cert_field, "rsa", rsa, PADES, expect(docmdp=p), kind="certification", docmdp=p)],
        )
        emit(
            f"certified-p{p}-formfill.pdf",
            fill_form(certified),
            f"Certified P={p}, then an incremental update that fills the text field (/V and /AP)",
            [
                sig(
                    cert_field,
                    "rsa",
                    rsa,
                    PADES,
                    expect(whole=False, level="FORM_FILLING", docmdp=p),
                    kind="certification",
                    docmdp=p,
                )
            ],
        )
        emit(
            f"certified-p{p}-annotation.pdf",
            add_comment(certified),
            f"Certified P={p}, then an incremental update that adds a comment (/Text annotation) to page 2",
            [
                sig(
                    cert_field,
                    "rsa",
                    rsa,
                    PADES,
                    expect(whole=False, level="ANNOTATIONS", docmdp=p),
                    kind="certification",
                    docmdp=p,
                    pyhanko=PYHANKO_NO_ANNOTATIONS,
                )
            ],
        )
        emit(
            f"certified-p{p}-approval.pdf",
            sign(certified, keys, "ecdsa-p256", "Approval", ignore_docmdp=(p == 1)),
            f"Certified P={p}, then a second (approval) signature by another signer in a new field"
            + (" (pyHanko refuses this for P=1; the fixture overrides that check)" if p == 1 else ""),
            [
                sig(
                    cert_field,
                    "rsa",
                    rsa,
                    PADES,
                    expect(whole=False, level="FORM_FILLING", docmdp=p),
                    kind="certification",
                    docmdp=p,
                ),
                # the approval signature covers the whole file; a validator must still
                # report the certification's violation under P=1 (on the certification)
                sig("Approval", "ecdsa-p256", p256, PADES, expect()),
            ],
        )
    emit(
        "certified-p1-dss.pdf",
        add_dss(certified_by_p[1], keys),
        "Certified P=1, then a DSS update (LTV data): permitted even under P=1",
        [
            sig(
                "Certification",
                "rsa",
                rsa,
                PADES,
                expect(whole=False, level="LTA_UPDATES", docmdp=1),
                kind="certification",
                docmdp=1,
            )
        ],
    )

    # 4. approval signature, then later updates
    emit(
        "signed-then-content-changed.pdf",
        change_page_content(signed),
        "Signed, then an incremental update that rewrites page 2's content stream (same object "
        "number; the fee 1,500,000 becomes 9,500,000): forbidden",
        [sig("Signature1", "rsa", rsa, PADES, expect(whole=False, level="OTHER"))],
    )
    emit(
        "signed-then-page-added.pdf",
        add_page(signed),
        "Signed, then an incremental update that appends a fifth page: forbidden",
        [sig("Signature1", "rsa", rsa, PADES, expect(whole=False, level="OTHER"))],
    )
    emit(
        "signed-then-dss.pdf",
        add_dss(signed, keys),
        "Signed, then an incremental update adding only a /DSS (certificates, CRL, VRI): LTV data",
        [sig("Signature1", "rsa", rsa, PADES, expect(whole=False, level="LTA_UPDATES"))],
    )
    emit(
        "signed-then-doctimestamp.pdf",
        add_doc_timestamp(signed, keys),
        "Signed, then a document timestamp (/DocTimeStamp, ETSI.RFC3161) by an in-process TSA "
        "whose certificate the root issued",
        [
            sig("Signature1", "rsa", rsa, PADES, expect(whole=False, level="LTA_UPDATES")),
            sig("DocTimeStamp1", "tsa", rsa, "ETSI.RFC3161", expect(), kind="timestamp"),
        ],
    )

    # 5. FieldMDP: an approval signature whose new field locks one text field
    # (ISO 32000-1 12.8.2.4; /Lock on the field, /FieldMDP transform in /Reference)
    lock = FieldMDPSpec(action=FieldMDPAction.INCLUDE, fields=[FIELD_NAME])
    two_fields = fill_form(make_base(second_field=True))
    locked = sign(two_fields, keys, "rsa", "Signature1", visible=True, lock=lock)
    emit(
        "fieldmdp-locked-field-filled.pdf",
        fill_form(locked, value="Tran Thi Binh"),
        f"A base with two text fields, '{FIELD_NAME}' filled ('{FIELD_VALUE}'), then an approval "
        f"signature whose new field locks '{FIELD_NAME}' (FieldMDP /Include, as /Lock and as the "
        f"/FieldMDP transform), then an incremental update that changes '{FIELD_NAME}' to "
        "'Tran Thi Binh' (/V and /AP): form filling, but of a locked field: not permitted",
        [
            sig(
                "Signature1",
                "rsa",
                rsa,
                PADES,
                expect(whole=False, level="FORM_FILLING", locked_field_changed=True),
                pyhanko=PYHANKO_LOCKED_FIELD,
                lock=lock,
            )
        ],
    )
    # PDF 2.0: the lock also sets /P 1 (no changes to the document after this signature)
    locked_p1 = sign(two_fields, keys, "rsa", "Signature1", visible=True, lock=lock, lock_p=MDPPerm.NO_CHANGES)
    emit(
        "fieldmdp-lock-p1-other-field-filled.pdf",
        fill_form(locked_p1, value=FIELD2_VALUE, name=FIELD2_NAME),
        f"As fieldmdp-other-field-filled.pdf, but the signature's /Lock also carries /P 1 (PDF 2.0, "
        f"ISO 32000-2 12.7.5.5: no changes after this signature); the update fills '{FIELD2_NAME}': "
        "form filling, which that P does not permit",
        [
            sig(
                "Signature1",
                "rsa",
                rsa,
                PADES,
                expect(whole=False, level="FORM_FILLING", lock_p=1),
                pyhanko=PYHANKO_LOCK_UNCHANGED_AP,
                lock=lock,
                lock_p=1,
            )
        ],
    )
    emit(
        "fieldmdp-other-field-filled.pdf",
        fill_form(locked, value=FIELD2_VALUE, name=FIELD2_NAME),
        f"The same signed revision (the lock names only '{FIELD_NAME}'), then an incremental update "
        f"that fills the other text field '{FIELD2_NAME}' ('{FIELD2_VALUE}'): permitted form filling",
        [
            sig(
                "Signature1",
                "rsa",
                rsa,
                PADES,
                expect(whole=False, level="FORM_FILLING"),
                pyhanko=PYHANKO_LOCK_UNCHANGED_AP,
                lock=lock,
            )
        ],
    )

    # 6. signers with certificate trouble
    revoked_at = revocation_date(keys, keys.cert("revoked"))
    if revoked_at is None or revoked_at >= datetime.now(timezone.utc):
        raise RuntimeError("the CRL must list the revoked signer with a past revocation date")
    emit(
        "pades-revoked-signer.pdf",
        sign(base, keys, "revoked", "Signature1"),
        f"Signed now by a signer the CRL lists as revoked on {revoked_at:%Y-%m-%dT%H:%M:%SZ}, before signing",
        [sig("Signature1", "revoked", p256, PADES, expect(trusted=False, revoked=True))],
    )
    expired_cert = keys.cert("expired")
    nb = expired_cert["tbs_certificate"]["validity"]["not_before"].native
    na = expired_cert["tbs_certificate"]["validity"]["not_after"].native
    if na >= datetime.now(timezone.utc):
        raise RuntimeError("the expired signer's certificate has not expired")
    signing_time = (nb + (na - nb) / 2).replace(microsecond=0)
    emit(
        "pkcs7-expired-signer.pdf",
        sign(base, keys, "expired", "Signature1", subfilter=PKCS7, signing_time=signing_time),
        f"Signed by a signer whose certificate expired on {na:%Y-%m-%dT%H:%M:%SZ}; the claimed signing time "
        f"({signing_time.strftime('%Y-%m-%dT%H:%M:%SZ')}, in /M and the signingTime attribute) is inside "
        "its validity, but there is no timestamp (no proof of existence), so validation now fails",
        [sig("Signature1", "expired", p256, PKCS7, expect(trusted=False, expired=True))],
    )

    with open(os.path.join(outdir, "manifest.json"), "w") as f:
        f.write("[\n")
        f.write(",\n".join(json.dumps(e, sort_keys=True) for e in manifest))
        f.write("\n]\n")


if __name__ == "__main__":
    main()
