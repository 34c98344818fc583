//! VNPT SmartCA through a mock of its service-provider API: a record signed end to end
//! (CMS and raw answers), a restart while the officer has not approved yet, a request whose
//! answer was lost (found again by the vault's own transaction id), every refusal typed,
//! every bad answer leaving the vault unchanged, and secrets never printed.

#![cfg(feature = "remote")]

mod common;
#[path = "common/providers/mod.rs"]
mod providers;

use std::time::Duration;

use providers::scenarios::{self, pinned, start};
use providers::smartca::{SmartCaMock, SIGN, SP_ID, SP_PASSWORD};
use providers::{remote, Answer, End, MockProvider, Script, USER_ID};
use results_vault::remote::config::ProviderConfig;
use results_vault::{ProviderOutcome, RemoteError, RemoteState};
use serde_json::json;

/// What no error of this provider may show.
const HIDDEN: &[&str] = &[SP_PASSWORD, USER_ID];

#[test]
fn vnpt_signs_end_to_end_with_a_cms_answer_that_openssl_also_verifies() {
    let (s, mock) = start::<SmartCaMock>(Script::waiting(3));
    let (request, _) = scenarios::signs_end_to_end(&s, &mock, json!({}));
    // Sent under our transaction id, for the configured user.
    let sent = mock.server().requests().into_iter().find(|r| r.path == SIGN).unwrap();
    assert_eq!(sent.body["transaction_id"], request.client_request_id.as_str());
    assert_eq!(sent.body["user_id"], USER_ID);
}

#[test]
fn vnpt_signs_end_to_end_with_a_raw_answer() {
    scenarios::signs_end_to_end_with_a_raw_answer::<SmartCaMock>();
}

#[test]
fn vnpt_restart_mid_wait_resumes_with_a_new_client_and_never_resends() {
    scenarios::restart_mid_wait_resumes::<SmartCaMock>();
}

#[test]
fn vnpt_lost_submit_answer_is_found_by_the_client_request_id() {
    let (s, mock) = start::<SmartCaMock>(Script {
        hang_submit: Some(Duration::from_secs(4)),
        ..Script::default()
    });
    let config = json!({ "timeout_seconds": 1 });
    let (outcome, tracker) = scenarios::sign(&s, &mock, config, Duration::from_secs(10));
    let stored = outcome.unwrap();
    let request = s.request(&tracker.session_id());
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
    let (s, mock, session_id) = scenarios::crash_after_sending::<SmartCaMock>();
    let stored = scenarios::resume(&s, &mock, &session_id, json!({}), Duration::from_secs(10)).unwrap();
    assert_eq!(s.request(&session_id).state, RemoteState::Approved);
    assert_eq!(s.t.vault.signatures(&s.id).unwrap(), vec![stored]);
    assert_eq!(mock.sign_requests(), 1, "found by our transaction id, not sent again");
}

/// The configured user id must be a whole number of the subject: a 9-digit id does not
/// match inside another person's 12-digit one.
#[test]
fn vnpt_user_id_must_match_a_whole_number_in_the_subject() {
    let (_s, mock) = start::<SmartCaMock>(Script::default());
    // Another officer, whose old 9-digit ID happens to be inside USER_ID.
    let provider = mock.client(json!({ "user_id": &USER_ID[3..] }));
    // The mock names USER_ID's certificate whatever user it is asked for.
    let err = provider.certificate_chain().map(|_| ()).unwrap_err();
    assert!(matches!(err, RemoteError::WrongCertificate { .. }), "{err:?}");
}

#[test]
fn vnpt_refusals_are_typed_end_the_request_and_store_nothing() {
    scenarios::refusals_end_the_request::<SmartCaMock>([
        (End::Reject, ProviderOutcome::RejectedByUser, RemoteState::Rejected),
        (End::Timeout, ProviderOutcome::ApprovalTimedOut, RemoteState::Expired),
    ]);
}

#[test]
fn vnpt_revoked_certificate_is_refused_before_any_session() {
    scenarios::revoked_certificate_is_refused_before_any_session::<SmartCaMock>();
}

#[test]
fn vnpt_bad_sp_password_is_authentication_failed_and_never_printed() {
    let (s, mock) = start::<SmartCaMock>(Script::default());
    let wrong = "Wr0ng-sp-Passw0rd";
    let extra = json!({ "sp_password": wrong });
    scenarios::authentication_fails(&s, &mock, extra, &[wrong, SP_PASSWORD], SP_ID);
    // Every request carried the credentials in its body, as SmartCA wants them.
    assert!(mock.server().requests().iter().all(|r| r.body["sp_id"] == SP_ID));
    assert_eq!(mock.sign_requests(), 0);
}

#[test]
fn vnpt_answer_over_another_hash_is_not_accepted() {
    for cms in [true, false] {
        let script = Script {
            answer: Answer::WrongHash,
            cms,
            ..Script::default()
        };
        scenarios::signature_is_not_accepted::<SmartCaMock>(script, HIDDEN);
    }
}

#[test]
fn vnpt_cms_by_another_officer_is_a_signer_mismatch() {
    scenarios::cms_by_another_officer_is_a_signer_mismatch::<SmartCaMock>(HIDDEN);
}

#[test]
fn vnpt_malformed_answers_are_typed_errors() {
    scenarios::malformed_cms_answers_are_typed::<SmartCaMock>(HIDDEN);
}

#[test]
fn vnpt_request_resumes_after_a_malformed_status_answer() {
    let (s, mock) = start::<SmartCaMock>(Script {
        answer: Answer::NotJson,
        ..Script::default()
    });
    let provider = mock.client(json!({}));
    let tracker = providers::Tracker::new();
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
    let (s, mock) = start::<SmartCaMock>(Script {
        other_user: true,
        ..Script::default()
    });
    // By the configured user id, and by the officer's certificate pinned by its SHA-256;
    // the personal ID is not printed in full.
    scenarios::another_users_certificate_is_refused(&s, &mock, &[json!({}), pinned(&s)], &[USER_ID]);
}

#[test]
fn vnpt_config_hides_secrets_and_refuses_plain_http_off_loopback() {
    let config = json!({
        "base_url": "https://gwsca.vnpt.vn/sca/sp769",
        "sp_id": SP_ID,
        "sp_password": SP_PASSWORD,
        "user_id": USER_ID,
    });
    let refused = [
        "http://gwsca.vnpt.vn/sca/sp769",
        "http://127.0.0.1.example.vn/sca",
        "http://localhost.example.vn",
        "http://127.0.0.1:80@gwsca.example.vn/sca",
        "ftp://127.0.0.1/sca",
    ];
    scenarios::config_hides_secrets_and_refuses_plain_http::<SmartCaMock>(config, &[SP_PASSWORD], &refused);
    // A missing secret is named, not shown.
    let missing = json!({ "base_url": "https://x.vn" }).to_string();
    let err = ProviderConfig::from_json(SmartCaMock::NAME, &missing).unwrap_err();
    assert!(matches!(err, RemoteError::Config(_)));
}

/// Every provider client is also a `Signer`: `sign_with` submits, polls and completes in
/// one call (no state kept), and the answer goes through the same verification.
#[test]
fn vnpt_client_as_a_signer_signs_through_sign_with() {
    let (s, mock) = start::<SmartCaMock>(Script::waiting(0));
    let ProviderConfig::VnptSmartca(config) =
        ProviderConfig::from_json(SmartCaMock::NAME, &mock.config(json!({}))).unwrap()
    else {
        unreachable!()
    };
    let client = results_vault::remote::smartca::SmartCaClient::new(config).unwrap();
    let stored =
        s.t.vault
            .sign_with(&s.id, &client, results_vault::DigestAlgorithm::Sha256)
            .unwrap();
    assert_eq!(stored.acceptance.indication, results_vault::Indication::Passed);
    assert_eq!(s.t.vault.signatures(&s.id).unwrap(), vec![stored]);
    assert_eq!(mock.sign_requests(), 1);
}
