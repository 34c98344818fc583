//! The trust store's items (trust anchors such as the National Root CA, intermediates,
//! CRLs) and the checks each must pass before the vault keeps it.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use x509_parser::prelude::{FromDer, X509Certificate};
use x509_parser::revocation_list::CertificateRevocationList;

use crate::hash::Sha256;
use crate::verify::crypto::{self, CryptoOutcome};

/// What a trust item is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TrustItemKind {
    /// A certificate trusted as is: a path ending there is trusted.
    Anchor,
    /// A CA certificate offered for path building (trusted only through an anchor).
    Intermediate,
    /// A certificate revocation list, checked against its issuer before it is kept.
    Crl,
    /// An OCSP response (RFC 6960), checked against its CA (or a responder the CA
    /// authorized) before it is kept.
    Ocsp,
}

impl TrustItemKind {
    /// The stored spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            TrustItemKind::Anchor => "anchor",
            TrustItemKind::Intermediate => "intermediate",
            TrustItemKind::Crl => "crl",
            TrustItemKind::Ocsp => "ocsp",
        }
    }
}

impl FromStr for TrustItemKind {
    type Err = ();
    fn from_str(s: &str) -> Result<Self, ()> {
        match s {
            "anchor" => Ok(TrustItemKind::Anchor),
            "intermediate" => Ok(TrustItemKind::Intermediate),
            "crl" => Ok(TrustItemKind::Crl),
            "ocsp" => Ok(TrustItemKind::Ocsp),
            _ => Err(()),
        }
    }
}

impl fmt::Display for TrustItemKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One item of the trust store.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrustItem {
    /// Anchor, intermediate, CRL or OCSP response.
    pub kind: TrustItemKind,
    /// SHA-256 of its DER: its identity in the store and in the audit log.
    pub sha256: Sha256,
    /// The certificate's subject, the CRL's issuer, or the CA an OCSP response answers for.
    pub name: String,
    /// When it was added.
    #[serde(with = "time::serde::rfc3339")]
    pub added_at: OffsetDateTime,
}

/// The trust material a verification uses (DER).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustMaterial {
    /// Trust anchors.
    pub anchors: Vec<Vec<u8>>,
    /// Intermediates.
    pub intermediates: Vec<Vec<u8>>,
    /// Revocation evidence: CRLs, and OCSP responses (told apart by their shape).
    pub crls: Vec<Vec<u8>>,
}

impl TrustMaterial {
    /// This material with `given` added after it: the one way every door (the vault, the
    /// CLI's `--trust`/`--crl`, the C ABI's options) combines a vault's trust store and
    /// kept evidence with a caller's own material. Order is kept (the store's items
    /// first: among issuer candidates that rank alike the path search tries them first)
    /// and an item given twice is kept once.
    pub fn with(mut self, given: TrustMaterial) -> TrustMaterial {
        fn add(to: &mut Vec<Vec<u8>>, more: Vec<Vec<u8>>) {
            for der in more {
                if !to.contains(&der) {
                    to.push(der);
                }
            }
        }
        add(&mut self.anchors, given.anchors);
        add(&mut self.intermediates, given.intermediates);
        add(&mut self.crls, given.crls);
        self
    }

    /// "These bytes under this trust at this time": the context to validate a signature
    /// at `at` against this material, with a proof of existence `poe` if one is known,
    /// under `policy`. One constructor for the vault, the CLI and the C ABI.
    pub fn context<'a>(
        &'a self,
        at: OffsetDateTime,
        poe: Option<OffsetDateTime>,
        policy: &'a crate::verify::signature::Policy,
    ) -> crate::verify::signature::ValidationContext<'a> {
        crate::verify::signature::ValidationContext {
            anchors: &self.anchors,
            intermediates: &self.intermediates,
            crls: &self.crls,
            validation_time: at,
            proof_of_existence: poe,
            policy,
            all_signers: false,
            chain_cache: None,
        }
    }

    /// Sorts stored items (with their DER) into anchors, intermediates and CRLs.
    pub(crate) fn from_items(items: Vec<(TrustItem, Vec<u8>)>) -> TrustMaterial {
        let mut material = TrustMaterial::default();
        for (item, der) in items {
            match item.kind {
                TrustItemKind::Anchor => material.anchors.push(der),
                TrustItemKind::Intermediate => material.intermediates.push(der),
                TrustItemKind::Crl | TrustItemKind::Ocsp => material.crls.push(der),
            }
        }
        material
    }
}

/// Why an item was refused.
pub(crate) fn refuse(why: impl Into<String>) -> crate::error::Error {
    crate::error::Error::TrustRefused(why.into())
}

/// Checks a certificate offered as anchor or intermediate: DER X.509, and a CA (cA=true).
/// Returns its subject.
pub(crate) fn check_certificate(der: &[u8]) -> Result<String, crate::error::Error> {
    let cert = match X509Certificate::from_der(der) {
        Ok(([], cert)) => cert,
        _ => return Err(refuse("not a DER X.509 certificate")),
    };
    match cert.basic_constraints() {
        Ok(Some(bc)) if bc.value.ca => Ok(cert.subject().to_string()),
        _ => Err(refuse(format!(
            "{} is not a CA certificate (basicConstraints cA is not true)",
            cert.subject()
        ))),
    }
}

/// How many issuers [`chains_to_anchor`] follows at most: paths of the national PKI are
/// two or three certificates long.
const MAX_INTERMEDIATE_DEPTH: usize = 8;

/// Checks a certificate offered as an intermediate: a CA certificate (see
/// [`check_certificate`]) issued, by name and signature, by a stored anchor, or by a
/// stored intermediate that is itself so issued. A CA of a PKI the vault does not trust
/// is refused: kept, it would be one relabelling away from an anchor.
pub(crate) fn check_intermediate(
    der: &[u8],
    anchors: &[Vec<u8>],
    intermediates: &[Vec<u8>],
) -> Result<String, crate::error::Error> {
    let name = check_certificate(der)?;
    if chains_to_anchor(der, anchors, intermediates) {
        Ok(name)
    } else {
        Err(refuse(format!(
            "{name} is not issued by a stored anchor, nor by an intermediate that is: add its anchor (or its issuer) first"
        )))
    }
}

/// Whether `der` is issued (name and signature) by an anchor, directly or through
/// intermediates, in at most [`MAX_INTERMEDIATE_DEPTH`] steps. Validity periods are not
/// looked at: a path is judged at each verification's own time.
fn chains_to_anchor(der: &[u8], anchors: &[Vec<u8>], intermediates: &[Vec<u8>]) -> bool {
    fn parse(d: &[u8]) -> Option<X509Certificate<'_>> {
        X509Certificate::from_der(d).ok().map(|(_, c)| c)
    }
    let issued_by = |child: &X509Certificate<'_>, issuer: &X509Certificate<'_>| {
        crate::verify::names::same_name(child.issuer(), issuer.subject())
            && crypto::verify_issued(
                issuer.public_key(),
                &child.signature_algorithm,
                child.tbs_certificate.as_ref(),
                &child.signature_value.data,
                false,
            ) == CryptoOutcome::Valid
    };
    let anchors: Vec<_> = anchors.iter().filter_map(|d| parse(d)).collect();
    let intermediates: Vec<_> = intermediates.iter().filter_map(|d| parse(d)).collect();
    let Some(mut current) = parse(der) else { return false };
    let mut used = vec![false; intermediates.len()];
    for _ in 0..MAX_INTERMEDIATE_DEPTH {
        if anchors.iter().any(|a| issued_by(&current, a)) {
            return true;
        }
        let next = (0..intermediates.len()).find(|&i| !used[i] && issued_by(&current, &intermediates[i]));
        match next {
            Some(i) => {
                used[i] = true;
                current = intermediates[i].clone();
            }
            None => return false,
        }
    }
    false
}

/// Checks an OCSP response against the stored CA certificates: signed by one of them or by
/// a responder it authorized (id-kp-OCSPSigning), about certificates it issued. Returns
/// that CA's name.
pub(crate) fn check_ocsp(der: &[u8], cas: &[Vec<u8>]) -> Result<String, crate::error::Error> {
    crate::verify::ocsp::check_for_store(der, cas).map_err(|why| refuse(format!("the OCSP response: {why}")))
}

/// Checks a CRL against the stored CA certificates: DER, issued and signed by one of them
/// (with cRLSign when that issuer has a keyUsage), with a cRLNumber. Returns its issuer.
pub(crate) fn check_crl(der: &[u8], issuers: &[Vec<u8>]) -> Result<String, crate::error::Error> {
    let crl = match CertificateRevocationList::from_der(der) {
        Ok(([], crl)) => crl,
        _ => return Err(refuse("not a DER CRL")),
    };
    let name = crl.issuer().to_string();
    if crl.crl_number().is_none() {
        return Err(refuse(format!("the CRL of {name} has no cRLNumber")));
    }
    let mut named = false;
    for der in issuers {
        let Ok((_, issuer)) = X509Certificate::from_der(der) else {
            continue;
        };
        if issuer.subject().as_raw() != crl.issuer().as_raw() {
            continue;
        }
        named = true;
        let signed = crypto::verify_issued(
            issuer.public_key(),
            &crl.signature_algorithm,
            crl.tbs_cert_list.as_ref(),
            &crl.signature_value.data,
            false,
        );
        if signed != CryptoOutcome::Valid {
            continue;
        }
        if let Ok(Some(ku)) = issuer.key_usage() {
            if !ku.value.crl_sign() {
                return Err(refuse(format!("{name} may not sign CRLs (keyUsage lacks cRLSign)")));
            }
        }
        return Ok(name);
    }
    Err(refuse(if named {
        format!("the CRL's signature does not verify under any stored certificate of {name}")
    } else {
        format!("no stored anchor or intermediate is named {name}: add its issuer first")
    }))
}

/// The DER items in a buffer as certificates and CRLs arrive from files and callers: PEM
/// text (one or more blocks, any labels), or DER items one after the other (each a
/// SEQUENCE with a definite length). The error says why the bytes are neither.
pub fn pem_or_der_items(bytes: &[u8]) -> Result<Vec<Vec<u8>>, String> {
    let text_start = bytes
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(bytes.len());
    if bytes[text_start..].starts_with(b"-----BEGIN") {
        let mut items = Vec::new();
        for pem in x509_parser::pem::Pem::iter_from_buffer(bytes) {
            items.push(pem.map_err(|e| format!("bad PEM ({e})"))?.contents);
        }
        return Ok(items);
    }
    let mut items = Vec::new();
    let mut rest = bytes;
    while !rest.is_empty() {
        let len = der_item_len(rest).ok_or("neither PEM nor DER (a truncated or malformed item)")?;
        let (item, tail) = rest.split_at(len);
        items.push(item.to_vec());
        rest = tail;
    }
    if items.is_empty() {
        return Err("empty".into());
    }
    Ok(items)
}

/// The length of the DER SEQUENCE at the start of `b`, header included, if it is whole.
fn der_item_len(b: &[u8]) -> Option<usize> {
    if b.len() < 2 || b[0] != 0x30 {
        return None;
    }
    let (header, body) = match b[1] {
        n @ 0..=0x7f => (2, n as usize),
        0x81..=0x84 => {
            let count = (b[1] & 0x7f) as usize;
            let digits = b.get(2..2 + count)?;
            (2 + count, digits.iter().fold(0usize, |acc, d| (acc << 8) | *d as usize))
        }
        _ => return None, // indefinite or absurd lengths are not DER
    };
    let total = header.checked_add(body)?;
    (total <= b.len()).then_some(total)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pem_or_der_items_split_concatenated_der_and_refuse_truncation() {
        let a = [0x30, 0x03, 1, 2, 3];
        let b = [0x30, 0x81, 0x01, 9];
        let both = [&a[..], &b[..]].concat();
        assert_eq!(pem_or_der_items(&both).unwrap(), vec![a.to_vec(), b.to_vec()]);
        assert!(pem_or_der_items(&both[..both.len() - 1]).is_err());
        assert!(pem_or_der_items(b"").is_err());
        assert!(
            pem_or_der_items(&[0x30, 0x80, 0, 0]).is_err(),
            "indefinite length is not DER"
        );
        let pem = b"-----BEGIN X-----\nMAMBAgM=\n-----END X-----\n-----BEGIN Y-----\nMIEBCQ==\n-----END Y-----\n";
        assert_eq!(pem_or_der_items(pem).unwrap(), vec![a.to_vec(), b.to_vec()]);
    }
}
