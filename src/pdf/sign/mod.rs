//! Signing a PDF inside, as agencies issue their results: PAdES baseline B-B
//! (ETSI EN 319 142-1), one approval signature per call, added as an incremental update so
//! that the bytes already there, and the signatures over them, stay as they were.
//!
//! The update holds a signature dictionary (`/SubFilter /ETSI.CAdES.detached`, `/M` the
//! claimed signing time, `/ByteRange` over the whole file but `/Contents`), an invisible
//! signature field merged with its widget (`/Rect [0 0 0 0]`, printed and locked) on the
//! first page, listed in the form's `/Fields` with `/SigFlags 3`, and an xref section in
//! the original's style chained to it by `/Prev`. The CMS in `/Contents` is the one the
//! vault's own signatures use (`signing::cades`): a detached SignedData over the ByteRange
//! bytes, signed attributes contentType, messageDigest and signingCertificateV2 — and no
//! signingTime, which PAdES baseline forbids (the time is `/M`).
//!
//! The key is the [`Signer`]'s: a [`crate::LocalSigner`] for demos and tests, a remote
//! provider in production, given a [`SigningSession`] as [`crate::Vault::sign_with`] gives
//! one. A PDF has no record yet, so the session's `result_id` is a fresh id naming this
//! signing only, its `envelope_digest` is the digest of the ByteRange bytes (what a
//! provider answering a whole CMS signs), and its `signing_time` is `/M`.
//!
//! ```no_run
//! use results_vault::pdf::sign::sign_pdf;
//! use results_vault::LocalSigner;
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let now = results_vault::record::EARLIEST_INSTANT;
//! let officer = LocalSigner::from_pkcs8(&std::fs::read("officer.p8")?, vec![std::fs::read("officer.der")?])?;
//! let unsigned = std::fs::read("trich-luc.pdf")?;
//! // `now`: the portal's clock (time::OffsetDateTime::now_utc()), written as the PDF's /M.
//! let signed = sign_pdf(&unsigned, &officer, "Signature1", now)?;
//! std::fs::write("trich-luc-signed.pdf", signed)?;
//! # Ok(()) }
//! ```

mod syntax;
mod update;

use time::OffsetDateTime;

use super::PdfError;
use crate::record::ResultId;
use crate::signing::{self, cades, KeyKind, SessionState, Signer, SigningError, SigningSession};
use crate::verify::cms::{self, EssBinding, SignerOutcome};
use crate::verify::crypto::DigestAlgorithm;

/// How long a remote signer may take to approve, from `at`.
pub const APPROVAL_WINDOW: time::Duration = time::Duration::minutes(10);

/// Room in `/Contents` beyond the certificates, the signed attributes and a signature value
/// of the largest size accepted (2,048 bytes): the CMS structure, and what a provider's
/// own CMS may add (more certificates, revocation data).
const EXTRA_ROOM: usize = 8 << 10;

/// Why a PDF was not signed. Nothing is returned but the error: the input is unchanged.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PdfSignError {
    /// The file cannot be read as a PDF (syntax, bounds).
    #[error("the PDF cannot be read: {0}")]
    Unreadable(#[from] PdfError),
    /// The file is encrypted: it is not decrypted here.
    #[error("the PDF is encrypted: sign it before it is encrypted, or decrypt it first")]
    Encrypted,
    /// The file reads, but a signature added to it would not verify as it should (bytes
    /// after `%%EOF`, an ambiguous structure, no page…).
    #[error("the PDF cannot be signed as it is: {0}")]
    Unsupported(String),
    /// The field name cannot be used.
    #[error("signature field name {}: {reason}", crate::redact::shown_argument(name))]
    FieldName {
        /// The name given.
        name: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// A top-level form field already has this name.
    #[error("the PDF already has a form field named {}: choose another name", crate::redact::shown_argument(.0))]
    FieldExists(String),
    /// The signer, its chain or its answer was refused.
    #[error(transparent)]
    Signing(#[from] SigningError),
    /// The signer's answer does not verify over the PDF's signed bytes, or is not PAdES
    /// baseline (a signingTime attribute, no ESS signing-certificate attribute).
    #[error("the signer's answer cannot be embedded: {0}")]
    BadSignature(String),
    /// The CMS is larger than the room reserved for it in `/Contents`.
    #[error("the signature is {size} bytes, more than the {room} bytes reserved for it")]
    TooLarge {
        /// The CMS's size.
        size: usize,
        /// The room in `/Contents`.
        room: usize,
    },
}

/// Signs `pdf` inside with `signer`'s key, in a new invisible signature field
/// `field_name` on the first page, claiming signing time `at` (`/M`; in production, now).
/// Returns the signed file: `pdf` followed by one incremental update.
///
/// The digest follows the key: SHA-256 for RSA and ECDSA P-256, SHA-384 for P-384,
/// SHA-512 for Ed25519. The answer is checked before it is embedded: one SignerInfo by the
/// chain's first certificate, intact over the signed bytes, with an ESS
/// signing-certificate attribute and no signingTime. Trust (chain, revocation) is the
/// verifier's business: [`crate::pdf::verify_pdf`] on the result.
///
/// Refused: an encrypted or unreadable PDF, one whose structure the verifier would call
/// ambiguous (then no signature added to it could pass), a field name that is empty, has
/// a period (it separates the parts of a qualified name) or a control character, or that
/// a top-level field already has; and every error of the signer.
pub fn sign_pdf(
    pdf: &[u8],
    signer: &dyn Signer,
    field_name: &str,
    at: OffsetDateTime,
) -> Result<Vec<u8>, PdfSignError> {
    check_field_name(field_name)?;
    let chain = signer.certificate_chain()?;
    let leaf = chain
        .first()
        .ok_or_else(|| SigningError::BadCertificateChain("no signer certificate".into()))?
        .clone();
    let key = KeyKind::of_certificate(&leaf)?;
    let digest = digest_for(key);
    signing::check_digest(key, digest)?;

    // Room for the CMS: its certificates, its attributes (their size does not depend on
    // the digest's value), a signature value and the structure around them.
    let attributes = cades::signed_attributes(&digest.digest(b""), None, &leaf)?.len();
    let room = chain.iter().map(Vec::len).sum::<usize>() + attributes + 2048 + EXTRA_ROOM;
    let placeholder = update::prepare(pdf, &update::Request { field_name, at, room })?;

    let parts = placeholder.signed_parts();
    let message_digest = digest.digest_parts(&parts);
    let signed_attributes = cades::signed_attributes(&message_digest, None, &leaf)?;
    let session = SigningSession {
        session_id: ulid::Ulid::from_datetime(at.into()).to_string(),
        result_id: ResultId::new_at(at),
        digest_algorithm: digest,
        key,
        certificate_chain: chain,
        envelope_digest: message_digest,
        signed_attributes_digest: digest.digest(&signed_attributes),
        signed_attributes,
        signing_time: at,
        created_at: at,
        expires_at: at.checked_add(APPROVAL_WINDOW).unwrap_or(at),
        state: SessionState::Open,
    };
    let reply = signer.sign(&session)?;
    let candidates = signing::reply::candidates(&session, &reply)?;
    let cms = first_intact(&candidates, &parts, &leaf)?;
    placeholder.fill(&cms)
}

/// The digest a new signature by a key of `key` uses.
fn digest_for(key: KeyKind) -> DigestAlgorithm {
    match key {
        KeyKind::Ed25519 => DigestAlgorithm::Sha512,
        KeyKind::EcdsaP384 => DigestAlgorithm::Sha384,
        KeyKind::Rsa { .. } | KeyKind::EcdsaP256 => DigestAlgorithm::Sha256,
    }
}

fn check_field_name(name: &str) -> Result<(), PdfSignError> {
    let bad = |reason| {
        Err(PdfSignError::FieldName {
            name: name.to_owned(),
            reason,
        })
    };
    if name.is_empty() {
        return bad("it is empty");
    }
    if name.contains('.') {
        return bad("it has a period, which separates the parts of a qualified field name");
    }
    if name.chars().any(char::is_control) {
        return bad("it has a control character");
    }
    if name.chars().count() > 128 {
        return bad("it is longer than 128 characters");
    }
    Ok(())
}

/// The first candidate CMS that is one SignerInfo by `leaf`, intact over `parts`, and
/// PAdES baseline.
fn first_intact(candidates: &[Vec<u8>], parts: &[&[u8]; 2], leaf: &[u8]) -> Result<Vec<u8>, PdfSignError> {
    let mut first_problem = None;
    for candidate in candidates {
        let problem = match cms::check_detached_parts(candidate, parts, false) {
            Err(e) => e.to_string(),
            Ok(check) => match check.signers.as_slice() {
                [one] if one.certificate.as_deref() != Some(leaf) => {
                    "it is not signed by the signer's certificate".to_owned()
                }
                [one] if one.outcome != SignerOutcome::Intact => {
                    format!("it does not verify over the signed bytes ({:?})", one.outcome)
                }
                [one] if one.claimed_signing_time.is_some() => {
                    "it has a signingTime attribute, which PAdES baseline forbids (the time is /M)".to_owned()
                }
                [one] if one.signing_certificate_attribute != EssBinding::Matches => {
                    "it has no ESS signing-certificate attribute, which PAdES baseline requires".to_owned()
                }
                [_] => return Ok(candidate.clone()),
                more => format!("{} SignerInfos where one was expected", more.len()),
            },
        };
        first_problem.get_or_insert(problem);
    }
    Err(PdfSignError::BadSignature(
        first_problem.unwrap_or_else(|| "the signer gave nothing".into()),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_names_are_checked() {
        for bad in ["", "a.b", "tab\there", &"x".repeat(129)] {
            assert!(
                matches!(check_field_name(bad), Err(PdfSignError::FieldName { .. })),
                "{bad:?}"
            );
        }
        for good in ["Signature1", "Chữ ký cán bộ", "sig-2"] {
            assert!(check_field_name(good).is_ok(), "{good:?}");
        }
    }
}
