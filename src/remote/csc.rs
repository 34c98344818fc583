//! The Cloud Signature Consortium API v2: `credentials/list` and `credentials/info` (the
//! credential's key, status and certificate chain), `credentials/authorize` (a SAD from the
//! PIN and/or OTP, bound to the hash), `signatures/signHash` (raw signatures in hash
//! order); in asynchronous mode (`operationMode: "A"`) a `responseID` then
//! `signatures/signPolling`. The service token comes from the configuration or from
//! `auth/login` with HTTP Basic.
//!
//! The answer is a raw signature value: the vault sends the digest of the session's DER
//! signed attributes and builds the CMS. CSC has no lookup by the client's id (`clientData`
//! is only echoed): a synchronous request that crashed before its answer is `unknown`.

use std::sync::{Mutex, OnceLock};

use serde_json::{json, Value};

use super::answer::{self, ExpectedSigner};
use super::config::CscConfig;
use super::http::{Auth, Http};
use super::state::{ProviderOutcome, RemoteError};
use super::{AnswerFormat, PollAnswer, Provider, ProviderRequest, Submitted, TransactionRef};
use crate::signing::KeyKind;
use crate::verify::crypto::DigestAlgorithm;

const NAME: &str = "csc";

/// The credential signing, as `credentials/info` describes it.
#[derive(Debug, Clone)]
struct Credential {
    id: String,
    /// `key.algo`: the signature algorithm OIDs the key supports.
    algorithms: Vec<String>,
    /// The ids of `auth.objects` (`PIN`, `OTP`), for `authData`.
    auth_objects: Vec<String>,
}

/// A CSC API v2 client (blocking).
pub struct CscClient {
    config: CscConfig,
    http: Http,
    token: Mutex<Option<String>>,
    credential: OnceLock<Credential>,
}

impl std::fmt::Debug for CscClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CscClient").field("config", &self.config).finish()
    }
}

impl CscClient {
    /// A client for `config`.
    pub fn new(config: CscConfig) -> Result<CscClient, RemoteError> {
        if config.access_token.is_none() && (config.username.is_none() || config.password.is_none()) {
            return Err(RemoteError::Config(
                "csc: give access_token, or username and password for auth/login".into(),
            ));
        }
        let http = Http::for_endpoint(NAME, &config.endpoint)?;
        Ok(CscClient {
            config,
            http,
            token: Mutex::new(None),
            credential: OnceLock::new(),
        })
    }

    fn token(&self) -> Result<String, RemoteError> {
        if let Some(token) = &self.config.access_token {
            return Ok(token.expose().to_owned());
        }
        let mut held = self.token.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(token) = held.as_ref() {
            return Ok(token.clone());
        }
        let (user, password) = match (&self.config.username, &self.config.password) {
            (Some(u), Some(p)) => (u.as_str(), p.expose()),
            _ => return Err(RemoteError::Config("csc: no credentials for auth/login".into())),
        };
        let (status, answer) = self.http.post("/auth/login", &json!({}), Auth::Basic(user, password))?;
        let token = match answer.get("access_token").and_then(Value::as_str) {
            Some(t) if status == 200 && !t.is_empty() => t.to_owned(),
            _ if status == 200 => return Err(malformed("auth/login: no access_token")),
            _ => return Err(declined(ProviderOutcome::AuthenticationFailed)),
        };
        *held = Some(token.clone());
        Ok(token)
    }

    fn call(&self, method: &str, body: &Value) -> Result<Value, RemoteError> {
        let token = self.token()?;
        let (status, answer) = self.http.post(&format!("/{method}"), body, Auth::Bearer(&token))?;
        if status == 200 {
            return Ok(answer);
        }
        if status >= 500 && answer.get("error").is_none() {
            return Err(RemoteError::Transport {
                provider: NAME.into(),
                detail: format!("{method}: HTTP {status}"),
                delivery: super::Delivery::Maybe,
            });
        }
        let code = answer
            .get("error")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned();
        let message: String = answer
            .get("error_description")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .chars()
            .take(200)
            .collect();
        if code.is_empty() && status != 401 {
            return Err(malformed(&format!("{method}: HTTP {status} without an error")));
        }
        Err(declined(outcome(status, &code, &message)))
    }

    fn credential(&self) -> Result<Credential, RemoteError> {
        if let Some(c) = self.credential.get() {
            return Ok(c.clone());
        }
        self.certificate_chain()?;
        self.credential.get().cloned().ok_or_else(|| malformed("no credential"))
    }
}

fn malformed(detail: &str) -> RemoteError {
    RemoteError::MalformedAnswer {
        provider: NAME.into(),
        detail: detail.to_owned(),
    }
}

fn declined(outcome: ProviderOutcome) -> RemoteError {
    RemoteError::Declined {
        provider: NAME.into(),
        outcome,
    }
}

/// A CSC error (`error`, `error_description`) as a typed outcome.
fn outcome(status: u16, code: &str, message: &str) -> ProviderOutcome {
    let m = message.to_ascii_lowercase();
    match code {
        "invalid_token" | "access_denied" | "invalid_pin" | "invalid_otp" | "unauthorized_client" => {
            ProviderOutcome::AuthenticationFailed
        }
        _ if status == 401 => ProviderOutcome::AuthenticationFailed,
        _ if m.contains("reject") || m.contains("declined") => ProviderOutcome::RejectedByUser,
        _ if m.contains("revoked") || m.contains("expired certificate") || m.contains("certificate expired") => {
            ProviderOutcome::CertificateRevokedOrExpired
        }
        _ if m.contains("quota") || m.contains("limit exceeded") => ProviderOutcome::QuotaExceeded,
        _ if m.contains("sad expired") || m.contains("timed out") || m.contains("timeout") => {
            ProviderOutcome::ApprovalTimedOut
        }
        _ => ProviderOutcome::refused(code, message),
    }
}

/// The `signAlgo` for the key and digest, among those the key supports: the combined
/// OID when listed (sha256WithRSAEncryption, ecdsa-with-SHA256), else the key's own
/// (rsaEncryption, id-ecPublicKey) with `hashAlgorithmOID`.
fn sign_algorithm(key: KeyKind, digest: DigestAlgorithm, supported: &[String]) -> Result<&'static str, RemoteError> {
    let (combined, plain) = match (key, digest) {
        (KeyKind::Rsa { .. }, DigestAlgorithm::Sha256) => ("1.2.840.113549.1.1.11", "1.2.840.113549.1.1.1"),
        (KeyKind::Rsa { .. }, DigestAlgorithm::Sha384) => ("1.2.840.113549.1.1.12", "1.2.840.113549.1.1.1"),
        (KeyKind::Rsa { .. }, DigestAlgorithm::Sha512) => ("1.2.840.113549.1.1.13", "1.2.840.113549.1.1.1"),
        (KeyKind::EcdsaP256 | KeyKind::EcdsaP384, DigestAlgorithm::Sha256) => {
            ("1.2.840.10045.4.3.2", "1.2.840.10045.2.1")
        }
        (KeyKind::EcdsaP256 | KeyKind::EcdsaP384, DigestAlgorithm::Sha384) => {
            ("1.2.840.10045.4.3.3", "1.2.840.10045.2.1")
        }
        _ => {
            return Err(RemoteError::Config(format!(
                "csc: a {key:?} key with {digest:?} cannot sign a hash"
            )))
        }
    };
    if supported.is_empty() || supported.iter().any(|a| a == combined) {
        Ok(combined)
    } else if supported.iter().any(|a| a == plain) {
        Ok(plain)
    } else {
        Err(RemoteError::Config(format!(
            "csc: the credential's key supports none of {combined}, {plain}"
        )))
    }
}

impl Provider for CscClient {
    fn name(&self) -> &str {
        NAME
    }

    fn certificate_chain(&self) -> Result<Vec<Vec<u8>>, RemoteError> {
        let id = match &self.config.credential_id {
            Some(id) => id.clone(),
            None => {
                let mut body = json!({ "credentialInfo": false });
                if let Some(user) = &self.config.user_id {
                    body["userID"] = Value::from(user.as_str());
                }
                let list = self.call("credentials/list", &body)?;
                let ids: Vec<&str> = list
                    .get("credentialIDs")
                    .and_then(Value::as_array)
                    .ok_or_else(|| malformed("credentials/list: no credentialIDs"))?
                    .iter()
                    .filter_map(Value::as_str)
                    .collect();
                match ids.as_slice() {
                    [one] => (*one).to_owned(),
                    [] => return Err(RemoteError::Config("csc: the user has no credential".into())),
                    _ => {
                        return Err(RemoteError::Config(
                            "csc: the user has several credentials: set credential_id".into(),
                        ))
                    }
                }
            }
        };
        let info = self.call(
            "credentials/info",
            &json!({ "credentialID": id, "certificates": "chain", "certInfo": true, "authInfo": true }),
        )?;
        match info.pointer("/key/status").and_then(Value::as_str) {
            Some("enabled") | None => {}
            Some(other) => {
                return Err(declined(ProviderOutcome::Refused {
                    code: "key_disabled".into(),
                    message: format!("the credential's key is {other}"),
                }))
            }
        }
        match info.pointer("/cert/status").and_then(Value::as_str) {
            Some("valid") | None => {}
            Some(_) => return Err(declined(ProviderOutcome::CertificateRevokedOrExpired)),
        }
        let items: Vec<&str> = info
            .pointer("/cert/certificates")
            .and_then(Value::as_array)
            .map(|list| list.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        let chain = answer::chain(NAME, &items)?;
        // A user id that is a personal number (CCCD, tax code) must be in the certificate;
        // a service's own username says nothing about it.
        ExpectedSigner {
            certificate_sha256: self.config.endpoint.certificate_sha256.as_deref(),
            user_id: self.config.user_id.as_deref().and_then(answer::personal_number),
        }
        .check(NAME, &chain[0])?;
        let strings = |pointer: &str, field: Option<&str>| -> Vec<String> {
            info.pointer(pointer)
                .and_then(Value::as_array)
                .map(|list| {
                    list.iter()
                        .filter_map(|v| match field {
                            Some(f) => v.get(f).and_then(Value::as_str),
                            None => v.as_str(),
                        })
                        .map(str::to_owned)
                        .collect()
                })
                .unwrap_or_default()
        };
        let _ = self.credential.set(Credential {
            id,
            algorithms: strings("/key/algo", None),
            auth_objects: strings("/auth/objects", Some("id")),
        });
        Ok(chain)
    }

    fn answer_format(&self) -> AnswerFormat {
        AnswerFormat::Raw
    }

    fn submit(&self, request: &ProviderRequest<'_>) -> Result<Submitted, RemoteError> {
        let credential = self.credential()?;
        let hash = answer::to_base64(request.hash);
        let hash_oid = request.digest.oid();
        // The SAD, bound to this one hash, from the PIN and/or OTP the credential asks for.
        let mut auth_data = Vec::new();
        for (id, secret) in [("PIN", &self.config.pin), ("OTP", &self.config.otp)] {
            if let Some(secret) = secret {
                let id = credential
                    .auth_objects
                    .iter()
                    .find(|o| o.eq_ignore_ascii_case(id))
                    .cloned()
                    .unwrap_or_else(|| id.to_owned());
                auth_data.push(json!({ "id": id, "value": secret.expose() }));
            }
        }
        let mut authorize = json!({
            "credentialID": credential.id,
            "numSignatures": 1,
            "hashes": [hash],
            "hashAlgorithmOID": hash_oid,
            "clientData": request.client_request_id,
        });
        if !auth_data.is_empty() {
            authorize["authData"] = Value::Array(auth_data);
        }
        let sad = self.call("credentials/authorize", &authorize)?;
        let sad = sad
            .get("SAD")
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .ok_or_else(|| malformed("credentials/authorize: no SAD"))?;
        let sign = json!({
            "credentialID": credential.id,
            "SAD": sad,
            "hashes": [hash],
            "hashAlgorithmOID": hash_oid,
            "signAlgo": sign_algorithm(request.key, request.digest, &credential.algorithms)?,
            "operationMode": if self.config.asynchronous { "A" } else { "S" },
            "clientData": request.client_request_id,
        });
        let answer = self.call("signatures/signHash", &sign)?;
        if let Some(id) = answer
            .get("responseID")
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
        {
            return Ok(Submitted::Pending {
                transaction_id: id.to_owned(),
            });
        }
        first_signature(&answer).map(Submitted::Signed)
    }

    fn poll(&self, transaction: TransactionRef<'_>) -> Result<PollAnswer, RemoteError> {
        let Some(id) = transaction.provider_transaction_id else {
            return Err(RemoteError::Config(
                "csc: no responseID to poll (CSC cannot look a request up by the client's id)".into(),
            ));
        };
        match self.call("signatures/signPolling", &json!({ "responseID": id })) {
            Ok(answer) if answer.get("signatures").is_some() => first_signature(&answer).map(PollAnswer::Signed),
            Ok(_) => Ok(PollAnswer::Waiting),
            // Services say "not yet" as an error (CSC 2.0 names none for it).
            Err(RemoteError::Declined {
                outcome: ProviderOutcome::Refused { code, message },
                ..
            }) if code.contains("pending")
                || message.to_ascii_lowercase().contains("not completed")
                || message.to_ascii_lowercase().contains("pending") =>
            {
                Ok(PollAnswer::Waiting)
            }
            Err(RemoteError::Declined { outcome, .. }) => Ok(PollAnswer::Declined(outcome)),
            Err(e) => Err(e),
        }
    }
}

/// `signatures[0]` of a signHash answer (one hash was sent: exactly one is expected).
fn first_signature(answer: &Value) -> Result<Vec<u8>, RemoteError> {
    let signatures = answer
        .get("signatures")
        .and_then(Value::as_array)
        .ok_or_else(|| malformed("signatures/signHash: no signatures"))?;
    match signatures.as_slice() {
        [Value::String(one)] => answer::base64(NAME, "signature", one),
        _ => Err(malformed("signatures/signHash: not exactly one signature for one hash")),
    }
}
