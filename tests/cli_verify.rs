//! The officer's commands, run as an officer would: `trust`, `sign` (local key, and
//! begin/complete around an external signer: the real `openssl`), `verify` (files, ids,
//! hashes; with a vault or with --signature/--trust/--crl alone; tampered content, revoked
//! signer, untrusted root, expired record, missing file) and `export` checked by openssl.
#![cfg(feature = "cli")]

mod common;

use common::office::{code, err, json, out, rvault, Office};
use common::pki::openssl;

#[test]
fn a_signed_stored_file_passes_by_file_id_and_hash_and_its_export_verifies_with_openssl() {
    let o = Office::new();
    let id = o.ingest("result.pdf", b"%PDF-1.7 trich luc", None);
    let s = o.sign_local(&id);
    assert!(s.status.success(), "{}", err(&s));
    assert!(out(&s).contains("PASSED"), "{}", out(&s));

    let file = o.path("result.pdf");
    for input in [file.to_str().unwrap(), id.as_str()] {
        let v = o.run(&["verify", input, "--json"]);
        assert_eq!(code(&v), 0, "{}{}", out(&v), err(&v));
        let j = json(&v);
        assert_eq!(j["indication"], "PASSED");
        assert_eq!(j["integrity"], true);
        assert_eq!(j["status"], "ACTIVE");
        assert_eq!(j["result_id"], id.as_str());
        assert_eq!(j["signatures"][0]["indication"], "PASSED");
        assert!(
            j["signatures"][0]["signer"].as_str().unwrap().contains("CN=Signer"),
            "{j}"
        );
        assert!(
            j["signatures"][0]["issuer"].as_str().unwrap().contains("Root CA"),
            "{j}"
        );
    }
    let hash = json(&o.run(&["verify", id.as_str(), "--json"]))["sha256"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(code(&o.run(&["verify", &hash, "--json"])), 0);

    // Human output: Vietnamese by default, English on request.
    let vi = o.run(&["verify", file.to_str().unwrap()]);
    assert_eq!(code(&vi), 0);
    assert!(out(&vi).contains("Kết luận"), "{}", out(&vi));
    let en = o.run(&["verify", file.to_str().unwrap(), "--lang", "en"]);
    assert!(out(&en).contains("Verdict"), "{}", out(&en));

    // The export verifies with openssl alone.
    let exported = o.path("export");
    let e = o.run(&["export", &id, "--out", exported.to_str().unwrap()]);
    assert!(e.status.success(), "{}", err(&e));
    assert_eq!(std::fs::read(exported.join("content")).unwrap(), b"%PDF-1.7 trich luc");
    let how = std::fs::read_to_string(exported.join("VERIFY.txt")).unwrap();
    assert!(how.contains("openssl cms -verify"), "{how}");
    assert!(openssl(
        &exported,
        &[
            "cms",
            "-verify",
            "-binary",
            "-inform",
            "DER",
            "-in",
            "signature-1.der",
            "-content",
            "envelope.json",
            "-CAfile",
            "trust.pem",
            "-crl_check_all",
            "-purpose",
            "any",
            "-out",
            "/dev/null"
        ]
    ));
    let envelope = std::fs::read_to_string(exported.join("envelope.json")).unwrap();
    assert!(envelope.contains(&hash), "the envelope names the content's SHA-256");
}

#[test]
fn two_phase_signing_with_an_external_signer() {
    let o = Office::new();
    let id = o.ingest("result.pdf", b"%PDF-1.7 external", None);
    let cert = o.pki.path("signer.pem");
    let b = o.run(&["sign", "begin", &id, "--cert", cert.to_str().unwrap()]);
    assert!(b.status.success(), "{}", err(&b));
    let session: serde_json::Value = serde_json::from_str(&out(&b)).unwrap();
    let attrs: Vec<u8> = (0..session["signed_attributes"].as_str().unwrap().len() / 2)
        .map(|i| u8::from_str_radix(&session["signed_attributes"].as_str().unwrap()[2 * i..2 * i + 2], 16).unwrap())
        .collect();
    std::fs::write(o.pki.path("attrs.der"), attrs).unwrap();
    assert!(openssl(
        o.pki.dir.path(),
        &[
            "dgst",
            "-sha256",
            "-sign",
            "signer.key",
            "-out",
            "attrs.sig",
            "attrs.der"
        ]
    ));
    let sid = session["session_id"].as_str().unwrap();
    let sig = o.pki.path("attrs.sig");
    let missing_alg = o.run(&["sign", "complete", sid, "--signature", sig.to_str().unwrap()]);
    assert_eq!(code(&missing_alg), 64, "{}", err(&missing_alg));
    let c = o.run(&[
        "sign",
        "complete",
        sid,
        "--signature",
        sig.to_str().unwrap(),
        "--algorithm",
        "RSA_PKCS1",
    ]);
    assert!(c.status.success(), "{}", err(&c));
    assert_eq!(code(&o.run(&["verify", &id])), 0);
}

#[test]
fn without_a_vault_a_detached_signature_is_verified_with_the_anchor_and_crl_given() {
    let o = Office::new();
    let doc = o.path("doc.pdf");
    std::fs::write(&doc, b"%PDF-1.7 signed elsewhere").unwrap();
    let sig = o.path("doc.p7s");
    std::fs::write(&sig, o.pki.sign(b"%PDF-1.7 signed elsewhere", &[])).unwrap();
    let none = o.path("no.vault");
    let (root, crl) = (o.pki.path("root.pem"), o.path("crl.der"));
    let args = |extra: &[&str]| {
        let mut a = vec![
            "verify",
            doc.to_str().unwrap(),
            "--signature",
            sig.to_str().unwrap(),
            "--json",
        ];
        a.extend_from_slice(extra);
        a.iter().map(|s| s.to_string()).collect::<Vec<_>>()
    };
    let run = |a: Vec<String>| rvault(&none, &a.iter().map(String::as_str).collect::<Vec<_>>());

    let ok = run(args(&[
        "--trust",
        root.to_str().unwrap(),
        "--crl",
        crl.to_str().unwrap(),
    ]));
    assert_eq!(code(&ok), 0, "{}{}", out(&ok), err(&ok));
    assert_eq!(json(&ok)["indication"], "PASSED");
    assert!(json(&ok)["status"].is_null(), "no record without a vault");

    // No anchor at all: INDETERMINATE / NO_CERTIFICATE_CHAIN_FOUND, not an error.
    let no_anchor = run(args(&[]));
    assert_eq!(code(&no_anchor), 2);
    assert_eq!(json(&no_anchor)["sub_indication"], "NO_CERTIFICATE_CHAIN_FOUND");

    // An untrusted root (same name, other key).
    std::fs::write(o.path("impostor.der"), &o.pki.impostor_root).unwrap();
    let impostor = o.path("impostor.der");
    let untrusted = run(args(&[
        "--trust",
        impostor.to_str().unwrap(),
        "--crl",
        crl.to_str().unwrap(),
    ]));
    assert_eq!(code(&untrusted), 2, "{}", out(&untrusted));
    assert_eq!(json(&untrusted)["indication"], "INDETERMINATE");

    // Tampered content: FAILED / HASH_FAILURE, exit 1.
    std::fs::write(&doc, b"%PDF-1.7 signed elsewhere, then edited").unwrap();
    let tampered = run(args(&[
        "--trust",
        root.to_str().unwrap(),
        "--crl",
        crl.to_str().unwrap(),
    ]));
    assert_eq!(code(&tampered), 1, "{}", out(&tampered));
    assert_eq!(json(&tampered)["sub_indication"], "HASH_FAILURE");
}

#[test]
fn a_revoked_signer_fails_a_signature_without_proof_of_existence() {
    let o = Office::new();
    let doc = o.path("doc.pdf");
    std::fs::write(&doc, b"%PDF-1.7 revoked signer").unwrap();
    let sig = o.path("doc.p7s");
    std::fs::write(&sig, o.pki.sign(b"%PDF-1.7 revoked signer", &[])).unwrap();
    o.pki.revoke_signer();
    std::fs::write(o.path("revoked.der"), o.pki.crl("revoked")).unwrap();
    let v = rvault(
        &o.path("no.vault"),
        &[
            "verify",
            doc.to_str().unwrap(),
            "--signature",
            sig.to_str().unwrap(),
            "--json",
            "--trust",
            o.pki.path("root.pem").to_str().unwrap(),
            "--crl",
            o.path("revoked.der").to_str().unwrap(),
        ],
    );
    let j = json(&v);
    assert_ne!(j["indication"], "PASSED", "{j}");
    assert!(code(&v) == 1 || code(&v) == 2, "{j}");
    assert!(j["signatures"][0]["revocation"] == "REVOKED", "{j}");
}

#[test]
fn unsigned_revoked_expired_and_missing_inputs() {
    let o = Office::new();
    // Stored but unsigned: never PASSED.
    let unsigned = o.ingest("unsigned.pdf", b"%PDF-1.7 unsigned", None);
    let v = o.run(&["verify", &unsigned, "--json"]);
    assert_eq!(code(&v), 2);
    assert_eq!(json(&v)["sub_indication"], "SIGNED_DATA_NOT_FOUND");
    // A file the vault does not know, without --signature: never PASSED.
    std::fs::write(o.path("stranger.pdf"), b"%PDF-1.7 who knows").unwrap();
    let v = o.run(&["verify", o.path("stranger.pdf").to_str().unwrap(), "--json"]);
    assert_eq!(code(&v), 2);
    assert_eq!(json(&v)["indication"], "INDETERMINATE");

    // Signed, then revoked by decision: the signature passes, the record is not in force.
    let id = o.ingest("result.pdf", b"%PDF-1.7 later revoked", None);
    assert!(o.sign_local(&id).status.success());
    let r = o.run(&[
        "revoke",
        &id,
        "--reason",
        "Cấp nhầm",
        "--decision",
        "08/QĐ-UBND",
        "--by",
        "G22.46.01",
    ]);
    assert!(r.status.success(), "{}", err(&r));
    let v = o.run(&["verify", &id, "--json"]);
    assert_eq!(code(&v), 3, "{}", out(&v));
    assert_eq!(json(&v)["status"], "REVOKED");
    assert_eq!(json(&v)["indication"], "PASSED");

    // Expired (valid_until in the past at --at): exit 3 too.
    let expired = o.ingest("old.pdf", b"%PDF-1.7 expires", Some("2026-06-30"));
    assert!(o.sign_local(&expired).status.success());
    let at = time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap();
    let v = o.run(&["verify", &expired, "--json", "--at", &at]);
    assert_eq!(json(&v)["status"], "EXPIRED", "{}", out(&v));
    assert_eq!(code(&v), 3);

    // A missing file: a clear message, exit 66, and the other inputs still answered.
    let v = o.run(&["verify", "/nonexistent/result.pdf", &id]);
    assert_eq!(code(&v), 66, "{}", err(&v));
    assert!(err(&v).contains("cannot read /nonexistent/result.pdf"), "{}", err(&v));
    assert!(!err(&v).contains("panicked"));
    assert!(out(&v).contains(&id), "the readable input is still verified");
}

#[test]
fn trust_list_and_remove() {
    let o = Office::new();
    let list = out(&o.run(&["trust", "list"]));
    assert_eq!(list.lines().count(), 2, "{list}");
    let anchor = list
        .lines()
        .find(|l| l.starts_with("anchor"))
        .unwrap()
        .split_whitespace()
        .nth(1)
        .unwrap()
        .to_owned();
    assert!(o.run(&["trust", "remove", &anchor]).status.success());
    assert_eq!(out(&o.run(&["trust", "list"])).lines().count(), 1);
    let again = o.run(&["trust", "remove", &anchor]);
    assert_eq!(code(&again), 64);
    assert!(err(&again).contains("rvault trust list"), "{}", err(&again));
    let bad = o.run(&["trust", "add", "anchor", "/nonexistent/root.pem"]);
    assert_eq!(code(&bad), 66, "{}", err(&bad));

    // Without its root in the trust store, a signature is refused with what to do next.
    let id = o.ingest("result.pdf", b"%PDF-1.7 no root", None);
    let refused = o.sign_local(&id);
    assert!(!refused.status.success());
    assert!(
        err(&refused).contains("hint: did you add the root CA with `rvault trust add anchor`"),
        "{}",
        err(&refused)
    );
    assert!(!err(&refused).contains("panicked"));
}

#[test]
fn a_manifest_is_ingested_in_parallel_and_a_rerun_resumes() {
    let o = Office::new();
    let folder = o.path("scans");
    std::fs::create_dir(&folder).unwrap();
    let mut csv = String::from(
        "file,dossier_code,procedure_code,document_type,document_number,issuer_agency_code,issuer_agency_name,\
         subject_kind,subject_id,subject_name,issued_at,valid_from,valid_until,media_type,provenance,scan_unit,scanned_on\n",
    );
    for i in 0..5 {
        if i != 3 {
            std::fs::write(folder.join(format!("kq-{i}.pdf")), format!("%PDF-1.7 scan {i}")).unwrap();
        }
        csv.push_str(&format!(
            "kq-{i}.pdf,G22.46-2611-{i:04},1.000466,Trích lục khai sinh,{i}/TLKS,G22.46.01,\"UBND phường Hải Châu, Đà Nẵng\",\
             citizen,00120300456{i},Nguyễn Văn {i},2026-01-02,2026-01-02,,application/pdf,digitized,Bộ phận một cửa,2026-11-01\n"
        ));
    }
    std::fs::write(folder.join("manifest.csv"), &csv).unwrap();
    let manifest = folder.join("manifest.csv");
    let first = o.run(&["ingest", "--manifest", manifest.to_str().unwrap(), "--jobs", "2"]);
    assert_eq!(code(&first), 65, "{}{}", out(&first), err(&first));
    assert!(
        out(&first).contains("4 stored, 0 already stored, 1 failed"),
        "{}",
        out(&first)
    );
    assert!(
        err(&first).contains("row 5") && err(&first).contains("kq-3.pdf"),
        "{}",
        err(&first)
    );

    // The missing file arrives; the re-run stores only it.
    std::fs::write(folder.join("kq-3.pdf"), "%PDF-1.7 scan 3").unwrap();
    let again = o.run(&["ingest", "--manifest", manifest.to_str().unwrap(), "--jobs", "2"]);
    assert_eq!(code(&again), 0, "{}", err(&again));
    assert!(
        out(&again).contains("1 stored, 4 already stored, 0 failed"),
        "{}",
        out(&again)
    );
    let shown = o.run(&["verify", folder.join("kq-3.pdf").to_str().unwrap(), "--json"]);
    assert_eq!(
        json(&shown)["sub_indication"],
        "SIGNED_DATA_NOT_FOUND",
        "stored, not signed"
    );
    assert!(json(&shown)["result_id"].is_string());

    // One bad row among good ones: the good ones are stored, the bad one is named (the rows
    // go in together in one transaction, which a bad row undoes: then each goes alone).
    let mixed = csv.lines().next().unwrap().to_owned()
        + "\n"
        + &(5..8)
            .map(|i| {
                std::fs::write(folder.join(format!("kq-{i}.pdf")), format!("%PDF-1.7 scan {i}")).unwrap();
                let subject = if i == 6 {
                    "12345".to_owned()
                } else {
                    format!("00120300456{i}")
                };
                format!(
                    "kq-{i}.pdf,G22.46-2611-{i:04},1.000466,Trích lục khai sinh,{i}/TLKS,G22.46.01,,\
                     citizen,{subject},,2026-01-02,2026-01-02,,application/pdf,,,\n"
                )
            })
            .collect::<String>();
    std::fs::write(folder.join("mixed.csv"), mixed).unwrap();
    let m = o.run(&[
        "ingest",
        "--manifest",
        folder.join("mixed.csv").to_str().unwrap(),
        "--jobs",
        "1",
    ]);
    assert_eq!(code(&m), 65, "{}", err(&m));
    assert!(out(&m).contains("2 stored, 0 already stored, 1 failed"), "{}", out(&m));
    assert!(err(&m).contains("row 3") && err(&m).contains("kq-6.pdf"), "{}", err(&m));
    assert!(
        !err(&m).contains("12345"),
        "the bad personal ID is not echoed: {}",
        err(&m)
    );

    // A manifest of another shape is refused with a clear message.
    std::fs::write(folder.join("bad.csv"), "file,unknown_column\nx.pdf,1\n").unwrap();
    let bad = o.run(&["ingest", "--manifest", folder.join("bad.csv").to_str().unwrap()]);
    assert_eq!(code(&bad), 64, "{}", err(&bad));
    assert!(err(&bad).contains("bad.csv"), "{}", err(&bad));
}
