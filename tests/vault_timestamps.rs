//! The vault's own signatures at CAdES B-T / B-LT (issue 21, point 3), against real peers:
//! an RFC 3161 TSA made by `openssl ts -reply` on 127.0.0.1 (tests/common/tsa.rs), the
//! exported CMS checked by `openssl cms -verify` and its token by `openssl ts -verify`.
//!
//! The TSA stamps with the machine's clock, so these vaults run on the real clock (the
//! test PKI is valid 2026-2036); every check is given the vault's time, never reads one.
#![cfg(feature = "remote")]

mod common;
#[path = "vault_timestamps/entry_points.rs"]
mod entry_points;
#[path = "vault_timestamps/lab.rs"]
mod lab;

use std::sync::Arc;
use std::time::{Duration, Instant};

use common::der::Node;
use common::pki::openssl;
use common::tsa::LoopbackPeers;
use lab::*;
use results_vault::remote::tsa::{TsaClient, TsaConfig};
use results_vault::{DigestAlgorithm, Error, Indication, SigningError, Timestamper, Vault, VaultOptions};
use time::OffsetDateTime;

#[test]
fn a_signed_result_is_timestamped_and_verifies_in_openssl_with_its_evidence() {
    let lab = Lab::new();
    let peers = LoopbackPeers::start(lab.dir());
    let (t, id) = lab.vault(Some(client(peers.url("/tsa/tsa"))));
    let stored = lab.sign(&t.vault, &id).unwrap();
    assert_eq!(
        stored.acceptance.indication,
        Indication::Passed,
        "{}",
        stored.acceptance.detail
    );
    let served = peers.stop();
    assert_eq!(served.len(), 1, "one request to the TSA: {served:?}");
    assert_eq!(served[0].status, 200);

    // The signature: openssl verifies it over the envelope, trusting only the root.
    let envelope = t.vault.envelope(&id).unwrap();
    assert!(lab.s.pki.openssl_verifies(&stored.cms, envelope.as_bytes(), None));

    // The token: openssl ts verifies it over the SHA-256 of the signature value.
    let token = token_of(&stored.cms);
    write(&lab, "token.der", &token);
    let digest = hex(&DigestAlgorithm::Sha256.digest(&signature_value(&stored.cms)));
    let ts_verify = |digest: &str| {
        openssl(
            lab.dir(),
            &[
                "ts",
                "-verify",
                "-digest",
                digest,
                "-in",
                "token.der",
                "-token_in",
                "-CAfile",
                "root.pem",
            ],
        )
    };
    assert!(ts_verify(&digest), "openssl ts -verify refused the token");
    // Over other bytes it must fail (the check can fail).
    assert!(!ts_verify(&hex(&DigestAlgorithm::Sha256.digest(b"other bytes"))));

    // The evidence the acceptance used is in the CMS: its CRLs byte for byte.
    let crls = crls_of(&stored.cms);
    assert!(!stored.acceptance.crls_used.is_empty() || !stored.acceptance.ocsp_used.is_empty());
    for used in &stored.acceptance.crls_used {
        let der = t.vault.kept_crl(&used.sha256.parse().unwrap()).unwrap().expect("kept");
        assert!(
            crls.iter().any(|n| n.encode() == der),
            "CRL {} is in the CMS",
            used.sha256
        );
    }
    // The chain: the signer's and the TSA's certificates.
    let certs = certificates_of(&stored.cms);
    assert!(certs.contains(&lab.s.pki.signer));
    let tsa_der = lab.s.pki.der("x509", "tsa.pem");
    assert!(certs.contains(&tsa_der));

    // What the vault keeps is what it verified: the extended CMS.
    let kept = t.vault.signatures(&id).unwrap();
    assert_eq!(kept.len(), 1);
    assert_eq!(kept[0].cms, stored.cms);
    let now = OffsetDateTime::now_utc();
    let verdict = t.vault.verify_record(&id, now).unwrap();
    assert!(verdict.reusable, "{:?}", verdict.reasons);
    // The lead's verifier reads the timestamp and the evidence: B-LT (this assertion
    // fails until src/verify reports levels for CMS signatures).
    let level = verdict.signatures[0].verdict.level;
    assert_eq!(
        level.map(|l| serde_json::to_value(l).unwrap()),
        Some(serde_json::json!("B-LT")),
        "level {level:?}; timestamps {:?}",
        verdict.signatures[0].verdict.timestamps
    );
}

#[test]
fn an_ocsp_response_the_acceptance_used_is_carried_as_rfc_5940_other_revocation_info() {
    let lab = Lab::new();
    // The root answers OCSP for the signer (as `openssl ocsp` over the CA's index).
    assert!(openssl(
        lab.dir(),
        &[
            "ocsp",
            "-index",
            "index.txt",
            "-CA",
            "root.pem",
            "-rsigner",
            "root.pem",
            "-rkey",
            "root.key",
            "-issuer",
            "root.pem",
            "-cert",
            "signer.pem",
            "-respout",
            "signer.ocsp",
            "-ndays",
            "7",
        ]
    ));
    let ocsp = std::fs::read(lab.dir().join("signer.ocsp")).unwrap();
    let peers = LoopbackPeers::start(lab.dir());
    let (t, id) = lab.vault(Some(client(peers.url("/tsa/tsa"))));
    t.vault.add_ocsp_response(&ocsp).unwrap();
    let stored = lab.sign(&t.vault, &id).unwrap();
    drop(peers);
    let crls = crls_of(&stored.cms);
    assert!(
        !stored.acceptance.ocsp_used.is_empty(),
        "the acceptance used the OCSP response: {:?}",
        stored.acceptance.revocation
    );
    let carried = crls.iter().any(|n| {
        n.tag() == 0xa1 && n.children()[0] == Node::Prim(0x06, RI_OCSP.to_vec()) && n.children()[1].encode() == ocsp
    });
    assert!(
        carried,
        "the OCSP response is an [1] OtherRevocationInfoFormat id-ri-ocsp-response"
    );
    // SignedData version 5 (RFC 5652 §5.1) and openssl still verifies.
    let mut c = common::der::Cms::parse(&stored.cms);
    assert_eq!(c.signed_data().children()[0], Node::Prim(0x02, vec![5]));
    let envelope = t.vault.envelope(&id).unwrap();
    assert!(lab.s.pki.openssl_verifies(&stored.cms, envelope.as_bytes(), None));
}

#[test]
fn without_a_tsa_the_signature_is_as_before() {
    let lab = Lab::new();
    let (t, id) = lab.vault(None);
    let stored = lab.sign(&t.vault, &id).unwrap();
    assert!(unsigned_attributes(&stored.cms).is_none(), "no unsigned attributes");
    assert!(crls_of(&stored.cms).is_empty(), "no crls");
    assert_eq!(certificates_of(&stored.cms), vec![lab.s.pki.signer.clone()]);
    // Byte for byte what the session's signed attributes and the key give: the CMS the
    // vault assembles without a TSA (RSA PKCS#1 v1.5 is deterministic).
    let session_attrs = {
        let si = signer_info(&stored.cms);
        let attrs = si.children().iter().find(|n| n.tag() == 0xa0).unwrap().clone();
        let Node::Cons(_, c) = attrs else { panic!() };
        Node::Cons(0x31, c).encode()
    };
    write(&lab, "attrs.der", &session_attrs);
    assert!(openssl(
        lab.dir(),
        &[
            "dgst",
            "-sha256",
            "-sign",
            "signer.key",
            "-out",
            "attrs.sig",
            "attrs.der"
        ]
    ));
    assert_eq!(
        std::fs::read(lab.dir().join("attrs.sig")).unwrap(),
        signature_value(&stored.cms)
    );
}

#[test]
fn a_tsa_answering_for_another_imprint_is_refused_and_nothing_is_kept() {
    let lab = Lab::new();
    let _ = LoopbackPeers::start(lab.dir()); // writes ts.cnf and the serial file
    let dir = lab.dir().to_path_buf();
    let canned = Canned::start(move |query| {
        // The same query, nonce included, with the imprint's bytes flipped.
        let mut other = query.to_vec();
        let at = other.windows(2).rposition(|w| w == [0x04, 0x20]).unwrap() + 2;
        other[at] ^= 0xff;
        ts_reply(&dir, &other, "tsa")
    });
    let (t, id) = lab.vault(Some(client(canned.url.clone())));
    let (session, done) = complete(&lab, &t.vault, &id);
    match done {
        Err(Error::Signing(SigningError::Timestamp(detail))) => assert!(detail.contains("imprint"), "{detail}"),
        other => panic!("expected a timestamp error, got {other:?}"),
    }
    nothing_kept(&t.vault, &id);
    assert_eq!(
        t.vault.signing_session(&session).unwrap().state,
        results_vault::SessionState::Open,
        "the session may be completed again once the TSA is fixed"
    );
}

/// A Timestamper that gets a good token for other bytes: the vault's own check refuses it.
struct OtherBytes(String);

impl Timestamper for OtherBytes {
    fn timestamp(&self, _data: &[u8]) -> Result<Vec<u8>, SigningError> {
        TsaClient::new(TsaConfig::new(self.0.clone()))?.timestamp(b"not the signature value")
    }
}

#[test]
fn a_token_over_other_bytes_fails_the_vaults_own_check() {
    let lab = Lab::new();
    let peers = LoopbackPeers::start(lab.dir());
    let (t, id) = lab.vault(Some(Arc::new(OtherBytes(peers.url("/tsa/tsa")))));
    let (_, done) = complete(&lab, &t.vault, &id);
    match done {
        Err(Error::Signing(SigningError::TimestampNotAccepted { indication, .. })) => {
            assert_eq!(indication, Indication::Failed)
        }
        other => panic!("expected TimestampNotAccepted, got {other:?}"),
    }
    nothing_kept(&t.vault, &id);
}

#[test]
fn a_tsa_that_rejects_is_a_clear_error() {
    let lab = Lab::new();
    // TimeStampResp { PKIStatusInfo { rejection, failInfo badAlg } }
    let canned = Canned::start(|_| vec![0x30, 0x09, 0x30, 0x07, 0x02, 0x01, 0x02, 0x03, 0x02, 0x07, 0x80]);
    let (t, id) = lab.vault(Some(client(canned.url.clone())));
    let (_, done) = complete(&lab, &t.vault, &id);
    let err = done.unwrap_err();
    assert!(
        matches!(&err, Error::Signing(SigningError::Timestamp(d)) if d.contains("rejection")),
        "{err}"
    );
    nothing_kept(&t.vault, &id);
}

#[test]
fn a_tsa_without_the_time_stamping_purpose_is_refused() {
    let lab = Lab::new();
    let _ = LoopbackPeers::start(lab.dir());
    let dir = lab.dir().to_path_buf();
    // openssl ts will not sign with such a certificate: the TSTInfo it made (nonce and
    // imprint right) is signed again by `noeku`, CAdES (ESS signing-certificate-v2).
    let canned = Canned::start(move |query| {
        let resp = ts_reply(&dir, query, "tsa");
        std::fs::write(dir.join("good.tok"), token_in(&resp)).unwrap();
        assert!(openssl(
            &dir,
            &[
                "cms",
                "-verify",
                "-noverify",
                "-binary",
                "-inform",
                "DER",
                "-in",
                "good.tok",
                "-out",
                "tst.der"
            ]
        ));
        assert!(openssl(
            &dir,
            &[
                "cms",
                "-sign",
                "-binary",
                "-nodetach",
                "-cades",
                "-nosmimecap",
                "-econtent_type",
                "1.2.840.113549.1.9.16.1.4",
                "-in",
                "tst.der",
                "-signer",
                "noeku.pem",
                "-inkey",
                "noeku.key",
                "-md",
                "sha256",
                "-outform",
                "DER",
                "-out",
                "bad.tok",
            ]
        ));
        with_token(&resp, &std::fs::read(dir.join("bad.tok")).unwrap())
    });
    let (t, id) = lab.vault(Some(client(canned.url.clone())));
    let (_, done) = complete(&lab, &t.vault, &id);
    match done {
        Err(Error::Signing(SigningError::TimestampNotAccepted { indication, detail, .. })) => {
            assert_ne!(indication, Indication::Passed);
            assert!(
                detail.to_lowercase().contains("timestamping") || detail.contains("1.3.6.1.5.5.7.3.8"),
                "{detail}"
            );
        }
        other => panic!("expected TimestampNotAccepted, got {other:?}"),
    }
    nothing_kept(&t.vault, &id);
}

#[test]
fn a_tsa_that_does_not_answer_times_out_and_nothing_is_kept() {
    let lab = Lab::new();
    // Accepts connections, never answers.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/tsr", listener.local_addr().unwrap());
    let (t, id) = lab.vault(Some(client(url)));
    let started = Instant::now();
    let (session, done) = complete(&lab, &t.vault, &id);
    assert!(started.elapsed() < Duration::from_secs(20), "bounded by the timeout");
    let err = done.unwrap_err();
    assert!(matches!(err, Error::Signing(SigningError::Timestamp(_))), "{err}");
    nothing_kept(&t.vault, &id);
    drop(listener);

    // Once a TSA answers, the same session completes (the reply is the same).
    let peers = LoopbackPeers::start(lab.dir());
    let again = Vault::open(
        t.path(),
        VaultOptions {
            clock: Arc::new(OffsetDateTime::now_utc),
            timestamper: Some(client(peers.url("/tsa/tsa"))),
            ..VaultOptions::default()
        },
    )
    .unwrap();
    use results_vault::Signer;
    let reply = lab.s.signer.sign(&again.signing_session(&session).unwrap()).unwrap();
    let stored = again.complete_signing(&session, reply).unwrap();
    assert!(unsigned_attributes(&stored.cms).is_some());
}
