//! One CRL read once: what `verify/crl.rs` needs of it that does not depend on the
//! certificate, and its listing as a map from serial number to revocation time, so that a
//! national CA's CRL of 200,000 entries (about 8 MB) costs a lookup per verification
//! instead of a parse and a scan.
//!
//! A cache of indexes (`IndexCache`) keeps them across validations: a
//! [`super::path::ChainCache`] holds one, so there is one per trust state in the vault. An
//! index is only ever used for the exact bytes it was built from: a trust state's CRLs
//! given to [`super::path::ChainCache::with_crls`] are found by identity (a pointer
//! comparison with the cache's own copy), any other CRL after comparing every byte.

use std::collections::HashMap;
use std::ops::Range;
use std::sync::{Arc, Mutex, OnceLock};

use x509_parser::prelude::FromDer;
use x509_parser::revocation_list::CertificateRevocationList;
use x509_parser::x509::{AlgorithmIdentifier, SubjectPublicKeyInfo, X509Name};

use super::crl;
use super::crypto::{self, CryptoOutcome};

/// A CRL's listing and the facts of it that do not depend on the certificate, built once
/// from its DER ([`CrlIndex::from_der`]).
///
/// The index says what the CRL *contains*; whether it is authentic, in scope or current
/// for a given certificate is decided at each validation (`verify/path.rs`,
/// `verify/crl.rs`).
pub struct CrlIndex {
    /// The issuer's Name, DER.
    issuer: Vec<u8>,
    /// The issuer's Name, as people read it.
    issuer_text: String,
    /// The key identifier of its authorityKeyIdentifier, if it has one.
    authority_key_id: Option<Vec<u8>>,
    this_update: i64,
    next_update: Option<i64>,
    /// What `crl.rs` reads of its extensions and entries; `Err`: a rule it breaks.
    facts: Result<crl::Facts, String>,
    /// Serial (leading zero octets stripped, as `path::strip_zeros` does) → the earliest
    /// revocation listed for it, capped at thisUpdate; removeFromCRL entries left out.
    revoked: HashMap<Serial, i64>,
    /// Where the signed tbsCertList and the signatureAlgorithm are in the DER.
    tbs: Range<usize>,
    algorithm: Range<usize>,
    /// The signature value's bits.
    signature: Vec<u8>,
    /// Length of the DER it was built from (a sanity check on the bytes given back).
    der_len: usize,
    /// Signature checks made: (legacy algorithms admitted, issuer's SubjectPublicKeyInfo
    /// DER, verified). Sound because an index is used only for its own bytes.
    checked: Mutex<Vec<(bool, Vec<u8>, bool)>>,
    /// SHA-256 of the DER, computed on first request.
    sha256: OnceLock<[u8; 32]>,
}

impl std::fmt::Debug for CrlIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CrlIndex")
            .field("issuer", &self.issuer_text)
            .field("this_update", &self.this_update)
            .field("next_update", &self.next_update)
            .field("serials", &self.revoked.len())
            .finish_non_exhaustive()
    }
}

/// Signature checks remembered per index before the memo is emptied.
const MAX_CHECKS_PER_INDEX: usize = 16;

impl CrlIndex {
    /// Reads the CRL `der` once. `None` when it is not a CRL x509-parser can read (as
    /// good as absent for validation). Trailing bytes after the CRL are ignored, as the
    /// validator always has.
    pub fn from_der(der: &[u8]) -> Option<CrlIndex> {
        let Ok((_, crl)) = CertificateRevocationList::from_der(der) else {
            return None;
        };
        let this_update = crl.last_update().timestamp();
        let mut revoked: HashMap<Serial, i64> = HashMap::with_capacity(crl.tbs_cert_list.revoked_certificates.len());
        for entry in crl.iter_revoked_certificates() {
            // In a delta CRL, removeFromCRL takes a certificate off hold: not a revocation.
            if matches!(entry.reason_code(), Some((_, code)) if code.0 == crl::REMOVE_FROM_CRL) {
                continue;
            }
            // A CRL lists revocations in force when it is issued: a later date reads as
            // its thisUpdate. Several entries for one serial: the earliest counts.
            let when = entry.revocation_date.timestamp().min(this_update);
            revoked
                .entry(Serial::new(super::path::strip_zeros(entry.raw_serial())))
                .and_modify(|r| *r = (*r).min(when))
                .or_insert(when);
        }
        // The signed part and the algorithm, as offsets into `der` (x509-parser borrows
        // from it): the signature is checked later against the bytes given then.
        let tbs_raw = crl.tbs_cert_list.as_ref();
        let tbs_start = (tbs_raw.as_ptr() as usize).checked_sub(der.as_ptr() as usize)?;
        let tbs = tbs_start..tbs_start + tbs_raw.len();
        let after = der.get(tbs.end..)?;
        let (_, _, rest) = crl::tlv(after)?;
        let algorithm = tbs.end..tbs.end + (after.len() - rest.len());
        Some(CrlIndex {
            issuer: crl.issuer().as_raw().to_vec(),
            issuer_text: crl.issuer().to_string(),
            authority_key_id: crl::authority_key_id(&crl),
            this_update,
            next_update: crl.next_update().map(|t| t.timestamp()),
            facts: crl::facts(&crl),
            revoked,
            tbs,
            algorithm,
            signature: crl.signature_value.data.to_vec(),
            der_len: der.len(),
            checked: Mutex::new(Vec::new()),
            sha256: OnceLock::new(),
        })
    }

    /// When the CRL says the certificate with serial `serial` (its DER INTEGER content;
    /// leading zero octets do not matter) was revoked: its earliest entry's
    /// revocationDate, or thisUpdate if that is earlier. `None` if it does not list it,
    /// or lists it only as removeFromCRL.
    pub fn revoked_at(&self, serial: &[u8]) -> Option<i64> {
        self.revoked.get(super::path::strip_zeros(serial)).copied()
    }

    /// How many distinct serials it lists as revoked.
    pub fn serials(&self) -> usize {
        self.revoked.len()
    }

    /// Its thisUpdate (Unix seconds).
    pub fn this_update(&self) -> i64 {
        self.this_update
    }

    /// Its nextUpdate (Unix seconds), if it has one.
    pub fn next_update(&self) -> Option<i64> {
        self.next_update
    }

    /// Its issuer's name, as people read it.
    pub fn issuer(&self) -> &str {
        &self.issuer_text
    }

    /// The facts `crl::apply` reads; `Err` when the CRL breaks a rule.
    pub(super) fn facts(&self) -> Result<&crl::Facts, String> {
        self.facts.as_ref().map_err(Clone::clone)
    }

    /// Whether its issuer is `name` (RFC 5280 §7.1 comparison).
    pub(super) fn issued_by_name(&self, name: &X509Name<'_>) -> bool {
        if self.issuer == name.as_raw() {
            return true;
        }
        match X509Name::from_der(&self.issuer) {
            Ok((_, issuer)) => super::names::same_name(&issuer, name),
            Err(_) => false,
        }
    }

    /// Whether it can be the CRL of a key whose subjectKeyIdentifier is `issuer_skid`: an
    /// authorityKeyIdentifier naming another key is another key's CRL (a CA key
    /// rollover), skipped without verifying its signature.
    pub(super) fn may_be_signed_by(&self, issuer_skid: Option<&[u8]>) -> bool {
        match (self.authority_key_id.as_deref(), issuer_skid) {
            (Some(a), Some(s)) => a == s,
            _ => true,
        }
    }

    /// Whether `der` (the bytes this index was built from) verifies under `key`;
    /// remembered per key.
    pub(super) fn signed_by(&self, der: &[u8], key: &SubjectPublicKeyInfo<'_>, legacy: bool) -> bool {
        debug_assert_eq!(der.len(), self.der_len, "an index used for other bytes");
        {
            let checked = self.checked.lock().unwrap_or_else(|p| p.into_inner());
            if let Some(&(_, _, known)) = checked.iter().find(|(l, k, _)| *l == legacy && k == key.raw) {
                return known;
            }
        }
        let verified = match (der.get(self.tbs.clone()), der.get(self.algorithm.clone())) {
            (Some(tbs), Some(algorithm)) => match AlgorithmIdentifier::from_der(algorithm) {
                Ok((_, algorithm)) => {
                    crypto::verify_issued(key, &algorithm, tbs, &self.signature, legacy) == CryptoOutcome::Valid
                }
                Err(_) => false,
            },
            _ => false,
        };
        let mut checked = self.checked.lock().unwrap_or_else(|p| p.into_inner());
        if checked.len() >= MAX_CHECKS_PER_INDEX {
            checked.clear();
        }
        checked.push((legacy, key.raw.to_vec(), verified));
        verified
    }

    /// SHA-256 of `der`, the bytes this index was built from (computed once).
    pub(super) fn sha256(&self, der: &[u8]) -> [u8; 32] {
        *self.sha256.get_or_init(|| {
            let mut out = [0u8; 32];
            out.copy_from_slice(ring::digest::digest(&ring::digest::SHA256, der).as_ref());
            out
        })
    }

    /// Approximate heap bytes held (for the cache's bound on memory).
    fn heap_size(&self) -> usize {
        let long: usize = self.revoked.keys().map(Serial::heap_size).sum();
        // A map slot: the key, an i64 and a control byte.
        long + self.revoked.capacity() * (std::mem::size_of::<(Serial, i64)>() + 1)
            + self.issuer.len()
            + self.issuer_text.len()
            + self.signature.len()
    }
}

/// A serial number's octets as a map key: inline when short (every conforming serial is
/// at most 20 octets), so that 200,000 entries are not 200,000 allocations.
#[derive(Clone)]
enum Serial {
    Short { len: u8, bytes: [u8; SHORT_SERIAL] },
    Long(Box<[u8]>),
}

const SHORT_SERIAL: usize = 22;

impl Serial {
    fn new(octets: &[u8]) -> Serial {
        if octets.len() <= SHORT_SERIAL {
            let mut bytes = [0u8; SHORT_SERIAL];
            bytes[..octets.len()].copy_from_slice(octets);
            Serial::Short {
                len: octets.len() as u8,
                bytes,
            }
        } else {
            Serial::Long(octets.into())
        }
    }

    fn as_slice(&self) -> &[u8] {
        match self {
            Serial::Short { len, bytes } => &bytes[..*len as usize],
            Serial::Long(octets) => octets,
        }
    }

    fn heap_size(&self) -> usize {
        match self {
            Serial::Short { .. } => 0,
            Serial::Long(octets) => octets.len(),
        }
    }
}

// Equality and hashing are those of the octets, so that a map of `Serial` is searched
// with a `&[u8]` (`Borrow` requires it).
impl PartialEq for Serial {
    fn eq(&self, other: &Serial) -> bool {
        self.as_slice() == other.as_slice()
    }
}

impl Eq for Serial {}

impl std::hash::Hash for Serial {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.as_slice().hash(state)
    }
}

impl std::borrow::Borrow<[u8]> for Serial {
    fn borrow(&self) -> &[u8] {
        self.as_slice()
    }
}

/// Indexes kept for CRLs that are not pinned, before the least recently used is evicted.
pub(super) const MAX_CACHED_INDEXES: usize = 64;

/// Bytes (DER kept for comparison, plus the index) held for CRLs that are not pinned;
/// the least recently used CRL is evicted whole to stay under it, and a larger one is
/// indexed per validation without being kept.
pub(super) const MAX_CACHED_BYTES: usize = 128 << 20;

/// Indexes shared across validations. An index is used only for the exact bytes it was
/// built from, established in one of two ways:
///
/// - **pinned** CRLs (a trust state's, given to [`IndexCache::pinned`]): the cache owns
///   their bytes and never changes them, so a slice at the same address and of the same
///   length as one of them *is* that CRL: a lookup costs a pointer comparison. Callers
///   get this by passing the cache's own copies (`ChainCache::crls`). A pointer compared
///   with anything else proves nothing (an allocation can be freed and reused for other
///   bytes), so nothing else is looked up by address.
/// - **other** CRLs: kept with a copy of their bytes, found by length and their first and
///   last 64 bytes (the end is the signature), and confirmed by comparing every byte: a
///   CRL that differs anywhere, even with the same length, start and signature, never
///   reuses another's index. That comparison (about a millisecond for 8 MB) replaces a
///   parse; hashing the bytes instead would cost more.
#[derive(Debug, Default)]
pub(crate) struct IndexCache {
    /// The pinned CRLs, never changed once the cache is made.
    pinned: Vec<Vec<u8>>,
    /// Their indexes, in the same order, built on first use (`None`: not a readable CRL).
    pinned_indexes: Vec<OnceLock<Option<Arc<CrlIndex>>>>,
    seen: Mutex<Seen>,
    /// OCSP responses read before, by their exact bytes (a response is a few KB: the
    /// bytes are the key), with the signer checks they remember.
    ocsp: Mutex<std::collections::HashMap<Vec<u8>, Arc<super::ocsp::Parsed>>>,
}

/// OCSP responses kept parsed before the map is emptied (a bound on memory).
const MAX_OCSP_RESPONSES: usize = 1024;

#[derive(Debug, Default)]
struct Seen {
    entries: Vec<SeenEntry>,
    /// Sum of the entries' `cost`.
    bytes: usize,
    /// Use counter, for least-recently-used eviction.
    clock: u64,
}

#[derive(Debug)]
struct SeenEntry {
    der: Arc<[u8]>,
    index: Arc<CrlIndex>,
    cost: usize,
    last_used: u64,
}

/// Bytes compared at each end before a full comparison.
const EDGE: usize = 64;

/// Whether `a` and `b` may be the same bytes: same length, same first and last bytes.
fn same_edges(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len()
        && a[..a.len().min(EDGE)] == b[..b.len().min(EDGE)]
        && a[a.len().saturating_sub(EDGE)..] == b[b.len().saturating_sub(EDGE)..]
}

impl IndexCache {
    /// The OCSP response `der`, parsed (once per cache); `None` when it is not one.
    pub(super) fn ocsp_response(&self, der: &[u8]) -> Option<Arc<super::ocsp::Parsed>> {
        let mut known = self.ocsp.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(parsed) = known.get(der) {
            return Some(parsed.clone());
        }
        let parsed = Arc::new(super::ocsp::parse(der).ok()?);
        if known.len() >= MAX_OCSP_RESPONSES {
            known.clear();
        }
        known.insert(der.to_vec(), parsed.clone());
        Some(parsed)
    }

    /// A cache that owns `crls` (a trust state's) and indexes each on first use.
    pub(crate) fn pinned(crls: Vec<Vec<u8>>) -> IndexCache {
        IndexCache {
            pinned_indexes: crls.iter().map(|_| OnceLock::new()).collect(),
            pinned: crls,
            seen: Mutex::default(),
            ocsp: Mutex::default(),
        }
    }

    /// The pinned CRLs, in the order given.
    pub(crate) fn pinned_crls(&self) -> &[Vec<u8>] {
        &self.pinned
    }

    /// The index of the CRL `der`, from the cache when these exact bytes were indexed
    /// before; built (and kept, within the bounds) otherwise. `None`: not a readable CRL.
    pub(crate) fn index(&self, der: &[u8]) -> Option<Arc<CrlIndex>> {
        let pinned = |i: usize| {
            self.pinned_indexes[i]
                .get_or_init(|| CrlIndex::from_der(&self.pinned[i]).map(Arc::new))
                .clone()
        };
        // Identity with a buffer this cache owns (see the type's documentation).
        if let Some(i) = self
            .pinned
            .iter()
            .position(|p| std::ptr::eq(p.as_ptr(), der.as_ptr()) && p.len() == der.len())
        {
            return pinned(i);
        }
        // Equal bytes elsewhere (a copy of a pinned CRL).
        if let Some(i) = self
            .pinned
            .iter()
            .position(|p| same_edges(p, der) && p.as_slice() == der)
        {
            return pinned(i);
        }
        // The candidates are compared in full outside the lock: a memcmp of megabytes
        // should not hold up other validations.
        let candidates: Vec<(Arc<[u8]>, Arc<CrlIndex>)> = {
            let seen = self.seen.lock().unwrap_or_else(|p| p.into_inner());
            seen.entries
                .iter()
                .filter(|e| same_edges(&e.der, der))
                .map(|e| (e.der.clone(), e.index.clone()))
                .collect()
        };
        if let Some((kept, index)) = candidates.into_iter().find(|(kept, _)| **kept == *der) {
            let mut seen = self.seen.lock().unwrap_or_else(|p| p.into_inner());
            seen.clock += 1;
            let now = seen.clock;
            if let Some(e) = seen.entries.iter_mut().find(|e| Arc::ptr_eq(&e.der, &kept)) {
                e.last_used = now;
            }
            return Some(index);
        }
        let index = Arc::new(CrlIndex::from_der(der)?);
        let cost = der.len() + index.heap_size();
        if cost <= MAX_CACHED_BYTES {
            let mut seen = self.seen.lock().unwrap_or_else(|p| p.into_inner());
            // Another thread may have indexed the same bytes meanwhile: keep one.
            if let Some(e) = seen.entries.iter().find(|e| same_edges(&e.der, der) && *e.der == *der) {
                return Some(e.index.clone());
            }
            while !seen.entries.is_empty()
                && (seen.entries.len() >= MAX_CACHED_INDEXES || seen.bytes + cost > MAX_CACHED_BYTES)
            {
                let oldest = (0..seen.entries.len())
                    .min_by_key(|&i| seen.entries[i].last_used)
                    .unwrap_or(0);
                let evicted = seen.entries.swap_remove(oldest);
                seen.bytes -= evicted.cost;
            }
            seen.clock += 1;
            let last_used = seen.clock;
            seen.bytes += cost;
            seen.entries.push(SeenEntry {
                der: Arc::from(der),
                index: index.clone(),
                cost,
                last_used,
            });
        }
        Some(index)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    impl IndexCache {
        /// Whether it holds (not pinned) an index for exactly `der`.
        fn holds(&self, der: &[u8]) -> bool {
            let seen = self.seen.lock().unwrap();
            seen.entries.iter().any(|e| *e.der == *der)
        }

        fn held(&self) -> usize {
            self.seen.lock().unwrap().entries.len()
        }
    }

    /// `n` distinct CRLs of one CA (rcgen), numbered from 1.
    fn crls(n: u64) -> Vec<Vec<u8>> {
        use rcgen::{
            BasicConstraints, CertificateParams, CertificateRevocationListParams, DnType, IsCa, KeyIdMethod, KeyPair,
            KeyUsagePurpose, SerialNumber,
        };
        let now = time::OffsetDateTime::now_utc();
        let mut ca = CertificateParams::default();
        ca.distinguished_name.push(DnType::CommonName, "CA");
        ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        ca.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        let issuer = rcgen::Issuer::new(ca, KeyPair::generate().unwrap());
        (1..=n)
            .map(|number| {
                CertificateRevocationListParams {
                    this_update: now,
                    next_update: now + time::Duration::days(1),
                    crl_number: SerialNumber::from(number),
                    issuing_distribution_point: None,
                    revoked_certs: Vec::new(),
                    key_identifier_method: KeyIdMethod::Sha256,
                }
                .signed_by(&issuer)
                .unwrap()
                .der()
                .to_vec()
            })
            .collect()
    }

    #[test]
    fn the_cache_keeps_at_most_64_crls_and_evicts_the_least_recently_used() {
        let crls = crls(MAX_CACHED_INDEXES as u64 + 6);
        let cache = IndexCache::default();
        let first = cache.index(&crls[0]).unwrap();
        for der in &crls[1..MAX_CACHED_INDEXES] {
            cache.index(der).unwrap();
        }
        assert_eq!(cache.held(), MAX_CACHED_INDEXES);
        // Used again (from another copy of the bytes): the same index, now the newest.
        assert!(Arc::ptr_eq(&first, &cache.index(&crls[0].clone()).unwrap()));
        for der in &crls[MAX_CACHED_INDEXES..] {
            cache.index(der).unwrap();
        }
        assert_eq!(cache.held(), MAX_CACHED_INDEXES);
        assert!(cache.holds(&crls[0]));
        // The least recently used went, whole.
        for der in &crls[1..7] {
            assert!(!cache.holds(der));
        }
        assert!(Arc::ptr_eq(&first, &cache.index(&crls[0]).unwrap()));
    }

    #[test]
    fn a_pinned_crl_is_indexed_once_and_other_bytes_are_not_pinned() {
        let crls = crls(2);
        let cache = IndexCache::pinned(vec![crls[0].clone()]);
        let pinned = cache.index(&cache.pinned_crls()[0]).unwrap();
        assert!(Arc::ptr_eq(&pinned, &cache.index(&cache.pinned_crls()[0]).unwrap()));
        // Equal bytes elsewhere: the pinned index, nothing more held.
        assert!(Arc::ptr_eq(&pinned, &cache.index(&crls[0]).unwrap()));
        assert_eq!(cache.held(), 0);
        // Other bytes: their own index.
        let other = cache.index(&crls[1]).unwrap();
        assert!(!Arc::ptr_eq(&pinned, &other));
        assert_eq!(cache.held(), 1);
        // Not a CRL: no index, nothing kept.
        assert!(cache.index(b"\x30\x03\x02\x01\x01").is_none());
        assert_eq!(cache.held(), 1);
    }
}
