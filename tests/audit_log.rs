//! The audit chain: every change appends an event; edits made directly to the SQLite file
//! (events edited, deleted, inserted, reordered; records or reuse rows changed) are found.

mod common;

use common::*;
use results_vault::{EventKind, LogHead, Requester, ReuseQuery, StatusChange, SubjectId, SubjectKind, Vault};
use time::macros::datetime;

/// A vault with three results, one revoked, one superseded, one signed, and one reuse.
fn busy_vault() -> TempVault {
    let t = temp_vault();
    let a = t.vault.ingest(birth_extract("L-1"), &noise(1, 2000)).unwrap().record;
    let b = t.vault.ingest(birth_extract("L-2"), &noise(2, 2000)).unwrap().record;
    let c = t.vault.ingest(birth_extract("L-3"), &noise(3, 2000)).unwrap().record;
    t.vault.revoke(&a.result_id, decision("revoked by decision")).unwrap();
    t.vault
        .supersede(&b.result_id, &c.result_id, decision("re-issued"))
        .unwrap();
    // Reuse hands out signed results only: trust a test root (2 events) and sign c (1).
    let signer = signing::TestSigner::new();
    signer.trust(&t.vault);
    signer.sign(&t.vault, &c.result_id);
    let answer = t.vault.find_reusable(query(), requester()).unwrap();
    assert_eq!(answer.results.len(), 1);
    t
}

pub fn decision(reason: &str) -> StatusChange {
    StatusChange {
        reason: reason.to_owned(),
        decision_ref: "45/QĐ-UBND".to_owned(),
        at: datetime!(2026-11-02 09:00 +07:00),
        by: "G22.46.01".to_owned(),
    }
}

fn query() -> ReuseQuery {
    ReuseQuery {
        subject_kind: SubjectKind::Citizen,
        subject_id: SubjectId::new(CITIZEN_ID),
        document_type: "birth-extract".to_owned(),
        at: datetime!(2026-11-10 12:00 UTC),
    }
}

fn requester() -> Requester {
    Requester {
        agency_code: "G22.47".to_owned(),
        procedure_code: "1.001193".to_owned(),
        dossier_code: "G22.47-261110-0042".to_owned(),
        purpose: "school enrolment".to_owned(),
    }
}

/// Runs `sql` directly on the file, then verifies the log and returns the problems' texts.
fn tamper(t: &TempVault, sql: &str) -> Vec<String> {
    raw_sqlite(&t.path()).execute_batch(sql).unwrap();
    let report = t.vault.verify_log().unwrap();
    assert!(!report.is_intact(), "tampering went unnoticed: {sql}");
    report.problems.into_iter().map(|p| p.what).collect()
}

fn any(problems: &[String], needle: &str) -> bool {
    problems.iter().any(|p| p.contains(needle))
}

#[test]
fn every_change_appends_one_event_and_the_chain_verifies() {
    let t = busy_vault();
    let report = t.vault.verify_log().unwrap();
    assert!(report.is_intact(), "{report:?}");
    assert_eq!((report.events, report.records, report.reuses), (9, 3, 1));
    assert_eq!(report.head, t.vault.log_head().unwrap());
    let superseded = &t
        .vault
        .find_by_hash(&results_vault::Sha256::of(&noise(2, 2000)))
        .unwrap()[0];
    let kinds: Vec<EventKind> = t
        .vault
        .history(&superseded.result_id)
        .unwrap()
        .iter()
        .map(|e| e.kind)
        .collect();
    assert_eq!(kinds, vec![EventKind::Ingest, EventKind::Supersede]);
}

#[test]
fn events_never_hold_a_personal_id() {
    let t = busy_vault();
    let db = raw_sqlite(&t.path());
    let leaked: i64 = db
        .query_row(
            "SELECT count(*) FROM events WHERE details LIKE ?1 OR actor LIKE ?1",
            [format!("%{CITIZEN_ID}%")],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(leaked, 0);
}

#[test]
fn an_edited_event_is_found() {
    let t = busy_vault();
    let p = tamper(&t, "UPDATE events SET actor = 'someone-else' WHERE seq = 4");
    assert!(any(&p, "edited"), "{p:?}");
}

#[test]
fn an_edited_event_with_its_hash_recomputed_breaks_the_next_link() {
    let t = busy_vault();
    // Change event 2's time and write any 32 bytes as its hash: event 3's prev no longer fits.
    let p = tamper(
        &t,
        "UPDATE events SET at_ms = at_ms + 1, hash = zeroblob(32) WHERE seq = 2",
    );
    assert!(any(&p, "chain is broken"), "{p:?}");
}

#[test]
fn a_deleted_event_is_found() {
    let t = busy_vault();
    let p = tamper(&t, "DELETE FROM events WHERE seq = 3");
    assert!(any(&p, "sequence jumps"), "{p:?}");
    assert!(any(&p, "no ingest event"), "{p:?}");
}

#[test]
fn an_inserted_event_is_found() {
    let t = busy_vault();
    let p = tamper(
        &t,
        "PRAGMA foreign_keys = OFF;
         UPDATE events SET seq = seq + 100 WHERE seq >= 3;
         UPDATE events SET seq = seq - 99 WHERE seq >= 103;
         INSERT INTO events (seq, at_ms, kind, actor, result_id, details, prev_hash, hash)
         SELECT 3, at_ms, 'reuse', 'G99', result_id, '{}', hash, hash FROM events WHERE seq = 2;",
    );
    assert!(any(&p, "chain is broken") || any(&p, "edited"), "{p:?}");
}

#[test]
fn reordered_events_are_found() {
    let t = busy_vault();
    let p = tamper(
        &t,
        "UPDATE events SET seq = 100 WHERE seq = 2;
         UPDATE events SET seq = 2 WHERE seq = 3;
         UPDATE events SET seq = 3 WHERE seq = 100;",
    );
    assert!(any(&p, "edited") && any(&p, "chain is broken"), "{p:?}");
}

#[test]
fn a_record_changed_behind_the_vaults_back_is_found() {
    let t = busy_vault();
    let p = tamper(
        &t,
        "UPDATE records SET valid_until = '2099-12-31' WHERE dossier_code = 'L-3'",
    );
    assert!(any(&p, "changed behind the vault's back"), "{p:?}");
}

#[test]
fn a_revocation_undone_behind_the_vaults_back_is_found() {
    let t = busy_vault();
    let p = tamper(
        &t,
        "UPDATE records SET status = 'ACTIVE', status_reason = NULL, status_decision_ref = NULL,
         status_at_ms = NULL, status_by = NULL WHERE dossier_code = 'L-1'",
    );
    assert!(any(&p, "changed behind the vault's back"), "{p:?}");
}

#[test]
fn a_record_swapped_to_other_content_is_found() {
    let t = busy_vault();
    let p = tamper(
        &t,
        "INSERT INTO contents (sha256, size, codec, data) VALUES (randomblob(32), 4, 0, X'25504446');
         UPDATE records SET content_id = last_insert_rowid() WHERE dossier_code = 'L-3';",
    );
    assert!(any(&p, "changed behind the vault's back"), "{p:?}");
}

#[test]
fn a_deleted_or_added_record_is_found() {
    let t = busy_vault();
    let p = tamper(
        &t,
        "PRAGMA foreign_keys = OFF;
         DELETE FROM reuses; DELETE FROM records WHERE dossier_code = 'L-1';",
    );
    assert!(any(&p, "deleted behind the vault's back"), "{p:?}");

    let t = busy_vault();
    let p = tamper(
        &t,
        "INSERT INTO records SELECT '01JZZZZZZZZZZZZZZZZZZZZZZZ', 'L-9', procedure_code, document_type, 'L-9/X',
            agency_code, agency_name, subject_kind, subject_id, subject_name, issued_at, valid_from, valid_until,
            media_type, file_name, provenance, extra, content_id, ingested_ms, 'ACTIVE', NULL, NULL, NULL, NULL, NULL, NULL
         FROM records WHERE dossier_code = 'L-3';",
    );
    assert!(any(&p, "added behind the vault's back"), "{p:?}");
}

#[test]
fn a_deleted_or_edited_reuse_row_is_found() {
    let t = busy_vault();
    let p = tamper(&t, "DELETE FROM reuses");
    assert!(any(&p, "no reuse row"), "{p:?}");
    let t = busy_vault();
    let p = tamper(&t, "UPDATE reuses SET purpose = 'marketing'");
    assert!(any(&p, "does not match its reuse event"), "{p:?}");
}

#[test]
fn a_rewritten_or_truncated_log_is_found_against_a_head_kept_outside() {
    let t = busy_vault();
    let head: LogHead = t.vault.log_head().unwrap().unwrap();
    assert!(t.vault.verify_log_against(&head).unwrap().is_intact());

    // Dropping the newest event naively leaves its record's history pointing at it…
    let db = raw_sqlite(&t.path());
    db.execute_batch(&format!(
        "DELETE FROM reuses; DELETE FROM events WHERE seq = {};",
        head.seq
    ))
    .unwrap();
    let report = t.vault.verify_log().unwrap();
    assert!(report.problems.iter().any(|p| p.what.contains("history")), "{report:?}");
    // …and with that link mended too, the chain is consistent in itself…
    db.execute_batch(
        "UPDATE records SET last_event_seq =
            (SELECT max(seq) FROM events WHERE events.result_id = records.result_id)",
    )
    .unwrap();
    assert!(t.vault.verify_log().unwrap().is_intact());
    // …but not with the head kept outside.
    let report = t.vault.verify_log_against(&head).unwrap();
    assert!(
        report.problems.iter().any(|p| p.what.contains("truncated")),
        "{report:?}"
    );

    // A forged head hash is found too.
    let forged = LogHead {
        seq: 2,
        hash: results_vault::Sha256::of(b"forged"),
    };
    let report = t.vault.verify_log_against(&forged).unwrap();
    assert!(
        report.problems.iter().any(|p| p.what.contains("rewritten")),
        "{report:?}"
    );
}

#[test]
fn the_chain_can_be_recomputed_by_an_outside_auditor() {
    // Rebuild each event hash from the documented preimage with python3's json module
    // (sort_keys + compact separators + UTF-8 equals RFC 8785 for these values).
    let t = busy_vault();
    let path = t.path();
    drop(t.vault);
    let script = r#"
import hashlib, json, sqlite3, sys
db = sqlite3.connect(sys.argv[1])
prev = "0" * 64
n = 0
for seq, at_ms, kind, actor, result_id, details, prev_hash, h in db.execute(
        "SELECT seq, at_ms, kind, actor, result_id, details, prev_hash, hash FROM events ORDER BY seq"):
    assert prev_hash.hex() == prev, (seq, "prev")
    pre = {"v": 1, "seq": seq, "at_ms": at_ms, "kind": kind, "actor": actor,
           "result_id": result_id, "details": json.loads(details), "prev": prev}
    canon = json.dumps(pre, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    assert hashlib.sha256(canon).hexdigest() == h.hex(), (seq, "hash")
    prev = h.hex()
    n += 1
print(n)
"#;
    let out = std::process::Command::new("python3")
        .arg("-c")
        .arg(script)
        .arg(&path)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "9");
}

#[test]
fn reopened_vault_continues_the_chain() {
    let t = busy_vault();
    let path = t.path();
    drop(t.vault);
    let v = Vault::open(&path, options()).unwrap();
    v.ingest(birth_extract("L-4"), b"later").unwrap();
    let report = v.verify_log().unwrap();
    assert!(report.is_intact(), "{report:?}");
    assert_eq!(report.events, 10);
}

#[test]
fn a_records_history_lists_its_events_and_a_broken_link_is_found() {
    let t = busy_vault();
    let reused = &t
        .vault
        .find_by_hash(&results_vault::Sha256::of(&noise(3, 2000)))
        .unwrap()[0];
    let history = t.vault.history(&reused.result_id).unwrap();
    let kinds: Vec<EventKind> = history.iter().map(|e| e.kind).collect();
    assert_eq!(kinds, vec![EventKind::Ingest, EventKind::Sign, EventKind::Reuse]);
    assert_eq!(history[2].actor, "G22.47");
    assert!(history.windows(2).all(|w| w[0].seq < w[1].seq));

    let p = tamper(&t, "UPDATE events SET record_prev_seq = NULL WHERE kind = 'reuse'");
    assert!(any(&p, "history link"), "{p:?}");
}
