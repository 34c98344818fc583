//! The RFC 5280 profile a certificate must meet in a document-signing path: the checks
//! every certificate gets, those of the signer's certificate, and those of a CA.

use std::collections::HashSet;

use x509_parser::certificate::X509Certificate;
use x509_parser::extensions::{GeneralName, ParsedExtension};

use super::names::{self, Name};
use super::path::{strip_zeros, subject_key_id};

/// Extensions this validator understands (and may therefore be critical). The four policy
/// extensions are evaluated over the whole path by `policy::check` (RFC 5280 §6.1), and
/// nameConstraints by `names::check`.
const KNOWN: &[&str] = &[
    "2.5.29.19", // basicConstraints
    "2.5.29.15", // keyUsage
    "2.5.29.37", // extKeyUsage
    "2.5.29.17", // subjectAltName
    "2.5.29.30", // nameConstraints
    "2.5.29.36", // policyConstraints
    "2.5.29.32", // certificatePolicies
    "2.5.29.33", // policyMappings
    "2.5.29.54", // inhibitAnyPolicy
    "2.5.29.31", // cRLDistributionPoints
];

/// Checks every certificate of a path needs.
pub(super) fn check_common(x: &X509Certificate<'_>) -> Result<(), String> {
    if x.signature_algorithm != x.tbs_certificate.signature {
        return Err("signatureAlgorithm differs from the TBS signature field".into());
    }
    let serial = x.raw_serial();
    if serial.is_empty() || serial[0] & 0x80 != 0 {
        return Err("the serial number is not positive".into());
    }
    if strip_zeros(serial) == [0] {
        return Err("the serial number is zero".into());
    }
    if serial.len() > 20 {
        return Err("the serial number is longer than 20 octets".into());
    }
    let mut seen = HashSet::new();
    for ext in x.extensions() {
        let oid = ext.oid.to_id_string();
        if !seen.insert(oid.clone()) {
            return Err(format!("extension {oid} appears twice"));
        }
        if let ParsedExtension::ParseError { .. } = ext.parsed_extension() {
            return Err(format!("extension {oid} is malformed"));
        }
        match oid.as_str() {
            "2.5.29.35" | "2.5.29.14" | "1.3.6.1.5.5.7.1.1" if ext.critical => {
                return Err(format!("extension {oid} must not be critical"));
            }
            "2.5.29.36" if !ext.critical => return Err("policyConstraints must be critical".into()),
            _ => {}
        }
        // AKI and SKI are understood; their criticality was refused just above.
        if ext.critical && !KNOWN.contains(&oid.as_str()) {
            return Err(format!("unknown critical extension {oid}"));
        }
    }
    if x.issuer().iter().next().is_none() {
        return Err("the issuer name is empty".into());
    }
    // A certificate with an empty subject must name itself in a critical SAN.
    if x.subject().iter().next().is_none() {
        match x.subject_alternative_name() {
            Ok(Some(san)) if san.critical => {}
            _ => return Err("an empty subject needs a critical subjectAltName".into()),
        }
    }
    if let Ok(Some(san)) = x.subject_alternative_name() {
        if san.value.general_names.is_empty() {
            return Err("an empty subjectAltName".into());
        }
        for name in &san.value.general_names {
            names::san_name(name)?;
        }
    } else if x.subject_alternative_name().is_err() {
        return Err("a malformed subjectAltName".into());
    }
    Ok(())
}

/// The signer's certificate: usable for signing documents.
pub(super) fn check_signer(x: &X509Certificate<'_>, required_eku: &[String]) -> Result<(), String> {
    let is_ca = matches!(x.basic_constraints(), Ok(Some(bc)) if bc.value.ca);
    match x.key_usage() {
        Ok(Some(ku)) => {
            if ku.value.key_cert_sign() && !is_ca {
                return Err("keyCertSign without the cA basic constraint".into());
            }
            // A CA in the signer's place (allowed by RFC 5280) is judged by the
            // signature layer's policy, which requires digitalSignature or nonRepudiation.
            if !(is_ca || ku.value.digital_signature() || ku.value.non_repudiation()) {
                return Err("keyUsage allows neither digitalSignature nor nonRepudiation".into());
            }
        }
        Ok(None) => {}
        Err(_) => return Err("a malformed keyUsage".into()),
    }
    if !is_ca && matches!(x.name_constraints(), Ok(Some(_))) {
        return Err("nameConstraints in an end-entity certificate".into());
    }
    match x.extended_key_usage() {
        Ok(Some(eku)) => {
            let e = eku.value;
            let mut present: Vec<String> = e.other.iter().map(|o| o.to_id_string()).collect();
            for (flag, oid) in [
                (e.server_auth, "1.3.6.1.5.5.7.3.1"),
                (e.client_auth, "1.3.6.1.5.5.7.3.2"),
                (e.code_signing, "1.3.6.1.5.5.7.3.3"),
                (e.email_protection, "1.3.6.1.5.5.7.3.4"),
                (e.time_stamping, "1.3.6.1.5.5.7.3.8"),
                (e.ocsp_signing, "1.3.6.1.5.5.7.3.9"),
            ] {
                if flag {
                    present.push(oid.to_string());
                }
            }
            if present.is_empty() && !e.any {
                return Err("an empty extendedKeyUsage".into());
            }
            for wanted in required_eku {
                if !e.any && !present.contains(wanted) {
                    return Err(format!("extendedKeyUsage lacks {wanted}"));
                }
            }
        }
        Ok(None) => {}
        Err(_) => return Err("a malformed extendedKeyUsage".into()),
    }
    Ok(())
}

/// A CA certificate on the path (intermediate or anchor).
pub(super) fn check_ca(x: &X509Certificate<'_>) -> Result<(), String> {
    match x.basic_constraints() {
        Ok(Some(bc)) => {
            if !bc.value.ca {
                return Err("not a CA (basicConstraints cA is false)".into());
            }
            if !bc.critical {
                return Err("basicConstraints must be critical in a CA certificate".into());
            }
        }
        Ok(None) => return Err("no basicConstraints: not a CA".into()),
        Err(_) => return Err("a malformed basicConstraints".into()),
    }
    match x.key_usage() {
        Ok(Some(ku)) if !ku.value.key_cert_sign() => return Err("keyUsage lacks keyCertSign".into()),
        Err(_) => return Err("a malformed keyUsage".into()),
        _ => {}
    }
    if subject_key_id(x).is_none() {
        return Err("no subjectKeyIdentifier".into());
    }
    if x.subject().iter().next().is_none() {
        return Err("an empty subject".into());
    }
    Ok(())
}

/// The names name constraints apply to: the subject DN (if not empty) and every SAN.
pub(super) fn names_of(x: &X509Certificate<'_>) -> Result<Vec<Name>, String> {
    let mut out = Vec::new();
    if x.subject().iter().next().is_some() {
        out.push(Name::Dn(names::rdns(x.subject())));
    }
    match x.subject_alternative_name() {
        Ok(Some(san)) => {
            for general in &san.value.general_names {
                if let GeneralName::OtherName(..) = general {
                    out.push(Name::Other("otherName"));
                    continue;
                }
                out.push(names::san_name(general)?);
            }
        }
        // RFC 5280 §4.2.1.10: without a SAN, rfc822Name constraints apply to the
        // subject's emailAddress attributes.
        _ => {
            for email in x.subject().iter_email() {
                let address = email.as_str().map_err(|_| "a malformed emailAddress".to_string())?;
                out.push(names::email_name(address)?);
            }
        }
    }
    Ok(out)
}
