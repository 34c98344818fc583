//! Certification path validation at a given time (RFC 5280 §6), with the profile checks
//! a document-signing validator needs, and the caller's CRLs.
//!
//! Paths are built from the signer towards the trust anchors by subject/issuer names and
//! key identifiers, depth first, under a budget of signature checks (hostile inputs can
//! offer exponentially many paths). Every candidate path is then checked in full; the
//! first that passes wins, otherwise the most specific reason found is returned.
//!
//! The certificate set of a CMS is not signed: anyone can pad it. So the issuers of a
//! certificate are tried in rank order (`Search::issuers`): a key identifier equal to
//! the certificate's authorityKeyIdentifier first, then a key that actually hashes to it,
//! then trust anchors before intermediates and, among intermediates, the caller's (the
//! trust store's) before those the CMS carries; duplicates are dropped. Every signature
//! check is remembered for the whole verification ([`super::budget`]), so a candidate that
//! failed is never checked again, and the work of one verification, all signers
//! together, is bounded.

use time::OffsetDateTime;
use x509_parser::certificate::X509Certificate;
use x509_parser::extensions::ParsedExtension;
use x509_parser::prelude::FromDer;

use super::budget;
use super::crl_index::IndexCache;
use super::crypto::{self, CryptoOutcome};
use super::names;
use super::policy;
use super::profile;
use super::revocation::{parse_evidence, Evidence};

pub use super::chain_cache::{ChainCache, CrlSummary, Pools};
pub use super::revocation::{EvidenceKind, Revocation};

/// Most path-building steps of one search (see [`super::budget::STEPS`] for the pool).
const MAX_SEARCH_STEPS: u64 = 20_000;

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
    /// Most signature verifications spent building one path, in RSA-2048 equivalents (see
    /// [`crypto::verification_cost`]: a 4096-bit key counts 4); checks remembered from
    /// earlier in the same verification are free. The whole verification also draws from
    /// one pool ([`super::budget::SIGNATURE_UNITS`]).
    pub signature_budget: usize,
    /// Most name-constraint comparisons (names × subtrees) spent on one candidate path.
    pub name_constraint_budget: usize,
    /// Admit SHA-1 and 1024-bit RSA in certificate and CRL signatures (old results).
    pub allow_legacy_algorithms: bool,
    /// Certificate policies (dotted OIDs) the path must be valid for, one of them at least:
    /// RFC 5280's user-initial-policy-set. Empty means any policy. Non-empty also sets
    /// initial-explicit-policy: a caller that names policies wants one of them asserted.
    pub required_policies: Vec<String>,
    /// initial-explicit-policy (RFC 5280 §6.1.1 (f)): the path must be valid for some policy.
    pub require_explicit_policy: bool,
    /// initial-policy-mapping-inhibit (RFC 5280 §6.1.1 (e)).
    pub inhibit_policy_mapping: bool,
    /// initial-any-policy-inhibit (RFC 5280 §6.1.1 (g)).
    pub inhibit_any_policy: bool,
    /// The caller's present ("now"), when it differs from the time the path is validated
    /// at (a proof of existence in the past). A CRL issued after it is not yet valid: it
    /// says nothing good, though what it lists is revoked. A CRL issued after the time
    /// validated at but before the present is good evidence for that time (past-signature
    /// validation, EN 319 102-1). `None`: the present is not known here, and no CRL counts
    /// as issued in the future.
    pub validation_time: Option<OffsetDateTime>,
}

impl Default for PathOptions {
    fn default() -> Self {
        PathOptions {
            max_intermediates: None,
            required_eku: Vec::new(),
            signature_budget: 4096,
            name_constraint_budget: 250_000,
            allow_legacy_algorithms: false,
            required_policies: Vec::new(),
            require_explicit_policy: false,
            inhibit_policy_mapping: false,
            inhibit_any_policy: false,
            validation_time: None,
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
    /// The path search ran out of its own budget.
    #[error("too costly: the path search exceeded its budget of signature checks and steps")]
    BudgetExhausted,
    /// The verification this search belongs to has spent its whole work budget (all
    /// signers of the CMS, all signatures of the PDF together; see [`super::budget`]).
    #[error(
        "too costly: this verification has spent its work budget (signature checks and path steps) on earlier work"
    )]
    TooCostly,
    /// A certificate of the candidate path breaks the RFC 5280 profile.
    #[error("{0}")]
    Profile(String),
    /// A certificate is outside its validity period at the validation time.
    #[error("{0}")]
    OutOfValidity(String),
    /// A certificate is revoked by the evidence given, at or before the validation time.
    #[error("{detail}")]
    Revoked {
        /// When it was revoked (Unix seconds).
        revoked_at: i64,
        /// Which certificate of the path: 0 for the signer's, 1 for its issuer…
        position: usize,
        /// The evidence that says so: its index in the evidence given, and its kind
        /// (`None` when no single piece can be named).
        evidence: Option<(usize, EvidenceKind)>,
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

impl PathError {
    fn rank(&self) -> u8 {
        match self {
            PathError::NoChain => 0,
            PathError::BudgetExhausted | PathError::TooCostly => 1,
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

pub(super) fn parse(der: &[u8]) -> Option<X509Certificate<'_>> {
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

/// [`validate`], reusing CRL indexes (and the CRL signatures they verified) from
/// `indexes` when a [`ChainCache`] calls it.
pub(super) fn validate_with(
    leaf: &[u8],
    intermediates: &[Vec<u8>],
    anchors: &[Vec<u8>],
    crls: &[Vec<u8>],
    at: OffsetDateTime,
    options: &PathOptions,
    indexes: Option<&IndexCache>,
) -> Result<ValidPath, PathError> {
    let leaf = Cert {
        der: leaf,
        x509: parse(leaf).ok_or_else(|| PathError::Malformed("not a DER certificate".into()))?,
        anchor: false,
    };
    let work = budget::current();
    // Reading the pool is work too: one step per certificate.
    if !work.spend_steps(1 + (anchors.len() + intermediates.len()) as u64) {
        return Err(PathError::TooCostly);
    }
    // Anchors first, then the intermediates in the order given (the caller's before the
    // CMS's: see `signature::verify_checked`); a certificate given twice is kept once.
    let mut pool: Vec<Cert<'_>> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for (ders, anchor) in [(anchors, true), (intermediates, false)] {
        for der in ders {
            if !seen.insert(der.as_slice()) {
                continue;
            }
            if let Some(x509) = parse(der) {
                pool.push(Cert { der, x509, anchor });
            }
        }
    }
    let crl_ders = crls;
    let evidence = parse_evidence(crls, indexes);
    let mut search = Search {
        pool: &pool,
        evidence: &evidence,
        crl_ders,
        at: at.unix_timestamp(),
        options,
        units: options.signature_budget as u64,
        steps: MAX_SEARCH_STEPS,
        work,
        ranked: std::collections::HashMap::new(),
        best: PathError::NoChain,
    };
    let mut path = vec![&leaf];
    match search.extend(&mut path) {
        Some((chain, revocation)) => Ok(ValidPath { chain, revocation }),
        None => Err(search.best),
    }
}

/// The time-, CRL- and profile-dependent checks of a known path (signer first).
pub(super) fn recheck(
    chain: &[Vec<u8>],
    crls: &[Vec<u8>],
    at: OffsetDateTime,
    options: &PathOptions,
    indexes: &IndexCache,
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
    let evidence = parse_evidence(crls, Some(indexes));
    let search = Search {
        pool: &[],
        evidence: &evidence,
        crl_ders,
        at: at.unix_timestamp(),
        options,
        units: 0,
        steps: 0,
        work: budget::current(),
        ranked: std::collections::HashMap::new(),
        best: PathError::NoChain,
    };
    let path: Vec<&Cert<'_>> = certs.iter().collect();
    search.check(&path).ok()
}

/// One path search (or the re-check of a known path): its pools, evidence, time and
/// budget. Its revocation checks are in [`super::revocation`].
pub(super) struct Search<'s, 'a> {
    pool: &'s [Cert<'a>],
    /// The revocation evidence given: CRLs (indexed) and OCSP responses.
    pub(super) evidence: &'s Evidence,
    /// The evidence's DER, indexed as in `evidence`.
    pub(super) crl_ders: &'a [Vec<u8>],
    /// Validation time, floored to the second (as certificate times are).
    pub(super) at: i64,
    pub(super) options: &'s PathOptions,
    /// What this search may still spend: signature units and steps (the verification's
    /// pool, `work`, pays for both as well).
    units: u64,
    steps: u64,
    work: std::rc::Rc<budget::Work>,
    /// The ranked issuer candidates (indices into `pool`) by issuer name and
    /// authorityKeyIdentifier.
    ranked: std::collections::HashMap<[u8; 32], std::rc::Rc<Vec<usize>>>,
    best: PathError,
}

impl<'s, 'a> Search<'s, 'a> {
    /// Keeps the most specific reason; among equally specific ones, the first found.
    fn note(&mut self, e: PathError) {
        if e.rank() > self.best.rank() {
            self.best = e;
        }
    }

    /// Takes `n` steps from this search and from the verification; notes why not.
    fn step(&mut self, n: u64) -> bool {
        if n > self.steps {
            self.note(PathError::BudgetExhausted);
            return false;
        }
        if !self.work.spend_steps(n) {
            self.note(PathError::TooCostly);
            return false;
        }
        self.steps -= n;
        true
    }

    /// The issuer candidates of `current`, best first: same name (RFC 4518 prepared), a
    /// subjectKeyIdentifier that does not contradict `current`'s authorityKeyIdentifier;
    /// ranked by (1) a key identifier equal to the authorityKeyIdentifier, (2) a public
    /// key that hashes to it (the RFC 5280 §4.2.1.2 or RFC 7093 methods: padding that
    /// copies an intermediate's name and key identifier onto another key ranks after it),
    /// (3) pool order: anchors, the caller's intermediates, then the CMS's.
    fn issuers(&mut self, current: &Cert<'a>) -> Option<std::rc::Rc<Vec<usize>>> {
        // The candidates depend only on the issuer name and authorityKeyIdentifier: one
        // list for every certificate that names the same issuer the same way.
        let akid = authority_key_id(&current.x509);
        let id = budget::key(&[current.x509.issuer().as_raw(), akid.as_deref().unwrap_or(b"-")]);
        if let Some(found) = self.ranked.get(&id) {
            return Some(found.clone());
        }
        // A scan of the pool: names compare byte for byte first, prepared names are
        // remembered (see `names::same_name`), so sixteen certificates cost one step.
        if !self.step(1 + self.pool.len() as u64 / 16) {
            return None;
        }
        let mut ranked: Vec<(u8, u8, usize)> = Vec::new();
        for (index, candidate) in self.pool.iter().enumerate() {
            if !names::same_name(candidate.x509.subject(), current.x509.issuer()) {
                continue;
            }
            let skid = subject_key_id(&candidate.x509);
            let same_id = match (&akid, &skid) {
                (Some(akid), Some(skid)) if akid != skid => continue,
                (Some(_), Some(_)) => 0,
                _ => 1,
            };
            let hashes_to_id = match akid.as_ref().or(skid.as_ref()) {
                Some(id) if key_id_of(id, candidate.x509.public_key()) => 0,
                _ => 1,
            };
            ranked.push((same_id, hashes_to_id, index));
        }
        if !self.step(ranked.len() as u64) {
            return None;
        }
        ranked.sort_unstable();
        let ranked = std::rc::Rc::new(ranked.into_iter().map(|(_, _, i)| i).collect::<Vec<_>>());
        self.ranked.insert(id, ranked.clone());
        Some(ranked)
    }

    /// Whether `cert` is signed by `issuer`'s key: remembered for the whole verification,
    /// paid for from this search's budget and the verification's pool.
    fn signed_by(&mut self, cert: &Cert<'a>, issuer: &Cert<'a>) -> Option<bool> {
        let legacy = self.options.allow_legacy_algorithms;
        let key = budget::key(&[
            b"certificate",
            &[u8::from(legacy)],
            cert.der,
            issuer.x509.public_key().raw,
        ]);
        if let Some(known) = self.work.check(&key) {
            return Some(known);
        }
        let cost = crypto::verification_cost(issuer.x509.public_key());
        if cost > self.units {
            self.note(PathError::BudgetExhausted);
            return None;
        }
        if !self.work.spend_units(cost) {
            self.note(PathError::TooCostly);
            return None;
        }
        self.units -= cost;
        let verified = signed_by(&cert.x509, &issuer.x509, legacy);
        self.work.remember_check(key, verified);
        Some(verified)
    }

    /// Depth-first: tries every issuer of the path's last certificate, best ranked first.
    fn extend(&mut self, path: &mut Vec<&'s Cert<'a>>) -> Option<(Vec<Vec<u8>>, Vec<Revocation>)> {
        let current = *path.last()?;
        let issuers = self.issuers(current)?;
        for &index in issuers.iter() {
            let candidate = &self.pool[index];
            // No certificate twice on one path (cycles), by DER or by name and key.
            if path.iter().any(|c| {
                c.der == candidate.der
                    || (c.x509.public_key().raw == candidate.x509.public_key().raw
                        && names::same_name(c.x509.subject(), candidate.x509.subject()))
            }) {
                continue;
            }
            if !self.step(1) {
                return None;
            }
            match self.signed_by(current, candidate) {
                Some(true) => {}
                Some(false) => continue,
                None => return None,
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
                    PathError::Revoked {
                        revoked_at,
                        evidence,
                        detail,
                        ..
                    } => PathError::Revoked {
                        revoked_at,
                        position: i,
                        evidence,
                        detail: format!("{what} {detail}"),
                    },
                    other => other,
                })?);
            }
        }
        // Certificate policies (RFC 5280 §6.1.2–§6.1.5) over the whole path.
        let certs: Vec<&X509Certificate<'a>> = path.iter().map(|c| &c.x509).collect();
        let inputs = policy::PolicyInputs {
            user_policies: &self.options.required_policies,
            explicit: self.options.require_explicit_policy,
            inhibit_mapping: self.options.inhibit_policy_mapping,
            inhibit_any: self.options.inhibit_any_policy,
        };
        policy::check(&certs, &inputs).map_err(|e| PathError::Profile(format!("certificate policies: {e}")))?;
        Ok(revocation)
    }
}

pub(super) fn strip_zeros(bytes: &[u8]) -> &[u8] {
    let n = bytes.iter().take_while(|&&b| b == 0).count();
    &bytes[n.min(bytes.len().saturating_sub(1))..]
}

fn self_issued(x: &X509Certificate<'_>) -> bool {
    names::same_name(x.subject(), x.issuer())
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

/// Whether `id` is a key identifier derived from a certificate's key by one of the usual
/// methods: SHA-1 of the subjectPublicKey bits (RFC 5280 §4.2.1.2 (1)) or their 60 low
/// bits after the 4-bit type 0100 (§4.2.1.2 (2)), the leftmost bits of SHA-256 of the
/// bits (RFC 7093 §2 (1)), or SHA-1 or SHA-256 of the whole SubjectPublicKeyInfo (RFC 7093
/// §2 (4), and as rcgen makes them).
fn key_id_of(id: &[u8], spki: &x509_parser::x509::SubjectPublicKeyInfo<'_>) -> bool {
    use ring::digest::{digest, SHA1_FOR_LEGACY_USE_ONLY, SHA256};
    for bytes in [spki.subject_public_key.data.as_ref(), spki.raw] {
        let sha1 = digest(&SHA1_FOR_LEGACY_USE_ONLY, bytes);
        let sha1 = sha1.as_ref();
        if id == sha1 || (id.len() == 8 && id[0] == 0x40 | (sha1[12] & 0x0f) && id[1..] == sha1[13..]) {
            return true;
        }
        let sha256 = digest(&SHA256, bytes);
        if (8..=32).contains(&id.len()) && id == &sha256.as_ref()[..id.len()] {
            return true;
        }
    }
    false
}

pub(super) fn subject_key_id(x: &X509Certificate<'_>) -> Option<Vec<u8>> {
    x.extensions().iter().find_map(|e| match e.parsed_extension() {
        ParsedExtension::SubjectKeyIdentifier(k) => Some(k.0.to_vec()),
        _ => None,
    })
}
