//! Revocation evidence for one certificate at one time: the CRLs of its issuer (read
//! through their index, [`super::crl_index`], under the rules of [`super::crl`]) and OCSP
//! responses (under those of [`super::ocsp`]), behind one notion: what the evidence given
//! says of the certificate at the validation time ([`Revocation`]). The path search
//! ([`super::path`]) asks it for every certificate of a candidate path but the anchor.

use time::OffsetDateTime;
use x509_parser::certificate::X509Certificate;

use super::crl;
use super::crl_index::{CrlIndex, IndexCache};
use super::ocsp;
use super::path::{parse, subject_key_id, PathError, Search};

/// What the revocation evidence given (CRLs, OCSP responses) says of one certificate at
/// the validation time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Revocation {
    /// A piece of evidence from its issuer says it was good: a complete CRL in scope for
    /// it (see `verify/crl.rs`) that does not list it, or an OCSP response that says
    /// `good` (see `verify/ocsp.rs`), current at the validation time or issued after it
    /// (but not after the caller's present); and no usable evidence says it was revoked
    /// at or before the validation time.
    Good {
        /// Which piece of the caller's evidence said so (its index in the slice given).
        evidence: usize,
        /// A CRL or an OCSP response.
        kind: EvidenceKind,
        /// Its thisUpdate.
        this_update: i64,
        /// Its nextUpdate (thisUpdate + 24 h when it has none): after it, this answer is
        /// stale.
        next_update: Option<i64>,
        /// The earliest revocation that usable evidence (this one, a delta CRL, a newer
        /// response…) gives after the validation time: from then on the certificate is
        /// no longer good. Always at or before that evidence's thisUpdate (a listing is a
        /// revocation in force when its CRL or response was issued).
        revoked_later: Option<i64>,
    },
    /// No evidence says it was good at the validation time, but usable evidence (a CRL or
    /// response issued after the caller's present, a delta, a CRL for some reasons only,
    /// a stale one) gives a revocation after the validation time: only a proof of
    /// existence before that revocation can keep a signature made with it.
    RevokedLater {
        /// When it was revoked (Unix seconds), at or before that evidence's thisUpdate.
        revoked_at: i64,
    },
    /// No usable evidence from its issuer was given.
    Unknown,
}

/// The kind of a piece of revocation evidence.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EvidenceKind {
    /// A certificate revocation list (RFC 5280 §5).
    Crl,
    /// An OCSP response (RFC 6960).
    Ocsp,
}

impl<'s, 'a> Search<'s, 'a> {
    /// Whether `crl` (number `index`) verifies under `issuer`'s key, from its index's
    /// memo when it was checked under that key before (an index belongs to one exact
    /// byte string, so the memo is as good as a check of these bytes).
    fn crl_signed_by(&self, index: usize, crl: &CrlIndex, issuer: &X509Certificate<'_>) -> bool {
        crl.signed_by(
            &self.crl_ders[index],
            issuer.public_key(),
            self.options.allow_legacy_algorithms,
        )
    }

    /// The evidence from `issuer` applied to `cert` at the validation time: its CRLs,
    /// under the rules of [`super::crl`], then OCSP responses, under those of
    /// [`super::ocsp`]. A CRL with the issuer's name (compared as RFC 5280 §7.1 says) that
    /// does not verify under the issuer's key is another key's (a CA key rollover) or a
    /// forgery: skipped, the others are tried. An authentic CRL that breaks a rule fails
    /// the path; one that cannot be used for `cert` (out of scope, indirect, an unknown
    /// critical extension) is skipped, as is any OCSP response that is not authentic and
    /// about `cert`. A revocation in any usable evidence (stale, delta, for some reasons
    /// only, not yet valid) counts; only complete, current evidence says "good", and the
    /// newest such piece is the one reported.
    pub(super) fn check_revocation(
        &self,
        cert: &X509Certificate<'_>,
        issuer: &X509Certificate<'_>,
    ) -> Result<Revocation, PathError> {
        self.revocation(cert, issuer, true)
    }

    /// [`Search::check_revocation`]; `with_ocsp` false reads CRLs only (the status of a
    /// delegated OCSP responder: a response cannot vouch for its own signer).
    fn revocation(
        &self,
        cert: &X509Certificate<'_>,
        issuer: &X509Certificate<'_>,
        with_ocsp: bool,
    ) -> Result<Revocation, PathError> {
        let mut found = Found {
            at: self.at,
            status: Revocation::Unknown,
            revoked_later: None,
        };
        let issuer_skid = subject_key_id(issuer);
        let present = self.options.validation_time.map(|t| t.unix_timestamp());
        for (index, crl) in self
            .evidence
            .crls
            .iter()
            .filter(|(_, c)| c.issued_by_name(issuer.subject()))
        {
            if !crl.may_be_signed_by(issuer_skid.as_deref()) || !self.crl_signed_by(*index, crl, issuer) {
                continue;
            }
            let bad = |why: &str| PathError::Profile(format!("CRL of {}: {why}", issuer.subject()));
            if let Ok(Some(ku)) = issuer.key_usage() {
                if !ku.value.crl_sign() {
                    return Err(bad("its issuer's keyUsage lacks cRLSign"));
                }
            }
            let crl::Finding::Applies {
                revoked_at,
                says_good,
                this_update,
                next_update,
            } = crl::apply(crl, cert, self.at, present).map_err(|e| bad(&e))?
            else {
                continue;
            };
            found.add(
                *index,
                EvidenceKind::Crl,
                revoked_at,
                says_good,
                this_update,
                next_update,
            )?;
        }
        if with_ocsp {
            let legacy = self.options.allow_legacy_algorithms;
            for (index, response) in &self.evidence.ocsp {
                let ocsp::Finding::Applies(answer) = ocsp::apply(response, cert, issuer, self.at, present, legacy)
                else {
                    continue;
                };
                // RFC 6960 §4.2.2.2.1: a delegated responder without id-pkix-ocsp-nocheck
                // is itself checked, with its CA's CRLs; unless they say it was good, its
                // answers are not used.
                if let ocsp::Responder::Delegated { der, no_check: false } = &answer.responder {
                    let responder_good = parse(der).is_some_and(|responder| {
                        matches!(self.revocation(&responder, issuer, false), Ok(Revocation::Good { .. }))
                    });
                    if !responder_good {
                        continue;
                    }
                }
                found.add(
                    *index,
                    EvidenceKind::Ocsp,
                    answer.revoked_at,
                    answer.says_good,
                    answer.this_update,
                    answer.next_update,
                )?;
            }
        }
        Ok(found.finish())
    }
}

/// What the evidence read so far says of one certificate.
struct Found {
    at: i64,
    status: Revocation,
    revoked_later: Option<i64>,
}

impl Found {
    /// Takes what one usable piece of evidence says: a revocation at or before the
    /// validation time ends the path (`Err`); a later one is kept; "good" replaces an
    /// older "good".
    fn add(
        &mut self,
        evidence: usize,
        kind: EvidenceKind,
        revoked_at: Option<i64>,
        says_good: bool,
        this_update: i64,
        next_update: i64,
    ) -> Result<(), PathError> {
        if let Some(when) = revoked_at {
            // Revoked at or before the validation time: the certificate was no longer
            // good then. (Revoked later: it still was; proof of existence decides the rest.)
            if when <= self.at {
                let date = OffsetDateTime::from_unix_timestamp(when).unwrap_or(OffsetDateTime::UNIX_EPOCH);
                let by = match kind {
                    EvidenceKind::Crl => "its issuer's CRL",
                    EvidenceKind::Ocsp => "an OCSP response",
                };
                return Err(PathError::Revoked {
                    revoked_at: when,
                    position: 0,
                    evidence: Some((evidence, kind)),
                    detail: format!("was revoked at {} ({by})", crate::verify::signature::rfc3339(date)),
                });
            }
            self.revoked_later = Some(self.revoked_later.map_or(when, |r| r.min(when)));
        }
        let newer = match self.status {
            Revocation::Good {
                this_update: current, ..
            } => this_update > current,
            Revocation::RevokedLater { .. } | Revocation::Unknown => true,
        };
        if says_good && newer {
            self.status = Revocation::Good {
                evidence,
                kind,
                this_update,
                next_update: Some(next_update),
                revoked_later: None,
            };
        }
        Ok(())
    }

    fn finish(mut self) -> Revocation {
        match (&mut self.status, self.revoked_later) {
            (
                Revocation::Good {
                    revoked_later: later, ..
                },
                _,
            ) => *later = self.revoked_later,
            (_, Some(revoked_at)) => self.status = Revocation::RevokedLater { revoked_at },
            (_, None) => {}
        }
        self.status
    }
}

/// Revocation evidence, sorted by kind, each piece with its index in the caller's list.
pub(super) struct Evidence {
    /// CRLs, as indexes (shared with a [`ChainCache`] when there is one).
    crls: Vec<(usize, std::sync::Arc<CrlIndex>)>,
    ocsp: Vec<(usize, std::sync::Arc<ocsp::Parsed>)>,
}

/// The CRLs and OCSP responses of `ders` that parse; a malformed one is as good as absent
/// (revocation stays unknown). CRLs come from `indexes` when given (read once across
/// validations), else are read now.
pub(super) fn parse_evidence(ders: &[Vec<u8>], indexes: Option<&IndexCache>) -> Evidence {
    let mut evidence = Evidence {
        crls: Vec::new(),
        ocsp: Vec::new(),
    };
    for (i, der) in ders.iter().enumerate() {
        if ocsp::looks_like_ocsp(der) {
            let response = match indexes {
                Some(cache) => cache.ocsp_response(der),
                None => ocsp::parse(der).ok().map(std::sync::Arc::new),
            };
            if let Some(response) = response {
                evidence.ocsp.push((i, response));
            }
        } else {
            let index = match indexes {
                Some(cache) => cache.index(der),
                None => CrlIndex::from_der(der).map(std::sync::Arc::new),
            };
            if let Some(index) = index {
                evidence.crls.push((i, index));
            }
        }
    }
    evidence
}
