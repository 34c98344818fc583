//! One verdict per signature (ETSI EN 319 102-1, simplified): the CMS checks, the signer
//! constraints of the policy, path validation now, and, when that fails on expiry or
//! revocation, validation at the proof of existence (POE) the caller holds.
//!
//! The claimed signing time is only a claim: a thief with a stolen key backdates it. It
//! decides just one thing: a certificate revoked at or before the *claimed* time is
//! FAILED/REVOKED (even the signer does not claim to have signed before). Everything else
//! that depends on time uses the POE: the vault's own recorded time or a timestamp.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use x509_parser::prelude::{FromDer, X509Certificate};
use x509_parser::revocation_list::CertificateRevocationList;

use super::cms::{self, EssBinding, SignerOutcome};
use super::path::{self, PathError, PathOptions, Revocation};
use super::verdict::{Indication, SubIndication};

/// What a signature must satisfy beyond cryptography and the chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Policy {
    /// The policy's name, recorded in every verdict.
    pub name: String,
    /// The ESS signing-certificate(-v2) attribute must bind the signer's certificate
    /// (CAdES and PAdES: yes; `adbe.pkcs7.detached`: no).
    pub require_signing_certificate_attribute: bool,
    /// Without a current CRL for every certificate of the chain, the answer is
    /// INDETERMINATE/TRY_LATER.
    pub require_revocation_data: bool,
    /// Strict freshness: a CRL must also have been issued after the signing time (the
    /// POE if there is one, else the claimed time).
    pub crl_issued_after_signing: bool,
    /// Admit SHA-1 and 1024-bit RSA, for results signed before those were retired.
    pub allow_legacy_algorithms: bool,
    /// A signingTime signed attribute makes the signature FAILED/FORMAT_FAILURE: PAdES
    /// baseline (ETSI EN 319 142-1 §5.4, §6.3) forbids it, the claimed signing time being
    /// the PDF signature dictionary's `/M`.
    #[serde(default)]
    pub forbid_signing_time_attribute: bool,
    /// A SignerInfo without signed attributes (no messageDigest: the signature is over
    /// the content itself) is FAILED/FORMAT_FAILURE: PDF signatures must have them (ISO
    /// 32000-2 §12.8.3.3.1; ETSI EN 319 142-1 §6.3).
    #[serde(default)]
    pub require_signed_attributes: bool,
}

impl Policy {
    /// CAdES baseline B-B (the vault's own signatures): signing-certificate attribute and
    /// revocation data required; CRLs current at the validation time.
    pub fn cades_baseline() -> Policy {
        Policy {
            name: "results-vault/cades-baseline-b".into(),
            require_signing_certificate_attribute: true,
            require_revocation_data: true,
            crl_issued_after_signing: false,
            allow_legacy_algorithms: false,
            forbid_signing_time_attribute: false,
            require_signed_attributes: false,
        }
    }

    /// `adbe.pkcs7.detached` PDF signatures: no signing-certificate attribute required.
    pub fn pkcs7_detached() -> Policy {
        Policy {
            name: "results-vault/adbe-pkcs7-detached".into(),
            require_signing_certificate_attribute: false,
            ..Policy::cades_baseline()
        }
    }

    /// PAdES baseline B-B (PDF SubFilter `ETSI.CAdES.detached`): the ESS
    /// signing-certificate(-v2) attribute is required and a signingTime signed attribute
    /// is forbidden (ETSI EN 319 142-1 §5.4, §6.3): the claimed signing time is the PDF's
    /// `/M`, given to [`verify_detached_parts_claimed`].
    pub fn pades_baseline() -> Policy {
        Policy {
            name: "results-vault/pades-baseline-b".into(),
            require_signing_certificate_attribute: true,
            forbid_signing_time_attribute: true,
            require_signed_attributes: true,
            ..Policy::cades_baseline()
        }
    }

    /// PDF SubFilter `adbe.pkcs7.detached`: the ESS signing-certificate attribute is
    /// optional and a signingTime signed attribute is tolerated (it then is the claimed
    /// signing time, before the PDF's `/M`).
    pub fn pades_pkcs7() -> Policy {
        Policy {
            name: "results-vault/pades-adbe-pkcs7-detached".into(),
            require_signing_certificate_attribute: false,
            forbid_signing_time_attribute: false,
            require_signed_attributes: true,
            ..Policy::cades_baseline()
        }
    }
}

/// Everything a validation needs besides the signature and the data.
#[derive(Debug, Clone)]
pub struct ValidationContext<'a> {
    /// Trust anchors (DER), e.g. the National Root CA.
    pub anchors: &'a [Vec<u8>],
    /// Extra intermediates (DER), beyond those the CMS carries.
    pub intermediates: &'a [Vec<u8>],
    /// CRLs (DER), used even for certificates that name no distribution point.
    pub crls: &'a [Vec<u8>],
    /// The time of the check ("now", passed in).
    pub validation_time: OffsetDateTime,
    /// The best proof that the signature existed at a time: the vault's recorded
    /// completion or ingest time, or a timestamp. `None`: only the claim exists.
    pub proof_of_existence: Option<OffsetDateTime>,
    /// The policy.
    pub policy: &'a Policy,
    /// Verify every SignerInfo; by default a CMS with more than one is a FORMAT_FAILURE.
    pub all_signers: bool,
    /// Paths already built for known signers (see [`path::ChainCache`]); `None` uses the
    /// process-wide [`path::ChainCache::shared`].
    pub chain_cache: Option<&'a path::ChainCache>,
}

/// A certificate, as a verdict shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CertificateSummary {
    /// Subject DN.
    pub subject: String,
    /// Issuer DN.
    pub issuer: String,
    /// Serial number, hex.
    pub serial: String,
    /// notBefore, RFC 3339.
    pub not_before: String,
    /// notAfter, RFC 3339.
    pub not_after: String,
}

/// The revocation check, as a verdict shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RevocationSummary {
    /// `GOOD`, `REVOKED` or `UNKNOWN` for the signer's certificate.
    pub status: String,
    /// Where the answer came from, e.g. `CRL of CN=… issued 2026-11-01T00:00:00Z`.
    pub source: Option<String>,
    /// When the certificate was revoked, if it was.
    pub revoked_at: Option<String>,
}

/// A CRL a verdict relied on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CrlUsed {
    /// SHA-256 of the CRL's DER, hex: its identity in the trust store and in the evidence.
    pub sha256: String,
    /// The CRL's issuer.
    pub issuer: String,
    /// thisUpdate, RFC 3339.
    pub this_update: String,
    /// nextUpdate, RFC 3339.
    pub next_update: Option<String>,
}

/// The verdict on one signature.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignatureVerdict {
    /// PASSED, INDETERMINATE or FAILED.
    pub indication: Indication,
    /// Why, unless PASSED.
    pub sub_indication: Option<SubIndication>,
    /// What happened, in words.
    pub detail: String,
    /// The signer's certificate.
    pub signer: Option<CertificateSummary>,
    /// The chain used, signer first.
    pub chain: Vec<CertificateSummary>,
    /// The signingTime attribute (a claim).
    pub claimed_signing_time: Option<String>,
    /// The proof of existence used, if any.
    pub proof_of_existence: Option<String>,
    /// Hash and signature value verified.
    pub integrity: bool,
    /// The chain was valid (and unrevoked) at the signing time proven by the POE.
    pub valid_at_signing_time: Option<bool>,
    /// The revocation check of the signer's certificate.
    pub revocation: RevocationSummary,
    /// The CRLs that answered for the chain's certificates (kept as evidence with the
    /// verdict, as Circular 15/2025 asks).
    #[serde(default)]
    pub crls_used: Vec<CrlUsed>,
    /// For a PASSED verdict reached at the validation time itself: until when the same
    /// answer holds with the same trust material (the first certificate expiry, CRL
    /// nextUpdate or dated revocation after the validation time). `None`: no such bound
    /// is known, and the verdict must not be reused for another time.
    #[serde(default)]
    pub holds_until: Option<String>,
    /// The policy applied.
    pub policy: String,
    /// The verifier: `results-vault <version>`.
    pub verifier: String,
    /// The time of the check.
    pub validation_time: String,
}

/// An instant as RFC 3339 text, as verdicts show times.
pub(crate) fn rfc3339(t: OffsetDateTime) -> String {
    t.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

fn from_unix(s: i64) -> String {
    OffsetDateTime::from_unix_timestamp(s).map(rfc3339).unwrap_or_default()
}

fn summary(c: &X509Certificate<'_>) -> CertificateSummary {
    CertificateSummary {
        subject: c.subject().to_string(),
        issuer: c.issuer().to_string(),
        serial: c.raw_serial().iter().map(|b| format!("{b:02x}")).collect(),
        not_before: from_unix(c.validity().not_before.timestamp()),
        not_after: from_unix(c.validity().not_after.timestamp()),
    }
}

fn parse(der: &[u8]) -> Option<X509Certificate<'_>> {
    X509Certificate::from_der(der).ok().map(|(_, c)| c)
}

/// Verifies a detached CMS over `content`: one verdict per SignerInfo verified (one,
/// unless `all_signers`). A CMS that cannot be read gives one INDETERMINATE/FORMAT_FAILURE
/// verdict: a bad signature is a verdict, never an error.
pub fn verify_detached(cms_bytes: &[u8], content: &[u8], ctx: &ValidationContext<'_>) -> Vec<SignatureVerdict> {
    verify_detached_parts_claimed(cms_bytes, &[content], ctx, None)
}

/// [`verify_detached`] where the signed content is the concatenation of `parts` (a PDF's
/// two `/ByteRange` pieces), digested part after part without being concatenated.
pub fn verify_detached_parts(cms_bytes: &[u8], parts: &[&[u8]], ctx: &ValidationContext<'_>) -> Vec<SignatureVerdict> {
    verify_detached_parts_claimed(cms_bytes, parts, ctx, None)
}

/// [`verify_detached_parts`], with the signing time claimed outside the CMS: a PDF
/// signature dictionary's `/M`. It is used when a SignerInfo carries no signingTime
/// attribute (the attribute, where a policy tolerates it, comes first), exactly as that
/// attribute would be: it is the verdict's `claimed_signing_time`, a revocation at or
/// before it is FAILED/REVOKED, and, without a proof of existence, strict CRL freshness
/// ([`Policy::crl_issued_after_signing`]) counts from it. A claim, never a proof.
pub fn verify_detached_parts_claimed(
    cms_bytes: &[u8],
    parts: &[&[u8]],
    ctx: &ValidationContext<'_>,
    claimed_signing_time: Option<OffsetDateTime>,
) -> Vec<SignatureVerdict> {
    let base = undecided(ctx);
    let checked = match cms::check_detached_parts(cms_bytes, parts, ctx.policy.allow_legacy_algorithms) {
        Ok(c) => c,
        Err(e) => {
            return vec![SignatureVerdict {
                detail: e.to_string(),
                ..base
            }]
        }
    };
    if checked.signers.len() > 1 && !ctx.all_signers {
        return vec![SignatureVerdict {
            detail: format!("{} SignerInfos where one was expected", checked.signers.len()),
            ..base
        }];
    }
    let mut intermediates = checked.certificates.clone();
    intermediates.extend_from_slice(ctx.intermediates);
    let how = Judging {
        claimed_signing_time,
        time_stamping: false,
    };
    checked
        .signers
        .iter()
        .map(|signer| judge(signer, &intermediates, ctx, base.clone(), &how))
        .collect()
}

/// What, besides the policy, shapes the judgement of one SignerInfo.
pub(crate) struct Judging {
    /// The claimed signing time when the SignerInfo has no signingTime attribute.
    pub(crate) claimed_signing_time: Option<OffsetDateTime>,
    /// The signer is a TSA: its certificate must allow id-kp-timeStamping, and only it
    /// (a critical extendedKeyUsage, RFC 3161 §2.3).
    pub(crate) time_stamping: bool,
}

/// A verdict that has not concluded yet (INDETERMINATE/FORMAT_FAILURE), carrying the
/// facts of the context: where every verdict starts.
pub(crate) fn undecided(ctx: &ValidationContext<'_>) -> SignatureVerdict {
    SignatureVerdict {
        indication: Indication::Indeterminate,
        sub_indication: Some(SubIndication::FormatFailure),
        detail: String::new(),
        signer: None,
        chain: Vec::new(),
        claimed_signing_time: None,
        proof_of_existence: ctx.proof_of_existence.map(rfc3339),
        integrity: false,
        valid_at_signing_time: None,
        revocation: RevocationSummary {
            status: "UNKNOWN".into(),
            source: None,
            revoked_at: None,
        },
        crls_used: Vec::new(),
        holds_until: None,
        policy: ctx.policy.name.clone(),
        verifier: format!("results-vault {}", crate::VERSION),
        validation_time: rfc3339(ctx.validation_time),
    }
}

pub(crate) fn judge(
    signer: &cms::SignerCheck,
    intermediates: &[Vec<u8>],
    ctx: &ValidationContext<'_>,
    base: SignatureVerdict,
    how: &Judging,
) -> SignatureVerdict {
    // The signer's certificate, parsed once for everything below.
    let leaf = signer.certificate.as_deref().and_then(|der| Some((der, parse(der)?)));
    // The signingTime attribute first; else the time claimed outside the CMS.
    let claimed_time = signer.claimed_signing_time.or(how.claimed_signing_time);
    let mut v = SignatureVerdict {
        signer: leaf.as_ref().map(|(_, c)| summary(c)),
        claimed_signing_time: claimed_time.map(rfc3339),
        ..base
    };
    let verdict = |mut v: SignatureVerdict, indication, sub, detail: String| {
        v.indication = indication;
        v.sub_indication = sub;
        v.detail = detail;
        v
    };
    use Indication::{Failed, Indeterminate, Passed};
    use SubIndication as S;
    if ctx.policy.require_signed_attributes && !signer.signed_attributes {
        return verdict(
            v,
            Failed,
            Some(S::FormatFailure),
            "the CMS has no signed attributes, so no messageDigest binds the signed bytes; PDF \
             signatures must have them (ISO 32000-2 §12.8.3.3.1, ETSI EN 319 142-1 §6.3)"
                .into(),
        );
    }
    match &signer.outcome {
        SignerOutcome::Intact => v.integrity = true,
        SignerOutcome::HashFailure => {
            return verdict(
                v,
                Failed,
                Some(S::HashFailure),
                "the data's digest differs from the signed messageDigest".into(),
            )
        }
        SignerOutcome::SigCryptoFailure => {
            return verdict(
                v,
                Failed,
                Some(S::SigCryptoFailure),
                "the signature value does not verify".into(),
            )
        }
        SignerOutcome::FormatFailure(why) => return verdict(v, Indeterminate, Some(S::FormatFailure), why.clone()),
        SignerOutcome::NoSigningCertificate => {
            return verdict(
                v,
                Indeterminate,
                Some(S::NoSigningCertificateFound),
                "the signer's certificate is not in the CMS".into(),
            )
        }
        SignerOutcome::SigningCertificateMismatch => {
            return verdict(
                v,
                Indeterminate,
                Some(S::NoSigningCertificateFound),
                "the signing-certificate attribute names another certificate".into(),
            )
        }
        SignerOutcome::CryptoConstraints(why) | SignerOutcome::Unsupported(why) => {
            return verdict(v, Indeterminate, Some(S::CryptoConstraintsFailure), why.clone())
        }
    }
    if ctx.policy.forbid_signing_time_attribute && signer.claimed_signing_time.is_some() {
        return verdict(
            v,
            Failed,
            Some(S::FormatFailure),
            "the CMS carries a signingTime signed attribute, which PAdES baseline signatures must \
             not (ETSI EN 319 142-1 §5.4): their claimed signing time is the PDF's /M"
                .into(),
        );
    }
    if ctx.policy.require_signing_certificate_attribute && signer.signing_certificate_attribute != EssBinding::Matches {
        return verdict(
            v,
            Indeterminate,
            Some(S::FormatFailure),
            "the policy requires the ESS signing-certificate attribute".into(),
        );
    }
    let Some((leaf, leaf_x509)) = leaf else {
        return verdict(
            v,
            Indeterminate,
            Some(S::NoSigningCertificateFound),
            "no signer certificate".into(),
        );
    };
    if let Some(problem) = signer_key_usage_problem(&leaf_x509) {
        return verdict(v, Indeterminate, Some(S::SigConstraintsFailure), problem);
    }
    if how.time_stamping {
        if let Some(problem) = super::timestamp::tsa_usage_problem(&leaf_x509) {
            return verdict(v, Indeterminate, Some(S::SigConstraintsFailure), problem);
        }
    }
    if ctx.anchors.is_empty() {
        return verdict(
            v,
            Indeterminate,
            Some(S::NoCertificateChainFound),
            "no trust anchor was given".into(),
        );
    }
    let options = path_options(ctx.policy, how.time_stamping);
    let claimed = claimed_time.map(|t| t.unix_timestamp());
    let chains: &path::ChainCache = match ctx.chain_cache {
        Some(cache) => cache,
        None => path::ChainCache::shared(),
    };
    let validate = |at| chains.validate(leaf, intermediates, ctx.anchors, ctx.crls, at, &options);
    let now = validate(ctx.validation_time);
    let (valid, at_poe) = match now {
        Ok(p) => (p, false),
        Err(e @ (PathError::Revoked { .. } | PathError::OutOfValidity(_))) => {
            // Past-signature validation: was the chain good when the signature provably existed?
            let Some(poe) = ctx.proof_of_existence else {
                return time_failure(v, &e, claimed, None);
            };
            match validate(poe) {
                Ok(p) => {
                    v.detail = format!("{e}; but the signature existed at {}, before that", rfc3339(poe));
                    (p, true)
                }
                Err(e2 @ (PathError::Revoked { .. } | PathError::OutOfValidity(_))) => {
                    return time_failure(v, &e2, claimed, Some(poe))
                }
                Err(other) => return path_failure(v, other),
            }
        }
        Err(other) => return path_failure(v, other),
    };
    let chain: Vec<X509Certificate<'_>> = valid.chain.iter().filter_map(|d| parse(d)).collect();
    v.chain = chain.iter().map(summary).collect();
    v.valid_at_signing_time = match ctx.proof_of_existence {
        Some(_) if at_poe => Some(true),
        // The path valid now was valid at an earlier proof of existence when every
        // certificate's validity covers it: revocations up to now were ruled out, and
        // the CRLs current now are current or later at that time too.
        Some(poe)
            if poe <= ctx.validation_time
                && chain.iter().all(|c| {
                    let p = poe.unix_timestamp();
                    c.validity().not_before.timestamp() <= p && p <= c.validity().not_after.timestamp()
                }) =>
        {
            Some(true)
        }
        Some(poe) => Some(validate(poe).is_ok()),
        None => None,
    };
    v.crls_used = crls_used(&valid.revocation, ctx.crls);
    match valid.revocation.first() {
        Some(Revocation::Good { crl_this_update, .. }) => {
            let issuer = v.chain.first().map(|c| c.issuer.clone()).unwrap_or_default();
            v.revocation = RevocationSummary {
                status: "GOOD".into(),
                source: Some(format!("CRL of {issuer} issued {}", from_unix(*crl_this_update))),
                revoked_at: None,
            };
        }
        _ => v.revocation.status = "UNKNOWN".into(),
    }
    if ctx.policy.require_revocation_data {
        let signing = ctx.proof_of_existence.map(|t| t.unix_timestamp()).or(claimed);
        for status in &valid.revocation {
            let fresh = match status {
                Revocation::Good { crl_this_update, .. } => {
                    !ctx.policy.crl_issued_after_signing || signing.is_none_or(|s| *crl_this_update > s)
                }
                Revocation::Unknown => false,
            };
            if !fresh {
                return verdict(
                    v,
                    Indeterminate,
                    Some(S::TryLater),
                    "no current CRL covers every certificate of the chain".into(),
                );
            }
        }
    }
    let detail = if v.detail.is_empty() {
        "signature valid".into()
    } else {
        v.detail.clone()
    };
    if !at_poe {
        v.holds_until = Some(from_unix(holds_until(&chain, &valid.revocation)));
    }
    verdict(v, Passed, None, detail)
}

/// The path options of a policy; a TSA's certificate must allow id-kp-timeStamping.
pub(crate) fn path_options(policy: &Policy, time_stamping: bool) -> PathOptions {
    PathOptions {
        allow_legacy_algorithms: policy.allow_legacy_algorithms,
        required_eku: if time_stamping {
            vec![super::timestamp::OID_KP_TIME_STAMPING.into()]
        } else {
            Vec::new()
        },
        ..PathOptions::default()
    }
}

/// The CRLs behind the `Good` answers of a path, once each.
fn crls_used(revocation: &[Revocation], crls: &[Vec<u8>]) -> Vec<CrlUsed> {
    let mut used: Vec<CrlUsed> = Vec::new();
    for status in revocation {
        let Revocation::Good { crl, .. } = status else { continue };
        let Some(der) = crls.get(*crl) else { continue };
        let sha256 = crate::hash::Sha256::of(der).to_hex();
        if used.iter().any(|u| u.sha256 == sha256) {
            continue;
        }
        if let Ok((_, parsed)) = CertificateRevocationList::from_der(der) {
            used.push(CrlUsed {
                sha256,
                issuer: parsed.issuer().to_string(),
                this_update: from_unix(parsed.last_update().timestamp()),
                next_update: parsed.next_update().map(|t| from_unix(t.timestamp())),
            });
        }
    }
    used
}

/// The first instant after which a path valid now may stop being valid: a certificate's
/// notAfter, a CRL's nextUpdate, or a revocation the CRL dates in the future.
fn holds_until(chain: &[X509Certificate<'_>], revocation: &[Revocation]) -> i64 {
    let mut until = i64::MAX;
    for c in chain {
        until = until.min(c.validity().not_after.timestamp());
    }
    for status in revocation {
        if let Revocation::Good {
            crl_next_update,
            revoked_later,
            ..
        } = status
        {
            until = until.min(crl_next_update.unwrap_or(i64::MAX));
            until = until.min(revoked_later.unwrap_or(i64::MAX));
        }
    }
    until
}

/// Expired or revoked at the time that counts.
fn time_failure(
    v: SignatureVerdict,
    e: &PathError,
    claimed: Option<i64>,
    poe: Option<OffsetDateTime>,
) -> SignatureVerdict {
    let mut v = v;
    v.valid_at_signing_time = Some(false);
    let after_poe = |what: &str| match poe {
        Some(p) => format!("{what}, and the proof of existence ({}) is not earlier", rfc3339(p)),
        None => format!("{what}, and there is no proof the signature existed before"),
    };
    match e {
        PathError::Revoked { revoked_at, detail } => {
            v.revocation = RevocationSummary {
                status: "REVOKED".into(),
                source: Some("CRL".into()),
                revoked_at: Some(from_unix(*revoked_at)),
            };
            if claimed.is_some_and(|c| *revoked_at <= c) {
                v.indication = Indication::Failed;
                v.sub_indication = Some(SubIndication::Revoked);
                v.detail = format!("{detail}, at or before the claimed signing time");
            } else {
                v.indication = Indication::Indeterminate;
                v.sub_indication = Some(SubIndication::RevokedNoPoe);
                v.detail = after_poe(detail);
            }
        }
        other => {
            v.indication = Indication::Indeterminate;
            v.sub_indication = Some(SubIndication::OutOfBoundsNoPoe);
            v.detail = after_poe(&other.to_string());
        }
    }
    v
}

fn path_failure(mut v: SignatureVerdict, e: PathError) -> SignatureVerdict {
    v.indication = Indication::Indeterminate;
    v.sub_indication = Some(match e {
        PathError::Malformed(_) => SubIndication::FormatFailure,
        PathError::Profile(_) => SubIndication::ChainConstraintsFailure,
        _ => SubIndication::NoCertificateChainFound,
    });
    v.detail = e.to_string();
    v
}

/// A signer needs digitalSignature or nonRepudiation when its certificate has a keyUsage.
fn signer_key_usage_problem(c: &X509Certificate<'_>) -> Option<String> {
    match c.key_usage() {
        Ok(Some(ku)) if !(ku.value.digital_signature() || ku.value.non_repudiation()) => {
            Some("the signer's keyUsage allows neither digitalSignature nor nonRepudiation".into())
        }
        _ => None,
    }
}
