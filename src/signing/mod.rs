//! Remote (two-phase) signing: what the vault asks a signer for, and what it accepts back.
//!
//! The officer's key lives in a provider's HSM. [`crate::Vault::begin_signing`] persists a
//! [`SigningSession`] holding what may be signed, in the two shapes providers take:
//! - the envelope's digest: VNPT SmartCA / Viettel MySign sign it and answer a whole
//!   detached CMS ([`SignatureReply::Cms`]);
//! - the DER signed attributes and their digest: a CSC `signatures/signHash` signs the
//!   digest and answers a raw signature value ([`SignatureReply::Raw`]).
//!
//! [`crate::Vault::complete_signing`] verifies the reply before it stores anything.
//! A [`Signer`] is what provider clients implement; [`LocalSigner`] signs with a key in
//! memory, for tests and demos only.

pub(crate) mod cades;
mod local;
pub(crate) mod reply;
pub mod unsigned;

use std::fmt;

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use x509_parser::prelude::{FromDer, X509Certificate};
use x509_parser::public_key::PublicKey;

pub use local::LocalSigner;
pub use unsigned::{SharedTimestamper, Timestamper};

use crate::hash::hex;
use crate::record::ResultId;
use crate::verify::crypto::DigestAlgorithm;
use crate::verify::verdict::{Indication, SubIndication};

/// Why a signing step was refused. Nothing is stored when one is returned; an open
/// session stays open (until it expires) so that a corrected reply can still complete it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SigningError {
    /// No session has this id. The id is the caller's, not the vault's: it is shown masked
    /// and cut ([`crate::redact::shown_argument`]).
    #[error("no signing session {}", crate::redact::shown_argument(session_id))]
    UnknownSession {
        /// The id asked for.
        session_id: String,
    },
    /// The session expired before it was completed.
    #[error("signing session {session_id} expired at {expired_at}; begin a new one")]
    Expired {
        /// The session.
        session_id: String,
        /// When it expired (RFC 3339).
        expired_at: String,
    },
    /// The session was cancelled.
    #[error("signing session {session_id} was cancelled; begin a new one")]
    Cancelled {
        /// The session.
        session_id: String,
    },
    /// The session was already completed with another reply.
    #[error("signing session {session_id} was already completed with another reply")]
    AlreadyCompleted {
        /// The session.
        session_id: String,
    },
    /// The record already carries this very signature (an RSA key signs the same
    /// attributes, in the same second, into the same bytes): nothing was added, and the
    /// session was closed (cancelled).
    #[error("result {result_id} is already signed with this very signature ({signature}): nothing was added, and session {session_id} was closed")]
    AlreadySigned {
        /// The record.
        result_id: String,
        /// The signature it already carries (SHA-256 of the CMS, hex).
        signature: String,
        /// The session that was closed.
        session_id: String,
    },
    /// A hash-signing request for a key that can only sign whole messages.
    #[error("an Ed25519 key cannot sign a hash (pure EdDSA signs the message itself, so a CSC signHash cannot be used): give the signer the DER signed attributes, or use an RSA or ECDSA key")]
    HashSigningUnsupported,
    /// The chain offered for the signer is unusable.
    #[error("signer certificate chain: {0}")]
    BadCertificateChain(String),
    /// The request cannot be served (digest algorithm, key type…).
    #[error("signing request: {0}")]
    BadRequest(String),
    /// The raw signature's algorithm does not fit the signer's key or digest.
    #[error("signature algorithm does not fit the signer's key: {0}")]
    AlgorithmMismatch(String),
    /// The reply cannot be read.
    #[error("malformed reply: {0}")]
    MalformedReply(String),
    /// The reply's signer is not the session's certificate.
    #[error("the reply is signed by another certificate than the session's")]
    SignerMismatch,
    /// The reply was read but its verification did not pass: nothing was stored.
    #[error("signature refused: {indication:?}/{} ({detail})", sub_indication.map_or("-", |s| s.as_str()))]
    NotAccepted {
        /// The verdict's indication.
        indication: Indication,
        /// Its sub-indication.
        sub_indication: Option<SubIndication>,
        /// What the verification said.
        detail: String,
    },
    /// The signer (a provider client, a local key) failed.
    #[error("signer: {0}")]
    Signer(String),
    /// The timestamp authority could not give a token (unreachable, timed out, refused,
    /// or an answer that is not for what was sent): nothing was stored, and the session
    /// stays open, so that completing it again retries.
    #[error("timestamp authority: {0}")]
    Timestamp(String),
    /// The TSA's token did not verify (another imprint, a TSA certificate without the
    /// timeStamping purpose or outside the trust store, …): nothing was stored, and the
    /// session stays open.
    #[error("timestamp refused: {indication:?}/{} ({detail})", sub_indication.map_or("-", |s| s.as_str()))]
    TimestampNotAccepted {
        /// The token's verdict.
        indication: Indication,
        /// Its sub-indication.
        sub_indication: Option<SubIndication>,
        /// What the verification said.
        detail: String,
    },
}

/// The signer's key, as its certificate declares it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum KeyKind {
    /// RSA of this many bits.
    Rsa {
        /// Modulus size.
        bits: usize,
    },
    /// ECDSA on P-256.
    EcdsaP256,
    /// ECDSA on P-384.
    EcdsaP384,
    /// Ed25519 (pure EdDSA: signs messages, not hashes).
    Ed25519,
}

impl KeyKind {
    /// Reads the key type of a DER certificate.
    pub fn of_certificate(der: &[u8]) -> Result<KeyKind, SigningError> {
        let (_, cert) = X509Certificate::from_der(der)
            .map_err(|_| SigningError::BadCertificateChain("the signer's certificate is not DER X.509".into()))?;
        let spki = cert.public_key();
        if spki.algorithm.algorithm.to_id_string() == "1.3.101.112" {
            return Ok(KeyKind::Ed25519);
        }
        match spki.parsed() {
            Ok(PublicKey::RSA(rsa)) => Ok(KeyKind::Rsa { bits: rsa.key_size() }),
            Ok(PublicKey::EC(_)) => {
                let curve = spki
                    .algorithm
                    .parameters
                    .as_ref()
                    .and_then(|p| p.as_oid().ok())
                    .map(|o| o.to_id_string());
                match curve.as_deref() {
                    Some("1.2.840.10045.3.1.7") => Ok(KeyKind::EcdsaP256),
                    Some("1.3.132.0.34") => Ok(KeyKind::EcdsaP384),
                    other => Err(SigningError::BadCertificateChain(format!(
                        "ECDSA curve {} is not supported (P-256, P-384)",
                        other.unwrap_or("?")
                    ))),
                }
            }
            _ => Err(SigningError::BadCertificateChain(format!(
                "key algorithm {} is not supported (RSA, ECDSA P-256/P-384, Ed25519)",
                spki.algorithm.algorithm.to_id_string()
            ))),
        }
    }
}

/// The algorithm of a raw signature value; the digest is the session's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum RawAlgorithm {
    /// RSASSA-PKCS1-v1_5.
    RsaPkcs1,
    /// RSASSA-PSS, MGF1 with the same digest, salt length = digest length.
    RsaPss,
    /// ECDSA; the value may be DER `ECDSA-Sig-Value` or raw `r || s`.
    Ecdsa,
    /// Ed25519 over the DER signed attributes themselves (not over a hash).
    Ed25519,
}

impl fmt::Display for RawAlgorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            RawAlgorithm::RsaPkcs1 => "RSA PKCS#1 v1.5",
            RawAlgorithm::RsaPss => "RSA-PSS",
            RawAlgorithm::Ecdsa => "ECDSA",
            RawAlgorithm::Ed25519 => "Ed25519",
        })
    }
}

/// What a signer answers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum SignatureReply {
    /// A raw signature value over the session's DER signed attributes (CSC `signHash`
    /// signs their digest).
    Raw {
        /// Its algorithm.
        algorithm: RawAlgorithm,
        /// The value (hex in JSON).
        #[serde(with = "hex")]
        value: Vec<u8>,
    },
    /// A whole detached CMS over the envelope, as VNPT SmartCA and Viettel MySign answer
    /// (hex in JSON).
    Cms {
        /// DER or BER.
        #[serde(with = "hex")]
        cms: Vec<u8>,
    },
}

impl SignatureReply {
    /// A reply's identity: completing again with the same reply is not a new signature.
    pub(crate) fn fingerprint(&self) -> crate::Sha256 {
        let mut bytes = Vec::new();
        match self {
            SignatureReply::Raw { algorithm, value } => {
                bytes.extend_from_slice(format!("raw:{algorithm:?}:").as_bytes());
                bytes.extend_from_slice(value);
            }
            SignatureReply::Cms { cms } => {
                bytes.extend_from_slice(b"cms:");
                bytes.extend_from_slice(cms);
            }
        }
        crate::Sha256::of(&bytes)
    }
}

/// Where a session is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum SessionState {
    /// Waiting for a reply (until `expires_at`).
    Open,
    /// Completed: its signature is stored.
    Completed,
    /// Cancelled by the caller.
    Cancelled,
}

impl SessionState {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            SessionState::Open => "open",
            SessionState::Completed => "completed",
            SessionState::Cancelled => "cancelled",
        }
    }

    pub(crate) fn parse(s: &str) -> Option<SessionState> {
        Some(match s {
            "open" => SessionState::Open,
            "completed" => SessionState::Completed,
            "cancelled" => SessionState::Cancelled,
            _ => return None,
        })
    }
}

/// A two-phase signing session: what a remote signer is asked to sign. Persisted in the
/// vault, so it survives a restart; it expires at `expires_at`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SigningSession {
    /// The session's id (a ULID).
    pub session_id: String,
    /// The record being signed.
    pub result_id: ResultId,
    /// The digest algorithm of the signature.
    pub digest_algorithm: DigestAlgorithm,
    /// The signer's key type.
    pub key: KeyKind,
    /// The signer's certificate chain, signer first (DER; hex in JSON).
    #[serde(with = "hex::list")]
    pub certificate_chain: Vec<Vec<u8>>,
    /// The digest of the record's canonical envelope: what VNPT/Viettel-style providers
    /// sign, answering a whole CMS (hex in JSON). For a signature inside a PDF, the
    /// digest of its ByteRange bytes.
    #[serde(with = "hex")]
    pub envelope_digest: Vec<u8>,
    /// The DER signed attributes (a `SET OF Attribute`): what the signature value signs
    /// (hex in JSON).
    #[serde(with = "hex")]
    pub signed_attributes: Vec<u8>,
    /// Their digest: what a CSC `signHash` signs (hex in JSON).
    #[serde(with = "hex")]
    pub signed_attributes_digest: Vec<u8>,
    /// The signingTime inside the signed attributes (a claim; the vault's completion
    /// time is the proof of existence). For a signature inside a PDF
    /// ([`crate::pdf::sign`]) it is the `/M` time, and the attributes carry none.
    #[serde(with = "time::serde::rfc3339")]
    pub signing_time: OffsetDateTime,
    /// When the session was begun.
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    /// After this instant the session can no longer be completed.
    #[serde(with = "time::serde::rfc3339")]
    pub expires_at: OffsetDateTime,
    /// Open, completed or cancelled.
    pub state: SessionState,
}

impl SigningSession {
    /// The digest a CSC `signHash` must sign: the signed attributes' digest. Refused for
    /// Ed25519 keys, which sign messages, never hashes.
    pub fn hash_to_sign(&self) -> Result<&[u8], SigningError> {
        match self.key {
            KeyKind::Ed25519 => Err(SigningError::HashSigningUnsupported),
            _ => Ok(&self.signed_attributes_digest),
        }
    }
}

/// What provider clients implement: give the signer's chain, sign what a session asks.
pub trait Signer {
    /// The signer's certificate chain, signer first (DER).
    fn certificate_chain(&self) -> Result<Vec<Vec<u8>>, SigningError>;
    /// Gets `session` signed (e.g. by asking the officer to approve on a phone) and
    /// returns the provider's answer.
    fn sign(&self, session: &SigningSession) -> Result<SignatureReply, SigningError>;
}

/// Checks the digest algorithm against the key: SHA-1 is never used for new signatures;
/// Ed25519 in CMS uses SHA-512 (RFC 8419); ECDSA digests up to the curve's strength.
pub(crate) fn check_digest(key: KeyKind, digest: DigestAlgorithm) -> Result<(), SigningError> {
    match (key, digest) {
        (_, DigestAlgorithm::Sha1) => Err(SigningError::BadRequest(
            "SHA-1 is not used for new signatures; use SHA-256".into(),
        )),
        (KeyKind::Ed25519, DigestAlgorithm::Sha512) => Ok(()),
        (KeyKind::Ed25519, _) => Err(SigningError::BadRequest(
            "Ed25519 signatures in CMS use SHA-512 (RFC 8419)".into(),
        )),
        (KeyKind::Rsa { bits }, _) if bits < 2048 => Err(SigningError::BadCertificateChain(format!(
            "RSA key of {bits} bits (at least 2048)"
        ))),
        (KeyKind::EcdsaP256, DigestAlgorithm::Sha512) => Err(SigningError::BadRequest(
            "ECDSA P-256 with SHA-512 is not supported; use SHA-256".into(),
        )),
        (KeyKind::EcdsaP384, DigestAlgorithm::Sha512) => Err(SigningError::BadRequest(
            "ECDSA P-384 with SHA-512 is not supported; use SHA-384".into(),
        )),
        _ => Ok(()),
    }
}

/// How a signature came into the vault.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum SignatureSource {
    /// Completed a two-phase signing session.
    Session {
        /// The session.
        session_id: String,
    },
    /// A detached CMS made elsewhere over the envelope, attached as is.
    Attached,
}

/// A signature the vault accepted for a record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredSignature {
    /// The record it signs (its canonical envelope).
    pub result_id: ResultId,
    /// SHA-256 of the CMS: the signature's identity.
    pub sha256: crate::Sha256,
    /// The detached CMS SignedData over the envelope (DER; hex in JSON). Verify it
    /// without this library: `openssl cms -verify -binary -inform DER -content envelope.json`.
    #[serde(with = "hex")]
    pub cms: Vec<u8>,
    /// SHA-256 of the signer's certificate.
    pub signer_certificate: crate::Sha256,
    /// Session or attached.
    pub source: SignatureSource,
    /// When the vault accepted it, as its audit event records: the signature's proof of
    /// existence from then on (a signer revoked later does not undo it).
    #[serde(with = "time::serde::rfc3339")]
    pub proof_of_existence: OffsetDateTime,
    /// The audit event that recorded it.
    pub event_seq: u64,
    /// The verdict that let it in (at `proof_of_existence`), with the CRLs it used.
    pub acceptance: crate::verify::signature::SignatureVerdict,
}
