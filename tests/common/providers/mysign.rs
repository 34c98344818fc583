//! A mock Viettel MySign (`/vtss/service`): `ras/v1/login` (a token per officer),
//! `certificates/info` (a JSON array of credentials), `signHash` (asynchronous: a
//! `transactionId`) and `requests/status` with MySign's status strings: "4000" waiting,
//! "1" signed, "4001" timed out, "4002" rejected, "4005" quota, "13004" certificate revoked.

use std::collections::HashMap;
use std::sync::Arc;

use results_vault::remote::config::ProviderConfig;
use results_vault::remote::mysign::MySignClient;
use serde_json::{json, Value};

use super::server::{Recorded, Reply};
use super::{b64, unb64, Answer, End, MockProvider, Officer, Script, Scripted, USER_ID};

pub const CLIENT_ID: &str = "portal-danang";
pub const CLIENT_SECRET: &str = "mysign-Cl1ent-Secr3t";
pub const PROFILE: &str = "adss:ras:profile:001";
pub const TOKEN: &str = "mysign-token-88ad";
pub const CREDENTIAL: &str = "cred-mysign-officer";
/// Where the vault's signing request goes.
pub const SIGN_HASH: &str = "/vtss/service/signHash";
/// Where a transaction's status is asked.
pub const STATUS: &str = "/vtss/service/requests/status";
/// Where the portal logs in.
pub const LOGIN: &str = "/vtss/service/ras/v1/login";

/// The officer's MySign user: the personal ID with its prefix.
pub fn user() -> String {
    format!("CMT_{USER_ID}")
}

pub struct MySignMock(Scripted);

struct State {
    officer: Arc<Officer>,
    /// transactionId → (hash, polls so far).
    transactions: HashMap<String, (Vec<u8>, u32)>,
    next: u32,
}

impl MockProvider for MySignMock {
    const NAME: &'static str = "viettel-mysign";
    const SIGN_PATH: &'static str = SIGN_HASH;
    const STATUS_PREFIX: &'static str = STATUS;

    fn start(officer: Arc<Officer>, script: Script) -> MySignMock {
        let mut state = State {
            officer,
            transactions: HashMap::new(),
            next: 0,
        };
        MySignMock(Scripted::start(script, move |script, r| state.handle(script, r)))
    }

    fn scripted(&self) -> &Scripted {
        &self.0
    }

    /// `answer` as the script's.
    fn base_config(&self) -> Value {
        json!({
            "provider": Self::NAME,
            "base_url": self.server().url(),
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
            "profile_id": PROFILE,
            "user_id": user(),
            "answer": if self.0.started.cms { "cms" } else { "raw" },
        })
    }

    fn hash_in(body: &Value) -> Vec<u8> {
        unb64(body["hash"][0].as_str().unwrap())
    }

    fn describe(config: &ProviderConfig) -> String {
        let ProviderConfig::ViettelMysign(c) = config else {
            panic!("not a MySign configuration: {config:?}")
        };
        format!("{config:?} {:?}", MySignClient::new(c.clone()).unwrap())
    }
}

impl State {
    fn handle(&mut self, script: &Script, r: &Recorded) -> Reply {
        let body = &r.body;
        if r.path == LOGIN {
            let good = body["client_id"] == CLIENT_ID
                && body["client_secret"] == CLIENT_SECRET
                && body["profile_id"] == PROFILE
                && body["user_id"] == user().as_str();
            return if good {
                Reply::Json(
                    200,
                    json!({ "access_token": TOKEN, "token_type": "Bearer", "expires_in": 3600 }),
                )
            } else {
                Reply::Json(
                    401,
                    json!({ "error": 58007, "error_description": "Invalid client credentials" }),
                )
            };
        }
        if r.authorization.as_deref() != Some(format!("Bearer {TOKEN}").as_str()) {
            return Reply::Json(401, json!({ "error": 401, "error_description": "Unauthorized" }));
        }
        match r.path.as_str() {
            "/vtss/service/certificates/info" => {
                if body["user_id"] != user().as_str() {
                    return Reply::Json(200, json!([]));
                }
                Reply::Json(
                    200,
                    json!([{
                        "credential_id": CREDENTIAL,
                        "key": { "status": "enabled", "algo": ["1.2.840.113549.1.1.1"], "len": 2048 },
                        "cert": {
                            "status": "valid",
                            "certificates": self.officer.chain_b64(script.other_user),
                            "serialNumber": "5401a3f2c0de",
                        },
                        "authMode": "explicit",
                    }]),
                )
            }
            SIGN_HASH => {
                let hash = body["hash"][0].as_str().map(unb64).unwrap_or_default();
                if body["credentialID"] != CREDENTIAL || hash.len() != 32 {
                    return Reply::Json(200, json!({ "error": 400, "error_description": "bad request" }));
                }
                self.next += 1;
                let id = format!("mys-tx-{}", self.next);
                self.transactions.insert(id.clone(), (hash, 0));
                if let Some(pause) = script.hang_submit {
                    return Reply::Hang(pause);
                }
                Reply::Json(200, json!({ "transactionId": id }))
            }
            STATUS => {
                let id = body["transactionId"].as_str().unwrap_or_default();
                let Some((hash, polls)) = self.transactions.get_mut(id) else {
                    return Reply::Json(
                        200,
                        json!({ "error": 4004, "error_description": "transaction not found" }),
                    );
                };
                *polls += 1;
                if *polls <= script.waiting_polls {
                    return Reply::Json(200, json!({ "status": "4000", "description": "waiting for the user" }));
                }
                let hash = hash.clone();
                let code = match script.end {
                    End::Approve => "1",
                    End::Timeout => "4001",
                    End::Reject => "4002",
                    End::Quota => "4005",
                    End::Revoked => "13004",
                };
                if code != "1" {
                    return Reply::Json(200, json!({ "status": code, "description": "ended" }));
                }
                match script.answer {
                    Answer::NotJson => Reply::Text(200, "<html>MySign gateway error</html>".into()),
                    Answer::MissingField => Reply::Json(200, json!({ "status": "1" })),
                    Answer::BadBase64 => {
                        Reply::Json(200, json!({ "status": "1", "signatures": ["%%% not base64 %%%"] }))
                    }
                    _ => Reply::Json(
                        200,
                        json!({ "status": "1", "signatures": [b64(&self.officer.answer(&hash, script))] }),
                    ),
                }
            }
            _ => Reply::Json(404, Value::Null),
        }
    }
}
