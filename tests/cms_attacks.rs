//! Crafted CMS signatures and signer certificates (issue 17, classes 4 and 5), built here
//! with the tools an attacker uses: `openssl ca` for certificates with odd purposes, and
//! a small DER editor (`common::der`) that changes the signed attributes and signs them
//! again with `openssl dgst`. Each generator has a control (the same construction made
//! correctly) that must pass; OpenSSL's verdict (`openssl cms -verify`, default purpose
//! and `-purpose any`) is printed beside ours.
//!
//! - Class 5: a signed attribute whose definition allows one value must have exactly
//!   one, no attribute type twice, and no byte after the ContentInfo or after the last
//!   field of a structure: FAILED / FORMAT_FAILURE. Zero padding is admitted only from a
//!   PDF's `/Contents`.
//! - Class 4: a document signer's certificate is no CA, its keyUsage (when present)
//!   allows digitalSignature or nonRepudiation, and its extendedKeyUsage (when present)
//!   allows signing documents: else INDETERMINATE / CHAIN_CONSTRAINTS_FAILURE, and the
//!   vault refuses it at `begin_signing` and at `complete_signing`, storing nothing.

mod common;

use common::der::{self, Cms, Node};
use common::pki::{openssl, Pki};
use common::signing::TestSigner;
use common::*;
use results_vault::verify::signature::{
    verify_detached, verify_detached_parts_claimed, Policy, SignatureVerdict, ValidationContext,
};
use results_vault::{DigestAlgorithm, Error, EventKind, Indication, SignatureReply, SigningError, SubIndication};
use time::OffsetDateTime;

const CONTENT: &[u8] = b"%PDF-1.7 ket qua giai quyet TTHC";

/// `openssl cms -sign -cades` (ESS signingCertificateV2) by `{name}.pem` over `content`.
fn cms_sign(pki: &Pki, name: &str, content: &[u8]) -> Vec<u8> {
    std::fs::write(pki.path("in.bin"), content).unwrap();
    let (cert, key) = (format!("{name}.pem"), format!("{name}.key"));
    assert!(openssl(
        pki.dir.path(),
        &[
            "cms", "-sign", "-binary", "-cades", "-in", "in.bin", "-signer", &cert, "-inkey", &key, "-md", "sha256",
            "-outform", "DER", "-out", "out.p7s",
        ]
    ));
    std::fs::read(pki.path("out.p7s")).unwrap()
}

/// What `openssl cms -verify` says (trusting the root, no CRL), with `-purpose` if given.
fn openssl_says(pki: &Pki, cms: &[u8], content: &[u8], purpose: Option<&str>) -> &'static str {
    std::fs::write(pki.path("check.p7s"), cms).unwrap();
    std::fs::write(pki.path("check.bin"), content).unwrap();
    let mut args = vec!["cms", "-verify", "-binary", "-inform", "DER", "-in", "check.p7s"];
    args.extend(["-content", "check.bin", "-CAfile", "root.pem", "-out", "/dev/null"]);
    if let Some(p) = purpose {
        args.extend(["-purpose", p]);
    }
    let out = std::process::Command::new("openssl")
        .current_dir(pki.dir.path())
        .args(&args)
        .output()
        .unwrap();
    if out.status.success() {
        "accepts"
    } else {
        "refuses"
    }
}

fn verify(pki: &Pki, crl: &[u8], cms: &[u8], content: &[u8]) -> SignatureVerdict {
    let anchors = vec![pki.root.clone()];
    let crls = vec![crl.to_vec()];
    let policy = Policy::cades_baseline();
    let ctx = ValidationContext {
        anchors: &anchors,
        intermediates: &[],
        crls: &crls,
        validation_time: OffsetDateTime::now_utc(),
        proof_of_existence: None,
        policy: &policy,
        all_signers: false,
        chain_cache: None,
    };
    verify_detached(cms, content, &ctx).remove(0)
}

fn says(v: &SignatureVerdict) -> (Indication, Option<SubIndication>) {
    (v.indication, v.sub_indication)
}

/// The class 5 variants of `base` (a `-cades` CMS by `signer` over [`CONTENT`]), each
/// with the detail word it must be refused with; the first is the control.
fn attribute_variants(pki: &Pki, base: &[u8]) -> Vec<(&'static str, Vec<u8>, &'static str)> {
    let dir = pki.dir.path();
    let other_digest = Node::Prim(
        0x04,
        ring::digest::digest(&ring::digest::SHA256, b"another record")
            .as_ref()
            .to_vec(),
    );
    let edit = |f: &dyn Fn(&mut Cms), resign: bool| {
        let mut cms = Cms::parse(base);
        f(&mut cms);
        if resign {
            cms.resign(dir, "signer.key");
        }
        cms.encode()
    };
    let mut out = vec![("control: the attributes re-signed unchanged", edit(&|_| {}, true), "")];
    out.push((
        "messageDigest holding two digests (the right one first)",
        edit(&|c| c.values(der::MESSAGE_DIGEST).push(other_digest.clone()), true),
        "messageDigest",
    ));
    out.push((
        "messageDigest holding two digests (another record's first)",
        edit(&|c| c.values(der::MESSAGE_DIGEST).insert(0, other_digest.clone()), true),
        "messageDigest",
    ));
    out.push((
        "messageDigest with no value",
        edit(&|c| c.values(der::MESSAGE_DIGEST).clear(), true),
        "messageDigest",
    ));
    out.push((
        "contentType with two values",
        edit(
            &|c| {
                let signed_data = Node::Prim(0x06, vec![0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02]);
                c.values(der::CONTENT_TYPE).push(signed_data)
            },
            true,
        ),
        "contentType",
    ));
    out.push((
        "signingTime with two values",
        edit(
            &|c| c.values(der::SIGNING_TIME).insert(0, der::utc_time("250101000000Z")),
            true,
        ),
        "signingTime",
    ));
    out.push((
        "signingCertificateV2 with two values",
        edit(
            &|c| {
                let first = c.values(der::SIGNING_CERTIFICATE_V2)[0].clone();
                c.values(der::SIGNING_CERTIFICATE_V2).push(first)
            },
            true,
        ),
        "signingCertificateV2",
    ));
    out.push((
        "the messageDigest attribute twice",
        edit(
            &|c| {
                let mut second = c.attribute(der::MESSAGE_DIGEST).clone();
                second.children_mut()[1] = Node::Cons(0x31, vec![other_digest.clone()]);
                c.attributes().push(second)
            },
            true,
        ),
        "appears twice",
    ));
    out.push((
        "the smimeCapabilities attribute twice",
        edit(
            &|c| {
                let again = c.attribute(der::SMIME_CAPABILITIES).clone();
                c.attributes().push(again)
            },
            true,
        ),
        "appears twice",
    ));
    out.push((
        "an INTEGER after the last signed attribute",
        edit(&|c| c.attributes().push(Node::Prim(0x02, vec![0x01])), true),
        "after the last signed attribute",
    ));
    out.push((
        "ESSCertIDv2 with an INTEGER after its issuerSerial",
        edit(
            &|c| {
                let value = &mut c.values(der::SIGNING_CERTIFICATE_V2)[0];
                let id = &mut value.children_mut()[0].children_mut()[0];
                id.children_mut().push(Node::Prim(0x02, vec![0x07]))
            },
            true,
        ),
        "signingCertificateV2",
    ));
    out.push((
        "the SignerInfo's digestAlgorithm with two parameters",
        edit(
            &|c| {
                let alg = &mut c.signer_info().children_mut()[2];
                alg.children_mut()
                    .extend([Node::Prim(0x05, vec![]), Node::Prim(0x05, vec![])])
            },
            false,
        ),
        "parameters",
    ));
    out.push((
        "a digestAlgorithms entry with two parameters",
        edit(
            &|c| {
                let set = &mut c.signed_data().children_mut()[1];
                let alg = &mut set.children_mut()[0];
                alg.children_mut()
                    .extend([Node::Prim(0x05, vec![]), Node::Prim(0x05, vec![])])
            },
            false,
        ),
        "parameters",
    ));
    let mut trailing = base.to_vec();
    trailing.extend_from_slice(b"\x04\x20 a second digest, after the end");
    out.push(("bytes after the ContentInfo", trailing, "after the ContentInfo"));
    let mut padded = base.to_vec();
    padded.extend_from_slice(&[0; 64]);
    out.push((
        "zero padding after a CMS that is not in a PDF",
        padded,
        "after the ContentInfo",
    ));
    out
}

#[test]
fn class5_single_valued_attributes_and_trailing_bytes_are_refused() {
    let pki = Pki::dated();
    let crl = pki.crl("current");
    let base = cms_sign(&pki, "signer", CONTENT);
    assert_eq!(says(&verify(&pki, &crl, &base, CONTENT)), (Indication::Passed, None));
    println!("{:<62} {:<34} openssl(default/any)", "variant", "ours");
    for (i, (name, cms, word)) in attribute_variants(&pki, &base).into_iter().enumerate() {
        let v = verify(&pki, &crl, &cms, CONTENT);
        println!(
            "{name:<62} {:<34} {}/{}",
            format!("{:?}/{:?}", v.indication, v.sub_indication.map(|s| s.as_str())),
            openssl_says(&pki, &cms, CONTENT, None),
            openssl_says(&pki, &cms, CONTENT, Some("any")),
        );
        if i == 0 {
            assert_eq!(says(&v), (Indication::Passed, None), "{name}: {}", v.detail);
            continue;
        }
        assert_eq!(
            says(&v),
            (Indication::Failed, Some(SubIndication::FormatFailure)),
            "{name}: {}",
            v.detail
        );
        assert!(v.detail.contains(word), "{name}: {:?} lacks {word:?}", v.detail);
    }
}

#[test]
fn zero_padding_is_admitted_only_from_a_pdf_and_only_zeros() {
    let pki = Pki::dated();
    let crl = pki.crl("current");
    let base = cms_sign(&pki, "signer", CONTENT);
    let anchors = vec![pki.root.clone()];
    let crls = vec![crl.clone()];
    let policy = Policy::cades_baseline();
    let ctx = ValidationContext {
        anchors: &anchors,
        intermediates: &[],
        crls: &crls,
        validation_time: OffsetDateTime::now_utc(),
        proof_of_existence: None,
        policy: &policy,
        all_signers: false,
        chain_cache: None,
    };
    let (first, second) = CONTENT.split_at(10);
    let pdf = |cms: &[u8]| verify_detached_parts_claimed(cms, &[first, second], &ctx, None).remove(0);
    let mut padded = base.clone();
    padded.extend_from_slice(&[0; 4000]);
    assert_eq!(
        says(&pdf(&padded)),
        (Indication::Passed, None),
        "{}",
        pdf(&padded).detail
    );
    // A padding with one non-zero byte, or data after the CMS, is not padding.
    for (at, byte) in [(0, 0x01), (3999, 0x01), (2000, 0x30)] {
        let mut bad = padded.clone();
        bad[base.len() + at] = byte;
        let v = pdf(&bad);
        assert_eq!(
            says(&v),
            (Indication::Failed, Some(SubIndication::FormatFailure)),
            "{at}: {}",
            v.detail
        );
        assert!(v.detail.contains("not zero padding"), "{}", v.detail);
    }
    // Outside a PDF, even zeros are refused.
    let v = verify_detached(&padded, CONTENT, &ctx).remove(0);
    assert_eq!(
        says(&v),
        (Indication::Failed, Some(SubIndication::FormatFailure)),
        "{}",
        v.detail
    );
}

/// Extensions of a document signer's certificate, `extra` added.
fn signer_extensions(key_usage: Option<&str>, extra: &str) -> String {
    let mut text =
        "basicConstraints = critical, CA:FALSE\nsubjectKeyIdentifier = hash\nauthorityKeyIdentifier = keyid\n"
            .to_string();
    if let Some(ku) = key_usage {
        text.push_str(&format!("keyUsage = critical, {ku}\n"));
    }
    text.push_str(extra);
    text
}

const SIGNING_KU: Option<&str> = Some("digitalSignature, nonRepudiation");

/// (name, certificate extensions, acceptable as a document signer, the word the refusal names).
fn certificate_variants() -> Vec<(&'static str, String, bool, &'static str)> {
    let eku = |line: &str| signer_extensions(SIGNING_KU, &format!("extendedKeyUsage = {line}\n"));
    vec![
        (
            "control: no extendedKeyUsage",
            signer_extensions(SIGNING_KU, ""),
            true,
            "",
        ),
        ("emailProtection", eku("emailProtection"), true, ""),
        (
            "clientAuth, emailProtection (the usual token)",
            eku("clientAuth, emailProtection"),
            true,
            "",
        ),
        ("documentSigning (RFC 9336)", eku("1.3.6.1.5.5.7.3.36"), true, ""),
        ("anyExtendedKeyUsage", eku("anyExtendedKeyUsage"), true, ""),
        ("Microsoft Document Signing", eku("1.3.6.1.4.1.311.10.3.12"), true, ""),
        ("Adobe Authentic Documents Trust", eku("1.2.840.113583.1.1.5"), true, ""),
        (
            "no keyUsage (accepted by policy)",
            signer_extensions(None, ""),
            true,
            "",
        ),
        ("serverAuth", eku("serverAuth"), false, "serverAuth"),
        (
            "serverAuth, clientAuth",
            eku("serverAuth, clientAuth"),
            false,
            "serverAuth, clientAuth",
        ),
        ("clientAuth", eku("clientAuth"), false, "clientAuth"),
        (
            "critical timeStamping",
            eku("critical, timeStamping"),
            false,
            "timeStamping",
        ),
        ("OCSPSigning", eku("OCSPSigning"), false, "OCSPSigning"),
        ("codeSigning", eku("codeSigning"), false, "codeSigning"),
        (
            "codeSigning, serverAuth, 1.2.3.4",
            eku("codeSigning, serverAuth, 1.2.3.4"),
            false,
            "1.2.3.4",
        ),
        (
            "keyUsage keyEncipherment only",
            signer_extensions(Some("keyEncipherment"), ""),
            false,
            "keyUsage",
        ),
        (
            "a CA certificate with digitalSignature",
            "basicConstraints = critical, CA:TRUE\nkeyUsage = critical, keyCertSign, cRLSign, digitalSignature\n\
             subjectKeyIdentifier = hash\nauthorityKeyIdentifier = keyid\n"
                .to_string(),
            false,
            "CA certificate",
        ),
    ]
}

#[test]
fn class4_a_signer_certificate_must_be_for_signing_documents() {
    let pki = Pki::dated();
    let crl = pki.crl("current");
    println!("{:<48} {:<48} openssl(default/any)", "signer certificate", "ours");
    for (i, (name, extensions, acceptable, word)) in certificate_variants().into_iter().enumerate() {
        let file = format!("leaf{i}");
        pki.issue_with_extensions(&file, &extensions);
        let cms = cms_sign(&pki, &file, CONTENT);
        let v = verify(&pki, &crl, &cms, CONTENT);
        println!(
            "{name:<48} {:<48} {}/{}",
            format!("{:?}/{:?}", v.indication, v.sub_indication.map(|s| s.as_str())),
            openssl_says(&pki, &cms, CONTENT, None),
            openssl_says(&pki, &cms, CONTENT, Some("any")),
        );
        if acceptable {
            assert_eq!(says(&v), (Indication::Passed, None), "{name}: {}", v.detail);
        } else {
            assert_eq!(
                says(&v),
                (Indication::Indeterminate, Some(SubIndication::ChainConstraintsFailure)),
                "{name}: {}",
                v.detail
            );
            assert!(v.detail.contains(word), "{name}: {:?} lacks {word:?}", v.detail);
        }
    }
}

fn sign_events(t: &TempVault, id: &results_vault::ResultId) -> usize {
    t.vault
        .history(id)
        .unwrap()
        .iter()
        .filter(|e| e.kind == EventKind::Sign)
        .count()
}

fn vault_setup() -> (TempVault, TestSigner, results_vault::ResultId) {
    let s = TestSigner::new();
    let t = temp_vault();
    s.trust(&t.vault);
    let id = t
        .vault
        .ingest(birth_extract("P-17"), &noise(17, 2000))
        .unwrap()
        .record
        .result_id;
    (t, s, id)
}

fn refused(r: results_vault::Result<results_vault::StoredSignature>) -> (Indication, Option<SubIndication>, String) {
    match r {
        Err(Error::Signing(SigningError::NotAccepted {
            indication,
            sub_indication,
            detail,
        })) => (indication, sub_indication, detail),
        other => panic!("expected a refused reply, got {other:?}"),
    }
}

#[test]
fn class5_the_vault_refuses_a_reply_with_two_digests_and_stores_nothing() {
    let (t, s, id) = vault_setup();
    let session = t
        .vault
        .begin_signing(&id, vec![s.pki.signer.clone()], DigestAlgorithm::Sha256)
        .unwrap();
    let envelope = t.vault.envelope(&id).unwrap();
    let base = cms_sign(&s.pki, "signer", envelope.as_bytes());
    // The digests of two records' envelopes in one messageDigest: one signature for both.
    let mut other = birth_extract("P-18");
    other.document_number = "18/TLKS".into();
    let other_id = t.vault.ingest(other, &noise(18, 2000)).unwrap().record.result_id;
    let other_digest = DigestAlgorithm::Sha256.digest(t.vault.envelope(&other_id).unwrap().as_bytes());
    let mut two = Cms::parse(&base);
    two.values(der::MESSAGE_DIGEST).push(Node::Prim(0x04, other_digest));
    two.resign(s.pki.dir.path(), "signer.key");
    let mut trailing = base.clone();
    trailing.extend_from_slice(&[0; 8]);
    for (name, cms) in [("two digests", two.encode()), ("zero bytes after the CMS", trailing)] {
        let (indication, sub, detail) = refused(
            t.vault
                .complete_signing(&session.session_id, SignatureReply::Cms { cms }),
        );
        assert_eq!(
            (indication, sub),
            (Indication::Failed, Some(SubIndication::FormatFailure)),
            "{name}: {detail}"
        );
        assert!(t.vault.signatures(&id).unwrap().is_empty(), "{name}");
        assert!(t.vault.signatures(&other_id).unwrap().is_empty(), "{name}");
        assert_eq!(sign_events(&t, &id), 0, "{name}");
    }
    // The control: the same construction, one digest, completes the session.
    let mut one = Cms::parse(&base);
    one.resign(s.pki.dir.path(), "signer.key");
    t.vault
        .complete_signing(&session.session_id, SignatureReply::Cms { cms: one.encode() })
        .unwrap();
    assert_eq!(t.vault.signatures(&id).unwrap().len(), 1);
}

#[test]
fn class4_the_vault_refuses_a_tls_server_certificate_at_begin_and_at_complete() {
    let (t, s, id) = vault_setup();
    let server = s.pki.issue_with_extensions(
        "server",
        &signer_extensions(SIGNING_KU, "extendedKeyUsage = serverAuth\n"),
    );
    // At `sign begin`: the same rule as the engine's.
    match t
        .vault
        .begin_signing(&id, vec![server.clone()], DigestAlgorithm::Sha256)
    {
        Err(Error::Signing(SigningError::BadCertificateChain(why))) => {
            assert!(why.contains("extendedKeyUsage (serverAuth)"), "{why}")
        }
        other => panic!("expected a refused chain, got {other:?}"),
    }
    // A session opened before this rule (stored by an older version; simulated by
    // swapping its stored chain): the reply is verified and refused at completion.
    let session = t
        .vault
        .begin_signing(&id, vec![s.pki.signer.clone()], DigestAlgorithm::Sha256)
        .unwrap();
    raw_sqlite(&t.path())
        .execute(
            "UPDATE signing_sessions SET chain = ?1 WHERE session_id = ?2",
            (&server, &session.session_id),
        )
        .unwrap();
    let envelope = t.vault.envelope(&id).unwrap();
    let cms = cms_sign(&s.pki, "server", envelope.as_bytes());
    let (indication, sub, detail) = refused(
        t.vault
            .complete_signing(&session.session_id, SignatureReply::Cms { cms: cms.clone() }),
    );
    assert_eq!(
        (indication, sub),
        (Indication::Indeterminate, Some(SubIndication::ChainConstraintsFailure)),
        "{detail}"
    );
    assert!(detail.contains("serverAuth"), "{detail}");
    // Attached as a finished CMS: refused the same way.
    let (_, sub, _) = refused(t.vault.attach_signature(&id, &cms));
    assert_eq!(sub, Some(SubIndication::ChainConstraintsFailure));
    assert!(t.vault.signatures(&id).unwrap().is_empty());
    assert_eq!(sign_events(&t, &id), 0);
    // The control: a document signer's CMS over the same envelope is accepted.
    t.vault
        .attach_signature(&id, &cms_sign(&s.pki, "signer", envelope.as_bytes()))
        .unwrap();
    assert_eq!(t.vault.signatures(&id).unwrap().len(), 1);
}
