//! What one CRL of a certificate's issuer says of that certificate (RFC 5280 §5.2, §5.3,
//! §6.3.3). The caller ([`super::path`]) has already checked that the CRL names the
//! issuer and verifies under the issuer's key; a CRL that does not is not this issuer's
//! CRL (another key after a rollover, or a forgery) and never reaches this module.
//!
//! Three outcomes, so that one rule decides each case:
//! - the CRL **breaks a rule** its issuer must follow (no cRLNumber, a critical cRLNumber,
//!   a malformed known extension or entry extension, a non-critical deltaCRLIndicator, an
//!   IssuingDistributionPoint asserting more than one `onlyContains…`, reason code 7 or
//!   removeFromCRL in a complete CRL): `Err`, and the path fails (the issuer is broken);
//! - the CRL **cannot be used for this certificate**: it is out of scope (its
//!   IssuingDistributionPoint names a partition the certificate does not point to, or
//!   covers only user, CA or attribute certificates), it is indirect (indirectCRL, or a
//!   certificateIssuer entry extension: indirect CRLs are refused, not honoured), or it
//!   carries a critical CRL or CRL-entry extension this module does not know (RFC 5280
//!   §5.2, §5.3: "MUST NOT use that CRL"): [`Finding::Skip`], as if it were absent;
//! - otherwise it **applies**: a listing is a revocation, and it may also say "good"
//!   when it is complete for the certificate and current (see [`Finding::Applies`]).
//!
//! What does not depend on the certificate ([`facts`], the listing) is read once per CRL
//! into a [`CrlIndex`]; [`apply`] adds the certificate-dependent checks (scope, the
//! partition the certificate points to, its serial, its notBefore).

use x509_parser::certificate::X509Certificate;
use x509_parser::extensions::{DistributionPointName, GeneralName, IssuingDistributionPoint, ParsedExtension};
use x509_parser::prelude::FromDer;
use x509_parser::revocation_list::CertificateRevocationList;
use x509_parser::x509::{RelativeDistinguishedName, X509Name};

use super::crl_index::CrlIndex;

/// How long a CRL without nextUpdate (RFC 5280 §5.1.2.5 requires one) counts as current:
/// as if its nextUpdate were thisUpdate + 24 hours. It also says nothing good of a
/// certificate whose notBefore is after its thisUpdate (with no promise of a next CRL, it
/// only describes the certificates that existed when it was issued).
pub(super) const NO_NEXT_UPDATE_MAX_AGE: i64 = 24 * 3600;

const OID_CRL_NUMBER: &str = "2.5.29.20";
const OID_REASON_CODE: &str = "2.5.29.21";
/// The content octets of the reasonCode OID.
const REASON_CODE_DER: &[u8] = &[0x55, 0x1d, 0x15];
const OID_HOLD_INSTRUCTION: &str = "2.5.29.23";
const OID_INVALIDITY_DATE: &str = "2.5.29.24";
const OID_DELTA_CRL_INDICATOR: &str = "2.5.29.27";
const OID_IDP: &str = "2.5.29.28";
const OID_CERTIFICATE_ISSUER: &str = "2.5.29.29";
const OID_AKI: &str = "2.5.29.35";
const OID_ISSUER_ALT_NAME: &str = "2.5.29.18";
const OID_FRESHEST_CRL: &str = "2.5.29.46";
const OID_AUTHORITY_INFO_ACCESS: &str = "1.3.6.1.5.5.7.1.1";

/// reasonCode removeFromCRL (RFC 5280 §5.3.1): only in delta CRLs, where it takes a
/// certificate off hold.
pub(super) const REMOVE_FROM_CRL: u8 = 8;

/// What an authentic CRL of the issuer says of one certificate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Finding {
    /// Not usable for this certificate (why, in words).
    Skip(String),
    /// Usable.
    Applies {
        /// The certificate is listed: revoked at this time (Unix seconds). A listing is a
        /// revocation in force by the CRL's thisUpdate at the latest, so a revocationDate
        /// after the CRL's own thisUpdate is read as the thisUpdate (a CRL lists
        /// certificates that are revoked when it is issued; it cannot announce one).
        revoked_at: Option<i64>,
        /// It may say "good" at the time asked: it is a complete CRL (not a delta, not
        /// limited to some reasons, by its own IssuingDistributionPoint or by the
        /// certificate's distribution point), not issued after the caller's present, and
        /// current at that time or issued after it.
        says_good: bool,
        /// Its thisUpdate.
        this_update: i64,
        /// Its nextUpdate, or thisUpdate + [`NO_NEXT_UPDATE_MAX_AGE`] when it has none.
        next_update: i64,
    },
}

/// The key identifier of `crl`'s first authorityKeyIdentifier that has one: a CRL whose
/// key identifier names another key than the issuer's subjectKeyIdentifier is another
/// key's CRL (a CA key rollover), skipped without verifying its signature (see
/// [`CrlIndex::may_be_signed_by`]).
pub(super) fn authority_key_id(crl: &CertificateRevocationList<'_>) -> Option<Vec<u8>> {
    crl.extensions().iter().find_map(|e| match e.parsed_extension() {
        ParsedExtension::AuthorityKeyIdentifier(aki) => aki.key_identifier.as_ref().map(|k| k.0.to_vec()),
        _ => None,
    })
}

/// The facts of a CRL that do not depend on the certificate, read once (see [`facts`]).
#[derive(Debug)]
pub(super) struct Facts {
    delta: bool,
    idp: Option<Idp>,
    /// Why it cannot be used at all, if so.
    unusable: Option<String>,
}

/// What an IssuingDistributionPoint says, with the partition it names made comparable.
#[derive(Debug)]
struct Idp {
    only_user_certs: bool,
    only_ca_certs: bool,
    only_attribute_certs: bool,
    only_some_reasons: bool,
    /// The distribution point names it covers (`None`: it names none).
    wanted: Option<Vec<Comparable>>,
}

/// The facts of `crl` that do not depend on the certificate: `Err` when it breaks a rule
/// its issuer must follow (see the module's documentation).
pub(super) fn facts(crl: &CertificateRevocationList<'_>) -> Result<Facts, String> {
    let mut number = false;
    let (mut delta, mut unusable) = (false, None);
    let mut idp_found: Option<&IssuingDistributionPoint<'_>> = None;
    // The IssuingDistributionPoint's distributionPoint as a name relative to the CRL
    // issuer (the content of the RDN), read from the DER: x509-parser 0.18 does not parse
    // this choice and reads it as absent.
    let mut idp_relative: Option<Vec<u8>> = None;
    for ext in crl.extensions() {
        let oid = ext.oid.to_id_string();
        if let ParsedExtension::ParseError { .. } = ext.parsed_extension() {
            return Err(format!("its extension {oid} is malformed"));
        }
        match oid.as_str() {
            OID_CRL_NUMBER => {
                if ext.critical {
                    return Err("cRLNumber must not be critical".into());
                }
                if integer(ext.value).is_none() {
                    return Err("its cRLNumber is malformed".into());
                }
                number = true;
            }
            OID_DELTA_CRL_INDICATOR => {
                if !ext.critical {
                    return Err("deltaCRLIndicator must be critical".into());
                }
                if integer(ext.value).is_none() {
                    return Err("its BaseCRLNumber is malformed".into());
                }
                delta = true;
            }
            OID_IDP => {
                let ParsedExtension::IssuingDistributionPoint(idp) = ext.parsed_extension() else {
                    return Err("its issuingDistributionPoint is malformed".into());
                };
                let only = [
                    idp.only_contains_user_certs,
                    idp.only_contains_ca_certs,
                    idp.only_contains_attribute_certs,
                ];
                if only.iter().filter(|&&b| b).count() > 1 {
                    return Err("its issuingDistributionPoint asserts more than one onlyContains…".into());
                }
                // The distributionPoint field, as the DER has it.
                match first_field(ext.value) {
                    Some((0xa0, name)) => match (tlv(name), &idp.distribution_point) {
                        (Some((0xa1, rdn, _)), _) => idp_relative = Some(rdn.to_vec()),
                        (Some((0xa0, ..)), Some(DistributionPointName::FullName(_))) => {}
                        _ => return Err("its issuingDistributionPoint's name is malformed".into()),
                    },
                    _ if idp.distribution_point.is_some() => {
                        return Err("its issuingDistributionPoint is malformed".into())
                    }
                    _ => {}
                }
                if idp.indirect_crl {
                    unusable = Some("an indirect CRL (not honoured)".into());
                }
                idp_found = Some(idp);
            }
            OID_AKI | OID_ISSUER_ALT_NAME | OID_FRESHEST_CRL | OID_AUTHORITY_INFO_ACCESS => {}
            _ if ext.critical => {
                unusable.get_or_insert_with(|| format!("an unknown critical extension {oid}"));
            }
            _ => {}
        }
    }
    if !number {
        return Err("no cRLNumber".into());
    }
    for entry in crl.iter_revoked_certificates() {
        for ext in entry.extensions() {
            // The usual entry extension is recognised without formatting its OID: a
            // national CA's CRL has 200,000 of them.
            let oid = if ext.oid.as_bytes() == REASON_CODE_DER {
                std::borrow::Cow::Borrowed(OID_REASON_CODE)
            } else {
                std::borrow::Cow::Owned(ext.oid.to_id_string())
            };
            if let ParsedExtension::ParseError { .. } = ext.parsed_extension() {
                return Err(format!("an entry's extension {oid} is malformed"));
            }
            match oid.as_ref() {
                OID_REASON_CODE => match ext.parsed_extension() {
                    ParsedExtension::ReasonCode(code) if code.0 == 7 || code.0 > 10 => {
                        return Err(format!("an entry has reason code {}", code.0))
                    }
                    ParsedExtension::ReasonCode(code) if code.0 == REMOVE_FROM_CRL && !delta => {
                        return Err("removeFromCRL in a complete CRL".into())
                    }
                    ParsedExtension::ReasonCode(_) => {}
                    _ => return Err("an entry's reasonCode is malformed".into()),
                },
                // Informational (RFC 5280 §5.3.2): the revocationDate is the time that counts.
                OID_INVALIDITY_DATE | OID_HOLD_INSTRUCTION => {}
                OID_CERTIFICATE_ISSUER => {
                    unusable
                        .get_or_insert_with(|| "an indirect CRL (certificateIssuer entries are not honoured)".into());
                }
                _ if ext.critical => {
                    unusable.get_or_insert_with(|| format!("an unknown critical entry extension {oid}"));
                }
                _ => {}
            }
        }
    }
    // The partition named, resolved against the CRL issuer's name once.
    let idp = idp_found.map(|idp| Idp {
        only_user_certs: idp.only_contains_user_certs,
        only_ca_certs: idp.only_contains_ca_certs,
        only_attribute_certs: idp.only_contains_attribute_certs,
        only_some_reasons: idp.only_some_reasons.is_some(),
        wanted: match (&idp_relative, &idp.distribution_point) {
            (Some(rdn), _) => Some(vec![relative(crl.issuer(), rdn)]),
            (None, Some(point)) => Some(resolve(point, crl.issuer())),
            (None, None) => None,
        },
    });
    Ok(Facts { delta, idp, unusable })
}

/// What `crl` (authentic, of `cert`'s issuer) says of `cert` at `at`; `present` is the
/// caller's present when it validates at an earlier time (a CRL issued after the present
/// is not yet valid: it says nothing good, though what it lists is revoked).
pub(super) fn apply(
    crl: &CrlIndex,
    cert: &X509Certificate<'_>,
    at: i64,
    present: Option<i64>,
) -> Result<Finding, String> {
    let facts = crl.facts()?;
    if let Some(why) = &facts.unusable {
        return Ok(Finding::Skip(why.clone()));
    }
    let mut complete = !facts.delta;
    if let Some(idp) = &facts.idp {
        let is_ca = matches!(cert.basic_constraints(), Ok(Some(bc)) if bc.value.ca);
        if idp.only_user_certs && is_ca {
            return Ok(Finding::Skip("a CRL of user certificates only".into()));
        }
        if idp.only_ca_certs && !is_ca {
            return Ok(Finding::Skip("a CRL of CA certificates only".into()));
        }
        if idp.only_attribute_certs {
            return Ok(Finding::Skip("a CRL of attribute certificates only".into()));
        }
        if idp.only_some_reasons {
            complete = false;
        }
        if let Some(wanted) = &idp.wanted {
            match partition_reasons(wanted, cert) {
                None => {
                    return Ok(Finding::Skip(
                        "a CRL of a partition the certificate does not point to".into(),
                    ))
                }
                Some(all_reasons) => complete &= all_reasons,
            }
        }
    }
    let this_update = crl.this_update();
    let next_update = crl
        .next_update()
        .unwrap_or_else(|| this_update.saturating_add(NO_NEXT_UPDATE_MAX_AGE));
    // Earliest listing, capped at thisUpdate, removeFromCRL entries left out (the index).
    let revoked_at = crl.revoked_at(cert.raw_serial());
    let issued_in_future = present.is_some_and(|p| this_update > p);
    let older_than_cert = crl.next_update().is_none() && this_update < cert.validity().not_before.timestamp();
    let current = this_update >= at || at <= next_update;
    Ok(Finding::Applies {
        revoked_at,
        says_good: complete && current && !issued_in_future && !older_than_cert,
        this_update,
        next_update,
    })
}

/// Whether the IssuingDistributionPoint names `wanted` of a CRL match a distribution
/// point of `cert` (RFC 5280 §6.3.3 (b)(2)(i)): `None` if none does; else whether one of
/// the matching points covers every reason (has no `reasons`).
fn partition_reasons(wanted: &[Comparable], cert: &X509Certificate<'_>) -> Option<bool> {
    let mut found = None;
    let mut note = |names: &[Comparable], all_reasons: bool| {
        if names.iter().any(|n| wanted.contains(n)) {
            found = Some(found.unwrap_or(false) || all_reasons);
        }
    };
    for ext in cert.extensions() {
        if ext.oid.to_id_string() != "2.5.29.31" {
            continue;
        }
        if let ParsedExtension::CRLDistributionPoints(points) = ext.parsed_extension() {
            for dp in points.iter() {
                if let Some(DistributionPointName::FullName(names)) = &dp.distribution_point {
                    let names: Vec<Comparable> = names.iter().map(comparable).collect();
                    note(&names, dp.reasons.is_none());
                }
            }
        }
        // Names relative to the CRL issuer (the certificate's issuer: a point that names
        // another cRLIssuer is an indirect CRL's and is not matched), from the DER.
        let Some((0x30, points, _)) = tlv(ext.value) else {
            continue;
        };
        let mut rest = points;
        while let Some((0x30, point, next)) = tlv(rest) {
            rest = next;
            let mut fields = point;
            let mut rdn = None;
            let (mut reasons, mut crl_issuer) = (false, false);
            while let Some((tag, content, next)) = tlv(fields) {
                fields = next;
                match tag {
                    0xa0 => {
                        if let Some((0xa1, r, _)) = tlv(content) {
                            rdn = Some(r);
                        }
                    }
                    0x81 | 0xa1 => reasons = true,
                    0xa2 => crl_issuer = true,
                    _ => {}
                }
            }
            if let (Some(rdn), false) = (rdn, crl_issuer) {
                note(&[relative(cert.issuer(), rdn)], !reasons);
            }
        }
    }
    found
}

/// `base` followed by the RDN whose SET content is `rdn`, as a comparable directory name.
fn relative(base: &X509Name<'_>, rdn: &[u8]) -> Comparable {
    let mut dn: Vec<_> = base.iter().map(prepared_rdn).collect();
    let mut set = vec![0x31];
    set.extend(length(rdn.len()));
    set.extend_from_slice(rdn);
    match RelativeDistinguishedName::from_der(&set) {
        Ok(([], parsed)) => dn.push(prepared_rdn(&parsed)),
        // Unreadable: a name nothing else has.
        _ => dn.push(vec![("unreadable".into(), rdn.to_vec())]),
    }
    Comparable::Dn(dn)
}

fn length(n: usize) -> Vec<u8> {
    if n < 0x80 {
        return vec![n as u8];
    }
    let bytes: Vec<u8> = n.to_be_bytes().iter().copied().skip_while(|&b| b == 0).collect();
    let mut out = vec![0x80 | bytes.len() as u8];
    out.extend(bytes);
    out
}

/// One DER TLV at the start of `der`: (tag, content, the rest).
pub(super) fn tlv(der: &[u8]) -> Option<(u8, &[u8], &[u8])> {
    let (&tag, rest) = der.split_first()?;
    let (&first, rest) = rest.split_first()?;
    let (len, rest) = if first < 0x80 {
        (first as usize, rest)
    } else {
        let k = (first & 0x7f) as usize;
        if k == 0 || k > 4 || rest.len() < k {
            return None;
        }
        let len = rest[..k].iter().fold(0usize, |a, &b| (a << 8) | b as usize);
        (len, &rest[k..])
    };
    (rest.len() >= len).then(|| (tag, &rest[..len], &rest[len..]))
}

/// The first field of the SEQUENCE `der`: (tag, content).
fn first_field(der: &[u8]) -> Option<(u8, &[u8])> {
    let (_, content, _) = tlv(der).filter(|(tag, ..)| *tag == 0x30)?;
    tlv(content).map(|(tag, content, _)| (tag, content))
}

/// A GeneralName in the form RFC 5280 compares it (§7): directory names after a simple
/// string preparation (case folded, outer spaces trimmed, inner runs of spaces as one,
/// attributes of a multi-valued RDN sorted), DNS names and the host of URIs and email
/// addresses case-insensitively, the rest byte for byte.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Comparable {
    Dn(Vec<Vec<(String, Vec<u8>)>>),
    Dns(String),
    Uri(String),
    Email(String),
    Ip(Vec<u8>),
    Other(String, Vec<u8>),
}

fn resolve(point: &DistributionPointName<'_>, base: &X509Name<'_>) -> Vec<Comparable> {
    match point {
        DistributionPointName::FullName(names) => names.iter().map(comparable).collect(),
        DistributionPointName::NameRelativeToCRLIssuer(rdn) => {
            let mut dn: Vec<_> = base.iter().map(prepared_rdn).collect();
            dn.push(prepared_rdn(rdn));
            vec![Comparable::Dn(dn)]
        }
    }
}

fn comparable(name: &GeneralName<'_>) -> Comparable {
    match name {
        GeneralName::DirectoryName(dn) => Comparable::Dn(dn.iter().map(prepared_rdn).collect()),
        GeneralName::DNSName(s) => Comparable::Dns(s.trim_end_matches('.').to_ascii_lowercase()),
        GeneralName::URI(s) => Comparable::Uri(uri(s)),
        GeneralName::RFC822Name(s) => Comparable::Email(match s.rsplit_once('@') {
            Some((local, host)) => format!("{local}@{}", host.to_ascii_lowercase()),
            None => s.to_ascii_lowercase(),
        }),
        GeneralName::IPAddress(b) => Comparable::Ip(b.to_vec()),
        GeneralName::RegisteredID(oid) => Comparable::Other("rid".into(), oid.as_bytes().to_vec()),
        GeneralName::OtherName(oid, value) => Comparable::Other(oid.to_id_string(), value.to_vec()),
        other => Comparable::Other("other".into(), format!("{other:?}").into_bytes()),
    }
}

/// A URI with its scheme and host in lower case (RFC 5280 §7.4; the rest is compared as is).
fn uri(s: &str) -> String {
    let Some((scheme, rest)) = s.split_once("://") else {
        return s.to_owned();
    };
    let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    let (user, host) = match authority.rsplit_once('@') {
        Some((u, h)) => (format!("{u}@"), h),
        None => (String::new(), authority),
    };
    format!(
        "{}://{user}{}{path}",
        scheme.to_ascii_lowercase(),
        host.to_ascii_lowercase()
    )
}

fn prepared_rdn(rdn: &RelativeDistinguishedName<'_>) -> Vec<(String, Vec<u8>)> {
    let mut atvs: Vec<(String, Vec<u8>)> = rdn
        .iter()
        .map(|atv| {
            let value = match atv.as_str() {
                Ok(s) => super::names::prepare(s).into_bytes(),
                Err(_) => atv.attr_value().data.to_vec(),
            };
            (atv.attr_type().to_id_string(), value)
        })
        .collect();
    atvs.sort();
    atvs
}

/// The content of a DER INTEGER (an extension's value), if it is one.
fn integer(der: &[u8]) -> Option<&[u8]> {
    match der {
        [0x02, len, rest @ ..] if (*len as usize) == rest.len() && *len > 0 && *len < 0x80 => Some(rest),
        _ => None,
    }
}
