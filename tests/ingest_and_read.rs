//! Ingest, read back, idempotency, conflicts, field checks and limits, on a real file.

mod common;

use common::*;
use results_vault::{Error, LegalStatus, Sha256, SubjectId, Vault, VaultOptions};

#[test]
fn ingest_then_get_and_read_back() {
    let t = temp_vault();
    let content = noise(1, 50_000);
    let done = t.vault.ingest(birth_extract("G22.46-261001-0001"), &content).unwrap();
    assert!(done.created);
    let r = &done.record;
    assert_eq!(r.content.sha256, Sha256::of(&content));
    assert_eq!(r.content.size, 50_000);
    assert_eq!(r.status, LegalStatus::Active);
    assert_eq!(t.vault.get(&r.result_id).unwrap(), *r);
    assert_eq!(t.vault.read_content(&r.result_id).unwrap(), content);
    assert_eq!(t.vault.find_by_hash(&r.content.sha256).unwrap(), vec![r.clone()]);
    assert!(t.vault.find_by_hash(&Sha256::of(b"other")).unwrap().is_empty());

    // A reopened vault gives back exactly the same record.
    let path = t.path();
    let reopened = Vault::open(&path, options()).unwrap();
    assert_eq!(reopened.get(&r.result_id).unwrap(), *r);
}

#[test]
fn same_result_twice_returns_the_stored_record() {
    let t = temp_vault();
    let content = text(2, 30_000);
    let first = t.vault.ingest(birth_extract("D-1"), &content).unwrap();
    let again = t.vault.ingest(birth_extract("D-1"), &content).unwrap();
    assert!(!again.created);
    assert_eq!(again.record, first.record);
    assert_eq!(
        t.vault.history(&first.record.result_id).unwrap().len(),
        1,
        "no second ingest event"
    );
}

#[test]
fn decomposed_vietnamese_is_the_same_result() {
    let t = temp_vault();
    let content = text(3, 1000);
    let mut nfd = birth_extract("D-2");
    nfd.subject.name = Some("Nguye\u{302}\u{303}n Va\u{306}n An".to_owned());
    let a = t.vault.ingest(birth_extract("D-2"), &content).unwrap();
    let b = t.vault.ingest(nfd, &content).unwrap();
    assert!(!b.created);
    assert_eq!(a.record.result_id, b.record.result_id);
}

#[test]
fn same_key_with_other_content_or_metadata_is_a_conflict() {
    let t = temp_vault();
    let first = t.vault.ingest(birth_extract("D-3"), b"version one").unwrap();
    match t.vault.ingest(birth_extract("D-3"), b"version two") {
        Err(Error::Conflict {
            existing, difference, ..
        }) => {
            assert_eq!(existing, first.record.result_id);
            assert_eq!(difference, "other content");
        }
        other => panic!("expected a conflict, got {other:?}"),
    }
    let mut renamed = birth_extract("D-3");
    renamed.subject.name = Some("Trần Thị Bình".to_owned());
    assert!(matches!(
        t.vault.ingest(renamed, b"version one"),
        Err(Error::Conflict {
            difference: "other metadata",
            ..
        })
    ));
    // Nothing changed: one record, one event.
    assert_eq!(t.vault.verify_log().unwrap().events, 1);
}

#[test]
fn identical_content_in_two_dossiers_is_stored_once() {
    let t = temp_vault();
    let content = noise(4, 20_000);
    let a = t.vault.ingest(birth_extract("D-4"), &content).unwrap().record;
    let b = t.vault.ingest(birth_extract("D-5"), &content).unwrap().record;
    assert_ne!(a.result_id, b.result_id);
    assert_eq!(t.vault.find_by_hash(&a.content.sha256).unwrap().len(), 2);
    let summary = t.vault.storage_summary().unwrap();
    assert_eq!(summary.iter().map(|l| l.contents).sum::<u64>(), 1);
}

#[test]
fn a_bad_field_is_named_and_the_personal_id_is_never_echoed() {
    let t = temp_vault();
    type Breaker = Box<dyn Fn(&mut results_vault::NewRecord)>;
    let cases: Vec<(&str, Breaker)> = vec![
        ("subject.id", Box::new(|r| r.subject.id = SubjectId::new("00120300456"))),
        (
            "subject.id",
            Box::new(|r| r.subject.id = SubjectId::new("0012030045x7")),
        ),
        ("dossier_code", Box::new(|r| r.dossier_code = String::new())),
        (
            "procedure_code",
            Box::new(|r| r.procedure_code = "1.000\u{0}466".into()),
        ),
        (
            "issuer.agency_code",
            Box::new(|r| r.issuer.agency_code = "G".repeat(65)),
        ),
        ("document_type", Box::new(|r| r.document_type = " birth".into())),
        (
            "valid_until",
            Box::new(|r| r.valid_until = Some(time::macros::date!(2026 - 01 - 01))),
        ),
        ("media_type", Box::new(|r| r.media_type = "pdf".into())),
        ("file_name", Box::new(|r| r.file_name = Some("../etc/passwd".into()))),
    ];
    for (field, break_it) in cases {
        let mut r = birth_extract("D-6");
        break_it(&mut r);
        let err = t.vault.ingest(r, b"x").unwrap_err();
        match &err {
            Error::InvalidField(f) => assert_eq!(f.field, field, "{err}"),
            other => panic!("{field}: expected InvalidField, got {other:?}"),
        }
        let text = format!("{err} {err:?}");
        assert!(!text.contains("0012030045"), "personal ID echoed: {text}");
    }
    assert_eq!(t.vault.verify_log().unwrap().events, 0, "nothing stored");
}

#[test]
fn organization_codes_are_checked_by_their_own_rules() {
    let t = temp_vault();
    assert!(t
        .vault
        .ingest(business_registration("B-1", "0100109106-001"), b"gcn")
        .is_ok());
    assert!(t
        .vault
        .ingest(business_registration("B-2", "0100109106"), b"gcn2")
        .is_ok());
    let err = t
        .vault
        .ingest(business_registration("B-3", "001203004567"), b"gcn3")
        .unwrap_err();
    assert!(
        matches!(err, Error::InvalidField(ref f) if f.field == "subject.id"),
        "{err}"
    );
}

#[test]
fn empty_and_oversized_content_are_refused() {
    let t = temp_vault_with(VaultOptions {
        max_content_size: 1000,
        ..options()
    });
    assert!(matches!(
        t.vault.ingest(birth_extract("D-7"), b""),
        Err(Error::EmptyContent)
    ));
    let err = t.vault.ingest(birth_extract("D-7"), &[7u8; 1001]).unwrap_err();
    assert!(
        matches!(
            err,
            Error::ContentTooLarge {
                limit: 1000,
                size: 1001
            }
        ),
        "{err}"
    );
    // Through a reader, reading stops just past the limit.
    let endless = std::io::repeat(1u8);
    let err = t.vault.ingest_reader(birth_extract("D-7"), endless).unwrap_err();
    assert!(
        matches!(
            err,
            Error::ContentTooLarge {
                limit: 1000,
                size: 1001
            }
        ),
        "{err}"
    );
    assert!(t.vault.ingest(birth_extract("D-7"), &[7u8; 1000]).is_ok());
    assert_eq!(t.vault.verify_log().unwrap().events, 1);
}

#[test]
fn ingest_from_a_reader() {
    let t = temp_vault();
    let content = text(8, 123_456);
    let done = t.vault.ingest_reader(birth_extract("D-8"), &content[..]).unwrap();
    assert_eq!(t.vault.read_content(&done.record.result_id).unwrap(), content);
}

#[test]
fn a_batch_lands_whole_or_not_at_all() {
    let t = temp_vault();
    let a = noise(9, 1000);
    let b = noise(10, 1000);
    let mut bad = birth_extract("D-11");
    bad.subject.id = SubjectId::new("12345");
    let err = t
        .vault
        .ingest_batch(vec![
            (birth_extract("D-9"), &a[..]),
            (birth_extract("D-10"), &b[..]),
            (bad, &b[..]),
        ])
        .unwrap_err();
    assert!(matches!(err, Error::InvalidField(_)));
    // A conflict inside the batch also rolls back the items before it.
    t.vault.ingest(birth_extract("D-12"), b"already here").unwrap();
    let err = t
        .vault
        .ingest_batch(vec![(birth_extract("D-9"), &a[..]), (birth_extract("D-12"), &b[..])])
        .unwrap_err();
    assert!(matches!(err, Error::Conflict { .. }), "{err}");
    assert!(t.vault.find_by_hash(&Sha256::of(&a)).unwrap().is_empty());
    assert_eq!(t.vault.verify_log().unwrap().events, 1);

    let done = t
        .vault
        .ingest_batch(vec![(birth_extract("D-9"), &a[..]), (birth_extract("D-10"), &b[..])])
        .unwrap();
    assert_eq!(done.len(), 2);
    assert!(done.iter().all(|d| d.created));
    assert_eq!(t.vault.read_content(&done[1].record.result_id).unwrap(), b);
}

#[test]
fn text_is_compressed_and_compressed_content_is_kept_raw() {
    let t = temp_vault();
    t.vault.ingest(birth_extract("D-13"), &noise(13, 200_000)).unwrap();
    let doc = text(14, 200_000);
    let r = t.vault.ingest(birth_extract("D-14"), &doc).unwrap().record;
    let summary = t.vault.storage_summary().unwrap();
    let line = |codec: &str| summary.iter().find(|l| l.codec == codec).unwrap().clone();
    assert_eq!(line("raw").contents, 1);
    assert_eq!(line("raw").stored_bytes, 200_000);
    assert_eq!(line("zstd").contents, 1);
    assert!(line("zstd").stored_bytes < 100_000, "{:?}", line("zstd"));
    assert_eq!(t.vault.read_content(&r.result_id).unwrap(), doc);
}

#[test]
fn every_read_of_an_unknown_id_is_not_found() {
    let t = temp_vault();
    let unknown: results_vault::ResultId = "01M8442DNE2PJSSAEKS0MKZ3CK".parse().unwrap();
    assert!(matches!(t.vault.get(&unknown), Err(Error::NotFound(_))));
    assert!(matches!(t.vault.read_content(&unknown), Err(Error::NotFound(_))));
    assert!(matches!(t.vault.history(&unknown), Err(Error::NotFound(_))));
    assert!(matches!(t.vault.signatures(&unknown), Err(Error::NotFound(_))));
    assert!(matches!(t.vault.signature_checks(&unknown), Err(Error::NotFound(_))));
}
