//! Verification through the C ABI: a stored record's verdict, and a detached CMS over
//! given bytes with the caller's own anchors and CRLs, without a vault.

use std::ffi::c_char;

use serde::Deserialize;

use super::boundary::{
    answer_json, bytes_arg, guard, json_arg, json_out, opt_out_arg, opt_str_arg, str_arg, time_arg, Failure, FfiResult,
};
use super::handle::{rv_vault, vault_arg};
use super::records::id_arg;
use super::rv_result;
use super::trust::der_items;
use crate::verify::signature::{verify_detached, Policy, ValidationContext};

/// A record's verdict at time `at` (RFC 3339; NULL: now): integrity, legal status and
/// every signature's verdict (ETSI EN 319 102-1 indications, with the vault's proof of
/// existence), and whether it may be handed out for reuse.
///
/// Both outputs are optional (NULL: not wanted). `*out_reusable` is the yes/no;
/// `*out_json` is the verdict: `result_id`, `reusable`, `reasons`, `summary`,
/// `integrity`, `status`, `signatures`, `validation_time`, `trust_state`, `verifier`,
/// and `signer_policy` when the PDF's own signatures were judged (the rules that
/// accepted them, or "default: any trusted signer"). Each signature has `signature`,
/// `proof_of_existence` and `verdict` (with its `level` and `timestamps`); one inside the
/// PDF also `pdf_field` and, when PASSED, `signer_policy`. Without `out_json` no JSON is
/// encoded. Nothing about the record is changed (the
/// verdict is kept as evidence with its signatures).
///
/// Ownership: free `*out_json` with `rv_string_free`.
///
/// # Safety
/// `v` NULL or a live handle; `id`, `at` NULL or strings; outs NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn rv_vault_verify_record(
    v: *const rv_vault,
    id: *const c_char,
    at: *const c_char,
    out_reusable: *mut bool,
    out_json: *mut *mut c_char,
) -> rv_result {
    guard(|| {
        // SAFETY (every block below): the contract above.
        let out_reusable = unsafe { opt_out_arg(out_reusable) };
        // SAFETY: as above.
        let out_json = unsafe { opt_out_arg(out_json) };
        // SAFETY: as above.
        let vault = unsafe { vault_arg(v) }?;
        // SAFETY: as above.
        let id = unsafe { id_arg(id) }?;
        // SAFETY: as above.
        let at = time_arg(unsafe { opt_str_arg(at, "at") }?, "at")?;
        let verdict = vault.verify_record(&id, at)?;
        if let Some(out) = out_json {
            *out = json_out(&verdict)?;
        }
        if let Some(out) = out_reusable {
            *out = verdict.reusable;
        }
        Ok(())
    })
}

/// What `rv_verify_detached` is given besides the signature and the data.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct DetachedParams {
    /// PEM texts or hex DER.
    anchors: Vec<String>,
    #[serde(default)]
    intermediates: Vec<String>,
    #[serde(default)]
    crls: Vec<String>,
    #[serde(default)]
    validation_time: Option<String>,
    #[serde(default)]
    proof_of_existence: Option<String>,
    #[serde(default)]
    policy: Option<PolicyParam>,
    #[serde(default)]
    all_signers: bool,
}

/// A policy by name, or spelled out.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum PolicyParam {
    Named(String),
    Custom(Policy),
}

impl PolicyParam {
    fn policy(self) -> FfiResult<Policy> {
        match self {
            PolicyParam::Custom(p) => Ok(p),
            PolicyParam::Named(name) => match name.as_str() {
                "cades-baseline" => Ok(Policy::cades_baseline()),
                "pkcs7-detached" => Ok(Policy::pkcs7_detached()),
                _ => Err(Failure::new(
                    rv_result::RV_INVALID_ARGUMENT,
                    format!(
                        "policy: {:?} is not \"cades-baseline\" or \"pkcs7-detached\" (or give an object)",
                        crate::redact::shown_argument(&name)
                    ),
                )),
            },
        }
    }
}

/// Each item of a list: PEM text (one or more blocks) or hex DER.
pub(crate) fn material(items: &[String], name: &str) -> FfiResult<Vec<Vec<u8>>> {
    let mut out = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let label = format!("{name}[{i}]");
        let trimmed = item.trim();
        let bytes = if trimmed.starts_with("-----BEGIN") {
            trimmed.as_bytes().to_vec()
        } else {
            crate::hash::hex::decode(trimmed).ok_or_else(|| {
                Failure::new(
                    rv_result::RV_INVALID_ARGUMENT,
                    format!("{label}: neither PEM nor hex DER"),
                )
            })?
        };
        out.extend(der_items(&bytes, &label)?);
    }
    Ok(out)
}

/// Verifies a detached CMS signature (`cms`, DER or BER) over `content`, without a vault,
/// against the caller's trust material. `params_json`: `{"anchors": [...],
/// "intermediates": [...], "crls": [...]}`, each item PEM text or hex DER (anchors
/// required), and optionally `"validation_time"` (RFC 3339; default now),
/// `"proof_of_existence"` (RFC 3339: a time the caller can prove the signature existed),
/// `"policy"` (`"cades-baseline"`, the default, `"pkcs7-detached"`, or an object as in
/// `rv_vault_open`), `"all_signers"` (bool: verify every SignerInfo).
///
/// `*out_json` is a JSON array of verdicts, one per SignerInfo verified: `indication`
/// (`PASSED`, `INDETERMINATE`, `FAILED`), `sub_indication`, `detail`, `signer`, `chain`,
/// `revocation`, `crls_used`… A bad signature is a verdict, not an error: the call
/// returns `RV_OK` with a FAILED or INDETERMINATE verdict.
///
/// Ownership: the inputs are only read. `*out_json`: free with `rv_string_free`.
///
/// # Safety
/// `cms` / `content` NULL (only with length 0) or readable for their lengths;
/// `params_json` NULL or a string; `out_json` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn rv_verify_detached(
    cms: *const u8,
    cms_len: usize,
    content: *const u8,
    content_len: usize,
    params_json: *const c_char,
    out_json: *mut *mut c_char,
) -> rv_result {
    // SAFETY: the contract above.
    unsafe {
        answer_json(out_json, || {
            let cms = bytes_arg(cms, cms_len, "cms")?;
            let content = bytes_arg(content, content_len, "content")?;
            let params: DetachedParams = json_arg(str_arg(params_json, "params_json")?, "params_json")?;
            let trust = crate::trust::TrustMaterial {
                anchors: material(&params.anchors, "anchors")?,
                intermediates: material(&params.intermediates, "intermediates")?,
                crls: material(&params.crls, "crls")?,
            };
            let validation_time = time_arg(params.validation_time.as_deref(), "validation_time")?;
            let proof_of_existence = match params.proof_of_existence.as_deref() {
                Some(t) => Some(time_arg(Some(t), "proof_of_existence")?),
                None => None,
            };
            let policy = match params.policy {
                Some(p) => p.policy()?,
                None => Policy::cades_baseline(),
            };
            let ctx = ValidationContext {
                all_signers: params.all_signers,
                ..trust.context(validation_time, proof_of_existence, &policy)
            };
            Ok(verify_detached(cms, content, &ctx))
        })
    }
}
