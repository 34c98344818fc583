//! Where the external test suites are (x509-limbo, the PDF signature attack files, …):
//! `$RV_TESTDATA`, else `../shared/testdata` beside the repository. They are read in
//! place, never copied into the repository.
//!
//! A clone without them still passes the test command: the tests that need a suite say
//! loudly that they skipped it. `RV_REQUIRE_TESTDATA=1` (which `.ci/run` sets) makes a
//! missing suite a failure, so CI can never skip one.

use std::path::PathBuf;

/// The folder of the external suites.
pub fn root() -> PathBuf {
    match std::env::var_os("RV_TESTDATA") {
        Some(dir) if !dir.is_empty() => PathBuf::from(dir),
        _ => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/testdata"),
    }
}

/// The folder of suite `name` (e.g. `x509-limbo`), or `None` when it is absent and not
/// required: the caller then returns without checking anything, after this has said so.
pub fn suite(name: &str) -> Option<PathBuf> {
    let dir = root().join(name);
    if dir.is_dir() {
        return Some(dir);
    }
    let required = std::env::var("RV_REQUIRE_TESTDATA").is_ok_and(|v| v == "1");
    assert!(
        !required,
        "the external test suite {name} is required (RV_REQUIRE_TESTDATA=1) but {} does not exist; \
         set RV_TESTDATA to the folder that holds it",
        dir.display()
    );
    eprintln!(
        "SKIPPED: the external test suite {name} is not at {} (set RV_TESTDATA; see README, \"Tests\")",
        dir.display()
    );
    None
}
