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
}

impl CliError {
    pub fn hint(&self) -> Option<&'static str> {
        use results_vault::Error as E;
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
            CliError::Vault(E::Signing(results_vault::SigningError::AlreadySigned { .. })) => {
                Some("nothing to do: the record already carries this signature (see `rvault show ID`)")
            }
            CliError::Vault(E::Signing(results_vault::SigningError::UnknownSession { .. })) => {
                Some("use the session_id printed by `rvault sign begin`")
            }
            CliError::Vault(E::TrustRefused(_)) => Some(
                "an anchor must be a CA certificate; a CRL needs its issuing CA in the trust store first (`rvault trust add anchor`)",
            ),
            CliError::Vault(E::Remote(r)) => remote_hint(r),
            CliError::Vault(E::NotFound(_)) => Some("see the record ids with `rvault verify FILE --json`, or ask the portal"),
            CliError::Json { .. } => Some("see README.md for the metadata JSON format"),
            CliError::Output { .. } => Some("check that the folder exists and that you may write to it"),
            CliError::OutputExists { .. } => Some(
                "choose another name, or give --force to replace it (replaced whole; a symbolic link is replaced, not followed)",
            ),
            CliError::Input { .. } => Some("check the file's name and folder, and that you may read it"),
            _ => None,
        }
    }

    pub fn exit_code(&self) -> ExitCode {
        ExitCode::from(match self {
            CliError::Usage(_) => EX_USAGE,
            CliError::Json { .. } => EX_DATAERR,
            CliError::Input { .. } => EX_NOINPUT,
            CliError::Output { .. } | CliError::OutputExists { .. } => EX_CANTCREAT,
            CliError::Report(_) => EX_SOFTWARE,
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
            CliError::Vault(e) => write!(f, "{e}"),
            // A path may name a file after a citizen's ID, and serde quotes the values it
            // refuses: neither is echoed whole (results_vault::redact).
            CliError::Input { path, error } => write!(f, "cannot read {}: {}", shown(path), io(error)),
            CliError::Json { what, error } => write!(f, "{} is not valid: {}", shown(what), redact::json_error(error)),
            CliError::Usage(msg) => f.write_str(msg),
            CliError::Output { path, error } => write!(f, "cannot write {}: {}", shown(path), io(error)),
            CliError::Report(why) => write!(f, "the report could not be written: {why}"),
            CliError::OutputExists { path } => write!(f, "{} already exists: it was left as it is", shown(path)),
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
