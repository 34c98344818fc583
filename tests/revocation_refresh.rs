//! The vault refreshes its own revocation data (`Vault::refresh_revocation`) from the
//! distribution point and the OCSP responder its signer's certificate names, over the
//! real HTTP client (`RevocationFetcher`), against a tiny HTTP server on 127.0.0.1 and the
//! real `openssl ocsp` responder.
//!
//! The vault's clock is fixed at 2026-11-01 10:00 UTC (the proof of existence) and its
//! policy is the strict one (`IssuedAfterPoe { grace_seconds: 3600 }`): evidence issued
//! before the POE plus an hour proves nothing, so 13 days later the record is pending
//! (INDETERMINATE / TRY_LATER) until a refresh brings later evidence; from then on it is
//! PASSED at every time, offline, for decades.
#![cfg(feature = "remote")]

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use common::pki::{openssl, Pki};
use common::{birth_extract, judged, noise, options, temp_vault_with, TempVault};
use results_vault::remote::fetch::{FetchOptions, RevocationFetcher};
use results_vault::verify::signature::EvidencePolicy;
use results_vault::{
    DigestAlgorithm, Indication, LocalSigner, RefreshReport, RefreshedSource, ResultId, Sha256, SourceOutcome,
    SubIndication, TrustItemKind, Vault, VaultOptions,
};
use time::macros::datetime;
use time::OffsetDateTime;

/// The POE is the vault's clock: 2026-11-01 10:00 UTC. The travels.
const PLUS_13_DAYS: OffsetDateTime = datetime!(2026-11-14 10:00 UTC);
const PLUS_3_YEARS: OffsetDateTime = datetime!(2029-11-01 10:00 UTC);
const PLUS_20_YEARS: OffsetDateTime = datetime!(2046-11-01 10:00 UTC);
const TRAVELS: [OffsetDateTime; 3] = [PLUS_13_DAYS, PLUS_3_YEARS, PLUS_20_YEARS];

/// The strict policy's grace period.
const GRACE_SECONDS: i64 = 3600;

/// When the refresh's evidence is issued: a day after the POE (the CRL), and 23 hours
/// after it (the OCSP responder's clock, through libfaketime).
const LATER_CRL: (&str, &str) = ("20261102000000Z", "20261109000000Z");
const RESPONDER_CLOCK: &str = "2026-11-02 09:00:00";

// ------------------------------------------------------------------- the tiny server

/// What the tiny server answers, request after request (it can be changed between them).
#[derive(Clone)]
enum Answer {
    /// `HTTP/1.1 {status}` with this body.
    Body {
        status: &'static str,
        content_type: &'static str,
        body: Vec<u8>,
    },
    /// A 302 to `location`.
    Redirect { location: String },
    /// 100 MB announced with Content-Length, zeros streamed until the client hangs up.
    Huge,
    /// Reads the request and says nothing.
    Silence,
}

/// A tiny HTTP server on 127.0.0.1: one thread accepting, one per connection.
struct Server {
    port: u16,
    answer: Arc<Mutex<Answer>>,
    /// Requests read so far.
    requests: Arc<AtomicUsize>,
    stop: Arc<AtomicBool>,
    accept: Option<JoinHandle<()>>,
}

impl Server {
    /// Listens on a free port (nothing served until [`Server::answer`]).
    fn bind() -> (TcpListener, u16) {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        (listener, port)
    }

    fn start(listener: TcpListener, answer: Answer) -> Server {
        let port = listener.local_addr().unwrap().port();
        let answer = Arc::new(Mutex::new(answer));
        let requests = Arc::new(AtomicUsize::new(0));
        let stop = Arc::new(AtomicBool::new(false));
        let accept = {
            let (answer, requests, stop) = (answer.clone(), requests.clone(), stop.clone());
            std::thread::spawn(move || {
                for stream in listener.incoming() {
                    if stop.load(Ordering::SeqCst) {
                        break;
                    }
                    let Ok(mut stream) = stream else { continue };
                    let (answer, requests, stop) = (answer.clone(), requests.clone(), stop.clone());
                    std::thread::spawn(move || {
                        if !read_request(&mut stream) {
                            return;
                        }
                        requests.fetch_add(1, Ordering::SeqCst);
                        let answer = answer.lock().unwrap().clone();
                        respond(&mut stream, answer, &stop);
                    });
                }
            })
        };
        Server {
            port,
            answer,
            requests,
            stop,
            accept: Some(accept),
        }
    }

    fn serve(&self, answer: Answer) {
        *self.answer.lock().unwrap() = answer;
    }

    fn requests(&self) -> usize {
        self.requests.load(Ordering::SeqCst)
    }

    /// Stops listening: connections to the port are refused from now on.
    fn stop(&mut self) {
        if let Some(accept) = self.accept.take() {
            self.stop.store(true, Ordering::SeqCst);
            // Wakes the accepting thread, which then drops the listener.
            let _ = TcpStream::connect(("127.0.0.1", self.port));
            accept.join().unwrap();
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Reads one request (head and body); false if the client sent none (the wake-up).
fn read_request(stream: &mut TcpStream) -> bool {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        match stream.read(&mut byte) {
            Ok(1) => head.push(byte[0]),
            _ => return false,
        }
    }
    let head = String::from_utf8_lossy(&head).to_ascii_lowercase();
    let len: usize = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0);
    let mut body = vec![0; len];
    stream.read_exact(&mut body).is_ok()
}

fn respond(stream: &mut TcpStream, answer: Answer, stop: &AtomicBool) {
    match answer {
        Answer::Body {
            status,
            content_type,
            body,
        } => {
            let head = format!(
                "HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            );
            let _ = stream.write_all(head.as_bytes());
            let _ = stream.write_all(&body);
        }
        Answer::Redirect { location } => {
            let head = format!("HTTP/1.1 302 Found\r\nLocation: {location}\r\nContent-Length: 0\r\n\r\n");
            let _ = stream.write_all(head.as_bytes());
        }
        Answer::Huge => {
            const HUNDRED_MB: usize = 100 * 1024 * 1024;
            let head = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: application/pkix-crl\r\nContent-Length: {HUNDRED_MB}\r\n\r\n"
            );
            let _ = stream.write_all(head.as_bytes());
            let chunk = vec![0u8; 1024 * 1024];
            for _ in 0..100 {
                if stream.write_all(&chunk).is_err() {
                    break;
                }
            }
        }
        Answer::Silence => {
            for _ in 0..300 {
                if stop.load(Ordering::SeqCst) {
                    break;
                }
                std::thread::sleep(Duration::from_millis(100));
            }
        }
    }
}

fn crl_answer(der: &[u8]) -> Answer {
    Answer::Body {
        status: "200 OK",
        content_type: "application/pkix-crl",
        body: der.to_vec(),
    }
}

fn ocsp_answer(der: &[u8]) -> Answer {
    Answer::Body {
        status: "200 OK",
        content_type: "application/ocsp-response",
        body: der.to_vec(),
    }
}

// ------------------------------------------------------------- the openssl responder

/// The real `openssl ocsp` responder of the root on 127.0.0.1:`port`, its clock set to
/// [`RESPONDER_CLOCK`] by libfaketime, answering `requests` requests and signing with
/// `key` (`root` or `impostor`: the impostor root has the root's name). Killed on drop.
struct Responder(Child);

impl Responder {
    fn start(pki: &Pki, port: u16, key: &str, requests: usize) -> Responder {
        let (cert, key) = (format!("{key}.pem"), format!("{key}.key"));
        let mut child = Command::new("faketime")
            .current_dir(pki.dir.path())
            .args([
                RESPONDER_CLOCK,
                "openssl",
                "ocsp",
                "-index",
                "index.txt",
                "-port",
                &port.to_string(),
            ])
            .args(["-rsigner", &cert, "-rkey", &key, "-CA", "root.pem", "-ndays", "7"])
            .args(["-nrequest", &requests.to_string()])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("faketime and openssl (Debian packages faketime, openssl)");
        // A probe connection would use up a request: wait for openssl's own word.
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        assert!(line.starts_with("ACCEPT"), "openssl ocsp said {line:?}");
        Responder(child)
    }
}

impl Drop for Responder {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A free port on 127.0.0.1 (bound, then released for the responder).
fn free_port() -> u16 {
    Server::bind().1
}

// --------------------------------------------------------------------- the office

/// A dated PKI whose officer's certificate names a CRL distribution point on port
/// `crl_port` and an OCSP responder on `ocsp_port`, both on 127.0.0.1.
struct Office {
    pki: Pki,
    officer: LocalSigner,
    crl_url: String,
    ocsp_url: String,
}

impl Office {
    fn new(crl_port: u16, ocsp_port: u16) -> Office {
        let crl_url = format!("http://127.0.0.1:{crl_port}/root.crl");
        let ocsp_url = format!("http://127.0.0.1:{ocsp_port}/");
        let extensions = format!(
            "basicConstraints = critical, CA:FALSE\n\
             keyUsage = critical, digitalSignature, nonRepudiation\n\
             subjectKeyIdentifier = hash\n\
             authorityKeyIdentifier = keyid\n\
             crlDistributionPoints = URI:{crl_url}\n\
             authorityInfoAccess = OCSP;URI:{ocsp_url}"
        );
        Office::with_extensions(&extensions, crl_url, ocsp_url)
    }

    fn with_extensions(extensions: &str, crl_url: String, ocsp_url: String) -> Office {
        let pki = Pki::dated();
        let officer_der = pki.issue_with_extensions("officer", extensions);
        let officer = LocalSigner::from_pkcs8(&pki.pkcs8("officer.key"), vec![officer_der]).unwrap();
        Office {
            pki,
            officer,
            crl_url,
            ocsp_url,
        }
    }

    /// A vault under the strict policy that trusts the root and holds a weekly CRL of
    /// 2026-10-31 (current at the POE: enough to accept a signature, not to keep it).
    fn vault(&self, refresh_when_stale: Option<RevocationFetcher>) -> TempVault {
        let vault = self.bare_vault(refresh_when_stale);
        vault
            .vault
            .add_crl(&self.pki.crl_dated("initial", "20261031000000Z", "20261107000000Z"))
            .unwrap();
        vault
    }

    /// The same vault without revocation evidence yet.
    fn bare_vault(&self, refresh_when_stale: Option<RevocationFetcher>) -> TempVault {
        let mut opts: VaultOptions = options();
        opts.signature_policy.revocation_evidence = EvidencePolicy::IssuedAfterPoe {
            grace_seconds: GRACE_SECONDS,
        };
        opts.refresh_when_stale = refresh_when_stale.map(|f| Arc::new(f) as _);
        let vault = temp_vault_with(opts);
        vault.vault.add_trust_anchor(&self.pki.root).unwrap();
        vault
    }

    /// A birth extract signed by the officer at the POE.
    fn signed_record(&self, vault: &Vault, dossier: &str) -> ResultId {
        let id = vault
            .ingest(birth_extract(dossier), &noise(11, 900))
            .unwrap()
            .record
            .result_id;
        vault.sign_with(&id, &self.officer, DigestAlgorithm::Sha256).unwrap();
        id
    }

    /// The CRL the distribution point serves after the POE.
    fn later_crl(&self) -> Vec<u8> {
        self.pki.crl_dated("later", LATER_CRL.0, LATER_CRL.1)
    }

    /// An OCSP response about the officer made offline (no nonce: what a CA pre-produces
    /// and serves from a cache), by the responder at [`RESPONDER_CLOCK`], signed by `key`.
    fn pre_produced_ocsp(&self, key: &str) -> Vec<u8> {
        self.pre_produced_ocsp_at(key, RESPONDER_CLOCK)
    }

    /// [`Office::pre_produced_ocsp`], the responder's clock at `clock`.
    fn pre_produced_ocsp_at(&self, key: &str, clock: &str) -> Vec<u8> {
        let dir = self.pki.dir.path();
        let request = [
            "ocsp",
            "-issuer",
            "root.pem",
            "-cert",
            "officer.pem",
            "-no_nonce",
            "-reqout",
            "pre-req.der",
        ];
        assert!(openssl(dir, &request));
        let out = format!("pre-{key}.der");
        let status = Command::new("faketime")
            .current_dir(dir)
            .args([clock, "openssl", "ocsp", "-index", "index.txt", "-CA", "root.pem"])
            .args(["-rsigner", &format!("{key}.pem"), "-rkey", &format!("{key}.key")])
            .args(["-reqin", "pre-req.der", "-respout", &out, "-ndays", "7"])
            .output()
            .unwrap();
        assert!(status.status.success(), "{}", String::from_utf8_lossy(&status.stderr));
        std::fs::read(self.pki.path(&out)).unwrap()
    }
}

fn fetcher() -> RevocationFetcher {
    RevocationFetcher::new(FetchOptions {
        timeout: Duration::from_secs(5),
        ..FetchOptions::default()
    })
}

const PENDING: (Indication, Option<SubIndication>, bool, bool) =
    (Indication::Indeterminate, Some(SubIndication::TryLater), false, false);
const PASSED: (Indication, Option<SubIndication>, bool, bool) = (Indication::Passed, None, true, true);

/// The source of `kind` in `report` (exactly one).
fn source(report: &RefreshReport, kind: TrustItemKind) -> &RefreshedSource {
    let found: Vec<&RefreshedSource> = report.sources.iter().filter(|s| s.kind == kind).collect();
    assert_eq!(found.len(), 1, "{report:#?}");
    found[0]
}

fn added(source: &RefreshedSource) -> Sha256 {
    match &source.outcome {
        SourceOutcome::Added { sha256 } => *sha256,
        other => panic!("{} {}: {other:?}", source.kind, source.url),
    }
}

fn failed(source: &RefreshedSource) -> &str {
    match &source.outcome {
        SourceOutcome::Failed { reason } => reason,
        other => panic!("{} {}: {other:?}", source.kind, source.url),
    }
}

fn items(vault: &Vault) -> Vec<(TrustItemKind, Sha256)> {
    vault
        .trust_items()
        .unwrap()
        .into_iter()
        .map(|i| (i.kind, i.sha256))
        .collect()
}

// ------------------------------------------------------------------------ the cases

#[test]
fn a_pending_record_is_completed_by_a_refresh_and_passes_offline_for_decades() {
    let (crl_listener, crl_port) = Server::bind();
    let ocsp_port = free_port();
    let office = Office::new(crl_port, ocsp_port);
    let later = office.later_crl();
    let mut crl_server = Server::start(crl_listener, crl_answer(&later));
    let vault = office.vault(None);
    let v = &vault.vault;
    let id = office.signed_record(v, "R-1");

    // Only evidence issued an hour after the POE proves the signature: none yet.
    for at in TRAVELS {
        assert_eq!(judged(v, &id, at), PENDING, "at {at}");
    }
    let detail = v.verify_record(&id, PLUS_13_DAYS).unwrap().signatures[0]
        .verdict
        .detail
        .clone();
    assert!(detail.starts_with("pending"), "{detail}");

    let responder = Responder::start(&office.pki, ocsp_port, "root", 1);
    let report = v.refresh_revocation(&fetcher()).unwrap();
    drop(responder);
    assert_eq!(report.sources.len(), 2, "{report:#?}");
    let crl = source(&report, TrustItemKind::Crl);
    let ocsp = source(&report, TrustItemKind::Ocsp);
    assert_eq!(crl.url, office.crl_url);
    assert_eq!(ocsp.url, office.ocsp_url);
    assert_eq!((crl.about.as_str(), ocsp.about.as_str()), ("CN=officer", "CN=officer"));
    assert_eq!(added(crl), Sha256::of(&later));
    let ocsp_sha = added(ocsp);
    assert_eq!((report.added(), report.failed()), (2, 0));
    assert_eq!(crl_server.requests(), 1);
    // Both are kept in the trust store, each an audited change.
    let kept = items(v);
    assert!(kept.contains(&(TrustItemKind::Crl, Sha256::of(&later))), "{kept:?}");
    assert!(kept.contains(&(TrustItemKind::Ocsp, ocsp_sha)), "{kept:?}");

    for at in TRAVELS {
        assert_eq!(judged(v, &id, at), PASSED, "at {at}");
        let verdict = v.verify_record(&id, at).unwrap();
        let sig = &verdict.signatures[0].verdict;
        // The verdict names the evidence it stands on, and the policy.
        let named: Vec<&str> = sig
            .crls_used
            .iter()
            .map(|c| c.sha256.as_str())
            .chain(sig.ocsp_used.iter().map(|o| o.sha256.as_str()))
            .collect();
        assert!(
            named.contains(&Sha256::of(&later).to_hex().as_str()) || named.contains(&ocsp_sha.to_hex().as_str()),
            "at {at}: {named:?}"
        );
        assert_eq!(
            sig.evidence_policy.as_deref(),
            Some("evidence issued at least 3600 s after the proof of existence")
        );
    }

    // Offline: both servers gone. The verdicts stand on what the vault kept…
    crl_server.stop();
    for at in TRAVELS {
        assert_eq!(judged(v, &id, at), PASSED, "offline at {at}");
    }
    // …and a refresh that reaches nobody fails source by source and changes nothing.
    let head = v.log_head().unwrap();
    let before = items(v);
    let report = v.refresh_revocation(&fetcher()).unwrap();
    assert_eq!(report.sources.len(), 2, "{report:#?}");
    assert!(failed(source(&report, TrustItemKind::Crl)).starts_with("network error"));
    assert!(failed(source(&report, TrustItemKind::Ocsp)).starts_with("network error"));
    assert_eq!(v.log_head().unwrap(), head);
    assert_eq!(items(v), before);
    assert_eq!(judged(v, &id, PLUS_20_YEARS), PASSED);
}

#[test]
fn a_second_refresh_with_the_same_answers_changes_nothing() {
    let (crl_listener, crl_port) = Server::bind();
    let (ocsp_listener, ocsp_port) = Server::bind();
    let office = Office::new(crl_port, ocsp_port);
    let later = office.later_crl();
    // A pre-produced response (no nonce) is the same bytes at every request; one that
    // answers a nonce is new evidence every time.
    let ocsp = office.pre_produced_ocsp("root");
    let crl_server = Server::start(crl_listener, crl_answer(&later));
    let ocsp_server = Server::start(ocsp_listener, ocsp_answer(&ocsp));
    let vault = office.vault(None);
    let v = &vault.vault;
    let id = office.signed_record(v, "R-2");

    let first = v.refresh_revocation(&fetcher()).unwrap();
    assert_eq!(added(source(&first, TrustItemKind::Crl)), Sha256::of(&later));
    assert_eq!(added(source(&first, TrustItemKind::Ocsp)), Sha256::of(&ocsp));
    let (head, kept) = (v.log_head().unwrap(), items(v));

    let second = v.refresh_revocation(&fetcher()).unwrap();
    assert_eq!(second.sources.len(), 2, "{second:#?}");
    for (s, der) in [
        (source(&second, TrustItemKind::Crl), &later),
        (source(&second, TrustItemKind::Ocsp), &ocsp),
    ] {
        assert_eq!(
            s.outcome,
            SourceOutcome::Unchanged {
                sha256: Sha256::of(der)
            },
            "{}",
            s.url
        );
    }
    assert_eq!((second.added(), second.failed()), (0, 0));
    assert_eq!(v.log_head().unwrap(), head, "an unchanged source writes nothing");
    assert_eq!(items(v), kept);
    assert_eq!((crl_server.requests(), ocsp_server.requests()), (2, 2));
    assert_eq!(judged(v, &id, PLUS_3_YEARS), PASSED);
}

#[test]
fn an_ocsp_answer_from_before_the_poe_leaves_it_pending_until_the_responder_answers_again() {
    let (crl_listener, crl_port) = Server::bind();
    let ocsp_port = free_port();
    let office = Office::new(crl_port, ocsp_port);
    // The distribution point is down for maintenance: only the responder can help.
    let crl_server = Server::start(
        crl_listener,
        Answer::Body {
            status: "503 Service Unavailable",
            content_type: "text/plain",
            body: b"maintenance".to_vec(),
        },
    );
    let vault = office.bare_vault(None);
    let v = &vault.vault;
    // An answer of the responder an hour before the POE: enough to accept the signature…
    v.add_ocsp_response(&office.pre_produced_ocsp_at("root", "2026-11-01 09:00:00"))
        .unwrap();
    let id = office.signed_record(v, "O-1");
    // …not to keep it under the strict policy.
    for at in TRAVELS {
        assert_eq!(judged(v, &id, at), PENDING, "at {at}");
    }
    let responder = Responder::start(&office.pki, ocsp_port, "root", 1);
    let report = v.refresh_revocation(&fetcher()).unwrap();
    drop(responder);
    assert!(
        failed(source(&report, TrustItemKind::Crl)).contains("HTTP 503"),
        "{report:#?}"
    );
    let ocsp = added(source(&report, TrustItemKind::Ocsp));
    assert_eq!(crl_server.requests(), 1);
    for at in TRAVELS {
        assert_eq!(judged(v, &id, at), PASSED, "at {at}");
        let sig = &v.verify_record(&id, at).unwrap().signatures[0].verdict;
        assert!(sig.crls_used.is_empty(), "at {at}: {:?}", sig.crls_used);
        assert_eq!(sig.ocsp_used.len(), 1, "at {at}");
        assert_eq!(sig.ocsp_used[0].sha256, ocsp.to_hex());
    }
}

#[test]
fn hostile_sources_fail_one_by_one_and_add_nothing() {
    let (crl_listener, crl_port) = Server::bind();
    let ocsp_port = free_port();
    let office = Office::new(crl_port, ocsp_port);
    let later = office.later_crl();
    let crl_server = Server::start(crl_listener, crl_answer(&later));
    // Where a redirect points: nobody may connect there.
    let elsewhere = TcpListener::bind("127.0.0.1:0").unwrap();
    let location = format!("http://{}/root.crl", elsewhere.local_addr().unwrap());
    let html = Answer::Body {
        status: "200 OK",
        content_type: "text/html",
        body: b"<html><body>B\xe1\xba\xa3o tr\xc3\xac h\xe1\xbb\x87 th\xe1\xbb\x91ng</body></html>".to_vec(),
    };
    let fetcher = RevocationFetcher::new(FetchOptions {
        timeout: Duration::from_secs(2),
        ..FetchOptions::default()
    });

    // Each hostile distribution point, beside a responder that answers well.
    let cases = [
        (html.clone(), "the answer is not a CRL"),
        (Answer::Redirect { location }, "redirect (HTTP 302)"),
        (Answer::Huge, "larger than the limit"),
        (Answer::Silence, "did not answer in time"),
    ];
    for (n, (answer, why)) in cases.into_iter().enumerate() {
        crl_server.serve(answer);
        let vault = office.vault(None);
        let v = &vault.vault;
        let id = office.signed_record(v, &format!("H-{n}"));
        let before = items(v);
        let head = v.log_head().unwrap().unwrap();
        let responder = Responder::start(&office.pki, ocsp_port, "root", 1);
        let report = v.refresh_revocation(&fetcher).unwrap();
        drop(responder);
        let reason = failed(source(&report, TrustItemKind::Crl));
        assert!(reason.contains(why), "{why}: {reason}");
        assert!(!reason.contains("Bảo trì"), "a body in the reason: {reason}");
        // The responder's answer is kept all the same: one audited addition, nothing else.
        let ocsp = added(source(&report, TrustItemKind::Ocsp));
        let mut expected = before.clone();
        expected.push((TrustItemKind::Ocsp, ocsp));
        assert_eq!(items(v), expected, "{why}");
        assert_eq!(v.log_head().unwrap().unwrap().seq, head.seq + 1, "{why}");
        // The responder's answer alone completes the pending check.
        assert_eq!(judged(v, &id, PLUS_13_DAYS), PASSED, "{why}");
    }
    elsewhere.set_nonblocking(true).unwrap();
    assert!(elsewhere.accept().is_err(), "the redirect was followed");

    // A responder signing with the impostor's key (the root's name, another key), beside
    // a distribution point that answers well.
    crl_server.serve(crl_answer(&later));
    let vault = office.vault(None);
    let v = &vault.vault;
    let id = office.signed_record(v, "H-impostor");
    let (before, head) = (items(v), v.log_head().unwrap().unwrap());
    let responder = Responder::start(&office.pki, ocsp_port, "impostor", 1);
    let report = v.refresh_revocation(&fetcher).unwrap();
    drop(responder);
    let reason = failed(source(&report, TrustItemKind::Ocsp));
    assert!(reason.contains("did not sign"), "{reason}");
    assert_eq!(added(source(&report, TrustItemKind::Crl)), Sha256::of(&later));
    let mut expected = before.clone();
    expected.push((TrustItemKind::Crl, Sha256::of(&later)));
    assert_eq!(items(v), expected);
    assert_eq!(v.log_head().unwrap().unwrap().seq, head.seq + 1);
    assert_eq!(judged(v, &id, PLUS_13_DAYS), PASSED);

    // Both hostile at once: nothing is written at all, and the record stays pending.
    crl_server.serve(html);
    let vault = office.vault(None);
    let v = &vault.vault;
    let id = office.signed_record(v, "H-both");
    let (before, head) = (items(v), v.log_head().unwrap());
    let responder = Responder::start(&office.pki, ocsp_port, "impostor", 1);
    let report = v.refresh_revocation(&fetcher).unwrap();
    drop(responder);
    assert_eq!((report.added(), report.failed()), (0, 2), "{report:#?}");
    assert_eq!(items(v), before);
    assert_eq!(v.log_head().unwrap(), head, "nothing was written");
    assert_eq!(judged(v, &id, PLUS_13_DAYS), PENDING);
}

#[test]
fn an_ldap_distribution_point_is_skipped_not_fetched() {
    let ldap = "ldap://127.0.0.1/cn=Root%20CA?certificateRevocationList";
    let extensions = format!(
        "basicConstraints = critical, CA:FALSE\n\
         keyUsage = critical, digitalSignature, nonRepudiation\n\
         subjectKeyIdentifier = hash\n\
         authorityKeyIdentifier = keyid\n\
         crlDistributionPoints = URI:{ldap}"
    );
    let office = Office::with_extensions(&extensions, ldap.into(), String::new());
    let vault = office.vault(None);
    let v = &vault.vault;
    let id = office.signed_record(v, "L-1");
    let head = v.log_head().unwrap();
    let report = v.refresh_revocation(&fetcher()).unwrap();
    assert_eq!(report.sources.len(), 1, "{report:#?}");
    let s = &report.sources[0];
    assert_eq!(
        (s.kind, s.url.as_str(), s.about.as_str()),
        (TrustItemKind::Crl, ldap, "CN=officer")
    );
    match &s.outcome {
        SourceOutcome::Skipped { reason } => assert!(reason.starts_with("ldap"), "{reason}"),
        other => panic!("{other:?}"),
    }
    assert_eq!(v.log_head().unwrap(), head);
    assert_eq!(judged(v, &id, PLUS_13_DAYS), PENDING);
    // The report as JSON: the outcome's tag flattened beside kind, url and about.
    let json = serde_json::to_value(&report).unwrap();
    assert_eq!(json["sources"][0]["kind"], "crl");
    assert_eq!(json["sources"][0]["outcome"], "skipped");
    assert_eq!(json["sources"][0]["url"], ldap);
}

#[test]
fn refresh_when_stale_refreshes_by_itself_and_only_when_asked() {
    let (crl_listener, crl_port) = Server::bind();
    let ocsp_port = free_port();
    let office = Office::new(crl_port, ocsp_port);
    let later = office.later_crl();
    let crl_server = Server::start(crl_listener, crl_answer(&later));

    // Off (the default): an offline vault never waits on a network.
    let offline = office.vault(None);
    let id = office.signed_record(&offline.vault, "S-1");
    let verdict = offline.vault.verify_record(&id, PLUS_13_DAYS).unwrap();
    let sig = &verdict.signatures[0].verdict;
    assert_eq!(
        (sig.indication, sig.sub_indication),
        (Indication::Indeterminate, Some(SubIndication::TryLater))
    );
    assert_eq!(judged(&offline.vault, &id, PLUS_13_DAYS), PENDING);
    assert_eq!(crl_server.requests(), 0, "nothing was fetched");

    // On: the pending verdict makes the vault refresh, once, and judge again.
    let online = office.vault(Some(fetcher()));
    let id = office.signed_record(&online.vault, "S-2");
    let responder = Responder::start(&office.pki, ocsp_port, "root", 1);
    let verdict = online.vault.verify_record(&id, PLUS_13_DAYS).unwrap();
    drop(responder);
    let sig = &verdict.signatures[0].verdict;
    assert_eq!(sig.indication, Indication::Passed, "{}", sig.detail);
    assert!(verdict.reusable, "{}", verdict.summary);
    assert_eq!(crl_server.requests(), 1);
    let kinds: Vec<TrustItemKind> = items(&online.vault).into_iter().map(|(k, _)| k).collect();
    assert!(kinds.contains(&TrustItemKind::Ocsp), "{kinds:?}");
    // Once refreshed, later checks need no network: PASSED at every time.
    for at in TRAVELS {
        assert_eq!(judged(&online.vault, &id, at), PASSED, "at {at}");
    }
    assert_eq!(crl_server.requests(), 1, "a PASSED verdict fetches nothing");
}

/// `rv_vault_refresh_revocation` and `rv_vault_add_ocsp_response` as C calls them.
#[cfg(feature = "capi")]
mod c_abi {
    use std::ffi::{c_char, CString};
    use std::ptr;

    use results_vault::ffi::{handle, rv_result, rv_vault, trust};

    use super::common::ffi::{last_error, sentinel, take};
    use super::*;

    /// Opens the vault file of `vault` (closed first) through the C ABI.
    fn open(vault: TempVault) -> (tempfile::TempDir, *mut rv_vault) {
        let path = CString::new(vault.path().to_str().unwrap()).unwrap();
        let TempVault { dir, vault } = vault;
        drop(vault);
        let mut v = ptr::null_mut();
        // SAFETY: valid strings and out-param.
        assert_eq!(
            unsafe { handle::rv_vault_open(path.as_ptr(), ptr::null(), &mut v) },
            rv_result::RV_OK
        );
        (dir, v)
    }

    fn refresh(v: *const rv_vault, options: Option<&[u8]>) -> (rv_result, *mut c_char) {
        let options = options.map(|o| CString::new(o).unwrap());
        let mut out = sentinel();
        // SAFETY: a live handle (or NULL), a string or NULL, a writable out-param.
        let rc = unsafe {
            trust::rv_vault_refresh_revocation(v, options.as_ref().map_or(ptr::null(), |o| o.as_ptr()), &mut out)
        };
        (rc, out)
    }

    #[test]
    fn refresh_and_add_ocsp_through_the_c_abi() {
        let (crl_listener, crl_port) = Server::bind();
        let ocsp_port = free_port();
        let office = Office::new(crl_port, ocsp_port);
        let later = office.later_crl();
        let _crl_server = Server::start(crl_listener, crl_answer(&later));
        let vault = office.vault(None);
        office.signed_record(&vault.vault, "C-1");
        let (_dir, v) = open(vault);

        // Arguments refused with a code, the out-param untouched.
        for (options, want) in [
            (&b"{\"timeout_secs\": 0}"[..], rv_result::RV_INVALID_ARGUMENT),
            (b"{\"timeout_secs\": 601}", rv_result::RV_INVALID_ARGUMENT),
            (b"{\"max_crl_bytes\": 0}", rv_result::RV_INVALID_ARGUMENT),
            (b"{\"timeout\": 5}", rv_result::RV_INVALID_JSON),
            (b"[1, 2]", rv_result::RV_INVALID_JSON),
            (b"{\"timeout_secs\": \"\xff\"}", rv_result::RV_INVALID_UTF8),
        ] {
            let (rc, out) = refresh(v, Some(options));
            assert_eq!(rc, want, "{}: {}", String::from_utf8_lossy(options), last_error());
            assert_eq!(out, sentinel(), "written on failure");
        }
        assert_eq!(refresh(ptr::null(), None).0, rv_result::RV_NULL_PARAMETER);
        // SAFETY: a live handle; a NULL out-param is refused before any work.
        let rc = unsafe { trust::rv_vault_refresh_revocation(v, ptr::null(), ptr::null_mut()) };
        assert_eq!(rc, rv_result::RV_NULL_PARAMETER);

        // The CRL is fetched and kept; nobody answers on the responder's port.
        let (rc, out) = refresh(v, Some(b"{\"timeout_secs\": 5, \"max_ocsp_bytes\": 65536}"));
        assert_eq!(rc, rv_result::RV_OK, "{}", last_error());
        let report: serde_json::Value = serde_json::from_str(&take(out)).unwrap();
        let sources = report["sources"].as_array().unwrap();
        assert_eq!(sources.len(), 2, "{report}");
        assert_eq!(sources[0]["kind"], "crl");
        assert_eq!(sources[0]["url"], office.crl_url.as_str());
        assert_eq!(sources[0]["outcome"], "added");
        assert_eq!(sources[0]["sha256"], Sha256::of(&later).to_hex());
        assert_eq!(sources[1]["kind"], "ocsp");
        assert_eq!(sources[1]["outcome"], "failed");
        assert!(
            sources[1]["reason"].as_str().unwrap().starts_with("network error"),
            "{report}"
        );

        // An OCSP response added by hand.
        let ocsp = office.pre_produced_ocsp("root");
        let add = |der: *const u8, len: usize| {
            let mut out = sentinel();
            // SAFETY: a live handle, `len` readable bytes (or NULL), a writable out-param.
            let rc = unsafe { trust::rv_vault_add_ocsp_response(v, der, len, &mut out) };
            (rc, out)
        };
        assert_eq!(add(ptr::null(), 10).0, rv_result::RV_NULL_PARAMETER);
        let forged = office.pre_produced_ocsp("impostor");
        let (rc, out) = add(forged.as_ptr(), forged.len());
        assert_eq!((rc, out), (rv_result::RV_TRUST_REFUSED, sentinel()), "{}", last_error());
        let (rc, out) = add(later.as_ptr(), later.len());
        assert_eq!(
            rc,
            rv_result::RV_TRUST_REFUSED,
            "a CRL is no OCSP response: {}",
            last_error()
        );
        assert_eq!(out, sentinel());
        let (rc, out) = add(ocsp.as_ptr(), ocsp.len());
        assert_eq!(rc, rv_result::RV_OK, "{}", last_error());
        let item: serde_json::Value = serde_json::from_str(&take(out)).unwrap();
        assert_eq!(item["kind"], "ocsp");
        assert_eq!(item["sha256"], Sha256::of(&ocsp).to_hex());
        assert_eq!(item["name"], "CN=Root CA");

        // SAFETY: the handle is not used after.
        unsafe { handle::rv_vault_free(v) };
    }
}

/// An agency-signed PDF (no vault signature: it counts for reuse by its own signature)
/// whose signer's evidence the vault lacks: pending at every travel. The refresh finds the
/// signer inside the stored PDF (its ingest check names it, the PDF carries its
/// certificate), fetches its CRL and OCSP answer, and the result is then handed out,
/// offline, for decades.
#[cfg(feature = "report")] // the PDF is the report's simple administrative document
#[test]
fn a_refresh_reaches_the_signers_inside_stored_pdfs() {
    let (crl_listener, crl_port) = Server::bind();
    let ocsp_port = free_port();
    let office = Office::new(crl_port, ocsp_port);
    let later = office.later_crl();
    let mut crl_server = Server::start(crl_listener, crl_answer(&later));
    let vault = office.bare_vault(None);
    let v = &vault.vault;
    let unsigned = results_vault::pdf::report::document(
        "UBND PHƯỜNG HẢI CHÂU",
        "TRÍCH LỤC KHAI SINH",
        &[("Họ, chữ đệm, tên", "NGUYỄN VĂN AN"), ("Số", "77/TLKS")],
        OffsetDateTime::UNIX_EPOCH,
    )
    .unwrap();
    let signed_at = datetime!(2026-11-01 09:00 UTC);
    let pdf = results_vault::pdf::sign::sign_pdf(&unsigned, &office.officer, "Signature1", signed_at).unwrap();
    let mut meta = birth_extract("R-PDF-1");
    meta.media_type = "application/pdf".into();
    let id = v.ingest(meta, &pdf).unwrap().record.result_id;
    for at in TRAVELS {
        assert_eq!(judged(v, &id, at), PENDING, "at {at}");
    }

    let responder = Responder::start(&office.pki, ocsp_port, "root", 1);
    let report = v.refresh_revocation(&fetcher()).unwrap();
    drop(responder);
    let crl = source(&report, TrustItemKind::Crl);
    let ocsp = source(&report, TrustItemKind::Ocsp);
    assert_eq!((crl.about.as_str(), ocsp.about.as_str()), ("CN=officer", "CN=officer"));
    assert_eq!(added(crl), Sha256::of(&later));
    added(ocsp);
    assert_eq!(crl_server.requests(), 1);

    crl_server.stop();
    for at in TRAVELS {
        assert_eq!(judged(v, &id, at), PASSED, "offline at {at}");
    }
}
