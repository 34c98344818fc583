//! Helpers shared by the integration tests: sample records, a fixed clock, temp vaults.
#![allow(dead_code)]

use std::path::PathBuf;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;

use results_vault::{Issuer, NewRecord, Provenance, Subject, SubjectId, SubjectKind, Vault, VaultOptions};
use time::macros::{date, datetime};
use time::OffsetDateTime;

pub const CITIZEN_ID: &str = "001203004567";

/// A temp dir holding `vault.db` (kept alive by the returned guard).
pub struct TempVault {
    pub dir: tempfile::TempDir,
    pub vault: Vault,
}

impl TempVault {
    pub fn path(&self) -> PathBuf {
        self.dir.path().join("vault.db")
    }
}

/// A clock that starts at 2026-11-01 10:00 UTC and advances one second per call.
pub fn stepping_clock() -> results_vault::Clock {
    let t = Arc::new(AtomicI64::new(datetime!(2026-11-01 10:00 UTC).unix_timestamp()));
    Arc::new(move || OffsetDateTime::from_unix_timestamp(t.fetch_add(1, Ordering::SeqCst)).unwrap())
}

pub fn options() -> VaultOptions {
    VaultOptions {
        clock: stepping_clock(),
        ..VaultOptions::default()
    }
}

pub fn temp_vault() -> TempVault {
    temp_vault_with(options())
}

pub fn temp_vault_with(options: VaultOptions) -> TempVault {
    let dir = tempfile::tempdir().unwrap();
    let vault = Vault::create(dir.path().join("vault.db"), options).unwrap();
    TempVault { dir, vault }
}

/// A birth extract for `CITIZEN_ID`, in dossier `dossier`.
pub fn birth_extract(dossier: &str) -> NewRecord {
    NewRecord {
        dossier_code: dossier.to_owned(),
        procedure_code: "1.000466".to_owned(),
        document_type: "birth-extract".to_owned(),
        document_number: format!("{dossier}/TLKS"),
        issuer: Issuer {
            agency_code: "G22.46.01".to_owned(),
            agency_name: Some("UBND phường Hải Châu".to_owned()),
        },
        subject: Subject {
            kind: SubjectKind::Citizen,
            id: SubjectId::new(CITIZEN_ID),
            name: Some("Nguyễn Văn An".to_owned()),
        },
        issued_at: date!(2026 - 10 - 01),
        valid_from: date!(2026 - 10 - 01),
        valid_until: None,
        media_type: "application/pdf".to_owned(),
        file_name: Some("trich-luc-khai-sinh.pdf".to_owned()),
        provenance: Provenance::BornDigital,
        extra: serde_json::Map::new(),
    }
}

/// A business registration for enterprise `code`.
pub fn business_registration(dossier: &str, code: &str) -> NewRecord {
    NewRecord {
        dossier_code: dossier.to_owned(),
        procedure_code: "2.001610".to_owned(),
        document_type: "business-registration".to_owned(),
        document_number: format!("{dossier}/GCN"),
        issuer: Issuer {
            agency_code: "G22.10".to_owned(),
            agency_name: None,
        },
        subject: Subject {
            kind: SubjectKind::Organization,
            id: SubjectId::new(code),
            name: None,
        },
        issued_at: date!(2026 - 09 - 15),
        valid_from: date!(2026 - 09 - 15),
        valid_until: Some(date!(2027 - 09 - 14)),
        media_type: "application/pdf".to_owned(),
        file_name: None,
        provenance: Provenance::Digitized {
            unit: "Bộ phận một cửa".to_owned(),
            scanned_on: date!(2026 - 09 - 16),
        },
        extra: serde_json::Map::new(),
    }
}

/// Deterministic incompressible bytes (like a PDF of Flate streams or a JPEG scan).
pub fn noise(seed: u64, n: usize) -> Vec<u8> {
    let mut x = seed.wrapping_mul(0x9E3779B97F4A7C15) | 1;
    (0..n)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x as u8
        })
        .collect()
}

/// Deterministic text-heavy bytes.
pub fn text(seed: u64, n: usize) -> Vec<u8> {
    let words = [
        "CỘNG", "HÒA", "XÃ", "HỘI", "CHỦ", "NGHĨA", "VIỆT", "NAM", "Độc", "lập", "Tự", "do", "Hạnh", "phúc", "Điều",
        "Quyết", "định",
    ];
    let mut out = format!("%PDF-1.7 seed {seed}\n").into_bytes();
    let mut i = seed as usize;
    while out.len() < n {
        i = i.wrapping_mul(31).wrapping_add(7);
        out.extend_from_slice(words[i % words.len()].as_bytes());
        out.push(if i.is_multiple_of(11) { b'\n' } else { b' ' });
    }
    out.truncate(n);
    out
}

/// Opens the vault file directly, as someone editing it behind the vault's back would.
pub fn raw_sqlite(path: &std::path::Path) -> rusqlite::Connection {
    rusqlite::Connection::open(path).unwrap()
}

pub mod crafted;
pub mod der;
#[cfg(feature = "capi")]
pub mod ffi;
#[cfg(feature = "cli")]
pub mod office;
pub mod pades;
pub mod pki;
pub mod signing;
pub mod tsa;

/// A record's first signature at `at` as a portal meets it: (indication, sub-indication,
/// reusable per `verify_record`, handed out by `find_reusable` for the subject's birth
/// extracts). The time-travel tests compare it at +13 days, +3 and +20 years.
pub fn judged(
    vault: &Vault,
    id: &results_vault::ResultId,
    at: OffsetDateTime,
) -> (
    results_vault::Indication,
    Option<results_vault::SubIndication>,
    bool,
    bool,
) {
    let verdict = vault.verify_record(id, at).unwrap();
    let sig = &verdict.signatures[0].verdict;
    let found = vault
        .find_reusable(
            results_vault::ReuseQuery {
                subject_kind: SubjectKind::Citizen,
                subject_id: SubjectId::new(CITIZEN_ID),
                document_type: "birth-extract".into(),
                at,
            },
            results_vault::Requester {
                agency_code: "G22.47".into(),
                procedure_code: "1.001193".into(),
                dossier_code: "G22.47-D1".into(),
                purpose: "Tuyển sinh lớp 1".into(),
            },
        )
        .unwrap()
        .results
        .iter()
        .any(|r| r.result_id == *id);
    (sig.indication, sig.sub_indication, verdict.reusable, found)
}
