//! Reuse ("once only"): which of a subject's results a later procedure may take instead
//! of asking the citizen for paper again, and who asked.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::hash::Sha256;
use crate::record::{
    check_text, FieldError, Record, ResultId, StatusKind, SubjectId, SubjectKind, MAX_CODE_LEN, MAX_TEXT_LEN,
};
use crate::verify::signature::SignatureVerdict;
use crate::verify::verdict::{Indication, SubIndication};

/// What is asked for: one subject's results of one document type, valid at `at`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReuseQuery {
    /// Citizen or organization.
    pub subject_kind: SubjectKind,
    /// The subject's personal ID or enterprise code.
    pub subject_id: SubjectId,
    /// The document type wanted.
    pub document_type: String,
    /// The time at which the results must be in force.
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
}

impl ReuseQuery {
    /// NFC-normalizes and checks every field.
    pub fn normalize_and_check(&mut self) -> Result<(), FieldError> {
        self.subject_id.check(self.subject_kind)?;
        check_text(&mut self.document_type, "document_type", MAX_TEXT_LEN)
    }
}

/// Who asks, for which dossier, and why. All four are required: a reuse without them
/// is refused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Requester {
    /// The requesting agency's e-ID code.
    pub agency_code: String,
    /// The procedure being resolved.
    pub procedure_code: String,
    /// The dossier being resolved.
    pub dossier_code: String,
    /// Why the result is needed (recorded in the audit log).
    pub purpose: String,
}

impl Requester {
    /// NFC-normalizes and checks every field.
    pub fn normalize_and_check(&mut self) -> Result<(), FieldError> {
        check_text(&mut self.agency_code, "requester.agency_code", MAX_CODE_LEN)?;
        check_text(&mut self.procedure_code, "requester.procedure_code", MAX_CODE_LEN)?;
        check_text(&mut self.dossier_code, "requester.dossier_code", MAX_CODE_LEN)?;
        check_text(&mut self.purpose, "requester.purpose", MAX_TEXT_LEN)
    }
}

/// Why a candidate was not handed out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "reason", rename_all = "SCREAMING_SNAKE_CASE")]
#[non_exhaustive]
pub enum Exclusion {
    /// Withdrawn by a decision.
    Revoked,
    /// Replaced by another result.
    Superseded {
        /// The replacement.
        replaced_by: ResultId,
    },
    /// Past its `valid_until`.
    Expired,
    /// Before its `valid_from`.
    NotYetValid,
    /// Its stored bytes no longer match their SHA-256.
    IntegrityFailure,
    /// It carries no signature the vault accepted: nothing proves who issued it.
    Unsigned,
    /// One of its signatures does not pass at the query's time.
    SignatureNotPassed {
        /// The signature (SHA-256 of its CMS).
        signature: Sha256,
        /// Its verdict's indication.
        indication: Indication,
        /// And sub-indication.
        sub_indication: Option<SubIndication>,
    },
    /// One of its signatures does not match the audit event that recorded it: the vault
    /// file was changed behind the vault's back (`rvault log verify` says where), so the
    /// signature proves nothing.
    SignatureUnbound {
        /// The signature (SHA-256 of its CMS, as the row now says).
        signature: Sha256,
        /// What does not match.
        what: String,
    },
    /// Every signature it carries was accepted after the query's time: at that time it
    /// was not signed yet.
    SignedAfter {
        /// When the vault accepted its first signature.
        #[serde(with = "time::serde::rfc3339")]
        first_signed_at: time::OffsetDateTime,
    },
    /// A signature inside the PDF (the content signature) PASSED, but its signer is not
    /// one the issuing agency's signer policy accepts (`rvault policy list`).
    SignerNotInPolicy {
        /// The issuing agency (the record's `agency_code`).
        agency_code: String,
        /// The signer certificate's subject, personal IDs masked.
        signer: String,
        /// SHA-256 of the signer certificate's DER, hex.
        sha256: String,
    },
    /// The record has both a vault signature over its envelope and signatures inside its
    /// PDF, and they disagree: one kind PASSED, the other did not. (Signers of different
    /// organizations do not count as disagreeing: a vault's envelope is commonly signed by
    /// the operator on the agency's behalf; who may sign the content is the signer
    /// policy's business.)
    SignaturesDisagree {
        /// The PDF's signatures: PASSED when every one did, else the first other indication.
        content: Indication,
        /// The vault's envelope signatures, likewise.
        envelope: Indication,
    },
    /// A signature inside the PDF does not pass at the query's time (with the vault's
    /// ingest as its proof of existence).
    PdfSignatureNotPassed {
        /// The signature field's name.
        field: String,
        /// Its verdict's indication.
        indication: Indication,
        /// And sub-indication.
        sub_indication: Option<SubIndication>,
    },
    /// The PDF was changed after this signature beyond what its rules allow (page content,
    /// pages, an annotation over the text…): what was signed is not what is shown.
    PdfModifiedAfterSigning {
        /// The signature field's name.
        field: String,
    },
}

impl Exclusion {
    /// A signature waits for revocation data (INDETERMINATE / TRY_LATER: none current,
    /// or pending under a strict evidence policy): a refresh may change the answer.
    pub fn waits_for_revocation_data(&self) -> bool {
        matches!(
            self,
            Exclusion::SignatureNotPassed {
                sub_indication: Some(crate::verify::verdict::SubIndication::TryLater),
                ..
            }
        )
    }
}

impl std::fmt::Display for Exclusion {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Exclusion::Revoked => f.write_str("the result was revoked"),
            Exclusion::Superseded { replaced_by } => write!(f, "the result was replaced by {replaced_by}"),
            Exclusion::Expired => f.write_str("the result has expired"),
            Exclusion::NotYetValid => f.write_str("the result is not valid yet"),
            Exclusion::IntegrityFailure => f.write_str("the stored content no longer matches its SHA-256"),
            Exclusion::Unsigned => f.write_str("the result carries no accepted signature"),
            Exclusion::SignatureUnbound { signature, what } => write!(
                f,
                "signature {}… does not match its audit event ({what}): the vault file was changed, run `rvault log verify`",
                &signature.to_hex()[..16]
            ),
            Exclusion::SignedAfter { first_signed_at } => write!(
                f,
                "the result was signed after the validation time (first signature accepted at {})",
                crate::verify::signature::rfc3339(*first_signed_at)
            ),
            Exclusion::SignerNotInPolicy {
                agency_code,
                signer,
                sha256,
            } => write!(
                f,
                "the PDF's signer {signer} (certificate {}…) is not in agency {agency_code}'s signer policy",
                sha256.chars().take(16).collect::<String>()
            ),
            Exclusion::SignaturesDisagree { content, envelope } => write!(
                f,
                "the PDF's signatures ({content:?}) and the vault's envelope signatures ({envelope:?}) disagree"
            ),
            Exclusion::PdfSignatureNotPassed {
                field,
                indication,
                sub_indication,
            } => write!(
                f,
                "PDF signature {field:?} is {indication:?}/{}",
                sub_indication.map_or("-", |s| s.as_str())
            ),
            Exclusion::PdfModifiedAfterSigning { field } => {
                write!(f, "the PDF was modified after signature {field:?}")
            }
            Exclusion::SignatureNotPassed {
                signature,
                indication,
                sub_indication,
            } => write!(
                f,
                "signature {}… is {indication:?}/{}",
                &signature.to_hex()[..16],
                sub_indication.map_or("-", |s| s.as_str())
            ),
        }
    }
}

/// A candidate that was not handed out, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Excluded {
    /// The record.
    pub result_id: ResultId,
    /// Why.
    #[serde(flatten)]
    pub exclusion: Exclusion,
}

/// The answer to a reuse request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReuseAnswer {
    /// The results handed out: in force at the query's time, intact, and signed with
    /// every signature PASSED. One reuse event was recorded for each.
    pub results: Vec<Record>,
    /// The verdict of each result handed out, in the same order.
    pub verdicts: Vec<RecordVerdict>,
    /// The subject's other results of that type, and why each was not handed out.
    pub excluded: Vec<Excluded>,
}

/// One agency's figures over a time window.
///
/// The reuse rate follows the national KPI: the share of the agency's resolved dossiers
/// (dossiers of the results it issued in the window) for which it reused at least one
/// stored result instead of asking for paper.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AgencyStats {
    /// The agency's e-ID code.
    pub agency_code: String,
    /// Results issued by the agency and ingested in the window.
    pub results_ingested: u64,
    /// Distinct dossiers of those results.
    pub dossiers: u64,
    /// Of those dossiers, how many reused a stored result (by this agency, before the
    /// window's end).
    pub dossiers_with_reuse: u64,
    /// `dossiers_with_reuse / dossiers`; `None` when the agency resolved no dossier.
    pub reuse_rate: Option<f64>,
    /// Reuse events the agency made in the window (one per result handed out).
    pub reuses_made: u64,
    /// Distinct dossiers for which the agency reused results in the window.
    pub dossiers_reusing: u64,
    /// Distinct results issued by this agency that were handed out in the window.
    pub results_reused: u64,
}

/// One signature of a record, checked at a given time: a vault signature over its
/// envelope, or (with `pdf_field`) a signature inside its PDF.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckedSignature {
    /// SHA-256 of the CMS for a vault signature; for a signature inside the PDF, the
    /// SHA-256 of the PDF that carries it (the record's content).
    pub signature: Sha256,
    /// The vault's proof of existence for it (when it was accepted; for a PDF signature,
    /// when the PDF was ingested).
    #[serde(with = "time::serde::rfc3339")]
    pub proof_of_existence: OffsetDateTime,
    /// The verdict at the time asked.
    pub verdict: SignatureVerdict,
    /// For a signature inside the PDF: its signature field's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pdf_field: Option<String>,
    /// For a signature inside the PDF that PASSED: what accepted its signer (the signer
    /// policy's rule, or [`crate::DEFAULT_SIGNER_POLICY`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signer_policy: Option<String>,
}

/// "Reusable now: yes or no, because …": a record's integrity, every signature's verdict
/// (with the vault's proof of existence) and its legal status, at one time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordVerdict {
    /// The record.
    pub result_id: ResultId,
    /// Whether it may be handed out for reuse at `validation_time`.
    pub reusable: bool,
    /// Why not (empty when reusable), most decisive first.
    pub reasons: Vec<Exclusion>,
    /// The answer in words.
    pub summary: String,
    /// The stored content still hashes to its SHA-256.
    pub integrity: bool,
    /// The legal status at `validation_time` (EXPIRED derived from `valid_until`).
    pub status: StatusKind,
    /// Every signature the vault accepted for it, checked at `validation_time`: its
    /// envelope signatures first, then the signatures inside its PDF.
    pub signatures: Vec<CheckedSignature>,
    /// The signer policy the PDF's signatures were accepted under: the rules that
    /// matched, or "default: any trusted signer" when the issuing agency has none.
    /// Absent when no PDF signature was judged.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signer_policy: Option<String>,
    /// The time of the check.
    #[serde(with = "time::serde::rfc3339")]
    pub validation_time: OffsetDateTime,
    /// The trust store's state the signatures were checked against.
    pub trust_state: Sha256,
    /// `results-vault <version>`.
    pub verifier: String,
}
