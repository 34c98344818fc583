//! Certification path validation at a given time (RFC 5280 §6), with the profile checks
//! a document-signing validator needs, and the caller's CRLs.
//!
//! Paths are built from the signer towards the trust anchors by subject/issuer names and
//! key identifiers, depth first, under a budget of signature checks (hostile inputs can
//! offer exponentially many paths). Every candidate path is then checked in full; the
//! first that passes wins, otherwise the most specific reason found is returned.

use time::OffsetDateTime;
use x509_parser::certificate::X509Certificate;
use x509_parser::extensions::ParsedExtension;
use x509_parser::prelude::FromDer;
use x509_parser::revocation_list::CertificateRevocationList;

use super::crypto::{self, CryptoOutcome};
use super::names;
use super::profile;

/// Longest path searched, anchor included. `max_intermediates` is enforced on each
/// candidate path (self-issued certificates do not count against it), so the search
/// depth is a fixed bound against pathological chains.
const MAX_PATH_LEN: usize = 17;

/// Limits and requirements of one validation.
#[derive(Debug, Clone)]
pub struct PathOptions {
    /// Most intermediates (not counting self-issued ones) between signer and anchor.
    pub max_intermediates: Option<usize>,
    /// Extended key usages the signer's certificate must allow (dotted OIDs).
    pub required_eku: Vec<String>,
    /// Most signature verifications spent building paths.
    pub signature_budget: usize,
    /// Most name-constraint comparisons (names × subtrees) spent on one candidate path.
    pub name_constraint_budget: usize,
    /// Admit SHA-1 and 1024-bit RSA in certificate and CRL signatures (old results).
    pub allow_legacy_algorithms: bool,
}

impl Default for PathOptions {
    fn default() -> Self {
        PathOptions {
            max_intermediates: None,
            required_eku: Vec::new(),
            signature_budget: 200,
            name_constraint_budget: 250_000,
            allow_legacy_algorithms: false,
        }
    }
}

/// Why no valid path was found. Variants go from least to most specific: the most
/// specific reason met on any candidate path is reported ("expired" over "no chain").
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PathError {
    /// No chain from the certificate to any trust anchor.
    #[error("no certificate chain to a trust anchor was found")]
    NoChain,
    /// The path search ran out of budget.
    #[error("the path search exceeded its budget")]
    BudgetExhausted,
    /// A certificate of the candidate path breaks the RFC 5280 profile.
    #[error("{0}")]
    Profile(String),
    /// A certificate is outside its validity period at the validation time.
    #[error("{0}")]
    OutOfValidity(String),
    /// A certificate is revoked by one of the CRLs given, at or before the validation time.
    #[error("{detail}")]
    Revoked {
        /// When it was revoked (Unix seconds).
        revoked_at: i64,
        /// Which certificate, in words.
        detail: String,
    },
    /// The signer's certificate itself cannot be used.
    #[error("the certificate cannot be read: {0}")]
    Malformed(String),
}

/// A path that validated: the DER certificates from the signer to the trust anchor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidPath {
    /// Signer first, trust anchor last.
    pub chain: Vec<Vec<u8>>,
    /// The revocation status at the validation time of each certificate but the anchor,
    /// in chain order. `Unknown` is not "good": the verdict layer turns it into
    /// INDETERMINATE (TRY_LATER) under a policy that requires revocation data.
    pub revocation: Vec<Revocation>,
}

/// What the CRLs given say of one certificate at the validation time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Revocation {
    /// A CRL of its issuer, current at the validation time or issued after it, does not
    /// list it (or lists it as revoked only after the validation time).
    Good {
        /// Which of the caller's CRLs said so (its index in the slice given).
        crl: usize,
        /// The CRL's thisUpdate.
        crl_this_update: i64,
        /// The CRL's nextUpdate, if it has one: after it, this answer is stale.
        crl_next_update: Option<i64>,
        /// A revocation the CRL dates after the validation time: from then on the
        /// certificate is no longer good.
        revoked_later: Option<i64>,
    },
    /// No usable CRL of its issuer was given.
    Unknown,
}

impl PathError {
    fn rank(&self) -> u8 {
        match self {
            PathError::NoChain => 0,
            PathError::BudgetExhausted => 1,
            PathError::Profile(_) => 2,
            PathError::OutOfValidity(_) => 3,
            PathError::Revoked { .. } => 4,
            PathError::Malformed(_) => 5,
        }
    }
}

struct Cert<'a> {
    der: &'a [u8],
    x509: X509Certificate<'a>,
    anchor: bool,
}

fn parse(der: &[u8]) -> Option<X509Certificate<'_>> {
    match X509Certificate::from_der(der) {
        Ok(([], cert)) => Some(cert),
        _ => None,
    }
}

/// Validates `leaf` at `at` against `anchors`, building through `intermediates` and
/// checking revocation with `crls` (all DER).
pub fn validate(
    leaf: &[u8],
    intermediates: &[Vec<u8>],
    anchors: &[Vec<u8>],
    crls: &[Vec<u8>],
    at: OffsetDateTime,
    options: &PathOptions,
) -> Result<ValidPath, PathError> {
    validate_with(leaf, intermediates, anchors, crls, at, options, None)
}

/// [`validate`], remembering (and reusing) verified CRL signatures in `verified_crls`
/// when a [`ChainCache`] calls it.
fn validate_with(
    leaf: &[u8],
    intermediates: &[Vec<u8>],
    anchors: &[Vec<u8>],
    crls: &[Vec<u8>],
    at: OffsetDateTime,
    options: &PathOptions,
    verified_crls: Option<&VerifiedCrls>,
) -> Result<ValidPath, PathError> {
    let leaf = Cert {
        der: leaf,
        x509: parse(leaf).ok_or_else(|| PathError::Malformed("not a DER certificate".into()))?,
        anchor: false,
    };
    let mut pool: Vec<Cert<'_>> = Vec::new();
    for (ders, anchor) in [(anchors, true), (intermediates, false)] {
        for der in ders {
            if let Some(x509) = parse(der) {
                pool.push(Cert { der, x509, anchor });
            }
        }
    }
    let crl_ders = crls;
    let crls = parse_crls(crls);
    let mut search = Search {
        pool: &pool,
        crls: &crls,
        crl_ders,
        verified_crls,
        at: at.unix_timestamp(),
        options,
        budget: options.signature_budget,
        best: PathError::NoChain,
    };
    let mut path = vec![&leaf];
    match search.extend(&mut path) {
        Some((chain, revocation)) => Ok(ValidPath { chain, revocation }),
        None => Err(search.best),
    }
}

/// Paths already built, so that a signer seen again skips the path search and the
/// certificate signature checks (the costly part). Everything that depends on the time or
/// the CRLs is checked again on every use. Safe to share between threads.
#[derive(Debug, Default)]
pub struct ChainCache {
    paths: std::sync::Mutex<std::collections::HashMap<[u8; 32], Vec<Vec<u8>>>>,
    verified_crls: VerifiedCrls,
}

/// CRLs whose signature was verified, so that checking a cached path against the same
/// CRL again costs a byte comparison instead of a signature verification. Keyed by
/// whether legacy algorithms were admitted, the issuer's public key and the signature
/// value; the whole CRL is kept and compared, so a CRL that differs in any byte
/// (algorithm, list, signature) is verified afresh.
#[derive(Debug, Default)]
struct VerifiedCrls(std::sync::Mutex<std::collections::HashMap<VerifiedCrlKey, Vec<u8>>>);

/// (legacy algorithms admitted, issuer's SubjectPublicKeyInfo, signature value).
type VerifiedCrlKey = (bool, Vec<u8>, Vec<u8>);

/// Verified CRLs kept before the memo is emptied (a bound on memory).
const MAX_VERIFIED_CRLS: usize = 256;

/// Paths kept before the cache is emptied (a bound on memory: a path is a few KB).
const MAX_CACHED_PATHS: usize = 4096;

impl VerifiedCrls {
    fn contains(&self, legacy: bool, issuer_key: &[u8], signature: &[u8], crl: &[u8]) -> bool {
        let memo = self.0.lock().unwrap_or_else(|p| p.into_inner());
        // The key is looked up as owned vectors: a short copy, far cheaper than a verification.
        memo.get(&(legacy, issuer_key.to_vec(), signature.to_vec()))
            .is_some_and(|kept| kept.as_slice() == crl)
    }

    fn insert(&self, legacy: bool, issuer_key: &[u8], signature: &[u8], crl: &[u8]) {
        let mut memo = self.0.lock().unwrap_or_else(|p| p.into_inner());
        if memo.len() >= MAX_VERIFIED_CRLS {
            memo.clear();
        }
        memo.insert((legacy, issuer_key.to_vec(), signature.to_vec()), crl.to_vec());
    }
}

impl ChainCache {
    /// An empty cache.
    pub fn new() -> ChainCache {
        ChainCache::default()
    }

    /// The process-wide cache, used by validations whose caller gave none
    /// ([`crate::verify::signature::ValidationContext::chain_cache`] `None`), so that a portal
    /// verifying one PDF per request still pays for a signer's path once. Sharing is
    /// sound: entries are keyed by the signer and every certificate pool, and everything
    /// that depends on the time or the CRLs is checked again on each use.
    pub fn shared() -> &'static ChainCache {
        static SHARED: std::sync::OnceLock<ChainCache> = std::sync::OnceLock::new();
        SHARED.get_or_init(ChainCache::default)
    }

    /// The cache key: the signer, the certificate pools the path may use, and whether
    /// legacy algorithms were admitted when its signatures were checked.
    fn key(leaf: &[u8], intermediates: &[Vec<u8>], anchors: &[Vec<u8>], legacy: bool) -> [u8; 32] {
        let mut ctx = ring::digest::Context::new(&ring::digest::SHA256);
        ctx.update(&[u8::from(legacy)]);
        for (tag, ders) in [
            (b'L', std::slice::from_ref(&leaf.to_vec())),
            (b'I', intermediates),
            (b'A', anchors),
        ] {
            for der in ders {
                ctx.update(&[tag]);
                ctx.update(&(der.len() as u64).to_be_bytes());
                ctx.update(der);
            }
        }
        let mut key = [0u8; 32];
        key.copy_from_slice(ctx.finish().as_ref());
        key
    }

    /// Like [`validate`], reusing the path found for the same signer and pools: it is
    /// checked again in full except for the certificate signatures, which were verified
    /// when it was built. If that check fails, a full validation runs.
    pub fn validate(
        &self,
        leaf: &[u8],
        intermediates: &[Vec<u8>],
        anchors: &[Vec<u8>],
        crls: &[Vec<u8>],
        at: OffsetDateTime,
        options: &PathOptions,
    ) -> Result<ValidPath, PathError> {
        let key = ChainCache::key(leaf, intermediates, anchors, options.allow_legacy_algorithms);
        let cached = self.paths.lock().unwrap_or_else(|p| p.into_inner()).get(&key).cloned();
        if let Some(chain) = cached {
            if let Some(revocation) = recheck(&chain, crls, at, options, &self.verified_crls) {
                return Ok(ValidPath { chain, revocation });
            }
        }
        let valid = validate_with(
            leaf,
            intermediates,
            anchors,
            crls,
            at,
            options,
            Some(&self.verified_crls),
        )?;
        let mut paths = self.paths.lock().unwrap_or_else(|p| p.into_inner());
        if paths.len() >= MAX_CACHED_PATHS {
            paths.clear();
        }
        paths.insert(key, valid.chain.clone());
        Ok(valid)
    }
}

/// The time-, CRL- and profile-dependent checks of a known path (signer first).
fn recheck(
    chain: &[Vec<u8>],
    crls: &[Vec<u8>],
    at: OffsetDateTime,
    options: &PathOptions,
    verified_crls: &VerifiedCrls,
) -> Option<Vec<Revocation>> {
    let last = chain.len().checked_sub(1)?;
    let certs: Vec<Cert<'_>> = chain
        .iter()
        .enumerate()
        .map(|(i, der)| {
            parse(der).map(|x509| Cert {
                der,
                x509,
                anchor: i == last,
            })
        })
        .collect::<Option<_>>()?;
    let crl_ders = crls;
    let crls = parse_crls(crls);
    let search = Search {
        pool: &[],
        crls: &crls,
        crl_ders,
        verified_crls: Some(verified_crls),
        at: at.unix_timestamp(),
        options,
        budget: 0,
        best: PathError::NoChain,
    };
    let path: Vec<&Cert<'_>> = certs.iter().collect();
    search.check(&path).ok()
}

struct Search<'s, 'a> {
    pool: &'s [Cert<'a>],
    crls: &'s [(usize, CertificateRevocationList<'a>)],
    /// The CRLs' DER, indexed as in `crls`.
    crl_ders: &'a [Vec<u8>],
    /// CRL signatures already verified (from a [`ChainCache`]).
    verified_crls: Option<&'s VerifiedCrls>,
    /// Validation time, floored to the second (as certificate times are).
    at: i64,
    options: &'s PathOptions,
    budget: usize,
    best: PathError,
}

impl<'s, 'a> Search<'s, 'a> {
    /// Keeps the most specific reason; among equally specific ones, the first found.
    fn note(&mut self, e: PathError) {
        if e.rank() > self.best.rank() {
            self.best = e;
        }
    }

    /// Depth-first: tries every issuer of the path's last certificate.
    fn extend(&mut self, path: &mut Vec<&'s Cert<'a>>) -> Option<(Vec<Vec<u8>>, Vec<Revocation>)> {
        let current = *path.last()?;
        let akid = authority_key_id(&current.x509);
        for candidate in self.pool {
            if candidate.x509.subject().as_raw() != current.x509.issuer().as_raw() {
                continue;
            }
            if let (Some(akid), Some(skid)) = (&akid, subject_key_id(&candidate.x509)) {
                if *akid != skid {
                    continue;
                }
            }
            // No certificate twice on one path (cycles), by DER or by name and key.
            if path.iter().any(|c| {
                c.der == candidate.der
                    || (c.x509.subject().as_raw() == candidate.x509.subject().as_raw()
                        && c.x509.public_key().raw == candidate.x509.public_key().raw)
            }) {
                continue;
            }
            if self.budget == 0 {
                self.note(PathError::BudgetExhausted);
                return None;
            }
            self.budget -= 1;
            if !signed_by(&current.x509, &candidate.x509, self.options.allow_legacy_algorithms) {
                continue;
            }
            path.push(candidate);
            if candidate.anchor {
                match self.check(path) {
                    Ok(revocation) => return Some((path.iter().map(|c| c.der.to_vec()).collect(), revocation)),
                    Err(e) => self.note(e),
                }
            } else if path.len() <= MAX_PATH_LEN {
                if let Some(chain) = self.extend(path) {
                    return Some(chain);
                }
            }
            path.pop();
        }
        None
    }

    /// The RFC 5280 checks of one complete candidate path (signer first, anchor last).
    fn check(&self, path: &[&Cert<'a>]) -> Result<Vec<Revocation>, PathError> {
        let last = path.len() - 1;
        let mut revocation = Vec::with_capacity(last);
        let mut nc_budget = self.options.name_constraint_budget;
        // Intermediates that count against path lengths: not self-issued.
        let counted = |from: usize, to: usize| (from..to).filter(|&i| i != 0 && !self_issued(&path[i].x509)).count();
        if let Some(max) = self.options.max_intermediates {
            if counted(1, last) > max {
                return Err(PathError::Profile(format!("more than {max} intermediate certificates")));
            }
        }
        for (i, cert) in path.iter().enumerate() {
            let x = &cert.x509;
            let what = if i == 0 {
                "the signer's certificate".to_string()
            } else if i == last {
                "the trust anchor".to_string()
            } else {
                format!("intermediate {i}")
            };
            let broken = |why: &str| PathError::Profile(format!("{what}: {why}"));
            let v = x.validity();
            if self.at < v.not_before.timestamp() {
                return Err(PathError::OutOfValidity(format!(
                    "{what} is not yet valid at the validation time"
                )));
            }
            if self.at > v.not_after.timestamp() {
                return Err(PathError::OutOfValidity(format!(
                    "{what} has expired at the validation time"
                )));
            }
            profile::check_common(x).map_err(|e| broken(&e))?;
            if i == 0 {
                profile::check_signer(x, &self.options.required_eku).map_err(|e| broken(&e))?;
            } else {
                profile::check_ca(x).map_err(|e| broken(&e))?;
                // pathLenConstraint: intermediates (not self-issued) below this CA.
                if let Ok(Some(bc)) = x.basic_constraints() {
                    if let Some(len) = bc.value.path_len_constraint {
                        if counted(1, i) > len as usize {
                            return Err(broken(&format!("pathLenConstraint {len} exceeded")));
                        }
                    }
                }
                // Name constraints apply to every certificate below, except self-issued
                // intermediates.
                if let Ok(Some(nc)) = x.name_constraints() {
                    if !nc.critical {
                        return Err(broken("nameConstraints must be critical"));
                    }
                    for (j, below) in path[..i].iter().enumerate() {
                        if j != 0 && self_issued(&below.x509) {
                            continue;
                        }
                        let names = profile::names_of(&below.x509).map_err(|e| broken(&e))?;
                        names::check(nc.value, &names, &mut nc_budget)
                            .map_err(|e| broken(&format!("name constraints: {e}")))?;
                    }
                }
            }
            // AKI on every certificate but a self-signed trust anchor.
            if !(i == last && self_issued(x)) && authority_key_id(x).is_none() {
                return Err(broken("no authorityKeyIdentifier"));
            }
            if i < last {
                revocation.push(self.check_revocation(x, &path[i + 1].x509).map_err(|e| match e {
                    PathError::Revoked { revoked_at, detail } => PathError::Revoked {
                        revoked_at,
                        detail: format!("{what} {detail}"),
                    },
                    other => other,
                })?);
            }
        }
        Ok(revocation)
    }

    /// The CRLs that `issuer` signed, applied to `cert` at the validation time. A CRL
    /// that is malformed or wrongly issued fails the path; a stale one (the validation
    /// time is past its nextUpdate) is not used.
    /// Whether `crl` (number `index`) verifies under `issuer`'s key, from the memo when
    /// this exact CRL was verified under that key before.
    fn crl_signed_by(&self, index: usize, crl: &CertificateRevocationList<'_>, issuer: &X509Certificate<'_>) -> bool {
        let der = &self.crl_ders[index];
        let key = issuer.public_key().raw;
        let signature = &crl.signature_value.data;
        let legacy = self.options.allow_legacy_algorithms;
        if self
            .verified_crls
            .is_some_and(|m| m.contains(legacy, key, signature, der))
        {
            return true;
        }
        let verified = crypto::verify_issued(
            issuer.public_key(),
            &crl.signature_algorithm,
            crl.tbs_cert_list.as_ref(),
            signature,
            legacy,
        ) == CryptoOutcome::Valid;
        if let (true, Some(memo)) = (verified, self.verified_crls) {
            memo.insert(legacy, key, signature, der);
        }
        verified
    }

    fn check_revocation(
        &self,
        cert: &X509Certificate<'_>,
        issuer: &X509Certificate<'_>,
    ) -> Result<Revocation, PathError> {
        let mut status = Revocation::Unknown;
        for (index, crl) in self
            .crls
            .iter()
            .filter(|(_, c)| c.issuer().as_raw() == issuer.subject().as_raw())
        {
            let bad = |why: &str| PathError::Profile(format!("CRL of {}: {why}", issuer.subject()));
            if !self.crl_signed_by(*index, crl, issuer) {
                return Err(bad("its signature does not verify"));
            }
            if let Ok(Some(ku)) = issuer.key_usage() {
                if !ku.value.crl_sign() {
                    return Err(bad("its issuer's keyUsage lacks cRLSign"));
                }
            }
            let mut number = false;
            // Whether this CRL's scope covers `cert` (RFC 5280 §5.2.5, §6.3.3), and
            // covers it for every reason.
            let mut in_scope = true;
            let mut complete = true;
            for ext in crl.extensions() {
                match ext.parsed_extension() {
                    ParsedExtension::CRLNumber(_) => {
                        if ext.critical {
                            return Err(bad("cRLNumber must not be critical"));
                        }
                        number = true;
                    }
                    ParsedExtension::IssuingDistributionPoint(idp) => {
                        let is_ca = matches!(cert.basic_constraints(), Ok(Some(bc)) if bc.value.ca);
                        if (idp.only_contains_user_certs && is_ca)
                            || (idp.only_contains_ca_certs && !is_ca)
                            || idp.only_contains_attribute_certs
                            || idp.indirect_crl
                        {
                            in_scope = false;
                        }
                        if idp.only_some_reasons.is_some() {
                            complete = false;
                        }
                    }
                    // A delta CRL only adds to a base CRL this validator does not pair it with.
                    _ if ext.oid.to_id_string() == "2.5.29.27" => in_scope = false,
                    _ if ext.critical => return Err(bad("unknown critical extension")),
                    _ => {}
                }
            }
            if !in_scope {
                continue;
            }
            if !number {
                return Err(bad("no cRLNumber"));
            }
            let serial = strip_zeros(cert.raw_serial());
            // Revoked at or before the validation time: the certificate was no longer good
            // then. (Revoked later: it still was; proof of existence decides the rest.)
            let mut revoked_later = None;
            if let Some(entry) = crl
                .iter_revoked_certificates()
                .find(|r| strip_zeros(r.raw_serial()) == serial)
            {
                if entry.revocation_date.timestamp() <= self.at {
                    return Err(PathError::Revoked {
                        revoked_at: entry.revocation_date.timestamp(),
                        detail: format!(
                            "was revoked at {}",
                            crate::verify::signature::rfc3339(entry.revocation_date.to_datetime())
                        ),
                    });
                }
                revoked_later = Some(entry.revocation_date.timestamp());
            }
            // Usable for the status at `at`: current then (thisUpdate <= at <= nextUpdate),
            // or issued after `at` (it lists every revocation up to its thisUpdate, so
            // one dated after `at`, or none, means the certificate was good at `at`).
            let this_update = crl.last_update().timestamp();
            let current = this_update >= self.at || crl.next_update().is_none_or(|next| self.at <= next.timestamp());
            if current && complete {
                status = Revocation::Good {
                    crl: *index,
                    crl_this_update: this_update,
                    crl_next_update: crl.next_update().map(|t| t.timestamp()),
                    revoked_later,
                };
            }
        }
        Ok(status)
    }
}

/// The CRLs that parse, with their index in `ders`; a malformed one is as good as absent
/// (revocation stays unknown).
fn parse_crls(ders: &[Vec<u8>]) -> Vec<(usize, CertificateRevocationList<'_>)> {
    ders.iter()
        .enumerate()
        .filter_map(|(i, der)| CertificateRevocationList::from_der(der).ok().map(|(_, crl)| (i, crl)))
        .collect()
}

pub(super) fn strip_zeros(bytes: &[u8]) -> &[u8] {
    let n = bytes.iter().take_while(|&&b| b == 0).count();
    &bytes[n.min(bytes.len().saturating_sub(1))..]
}

fn self_issued(x: &X509Certificate<'_>) -> bool {
    x.subject().as_raw() == x.issuer().as_raw()
}

fn signed_by(cert: &X509Certificate<'_>, issuer: &X509Certificate<'_>, legacy: bool) -> bool {
    crypto::verify_issued(
        issuer.public_key(),
        &cert.signature_algorithm,
        cert.tbs_certificate.as_ref(),
        &cert.signature_value.data,
        legacy,
    ) == CryptoOutcome::Valid
}

fn authority_key_id(x: &X509Certificate<'_>) -> Option<Vec<u8>> {
    x.extensions()
        .iter()
        .find_map(|e| match e.parsed_extension() {
            ParsedExtension::AuthorityKeyIdentifier(aki) => {
                aki.key_identifier.as_ref().map(|k| k.0.to_vec()).or(Some(Vec::new()))
            }
            _ => None,
        })
        .filter(|k| !k.is_empty())
}

pub(super) fn subject_key_id(x: &X509Certificate<'_>) -> Option<Vec<u8>> {
    x.extensions().iter().find_map(|e| match e.parsed_extension() {
        ParsedExtension::SubjectKeyIdentifier(k) => Some(k.0.to_vec()),
        _ => None,
    })
}
