//! Scenarios every remote provider is held to, run by tests/remote_{csc,vnpt,mysign}.rs
//! against their mock: what the vault promises whatever the provider (one provider
//! transaction per session, refusals and bad answers store nothing, secrets never shown)
//! is written once here. What only one provider does stays in its test file, checked on
//! what these return, or is a parameter.

use std::time::Duration;

use results_vault::remote::config::ProviderConfig;
use results_vault::{
    Error, Indication, ProviderOutcome, RemoteError, RemoteRequest, RemoteState, SessionState, SigningError,
    StoredSignature,
};
use serde_json::{json, Value};

use super::{assert_no_secret, cms, fast, remote, setup, Answer, End, MockProvider, Script, Setup, Tracker};

/// A vault with one record, and a mock following `script`.
pub fn start<M: MockProvider>(script: Script) -> (Setup, M) {
    let s = setup();
    let mock = M::start(s.officer.clone(), script);
    (s, mock)
}

/// Signs the record through a new client for `mock.config(extra)`, waiting up to `wait`;
/// the tracker tells which session it was.
pub fn sign<M: MockProvider>(
    s: &Setup,
    mock: &M,
    extra: Value,
    wait: Duration,
) -> (Result<StoredSignature, Error>, Tracker) {
    let tracker = Tracker::new();
    let outcome =
        s.t.vault
            .sign_remote(&s.id, mock.client(extra).as_ref(), &tracker.options(wait));
    (outcome, tracker)
}

/// Resumes `session_id` through a new client for `mock.config(extra)`.
pub fn resume<M: MockProvider>(
    s: &Setup,
    mock: &M,
    session_id: &str,
    extra: Value,
    wait: Duration,
) -> Result<StoredSignature, Error> {
    s.t.vault
        .resume_remote(session_id, mock.client(extra).as_ref(), &fast(wait))
}

/// `{"certificate_sha256": …}` pinning the officer's own certificate.
pub fn pinned(s: &Setup) -> Value {
    json!({ "certificate_sha256": results_vault::Sha256::of(&s.officer.cert).to_hex() })
}

/// Signs end to end through `mock` (configured with `extra`): one signing request, over
/// the envelope's SHA-256 when the provider answers a CMS (it builds the CMS) or the
/// digest of the session's DER signed attributes when it answers raw; a polled request
/// reports sending, waiting, approved. The signature is stored once, verifies in the
/// vault and with openssl, and the session is completed. Returns the request and the
/// signature, for the provider's own checks.
pub fn signs_end_to_end<M: MockProvider>(s: &Setup, mock: &M, extra: Value) -> (RemoteRequest, StoredSignature) {
    let (outcome, tracker) = sign(s, mock, extra, Duration::from_secs(10));
    let stored = outcome.unwrap();
    let session_id = tracker.session_id();
    let request = s.request(&session_id);
    assert_eq!(request.state, RemoteState::Approved);
    assert_eq!(request.provider, M::NAME);
    let script = &mock.scripted().started;
    if script.synchronous {
        assert_eq!(request.polls, 0);
        assert_eq!(tracker.states(), [RemoteState::Sending, RemoteState::Approved]);
    } else {
        assert_eq!(
            request.polls,
            script.waiting_polls + 1,
            "the 'waiting' answers, then the signature"
        );
        assert_eq!(
            tracker.states(),
            [RemoteState::Sending, RemoteState::Waiting, RemoteState::Approved]
        );
    }
    assert_eq!(mock.sign_requests(), 1, "exactly one signing request");

    let envelope = s.t.vault.envelope(&s.id).unwrap();
    let session = s.t.vault.signing_session(&session_id).unwrap();
    let expected = if script.cms {
        cms::sha256(envelope.as_bytes())
    } else {
        session.signed_attributes_digest.clone()
    };
    assert_eq!(mock.signed_hash(), expected, "cms {}", script.cms);
    assert_eq!(session.state, SessionState::Completed);

    assert_eq!(s.t.vault.signatures(&s.id).unwrap(), vec![stored.clone()]);
    let verdict = s.t.vault.verify_record(&s.id, time::OffsetDateTime::now_utc()).unwrap();
    assert!(verdict.reusable, "{}", verdict.summary);
    assert_eq!(verdict.signatures[0].verdict.indication, Indication::Passed);
    // With openssl too: it checks the CMS the vault built around a raw value, or the
    // mock's hand-built one.
    assert!(s.officer.pki.openssl_verifies(&stored.cms, envelope.as_bytes(), None));
    (request, stored)
}

/// [`signs_end_to_end`] with the provider answering a raw signature (over the digest of
/// the session's DER signed attributes) rather than a CMS.
pub fn signs_end_to_end_with_a_raw_answer<M: MockProvider>() {
    let (s, mock) = start::<M>(Script {
        cms: false,
        ..Script::default()
    });
    signs_end_to_end(&s, &mock, json!({}));
}

/// What [`restart_mid_wait_resumes`] left: the mock, and the request as it was waiting.
pub struct Resumed<M> {
    pub mock: M,
    pub waiting: RemoteRequest,
}

/// The portal restarts while the officer has not approved yet: the first wait ends
/// `StillWaiting`, then the vault file is opened again and a new client resumes the
/// stored transaction to the end without sending it again. Resuming the completed
/// session returns the same signature and calls nobody.
pub fn restart_mid_wait_resumes<M: MockProvider>() -> Resumed<M> {
    let (s, mock) = start::<M>(Script::waiting(8));
    let err =
        s.t.vault
            .sign_remote(
                &s.id,
                mock.client(json!({})).as_ref(),
                &fast(Duration::from_millis(250)),
            )
            .unwrap_err();
    let RemoteError::StillWaiting { session_id } = remote(err) else {
        panic!("not StillWaiting")
    };
    let waiting = s.request(&session_id);
    assert_eq!(waiting.state, RemoteState::Waiting);

    let s = s.reopen();
    let again = mock.client(json!({}));
    let stored =
        s.t.vault
            .resume_remote(&session_id, again.as_ref(), &fast(Duration::from_secs(10)))
            .unwrap();
    let request = s.request(&session_id);
    assert_eq!(request.state, RemoteState::Approved);
    assert_eq!(request.provider_transaction_id, waiting.provider_transaction_id);
    assert!(request.polls >= 9, "{} polls", request.polls);
    assert_eq!(s.t.vault.signatures(&s.id).unwrap(), vec![stored.clone()]);
    assert_eq!(mock.sign_requests(), 1, "one session, one provider transaction");

    let calls = mock.server().requests().len();
    let same =
        s.t.vault
            .resume_remote(&session_id, again.as_ref(), &fast(Duration::from_secs(1)))
            .unwrap();
    assert_eq!(same, stored);
    assert_eq!(mock.server().requests().len(), calls);
    Resumed { mock, waiting }
}

/// The signing request reaches the provider but its answer is lost (held past the
/// client's timeout), and the API cannot find a request by the vault's id: the request is
/// `unknown` with no provider transaction, the session stays open (an operator may still
/// complete it with the provider's answer), nothing is stored; after a restart, resuming
/// neither sends it again nor polls.
pub fn lost_submit_is_unknown_and_never_resent<M: MockProvider>(script: Script) {
    let what = format!("synchronous {}", script.synchronous);
    let (s, mock) = start::<M>(Script {
        hang_submit: Some(Duration::from_secs(4)),
        ..script
    });
    let config = json!({ "timeout_seconds": 1 });
    let head = s.log_head();
    let (outcome, tracker) = sign(&s, &mock, config.clone(), Duration::from_secs(10));
    let session_id = tracker.session_id();
    assert!(
        matches!(remote(outcome.unwrap_err()), RemoteError::OutcomeUnknown { session_id: ref sid } if *sid == session_id),
        "{what}"
    );
    let request = s.request(&session_id);
    assert_eq!(request.state, RemoteState::Unknown, "{what}");
    assert_eq!(request.provider_transaction_id, None, "{what}");
    assert_eq!(s.session_state(&session_id), SessionState::Open, "{what}");
    s.assert_unchanged(&head);

    let s = s.reopen();
    let err = resume(&s, &mock, &session_id, config, Duration::from_secs(2)).unwrap_err();
    assert!(matches!(remote(err), RemoteError::OutcomeUnknown { .. }), "{what}");
    assert_eq!(mock.sign_requests(), 1, "{what}: resent");
    assert_eq!(mock.status_requests(), 0, "{what}");
}

/// The portal crashes after sending, before it stored the provider's answer, and
/// restarts: the reopened vault still has the request `sending`, and one signing request
/// reached the provider. Returns the reopened vault, the mock and the session.
pub fn crash_after_sending<M: MockProvider>() -> (Setup, M, String) {
    let (s, mock) = start::<M>(Script::default());
    let tracker = Tracker::new();
    let provider = mock.client(json!({}));
    super::sign_and_crash(
        &s.t.vault,
        &s.id,
        provider.as_ref(),
        &tracker.options(Duration::from_secs(5)),
    );
    let session_id = tracker.session_id();
    assert_eq!(mock.sign_requests(), 1);
    let s = s.reopen();
    assert_eq!(
        s.request(&session_id).state,
        RemoteState::Sending,
        "the crash left it sending"
    );
    (s, mock, session_id)
}

/// Each refusal (how the mock ends, the outcome it must be typed as, the state it leaves)
/// is `Declined` naming the provider, after one signing request; it ends the request,
/// cancels the session, stores nothing, and the ended request is not resumed.
pub fn refusals_end_the_request<M: MockProvider>(cases: impl IntoIterator<Item = (End, ProviderOutcome, RemoteState)>) {
    let s = setup();
    for (end, outcome, state) in cases {
        let mock = M::start(
            s.officer.clone(),
            Script {
                end,
                ..Script::default()
            },
        );
        let head = s.log_head();
        let (err, tracker) = sign(&s, &mock, json!({}), Duration::from_secs(10));
        match remote(err.unwrap_err()) {
            RemoteError::Declined { provider, outcome: got } => {
                assert_eq!(provider, M::NAME);
                assert_eq!(got, outcome, "{end:?}");
            }
            other => panic!("{end:?}: {other:?}"),
        }
        let session_id = tracker.session_id();
        let request = s.request(&session_id);
        assert_eq!((request.state, request.outcome), (state, Some(outcome)), "{end:?}");
        assert_eq!(s.session_state(&session_id), SessionState::Cancelled);
        s.assert_unchanged(&head);
        assert_eq!(mock.sign_requests(), 1, "{end:?}");
        let again = resume(&s, &mock, &session_id, json!({}), Duration::from_secs(1)).unwrap_err();
        assert!(
            matches!(remote(again), RemoteError::Ended { state: st, .. } if st == state),
            "{end:?}"
        );
    }
}

/// A certificate the provider reports revoked when asked for it is refused before
/// anything is sent to sign; nothing is stored. Returns the mock.
pub fn revoked_certificate_is_refused_before_any_session<M: MockProvider>() -> M {
    let (s, mock) = start::<M>(Script {
        end: End::Revoked,
        ..Script::default()
    });
    let head = s.log_head();
    let (outcome, _) = sign(&s, &mock, json!({}), Duration::from_secs(5));
    assert!(matches!(
        remote(outcome.unwrap_err()),
        RemoteError::Declined {
            outcome: ProviderOutcome::CertificateRevokedOrExpired,
            ..
        }
    ));
    assert_eq!(mock.sign_requests(), 0);
    s.assert_unchanged(&head);
    mock
}

/// `mock` names another officer's certificate: under each configuration in `extras` the
/// vault refuses it (`WrongCertificate`) before anything is sent to sign, stores nothing,
/// and its error shows none of `hidden` (the personal ID is not printed in full).
pub fn another_users_certificate_is_refused<M: MockProvider>(s: &Setup, mock: &M, extras: &[Value], hidden: &[&str]) {
    assert!(
        mock.scripted().started.other_user,
        "the mock names the officer's own certificate"
    );
    let head = s.log_head();
    for extra in extras {
        let (outcome, _) = sign(s, mock, extra.clone(), Duration::from_secs(5));
        let err = outcome.unwrap_err();
        let shown = err.to_string();
        assert!(
            matches!(remote(err), RemoteError::WrongCertificate { .. }),
            "{extra}: {shown}"
        );
        assert_no_secret(&shown, hidden);
        assert_eq!(mock.sign_requests(), 0, "{extra}: nothing was sent to sign");
        s.assert_unchanged(&head);
    }
}

/// A wrong credential (`extra`) is `AuthenticationFailed`; neither the error nor the
/// `Debug` of the configuration and of its client shows any of `secrets`, while the
/// configuration's `Debug` still shows the non-secret `shown`; nothing is stored. Returns
/// the tracker (it has a session when the credential was refused after one began).
pub fn authentication_fails<M: MockProvider>(
    s: &Setup,
    mock: &M,
    extra: Value,
    secrets: &[&str],
    shown: &str,
) -> Tracker {
    let head = s.log_head();
    let config = ProviderConfig::from_json(M::NAME, &mock.config(extra.clone())).unwrap();
    let tracker = Tracker::new();
    let err =
        s.t.vault
            .sign_remote(
                &s.id,
                config.client().unwrap().as_ref(),
                &tracker.options(Duration::from_secs(5)),
            )
            .unwrap_err();
    let printed = format!("{err} {err:?}");
    assert!(
        matches!(
            &err,
            Error::Remote(RemoteError::Declined {
                outcome: ProviderOutcome::AuthenticationFailed,
                ..
            })
        ),
        "{extra}: {printed}"
    );
    assert_no_secret(&printed, secrets);
    assert_no_secret(&M::describe(&config), secrets);
    assert!(format!("{config:?}").contains(shown), "the non-secret fields are shown");
    s.assert_unchanged(&head);
    tracker
}

/// Signs through a mock following `script` (a bad answer): after checking that the vault
/// is unchanged, that exactly one signing request was sent and that the error shows none
/// of `hidden`, the error and the request's state.
pub fn bad_answer<M: MockProvider>(script: Script, hidden: &[&str]) -> (Error, RemoteState) {
    let (s, mock) = start::<M>(script);
    let head = s.log_head();
    let (outcome, tracker) = sign(&s, &mock, json!({}), Duration::from_secs(10));
    let err = outcome.unwrap_err();
    s.assert_unchanged(&head);
    assert_eq!(mock.sign_requests(), 1);
    assert_no_secret(&err.to_string(), hidden);
    (err, s.request(&tracker.session_id()).state)
}

/// A valid-looking answer that is not the officer's signature over the hash sent
/// (`script.answer`) is not accepted: the request failed.
pub fn signature_is_not_accepted<M: MockProvider>(script: Script, hidden: &[&str]) {
    let what = format!(
        "{:?} cms {} synchronous {}",
        script.answer, script.cms, script.synchronous
    );
    let (err, state) = bad_answer::<M>(script, hidden);
    match err {
        Error::Signing(SigningError::NotAccepted { indication, .. }) => {
            assert_ne!(indication, Indication::Passed, "{what}")
        }
        other => panic!("{what}: {other:?}"),
    }
    assert_eq!(state, RemoteState::Failed, "{what}");
}

/// A CMS by another officer of the same CA is a signer mismatch: the request failed.
pub fn cms_by_another_officer_is_a_signer_mismatch<M: MockProvider>(hidden: &[&str]) {
    let script = Script {
        answer: Answer::OtherSigner,
        ..Script::default()
    };
    let (err, state) = bad_answer::<M>(script, hidden);
    assert!(matches!(err, Error::Signing(SigningError::SignerMismatch)), "{err:?}");
    assert_eq!(state, RemoteState::Failed);
}

/// Answers that carry no signature (not JSON, no signature field, not base64) are
/// `MalformedAnswer`, leaving the request in `state` (`waiting`, resumable, when the bad
/// answer was to a status request).
pub fn malformed_answers_are_typed<M: MockProvider>(script: Script, hidden: &[&str], state: RemoteState) {
    for answer in [Answer::NotJson, Answer::MissingField, Answer::BadBase64] {
        let what = format!("{answer:?} synchronous {}", script.synchronous);
        let (err, got) = bad_answer::<M>(
            Script {
                answer,
                ..script.clone()
            },
            hidden,
        );
        assert!(
            matches!(err, Error::Remote(RemoteError::MalformedAnswer { .. })),
            "{what}: {err:?}"
        );
        assert_eq!(got, state, "{what}");
    }
}

/// For a provider that answers a CMS through status requests: the answers that carry no
/// signature leave the request `waiting` (a malformed status answer ends nothing: it can
/// be resumed), while random bytes where the CMS should be are a malformed reply that
/// fails it.
pub fn malformed_cms_answers_are_typed<M: MockProvider>(hidden: &[&str]) {
    malformed_answers_are_typed::<M>(Script::default(), hidden, RemoteState::Waiting);
    let script = Script {
        answer: Answer::Garbage,
        ..Script::default()
    };
    let (err, state) = bad_answer::<M>(script, hidden);
    assert!(
        matches!(err, Error::Signing(SigningError::MalformedReply(_))),
        "{err:?}"
    );
    assert_eq!(state, RemoteState::Failed);
}

/// `config` (with every secret in it) parses, and neither it nor its client shows any of
/// `secrets` in `Debug`. A `base_url` in `refused` (plain http off loopback, or not http)
/// is a `Config` error that shows no secret; plain http on loopback is accepted.
pub fn config_hides_secrets_and_refuses_plain_http<M: MockProvider>(config: Value, secrets: &[&str], refused: &[&str]) {
    let with_url = |url: &str| {
        let mut c = config.clone();
        c["base_url"] = json!(url);
        ProviderConfig::from_json(M::NAME, &c.to_string())
            .unwrap()
            .client()
            .map(|_| ())
    };
    let parsed = ProviderConfig::from_json(M::NAME, &config.to_string()).unwrap();
    assert_no_secret(&M::describe(&parsed), secrets);
    for url in refused {
        let err = with_url(url).expect_err(url);
        assert!(matches!(&err, RemoteError::Config(_)), "{url}: {err:?}");
        assert_no_secret(&err.to_string(), secrets);
    }
    for url in ["http://127.0.0.1:8080/sca", "http://localhost/sca", "http://[::1]:9/x"] {
        assert!(with_url(url).is_ok(), "{url}");
    }
}
