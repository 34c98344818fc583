//! A signer with its key in memory, through `ring`: for tests and demos only. Real
//! officers' keys stay in a provider's HSM; see [`super::Signer`].

use ring::rand::SystemRandom;
use ring::signature::{self as sig, EcdsaKeyPair, Ed25519KeyPair, KeyPair, RsaKeyPair};

use super::{KeyKind, RawAlgorithm, SignatureReply, Signer, SigningError, SigningSession};
use crate::verify::crypto::DigestAlgorithm;

enum Key {
    Rsa(RsaKeyPair),
    /// ring fixes the digest per key object: keep the PKCS#8 and make one per use.
    Ecdsa(Vec<u8>, KeyKind),
    Ed25519(Ed25519KeyPair),
}

/// Signs with a PKCS#8 private key held in memory (RSA, ECDSA P-256/P-384, Ed25519).
/// **For tests and demos only**: a real officer's key never leaves the provider's HSM.
pub struct LocalSigner {
    key: Key,
    chain: Vec<Vec<u8>>,
    rng: SystemRandom,
}

impl std::fmt::Debug for LocalSigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LocalSigner").finish_non_exhaustive()
    }
}

impl LocalSigner {
    /// A signer for the DER PKCS#8 key `pkcs8` (as `openssl pkcs8 -topk8 -nocrypt
    /// -outform DER` writes it) and its certificate chain, signer first (DER). The key
    /// must be the signer certificate's.
    pub fn from_pkcs8(pkcs8: &[u8], chain: Vec<Vec<u8>>) -> Result<LocalSigner, SigningError> {
        let leaf = chain
            .first()
            .ok_or_else(|| SigningError::BadCertificateChain("no signer certificate".into()))?;
        let kind = KeyKind::of_certificate(leaf)?;
        let rng = SystemRandom::new();
        let bad = |e: &dyn std::fmt::Display| SigningError::Signer(format!("the PKCS#8 key: {e}"));
        let (key, public) = match kind {
            KeyKind::Rsa { .. } => {
                let pair = RsaKeyPair::from_pkcs8(pkcs8).map_err(|e| bad(&e))?;
                let public = pair.public_key().as_ref().to_vec();
                (Key::Rsa(pair), public)
            }
            KeyKind::EcdsaP256 | KeyKind::EcdsaP384 => {
                let algorithm = ecdsa_algorithm(kind, DigestAlgorithm::Sha256)
                    .or_else(|_| ecdsa_algorithm(kind, DigestAlgorithm::Sha384))?;
                let pair = EcdsaKeyPair::from_pkcs8(algorithm, pkcs8, &rng).map_err(|e| bad(&e))?;
                (Key::Ecdsa(pkcs8.to_vec(), kind), pair.public_key().as_ref().to_vec())
            }
            KeyKind::Ed25519 => {
                let pair = Ed25519KeyPair::from_pkcs8_maybe_unchecked(pkcs8).map_err(|e| bad(&e))?;
                let public = pair.public_key().as_ref().to_vec();
                (Key::Ed25519(pair), public)
            }
        };
        if !certificate_key_is(leaf, &public) {
            return Err(SigningError::BadCertificateChain(
                "the private key is not the signer certificate's".into(),
            ));
        }
        Ok(LocalSigner { key, chain, rng })
    }
}

fn certificate_key_is(cert: &[u8], public: &[u8]) -> bool {
    use x509_parser::prelude::{FromDer, X509Certificate};
    X509Certificate::from_der(cert).is_ok_and(|(_, c)| c.public_key().subject_public_key.data.as_ref() == public)
}

fn ecdsa_algorithm(
    kind: KeyKind,
    digest: DigestAlgorithm,
) -> Result<&'static sig::EcdsaSigningAlgorithm, SigningError> {
    match (kind, digest) {
        (KeyKind::EcdsaP256, DigestAlgorithm::Sha256) => Ok(&sig::ECDSA_P256_SHA256_ASN1_SIGNING),
        (KeyKind::EcdsaP384, DigestAlgorithm::Sha384) => Ok(&sig::ECDSA_P384_SHA384_ASN1_SIGNING),
        _ => Err(SigningError::BadRequest(format!(
            "this signer signs ECDSA P-256 with SHA-256 and P-384 with SHA-384, not {}",
            digest.name()
        ))),
    }
}

impl Signer for LocalSigner {
    fn certificate_chain(&self) -> Result<Vec<Vec<u8>>, SigningError> {
        Ok(self.chain.clone())
    }

    fn sign(&self, session: &SigningSession) -> Result<SignatureReply, SigningError> {
        let message = &session.signed_attributes;
        let failed = |e: ring::error::Unspecified| SigningError::Signer(format!("signing failed: {e}"));
        let (algorithm, value) = match &self.key {
            Key::Rsa(pair) => {
                let padding: &'static dyn sig::RsaEncoding = match session.digest_algorithm {
                    DigestAlgorithm::Sha256 => &sig::RSA_PKCS1_SHA256,
                    DigestAlgorithm::Sha384 => &sig::RSA_PKCS1_SHA384,
                    DigestAlgorithm::Sha512 => &sig::RSA_PKCS1_SHA512,
                    DigestAlgorithm::Sha1 => return Err(SigningError::BadRequest("SHA-1".into())),
                };
                let mut value = vec![0; pair.public().modulus_len()];
                pair.sign(padding, &self.rng, message, &mut value).map_err(failed)?;
                (RawAlgorithm::RsaPkcs1, value)
            }
            Key::Ecdsa(pkcs8, kind) => {
                let algorithm = ecdsa_algorithm(*kind, session.digest_algorithm)?;
                let pair = EcdsaKeyPair::from_pkcs8(algorithm, pkcs8, &self.rng)
                    .map_err(|e| SigningError::Signer(format!("the PKCS#8 key: {e}")))?;
                let value = pair.sign(&self.rng, message).map_err(failed)?;
                (RawAlgorithm::Ecdsa, value.as_ref().to_vec())
            }
            Key::Ed25519(pair) => (RawAlgorithm::Ed25519, pair.sign(message).as_ref().to_vec()),
        };
        Ok(SignatureReply::Raw { algorithm, value })
    }
}
