//! What a signature proves about itself over time: its baseline level (ETSI EN 319 122-1
//! for CMS, EN 319 142-1 for PDF) and the timestamps that gave it a proof of existence.
//!
//! A level is a fact about the *file*, not about the caller's trust store: B-T needs a
//! timestamp that verified, B-LT that the file itself carries the revocation evidence the
//! verdict relied on, B-LTA that a document (archive) timestamp that verified covers that
//! evidence.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::cms::SignerCheck;
use super::signature::{rfc3339, SignatureVerdict, ValidationContext};
use super::timestamp::check_timestamp_token_parts;

use super::verdict::{Indication, SubIndication};

/// The baseline level a file proves for one signature.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum BaselineLevel {
    /// The signature and its signed attributes, nothing more.
    #[serde(rename = "B-B")]
    BB,
    /// B-B and a timestamp that verified: a signature timestamp over the signature
    /// value, or a document timestamp over the revision that holds the signature.
    #[serde(rename = "B-T")]
    BT,
    /// B-T and the revocation evidence the verdict relied on, carried by the file (the
    /// PDF's DSS, or the CMS itself).
    #[serde(rename = "B-LT")]
    BLt,
    /// B-LT and a document timestamp that verified over that evidence.
    #[serde(rename = "B-LTA")]
    BLta,
}

impl BaselineLevel {
    /// The standard's spelling, e.g. `"B-LTA"`.
    pub fn as_str(self) -> &'static str {
        match self {
            BaselineLevel::BB => "B-B",
            BaselineLevel::BT => "B-T",
            BaselineLevel::BLt => "B-LT",
            BaselineLevel::BLta => "B-LTA",
        }
    }
}

impl std::fmt::Display for BaselineLevel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Which kind of timestamp.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TimestampKind {
    /// id-aa-signatureTimeStampToken, an unsigned attribute over the signature value.
    SignatureTimestamp,
    /// A PDF document timestamp (`/Type /DocTimeStamp`) over a revision of the file.
    DocumentTimestamp,
}

/// One timestamp a verdict looked at, whether or not it verified.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimestampSummary {
    /// Signature or document timestamp.
    pub kind: TimestampKind,
    /// The document timestamp's field name; `None` for a signature timestamp.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// genTime, RFC 3339, when the token could be read.
    pub gen_time: Option<String>,
    /// What it proves the data existed by: genTime plus the accuracy the TSA declares.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub proves: Option<String>,
    /// The TSA's certificate subject, when known.
    pub tsa: Option<String>,
    /// The timestamp's own verdict.
    pub indication: Indication,
    /// Why, unless PASSED.
    pub sub_indication: Option<SubIndication>,
    /// In words.
    pub detail: String,
    /// It PASSED and its genTime is the proof of existence the verdict used (the first
    /// such one listed; none is, when the caller's own proof of existence was earlier).
    pub proof_used: bool,
}

/// A timestamp as a verdict lists it.
pub(crate) fn summarize(
    kind: TimestampKind,
    field: Option<String>,
    check: &super::timestamp::TimestampCheck,
) -> TimestampSummary {
    TimestampSummary {
        kind,
        field,
        gen_time: check.tst_info.as_ref().map(|t| rfc3339(t.gen_time)),
        proves: check.tst_info.as_ref().map(|t| rfc3339(t.proves())),
        tsa: check.verdict.signer.as_ref().map(|s| s.subject.clone()),
        indication: check.verdict.indication,
        sub_indication: check.verdict.sub_indication,
        detail: check.verdict.detail.clone(),
        proof_used: false,
    }
}

/// Checks a SignerInfo's signature timestamps over its signature value, each at the
/// caller's proof of existence (a document timestamp, the vault's record): the list,
/// and the earliest genTime of those that PASSED (the proof of existence they give).
/// A signer whose own integrity did not verify gets none: a timestamp over a signature
/// value that does not verify proves nothing.
pub(crate) fn signature_timestamps(
    signer: &SignerCheck,
    ctx: &ValidationContext<'_>,
) -> (Vec<TimestampSummary>, Option<OffsetDateTime>) {
    if signer.outcome != super::cms::SignerOutcome::Intact || signer.signature_timestamps.is_empty() {
        return (Vec::new(), None);
    }
    // What the CMS carries for its TSA counts, as it does for its signer.
    let evidence;
    let ctx = &if signer.revocation_values.is_empty() {
        ctx.clone()
    } else {
        evidence = [ctx.crls, &signer.revocation_values].concat();
        ValidationContext {
            crls: &evidence,
            ..ctx.clone()
        }
    };
    let mut proven: Option<OffsetDateTime> = None;
    let mut listed = Vec::with_capacity(signer.signature_timestamps.len());
    for token in &signer.signature_timestamps {
        let check = check_timestamp_token_parts(token, &[&signer.signature_value], ctx);
        proven = earliest(proven, check.proven_time());
        listed.push(summarize(TimestampKind::SignatureTimestamp, None, &check));
    }
    (listed, proven)
}

/// Marks the timestamp that gave the verdict's proof of existence: the first that PASSED
/// with it as genTime.
pub(crate) fn mark_proof_used(verdict: &mut SignatureVerdict) {
    let parse = |t: &str| OffsetDateTime::parse(t, &time::format_description::well_known::Rfc3339).ok();
    let used = verdict.proof_of_existence.as_deref().and_then(parse);
    let mut marked = false;
    for t in &mut verdict.timestamps {
        // The first that matches: a signature timestamp before the document timestamps
        // stamped in the same second.
        t.proof_used = !marked
            && t.indication == Indication::Passed
            && used.is_some()
            && t.proves.as_deref().or(t.gen_time.as_deref()).and_then(parse) == used;
        marked |= t.proof_used;
    }
}

/// The earlier of two optional instants.
pub(crate) fn earliest(a: Option<OffsetDateTime>, b: Option<OffsetDateTime>) -> Option<OffsetDateTime> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

/// Whether every certificate of the verdict's chain is among `carried` (SHA-256s, hex) or
/// is a trust anchor: the path the verdict used can be built from the file and the
/// anchors alone.
pub(crate) fn chain_carried(verdict: &SignatureVerdict, carried: &[String], anchors: &[Vec<u8>]) -> bool {
    let anchors: Vec<String> = anchors.iter().map(|a| crate::hash::Sha256::of(a).to_hex()).collect();
    !verdict.chain.is_empty()
        && verdict
            .chain
            .iter()
            .all(|c| carried.contains(&c.sha256) || anchors.contains(&c.sha256))
}

/// Whether every piece of revocation evidence the verdict relied on is among `carried`
/// (SHA-256s, hex), and there is at least one: the file itself proves the chain unrevoked.
pub(crate) fn evidence_carried(verdict: &SignatureVerdict, carried: &[String]) -> bool {
    let used: Vec<&str> = verdict
        .crls_used
        .iter()
        .map(|c| c.sha256.as_str())
        .chain(verdict.ocsp_used.iter().map(|o| o.sha256.as_str()))
        .collect();
    !used.is_empty() && used.iter().all(|u| carried.iter().any(|c| c == u))
}

/// The level a CMS proves on its own: B-B once its integrity verified, B-T with a
/// signature timestamp that PASSED, B-LT when the CMS also carries the certificates of
/// the path (all but the anchor) and the revocation evidence of a PASSED verdict (ETSI
/// EN 319 122-1 §6.3: the validation data is in the signature, not with the verifier).
pub(crate) fn cms_level(
    verdict: &SignatureVerdict,
    signer: &SignerCheck,
    certificates: &[Vec<u8>],
    anchors: &[Vec<u8>],
) -> Option<BaselineLevel> {
    // A FAILED signature proves no level, whatever it carries.
    if !verdict.integrity || verdict.indication == Indication::Failed {
        return None;
    }
    if !verdict.timestamps.iter().any(|t| t.indication == Indication::Passed) {
        return Some(BaselineLevel::BB);
    }
    let carried: Vec<String> = signer
        .revocation_values
        .iter()
        .map(|der| crate::hash::Sha256::of(der).to_hex())
        .collect();
    let certificates: Vec<String> = certificates
        .iter()
        .map(|der| crate::hash::Sha256::of(der).to_hex())
        .collect();
    let lt = verdict.indication == Indication::Passed
        && evidence_carried(verdict, &carried)
        && chain_carried(verdict, &certificates, anchors);
    Some(if lt { BaselineLevel::BLt } else { BaselineLevel::BT })
}
