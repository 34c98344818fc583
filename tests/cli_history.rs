//! `rvault supersede`, `rvault history` and what `rvault show` says of a record's
//! evidence: its signatures and the check of its PDF's signatures.
#![cfg(feature = "cli")]

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

const META: &str = r#"{
  "dossier_code": "G22.46-261001-0001", "procedure_code": "1.000466",
  "document_type": "birth-extract", "document_number": "NUMBER",
  "issuer": {"agency_code": "G22.46.01"},
  "subject": {"kind": "KIND", "id": "SUBJECT", "name": "Nguyễn Văn An"},
  "issued_at": "2026-10-01", "valid_from": "2026-10-01",
  "media_type": "MEDIA", "provenance": {"origin": "born_digital"}
}"#;

/// A personal ID typed into free text (a reason): masked wherever a line shows it.
const PROBE: &str = "079203001234";

struct Office {
    dir: tempfile::TempDir,
}

impl Office {
    fn new() -> Office {
        let o = Office {
            dir: tempfile::tempdir().unwrap(),
        };
        assert!(o.run(&["init"]).status.success());
        o
    }

    fn vault(&self) -> PathBuf {
        self.dir.path().join("office.vault")
    }

    fn run(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_rvault"))
            .env_remove("RVAULT_VAULT")
            .arg("--vault")
            .arg(self.vault())
            .args(args)
            .output()
            .unwrap()
    }

    fn ok(&self, args: &[&str]) -> String {
        let o = self.run(args);
        assert!(o.status.success(), "{args:?}: {}", err(&o));
        out(&o)
    }

    fn ingest(&self, number: &str, subject: (&str, &str), media: &str, content: &[u8]) -> String {
        let file = self.dir.path().join(format!("{}.bin", number.replace('/', "-")));
        let meta = file.with_extension("json");
        std::fs::write(&file, content).unwrap();
        let json = META
            .replace("NUMBER", number)
            .replace("KIND", subject.0)
            .replace("SUBJECT", subject.1)
            .replace("MEDIA", media);
        std::fs::write(&meta, json).unwrap();
        let said = self.ok(&["ingest", path(&file), "--meta", path(&meta)]);
        said.split_whitespace().nth(1).unwrap().to_owned()
    }

    fn show(&self, id: &str) -> Value {
        serde_json::from_str(&self.ok(&["show", id])).unwrap()
    }
}

fn path(p: &Path) -> &str {
    p.to_str().unwrap()
}

fn out(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn err(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

const CITIZEN: (&str, &str) = ("citizen", common::CITIZEN_ID);

#[test]
fn supersede_replaces_a_result_and_history_tells_what_happened() {
    let o = Office::new();
    let old = o.ingest("1/TLKS", CITIZEN, "application/octet-stream", b"first");
    let new = o.ingest("1/TLKS-BS", CITIZEN, "application/octet-stream", b"corrected");
    let other = o.ingest(
        "2/TLKS",
        ("citizen", "001203009999"),
        "application/octet-stream",
        b"another",
    );
    let reason = format!("Cấp lại, sai số {PROBE}");
    let by = [
        "--reason",
        reason.as_str(),
        "--decision",
        "09/QĐ-UBND",
        "--by",
        "G22.46.01",
    ];
    let supersede = |old: &str, new: &str| o.run(&[&["supersede", old, new][..], &by].concat());

    // Refused, nothing changed: a replacement about another subject, the result itself,
    // an unknown id, a missing option.
    let refused = supersede(&old, &other);
    assert_eq!(refused.status.code(), Some(65), "{}", err(&refused));
    assert!(err(&refused).contains("another subject"), "{}", err(&refused));
    let refused = supersede(&old, &old);
    assert_eq!(refused.status.code(), Some(65), "{}", err(&refused));
    assert!(err(&refused).contains("cannot replace itself"), "{}", err(&refused));
    let refused = supersede(&old, "01JDZZZZZZZZZZZZZZZZZZZZZZ");
    assert_eq!(refused.status.code(), Some(65), "{}", err(&refused));
    let refused = o.run(&["supersede", &old, &new, "--reason", "x", "--decision", "1/QĐ"]);
    assert_eq!(refused.status.code(), Some(64), "{}", err(&refused));
    let refused = o.run(&[
        "supersede",
        &old,
        &new,
        "--reason",
        " ",
        "--decision",
        "1/QĐ",
        "--by",
        "G22",
    ]);
    assert_eq!(refused.status.code(), Some(65), "{}", err(&refused));
    assert!(err(&refused).contains("reason"), "{}", err(&refused));
    assert_eq!(o.show(&old)["status"]["state"], "ACTIVE");

    let done = supersede(&old, &new);
    assert!(done.status.success(), "{}", err(&done));
    assert_eq!(out(&done), format!("superseded {old} by {new}\n"));
    let shown = o.show(&old);
    assert_eq!(shown["status"]["state"], "SUPERSEDED");
    assert_eq!(shown["status"]["replaced_by"], new.as_str());
    assert_eq!(shown["status"]["decision_ref"], "09/QĐ-UBND");
    assert_eq!(shown["status"]["reason"], reason.as_str());

    // Once: it is no longer in force, so neither revoke nor supersede applies again.
    let again = supersede(&old, &new);
    assert_eq!(again.status.code(), Some(65));
    assert!(
        err(&again).contains("SUPERSEDED") && err(&again).contains("rvault history"),
        "{}",
        err(&again)
    );

    // The history: ingest then supersede, one line each, personal IDs masked.
    let lines = o.ok(&["history", &old]);
    let lines: Vec<&str> = lines.lines().collect();
    assert_eq!(lines.len(), 2, "{lines:?}");
    let fields: Vec<&str> = lines[0].split_whitespace().collect();
    assert_eq!(fields[0], "1");
    assert!(time::OffsetDateTime::parse(fields[1], &time::format_description::well_known::Rfc3339).is_ok());
    assert_eq!(fields[2], "ingest");
    assert_eq!(fields[3], "rvault");
    assert!(lines[0].contains("  stored, content sha256 "), "{}", lines[0]);
    assert!(
        lines[1].contains("supersede") && lines[1].contains("G22.46.01"),
        "{}",
        lines[1]
    );
    assert!(lines[1].contains(&format!("replaced by {new}")), "{}", lines[1]);
    assert!(
        lines[1].contains("decision 09/QĐ-UBND: Cấp lại, sai số **********34"),
        "{}",
        lines[1]
    );
    assert!(!lines.concat().contains(PROBE) && !lines.concat().contains(common::CITIZEN_ID));

    // --json: the events as the log holds them, one a line.
    let events = o.ok(&["history", &old, "--json"]);
    let events: Vec<Value> = events.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(events.len(), 2);
    assert_eq!(events[0]["kind"], "ingest");
    assert_eq!(events[1]["kind"], "supersede");
    assert_eq!(events[1]["actor"], "G22.46.01");
    assert_eq!(events[1]["details"]["replaced_by"], new.as_str());
    assert_eq!(events[1]["result_id"], old.as_str());
    assert_eq!(events[1]["hash"].as_str().unwrap().len(), 64);

    // Unknown and malformed ids.
    let unknown = o.run(&["history", "01JDZZZZZZZZZZZZZZZZZZZZZZ"]);
    assert_eq!(unknown.status.code(), Some(65));
    assert!(err(&unknown).contains("hint:"));
    assert_eq!(o.run(&["history", "123"]).status.code(), Some(64));
}

#[test]
fn show_lists_signatures_and_the_pdf_check_beside_the_record() {
    let o = Office::new();
    let plain = o.ingest("1/TLKS", CITIZEN, "application/octet-stream", b"a result");
    let pdf = o.ingest("2/TLKS", CITIZEN, "application/pdf", b"%PDF-1.7 not really a PDF");

    // Unsigned, not a PDF: the record as before, with an empty list and no check.
    let shown = o.show(&plain);
    assert_eq!(shown["result_id"], plain.as_str());
    assert_eq!(shown["subject"]["id"], common::CITIZEN_ID);
    assert_eq!(shown["signatures"], serde_json::json!([]));
    assert_eq!(shown["pdf_check"], Value::Null);
    // The record's own fields come first, in their order.
    let text = o.ok(&["show", &plain]);
    let first_key = text.lines().nth(1).unwrap().trim();
    assert!(first_key.starts_with("\"result_id\""), "{text}");
    assert!(text.find("\"ingested_at\"").unwrap() < text.find("\"signatures\"").unwrap());

    // A file that says PDF but cannot be read: the ingest check says why.
    let check = &o.show(&pdf)["pdf_check"];
    assert!(check["checked_at"].is_string(), "{check}");
    assert_eq!(check["indication"], Value::Null);
    assert!(check["problem"].as_str().unwrap().contains("PDF"), "{check}");

    // Signed through the library: the signature's hashes, source, time and verdict.
    let stored = {
        let v = results_vault::Vault::open(o.vault(), results_vault::VaultOptions::default()).unwrap();
        let signer = common::signing::TestSigner::new();
        signer.trust(&v);
        signer.sign(&v, &plain.parse().unwrap())
    };
    let shown = o.show(&plain);
    let signatures = shown["signatures"].as_array().unwrap();
    assert_eq!(signatures.len(), 1);
    let s = &signatures[0];
    assert_eq!(s["sha256"], stored.sha256.to_hex().as_str());
    assert_eq!(s["signer_certificate"], stored.signer_certificate.to_hex().as_str());
    assert_eq!(s["source"]["kind"], "session");
    assert_eq!(s["event_seq"], stored.event_seq);
    assert_eq!(s["acceptance"]["indication"], "PASSED");
    assert_eq!(s["acceptance"]["sub_indication"], Value::Null);
    assert!(s["signer"].as_str().unwrap().contains("CN="), "{s}");
    let poe = time::OffsetDateTime::parse(
        s["proof_of_existence"].as_str().unwrap(),
        &time::format_description::well_known::Rfc3339,
    )
    .unwrap();
    assert_eq!(poe, stored.proof_of_existence);
    assert!(s.get("cms").is_none(), "the CMS is for `rvault export`");

    // And the history has the sign event, with hashes only.
    let history = o.ok(&["history", &plain]);
    let sign = history.lines().find(|l| l.contains("  sign  ")).unwrap();
    assert!(sign.contains(&format!("signature {}", stored.sha256)), "{sign}");
    assert!(
        sign.contains(&format!("by certificate {}", stored.signer_certificate)),
        "{sign}"
    );
}
