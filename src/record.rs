//! A result record (DESIGN.md §4): its model and the checks on every identifier.
//!
//! Text fields are NFC-normalized before they are checked, so that a name typed with
//! combining marks and the same name typed precomposed give one record and one envelope.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use time::{Date, OffsetDateTime};
use unicode_normalization::UnicodeNormalization;

use crate::hash::Sha256;

/// The vault-assigned identifier of a result: a ULID (26 Crockford base-32 characters),
/// sortable by the time it was assigned.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ResultId(String);

impl ResultId {
    /// A new id for a record ingested now.
    pub(crate) fn new_at(at: OffsetDateTime) -> Self {
        let ms = (at.unix_timestamp_nanos() / 1_000_000).max(0) as u64;
        let id = ulid::Ulid::from_parts(ms, rand_u128());
        ResultId(id.to_string())
    }

    /// The smallest id that can be minted at `ms` milliseconds since the epoch.
    pub(crate) fn lowest_at(ms: i64) -> Self {
        ResultId(ulid::Ulid::from_parts(ms.max(0) as u64, 0).to_string())
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

fn rand_u128() -> u128 {
    use ring::rand::SecureRandom;
    let mut bytes = [0u8; 16];
    ring::rand::SystemRandom::new()
        .fill(&mut bytes)
        .expect("the operating system's random source failed");
    u128::from_le_bytes(bytes)
}

impl FromStr for ResultId {
    type Err = FieldError;
    fn from_str(s: &str) -> Result<Self, FieldError> {
        match ulid::Ulid::from_string(s) {
            Ok(u) => Ok(ResultId(u.to_string())),
            Err(_) => Err(FieldError::new("result_id", "must be a 26-character ULID")),
        }
    }
}

impl TryFrom<String> for ResultId {
    type Error = FieldError;
    fn try_from(s: String) -> Result<Self, FieldError> {
        s.parse()
    }
}

impl From<ResultId> for String {
    fn from(id: ResultId) -> String {
        id.0
    }
}

impl fmt::Display for ResultId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for ResultId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ResultId({})", self.0)
    }
}

/// A field that failed its check. The message names the field and never repeats a
/// personal ID.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid {field}: {reason}")]
pub struct FieldError {
    /// The field's name, as in the JSON form (`subject.id`, `valid_until`, …).
    pub field: &'static str,
    /// What is wrong, in words that do not repeat a personal ID.
    pub reason: String,
}

impl FieldError {
    pub(crate) fn new(field: &'static str, reason: impl Into<String>) -> Self {
        FieldError {
            field,
            reason: reason.into(),
        }
    }
}

/// Whom a result is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SubjectKind {
    /// A person, identified by a 12-digit personal ID.
    Citizen,
    /// An enterprise or organization, identified by its 10-digit enterprise/tax code.
    Organization,
}

impl SubjectKind {
    /// The JSON spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            SubjectKind::Citizen => "citizen",
            SubjectKind::Organization => "organization",
        }
    }
}

impl FromStr for SubjectKind {
    type Err = FieldError;
    fn from_str(s: &str) -> Result<Self, FieldError> {
        match s {
            "citizen" => Ok(SubjectKind::Citizen),
            "organization" => Ok(SubjectKind::Organization),
            _ => Err(FieldError::new(
                "subject.kind",
                "must be \"citizen\" or \"organization\"",
            )),
        }
    }
}

/// A subject's identifier: a personal ID (12 ASCII digits, opaque: it has no public
/// checksum) or an enterprise/tax code (10 digits, optionally `-NNN` for a branch).
///
/// `Debug` and `Display` mask it: only its last two characters show.
#[derive(Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct SubjectId(String);

impl SubjectId {
    /// Wraps an identifier; it is checked against a kind by [`SubjectId::check`].
    pub fn new(id: impl Into<String>) -> Self {
        SubjectId(id.into())
    }

    /// The identifier in full. Do not log it.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// The identifier with all but its last two characters hidden, for logs and screens.
    pub fn masked(&self) -> String {
        let n = self.0.chars().count();
        let tail: String = self.0.chars().skip(n.saturating_sub(2)).collect();
        format!("{}{}", "*".repeat(n.saturating_sub(2)), tail)
    }

    /// Checks the identifier against the rules of `kind`.
    pub fn check(&self, kind: SubjectKind) -> Result<(), FieldError> {
        let s = self.0.as_str();
        let ok = match kind {
            SubjectKind::Citizen => s.len() == 12 && s.bytes().all(|b| b.is_ascii_digit()),
            SubjectKind::Organization => {
                let (code, branch) = match s.split_once('-') {
                    Some((code, branch)) => (code, Some(branch)),
                    None => (s, None),
                };
                let digits = |t: &str, n: usize| t.len() == n && t.bytes().all(|b| b.is_ascii_digit());
                digits(code, 10) && branch.is_none_or(|b| digits(b, 3))
            }
        };
        if ok {
            return Ok(());
        }
        // Describe the shape, never the value.
        let reason = match kind {
            SubjectKind::Citizen => format!(
                "a personal ID must be exactly 12 ASCII digits (got {} characters{})",
                s.chars().count(),
                if s.bytes().all(|b| b.is_ascii_digit()) {
                    ""
                } else {
                    ", not all digits"
                }
            ),
            SubjectKind::Organization => format!(
                "an enterprise/tax code must be 10 digits, optionally followed by -NNN (got {} characters)",
                s.chars().count()
            ),
        };
        Err(FieldError::new("subject.id", reason))
    }
}

impl fmt::Debug for SubjectId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SubjectId({})", self.masked())
    }
}

impl fmt::Display for SubjectId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.masked())
    }
}

/// Whom a result is about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Subject {
    /// Citizen or organization.
    pub kind: SubjectKind,
    /// The personal ID or enterprise code.
    pub id: SubjectId,
    /// The subject's name as printed on the result.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// The agency that issued the result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Issuer {
    /// The agency's e-ID code (mã định danh điện tử), e.g. `G06.01`.
    pub agency_code: String,
    /// The agency's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agency_name: Option<String>,
}

/// Where the file came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "origin", rename_all = "snake_case", deny_unknown_fields)]
pub enum Provenance {
    /// Issued electronically.
    BornDigital,
    /// Scanned from a paper result.
    Digitized {
        /// The unit that scanned it.
        unit: String,
        /// The day it was scanned.
        scanned_on: Date,
    },
}

/// The metadata a portal gives when it ingests a result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewRecord {
    /// The dossier's code (mã hồ sơ).
    pub dossier_code: String,
    /// The administrative procedure's code, e.g. `1.000466`.
    pub procedure_code: String,
    /// The kind of document, e.g. `birth-extract` or `Giấy khai sinh`.
    pub document_type: String,
    /// The document's number / notation, e.g. `12/QĐ-UBND`.
    pub document_number: String,
    /// Who issued it.
    pub issuer: Issuer,
    /// Whom it is about.
    pub subject: Subject,
    /// The day it was issued.
    pub issued_at: Date,
    /// The first day it is in force.
    pub valid_from: Date,
    /// The last day it is in force (inclusive); `None` if it never expires.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub valid_until: Option<Date>,
    /// The content's media type, e.g. `application/pdf`.
    pub media_type: String,
    /// The file's name, as the portal knows it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file_name: Option<String>,
    /// Digitized from paper or born digital.
    pub provenance: Provenance,
    /// Free attributes.
    #[serde(default, skip_serializing_if = "serde_json::Map::is_empty")]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

/// Longest code (dossier, procedure, agency, document number).
pub const MAX_CODE_LEN: usize = 64;
/// Longest free-text field (names, document type, unit, purpose).
pub const MAX_TEXT_LEN: usize = 512;
/// Largest `extra` object, as compact JSON.
pub const MAX_EXTRA_BYTES: usize = 64 * 1024;

impl NewRecord {
    /// NFC-normalizes every text field and checks every field, naming the first bad one.
    pub fn normalize_and_check(&mut self) -> Result<(), FieldError> {
        check_text(&mut self.dossier_code, "dossier_code", MAX_CODE_LEN)?;
        check_text(&mut self.procedure_code, "procedure_code", MAX_CODE_LEN)?;
        check_text(&mut self.document_type, "document_type", MAX_TEXT_LEN)?;
        check_text(&mut self.document_number, "document_number", MAX_CODE_LEN)?;
        check_text(&mut self.issuer.agency_code, "issuer.agency_code", MAX_CODE_LEN)?;
        check_optional_text(&mut self.issuer.agency_name, "issuer.agency_name")?;
        self.subject.id.check(self.subject.kind)?;
        check_optional_text(&mut self.subject.name, "subject.name")?;
        if self.valid_until.is_some_and(|until| until < self.valid_from) {
            return Err(FieldError::new("valid_until", "must not be before valid_from"));
        }
        check_media_type(&self.media_type)?;
        if let Some(name) = &mut self.file_name {
            check_text(name, "file_name", 255)?;
            if name.contains(['/', '\\']) {
                return Err(FieldError::new("file_name", "must not contain a path separator"));
            }
        }
        if let Provenance::Digitized { unit, .. } = &mut self.provenance {
            check_text(unit, "provenance.unit", MAX_TEXT_LEN)?;
        }
        let extra_len = serde_json::to_vec(&self.extra).map(|v| v.len()).unwrap_or(usize::MAX);
        if extra_len > MAX_EXTRA_BYTES {
            return Err(FieldError::new(
                "extra",
                format!("is {extra_len} bytes of JSON; the limit is {MAX_EXTRA_BYTES}"),
            ));
        }
        Ok(())
    }
}

/// NFC-normalizes `value` in place, then checks it is non-empty, at most `max` characters,
/// free of control characters and of surrounding white space.
pub(crate) fn check_text(value: &mut String, field: &'static str, max: usize) -> Result<(), FieldError> {
    if unicode_normalization::is_nfc_quick(value.chars()) != unicode_normalization::IsNormalized::Yes {
        *value = value.nfc().collect();
    }
    if value.is_empty() {
        return Err(FieldError::new(field, "must not be empty"));
    }
    let len = value.chars().count();
    if len > max {
        return Err(FieldError::new(
            field,
            format!("is {len} characters; the limit is {max}"),
        ));
    }
    if value.chars().any(char::is_control) {
        return Err(FieldError::new(field, "must not contain control characters"));
    }
    if let Some(c) = value.chars().find(|&c| invisible(c)) {
        return Err(FieldError::new(
            field,
            format!(
                "must not contain invisible, line-breaking or direction-changing characters (U+{:04X})",
                c as u32
            ),
        ));
    }
    if value.starts_with(char::is_whitespace) || value.ends_with(char::is_whitespace) {
        return Err(FieldError::new(field, "must not start or end with white space"));
    }
    Ok(())
}

/// Characters that show nothing, break a line or reorder what follows (bidi overrides
/// and isolates, zero-width characters, the line and paragraph separators): with them a
/// document number or a name can be made to look like another one. None is needed to
/// write Vietnamese.
fn invisible(c: char) -> bool {
    matches!(
        c,
        '\u{00AD}'
            | '\u{034F}'
            | '\u{061C}'
            | '\u{115F}'
            | '\u{1160}'
            | '\u{180E}'
            | '\u{200B}'..='\u{200F}'
            | '\u{2028}'..='\u{202E}'
            | '\u{2060}'..='\u{206F}'
            | '\u{3164}'
            | '\u{FE00}'..='\u{FE0F}'
            | '\u{FEFF}'
            | '\u{FFA0}'
            | '\u{FFF9}'..='\u{FFFB}'
    )
}

fn check_optional_text(value: &mut Option<String>, field: &'static str) -> Result<(), FieldError> {
    match value {
        Some(v) => check_text(v, field, MAX_TEXT_LEN),
        None => Ok(()),
    }
}

/// `type/subtype` with RFC 6838 restricted-name characters, parameters allowed.
fn check_media_type(media_type: &str) -> Result<(), FieldError> {
    let essence = media_type.split(';').next().unwrap_or("").trim_end();
    let restricted = |s: &str| {
        !s.is_empty()
            && s.len() <= 127
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"!#$&-^_.+".contains(&b))
    };
    let ok = media_type.len() <= 255
        && !media_type.chars().any(char::is_control)
        && matches!(essence.split_once('/'), Some((t, s)) if restricted(t) && restricted(s));
    if ok {
        Ok(())
    } else {
        Err(FieldError::new(
            "media_type",
            "must be a media type such as application/pdf",
        ))
    }
}

/// The content a record points to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContentInfo {
    /// SHA-256 of the bytes.
    pub sha256: Sha256,
    /// Size in bytes.
    pub size: u64,
}

/// A decision that ends a result's force.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StatusChange {
    /// Why, in words.
    pub reason: String,
    /// The decision's reference, e.g. `45/QĐ-UBND`.
    pub decision_ref: String,
    /// When it took effect.
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    /// Who decided it (agency code or officer id), recorded in the audit log.
    pub by: String,
}

impl StatusChange {
    /// NFC-normalizes and checks every field.
    pub fn normalize_and_check(&mut self) -> Result<(), FieldError> {
        check_text(&mut self.reason, "reason", MAX_TEXT_LEN)?;
        check_text(&mut self.decision_ref, "decision_ref", MAX_CODE_LEN)?;
        check_text(&mut self.by, "by", MAX_CODE_LEN)?;
        check_instant("at", self.at).map(|_| ())
    }
}

/// A result's legal status as recorded. EXPIRED is not stored: it is derived from
/// `valid_until` at the time asked (see [`Record::status_at`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "SCREAMING_SNAKE_CASE")]
pub enum LegalStatus {
    /// In force.
    Active,
    /// Withdrawn by a decision.
    Revoked {
        /// The decision.
        #[serde(flatten)]
        change: StatusChange,
    },
    /// Replaced by another result.
    Superseded {
        /// The decision.
        #[serde(flatten)]
        change: StatusChange,
        /// The result that replaces it.
        replaced_by: ResultId,
    },
}

/// A result's status at a given time: the recorded status, with NOT_YET_VALID and
/// EXPIRED derived from the validity dates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum StatusKind {
    /// In force.
    Active,
    /// Withdrawn.
    Revoked,
    /// Replaced.
    Superseded,
    /// Past `valid_until`.
    Expired,
    /// Before `valid_from`: issued, not yet in force.
    NotYetValid,
}

impl StatusKind {
    /// The upper-case spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            StatusKind::Active => "ACTIVE",
            StatusKind::Revoked => "REVOKED",
            StatusKind::Superseded => "SUPERSEDED",
            StatusKind::Expired => "EXPIRED",
            StatusKind::NotYetValid => "NOT_YET_VALID",
        }
    }
}

/// A stored result: its metadata, its content's identity and its legal status.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Record {
    /// Vault-assigned id.
    pub result_id: ResultId,
    /// The metadata given at ingest (normalized).
    #[serde(flatten)]
    pub meta: NewRecord,
    /// The content's hash and size.
    pub content: ContentInfo,
    /// The recorded legal status.
    pub status: LegalStatus,
    /// When the vault stored it.
    #[serde(with = "time::serde::rfc3339")]
    pub ingested_at: OffsetDateTime,
}

/// `YYYY-MM-DD`, the form dates take in storage and in the envelope (it sorts as text).
pub(crate) fn iso_date(d: Date) -> String {
    format!("{:04}-{:02}-{:02}", d.year(), d.month() as u8, d.day())
}

/// Vietnam keeps one offset all year: validity days are counted in UTC+07:00.
pub const VIETNAM_OFFSET: time::UtcOffset = time::macros::offset!(+7);

/// The earliest instant the vault takes as a validation, reuse, statistics or decision
/// time: 1970-01-01T00:00:00Z (see [`check_instant`]).
pub const EARLIEST_INSTANT: OffsetDateTime = time::macros::datetime!(1970-01-01 00:00:00 UTC);

/// The latest instant the vault takes as a validation, reuse, statistics or decision
/// time: 9998-12-31T23:59:59.999Z (see [`check_instant`]).
pub const LATEST_INSTANT: OffsetDateTime = time::macros::datetime!(9998-12-31 23:59:59.999 UTC);

/// `at` if it lies from [`EARLIEST_INSTANT`] through [`LATEST_INSTANT`] (years 1970 to
/// 9998, UTC), else a [`FieldError`] naming `field`. Every such instant has a
/// millisecond count (how instants are stored) and a four-digit rendering in Vietnam's
/// time (how reports show them), with a year to spare for validity windows; times out of
/// that range are refused where they come in (the CLI, the C ABI, a status change, a
/// reuse query) instead of overflowing later.
pub fn check_instant(field: &'static str, at: OffsetDateTime) -> Result<OffsetDateTime, FieldError> {
    if (EARLIEST_INSTANT..=LATEST_INSTANT).contains(&at) {
        Ok(at)
    } else {
        Err(FieldError::new(
            field,
            "the time is outside the range the vault handles (1970-01-01T00:00:00Z to 9998-12-31T23:59:59.999Z)",
        ))
    }
}

impl Record {
    /// The status at `at`: the recorded one, or EXPIRED if `at` is past `valid_until`.
    pub fn status_at(&self, at: OffsetDateTime) -> StatusKind {
        match self.status {
            LegalStatus::Revoked { .. } => StatusKind::Revoked,
            LegalStatus::Superseded { .. } => StatusKind::Superseded,
            LegalStatus::Active => {
                // Past the last representable day in Vietnam's time: after any `valid_until`.
                let day = at.checked_to_offset(VIETNAM_OFFSET).map(|t| t.date());
                if self
                    .meta
                    .valid_until
                    .is_some_and(|until| day.is_none_or(|day| day > until))
                {
                    StatusKind::Expired
                } else if !self.has_started_at(at) {
                    StatusKind::NotYetValid
                } else {
                    StatusKind::Active
                }
            }
        }
    }

    /// Whether `at` falls on or after `valid_from` (days in Vietnam's time).
    pub fn has_started_at(&self, at: OffsetDateTime) -> bool {
        at.checked_to_offset(VIETNAM_OFFSET)
            .is_none_or(|t| t.date() >= self.meta.valid_from)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn personal_id_is_twelve_ascii_digits() {
        assert!(SubjectId::new("001203004567").check(SubjectKind::Citizen).is_ok());
        for bad in [
            "00120300456",
            "0012030045678",
            "00120300456a",
            "００１２０３００４５６７",
            "",
        ] {
            let err = SubjectId::new(bad).check(SubjectKind::Citizen).unwrap_err();
            assert_eq!(err.field, "subject.id");
            assert!(bad.is_empty() || !err.to_string().contains(bad), "{err} echoes the id");
        }
    }

    #[test]
    fn enterprise_code_with_optional_branch() {
        for good in ["0100109106", "0100109106-001"] {
            assert!(SubjectId::new(good).check(SubjectKind::Organization).is_ok(), "{good}");
        }
        for bad in [
            "010010910",
            "0100109106-01",
            "0100109106-0011",
            "0100109106-",
            "-001",
            "0100109106_001",
        ] {
            assert!(SubjectId::new(bad).check(SubjectKind::Organization).is_err(), "{bad}");
        }
    }

    #[test]
    fn text_fields_refuse_invisible_and_reordering_characters() {
        for bad in [
            "12/TLKS\u{202E}SKLT",
            "12\u{200B}/TLKS",
            "12/TLKS\u{2028}34",
            "\u{2066}12/TLKS\u{2069}",
            "12\u{FEFF}/TLKS",
        ] {
            let mut v = bad.to_owned();
            let err = check_text(&mut v, "document_number", MAX_CODE_LEN).unwrap_err();
            assert!(err.to_string().contains("direction-changing"), "{err}");
        }
        let mut fine = "Nguyễn Văn An, số 12/2026/TLKS-UBND".to_owned();
        assert!(check_text(&mut fine, "subject.name", MAX_TEXT_LEN).is_ok());
    }

    #[test]
    fn masked_id_shows_only_last_two() {
        let id = SubjectId::new("001203004567");
        assert_eq!(id.masked(), "**********67");
        assert_eq!(format!("{id:?}"), "SubjectId(**********67)");
        assert!(!format!("{id}").contains("0012030045"));
    }

    #[test]
    fn text_is_nfc_normalized_and_checked() {
        let mut decomposed = "Nguye\u{302}\u{303}n".to_string();
        check_text(&mut decomposed, "subject.name", 100).unwrap();
        assert_eq!(decomposed, "Nguyễn");
        for (bad, why) in [
            ("", "empty"),
            (" G06", "white space"),
            ("G\u{7}06", "control"),
            ("G\n06", "control"),
        ] {
            let err = check_text(&mut bad.to_string(), "issuer.agency_code", 64).unwrap_err();
            assert!(err.reason.contains(why), "{bad:?}: {err}");
        }
        let err = check_text(&mut "x".repeat(65), "dossier_code", 64).unwrap_err();
        assert!(err.reason.contains("limit is 64"));
    }

    #[test]
    fn media_types() {
        for good in [
            "application/pdf",
            "application/json",
            "text/xml; charset=utf-8",
            "application/vnd.etsi.asic-e+zip",
        ] {
            assert!(check_media_type(good).is_ok(), "{good}");
        }
        for bad in ["", "pdf", "application/", "/pdf", "application/p df", "text/xml\n"] {
            assert!(check_media_type(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn result_id_parses_ulids_only() {
        let id = ResultId::new_at(OffsetDateTime::now_utc());
        assert_eq!(id.as_str().len(), 26);
        assert_eq!(id.as_str().parse::<ResultId>().unwrap(), id);
        assert!("not-a-ulid".parse::<ResultId>().is_err());
    }
}
