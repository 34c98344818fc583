//! The schema and its migrations, tracked in `PRAGMA user_version`.
//!
//! Each entry of [`MIGRATIONS`] moves the schema one version up; all pending ones run in
//! one IMMEDIATE transaction, so a crash leaves either the old or the new schema, and two
//! processes opening a fresh file at once migrate it once.

use rusqlite::{Connection, TransactionBehavior};

use crate::error::{Error, Result};

/// `PRAGMA application_id` of a vault file: "RVLT".
pub(crate) const APPLICATION_ID: i64 = 0x5256_4C54;

/// Migration `i` takes the schema from version `i` to `i + 1`.
const MIGRATIONS: &[&str] = &[
    // 1: contents, records, the audit log and reuse events.
    r#"
    CREATE TABLE contents (
        id      INTEGER PRIMARY KEY,
        sha256  BLOB    NOT NULL UNIQUE CHECK (length(sha256) = 32),
        size    INTEGER NOT NULL CHECK (size > 0),
        codec   INTEGER NOT NULL CHECK (codec IN (0, 1)),  -- 0 raw, 1 zstd
        data    BLOB    NOT NULL
    );

    CREATE TABLE records (
        result_id           TEXT    PRIMARY KEY,
        dossier_code        TEXT    NOT NULL,
        procedure_code      TEXT    NOT NULL,
        document_type       TEXT    NOT NULL,
        document_number     TEXT    NOT NULL,
        agency_code         TEXT    NOT NULL,
        agency_name         TEXT,
        subject_kind        TEXT    NOT NULL CHECK (subject_kind IN ('citizen', 'organization')),
        subject_id          TEXT    NOT NULL,
        subject_name        TEXT,
        issued_at           TEXT    NOT NULL,   -- YYYY-MM-DD
        valid_from          TEXT    NOT NULL,   -- YYYY-MM-DD
        valid_until         TEXT,               -- YYYY-MM-DD, inclusive; NULL: never expires
        media_type          TEXT    NOT NULL,
        file_name           TEXT,
        provenance          TEXT    NOT NULL,   -- JSON
        extra               TEXT,               -- JSON object, NULL when empty
        content_id          INTEGER NOT NULL REFERENCES contents (id),
        ingested_ms         INTEGER NOT NULL,
        status              TEXT    NOT NULL CHECK (status IN ('ACTIVE', 'REVOKED', 'SUPERSEDED')),
        status_reason       TEXT,
        status_decision_ref TEXT,
        status_at_ms        INTEGER,
        status_by           TEXT,
        replaced_by         TEXT REFERENCES records (result_id),
        last_event_seq      INTEGER,  -- newest event about this record (head of its history list)
        UNIQUE (dossier_code, procedure_code, document_number)
    ) WITHOUT ROWID;  -- keyed by the ULID itself: one b-tree fewer to write per ingest
    CREATE INDEX records_by_subject ON records (subject_kind, subject_id, document_type);
    CREATE INDEX records_by_content ON records (content_id);
    -- No index on ingested_ms: result ids are ULIDs, time-ordered, so time ranges are id ranges.

    -- The hash-chained audit log: hash = SHA-256(JCS of the event with prev_hash).
    -- A record's events form a list (records.last_event_seq -> record_prev_seq -> ...)
    -- instead of an index on result_id: one page fewer written per ingest and status
    -- change. The links are not hashed; verify_log checks them against the chain.
    CREATE TABLE events (
        seq             INTEGER PRIMARY KEY,
        at_ms           INTEGER NOT NULL,
        kind            TEXT    NOT NULL,
        actor           TEXT    NOT NULL,
        result_id       TEXT,
        details         TEXT    NOT NULL,  -- JSON, exactly as hashed
        prev_hash       BLOB    NOT NULL,
        hash            BLOB    NOT NULL,
        record_prev_seq INTEGER            -- the previous event about the same record
    );

    -- One row per result handed out for reuse; each is also a `reuse` event.
    CREATE TABLE reuses (
        event_seq      INTEGER PRIMARY KEY REFERENCES events (seq),
        result_id      TEXT    NOT NULL REFERENCES records (result_id),
        at_ms          INTEGER NOT NULL,
        agency_code    TEXT    NOT NULL,
        procedure_code TEXT    NOT NULL,
        dossier_code   TEXT    NOT NULL,
        purpose        TEXT    NOT NULL
    );
    -- One index only: each index is one more page written per reuse. Statistics scan
    -- the table for the time window; the per-dossier check uses this index.
    CREATE INDEX reuses_by_dossier ON reuses (agency_code, dossier_code, at_ms);
    "#,
    // 2: the trust store: anchors, intermediates and CRLs, each added or removed with an
    // audit event.
    r#"
    CREATE TABLE trust_items (
        id       INTEGER PRIMARY KEY,
        sha256   BLOB    NOT NULL UNIQUE CHECK (length(sha256) = 32),
        item     TEXT    NOT NULL CHECK (item IN ('anchor', 'intermediate', 'crl')),
        name     TEXT    NOT NULL,  -- subject (certificates) or issuer (CRLs)
        der      BLOB    NOT NULL,
        added_ms INTEGER NOT NULL
    );
    "#,
    // 3: signatures over records' envelopes, the two-phase signing sessions that make
    // them, the checks of those signatures, and the CRLs those checks relied on.
    r#"
    CREATE TABLE signatures (
        id          INTEGER PRIMARY KEY,
        result_id   TEXT    NOT NULL REFERENCES records (result_id),
        sha256      BLOB    NOT NULL CHECK (length(sha256) = 32),  -- of the CMS bytes
        cms         BLOB    NOT NULL,
        signer      BLOB    NOT NULL CHECK (length(signer) = 32),  -- SHA-256 of the signer's certificate
        source      TEXT    NOT NULL CHECK (source IN ('session', 'attached')),
        session_id  TEXT,
        poe_ms      INTEGER NOT NULL,  -- proof of existence: when the vault accepted it
        event_seq   INTEGER NOT NULL REFERENCES events (seq),
        acceptance  TEXT    NOT NULL,  -- JSON: the verdict that let it in
        UNIQUE (result_id, sha256)     -- also the index of a record's signatures
    );

    CREATE TABLE signing_sessions (
        session_id        TEXT    PRIMARY KEY,
        result_id         TEXT    NOT NULL REFERENCES records (result_id),
        state             TEXT    NOT NULL CHECK (state IN ('open', 'completed', 'cancelled')),
        digest            TEXT    NOT NULL,
        chain             BLOB    NOT NULL,  -- DER certificates, signer first, back to back
        signed_attributes BLOB    NOT NULL,  -- the DER that the signature value signs
        signing_time_ms   INTEGER NOT NULL,
        created_ms        INTEGER NOT NULL,
        expires_ms        INTEGER NOT NULL,
        reply_sha256      BLOB,              -- the reply that completed it
        signature_id      INTEGER REFERENCES signatures (id)
    );

    -- The newest check of each signature under each state of the trust store.
    CREATE TABLE signature_checks (
        signature_id  INTEGER NOT NULL REFERENCES signatures (id),
        trust_state   BLOB    NOT NULL CHECK (length(trust_state) = 32),
        checked_ms    INTEGER NOT NULL,
        validation_ms INTEGER NOT NULL,
        verdict       TEXT    NOT NULL,  -- JSON
        PRIMARY KEY (signature_id, trust_state)
    ) WITHOUT ROWID;

    -- Every CRL a kept verdict relied on, kept even after it leaves the trust store.
    CREATE TABLE kept_crls (
        id      INTEGER PRIMARY KEY,
        sha256  BLOB    NOT NULL UNIQUE CHECK (length(sha256) = 32),
        issuer  TEXT    NOT NULL,
        der     BLOB    NOT NULL,
        kept_ms INTEGER NOT NULL
    );
    "#,
    // 4: the check of a signed PDF's embedded signatures when it was ingested.
    r#"
    CREATE TABLE pdf_checks (
        result_id  TEXT    PRIMARY KEY REFERENCES records (result_id),
        checked_ms INTEGER NOT NULL,
        indication TEXT,               -- the document's; NULL when the PDF did not parse
        check_json TEXT    NOT NULL    -- JSON: the whole PdfCheck
    ) WITHOUT ROWID;
    "#,
    // 5: the provider request of a remote signing session (its crash-safe state machine).
    r#"
    CREATE TABLE remote_requests (
        session_id        TEXT    PRIMARY KEY REFERENCES signing_sessions (session_id),
        provider          TEXT    NOT NULL,
        client_request_id TEXT    NOT NULL UNIQUE,
        provider_txn      TEXT,              -- the provider's transaction id, once it answered
        answer_format     TEXT    NOT NULL CHECK (answer_format IN ('raw', 'cms')),
        state             TEXT    NOT NULL CHECK (state IN
                              ('sending', 'waiting', 'approved', 'rejected', 'expired', 'failed', 'unknown')),
        detail            TEXT,
        outcome           TEXT,              -- JSON: the provider's typed outcome
        answer            BLOB,              -- the provider's signature, kept from approval on
        polls             INTEGER NOT NULL DEFAULT 0,
        created_ms        INTEGER NOT NULL,
        updated_ms        INTEGER NOT NULL
    ) WITHOUT ROWID;
    "#,
    // 6: the trust events, read on every change of the trust store to take each item's
    // kind from the log rather than from its row (log/bound.rs).
    r#"
    CREATE INDEX events_trust ON events (seq) WHERE kind IN ('trust_add', 'trust_remove');
    "#,
    // 7: OCSP responses in the trust store, beside CRLs (SQLite cannot change a CHECK:
    // the table is rebuilt, rows and ids kept).
    r#"
    CREATE TABLE trust_items_v7 (
        id       INTEGER PRIMARY KEY,
        sha256   BLOB    NOT NULL UNIQUE CHECK (length(sha256) = 32),
        item     TEXT    NOT NULL CHECK (item IN ('anchor', 'intermediate', 'crl', 'ocsp')),
        name     TEXT    NOT NULL,  -- subject (certificates), issuer (CRLs), CA (OCSP responses)
        der      BLOB    NOT NULL,
        added_ms INTEGER NOT NULL
    );
    INSERT INTO trust_items_v7 (id, sha256, item, name, der, added_ms)
        SELECT id, sha256, item, name, der, added_ms FROM trust_items;
    DROP TABLE trust_items;
    ALTER TABLE trust_items_v7 RENAME TO trust_items;
    "#,
    // 8: the signer policy (who may sign results for which agency), each rule added or
    // removed with an audit event; the policy events read through their own partial index.
    r#"
    CREATE TABLE signer_rules (
        id          INTEGER PRIMARY KEY,
        rule_id     BLOB    NOT NULL UNIQUE CHECK (length(rule_id) = 32),  -- SHA-256 of JCS {agency_code, rule}
        agency_code TEXT    NOT NULL,
        rule        TEXT    NOT NULL,  -- JSON (JCS) of the rule
        added_ms    INTEGER NOT NULL,
        reason      TEXT
    );
    CREATE INDEX events_policy ON events (seq) WHERE kind IN ('policy_add', 'policy_remove');
    "#,
];

/// The schema version this build writes.
pub(crate) const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

/// Brings the schema up to [`SCHEMA_VERSION`]. The caller has already refused files
/// that are newer or belong to another application.
pub(crate) fn migrate(conn: &mut Connection) -> Result<()> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    // Re-read under the write lock: another process may have migrated meanwhile.
    let current: i64 = tx.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    if current > SCHEMA_VERSION {
        return Err(Error::Malformed(format!(
            "schema version {current} appeared during migration"
        )));
    }
    if current == SCHEMA_VERSION {
        // Up to date: write nothing (a file under investigation must stay byte-identical).
        return Ok(());
    }
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(current as usize) {
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", i as i64 + 1)?;
    }
    tx.pragma_update(None, "application_id", APPLICATION_ID)?;
    tx.commit()?;
    Ok(())
}

/// One object of `sqlite_schema`: type, name, table and SQL text.
type SchemaObject = (String, String, String, Option<String>);

/// What `sqlite_schema` holds, sorted (SQLite's own statistics tables left out).
fn schema_objects(conn: &Connection) -> Result<Vec<SchemaObject>> {
    let mut stmt = conn.prepare(
        "SELECT type, name, tbl_name, sql FROM sqlite_schema WHERE name NOT LIKE 'sqlite_stat%' ORDER BY type, name",
    )?;
    let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The schema the first `version` migrations make, from an empty in-memory database.
fn expected_objects(version: i64) -> Result<Vec<SchemaObject>> {
    let conn = Connection::open_in_memory()?;
    for sql in MIGRATIONS.iter().take(version.clamp(0, SCHEMA_VERSION) as usize) {
        conn.execute_batch(sql)?;
    }
    schema_objects(&conn)
}

/// How the file's schema differs from what its version's migrations make: a trigger, view
/// or index planted in the file (a trigger runs inside the vault's own transactions, and
/// could drop a revocation or a CRL without a word), or a table or index whose definition
/// was changed. Empty when it is exactly the vault's.
pub(crate) fn schema_differences(conn: &Connection) -> Result<Vec<String>> {
    let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    let expected = expected_objects(version)?;
    let found = schema_objects(conn)?;
    let mut differences = Vec::new();
    for object in &found {
        match expected.iter().find(|e| e.0 == object.0 && e.1 == object.1) {
            None => differences.push(format!("an unexpected {} {:?}", object.0, object.1)),
            Some(e) if e != object => differences.push(format!("the {} {:?} was redefined", object.0, object.1)),
            Some(_) => {}
        }
    }
    for e in &expected {
        if !found.iter().any(|o| o.0 == e.0 && o.1 == e.1) {
            differences.push(format!("the {} {:?} is missing", e.0, e.1));
        }
    }
    Ok(differences)
}
