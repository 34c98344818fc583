//! Two-phase signing sessions: they survive a restart, expire, complete at most once,
//! can be cancelled, and a bad reply stores nothing and leaves the session open.

mod common;

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;

use common::signing::TestSigner;
use common::*;
use results_vault::{
    DigestAlgorithm, Error, EventKind, LocalSigner, RawAlgorithm, SessionState, SignatureReply, Signer, SigningError,
    Vault, VaultOptions,
};
use time::macros::datetime;
use time::OffsetDateTime;

/// A clock the test moves by hand.
fn manual_clock() -> (Arc<AtomicI64>, results_vault::Clock) {
    let t = Arc::new(AtomicI64::new(datetime!(2026-11-01 10:00 UTC).unix_timestamp()));
    let read = t.clone();
    let clock: results_vault::Clock =
        Arc::new(move || OffsetDateTime::from_unix_timestamp(read.load(Ordering::SeqCst)).unwrap());
    (t, clock)
}

fn setup(options: VaultOptions) -> (TempVault, TestSigner, results_vault::ResultId) {
    let s = TestSigner::new();
    let t = temp_vault_with(options);
    s.trust(&t.vault);
    let id = t
        .vault
        .ingest(birth_extract("P-1"), &noise(7, 2000))
        .unwrap()
        .record
        .result_id;
    (t, s, id)
}

fn sign_events(v: &Vault, id: &results_vault::ResultId) -> usize {
    v.history(id)
        .unwrap()
        .iter()
        .filter(|e| e.kind == EventKind::Sign)
        .count()
}

#[test]
fn a_session_survives_a_restart_and_completes_once() {
    let (t, s, id) = setup(options());
    let session = t
        .vault
        .begin_signing(&id, vec![s.pki.signer.clone()], DigestAlgorithm::Sha256)
        .unwrap();
    assert_eq!(session.state, SessionState::Open);
    let reply = s.signer.sign(&session).unwrap();
    let path = t.path();
    drop(t.vault);

    // The portal process restarts; the provider's answer arrives afterwards.
    let vault = Vault::open(&path, options()).unwrap();
    let reloaded = vault.signing_session(&session.session_id).unwrap();
    assert_eq!(reloaded, session, "the session is stored whole");
    let stored = vault.complete_signing(&session.session_id, reply.clone()).unwrap();
    assert_eq!(stored.result_id, id);
    // The completion time is the proof of existence, and the sign event records it.
    let events = vault.history(&id).unwrap();
    let sign = events.iter().find(|e| e.kind == EventKind::Sign).unwrap();
    assert_eq!(sign.at, stored.proof_of_existence);
    assert_eq!(sign.seq, stored.event_seq);
    assert_eq!(sign.details["signature"], stored.sha256.to_hex());
    assert_eq!(
        vault.signing_session(&session.session_id).unwrap().state,
        SessionState::Completed
    );

    // The same reply again: the same signature, nothing new.
    let head = vault.log_head().unwrap();
    assert_eq!(vault.complete_signing(&session.session_id, reply).unwrap(), stored);
    assert_eq!(vault.log_head().unwrap(), head);
    // Another (valid) reply after completion: refused.
    let other = s.signer.sign(&session).unwrap();
    let other = match other {
        SignatureReply::Raw { algorithm, mut value } => {
            // RSA PKCS#1 is deterministic: make a different, still well-formed reply.
            value[0] ^= 1;
            SignatureReply::Raw { algorithm, value }
        }
        cms => cms,
    };
    assert!(matches!(
        vault.complete_signing(&session.session_id, other),
        Err(Error::Signing(SigningError::AlreadyCompleted { .. }))
    ));
    assert!(matches!(
        vault.cancel_signing(&session.session_id),
        Err(Error::Signing(SigningError::AlreadyCompleted { .. }))
    ));
    assert_eq!(vault.signatures(&id).unwrap().len(), 1);
    assert!(vault.verify_log().unwrap().is_intact());
}

#[test]
fn a_bad_reply_stores_nothing_and_leaves_the_session_open() {
    let (t, s, id) = setup(options());
    let v = &t.vault;
    let session = v
        .begin_signing(&id, vec![s.pki.signer.clone()], DigestAlgorithm::Sha256)
        .unwrap();
    let head = v.log_head().unwrap();
    let good = s.signer.sign(&session).unwrap();
    let SignatureReply::Raw { value, .. } = &good else {
        panic!("raw expected")
    };

    let mut flipped = value.clone();
    flipped[10] ^= 0x40;
    let bad_replies = [
        (
            "flipped bit",
            SignatureReply::Raw {
                algorithm: RawAlgorithm::RsaPkcs1,
                value: flipped,
            },
        ),
        (
            "wrong algorithm for the key",
            SignatureReply::Raw {
                algorithm: RawAlgorithm::Ecdsa,
                value: value.clone(),
            },
        ),
        (
            "empty",
            SignatureReply::Raw {
                algorithm: RawAlgorithm::RsaPkcs1,
                value: Vec::new(),
            },
        ),
        (
            "not a CMS",
            SignatureReply::Cms {
                cms: b"garbage".to_vec(),
            },
        ),
        ("empty CMS", SignatureReply::Cms { cms: Vec::new() }),
    ];
    for (what, reply) in bad_replies {
        let err = v.complete_signing(&session.session_id, reply).unwrap_err();
        assert!(matches!(err, Error::Signing(_)), "{what}: {err}");
        assert_eq!(v.log_head().unwrap(), head, "{what}: the log changed");
        assert!(v.signatures(&id).unwrap().is_empty(), "{what}: a signature was stored");
        assert_eq!(
            v.signing_session(&session.session_id).unwrap().state,
            SessionState::Open
        );
    }
    // The right reply still completes it.
    v.complete_signing(&session.session_id, good).unwrap();
    assert_eq!(sign_events(v, &id), 1);
}

#[test]
fn sessions_expire_and_can_be_cancelled() {
    let (now, clock) = manual_clock();
    let (t, s, id) = setup(VaultOptions {
        clock,
        signing_session_ttl: std::time::Duration::from_secs(120),
        ..VaultOptions::default()
    });
    let v = &t.vault;
    let session = v
        .begin_signing(&id, vec![s.pki.signer.clone()], DigestAlgorithm::Sha256)
        .unwrap();
    assert_eq!(session.expires_at - session.created_at, time::Duration::seconds(120));
    let reply = s.signer.sign(&session).unwrap();
    now.fetch_add(121, Ordering::SeqCst);
    match v.complete_signing(&session.session_id, reply) {
        Err(Error::Signing(SigningError::Expired { expired_at, .. })) => {
            assert_eq!(expired_at, "2026-11-01T10:02:00Z")
        }
        other => panic!("expected Expired, got {other:?}"),
    }
    assert!(v.signatures(&id).unwrap().is_empty());

    let session = v
        .begin_signing(&id, vec![s.pki.signer.clone()], DigestAlgorithm::Sha256)
        .unwrap();
    let reply = s.signer.sign(&session).unwrap();
    let cancelled = v.cancel_signing(&session.session_id).unwrap();
    assert_eq!(cancelled.state, SessionState::Cancelled);
    assert_eq!(
        v.cancel_signing(&session.session_id).unwrap().state,
        SessionState::Cancelled
    );
    assert!(matches!(
        v.complete_signing(&session.session_id, reply),
        Err(Error::Signing(SigningError::Cancelled { .. }))
    ));
    assert!(matches!(
        v.complete_signing("01JXXXXXXXXXXXXXXXXXXXXXXX", SignatureReply::Cms { cms: vec![] }),
        Err(Error::Signing(SigningError::UnknownSession { .. }))
    ));
    assert_eq!(sign_events(v, &id), 0);
}

#[test]
fn ed25519_signs_the_message_and_cannot_use_sign_hash() {
    let (t, s, id) = setup(options());
    let ed = s.pki.issue("edsigner", "ed25519");
    let signer = LocalSigner::from_pkcs8(&s.pki.pkcs8("edsigner.key"), vec![ed.clone()]).unwrap();
    // RFC 8419: SHA-512 with Ed25519 in CMS.
    assert!(matches!(
        t.vault.begin_signing(&id, vec![ed.clone()], DigestAlgorithm::Sha256),
        Err(Error::Signing(SigningError::BadRequest(_)))
    ));
    let session = t
        .vault
        .begin_signing(&id, vec![ed.clone()], DigestAlgorithm::Sha512)
        .unwrap();
    let err = session.hash_to_sign().unwrap_err();
    assert_eq!(err, SigningError::HashSigningUnsupported);
    assert!(err.to_string().contains("signHash"), "{err}");
    let stored = t
        .vault
        .complete_signing(&session.session_id, signer.sign(&session).unwrap())
        .unwrap();
    assert_eq!(stored.acceptance.indication, results_vault::Indication::Passed);

    // ECDSA P-256 through sign_with, for good measure.
    assert!(common::pki::openssl(
        s.pki.dir.path(),
        &["ecparam", "-name", "prime256v1", "-out", "p256.pem"]
    ));
    let ec = s.pki.issue("ec", "ec:p256.pem");
    let signer = LocalSigner::from_pkcs8(&s.pki.pkcs8("ec.key"), vec![ec]).unwrap();
    t.vault.sign_with(&id, &signer, DigestAlgorithm::Sha256).unwrap();
    assert_eq!(t.vault.signatures(&id).unwrap().len(), 2);
}

#[test]
fn signing_is_refused_up_front_for_an_unusable_signer() {
    let (t, s, id) = setup(options());
    let v = &t.vault;
    let refused = |chain: Vec<Vec<u8>>| match v.begin_signing(&id, chain, DigestAlgorithm::Sha256) {
        Err(Error::Signing(SigningError::BadCertificateChain(why))) => why,
        other => panic!("expected a refused chain, got {other:?}"),
    };
    assert!(refused(vec![]).contains("no signer"));
    assert!(refused(vec![b"junk".to_vec()]).contains("not DER"));
    assert!(refused(vec![s.pki.root.clone()]).contains("CA certificate"));
    // A signer under another root with the same name: no chain to the anchor.
    let impostor_signed = {
        let p = common::pki::Pki::dated();
        p.signer.clone()
    };
    assert!(refused(vec![impostor_signed]).contains("chain"));
    // The key does not match the certificate.
    let other = s.pki.issue("other", "rsa:2048");
    assert!(matches!(
        LocalSigner::from_pkcs8(&s.pki.pkcs8("signer.key"), vec![other]),
        Err(SigningError::BadCertificateChain(_))
    ));
    // A revoked record is not signed.
    v.revoke(
        &id,
        results_vault::StatusChange {
            reason: "cấp nhầm".into(),
            decision_ref: "1/QĐ".into(),
            at: datetime!(2026-11-02 00:00 UTC),
            by: "G22".into(),
        },
    )
    .unwrap();
    assert!(matches!(
        v.begin_signing(&id, vec![s.pki.signer.clone()], DigestAlgorithm::Sha256),
        Err(Error::InvalidTransition { .. })
    ));
}

#[test]
fn a_signer_that_fails_cancels_its_session() {
    struct Refusing(Vec<u8>);
    impl Signer for Refusing {
        fn certificate_chain(&self) -> Result<Vec<Vec<u8>>, SigningError> {
            Ok(vec![self.0.clone()])
        }
        fn sign(&self, _: &results_vault::SigningSession) -> Result<SignatureReply, SigningError> {
            Err(SigningError::Signer("rejected on the phone".into()))
        }
    }
    let (t, s, id) = setup(options());
    let err = t
        .vault
        .sign_with(&id, &Refusing(s.pki.signer.clone()), DigestAlgorithm::Sha256)
        .unwrap_err();
    assert!(err.to_string().contains("rejected on the phone"), "{err}");
    assert!(t.vault.signatures(&id).unwrap().is_empty());
    assert_eq!(sign_events(&t.vault, &id), 0);
}

#[test]
fn a_session_crosses_as_json_with_hex_bytes() {
    let (t, s, id) = setup(options());
    let session = t
        .vault
        .begin_signing(&id, vec![s.pki.signer.clone()], DigestAlgorithm::Sha256)
        .unwrap();
    let json = serde_json::to_value(&session).unwrap();
    assert_eq!(json["digest_algorithm"], "SHA-256");
    assert_eq!(json["state"], "OPEN");
    assert_eq!(json["key"]["RSA"]["bits"], 2048);
    let digest = json["signed_attributes_digest"].as_str().unwrap();
    assert_eq!(digest.len(), 64);
    assert!(digest.bytes().all(|b| b.is_ascii_hexdigit()));
    let back: results_vault::SigningSession = serde_json::from_value(json).unwrap();
    assert_eq!(back, session);
    let reply: SignatureReply =
        serde_json::from_str(r#"{"kind":"raw","algorithm":"ECDSA","value":"30440220"}"#).unwrap();
    assert!(matches!(
        reply,
        SignatureReply::Raw {
            algorithm: RawAlgorithm::Ecdsa,
            ..
        }
    ));
}

/// An RSA key signs the same attributes in the same second into the same bytes: a second
/// signing of the record answers "already signed", adds nothing and leaves no session open.
#[test]
fn signing_again_in_the_same_second_answers_already_signed() {
    let (_, clock) = manual_clock();
    let (t, s, id) = setup(VaultOptions {
        clock,
        ..VaultOptions::default()
    });
    let v = &t.vault;
    let first = s.sign(v, &id);
    match v.sign_with(&id, &s.signer, DigestAlgorithm::Sha256) {
        Err(Error::Signing(SigningError::AlreadySigned { signature, .. })) => {
            assert_eq!(signature, first.sha256.to_hex())
        }
        other => panic!("expected AlreadySigned, got {other:?}"),
    }
    assert_eq!(v.signatures(&id).unwrap(), vec![first]);
    let open: i64 = raw_sqlite(&t.path())
        .query_row("SELECT count(*) FROM signing_sessions WHERE state = 'open'", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(open, 0, "no session left open");
    assert!(v.verify_log().unwrap().is_intact());
}
