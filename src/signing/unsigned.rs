//! What is added to a CMS after it was signed, without touching what was signed: a
//! signature timestamp (CAdES B-T, ETSI EN 319 122-1 §5.3: the unsigned attribute
//! id-aa-signatureTimeStampToken, RFC 3161 Appendix A, over the SignerInfo's signature
//! value) and the validation data that proves the signer's chain (CAdES B-LT: the chain's
//! and the TSA's certificates in `certificates`, CRLs in `crls`, OCSP responses in `crls`
//! as RFC 5940 OtherRevocationInfoFormat id-ri-ocsp-response).
//!
//! The version, sid, digest and signature algorithms, signed attributes and signature
//! value of the SignerInfo are copied byte for byte, as are the certificates and CRLs
//! already there, so the signature verifies as before (`openssl cms -verify`); only the
//! outer lengths are written again (DER).

use std::sync::Arc;

use bcder::decode::Constructed;
use bcder::encode::{self, PrimitiveContent, Values};
use bcder::{Captured, ConstOid, Mode, OctetString, Oid, Tag};

use super::SigningError;

/// id-aa-signatureTimeStampToken, 1.2.840.113549.1.9.16.2.14.
pub const OID_SIGNATURE_TIME_STAMP_TOKEN: &str = "1.2.840.113549.1.9.16.2.14";
const OID_TST_ATTR: ConstOid = Oid(&[42, 134, 72, 134, 247, 13, 1, 9, 16, 2, 14]);
/// id-ri-ocsp-response, 1.3.6.1.5.5.7.16.2 (RFC 5940 §4.1).
const OID_RI_OCSP_RESPONSE: ConstOid = Oid(&[43, 6, 1, 5, 5, 7, 16, 2]);

/// Where the vault gets signature timestamps from: an RFC 3161 timestamp authority
/// (`crate::remote::tsa::TsaClient` with the `remote` feature), anything else in tests.
pub trait Timestamper: Send + Sync {
    /// A timestamp token (DER ContentInfo) over `data` (the TSA is sent its SHA-256).
    /// The vault verifies the token before it keeps it.
    fn timestamp(&self, data: &[u8]) -> Result<Vec<u8>, SigningError>;
}

/// A shared [`Timestamper`], as [`crate::VaultOptions::timestamper`] holds it.
pub type SharedTimestamper = Arc<dyn Timestamper>;

/// The validation data to add to a CMS (each DER; what is already there is not added twice).
#[derive(Debug, Clone, Default)]
pub struct ValidationData {
    /// Certificates: the signer's chain, the TSA's chain.
    pub certificates: Vec<Vec<u8>>,
    /// CRLs (CertificateList).
    pub crls: Vec<Vec<u8>>,
    /// OCSP responses (OCSPResponse).
    pub ocsp_responses: Vec<Vec<u8>>,
}

fn malformed(what: &str) -> SigningError {
    SigningError::MalformedReply(format!("cannot extend the CMS: {what}"))
}

/// The parts of a SignedData, each as received.
struct Parts {
    version: Captured,
    digest_algorithms: Captured,
    encap: Captured,
    certificates: Vec<Captured>,
    crls: Vec<Captured>,
    /// The one SignerInfo's elements before unsignedAttrs.
    signer_head: Vec<Captured>,
    /// Its signature value's octets.
    signature: Vec<u8>,
    /// Its unsigned attributes: (type, the whole Attribute).
    unsigned: Vec<(Oid, Captured)>,
}

/// Parses `cms` by capturing each element.
fn parse_captured(cms: &[u8]) -> Result<Parts, SigningError> {
    let items = Constructed::decode(cms, Mode::Ber, |cons| {
        cons.take_sequence(|cons| {
            let oid = Oid::take_from(cons)?;
            let items = cons.take_constructed_if(Tag::CTX_0, |cons| {
                cons.take_sequence(|cons| {
                    let mut all = Vec::new();
                    while let Ok(c) = cons.capture_one() {
                        all.push(c);
                    }
                    Ok(all)
                })
            })?;
            Ok((oid, items))
        })
    })
    .map_err(|_| malformed("not a CMS ContentInfo"))?;
    let (oid, items) = items;
    if oid.to_string() != "1.2.840.113549.1.7.2" {
        return Err(malformed("not a SignedData"));
    }
    let mut items = items.into_iter().peekable();
    let mut next = |what: &str| items.next().ok_or_else(|| malformed(what));
    let version = next("no version")?;
    let digest_algorithms = next("no digestAlgorithms")?;
    let encap = next("no encapContentInfo")?;
    let mut certificates = Vec::new();
    let mut crls = Vec::new();
    let mut signer_infos = None;
    for item in items {
        match item.as_slice().first() {
            Some(0xa0) if signer_infos.is_none() && crls.is_empty() => {
                certificates = members(&item, Tag::CTX_0)?;
            }
            Some(0xa1) if signer_infos.is_none() => crls = members(&item, Tag::CTX_1)?,
            Some(0x31) if signer_infos.is_none() => signer_infos = Some(item),
            _ => return Err(malformed("unexpected element in SignedData")),
        }
    }
    let signer_infos = signer_infos.ok_or_else(|| malformed("no signerInfos"))?;
    let signers = Constructed::decode(signer_infos.as_slice(), Mode::Ber, |cons| {
        cons.take_set(|cons| {
            let mut all = Vec::new();
            while let Ok(c) = cons.capture_one() {
                all.push(c);
            }
            Ok(all)
        })
    })
    .map_err(|_| malformed("bad signerInfos"))?;
    let [signer] = signers.as_slice() else {
        return Err(malformed(&format!(
            "{} SignerInfos where one was expected",
            signers.len()
        )));
    };
    let fields = Constructed::decode(signer.as_slice(), Mode::Ber, |cons| {
        cons.take_sequence(|cons| {
            let mut all = Vec::new();
            while let Ok(c) = cons.capture_one() {
                all.push(c);
            }
            Ok(all)
        })
    })
    .map_err(|_| malformed("bad SignerInfo"))?;
    let mut signer_head = Vec::new();
    let mut signature = None;
    let mut unsigned = Vec::new();
    for field in fields {
        let tag = field.as_slice().first().copied();
        match tag {
            // The signature value follows the signatureAlgorithm; before it only [0]
            // signed attributes and SEQUENCEs or INTEGERs or a [0] key id occur.
            Some(0x04 | 0x24) if signature.is_none() => {
                let octets = Constructed::decode(field.as_slice(), Mode::Ber, OctetString::take_from)
                    .map_err(|_| malformed("bad signature value"))?;
                signature = Some(octets.to_bytes().to_vec());
                signer_head.push(field);
            }
            Some(0xa1) if signature.is_some() => unsigned = attributes(&field)?,
            _ if signature.is_none() => signer_head.push(field),
            _ => return Err(malformed("unexpected element after the signature value")),
        }
    }
    Ok(Parts {
        version,
        digest_algorithms,
        encap,
        certificates,
        crls,
        signer_head,
        signature: signature.ok_or_else(|| malformed("no signature value"))?,
        unsigned,
    })
}

/// The elements of an implicitly tagged SET OF.
fn members(item: &Captured, tag: Tag) -> Result<Vec<Captured>, SigningError> {
    Constructed::decode(item.as_slice(), Mode::Ber, |cons| {
        cons.take_constructed_if(tag, |cons| {
            let mut all = Vec::new();
            while let Ok(c) = cons.capture_one() {
                all.push(c);
            }
            Ok(all)
        })
    })
    .map_err(|_| malformed("bad certificates or crls"))
}

/// The attributes of `[1] IMPLICIT SET OF Attribute`: each with its type.
fn attributes(item: &Captured) -> Result<Vec<(Oid, Captured)>, SigningError> {
    let all = members(item, Tag::CTX_1)?;
    all.into_iter()
        .map(|a| {
            let oid = Constructed::decode(a.as_slice(), Mode::Ber, |cons| {
                cons.take_sequence(|cons| {
                    let oid = Oid::take_from(cons)?;
                    cons.capture_all()?;
                    Ok(oid)
                })
            })
            .map_err(|_| malformed("bad unsigned attribute"))?;
            Ok((oid, a))
        })
        .collect()
}

/// The values of an Attribute.
fn attribute_values(attribute: &Captured) -> Result<Vec<Captured>, SigningError> {
    Constructed::decode(attribute.as_slice(), Mode::Ber, |cons| {
        cons.take_sequence(|cons| {
            Oid::take_from(cons)?;
            cons.take_set(|cons| {
                let mut all = Vec::new();
                while let Ok(c) = cons.capture_one() {
                    all.push(c);
                }
                Ok(all)
            })
        })
    })
    .map_err(|_| malformed("bad unsigned attribute"))
}

/// One DER value as received, checked to be exactly one element.
fn one_value(der: &[u8], what: &str) -> Result<Captured, SigningError> {
    Constructed::decode(der, Mode::Ber, |cons| cons.capture_one()).map_err(|_| malformed(what))
}

/// The signature value (the OCTET STRING's octets) of `cms`'s one SignerInfo: what a
/// signature timestamp's imprint is computed over.
pub fn signature_value(cms: &[u8]) -> Result<Vec<u8>, SigningError> {
    Ok(parse_captured(cms)?.signature)
}

/// The certificates a SignedData with one SignerInfo carries (a timestamp token's: its
/// TSA's), as received.
pub fn certificates(cms: &[u8]) -> Result<Vec<Vec<u8>>, SigningError> {
    Ok(parse_captured(cms)?
        .certificates
        .iter()
        .map(|c| c.as_slice().to_vec())
        .collect())
}

/// `cms` (a SignedData with one SignerInfo) with `token` added as the SignerInfo's
/// id-aa-signatureTimeStampToken (a value of the attribute it already has, if any) and
/// `data` added to `certificates` and `crls` where not already there (byte for byte).
/// What was signed is copied unchanged; the SignedData's version becomes 5 when an OCSP
/// response is added (RFC 5652 §5.1: an `other` revocation info format). Lengths are
/// written definite; parts received in BER stay as received (bcder's BER mode).
pub fn extend(cms: &[u8], token: Option<&[u8]>, data: &ValidationData) -> Result<Vec<u8>, SigningError> {
    let mut parts = parse_captured(cms)?;
    for der in &data.certificates {
        if !parts.certificates.iter().any(|c| c.as_slice() == der.as_slice()) {
            parts
                .certificates
                .push(one_value(der, "a certificate is not one DER value")?);
        }
    }
    for der in &data.crls {
        if !parts.crls.iter().any(|c| c.as_slice() == der.as_slice()) {
            parts.crls.push(one_value(der, "a CRL is not one DER value")?);
        }
    }
    let mut other_format = false;
    for der in &data.ocsp_responses {
        let response = one_value(der, "an OCSP response is not one DER value")?;
        let entry = Captured::from_values(
            Mode::Ber,
            encode::sequence_as(Tag::CTX_1, (OID_RI_OCSP_RESPONSE.encode(), &response)),
        );
        if !parts.crls.iter().any(|c| c.as_slice() == entry.as_slice()) {
            parts.crls.push(entry);
            other_format = true;
        }
    }
    if let Some(token) = token {
        let token = one_value(token, "the timestamp token is not one DER value")?;
        match parts.unsigned.iter_mut().find(|(oid, _)| *oid == OID_TST_ATTR) {
            Some((_, attribute)) => {
                let mut values = attribute_values(attribute)?;
                values.push(token);
                *attribute = Captured::from_values(
                    Mode::Ber,
                    encode::sequence((OID_TST_ATTR.encode(), encode::set(values))),
                );
            }
            None => {
                let attribute =
                    Captured::from_values(Mode::Ber, encode::sequence((OID_TST_ATTR.encode(), encode::set(token))));
                parts.unsigned.push((
                    Oid(cryptographic_message_syntax::Bytes::from_static(OID_TST_ATTR.0)),
                    attribute,
                ));
            }
        }
    }
    let version = if other_format {
        Captured::from_values(Mode::Ber, 5u8.encode())
    } else {
        parts.version
    };
    let unsigned: Vec<Captured> = parts.unsigned.into_iter().map(|(_, a)| a).collect();
    let signer_info = encode::sequence((
        parts.signer_head,
        (!unsigned.is_empty()).then(|| encode::set_as(Tag::CTX_1, unsigned)),
    ));
    let certificates = (!parts.certificates.is_empty()).then(|| encode::set_as(Tag::CTX_0, parts.certificates));
    let crls = (!parts.crls.is_empty()).then(|| encode::set_as(Tag::CTX_1, parts.crls));
    let signed_data = encode::sequence((
        OID_SIGNED_DATA.encode(),
        encode::sequence_as(
            Tag::CTX_0,
            encode::sequence((
                version,
                parts.digest_algorithms,
                parts.encap,
                certificates,
                crls,
                encode::set(signer_info),
            )),
        ),
    ));
    Ok(signed_data.to_captured(Mode::Ber).into_bytes().to_vec())
}

/// id-signedData, 1.2.840.113549.1.7.2.
const OID_SIGNED_DATA: ConstOid = Oid(&[42, 134, 72, 134, 247, 13, 1, 7, 2]);
