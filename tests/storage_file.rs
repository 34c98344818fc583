//! The SQLite file itself: pragmas, schema version, refusal of newer, foreign and corrupt
//! files (never modified), and content tampered with behind the vault's back.

mod common;

use common::*;
use results_vault::{Error, Vault, SCHEMA_VERSION};

/// The file's SHA-256: compared before and after, so a failure prints 64 characters.
fn file_digest(path: &std::path::Path) -> results_vault::Sha256 {
    results_vault::Sha256::of(&std::fs::read(path).unwrap())
}

#[test]
fn file_is_wal_with_schema_version_and_application_id() {
    let t = temp_vault();
    t.vault.ingest(birth_extract("S-1"), b"content").unwrap();
    let db = raw_sqlite(&t.path());
    let mode: String = db.query_row("PRAGMA journal_mode", [], |r| r.get(0)).unwrap();
    assert_eq!(mode, "wal");
    let version: i64 = db.query_row("PRAGMA user_version", [], |r| r.get(0)).unwrap();
    assert_eq!(version, SCHEMA_VERSION);
    let app: i64 = db.query_row("PRAGMA application_id", [], |r| r.get(0)).unwrap();
    assert_eq!(app, 0x5256_4C54);
    let page: i64 = db.query_row("PRAGMA page_size", [], |r| r.get(0)).unwrap();
    assert_eq!(page, 16384);
    // Foreign keys hold: a record cannot point to missing content.
    drop(db);
    assert!(t.vault.check_storage().unwrap().is_empty());
}

#[test]
fn create_refuses_an_existing_file_and_open_a_missing_one() {
    let t = temp_vault();
    assert!(matches!(Vault::create(t.path(), options()), Err(Error::Path { .. })));
    let missing = t.dir.path().join("missing.db");
    assert!(matches!(Vault::open(&missing, options()), Err(Error::Path { .. })));
    assert!(!missing.exists(), "open must not create a file");
    let made = Vault::open_or_create(&missing, options()).unwrap();
    drop(made);
    assert!(Vault::open_or_create(&missing, options()).is_ok());
}

#[test]
fn a_newer_schema_is_refused_and_left_alone() {
    let t = temp_vault();
    let path = t.path();
    drop(t.vault);
    raw_sqlite(&path)
        .pragma_update(None, "user_version", SCHEMA_VERSION + 1)
        .unwrap();
    let before = file_digest(&path);
    match Vault::open(&path, options()) {
        Err(Error::NewerSchema { found, supported, .. }) => {
            assert_eq!((found, supported), (SCHEMA_VERSION + 1, SCHEMA_VERSION));
        }
        Err(other) => panic!("expected NewerSchema, got {other}"),
        Ok(_) => panic!("expected NewerSchema, the file opened"),
    }
    assert_eq!(file_digest(&path), before);
}

#[test]
fn another_applications_database_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("other.db");
    raw_sqlite(&path)
        .execute_batch("CREATE TABLE users (name TEXT); INSERT INTO users VALUES ('a');")
        .unwrap();
    let before = file_digest(&path);
    assert!(matches!(Vault::open(&path, options()), Err(Error::NotAVault { .. })));
    assert_eq!(file_digest(&path), before);
}

#[test]
fn a_file_that_is_not_sqlite_is_reported_corrupt_and_kept() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("garbage.db");
    let garbage = noise(5, 100_000);
    std::fs::write(&path, &garbage).unwrap();
    let err = Vault::open(&path, options()).err().expect("garbage must not open");
    assert!(matches!(err, Error::Corrupt { .. }), "{err}");
    assert!(err.to_string().contains("not modified"), "{err}");
    assert_eq!(
        file_digest(&path),
        results_vault::Sha256::of(&garbage),
        "evidence must not be rewritten"
    );
    let names: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names.len(), 1, "no side files left: {names:?}");
}

#[test]
fn a_damaged_page_is_reported_corrupt_not_rebuilt() {
    let t = temp_vault();
    for i in 0..20 {
        t.vault
            .ingest(birth_extract(&format!("S-{i}")), &noise(i, 70_000))
            .unwrap();
    }
    let path = t.path();
    drop(t.vault);
    // Fold the WAL into the main file, then smash the second page (a b-tree page).
    raw_sqlite(&path)
        .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
        .unwrap();
    let mut bytes = std::fs::read(&path).unwrap();
    for b in &mut bytes[65536..65536 + 4096] {
        *b = 0xA5;
    }
    std::fs::write(&path, &bytes).unwrap();
    // Either opening notices, or the storage check does: never silence.
    match Vault::open(&path, options()).and_then(|v| v.check_storage()) {
        Err(Error::Corrupt { .. }) => {}
        Ok(problems) => assert!(!problems.is_empty(), "integrity_check must see the damage"),
        Err(other) => panic!("expected Corrupt, got {other}"),
    }
    assert_eq!(
        file_digest(&path),
        results_vault::Sha256::of(&bytes),
        "a corrupt vault is evidence: never rewritten"
    );
}

#[test]
fn content_changed_behind_the_vaults_back_is_an_integrity_error() {
    let t = temp_vault();
    let raw = t
        .vault
        .ingest(birth_extract("S-30"), &noise(30, 10_000))
        .unwrap()
        .record;
    let packed = t.vault.ingest(birth_extract("S-31"), &text(31, 10_000)).unwrap().record;
    let db = raw_sqlite(&t.path());
    // Flip one byte of each stored blob (raw, and inside the zstd frame).
    let blobs: Vec<(i64, Vec<u8>)> = db
        .prepare("SELECT id, data FROM contents")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    for (id, mut data) in blobs {
        data[100] ^= 0x01;
        db.execute("UPDATE contents SET data = ?2 WHERE id = ?1", (id, data))
            .unwrap();
    }
    for record in [&raw, &packed] {
        match t.vault.read_content(&record.result_id) {
            Err(Error::Integrity {
                result_id, expected, ..
            }) => {
                assert_eq!(result_id, record.result_id);
                assert_eq!(expected, record.content.sha256.to_hex());
            }
            other => panic!("expected Integrity, got {:?}", other.map(|b| b.len())),
        }
    }
    let mut bad = t.vault.verify_contents().unwrap();
    bad.sort();
    let mut want = vec![raw.result_id.clone(), packed.result_id.clone()];
    want.sort();
    assert_eq!(bad, want);
}

#[test]
fn an_empty_file_is_migrated_from_version_zero() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("empty.db");
    std::fs::write(&path, b"").unwrap();
    let v = Vault::open(&path, options()).unwrap();
    v.ingest(birth_extract("S-50"), b"x").unwrap();
    drop(v);
    let version: i64 = raw_sqlite(&path)
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(version, SCHEMA_VERSION);
}

#[test]
fn reopening_keeps_everything() {
    // Reopened several times, a vault keeps its content; an up-to-date schema is not
    // rewritten.
    let t = temp_vault();
    let r = t.vault.ingest(birth_extract("S-40"), b"kept").unwrap().record;
    let path = t.path();
    drop(t.vault);
    for _ in 0..3 {
        let v = Vault::open(&path, options()).unwrap();
        assert_eq!(v.read_content(&r.result_id).unwrap(), b"kept");
    }
}
