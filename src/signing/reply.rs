//! What a signer's reply makes: the CMS to verify and keep. Shared by the vault's envelope
//! signatures ([`crate::Vault::complete_signing`]) and the signatures put inside PDFs
//! ([`crate::pdf::sign`]): a raw value is assembled with the session's signed attributes
//! into a detached CMS ([`super::cades::assemble`]); a provider's whole CMS is taken as it
//! came, if it has one SignerInfo by the session's certificate.

use super::{cades, KeyKind, RawAlgorithm, SignatureReply, SigningError, SigningSession};
use crate::verify::cms;

/// The CMS that `reply` to `session` may be, to be verified in order until one holds. A
/// raw ECDSA value may be DER or `r || s`: every reading of the bytes is a candidate.
pub(crate) fn candidates(session: &SigningSession, reply: &SignatureReply) -> Result<Vec<Vec<u8>>, SigningError> {
    match reply {
        SignatureReply::Raw { algorithm, value } => raw_candidates(session, *algorithm, value),
        SignatureReply::Cms { cms } => {
            check_provider_cms(session, cms)?;
            Ok(vec![cms.clone()])
        }
    }
}

/// The CMS a raw reply makes. ECDSA values may be DER or raw `r || s`: every reading of
/// the bytes is tried, and verification picks the one that holds.
fn raw_candidates(
    session: &SigningSession,
    algorithm: RawAlgorithm,
    value: &[u8],
) -> Result<Vec<Vec<u8>>, SigningError> {
    if !cades::fits(algorithm, session.key) {
        return Err(SigningError::AlgorithmMismatch(format!(
            "{algorithm} for a {:?} key",
            session.key
        )));
    }
    if value.is_empty() || value.len() > 2048 {
        return Err(SigningError::MalformedReply(format!(
            "a signature value of {} bytes",
            value.len()
        )));
    }
    let mut values = Vec::new();
    if algorithm == RawAlgorithm::Ecdsa {
        let field = if session.key == KeyKind::EcdsaP256 { 32 } else { 48 };
        if cades::is_der_ecdsa(value) {
            values.push(value.to_vec());
        }
        if let Some(der) = cades::ecdsa_raw_to_der(value, field) {
            values.push(der);
        }
        if values.is_empty() {
            return Err(SigningError::MalformedReply(format!(
                "an ECDSA value of {} bytes is neither DER nor r||s of {} bytes",
                value.len(),
                2 * field
            )));
        }
    } else {
        values.push(value.to_vec());
    }
    values
        .iter()
        .map(|v| {
            cades::assemble(
                &session.signed_attributes,
                session.digest_algorithm,
                algorithm,
                v,
                &session.certificate_chain,
            )
        })
        .collect()
}

/// A provider's CMS: one SignerInfo, signed by the session's certificate.
fn check_provider_cms(session: &SigningSession, cms: &[u8]) -> Result<(), SigningError> {
    let checked = cms::check_detached(cms, &[]).map_err(|e| SigningError::MalformedReply(e.to_string()))?;
    let [signer] = checked.signers.as_slice() else {
        return Err(SigningError::MalformedReply(format!(
            "{} SignerInfos where one was expected",
            checked.signers.len()
        )));
    };
    match &signer.certificate {
        Some(cert) if *cert == session.certificate_chain[0] => Ok(()),
        Some(_) => Err(SigningError::SignerMismatch),
        None => Err(SigningError::MalformedReply(
            "the CMS does not carry the signer's certificate".into(),
        )),
    }
}
