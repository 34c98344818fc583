//! A CSC API v2 service through a mock: `auth/login`, the credential's chain, a SAD bound
//! to the hash, `signHash` synchronous and asynchronous, `signPolling`. The answer is a raw
//! signature the vault wraps into its own CMS; CSC cannot look a request up by the
//! client's id, so a lost submit answer is `unknown` and never sent again.

#![cfg(feature = "remote")]

mod common;
#[path = "common/providers/mod.rs"]
mod providers;

use std::time::Duration;

use providers::csc::{CscMock, PASSWORD, PIN, SIGN_HASH, TOKEN, USERNAME};
use providers::{assert_no_secret, remote, setup, unb64, Answer, End, Script, Tracker};
use results_vault::remote::config::ProviderConfig;
use results_vault::remote::csc::CscClient;
use results_vault::{
    Error, Indication, ProviderOutcome, RemoteError, RemoteState, SessionState, SigningError, Vault, VaultOptions,
};
use serde_json::json;

const PROVIDER: &str = "csc";

fn client(config: &str) -> Box<dyn results_vault::remote::Provider + Send + Sync> {
    ProviderConfig::from_json(PROVIDER, config).unwrap().client().unwrap()
}

#[test]
fn csc_signs_end_to_end_asynchronously_with_login_and_pin() {
    let s = setup();
    let mock = CscMock::start(
        s.officer.clone(),
        Script {
            waiting_polls: 3,
            ..Script::default()
        },
    );
    let tracker = Tracker::new();
    let stored =
        s.t.vault
            .sign_remote(
                &s.id,
                client(&mock.config(json!({}))).as_ref(),
                &tracker.options(Duration::from_secs(10)),
            )
            .unwrap();
    let session_id = tracker.session_id();
    let request = s.t.vault.remote_request(&session_id).unwrap().unwrap();
    assert_eq!(request.state, RemoteState::Approved);
    assert_eq!(request.provider_transaction_id.as_deref(), Some("resp-2"));
    assert_eq!(request.polls, 4);
    assert_eq!(
        tracker.states(),
        [RemoteState::Sending, RemoteState::Waiting, RemoteState::Approved]
    );
    assert_eq!(mock.sign_requests(), 1, "exactly one signing request");
    assert_eq!(mock.server.count("/auth/login"), 1, "the token is reused");

    // The SAD was asked for, and the signature made, over the digest of the session's
    // DER signed attributes; the client's id travelled as clientData.
    let session = s.t.vault.signing_session(&session_id).unwrap();
    let requests = mock.server.requests();
    for path in ["/credentials/authorize", SIGN_HASH] {
        let r = requests.iter().find(|r| r.path == path).unwrap();
        assert_eq!(
            unb64(r.body["hashes"][0].as_str().unwrap()),
            session.signed_attributes_digest
        );
        assert_eq!(r.body["clientData"], request.client_request_id.as_str());
    }
    let sign = requests.iter().find(|r| r.path == SIGN_HASH).unwrap();
    assert_eq!(sign.body["operationMode"], "A");
    assert_eq!(sign.body["hashAlgorithmOID"], "2.16.840.1.101.3.4.2.1");

    assert_eq!(s.t.vault.signatures(&s.id).unwrap(), vec![stored.clone()]);
    let verdict = s.t.vault.verify_record(&s.id, time::OffsetDateTime::now_utc()).unwrap();
    assert!(verdict.reusable, "{}", verdict.summary);
    assert_eq!(verdict.signatures[0].verdict.indication, Indication::Passed);
    // The CMS the vault built around the raw value verifies with openssl too.
    let envelope = s.t.vault.envelope(&s.id).unwrap();
    assert!(s.officer.pki.openssl_verifies(&stored.cms, envelope.as_bytes(), None));
}

#[test]
fn csc_signs_synchronously_with_a_token_and_a_pinned_certificate() {
    let s = setup();
    let mock = CscMock::start(
        s.officer.clone(),
        Script {
            synchronous: true,
            ..Script::default()
        },
    );
    let pin = results_vault::Sha256::of(&s.officer.cert).to_hex();
    let config = mock.config(json!({
        "username": null, "password": null, "access_token": TOKEN, "certificate_sha256": pin,
    }));
    let tracker = Tracker::new();
    let stored =
        s.t.vault
            .sign_remote(
                &s.id,
                client(&config).as_ref(),
                &tracker.options(Duration::from_secs(10)),
            )
            .unwrap();
    let request = s.t.vault.remote_request(&tracker.session_id()).unwrap().unwrap();
    assert_eq!(request.state, RemoteState::Approved);
    assert_eq!(request.provider_transaction_id, None, "signed at once");
    assert_eq!(request.polls, 0);
    assert_eq!(mock.server.count("/auth/login"), 0);
    assert_eq!(mock.server.count("/signatures/signPolling"), 0);
    assert_eq!(mock.sign_requests(), 1);
    assert_eq!(s.t.vault.signatures(&s.id).unwrap(), vec![stored]);
}

#[test]
fn csc_restart_mid_wait_resumes_with_a_new_client_and_never_resends() {
    let s = setup();
    let mock = CscMock::start(
        s.officer.clone(),
        Script {
            waiting_polls: 8,
            ..Script::default()
        },
    );
    let config = mock.config(json!({}));
    let err =
        s.t.vault
            .sign_remote(
                &s.id,
                client(&config).as_ref(),
                &providers::fast(Duration::from_millis(250)),
            )
            .unwrap_err();
    let RemoteError::StillWaiting { session_id } = remote(err) else {
        panic!("not StillWaiting")
    };
    let waiting = s.t.vault.remote_request(&session_id).unwrap().unwrap();
    assert_eq!(waiting.state, RemoteState::Waiting);

    let path = s.t.path();
    drop(s.t.vault);
    let vault = Vault::open(&path, VaultOptions::default()).unwrap();
    let stored = vault
        .resume_remote(
            &session_id,
            client(&config).as_ref(),
            &providers::fast(Duration::from_secs(10)),
        )
        .unwrap();
    let request = vault.remote_request(&session_id).unwrap().unwrap();
    assert_eq!(request.state, RemoteState::Approved);
    assert_eq!(request.provider_transaction_id, waiting.provider_transaction_id);
    assert_eq!(vault.signatures(&s.id).unwrap(), vec![stored]);
    assert_eq!(mock.sign_requests(), 1, "one session, one provider transaction");
    // Every poll asked for the one responseID.
    assert!(mock
        .server
        .requests()
        .iter()
        .filter(|r| r.path == "/signatures/signPolling")
        .all(|r| r.body["responseID"] == waiting.provider_transaction_id.as_deref().unwrap()));
}

#[test]
fn csc_lost_submit_answer_is_unknown_and_never_resent() {
    for synchronous in [true, false] {
        let s = setup();
        let mock = CscMock::start(
            s.officer.clone(),
            Script {
                synchronous,
                hang_submit: Some(Duration::from_secs(4)),
                ..Script::default()
            },
        );
        let config = mock.config(json!({ "timeout_seconds": 1 }));
        let head = s.log_head();
        let tracker = Tracker::new();
        let err =
            s.t.vault
                .sign_remote(
                    &s.id,
                    client(&config).as_ref(),
                    &tracker.options(Duration::from_secs(10)),
                )
                .unwrap_err();
        let session_id = tracker.session_id();
        assert!(
            matches!(remote(err), RemoteError::OutcomeUnknown { session_id: ref sid } if *sid == session_id),
            "synchronous {synchronous}"
        );
        let request = s.t.vault.remote_request(&session_id).unwrap().unwrap();
        assert_eq!(request.state, RemoteState::Unknown);
        // Not cancelled: an operator may still complete it with the provider's answer.
        assert_eq!(
            s.t.vault.signing_session(&session_id).unwrap().state,
            SessionState::Open
        );
        s.assert_unchanged(&head);

        // After a restart, resuming still does not send it again.
        let path = s.t.path();
        drop(s.t.vault);
        let vault = Vault::open(&path, VaultOptions::default()).unwrap();
        let err = vault
            .resume_remote(
                &session_id,
                client(&config).as_ref(),
                &providers::fast(Duration::from_secs(2)),
            )
            .unwrap_err();
        assert!(matches!(remote(err), RemoteError::OutcomeUnknown { .. }));
        assert_eq!(mock.sign_requests(), 1, "synchronous {synchronous}: resent");
        assert_eq!(mock.server.count("/signatures/signPolling"), 0);
    }
}

#[test]
fn csc_refusals_are_typed_end_the_request_and_store_nothing() {
    let s = setup();
    let cases = [
        (End::Reject, ProviderOutcome::RejectedByUser, RemoteState::Rejected),
        (End::Timeout, ProviderOutcome::ApprovalTimedOut, RemoteState::Expired),
        (End::Quota, ProviderOutcome::QuotaExceeded, RemoteState::Failed),
    ];
    for (end, outcome, state) in cases {
        let mock = CscMock::start(
            s.officer.clone(),
            Script {
                end,
                ..Script::default()
            },
        );
        let head = s.log_head();
        let tracker = Tracker::new();
        let err =
            s.t.vault
                .sign_remote(
                    &s.id,
                    client(&mock.config(json!({}))).as_ref(),
                    &tracker.options(Duration::from_secs(10)),
                )
                .unwrap_err();
        match remote(err) {
            RemoteError::Declined { outcome: got, .. } => assert_eq!(got, outcome, "{end:?}"),
            other => panic!("{end:?}: {other:?}"),
        }
        let session_id = tracker.session_id();
        let request = s.t.vault.remote_request(&session_id).unwrap().unwrap();
        assert_eq!((request.state, request.outcome), (state, Some(outcome)));
        assert_eq!(
            s.t.vault.signing_session(&session_id).unwrap().state,
            SessionState::Cancelled
        );
        s.assert_unchanged(&head);
    }
}

#[test]
fn csc_revoked_certificate_is_refused_before_any_session() {
    let s = setup();
    let mock = CscMock::start(
        s.officer.clone(),
        Script {
            end: End::Revoked,
            ..Script::default()
        },
    );
    let head = s.log_head();
    let err =
        s.t.vault
            .sign_remote(
                &s.id,
                client(&mock.config(json!({}))).as_ref(),
                &providers::fast(Duration::from_secs(5)),
            )
            .unwrap_err();
    assert!(matches!(
        remote(err),
        RemoteError::Declined {
            outcome: ProviderOutcome::CertificateRevokedOrExpired,
            ..
        }
    ));
    assert_eq!(mock.server.count("/credentials/authorize"), 0);
    s.assert_unchanged(&head);
}

#[test]
fn csc_bad_password_and_bad_pin_are_authentication_failed_and_never_printed() {
    let s = setup();
    let mock = CscMock::start(s.officer.clone(), Script::default());
    let (wrong_password, wrong_pin) = ("Wr0ng-csc-Passw0rd", "000999");
    let secrets = [PASSWORD, PIN, TOKEN, wrong_password, wrong_pin];
    let head = s.log_head();
    for (extra, sessions) in [
        (json!({ "password": wrong_password }), 0),
        (json!({ "pin": wrong_pin }), 1),
    ] {
        let config = ProviderConfig::from_json(PROVIDER, &mock.config(extra.clone())).unwrap();
        let tracker = Tracker::new();
        let err =
            s.t.vault
                .sign_remote(
                    &s.id,
                    config.client().unwrap().as_ref(),
                    &tracker.options(Duration::from_secs(5)),
                )
                .unwrap_err();
        let shown = format!("{err} {err:?}");
        assert!(
            matches!(
                &err,
                Error::Remote(RemoteError::Declined {
                    outcome: ProviderOutcome::AuthenticationFailed,
                    ..
                })
            ),
            "{extra}: {shown}"
        );
        assert_no_secret(&shown, &secrets);
        let ProviderConfig::Csc(c) = &config else {
            unreachable!()
        };
        assert_no_secret(
            &format!("{config:?} {:?}", CscClient::new(c.clone()).unwrap()),
            &secrets,
        );
        assert!(format!("{config:?}").contains(USERNAME));
        if sessions == 1 {
            // A wrong PIN is refused at authorize: the request failed, the session ended.
            let request = s.t.vault.remote_request(&tracker.session_id()).unwrap().unwrap();
            assert_eq!(request.state, RemoteState::Failed);
        }
        s.assert_unchanged(&head);
    }
    assert_eq!(mock.sign_requests(), 0);
}

/// Signs through a mock answering `answer` (`synchronous` or polled): the error and the
/// request's state, after checking the vault is unchanged and one request was sent.
fn bad_answer(answer: Answer, synchronous: bool) -> (Error, RemoteState) {
    let s = setup();
    let mock = CscMock::start(
        s.officer.clone(),
        Script {
            answer,
            synchronous,
            ..Script::default()
        },
    );
    let head = s.log_head();
    let tracker = Tracker::new();
    let err =
        s.t.vault
            .sign_remote(
                &s.id,
                client(&mock.config(json!({}))).as_ref(),
                &tracker.options(Duration::from_secs(10)),
            )
            .unwrap_err();
    s.assert_unchanged(&head);
    assert_eq!(mock.sign_requests(), 1);
    assert_no_secret(&err.to_string(), &[PASSWORD, PIN, TOKEN]);
    let state = s.t.vault.remote_request(&tracker.session_id()).unwrap().unwrap().state;
    (err, state)
}

#[test]
fn csc_signature_over_another_hash_or_by_another_key_is_not_accepted() {
    for (answer, synchronous) in [
        (Answer::WrongHash, false),
        (Answer::OtherSigner, true),
        (Answer::Garbage, false),
    ] {
        let (err, state) = bad_answer(answer, synchronous);
        match err {
            Error::Signing(SigningError::NotAccepted { indication, .. }) => {
                assert_ne!(indication, Indication::Passed, "{answer:?}")
            }
            other => panic!("{answer:?}: {other:?}"),
        }
        assert_eq!(state, RemoteState::Failed, "{answer:?}");
    }
}

#[test]
fn csc_malformed_answers_are_typed_errors() {
    for synchronous in [false, true] {
        for answer in [Answer::NotJson, Answer::MissingField, Answer::BadBase64] {
            let (err, state) = bad_answer(answer, synchronous);
            assert!(
                matches!(err, Error::Remote(RemoteError::MalformedAnswer { .. })),
                "{answer:?}: {err:?}"
            );
            // A bad signHash answer fails the request; a bad signPolling answer leaves it
            // waiting (resumable).
            let expected = if synchronous {
                RemoteState::Failed
            } else {
                RemoteState::Waiting
            };
            assert_eq!(state, expected, "{answer:?} synchronous {synchronous}");
        }
    }
}

#[test]
fn csc_pinned_certificate_refuses_another_users() {
    let s = setup();
    let mock = CscMock::start(
        s.officer.clone(),
        Script {
            other_user: true,
            ..Script::default()
        },
    );
    let pin = results_vault::Sha256::of(&s.officer.cert).to_hex();
    let head = s.log_head();
    let err =
        s.t.vault
            .sign_remote(
                &s.id,
                client(&mock.config(json!({ "certificate_sha256": pin }))).as_ref(),
                &providers::fast(Duration::from_secs(5)),
            )
            .unwrap_err();
    assert!(matches!(remote(err), RemoteError::WrongCertificate { .. }));
    assert_eq!(mock.server.count("/credentials/authorize"), 0);
    assert_eq!(mock.sign_requests(), 0);
    s.assert_unchanged(&head);
}

/// A configured `user_id` that is a personal number must be in the credential's
/// certificate: a service that names (and signs with) another officer's credential is
/// refused before anything is signed.
#[test]
fn csc_configured_user_id_is_checked_against_the_certificate() {
    let s = setup();
    let mock = CscMock::start(
        s.officer.clone(),
        Script {
            other_user: true,
            answer: Answer::OtherSigner,
            ..Script::default()
        },
    );
    let head = s.log_head();
    let config = mock.config(json!({ "user_id": providers::USER_ID }));
    let err =
        s.t.vault
            .sign_remote(
                &s.id,
                client(&config).as_ref(),
                &providers::fast(Duration::from_secs(5)),
            )
            .map(|stored| stored.signer_certificate)
            .unwrap_err();
    assert!(matches!(remote(err), RemoteError::WrongCertificate { .. }));
    s.assert_unchanged(&head);
}

#[test]
fn csc_config_hides_secrets_and_refuses_plain_http_off_loopback() {
    let config = json!({
        "base_url": "https://csc.example.vn/csc/v2",
        "username": USERNAME,
        "password": PASSWORD,
        "pin": PIN,
        "otp": "731904",
        "access_token": TOKEN,
    });
    let parsed = ProviderConfig::from_json(PROVIDER, &config.to_string()).unwrap();
    let ProviderConfig::Csc(c) = &parsed else {
        unreachable!()
    };
    let shown = format!("{parsed:?} {:?}", CscClient::new(c.clone()).unwrap());
    assert_no_secret(&shown, &[PASSWORD, PIN, TOKEN, "731904"]);
    // Neither a token nor a login: refused, and it says what to give.
    let none = json!({ "base_url": "https://csc.example.vn/csc/v2" }).to_string();
    let err = ProviderConfig::from_json(PROVIDER, &none)
        .unwrap()
        .client()
        .map(|_| ())
        .unwrap_err();
    assert!(err.to_string().contains("access_token"), "{err}");
    for url in ["http://csc.example.vn/csc/v2", "http://localhost:1@csc.example.vn/"] {
        let mut c = config.clone();
        c["base_url"] = json!(url);
        let err = ProviderConfig::from_json(PROVIDER, &c.to_string())
            .unwrap()
            .client()
            .map(|_| ())
            .expect_err(url);
        assert!(matches!(&err, RemoteError::Config(_)), "{url}: {err:?}");
        assert_no_secret(&err.to_string(), &[PASSWORD, PIN, TOKEN]);
    }
}
