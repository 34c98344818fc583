//! Shared by the benchmarks: sample documents, bench directories, and the ratio table
//! read back from criterion's own estimates of the same run.
#![allow(dead_code)]

use std::path::PathBuf;

use results_vault::{Issuer, NewRecord, Provenance, Subject, SubjectId, SubjectKind};
use time::macros::date;

/// Size of a typical digitized result.
pub const DOC_SIZE: usize = 200 * 1024;

/// Incompressible bytes: stands for a PDF of Flate streams or a JPEG scan.
pub fn compressed_doc(seed: u64) -> Vec<u8> {
    let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let mut out = b"%PDF-1.7\n".to_vec();
    while out.len() < DOC_SIZE {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        out.extend_from_slice(&x.to_le_bytes());
    }
    out.truncate(DOC_SIZE);
    out
}

/// Text-heavy bytes: an uncompressed PDF/XML of Vietnamese administrative prose.
pub fn text_doc(seed: u64) -> Vec<u8> {
    let words = [
        "CỘNG",
        "HÒA",
        "XÃ",
        "HỘI",
        "CHỦ",
        "NGHĨA",
        "VIỆT",
        "NAM",
        "Độc",
        "lập",
        "Tự",
        "do",
        "Hạnh",
        "phúc",
        "Điều",
        "Quyết",
        "định",
        "Ủy",
        "ban",
        "nhân",
        "dân",
        "phường",
        "Hải",
        "Châu",
        "căn",
        "cứ",
        "Luật",
        "Hộ",
        "tịch",
        "năm",
        "2014",
        "ngày",
        "tháng",
        "số",
        "/QĐ-UBND",
        "công",
        "dân",
        "thường",
        "trú",
        "tại",
    ];
    let mut out = format!("%PDF-1.7\n% seed {seed}\nBT /F1 11 Tf\n").into_bytes();
    let mut i = seed as usize;
    while out.len() < DOC_SIZE {
        i = i.wrapping_mul(1_103_515_245).wrapping_add(12_345);
        out.extend_from_slice(words[(i >> 8) % words.len()].as_bytes());
        out.extend_from_slice(if (i >> 4).is_multiple_of(13) {
            b") Tj T*\n("
        } else {
            b" "
        });
    }
    out.truncate(DOC_SIZE);
    out
}

/// Makes `doc` unique for iteration `n` (so neither side can deduplicate it away).
pub fn stamp(doc: &mut [u8], n: u64) {
    doc[9..17].copy_from_slice(&n.to_le_bytes());
}

pub fn record(n: u64, subject: &str, document_type: &str) -> NewRecord {
    NewRecord {
        dossier_code: format!("G22.46-BENCH-{n:09}"),
        procedure_code: "1.000466".to_owned(),
        document_type: document_type.to_owned(),
        document_number: format!("{n}/TLKS"),
        issuer: Issuer {
            agency_code: format!("G22.{:02}", n % 63),
            agency_name: None,
        },
        subject: Subject {
            kind: SubjectKind::Citizen,
            id: SubjectId::new(subject),
            name: None,
        },
        issued_at: date!(2026 - 10 - 01),
        valid_from: date!(2026 - 10 - 01),
        valid_until: None,
        media_type: "application/pdf".to_owned(),
        file_name: None,
        provenance: Provenance::BornDigital,
        extra: serde_json::Map::new(),
    }
}

/// A fresh directory under target/bench-tmp (on the same disk as a real vault).
pub fn bench_dir(name: &str) -> PathBuf {
    let dir = target_dir().join("bench-tmp").join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

pub fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("target"))
}

/// A bare SQLite connection with the vault's PRAGMAs, for the floors.
pub fn bare_sqlite(path: &std::path::Path) -> rusqlite::Connection {
    let conn = rusqlite::Connection::open(path).unwrap();
    conn.pragma_update(None, "page_size", page_size()).unwrap();
    conn.query_row("PRAGMA journal_mode = WAL", [], |_| Ok(())).unwrap();
    conn.pragma_update(None, "synchronous", "FULL").unwrap();
    conn.pragma_update(None, "foreign_keys", true).unwrap();
    conn.pragma_update(None, "cache_size", -32 * 1024).unwrap();
    conn
}

/// The page size for both sides: the vault's default, or RV_BENCH_PAGE_SIZE to compare.
pub fn page_size() -> u32 {
    std::env::var("RV_BENCH_PAGE_SIZE")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(16384)
}

/// The median criterion measured for `group/id` in this run, in nanoseconds.
pub fn median_ns(group: &str, id: &str) -> Option<f64> {
    let base = std::env::var_os("CRITERION_HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|| target_dir().join("criterion"));
    let path = base.join(group).join(id).join("new").join("estimates.json");
    let json: serde_json::Value = serde_json::from_slice(&std::fs::read(path).ok()?).ok()?;
    json["median"]["point_estimate"].as_f64()
}

/// Prints `name: vault X, floor Y, ratio Z (target T)` for each (group, vault id, floor id).
pub fn print_ratios(rows: &[(&str, &str, &str, f64)]) {
    println!(
        "\n{:<44} {:>12} {:>12} {:>7} {:>7}",
        "ratio to the same run's floor (medians)", "vault", "floor", "ratio", "target"
    );
    for (group, vault, floor, target) in rows {
        match (median_ns(group, vault), median_ns(group, floor)) {
            (Some(v), Some(f)) => println!(
                "{:<44} {:>12} {:>12} {:>6.2}x {:>6.2}x {}",
                format!("{group}/{vault}"),
                human(v),
                human(f),
                v / f,
                target,
                if v / f <= *target { "ok" } else { "OVER" }
            ),
            _ => println!("{group}/{vault}: no estimate (was it filtered out?)"),
        }
    }
}

fn human(ns: f64) -> String {
    if ns >= 1e6 {
        format!("{:.2} ms", ns / 1e6)
    } else {
        format!("{:.1} µs", ns / 1e3)
    }
}

/// Times `floor` and `vault` alternately (`rounds` each, order swapped every round so that
/// disk and cache drift hit both alike) and prints both medians and their ratio. On a small,
/// noisy machine this pairing is what makes the ratio repeatable; criterion's separate
/// runs give the absolute figures.
pub fn paired(name: &str, rounds: usize, target: f64, floor: impl FnMut(u64), vault: impl FnMut(u64)) -> f64 {
    let (mf, mv) = paired_medians(name, rounds, target, floor, vault);
    mv / mf
}

/// As [`paired`], returning both medians in nanoseconds: (floor, vault).
pub fn paired_medians(
    name: &str,
    rounds: usize,
    target: f64,
    mut floor: impl FnMut(u64),
    mut vault: impl FnMut(u64),
) -> (f64, f64) {
    // RV_BENCH_FILTER=text runs only the cases whose name contains it (for profiling one).
    if std::env::var("RV_BENCH_FILTER").is_ok_and(|f| !name.contains(&f)) {
        return (f64::NAN, f64::NAN);
    }
    let mut f = Vec::with_capacity(rounds);
    let mut v = Vec::with_capacity(rounds);
    let (mut f_written, mut v_written) = (0u64, 0u64);
    for i in 0..rounds as u64 {
        let time = |op: &mut dyn FnMut(u64), out: &mut Vec<f64>, written: &mut u64| {
            let w = bytes_written();
            let t = std::time::Instant::now();
            op(i);
            out.push(t.elapsed().as_nanos() as f64);
            *written += bytes_written() - w;
        };
        if i % 2 == 0 {
            time(&mut floor, &mut f, &mut f_written);
            time(&mut vault, &mut v, &mut v_written);
        } else {
            time(&mut vault, &mut v, &mut v_written);
            time(&mut floor, &mut f, &mut f_written);
        }
    }
    let median = |xs: &mut Vec<f64>| {
        xs.sort_by(|a, b| a.total_cmp(b));
        xs[xs.len() / 2]
    };
    let (mf, mv) = (median(&mut f), median(&mut v));
    println!(
        "{:<28} vault {:>10}  floor {:>10}  ratio {:>5.2}x  target {:>5.2}x {:<4}  written/op: vault {} KiB, floor {} KiB",
        name,
        human(mv),
        human(mf),
        mv / mf,
        target,
        if mv / mf <= target { "ok" } else { "OVER" },
        v_written / rounds as u64 / 1024,
        f_written / rounds as u64 / 1024,
    );
    (mf, mv)
}

/// Bytes this process has passed to write(2) so far (Linux /proc/self/io `wchar`).
fn bytes_written() -> u64 {
    std::fs::read_to_string("/proc/self/io")
        .ok()
        .and_then(|io| {
            io.lines()
                .find_map(|l| l.strip_prefix("wchar: ").and_then(|n| n.trim().parse().ok()))
        })
        .unwrap_or(0)
}
