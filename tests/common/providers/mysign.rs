//! A mock Viettel MySign (`/vtss/service`): `ras/v1/login` (a token per officer),
//! `certificates/info` (a JSON array of credentials), `signHash` (asynchronous: a
//! `transactionId`) and `requests/status` with MySign's status strings: "4000" waiting,
//! "1" signed, "4001" timed out, "4002" rejected, "4005" quota, "13004" certificate revoked.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use serde_json::{json, Value};

use super::csc::merge;
use super::server::{MockServer, Recorded, Reply};
use super::{b64, unb64, Answer, End, Officer, Script, USER_ID};

pub const CLIENT_ID: &str = "portal-danang";
pub const CLIENT_SECRET: &str = "mysign-Cl1ent-Secr3t";
pub const PROFILE: &str = "adss:ras:profile:001";
pub const TOKEN: &str = "mysign-token-88ad";
pub const CREDENTIAL: &str = "cred-mysign-officer";
/// Where the vault's signing request goes.
pub const SIGN_HASH: &str = "/vtss/service/signHash";

/// The officer's MySign user: the personal ID with its prefix.
pub fn user() -> String {
    format!("CMT_{USER_ID}")
}

pub struct MySignMock {
    pub server: MockServer,
    script: Arc<Mutex<Script>>,
    cms: bool,
}

struct State {
    officer: Arc<Officer>,
    /// The test's script (it may change it), copied at each request.
    shared: Arc<Mutex<Script>>,
    script: Script,
    /// transactionId → (hash, polls so far).
    transactions: HashMap<String, (Vec<u8>, u32)>,
    next: u32,
}

impl MySignMock {
    pub fn start(officer: Arc<Officer>, script: Script) -> MySignMock {
        let cms = script.cms;
        let shared = Arc::new(Mutex::new(script.clone()));
        let mut state = State {
            officer,
            shared: shared.clone(),
            script,
            transactions: HashMap::new(),
            next: 0,
        };
        MySignMock {
            server: MockServer::start(move |r| {
                state.script = state.shared.lock().unwrap().clone();
                state.handle(r)
            }),
            script: shared,
            cms,
        }
    }

    /// A configuration for this mock (`answer` as the script's), `extra` merged in.
    pub fn config(&self, extra: Value) -> String {
        let mut config = json!({
            "provider": "viettel-mysign",
            "base_url": self.server.url(),
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
            "profile_id": PROFILE,
            "user_id": user(),
            "answer": if self.cms { "cms" } else { "raw" },
        });
        merge(&mut config, extra);
        config.to_string()
    }

    /// Changes what the mock does from the next request on.
    pub fn set_script(&self, change: impl FnOnce(&mut Script)) {
        change(&mut self.script.lock().unwrap());
    }

    /// How many signing requests reached the mock.
    pub fn sign_requests(&self) -> usize {
        self.server.count(SIGN_HASH)
    }
}

impl State {
    fn handle(&mut self, r: &Recorded) -> Reply {
        let body = &r.body;
        if r.path == "/vtss/service/ras/v1/login" {
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
                            "certificates": self.officer.chain_b64(self.script.other_user),
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
                if let Some(pause) = self.script.hang_submit {
                    return Reply::Hang(pause);
                }
                Reply::Json(200, json!({ "transactionId": id }))
            }
            "/vtss/service/requests/status" => {
                let id = body["transactionId"].as_str().unwrap_or_default();
                let Some((hash, polls)) = self.transactions.get_mut(id) else {
                    return Reply::Json(
                        200,
                        json!({ "error": 4004, "error_description": "transaction not found" }),
                    );
                };
                *polls += 1;
                if *polls <= self.script.waiting_polls {
                    return Reply::Json(200, json!({ "status": "4000", "description": "waiting for the user" }));
                }
                let hash = hash.clone();
                let code = match self.script.end {
                    End::Approve => "1",
                    End::Timeout => "4001",
                    End::Reject => "4002",
                    End::Quota => "4005",
                    End::Revoked => "13004",
                };
                if code != "1" {
                    return Reply::Json(200, json!({ "status": code, "description": "ended" }));
                }
                match self.script.answer {
                    Answer::NotJson => Reply::Text(200, "<html>MySign gateway error</html>".into()),
                    Answer::MissingField => Reply::Json(200, json!({ "status": "1" })),
                    Answer::BadBase64 => {
                        Reply::Json(200, json!({ "status": "1", "signatures": ["%%% not base64 %%%"] }))
                    }
                    _ => Reply::Json(
                        200,
                        json!({ "status": "1", "signatures": [b64(&self.officer.answer(&hash, &self.script))] }),
                    ),
                }
            }
            _ => Reply::Json(404, Value::Null),
        }
    }
}
