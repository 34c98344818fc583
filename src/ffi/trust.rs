//! The trust store through the C ABI, and how certificates and CRLs are passed in:
//! DER, several DER items one after the other, or PEM (one or more blocks).

use std::ffi::c_char;

use serde::Serialize;

use super::boundary::{answer_bytes, answer_json, bytes_arg, guard, opt_out_arg, Failure, FfiResult};
use super::handle::{rv_vault, vault_arg};
use super::records::sha256_arg;
use super::rv_result;
use crate::hash::hex;
use crate::Vault;

/// The DER items in a buffer (see [`crate::trust::pem_or_der_items`]), as an argument.
pub(crate) fn der_items(bytes: &[u8], name: &str) -> FfiResult<Vec<Vec<u8>>> {
    crate::trust::pem_or_der_items(bytes)
        .map_err(|why| Failure::new(rv_result::RV_INVALID_ARGUMENT, format!("{name}: {why}")))
}

/// One DER item: exactly one certificate or CRL.
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

/// The three additions to the trust store: one certificate or CRL in, the stored item out.
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
/// "crls": [...]}` (e.g. to verify elsewhere with `rv_verify_detached`).
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

/// A CRL kept as evidence with a verdict (by its SHA-256, as the verdict's `crls_used`
/// names it), even after it left the trust store. `RV_NOT_FOUND` if none is kept.
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
