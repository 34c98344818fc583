//! Path validation on a PKI made by the real `openssl ca`: a root, a signer certificate,
//! and CRLs before and after the signer is revoked.

mod common;

use common::pki::Pki;
use results_vault::verify::path::{validate, PathError, PathOptions, Revocation};
use time::{Duration, OffsetDateTime};

#[test]
fn a_chain_made_by_openssl_validates_and_its_crls_are_applied() {
    let p = Pki::new();
    let empty_crl = p.crl("empty");
    p.revoke_signer();
    let revoked_crl = p.crl("revoked");
    let forged_crl = p.forged_crl();
    let soon = OffsetDateTime::now_utc() + Duration::minutes(1);
    let anchors = [p.root.clone()];
    let opts = PathOptions::default();

    let path = validate(&p.signer, &[], &anchors, &[], soon, &opts).unwrap();
    assert_eq!(path.chain, vec![p.signer.clone(), p.root.clone()]);
    assert_eq!(
        path.revocation,
        vec![Revocation::Unknown],
        "no CRL given: unknown, not good"
    );

    let path = validate(&p.signer, &[], &anchors, std::slice::from_ref(&empty_crl), soon, &opts).unwrap();
    assert!(matches!(path.revocation[0], Revocation::Good { .. }));

    let err = validate(
        &p.signer,
        &[],
        &anchors,
        std::slice::from_ref(&revoked_crl),
        soon,
        &opts,
    )
    .unwrap_err();
    assert!(matches!(err, PathError::Revoked { .. }), "{err}");
    // Listed as revoked, even by a CRL past its nextUpdate.
    let later = soon + Duration::days(40);
    let err = validate(
        &p.signer,
        &[],
        &anchors,
        std::slice::from_ref(&revoked_crl),
        later,
        &opts,
    )
    .unwrap_err();
    assert!(matches!(err, PathError::Revoked { .. }), "{err}");

    // A CRL that the root's key did not sign is not the root's CRL (another key, or a
    // forgery): not believed, and skipped (revocation stays unknown).
    let path = validate(&p.signer, &[], &anchors, std::slice::from_ref(&forged_crl), soon, &opts).unwrap();
    assert_eq!(path.revocation, vec![Revocation::Unknown]);
}

#[test]
fn untrusted_expired_and_not_yet_valid_chains_fail() {
    let p = Pki::new();
    let soon = OffsetDateTime::now_utc() + Duration::minutes(1);
    let opts = PathOptions::default();
    assert_eq!(
        validate(&p.signer, &[], &[], &[], soon, &opts).unwrap_err(),
        PathError::NoChain
    );
    // The root among the intermediates is not a trust anchor; a same-named root is not it.
    assert_eq!(
        validate(&p.signer, std::slice::from_ref(&p.root), &[], &[], soon, &opts).unwrap_err(),
        PathError::NoChain
    );
    assert_eq!(
        validate(&p.signer, &[], std::slice::from_ref(&p.impostor_root), &[], soon, &opts).unwrap_err(),
        PathError::NoChain
    );
    let anchors = std::slice::from_ref(&p.root);
    let expired = validate(&p.signer, &[], anchors, &[], soon + Duration::days(400), &opts).unwrap_err();
    assert!(matches!(expired, PathError::OutOfValidity(_)), "{expired}");
    let early = validate(&p.signer, &[], anchors, &[], soon - Duration::days(2), &opts).unwrap_err();
    assert!(matches!(early, PathError::OutOfValidity(_)), "{early}");
    assert!(matches!(
        validate(b"garbage", &[], anchors, &[], soon, &opts),
        Err(PathError::Malformed(_))
    ));
}

#[test]
fn a_crl_is_applied_only_within_its_scope() {
    let p = Pki::new();
    let soon = OffsetDateTime::now_utc() + Duration::minutes(1);
    let anchors = std::slice::from_ref(&p.root);
    let opts = PathOptions::default();
    // Before revocation: a user-certificates CRL covers the signer; a CA-only one does not;
    // a CRL for some reasons only cannot say "good".
    let users = p.crl_with("users", "crl_users");
    let cas = p.crl_with("cas", "crl_cas");
    let some = p.crl_with("some", "crl_some_reasons");
    let status = |crl: &Vec<u8>| {
        validate(&p.signer, &[], anchors, std::slice::from_ref(crl), soon, &opts).map(|v| v.revocation[0])
    };
    assert!(matches!(status(&users), Ok(Revocation::Good { .. })));
    assert_eq!(status(&cas), Ok(Revocation::Unknown));
    assert_eq!(status(&some), Ok(Revocation::Unknown));
    // After revocation, the in-scope CRL says so.
    p.revoke_signer();
    let users = p.crl_with("users-revoked", "crl_users");
    assert!(matches!(status(&users), Err(PathError::Revoked { .. })));
}
