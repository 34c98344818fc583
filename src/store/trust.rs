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

/// Visits every stored item's recorded hash and the hash of its bytes (for the audit).
pub(crate) fn for_each_hash(
    tx: &Transaction<'_>,
    mut f: impl FnMut(Option<Sha256>, Sha256) -> Result<()>,
) -> Result<()> {
    let mut stmt = tx.prepare("SELECT sha256, der FROM trust_items")?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        let sha: Vec<u8> = r.get(0)?;
        let der: Vec<u8> = r.get(1)?;
        f(Sha256::from_slice(&sha), Sha256::of(&der))?;
    }
    Ok(())
}

/// The trust store's state: SHA-256 over the sorted hashes of its items. Any addition or
/// removal changes it; it is what cached verdicts are keyed on.
pub(crate) fn state(tx: &Transaction<'_>) -> Result<Sha256> {
    let mut stmt = tx.prepare_cached("SELECT sha256 FROM trust_items ORDER BY sha256")?;
    let mut rows = stmt.query([])?;
    let mut ctx = ring::digest::Context::new(&ring::digest::SHA256);
    ctx.update(b"results-vault/trust-state/v1");
    while let Some(r) = rows.next()? {
        let sha: Vec<u8> = r.get(0)?;
        ctx.update(&sha);
    }
    Ok(Sha256::from_ring(ctx.finish()))
}
