//! Every [`Provider`] is also a [`Signer`], for [`crate::Vault::sign_with`] and other
//! callers of that trait: one blocking call that submits and polls. It keeps no state, so
//! a crash loses the request; [`crate::Vault::sign_remote`] is the crash-safe way.

use std::time::Duration;

use super::{PollAnswer, Provider, ProviderRequest, Submitted, TransactionRef};
use crate::signing::{SignatureReply, Signer, SigningError, SigningSession};

impl<P: Provider + ?Sized> Signer for P {
    fn certificate_chain(&self) -> Result<Vec<Vec<u8>>, SigningError> {
        Provider::certificate_chain(self).map_err(|e| SigningError::Signer(e.to_string()))
    }

    /// Submits the session's hash and polls (2 s, growing to 10 s) until the provider
    /// answers or the session expires.
    fn sign(&self, session: &SigningSession) -> Result<SignatureReply, SigningError> {
        let format = self.answer_format();
        let hash = format.hash_to_send(session)?;
        let client_request_id = ulid::Ulid::new().to_string();
        let failed = |e: super::RemoteError| SigningError::Signer(e.to_string());
        let submitted = self
            .submit(&ProviderRequest {
                client_request_id: &client_request_id,
                hash,
                digest: session.digest_algorithm,
                key: session.key,
                description: session.result_id.as_str(),
                document_id: session.result_id.as_str(),
            })
            .map_err(failed)?;
        let answer = match submitted {
            Submitted::Signed(answer) => answer,
            Submitted::Pending { transaction_id } => {
                let mut pause = Duration::from_secs(2);
                loop {
                    let poll = self
                        .poll(TransactionRef {
                            client_request_id: &client_request_id,
                            provider_transaction_id: Some(&transaction_id),
                        })
                        .map_err(failed)?;
                    match poll {
                        PollAnswer::Signed(answer) => break answer,
                        PollAnswer::Declined(outcome) => return Err(SigningError::Signer(outcome.to_string())),
                        PollAnswer::Waiting => {}
                    }
                    if time::OffsetDateTime::now_utc() >= session.expires_at {
                        return Err(SigningError::Signer(
                            "the signer did not approve before the session expired".into(),
                        ));
                    }
                    std::thread::sleep(pause);
                    pause = (pause * 3 / 2).min(Duration::from_secs(10));
                }
            }
        };
        Ok(format.reply(session, answer))
    }
}
