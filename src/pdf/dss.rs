//! The validation data a PDF carries: its Document Security Store (`/DSS`, ETSI EN 319
//! 142-1 §5.4.2, ISO 32000-2 §12.8.4.3) — certificates, CRLs and OCSP responses, listed
//! directly (`/Certs`, `/CRLs`, `/OCSPs`) and per signature (`/VRI`).
//!
//! Every revision's DSS is read, not only the last one: a later update can add evidence
//! but never withdraw it (an update that drops the CRL listing a revoked signer hides
//! nothing). What it adds vouches for nothing by being there: each certificate is used
//! only through a path to a trust anchor, each CRL and OCSP response only once its
//! issuer's signature verified. The revision where each piece first appears tells which
//! document timestamps cover it (B-LTA).

use std::collections::HashSet;

use super::object::{ObjId, Object};
use super::revision::Document;
use super::signature::find_signatures;
use super::{filters, PdfError};
use crate::hash::Sha256;

/// Most certificates, and most pieces of revocation evidence, read from one file's DSS.
const MAX_ITEMS: usize = 256;

/// Largest DSS stream read (a CRL of a national CA with 200,000 entries is ~6 MB).
const MAX_ITEM_BYTES: usize = 16 << 20;

/// Most bytes of validation data read from one file, all streams together: a file of
/// many large DSS streams adds nothing past it, rather than exhausting memory.
const MAX_TOTAL_BYTES: usize = 64 << 20;

/// The validation data of a PDF, every revision's.
#[derive(Debug, Default, Clone)]
pub struct FileEvidence {
    /// Certificates (DER), once each, in the order first found.
    pub certificates: Vec<Vec<u8>>,
    /// CRLs and OCSP responses (DER), once each, in the order first found.
    pub revocation: Vec<Vec<u8>>,
    /// For each entry of `revocation`: its SHA-256 and the first revision that lists it.
    pub revocation_first_seen: Vec<(Sha256, usize)>,
    /// For each entry of `certificates`: its SHA-256 and the first revision that lists it.
    pub certificate_first_seen: Vec<(Sha256, usize)>,
}

impl FileEvidence {
    /// The first revision whose DSS lists the revocation evidence with this SHA-256.
    pub fn first_seen(&self, sha256_hex: &str) -> Option<usize> {
        self.revocation_first_seen
            .iter()
            .find(|(h, _)| h.to_hex() == sha256_hex)
            .map(|(_, r)| *r)
    }

    /// The first revision whose DSS lists the certificate with this SHA-256.
    pub fn certificate_first_seen(&self, sha256_hex: &str) -> Option<usize> {
        self.certificate_first_seen
            .iter()
            .find(|(h, _)| h.to_hex() == sha256_hex)
            .map(|(_, r)| *r)
    }
}

/// Reads the DSS of every revision of `doc`. A revision whose DSS cannot be read adds
/// nothing (its evidence is not used); a file that is too complex to read is an error.
pub fn read(doc: &Document<'_>) -> Result<FileEvidence, PdfError> {
    let mut out = FileEvidence::default();
    let mut seen_streams: HashSet<(ObjId, usize)> = HashSet::new();
    let mut seen_certificates: HashSet<Sha256> = HashSet::new();
    let mut total = 0usize;
    for rev in 0..doc.revisions.len() {
        let dss = match doc.catalog(rev).and_then(|c| doc.dict(rev, c.get(b"DSS"))) {
            Ok(Some(dss)) => dss,
            Ok(None) => continue,
            Err(e @ PdfError::TooComplex(_)) => return Err(e),
            Err(_) => continue,
        };
        let mut lists: Vec<(bool, Object)> = Vec::new();
        for (key, is_cert) in [(&b"Certs"[..], true), (b"CRLs", false), (b"OCSPs", false)] {
            if let Some(list) = dss.get(key) {
                lists.push((is_cert, list.clone()));
            }
        }
        // Per-signature entries (/VRI << /<hash> << /Cert […] /CRL […] /OCSP […] >> >>).
        if let Ok(Some(vri)) = doc.dict(rev, dss.get(b"VRI")) {
            for (_, entry) in vri.entries.iter().take(MAX_ITEMS) {
                let Ok(Some(entry)) = doc.dict(rev, Some(entry)) else {
                    continue;
                };
                for (key, is_cert) in [(&b"Cert"[..], true), (b"CRL", false), (b"OCSP", false)] {
                    if let Some(list) = entry.get(key) {
                        lists.push((is_cert, list.clone()));
                    }
                }
            }
        }
        for (is_cert, list) in lists {
            let items = match doc.resolve(rev, &list) {
                Ok(Object::Array(items)) => items,
                Err(e @ PdfError::TooComplex(_)) => return Err(e),
                _ => continue,
            };
            for item in items {
                let Object::Ref(id) = item else { continue };
                let Some(der) = stream_data(doc, rev, id, &mut seen_streams)? else {
                    continue;
                };
                total = total.saturating_add(der.len());
                if total > MAX_TOTAL_BYTES {
                    return Ok(out);
                }
                let digest = Sha256::of(&der);
                if is_cert {
                    if out.certificates.len() < MAX_ITEMS && seen_certificates.insert(digest) {
                        out.certificates.push(der);
                        out.certificate_first_seen.push((digest, rev));
                    }
                } else if out.revocation.len() < MAX_ITEMS
                    && !out.revocation_first_seen.iter().any(|(h, _)| *h == digest)
                {
                    out.revocation.push(der);
                    out.revocation_first_seen.push((digest, rev));
                }
            }
        }
    }
    Ok(out)
}

/// The decoded data of stream `id` as of `rev`, unless this very object (same number,
/// same place in the file) was read before or is not a readable stream.
fn stream_data(
    doc: &Document<'_>,
    rev: usize,
    id: ObjId,
    seen: &mut HashSet<(ObjId, usize)>,
) -> Result<Option<Vec<u8>>, PdfError> {
    let indirect = match doc.indirect(rev, id) {
        Ok(Some(indirect)) => indirect,
        Ok(None) => return Ok(None),
        Err(e @ PdfError::TooComplex(_)) => return Err(e),
        Err(_) => return Ok(None),
    };
    if !seen.insert((id, indirect.span.start)) {
        return Ok(None);
    }
    let (Some(dict), Some(raw)) = (indirect.dict(), indirect.stream) else {
        return Ok(None);
    };
    if raw.end.saturating_sub(raw.start) > MAX_ITEM_BYTES {
        return Ok(None);
    }
    match filters::decode(dict, &doc.data[raw.start..raw.end], &doc.budget) {
        Ok(data) if data.len() <= MAX_ITEM_BYTES => Ok(Some(data)),
        Ok(_) => Ok(None),
        Err(e @ PdfError::TooComplex(_)) => Err(e),
        Err(_) => Ok(None),
    }
}

/// Every certificate a PDF carries, unverified: those of each signature's CMS and of
/// every revision's DSS, once each. What the vault's revocation refresh reads the
/// distribution points and OCSP responders of a PDF's signers from.
pub(crate) fn carried_certificates(data: &[u8]) -> Result<Vec<Vec<u8>>, PdfError> {
    let _work = crate::verify::budget::WorkScope::enter();
    let doc = Document::parse(data)?;
    let mut certificates: Vec<Vec<u8>> = Vec::new();
    for signature in find_signatures(&doc)? {
        let cms = signature.contents().map(|c| c.bytes.as_slice()).unwrap_or_default();
        certificates.extend(crate::verify::cms::carried_certificates(cms));
    }
    certificates.extend(read(&doc)?.certificates);
    let mut seen = std::collections::HashSet::new();
    certificates.retain(|c| seen.insert(crate::hash::Sha256::of(c)));
    Ok(certificates)
}
