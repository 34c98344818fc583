//! Results through the C ABI: ingest, read, status changes, reuse, the audit log,
//! statistics and storage checks.
//!
//! Unless a function says otherwise: `v` is a live handle, string arguments are
//! NUL-terminated UTF-8, and on `RV_OK` `*out_json` is a new string owned by the caller,
//! freed with `rv_string_free` (untouched on failure).

use std::ffi::c_char;

use super::boundary::{
    answer_bytes, answer_json, bytes_arg, guard, json_arg, json_out, opt_out_arg, opt_str_arg, parsed, str_arg,
    time_arg, Failure,
};
use super::handle::{rv_vault, vault_arg};
use super::rv_result;
use crate::log::{LogCheck, LogHead};
use crate::record::{NewRecord, ResultId, StatusChange};
use crate::reuse::{Requester, ReuseQuery};
use crate::Sha256;

/// Ingests one result: `meta_json` is the record's metadata (a `NewRecord` object:
/// dossier_code, procedure_code, document_type, document_number, issuer, subject,
/// issued_at, valid_from, valid_until?, media_type, file_name?, provenance, extra?),
/// `content` its `content_len` bytes. `*out_json` is `{"record": {...}, "created": bool}`;
/// `created` is false when the same result was already stored and is returned as it was.
/// A PDF's embedded signatures are checked as the open option `"pdf_signatures"` says
/// (the check: `rv_vault_pdf_check`); under `"refuse_failed"` a PDF with FAILED
/// signatures, or not readable as a PDF, is `RV_CONTENT_REFUSED` and nothing is stored.
///
/// Ownership: `content` is only read during the call. `*out_json`: free with
/// `rv_string_free`.
///
/// # Safety
/// `v` is NULL or a live handle; `meta_json` NULL or a string; `content` NULL (only with
/// length 0) or `content_len` readable bytes; `out_json` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn rv_vault_ingest(
    v: *const rv_vault,
    meta_json: *const c_char,
    content: *const u8,
    content_len: usize,
    out_json: *mut *mut c_char,
) -> rv_result {
    // SAFETY (every block below): the arguments' contract above.
    unsafe {
        answer_json(out_json, || {
            let vault = vault_arg(v)?;
            let meta: NewRecord = json_arg(str_arg(meta_json, "meta_json")?, "meta_json")?;
            let content = bytes_arg(content, content_len, "content")?;
            Ok(vault.ingest(meta, content)?)
        })
    }
}

/// Ingests several results in one transaction: all are stored or none. `metas_json` is a
/// JSON array of `count` metadata objects; `contents[i]` / `content_lens[i]` is the
/// content of the i-th. `*out_json` is an array of `{"record", "created"}`, in order.
///
/// Ownership: the inputs are only read during the call. `*out_json`: free with
/// `rv_string_free`.
///
/// # Safety
/// `contents` and `content_lens` are NULL (only with `count` 0) or arrays of `count`
/// elements, each content pointer valid for its length; the rest as `rv_vault_ingest`.
#[no_mangle]
pub unsafe extern "C" fn rv_vault_ingest_batch(
    v: *const rv_vault,
    metas_json: *const c_char,
    contents: *const *const u8,
    content_lens: *const usize,
    count: usize,
    out_json: *mut *mut c_char,
) -> rv_result {
    // SAFETY (every block below): the arguments' contract above.
    unsafe {
        answer_json(out_json, || {
            let vault = vault_arg(v)?;
            let metas: Vec<NewRecord> = json_arg(str_arg(metas_json, "metas_json")?, "metas_json")?;
            if metas.len() != count {
                return Err(Failure::new(
                    rv_result::RV_INVALID_ARGUMENT,
                    format!("metas_json holds {} records but count is {count}", metas.len()),
                ));
            }
            let pointers = if count == 0 {
                &[][..]
            } else {
                array_arg(contents, count, "contents")?
            };
            let lens = if count == 0 {
                &[][..]
            } else {
                array_arg(content_lens, count, "content_lens")?
            };
            let mut items = Vec::with_capacity(count);
            for (i, meta) in metas.into_iter().enumerate() {
                items.push((meta, bytes_arg(pointers[i], lens[i], &format!("contents[{i}]"))?));
            }
            Ok(vault.ingest_batch(items)?)
        })
    }
}

/// An array argument of `count` elements.
///
/// # Safety
/// `p` is NULL or points to `count` readable elements.
unsafe fn array_arg<'a, T>(p: *const T, count: usize, name: &str) -> Result<&'a [T], Failure> {
    if p.is_null() {
        return Err(Failure::new(rv_result::RV_NULL_PARAMETER, format!("{name} is NULL")));
    }
    // slice::from_raw_parts requires count * size_of::<T>() <= isize::MAX: a larger count
    // is a caller's mistake (a negative count cast to size_t), not an array.
    if count
        .checked_mul(std::mem::size_of::<T>())
        .is_none_or(|bytes| bytes > isize::MAX as usize)
    {
        return Err(Failure::new(
            rv_result::RV_INVALID_ARGUMENT,
            format!("{name}: {count} elements are more than any array holds"),
        ));
    }
    // SAFETY: the contract above, and the size checked just now.
    Ok(unsafe { std::slice::from_raw_parts(p, count) })
}

/// The record with this id (a 26-character ULID). `RV_NOT_FOUND` if there is none.
///
/// Ownership: on `RV_OK`, free `*out_json` with `rv_string_free`.
///
/// # Safety
/// As the module's functions: live handle, string or NULL, writable out or NULL.
#[no_mangle]
pub unsafe extern "C" fn rv_vault_get(v: *const rv_vault, id: *const c_char, out_json: *mut *mut c_char) -> rv_result {
    // SAFETY: the contract above.
    unsafe {
        answer_json(out_json, || {
            let vault = vault_arg(v)?;
            Ok(vault.get(&id_arg(id)?)?)
        })
    }
}

/// A result id argument.
///
/// # Safety
/// `id` is NULL or a NUL-terminated string.
pub(crate) unsafe fn id_arg(id: *const c_char) -> Result<ResultId, Failure> {
    // SAFETY: the contract above.
    parsed(unsafe { str_arg(id, "id") }?, "id")
}

/// A SHA-256 argument, 64 hex digits.
///
/// # Safety
/// `sha256_hex` is NULL or a NUL-terminated string.
pub(crate) unsafe fn sha256_arg(sha256_hex: *const c_char) -> Result<Sha256, Failure> {
    // SAFETY: the contract above.
    parsed(unsafe { str_arg(sha256_hex, "sha256_hex") }?, "sha256_hex")
}

/// The content of a result, checked against its SHA-256 on the way out
/// (`RV_INTEGRITY` if it no longer matches).
///
/// Ownership: on `RV_OK`, `*out_bytes` / `*out_len` is a new buffer: free it with
/// `rv_bytes_free(*out_bytes, *out_len)`.
///
/// # Safety
/// Live handle, string, writable outs (or NULL for an error code).
#[no_mangle]
pub unsafe extern "C" fn rv_vault_read_content(
    v: *const rv_vault,
    id: *const c_char,
    out_bytes: *mut *mut u8,
    out_len: *mut usize,
) -> rv_result {
    // SAFETY: the contract above.
    unsafe {
        answer_bytes(out_bytes, out_len, || {
            let vault = vault_arg(v)?;
            Ok(vault.read_content(&id_arg(id)?)?)
        })
    }
}

/// The records whose content has this SHA-256 (64 hex digits): a JSON array, empty if
/// none.
///
/// Ownership: on `RV_OK`, free `*out_json` with `rv_string_free`.
///
/// # Safety
/// As the module's functions.
#[no_mangle]
pub unsafe extern "C" fn rv_vault_find_by_hash(
    v: *const rv_vault,
    sha256_hex: *const c_char,
    out_json: *mut *mut c_char,
) -> rv_result {
    // SAFETY: the contract above.
    unsafe {
        answer_json(out_json, || {
            let vault = vault_arg(v)?;
            Ok(vault.find_by_hash(&sha256_arg(sha256_hex)?)?)
        })
    }
}

/// The record's canonical envelope (RFC 8785 JSON bytes): what its signatures sign.
///
/// Ownership: free `*out_bytes` with `rv_bytes_free(*out_bytes, *out_len)`.
///
/// # Safety
/// As `rv_vault_read_content`.
#[no_mangle]
pub unsafe extern "C" fn rv_vault_envelope(
    v: *const rv_vault,
    id: *const c_char,
    out_bytes: *mut *mut u8,
    out_len: *mut usize,
) -> rv_result {
    // SAFETY: the contract above.
    unsafe {
        answer_bytes(out_bytes, out_len, || {
            let vault = vault_arg(v)?;
            Ok(vault.envelope(&id_arg(id)?)?.as_bytes().to_vec())
        })
    }
}

/// The record's audit events, oldest first: a JSON array of events. `RV_NOT_FOUND` if
/// no record has this id.
///
/// Ownership: on `RV_OK`, free `*out_json` with `rv_string_free`.
///
/// # Safety
/// As the module's functions.
#[no_mangle]
pub unsafe extern "C" fn rv_vault_history(
    v: *const rv_vault,
    id: *const c_char,
    out_json: *mut *mut c_char,
) -> rv_result {
    // SAFETY: the contract above.
    unsafe {
        answer_json(out_json, || {
            let vault = vault_arg(v)?;
            Ok(vault.history(&id_arg(id)?)?)
        })
    }
}

/// Revokes a result. `change_json`: `{"reason", "decision_ref", "at" (RFC 3339), "by"}`.
/// `*out_json` is the record after the change. `RV_INVALID_TRANSITION` if it is not
/// active.
///
/// Ownership: on `RV_OK`, free `*out_json` with `rv_string_free`.
///
/// # Safety
/// As the module's functions.
#[no_mangle]
pub unsafe extern "C" fn rv_vault_revoke(
    v: *const rv_vault,
    id: *const c_char,
    change_json: *const c_char,
    out_json: *mut *mut c_char,
) -> rv_result {
    // SAFETY: the contract above.
    unsafe {
        answer_json(out_json, || {
            let vault = vault_arg(v)?;
            let change: StatusChange = json_arg(str_arg(change_json, "change_json")?, "change_json")?;
            Ok(vault.revoke(&id_arg(id)?, change)?)
        })
    }
}

/// Marks `old_id` as superseded by `new_id` (both stored). `change_json` as for
/// `rv_vault_revoke`; `*out_json` is the old record after the change.
///
/// Ownership: on `RV_OK`, free `*out_json` with `rv_string_free`.
///
/// # Safety
/// As the module's functions.
#[no_mangle]
pub unsafe extern "C" fn rv_vault_supersede(
    v: *const rv_vault,
    old_id: *const c_char,
    new_id: *const c_char,
    change_json: *const c_char,
    out_json: *mut *mut c_char,
) -> rv_result {
    // SAFETY: the contract above.
    unsafe {
        answer_json(out_json, || {
            let vault = vault_arg(v)?;
            let change: StatusChange = json_arg(str_arg(change_json, "change_json")?, "change_json")?;
            let old: ResultId = parsed(str_arg(old_id, "old_id")?, "old_id")?;
            let new: ResultId = parsed(str_arg(new_id, "new_id")?, "new_id")?;
            Ok(vault.supersede(&old, &new, change)?)
        })
    }
}

/// A reuse request: the subject's results of one type that are in force, intact and
/// signed with every signature PASSED at the query's time; one reuse event is recorded
/// for each result handed out. `query_json`: `{"subject_kind", "subject_id",
/// "document_type", "at"}`; `requester_json`: `{"agency_code", "procedure_code",
/// "dossier_code", "purpose"}`: all four are required; a missing one is `RV_INVALID_JSON`,
/// an empty one `RV_REUSE_REFUSED`.
///
/// Both outputs are optional (NULL: not wanted). `*out_count` is the number of results
/// handed out. `*out_json` is `{"results": [...], "verdicts": [...], "excluded": [...]}`:
/// free it with `rv_string_free`. Without `out_json` no JSON is encoded. The answer is
/// for another agency: the personal IDs in its certificates' names (`UID=CCCD:…`) are
/// masked but for their last two digits.
///
/// # Safety
/// As the module's functions; `out_count` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn rv_vault_find_reusable(
    v: *const rv_vault,
    query_json: *const c_char,
    requester_json: *const c_char,
    out_count: *mut usize,
    out_json: *mut *mut c_char,
) -> rv_result {
    guard(|| {
        // SAFETY (every block below): the contract above.
        let out_count = unsafe { opt_out_arg(out_count) };
        // SAFETY: as above.
        let out_json = unsafe { opt_out_arg(out_json) };
        // SAFETY: as above.
        let vault = unsafe { vault_arg(v) }?;
        // SAFETY: as above.
        let query: ReuseQuery = json_arg(unsafe { str_arg(query_json, "query_json") }?, "query_json")?;
        // SAFETY: as above.
        let requester: Requester = json_arg(unsafe { str_arg(requester_json, "requester_json") }?, "requester_json")?;
        let answer = vault.find_reusable(query, requester)?;
        let count = answer.results.len();
        if let Some(out) = out_json {
            // The answer goes to another agency: the signers' personal IDs are masked.
            *out = json_out(&crate::redact::shown_reuse_answer(answer))?;
        }
        if let Some(out) = out_count {
            *out = count;
        }
        Ok(())
    })
}

/// Statistics per agency over `[from, to)` (RFC 3339 times): a JSON array of
/// `{"agency_code", "results_ingested", "dossiers", "dossiers_with_reuse", "reuse_rate",
/// "reuses_made", "dossiers_reusing", "results_reused"}`.
///
/// Ownership: on `RV_OK`, free `*out_json` with `rv_string_free`.
///
/// # Safety
/// As the module's functions.
#[no_mangle]
pub unsafe extern "C" fn rv_vault_stats(
    v: *const rv_vault,
    from: *const c_char,
    to: *const c_char,
    out_json: *mut *mut c_char,
) -> rv_result {
    // SAFETY: the contract above.
    unsafe {
        answer_json(out_json, || {
            let vault = vault_arg(v)?;
            let from = time_arg(Some(str_arg(from, "from")?), "from")?;
            let to = time_arg(Some(str_arg(to, "to")?), "to")?;
            Ok(vault.stats(from, to)?)
        })
    }
}

/// Checks the audit log: the hash chain, every record against its last event, every
/// signature, trust item, PDF check and reuse against the event that binds it, and every
/// stored content re-hashed. With `head_json` (a head kept outside the vault, `{"seq",
/// "hash"}`; NULL: none) it also checks that the log still holds that head.
///
/// Both outputs are optional: `*out_intact` is true when nothing was found wrong;
/// `*out_json` is the report (`{"events", "records", "reuses", "head", "problems",
/// "problem_count"}`), freed with `rv_string_free`. A damaged log is a report, not an
/// error: the call returns `RV_OK`.
///
/// # Safety
/// As the module's functions; `out_intact` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn rv_vault_verify_log(
    v: *const rv_vault,
    head_json: *const c_char,
    out_intact: *mut bool,
    out_json: *mut *mut c_char,
) -> rv_result {
    guard(|| {
        // SAFETY (every block below): the contract above.
        let out_intact = unsafe { opt_out_arg(out_intact) };
        // SAFETY: as above.
        let out_json = unsafe { opt_out_arg(out_json) };
        // SAFETY: as above.
        let vault = unsafe { vault_arg(v) }?;
        // SAFETY: as above.
        let head: Option<LogHead> = match unsafe { opt_str_arg(head_json, "head_json") }? {
            Some(text) => Some(json_arg(text, "head_json")?),
            None => None,
        };
        let report = match head {
            Some(head) => vault.verify_log_against(&head)?,
            None => vault.verify_log()?,
        };
        if let Some(out) = out_json {
            *out = json_out(&report)?;
        }
        if let Some(out) = out_intact {
            *out = report.is_intact();
        }
        Ok(())
    })
}

/// [`rv_vault_verify_log`] with options: `options_json` is `{"against": {"seq", "hash"},
/// "skip_contents": true}` (both optional; NULL or `{}`: the full check). `skip_contents`
/// does not re-hash the stored contents (the slow part of the audit, every byte of the
/// archive); an unknown field is `RV_INVALID_JSON`.
///
/// Both outputs are optional, as for [`rv_vault_verify_log`]: `*out_intact` is true when
/// nothing was found wrong; `*out_json` is the report, freed with `rv_string_free`; the
/// report's `contents` is the number of contents re-hashed (0 when skipped). A damaged log
/// is a report, not an error: the call returns `RV_OK`.
///
/// # Safety
/// As the module's functions; `out_intact` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn rv_vault_verify_log_with(
    v: *const rv_vault,
    options_json: *const c_char,
    out_intact: *mut bool,
    out_json: *mut *mut c_char,
) -> rv_result {
    guard(|| {
        // SAFETY (every block below): the contract above.
        let out_intact = unsafe { opt_out_arg(out_intact) };
        // SAFETY: as above.
        let out_json = unsafe { opt_out_arg(out_json) };
        // SAFETY: as above.
        let vault = unsafe { vault_arg(v) }?;
        // SAFETY: as above.
        let check: LogCheck = match unsafe { opt_str_arg(options_json, "options_json") }? {
            Some(text) => json_arg(text, "options_json")?,
            None => LogCheck::default(),
        };
        let report = vault.verify_log_with(&check)?;
        if let Some(out) = out_json {
            *out = json_out(&report)?;
        }
        if let Some(out) = out_intact {
            *out = report.is_intact();
        }
        Ok(())
    })
}

/// The newest audit event, `{"seq", "hash"}`, or `null` for an empty log: keep it outside
/// the vault to detect a rewritten log later (`rv_vault_verify_log`).
///
/// Ownership: on `RV_OK`, free `*out_json` with `rv_string_free`.
///
/// # Safety
/// As the module's functions.
#[no_mangle]
pub unsafe extern "C" fn rv_vault_log_head(v: *const rv_vault, out_json: *mut *mut c_char) -> rv_result {
    // SAFETY: the contract above.
    unsafe { answer_json(out_json, || Ok(vault_arg(v)?.log_head()?)) }
}

/// SQLite's own integrity check of the file: a JSON array of problems, empty when sound.
///
/// Ownership: on `RV_OK`, free `*out_json` with `rv_string_free`.
///
/// # Safety
/// As the module's functions.
#[no_mangle]
pub unsafe extern "C" fn rv_vault_check_storage(v: *const rv_vault, out_json: *mut *mut c_char) -> rv_result {
    // SAFETY: the contract above.
    unsafe { answer_json(out_json, || Ok(vault_arg(v)?.check_storage()?)) }
}

/// Re-hashes every stored content: a JSON array of the ids whose content no longer
/// matches its SHA-256, empty when all do.
///
/// Ownership: on `RV_OK`, free `*out_json` with `rv_string_free`.
///
/// # Safety
/// As the module's functions.
#[no_mangle]
pub unsafe extern "C" fn rv_vault_verify_contents(v: *const rv_vault, out_json: *mut *mut c_char) -> rv_result {
    // SAFETY: the contract above.
    unsafe { answer_json(out_json, || Ok(vault_arg(v)?.verify_contents()?)) }
}

/// How content is stored, per codec: a JSON array of `{"codec", "contents", "bytes",
/// "stored_bytes"}`.
///
/// Ownership: on `RV_OK`, free `*out_json` with `rv_string_free`.
///
/// # Safety
/// As the module's functions.
#[no_mangle]
pub unsafe extern "C" fn rv_vault_storage_summary(v: *const rv_vault, out_json: *mut *mut c_char) -> rv_result {
    // SAFETY: the contract above.
    unsafe { answer_json(out_json, || Ok(vault_arg(v)?.storage_summary()?)) }
}
