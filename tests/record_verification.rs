//! A record's verdict ("reusable now: yes/no, because …") and its cache: a new CRL or a
//! removed anchor changes the answer at once; verdicts and the CRLs they used are kept
//! with the record; `find_reusable` hands out only records whose signatures pass;
//! signatures edited behind the vault's back are found by `verify_log`.

mod common;

use common::signing::TestSigner;
use common::*;
use results_vault::{
    Exclusion, Indication, Requester, ReuseQuery, Sha256, SubIndication, SubjectId, SubjectKind, TrustItemKind,
};
use time::macros::datetime;

fn query(at: time::OffsetDateTime) -> ReuseQuery {
    ReuseQuery {
        subject_kind: SubjectKind::Citizen,
        subject_id: SubjectId::new(CITIZEN_ID),
        document_type: "birth-extract".into(),
        at,
    }
}

fn requester() -> Requester {
    Requester {
        agency_code: "G22.47".into(),
        procedure_code: "1.001193".into(),
        dossier_code: "G22.47-D1".into(),
        purpose: "Tuyển sinh lớp 1".into(),
    }
}

#[test]
fn a_signed_record_is_reusable_and_an_unsigned_one_is_not() {
    let s = TestSigner::new();
    let t = temp_vault();
    let v = &t.vault;
    s.trust(v);
    let signed = v.ingest(birth_extract("V-1"), &noise(1, 900)).unwrap().record;
    let unsigned = v.ingest(birth_extract("V-2"), &noise(2, 900)).unwrap().record;
    let stored = s.sign(v, &signed.result_id);
    let at = datetime!(2026-11-05 08:00 UTC);

    let verdict = v.verify_record(&signed.result_id, at).unwrap();
    assert!(verdict.reusable, "{}", verdict.summary);
    assert!(verdict.integrity);
    assert_eq!(verdict.status, results_vault::StatusKind::Active);
    assert_eq!(verdict.signatures.len(), 1);
    let checked = &verdict.signatures[0];
    assert_eq!(checked.signature, stored.sha256);
    assert_eq!(checked.proof_of_existence, stored.proof_of_existence);
    assert_eq!(checked.verdict.indication, Indication::Passed);
    assert_eq!(checked.verdict.revocation.status, "GOOD");
    assert!(checked.verdict.signer.as_ref().unwrap().subject.contains("Signer"));

    let no = v.verify_record(&unsigned.result_id, at).unwrap();
    assert!(!no.reusable);
    assert_eq!(no.reasons, vec![Exclusion::Unsigned]);
    assert!(no.summary.contains("no accepted signature"), "{}", no.summary);

    let answer = v.find_reusable(query(at), requester()).unwrap();
    assert_eq!(answer.results.len(), 1);
    assert_eq!(answer.results[0].result_id, signed.result_id);
    assert_eq!(answer.verdicts[0].result_id, signed.result_id);
    assert!(answer.verdicts[0].reusable);
    assert_eq!(answer.excluded.len(), 1);
    assert_eq!(answer.excluded[0].exclusion, Exclusion::Unsigned);
}

#[test]
fn removing_the_anchor_or_adding_a_crl_changes_the_answer_at_once() {
    let s = TestSigner::new();
    let t = temp_vault();
    let v = &t.vault;
    s.trust(v);
    let record = v.ingest(birth_extract("V-3"), &noise(3, 900)).unwrap().record;
    let id = &record.result_id;
    s.sign(v, id);
    let at = datetime!(2026-11-06 08:00 UTC);
    // Twice: the second answer comes from the cache and says the same.
    let first = v.verify_record(id, at).unwrap();
    let second = v.verify_record(id, at).unwrap();
    assert!(first.reusable && second.reusable);
    assert_eq!(first, second);

    // The anchor is removed: no chain, at once.
    let root = Sha256::of(&s.pki.root);
    assert!(v.remove_trust_item(&root).unwrap());
    let without = v.verify_record(id, at).unwrap();
    assert!(!without.reusable);
    assert_eq!(
        without.signatures[0].verdict.sub_indication,
        Some(SubIndication::NoCertificateChainFound)
    );
    assert!(v.find_reusable(query(at), requester()).unwrap().results.is_empty());
    v.add_trust_anchor(&s.pki.root).unwrap();
    assert!(v.verify_record(id, at).unwrap().reusable);

    // The CA learns the key was compromised before the signature existed: the new CRL
    // dates the revocation to 2026-10-31, and the answer changes at once.
    s.pki.revoke_dated("signer.pem", "261031000000Z");
    let crl = s.pki.crl("after-compromise");
    v.add_crl(&crl).unwrap();
    let revoked = v.verify_record(id, at).unwrap();
    assert!(!revoked.reusable, "{}", revoked.summary);
    let verdict = &revoked.signatures[0].verdict;
    assert_eq!(verdict.indication, Indication::Failed, "{verdict:?}");
    assert_eq!(verdict.sub_indication, Some(SubIndication::Revoked));
    let answer = v.find_reusable(query(at), requester()).unwrap();
    assert!(answer.results.is_empty());
    assert!(matches!(
        answer.excluded[0].exclusion,
        Exclusion::SignatureNotPassed {
            indication: Indication::Failed,
            sub_indication: Some(SubIndication::Revoked),
            ..
        }
    ));
    // No reuse event was recorded for it.
    assert!(v
        .history(id)
        .unwrap()
        .iter()
        .all(|e| e.kind != results_vault::EventKind::Reuse || e.seq < 10));
}

#[test]
fn a_signer_revoked_after_signing_still_passes_on_the_vaults_proof_of_existence() {
    let s = TestSigner::new();
    let t = temp_vault();
    let v = &t.vault;
    s.trust(v);
    let id = v.ingest(birth_extract("V-4"), &noise(4, 900)).unwrap().record.result_id;
    s.sign(v, &id); // accepted around 2026-11-01 10:00 UTC
    s.pki.revoke_dated("signer.pem", "261103000000Z");
    v.add_crl(&s.pki.crl_dated("later", "20261104000000Z", "20261204000000Z"))
        .unwrap();
    let verdict = v.verify_record(&id, datetime!(2026-11-06 08:00 UTC)).unwrap();
    assert!(verdict.reusable, "{}", verdict.summary);
    let sig = &verdict.signatures[0].verdict;
    assert_eq!(sig.valid_at_signing_time, Some(true));
    assert!(sig.detail.contains("existed"), "{}", sig.detail);
}

#[test]
fn verdicts_and_the_crls_they_used_are_kept_with_the_record() {
    let s = TestSigner::new();
    let t = temp_vault();
    let v = &t.vault;
    s.trust(v);
    let id = v.ingest(birth_extract("V-5"), &noise(5, 900)).unwrap().record.result_id;
    let stored = s.sign(v, &id);
    let crl_item = v
        .trust_items()
        .unwrap()
        .into_iter()
        .find(|i| i.kind == TrustItemKind::Crl)
        .unwrap();
    // The acceptance verdict names the CRL it used, and the vault keeps that CRL.
    let used = &stored.acceptance.crls_used;
    assert_eq!(used.len(), 1);
    assert_eq!(used[0].sha256, crl_item.sha256.to_hex());
    let kept = v.kept_crl(&crl_item.sha256).unwrap().unwrap();
    assert_eq!(Sha256::of(&kept), crl_item.sha256);

    // A later check is kept too, and survives the CRL's removal from the trust store.
    assert_eq!(v.signature_checks(&id).unwrap(), vec![None]);
    v.verify_record(&id, datetime!(2026-11-07 08:00 UTC)).unwrap();
    let checks = v.signature_checks(&id).unwrap();
    let check = checks[0].as_ref().unwrap();
    assert_eq!(check.indication, Indication::Passed);
    assert_eq!(check.crls_used[0].sha256, crl_item.sha256.to_hex());
    assert!(v.remove_trust_item(&crl_item.sha256).unwrap());
    assert!(v.kept_crl(&crl_item.sha256).unwrap().is_some());
    // The kept CRL still proves the signature at its proof of existence: PASSED and
    // reusable, the verdict naming the kept CRL.
    let later = v.verify_record(&id, datetime!(2026-11-07 08:00 UTC)).unwrap();
    assert_eq!(later.signatures[0].verdict.indication, Indication::Passed);
    assert_eq!(
        later.signatures[0].verdict.crls_used[0].sha256,
        crl_item.sha256.to_hex()
    );
    assert!(later.reusable);
    // The stored signature re-reads whole.
    assert_eq!(v.signatures(&id).unwrap(), vec![stored]);
}

#[test]
fn verify_log_finds_signatures_changed_behind_the_vaults_back() {
    let s = TestSigner::new();
    let t = temp_vault();
    let v = &t.vault;
    s.trust(v);
    let id = v.ingest(birth_extract("V-6"), &noise(6, 900)).unwrap().record.result_id;
    s.sign(v, &id);
    assert!(v.verify_log().unwrap().is_intact());
    let db = raw_sqlite(&t.path());

    // Edited CMS bytes: the last byte belongs to the signature value.
    let original: Vec<u8> = db.query_row("SELECT cms FROM signatures", [], |r| r.get(0)).unwrap();
    let mut edited = original.clone();
    *edited.last_mut().unwrap() ^= 1;
    db.execute("UPDATE signatures SET cms = ?1", [&edited]).unwrap();
    let report = v.verify_log().unwrap();
    assert!(report.problems.iter().any(|p| p.what.contains("edited")), "{report:?}");
    // And the verdict no longer passes.
    assert!(!v.verify_record(&id, datetime!(2026-11-06 08:00 UTC)).unwrap().reusable);

    // Restored: intact again. Then a row the log never recorded.
    db.execute("UPDATE signatures SET cms = ?1", [&original]).unwrap();
    assert!(v.verify_log().unwrap().is_intact());
    db.execute(
        "INSERT INTO signatures (result_id, sha256, cms, signer, source, session_id, poe_ms, event_seq, acceptance)
         SELECT result_id, zeroblob(32), x'3000', signer, 'attached', NULL, poe_ms, event_seq, acceptance
         FROM signatures",
        [],
    )
    .unwrap();
    let report = v.verify_log().unwrap();
    assert!(report.problems.iter().any(|p| p.what.contains("edited")), "{report:?}");

    // Deleted: the log still names it.
    db.execute_batch(
        "DELETE FROM signature_checks; UPDATE signing_sessions SET signature_id = NULL; DELETE FROM signatures;",
    )
    .unwrap();
    let report = v.verify_log().unwrap();
    assert!(report.problems.iter().any(|p| p.what.contains("removed")), "{report:?}");
}

#[test]
fn without_the_verdict_cache_every_check_is_made_again_with_the_same_answers() {
    let s = TestSigner::new();
    let t = temp_vault();
    let cached = &t.vault;
    s.trust(cached);
    let id = cached
        .ingest(birth_extract("V-7"), &noise(7, 900))
        .unwrap()
        .record
        .result_id;
    s.sign(cached, &id);
    let uncached = results_vault::Vault::open(
        t.path(),
        results_vault::VaultOptions {
            cache_verdicts: false,
            ..options()
        },
    )
    .unwrap();
    let without_time = |mut v: results_vault::RecordVerdict| {
        for s in &mut v.signatures {
            s.verdict.validation_time.clear();
        }
        v
    };
    for at in [
        datetime!(2026-11-02 08:00 UTC),
        datetime!(2026-11-05 08:00 UTC),
        datetime!(2026-11-05 08:00:01 UTC),
    ] {
        let a = without_time(cached.verify_record(&id, at).unwrap());
        let b = without_time(uncached.verify_record(&id, at).unwrap());
        assert!(b.reusable, "{}", b.summary);
        assert_eq!(a, b);
    }
    // A revocation dated before the signature's proof of existence, seen through one
    // handle, is the answer of both.
    s.pki.revoke_dated("signer.pem", "261031000000Z");
    cached.add_crl(&s.pki.crl("revoked")).unwrap();
    let at = datetime!(2026-11-05 08:00 UTC);
    for v in [cached, &uncached] {
        let verdict = v.verify_record(&id, at).unwrap();
        assert!(!verdict.reusable, "{}", verdict.summary);
        assert!(
            matches!(
                verdict.reasons[..],
                [Exclusion::SignatureNotPassed {
                    sub_indication: Some(SubIndication::Revoked),
                    ..
                }]
            ),
            "{:?}",
            verdict.reasons
        );
    }
}
