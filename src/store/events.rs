//! SQL for the `events` table: appending to the chain and reading it back.

use rusqlite::{OptionalExtension, Transaction};

use super::{from_ms, to_ms};
use crate::error::{Error, Result};
use crate::hash::Sha256;
use crate::log::{Event, EventKind, GENESIS};
use crate::record::ResultId;

/// Appends one event after the current head, in the caller's transaction, and links it
/// into its record's history list.
pub(crate) fn append(
    tx: &Transaction<'_>,
    at: time::OffsetDateTime,
    kind: EventKind,
    actor: &str,
    result_id: Option<&ResultId>,
    details: serde_json::Value,
) -> Result<Event> {
    let mut head = tx.prepare_cached("SELECT seq, hash, at_ms FROM events ORDER BY seq DESC LIMIT 1")?;
    let (last_seq, prev_hash, last_at_ms) = match head
        .query_row([], |r| {
            Ok((r.get::<_, i64>(0)?, r.get::<_, Vec<u8>>(1)?, r.get::<_, i64>(2)?))
        })
        .optional()?
    {
        Some((seq, hash, at_ms)) => (
            seq as u64,
            Sha256::from_slice(&hash).ok_or_else(|| Error::Malformed("stored event hash is not 32 bytes".into()))?,
            at_ms,
        ),
        None => (0, GENESIS, i64::MIN),
    };
    // Event times never go back (the audit checks it): a clock stepped back dates the event
    // at its predecessor's time, never before it.
    let at = if to_ms(at) < last_at_ms {
        from_ms(last_at_ms)?
    } else {
        at
    };
    let event = Event::new(
        last_seq + 1,
        at,
        kind,
        actor.to_owned(),
        result_id.cloned(),
        details,
        prev_hash,
    )?;
    let record_prev_seq = match result_id {
        Some(id) => last_event_of(tx, id)?,
        None => None,
    };
    let mut insert = tx.prepare_cached(
        "INSERT INTO events (seq, at_ms, kind, actor, result_id, details, prev_hash, hash, record_prev_seq)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )?;
    insert.execute((
        event.seq as i64,
        to_ms(event.at),
        event.kind.as_str(),
        &event.actor,
        event.result_id.as_ref().map(ResultId::as_str),
        event.details_text(),
        &event.prev_hash.0[..],
        &event.hash.0[..],
        record_prev_seq,
    ))?;
    if let Some(id) = result_id {
        let mut link = tx.prepare_cached("UPDATE records SET last_event_seq = ?2 WHERE result_id = ?1")?;
        link.execute((id.as_str(), event.seq as i64))?;
    }
    Ok(event)
}

/// The newest event about a record (`None` before its first).
fn last_event_of(tx: &Transaction<'_>, id: &ResultId) -> Result<Option<i64>> {
    let mut stmt = tx.prepare_cached("SELECT last_event_seq FROM records WHERE result_id = ?1")?;
    Ok(stmt
        .query_row([id.as_str()], |r| r.get::<_, Option<i64>>(0))
        .optional()?
        .flatten())
}

/// A stored event as read, before any check: fields may have been edited.
pub(crate) struct StoredEvent {
    pub seq: i64,
    pub at_ms: i64,
    pub kind: String,
    pub actor: String,
    pub result_id: Option<String>,
    pub details: String,
    pub prev_hash: Vec<u8>,
    pub hash: Vec<u8>,
    pub record_prev_seq: Option<i64>,
}

impl StoredEvent {
    /// Reads a row of `SELECT seq, at_ms, kind, actor, result_id, details, prev_hash, hash,
    /// record_prev_seq` leniently: a text or blob column of another type reads as empty,
    /// so an edited row fails its hash check instead of the read.
    pub(crate) fn lenient(r: &rusqlite::Row<'_>) -> rusqlite::Result<StoredEvent> {
        let text = |i: usize| r.get_ref(i).ok().and_then(|v| v.as_str().ok()).map(str::to_owned);
        let bytes = |i: usize| {
            r.get_ref(i)
                .ok()
                .and_then(|v| v.as_bytes().ok())
                .unwrap_or_default()
                .to_vec()
        };
        Ok(StoredEvent {
            seq: r.get(0)?,
            at_ms: r.get(1)?,
            kind: text(2).unwrap_or_default(),
            actor: text(3).unwrap_or_default(),
            result_id: text(4),
            details: text(5).unwrap_or_default(),
            prev_hash: bytes(6),
            hash: bytes(7),
            record_prev_seq: r.get_ref(8).ok().and_then(|v| v.as_i64().ok()),
        })
    }
}

/// Visits every stored event in `seq` order.
pub(crate) fn for_each(tx: &Transaction<'_>, mut f: impl FnMut(StoredEvent) -> Result<()>) -> Result<()> {
    let mut stmt = tx.prepare(
        "SELECT seq, at_ms, kind, actor, result_id, details, prev_hash, hash, record_prev_seq FROM events ORDER BY seq",
    )?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        f(StoredEvent {
            seq: r.get(0)?,
            at_ms: r.get(1)?,
            kind: r.get(2)?,
            actor: r.get(3)?,
            result_id: r.get(4)?,
            details: r.get(5)?,
            prev_hash: r.get(6)?,
            hash: r.get(7)?,
            record_prev_seq: r.get(8)?,
        })?;
    }
    Ok(())
}

/// The events about one record, oldest first, following its history list.
pub(crate) fn for_record(tx: &Transaction<'_>, id: &ResultId) -> Result<Vec<Event>> {
    let bad = |what: &str| Error::Malformed(format!("stored event: {what}"));
    let mut stmt = tx.prepare_cached(
        "SELECT seq, at_ms, kind, actor, result_id, details, prev_hash, hash, record_prev_seq FROM events
         WHERE seq = ?1",
    )?;
    let mut events = Vec::new();
    let mut next = last_event_of(tx, id)?;
    while let Some(seq) = next {
        let (event, prev) = stmt.query_row([seq], |r| {
            Ok((
                (
                    r.get::<_, i64>(0)?,
                    r.get::<_, i64>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, Option<String>>(4)?,
                    r.get::<_, String>(5)?,
                    r.get::<_, Vec<u8>>(6)?,
                    r.get::<_, Vec<u8>>(7)?,
                ),
                r.get::<_, Option<i64>>(8)?,
            ))
        })?;
        let (seq, at_ms, kind, actor, result_id, details, prev_hash, hash) = event;
        if result_id.as_deref() != Some(id.as_str()) || prev.is_some_and(|p| p >= seq) {
            return Err(bad("a record's history list is broken; run verify_log"));
        }
        events.push(Event {
            seq: seq as u64,
            at: from_ms(at_ms)?,
            kind: kind.parse().map_err(|_| bad("unknown kind"))?,
            actor,
            result_id: Some(id.clone()),
            details: serde_json::from_str(&details).map_err(|_| bad("details are not JSON"))?,
            prev_hash: Sha256::from_slice(&prev_hash).ok_or_else(|| bad("prev_hash"))?,
            hash: Sha256::from_slice(&hash).ok_or_else(|| bad("hash"))?,
        });
        next = prev;
    }
    events.reverse();
    Ok(events)
}

/// The newest event's sequence number and hash.
pub(crate) fn head(tx: &Transaction<'_>) -> Result<Option<(u64, Sha256)>> {
    let row = tx
        .query_row("SELECT seq, hash FROM events ORDER BY seq DESC LIMIT 1", [], |r| {
            Ok((r.get::<_, i64>(0)?, r.get::<_, Vec<u8>>(1)?))
        })
        .optional()?;
    row.map(|(seq, hash)| {
        Sha256::from_slice(&hash)
            .map(|h| (seq as u64, h))
            .ok_or_else(|| Error::Malformed("stored event hash is not 32 bytes".into()))
    })
    .transpose()
}
