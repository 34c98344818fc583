//! `rvault ingest --manifest FILE`: a whole folder of results in one run, in parallel, with
//! a progress bar. Resumable: the vault stores a result once, so a re-run after an
//! interruption only reports what was already in as "already stored".
//!
//! Manifests: a CSV file (one result per row; columns below), a JSON array, or JSON Lines
//! (`.jsonl`) of metadata objects with a `"file"` field. Files are relative to the
//! manifest's folder.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Mutex;

use results_vault::redact;
use results_vault::{Issuer, NewRecord, Provenance, Subject, SubjectId, Vault};
use serde::Deserialize;

use crate::error::CliError;

/// One row of a manifest: the file and its metadata.
struct Entry {
    /// Where in the manifest (line or item number), for messages.
    place: String,
    file: PathBuf,
    meta: NewRecord,
}

/// A JSON manifest item: the metadata with its file.
#[derive(Deserialize)]
struct JsonItem {
    file: PathBuf,
    #[serde(flatten)]
    meta: NewRecord,
}

/// A CSV row. The columns, by header name (extra columns are refused).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CsvRow {
    file: PathBuf,
    dossier_code: String,
    procedure_code: String,
    document_type: String,
    document_number: String,
    issuer_agency_code: String,
    #[serde(default)]
    issuer_agency_name: Option<String>,
    subject_kind: String,
    subject_id: String,
    #[serde(default)]
    subject_name: Option<String>,
    issued_at: String,
    valid_from: String,
    #[serde(default)]
    valid_until: Option<String>,
    media_type: String,
    /// `born_digital` (default) or `digitized`.
    #[serde(default)]
    provenance: Option<String>,
    /// For digitized results: the unit that scanned, and the day.
    #[serde(default)]
    scan_unit: Option<String>,
    #[serde(default)]
    scanned_on: Option<String>,
}

fn date(text: &str, column: &str, place: &str) -> Result<time::Date, String> {
    time::Date::parse(text, time::macros::format_description!("[year]-[month]-[day]")).map_err(|_| {
        format!(
            "{place}: {column} {:?} is not a date YYYY-MM-DD",
            redact::shown_argument(text)
        )
    })
}

impl CsvRow {
    fn into_entry(self, place: String) -> Result<Entry, String> {
        let subject_kind = self
            .subject_kind
            .parse()
            .map_err(|e: results_vault::FieldError| format!("{place}: {e}"))?;
        let empty_none = |v: Option<String>| v.filter(|s| !s.trim().is_empty());
        let provenance = match empty_none(self.provenance).as_deref() {
            None | Some("born_digital") => Provenance::BornDigital,
            Some("digitized") => Provenance::Digitized {
                unit: empty_none(self.scan_unit)
                    .ok_or_else(|| format!("{place}: a digitized result needs scan_unit"))?,
                scanned_on: date(
                    &empty_none(self.scanned_on)
                        .ok_or_else(|| format!("{place}: a digitized result needs scanned_on"))?,
                    "scanned_on",
                    &place,
                )?,
            },
            Some(other) => {
                return Err(format!(
                    "{place}: provenance {:?} is not born_digital or digitized",
                    redact::shown_argument(other)
                ))
            }
        };
        let valid_until = empty_none(self.valid_until)
            .map(|d| date(&d, "valid_until", &place))
            .transpose()?;
        Ok(Entry {
            meta: NewRecord {
                dossier_code: self.dossier_code,
                procedure_code: self.procedure_code,
                document_type: self.document_type,
                document_number: self.document_number,
                issuer: Issuer {
                    agency_code: self.issuer_agency_code,
                    agency_name: empty_none(self.issuer_agency_name),
                },
                subject: Subject {
                    kind: subject_kind,
                    id: SubjectId::new(self.subject_id),
                    name: empty_none(self.subject_name),
                },
                issued_at: date(&self.issued_at, "issued_at", &place)?,
                valid_from: date(&self.valid_from, "valid_from", &place)?,
                valid_until,
                media_type: self.media_type,
                file_name: self.file.file_name().map(|n| n.to_string_lossy().into_owned()),
                provenance,
                extra: serde_json::Map::new(),
            },
            file: self.file,
            place,
        })
    }
}

/// Reads a manifest into entries (files resolved against its folder).
fn read_manifest(manifest: &Path) -> Result<Vec<Entry>, CliError> {
    let bad = |why: String| CliError::Usage(format!("{}: {why}", redact::shown_path(manifest)));
    let text = std::fs::read_to_string(manifest).map_err(|error| CliError::Input {
        path: manifest.display().to_string(),
        error,
    })?;
    let base = manifest.parent().unwrap_or(Path::new("."));
    let extension = manifest.extension().and_then(|e| e.to_str()).unwrap_or("");
    let mut entries = match extension {
        "csv" => {
            let mut reader = csv::ReaderBuilder::new()
                .trim(csv::Trim::All)
                .from_reader(text.as_bytes());
            let mut entries = Vec::new();
            for (i, row) in reader.deserialize::<CsvRow>().enumerate() {
                let place = format!("row {}", i + 2);
                // csv quotes what serde refused: described, not shown.
                let row = row.map_err(|e| bad(format!("{place}: {}", redact::serde_message(&e.to_string()))))?;
                entries.push(row.into_entry(place).map_err(bad)?);
            }
            entries
        }
        "json" => {
            let items: Vec<JsonItem> = serde_json::from_str(&text).map_err(|e| bad(redact::json_error(&e)))?;
            items
                .into_iter()
                .enumerate()
                .map(|(i, item)| Entry {
                    place: format!("item {}", i + 1),
                    file: item.file,
                    meta: item.meta,
                })
                .collect()
        }
        "jsonl" => {
            let mut entries = Vec::new();
            for (i, line) in text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
                let item: JsonItem = serde_json::from_str(line)
                    .map_err(|e| bad(format!("line {}: {}", i + 1, redact::json_error(&e))))?;
                entries.push(Entry {
                    place: format!("line {}", i + 1),
                    file: item.file,
                    meta: item.meta,
                });
            }
            entries
        }
        _ => return Err(bad("a manifest is .csv, .json or .jsonl".into())),
    };
    for entry in &mut entries {
        entry.file = base.join(&entry.file);
    }
    Ok(entries)
}

/// What a bulk ingest did.
#[derive(Default)]
pub struct Summary {
    pub stored: usize,
    pub already: usize,
    pub failed: Vec<String>,
    /// Results not tried because the vault itself failed (see `stopped_by`).
    pub not_tried: usize,
    /// A failure of the vault file itself (disk full, read-only, locked, I/O): the run
    /// stopped there, since every other result would fail the same way (or wait out the
    /// busy timeout each); a re-run stores the rest.
    pub stopped_by: Option<results_vault::Error>,
}

/// Results stored per transaction: one commit (one fsync) for a batch instead of one per
/// result, which is what limits a bulk ingest once hashing and compression run in parallel.
const BATCH: usize = 32;
/// ... unless the batch's content grows past this, so memory stays bounded.
const BATCH_BYTES: usize = 32 << 20;

/// Ingests every entry of `manifest` with `jobs` threads; a failed entry is reported and
/// the others go on.
pub fn ingest_manifest(vault: &Vault, manifest: &Path, jobs: usize) -> Result<Summary, CliError> {
    let entries = read_manifest(manifest)?;
    let progress = indicatif::ProgressBar::new(entries.len() as u64);
    progress.set_style(
        indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} results  {per_sec}  eta {eta}")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    let next = AtomicUsize::new(0);
    let stop = AtomicBool::new(false);
    let summary = Mutex::new(Summary::default());
    std::thread::scope(|s| {
        for _ in 0..jobs.max(1) {
            s.spawn(|| loop {
                if stop.load(Ordering::Relaxed) {
                    break;
                }
                let mut batch = Vec::new();
                let mut failed = Vec::new();
                let mut bytes = 0;
                while batch.len() < BATCH && bytes < BATCH_BYTES {
                    let Some(entry) = entries.get(next.fetch_add(1, Ordering::Relaxed)) else {
                        break;
                    };
                    match std::fs::read(&entry.file) {
                        Ok(content) => {
                            bytes += content.len();
                            batch.push((entry, content));
                        }
                        Err(e) => failed.push(format!(
                            "{}: cannot read {}: {e}",
                            entry.place,
                            redact::shown_path(&entry.file)
                        )),
                    }
                }
                if batch.is_empty() && failed.is_empty() {
                    break;
                }
                let (outcomes, storage) = ingest_batch(vault, &batch);
                let mut summary = summary.lock().unwrap_or_else(|p| p.into_inner());
                summary.not_tried += batch.len() - outcomes.len();
                for outcome in outcomes {
                    match outcome {
                        Ok(true) => summary.stored += 1,
                        Ok(false) => summary.already += 1,
                        Err(why) => summary.failed.push(why),
                    }
                }
                if let Some(e) = storage {
                    stop.store(true, Ordering::Relaxed);
                    summary.stopped_by.get_or_insert(e);
                }
                progress.inc((batch.len() + failed.len()) as u64);
                summary.failed.append(&mut failed);
            });
        }
    });
    progress.finish_and_clear();
    let mut summary = summary.into_inner().unwrap_or_else(|p| p.into_inner());
    if summary.stopped_by.is_some() {
        let done = summary.stored + summary.already + summary.failed.len() + summary.not_tried;
        summary.not_tried += entries.len().saturating_sub(done);
    }
    summary.failed.sort();
    Ok(summary)
}

/// Stores a batch in one transaction; if that fails (one bad row fails the whole batch),
/// each result is stored alone, so that the good ones go in and the bad one is named.
/// `Ok(true)`: stored now; `Ok(false)`: already stored. A failure of the vault file
/// itself (disk full, read-only, locked, I/O) ends the batch there: it comes back beside
/// the outcomes of the results tried before it, and those after it are not tried.
#[allow(clippy::type_complexity)]
fn ingest_batch(
    vault: &Vault,
    batch: &[(&Entry, Vec<u8>)],
) -> (Vec<Result<bool, String>>, Option<results_vault::Error>) {
    let items = batch
        .iter()
        .map(|(entry, content)| (entry.meta.clone(), content.as_slice()))
        .collect();
    match vault.ingest_batch(items) {
        Ok(done) => return (done.into_iter().map(|d| Ok(d.created)).collect(), None),
        // Waited out the busy timeout already: one by one would wait it again each.
        Err(e) if crate::error::is_lock_timeout(&e) => return (Vec::new(), Some(e)),
        // Otherwise (one bad row, or a disk too full for the whole batch) one by one.
        Err(_) => {}
    }
    let mut outcomes = Vec::new();
    for (entry, content) in batch {
        match vault.ingest(entry.meta.clone(), content) {
            Ok(done) => outcomes.push(Ok(done.created)),
            Err(e) if crate::error::is_storage_failure(&e) => return (outcomes, Some(e)),
            Err(e) => outcomes.push(Err(format!(
                "{} ({}): {e}",
                entry.place,
                redact::shown_path(&entry.file)
            ))),
        }
    }
    (outcomes, None)
}
