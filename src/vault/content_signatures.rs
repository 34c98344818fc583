//! Content signatures: the signatures inside a stored PDF (the agency's own), judged again
//! for every verdict rather than read from the check kept at ingest.
//!
//! The PDF's bytes are the record's content (re-hashed by the verdict as always); its
//! signatures are verified at the validation time with the trust store's material and the
//! vault's ingest as their proof of existence (a PDF the vault holds existed when it was
//! ingested), then each PASSED signer is judged under the issuing agency's signer policy.
//! Only signatures count (kind `signature`); document timestamps only give proof of
//! existence. The kept check decides nothing but whether the vault looked at the PDF at
//! ingest (a PDF ingested under `PdfSignaturePolicy::Ignore` has no content signature
//! that counts).
//!
//! Like vault signatures' verdicts, the PDF's verdict is cached per trust-store state
//! (in [`TrustSnapshot`]), keyed on the content's SHA-256 and the proof of existence, for
//! validation times inside the window every signature's verdict holds: a reuse of an
//! agency-signed record costs a content re-hash and a map lookup, as a vault-signed one.

use std::collections::HashMap;
use std::sync::Arc;

use time::OffsetDateTime;

use super::signer_policy::PolicySnapshot;
use super::verification::TrustSnapshot;
use super::Vault;
use crate::error::Result;
use crate::hash::Sha256;
use crate::pdf::verify_pdf;
use crate::record::Record;
use crate::reuse::{CheckedSignature, Exclusion};
use crate::store;
use crate::verify::signature::{rfc3339, SignatureVerdict};
use crate::verify::verdict::Indication;

/// PDF verdicts kept per trust state before the map is emptied (a bound on memory).
const MAX_CACHED_PDF_VERDICTS: usize = 100_000;

/// One signature of a PDF, as the verdict cache keeps it.
pub(crate) struct ContentSignature {
    field: String,
    modified_after_signing: bool,
    verdict: SignatureVerdict,
    /// The O= values of the signer certificate's subject, read from its DER.
    organizations: Option<Vec<String>>,
}

/// A PDF's signatures (kind `signature` only) and the validation times they hold for.
pub(crate) struct CachedContent {
    from: i64,
    until: i64,
    signatures: Arc<Vec<ContentSignature>>,
}

/// The cache of PDF verdicts of one trust state: (content SHA-256, proof of existence in
/// ms) → verdict.
pub(crate) type ContentCache = HashMap<(Sha256, i64), CachedContent>;

/// Validation times `[from, until)` (Unix seconds) a verdict holds for.
type Window = (i64, i64);

/// What a record's content signatures say at one time.
pub(crate) struct ContentJudgement {
    /// The PDF was ingested after the validation time: its signatures did not exist
    /// for the vault then (`signatures` is empty).
    pub ingested_after: bool,
    /// Each signature, checked.
    pub signatures: Vec<CheckedSignature>,
    /// Why the content signatures do not count, if so.
    pub reasons: Vec<Exclusion>,
    /// PASSED when every signature PASSED, else the first other indication.
    pub indication: Indication,
    /// What accepted each PASSED signer, once each.
    pub policy: Vec<String>,
}

impl Vault {
    /// The content signatures of `record` at `at` (`None`: the vault did not check its
    /// PDF at ingest, or the PDF carries no signature). The caller has re-hashed the
    /// content and found it intact.
    pub(crate) fn judge_content(
        &self,
        tx: &rusqlite::Transaction<'_>,
        snapshot: &TrustSnapshot,
        policy: &PolicySnapshot,
        record: &Record,
        at: OffsetDateTime,
    ) -> Result<Option<ContentJudgement>> {
        // A kept check whose PDF did not parse has nothing to count.
        let Some(Some(_)) = store::pdf_checks::kept_indication(tx, &record.result_id)? else {
            return Ok(None);
        };
        let poe = record.ingested_at;
        let t = at.unix_timestamp();
        // Compared to the second, as vault signatures' proofs of existence are.
        if poe.replace_nanosecond(0).unwrap_or(poe) > at {
            // Not judged (it did not exist then); whether it is signed is what was kept.
            let kept = store::pdf_checks::get(tx, &record.result_id)?;
            let signed = kept
                .and_then(|c| c.verdict)
                .is_some_and(|v| v.signatures.iter().any(|s| s.kind == "signature"));
            return Ok(signed.then(|| ContentJudgement {
                ingested_after: true,
                signatures: Vec::new(),
                reasons: Vec::new(),
                indication: Indication::Indeterminate,
                policy: Vec::new(),
            }));
        }
        let key = (record.content.sha256, store::to_ms(poe));
        let use_cache = self.options.cache_verdicts;
        let cached = {
            let cache = snapshot.contents.lock().unwrap_or_else(|p| p.into_inner());
            cache
                .get(&key)
                .filter(|c| use_cache && c.from <= t && t < c.until)
                .map(|c| c.signatures.clone())
        };
        let signatures = match cached {
            Some(signatures) => signatures,
            None => {
                let (signatures, window) = self.verify_content(tx, snapshot, record, at)?;
                let signatures = Arc::new(signatures);
                if let (true, Some((from, until))) = (use_cache, window) {
                    let mut cache = snapshot.contents.lock().unwrap_or_else(|p| p.into_inner());
                    if cache.len() >= MAX_CACHED_PDF_VERDICTS {
                        cache.clear();
                    }
                    let signatures = signatures.clone();
                    cache.insert(
                        key,
                        CachedContent {
                            from,
                            until,
                            signatures,
                        },
                    );
                }
                signatures
            }
        };
        if signatures.is_empty() {
            return Ok(None);
        }
        let agency = record.meta.issuer.agency_code.as_str();
        let mut out = ContentJudgement {
            ingested_after: false,
            signatures: Vec::with_capacity(signatures.len()),
            reasons: Vec::new(),
            indication: Indication::Passed,
            policy: Vec::new(),
        };
        for s in signatures.iter() {
            let mut verdict = s.verdict.clone();
            verdict.validation_time = rfc3339(at);
            let mut accepted_by = None;
            if s.modified_after_signing {
                out.reasons
                    .push(Exclusion::PdfModifiedAfterSigning { field: s.field.clone() });
            } else if verdict.indication != Indication::Passed {
                out.reasons.push(Exclusion::PdfSignatureNotPassed {
                    field: s.field.clone(),
                    indication: verdict.indication,
                    sub_indication: verdict.sub_indication,
                });
            } else {
                match policy.judge(agency, &verdict, s.organizations.as_deref()) {
                    Ok(note) => {
                        if !out.policy.contains(&note) {
                            out.policy.push(note.clone());
                        }
                        accepted_by = Some(note);
                    }
                    Err(()) => {
                        let signer = verdict.signer.as_ref();
                        out.reasons.push(Exclusion::SignerNotInPolicy {
                            agency_code: agency.to_owned(),
                            signer: signer.map_or_else(String::new, |c| crate::redact::mask_personal_ids(&c.subject)),
                            sha256: signer.map_or_else(String::new, |c| c.sha256.clone()),
                        });
                    }
                }
            }
            if out.indication == Indication::Passed && verdict.indication != Indication::Passed {
                out.indication = verdict.indication;
            }
            out.signatures.push(CheckedSignature {
                signature: record.content.sha256,
                proof_of_existence: poe,
                verdict,
                pdf_field: Some(s.field.clone()),
                signer_policy: accepted_by,
            });
        }
        Ok(Some(out))
    }

    /// Verifies the stored PDF's signatures at `at` with the vault's ingest as their proof
    /// of existence. The window `[from, until)` (Unix seconds) the answer holds for, when
    /// it may be cached: always for a PDF with no signature, else when every signature
    /// PASSED with a known bound.
    fn verify_content(
        &self,
        tx: &rusqlite::Transaction<'_>,
        snapshot: &TrustSnapshot,
        record: &Record,
        at: OffsetDateTime,
    ) -> Result<(Vec<ContentSignature>, Option<Window>)> {
        let bytes = store::records::read_content(tx, record)?;
        let ctx = snapshot.context(
            &snapshot.material.intermediates,
            at,
            record.ingested_at,
            &self.options.signature_policy,
        );
        // A PDF that no longer parses has no signature to count (the kept check says why).
        let Ok(verdict) = verify_pdf(&bytes, &ctx) else {
            return Ok((Vec::new(), Some((i64::MIN, i64::MAX))));
        };
        let mut signatures = Vec::new();
        let mut until = i64::MAX;
        for s in verdict.signatures.into_iter().filter(|s| s.kind == "signature") {
            let bound = s
                .verdict
                .holds_until
                .as_deref()
                .and_then(|u| OffsetDateTime::parse(u, &time::format_description::well_known::Rfc3339).ok());
            until = match (s.verdict.indication, bound) {
                (Indication::Passed, Some(b)) => until.min(b.unix_timestamp()),
                _ => i64::MIN,
            };
            // Read from the certificate's DER by the verifier (a subject shown as text,
            // `CN=A\, O=B`, cannot tell an O= from a comma inside a CN).
            let orgs = s.verdict.signer.as_ref().map(|signer| signer.organizations.clone());
            signatures.push(ContentSignature {
                field: s.field,
                modified_after_signing: s.modified_after_signing,
                verdict: s.verdict,
                organizations: orgs,
            });
        }
        let t = at.unix_timestamp();
        let window = if signatures.is_empty() {
            Some((i64::MIN, i64::MAX))
        } else {
            (until > t).then_some((t, until))
        };
        Ok((signatures, window))
    }
}
