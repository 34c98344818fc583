//! One verdict per signature (ETSI EN 319 102-1, simplified): the CMS checks, the signer
//! constraints of the policy, path validation now, and, when that fails on expiry or
//! revocation, validation at the proof of existence (POE) the caller holds.
//!
//! The claimed signing time is only a claim: a thief with a stolen key backdates it. It
//! decides just one thing: a certificate revoked at or before the *claimed* time is
//! FAILED/REVOKED (even the signer does not claim to have signed before). Everything else
//! that depends on time uses the POE: the vault's own recorded time or a timestamp. A
//! validation time in the past is no POE either: without one, a revocation the CRLs show
//! (even one dated after the validation time) keeps the signature from PASSED.
//!
//! The signer's certificate must be one that may sign documents
//! ([`document_signer_problem`]: no CA, a keyUsage for signing when there is one, an
//! extendedKeyUsage for documents when there is one); the signed attributes must follow
//! RFC 5652's value counts, and the CMS must have no trailing byte (see
//! [`cms::SignerOutcome::Malformed`]).

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use x509_parser::prelude::{FromDer, X509Certificate};

use super::cms::{self, EssBinding, SignerOutcome};
use super::levels::{BaselineLevel, TimestampSummary};
use super::path::{self, EvidenceKind, PathError, PathOptions, Revocation};
use super::verdict::{Indication, SubIndication};
use crate::record::LATEST_INSTANT;

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
    /// Which revocation evidence proves a signature valid at its proof of existence.
    #[serde(default)]
    pub revocation_evidence: EvidencePolicy,
}

/// Which revocation evidence proves a certificate unrevoked at a signature's proof of
/// existence (POE), in past signature validation (ETSI EN 319 102-1 §5.6.2.4). Either way
/// a revocation dated at or before the POE, in any authentic evidence however late it
/// was issued, makes the signature REVOKED; and evidence issued after the caller's
/// present says nothing good.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum EvidencePolicy {
    /// The default: a CRL or OCSP response current at the POE (thisUpdate ≤ POE ≤
    /// nextUpdate) or issued after it. What PAdES B-LT files and the
    /// adbe-revocationInfoArchival attribute carry, and what the vault keeps when it
    /// accepts a signature.
    #[default]
    CurrentAtPoe,
    /// Strict: only evidence issued at least `grace_seconds` after the POE, so that a
    /// key compromise reported within the grace period is seen (ETSI EN 319 102-1
    /// §5.2.5's "grace period"). Until a refresh brings such evidence, the verdict is
    /// INDETERMINATE / TRY_LATER (pending).
    IssuedAfterPoe {
        /// The grace period, in seconds.
        grace_seconds: i64,
    },
}

impl EvidencePolicy {
    /// The policy's name in verdicts.
    pub fn name(self) -> String {
        match self {
            EvidencePolicy::CurrentAtPoe => "evidence current at the proof of existence".into(),
            EvidencePolicy::IssuedAfterPoe { grace_seconds } => {
                format!("evidence issued at least {grace_seconds} s after the proof of existence")
            }
        }
    }
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
            revocation_evidence: EvidencePolicy::CurrentAtPoe,
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
    /// Revocation evidence (DER): CRLs and OCSP responses (OCSPResponse or
    /// BasicOCSPResponse), used even for certificates that name no distribution point or
    /// responder. What the CMS carries is added to it.
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
    /// SHA-256 of the certificate's DER, hex: what a signer policy names.
    #[serde(default)]
    pub sha256: String,
    /// The subject's organization (O=) values, read from the DER (not from `subject`,
    /// where a comma inside a CN could pass for another attribute).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub organizations: Vec<String>,
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

/// An OCSP response a verdict relied on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OcspUsed {
    /// SHA-256 of the response's DER, hex.
    pub sha256: String,
    /// The issuer of the certificate it answers for.
    pub issuer: String,
    /// Who signed it: the responderID's name, or `key:` and the SHA-1 of its key, hex.
    pub responder: String,
    /// producedAt, RFC 3339.
    pub produced_at: String,
    /// thisUpdate, RFC 3339.
    pub this_update: String,
    /// nextUpdate (thisUpdate + 24 h when it has none), RFC 3339.
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
    /// The OCSP responses that answered for the chain's certificates.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ocsp_used: Vec<OcspUsed>,
    /// Which revocation evidence the policy accepts (see [`EvidencePolicy`]), when it
    /// requires revocation data.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub evidence_policy: Option<String>,
    /// For a PASSED verdict reached at the validation time itself: until when the same
    /// answer holds with the same trust material (the first certificate expiry, CRL
    /// nextUpdate or dated revocation after the validation time). `None`: no such bound
    /// is known, and the verdict must not be reused for another time.
    #[serde(default)]
    pub holds_until: Option<String>,
    /// The baseline level the signature proves (B-B, B-T, B-LT, B-LTA), when its
    /// integrity verified; see [`super::levels`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub level: Option<BaselineLevel>,
    /// The timestamps looked at (signature timestamps, and for a PDF the document
    /// timestamps over its revision), and which gave the proof of existence.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub timestamps: Vec<TimestampSummary>,
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
        sha256: crate::hash::Sha256::of(c.as_raw()).to_hex(),
        organizations: c
            .subject()
            .iter_organization()
            .filter_map(|a| a.as_str().ok().map(str::to_owned))
            .collect(),
    }
}

fn parse(der: &[u8]) -> Option<X509Certificate<'_>> {
    X509Certificate::from_der(der).ok().map(|(_, c)| c)
}

/// Verifies a detached CMS over `content`: one verdict per SignerInfo verified (one,
/// unless `all_signers`). A CMS that cannot be read gives one INDETERMINATE/FORMAT_FAILURE
/// verdict: a bad signature is a verdict, never an error. The CMS must be exactly one
/// ContentInfo: a byte after it, a signed attribute with the wrong number of values or
/// an attribute type given twice is FAILED/FORMAT_FAILURE (see [`cms::SignerOutcome::Malformed`]).
pub fn verify_detached(cms_bytes: &[u8], content: &[u8], ctx: &ValidationContext<'_>) -> Vec<SignatureVerdict> {
    let _work = super::budget::WorkScope::enter();
    let checked = cms::check_detached_parts(cms_bytes, &[content], ctx.policy.allow_legacy_algorithms);
    verify_checked(checked, ctx, None)
}

/// [`verify_detached`] where the signed content is the concatenation of `parts` (a PDF's
/// two `/ByteRange` pieces), digested part after part without being concatenated; the
/// CMS comes from a PDF's `/Contents`, so zero bytes after it are admitted.
pub fn verify_detached_parts(cms_bytes: &[u8], parts: &[&[u8]], ctx: &ValidationContext<'_>) -> Vec<SignatureVerdict> {
    verify_detached_parts_claimed(cms_bytes, parts, ctx, None)
}

/// [`verify_detached_parts`], with the signing time claimed outside the CMS: a PDF
/// signature dictionary's `/M`. It is used when a SignerInfo carries no signingTime
/// attribute (the attribute, where a policy tolerates it, comes first), exactly as that
/// attribute would be: it is the verdict's `claimed_signing_time`, a revocation at or
/// before it is FAILED/REVOKED, and, without a proof of existence, strict CRL freshness
/// ([`Policy::crl_issued_after_signing`]) counts from it. A claim, never a proof. The CMS
/// is a PDF's `/Contents`: zero padding after it is admitted, nothing else.
pub fn verify_detached_parts_claimed(
    cms_bytes: &[u8],
    parts: &[&[u8]],
    ctx: &ValidationContext<'_>,
    claimed_signing_time: Option<OffsetDateTime>,
) -> Vec<SignatureVerdict> {
    let _work = super::budget::WorkScope::enter();
    let checked = cms::check_detached_parts_in_pdf(cms_bytes, parts, ctx.policy.allow_legacy_algorithms);
    verify_checked(checked, ctx, claimed_signing_time)
}

fn verify_checked(
    checked: Result<cms::CmsCheck, cms::FormatFailure>,
    ctx: &ValidationContext<'_>,
    claimed_signing_time: Option<OffsetDateTime>,
) -> Vec<SignatureVerdict> {
    let base = undecided(ctx);
    let checked = match checked {
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
    // The caller's intermediates (the trust store) before those the CMS carries: among
    // issuer candidates that rank alike, the path search tries them first.
    let mut intermediates = ctx.intermediates.to_vec();
    intermediates.extend_from_slice(&checked.certificates);
    let pools = path::Pools::new(&intermediates, ctx.anchors);
    let how = Judging {
        claimed_signing_time,
        time_stamping: false,
    };
    checked
        .signers
        .iter()
        .map(|signer| {
            // A signature timestamp that verifies is a proof of existence (B-T).
            let (timestamps, stamped) = super::levels::signature_timestamps(signer, ctx);
            let mut v = match stamped {
                Some(_) => {
                    let ctx = ValidationContext {
                        proof_of_existence: super::levels::earliest(stamped, ctx.proof_of_existence),
                        ..ctx.clone()
                    };
                    judge(signer, &pools, &ctx, undecided(&ctx), &how)
                }
                None => judge(signer, &pools, ctx, base.clone(), &how),
            };
            v.timestamps = timestamps;
            super::levels::mark_proof_used(&mut v);
            v.level = super::levels::cms_level(&v, signer, &checked.certificates, ctx.anchors);
            v
        })
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
        ocsp_used: Vec::new(),
        evidence_policy: None,
        holds_until: None,
        level: None,
        timestamps: Vec::new(),
        policy: ctx.policy.name.clone(),
        verifier: format!("results-vault {}", crate::VERSION),
        validation_time: rfc3339(ctx.validation_time),
    }
}

pub(crate) fn judge(
    signer: &cms::SignerCheck,
    pools: &path::Pools<'_>,
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
        SignerOutcome::Malformed(why) => return verdict(v, Failed, Some(S::FormatFailure), why.clone()),
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
        SignerOutcome::TooCostly(why) => return verdict(v, Indeterminate, Some(S::GenericError), why.clone()),
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
    if how.time_stamping {
        // A TSA: its keyUsage, then RFC 3161 §2.3's critical id-kp-timeStamping alone.
        if let Some(problem) =
            signer_key_usage_problem(&leaf_x509).or_else(|| super::timestamp::tsa_usage_problem(&leaf_x509))
        {
            return verdict(v, Indeterminate, Some(S::SigConstraintsFailure), problem);
        }
    } else if let Some(problem) = document_signer_problem(&leaf_x509) {
        return verdict(v, Indeterminate, Some(S::ChainConstraintsFailure), problem);
    }
    if ctx.anchors.is_empty() {
        return verdict(
            v,
            Indeterminate,
            Some(S::NoCertificateChainFound),
            "no trust anchor was given".into(),
        );
    }
    let options = path_options(ctx.policy, how.time_stamping, ctx.validation_time);
    let claimed = claimed_time.map(|t| t.unix_timestamp());
    let chains: &path::ChainCache = match ctx.chain_cache {
        Some(cache) => cache,
        None => path::ChainCache::shared(),
    };
    // The caller's revocation evidence, then what the CMS carries for this signer.
    let evidence: std::borrow::Cow<'_, [Vec<u8>]> = if signer.revocation_values.is_empty() {
        std::borrow::Cow::Borrowed(ctx.crls)
    } else {
        let mut all = ctx.crls.to_vec();
        all.extend(signer.revocation_values.iter().cloned());
        std::borrow::Cow::Owned(all)
    };
    let validate = |at| chains.validate_in(leaf, pools, &evidence, at, &options);
    // With a proof of existence, the signature is judged at it (past signature
    // validation, ETSI EN 319 102-1 §5.6.2.4): was the chain valid, and unrevoked, when
    // the signature provably existed? The evidence may be current at the POE or issued
    // after it; every revocation the evidence gives at or before the POE counts, however
    // late it was published. One rule at every validation time: the verdict does not
    // decay when CRLs go stale or the signer's certificate expires, nor improve later.
    let poe = ctx.proof_of_existence.filter(|p| *p <= ctx.validation_time);
    // A revocation names the evidence that says so, as a PASSED verdict names its own.
    let revoked = |v: SignatureVerdict, e: &PathError, poe| {
        let mut v = time_failure(v, e, claimed, poe);
        if let PathError::Revoked {
            evidence: Some((index, kind)),
            position,
            ..
        } = e
        {
            let status = [Revocation::Good {
                evidence: *index,
                kind: *kind,
                this_update: 0,
                next_update: None,
                revoked_later: None,
            }];
            // The chain is not known when no path validated; the signer is.
            let about: Vec<CertificateSummary> = match position {
                0 => v.signer.iter().cloned().collect(),
                _ => v.chain.iter().skip(*position).cloned().collect(),
            };
            (v.crls_used, v.ocsp_used) = evidence_used(&status, &about, &evidence, chains);
        }
        v
    };
    // A signature proven to exist before its certificate was issued (a timestamp older
    // than the certificate): FAILED / NOT_YET_VALID (ETSI EN 319 102-1 §5.6.2.4).
    if let Some(p) = poe.filter(|_| !how.time_stamping) {
        let not_before = leaf_x509.validity().not_before.timestamp();
        if p.unix_timestamp() < not_before {
            return verdict(
                v,
                Failed,
                Some(S::NotYetValid),
                format!(
                    "the signature is proven to have existed at {}, before its certificate was valid (from {})",
                    rfc3339(p),
                    from_unix(not_before)
                ),
            );
        }
    }
    let (valid, at_poe) = match poe {
        Some(poe) => match validate(poe) {
            Ok(p) => (p, true),
            Err(e @ (PathError::Revoked { .. } | PathError::OutOfValidity(_))) => return revoked(v, &e, Some(poe)),
            Err(other) => return path_failure(v, other),
        },
        None => match validate(ctx.validation_time) {
            Ok(p) => (p, false),
            Err(e @ (PathError::Revoked { .. } | PathError::OutOfValidity(_))) => {
                return revoked(v, &e, ctx.proof_of_existence)
            }
            Err(other) => return path_failure(v, other),
        },
    };
    if !at_poe {
        if let Some(revoked) = revoked_without_poe(&valid, ctx) {
            return time_failure(v, &revoked, claimed, ctx.proof_of_existence);
        }
    }
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
    (v.crls_used, v.ocsp_used) = evidence_used(&valid.revocation, &v.chain, &evidence, chains);
    match valid.revocation.first() {
        Some(Revocation::Good { kind, this_update, .. }) => {
            let issuer = v.chain.first().map(|c| c.issuer.clone()).unwrap_or_default();
            let source = match kind {
                EvidenceKind::Crl => format!("CRL of {issuer} issued {}", from_unix(*this_update)),
                EvidenceKind::Ocsp => format!("OCSP response for {issuer} issued {}", from_unix(*this_update)),
            };
            v.revocation = RevocationSummary {
                status: "GOOD".into(),
                source: Some(source),
                revoked_at: None,
            };
        }
        _ => v.revocation.status = "UNKNOWN".into(),
    }
    if ctx.policy.require_revocation_data {
        v.evidence_policy = Some(ctx.policy.revocation_evidence.name());
        let signing = ctx.proof_of_existence.map(|t| t.unix_timestamp()).or(claimed);
        // The earliest thisUpdate that counts: after the signing time under the strict
        // policies, any otherwise.
        let issued_after = match (ctx.policy.revocation_evidence, at_poe) {
            (EvidencePolicy::IssuedAfterPoe { grace_seconds }, true) => {
                signing.map(|s| s.saturating_add(grace_seconds.max(0)))
            }
            _ if ctx.policy.crl_issued_after_signing => signing.map(|s| s.saturating_add(1)),
            _ => None,
        };
        for status in &valid.revocation {
            let fresh = match status {
                Revocation::Good { this_update, .. } => issued_after.is_none_or(|t| *this_update >= t),
                Revocation::RevokedLater { .. } | Revocation::Unknown => false,
            };
            if !fresh {
                let detail = match (poe, issued_after) {
                    (Some(p), Some(t)) if at_poe => format!(
                        "pending: no CRL or OCSP response issued from {} on (the proof of existence {} plus \
                         the grace period) covers every certificate of the chain; a refresh of the revocation \
                         data completes the check",
                        from_unix(t),
                        rfc3339(p)
                    ),
                    (Some(p), _) if at_poe => format!(
                        "pending: no CRL or OCSP response current at the proof of existence {} (or issued \
                         after it) covers every certificate of the chain; a refresh of the revocation data \
                         completes the check",
                        rfc3339(p)
                    ),
                    _ => "no current CRL or OCSP response covers every certificate of the chain".into(),
                };
                return verdict(v, Indeterminate, Some(S::TryLater), detail);
            }
        }
    }
    let detail = match poe {
        _ if !v.detail.is_empty() => v.detail.clone(),
        Some(p) if at_poe => format!(
            "signature valid: the chain was valid and unrevoked when the signature provably existed ({})",
            rfc3339(p)
        ),
        _ => "signature valid".into(),
    };
    v.holds_until = Some(if at_poe {
        // Judged at the proof of existence: a later validation time can only bring more
        // evidence, and what evidence can change (a revocation at or before the POE) is
        // read from evidence issued at any time. The verdict holds from now on, for the
        // same evidence.
        rfc3339(LATEST_INSTANT)
    } else {
        from_unix(holds_until(&chain, &valid.revocation))
    });
    verdict(v, Passed, None, detail)
}

/// A revocation that the CRLs date after the validation time but that had already taken
/// effect when the CRL saying so was issued (revocation date at or before its
/// thisUpdate), with no proof of existence before it. A validation time in the past
/// (`rvault verify --at T`) describes the certificate at T, not the signature: without
/// a POE the signature is only known to exist now, after the revocation, and its claimed
/// signing time is no proof. Such a path is judged as revoked (FAILED/REVOKED when the
/// signer claims a time at or after the revocation, else INDETERMINATE/REVOKED_NO_POE).
/// Every listing counts: the path check reads a revocationDate after its CRL's thisUpdate
/// as that thisUpdate (a CRL lists certificates revoked when it is issued; it does not
/// announce revocations), so a revocation is never "announced ahead".
fn revoked_without_poe(valid: &path::ValidPath, ctx: &ValidationContext<'_>) -> Option<PathError> {
    valid.revocation.iter().enumerate().find_map(|(i, status)| {
        let (revoked_at, listed_by) = match *status {
            Revocation::Good {
                revoked_later: Some(revoked_at),
                kind,
                this_update,
                ..
            } => {
                let by = match kind {
                    EvidenceKind::Crl => "a CRL",
                    EvidenceKind::Ocsp => "an OCSP response",
                };
                (revoked_at, format!(", by {by} issued at {}", from_unix(this_update)))
            }
            Revocation::RevokedLater { revoked_at } => (revoked_at, String::new()),
            _ => return None,
        };
        let proven_before = ctx.proof_of_existence.is_some_and(|p| p.unix_timestamp() < revoked_at);
        if proven_before {
            return None;
        }
        let what = if i == 0 {
            "the signer's certificate".to_string()
        } else {
            format!("intermediate {i}")
        };
        Some(PathError::Revoked {
            revoked_at,
            position: i,
            evidence: None,
            detail: format!(
                "{what} was revoked at {} (after the validation time {}{listed_by})",
                from_unix(revoked_at),
                rfc3339(ctx.validation_time),
            ),
        })
    })
}

/// The path options of a policy; a TSA's certificate must allow id-kp-timeStamping.
/// `present` is the validation time asked for: a CRL issued after it did not exist then,
/// so it says nothing good (though what it lists is revoked), whatever earlier time the
/// path is validated at.
pub(crate) fn path_options(policy: &Policy, time_stamping: bool, present: OffsetDateTime) -> PathOptions {
    PathOptions {
        validation_time: Some(present),
        allow_legacy_algorithms: policy.allow_legacy_algorithms,
        required_eku: if time_stamping {
            vec![super::timestamp::OID_KP_TIME_STAMPING.into()]
        } else {
            Vec::new()
        },
        ..PathOptions::default()
    }
}

/// The CRLs and OCSP responses behind the `Good` answers of a path, once each.
/// `chain` is the path's certificates, in the order of `revocation`.
fn evidence_used(
    revocation: &[Revocation],
    chain: &[CertificateSummary],
    evidence: &[Vec<u8>],
    chains: &path::ChainCache,
) -> (Vec<CrlUsed>, Vec<OcspUsed>) {
    let (mut crls, mut responses): (Vec<CrlUsed>, Vec<OcspUsed>) = (Vec::new(), Vec::new());
    for (i, status) in revocation.iter().enumerate() {
        let Revocation::Good {
            evidence: index,
            kind,
            this_update,
            next_update,
            ..
        } = status
        else {
            continue;
        };
        let Some(der) = evidence.get(*index) else { continue };
        let summary = match kind {
            EvidenceKind::Crl => chains.crl_summary(der),
            EvidenceKind::Ocsp => None,
        };
        let sha256 = match &summary {
            Some(s) => crate::hash::Sha256(s.sha256).to_hex(),
            None => crate::hash::Sha256::of(der).to_hex(),
        };
        match kind {
            EvidenceKind::Crl => {
                if crls.iter().any(|u| u.sha256 == sha256) {
                    continue;
                }
                if let Some(s) = summary {
                    crls.push(CrlUsed {
                        sha256,
                        issuer: s.issuer,
                        this_update: from_unix(s.this_update),
                        next_update: s.next_update.map(from_unix),
                    });
                }
            }
            EvidenceKind::Ocsp => {
                if responses.iter().any(|u| u.sha256 == sha256) {
                    continue;
                }
                let (responder, produced_at) = chains.ocsp_producer(der).unwrap_or_default();
                responses.push(OcspUsed {
                    sha256,
                    issuer: chain.get(i).map(|c| c.issuer.clone()).unwrap_or_default(),
                    responder,
                    produced_at: from_unix(produced_at),
                    this_update: from_unix(*this_update),
                    next_update: next_update.map(from_unix),
                });
            }
        }
    }
    (crls, responses)
}

/// The first instant after which a path valid now may stop being valid: a certificate's
/// notAfter, a CRL's nextUpdate, or a revocation the CRL dates in the future.
fn holds_until(chain: &[X509Certificate<'_>], revocation: &[Revocation]) -> i64 {
    let mut until = i64::MAX;
    for c in chain {
        until = until.min(c.validity().not_after.timestamp());
    }
    for status in revocation {
        match *status {
            Revocation::Good {
                next_update,
                revoked_later,
                ..
            } => {
                until = until.min(next_update.unwrap_or(i64::MAX));
                until = until.min(revoked_later.unwrap_or(i64::MAX));
            }
            Revocation::RevokedLater { revoked_at } => until = until.min(revoked_at),
            Revocation::Unknown => {}
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
        PathError::Revoked {
            revoked_at,
            position,
            evidence,
            detail,
        } => {
            let source = match evidence {
                Some((_, EvidenceKind::Ocsp)) => "OCSP response",
                _ => "CRL",
            };
            v.revocation = RevocationSummary {
                status: "REVOKED".into(),
                source: Some(source.into()),
                revoked_at: Some(from_unix(*revoked_at)),
            };
            if *position > 0 {
                // A CA of the path was revoked, and nothing proves the signature existed
                // before (ETSI EN 319 102-1 §5.2.6: REVOKED_CA_NO_POE).
                v.indication = Indication::Indeterminate;
                v.sub_indication = Some(SubIndication::RevokedCaNoPoe);
                v.detail = after_poe(detail);
            } else if claimed.is_some_and(|c| *revoked_at <= c) {
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

/// Extended key usages that allow a certificate to sign documents: anyExtendedKeyUsage
/// (RFC 5280 §4.2.1.12), emailProtection (S/MIME, the CMS signer's purpose: what
/// document-signing certificates carried before RFC 9336), id-kp-documentSigning (RFC
/// 9336 §3), and the two document-signing purposes that Adobe Acrobat accepts in a
/// signer's certificate: Microsoft Document Signing (1.3.6.1.4.1.311.10.3.12) and Adobe
/// Authentic Documents Trust (1.2.840.113583.1.1.5).
pub const DOCUMENT_SIGNING_EKUS: &[(&str, &str)] = &[
    ("2.5.29.37.0", "anyExtendedKeyUsage"),
    ("1.3.6.1.5.5.7.3.4", "emailProtection"),
    ("1.3.6.1.5.5.7.3.36", "documentSigning"),
    ("1.3.6.1.4.1.311.10.3.12", "Microsoft Document Signing"),
    ("1.2.840.113583.1.1.5", "Adobe Authentic Documents Trust"),
];

/// Why `c` may not sign documents, or `None`. The signer-certificate policy, one answer
/// for the verification engine (INDETERMINATE / CHAIN_CONSTRAINTS_FAILURE) and for the
/// vault, which refuses such a certificate at `begin_signing` and such a reply at
/// `complete_signing` or `attach_signature`:
///
/// - **not a CA**: a certificate with basicConstraints cA=TRUE is refused, whatever its
///   keyUsage (RFC 5280 permits a CA key to sign other objects; a CA key that signs
///   documents is a CA that issued itself a signing purpose, and Vietnamese and ETSI EN
///   319 412-2 signer profiles are end-entity certificates);
/// - **keyUsage**: when present, it must allow digitalSignature or nonRepudiation (RFC
///   5280 §4.2.1.3). A certificate **without keyUsage** is accepted: RFC 5280 reads an
///   absent keyUsage as no restriction, as OpenSSL and Acrobat do (ETSI EN 319 412-2
///   obliges CAs to include it, which is an issuance rule, not a validation one);
/// - **extendedKeyUsage**: when present, it must hold one of [`DOCUMENT_SIGNING_EKUS`]
///   (RFC 5280 §4.2.1.12: the certificate may be used only for the purposes listed). A
///   certificate for TLS servers or clients, code signing, timestamping or OCSP signing
///   alone is refused; without the extension, any purpose is allowed.
///
/// Timestamps follow their own rule (RFC 3161 §2.3: a critical id-kp-timeStamping alone).
pub fn document_signer_problem(c: &X509Certificate<'_>) -> Option<String> {
    if matches!(c.basic_constraints(), Ok(Some(bc)) if bc.value.ca) {
        return Some(
            "the signer's certificate is a CA certificate (basicConstraints cA=TRUE): CA keys sign \
             certificates and CRLs, not documents"
                .into(),
        );
    }
    if let Some(problem) = signer_key_usage_problem(c) {
        return Some(problem);
    }
    match c.extended_key_usage() {
        Ok(None) => None,
        Err(_) => Some("the signer's extendedKeyUsage is malformed or repeated".into()),
        Ok(Some(eku)) => {
            let e = eku.value;
            let mut present: Vec<String> = Vec::new();
            for (flag, name) in [
                (e.any, "anyExtendedKeyUsage"),
                (e.server_auth, "serverAuth"),
                (e.client_auth, "clientAuth"),
                (e.code_signing, "codeSigning"),
                (e.email_protection, "emailProtection"),
                (e.time_stamping, "timeStamping"),
                (e.ocsp_signing, "OCSPSigning"),
            ] {
                if flag {
                    present.push(name.into());
                }
            }
            present.extend(e.other.iter().map(|o| {
                let oid = o.to_id_string();
                DOCUMENT_SIGNING_EKUS
                    .iter()
                    .find(|(known, _)| *known == oid)
                    .map_or(oid, |(_, name)| (*name).to_string())
            }));
            let allowed = present
                .iter()
                .any(|p| DOCUMENT_SIGNING_EKUS.iter().any(|(_, name)| name == p));
            (!allowed).then(|| {
                format!(
                    "the signer's extendedKeyUsage ({}) does not allow signing documents: it needs one of {} \
                     (RFC 5280 §4.2.1.12, RFC 9336)",
                    if present.is_empty() {
                        "empty".to_string()
                    } else {
                        present.join(", ")
                    },
                    DOCUMENT_SIGNING_EKUS
                        .iter()
                        .map(|(_, name)| *name)
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            })
        }
    }
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
