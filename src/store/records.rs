//! SQL for the `records` and `contents` tables.

use rusqlite::{named_params, OptionalExtension, Row, Transaction};
use time::Date;

use super::content::{self, Codec, Encoded};
use super::{from_ms, to_ms};
use crate::error::{Error, Result};
use crate::hash::Sha256;
use crate::record::{
    ContentInfo, Issuer, LegalStatus, NewRecord, Record, ResultId, StatusChange, Subject, SubjectKind,
};

/// The columns [`from_row`] reads, in order.
const COLUMNS: &str = "r.result_id, r.dossier_code, r.procedure_code, r.document_type, r.document_number,
    r.agency_code, r.agency_name, r.subject_kind, r.subject_id, r.subject_name,
    r.issued_at, r.valid_from, r.valid_until, r.media_type, r.file_name, r.provenance, r.extra,
    c.sha256, c.size, r.ingested_ms, r.status, r.status_reason, r.status_decision_ref,
    r.status_at_ms, r.status_by, r.replaced_by, r.last_event_seq";

fn select(filter: &str) -> String {
    format!("SELECT {COLUMNS} FROM records r JOIN contents c ON c.id = r.content_id {filter}")
}

fn malformed(what: &str, e: impl std::fmt::Display) -> Error {
    Error::Malformed(format!("{what}: {e}"))
}

fn parse_date(s: &str) -> Result<Date> {
    Date::parse(s, &time::format_description::well_known::Iso8601::DATE).map_err(|e| malformed("stored date", e))
}

use crate::record::iso_date as format_date;

/// Reads one row selected with [`COLUMNS`].
fn from_row(row: &Row<'_>) -> Result<Record> {
    let text = |i: usize| -> Result<String> { Ok(row.get::<_, String>(i)?) };
    let opt = |i: usize| -> Result<Option<String>> { Ok(row.get::<_, Option<String>>(i)?) };
    let result_id: ResultId = text(0)?.parse().map_err(|e| malformed("stored result_id", e))?;
    let kind: SubjectKind = text(7)?.parse().map_err(|e| malformed("stored subject_kind", e))?;
    let provenance = serde_json::from_str(&text(15)?).map_err(|e| malformed("stored provenance", e))?;
    let extra = match opt(16)? {
        Some(json) => serde_json::from_str(&json).map_err(|e| malformed("stored extra", e))?,
        None => serde_json::Map::new(),
    };
    let sha: Vec<u8> = row.get(17)?;
    let sha256 = Sha256::from_slice(&sha).ok_or_else(|| malformed("stored sha256", "not 32 bytes"))?;
    let size = u64::try_from(row.get::<_, i64>(18)?).map_err(|e| malformed("stored size", e))?;
    let meta = NewRecord {
        dossier_code: text(1)?,
        procedure_code: text(2)?,
        document_type: text(3)?,
        document_number: text(4)?,
        issuer: Issuer {
            agency_code: text(5)?,
            agency_name: opt(6)?,
        },
        subject: Subject {
            kind,
            id: crate::record::SubjectId::new(text(8)?),
            name: opt(9)?,
        },
        issued_at: parse_date(&text(10)?)?,
        valid_from: parse_date(&text(11)?)?,
        valid_until: opt(12)?.map(|s| parse_date(&s)).transpose()?,
        media_type: text(13)?,
        file_name: opt(14)?,
        provenance,
        extra,
    };
    let change = || -> Result<StatusChange> {
        let missing = || malformed("stored status", "decision fields missing");
        Ok(StatusChange {
            reason: opt(21)?.ok_or_else(missing)?,
            decision_ref: opt(22)?.ok_or_else(missing)?,
            at: from_ms(row.get::<_, Option<i64>>(23)?.ok_or_else(missing)?)?,
            by: opt(24)?.ok_or_else(missing)?,
        })
    };
    let status = match text(20)?.as_str() {
        "ACTIVE" => LegalStatus::Active,
        "REVOKED" => LegalStatus::Revoked { change: change()? },
        "SUPERSEDED" => LegalStatus::Superseded {
            change: change()?,
            replaced_by: opt(25)?
                .ok_or_else(|| malformed("stored status", "replaced_by missing"))?
                .parse()
                .map_err(|e| malformed("stored replaced_by", e))?,
        },
        other => return Err(malformed("stored status", other)),
    };
    Ok(Record {
        result_id,
        meta,
        content: ContentInfo { sha256, size },
        status,
        ingested_at: from_ms(row.get(19)?)?,
    })
}

/// The record with this id.
pub(crate) fn get(tx: &Transaction<'_>, id: &ResultId) -> Result<Option<Record>> {
    let mut stmt = tx.prepare_cached(&select("WHERE r.result_id = ?1"))?;
    let mut rows = stmt.query([id.as_str()])?;
    rows.next()?.map(from_row).transpose()
}

/// The record holding this dossier + procedure + document number.
pub(crate) fn get_by_key(tx: &Transaction<'_>, meta: &NewRecord) -> Result<Option<Record>> {
    let mut stmt = tx.prepare_cached(&select(
        "WHERE r.dossier_code = ?1 AND r.procedure_code = ?2 AND r.document_number = ?3",
    ))?;
    let mut rows = stmt.query([&meta.dossier_code, &meta.procedure_code, &meta.document_number])?;
    rows.next()?.map(from_row).transpose()
}

/// Every record whose content has this hash, oldest first.
pub(crate) fn find_by_hash(tx: &Transaction<'_>, sha256: &Sha256) -> Result<Vec<Record>> {
    let mut stmt = tx.prepare_cached(&select("WHERE c.sha256 = ?1 ORDER BY r.result_id"))?;
    let rows = stmt.query_and_then([&sha256.0[..]], from_row)?;
    rows.collect()
}

/// Every record of this subject and document type, oldest first.
pub(crate) fn find_by_subject(
    tx: &Transaction<'_>,
    kind: SubjectKind,
    subject_id: &str,
    document_type: &str,
) -> Result<Vec<Record>> {
    let mut stmt = tx.prepare_cached(&select(
        "WHERE r.subject_kind = ?1 AND r.subject_id = ?2 AND r.document_type = ?3 ORDER BY r.result_id",
    ))?;
    let rows = stmt.query_and_then([kind.as_str(), subject_id, document_type], from_row)?;
    rows.collect()
}

/// Visits every record in id order, with the head of its history list (for the audits).
pub(crate) fn for_each(
    tx: &Transaction<'_>,
    mut f: impl FnMut(Record, Option<i64>, String) -> Result<()>,
) -> Result<()> {
    let mut stmt = tx.prepare(&select("ORDER BY r.result_id"))?;
    let mut rows = stmt.query([])?;
    while let Some(row) = rows.next()? {
        // The key as stored: the audit checks it is the id as the vault writes it.
        let stored_id = row.get_ref(0)?.as_str().unwrap_or_default().to_owned();
        f(from_row(row)?, row.get(26)?, stored_id)?;
    }
    Ok(())
}

/// Stores the content once per hash; returns its row id.
fn put_content(tx: &Transaction<'_>, content: &Encoded, raw: &[u8]) -> Result<i64> {
    let mut find = tx.prepare_cached("SELECT id FROM contents WHERE sha256 = ?1")?;
    if let Some(id) = find.query_row([&content.sha256.0[..]], |r| r.get(0)).optional()? {
        return Ok(id);
    }
    let data = content.compressed.as_deref().unwrap_or(raw);
    let mut insert = tx.prepare_cached("INSERT INTO contents (sha256, size, codec, data) VALUES (?1, ?2, ?3, ?4)")?;
    insert.execute((&content.sha256.0[..], content.size as i64, content.codec as i64, data))?;
    Ok(tx.last_insert_rowid())
}

/// Inserts a new record and its content (once per hash).
pub(crate) fn insert(tx: &Transaction<'_>, record: &Record, content: &Encoded, raw: &[u8]) -> Result<()> {
    let content_id = put_content(tx, content, raw)?;
    let m = &record.meta;
    let extra = if m.extra.is_empty() {
        None
    } else {
        Some(serde_json::to_string(&m.extra).map_err(|e| malformed("extra", e))?)
    };
    let mut stmt = tx.prepare_cached(
        "INSERT INTO records (result_id, dossier_code, procedure_code, document_type, document_number,
            agency_code, agency_name, subject_kind, subject_id, subject_name, issued_at, valid_from,
            valid_until, media_type, file_name, provenance, extra, content_id, ingested_ms, status)
         VALUES (:result_id, :dossier_code, :procedure_code, :document_type, :document_number,
            :agency_code, :agency_name, :subject_kind, :subject_id, :subject_name, :issued_at, :valid_from,
            :valid_until, :media_type, :file_name, :provenance, :extra, :content_id, :ingested_ms, 'ACTIVE')",
    )?;
    stmt.execute(named_params! {
        ":result_id": record.result_id.as_str(),
        ":dossier_code": m.dossier_code,
        ":procedure_code": m.procedure_code,
        ":document_type": m.document_type,
        ":document_number": m.document_number,
        ":agency_code": m.issuer.agency_code,
        ":agency_name": m.issuer.agency_name,
        ":subject_kind": m.subject.kind.as_str(),
        ":subject_id": m.subject.id.expose(),
        ":subject_name": m.subject.name,
        ":issued_at": format_date(m.issued_at),
        ":valid_from": format_date(m.valid_from),
        ":valid_until": m.valid_until.map(format_date),
        ":media_type": m.media_type,
        ":file_name": m.file_name,
        ":provenance": serde_json::to_string(&m.provenance).map_err(|e| malformed("provenance", e))?,
        ":extra": extra,
        ":content_id": content_id,
        ":ingested_ms": to_ms(record.ingested_at),
    })?;
    Ok(())
}

/// Writes a record's new legal status.
pub(crate) fn set_status(tx: &Transaction<'_>, id: &ResultId, status: &LegalStatus) -> Result<()> {
    let (state, change, replaced_by) = match status {
        LegalStatus::Active => ("ACTIVE", None, None),
        LegalStatus::Revoked { change } => ("REVOKED", Some(change), None),
        LegalStatus::Superseded { change, replaced_by } => ("SUPERSEDED", Some(change), Some(replaced_by.as_str())),
    };
    let mut stmt = tx.prepare_cached(
        "UPDATE records SET status = ?2, status_reason = ?3, status_decision_ref = ?4, status_at_ms = ?5,
            status_by = ?6, replaced_by = ?7 WHERE result_id = ?1",
    )?;
    stmt.execute((
        id.as_str(),
        state,
        change.map(|c| c.reason.as_str()),
        change.map(|c| c.decision_ref.as_str()),
        change.map(|c| to_ms(c.at)),
        change.map(|c| c.by.as_str()),
        replaced_by,
    ))?;
    Ok(())
}

/// Reads a record's content and checks it against its hash.
pub(crate) fn read_content(tx: &Transaction<'_>, record: &Record) -> Result<Vec<u8>> {
    let mut stmt = tx.prepare_cached(
        "SELECT c.codec, c.data FROM records r JOIN contents c ON c.id = r.content_id WHERE r.result_id = ?1",
    )?;
    let mut rows = stmt.query([record.result_id.as_str()])?;
    let row = rows.next()?.ok_or_else(|| Error::NotFound(record.result_id.clone()))?;
    let codec = Codec::from_i64(row.get(0)?).ok_or_else(|| malformed("stored codec", "unknown"))?;
    // Borrow the blob from SQLite's buffer: no copy before decoding.
    // A value edited into TEXT is still the stored bytes: let the hash judge them.
    let stored = match row.get_ref(1)? {
        rusqlite::types::ValueRef::Blob(b) | rusqlite::types::ValueRef::Text(b) => b,
        _ => &[],
    };
    content::decode_and_check(codec, stored, record.content.size, &record.content.sha256).map_err(
        |content::DecodeError::Mismatch { actual }| Error::Integrity {
            result_id: record.result_id.clone(),
            expected: record.content.sha256.to_hex(),
            actual,
        },
    )
}

/// Checks a record's stored content against its hash without holding it: read through
/// SQLite's incremental blob I/O in chunks (no copy of the whole value).
pub(crate) fn check_content(tx: &Transaction<'_>, record: &Record) -> Result<()> {
    let mut stmt = tx.prepare_cached(
        "SELECT c.id, c.codec FROM records r JOIN contents c ON c.id = r.content_id WHERE r.result_id = ?1",
    )?;
    let (content_id, codec): (i64, i64) = stmt
        .query_row([record.result_id.as_str()], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?
        .ok_or_else(|| Error::NotFound(record.result_id.clone()))?;
    let codec = Codec::from_i64(codec).ok_or_else(|| malformed("stored codec", "unknown"))?;
    // A cell edited into something that is not bytes cannot be opened as a blob: the
    // whole-value read reports it.
    let Ok(blob) = tx.blob_open(rusqlite::MAIN_DB, "contents", "data", content_id, true) else {
        return read_content(tx, record).map(|_| ());
    };
    content::check_stream(codec, blob, record.content.size, &record.content.sha256).map_err(
        |content::DecodeError::Mismatch { actual }| Error::Integrity {
            result_id: record.result_id.clone(),
            expected: record.content.sha256.to_hex(),
            actual,
        },
    )
}

/// How the contents are stored: (rows, raw bytes, stored bytes) per codec.
pub(crate) fn storage_summary(tx: &Transaction<'_>) -> Result<Vec<(Codec, u64, u64, u64)>> {
    let mut stmt = tx.prepare("SELECT codec, count(*), sum(size), sum(length(data)) FROM contents GROUP BY codec")?;
    let rows = stmt.query_and_then([], |r| -> Result<_> {
        let codec = Codec::from_i64(r.get(0)?).ok_or_else(|| malformed("stored codec", "unknown"))?;
        Ok((
            codec,
            r.get::<_, i64>(1)? as u64,
            r.get::<_, i64>(2)? as u64,
            r.get::<_, i64>(3)? as u64,
        ))
    })?;
    rows.collect()
}
