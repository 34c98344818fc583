//! Ingest of ~200 KB results, single and batched, against the floor of the same run:
//! bare SHA-256 + bare SQLite blob insert with the same PRAGMAs and the same batching.
//!
//! `cargo bench --bench ingest` prints criterion's figures, then the ratio table.
//! Targets: the already-compressed class at most 1.3x its floor; the text class is
//! reported as measured, with its compression ratio.

#[path = "support.rs"]
mod support;

use std::cell::Cell;
use std::time::Duration;

use criterion::{BenchmarkId, Criterion, Throughput};
use results_vault::{Vault, VaultOptions};
use support::*;

const BATCH: usize = 32;

fn classes() -> [(&'static str, Vec<u8>); 2] {
    [("compressed", compressed_doc(1)), ("text", text_doc(1))]
}

/// The floor: SHA-256 of each document and a blob insert, `n` per transaction.
struct Floor {
    conn: rusqlite::Connection,
}

impl Floor {
    fn new(name: &str) -> Floor {
        let conn = bare_sqlite(&bench_dir(name).join("floor.db"));
        conn.execute_batch(
            "CREATE TABLE blobs (id INTEGER PRIMARY KEY, sha256 BLOB NOT NULL UNIQUE, data BLOB NOT NULL)",
        )
        .unwrap();
        Floor { conn }
    }

    fn insert(&mut self, docs: &[Vec<u8>]) {
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .unwrap();
        {
            let mut stmt = tx
                .prepare_cached("INSERT INTO blobs (sha256, data) VALUES (?1, ?2)")
                .unwrap();
            for doc in docs {
                let digest = ring::digest::digest(&ring::digest::SHA256, doc);
                stmt.execute((digest.as_ref(), doc)).unwrap();
            }
        }
        tx.commit().unwrap();
    }
}

fn vault(name: &str) -> Vault {
    let options = VaultOptions {
        page_size: page_size(),
        ..VaultOptions::default()
    };
    Vault::create(bench_dir(name).join("bench.vault"), options).unwrap()
}

fn bench(c: &mut Criterion) {
    let counter = Cell::new(0u64);
    let next = || {
        counter.set(counter.get() + 1);
        counter.get()
    };

    let mut single = c.benchmark_group("ingest_single");
    single.throughput(Throughput::Bytes(DOC_SIZE as u64));
    for (class, doc) in classes() {
        let mut floor = Floor::new(&format!("single-floor-{class}"));
        single.bench_function(BenchmarkId::new("floor", class), |b| {
            b.iter_batched(
                || {
                    let mut d = doc.clone();
                    stamp(&mut d, next());
                    vec![d]
                },
                |docs| floor.insert(&docs),
                criterion::BatchSize::SmallInput,
            )
        });
        let v = vault(&format!("single-vault-{class}"));
        single.bench_function(BenchmarkId::new("vault", class), |b| {
            b.iter_batched(
                || {
                    let n = next();
                    let mut d = doc.clone();
                    stamp(&mut d, n);
                    (record(n, "001203004567", "birth-extract"), d)
                },
                |(meta, d)| v.ingest(meta, &d).unwrap(),
                criterion::BatchSize::SmallInput,
            )
        });
    }
    single.finish();

    let mut batched = c.benchmark_group("ingest_batch32");
    batched.throughput(Throughput::Bytes((DOC_SIZE * BATCH) as u64));
    for (class, doc) in classes() {
        let mut floor = Floor::new(&format!("batch-floor-{class}"));
        let make = || {
            (0..BATCH)
                .map(|_| {
                    let n = next();
                    let mut d = doc.clone();
                    stamp(&mut d, n);
                    (n, d)
                })
                .collect::<Vec<_>>()
        };
        batched.bench_function(BenchmarkId::new("floor", class), |b| {
            b.iter_batched(
                || make().into_iter().map(|(_, d)| d).collect::<Vec<_>>(),
                |docs| floor.insert(&docs),
                criterion::BatchSize::SmallInput,
            )
        });
        let v = vault(&format!("batch-vault-{class}"));
        batched.bench_function(BenchmarkId::new("vault", class), |b| {
            b.iter_batched(
                make,
                |docs| {
                    let items = docs
                        .iter()
                        .map(|(n, d)| (record(*n, "001203004567", "birth-extract"), &d[..]))
                        .collect();
                    v.ingest_batch(items).unwrap()
                },
                criterion::BatchSize::SmallInput,
            )
        });
        if class == "text" {
            for line in v.storage_summary().unwrap() {
                println!(
                    "text class storage: {} contents, {} bytes -> {} stored with {} ({:.2}x smaller)",
                    line.contents,
                    line.bytes,
                    line.stored_bytes,
                    line.codec,
                    line.bytes as f64 / line.stored_bytes as f64
                );
            }
        }
    }
    batched.finish();
}

/// Floor and vault alternately on the same documents' classes; prints the ratios.
fn paired_ratios(rounds: usize) {
    println!("\npaired medians ({rounds} rounds each, page_size {}):", page_size());
    let only = std::env::var("RV_BENCH_CLASS").ok();
    for (class, doc) in classes() {
        if only.as_deref().is_some_and(|o| o != class) {
            continue;
        }
        let target = if class == "compressed" { 1.3 } else { f64::INFINITY };
        for batch in [1, BATCH] {
            let mut floor = Floor::new(&format!("paired-floor-{class}-{batch}"));
            let v = vault(&format!("paired-vault-{class}-{batch}"));
            let docs = |round: u64, side: u64| {
                (0..batch as u64)
                    .map(|k| {
                        let n = (round * batch as u64 + k) * 2 + side;
                        let mut d = doc.clone();
                        stamp(&mut d, n);
                        (n, d)
                    })
                    .collect::<Vec<_>>()
            };
            paired(
                &format!("ingest {class} x{batch}"),
                rounds,
                target,
                |round| floor.insert(&docs(round, 0).into_iter().map(|(_, d)| d).collect::<Vec<_>>()),
                |round| {
                    let docs = docs(round, 1);
                    let items = docs
                        .iter()
                        .map(|(n, d)| (record(*n, "001203004567", "birth-extract"), &d[..]))
                        .collect();
                    v.ingest_batch(items).unwrap();
                },
            );
        }
    }
}

fn main() {
    let mut c = Criterion::default()
        .sample_size(20)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(5))
        .configure_from_args();
    bench(&mut c);
    c.final_summary();
    paired_ratios(
        std::env::var("RV_BENCH_ROUNDS")
            .ok()
            .and_then(|r| r.parse().ok())
            .unwrap_or(300),
    );
    print_ratios(&[
        ("ingest_single", "vault/compressed", "floor/compressed", 1.3),
        ("ingest_batch32", "vault/compressed", "floor/compressed", 1.3),
        ("ingest_single", "vault/text", "floor/text", f64::INFINITY),
        ("ingest_batch32", "vault/text", "floor/text", f64::INFINITY),
    ]);
    let _ = std::fs::remove_dir_all(target_dir().join("bench-tmp"));
}
