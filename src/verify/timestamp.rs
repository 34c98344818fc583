//! RFC 3161 timestamp tokens over data given in parts: a PDF's document timestamp
//! (`/Type /DocTimeStamp`, SubFilter `ETSI.RFC3161`), whose `/Contents` is a token over
//! the two `/ByteRange` pieces.
//!
//! A token is a CMS SignedData whose *encapsulated* content is a DER TSTInfo (RFC 3161
//! §2.4.2). It is valid when the TSA's signature over the TSTInfo verifies (signed
//! attributes, messageDigest, ESS signing-certificate(-v2), which RFC 3161 §2.4.1
//! requires), the messageImprint is the hash of the data, the TSA's certificate allows
//! id-kp-timeStamping and nothing else in a critical extendedKeyUsage (§2.3), and its
//! chain is valid now (or at the caller's proof of existence, as for any signature) and
//! was valid at genTime. A valid token proves the data existed at genTime.

use bcder::decode::Constructed;
use bcder::{Mode, OctetString, Oid, Tag};
use time::OffsetDateTime;
use x509_parser::prelude::X509Certificate;

use super::cms::{self, SignerOutcome};
use super::crypto::DigestAlgorithm;
use super::path::{self, PathError};
use super::signature::{self, rfc3339, Judging, Policy, SignatureVerdict, ValidationContext};
use super::verdict::{Indication, SubIndication};

/// id-ct-TSTInfo, the eContentType of a timestamp token.
pub const OID_CT_TST_INFO: &str = "1.2.840.113549.1.9.16.1.4";
/// id-kp-timeStamping, the one extended key usage of a TSA's certificate.
pub const OID_KP_TIME_STAMPING: &str = "1.3.6.1.5.5.7.3.8";

/// A TSTInfo (RFC 3161 §2.4.2), as far as a verdict needs it; accuracy, ordering, nonce,
/// tsa and extensions are not kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TstInfo {
    /// The TSA's policy under which the token was issued (dotted OID).
    pub policy: String,
    /// The messageImprint's hash algorithm (dotted OID).
    pub hash_algorithm: String,
    /// The messageImprint's hashedMessage: the hash of the timestamped data.
    pub hashed_message: Vec<u8>,
    /// The serial number, hex (unique per TSA).
    pub serial_number: String,
    /// genTime: when the TSA says it stamped the data (fractions of a second kept).
    pub gen_time: OffsetDateTime,
    /// The accuracy the TSA declares (RFC 3161 §2.4.2): the data existed at genTime give
    /// or take this much. Zero when absent.
    pub accuracy: time::Duration,
    /// The OIDs of the TSTInfo's critical extensions (none is understood here).
    pub critical_extensions: Vec<String>,
}

impl TstInfo {
    /// The latest time the token allows for the data: genTime plus its accuracy. What it
    /// proves the data existed by.
    pub fn proves(&self) -> OffsetDateTime {
        self.gen_time + self.accuracy
    }
}

/// What the check of one timestamp token found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimestampCheck {
    /// The verdict: the TSA is the signer and `claimed_signing_time` is genTime; a
    /// PASSED verdict's `proof_of_existence` is genTime (what the token proves) and its
    /// `valid_at_signing_time` says the TSA's chain was valid at genTime.
    pub verdict: SignatureVerdict,
    /// The TSTInfo, when it could be read (also when the verdict is not PASSED).
    pub tst_info: Option<TstInfo>,
}

impl TimestampCheck {
    /// The time by which the token proves the data existed: genTime plus its accuracy,
    /// when PASSED.
    pub fn proven_time(&self) -> Option<OffsetDateTime> {
        match self.verdict.indication {
            Indication::Passed => self.tst_info.as_ref().map(TstInfo::proves),
            _ => None,
        }
    }
}

/// Verifies an RFC 3161 timestamp token (DER or BER ContentInfo, zero padding allowed)
/// over the concatenation of `parts`, hashed part after part: see [`check_timestamp_token_parts`].
pub fn verify_timestamp_token_parts(
    token_cms: &[u8],
    parts: &[&[u8]],
    ctx: &ValidationContext<'_>,
) -> SignatureVerdict {
    check_timestamp_token_parts(token_cms, parts, ctx).verdict
}

/// Verifies an RFC 3161 timestamp token over the concatenation of `parts`: the verdict
/// and the TSTInfo. The ESS signing-certificate(-v2) attribute is required and a
/// signingTime attribute tolerated, whatever `ctx.policy` says of signatures (RFC 3161
/// §2.4.1); revocation data, its freshness and legacy algorithms follow `ctx.policy`.
///
/// Outcomes beyond those of a signature: FAILED/HASH_FAILURE when the messageImprint is
/// not the hash of the data; INDETERMINATE/SIG_CONSTRAINTS_FAILURE when the TSA's
/// certificate lacks a critical extendedKeyUsage of id-kp-timeStamping alone;
/// FAILED/REVOKED or INDETERMINATE/OUT_OF_BOUNDS_NO_POE when its chain was not valid at
/// genTime; INDETERMINATE/GENERIC_ERROR for a genTime after the validation time.
pub fn check_timestamp_token_parts(token_cms: &[u8], parts: &[&[u8]], ctx: &ValidationContext<'_>) -> TimestampCheck {
    let _work = super::budget::WorkScope::enter();
    let policy = Policy {
        require_signing_certificate_attribute: true,
        forbid_signing_time_attribute: false,
        ..ctx.policy.clone()
    };
    let ctx = ValidationContext {
        policy: &policy,
        ..ctx.clone()
    };
    let base = signature::undecided(&ctx);
    let fail = |detail: String, tst_info: Option<TstInfo>| TimestampCheck {
        verdict: SignatureVerdict { detail, ..base.clone() },
        tst_info,
    };
    let token = match cms::check_encapsulated(token_cms, policy.allow_legacy_algorithms) {
        Ok(token) => token,
        Err(e) => return fail(format!("not a timestamp token: {e}"), None),
    };
    if token.content_type != OID_CT_TST_INFO {
        return fail(
            format!(
                "not a timestamp token: the encapsulated content is {}, not a TSTInfo",
                token.content_type
            ),
            None,
        );
    }
    let info = match parse_tst_info(&token.content) {
        Ok(info) => info,
        Err(e) => return fail(format!("malformed TSTInfo: {e}"), None),
    };
    let [signer] = token.check.signers.as_slice() else {
        return fail(
            format!(
                "{} SignerInfos where a timestamp token has one",
                token.check.signers.len()
            ),
            Some(info),
        );
    };
    let mut signer = signer.clone();
    // The TSA's claim is genTime, whatever signingTime the token also carries.
    signer.claimed_signing_time = Some(info.gen_time);
    let mut imprint_failure = None;
    if signer.outcome == SignerOutcome::Intact {
        match DigestAlgorithm::from_oid(&info.hash_algorithm) {
            Some(DigestAlgorithm::Sha1) if !policy.allow_legacy_algorithms => {
                signer.outcome = SignerOutcome::CryptoConstraints("a SHA-1 messageImprint".into())
            }
            Some(hash) if hash.digest_parts(parts) == info.hashed_message => {}
            Some(hash) => {
                signer.outcome = SignerOutcome::HashFailure;
                imprint_failure = Some(format!(
                    "the timestamp's messageImprint is not the {} hash of the data",
                    hash.name()
                ));
            }
            None => {
                signer.outcome =
                    SignerOutcome::Unsupported(format!("messageImprint hash algorithm {}", info.hash_algorithm))
            }
        }
    }
    // The caller's intermediates before the token's (see `path`: candidate ranking).
    let mut intermediates = ctx.intermediates.to_vec();
    intermediates.extend_from_slice(&token.check.certificates);
    let how = Judging {
        claimed_signing_time: None,
        time_stamping: true,
    };
    let pools = path::Pools::new(&intermediates, ctx.anchors);
    // The TSA's chain is judged at genTime: valid then, and unrevoked by evidence current
    // then or issued after it (what an archive keeps). What genTime cannot vouch for, its
    // own TSA's key, is checked below up to the caller's proof of existence.
    // Always at genTime: a caller's earlier proof of existence of the token cannot move
    // the TSA's judgement before the time the TSA says it signed.
    let gen_time_ok = info.gen_time <= ctx.validation_time;
    let at_gen_time = ValidationContext {
        proof_of_existence: match gen_time_ok {
            true => Some(info.gen_time),
            false => ctx.proof_of_existence,
        },
        ..ctx.clone()
    };
    let mut v = signature::judge(&signer, &pools, &at_gen_time, base.clone(), &how);
    v.proof_of_existence = base.proof_of_existence.clone();
    if let Some(detail) = imprint_failure {
        v.detail = detail;
    } else if v.integrity && v.indication != Indication::Passed && gen_time_ok {
        v.detail = format!("the TSA's chain at genTime {}: {}", rfc3339(info.gen_time), v.detail);
    }
    if v.indication != Indication::Passed {
        return TimestampCheck {
            verdict: v,
            tst_info: Some(info),
        };
    }
    let gen_time = rfc3339(info.gen_time);
    let mut refuse = |indication, sub, detail: String| {
        v.indication = indication;
        v.sub_indication = Some(sub);
        v.detail = detail;
        v.holds_until = None;
    };
    if let Some(oid) = info.critical_extensions.first() {
        refuse(
            Indication::Indeterminate,
            SubIndication::FormatFailure,
            format!("the TSTInfo has a critical extension this verifier does not understand ({oid}): RFC 3161 §2.4.2 reads extensions as X.509 does"),
        );
    } else if !gen_time_ok {
        refuse(
            Indication::Indeterminate,
            SubIndication::GenericError,
            format!("genTime {gen_time} is after the validation time"),
        );
    } else if let Some(leaf) = signer.certificate.as_deref() {
        // A token proves genTime only while its TSA's key is trusted: a key that leaked
        // after genTime (the TSA revoked, or its certificate expired and no longer
        // watched) can sign any genTime. So the chain must still be valid, and not
        // revoked, at the caller's proof of existence of the token (a later document
        // timestamp, the vault's record), or at the validation time when there is none.
        let until = ctx
            .proof_of_existence
            .map_or(ctx.validation_time, |p| p.min(ctx.validation_time))
            .max(info.gen_time);
        let options = signature::path_options(&policy, true, ctx.validation_time);
        let chains: &path::ChainCache = match ctx.chain_cache {
            Some(cache) => cache,
            None => path::ChainCache::shared(),
        };
        // The evidence the token carries counts too, as it does for the TSA's judgement.
        let evidence: std::borrow::Cow<'_, [Vec<u8>]> = if signer.revocation_values.is_empty() {
            std::borrow::Cow::Borrowed(ctx.crls)
        } else {
            std::borrow::Cow::Owned([ctx.crls, &signer.revocation_values].concat())
        };
        let still_trusted = chains.validate_in(leaf, &pools, &evidence, until, &options);
        let not_then = |e: &PathError| {
            format!(
                "the TSA's certificate was not trusted at {} (genTime {gen_time}; the token proves nothing \
                 once its TSA's key may have leaked, unless a later proof of existence precedes that): {e}",
                rfc3339(until)
            )
        };
        match still_trusted {
            Ok(_) => {}
            Err(e @ PathError::Revoked { .. }) => {
                refuse(Indication::Indeterminate, SubIndication::RevokedNoPoe, not_then(&e))
            }
            Err(e @ PathError::OutOfValidity(_)) => {
                refuse(Indication::Indeterminate, SubIndication::OutOfBoundsNoPoe, not_then(&e))
            }
            Err(e @ PathError::Profile(_)) => refuse(
                Indication::Indeterminate,
                SubIndication::ChainConstraintsFailure,
                not_then(&e),
            ),
            Err(e) => refuse(
                Indication::Indeterminate,
                SubIndication::NoCertificateChainFound,
                not_then(&e),
            ),
        }
    }
    if v.indication == Indication::Passed {
        let mut detail = format!(
            "timestamp valid: the data existed at {gen_time} (TSA policy {}, serial {}, {} imprint)",
            info.policy,
            info.serial_number,
            DigestAlgorithm::from_oid(&info.hash_algorithm).map_or("?", |d| d.name()),
        );
        if v.detail != "signature valid" {
            detail = format!("{detail}; {}", v.detail);
        }
        v.detail = detail;
        v.valid_at_signing_time = Some(true);
        v.proof_of_existence = Some(rfc3339(info.proves()));
    }
    TimestampCheck {
        verdict: v,
        tst_info: Some(info),
    }
}

/// Why a TSA's certificate may not sign timestamps (RFC 3161 §2.3: exactly one
/// extendedKeyUsage, critical, of id-kp-timeStamping alone), or `None`.
pub(crate) fn tsa_usage_problem(c: &X509Certificate<'_>) -> Option<String> {
    let eku = match c.extended_key_usage() {
        Ok(Some(eku)) => eku,
        Ok(None) => {
            return Some(
                "the TSA's certificate has no extendedKeyUsage; RFC 3161 §2.3 requires a critical \
                 id-kp-timeStamping"
                    .into(),
            )
        }
        Err(_) => return Some("the TSA's certificate has a malformed or repeated extendedKeyUsage".into()),
    };
    let e = eku.value;
    let others = e.any
        || e.server_auth
        || e.client_auth
        || e.code_signing
        || e.email_protection
        || e.ocsp_signing
        || !e.other.is_empty();
    if !e.time_stamping {
        Some("the TSA's extendedKeyUsage lacks id-kp-timeStamping (RFC 3161 §2.3)".into())
    } else if others {
        Some("the TSA's extendedKeyUsage allows other purposes than id-kp-timeStamping (RFC 3161 §2.3)".into())
    } else if !eku.critical {
        Some("the TSA's extendedKeyUsage is not critical (RFC 3161 §2.3)".into())
    } else {
        None
    }
}

/// Reads a TSTInfo; the fields after genTime are skipped.
fn parse_tst_info(der: &[u8]) -> Result<TstInfo, String> {
    let (version, policy, hash_algorithm, hashed_message, serial, gen_time, accuracy, critical_extensions) =
        Constructed::decode(der, Mode::Ber, |cons| {
            cons.take_sequence(|cons| {
                let version = cons.take_u8()?;
                let policy = Oid::take_from(cons)?;
                let (hash_algorithm, hashed_message) = cons.take_sequence(|imprint| {
                    let algorithm = imprint.take_sequence(|alg| {
                        let oid = Oid::take_from(alg)?;
                        alg.skip_all()?; // NULL or absent parameters
                        Ok(oid)
                    })?;
                    Ok((algorithm, OctetString::take_from(imprint)?))
                })?;
                let serial = cons.take_primitive_if(Tag::INTEGER, |p| p.take_all())?;
                let gen_time = cons.take_primitive_if(Tag::GENERALIZED_TIME, |p| p.take_all())?;
                // Accuracy ::= SEQUENCE { seconds INTEGER OPTIONAL, millis [0] 1..999
                // OPTIONAL, micros [1] 1..999 OPTIONAL }, in microseconds.
                let accuracy = cons.take_opt_sequence(|acc| {
                    let seconds = acc.take_opt_u64()?.unwrap_or(0);
                    let millis = acc.take_opt_primitive_if(Tag::CTX_0, |p| p.to_u64())?.unwrap_or(0);
                    let micros = acc.take_opt_primitive_if(Tag::CTX_1, |p| p.to_u64())?.unwrap_or(0);
                    Ok(seconds
                        .saturating_mul(1_000_000)
                        .saturating_add(millis.saturating_mul(1000))
                        .saturating_add(micros))
                })?;
                cons.take_opt_bool()?; // ordering
                cons.take_opt_primitive_if(Tag::INTEGER, |p| p.skip_all())?; // nonce
                cons.take_opt_constructed_if(Tag::CTX_0, |c| c.skip_all())?; // tsa
                                                                             // extensions [1] IMPLICIT Extensions: each SEQUENCE { OID, critical
                                                                             // BOOLEAN DEFAULT FALSE, OCTET STRING }.
                let mut critical = Vec::new();
                cons.take_opt_constructed_if(Tag::CTX_1, |list| {
                    while let Some(()) = list.take_opt_sequence(|ext| {
                        let oid = Oid::take_from(ext)?;
                        if ext.take_opt_bool()?.unwrap_or(false) {
                            critical.push(oid.to_string());
                        }
                        ext.skip_all()
                    })? {}
                    Ok(())
                })?;
                cons.skip_all()?;
                Ok((
                    version,
                    policy,
                    hash_algorithm,
                    hashed_message,
                    serial,
                    gen_time,
                    accuracy,
                    critical,
                ))
            })
        })
        .map_err(|e| e.to_string())?;
    if version != 1 {
        return Err(format!("version {version}, not 1"));
    }
    Ok(TstInfo {
        policy: policy.to_string(),
        hash_algorithm: hash_algorithm.to_string(),
        hashed_message: hashed_message.to_bytes().to_vec(),
        serial_number: serial.iter().map(|b| format!("{b:02x}")).collect(),
        gen_time: generalized_time(&gen_time).ok_or("a genTime that is not YYYYMMDDHHMMSS[.f]Z")?,
        accuracy: time::Duration::microseconds(accuracy.unwrap_or(0).min(i64::MAX as u64) as i64),
        critical_extensions,
    })
}

/// A GeneralizedTime as RFC 3161 §2.4.2 allows it: `YYYYMMDDHHMMSS[.f…]Z`.
fn generalized_time(text: &[u8]) -> Option<OffsetDateTime> {
    let text = std::str::from_utf8(text).ok()?.strip_suffix('Z')?;
    let (whole, fraction) = match text.split_once('.') {
        Some((whole, fraction)) => (whole, Some(fraction)),
        None => (text, None),
    };
    if whole.len() != 14 || !whole.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let n = |range: std::ops::Range<usize>| whole[range].parse::<u32>().ok();
    let mut nanos = 0;
    if let Some(fraction) = fraction {
        if fraction.is_empty() || fraction.len() > 9 || !fraction.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        nanos = format!("{fraction:0<9}").parse().ok()?;
    }
    let month = time::Month::try_from(n(4..6)? as u8).ok()?;
    let date = time::Date::from_calendar_date(n(0..4)? as i32, month, n(6..8)? as u8).ok()?;
    let time = time::Time::from_hms_nano(n(8..10)? as u8, n(10..12)? as u8, n(12..14)? as u8, nanos).ok()?;
    Some(time::PrimitiveDateTime::new(date, time).assume_utc())
}

#[cfg(test)]
mod tests {
    use super::generalized_time;

    #[test]
    fn generalized_times() {
        let t = generalized_time(b"20261101100000Z").unwrap();
        assert_eq!(t.unix_timestamp(), 1793527200);
        let t = generalized_time(b"20261101100000.25Z").unwrap();
        assert_eq!(t.nanosecond(), 250_000_000);
        for bad in [
            &b"20261101100000"[..],
            b"2026110110000Z",
            b"20261301100000Z",
            b"20261101100000.Z",
        ] {
            assert!(generalized_time(bad).is_none(), "{bad:?}");
        }
    }
}
