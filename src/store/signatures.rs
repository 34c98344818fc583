//! SQL for `signatures`, `signing_sessions`, `signature_checks` and `kept_crls`.

use rusqlite::{OptionalExtension, Row, Transaction};
use x509_parser::prelude::{FromDer, X509Certificate};

use super::{from_ms, to_ms};
use crate::error::{Error, Result};
use crate::hash::Sha256;
use crate::log::bound::SignatureRow;
use crate::record::ResultId;
use crate::signing::{KeyKind, SessionState, SignatureSource, SigningSession, StoredSignature};
use crate::store::events::StoredEvent;
use crate::verify::crypto::DigestAlgorithm;
use crate::verify::signature::SignatureVerdict;

fn malformed(what: &str) -> Error {
    Error::Malformed(format!("stored {what}"))
}

fn sha(bytes: Vec<u8>, what: &str) -> Result<Sha256> {
    Sha256::from_slice(&bytes).ok_or_else(|| malformed(what))
}

fn json<T: serde::de::DeserializeOwned>(text: &str, what: &str) -> Result<T> {
    serde_json::from_str(text).map_err(|e| Error::Malformed(format!("stored {what}: {e}")))
}

/// Stores an accepted signature; returns its row id.
pub(crate) fn insert(tx: &Transaction<'_>, s: &StoredSignature) -> Result<i64> {
    let (source, session_id) = match &s.source {
        SignatureSource::Session { session_id } => ("session", Some(session_id.as_str())),
        SignatureSource::Attached => ("attached", None),
    };
    let acceptance = serde_json::to_string(&s.acceptance).map_err(|e| Error::Malformed(e.to_string()))?;
    tx.prepare_cached(
        "INSERT INTO signatures (result_id, sha256, cms, signer, source, session_id, poe_ms, event_seq, acceptance)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )?
    .execute((
        s.result_id.as_str(),
        &s.sha256.0[..],
        &s.cms,
        &s.signer_certificate.0[..],
        source,
        session_id,
        to_ms(s.proof_of_existence),
        s.event_seq as i64,
        acceptance,
    ))?;
    Ok(tx.last_insert_rowid())
}

const SELECT: &str =
    "SELECT id, result_id, sha256, cms, signer, source, session_id, poe_ms, event_seq, acceptance FROM signatures";

fn from_row(r: &Row<'_>) -> Result<(i64, StoredSignature)> {
    let source = match (r.get::<_, String>(5)?.as_str(), r.get::<_, Option<String>>(6)?) {
        ("session", Some(session_id)) => SignatureSource::Session { session_id },
        ("attached", _) => SignatureSource::Attached,
        _ => return Err(malformed("signature source")),
    };
    let result_id: String = r.get(1)?;
    Ok((
        r.get(0)?,
        StoredSignature {
            result_id: result_id.parse().map_err(|_| malformed("signature result_id"))?,
            sha256: sha(r.get(2)?, "signature sha256")?,
            cms: r.get(3)?,
            signer_certificate: sha(r.get(4)?, "signer hash")?,
            source,
            proof_of_existence: from_ms(r.get(7)?)?,
            event_seq: r.get::<_, i64>(8)? as u64,
            acceptance: json(&r.get::<_, String>(9)?, "acceptance verdict")?,
        },
    ))
}

/// A record's signatures, oldest first, with their row ids.
pub(crate) fn of_record(tx: &Transaction<'_>, id: &ResultId) -> Result<Vec<(i64, StoredSignature)>> {
    let mut stmt = tx.prepare_cached(&format!("{SELECT} WHERE result_id = ?1 ORDER BY id"))?;
    let rows = stmt.query_and_then([id.as_str()], from_row)?;
    rows.collect()
}

/// What checking a stored signature needs, without its acceptance verdict (which is
/// evidence, not input: parsing it on every check would cost as much as the check).
pub(crate) struct SignatureToCheck {
    pub id: i64,
    pub sha256: Sha256,
    pub cms: Vec<u8>,
    /// The time of the sign event that binds it (the row's own `poe_ms` when unbound).
    pub proof_of_existence: time::OffsetDateTime,
    /// Why the row does not match its sign event, if it does not (see `log/bound.rs`):
    /// such a signature proves nothing.
    pub unbound: Option<&'static str>,
}

/// A record's signatures to check, oldest first, each compared with its sign event.
pub(crate) fn to_check(tx: &Transaction<'_>, id: &ResultId) -> Result<Vec<SignatureToCheck>> {
    let mut out = Vec::new();
    for_each_row(tx, Some(id), |row| {
        let unbound = crate::log::bound::signature_mismatch(&row);
        let poe_ms = match (&row.event, unbound) {
            (Some(e), None) => e.at_ms,
            _ => row.poe_ms,
        };
        out.push(SignatureToCheck {
            id: row.id,
            sha256: row.sha256.unwrap_or_else(|| Sha256::of(&row.cms)),
            cms: row.cms,
            proof_of_existence: from_ms(poe_ms)?,
            unbound,
        });
        Ok(())
    })?;
    Ok(out)
}

/// Visits the `signatures` rows (of one record, or all), oldest first, each with the
/// event its `event_seq` names. Cells are read leniently: an edited cell of another type
/// reads as a value that will not match its event, never as an error.
pub(crate) fn for_each_row(
    tx: &Transaction<'_>,
    id: Option<&ResultId>,
    mut f: impl FnMut(SignatureRow) -> Result<()>,
) -> Result<()> {
    const SELECT_ROWS: &str = "SELECT s.id, s.result_id, s.sha256, s.cms, s.signer, s.source, s.session_id, s.poe_ms,
                s.acceptance, e.seq, e.at_ms, e.kind, e.actor, e.result_id, e.details, e.prev_hash, e.hash,
                e.record_prev_seq
         FROM signatures s LEFT JOIN events e ON e.seq = s.event_seq";
    let sql = match id {
        Some(_) => format!("{SELECT_ROWS} WHERE s.result_id = ?1 ORDER BY s.id"),
        None => format!("{SELECT_ROWS} ORDER BY s.id"),
    };
    let mut stmt = tx.prepare_cached(&sql)?;
    let mut rows = match id {
        Some(id) => stmt.query([id.as_str()])?,
        None => stmt.query([])?,
    };
    while let Some(r) = rows.next()? {
        let bytes = |i: usize| -> Vec<u8> {
            r.get_ref(i)
                .ok()
                .and_then(|v| v.as_bytes().ok())
                .unwrap_or_default()
                .to_vec()
        };
        let text = |i: usize| -> Option<String> { r.get_ref(i).ok().and_then(|v| v.as_str().ok()).map(str::to_owned) };
        let int = |i: usize| -> Option<i64> { r.get_ref(i).ok().and_then(|v| v.as_i64().ok()) };
        let event = match (int(9), int(10)) {
            (Some(seq), Some(at_ms)) => Some(StoredEvent {
                seq,
                at_ms,
                kind: text(11).unwrap_or_default(),
                actor: text(12).unwrap_or_default(),
                result_id: text(13),
                details: text(14).unwrap_or_default(),
                prev_hash: bytes(15),
                hash: bytes(16),
                record_prev_seq: int(17),
            }),
            _ => None,
        };
        f(SignatureRow {
            id: r.get(0)?,
            result_id: text(1).unwrap_or_default(),
            sha256: Sha256::from_slice(&bytes(2)),
            cms: bytes(3),
            signer: Sha256::from_slice(&bytes(4)),
            source: text(5).unwrap_or_default(),
            session_id: text(6),
            poe_ms: int(7).unwrap_or(i64::MIN),
            acceptance: text(8).unwrap_or_default(),
            event,
        })?;
    }
    Ok(())
}

/// The signature in row `id`.
pub(crate) fn get(tx: &Transaction<'_>, id: i64) -> Result<Option<StoredSignature>> {
    let mut stmt = tx.prepare_cached(&format!("{SELECT} WHERE id = ?1"))?;
    let row = stmt.query_and_then([id], from_row)?.next().transpose()?;
    Ok(row.map(|(_, s)| s))
}

/// Visits every signing session: its id, record, state and the signature row it
/// produced, as stored (for the audit).
pub(crate) fn for_each_session(
    tx: &Transaction<'_>,
    mut f: impl FnMut(String, String, String, Option<i64>) -> Result<()>,
) -> Result<()> {
    let mut stmt = tx.prepare("SELECT session_id, result_id, state, signature_id FROM signing_sessions")?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        let text = |i: usize| {
            r.get_ref(i)
                .ok()
                .and_then(|v| v.as_str().ok())
                .unwrap_or_default()
                .to_owned()
        };
        let signature = r.get_ref(3).ok().and_then(|v| v.as_i64_or_null().ok()).flatten();
        f(text(0), text(1), text(2), signature)?;
    }
    Ok(())
}

/// Stores a new open session.
pub(crate) fn insert_session(tx: &Transaction<'_>, s: &SigningSession) -> Result<()> {
    tx.prepare_cached(
        "INSERT INTO signing_sessions (session_id, result_id, state, digest, chain, signed_attributes,
             signing_time_ms, created_ms, expires_ms)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )?
    .execute((
        &s.session_id,
        s.result_id.as_str(),
        s.state.as_str(),
        s.digest_algorithm.name(),
        s.certificate_chain.concat(),
        &s.signed_attributes,
        to_ms(s.signing_time),
        to_ms(s.created_at),
        to_ms(s.expires_at),
    ))?;
    Ok(())
}

/// A session as stored: the session, the fingerprint of the reply that completed it and
/// the signature it made.
pub(crate) struct StoredSession {
    pub session: SigningSession,
    pub reply: Option<Sha256>,
    pub signature_id: Option<i64>,
}

/// The session with this id, if any. `envelope_digest` is recomputed by the caller.
pub(crate) fn get_session(tx: &Transaction<'_>, session_id: &str) -> Result<Option<StoredSession>> {
    let mut stmt = tx.prepare_cached(
        "SELECT result_id, state, digest, chain, signed_attributes, signing_time_ms, created_ms, expires_ms,
                reply_sha256, signature_id
         FROM signing_sessions WHERE session_id = ?1",
    )?;
    let row = stmt
        .query_row([session_id], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, Vec<u8>>(3)?,
                r.get::<_, Vec<u8>>(4)?,
                (r.get::<_, i64>(5)?, r.get::<_, i64>(6)?, r.get::<_, i64>(7)?),
                r.get::<_, Option<Vec<u8>>>(8)?,
                r.get::<_, Option<i64>>(9)?,
            ))
        })
        .optional()?;
    let Some((result_id, state, digest, chain, signed_attributes, (signing, created, expires), reply, signature_id)) =
        row
    else {
        return Ok(None);
    };
    let digest_algorithm = [
        DigestAlgorithm::Sha256,
        DigestAlgorithm::Sha384,
        DigestAlgorithm::Sha512,
    ]
    .into_iter()
    .find(|d| d.name() == digest)
    .ok_or_else(|| malformed("session digest"))?;
    let certificate_chain = split_certificates(&chain).ok_or_else(|| malformed("session chain"))?;
    let key = KeyKind::of_certificate(&certificate_chain[0]).map_err(|_| malformed("session signer"))?;
    let session = SigningSession {
        session_id: session_id.to_owned(),
        result_id: result_id.parse().map_err(|_| malformed("session result_id"))?,
        digest_algorithm,
        key,
        certificate_chain,
        envelope_digest: Vec::new(),
        signed_attributes_digest: digest_algorithm.digest(&signed_attributes),
        signed_attributes,
        signing_time: from_ms(signing)?,
        created_at: from_ms(created)?,
        expires_at: from_ms(expires)?,
        state: SessionState::parse(&state).ok_or_else(|| malformed("session state"))?,
    };
    Ok(Some(StoredSession {
        session,
        reply: reply.map(|r| sha(r, "reply hash")).transpose()?,
        signature_id,
    }))
}

/// DER certificates stored back to back, split again; `None` if anything is left over.
fn split_certificates(mut bytes: &[u8]) -> Option<Vec<Vec<u8>>> {
    let mut out = Vec::new();
    while !bytes.is_empty() {
        let (rest, _) = X509Certificate::from_der(bytes).ok()?;
        out.push(bytes[..bytes.len() - rest.len()].to_vec());
        bytes = rest;
    }
    (!out.is_empty()).then_some(out)
}

/// Marks an open session completed by `reply`, which made signature `signature_id`.
pub(crate) fn complete_session(
    tx: &Transaction<'_>,
    session_id: &str,
    reply: &Sha256,
    signature_id: i64,
) -> Result<()> {
    tx.prepare_cached(
        "UPDATE signing_sessions SET state = 'completed', reply_sha256 = ?2, signature_id = ?3
         WHERE session_id = ?1 AND state = 'open'",
    )?
    .execute((session_id, &reply.0[..], signature_id))?;
    Ok(())
}

/// Marks an open session cancelled; false if it was not open.
pub(crate) fn cancel_session(tx: &Transaction<'_>, session_id: &str) -> Result<bool> {
    Ok(tx.execute(
        "UPDATE signing_sessions SET state = 'cancelled' WHERE session_id = ?1 AND state = 'open'",
        [session_id],
    )? > 0)
}

/// Keeps the newest check of a signature under a trust state.
pub(crate) fn put_check(
    tx: &Transaction<'_>,
    signature_id: i64,
    trust_state: &Sha256,
    checked: time::OffsetDateTime,
    verdict: &SignatureVerdict,
    validation: time::OffsetDateTime,
) -> Result<()> {
    let text = serde_json::to_string(verdict).map_err(|e| Error::Malformed(e.to_string()))?;
    tx.prepare_cached(
        "INSERT INTO signature_checks (signature_id, trust_state, checked_ms, validation_ms, verdict)
         VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (signature_id, trust_state) DO UPDATE
         SET checked_ms = excluded.checked_ms, validation_ms = excluded.validation_ms, verdict = excluded.verdict",
    )?
    .execute((
        signature_id,
        &trust_state.0[..],
        to_ms(checked),
        to_ms(validation),
        text,
    ))?;
    Ok(())
}

/// The check kept for a signature under one trust state.
pub(crate) fn kept_check(
    tx: &Transaction<'_>,
    signature_id: i64,
    trust_state: &Sha256,
) -> Result<Option<SignatureVerdict>> {
    let mut stmt =
        tx.prepare_cached("SELECT verdict FROM signature_checks WHERE signature_id = ?1 AND trust_state = ?2")?;
    let text: Option<String> = stmt
        .query_row((signature_id, &trust_state.0[..]), |r| r.get(0))
        .optional()?;
    text.map(|t| json(&t, "check verdict")).transpose()
}

/// The most recent check of a signature, under any trust state.
pub(crate) fn latest_check(tx: &Transaction<'_>, signature_id: i64) -> Result<Option<SignatureVerdict>> {
    let mut stmt = tx.prepare_cached(
        "SELECT verdict FROM signature_checks WHERE signature_id = ?1 ORDER BY checked_ms DESC LIMIT 1",
    )?;
    let text: Option<String> = stmt.query_row([signature_id], |r| r.get(0)).optional()?;
    text.map(|t| json(&t, "check verdict")).transpose()
}

/// Keeps a CRL (once per SHA-256) as evidence.
pub(crate) fn keep_crl(
    tx: &Transaction<'_>,
    sha256: &Sha256,
    issuer: &str,
    der: &[u8],
    now: time::OffsetDateTime,
) -> Result<()> {
    tx.prepare_cached("INSERT OR IGNORE INTO kept_crls (sha256, issuer, der, kept_ms) VALUES (?1, ?2, ?3, ?4)")?
        .execute((&sha256.0[..], issuer, der, to_ms(now)))?;
    Ok(())
}

/// Every piece of kept evidence (CRLs and OCSP responses a verdict relied on), DER, in
/// the order kept; a row that no longer hashes to its SHA-256 is left out (it proves
/// nothing, and its absence can only leave a check pending, never make one pass).
pub(crate) fn kept_evidence(tx: &Transaction<'_>) -> Result<Vec<Vec<u8>>> {
    let mut stmt = tx.prepare_cached("SELECT sha256, der FROM kept_crls ORDER BY id")?;
    let rows = stmt.query_map([], |r| Ok((r.get::<_, Vec<u8>>(0)?, r.get::<_, Vec<u8>>(1)?)))?;
    let mut out = Vec::new();
    for row in rows {
        let (sha, der) = row?;
        if Sha256::of(&der).0[..] == sha[..] {
            out.push(der);
        }
    }
    Ok(out)
}

/// A kept CRL's DER, re-hashed against the SHA-256 it was kept under.
pub(crate) fn kept_crl(tx: &Transaction<'_>, sha256: &Sha256) -> Result<Option<Vec<u8>>> {
    let mut stmt = tx.prepare_cached("SELECT der FROM kept_crls WHERE sha256 = ?1")?;
    let der: Option<Vec<u8>> = stmt.query_row([&sha256.0[..]], |r| r.get(0)).optional()?;
    match der {
        Some(der) if Sha256::of(&der) != *sha256 => Err(Error::Malformed(format!(
            "kept CRL {sha256} no longer hashes to its SHA-256"
        ))),
        other => Ok(other),
    }
}
