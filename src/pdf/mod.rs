//! PDF: verifying the signatures of signed PDFs as officers receive them (PAdES), signing
//! a PDF inside as an agency issues it ([`sign`]), and the verification report the CLI
//! prints (feature `report`).
//!
//! The PDF syntax is read by a small parser of our own (`lexer`, `object`, `filters`,
//! `xref`, `revision`): signature checks need what general PDF libraries hide or repair
//! away — every revision's xref on its own, byte positions of tokens, and refusal rather
//! than reconstruction of a broken file — with bounds on everything (`limits`).

mod archive;
mod changes;
mod coverage;
mod dss;
mod filters;
mod lexer;
mod limits;
mod object;
mod pades;
mod revision;
mod roles;
pub mod sign;
mod signature;
mod xref;

pub(crate) use dss::carried_certificates;
pub use pades::{is_pdf, verify_pdf, verify_pdf_with, ChangePolicy, PdfSignature, PdfVerdict};

#[cfg(feature = "report")]
pub mod report;

/// Why a PDF could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PdfError {
    /// The file breaks the PDF syntax at byte `at`.
    #[error("malformed PDF at byte {at}: {what}")]
    Malformed {
        /// The byte offset (0 when not known).
        at: usize,
        /// What is wrong.
        what: String,
    },
    /// A bound was hit (nesting, sizes, object counts, inflated bytes, work).
    #[error("the PDF is too complex to verify: {0}")]
    TooComplex(&'static str),
    /// A PDF feature the verifier does not handle (e.g. encryption, an unusual filter).
    #[error("unsupported PDF feature: {0}")]
    Unsupported(String),
}
