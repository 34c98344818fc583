//! Hostile input at every JSON-taking entry point of the C ABI: malformed, truncated,
//! deeply nested, wrongly typed or oversized JSON, invalid UTF-8 and NULL give an error
//! code and a message, never a panic (`RV_PANIC`) nor a crash, never an out-param
//! written, and change nothing in the vault.
#![cfg(feature = "capi")]

use std::ffi::{c_char, CStr, CString};
use std::ptr;

use results_vault::ffi::{handle, pdf, records, rv_result, rv_string_free, rv_vault, signing, verification};

/// One entry point, given the hostile argument's out-param.
type Call<'a> = Box<dyn Fn(*mut *mut c_char) -> rv_result + 'a>;

fn hostile_texts() -> Vec<Vec<u8>> {
    let mut texts: Vec<Vec<u8>> = [
        "", " ", "{", "}", "[", "null", "true", "0", "-1", "1e999", "\"\"", "{}", "[]", "{\"a\":}",
        "{\"dossier_code\":", "{\"dossier_code\":\"x\"", "{\"dossier_code\":1}", "{\"at\":\"not a time\"}",
        "{\"subject_kind\":\"citizen\",\"subject_id\":\"001203004567\",\"document_type\":\"t\",\"at\":\"2026-13-45T99:99:99Z\"}",
        "{\"reason\":\"r\",\"decision_ref\":\"d\",\"at\":\"2026-11-20T00:00:00Z\",\"by\":\"\"}",
        "{\"anchors\":[\"zz\"]}", "{\"anchors\":[\"-----BEGIN CERTIFICATE-----\\nAAAA\\n-----END CERTIFICATE-----\"]}",
        "{\"anchors\":[],\"policy\":\"no-such-policy\"}", "{\"seq\":-5,\"hash\":\"00\"}",
        "\u{feff}{}", "{\"a\":\"\\ud800\"}", "{\"mode\":\"delete\"}",
    ]
    .iter()
    .map(|s| s.as_bytes().to_vec())
    .collect();
    texts.push("[".repeat(100_000).into_bytes()); // deeper than any parser's stack
    texts.push(format!("{{\"extra\":\"{}\"}}", "x".repeat(4 << 20)).into_bytes());
    texts.push(b"{\"dossier_code\":\"\xff\xfe\"}".to_vec()); // invalid UTF-8
    texts.push(b"{\"dossier_code\":\"\xc3\"}".to_vec()); // truncated UTF-8
    texts
}

fn take(out: *mut c_char) -> String {
    // SAFETY: a string the library returned; freed right after the copy.
    let text = unsafe { CStr::from_ptr(out) }.to_string_lossy().into_owned();
    // SAFETY: as above.
    unsafe { rv_string_free(out) };
    text
}

fn last_error() -> String {
    // SAFETY: the library's thread-local message, read before the next call.
    unsafe { CStr::from_ptr(results_vault::ffi::rv_last_error_message()) }
        .to_string_lossy()
        .into_owned()
}

fn refused(rc: rv_result, out: *mut c_char, what: &str) {
    assert!(rc != rv_result::RV_OK, "{what}: accepted");
    assert!(rc != rv_result::RV_PANIC, "{what}: panicked: {}", last_error());
    assert!(out.is_null(), "{what}: out-param written on failure");
    assert!(!last_error().is_empty(), "{what}: no message");
}

#[test]
fn hostile_json_is_an_error_code_everywhere_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let path = CString::new(dir.path().join("h.vault").to_str().unwrap()).unwrap();
    let mut v: *mut rv_vault = ptr::null_mut();
    // SAFETY: valid strings and out-param.
    assert_eq!(
        unsafe { handle::rv_vault_open(path.as_ptr(), ptr::null(), &mut v) },
        rv_result::RV_OK
    );
    let mut head = ptr::null_mut();
    // SAFETY: a live handle.
    assert_eq!(unsafe { records::rv_vault_log_head(v, &mut head) }, rv_result::RV_OK);
    let head_before = take(head);

    let id = CString::new("01M8442DNE2PJSSAEKS0MKZ3CK").unwrap();
    let good_requester =
        CString::new(r#"{"agency_code":"G01","procedure_code":"p","dossier_code":"d","purpose":"x"}"#).unwrap();
    for text in hostile_texts() {
        let label = String::from_utf8_lossy(&text[..text.len().min(40)]).into_owned();
        let Ok(arg) = CString::new(text) else { continue };
        let a = arg.as_ptr();
        let content = b"content";
        let calls: Vec<(&str, Call)> = vec![
            // SAFETY (every closure): a live handle, NUL-terminated arguments, a valid out.
            (
                "open",
                Box::new(|_| unsafe {
                    let mut other = ptr::null_mut();
                    let rc = handle::rv_vault_open(path.as_ptr(), a, &mut other);
                    if rc == rv_result::RV_OK {
                        handle::rv_vault_free(other);
                    }
                    rc
                }),
            ),
            (
                "ingest",
                Box::new(|o| unsafe { records::rv_vault_ingest(v, a, content.as_ptr(), content.len(), o) }),
            ),
            (
                "ingest_batch",
                Box::new(|o| unsafe {
                    let p = content.as_ptr();
                    let len = content.len();
                    records::rv_vault_ingest_batch(v, a, &p, &len, 1, o)
                }),
            ),
            (
                "revoke",
                Box::new(|o| unsafe { records::rv_vault_revoke(v, id.as_ptr(), a, o) }),
            ),
            (
                "supersede",
                Box::new(|o| unsafe { records::rv_vault_supersede(v, id.as_ptr(), id.as_ptr(), a, o) }),
            ),
            (
                "find_reusable query",
                Box::new(|o| unsafe {
                    records::rv_vault_find_reusable(v, a, good_requester.as_ptr(), ptr::null_mut(), o)
                }),
            ),
            (
                "find_reusable requester",
                Box::new(|o| unsafe {
                    records::rv_vault_find_reusable(v, good_requester.as_ptr(), a, ptr::null_mut(), o)
                }),
            ),
            (
                "verify_log",
                Box::new(|o| unsafe { records::rv_vault_verify_log(v, a, ptr::null_mut(), o) }),
            ),
            ("stats", Box::new(|o| unsafe { records::rv_vault_stats(v, a, a, o) })),
            ("get", Box::new(|o| unsafe { records::rv_vault_get(v, a, o) })),
            (
                "signing_session",
                Box::new(|o| unsafe { signing::rv_vault_signing_session(v, a, o) }),
            ),
            (
                "complete_raw",
                Box::new(|o| unsafe {
                    signing::rv_vault_complete_signing_raw(v, a, a, content.as_ptr(), content.len(), o)
                }),
            ),
            (
                "verify_record",
                Box::new(|o| unsafe { verification::rv_vault_verify_record(v, id.as_ptr(), a, ptr::null_mut(), o) }),
            ),
            (
                "verify_detached",
                Box::new(|o| unsafe {
                    verification::rv_verify_detached(
                        content.as_ptr(),
                        content.len(),
                        content.as_ptr(),
                        content.len(),
                        a,
                        o,
                    )
                }),
            ),
            // Options that parse meet content that is no PDF: RV_PDF_UNREADABLE.
            (
                "verify_pdf",
                Box::new(|o| unsafe { pdf::rv_verify_pdf(content.as_ptr(), content.len(), a, o) }),
            ),
            (
                "vault_verify_pdf",
                Box::new(|o| unsafe { pdf::rv_vault_verify_pdf(v, content.as_ptr(), content.len(), a, o) }),
            ),
        ];
        for (name, call) in calls {
            let mut out = ptr::null_mut();
            let rc = call(&mut out);
            if name == "open" {
                // `{}` and `null`-free options are valid options for an existing file.
                assert!(rc != rv_result::RV_PANIC, "open {label:?}: panicked");
                continue;
            }
            if name == "verify_detached" && rc == rv_result::RV_OK {
                // Params that parse give verdicts, not errors: a bad signature is a verdict.
                let verdicts = take(out);
                assert!(!verdicts.contains("\"PASSED\""), "{label:?}: {verdicts}");
                continue;
            }
            refused(rc, out, &format!("{name} with {label:?}"));
        }
    }

    // Nothing was stored: the log head is what it was.
    let mut head = ptr::null_mut();
    // SAFETY: a live handle.
    assert_eq!(unsafe { records::rv_vault_log_head(v, &mut head) }, rv_result::RV_OK);
    assert_eq!(take(head), head_before);
    // SAFETY: not used after.
    unsafe { handle::rv_vault_free(v) };
}
