//! What every exported function shares: the result codes, the panic boundary, the
//! thread's last error message, reading arguments and writing outputs.

use std::cell::RefCell;
use std::ffi::{c_char, c_int, CStr, CString};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::ptr;

use serde::de::DeserializeOwned;
use serde::Serialize;
use time::OffsetDateTime;

use crate::error::Error;
use crate::remote::RemoteError;
use crate::signing::SigningError;

/// The outcome of a call. `RV_OK` is 0; every other value is a failure, whose message
/// [`rv_last_error_message`] gives. New codes are only ever appended: a value never
/// changes meaning, so a caller built against fewer codes treats a new one as unknown.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum rv_result {
    /// Success: the out-params were written.
    RV_OK = 0,
    /// A required pointer argument was NULL.
    RV_NULL_PARAMETER = 1,
    /// A string argument is not valid UTF-8.
    RV_INVALID_UTF8 = 2,
    /// A JSON argument cannot be read as what it stands for: not JSON, a missing or
    /// unknown field, a wrong type, or a value of the wrong form (e.g. a malformed date).
    RV_INVALID_JSON = 3,
    /// An argument was read but refused by the vault's checks: a field's value (an empty
    /// code, a malformed personal ID), an option out of its range, or a plain argument (id,
    /// hash, time outside 1970 through 9998, algorithm name, certificate bytes, a length
    /// above `PTRDIFF_MAX`).
    RV_INVALID_ARGUMENT = 4,
    /// The handle was closed with `rv_vault_close`.
    RV_CLOSED = 5,
    /// No result, session, item or kept CRL with this id.
    RV_NOT_FOUND = 6,
    /// Another result already holds this dossier + procedure + document number.
    RV_CONFLICT = 7,
    /// Stored content no longer matches its SHA-256.
    RV_INTEGRITY = 8,
    /// A status change the result's current status does not allow.
    RV_INVALID_TRANSITION = 9,
    /// A certificate or CRL offered to the trust store was refused.
    RV_TRUST_REFUSED = 10,
    /// A signing request was refused (certificate chain, digest, key type).
    RV_SIGNING_REQUEST_REFUSED = 11,
    /// The signing session expired, was cancelled, or was completed with another reply
    /// (an unknown session is `RV_NOT_FOUND`).
    RV_SESSION_UNUSABLE = 12,
    /// A signature (a provider's reply or an attached CMS) was read or verified and refused.
    RV_SIGNATURE_REFUSED = 13,
    /// A reuse request without a full requester.
    RV_REUSE_REFUSED = 14,
    /// Content empty or larger than the vault accepts, or a PDF refused at ingest under
    /// the open option `"pdf_signatures": "refuse_failed"` (FAILED signatures, or not
    /// readable as a PDF).
    RV_CONTENT_REFUSED = 15,
    /// The file: missing, already there, not a vault, written by a newer version, corrupt.
    RV_FILE = 16,
    /// Reading or writing failed (I/O, SQLite).
    RV_STORAGE = 17,
    /// Stored data could not be decoded (a bug, or an edit behind the vault's back).
    RV_MALFORMED_DATA = 18,
    /// A bug in the library: a panic was caught at the boundary. Please report it.
    RV_PANIC = 19,
    /// A PDF given to be verified cannot be read: not a PDF, malformed, beyond the
    /// verifier's bounds (nesting, sizes, work) or using a feature it does not handle
    /// (encryption). A PDF that is read but badly signed is a verdict, not this code.
    RV_PDF_UNREADABLE = 20,
    /// A remote provider declined to sign: the officer refused on the phone, did not
    /// approve in time, the certificate is revoked or expired at the provider, the quota is
    /// used up, credentials were refused; or the session already ended so. The message
    /// says which; the session is ended, nothing was stored.
    RV_PROVIDER_DECLINED = 21,
    /// A remote provider could not be reached (connection, TLS, timeout). Nothing was
    /// stored; a request that may have been received is resumable.
    RV_PROVIDER_UNREACHABLE = 22,
    /// A remote provider answered something malformed (JSON, base64, status), or named a
    /// certificate that is not the configured signer's. Nothing was stored.
    RV_PROVIDER_BAD_ANSWER = 23,
    /// The signer has not approved yet: the request is pending at the provider; resume
    /// the session later (`rv_vault_resume_remote`).
    RV_PROVIDER_PENDING = 24,
    /// Whether the provider received the request is unknown and it cannot be looked up:
    /// it is not resent. Check with the provider, then cancel the session.
    RV_PROVIDER_OUTCOME_UNKNOWN = 25,
    /// The provider configuration is invalid or incomplete, or the session belongs to
    /// another provider or to none.
    RV_PROVIDER_CONFIG = 26,
}

/// A failure on its way to C: the code and the message.
#[derive(Debug)]
pub(crate) struct Failure {
    pub(crate) code: rv_result,
    pub(crate) message: String,
}

impl Failure {
    pub(crate) fn new(code: rv_result, message: impl Into<String>) -> Failure {
        Failure {
            code,
            message: message.into(),
        }
    }
}

pub(crate) type FfiResult<T> = Result<T, Failure>;

impl From<Error> for Failure {
    fn from(e: Error) -> Failure {
        use rv_result::*;
        let code = match &e {
            Error::InvalidField(_) | Error::InvalidOption { .. } => RV_INVALID_ARGUMENT,
            Error::EmptyContent | Error::ContentTooLarge { .. } | Error::PdfSignatureRefused(_) => RV_CONTENT_REFUSED,
            Error::NotFound(_) => RV_NOT_FOUND,
            Error::Conflict { .. } => RV_CONFLICT,
            Error::Integrity { .. } => RV_INTEGRITY,
            Error::InvalidTransition { .. } => RV_INVALID_TRANSITION,
            Error::TrustRefused(_) => RV_TRUST_REFUSED,
            Error::Signing(s) => signing_code(s),
            Error::Remote(r) => remote_code(r),
            Error::ReuseRefused(_) => RV_REUSE_REFUSED,
            Error::NewerSchema { .. } | Error::NotAVault { .. } | Error::Corrupt { .. } | Error::Path { .. } => RV_FILE,
            Error::Io(_) | Error::Storage(_) => RV_STORAGE,
            Error::Malformed(_) => RV_MALFORMED_DATA,
        };
        Failure::new(code, e.to_string())
    }
}

fn signing_code(e: &SigningError) -> rv_result {
    use rv_result::*;
    match e {
        SigningError::UnknownSession { .. } => RV_NOT_FOUND,
        SigningError::Expired { .. }
        | SigningError::Cancelled { .. }
        | SigningError::AlreadyCompleted { .. }
        | SigningError::AlreadySigned { .. } => RV_SESSION_UNUSABLE,
        SigningError::HashSigningUnsupported
        | SigningError::BadCertificateChain(_)
        | SigningError::BadRequest(_)
        | SigningError::Signer(_) => RV_SIGNING_REQUEST_REFUSED,
        _ => RV_SIGNATURE_REFUSED,
    }
}

fn remote_code(e: &RemoteError) -> rv_result {
    use rv_result::*;
    match e {
        RemoteError::Declined { .. } | RemoteError::Ended { .. } => RV_PROVIDER_DECLINED,
        RemoteError::Transport { .. } => RV_PROVIDER_UNREACHABLE,
        RemoteError::MalformedAnswer { .. } | RemoteError::WrongCertificate { .. } => RV_PROVIDER_BAD_ANSWER,
        RemoteError::StillWaiting { .. } => RV_PROVIDER_PENDING,
        RemoteError::OutcomeUnknown { .. } => RV_PROVIDER_OUTCOME_UNKNOWN,
        _ => RV_PROVIDER_CONFIG,
    }
}

/// A short name of a code (`"RV_NOT_FOUND"`), for logs and exception classes.
/// Ownership: static; never free it. An unknown value gives `"RV_UNKNOWN"`.
#[no_mangle]
pub extern "C" fn rv_result_name(code: c_int) -> *const c_char {
    // Taken as an int, not as rv_result: a value from C outside the enum would be UB.
    let name: &'static CStr = match code {
        0 => c"RV_OK",
        1 => c"RV_NULL_PARAMETER",
        2 => c"RV_INVALID_UTF8",
        3 => c"RV_INVALID_JSON",
        4 => c"RV_INVALID_ARGUMENT",
        5 => c"RV_CLOSED",
        6 => c"RV_NOT_FOUND",
        7 => c"RV_CONFLICT",
        8 => c"RV_INTEGRITY",
        9 => c"RV_INVALID_TRANSITION",
        10 => c"RV_TRUST_REFUSED",
        11 => c"RV_SIGNING_REQUEST_REFUSED",
        12 => c"RV_SESSION_UNUSABLE",
        13 => c"RV_SIGNATURE_REFUSED",
        14 => c"RV_REUSE_REFUSED",
        15 => c"RV_CONTENT_REFUSED",
        16 => c"RV_FILE",
        17 => c"RV_STORAGE",
        18 => c"RV_MALFORMED_DATA",
        19 => c"RV_PANIC",
        20 => c"RV_PDF_UNREADABLE",
        21 => c"RV_PROVIDER_DECLINED",
        22 => c"RV_PROVIDER_UNREACHABLE",
        23 => c"RV_PROVIDER_BAD_ANSWER",
        24 => c"RV_PROVIDER_PENDING",
        25 => c"RV_PROVIDER_OUTCOME_UNKNOWN",
        26 => c"RV_PROVIDER_CONFIG",
        _ => c"RV_UNKNOWN",
    };
    name.as_ptr()
}

thread_local! {
    static LAST_ERROR: RefCell<CString> = RefCell::new(CString::default());
}

fn set_last_error(message: String) {
    // A message never holds NUL (it is built from Rust strings), but be safe.
    let message = CString::new(message.replace('\0', " ")).unwrap_or_default();
    LAST_ERROR.with(|cell| *cell.borrow_mut() = message);
}

/// The message of the last failed call on the calling thread (empty if none failed).
/// It never holds a personal ID in full.
/// Ownership: the library's; valid until the next failing call on the same thread.
/// Copy it before calling again; never free it.
#[no_mangle]
pub extern "C" fn rv_last_error_message() -> *const c_char {
    LAST_ERROR.with(|cell| cell.borrow().as_ptr())
}

/// Runs `body` inside the panic boundary and turns its outcome into a code. The last
/// error message is set on failure only: a successful call costs no allocation.
pub(crate) fn guard(body: impl FnOnce() -> FfiResult<()>) -> rv_result {
    match catch_unwind(AssertUnwindSafe(body)) {
        Ok(Ok(())) => rv_result::RV_OK,
        Ok(Err(failure)) => {
            set_last_error(failure.message);
            failure.code
        }
        Err(payload) => {
            let what = payload
                .downcast_ref::<&str>()
                .map(|s| (*s).to_owned())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown".to_owned());
            set_last_error(format!(
                "internal error (a bug in results-vault, please report it): {what}"
            ));
            rv_result::RV_PANIC
        }
    }
}

// ---- Arguments ----

fn null(name: &str) -> Failure {
    Failure::new(rv_result::RV_NULL_PARAMETER, format!("{name} is NULL"))
}

/// A required NUL-terminated UTF-8 string.
///
/// # Safety
/// `p` is NULL or points to a NUL-terminated string that outlives the call.
pub(crate) unsafe fn str_arg<'a>(p: *const c_char, name: &str) -> FfiResult<&'a str> {
    if p.is_null() {
        return Err(null(name));
    }
    // SAFETY: non-NULL and NUL-terminated, per the caller's contract.
    let s = unsafe { CStr::from_ptr(p) };
    s.to_str()
        .map_err(|e| Failure::new(rv_result::RV_INVALID_UTF8, format!("{name} is not valid UTF-8: {e}")))
}

/// An optional string: NULL gives `None`.
///
/// # Safety
/// As [`str_arg`].
pub(crate) unsafe fn opt_str_arg<'a>(p: *const c_char, name: &str) -> FfiResult<Option<&'a str>> {
    if p.is_null() {
        Ok(None)
    } else {
        // SAFETY: forwarded contract.
        unsafe { str_arg(p, name) }.map(Some)
    }
}

/// A byte buffer; NULL is accepted only with length 0 (an empty buffer).
///
/// # Safety
/// `p` is NULL or points to `len` readable bytes that outlive the call.
pub(crate) unsafe fn bytes_arg<'a>(p: *const u8, len: usize, name: &str) -> FfiResult<&'a [u8]> {
    if p.is_null() {
        return if len == 0 { Ok(&[]) } else { Err(null(name)) };
    }
    // No buffer is larger than isize::MAX bytes (slice::from_raw_parts requires it): such a
    // length is a caller's mistake (a negative length cast to size_t), not a buffer.
    if len > isize::MAX as usize {
        return Err(Failure::new(
            rv_result::RV_INVALID_ARGUMENT,
            format!("{name}: length {len} is larger than any buffer (isize::MAX bytes)"),
        ));
    }
    // SAFETY: non-NULL with `len` readable bytes, per the caller's contract.
    Ok(unsafe { std::slice::from_raw_parts(p, len) })
}

/// A JSON argument parsed into `T`. The message says where and what is wrong, never the
/// value (see [`crate::redact::json_error`]): it may be a personal ID.
pub(crate) fn json_arg<T: DeserializeOwned>(text: &str, name: &str) -> FfiResult<T> {
    serde_json::from_str(text).map_err(|e| {
        Failure::new(
            rv_result::RV_INVALID_JSON,
            format!("{name}: {}", crate::redact::json_error(&e)),
        )
    })
}

/// A value parsed with `FromStr`, its error an invalid argument (the value shown masked
/// and cut, see [`crate::redact::shown_argument`]).
pub(crate) fn parsed<T: std::str::FromStr>(text: &str, name: &str) -> FfiResult<T> {
    text.parse().map_err(|_| {
        Failure::new(
            rv_result::RV_INVALID_ARGUMENT,
            format!("{name}: {:?} is not valid", crate::redact::shown_argument(text)),
        )
    })
}

/// An RFC 3339 time from 1970 through 9998 ([`crate::record::check_instant`]); `None` (a
/// NULL argument) is now.
pub(crate) fn time_arg(text: Option<&str>, name: &str) -> FfiResult<OffsetDateTime> {
    let t = match text {
        None => return Ok(OffsetDateTime::now_utc()),
        Some(t) => OffsetDateTime::parse(t, &time::format_description::well_known::Rfc3339).map_err(|e| {
            Failure::new(
                rv_result::RV_INVALID_ARGUMENT,
                format!(
                    "{name}: {:?} is not an RFC 3339 time ({e})",
                    crate::redact::shown_argument(t)
                ),
            )
        })?,
    };
    crate::record::check_instant("time", t)
        .map_err(|e| Failure::new(rv_result::RV_INVALID_ARGUMENT, format!("{name}: {}", e.reason)))
}

// ---- Outputs ----

/// A required out-param, checked before any work so that a NULL one cannot follow a
/// change that was made.
///
/// # Safety
/// `p` is NULL or valid for writes of a `T` for the call.
pub(crate) unsafe fn out_arg<'a, T>(p: *mut T, name: &str) -> FfiResult<&'a mut T> {
    // SAFETY: non-NULL (checked) and writable, per the caller's contract; it is written
    // once, on success.
    unsafe { p.as_mut() }.ok_or_else(|| null(name))
}

/// An optional out-param: NULL means "not wanted".
///
/// # Safety
/// As [`out_arg`].
pub(crate) unsafe fn opt_out_arg<'a, T>(p: *mut T) -> Option<&'a mut T> {
    // SAFETY: as out_arg; NULL gives None.
    unsafe { p.as_mut() }
}

/// A JSON string for C, freed with [`rv_string_free`].
pub(crate) fn json_out<T: Serialize + ?Sized>(value: &T) -> FfiResult<*mut c_char> {
    let text = serde_json::to_string(value).map_err(|e| {
        Failure::new(
            rv_result::RV_MALFORMED_DATA,
            format!("encoding the answer as JSON: {e}"),
        )
    })?;
    // serde_json escapes NUL, so the text has none.
    Ok(CString::new(text).unwrap_or_default().into_raw())
}

/// A byte buffer for C, freed with [`rv_bytes_free`] and the same length.
pub(crate) fn bytes_out(bytes: Vec<u8>) -> (*mut u8, usize) {
    let boxed = bytes.into_boxed_slice();
    let len = boxed.len();
    (Box::into_raw(boxed).cast::<u8>(), len)
}

/// Frees a string the library returned. NULL is ignored.
///
/// # Safety
/// `s` is NULL or a string returned by this library and not freed before.
#[no_mangle]
pub unsafe extern "C" fn rv_string_free(s: *mut c_char) {
    if s.is_null() {
        return;
    }
    let _ = catch_unwind(|| {
        // SAFETY: made by CString::into_raw in json_out, per the contract.
        drop(unsafe { CString::from_raw(s) });
    });
}

/// Frees a byte buffer the library returned, with the length it returned. NULL is ignored.
///
/// # Safety
/// `p` is NULL or a buffer returned by this library with length `len`, not freed before.
#[no_mangle]
pub unsafe extern "C" fn rv_bytes_free(p: *mut u8, len: usize) {
    if p.is_null() {
        return;
    }
    let _ = catch_unwind(|| {
        // SAFETY: made by Box::into_raw of a boxed slice of `len` bytes in bytes_out.
        drop(unsafe { Box::from_raw(ptr::slice_from_raw_parts_mut(p, len)) });
    });
}

/// The shape of most calls: check the out-param, run `body` in the panic boundary, and
/// write its answer as JSON to `*out` only if everything succeeded.
///
/// # Safety
/// `out` is NULL or valid for writes.
pub(crate) unsafe fn answer_json<T: Serialize>(
    out: *mut *mut c_char,
    body: impl FnOnce() -> FfiResult<T>,
) -> rv_result {
    guard(|| {
        // SAFETY: forwarded contract.
        let out = unsafe { out_arg(out, "out_json") }?;
        let value = body()?;
        *out = json_out(&value)?;
        Ok(())
    })
}

/// As [`answer_json`], for an answer that is a byte buffer.
///
/// # Safety
/// `out` and `out_len` are NULL or valid for writes.
pub(crate) unsafe fn answer_bytes(
    out: *mut *mut u8,
    out_len: *mut usize,
    body: impl FnOnce() -> FfiResult<Vec<u8>>,
) -> rv_result {
    guard(|| {
        // SAFETY: forwarded contract.
        let out = unsafe { out_arg(out, "out_bytes") }?;
        // SAFETY: forwarded contract.
        let out_len = unsafe { out_arg(out_len, "out_len") }?;
        let (p, len) = bytes_out(body()?);
        *out = p;
        *out_len = len;
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn last_error() -> String {
        // SAFETY: the library's thread-local string, read before the next call.
        unsafe { CStr::from_ptr(rv_last_error_message()) }
            .to_string_lossy()
            .into_owned()
    }

    #[test]
    fn a_panic_becomes_rv_panic_with_its_message() {
        let code = guard(|| panic!("boom at the boundary"));
        assert_eq!(code, rv_result::RV_PANIC);
        assert!(last_error().contains("boom at the boundary"), "{}", last_error());
        // The next successful call does not need the message cleared to be RV_OK.
        assert_eq!(guard(|| Ok(())), rv_result::RV_OK);
    }

    #[test]
    fn the_last_error_is_per_thread() {
        assert_eq!(
            guard(|| Err(Failure::new(rv_result::RV_NOT_FOUND, "here"))),
            rv_result::RV_NOT_FOUND
        );
        let other = std::thread::spawn(|| {
            let _ = guard(|| Err(Failure::new(rv_result::RV_CONFLICT, "there")));
            last_error()
        })
        .join()
        .unwrap();
        assert_eq!(other, "there");
        assert_eq!(last_error(), "here");
    }

    #[test]
    fn every_code_has_its_name() {
        for (code, name) in [
            (rv_result::RV_OK, "RV_OK"),
            (rv_result::RV_PANIC, "RV_PANIC"),
            (rv_result::RV_PDF_UNREADABLE, "RV_PDF_UNREADABLE"),
        ] {
            // SAFETY: static C strings.
            let got = unsafe { CStr::from_ptr(rv_result_name(code as c_int)) };
            assert_eq!(got.to_str().unwrap(), name);
        }
        // SAFETY: as above.
        assert_eq!(
            unsafe { CStr::from_ptr(rv_result_name(-1)) }.to_str().unwrap(),
            "RV_UNKNOWN"
        );
    }
}
