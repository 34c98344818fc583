//! The path cache: paths already built, per signer and certificate pools, and the CRL
//! indexes of a trust state. What depends on the time or the evidence is checked again on
//! every use ([`super::path::recheck`]); only certificate signatures and path searches are
//! saved.

use time::OffsetDateTime;

use super::budget;
use super::crl_index::IndexCache;
use super::path::{recheck, validate_with, PathError, PathOptions, ValidPath};

/// Paths already built, so that a signer seen again skips the path search and the
/// certificate signature checks (the costly part), and CRLs already read (their index,
/// and which issuer keys their signature verifies under), so that a CRL of 200,000
/// entries costs a lookup, not a parse. Everything that depends on the time or the
/// evidence is checked again on every use. Safe to share between threads.
#[derive(Debug, Default)]
pub struct ChainCache {
    paths: std::sync::Mutex<std::collections::HashMap<[u8; 32], Vec<Vec<u8>>>>,
    /// CRL indexes, each used only for the exact bytes it was built from (see
    /// `IndexCache`); besides the pinned CRLs, at most 64 CRLs and 128 MiB are kept.
    crl_indexes: IndexCache,
}

/// Paths kept before the cache is emptied (a bound on memory: a path is a few KB).
const MAX_CACHED_PATHS: usize = 4096;

/// What a CRL is, for a verdict's list of CRLs used: read from its index, so that naming
/// an 8 MB CRL in a verdict costs no parse (its SHA-256 is computed once per index).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CrlSummary {
    /// SHA-256 of its DER.
    pub sha256: [u8; 32],
    /// Its issuer's name, as people read it.
    pub issuer: String,
    /// Its thisUpdate (Unix seconds).
    pub this_update: i64,
    /// Its nextUpdate (Unix seconds), if it has one.
    pub next_update: Option<i64>,
}

impl ChainCache {
    /// An empty cache.
    pub fn new() -> ChainCache {
        ChainCache::default()
    }

    /// An empty cache that holds a trust state's revocation evidence (its CRLs; OCSP
    /// responses among them are held and read as usual): pass [`ChainCache::crls`] as the
    /// evidence of each validation, and each CRL is found by identity (a pointer
    /// comparison with the cache's own, unchangeable copy) and read once, on first use.
    /// Equal bytes passed from elsewhere are found too, after a comparison of every byte
    /// (about a millisecond for 8 MB).
    pub fn with_crls(crls: Vec<Vec<u8>>) -> ChainCache {
        ChainCache {
            paths: Default::default(),
            crl_indexes: IndexCache::pinned(crls),
        }
    }

    /// The CRLs given to [`ChainCache::with_crls`], in order (empty otherwise).
    pub fn crls(&self) -> &[Vec<u8>] {
        self.crl_indexes.pinned_crls()
    }

    /// What the CRL `der` is (for a verdict's CRLs used), from its index: no parse when
    /// it was read before. `None` when it is not a readable CRL.
    pub fn crl_summary(&self, der: &[u8]) -> Option<CrlSummary> {
        let index = self.crl_indexes.index(der)?;
        Some(CrlSummary {
            sha256: index.sha256(der),
            issuer: index.issuer().to_owned(),
            this_update: index.this_update(),
            next_update: index.next_update(),
        })
    }

    /// Who produced the OCSP response `der` and when (see [`super::ocsp`]), from the
    /// cache's parsed copy: no parse when it was read before.
    pub(crate) fn ocsp_producer(&self, der: &[u8]) -> Option<(String, i64)> {
        self.crl_indexes
            .ocsp_response(der)
            .map(|parsed| super::ocsp::producer_of(&parsed))
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

    /// The cache key: the signer, the certificate pools the path may use (their digest),
    /// and whether legacy algorithms were admitted when its signatures were checked.
    fn key(leaf: &[u8], pools: &Pools<'_>, legacy: bool) -> [u8; 32] {
        budget::key(&[b"chain", &[u8::from(legacy)], leaf, &pools.digest])
    }

    /// Like [`super::path::validate`], reusing the path found for the same signer and pools: it is
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
        self.validate_in(leaf, &Pools::new(intermediates, anchors), crls, at, options)
    }

    /// [`ChainCache::validate`] with pools whose digest was computed once (the signers of
    /// one CMS share them: a megabyte of certificates is hashed once, not once per signer).
    pub fn validate_in(
        &self,
        leaf: &[u8],
        pools: &Pools<'_>,
        crls: &[Vec<u8>],
        at: OffsetDateTime,
        options: &PathOptions,
    ) -> Result<ValidPath, PathError> {
        let (intermediates, anchors) = (pools.intermediates, pools.anchors);
        let key = ChainCache::key(leaf, pools, options.allow_legacy_algorithms);
        let cached = self.paths.lock().unwrap_or_else(|p| p.into_inner()).get(&key).cloned();
        if let Some(chain) = cached {
            if let Some(revocation) = recheck(&chain, crls, at, options, &self.crl_indexes) {
                return Ok(ValidPath { chain, revocation });
            }
        }
        // A search that failed earlier in this verification (an identical SignerInfo, the
        // same signer in another signature of the PDF) fails again without being redone.
        let work = budget::current();
        let failed_key = failed_search_key(&key, crls, at, options);
        if let Some(why) = work.failed_search(&failed_key) {
            return Err(why);
        }
        let valid = validate_with(leaf, intermediates, anchors, crls, at, options, Some(&self.crl_indexes))
            .inspect_err(|why| work.remember_failed_search(failed_key, why.clone()))?;
        let mut paths = self.paths.lock().unwrap_or_else(|p| p.into_inner());
        if paths.len() >= MAX_CACHED_PATHS {
            paths.clear();
        }
        paths.insert(key, valid.chain.clone());
        Ok(valid)
    }
}

/// What a failed search depends on besides the signer and the pools (`chain_key`): the
/// time, the options, and the CRLs (each by its length and its last 64 bytes, the end of
/// its signature: cheap, and within one verification the CRLs do not change).
fn failed_search_key(chain_key: &[u8; 32], crls: &[Vec<u8>], at: OffsetDateTime, options: &PathOptions) -> [u8; 32] {
    let mut crl_tails = Vec::with_capacity(crls.len() * 72);
    for crl in crls {
        crl_tails.extend_from_slice(&(crl.len() as u64).to_be_bytes());
        crl_tails.extend_from_slice(&crl[crl.len().saturating_sub(64)..]);
    }
    let options = format!("{options:?}");
    budget::key(&[
        chain_key,
        &at.unix_timestamp_nanos().to_be_bytes(),
        options.as_bytes(),
        &crl_tails,
    ])
}

/// The certificate pools of a path search (trust anchors, and intermediates: the caller's
/// first, then the CMS's), with their digest computed once.
#[derive(Debug, Clone)]
pub struct Pools<'p> {
    intermediates: &'p [Vec<u8>],
    anchors: &'p [Vec<u8>],
    digest: [u8; 32],
}

impl<'p> Pools<'p> {
    /// The pools, hashed once.
    pub fn new(intermediates: &'p [Vec<u8>], anchors: &'p [Vec<u8>]) -> Pools<'p> {
        let mut ctx = ring::digest::Context::new(&ring::digest::SHA256);
        for (tag, ders) in [(b'I', intermediates), (b'A', anchors)] {
            for der in ders {
                ctx.update(&[tag]);
                ctx.update(&(der.len() as u64).to_be_bytes());
                ctx.update(der);
            }
        }
        let mut digest = [0u8; 32];
        digest.copy_from_slice(ctx.finish().as_ref());
        Pools {
            intermediates,
            anchors,
            digest,
        }
    }
}
