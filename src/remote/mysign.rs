//! Viettel MySign (`/vtss/service`): a token per officer (`ras/v1/login`), the officer's
//! credentials and certificate chain (`certificates/info`), a hash to sign (`signHash`,
//! with `hashAlgo`/`signAlgo` OIDs, asynchronous), then `requests/status` until the officer
//! confirms in the MySign app: 4000 waiting, 4001 timed out, 4002 rejected, 4005 quota,
//! 13004 certificate expired or revoked, 1 signed.
//!
//! MySign's transaction id is chosen by MySign: a request that crashed before it answered
//! cannot be looked up (the vault's id travels as the document id, echoed only).

use std::sync::{Mutex, OnceLock};

use serde_json::{json, Value};

use super::answer::{self, ExpectedSigner};
use super::config::MySignConfig;
use super::http::{Auth, Http};
use super::state::{ProviderOutcome, RemoteError};
use super::{AnswerFormat, PollAnswer, Provider, ProviderRequest, Submitted, TransactionRef};
use crate::signing::KeyKind;

const NAME: &str = "viettel-mysign";

/// A Viettel MySign client (blocking).
pub struct MySignClient {
    config: MySignConfig,
    http: Http,
    token: Mutex<Option<String>>,
    /// The credential signing and its key's first `algo` OID, once chosen.
    credential: OnceLock<(String, Option<String>)>,
}

impl std::fmt::Debug for MySignClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MySignClient").field("config", &self.config).finish()
    }
}

impl MySignClient {
    /// A client for `config`.
    pub fn new(config: MySignConfig) -> Result<MySignClient, RemoteError> {
        let http = Http::for_endpoint(NAME, &config.endpoint)?;
        Ok(MySignClient {
            config,
            http,
            token: Mutex::new(None),
            credential: OnceLock::new(),
        })
    }

    fn login(&self) -> Result<String, RemoteError> {
        let (status, answer) = self.http.post(
            "/vtss/service/ras/v1/login",
            &json!({
                "client_id": self.config.client_id,
                "client_secret": self.config.client_secret.expose(),
                "profile_id": self.config.profile_id,
                "user_id": self.config.user_id,
            }),
            Auth::None,
        )?;
        match answer.get("access_token").and_then(Value::as_str) {
            Some(token) if status == 200 && !token.is_empty() => Ok(token.to_owned()),
            _ if status == 200 && error_code(&answer).is_none() => Err(self.malformed("login: no access_token".into())),
            _ => Err(declined(ProviderOutcome::AuthenticationFailed)),
        }
    }

    /// POSTs with the officer's token (logging in again once if it expired).
    fn call(&self, path: &str, body: &Value) -> Result<Value, RemoteError> {
        for attempt in 0..2 {
            let token = {
                let mut held = self.token.lock().unwrap_or_else(|p| p.into_inner());
                match held.as_ref() {
                    Some(t) => t.clone(),
                    None => {
                        let t = self.login()?;
                        *held = Some(t.clone());
                        t
                    }
                }
            };
            let (status, answer) = self.http.post(path, body, Auth::Bearer(&token))?;
            if status == 401 && attempt == 0 {
                *self.token.lock().unwrap_or_else(|p| p.into_inner()) = None;
                continue;
            }
            if status == 401 {
                return Err(declined(ProviderOutcome::AuthenticationFailed));
            }
            if let Some((code, message)) = error_code(&answer) {
                return Err(declined(outcome(&code, &message)));
            }
            // A gateway error says nothing of whether MySign took the request.
            if status >= 500 {
                return Err(RemoteError::Transport {
                    provider: NAME.into(),
                    detail: format!("{path}: HTTP {status}"),
                    delivery: super::Delivery::Maybe,
                });
            }
            if status != 200 {
                return Err(self.malformed(format!("{path}: HTTP {status}")));
            }
            return Ok(answer);
        }
        unreachable!("the loop returns on its second attempt")
    }

    fn malformed(&self, detail: String) -> RemoteError {
        RemoteError::MalformedAnswer {
            provider: NAME.into(),
            detail,
        }
    }
}

fn declined(outcome: ProviderOutcome) -> RemoteError {
    RemoteError::Declined {
        provider: NAME.into(),
        outcome,
    }
}

/// `{"error": <non-zero>, "error_description": …}`, MySign's refusal.
fn error_code(answer: &Value) -> Option<(String, String)> {
    let code = match answer.get("error")? {
        Value::Number(n) if n.as_i64() != Some(0) => n.to_string(),
        Value::String(s) if !s.is_empty() && s != "0" => s.clone(),
        _ => return None,
    };
    let message = answer
        .get("error_description")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .chars()
        .take(200)
        .collect();
    Some((code, message))
}

/// A MySign status or error code as a typed outcome.
fn outcome(code: &str, message: &str) -> ProviderOutcome {
    match code {
        "4001" => ProviderOutcome::ApprovalTimedOut,
        "4002" => ProviderOutcome::RejectedByUser,
        "4005" => ProviderOutcome::QuotaExceeded,
        "13004" => ProviderOutcome::CertificateRevokedOrExpired,
        "58007" | "58008" | "59033" | "86024" | "86002" => ProviderOutcome::AuthenticationFailed,
        _ => ProviderOutcome::refused(code, message),
    }
}

impl Provider for MySignClient {
    fn name(&self) -> &str {
        NAME
    }

    fn certificate_chain(&self) -> Result<Vec<Vec<u8>>, RemoteError> {
        let answer = self.call(
            "/vtss/service/certificates/info",
            &json!({
                "client_id": self.config.client_id,
                "client_secret": self.config.client_secret.expose(),
                "profile_id": self.config.profile_id,
                "user_id": self.config.user_id,
                "certificates": "chain",
                "certInfo": true,
                "authInfo": true,
            }),
        )?;
        let credentials = answer
            .as_array()
            .ok_or_else(|| self.malformed("certificates/info: not a list of credentials".into()))?;
        let id_of = |c: &Value| c.get("credential_id").and_then(Value::as_str).map(str::to_owned);
        let status_of = |c: &Value| c.pointer("/cert/status").and_then(Value::as_str).map(str::to_owned);
        let chosen: Vec<&Value> = match &self.config.credential_id {
            Some(id) => credentials.iter().filter(|c| id_of(c).as_deref() == Some(id)).collect(),
            None => credentials
                .iter()
                .filter(|c| status_of(c).as_deref() == Some("valid"))
                .collect(),
        };
        let credential = match chosen.as_slice() {
            [one] => *one,
            [] if self.config.credential_id.is_none() && !credentials.is_empty() => {
                return Err(declined(ProviderOutcome::CertificateRevokedOrExpired))
            }
            [] => {
                return Err(RemoteError::Config(
                    "viettel-mysign: the officer has no such credential".into(),
                ))
            }
            _ => {
                return Err(RemoteError::Config(
                    "viettel-mysign: the officer has several valid credentials: set credential_id".into(),
                ))
            }
        };
        match status_of(credential).as_deref() {
            Some("valid") => {}
            Some(_) => return Err(declined(ProviderOutcome::CertificateRevokedOrExpired)),
            None => return Err(self.malformed("certificates/info: no cert.status".into())),
        }
        let items: Vec<&str> = credential
            .pointer("/cert/certificates")
            .and_then(Value::as_array)
            .map(|list| list.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        let chain = answer::chain(NAME, &items)?;
        ExpectedSigner {
            certificate_sha256: self.config.endpoint.certificate_sha256.as_deref(),
            user_id: Some(&self.config.user_id),
        }
        .check(NAME, &chain[0])?;
        if let Some(id) = id_of(credential) {
            let algo = credential
                .pointer("/key/algo/0")
                .and_then(Value::as_str)
                .map(str::to_owned);
            let _ = self.credential.set((id, algo));
        }
        Ok(chain)
    }

    fn answer_format(&self) -> AnswerFormat {
        self.config.answer
    }

    fn submit(&self, request: &ProviderRequest<'_>) -> Result<Submitted, RemoteError> {
        if self.credential.get().is_none() {
            self.certificate_chain()?;
        }
        let (credential, key_algo) = self
            .credential
            .get()
            .cloned()
            .ok_or_else(|| self.malformed("certificates/info: no credential_id".into()))?;
        // The key's own algorithm as certificates/info names it, else the certificate's.
        let sign_algo = key_algo.unwrap_or_else(|| {
            match request.key {
                KeyKind::EcdsaP256 | KeyKind::EcdsaP384 => "1.2.840.10045.2.1",
                _ => "1.2.840.113549.1.1.1",
            }
            .to_owned()
        });
        let answer = self.call(
            "/vtss/service/signHash",
            &json!({
                "client_id": self.config.client_id,
                "client_secret": self.config.client_secret.expose(),
                "credentialID": credential,
                "numSignatures": 1,
                "description": answer::to_base64(request.description.as_bytes()),
                "documents": [{
                    "document_id": request.client_request_id,
                    "document_name": answer::to_base64(request.document_id.as_bytes()),
                }],
                "hash": [answer::to_base64(request.hash)],
                "hashAlgo": request.digest.oid(),
                "signAlgo": sign_algo,
                "async": 1,
            }),
        )?;
        if let Some(first) = answer
            .get("signatures")
            .and_then(Value::as_array)
            .and_then(|s| s.first())
        {
            let value = first
                .as_str()
                .ok_or_else(|| self.malformed("signHash: a signature that is not a string".into()))?;
            return Ok(Submitted::Signed(answer::base64(NAME, "signature", value)?));
        }
        let transaction_id = answer
            .get("transactionId")
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .ok_or_else(|| self.malformed("signHash: neither signatures nor transactionId".into()))?;
        Ok(Submitted::Pending {
            transaction_id: transaction_id.to_owned(),
        })
    }

    fn poll(&self, transaction: TransactionRef<'_>) -> Result<PollAnswer, RemoteError> {
        let Some(id) = transaction.provider_transaction_id else {
            return Err(RemoteError::Config(
                "viettel-mysign: no transactionId to poll (MySign cannot look a request up by the client's id)".into(),
            ));
        };
        let answer = match self.call("/vtss/service/requests/status", &json!({ "transactionId": id })) {
            Ok(answer) => answer,
            Err(RemoteError::Declined { outcome, .. }) => return Ok(PollAnswer::Declined(outcome)),
            Err(e) => return Err(e),
        };
        let status = match answer.get("status") {
            Some(Value::String(s)) => s.clone(),
            Some(Value::Number(n)) => n.to_string(),
            _ => return Err(self.malformed("requests/status: no status".into())),
        };
        match status.as_str() {
            "1" => {
                let value = answer
                    .get("signatures")
                    .and_then(Value::as_array)
                    .and_then(|s| s.first())
                    .and_then(Value::as_str)
                    .ok_or_else(|| self.malformed("requests/status: status 1 without a signature".into()))?;
                Ok(PollAnswer::Signed(answer::base64(NAME, "signature", value)?))
            }
            "4000" | "6000" | "0" => Ok(PollAnswer::Waiting),
            code => {
                let message = answer.get("description").and_then(Value::as_str).unwrap_or_default();
                Ok(PollAnswer::Declined(outcome(code, message)))
            }
        }
    }
}
