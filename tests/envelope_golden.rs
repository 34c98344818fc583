//! Golden vectors for the canonical envelope (RFC 8785): input record -> exact bytes ->
//! SHA-256, in `tests/golden/envelope.json`, so that PHP, Java or anyone else can check
//! their own implementation against ours. Regenerate with `RV_BLESS=1 cargo test
//! --test envelope_golden` only when the envelope format deliberately changes (and then
//! change `ENVELOPE_FORMAT` too).

use std::path::Path;

use results_vault::{ContentInfo, Envelope, NewRecord, Sha256};
use serde::{Deserialize, Serialize};

const VECTORS: &str = "tests/golden/envelope.json";

#[derive(Serialize, Deserialize)]
struct Vector {
    name: String,
    /// The record as a portal sends it (before NFC normalization).
    record: NewRecord,
    content: ContentInfo,
    /// The exact envelope bytes (UTF-8).
    envelope: String,
    envelope_sha256: Sha256,
}

fn inputs() -> Vec<(String, NewRecord, ContentInfo)> {
    let record = |json: serde_json::Value| serde_json::from_value::<NewRecord>(json).unwrap();
    let content = |bytes: &[u8]| ContentInfo {
        sha256: Sha256::of(bytes),
        size: bytes.len() as u64,
    };
    vec![
        (
            "citizen-birth-extract-never-expires".into(),
            record(serde_json::json!({
                "dossier_code": "G22.46-261001-0001", "procedure_code": "1.000466",
                "document_type": "Trích lục khai sinh", "document_number": "123/TLKS-BS",
                "issuer": {"agency_code": "G22.46.01", "agency_name": "UBND phường Hải Châu"},
                "subject": {"kind": "citizen", "id": "001203004567", "name": "Nguyễn Văn An"},
                "issued_at": "2026-10-01", "valid_from": "2026-10-01",
                "media_type": "application/pdf", "file_name": "tlks.pdf",
                "provenance": {"origin": "born_digital"}
            })),
            content(b"%PDF-1.7 birth extract"),
        ),
        (
            "organization-branch-digitized-with-expiry".into(),
            record(serde_json::json!({
                "dossier_code": "000.00.10.H17-260915-0007", "procedure_code": "2.001610",
                "document_type": "Giấy chứng nhận đăng ký hoạt động chi nhánh", "document_number": "0100109106-001",
                "issuer": {"agency_code": "G22.10"},
                "subject": {"kind": "organization", "id": "0100109106-001"},
                "issued_at": "2026-09-15", "valid_from": "2026-09-15", "valid_until": "2031-09-14",
                "media_type": "application/pdf",
                "provenance": {"origin": "digitized", "unit": "Bộ phận một cửa", "scanned_on": "2026-09-16"},
                "extra": {"pages": 2}
            })),
            content(&[0u8; 1000]),
        ),
        (
            "decomposed-input-is-normalized-to-nfc".into(),
            record(serde_json::json!({
                "dossier_code": "G22.46-261002-0002", "procedure_code": "1.001193",
                "document_type": "Xa\u{301}c nhận cư tru\u{301}", "document_number": "7/XN-CA",
                "issuer": {"agency_code": "G06.01"},
                "subject": {"kind": "citizen", "id": "079088001234", "name": "Tra\u{302}\u{300}n Thi\u{323} Bi\u{300}nh"},
                "issued_at": "2026-10-02", "valid_from": "2026-10-02", "valid_until": "2027-04-01",
                "media_type": "application/xml",
                "provenance": {"origin": "born_digital"}
            })),
            content(b"<xacnhan/>"),
        ),
        (
            "escapes-and-astral-characters".into(),
            record(serde_json::json!({
                "dossier_code": "D\"quoted\"\\back", "procedure_code": "1.000466",
                "document_type": "Gia phả 𠀧 (Hán Nôm)", "document_number": "12/QĐ-UBND",
                "issuer": {"agency_code": "H17"},
                "subject": {"kind": "citizen", "id": "001203004567"},
                "issued_at": "1999-12-31", "valid_from": "2000-01-01",
                "media_type": "text/plain; charset=utf-8",
                "provenance": {"origin": "born_digital"}
            })),
            content(b"\xff"),
        ),
    ]
}

fn build() -> Vec<Vector> {
    inputs()
        .into_iter()
        .map(|(name, record, content)| {
            let mut normalized = record.clone();
            normalized.normalize_and_check().unwrap();
            let envelope = Envelope::new(&normalized, &content).unwrap();
            Vector {
                name,
                record,
                content,
                envelope: String::from_utf8(envelope.as_bytes().to_vec()).unwrap(),
                envelope_sha256: envelope.sha256(),
            }
        })
        .collect()
}

#[test]
fn envelopes_match_the_golden_vectors() {
    let built = build();
    if std::env::var_os("RV_BLESS").is_some() {
        std::fs::write(VECTORS, serde_json::to_string_pretty(&built).unwrap() + "\n").unwrap();
    }
    let golden: Vec<Vector> = serde_json::from_slice(&std::fs::read(VECTORS).unwrap()).unwrap();
    assert_eq!(golden.len(), built.len());
    for (g, b) in golden.iter().zip(&built) {
        assert_eq!(g.name, b.name);
        // Build from the golden file's own input, not only from the list above.
        let mut record = g.record.clone();
        record.normalize_and_check().unwrap();
        let envelope = Envelope::new(&record, &g.content).unwrap();
        assert_eq!(
            std::str::from_utf8(envelope.as_bytes()).unwrap(),
            g.envelope,
            "{}",
            g.name
        );
        assert_eq!(envelope.sha256(), g.envelope_sha256, "{}", g.name);
        assert_eq!(Sha256::of(g.envelope.as_bytes()), g.envelope_sha256, "{}", g.name);
    }
}

#[test]
fn golden_envelopes_are_exactly_what_another_language_builds() {
    // python3 rebuilds each envelope from the documented fields with its own json and
    // unicodedata modules, and must produce the same bytes and SHA-256.
    assert!(Path::new(VECTORS).exists());
    let script = r#"
import hashlib, json, sys, unicodedata
nfc = lambda s: unicodedata.normalize("NFC", s)
for v in json.load(open(sys.argv[1], encoding="utf-8")):
    r = v["record"]
    env = {
        "format": "results-vault/envelope/v1",
        "dossier_code": nfc(r["dossier_code"]), "procedure_code": nfc(r["procedure_code"]),
        "document_type": nfc(r["document_type"]), "document_number": nfc(r["document_number"]),
        "agency_code": nfc(r["issuer"]["agency_code"]),
        "subject": {"kind": r["subject"]["kind"], "id": r["subject"]["id"]},
        "issued_at": r["issued_at"], "valid_from": r["valid_from"], "valid_until": r.get("valid_until"),
        "content": {"sha256": v["content"]["sha256"], "size": v["content"]["size"], "media_type": r["media_type"]},
    }
    out = json.dumps(env, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    assert out == v["envelope"].encode("utf-8"), (v["name"], out)
    assert hashlib.sha256(out).hexdigest() == v["envelope_sha256"], v["name"]
    print("ok", v["name"])
"#;
    let out = std::process::Command::new("python3")
        .arg("-c")
        .arg(script)
        .arg(VECTORS)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(String::from_utf8_lossy(&out.stdout).lines().count(), build().len());
}
