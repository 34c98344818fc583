#!/usr/bin/env python3
"""Hostile incremental updates to signed PDFs: the acceptance suite of the verifier's
change analysis (src/pdf/changes.rs). See README.md, "make_attacks.py".

Usage: make_attacks.py OUTDIR KEYDIR

Run it with the python of the pyHanko virtualenv (pyhanko==0.38.0), as
tests/pdf_change_attacks.rs does; KEYDIR is the PKI of tests/common/pades.rs (keys.json:
the `rsa`, `ecdsa-p256` and `tsa` roles are used). Writes every PDF to OUTDIR and
OUTDIR/attacks.json: a JSON array, one object per file:

  file, class (1, 2, 3, 4, 6 or "honest"), variant, base,
  expect_default / expect_iso ("PASSED" | "NOT_PASSED": the overall indication under the
  default (strict) change policy and under the ISO 32000 one),
  reason (a substring, compared case-insensitively, expected in some signature's
  changes_after_signing or verdict.detail when the expectation is NOT_PASSED; may be empty),
  signatures (how many signatures and document timestamps the verdict must list; null: not
  checked)

Bases are written by hand (prepared by the attacker where the class needs it), signed by
pyHanko, and the attacks appended as raw incremental updates (new objects, an xref table or
stream, a trailer with /Prev, /Size, /Root, /Info and the same /ID, startxref, %%EOF).
"""

import asyncio
import hashlib
import io
import json
import logging
import os
import re
import sys
import zlib

sys.dont_write_bytecode = True  # no __pycache__ next to the sources
logging.getLogger("pyhanko").setLevel(logging.ERROR)
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import make_pdfs  # noqa: E402
from make_pdfs import (  # noqa: E402
    MDPPerm,
    PADES,
    PKCS7,
    FixturePdfSigner,
    Keys,
    add_doc_timestamp,
    add_dss,
    fill_form,
    page_text,
    pdf_string,
)
from pyhanko.pdf_utils import generic  # noqa: E402
from pyhanko.pdf_utils.generic import pdf_name  # noqa: E402
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter  # noqa: E402
from pyhanko.pdf_utils.reader import PdfFileReader  # noqa: E402
from pyhanko.sign import signers  # noqa: E402
from pyhanko.sign.fields import SigFieldSpec  # noqa: E402

PASSED, NOT = "PASSED", "NOT_PASSED"
SF_TAG = {PADES: "pades", PKCS7: "pkcs7"}
SF_NAME = {PADES: "ETSI.CAdES.detached", PKCS7: "adbe.pkcs7.detached"}
MODES = ["p1", "p2", "p3", "approval"]
PERMS = {"p1": MDPPerm.NO_CHANGES, "p2": MDPPerm.FILL_FORMS, "p3": MDPPerm.ANNOTATE, "approval": None}

# What the attacker wants shown: a fee of 900,000,000 VND instead of 1,500,000.
FAKE = "SO TIEN: 900.000.000 VND"
# Draws an opaque white box over the whole page and the fake amount on it (a page overlay).
OVERLAY = (
    "q 1 1 1 rg 0 0 595 842 re f Q\n"
    "BT /F1 24 Tf 0 0 0 rg 72 600 Td (%s) Tj ET\n" % FAKE
).encode()
# Covers Article 2's line (the fee) with a white box and writes the fake amount on it.
PATCH = ("q 1 1 1 rg 60 380 480 200 re f Q\nBT /F1 16 Tf 0 0 0 rg 72 480 Td (%s) Tj ET\n" % FAKE).encode()

# ---------------------------------------------------------------------------
# The base, written by hand with the attacker's preparations
# ---------------------------------------------------------------------------

# Fixed object numbers of the base (the attacks refer to them).
CATALOG, PAGES, ACROFORM, INFO, HELV, HELVB = 1, 2, 3, 4, 5, 6
CONTENT1, PAGE1, FIELD, FIELD_AP, CONTENT2, PAGE2, XMP, IMAGE = 7, 8, 9, 10, 11, 12, 13, 14
SPARE = 15  # free in the xref, or a harmless dictionary (the generation variant)
WITNESS = 16  # an empty signature field (the class 3 base), widget on page 2
WITNESS_AP = 17
UNDEF = 99  # far beyond /Size: never defined before the attack

XMP_DATA = b"""<?xpacket begin="\xef\xbb\xbf" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/">
<dc:title><rdf:Alt><rdf:li xml:lang="x-default">Decision 1234/QD-UBND</rdf:li></rdf:Alt></dc:title>
</rdf:Description></rdf:RDF></x:xmpmeta>
<?xpacket end="w"?>"""


def stream(dict_body, data, compress=False):
    if compress:
        data = zlib.compress(data, 9)
        dict_body += " /Filter /FlateDecode"
    return ("stream", f"<< {dict_body} /Length {len(data)} >>".encode(), data)


def body_bytes(body):
    if isinstance(body, tuple):
        _, d, data = body
        return d + b"\nstream\n" + data + b"\nendstream"
    return body.encode("latin-1") if isinstance(body, str) else body


class Base:
    """The unsigned base: 2 pages of text (page 1: the applicant field and a small image),
    an AcroForm text field, /Info, an XMP /Metadata stream, an /ID. `prep` overrides parts
    (see make_base)."""

    def __init__(self):
        self.objects = {}  # num -> (gen, body)
        self.free = {}  # num -> generation of an explicit free entry

    def set(self, num, body, gen=0):
        self.objects[num] = (gen, body)

    def write(self, xref_stream, info_ref, tag):
        out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
        doc_id = hashlib.md5(b"results-vault change attack base " + tag.encode()).hexdigest()
        size = max(list(self.objects) + list(self.free)) + 1
        offsets, in_objstm = {}, {}
        items = sorted(self.objects.items())
        if xref_stream:
            packed = [n for n, (g, b) in items if isinstance(b, str) and n != CATALOG and g == 0]
            objstm_n, size = size, size + 1
            header, data = [], bytearray()
            for i, n in enumerate(packed):
                header.append(f"{n} {len(data)}")
                data += self.objects[n][1].encode("latin-1") + b"\n"
                in_objstm[n] = (objstm_n, i)
            head = (" ".join(header) + "\n").encode()
            items = [(n, gb) for n, gb in items if n not in in_objstm]
            items.append((objstm_n, (0, stream(f"/Type /ObjStm /N {len(packed)} /First {len(head)}", head + bytes(data), True))))
        for n, (g, body) in items:
            offsets[n] = len(out)
            out += f"{n} {g} obj\n".encode() + body_bytes(body) + b"\nendobj\n"
        trailer = f"/Root {CATALOG} 0 R /Info {info_ref} /ID [<{doc_id}> <{doc_id}>]"
        if not xref_stream:
            xref_at = len(out)
            out += f"xref\n0 {size}\n".encode()
            for n in range(size):
                if n in offsets:
                    out += f"{offsets[n]:010d} {self.objects[n][0]:05d} n\r\n".encode()
                else:
                    out += f"0000000000 {self.free.get(n, 65535 if n == 0 else 0):05d} f\r\n".encode()
            out += f"trailer\n<< /Size {size} {trailer} >>\nstartxref\n{xref_at}\n%%EOF\n".encode()
            return bytes(out)
        xref_n, size = size, size + 1
        xref_at = offsets[xref_n] = len(out)
        rows = bytearray()
        for n in range(size):
            if n in in_objstm:
                s, i = in_objstm[n]
                rows += b"\x02" + s.to_bytes(4, "big") + i.to_bytes(2, "big")
            elif n in offsets:
                rows += b"\x01" + offsets[n].to_bytes(4, "big") + self.objects.get(n, (0,))[0].to_bytes(2, "big")
            else:
                rows += b"\x00" + b"\x00" * 4 + self.free.get(n, 65535 if n == 0 else 0).to_bytes(2, "big")
        data = zlib.compress(bytes(rows), 9)
        out += f"{xref_n} 0 obj\n<< /Type /XRef /Size {size} {trailer} /W [1 4 2] /Filter /FlateDecode /Length {len(data)} >>\nstream\n".encode()
        out += data + b"\nendstream\nendobj\n"
        out += f"startxref\n{xref_at}\n%%EOF\n".encode()
        return bytes(out)


def make_base(xref_stream=False, **prep):
    """Keys of `prep` (strings of PDF syntax unless said):
    contents1 (page 1's /Contents), xobjects1 (page 1's /XObject entries), fonts1,
    extra_ops1 (bytes appended to page 1's content), annots1, annots2, fields, catalog_extra,
    info (the trailer's /Info), kids, count, dss (the catalog's /DSS, direct),
    metadata (the catalog's /Metadata), spare ("free": object SPARE is a free xref entry;
    "dict": a harmless dictionary), witness (True: an empty signature field on page 2)."""
    b = Base()
    p = dict(
        contents1=f"{CONTENT1} 0 R",
        xobjects1=f"/Im1 {IMAGE} 0 R",
        fonts1=f"/F1 {HELV} 0 R /F2 {HELVB} 0 R",
        extra_ops1=b"",
        annots1=f"{FIELD} 0 R",
        annots2="",
        fields=f"{FIELD} 0 R",
        catalog_extra="",
        info=f"{INFO} 0 R",
        kids=f"{PAGE1} 0 R {PAGE2} 0 R",
        count="2",
        dss=None,
        metadata=f"{XMP} 0 R",
        spare="free",
        witness=False,
    )
    unknown = set(prep) - set(p)
    if unknown:
        raise ValueError(f"unknown preparation {unknown}")
    p.update(prep)
    if p["witness"]:
        p["fields"] += f" {WITNESS} 0 R"
        p["annots2"] += f" {WITNESS} 0 R"
        b.set(WITNESS, f"<< /Type /Annot /Subtype /Widget /FT /Sig /T (Witness) /Rect [72 60 300 130] /F 4 "
              f"/P {PAGE2} 0 R /AP << /N {WITNESS_AP} 0 R >> >>")
        b.set(WITNESS_AP, stream("/Type /XObject /Subtype /Form /BBox [0 0 228 70]", b""))
    b.set(HELV, "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>")
    b.set(HELVB, "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>")
    b.set(IMAGE, stream("/Type /XObject /Subtype /Image /Width 8 /Height 8 /ColorSpace /DeviceGray /BitsPerComponent 8",
                        bytes(range(0, 256, 4)), True))
    b.set(CONTENT1, stream("", page_text(1, 2) + b"\n" + p["extra_ops1"], True))
    b.set(CONTENT2, stream("", page_text(2, 2), True))
    resources = lambda fonts, xo: f"/Resources << /Font << {fonts} >> /XObject << {xo} >> /ProcSet [/PDF /Text /ImageC] >>"
    annots = lambda a: f" /Annots [{a.strip()}]" if a.strip() else ""
    b.set(PAGE1, f"<< /Type /Page /Parent {PAGES} 0 R /MediaBox [0 0 595 842] {resources(p['fonts1'], p['xobjects1'])} "
          f"/Contents {p['contents1']}{annots(p['annots1'])} >>")
    b.set(PAGE2, f"<< /Type /Page /Parent {PAGES} 0 R /MediaBox [0 0 595 842] "
          f"{resources(f'/F1 {HELV} 0 R /F2 {HELVB} 0 R', '')} /Contents {CONTENT2} 0 R{annots(p['annots2'])} >>")
    b.set(FIELD, f"<< /Type /Annot /Subtype /Widget /FT /Tx /T {pdf_string(make_pdfs.FIELD_NAME)} "
          f"/Rect [140 160 400 180] /F 4 /P {PAGE1} 0 R /DA (/Helv 11 Tf 0 g) /MK << /BC [0 0 0] >> /AP << /N {FIELD_AP} 0 R >> >>")
    b.set(FIELD_AP, stream(f"/Type /XObject /Subtype /Form /BBox [0 0 260 20] /Resources << /Font << /Helv {HELV} 0 R >> >>", b"/Tx BMC\nEMC\n"))
    b.set(PAGES, f"<< /Type /Pages /Kids [{p['kids']}] /Count {p['count']} >>")
    b.set(ACROFORM, f"<< /Fields [{p['fields'].strip()}] /DA (/Helv 0 Tf 0 g) /DR << /Font << /Helv {HELV} 0 R >> >> >>")
    b.set(INFO, "<< /Title (Decision 1234/QD-UBND) /Author (Hai Chau Ward People's Committee) "
          "/Producer (results-vault tests/pades/make_attacks.py) /CreationDate (D:20261101100000Z) >>")
    b.set(XMP, stream("/Type /Metadata /Subtype /XML", XMP_DATA))
    catalog = f"<< /Type /Catalog /Pages {PAGES} 0 R /AcroForm {ACROFORM} 0 R /Lang (vi)"
    if p["metadata"]:
        catalog += f" /Metadata {p['metadata']}"
    if p["dss"]:
        catalog += f" /DSS {p['dss']}"
    b.set(CATALOG, catalog + " " + p["catalog_extra"] + " >>")
    if p["spare"] == "dict":
        b.set(SPARE, "<< /Note (a spare object) >>")
    elif p["spare"] == "free":
        b.free[SPARE] = 0
    tag = f"{xref_stream} {sorted((k, str(v)) for k, v in prep.items())}"
    return b.write(xref_stream, p["info"], tag)


# ---------------------------------------------------------------------------
# Signing (pyHanko) and raw incremental updates
# ---------------------------------------------------------------------------


def sign(src, keys, role, field, subfilter=PADES, certify=None, visible=True, ignore_docmdp=False, page=0, keep_meta=True):
    """pyHanko signs `src` as an incremental update (as make_pdfs.sign, but lenient reading
    and no metadata update when pyHanko chokes on what the attacker prepared)."""
    meta = signers.PdfSignatureMetadata(
        field_name=field,
        md_algorithm="sha256",
        subfilter=subfilter,
        certify=certify is not None,
        docmdp_permissions=certify or MDPPerm.FILL_FORMS,
        reason="Issuance of the result" if certify else "Approval of the administrative result",
        location="Da Nang",
    )
    spec = SigFieldSpec(sig_field_name=field, on_page=page, box=(72, 60, 300, 130) if visible else None)
    last = None
    for strict in (True, False):
        try:
            pdf_signer = FixturePdfSigner(meta, keys.signer(role), new_field_spec=spec)
            pdf_signer.ignore_docmdp = ignore_docmdp
            w = IncrementalPdfFileWriter(io.BytesIO(src), strict=strict)
            if not keep_meta:
                w._update_meta = lambda: None  # noqa: SLF001
            if not strict:
                # an undefined object in /Fields reads as null, which pyHanko's field lookup
                # calls .get on: let null answer like an empty dictionary while signing
                generic.NullObject.get = lambda self, key, default=None: default
            out = io.BytesIO()
            pdf_signer.sign_pdf(w, output=out)
            return out.getvalue()
        except Exception as e:  # noqa: BLE001
            last = e
        finally:
            if hasattr(generic.NullObject, "get"):
                del generic.NullObject.get
    raise RuntimeError(f"pyHanko cannot sign: {last!r}")


def sign_mode(src, keys, mode, subfilter, keep_meta=True):
    if mode == "approval":
        return sign(src, keys, "rsa", "Signature1", subfilter=subfilter, keep_meta=keep_meta)
    return sign(src, keys, "rsa", "Certification", subfilter=subfilter, certify=PERMS[mode], keep_meta=keep_meta)


class Tail:
    """The last revision of `data` as an update needs it."""

    def __init__(self, data):
        self.data = data
        self.reader = PdfFileReader(io.BytesIO(data), strict=False)
        t = self.reader.trailer
        self.startxref = int(re.findall(rb"startxref\s+(\d+)", data)[-1])
        self.xref_stream = re.match(rb"\s*\d+\s+\d+\s+obj", data[self.startxref:self.startxref + 40]) is not None
        self.size = int(t["/Size"])
        self.root = t.raw_get("/Root")
        self.info = t.raw_get("/Info") if "/Info" in t else None
        self.id = [(x.original_bytes if getattr(x, "original_bytes", None) is not None else bytes(x)).hex()
                   for x in t["/ID"]]
        self.next = self.size

    def new(self):
        n = self.next
        self.next += 1
        return n

    def get(self, num, gen=0):
        return self.reader.get_object(generic.Reference(num, gen))

    def sig_field(self):
        """The reference of the signed signature field (the last one with a /V)."""
        found = None
        for ref in self.reader.root["/AcroForm"].raw_get("/Fields"):
            f = ref.get_object()
            if f.get("/FT") == "/Sig" and "/V" in f:
                found = ref
        return found


def ser(obj):
    s = io.BytesIO()
    obj.write_to_stream(s, None)
    return s.getvalue()


def ref(num, gen=0):
    return f"{num} {gen} R"


def update(tail, objects, info=None, frees=(), compressed=None):
    """Appends an incremental update: `objects` {num or (num, gen): body (str, bytes, a
    stream tuple or a pyHanko object)}; `info`: a new trailer /Info (reference text);
    `frees`: (num, next generation) entries marked free."""
    data = tail.data
    out = bytearray(data)
    if not out.endswith(b"\n"):
        out += b"\n"
    entries = {}  # num -> (type, offset, gen)
    for key, body in sorted(objects.items(), key=lambda kv: kv[0] if isinstance(kv[0], tuple) else (kv[0], 0)):
        num, gen = key if isinstance(key, tuple) else (key, 0)
        if isinstance(body, generic.PdfObject):
            body = ser(body)
        entries[num] = (1, len(out), gen)
        out += f"{num} {gen} obj\n".encode() + body_bytes(body) + b"\nendobj\n"
    for num, gen in frees:
        entries[num] = (0, 0, gen)
    for num, (stm, idx) in (compressed or {}).items():
        assert tail.xref_stream, "compressed objects need an xref stream"
        entries[num] = (2, stm, idx)
    size = max([tail.size, tail.next] + [n + 1 for n in entries])
    root = f"{tail.root.idnum} {tail.root.generation} R"
    info = info or (f"{tail.info.idnum} {tail.info.generation} R" if tail.info is not None else None)
    trailer = f"/Size {{size}} /Root {root}" + (f" /Info {info}" if info else "")
    trailer += f" /ID [<{tail.id[0]}> <{tail.id[1]}>] /Prev {tail.startxref}"
    if not tail.xref_stream:
        xref_at = len(out)
        out += b"xref\n"
        nums = sorted(entries)
        runs, run = [], []
        for n in nums:
            if run and n != run[-1] + 1:
                runs.append(run)
                run = []
            run.append(n)
        if run:
            runs.append(run)
        for run in runs:
            out += f"{run[0]} {len(run)}\n".encode()
            for n in run:
                t, off, gen = entries[n]
                out += f"{off:010d} {gen:05d} {'n' if t == 1 else 'f'}\r\n".encode()
        out += f"trailer\n<< {trailer.format(size=size)} >>\nstartxref\n{xref_at}\n%%EOF\n".encode()
        return bytes(out)
    xref_n = size
    size += 1
    xref_at = len(out)
    entries[xref_n] = (1, xref_at, 0)
    nums = sorted(entries)
    index, rows = [], bytearray()
    for n in nums:
        if index and index[-2] + index[-1] == n:
            index[-1] += 1
        else:
            index += [n, 1]
        t, off, gen = entries[n]
        rows += bytes([t]) + off.to_bytes(4, "big") + gen.to_bytes(2, "big")
    data = zlib.compress(bytes(rows), 9)
    out += (
        f"{xref_n} 0 obj\n<< /Type /XRef {trailer.format(size=size)} /Index [{' '.join(map(str, index))}] "
        f"/W [1 4 2] /Filter /FlateDecode /Length {len(data)} >>\nstream\n"
    ).encode()
    out += data + b"\nendstream\nendobj\n"
    out += f"startxref\n{xref_at}\n%%EOF\n".encode()
    return bytes(out)


def with_entries(obj, **entries):
    """A copy of pyHanko dictionary `obj` with `entries` (raw PDF syntax text) set; returns bytes."""
    d = generic.DictionaryObject()  # references kept as references
    for k in obj.keys():
        if k[1:] not in entries:
            d[k] = obj.raw_get(k)
    text = ser(d)
    extra = " ".join(f"/{k} {v}" for k, v in entries.items() if v is not None).encode()
    return text[:-2].rstrip() + b" " + extra + b" >>"


def raw_array(obj, key):
    """The reference texts of array `key` of dictionary `obj` (resolved if indirect)."""
    a = obj.get(key)
    if a is None:
        return []
    return [f"{x.idnum} {x.generation} R" if isinstance(x, generic.IndirectObject) else ser(x).decode("latin-1")
            for x in a]


def page1(tail):
    return tail.get(PAGE1)


def overlay_form(bbox=(0, 0, 595, 842), ops=OVERLAY):
    return stream(f"/Type /XObject /Subtype /Form /BBox [{' '.join(map(str, bbox))}] "
                  f"/Resources << /Font << /F1 {HELV} 0 R >> >>", ops)


def add_annotation(tail, annot_num, page_num=PAGE1, indirect_array=False):
    """Page `page_num` with `annot_num` appended to its /Annots (bytes)."""
    page = tail.get(page_num)
    annots = raw_array(page, "/Annots") + [ref(annot_num)]
    if indirect_array:
        arr = tail.new()
        return {page_num: with_entries(page, Annots=ref(arr)), arr: "[" + " ".join(annots) + "]"}
    return {page_num: with_entries(page, Annots="[" + " ".join(annots) + "]")}


# ---------------------------------------------------------------------------
# The classes
# ---------------------------------------------------------------------------



def class1_variants():
    """(variant, prep, attack(tail) -> objects) : the signed revision refers to an object it
    does not define; the attack defines it."""
    content = lambda ops=OVERLAY: stream("", ops)

    def define(num, body, gen=0):
        return lambda t: {(num, gen): body}

    def annot_with_ap(t, num=UNDEF):
        ap = t.new()
        return {num: f"<< /Type /Annot /Subtype /FreeText /Rect [0 0 595 842] /F 4 /P {ref(PAGE1)} "
                     f"/Contents ({FAKE}) /DA (/Helv 24 Tf 0 g) /AP << /N {ref(ap)} >> >>",
                ap: overlay_form()}

    def field_widget(t):
        ap = t.new()
        return {UNDEF: f"<< /Type /Annot /Subtype /Widget /FT /Tx /T (fee) /V ({FAKE}) /Rect [0 0 595 842] /F 4 "
                       f"/P {ref(PAGE1)} /DA (/Helv 24 Tf 0 g) /AP << /N {ref(ap)} >> >>",
                ap: overlay_form()}

    def js_action(t):
        return {UNDEF: "<< /Type /Action /S /JavaScript /JS (app.alert\\('Fee: 900.000.000 VND'\\);) >>"}

    def names_tree(t):
        js = t.new()
        return {UNDEF: f"<< /JavaScript << /Names [(fee) {ref(js)}] >> >>",
                js: "<< /S /JavaScript /JS (this.getField\\('applicant_name'\\).value = 'Tran Thi Binh';) >>"}

    def new_page(t):
        c = t.new()
        return {UNDEF: f"<< /Type /Page /Parent {ref(PAGES)} /MediaBox [0 0 595 842] "
                       f"/Resources << /Font << /F1 {ref(HELV)} >> >> /Contents {ref(c)} >>",
                c: content(b"BT /F1 16 Tf 72 770 Td (Annex: the fee is amended to 900.000.000 VND.) Tj ET\n")}

    fee_ops = b"BT /F9 14 Tf 72 140 Td (Fee: 1,500,000 VND) Tj ET\n"
    return [
        ("contents-array-undefined", dict(contents1=f"[{ref(CONTENT1)} {ref(UNDEF)}]"), define(UNDEF, content(PATCH))),
        ("xobject-form-undefined", dict(xobjects1=f"/Im1 {ref(IMAGE)} /X9 {ref(UNDEF)}", extra_ops1=b"q /X9 Do Q\n"),
         define(UNDEF, overlay_form())),
        ("xobject-image-undefined", dict(xobjects1=f"/Im1 {ref(IMAGE)} /X9 {ref(UNDEF)}", extra_ops1=b"q 480 0 0 200 60 380 cm /X9 Do Q\n"),
         define(UNDEF, stream("/Type /XObject /Subtype /Image /Width 1 /Height 1 /ColorSpace /DeviceGray /BitsPerComponent 8", b"\xff"))),
        ("font-undefined", dict(fonts1=f"/F1 {ref(HELV)} /F2 {ref(HELVB)} /F9 {ref(UNDEF)}", extra_ops1=fee_ops),
         define(UNDEF, "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding << /Type /Encoding "
                       "/BaseEncoding /WinAnsiEncoding /Differences [49 /nine 53 /zero] >> >>")),
        ("annots-undefined", dict(annots1=f"{ref(FIELD)} {ref(UNDEF)}"), annot_with_ap),
        ("fields-and-annots-undefined", dict(annots1=f"{ref(FIELD)} {ref(UNDEF)}", fields=f"{ref(FIELD)} {ref(UNDEF)}"), field_widget),
        ("openaction-undefined", dict(catalog_extra=f"/OpenAction {ref(UNDEF)}"), js_action),
        ("names-undefined", dict(catalog_extra=f"/Names {ref(UNDEF)}"), names_tree),
        ("page-kid-undefined", dict(kids=f"{ref(PAGE1)} {ref(PAGE2)} {ref(UNDEF)}", count="3"), new_page),
        ("contents-free-entry", dict(contents1=f"[{ref(CONTENT1)} {ref(SPARE)}]", spare="free"), define(SPARE, content(PATCH))),
        ("contents-other-generation", dict(contents1=f"[{ref(CONTENT1)} {ref(SPARE, 1)}]", spare="dict"),
         define(SPARE, content(PATCH), gen=1)),
    ]


def new_content_page(t, page_num):
    """Page `page_num` rewritten with a new content stream showing the fake amount."""
    c = t.new()
    page = t.get(page_num)
    return {page_num: with_entries(page, Contents=ref(c)),
            c: stream("", page_text(2, 2).replace(b"1,500,000", b"900,000,000"), True)}


def rewrite_content(t, num=CONTENT2):
    return {num: stream("", page_text(2, 2).replace(b"1,500,000", b"900,000,000"), True)}


def class2_variants():
    """(variant, prep, attack, honest): one object with two roles."""
    dss = lambda inner: f"<< {inner} >>"
    vri_key = "A" * 40
    return [
        ("info-is-page", dict(info=ref(PAGE2)), lambda t: new_content_page(t, PAGE2), False),
        ("info-is-content-stream", dict(info=ref(CONTENT2)), rewrite_content, False),
        ("metadata-is-content-stream", dict(metadata=ref(CONTENT2)), rewrite_content, False),
        ("metadata-is-page", dict(metadata=ref(PAGE2)), lambda t: new_content_page(t, PAGE2), False),
        ("dss-certs-is-content-stream", dict(dss=dss(f"/Certs [{ref(CONTENT2)}]")), rewrite_content, False),
        ("dss-crls-is-page", dict(dss=dss(f"/CRLs [{ref(PAGE2)}]")), lambda t: new_content_page(t, PAGE2), False),
        ("dss-ocsps-is-content-stream", dict(dss=dss(f"/OCSPs [{ref(CONTENT2)}]")), rewrite_content, False),
        ("dss-vri-cert-is-content-stream", dict(dss=dss(f"/VRI << /{vri_key} << /Cert [{ref(CONTENT2)}] >> >>")),
         rewrite_content, False),
        ("dss-unknown-key-is-page", dict(dss=dss(f"/Foo {ref(PAGE2)}")), lambda t: new_content_page(t, PAGE2), False),
        ("dss-certs-is-signed-page", dict(dss=dss(f"/Certs [{ref(PAGE1)}]")),
         lambda t: new_content_page(t, PAGE1), False),
        # honest: document information, metadata and validation data rewritten as such
        ("honest-info-new-object", {}, honest_info_new, True),
        ("honest-info-in-place", {}, honest_info_in_place, True),
        ("honest-metadata-new-object", {}, honest_metadata_new, True),
        ("honest-metadata-in-place", {}, lambda t: {XMP: stream("/Type /Metadata /Subtype /XML", XMP_DATA.replace(b"1234", b"1234 (archived)"))}, True),
    ]


def honest_info_new(t):
    n = t.new()
    return {n: "<< /Title (Decision 1234/QD-UBND) /Keywords (archived) /ModDate (D:20261201100000Z) >>"}, ref(n)


def honest_info_in_place(t):
    old = t.get(t.info.idnum, t.info.generation)
    return {t.info.idnum: with_entries(old, Keywords="(archived)", ModDate="(D:20261201100000Z)")}


def honest_metadata_new(t):
    n = t.new()
    root = t.reader.root
    return {n: stream("/Type /Metadata /Subtype /XML", XMP_DATA.replace(b"1234", b"1234 (archived)")),
            t.root.idnum: with_entries(root, Metadata=ref(n))}


def opaque_ap(t, rect, ops):
    ap = t.new()
    x1, y1, x2, y2 = rect
    return ap, {ap: stream(f"/Type /XObject /Subtype /Form /BBox [0 0 {x2 - x1} {y2 - y1}] "
                           f"/Resources << /Font << /F1 {HELV} 0 R >> >>", ops)}


BOX = (60, 380, 540, 580)  # over Article 2 (the fee)
BOX_OPS = ("q 1 1 1 rg 0 0 480 200 re f Q\nBT /F1 16 Tf 0 0 0 rg 12 100 Td (%s) Tj ET\n" % FAKE).encode()


def class3_variants():
    """A widget on a signature field, with an opaque appearance covering the page."""

    def widget(t, extra, page=PAGE1):
        w = t.new()
        ap, objs = opaque_ap(t, (0, 0, 595, 842), OVERLAY)
        objs[w] = f"<< /Type /Annot /Subtype /Widget /Rect [0 0 595 842] /F 4 /P {ref(page)} {extra} /AP << /N {ref(ap)} >> >>"
        return w, objs

    def parent_signed(t, page=PAGE1):
        sf = t.sig_field()
        w, objs = widget(t, f"/Parent {sf.idnum} {sf.generation} R", page)
        objs.update(add_annotation(t, w, page))
        return objs

    def parent_witness(t):
        w, objs = widget(t, f"/Parent {ref(WITNESS)}")
        objs.update(add_annotation(t, w))
        return objs

    def new_empty_sig_field(t):
        f = t.new()
        w, objs = widget(t, f"/Parent {ref(f)}")
        objs[f] = f"<< /FT /Sig /T (Witness2) /Kids [{ref(w)}] >>"
        form = t.get(ACROFORM)
        objs[ACROFORM] = with_entries(form, Fields="[" + " ".join(raw_array(form, "/Fields") + [ref(f)]) + "]")
        objs.update(add_annotation(t, w))
        return objs

    def own_ft_sig(t):
        w, objs = widget(t, "/FT /Sig /T (Signature9)")
        objs.update(add_annotation(t, w))
        return objs

    def own_ft_sig_reusing_value(t):
        sf = t.sig_field().get_object()
        v = sf.raw_get("/V")
        w, objs = widget(t, f"/FT /Sig /T (Signature9) /V {v.idnum} {v.generation} R")
        objs.update(add_annotation(t, w))
        return objs

    def kid_of_signed_field(t):
        sfr = t.sig_field()
        sf = sfr.get_object()
        w, objs = widget(t, f"/Parent {sfr.idnum} {sfr.generation} R")
        objs[sfr.idnum] = with_entries(sf, Kids=f"[{ref(w)}]")
        objs.update(add_annotation(t, w))
        return objs

    def in_fields_parent_signed(t):
        sf = t.sig_field()
        w, objs = widget(t, f"/Parent {sf.idnum} {sf.generation} R")
        form = t.get(ACROFORM)
        objs[ACROFORM] = with_entries(form, Fields="[" + " ".join(raw_array(form, "/Fields") + [ref(w)]) + "]")
        objs.update(add_annotation(t, w))
        return objs

    def in_fields_ft_sig(t):
        w, objs = widget(t, "/FT /Sig /T (Signature9)")
        form = t.get(ACROFORM)
        objs[ACROFORM] = with_entries(form, Fields="[" + " ".join(raw_array(form, "/Fields") + [ref(w)]) + "]")
        objs.update(add_annotation(t, w))
        return objs

    return [
        ("widget-parent-signed-field", {}, parent_signed),
        ("widget-parent-signed-field-page2", {}, lambda t: parent_signed(t, PAGE2)),
        ("widget-parent-empty-sig-field", dict(witness=True), parent_witness),
        ("widget-of-new-empty-sig-field", {}, new_empty_sig_field),
        ("widget-own-ft-sig-no-fields", {}, own_ft_sig),
        ("widget-own-ft-sig-reusing-signed-value", {}, own_ft_sig_reusing_value),
        ("widget-kid-of-signed-field", {}, kid_of_signed_field),
        ("widget-in-fields-parent-signed-field", {}, in_fields_parent_signed),
        ("widget-ft-sig-in-fields-unsigned", {}, in_fields_ft_sig),
    ]


def class4_variants():
    """Markup annotations drawn over the text."""

    def annot(subtype, extra, with_ap=True, page=PAGE1, indirect=False):
        def make(t):
            a = t.new()
            objs = {}
            ap_entry = ""
            if with_ap:
                ap, objs = opaque_ap(t, BOX, BOX_OPS)
                ap_entry = f" /AP << /N {ref(ap)} >>"
            objs[a] = (f"<< /Type /Annot /Subtype /{subtype} /Rect [{' '.join(map(str, BOX))}] /F 4 /P {ref(page)} "
                       f"/M (D:20261201100000Z) /T (Reviewer) {extra}{ap_entry} >>")
            objs.update(add_annotation(t, a, page, indirect))
            return objs
        return make

    ft = f"/Contents ({FAKE}) /DA (0 g /Helv 16 Tf) /C [1 1 1]"
    return [
        ("freetext-opaque", {}, annot("FreeText", ft)),
        ("freetext-opaque-page2-new-annots", {}, annot("FreeText", ft, page=PAGE2)),
        ("freetext-opaque-indirect-annots-array", {}, annot("FreeText", ft, indirect=True)),
        ("square-ic-fill", {}, annot("Square", "/C [1 1 1] /IC [1 1 1] /BS << /W 0 >>")),
        ("square-ic-fill-no-ap", {}, annot("Square", "/C [1 1 1] /IC [1 1 1] /BS << /W 0 >>", with_ap=False)),
        ("stamp", {}, annot("Stamp", f"/Name /Approved /Contents ({FAKE})")),
        ("ink", {}, annot("Ink", "/C [1 1 1] /BS << /W 40 >> /InkList [[60 480 540 480] [60 440 540 440]]")),
        ("polygon-ic-fill", {}, annot("Polygon", "/C [1 1 1] /IC [1 1 1] /Vertices [60 380 540 380 540 580 60 580]")),
    ]


# ---------------------------------------------------------------------------
# Class 6: a signature dictionary inside an object stream (written by hand)
# ---------------------------------------------------------------------------

CONTENTS_HEX = 16384  # hex digits reserved for the CMS


def objstm_signature(src, keys, subfilter, compress=False, field_in_objstm=False, certify=False, field="Signature1"):
    """Appends to `src` (an xref-stream PDF) an update whose new signature field's /V is an
    object compressed in an object stream; the CMS is computed over the ByteRange when the
    object stream is not Flate-encoded (the /Contents hex string then lies in the file)."""
    t = Tail(src)
    v, fnum, osn = t.new(), t.new(), t.new()
    date = "D:20261201100000Z"
    reference = ""
    if certify:
        reference = " /Reference [<< /Type /SigRef /TransformMethod /DocMDP /TransformParams << /Type /TransformParams /P 2 /V /1.2 >> >>]"
    sig_dict = (f"<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter /{SF_NAME[subfilter]} "
                f"/ByteRange [0 0000000000 0000000000 0000000000] /M ({date}){reference} "
                f"/Contents <{'0' * CONTENTS_HEX}> >>")
    field_dict = (f"<< /Type /Annot /Subtype /Widget /FT /Sig /T ({field}) /Rect [0 0 0 0] /F 132 "
                  f"/P {ref(PAGE1)} /V {ref(v)} >>")
    packed = [(v, sig_dict)] + ([(fnum, field_dict)] if field_in_objstm else [])
    header, body = [], b""
    for n, text in packed:
        header.append(f"{n} {len(body)}")
        body += text.encode() + b"\n"
    head = (" ".join(header) + "\n").encode()
    objstm = stream(f"/Type /ObjStm /N {len(packed)} /First {len(head)}", head + body, compress)
    page = t.get(PAGE1)
    form = t.get(ACROFORM)
    objs = {
        osn: objstm,
        PAGE1: with_entries(page, Annots="[" + " ".join(raw_array(page, "/Annots") + [ref(fnum)]) + "]"),
        ACROFORM: with_entries(form, Fields="[" + " ".join(raw_array(form, "/Fields") + [ref(fnum)]) + "]", SigFlags="3"),
    }
    if certify:
        objs[t.root.idnum] = with_entries(t.reader.root, Perms=f"<< /DocMDP {ref(v)} >>")
    if not field_in_objstm:
        objs[fnum] = field_dict
    data = update(t, objs, compressed={n: (osn, i) for i, (n, _) in enumerate(packed)})
    # ByteRange and CMS
    if compress:
        at = data.rfind(b"stream\n", 0, data.rfind(b"/Type /XRef"))
        start, end = at, at + 10  # nothing meaningful: the hex string is compressed away
    else:
        start = data.index(b"/Contents <" + b"0" * 16) + len(b"/Contents ")
        end = start + CONTENTS_HEX + 2
    br = f"[0 {start} {end} {len(data) - end}]".encode()
    placeholder = b"[0 0000000000 0000000000 0000000000]"
    if not compress:
        data = data.replace(placeholder, br.ljust(len(placeholder)), 1)
    signed = data[:start] + data[end:]
    digest = hashlib.sha256(signed).digest()
    cms = asyncio.run(keys.signer("rsa").async_sign(digest, "sha256", use_pades=(subfilter == PADES))).dump()
    if not compress:
        data = data[:start] + b"<" + cms.hex().encode().ljust(CONTENTS_HEX, b"0") + b">" + data[end:]
    return data


# ---------------------------------------------------------------------------


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    outdir, keydir = sys.argv[1:3]
    os.makedirs(outdir, exist_ok=True)
    keys = Keys(keydir)
    only = os.environ.get("ATTACKS_ONLY")  # a class, to iterate faster by hand
    entries = []

    def emit(name, data, cls, variant, base, exp_default, exp_iso, reason="", signatures=None):
        with open(os.path.join(outdir, name), "wb") as f:
            f.write(data)
        entries.append({"file": name, "class": cls, "variant": variant, "base": base,
                        "expect_default": exp_default, "expect_iso": exp_iso, "reason": reason,
                        "signatures": signatures})

    def bases(xref_stream_modes=True):
        """(mode, subfilter, xref_stream, base label) of every signed base."""
        for xs in (False, True):
            for mode in MODES:
                for sf in (PADES, PKCS7):
                    if xs and not xref_stream_modes and sf == PKCS7:
                        continue
                    label = (f"certified-{mode}" if mode != "approval" else "approval") + f"-{SF_TAG[sf]}"
                    yield mode, sf, xs, label + ("-xrefstream" if xs else "")

    signed_cache = {}

    def signed(prep_key, prep, mode, sf, xs):
        key = (prep_key, mode, sf, xs)
        if key not in signed_cache:
            # pyHanko would rewrite an /Info or /Metadata it does not recognise (a new XMP
            # stream), undoing the preparation: no metadata update when signing those
            keep_meta = not ({"info", "metadata"} & set(prep))
            signed_cache[key] = sign_mode(make_base(xref_stream=xs, **prep), keys, mode, sf, keep_meta)
        return signed_cache[key]

    want = lambda c: only is None or only == str(c)

    # honest: the signed bases, and what ISO lets follow them
    if want("honest"):
        for mode, sf, xs, label in bases():
            s = signed("plain", {}, mode, sf, xs)
            emit(f"honest-{label}.pdf", s, "honest", "signed base", label, PASSED, PASSED, "", 1)
            allowed_form = mode != "p1"
            exp = PASSED if allowed_form else NOT
            emit(f"honest-formfill-{label}.pdf", fill_form(s), "honest", "form filled (pyHanko)", label, exp, exp,
                 "" if allowed_form else "DocMDP", 1)
            emit(f"honest-second-signature-{label}.pdf",
                 sign(s, keys, "ecdsa-p256", "Signature2", subfilter=sf, visible=False, ignore_docmdp=(mode == "p1")),
                 "honest", "second approval signature (pyHanko)", label, exp, exp, "" if allowed_form else "DocMDP", 2)
            emit(f"honest-dss-{label}.pdf", add_dss(s, keys), "honest", "DSS (add_validation_info)", label,
                 PASSED, PASSED, "", 1)
            emit(f"honest-doctimestamp-{label}.pdf", add_doc_timestamp(s, keys), "honest", "document timestamp",
                 label, PASSED, PASSED, "", 2)

    if want(1):
        for variant, prep, attack in class1_variants():
            for mode, sf, xs, label in bases(xref_stream_modes=False):
                s = signed(variant, prep, mode, sf, xs)
                t = Tail(s)
                emit(f"c1-{variant}-{label}.pdf", update(t, attack(t)), 1, variant, label, NOT, NOT,
                     "" if variant == "contents-other-generation" else "referenced but not defined when signed", 1)

    if want(2):
        for variant, prep, attack, honest in class2_variants():
            for mode, sf, xs, label in bases(xref_stream_modes=False):
                s = signed(variant if prep else "plain", prep, mode, sf, xs)
                t = Tail(s)
                objs = attack(t)
                info = None
                if isinstance(objs, tuple):
                    objs, info = objs
                exp = PASSED if honest else NOT
                emit(f"c2-{variant}-{label}.pdf", update(t, objs, info=info), "honest" if honest else 2, variant,
                     label, exp, exp, "" if honest else "was changed", 1)

    if want(3):
        for variant, prep, attack in class3_variants():
            for mode, sf, xs, label in bases(xref_stream_modes=False):
                s = signed("witness" if prep else "plain", prep, mode, sf, xs)
                t = Tail(s)
                emit(f"c3-{variant}-{label}.pdf", update(t, attack(t)), 3, variant, label, NOT, NOT, "widget", 1)

    if want(4):
        for variant, prep, attack in class4_variants():
            for mode, sf, xs, label in bases(xref_stream_modes=False):
                s = signed("plain", {}, mode, sf, xs)
                t = Tail(s)
                iso = PASSED if mode in ("approval", "p3") else NOT
                emit(f"c4-{variant}-{label}.pdf", update(t, attack(t)), 4, variant, label, NOT, iso, "annotation", 1)

    if want(6):
        base_xs = make_base(xref_stream=True)
        for sf in (PADES, PKCS7):
            tag = SF_TAG[sf]
            emit(f"c6-only-signature-objstm-{tag}.pdf", objstm_signature(base_xs, keys, sf), 6,
                 "the only signature, its dictionary in an uncompressed object stream (valid CMS)",
                 f"unsigned-xrefstream-{tag}", NOT, NOT, "object stream", 1)
            emit(f"c6-only-signature-flate-objstm-{tag}.pdf", objstm_signature(base_xs, keys, sf, compress=True), 6,
                 "the only signature, its dictionary in a Flate object stream", f"unsigned-xrefstream-{tag}",
                 NOT, NOT, "object stream", 1)
            emit(f"c6-field-and-signature-objstm-{tag}.pdf",
                 objstm_signature(base_xs, keys, sf, field_in_objstm=True), 6,
                 "the field and its signature dictionary in an object stream", f"unsigned-xrefstream-{tag}",
                 NOT, NOT, "object stream", 1)
            emit(f"c6-certification-objstm-{tag}.pdf", objstm_signature(base_xs, keys, sf, certify=True), 6,
                 "a certification (/Perms /DocMDP, P=2) whose dictionary is in an object stream",
                 f"unsigned-xrefstream-{tag}", NOT, NOT, "object stream", 1)
            s = signed("plain", {}, "approval", sf, True)
            emit(f"c6-after-pyhanko-signature-objstm-{tag}.pdf",
                 objstm_signature(s, keys, sf, field="Signature2"), 6,
                 "a pyHanko approval signature, then a second signature whose dictionary is in an object stream",
                 f"approval-{tag}-xrefstream", NOT, NOT, "object stream", 2)

    with open(os.path.join(outdir, "attacks.json"), "w") as f:
        f.write("[\n" + ",\n".join(json.dumps(e, sort_keys=True) for e in entries) + "\n]\n")


if __name__ == "__main__":
    main()
