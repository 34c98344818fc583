//! Signing through remote providers: the officer's key stays in the provider's HSM and the
//! officer approves on a phone, which takes seconds to minutes while a portal may restart.
//!
//! - [`Provider`]: what a provider client does (certificate, submit, poll). With the
//!   `remote` feature: [`csc::CscClient`] (Cloud Signature Consortium API v2),
//!   [`smartca::SmartCaClient`] (VNPT SmartCA), [`mysign::MySignClient`] (Viettel MySign),
//!   built from a [`config::ProviderConfig`] (JSON file or environment).
//! - With `remote`, [`tsa::TsaClient`]: an RFC 3161 timestamp authority, whose tokens make
//!   the vault's own signatures CAdES B-T / B-LT ([`crate::VaultOptions::timestamper`]).
//! - [`crate::Vault::sign_remote`] runs one crash-safe state machine for all of them
//!   ([`state`]), persisted with the vault's signing session, and
//!   [`crate::Vault::resume_remote`] picks it up after a restart.
//!
//! Every answer is checked before anything is stored: the signature must cover exactly
//! the hash sent and verify under the certificate the provider named, which must be the
//! configured signer's.

mod signer;
pub mod state;

#[cfg(feature = "remote")]
mod answer;
#[cfg(feature = "remote")]
pub mod config;
#[cfg(feature = "remote")]
pub mod csc;
#[cfg(feature = "remote")]
pub mod fetch;
#[cfg(feature = "remote")]
mod http;
#[cfg(feature = "remote")]
pub mod mysign;
#[cfg(feature = "remote")]
pub mod smartca;
#[cfg(feature = "remote")]
pub mod tsa;

use std::time::Duration;

pub use state::{Delivery, ProviderOutcome, RemoteError, RemoteRequest, RemoteState};

use crate::signing::{KeyKind, RawAlgorithm, SignatureReply, SigningError, SigningSession};
use crate::verify::crypto::DigestAlgorithm;

/// What a provider's signature answer is, which decides what it is sent to sign.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AnswerFormat {
    /// A raw signature value: the provider signs the digest of the session's DER signed
    /// attributes, and the vault builds the CMS (CSC `signHash`).
    Raw,
    /// A whole detached CMS: the provider signs the digest of the record's envelope and
    /// builds the CMS itself.
    Cms,
}

impl AnswerFormat {
    /// What the provider is sent to sign for `session`: the signed attributes' digest
    /// (refused for Ed25519, which signs messages), or the envelope's digest.
    pub fn hash_to_send(self, session: &SigningSession) -> Result<&[u8], SigningError> {
        match self {
            AnswerFormat::Raw => session.hash_to_sign(),
            AnswerFormat::Cms => Ok(&session.envelope_digest),
        }
    }

    /// The provider's answer as a reply to complete `session` with (a raw value is
    /// PKCS#1 v1.5 for RSA, as the providers' `signAlgo` values say).
    pub fn reply(self, session: &SigningSession, answer: Vec<u8>) -> SignatureReply {
        match self {
            AnswerFormat::Cms => SignatureReply::Cms { cms: answer },
            AnswerFormat::Raw => SignatureReply::Raw {
                algorithm: match session.key {
                    KeyKind::Rsa { .. } => RawAlgorithm::RsaPkcs1,
                    KeyKind::EcdsaP256 | KeyKind::EcdsaP384 => RawAlgorithm::Ecdsa,
                    KeyKind::Ed25519 => RawAlgorithm::Ed25519,
                },
                value: answer,
            },
        }
    }
}

/// One signing request, as a provider client sends it.
#[derive(Debug, Clone)]
pub struct ProviderRequest<'a> {
    /// The vault's id for this request, chosen and stored before the call.
    pub client_request_id: &'a str,
    /// The digest to sign (see [`AnswerFormat`]).
    pub hash: &'a [u8],
    /// Its algorithm.
    pub digest: DigestAlgorithm,
    /// The signer's key, from its certificate.
    pub key: KeyKind,
    /// What the officer sees on the phone (the record's document type and number).
    pub description: &'a str,
    /// The record's id, as a document id where the API takes one.
    pub document_id: &'a str,
}

/// A provider's first answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Submitted {
    /// Signed at once (a synchronous API): the answer's bytes.
    Signed(Vec<u8>),
    /// Taken: the officer must approve; poll with this transaction id.
    Pending {
        /// The provider's transaction id.
        transaction_id: String,
    },
}

/// Where a provider says a transaction stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PollAnswer {
    /// Still waiting for the officer.
    Waiting,
    /// Signed: the answer's bytes.
    Signed(Vec<u8>),
    /// Ended without a signature.
    Declined(ProviderOutcome),
}

/// Which transaction to poll: the provider's id when known, and the vault's own.
#[derive(Debug, Clone, Copy)]
pub struct TransactionRef<'a> {
    /// The vault's client request id.
    pub client_request_id: &'a str,
    /// The provider's transaction id (`None` after a crash before the provider answered).
    pub provider_transaction_id: Option<&'a str>,
}

/// What a remote signing provider client does. Implementations make blocking HTTP calls;
/// they store nothing (the vault keeps the state).
pub trait Provider {
    /// Its name as stored and printed: `"csc"`, `"vnpt-smartca"`, `"viettel-mysign"`.
    fn name(&self) -> &str;
    /// The configured signer's certificate chain, signer first (DER), as the provider
    /// names it; refused when it is not the configured signer's.
    fn certificate_chain(&self) -> Result<Vec<Vec<u8>>, RemoteError>;
    /// What its signature answer is.
    fn answer_format(&self) -> AnswerFormat;
    /// Sends a request to sign.
    fn submit(&self, request: &ProviderRequest<'_>) -> Result<Submitted, RemoteError>;
    /// Asks where a transaction stands.
    fn poll(&self, transaction: TransactionRef<'_>) -> Result<PollAnswer, RemoteError>;
    /// Whether [`Provider::poll`] can find a transaction by the client request id alone
    /// (needed to resume a request that crashed before the provider's id was stored).
    fn finds_by_client_id(&self) -> bool {
        false
    }
}

/// How [`crate::Vault::sign_remote`] and [`crate::Vault::resume_remote`] wait.
#[derive(Clone)]
pub struct RemoteSigningOptions<'a> {
    /// The digest algorithm (SHA-256 by default).
    pub digest: DigestAlgorithm,
    /// How long this call waits for the officer's approval before it returns
    /// [`RemoteError::StillWaiting`] (the request stays pending: resume it later). The
    /// session's own expiry ends the request as expired.
    pub wait: Duration,
    /// The first pause between two polls; it grows by half each time.
    pub poll_interval: Duration,
    /// The longest pause between two polls.
    pub max_poll_interval: Duration,
    /// Told of every state change and every poll (for a spinner).
    pub progress: Option<&'a (dyn Fn(&RemoteRequest) + Sync)>,
    /// What the officer sees; by default the record's document type and number.
    pub description: Option<String>,
}

impl Default for RemoteSigningOptions<'_> {
    fn default() -> Self {
        RemoteSigningOptions {
            digest: DigestAlgorithm::Sha256,
            wait: Duration::from_secs(300),
            poll_interval: Duration::from_secs(2),
            max_poll_interval: Duration::from_secs(10),
            progress: None,
            description: None,
        }
    }
}

impl std::fmt::Debug for RemoteSigningOptions<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RemoteSigningOptions")
            .field("digest", &self.digest)
            .field("wait", &self.wait)
            .field("poll_interval", &self.poll_interval)
            .field("max_poll_interval", &self.max_poll_interval)
            .field("progress", &self.progress.is_some())
            .field("description", &self.description)
            .finish()
    }
}
