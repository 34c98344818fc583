//! The audit re-hashes the archive: every stored content is decoded and hashed again
//! against the SHA-256 and size its records pin (through their state hash in the log).
//! Reading stays on the audit's one read snapshot; decoding and hashing, which is the
//! whole cost, runs on every core.

use std::collections::BTreeMap;
use std::sync::mpsc;
use std::sync::Mutex;

use rusqlite::Transaction;

use super::LogReport;
use crate::error::Result;
use crate::hash::Sha256;
use crate::store::content::{self, Codec};

/// Contents in flight between the reader and the hashing threads: enough to keep both
/// busy, few enough that memory stays a handful of results.
const QUEUE: usize = 8;

/// One stored content to check.
struct Job {
    id: i64,
    codec: Option<Codec>,
    size: u64,
    expected: Option<Sha256>,
    data: Vec<u8>,
}

/// Re-hashes every stored content; reports each mismatch once per record that holds it.
/// Returns how many contents were checked.
pub(super) fn rehash(tx: &Transaction<'_>, report: &mut LogReport) -> Result<u64> {
    // Which records hold each content (contents are stored once per hash).
    let mut holders: BTreeMap<i64, Vec<String>> = BTreeMap::new();
    {
        let mut stmt = tx.prepare("SELECT content_id, result_id FROM records ORDER BY result_id")?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            let (Ok(id), Ok(result_id)) = (r.get::<_, i64>(0), r.get::<_, String>(1)) else {
                continue; // an edited cell: the record check reports the record
            };
            holders.entry(id).or_default().push(result_id);
        }
    }
    let workers = std::thread::available_parallelism().map_or(2, |n| n.get()).clamp(1, 8);
    let (jobs, queue) = mpsc::sync_channel::<Job>(QUEUE);
    let queue = Mutex::new(queue);
    let (found, findings) = mpsc::channel::<(i64, String)>();
    let mut checked = 0u64;
    let read: Result<()> = std::thread::scope(|scope| {
        for _ in 0..workers {
            let found = found.clone();
            let queue = &queue;
            scope.spawn(move || loop {
                let job = match queue.lock() {
                    Ok(q) => q.recv(),
                    Err(_) => return,
                };
                let Ok(job) = job else { return };
                if let Some(why) = mismatch(&job) {
                    let _ = found.send((job.id, why));
                }
            });
        }
        drop(found);
        let mut stmt = tx.prepare("SELECT id, codec, size, sha256, data FROM contents ORDER BY id")?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            let job = Job {
                id: r.get(0)?,
                codec: r.get_ref(1)?.as_i64().ok().and_then(Codec::from_i64),
                size: r
                    .get_ref(2)?
                    .as_i64()
                    .ok()
                    .and_then(|s| u64::try_from(s).ok())
                    .unwrap_or(0),
                expected: r.get_ref(3)?.as_bytes().ok().and_then(Sha256::from_slice),
                data: r.get_ref(4)?.as_bytes().map(<[u8]>::to_vec).unwrap_or_default(),
            };
            checked += 1;
            if jobs.send(job).is_err() {
                break;
            }
        }
        drop(jobs);
        Ok(())
    });
    read?;
    let mut bad: Vec<(i64, String)> = findings.into_iter().collect();
    bad.sort();
    for (id, why) in bad {
        match holders.get(&id) {
            Some(records) => {
                for result_id in records {
                    report.problem(
                        None,
                        Some(result_id),
                        format!("its stored content no longer matches its SHA-256: {why}"),
                    );
                }
            }
            None => report.problem(
                None,
                None,
                format!("stored content {id} no longer matches its SHA-256: {why}"),
            ),
        }
    }
    Ok(checked)
}

/// Why a stored content does not decode to the size and SHA-256 it is pinned to.
fn mismatch(job: &Job) -> Option<String> {
    let (Some(codec), Some(expected)) = (job.codec, job.expected) else {
        return Some("its codec or hash cell was edited".into());
    };
    match content::check_stream(codec, &job.data[..], job.size, &expected) {
        Ok(()) => None,
        Err(content::DecodeError::Mismatch { actual }) => Some(format!("it now hashes to {actual}")),
    }
}
