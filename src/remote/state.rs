//! The provider request's state machine and the typed outcomes a caller can show.
//!
//! One signing session has at most one provider request, persisted with the session:
//!
//! ```text
//!            submit answered          poll: signed, verified and stored
//! sending ─────────────────▶ waiting ─────────────────────────────▶ approved
//!    │  (a signature at once) ────────────────────────────────────▶ approved
//!    │                          ├─ the officer said no ───────────▶ rejected
//!    │                          ├─ the provider or the session timed out ▶ expired
//!    │                          └─ refused, or a signature the vault refuses ▶ failed
//!    └─ crashed or timed out with no provider id, and the API cannot look the
//!       request up by the client's id ───────────────────────────▶ unknown
//! ```
//!
//! `sending` is stored (with the client request id) before the provider is called, and
//! the provider's transaction id as soon as it answers: a restart resumes polling and never
//! sends twice. `unknown` is never resent automatically. A status answer that cannot be
//! read changes nothing (the request stays `waiting`, resumable); a signature that cannot be
//! read or does not verify ends it as `failed`.

use std::fmt;

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

/// Where a provider request stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RemoteState {
    /// Stored before the provider was called; no answer seen yet.
    Sending,
    /// The provider took the request (its transaction id is known): waiting for the
    /// officer to approve.
    Waiting,
    /// The provider signed: its answer is kept (so that a crash completes it on resume
    /// without asking again), then verified and stored; an answer the vault refuses moves
    /// the request on to `failed`.
    Approved,
    /// The officer refused on the phone or in the app.
    Rejected,
    /// The officer did not approve in time (the provider's or the session's deadline).
    Expired,
    /// The provider refused (certificate, quota, credentials), or signed something the
    /// vault refused (another hash, another signer, not a signature).
    Failed,
    /// Sent, but whether the provider received it cannot be known and its API cannot look
    /// it up by the client's id: never resent automatically.
    Unknown,
}

impl RemoteState {
    /// The stored and printed name (`"waiting"`).
    pub fn as_str(self) -> &'static str {
        match self {
            RemoteState::Sending => "sending",
            RemoteState::Waiting => "waiting",
            RemoteState::Approved => "approved",
            RemoteState::Rejected => "rejected",
            RemoteState::Expired => "expired",
            RemoteState::Failed => "failed",
            RemoteState::Unknown => "unknown",
        }
    }

    pub(crate) fn parse(s: &str) -> Option<RemoteState> {
        Some(match s {
            "sending" => RemoteState::Sending,
            "waiting" => RemoteState::Waiting,
            "approved" => RemoteState::Approved,
            "rejected" => RemoteState::Rejected,
            "expired" => RemoteState::Expired,
            "failed" => RemoteState::Failed,
            "unknown" => RemoteState::Unknown,
            _ => return None,
        })
    }

    /// Whether nothing more will happen to the request.
    pub fn is_final(self) -> bool {
        matches!(
            self,
            RemoteState::Rejected | RemoteState::Expired | RemoteState::Failed | RemoteState::Unknown
        )
    }
}

impl fmt::Display for RemoteState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why a provider did not sign, as the provider said it: what a caller shows the officer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[non_exhaustive]
pub enum ProviderOutcome {
    /// The officer refused on the phone or in the app.
    RejectedByUser,
    /// The officer did not confirm before the provider's deadline.
    ApprovalTimedOut,
    /// The signer's certificate is expired, revoked or suspended at the provider.
    CertificateRevokedOrExpired,
    /// The account's signing quota or balance is used up.
    QuotaExceeded,
    /// The provider refused the integrator's or the officer's credentials (client id,
    /// secret, PIN, OTP, token).
    AuthenticationFailed,
    /// Any other refusal, with the provider's own code and message.
    Refused {
        /// The provider's code (`"4004"`, `"invalid_request"`…).
        code: String,
        /// The provider's message.
        message: String,
    },
}

impl ProviderOutcome {
    /// A refusal with the provider's code and message, as kept and shown: at most 200
    /// characters, and any run of 9 or more digits (a personal ID, a tax code) masked but
    /// for its last two, since the message may go to a log.
    pub fn refused(code: &str, message: &str) -> ProviderOutcome {
        let mut shown = String::new();
        let mut digits = String::new();
        let flush = |digits: &mut String, shown: &mut String| {
            if digits.len() >= 9 {
                shown.extend(std::iter::repeat_n('*', digits.len() - 2));
                shown.push_str(&digits[digits.len() - 2..]);
            } else {
                shown.push_str(digits);
            }
            digits.clear();
        };
        for c in message.chars().take(200) {
            if c.is_ascii_digit() {
                digits.push(c);
            } else {
                flush(&mut digits, &mut shown);
                shown.push(c);
            }
        }
        flush(&mut digits, &mut shown);
        ProviderOutcome::Refused {
            code: code.chars().take(40).collect(),
            message: shown,
        }
    }

    /// The state this outcome leaves a request in.
    pub fn state(&self) -> RemoteState {
        match self {
            ProviderOutcome::RejectedByUser => RemoteState::Rejected,
            ProviderOutcome::ApprovalTimedOut => RemoteState::Expired,
            _ => RemoteState::Failed,
        }
    }
}

impl fmt::Display for ProviderOutcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ProviderOutcome::RejectedByUser => f.write_str("rejected on the phone by the signer"),
            ProviderOutcome::ApprovalTimedOut => f.write_str("the signer did not approve in time"),
            ProviderOutcome::CertificateRevokedOrExpired => {
                f.write_str("the signer's certificate is expired or revoked at the provider")
            }
            ProviderOutcome::QuotaExceeded => f.write_str("the signing quota of the account is exceeded"),
            ProviderOutcome::AuthenticationFailed => {
                f.write_str("the provider refused the credentials (client id, secret, PIN or OTP)")
            }
            // The provider's own words may name the officer by personal ID.
            ProviderOutcome::Refused { code, message } => write!(
                f,
                "refused by the provider ({code}: {})",
                crate::redact::mask_personal_ids(message)
            ),
        }
    }
}

/// A provider request as the vault keeps it, one per signing session.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RemoteRequest {
    /// The signing session.
    pub session_id: String,
    /// The provider (`"csc"`, `"vnpt-smartca"`, `"viettel-mysign"`).
    pub provider: String,
    /// The id the vault chose before calling, sent where the API takes one (SmartCA's
    /// `transaction_id`, CSC's `clientData`, MySign's `document_id`).
    pub client_request_id: String,
    /// The provider's transaction id, once it answered (`None` for a synchronous answer).
    pub provider_transaction_id: Option<String>,
    /// Where it stands.
    pub state: RemoteState,
    /// Why it ended, for rejected, expired, failed and unknown requests.
    pub detail: Option<String>,
    /// The provider's outcome, when it gave one.
    pub outcome: Option<ProviderOutcome>,
    /// How many times the provider was asked for the status.
    pub polls: u32,
    /// When it was created (the `sending` state stored).
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    /// Its last change.
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
}

/// Whether a request that failed in transport reached the provider.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Delivery {
    /// The connection was never made: the provider did not get it.
    NotSent,
    /// It may have been received (a timeout or a broken connection after sending).
    Maybe,
}

/// Why a remote signing call could not go on. Provider secrets never appear in one.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RemoteError {
    /// The provider configuration is incomplete or invalid.
    #[error("provider configuration: {0}")]
    Config(String),
    /// The provider could not be reached, or the connection broke.
    #[error("{provider}: cannot reach the provider: {detail}")]
    Transport {
        /// The provider.
        provider: String,
        /// What failed (no secrets).
        detail: String,
        /// Whether the request may have reached it.
        delivery: Delivery,
    },
    /// The provider answered something that is not what its API defines (status, JSON,
    /// base64, certificate): nothing was stored.
    #[error("{provider}: malformed answer: {}", crate::redact::mask_personal_ids(detail))]
    MalformedAnswer {
        /// The provider.
        provider: String,
        /// What is wrong.
        detail: String,
    },
    /// The provider declined: rejected by the officer, timed out, certificate revoked…
    #[error("{provider}: {outcome}")]
    Declined {
        /// The provider.
        provider: String,
        /// What it said.
        outcome: ProviderOutcome,
    },
    /// The provider named a certificate that is not the configured signer's.
    #[error("{provider}: the certificate the provider named is not the configured signer's: {detail}")]
    WrongCertificate {
        /// The provider.
        provider: String,
        /// Why.
        detail: String,
    },
    /// This call stopped waiting before the officer approved; the request is still
    /// pending at the provider: resume the session later.
    #[error("signing session {session_id} is still waiting for the signer's approval; resume it later")]
    StillWaiting {
        /// The session to resume.
        session_id: String,
    },
    /// The request may or may not have reached the provider, which cannot look it up:
    /// it is not resent (that could sign twice). Check with the provider, then cancel.
    #[error("signing session {session_id}: whether the provider received the request is unknown, and it is not resent automatically; check with the provider, then cancel the session")]
    OutcomeUnknown {
        /// The session.
        session_id: String,
    },
    /// The session already ended at the provider (rejected, expired, failed).
    #[error("signing session {session_id} ended at the provider: {state}{}", detail.as_deref().map(|d| format!(" ({})", crate::redact::mask_personal_ids(d))).unwrap_or_default())]
    Ended {
        /// The session.
        session_id: String,
        /// Its final state.
        state: RemoteState,
        /// Why.
        detail: Option<String>,
    },
    /// The session has no provider request (it was begun for another signer).
    #[error("signing session {session_id} was not sent to a provider")]
    NotRemote {
        /// The session.
        session_id: String,
    },
    /// Resuming with another provider than the one the session was sent to.
    #[error("signing session {session_id} was sent to {expected}, not {given}")]
    ProviderMismatch {
        /// The session.
        session_id: String,
        /// Its provider.
        expected: String,
        /// The provider given.
        given: String,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_provider_message_never_carries_a_personal_id_in_full() {
        let outcome = ProviderOutcome::refused("401", "user 001088012345 (MST 0100109106-998) not found: code 4004");
        let ProviderOutcome::Refused { message, .. } = &outcome else {
            unreachable!()
        };
        assert_eq!(message, "user **********45 (MST ********06-998) not found: code 4004");
        assert!(!outcome.to_string().contains("001088012345"));
    }
}
