//! Reuse ("once only"): which of a subject's results a later procedure may take instead
//! of asking the citizen for paper again, and who asked.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::record::{check_text, FieldError, Record, ResultId, SubjectId, SubjectKind, MAX_CODE_LEN, MAX_TEXT_LEN};

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
    /// The results handed out: in force at the query's time and intact. One reuse event
    /// was recorded for each.
    pub results: Vec<Record>,
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
