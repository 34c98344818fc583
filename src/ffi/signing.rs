//! Two-phase (remote) signing and attached signatures through the C ABI.
//!
//! The portal's flow: `rv_vault_begin_signing` gives a session (JSON) holding what the
//! provider must sign, in hex: `signed_attributes_digest` for a CSC `signHash`,
//! `signed_attributes` for a signer that hashes itself, `envelope_digest` for providers
//! that answer a whole CMS (VNPT SmartCA, Viettel MySign). The provider's answer goes to
//! `rv_vault_complete_signing_raw` or `rv_vault_complete_signing_cms`, which verify it
//! before anything is stored.

use std::ffi::c_char;

use serde::de::DeserializeOwned;

use super::boundary::{answer_json, bytes_arg, opt_str_arg, str_arg, Failure, FfiResult};
use super::handle::{rv_vault, vault_arg};
use super::records::id_arg;
use super::rv_result;
use super::trust::der_items;
use crate::signing::{RawAlgorithm, SignatureReply};
use crate::verify::crypto::DigestAlgorithm;

/// A name spelled as its serde form (`"SHA-256"`, `"RSA_PKCS1"`).
fn named<T: DeserializeOwned>(text: &str, name: &str, expected: &str) -> FfiResult<T> {
    serde_json::from_value(serde_json::Value::String(text.to_owned())).map_err(|_| {
        Failure::new(
            rv_result::RV_INVALID_ARGUMENT,
            format!(
                "{name}: {:?} is not one of {expected}",
                crate::redact::shown_argument(text)
            ),
        )
    })
}

/// Begins a signing session for a stored result. `chain` holds the signer's certificate
/// chain, signer first: PEM (one or more blocks) or DER certificates one after the
/// other. `digest` is `"SHA-256"` (NULL), `"SHA-384"` or `"SHA-512"` (Ed25519 keys:
/// `"SHA-512"`). `*out_json` is the session: `session_id`, `result_id`,
/// `digest_algorithm`, `key`, `certificate_chain`, `envelope_digest`,
/// `signed_attributes`, `signed_attributes_digest`, `signing_time`, `created_at`,
/// `expires_at`, `state`; binary fields in lowercase hex. The session is stored in the
/// vault and survives a restart until it expires.
///
/// Ownership: `chain` is only read. `*out_json`: free with `rv_string_free`.
///
/// # Safety
/// `v` NULL or a live handle; `id`, `digest` NULL or strings; `chain` NULL or
/// `chain_len` bytes; `out_json` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn rv_vault_begin_signing(
    v: *const rv_vault,
    id: *const c_char,
    chain: *const u8,
    chain_len: usize,
    digest: *const c_char,
    out_json: *mut *mut c_char,
) -> rv_result {
    // SAFETY: the contract above.
    unsafe {
        answer_json(out_json, || {
            let vault = vault_arg(v)?;
            let id = id_arg(id)?;
            let chain = der_items(bytes_arg(chain, chain_len, "chain")?, "chain")?;
            let digest: DigestAlgorithm = match opt_str_arg(digest, "digest")? {
                Some(d) => named(d, "digest", "SHA-256, SHA-384, SHA-512")?,
                None => DigestAlgorithm::Sha256,
            };
            Ok(vault.begin_signing(&id, chain, digest)?)
        })
    }
}

/// A signing session by id (the same JSON as `rv_vault_begin_signing`), in whatever
/// state it is: `"OPEN"`, `"COMPLETED"` or `"CANCELLED"`. `RV_NOT_FOUND` if unknown.
///
/// Ownership: free `*out_json` with `rv_string_free`.
///
/// # Safety
/// `v` NULL or a live handle; `session_id` NULL or a string; `out_json` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn rv_vault_signing_session(
    v: *const rv_vault,
    session_id: *const c_char,
    out_json: *mut *mut c_char,
) -> rv_result {
    // SAFETY: the contract above.
    unsafe {
        answer_json(out_json, || {
            let vault = vault_arg(v)?;
            Ok(vault.signing_session(str_arg(session_id, "session_id")?)?)
        })
    }
}

/// Cancels an open session (a reply that comes later is refused). `*out_json` is the
/// session after the change.
///
/// Ownership: free `*out_json` with `rv_string_free`.
///
/// # Safety
/// As `rv_vault_signing_session`.
#[no_mangle]
pub unsafe extern "C" fn rv_vault_cancel_signing(
    v: *const rv_vault,
    session_id: *const c_char,
    out_json: *mut *mut c_char,
) -> rv_result {
    // SAFETY: the contract above.
    unsafe {
        answer_json(out_json, || {
            let vault = vault_arg(v)?;
            Ok(vault.cancel_signing(str_arg(session_id, "session_id")?)?)
        })
    }
}

/// Completes a session with a raw signature value over the session's signed attributes.
/// `algorithm` is `"RSA_PKCS1"`, `"RSA_PSS"`, `"ECDSA"` (DER or raw r||s) or `"ED25519"`.
/// The signature is verified (signer = the session's certificate, chain and CRLs under
/// the vault's policy) before it is stored; on refusal (`RV_SIGNATURE_REFUSED`,
/// `RV_SESSION_UNUSABLE`) nothing is stored and an open session stays open.
/// `*out_json` is the stored signature: `result_id`, `sha256`, `cms` (hex DER),
/// `signer_certificate`, `source`, `proof_of_existence`, `event_seq`, `acceptance`
/// (the verdict). Completing again with the same reply returns the same signature.
///
/// Ownership: `value` is only read. `*out_json`: free with `rv_string_free`.
///
/// # Safety
/// `v` NULL or a live handle; `session_id`, `algorithm` NULL or strings; `value` NULL or
/// `value_len` bytes; `out_json` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn rv_vault_complete_signing_raw(
    v: *const rv_vault,
    session_id: *const c_char,
    algorithm: *const c_char,
    value: *const u8,
    value_len: usize,
    out_json: *mut *mut c_char,
) -> rv_result {
    // SAFETY: the contract above.
    unsafe {
        answer_json(out_json, || {
            let vault = vault_arg(v)?;
            let session_id = str_arg(session_id, "session_id")?;
            let algorithm: RawAlgorithm = named(
                str_arg(algorithm, "algorithm")?,
                "algorithm",
                "RSA_PKCS1, RSA_PSS, ECDSA, ED25519",
            )?;
            let value = bytes_arg(value, value_len, "value")?.to_vec();
            Ok(vault.complete_signing(session_id, SignatureReply::Raw { algorithm, value })?)
        })
    }
}

/// Completes a session with a whole detached CMS over the record's envelope (DER or
/// BER), as VNPT SmartCA and Viettel MySign answer. As `rv_vault_complete_signing_raw`.
///
/// Ownership: `cms` is only read. `*out_json`: free with `rv_string_free`.
///
/// # Safety
/// `v` NULL or a live handle; `session_id` NULL or a string; `cms` NULL or `cms_len`
/// bytes; `out_json` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn rv_vault_complete_signing_cms(
    v: *const rv_vault,
    session_id: *const c_char,
    cms: *const u8,
    cms_len: usize,
    out_json: *mut *mut c_char,
) -> rv_result {
    // SAFETY: the contract above.
    unsafe {
        answer_json(out_json, || {
            let vault = vault_arg(v)?;
            let session_id = str_arg(session_id, "session_id")?;
            let cms = bytes_arg(cms, cms_len, "cms")?.to_vec();
            Ok(vault.complete_signing(session_id, SignatureReply::Cms { cms })?)
        })
    }
}

/// Attaches a detached CMS made elsewhere over the record's envelope (see
/// `rv_vault_envelope`), verified as a completed session's reply is. `*out_json` is the
/// stored signature.
///
/// Ownership: `cms` is only read. `*out_json`: free with `rv_string_free`.
///
/// # Safety
/// `v` NULL or a live handle; `id` NULL or a string; `cms` NULL or `cms_len` bytes;
/// `out_json` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn rv_vault_attach_signature(
    v: *const rv_vault,
    id: *const c_char,
    cms: *const u8,
    cms_len: usize,
    out_json: *mut *mut c_char,
) -> rv_result {
    // SAFETY: the contract above.
    unsafe {
        answer_json(out_json, || {
            let vault = vault_arg(v)?;
            Ok(vault.attach_signature(&id_arg(id)?, bytes_arg(cms, cms_len, "cms")?)?)
        })
    }
}

/// The signatures the vault accepted for a record, oldest first: a JSON array of stored
/// signatures (as `rv_vault_complete_signing_raw` returns them).
///
/// Ownership: free `*out_json` with `rv_string_free`.
///
/// # Safety
/// `v` NULL or a live handle; `id` NULL or a string; `out_json` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn rv_vault_signatures(
    v: *const rv_vault,
    id: *const c_char,
    out_json: *mut *mut c_char,
) -> rv_result {
    // SAFETY: the contract above.
    unsafe { answer_json(out_json, || Ok(vault_arg(v)?.signatures(&id_arg(id)?)?)) }
}

/// The latest verdict kept with each of a record's signatures (same order as
/// `rv_vault_signatures`): a JSON array whose items are a verdict or `null`.
/// `RV_NOT_FOUND` if no record has this id.
///
/// Ownership: free `*out_json` with `rv_string_free`.
///
/// # Safety
/// As `rv_vault_signatures`.
#[no_mangle]
pub unsafe extern "C" fn rv_vault_signature_checks(
    v: *const rv_vault,
    id: *const c_char,
    out_json: *mut *mut c_char,
) -> rv_result {
    // SAFETY: the contract above.
    unsafe { answer_json(out_json, || Ok(vault_arg(v)?.signature_checks(&id_arg(id)?)?)) }
}
