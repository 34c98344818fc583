//! Verdicts on detached CMS made by `openssl cms` with an `openssl ca` PKI, and agreement
//! with `openssl cms -verify` where both can say something.

mod common;

use common::pki::Pki;
use results_vault::verify::signature::{verify_detached, Policy, SignatureVerdict, ValidationContext};
use results_vault::verify::verdict::{Indication, SubIndication};
use time::{Duration, OffsetDateTime};

fn check(
    cms: &[u8],
    content: &[u8],
    anchors: &[Vec<u8>],
    crls: &[Vec<u8>],
    poe: Option<OffsetDateTime>,
    policy: &Policy,
) -> SignatureVerdict {
    let ctx = ValidationContext {
        anchors,
        intermediates: &[],
        crls,
        validation_time: OffsetDateTime::now_utc() + Duration::minutes(1),
        proof_of_existence: poe,
        policy,
        all_signers: false,
        chain_cache: None,
    };
    let mut verdicts = verify_detached(cms, content, &ctx);
    assert_eq!(verdicts.len(), 1);
    verdicts.remove(0)
}

fn says(v: &SignatureVerdict) -> (Indication, Option<SubIndication>) {
    (v.indication, v.sub_indication)
}

#[test]
fn verdicts_agree_with_openssl() {
    let p = Pki::new();
    let crl = vec![p.crl("current")];
    let content = "Quyết định số 12/QĐ-UBND".repeat(100).into_bytes();
    let cades = Policy::cades_baseline();
    let cms = p.sign(&content, &["-cades"]);
    let anchors = vec![p.root.clone()];

    let v = check(&cms, &content, &anchors, &crl, None, &cades);
    assert_eq!(says(&v), (Indication::Passed, None), "{}", v.detail);
    assert!(v.integrity);
    assert_eq!(v.revocation.status, "GOOD");
    assert_eq!(v.chain.len(), 2);
    assert_eq!(v.signer.as_ref().unwrap().subject, "CN=Signer");
    assert!(v.claimed_signing_time.is_some());
    assert!(v.verifier.starts_with("results-vault "));
    assert!(p.openssl_verifies(&cms, &content, Some("current.crl")));
    // The spellings are ETSI's.
    let json = serde_json::to_value(&v).unwrap();
    assert_eq!(json["indication"], "PASSED");

    let mut tampered = content.clone();
    tampered[3] ^= 1;
    let v = check(&cms, &tampered, &anchors, &crl, None, &cades);
    assert_eq!(says(&v), (Indication::Failed, Some(SubIndication::HashFailure)));
    assert!(!p.openssl_verifies(&cms, &tampered, None));

    let v = check(&cms, &content, &[], &crl, None, &cades);
    assert_eq!(
        says(&v),
        (Indication::Indeterminate, Some(SubIndication::NoCertificateChainFound))
    );
    let v = check(
        &cms,
        &content,
        std::slice::from_ref(&p.impostor_root),
        &crl,
        None,
        &cades,
    );
    assert_eq!(
        says(&v),
        (Indication::Indeterminate, Some(SubIndication::NoCertificateChainFound))
    );

    // No revocation data: try later.
    let v = check(&cms, &content, &anchors, &[], None, &cades);
    assert_eq!(says(&v), (Indication::Indeterminate, Some(SubIndication::TryLater)));

    // Without the ESS attribute: refused under CAdES, fine for adbe.pkcs7.detached.
    let plain = p.sign(&content, &[]);
    let v = check(&plain, &content, &anchors, &crl, None, &cades);
    assert_eq!(
        says(&v),
        (Indication::Indeterminate, Some(SubIndication::FormatFailure))
    );
    let v = check(&plain, &content, &anchors, &crl, None, &Policy::pkcs7_detached());
    assert_eq!(says(&v), (Indication::Passed, None), "{}", v.detail);

    // Not a CMS at all.
    let v = check(b"not a signature", &content, &anchors, &crl, None, &cades);
    assert_eq!(
        says(&v),
        (Indication::Indeterminate, Some(SubIndication::FormatFailure))
    );
}

#[test]
fn revocation_is_judged_against_the_proof_of_existence() {
    let p = Pki::new();
    let content = b"Giay chung nhan dang ky doanh nghiep".to_vec();
    let cades = Policy::cades_baseline();
    let anchors = vec![p.root.clone()];
    let signed_before = p.sign(&content, &["-cades"]);
    // The vault records when it received the signature: that is its proof of existence.
    let poe = OffsetDateTime::now_utc();
    std::thread::sleep(std::time::Duration::from_millis(2100));
    p.revoke_signer();
    let crl = vec![p.crl("after-revocation")];
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let signed_after = p.sign(&content, &["-cades"]);

    // Revoked since, and no proof the signature existed before: cannot tell.
    let v = check(&signed_before, &content, &anchors, &crl, None, &cades);
    assert_eq!(
        says(&v),
        (Indication::Indeterminate, Some(SubIndication::RevokedNoPoe)),
        "{}",
        v.detail
    );
    assert_eq!(v.revocation.status, "REVOKED");
    assert!(!p.openssl_verifies(&signed_before, &content, Some("after-revocation.crl")));

    // With the vault's recorded time before the revocation, the signature stands.
    let v = check(&signed_before, &content, &anchors, &crl, Some(poe), &cades);
    assert_eq!(says(&v), (Indication::Passed, None), "{}", v.detail);
    assert_eq!(v.valid_at_signing_time, Some(true));
    assert!(v.detail.contains("existed"), "{}", v.detail);

    // Signed (by its own claim) after the revocation: failed outright.
    let v = check(&signed_after, &content, &anchors, &crl, None, &cades);
    assert_eq!(
        says(&v),
        (Indication::Failed, Some(SubIndication::Revoked)),
        "{}",
        v.detail
    );
    // A proof of existence after the revocation does not help.
    let late_poe = OffsetDateTime::now_utc();
    let v = check(&signed_after, &content, &anchors, &crl, Some(late_poe), &cades);
    assert_eq!(v.indication, Indication::Failed, "{}", v.detail);
}

#[test]
fn a_cached_chain_is_still_checked_against_time_and_crls() {
    use results_vault::verify::path::ChainCache;
    let p = Pki::new();
    let content = b"Ket qua".to_vec();
    let cms = p.sign(&content, &["-cades"]);
    let good_crl = vec![p.crl("good")];
    let cache = ChainCache::new();
    let cades = Policy::cades_baseline();
    let anchors = vec![p.root.clone()];
    let ctx = |crls, at| ValidationContext {
        anchors: &anchors,
        intermediates: &[],
        crls,
        validation_time: at,
        proof_of_existence: None,
        policy: &cades,
        all_signers: false,
        chain_cache: Some(&cache),
    };
    let soon = OffsetDateTime::now_utc() + Duration::minutes(1);
    for _ in 0..2 {
        let v = &verify_detached(&cms, &content, &ctx(&good_crl, soon))[0];
        assert_eq!(says(v), (Indication::Passed, None), "{}", v.detail);
    }
    // The good CRL's signature was verified once and remembered: the same signature
    // value over a changed list (its thisUpdate one second off) must not pass for it.
    let mut altered = good_crl[0].clone();
    let at = altered
        .windows(2)
        .position(|w| w == [0x17, 0x0d])
        .expect("the CRL's thisUpdate is a UTCTime");
    let second = &mut altered[at + 2 + 11];
    *second = if *second == b'0' { b'1' } else { b'0' };
    let altered = vec![altered];
    let v = &verify_detached(&cms, &content, &ctx(&altered, soon))[0];
    // Not the root's CRL: skipped, so no CRL covers the signer.
    assert_eq!(
        says(v),
        (Indication::Indeterminate, Some(SubIndication::TryLater)),
        "{}",
        v.detail
    );
    // The cached path does not hide a revocation or an expiry.
    p.revoke_signer();
    let revoked = vec![p.crl("revoked")];
    let v = &verify_detached(&cms, &content, &ctx(&revoked, soon))[0];
    assert_ne!(v.indication, Indication::Passed, "{}", v.detail);
    let v = &verify_detached(&cms, &content, &ctx(&good_crl, soon + Duration::days(400)))[0];
    assert_eq!(
        says(v),
        (Indication::Indeterminate, Some(SubIndication::OutOfBoundsNoPoe)),
        "{}",
        v.detail
    );
}
