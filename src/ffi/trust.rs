//! The trust store through the C ABI, and how certificates, CRLs and OCSP responses are
//! passed in: DER, several DER items one after the other, or PEM (one or more blocks);
//! and the refresh of the revocation data from the network (`rv_vault_refresh_revocation`).

use std::ffi::c_char;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::boundary::{
    answer_bytes, answer_json, bytes_arg, guard, json_arg, opt_out_arg, opt_str_arg, Failure, FfiResult,
};
use super::handle::{rv_vault, vault_arg};
use super::records::sha256_arg;
use super::rv_result;
use crate::hash::hex;
use crate::remote::fetch::{FetchOptions, RevocationFetcher};
use crate::Vault;

/// The DER items in a buffer (see [`crate::trust::pem_or_der_items`]), as an argument.
pub(crate) fn der_items(bytes: &[u8], name: &str) -> FfiResult<Vec<Vec<u8>>> {
    crate::trust::pem_or_der_items(bytes)
        .map_err(|why| Failure::new(rv_result::RV_INVALID_ARGUMENT, format!("{name}: {why}")))
}

/// One DER item: exactly one certificate, CRL or OCSP response.
fn one_item(bytes: &[u8], name: &str) -> FfiResult<Vec<u8>> {
    let mut items = der_items(bytes, name)?;
    if items.len() != 1 {
        return Err(Failure::new(
            rv_result::RV_INVALID_ARGUMENT,
            format!("{name}: holds {} items; give one at a time", items.len()),
        ));
    }
    Ok(items.remove(0))
}

/// The additions to the trust store: one certificate, CRL or OCSP response in, the stored
/// item out.
///
/// # Safety
/// As `rv_vault_add_trust_anchor`.
unsafe fn add_item(
    v: *const rv_vault,
    der: *const u8,
    der_len: usize,
    out_json: *mut *mut c_char,
    add: fn(&Vault, &[u8]) -> crate::Result<crate::TrustItem>,
) -> rv_result {
    // SAFETY: forwarded contract.
    unsafe {
        answer_json(out_json, || {
            let vault = vault_arg(v)?;
            Ok(add(&vault, &one_item(bytes_arg(der, der_len, "der")?, "der")?)?)
        })
    }
}

/// Adds a trust anchor (e.g. the National Root CA). `der` is one certificate, DER or
/// PEM. The item is checked first (a CA certificate, its key usable, self-signed anchors
/// verified); `RV_TRUST_REFUSED` says why not. `*out_json` is the stored item
/// (`{"kind", "sha256", "name", "added_at"}`); adding the same item twice returns it.
///
/// Ownership: `der` is only read. `*out_json`: free with `rv_string_free`.
///
/// # Safety
/// `v` NULL or a live handle; `der` NULL or `der_len` bytes; `out_json` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn rv_vault_add_trust_anchor(
    v: *const rv_vault,
    der: *const u8,
    der_len: usize,
    out_json: *mut *mut c_char,
) -> rv_result {
    // SAFETY: the contract above.
    unsafe { add_item(v, der, der_len, out_json, Vault::add_trust_anchor) }
}

/// Adds an intermediate CA certificate (DER or PEM), used for path building and trusted
/// only through an anchor. As `rv_vault_add_trust_anchor`.
///
/// Ownership: on `RV_OK`, free `*out_json` with `rv_string_free`.
///
/// # Safety
/// As `rv_vault_add_trust_anchor`.
#[no_mangle]
pub unsafe extern "C" fn rv_vault_add_intermediate(
    v: *const rv_vault,
    der: *const u8,
    der_len: usize,
    out_json: *mut *mut c_char,
) -> rv_result {
    // SAFETY: the contract above.
    unsafe { add_item(v, der, der_len, out_json, Vault::add_intermediate) }
}

/// Adds a CRL (DER or PEM). Its signature is checked against a stored issuer first;
/// `RV_TRUST_REFUSED` otherwise. As `rv_vault_add_trust_anchor`.
///
/// Ownership: on `RV_OK`, free `*out_json` with `rv_string_free`.
///
/// # Safety
/// As `rv_vault_add_trust_anchor`.
#[no_mangle]
pub unsafe extern "C" fn rv_vault_add_crl(
    v: *const rv_vault,
    der: *const u8,
    der_len: usize,
    out_json: *mut *mut c_char,
) -> rv_result {
    // SAFETY: the contract above.
    unsafe { add_item(v, der, der_len, out_json, Vault::add_crl) }
}

/// Adds an OCSP response (a DER OCSPResponse, RFC 6960, as a responder answers or
/// `openssl ocsp -respout` writes it; PEM is read too). It is checked first: a
/// successful response, signed by a stored anchor or intermediate or by a responder one
/// of them authorized (id-kp-OCSPSigning), about certificates that CA issued;
/// `RV_TRUST_REFUSED` otherwise, with the reason. Verifications then read it as
/// revocation evidence, like a CRL (whether it answers for a certificate, and is current,
/// is decided at each verification); a verdict that relied on it names it in its
/// `ocsp_used`. `*out_json` is the stored item (`{"kind": "ocsp", "sha256", "name" (the
/// CA it answers for), "added_at"}`); adding the same response twice returns it.
///
/// Ownership: `der` is only read. On `RV_OK`, free `*out_json` with `rv_string_free`.
///
/// # Safety
/// As `rv_vault_add_trust_anchor`.
#[no_mangle]
pub unsafe extern "C" fn rv_vault_add_ocsp_response(
    v: *const rv_vault,
    der: *const u8,
    der_len: usize,
    out_json: *mut *mut c_char,
) -> rv_result {
    // SAFETY: the contract above.
    unsafe { add_item(v, der, der_len, out_json, Vault::add_ocsp_response) }
}

/// The options JSON of `rv_vault_refresh_revocation`; every field is optional.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RefreshOptions {
    timeout_secs: Option<u64>,
    max_crl_bytes: Option<u64>,
    max_ocsp_bytes: Option<u64>,
}

/// The longest `timeout_secs` accepted: ten minutes for one source.
const MAX_REFRESH_TIMEOUT_SECS: u64 = 600;

impl RefreshOptions {
    /// The options JSON (NULL: the defaults), checked.
    ///
    /// # Safety
    /// `options_json` is NULL or a NUL-terminated string.
    unsafe fn read(options_json: *const c_char) -> FfiResult<FetchOptions> {
        // SAFETY: forwarded contract.
        let read: RefreshOptions = match unsafe { opt_str_arg(options_json, "options_json") }? {
            None => RefreshOptions::default(),
            Some(text) => json_arg(text, "options_json")?,
        };
        let mut options = FetchOptions::default();
        let range = |name: &str, value: u64, max: u64| {
            if (1..=max).contains(&value) {
                Ok(value)
            } else {
                Err(Failure::new(
                    rv_result::RV_INVALID_ARGUMENT,
                    format!("options_json: {name} must be from 1 to {max}, not {value}"),
                ))
            }
        };
        if let Some(secs) = read.timeout_secs {
            options.timeout = Duration::from_secs(range("timeout_secs", secs, MAX_REFRESH_TIMEOUT_SECS)?);
        }
        if let Some(bytes) = read.max_crl_bytes {
            options.max_crl_bytes = range("max_crl_bytes", bytes, u64::MAX)?;
        }
        if let Some(bytes) = read.max_ocsp_bytes {
            options.max_ocsp_bytes = range("max_ocsp_bytes", bytes, u64::MAX)?;
        }
        Ok(options)
    }
}

/// Refreshes the vault's revocation data from the network: for every CA of the trust
/// store and every signer of a stored signature, fetches the CRLs their certificates'
/// CRL distribution points name and, for signers, an OCSP response from the responder
/// their authorityInfoAccess names (http and https URLs only; others are reported as
/// skipped). Each answer is checked as `rv_vault_add_crl` and `rv_vault_add_ocsp_response`
/// check it and kept when new (an audited trust-store change). A source that fails (no
/// answer, a timeout, a redirect, an answer too large, not a CRL, a forged signature…)
/// is reported and the others are still refreshed: the call returns `RV_OK` with the
/// report whatever each source gave.
///
/// BLOCKING: every source is fetched in turn, each for up to `timeout_secs`; call it from
/// a worker (e.g. a nightly job), never from a request thread that must answer fast.
///
/// `options_json` may be NULL (defaults) or an object with any of: `"timeout_secs"` (one
/// source's whole exchange, 1 to 600; default 10), `"max_crl_bytes"` (default 33554432),
/// `"max_ocsp_bytes"` (default 1048576). Unknown fields are `RV_INVALID_JSON`; a value out
/// of its range is `RV_INVALID_ARGUMENT`.
///
/// `*out_report_json` is the report: `{"sources": [{"kind": "crl"|"ocsp", "url", "about"
/// (the certificate's subject, personal IDs masked), "outcome": "added"|"unchanged"
/// (with "sha256") | "failed"|"skipped" (with "reason")}, ...]}`.
///
/// Ownership: `options_json` is only read. On `RV_OK`, `*out_report_json` is a new string
/// owned by the caller: free it with `rv_string_free`. On failure it is untouched.
///
/// # Safety
/// `v` NULL or a live handle; `options_json` NULL or a NUL-terminated string;
/// `out_report_json` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn rv_vault_refresh_revocation(
    v: *const rv_vault,
    options_json: *const c_char,
    out_report_json: *mut *mut c_char,
) -> rv_result {
    // SAFETY: the contract above.
    unsafe {
        answer_json(out_report_json, || {
            let vault = vault_arg(v)?;
            let fetcher = RevocationFetcher::new(RefreshOptions::read(options_json)?);
            Ok(vault.refresh_revocation(&fetcher)?)
        })
    }
}

/// Removes the trust item with this SHA-256 (64 hex digits). `*out_removed` (optional)
/// is false when there was no such item.
///
/// # Safety
/// `v` NULL or a live handle; `sha256_hex` NULL or a string; `out_removed` NULL or
/// writable.
#[no_mangle]
pub unsafe extern "C" fn rv_vault_remove_trust_item(
    v: *const rv_vault,
    sha256_hex: *const c_char,
    out_removed: *mut bool,
) -> rv_result {
    guard(|| {
        // SAFETY (every block below): the contract above.
        let out = unsafe { opt_out_arg(out_removed) };
        // SAFETY: as above.
        let vault = unsafe { vault_arg(v) }?;
        // SAFETY: as above.
        let removed = vault.remove_trust_item(&unsafe { sha256_arg(sha256_hex) }?)?;
        if let Some(out) = out {
            *out = removed;
        }
        Ok(())
    })
}

/// The trust store's items: a JSON array of `{"kind", "sha256", "name", "added_at"}`.
///
/// Ownership: free `*out_json` with `rv_string_free`.
///
/// # Safety
/// `v` NULL or a live handle; `out_json` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn rv_vault_trust_items(v: *const rv_vault, out_json: *mut *mut c_char) -> rv_result {
    // SAFETY: the contract above.
    unsafe { answer_json(out_json, || Ok(vault_arg(v)?.trust_items()?)) }
}

/// The trust material as JSON.
#[derive(Serialize)]
struct MaterialJson {
    #[serde(with = "hex::list")]
    anchors: Vec<Vec<u8>>,
    #[serde(with = "hex::list")]
    intermediates: Vec<Vec<u8>>,
    #[serde(with = "hex::list")]
    crls: Vec<Vec<u8>>,
}

/// The trust material itself: `{"anchors": [hex DER...], "intermediates": [...],
/// "crls": [...]}` (e.g. to verify elsewhere with `rv_verify_detached`). `"crls"` holds
/// all the revocation evidence: the CRLs and the OCSP responses (told apart by their
/// shape).
///
/// Ownership: free `*out_json` with `rv_string_free`.
///
/// # Safety
/// `v` NULL or a live handle; `out_json` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn rv_vault_trust_material(v: *const rv_vault, out_json: *mut *mut c_char) -> rv_result {
    // SAFETY: the contract above.
    unsafe {
        answer_json(out_json, || {
            let m = vault_arg(v)?.trust_material()?;
            Ok(MaterialJson {
                anchors: m.anchors,
                intermediates: m.intermediates,
                crls: m.crls,
            })
        })
    }
}

/// A CRL or OCSP response kept as evidence with a verdict (by its SHA-256, as the
/// verdict's `crls_used` or `ocsp_used` names it), even after it left the trust store.
/// `RV_NOT_FOUND` if none is kept.
///
/// Ownership: free `*out_bytes` with `rv_bytes_free(*out_bytes, *out_len)`.
///
/// # Safety
/// `v` NULL or a live handle; `sha256_hex` NULL or a string; outs NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn rv_vault_kept_crl(
    v: *const rv_vault,
    sha256_hex: *const c_char,
    out_bytes: *mut *mut u8,
    out_len: *mut usize,
) -> rv_result {
    // SAFETY: the contract above.
    unsafe {
        answer_bytes(out_bytes, out_len, || {
            let vault = vault_arg(v)?;
            let sha = sha256_arg(sha256_hex)?;
            vault
                .kept_crl(&sha)?
                .ok_or_else(|| Failure::new(rv_result::RV_NOT_FOUND, format!("no kept CRL {}", sha.to_hex())))
        })
    }
}
