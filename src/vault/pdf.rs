//! Signed PDFs at ingest: their embedded signatures (PAdES) are verified with the trust
//! store as it stands, the verdict is kept with the record (and named in the ingest's
//! audit event), and by policy a PDF whose signatures fail is refused.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::Vault;
use crate::error::{Error, Result};
use crate::hash::Sha256;
use crate::pdf::{is_pdf, verify_pdf, PdfVerdict};
use crate::record::{NewRecord, ResultId};
use crate::store;
use crate::trust::TrustMaterial;
use crate::verify::path::ChainCache;
use crate::verify::signature::ValidationContext;
use crate::verify::verdict::Indication;

/// What ingest does with a PDF's embedded signatures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PdfSignaturePolicy {
    /// Verify them and keep the verdict with the record; store the PDF whatever it says
    /// (the verdict flags it). The default.
    #[default]
    Record,
    /// Also refuse (store nothing) a PDF whose signatures are FAILED (tampered, modified
    /// after signing, a broken ByteRange, a signer revoked before signing) or that cannot
    /// be read as a PDF. An unsigned PDF, or one that is INDETERMINATE (e.g. no current
    /// CRL yet), is stored with its verdict.
    RefuseFailed,
    /// Do not look at them.
    Ignore,
}

/// The check of a PDF's embedded signatures, made at ingest.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PdfCheck {
    /// When it was checked (the validation time).
    #[serde(with = "time::serde::rfc3339")]
    pub checked_at: OffsetDateTime,
    /// The verdict; `None` when the file could not be read as a PDF.
    pub verdict: Option<PdfVerdict>,
    /// Why it could not be read, if so.
    pub problem: Option<String>,
}

impl PdfCheck {
    /// Its SHA-256 (over its JSON), as the ingest event names it.
    pub(crate) fn digest(&self) -> Result<Sha256> {
        let json = serde_json::to_vec(self).map_err(|e| Error::Malformed(e.to_string()))?;
        Ok(Sha256::of(&json))
    }
}

impl Vault {
    /// The check made when this PDF was ingested (`None`: not a PDF, or ingested under
    /// [`PdfSignaturePolicy::Ignore`] or before this vault checked PDFs).
    pub fn pdf_check(&self, id: &ResultId) -> Result<Option<PdfCheck>> {
        self.store.read(|tx| {
            store::records::get(tx, id)?.ok_or_else(|| Error::NotFound(id.clone()))?;
            store::pdf_checks::get(tx, id)
        })
    }

    /// Checks `content` if it is a PDF (by its bytes or its declared media type), and
    /// refuses it if the policy says so.
    /// `trust` is read once per batch (at the first PDF), and certificate paths are
    /// checked once per batch through `cache`.
    pub(crate) fn check_pdf_at_ingest(
        &self,
        meta: &NewRecord,
        content: &[u8],
        now: OffsetDateTime,
        trust: &mut Option<TrustMaterial>,
        cache: &ChainCache,
    ) -> Result<Option<PdfCheck>> {
        let policy = self.options.pdf_signatures;
        let declared = meta.media_type == "application/pdf";
        if policy == PdfSignaturePolicy::Ignore || !(declared || is_pdf(content)) {
            return Ok(None);
        }
        let material = match trust {
            Some(material) => material,
            None => trust.insert(self.trust_material()?),
        };
        // Ingest is the PDF's proof of existence in the vault: judged now, it is judged
        // at that POE.
        let ctx = ValidationContext {
            chain_cache: Some(cache),
            ..material.context(now, None, &self.options.signature_policy)
        };
        let check = match verify_pdf(content, &ctx) {
            Ok(verdict) => PdfCheck {
                checked_at: now,
                verdict: Some(verdict),
                problem: None,
            },
            Err(e) => PdfCheck {
                checked_at: now,
                verdict: None,
                problem: Some(e.to_string()),
            },
        };
        if policy == PdfSignaturePolicy::RefuseFailed {
            let why = match (&check.verdict, &check.problem) {
                (_, Some(problem)) => Some(format!("the PDF cannot be read: {problem}")),
                (Some(v), _) if v.indication == Indication::Failed => Some(
                    v.signatures
                        .iter()
                        .find(|s| s.verdict.indication == Indication::Failed)
                        .map(|s| format!("signature {:?}: {}", s.field, s.verdict.detail))
                        .unwrap_or_default(),
                ),
                _ => None,
            };
            if let Some(why) = why {
                return Err(Error::PdfSignatureRefused(why));
            }
        }
        Ok(Some(check))
    }
}
