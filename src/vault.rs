//! `Vault`: the one API that the crate's users, the C ABI and the CLI all go through.
//! It owns transactions: every change and its audit event commit together.

use std::io::Read;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::envelope::Envelope;
use crate::error::{Error, Result};
use crate::hash::Sha256;
use crate::log::{self, Event, EventKind, LogHead, LogReport};
use crate::record::{ContentInfo, FieldError, LegalStatus, NewRecord, Record, ResultId, StatusChange, StatusKind};
use crate::reuse::{AgencyStats, Excluded, Exclusion, Requester, ReuseAnswer, ReuseQuery};
use crate::store::content::{self, Codec};
use crate::store::{self, from_ms, to_ms, Store, StoreOptions};
use crate::trust::{self, TrustItem, TrustItemKind, TrustMaterial};

/// Where the vault's "now" comes from (for ingest times and audit events). Tests pass a
/// fixed clock; validation times are always passed explicitly instead.
pub type Clock = Arc<dyn Fn() -> OffsetDateTime + Send + Sync>;

/// How a vault is opened.
#[derive(Clone)]
pub struct VaultOptions {
    /// Largest content accepted, in bytes (default 256 MiB).
    pub max_content_size: u64,
    /// How long a write waits for another process's lock before failing (default 30 s).
    pub busy_timeout: Duration,
    /// SQLite page size for a new file (default 16 KiB; see README "Storage" for the
    /// measurements behind it: 64 KiB writes batches faster, single ingests and reuses slower).
    pub page_size: u32,
    /// Who the audit log names for ingests (e.g. the portal's system id).
    pub actor: String,
    /// The source of "now".
    pub clock: Clock,
}

impl Default for VaultOptions {
    fn default() -> Self {
        VaultOptions {
            max_content_size: 256 * 1024 * 1024,
            busy_timeout: Duration::from_secs(30),
            page_size: 16384,
            actor: "results-vault".to_owned(),
            clock: Arc::new(OffsetDateTime::now_utc),
        }
    }
}

impl std::fmt::Debug for VaultOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VaultOptions")
            .field("max_content_size", &self.max_content_size)
            .field("busy_timeout", &self.busy_timeout)
            .field("page_size", &self.page_size)
            .field("actor", &self.actor)
            .finish_non_exhaustive()
    }
}

/// What [`Vault::ingest`] did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ingested {
    /// The stored record.
    pub record: Record,
    /// False when the same result was already stored and is returned as it was.
    pub created: bool,
}

/// How stored content is kept, per codec.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StorageLine {
    /// `raw` or `zstd`.
    pub codec: String,
    /// Distinct contents.
    pub contents: u64,
    /// Their size as given.
    pub bytes: u64,
    /// Their size as stored.
    pub stored_bytes: u64,
}

/// A results store in one SQLite file. `Send + Sync`: share it between threads (e.g. in an
/// `Arc`); several processes may also open the same file.
pub struct Vault {
    store: Store,
    options: VaultOptions,
}

impl Vault {
    /// Creates a new vault file. Fails if `path` exists.
    pub fn create(path: impl AsRef<Path>, options: VaultOptions) -> Result<Vault> {
        let store = Store::create(path.as_ref(), store_options(&options))?;
        Ok(Vault { store, options })
    }

    /// Opens an existing vault file (migrating an older schema). Fails if there is none,
    /// if it is newer than this build, another application's, or corrupt; the file is
    /// never modified in those cases.
    pub fn open(path: impl AsRef<Path>, options: VaultOptions) -> Result<Vault> {
        let store = Store::open(path.as_ref(), store_options(&options))?;
        Ok(Vault { store, options })
    }

    /// Opens the vault at `path`, creating it if there is no file.
    pub fn open_or_create(path: impl AsRef<Path>, options: VaultOptions) -> Result<Vault> {
        let path = path.as_ref();
        match Vault::create(path, options.clone()) {
            Err(Error::Path { .. }) if path.exists() => Vault::open(path, options),
            other => other,
        }
    }

    /// The vault file.
    pub fn path(&self) -> &Path {
        self.store.path()
    }

    fn now(&self) -> Result<OffsetDateTime> {
        // Stored instants have millisecond precision; truncate here so that what a call
        // returns equals what a later read gives back.
        from_ms(to_ms((self.options.clock)()))
    }

    /// Stores a result. Idempotent: the same metadata and content again returns the stored
    /// record with `created == false`; the same dossier + procedure + document number with
    /// other content or metadata is an [`Error::Conflict`].
    pub fn ingest(&self, meta: NewRecord, content: &[u8]) -> Result<Ingested> {
        Ok(self.ingest_batch(vec![(meta, content)])?.remove(0))
    }

    /// Like [`Vault::ingest`], reading the content from `reader` (at most
    /// `max_content_size` bytes are read; the content is held in memory once).
    pub fn ingest_reader(&self, meta: NewRecord, reader: impl Read) -> Result<Ingested> {
        let limit = self.options.max_content_size;
        let mut bytes = Vec::new();
        reader.take(limit.saturating_add(1)).read_to_end(&mut bytes)?;
        self.ingest(meta, &bytes)
    }

    /// Stores several results in one transaction: all of them or, on any error, none.
    /// The answers are in the order given.
    pub fn ingest_batch(&self, items: Vec<(NewRecord, &[u8])>) -> Result<Vec<Ingested>> {
        // Check, hash and compress outside the write lock: that is most of the work.
        let mut prepared = Vec::with_capacity(items.len());
        for (mut meta, bytes) in items {
            meta.normalize_and_check()?;
            self.check_size(bytes.len() as u64)?;
            prepared.push((meta, content::encode(bytes), bytes));
        }
        let now = self.now()?;
        self.store.write(|tx| {
            let mut out = Vec::with_capacity(prepared.len());
            for (meta, encoded, bytes) in &prepared {
                if let Some(existing) = store::records::get_by_key(tx, meta)? {
                    let difference = if existing.content.sha256 != encoded.sha256 {
                        "other content"
                    } else if existing.meta != *meta {
                        "other metadata"
                    } else {
                        out.push(Ingested {
                            record: existing,
                            created: false,
                        });
                        continue;
                    };
                    return Err(Error::Conflict {
                        existing: existing.result_id,
                        dossier_code: meta.dossier_code.clone(),
                        procedure_code: meta.procedure_code.clone(),
                        document_number: meta.document_number.clone(),
                        difference,
                    });
                }
                let record = Record {
                    result_id: ResultId::new_at(now),
                    meta: meta.clone(),
                    content: ContentInfo {
                        sha256: encoded.sha256,
                        size: encoded.size,
                    },
                    status: LegalStatus::Active,
                    ingested_at: now,
                };
                store::records::insert(tx, &record, encoded, bytes)?;
                let details = serde_json::json!({
                    "state": log::record_state(&record)?.to_hex(),
                    "sha256": record.content.sha256.to_hex(),
                });
                store::events::append(
                    tx,
                    now,
                    EventKind::Ingest,
                    &self.options.actor,
                    Some(&record.result_id),
                    details,
                )?;
                out.push(Ingested { record, created: true });
            }
            Ok(out)
        })
    }

    fn check_size(&self, size: u64) -> Result<()> {
        if size == 0 {
            return Err(Error::EmptyContent);
        }
        if size > self.options.max_content_size {
            return Err(Error::ContentTooLarge {
                limit: self.options.max_content_size,
                size,
            });
        }
        Ok(())
    }

    /// The record with this id.
    pub fn get(&self, id: &ResultId) -> Result<Record> {
        self.store
            .read(|tx| store::records::get(tx, id)?.ok_or_else(|| Error::NotFound(id.clone())))
    }

    /// The record's content, re-hashed: an [`Error::Integrity`] if the stored bytes no
    /// longer match their SHA-256.
    pub fn read_content(&self, id: &ResultId) -> Result<Vec<u8>> {
        self.store.read(|tx| {
            let record = store::records::get(tx, id)?.ok_or_else(|| Error::NotFound(id.clone()))?;
            store::records::read_content(tx, &record)
        })
    }

    /// The records whose content has this SHA-256 (usually one), oldest first.
    pub fn find_by_hash(&self, sha256: &Sha256) -> Result<Vec<Record>> {
        self.store.read(|tx| store::records::find_by_hash(tx, sha256))
    }

    /// The canonical envelope of a record: what its signatures sign.
    pub fn envelope(&self, id: &ResultId) -> Result<Envelope> {
        let record = self.get(id)?;
        Envelope::new(&record.meta, &record.content)
    }

    /// The audit events about one record, oldest first.
    pub fn history(&self, id: &ResultId) -> Result<Vec<Event>> {
        self.store.read(|tx| store::events::for_record(tx, id))
    }

    /// Revokes an ACTIVE result.
    pub fn revoke(&self, id: &ResultId, mut change: StatusChange) -> Result<Record> {
        change.normalize_and_check()?;
        change.at = from_ms(to_ms(change.at))?;
        let now = self.now()?;
        self.store.write(|tx| {
            let mut record = self.active(tx, id, "revoke")?;
            record.status = LegalStatus::Revoked { change: change.clone() };
            store::records::set_status(tx, id, &record.status)?;
            let details = serde_json::json!({
                "state": log::record_state(&record)?.to_hex(),
                "decision_ref": change.decision_ref,
                "reason": change.reason,
            });
            store::events::append(tx, now, EventKind::Revoke, &change.by, Some(id), details)?;
            Ok(record)
        })
    }

    /// Marks ACTIVE result `old` as replaced by ACTIVE result `new` about the same subject.
    pub fn supersede(&self, old: &ResultId, new: &ResultId, mut change: StatusChange) -> Result<Record> {
        change.normalize_and_check()?;
        change.at = from_ms(to_ms(change.at))?;
        if old == new {
            return Err(FieldError::new("replaced_by", "a result cannot replace itself").into());
        }
        let now = self.now()?;
        self.store.write(|tx| {
            let mut record = self.active(tx, old, "supersede")?;
            let replacement = self.active(tx, new, "replace another result")?;
            let (a, b) = (&record.meta.subject, &replacement.meta.subject);
            if a.kind != b.kind || a.id != b.id {
                return Err(FieldError::new("replaced_by", "the replacement is about another subject").into());
            }
            record.status = LegalStatus::Superseded {
                change: change.clone(),
                replaced_by: new.clone(),
            };
            store::records::set_status(tx, old, &record.status)?;
            let details = serde_json::json!({
                "state": log::record_state(&record)?.to_hex(),
                "decision_ref": change.decision_ref,
                "reason": change.reason,
                "replaced_by": new.as_str(),
            });
            store::events::append(tx, now, EventKind::Supersede, &change.by, Some(old), details)?;
            Ok(record)
        })
    }

    fn active(&self, tx: &rusqlite::Transaction<'_>, id: &ResultId, action: &'static str) -> Result<Record> {
        let record = store::records::get(tx, id)?.ok_or_else(|| Error::NotFound(id.clone()))?;
        match record.status {
            LegalStatus::Active => Ok(record),
            LegalStatus::Revoked { .. } => Err(Error::InvalidTransition {
                result_id: id.clone(),
                current: "REVOKED",
                action,
            }),
            LegalStatus::Superseded { .. } => Err(Error::InvalidTransition {
                result_id: id.clone(),
                current: "SUPERSEDED",
                action,
            }),
        }
    }

    /// The subject's results of the asked type that may be reused at `query.at`: ACTIVE,
    /// inside their validity, and intact (content re-hashed). One reuse event is recorded
    /// per result handed out, naming the requester. The other candidates come back in
    /// `excluded` with the reason. Refused without a full requester and purpose.
    pub fn find_reusable(&self, mut query: ReuseQuery, mut requester: Requester) -> Result<ReuseAnswer> {
        requester
            .normalize_and_check()
            .map_err(|e| Error::ReuseRefused(e.to_string()))?;
        query.normalize_and_check()?;
        let at = query.at;

        // Choose on a read snapshot: re-hashing content must not hold the write lock.
        let (candidates, mut excluded) = self.store.read(|tx| {
            let mut chosen = Vec::new();
            let mut excluded = Vec::new();
            let found = store::records::find_by_subject(
                tx,
                query.subject_kind,
                query.subject_id.expose(),
                &query.document_type,
            )?;
            for record in found {
                let exclusion = match (record.status_at(at), &record.status) {
                    (StatusKind::Revoked, _) => Some(Exclusion::Revoked),
                    (StatusKind::Superseded, LegalStatus::Superseded { replaced_by, .. }) => {
                        Some(Exclusion::Superseded {
                            replaced_by: replaced_by.clone(),
                        })
                    }
                    (StatusKind::Expired, _) => Some(Exclusion::Expired),
                    _ if !record.has_started_at(at) => Some(Exclusion::NotYetValid),
                    _ => match store::records::read_content(tx, &record) {
                        Ok(_) => None,
                        Err(Error::Integrity { .. }) => Some(Exclusion::IntegrityFailure),
                        Err(e) => return Err(e),
                    },
                };
                match exclusion {
                    Some(exclusion) => excluded.push(Excluded {
                        result_id: record.result_id,
                        exclusion,
                    }),
                    None => chosen.push(record),
                }
            }
            Ok((chosen, excluded))
        })?;

        let now = self.now()?;
        let results = self.store.write(|tx| {
            let mut handed_out = Vec::with_capacity(candidates.len());
            for record in candidates {
                // The status may have changed since the snapshot: decide on the current row.
                let current = match store::records::get(tx, &record.result_id)? {
                    Some(r) if r.status == LegalStatus::Active => r,
                    other => {
                        let exclusion = match other.map(|r| r.status) {
                            Some(LegalStatus::Superseded { replaced_by, .. }) => Exclusion::Superseded { replaced_by },
                            _ => Exclusion::Revoked,
                        };
                        excluded.push(Excluded {
                            result_id: record.result_id,
                            exclusion,
                        });
                        continue;
                    }
                };
                let details = serde_json::json!({
                    "agency_code": requester.agency_code,
                    "procedure_code": requester.procedure_code,
                    "dossier_code": requester.dossier_code,
                    "purpose": requester.purpose,
                    "document_type": query.document_type,
                    "valid_at": at.format(&time::format_description::well_known::Rfc3339).unwrap_or_default(),
                });
                let event = store::events::append(
                    tx,
                    now,
                    EventKind::Reuse,
                    &requester.agency_code,
                    Some(&current.result_id),
                    details,
                )?;
                store::reuses::insert(tx, event.seq, &current.result_id, now, &requester)?;
                handed_out.push(current);
            }
            Ok(handed_out)
        })?;
        Ok(ReuseAnswer { results, excluded })
    }

    /// Adds a trust anchor (e.g. the National Root CA): a DER CA certificate. Adding one
    /// that is already stored returns it unchanged.
    pub fn add_trust_anchor(&self, der: &[u8]) -> Result<TrustItem> {
        self.add_trust_item(TrustItemKind::Anchor, der)
    }

    /// Adds an intermediate CA certificate (DER), used to build paths to an anchor.
    pub fn add_intermediate(&self, der: &[u8]) -> Result<TrustItem> {
        self.add_trust_item(TrustItemKind::Intermediate, der)
    }

    /// Adds a CRL (DER) after checking it: issued and signed by a stored anchor or
    /// intermediate (with cRLSign), with a cRLNumber.
    pub fn add_crl(&self, der: &[u8]) -> Result<TrustItem> {
        self.add_trust_item(TrustItemKind::Crl, der)
    }

    fn add_trust_item(&self, kind: TrustItemKind, der: &[u8]) -> Result<TrustItem> {
        let sha256 = Sha256::of(der);
        let now = self.now()?;
        self.store.write(|tx| {
            if let Some(existing) = store::trust::get(tx, &sha256)? {
                if existing.kind != kind {
                    return Err(trust::refuse(format!("already stored as {}", existing.kind)));
                }
                return Ok(existing);
            }
            let name = match kind {
                TrustItemKind::Crl => {
                    let issuers: Vec<Vec<u8>> = store::trust::all(tx)?
                        .into_iter()
                        .filter(|(item, _)| item.kind != TrustItemKind::Crl)
                        .map(|(_, der)| der)
                        .collect();
                    trust::check_crl(der, &issuers)?
                }
                _ => trust::check_certificate(der)?,
            };
            let item = TrustItem {
                kind,
                sha256,
                name,
                added_at: now,
            };
            store::trust::insert(tx, &item, der)?;
            let details = serde_json::json!({ "item": kind.as_str(), "sha256": sha256.to_hex(), "name": item.name });
            store::events::append(tx, now, EventKind::TrustAdd, &self.options.actor, None, details)?;
            Ok(item)
        })
    }

    /// Removes a trust item by its SHA-256; `Ok(false)` if there was none.
    pub fn remove_trust_item(&self, sha256: &Sha256) -> Result<bool> {
        let now = self.now()?;
        self.store.write(|tx| {
            let Some(item) = store::trust::get(tx, sha256)? else {
                return Ok(false);
            };
            store::trust::delete(tx, sha256)?;
            let details =
                serde_json::json!({ "item": item.kind.as_str(), "sha256": sha256.to_hex(), "name": item.name });
            store::events::append(tx, now, EventKind::TrustRemove, &self.options.actor, None, details)?;
            Ok(true)
        })
    }

    /// The trust store's items, oldest first.
    pub fn trust_items(&self) -> Result<Vec<TrustItem>> {
        Ok(self
            .store
            .read(store::trust::all)?
            .into_iter()
            .map(|(item, _)| item)
            .collect())
    }

    /// The trust material for verification: anchors, intermediates and CRLs (DER), each
    /// re-hashed against the SHA-256 it was stored under.
    pub fn trust_material(&self) -> Result<TrustMaterial> {
        let mut material = TrustMaterial::default();
        for (item, der) in self.store.read(store::trust::all)? {
            match item.kind {
                TrustItemKind::Anchor => material.anchors.push(der),
                TrustItemKind::Intermediate => material.intermediates.push(der),
                TrustItemKind::Crl => material.crls.push(der),
            }
        }
        Ok(material)
    }

    /// Per-agency ingest and reuse figures for `[from, to)`.
    pub fn stats(&self, from: OffsetDateTime, to: OffsetDateTime) -> Result<Vec<AgencyStats>> {
        self.store.read(|tx| store::reuses::stats(tx, from, to))
    }

    /// Checks the audit chain, every record against the state its last event pins, and
    /// every reuse row against its event. Tampering is reported in the [`LogReport`], not
    /// as an error.
    pub fn verify_log(&self) -> Result<LogReport> {
        self.store.read(|tx| log::verify(tx, None))
    }

    /// Like [`Vault::verify_log`], and also checks that the event at `head.seq` still has
    /// `head.hash`: with a head kept outside the vault, a rewritten or truncated log shows.
    pub fn verify_log_against(&self, head: &LogHead) -> Result<LogReport> {
        self.store.read(|tx| log::verify(tx, Some(head)))
    }

    /// The newest audit event's sequence number and hash; `None` for an empty vault.
    pub fn log_head(&self) -> Result<Option<LogHead>> {
        self.store
            .read(|tx| Ok(store::events::head(tx)?.map(|(seq, hash)| LogHead { seq, hash })))
    }

    /// SQLite's structural check of the whole file; empty when sound.
    pub fn check_storage(&self) -> Result<Vec<String>> {
        self.store.integrity_check()
    }

    /// Re-hashes every record's content; returns the ids whose bytes no longer match.
    pub fn verify_contents(&self) -> Result<Vec<ResultId>> {
        self.store.read(|tx| {
            let mut bad = Vec::new();
            store::records::for_each(tx, |record, _| match store::records::read_content(tx, &record) {
                Ok(_) => Ok(()),
                Err(Error::Integrity { result_id, .. }) => {
                    bad.push(result_id);
                    Ok(())
                }
                Err(e) => Err(e),
            })?;
            Ok(bad)
        })
    }

    /// How stored content is kept: raw or zstd, with sizes before and after.
    pub fn storage_summary(&self) -> Result<Vec<StorageLine>> {
        let lines = self.store.read(store::records::storage_summary)?;
        Ok(lines
            .into_iter()
            .map(|(codec, contents, bytes, stored_bytes)| StorageLine {
                codec: match codec {
                    Codec::Raw => "raw",
                    Codec::Zstd => "zstd",
                }
                .to_owned(),
                contents,
                bytes,
                stored_bytes,
            })
            .collect())
    }
}

fn store_options(options: &VaultOptions) -> StoreOptions {
    StoreOptions {
        busy_timeout: options.busy_timeout,
        page_size: options.page_size,
    }
}
