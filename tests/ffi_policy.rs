//! The signer policy through the C ABI (`rv_vault_add_signer_rule`,
//! `rv_vault_remove_signer_rule`, `rv_vault_signer_rules`): a round trip on a vault file,
//! and every bad argument a typed code with the out-param untouched and nothing changed.
#![cfg(feature = "capi")]

mod common;

use std::ffi::{c_char, CString};
use std::ptr;

use common::ffi::{last_error, sentinel, take};
use results_vault::ffi::policy::{rv_vault_add_signer_rule, rv_vault_remove_signer_rule, rv_vault_signer_rules};
use results_vault::ffi::{handle, rv_result};

fn c(s: &str) -> CString {
    CString::new(s).unwrap()
}

#[test]
fn signer_rules_round_trip_and_bad_arguments_are_typed_codes() {
    let dir = tempfile::tempdir().unwrap();
    let path = c(dir.path().join("v.db").to_str().unwrap());
    let mut v = ptr::null_mut();
    // SAFETY: valid strings and out-param.
    assert_eq!(
        unsafe { handle::rv_vault_open(path.as_ptr(), ptr::null(), &mut v) },
        rv_result::RV_OK
    );
    let agency = c("G22.46.01");
    let sha = "ab".repeat(32);
    let rule = c(&format!("{{\"kind\":\"certificate\",\"sha256\":\"{sha}\"}}"));
    let reason = c("Quyết định 12/QĐ-UBND");

    let list = |agency: *const c_char| -> serde_json::Value {
        let mut out = sentinel();
        // SAFETY: live handle, string or NULL, writable out.
        assert_eq!(unsafe { rv_vault_signer_rules(v, agency, &mut out) }, rv_result::RV_OK);
        serde_json::from_str(&take(out)).unwrap()
    };
    assert_eq!(list(agency.as_ptr()), serde_json::json!([]));

    let mut out = sentinel();
    // SAFETY: as above.
    let rc = unsafe { rv_vault_add_signer_rule(v, agency.as_ptr(), rule.as_ptr(), reason.as_ptr(), &mut out) };
    assert_eq!(rc, rv_result::RV_OK, "{}", last_error());
    let added: serde_json::Value = serde_json::from_str(&take(out)).unwrap();
    assert_eq!(added["rule"]["sha256"], sha.as_str());
    assert_eq!(added["reason"], "Quyết định 12/QĐ-UBND");
    assert_eq!(list(ptr::null()).as_array().unwrap().len(), 1);

    // Bad arguments: a typed code, the out-param untouched, nothing added.
    let bad_utf8 = [0xffu8, 0xfe, 0];
    let not_a_rule = c("{\"kind\":\"anyone\"}");
    let empty = c("");
    let cases: [(*const c_char, *const c_char, rv_result); 5] = [
        (ptr::null(), rule.as_ptr(), rv_result::RV_NULL_PARAMETER),
        (agency.as_ptr(), ptr::null(), rv_result::RV_NULL_PARAMETER),
        (bad_utf8.as_ptr().cast(), rule.as_ptr(), rv_result::RV_INVALID_UTF8),
        (agency.as_ptr(), not_a_rule.as_ptr(), rv_result::RV_INVALID_JSON),
        (empty.as_ptr(), rule.as_ptr(), rv_result::RV_INVALID_ARGUMENT),
    ];
    for (i, (a, r, want)) in cases.into_iter().enumerate() {
        let mut out = sentinel();
        // SAFETY: NULL or valid strings; writable out.
        let rc = unsafe { rv_vault_add_signer_rule(v, a, r, ptr::null(), &mut out) };
        assert_eq!(rc, want, "case {i}: {}", last_error());
        assert_eq!(out, sentinel(), "case {i}: out written on failure");
    }
    let mut out = sentinel();
    // SAFETY: a NULL handle is a typed error.
    let rc = unsafe { rv_vault_add_signer_rule(ptr::null(), agency.as_ptr(), rule.as_ptr(), ptr::null(), &mut out) };
    assert_eq!(rc, rv_result::RV_NULL_PARAMETER);
    assert_eq!(list(ptr::null()).as_array().unwrap().len(), 1);

    // Remove: a bad id is a typed code; the rule once; then false.
    let mut removed = true;
    let bad_id = c("00ff");
    // SAFETY: live handle, strings, writable out.
    let rc = unsafe { rv_vault_remove_signer_rule(v, bad_id.as_ptr(), ptr::null(), &mut removed) };
    assert_eq!(rc, rv_result::RV_INVALID_ARGUMENT);
    let id = c(added["rule_id"].as_str().unwrap());
    for expected in [true, false] {
        let mut removed = !expected;
        // SAFETY: as above.
        let rc = unsafe { rv_vault_remove_signer_rule(v, id.as_ptr(), reason.as_ptr(), &mut removed) };
        assert_eq!((rc, removed), (rv_result::RV_OK, expected));
    }
    assert_eq!(list(ptr::null()), serde_json::json!([]));
    // SAFETY: the handle from rv_vault_open, freed once.
    unsafe { handle::rv_vault_free(v) };
}
