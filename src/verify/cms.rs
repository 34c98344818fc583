//! Detached CMS SignedData (RFC 5652), BER or DER, as real signers send it: parsing with
//! `cryptographic-message-syntax`'s ASN.1 types (bcder, BER-capable), then the checks of
//! each SignerInfo that need no trust decision: signed attributes, message digest,
//! identification of the signer's certificate, and the signature value.
//!
//! Encapsulated content (an RFC 3161 timestamp token) has its own entry point,
//! [`check_encapsulated`]; the detached entry points refuse it.
//!
//! The signed attributes are verified over the bytes received (re-tagged as the SET OF
//! that RFC 5652 §5.4 digests), never over a re-encoding of parsed values.
//!
//! Read strictly where a lenient reader could be misled: each value of a signed attribute
//! is kept apart, and the single-valued ones (contentType, messageDigest, signingTime,
//! signingCertificate(V2), …) must have exactly one, no attribute type twice; no byte may
//! follow the ContentInfo or the last field of a structure. Those faults are
//! [`SignerOutcome::Malformed`] (FAILED / FORMAT_FAILURE). BER with indefinite lengths is
//! read; zero padding after the ContentInfo is admitted only by the PDF entry point
//! [`check_detached_parts_in_pdf`] (and for timestamp tokens, [`check_encapsulated`]).

use bcder::encode::Values;
use bcder::{Mode, OctetString, Oid};
use cryptographic_message_syntax::asn1::rfc5652::{SignedAttributes, SignerIdentifier, SignerInfo};
use time::OffsetDateTime;
use x509_parser::prelude::{FromDer, ParsedExtension, X509Certificate};

use super::crypto::{self, CryptoOutcome, DigestAlgorithm};

/// Largest CMS accepted: provider CMS with a chain are a few KiB; PDFs reserve ~32 KiB.
pub const MAX_CMS_SIZE: usize = 1024 * 1024;

const OID_DATA: &str = "1.2.840.113549.1.7.1";
const OID_CONTENT_TYPE: &str = "1.2.840.113549.1.9.3";
const OID_MESSAGE_DIGEST: &str = "1.2.840.113549.1.9.4";
/// adbe-revocationInfoArchival: revocation data a PDF signer embeds in its signed attributes.
const OID_REVOCATION_INFO_ARCHIVAL: &str = "1.2.840.113583.1.1.8";
const OID_SIGNING_TIME: &str = "1.2.840.113549.1.9.5";
/// ESS signing-certificate (RFC 2634, SHA-1 hashes) and -v2 (RFC 5035).
const OID_SIGNING_CERTIFICATE: &str = "1.2.840.113549.1.9.16.2.12";
const OID_SIGNING_CERTIFICATE_V2: &str = "1.2.840.113549.1.9.16.2.47";

/// Why a CMS could not even be read (FORMAT_FAILURE).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not a usable CMS SignedData: {0}")]
pub struct FormatFailure(pub String);

/// What the checks of one SignerInfo found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignerCheck {
    /// The signer's certificate (DER), when the CMS carries it.
    pub certificate: Option<Vec<u8>>,
    /// The digest algorithm.
    pub digest_algorithm: Option<DigestAlgorithm>,
    /// The claimed signing time (the signingTime attribute): a claim, not a proof.
    pub claimed_signing_time: Option<OffsetDateTime>,
    /// Whether an ESS signing-certificate(-v2) attribute binds the signer's certificate.
    /// CAdES and PAdES policies require it; `adbe.pkcs7.detached` does not.
    pub signing_certificate_attribute: EssBinding,
    /// The SignerInfo has signed attributes (so a messageDigest binds the content).
    pub signed_attributes: bool,
    /// The outcome of the checks, in the order they run.
    pub outcome: SignerOutcome,
    /// Revocation evidence the CMS carries for this signer (DER CRLs and OCSP responses):
    /// the adbe-revocationInfoArchival signed attribute (what PDF signers embed, ISO
    /// 32000-2 §12.8.3.3.2), then the SignedData's `crls` (CertificateLists, and OCSP
    /// responses as RFC 5940 other revocation info). Each piece proves itself by its
    /// issuer's signature: carrying it vouches for nothing.
    pub revocation_values: Vec<Vec<u8>>,
    /// The SignerInfo's signature value: what a signature timestamp's imprint is over.
    pub signature_value: Vec<u8>,
    /// The signature timestamp tokens (ContentInfo DER) of its unsigned
    /// id-aa-signatureTimeStampToken attributes, every value of every such attribute,
    /// at most four. Unverified: each proves something only
    /// once [`super::timestamp`] has checked it over `signature_value`.
    pub signature_timestamps: Vec<Vec<u8>>,
}

/// id-aa-signatureTimeStampToken (RFC 3161 appendix A; ETSI EN 319 122-1 §5.3).
pub const OID_SIGNATURE_TIME_STAMP_TOKEN: &str = "1.2.840.113549.1.9.16.2.14";

/// Most signature timestamps read from one SignerInfo (each costs a CMS verification).
pub(crate) const MAX_SIGNATURE_TIMESTAMPS: usize = 4;

/// What the ESS signing-certificate(-v2) attribute says of the signer's certificate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EssBinding {
    /// No such attribute (or no signed attributes).
    Absent,
    /// The attribute's first certificate hash is the signer certificate's.
    Matches,
}

/// The first check of a SignerInfo that did not pass, or `Intact`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignerOutcome {
    /// Signed attributes consistent, digest matches, signature verifies.
    Intact,
    /// The signed data's digest differs from messageDigest (HASH_FAILURE).
    HashFailure,
    /// The signature value does not verify (SIG_CRYPTO_FAILURE).
    SigCryptoFailure,
    /// Malformed or missing mandatory attributes (FORMAT_FAILURE), with the reason.
    FormatFailure(String),
    /// The encoding breaks RFC 5652 where a reader could be misled (FAILED /
    /// FORMAT_FAILURE): a single-valued signed attribute with zero or several values, an
    /// attribute type given twice, bytes after the ContentInfo or inside a structure
    /// after its last field. With the reason.
    Malformed(String),
    /// The signer's certificate is not in the CMS (NO_SIGNING_CERTIFICATE_FOUND).
    NoSigningCertificate,
    /// The ESS signing-certificate attribute names another certificate than the one found
    /// (NO_SIGNING_CERTIFICATE_FOUND: a substituted certificate). When both the older
    /// signingCertificate (RFC 2634, SHA-1) and signingCertificateV2 (RFC 5035) are
    /// present, each must name the signer's certificate: a verifier that reads only v1
    /// would otherwise bind the signature to another certificate than one reading v2
    /// (EN 319 122-1 §5.2.2 lets a signer add v1 beside v2 for such verifiers; it does not
    /// let the two disagree).
    SigningCertificateMismatch,
    /// Algorithm or key refused (CRYPTO_CONSTRAINTS_FAILURE), with the reason.
    CryptoConstraints(String),
    /// Not supported by this build, never counted as valid, with the reason.
    Unsupported(String),
    /// Not checked: the verification's work budget was spent on earlier signers
    /// (INDETERMINATE, see [`super::budget`]), with the reason.
    TooCostly(String),
}

/// A parsed detached CMS and the check of each of its signers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CmsCheck {
    /// Every certificate the CMS carries (DER), for chain building.
    pub certificates: Vec<Vec<u8>>,
    /// One entry per SignerInfo, in order.
    pub signers: Vec<SignerCheck>,
}

/// Parses `cms` (BER or DER ContentInfo of a SignedData) and checks every SignerInfo
/// against the detached `content`.
pub fn check_detached(cms: &[u8], content: &[u8]) -> Result<CmsCheck, FormatFailure> {
    check_detached_with(cms, content, false)
}

/// Like [`check_detached`]; `legacy` admits SHA-1 and 1024-bit RSA (old results).
pub fn check_detached_with(cms: &[u8], content: &[u8], legacy: bool) -> Result<CmsCheck, FormatFailure> {
    check_detached_parts(cms, &[content], legacy)
}

/// Like [`check_detached_with`], where the detached content is the concatenation of
/// `parts` (a PDF's two `/ByteRange` pieces), digested part after part without being
/// concatenated. (Only a SignerInfo without signed attributes, whose signature covers the
/// content itself, needs the content whole: it alone is concatenated.)
pub fn check_detached_parts(cms: &[u8], parts: &[&[u8]], legacy: bool) -> Result<CmsCheck, FormatFailure> {
    check_detached_framed(cms, parts, legacy, Trailing::None)
}

/// [`check_detached_parts`] for a CMS read from a PDF signature's `/Contents`: zero bytes
/// after the ContentInfo are the room the PDF reserved, and are admitted (only zeros,
/// only here).
pub fn check_detached_parts_in_pdf(cms: &[u8], parts: &[&[u8]], legacy: bool) -> Result<CmsCheck, FormatFailure> {
    check_detached_framed(cms, parts, legacy, Trailing::ZeroPadding)
}

fn check_detached_framed(
    cms: &[u8],
    parts: &[&[u8]],
    legacy: bool,
    trailing: Trailing,
) -> Result<CmsCheck, FormatFailure> {
    guarded(|| {
        let signed = read(cms, trailing)?;
        if signed.content.is_some() {
            return Err(FormatFailure(
                "the content is encapsulated; a detached signature was expected".into(),
            ));
        }
        check_signers(signed, parts, legacy)
    })
}

/// A SignedData with encapsulated content (an RFC 3161 timestamp token), checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EncapsulatedCheck {
    /// The eContentType, dotted (`1.2.840.113549.1.9.16.1.4` for a TSTInfo).
    pub content_type: String,
    /// The eContent's octets (for a token: the DER TSTInfo the TSA signed).
    pub content: Vec<u8>,
    /// The certificates and the check of every SignerInfo over `content`.
    pub check: CmsCheck,
}

/// Parses `cms` (a ContentInfo of a SignedData whose content is *encapsulated*, as in an
/// RFC 3161 timestamp token) and checks every SignerInfo against that content. A CMS
/// without encapsulated content is a [`FormatFailure`]: detached signatures go through
/// [`check_detached_parts`] only. Zero bytes after the ContentInfo are admitted: a PDF
/// document timestamp's `/Contents` pads the token.
pub fn check_encapsulated(cms: &[u8], legacy: bool) -> Result<EncapsulatedCheck, FormatFailure> {
    guarded(|| {
        let signed = read(cms, Trailing::ZeroPadding)?;
        let Some(content) = &signed.content else {
            return Err(FormatFailure("no encapsulated content".into()));
        };
        let content = content.to_bytes().to_vec();
        let content_type = signed.content_type.to_string();
        let check = check_signers(signed, &[&content], legacy)?;
        Ok(EncapsulatedCheck {
            content_type,
            content,
            check,
        })
    })
}

/// Runs `f`; the ASN.1 layer asserts on some encodings it does not expect, and a hostile
/// CMS must give a FORMAT_FAILURE, not take the process down.
fn guarded<T>(f: impl FnOnce() -> Result<T, FormatFailure> + std::panic::UnwindSafe) -> Result<T, FormatFailure> {
    std::panic::catch_unwind(f)
        .unwrap_or_else(|_| Err(FormatFailure("the ASN.1 decoder gave up on this encoding".into())))
}

/// The size limit, then the SignedData.
fn read(cms: &[u8], trailing: Trailing) -> Result<Decoded, FormatFailure> {
    if cms.len() > MAX_CMS_SIZE {
        return Err(FormatFailure(format!(
            "{} bytes, more than the {MAX_CMS_SIZE} accepted",
            cms.len()
        )));
    }
    decode_framed(cms, trailing)
}

/// The certificates a CMS carries (DER, as received), without checking any signer; empty
/// when it cannot be read. What the vault's revocation refresh reads signers' certificates
/// (their distribution points, their OCSP responders) from.
pub(crate) fn carried_certificates(cms: &[u8]) -> Vec<Vec<u8>> {
    guarded(|| read(cms, Trailing::None))
        .map(|decoded| decoded.certificates)
        .unwrap_or_default()
}

/// The revocation evidence a CMS carries (the SignedData's `crls`, and each SignerInfo's
/// adbe-revocationInfoArchival attribute), unverified; nothing when it cannot be read.
pub(crate) fn carried_revocation_values(cms: &[u8]) -> Vec<Vec<u8>> {
    let Ok(decoded) = guarded(|| read(cms, Trailing::ZeroPadding)) else {
        return Vec::new();
    };
    let mut values = decoded.revocation_values;
    for signer in &decoded.signer_infos {
        let archival = signer.signed_attributes.as_ref().and_then(|attributes| {
            attributes
                .iter()
                .find(|a| a.typ.to_string() == OID_REVOCATION_INFO_ARCHIVAL)
                .and_then(|a| a.values.first().map(|v| revocation_info_archival(v.as_slice())))
        });
        values.extend(archival.unwrap_or_default());
    }
    values
}

/// Checks every SignerInfo of `signed` against the content made of `parts`.
fn check_signers(signed: Decoded, parts: &[&[u8]], legacy: bool) -> Result<CmsCheck, FormatFailure> {
    let econtent_type = signed.content_type.to_string();
    let certificates = signed.certificates;
    if signed.signer_infos.is_empty() {
        return Err(FormatFailure("no SignerInfo".into()));
    }
    // One budget and one memo for all the SignerInfos: the content's digest is computed
    // once per algorithm, an identical signature value verified once.
    let work = super::budget::current();
    let mut digests: Vec<(DigestAlgorithm, Vec<u8>)> = Vec::new();
    let signers = signed
        .signer_infos
        .iter()
        .map(|signer| {
            let mut check = check_signer(
                signer,
                &econtent_type,
                parts,
                &certificates,
                legacy,
                &work,
                &mut digests,
            );
            // A fault anywhere in the container is every signer's first fault.
            if let Some(problem) = signed.problems.first() {
                check.outcome = SignerOutcome::Malformed(problem.clone());
            }
            check.revocation_values.extend(signed.revocation_values.iter().cloned());
            check
        })
        .collect();
    Ok(CmsCheck { certificates, signers })
}

fn check_signer(
    signer: &SignerInfo,
    econtent_type: &str,
    parts: &[&[u8]],
    certificates: &[Vec<u8>],
    legacy: bool,
    work: &super::budget::Work,
    digests: &mut Vec<(DigestAlgorithm, Vec<u8>)>,
) -> SignerCheck {
    let mut check = SignerCheck {
        certificate: find_certificate(&signer.sid, certificates),
        digest_algorithm: DigestAlgorithm::from_oid(&signer.digest_algorithm.algorithm.to_string()),
        claimed_signing_time: None,
        signing_certificate_attribute: EssBinding::Absent,
        signed_attributes: signer.signed_attributes.is_some(),
        outcome: SignerOutcome::Intact,
        revocation_values: Vec::new(),
        signature_value: signer.signature.to_bytes().to_vec(),
        signature_timestamps: signature_timestamps(signer),
    };
    // Every ESS signing-certificate attribute present (v2 and the older v1): each must
    // bind the signer's certificate (see `SigningCertificateMismatch`).
    let mut ess: Vec<(DigestAlgorithm, Vec<u8>)> = Vec::new();
    check.outcome = (|| {
        let Some(digest) = check.digest_algorithm else {
            return SignerOutcome::Unsupported(format!("digest algorithm {}", signer.digest_algorithm.algorithm));
        };
        let content_digest = match digests.iter().find(|(d, _)| *d == digest) {
            Some((_, known)) => known.clone(),
            None => {
                let computed = digest.digest_parts(parts);
                digests.push((digest, computed.clone()));
                computed
            }
        };
        // With signed attributes the signature covers them; without, the content itself.
        let message = match &signer.signed_attributes {
            Some(attributes) => {
                if let Err(why) = attribute_rules(attributes) {
                    return SignerOutcome::Malformed(why);
                }
                let value = |oid: &str| -> Result<Option<bcder::Captured>, SignerOutcome> {
                    let mut found = attributes.iter().filter(|a| a.typ.to_string() == oid);
                    match (found.next(), found.next()) {
                        (None, _) => Ok(None),
                        (Some(a), None) if a.values.len() == 1 => Ok(Some((*a.values[0]).clone())),
                        _ => Err(SignerOutcome::FormatFailure(format!(
                            "attribute {oid} must have exactly one value"
                        ))),
                    }
                };
                match value(OID_CONTENT_TYPE) {
                    Ok(Some(v)) => match v.decode(Oid::take_from) {
                        Ok(oid) if oid.to_string() == econtent_type => {}
                        Ok(_) => return SignerOutcome::FormatFailure("contentType differs from eContentType".into()),
                        Err(_) => return SignerOutcome::FormatFailure("malformed contentType".into()),
                    },
                    Ok(None) => return SignerOutcome::FormatFailure("signed attributes without contentType".into()),
                    Err(e) => return e,
                }
                let signed_digest = match value(OID_MESSAGE_DIGEST) {
                    Ok(Some(v)) => match v.decode(OctetString::take_from) {
                        Ok(d) => d.to_bytes().to_vec(),
                        Err(_) => return SignerOutcome::FormatFailure("malformed messageDigest".into()),
                    },
                    Ok(None) => return SignerOutcome::FormatFailure("signed attributes without messageDigest".into()),
                    Err(e) => return e,
                };
                match value(OID_REVOCATION_INFO_ARCHIVAL) {
                    Ok(Some(v)) => check.revocation_values = revocation_info_archival(v.as_slice()),
                    Ok(None) => {}
                    Err(e) => return e,
                }
                match value(OID_SIGNING_TIME) {
                    Ok(Some(v)) => match v.decode(x509_certificate::asn1time::Time::take_from) {
                        Ok(t) => {
                            let t: chrono::DateTime<chrono::Utc> = t.into();
                            check.claimed_signing_time = OffsetDateTime::from_unix_timestamp(t.timestamp()).ok();
                        }
                        Err(_) => return SignerOutcome::FormatFailure("malformed signingTime".into()),
                    },
                    Ok(None) => {}
                    Err(e) => return e,
                }
                for (oid, v2) in [(OID_SIGNING_CERTIFICATE_V2, true), (OID_SIGNING_CERTIFICATE, false)] {
                    match value(oid) {
                        Ok(Some(v)) => match first_cert_hash(v, v2) {
                            Some(hash) => ess.push(hash),
                            None => {
                                let name = if v2 {
                                    "signingCertificateV2"
                                } else {
                                    "signingCertificate"
                                };
                                return SignerOutcome::Malformed(format!(
                                    "malformed {name} attribute ({oid}): an ESSCertID with an unknown hash \
                                     algorithm, or bytes after one of its fields"
                                ));
                            }
                        },
                        Ok(_) => {}
                        Err(e) => return e,
                    }
                }
                if signed_digest != content_digest {
                    return SignerOutcome::HashFailure;
                }
                match signer.signed_attributes_digested_content() {
                    Ok(Some(bytes)) => bytes,
                    _ => return SignerOutcome::FormatFailure("signed attributes cannot be framed".into()),
                }
            }
            None => {
                if econtent_type != OID_DATA {
                    return SignerOutcome::FormatFailure("no signed attributes over non-data content".into());
                }
                parts.concat()
            }
        };
        let Some(certificate) = &check.certificate else {
            return SignerOutcome::NoSigningCertificate;
        };
        if ess
            .iter()
            .any(|(algorithm, hash)| algorithm.digest(certificate) != *hash)
        {
            return SignerOutcome::SigningCertificateMismatch;
        }
        if !ess.is_empty() {
            check.signing_certificate_attribute = EssBinding::Matches;
        }
        let algorithm = signer.signature_algorithm.to_captured(Mode::Ber);
        let signature = signer.signature.to_bytes();
        let memo = super::budget::key(&[
            b"signer",
            &[u8::from(legacy)],
            digest.oid().as_bytes(),
            certificate,
            algorithm.as_slice(),
            &message,
            &signature,
        ]);
        let outcome = match work.signer(&memo) {
            Some(known) => known,
            None => {
                let cost =
                    crypto::parse_shallow(certificate).map_or(1, |(_, c)| crypto::verification_cost(c.public_key()));
                if !work.spend_units(cost) {
                    return SignerOutcome::TooCostly(
                        "too costly: the signature value was not checked, this verification has spent its work \
                         budget on earlier signers"
                            .into(),
                    );
                }
                let outcome = crypto::verify(certificate, algorithm.as_slice(), digest, &message, &signature, legacy);
                work.remember_signer(memo, outcome.clone());
                outcome
            }
        };
        match outcome {
            CryptoOutcome::Valid => SignerOutcome::Intact,
            CryptoOutcome::Invalid => SignerOutcome::SigCryptoFailure,
            CryptoOutcome::Constraints(why) => SignerOutcome::CryptoConstraints(why),
            CryptoOutcome::Unsupported(why) => SignerOutcome::Unsupported(why),
        }
    })();
    check
}

/// The tokens of a SignerInfo's id-aa-signatureTimeStampToken unsigned attributes.
fn signature_timestamps(signer: &SignerInfo) -> Vec<Vec<u8>> {
    let Some(attributes) = &signer.unsigned_attributes else {
        return Vec::new();
    };
    attributes
        .iter()
        .filter(|a| a.typ.to_string() == OID_SIGNATURE_TIME_STAMP_TOKEN)
        .flat_map(|a| a.values.iter())
        // The CMS crate captures a SET OF values as one: split it into its values, each
        // a token of its own.
        .flat_map(|value| {
            let mut rest = value.as_slice();
            let mut tokens = Vec::new();
            while let Some(len) = first_value_len(rest).filter(|&l| l > 0 && l <= rest.len()) {
                tokens.push(rest[..len].to_vec());
                rest = &rest[len..];
                if tokens.len() == MAX_SIGNATURE_TIMESTAMPS {
                    break;
                }
            }
            if !rest.is_empty() && tokens.len() < MAX_SIGNATURE_TIMESTAMPS {
                tokens.push(rest.to_vec()); // not a value: checked, and refused, as one
            }
            tokens
        })
        .take(MAX_SIGNATURE_TIMESTAMPS)
        .collect()
}

/// A SignedData as this engine reads it: the encapsulated content's type (and content,
/// which a detached signature must not have), the certificates exactly as received, and
/// the SignerInfos.
struct Decoded {
    content_type: Oid,
    content: Option<OctetString>,
    certificates: Vec<Vec<u8>>,
    /// The CRLs and OCSP responses of its `crls` field (see [`revocation_choices`]).
    revocation_values: Vec<Vec<u8>>,
    signer_infos: Vec<SignerInfo>,
    /// Encoding faults that did not stop the reading (see [`Problems`]).
    problems: Vec<String>,
}

/// Decodes a ContentInfo holding a SignedData (BER or DER) with the CMS crate's field
/// types, but its own walk through SignedData and SignerInfo: the crate's walk reads
/// a subject-key-identifier SignerIdentifier as constructed where RFC 5652 makes it a
/// primitive `[0] IMPLICIT OCTET STRING`, and it re-encodes certificates.
fn decode(cms: &[u8]) -> Result<Decoded, FormatFailure> {
    use bcder::decode::{Constructed, DecodeError, Source};
    use bcder::Tag;
    use cryptographic_message_syntax::asn1::rfc5652::{
        CertificateSet, CmsVersion, EncapsulatedContentInfo, IssuerAndSerialNumber, UnsignedAttributes,
    };

    fn signer_info<S: Source>(
        cons: &mut Constructed<S>,
        problems: &Problems,
    ) -> Result<SignerInfo, DecodeError<S::Error>> {
        let version = CmsVersion::take_from(cons)?;
        let sid = match cons.take_opt_value_if(Tag::CTX_0, OctetString::from_content)? {
            Some(ski) => SignerIdentifier::SubjectKeyIdentifier(ski),
            None => SignerIdentifier::IssuerAndSerialNumber(IssuerAndSerialNumber::take_from(cons)?),
        };
        let digest_algorithm = algorithm_identifier(cons, problems)?;
        // Signed attributes: the bytes as received (they are what was signed), and parsed
        // value by value (the CMS crate reads a SET OF values as one value).
        let signed = cons.take_opt_constructed_if(Tag::CTX_0, |cons| {
            let mut parsed = SignedAttributes::default();
            let raw = cons.capture(|cons| {
                parsed = signed_attributes(cons, problems)?;
                Ok(())
            })?;
            Ok((parsed, raw.as_slice().to_vec()))
        })?;
        let signature_algorithm = algorithm_identifier(cons, problems)?;
        let signature = OctetString::take_from(cons)?;
        let unsigned_attributes = cons.take_opt_constructed_if(Tag::CTX_1, UnsignedAttributes::take_from_set)?;
        let (signed_attributes, signed_attributes_data) = match signed {
            Some((parsed, bytes)) => (Some(parsed), Some(bytes)),
            None => (None, None),
        };
        Ok(SignerInfo {
            version,
            sid,
            digest_algorithm,
            signed_attributes,
            signature_algorithm,
            signature,
            unsigned_attributes,
            signed_attributes_data,
        })
    }

    let problems = Problems::default();
    Constructed::decode(cms, Mode::Ber, |cons| {
        cons.take_sequence(|cons| {
            let oid = Oid::take_from(cons)?;
            if oid.to_string() != "1.2.840.113549.1.7.2" {
                return Err(cons.content_err("not a SignedData"));
            }
            cons.take_constructed_if(Tag::CTX_0, |cons| {
                cons.take_sequence(|cons| {
                    CmsVersion::take_from(cons)?;
                    cons.take_set(|set| {
                        while set
                            .take_opt_sequence(|alg| algorithm_identifier_content(alg, &problems))?
                            .is_some()
                        {}
                        Ok(())
                    })?;
                    let encapsulated = EncapsulatedContentInfo::take_from(cons)?;
                    // The certificate set's bytes as received (walked by the crate's own
                    // parser), split into the DER certificates they hold; an entry that is
                    // not a DER X.509 certificate ends the list.
                    let mut certificates = Vec::new();
                    let captured = cons.take_opt_constructed_if(Tag::CTX_0, |set| {
                        set.capture(|c| CertificateSet::take_from(c).map(|_| ()))
                    })?;
                    if let Some(captured) = captured {
                        let mut rest = captured.as_slice();
                        while let Some((after, _)) = crypto::parse_shallow(rest) {
                            certificates.push(rest[..rest.len() - after.len()].to_vec());
                            rest = after;
                        }
                    }
                    // Revocation data inside the CMS, as received.
                    let revocation = cons.take_opt_constructed_if(Tag::CTX_1, |set| set.capture_all())?;
                    let revocation_values = revocation.map_or_else(Vec::new, |c| revocation_choices(c.as_slice()));
                    let signer_infos = cons.take_set(|set| {
                        let mut all = Vec::new();
                        while let Some(si) = set.take_opt_sequence(|si| signer_info(si, &problems))? {
                            all.push(si);
                        }
                        Ok(all)
                    })?;
                    Ok(Decoded {
                        content_type: encapsulated.content_type,
                        content: encapsulated.content,
                        certificates,
                        revocation_values,
                        signer_infos,
                        problems: Vec::new(),
                    })
                })
            })
        })
    })
    .map(|decoded| Decoded {
        problems: problems.into_inner(),
        ..decoded
    })
    .map_err(|e| FormatFailure(e.to_string()))
}

/// Most pieces of revocation evidence read from one CMS (each costs a parse, and a
/// signature check when it is about a certificate of the path).
const MAX_REVOCATION_VALUES: usize = 32;

/// id-ri-ocsp-response (RFC 5940, 1.3.6.1.5.5.7.16.2, as encoded): an OCSPResponse as
/// other revocation info.
const OID_RI_OCSP_RESPONSE: [u8; 8] = [0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x10, 0x02];

/// The DER elements of `content`, in order; stops at the first that is not DER.
fn elements(mut content: &[u8]) -> Vec<(u8, &[u8], &[u8])> {
    let mut out = Vec::new();
    while let Some((tag, inner, rest)) = super::crl::tlv(content) {
        out.push((tag, inner, &content[..content.len() - rest.len()]));
        content = rest;
    }
    out
}

/// RevocationInfoChoices (RFC 5652 §10.2.1, the content of SignedData's `[1] crls`): each
/// CertificateList, and each OCSPResponse given as other revocation info (RFC 5940).
fn revocation_choices(set: &[u8]) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    for (tag, inner, whole) in elements(set).into_iter().take(MAX_REVOCATION_VALUES) {
        match tag {
            0x30 => out.push(whole.to_vec()),
            // [1] OtherRevocationInfoFormat { otherRevInfoFormat OID, otherRevInfo ANY }
            0xa1 => {
                if let [(0x06, oid, _), (_, _, value)] = elements(inner).as_slice() {
                    if *oid == OID_RI_OCSP_RESPONSE {
                        out.push(value.to_vec());
                    }
                }
            }
            _ => {}
        }
    }
    out
}

/// RevocationInfoArchival (the adbe-revocationInfoArchival attribute's value):
/// `SEQUENCE { crl [0] EXPLICIT SEQUENCE OF CertificateList OPTIONAL, ocsp [1] EXPLICIT
/// SEQUENCE OF OCSPResponse OPTIONAL, otherRevInfo [2] … OPTIONAL }`; the CRLs and OCSP
/// responses it holds.
fn revocation_info_archival(value: &[u8]) -> Vec<Vec<u8>> {
    let Some((0x30, content, _)) = super::crl::tlv(value) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (tag, inner, _) in elements(content) {
        if tag != 0xa0 && tag != 0xa1 {
            continue;
        }
        let Some((0x30, list, _)) = super::crl::tlv(inner) else {
            continue;
        };
        for (_, _, whole) in elements(list) {
            if out.len() < MAX_REVOCATION_VALUES {
                out.push(whole.to_vec());
            }
        }
    }
    out
}

/// Encoding faults of a CMS that can still be read: each makes every SignerInfo
/// FAILED/FORMAT_FAILURE ([`SignerOutcome::Malformed`]).
type Problems = std::cell::RefCell<Vec<String>>;

/// An AlgorithmIdentifier's content: the OID and at most one parameters value (the CMS
/// crate keeps whatever follows the OID as "parameters"; a second value is noted as a
/// fault and skipped).
fn algorithm_identifier_content<S: bcder::decode::Source>(
    cons: &mut bcder::decode::Constructed<S>,
    problems: &Problems,
) -> Result<x509_certificate::rfc5280::AlgorithmIdentifier, bcder::decode::DecodeError<S::Error>> {
    use x509_certificate::rfc5280::{AlgorithmIdentifier, AlgorithmParameter};
    let algorithm = Oid::take_from(cons)?;
    let parameters = cons.capture(|c| c.skip_one().map(|_| ()))?;
    if !cons.capture_all()?.is_empty() {
        problems
            .borrow_mut()
            .push(format!("bytes after the parameters of algorithm {algorithm}"));
    }
    Ok(AlgorithmIdentifier {
        algorithm,
        parameters: (!parameters.is_empty()).then(|| AlgorithmParameter::from_captured(parameters)),
    })
}

fn algorithm_identifier<S: bcder::decode::Source>(
    cons: &mut bcder::decode::Constructed<S>,
    problems: &Problems,
) -> Result<x509_certificate::rfc5280::AlgorithmIdentifier, bcder::decode::DecodeError<S::Error>> {
    cons.take_sequence(|cons| algorithm_identifier_content(cons, problems))
}

/// The content of a SignerInfo's `[0] IMPLICIT SignedAttributes`, each value of each
/// attribute kept apart (the CMS crate captures a whole SET OF values as one value, so
/// that a second messageDigest went unseen). Anything after the last Attribute is a fault.
fn signed_attributes<S: bcder::decode::Source>(
    cons: &mut bcder::decode::Constructed<S>,
    problems: &Problems,
) -> Result<SignedAttributes, bcder::decode::DecodeError<S::Error>> {
    use x509_certificate::rfc5652::{Attribute, AttributeValue};
    let mut attributes = SignedAttributes::default();
    while let Some(attribute) = cons.take_opt_sequence(|cons| {
        let typ = Oid::take_from(cons)?;
        let values = cons.take_set(|set| {
            let mut values = Vec::new();
            loop {
                let value = set.capture(|c| c.skip_one().map(|_| ()))?;
                if value.is_empty() {
                    return Ok(values);
                }
                values.push(AttributeValue::new(value));
            }
        })?;
        Ok(Attribute { typ, values })
    })? {
        attributes.push(attribute);
    }
    if !cons.capture_all()?.is_empty() {
        problems
            .borrow_mut()
            .push("bytes after the last signed attribute".into());
    }
    Ok(attributes)
}

/// Decodes the SignedData in `cms`, which must be one ContentInfo and nothing after it
/// (the ASN.1 layer ignores what follows its outermost value). With
/// [`Trailing::ZeroPadding`] (a PDF's `/Contents`, which reserves room and pads the CMS
/// with zeros) bytes after it are admitted if they are all zero; any other trailing
/// byte is a fault ([`SignerOutcome::Malformed`] for every signer).
fn decode_framed(cms: &[u8], trailing: Trailing) -> Result<Decoded, FormatFailure> {
    let len = first_value_len(cms).ok_or_else(|| FormatFailure("not one BER value".into()))?;
    let mut decoded = decode(&cms[..len])?;
    let rest = &cms[len..];
    let admitted = match trailing {
        Trailing::None => rest.is_empty(),
        Trailing::ZeroPadding => rest.iter().all(|&b| b == 0),
    };
    if !admitted {
        decoded.problems.push(format!(
            "{} bytes after the ContentInfo{}",
            rest.len(),
            match trailing {
                Trailing::None => "",
                Trailing::ZeroPadding => " that are not zero padding",
            }
        ));
    }
    Ok(decoded)
}

/// What may follow the ContentInfo.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Trailing {
    /// Nothing: a CMS on its own (a `.p7s`, a provider's reply, a vault signature).
    None,
    /// Zero bytes only: a CMS read from a PDF's `/Contents`.
    ZeroPadding,
}

/// The length of the first BER value of `bytes`: from its header for a definite
/// length, else up to its end-of-contents octets; `None` if it does not fit.
fn first_value_len(bytes: &[u8]) -> Option<usize> {
    let (&tag, rest) = bytes.split_first()?;
    if tag & 0x1f == 0x1f {
        return None; // a high tag number: never a ContentInfo's SEQUENCE
    }
    let (&first, rest) = rest.split_first()?;
    let len = match first {
        0x80 => bcder::decode::Constructed::decode(bytes, Mode::Ber, |c| c.capture_one())
            .ok()?
            .len(),
        n if n < 0x80 => 2 + n as usize,
        n => {
            let k = usize::from(n & 0x7f);
            if k > 4 || rest.len() < k {
                return None;
            }
            let content = rest[..k].iter().fold(0usize, |a, &b| (a << 8) | usize::from(b));
            2 + k + content
        }
    };
    (len <= bytes.len()).then_some(len)
}

/// Signed attributes a definition makes single-valued (RFC 5652 §11.1-11.3: "MUST have a
/// single attribute value"; RFC 2634 §5.4 and RFC 5035 §3 for the ESS attributes; RFC
/// 6211 §2 and ETSI EN 319 122-1 §5.2.9 for algorithm protection and the signature
/// policy), with the names details use.
const SINGLE_VALUED: &[(&str, &str)] = &[
    (OID_CONTENT_TYPE, "contentType"),
    (OID_MESSAGE_DIGEST, "messageDigest"),
    (OID_SIGNING_TIME, "signingTime"),
    (OID_SIGNING_CERTIFICATE, "signingCertificate"),
    (OID_SIGNING_CERTIFICATE_V2, "signingCertificateV2"),
    ("1.2.840.113549.1.9.52", "cmsAlgorithmProtection"),
    ("1.2.840.113549.1.9.16.2.15", "signaturePolicyIdentifier"),
];

/// The rules of a SignerInfo's signed attributes that do not depend on their values: at
/// least one attribute; no attribute type twice (RFC 5652 §11: "MUST NOT include multiple
/// instances"; X.501 makes the types of a set of attributes distinct); every attribute
/// with a value; exactly one value for the single-valued ones ([`SINGLE_VALUED`]).
fn attribute_rules(attributes: &[x509_certificate::rfc5652::Attribute]) -> Result<(), String> {
    if attributes.is_empty() {
        return Err("the signed attributes are empty (RFC 5652 §5.3: SET SIZE (1..MAX))".into());
    }
    let name = |oid: &str| {
        SINGLE_VALUED
            .iter()
            .find(|(o, _)| *o == oid)
            .map_or_else(|| format!("attribute {oid}"), |(_, n)| format!("{n} ({oid})"))
    };
    let mut seen = std::collections::HashSet::new();
    for attribute in attributes {
        let oid = attribute.typ.to_string();
        if !seen.insert(oid.clone()) {
            return Err(format!(
                "the signed attribute {} appears twice (RFC 5652 §11: one instance)",
                name(&oid)
            ));
        }
        let single = SINGLE_VALUED.iter().any(|(o, _)| *o == oid);
        match attribute.values.len() {
            0 => return Err(format!("the signed attribute {} has no value", name(&oid))),
            1 => {}
            n if single => {
                return Err(format!(
                    "the signed attribute {} has {n} values where its definition allows exactly one \
                     (RFC 5652 §11)",
                    name(&oid)
                ))
            }
            _ => {}
        }
    }
    Ok(())
}

/// The first ESSCertID(v2) of a signing-certificate attribute: its hash algorithm
/// (SHA-1 for v1; SHA-256 unless stated for v2) and certificate hash.
fn first_cert_hash(value: bcder::Captured, v2: bool) -> Option<(DigestAlgorithm, Vec<u8>)> {
    value
        .decode(|cons| {
            cons.take_sequence(|cons| {
                let first = cons.take_sequence(|certs| {
                    let first = certs.take_sequence(|id| {
                        let mut algorithm = if v2 {
                            DigestAlgorithm::Sha256
                        } else {
                            DigestAlgorithm::Sha1
                        };
                        if v2 {
                            if let Some(oid) = id.take_opt_sequence(|alg| {
                                let oid = Oid::take_from(alg)?;
                                alg.skip_one()?; // parameters: at most one value
                                Ok(oid)
                            })? {
                                algorithm = DigestAlgorithm::from_oid(&oid.to_string())
                                    .ok_or_else(|| id.content_err("unknown ESS hash algorithm"))?;
                            }
                        }
                        let hash = OctetString::take_from(id)?.to_bytes().to_vec();
                        // issuerSerial (optional): the hash is what binds.
                        id.take_opt_sequence(|serial| serial.skip_all())?;
                        Ok((algorithm, hash))
                    })?;
                    // The other ESSCertID(v2)s: certificates of the path, not used.
                    while certs.take_opt_sequence(|other| other.skip_all())?.is_some() {}
                    Ok(first)
                })?;
                cons.take_opt_sequence(|policies| policies.skip_all())?; // policies (optional)
                Ok(first)
            })
        })
        .ok()
}

/// The certificate that `sid` names: by issuer and serial number, or by subject key
/// identifier.
fn find_certificate(sid: &SignerIdentifier, certificates: &[Vec<u8>]) -> Option<Vec<u8>> {
    certificates
        .iter()
        .find(|der| {
            match sid {
                SignerIdentifier::IssuerAndSerialNumber(ias) => {
                    let Some((_, cert)) = crypto::parse_shallow(der) else {
                        return false;
                    };
                    let issuer = ias.issuer.encode_ref().to_captured(Mode::Ber);
                    cert.issuer().as_raw() == issuer.as_slice()
                        && strip_leading_zeros(cert.raw_serial()) == strip_leading_zeros(ias.serial_number.as_slice())
                }
                SignerIdentifier::SubjectKeyIdentifier(ski) => {
                    let Ok((_, cert)) = X509Certificate::from_der(der) else {
                        return false;
                    };
                    cert.extensions().iter().any(|ext| {
                        matches!(ext.parsed_extension(), ParsedExtension::SubjectKeyIdentifier(id) if id.0 == ski.to_bytes().as_ref())
                    })
                }
            }
        })
        .cloned()
}

fn strip_leading_zeros(bytes: &[u8]) -> &[u8] {
    let n = bytes.iter().take_while(|&&b| b == 0).count();
    &bytes[n.min(bytes.len().saturating_sub(1))..]
}
