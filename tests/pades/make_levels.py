#!/usr/bin/env python3
"""Makes the PAdES baseline-level fixtures (B-T, B-LT, B-LTA and their hostile variants)
with real peers on 127.0.0.1: an RFC 3161 TSA (`openssl ts -reply`), an OCSP responder
(`openssl ocsp`) and a CRL download point, all run by tests/common/tsa.rs.

Usage: make_levels.py OUTDIR KEYDIR
       make_levels.py check KEYDIR TIME CRL|- FILE...

The second form prints pyHanko's own verdict, offline (no fetching, trusting only the
root, revocation data required, the caller's CRL if not "-"), of each signature of each
FILE at TIME (RFC 3339) by its AdES LTA validation (ETSI EN 319 102-1 §5.6.3,
`ades_lta_validation`): one JSON line {file, field, indication, sub_indication,
classic_trusted}, the last being pyHanko's classic `validate_pdf_signature` with the file's
current DSS as its validation context (intact, valid and trusted).

Run it with the python of the pyHanko virtualenv (pyhanko==0.38.0), as
tests/pades_levels.rs does. KEYDIR/levels.json names the root, the PEM files (PKCS#8
keys) of each role and the peers' URLs (see README.md, "Baseline levels"). Writes every
PDF to OUTDIR and OUTDIR/manifest.json: one object per file with, per signature, what a
correct verifier must answer offline (no CRL from the caller, unless `caller_crl`) at two
validation times, `now` (just after the run) and `later` (3 years on: the signers'
certificates have expired, the TSA's and the root's have not).
"""

import asyncio
import hashlib
import io
import json
import os
import sys
import time
import urllib.request

from asn1crypto import cms
from asn1crypto import ocsp as asn1_ocsp
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.generic import pdf_name
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import signers, timestamps
from pyhanko.sign.fields import SigSeedSubFilter
from pyhanko.sign.validation import add_validation_info
from pyhanko.sign.validation.dss import DocumentSecurityStore
from pyhanko_certvalidator import ValidationContext

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_pdfs import load_cert, load_key, make_base  # noqa: E402

PADES = SigSeedSubFilter.PADES


class Levels:
    """KEYDIR/levels.json: root, roles (key/cert PEM files) and the peers' URLs."""

    def __init__(self, keydir):
        self.keydir = keydir
        with open(os.path.join(keydir, "levels.json")) as f:
            self.spec = json.load(f)
        self.root = os.path.join(keydir, self.spec["root"])
        self.root_cert = load_cert(self.root)

    def files(self, role):
        s = self.spec["roles"][role]
        return os.path.join(self.keydir, s["key"]), os.path.join(self.keydir, s["cert"])

    def cert(self, role):
        return load_cert(self.files(role)[1])

    def signer(self, role):
        key, cert = self.files(role)
        return signers.SimpleSigner.load(key, cert, ca_chain_files=(self.root,))

    def url(self, name):
        return self.spec["urls"][name]

    def tsa(self):
        return timestamps.HTTPTimeStamper(self.url("tsa"))

    def fetching(self):
        """A validation context that asks the peers (OCSP, CRL) for every certificate."""
        return ValidationContext(trust_roots=[self.root_cert], allow_fetching=True, revocation_mode="require")


def sign(src, levels, role, timestamper=None, lt=False, lta=False, field="Signature1"):
    """A PAdES signature by `role` over `src`: B-B, with `timestamper` B-T, `lt` also the
    DSS (fetched from the peers), `lta` also a document timestamp."""
    meta = signers.PdfSignatureMetadata(
        field_name=field,
        md_algorithm="sha256",
        subfilter=PADES,
        reason="Approval of the administrative result",
        location="Da Nang",
        embed_validation_info=lt or lta,
        use_pades_lta=lta,
        validation_context=levels.fetching() if (lt or lta) else None,
    )
    pdf_signer = signers.PdfSigner(meta, levels.signer(role), timestamper=timestamper)
    out = io.BytesIO()
    pdf_signer.sign_pdf(IncrementalPdfFileWriter(io.BytesIO(src)), output=out)
    return out.getvalue()


def doc_timestamp(src, levels, field, validation_context=None):
    """Appends a document timestamp from the TSA; with a validation context, pyHanko first
    adds the TSA's validation data to the DSS."""
    out = io.BytesIO()
    signers.PdfTimeStamper(levels.tsa(), field_name=field).timestamp_pdf(
        IncrementalPdfFileWriter(io.BytesIO(src)), "sha256", validation_context=validation_context, output=out
    )
    return out.getvalue()


def renew_archival(src, levels):
    """A second document timestamp over a B-LTA file, by pyHanko's archival renewal: the
    last timestamp's validation data into the DSS, then a new timestamp."""
    out = io.BytesIO()
    stamper = signers.PdfTimeStamper(levels.tsa(), field_name="DocTimeStamp2")
    stamper.update_archival_timestamp_chain(PdfFileReader(io.BytesIO(src)), levels.fetching(), in_place=False, output=out)
    return out.getvalue()


def ocsp_for(levels, role):
    """The OCSP responder's answer about `role`'s certificate (a real request over HTTP)."""
    cert, issuer = levels.cert(role), levels.root_cert
    cert_id = asn1_ocsp.CertId(
        {
            "hash_algorithm": {"algorithm": "sha1"},
            "issuer_name_hash": hashlib.sha1(cert.issuer.dump()).digest(),
            "issuer_key_hash": hashlib.sha1(issuer.public_key["public_key"].contents[1:]).digest(),
            "serial_number": cert.serial_number,
        }
    )
    req = asn1_ocsp.OCSPRequest({"tbs_request": {"request_list": [{"req_cert": cert_id}]}})
    http = urllib.request.Request(
        levels.url("ocsp"), data=req.dump(), headers={"Content-Type": "application/ocsp-request"}
    )
    with urllib.request.urlopen(http, timeout=10) as r:
        resp = asn1_ocsp.OCSPResponse.load(r.read())
    if resp["response_status"].native != "successful":
        raise RuntimeError(f"OCSP responder: {resp['response_status'].native}")
    return resp


def contents_span(data, index=0):
    """(start, end) of the hex digits of signature `index`'s /Contents."""
    emb = PdfFileReader(io.BytesIO(data)).embedded_signatures[index]
    br = list(emb.sig_object["/ByteRange"])
    return br[1] + 1, br[2] - 1


def replace_signature_timestamp(data, levels):
    """Replaces the signature timestamp token of the first signature by a genuine token of
    the same TSA over a random imprint; the CMS stays in place, /Contents keeps its size."""
    start, end = contents_span(data)
    raw = bytes.fromhex(data[start:end].decode())
    ci = cms.ContentInfo.load(raw)
    raw = raw[: len(ci.dump())]
    si = ci["content"]["signer_infos"][0]
    other = hashlib.sha256(os.urandom(32)).digest()
    token = asyncio.run(levels.tsa().async_timestamp(other, "sha256"))
    attrs = []
    swapped = False
    for attr in si["unsigned_attrs"]:
        if attr["type"].native == "signature_time_stamp_token":
            attr = cms.CMSAttribute({"type": "signature_time_stamp_token", "values": [token]})
            swapped = True
        attrs.append(attr)
    if not swapped:
        raise RuntimeError("no signature timestamp to replace")
    si["unsigned_attrs"] = cms.CMSAttributes(attrs)
    new = ci.dump(force=True)
    # only the unsigned attribute may differ: the signed attributes and signature stay
    check = cms.ContentInfo.load(new)["content"]["signer_infos"][0]
    original = cms.ContentInfo.load(raw)["content"]["signer_infos"][0]
    if check["signed_attrs"].dump() != original["signed_attrs"].dump() or (
        check["signature"].native != original["signature"].native
    ):
        raise RuntimeError("re-encoding changed the signed part")
    hexed = new.hex().encode()
    if len(hexed) > end - start:
        raise RuntimeError("the new CMS does not fit in /Contents")
    return data[:start] + hexed + b"0" * (end - start - len(hexed)) + data[end:]


def add_dss_with(src, levels, certs, ocsps=(), crls=()):
    """An incremental update adding a DSS with exactly these certificates and evidence."""
    emb = PdfFileReader(io.BytesIO(src)).embedded_signatures[0]
    out = io.BytesIO(src)
    DocumentSecurityStore.add_dss(
        output_stream=out, sig_contents=emb.pkcs7_content, certs=certs, ocsps=list(ocsps), crls=list(crls)
    )
    return out.getvalue()


def replace_dss_without_revocation(src):
    """An incremental update whose new /DSS keeps the certificates and drops every CRL,
    OCSP response and VRI: an update can add evidence but must not withdraw it."""
    w = IncrementalPdfFileWriter(io.BytesIO(src))
    old = w.root["/DSS"]
    dss = generic.DictionaryObject({pdf_name("/Certs"): old.raw_get("/Certs")})
    w.root[pdf_name("/DSS")] = w.add_object(dss)
    w.update_root()
    out = io.BytesIO()
    w.write(out)
    return out.getvalue()


def edit_dss_in_place(data):
    """Changes one whitespace byte of the DSS dictionary inside the revision the document
    timestamp covers (same meaning, other bytes): the document timestamp no longer verifies."""
    reader = PdfFileReader(io.BytesIO(data))
    ts = [e for e in reader.embedded_signatures if e.sig_object_type == "/DocTimeStamp"][0]
    covered_end = list(ts.sig_object["/ByteRange"])[1]
    at = data.rfind(b"/OCSPs", 0, covered_end)
    if at < 0:
        raise RuntimeError("no /OCSPs in the timestamped revisions")
    gap = at + len(b"/OCSPs")
    if data[gap : gap + 1] not in (b" ", b"\n"):
        raise RuntimeError(f"unexpected bytes after /OCSPs: {data[gap:gap + 8]!r}")
    swap = b"\n" if data[gap : gap + 1] == b" " else b" "
    return data[:gap] + swap + data[gap + 1 :]


# ---------------------------------------------------------------------------
# Expectations
# ---------------------------------------------------------------------------


def ts(kind, indication="PASSED", sub=None, proof_used=False, field=None):
    """One timestamp the verdict must list. `indication` "!PASSED": anything but PASSED."""
    return {"kind": kind, "field": field, "indication": indication, "sub_indication": sub, "proof_used": proof_used}


def at(indication, sub, level, timestamps_):
    """What a correct verifier answers at one validation time. `level` None: no level
    asserted (the verdict relied on evidence from the caller, see README.md)."""
    return {"indication": indication, "sub_indication": sub, "level": level, "timestamps": timestamps_}


def pyhanko_check(keydir, when, crl, files):
    """pyHanko's AdES LTA verdict of every signature (not document timestamps) in `files`."""
    from datetime import datetime

    from asn1crypto import crl as asn1_crl
    from pyhanko.sign.ades.report import AdESPassed
    from pyhanko.sign.validation.ades import ades_lta_validation
    from pyhanko.sign.validation.policy_decl import (
        LocalKnowledge,
        PdfSignatureValidationSpec,
        RevinfoOnlineFetchingRule,
        RevocationInfoGatheringSpec,
        SignatureValidationSpec,
    )
    from pyhanko_certvalidator.context import CertValidationPolicySpec
    from pyhanko_certvalidator.ltv.types import ValidationTimingInfo
    from pyhanko_certvalidator.policy_decl import REQUIRE_REVINFO, CertRevTrustPolicy
    from pyhanko_certvalidator.registry import SimpleTrustManager
    from pyhanko_certvalidator.revinfo.archival import CRLContainer

    levels = Levels(keydir)
    moment = datetime.fromisoformat(when.replace("Z", "+00:00"))
    known = LocalKnowledge()
    if crl != "-":
        with open(crl, "rb") as f:
            known = LocalKnowledge(known_crls=[CRLContainer(asn1_crl.CertificateList.load(f.read()))])
    policy = CertValidationPolicySpec(
        trust_manager=SimpleTrustManager.build([levels.root_cert]),
        revinfo_policy=CertRevTrustPolicy(REQUIRE_REVINFO),
    )
    spec = PdfSignatureValidationSpec(
        SignatureValidationSpec(
            cert_validation_policy=policy,
            revinfo_gathering_policy=RevocationInfoGatheringSpec(
                online_fetching_rule=RevinfoOnlineFetchingRule.LOCAL_ONLY
            ),
            local_knowledge=known,
        )
    )
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko.sign.validation.errors import NoDSSFoundError

    vc_kwargs = {
        "trust_roots": [levels.root_cert],
        "allow_fetching": False,
        "revocation_mode": "require",
        "moment": moment,
        "crls": [c.crl_data for c in known.known_crls],
    }
    timing = ValidationTimingInfo(validation_time=moment, best_signature_time=moment, point_in_time_validation=True)
    for path in files:
        with open(path, "rb") as f:
            reader = PdfFileReader(f)
            for emb in reader.embedded_regular_signatures:
                line = {"file": os.path.basename(path), "field": emb.field_name}
                try:
                    result = asyncio.run(ades_lta_validation(emb, spec, timing_info=timing))
                    sub = result.ades_subindic
                    line["indication"] = "PASSED" if isinstance(sub, AdESPassed) else sub.status.name
                    line["sub_indication"] = None if isinstance(sub, AdESPassed) else sub.name
                except Exception as e:  # noqa: BLE001 - one bad file must not hide the others
                    line["error"] = f"{type(e).__name__}: {e}"
                # pyHanko's classic check: the (current) DSS as the validation context
                try:
                    try:
                        dss = DocumentSecurityStore.read_dss(reader)
                        vc = dss.as_validation_context(vc_kwargs)
                    except NoDSSFoundError:
                        vc = ValidationContext(**vc_kwargs)
                    status = validate_pdf_signature(emb, signer_validation_context=vc)
                    line["classic_trusted"] = bool(status.intact and status.valid and status.trusted)
                except Exception as e:  # noqa: BLE001
                    line["classic_error"] = f"{type(e).__name__}: {e}"
                print(json.dumps(line), flush=True)


# pyHanko 0.38.0's answers just after the run, offline (`check` above): its AdES LTA process
# and its classic check. Keyed by (file, caller's CRL). Where they depart from the correct
# answer (the manifest's `now`), `note` says why.
NO_POE = "INDETERMINATE/NO_POE"
CHAIN = "INDETERMINATE/CERTIFICATE_CHAIN_GENERAL_FAILURE"
LTA_ONLY = ("pyHanko's LTA process slides the validation time back and needs a POE for the "
            "signer's certificate, which only a document timestamp gives it; its classic check "
            "(the DSS and the caller's CRL) agrees with the correct verdict")
PYHANKO_NOW = {
    ("levels-b-t.pdf", None): (CHAIN, False, None),
    ("levels-b-t.pdf", "root.crl.der"): (NO_POE, True, LTA_ONLY),
    ("levels-b-lt-ocsp.pdf", None): (NO_POE, True, LTA_ONLY),
    ("levels-b-lt-crl.pdf", None): (NO_POE, True, LTA_ONLY),
    ("levels-b-lta.pdf", None): ("PASSED", True, None),
    ("levels-b-lta-renewed.pdf", None): ("PASSED", True, None),
    ("levels-tsa-no-eku.pdf", None): (CHAIN, False, None),
    ("levels-ts-other-imprint.pdf", None): (CHAIN, False, None),
    ("levels-dss-ocsp-other-cert.pdf", None): (CHAIN, False, None),
    ("levels-dss-dropped-after-lta.pdf", None): (
        CHAIN, False,
        "pyHanko reads only the current /DSS (the last update's), which the update emptied; "
        "the evidence of the timestamped revisions is ignored"),
    ("levels-dss-added-after-doc-ts.pdf", None): ("PASSED", True, None),
    ("levels-dss-edited-in-place.pdf", None): (
        NO_POE, True,
        "the document timestamp fails (HASH_FAILURE), so pyHanko's LTA process has no POE for the "
        "signer's certificate (see the B-LT files); its classic check agrees"),
    ("levels-revoked-after-lta.pdf", "later.crl.der"): ("PASSED", True, None),
    ("levels-revoked-before-signing.pdf", "later.crl.der"): (
        "PASSED", True,
        "pyHanko takes the DSS's 'good' OCSP response and does not look at the CRL that lists the "
        "revocation (with the CRL alone it says REVOKED_NO_POE)"),
}


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "check":
        if len(sys.argv) < 5:
            sys.exit(__doc__)
        return pyhanko_check(sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5:])
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    outdir, keydir = sys.argv[1:3]
    os.makedirs(outdir, exist_ok=True)
    levels = Levels(keydir)
    manifest = []

    def emit(name, data, case, description, signatures, caller_crl=None):
        with open(os.path.join(outdir, name), "wb") as f:
            f.write(data)
        fields = [e.field_name for e in PdfFileReader(io.BytesIO(data)).embedded_signatures]
        lta, classic, note = PYHANKO_NOW[(name, caller_crl)]
        for sig_ in signatures:
            sig_["pyhanko_now"] = {"lta": lta, "classic_trusted": classic, "note": note}
        manifest.append(
            {
                "file": name,
                "case": case,
                "description": description,
                "size": len(data),
                "fields": fields,
                "caller_crl": caller_crl,
                "later": "3 years after the run: the signers' certificates (run - 20 days .. run + 30 days) "
                "have expired; the TSA's, the OCSP responder's and the root's (2026-01-01 .. 2036-01-01) "
                "have not, so no archive timestamp renewal is needed for that time",
                "signatures": signatures,
            }
        )

    def field_names(data):
        return [e.field_name for e in PdfFileReader(io.BytesIO(data)).embedded_signatures]

    base = make_base(pages=1)
    S, D = "signature_timestamp", "document_timestamp"

    def sig_entry(role, now, later):
        return [{"field": "Signature1", "signer": role, "now": now, "later": later}]

    def doc_ts(data, *indications):
        """The document timestamps of `data` after the signature, with these indications."""
        names = field_names(data)[1:]
        assert len(names) == len(indications), (names, indications)
        return [ts(D, ind, sub, field=name) for name, (ind, sub) in zip(names, indications, strict=True)]

    # 1. B-T: offline, neither the signer's nor the TSA's certificate has revocation
    # evidence, so the timestamp is no proof of existence (EN 319 102-1 §5.4 validates the
    # TSA's chain like any other, revocation included); with the caller's CRL it is
    bt = sign(base, levels, "signer-ocsp", timestamper=levels.tsa())
    no_revocation = (
        at("INDETERMINATE", "TRY_LATER", "B-B", [ts(S, "INDETERMINATE", "TRY_LATER")]),
        at("INDETERMINATE", "OUT_OF_BOUNDS_NO_POE", "B-B", [ts(S, "INDETERMINATE", "TRY_LATER")]),
    )
    emit("levels-b-t.pdf", bt, 1, "PAdES B-T: a signature timestamp from the TSA, no DSS. Offline "
         "there is no revocation evidence for the signer nor for the TSA: the timestamp is "
         "INDETERMINATE/TRY_LATER and no POE; TRY_LATER now, OUT_OF_BOUNDS_NO_POE after expiry",
         sig_entry("signer-ocsp", *no_revocation))
    bt_crl = at("PASSED", None, "B-T", [ts(S, proof_used=True)])
    emit("levels-b-t.pdf", bt, 1, "levels-b-t.pdf with the caller's CRL of the run (root.crl.der, "
         "covering the signer and the TSA): the timestamp PASSED, its genTime the POE; PASSED now "
         "and after the signer's expiry; B-T, the evidence not being the file's",
         sig_entry("signer-ocsp", bt_crl, bt_crl), caller_crl="root.crl.der")

    # 2. B-LT with OCSP
    blt = sign(base, levels, "signer-ocsp", timestamper=levels.tsa(), lt=True)
    lt_ok = at("PASSED", None, "B-LT", [ts(S, proof_used=True)])
    emit("levels-b-lt-ocsp.pdf", blt, 2, "PAdES B-LT: signature timestamp, then a DSS update with the "
         "signer's OCSP response (from the responder its AIA names) and the TSA's CRL",
         sig_entry("signer-ocsp", lt_ok, lt_ok))

    # 3. B-LT with a CRL only
    blt_crl = sign(base, levels, "signer-crl", timestamper=levels.tsa(), lt=True)
    emit("levels-b-lt-crl.pdf", blt_crl, 3, "PAdES B-LT, CRL only: the signer's certificate names a CRL "
         "distribution point and no OCSP responder; the DSS holds the root's CRL",
         sig_entry("signer-crl", lt_ok, lt_ok))

    # 4. B-LTA
    blta = sign(base, levels, "signer-ocsp", timestamper=levels.tsa(), lta=True)
    lta_ok = at("PASSED", None, "B-LTA", [ts(S, proof_used=True)] + doc_ts(blta, ("PASSED", None)))
    emit("levels-b-lta.pdf", blta, 4, "PAdES B-LTA: signature timestamp, DSS (signer's OCSP, TSA's CRL), "
         "then a document timestamp over all of it", sig_entry("signer-ocsp", lta_ok, lta_ok))

    # 5. two document timestamps
    time.sleep(1.1)  # the renewal's genTime after the first one's
    twice = renew_archival(blta, levels)
    twice_ok = at("PASSED", None, "B-LTA", [ts(S, proof_used=True)] + doc_ts(twice, ("PASSED", None), ("PASSED", None)))
    emit("levels-b-lta-renewed.pdf", twice, 5, "levels-b-lta.pdf, then pyHanko's archival renewal "
         "(update_archival_timestamp_chain): the first document timestamp's validation data into "
         "the DSS, then a second document timestamp", sig_entry("signer-ocsp", twice_ok, twice_ok))

    # 6. a TSA without the timeStamping EKU (openssl ts refuses such a signer: pyHanko's
    # in-process TSA makes the token)
    noeku_key, noeku_cert = levels.files("tsa-noeku")
    dummy = timestamps.DummyTimeStamper(
        tsa_cert=load_cert(noeku_cert), tsa_key=load_key(noeku_key), certs_to_embed=[levels.root_cert]
    )
    noeku = sign(base, levels, "signer-ocsp", timestamper=dummy)
    emit("levels-tsa-no-eku.pdf", noeku, 6, "A signature timestamp by a TSA whose certificate has no "
         "extendedKeyUsage timeStamping (RFC 3161 §2.3): not a proof of existence; level B-B",
         sig_entry("signer-ocsp",
                   at("INDETERMINATE", "TRY_LATER", "B-B", [ts(S, "!PASSED")]),
                   at("INDETERMINATE", "OUT_OF_BOUNDS_NO_POE", "B-B", [ts(S, "!PASSED")])))

    # 7. a signature timestamp over other bytes
    other = replace_signature_timestamp(bt, levels)
    emit("levels-ts-other-imprint.pdf", other, 7, "levels-b-t.pdf with its signature timestamp replaced "
         "by a genuine token of the same TSA over a random imprint (the CMS re-embedded in /Contents, "
         "signed attributes and signature unchanged): the timestamp FAILED/HASH_FAILURE, level B-B",
         sig_entry("signer-ocsp",
                   at("INDETERMINATE", "TRY_LATER", "B-B", [ts(S, "FAILED", "HASH_FAILURE")]),
                   at("INDETERMINATE", "OUT_OF_BOUNDS_NO_POE", "B-B", [ts(S, "FAILED", "HASH_FAILURE")])))

    # 8. a DSS whose OCSP response is about another certificate
    wrong = add_dss_with(bt, levels, certs=[levels.cert("signer-ocsp"), levels.root_cert],
                         ocsps=[ocsp_for(levels, "signer-crl")])
    emit("levels-dss-ocsp-other-cert.pdf", wrong, 8, "levels-b-t.pdf plus a DSS update whose one OCSP "
         "response (genuine, from the responder) is about another certificate (signer-crl): no "
         "revocation evidence for the signer (nor the TSA)", sig_entry("signer-ocsp", *no_revocation))

    # 9a. the DSS replaced after the document timestamp, without the evidence
    dropped = replace_dss_without_revocation(blta)
    emit("levels-dss-dropped-after-lta.pdf", dropped, 9, "levels-b-lta.pdf, then an update whose new /DSS "
         "keeps only the certificates (no OCSP, CRL or VRI): the evidence of the timestamped revisions "
         "still counts, level B-LTA", sig_entry("signer-ocsp", lta_ok, lta_ok))

    # 9b. the evidence added only after the document timestamp
    stamped = doc_timestamp(bt, levels, "DocTimeStamp1")
    emb = PdfFileReader(io.BytesIO(stamped)).embedded_signatures[0]
    late = add_validation_info(emb, levels.fetching(), output=io.BytesIO()).getvalue()
    late_ok = at("PASSED", None, "B-LT", [ts(S, proof_used=True)] + doc_ts(late, ("PASSED", None)))
    emit("levels-dss-added-after-doc-ts.pdf", late, 9, "levels-b-t.pdf, a document timestamp (no DSS "
         "yet), then a DSS update with the signer's OCSP and the TSA's CRL: PASSED on that evidence, "
         "but no document timestamp covers it: level B-LT", sig_entry("signer-ocsp", late_ok, late_ok))

    # 9c. the DSS edited in place inside the timestamped revisions
    edited = edit_dss_in_place(blta)
    edited_ok = at("PASSED", None, "B-LT", [ts(S, proof_used=True)] + doc_ts(edited, ("FAILED", "HASH_FAILURE")))
    emit("levels-dss-edited-in-place.pdf", edited, 9, "levels-b-lta.pdf with one whitespace byte of the "
         "DSS dictionary changed in place (same meaning): the document timestamp FAILED/HASH_FAILURE "
         "and gives neither B-LTA nor a POE; the signature stands on its own timestamp and the "
         "(authentic) evidence: B-LT", sig_entry("signer-ocsp", edited_ok, edited_ok))

    # 10. revoked after the document timestamp / before signing: the caller's later CRL
    # (made by the Rust side after this script) says so
    late_rev = sign(base, levels, "signer-late", timestamper=levels.tsa(), lta=True)
    emit("levels-revoked-after-lta.pdf", late_rev, 10, "B-LTA by signer-late, whom a CRL issued after "
         "the run (given by the caller) lists as revoked 10 minutes after the run: the timestamps "
         "prove the signature existed before: PASSED",
         sig_entry("signer-late",
                   at("PASSED", None, "B-LTA", [ts(S, proof_used=True)] + doc_ts(late_rev, ("PASSED", None))),
                   at("PASSED", None, "B-LTA", [ts(S, proof_used=True)] + doc_ts(late_rev, ("PASSED", None)))),
         caller_crl="later.crl.der")
    early_rev = sign(base, levels, "signer-early", timestamper=levels.tsa(), lta=True)
    revoked = at("FAILED", "REVOKED", None, [ts(S, proof_used=True)] + doc_ts(early_rev, ("PASSED", None)))
    emit("levels-revoked-before-signing.pdf", early_rev, 10, "B-LTA by signer-early; its DSS holds a "
         "'good' OCSP response of the run, but a CRL issued after the run (given by the caller) lists "
         "it as revoked 10 days before signing (a key compromise learnt late): FAILED/REVOKED",
         sig_entry("signer-early", revoked, revoked), caller_crl="later.crl.der")

    with open(os.path.join(outdir, "manifest.json"), "w") as f:
        f.write("[\n")
        f.write(",\n".join(json.dumps(e, sort_keys=True) for e in manifest))
        f.write("\n]\n")


if __name__ == "__main__":
    main()
