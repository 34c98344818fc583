//! The verification report: what `rvault verify --report out.pdf` hands to the citizen.
//!
//! One A4 page (two when a document has several signatures) per document checked, in
//! Vietnamese or English, saying what Circular 15/2025/TT-BKHCN asks a verification to
//! show: the verdict in words, the document (type, number, procedure, agency, subject with
//! the personal ID masked), its SHA-256, each signature (signer, issuing CA, serial, signing
//! time, validity at signing time, revocation check and its source), the record's legal
//! status, the time of the check, the verifier's version, and a QR code carrying the
//! SHA-256 and the record id for re-verification.
//!
//! The text is drawn with an embedded subset of DejaVu Sans, so every diacritic prints and
//! copies out as written. The report is reproducible: it reads no clock (the time of the
//! check is given) and no random source, so the same inputs give the same bytes.
//!
//! The same layout and font also draw [`document`]: a simple administrative document (the
//! national heading, the agency, a title, labelled lines), the quick start's sample results.
//!
//! ```no_run
//! use results_vault::pdf::report::{DocumentCheck, Report};
//! use results_vault::verify::wording::Lang;
//! use results_vault::{Indication, Sha256};
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let sha256 = Sha256::of(b"%PDF-1.7 ...");
//! let check = DocumentCheck {
//!     input: "trich-luc.pdf".into(),
//!     sha256: Some(sha256),
//!     record: None,
//!     indication: Indication::Indeterminate,
//!     sub_indication: Some(results_vault::SubIndication::SignedDataNotFound),
//!     integrity: None,
//!     status: None,
//!     signatures: Vec::new(),
//!     pdf_signatures: Vec::new(),
//! };
//! let report = Report {
//!     lang: Lang::Vi,
//!     checked_at: time::OffsetDateTime::now_utc(),
//!     vault: None,
//!     documents: vec![check],
//! };
//! std::fs::write("report.pdf", report.render()?)?;
//! # Ok(()) }
//! ```

mod document;
mod font;
mod layout;
mod sections;
mod write;

pub use document::document;

use time::OffsetDateTime;

use crate::record::{Record, StatusKind};
use crate::verify::signature::SignatureVerdict;
use crate::verify::verdict::{Indication, SubIndication};
use crate::verify::wording::Lang;
use crate::{ResultId, Sha256};

/// The verdict on one document, as the report shows it.
#[derive(Debug, Clone)]
pub struct DocumentCheck {
    /// What the officer gave: a file name, a record id or a hash.
    pub input: String,
    /// The document's SHA-256, when known.
    pub sha256: Option<Sha256>,
    /// The vault's record of it, when there is one.
    pub record: Option<Record>,
    /// The overall indication (the worst of the signatures', or of the integrity check).
    pub indication: Indication,
    /// Why, unless PASSED.
    pub sub_indication: Option<SubIndication>,
    /// The stored content still hashes to its SHA-256 (`None`: not stored).
    pub integrity: Option<bool>,
    /// The record's legal status at the time of the check, when known.
    pub status: Option<StatusKind>,
    /// Every signature's verdict.
    pub signatures: Vec<SignatureVerdict>,
    /// For a signed PDF, its embedded signatures' PDF facts (what each covers, what changed
    /// after it): they are the first `pdf_signatures.len()` of `signatures`.
    pub pdf_signatures: Vec<crate::pdf::PdfSignature>,
}

impl DocumentCheck {
    /// The record id, when the document is in a vault.
    pub fn result_id(&self) -> Option<&ResultId> {
        self.record.as_ref().map(|r| &r.result_id)
    }

    /// What the QR code carries (see [`reverify_uri`]).
    pub fn reverify_uri(&self) -> Option<String> {
        Some(reverify_uri(self.sha256.as_ref()?, self.result_id()))
    }
}

/// What a report's QR code carries: `rvault:sha256=<hex>;id=<result id>` (the id only
/// when known), enough for `rvault verify` to find the document again.
pub fn reverify_uri(sha256: &Sha256, id: Option<&ResultId>) -> String {
    let id = id.map(|id| format!(";id={id}")).unwrap_or_default();
    format!("rvault:sha256={sha256}{id}")
}

/// Reads a [`reverify_uri`] back: the SHA-256 and, when present, the record id. `None` if
/// `text` is not such a URI or a part is malformed.
pub fn parse_reverify_uri(text: &str) -> Option<(Sha256, Option<ResultId>)> {
    let rest = text.trim().strip_prefix("rvault:")?;
    let (mut sha256, mut id) = (None, None);
    for part in rest.split(';') {
        match part.split_once('=')? {
            ("sha256", hex) if sha256.is_none() => sha256 = Some(hex.parse().ok()?),
            ("id", value) if id.is_none() => id = Some(value.parse().ok()?),
            _ => return None,
        }
    }
    Some((sha256?, id))
}

/// A verification report over one or more documents.
#[derive(Debug, Clone)]
pub struct Report {
    /// The language it is written in.
    pub lang: Lang,
    /// The time of the check (the validation time); also the PDF's creation date.
    pub checked_at: OffsetDateTime,
    /// The vault consulted, as the officer should see it named (`None`: no vault).
    pub vault: Option<String>,
    /// One entry per document; each starts on a new page.
    pub documents: Vec<DocumentCheck>,
}

/// Why a report could not be written.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// A report needs at least one document.
    #[error("a report needs at least one verified document")]
    Empty,
    /// The embedded font could not be read or subset (a build problem, not an input one).
    #[error("the report's embedded font could not be used: {0}")]
    Font(String),
}

impl Report {
    /// The PDF file's bytes.
    pub fn render(&self) -> Result<Vec<u8>, ReportError> {
        if self.documents.is_empty() {
            return Err(ReportError::Empty);
        }
        let regular = font::Metrics::load(font::Face::Regular)?;
        let bold = font::Metrics::load(font::Face::Bold)?;
        let mut layout = layout::Layout::new(regular, bold);
        for (i, document) in self.documents.iter().enumerate() {
            if i > 0 {
                layout.page_break();
            }
            sections::document(&mut layout, self, document);
        }
        sections::footers(&mut layout, self);
        let (regular, bold, pages) = layout.into_parts();
        let info = write::DocumentInfo {
            title: sections::title(self.lang).to_owned(),
            subject: self
                .documents
                .iter()
                .map(|d| crate::redact::mask_personal_ids(&d.input))
                .collect::<Vec<_>>()
                .join(", "),
            lang: match self.lang {
                Lang::Vi => "vi",
                Lang::En => "en",
            },
            created: self.checked_at,
            producer: verifier(),
        };
        write::write(&pages, &regular, &bold, &info)
    }
}

/// `results-vault <version>`, as verdicts name their verifier.
pub fn verifier() -> String {
    format!("results-vault {}", env!("CARGO_PKG_VERSION"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_qr_uri_reads_back_and_refuses_anything_else() {
        let sha = Sha256::of(b"content");
        let id: ResultId = "01M84FB62SQ4FRB34S05VAF5NS".parse().unwrap();
        assert_eq!(
            parse_reverify_uri(&reverify_uri(&sha, Some(&id))),
            Some((sha, Some(id)))
        );
        assert_eq!(parse_reverify_uri(&reverify_uri(&sha, None)), Some((sha, None)));
        let hex = sha.to_string();
        for bad in [
            String::new(),
            "rvault:".into(),
            format!("sha256={hex}"),
            format!("rvault:sha256={}", &hex[..63]),
            format!("rvault:sha256={hex};sha256={hex}"),
            format!("rvault:sha256={hex};id=nope"),
            format!("rvault:sha256={hex};who=me"),
            "rvault:id=01M84FB62SQ4FRB34S05VAF5NS".into(),
        ] {
            assert_eq!(parse_reverify_uri(&bad), None, "{bad}");
        }
    }

    #[test]
    fn an_empty_report_is_refused() {
        let report = Report {
            lang: Lang::Vi,
            checked_at: OffsetDateTime::UNIX_EPOCH,
            vault: None,
            documents: Vec::new(),
        };
        assert!(matches!(report.render(), Err(ReportError::Empty)));
    }
}
