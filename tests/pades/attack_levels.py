"""Hostile PAdES files for tests/levels_attacks.rs (red team of the baseline levels).

Usage: attack_levels.py OUTDIR KEYDIR

KEYDIR/attack.json names the PEM files of the roles (root, signer, tsa, tsa-old, …),
the genTimes to forge (ISO 8601, UTC) and DER evidence files to put in DSS updates.
Document timestamps are made by pyHanko's DummyTimeStamper with a *fixed* genTime (a TSA
whose key an attacker holds can write any genTime), signed with an ESS
signing-certificate-v2 attribute as RFC 3161 §2.4.1 / RFC 5816 have it.
"""

import io
import json
import os
import sys
from datetime import datetime

from asn1crypto import cms, ocsp as asn1_ocsp, crl as asn1_crl
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import general, signers
from pyhanko.sign.fields import SigSeedSubFilter
from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper
from pyhanko.sign.validation.dss import DocumentSecurityStore

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_pdfs import load_cert, load_key, make_base  # noqa: E402


class V2Stamper(DummyTimeStamper):
    """DummyTimeStamper with signing-certificate-v2 (SHA-256) instead of v1 (SHA-1)."""

    def _sign_tst_info(self, tst_info_data, md_algorithm, dt):
        from cryptography.hazmat.primitives import hashes, serialization
        from cryptography.hazmat.primitives.asymmetric.padding import PKCS1v15
        from pyhanko.sign.general import get_pyca_cryptography_hash, simple_cms_attribute

        md = hashes.Hash(get_pyca_cryptography_hash(md_algorithm))
        md.update(tst_info_data)
        signed_attrs = cms.CMSAttributes(
            [
                simple_cms_attribute("content_type", "tst_info"),
                simple_cms_attribute("signing_certificate_v2", general.as_signing_certificate_v2(self.tsa_cert)),
                simple_cms_attribute("message_digest", md.finalize()),
            ]
        )
        key = serialization.load_der_private_key(self.tsa_key.dump(), password=None)
        signature = key.sign(signed_attrs.dump(), PKCS1v15(), get_pyca_cryptography_hash(md_algorithm.upper()))
        return signature, signed_attrs


def main():
    outdir, keydir = sys.argv[1:3]
    os.makedirs(outdir, exist_ok=True)
    with open(os.path.join(keydir, "attack.json")) as f:
        spec = json.load(f)
    p = lambda name: os.path.join(keydir, name)  # noqa: E731
    root = p(spec["root"])

    def role(name):
        r = spec["roles"][name]
        return p(r["key"]), p(r["cert"])

    def stamper(name, when):
        key, cert = role(name)
        dt = datetime.fromisoformat(when.replace("Z", "+00:00"))
        return V2Stamper(load_cert(cert), load_key(key), certs_to_embed=[], fixed_dt=dt)

    def sign(src, who, chain=()):
        key, cert = role(who)
        meta = signers.PdfSignatureMetadata(
            field_name="Signature1", md_algorithm="sha256", subfilter=SigSeedSubFilter.PADES
        )
        signer = signers.SimpleSigner.load(key, cert, ca_chain_files=(root, *[p(c) for c in chain]))
        out = io.BytesIO()
        signers.PdfSigner(meta, signer).sign_pdf(IncrementalPdfFileWriter(io.BytesIO(src)), output=out)
        return out.getvalue()

    def doc_ts(src, who, when, field):
        out = io.BytesIO()
        signers.PdfTimeStamper(stamper(who, when), field_name=field).timestamp_pdf(
            IncrementalPdfFileWriter(io.BytesIO(src)), "sha256", output=out
        )
        return out.getvalue()

    def add_dss(src, crls=(), ocsps=(), certs=()):
        emb = PdfFileReader(io.BytesIO(src)).embedded_signatures[0]
        out = io.BytesIO(src)
        certs = [load_cert(p(c)) for c in certs]
        crls = [asn1_crl.CertificateList.load(open(p(c), "rb").read()) for c in crls]
        ocsps = [asn1_ocsp.OCSPResponse.load(open(p(o), "rb").read()) for o in ocsps]
        DocumentSecurityStore.add_dss(
            output_stream=out, sig_contents=emb.pkcs7_content, certs=certs, crls=crls, ocsps=ocsps
        )
        return out.getvalue()

    def emit(name, data):
        with open(os.path.join(outdir, name), "wb") as f:
            f.write(data)

    base = make_base(pages=1)
    for case in spec["cases"]:
        data = sign(base, case["signer"], case.get("chain", ()))
        for step in case["steps"]:
            if step["op"] == "doc_ts":
                data = doc_ts(data, step["tsa"], step["at"], step["field"])
            elif step["op"] == "dss":
                data = add_dss(data, crls=step.get("crls", ()), ocsps=step.get("ocsps", ()), certs=step.get("certs", ()))
            else:
                raise RuntimeError(step)
        emit(case["name"], data)


if __name__ == "__main__":
    main()
