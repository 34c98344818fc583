//! `rvault verify some.pdf`: the signatures embedded in a signed PDF (made by pyHanko),
//! with and without a vault, in sentences, JSON Lines (with `covers_whole_file` and
//! `modified_after_signing`) and the PDF report.
#![cfg(feature = "cli")]

mod common;

use common::office::{code, err, json, out, rvault};
use common::pades::PadesFixtures;

fn trust_args(fx: &PadesFixtures) -> Vec<String> {
    std::fs::write(fx.pki.path("pades.crl.der"), fx.crl()).unwrap();
    vec![
        "--trust".into(),
        fx.pki.path("root.pem").display().to_string(),
        "--crl".into(),
        fx.pki.path("pades.crl.der").display().to_string(),
    ]
}

#[test]
fn signed_pdfs_are_verified_with_or_without_a_vault() {
    let fx = PadesFixtures::make();
    let none = fx.dir.path().join("no.vault");
    let trust = trust_args(&fx);
    let run = |file: &str, extra: &[&str]| {
        let path = fx.path(file).display().to_string();
        let mut args: Vec<&str> = vec!["verify", &path];
        args.extend(trust.iter().map(String::as_str));
        args.extend(extra);
        rvault(&none, &args)
    };

    let o = run("pades-rsa-pkcs1v15-sha256.pdf", &["--json"]);
    assert_eq!(code(&o), 0, "{}{}", out(&o), err(&o));
    let j = json(&o);
    assert_eq!(j["indication"], "PASSED");
    let s = &j["signatures"][0];
    assert_eq!(s["indication"], "PASSED");
    assert_eq!(s["covers_whole_file"], true);
    assert_eq!(s["modified_after_signing"], false);
    assert_eq!(s["sub_filter"], "ETSI.CAdES.detached");
    assert!(s["signer"].as_str().unwrap().contains("Signer"), "{s}");
    assert!(s["signing_time"].is_string(), "/M is the claimed time: {s}");

    // Signed twice: the first covers a revision followed by a permitted update.
    let o = run("signed-twice.pdf", &["--json"]);
    assert_eq!(code(&o), 0, "{}", out(&o));
    let j = json(&o);
    assert_eq!(j["signatures"][0]["covers_whole_file"], false);
    assert_eq!(j["signatures"][0]["modified_after_signing"], false);
    assert_eq!(j["signatures"][1]["covers_whole_file"], true);

    // A comment added under a DocMDP P=3 certification: ISO 32000 permits it, the default
    // (strict) policy does not (an officer cannot tell an overlay from the signed text).
    let o = run("certified-p3-annotation.pdf", &["--json"]);
    assert_eq!(code(&o), 1, "{}", out(&o));
    let s = &json(&o)["signatures"][0];
    assert_eq!(s["modified_after_signing"], true);
    assert!(s.to_string().contains("annotation"), "{s}");
    let o = run("certified-p3-annotation.pdf", &["--json", "--pdf-changes", "iso"]);
    assert_eq!(code(&o), 0, "{}", out(&o));
    assert_eq!(json(&o)["signatures"][0]["modified_after_signing"], false);
    let o = run("certified-p3-annotation.pdf", &["--pdf-changes", "lenient"]);
    assert_eq!(code(&o), 64, "{}", err(&o));

    // Page content changed after signing: FAILED, and the sentence says so.
    let o = run("signed-then-content-changed.pdf", &["--json"]);
    assert_eq!(code(&o), 1, "{}", out(&o));
    let s = &json(&o)["signatures"][0];
    assert_eq!(s["modified_after_signing"], true);
    assert_eq!(s["sub_indication"], "HASH_FAILURE");
    let o = run("signed-then-content-changed.pdf", &[]);
    assert!(out(&o).contains("nội dung đã bị thay đổi sau khi ký"), "{}", out(&o));

    // Without the root: INDETERMINATE, not an error.
    let path = fx.path("pades-rsa-pkcs1v15-sha256.pdf").display().to_string();
    let o = rvault(&none, &["verify", &path, "--json"]);
    assert_eq!(code(&o), 2);
    assert_eq!(json(&o)["sub_indication"], "NO_CERTIFICATE_CHAIN_FOUND");

    // The report shows what each signature covers.
    let report = fx.dir.path().join("report.pdf");
    let o = run("signed-twice.pdf", &["--report", report.to_str().unwrap()]);
    assert_eq!(code(&o), 0, "{}", err(&o));
    let text = std::process::Command::new("pdftotext")
        .args([report.to_str().unwrap(), "-"])
        .output()
        .expect("pdftotext (poppler-utils)");
    let text = String::from_utf8_lossy(&text.stdout);
    for wanted in [
        "Phạm vi được ký",
        "toàn bộ tệp",
        "chỉ các thay đổi được phép",
        "Trường chữ ký trong PDF",
    ] {
        assert!(text.contains(wanted), "{wanted:?} not in:\n{text}");
    }

    // A file that claims to be a PDF but is not one: a verdict, not a crash.
    let broken = fx.dir.path().join("broken.pdf");
    std::fs::write(&broken, b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n").unwrap();
    let o = rvault(&none, &["verify", broken.to_str().unwrap(), "--json"]);
    assert_eq!(code(&o), 2, "{}", err(&o));
    assert_eq!(json(&o)["sub_indication"], "SIGNED_DATA_NOT_FOUND");
    assert!(err(&o).contains("cannot be read for its signatures"), "{}", err(&o));
    assert!(json(&o)["pdf_problem"].is_string());
}

#[test]
fn a_stored_pdf_is_verified_by_id_with_its_embedded_signatures() {
    let fx = PadesFixtures::make();
    let vault = fx.dir.path().join("office.vault");
    assert!(rvault(&vault, &["init"]).status.success());
    let root = fx.pki.path("root.pem").display().to_string();
    assert!(rvault(&vault, &["trust", "add", "anchor", &root]).status.success());
    std::fs::write(fx.pki.path("pades.crl.der"), fx.crl()).unwrap();
    let crl = fx.pki.path("pades.crl.der").display().to_string();
    assert!(rvault(&vault, &["trust", "add", "crl", &crl]).status.success());
    let meta = fx.dir.path().join("meta.json");
    std::fs::write(&meta, common::office::meta("42/GP", None)).unwrap();
    let pdf = fx.path("pades-ecdsa-p256-sha256.pdf").display().to_string();
    let o = rvault(&vault, &["ingest", &pdf, "--meta", meta.to_str().unwrap()]);
    assert!(o.status.success(), "{}", err(&o));
    let id = out(&o).split_whitespace().nth(1).unwrap().to_owned();
    let o = rvault(&vault, &["verify", &id, "--json"]);
    let j = json(&o);
    assert_eq!(j["signatures"][0]["covers_whole_file"], true, "{j}");
    assert_eq!(j["signatures"][0]["indication"], "PASSED", "{j}");
    assert_eq!(j["indication"], "PASSED", "{j}");
    assert_eq!(code(&o), 0);
}
