//! CLI errors: what went wrong, and a hint that says how to fix it.

use std::fmt;
use std::process::ExitCode;

use results_vault::redact;

/// Exit codes from 64 up are usage and I/O errors (sysexits.h).
const EX_USAGE: u8 = 64;
const EX_DATAERR: u8 = 65;
const EX_NOINPUT: u8 = 66;
const EX_SOFTWARE: u8 = 70;
const EX_CANTCREAT: u8 = 73;
/// A remote signing request still pending: try again later (`--resume`).
const EX_TEMPFAIL: u8 = 75;
const EX_IOERR: u8 = 74;
/// The vault file (or its folder, or its disk) may not be written.
const EX_NOPERM: u8 = 77;

pub enum CliError {
    Vault(results_vault::Error),
    Input {
        path: String,
        error: std::io::Error,
    },
    Json {
        what: String,
        error: serde_json::Error,
    },
    Usage(String),
    /// A file rvault was asked to write (the PDF report) could not be written.
    Output {
        path: String,
        error: std::io::Error,
    },
    /// The PDF report could not be produced (a build problem, not an input one).
    Report(String),
    /// A file rvault was asked to write is already there (or a symbolic link is), and
    /// `--force` was not given: nothing was written to it.
    OutputExists {
        path: String,
    },
    /// Standard output could not be written (other than a reader closing the pipe, which
    /// is not an error: see `out`).
    Stdout(std::io::Error),
}

/// A storage failure by what the officer can do about it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Storage {
    /// No space left (SQLITE_FULL, ENOSPC, a quota).
    DiskFull,
    /// The file, its folder or its disk may not be written (SQLITE_READONLY, SQLITE_PERM,
    /// EROFS, EACCES).
    ReadOnly,
    /// Another program holds the file locked past the busy timeout (SQLITE_BUSY,
    /// SQLITE_LOCKED).
    Locked,
    /// SQLite could not open the file (SQLITE_CANTOPEN).
    CannotOpen,
    /// The disk failed to read or write (SQLITE_IOERR, another I/O error).
    Io,
}

/// Whether `e` is a failure of the vault file itself (disk full, read-only, locked, I/O),
/// which every other write would meet too.
pub fn is_storage_failure(e: &results_vault::Error) -> bool {
    storage(e).is_some()
}

/// Whether `e` is another program holding the vault file locked past the busy timeout.
pub fn is_lock_timeout(e: &results_vault::Error) -> bool {
    storage(e) == Some(Storage::Locked)
}

/// What kind of storage failure `e` is, if it is one.
fn storage(e: &results_vault::Error) -> Option<Storage> {
    use rusqlite::ErrorCode as C;
    use std::io::ErrorKind as K;
    match e {
        results_vault::Error::Storage(e) => match e.sqlite_error_code()? {
            C::DiskFull => Some(Storage::DiskFull),
            C::ReadOnly | C::PermissionDenied => Some(Storage::ReadOnly),
            C::DatabaseBusy | C::DatabaseLocked => Some(Storage::Locked),
            C::CannotOpen => Some(Storage::CannotOpen),
            C::SystemIoFailure => Some(Storage::Io),
            _ => None,
        },
        results_vault::Error::Io(e) => Some(match e.kind() {
            K::StorageFull | K::QuotaExceeded => Storage::DiskFull,
            K::ReadOnlyFilesystem | K::PermissionDenied => Storage::ReadOnly,
            _ => Storage::Io,
        }),
        _ => None,
    }
}

impl CliError {
    pub fn hint(&self) -> Option<&'static str> {
        use results_vault::Error as E;
        if let CliError::Vault(e) = self {
            if let Some(kind) = storage(e) {
                return Some(storage_hint(kind));
            }
        }
        match self {
            CliError::Vault(E::Path { .. }) => Some("create the vault with `rvault init`, or point --vault (RVAULT_VAULT) at an existing one"),
            CliError::Vault(E::NewerSchema { .. }) => Some("this vault was written by a newer rvault: upgrade rvault"),
            CliError::Vault(E::Corrupt { .. }) => Some("keep the file as it is (it is evidence) and restore from a backup"),
            CliError::Vault(E::InvalidField(_)) => Some("check the field named above in your metadata JSON"),
            CliError::Vault(E::ReuseRefused(_)) => Some("a reuse needs --agency, --procedure, --dossier and --purpose"),
            CliError::Vault(E::Conflict { .. }) => Some("a dossier + procedure + document number identifies one result; use a new document number for a new result"),
            CliError::Vault(E::Signing(
                results_vault::SigningError::NotAccepted { .. } | results_vault::SigningError::BadCertificateChain(_),
            )) => Some(
                "did you add the root CA with `rvault trust add anchor` and its current CRL with `rvault trust add crl`?",
            ),
            CliError::Vault(E::Signing(results_vault::SigningError::Timestamp(_))) => Some(
                "nothing was kept: check the TSA's URL and credentials (--tsa-config, RVAULT_TSA_*), then complete the session again (`rvault sign complete SESSION`, or `rvault sign --resume SESSION`)",
            ),
            CliError::Vault(E::Signing(results_vault::SigningError::TimestampNotAccepted { .. })) => Some(
                "nothing was kept: the TSA's certificate must have the timeStamping purpose and chain to an anchor of the vault (`rvault trust add anchor`, with its CRL)",
            ),
            CliError::Vault(E::Signing(results_vault::SigningError::AlreadySigned { .. })) => {
                Some("nothing to do: the record already carries this signature (see `rvault show ID`)")
            }
            CliError::Vault(E::Signing(results_vault::SigningError::UnknownSession { .. })) => {
                Some("use the session_id printed by `rvault sign begin`")
            }
            CliError::Vault(E::TrustRefused(_)) => Some(
                "an anchor must be a CA certificate; a CRL or an OCSP response needs its CA in the trust store first (`rvault trust add anchor`)",
            ),
            CliError::Vault(E::Remote(r)) => remote_hint(r),
            CliError::Vault(E::InvalidTransition { .. }) => Some(
                "only an ACTIVE result can be revoked, superseded or replace another: see what happened to it with `rvault history ID`",
            ),
            CliError::Vault(E::NotFound(_)) => Some("see the record ids with `rvault verify FILE --json`, or ask the portal"),
            CliError::Json { .. } => Some("see README.md for the metadata JSON format"),
            CliError::Output { error, .. } if error.kind() == std::io::ErrorKind::StorageFull => {
                Some("the disk is full: free some space, or write to another disk")
            }
            CliError::Output { .. } => Some("check that the folder exists and that you may write to it"),
            CliError::OutputExists { .. } => Some(
                "choose another name, or give --force to replace it (replaced whole; a symbolic link is replaced, not followed)",
            ),
            CliError::Input { .. } => Some("check the file's name and folder, and that you may read it"),
            _ => None,
        }
    }

    pub fn exit_code(&self) -> ExitCode {
        if let Some(kind) = match self {
            CliError::Vault(e) => storage(e),
            _ => None,
        } {
            return ExitCode::from(match kind {
                Storage::DiskFull | Storage::Io => EX_IOERR,
                Storage::ReadOnly => EX_NOPERM,
                Storage::Locked => EX_TEMPFAIL,
                Storage::CannotOpen => EX_NOINPUT,
            });
        }
        ExitCode::from(match self {
            CliError::Usage(_) => EX_USAGE,
            CliError::Json { .. } => EX_DATAERR,
            CliError::Input { .. } => EX_NOINPUT,
            CliError::Output { .. } | CliError::OutputExists { .. } => EX_CANTCREAT,
            CliError::Report(_) => EX_SOFTWARE,
            CliError::Stdout(_) => EX_IOERR,
            CliError::Vault(results_vault::Error::Io(_)) => EX_IOERR,
            CliError::Vault(results_vault::Error::Remote(
                results_vault::RemoteError::StillWaiting { .. } | results_vault::RemoteError::Transport { .. },
            )) => EX_TEMPFAIL,
            CliError::Vault(results_vault::Error::Remote(results_vault::RemoteError::Config(_))) => EX_USAGE,
            CliError::Vault(results_vault::Error::Path { .. }) => EX_NOINPUT,
            CliError::Vault(results_vault::Error::Storage(_) | results_vault::Error::Malformed(_)) => EX_SOFTWARE,
            CliError::Vault(_) => EX_DATAERR,
        })
    }
}

fn storage_hint(kind: Storage) -> &'static str {
    match kind {
        Storage::DiskFull => {
            "the disk that holds the vault is full: free some space (see `df -h` on its folder) and run the command again; the failed change was rolled back whole"
        }
        Storage::ReadOnly => {
            "rvault must write the vault file and its folder, even to read (SQLite keeps `-wal` and `-shm` files beside it): check their owner and permissions (`ls -l`), and that the disk is not mounted read-only"
        }
        Storage::Locked => {
            "another program holds the vault file locked (a long transaction, a backup, an `sqlite3` shell): let it finish and run the command again, or wait longer with --busy-timeout-ms (RVAULT_BUSY_TIMEOUT_MS)"
        }
        Storage::CannotOpen => {
            "check that the vault file and its folder exist and that you may read and write them (`ls -l`)"
        }
        Storage::Io => {
            "check that the disk has free space (`df -h`) and is healthy (`dmesg`); the failed change was rolled back whole"
        }
    }
}

fn remote_hint(e: &results_vault::RemoteError) -> Option<&'static str> {
    use results_vault::{ProviderOutcome as O, RemoteError as R};
    match e {
        R::StillWaiting { .. } => Some("the request is still pending at the provider: run `rvault sign --resume SESSION` later"),
        R::Transport { .. } => Some("check the network and base_url; a pending request resumes with `rvault sign --resume SESSION`"),
        R::OutcomeUnknown { .. } => Some("ask the provider (or the officer's app) whether it signed; then `rvault sign cancel SESSION` and sign again"),
        R::Config(_) => Some("see README.md, \"Remote signing\", for the provider's configuration (--provider-config FILE or RVAULT_* variables)"),
        R::WrongCertificate { .. } => Some("check user_id (and certificate_sha256) in the provider configuration"),
        R::Declined { outcome: O::RejectedByUser, .. } => Some("the officer refused on the phone: sign again when they agree"),
        R::Declined { outcome: O::ApprovalTimedOut, .. } => Some("the officer did not approve in time: sign again"),
        R::Declined { outcome: O::AuthenticationFailed, .. } => Some("check the client id and secret (or PIN) in the provider configuration"),
        R::Declined { outcome: O::CertificateRevokedOrExpired, .. } => Some("the officer's certificate must be renewed at the provider"),
        R::Declined { outcome: O::QuotaExceeded, .. } => Some("the account's signing quota is used up: ask the provider"),
        _ => None,
    }
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            // Outside a reader's content (which rvault never streams), the library's I/O
            // errors come from creating the vault file.
            CliError::Vault(results_vault::Error::Io(error)) => write!(f, "the vault file: {}", io(error)),
            CliError::Vault(e) => write!(f, "{e}"),
            // A path may name a file after a citizen's ID, and serde quotes the values it
            // refuses: neither is echoed whole (results_vault::redact).
            CliError::Input { path, error } => write!(f, "cannot read {}: {}", shown(path), io(error)),
            CliError::Json { what, error } => write!(f, "{} is not valid: {}", shown(what), redact::json_error(error)),
            CliError::Usage(msg) => f.write_str(msg),
            CliError::Output { path, error } => write!(f, "cannot write {}: {}", shown(path), io(error)),
            CliError::Report(why) => write!(f, "the report could not be written: {why}"),
            CliError::OutputExists { path } => write!(f, "{} already exists: it was left as it is", shown(path)),
            CliError::Stdout(error) => write!(f, "cannot write to standard output: {}", io(error)),
        }
    }
}

/// A path as a message shows it.
fn shown(path: &str) -> String {
    redact::shown_path(std::path::Path::new(path))
}

/// An I/O error as a message shows it: some name their path (a temporary file's).
fn io(error: &std::io::Error) -> String {
    redact::shown_message(&error.to_string())
}

impl From<results_vault::Error> for CliError {
    fn from(e: results_vault::Error) -> Self {
        CliError::Vault(e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rusqlite::ErrorCode;

    fn sqlite(code: ErrorCode, extended_code: std::ffi::c_int) -> CliError {
        CliError::Vault(results_vault::Error::Storage(rusqlite::Error::SqliteFailure(
            rusqlite::ffi::Error { code, extended_code },
            None,
        )))
    }

    /// Every storage failure says its cause in words, has a hint and its own exit code.
    #[test]
    fn storage_failures_are_said_in_words_with_a_hint_and_their_exit_code() {
        let cases = [
            (sqlite(ErrorCode::DiskFull, 13), "the disk is full", "df -h", EX_IOERR),
            // SQLITE_IOERR_WRITE, as a write past the end of a full disk may come back.
            (
                sqlite(ErrorCode::SystemIoFailure, 778),
                "could not be read or written",
                "df -h",
                EX_IOERR,
            ),
            (sqlite(ErrorCode::ReadOnly, 8), "read-only", "permissions", EX_NOPERM),
            // SQLITE_READONLY_DIRECTORY: the folder may not be written.
            (sqlite(ErrorCode::ReadOnly, 1544), "read-only", "permissions", EX_NOPERM),
            (
                sqlite(ErrorCode::DatabaseBusy, 5),
                "locked by another program",
                "--busy-timeout-ms",
                EX_TEMPFAIL,
            ),
            (
                sqlite(ErrorCode::DatabaseLocked, 6),
                "locked by another program",
                "--busy-timeout-ms",
                EX_TEMPFAIL,
            ),
            (
                sqlite(ErrorCode::CannotOpen, 14),
                "cannot be opened",
                "ls -l",
                EX_NOINPUT,
            ),
            (
                CliError::Vault(results_vault::Error::Io(std::io::Error::from_raw_os_error(28))),
                "No space left on device",
                "df -h",
                EX_IOERR,
            ),
            (
                CliError::Vault(results_vault::Error::Io(std::io::Error::from_raw_os_error(30))),
                "Read-only file system",
                "permissions",
                EX_NOPERM,
            ),
        ];
        for (e, words, hint, code) in cases {
            let message = e.to_string();
            assert!(message.contains(words), "{message}");
            assert!(!message.contains("reading content"), "{message}");
            let said = e.hint().unwrap_or_default();
            assert!(said.contains(hint), "{message}: {said}");
            assert_eq!(e.exit_code(), ExitCode::from(code), "{message}");
        }
        // Other SQLite failures keep SQLite's words and exit 70, as before.
        let e = sqlite(ErrorCode::ConstraintViolation, 19);
        assert_eq!(e.to_string(), "storage: Error code 19: constraint failed");
        assert_eq!(e.exit_code(), ExitCode::from(EX_SOFTWARE));
        assert!(!is_storage_failure(match &e {
            CliError::Vault(e) => e,
            _ => unreachable!(),
        }));
    }

    #[test]
    fn standard_output_that_cannot_be_written_is_exit_74() {
        let e = CliError::Stdout(std::io::Error::from_raw_os_error(28));
        assert_eq!(
            e.to_string(),
            "cannot write to standard output: No space left on device (os error 28)"
        );
        assert_eq!(e.exit_code(), ExitCode::from(EX_IOERR));
    }
}
