//! Reuse queries on a vault of 1,000,000 records, against the same run's floors:
//! - a bare indexed SQLite lookup of the same rows (the floor);
//! - that lookup plus one bare durable insert (what any recorded reuse must cost at least:
//!   a reuse is not acknowledged before its audit event is on disk).
//!
//! The 1M-record vault is generated once into target/bench-data/ (through the public
//! `ingest_batch`, so every record has its audit event) and reused by later runs while its
//! test PKI's CRL is fresh (regenerated after 20 days; the CRL is valid 30).
//! A result is reusable only with an accepted signature that passes at the query's time,
//! so the birth extracts of `SIGNED` citizens spread over the population are signed
//! (`sign_with`, a local RSA-2048 officer key of a throw-away PKI made by
//! `bindings/testdata/make-test-pki.sh`, root and CRL in the vault's trust store) and the
//! queries ask for those: every answer verifies a CMS, a path and a CRL, as in production.
//!
//! Agency-signed results (issue 21): `AGENCY_SIGNED` more citizens have a birth extract that
//! is a PDF signed inside by an agency officer (`pdf::sign::sign_pdf`, a second throw-away
//! PKI whose root and CRL join the trust store), with no vault signature; their reuse
//! re-verifies the PDF's signature (cached per trust state, as the vault-signed verdicts
//! are) and is measured against the same floors.
//! `cargo bench --bench reuse`; RV_BENCH_RECORDS=N for a smaller vault.

#[path = "support.rs"]
mod support;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use criterion::{BenchmarkId, Criterion};
use results_vault::{Requester, ReuseQuery, SubjectId, SubjectKind, Vault, VaultOptions};
use support::*;

const DOCUMENT_TYPES: [&str; 4] = [
    "birth-extract",
    "residence-confirmation",
    "marital-status",
    "judicial-record",
];
const GENERATOR_BATCH: usize = 10_000;
/// Citizens whose birth extract is signed (the queries' population).
const SIGNED: u64 = 2_000;
/// Citizens (after the population) whose birth extract is an agency-signed PDF.
const AGENCY_SIGNED: u64 = 500;
/// A vault older than this is regenerated: its CRL (valid 30 days) would have expired.
const MAX_AGE: Duration = Duration::from_secs(20 * 24 * 3600);

fn records_wanted() -> u64 {
    std::env::var("RV_BENCH_RECORDS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(1_000_000)
}

/// Each citizen has one result of each document type.
fn citizens(records: u64) -> u64 {
    records / DOCUMENT_TYPES.len() as u64
}

fn citizen_id(i: u64) -> String {
    format!("{:012}", 79_000_000_000u64 + i)
}

/// Builds (once) and opens the bench vault.
fn bench_vault(records: u64) -> (Vault, PathBuf) {
    let dir = target_dir().join("bench-data");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("reuse-{records}-p{}.vault", page_size()));
    let done = path.with_extension("vault.signed-v1");
    let fresh = std::fs::metadata(&done)
        .and_then(|m| m.modified())
        .is_ok_and(|at| at.elapsed().is_ok_and(|age| age < MAX_AGE));
    let agency_done = path.with_extension("vault.agency-v1");
    if !fresh {
        let _ = std::fs::remove_file(&agency_done);
        generate(&path, records);
        std::fs::write(&done, b"").unwrap();
    }
    let vault = Vault::open(&path, options()).unwrap();
    // A vault made before agency-signed results were benched gets them once.
    if !agency_done.exists() {
        let pki = tempfile::tempdir().unwrap();
        add_agency_signed(&vault, pki.path(), records);
        std::fs::write(&agency_done, b"").unwrap();
    }
    (vault, path)
}

/// The j-th citizen with an agency-signed birth extract (after the population).
fn agency_citizen(j: u64, records: u64) -> u64 {
    citizens(records) + j % AGENCY_SIGNED
}

/// Ingests `AGENCY_SIGNED` birth extracts signed inside by an agency officer of a new
/// throw-away PKI (root and CRL added to the trust store), each its own PDF.
fn add_agency_signed(vault: &Vault, dir: &Path, records: u64) {
    let officer = officer(dir, vault);
    let started = Instant::now();
    let now = time::OffsetDateTime::now_utc();
    let base = results_vault::pdf::report::document(
        "UBND PHƯỜNG HẢI CHÂU",
        "TRÍCH LỤC KHAI SINH",
        &[("Họ, chữ đệm, tên", "NGUYỄN VĂN AN")],
        time::OffsetDateTime::UNIX_EPOCH,
    )
    .unwrap();
    let items: Vec<_> = (0..AGENCY_SIGNED)
        .map(|j| {
            let k = agency_citizen(j, records);
            // Each PDF its own: the field name differs, so do the bytes.
            let pdf = results_vault::pdf::sign::sign_pdf(&base, &officer, &format!("Signature{j}"), now).unwrap();
            let mut meta = record(records + j, &citizen_id(k), "birth-extract");
            meta.dossier_code = format!("AGENCY-{j}");
            (meta, pdf)
        })
        .collect();
    vault
        .ingest_batch(items.iter().map(|(m, c)| (m.clone(), &c[..])).collect())
        .unwrap();
    eprintln!(
        "signed and ingested {AGENCY_SIGNED} agency-signed PDFs in {:.1?}",
        started.elapsed()
    );
}

fn generate(path: &Path, records: u64) {
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
    let vault = Vault::create(path, options()).unwrap();
    let pki = tempfile::tempdir().unwrap();
    let signer = officer(pki.path(), &vault);
    let started = Instant::now();
    let people = citizens(records);
    let signed: Vec<u64> = (0..signed_count(records)).map(|s| signed_citizen(s, records)).collect();
    let mut to_sign = Vec::new();
    let mut n = 0u64;
    while n < records {
        let batch: Vec<_> = (n..(n + GENERATOR_BATCH as u64).min(records))
            .map(|k| {
                let doc_type = DOCUMENT_TYPES[(k / people) as usize % DOCUMENT_TYPES.len()];
                let meta = record(k, &citizen_id(k % people), doc_type);
                let content = format!("%PDF-1.7\n% result {k} {doc_type}\n{}", "x".repeat(200)).into_bytes();
                (meta, content)
            })
            .collect();
        let stored = vault
            .ingest_batch(batch.iter().map(|(m, c)| (m.clone(), &c[..])).collect())
            .unwrap();
        for (k, ingested) in (n..).zip(&stored) {
            // Birth extracts are the first `people` records, citizen k's is record k.
            if k < people && signed.binary_search(&k).is_ok() {
                to_sign.push(ingested.record.result_id.clone());
            }
        }
        n += batch.len() as u64;
        if n.is_multiple_of(100_000) {
            eprintln!("generated {n} records in {:.1?}", started.elapsed());
        }
    }
    eprintln!(
        "generated {records} records in {:.1?} ({:.0} records/s)",
        started.elapsed(),
        records as f64 / started.elapsed().as_secs_f64()
    );
    let started = Instant::now();
    for id in &to_sign {
        vault
            .sign_with(id, &signer, results_vault::verify::crypto::DigestAlgorithm::Sha256)
            .unwrap();
    }
    eprintln!("signed {} birth extracts in {:.1?}", to_sign.len(), started.elapsed());
}

/// How many citizens have a signed birth extract.
fn signed_count(records: u64) -> u64 {
    SIGNED.min(citizens(records))
}

/// The s-th signed citizen: spread evenly over the population (increasing in s).
fn signed_citizen(s: u64, records: u64) -> u64 {
    s * citizens(records) / signed_count(records)
}

/// A throw-away PKI in `dir` (root and CRL added to the vault's trust store) and its
/// officer as a local signer.
fn officer(dir: &Path, vault: &Vault) -> results_vault::signing::LocalSigner {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("bindings/testdata/make-test-pki.sh");
    let run = |cmd: &mut std::process::Command| {
        let out = cmd.output().expect("spawn");
        assert!(
            out.status.success(),
            "{cmd:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    run(std::process::Command::new("bash").arg(script).arg(dir));
    run(std::process::Command::new("openssl")
        .args(["pkcs8", "-topk8", "-nocrypt", "-outform", "DER", "-in"])
        .arg(dir.join("officer.key"))
        .arg("-out")
        .arg(dir.join("officer.p8")));
    let read = |name: &str| std::fs::read(dir.join(name)).unwrap();
    vault.add_trust_anchor(&read("root.der")).unwrap();
    vault.add_crl(&read("crl.der")).unwrap();
    results_vault::signing::LocalSigner::from_pkcs8(&read("officer.p8"), vec![read("officer.der")]).unwrap()
}

fn options() -> VaultOptions {
    VaultOptions {
        page_size: page_size(),
        ..VaultOptions::default()
    }
}

fn query(i: u64) -> ReuseQuery {
    ReuseQuery {
        subject_kind: SubjectKind::Citizen,
        subject_id: SubjectId::new(citizen_id(i)),
        document_type: "birth-extract".to_owned(),
        at: time::OffsetDateTime::now_utc(),
    }
}

fn requester(i: u64) -> Requester {
    Requester {
        agency_code: "G22.47".to_owned(),
        procedure_code: "1.001193".to_owned(),
        dossier_code: format!("G22.47-BENCH-{i}"),
        purpose: "benchmark".to_owned(),
    }
}

/// The floors, on their own connection to the same file.
struct Floor {
    conn: rusqlite::Connection,
}

impl Floor {
    fn new(path: &Path) -> Floor {
        let conn = bare_sqlite(path);
        conn.execute_batch("CREATE TABLE IF NOT EXISTS floor_log (id INTEGER PRIMARY KEY, result_id TEXT, at INTEGER)")
            .unwrap();
        Floor { conn }
    }

    /// The bare indexed lookup: the rows of one subject and document type.
    fn lookup(&self, i: u64) -> Vec<(String, i64)> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT result_id, content_id FROM records
                 WHERE subject_kind = 'citizen' AND subject_id = ?1 AND document_type = ?2",
            )
            .unwrap();
        stmt.query_map((citizen_id(i), "birth-extract"), |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .map(Result::unwrap)
            .collect()
    }

    /// The lookup, then one durable insert per row found.
    fn lookup_and_record(&mut self, i: u64) {
        let rows = self.lookup(i);
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .unwrap();
        for (id, _) in &rows {
            tx.execute("INSERT INTO floor_log (result_id, at) VALUES (?1, ?2)", (id, i as i64))
                .unwrap();
        }
        tx.commit().unwrap();
    }
}

fn main() {
    let records = records_wanted();
    let (vault, path) = bench_vault(records);
    let mut floor = Floor::new(&path);
    // Spread queries over the signed citizens (a multiplicative walk, not a hot set).
    let pick = |k: u64| signed_citizen(k.wrapping_mul(2_654_435_761) % signed_count(records), records);
    let answer = vault.find_reusable(query(pick(1)), requester(1)).unwrap();
    assert_eq!(answer.results.len(), 1, "not reusable: {:?}", answer.excluded);
    let agency = |k: u64| agency_citizen(k.wrapping_mul(2_654_435_761), records);
    let answer = vault.find_reusable(query(agency(1)), requester(1)).unwrap();
    assert_eq!(
        answer.results.len(),
        1,
        "agency-signed not reusable: {:?}",
        answer.excluded
    );
    assert!(
        answer.verdicts[0].signatures[0].pdf_field.is_some(),
        "judged by its PDF signature"
    );

    let mut c = Criterion::default()
        .sample_size(30)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(5))
        .configure_from_args();
    let mut group = c.benchmark_group("reuse_1m");
    let mut k = 0u64;
    group.bench_function(BenchmarkId::new("floor", "lookup"), |b| {
        b.iter(|| {
            k += 1;
            floor.lookup(pick(k))
        })
    });
    group.bench_function(BenchmarkId::new("floor", "lookup_and_record"), |b| {
        b.iter(|| {
            k += 1;
            floor.lookup_and_record(pick(k))
        })
    });
    group.bench_function(BenchmarkId::new("vault", "find_reusable"), |b| {
        b.iter(|| {
            k += 1;
            vault.find_reusable(query(pick(k)), requester(k)).unwrap()
        })
    });
    group.bench_function(BenchmarkId::new("vault", "find_reusable_agency_signed"), |b| {
        b.iter(|| {
            k += 1;
            vault.find_reusable(query(agency(k)), requester(k)).unwrap()
        })
    });
    group.finish();
    c.final_summary();

    let rounds = std::env::var("RV_BENCH_ROUNDS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(1000);
    println!("\npaired medians on {records} records ({rounds} rounds each):");
    // Each round queries a different citizen on each side (same distribution).
    let subject = |base: u64, round: u64, side: u64| base + 2 * round + side;
    let mut floor2 = Floor::new(&path);
    paired(
        "reuse vs bare lookup",
        rounds,
        5.0,
        |r| drop(floor.lookup(pick(subject(1 << 20, r, 0)))),
        |r| {
            let i = subject(1 << 20, r, 1);
            vault.find_reusable(query(pick(i)), requester(i)).unwrap();
        },
    );
    paired(
        "reuse vs lookup + durable insert",
        rounds,
        5.0,
        |r| floor2.lookup_and_record(pick(subject(1 << 24, r, 0))),
        |r| {
            let i = subject(1 << 24, r, 1);
            vault.find_reusable(query(pick(i)), requester(i)).unwrap();
        },
    );
    let mut floor3 = Floor::new(&path);
    paired(
        "agency-signed reuse vs lookup + durable insert",
        rounds,
        5.0,
        |r| floor3.lookup_and_record(pick(subject(1 << 26, r, 0))),
        |r| {
            let i = subject(1 << 26, r, 1);
            vault.find_reusable(query(agency(i)), requester(i)).unwrap();
        },
    );
    print_ratios(&[
        ("reuse_1m", "vault/find_reusable", "floor/lookup", 5.0),
        ("reuse_1m", "vault/find_reusable", "floor/lookup_and_record", 5.0),
        (
            "reuse_1m",
            "vault/find_reusable_agency_signed",
            "floor/lookup_and_record",
            5.0,
        ),
    ]);
}
