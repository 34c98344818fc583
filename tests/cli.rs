//! The `rvault` binary, run as an officer would: init, ingest, show, reuse, log checks, and
//! errors that end with a hint.
#![cfg(feature = "cli")]

mod common;

use std::path::Path;
use std::process::{Command, Output};

fn rvault(vault: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_rvault"))
        .arg("--vault")
        .arg(vault)
        .args(args)
        .output()
        .unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

const META: &str = r#"{
  "dossier_code": "G22.46-261001-0001", "procedure_code": "1.000466",
  "document_type": "birth-extract", "document_number": "123/TLKS",
  "issuer": {"agency_code": "G22.46.01"},
  "subject": {"kind": "citizen", "id": "001203004567", "name": "Nguyễn Văn An"},
  "issued_at": "2026-10-01", "valid_from": "2026-10-01",
  "media_type": "application/pdf", "provenance": {"origin": "born_digital"}
}"#;

#[test]
fn an_officer_session() {
    let dir = tempfile::tempdir().unwrap();
    let vault = dir.path().join("office.vault");
    let (meta, file) = (dir.path().join("meta.json"), dir.path().join("result.pdf"));
    std::fs::write(&meta, META).unwrap();
    std::fs::write(&file, b"%PDF-1.7 result").unwrap();

    // Before init: a clear error with a hint, exit code in the usage/I/O range.
    let o = rvault(
        &vault,
        &["ingest", file.to_str().unwrap(), "--meta", meta.to_str().unwrap()],
    );
    assert!(o.status.code().unwrap() >= 64, "{o:?}");
    assert!(
        stderr(&o).contains("hint: create the vault with `rvault init`"),
        "{}",
        stderr(&o)
    );

    assert!(rvault(&vault, &["init"]).status.success());
    let o = rvault(
        &vault,
        &["ingest", file.to_str().unwrap(), "--meta", meta.to_str().unwrap()],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.starts_with("stored "), "{out}");
    let id = out.split_whitespace().nth(1).unwrap().to_owned();
    let o = rvault(
        &vault,
        &["ingest", file.to_str().unwrap(), "--meta", meta.to_str().unwrap()],
    );
    assert!(
        stdout(&o).starts_with(&format!("already stored {id}")),
        "{}",
        stdout(&o)
    );

    let o = rvault(&vault, &["show", &id]);
    let shown: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(shown["result_id"], id.as_str());
    assert_eq!(shown["status"]["state"], "ACTIVE");

    // Only signed results are reused: the portal signs this one (through the library).
    {
        let v = results_vault::Vault::open(&vault, results_vault::VaultOptions::default()).unwrap();
        let signer = common::signing::TestSigner::new();
        signer.trust(&v);
        signer.sign(&v, &id.parse().unwrap());
    }

    let reuse = [
        "reuse",
        "--subject",
        "001203004567",
        "--type",
        "birth-extract",
        "--agency",
        "G22.47",
        "--procedure",
        "1.001193",
        "--dossier",
        "D-1",
    ];
    let o = rvault(&vault, &[&reuse[..], &["--purpose", "enrolment"]].concat());
    assert!(o.status.success(), "{}", stderr(&o));
    let answer: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(answer["results"][0]["result_id"], id.as_str());
    let o = rvault(&vault, &[&reuse[..], &["--purpose", ""]].concat());
    assert!(!o.status.success());
    assert!(stderr(&o).contains("reuse refused"), "{}", stderr(&o));

    let head = stdout(&rvault(&vault, &["log", "head"])).trim().to_owned();
    // ingest, two trust additions, the signature, the reuse.
    assert!(head.starts_with("5:"), "{head}");
    let o = rvault(&vault, &["log", "verify", "--against", &head]);
    assert!(o.status.success());
    assert!(
        stdout(&o).starts_with("INTACT: 5 events, 1 records, 1 reuses"),
        "{}",
        stdout(&o)
    );

    // Tampering shows as TAMPERED with exit code 1.
    rusqlite::Connection::open(&vault)
        .unwrap()
        .execute("UPDATE events SET actor = 'x' WHERE seq = 1", [])
        .unwrap();
    let o = rvault(&vault, &["log", "verify"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stdout(&o).contains("TAMPERED"), "{}", stdout(&o));
}

#[test]
fn bad_metadata_names_the_field_and_hides_the_id() {
    let dir = tempfile::tempdir().unwrap();
    let vault = dir.path().join("v.vault");
    assert!(rvault(&vault, &["init"]).status.success());
    let meta = dir.path().join("meta.json");
    std::fs::write(&meta, META.replace("001203004567", "00120300456")).unwrap();
    let file = dir.path().join("r.pdf");
    std::fs::write(&file, b"x").unwrap();
    let o = rvault(
        &vault,
        &["ingest", file.to_str().unwrap(), "--meta", meta.to_str().unwrap()],
    );
    assert_eq!(o.status.code(), Some(65));
    let err = stderr(&o);
    assert!(
        err.contains("invalid subject.id") && !err.contains("00120300456"),
        "{err}"
    );
}
