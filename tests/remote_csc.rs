//! A CSC API v2 service through a mock: `auth/login`, the credential's chain, a SAD bound
//! to the hash, `signHash` synchronous and asynchronous, `signPolling`. The answer is a raw
//! signature the vault wraps into its own CMS; CSC cannot look a request up by the
//! client's id, so a lost submit answer is `unknown` and never sent again.

#![cfg(feature = "remote")]

mod common;
#[path = "common/providers/mod.rs"]
mod providers;

use providers::csc::{CscMock, PASSWORD, PIN, SIGN_HASH, TOKEN, USERNAME};
use providers::scenarios::{self, pinned, start};
use providers::{unb64, Answer, End, MockProvider, Script};
use results_vault::remote::config::ProviderConfig;
use results_vault::{ProviderOutcome, RemoteError, RemoteState};
use serde_json::json;

/// What no error of this provider may show.
const HIDDEN: &[&str] = &[PASSWORD, PIN, TOKEN];

#[test]
fn csc_signs_end_to_end_asynchronously_with_login_and_pin() {
    let (s, mock) = start::<CscMock>(Script::waiting(3));
    let (request, _) = scenarios::signs_end_to_end(&s, &mock, json!({}));
    assert_eq!(request.provider_transaction_id.as_deref(), Some("resp-2"));
    assert_eq!(mock.server().count("/auth/login"), 1, "the token is reused");

    // The SAD was asked for, and the signature made, over the digest of the session's
    // DER signed attributes; the client's id travelled as clientData.
    let session = s.t.vault.signing_session(&request.session_id).unwrap();
    let requests = mock.server().requests();
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
}

#[test]
fn csc_signs_synchronously_with_a_token_and_a_pinned_certificate() {
    let (s, mock) = start::<CscMock>(Script {
        synchronous: true,
        ..Script::default()
    });
    let pin = results_vault::Sha256::of(&s.officer.cert).to_hex();
    let config = json!({
        "username": null, "password": null, "access_token": TOKEN, "certificate_sha256": pin,
    });
    let (request, _) = scenarios::signs_end_to_end(&s, &mock, config);
    assert_eq!(request.provider_transaction_id, None, "signed at once");
    assert_eq!(mock.server().count("/auth/login"), 0);
    assert_eq!(mock.status_requests(), 0);
}

#[test]
fn csc_restart_mid_wait_resumes_with_a_new_client_and_never_resends() {
    let resumed = scenarios::restart_mid_wait_resumes::<CscMock>();
    // Every poll asked for the one responseID.
    let id = resumed.waiting.provider_transaction_id.unwrap();
    assert!(resumed
        .mock
        .server()
        .requests()
        .iter()
        .filter(|r| r.path == "/signatures/signPolling")
        .all(|r| r.body["responseID"] == id.as_str()));
}

#[test]
fn csc_lost_submit_answer_is_unknown_and_never_resent() {
    for synchronous in [true, false] {
        scenarios::lost_submit_is_unknown_and_never_resent::<CscMock>(Script {
            synchronous,
            ..Script::default()
        });
    }
}

#[test]
fn csc_refusals_are_typed_end_the_request_and_store_nothing() {
    scenarios::refusals_end_the_request::<CscMock>([
        (End::Reject, ProviderOutcome::RejectedByUser, RemoteState::Rejected),
        (End::Timeout, ProviderOutcome::ApprovalTimedOut, RemoteState::Expired),
        (End::Quota, ProviderOutcome::QuotaExceeded, RemoteState::Failed),
    ]);
}

#[test]
fn csc_revoked_certificate_is_refused_before_any_session() {
    let mock = scenarios::revoked_certificate_is_refused_before_any_session::<CscMock>();
    assert_eq!(mock.server().count("/credentials/authorize"), 0);
}

#[test]
fn csc_bad_password_and_bad_pin_are_authentication_failed_and_never_printed() {
    let (s, mock) = start::<CscMock>(Script::default());
    let (wrong_password, wrong_pin) = ("Wr0ng-csc-Passw0rd", "000999");
    let secrets = [PASSWORD, PIN, TOKEN, wrong_password, wrong_pin];
    let refused = |extra| scenarios::authentication_fails(&s, &mock, extra, &secrets, USERNAME);
    refused(json!({ "password": wrong_password }));
    // A wrong PIN is refused at authorize: the request failed, the session ended.
    let tracker = refused(json!({ "pin": wrong_pin }));
    assert_eq!(s.request(&tracker.session_id()).state, RemoteState::Failed);
    assert_eq!(mock.sign_requests(), 0);
}

#[test]
fn csc_signature_over_another_hash_or_by_another_key_is_not_accepted() {
    for (answer, synchronous) in [
        (Answer::WrongHash, false),
        (Answer::OtherSigner, true),
        (Answer::Garbage, false),
    ] {
        let script = Script {
            answer,
            synchronous,
            ..Script::default()
        };
        scenarios::signature_is_not_accepted::<CscMock>(script, HIDDEN);
    }
}

#[test]
fn csc_malformed_answers_are_typed_errors() {
    // A bad signPolling answer leaves the request waiting (resumable); a bad signHash
    // answer fails it.
    for (synchronous, state) in [(false, RemoteState::Waiting), (true, RemoteState::Failed)] {
        let script = Script {
            synchronous,
            ..Script::default()
        };
        scenarios::malformed_answers_are_typed::<CscMock>(script, HIDDEN, state);
    }
}

#[test]
fn csc_pinned_certificate_refuses_another_users() {
    let (s, mock) = start::<CscMock>(Script {
        other_user: true,
        ..Script::default()
    });
    scenarios::another_users_certificate_is_refused(&s, &mock, &[pinned(&s)], &[]);
    assert_eq!(mock.server().count("/credentials/authorize"), 0);
}

/// A configured `user_id` that is a personal number must be in the credential's
/// certificate: a service that names (and signs with) another officer's credential is
/// refused before anything is signed.
#[test]
fn csc_configured_user_id_is_checked_against_the_certificate() {
    let (s, mock) = start::<CscMock>(Script {
        other_user: true,
        answer: Answer::OtherSigner,
        ..Script::default()
    });
    let extra = json!({ "user_id": providers::USER_ID });
    scenarios::another_users_certificate_is_refused(&s, &mock, &[extra], &[]);
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
    let refused = ["http://csc.example.vn/csc/v2", "http://localhost:1@csc.example.vn/"];
    scenarios::config_hides_secrets_and_refuses_plain_http::<CscMock>(
        config,
        &[PASSWORD, PIN, TOKEN, "731904"],
        &refused,
    );
    // Neither a token nor a login: refused, and it says what to give.
    let none = json!({ "base_url": "https://csc.example.vn/csc/v2" }).to_string();
    let err = ProviderConfig::from_json(CscMock::NAME, &none)
        .unwrap()
        .client()
        .map(|_| ())
        .unwrap_err();
    assert!(matches!(&err, RemoteError::Config(_)), "{err:?}");
    assert!(err.to_string().contains("access_token"), "{err}");
}
