//! SQL of the `signer_rules` table: who may sign results for which agency (the signer
//! policy, see `vault::signer_policy`). Each row is bound by the `policy_add` event that
//! brought it in (its `rule_id` is the SHA-256 the event names).

use rusqlite::{OptionalExtension, Transaction};

use super::{from_ms, to_ms};
use crate::error::{Error, Result};
use crate::hash::Sha256;

/// One stored rule, as read (its JSON not yet parsed).
pub(crate) struct RuleRow {
    /// SHA-256 of the canonical JSON of `{agency_code, rule}`.
    pub rule_id: Option<Sha256>,
    pub agency_code: String,
    /// The rule's canonical JSON.
    pub rule: String,
    pub added_ms: i64,
    pub reason: Option<String>,
}

/// Stores a rule (the caller checked it is new).
pub(crate) fn insert(
    tx: &Transaction<'_>,
    rule_id: &Sha256,
    agency_code: &str,
    rule_json: &str,
    added: time::OffsetDateTime,
    reason: Option<&str>,
) -> Result<()> {
    let mut stmt = tx.prepare_cached(
        "INSERT INTO signer_rules (rule_id, agency_code, rule, added_ms, reason) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?;
    stmt.execute((&rule_id.0[..], agency_code, rule_json, to_ms(added), reason))?;
    Ok(())
}

/// Whether a rule with this id is stored.
pub(crate) fn exists(tx: &Transaction<'_>, rule_id: &Sha256) -> Result<bool> {
    let mut stmt = tx.prepare_cached("SELECT 1 FROM signer_rules WHERE rule_id = ?1")?;
    Ok(stmt.query_row([&rule_id.0[..]], |_| Ok(())).optional()?.is_some())
}

/// Removes a rule; its row as it was, if there was one.
pub(crate) fn delete(tx: &Transaction<'_>, rule_id: &Sha256) -> Result<Option<RuleRow>> {
    let row = all(tx)?.into_iter().find(|r| r.rule_id.as_ref() == Some(rule_id));
    if row.is_some() {
        tx.execute("DELETE FROM signer_rules WHERE rule_id = ?1", [&rule_id.0[..]])?;
    }
    Ok(row)
}

/// Every stored rule, oldest first (cells of another type read as empty).
pub(crate) fn all(tx: &Transaction<'_>) -> Result<Vec<RuleRow>> {
    let mut stmt =
        tx.prepare_cached("SELECT rule_id, agency_code, rule, added_ms, reason FROM signer_rules ORDER BY id")?;
    let mut rows = stmt.query([])?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        let text = |i: usize| r.get_ref(i).ok().and_then(|v| v.as_str().ok()).map(str::to_owned);
        out.push(RuleRow {
            rule_id: r
                .get_ref(0)
                .ok()
                .and_then(|v| v.as_bytes().ok())
                .and_then(Sha256::from_slice),
            agency_code: text(1).unwrap_or_default(),
            rule: text(2).unwrap_or_default(),
            added_ms: r.get_ref(3).ok().and_then(|v| v.as_i64().ok()).unwrap_or_default(),
            reason: text(4),
        });
    }
    Ok(out)
}

/// The time a row was added, checked.
pub(crate) fn added_at(row: &RuleRow) -> Result<time::OffsetDateTime> {
    from_ms(row.added_ms)
}

/// The policy's state: SHA-256 over the stored rules' ids, sorted. Any addition or removal
/// changes it; what the in-memory policy is keyed on, and what a reuse compares before it
/// hands results out.
pub(crate) fn state(tx: &Transaction<'_>) -> Result<Sha256> {
    let mut stmt = tx.prepare_cached("SELECT rule_id, agency_code, rule FROM signer_rules ORDER BY rule_id")?;
    let mut rows = stmt.query([])?;
    let mut ctx = ring::digest::Context::new(&ring::digest::SHA256);
    ctx.update(b"results-vault/signer-policy-state/v1");
    while let Some(r) = rows.next()? {
        // The whole row, not only its id: a rule edited in place changes the state too
        // (and is then refused when the policy is read again, see `vault::signer_policy`).
        for i in 0..3 {
            let cell = r.get_ref(i)?;
            let bytes = cell
                .as_bytes()
                .or_else(|_| cell.as_str().map(str::as_bytes))
                .unwrap_or_default();
            ctx.update(&(bytes.len() as u64).to_be_bytes());
            ctx.update(bytes);
        }
    }
    Ok(Sha256::from_ring(ctx.finish()))
}

/// The policy events (`policy_add`, `policy_remove`) in order, through the partial index
/// `events_policy`.
pub(crate) fn events(tx: &Transaction<'_>) -> Result<Vec<super::events::StoredEvent>> {
    let mut stmt = tx.prepare_cached(
        "SELECT seq, at_ms, kind, actor, result_id, details, prev_hash, hash, record_prev_seq
         FROM events WHERE kind IN ('policy_add', 'policy_remove') ORDER BY seq",
    )?;
    let mut rows = stmt.query([])?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        out.push(super::events::StoredEvent::lenient(r)?);
    }
    Ok(out)
}

/// A malformed-row error naming the table.
pub(crate) fn malformed(what: impl std::fmt::Display) -> Error {
    Error::Malformed(format!("signer policy: {what}"))
}
