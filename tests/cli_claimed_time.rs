//! Issue 17, class 6: a claimed time is not a proof. `rvault verify --at T` with a
//! signer revoked (key compromise, 2026-03-01) and no proof of existence: whatever
//! signingTime the CMS claims, and whether T is before or after the revocation, the
//! answer is never PASSED (FAILED/REVOKED when the claim is at or after the revocation,
//! else INDETERMINATE/REVOKED_NO_POE). The control, an unrevoked signer, passes at the
//! same T; a proof of existence before the revocation (a timestamp, the vault) is what
//! makes a revoked signer's signature pass.
#![cfg(feature = "cli")]

mod common;

use common::der::{self, Cms};
use common::office::{code, json, rvault};
use common::pki::{openssl, Pki};
use results_vault::verify::signature::{verify_detached, Policy, ValidationContext};
use results_vault::{Indication, SubIndication};
use time::macros::datetime;

const CONTENT: &[u8] = b"giay khai sinh, ban dien tu";

/// The signer's CMS over [`CONTENT`] claiming `signing_time` (UTCTime text), re-signed.
fn claiming(pki: &Pki, signing_time: Option<&str>) -> Vec<u8> {
    let cms = pki.sign(CONTENT, &[]);
    let Some(at) = signing_time else { return cms };
    let mut edited = Cms::parse(&cms);
    edited.values(der::SIGNING_TIME)[0] = der::utc_time(at);
    edited.resign(pki.dir.path(), "signer.key");
    edited.encode()
}

#[test]
fn a_validation_time_in_the_past_does_not_turn_a_claimed_time_into_a_proof() {
    let pki = Pki::dated();
    // A CMS of an unrevoked signer, for the control.
    pki.issue("good", "rsa:2048");
    std::fs::write(pki.path("content.bin"), CONTENT).unwrap();
    assert!(openssl(
        pki.dir.path(),
        &[
            "cms",
            "-sign",
            "-binary",
            "-in",
            "content.bin",
            "-signer",
            "good.pem",
            "-inkey",
            "good.key",
            "-md",
            "sha256",
            "-outform",
            "DER",
            "-out",
            "good.p7s"
        ]
    ));
    let claimed_after = claiming(&pki, None); // now: after the revocation
    let claimed_before = claiming(&pki, Some("260115000000Z"));
    pki.revoke_dated("signer.pem", "260301000000Z,keyCompromise");
    let crl = pki.crl("revoked");
    let d = pki.dir.path();
    std::fs::write(d.join("revoked.crl.der"), &crl).unwrap();
    // For the control at 2026-02-01: a CRL issued before then (one issued after the
    // validation time did not exist at it, and says nothing good).
    let february = pki.crl_dated("february", "20260125000000Z", "20260224000000Z");
    std::fs::write(d.join("february.crl.der"), &february).unwrap();
    std::fs::write(d.join("doc.pdf"), CONTENT).unwrap();
    std::fs::write(d.join("after.p7s"), &claimed_after).unwrap();
    std::fs::write(d.join("before.p7s"), &claimed_before).unwrap();
    let run_with = |sig: &str, at: Option<&str>, crl: &str| {
        let (doc, sig, root, crl) = (d.join("doc.pdf"), d.join(sig), d.join("root.pem"), d.join(crl));
        let mut args = vec![
            "verify",
            doc.to_str().unwrap(),
            "--signature",
            sig.to_str().unwrap(),
            "--trust",
            root.to_str().unwrap(),
            "--crl",
            crl.to_str().unwrap(),
            "--json",
        ];
        if let Some(at) = at {
            args.extend(["--at", at]);
        }
        let o = rvault(&d.join("no.vault"), &args);
        let j = json(&o);
        (
            code(&o),
            j["indication"].as_str().unwrap().to_owned(),
            j["sub_indication"].clone(),
            j,
        )
    };
    let run = |sig: &str, at: Option<&str>| run_with(sig, at, "revoked.crl.der");
    let cases = [
        // (signature, --at, exit, indication, sub-indication)
        ("after.p7s", Some("2026-02-01T00:00:00Z"), 1, "FAILED", "REVOKED"),
        (
            "before.p7s",
            Some("2026-02-01T00:00:00Z"),
            2,
            "INDETERMINATE",
            "REVOKED_NO_POE",
        ),
        ("after.p7s", Some("2026-06-01T00:00:00Z"), 1, "FAILED", "REVOKED"),
        (
            "before.p7s",
            Some("2026-06-01T00:00:00Z"),
            2,
            "INDETERMINATE",
            "REVOKED_NO_POE",
        ),
        ("after.p7s", None, 1, "FAILED", "REVOKED"),
        ("before.p7s", None, 2, "INDETERMINATE", "REVOKED_NO_POE"),
    ];
    for (sig, at, exit, indication, sub) in cases {
        let (c, i, s, j) = run(sig, at);
        assert_eq!(
            (c, i.as_str(), s.as_str()),
            (exit, indication, Some(sub)),
            "{sig} at {at:?}: {j}"
        );
        assert_eq!(j["signatures"][0]["revocation"], "REVOKED", "{j}");
        assert!(j["signatures"][0]["proof_of_existence"].is_null(), "{j}");
    }
    // The control: the unrevoked signer passes at the same times, under a CRL of then.
    for (at, crl) in [
        (Some("2026-02-01T00:00:00Z"), "february.crl.der"),
        (None, "revoked.crl.der"),
    ] {
        let (c, i, _, j) = run_with("good.p7s", at, crl);
        assert_eq!((c, i.as_str()), (0, "PASSED"), "at {at:?}: {j}");
    }
    // A CRL issued after the validation time did not exist then: it says nothing good
    // (RFC 5280 §5.1.2.4; OpenSSL: "CRL is not yet valid"), so the control at 2026-02-01
    // under the CRL of 2026-10-31 has no revocation data.
    let (c, i, s, j) = run("good.p7s", Some("2026-02-01T00:00:00Z"));
    assert_eq!(
        (c, i.as_str(), s.as_str()),
        (2, "INDETERMINATE", Some("TRY_LATER")),
        "{j}"
    );

    // A proof of existence (a timestamp, the vault's acceptance) decides: before the
    // revocation it passes at T, after it it does not.
    let anchors = vec![pki.root.clone()];
    let crls = vec![crl];
    let policy = Policy::pkcs7_detached();
    for (poe, passes) in [
        (datetime!(2026-02-15 00:00 UTC), true),
        (datetime!(2026-03-02 00:00 UTC), false),
    ] {
        let ctx = ValidationContext {
            anchors: &anchors,
            intermediates: &[],
            crls: &crls,
            // After the CRL of 2026-10-31, so that it is evidence at this time.
            validation_time: datetime!(2026-11-15 00:00 UTC),
            proof_of_existence: Some(poe),
            policy: &policy,
            all_signers: false,
            chain_cache: None,
        };
        let v = verify_detached(&claimed_before, CONTENT, &ctx).remove(0);
        if passes {
            assert_eq!(v.indication, Indication::Passed, "POE {poe}: {}", v.detail);
        } else {
            assert_eq!(
                (v.indication, v.sub_indication),
                (Indication::Indeterminate, Some(SubIndication::RevokedNoPoe)),
                "POE {poe}: {}",
                v.detail
            );
        }
    }
}
