//! Signed PDFs through the C ABI (`rv_verify_pdf`, `rv_vault_verify_pdf`), called as C
//! calls them: pyHanko's PDFs (tests/common/pades.rs) PASS with the caller's or the vault's
//! trust material and give the PdfVerdict JSON; tampered ones are FAILED verdicts, not
//! errors; what is not a readable PDF is `RV_PDF_UNREADABLE`; NULL pointers, non-UTF-8 and
//! malformed options are error codes. A failed call never writes its out-param and always
//! leaves a message. The PDF that bindings/testdata/make-signed-pdf.py makes for the PHP
//! and Java tests PASSES too.
#![cfg(feature = "capi")]

mod common;

use std::ffi::{c_char, CString};
use std::path::Path;
use std::process::Command;
use std::ptr;

use results_vault::ffi::pdf::{rv_vault_verify_pdf, rv_verify_pdf};
use results_vault::ffi::{handle, records, rv_result, rv_vault, trust};
use serde_json::Value;

use common::ffi::{last_error, sentinel, take};
use common::pades::PadesFixtures;

/// Written to every out-param before a call: a failed call must leave it as it was.
fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The answer of a call given its out-param: the verdict on RV_OK; on failure the code and
/// message, after checking that the out-param was not written.
fn outcome(rc: rv_result, out: *mut c_char, what: &str) -> Result<Value, (rv_result, String)> {
    if rc == rv_result::RV_OK {
        assert!(!out.is_null() && out != sentinel(), "{what}: RV_OK without an answer");
        let text = take(out);
        return Ok(serde_json::from_str(&text).unwrap_or_else(|e| panic!("{what}: not JSON ({e}): {text}")));
    }
    assert!(
        out == sentinel(),
        "{what}: the out-param was written on failure ({rc:?})"
    );
    assert!(rc != rv_result::RV_PANIC, "{what}: panicked: {}", last_error());
    let message = last_error();
    assert!(!message.is_empty(), "{what}: {rc:?} without a message");
    Err((rc, message))
}

/// `rv_verify_pdf(pdf, len, options, &out)`, options as raw bytes (NUL added) or NULL.
fn verify(pdf: &[u8], options: Option<&[u8]>) -> Result<Value, (rv_result, String)> {
    let options = options.map(|o| CString::new(o).unwrap());
    let mut out = sentinel();
    // SAFETY: a live buffer, a NUL-terminated string or NULL, a writable out-param.
    let rc = unsafe {
        rv_verify_pdf(
            pdf.as_ptr(),
            pdf.len(),
            options.as_ref().map_or(ptr::null(), |o| o.as_ptr()),
            &mut out,
        )
    };
    outcome(rc, out, "rv_verify_pdf")
}

/// `rv_vault_verify_pdf(v, pdf, len, options, &out)`.
fn vault_verify(v: *const rv_vault, pdf: &[u8], options: Option<&str>) -> Result<Value, (rv_result, String)> {
    let options = options.map(|o| CString::new(o).unwrap());
    let mut out = sentinel();
    // SAFETY: as in verify; `v` is NULL or a handle of the test.
    let rc = unsafe {
        rv_vault_verify_pdf(
            v,
            pdf.as_ptr(),
            pdf.len(),
            options.as_ref().map_or(ptr::null(), |o| o.as_ptr()),
            &mut out,
        )
    };
    outcome(rc, out, "rv_vault_verify_pdf")
}

fn passed(verdict: &Result<Value, (rv_result, String)>, what: &str) -> Value {
    let v = verdict.as_ref().unwrap_or_else(|e| panic!("{what}: {e:?}")).clone();
    assert_eq!(v["indication"], "PASSED", "{what}: {v:#}");
    assert_eq!(v["sub_indication"], Value::Null, "{what}");
    v
}

fn code(verdict: Result<Value, (rv_result, String)>, what: &str) -> (rv_result, String) {
    verdict.map(|v| panic!("{what}: accepted: {v}")).unwrap_err()
}

fn options(anchors: &[&[u8]], crls: &[&[u8]], at: &str) -> String {
    let list = |items: &[&[u8]]| items.iter().map(|i| Value::from(hex(i))).collect::<Vec<_>>();
    serde_json::json!({"anchors": list(anchors), "crls": list(crls), "validation_time": at}).to_string()
}

fn now() -> String {
    time::OffsetDateTime::now_utc()
        .replace_nanosecond(0)
        .unwrap()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap()
}

/// A new vault in `dir`, trusting `anchors` and `crls` (DER).
fn open_vault(dir: &Path, anchors: &[&[u8]], crls: &[&[u8]]) -> *mut rv_vault {
    let path = CString::new(dir.join("pdf.vault").to_str().unwrap()).unwrap();
    let mut v = ptr::null_mut();
    // SAFETY: valid strings and out-param.
    assert_eq!(
        unsafe { handle::rv_vault_open(path.as_ptr(), ptr::null(), &mut v) },
        rv_result::RV_OK
    );
    for (items, add) in [
        (
            anchors,
            trust::rv_vault_add_trust_anchor as unsafe extern "C" fn(_, _, _, _) -> _,
        ),
        (crls, trust::rv_vault_add_crl),
    ] {
        for item in items {
            let mut out = ptr::null_mut();
            // SAFETY: a live handle and buffer, a writable out-param.
            let rc = unsafe { add(v, item.as_ptr(), item.len(), &mut out) };
            assert_eq!(rc, rv_result::RV_OK, "adding trust: {}", last_error());
            take(out);
        }
    }
    v
}

fn log_head(v: *const rv_vault) -> String {
    let mut out = ptr::null_mut();
    // SAFETY: a live handle, a writable out-param.
    assert_eq!(unsafe { records::rv_vault_log_head(v, &mut out) }, rv_result::RV_OK);
    take(out)
}

/// A small unsigned PDF written here (one page, a classic xref table); `trailer_extra` is
/// added to the trailer dictionary.
fn unsigned_pdf(trailer_extra: &str) -> Vec<u8> {
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
    ];
    let mut out = b"%PDF-1.7\n".to_vec();
    let mut offsets = Vec::new();
    for (i, body) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend(format!("{} 0 obj\n{body}\nendobj\n", i + 1).bytes());
    }
    let xref = out.len();
    out.extend(format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).bytes());
    for offset in offsets {
        out.extend(format!("{offset:010} 00000 n \n").bytes());
    }
    out.extend(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R{trailer_extra} >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .bytes(),
    );
    out
}

fn flip_after(data: &[u8], marker: &[u8], skip: usize) -> Vec<u8> {
    let at = data
        .windows(marker.len())
        .position(|w| w == marker)
        .unwrap_or_else(|| panic!("{} not found", String::from_utf8_lossy(marker)))
        + marker.len()
        + skip;
    let mut copy = data.to_vec();
    copy[at] ^= 0x01;
    copy
}

#[test]
fn pyhanko_pdfs_are_verified_with_the_callers_or_the_vaults_trust() {
    let fx = PadesFixtures::make();
    let (root, crl) = (fx.root(), fx.crl());
    let at = now();
    let trusted = options(&[&root], &[&crl], &at);

    // PAdES (ETSI.CAdES.detached) and PKCS#7 (adbe.pkcs7.detached): PASSED, with the
    // PdfVerdict's fields.
    for (file, sub_filter) in [
        ("pades-rsa-pkcs1v15-sha256.pdf", "ETSI.CAdES.detached"),
        ("pkcs7-rsa-pkcs1v15-sha256.pdf", "adbe.pkcs7.detached"),
        ("pades-ecdsa-p256-sha256.pdf", "ETSI.CAdES.detached"),
    ] {
        let v = passed(&verify(&fx.read(file), Some(trusted.as_bytes())), file);
        assert_eq!(v["revisions"], 2, "{file}: the base and the signature's update");
        let signatures = v["signatures"].as_array().unwrap();
        assert_eq!(signatures.len(), 1, "{file}");
        let s = &signatures[0];
        for field in [
            "field",
            "kind",
            "sub_filter",
            "claimed_time",
            "reason",
            "location",
            "signed_revision",
            "covers_whole_file",
            "coverage_problem",
            "modified_after_signing",
            "changes_after_signing",
            "certification",
            "verdict",
        ] {
            assert!(s.get(field).is_some(), "{file}: no {field} in {s:#}");
        }
        assert_eq!(s["field"], "Signature1", "{file}");
        assert_eq!(s["kind"], "signature", "{file}");
        assert_eq!(s["sub_filter"], sub_filter, "{file}");
        assert_eq!(s["signed_revision"], 1, "{file}");
        assert_eq!(s["covers_whole_file"], true, "{file}");
        assert_eq!(s["coverage_problem"], Value::Null, "{file}");
        assert_eq!(s["modified_after_signing"], false, "{file}");
        assert_eq!(s["verdict"]["indication"], "PASSED", "{file}");
        assert_eq!(s["verdict"]["revocation"]["status"], "GOOD", "{file}");
        assert_eq!(s["verdict"]["validation_time"], at.as_str(), "{file}");
        assert!(
            s["verdict"]["signer"]["subject"].as_str().unwrap().contains("CN="),
            "{file}: {s:#}"
        );
    }
    let pdf = fx.read("pades-rsa-pkcs1v15-sha256.pdf");

    // What may change after signing: "strict" by default (a comment under P=3 fails the
    // certification), "iso" as ISO 32000 reads DocMDP; anything else is refused.
    let annotated = fx.read("certified-p3-annotation.pdf");
    let with_changes = |changes: &str| {
        let mut o: Value = serde_json::from_str(&trusted).unwrap();
        o["changes"] = Value::from(changes);
        o.to_string()
    };
    let strict = verify(&annotated, Some(trusted.as_bytes())).unwrap();
    assert_eq!(strict["indication"], "FAILED", "{strict:#}");
    assert_eq!(strict["signatures"][0]["modified_after_signing"], true);
    assert_eq!(
        verify(&annotated, Some(with_changes("strict").as_bytes())).unwrap(),
        strict
    );
    passed(
        &verify(&annotated, Some(with_changes("iso").as_bytes())),
        "changes: iso",
    );
    let (rc, _) = code(
        verify(&annotated, Some(with_changes("lenient").as_bytes())),
        "changes: lenient",
    );
    assert_eq!(rc, rv_result::RV_INVALID_JSON);

    // PEM anchors and CRLs work as hex DER does.
    let pem = |name: &str| std::fs::read_to_string(fx.pki.path(name)).unwrap();
    let crl_pem = {
        let out = Command::new("openssl")
            .args(["crl", "-inform", "DER"])
            .arg("-in")
            .arg(fx.pki.path("pades.crl.der"))
            .output()
            .unwrap();
        String::from_utf8(out.stdout).unwrap()
    };
    let pem_options = serde_json::json!({"anchors": [pem("root.pem")], "crls": [crl_pem]}).to_string();
    passed(&verify(&pdf, Some(pem_options.as_bytes())), "PEM trust");

    // No trust material (options NULL or empty): a verdict, INDETERMINATE, not an error.
    for opts in [None, Some(&b"{}"[..])] {
        let v = verify(&pdf, opts).expect("no trust is still a verdict");
        assert_eq!(v["indication"], "INDETERMINATE", "{v:#}");
    }
    // Without the CRL: not PASSED either.
    let v = verify(&pdf, Some(options(&[&root], &[], &at).as_bytes())).unwrap();
    assert_eq!(v["indication"], "INDETERMINATE", "{v:#}");

    // Tampered: a byte of the signed image flipped → FAILED, HASH_FAILURE.
    let tampered = flip_after(&pdf, b"/Subtype /Image", 1000);
    let v = verify(&tampered, Some(trusted.as_bytes())).expect("a tampered PDF is a verdict");
    assert_eq!(v["indication"], "FAILED", "{v:#}");
    assert_eq!(v["signatures"][0]["verdict"]["sub_indication"], "HASH_FAILURE", "{v:#}");

    // Changed by a later update: FAILED, and said so.
    let v = verify(&fx.read("signed-then-content-changed.pdf"), Some(trusted.as_bytes())).unwrap();
    assert_eq!(v["indication"], "FAILED", "{v:#}");
    assert_eq!(v["signatures"][0]["modified_after_signing"], true, "{v:#}");
    assert_eq!(v["signatures"][0]["covers_whole_file"], false, "{v:#}");

    // Revoked signer: not PASSED.
    let v = verify(&fx.read("pades-revoked-signer.pdf"), Some(trusted.as_bytes())).unwrap();
    assert_ne!(v["indication"], "PASSED", "{v:#}");

    // An unsigned PDF: INDETERMINATE / SIGNED_DATA_NOT_FOUND, no signatures.
    let v = verify(&fx.read("base.pdf"), Some(trusted.as_bytes())).unwrap();
    assert_eq!(v["indication"], "INDETERMINATE");
    assert_eq!(v["sub_indication"], "SIGNED_DATA_NOT_FOUND");
    assert_eq!(v["signatures"], serde_json::json!([]));

    // The vault's trust store: the same verdict as the caller's own material, nothing in
    // the vault changes.
    let dir = tempfile::tempdir().unwrap();
    let v = open_vault(dir.path(), &[&root], &[&crl]);
    let head = log_head(v);
    let only_time = serde_json::json!({"validation_time": at}).to_string();
    let from_vault = passed(&vault_verify(v, &pdf, Some(&only_time)), "vault trust");
    assert_eq!(
        from_vault,
        verify(&pdf, Some(trusted.as_bytes())).unwrap(),
        "the vault's material is the root and the CRL"
    );
    passed(&vault_verify(v, &pdf, None), "vault trust, options NULL");
    let v2 = vault_verify(v, &tampered, None).unwrap();
    assert_eq!(v2["indication"], "FAILED");
    assert_eq!(log_head(v), head, "verifying a PDF changes nothing in the vault");
    let (rc, message) = code(vault_verify(v, b"garbage", None), "vault, garbage");
    assert_eq!(rc, rv_result::RV_PDF_UNREADABLE, "{message}");
    // SAFETY: a live handle, closed once, then freed once.
    assert_eq!(unsafe { handle::rv_vault_close(v) }, rv_result::RV_OK);
    let (rc, _) = code(vault_verify(v, &pdf, None), "closed vault");
    assert_eq!(rc, rv_result::RV_CLOSED);
    // SAFETY: as above.
    unsafe { handle::rv_vault_free(v) };

    // An empty vault: INDETERMINATE; the options' anchors and CRLs add to its (none).
    let dir = tempfile::tempdir().unwrap();
    let v = open_vault(dir.path(), &[], &[]);
    let answer = vault_verify(v, &pdf, None).unwrap();
    assert_eq!(answer["indication"], "INDETERMINATE", "{answer:#}");
    passed(
        &vault_verify(v, &pdf, Some(&trusted)),
        "options add to the vault's trust",
    );
    // SAFETY: a live handle, freed once (free closes it).
    unsafe { handle::rv_vault_free(v) };
}

#[test]
fn what_is_not_a_readable_pdf_is_rv_pdf_unreadable() {
    let dir = tempfile::tempdir().unwrap();
    let v = open_vault(dir.path(), &[], &[]);
    let mut truncated = unsigned_pdf("");
    truncated.truncate(truncated.len() / 2);
    let garbage: Vec<u8> = (0..4096u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8)
        .collect();
    let cases: [(&str, &[u8]); 6] = [
        ("garbage bytes", &garbage),
        ("text", b"this is not a PDF at all"),
        ("empty", b""),
        ("a header only", b"%PDF-1.7\n%%EOF\n"),
        ("a PDF cut in half", &truncated),
        (
            "an encrypted PDF",
            &unsigned_pdf(" /Encrypt << /Filter /Standard /V 2 >>"),
        ),
    ];
    for (what, bytes) in cases {
        let (rc, message) = code(verify(bytes, None), what);
        assert_eq!(rc, rv_result::RV_PDF_UNREADABLE, "{what}: {message}");
        assert!(message.contains("PDF"), "{what}: {message}");
        let (rc, _) = code(vault_verify(v, bytes, None), what);
        assert_eq!(rc, rv_result::RV_PDF_UNREADABLE, "vault, {what}");
    }
    // NULL with length 0 is the empty buffer.
    let mut out = sentinel();
    // SAFETY: NULL with length 0 is allowed; a writable out-param.
    let rc = unsafe { rv_verify_pdf(ptr::null(), 0, ptr::null(), &mut out) };
    assert_eq!(
        code(outcome(rc, out, "NULL, 0"), "NULL, 0").0,
        rv_result::RV_PDF_UNREADABLE
    );

    // A readable unsigned PDF is a verdict.
    let answer = verify(&unsigned_pdf(""), None).unwrap();
    assert_eq!(answer["sub_indication"], "SIGNED_DATA_NOT_FOUND");
    assert_eq!(answer["revisions"], 1);
    // SAFETY: a live handle, freed once.
    unsafe { handle::rv_vault_free(v) };
}

#[test]
fn null_pointers_and_bad_options_are_error_codes() {
    let pdf = unsigned_pdf("");
    let dir = tempfile::tempdir().unwrap();
    let v = open_vault(dir.path(), &[], &[]);

    // NULL buffer with a length; NULL out-param (checked before any work, even for garbage).
    let mut out = sentinel();
    // SAFETY: NULL is what is tested; the library must not read it.
    let rc = unsafe { rv_verify_pdf(ptr::null(), 10, ptr::null(), &mut out) };
    assert_eq!(
        code(outcome(rc, out, "pdf NULL"), "pdf NULL").0,
        rv_result::RV_NULL_PARAMETER
    );
    assert!(last_error().contains("pdf"), "{}", last_error());
    let mut out = sentinel();
    // SAFETY: as above.
    let rc = unsafe { rv_vault_verify_pdf(v, ptr::null(), 10, ptr::null(), &mut out) };
    assert_eq!(
        code(outcome(rc, out, "pdf NULL"), "pdf NULL").0,
        rv_result::RV_NULL_PARAMETER
    );
    for bytes in [&pdf[..], b"garbage"] {
        // SAFETY: a live buffer; NULL out-param is what is tested.
        let rc = unsafe { rv_verify_pdf(bytes.as_ptr(), bytes.len(), ptr::null(), ptr::null_mut()) };
        assert_eq!(rc, rv_result::RV_NULL_PARAMETER);
        assert!(last_error().contains("out_json"), "{}", last_error());
        // SAFETY: as above.
        let rc = unsafe { rv_vault_verify_pdf(v, bytes.as_ptr(), bytes.len(), ptr::null(), ptr::null_mut()) };
        assert_eq!(rc, rv_result::RV_NULL_PARAMETER);
    }
    let (rc, message) = code(vault_verify(ptr::null(), &pdf, None), "vault NULL");
    assert_eq!(rc, rv_result::RV_NULL_PARAMETER);
    assert!(message.contains("vault"), "{message}");

    // Options: not UTF-8, not JSON, unknown or mistyped fields, bad values.
    let cases: [(&[u8], rv_result); 13] = [
        (b"{\"anchors\":[\"\xff\xfe\"]}", rv_result::RV_INVALID_UTF8),
        (b"{\"validation_time\":\"\xc3\"}", rv_result::RV_INVALID_UTF8),
        (b"not json", rv_result::RV_INVALID_JSON),
        (b"", rv_result::RV_INVALID_JSON),
        (b"null", rv_result::RV_INVALID_JSON),
        (b"0", rv_result::RV_INVALID_JSON),
        (b"{\"policy\":\"pkcs7-detached\"}", rv_result::RV_INVALID_JSON),
        (b"{\"all_signers\":true}", rv_result::RV_INVALID_JSON),
        (b"{\"anchors\":\"not a list\"}", rv_result::RV_INVALID_JSON),
        (b"{\"anchors\":[1]}", rv_result::RV_INVALID_JSON),
        (b"{\"anchors\":[\"zz not hex\"]}", rv_result::RV_INVALID_ARGUMENT),
        (
            b"{\"crls\":[\"-----BEGIN X509 CRL-----\\n!!!!\\n-----END X509 CRL-----\"]}",
            rv_result::RV_INVALID_ARGUMENT,
        ),
        (b"{\"validation_time\":\"yesterday\"}", rv_result::RV_INVALID_ARGUMENT),
    ];
    for (options, expected) in cases {
        let what = String::from_utf8_lossy(options).into_owned();
        let (rc, message) = code(verify(&pdf, Some(options)), &what);
        assert_eq!(rc, expected, "{what}: {message}");
        assert!(
            message.contains("options_json")
                || message.contains("anchors")
                || message.contains("crls")
                || message.contains("validation_time"),
            "{what}: {message}"
        );
        // The vault variant reads its options the same way.
        let options = CString::new(options).unwrap();
        let mut out = sentinel();
        // SAFETY: a live handle and buffer, a NUL-terminated string, a writable out-param.
        let rc = unsafe { rv_vault_verify_pdf(v, pdf.as_ptr(), pdf.len(), options.as_ptr(), &mut out) };
        assert_eq!(code(outcome(rc, out, &what), &what).0, expected, "vault: {what}");
    }
    // SAFETY: a live handle, freed once.
    unsafe { handle::rv_vault_free(v) };
}

/// The fixture of the PHP and Java tests: bindings/testdata/make-test-pki.sh, then
/// make-signed-pdf.py (python3 and openssl only) signs a PDF with the officer's key.
#[test]
fn the_bindings_signed_pdf_fixture_passes() {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = tempfile::tempdir().unwrap();
    let pki = dir.path().join("pki");
    let out = Command::new("bash")
        .arg(manifest.join("bindings/testdata/make-test-pki.sh"))
        .arg(&pki)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "make-test-pki.sh: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let pdf_path = dir.path().join("signed.pdf");
    let out = Command::new("python3")
        .arg(manifest.join("bindings/testdata/make-signed-pdf.py"))
        .arg(pki.join("officer.pem"))
        .arg(pki.join("officer.key"))
        .arg(&pdf_path)
        .output()
        .expect("python3 not found");
    assert!(
        out.status.success(),
        "make-signed-pdf.py: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let pdf = std::fs::read(&pdf_path).unwrap();
    let root = std::fs::read(pki.join("root.der")).unwrap();
    let crl = std::fs::read(pki.join("crl.der")).unwrap();
    let trusted = options(&[&root], &[&crl], &now());

    let v = passed(&verify(&pdf, Some(trusted.as_bytes())), "make-signed-pdf.py");
    assert_eq!(v["revisions"], 1);
    let s = &v["signatures"][0];
    assert_eq!(s["field"], "Signature1");
    assert_eq!(s["sub_filter"], "adbe.pkcs7.detached");
    assert_eq!(s["covers_whole_file"], true);
    assert_eq!(
        s["reason"], "Ký số bản sao điện tử",
        "UTF-16BE text strings are decoded"
    );
    assert_eq!(s["location"], "UBND phường Bến Nghé");
    assert_eq!(s["verdict"]["signer"]["subject"], "CN=Test Officer");
    assert_eq!(s["verdict"]["revocation"]["status"], "GOOD");
    assert!(s["claimed_time"].is_string(), "{s:#}");

    // One byte of the page's text flipped: FAILED, HASH_FAILURE.
    let tampered = flip_after(&pdf, b"(Trich luc", 2);
    let v = verify(&tampered, Some(trusted.as_bytes())).unwrap();
    assert_eq!(v["indication"], "FAILED", "{v:#}");
    assert_eq!(v["sub_indication"], "HASH_FAILURE", "{v:#}");

    // Through a vault that trusts the root and its CRL.
    let v = open_vault(dir.path(), &[&root], &[&crl]);
    passed(&vault_verify(v, &pdf, None), "make-signed-pdf.py in a vault");
    // SAFETY: a live handle, freed once.
    unsafe { handle::rv_vault_free(v) };
}
