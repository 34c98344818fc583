//! The vault's own signatures at CAdES B-T and B-LT: when [`super::VaultOptions::timestamper`]
//! is set, a completed signature gets a signature timestamp over its value, verified
//! before anything is kept, and the evidence its acceptance and the token's check used
//! (certificates, CRLs, OCSP responses) is added to the CMS, so that the exported CMS
//! proves itself with no trust store but its root.
//!
//! A TSA that is down, answers something else, or whose token does not verify (another
//! imprint, no timeStamping purpose, a root the vault does not trust) fails the
//! completion with [`SigningError::Timestamp`] or [`SigningError::TimestampNotAccepted`]:
//! nothing is stored and the session stays open, so the same reply may complete it once
//! the TSA is back. A signature is never kept without the timestamp that was asked for.

use time::OffsetDateTime;

use crate::error::Result;
use crate::hash::Sha256;
use crate::signing::unsigned::{self, ValidationData};
use crate::signing::{SigningError, SigningSession, Timestamper};
use crate::verify::signature::{self, SignatureVerdict};
use crate::verify::timestamp;
use crate::verify::verdict::Indication;

use super::verification::TrustSnapshot;
use super::Vault;

/// A timestamped, extended signature, ready to be kept.
pub(crate) struct Stamped {
    /// The CMS with the token and the evidence.
    pub cms: Vec<u8>,
    /// The verdict on it at `at`.
    pub acceptance: SignatureVerdict,
    /// The SignerInfo's signature value (what the token stamps).
    pub signature_value: Vec<u8>,
    /// The token's own verdict (its CRLs and OCSP responses are kept too).
    pub token_verdict: SignatureVerdict,
    /// When the TSA had answered: the completion time.
    pub at: OffsetDateTime,
}

impl Vault {
    /// Timestamps `cms` (accepted with `verdict`) through `tsa`, verifies the token,
    /// adds it and the evidence, and verifies the result.
    pub(crate) fn timestamp_signature(
        &self,
        snapshot: &TrustSnapshot,
        tsa: &dyn Timestamper,
        cms: &[u8],
        verdict: &SignatureVerdict,
        envelope: &[u8],
        session: &SigningSession,
    ) -> Result<Stamped> {
        let value = unsigned::signature_value(cms)?;
        let token = tsa.timestamp(&value)?;
        // The TSA stamped at its genTime, after the signature was accepted: judge at the
        // moment its answer is in hand.
        let at = self.now()?;
        let policy = signature::Policy {
            revocation_evidence: signature::EvidencePolicy::CurrentAtPoe,
            ..self.options.signature_policy.clone()
        };
        let ctx = snapshot.context(&snapshot.material.intermediates, at, at, &policy);
        let check = timestamp::check_timestamp_token_parts(&token, &[&value], &ctx);
        if check.verdict.indication != Indication::Passed {
            return Err(SigningError::TimestampNotAccepted {
                indication: check.verdict.indication,
                sub_indication: check.verdict.sub_indication,
                detail: check.verdict.detail,
            }
            .into());
        }
        // As received: a certificate re-encoded would no longer verify.
        let token_certificates = unsigned::certificates(&token).unwrap_or_default();
        let mut data = ValidationData::default();
        for v in [verdict, &check.verdict] {
            for summary in &v.chain {
                let found = session
                    .certificate_chain
                    .iter()
                    .chain(&token_certificates)
                    .chain(&snapshot.material.intermediates)
                    .chain(&snapshot.material.anchors)
                    .find(|der| Sha256::of(der).to_hex() == summary.sha256);
                if let Some(der) = found {
                    push_new(&mut data.certificates, der);
                }
            }
            for used in &v.crls_used {
                if let Some(der) = kept_evidence(snapshot, &used.sha256) {
                    push_new(&mut data.crls, der);
                }
            }
            for used in &v.ocsp_used {
                if let Some(der) = kept_evidence(snapshot, &used.sha256) {
                    push_new(&mut data.ocsp_responses, der);
                }
            }
        }
        // The signer's chain as sent and the TSA's certificates, even where a verdict did
        // not list them.
        for der in session.certificate_chain.iter().chain(&token_certificates) {
            push_new(&mut data.certificates, der);
        }
        let extended = unsigned::extend(cms, Some(&token), &data)?;
        let mut intermediates = session.certificate_chain[1..].to_vec();
        intermediates.extend_from_slice(&snapshot.material.intermediates);
        let ctx = snapshot.context(&intermediates, at, at, &policy);
        let acceptance = signature::verify_detached(&extended, envelope, &ctx)
            .into_iter()
            .next()
            .unwrap_or_else(|| super::verification::no_verdict(&ctx));
        if acceptance.indication != Indication::Passed {
            return Err(SigningError::NotAccepted {
                indication: acceptance.indication,
                sub_indication: acceptance.sub_indication,
                detail: format!("after adding the timestamp: {}", acceptance.detail),
            }
            .into());
        }
        Ok(Stamped {
            cms: extended,
            acceptance,
            signature_value: value,
            token_verdict: check.verdict,
            at,
        })
    }
}

fn push_new(list: &mut Vec<Vec<u8>>, der: &[u8]) {
    if !list.iter().any(|d| d == der) {
        list.push(der.to_vec());
    }
}

/// The CRL or OCSP response (DER) with this SHA-256 among the snapshot's evidence.
fn kept_evidence<'a>(snapshot: &'a TrustSnapshot, sha256_hex: &str) -> Option<&'a [u8]> {
    let sha: Sha256 = sha256_hex.parse().ok()?;
    let i = snapshot.crl_hashes.iter().position(|h| *h == sha)?;
    snapshot.material.crls.get(i).map(Vec::as_slice)
}
