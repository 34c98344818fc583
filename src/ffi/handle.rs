//! The `rv_vault` handle: opening, closing, freeing, and how calls reach the vault.

use std::ffi::c_char;
use std::sync::{Arc, RwLock};
use std::time::Duration;

use serde::Deserialize;

use super::boundary::{guard, json_arg, opt_str_arg, out_arg, str_arg, Failure, FfiResult};
use super::rv_result;
use crate::verify::signature::Policy;
use crate::{PdfSignaturePolicy, Vault, VaultOptions};

/// An open vault. Opaque to C: made by `rv_vault_open`, closed by `rv_vault_close`,
/// released by `rv_vault_free`.
///
/// Thread safety: one handle may be used from any number of threads at once. A call
/// that runs while another thread closes the handle finishes on the vault it started
/// with; calls that start after the close return `RV_CLOSED`.
pub struct rv_vault {
    // None once closed. Calls clone the Arc and release the lock at once, so a long
    // verification never blocks a close, and a close never pulls the vault from under
    // a running call.
    vault: RwLock<Option<Arc<Vault>>>,
}

/// How `rv_vault_open` treats the path.
#[derive(Debug, Clone, Copy, Default, Deserialize)]
#[serde(rename_all = "snake_case")]
enum OpenMode {
    /// Open the file, or create it if there is none (the default).
    #[default]
    OpenOrCreate,
    /// The file must exist.
    Open,
    /// The file must not exist.
    Create,
}

/// The options JSON of `rv_vault_open`; every field is optional.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct OpenOptions {
    #[serde(default)]
    mode: OpenMode,
    actor: Option<String>,
    max_content_size: Option<u64>,
    busy_timeout_ms: Option<u64>,
    page_size: Option<u32>,
    signing_session_ttl_seconds: Option<u64>,
    signature_policy: Option<Policy>,
    cache_verdicts: Option<bool>,
    /// `"record"`, `"refuse_failed"` or `"ignore"`; any other value is `RV_INVALID_JSON`.
    pdf_signatures: Option<PdfSignaturePolicy>,
    /// An RFC 3161 TSA for the vault's own signatures (see `rv_vault_open`).
    timestamp_authority: Option<serde_json::Value>,
}

impl OpenOptions {
    fn vault_options(self) -> VaultOptions {
        let mut o = VaultOptions::default();
        if let Some(actor) = self.actor {
            o.actor = actor;
        }
        if let Some(size) = self.max_content_size {
            o.max_content_size = size;
        }
        if let Some(ms) = self.busy_timeout_ms {
            o.busy_timeout = Duration::from_millis(ms);
        }
        if let Some(size) = self.page_size {
            o.page_size = size;
        }
        if let Some(s) = self.signing_session_ttl_seconds {
            o.signing_session_ttl = Duration::from_secs(s);
        }
        if let Some(policy) = self.signature_policy {
            o.signature_policy = policy;
        }
        if let Some(cache) = self.cache_verdicts {
            o.cache_verdicts = cache;
        }
        if let Some(policy) = self.pdf_signatures {
            o.pdf_signatures = policy;
        }
        o
    }
}

/// The vault behind a handle, for one call.
///
/// # Safety
/// `v` is NULL or a handle from `rv_vault_open` that was not freed.
pub(crate) unsafe fn vault_arg(v: *const rv_vault) -> FfiResult<Arc<Vault>> {
    // SAFETY: per the contract, a live handle or NULL.
    let handle = unsafe { v.as_ref() }.ok_or_else(|| Failure::new(rv_result::RV_NULL_PARAMETER, "vault is NULL"))?;
    let guard = handle.vault.read().unwrap_or_else(|poisoned| poisoned.into_inner());
    guard
        .clone()
        .ok_or_else(|| Failure::new(rv_result::RV_CLOSED, "the vault was closed (rv_vault_close)"))
}

/// The TSA client of the `"timestamp_authority"` open option.
fn timestamper(json: &serde_json::Value) -> FfiResult<crate::SharedTimestamper> {
    let refused = |e: crate::SigningError| Failure::new(rv_result::RV_INVALID_ARGUMENT, e.to_string());
    let config = crate::remote::tsa::TsaConfig::from_json(&json.to_string())
        .map_err(refused)?
        .ok_or_else(|| Failure::new(rv_result::RV_INVALID_ARGUMENT, "timestamp_authority: no \"url\""))?;
    Ok(Arc::new(crate::remote::tsa::TsaClient::new(config).map_err(refused)?))
}

/// Opens the vault file at `path` (UTF-8) and writes a new handle to `*out`.
///
/// `options_json` may be NULL (defaults) or an object with any of: `"mode"`
/// (`"open_or_create"`, the default; `"open"`: the file must exist; `"create"`: it must
/// not), `"actor"` (who the audit log names for ingests), `"max_content_size"` (bytes),
/// `"busy_timeout_ms"` (at most 2147483647), `"page_size"` (a power of two, 512 to
/// 65536), `"signing_session_ttl_seconds"` (at most 31622400: 366 days),
/// `"signature_policy"` (an object: `name`, `require_signing_certificate_attribute`,
/// `require_revocation_data`, `crl_issued_after_signing`, `allow_legacy_algorithms`),
/// `"cache_verdicts"` (bool), `"pdf_signatures"` (what ingest does with a PDF's embedded
/// signatures, verified against the trust store as it stands): `"record"` (the default:
/// the check is kept with the record, see `rv_vault_pdf_check`, and the PDF is stored
/// whatever it says), `"refuse_failed"` (also refuse, with `RV_CONTENT_REFUSED` and
/// nothing stored, a PDF whose signatures are FAILED: tampered, modified after signing,
/// signer revoked before signing; or that cannot be read as a PDF. Content is taken for a
/// PDF when its `media_type` is `application/pdf` or its first 1024 bytes hold `%PDF-`.
/// An unsigned or INDETERMINATE PDF is stored with its check), `"ignore"` (not looked
/// at), `"timestamp_authority"` (an RFC 3161 TSA that timestamps the vault's own
/// signatures when a signing session completes, CAdES B-T, the revocation evidence of
/// the acceptance added: B-LT; an object: `"url"` (`https://`; `http://` too when no
/// credentials are given, the token proving itself, else only on loopback),
/// `"username"` + `"password"` (HTTP Basic) or `"bearer_token"`,
/// `"policy_oid"`, `"timeout_seconds"` (default 10), `"ca_file"`; `RVAULT_TSA_*`
/// environment variables fill or override its fields. The token is verified against the
/// trust store before anything is kept; a TSA that fails fails the completion with
/// `RV_SIGNATURE_REFUSED`, nothing stored, the session still open for a retry). Options
/// are not stored in the file: give them at every open. Unknown fields and
/// an unknown `"mode"` or `"pdf_signatures"` value are refused (`RV_INVALID_JSON`); an
/// option out of its range is `RV_INVALID_ARGUMENT`, before any file is created.
///
/// Ownership: on `RV_OK`, `*out` is a new handle owned by the caller: close it with
/// `rv_vault_close` and release it with `rv_vault_free`. On failure `*out` is untouched.
///
/// # Safety
/// `path` and `options_json` are NULL or NUL-terminated strings; `out` is NULL or
/// writable.
#[no_mangle]
pub unsafe extern "C" fn rv_vault_open(
    path: *const c_char,
    options_json: *const c_char,
    out: *mut *mut rv_vault,
) -> rv_result {
    guard(|| {
        // SAFETY: forwarded contract.
        let out = unsafe { out_arg(out, "out") }?;
        // SAFETY: forwarded contract.
        let path = unsafe { str_arg(path, "path") }?;
        // SAFETY: forwarded contract.
        let options: OpenOptions = match unsafe { opt_str_arg(options_json, "options_json") }? {
            Some(text) => json_arg(text, "options_json")?,
            None => OpenOptions::default(),
        };
        let mode = options.mode;
        let timestamper = match &options.timestamp_authority {
            Some(tsa) => Some(timestamper(tsa)?),
            None => None,
        };
        let options = VaultOptions {
            timestamper,
            ..options.vault_options()
        };
        let vault = match mode {
            OpenMode::OpenOrCreate => Vault::open_or_create(path, options),
            OpenMode::Open => Vault::open(path, options),
            OpenMode::Create => Vault::create(path, options),
        }?;
        let handle = Box::new(rv_vault {
            vault: RwLock::new(Some(Arc::new(vault))),
        });
        *out = Box::into_raw(handle);
        Ok(())
    })
}

/// Closes the vault: its file is released once calls already running on other threads
/// return. Later calls on the handle return `RV_CLOSED` (a second close too). The
/// handle itself stays allocated until `rv_vault_free`.
///
/// # Safety
/// `v` is NULL or a handle from `rv_vault_open` that was not freed.
#[no_mangle]
pub unsafe extern "C" fn rv_vault_close(v: *mut rv_vault) -> rv_result {
    guard(|| {
        // SAFETY: per the contract, a live handle or NULL.
        let handle =
            unsafe { v.as_ref() }.ok_or_else(|| Failure::new(rv_result::RV_NULL_PARAMETER, "vault is NULL"))?;
        let mut slot = handle.vault.write().unwrap_or_else(|poisoned| poisoned.into_inner());
        match slot.take() {
            Some(_) => Ok(()),
            None => Err(Failure::new(rv_result::RV_CLOSED, "the vault was already closed")),
        }
    })
}

/// Releases the handle (closing the vault first if it is open). NULL is ignored.
/// After this call the handle must not be used again by any thread: that is undefined
/// behaviour, which the library cannot detect. Free a handle only once no other thread
/// can still be using it.
///
/// # Safety
/// `v` is NULL or a handle from `rv_vault_open` that was not freed.
#[no_mangle]
pub unsafe extern "C" fn rv_vault_free(v: *mut rv_vault) {
    if v.is_null() {
        return;
    }
    let _ = std::panic::catch_unwind(|| {
        // SAFETY: made by Box::into_raw in rv_vault_open, freed once per the contract.
        drop(unsafe { Box::from_raw(v) });
    });
}

/// The path of the vault's file, as given to `rv_vault_open`.
///
/// Ownership: on `RV_OK`, `*out_path` is a new string: free it with `rv_string_free`.
///
/// # Safety
/// `v` is NULL or a live handle; `out_path` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn rv_vault_path(v: *const rv_vault, out_path: *mut *mut c_char) -> rv_result {
    guard(|| {
        // SAFETY: forwarded contract.
        let out = unsafe { out_arg(out_path, "out_path") }?;
        // SAFETY: forwarded contract.
        let vault = unsafe { vault_arg(v) }?;
        let text = vault.path().to_string_lossy().into_owned();
        *out = std::ffi::CString::new(text)
            .map_err(|_| Failure::new(rv_result::RV_INVALID_ARGUMENT, "path holds NUL"))?
            .into_raw();
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pdf_ingest_policy_is_an_option_and_unknown_values_are_refused() {
        assert_eq!(
            OpenOptions::default().vault_options().pdf_signatures,
            PdfSignaturePolicy::Record
        );
        for (name, policy) in [
            ("record", PdfSignaturePolicy::Record),
            ("refuse_failed", PdfSignaturePolicy::RefuseFailed),
            ("ignore", PdfSignaturePolicy::Ignore),
        ] {
            let o: OpenOptions = json_arg(&format!(r#"{{"pdf_signatures":"{name}"}}"#), "options_json").unwrap();
            assert_eq!(o.vault_options().pdf_signatures, policy, "{name}");
        }
        for bad in [r#""refuse""#, r#""RefuseFailed""#, r#""REFUSE_FAILED""#, "1", "{}"] {
            let failure =
                json_arg::<OpenOptions>(&format!(r#"{{"pdf_signatures":{bad}}}"#), "options_json").unwrap_err();
            assert_eq!(failure.code, rv_result::RV_INVALID_JSON, "{bad}");
            assert!(failure.message.contains("expected"), "{bad}: {}", failure.message);
        }
    }
}
