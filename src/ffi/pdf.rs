//! Signed PDFs through the C ABI: every signature of a PDF verified (PAdES), against the
//! caller's trust material or the vault's trust store; and the check a stored PDF was given
//! at ingest.

use std::ffi::c_char;

use serde::Deserialize;

use super::boundary::{answer_json, bytes_arg, json_arg, opt_str_arg, time_arg, Failure, FfiResult};
use super::handle::{rv_vault, vault_arg};
use super::records::id_arg;
use super::rv_result;
use super::verification::material;
use crate::pdf::{verify_pdf_with, ChangePolicy, PdfError, PdfVerdict};
use crate::trust::TrustMaterial;
use crate::verify::signature::Policy;

/// The options of `rv_verify_pdf` and `rv_vault_verify_pdf`; every field is optional.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct PdfOptions {
    /// PEM texts or hex DER, as `rv_verify_detached` takes them.
    #[serde(default)]
    anchors: Vec<String>,
    #[serde(default)]
    intermediates: Vec<String>,
    #[serde(default)]
    crls: Vec<String>,
    #[serde(default)]
    validation_time: Option<String>,
    #[serde(default)]
    proof_of_existence: Option<String>,
    /// `"strict"` (the default) or `"iso"`: see [`ChangePolicy`].
    #[serde(default)]
    changes: ChangePolicy,
}

impl PdfOptions {
    /// The options JSON; NULL gives the defaults.
    ///
    /// # Safety
    /// `options_json` is NULL or a NUL-terminated string.
    unsafe fn read(options_json: *const c_char) -> FfiResult<PdfOptions> {
        // SAFETY: forwarded contract.
        match unsafe { opt_str_arg(options_json, "options_json") }? {
            None => Ok(PdfOptions::default()),
            Some(text) => json_arg(text, "options_json"),
        }
    }

    /// Verifies `pdf` with these options' trust material added to `base`.
    fn verify(self, pdf: &[u8], base: TrustMaterial) -> FfiResult<PdfVerdict> {
        let trust = base.with(TrustMaterial {
            anchors: material(&self.anchors, "anchors")?,
            intermediates: material(&self.intermediates, "intermediates")?,
            crls: material(&self.crls, "crls")?,
        });
        let validation_time = time_arg(self.validation_time.as_deref(), "validation_time")?;
        let proof_of_existence = match self.proof_of_existence.as_deref() {
            Some(t) => Some(time_arg(Some(t), "proof_of_existence")?),
            None => None,
        };
        // Replaced per signature by the policy its /SubFilter asks for.
        let policy = Policy::cades_baseline();
        let ctx = trust.context(validation_time, proof_of_existence, &policy);
        verify_pdf_with(pdf, &ctx, self.changes).map_err(unreadable)
    }
}

fn unreadable(e: PdfError) -> Failure {
    Failure::new(rv_result::RV_PDF_UNREADABLE, format!("the PDF cannot be verified: {e}"))
}

/// Verifies every signature and document timestamp of the signed PDF `pdf` (`len`
/// bytes), without a vault, against the caller's trust material. Each signature's policy
/// follows its `/SubFilter` (`ETSI.CAdES.detached`: CAdES baseline; `adbe.pkcs7.detached`:
/// PKCS#7), so none is given.
///
/// `options_json` may be NULL (no trust material, now) or an object with any of:
/// `"anchors"`, `"intermediates"`, `"crls"` (lists of PEM text or hex DER, as for
/// `rv_verify_detached`), `"validation_time"` (RFC 3339; default now),
/// `"proof_of_existence"` (RFC 3339: a time the caller can prove the PDF existed),
/// `"changes"` (`"strict"`, the default: after any signature only form filling, signing,
/// validation data and document timestamps keep it PASSED, an added annotation fails it;
/// `"iso"`: ISO 32000's reading, where annotations may follow an approval signature or a
/// certification with DocMDP P=3). Unknown fields are refused (`RV_INVALID_JSON`). Without anchors no signature can be
/// PASSED.
///
/// `*out_json` is the PDF's verdict: `revisions`, `indication` (`PASSED`,
/// `INDETERMINATE`, `FAILED`: the worst signature's; INDETERMINATE / SIGNED_DATA_NOT_FOUND
/// when there is none), `sub_indication`, and `signatures`, in signing order, each with
/// `field`, `kind` (`signature`, `document_timestamp`), `sub_filter`, `claimed_time`,
/// `reason`, `location`, `signed_revision`, `covers_whole_file`, `coverage_problem`,
/// `modified_after_signing`, `changes_after_signing`, `certification` (DocMDP level) and
/// `verdict` (as `rv_verify_detached`'s: `indication`, `sub_indication`, `detail`,
/// `signer`, `chain`, `revocation`, `crls_used`…, and for a signature `level` — `B-B`,
/// `B-T`, `B-LT` or `B-LTA`, what the file itself proves — and `timestamps`, each with
/// `kind` (`signature_timestamp`, `document_timestamp`), `field`, `gen_time`, `tsa`,
/// `indication`, `sub_indication`, `detail` and `proof_used`: whether its genTime is the
/// proof of existence the verdict used). The file's validation data (every revision's
/// DSS) is used beside `crls`: a B-LT or B-LTA PDF verifies offline. A badly signed, altered or unsigned
/// PDF is a verdict, not an error; a file that cannot be read as a PDF is
/// `RV_PDF_UNREADABLE`.
///
/// Ownership: `pdf` and `options_json` are only read during the call. On `RV_OK`,
/// `*out_json` is a new string owned by the caller: free it with `rv_string_free`. On
/// failure it is untouched.
///
/// # Safety
/// `pdf` NULL (only with `len` 0) or `len` readable bytes; `options_json` NULL or a
/// NUL-terminated string; `out_json` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn rv_verify_pdf(
    pdf: *const u8,
    len: usize,
    options_json: *const c_char,
    out_json: *mut *mut c_char,
) -> rv_result {
    // SAFETY: the contract above.
    unsafe {
        answer_json(out_json, || {
            let pdf = bytes_arg(pdf, len, "pdf")?;
            PdfOptions::read(options_json)?.verify(pdf, TrustMaterial::default())
        })
    }
}

/// As `rv_verify_pdf`, against the vault's trust store (its anchors, intermediates and
/// CRLs); `options_json` (NULL or an object of the same fields) adds to them, e.g. a CRL
/// fetched since. The PDF is not stored and nothing in the vault changes.
///
/// Ownership: `pdf` and `options_json` are only read during the call. On `RV_OK`,
/// `*out_json` is a new string owned by the caller: free it with `rv_string_free`. On
/// failure it is untouched.
///
/// # Safety
/// `v` NULL or a live handle; otherwise as `rv_verify_pdf`.
#[no_mangle]
pub unsafe extern "C" fn rv_vault_verify_pdf(
    v: *const rv_vault,
    pdf: *const u8,
    len: usize,
    options_json: *const c_char,
    out_json: *mut *mut c_char,
) -> rv_result {
    // SAFETY: the contract above.
    unsafe {
        answer_json(out_json, || {
            let vault = vault_arg(v)?;
            let pdf = bytes_arg(pdf, len, "pdf")?;
            let options = PdfOptions::read(options_json)?;
            options.verify(pdf, vault.trust_material()?)
        })
    }
}

/// The check of a stored result's embedded PDF signatures, made when it was ingested
/// (under the `"pdf_signatures"` open option `"record"`, the default, or
/// `"refuse_failed"`), against the trust store as it stood then. It is read, not made
/// again: `rv_vault_verify_pdf` on `rv_vault_read_content`'s bytes verifies it now.
///
/// `*out_json` is `{"checked_at", "verdict", "problem"}`: `checked_at` (RFC 3339, the
/// validation time), `verdict` (the PDF's verdict as `rv_verify_pdf` returns it:
/// `revisions`, `indication`, `sub_indication`, `signatures`; `null` when the file could
/// not be read as a PDF) and `problem` (why it could not be read, else `null`). It is the
/// JSON `null` when the result exists but was not checked: not a PDF, ingested under
/// `"pdf_signatures": "ignore"`, or ingested before the vault checked PDFs.
///
/// Codes: `RV_NOT_FOUND` when no result has this id (never for a result without a
/// check: that is `null`), `RV_INVALID_ARGUMENT` for an id that is not a ULID, and the
/// argument and storage codes.
///
/// Ownership: `id` is only read during the call. On `RV_OK`, `*out_json` is a new string
/// owned by the caller (`null` included): free it with `rv_string_free`. On failure it is
/// untouched.
///
/// # Safety
/// `v` NULL or a live handle; `id` NULL or a NUL-terminated string; `out_json` NULL or
/// writable.
#[no_mangle]
pub unsafe extern "C" fn rv_vault_pdf_check(
    v: *const rv_vault,
    id: *const c_char,
    out_json: *mut *mut c_char,
) -> rv_result {
    // SAFETY: the contract above.
    unsafe {
        answer_json(out_json, || {
            let vault = vault_arg(v)?;
            Ok(vault.pdf_check(&id_arg(id)?)?)
        })
    }
}
