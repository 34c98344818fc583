//! The audit log: every ingest, status change, signature, trust change and reuse appends one event, in the same
//! transaction as the change, to a SHA-256 hash chain.
//!
//! An event's hash is SHA-256 over the RFC 8785 (JCS) serialization of
//! `{"v":1,"seq","at_ms","kind","actor","result_id","details","prev"}` (`prev` is the previous
//! event's hash in hex, 64 zeros for the first), so an auditor can recompute the chain in
//! any language. Events that change a record carry `details.state`: the SHA-256 of the
//! record's JCS serialization after the change, so a record edited behind the vault's
//! back no longer matches its last event.
//!
//! The chain is kept inside the file it protects: someone who can rewrite the file can
//! rewrite the whole chain. [`LogHead`] is what to keep *outside* (print it, send it to
//! another system): [`crate::Vault::verify_log_against`] then also detects a rewritten
//! or truncated log.

use std::collections::HashMap;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::error::{Error, Result};
use crate::hash::Sha256;
use crate::record::{Record, ResultId};
use crate::store::{self, from_ms};

/// The `prev` of the first event.
pub const GENESIS: Sha256 = Sha256([0; 32]);

/// What an event records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum EventKind {
    /// A result was stored.
    Ingest,
    /// A result was revoked.
    Revoke,
    /// A result was replaced by another.
    Supersede,
    /// A result was handed out for reuse.
    Reuse,
    /// A trust anchor, intermediate or CRL was added to the trust store.
    TrustAdd,
    /// One was removed.
    TrustRemove,
    /// A signature over a record's envelope was accepted (completed session or attached
    /// CMS). The event's time is the signature's proof of existence.
    Sign,
}

impl EventKind {
    /// The stored spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::Ingest => "ingest",
            EventKind::Revoke => "revoke",
            EventKind::Supersede => "supersede",
            EventKind::Reuse => "reuse",
            EventKind::TrustAdd => "trust_add",
            EventKind::TrustRemove => "trust_remove",
            EventKind::Sign => "sign",
        }
    }

    /// Whether the event carries the record's new state hash.
    fn changes_record(self) -> bool {
        matches!(self, EventKind::Ingest | EventKind::Revoke | EventKind::Supersede)
    }
}

impl FromStr for EventKind {
    type Err = ();
    fn from_str(s: &str) -> Result<Self, ()> {
        Ok(match s {
            "ingest" => EventKind::Ingest,
            "revoke" => EventKind::Revoke,
            "supersede" => EventKind::Supersede,
            "reuse" => EventKind::Reuse,
            "trust_add" => EventKind::TrustAdd,
            "trust_remove" => EventKind::TrustRemove,
            "sign" => EventKind::Sign,
            _ => return Err(()),
        })
    }
}

impl fmt::Display for EventKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One audit event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
    /// Position in the chain, from 1 with no gaps.
    pub seq: u64,
    /// When it happened (millisecond precision, UTC).
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    /// What happened.
    pub kind: EventKind,
    /// Who did it: the vault's actor, the deciding agency, or the requesting agency.
    pub actor: String,
    /// The record concerned.
    pub result_id: Option<ResultId>,
    /// Kind-specific facts (never a personal ID).
    pub details: serde_json::Value,
    /// The previous event's hash.
    pub prev_hash: Sha256,
    /// This event's hash.
    pub hash: Sha256,
}

/// RFC 8785 canonical JSON of any serializable value.
pub(crate) fn jcs<T: Serialize>(value: &T) -> Result<Vec<u8>> {
    serde_json_canonicalizer::to_vec(value).map_err(|e| Error::Malformed(format!("canonical JSON: {e}")))
}

/// The hash a record's state is pinned to in the log.
pub fn record_state(record: &Record) -> Result<Sha256> {
    Ok(Sha256::of(&jcs(record)?))
}

fn event_hash(
    seq: u64,
    at_ms: i64,
    kind: &str,
    actor: &str,
    result_id: Option<&str>,
    details: &serde_json::Value,
    prev: &Sha256,
) -> Result<Sha256> {
    let preimage = serde_json::json!({
        "v": 1,
        "seq": seq,
        "at_ms": at_ms,
        "kind": kind,
        "actor": actor,
        "result_id": result_id,
        "details": details,
        "prev": prev.to_hex(),
    });
    Ok(Sha256::of(&jcs(&preimage)?))
}

impl Event {
    pub(crate) fn new(
        seq: u64,
        at: OffsetDateTime,
        kind: EventKind,
        actor: String,
        result_id: Option<ResultId>,
        details: serde_json::Value,
        prev_hash: Sha256,
    ) -> Result<Event> {
        let at = from_ms(store::to_ms(at))?;
        let hash = event_hash(
            seq,
            store::to_ms(at),
            kind.as_str(),
            &actor,
            result_id.as_ref().map(ResultId::as_str),
            &details,
            &prev_hash,
        )?;
        Ok(Event {
            seq,
            at,
            kind,
            actor,
            result_id,
            details,
            prev_hash,
            hash,
        })
    }

    /// `details` as stored: its canonical JSON.
    pub(crate) fn details_text(&self) -> String {
        // Serializing a serde_json::Value cannot fail.
        String::from_utf8(jcs(&self.details).unwrap_or_default()).unwrap_or_default()
    }
}

/// The newest event: what to keep outside the vault to detect a rewritten log.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogHead {
    /// Its sequence number (the number of events).
    pub seq: u64,
    /// Its hash.
    pub hash: Sha256,
}

/// One thing found wrong.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogProblem {
    /// The event concerned, if any.
    pub seq: Option<u64>,
    /// The record concerned, if any.
    pub result_id: Option<String>,
    /// What is wrong.
    pub what: String,
}

/// What [`crate::Vault::verify_log`] found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogReport {
    /// Events read.
    pub events: u64,
    /// Records checked against their last event.
    pub records: u64,
    /// Reuse rows checked against their events.
    pub reuses: u64,
    /// The newest event, if any.
    pub head: Option<LogHead>,
    /// The first [`MAX_REPORTED_PROBLEMS`] problems, in the order found.
    pub problems: Vec<LogProblem>,
    /// How many problems there were in all.
    pub problem_count: u64,
}

/// Problems kept in a report; the rest are only counted.
pub const MAX_REPORTED_PROBLEMS: usize = 1000;

impl LogReport {
    /// True when nothing was found wrong.
    pub fn is_intact(&self) -> bool {
        self.problem_count == 0
    }

    fn problem(&mut self, seq: Option<u64>, result_id: Option<&str>, what: impl Into<String>) {
        self.problem_count += 1;
        if self.problems.len() < MAX_REPORTED_PROBLEMS {
            self.problems.push(LogProblem {
                seq,
                result_id: result_id.map(str::to_owned),
                what: what.into(),
            });
        }
    }
}

/// Checks the chain, every record against its last event, and every reuse row against
/// its event, in one read snapshot. With `anchor`, also checks that the event at
/// `anchor.seq` still has `anchor.hash`.
pub(crate) fn verify(tx: &rusqlite::Transaction<'_>, anchor: Option<&LogHead>) -> Result<LogReport> {
    let mut report = LogReport {
        events: 0,
        records: 0,
        reuses: 0,
        head: None,
        problems: Vec::new(),
        problem_count: 0,
    };
    // Per record: the state its last state-changing event pins, and whether it was ingested.
    let mut pinned: HashMap<String, Sha256> = HashMap::new();
    // Reuse events, to be matched with the reuse rows.
    let mut reuse_events: HashMap<u64, (String, serde_json::Value, i64)> = HashMap::new();
    // The trust items the log says are in the store (added and not removed since).
    let mut trust: std::collections::HashSet<Sha256> = std::collections::HashSet::new();
    // The signatures the log says were accepted: (record, SHA-256 of the CMS).
    let mut signed: std::collections::HashSet<(String, Sha256)> = std::collections::HashSet::new();
    // Per record: its newest event so far, to check the history links.
    let mut last_event: HashMap<String, i64> = HashMap::new();
    let mut prev = GENESIS;
    let mut expected_seq = 1u64;
    let mut anchor_seen = false;

    store::events::for_each(tx, |e| {
        report.events += 1;
        let seq = e.seq as u64;
        if e.seq < 1 || seq != expected_seq {
            report.problem(
                Some(seq),
                None,
                format!(
                    "sequence jumps from {} to {seq}: events were removed, inserted or reordered",
                    expected_seq - 1
                ),
            );
        }
        expected_seq = seq + 1;
        let stored_prev = Sha256::from_slice(&e.prev_hash);
        if stored_prev != Some(prev) {
            report.problem(
                Some(seq),
                None,
                "prev_hash does not match the previous event's hash: the chain is broken here",
            );
        }
        let details: serde_json::Value = match serde_json::from_str(&e.details) {
            Ok(d) => d,
            Err(_) => {
                report.problem(Some(seq), e.result_id.as_deref(), "details are not JSON");
                serde_json::Value::Null
            }
        };
        let recomputed = event_hash(
            seq,
            e.at_ms,
            &e.kind,
            &e.actor,
            e.result_id.as_deref(),
            &details,
            &Sha256::from_slice(&e.prev_hash).unwrap_or(GENESIS),
        )?;
        let stored_hash = Sha256::from_slice(&e.hash);
        if stored_hash != Some(recomputed) {
            report.problem(
                Some(seq),
                e.result_id.as_deref(),
                "event was edited: its hash does not match its contents",
            );
        }
        // Continue the chain from the stored hash, so one edit is reported once.
        prev = stored_hash.unwrap_or(recomputed);
        if let Some(a) = anchor {
            if a.seq == seq {
                anchor_seen = true;
                if a.hash != prev {
                    report.problem(
                        Some(seq),
                        None,
                        "event differs from the anchored head kept outside the vault: the log was rewritten",
                    );
                }
            }
        }
        if let Some(id) = &e.result_id {
            if e.record_prev_seq != last_event.insert(id.clone(), e.seq) {
                report.problem(
                    Some(seq),
                    Some(id),
                    "the record's history link does not point to its previous event",
                );
            }
        }
        match e.kind.parse::<EventKind>() {
            Ok(kind) if kind.changes_record() => {
                let state = details
                    .get("state")
                    .and_then(|s| s.as_str())
                    .and_then(|s| s.parse::<Sha256>().ok());
                match (e.result_id, state) {
                    (Some(id), Some(state)) => {
                        if kind == EventKind::Ingest && pinned.contains_key(&id) {
                            report.problem(Some(seq), Some(&id), "a second ingest event for one record");
                        }
                        if kind != EventKind::Ingest && !pinned.contains_key(&id) {
                            report.problem(Some(seq), Some(&id), "status change before the record's ingest event");
                        }
                        pinned.insert(id, state);
                    }
                    (id, _) => report.problem(Some(seq), id.as_deref(), "event lacks its record id or state hash"),
                }
            }
            Ok(kind @ (EventKind::TrustAdd | EventKind::TrustRemove)) => {
                match details
                    .get("sha256")
                    .and_then(|v| v.as_str())
                    .and_then(|v| v.parse::<Sha256>().ok())
                {
                    Some(sha) if kind == EventKind::TrustAdd => {
                        trust.insert(sha);
                    }
                    Some(sha) => {
                        trust.remove(&sha);
                    }
                    None => report.problem(Some(seq), None, "trust event without the item's sha256"),
                }
            }
            Ok(EventKind::Sign) => {
                let sha = details
                    .get("signature")
                    .and_then(|v| v.as_str())
                    .and_then(|v| v.parse::<Sha256>().ok());
                match (e.result_id, sha) {
                    (Some(id), Some(sha)) => {
                        if !pinned.contains_key(&id) {
                            report.problem(Some(seq), Some(&id), "signature before the record's ingest event");
                        }
                        signed.insert((id, sha));
                    }
                    (id, _) => report.problem(
                        Some(seq),
                        id.as_deref(),
                        "sign event lacks its record id or signature hash",
                    ),
                }
            }
            Ok(EventKind::Reuse) => match e.result_id {
                Some(id) => {
                    reuse_events.insert(seq, (id, details, e.at_ms));
                }
                None => report.problem(Some(seq), None, "reuse event without a record id"),
            },
            _ => report.problem(
                Some(seq),
                e.result_id.as_deref(),
                format!("unknown event kind {:?}", e.kind),
            ),
        }
        Ok(())
    })?;
    if report.events > 0 {
        report.head = Some(LogHead {
            seq: expected_seq - 1,
            hash: prev,
        });
    }
    if let Some(a) = anchor {
        if !anchor_seen {
            report.problem(
                Some(a.seq),
                None,
                format!("the anchored head (event {}) is gone: the log was truncated", a.seq),
            );
        }
    }

    store::records::for_each(tx, |record, last| {
        report.records += 1;
        let id = record.result_id.as_str();
        if last != last_event.get(id).copied() {
            report.problem(
                None,
                Some(id),
                "the record's history does not start at its newest event",
            );
        }
        match pinned.remove(id) {
            None => report.problem(
                None,
                Some(id),
                "record has no ingest event: it was added behind the vault's back",
            ),
            Some(state) if state != record_state(&record)? => report.problem(
                None,
                Some(id),
                "record differs from the state its last event pins: it was changed behind the vault's back",
            ),
            Some(_) => {}
        }
        Ok(())
    })?;
    let mut missing: Vec<String> = pinned.into_keys().collect();
    missing.sort();
    for id in missing {
        report.problem(
            None,
            Some(&id),
            "the log names a record that is no longer stored: it was deleted behind the vault's back",
        );
    }

    store::reuses::for_each(tx, |row| {
        report.reuses += 1;
        let seq = row.event_seq as u64;
        let matches = reuse_events.remove(&seq).is_some_and(|(id, details, at_ms)| {
            let r = &row.requester;
            id == row.result_id
                && details.get("agency_code").and_then(|v| v.as_str()) == Some(&r.agency_code)
                && details.get("procedure_code").and_then(|v| v.as_str()) == Some(&r.procedure_code)
                && details.get("dossier_code").and_then(|v| v.as_str()) == Some(&r.dossier_code)
                && details.get("purpose").and_then(|v| v.as_str()) == Some(&r.purpose)
                && at_ms == row.at_ms
        });
        if !matches {
            report.problem(
                Some(seq),
                Some(&row.result_id),
                "reuse row does not match its reuse event",
            );
        }
        Ok(())
    })?;
    store::trust::for_each_hash(tx, |recorded, actual| {
        if recorded != Some(actual) {
            report.problem(
                None,
                None,
                format!("trust item {actual} was edited behind the vault's back"),
            );
        } else if !trust.remove(&actual) {
            report.problem(
                None,
                None,
                format!("trust item {actual} was added behind the vault's back"),
            );
        }
        Ok(())
    })?;
    let mut gone: Vec<Sha256> = trust.into_iter().collect();
    gone.sort();
    for sha in gone {
        report.problem(
            None,
            None,
            format!("trust item {sha} was removed behind the vault's back"),
        );
    }
    store::signatures::for_each_hash(tx, |result_id, recorded, actual| {
        if recorded != Some(actual) {
            report.problem(
                None,
                Some(&result_id),
                format!("signature {actual} was edited behind the vault's back"),
            );
        } else if !signed.remove(&(result_id.clone(), actual)) {
            report.problem(
                None,
                Some(&result_id),
                format!("signature {actual} was added behind the vault's back"),
            );
        }
        Ok(())
    })?;
    let mut unsigned: Vec<(String, Sha256)> = signed.into_iter().collect();
    unsigned.sort();
    for (id, sha) in unsigned {
        report.problem(
            None,
            Some(&id),
            format!("signature {sha} was removed behind the vault's back"),
        );
    }
    let mut orphans: Vec<u64> = reuse_events.into_keys().collect();
    orphans.sort();
    for seq in orphans {
        report.problem(
            Some(seq),
            None,
            "reuse event has no reuse row: it was deleted behind the vault's back",
        );
    }
    Ok(report)
}
