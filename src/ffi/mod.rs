//! The C ABI (feature `capi`): the only module allowed `unsafe`. It follows rustls-ffi:
//!
//! - every exported name starts with `rv_`; a vault is an opaque `rv_vault` handle;
//! - every fallible function returns an [`rv_result`] code; outputs go through out-params,
//!   written only when the call returns `RV_OK`;
//! - the message of the last failure on the calling thread is read with
//!   [`rv_last_error_message`];
//! - every body runs inside a panic boundary: a panic becomes `RV_PANIC`, never an unwind
//!   into C; NULL pointers, non-UTF-8 strings and malformed JSON are error codes;
//! - records, queries, requesters, verdicts and statistics cross as UTF-8 JSON (the same
//!   JSON as the Rust types' serde form: binary fields in lowercase hex); content,
//!   certificates, CRLs and signatures as byte buffers;
//! - strings and buffers handed to C are freed with [`rv_string_free`] / [`rv_bytes_free`].
//!
//! The files split it by concept: [`boundary`] (codes, errors, arguments, outputs),
//! [`handle`] (opening and closing), [`records`] (ingest, status, reuse, log, statistics),
//! [`signing`] (two-phase signing and attached signatures), [`trust`] (the trust store),
//! [`verification`] (a record's verdict, and a detached CMS without a vault), [`pdf`]
//! (a signed PDF's signatures, with or without a vault, and the check a stored PDF was
//! given at ingest), [`policy`] (the signer policy: who may sign for which agency) and
//! [`remote`] (signing through a remote provider: CSC, VNPT SmartCA, Viettel MySign; these
//! calls block while polling).
//!
//! Every public method of [`crate::Vault`] has its C function here, or a documented reason
//! not to: `tests/capi_parity.rs` holds the table and fails when a method is missing.
#![allow(unsafe_code)]
// C names: `rv_vault`, `rv_result`, `RV_OK`.
#![allow(non_camel_case_types)]

pub mod boundary;
pub mod handle;
pub mod pdf;
pub mod policy;
pub mod records;
pub mod remote;
pub mod signing;
pub mod trust;
pub mod verification;

use std::ffi::c_char;

pub use boundary::{rv_bytes_free, rv_last_error_message, rv_result, rv_result_name, rv_string_free};
pub use handle::rv_vault;

/// The ABI version. It changes only when a C caller must be rebuilt; wrappers refuse a
/// library whose ABI version differs from the one they were written for.
pub const RV_ABI_VERSION: u32 = 1;

/// The library's version as a NUL-terminated UTF-8 string with static lifetime.
/// Ownership: static; never free it.
#[no_mangle]
pub extern "C" fn rv_version() -> *const c_char {
    concat!(env!("CARGO_PKG_VERSION"), "\0").as_ptr().cast()
}

/// The ABI version (`RV_ABI_VERSION`). A wrapper compares it with the version it was
/// written for when it loads the library, and refuses to go on if they differ.
#[no_mangle]
pub extern "C" fn rv_abi_version() -> u32 {
    RV_ABI_VERSION
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn version_is_a_c_string() {
        // SAFETY: rv_version returns a static NUL-terminated string.
        let v = unsafe { std::ffi::CStr::from_ptr(rv_version()) };
        assert_eq!(v.to_str().unwrap(), env!("CARGO_PKG_VERSION"));
        assert_eq!(rv_abi_version(), RV_ABI_VERSION);
    }

    #[test]
    fn the_soname_carries_this_abi_version() {
        // build.rs sets the SONAME libresults_vault.so.<ABI_VERSION>: both must agree.
        let build = include_str!("../../build.rs");
        assert!(build.contains(&format!("const ABI_VERSION: u32 = {RV_ABI_VERSION};")));
    }
}
