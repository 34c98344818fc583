//! The vault's error type.
//!
//! Errors say why the vault *could not do* what was asked. Findings about the data
//! (a tampered log, a result excluded from reuse) are reports, not errors.
//! No message ever carries a personal ID in full: a path is shown with
//! [`crate::redact::shown_path`], a value by its shape.

use std::path::PathBuf;

use crate::record::{FieldError, ResultId};
use crate::remote::RemoteError;
use crate::signing::SigningError;

/// Everything that can go wrong in a vault call.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A field of a record, query or requester is not acceptable.
    #[error(transparent)]
    InvalidField(#[from] FieldError),

    /// A [`crate::VaultOptions`] value is out of its range (see
    /// [`crate::VaultOptions::check`]); nothing was opened or created.
    #[error("vault option {option} is out of range: {reason}")]
    InvalidOption {
        /// The option's name, as in `VaultOptions`.
        option: &'static str,
        /// The range it must lie in.
        reason: String,
    },

    /// The content is empty.
    #[error("content is empty: a result must have a file")]
    EmptyContent,

    /// The content is larger than the vault accepts.
    #[error("content is larger than the limit of {limit} bytes (got at least {size}); raise VaultOptions::max_content_size if this is intended")]
    ContentTooLarge {
        /// The configured limit.
        limit: u64,
        /// The size seen (a lower bound when read from a stream).
        size: u64,
    },

    /// No record has this id.
    #[error("no result with id {0}")]
    NotFound(ResultId),

    /// Another record already holds this dossier + procedure + document number.
    #[error("result {existing} already holds dossier {dossier_code}, procedure {procedure_code}, document {document_number} with {difference}")]
    Conflict {
        /// The record that is already stored.
        existing: ResultId,
        /// Its dossier code.
        dossier_code: String,
        /// Its procedure code.
        procedure_code: String,
        /// Its document number.
        document_number: String,
        /// What differs: "other content" or "other metadata".
        difference: &'static str,
    },

    /// The stored content no longer hashes to the SHA-256 it was stored under.
    #[error("integrity failure in result {result_id}: content stored as SHA-256 {expected} now hashes to {actual}")]
    Integrity {
        /// The record whose content was read.
        result_id: ResultId,
        /// The hash the content was stored under (hex).
        expected: String,
        /// The hash of the bytes found (hex), or a description when they could not be decoded.
        actual: String,
    },

    /// A status change that the record's current status does not allow.
    #[error("result {result_id} is {current}: cannot {action}")]
    InvalidTransition {
        /// The record.
        result_id: ResultId,
        /// Its current status.
        current: &'static str,
        /// What was asked.
        action: &'static str,
    },

    /// A signed PDF was refused at ingest (policy [`crate::PdfSignaturePolicy::RefuseFailed`]):
    /// its embedded signatures failed or it could not be read; nothing was stored.
    #[error("PDF refused: {0}")]
    PdfSignatureRefused(String),

    /// A certificate or CRL offered to the trust store was refused.
    #[error("trust store: {0}")]
    TrustRefused(String),

    /// A signing step was refused (see [`SigningError`]); nothing was stored.
    #[error(transparent)]
    Signing(#[from] SigningError),

    /// Signing through a remote provider could not go on (see [`RemoteError`]): the
    /// provider declined, could not be reached, answered malformed data, or the request
    /// is still pending. No signature was stored.
    #[error(transparent)]
    Remote(#[from] RemoteError),

    /// A reuse request without a full requester or purpose.
    #[error("reuse refused: {0}")]
    ReuseRefused(String),

    /// The file was written by a newer version of results-vault.
    #[error(
        "{}: vault schema version {found} is newer than this build supports ({supported}); upgrade results-vault",
        crate::redact::shown_path(path)
    )]
    NewerSchema {
        /// The vault file.
        path: PathBuf,
        /// Its schema version.
        found: i64,
        /// The newest this build knows.
        supported: i64,
    },

    /// The file is a SQLite database of another application.
    #[error(
        "{}: not a results-vault file (application_id {application_id:#x})",
        crate::redact::shown_path(path)
    )]
    NotAVault {
        /// The file.
        path: PathBuf,
        /// The application id found.
        application_id: i64,
    },

    /// The vault file is damaged. It is left exactly as it was: it is evidence.
    #[error(
        "{}: vault file is corrupt ({detail}); it was not modified: keep it and restore from a backup",
        crate::redact::shown_path(path)
    )]
    Corrupt {
        /// The file.
        path: PathBuf,
        /// What SQLite said.
        detail: String,
    },

    /// `Vault::open` on a path with no file, or `Vault::create` on a path that has one.
    #[error("{}: {detail}", crate::redact::shown_path(path))]
    Path {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        detail: &'static str,
    },

    /// Reading content from the caller's reader failed.
    #[error("reading content: {0}")]
    Io(#[from] std::io::Error),

    /// Any other storage failure. Its message says the cause in plain words when SQLite
    /// names one (the disk is full, the file or its folder is read-only, another program
    /// holds the file locked, it cannot be opened, the disk failed), then SQLite's own
    /// words; [`rusqlite::Error::sqlite_error_code`] tells them apart.
    #[error("storage: {}", storage_words(.0))]
    Storage(#[source] rusqlite::Error),

    /// A stored value could not be decoded (a bug, or an edit behind the vault's back).
    #[error("stored data is malformed: {0}")]
    Malformed(String),
}

/// The vault's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// A storage failure as a person reads it: the cause in plain words, then SQLite's message.
fn storage_words(e: &rusqlite::Error) -> String {
    use rusqlite::ErrorCode as C;
    let words = match e.sqlite_error_code() {
        Some(C::DiskFull) => "the disk is full",
        Some(C::ReadOnly) => "the vault file or its folder is read-only",
        Some(C::PermissionDenied) => "permission to the vault file was denied",
        Some(C::DatabaseBusy | C::DatabaseLocked) => {
            "the vault file is locked by another program, still after the busy timeout"
        }
        Some(C::CannotOpen) => "the vault file cannot be opened",
        Some(C::SystemIoFailure) => "the disk could not be read or written",
        _ => return e.to_string(),
    };
    format!("{words} ({e})")
}

impl From<rusqlite::Error> for Error {
    fn from(e: rusqlite::Error) -> Self {
        Error::Storage(e)
    }
}
