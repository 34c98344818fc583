//! SQL of the `remote_requests` table: one provider request per signing session, the
//! state of [`crate::remote::state`] kept so that a restart resumes it.

use rusqlite::{OptionalExtension, Transaction};
use time::OffsetDateTime;

use super::{from_ms, to_ms};
use crate::error::{Error, Result};
use crate::remote::{AnswerFormat, ProviderOutcome, RemoteRequest, RemoteState};

/// A stored request, with what the vault needs to go on.
pub(crate) struct StoredRequest {
    pub request: RemoteRequest,
    pub format: AnswerFormat,
    /// The provider's signature, once approved.
    pub answer: Option<Vec<u8>>,
}

fn format_name(format: AnswerFormat) -> &'static str {
    match format {
        AnswerFormat::Raw => "raw",
        AnswerFormat::Cms => "cms",
    }
}

pub(crate) fn insert(tx: &Transaction<'_>, request: &RemoteRequest, format: AnswerFormat) -> Result<()> {
    tx.execute(
        "INSERT INTO remote_requests (session_id, provider, client_request_id, answer_format, state,
                                      created_ms, updated_ms)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)",
        rusqlite::params![
            request.session_id,
            request.provider,
            request.client_request_id,
            format_name(format),
            request.state.as_str(),
            to_ms(request.created_at),
        ],
    )?;
    Ok(())
}

pub(crate) fn get(tx: &Transaction<'_>, session_id: &str) -> Result<Option<StoredRequest>> {
    let row = tx
        .query_row(
            "SELECT provider, client_request_id, provider_txn, answer_format, state, detail, outcome,
                    answer, polls, created_ms, updated_ms
             FROM remote_requests WHERE session_id = ?1",
            [session_id],
            |r| {
                Ok((
                    (
                        r.get::<_, String>(0)?,
                        r.get::<_, String>(1)?,
                        r.get::<_, Option<String>>(2)?,
                    ),
                    (r.get::<_, String>(3)?, r.get::<_, String>(4)?),
                    (r.get::<_, Option<String>>(5)?, r.get::<_, Option<String>>(6)?),
                    r.get::<_, Option<Vec<u8>>>(7)?,
                    r.get::<_, i64>(8)?,
                    (r.get::<_, i64>(9)?, r.get::<_, i64>(10)?),
                ))
            },
        )
        .optional()?;
    let Some(((provider, client_request_id, provider_txn), (format, state), (detail, outcome), answer, polls, times)) =
        row
    else {
        return Ok(None);
    };
    let bad = |what: &str| Error::Malformed(format!("remote request {session_id}: {what}"));
    let format = match format.as_str() {
        "raw" => AnswerFormat::Raw,
        "cms" => AnswerFormat::Cms,
        _ => return Err(bad("answer format")),
    };
    let outcome: Option<ProviderOutcome> = outcome
        .map(|o| serde_json::from_str(&o).map_err(|_| bad("outcome")))
        .transpose()?;
    Ok(Some(StoredRequest {
        request: RemoteRequest {
            session_id: session_id.to_owned(),
            provider,
            client_request_id,
            provider_transaction_id: provider_txn,
            state: RemoteState::parse(&state).ok_or_else(|| bad("state"))?,
            detail,
            outcome,
            polls: u32::try_from(polls).unwrap_or(u32::MAX),
            created_at: from_ms(times.0)?,
            updated_at: from_ms(times.1)?,
        },
        format,
        answer,
    }))
}

/// The session ids of requests not ended yet (sending, waiting, approved), oldest first.
pub(crate) fn unfinished(tx: &Transaction<'_>) -> Result<Vec<String>> {
    let mut stmt = tx.prepare(
        "SELECT session_id FROM remote_requests WHERE state IN ('sending', 'waiting', 'approved')
         ORDER BY created_ms, session_id",
    )?;
    let ids = stmt
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<Vec<String>>>()?;
    Ok(ids)
}

/// Stores the provider's transaction id: the request is now waiting.
pub(crate) fn set_waiting(tx: &Transaction<'_>, session_id: &str, txn: &str, now: OffsetDateTime) -> Result<()> {
    tx.execute(
        "UPDATE remote_requests SET provider_txn = ?2, state = 'waiting', updated_ms = ?3 WHERE session_id = ?1",
        rusqlite::params![session_id, txn, to_ms(now)],
    )?;
    Ok(())
}

/// Stores the provider's signature: approved.
pub(crate) fn set_approved(tx: &Transaction<'_>, session_id: &str, answer: &[u8], now: OffsetDateTime) -> Result<()> {
    tx.execute(
        "UPDATE remote_requests SET answer = ?2, state = 'approved', updated_ms = ?3 WHERE session_id = ?1",
        rusqlite::params![session_id, answer, to_ms(now)],
    )?;
    Ok(())
}

/// Ends the request (rejected, expired, failed, unknown); the answer, if any, is dropped.
pub(crate) fn set_final(
    tx: &Transaction<'_>,
    session_id: &str,
    state: RemoteState,
    detail: &str,
    outcome: Option<&ProviderOutcome>,
    now: OffsetDateTime,
) -> Result<()> {
    let outcome = outcome
        .map(|o| serde_json::to_string(o).map_err(|e| Error::Malformed(e.to_string())))
        .transpose()?;
    tx.execute(
        "UPDATE remote_requests SET state = ?2, detail = ?3, outcome = ?4, answer = NULL, updated_ms = ?5
         WHERE session_id = ?1",
        rusqlite::params![session_id, state.as_str(), detail, outcome, to_ms(now)],
    )?;
    Ok(())
}

/// Counts a poll.
pub(crate) fn count_poll(tx: &Transaction<'_>, session_id: &str, now: OffsetDateTime) -> Result<()> {
    tx.execute(
        "UPDATE remote_requests SET polls = polls + 1, updated_ms = ?2 WHERE session_id = ?1",
        rusqlite::params![session_id, to_ms(now)],
    )?;
    Ok(())
}
