//! The verdict vocabulary of ETSI EN 319 102-1 (§5.1.3): an indication and, unless
//! PASSED, a sub-indication, serialized with exactly the standard's upper-case spellings.

use serde::{Deserialize, Serialize};

/// The main outcome of a validation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Indication {
    /// Every check passed.
    Passed,
    /// A check failed: the signature is not valid.
    Failed,
    /// The checks could not conclude (missing chain, revocation data, proof of existence…).
    Indeterminate,
}

impl Indication {
    /// The standard's upper-case spelling, e.g. `"PASSED"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Indication::Passed => "PASSED",
            Indication::Failed => "FAILED",
            Indication::Indeterminate => "INDETERMINATE",
        }
    }
}

/// Why a validation did not pass (ETSI EN 319 102-1 §5.1.3, tables 5 and 6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[non_exhaustive]
pub enum SubIndication {
    /// FAILED: the signed data's digest does not match the signed messageDigest.
    HashFailure,
    /// FAILED: the signature value does not verify under the signer's public key.
    SigCryptoFailure,
    /// FAILED: the signer's certificate was revoked at or before the claimed signing time.
    Revoked,
    /// FAILED or INDETERMINATE: the signature does not meet the format's requirements.
    FormatFailure,
    /// INDETERMINATE: an algorithm or key size is not acceptable under the policy.
    CryptoConstraintsFailure,
    /// INDETERMINATE: revoked, and no proof the signature existed before the revocation.
    RevokedNoPoe,
    /// INDETERMINATE: revoked or expired CA, and no proof of existence before that.
    RevokedCaNoPoe,
    /// INDETERMINATE: the validation time is outside the certificate's validity, with no
    /// proof of existence inside it.
    OutOfBoundsNoPoe,
    /// INDETERMINATE: no chain from the signer to a trust anchor.
    NoCertificateChainFound,
    /// INDETERMINATE: the signer's certificate could not be identified.
    NoSigningCertificateFound,
    /// INDETERMINATE: revocation data is missing or not fresh enough; try later.
    TryLater,
    /// INDETERMINATE: the signed data (the document or its digest) is not available.
    SignedDataNotFound,
    /// INDETERMINATE: the certificate chain does not meet the validation constraints.
    ChainConstraintsFailure,
    /// INDETERMINATE: the signer's certificate does not meet the validation constraints.
    SigConstraintsFailure,
    /// INDETERMINATE: a certificate of the chain expired before the revocation data.
    RevocationOutOfBounds,
    /// INDETERMINATE: no proof that the signed object existed before the time that counts
    /// (e.g. the vault accepted the signature only after the validation time asked for).
    NoPoe,
    /// FAILED: the signer's certificate was not yet valid at the time the signature is
    /// proven to have existed (a timestamp older than the certificate).
    NotYetValid,
    /// INDETERMINATE: timestamps contradict each other's order (a timestamp over data
    /// that holds a later one).
    TimestampOrderFailure,
    /// INDETERMINATE: the cause cannot be described by another sub-indication.
    GenericError,
}

impl SubIndication {
    /// The standard's spelling, e.g. `HASH_FAILURE`.
    pub fn as_str(self) -> &'static str {
        match self {
            SubIndication::HashFailure => "HASH_FAILURE",
            SubIndication::SigCryptoFailure => "SIG_CRYPTO_FAILURE",
            SubIndication::Revoked => "REVOKED",
            SubIndication::FormatFailure => "FORMAT_FAILURE",
            SubIndication::CryptoConstraintsFailure => "CRYPTO_CONSTRAINTS_FAILURE",
            SubIndication::RevokedNoPoe => "REVOKED_NO_POE",
            SubIndication::RevokedCaNoPoe => "REVOKED_CA_NO_POE",
            SubIndication::OutOfBoundsNoPoe => "OUT_OF_BOUNDS_NO_POE",
            SubIndication::NoCertificateChainFound => "NO_CERTIFICATE_CHAIN_FOUND",
            SubIndication::NoSigningCertificateFound => "NO_SIGNING_CERTIFICATE_FOUND",
            SubIndication::TryLater => "TRY_LATER",
            SubIndication::SignedDataNotFound => "SIGNED_DATA_NOT_FOUND",
            SubIndication::ChainConstraintsFailure => "CHAIN_CONSTRAINTS_FAILURE",
            SubIndication::SigConstraintsFailure => "SIG_CONSTRAINTS_FAILURE",
            SubIndication::RevocationOutOfBounds => "REVOCATION_OUT_OF_BOUNDS",
            SubIndication::NoPoe => "NO_POE",
            SubIndication::NotYetValid => "NOT_YET_VALID",
            SubIndication::TimestampOrderFailure => "TIMESTAMP_ORDER_FAILURE",
            SubIndication::GenericError => "GENERIC_ERROR",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spellings_are_etsis() {
        assert_eq!(
            serde_json::to_string(&Indication::Indeterminate).unwrap(),
            "\"INDETERMINATE\""
        );
        for s in [
            SubIndication::HashFailure,
            SubIndication::SigCryptoFailure,
            SubIndication::CryptoConstraintsFailure,
            SubIndication::OutOfBoundsNoPoe,
            SubIndication::NoCertificateChainFound,
            SubIndication::RevokedNoPoe,
            SubIndication::SignedDataNotFound,
        ] {
            assert_eq!(serde_json::to_string(&s).unwrap(), format!("\"{}\"", s.as_str()));
        }
    }
}
