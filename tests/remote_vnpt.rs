//! VNPT SmartCA through a mock of its service-provider API: a record signed end to end
//! (CMS and raw answers), a restart while the officer has not approved yet, a request whose
//! answer was lost (found again by the vault's own transaction id), every refusal typed,
//! every bad answer leaving the vault unchanged, and secrets never printed.

#![cfg(feature = "remote")]

mod common;
#[path = "common/providers/mod.rs"]
mod providers;

use std::time::Duration;

use providers::smartca::{SmartCaMock, SIGN, SP_ID, SP_PASSWORD};
use providers::{assert_no_secret, remote, setup, Answer, End, Script, Tracker, USER_ID};
use results_vault::remote::config::ProviderConfig;
use results_vault::remote::smartca::SmartCaClient;
use results_vault::{
    Error, Indication, ProviderOutcome, RemoteError, RemoteState, SessionState, SigningError, Vault, VaultOptions,
};
use serde_json::json;

const PROVIDER: &str = "vnpt-smartca";

fn client(config: &str) -> Box<dyn results_vault::remote::Provider + Send + Sync> {
    ProviderConfig::from_json(PROVIDER, config).unwrap().client().unwrap()
}

/// The concrete client, for its `Debug`.
fn smartca_client(config: &ProviderConfig) -> SmartCaClient {
    match config {
        ProviderConfig::VnptSmartca(c) => SmartCaClient::new(c.clone()).unwrap(),
        other => panic!("not a SmartCA configuration: {other:?}"),
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[test]
fn vnpt_signs_end_to_end_with_a_cms_answer_that_openssl_also_verifies() {
    let s = setup();
    let mock = SmartCaMock::start(
        s.officer.clone(),
        Script {
            waiting_polls: 3,
            ..Script::default()
        },
    );
    let provider = client(&mock.config(json!({})));
    let tracker = Tracker::new();
    let stored =
        s.t.vault
            .sign_remote(&s.id, provider.as_ref(), &tracker.options(Duration::from_secs(10)))
            .unwrap();

    let session_id = tracker.session_id();
    let request = s.t.vault.remote_request(&session_id).unwrap().unwrap();
    assert_eq!(request.state, RemoteState::Approved);
    assert_eq!(request.provider, PROVIDER);
    assert_eq!(request.polls, 4, "three 'waiting' answers, then the signature");
    assert_eq!(
        tracker.states(),
        [RemoteState::Sending, RemoteState::Waiting, RemoteState::Approved]
    );
    assert_eq!(mock.sign_requests(), 1, "exactly one signing request");

    // What SmartCA was asked to sign: the envelope's SHA-256, under our transaction id.
    let envelope = s.t.vault.envelope(&s.id).unwrap();
    let sent = mock.server.requests().into_iter().find(|r| r.path == SIGN).unwrap();
    assert_eq!(sent.body["transaction_id"], request.client_request_id.as_str());
    assert_eq!(sent.body["user_id"], USER_ID);
    assert_eq!(
        sent.body["sign_files"][0]["data_to_be_signed"],
        hex(&providers::cms::sha256(envelope.as_bytes()))
    );

    // Stored once, and it verifies: in the vault and with openssl (which also checks the
    // mock's hand-built CMS).
    assert_eq!(s.t.vault.signatures(&s.id).unwrap(), vec![stored.clone()]);
    let verdict = s.t.vault.verify_record(&s.id, time::OffsetDateTime::now_utc()).unwrap();
    assert!(verdict.reusable, "{}", verdict.summary);
    assert_eq!(verdict.signatures[0].verdict.indication, Indication::Passed);
    assert!(s.officer.pki.openssl_verifies(&stored.cms, envelope.as_bytes(), None));
    assert_eq!(
        s.t.vault.signing_session(&session_id).unwrap().state,
        SessionState::Completed
    );
}

#[test]
fn vnpt_signs_end_to_end_with_a_raw_answer() {
    let s = setup();
    let mock = SmartCaMock::start(
        s.officer.clone(),
        Script {
            cms: false,
            ..Script::default()
        },
    );
    let provider = client(&mock.config(json!({})));
    let tracker = Tracker::new();
    let stored =
        s.t.vault
            .sign_remote(&s.id, provider.as_ref(), &tracker.options(Duration::from_secs(10)))
            .unwrap();
    let session = s.t.vault.signing_session(&tracker.session_id()).unwrap();
    // Raw: the provider signed the digest of the session's DER signed attributes.
    let sent = mock.server.requests().into_iter().find(|r| r.path == SIGN).unwrap();
    assert_eq!(
        sent.body["sign_files"][0]["data_to_be_signed"],
        hex(&session.signed_attributes_digest)
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
fn vnpt_restart_mid_wait_resumes_with_a_new_client_and_never_resends() {
    let s = setup();
    let mock = SmartCaMock::start(
        s.officer.clone(),
        Script {
            waiting_polls: 8,
            ..Script::default()
        },
    );
    let config = mock.config(json!({}));
    let first = client(&config);
    let err =
        s.t.vault
            .sign_remote(&s.id, first.as_ref(), &providers::fast(Duration::from_millis(250)))
            .unwrap_err();
    let RemoteError::StillWaiting { session_id } = remote(err) else {
        panic!("not StillWaiting")
    };
    assert_eq!(
        s.t.vault.remote_request(&session_id).unwrap().unwrap().state,
        RemoteState::Waiting
    );

    // The portal restarts: the vault file is opened again, with a new client.
    let path = s.t.path();
    drop(s.t.vault);
    drop(first);
    let vault = Vault::open(&path, VaultOptions::default()).unwrap();
    let again = client(&config);
    let stored = vault
        .resume_remote(&session_id, again.as_ref(), &providers::fast(Duration::from_secs(10)))
        .unwrap();
    let request = vault.remote_request(&session_id).unwrap().unwrap();
    assert_eq!(request.state, RemoteState::Approved);
    assert!(request.polls >= 9, "{} polls", request.polls);
    assert_eq!(vault.signatures(&s.id).unwrap(), vec![stored.clone()]);
    assert_eq!(mock.sign_requests(), 1, "one session, one provider transaction");

    // Resuming a completed session returns its signature and calls nobody.
    let calls = mock.server.requests().len();
    let same = vault
        .resume_remote(&session_id, again.as_ref(), &providers::fast(Duration::from_secs(1)))
        .unwrap();
    assert_eq!(same, stored);
    assert_eq!(mock.server.requests().len(), calls);
}

#[test]
fn vnpt_lost_submit_answer_is_found_by_the_client_request_id() {
    let s = setup();
    let mock = SmartCaMock::start(
        s.officer.clone(),
        Script {
            hang_submit: Some(Duration::from_secs(4)),
            ..Script::default()
        },
    );
    let provider = client(&mock.config(json!({ "timeout_seconds": 1 })));
    let tracker = Tracker::new();
    let stored =
        s.t.vault
            .sign_remote(&s.id, provider.as_ref(), &tracker.options(Duration::from_secs(10)))
            .unwrap();
    let request = s.t.vault.remote_request(&tracker.session_id()).unwrap().unwrap();
    assert_eq!(request.state, RemoteState::Approved);
    // SmartCA's own answer never arrived: the transaction is known by our id.
    assert_eq!(
        request.provider_transaction_id.as_deref(),
        Some(request.client_request_id.as_str())
    );
    assert_eq!(mock.sign_requests(), 1, "the lost request was not sent again");
    assert_eq!(s.t.vault.signatures(&s.id).unwrap(), vec![stored]);
}

#[test]
fn vnpt_crash_after_sending_resumes_after_a_restart() {
    let s = setup();
    let mock = SmartCaMock::start(s.officer.clone(), Script::default());
    let config = mock.config(json!({}));
    let tracker = Tracker::new();
    providers::sign_and_crash(
        &s.t.vault,
        &s.id,
        client(&config).as_ref(),
        &tracker.options(Duration::from_secs(5)),
    );
    let session_id = tracker.session_id();
    assert_eq!(mock.sign_requests(), 1);

    let path = s.t.path();
    drop(s.t.vault);
    let vault = Vault::open(&path, VaultOptions::default()).unwrap();
    let request = vault.remote_request(&session_id).unwrap().unwrap();
    assert_eq!(request.state, RemoteState::Sending, "the crash left it sending");
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
    assert_eq!(mock.sign_requests(), 1, "found by our transaction id, not sent again");
}

/// The configured user id must be a whole number of the subject: a 9-digit id does not
/// match inside another person's 12-digit one.
#[test]
fn vnpt_user_id_must_match_a_whole_number_in_the_subject() {
    let s = setup();
    let mock = SmartCaMock::start(s.officer.clone(), Script::default());
    // Another officer, whose old 9-digit ID happens to be inside USER_ID.
    let config = mock.config(json!({ "user_id": &USER_ID[3..] }));
    let provider = ProviderConfig::from_json(PROVIDER, &config).unwrap().client().unwrap();
    // The mock names USER_ID's certificate whatever user it is asked for.
    let err = provider.certificate_chain().map(|_| ()).unwrap_err();
    assert!(matches!(err, RemoteError::WrongCertificate { .. }), "{err:?}");
}

#[test]
fn vnpt_refusals_are_typed_end_the_request_and_store_nothing() {
    let s = setup();
    let cases = [
        (End::Reject, ProviderOutcome::RejectedByUser, RemoteState::Rejected),
        (End::Timeout, ProviderOutcome::ApprovalTimedOut, RemoteState::Expired),
    ];
    for (end, outcome, state) in cases {
        let mock = SmartCaMock::start(
            s.officer.clone(),
            Script {
                end,
                ..Script::default()
            },
        );
        let provider = client(&mock.config(json!({})));
        let head = s.log_head();
        let tracker = Tracker::new();
        let err =
            s.t.vault
                .sign_remote(&s.id, provider.as_ref(), &tracker.options(Duration::from_secs(10)))
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
        assert_eq!(request.state, state);
        assert_eq!(request.outcome, Some(outcome));
        assert_eq!(
            s.t.vault.signing_session(&session_id).unwrap().state,
            SessionState::Cancelled
        );
        s.assert_unchanged(&head);
        assert_eq!(mock.sign_requests(), 1);
        // An ended request is not resumed.
        let again =
            s.t.vault
                .resume_remote(&session_id, provider.as_ref(), &providers::fast(Duration::from_secs(1)))
                .unwrap_err();
        assert!(matches!(remote(again), RemoteError::Ended { state: st, .. } if st == state));
    }
}

#[test]
fn vnpt_revoked_certificate_is_refused_before_any_session() {
    let s = setup();
    let mock = SmartCaMock::start(
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
    assert_eq!(mock.sign_requests(), 0);
    s.assert_unchanged(&head);
}

#[test]
fn vnpt_bad_sp_password_is_authentication_failed_and_never_printed() {
    let s = setup();
    let mock = SmartCaMock::start(s.officer.clone(), Script::default());
    let wrong = "Wr0ng-sp-Passw0rd";
    let config = ProviderConfig::from_json(PROVIDER, &mock.config(json!({ "sp_password": wrong }))).unwrap();
    let provider = config.client().unwrap();
    let debug = smartca_client(&config);
    let err =
        s.t.vault
            .sign_remote(&s.id, provider.as_ref(), &providers::fast(Duration::from_secs(5)))
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
    assert_no_secret(&shown, &[wrong, SP_PASSWORD]);
    assert_no_secret(&format!("{config:?} {debug:?}"), &[wrong, SP_PASSWORD]);
    assert!(format!("{config:?}").contains(SP_ID), "the non-secret fields are shown");
    // Every request carried the credentials in its body, as SmartCA wants them.
    assert!(mock.server.requests().iter().all(|r| r.body["sp_id"] == SP_ID));
    assert_eq!(mock.sign_requests(), 0);
}

/// Signs through a mock answering `answer` (as a CMS, or raw); returns the error, after
/// checking that the vault is unchanged and that exactly one request was sent.
fn bad_answer(answer: Answer, cms: bool) -> (Error, RemoteState) {
    let s = setup();
    let mock = SmartCaMock::start(
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
    assert_no_secret(&err.to_string(), &[SP_PASSWORD, USER_ID]);
    let state = s.t.vault.remote_request(&tracker.session_id()).unwrap().unwrap().state;
    (err, state)
}

#[test]
fn vnpt_answer_over_another_hash_is_not_accepted() {
    for cms in [true, false] {
        let (err, state) = bad_answer(Answer::WrongHash, cms);
        assert!(
            matches!(err, Error::Signing(SigningError::NotAccepted { .. })),
            "cms {cms}: {err:?}"
        );
        assert_eq!(state, RemoteState::Failed);
    }
}

#[test]
fn vnpt_cms_by_another_officer_is_a_signer_mismatch() {
    let (err, state) = bad_answer(Answer::OtherSigner, true);
    assert!(matches!(err, Error::Signing(SigningError::SignerMismatch)), "{err:?}");
    assert_eq!(state, RemoteState::Failed);
}

#[test]
fn vnpt_malformed_answers_are_typed_errors() {
    for answer in [Answer::NotJson, Answer::MissingField, Answer::BadBase64] {
        let (err, state) = bad_answer(answer, true);
        assert!(
            matches!(err, Error::Remote(RemoteError::MalformedAnswer { .. })),
            "{answer:?}: {err:?}"
        );
        // A malformed status answer ends nothing: the request can be resumed.
        assert_eq!(state, RemoteState::Waiting, "{answer:?}");
    }
    let (err, state) = bad_answer(Answer::Garbage, true);
    assert!(
        matches!(err, Error::Signing(SigningError::MalformedReply(_))),
        "{err:?}"
    );
    assert_eq!(state, RemoteState::Failed);
}

#[test]
fn vnpt_request_resumes_after_a_malformed_status_answer() {
    let s = setup();
    let mock = SmartCaMock::start(
        s.officer.clone(),
        Script {
            answer: Answer::NotJson,
            ..Script::default()
        },
    );
    let provider = client(&mock.config(json!({})));
    let tracker = Tracker::new();
    let err =
        s.t.vault
            .sign_remote(&s.id, provider.as_ref(), &tracker.options(Duration::from_secs(10)))
            .unwrap_err();
    assert!(matches!(remote(err), RemoteError::MalformedAnswer { .. }));
    mock.set_script(|script| script.answer = Answer::Good);
    let stored =
        s.t.vault
            .resume_remote(
                &tracker.session_id(),
                provider.as_ref(),
                &providers::fast(Duration::from_secs(5)),
            )
            .unwrap();
    assert_eq!(s.t.vault.signatures(&s.id).unwrap(), vec![stored]);
    assert_eq!(mock.sign_requests(), 1);
}

#[test]
fn vnpt_another_users_certificate_is_refused_before_signing() {
    let s = setup();
    let mock = SmartCaMock::start(
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
    // The personal ID is not printed in full.
    assert_no_secret(&shown, &[USER_ID]);
    assert_eq!(mock.sign_requests(), 0, "nothing was sent to sign");
    s.assert_unchanged(&head);

    // Pinning the officer's certificate by its SHA-256 refuses the other one too.
    let pin = results_vault::Sha256::of(&s.officer.cert).to_hex();
    let pinned = client(&mock.config(json!({ "certificate_sha256": pin })));
    let err =
        s.t.vault
            .sign_remote(&s.id, pinned.as_ref(), &providers::fast(Duration::from_secs(5)))
            .unwrap_err();
    assert!(matches!(remote(err), RemoteError::WrongCertificate { .. }));
    s.assert_unchanged(&head);
}

#[test]
fn vnpt_config_hides_secrets_and_refuses_plain_http_off_loopback() {
    let config = json!({
        "base_url": "https://gwsca.vnpt.vn/sca/sp769",
        "sp_id": SP_ID,
        "sp_password": SP_PASSWORD,
        "user_id": USER_ID,
    });
    let parsed = ProviderConfig::from_json(PROVIDER, &config.to_string()).unwrap();
    let shown = format!("{parsed:?} {:?}", smartca_client(&parsed));
    assert_no_secret(&shown, &[SP_PASSWORD]);
    // A missing secret is named, not shown.
    let missing = ProviderConfig::from_json(PROVIDER, &json!({ "base_url": "https://x.vn" }).to_string()).unwrap_err();
    assert!(matches!(missing, RemoteError::Config(_)));
    for url in [
        "http://gwsca.vnpt.vn/sca/sp769",
        "http://127.0.0.1.example.vn/sca",
        "http://localhost.example.vn",
        "http://127.0.0.1:80@gwsca.example.vn/sca",
        "ftp://127.0.0.1/sca",
    ] {
        let mut c = config.clone();
        c["base_url"] = json!(url);
        let err = ProviderConfig::from_json(PROVIDER, &c.to_string())
            .unwrap()
            .client()
            .map(|_| ())
            .expect_err(url);
        assert!(matches!(&err, RemoteError::Config(_)), "{url}: {err:?}");
        assert_no_secret(&err.to_string(), &[SP_PASSWORD]);
    }
    for url in ["http://127.0.0.1:8080/sca", "http://localhost/sca", "http://[::1]:9/x"] {
        let mut c = config.clone();
        c["base_url"] = json!(url);
        assert!(
            ProviderConfig::from_json(PROVIDER, &c.to_string())
                .unwrap()
                .client()
                .is_ok(),
            "{url}"
        );
    }
}
