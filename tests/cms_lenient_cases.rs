//! The lenient cases of issue 17 (class 8), decided and pinned, each built with the DER
//! editor from an `openssl cms -sign -cades` signature and signed again where the edit is
//! under the signature; OpenSSL's verdict is printed beside ours.
//!
//! - **ESS v1 beside v2** (RFC 2634 §5.4, RFC 5035 §3, EN 319 122-1 §5.2.2): a signer may add
//!   the older signingCertificate for older verifiers, but both must name the signer's
//!   certificate; v1 naming another certificate is INDETERMINATE /
//!   NO_SIGNING_CERTIFICATE_FOUND (two readers would bind two certificates).
//! - **digestAlgorithms** (RFC 5652 §5.1): the SignedData's set is a hint for one-pass
//!   verifiers ("MAY be any number of elements … including zero"); the SignerInfo's
//!   digestAlgorithm is the one its messageDigest is checked under. A set that disagrees
//!   (or is empty) does not change the verdict: nothing unsigned is trusted, the digest
//!   checked is the one the signature covers. OpenSSL 3.0 refuses such a CMS (its one-pass
//!   reader prepares digests from the set only), which RFC 5652 allows ("MAY fail").
//! - **signingTime before notBefore**: a claim, never a proof (EN 319 102-1 uses the
//!   best-signature-time, a POE, for NOT_YET_VALID). The path is validated at the
//!   validation time or at a proof of existence, never at the claim, so a claim before the
//!   certificate existed cannot make anything pass; refusing it would fail honest
//!   signatures made with a certificate issued seconds before by a signer whose clock is
//!   behind (one-time certificates of remote signing). It is kept as the verdict's
//!   `claimed_signing_time`, and the verdict is unchanged.

mod common;

use common::crafted::ess_v1;
use common::der::{self, Cms, Node};
use common::pki::Pki;
use results_vault::verify::signature::{verify_detached, Policy, SignatureVerdict, ValidationContext};
use results_vault::{Indication, SubIndication};
use time::OffsetDateTime;

const CONTENT: &[u8] = b"%PDF-1.7 ket qua giai quyet TTHC";
const SHA512: &[u8] = &[0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x03];

fn verify(pki: &Pki, cms: &[u8]) -> SignatureVerdict {
    let anchors = vec![pki.root.clone()];
    let policy = Policy {
        require_revocation_data: false,
        ..Policy::cades_baseline()
    };
    let ctx = ValidationContext {
        anchors: &anchors,
        intermediates: &[],
        crls: &[],
        validation_time: OffsetDateTime::now_utc(),
        proof_of_existence: None,
        policy: &policy,
        all_signers: false,
        chain_cache: None,
    };
    verify_detached(cms, CONTENT, &ctx).remove(0)
}

fn says(v: &SignatureVerdict) -> (Indication, Option<SubIndication>) {
    (v.indication, v.sub_indication)
}

#[test]
fn ess_v1_beside_v2_must_name_the_same_certificate() {
    let pki = Pki::new();
    let base = pki.sign(CONTENT, &["-cades"]);
    for (name, named, expected) in [
        (
            "v1 names the signer (control)",
            pki.signer.clone(),
            (Indication::Passed, None),
        ),
        (
            "v1 names the root",
            pki.root.clone(),
            (
                Indication::Indeterminate,
                Some(SubIndication::NoSigningCertificateFound),
            ),
        ),
    ] {
        let mut cms = Cms::parse(&base);
        cms.attributes().push(ess_v1(&named));
        // DER SET OF: sorted encodings (openssl sorts them too; ours reads either).
        cms.attributes().sort_by_key(|a| a.encode());
        cms.resign(pki.dir.path(), "signer.key");
        let cms = cms.encode();
        let v = verify(&pki, &cms);
        println!(
            "{name}: ours {:?}, openssl {}",
            says(&v),
            if pki.openssl_verifies(&cms, CONTENT, None) {
                "accepts"
            } else {
                "refuses"
            }
        );
        assert_eq!(says(&v), expected, "{name}: {}", v.detail);
    }
}

#[test]
fn a_digest_algorithm_set_that_disagrees_is_only_a_hint() {
    let pki = Pki::new();
    let base = pki.sign(CONTENT, &["-cades"]);
    let sha512 = Node::Cons(0x30, vec![Node::Prim(0x06, SHA512.to_vec())]);
    for (name, set) in [("SHA-512 only", vec![sha512]), ("empty", vec![])] {
        let mut cms = Cms::parse(&base);
        *cms.signed_data().children_mut()[1].children_mut() = set.clone();
        let cms = cms.encode();
        let v = verify(&pki, &cms);
        println!(
            "digestAlgorithms {name}: ours {:?}, openssl {}",
            says(&v),
            if pki.openssl_verifies(&cms, CONTENT, None) {
                "accepts"
            } else {
                "refuses"
            }
        );
        assert_eq!(says(&v), (Indication::Passed, None), "{name}: {}", v.detail);
    }
}

#[test]
fn a_signing_time_before_not_before_is_a_claim_that_changes_nothing() {
    let pki = Pki::new();
    let base = pki.sign(CONTENT, &["-cades"]);
    let mut cms = Cms::parse(&base);
    *cms.values(der::SIGNING_TIME) = vec![der::utc_time("200101000000Z")];
    cms.resign(pki.dir.path(), "signer.key");
    let cms = cms.encode();
    let v = verify(&pki, &cms);
    println!(
        "signingTime 2020-01-01, before notBefore: ours {:?}, openssl {}",
        says(&v),
        if pki.openssl_verifies(&cms, CONTENT, None) {
            "accepts"
        } else {
            "refuses"
        }
    );
    assert_eq!(says(&v), (Indication::Passed, None), "{}", v.detail);
    assert_eq!(v.claimed_signing_time.as_deref(), Some("2020-01-01T00:00:00Z"));
}
