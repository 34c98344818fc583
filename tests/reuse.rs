//! Reuse queries: only results in force and intact are handed out, every hand-out is
//! recorded, a request without requester or purpose is refused, and the statistics add up.

mod common;

use common::*;
use results_vault::{Error, Exclusion, Requester, ReuseQuery, StatusChange, SubjectId, SubjectKind};
use time::macros::{date, datetime};
use time::OffsetDateTime;

fn query(document_type: &str, at: OffsetDateTime) -> ReuseQuery {
    ReuseQuery {
        subject_kind: SubjectKind::Citizen,
        subject_id: SubjectId::new(CITIZEN_ID),
        document_type: document_type.to_owned(),
        at,
    }
}

fn requester(agency: &str, dossier: &str) -> Requester {
    Requester {
        agency_code: agency.to_owned(),
        procedure_code: "1.001193".to_owned(),
        dossier_code: dossier.to_owned(),
        purpose: "Đăng ký nhập học".to_owned(),
    }
}

fn decision() -> StatusChange {
    StatusChange {
        reason: "issued in error".to_owned(),
        decision_ref: "45/QĐ-UBND".to_owned(),
        at: datetime!(2026-11-02 09:00 UTC),
        by: "G22.46.01".to_owned(),
    }
}

#[test]
fn only_results_in_force_and_intact_are_handed_out() {
    let t = temp_vault();
    let v = &t.vault;
    let signer = signing::TestSigner::new();
    signer.trust(v);
    let ingest = |dossier: &str, edit: &dyn Fn(&mut results_vault::NewRecord)| {
        let mut r = birth_extract(dossier);
        r.document_type = "residence-confirmation".to_owned();
        edit(&mut r);
        let record = v.ingest(r, &noise(dossier[2..].parse().unwrap(), 3000)).unwrap().record;
        signer.sign(v, &record.result_id);
        record
    };
    let good = ingest("R-10", &|_| {});
    let open_ended = ingest("R-11", &|r| r.valid_until = None);
    let expired = ingest("R-12", &|r| r.valid_until = Some(date!(2026 - 11 - 09)));
    let last_day = ingest("R-13", &|r| r.valid_until = Some(date!(2026 - 11 - 10)));
    let future = ingest("R-14", &|r| r.valid_from = date!(2026 - 12 - 01));
    let revoked = ingest("R-15", &|_| {});
    let superseded = ingest("R-16", &|_| {});
    let replacement = ingest("R-17", &|_| {});
    let tampered = ingest("R-18", &|_| {});
    let other_type = v.ingest(birth_extract("R-19"), b"another type").unwrap().record;
    let mut other_person = birth_extract("R-20");
    other_person.subject.id = SubjectId::new("079088001234");
    other_person.document_type = "residence-confirmation".to_owned();
    v.ingest(other_person, b"another person").unwrap();

    v.revoke(&revoked.result_id, decision()).unwrap();
    v.supersede(&superseded.result_id, &replacement.result_id, decision())
        .unwrap();
    raw_sqlite(&t.path())
        .execute(
            "UPDATE contents SET data = zeroblob(3000) WHERE id = (SELECT content_id FROM records WHERE result_id = ?1)",
            [tampered.result_id.as_str()],
        )
        .unwrap();

    // 2026-11-10 17:30 UTC is already 2026-11-11 in Vietnam: R-13 (last day 11-10) has expired.
    let late = v
        .find_reusable(
            query("residence-confirmation", datetime!(2026-11-10 17:30 UTC)),
            requester("G22.47", "D-1"),
        )
        .unwrap();
    let ids = |rs: &[results_vault::Record]| rs.iter().map(|r| r.result_id.clone()).collect::<Vec<_>>();
    assert_eq!(
        ids(&late.results),
        vec![
            good.result_id.clone(),
            open_ended.result_id.clone(),
            replacement.result_id.clone()
        ]
    );

    let answer = v
        .find_reusable(
            query("residence-confirmation", datetime!(2026-11-10 09:00 +07:00)),
            requester("G22.47", "D-1"),
        )
        .unwrap();
    assert_eq!(
        ids(&answer.results),
        vec![
            good.result_id.clone(),
            open_ended.result_id.clone(),
            last_day.result_id.clone(),
            replacement.result_id.clone()
        ]
    );
    let why = |id: &results_vault::ResultId| {
        answer
            .excluded
            .iter()
            .find(|e| &e.result_id == id)
            .map(|e| e.exclusion.clone())
    };
    assert_eq!(why(&expired.result_id), Some(Exclusion::Expired));
    assert_eq!(why(&future.result_id), Some(Exclusion::NotYetValid));
    // Its status at that time says so too (not "in force"), in both languages.
    let status = v
        .verify_record(&future.result_id, datetime!(2026-11-10 09:00 +07:00))
        .unwrap()
        .status;
    assert_eq!(status, results_vault::StatusKind::NotYetValid);
    assert_eq!(
        results_vault::verify::wording::status_label(results_vault::verify::wording::Lang::Vi, status),
        "chưa có hiệu lực"
    );
    assert_eq!(why(&revoked.result_id), Some(Exclusion::Revoked));
    assert_eq!(
        why(&superseded.result_id),
        Some(Exclusion::Superseded {
            replaced_by: replacement.result_id.clone()
        })
    );
    assert_eq!(why(&tampered.result_id), Some(Exclusion::IntegrityFailure));
    assert_eq!(answer.excluded.len(), 5);
    assert!(why(&other_type.result_id).is_none());

    // One reuse event per result handed out, naming the requester.
    let events = v.history(&good.result_id).unwrap();
    let reuses: Vec<_> = events
        .iter()
        .filter(|e| e.kind == results_vault::EventKind::Reuse)
        .collect();
    assert_eq!(reuses.len(), 2);
    assert_eq!(reuses[0].actor, "G22.47");
    assert_eq!(reuses[0].details["dossier_code"], "D-1");
    assert_eq!(reuses[0].details["purpose"], "Đăng ký nhập học");
    assert!(v
        .history(&expired.result_id)
        .unwrap()
        .iter()
        .all(|e| e.kind != results_vault::EventKind::Reuse));
    let report = v.verify_log().unwrap();
    assert_eq!(report.reuses, 3 + 4);
}

#[test]
fn a_request_without_requester_or_purpose_is_refused_and_records_nothing() {
    let t = temp_vault();
    t.vault.ingest(birth_extract("R-30"), b"x").unwrap();
    let at = datetime!(2026-11-10 12:00 UTC);
    for (field, edit) in [
        (
            "purpose",
            Box::new(|r: &mut Requester| r.purpose.clear()) as Box<dyn Fn(&mut Requester)>,
        ),
        ("purpose", Box::new(|r: &mut Requester| r.purpose = "   ".into())),
        ("agency_code", Box::new(|r: &mut Requester| r.agency_code.clear())),
        ("procedure_code", Box::new(|r: &mut Requester| r.procedure_code.clear())),
        ("dossier_code", Box::new(|r: &mut Requester| r.dossier_code.clear())),
    ] {
        let mut req = requester("G22.47", "D-2");
        edit(&mut req);
        match t.vault.find_reusable(query("birth-extract", at), req) {
            Err(Error::ReuseRefused(msg)) => assert!(msg.contains(field), "{field}: {msg}"),
            other => panic!("{field}: expected a refusal, got {other:?}"),
        }
    }
    // A JSON request that leaves the requester out does not even parse.
    let json = r#"{"subject_kind":"citizen","subject_id":"001203004567","document_type":"birth-extract","at":"2026-11-10T12:00:00Z"}"#;
    assert!(serde_json::from_str::<Requester>(json).is_err());
    assert_eq!(t.vault.verify_log().unwrap().reuses, 0);
}

#[test]
fn a_malformed_subject_id_is_refused_without_echoing_it() {
    let t = temp_vault();
    let mut q = query("birth-extract", datetime!(2026-11-10 12:00 UTC));
    q.subject_id = SubjectId::new("0012030045");
    let err = t.vault.find_reusable(q, requester("G22.47", "D-3")).unwrap_err();
    assert!(
        matches!(err, Error::InvalidField(ref f) if f.field == "subject.id"),
        "{err}"
    );
    assert!(!format!("{err:?}").contains("0012030045"));
}

#[test]
fn statistics_per_agency() {
    let t = temp_vault();
    let v = &t.vault;
    // Agency G22.47 resolves four dossiers; for two of them it reused a stored result.
    let mut ids = Vec::new();
    for i in 0..4 {
        let mut r = birth_extract(&format!("G22.47-D{i}"));
        r.issuer.agency_code = "G22.47".to_owned();
        r.document_type = "school-enrolment".to_owned();
        ids.push(v.ingest(r, &noise(100 + i, 500)).unwrap().record);
    }
    let reused = v.ingest(birth_extract("G22.46-D9"), &noise(200, 500)).unwrap().record;
    let signer = signing::TestSigner::new();
    signer.trust(v);
    signer.sign(v, &reused.result_id);
    let at = datetime!(2026-11-10 12:00 UTC);
    v.find_reusable(query("birth-extract", at), requester("G22.47", "G22.47-D0"))
        .unwrap();
    v.find_reusable(query("birth-extract", at), requester("G22.47", "G22.47-D1"))
        .unwrap();
    v.find_reusable(query("birth-extract", at), requester("G22.47", "G22.47-D1"))
        .unwrap();

    let stats = v
        .stats(datetime!(2026-11-01 00:00 UTC), datetime!(2026-12-01 00:00 UTC))
        .unwrap();
    let of = |code: &str| stats.iter().find(|s| s.agency_code == code).unwrap().clone();
    let g47 = of("G22.47");
    assert_eq!((g47.results_ingested, g47.dossiers, g47.dossiers_with_reuse), (4, 4, 2));
    assert_eq!(g47.reuse_rate, Some(0.5));
    assert_eq!((g47.reuses_made, g47.dossiers_reusing, g47.results_reused), (3, 2, 0));
    let g46 = of("G22.46.01");
    assert_eq!((g46.results_ingested, g46.reuses_made, g46.results_reused), (1, 0, 1));
    assert_eq!(g46.reuse_rate, Some(0.0));

    // A window before anything happened is empty.
    assert!(v
        .stats(datetime!(2026-01-01 00:00 UTC), datetime!(2026-02-01 00:00 UTC))
        .unwrap()
        .is_empty());
}
