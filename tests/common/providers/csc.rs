//! A mock Cloud Signature Consortium API v2 service: `auth/login` (HTTP Basic),
//! `credentials/list`, `credentials/info`, `credentials/authorize` (PIN, SAD bound to the
//! hash), `signatures/signHash` (synchronous, or asynchronous with a `responseID`) and
//! `signatures/signPolling`. It signs with the officer's real key (raw PKCS#1 v1.5).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use serde_json::{json, Value};

use super::server::{MockServer, Recorded, Reply};
use super::{b64, unb64, Answer, End, Officer, Script};

pub const USERNAME: &str = "hcc-danang";
pub const PASSWORD: &str = "csc-Passw0rd-7731";
pub const PIN: &str = "482913";
pub const TOKEN: &str = "csc-token-5f2a9c";
pub const CREDENTIAL: &str = "cred-officer-1";

/// Where the vault's signing request goes.
pub const SIGN_HASH: &str = "/signatures/signHash";

pub struct CscMock {
    pub server: MockServer,
    script: Arc<Mutex<Script>>,
    synchronous: bool,
}

struct State {
    officer: Arc<Officer>,
    /// The test's script (it may change it), copied at each request.
    shared: Arc<Mutex<Script>>,
    script: Script,
    /// SAD → the hash it authorizes.
    sads: HashMap<String, Vec<u8>>,
    /// responseID → (hash, polls so far).
    pending: HashMap<String, (Vec<u8>, u32)>,
    next: u32,
}

impl CscMock {
    /// A mock following `script` (always raw signatures: CSC `signHash`).
    pub fn start(officer: Arc<Officer>, script: Script) -> CscMock {
        let script = Script { cms: false, ..script };
        let synchronous = script.synchronous;
        let shared = Arc::new(Mutex::new(script.clone()));
        let mut state = State {
            officer,
            shared: shared.clone(),
            script,
            sads: HashMap::new(),
            pending: HashMap::new(),
            next: 0,
        };
        CscMock {
            server: MockServer::start(move |r| {
                state.script = state.shared.lock().unwrap().clone();
                state.handle(r)
            }),
            script: shared,
            synchronous,
        }
    }

    /// A configuration for this mock (`auth/login` with username and password, the PIN,
    /// asynchronous unless the script signs synchronously), with `extra` fields merged in.
    pub fn config(&self, extra: Value) -> String {
        let mut config = json!({
            "provider": "csc",
            "base_url": format!("{}/", self.server.url()),
            "username": USERNAME,
            "password": PASSWORD,
            "pin": PIN,
            "async": !self.synchronous,
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

/// `extra`'s fields over `config`'s (`null` removes a field).
pub fn merge(config: &mut Value, extra: Value) {
    if let Value::Object(fields) = extra {
        for (k, v) in fields {
            if v.is_null() {
                config.as_object_mut().unwrap().remove(&k);
            } else {
                config[k] = v;
            }
        }
    }
}

fn error(status: u16, code: &str, description: &str) -> Reply {
    Reply::Json(status, json!({ "error": code, "error_description": description }))
}

impl State {
    fn handle(&mut self, r: &Recorded) -> Reply {
        if r.path == "/auth/login" {
            let expected = format!("Basic {}", b64(format!("{USERNAME}:{PASSWORD}").as_bytes()));
            return if r.authorization.as_deref() == Some(expected.as_str()) {
                Reply::Json(200, json!({ "access_token": TOKEN, "expires_in": 3600 }))
            } else {
                error(401, "invalid_client", "wrong username or password")
            };
        }
        if r.authorization.as_deref() != Some(format!("Bearer {TOKEN}").as_str()) {
            return error(401, "invalid_token", "the access token is not valid");
        }
        let body = &r.body;
        match r.path.as_str() {
            "/credentials/list" => Reply::Json(200, json!({ "credentialIDs": [CREDENTIAL] })),
            "/credentials/info" => {
                if body["credentialID"] != CREDENTIAL {
                    return error(400, "invalid_request", "unknown credentialID");
                }
                let status = if self.script.end == End::Revoked {
                    "revoked"
                } else {
                    "valid"
                };
                Reply::Json(
                    200,
                    json!({
                        "key": { "status": "enabled", "algo": ["1.2.840.113549.1.1.11", "1.2.840.113549.1.1.1"], "len": 2048 },
                        "cert": { "status": status, "certificates": self.officer.chain_b64(self.script.other_user) },
                        "auth": { "mode": "explicit", "objects": [{ "type": "Password", "id": "PIN", "format": "N" }] },
                    }),
                )
            }
            "/credentials/authorize" => {
                let pin_ok = body["authData"]
                    .as_array()
                    .is_some_and(|a| a.iter().any(|o| o["id"] == "PIN" && o["value"] == PIN));
                if !pin_ok {
                    return error(400, "invalid_pin", "the PIN is not valid");
                }
                let hashes = body["hashes"].as_array().cloned().unwrap_or_default();
                let [Value::String(hash)] = hashes.as_slice() else {
                    return error(400, "invalid_request", "one hash expected");
                };
                self.next += 1;
                let sad = format!("sad-{}", self.next);
                self.sads.insert(sad.clone(), unb64(hash));
                Reply::Json(200, json!({ "SAD": sad, "expiresIn": 300 }))
            }
            SIGN_HASH => {
                let Some(authorized) = body["SAD"].as_str().and_then(|s| self.sads.remove(s)) else {
                    return error(400, "invalid_request", "invalid SAD");
                };
                let hash = body["hashes"][0].as_str().map(unb64).unwrap_or_default();
                if hash != authorized || body["signAlgo"] != "1.2.840.113549.1.1.11" {
                    return error(
                        400,
                        "invalid_request",
                        "the hash or algorithm differs from the authorized one",
                    );
                }
                if let Some(pause) = self.script.hang_submit {
                    return Reply::Hang(pause);
                }
                if body["operationMode"] == "S" {
                    return self.end(&hash);
                }
                self.next += 1;
                let id = format!("resp-{}", self.next);
                self.pending.insert(id.clone(), (hash, 0));
                Reply::Json(200, json!({ "responseID": id }))
            }
            "/signatures/signPolling" => {
                let id = body["responseID"].as_str().unwrap_or_default();
                let Some((hash, polls)) = self.pending.get_mut(id) else {
                    return error(400, "invalid_request", "unknown responseID");
                };
                *polls += 1;
                if *polls <= self.script.waiting_polls {
                    return error(400, "invalid_request", "The signature request is pending");
                }
                let hash = hash.clone();
                self.end(&hash)
            }
            _ => error(404, "invalid_request", "no such method"),
        }
    }

    /// The final answer for `hash`, as the script says.
    fn end(&self, hash: &[u8]) -> Reply {
        match self.script.end {
            End::Approve | End::Revoked => {}
            End::Reject => return error(400, "invalid_request", "The user rejected the signing request"),
            End::Timeout => return error(400, "invalid_request", "The authorization timed out"),
            End::Quota => return error(400, "invalid_request", "Signing quota exceeded"),
        }
        match self.script.answer {
            Answer::NotJson => Reply::Text(200, "<html><body>502 Bad Gateway</body></html>".into()),
            Answer::MissingField => Reply::Json(200, json!({ "signatures": [] })),
            Answer::BadBase64 => Reply::Json(200, json!({ "signatures": ["%%% not base64 %%%"] })),
            _ => Reply::Json(
                200,
                json!({ "signatures": [b64(&self.officer.answer(hash, &self.script))] }),
            ),
        }
    }
}
