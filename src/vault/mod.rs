//! `Vault`: the one API that the crate's users, the C ABI and the CLI all go through.
//! It owns transactions: every change and its audit event commit together.
//!
//! The methods are split by concept: records and reuse here, [`trust`] (the trust
//! store), [`signing`] (two-phase signing and attached signatures) and [`verification`]
//! (a record's verdict, with its cache).

mod content_signatures;
mod pdf;
mod refresh;
mod remote;
mod signer_policy;
mod signing;
mod timestamping;
mod trust;
mod verification;

pub use pdf::{PdfCheck, PdfSignaturePolicy};
pub use refresh::{RefreshReport, RefreshedSource, RevocationSource, SharedRevocationSource, SourceOutcome};
pub use signer_policy::{SignerPolicyEntry, SignerRule, DEFAULT_SIGNER_POLICY};

use std::io::Read;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::envelope::Envelope;
use crate::error::{Error, Result};
use crate::hash::Sha256;
use crate::log::{self, Event, EventKind, LogCheck, LogHead, LogReport};
use crate::record::{ContentInfo, FieldError, LegalStatus, NewRecord, Record, ResultId, StatusChange};
use crate::reuse::{AgencyStats, Excluded, Exclusion, Requester, ReuseAnswer, ReuseQuery};
use crate::store::content::{self, Codec};
use crate::store::{self, from_ms, to_ms, Store, StoreOptions};
use crate::verify::signature::{rfc3339, Policy};

/// Where the vault's "now" comes from (for ingest times and audit events). Tests pass a
/// fixed clock; validation times are always passed explicitly instead.
pub type Clock = Arc<dyn Fn() -> OffsetDateTime + Send + Sync>;

/// How a vault is opened.
#[derive(Clone)]
pub struct VaultOptions {
    /// Largest content accepted, in bytes (default 256 MiB).
    pub max_content_size: u64,
    /// How long a write waits for another process's lock before failing (default 30 s; at
    /// most `i32::MAX` milliseconds).
    pub busy_timeout: Duration,
    /// SQLite page size for a new file (default 16 KiB; see README "Storage" for the
    /// measurements behind it: 64 KiB writes batches faster, single ingests and reuses slower).
    pub page_size: u32,
    /// Who the audit log names for ingests (e.g. the portal's system id).
    pub actor: String,
    /// The source of "now".
    pub clock: Clock,
    /// How long a signing session waits for its reply (default 15 minutes: remote
    /// approval on a phone takes seconds to minutes; at most 366 days).
    pub signing_session_ttl: Duration,
    /// What a signature must satisfy to be accepted and to count for reuse (default
    /// [`Policy::cades_baseline`]: ESS signing-certificate and current CRLs required).
    pub signature_policy: Policy,
    /// Reuse a signature's verdict while it provably holds (same trust-store state, a
    /// validation time inside the window the engine reported). Default true; false makes
    /// every check verify the CMS and the path's times and CRLs again (the certificate
    /// path itself stays cached), e.g. for an audit or to measure that cost.
    pub cache_verdicts: bool,
    /// What ingest does with a signed PDF's embedded signatures (default: verify them and
    /// keep the verdict with the record).
    pub pdf_signatures: PdfSignaturePolicy,
    /// Refresh the revocation data from this source by itself ([`Vault::refresh_revocation`])
    /// when a verification finds it missing or stale (INDETERMINATE / TRY_LATER), then
    /// judge again, once. Default `None`: an offline vault must never wait on a network.
    pub refresh_when_stale: Option<SharedRevocationSource>,
    /// Timestamp the vault's own signatures (CAdES B-T) through this authority when a
    /// signing session completes, and add the revocation evidence the acceptance used
    /// (B-LT). The token is verified before anything is kept; a TSA that fails fails the
    /// completion (typed error, nothing stored, the session stays open for a retry).
    /// Default `None`: signatures are kept as signed (B-B). With the `remote` feature,
    /// [`crate::remote::tsa::TsaClient`] is an RFC 3161 client.
    pub timestamper: Option<crate::signing::SharedTimestamper>,
}

impl Default for VaultOptions {
    fn default() -> Self {
        VaultOptions {
            max_content_size: 256 * 1024 * 1024,
            busy_timeout: Duration::from_secs(30),
            page_size: 16384,
            actor: "results-vault".to_owned(),
            clock: Arc::new(OffsetDateTime::now_utc),
            signing_session_ttl: Duration::from_secs(15 * 60),
            signature_policy: Policy::cades_baseline(),
            cache_verdicts: true,
            pdf_signatures: PdfSignaturePolicy::Record,
            refresh_when_stale: None,
            timestamper: None,
        }
    }
}

/// The longest [`VaultOptions::busy_timeout`]: SQLite takes it in milliseconds as a C `int`.
const MAX_BUSY_TIMEOUT: Duration = Duration::from_millis(i32::MAX as u64);
/// The longest [`VaultOptions::signing_session_ttl`]: a year.
const MAX_SIGNING_SESSION_TTL: Duration = Duration::from_secs(366 * 24 * 60 * 60);

impl VaultOptions {
    /// Checks every option against its range, as [`Vault::create`] and [`Vault::open`] do
    /// before touching the file: `busy_timeout` at most `i32::MAX` milliseconds (about 24
    /// days), `signing_session_ttl` at most 366 days, `page_size` a power of two from 512 to
    /// 65536. An option out of range is an [`Error::InvalidOption`].
    pub fn check(&self) -> Result<()> {
        let invalid = |option, reason: &str| {
            Err(Error::InvalidOption {
                option,
                reason: reason.to_owned(),
            })
        };
        if self.busy_timeout > MAX_BUSY_TIMEOUT {
            return invalid("busy_timeout", "at most 2147483647 ms (about 24 days)");
        }
        if self.signing_session_ttl > MAX_SIGNING_SESSION_TTL {
            return invalid("signing_session_ttl", "at most 366 days (31622400 s)");
        }
        if !(512..=65536).contains(&self.page_size) || !self.page_size.is_power_of_two() {
            return invalid("page_size", "a power of two from 512 to 65536 bytes");
        }
        Ok(())
    }
}

impl std::fmt::Debug for VaultOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VaultOptions")
            .field("max_content_size", &self.max_content_size)
            .field("busy_timeout", &self.busy_timeout)
            .field("page_size", &self.page_size)
            .field("actor", &self.actor)
            .field("signing_session_ttl", &self.signing_session_ttl)
            .field("signature_policy", &self.signature_policy.name)
            .field("cache_verdicts", &self.cache_verdicts)
            .field("pdf_signatures", &self.pdf_signatures)
            .field("timestamper", &self.timestamper.is_some())
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
    /// The trust material, paths and verdicts of the current trust-store state.
    trust_cache: verification::TrustCache,
    /// The signer policy as last read (and checked against the log).
    policy_cache: signer_policy::PolicyCache,
}

/// How many times [`Vault::find_reusable`] judges again when the trust store changes
/// under it before it gives up.
const MAX_REUSE_ATTEMPTS: usize = 5;

/// How one attempt of [`Vault::find_reusable`] ended.
enum Attempt {
    /// Judged and handed out.
    Answer(ReuseAnswer),
    /// The trust store changed after the judgement: judge again.
    TrustChanged,
    /// A candidate's revocation data is missing or stale: refresh, then judge again.
    Stale,
}

impl Vault {
    /// Creates a new vault file. Fails if `path` exists.
    pub fn create(path: impl AsRef<Path>, options: VaultOptions) -> Result<Vault> {
        // Before the file is made: a refused option leaves nothing behind.
        options.check()?;
        let store = Store::create(path.as_ref(), store_options(&options))?;
        Ok(Vault {
            store,
            options,
            trust_cache: Default::default(),
            policy_cache: Default::default(),
        })
    }

    /// Opens an existing vault file (migrating an older schema). Fails if there is none,
    /// if it is newer than this build, another application's, or corrupt; the file is
    /// never modified in those cases.
    pub fn open(path: impl AsRef<Path>, options: VaultOptions) -> Result<Vault> {
        options.check()?;
        let store = Store::open(path.as_ref(), store_options(&options))?;
        Ok(Vault {
            store,
            options,
            trust_cache: Default::default(),
            policy_cache: Default::default(),
        })
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
        let now = self.now()?;
        let mut prepared = Vec::with_capacity(items.len());
        let (mut trust, chain_cache) = (None, crate::verify::path::ChainCache::default());
        for (mut meta, bytes) in items {
            meta.normalize_and_check()?;
            self.check_size(bytes.len() as u64)?;
            let pdf = self.check_pdf_at_ingest(&meta, bytes, now, &mut trust, &chain_cache)?;
            prepared.push((meta, content::encode(bytes), bytes, pdf));
        }
        // The trust store's evidence the PDF's signatures were proven with at ingest (their
        // proof of existence), kept as a vault signature's is; what the PDF carries itself
        // is kept with its content.
        let mut evidence = Vec::new();
        if let Some(material) = &trust {
            let mut hashes: Option<Vec<Sha256>> = None;
            for (_, _, _, check) in &prepared {
                let signatures = check.iter().flat_map(|c| c.verdict.iter()).flat_map(|v| &v.signatures);
                for s in signatures {
                    let used = s.verdict.crls_used.iter().map(|u| (&u.sha256, &u.issuer));
                    let answered = s.verdict.ocsp_used.iter().map(|u| (&u.sha256, &u.issuer));
                    for (sha256, issuer) in used.chain(answered) {
                        let Ok(sha) = sha256.parse::<Sha256>() else { continue };
                        let hashes =
                            hashes.get_or_insert_with(|| material.crls.iter().map(|d| Sha256::of(d)).collect());
                        if let Some(i) = hashes.iter().position(|h| *h == sha) {
                            evidence.push((sha, issuer.clone(), material.crls[i].clone()));
                        }
                    }
                }
            }
        }
        self.store.write(|tx| {
            let mut out = Vec::with_capacity(prepared.len());
            for (meta, encoded, bytes, pdf) in &prepared {
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
                let mut details = serde_json::json!({
                    "state": log::record_state(&record)?.to_hex(),
                    "sha256": record.content.sha256.to_hex(),
                });
                if let Some(check) = pdf {
                    // The PDF verdict kept with the record is pinned by the audit chain.
                    store::pdf_checks::insert(tx, &record.result_id, check)?;
                    details["pdf_check"] = serde_json::json!(check.digest()?.to_hex());
                }
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
            for (sha, issuer, der) in &evidence {
                store::signatures::keep_crl(tx, sha, issuer, der, now)?;
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

    /// The audit events about one record, oldest first. [`Error::NotFound`] if no record
    /// has this id.
    pub fn history(&self, id: &ResultId) -> Result<Vec<Event>> {
        self.store.read(|tx| {
            store::records::get(tx, id)?.ok_or_else(|| Error::NotFound(id.clone()))?;
            store::events::for_record(tx, id)
        })
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
        ensure_active(&record, action)?;
        Ok(record)
    }

    /// The subject's results of the asked type that may be reused at `query.at`: ACTIVE,
    /// inside their validity, intact (content re-hashed), and signed, with every
    /// signature PASSED at `query.at` (see [`Vault::verify_record`]): signed by the vault
    /// over their envelope, or inside their PDF by a signer the issuing agency's signer
    /// policy accepts ([`Vault::add_signer_rule`]; by default any trusted signer). One reuse event is
    /// recorded per result handed out, naming the requester; each comes with its verdict.
    /// The other candidates come back in `excluded` with the first reason. Refused
    /// without a full requester and purpose.
    pub fn find_reusable(&self, mut query: ReuseQuery, mut requester: Requester) -> Result<ReuseAnswer> {
        requester
            .normalize_and_check()
            .map_err(|e| Error::ReuseRefused(e.to_string()))?;
        query.normalize_and_check()?;
        let at = crate::record::check_instant("at", query.at)?;
        // The choice is made on a read snapshot (re-hashing content and checking
        // signatures must not hold the write lock); the write transaction hands results
        // out only if the trust store is still the one they were judged under, else the
        // choice is made again. A CRL or an anchor removal committed before the reuse
        // therefore always counts.
        // With `refresh_when_stale`, a candidate whose revocation data is missing or stale
        // makes the vault refresh it, once, before anything is handed out.
        let mut may_refresh = self.options.refresh_when_stale.clone();
        for _ in 0..MAX_REUSE_ATTEMPTS {
            match self.try_reuse(&query, &requester, at, may_refresh.is_some())? {
                Attempt::Answer(answer) => return Ok(answer),
                Attempt::TrustChanged => {}
                Attempt::Stale => {
                    if let Some(source) = may_refresh.take() {
                        self.refresh_revocation(source.as_ref())?;
                    }
                }
            }
        }
        Err(Error::ReuseRefused(format!(
            "the trust store changed {MAX_REUSE_ATTEMPTS} times while the results were being judged; ask again"
        )))
    }

    /// One attempt of [`Vault::find_reusable`]. Nothing is written unless it answers: the
    /// trust store may have changed between the judgement and the write transaction, or
    /// (with `stop_if_stale`) a candidate waits for revocation data.
    fn try_reuse(
        &self,
        query: &ReuseQuery,
        requester: &Requester,
        at: OffsetDateTime,
        stop_if_stale: bool,
    ) -> Result<Attempt> {
        let (snapshot, policy, candidates, mut excluded, checks) = self.store.read(|tx| {
            let snapshot = self.trust_snapshot(tx)?;
            let policy = self.policy_in(tx)?;
            let mut chosen = Vec::new();
            let mut excluded = Vec::new();
            let mut checks = Vec::new();
            let found = store::records::find_by_subject(
                tx,
                query.subject_kind,
                query.subject_id.expose(),
                &query.document_type,
            )?;
            for record in found {
                let (verdict, new_checks) = self.judge(tx, &snapshot, &policy, &record, at, false)?;
                checks.extend(new_checks);
                match verdict.reasons.first() {
                    Some(exclusion) => excluded.push(Excluded {
                        result_id: record.result_id,
                        exclusion: exclusion.clone(),
                    }),
                    None => chosen.push((record, verdict)),
                }
            }
            Ok((snapshot, policy, chosen, excluded, checks))
        })?;
        if stop_if_stale && excluded.iter().any(|e| e.exclusion.waits_for_revocation_data()) {
            return Ok(Attempt::Stale);
        }

        let now = self.now()?;
        let handed = self.store.write(|tx| {
            // The signer policy too: a rule removed meanwhile always counts.
            if store::trust::state(tx)? != snapshot.state || store::signer_rules::state(tx)? != policy.state {
                return Ok(None);
            }
            self.keep_checks(tx, &snapshot, &checks, now)?;
            let mut handed_out = Vec::with_capacity(candidates.len());
            let mut verdicts = Vec::with_capacity(candidates.len());
            let mut late = Vec::new();
            for (record, verdict) in &candidates {
                // The status may have changed since the snapshot: decide on the current row.
                let current = match store::records::get(tx, &record.result_id)? {
                    Some(r) if r.status == LegalStatus::Active => r,
                    other => {
                        let exclusion = match other.map(|r| r.status) {
                            Some(LegalStatus::Superseded { replaced_by, .. }) => Exclusion::Superseded { replaced_by },
                            _ => Exclusion::Revoked,
                        };
                        late.push(Excluded {
                            result_id: record.result_id.clone(),
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
                    "valid_at": rfc3339(at),
                });
                let event = store::events::append(
                    tx,
                    now,
                    EventKind::Reuse,
                    &requester.agency_code,
                    Some(&current.result_id),
                    details,
                )?;
                // The event's time, not `now`: an event is never dated before its predecessor.
                store::reuses::insert(tx, event.seq, &current.result_id, event.at, requester)?;
                handed_out.push(current);
                verdicts.push(verdict.clone());
            }
            Ok(Some((handed_out, verdicts, late)))
        })?;
        let Some((results, verdicts, late)) = handed else {
            return Ok(Attempt::TrustChanged);
        };
        excluded.extend(late);
        self.checks_kept(&snapshot, &checks);
        Ok(Attempt::Answer(ReuseAnswer {
            results,
            verdicts,
            excluded,
        }))
    }

    /// Per-agency ingest and reuse figures for `[from, to)`.
    pub fn stats(&self, from: OffsetDateTime, to: OffsetDateTime) -> Result<Vec<AgencyStats>> {
        self.store.read(|tx| store::reuses::stats(tx, from, to))
    }

    /// Checks the audit log and everything it binds (see the README's audit section): the
    /// chain, every record against the state its last event pins, every signature, trust
    /// item, PDF check and reuse row against its event, and every stored content re-hashed
    /// against its record's SHA-256. Tampering is reported in the [`LogReport`], not as an
    /// error.
    pub fn verify_log(&self) -> Result<LogReport> {
        self.verify_log_with(&LogCheck::default())
    }

    /// Like [`Vault::verify_log`], and also checks that the event at `head.seq` still has
    /// `head.hash`: with a head kept outside the vault, a rewritten or truncated log shows.
    pub fn verify_log_against(&self, head: &LogHead) -> Result<LogReport> {
        self.verify_log_with(&LogCheck {
            against: Some(*head),
            ..LogCheck::default()
        })
    }

    /// [`Vault::verify_log`] with options: a head kept outside, or no content re-hashing.
    pub fn verify_log_with(&self, check: &LogCheck) -> Result<LogReport> {
        self.store.read(|tx| log::verify(tx, check))
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
            store::records::for_each(tx, |record, _, _| match store::records::read_content(tx, &record) {
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

/// `InvalidTransition` unless `record` is ACTIVE: only results in force are changed or signed.
fn ensure_active(record: &Record, action: &'static str) -> Result<()> {
    let current = match record.status {
        LegalStatus::Active => return Ok(()),
        LegalStatus::Revoked { .. } => "REVOKED",
        LegalStatus::Superseded { .. } => "SUPERSEDED",
    };
    Err(Error::InvalidTransition {
        result_id: record.result_id.clone(),
        current,
        action,
    })
}

fn store_options(options: &VaultOptions) -> StoreOptions {
    StoreOptions {
        busy_timeout: options.busy_timeout,
        page_size: options.page_size,
    }
}
