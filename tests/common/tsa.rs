//! Real PKI peers on loopback for timestamp and revocation tests: an RFC 3161 TSA
//! (`openssl ts -reply`, one run per request), an OCSP responder (`openssl ocsp` over the
//! CA's `index.txt`, one run per request) and a CRL download point, all behind one
//! tiny_http server on 127.0.0.1:0 serving files of a PKI directory (a [`super::pki::Pki`]).
//!
//! Routes (names are file stems in the directory, `[A-Za-z0-9._-]` only):
//! - `POST /tsa/{name}`: a TimeStampResp signed with `{name}.key` / `{name}.pem`
//!   (`openssl ts -reply`, config [`TS_CONFIG`] written as `ts.cnf`, serial file `tsaserial`);
//! - `POST /ocsp/{name}`: an OCSPResponse by responder `{name}.pem` / `{name}.key` for the
//!   root's certificates, from `index.txt` as it stands at the request (`-ndays 7`);
//! - `GET /crl/{file}`: the bytes of `{file}` (e.g. `root.crl.der`).
//!
//! Every request is logged; [`LoopbackPeers::stop`] closes the port and returns the log,
//! so a test can show the peers were asked and that nothing is reachable afterwards.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

/// The `openssl ts` configuration of the TSA (RFC 3161 policy 1.2.3.4.1, SHA-256 ESS
/// signing-certificate-v2, accuracy one second).
pub const TS_CONFIG: &str = "
[ tsa ]
default_tsa = tsa_config
[ tsa_config ]
dir = .
serial = ./tsaserial
signer_digest = sha256
default_policy = 1.2.3.4.1
other_policies = 1.2.3.4.5
digests = sha1, sha256, sha384, sha512
accuracy = secs:1
ordering = no
tsa_name = no
ess_cert_id_chain = no
ess_cert_id_alg = sha256
";

/// One request as the peers received it and what they answered.
#[derive(Debug, Clone)]
pub struct Served {
    /// `GET` or `POST`.
    pub method: String,
    /// The request's path, e.g. `/tsa/tsa`.
    pub path: String,
    /// The HTTP status answered (200, or 404 / 500 when openssl or the route failed).
    pub status: u16,
}

/// The running peers; dropping them stops the server too.
pub struct LoopbackPeers {
    base: String,
    addr: std::net::SocketAddr,
    log: Arc<Mutex<Vec<Served>>>,
    server: Option<Arc<tiny_http::Server>>,
    thread: Option<JoinHandle<()>>,
}

impl LoopbackPeers {
    /// Serves the PKI in `dir` (which must hold `root.pem` and `index.txt`; certificates
    /// and keys may be added after the start, they are read per request).
    pub fn start(dir: &Path) -> LoopbackPeers {
        std::fs::write(dir.join("ts.cnf"), TS_CONFIG).unwrap();
        if !dir.join("tsaserial").exists() {
            std::fs::write(dir.join("tsaserial"), "01\n").unwrap();
        }
        let server = Arc::new(tiny_http::Server::http("127.0.0.1:0").expect("bind 127.0.0.1:0"));
        let addr = server.server_addr().to_ip().expect("an IP address");
        let port = addr.port();
        let log = Arc::new(Mutex::new(Vec::new()));
        let (srv, served, dir) = (server.clone(), log.clone(), dir.to_path_buf());
        let thread = std::thread::spawn(move || {
            // `unblock` (in stop/drop) ends this loop.
            for mut request in srv.incoming_requests() {
                let mut body = Vec::new();
                let _ = request.as_reader().read_to_end(&mut body);
                let (method, path) = (request.method().to_string(), request.url().to_owned());
                let (status, content_type, answer) = answer(&dir, &method, &path, &body);
                served.lock().unwrap().push(Served { method, path, status });
                let header = tiny_http::Header::from_bytes("Content-Type", content_type).unwrap();
                let response = tiny_http::Response::from_data(answer)
                    .with_status_code(status)
                    .with_header(header);
                let _ = request.respond(response);
            }
        });
        LoopbackPeers {
            base: format!("http://127.0.0.1:{port}"),
            addr,
            log,
            server: Some(server),
            thread: Some(thread),
        }
    }

    /// `http://127.0.0.1:{port}{path}`; `path` starts with `/`.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// The address the peers listen on.
    pub fn addr(&self) -> std::net::SocketAddr {
        self.addr
    }

    /// The requests served so far.
    pub fn served(&self) -> Vec<Served> {
        self.log.lock().unwrap().clone()
    }

    /// Stops the server (the port is closed when this returns) and returns every request
    /// served.
    pub fn stop(mut self) -> Vec<Served> {
        self.shutdown();
        self.served()
    }

    fn shutdown(&mut self) {
        let Some(server) = self.server.take() else {
            return;
        };
        server.unblock();
        if let Some(thread) = self.thread.take() {
            thread.join().expect("the peers' thread panicked");
        }
        drop(server);
        // tiny_http's accept thread only sees that the server is gone at its next
        // connection: make one, then wait until the port is closed.
        for _ in 0..50 {
            let timeout = std::time::Duration::from_millis(200);
            if std::net::TcpStream::connect_timeout(&self.addr, timeout).is_err() {
                return;
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        panic!("the loopback peers still listen on {}", self.addr);
    }
}

impl Drop for LoopbackPeers {
    fn drop(&mut self) {
        self.shutdown();
    }
}

fn safe(name: &str) -> bool {
    !name.is_empty()
        && !name.starts_with('.')
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
}

/// Runs openssl in `dir` with `request` as input file `{stem}.req`; returns the output
/// file `{stem}.resp`, or openssl's error.
fn run_openssl(dir: &Path, request: &[u8], args: impl Fn(&str, &str) -> Vec<String>) -> Result<Vec<u8>, String> {
    static N: AtomicUsize = AtomicUsize::new(0);
    let n = N.fetch_add(1, Ordering::SeqCst);
    let (req, resp) = (format!("peer{n}.req"), format!("peer{n}.resp"));
    std::fs::write(dir.join(&req), request).map_err(|e| e.to_string())?;
    let out = Command::new("openssl")
        .current_dir(dir)
        .args(args(&req, &resp))
        .output()
        .expect("openssl not found");
    if !out.status.success() {
        let said = String::from_utf8_lossy(&out.stderr).into_owned();
        eprintln!("loopback peer: openssl failed: {said}");
        return Err(said);
    }
    std::fs::read(dir.join(&resp)).map_err(|e| e.to_string())
}

fn answer(dir: &Path, method: &str, path: &str, body: &[u8]) -> (u16, &'static str, Vec<u8>) {
    let mut parts = path.trim_start_matches('/').splitn(2, '/');
    let (route, name) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
    let not_found = (404, "text/plain", b"no such peer".to_vec());
    if !safe(name) {
        return not_found;
    }
    let pem = |ext: &str| -> PathBuf { dir.join(format!("{name}.{ext}")) };
    let result = match (method, route) {
        ("POST", "tsa") if pem("pem").exists() => run_openssl(dir, body, |req, resp| {
            let (signer, key) = (format!("{name}.pem"), format!("{name}.key"));
            [
                "ts",
                "-reply",
                "-config",
                "ts.cnf",
                "-queryfile",
                req,
                "-signer",
                &signer,
            ]
            .into_iter()
            .chain(["-inkey", &key, "-out", resp])
            .map(String::from)
            .collect()
        })
        .map(|r| ("application/timestamp-reply", r)),
        ("POST", "ocsp") if pem("pem").exists() => run_openssl(dir, body, |req, resp| {
            let (signer, key) = (format!("{name}.pem"), format!("{name}.key"));
            [
                "ocsp",
                "-index",
                "index.txt",
                "-CA",
                "root.pem",
                "-rsigner",
                &signer,
                "-rkey",
                &key,
            ]
            .into_iter()
            .chain(["-reqin", req, "-respout", resp, "-ndays", "7"])
            .map(String::from)
            .collect()
        })
        .map(|r| ("application/ocsp-response", r)),
        ("GET", "crl") => std::fs::read(dir.join(name))
            .map(|r| ("application/pkix-crl", r))
            .map_err(|e| e.to_string()),
        _ => return not_found,
    };
    match result {
        Ok((content_type, bytes)) => (200, content_type, bytes),
        Err(e) => (500, "text/plain", e.into_bytes()),
    }
}
