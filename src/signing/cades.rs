//! The vault's signature format: a detached CMS SignedData (RFC 5652) over the record's
//! canonical envelope, CAdES baseline B-B (ETSI EN 319 122-1): signed attributes
//! contentType, messageDigest, signingTime and signingCertificateV2 (RFC 5035).
//!
//! Built in two steps, because the key is elsewhere: [`signed_attributes`] gives the DER
//! that is signed (what a CSC `signHash` hashes and signs), [`assemble`] wraps a signature
//! value over exactly those bytes into the SignedData. Every structure is the CMS crate's
//! type (or bcder's combinators for the ESS attribute, which the crate does not model);
//! certificates are embedded exactly as received, since re-encoding them would change
//! the hash the ESS attribute pins.

use bcder::decode::Constructed;
use bcder::encode::{self, PrimitiveContent, Values};
use bcder::{Captured, ConstOid, Mode, OctetString, Oid, Tag};
use cryptographic_message_syntax::asn1::rfc5652::{
    CmsVersion, DigestAlgorithmIdentifiers, EncapsulatedContentInfo, IssuerAndSerialNumber, SignedAttributes,
    SignedAttributesDer, SignerIdentifier, SignerInfo, OID_CONTENT_TYPE, OID_ID_DATA, OID_ID_SIGNED_DATA,
    OID_MESSAGE_DIGEST, OID_SIGNING_TIME,
};
use cryptographic_message_syntax::Bytes;
use time::OffsetDateTime;
use x509_certificate::rfc5280::{AlgorithmIdentifier, AlgorithmParameter};
use x509_certificate::rfc5652::{Attribute, AttributeValue};
use x509_certificate::CapturedX509Certificate;
use x509_parser::prelude::{FromDer, X509Certificate};

use super::{KeyKind, RawAlgorithm, SigningError};
use crate::verify::crypto::DigestAlgorithm;

/// id-aa-signingCertificateV2, 1.2.840.113549.1.9.16.2.47.
const OID_SIGNING_CERTIFICATE_V2: ConstOid = Oid(&[42, 134, 72, 134, 247, 13, 1, 9, 16, 2, 47]);
/// RSASSA-PSS, 1.2.840.113549.1.1.10, and its mask generation function MGF1, .1.1.8.
const OID_RSASSA_PSS: ConstOid = Oid(&[42, 134, 72, 134, 247, 13, 1, 1, 10]);
const OID_MGF1: ConstOid = Oid(&[42, 134, 72, 134, 247, 13, 1, 1, 8]);
/// sha512WithRSAEncryption and ecdsa-with-SHA512 (x509-certificate names only up to 384).
const OID_SHA512_RSA: ConstOid = Oid(&[42, 134, 72, 134, 247, 13, 1, 1, 13]);
const OID_ECDSA_SHA512: ConstOid = Oid(&[42, 134, 72, 206, 61, 4, 3, 4]);

fn oid(c: ConstOid) -> Oid {
    Oid(Bytes::copy_from_slice(c.as_ref()))
}

fn digest_oid(d: DigestAlgorithm) -> x509_certificate::DigestAlgorithm {
    match d {
        DigestAlgorithm::Sha1 => x509_certificate::DigestAlgorithm::Sha1,
        DigestAlgorithm::Sha256 => x509_certificate::DigestAlgorithm::Sha256,
        DigestAlgorithm::Sha384 => x509_certificate::DigestAlgorithm::Sha384,
        DigestAlgorithm::Sha512 => x509_certificate::DigestAlgorithm::Sha512,
    }
}

/// One DER value (a certificate, a name) as received, ready to be embedded unchanged.
fn captured(der: &[u8]) -> Result<Captured, SigningError> {
    Constructed::decode(der, Mode::Der, |cons| cons.capture_one())
        .map_err(|e| SigningError::BadCertificateChain(format!("not one DER value: {e}")))
}

fn attribute(typ: ConstOid, value: impl Values) -> Attribute {
    Attribute {
        typ: oid(typ),
        values: vec![AttributeValue::new(Captured::from_values(Mode::Der, value))],
    }
}

/// The DER `SET OF Attribute` that a signature over `message_digest` signs: contentType
/// id-data, messageDigest, signingTime (when given), and signingCertificateV2 naming
/// `signer` (SHA-256 of its DER, with its issuer and serial number).
///
/// The vault's envelope signatures carry a signingTime (CAdES B-B); a PDF signature
/// (PAdES B-B, EN 319 142-1 §5.3) must not: its claimed time is the signature
/// dictionary's `/M`, so [`crate::pdf::sign`] passes `None`.
pub(crate) fn signed_attributes(
    message_digest: &[u8],
    signing_time: Option<OffsetDateTime>,
    signer: &[u8],
) -> Result<Vec<u8>, SigningError> {
    let parsed = X509Certificate::from_der(signer)
        .map_err(|_| SigningError::BadCertificateChain("the signer's certificate is not DER X.509".into()))?
        .1;
    let time = signing_time
        .map(|t| {
            chrono::DateTime::<chrono::Utc>::from_timestamp(t.unix_timestamp(), 0)
                .map(x509_certificate::asn1time::Time::from)
                .ok_or_else(|| SigningError::BadRequest("signing time out of range".into()))
        })
        .transpose()?;
    let serial = CapturedX509Certificate::from_der(signer.to_vec())
        .map_err(|e| SigningError::BadCertificateChain(format!("the signer's certificate: {e}")))?
        .serial_number_asn1()
        .clone();
    let issuer = captured(parsed.issuer().as_raw())?;
    let cert_hash = OctetString::new(Bytes::from(DigestAlgorithm::Sha256.digest(signer)));
    let message_digest = OctetString::new(Bytes::copy_from_slice(message_digest));
    // SigningCertificateV2 ::= SEQUENCE { certs SEQUENCE OF ESSCertIDv2 }
    // ESSCertIDv2 ::= SEQUENCE { certHash OCTET STRING, issuerSerial IssuerSerial }
    //   (hashAlgorithm is left out: its DEFAULT is SHA-256, and DER omits defaults)
    // IssuerSerial ::= SEQUENCE { issuer GeneralNames ([4] directoryName), serialNumber }
    let ess = encode::sequence(encode::sequence(encode::sequence((
        cert_hash.encode_ref(),
        encode::sequence((
            encode::sequence(encode::sequence_as(Tag::CTX_4, &issuer)),
            serial.encode(),
        )),
    ))));
    let mut attributes = SignedAttributes::default();
    attributes.push(attribute(OID_CONTENT_TYPE, OID_ID_DATA.encode()));
    attributes.push(attribute(OID_MESSAGE_DIGEST, message_digest.encode_ref()));
    if let Some(time) = &time {
        attributes.push(attribute(OID_SIGNING_TIME, time.encode_ref()));
    }
    attributes.push(attribute(OID_SIGNING_CERTIFICATE_V2, ess));
    // DER orders a SET OF by encoding: the bytes signed must be the bytes embedded.
    let sorted = attributes
        .as_sorted()
        .map_err(|e| SigningError::BadRequest(format!("signed attributes: {e}")))?;
    Ok(SignedAttributesDer::new(sorted, None)
        .to_captured(Mode::Der)
        .into_bytes()
        .to_vec())
}

/// The SignerInfo's signatureAlgorithm for a raw signature of `algorithm` with `digest`.
fn signature_algorithm(algorithm: RawAlgorithm, digest: DigestAlgorithm) -> Result<AlgorithmIdentifier, SigningError> {
    use x509_certificate::SignatureAlgorithm as S;
    let unsupported = || SigningError::AlgorithmMismatch(format!("{algorithm} with {}", digest.name()));
    Ok(match (algorithm, digest) {
        (_, DigestAlgorithm::Sha1) => return Err(unsupported()),
        (RawAlgorithm::RsaPkcs1, DigestAlgorithm::Sha256) => S::RsaSha256.into(),
        (RawAlgorithm::RsaPkcs1, DigestAlgorithm::Sha384) => S::RsaSha384.into(),
        (RawAlgorithm::RsaPkcs1, DigestAlgorithm::Sha512) => AlgorithmIdentifier {
            algorithm: oid(OID_SHA512_RSA),
            parameters: Some(AlgorithmParameter::from_captured(Captured::from_values(
                Mode::Der,
                ().encode(),
            ))),
        },
        (RawAlgorithm::RsaPss, d) => {
            // RSASSA-PSS-params with hash = MGF1 hash = the digest, salt = its length.
            let hash: AlgorithmIdentifier = digest_oid(d).into();
            let salt = d.digest(b"").len() as u32;
            let params = encode::sequence((
                encode::sequence_as(Tag::CTX_0, &hash),
                encode::sequence_as(Tag::CTX_1, encode::sequence((OID_MGF1.encode(), &hash))),
                encode::sequence_as(Tag::CTX_2, salt.encode()),
            ));
            AlgorithmIdentifier {
                algorithm: oid(OID_RSASSA_PSS),
                parameters: Some(AlgorithmParameter::from_captured(Captured::from_values(
                    Mode::Der,
                    params,
                ))),
            }
        }
        (RawAlgorithm::Ecdsa, DigestAlgorithm::Sha256) => S::EcdsaSha256.into(),
        (RawAlgorithm::Ecdsa, DigestAlgorithm::Sha384) => S::EcdsaSha384.into(),
        (RawAlgorithm::Ecdsa, DigestAlgorithm::Sha512) => AlgorithmIdentifier {
            algorithm: oid(OID_ECDSA_SHA512),
            parameters: None,
        },
        (RawAlgorithm::Ed25519, DigestAlgorithm::Sha512) => S::Ed25519.into(),
        (RawAlgorithm::Ed25519, _) => return Err(unsupported()),
    })
}

/// Whether a raw signature algorithm fits the signer's key.
pub(crate) fn fits(algorithm: RawAlgorithm, key: KeyKind) -> bool {
    matches!(
        (algorithm, key),
        (RawAlgorithm::RsaPkcs1 | RawAlgorithm::RsaPss, KeyKind::Rsa { .. })
            | (RawAlgorithm::Ecdsa, KeyKind::EcdsaP256 | KeyKind::EcdsaP384)
            | (RawAlgorithm::Ed25519, KeyKind::Ed25519)
    )
}

/// The detached CMS (DER ContentInfo) that carries `signature` over `signed_attributes`
/// (exactly the DER [`signed_attributes`] returned), with the chain (signer first).
pub(crate) fn assemble(
    signed_attributes: &[u8],
    digest: DigestAlgorithm,
    algorithm: RawAlgorithm,
    signature: &[u8],
    chain: &[Vec<u8>],
) -> Result<Vec<u8>, SigningError> {
    let signer = chain
        .first()
        .ok_or_else(|| SigningError::BadCertificateChain("no signer certificate".into()))?;
    let certificate = CapturedX509Certificate::from_der(signer.clone())
        .map_err(|e| SigningError::BadCertificateChain(format!("the signer's certificate: {e}")))?;
    let attributes = Constructed::decode(signed_attributes, Mode::Der, SignedAttributes::take_from)
        .map_err(|e| SigningError::BadRequest(format!("stored signed attributes: {e}")))?;
    // The SignerInfo re-encodes the attributes it is given; they must come out as the
    // very bytes that were signed.
    let again = SignedAttributesDer::new(attributes.clone(), None)
        .to_captured(Mode::Der)
        .into_bytes();
    if again.as_ref() != signed_attributes {
        return Err(SigningError::BadRequest(
            "the signed attributes do not re-encode to the bytes signed".into(),
        ));
    }
    let digest_algorithm: AlgorithmIdentifier = digest_oid(digest).into();
    let signer_info = SignerInfo {
        version: CmsVersion::V1,
        sid: SignerIdentifier::IssuerAndSerialNumber(IssuerAndSerialNumber {
            issuer: certificate.issuer_name().clone(),
            serial_number: certificate.serial_number_asn1().clone(),
        }),
        digest_algorithm: digest_algorithm.clone(),
        signed_attributes: Some(attributes),
        signature_algorithm: signature_algorithm(algorithm, digest)?,
        signature: OctetString::new(Bytes::copy_from_slice(signature)),
        unsigned_attributes: None,
        signed_attributes_data: None,
    };
    let mut digest_algorithms = DigestAlgorithmIdentifiers::default();
    digest_algorithms.push(digest_algorithm);
    let certificates = chain.iter().map(|der| captured(der)).collect::<Result<Vec<_>, _>>()?;
    let content_info = EncapsulatedContentInfo {
        content_type: oid(OID_ID_DATA),
        content: None,
    };
    // The crate's SignedData::encode_ref would re-encode the certificates: assemble the
    // same SEQUENCE with them as received.
    let signed_data = encode::sequence((
        OID_ID_SIGNED_DATA.encode(),
        encode::sequence_as(
            Tag::CTX_0,
            encode::sequence((
                CmsVersion::V1.encode(),
                digest_algorithms.encode_ref(),
                content_info.encode_ref(),
                encode::set_as(Tag::CTX_0, certificates),
                encode::set(signer_info.encode_ref()),
            )),
        ),
    ));
    Ok(signed_data.to_captured(Mode::Der).into_bytes().to_vec())
}

/// An ECDSA signature given as raw `r || s` (CSC and PKCS#11 style), as the DER
/// `ECDSA-Sig-Value` that CMS carries. `None` if the length is not `2 * field_len`.
pub(crate) fn ecdsa_raw_to_der(raw: &[u8], field_len: usize) -> Option<Vec<u8>> {
    if raw.len() != 2 * field_len {
        return None;
    }
    let (r, s) = raw.split_at(field_len);
    let r = bcder::Unsigned::from_slice(strip(r)).ok()?;
    let s = bcder::Unsigned::from_slice(strip(s)).ok()?;
    let der = encode::sequence((r.encode(), s.encode()))
        .to_captured(Mode::Der)
        .into_bytes()
        .to_vec();
    Some(der)
}

fn strip(bytes: &[u8]) -> &[u8] {
    let n = bytes.iter().take_while(|&&b| b == 0).count();
    &bytes[n.min(bytes.len().saturating_sub(1))..]
}

/// Whether `value` is a DER `SEQUENCE { INTEGER, INTEGER }` and nothing more.
pub(crate) fn is_der_ecdsa(value: &[u8]) -> bool {
    Constructed::decode(value, Mode::Der, |cons| {
        cons.take_sequence(|cons| {
            bcder::Integer::take_from(cons)?;
            bcder::Integer::take_from(cons)
        })
    })
    .is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A throwaway self-signed Ed25519 certificate, made by the real openssl.
    fn certificate() -> Vec<u8> {
        let dir = std::env::temp_dir().join(format!("rv-cades-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let status = std::process::Command::new("openssl")
            .current_dir(&dir)
            .args([
                "req", "-x509", "-newkey", "ed25519", "-nodes", "-keyout", "k.pem", "-subj", "/CN=T",
            ])
            .args(["-outform", "DER", "-out", "c.der"])
            .output()
            .expect("openssl not found")
            .status;
        assert!(status.success());
        let der = std::fs::read(dir.join("c.der")).unwrap();
        let _ = std::fs::remove_dir_all(&dir);
        der
    }

    #[test]
    fn signed_attributes_are_der_ordered_and_complete() {
        let cert = certificate();
        let digest = [7u8; 32];
        let der = signed_attributes(
            &digest,
            Some(OffsetDateTime::from_unix_timestamp(1_790_000_000).unwrap()),
            &cert,
        )
        .unwrap();
        assert_eq!(der[0], 0x31, "a SET OF, as signHash digests it");
        let elements: Vec<Vec<u8>> = Constructed::decode(der.as_slice(), Mode::Der, |cons| {
            cons.take_set(|cons| {
                let mut all = Vec::new();
                // Whole TLVs: X.690 §11.6 orders by complete encodings, lengths included.
                while let Ok(c) = cons.capture_one() {
                    all.push(c.as_slice().to_vec());
                }
                Ok(all)
            })
        })
        .unwrap();
        assert_eq!(elements.len(), 4);
        let mut sorted = elements.clone();
        sorted.sort();
        assert_eq!(elements, sorted, "DER orders a SET OF by encoding");
        let digest_at = der.windows(32).position(|w| w == digest).is_some();
        assert!(digest_at, "messageDigest carries the envelope digest");
        let cert_hash = DigestAlgorithm::Sha256.digest(&cert);
        assert!(der.windows(32).any(|w| w == cert_hash), "ESS certHash of the signer");
    }

    #[test]
    fn without_a_signing_time_there_are_three_attributes() {
        // PAdES baseline: no signingTime attribute (its OID, 1.2.840.113549.1.9.5).
        let cert = certificate();
        let with = signed_attributes(&[7u8; 32], Some(OffsetDateTime::UNIX_EPOCH), &cert).unwrap();
        let without = signed_attributes(&[7u8; 32], None, &cert).unwrap();
        let oid = [0x06, 0x09, 0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x09, 0x05];
        assert!(with.windows(oid.len()).any(|w| w == oid));
        assert!(!without.windows(oid.len()).any(|w| w == oid));
        assert!(without.len() < with.len());
    }

    #[test]
    fn ecdsa_r_s_becomes_der_with_minimal_integers() {
        let mut raw = vec![0u8; 64];
        raw[0] = 0x80; // r with the high bit set: needs a 0x00 prefix
        raw[63] = 0x05; // s = 5 after 31 zero bytes: leading zeros dropped
        let der = ecdsa_raw_to_der(&raw, 32).unwrap();
        assert!(is_der_ecdsa(&der));
        assert_eq!(&der[..5], &[0x30, 0x26, 0x02, 0x21, 0x00]);
        assert_eq!(&der[der.len() - 3..], &[0x02, 0x01, 0x05]);
        assert!(ecdsa_raw_to_der(&raw[..63], 32).is_none());
        assert!(!is_der_ecdsa(&raw));
    }
}
