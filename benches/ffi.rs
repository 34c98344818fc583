//! The cost of the C ABI, and of the PHP and Java bindings over it, for the two calls a
//! portal makes most: a record's verdict and a reuse query. Each is a ratio to the same
//! call in Rust, in the same run, on the same vault file.
//!
//! - Rust vs C ABI, paired (see support.rs): `rv_vault_verify_record` without the JSON
//!   answer (only the yes/no) and with it, `rv_vault_find_reusable` likewise. The
//!   difference of the paired medians is the ABI's own cost per call (target: at most
//!   2 µs without JSON).
//! - PHP (`bindings/php/bench/bench.php`) and Java (`bindings/java/run-bench.sh`) time the
//!   same calls on the same record, if `php` / `java` and the binding are there; each
//!   prints its medians and the ratio to Rust's is shown here.
//!
//! The record is a small (4 KiB) signed result so that re-hashing its content does not
//! hide the boundary's cost. `cargo bench --features capi --bench ffi` (needs openssl;
//! RV_BENCH_ROUNDS, default 2000; RV_BENCH_BINDINGS=0 skips PHP and Java).

#[path = "support.rs"]
mod support;

#[allow(dead_code)]
#[path = "../tests/common/pki.rs"]
mod pki;

use std::ffi::{c_char, CString};
use std::process::Command;
use std::ptr;

use results_vault::ffi::{self, rv_result, rv_vault};
use results_vault::{DigestAlgorithm, LocalSigner, Requester, ReuseQuery, Vault, VaultOptions};
use support::{bench_dir, paired_medians, record};

const QUERY_SUBJECT: &str = "001203004567";

fn main() {
    let rounds: usize = std::env::var("RV_BENCH_ROUNDS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(2000);
    let p = pki::Pki::new();
    let crl = p.crl("bench");
    let dir = bench_dir("ffi");
    let path = dir.join("bench.vault");
    let vault = Vault::create(&path, VaultOptions::default()).unwrap();
    vault.add_trust_anchor(&p.root).unwrap();
    vault.add_crl(&crl).unwrap();
    let signer = LocalSigner::from_pkcs8(&p.pkcs8("signer.key"), vec![p.signer.clone()]).unwrap();
    let content = b"%PDF-1.7 trich luc khai sinh ".repeat(4096 / 29);
    let id = vault
        .ingest(record(0, QUERY_SUBJECT, "birth-extract"), &content)
        .unwrap()
        .record
        .result_id;
    let stored = vault.sign_with(&id, &signer, DigestAlgorithm::Sha256).unwrap();
    let at = stored.proof_of_existence + time::Duration::seconds(1);
    let at_text = at.format(&time::format_description::well_known::Rfc3339).unwrap();

    let query = ReuseQuery {
        subject_kind: results_vault::SubjectKind::Citizen,
        subject_id: results_vault::SubjectId::new(QUERY_SUBJECT),
        document_type: "birth-extract".into(),
        at,
    };
    let requester = Requester {
        agency_code: "G01.02".into(),
        procedure_code: "2.000123".into(),
        dossier_code: "H02-0001".into(),
        purpose: "benchmark".into(),
    };
    let query_json = serde_json::to_string(&query).unwrap();
    let requester_json = serde_json::to_string(&requester).unwrap();

    // The same file through the C ABI.
    let c_path = CString::new(path.to_str().unwrap()).unwrap();
    let mut handle: *mut rv_vault = ptr::null_mut();
    // SAFETY: valid C strings and out-param.
    assert_eq!(
        unsafe { ffi::handle::rv_vault_open(c_path.as_ptr(), ptr::null(), &mut handle) },
        rv_result::RV_OK
    );
    let c_id = CString::new(id.as_str()).unwrap();
    let c_at = CString::new(at_text.as_str()).unwrap();
    let c_query = CString::new(query_json.as_str()).unwrap();
    let c_requester = CString::new(requester_json.as_str()).unwrap();

    let c_verify = |json: bool| {
        let mut reusable = false;
        let mut out: *mut c_char = ptr::null_mut();
        let out_ptr = if json { &mut out as *mut _ } else { ptr::null_mut() };
        // SAFETY: a live handle, C strings, valid outs; the answer is freed below.
        let rc = unsafe {
            ffi::verification::rv_vault_verify_record(handle, c_id.as_ptr(), c_at.as_ptr(), &mut reusable, out_ptr)
        };
        assert!(rc == rv_result::RV_OK && reusable);
        // SAFETY: returned by the library (or NULL).
        unsafe { ffi::rv_string_free(out) };
    };
    let c_reuse = |json: bool| {
        let mut count = 0usize;
        let mut out: *mut c_char = ptr::null_mut();
        let out_ptr = if json { &mut out as *mut _ } else { ptr::null_mut() };
        // SAFETY: as above.
        let rc = unsafe {
            ffi::records::rv_vault_find_reusable(handle, c_query.as_ptr(), c_requester.as_ptr(), &mut count, out_ptr)
        };
        assert!(rc == rv_result::RV_OK && count == 1);
        // SAFETY: as above.
        unsafe { ffi::rv_string_free(out) };
    };
    let rust_verify = || assert!(vault.verify_record(&id, at).unwrap().reusable);
    let rust_reuse = || {
        assert_eq!(
            vault
                .find_reusable(query.clone(), requester.clone())
                .unwrap()
                .results
                .len(),
            1
        )
    };

    println!(
        "C ABI against the same call in Rust (paired medians, {rounds} rounds; \"floor\" = Rust, \"vault\" = C ABI):"
    );
    let mut rust_medians = Medians::default();
    let verify_plain = paired_ns(
        "verify_record, C ABI no JSON",
        rounds,
        &mut || rust_verify(),
        &mut || c_verify(false),
    );
    let verify_json = paired_ns(
        "verify_record, C ABI + JSON",
        rounds,
        &mut || rust_verify(),
        &mut || c_verify(true),
    );
    let reuse_rounds = (rounds / 4).max(50);
    let reuse_plain = paired_ns(
        "find_reusable, C ABI no JSON",
        reuse_rounds,
        &mut || rust_reuse(),
        &mut || c_reuse(false),
    );
    let reuse_json = paired_ns(
        "find_reusable, C ABI + JSON",
        reuse_rounds,
        &mut || rust_reuse(),
        &mut || c_reuse(true),
    );
    rust_medians.verify = verify_plain.0;
    rust_medians.reuse = reuse_plain.0;
    for (name, (rust, c)) in [
        ("verify_record, no JSON", verify_plain),
        ("verify_record, with JSON", verify_json),
        ("find_reusable, no JSON", reuse_plain),
        ("find_reusable, with JSON", reuse_json),
    ] {
        println!(
            "  {name:<26} rust {:>9.2} µs   C ABI {:>9.2} µs   ABI cost {:>7.2} µs/call   ratio {:.3}x",
            rust / 1e3,
            c / 1e3,
            (c - rust) / 1e3,
            c / rust
        );
    }

    // SAFETY: the handle is not used after this.
    unsafe { ffi::handle::rv_vault_free(handle) };

    if std::env::var("RV_BENCH_BINDINGS").is_ok_and(|v| v == "0") {
        return;
    }
    let iterations = rounds.to_string();
    let args = [
        path.to_str().unwrap(),
        id.as_str(),
        &query_json,
        &requester_json,
        &iterations,
    ];
    let root = env!("CARGO_MANIFEST_DIR");
    // `cargo bench` builds only the rlib: the bindings need the shared library, optimized.
    let built = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .current_dir(root)
        .args(["build", "--release", "--lib", "--features", "capi"])
        .status()
        .is_ok_and(|s| s.success());
    assert!(built, "cargo build --release --features capi failed");
    let lib = format!("{root}/target/release/libresults_vault.so");
    let bindings: [(&str, Command); 2] = [
        ("php", {
            let mut c = Command::new("php");
            c.arg(format!("{root}/bindings/php/bench/bench.php")).args(args);
            c
        }),
        ("java", {
            let mut c = Command::new("bash");
            c.arg(format!("{root}/bindings/java/run-bench.sh")).args(args);
            c
        }),
    ];
    println!("\nBindings against Rust (Rust medians from the paired runs above):");
    for (lang, mut cmd) in bindings {
        let out = match cmd.env("RESULTS_VAULT_LIB", &lib).env("RV_BENCH_AT", &at_text).output() {
            Ok(out) if out.status.success() => out,
            Ok(out) => {
                println!("  {lang}: failed: {}", String::from_utf8_lossy(&out.stderr).trim());
                continue;
            }
            Err(e) => {
                println!("  {lang}: not run ({e})");
                continue;
            }
        };
        let text = String::from_utf8_lossy(&out.stdout);
        let Some(line) = text.lines().rev().find(|l| l.trim_start().starts_with('{')) else {
            println!("  {lang}: no JSON line in its output: {text}");
            continue;
        };
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        let us = |k: &str| v[k].as_f64().unwrap_or(f64::NAN);
        println!(
            "  {lang:<5} verify no JSON {:>9.2} µs ({:.2}x)   verify + JSON {:>9.2} µs ({:.2}x)   reuse + JSON {:>9.2} µs ({:.2}x)",
            us("verify_nojson_us"),
            us("verify_nojson_us") * 1e3 / rust_medians.verify,
            us("verify_json_us"),
            us("verify_json_us") * 1e3 / rust_medians.verify,
            us("reuse_json_us"),
            us("reuse_json_us") * 1e3 / rust_medians.reuse,
        );
    }
}

#[derive(Default)]
struct Medians {
    verify: f64,
    reuse: f64,
}

/// Paired medians (Rust, C ABI) in nanoseconds, both warmed first (page cache, verdict
/// caches, prepared statements).
/// The ratio target: the boundary alone should cost almost nothing; encoding a verdict as
/// JSON costs a few microseconds of its own.
fn paired_ns(name: &str, rounds: usize, rust: &mut dyn FnMut(), c: &mut dyn FnMut()) -> (f64, f64) {
    for _ in 0..20 {
        rust();
        c();
    }
    let target = if name.contains("no JSON") { 1.05 } else { 1.15 };
    paired_medians(name, rounds, target, |_| rust(), |_| c())
}
