//! The C test program `bindings/c/vault_test.c`, compiled against the checked-in header
//! and the static library, and run: the full flow and the misuse cases, then again under
//! valgrind (zero errors, zero definite or indirect leaks) when valgrind is installed
//! (tests/run-all.sh installs it).
#![cfg(feature = "capi")]

use std::path::{Path, PathBuf};
use std::process::Command;

/// Builds the C libraries of this crate (`cargo test` builds only the rlib) and returns
/// the static library's path.
fn static_library() -> PathBuf {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let status = Command::new(cargo)
        .current_dir(manifest)
        .args(["build", "--lib", "--features", "capi"])
        .status()
        .expect("cargo not found");
    assert!(status.success(), "cargo build --features capi failed");
    let target = std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| manifest.join("target"), PathBuf::from);
    let lib = target.join("debug").join("libresults_vault.a");
    assert!(lib.exists(), "{} was not built", lib.display());
    lib
}

fn run(cmd: &mut Command) -> std::process::Output {
    let out = cmd.output().unwrap_or_else(|e| panic!("{cmd:?}: {e}"));
    println!("{}", String::from_utf8_lossy(&out.stdout));
    eprintln!("{}", String::from_utf8_lossy(&out.stderr));
    out
}

#[test]
fn the_c_program_runs_the_full_flow_and_the_misuse_cases() {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let lib = static_library();
    let dir = tempfile::tempdir().unwrap();
    let pki = dir.path().join("pki");
    let out = run(Command::new("bash")
        .arg(manifest.join("bindings/testdata/make-test-pki.sh"))
        .arg(&pki));
    assert!(out.status.success(), "make-test-pki.sh failed");

    let exe = dir.path().join("vault_test");
    let out = run(Command::new("cc")
        .args(["-std=c99", "-Wall", "-Wextra", "-Werror", "-g", "-I"])
        .arg(manifest.join("include"))
        .arg(manifest.join("bindings/c/vault_test.c"))
        .arg(&lib)
        .args(["-lpthread", "-ldl", "-lm", "-o"])
        .arg(&exe));
    assert!(
        out.status.success(),
        "the C program does not compile against the header"
    );

    let work = dir.path().join("work");
    std::fs::create_dir(&work).unwrap();
    let out = run(Command::new(&exe).arg(&pki).arg(&work));
    assert!(out.status.success(), "vault_test failed");
    assert!(String::from_utf8_lossy(&out.stdout).contains("all checks passed"));

    if Command::new("valgrind").arg("--version").output().is_err() {
        eprintln!("valgrind is not installed: the memory check is skipped (tests/run-all.sh installs it)");
        return;
    }
    let work = dir.path().join("work-valgrind");
    std::fs::create_dir(&work).unwrap();
    let out = run(Command::new("valgrind")
        .args([
            "--error-exitcode=99",
            "--leak-check=full",
            "--show-leak-kinds=definite,indirect",
            "--errors-for-leak-kinds=definite,indirect",
            "--track-origins=yes",
        ])
        .arg(&exe)
        .arg(&pki)
        .arg(&work));
    let report = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "valgrind found errors or leaks (exit {:?})",
        out.status.code()
    );
    assert!(report.contains("ERROR SUMMARY: 0 errors"), "no clean valgrind summary");
}
