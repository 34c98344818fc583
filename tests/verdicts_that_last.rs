//! A vault-signed record keeps its verdict for decades (ETSI EN 319 102-1 §5.6.2.4, past
//! signature validation): judged at the vault's proof of existence (POE) with the
//! revocation evidence of that time, it is PASSED 13 days later when every CRL is stale,
//! 3 years later when the officer's certificate has expired, and 20 years later when the
//! root has too: one answer at every validation time. The one exception is evidence that
//! revokes a certificate of the chain at or before the POE, however late it is
//! published: FAILED / REVOKED, at every time after it is known. Under the strict
//! evidence policy, evidence from before the POE plus a grace period is not enough: the
//! check is pending until later evidence arrives.
//!
//! The validation time is always a parameter: the vault's clock is fixed at
//! 2026-11-01 10:00 UTC (the POE), and the checks travel from there.

mod common;

use common::pki::{openssl, Pki};
use common::{birth_extract, noise, options, temp_vault_with};
use results_vault::verify::signature::EvidencePolicy;
use results_vault::{DigestAlgorithm, Indication, LocalSigner, ResultId, SubIndication, Vault, VaultOptions};
use time::macros::datetime;
use time::OffsetDateTime;

/// The POE is the vault's clock: 2026-11-01 10:00 UTC. The travels.
const PLUS_13_DAYS: OffsetDateTime = datetime!(2026-11-14 10:00 UTC);
const PLUS_3_YEARS: OffsetDateTime = datetime!(2029-11-01 10:00 UTC);
const PLUS_20_YEARS: OffsetDateTime = datetime!(2046-11-01 10:00 UTC);
const TRAVELS: [OffsetDateTime; 3] = [PLUS_13_DAYS, PLUS_3_YEARS, PLUS_20_YEARS];

/// A dated PKI (root valid 2026–2036) with an officer whose certificate expires on
/// 2029-01-01, and a vault that trusts the root and holds a weekly CRL issued
/// 2026-10-31 (stale from 2026-11-07).
struct Office {
    pki: Pki,
    officer: LocalSigner,
    vault: common::TempVault,
}

/// Where the officer's revocation status comes from.
#[derive(Clone, Copy, PartialEq)]
enum Evidence {
    /// A weekly CRL of the root, issued 2026-10-31.
    Crl,
    /// An OCSP response from the root, produced 2026-11-01 09:00 for a week.
    Ocsp,
}

/// `openssl ocsp`, answering as if at `when` (libfaketime: openssl dates its responses by
/// the clock), about the officer, from the CA's index, for `days` days (DER).
fn ocsp_at(pki: &Pki, when: &str, days: &str) -> Vec<u8> {
    let dir = pki.dir.path();
    assert!(openssl(
        dir,
        &[
            "ocsp",
            "-issuer",
            "root.pem",
            "-cert",
            "officer.pem",
            "-no_nonce",
            "-reqout",
            "officer-req.der"
        ]
    ));
    let status = std::process::Command::new("faketime")
        .current_dir(dir)
        .args([
            when,
            "openssl",
            "ocsp",
            "-index",
            "index.txt",
            "-rsigner",
            "root.pem",
            "-rkey",
            "root.key",
        ])
        .args([
            "-CA",
            "root.pem",
            "-reqin",
            "officer-req.der",
            "-respout",
            "officer-resp.der",
            "-ndays",
            days,
        ])
        .output()
        .expect("faketime (Debian package faketime) runs openssl");
    assert!(status.status.success(), "{}", String::from_utf8_lossy(&status.stderr));
    std::fs::read(pki.path("officer-resp.der")).unwrap()
}

impl Office {
    fn new(policy: EvidencePolicy) -> Office {
        Office::with(policy, Evidence::Crl)
    }

    fn with(policy: EvidencePolicy, evidence: Evidence) -> Office {
        let pki = Pki::dated();
        let dir = pki.dir.path();
        assert!(openssl(
            dir,
            &[
                "req",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-keyout",
                "officer.key",
                "-out",
                "officer.csr",
                "-subj",
                "/CN=Officer"
            ]
        ));
        assert!(openssl(
            dir,
            &[
                "ca",
                "-batch",
                "-config",
                "ca.cnf",
                "-cert",
                "root.pem",
                "-keyfile",
                "root.key",
                "-in",
                "officer.csr",
                "-out",
                "officer.pem",
                "-extensions",
                "v3_signer",
                "-notext",
                "-startdate",
                "20260101000000Z",
                "-enddate",
                "20290101000000Z"
            ]
        ));
        let officer = LocalSigner::from_pkcs8(&pki.pkcs8("officer.key"), vec![pki.der("x509", "officer.pem")]).unwrap();
        let mut opts: VaultOptions = options();
        opts.signature_policy.revocation_evidence = policy;
        let vault = temp_vault_with(opts);
        vault.vault.add_trust_anchor(&pki.root).unwrap();
        match evidence {
            Evidence::Crl => vault
                .vault
                .add_crl(&pki.crl_dated("weekly", "20261031000000Z", "20261107000000Z"))
                .unwrap(),
            Evidence::Ocsp => vault
                .vault
                .add_ocsp_response(&ocsp_at(&pki, "2026-11-01 09:00:00", "7"))
                .unwrap(),
        };
        Office { pki, officer, vault }
    }

    fn v(&self) -> &Vault {
        &self.vault.vault
    }

    /// A birth extract, signed by the officer at the POE.
    fn signed_record(&self, dossier: &str) -> ResultId {
        let id = self
            .v()
            .ingest(birth_extract(dossier), &noise(7, 900))
            .unwrap()
            .record
            .result_id;
        self.v().sign_with(&id, &self.officer, DigestAlgorithm::Sha256).unwrap();
        id
    }

    /// Revokes the officer with revocation date `date` (`YYMMDDHHMMSSZ`) and adds the
    /// CRL saying so, issued `this_update` (`YYYYMMDDHHMMSSZ`) for a week.
    fn publish_revocation(&self, date: &str, this_update: &str, next_update: &str) {
        self.pki.revoke_dated("officer.pem", date);
        self.v()
            .add_crl(&self.pki.crl_dated("revoked", this_update, next_update))
            .unwrap();
    }

    /// Asserts that record `id` is `expected` (see [`Office::judged`]) at +13 days, +3
    /// years and +20 years alike.
    fn judged_at_every_time(&self, id: &ResultId, expected: (Indication, Option<SubIndication>, bool, bool)) {
        for at in TRAVELS {
            assert_eq!(self.judged(id, at), expected, "at {at}");
        }
    }

    /// (indication, sub-indication, reusable) of record `id` at `at`, and whether
    /// `find_reusable` hands it out then.
    fn judged(&self, id: &ResultId, at: OffsetDateTime) -> (Indication, Option<SubIndication>, bool, bool) {
        common::judged(self.v(), id, at)
    }
}

#[test]
fn a_vault_signed_record_passes_at_13_days_3_years_and_20_years_offline() {
    let office = Office::new(EvidencePolicy::CurrentAtPoe);
    let id = office.signed_record("L-1");
    for at in TRAVELS {
        let verdict = office.v().verify_record(&id, at).unwrap();
        let sig = &verdict.signatures[0].verdict;
        assert_eq!(sig.indication, Indication::Passed, "at {at}: {}", sig.detail);
        assert!(verdict.reusable, "at {at}: {}", verdict.summary);
        assert_eq!(sig.valid_at_signing_time, Some(true), "at {at}");
        // The verdict names its evidence (the CRL current at the POE) and its policy.
        assert_eq!(sig.crls_used.len(), 1, "at {at}");
        assert_eq!(sig.crls_used[0].this_update, "2026-10-31T00:00:00Z");
        assert_eq!(
            sig.evidence_policy.as_deref(),
            Some("evidence current at the proof of existence")
        );
        assert_eq!(
            office.judged(&id, at),
            (Indication::Passed, None, true, true),
            "at {at}"
        );
    }
}

#[test]
fn a_key_compromise_dated_before_the_poe_and_published_later_fails_at_every_time() {
    let office = Office::new(EvidencePolicy::CurrentAtPoe);
    let id = office.signed_record("L-2");
    // Reusable until the CA learns of the compromise…
    assert_eq!(office.judged(&id, PLUS_13_DAYS).0, Indication::Passed);
    // …which it dates to the day before the signature, in a CRL of 2026-11-20.
    office.publish_revocation("261031120000Z", "20261120000000Z", "20261127000000Z");
    office.judged_at_every_time(&id, (Indication::Failed, Some(SubIndication::Revoked), false, false));
}

#[test]
fn a_revocation_after_the_poe_leaves_the_signature_passed_at_every_time() {
    let office = Office::new(EvidencePolicy::CurrentAtPoe);
    let id = office.signed_record("L-3");
    office.publish_revocation("261103000000Z", "20261104000000Z", "20261111000000Z");
    office.judged_at_every_time(&id, (Indication::Passed, None, true, true));
}

#[test]
fn under_the_strict_policy_evidence_from_before_the_poe_leaves_the_check_pending_until_later_evidence() {
    let grace_seconds = 24 * 3600;
    let office = Office::new(EvidencePolicy::IssuedAfterPoe { grace_seconds });
    // Accepted on evidence current at the POE (what can exist then)…
    let id = office.signed_record("L-4");
    // …but afterwards only evidence issued a day after the POE proves it.
    for at in TRAVELS {
        let verdict = office.v().verify_record(&id, at).unwrap();
        let sig = &verdict.signatures[0].verdict;
        assert_eq!(
            (sig.indication, sig.sub_indication),
            (Indication::Indeterminate, Some(SubIndication::TryLater)),
            "at {at}: {}",
            sig.detail
        );
        assert!(sig.detail.starts_with("pending"), "{}", sig.detail);
        assert!(!verdict.reusable);
    }
    // A CRL issued within the grace period is not enough either.
    office
        .v()
        .add_crl(&office.pki.crl_dated("early", "20261101120000Z", "20261108120000Z"))
        .unwrap();
    assert_eq!(office.judged(&id, PLUS_13_DAYS).1, Some(SubIndication::TryLater));
    // The refresh's CRL of 2026-11-05: PASSED from then on, at every time.
    office
        .v()
        .add_crl(&office.pki.crl_dated("later", "20261105000000Z", "20261112000000Z"))
        .unwrap();
    office.judged_at_every_time(&id, (Indication::Passed, None, true, true));
}

#[test]
fn a_check_before_the_poe_does_not_use_the_poe() {
    // A validation time before the signature existed describes the certificate then;
    // the POE (later) proves nothing about that time.
    let office = Office::new(EvidencePolicy::CurrentAtPoe);
    let id = office.signed_record("L-5");
    let before = datetime!(2026-10-31 12:00 UTC);
    let verdict = office.v().verify_record(&id, before).unwrap();
    let sig = &verdict.signatures[0].verdict;
    assert_ne!(sig.detail, "", "{sig:?}");
    assert!(!sig.detail.contains("provably existed"), "{}", sig.detail);
}

#[test]
fn with_ocsp_evidence_the_record_passes_at_every_time_and_a_late_revocation_fails_it() {
    let office = Office::with(EvidencePolicy::CurrentAtPoe, Evidence::Ocsp);
    let id = office.signed_record("L-6");
    for at in TRAVELS {
        let verdict = office.v().verify_record(&id, at).unwrap();
        let sig = &verdict.signatures[0].verdict;
        assert_eq!(sig.indication, Indication::Passed, "at {at}: {}", sig.detail);
        assert!(sig.crls_used.is_empty());
        assert_eq!(sig.ocsp_used.len(), 1, "the verdict names the OCSP response it used");
        assert_eq!(sig.ocsp_used[0].this_update, "2026-11-01T09:00:00Z");
        assert_eq!(sig.ocsp_used[0].produced_at, "2026-11-01T09:00:00Z");
        assert_eq!(sig.ocsp_used[0].responder, "CN=Root CA");
        assert!(
            sig.revocation
                .source
                .as_deref()
                .is_some_and(|s| s.starts_with("OCSP response")),
            "{:?}",
            sig.revocation
        );
        assert_eq!(
            office.judged(&id, at),
            (Indication::Passed, None, true, true),
            "at {at}"
        );
    }
    // The responder learns of a compromise dated before the signature; its answer of
    // 2026-11-20 revokes the record at every time.
    office.pki.revoke_dated("officer.pem", "261031120000Z");
    office
        .v()
        .add_ocsp_response(&ocsp_at(&office.pki, "2026-11-20 00:00:00", "7"))
        .unwrap();
    office.judged_at_every_time(&id, (Indication::Failed, Some(SubIndication::Revoked), false, false));
}

#[test]
fn under_the_strict_policy_a_later_ocsp_response_completes_the_pending_check() {
    let office = Office::with(EvidencePolicy::IssuedAfterPoe { grace_seconds: 3600 }, Evidence::Ocsp);
    let id = office.signed_record("L-7");
    assert_eq!(office.judged(&id, PLUS_13_DAYS).1, Some(SubIndication::TryLater));
    office
        .v()
        .add_ocsp_response(&ocsp_at(&office.pki, "2026-11-02 09:00:00", "7"))
        .unwrap();
    office.judged_at_every_time(&id, (Indication::Passed, None, true, true));
}

#[test]
fn the_trust_store_refuses_an_ocsp_response_no_stored_ca_vouches_for() {
    let office = Office::new(EvidencePolicy::CurrentAtPoe);
    let genuine = ocsp_at(&office.pki, "2026-11-01 09:00:00", "7");
    // The same answer signed by the impostor root, under the root's name.
    let dir = office.pki.dir.path();
    let forged = std::process::Command::new("faketime")
        .current_dir(dir)
        .args([
            "2026-11-01 09:00:00",
            "openssl",
            "ocsp",
            "-index",
            "index.txt",
            "-rsigner",
            "impostor.pem",
        ])
        .args([
            "-rkey",
            "impostor.key",
            "-CA",
            "root.pem",
            "-reqin",
            "officer-req.der",
            "-respout",
            "forged.der",
        ])
        .output()
        .unwrap();
    assert!(forged.status.success());
    let forged = std::fs::read(office.pki.path("forged.der")).unwrap();
    let head = office.v().log_head().unwrap();
    for (what, bytes) in [
        ("forged", forged),
        ("truncated", genuine[..genuine.len() / 2].to_vec()),
        ("a CRL", office.pki.crl("as-ocsp")),
        ("tryLater", vec![0x30, 0x03, 0x0a, 0x01, 0x03]),
    ] {
        let refused = office.v().add_ocsp_response(&bytes);
        assert!(
            matches!(refused, Err(results_vault::Error::TrustRefused(_))),
            "{what}: {refused:?}"
        );
    }
    assert_eq!(office.v().log_head().unwrap(), head, "nothing was written");
    let kept = office.v().add_ocsp_response(&genuine).unwrap();
    assert_eq!(kept.kind, results_vault::TrustItemKind::Ocsp);
    assert_eq!(kept.name, "CN=Root CA");
}

#[test]
fn the_evidence_kept_at_acceptance_outlives_its_removal_from_the_trust_store() {
    for evidence in [Evidence::Crl, Evidence::Ocsp] {
        let office = Office::with(EvidencePolicy::CurrentAtPoe, evidence);
        let id = office.signed_record("L-8");
        // An administrator clears the trust store's revocation data.
        for item in office.v().trust_items().unwrap() {
            if item.kind != results_vault::TrustItemKind::Anchor {
                assert!(office.v().remove_trust_item(&item.sha256).unwrap());
            }
        }
        assert!(office.v().trust_items().unwrap().len() == 1);
        // The evidence the acceptance used was kept with the signature: still PASSED.
        office.judged_at_every_time(&id, (Indication::Passed, None, true, true));
    }
}

/// A CA between the root and the officer, revoked by the root on `revoked` (`YYMMDDHHMMSSZ`),
/// and a detached CMS by that officer: the verdict with POE 2026-11-01 10:00 at +3 years,
/// with the root's CRL of 2026-11-20 and the CA's own CRL of 2026-10-31.
fn verdict_under_a_revoked_ca(revoked: &str) -> results_vault::SignatureVerdict {
    let pki = Pki::dated();
    let dir = pki.dir.path();
    let run = |args: &[&str]| assert!(openssl(dir, args), "openssl {args:?}");
    run(&[
        "req",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        "ica.key",
        "-out",
        "ica.csr",
        "-subj",
        "/CN=Province CA",
    ]);
    run(&[
        "ca",
        "-batch",
        "-config",
        "ca.cnf",
        "-cert",
        "root.pem",
        "-keyfile",
        "root.key",
        "-in",
        "ica.csr",
        "-out",
        "ica.pem",
        "-extensions",
        "v3_ca",
        "-notext",
        "-startdate",
        "20260101000000Z",
        "-enddate",
        "20360101000000Z",
    ]);
    // The CA's own `openssl ca` setup: its index (empty: nothing it issued is revoked).
    std::fs::create_dir(pki.path("ica")).unwrap();
    std::fs::write(pki.path("ica/index.txt"), "").unwrap();
    std::fs::write(pki.path("ica/serial"), "77\n").unwrap();
    std::fs::write(pki.path("ica/crlnumber"), "01\n").unwrap();
    std::fs::write(
        pki.path("ica.cnf"),
        "[ca]\ndefault_ca=d\n[d]\ndir=.\ndatabase=ica/index.txt\nnew_certs_dir=ica\nserial=ica/serial\n\
         crlnumber=ica/crlnumber\ndefault_md=sha256\npolicy=p\nunique_subject=no\n[p]\ncommonName=supplied\n\
         [v3_signer]\nbasicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature,nonRepudiation\n\
         subjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n[e]\nauthorityKeyIdentifier=keyid\n",
    )
    .unwrap();
    let ica = [
        "-batch", "-config", "ica.cnf", "-cert", "ica.pem", "-keyfile", "ica.key",
    ];
    run(&[
        "req",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        "clerk.key",
        "-out",
        "clerk.csr",
        "-subj",
        "/CN=Clerk",
    ]);
    let clerk = [
        "-in",
        "clerk.csr",
        "-out",
        "clerk.pem",
        "-extensions",
        "v3_signer",
        "-notext",
    ];
    let dates = ["-startdate", "20260101000000Z", "-enddate", "20360101000000Z"];
    run(&[&["ca"][..], &ica, &clerk, &dates].concat());
    run(&[
        &["ca"][..],
        &ica,
        &[
            "-gencrl",
            "-crlexts",
            "e",
            "-crl_lastupdate",
            "20261031000000Z",
            "-crl_nextupdate",
            "20261107000000Z",
        ],
        &["-out", "ica.crl"],
    ]
    .concat());
    pki.revoke_dated("ica.pem", revoked);
    let root_crl = pki.crl_dated("root-later", "20261120000000Z", "20261127000000Z");
    run(&[
        "cms",
        "-sign",
        "-binary",
        "-cades",
        "-in",
        "ca.cnf",
        "-signer",
        "clerk.pem",
        "-inkey",
        "clerk.key",
        "-certfile",
        "ica.pem",
        "-md",
        "sha256",
        "-outform",
        "DER",
        "-out",
        "clerk.p7s",
    ]);
    let cms = std::fs::read(pki.path("clerk.p7s")).unwrap();
    let content = std::fs::read(pki.path("ca.cnf")).unwrap();
    let anchors = vec![pki.root.clone()];
    let crls = vec![root_crl, pki.der("crl", "ica.crl")];
    let policy = results_vault::Policy::cades_baseline();
    let ctx = results_vault::verify::signature::ValidationContext {
        anchors: &anchors,
        intermediates: &[],
        crls: &crls,
        validation_time: PLUS_3_YEARS,
        proof_of_existence: Some(datetime!(2026-11-01 10:00 UTC)),
        policy: &policy,
        all_signers: false,
        chain_cache: None,
    };
    results_vault::verify::signature::verify_detached(&cms, &content, &ctx).remove(0)
}

#[test]
fn a_ca_revoked_before_the_poe_is_revoked_ca_no_poe_and_after_it_passes() {
    let before = verdict_under_a_revoked_ca("261031120000Z");
    assert_eq!(
        (before.indication, before.sub_indication),
        (Indication::Indeterminate, Some(SubIndication::RevokedCaNoPoe)),
        "{}",
        before.detail
    );
    assert!(before.detail.contains("intermediate 1"), "{}", before.detail);
    // The verdict names the CRL that revoked the CA.
    assert_eq!(before.crls_used.len(), 1, "{:?}", before.crls_used);
    assert_eq!(before.crls_used[0].this_update, "2026-11-20T00:00:00Z");
    let after = verdict_under_a_revoked_ca("261105000000Z");
    assert_eq!(after.indication, Indication::Passed, "{}", after.detail);
}
