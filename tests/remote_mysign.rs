//! Viettel MySign through a mock: login per officer, `certificates/info` as a JSON array,
//! an asynchronous `signHash`, and `requests/status` with MySign's status codes. The
//! transaction id is MySign's own: a lost submit answer is `unknown`, never resent.

#![cfg(feature = "remote")]

mod common;
#[path = "common/providers/mod.rs"]
mod providers;

use std::time::Duration;

use providers::mysign::{user, MySignMock, CLIENT_ID, CLIENT_SECRET, LOGIN, SIGN_HASH, STATUS, TOKEN};
use providers::scenarios::{self, start};
use providers::{remote, End, MockProvider, Script, USER_ID};
use results_vault::remote::config::ProviderConfig;
use results_vault::{ProviderOutcome, RemoteError, RemoteState, SessionState, VaultOptions};
use serde_json::json;

/// What no error of this provider may show.
const HIDDEN: &[&str] = &[CLIENT_SECRET, TOKEN, USER_ID];

#[test]
fn mysign_signs_end_to_end_with_a_cms_answer_that_openssl_also_verifies() {
    let (s, mock) = start::<MySignMock>(Script::waiting(3));
    let (request, _) = scenarios::signs_end_to_end(&s, &mock, json!({}));
    assert_eq!(request.provider_transaction_id.as_deref(), Some("mys-tx-1"));
    assert_eq!(mock.server().count(LOGIN), 1, "the token is reused");
    // Our id travelled as the document id.
    let sent = mock
        .server()
        .requests()
        .into_iter()
        .find(|r| r.path == SIGN_HASH)
        .unwrap();
    assert_eq!(
        sent.body["documents"][0]["document_id"],
        request.client_request_id.as_str()
    );
    assert_eq!(sent.body["hashAlgo"], "2.16.840.1.101.3.4.2.1");
}

#[test]
fn mysign_signs_end_to_end_with_a_raw_answer() {
    scenarios::signs_end_to_end_with_a_raw_answer::<MySignMock>();
}

#[test]
fn mysign_restart_mid_wait_resumes_with_a_new_client_and_never_resends() {
    let resumed = scenarios::restart_mid_wait_resumes::<MySignMock>();
    // The new client logged in again, and polled the stored transaction.
    let mock = resumed.mock;
    assert_eq!(mock.server().count(LOGIN), 2);
    assert!(mock
        .server()
        .requests()
        .iter()
        .filter(|r| r.path == STATUS)
        .all(|r| r.body["transactionId"] == "mys-tx-1"));
}

#[test]
fn mysign_lost_submit_answer_is_unknown_and_never_resent() {
    scenarios::lost_submit_is_unknown_and_never_resent::<MySignMock>(Script::default());
}

#[test]
fn mysign_crash_after_sending_is_unknown_after_a_restart() {
    let (s, mock, session_id) = scenarios::crash_after_sending::<MySignMock>();
    for _ in 0..2 {
        let err = scenarios::resume(&s, &mock, &session_id, json!({}), Duration::from_secs(2)).unwrap_err();
        assert!(matches!(remote(err), RemoteError::OutcomeUnknown { .. }));
    }
    assert_eq!(s.request(&session_id).state, RemoteState::Unknown);
    assert_eq!(mock.sign_requests(), 1, "never sent again");
    assert!(s.t.vault.signatures(&s.id).unwrap().is_empty());
}

#[test]
fn mysign_session_expiry_while_waiting_ends_the_request_as_expired() {
    let s = providers::setup_with(VaultOptions {
        signing_session_ttl: Duration::from_secs(1),
        ..VaultOptions::default()
    });
    let mock = MySignMock::start(s.officer.clone(), Script::waiting(u32::MAX));
    let head = s.log_head();
    let (outcome, tracker) = scenarios::sign(&s, &mock, json!({}), Duration::from_secs(20));
    assert!(matches!(
        remote(outcome.unwrap_err()),
        RemoteError::Declined {
            outcome: ProviderOutcome::ApprovalTimedOut,
            ..
        }
    ));
    let session_id = tracker.session_id();
    assert_eq!(s.request(&session_id).state, RemoteState::Expired);
    assert_eq!(s.session_state(&session_id), SessionState::Cancelled);
    s.assert_unchanged(&head);
}

#[test]
fn mysign_status_codes_are_typed_end_the_request_and_store_nothing() {
    scenarios::refusals_end_the_request::<MySignMock>([
        (End::Reject, ProviderOutcome::RejectedByUser, RemoteState::Rejected),
        (End::Timeout, ProviderOutcome::ApprovalTimedOut, RemoteState::Expired),
        (End::Quota, ProviderOutcome::QuotaExceeded, RemoteState::Failed),
        // MySign says "revoked" only in `requests/status`.
        (
            End::Revoked,
            ProviderOutcome::CertificateRevokedOrExpired,
            RemoteState::Failed,
        ),
    ]);
}

#[test]
fn mysign_bad_client_secret_is_authentication_failed_and_never_printed() {
    let (s, mock) = start::<MySignMock>(Script::default());
    let wrong = "Wr0ng-mysign-Secret";
    let extra = json!({ "client_secret": wrong });
    scenarios::authentication_fails(&s, &mock, extra, &[wrong, CLIENT_SECRET, TOKEN], CLIENT_ID);
    assert_eq!(mock.server().count("/vtss/service/certificates/info"), 0);
}

#[test]
fn mysign_answer_over_another_hash_or_by_another_officer_is_refused() {
    for cms in [true, false] {
        let script = Script {
            answer: providers::Answer::WrongHash,
            cms,
            ..Script::default()
        };
        scenarios::signature_is_not_accepted::<MySignMock>(script, HIDDEN);
    }
    scenarios::cms_by_another_officer_is_a_signer_mismatch::<MySignMock>(HIDDEN);
}

#[test]
fn mysign_malformed_answers_are_typed_errors() {
    scenarios::malformed_cms_answers_are_typed::<MySignMock>(HIDDEN);
}

#[test]
fn mysign_another_users_certificate_is_refused_before_signing() {
    let (s, mock) = start::<MySignMock>(Script {
        other_user: true,
        ..Script::default()
    });
    scenarios::another_users_certificate_is_refused(&s, &mock, &[json!({})], &[USER_ID, &user()]);
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
    let refused = [
        "http://remotesigning.viettel.vn",
        "http://[::1]:8@remotesigning.viettel.vn",
    ];
    scenarios::config_hides_secrets_and_refuses_plain_http::<MySignMock>(config, &[CLIENT_SECRET], &refused);
    // The configuration names its provider: another's is refused.
    let err =
        ProviderConfig::from_json("vnpt-smartca", &json!({ "provider": MySignMock::NAME }).to_string()).unwrap_err();
    assert!(matches!(err, RemoteError::Config(_)));
}
