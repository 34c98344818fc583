//! What one OCSP response (RFC 6960) says of one certificate. The response is parsed by
//! `x509-ocsp` (strict DER); this module decides whether it is about the certificate, who
//! may have signed it, and what it says at the validation time.
//!
//! A response is **about** a certificate when one of its SingleResponses carries a CertID
//! with the certificate's serial number and the hashes (SHA-1, SHA-256, SHA-384 or
//! SHA-512) of its issuer's name and public key (§4.1.1). It is **authentic** when it
//! verifies under the key of (§4.2.2.2):
//! - the issuing CA itself, named by the responderID; or
//! - a delegated responder: a certificate carried in the response, issued directly by that
//!   CA (its name, its signature), with id-kp-OCSPSigning in its extendedKeyUsage and valid
//!   when the response was produced. With id-pkix-ocsp-nocheck it needs no revocation
//!   check; without, [`super::path`] checks its status with the CA's CRLs.
//!
//! Anything else (a response for another certificate, signed by another key, by a
//! responder the CA did not authorize, with a critical extension this module does not
//! know, or not `successful`) is [`Finding::Skip`]: as if absent. Such a response can
//! never say "good", and never revoke either (a forger must not be able to revoke).
//!
//! What an authentic response says follows the rules [`super::crl`] applies to CRLs, so
//! that both kinds of evidence give one answer: `revoked` is a revocation at its
//! revocationTime (no later than the response's thisUpdate); `good` says "not revoked"
//! when the response is current at the validation time or was issued after it (past
//! signature validation), and not issued after the caller's present; `unknown` says
//! nothing.

use der::{Decode, Encode};
use x509_ocsp::{BasicOcspResponse, CertStatus, OcspResponse, OcspResponseStatus, ResponderId, SingleResponse};
use x509_parser::certificate::X509Certificate;
use x509_parser::prelude::FromDer;
use x509_parser::x509::{AlgorithmIdentifier, X509Name};

use super::crypto::{self, CryptoOutcome, DigestAlgorithm};

/// id-pkix-ocsp-basic: the only response type RFC 6960 defines.
const OID_OCSP_BASIC: &str = "1.3.6.1.5.5.7.48.1.1";
/// id-pkix-ocsp-nocheck: the delegated responder's own status need not be checked.
const OID_OCSP_NOCHECK: &str = "1.3.6.1.5.5.7.48.1.5";
/// Response and single extensions understood (so that a critical one is no reason to
/// refuse): nonce, CRL references, archive cutoff, extended revoke, service locator.
const KNOWN_EXTENSIONS: [&str; 5] = [
    "1.3.6.1.5.5.7.48.1.2",
    "1.3.6.1.5.5.7.48.1.3",
    "1.3.6.1.5.5.7.48.1.6",
    "1.3.6.1.5.5.7.48.1.9",
    "1.3.6.1.5.5.7.48.1.7",
];
/// How long a response without nextUpdate counts as current (as for CRLs: RFC 6960 lets
/// a responder omit it, meaning newer information is always available).
const NO_NEXT_UPDATE_MAX_AGE: i64 = super::crl::NO_NEXT_UPDATE_MAX_AGE;
/// Most SingleResponses read from one response: a response is about a handful of
/// certificates, and each CertID costs two hashes to compare.
const MAX_SINGLE_RESPONSES: usize = 64;
/// Most certificates read from one response's `certs`.
const MAX_RESPONSE_CERTS: usize = 8;

/// An OCSP response, parsed once: the BasicOCSPResponse, the exact bytes its signature
/// covers, and its certificates' DER.
#[derive(Debug)]
pub(super) struct Parsed {
    basic: BasicOcspResponse,
    tbs: Vec<u8>,
    certs: Vec<Vec<u8>>,
    /// Who signed it, as found for each issuer key asked about (the issuer's raw
    /// SubjectPublicKeyInfo, legacy algorithms admitted): a response kept in a cache is
    /// verified once per issuer, not once per validation.
    signers: std::sync::Mutex<Vec<SignerMemo>>,
}

/// (issuer's SubjectPublicKeyInfo, legacy admitted, who signed or why not).
type SignerMemo = (Vec<u8>, bool, Result<Responder, String>);

/// Signer checks remembered per response (a response answers for one CA's certificates).
const MAX_SIGNER_MEMO: usize = 4;

/// Parses an OCSPResponse (RFC 6960 §4.2.1; what a responder sends, what CMS and PAdES
/// DSS carry) or a bare BasicOCSPResponse. `Err`: why it is not a usable response.
pub(super) fn parse(der: &[u8]) -> Result<Parsed, String> {
    let basic_der = match OcspResponse::from_der(der) {
        Ok(response) => {
            if response.response_status != OcspResponseStatus::Successful {
                return Err(format!("the responder answered {:?}", response.response_status));
            }
            let bytes = response
                .response_bytes
                .ok_or("a successful OCSP response without responseBytes")?;
            if bytes.response_type.to_string() != OID_OCSP_BASIC {
                return Err(format!("an OCSP response of type {}", bytes.response_type));
            }
            bytes.response.as_bytes().to_vec()
        }
        Err(_) => der.to_vec(),
    };
    let basic = BasicOcspResponse::from_der(&basic_der).map_err(|e| format!("not an OCSP response: {e}"))?;
    let tbs = first_element(&basic_der).ok_or("the OCSP response's tbsResponseData cannot be read")?;
    let certs = basic
        .certs
        .iter()
        .flatten()
        .take(MAX_RESPONSE_CERTS)
        .map(|c| c.to_der().map_err(|e| e.to_string()))
        .collect::<Result<_, _>>()?;
    Ok(Parsed {
        tbs: tbs.to_vec(),
        basic,
        certs,
        signers: std::sync::Mutex::new(Vec::new()),
    })
}

/// Whether `der` is an OCSP response rather than a CRL: an OCSPResponse starts with its
/// ENUMERATED responseStatus, a BasicOCSPResponse's tbsResponseData with an optional
/// `[0]` version or a responderID (`[1]`/`[2]`); a CRL's TBSCertList with an INTEGER or a
/// SEQUENCE. Used to sort the revocation evidence a caller hands over in one list.
pub(super) fn looks_like_ocsp(der: &[u8]) -> bool {
    let Some((0x30, content, _)) = super::crl::tlv(der) else {
        return false;
    };
    match content.first() {
        Some(0x0a) => true,
        Some(0x30) => super::crl::tlv(content)
            .and_then(|(_, tbs, _)| tbs.first().copied())
            .is_some_and(|tag| matches!(tag, 0xa0..=0xa2)),
        _ => false,
    }
}

/// Who signed an authentic response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Responder {
    /// The certificate's issuing CA.
    Issuer,
    /// A delegated responder certificate (DER), issued by that CA for OCSP signing.
    Delegated {
        /// Its DER.
        der: Vec<u8>,
        /// It carries id-pkix-ocsp-nocheck: its own status is not checked.
        no_check: bool,
    },
}

/// What an authentic response says of the certificate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Answer {
    /// Revoked at this time (Unix seconds), no later than the response's thisUpdate.
    pub revoked_at: Option<i64>,
    /// The CRLReason given with a revocation, if any.
    pub reason: Option<u8>,
    /// It says "good" at the time asked (see the module's rules).
    pub says_good: bool,
    /// `unknown`: the responder does not know the certificate.
    pub unknown: bool,
    /// thisUpdate.
    pub this_update: i64,
    /// nextUpdate, or thisUpdate + 24 h when it has none.
    pub next_update: i64,
    /// producedAt.
    pub produced_at: i64,
    /// Who signed it.
    pub responder: Responder,
}

/// What one response says of one certificate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Finding {
    /// Not usable for this certificate (why, in words).
    Skip(String),
    /// Authentic and about this certificate.
    Applies(Answer),
}

/// What `response` says of `cert` (issued by `issuer`) at `at`, with `present` the
/// caller's present when it validates at an earlier time. `legacy` admits SHA-1 and
/// 1024-bit RSA signatures, as for certificates and CRLs.
pub(super) fn apply(
    response: &Parsed,
    cert: &X509Certificate<'_>,
    issuer: &X509Certificate<'_>,
    at: i64,
    present: Option<i64>,
    legacy: bool,
) -> Finding {
    let data = &response.basic.tbs_response_data;
    let Some(single) = data
        .responses
        .iter()
        .take(MAX_SINGLE_RESPONSES)
        .find(|s| about(s, cert, issuer))
    else {
        return Finding::Skip("an OCSP response about other certificates".into());
    };
    let unknown_critical = data
        .response_extensions
        .iter()
        .chain(&single.single_extensions)
        .flatten()
        .map(|e| (e.critical, e.extn_id.to_string()))
        .find(|(critical, id)| *critical && !KNOWN_EXTENSIONS.contains(&id.as_str()));
    if let Some((_, id)) = unknown_critical {
        return Finding::Skip(format!("an OCSP response with an unknown critical extension {id}"));
    }
    let produced_at = seconds(&data.produced_at);
    let responder = match signed_by_memo(response, issuer, produced_at, legacy) {
        Ok(responder) => responder,
        Err(why) => return Finding::Skip(why),
    };
    let this_update = seconds(&single.this_update);
    let next_update = match &single.next_update {
        Some(t) => seconds(t),
        None => this_update.saturating_add(NO_NEXT_UPDATE_MAX_AGE),
    };
    if next_update < this_update {
        return Finding::Skip("an OCSP response whose nextUpdate is before its thisUpdate".into());
    }
    let (mut revoked_at, mut reason, mut unknown) = (None, None, false);
    match &single.cert_status {
        CertStatus::Good(_) => {}
        CertStatus::Revoked(info) => {
            revoked_at = Some(seconds(&info.revocation_time).min(this_update));
            reason = info.revocation_reason.map(|r| r as u8);
        }
        CertStatus::Unknown(_) => unknown = true,
    }
    let issued_in_future = present.is_some_and(|p| this_update > p || produced_at > p);
    let current = this_update >= at || at <= next_update;
    Finding::Applies(Answer {
        says_good: revoked_at.is_none() && !unknown && current && !issued_in_future,
        revoked_at,
        reason,
        unknown,
        this_update,
        next_update,
        produced_at,
        responder,
    })
}

/// Checks an OCSP response offered to the trust store: it parses, and it is signed by
/// one of the CA certificates `cas` (DER) or by a responder one of them authorized, and
/// it answers for certificates of that CA (a CertID with its key's hash). Returns the CA's
/// name. Whether it is about a given certificate, and current, is decided at each
/// verification.
pub(crate) fn check_for_store(der: &[u8], cas: &[Vec<u8>]) -> Result<String, String> {
    let response = parse(der)?;
    let produced_at = seconds(&response.basic.tbs_response_data.produced_at);
    let mut why = "no stored CA issued the certificates it answers for".to_string();
    for ca_der in cas {
        let Ok(([], ca)) = X509Certificate::from_der(ca_der) else {
            continue;
        };
        let answers_for_ca = response
            .basic
            .tbs_response_data
            .responses
            .iter()
            .take(MAX_SINGLE_RESPONSES)
            .any(|single| {
                DigestAlgorithm::from_oid(&single.cert_id.hash_algorithm.oid.to_string()).is_some_and(|digest| {
                    digest.digest(&ca.public_key().subject_public_key.data) == single.cert_id.issuer_key_hash.as_bytes()
                })
            });
        if !answers_for_ca {
            continue;
        }
        match signed_by(&response, &ca, produced_at, false) {
            Ok(_) => return Ok(ca.subject().to_string()),
            Err(e) => why = e,
        }
    }
    Err(why)
}

/// Who produced a response and when: its responderID (a name, or `key:` and the hex
/// SHA-1 of the responder's key) and its producedAt, as a verdict names its evidence.
pub(super) fn producer_of(response: &Parsed) -> (String, i64) {
    let data = &response.basic.tbs_response_data;
    let who = match &data.responder_id {
        ResponderId::ByName(name) => name.to_string(),
        ResponderId::ByKey(hash) => format!("key:{}", crate::hash::hex::encode(hash.as_bytes())),
    };
    (who, seconds(&data.produced_at))
}

/// Whether `der` is an authentic OCSP response about `cert` (issued by `issuer`) that is
/// current at `now` (thisUpdate at or before it, nextUpdate after it) and was issued at or
/// after `issued_from`.
pub(crate) fn current_about(der: &[u8], cert: &[u8], issuer: &[u8], now: i64, issued_from: i64) -> bool {
    let (Ok(response), Ok(([], cert)), Ok(([], issuer))) = (
        parse(der),
        X509Certificate::from_der(cert),
        X509Certificate::from_der(issuer),
    ) else {
        return false;
    };
    matches!(
        apply(&response, &cert, &issuer, now, Some(now), false),
        Finding::Applies(a) if issued_from <= a.this_update && a.this_update <= now && now < a.next_update
    )
}

/// Whether `der` is an authentic OCSP response about `cert` (issued by `issuer`), at
/// whatever time: what a refresh checks before keeping a responder's answer.
pub(crate) fn answers_for(der: &[u8], cert: &[u8], issuer: &[u8]) -> Result<(), String> {
    let response = parse(der)?;
    let (Ok(([], cert)), Ok(([], issuer))) = (X509Certificate::from_der(cert), X509Certificate::from_der(issuer))
    else {
        return Err("the certificate asked about cannot be read".into());
    };
    let produced_at = seconds(&response.basic.tbs_response_data.produced_at);
    match apply(&response, &cert, &issuer, produced_at, None, false) {
        Finding::Applies(_) => Ok(()),
        Finding::Skip(why) => Err(why),
    }
}

/// Whether `single`'s CertID names `cert` as issued by `issuer`.
fn about(single: &SingleResponse, cert: &X509Certificate<'_>, issuer: &X509Certificate<'_>) -> bool {
    let id = &single.cert_id;
    if super::path::strip_zeros(id.serial_number.as_bytes()) != super::path::strip_zeros(cert.raw_serial()) {
        return false;
    }
    let Some(digest) = DigestAlgorithm::from_oid(&id.hash_algorithm.oid.to_string()) else {
        return false;
    };
    // The issuer's name as the certificate carries it, and the issuer's key: the value of
    // its subjectPublicKey BIT STRING (§4.1.1).
    digest.digest(cert.issuer().as_raw()) == id.issuer_name_hash.as_bytes()
        && digest.digest(&issuer.public_key().subject_public_key.data) == id.issuer_key_hash.as_bytes()
}

/// [`signed_by`], remembered in the response for the issuer's key: the answer depends only
/// on the response's bytes, that key and `legacy` (`produced_at` is the response's own).
fn signed_by_memo(
    response: &Parsed,
    issuer: &X509Certificate<'_>,
    produced_at: i64,
    legacy: bool,
) -> Result<Responder, String> {
    let key = issuer.public_key().raw;
    let memo = |m: &Vec<SignerMemo>| {
        m.iter()
            .find(|(k, l, _)| k == key && *l == legacy)
            .map(|(.., r)| r.clone())
    };
    if let Some(known) = memo(&response.signers.lock().unwrap_or_else(|p| p.into_inner())) {
        return known;
    }
    let found = signed_by(response, issuer, produced_at, legacy);
    let mut signers = response.signers.lock().unwrap_or_else(|p| p.into_inner());
    if signers.len() >= MAX_SIGNER_MEMO {
        signers.clear();
    }
    signers.push((key.to_vec(), legacy, found.clone()));
    found
}

/// Who signed the response, if the issuer or a responder it authorized did (§4.2.2.2).
fn signed_by(
    response: &Parsed,
    issuer: &X509Certificate<'_>,
    produced_at: i64,
    legacy: bool,
) -> Result<Responder, String> {
    let basic = &response.basic;
    let algorithm_der = basic.signature_algorithm.to_der().map_err(|e| e.to_string())?;
    let Ok((_, algorithm)) = AlgorithmIdentifier::from_der(&algorithm_der) else {
        return Err("the OCSP response's signature algorithm cannot be read".into());
    };
    let Some(signature) = basic.signature.as_bytes() else {
        return Err("the OCSP response's signature is not a whole number of bytes".into());
    };
    let verifies =
        |key| crypto::verify_issued(key, &algorithm, &response.tbs, signature, legacy) == CryptoOutcome::Valid;
    let responder_id = &basic.tbs_response_data.responder_id;
    if names_key(responder_id, issuer) {
        return if verifies(issuer.public_key()) {
            Ok(Responder::Issuer)
        } else {
            Err("an OCSP response in the issuer's name that its key did not sign".into())
        };
    }
    // A delegated responder: carried in the response, named by the responderID.
    for der in &response.certs {
        let Ok(([], candidate)) = X509Certificate::from_der(der) else {
            continue;
        };
        if !names_key(responder_id, &candidate) {
            continue;
        }
        delegated_by(&candidate, issuer, produced_at, legacy)?;
        if !verifies(candidate.public_key()) {
            return Err("an OCSP response that its named responder's key did not sign".into());
        }
        let no_check = candidate
            .extensions()
            .iter()
            .any(|e| e.oid.to_id_string() == OID_OCSP_NOCHECK);
        return Ok(Responder::Delegated {
            der: der.clone(),
            no_check,
        });
    }
    Err("an OCSP response signed by neither the issuer nor a responder it authorized".into())
}

/// Why `responder` is not a responder `issuer` authorized at `produced_at`, if it is not.
fn delegated_by(
    responder: &X509Certificate<'_>,
    issuer: &X509Certificate<'_>,
    produced_at: i64,
    legacy: bool,
) -> Result<(), String> {
    let refuse = |why: &str| Err(format!("an OCSP response signed by a responder {why}"));
    if !super::names::same_name(responder.issuer(), issuer.subject())
        || crypto::verify_issued(
            issuer.public_key(),
            &responder.signature_algorithm,
            responder.tbs_certificate.as_ref(),
            &responder.signature_value.data,
            legacy,
        ) != CryptoOutcome::Valid
    {
        return refuse("that the certificate's issuer did not certify");
    }
    let full = responder;
    let ocsp_signing = match full.extended_key_usage() {
        Ok(Some(eku)) => eku.value.ocsp_signing,
        _ => false,
    };
    if !ocsp_signing {
        return refuse("without id-kp-OCSPSigning in its extendedKeyUsage");
    }
    if let Ok(Some(ku)) = full.key_usage() {
        if !ku.value.digital_signature() && !ku.value.non_repudiation() {
            return refuse("whose keyUsage allows no signatures");
        }
    }
    let validity = full.validity();
    if produced_at < validity.not_before.timestamp() || produced_at > validity.not_after.timestamp() {
        return refuse("whose certificate was not valid when the response was produced");
    }
    Ok(())
}

/// Whether the responderID names `cert`: by its subject, or by the SHA-1 of its key.
fn names_key(id: &ResponderId, cert: &X509Certificate<'_>) -> bool {
    match id {
        ResponderId::ByName(name) => name
            .to_der()
            .ok()
            .and_then(|der| {
                X509Name::from_der(&der)
                    .ok()
                    .map(|(_, n)| super::names::same_name(&n, cert.subject()))
            })
            .unwrap_or(false),
        ResponderId::ByKey(hash) => {
            DigestAlgorithm::Sha1.digest(&cert.public_key().subject_public_key.data) == hash.as_bytes()
        }
    }
}

fn seconds(t: &x509_ocsp::OcspGeneralizedTime) -> i64 {
    t.0.to_unix_duration().as_secs() as i64
}

/// The first element (tag, length and content) of the SEQUENCE `der`.
fn first_element(der: &[u8]) -> Option<&[u8]> {
    let (0x30, content, _) = super::crl::tlv(der)? else {
        return None;
    };
    let (_, _, rest) = super::crl::tlv(content)?;
    Some(&content[..content.len() - rest.len()])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn garbage_is_no_response() {
        assert!(parse(b"").is_err());
        assert!(
            parse(&[0x30, 0x03, 0x0a, 0x01, 0x00]).is_err(),
            "successful without responseBytes"
        );
        assert!(parse(&[0x30, 0x03, 0x0a, 0x01, 0x03]).is_err(), "tryLater");
    }

    #[test]
    fn ocsp_and_crl_shapes_are_told_apart() {
        // OCSPResponse: SEQUENCE { ENUMERATED … }
        assert!(looks_like_ocsp(&[0x30, 0x03, 0x0a, 0x01, 0x06]));
        // TBSCertList: SEQUENCE { SEQUENCE { INTEGER version … } … }
        assert!(!looks_like_ocsp(&[0x30, 0x05, 0x30, 0x03, 0x02, 0x01, 0x01]));
        // BasicOCSPResponse: SEQUENCE { SEQUENCE { [1] responderID … } … }
        assert!(looks_like_ocsp(&[0x30, 0x04, 0x30, 0x02, 0xa1, 0x00]));
        assert!(!looks_like_ocsp(b"not DER"));
    }
}
