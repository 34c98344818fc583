//! Viettel MySign through a mock: login per officer, `certificates/info` as a JSON array,
//! an asynchronous `signHash`, and `requests/status` with MySign's status codes. The
//! transaction id is MySign's own: a lost submit answer is `unknown`, never resent.

#![cfg(feature = "remote")]

mod common;
#[path = "common/providers/mod.rs"]
mod providers;

use std::time::Duration;

use providers::mysign::{user, MySignMock, CLIENT_ID, CLIENT_SECRET, SIGN_HASH, TOKEN};
use providers::{assert_no_secret, remote, setup, unb64, Answer, End, Script, Tracker, USER_ID};
use results_vault::remote::config::ProviderConfig;
use results_vault::remote::mysign::MySignClient;
use results_vault::{
    Error, Indication, ProviderOutcome, RemoteError, RemoteState, SessionState, SigningError, Vault, VaultOptions,
};
use serde_json::json;

const PROVIDER: &str = "viettel-mysign";

fn client(config: &str) -> Box<dyn results_vault::remote::Provider + Send + Sync> {
    ProviderConfig::from_json(PROVIDER, config).unwrap().client().unwrap()
}

#[test]
fn mysign_signs_end_to_end_with_a_cms_answer_that_openssl_also_verifies() {
    let s = setup();
    let mock = MySignMock::start(
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
    assert_eq!(request.provider_transaction_id.as_deref(), Some("mys-tx-1"));
    assert_eq!(request.polls, 4);
    assert_eq!(
        tracker.states(),
        [RemoteState::Sending, RemoteState::Waiting, RemoteState::Approved]
    );
    assert_eq!(mock.sign_requests(), 1, "exactly one signing request");
    assert_eq!(
        mock.server.count("/vtss/service/ras/v1/login"),
        1,
        "the token is reused"
    );

    // MySign was asked to sign the envelope's SHA-256; our id travelled as the document id.
    let envelope = s.t.vault.envelope(&s.id).unwrap();
    let sent = mock
        .server
        .requests()
        .into_iter()
        .find(|r| r.path == SIGN_HASH)
        .unwrap();
    assert_eq!(
        unb64(sent.body["hash"][0].as_str().unwrap()),
        providers::cms::sha256(envelope.as_bytes())
    );
    assert_eq!(
        sent.body["documents"][0]["document_id"],
        request.client_request_id.as_str()
    );
    assert_eq!(sent.body["hashAlgo"], "2.16.840.1.101.3.4.2.1");

    assert_eq!(s.t.vault.signatures(&s.id).unwrap(), vec![stored.clone()]);
    let verdict = s.t.vault.verify_record(&s.id, time::OffsetDateTime::now_utc()).unwrap();
    assert!(verdict.reusable, "{}", verdict.summary);
    assert_eq!(verdict.signatures[0].verdict.indication, Indication::Passed);
    assert!(s.officer.pki.openssl_verifies(&stored.cms, envelope.as_bytes(), None));
}

#[test]
fn mysign_signs_end_to_end_with_a_raw_answer() {
    let s = setup();
    let mock = MySignMock::start(
        s.officer.clone(),
        Script {
            cms: false,
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
    let session = s.t.vault.signing_session(&tracker.session_id()).unwrap();
    let sent = mock
        .server
        .requests()
        .into_iter()
        .find(|r| r.path == SIGN_HASH)
        .unwrap();
    assert_eq!(
        unb64(sent.body["hash"][0].as_str().unwrap()),
        session.signed_attributes_digest
    );
    let envelope = s.t.vault.envelope(&s.id).unwrap();
    assert!(s.officer.pki.openssl_verifies(&stored.cms, envelope.as_bytes(), None));
    assert!(
        s.t.vault
            .verify_record(&s.id, time::OffsetDateTime::now_utc())
            .unwrap()
            .reusable
    );
    assert_eq!(mock.sign_requests(), 1);
}

#[test]
fn mysign_restart_mid_wait_resumes_with_a_new_client_and_never_resends() {
    let s = setup();
    let mock = MySignMock::start(
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
    assert_eq!(
        s.t.vault.remote_request(&session_id).unwrap().unwrap().state,
        RemoteState::Waiting
    );

    let path = s.t.path();
    drop(s.t.vault);
    let vault = Vault::open(&path, VaultOptions::default()).unwrap();
    // A new client: it logs in again, and polls the stored transaction.
    let stored = vault
        .resume_remote(
            &session_id,
            client(&config).as_ref(),
            &providers::fast(Duration::from_secs(10)),
        )
        .unwrap();
    assert_eq!(
        vault.remote_request(&session_id).unwrap().unwrap().state,
        RemoteState::Approved
    );
    assert_eq!(vault.signatures(&s.id).unwrap(), vec![stored]);
    assert_eq!(mock.sign_requests(), 1, "one session, one provider transaction");
    assert_eq!(mock.server.count("/vtss/service/ras/v1/login"), 2);
    assert!(mock
        .server
        .requests()
        .iter()
        .filter(|r| r.path == "/vtss/service/requests/status")
        .all(|r| r.body["transactionId"] == "mys-tx-1"));
}

#[test]
fn mysign_lost_submit_answer_is_unknown_and_never_resent() {
    let s = setup();
    let mock = MySignMock::start(
        s.officer.clone(),
        Script {
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
    assert!(matches!(remote(err), RemoteError::OutcomeUnknown { session_id: ref sid } if *sid == session_id));
    let request = s.t.vault.remote_request(&session_id).unwrap().unwrap();
    assert_eq!(request.state, RemoteState::Unknown);
    assert_eq!(request.provider_transaction_id, None);
    assert_eq!(
        s.t.vault.signing_session(&session_id).unwrap().state,
        SessionState::Open
    );
    s.assert_unchanged(&head);

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
    assert_eq!(mock.sign_requests(), 1, "resent");
    assert_eq!(mock.server.count("/vtss/service/requests/status"), 0);
}

#[test]
fn mysign_crash_after_sending_is_unknown_after_a_restart() {
    let s = setup();
    let mock = MySignMock::start(s.officer.clone(), Script::default());
    let config = mock.config(json!({}));
    let tracker = Tracker::new();
    providers::sign_and_crash(
        &s.t.vault,
        &s.id,
        client(&config).as_ref(),
        &tracker.options(Duration::from_secs(5)),
    );
    let session_id = tracker.session_id();
    let path = s.t.path();
    drop(s.t.vault);
    let vault = Vault::open(&path, VaultOptions::default()).unwrap();
    assert_eq!(
        vault.remote_request(&session_id).unwrap().unwrap().state,
        RemoteState::Sending
    );
    for _ in 0..2 {
        let err = vault
            .resume_remote(
                &session_id,
                client(&config).as_ref(),
                &providers::fast(Duration::from_secs(2)),
            )
            .unwrap_err();
        assert!(matches!(remote(err), RemoteError::OutcomeUnknown { .. }));
    }
    assert_eq!(
        vault.remote_request(&session_id).unwrap().unwrap().state,
        RemoteState::Unknown
    );
    assert_eq!(mock.sign_requests(), 1, "never sent again");
    assert!(vault.signatures(&s.id).unwrap().is_empty());
}

#[test]
fn mysign_session_expiry_while_waiting_ends_the_request_as_expired() {
    let s = providers::setup_with(VaultOptions {
        signing_session_ttl: Duration::from_secs(1),
        ..VaultOptions::default()
    });
    let mock = MySignMock::start(
        s.officer.clone(),
        Script {
            waiting_polls: u32::MAX,
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
                &tracker.options(Duration::from_secs(20)),
            )
            .unwrap_err();
    assert!(matches!(
        remote(err),
        RemoteError::Declined {
            outcome: ProviderOutcome::ApprovalTimedOut,
            ..
        }
    ));
    let session_id = tracker.session_id();
    assert_eq!(
        s.t.vault.remote_request(&session_id).unwrap().unwrap().state,
        RemoteState::Expired
    );
    assert_eq!(
        s.t.vault.signing_session(&session_id).unwrap().state,
        SessionState::Cancelled
    );
    s.assert_unchanged(&head);
}

#[test]
fn mysign_status_codes_are_typed_end_the_request_and_store_nothing() {
    let s = setup();
    let cases = [
        (End::Reject, ProviderOutcome::RejectedByUser, RemoteState::Rejected),
        (End::Timeout, ProviderOutcome::ApprovalTimedOut, RemoteState::Expired),
        (End::Quota, ProviderOutcome::QuotaExceeded, RemoteState::Failed),
        (
            End::Revoked,
            ProviderOutcome::CertificateRevokedOrExpired,
            RemoteState::Failed,
        ),
    ];
    for (end, outcome, state) in cases {
        let mock = MySignMock::start(
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
            RemoteError::Declined { provider, outcome: got } => {
                assert_eq!(provider, PROVIDER);
                assert_eq!(got, outcome, "{end:?}");
            }
            other => panic!("{end:?}: {other:?}"),
        }
        let session_id = tracker.session_id();
        let request = s.t.vault.remote_request(&session_id).unwrap().unwrap();
        assert_eq!((request.state, request.outcome), (state, Some(outcome)), "{end:?}");
        assert_eq!(
            s.t.vault.signing_session(&session_id).unwrap().state,
            SessionState::Cancelled
        );
        assert_eq!(mock.sign_requests(), 1);
        s.assert_unchanged(&head);
    }
}

#[test]
fn mysign_bad_client_secret_is_authentication_failed_and_never_printed() {
    let s = setup();
    let mock = MySignMock::start(s.officer.clone(), Script::default());
    let wrong = "Wr0ng-mysign-Secret";
    let config = ProviderConfig::from_json(PROVIDER, &mock.config(json!({ "client_secret": wrong }))).unwrap();
    let head = s.log_head();
    let err =
        s.t.vault
            .sign_remote(
                &s.id,
                config.client().unwrap().as_ref(),
                &providers::fast(Duration::from_secs(5)),
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
        "{shown}"
    );
    assert_no_secret(&shown, &[wrong, CLIENT_SECRET, TOKEN]);
    let ProviderConfig::ViettelMysign(c) = &config else {
        unreachable!()
    };
    let debug = format!("{config:?} {:?}", MySignClient::new(c.clone()).unwrap());
    assert_no_secret(&debug, &[wrong, CLIENT_SECRET]);
    assert!(debug.contains(CLIENT_ID));
    assert_eq!(mock.server.count("/vtss/service/certificates/info"), 0);
    s.assert_unchanged(&head);
}

/// Signs through a mock answering `answer` (CMS or raw): the error and the request's
/// state, after checking the vault is unchanged and one request was sent.
fn bad_answer(answer: Answer, cms: bool) -> (Error, RemoteState) {
    let s = setup();
    let mock = MySignMock::start(
        s.officer.clone(),
        Script {
            answer,
            cms,
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
    assert_no_secret(&err.to_string(), &[CLIENT_SECRET, TOKEN, USER_ID]);
    let state = s.t.vault.remote_request(&tracker.session_id()).unwrap().unwrap().state;
    (err, state)
}

#[test]
fn mysign_answer_over_another_hash_or_by_another_officer_is_refused() {
    for cms in [true, false] {
        let (err, state) = bad_answer(Answer::WrongHash, cms);
        assert!(
            matches!(err, Error::Signing(SigningError::NotAccepted { .. })),
            "cms {cms}: {err:?}"
        );
        assert_eq!(state, RemoteState::Failed);
    }
    let (err, state) = bad_answer(Answer::OtherSigner, true);
    assert!(matches!(err, Error::Signing(SigningError::SignerMismatch)), "{err:?}");
    assert_eq!(state, RemoteState::Failed);
}

#[test]
fn mysign_malformed_answers_are_typed_errors() {
    for answer in [Answer::NotJson, Answer::MissingField, Answer::BadBase64] {
        let (err, state) = bad_answer(answer, true);
        assert!(
            matches!(err, Error::Remote(RemoteError::MalformedAnswer { .. })),
            "{answer:?}: {err:?}"
        );
        assert_eq!(state, RemoteState::Waiting, "{answer:?}: resumable");
    }
    let (err, state) = bad_answer(Answer::Garbage, true);
    assert!(
        matches!(err, Error::Signing(SigningError::MalformedReply(_))),
        "{err:?}"
    );
    assert_eq!(state, RemoteState::Failed);
}

#[test]
fn mysign_another_users_certificate_is_refused_before_signing() {
    let s = setup();
    let mock = MySignMock::start(
        s.officer.clone(),
        Script {
            other_user: true,
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
    let shown = err.to_string();
    assert!(matches!(remote(err), RemoteError::WrongCertificate { .. }), "{shown}");
    assert_no_secret(&shown, &[USER_ID, &user()]);
    assert_eq!(mock.sign_requests(), 0, "nothing was sent to sign");
    s.assert_unchanged(&head);
}

#[test]
fn mysign_config_hides_secrets_and_refuses_plain_http_off_loopback() {
    let config = json!({
        "base_url": "https://remotesigning.viettel.vn",
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
        "profile_id": "adss:ras:profile:001",
        "user_id": user(),
    });
    let parsed = ProviderConfig::from_json(PROVIDER, &config.to_string()).unwrap();
    let ProviderConfig::ViettelMysign(c) = &parsed else {
        unreachable!()
    };
    assert_no_secret(
        &format!("{parsed:?} {:?}", MySignClient::new(c.clone()).unwrap()),
        &[CLIENT_SECRET],
    );
    // The configuration names its provider: another's is refused.
    let err = ProviderConfig::from_json("vnpt-smartca", &json!({ "provider": PROVIDER }).to_string()).unwrap_err();
    assert!(matches!(err, RemoteError::Config(_)));
    for url in [
        "http://remotesigning.viettel.vn",
        "http://[::1]:8@remotesigning.viettel.vn",
    ] {
        let mut c = config.clone();
        c["base_url"] = json!(url);
        let err = ProviderConfig::from_json(PROVIDER, &c.to_string())
            .unwrap()
            .client()
            .map(|_| ())
            .expect_err(url);
        assert!(matches!(&err, RemoteError::Config(_)), "{url}: {err:?}");
        assert_no_secret(&err.to_string(), &[CLIENT_SECRET]);
    }
}
