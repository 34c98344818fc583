//! One `rv_vault` handle shared by many threads through the C ABI, as a Java portal's
//! worker pool or a PHP-FPM worker with threads uses it: concurrent ingests and reads all
//! succeed, and a close racing with running calls gives each call either its answer or
//! `RV_CLOSED`, never anything else, and every call after it `RV_CLOSED`.
#![cfg(feature = "capi")]

use std::ffi::{c_char, CStr, CString};
use std::ptr;
use std::sync::atomic::{AtomicUsize, Ordering};

use results_vault::ffi::{handle, records, rv_result, rv_string_free, rv_vault};

/// The handle, shared across threads as C code shares it: the ABI documents it as safe.
#[derive(Clone, Copy)]
struct Shared(*mut rv_vault);
// SAFETY: rv_vault is documented (and built) to be used from any number of threads.
unsafe impl Send for Shared {}
// SAFETY: as above.
unsafe impl Sync for Shared {}

impl Shared {
    // A method, so that closures capture the whole `Shared` (Send), not its raw field.
    fn ptr(self) -> *mut rv_vault {
        self.0
    }
}

fn meta(n: usize) -> CString {
    CString::new(format!(
        r#"{{"dossier_code":"H01-T{n:05}","procedure_code":"1.000466","document_type":"birth-extract",
            "document_number":"{n}/TLKS","issuer":{{"agency_code":"G06.01"}},
            "subject":{{"kind":"citizen","id":"001203004567"}},"issued_at":"2026-11-01",
            "valid_from":"2026-11-01","media_type":"application/pdf","provenance":{{"origin":"born_digital"}}}}"#
    ))
    .unwrap()
}

fn take(out: *mut c_char) -> String {
    // SAFETY: a string the library returned; freed right after the copy.
    let text = unsafe { CStr::from_ptr(out) }.to_string_lossy().into_owned();
    // SAFETY: as above.
    unsafe { rv_string_free(out) };
    text
}

fn open(path: &std::path::Path) -> Shared {
    let path = CString::new(path.to_str().unwrap()).unwrap();
    let mut v = ptr::null_mut();
    // SAFETY: valid strings and out-param.
    assert_eq!(
        unsafe { handle::rv_vault_open(path.as_ptr(), ptr::null(), &mut v) },
        rv_result::RV_OK
    );
    Shared(v)
}

#[test]
fn eight_threads_ingest_and_read_through_one_handle() {
    let dir = tempfile::tempdir().unwrap();
    let v = open(&dir.path().join("t.vault"));
    let ids: Vec<String> = std::thread::scope(|s| {
        let workers: Vec<_> = (0..8)
            .map(|t| {
                s.spawn(move || {
                    let mut ids = Vec::new();
                    for i in 0..10 {
                        let n = t * 100 + i;
                        let content = format!("result {n}");
                        let mut out = ptr::null_mut();
                        // SAFETY: a live handle shared per the ABI; valid inputs and out.
                        let rc = unsafe {
                            records::rv_vault_ingest(
                                v.ptr(),
                                meta(n).as_ptr(),
                                content.as_ptr(),
                                content.len(),
                                &mut out,
                            )
                        };
                        assert_eq!(rc, rv_result::RV_OK);
                        let answer: serde_json::Value = serde_json::from_str(&take(out)).unwrap();
                        ids.push(answer["record"]["result_id"].as_str().unwrap().to_owned());
                    }
                    ids
                })
            })
            .collect();
        workers.into_iter().flat_map(|w| w.join().unwrap()).collect()
    });
    assert_eq!(ids.len(), 80);
    let mut unique = ids.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), 80, "every ingest made its own record");
    let mut intact = false;
    // SAFETY: a live handle; NULL JSON out is allowed.
    let rc = unsafe { records::rv_vault_verify_log(v.0, ptr::null(), &mut intact, ptr::null_mut()) };
    assert!(rc == rv_result::RV_OK && intact);
    // SAFETY: no other thread uses the handle any more.
    unsafe { handle::rv_vault_free(v.0) };
}

#[test]
fn a_close_racing_with_calls_gives_answers_or_rv_closed() {
    let dir = tempfile::tempdir().unwrap();
    let v = open(&dir.path().join("t.vault"));
    let mut out = ptr::null_mut();
    // SAFETY: a live handle, valid inputs.
    assert_eq!(
        unsafe { records::rv_vault_ingest(v.ptr(), meta(1).as_ptr(), b"x".as_ptr(), 1, &mut out) },
        rv_result::RV_OK
    );
    let answer: serde_json::Value = serde_json::from_str(&take(out)).unwrap();
    let id = CString::new(answer["record"]["result_id"].as_str().unwrap()).unwrap();
    let answered = AtomicUsize::new(0);
    std::thread::scope(|s| {
        for _ in 0..4 {
            s.spawn(|| loop {
                let mut out = ptr::null_mut();
                // SAFETY: the handle stays allocated until every thread has joined.
                match unsafe { records::rv_vault_get(v.ptr(), id.as_ptr(), &mut out) } {
                    rv_result::RV_OK => {
                        assert!(take(out).contains("result_id"));
                        answered.fetch_add(1, Ordering::Relaxed);
                    }
                    rv_result::RV_CLOSED => {
                        assert!(out.is_null(), "an out-param written on failure");
                        break;
                    }
                    other => panic!("unexpected {other:?}"),
                }
            });
        }
        while answered.load(Ordering::Relaxed) < 200 {
            std::thread::yield_now();
        }
        // SAFETY: a live handle.
        assert_eq!(unsafe { handle::rv_vault_close(v.0) }, rv_result::RV_OK);
    });
    // SAFETY: as above; closing twice is an error code, not a crash.
    assert_eq!(unsafe { handle::rv_vault_close(v.0) }, rv_result::RV_CLOSED);
    // SAFETY: every thread has joined.
    unsafe { handle::rv_vault_free(v.0) };
}
