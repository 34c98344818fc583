//! Two-phase (remote) signing and attached signatures: nothing is stored before the
//! verification engine says PASSED, at the time the vault records as the signature's
//! proof of existence.

use time::OffsetDateTime;
use x509_parser::prelude::{FromDer, X509Certificate};

use crate::envelope::Envelope;
use crate::error::{Error, Result};
use crate::hash::Sha256;
use crate::log::EventKind;
use crate::record::{Record, ResultId};
use crate::signing::{
    self, cades, KeyKind, SessionState, SignatureReply, SignatureSource, Signer, SigningError, SigningSession,
    StoredSignature,
};
use crate::store::{self, signatures::StoredSession};
use crate::verify::cms;
use crate::verify::crypto::DigestAlgorithm;
use crate::verify::path::{PathError, PathOptions};
use crate::verify::signature::{self, rfc3339, SignatureVerdict};
use crate::verify::verdict::Indication;

use super::verification::TrustSnapshot;
use super::{ensure_active, Vault};

/// Longest signer chain accepted in a session.
const MAX_CHAIN_LEN: usize = 8;

impl Vault {
    /// Begins signing record `id` with the certificate `chain` (DER, signer first;
    /// intermediates may follow) and `digest`. Returns the session: what a provider signs
    /// (the envelope's digest for a whole CMS, or the DER signed attributes and their
    /// digest for a CSC `signHash`). The session is stored: it survives a restart and
    /// expires after [`crate::VaultOptions::signing_session_ttl`].
    ///
    /// Refused up front when the signer cannot give a signature the vault would accept:
    /// an unsupported key or digest, a certificate that may not sign documents (a CA, a
    /// keyUsage without digitalSignature or nonRepudiation, an extendedKeyUsage without a
    /// document-signing purpose: [`crate::verify::signature::document_signer_problem`]),
    /// or a certificate that does not chain to a trust anchor, or is expired or revoked now.
    pub fn begin_signing(&self, id: &ResultId, chain: Vec<Vec<u8>>, digest: DigestAlgorithm) -> Result<SigningSession> {
        let leaf = check_chain(&chain)?;
        let key = KeyKind::of_certificate(leaf)?;
        signing::check_digest(key, digest)?;
        let now = self.now()?;
        let (record, snapshot) = self.store.read(|tx| {
            let record = store::records::get(tx, id)?.ok_or_else(|| Error::NotFound(id.clone()))?;
            Ok((record, self.trust_snapshot(tx)?))
        })?;
        ensure_active(&record, "sign")?;
        check_signer_now(&snapshot, &chain, now, &self.options.signature_policy)?;
        let envelope = Envelope::new(&record.meta, &record.content)?;
        let envelope_digest = digest.digest(envelope.as_bytes());
        let signed_attributes = cades::signed_attributes(&envelope_digest, Some(now), leaf)?;
        let session = SigningSession {
            session_id: ulid::Ulid::from_datetime(now.into()).to_string(),
            result_id: id.clone(),
            digest_algorithm: digest,
            key,
            certificate_chain: chain,
            envelope_digest,
            signed_attributes_digest: digest.digest(&signed_attributes),
            signed_attributes,
            signing_time: now,
            created_at: now,
            expires_at: now
                .checked_add(time::Duration::try_from(self.options.signing_session_ttl).unwrap_or(time::Duration::MAX))
                .ok_or_else(|| Error::InvalidOption {
                    option: "signing_session_ttl",
                    reason: "the session would expire after the last representable time".to_owned(),
                })?,
            state: SessionState::Open,
        };
        self.store.write(|tx| {
            let current = store::records::get(tx, id)?.ok_or_else(|| Error::NotFound(id.clone()))?;
            ensure_active(&current, "sign")?;
            store::signatures::insert_session(tx, &session)
        })?;
        Ok(session)
    }

    /// The signing session with this id, as stored (its `state` stays OPEN after its
    /// `expires_at`: compare the two).
    pub fn signing_session(&self, session_id: &str) -> Result<SigningSession> {
        Ok(self.load_session(session_id)?.session)
    }

    /// The stored session, with its envelope digest recomputed from its record (also returned).
    fn load_session(&self, session_id: &str) -> Result<StoredSession> {
        Ok(self.load_session_and_record(session_id)?.0)
    }

    fn load_session_and_record(&self, session_id: &str) -> Result<(StoredSession, Record)> {
        let mut stored = self
            .store
            .read(|tx| store::signatures::get_session(tx, session_id))?
            .ok_or_else(|| SigningError::UnknownSession {
                session_id: session_id.to_owned(),
            })?;
        let record = self.get(&stored.session.result_id)?;
        let envelope = Envelope::new(&record.meta, &record.content)?;
        stored.session.envelope_digest = stored.session.digest_algorithm.digest(envelope.as_bytes());
        Ok((stored, record))
    }

    /// Cancels an open session. Cancelling it again is a no-op; a completed session
    /// cannot be cancelled.
    pub fn cancel_signing(&self, session_id: &str) -> Result<SigningSession> {
        let mut stored = self.load_session(session_id)?;
        match stored.session.state {
            SessionState::Completed => Err(SigningError::AlreadyCompleted {
                session_id: session_id.to_owned(),
            }
            .into()),
            SessionState::Cancelled => Ok(stored.session),
            SessionState::Open => {
                self.store
                    .write(|tx| store::signatures::cancel_session(tx, session_id))?;
                // A completion may have won the race: report what is stored.
                stored = self.load_session(session_id)?;
                match stored.session.state {
                    SessionState::Completed => Err(SigningError::AlreadyCompleted {
                        session_id: session_id.to_owned(),
                    }
                    .into()),
                    _ => Ok(stored.session),
                }
            }
        }
    }

    /// Completes a session with the signer's reply: a raw signature value over the
    /// session's signed attributes (ECDSA as DER or raw `r || s`), or a provider's whole
    /// CMS. Before anything is stored the reply is verified over the record's envelope,
    /// at the completion time: its verdict must be PASSED, its signer the session's
    /// certificate, its messageDigest the envelope's digest. The completion time,
    /// recorded by the `sign` audit event, is the signature's proof of existence.
    ///
    /// A bad reply is a typed error, stores nothing, and leaves the session open until
    /// it expires. Completing again with the same reply returns the same signature; a
    /// different reply after completion is refused.
    ///
    /// With [`crate::VaultOptions::timestamper`], the accepted signature is timestamped and
    /// its evidence added before it is kept (CAdES B-T/B-LT, see `vault/timestamping.rs`);
    /// a TSA failure is [`SigningError::Timestamp`] or [`SigningError::TimestampNotAccepted`],
    /// stores nothing and leaves the session open for a retry.
    pub fn complete_signing(&self, session_id: &str, reply: SignatureReply) -> Result<StoredSignature> {
        let now = self.now()?;
        let (stored, record) = self.load_session_and_record(session_id)?;
        let fingerprint = reply.fingerprint();
        if let Some(done) = self.closed_session(&stored, &fingerprint)? {
            return Ok(done);
        }
        let session = &stored.session;
        if now > session.expires_at {
            return Err(SigningError::Expired {
                session_id: session_id.to_owned(),
                expired_at: rfc3339(session.expires_at),
            }
            .into());
        }
        ensure_active(&record, "sign")?;
        let envelope = Envelope::new(&record.meta, &record.content)?;
        let candidates = signing::reply::candidates(session, &reply)?;
        let snapshot = self.store.read(|tx| self.trust_snapshot(tx))?;
        let (cms, verdict) = self.first_passing(&snapshot, &candidates, envelope.as_bytes(), session, now)?;
        // With a TSA: the signature timestamp and the evidence, verified before anything is
        // kept; the completion time is then taken after the TSA answered (its genTime is
        // before it), and the acceptance is the verdict on the extended CMS.
        let (cms, verdict, stamped, now) = match &self.options.timestamper {
            None => (cms, verdict, None, now),
            Some(tsa) => {
                let done =
                    self.timestamp_signature(&snapshot, tsa.as_ref(), &cms, &verdict, envelope.as_bytes(), session)?;
                (
                    done.cms,
                    done.acceptance,
                    Some((done.signature_value, done.token_verdict)),
                    done.at,
                )
            }
        };
        let source = SignatureSource::Session {
            session_id: session_id.to_owned(),
        };
        let signer = Sha256::of(&session.certificate_chain[0]);
        self.store
            .write(|tx| {
                // Re-read under the write lock: another caller may have completed or cancelled it.
                let current =
                    store::signatures::get_session(tx, session_id)?.ok_or_else(|| SigningError::UnknownSession {
                        session_id: session_id.to_owned(),
                    })?;
                if current.session.state != SessionState::Open {
                    return Err(match current.session.state {
                        SessionState::Cancelled => SigningError::Cancelled {
                            session_id: session_id.to_owned(),
                        },
                        _ => SigningError::AlreadyCompleted {
                            session_id: session_id.to_owned(),
                        },
                    }
                    .into());
                }
                // The same bytes already stored (a deterministic RSA signature over the same
                // attributes in the same second): close this session, add nothing.
                let sha256 = Sha256::of(&cms);
                // A timestamped CMS differs each time: the same signature is known by its value.
                let same_value = |s: &StoredSignature| match &stamped {
                    Some((value, _)) => signing::unsigned::signature_value(&s.cms).is_ok_and(|v| v == *value),
                    None => false,
                };
                if store::signatures::of_record(tx, &record.result_id)?
                    .iter()
                    .any(|(_, s)| s.sha256 == sha256 || same_value(s))
                {
                    store::signatures::cancel_session(tx, session_id)?;
                    return Ok(Err(SigningError::AlreadySigned {
                        result_id: record.result_id.to_string(),
                        signature: sha256.to_hex(),
                        session_id: session_id.to_owned(),
                    }));
                }
                let (id, stored) = self.store_signature(tx, &snapshot, &record, cms, signer, source, verdict, now)?;
                if let Some((_, token_verdict)) = &stamped {
                    self.keep_crls(tx, &snapshot, token_verdict, now)?;
                }
                store::signatures::complete_session(tx, session_id, &fingerprint, id)?;
                Ok(Ok(stored))
            })
            .and_then(|done| done.map_err(Error::from))
            .or_else(|e| match e {
                // Lost a race to the same reply: that is the idempotent answer.
                Error::Signing(SigningError::AlreadyCompleted { .. }) => self
                    .closed_session(&self.load_session(session_id)?, &fingerprint)?
                    .ok_or(e),
                other => Err(other),
            })
    }

    /// For a completed or cancelled session: the stored signature when `reply` is the
    /// one that completed it, an error otherwise; `None` for an open session.
    fn closed_session(&self, stored: &StoredSession, reply: &Sha256) -> Result<Option<StoredSignature>> {
        let session_id = stored.session.session_id.clone();
        match stored.session.state {
            SessionState::Open => Ok(None),
            SessionState::Cancelled => Err(SigningError::Cancelled { session_id }.into()),
            SessionState::Completed => {
                if stored.reply.as_ref() != Some(reply) {
                    return Err(SigningError::AlreadyCompleted { session_id }.into());
                }
                let id = stored
                    .signature_id
                    .ok_or_else(|| Error::Malformed(format!("completed session {session_id} has no signature")))?;
                let signature = self
                    .store
                    .read(|tx| store::signatures::get(tx, id))?
                    .ok_or_else(|| Error::Malformed(format!("signature of session {session_id} is gone")))?;
                Ok(Some(signature))
            }
        }
    }

    /// Verifies each candidate CMS over the envelope at `now` (the proof of existence
    /// being now) and returns the first that passes, else the first verdict as an error.
    fn first_passing(
        &self,
        snapshot: &TrustSnapshot,
        candidates: &[Vec<u8>],
        envelope: &[u8],
        session: &SigningSession,
        now: OffsetDateTime,
    ) -> Result<(Vec<u8>, SignatureVerdict)> {
        let mut intermediates = session.certificate_chain[1..].to_vec();
        intermediates.extend_from_slice(&snapshot.material.intermediates);
        let mut first: Option<SignatureVerdict> = None;
        for cms in candidates {
            let verdict = self.verify_for_acceptance(snapshot, cms, envelope, &intermediates, now);
            if verdict.indication == Indication::Passed {
                return Ok((cms.clone(), verdict));
            }
            first.get_or_insert(verdict);
        }
        Err(not_accepted(first))
    }

    fn verify_for_acceptance(
        &self,
        snapshot: &TrustSnapshot,
        cms: &[u8],
        envelope: &[u8],
        intermediates: &[Vec<u8>],
        now: OffsetDateTime,
    ) -> SignatureVerdict {
        // At acceptance the POE is now: only evidence current now can exist, so a strict
        // evidence policy (evidence issued after the POE plus a grace period) governs the
        // later verdicts, never the acceptance.
        let policy = signature::Policy {
            revocation_evidence: signature::EvidencePolicy::CurrentAtPoe,
            ..self.options.signature_policy.clone()
        };
        let ctx = snapshot.context(intermediates, now, now, &policy);
        signature::verify_detached(cms, envelope, &ctx)
            .into_iter()
            .next()
            .unwrap_or_else(|| super::verification::no_verdict(&ctx))
    }

    /// Inserts an accepted signature with its `sign` event and keeps the CRLs its
    /// verdict used; returns its row id and the stored signature.
    #[allow(clippy::too_many_arguments)]
    fn store_signature(
        &self,
        tx: &rusqlite::Transaction<'_>,
        snapshot: &TrustSnapshot,
        record: &Record,
        cms: Vec<u8>,
        signer: Sha256,
        source: SignatureSource,
        acceptance: SignatureVerdict,
        now: OffsetDateTime,
    ) -> Result<(i64, StoredSignature)> {
        let sha256 = Sha256::of(&cms);
        let (source_name, session_id) = match &source {
            SignatureSource::Session { session_id } => ("session", Some(session_id.clone())),
            SignatureSource::Attached => ("attached", None),
        };
        // Hashes only: a signer's name often carries a personal ID. The acceptance verdict
        // is named by the SHA-256 of its stored JSON, so that it is bound too.
        let acceptance_json = serde_json::to_string(&acceptance).map_err(|e| crate::Error::Malformed(e.to_string()))?;
        let details = serde_json::json!({
            "signature": sha256.to_hex(),
            "signer_certificate": signer.to_hex(),
            "source": source_name,
            "session_id": session_id,
            "acceptance": Sha256::of(acceptance_json.as_bytes()).to_hex(),
        });
        let event = store::events::append(
            tx,
            now,
            EventKind::Sign,
            &self.options.actor,
            Some(&record.result_id),
            details,
        )?;
        let stored = StoredSignature {
            result_id: record.result_id.clone(),
            sha256,
            cms,
            signer_certificate: signer,
            source,
            proof_of_existence: event.at,
            event_seq: event.seq,
            acceptance,
        };
        let id = store::signatures::insert(tx, &stored)?;
        self.keep_crls(tx, snapshot, &stored.acceptance, now)?;
        Ok((id, stored))
    }

    /// Attaches a detached CMS made elsewhere over record `id`'s envelope (a portal that
    /// already signed). It must hold exactly one SignerInfo and verify PASSED now; the
    /// vault's acceptance time becomes its proof of existence. Attaching the same CMS
    /// again returns the stored signature.
    pub fn attach_signature(&self, id: &ResultId, cms: &[u8]) -> Result<StoredSignature> {
        let now = self.now()?;
        let record = self.get(id)?;
        ensure_active(&record, "attach a signature to")?;
        let sha256 = Sha256::of(cms);
        if let Some(existing) = self.signatures(id)?.into_iter().find(|s| s.sha256 == sha256) {
            return Ok(existing);
        }
        let checked = cms::check_detached(cms, &[]).map_err(|e| SigningError::MalformedReply(e.to_string()))?;
        let [signer] = checked.signers.as_slice() else {
            return Err(SigningError::MalformedReply(format!(
                "{} SignerInfos where one was expected",
                checked.signers.len()
            ))
            .into());
        };
        let envelope = Envelope::new(&record.meta, &record.content)?;
        let snapshot = self.store.read(|tx| self.trust_snapshot(tx))?;
        let verdict = self.verify_for_acceptance(
            &snapshot,
            cms,
            envelope.as_bytes(),
            &snapshot.material.intermediates,
            now,
        );
        if verdict.indication != Indication::Passed {
            return Err(not_accepted(Some(verdict)));
        }
        let leaf = signer.certificate.as_deref().ok_or(SigningError::SignerMismatch)?;
        let signer = Sha256::of(leaf);
        self.store.write(|tx| {
            let current = store::records::get(tx, id)?.ok_or_else(|| Error::NotFound(id.clone()))?;
            ensure_active(&current, "attach a signature to")?;
            if let Some((_, existing)) = store::signatures::of_record(tx, id)?
                .into_iter()
                .find(|(_, s)| s.sha256 == sha256)
            {
                return Ok(existing);
            }
            let (_, stored) = self.store_signature(
                tx,
                &snapshot,
                &record,
                cms.to_vec(),
                signer,
                SignatureSource::Attached,
                verdict,
                now,
            )?;
            Ok(stored)
        })
    }

    /// Signs record `id` in one call through `signer` (a provider client or a
    /// [`crate::LocalSigner`]): begin, sign, complete. If the signer fails, the session
    /// is cancelled and its error returned.
    pub fn sign_with(&self, id: &ResultId, signer: &dyn Signer, digest: DigestAlgorithm) -> Result<StoredSignature> {
        let chain = signer.certificate_chain()?;
        let session = self.begin_signing(id, chain, digest)?;
        let reply = match signer.sign(&session) {
            Ok(reply) => reply,
            Err(e) => {
                let _ = self.cancel_signing(&session.session_id);
                return Err(e.into());
            }
        };
        self.complete_signing(&session.session_id, reply)
    }

    /// The signatures the vault accepted for record `id`, oldest first.
    pub fn signatures(&self, id: &ResultId) -> Result<Vec<StoredSignature>> {
        self.store.read(|tx| {
            store::records::get(tx, id)?.ok_or_else(|| Error::NotFound(id.clone()))?;
            Ok(store::signatures::of_record(tx, id)?
                .into_iter()
                .map(|(_, s)| s)
                .collect())
        })
    }

    /// The newest check kept for each of record `id`'s signatures (the last
    /// [`Vault::verify_record`] or reuse that computed it), in the order of
    /// [`Vault::signatures`]; `None` where it was never checked after acceptance.
    /// [`Error::NotFound`] if no record has this id.
    pub fn signature_checks(&self, id: &ResultId) -> Result<Vec<Option<SignatureVerdict>>> {
        self.store.read(|tx| {
            store::records::get(tx, id)?.ok_or_else(|| Error::NotFound(id.clone()))?;
            store::signatures::of_record(tx, id)?
                .into_iter()
                .map(|(row, _)| store::signatures::latest_check(tx, row))
                .collect()
        })
    }
}

fn not_accepted(verdict: Option<SignatureVerdict>) -> Error {
    match verdict {
        Some(v) => SigningError::NotAccepted {
            indication: v.indication,
            sub_indication: v.sub_indication,
            detail: v.detail,
        },
        None => SigningError::MalformedReply("nothing to verify".into()),
    }
    .into()
}

/// The chain's certificates parse, there are not too many, and the signer's certificate
/// may sign documents ([`signature::document_signer_problem`]).
fn check_chain(chain: &[Vec<u8>]) -> Result<&[u8], SigningError> {
    let bad = |why: String| SigningError::BadCertificateChain(why);
    let leaf = chain.first().ok_or_else(|| bad("no signer certificate".into()))?;
    if chain.len() > MAX_CHAIN_LEN {
        return Err(bad(format!("{} certificates (at most {MAX_CHAIN_LEN})", chain.len())));
    }
    for (i, der) in chain.iter().enumerate() {
        match X509Certificate::from_der(der) {
            Ok(([], _)) => {}
            _ => return Err(bad(format!("certificate {i} is not DER X.509"))),
        }
    }
    let (_, cert) = X509Certificate::from_der(leaf).map_err(|_| bad("unreadable".into()))?;
    // The engine's signer-certificate policy, so that the vault and a verification give
    // one answer: no CA, a keyUsage for signing, an extendedKeyUsage for documents.
    if let Some(problem) = signature::document_signer_problem(&cert) {
        return Err(bad(problem));
    }
    Ok(leaf)
}

/// Fails fast, before an officer is asked to approve, when the signer's certificate does
/// not chain to a trust anchor or is expired or revoked now. (Missing revocation data is
/// left to the completion, when the CRL may have been added.)
fn check_signer_now(
    snapshot: &TrustSnapshot,
    chain: &[Vec<u8>],
    now: OffsetDateTime,
    policy: &signature::Policy,
) -> Result<(), SigningError> {
    let mut intermediates = chain[1..].to_vec();
    intermediates.extend_from_slice(&snapshot.material.intermediates);
    let options = PathOptions {
        allow_legacy_algorithms: policy.allow_legacy_algorithms,
        ..PathOptions::default()
    };
    let found = snapshot.chains.validate(
        &chain[0],
        &intermediates,
        &snapshot.material.anchors,
        &snapshot.material.crls,
        now,
        &options,
    );
    match found {
        Ok(_) => Ok(()),
        Err(PathError::NoChain) if snapshot.material.anchors.is_empty() => Err(SigningError::BadCertificateChain(
            "the trust store has no anchor: add the root CA first".into(),
        )),
        Err(e) => Err(SigningError::BadCertificateChain(e.to_string())),
    }
}
