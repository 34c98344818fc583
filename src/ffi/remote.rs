//! Signing through a remote provider (CSC API v2, VNPT SmartCA, Viettel MySign) through
//! the C ABI: the library calls the provider, polls until the officer approves on the
//! phone, verifies the answer and stores the signature, with the crash-safe state machine
//! of [`crate::Vault::sign_remote`].
//!
//! These calls block while they wait (up to `wait_seconds` plus one HTTP timeout): a
//! portal calls them from a worker, never from a request thread that must answer fast.
//! A call that stops waiting before the officer approved returns `RV_PROVIDER_PENDING`
//! and leaves the request pending at the provider; `rv_vault_resume_remote` goes on with
//! it, in this process or after a restart.

use std::ffi::c_char;
use std::sync::Mutex;
use std::time::Duration;

use serde::Deserialize;

use super::boundary::{answer_json, json_arg, opt_str_arg, str_arg, Failure, FfiResult};
use super::handle::{rv_vault, vault_arg};
use super::records::id_arg;
use super::rv_result;
use crate::remote::config::ProviderConfig;
use crate::remote::{Provider, RemoteError, RemoteRequest, RemoteSigningOptions};
use crate::verify::crypto::DigestAlgorithm;

/// The shortest pause between two polls: a provider is never polled in a busy loop.
const MIN_POLL_INTERVAL_MS: u64 = 10;

/// The options JSON of `rv_vault_sign_remote` and `rv_vault_resume_remote`; every field
/// is optional.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RemoteOptions {
    wait_seconds: Option<u64>,
    poll_interval_ms: Option<u64>,
    max_poll_interval_ms: Option<u64>,
    digest: Option<DigestAlgorithm>,
    description: Option<String>,
}

impl RemoteOptions {
    /// The options JSON; NULL gives the defaults.
    ///
    /// # Safety
    /// `options_json` is NULL or a NUL-terminated string.
    unsafe fn read(options_json: *const c_char) -> FfiResult<RemoteOptions> {
        // SAFETY: forwarded contract.
        match unsafe { opt_str_arg(options_json, "options_json") }? {
            None => Ok(RemoteOptions::default()),
            Some(text) => json_arg(text, "options_json"),
        }
    }

    fn signing_options<'a>(self) -> RemoteSigningOptions<'a> {
        let mut o = RemoteSigningOptions::default();
        if let Some(s) = self.wait_seconds {
            o.wait = Duration::from_secs(s);
        }
        if let Some(ms) = self.poll_interval_ms {
            o.poll_interval = Duration::from_millis(ms.max(MIN_POLL_INTERVAL_MS));
        }
        if let Some(ms) = self.max_poll_interval_ms {
            o.max_poll_interval = Duration::from_millis(ms.max(MIN_POLL_INTERVAL_MS));
        }
        if let Some(digest) = self.digest {
            o.digest = digest;
        }
        o.description = self.description;
        o
    }
}

/// The provider client for `provider` from `config_json` (NULL: the environment only).
/// Neither the JSON nor any of its values is ever put in a message.
///
/// # Safety
/// `provider` and `config_json` are NULL or NUL-terminated strings.
unsafe fn provider_arg(
    provider: *const c_char,
    config_json: *const c_char,
) -> FfiResult<Box<dyn Provider + Send + Sync>> {
    // SAFETY: forwarded contract.
    let provider = unsafe { str_arg(provider, "provider") }?;
    // SAFETY: forwarded contract.
    let json = unsafe { opt_str_arg(config_json, "config_json") }?.unwrap_or("");
    let config = ProviderConfig::from_json(provider, json).map_err(config_failure)?;
    config.client().map_err(config_failure)
}

/// A configuration error as a failure. serde quotes values in its messages (the value
/// of a PIN given as a number, after `invalid type: integer`): the configuration's
/// messages describe them instead ([`crate::redact::json_error`]), and any personal ID
/// left is masked, so that a mistyped secret or ID never reaches a log through
/// `rv_last_error_message`.
fn config_failure(e: RemoteError) -> Failure {
    let mut failure = Failure::from(crate::Error::from(e));
    failure.message = crate::redact::mask_personal_ids(&failure.message);
    failure
}

/// Signs stored result `result_id` through a remote signing provider and stores the
/// signature: asks the provider for the configured officer's certificate, begins a
/// signing session, sends the hash to sign, then polls (with backoff) until the officer
/// approves on the phone, refuses, or `wait_seconds` runs out. The answer is verified as
/// `rv_vault_complete_signing_raw` does (it must cover exactly the hash sent and verify
/// under the certificate the provider named, which must be the configured signer's)
/// before anything is stored. The request is stored before the provider is called and
/// the provider's transaction id as soon as it answers, so a crash never sends it twice.
///
/// BLOCKING: this call blocks the calling thread while it waits for the officer, up to
/// `wait_seconds` (default 300) plus one HTTP timeout; call it from a worker thread.
/// Closing the vault from another thread does not interrupt it (the file is released
/// when it returns).
///
/// `provider` is `"csc"`, `"vnpt-smartca"` or `"viettel-mysign"`. `config_json` is that
/// provider's configuration as a JSON object (NULL: the environment only), e.g. for
/// `"vnpt-smartca"`: `base_url` (`https://`; plain `http://` only on 127.0.0.1 or
/// localhost), `sp_id`, `sp_password`, `user_id` (the officer's CCCD or tax code, whose
/// digits the certificate's subject must hold), and optionally `serial_number`,
/// `answer` (`"cms"`, the default, or `"raw"`), `timeout_seconds`, `ca_file`,
/// `certificate_sha256` (pins the officer's certificate: any other is refused). `"csc"`
/// takes `base_url`, `access_token` or `username` + `password`, `credential_id`,
/// `user_id`, `pin`, `otp`, `async`; `"viettel-mysign"` takes `base_url`, `client_id`,
/// `client_secret`, `profile_id`, `user_id`, `credential_id`, `answer`. Environment
/// variables `RVAULT_CSC_<FIELD>`, `RVAULT_SMARTCA_<FIELD>`, `RVAULT_MYSIGN_<FIELD>` (the
/// field's name in capitals, e.g. `RVAULT_SMARTCA_SP_PASSWORD`) fill or override fields,
/// so that secrets can stay out of the portal's code. Secrets are never put in a message.
///
/// `options_json` may be NULL (defaults) or an object with any of: `"wait_seconds"`
/// (how long this call waits for the approval; default 300), `"poll_interval_ms"` (the
/// first pause between two polls, growing by half each time; default 2000, at least
/// 10), `"max_poll_interval_ms"` (default 10000), `"digest"` (`"SHA-256"`, the default,
/// `"SHA-384"`, `"SHA-512"`), `"description"` (what the officer sees; default the
/// record's document type and number). Unknown fields are refused (`RV_INVALID_JSON`).
///
/// `*out_json` is the stored signature, as `rv_vault_complete_signing_raw` returns it
/// (`result_id`, `sha256`, `cms`, `signer_certificate`, `source` with the `session_id`,
/// `proof_of_existence`, `event_seq`, `acceptance`).
///
/// Codes: `RV_PROVIDER_PENDING` (the officer has not approved within `wait_seconds`: the
/// request stays pending; resume it with `rv_vault_resume_remote`), `RV_PROVIDER_DECLINED`
/// (refused on the phone, not approved in time, certificate revoked, quota, credentials:
/// the session is ended, nothing stored), `RV_PROVIDER_UNREACHABLE`,
/// `RV_PROVIDER_BAD_ANSWER` (malformed answer, or a certificate that is not the
/// configured signer's), `RV_PROVIDER_OUTCOME_UNKNOWN`, `RV_PROVIDER_CONFIG` (unknown
/// provider, missing or invalid field), `RV_SIGNATURE_REFUSED` (the answer does not
/// verify), `RV_SIGNING_REQUEST_REFUSED`, `RV_NOT_FOUND` (no such result), and the
/// argument codes.
///
/// THE SESSION ID: when a failure happens after the signing session was begun, the
/// message (`rv_last_error_message`) names it as `signing session <session_id>` (a
/// 26-character ULID). In particular after `RV_PROVIDER_PENDING` the caller takes the
/// session id from there to call `rv_vault_resume_remote` or `rv_vault_remote_request`.
///
/// Ownership: every argument is only read during the call. On `RV_OK`, `*out_json` is a
/// new string owned by the caller: free it with `rv_string_free`. On failure it is
/// untouched.
///
/// # Safety
/// `v` NULL or a live handle; `provider`, `config_json`, `result_id`, `options_json`
/// NULL or NUL-terminated strings; `out_json` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn rv_vault_sign_remote(
    v: *const rv_vault,
    provider: *const c_char,
    config_json: *const c_char,
    result_id: *const c_char,
    options_json: *const c_char,
    out_json: *mut *mut c_char,
) -> rv_result {
    // SAFETY: the contract above.
    unsafe {
        answer_json(out_json, || {
            let vault = vault_arg(v)?;
            let id = id_arg(result_id)?;
            let mut options = RemoteOptions::read(options_json)?.signing_options();
            let client = provider_arg(provider, config_json)?;
            // The session id, as soon as the request is stored: the caller needs it to resume.
            let began: Mutex<Option<String>> = Mutex::new(None);
            let progress = |request: &RemoteRequest| {
                let mut slot = began.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
                if slot.is_none() {
                    *slot = Some(request.session_id.clone());
                }
            };
            options.progress = Some(&progress);
            vault.sign_remote(&id, client.as_ref(), &options).map_err(|e| {
                let mut failure = Failure::from(e);
                let session = began.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).take();
                if let Some(session_id) = session {
                    if !failure.message.contains(&session_id) {
                        failure.message = format!("{} (signing session {session_id})", failure.message);
                    }
                }
                failure
            })
        })
    }
}

/// Goes on with the remote signing session `session_id` after `RV_PROVIDER_PENDING` or a
/// restart: polls the provider's transaction until the officer approves, refuses or
/// `wait_seconds` runs out, and stores the verified signature. The request is never sent
/// again; an answer already received is completed; a session already completed returns
/// its signature. A request that was being sent when the process stopped is looked up
/// by the vault's own id where the provider's API allows (VNPT SmartCA); otherwise it is
/// marked unknown and `RV_PROVIDER_OUTCOME_UNKNOWN` returned.
///
/// BLOCKING: as `rv_vault_sign_remote`, up to `wait_seconds` plus one HTTP timeout; call
/// it from a worker thread.
///
/// `provider`, `config_json` and `options_json` as for `rv_vault_sign_remote` (the
/// provider must be the one the session was sent to, else `RV_PROVIDER_CONFIG`;
/// `"digest"` is ignored: the session has its own). `*out_json` is the stored signature.
///
/// Codes: as `rv_vault_sign_remote`; also `RV_PROVIDER_DECLINED` for a session that
/// already ended at the provider, `RV_PROVIDER_CONFIG` for a session that was not sent
/// to a provider, `RV_NOT_FOUND` for an unknown session, `RV_SESSION_UNUSABLE` for a
/// session cancelled meanwhile. After `RV_PROVIDER_PENDING` call it again later with the
/// same `session_id`.
///
/// Ownership: every argument is only read during the call. On `RV_OK`, `*out_json` is a
/// new string owned by the caller: free it with `rv_string_free`. On failure it is
/// untouched.
///
/// # Safety
/// `v` NULL or a live handle; `provider`, `config_json`, `session_id`, `options_json`
/// NULL or NUL-terminated strings; `out_json` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn rv_vault_resume_remote(
    v: *const rv_vault,
    provider: *const c_char,
    config_json: *const c_char,
    session_id: *const c_char,
    options_json: *const c_char,
    out_json: *mut *mut c_char,
) -> rv_result {
    // SAFETY: the contract above.
    unsafe {
        answer_json(out_json, || {
            let vault = vault_arg(v)?;
            let session_id = str_arg(session_id, "session_id")?;
            let options = RemoteOptions::read(options_json)?.signing_options();
            let client = provider_arg(provider, config_json)?;
            Ok(vault.resume_remote(session_id, client.as_ref(), &options)?)
        })
    }
}

/// Where the provider request of signing session `session_id` stands, as the vault
/// stored it: it only reads the vault and never calls the provider. `*out_json` is the request: `session_id`, `provider`,
/// `client_request_id` (the vault's id, sent to the provider), `provider_transaction_id`
/// (or null), `state` (`"sending"`, `"waiting"`, `"approved"`, `"rejected"`,
/// `"expired"`, `"failed"`, `"unknown"`), `detail` (why it ended, or null), `outcome`
/// (the provider's typed refusal, e.g. `{"kind":"rejected_by_user"}`, or null), `polls`,
/// `created_at`, `updated_at`. `RV_NOT_FOUND` if no session has this id or the session
/// was not sent to a provider.
///
/// Ownership: `session_id` is only read. On `RV_OK`, `*out_json` is a new string owned
/// by the caller: free it with `rv_string_free`. On failure it is untouched.
///
/// # Safety
/// `v` NULL or a live handle; `session_id` NULL or a NUL-terminated string; `out_json`
/// NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn rv_vault_remote_request(
    v: *const rv_vault,
    session_id: *const c_char,
    out_json: *mut *mut c_char,
) -> rv_result {
    // SAFETY: the contract above.
    unsafe {
        answer_json(out_json, || {
            let vault = vault_arg(v)?;
            let session_id = str_arg(session_id, "session_id")?;
            match vault.remote_request(session_id)? {
                Some(request) => Ok(request),
                None => {
                    // An unknown session says so (RV_NOT_FOUND); a local one is not remote.
                    vault.signing_session(session_id)?;
                    Err(Failure::new(
                        rv_result::RV_NOT_FOUND,
                        format!("signing session {session_id} was not sent to a provider"),
                    ))
                }
            }
        })
    }
}

/// The provider requests a restarted portal must resume, oldest first: those still
/// `"sending"`, `"waiting"` or `"approved"` whose signing session is not completed. It only
/// reads the vault and never calls a provider. Resume each with `rv_vault_resume_remote`
/// (its `session_id` and `provider`, with that provider's configuration): a `"waiting"`
/// one is polled again, an `"approved"` one completed, a `"sending"` one looked up by its
/// `client_request_id` where the provider allows it (else marked `"unknown"`:
/// `RV_PROVIDER_OUTCOME_UNKNOWN`).
///
/// `*out_json` is a JSON array (empty when nothing is unfinished) of requests, each as
/// `rv_vault_remote_request` gives it: `session_id`, `provider`, `client_request_id`,
/// `provider_transaction_id`, `state`, `detail`, `outcome`, `polls`, `created_at`,
/// `updated_at`. The remote calls are part of every `capi` build (the feature enables
/// `remote`), so this function is always there.
///
/// Ownership: on `RV_OK`, `*out_json` is a new string owned by the caller: free it with
/// `rv_string_free`. On failure it is untouched.
///
/// # Safety
/// `v` NULL or a live handle; `out_json` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn rv_vault_unfinished_remote_requests(
    v: *const rv_vault,
    out_json: *mut *mut c_char,
) -> rv_result {
    // SAFETY: the contract above.
    unsafe { answer_json(out_json, || Ok(vault_arg(v)?.unfinished_remote_requests()?)) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn options_are_read_with_bounds() {
        let o: RemoteOptions = json_arg(
            r#"{"wait_seconds":1,"poll_interval_ms":0,"max_poll_interval_ms":5,"digest":"SHA-384"}"#,
            "options_json",
        )
        .unwrap();
        let o = o.signing_options();
        assert_eq!(o.wait, Duration::from_secs(1));
        assert_eq!(o.poll_interval, Duration::from_millis(MIN_POLL_INTERVAL_MS));
        assert_eq!(o.max_poll_interval, Duration::from_millis(MIN_POLL_INTERVAL_MS));
        assert_eq!(o.digest, DigestAlgorithm::Sha384);
        let unknown = json_arg::<RemoteOptions>(r#"{"wait":1}"#, "options_json").unwrap_err();
        assert_eq!(unknown.code, rv_result::RV_INVALID_JSON);
    }

    #[test]
    fn a_bad_configuration_is_a_config_failure_without_its_secret() {
        let provider = c"vnpt-smartca";
        let config = c"{\"base_url\":\"http://provider.example\",\"sp_id\":\"sp\",\"sp_password\":\"hunter2-secret\",\"user_id\":\"001088012345\"}";
        // SAFETY: static C strings.
        let failure = unsafe { provider_arg(provider.as_ptr(), config.as_ptr()) }
            .err()
            .unwrap();
        assert_eq!(failure.code, rv_result::RV_PROVIDER_CONFIG);
        assert!(failure.message.contains("https://"), "{}", failure.message);
        assert!(!failure.message.contains("hunter2"), "{}", failure.message);
        // SAFETY: static C strings.
        let unknown = unsafe { provider_arg(c"acme".as_ptr(), std::ptr::null()) }
            .err()
            .unwrap();
        assert_eq!(unknown.code, rv_result::RV_PROVIDER_CONFIG);
    }

    #[test]
    fn a_mistyped_secret_is_not_echoed() {
        for (provider, config, secret) in [
            (c"csc", c"{\"base_url\":\"https://x\",\"access_token\":\"t\",\"pin\":938271}", "938271"),
            (
                c"vnpt-smartca",
                c"{\"base_url\":\"https://x\",\"sp_id\":\"a\",\"sp_password\":\"p\",\"user_id\":\"1\",\"timeout_seconds\":\"s3\\\"cret\"}",
                "cret",
            ),
            (
                c"vnpt-smartca",
                c"{\"base_url\":\"https://x\",\"sp_id\":\"a\",\"sp_password\":\"p\",\"user_id\":\"1\",\"answer\":\"s3cret\"}",
                "s3cret",
            ),
        ] {
            // SAFETY: static C strings.
            let failure = unsafe { provider_arg(provider.as_ptr(), config.as_ptr()) }.err().unwrap();
            assert_eq!(failure.code, rv_result::RV_PROVIDER_CONFIG);
            assert!(!failure.message.contains(secret), "{}", failure.message);
            assert!(failure.message.contains(", expected"), "{}", failure.message);
        }
        assert_eq!(
            crate::redact::serde_message("csc: invalid type: integer `1`, expected a string"),
            "csc: invalid type: integer (1 digit), expected a string"
        );
        assert_eq!(
            crate::redact::serde_message("x: unknown variant `s`, expected `raw` or `cms`"),
            "x: unknown variant (1 character), expected `raw` or `cms`"
        );
        assert_eq!(
            crate::redact::serde_message("x: missing field `sp_id`"),
            "x: missing field `sp_id`"
        );
    }
}
