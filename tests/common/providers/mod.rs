//! Mock remote-signing providers for tests/remote_*.rs: a loopback HTTP server
//! ([`server`]), a CMS builder ([`cms`]), an officer with real openssl keys ([`Officer`]),
//! what a mock should do ([`Script`]), one mock per provider shape ([`csc`],
//! [`smartca`], [`mysign`]) behind one trait ([`MockProvider`]), and the [`scenarios`]
//! every provider is tested with. Declared by each test file with
//! `#[path = "common/providers/mod.rs"] mod providers;` next to `mod common;`.
#![allow(dead_code)]

pub mod cms;
pub mod csc;
pub mod mock;
pub mod mysign;
pub mod scenarios;
pub mod server;
pub mod smartca;

pub use mock::{MockProvider, Scripted};

use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use base64::Engine;
use results_vault::remote::{AnswerFormat, PollAnswer, Provider, ProviderRequest, Submitted, TransactionRef};
use results_vault::{
    Error, LogHead, RemoteError, RemoteRequest, RemoteSigningOptions, RemoteState, ResultId, SessionState, Vault,
    VaultOptions,
};

use crate::common::pki::{openssl, Pki};
use crate::common::{birth_extract, noise, temp_vault_with, TempVault};

/// The officer's personal ID, written in the certificate's CN as Vietnamese CAs do.
pub const USER_ID: &str = "001088012345";
/// Another officer of the same CA.
pub const OTHER_USER_ID: &str = "079190000999";

/// The officer: a real RSA key and certificate (`openssl ca`, CN naming [`USER_ID`]) and
/// another officer's, under the same root.
pub struct Officer {
    pub pki: Pki,
    pub cert: Vec<u8>,
    pub other_cert: Vec<u8>,
    key: PathBuf,
    other_key: PathBuf,
    counter: AtomicU64,
}

impl Officer {
    pub fn new() -> Arc<Officer> {
        let pki = Pki::new();
        let name = format!("Nguyen Van An CCCD:{USER_ID}");
        let other = format!("Tran Thi Binh CCCD:{OTHER_USER_ID}");
        let cert = pki.issue(&name, "rsa:2048");
        let other_cert = pki.issue(&other, "rsa:2048");
        Arc::new(Officer {
            key: pki.path(&format!("{name}.key")),
            other_key: pki.path(&format!("{other}.key")),
            pki,
            cert,
            other_cert,
            counter: AtomicU64::new(0),
        })
    }

    /// Adds the root as trust anchor and a current CRL to `vault`.
    pub fn trust(&self, vault: &Vault) {
        vault.add_trust_anchor(&self.pki.root).unwrap();
        vault.add_crl(&self.pki.crl("current")).unwrap();
    }

    /// The chain a provider names (leaf, root), base64: the officer's, or another user's.
    pub fn chain_b64(&self, other_user: bool) -> Vec<String> {
        let leaf = if other_user { &self.other_cert } else { &self.cert };
        vec![b64(leaf), b64(&self.pki.root)]
    }

    /// An RSA PKCS#1 v1.5 signature over SHA-256 `digest` (DigestInfo added by openssl).
    pub fn sign_digest(&self, digest: &[u8], other_key: bool) -> Vec<u8> {
        let n = self.counter.fetch_add(1, Ordering::SeqCst);
        let (input, output) = (format!("digest-{n}.bin"), format!("signature-{n}.bin"));
        std::fs::write(self.pki.path(&input), digest).unwrap();
        let key = if other_key { &self.other_key } else { &self.key };
        let key = key.to_str().unwrap();
        let args = [
            "pkeyutl",
            "-sign",
            "-inkey",
            key,
            "-pkeyopt",
            "digest:sha256",
            "-in",
            &input,
            "-out",
            &output,
        ];
        assert!(openssl(self.pki.dir.path(), &args), "openssl pkeyutl -sign");
        std::fs::read(self.pki.path(&output)).unwrap()
    }

    /// A detached CMS whose messageDigest is `digest`, by the officer (or the other user).
    pub fn cms(&self, digest: &[u8], other_key: bool) -> Vec<u8> {
        let cert = if other_key { &self.other_cert } else { &self.cert };
        cms::detached(digest, cert, |d| self.sign_digest(d, other_key))
    }

    /// The signature bytes a mock answers for `hash` under `script` (for the answers
    /// that are bytes: good, wrong hash, other signer, garbage).
    pub fn answer(&self, hash: &[u8], script: &Script) -> Vec<u8> {
        let (hash, other) = match script.answer {
            Answer::Good => (hash.to_vec(), false),
            Answer::WrongHash => (cms::sha256(b"another document altogether"), false),
            Answer::OtherSigner => (hash.to_vec(), true),
            Answer::Garbage => return noise(99, 256),
            Answer::NotJson | Answer::MissingField | Answer::BadBase64 => unreachable!("not bytes"),
        };
        if script.cms {
            self.cms(&hash, other)
        } else {
            self.sign_digest(&hash, other)
        }
    }
}

pub fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

pub fn unb64(text: &str) -> Vec<u8> {
    base64::engine::general_purpose::STANDARD.decode(text).unwrap()
}

/// How a signing request ends at the provider.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum End {
    /// The officer approves: the answer is [`Script::answer`].
    Approve,
    /// The officer refuses on the phone.
    Reject,
    /// The officer lets the provider's deadline pass.
    Timeout,
    /// The signer's certificate is revoked: CSC and SmartCA say so when the certificate is
    /// asked for, MySign in `requests/status` ("13004").
    Revoked,
    /// The account's quota is used up (CSC by message, MySign "4005"; SmartCA: a refusal).
    Quota,
}

/// What the provider answers when it "signs".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answer {
    /// A signature over the hash sent, by the officer's key.
    Good,
    /// A valid signature by the officer's key over other data.
    WrongHash,
    /// A signature by another user's key (with that user's certificate in a CMS).
    OtherSigner,
    /// Valid base64 of random bytes.
    Garbage,
    /// The answer carrying the signature is not JSON.
    NotJson,
    /// The answer carrying the signature lacks it.
    MissingField,
    /// The signature is not base64.
    BadBase64,
}

/// What a mock provider does.
#[derive(Debug, Clone)]
pub struct Script {
    /// "Still waiting" answers before the request ends.
    pub waiting_polls: u32,
    /// How it ends.
    pub end: End,
    /// What a signature answer is.
    pub answer: Answer,
    /// The certificate endpoint names another user's certificate.
    pub other_user: bool,
    /// The signing request is received (and taken) but answered only after this long.
    pub hang_submit: Option<Duration>,
    /// Answer a CMS (SmartCA/MySign default) rather than a raw signature.
    pub cms: bool,
    /// CSC: sign synchronously in `signHash` (no polling).
    pub synchronous: bool,
}

impl Default for Script {
    fn default() -> Self {
        Script {
            waiting_polls: 2,
            end: End::Approve,
            answer: Answer::Good,
            other_user: false,
            hang_submit: None,
            cms: true,
            synchronous: false,
        }
    }
}

impl Script {
    /// The default script, with `polls` "still waiting" answers before the end.
    pub fn waiting(polls: u32) -> Script {
        Script {
            waiting_polls: polls,
            ..Script::default()
        }
    }
}

/// A vault (real-time clock: the state machine reads it on every poll) trusting the
/// officer's root and CRL, with one birth extract ingested.
pub struct Setup {
    pub t: TempVault,
    pub officer: Arc<Officer>,
    pub id: ResultId,
}

pub fn setup() -> Setup {
    setup_with(VaultOptions::default())
}

/// [`setup`] with other vault options.
pub fn setup_with(options: VaultOptions) -> Setup {
    let officer = Officer::new();
    let t = temp_vault_with(options);
    officer.trust(&t.vault);
    let ingested = t.vault.ingest(birth_extract("P-REMOTE-1"), &noise(7, 4000)).unwrap();
    let id = ingested.record.result_id;
    Setup { t, officer, id }
}

impl Setup {
    pub fn log_head(&self) -> Option<LogHead> {
        self.t.vault.log_head().unwrap()
    }

    /// The remote request of `session_id`, which must exist.
    pub fn request(&self, session_id: &str) -> RemoteRequest {
        self.t
            .vault
            .remote_request(session_id)
            .unwrap()
            .expect("no such remote request")
    }

    /// The state of signing session `session_id`.
    pub fn session_state(&self, session_id: &str) -> SessionState {
        self.t.vault.signing_session(session_id).unwrap().state
    }

    /// The portal restarts: the vault is closed and its file opened again.
    pub fn reopen(self) -> Setup {
        let path = self.t.path();
        let TempVault { dir, vault } = self.t;
        drop(vault);
        let vault = Vault::open(&path, VaultOptions::default()).unwrap();
        Setup {
            t: TempVault { dir, vault },
            ..self
        }
    }

    /// A refused answer changed nothing: the same audit log head, no signature.
    pub fn assert_unchanged(&self, head_before: &Option<LogHead>) {
        assert_eq!(&self.log_head(), head_before, "the audit log moved");
        assert!(
            self.t.vault.signatures(&self.id).unwrap().is_empty(),
            "a signature was stored"
        );
    }
}

/// Every state change and poll the vault reports, through `RemoteSigningOptions::progress`.
pub struct Tracker {
    seen: Arc<Mutex<Vec<RemoteRequest>>>,
    report: Box<dyn Fn(&RemoteRequest) + Sync>,
}

impl Tracker {
    pub fn new() -> Tracker {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let log = seen.clone();
        Tracker {
            seen,
            report: Box::new(move |r: &RemoteRequest| log.lock().unwrap().push(r.clone())),
        }
    }

    /// [`fast`] options that report here.
    pub fn options(&self, wait: Duration) -> RemoteSigningOptions<'_> {
        RemoteSigningOptions {
            progress: Some(&*self.report),
            ..fast(wait)
        }
    }

    /// The signing session the vault reported (its first report: `sending`).
    pub fn session_id(&self) -> String {
        let seen = self.seen.lock().unwrap();
        seen.first().expect("no request reported").session_id.clone()
    }

    /// The distinct states reported, in order.
    pub fn states(&self) -> Vec<RemoteState> {
        let mut states: Vec<RemoteState> = Vec::new();
        for r in self.seen.lock().unwrap().iter() {
            if states.last() != Some(&r.state) {
                states.push(r.state);
            }
        }
        states
    }
}

/// A provider client that sends the signing request and then "crashes" (panics) before
/// the vault can store the provider's answer: the request stays `sending` in the file.
pub struct CrashAfterSubmit<'a>(pub &'a dyn Provider);

impl Provider for CrashAfterSubmit<'_> {
    fn name(&self) -> &str {
        self.0.name()
    }
    fn certificate_chain(&self) -> Result<Vec<Vec<u8>>, RemoteError> {
        self.0.certificate_chain()
    }
    fn answer_format(&self) -> AnswerFormat {
        self.0.answer_format()
    }
    fn submit(&self, request: &ProviderRequest<'_>) -> Result<Submitted, RemoteError> {
        let answer = self.0.submit(request);
        panic!("the portal crashed after sending (the provider answered {answer:?})");
    }
    fn poll(&self, transaction: TransactionRef<'_>) -> Result<PollAnswer, RemoteError> {
        self.0.poll(transaction)
    }
    fn finds_by_client_id(&self) -> bool {
        self.0.finds_by_client_id()
    }
}

/// Runs `sign_remote` through [`CrashAfterSubmit`]; the panic is caught.
pub fn sign_and_crash(vault: &Vault, id: &ResultId, provider: &dyn Provider, options: &RemoteSigningOptions<'_>) {
    let crashing = CrashAfterSubmit(provider);
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        vault.sign_remote(id, &crashing, options)
    }));
    assert!(outcome.is_err(), "the provider did not crash");
}

/// Short polls (50 ms, at most 100 ms) and a wait of `wait`.
pub fn fast(wait: Duration) -> RemoteSigningOptions<'static> {
    RemoteSigningOptions {
        wait,
        poll_interval: Duration::from_millis(50),
        max_poll_interval: Duration::from_millis(100),
        ..RemoteSigningOptions::default()
    }
}

/// The remote error inside `e`, or a panic naming what it was.
pub fn remote(e: Error) -> RemoteError {
    match e {
        Error::Remote(r) => r,
        other => panic!("expected a remote error, got {other:?}"),
    }
}

/// Asserts that none of `secrets` appears in `text`.
pub fn assert_no_secret(text: &str, secrets: &[&str]) {
    for secret in secrets {
        assert!(!text.contains(secret), "secret {secret:?} appears in {text:?}");
    }
}
