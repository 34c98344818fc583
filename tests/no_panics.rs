//! Issue 18, part 6: nothing panics. Extreme times, options out of range, cells edited in
//! the SQLite file and lengths no buffer has are typed errors: a usage error (exit 64)
//! or another sysexits code from the CLI, never exit 101 nor an abort; an error code from
//! the C ABI, never `RV_PANIC`.

mod common;

use std::time::Duration;

use results_vault::{Error, Vault, VaultOptions};

/// Times past 9998 (their UTC+07:00 rendering overflows at the end of 9999) and before
/// 1970 are refused; the edges of the range are taken (by the CLI and C ABI cases).
#[cfg(any(feature = "cli", feature = "capi"))]
const TOO_LATE: [&str; 3] = [
    "9999-12-31T17:00:00Z",
    "9999-12-31T23:59:59Z",
    "9999-06-01T00:00:00+07:00",
];
#[cfg(any(feature = "cli", feature = "capi"))]
const TOO_EARLY: [&str; 2] = ["1969-12-31T23:59:59Z", "0000-01-01T00:00:00Z"];
#[cfg(any(feature = "cli", feature = "capi"))]
const LATEST: &str = "9998-12-31T23:59:59Z";

#[test]
fn options_out_of_range_are_refused_before_a_file_is_made() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v.vault");
    let cases: [(&str, VaultOptions); 4] = [
        (
            "busy_timeout",
            VaultOptions {
                busy_timeout: Duration::from_millis(i32::MAX as u64 + 1),
                ..VaultOptions::default()
            },
        ),
        (
            "busy_timeout",
            VaultOptions {
                busy_timeout: Duration::MAX,
                ..VaultOptions::default()
            },
        ),
        (
            "signing_session_ttl",
            VaultOptions {
                signing_session_ttl: Duration::from_secs(u64::MAX),
                ..VaultOptions::default()
            },
        ),
        (
            "page_size",
            VaultOptions {
                page_size: 1000,
                ..VaultOptions::default()
            },
        ),
    ];
    for (option, options) in cases {
        for create in [true, false] {
            let result = if create {
                Vault::create(&path, options.clone())
            } else {
                Vault::open_or_create(&path, options.clone())
            };
            match result {
                Err(Error::InvalidOption { option: o, .. }) => assert_eq!(o, option),
                Err(e) => panic!("{option}: {e}"),
                Ok(_) => panic!("{option}: accepted"),
            }
            assert!(!path.exists(), "{option}: a file was left behind");
        }
    }
    // The edges are taken.
    let edge = VaultOptions {
        busy_timeout: Duration::from_millis(i32::MAX as u64),
        signing_session_ttl: Duration::from_secs(366 * 24 * 3600),
        page_size: 65536,
        ..VaultOptions::default()
    };
    Vault::create(&path, edge).unwrap();
}

#[cfg(feature = "cli")]
mod cli {
    use crate::common::office::{code, err, out, Office};
    use rusqlite::Connection;

    use super::*;

    fn refused_as_usage(o: &std::process::Output, what: &str) {
        assert_eq!(code(o), 64, "{what}: {}{}", out(o), err(o));
        assert!(err(o).contains("outside the range"), "{what}: {}", err(o));
        assert!(!err(o).contains("panicked"), "{what}: {}", err(o));
    }

    fn no_panic(o: &std::process::Output, what: &str) {
        assert!(
            (0..=3).contains(&code(o)) || (64..=78).contains(&code(o)),
            "{what}: exit {}: {}",
            code(o),
            err(o)
        );
        assert!(!err(o).contains("panicked"), "{what}: {}", err(o));
    }

    const REUSE: [&str; 12] = [
        "reuse",
        "--subject",
        "001203004567",
        "--type",
        "Trích lục khai sinh",
        "--agency",
        "G01",
        "--procedure",
        "1.000466",
        "--dossier",
        "D1",
        "--purpose",
    ];

    #[test]
    fn extreme_times_are_usage_errors_and_the_edge_is_verified_without_a_panic() {
        let o = Office::new();
        let id = o.ingest("a.pdf", b"%PDF-1.7 a", Some("2027-01-01"));
        assert!(o.sign_local(&id).status.success());
        let report = o.path("r.pdf");
        for at in TOO_LATE.iter().chain(&TOO_EARLY) {
            refused_as_usage(&o.run(&["verify", &id, "--at", at]), at);
            let v = o.run(&["verify", &id, "--at", at, "--report", report.to_str().unwrap()]);
            refused_as_usage(&v, at);
            assert!(!report.exists());
            let mut reuse = REUSE.to_vec();
            reuse.extend(["x", "--at", at]);
            refused_as_usage(&o.run(&reuse), at);
            refused_as_usage(&o.run(&["stats", "--from", "2026-01-01T00:00:00Z", "--to", at]), at);
            refused_as_usage(&o.run(&["stats", "--from", at, "--to", "2026-01-01T00:00:00Z"]), at);
        }
        // The latest time taken: expired then, and nothing overflows (report included).
        let v = o.run(&["verify", &id, "--at", LATEST, "--report", report.to_str().unwrap()]);
        no_panic(&v, LATEST);
        assert!(report.exists(), "{}", err(&v));
        let mut reuse = REUSE.to_vec();
        reuse.extend(["x", "--at", LATEST]);
        let r = o.run(&reuse);
        assert_eq!(code(&r), 0, "{}", err(&r));
        let s = o.run(&["stats", "--from", "1970-01-01T00:00:00Z", "--to", LATEST]);
        assert_eq!(code(&s), 0, "{}", err(&s));
    }

    fn sql(o: &Office, statement: &str) {
        let db = Connection::open(&o.vault).unwrap();
        db.execute_batch(statement).unwrap();
    }

    /// Times edited into the file: one with no date at all, and one whose day in
    /// Vietnam's time is past 9999-12-31 (the report and validity days would overflow).
    #[test]
    fn time_cells_edited_in_the_file_are_malformed_data_not_a_panic() {
        for (column, ms) in [
            ("status_at_ms", 9_000_000_000_000_000_000i64),
            ("status_at_ms", 253_402_300_799_000),
            ("status_at_ms", i64::MIN),
            ("ingested_ms", 253_402_300_799_000),
            ("ingested_ms", -9_000_000_000_000_000_000),
        ] {
            let o = Office::new();
            let id = o.ingest("a.pdf", b"%PDF-1.7 a", None);
            assert!(o.sign_local(&id).status.success());
            let r = o.run(&["revoke", &id, "--reason", "r", "--decision", "1/QD", "--by", "G01"]);
            assert_eq!(code(&r), 0, "{}", err(&r));
            sql(&o, &format!("UPDATE records SET {column} = {ms}"));
            let what = format!("{column} = {ms}");
            let report = o.path("r.pdf");
            let v = o.run(&["verify", &id, "--report", report.to_str().unwrap()]);
            no_panic(&v, &what);
            assert_eq!(code(&v), 70, "{what}: {}", err(&v));
            assert!(err(&v).contains("malformed"), "{what}: {}", err(&v));
            assert!(!report.exists(), "{what}");
            let e = o.run(&["export", &id, "--out", o.path("export").to_str().unwrap()]);
            no_panic(&e, &what);
            assert_eq!(code(&e), 70, "{what}: {}", err(&e));
            let s = o.run(&["show", &id]);
            no_panic(&s, &what);
        }
    }

    /// A content row whose size cell says 2^40 (or the largest the column holds): the
    /// export and the verification read the bytes that are there and find them not to be
    /// the recorded content; nothing allocates the recorded size. With a zstd frame that
    /// records its own size the decoder takes that one; with a frame that does not (here a
    /// damaged one, whose bound cannot be computed) the recorded size was the capacity.
    #[test]
    fn a_size_cell_of_2_pow_40_is_an_integrity_failure_not_an_abort() {
        // Text compresses: stored as zstd, the codec whose decoder took a capacity.
        let text = [b"%PDF-1.7 ".as_slice(), &b"trich luc khai sinh ".repeat(4000)].concat();
        // The zstd magic number, a frame header that records no size, then garbage.
        let damaged = ", data = X'28B52FFD00' || zeroblob(64) || X'FFFFFFFF'";
        for (content, size, data) in [
            (text.clone(), 1u64 << 40, ""),
            (text.clone(), 1u64 << 40, damaged),
            (text.clone(), i64::MAX as u64, damaged),
            (b"%PDF-1.7 raw".to_vec(), 1 << 40, ""),
        ] {
            let o = Office::new();
            let id = o.ingest("a.pdf", &content, None);
            assert!(o.sign_local(&id).status.success());
            sql(&o, &format!("UPDATE contents SET size = {size}{data}"));
            let what = format!("size {size}{data}");
            let e = o.run(&["export", &id, "--out", o.path("export").to_str().unwrap()]);
            no_panic(&e, &what);
            assert_eq!(code(&e), 65, "{what}: {}", err(&e));
            assert!(err(&e).contains("integrity failure"), "{what}: {}", err(&e));
            assert!(!o.path("export").exists(), "{what}: an export was begun");
            let report = o.path("r.pdf");
            let v = o.run(&["verify", &id, "--json", "--report", report.to_str().unwrap()]);
            no_panic(&v, &what);
            assert_eq!(code(&v), 1, "{what}: {}{}", out(&v), err(&v));
            assert!(out(&v).contains("\"integrity\":false"), "{what}: {}", out(&v));
            assert!(report.exists(), "{what}: {}", err(&v));
        }
    }
}

#[cfg(feature = "capi")]
mod capi {
    use std::ffi::{c_char, CStr, CString};
    use std::ptr;

    use results_vault::ffi::{handle, pdf, records, rv_result, rv_string_free, rv_vault, verification};

    use super::*;

    /// One entry point, given its out-param.
    type Call<'a> = Box<dyn Fn(*mut *mut c_char) -> rv_result + 'a>;

    fn last_error() -> String {
        // SAFETY: the library's thread-local message, read before the next call.
        unsafe { CStr::from_ptr(results_vault::ffi::rv_last_error_message()) }
            .to_string_lossy()
            .into_owned()
    }

    fn c(text: &str) -> CString {
        CString::new(text).unwrap()
    }

    /// A typed refusal: the code wanted, a message, no out-param written.
    fn refused(rc: rv_result, out: *mut c_char, wanted: rv_result, what: &str) {
        assert_eq!(rc, wanted, "{what}: {}", last_error());
        assert!(out.is_null(), "{what}: out-param written on failure");
        assert!(!last_error().is_empty(), "{what}: no message");
    }

    fn open(path: &CString, options: &str) -> (rv_result, *mut rv_vault) {
        let options = c(options);
        let mut v = ptr::null_mut();
        // SAFETY: NUL-terminated strings, a valid out-param.
        let rc = unsafe { handle::rv_vault_open(path.as_ptr(), options.as_ptr(), &mut v) };
        (rc, v)
    }

    #[test]
    fn options_out_of_range_are_an_invalid_argument_and_leave_no_file() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("o.vault");
        let path = c(file.to_str().unwrap());
        for mode in ["create", "open_or_create"] {
            for option in [
                r#""busy_timeout_ms": 2147483648"#,
                r#""busy_timeout_ms": 18446744073709551615"#,
                r#""signing_session_ttl_seconds": 18446744073709551615"#,
                r#""signing_session_ttl_seconds": 18446744073709551000"#,
                r#""page_size": 3"#,
            ] {
                let (rc, v) = open(&path, &format!(r#"{{"mode": "{mode}", {option}}}"#));
                assert!(v.is_null());
                refused(rc, ptr::null_mut(), rv_result::RV_INVALID_ARGUMENT, option);
                assert!(last_error().contains("out of range"), "{option}: {}", last_error());
                assert!(!file.exists(), "{mode} {option}: a file was left behind");
            }
        }
        let (rc, v) = open(
            &path,
            r#"{"busy_timeout_ms": 2147483647, "signing_session_ttl_seconds": 31622400}"#,
        );
        assert_eq!(rc, rv_result::RV_OK, "{}", last_error());
        // SAFETY: a live handle, not used after.
        unsafe { handle::rv_vault_free(v) };
    }

    const META: &str = r#"{"dossier_code": "D1", "procedure_code": "1.000466",
        "document_type": "Trích lục khai sinh", "document_number": "1/TLKS",
        "issuer": {"agency_code": "G01"},
        "subject": {"kind": "citizen", "id": "001203004567"},
        "issued_at": "2026-01-02", "valid_from": "2026-01-02", "valid_until": "2027-01-01",
        "media_type": "application/pdf", "provenance": {"origin": "born_digital"}}"#;

    #[test]
    fn extreme_times_are_an_invalid_argument_at_every_entry_point() {
        let dir = tempfile::tempdir().unwrap();
        let path = c(dir.path().join("t.vault").to_str().unwrap());
        let (rc, v) = open(&path, "{}");
        assert_eq!(rc, rv_result::RV_OK);
        let meta = c(META);
        let content = b"%PDF-1.7 a";
        let mut out = ptr::null_mut();
        // SAFETY: a live handle, valid buffers and out-param.
        let rc = unsafe { records::rv_vault_ingest(v, meta.as_ptr(), content.as_ptr(), content.len(), &mut out) };
        assert_eq!(rc, rv_result::RV_OK, "{}", last_error());
        // SAFETY: a string the library returned.
        let answer = unsafe { CStr::from_ptr(out) }.to_string_lossy().into_owned();
        // SAFETY: freed once.
        unsafe { rv_string_free(out) };
        let json: serde_json::Value = serde_json::from_str(&answer).unwrap();
        let id = c(json["record"]["result_id"].as_str().unwrap());
        let requester = c(r#"{"agency_code":"G02","procedure_code":"p","dossier_code":"d","purpose":"x"}"#);

        for at in TOO_LATE.iter().chain(&TOO_EARLY) {
            let at_c = c(at);
            let query = c(&format!(
                r#"{{"subject_kind":"citizen","subject_id":"001203004567","document_type":"Trích lục khai sinh","at":"{at}"}}"#
            ));
            let change = c(&format!(
                r#"{{"reason":"r","decision_ref":"1/QD","at":"{at}","by":"G01"}}"#
            ));
            let params = c(&format!(r#"{{"anchors":[],"validation_time":"{at}"}}"#));
            let poe = c(&format!(r#"{{"anchors":[],"proof_of_existence":"{at}"}}"#));
            let pdf_options = c(&format!(r#"{{"validation_time":"{at}"}}"#));
            let start = c("2026-01-01T00:00:00Z");
            let mut calls: Vec<(&str, Call)> = Vec::new();
            // SAFETY (every closure): a live handle, NUL-terminated strings, valid buffers.
            calls.push((
                "verify_record",
                Box::new(|o| unsafe {
                    verification::rv_vault_verify_record(v, id.as_ptr(), at_c.as_ptr(), ptr::null_mut(), o)
                }),
            ));
            calls.push((
                "find_reusable",
                Box::new(|o| unsafe {
                    records::rv_vault_find_reusable(v, query.as_ptr(), requester.as_ptr(), ptr::null_mut(), o)
                }),
            ));
            calls.push((
                "revoke",
                Box::new(|o| unsafe { records::rv_vault_revoke(v, id.as_ptr(), change.as_ptr(), o) }),
            ));
            calls.push((
                "stats to",
                Box::new(|o| unsafe { records::rv_vault_stats(v, start.as_ptr(), at_c.as_ptr(), o) }),
            ));
            for p in [&params, &poe] {
                calls.push((
                    "verify_detached",
                    Box::new(|o| unsafe {
                        verification::rv_verify_detached(
                            content.as_ptr(),
                            content.len(),
                            content.as_ptr(),
                            content.len(),
                            p.as_ptr(),
                            o,
                        )
                    }),
                ));
            }
            calls.push((
                "verify_pdf",
                Box::new(|o| unsafe { pdf::rv_verify_pdf(content.as_ptr(), content.len(), pdf_options.as_ptr(), o) }),
            ));
            for (name, call) in calls {
                let mut out = ptr::null_mut();
                let rc = call(&mut out);
                refused(rc, out, rv_result::RV_INVALID_ARGUMENT, &format!("{name} at {at}"));
            }
        }
        // The latest time taken: an answer, no panic.
        let latest = c(LATEST);
        let mut out = ptr::null_mut();
        // SAFETY: as above.
        let rc =
            unsafe { verification::rv_vault_verify_record(v, id.as_ptr(), latest.as_ptr(), ptr::null_mut(), &mut out) };
        assert_eq!(rc, rv_result::RV_OK, "{}", last_error());
        // SAFETY: freed once.
        unsafe { rv_string_free(out) };
        // SAFETY: not used after.
        unsafe { handle::rv_vault_free(v) };
    }

    /// No buffer is larger than isize::MAX bytes: a length beyond it (a negative length
    /// cast to size_t) is refused before a slice is made of it.
    #[test]
    fn lengths_past_isize_max_are_an_invalid_argument() {
        let dir = tempfile::tempdir().unwrap();
        let path = c(dir.path().join("l.vault").to_str().unwrap());
        let (rc, v) = open(&path, "{}");
        assert_eq!(rc, rv_result::RV_OK);
        let meta = c(META);
        let params = c(r#"{"anchors":[]}"#);
        let byte = [0u8; 1];
        for len in [isize::MAX as usize + 1, usize::MAX] {
            let mut out = ptr::null_mut();
            // SAFETY: the length is refused before the pointer is read past its one byte.
            let rc = unsafe { records::rv_vault_ingest(v, meta.as_ptr(), byte.as_ptr(), len, &mut out) };
            refused(rc, out, rv_result::RV_INVALID_ARGUMENT, "ingest");
            // SAFETY: as above.
            let rc = unsafe { pdf::rv_verify_pdf(byte.as_ptr(), len, ptr::null(), &mut out) };
            refused(rc, out, rv_result::RV_INVALID_ARGUMENT, "verify_pdf");
            // SAFETY: as above.
            let rc = unsafe {
                verification::rv_verify_detached(byte.as_ptr(), 1, byte.as_ptr(), len, params.as_ptr(), &mut out)
            };
            refused(rc, out, rv_result::RV_INVALID_ARGUMENT, "verify_detached");
        }
        // SAFETY: not used after.
        unsafe { handle::rv_vault_free(v) };
    }
}
