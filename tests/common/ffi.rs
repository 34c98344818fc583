//! Calling the C ABI from a test as C calls it: an out-param sentinel that shows whether a
//! failed call wrote it, the thread's last error message, and taking a returned string.

use std::ffi::{c_char, CStr};
use std::ptr;

use results_vault::ffi::{rv_last_error_message, rv_string_free};

/// A non-null out-param value no call returns: still there after a failure means "not written".
pub fn sentinel() -> *mut c_char {
    ptr::dangling_mut::<c_char>()
}

/// The message of the thread's last failed call.
pub fn last_error() -> String {
    // SAFETY: the library's thread-local message, read before the next call.
    unsafe { CStr::from_ptr(rv_last_error_message()) }
        .to_string_lossy()
        .into_owned()
}

/// Copies a string the library returned on RV_OK, and frees it.
pub fn take(out: *mut c_char) -> String {
    // SAFETY: a string the library returned on RV_OK; freed right after the copy.
    let text = unsafe { CStr::from_ptr(out) }.to_string_lossy().into_owned();
    // SAFETY: as above; not used after.
    unsafe { rv_string_free(out) };
    text
}
