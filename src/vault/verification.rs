//! A record's verdict: integrity, every signature (with the vault's proof of existence),
//! and its legal status, at one time; and the cache that keeps this cheap.
//!
//! The cache lives in memory, per `Vault`, and is keyed on the trust store's state (a
//! hash over its items): adding a CRL or removing an anchor changes the state, and the
//! next check starts from scratch. Within one state a PASSED verdict is reused only for
//! validation times inside the window the engine said it holds (up to the first
//! certificate expiry, CRL nextUpdate or dated revocation). Decisions never come from the
//! stored checks: those are evidence, kept with the record as Circular 15/2025 asks.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use time::OffsetDateTime;

use crate::envelope::Envelope;
use crate::error::{Error, Result};
use crate::hash::Sha256;
use crate::record::{Record, ResultId, StatusKind};
use crate::reuse::{CheckedSignature, Exclusion, RecordVerdict};
use crate::store;
use crate::store::signatures::SignatureToCheck;
use crate::trust::TrustMaterial;
use crate::verify::path::ChainCache;
use crate::verify::signature::{self, rfc3339, Policy, SignatureVerdict, ValidationContext};
use crate::verify::verdict::Indication;

use super::Vault;

/// Verdicts kept per trust state before the map is emptied (a bound on memory).
const MAX_CACHED_VERDICTS: usize = 100_000;

/// The trust material of one trust-store state, with what was learnt from it.
pub(crate) struct TrustSnapshot {
    pub state: Sha256,
    pub material: TrustMaterial,
    /// SHA-256 of each CRL in `material.crls`, in order.
    pub crl_hashes: Vec<Sha256>,
    pub chains: ChainCache,
    verdicts: Mutex<HashMap<VerdictKey, CachedVerdict>>,
    /// What the check kept for each signature (by row id) under this state says, as far
    /// as this process knows: read once, then updated as it keeps checks.
    kept: Mutex<HashMap<i64, KeptOutcome>>,
    /// Stored PDFs' verdicts on their own signatures (see `content_signatures`).
    pub(crate) contents: Mutex<super::content_signatures::ContentCache>,
}

/// The parts of a kept check that decide whether a new one is worth writing.
#[derive(PartialEq)]
struct KeptOutcome {
    indication: Indication,
    sub_indication: Option<crate::verify::verdict::SubIndication>,
    crls_used: Vec<crate::verify::signature::CrlUsed>,
}

impl KeptOutcome {
    fn of(verdict: &SignatureVerdict) -> KeptOutcome {
        KeptOutcome {
            indication: verdict.indication,
            sub_indication: verdict.sub_indication,
            crls_used: verdict.crls_used.clone(),
        }
    }
}

/// What a signature's verdict depends on besides the trust state and the time: the CMS,
/// the envelope it signs and the proof of existence.
type VerdictKey = (Sha256, Sha256, i64);

struct CachedVerdict {
    /// The verdict holds for validation times in `[from, until)` (Unix seconds).
    from: i64,
    until: i64,
    verdict: SignatureVerdict,
}

impl TrustSnapshot {
    /// The context to validate a signature at `at` against this trust material, with
    /// `intermediates` (the store's, plus any the signer sent) and the vault's proof of
    /// existence `poe`.
    pub(crate) fn context<'a>(
        &'a self,
        intermediates: &'a [Vec<u8>],
        at: OffsetDateTime,
        poe: OffsetDateTime,
        policy: &'a Policy,
    ) -> ValidationContext<'a> {
        ValidationContext {
            intermediates,
            // The cache's own copy of the evidence: its CRLs' indexes are found by
            // identity, so a 200,000-entry CRL costs a lookup, not a comparison.
            crls: self.chains.crls(),
            chain_cache: Some(&self.chains),
            ..self.material.context(at, Some(poe), policy)
        }
    }
}

/// The current snapshot, replaced when the trust store's state changes.
#[derive(Default)]
pub(crate) struct TrustCache(Mutex<Option<Arc<TrustSnapshot>>>);

/// A check computed now, to be kept with the record.
pub(crate) struct NewCheck {
    pub signature_id: i64,
    pub verdict: SignatureVerdict,
    pub validation_time: OffsetDateTime,
}

impl Vault {
    /// The trust snapshot for the state seen by `tx` (loaded again only when it changed).
    pub(crate) fn trust_snapshot(&self, tx: &rusqlite::Transaction<'_>) -> Result<Arc<TrustSnapshot>> {
        let state = store::trust::state(tx)?;
        let mut current = self.trust_cache.0.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(snapshot) = current.as_ref().filter(|s| s.state == state) {
            return Ok(snapshot.clone());
        }
        let material = Vault::material_in(tx)?;
        let snapshot = Arc::new(TrustSnapshot {
            state,
            crl_hashes: material.crls.iter().map(|d| Sha256::of(d)).collect(),
            chains: ChainCache::with_crls(material.crls.clone()),
            material,
            verdicts: Mutex::new(HashMap::new()),
            kept: Mutex::new(HashMap::new()),
            contents: Mutex::new(HashMap::new()),
        });
        *current = Some(snapshot.clone());
        Ok(snapshot)
    }

    /// One stored signature's verdict at `at`, from the cache when it holds there.
    /// The second value is true when it was computed now.
    fn check_signature(
        &self,
        snapshot: &TrustSnapshot,
        envelope: &[u8],
        signature: &SignatureToCheck,
        at: OffsetDateTime,
    ) -> (SignatureVerdict, bool) {
        let t = at.unix_timestamp();
        let key = (
            signature.sha256,
            Sha256::of(envelope),
            signature.proof_of_existence.unix_timestamp(),
        );
        let use_cache = self.options.cache_verdicts;
        let cache = snapshot.verdicts.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(hit) = cache.get(&key).filter(|c| use_cache && c.from <= t && t < c.until) {
            let mut verdict = hit.verdict.clone();
            verdict.validation_time = rfc3339(at);
            return (verdict, false);
        }
        drop(cache);
        let ctx = snapshot.context(
            &snapshot.material.intermediates,
            at,
            signature.proof_of_existence,
            &self.options.signature_policy,
        );
        let verdict = signature::verify_detached(&signature.cms, envelope, &ctx)
            .into_iter()
            .next()
            .unwrap_or_else(|| no_verdict(&ctx));
        let until = verdict
            .holds_until
            .as_deref()
            .and_then(|u| OffsetDateTime::parse(u, &time::format_description::well_known::Rfc3339).ok());
        if let (true, Indication::Passed, Some(until)) = (use_cache, verdict.indication, until) {
            let mut cache = snapshot.verdicts.lock().unwrap_or_else(|p| p.into_inner());
            if cache.len() >= MAX_CACHED_VERDICTS {
                cache.clear();
            }
            cache.insert(
                key,
                CachedVerdict {
                    from: t,
                    until: until.unix_timestamp(),
                    verdict: verdict.clone(),
                },
            );
        }
        (verdict, true)
    }

    /// The verdict on `record` at `at`. With `full == false`, a record whose status
    /// already excludes it is not re-hashed nor its signatures checked.
    ///
    /// A record counts as signed by its vault signatures over its envelope, or by the
    /// signatures inside its PDF (judged again here, under the issuing agency's signer
    /// policy, see `content_signatures`); when it has both, they must agree (both PASSED,
    /// or neither), else it is [`Exclusion::SignaturesDisagree`].
    pub(crate) fn judge(
        &self,
        tx: &rusqlite::Transaction<'_>,
        snapshot: &TrustSnapshot,
        policy: &super::signer_policy::PolicySnapshot,
        record: &Record,
        at: OffsetDateTime,
        full: bool,
    ) -> Result<(RecordVerdict, Vec<NewCheck>)> {
        let status = record.status_at(at);
        let mut reasons = Vec::new();
        match (status, &record.status) {
            (StatusKind::Revoked, _) => reasons.push(Exclusion::Revoked),
            (StatusKind::Superseded, crate::record::LegalStatus::Superseded { replaced_by, .. }) => {
                reasons.push(Exclusion::Superseded {
                    replaced_by: replaced_by.clone(),
                })
            }
            (StatusKind::Expired, _) => reasons.push(Exclusion::Expired),
            (StatusKind::NotYetValid, _) => reasons.push(Exclusion::NotYetValid),
            _ => {}
        }
        let mut verdict = RecordVerdict {
            result_id: record.result_id.clone(),
            reusable: false,
            reasons: Vec::new(),
            summary: String::new(),
            integrity: false,
            status,
            signatures: Vec::new(),
            validation_time: at,
            trust_state: snapshot.state,
            verifier: format!("results-vault {}", crate::VERSION),
            signer_policy: None,
        };
        let mut checks = Vec::new();
        if full || reasons.is_empty() {
            verdict.integrity = match store::records::check_content(tx, record) {
                Ok(()) => true,
                Err(Error::Integrity { .. }) => false,
                Err(e) => return Err(e),
            };
            if !verdict.integrity {
                reasons.push(Exclusion::IntegrityFailure);
            }
            // The PDF's own signatures, on bytes known intact.
            let content = match verdict.integrity {
                true => self.judge_content(tx, snapshot, policy, record, at)?,
                false => None,
            };
            let first_signature_reason = reasons.len();
            let envelope_bytes = Envelope::new(&record.meta, &record.content)?;
            // A signature the vault accepted after `at` did not exist at `at`: a check "as
            // of" that time cannot count it (nor can a reuse at that time). Compared to the
            // second, as callers give times (a portal's "now" in RFC 3339 seconds).
            // A signature that does not match the event that recorded it proves nothing
            // (log/bound.rs): the record is not reusable, whatever the others say.
            let (unbound, bound): (Vec<_>, Vec<_>) = store::signatures::to_check(tx, &record.result_id)?
                .into_iter()
                .partition(|s| s.unbound.is_some());
            for s in &unbound {
                let what = s.unbound.unwrap_or_default();
                reasons.push(Exclusion::SignatureUnbound {
                    signature: s.sha256,
                    what: what.to_owned(),
                });
                // Shown as a signature that proves nothing, so that every reader (CLI,
                // report, reuse answer) sees a verdict that is not PASSED.
                let ctx = snapshot.context(&[], at, at, &self.options.signature_policy);
                verdict.signatures.push(CheckedSignature {
                    signature: s.sha256,
                    proof_of_existence: s.proof_of_existence,
                    verdict: SignatureVerdict {
                        sub_indication: Some(crate::verify::verdict::SubIndication::GenericError),
                        detail: format!(
                            "the stored signature does not match the audit event that recorded it ({what}): \
                             the vault file was changed behind the vault's back; run `rvault log verify`"
                        ),
                        proof_of_existence: None,
                        ..signature::undecided(&ctx)
                    },
                    pdf_field: None,
                    signer_policy: None,
                });
            }
            let (stored, later): (Vec<_>, Vec<_>) = bound.into_iter().partition(|s| {
                s.proof_of_existence
                    .replace_nanosecond(0)
                    .unwrap_or(s.proof_of_existence)
                    <= at
            });
            let content_now = content.as_ref().filter(|c| !c.ingested_after);
            if stored.is_empty() && unbound.is_empty() && content_now.is_none() {
                let content_later = content.as_ref().map(|_| record.ingested_at);
                match later.iter().map(|s| s.proof_of_existence).chain(content_later).min() {
                    Some(first_signed_at) => reasons.push(Exclusion::SignedAfter { first_signed_at }),
                    None => reasons.push(Exclusion::Unsigned),
                }
                // Signed, but only after `at`: say so, rather than "no signature".
                for s in &later {
                    let ctx = snapshot.context(&[], at, s.proof_of_existence, &self.options.signature_policy);
                    verdict.signatures.push(CheckedSignature {
                        signature: s.sha256,
                        proof_of_existence: s.proof_of_existence,
                        verdict: SignatureVerdict {
                            sub_indication: Some(crate::verify::verdict::SubIndication::NoPoe),
                            detail: format!(
                                "signed after the validation time: the vault accepted this signature at {}, after {}",
                                rfc3339(s.proof_of_existence),
                                rfc3339(at)
                            ),
                            ..signature::undecided(&ctx)
                        },
                        pdf_field: None,
                        signer_policy: None,
                    });
                }
            }
            // The envelope signatures checked now: `None` when there are none, else PASSED
            // when every one did, else the first other indication.
            let mut envelope: Option<Indication> = None;
            for signature in stored {
                let signature_id = signature.id;
                let (checked, computed) = self.check_signature(snapshot, envelope_bytes.as_bytes(), &signature, at);
                envelope = envelope.or(Some(Indication::Passed));
                if checked.indication != Indication::Passed {
                    envelope = envelope
                        .filter(|i| *i != Indication::Passed)
                        .or(Some(checked.indication));
                    reasons.push(Exclusion::SignatureNotPassed {
                        signature: signature.sha256,
                        indication: checked.indication,
                        sub_indication: checked.sub_indication,
                    });
                }
                if computed && self.worth_keeping(tx, snapshot, signature_id, &checked)? {
                    checks.push(NewCheck {
                        signature_id,
                        verdict: checked.clone(),
                        validation_time: at,
                    });
                }
                verdict.signatures.push(CheckedSignature {
                    signature: signature.sha256,
                    proof_of_existence: signature.proof_of_existence,
                    verdict: checked,
                    pdf_field: None,
                    signer_policy: None,
                });
            }
            if let Some(content) = content.filter(|c| !c.ingested_after) {
                let disagree = envelope.filter(|e| {
                    unbound.is_empty() && (*e == Indication::Passed) != (content.indication == Indication::Passed)
                });
                if let Some(envelope) = disagree {
                    reasons.insert(
                        first_signature_reason,
                        Exclusion::SignaturesDisagree {
                            content: content.indication,
                            envelope,
                        },
                    );
                }
                reasons.extend(content.reasons);
                verdict.signatures.extend(content.signatures);
                if !content.policy.is_empty() {
                    verdict.signer_policy = Some(content.policy.join("; "));
                }
            }
        }
        verdict.reusable = reasons.is_empty();
        verdict.summary = if verdict.reusable {
            let policy = verdict
                .signer_policy
                .as_deref()
                .map_or_else(String::new, |p| format!("; signer policy: {p}"));
            format!(
                "reusable at {}: intact, {} signature(s) PASSED, status ACTIVE{policy}",
                rfc3339(at),
                verdict.signatures.len()
            )
        } else {
            let why: Vec<String> = reasons.iter().map(|r| r.to_string()).collect();
            format!("not reusable at {}: {}", rfc3339(at), why.join("; "))
        };
        verdict.reasons = reasons;
        Ok((verdict, checks))
    }

    /// Whether a check computed now says something the kept check of the same signature
    /// and trust state does not (another outcome, or other CRLs): only then is it written,
    /// so that repeated identical checks cost no durable write.
    fn worth_keeping(
        &self,
        tx: &rusqlite::Transaction<'_>,
        snapshot: &TrustSnapshot,
        signature_id: i64,
        verdict: &SignatureVerdict,
    ) -> Result<bool> {
        let new = KeptOutcome::of(verdict);
        if let Some(kept) = snapshot
            .kept
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(&signature_id)
        {
            return Ok(*kept != new);
        }
        let Some(kept) = store::signatures::kept_check(tx, signature_id, &snapshot.state)? else {
            return Ok(true);
        };
        let kept = KeptOutcome::of(&kept);
        let worth = kept != new;
        remember_kept(snapshot, signature_id, kept);
        Ok(worth)
    }

    /// Keeps checks computed now with their records, and the CRLs they relied on.
    pub(crate) fn keep_checks(
        &self,
        tx: &rusqlite::Transaction<'_>,
        snapshot: &TrustSnapshot,
        checks: &[NewCheck],
        now: OffsetDateTime,
    ) -> Result<()> {
        for check in checks {
            store::signatures::put_check(
                tx,
                check.signature_id,
                &snapshot.state,
                now,
                &check.verdict,
                check.validation_time,
            )?;
            self.keep_crls(tx, snapshot, &check.verdict, now)?;
        }
        Ok(())
    }

    /// Notes checks as kept, once the transaction that wrote them committed.
    pub(crate) fn checks_kept(&self, snapshot: &TrustSnapshot, checks: &[NewCheck]) {
        for check in checks {
            remember_kept(snapshot, check.signature_id, KeptOutcome::of(&check.verdict));
        }
    }

    /// Keeps the CRLs and OCSP responses a verdict names, from the snapshot's material:
    /// the evidence that proves the signature at its proof of existence stays with the
    /// vault even when the trust store lets it go.
    pub(crate) fn keep_crls(
        &self,
        tx: &rusqlite::Transaction<'_>,
        snapshot: &TrustSnapshot,
        verdict: &SignatureVerdict,
        now: OffsetDateTime,
    ) -> Result<()> {
        let used = verdict.crls_used.iter().map(|u| (&u.sha256, &u.issuer));
        let answered = verdict.ocsp_used.iter().map(|u| (&u.sha256, &u.issuer));
        for (sha256, issuer) in used.chain(answered) {
            let Ok(sha) = sha256.parse::<Sha256>() else {
                continue;
            };
            if let Some(i) = snapshot.crl_hashes.iter().position(|h| *h == sha) {
                store::signatures::keep_crl(tx, &sha, issuer, &snapshot.material.crls[i], now)?;
            }
        }
        Ok(())
    }

    /// Whether record `id` may be reused at `at`, and why: its integrity, every
    /// signature's verdict (checked against the trust store with the vault's proof of
    /// existence) and its legal status. A check that says something new (another outcome
    /// or other CRLs than the one kept for this trust state) is kept with the record.
    ///
    /// With [`super::VaultOptions::refresh_when_stale`], a signature waiting for revocation
    /// data (INDETERMINATE / TRY_LATER) makes the vault refresh it and judge again, once.
    pub fn verify_record(&self, id: &ResultId, at: OffsetDateTime) -> Result<RecordVerdict> {
        let verdict = self.verify_record_once(id, at)?;
        let waits = verdict.reasons.iter().any(Exclusion::waits_for_revocation_data);
        match &self.options.refresh_when_stale {
            Some(source) if waits => {
                self.refresh_revocation(source.as_ref())?;
                self.verify_record_once(id, at)
            }
            _ => Ok(verdict),
        }
    }

    fn verify_record_once(&self, id: &ResultId, at: OffsetDateTime) -> Result<RecordVerdict> {
        let (snapshot, verdict, checks) = self.store.read(|tx| {
            let record = store::records::get(tx, id)?.ok_or_else(|| Error::NotFound(id.clone()))?;
            let snapshot = self.trust_snapshot(tx)?;
            let policy = self.policy_in(tx)?;
            let (verdict, checks) = self.judge(tx, &snapshot, &policy, &record, at, true)?;
            Ok((snapshot, verdict, checks))
        })?;
        if !checks.is_empty() {
            let now = self.now()?;
            self.store.write(|tx| self.keep_checks(tx, &snapshot, &checks, now))?;
            self.checks_kept(&snapshot, &checks);
        }
        Ok(verdict)
    }

    /// A kept CRL (DER) by its SHA-256: every CRL a stored verdict relied on stays here
    /// even after it leaves the trust store.
    pub fn kept_crl(&self, sha256: &Sha256) -> Result<Option<Vec<u8>>> {
        self.store.read(|tx| store::signatures::kept_crl(tx, sha256))
    }
}

fn remember_kept(snapshot: &TrustSnapshot, signature_id: i64, kept: KeptOutcome) {
    let mut memo = snapshot.kept.lock().unwrap_or_else(|p| p.into_inner());
    if memo.len() >= MAX_CACHED_VERDICTS {
        memo.clear();
    }
    memo.insert(signature_id, kept);
}

/// `verify_detached` always returns at least one verdict; should it not, nothing passes.
pub(crate) fn no_verdict(ctx: &ValidationContext<'_>) -> SignatureVerdict {
    SignatureVerdict {
        sub_indication: Some(crate::verify::verdict::SubIndication::GenericError),
        detail: "no verdict".into(),
        ..signature::undecided(ctx)
    }
}
