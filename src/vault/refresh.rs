//! The vault keeps its revocation data current by itself: for every CA of the trust store
//! and every signer of a stored signature, it fetches the CRLs their certificates name
//! and the OCSP answers of their responders, checks each as `add_crl` and
//! `add_ocsp_response` do, and keeps what is new (each an audited trust-store change).
//! One source failing never stops the others; the report says, per source, what happened.
//!
//! The fetching itself is behind [`RevocationSource`]: the `remote` feature's HTTP client
//! ([`crate::remote::fetch::RevocationFetcher`]) in production, anything else in tests.

use std::sync::Arc;

use serde::{Deserialize, Serialize};
use x509_parser::prelude::{FromDer, X509Certificate};

use crate::error::{Error, Result};
use crate::hash::Sha256;
use crate::store;
use crate::trust::TrustItemKind;
use crate::verify::crypto::{self, CryptoOutcome};
use crate::verify::{cms, locations, names};

use super::Vault;

/// Most sources one refresh fetches: a vault trusts a handful of CAs, and its signers
/// share their CAs' distribution points and responders.
const MAX_SOURCES: usize = 256;

/// Where the vault gets revocation data from.
pub trait RevocationSource: Send + Sync {
    /// The CRL at `url` (DER), unchecked: the vault checks it before keeping it.
    fn crl(&self, url: &str) -> std::result::Result<Vec<u8>, String>;
    /// The OCSP responder at `url`'s answer (DER OCSPResponse) about `cert`, issued by
    /// `issuer` (both DER), unchecked.
    fn ocsp(&self, url: &str, cert: &[u8], issuer: &[u8]) -> std::result::Result<Vec<u8>, String>;
}

/// A shared [`RevocationSource`], as [`super::VaultOptions::refresh_when_stale`] holds it.
pub type SharedRevocationSource = Arc<dyn RevocationSource>;

/// What a refresh did with one source.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "outcome")]
pub enum SourceOutcome {
    /// New evidence, checked and kept (a `trust_add` event).
    Added {
        /// Its SHA-256: its identity in the trust store.
        sha256: Sha256,
    },
    /// The source answered what the trust store already holds; or, for OCSP, the trust
    /// store holds an answer about that certificate that is still current (not asked again).
    Unchanged {
        /// Its SHA-256.
        sha256: Sha256,
    },
    /// Fetched but refused by the checks (a forged or malformed CRL, an OCSP answer no
    /// stored CA vouches for…), or not fetched (network, size, timeout…): why, in words.
    Failed {
        /// Why.
        reason: String,
    },
    /// Not fetched: a scheme other than http(s), or no issuer known for an OCSP request.
    Skipped {
        /// Why.
        reason: String,
    },
}

/// One source of revocation data and what the refresh did with it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefreshedSource {
    /// `crl` or `ocsp`.
    pub kind: TrustItemKind,
    /// The URL fetched.
    pub url: String,
    /// The certificate whose revocation data this is (its subject; for a CRL, the first
    /// certificate that named it).
    pub about: String,
    /// What happened.
    #[serde(flatten)]
    pub outcome: SourceOutcome,
}

/// What [`Vault::refresh_revocation`] did, source by source.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefreshReport {
    /// Every source, in the order fetched.
    pub sources: Vec<RefreshedSource>,
}

impl RefreshReport {
    /// How many sources brought new evidence.
    pub fn added(&self) -> usize {
        self.count(|o| matches!(o, SourceOutcome::Added { .. }))
    }

    /// How many sources failed.
    pub fn failed(&self) -> usize {
        self.count(|o| matches!(o, SourceOutcome::Failed { .. }))
    }

    fn count(&self, f: impl Fn(&SourceOutcome) -> bool) -> usize {
        self.sources.iter().filter(|s| f(&s.outcome)).count()
    }
}

/// Most distinct signers of stored PDFs a refresh looks after (each costs reading one PDF).
const MAX_PDF_SIGNERS: usize = 1_000;

/// What a stored PDF check says of its signers, and nothing more.
#[derive(serde::Deserialize)]
struct CheckedSigners {
    #[serde(with = "time::serde::rfc3339")]
    checked_at: time::OffsetDateTime,
    verdict: Option<CheckedVerdict>,
}

#[derive(serde::Deserialize)]
struct CheckedVerdict {
    signatures: Vec<CheckedSignature>,
}

#[derive(serde::Deserialize)]
struct CheckedSignature {
    kind: String,
    verdict: CheckedSigner,
}

#[derive(serde::Deserialize)]
struct CheckedSigner {
    signer: Option<SignerHash>,
}

#[derive(serde::Deserialize)]
struct SignerHash {
    #[serde(default)]
    sha256: String,
}

/// A certificate whose revocation data the refresh looks for, with its issuer if known.
struct Subject {
    der: Vec<u8>,
    issuer: Option<Vec<u8>>,
    /// For a signer: the latest proof of existence of its signatures (Unix seconds).
    latest_poe: Option<i64>,
}

impl Vault {
    /// Fetches revocation data for every CA of the trust store and every signer of a
    /// stored signature, the vault's own and those inside stored PDFs (named by their
    /// ingest checks, up to 1,000 signers): the CRLs their certificates' distribution points name (http and
    /// https URLs; others are reported as skipped) and, for signers, an OCSP answer from
    /// the responders their authorityInfoAccess names (not asked while the trust store
    /// holds one that is current: reported unchanged). Each answer is checked as
    /// [`Vault::add_crl`] and [`Vault::add_ocsp_response`] check it and kept when new,
    /// an audited trust-store change; a source that fails is reported and the others
    /// still refreshed. Verdicts then read the new evidence: a record whose evidence was
    /// pending is completed, one whose signer was revoked before its proof of existence
    /// fails.
    pub fn refresh_revocation(&self, source: &dyn RevocationSource) -> Result<RefreshReport> {
        let now = self.now()?;
        let (subjects, held_answers) = self.store.read(|tx| {
            let mut cas = Vec::new();
            let mut held_answers = Vec::new();
            for (item, der) in store::trust::all_bound(tx)? {
                match item.kind {
                    TrustItemKind::Anchor | TrustItemKind::Intermediate => cas.push(der),
                    TrustItemKind::Ocsp => held_answers.push(der),
                    TrustItemKind::Crl => {}
                }
            }
            let mut signers: Vec<(Vec<u8>, Vec<Vec<u8>>, i64)> = Vec::new();
            store::signatures::for_each_row(tx, None, |row| {
                let carried = cms::carried_certificates(&row.cms);
                // The sign event's time, as verdicts read it (the row's column is not bound).
                let poe = row.event.as_ref().map_or(row.poe_ms, |e| e.at_ms).div_euclid(1000);
                if let Some(signer) = carried.iter().find(|c| Some(Sha256::of(c)) == row.signer) {
                    match signers.iter_mut().find(|(s, ..)| s == signer) {
                        Some((.., latest)) => *latest = (*latest).max(poe),
                        None => signers.push((signer.clone(), carried.clone(), poe)),
                    }
                }
                Ok(())
            })?;
            // Signers inside stored PDFs (agency-signed results count for reuse): each
            // ingest check names its signers by SHA-256, the ingest is their proof of
            // existence; one PDF per signer is read for the certificates it carries.
            let mut pdf_signers: Vec<(String, String, i64)> = Vec::new();
            store::pdf_checks::for_each(tx, |id, json| {
                let Ok(check) = serde_json::from_str::<CheckedSigners>(&json) else {
                    return Ok(());
                };
                let poe = check.checked_at.unix_timestamp();
                let named = check.verdict.into_iter().flat_map(|v| v.signatures);
                for sha256 in named.filter(|s| s.kind == "signature").filter_map(|s| s.verdict.signer) {
                    let room = pdf_signers.len() < MAX_PDF_SIGNERS;
                    match pdf_signers.iter_mut().find(|(s, ..)| *s == sha256.sha256) {
                        Some((.., latest)) => *latest = (*latest).max(poe),
                        None if room => pdf_signers.push((sha256.sha256, id.clone(), poe)),
                        None => {}
                    }
                }
                Ok(())
            })?;
            for (sha256, id, poe) in pdf_signers {
                if signers.iter().any(|(s, ..)| Sha256::of(s).to_hex() == sha256) {
                    continue;
                }
                let Ok(id) = id.parse::<crate::record::ResultId>() else {
                    continue;
                };
                let Some(record) = store::records::get(tx, &id)? else {
                    continue;
                };
                let Ok(content) = store::records::read_content(tx, &record) else {
                    continue;
                };
                let carried = crate::pdf::carried_certificates(&content).unwrap_or_default();
                if let Some(signer) = carried.iter().find(|c| Sha256::of(c).to_hex() == sha256) {
                    signers.push((signer.clone(), carried.clone(), poe));
                }
            }
            let mut subjects: Vec<Subject> = cas
                .iter()
                .map(|der| Subject {
                    der: der.clone(),
                    issuer: issuer_of(der, &cas, &[]),
                    latest_poe: None,
                })
                .collect();
            for (signer, carried, latest_poe) in signers {
                let issuer = issuer_of(&signer, &cas, &carried);
                subjects.push(Subject {
                    der: signer,
                    issuer,
                    latest_poe: Some(latest_poe),
                });
            }
            Ok((subjects, held_answers))
        })?;
        let grace = match self.options.signature_policy.revocation_evidence {
            crate::EvidencePolicy::IssuedAfterPoe { grace_seconds } => grace_seconds.max(0),
            crate::EvidencePolicy::CurrentAtPoe => 0,
        };
        let mut report = RefreshReport::default();
        let mut seen_urls: Vec<String> = Vec::new();
        for subject in &subjects {
            let about = subject_name(&subject.der);
            for url in locations::crl_uris(&subject.der) {
                if seen_urls.contains(&url) || report.sources.len() >= MAX_SOURCES {
                    continue;
                }
                seen_urls.push(url.clone());
                let outcome = match fetchable(&url) {
                    Err(reason) => SourceOutcome::Skipped { reason },
                    Ok(()) => match source.crl(&url) {
                        Err(reason) => SourceOutcome::Failed { reason },
                        Ok(der) => self.keep(TrustItemKind::Crl, &der),
                    },
                };
                report.sources.push(RefreshedSource {
                    kind: TrustItemKind::Crl,
                    url,
                    about: about.clone(),
                    outcome,
                });
            }
            // OCSP for signers only: a CA's status comes from its issuer's CRL.
            if is_ca(&subject.der) {
                continue;
            }
            for url in locations::ocsp_uris(&subject.der).into_iter().take(1) {
                if report.sources.len() >= MAX_SOURCES {
                    break;
                }
                // A responder's answers carry our nonce: each is new bytes, and kept it is
                // one more trust item. While a held answer is current and was issued late
                // enough to prove every signature of this signer (after its latest proof
                // of existence, plus the policy's grace period), none is asked for.
                let issued_from = subject.latest_poe.unwrap_or(i64::MAX).saturating_add(grace);
                let held = subject
                    .issuer
                    .as_ref()
                    .and_then(|issuer| current_answer(&held_answers, &subject.der, issuer, now, issued_from));
                let outcome = match (fetchable(&url), &subject.issuer, held) {
                    (_, _, Some(sha256)) => SourceOutcome::Unchanged { sha256 },
                    (Err(reason), _, _) => SourceOutcome::Skipped { reason },
                    (Ok(()), None, _) => SourceOutcome::Skipped {
                        reason: "the certificate's issuer is not known to the vault".into(),
                    },
                    (Ok(()), Some(issuer), None) => match source.ocsp(&url, &subject.der, issuer) {
                        Err(reason) => SourceOutcome::Failed { reason },
                        Ok(der) => self.keep_ocsp(&der, &subject.der, issuer),
                    },
                };
                report.sources.push(RefreshedSource {
                    kind: TrustItemKind::Ocsp,
                    url,
                    about: about.clone(),
                    outcome,
                });
            }
        }
        Ok(report)
    }

    /// Checks and keeps one fetched piece of evidence.
    fn keep(&self, kind: TrustItemKind, der: &[u8]) -> SourceOutcome {
        let sha256 = Sha256::of(der);
        let known = self
            .store
            .read(|tx| store::trust::get(tx, &sha256))
            .ok()
            .flatten()
            .is_some_and(|item| item.kind == kind);
        if known {
            return SourceOutcome::Unchanged { sha256 };
        }
        match self.add_trust_item(kind, der) {
            Ok(item) => SourceOutcome::Added { sha256: item.sha256 },
            Err(Error::TrustRefused(reason)) => SourceOutcome::Failed { reason },
            Err(e) => SourceOutcome::Failed { reason: e.to_string() },
        }
    }

    /// Keeps an OCSP answer only if it is about the certificate asked for: a responder
    /// that answers about another certificate (or another CA's) is refused.
    fn keep_ocsp(&self, der: &[u8], cert: &[u8], issuer: &[u8]) -> SourceOutcome {
        if let Err(reason) = crate::verify::ocsp::answers_for(der, cert, issuer) {
            return SourceOutcome::Failed { reason };
        }
        self.keep(TrustItemKind::Ocsp, der)
    }
}

/// The SHA-256 of a held OCSP answer about `cert` that is current at `now` (thisUpdate at
/// or before it, nextUpdate after it) and was issued at or after `issued_from`, if any.
fn current_answer(
    held: &[Vec<u8>],
    cert: &[u8],
    issuer: &[u8],
    now: time::OffsetDateTime,
    issued_from: i64,
) -> Option<Sha256> {
    held.iter()
        .find(|der| crate::verify::ocsp::current_about(der, cert, issuer, now.unix_timestamp(), issued_from))
        .map(|der| Sha256::of(der))
}

/// Only http and https are fetched (LDAP and file URLs are reported, not followed).
fn fetchable(url: &str) -> std::result::Result<(), String> {
    let lower = url.to_ascii_lowercase();
    if lower.starts_with("http://") || lower.starts_with("https://") {
        Ok(())
    } else {
        Err(format!(
            "{}: only http and https URLs are fetched",
            url.split(':').next().unwrap_or_default()
        ))
    }
}

fn subject_name(der: &[u8]) -> String {
    X509Certificate::from_der(der)
        .map(|(_, c)| crate::redact::mask_personal_ids(&c.subject().to_string()))
        .unwrap_or_default()
}

fn is_ca(der: &[u8]) -> bool {
    X509Certificate::from_der(der)
        .ok()
        .and_then(|(_, c)| c.basic_constraints().ok().flatten().map(|bc| bc.value.ca))
        .unwrap_or(false)
}

/// The certificate among `cas` and `carried` that issued `der` (by name and signature),
/// other than itself.
fn issuer_of(der: &[u8], cas: &[Vec<u8>], carried: &[Vec<u8>]) -> Option<Vec<u8>> {
    let (_, cert) = X509Certificate::from_der(der).ok()?;
    cas.iter().chain(carried).find_map(|candidate| {
        if candidate.as_slice() == der {
            return None;
        }
        let (_, issuer) = X509Certificate::from_der(candidate).ok()?;
        let signed = names::same_name(cert.issuer(), issuer.subject())
            && crypto::verify_issued(
                issuer.public_key(),
                &cert.signature_algorithm,
                cert.tbs_certificate.as_ref(),
                &cert.signature_value.data,
                false,
            ) == CryptoOutcome::Valid;
        signed.then(|| candidate.clone())
    })
}
