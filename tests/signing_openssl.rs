//! The vault's signatures against the real `openssl`: what the vault signs verifies with
//! `openssl cms -verify`; a CMS made by `openssl cms -sign` over the envelope is accepted
//! as a provider's reply; raw signatures made by `openssl pkeyutl` over the signed
//! attributes' digest complete sessions; a tampered envelope fails in both.

mod common;

use common::pki::{openssl, Pki};
use common::signing::TestSigner;
use common::*;
use results_vault::{
    DigestAlgorithm, Error, Indication, RawAlgorithm, SignatureReply, SigningError, SubIndication, Vault,
};

/// A vault trusting `pki`'s root, holding one birth extract; returns the record id.
fn vault_with_record(pki: &Pki) -> (TempVault, results_vault::ResultId) {
    let t = temp_vault();
    t.vault.add_trust_anchor(&pki.root).unwrap();
    t.vault.add_crl(&pki.crl("current")).unwrap();
    let id = t
        .vault
        .ingest(birth_extract("S-1"), &noise(1, 4000))
        .unwrap()
        .record
        .result_id;
    (t, id)
}

/// A SHA-256 session for the test signer over record `id`.
fn begin(vault: &Vault, s: &TestSigner, id: &results_vault::ResultId) -> results_vault::SigningSession {
    vault
        .begin_signing(id, vec![s.pki.signer.clone()], DigestAlgorithm::Sha256)
        .unwrap()
}

/// `openssl cms -verify` of `cms` over `content`, trusting only the root.
fn openssl_cms_verifies(pki: &Pki, cms: &[u8], content: &[u8]) -> bool {
    pki.openssl_verifies(cms, content, None)
}

fn write(pki: &Pki, name: &str, bytes: &[u8]) {
    std::fs::write(pki.path(name), bytes).unwrap();
}

/// `openssl cms -sign` over `content` by key/cert `name`, CAdES (ESS signing-certificate-v2).
fn openssl_cms_sign(pki: &Pki, name: &str, content: &[u8], extra: &[&str]) -> Vec<u8> {
    write(pki, "provider-in.bin", content);
    let (cert, key) = (format!("{name}.pem"), format!("{name}.key"));
    let mut args = vec![
        "cms",
        "-sign",
        "-binary",
        "-in",
        "provider-in.bin",
        "-signer",
        &cert,
        "-inkey",
        &key,
        "-md",
        "sha256",
        "-outform",
        "DER",
        "-out",
        "provider.p7s",
        "-nosmimecap",
    ];
    args.extend(extra);
    assert!(openssl(pki.dir.path(), &args));
    std::fs::read(pki.path("provider.p7s")).unwrap()
}

/// `openssl pkeyutl -sign` of a precomputed digest with key file `key`.
fn openssl_pkeyutl_sign(pki: &Pki, key: &str, digest: &[u8], opts: &[&str]) -> Vec<u8> {
    write(pki, "dtbs.digest", digest);
    let mut args = vec![
        "pkeyutl",
        "-sign",
        "-inkey",
        key,
        "-in",
        "dtbs.digest",
        "-out",
        "raw.sig",
        "-pkeyopt",
        "digest:sha256",
    ];
    args.extend(opts);
    assert!(openssl(pki.dir.path(), &args));
    std::fs::read(pki.path("raw.sig")).unwrap()
}

#[test]
fn a_vault_signature_verifies_with_openssl_cms_verify() {
    let s = TestSigner::new();
    let (t, id) = vault_with_record(&s.pki);
    let stored = s.sign(&t.vault, &id);
    assert_eq!(
        stored.acceptance.indication,
        Indication::Passed,
        "{:?}",
        stored.acceptance
    );
    let envelope = t.vault.envelope(&id).unwrap();
    assert!(openssl_cms_verifies(&s.pki, &stored.cms, envelope.as_bytes()));

    // CAdES baseline B-B: the four signed attributes, as openssl reads them.
    write(&s.pki, "vault.p7s", &stored.cms);
    let out = std::process::Command::new("openssl")
        .current_dir(s.pki.dir.path())
        .args(["cms", "-cmsout", "-print", "-inform", "DER", "-in", "vault.p7s"])
        .output()
        .unwrap();
    let printed = String::from_utf8_lossy(&out.stdout);
    for attribute in [
        "contentType",
        "messageDigest",
        "signingTime",
        "id-smime-aa-signingCertificateV2",
    ] {
        assert!(printed.contains(attribute), "{attribute} missing:\n{printed}");
    }
    assert!(printed.contains("eContent: <ABSENT>"), "not detached:\n{printed}");
}

#[test]
fn a_tampered_envelope_fails_in_the_vault_and_in_openssl() {
    let s = TestSigner::new();
    let (t, id) = vault_with_record(&s.pki);
    let stored = s.sign(&t.vault, &id);
    let mut tampered = t.vault.envelope(&id).unwrap().as_bytes().to_vec();
    let at = tampered.windows(8).position(|w| w == b"S-1/TLKS").unwrap();
    tampered[at + 2] = b'7'; // another document number
    assert!(!openssl_cms_verifies(&s.pki, &stored.cms, &tampered));
    let policy = results_vault::Policy::cades_baseline();
    let ctx = results_vault::verify::signature::ValidationContext {
        anchors: std::slice::from_ref(&s.pki.root),
        intermediates: &[],
        crls: &[],
        validation_time: time::OffsetDateTime::now_utc(),
        proof_of_existence: None,
        policy: &policy,
        all_signers: false,
        chain_cache: None,
    };
    let verdicts = results_vault::verify::signature::verify_detached(&stored.cms, &tampered, &ctx);
    assert_eq!(verdicts[0].indication, Indication::Failed);
    assert_eq!(verdicts[0].sub_indication, Some(SubIndication::HashFailure));

    // A provider that signed a tampered envelope is refused, and nothing is stored.
    let session = begin(&t.vault, &s, &id);
    let forged = openssl_cms_sign(&s.pki, "signer", &tampered, &["-cades"]);
    let before = t.vault.log_head().unwrap();
    match t
        .vault
        .complete_signing(&session.session_id, SignatureReply::Cms { cms: forged })
    {
        Err(Error::Signing(SigningError::NotAccepted { sub_indication, .. })) => {
            assert_eq!(sub_indication, Some(SubIndication::HashFailure))
        }
        other => panic!("expected HASH_FAILURE, got {other:?}"),
    }
    assert_eq!(t.vault.log_head().unwrap(), before);
    assert_eq!(t.vault.signatures(&id).unwrap().len(), 1);
}

#[test]
fn a_cms_from_openssl_cms_sign_completes_a_session_as_a_provider_reply() {
    let s = TestSigner::new();
    let (t, id) = vault_with_record(&s.pki);
    let session = begin(&t.vault, &s, &id);
    // The provider signs the envelope whose digest the session gave.
    let envelope = t.vault.envelope(&id).unwrap();
    assert_eq!(
        session.envelope_digest,
        DigestAlgorithm::Sha256.digest(envelope.as_bytes())
    );

    // Without the ESS signing-certificate attribute, CAdES B-B is not met: refused,
    // and the session stays open.
    let plain = openssl_cms_sign(&s.pki, "signer", envelope.as_bytes(), &[]);
    match t
        .vault
        .complete_signing(&session.session_id, SignatureReply::Cms { cms: plain })
    {
        Err(Error::Signing(SigningError::NotAccepted { sub_indication, .. })) => {
            assert_eq!(sub_indication, Some(SubIndication::FormatFailure))
        }
        other => panic!("expected FORMAT_FAILURE, got {other:?}"),
    }
    // Another signer's CMS is refused too.
    s.pki.issue("other", "rsa:2048");
    let other = openssl_cms_sign(&s.pki, "other", envelope.as_bytes(), &["-cades"]);
    assert!(matches!(
        t.vault
            .complete_signing(&session.session_id, SignatureReply::Cms { cms: other }),
        Err(Error::Signing(SigningError::SignerMismatch))
    ));
    assert!(t.vault.signatures(&id).unwrap().is_empty());

    let cms = openssl_cms_sign(&s.pki, "signer", envelope.as_bytes(), &["-cades"]);
    let stored = t
        .vault
        .complete_signing(&session.session_id, SignatureReply::Cms { cms: cms.clone() })
        .unwrap();
    assert_eq!(stored.cms, cms, "a provider's CMS is kept byte for byte");
    assert_eq!(stored.acceptance.indication, Indication::Passed);
    assert!(openssl_cms_verifies(&s.pki, &stored.cms, envelope.as_bytes()));
}

#[test]
fn a_raw_rsa_signature_from_openssl_pkeyutl_completes_a_session() {
    let s = TestSigner::new();
    let (t, id) = vault_with_record(&s.pki);
    let session = begin(&t.vault, &s, &id);
    let digest = session.hash_to_sign().unwrap().to_vec();
    assert_eq!(digest, DigestAlgorithm::Sha256.digest(&session.signed_attributes));
    let value = openssl_pkeyutl_sign(&s.pki, "signer.key", &digest, &[]);
    let stored = t
        .vault
        .complete_signing(
            &session.session_id,
            SignatureReply::Raw {
                algorithm: RawAlgorithm::RsaPkcs1,
                value,
            },
        )
        .unwrap();
    assert_eq!(stored.acceptance.indication, Indication::Passed);
    assert!(openssl_cms_verifies(
        &s.pki,
        &stored.cms,
        t.vault.envelope(&id).unwrap().as_bytes()
    ));

    // RSA-PSS (salt = digest length), as a CSC signHash with RSASSA-PSS answers.
    let session = begin(&t.vault, &s, &id);
    let value = openssl_pkeyutl_sign(
        &s.pki,
        "signer.key",
        session.hash_to_sign().unwrap(),
        &["-pkeyopt", "rsa_padding_mode:pss", "-pkeyopt", "rsa_pss_saltlen:digest"],
    );
    let pss = t
        .vault
        .complete_signing(
            &session.session_id,
            SignatureReply::Raw {
                algorithm: RawAlgorithm::RsaPss,
                value,
            },
        )
        .unwrap();
    assert!(openssl_cms_verifies(
        &s.pki,
        &pss.cms,
        t.vault.envelope(&id).unwrap().as_bytes()
    ));
    assert_eq!(t.vault.signatures(&id).unwrap().len(), 2);
}

/// The raw `r || s` form of a DER ECDSA-Sig-Value, `n` bytes each.
fn der_to_raw(der: &[u8], n: usize) -> Vec<u8> {
    assert_eq!(der[0], 0x30);
    let mut i = if der[1] & 0x80 != 0 {
        2 + (der[1] & 0x7f) as usize
    } else {
        2
    };
    let mut out = Vec::new();
    for _ in 0..2 {
        assert_eq!(der[i], 0x02);
        let len = der[i + 1] as usize;
        let int = &der[i + 2..i + 2 + len];
        let int = &int[int.len().saturating_sub(n)..];
        out.extend(std::iter::repeat_n(0, n - int.len()));
        out.extend_from_slice(int);
        i += 2 + len;
    }
    out
}

#[test]
fn raw_ecdsa_from_openssl_pkeyutl_completes_a_session_as_der_or_as_r_s() {
    let s = TestSigner::new();
    assert!(openssl(
        s.pki.dir.path(),
        &["ecparam", "-name", "prime256v1", "-out", "p256.pem"]
    ));
    let ec = s.pki.issue("ecsigner", "ec:p256.pem");
    let (t, id) = vault_with_record(&s.pki);
    for raw in [false, true] {
        let session = t
            .vault
            .begin_signing(&id, vec![ec.clone()], DigestAlgorithm::Sha256)
            .unwrap();
        let der = openssl_pkeyutl_sign(&s.pki, "ecsigner.key", session.hash_to_sign().unwrap(), &[]);
        let value = if raw { der_to_raw(&der, 32) } else { der };
        if raw {
            assert_eq!(value.len(), 64);
        }
        let stored = t
            .vault
            .complete_signing(
                &session.session_id,
                SignatureReply::Raw {
                    algorithm: RawAlgorithm::Ecdsa,
                    value,
                },
            )
            .unwrap_or_else(|e| panic!("raw = {raw}: {e}"));
        assert!(openssl_cms_verifies(
            &s.pki,
            &stored.cms,
            t.vault.envelope(&id).unwrap().as_bytes()
        ));
    }
}

#[test]
fn an_attached_cms_made_by_openssl_is_verified_before_it_is_kept() {
    let s = TestSigner::new();
    let (t, id) = vault_with_record(&s.pki);
    let envelope = t.vault.envelope(&id).unwrap();
    let cms = openssl_cms_sign(&s.pki, "signer", envelope.as_bytes(), &["-cades"]);
    let stored = t.vault.attach_signature(&id, &cms).unwrap();
    assert_eq!(stored.source, results_vault::SignatureSource::Attached);
    // Attaching it again is idempotent: one signature, one event.
    let head = t.vault.log_head().unwrap();
    assert_eq!(t.vault.attach_signature(&id, &cms).unwrap(), stored);
    assert_eq!(t.vault.log_head().unwrap(), head);

    // Over other bytes: refused, nothing kept.
    let wrong = openssl_cms_sign(&s.pki, "signer", b"not the envelope", &["-cades"]);
    assert!(matches!(
        t.vault.attach_signature(&id, &wrong),
        Err(Error::Signing(SigningError::NotAccepted {
            indication: Indication::Failed,
            ..
        }))
    ));
    // Garbage: a typed error.
    assert!(matches!(
        t.vault.attach_signature(&id, b"\x30\x03\x02\x01"),
        Err(Error::Signing(SigningError::MalformedReply(_)))
    ));
    assert_eq!(t.vault.signatures(&id).unwrap().len(), 1);
    assert!(t.vault.verify_log().unwrap().is_intact());
}
