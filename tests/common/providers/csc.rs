//! A mock Cloud Signature Consortium API v2 service: `auth/login` (HTTP Basic),
//! `credentials/list`, `credentials/info`, `credentials/authorize` (PIN, SAD bound to the
//! hash), `signatures/signHash` (synchronous, or asynchronous with a `responseID`) and
//! `signatures/signPolling`. It signs with the officer's real key (raw PKCS#1 v1.5).

use std::collections::HashMap;
use std::sync::Arc;

use results_vault::remote::config::ProviderConfig;
use results_vault::remote::csc::CscClient;
use serde_json::{json, Value};

use super::server::{Recorded, Reply};
use super::{b64, unb64, Answer, End, MockProvider, Officer, Script, Scripted};

pub const USERNAME: &str = "hcc-danang";
pub const PASSWORD: &str = "csc-Passw0rd-7731";
pub const PIN: &str = "482913";
pub const TOKEN: &str = "csc-token-5f2a9c";
pub const CREDENTIAL: &str = "cred-officer-1";

/// Where the vault's signing request goes.
pub const SIGN_HASH: &str = "/signatures/signHash";

pub struct CscMock(Scripted);

struct State {
    officer: Arc<Officer>,
    /// SAD → the hash it authorizes.
    sads: HashMap<String, Vec<u8>>,
    /// responseID → (hash, polls so far).
    pending: HashMap<String, (Vec<u8>, u32)>,
    next: u32,
}

impl MockProvider for CscMock {
    const NAME: &'static str = "csc";
    const SIGN_PATH: &'static str = SIGN_HASH;
    const STATUS_PREFIX: &'static str = "/signatures/signPolling";

    /// A mock following `script` (always raw signatures: CSC `signHash`).
    fn start(officer: Arc<Officer>, script: Script) -> CscMock {
        let mut state = State {
            officer,
            sads: HashMap::new(),
            pending: HashMap::new(),
            next: 0,
        };
        let script = Script { cms: false, ..script };
        CscMock(Scripted::start(script, move |script, r| state.handle(script, r)))
    }

    fn scripted(&self) -> &Scripted {
        &self.0
    }

    /// `auth/login` with username and password, the PIN, asynchronous unless the script
    /// signs synchronously.
    fn base_config(&self) -> Value {
        json!({
            "provider": Self::NAME,
            "base_url": format!("{}/", self.server().url()),
            "username": USERNAME,
            "password": PASSWORD,
            "pin": PIN,
            "async": !self.0.started.synchronous,
        })
    }

    fn hash_in(body: &Value) -> Vec<u8> {
        unb64(body["hashes"][0].as_str().unwrap())
    }

    fn describe(config: &ProviderConfig) -> String {
        let ProviderConfig::Csc(c) = config else {
            panic!("not a CSC configuration: {config:?}")
        };
        format!("{config:?} {:?}", CscClient::new(c.clone()).unwrap())
    }
}

fn error(status: u16, code: &str, description: &str) -> Reply {
    Reply::Json(status, json!({ "error": code, "error_description": description }))
}

impl State {
    fn handle(&mut self, script: &Script, r: &Recorded) -> Reply {
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
                let status = if script.end == End::Revoked { "revoked" } else { "valid" };
                Reply::Json(
                    200,
                    json!({
                        "key": { "status": "enabled", "algo": ["1.2.840.113549.1.1.11", "1.2.840.113549.1.1.1"], "len": 2048 },
                        "cert": { "status": status, "certificates": self.officer.chain_b64(script.other_user) },
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
                if let Some(pause) = script.hang_submit {
                    return Reply::Hang(pause);
                }
                if body["operationMode"] == "S" {
                    return self.end(script, &hash);
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
                if *polls <= script.waiting_polls {
                    return error(400, "invalid_request", "The signature request is pending");
                }
                let hash = hash.clone();
                self.end(script, &hash)
            }
            _ => error(404, "invalid_request", "no such method"),
        }
    }

    /// The final answer for `hash`, as the script says.
    fn end(&self, script: &Script, hash: &[u8]) -> Reply {
        match script.end {
            End::Approve | End::Revoked => {}
            End::Reject => return error(400, "invalid_request", "The user rejected the signing request"),
            End::Timeout => return error(400, "invalid_request", "The authorization timed out"),
            End::Quota => return error(400, "invalid_request", "Signing quota exceeded"),
        }
        match script.answer {
            Answer::NotJson => Reply::Text(200, "<html><body>502 Bad Gateway</body></html>".into()),
            Answer::MissingField => Reply::Json(200, json!({ "signatures": [] })),
            Answer::BadBase64 => Reply::Json(200, json!({ "signatures": ["%%% not base64 %%%"] })),
            _ => Reply::Json(200, json!({ "signatures": [b64(&self.officer.answer(hash, script))] })),
        }
    }
}
