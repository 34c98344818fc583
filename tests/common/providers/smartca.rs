//! A mock VNPT SmartCA service-provider API (`…/sca/sp769/v1`): `credentials/get_certificate`,
//! `signatures/sign` (hex hash, addressed by the integrator's `transaction_id`) and
//! `signatures/sign/{transaction_id}/status`; `sp_id`/`sp_password` checked in every body.

use std::collections::HashMap;
use std::sync::Arc;

use results_vault::remote::config::ProviderConfig;
use results_vault::remote::smartca::SmartCaClient;
use serde_json::{json, Value};

use super::server::{Recorded, Reply};
use super::{b64, Answer, End, MockProvider, Officer, Script, Scripted, USER_ID};

pub const SP_ID: &str = "sp-danang-portal";
pub const SP_PASSWORD: &str = "smartca-Sp-pass-9931";
/// The API's base path, as VNPT gives it.
pub const BASE: &str = "/sca/sp769";
/// Where the vault's signing request goes.
pub const SIGN: &str = "/sca/sp769/v1/signatures/sign";

pub struct SmartCaMock(Scripted);

struct State {
    officer: Arc<Officer>,
    /// The integrator's transaction_id → (hash, polls so far).
    transactions: HashMap<String, (Vec<u8>, u32)>,
}

fn status(code: u16, message: &str, data: Value) -> Reply {
    Reply::Json(200, json!({ "status_code": code, "message": message, "data": data }))
}

impl MockProvider for SmartCaMock {
    const NAME: &'static str = "vnpt-smartca";
    const SIGN_PATH: &'static str = SIGN;
    const STATUS_PREFIX: &'static str = "/sca/sp769/v1/signatures/sign/";

    fn start(officer: Arc<Officer>, script: Script) -> SmartCaMock {
        let mut state = State {
            officer,
            transactions: HashMap::new(),
        };
        SmartCaMock(Scripted::start(script, move |script, r| state.handle(script, r)))
    }

    fn scripted(&self) -> &Scripted {
        &self.0
    }

    /// `answer` as the script's.
    fn base_config(&self) -> Value {
        json!({
            "provider": Self::NAME,
            "base_url": format!("{}{BASE}", self.server().url()),
            "sp_id": SP_ID,
            "sp_password": SP_PASSWORD,
            "user_id": USER_ID,
            "answer": if self.0.started.cms { "cms" } else { "raw" },
        })
    }

    fn hash_in(body: &Value) -> Vec<u8> {
        unhex(body["sign_files"][0]["data_to_be_signed"].as_str().unwrap())
    }

    fn describe(config: &ProviderConfig) -> String {
        let ProviderConfig::VnptSmartca(c) = config else {
            panic!("not a SmartCA configuration: {config:?}")
        };
        format!("{config:?} {:?}", SmartCaClient::new(c.clone()).unwrap())
    }
}

fn unhex(text: &str) -> Vec<u8> {
    (0..text.len() / 2)
        .map(|i| u8::from_str_radix(&text[2 * i..2 * i + 2], 16).unwrap())
        .collect()
}

impl State {
    fn handle(&mut self, script: &Script, r: &Recorded) -> Reply {
        let body = &r.body;
        if body["sp_id"] != SP_ID || body["sp_password"] != SP_PASSWORD {
            return Reply::Json(
                401,
                json!({ "status_code": 401, "message": "Unauthorized: invalid sp_id or sp_password", "data": null }),
            );
        }
        let Some(path) = r.path.strip_prefix(BASE) else {
            return status(404, "not found", Value::Null);
        };
        match path {
            "/v1/credentials/get_certificate" => {
                // (The user id is not checked here: the vault's own check of the certificate
                // against the configured user is what the tests exercise.)
                if script.end == End::Revoked {
                    return status(403, "The certificate is revoked", Value::Null);
                }
                let chain = self.officer.chain_b64(script.other_user);
                status(
                    200,
                    "success",
                    json!({ "user_certificates": [{
                        "service_type": "SMARTCA",
                        "serial_number": "5401a3f2c0de",
                        "cert_status": "Đang hoạt động",
                        "cert_data": chain[0],
                        "chain_data": { "ca_cert": chain[1], "root_cert": null },
                    }]}),
                )
            }
            "/v1/signatures/sign" => {
                let id = body["transaction_id"].as_str().unwrap_or_default().to_owned();
                let hash = unhex(body["sign_files"][0]["data_to_be_signed"].as_str().unwrap_or_default());
                if id.is_empty() || hash.len() != 32 || body["user_id"] != USER_ID {
                    return status(400, "bad request", Value::Null);
                }
                // Taken before answering: a request whose answer is lost is still known here.
                self.transactions.insert(id.clone(), (hash, 0));
                if let Some(pause) = script.hang_submit {
                    return Reply::Hang(pause);
                }
                status(
                    200,
                    "success",
                    json!({ "transaction_id": id, "tran_code": format!("TC{}", id.len()) }),
                )
            }
            _ => {
                let Some(id) = path
                    .strip_prefix("/v1/signatures/sign/")
                    .and_then(|p| p.strip_suffix("/status"))
                else {
                    return status(404, "not found", Value::Null);
                };
                let Some((hash, polls)) = self.transactions.get_mut(id) else {
                    return status(404, "Transaction not found", Value::Null);
                };
                *polls += 1;
                let waiting = json!({ "transaction_id": id, "signatures": null });
                if *polls <= script.waiting_polls {
                    return status(200, "WAITING_FOR_SIGNER_CONFIRM", waiting);
                }
                let hash = hash.clone();
                match script.end {
                    End::Approve | End::Revoked => {}
                    End::Reject => return status(200, "Người dùng từ chối ký (REJECTED)", waiting),
                    End::Timeout => return status(400, "Transaction expired", Value::Null),
                    End::Quota => return status(429, "Signing quota exceeded", Value::Null),
                }
                let value = match script.answer {
                    Answer::NotJson => return Reply::Text(200, "<html>SmartCA maintenance</html>".into()),
                    Answer::MissingField => None,
                    Answer::BadBase64 => Some("%%% not base64 %%%".to_owned()),
                    _ => Some(b64(&self.officer.answer(&hash, script))),
                };
                let mut signature = json!({ "doc_id": "1" });
                if let Some(value) = value {
                    signature["signature_value"] = Value::from(value);
                }
                status(
                    200,
                    "success",
                    json!({ "transaction_id": id, "signatures": [signature] }),
                )
            }
        }
    }
}
