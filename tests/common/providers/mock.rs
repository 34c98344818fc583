//! What the three mock providers have in common: a server run by a [`Script`] the test may
//! change while it runs ([`Scripted`]), and [`MockProvider`], the face they show the
//! shared scenarios (tests/common/providers/scenarios.rs), so that each scenario is
//! written once and run against every provider.

use std::sync::{Arc, Mutex};

use results_vault::remote::config::ProviderConfig;
use results_vault::remote::Provider;
use serde_json::Value;

use super::server::{MockServer, Recorded, Reply};
use super::{Officer, Script};

/// A mock server whose handler is given the current [`Script`] at every request.
pub struct Scripted {
    pub server: MockServer,
    script: Arc<Mutex<Script>>,
    /// The script it started with: what its configuration reflects (CMS or raw,
    /// synchronous or polled).
    pub started: Script,
}

impl Scripted {
    /// Serves with `handle`, given a copy of the script as it is when each request comes.
    pub fn start(script: Script, mut handle: impl FnMut(&Script, &Recorded) -> Reply + Send + 'static) -> Scripted {
        let shared = Arc::new(Mutex::new(script.clone()));
        let current = shared.clone();
        let server = MockServer::start(move |r| {
            let script = current.lock().unwrap().clone();
            handle(&script, r)
        });
        Scripted {
            server,
            script: shared,
            started: script,
        }
    }
}

/// A mock provider, as the scenarios drive it.
pub trait MockProvider: Sized {
    /// The provider's name: in its configuration, and in what the vault stores.
    const NAME: &'static str;
    /// Where the vault's signing request goes.
    const SIGN_PATH: &'static str;
    /// What the paths of status requests start with.
    const STATUS_PREFIX: &'static str;

    /// Starts a mock following `script`, signing with `officer`'s keys.
    fn start(officer: Arc<Officer>, script: Script) -> Self;

    /// Its server and script.
    fn scripted(&self) -> &Scripted;

    /// A configuration for this mock, before a test's changes.
    fn base_config(&self) -> Value;

    /// The hash a signing request's body asks to be signed, decoded.
    fn hash_in(body: &Value) -> Vec<u8>;

    /// `Debug` of `config` and of the concrete client built from it (a `dyn Provider` has
    /// none): where a secret could leak.
    fn describe(config: &ProviderConfig) -> String;

    fn server(&self) -> &MockServer {
        &self.scripted().server
    }

    /// [`MockProvider::base_config`] with `extra`'s fields over it (`null` removes one).
    fn config(&self, extra: Value) -> String {
        let mut config = self.base_config();
        merge(&mut config, extra);
        config.to_string()
    }

    /// A new client for `config(extra)`, as a restarted portal would build it.
    fn client(&self, extra: Value) -> Box<dyn Provider + Send + Sync> {
        ProviderConfig::from_json(Self::NAME, &self.config(extra))
            .unwrap()
            .client()
            .unwrap()
    }

    /// Changes what the mock does from the next request on.
    fn set_script(&self, change: impl FnOnce(&mut Script)) {
        change(&mut self.scripted().script.lock().unwrap());
    }

    /// How many signing requests reached the mock.
    fn sign_requests(&self) -> usize {
        self.server().count(Self::SIGN_PATH)
    }

    /// How many status requests reached the mock.
    fn status_requests(&self) -> usize {
        self.server().count_prefix(Self::STATUS_PREFIX)
    }

    /// The hash the first signing request asked to be signed.
    fn signed_hash(&self) -> Vec<u8> {
        let requests = self.server().requests();
        let sent = requests
            .iter()
            .find(|r| r.path == Self::SIGN_PATH)
            .expect("no signing request");
        Self::hash_in(&sent.body)
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
