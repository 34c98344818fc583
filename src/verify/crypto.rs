//! Signature algorithms: which ones are accepted, and the cryptographic check itself,
//! through `ring`, and RustCrypto `rsa` for PSS salt lengths `ring` does not take.

use ring::signature as sig;
use x509_parser::prelude::{FromDer, X509Certificate};
use x509_parser::public_key::PublicKey;
use x509_parser::x509::{AlgorithmIdentifier, SubjectPublicKeyInfo};

/// A digest algorithm of a SignerInfo. In JSON: `"SHA-256"` and so on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum DigestAlgorithm {
    /// SHA-1: broken for signatures; refused unless a policy allows legacy results.
    #[serde(rename = "SHA-1")]
    Sha1,
    /// SHA-256.
    #[serde(rename = "SHA-256")]
    Sha256,
    /// SHA-384.
    #[serde(rename = "SHA-384")]
    Sha384,
    /// SHA-512.
    #[serde(rename = "SHA-512")]
    Sha512,
}

impl DigestAlgorithm {
    const OIDS: [(DigestAlgorithm, &'static str); 4] = [
        (DigestAlgorithm::Sha1, "1.3.14.3.2.26"),
        (DigestAlgorithm::Sha256, "2.16.840.1.101.3.4.2.1"),
        (DigestAlgorithm::Sha384, "2.16.840.1.101.3.4.2.2"),
        (DigestAlgorithm::Sha512, "2.16.840.1.101.3.4.2.3"),
    ];

    /// From a dotted OID.
    pub fn from_oid(oid: &str) -> Option<DigestAlgorithm> {
        Self::OIDS.iter().find(|(_, o)| *o == oid).map(|(d, _)| *d)
    }

    /// Its dotted OID (as remote signing APIs name it: `hashAlgorithmOID`, `hashAlgo`).
    pub fn oid(self) -> &'static str {
        Self::OIDS.iter().find(|(d, _)| *d == self).map_or("", |(_, o)| o)
    }

    pub(crate) fn ring(self) -> &'static ring::digest::Algorithm {
        match self {
            DigestAlgorithm::Sha1 => &ring::digest::SHA1_FOR_LEGACY_USE_ONLY,
            DigestAlgorithm::Sha256 => &ring::digest::SHA256,
            DigestAlgorithm::Sha384 => &ring::digest::SHA384,
            DigestAlgorithm::Sha512 => &ring::digest::SHA512,
        }
    }

    /// The digest of `data`.
    pub fn digest(self, data: &[u8]) -> Vec<u8> {
        ring::digest::digest(self.ring(), data).as_ref().to_vec()
    }

    /// The digest of the concatenation of `parts`, hashed one part after the other
    /// without concatenating them (a PDF's two `/ByteRange` pieces).
    /// Within a PDF's verification, a first part that is a prefix of the file continues
    /// from the hash state kept at an earlier signature's cut (see `verify/prefix_digest.rs`).
    pub fn digest_parts(self, parts: &[&[u8]]) -> Vec<u8> {
        super::prefix_digest::digest_parts(self, parts)
    }

    /// Its usual name.
    pub fn name(self) -> &'static str {
        match self {
            DigestAlgorithm::Sha1 => "SHA-1",
            DigestAlgorithm::Sha256 => "SHA-256",
            DigestAlgorithm::Sha384 => "SHA-384",
            DigestAlgorithm::Sha512 => "SHA-512",
        }
    }

    fn output_len(self) -> usize {
        self.ring().output_len()
    }
}

/// What the cryptographic check of one signature value found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CryptoOutcome {
    /// The signature verifies under the certificate's public key.
    Valid,
    /// It does not (SIG_CRYPTO_FAILURE).
    Invalid,
    /// The algorithm or key is not acceptable (CRYPTO_CONSTRAINTS_FAILURE).
    Constraints(String),
    /// The combination is not supported by this build (yet): never counted as valid.
    Unsupported(String),
}

/// The smallest RSA modulus accepted; and under a policy that admits legacy results.
const MIN_RSA_BITS: usize = 2048;
const MIN_LEGACY_RSA_BITS: usize = 1024;

/// The largest RSA modulus this engine will verify with. The National Root CA and the
/// Vietnamese signer CAs use 2048, 3072 and 4096 bits; a larger key costs at least four
/// times a 4096-bit one per verification (the cost grows with the square of the size)
/// and is the tool of a work-amplification attack (issue 17: RSA-8192 CAs that
/// cross-sign each other), not of an honest PKI.
pub const MAX_RSA_BITS: usize = 4096;

/// The largest RSA public exponent accepted (exclusive bound: `e < 2^32`). Honest keys
/// use 65537 (sometimes 3 or 17); verification costs about bitlen(e) + popcount(e)
/// modular multiplications, so ring's own ceiling of 2^33 − 1 makes a verification
/// about 3.5 times a 65537 one. The exponent must also be odd and at least 3.
pub const MAX_RSA_EXPONENT_BITS: usize = 32;

/// Whether `spki` is a key this engine is willing to compute with: an RSA key of at most
/// [`MAX_RSA_BITS`] bits with an odd public exponent 3 ≤ e < 2^32. Other key types are
/// bounded by their algorithm (fixed curves, Ed25519). Checked before any arithmetic.
pub fn key_within_bounds(spki: &SubjectPublicKeyInfo<'_>) -> Result<(), String> {
    let Ok(PublicKey::RSA(rsa)) = spki.parsed() else {
        return Ok(());
    };
    let bits = rsa.key_size();
    if bits > MAX_RSA_BITS {
        return Err(format!(
            "RSA key of {bits} bits: more than the {MAX_RSA_BITS} this engine verifies with"
        ));
    }
    let e = path_strip_zeros(rsa.exponent);
    let value = (e.len() <= 8).then(|| e.iter().fold(0u64, |a, &b| (a << 8) | u64::from(b)));
    match value {
        Some(e) if (3..1 << MAX_RSA_EXPONENT_BITS).contains(&e) && e % 2 == 1 => {}
        _ => {
            return Err(format!(
                "RSA public exponent {}: this engine takes an odd exponent from 3 to 2^{MAX_RSA_EXPONENT_BITS} - 1",
                value.map_or_else(|| "of more than 64 bits".to_string(), |e| e.to_string())
            ))
        }
    }
    Ok(())
}

/// The cost of one verification with `spki`, in RSA-2048 (e = 65537) verifications: the
/// unit of the work budget ([`super::budget`]). RSA grows with the square of the modulus
/// and with bitlen(e) + popcount(e); ECDSA and Ed25519 cost one unit.
pub fn verification_cost(spki: &SubjectPublicKeyInfo<'_>) -> u64 {
    let Ok(PublicKey::RSA(rsa)) = spki.parsed() else {
        return 1;
    };
    let size = (rsa.key_size() as u64).div_ceil(2048).max(1);
    let e = path_strip_zeros(rsa.exponent);
    let bit_len = e
        .first()
        .map_or(0, |b| (e.len() as u64 - 1) * 8 + u64::from(8 - b.leading_zeros()));
    let ops = bit_len + e.iter().map(|b| u64::from(b.count_ones())).sum::<u64>();
    size * size * ops.div_ceil(19).max(1)
}

fn path_strip_zeros(bytes: &[u8]) -> &[u8] {
    let n = bytes.iter().take_while(|&&b| b == 0).count();
    &bytes[n..]
}

/// Verifies `signature` over `message` with the public key of `certificate` (DER), under
/// the SignerInfo's `signature_algorithm` (DER AlgorithmIdentifier) and `digest`.
///
/// `legacy` admits SHA-1 and RSA keys of 1024 to 2047 bits, for results signed before
/// those were retired; otherwise they are CRYPTO_CONSTRAINTS_FAILURE.
pub fn verify(
    certificate: &[u8],
    signature_algorithm: &[u8],
    digest: DigestAlgorithm,
    message: &[u8],
    signature: &[u8],
    legacy: bool,
) -> CryptoOutcome {
    let Some((_, cert)) = parse_shallow(certificate) else {
        return CryptoOutcome::Unsupported("the signer's certificate cannot be parsed".into());
    };
    let Ok((_, algorithm)) = AlgorithmIdentifier::from_der(signature_algorithm) else {
        return CryptoOutcome::Unsupported("the signature algorithm identifier cannot be parsed".into());
    };
    // RFC 8419: in CMS, Ed25519 signers declare SHA-512 as their digest algorithm.
    if algorithm.algorithm.to_id_string() == "1.3.101.112" && digest != DigestAlgorithm::Sha512 {
        return CryptoOutcome::Constraints("Ed25519 signers must use SHA-512 (RFC 8419)".into());
    }
    verify_with_key(cert.public_key(), &algorithm, digest, message, signature, legacy)
}

/// Parses a certificate without looking inside its extensions (names, key, serial,
/// validity and the raw extensions only): what finding and using a key needs, at a
/// fraction of the cost. Returns the bytes after it too.
pub(super) fn parse_shallow(der: &[u8]) -> Option<(&[u8], X509Certificate<'_>)> {
    use x509_parser::nom::Parser;
    x509_parser::certificate::X509CertificateParser::new()
        .with_deep_parse_extensions(false)
        .parse(der)
        .ok()
}

/// Verifies the signature of a certificate or CRL (`tbs`, `algorithm`, `signature`) with
/// the issuer's public key: the digest is the one the algorithm names.
pub fn verify_issued(
    issuer_key: &SubjectPublicKeyInfo<'_>,
    algorithm: &AlgorithmIdentifier<'_>,
    tbs: &[u8],
    signature: &[u8],
    legacy: bool,
) -> CryptoOutcome {
    use x509_parser::signature_algorithm::SignatureAlgorithm;
    let digest = match algorithm.algorithm.to_id_string().as_str() {
        "1.2.840.113549.1.1.11" | "1.2.840.10045.4.3.2" => DigestAlgorithm::Sha256,
        "1.2.840.113549.1.1.12" | "1.2.840.10045.4.3.3" => DigestAlgorithm::Sha384,
        "1.2.840.113549.1.1.13" | "1.2.840.10045.4.3.4" | "1.3.101.112" => DigestAlgorithm::Sha512,
        "1.2.840.113549.1.1.5" | "1.2.840.10045.4.1" => DigestAlgorithm::Sha1,
        "1.2.840.113549.1.1.10" => match SignatureAlgorithm::try_from(algorithm) {
            Ok(SignatureAlgorithm::RSASSA_PSS(params)) => {
                match DigestAlgorithm::from_oid(&params.hash_algorithm_oid().to_id_string()) {
                    Some(d) => d,
                    None => return CryptoOutcome::Unsupported("RSASSA-PSS hash".into()),
                }
            }
            _ => return CryptoOutcome::Unsupported("RSASSA-PSS parameters cannot be parsed".into()),
        },
        other => return CryptoOutcome::Unsupported(format!("signature algorithm {other}")),
    };
    verify_with_key(issuer_key, algorithm, digest, tbs, signature, legacy)
}

/// `signature` over `message` with `spki`, under `algorithm` and `digest`. The
/// cryptographic verification comes before the algorithm constraints (ETSI EN 319 102-1
/// §5.2.7, §5.2.8): a value that does not verify is SIG_CRYPTO_FAILURE whatever its
/// algorithm; one that verifies under a retired algorithm is CRYPTO_CONSTRAINTS_FAILURE.
fn verify_with_key(
    spki: &SubjectPublicKeyInfo<'_>,
    algorithm: &AlgorithmIdentifier<'_>,
    digest: DigestAlgorithm,
    message: &[u8],
    signature: &[u8],
    legacy: bool,
) -> CryptoOutcome {
    // Keys too costly to try are refused before any arithmetic.
    if let Err(why) = key_within_bounds(spki) {
        return CryptoOutcome::Constraints(why);
    }
    match verify_under(spki, algorithm, digest, message, signature, legacy) {
        CryptoOutcome::Constraints(why) if !legacy => {
            match verify_under(spki, algorithm, digest, message, signature, true) {
                CryptoOutcome::Invalid => CryptoOutcome::Invalid,
                _ => CryptoOutcome::Constraints(why),
            }
        }
        outcome => outcome,
    }
}

/// The core: `signature` over `message`, with `legacy` deciding what is acceptable.
fn verify_under(
    spki: &SubjectPublicKeyInfo<'_>,
    algorithm: &AlgorithmIdentifier<'_>,
    digest: DigestAlgorithm,
    message: &[u8],
    signature: &[u8],
    legacy: bool,
) -> CryptoOutcome {
    if digest == DigestAlgorithm::Sha1 && !legacy {
        return CryptoOutcome::Constraints("SHA-1 is not accepted for signatures".into());
    }
    let key = match spki.parsed() {
        Ok(key) => key,
        Err(_) => return CryptoOutcome::Unsupported("the signer's public key cannot be parsed".into()),
    };
    let raw_key = spki.subject_public_key.data.as_ref();
    let oid = algorithm.algorithm.to_id_string();

    let verifier: &'static dyn sig::VerificationAlgorithm = match (&key, oid.as_str()) {
        (PublicKey::RSA(rsa), _) if rsa.key_size() < if legacy { MIN_LEGACY_RSA_BITS } else { MIN_RSA_BITS } => {
            return CryptoOutcome::Constraints(format!("RSA key of {} bits (at least {MIN_RSA_BITS})", rsa.key_size()));
        }
        // rsaEncryption as a signature algorithm, or sha*WithRSAEncryption matching the digest.
        (PublicKey::RSA(_), "1.2.840.113549.1.1.1")
        | (PublicKey::RSA(_), "1.2.840.113549.1.1.5")
        | (PublicKey::RSA(_), "1.2.840.113549.1.1.11")
        | (PublicKey::RSA(_), "1.2.840.113549.1.1.12")
        | (PublicKey::RSA(_), "1.2.840.113549.1.1.13") => {
            let named = match oid.as_str() {
                // sha1WithRSAEncryption: refused above unless legacy algorithms are admitted.
                "1.2.840.113549.1.1.5" => Some(DigestAlgorithm::Sha1),
                "1.2.840.113549.1.1.11" => Some(DigestAlgorithm::Sha256),
                "1.2.840.113549.1.1.12" => Some(DigestAlgorithm::Sha384),
                "1.2.840.113549.1.1.13" => Some(DigestAlgorithm::Sha512),
                _ => None,
            };
            if named.is_some_and(|d| d != digest) {
                return CryptoOutcome::Invalid;
            }
            match (digest, legacy) {
                (DigestAlgorithm::Sha256, false) => &sig::RSA_PKCS1_2048_8192_SHA256,
                (DigestAlgorithm::Sha384, _) => &sig::RSA_PKCS1_2048_8192_SHA384,
                (DigestAlgorithm::Sha512, false) => &sig::RSA_PKCS1_2048_8192_SHA512,
                // Legacy results: 1024-bit keys and SHA-1, as ring names them.
                (DigestAlgorithm::Sha256, true) => &sig::RSA_PKCS1_1024_8192_SHA256_FOR_LEGACY_USE_ONLY,
                (DigestAlgorithm::Sha512, true) => &sig::RSA_PKCS1_1024_8192_SHA512_FOR_LEGACY_USE_ONLY,
                (DigestAlgorithm::Sha1, _) => &sig::RSA_PKCS1_1024_8192_SHA1_FOR_LEGACY_USE_ONLY,
            }
        }
        (PublicKey::RSA(_), "1.2.840.113549.1.1.10") => match pss_verifier(algorithm, digest) {
            Ok(Pss::Ring(v)) => v,
            Ok(Pss::Salt(salt)) => return verify_pss_any_salt(raw_key, digest, salt, message, signature),
            Err(outcome) => return outcome,
        },
        (
            PublicKey::EC(_),
            "1.2.840.10045.4.3.2" | "1.2.840.10045.4.3.3" | "1.2.840.10045.4.3.4" | "1.2.840.10045.2.1",
        ) => {
            let curve = spki
                .algorithm
                .parameters
                .as_ref()
                .and_then(|p| p.as_oid().ok())
                .map(|o| o.to_id_string())
                .unwrap_or_default();
            let named = match oid.as_str() {
                "1.2.840.10045.4.3.2" => Some(DigestAlgorithm::Sha256),
                "1.2.840.10045.4.3.3" => Some(DigestAlgorithm::Sha384),
                "1.2.840.10045.4.3.4" => Some(DigestAlgorithm::Sha512),
                _ => None,
            };
            if named.is_some_and(|d| d != digest) {
                return CryptoOutcome::Invalid;
            }
            match (curve.as_str(), digest) {
                ("1.2.840.10045.3.1.7", DigestAlgorithm::Sha256) => &sig::ECDSA_P256_SHA256_ASN1,
                ("1.2.840.10045.3.1.7", DigestAlgorithm::Sha384) => &sig::ECDSA_P256_SHA384_ASN1,
                ("1.3.132.0.34", DigestAlgorithm::Sha256) => &sig::ECDSA_P384_SHA256_ASN1,
                ("1.3.132.0.34", DigestAlgorithm::Sha384) => &sig::ECDSA_P384_SHA384_ASN1,
                _ => return CryptoOutcome::Unsupported(format!("ECDSA on curve {curve} with {}", digest.name())),
            }
        }
        // Pure Ed25519 over the message itself.
        (PublicKey::Unknown(_), "1.3.101.112") if spki.algorithm.algorithm.to_id_string() == "1.3.101.112" => {
            &sig::ED25519
        }
        _ => {
            return CryptoOutcome::Unsupported(format!(
                "signature algorithm {oid} with a {} key",
                spki.algorithm.algorithm.to_id_string()
            ))
        }
    };
    match sig::UnparsedPublicKey::new(verifier, raw_key).verify(message, signature) {
        Ok(()) => CryptoOutcome::Valid,
        Err(_) => CryptoOutcome::Invalid,
    }
}

/// How a PSS signature is verified.
enum Pss {
    /// salt = hash length: `ring`.
    Ring(&'static dyn sig::VerificationAlgorithm),
    /// Any other salt length (pyHanko signs with the maximum): RustCrypto `rsa`.
    Salt(usize),
}

/// RSASSA-PSS with the parameters the signature declares: hash and MGF1 hash must be the
/// SignerInfo's digest; the salt length is taken as declared.
fn pss_verifier(algorithm: &AlgorithmIdentifier<'_>, digest: DigestAlgorithm) -> Result<Pss, CryptoOutcome> {
    use x509_parser::signature_algorithm::SignatureAlgorithm;
    let Ok(SignatureAlgorithm::RSASSA_PSS(params)) = SignatureAlgorithm::try_from(algorithm) else {
        return Err(CryptoOutcome::Unsupported(
            "RSASSA-PSS parameters cannot be parsed".into(),
        ));
    };
    let hash = DigestAlgorithm::from_oid(&params.hash_algorithm_oid().to_id_string());
    let mgf_hash = params.mask_gen_algorithm().ok().map(|m| m.hash.to_id_string());
    let mgf_hash = mgf_hash.as_deref().and_then(DigestAlgorithm::from_oid);
    if hash != Some(digest) || mgf_hash != Some(digest) {
        return Err(CryptoOutcome::Unsupported(format!(
            "RSASSA-PSS whose hash or MGF1 hash differs from the {} digest",
            digest.name()
        )));
    }
    if params.salt_length() as usize != digest.output_len() {
        return Ok(Pss::Salt(params.salt_length() as usize));
    }
    Ok(Pss::Ring(match digest {
        DigestAlgorithm::Sha256 => &sig::RSA_PSS_2048_8192_SHA256,
        DigestAlgorithm::Sha384 => &sig::RSA_PSS_2048_8192_SHA384,
        DigestAlgorithm::Sha512 => &sig::RSA_PSS_2048_8192_SHA512,
        DigestAlgorithm::Sha1 => return Err(CryptoOutcome::Constraints("SHA-1".into())),
    }))
}

/// PSS with a salt length `ring` does not take, through RustCrypto `rsa`.
fn verify_pss_any_salt(
    rsa_public_key: &[u8],
    digest: DigestAlgorithm,
    salt: usize,
    message: &[u8],
    signature: &[u8],
) -> CryptoOutcome {
    use rsa::pkcs1::DecodeRsaPublicKey;
    let Ok(key) = rsa::RsaPublicKey::from_pkcs1_der(rsa_public_key) else {
        return CryptoOutcome::Unsupported("the RSA public key cannot be parsed".into());
    };
    let hashed = digest.digest(message);
    let scheme = match digest {
        DigestAlgorithm::Sha256 => rsa::Pss::new_with_salt::<sha2::Sha256>(salt),
        DigestAlgorithm::Sha384 => rsa::Pss::new_with_salt::<sha2::Sha384>(salt),
        DigestAlgorithm::Sha512 => rsa::Pss::new_with_salt::<sha2::Sha512>(salt),
        DigestAlgorithm::Sha1 => return CryptoOutcome::Constraints("SHA-1".into()),
    };
    match key.verify(scheme, &hashed, signature) {
        Ok(()) => CryptoOutcome::Valid,
        Err(_) => CryptoOutcome::Invalid,
    }
}
