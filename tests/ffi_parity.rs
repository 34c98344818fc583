//! The C functions that give C callers the rest of the Rust API (issue 19), called as C
//! calls them: a stored PDF's check (`rv_vault_pdf_check`: JSON, `null` for a result
//! without one, `RV_NOT_FOUND` for no result), the PDF ingest policy (`"pdf_signatures"`
//! in `rv_vault_open`'s options: `"refuse_failed"` refuses a FAILED or unreadable PDF with
//! `RV_CONTENT_REFUSED` and stores nothing) and the provider requests a restarted portal
//! resumes (`rv_vault_unfinished_remote_requests`). The PDFs are pyHanko's
//! (tests/common/pades.rs). A failed call never writes its out-param.
#![cfg(feature = "capi")]

mod common;

use std::ffi::{c_char, CString};
use std::path::Path;
use std::ptr;
use std::time::Duration;

use results_vault::ffi::{handle, pdf, records, remote, rv_result, rv_vault, trust};
use results_vault::remote::{AnswerFormat, PollAnswer, Provider, ProviderRequest, Submitted, TransactionRef};
use results_vault::{Error, ProviderOutcome, RemoteError, RemoteSigningOptions, Vault, VaultOptions};
use serde_json::{json, Value};

use common::ffi::{last_error, sentinel, take};
use common::pades::PadesFixtures;
use common::pki::Pki;

type Outcome = Result<Value, (rv_result, String)>;

/// The JSON answer on RV_OK; on failure the code and message, after checking that the
/// out-param was not written.
fn outcome(rc: rv_result, out: *mut c_char, what: &str) -> Outcome {
    if rc == rv_result::RV_OK {
        assert!(!out.is_null() && out != sentinel(), "{what}: RV_OK without an answer");
        let text = take(out);
        return Ok(serde_json::from_str(&text).unwrap_or_else(|e| panic!("{what}: not JSON ({e}): {text}")));
    }
    assert!(
        out == sentinel(),
        "{what}: the out-param was written on failure ({rc:?})"
    );
    assert!(rc != rv_result::RV_PANIC, "{what}: panicked: {}", last_error());
    let message = last_error();
    assert!(!message.is_empty(), "{what}: {rc:?} without a message");
    Err((rc, message))
}

fn refused(answer: Outcome, what: &str) -> (rv_result, String) {
    answer.map(|v| panic!("{what}: accepted: {v}")).unwrap_err()
}

/// `rv_vault_open(path, options, &v)`.
fn open(path: &Path, options: Option<&str>) -> Result<*mut rv_vault, (rv_result, String)> {
    let path = CString::new(path.to_str().unwrap()).unwrap();
    let options = options.map(|o| CString::new(o).unwrap());
    let mut v = ptr::null_mut();
    // SAFETY: NUL-terminated strings or NULL, a writable out-param.
    let rc = unsafe {
        handle::rv_vault_open(
            path.as_ptr(),
            options.as_ref().map_or(ptr::null(), |o| o.as_ptr()),
            &mut v,
        )
    };
    if rc == rv_result::RV_OK {
        Ok(v)
    } else {
        assert!(v.is_null(), "the handle was written on failure");
        Err((rc, last_error()))
    }
}

fn trust(v: *const rv_vault, root: &[u8], crl: &[u8]) {
    for (item, add) in [
        (
            root,
            trust::rv_vault_add_trust_anchor as unsafe extern "C" fn(_, _, _, _) -> _,
        ),
        (crl, trust::rv_vault_add_crl),
    ] {
        let mut out = ptr::null_mut();
        // SAFETY: a live handle and buffer, a writable out-param.
        let rc = unsafe { add(v, item.as_ptr(), item.len(), &mut out) };
        assert_eq!(rc, rv_result::RV_OK, "adding trust: {}", last_error());
        take(out);
    }
}

/// A birth extract's metadata in dossier `dossier`, of media type `media_type`.
fn meta(dossier: &str, media_type: &str) -> String {
    let mut meta = serde_json::to_value(common::birth_extract(dossier)).unwrap();
    meta["media_type"] = Value::from(media_type);
    meta.to_string()
}

/// `rv_vault_ingest`: the new record's id, or the failure.
fn ingest(v: *const rv_vault, meta: &str, content: &[u8]) -> Result<String, (rv_result, String)> {
    let meta = CString::new(meta).unwrap();
    let mut out = sentinel();
    // SAFETY: a live handle, a string, a live buffer, a writable out-param.
    let rc = unsafe { records::rv_vault_ingest(v, meta.as_ptr(), content.as_ptr(), content.len(), &mut out) };
    outcome(rc, out, "rv_vault_ingest").map(|v| v["record"]["result_id"].as_str().unwrap().to_owned())
}

/// `rv_vault_pdf_check(v, id, &out)`; `id` NULL when `None`.
fn pdf_check(v: *const rv_vault, id: Option<&str>) -> Outcome {
    let id = id.map(|i| CString::new(i).unwrap());
    let mut out = sentinel();
    // SAFETY: a handle of the test (or NULL), a string or NULL, a writable out-param.
    let rc = unsafe { pdf::rv_vault_pdf_check(v, id.as_ref().map_or(ptr::null(), |i| i.as_ptr()), &mut out) };
    outcome(rc, out, "rv_vault_pdf_check")
}

fn log_head(v: *const rv_vault) -> String {
    let mut out = ptr::null_mut();
    // SAFETY: a live handle, a writable out-param.
    assert_eq!(unsafe { records::rv_vault_log_head(v, &mut out) }, rv_result::RV_OK);
    take(out)
}

/// `data` with the bit 0 of the byte `skip` bytes after `marker` flipped.
fn flip_after(data: &[u8], marker: &[u8], skip: usize) -> Vec<u8> {
    let at = data.windows(marker.len()).position(|w| w == marker).expect("marker") + marker.len() + skip;
    let mut copy = data.to_vec();
    copy[at] ^= 0x01;
    copy
}

fn close_and_free(v: *mut rv_vault) {
    // SAFETY: a live handle of the test, closed once, then freed once.
    assert_eq!(unsafe { handle::rv_vault_close(v) }, rv_result::RV_OK);
    // SAFETY: as above.
    unsafe { handle::rv_vault_free(v) };
}

#[test]
fn a_stored_pdfs_check_is_its_json_null_when_none_and_not_found_without_a_result() {
    let fx = PadesFixtures::make();
    let dir = tempfile::tempdir().unwrap();
    let v = open(&dir.path().join("check.vault"), None).unwrap();
    trust(v, &fx.root(), &fx.crl());

    // A signed PDF: its check, PASSED, made at ingest.
    let signed = ingest(
        v,
        &meta("C-PDF-1", "application/pdf"),
        &fx.read("pades-rsa-pkcs1v15-sha256.pdf"),
    )
    .unwrap();
    let check = pdf_check(v, Some(&signed)).unwrap();
    let keys: Vec<&String> = check.as_object().unwrap().keys().collect();
    assert_eq!(keys, ["checked_at", "problem", "verdict"], "{check:#}");
    assert!(check["checked_at"].as_str().unwrap().ends_with('Z'), "{check:#}");
    assert_eq!(check["problem"], Value::Null);
    assert_eq!(check["verdict"]["indication"], "PASSED", "{check:#}");
    assert_eq!(check["verdict"]["signatures"][0]["sub_filter"], "ETSI.CAdES.detached");
    assert_eq!(check["verdict"]["signatures"][0]["verdict"]["indication"], "PASSED");

    // The default policy ("record") stores a PDF modified after signing, its check FAILED.
    let changed = ingest(
        v,
        &meta("C-PDF-2", "application/pdf"),
        &fx.read("signed-then-content-changed.pdf"),
    )
    .unwrap();
    let check = pdf_check(v, Some(&changed)).unwrap();
    assert_eq!(check["verdict"]["indication"], "FAILED", "{check:#}");
    assert_eq!(check["verdict"]["signatures"][0]["modified_after_signing"], true);

    // Declared a PDF but not readable as one: a check without a verdict, saying why.
    let unreadable = ingest(v, &meta("C-PDF-3", "application/pdf"), b"%PDF-1.7\nnot really").unwrap();
    let check = pdf_check(v, Some(&unreadable)).unwrap();
    assert_eq!(check["verdict"], Value::Null, "{check:#}");
    assert!(!check["problem"].as_str().unwrap().is_empty(), "{check:#}");

    // Not a PDF: no check, the JSON null (not an error).
    let text = ingest(v, &meta("C-PDF-4", "text/plain"), b"a plain text result").unwrap();
    assert_eq!(pdf_check(v, Some(&text)).unwrap(), Value::Null);

    // No such result: RV_NOT_FOUND; not an id; NULL arguments.
    let (rc, message) = refused(pdf_check(v, Some("01M8442DNE2PJSSAEKS0MKZ3CK")), "unknown id");
    assert_eq!(rc, rv_result::RV_NOT_FOUND, "{message}");
    assert_eq!(
        refused(pdf_check(v, Some("not-an-id")), "bad id").0,
        rv_result::RV_INVALID_ARGUMENT
    );
    assert_eq!(refused(pdf_check(v, None), "NULL id").0, rv_result::RV_NULL_PARAMETER);
    assert_eq!(
        refused(pdf_check(ptr::null(), Some(&signed)), "NULL vault").0,
        rv_result::RV_NULL_PARAMETER
    );
    let id = CString::new(signed.clone()).unwrap();
    // SAFETY: a live handle and string; the NULL out-param is what is tested.
    let rc = unsafe { pdf::rv_vault_pdf_check(v, id.as_ptr(), ptr::null_mut()) };
    assert_eq!(rc, rv_result::RV_NULL_PARAMETER);

    // SAFETY: a live handle, closed once.
    assert_eq!(unsafe { handle::rv_vault_close(v) }, rv_result::RV_OK);
    assert_eq!(refused(pdf_check(v, Some(&signed)), "closed").0, rv_result::RV_CLOSED);
    // SAFETY: freed once.
    unsafe { handle::rv_vault_free(v) };
}

#[test]
fn the_pdf_ingest_policy_is_an_open_option() {
    let fx = PadesFixtures::make();
    let dir = tempfile::tempdir().unwrap();

    // "refuse_failed": a FAILED or unreadable PDF is refused and nothing is stored.
    let v = open(
        &dir.path().join("refuse.vault"),
        Some(r#"{"pdf_signatures":"refuse_failed"}"#),
    )
    .unwrap();
    trust(v, &fx.root(), &fx.crl());
    let head = log_head(v);
    let pdf = "application/pdf";
    for (what, content, media_type) in [
        (
            "modified after signing",
            fx.read("signed-then-content-changed.pdf"),
            pdf,
        ),
        ("a page added after signing", fx.read("signed-then-page-added.pdf"), pdf),
        (
            "a signed byte changed",
            flip_after(&fx.read("pades-rsa-pkcs1v15-sha256.pdf"), b"/Subtype /Image", 1000),
            pdf,
        ),
        ("declared a PDF, not readable", b"%PDF-1.7\nnot really".to_vec(), pdf),
        (
            "a PDF by its bytes, declared otherwise",
            b"%PDF-1.7\nnot really".to_vec(),
            "application/octet-stream",
        ),
    ] {
        let (rc, message) = ingest(v, &meta(&format!("R-{what}"), media_type), &content)
            .map(|id| panic!("{what}: stored as {id}"))
            .unwrap_err();
        assert_eq!(rc, rv_result::RV_CONTENT_REFUSED, "{what}: {message}");
        assert!(
            message.contains("PDF") || message.contains("signature"),
            "{what}: {message}"
        );
    }
    assert_eq!(log_head(v), head, "a refused PDF stores nothing");
    // A PASSED PDF, an unsigned one (INDETERMINATE) and a text are stored.
    let signed = ingest(v, &meta("R-signed", pdf), &fx.read("pades-rsa-pkcs1v15-sha256.pdf")).unwrap();
    assert_eq!(pdf_check(v, Some(&signed)).unwrap()["verdict"]["indication"], "PASSED");
    let unsigned = ingest(v, &meta("R-unsigned", pdf), &fx.read("base.pdf")).unwrap();
    let check = pdf_check(v, Some(&unsigned)).unwrap();
    assert_eq!(check["verdict"]["indication"], "INDETERMINATE", "{check:#}");
    assert_eq!(check["verdict"]["sub_indication"], "SIGNED_DATA_NOT_FOUND", "{check:#}");
    ingest(v, &meta("R-text", "text/plain"), b"a plain text result").unwrap();
    close_and_free(v);

    // "ignore": not looked at, no check kept; "record" (the default, also by name) keeps it.
    for (policy, checked) in [("ignore", false), ("record", true)] {
        let options = json!({"pdf_signatures": policy}).to_string();
        let v = open(&dir.path().join(format!("{policy}.vault")), Some(&options)).unwrap();
        trust(v, &fx.root(), &fx.crl());
        let id = ingest(v, &meta("I-1", pdf), &fx.read("signed-then-content-changed.pdf")).unwrap();
        let check = pdf_check(v, Some(&id)).unwrap();
        assert_eq!(!check.is_null(), checked, "{policy}: {check}");
        close_and_free(v);
    }

    // Any other value is refused, before a file is made.
    for bad in [
        r#""refuse""#,
        r#""RefuseFailed""#,
        r#""IGNORE""#,
        r#""""#,
        "true",
        "2",
        r#"["record"]"#,
    ] {
        let path = dir.path().join("bad.vault");
        let options = format!(r#"{{"mode":"create","pdf_signatures":{bad}}}"#);
        let (rc, message) = open(&path, Some(&options))
            .map(|_| panic!("{bad}: accepted"))
            .unwrap_err();
        assert_eq!(rc, rv_result::RV_INVALID_JSON, "{bad}: {message}");
        assert!(!path.exists(), "{bad}: a file was made");
    }
}

/// A provider whose officer never answers: the request is taken (`T-1`), every poll
/// says "waiting"; with `declined`, the poll says the officer refused.
struct Silent {
    chain: Vec<Vec<u8>>,
    declined: bool,
}

impl Provider for Silent {
    fn name(&self) -> &str {
        "silent-test"
    }
    fn certificate_chain(&self) -> Result<Vec<Vec<u8>>, RemoteError> {
        Ok(self.chain.clone())
    }
    fn answer_format(&self) -> AnswerFormat {
        AnswerFormat::Raw
    }
    fn submit(&self, _: &ProviderRequest<'_>) -> Result<Submitted, RemoteError> {
        Ok(Submitted::Pending {
            transaction_id: "T-1".to_owned(),
        })
    }
    fn poll(&self, _: TransactionRef<'_>) -> Result<PollAnswer, RemoteError> {
        Ok(if self.declined {
            PollAnswer::Declined(ProviderOutcome::RejectedByUser)
        } else {
            PollAnswer::Waiting
        })
    }
}

fn unfinished(v: *const rv_vault) -> Outcome {
    let mut out = sentinel();
    // SAFETY: a handle of the test (or NULL), a writable out-param.
    let rc = unsafe { remote::rv_vault_unfinished_remote_requests(v, &mut out) };
    outcome(rc, out, "rv_vault_unfinished_remote_requests")
}

#[test]
fn unfinished_remote_requests_are_what_a_restarted_portal_resumes() {
    let pki = Pki::new();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("remote.vault");
    // The portal's Rust side (a real clock: the state machine reads it on every poll) …
    let vault = Vault::create(&path, VaultOptions::default()).unwrap();
    vault.add_trust_anchor(&pki.root).unwrap();
    vault.add_crl(&pki.crl("current")).unwrap();
    let id = vault
        .ingest(common::birth_extract("U-1"), b"a result to sign")
        .unwrap()
        .record
        .result_id;
    // … and a C handle on the same file, as a restarted PHP or Java portal has.
    let v = open(&path, Some(r#"{"mode":"open"}"#)).unwrap();
    assert_eq!(unfinished(v).unwrap(), json!([]));

    // Sent, the officer has not approved when the call stops waiting: unfinished.
    let options = RemoteSigningOptions {
        wait: Duration::ZERO,
        poll_interval: Duration::from_millis(10),
        max_poll_interval: Duration::from_millis(10),
        ..RemoteSigningOptions::default()
    };
    let silent = Silent {
        chain: vec![pki.signer.clone()],
        declined: false,
    };
    match vault.sign_remote(&id, &silent, &options) {
        Err(Error::Remote(RemoteError::StillWaiting { .. })) => {}
        other => panic!("expected StillWaiting, got {other:?}"),
    }
    let listed = unfinished(v).unwrap();
    let list = listed.as_array().unwrap();
    assert_eq!(list.len(), 1, "{listed:#}");
    let request = &list[0];
    let session_id = request["session_id"].as_str().unwrap().to_owned();
    assert_eq!(request["provider"], "silent-test", "{request:#}");
    assert_eq!(request["state"], "waiting", "{request:#}");
    assert_eq!(request["provider_transaction_id"], "T-1", "{request:#}");
    for key in [
        "client_request_id",
        "detail",
        "outcome",
        "polls",
        "created_at",
        "updated_at",
    ] {
        assert!(request.get(key).is_some(), "no {key} in {request:#}");
    }
    // The same request as rv_vault_remote_request gives it.
    let sid = CString::new(session_id.clone()).unwrap();
    let mut out = sentinel();
    // SAFETY: a live handle and string, a writable out-param.
    let rc = unsafe { remote::rv_vault_remote_request(v, sid.as_ptr(), &mut out) };
    assert_eq!(&outcome(rc, out, "rv_vault_remote_request").unwrap(), request);

    // Resumed and refused on the phone: finished, no longer listed.
    let refusing = Silent {
        chain: vec![pki.signer.clone()],
        declined: true,
    };
    assert!(vault.resume_remote(&session_id, &refusing, &options).is_err());
    assert_eq!(unfinished(v).unwrap(), json!([]));

    // NULL arguments and a closed handle are codes.
    assert_eq!(
        refused(unfinished(ptr::null()), "NULL vault").0,
        rv_result::RV_NULL_PARAMETER
    );
    // SAFETY: a live handle; the NULL out-param is what is tested.
    let rc = unsafe { remote::rv_vault_unfinished_remote_requests(v, ptr::null_mut()) };
    assert_eq!(rc, rv_result::RV_NULL_PARAMETER);
    // SAFETY: a live handle, closed once.
    assert_eq!(unsafe { handle::rv_vault_close(v) }, rv_result::RV_OK);
    assert_eq!(refused(unfinished(v), "closed").0, rv_result::RV_CLOSED);
    // SAFETY: freed once.
    unsafe { handle::rv_vault_free(v) };
}

/// `rv_vault_verify_log_with(v, options, NULL, &out)`.
fn verify_log_with(v: *const rv_vault, options: Option<&str>) -> Outcome {
    let options = options.map(|o| CString::new(o).unwrap());
    let mut out = sentinel();
    // SAFETY: a live handle, a string or NULL, NULL for the optional flag, a writable out-param.
    let rc = unsafe {
        records::rv_vault_verify_log_with(
            v,
            options.as_ref().map_or(ptr::null(), |o| o.as_ptr()),
            ptr::null_mut(),
            &mut out,
        )
    };
    outcome(rc, out, "rv_vault_verify_log_with")
}

#[test]
fn the_audit_options_reach_c_callers() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v.vault");
    let v = open(&path, Some(r#"{"mode": "create"}"#)).unwrap();
    ingest(v, &meta("L-1", "application/octet-stream"), b"a result").unwrap();
    ingest(v, &meta("L-2", "application/octet-stream"), b"another result").unwrap();
    let full = verify_log_with(v, None).unwrap();
    assert_eq!(
        (full["contents"].as_u64(), full["problem_count"].as_u64()),
        (Some(2), Some(0)),
        "{full}"
    );
    let fast = verify_log_with(v, Some(r#"{"skip_contents": true}"#)).unwrap();
    assert_eq!(fast["contents"].as_u64(), Some(0), "{fast}");
    // With a head kept outside: a head the log never had is reported.
    let wrong = verify_log_with(
        v,
        Some(&format!(r#"{{"against": {{"seq": 1, "hash": "{}"}}}}"#, "0".repeat(64))),
    )
    .unwrap();
    assert!(wrong["problem_count"].as_u64().unwrap() > 0, "{wrong}");
    let (rc, message) = refused(verify_log_with(v, Some(r#"{"skip": true}"#)), "an unknown option");
    assert_eq!(rc, rv_result::RV_INVALID_JSON, "{message}");
    // SAFETY: the test's handle, not used after.
    unsafe { handle::rv_vault_free(v) };
}
