//! What the audit log binds. Every stored fact that a verdict, a reuse decision or a
//! report reads is named by the hash of an audit event, and compared with it here, so
//! that someone who writes to the vault file cannot change a verdict while
//! `rvault log verify` still says INTACT:
//!
//! | stored column                                    | bound by                                        |
//! |--------------------------------------------------|-------------------------------------------------|
//! | `records.*` (metadata, content hash, status)     | `details.state` of its last ingest/revoke/supersede event |
//! | `contents.data` (the zstd frame)                 | `records.sha256`, re-hashed by the audit        |
//! | `signatures.sha256`, `.cms`                      | sign event `details.signature` (= SHA-256 of the CMS) |
//! | `signatures.signer`                              | sign event `details.signer_certificate`         |
//! | `signatures.source`, `.session_id`               | sign event `details.source`, `details.session_id` |
//! | `signatures.poe_ms`                              | the sign event's own time (verdicts read the event, not the column) |
//! | `signatures.event_seq`                           | the sign event it names: kind `sign`, same record, same signature |
//! | `signatures.acceptance`                          | sign event `details.acceptance` (SHA-256 of the JSON) |
//! | `trust_items.der`                                | trust_add event `details.sha256`                |
//! | `trust_items.item`, `.name`                      | trust_add event `details.item`, `details.name` (and the trust state hash) |
//! | `signer_rules.*` (rule id, agency, rule)          | policy_add event `details.rule_id`, `.agency_code`, `.rule` (not removed since) |
//! | `pdf_checks.check_json`                          | ingest event `details.pdf_check` (SHA-256 of the JSON) |
//! | `reuses.*`                                       | its reuse event                                 |
//! | `signing_sessions` (completed)                   | the sign event of the signature it completed (`details.session_id`) |
//!
//! Not bound, and read by no verdict: `signature_checks` (a record of later checks, kept
//! as evidence of what was said when; verdicts are computed again), `kept_crls` (each is
//! re-hashed against its SHA-256 when read), open or cancelled `signing_sessions` and
//! `remote_requests` (work in progress: a signature they produce is judged afresh before
//! it is stored), and `records.last_event_seq` (an index of the history list, checked by
//! the audit).

use serde_json::Value;

use super::{event_hash, EventKind};
use crate::hash::Sha256;
use crate::store::events::StoredEvent;

/// A `signatures` row as stored, before any check.
pub(crate) struct SignatureRow {
    /// The row id.
    pub id: i64,
    pub result_id: String,
    /// The `sha256` cell (`None`: not 32 bytes).
    pub sha256: Option<Sha256>,
    pub cms: Vec<u8>,
    pub signer: Option<Sha256>,
    pub source: String,
    pub session_id: Option<String>,
    pub poe_ms: i64,
    pub acceptance: String,
    /// The event its `event_seq` names, if there is one.
    pub event: Option<StoredEvent>,
}

/// Whether an event row hashes to its stored hash (its own fields only: a rewritten
/// chain is found by walking it, see [`super::verify`]).
pub(crate) fn event_self_consistent(e: &StoredEvent) -> bool {
    let (Some(prev), Some(stored)) = (Sha256::from_slice(&e.prev_hash), Sha256::from_slice(&e.hash)) else {
        return false;
    };
    let Ok(details) = serde_json::from_str::<Value>(&e.details) else {
        return false;
    };
    let Ok(seq) = u64::try_from(e.seq) else { return false };
    event_hash(seq, e.at_ms, &e.kind, &e.actor, e.result_id.as_deref(), &details, &prev).is_ok_and(|h| h == stored)
}

/// Why a signature row does not match the sign event it names (`None`: it matches).
/// A verdict uses a signature only when this is `None`, and then takes its proof of
/// existence from the event.
pub(crate) fn signature_mismatch(row: &SignatureRow) -> Option<&'static str> {
    let Some(e) = &row.event else {
        return Some("its sign event is missing");
    };
    if e.kind != EventKind::Sign.as_str() || e.result_id.as_deref() != Some(row.result_id.as_str()) {
        return Some("the event it names is not its record's sign event");
    }
    if !event_self_consistent(e) {
        return Some("its sign event was edited");
    }
    let Ok(details) = serde_json::from_str::<Value>(&e.details) else {
        return Some("its sign event was edited");
    };
    let text = |key: &str| details.get(key).and_then(Value::as_str);
    let hash = |key: &str| text(key).and_then(|v| v.parse::<Sha256>().ok());
    let cms = Sha256::of(&row.cms);
    if row.sha256 != Some(cms) || hash("signature") != Some(cms) {
        return Some("its CMS is not the one its sign event names");
    }
    if hash("signer_certificate") != row.signer {
        return Some("its signer is not the one its sign event names");
    }
    if text("source") != Some(row.source.as_str()) || text("session_id") != row.session_id.as_deref() {
        return Some("its source is not the one its sign event names");
    }
    if e.at_ms != row.poe_ms {
        return Some("its proof-of-existence time is not its sign event's time");
    }
    // Sign events written before the acceptance verdict was bound (schema 5 and older)
    // do not name it.
    if details.get("acceptance").is_some() && hash("acceptance") != Some(Sha256::of(row.acceptance.as_bytes())) {
        return Some("its acceptance verdict is not the one its sign event names");
    }
    None
}
