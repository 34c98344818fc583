//! Issue 18: the vault file cannot lie. Someone who can write to the SQLite file edits
//! each column a verdict, a reuse decision or a report reads (the README's audit section
//! lists them). For each edit, either `log verify` (and `--against` a head kept outside)
//! reports it, or nothing a verdict says changes; for the columns that used to turn a
//! FAILED result PASSED, both.

mod common;

use common::pki::{openssl, Pki, DATED};
use common::signing::TestSigner;
use common::*;
use results_vault::{Exclusion, LocalSigner, LogCheck, ResultId, TrustItemKind, Vault};
use time::macros::datetime;

/// A time after every event of these tests (the stepping clock starts 2026-11-01 10:00).
const LATER: time::OffsetDateTime = datetime!(2026-11-06 08:00 UTC);

fn problems(v: &Vault) -> Vec<String> {
    let report = v.verify_log().unwrap();
    let head = v.log_head().unwrap().unwrap();
    let against = v.verify_log_against(&head).unwrap();
    assert_eq!(report.problem_count, against.problem_count, "--against finds the same");
    report.problems.into_iter().map(|p| p.what).collect()
}

fn assert_reported(v: &Vault, words: &str, case: &str) {
    let found = problems(v);
    assert!(
        found.iter().any(|p| p.contains(words)),
        "{case}: log verify should report {words:?}; it found {found:?}"
    );
}

fn signed_record(s: &TestSigner, t: &TempVault, n: u64) -> ResultId {
    let id = t
        .vault
        .ingest(birth_extract(&format!("T-{n}")), &noise(n, 900))
        .unwrap()
        .record
        .result_id;
    s.sign(&t.vault, &id);
    id
}

/// The signer, revoked twelve hours before the vault accepted its signature, by a CRL
/// that came later: the record is FAILED, and moving the proof of existence back in the
/// file (the row, or the event itself) does not make it PASSED.
#[test]
fn a_proof_of_existence_moved_back_in_the_file_changes_no_verdict() {
    let s = TestSigner::new();
    let t = temp_vault();
    let v = &t.vault;
    s.trust(v);
    let id = signed_record(&s, &t, 1); // accepted around 2026-11-01 10:00 UTC
    s.pki.revoke_dated("signer.pem", "261031220000Z,keyCompromise");
    v.add_crl(&s.pki.crl_dated("later", "20261101120000Z", "20261201000000Z"))
        .unwrap();
    let failed = v.verify_record(&id, LATER).unwrap();
    assert!(!failed.reusable, "{}", failed.summary);
    assert!(problems(v).is_empty());

    let db = raw_sqlite(&t.path());
    db.execute("UPDATE signatures SET poe_ms = poe_ms - 2 * 86400000", [])
        .unwrap();
    let after = v.verify_record(&id, LATER).unwrap();
    assert!(!after.reusable, "POE moved back in the row: {}", after.summary);
    // The row no longer matches its event: the signature proves nothing.
    assert!(
        after
            .reasons
            .iter()
            .any(|r| matches!(r, Exclusion::SignatureUnbound { .. })),
        "{:?}",
        after.reasons
    );
    assert_reported(v, "proof-of-existence time is not its sign event's time", "poe_ms");

    // The event's own time moved too: the event no longer hashes, the signature proves nothing.
    db.execute("UPDATE events SET at_ms = at_ms - 2 * 86400000 WHERE kind = 'sign'", [])
        .unwrap();
    let after = v.verify_record(&id, LATER).unwrap();
    assert!(!after.reusable);
    assert!(
        after
            .reasons
            .iter()
            .any(|r| matches!(r, Exclusion::SignatureUnbound { .. })),
        "{:?}",
        after.reasons
    );
    assert_reported(v, "event was edited", "events.at_ms");
    // Every reader sees a signature that is not PASSED (the CLI's overall verdict, the report).
    assert!(after
        .signatures
        .iter()
        .all(|s| s.verdict.indication != results_vault::Indication::Passed));
    assert!(!after.signatures.is_empty());
}

/// A validation time before the vault accepted the only signature: "signed after the
/// validation time", not "no signature".
#[test]
fn a_time_before_the_signature_says_signed_after_it() {
    let s = TestSigner::new();
    let t = temp_vault();
    let v = &t.vault;
    s.trust(v);
    let id = signed_record(&s, &t, 11); // accepted around 2026-11-01 10:00 UTC
    let before = v.verify_record(&id, datetime!(2026-11-01 09:00 UTC)).unwrap();
    assert!(
        matches!(before.reasons.as_slice(), [Exclusion::SignedAfter { .. }]),
        "{:?}",
        before.reasons
    );
    assert_eq!(
        before.signatures[0].verdict.sub_indication,
        Some(results_vault::SubIndication::NoPoe)
    );
    assert!(
        before.summary.contains("signed after the validation time"),
        "{}",
        before.summary
    );
    assert!(v.verify_record(&id, LATER).unwrap().reusable);
}

/// A signature row pointed at another sign event, or with its signer, source or
/// acceptance verdict rewritten: reported, and a row that names the wrong event proves
/// nothing.
#[test]
fn every_bound_column_of_a_signature_is_compared_with_its_event() {
    let s = TestSigner::new();
    let t = temp_vault();
    let v = &t.vault;
    s.trust(v);
    let first = signed_record(&s, &t, 2);
    let second = signed_record(&s, &t, 3);
    assert!(problems(v).is_empty());
    let db = raw_sqlite(&t.path());
    let edits: [(&str, &str, &str); 4] = [
        (
            "signer",
            "UPDATE signatures SET signer = zeroblob(32) WHERE result_id = ?1",
            "its signer is not the one its sign event names",
        ),
        (
            "source",
            "UPDATE signatures SET source = 'attached' WHERE result_id = ?1",
            "its source is not the one its sign event names",
        ),
        (
            "acceptance",
            "UPDATE signatures SET acceptance = replace(acceptance, 'PASSED', 'PASSED ') WHERE result_id = ?1",
            "its acceptance verdict is not the one its sign event names",
        ),
        (
            "event_seq",
            "UPDATE signatures SET event_seq = (SELECT max(seq) FROM events WHERE kind = 'sign') WHERE result_id = ?1",
            "not its record's sign event",
        ),
    ];
    for (column, sql, words) in edits {
        let before: (Vec<u8>, String, String, i64) = db
            .query_row(
                "SELECT signer, source, acceptance, event_seq FROM signatures WHERE result_id = ?1",
                [first.as_str()],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )
            .unwrap();
        assert_eq!(db.execute(sql, [first.as_str()]).unwrap(), 1, "{column}");
        assert_reported(v, words, column);
        let verdict = v.verify_record(&first, LATER).unwrap();
        assert!(
            !verdict.reusable
                && verdict
                    .reasons
                    .iter()
                    .any(|r| matches!(r, Exclusion::SignatureUnbound { .. })),
            "{column}: {:?}",
            verdict.reasons
        );
        db.execute(
            "UPDATE signatures SET signer = ?2, source = ?3, acceptance = ?4, event_seq = ?5 WHERE result_id = ?1",
            rusqlite::params![first.as_str(), before.0, before.1, before.2, before.3],
        )
        .unwrap();
        assert!(problems(v).is_empty(), "{column} restored");
        assert!(v.verify_record(&first, LATER).unwrap().reusable);
    }
    assert!(v.verify_record(&second, LATER).unwrap().reusable);

    // A completed signing session set back to open: reported.
    db.execute(
        "UPDATE signing_sessions SET state = 'open', signature_id = NULL WHERE result_id = ?1",
        [first.as_str()],
    )
    .unwrap();
    assert_reported(v, "signing session", "signing_sessions");
}

/// A CRL that revokes the signer relabelled as an intermediate (so that an older, clean
/// CRL would be the newest), and the trust items renamed: the log reports both, and the
/// verification still uses the item as what it was added as.
#[test]
fn a_trust_item_relabelled_in_the_file_is_used_as_what_it_was_added_as() {
    let s = TestSigner::new();
    let t = temp_vault();
    let v = &t.vault;
    s.trust(v);
    let id = signed_record(&s, &t, 4);
    s.pki.revoke_dated("signer.pem", "261031220000Z,keyCompromise");
    let revoking = v
        .add_crl(&s.pki.crl_dated("later", "20261101120000Z", "20261201000000Z"))
        .unwrap();
    assert!(!v.verify_record(&id, LATER).unwrap().reusable);

    let db = raw_sqlite(&t.path());
    db.execute(
        "UPDATE trust_items SET item = 'intermediate' WHERE sha256 = ?1",
        [&revoking.sha256.0[..]],
    )
    .unwrap();
    let after = v.verify_record(&id, LATER).unwrap();
    assert!(!after.reusable, "CRL relabelled: {}", after.summary);
    assert!(v.trust_material().unwrap().crls.len() == 2);
    assert_reported(v, "relabelled", "trust_items.item (CRL)");

    // The anchor relabelled as a CRL: still the anchor for verifications.
    db.execute("UPDATE trust_items SET item = 'crl'", []).unwrap();
    assert_eq!(v.trust_material().unwrap().anchors, vec![s.pki.root.clone()]);
    db.execute(
        "UPDATE trust_items SET item = CASE WHEN sha256 = ?1 THEN 'anchor' ELSE 'crl' END",
        [&results_vault::Sha256::of(&s.pki.root).0[..]],
    )
    .unwrap();
    assert!(problems(v).is_empty());

    db.execute(
        "UPDATE trust_items SET name = 'CN=Somebody Else' WHERE item = 'anchor'",
        [],
    )
    .unwrap();
    assert_reported(v, "renamed", "trust_items.name");
}

/// An intermediate relabelled as an anchor no longer needs its issuer's CRL: before this
/// rule, a root's CRL revoking the intermediate was ignored after the edit.
#[test]
fn an_intermediate_relabelled_as_an_anchor_stays_an_intermediate() {
    let pki = Pki::dated();
    pki.issue_with_extensions(
        "ica",
        "basicConstraints = critical, CA:TRUE\nkeyUsage = critical, keyCertSign, cRLSign\n\
         subjectKeyIdentifier = hash\nauthorityKeyIdentifier = keyid",
    );
    let ica = pki.der("x509", "ica.pem");
    // A signer under the intermediate (openssl ca with the intermediate's key).
    let d = pki.dir.path();
    assert!(openssl(
        d,
        &[
            "req",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            "leaf.key",
            "-out",
            "leaf.csr",
            "-subj",
            "/CN=Leaf Officer"
        ]
    ));
    // `openssl ca` with the intermediate's key and certificate.
    let by_ica = |args: &[&str]| {
        let mut all = vec![
            "ca", "-batch", "-config", "ca.cnf", "-cert", "ica.pem", "-keyfile", "ica.key",
        ];
        all.extend_from_slice(args);
        assert!(openssl(d, &all), "openssl ca (intermediate) {args:?}");
    };
    by_ica(&[
        "-in",
        "leaf.csr",
        "-out",
        "leaf.pem",
        "-extensions",
        "v3_signer",
        "-notext",
        "-startdate",
        DATED.0,
        "-enddate",
        DATED.1,
    ]);
    let leaf = pki.der("x509", "leaf.pem");
    let ica_crl = |name: &str| {
        let file = format!("{name}.crl");
        by_ica(&[
            "-gencrl",
            "-out",
            &file,
            "-crlexts",
            "crl_ext",
            "-crl_lastupdate",
            "20261031000000Z",
        ]);
        pki.der("crl", &file)
    };
    let t = temp_vault();
    let v = &t.vault;
    v.add_trust_anchor(&pki.root).unwrap();
    v.add_crl(&pki.crl("root")).unwrap();
    v.add_intermediate(&ica).unwrap();
    v.add_crl(&ica_crl("ica")).unwrap();
    let signer = LocalSigner::from_pkcs8(&pki.pkcs8("leaf.key"), vec![leaf, ica.clone()]).unwrap();
    let id = t
        .vault
        .ingest(birth_extract("T-5"), &noise(5, 900))
        .unwrap()
        .record
        .result_id;
    v.sign_with(&id, &signer, results_vault::DigestAlgorithm::Sha256)
        .unwrap();
    assert!(v.verify_record(&id, LATER).unwrap().reusable);

    // The root revokes the intermediate, twelve hours before the signature.
    pki.revoke_dated("ica.pem", "261031220000Z,cACompromise");
    v.add_crl(&pki.crl_dated("root-later", "20261101120000Z", "20261201000000Z"))
        .unwrap();
    assert!(!v.verify_record(&id, LATER).unwrap().reusable);

    let db = raw_sqlite(&t.path());
    db.execute(
        "UPDATE trust_items SET item = 'anchor' WHERE sha256 = ?1",
        [&results_vault::Sha256::of(&ica).0[..]],
    )
    .unwrap();
    let after = v.verify_record(&id, LATER).unwrap();
    assert!(!after.reusable, "intermediate relabelled as anchor: {}", after.summary);
    assert!(!v.trust_material().unwrap().anchors.contains(&ica));
    assert_reported(v, "relabelled", "trust_items.item (intermediate)");
    assert!(v
        .trust_items()
        .unwrap()
        .iter()
        .any(|i| i.kind == TrustItemKind::Anchor && i.sha256 == results_vault::Sha256::of(&ica)));
}

/// `trust add intermediate` of a CA that chains to no anchor is refused (it would be one
/// relabelling away from an anchor), and so is a self-signed root offered as one.
#[test]
fn an_intermediate_of_an_untrusted_pki_is_refused() {
    let pki = Pki::dated();
    let t = temp_vault();
    let v = &t.vault;
    match v.add_intermediate(&pki.root) {
        Err(results_vault::Error::TrustRefused(why)) => assert!(why.contains("not issued by a stored anchor"), "{why}"),
        other => panic!("an intermediate before its anchor: {other:?}"),
    }
    v.add_trust_anchor(&pki.root).unwrap();
    match v.add_intermediate(&pki.impostor_root) {
        Err(results_vault::Error::TrustRefused(why)) => assert!(why.contains("not issued by a stored anchor"), "{why}"),
        other => panic!("a foreign root as intermediate: {other:?}"),
    }
    assert_eq!(v.trust_items().unwrap().len(), 1, "nothing stored");
    // The control: a CA the anchor issued.
    pki.issue_with_extensions(
        "ica",
        "basicConstraints = critical, CA:TRUE\nkeyUsage = critical, keyCertSign, cRLSign",
    );
    v.add_intermediate(&pki.der("x509", "ica.pem")).unwrap();
}

/// The PDF check kept at ingest, rewritten: reported.
#[test]
fn a_pdf_check_rewritten_in_the_file_is_reported() {
    let t = temp_vault();
    let v = &t.vault;
    let id = v
        .ingest(birth_extract("T-6"), b"%PDF-1.7 not really")
        .unwrap()
        .record
        .result_id;
    assert!(v.pdf_check(&id).unwrap().is_some());
    assert!(problems(v).is_empty());
    let db = raw_sqlite(&t.path());
    db.execute(
        "UPDATE pdf_checks SET check_json = replace(check_json, 'malformed', 'fine')",
        [],
    )
    .unwrap();
    assert_reported(v, "the PDF check differs", "pdf_checks.check_json");
    db.execute("DELETE FROM pdf_checks", []).unwrap();
    assert_reported(v, "PDF check its ingest event names is gone", "pdf_checks row");
}

/// Two contents swapped, and a zstd frame replaced by another (its hash cell kept): the
/// audit re-hashes the archive and names each record; `--skip-contents` does not.
#[test]
fn the_audit_rehashes_every_stored_content() {
    let t = temp_vault();
    let v = &t.vault;
    let a = v
        .ingest(birth_extract("T-7"), &noise(7, 5000))
        .unwrap()
        .record
        .result_id;
    let b = v
        .ingest(birth_extract("T-8"), &noise(8, 5000))
        .unwrap()
        .record
        .result_id;
    let c = v
        .ingest(birth_extract("T-9"), &text(9, 50_000))
        .unwrap()
        .record
        .result_id;
    let report = v.verify_log().unwrap();
    assert!(report.is_intact(), "{report:?}");
    assert_eq!(report.contents, 3);

    let db = raw_sqlite(&t.path());
    let data = |id: i64| -> Vec<u8> {
        db.query_row("SELECT data FROM contents WHERE id = ?1", [id], |r| r.get(0))
            .unwrap()
    };
    let (first, second) = (data(1), data(2));
    db.execute("UPDATE contents SET data = ?1 WHERE id = 2", [&first])
        .unwrap();
    db.execute("UPDATE contents SET data = ?1 WHERE id = 1", [&second])
        .unwrap();
    let frame = zstd::encode_all(&text(10, 50_000)[..], 3).unwrap();
    db.execute("UPDATE contents SET data = ?1 WHERE id = 3", [&frame])
        .unwrap();
    let report = v.verify_log().unwrap();
    for id in [&a, &b, &c] {
        assert!(
            report
                .problems
                .iter()
                .any(|p| p.result_id.as_deref() == Some(id.as_str()) && p.what.contains("no longer matches")),
            "{id}: {report:?}"
        );
    }
    let skipped = v
        .verify_log_with(&LogCheck {
            skip_contents: true,
            ..LogCheck::default()
        })
        .unwrap();
    assert!(skipped.is_intact() && skipped.contents == 0, "{skipped:?}");
}

/// A clock stepped back (NTP, a VM restored) never dates an event before its predecessor,
/// and what a row records of the event's time is the event's (the audit compares them).
#[test]
fn a_clock_that_goes_back_leaves_the_log_intact() {
    use std::sync::atomic::{AtomicI64, Ordering};
    use std::sync::Arc;
    let t0 = datetime!(2026-11-01 10:00 UTC).unix_timestamp();
    let ticks = Arc::new(AtomicI64::new(0));
    let clock: results_vault::Clock = Arc::new(move || {
        // Forward, then one hour back every third call.
        let n = ticks.fetch_add(1, Ordering::SeqCst);
        let back = if n % 3 == 2 { 3600 } else { 0 };
        time::OffsetDateTime::from_unix_timestamp(t0 + n - back).unwrap()
    });
    let s = TestSigner::new();
    let t = temp_vault_with(results_vault::VaultOptions { clock, ..options() });
    let v = &t.vault;
    s.trust(v);
    let id = signed_record(&s, &t, 12);
    for n in 0..4 {
        let answer = v
            .find_reusable(
                results_vault::ReuseQuery {
                    subject_kind: results_vault::SubjectKind::Citizen,
                    subject_id: results_vault::SubjectId::new(CITIZEN_ID),
                    document_type: "birth-extract".into(),
                    at: LATER,
                },
                results_vault::Requester {
                    agency_code: "G22.46.02".into(),
                    procedure_code: "1.001193".into(),
                    dossier_code: format!("D-{n}"),
                    purpose: "Đăng ký nhập học".into(),
                },
            )
            .unwrap();
        assert_eq!(answer.results.len(), 1, "{:?}", answer.excluded);
    }
    assert!(problems(v).is_empty(), "{:?}", problems(v));
    let times: Vec<_> = v.history(&id).unwrap().iter().map(|e| e.at).collect();
    assert!(times.windows(2).all(|w| w[0] <= w[1]), "{times:?}");
}
