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

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::error::{Error, Result};
use crate::hash::Sha256;
use crate::record::{Record, ResultId};
use crate::store::{self, from_ms};

mod audit;
pub(crate) mod bound;
mod contents;

pub(crate) use audit::verify;

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
    /// A signer rule was added to the signer policy (who may sign for an agency).
    PolicyAdd,
    /// One was removed.
    PolicyRemove,
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
            EventKind::PolicyAdd => "policy_add",
            EventKind::PolicyRemove => "policy_remove",
        }
    }

    /// Whether the event carries the record's new state hash.
    pub(crate) fn changes_record(self) -> bool {
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
            "policy_add" => EventKind::PolicyAdd,
            "policy_remove" => EventKind::PolicyRemove,
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

pub(crate) fn event_hash(
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

/// What [`crate::Vault::verify_log_with`] checks besides the chain and the bound rows
/// (as JSON, the C ABI's `rv_vault_verify_log_with` options: `{"against": {"seq", "hash"},
/// "skip_contents": true}`, both optional, no other field).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LogCheck {
    /// A head kept outside the vault: the event at its `seq` must still have its hash
    /// (a rewritten or truncated log shows).
    pub against: Option<LogHead>,
    /// Do not re-hash the stored contents (the slow part: every byte of the archive is
    /// decoded and hashed again, on every core).
    pub skip_contents: bool,
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
    /// Stored contents re-hashed against the SHA-256 their records pin (0 when the check
    /// was asked to skip them).
    pub contents: u64,
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

    pub(crate) fn problem(&mut self, seq: Option<u64>, result_id: Option<&str>, what: impl Into<String>) {
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
