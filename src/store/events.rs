//! SQL for the `events` table: appending to the chain and reading it back.

use rusqlite::{OptionalExtension, Transaction};

use super::{from_ms, to_ms};
use crate::error::{Error, Result};
use crate::hash::Sha256;
use crate::log::{Event, EventKind, GENESIS};
use crate::record::ResultId;

/// Appends one event after the current head, in the caller's transaction.
pub(crate) fn append(
    tx: &Transaction<'_>,
    at: time::OffsetDateTime,
    kind: EventKind,
    actor: &str,
    result_id: Option<&ResultId>,
    details: serde_json::Value,
) -> Result<Event> {
    let mut head = tx.prepare_cached("SELECT seq, hash FROM events ORDER BY seq DESC LIMIT 1")?;
    let (last_seq, prev_hash) = match head
        .query_row([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, Vec<u8>>(1)?)))
        .optional()?
    {
        Some((seq, hash)) => (
            seq as u64,
            Sha256::from_slice(&hash).ok_or_else(|| Error::Malformed("stored event hash is not 32 bytes".into()))?,
        ),
        None => (0, GENESIS),
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
    let mut insert = tx.prepare_cached(
        "INSERT INTO events (seq, at_ms, kind, actor, result_id, details, prev_hash, hash)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
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
    ))?;
    Ok(event)
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
}

/// Visits every stored event in `seq` order.
pub(crate) fn for_each(tx: &Transaction<'_>, mut f: impl FnMut(StoredEvent) -> Result<()>) -> Result<()> {
    let mut stmt =
        tx.prepare("SELECT seq, at_ms, kind, actor, result_id, details, prev_hash, hash FROM events ORDER BY seq")?;
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
        })?;
    }
    Ok(())
}

/// The events about one record, oldest first.
pub(crate) fn for_record(tx: &Transaction<'_>, id: &ResultId) -> Result<Vec<Event>> {
    let mut stmt = tx.prepare_cached(
        "SELECT seq, at_ms, kind, actor, result_id, details, prev_hash, hash FROM events
         WHERE result_id = ?1 ORDER BY seq",
    )?;
    let rows = stmt.query_and_then([id.as_str()], |r| -> Result<Event> {
        let bad = |what: &str| Error::Malformed(format!("stored event: {what}"));
        let details: String = r.get(5)?;
        Ok(Event {
            seq: r.get::<_, i64>(0)? as u64,
            at: from_ms(r.get(1)?)?,
            kind: r.get::<_, String>(2)?.parse().map_err(|_| bad("unknown kind"))?,
            actor: r.get(3)?,
            result_id: Some(id.clone()),
            details: serde_json::from_str(&details).map_err(|_| bad("details are not JSON"))?,
            prev_hash: Sha256::from_slice(&r.get::<_, Vec<u8>>(6)?).ok_or_else(|| bad("prev_hash"))?,
            hash: Sha256::from_slice(&r.get::<_, Vec<u8>>(7)?).ok_or_else(|| bad("hash"))?,
        })
    })?;
    rows.collect()
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
