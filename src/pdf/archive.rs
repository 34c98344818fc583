//! The archive a PDF keeps of itself (ETSI EN 319 142-1 §6.2): the document timestamps
//! that cover each revision, chained latest first, and the baseline level the file proves
//! for each signature — B-B, B-T, B-LT, B-LTA — from what it carries, not from the
//! caller's trust store.

use time::OffsetDateTime;

use super::coverage::SignedRange;
use super::dss::FileEvidence;
use super::pades::{verify_one, Certification, PdfSignature, Rules};
use super::revision::Document;
use super::signature::FoundSignature;
use super::PdfError;
use crate::verify::levels::{BaselineLevel, TimestampSummary};
use crate::verify::signature::ValidationContext;
use crate::verify::verdict::{Indication, SubIndication};

/// A document timestamp, once checked.
pub(super) struct DocumentStamp {
    /// Its index among the signatures found.
    pub(super) index: usize,
    /// Its genTime, when the token could be read.
    pub(super) gen_time: Option<OffsetDateTime>,
    /// The revision its ByteRange ends.
    pub(super) revision: Option<usize>,
    /// What it proves (genTime plus its accuracy), when it PASSED.
    pub(super) proven: Option<OffsetDateTime>,
    /// As a verdict lists it.
    pub(super) summary: TimestampSummary,
}

/// The document timestamps that cover `revision`: every one whose ByteRange ends at or
/// after it (it covers all but its own `/Contents`).
pub(super) fn covering(stamps: &[DocumentStamp], revision: Option<usize>) -> Vec<&DocumentStamp> {
    match revision {
        Some(r) => stamps.iter().filter(|s| s.revision.is_some_and(|t| t >= r)).collect(),
        None => Vec::new(),
    }
}

/// A verdict turned INDETERMINATE / TIMESTAMP_ORDER_FAILURE.
pub(super) fn order_failure(
    mut verdict: crate::verify::signature::SignatureVerdict,
    why: &str,
) -> crate::verify::signature::SignatureVerdict {
    verdict.indication = Indication::Indeterminate;
    verdict.sub_indication = Some(SubIndication::TimestampOrderFailure);
    verdict.detail = format!("timestamps out of order: {why}; neither proves a time");
    verdict.holds_until = None;
    verdict
}

/// The earliest time proven by the covering timestamps that PASSED.
pub(super) fn proof_of(covering: &[&DocumentStamp]) -> Option<OffsetDateTime> {
    covering.iter().filter_map(|s| s.proven).min()
}

/// The earlier of two optional instants.
pub(super) fn earliest(a: Option<OffsetDateTime>, b: Option<OffsetDateTime>) -> Option<OffsetDateTime> {
    crate::verify::levels::earliest(a, b)
}

pub(super) fn parse_time(text: &str) -> Option<OffsetDateTime> {
    OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339).ok()
}

/// The covering timestamps as a verdict lists them.
pub(super) fn summaries(covering: &[&DocumentStamp]) -> Vec<TimestampSummary> {
    covering.iter().map(|s| s.summary.clone()).collect()
}

/// What [`level`] needs to judge a signature again on the file's evidence alone.
pub(super) struct FileFacts<'f, 'd, 'r> {
    pub(super) doc: &'f Document<'d>,
    pub(super) signature: &'f FoundSignature,
    pub(super) range: &'f Result<SignedRange, String>,
    pub(super) certification: Option<Certification>,
    pub(super) rules: &'f Rules<'r, 'd, 'd>,
    pub(super) carried: &'f FileEvidence,
}

/// Completes a signature's verdict with the document timestamps that cover it and the
/// level the file proves (ETSI EN 319 142-1 §6.2): B-B once its integrity verified; B-T
/// with a signature or document timestamp that PASSED; B-LT when the revocation evidence
/// of a PASSED verdict is in the file (its DSS or its CMS) — judged again on the file's
/// evidence alone when the caller's was used; B-LTA when a document timestamp that
/// PASSED covers the revision where that evidence first appears.
pub(super) fn level(
    out: &mut PdfSignature,
    covering: &[&DocumentStamp],
    file: &FileFacts<'_, '_, '_>,
    ctx: &ValidationContext<'_>,
) -> Result<(), PdfError> {
    out.verdict.timestamps.extend(summaries(covering));
    crate::verify::levels::mark_proof_used(&mut out.verdict);
    // A FAILED signature proves no level, whatever the file carries for it.
    if !out.verdict.integrity || out.kind != "signature" || out.verdict.indication == Indication::Failed {
        out.verdict.level = None;
        return Ok(());
    }
    let stamped = out
        .verdict
        .timestamps
        .iter()
        .any(|t| t.indication == Indication::Passed);
    if !stamped {
        out.verdict.level = Some(BaselineLevel::BB);
        return Ok(());
    }
    out.verdict.level = Some(BaselineLevel::BT);
    if out.verdict.indication != Indication::Passed {
        return Ok(());
    }
    let Some(revision) = out.signed_revision else {
        return Ok(());
    };
    let cms = file
        .signature
        .contents()
        .map(|c| c.bytes.as_slice())
        .unwrap_or_default();
    let in_cms: Vec<String> = crate::verify::cms::carried_revocation_values(cms)
        .iter()
        .map(|der| crate::hash::Sha256::of(der).to_hex())
        .collect();
    let certificates_in_cms: Vec<String> = crate::verify::cms::carried_certificates(cms)
        .iter()
        .map(|der| crate::hash::Sha256::of(der).to_hex())
        .collect();
    let anchors: Vec<String> = ctx
        .anchors
        .iter()
        .map(|der| crate::hash::Sha256::of(der).to_hex())
        .collect();
    // The latest revision where a piece of the validation data the verdict used first
    // appears — its path's certificates but the anchor, and its revocation evidence —,
    // or `None` when some of it is not in the file (ETSI EN 319 142-1 §6.3: B-LT means
    // the file carries it).
    let in_file = |v: &crate::verify::signature::SignatureVerdict| -> Option<usize> {
        let evidence: Vec<&str> = v
            .crls_used
            .iter()
            .map(|c| c.sha256.as_str())
            .chain(v.ocsp_used.iter().map(|o| o.sha256.as_str()))
            .collect();
        if evidence.is_empty() || v.chain.is_empty() {
            return None;
        }
        let evidence = evidence.into_iter().map(|u| match in_cms.iter().any(|c| c == u) {
            true => Some(revision),
            false => file.carried.first_seen(u),
        });
        let certificates = v.chain.iter().filter(|c| !anchors.contains(&c.sha256)).map(|c| {
            match certificates_in_cms.contains(&c.sha256) {
                true => Some(revision),
                false => file.carried.certificate_first_seen(&c.sha256),
            }
        });
        evidence
            .chain(certificates)
            .try_fold(revision, |latest, r| Some(latest.max(r?)))
    };
    let mut needs = in_file(&out.verdict);
    let caller_helped =
        ctx.crls.len() > file.carried.revocation.len() || ctx.intermediates.len() > file.carried.certificates.len();
    if needs.is_none() && caller_helped {
        // The caller's material answered: would the file's alone?
        let alone = ValidationContext {
            crls: &file.carried.revocation,
            intermediates: &file.carried.certificates,
            ..ctx.clone()
        };
        let again = verify_one(
            file.doc,
            file.signature,
            file.range,
            file.certification,
            file.rules,
            &alone,
        )?;
        if again.verdict.indication == Indication::Passed {
            needs = in_file(&again.verdict);
        }
    }
    let Some(needs) = needs else { return Ok(()) };
    out.verdict.level = Some(BaselineLevel::BLt);
    if covering
        .iter()
        .any(|s| s.proven.is_some() && s.revision.is_some_and(|r| r >= needs))
    {
        out.verdict.level = Some(BaselineLevel::BLta);
    }
    Ok(())
}
