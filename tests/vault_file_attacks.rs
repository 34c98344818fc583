//! Adversarial review of "a verdict reads only what the log binds" (README, "The audit
//! log"). The attacker can write to the vault file (plain SQL through rusqlite, including
//! `PRAGMA writable_schema`), cannot forge a CA's signature, and wants a result that is
//! not reusable (FAILED, revoked, excluded) to come out reusable while `verify_log()` and
//! `verify_log_against(head kept before the edit)` still say INTACT.
//!
//! Each test performs one attack and asserts the SAFE outcome: the verdict did not change,
//! or the log reports the edit. The rules that stop them, by class:
//! - forged but well-formed events appended after a kept head: the audit requires a
//!   record's status to follow from the kind of its last event, nothing after a revoke or
//!   supersede, event times that never go back (the vault dates events so), one sign event
//!   per signature;
//! - triggers, views or indexes planted in the schema: the file's `sqlite_schema` must be
//!   exactly what its version's migrations make, on open (refused as corrupt) and in the
//!   audit;
//! - an index made to disagree with its table: the audit runs `integrity_check` per table;
//! - a trust store that disagrees with its log: verifications fail closed (an error, no
//!   verdict), never a store with one CRL less, and no snapshot is cached from it;
//! - a record key not in the vault's spelling: reported.
//!
//! One attack still gets through, by its nature, and stays `#[ignore]`: a forged, well-formed
//! `trust_remove` appended after the kept head. Only events that the file cannot forge
//! (signed checkpoints kept outside, issue 22) can stop it.

mod common;

use std::path::{Path, PathBuf};

use common::signing::TestSigner;
use common::*;
use results_vault::{
    DigestAlgorithm, LocalSigner, LogHead, LogReport, Record, Requester, ResultId, ReuseQuery, Sha256, StatusChange,
    SubjectId, SubjectKind, Vault,
};
use rusqlite::{params, Connection, OptionalExtension};
use serde_json::{json, Value};
use time::macros::datetime;

/// A time after every event of these tests (the stepping clock starts 2026-11-01 10:00).
const LATER: time::OffsetDateTime = datetime!(2026-11-06 08:00 UTC);
const OTHER_CITIZEN: &str = "009876543210";

// ---------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------

fn decision() -> StatusChange {
    StatusChange {
        reason: "issued in error".to_owned(),
        decision_ref: "45/QĐ-UBND".to_owned(),
        at: datetime!(2026-11-02 09:00 +07:00),
        by: "G22.46.01".to_owned(),
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn jcs(v: &Value) -> Vec<u8> {
    serde_json_canonicalizer::to_vec(v).unwrap()
}

/// Appends a well-formed event after the current head, exactly as `store::events::append`
/// does (the chain is plain SHA-256: anyone who can write the file can extend it).
fn append_event(db: &Connection, at_ms: i64, kind: &str, actor: &str, result_id: Option<&str>, details: Value) -> i64 {
    let (seq, prev): (i64, Vec<u8>) = db
        .query_row("SELECT seq, hash FROM events ORDER BY seq DESC LIMIT 1", [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .unwrap();
    let seq = seq + 1;
    let preimage = json!({
        "v": 1, "seq": seq, "at_ms": at_ms, "kind": kind, "actor": actor,
        "result_id": result_id, "details": details, "prev": hex(&prev),
    });
    let hash = Sha256::of(&jcs(&preimage));
    let record_prev: Option<i64> = result_id.and_then(|id| {
        db.query_row("SELECT last_event_seq FROM records WHERE result_id = ?1", [id], |r| {
            r.get(0)
        })
        .optional()
        .unwrap()
        .flatten()
    });
    db.execute(
        "INSERT INTO events (seq, at_ms, kind, actor, result_id, details, prev_hash, hash, record_prev_seq)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        params![
            seq,
            at_ms,
            kind,
            actor,
            result_id,
            String::from_utf8(jcs(&details)).unwrap(),
            prev,
            &hash.0[..],
            record_prev
        ],
    )
    .unwrap();
    if let Some(id) = result_id {
        db.execute(
            "UPDATE records SET last_event_seq = ?2 WHERE result_id = ?1",
            params![id, seq],
        )
        .unwrap();
    }
    seq
}

fn last_at_ms(db: &Connection) -> i64 {
    db.query_row("SELECT max(at_ms) FROM events", [], |r| r.get(0)).unwrap()
}

fn head(v: &Vault) -> LogHead {
    v.log_head().unwrap().unwrap()
}

fn describe(r: &LogReport) -> String {
    format!(
        "{} problem(s) {:?}",
        r.problem_count,
        r.problems.iter().map(|p| p.what.as_str()).collect::<Vec<_>>()
    )
}

/// The SAFE outcome of an attack on record `id`: it is not reusable at LATER (or the
/// vault refuses to answer), or the log (plain, and against `kept`) reports something.
fn assert_safe(v: &Vault, kept: &LogHead, id: &ResultId, case: &str) {
    let verdict = v.verify_record(id, LATER);
    let log = v.verify_log();
    let against = v.verify_log_against(kept);
    let reusable = matches!(&verdict, Ok(verdict) if verdict.reusable);
    let log_intact = matches!(&log, Ok(r) if r.is_intact());
    let against_intact = matches!(&against, Ok(r) if r.is_intact());
    assert!(
        !(reusable && log_intact && against_intact),
        "{case}: ATTACK GOT THROUGH: verify_record says reusable ({}) while verify_log is INTACT and \
         verify_log_against({kept:?}) is INTACT",
        verdict.map(|v| v.summary).unwrap_or_default()
    );
    eprintln!(
        "{case}: stopped (reusable={reusable}, log: {}, against: {})",
        log.map(|r| describe(&r)).unwrap_or_else(|e| format!("error {e}")),
        against.map(|r| describe(&r)).unwrap_or_else(|e| format!("error {e}")),
    );
}

/// Whether the log says INTACT (an error answering counts as not intact).
fn intact(v: &Vault, kept: Option<&LogHead>) -> bool {
    let plain = matches!(v.verify_log(), Ok(r) if r.is_intact());
    let against = kept.is_none_or(|h| matches!(v.verify_log_against(h), Ok(r) if r.is_intact()));
    plain && against
}

/// Ingests a birth extract and signs it with `s`.
fn signed_record(s: &TestSigner, v: &Vault, n: u64) -> ResultId {
    let id = v
        .ingest(birth_extract(&format!("R-{n}")), &noise(n, 900))
        .unwrap()
        .record
        .result_id;
    s.sign(v, &id);
    id
}

/// The scenario of `vault_file_tamper.rs`: the signer is revoked (key compromise) twelve
/// hours before the vault accepted its signature, by a CRL that came later: FAILED.
/// Returns the revoking CRL's SHA-256.
fn revoke_signer_after_the_fact(s: &TestSigner, v: &Vault) -> Sha256 {
    s.pki.revoke_dated("signer.pem", "261031220000Z,keyCompromise");
    v.add_crl(&s.pki.crl_dated("later", "20261101120000Z", "20261201000000Z"))
        .unwrap()
        .sha256
}

/// A vault whose handle can be dropped (to edit the schema with no connection open) and
/// the file opened again.
struct Closable {
    _dir: tempfile::TempDir,
    path: PathBuf,
}

fn closable() -> (Closable, Vault) {
    let TempVault { dir, vault } = temp_vault();
    let path = dir.path().join("vault.db");
    (Closable { _dir: dir, path }, vault)
}

/// Whether record `id` is reusable at LATER, judged by a vault opened afresh (no verdict
/// or trust snapshot carried over from before an edit of the file).
fn reusable_after_reload(path: &Path, id: &ResultId) -> bool {
    reopen(path).verify_record(id, LATER).unwrap().reusable
}

fn reopen(path: &Path) -> Vault {
    Vault::open(path, options()).unwrap()
}

/// Runs `f` on a raw connection with `PRAGMA writable_schema` on (what an attacker with
/// the file can always do; SQLite's "defensive" flag is a property of the connection, not
/// of the file).
fn schema_edit(path: &Path, f: impl FnOnce(&Connection)) {
    let db = raw_sqlite(path);
    db.set_db_config(rusqlite::config::DbConfig::SQLITE_DBCONFIG_DEFENSIVE, false)
        .unwrap();
    db.execute_batch("PRAGMA writable_schema = ON").unwrap();
    f(&db);
    db.execute_batch("PRAGMA writable_schema = OFF").unwrap();
}

fn plan(db: &Connection, sql: &str) -> String {
    let mut stmt = db.prepare(&format!("EXPLAIN QUERY PLAN {sql}")).unwrap();
    let rows = stmt
        .query_map([], |r| r.get::<_, String>(3))
        .unwrap()
        .collect::<Result<Vec<_>, _>>()
        .unwrap();
    rows.join(" / ")
}

fn query_for(subject: &str) -> ReuseQuery {
    ReuseQuery {
        subject_kind: SubjectKind::Citizen,
        subject_id: SubjectId::new(subject),
        document_type: "birth-extract".to_owned(),
        at: LATER,
    }
}

fn requester() -> Requester {
    Requester {
        agency_code: "G22.46.02".to_owned(),
        procedure_code: "1.001193".to_owned(),
        dossier_code: "D-REUSE-1".to_owned(),
        purpose: "Đăng ký nhập học".to_owned(),
    }
}

// ---------------------------------------------------------------------------------------
// Class 1: well-formed events appended after the kept head. The chain is unkeyed SHA-256;
// a head kept outside protects the prefix only. The audit checks that each record matches
// the state its LAST state event pins, but not that the kind of that event fits the state
// (a "revoke" that pins an ACTIVE state), nor that times go forward.
// ---------------------------------------------------------------------------------------

/// Un-revoke: set the row back to ACTIVE, and append a forged `revoke` event whose
/// `details.state` is the hash of the ACTIVE record. The audit only compares the row
/// with the last pinned state.
#[test]
fn a_forged_revoke_event_pinning_the_active_state_unrevokes() {
    let s = TestSigner::new();
    let t = temp_vault();
    let v = &t.vault;
    s.trust(v);
    let id = signed_record(&s, v, 1);
    let active: Record = v.get(&id).unwrap();
    v.revoke(&id, decision()).unwrap();
    assert!(!v.verify_record(&id, LATER).unwrap().reusable);
    let kept = head(v);
    assert!(intact(v, Some(&kept)));

    let db = raw_sqlite(&t.path());
    db.execute(
        "UPDATE records SET status = 'ACTIVE', status_reason = NULL, status_decision_ref = NULL,
             status_at_ms = NULL, status_by = NULL WHERE result_id = ?1",
        [id.as_str()],
    )
    .unwrap();
    let state = results_vault::log::record_state(&active).unwrap();
    let at = last_at_ms(&db) + 1000;
    append_event(
        &db,
        at,
        "revoke",
        "G22.46.01",
        Some(id.as_str()),
        json!({"state": state.to_hex(), "decision_ref": "46/QĐ-UBND", "reason": "revocation withdrawn"}),
    );
    assert_safe(v, &kept, &id, "forged revoke pinning ACTIVE");
}

/// The same without the forged event: the row set back to ACTIVE is reported (control).
#[test]
fn an_unrevoke_in_the_row_alone_is_reported() {
    let s = TestSigner::new();
    let t = temp_vault();
    let v = &t.vault;
    s.trust(v);
    let id = signed_record(&s, v, 2);
    v.revoke(&id, decision()).unwrap();
    let kept = head(v);
    let db = raw_sqlite(&t.path());
    db.execute(
        "UPDATE records SET status = 'ACTIVE', status_reason = NULL, status_decision_ref = NULL,
             status_at_ms = NULL, status_by = NULL WHERE result_id = ?1",
        [id.as_str()],
    )
    .unwrap();
    assert_safe(v, &kept, &id, "row set back to ACTIVE");
    assert!(!v.verify_log().unwrap().is_intact());
}

/// Proof of existence moved back through a second, forged `sign` event for the same
/// signature, dated two days earlier (before the signer's revocation), with the row's
/// `event_seq` and `poe_ms` pointed at it. `signature_mismatch` only checks that the
/// event it names is self-consistent, of kind sign, of the record and the signature;
/// the audit does not check that event times go forward nor that a signature has one
/// sign event.
#[test]
fn a_forged_sign_event_dated_earlier_moves_the_proof_of_existence_back() {
    let s = TestSigner::new();
    let t = temp_vault();
    let v = &t.vault;
    s.trust(v);
    let id = signed_record(&s, v, 3);
    revoke_signer_after_the_fact(&s, v);
    let failed = v.verify_record(&id, LATER).unwrap();
    assert!(!failed.reusable, "{}", failed.summary);
    let kept = head(v);
    assert!(intact(v, Some(&kept)));

    let db = raw_sqlite(&t.path());
    let (at_ms, actor, details): (i64, String, String) = db
        .query_row(
            "SELECT at_ms, actor, details FROM events WHERE kind = 'sign' AND result_id = ?1",
            [id.as_str()],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    let earlier = at_ms - 2 * 86_400_000;
    let seq = append_event(
        &db,
        earlier,
        "sign",
        &actor,
        Some(id.as_str()),
        serde_json::from_str(&details).unwrap(),
    );
    db.execute(
        "UPDATE signatures SET event_seq = ?2, poe_ms = ?3 WHERE result_id = ?1",
        params![id.as_str(), seq, earlier],
    )
    .unwrap();
    assert_safe(v, &kept, &id, "forged earlier sign event");
}

/// The revoking CRL removed through a forged, well-formed `trust_remove` event (and its
/// row deleted). Nothing in the log distinguishes it from `remove_trust_item`: whoever
/// can append to an unkeyed chain has the vault's whole API.
#[test]
#[ignore = "gets through: a forged trust_remove of the revoking CRL (row deleted) turns FAILED into PASSED, log INTACT (inherent to an unkeyed chain)"]
fn a_forged_trust_remove_of_the_revoking_crl() {
    let s = TestSigner::new();
    let t = temp_vault();
    let v = &t.vault;
    s.trust(v);
    let id = signed_record(&s, v, 4);
    let crl = revoke_signer_after_the_fact(&s, v);
    assert!(!v.verify_record(&id, LATER).unwrap().reusable);
    let kept = head(v);

    let db = raw_sqlite(&t.path());
    let name: String = db
        .query_row("SELECT name FROM trust_items WHERE sha256 = ?1", [&crl.0[..]], |r| {
            r.get(0)
        })
        .unwrap();
    db.execute("DELETE FROM trust_items WHERE sha256 = ?1", [&crl.0[..]])
        .unwrap();
    let at = last_at_ms(&db) + 1000;
    append_event(
        &db,
        at,
        "trust_remove",
        "results-vault",
        None,
        json!({"item": "crl", "sha256": crl.to_hex(), "name": name}),
    );
    assert_safe(v, &kept, &id, "forged trust_remove of the CRL");
}

/// An appended event of a kind the audit does not know: reported (control).
#[test]
fn an_appended_event_of_an_unknown_kind_is_reported() {
    let t = temp_vault();
    let v = &t.vault;
    v.ingest(birth_extract("R-5"), &noise(5, 900)).unwrap();
    let kept = head(v);
    let db = raw_sqlite(&t.path());
    let at = last_at_ms(&db) + 1000;
    append_event(&db, at, "note", "x", None, json!({}));
    assert!(!intact(v, Some(&kept)));
}

/// The CRL's row and its trust_add event deleted, the events after it re-hashed: a head
/// kept after the CRL was added catches it (the event at its seq is gone or differs).
#[test]
fn a_crl_deleted_with_its_event_and_the_chain_rehashed_is_caught_by_a_later_head() {
    let s = TestSigner::new();
    let t = temp_vault();
    let v = &t.vault;
    s.trust(v);
    let id = signed_record(&s, v, 6);
    let crl = revoke_signer_after_the_fact(&s, v);
    let at_crl = head(v);
    let other = v
        .ingest(birth_extract("R-6b"), &noise(66, 900))
        .unwrap()
        .record
        .result_id;
    let at_end = head(v);
    assert!(!v.verify_record(&id, LATER).unwrap().reusable);

    let db = raw_sqlite(&t.path());
    let (ingest_at, ingest_actor, ingest_details): (i64, String, String) = db
        .query_row(
            "SELECT at_ms, actor, details FROM events WHERE seq = ?1",
            [at_end.seq as i64],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    db.execute("DELETE FROM trust_items WHERE sha256 = ?1", [&crl.0[..]])
        .unwrap();
    db.execute("DELETE FROM events WHERE seq >= ?1", [at_crl.seq as i64])
        .unwrap();
    db.execute(
        "UPDATE records SET last_event_seq = NULL WHERE result_id = ?1",
        [other.as_str()],
    )
    .unwrap();
    append_event(
        &db,
        ingest_at,
        "ingest",
        &ingest_actor,
        Some(other.as_str()),
        serde_json::from_str(&ingest_details).unwrap(),
    );
    // The rewritten log is consistent in itself...
    assert!(
        v.verify_log().unwrap().is_intact(),
        "{}",
        describe(&v.verify_log().unwrap())
    );
    // ...but the FAILED verdict kept the CRL that decided it: still revoked.
    assert!(!v.verify_record(&id, LATER).unwrap().reusable);
    // Deleting that kept copy too, the attacker gets the record handed out...
    db.execute("DELETE FROM kept_crls WHERE sha256 = ?1", [&crl.0[..]])
        .unwrap();
    assert!(reusable_after_reload(&t.path(), &id));
    // ...and both heads kept after the CRL catch it.
    for kept in [at_crl, at_end] {
        assert!(!v.verify_log_against(&kept).unwrap().is_intact(), "head {kept:?}");
    }
}

// ---------------------------------------------------------------------------------------
// Class 2: objects planted in the schema. Nothing checks sqlite_schema on open or in the
// audit; a trigger runs inside the vault's own transactions.
// ---------------------------------------------------------------------------------------

/// Triggers that make the vault's own revocation a silent no-op: `RAISE(IGNORE)` skips
/// the status update, the revoke event and the history link. `revoke()` returns Ok with
/// a REVOKED record; nothing was written; the log is INTACT against a head kept before.
#[test]
fn a_planted_trigger_silently_drops_a_later_revocation() {
    let s = TestSigner::new();
    let t = temp_vault();
    let v = &t.vault;
    s.trust(v);
    let id = signed_record(&s, v, 7);
    let kept = head(v);
    raw_sqlite(&t.path())
        .execute_batch(
            "CREATE TRIGGER keep_active BEFORE UPDATE OF status ON records WHEN NEW.status <> 'ACTIVE'
                 BEGIN SELECT RAISE(IGNORE); END;
             CREATE TRIGGER drop_status_events BEFORE INSERT ON events WHEN NEW.kind IN ('revoke', 'supersede')
                 BEGIN SELECT RAISE(IGNORE); END;
             CREATE TRIGGER drop_dangling_links BEFORE UPDATE OF last_event_seq ON records
                 WHEN NOT EXISTS (SELECT 1 FROM events WHERE seq = NEW.last_event_seq)
                 BEGIN SELECT RAISE(IGNORE); END;",
        )
        .unwrap();
    let revoked = v.revoke(&id, decision());
    eprintln!("revoke() answered {:?}", revoked.as_ref().map(|r| &r.status));
    assert_safe(v, &kept, &id, "trigger dropping revoke");
}

/// Triggers that drop a later `add_crl`: the CRL revoking the signer is never stored,
/// `add_crl` returns Ok, the result stays PASSED.
#[test]
fn a_planted_trigger_silently_drops_a_later_crl() {
    let s = TestSigner::new();
    let t = temp_vault();
    let v = &t.vault;
    s.trust(v);
    let id = signed_record(&s, v, 8);
    let kept = head(v);
    raw_sqlite(&t.path())
        .execute_batch(
            "CREATE TRIGGER drop_crls BEFORE INSERT ON trust_items WHEN NEW.item = 'crl'
                 BEGIN SELECT RAISE(IGNORE); END;
             CREATE TRIGGER drop_crl_events BEFORE INSERT ON events
                 WHEN NEW.kind = 'trust_add' AND json_extract(NEW.details, '$.item') = 'crl'
                 BEGIN SELECT RAISE(IGNORE); END;",
        )
        .unwrap();
    let added = revoke_signer_after_the_fact(&s, v);
    eprintln!("add_crl() answered Ok({added})");
    assert_safe(v, &kept, &id, "trigger dropping add_crl");
}

// ---------------------------------------------------------------------------------------
// Class 3: an index that disagrees with its table. Verdicts look rows up through indexes;
// the audit scans the tables. With `writable_schema` an index can be detached, the
// table changed, and the index attached again: the index is stale, `PRAGMA
// integrity_check` (check_storage) sees it, `verify_log` does not.
// ---------------------------------------------------------------------------------------

/// The partial index `events_trust` rebuilt without the revoking CRL's trust_add event:
/// `all_bound` (which walks the trust events through that index) no longer sees the CRL
/// as added, leaves it out of the trust material, and the revoked signer PASSES.
#[test]
fn a_stale_events_trust_index_hides_a_crl() {
    let s = TestSigner::new();
    let (c, v) = closable();
    s.trust(&v);
    let id = signed_record(&s, &v, 9);
    revoke_signer_after_the_fact(&s, &v);
    assert!(!v.verify_record(&id, LATER).unwrap().reusable);
    let kept = head(&v);
    let crl_seq = kept.seq as i64;
    drop(v);

    let original: String = raw_sqlite(&c.path)
        .query_row("SELECT sql FROM sqlite_master WHERE name = 'events_trust'", [], |r| {
            r.get(0)
        })
        .unwrap();
    schema_edit(&c.path, |db| {
        db.execute(
            "UPDATE sqlite_master SET sql = ?1 WHERE name = 'events_trust'",
            [format!("{original} AND seq <> {crl_seq}")],
        )
        .unwrap();
    });
    raw_sqlite(&c.path).execute_batch("REINDEX events_trust").unwrap();
    schema_edit(&c.path, |db| {
        db.execute(
            "UPDATE sqlite_master SET sql = ?1 WHERE name = 'events_trust'",
            [&original],
        )
        .unwrap();
    });
    eprintln!(
        "plan of all_bound: {}",
        plan(
            &raw_sqlite(&c.path),
            "SELECT seq, at_ms, kind, actor, result_id, details, prev_hash, hash, record_prev_seq
             FROM events WHERE kind IN ('trust_add', 'trust_remove') ORDER BY seq"
        )
    );
    let v = reopen(&c.path);
    eprintln!("check_storage: {:?}", v.check_storage().unwrap());
    assert_safe(&v, &kept, &id, "stale events_trust index");
}

/// A record signed by two signers, one revoked after the fact: FAILED. The signatures'
/// UNIQUE (result_id, sha256) index (what `to_check` looks a record's signatures up with)
/// made to file the revoked signer's row under another record id: the verdict sees one
/// signature, PASSED; the audit scans the table and sees both, bound.
#[test]
fn a_stale_signatures_index_hides_the_failing_signature() {
    let s = TestSigner::new();
    let second_cert = s.pki.issue("second", "rsa:2048");
    let second = LocalSigner::from_pkcs8(&s.pki.pkcs8("second.key"), vec![second_cert]).unwrap();
    let (c, v) = closable();
    s.trust(&v);
    let id = signed_record(&s, &v, 10);
    v.sign_with(&id, &second, DigestAlgorithm::Sha256).unwrap();
    assert!(v.verify_record(&id, LATER).unwrap().reusable);
    revoke_signer_after_the_fact(&s, &v);
    let failed = v.verify_record(&id, LATER).unwrap();
    assert!(!failed.reusable && failed.signatures.len() == 2, "{}", failed.summary);
    let kept = head(&v);
    drop(v);

    let db = raw_sqlite(&c.path);
    let row: i64 = db
        .query_row(
            "SELECT id FROM signatures WHERE result_id = ?1 AND signer = ?2",
            params![id.as_str(), &Sha256::of(&s.pki.signer).0[..]],
            |r| r.get(0),
        )
        .unwrap();
    let (table_sql, index_root): (String, i64) = db
        .query_row(
            "SELECT (SELECT sql FROM sqlite_master WHERE name = 'signatures'),
                    (SELECT rootpage FROM sqlite_master WHERE name = 'sqlite_autoindex_signatures_1')",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    eprintln!(
        "plan of to_check: {}",
        plan(
            &db,
            &format!(
                "SELECT s.id FROM signatures s LEFT JOIN events e ON e.seq = s.event_seq
                 WHERE s.result_id = '{id}' ORDER BY s.id"
            )
        )
    );
    // 1. File the row under another id while the index is maintained.
    db.execute_batch("PRAGMA foreign_keys = OFF").unwrap();
    db.execute(
        "UPDATE signatures SET result_id = '7ZZZZZZZZZZZZZZZZZZZZZZZZZ' WHERE id = ?1",
        [row],
    )
    .unwrap();
    drop(db);
    // 2. Detach the index (the table forgets its UNIQUE constraint).
    assert!(table_sql.contains("UNIQUE (result_id, sha256)"));
    schema_edit(&c.path, |db| {
        db.execute(
            "UPDATE sqlite_master SET sql = ?1 WHERE type = 'table' AND name = 'signatures'",
            [table_sql.replace("UNIQUE (result_id, sha256)", "CHECK (1)")],
        )
        .unwrap();
        db.execute(
            "DELETE FROM sqlite_master WHERE name = 'sqlite_autoindex_signatures_1'",
            [],
        )
        .unwrap();
    });
    // 3. Put the row back, unseen by the index.
    raw_sqlite(&c.path)
        .execute(
            "UPDATE signatures SET result_id = ?2 WHERE id = ?1",
            params![row, id.as_str()],
        )
        .unwrap();
    // 4. Attach the index again.
    schema_edit(&c.path, |db| {
        db.execute(
            "UPDATE sqlite_master SET sql = ?1 WHERE type = 'table' AND name = 'signatures'",
            [&table_sql],
        )
        .unwrap();
        db.execute(
            "INSERT INTO sqlite_master (type, name, tbl_name, rootpage, sql)
             VALUES ('index', 'sqlite_autoindex_signatures_1', 'signatures', ?1, NULL)",
            [index_root],
        )
        .unwrap();
    });
    let v = reopen(&c.path);
    eprintln!("check_storage: {:?}", v.check_storage().unwrap());
    assert_safe(&v, &kept, &id, "stale signatures autoindex");
}

/// `records_by_subject` made to file another citizen's reusable result under the
/// requested citizen (the requested citizen's own result is revoked): `find_reusable`
/// does not re-check the subject of what the SQL filter returns. STOPPED, but only by
/// luck of the plan: SQLite reads `subject_id` from the (stale) index entry, so the
/// record comes back with the requested citizen's id, its envelope no longer matches its
/// signature (HASH_FAILURE) and it is excluded. `check_storage` sees the stale index,
/// `verify_log` does not.
#[test]
fn a_stale_subject_index_hands_out_another_citizens_result() {
    let s = TestSigner::new();
    let (c, v) = closable();
    s.trust(&v);
    let own = signed_record(&s, &v, 11);
    v.revoke(&own, decision()).unwrap();
    let mut meta = birth_extract("R-12");
    meta.subject.id = SubjectId::new(OTHER_CITIZEN);
    meta.subject.name = Some("Trần Thị Bình".to_owned());
    let others = v.ingest(meta, &noise(12, 900)).unwrap().record.result_id;
    s.sign(&v, &others);
    assert!(v.verify_record(&others, LATER).unwrap().reusable);
    let before = v.find_reusable(query_for(CITIZEN_ID), requester()).unwrap();
    assert!(before.results.is_empty(), "{:?}", before.results);
    let kept = head(&v);
    drop(v);

    let db = raw_sqlite(&c.path);
    eprintln!(
        "plan of find_by_subject: {}",
        plan(
            &db,
            &format!(
                "SELECT r.result_id FROM records r JOIN contents c ON c.id = r.content_id
                 WHERE r.subject_kind = 'citizen' AND r.subject_id = '{CITIZEN_ID}'
                 AND r.document_type = 'birth-extract' ORDER BY r.result_id"
            )
        )
    );
    let (index_sql, index_root): (String, i64) = db
        .query_row(
            "SELECT sql, rootpage FROM sqlite_master WHERE name = 'records_by_subject'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    db.execute(
        "UPDATE records SET subject_id = ?2 WHERE result_id = ?1",
        params![others.as_str(), CITIZEN_ID],
    )
    .unwrap();
    drop(db);
    schema_edit(&c.path, |db| {
        db.execute("DELETE FROM sqlite_master WHERE name = 'records_by_subject'", [])
            .unwrap();
    });
    raw_sqlite(&c.path)
        .execute(
            "UPDATE records SET subject_id = ?2 WHERE result_id = ?1",
            params![others.as_str(), OTHER_CITIZEN],
        )
        .unwrap();
    schema_edit(&c.path, |db| {
        db.execute(
            "INSERT INTO sqlite_master (type, name, tbl_name, rootpage, sql)
             VALUES ('index', 'records_by_subject', 'records', ?1, ?2)",
            params![index_root, index_sql],
        )
        .unwrap();
    });
    let v = reopen(&c.path);
    eprintln!("check_storage: {:?}", v.check_storage().unwrap());
    let answer = v.find_reusable(query_for(CITIZEN_ID), requester());
    eprintln!("find_reusable answered {answer:?}");
    let handed: Vec<(String, String)> = answer
        .as_ref()
        .map(|a| {
            a.results
                .iter()
                .map(|r| (r.result_id.to_string(), r.meta.subject.id.expose().to_owned()))
                .collect()
        })
        .unwrap_or_default();
    let wrong = handed.iter().any(|(_, subject)| subject != CITIZEN_ID);
    let log_intact = intact(&v, Some(&kept));
    assert!(
        !(wrong && log_intact),
        "ATTACK GOT THROUGH: find_reusable for citizen {CITIZEN_ID} handed out {handed:?} while the log is INTACT"
    );
}

// ---------------------------------------------------------------------------------------
// Class 4: the in-memory trust snapshot. It is keyed on `trust::state` (the rows'
// sha256 and item), but built by `all_bound`, which also reads the trust events and
// silently leaves out an item whose trust_add event does not hash. Edit the event while
// the snapshot is built, restore it after: the running vault keeps a snapshot without the
// CRL under the unchanged state, and the file is INTACT again.
// ---------------------------------------------------------------------------------------

#[test]
fn a_crl_event_edited_while_the_snapshot_loads_then_restored() {
    let s = TestSigner::new();
    let t = temp_vault();
    let v = &t.vault;
    s.trust(v);
    let id = signed_record(&s, v, 13);
    assert!(v.verify_record(&id, LATER).unwrap().reusable); // snapshot of the old state
    revoke_signer_after_the_fact(&s, v); // new state, no snapshot of it yet
    let kept = head(v);
    let crl_seq = kept.seq as i64;

    let db = raw_sqlite(&t.path());
    db.execute("UPDATE events SET actor = actor || '.' WHERE seq = ?1", [crl_seq])
        .unwrap();
    // The snapshot of the new state is built now, without the CRL (its event does not
    // hash); this verification is what the attacker waits for (or triggers).
    // Fail closed: the store disagrees with its log, so no verdict is given at all.
    let during = v.verify_record(&id, LATER);
    assert!(!matches!(&during, Ok(v) if v.reusable), "while edited: {during:?}");
    db.execute("UPDATE events SET actor = rtrim(actor, '.') WHERE seq = ?1", [crl_seq])
        .unwrap();
    assert!(intact(v, Some(&kept)), "the file is restored");
    assert_safe(v, &kept, &id, "snapshot poisoned then file restored");
    // A fresh process says FAILED.
    assert!(!reopen(&t.path()).verify_record(&id, LATER).unwrap().reusable);
}

/// The fail-open behind it, without the cache: an edited trust_add event of a CRL makes
/// the CRL disappear from the material (the log reports the edit, so this is not an
/// INTACT attack, but the verdict is PASSED instead of refusing).
#[test]
fn a_crl_whose_event_was_edited_is_not_silently_dropped() {
    let s = TestSigner::new();
    let t = temp_vault();
    let v = &t.vault;
    s.trust(v);
    let id = signed_record(&s, v, 14);
    revoke_signer_after_the_fact(&s, v);
    let crl_seq = head(v).seq as i64;
    raw_sqlite(&t.path())
        .execute("UPDATE events SET actor = actor || '.' WHERE seq = ?1", [crl_seq])
        .unwrap();
    let verdict = v.verify_record(&id, LATER);
    assert!(
        !matches!(&verdict, Ok(v) if v.reusable),
        "a CRL whose event does not hash was dropped: {}",
        verdict.unwrap().summary
    );
}

// ---------------------------------------------------------------------------------------
// Class 5: edits that are stopped (kept as passing tests).
// ---------------------------------------------------------------------------------------

/// Every records column a verdict reads is inside the record's JCS (the row is read into
/// `Record` and hashed whole): each edit is reported or refused.
#[test]
fn every_record_column_a_verdict_reads_is_in_the_state_hash() {
    let s = TestSigner::new();
    let t = temp_vault();
    let v = &t.vault;
    s.trust(v);
    let id = signed_record(&s, v, 15);
    let other = signed_record(&s, v, 16);
    let revoked = signed_record(&s, v, 17);
    v.revoke(&revoked, decision()).unwrap();
    let kept = head(v);
    let db = raw_sqlite(&t.path());
    let edits = [
        ("valid_until (expire)", "UPDATE records SET valid_until = '2026-10-02' WHERE result_id = ?1"),
        ("valid_from", "UPDATE records SET valid_from = '2026-09-01' WHERE result_id = ?1"),
        ("issued_at", "UPDATE records SET issued_at = '2026-09-01' WHERE result_id = ?1"),
        ("subject_id", "UPDATE records SET subject_id = '009876543210' WHERE result_id = ?1"),
        ("document_type", "UPDATE records SET document_type = 'marriage' WHERE result_id = ?1"),
        ("extra", "UPDATE records SET extra = '{\"k\":1}' WHERE result_id = ?1"),
        ("provenance", "UPDATE records SET provenance = '{\"origin\":\"digitized\",\"unit\":\"x\",\"scanned_on\":\"2026-10-01\"}' WHERE result_id = ?1"),
        ("ingested_ms", "UPDATE records SET ingested_ms = ingested_ms - 1 WHERE result_id = ?1"),
        ("status_at_ms", "UPDATE records SET status_at_ms = status_at_ms + 1 WHERE result_id = ?1"),
        ("replaced_by", "UPDATE records SET status = 'SUPERSEDED', replaced_by = result_id WHERE result_id = ?1"),
        ("content_id -> other content", "UPDATE records SET content_id = (SELECT content_id FROM records WHERE result_id = ?2) WHERE result_id = ?1"),
    ];
    for (what, sql) in edits {
        let target = if what.starts_with("status_at") || what == "replaced_by" {
            &revoked
        } else {
            &id
        };
        let backup: Vec<(String, Value)> = {
            let mut stmt = db.prepare("SELECT * FROM records WHERE result_id = ?1").unwrap();
            let names: Vec<String> = stmt.column_names().map(str::to_owned).collect();
            stmt.query_row([target.as_str()], |r| {
                Ok(names
                    .iter()
                    .enumerate()
                    .map(|(i, n)| {
                        let v = match r.get_ref(i).unwrap() {
                            rusqlite::types::ValueRef::Null => Value::Null,
                            rusqlite::types::ValueRef::Integer(x) => json!(x),
                            rusqlite::types::ValueRef::Text(t) => json!(String::from_utf8_lossy(t)),
                            other => panic!("{other:?}"),
                        };
                        (n.clone(), v)
                    })
                    .collect())
            })
            .unwrap()
        };
        let n = if sql.contains("?2") {
            db.execute(sql, params![target.as_str(), other.as_str()]).unwrap()
        } else {
            db.execute(sql, [target.as_str()]).unwrap()
        };
        assert_eq!(n, 1, "{what}");
        let log = v.verify_log();
        assert!(
            !matches!(&log, Ok(r) if r.is_intact()),
            "{what}: the log is INTACT after the edit"
        );
        assert_safe(v, &kept, target, what);
        for (col, val) in backup {
            let val: rusqlite::types::Value = match val {
                Value::Null => rusqlite::types::Value::Null,
                Value::Number(n) => rusqlite::types::Value::Integer(n.as_i64().unwrap()),
                Value::String(s) => rusqlite::types::Value::Text(s),
                _ => unreachable!(),
            };
            db.execute(
                &format!("UPDATE records SET {col} = ?2 WHERE result_id = ?1"),
                params![target.as_str(), val],
            )
            .unwrap();
        }
        assert!(intact(v, Some(&kept)), "{what} restored");
    }
}

/// `contents.codec` flipped and `contents.size` changed: the audit re-hashes, the verdict
/// loses integrity.
#[test]
fn contents_codec_and_size_are_checked() {
    let s = TestSigner::new();
    let t = temp_vault();
    let v = &t.vault;
    s.trust(v);
    let id = signed_record(&s, v, 18);
    let zid = v
        .ingest(birth_extract("R-18z"), &text(18, 20_000))
        .unwrap()
        .record
        .result_id;
    s.sign(v, &zid);
    let kept = head(v);
    let db = raw_sqlite(&t.path());
    for (what, sql, target) in [
        (
            "codec raw -> zstd",
            "UPDATE contents SET codec = 1 - codec WHERE id = (SELECT content_id FROM records WHERE result_id = ?1)",
            &id,
        ),
        (
            "codec zstd -> raw",
            "UPDATE contents SET codec = 1 - codec WHERE id = (SELECT content_id FROM records WHERE result_id = ?1)",
            &zid,
        ),
        (
            "size",
            "UPDATE contents SET size = size + 1 WHERE id = (SELECT content_id FROM records WHERE result_id = ?1)",
            &id,
        ),
    ] {
        db.execute(sql, [target.as_str()]).unwrap();
        assert!(!intact(v, Some(&kept)), "{what}");
        assert_safe(v, &kept, target, what);
        let undo = if what == "size" {
            sql.replace("size + 1", "size - 1")
        } else {
            sql.to_owned()
        };
        db.execute(&undo, [target.as_str()]).unwrap();
        assert!(intact(v, Some(&kept)), "{what} restored");
    }
}

/// `signature_checks` rewritten to PASSED and `kept_crls` deleted: no verdict reads them.
#[test]
fn kept_checks_and_kept_crls_decide_nothing() {
    let s = TestSigner::new();
    let t = temp_vault();
    let v = &t.vault;
    s.trust(v);
    let id = signed_record(&s, v, 19);
    assert!(v.verify_record(&id, LATER).unwrap().reusable); // a PASSED check is kept
    revoke_signer_after_the_fact(&s, v);
    assert!(!v.verify_record(&id, LATER).unwrap().reusable); // a FAILED one too
    let kept = head(v);
    let db = raw_sqlite(&t.path());
    let passed: String = db
        .query_row(
            "SELECT verdict FROM signature_checks WHERE verdict LIKE '%\"PASSED\"%' LIMIT 1",
            [],
            |r| r.get(0),
        )
        .unwrap();
    db.execute("UPDATE signature_checks SET verdict = ?1", [&passed])
        .unwrap();
    db.execute("DELETE FROM kept_crls", []).unwrap();
    assert_safe(v, &kept, &id, "signature_checks PASSED, kept_crls gone");
    // And in a fresh process (no in-memory memo of the kept checks).
    assert_safe(&reopen(&t.path()), &kept, &id, "same, fresh process");
}

/// The revoking CRL's row given another sha256 (same DER), or deleted: refused or
/// reported, never PASSED with an INTACT log.
#[test]
fn a_crl_row_rekeyed_or_deleted_is_reported() {
    let s = TestSigner::new();
    let t = temp_vault();
    let v = &t.vault;
    s.trust(v);
    let id = signed_record(&s, v, 20);
    let crl = revoke_signer_after_the_fact(&s, v);
    let kept = head(v);
    let db = raw_sqlite(&t.path());
    db.execute(
        "UPDATE trust_items SET sha256 = ?2 WHERE sha256 = ?1",
        params![&crl.0[..], &Sha256::of(b"other").0[..]],
    )
    .unwrap();
    assert_safe(v, &kept, &id, "CRL row with another sha256");
    db.execute(
        "UPDATE trust_items SET sha256 = ?1 WHERE sha256 = ?2",
        params![&crl.0[..], &Sha256::of(b"other").0[..]],
    )
    .unwrap();
    // The same DER stored a second time under a made-up hash, as an anchor.
    db.execute(
        "INSERT INTO trust_items (sha256, item, name, der, added_ms)
         SELECT ?2, 'anchor', name, der, added_ms FROM trust_items WHERE sha256 = ?1",
        params![&crl.0[..], &Sha256::of(b"dup").0[..]],
    )
    .unwrap();
    assert_safe(v, &kept, &id, "CRL DER duplicated under another hash");
    db.execute("DELETE FROM trust_items WHERE sha256 = ?1", [&Sha256::of(b"dup").0[..]])
        .unwrap();
    db.execute("DELETE FROM trust_items WHERE sha256 = ?1", [&crl.0[..]])
        .unwrap();
    assert_safe(v, &kept, &id, "CRL row deleted");
}

/// The schema version this build writes (src/store/schema.rs: one per migration).
const SCHEMA_VERSION: i64 = 8;

/// `PRAGMA user_version` lowered: opening replays migrations, which fail on the first
/// object that exists (or, for the last, rebuild the trust store's table with its rows
/// and ids); nothing the log binds is changed.
#[test]
fn a_lowered_user_version_replays_nothing() {
    let s = TestSigner::new();
    let (c, v) = closable();
    s.trust(&v);
    let id = signed_record(&s, &v, 21);
    revoke_signer_after_the_fact(&s, &v);
    assert!(!v.verify_record(&id, LATER).unwrap().reusable);
    let kept = head(&v);
    drop(v);
    for version in 0..SCHEMA_VERSION {
        raw_sqlite(&c.path)
            .pragma_update(None, "user_version", version)
            .unwrap();
        match Vault::open(&c.path, options()) {
            Err(e) => eprintln!("user_version {version}: open refused: {e}"),
            Ok(v) => assert_safe(&v, &kept, &id, &format!("user_version {version}")),
        }
        let now: i64 = raw_sqlite(&c.path)
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .unwrap();
        assert!(now == version || now == SCHEMA_VERSION, "{now}");
    }
    raw_sqlite(&c.path)
        .pragma_update(None, "user_version", SCHEMA_VERSION)
        .unwrap();
    let v = reopen(&c.path);
    assert!(intact(&v, Some(&kept)));
    assert!(!v.verify_record(&id, LATER).unwrap().reusable);
}

/// `records.last_event_seq` cleared (the history index): no verdict reads it; reported.
#[test]
fn the_history_link_decides_nothing() {
    let s = TestSigner::new();
    let t = temp_vault();
    let v = &t.vault;
    s.trust(v);
    let id = signed_record(&s, v, 22);
    v.revoke(&id, decision()).unwrap();
    let kept = head(v);
    let db = raw_sqlite(&t.path());
    db.execute(
        "UPDATE records SET last_event_seq = NULL WHERE result_id = ?1",
        [id.as_str()],
    )
    .unwrap();
    assert_safe(v, &kept, &id, "last_event_seq cleared");
    assert!(!intact(v, None));
}

/// The record's key rewritten to its lower-case spelling (the same ULID: `ResultId`
/// parses it back to the canonical form, so the row hashes to the same state). The log
/// stays INTACT, but the vault can no longer find the record by its id: `revoke` fails
/// with NotFound.
#[test]
fn a_lower_case_result_id_keeps_the_log_intact_but_hides_the_record() {
    let s = TestSigner::new();
    let t = temp_vault();
    let v = &t.vault;
    s.trust(v);
    let id = signed_record(&s, v, 23);
    let kept = head(v);
    let db = raw_sqlite(&t.path());
    db.execute_batch("PRAGMA foreign_keys = OFF").unwrap();
    db.execute(
        "UPDATE records SET result_id = lower(result_id) WHERE result_id = ?1",
        [id.as_str()],
    )
    .unwrap();
    let log_intact = intact(v, Some(&kept));
    let revoke = v.revoke(&id, decision());
    eprintln!(
        "log intact: {log_intact}; revoke: {:?}",
        revoke.as_ref().map(|r| &r.status)
    );
    assert!(
        !log_intact || revoke.is_ok(),
        "the log is INTACT while the record cannot be revoked: {revoke:?}"
    );
}
