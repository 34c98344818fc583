//! VNPT SmartCA, the service-provider API (`/sca/sp769/v1`): the officer's certificate by
//! personal ID (`credentials/get_certificate`), a hash to sign (`signatures/sign`, hex
//! `data_to_be_signed`, with the vault's client request id as `transaction_id`), then
//! `signatures/sign/{transaction_id}/status` until the officer confirms in the SmartCA
//! app. The integrator's `sp_id`/`sp_password` go in every body.
//!
//! Because the transaction is addressed by the vault's own id, a request that crashed
//! before SmartCA answered can still be found: [`Provider::finds_by_client_id`].

use std::sync::OnceLock;

use serde_json::{json, Value};

use super::answer::{self, ExpectedSigner};
use super::config::SmartCaConfig;
use super::http::{Auth, Http};
use super::state::{ProviderOutcome, RemoteError};
use super::{AnswerFormat, PollAnswer, Provider, ProviderRequest, Submitted, TransactionRef};

const NAME: &str = "vnpt-smartca";

/// A VNPT SmartCA client (blocking).
pub struct SmartCaClient {
    config: SmartCaConfig,
    http: Http,
    /// The officer's certificate serial, as SmartCA names it, once read.
    serial: OnceLock<String>,
}

impl std::fmt::Debug for SmartCaClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmartCaClient").field("config", &self.config).finish()
    }
}

impl SmartCaClient {
    /// A client for `config`.
    pub fn new(config: SmartCaConfig) -> Result<SmartCaClient, RemoteError> {
        let http = Http::for_endpoint(NAME, &config.endpoint)?;
        Ok(SmartCaClient {
            config,
            http,
            serial: OnceLock::new(),
        })
    }

    /// POSTs with the integrator's credentials added; returns `data` and `message` of a
    /// 200 answer.
    fn call(&self, path: &str, mut body: Value) -> Result<(Value, String), RemoteError> {
        body["sp_id"] = Value::from(self.config.sp_id.as_str());
        body["sp_password"] = Value::from(self.config.sp_password.expose());
        let (http_status, answer) = self.http.post(path, &body, Auth::None)?;
        let status = answer
            .get("status_code")
            .and_then(Value::as_i64)
            .unwrap_or(i64::from(http_status));
        let message = answer.get("message").and_then(Value::as_str).unwrap_or_default();
        if http_status == 200 && status == 200 {
            return Ok((answer.get("data").cloned().unwrap_or(Value::Null), message.to_owned()));
        }
        let outcome = match status {
            401 => ProviderOutcome::AuthenticationFailed,
            403 => ProviderOutcome::CertificateRevokedOrExpired,
            _ if http_status >= 500 && answer.is_null() => {
                return Err(RemoteError::Transport {
                    provider: NAME.into(),
                    detail: format!("{path}: HTTP {http_status}"),
                    delivery: super::Delivery::Maybe,
                })
            }
            _ => ProviderOutcome::refused(&status.to_string(), message),
        };
        Err(RemoteError::Declined {
            provider: NAME.into(),
            outcome,
        })
    }

    fn malformed(&self, detail: impl Into<String>) -> RemoteError {
        RemoteError::MalformedAnswer {
            provider: NAME.into(),
            detail: detail.into(),
        }
    }
}

impl Provider for SmartCaClient {
    fn name(&self) -> &str {
        NAME
    }

    fn certificate_chain(&self) -> Result<Vec<Vec<u8>>, RemoteError> {
        let (data, _) = self.call(
            "/v1/credentials/get_certificate",
            json!({
                "user_id": self.config.user_id,
                "serial_number": self.config.serial_number.clone().unwrap_or_default(),
                "transaction_id": ulid::Ulid::new().to_string(),
            }),
        )?;
        let certs = data
            .get("user_certificates")
            .and_then(Value::as_array)
            .ok_or_else(|| self.malformed("get_certificate: no user_certificates"))?;
        let wanted = self.config.serial_number.as_deref().map(str::to_ascii_lowercase);
        let matching: Vec<&Value> = certs
            .iter()
            .filter(|c| match &wanted {
                Some(serial) => c
                    .get("serial_number")
                    .and_then(Value::as_str)
                    .is_some_and(|s| s.to_ascii_lowercase() == *serial),
                None => true,
            })
            .collect();
        let cert = match matching.as_slice() {
            [one] => *one,
            [] => {
                return Err(RemoteError::Config(
                    "vnpt-smartca: the officer has no certificate with this serial_number".into(),
                ))
            }
            _ => {
                return Err(RemoteError::Config(
                    "vnpt-smartca: the officer has several certificates: set serial_number".into(),
                ))
            }
        };
        let leaf = text(cert.get("cert_data")).ok_or_else(|| self.malformed("get_certificate: no cert_data"))?;
        let mut items = vec![leaf];
        let chain_data = cert.get("chain_data");
        items.extend(text(chain_data.and_then(|c| c.get("ca_cert"))));
        items.extend(text(chain_data.and_then(|c| c.get("root_cert"))));
        let chain = answer::chain(NAME, &items)?;
        ExpectedSigner {
            certificate_sha256: self.config.endpoint.certificate_sha256.as_deref(),
            user_id: Some(&self.config.user_id),
        }
        .check(NAME, &chain[0])?;
        if let Some(serial) = text(cert.get("serial_number")) {
            let _ = self.serial.set(serial.to_owned());
        }
        Ok(chain)
    }

    fn answer_format(&self) -> AnswerFormat {
        self.config.answer
    }

    fn submit(&self, request: &ProviderRequest<'_>) -> Result<Submitted, RemoteError> {
        let serial = self
            .config
            .serial_number
            .clone()
            .or_else(|| self.serial.get().cloned())
            .unwrap_or_default();
        let (data, _) = self.call(
            "/v1/signatures/sign",
            json!({
                "user_id": self.config.user_id,
                "transaction_id": request.client_request_id,
                "transaction_desc": request.description,
                "serial_number": serial,
                "sign_files": [{
                    "data_to_be_signed": hex(request.hash),
                    "doc_id": request.document_id,
                    "file_type": "json",
                    "sign_type": "hash",
                }],
            }),
        )?;
        // SmartCA echoes our id; its own `tran_code` is kept for the record.
        let transaction_id = data
            .get("tran_code")
            .or_else(|| data.get("transaction_id"))
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .ok_or_else(|| self.malformed("signatures/sign: no transaction id"))?;
        Ok(Submitted::Pending {
            transaction_id: transaction_id.to_owned(),
        })
    }

    fn poll(&self, transaction: TransactionRef<'_>) -> Result<PollAnswer, RemoteError> {
        // Addressed by our own transaction_id: works even when SmartCA's id was never stored.
        let id = transaction.client_request_id;
        if id.is_empty() || !id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_') {
            return Err(RemoteError::Config("vnpt-smartca: malformed transaction id".into()));
        }
        let path = format!("/v1/signatures/sign/{id}/status");
        let (answer, message) = match self.call(&path, json!({})) {
            Ok(answer) => answer,
            Err(RemoteError::Declined {
                outcome: ProviderOutcome::Refused { code, message },
                ..
            }) => {
                return Ok(PollAnswer::Declined(refusal(&code, &message)));
            }
            Err(e) => return Err(e),
        };
        let signatures = answer.get("signatures").and_then(Value::as_array);
        if let Some(first) = signatures.and_then(|s| s.first()) {
            let value = first
                .get("signature_value")
                .and_then(Value::as_str)
                .ok_or_else(|| self.malformed("status: a signature without signature_value"))?;
            return Ok(PollAnswer::Signed(answer::base64(NAME, "signature_value", value)?));
        }
        // No signature yet: waiting, unless the message says the officer refused or let it expire.
        Ok(match refusal("200", &message) {
            ProviderOutcome::Refused { .. } => PollAnswer::Waiting,
            outcome => PollAnswer::Declined(outcome),
        })
    }

    fn finds_by_client_id(&self) -> bool {
        true
    }
}

/// A non-empty string value.
fn text(v: Option<&Value>) -> Option<&str> {
    v.and_then(Value::as_str).filter(|s| !s.is_empty())
}

/// A refusal of the status call, by SmartCA's message.
fn refusal(code: &str, message: &str) -> ProviderOutcome {
    let m = message.to_ascii_lowercase();
    let waiting = ["wait", "pending", "processing", "confirm"];
    if waiting.iter().any(|w| m.contains(w)) {
        ProviderOutcome::refused(code, message)
    } else if m.contains("reject") || m.contains("cancel") || m.contains("tu choi") || m.contains("từ chối") {
        ProviderOutcome::RejectedByUser
    } else if m.contains("expire") || m.contains("timeout") || m.contains("het han") || m.contains("hết hạn") {
        ProviderOutcome::ApprovalTimedOut
    } else {
        ProviderOutcome::refused(code, message)
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
