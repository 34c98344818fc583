//! The signer policy through the C ABI: who may sign results for which agency. An
//! agency-signed PDF counts for reuse when its signer is accepted by the issuing agency's
//! rules; an agency with no rule accepts any trusted signer. Rules cross as JSON (see
//! [`crate::SignerRule`]).

use std::ffi::c_char;

use super::boundary::{answer_json, guard, json_arg, opt_out_arg, opt_str_arg, parsed, str_arg};
use super::handle::{rv_vault, vault_arg};
use super::rv_result;
use crate::SignerRule;

/// Adds a signer rule for the agency `agency_code` (its e-ID code, as records' `agency_code`):
/// an audit event `policy_add` in the same transaction. `rule_json` is one of
/// `{"kind": "certificate", "sha256": HEX}` (the signer certificate's SHA-256, as
/// verdicts show `signer.sha256`), `{"kind": "issuer_organization", "issuer": DN,
/// "organization": O}` (any certificate from that issuer whose subject has that O=, read
/// from the certificate), or `{"kind": "under_ca", "sha256": HEX}` (any certificate whose
/// chain goes through that CA certificate). `reason` (may be NULL) is kept in the event.
/// `*out_json` is the stored rule: `{"rule_id", "agency_code", "rule", "added_at",
/// "reason"?}`; adding the same rule again returns it unchanged.
///
/// Errors: `RV_NULL_PARAMETER` (a required pointer is NULL), `RV_INVALID_UTF8`,
/// `RV_INVALID_JSON` (`rule_json` is not a rule: unknown kind or field, bad hex),
/// `RV_INVALID_ARGUMENT` (an empty or over-long code, DN, organization or reason, a
/// control character); nothing is changed then.
///
/// Ownership: the strings are only read. On `RV_OK`, `*out_json` is a new string owned
/// by the caller: free it with `rv_string_free`. On failure it is untouched.
///
/// # Safety
/// `v` NULL or a live handle; `agency_code`, `rule_json` and `reason` NULL or
/// NUL-terminated strings; `out_json` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn rv_vault_add_signer_rule(
    v: *const rv_vault,
    agency_code: *const c_char,
    rule_json: *const c_char,
    reason: *const c_char,
    out_json: *mut *mut c_char,
) -> rv_result {
    // SAFETY: the contract above.
    unsafe {
        answer_json(out_json, || {
            let vault = vault_arg(v)?;
            let agency = str_arg(agency_code, "agency_code")?;
            let rule: SignerRule = json_arg(str_arg(rule_json, "rule_json")?, "rule_json")?;
            let reason = opt_str_arg(reason, "reason")?;
            Ok(vault.add_signer_rule(agency, rule, reason)?)
        })
    }
}

/// Removes the signer rule with this id (64 hex digits, a rule's `rule_id`): an audit
/// event `policy_remove`. `*out_removed` (optional) is false when there was no such rule.
/// When an agency's last rule goes, it accepts any trusted signer again. `reason` may be
/// NULL.
///
/// Errors: `RV_NULL_PARAMETER`, `RV_INVALID_UTF8`, `RV_INVALID_ARGUMENT` (not 64 hex
/// digits, a bad reason); nothing is changed then.
///
/// Ownership: the strings are only read; `*out_removed` is written on `RV_OK` only.
///
/// # Safety
/// `v` NULL or a live handle; `rule_id_hex` and `reason` NULL or NUL-terminated strings;
/// `out_removed` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn rv_vault_remove_signer_rule(
    v: *const rv_vault,
    rule_id_hex: *const c_char,
    reason: *const c_char,
    out_removed: *mut bool,
) -> rv_result {
    guard(|| {
        // SAFETY (every block below): the contract above.
        let out = unsafe { opt_out_arg(out_removed) };
        // SAFETY: as above.
        let vault = unsafe { vault_arg(v) }?;
        // SAFETY: as above.
        let id = parsed(unsafe { str_arg(rule_id_hex, "rule_id_hex") }?, "rule_id_hex")?;
        // SAFETY: as above.
        let reason = unsafe { opt_str_arg(reason, "reason") }?;
        let removed = vault.remove_signer_rule(&id, reason)?;
        if let Some(out) = out {
            *out = removed;
        }
        Ok(())
    })
}

/// The signer rules, oldest first: all of them (`agency_code` NULL) or one agency's. A
/// JSON array of `{"rule_id", "agency_code", "rule", "added_at", "reason"?}`; an empty
/// array for an agency means the default: any trusted signer.
///
/// Errors: `RV_NULL_PARAMETER` (`v`), `RV_INVALID_UTF8`; a policy that disagrees with the
/// audit log (a rule edited in the file) is `RV_MALFORMED_DATA` (run `rvault log verify`).
///
/// Ownership: on `RV_OK`, free `*out_json` with `rv_string_free`.
///
/// # Safety
/// `v` NULL or a live handle; `agency_code` NULL or a NUL-terminated string; `out_json`
/// NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn rv_vault_signer_rules(
    v: *const rv_vault,
    agency_code: *const c_char,
    out_json: *mut *mut c_char,
) -> rv_result {
    // SAFETY: the contract above.
    unsafe {
        answer_json(out_json, || {
            let vault = vault_arg(v)?;
            let agency = opt_str_arg(agency_code, "agency_code")?;
            Ok(vault.signer_rules(agency)?)
        })
    }
}
