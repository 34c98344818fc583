//! Signing through a remote provider: one crash-safe state machine for every provider
//! (see [`crate::remote::state`]), kept with the vault's signing session.

use std::time::Instant;

use crate::error::{Error, Result};
use crate::record::ResultId;
use crate::remote::{
    Delivery, PollAnswer, Provider, ProviderOutcome, ProviderRequest, RemoteError, RemoteRequest, RemoteSigningOptions,
    RemoteState, Submitted, TransactionRef,
};
use crate::signing::{SessionState, SignatureSource, SigningError, StoredSignature};
use crate::store;
use crate::store::remote::StoredRequest as RemoteView;

use super::Vault;

impl Vault {
    /// Signs record `id` through a remote `provider`: asks it for the signer's certificate,
    /// begins a signing session, stores the request as `sending` (with the vault's client
    /// request id) before calling, stores the provider's transaction id as soon as it
    /// answers, then polls with backoff until the officer approves, refuses, or
    /// `options.wait` runs out ([`RemoteError::StillWaiting`]: the request stays pending,
    /// [`Vault::resume_remote`] goes on, in this process or after a restart).
    ///
    /// The answer is verified as [`Vault::complete_signing`] does before anything is
    /// stored: it must cover exactly the hash sent and verify under the certificate the
    /// provider named. A refusal ends the request (`rejected`, `expired`, `failed`) with a
    /// typed [`ProviderOutcome`] and cancels the session; no signature is stored.
    pub fn sign_remote(
        &self,
        id: &ResultId,
        provider: &dyn Provider,
        options: &RemoteSigningOptions<'_>,
    ) -> Result<StoredSignature> {
        let chain = provider.certificate_chain()?;
        let session = self.begin_signing(id, chain, options.digest)?;
        let format = provider.answer_format();
        let hash = format.hash_to_send(&session)?;
        let record = self.get(id)?;
        let description = options
            .description
            .clone()
            .unwrap_or_else(|| format!("{} {}", record.meta.document_type, record.meta.document_number));
        let now = self.now()?;
        let request = RemoteRequest {
            session_id: session.session_id.clone(),
            provider: provider.name().to_owned(),
            client_request_id: ulid::Ulid::from_datetime(now.into()).to_string(),
            provider_transaction_id: None,
            state: RemoteState::Sending,
            detail: None,
            outcome: None,
            polls: 0,
            created_at: now,
            updated_at: now,
        };
        // Stored before the call: a crash from here on is resumed, never resent blindly.
        self.store.write(|tx| store::remote::insert(tx, &request, format))?;
        notify(options, &request);
        let submitted = provider.submit(&ProviderRequest {
            client_request_id: &request.client_request_id,
            hash,
            digest: options.digest,
            key: session.key,
            description: &description,
            document_id: id.as_str(),
        });
        let session_id = session.session_id.as_str();
        match submitted {
            Ok(Submitted::Signed(answer)) => self.accept_answer(session_id, answer, options),
            Ok(Submitted::Pending { transaction_id }) => {
                let now = self.now()?;
                self.store
                    .write(|tx| store::remote::set_waiting(tx, session_id, &transaction_id, now))?;
                self.report(session_id, options);
                self.wait_for_approval(session_id, provider, options)
            }
            // It may have reached the provider: the same path as a restart.
            Err(RemoteError::Transport {
                delivery: Delivery::Maybe,
                ..
            }) => self.resume_remote(session_id, provider, options),
            Err(RemoteError::Declined { outcome, .. }) => Err(self.end_declined(session_id, provider.name(), outcome)),
            Err(e) => {
                self.end(session_id, RemoteState::Failed, &e.to_string(), None)?;
                Err(e.into())
            }
        }
    }

    /// Goes on with the remote signing session `session_id` after a restart or a
    /// [`RemoteError::StillWaiting`]: polls the provider's transaction (never sends the
    /// request again), completes with an answer already received, or returns the
    /// signature if the session was completed. A request that was `sending` when the
    /// process stopped is looked up by its client request id where the provider's API
    /// allows (SmartCA); otherwise it is marked `unknown` and
    /// [`RemoteError::OutcomeUnknown`] returned.
    pub fn resume_remote(
        &self,
        session_id: &str,
        provider: &dyn Provider,
        options: &RemoteSigningOptions<'_>,
    ) -> Result<StoredSignature> {
        let stored = self.remote_view(session_id)?;
        if stored.request.provider != provider.name() {
            return Err(RemoteError::ProviderMismatch {
                session_id: session_id.to_owned(),
                expected: stored.request.provider,
                given: provider.name().to_owned(),
            }
            .into());
        }
        if let Some(done) = self.completed_signature(session_id)? {
            return Ok(done);
        }
        match stored.request.state {
            RemoteState::Approved => match stored.answer {
                Some(answer) => self.accept_answer(session_id, answer, options),
                None => self.wait_for_approval(session_id, provider, options),
            },
            RemoteState::Waiting => self.wait_for_approval(session_id, provider, options),
            RemoteState::Sending if provider.finds_by_client_id() => {
                self.wait_for_approval(session_id, provider, options)
            }
            RemoteState::Sending => {
                self.end(
                    session_id,
                    RemoteState::Unknown,
                    "the request may have reached the provider, whose API cannot look it up by the client's id",
                    None,
                )?;
                Err(RemoteError::OutcomeUnknown {
                    session_id: session_id.to_owned(),
                }
                .into())
            }
            RemoteState::Unknown => Err(RemoteError::OutcomeUnknown {
                session_id: session_id.to_owned(),
            }
            .into()),
            state => Err(RemoteError::Ended {
                session_id: session_id.to_owned(),
                state,
                detail: stored.request.detail,
            }
            .into()),
        }
    }

    /// The provider request of signing session `session_id`, if it was sent to one.
    pub fn remote_request(&self, session_id: &str) -> Result<Option<RemoteRequest>> {
        Ok(self
            .store
            .read(|tx| store::remote::get(tx, session_id))?
            .map(|s| s.request))
    }

    /// The provider requests a restarted portal should resume: those still `sending`,
    /// `waiting` or `approved` whose session is not completed, oldest first. Resume each
    /// with [`Vault::resume_remote`] (a `sending` one is looked up, or marked `unknown`).
    pub fn unfinished_remote_requests(&self) -> Result<Vec<RemoteRequest>> {
        self.store.read(|tx| {
            let mut out = Vec::new();
            for id in store::remote::unfinished(tx)? {
                let open = store::signatures::get_session(tx, &id)?
                    .is_some_and(|s| s.session.state != SessionState::Completed);
                if let (true, Some(stored)) = (open, store::remote::get(tx, &id)?) {
                    out.push(stored.request);
                }
            }
            Ok(out)
        })
    }

    fn remote_view(&self, session_id: &str) -> Result<RemoteView> {
        self.store
            .read(|tx| store::remote::get(tx, session_id))?
            .ok_or_else(|| {
                // An unknown session says so; a local session is not a remote one.
                match self.signing_session(session_id) {
                    Err(e) => e,
                    Ok(_) => RemoteError::NotRemote {
                        session_id: session_id.to_owned(),
                    }
                    .into(),
                }
            })
    }

    /// The signature a completed session stored.
    fn completed_signature(&self, session_id: &str) -> Result<Option<StoredSignature>> {
        let session = self.signing_session(session_id)?;
        if session.state != SessionState::Completed {
            return Ok(None);
        }
        Ok(self
            .signatures(&session.result_id)?
            .into_iter()
            .find(|s| matches!(&s.source, SignatureSource::Session { session_id: sid } if sid == session_id)))
    }

    /// Polls until signed, declined, the session's expiry or the end of `options.wait`.
    fn wait_for_approval(
        &self,
        session_id: &str,
        provider: &dyn Provider,
        options: &RemoteSigningOptions<'_>,
    ) -> Result<StoredSignature> {
        let started = Instant::now();
        // Never a tight loop, whatever the caller asked.
        let floor = std::time::Duration::from_millis(10);
        let mut pause = options.poll_interval.max(floor);
        loop {
            let stored = self.remote_view(session_id)?;
            // Another process may have ended it meanwhile.
            if stored.request.state.is_final() {
                return Err(RemoteError::Ended {
                    session_id: session_id.to_owned(),
                    state: stored.request.state,
                    detail: stored.request.detail,
                }
                .into());
            }
            let session = self.signing_session(session_id)?;
            if session.state == SessionState::Cancelled {
                self.end(session_id, RemoteState::Failed, "the session was cancelled", None)?;
                return Err(SigningError::Cancelled {
                    session_id: session_id.to_owned(),
                }
                .into());
            }
            let answer = provider.poll(TransactionRef {
                client_request_id: &stored.request.client_request_id,
                provider_transaction_id: stored.request.provider_transaction_id.as_deref(),
            });
            let now = self.now()?;
            self.store.write(|tx| store::remote::count_poll(tx, session_id, now))?;
            match answer {
                Ok(PollAnswer::Signed(answer)) => return self.accept_answer(session_id, answer, options),
                Ok(PollAnswer::Declined(outcome)) => {
                    return Err(self.end_declined(session_id, provider.name(), outcome))
                }
                Ok(PollAnswer::Waiting) if stored.request.state == RemoteState::Sending => {
                    // Found by the client's id after a crash: the provider has it.
                    let txn = stored.request.client_request_id.clone();
                    self.store
                        .write(|tx| store::remote::set_waiting(tx, session_id, &txn, now))?;
                }
                Ok(PollAnswer::Waiting) => {}
                // A network hiccup while waiting: try again until the wait is over.
                Err(RemoteError::Transport { .. }) if started.elapsed() < options.wait => {}
                Err(RemoteError::Declined { outcome, .. }) => {
                    return Err(self.end_declined(session_id, provider.name(), outcome))
                }
                // Malformed status answers store nothing and change nothing: resumable.
                Err(e) => return Err(e.into()),
            }
            self.report(session_id, options);
            if now >= session.expires_at {
                return Err(self.end_declined(session_id, provider.name(), ProviderOutcome::ApprovalTimedOut));
            }
            let left = options.wait.saturating_sub(started.elapsed());
            if left.is_zero() {
                return Err(RemoteError::StillWaiting {
                    session_id: session_id.to_owned(),
                }
                .into());
            }
            std::thread::sleep(pause.min(left));
            pause = (pause * 3 / 2).min(options.max_poll_interval.max(pause));
        }
    }

    /// Keeps the provider's answer (so that a crash now completes on resume without asking
    /// again), then verifies and stores it. An answer the vault refuses ends the request
    /// as failed; nothing is stored.
    fn accept_answer(
        &self,
        session_id: &str,
        answer: Vec<u8>,
        options: &RemoteSigningOptions<'_>,
    ) -> Result<StoredSignature> {
        let now = self.now()?;
        let stored = self.remote_view(session_id)?;
        let session = self.signing_session(session_id)?;
        self.store
            .write(|tx| store::remote::set_approved(tx, session_id, &answer, now))?;
        self.report(session_id, options);
        let reply = stored.format.reply(&session, answer);
        match self.complete_signing(session_id, reply) {
            Ok(signature) => Ok(signature),
            // The timestamp authority failed, not the provider: the answer is kept and the
            // session stays open, so a resume completes it once the TSA answers.
            Err(e @ Error::Signing(SigningError::Timestamp(_) | SigningError::TimestampNotAccepted { .. })) => Err(e),
            Err(Error::Signing(e)) => {
                let state = match e {
                    SigningError::Expired { .. } => RemoteState::Expired,
                    _ => RemoteState::Failed,
                };
                self.end(
                    session_id,
                    state,
                    &format!("the provider's answer was refused: {e}"),
                    None,
                )?;
                Err(e.into())
            }
            // Storage and the like: the answer is kept, a resume completes it.
            Err(e) => Err(e),
        }
    }

    /// Ends a request the provider declined, and returns the error to give the caller.
    fn end_declined(&self, session_id: &str, provider: &str, outcome: ProviderOutcome) -> Error {
        if let Err(e) = self.end(session_id, outcome.state(), &outcome.to_string(), Some(&outcome)) {
            return e;
        }
        RemoteError::Declined {
            provider: provider.to_owned(),
            outcome,
        }
        .into()
    }

    /// Stores a final state; cancels the session unless the outcome is unknown (an
    /// operator may still complete it with an answer obtained from the provider).
    fn end(&self, session_id: &str, state: RemoteState, detail: &str, outcome: Option<&ProviderOutcome>) -> Result<()> {
        let now = self.now()?;
        self.store.write(|tx| {
            store::remote::set_final(tx, session_id, state, detail, outcome, now)?;
            if state != RemoteState::Unknown {
                store::signatures::cancel_session(tx, session_id)?;
            }
            Ok(())
        })
    }

    /// Tells `options.progress` where the request stands.
    fn report(&self, session_id: &str, options: &RemoteSigningOptions<'_>) {
        if let Some(progress) = options.progress {
            if let Ok(Some(request)) = self.remote_request(session_id) {
                progress(&request);
            }
        }
    }
}

fn notify(options: &RemoteSigningOptions<'_>, request: &RemoteRequest) {
    if let Some(progress) = options.progress {
        progress(request);
    }
}
