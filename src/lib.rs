//! # results-vault
//!
//! A results store for public-service portals: every administrative result (a signed
//! document) kept once per SHA-256 in one SQLite file, handed out again for reuse by
//! later procedures, with a hash-chained audit log of every change and every reuse.
//!
//! ```no_run
//! use results_vault::{Vault, VaultOptions};
//! # fn main() -> results_vault::Result<()> {
//! let vault = Vault::open_or_create("results.vault", VaultOptions::default())?;
//! let report = vault.verify_log()?;
//! assert!(report.is_intact());
//! # Ok(()) }
//! ```
//!
//! See `README.md` for the whole tour: the record, reuse, signing, PDFs, the audit log, the
//! C ABI and the CLI.

#![deny(unsafe_code)]
#![warn(missing_docs)]

pub mod envelope;
pub mod error;
pub mod hash;
pub mod log;
pub mod pdf;
pub mod record;
pub mod redact;
pub mod remote;
pub mod reuse;
pub mod signing;
mod store;
pub mod trust;
mod vault;
pub mod verify;

#[cfg(feature = "capi")]
pub mod ffi;

pub use envelope::Envelope;
pub use error::{Error, Result};
pub use hash::Sha256;
pub use log::{Event, EventKind, LogCheck, LogHead, LogProblem, LogReport};
pub use record::{
    ContentInfo, FieldError, Issuer, LegalStatus, NewRecord, Provenance, Record, ResultId, StatusChange, StatusKind,
    Subject, SubjectId, SubjectKind,
};
pub use remote::{ProviderOutcome, RemoteError, RemoteRequest, RemoteSigningOptions, RemoteState};
pub use reuse::{
    AgencyStats, CheckedSignature, Excluded, Exclusion, RecordVerdict, Requester, ReuseAnswer, ReuseQuery,
};
pub use signing::{
    KeyKind, LocalSigner, RawAlgorithm, SessionState, SharedTimestamper, SignatureReply, SignatureSource, Signer,
    SigningError, SigningSession, StoredSignature, Timestamper,
};
pub use trust::{TrustItem, TrustItemKind, TrustMaterial};
pub use vault::{
    Clock, Ingested, PdfCheck, PdfSignaturePolicy, RefreshReport, RefreshedSource, RevocationSource,
    SharedRevocationSource, SourceOutcome, StorageLine, Vault, VaultOptions,
};
pub use vault::{SignerPolicyEntry, SignerRule, DEFAULT_SIGNER_POLICY};
pub use verify::crypto::DigestAlgorithm;
pub use verify::signature::{EvidencePolicy, Policy, SignatureVerdict};
pub use verify::verdict::{Indication, SubIndication};

/// The crate's version, as recorded in verdicts and reports.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// The schema version of the vault files this build writes.
pub const SCHEMA_VERSION: i64 = store::SCHEMA_VERSION;
