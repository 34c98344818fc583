//! SQL for the `trust_items` table.

use rusqlite::{OptionalExtension, Transaction};

use super::{from_ms, to_ms};
use crate::error::{Error, Result};
use crate::hash::Sha256;
use crate::trust::{TrustItem, TrustItemKind};

fn item(kind: &str) -> Result<TrustItemKind> {
    kind.parse()
        .map_err(|_| Error::Malformed(format!("stored trust item kind {kind:?}")))
}

/// The stored item with this hash, if any.
pub(crate) fn get(tx: &Transaction<'_>, sha256: &Sha256) -> Result<Option<TrustItem>> {
    let mut stmt = tx.prepare_cached("SELECT item, name, added_ms FROM trust_items WHERE sha256 = ?1")?;
    let row = stmt
        .query_row([&sha256.0[..]], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, i64>(2)?))
        })
        .optional()?;
    row.map(|(kind, name, ms)| {
        Ok(TrustItem {
            kind: item(&kind)?,
            sha256: *sha256,
            name,
            added_at: from_ms(ms)?,
        })
    })
    .transpose()
}

/// Stores an item (the caller has checked it and knows it is new).
pub(crate) fn insert(tx: &Transaction<'_>, entry: &TrustItem, der: &[u8]) -> Result<()> {
    let mut stmt =
        tx.prepare_cached("INSERT INTO trust_items (sha256, item, name, der, added_ms) VALUES (?1, ?2, ?3, ?4, ?5)")?;
    stmt.execute((
        &entry.sha256.0[..],
        entry.kind.as_str(),
        &entry.name,
        der,
        to_ms(entry.added_at),
    ))?;
    Ok(())
}

/// Removes an item; true if there was one.
pub(crate) fn delete(tx: &Transaction<'_>, sha256: &Sha256) -> Result<bool> {
    Ok(tx.execute("DELETE FROM trust_items WHERE sha256 = ?1", [&sha256.0[..]])? > 0)
}

/// Every item, oldest first, with its DER.
pub(crate) fn all(tx: &Transaction<'_>) -> Result<Vec<(TrustItem, Vec<u8>)>> {
    let mut stmt = tx.prepare("SELECT sha256, item, name, added_ms, der FROM trust_items ORDER BY id")?;
    let rows = stmt.query_and_then([], |r| -> Result<(TrustItem, Vec<u8>)> {
        let sha: Vec<u8> = r.get(0)?;
        let sha256 = Sha256::from_slice(&sha).ok_or_else(|| Error::Malformed("stored trust sha256".into()))?;
        let der: Vec<u8> = r.get(4)?;
        // Trust material is re-hashed like content: an edited anchor must not be used.
        if Sha256::of(&der) != sha256 {
            return Err(Error::Malformed(format!(
                "trust item {sha256} no longer hashes to its SHA-256"
            )));
        }
        Ok((
            TrustItem {
                kind: item(&r.get::<_, String>(1)?)?,
                sha256,
                name: r.get(2)?,
                added_at: from_ms(r.get(3)?)?,
            },
            der,
        ))
    })?;
    rows.collect()
}

/// Every item the log says is in the store, of the kind its trust_add event gave it (the
/// event unedited), oldest first, with its DER: what verifications use. An item
/// relabelled in the file (an intermediate made an anchor, a CRL made an intermediate)
/// is used as what it was added as. A store that disagrees with the log otherwise (an item
/// no unedited event added, an added item missing) is an error, so verifications fail
/// closed; `rvault log verify` says what differs.
pub(crate) fn all_bound(tx: &Transaction<'_>) -> Result<Vec<(TrustItem, Vec<u8>)>> {
    let mut logged: std::collections::HashMap<Sha256, String> = std::collections::HashMap::new();
    // The partial index `events_trust` (schema 6) makes this a walk of the trust events only.
    let mut stmt = tx.prepare_cached(
        "SELECT seq, at_ms, kind, actor, result_id, details, prev_hash, hash, record_prev_seq
         FROM events WHERE kind IN ('trust_add', 'trust_remove') ORDER BY seq",
    )?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        let event = super::events::StoredEvent::lenient(r)?;
        if !crate::log::bound::event_self_consistent(&event) {
            continue;
        }
        let Ok(details) = serde_json::from_str::<serde_json::Value>(&event.details) else {
            continue;
        };
        let field = |k: &str| details.get(k).and_then(|v| v.as_str()).map(str::to_owned);
        let Some(sha) = field("sha256").and_then(|h| h.parse::<Sha256>().ok()) else {
            continue;
        };
        match (event.kind.as_str(), field("item")) {
            ("trust_add", Some(kind)) => {
                logged.insert(sha, kind);
            }
            _ => {
                logged.remove(&sha);
            }
        }
    }
    // Fail closed: a store that disagrees with its log (an item no unedited event added, an
    // added item gone) is no basis for a verdict, not a store with one item less.
    let disagree = |what: String| {
        Error::Malformed(format!(
            "the trust store disagrees with the audit log ({what}): run `rvault log verify`"
        ))
    };
    let mut items = all(tx)?;
    for (item, _) in &mut items {
        item.kind = logged
            .remove(&item.sha256)
            .and_then(|kind| kind.parse().ok())
            .ok_or_else(|| disagree(format!("trust item {} has no trust_add event", item.sha256)))?;
    }
    if let Some(gone) = logged.keys().next() {
        return Err(disagree(format!("trust item {gone} was added and is gone")));
    }
    Ok(items)
}

/// Visits every stored item's recorded hash, the hash of its bytes, its kind and its
/// name, as stored (for the audit; cells of another type read as empty).
pub(crate) fn for_each_row(
    tx: &Transaction<'_>,
    mut f: impl FnMut(Option<Sha256>, Sha256, String, String) -> Result<()>,
) -> Result<()> {
    let mut stmt = tx.prepare("SELECT sha256, der, item, name FROM trust_items")?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        let bytes = |i: usize| r.get_ref(i).ok().and_then(|v| v.as_bytes().ok()).unwrap_or_default();
        let text = |i: usize| {
            r.get_ref(i)
                .ok()
                .and_then(|v| v.as_str().ok())
                .unwrap_or_default()
                .to_owned()
        };
        f(Sha256::from_slice(bytes(0)), Sha256::of(bytes(1)), text(2), text(3))?;
    }
    Ok(())
}

/// The trust store's state: SHA-256 over the sorted hashes of its items, each with its
/// kind. Any addition, removal or relabelling changes it; it is what cached verdicts are
/// keyed on, and what a reuse compares before it commits.
pub(crate) fn state(tx: &Transaction<'_>) -> Result<Sha256> {
    let mut stmt = tx.prepare_cached("SELECT sha256, item FROM trust_items ORDER BY sha256")?;
    let mut rows = stmt.query([])?;
    let mut ctx = ring::digest::Context::new(&ring::digest::SHA256);
    ctx.update(b"results-vault/trust-state/v2");
    while let Some(r) = rows.next()? {
        let sha = r.get_ref(0)?.as_bytes().unwrap_or_default();
        let kind = r.get_ref(1)?.as_bytes().unwrap_or_default();
        // Fixed-size hash, then the kind and a terminator: unambiguous.
        ctx.update(sha);
        ctx.update(kind);
        ctx.update(&[0]);
    }
    Ok(Sha256::from_ring(ctx.finish()))
}
