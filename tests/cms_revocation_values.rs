//! Revocation evidence a CMS carries for its signer: CRLs in SignedData's `crls`, OCSP
//! responses there as RFC 5940 other revocation info, and both in the
//! adbe-revocationInfoArchival signed attribute (what PDF signers embed). Carried evidence
//! proves itself by its issuer's signature, exactly as evidence the caller gives: a forged
//! CRL counts for nothing, and an older CRL the signer carries cannot hide a revocation
//! the caller knows of.

mod common;

use common::der::{parse, Cms, Node};
use common::pki::{openssl, Pki};
use results_vault::verify::signature::{verify_detached, Policy, SignatureVerdict, ValidationContext};
use results_vault::{Indication, SubIndication};
use time::OffsetDateTime;

const CONTENT: &[u8] = b"giay khai sinh, ban chinh";

/// adbe-revocationInfoArchival, 1.2.840.113583.1.1.8, as encoded.
const REVOCATION_INFO_ARCHIVAL: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x2f, 0x01, 0x01, 0x08];
/// id-ri-ocsp-response, 1.3.6.1.5.5.7.16.2, as encoded.
const RI_OCSP_RESPONSE: &[u8] = &[0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x10, 0x02];

/// The verdict on `cms` over CONTENT at `at`, trusting the PKI's root, with `crls` given
/// by the caller, under CAdES baseline (revocation data required).
fn verdict(pki: &Pki, cms: &[u8], crls: &[Vec<u8>], at: OffsetDateTime) -> SignatureVerdict {
    let anchors = vec![pki.root.clone()];
    let policy = Policy::cades_baseline();
    let ctx = ValidationContext {
        anchors: &anchors,
        intermediates: &[],
        crls,
        validation_time: at,
        proof_of_existence: None,
        policy: &policy,
        all_signers: false,
        chain_cache: None,
    };
    verify_detached(cms, CONTENT, &ctx).remove(0)
}

/// `cms` with `choices` as SignedData's `[1] crls` (RevocationInfoChoices), placed after
/// the certificates as RFC 5652 orders it. SignedData is not signed: the signature holds.
fn with_revocation_choices(cms: &[u8], choices: Vec<Node>) -> Vec<u8> {
    let mut cms = Cms::parse(cms);
    let sd = cms.signed_data().children_mut();
    let after_certificates = sd.iter().position(|n| n.tag() == 0xa0).expect("certificates") + 1;
    sd.insert(after_certificates, Node::Cons(0xa1, choices));
    cms.encode()
}

/// An OCSP response from the root itself (openssl ocsp, index from openssl ca) about the
/// signer, valid 7 days (DER).
fn ocsp_response(pki: &Pki) -> Vec<u8> {
    let dir = pki.dir.path();
    assert!(openssl(
        dir,
        &[
            "ocsp",
            "-issuer",
            "root.pem",
            "-cert",
            "signer.pem",
            "-no_nonce",
            "-reqout",
            "req.der"
        ]
    ));
    assert!(openssl(
        dir,
        &[
            "ocsp",
            "-index",
            "index.txt",
            "-rsigner",
            "root.pem",
            "-rkey",
            "root.key",
            "-CA",
            "root.pem",
            "-reqin",
            "req.der",
            "-respout",
            "resp.der",
            "-ndays",
            "7"
        ]
    ));
    std::fs::read(pki.path("resp.der")).unwrap()
}

fn node(der: &[u8]) -> Node {
    parse(der).0
}

#[test]
fn without_any_revocation_data_the_verdict_waits() {
    let pki = Pki::new();
    let v = verdict(&pki, &pki.sign(CONTENT, &["-cades"]), &[], OffsetDateTime::now_utc());
    assert_eq!(
        (v.indication, v.sub_indication),
        (Indication::Indeterminate, Some(SubIndication::TryLater)),
        "{}",
        v.detail
    );
}

#[test]
fn a_crl_in_the_signed_datas_crls_answers_for_the_signer() {
    let pki = Pki::new();
    let crl = pki.crl("root");
    let cms = with_revocation_choices(&pki.sign(CONTENT, &["-cades"]), vec![node(&crl)]);
    let v = verdict(&pki, &cms, &[], OffsetDateTime::now_utc());
    assert_eq!(v.indication, Indication::Passed, "{}", v.detail);
    assert_eq!(v.revocation.status, "GOOD");
    assert_eq!(v.crls_used.len(), 1, "the carried CRL is named as evidence");
    assert_eq!(v.crls_used[0].sha256, results_vault::hash::Sha256::of(&crl).to_hex());
}

#[test]
fn an_ocsp_response_as_rfc5940_other_revocation_info_answers_for_the_signer() {
    let pki = Pki::new();
    let response = ocsp_response(&pki);
    let other = Node::Cons(0xa1, vec![Node::Prim(0x06, RI_OCSP_RESPONSE.to_vec()), node(&response)]);
    let cms = with_revocation_choices(&pki.sign(CONTENT, &["-cades"]), vec![other]);
    let v = verdict(&pki, &cms, &[], OffsetDateTime::now_utc());
    assert_eq!(v.indication, Indication::Passed, "{}", v.detail);
    let source = v.revocation.source.unwrap_or_default();
    assert!(source.starts_with("OCSP response"), "{source}");
}

#[test]
fn the_revocation_info_archival_attribute_answers_and_stays_signed() {
    let pki = Pki::new();
    let crl = pki.crl("root");
    let response = ocsp_response(&pki);
    // RevocationInfoArchival ::= SEQUENCE { crl [0] EXPLICIT SEQUENCE OF CertificateList,
    //                                       ocsp [1] EXPLICIT SEQUENCE OF OCSPResponse }
    for (what, archival) in [
        (
            "a CRL",
            Node::Cons(0x30, vec![Node::Cons(0xa0, vec![Node::Cons(0x30, vec![node(&crl)])])]),
        ),
        (
            "an OCSP response",
            Node::Cons(
                0x30,
                vec![Node::Cons(0xa1, vec![Node::Cons(0x30, vec![node(&response)])])],
            ),
        ),
    ] {
        let mut cms = Cms::parse(&pki.sign(CONTENT, &["-cades"]));
        cms.attributes().push(Node::Cons(
            0x30,
            vec![
                Node::Prim(0x06, REVOCATION_INFO_ARCHIVAL.to_vec()),
                Node::Cons(0x31, vec![archival]),
            ],
        ));
        cms.resign(pki.dir.path(), "signer.key");
        let v = verdict(&pki, &cms.encode(), &[], OffsetDateTime::now_utc());
        assert_eq!(v.indication, Indication::Passed, "{what}: {}", v.detail);
        assert_eq!(v.revocation.status, "GOOD", "{what}");
    }
}

#[test]
fn a_forged_crl_carried_in_the_cms_counts_for_nothing() {
    let pki = Pki::new();
    let cms = with_revocation_choices(&pki.sign(CONTENT, &["-cades"]), vec![node(&pki.forged_crl())]);
    let v = verdict(&pki, &cms, &[], OffsetDateTime::now_utc());
    assert_eq!(
        (v.indication, v.sub_indication),
        (Indication::Indeterminate, Some(SubIndication::TryLater)),
        "{}",
        v.detail
    );
}

#[test]
fn an_older_crl_the_signer_carries_cannot_hide_a_revocation_the_caller_knows() {
    let pki = Pki::new();
    let before = pki.crl("before");
    let cms = with_revocation_choices(&pki.sign(CONTENT, &["-cades"]), vec![node(&before)]);
    pki.revoke_signer();
    let after = pki.crl("after");
    // A second later: the revocation (dated now) is at or before the validation time.
    let at = OffsetDateTime::now_utc() + time::Duration::seconds(2);
    let v = verdict(&pki, &cms, &[after], at);
    assert_eq!(
        (v.indication, v.sub_indication),
        (Indication::Failed, Some(SubIndication::Revoked)),
        "{}",
        v.detail
    );
}

#[test]
fn malformed_carried_evidence_is_ignored_not_a_failure_of_the_cms() {
    let pki = Pki::new();
    let junk = vec![
        Node::Cons(0x30, vec![Node::Prim(0x02, vec![1])]),
        Node::Cons(
            0xa1,
            vec![
                Node::Prim(0x06, RI_OCSP_RESPONSE.to_vec()),
                Node::Prim(0x04, b"junk".to_vec()),
            ],
        ),
        Node::Cons(0xa1, vec![Node::Prim(0x06, vec![0x2b, 0x06]), Node::Cons(0x30, vec![])]),
    ];
    let cms = with_revocation_choices(&pki.sign(CONTENT, &["-cades"]), junk);
    let v = verdict(&pki, &cms, &[pki.crl("root")], OffsetDateTime::now_utc());
    assert_eq!(v.indication, Indication::Passed, "{}", v.detail);
}
