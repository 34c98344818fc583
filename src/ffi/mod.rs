//! The C ABI (feature `capi`): the only module allowed `unsafe`.
//!
//! This first cut exports the version functions that wrappers check when they load;
//! the vault functions follow the conventions in CONVENTIONS.md (rv_ prefix, rv_result
//! codes, out-params written only on success, a panic boundary around every body).
#![allow(unsafe_code)]

use std::ffi::c_char;

/// The ABI version. It changes only when a C caller must be rebuilt; wrappers refuse a
/// library whose ABI version differs from the one they were written for.
pub const RV_ABI_VERSION: u32 = 1;

/// The library's version as a NUL-terminated UTF-8 string with static lifetime.
/// Never free it.
#[no_mangle]
pub extern "C" fn rv_version() -> *const c_char {
    concat!(env!("CARGO_PKG_VERSION"), "\0").as_ptr().cast()
}

/// The ABI version ([`RV_ABI_VERSION`]).
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
}
