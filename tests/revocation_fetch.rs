//! The revocation fetcher (`results_vault::remote::fetch`) against real peers: CRLs made by
//! `openssl ca`, OCSP answers from the real `openssl ocsp` responder, and a tiny HTTP
//! server on 127.0.0.1 that misbehaves on purpose (HTML, redirects, 100 MB, silence).
#![cfg(feature = "remote")]

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use common::pki::{openssl, Pki};
use der::Decode;
use results_vault::remote::fetch::{FetchError, FetchOptions, RevocationFetcher};
use results_vault::verify::locations::{crl_uris as crl_urls, ocsp_uris as ocsp_urls};
use x509_ocsp::{BasicOcspResponse, CertStatus, OcspRequest, OcspResponse};

/// One HTTP request as the tiny server read it.
#[derive(Debug, Default)]
struct Seen {
    /// The request line and headers.
    head: String,
    body: Vec<u8>,
}

impl Seen {
    fn header(&self, name: &str) -> Option<&str> {
        self.head.lines().find_map(|line| {
            let (n, v) = line.split_once(':')?;
            n.trim().eq_ignore_ascii_case(name).then(|| v.trim())
        })
    }
}

fn read_request(stream: &mut TcpStream) -> Seen {
    let mut buf = Vec::new();
    let mut byte = [0u8; 1];
    while !buf.ends_with(b"\r\n\r\n") {
        match stream.read(&mut byte) {
            Ok(1) => buf.push(byte[0]),
            _ => break,
        }
    }
    let mut seen = Seen {
        head: String::from_utf8_lossy(&buf).into_owned(),
        body: Vec::new(),
    };
    let len: usize = seen.header("content-length").and_then(|v| v.parse().ok()).unwrap_or(0);
    seen.body.resize(len, 0);
    stream.read_exact(&mut seen.body).unwrap();
    seen
}

/// Serves one connection on 127.0.0.1: reads the request, then `answer` writes what it
/// likes. Returns the base URL (`http://127.0.0.1:PORT`) and the request.
fn serve(answer: impl FnOnce(&mut TcpStream) + Send + 'static) -> (String, JoinHandle<Seen>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let handle = std::thread::spawn(move || {
        let (mut stream, _) = listener.accept().unwrap();
        let seen = read_request(&mut stream);
        answer(&mut stream);
        seen
    });
    (url, handle)
}

/// Serves one answer with `status`, `content_type` and `body`.
fn serve_body(status: &str, content_type: &str, body: Vec<u8>) -> (String, JoinHandle<Seen>) {
    let head = format!(
        "HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    serve(move |stream| {
        stream.write_all(head.as_bytes()).unwrap();
        stream.write_all(&body).unwrap();
    })
}

/// Writes `total` zero bytes after `head`, 1 MiB at a time; returns how many were written
/// before the client hung up.
fn stream_zeros(stream: &mut TcpStream, head: &str, total: u64) -> u64 {
    stream.write_all(head.as_bytes()).unwrap();
    let chunk = vec![0u8; 1024 * 1024];
    let mut written = 0;
    while written < total {
        match stream.write(&chunk) {
            Ok(n) if n > 0 => written += n as u64,
            _ => break,
        }
    }
    written
}

fn fetcher() -> RevocationFetcher {
    RevocationFetcher::new(FetchOptions::default())
}

// ---------------------------------------------------------------------------------- CRLs

#[test]
fn der_crl_comes_back_unchanged() {
    let pki = Pki::new();
    let crl = pki.crl("root");
    let (url, server) = serve_body("200 OK", "application/pkix-crl", crl.clone());
    let got = fetcher().fetch_crl(&format!("{url}/root.crl")).unwrap();
    assert_eq!(got, crl);
    let seen = server.join().unwrap();
    assert!(seen.head.starts_with("GET /root.crl HTTP/1.1\r\n"), "{}", seen.head);
    assert!(seen.header("user-agent").unwrap().starts_with("results-vault/"));
}

#[test]
fn pem_crl_is_decoded_to_der() {
    let pki = Pki::new();
    let der = pki.crl("root");
    // `openssl ca -gencrl` wrote root.crl as PEM.
    let pem = std::fs::read(pki.path("root.crl")).unwrap();
    assert!(pem.starts_with(b"-----BEGIN X509 CRL-----"));
    let (url, _server) = serve_body("200 OK", "application/x-pem-file", pem);
    assert_eq!(fetcher().fetch_crl(&format!("{url}/root.crl")).unwrap(), der);
}

#[test]
fn html_page_is_not_a_crl() {
    let page = b"<html><body>Maintenance: please come back later</body></html>".to_vec();
    let (url, _server) = serve_body("200 OK", "text/html", page);
    let err = fetcher().fetch_crl(&format!("{url}/root.crl")).unwrap_err();
    assert!(matches!(err, FetchError::NotACrl), "{err:?}");
    assert!(!err.to_string().contains("Maintenance"), "a body in the message: {err}");
}

#[test]
fn crl_with_trailing_bytes_is_not_a_crl() {
    let pki = Pki::new();
    let mut crl = pki.crl("root");
    crl.extend_from_slice(b"extra");
    let (url, _server) = serve_body("200 OK", "application/pkix-crl", crl);
    let err = fetcher().fetch_crl(&format!("{url}/root.crl")).unwrap_err();
    assert!(matches!(err, FetchError::NotACrl), "{err:?}");
}

#[test]
fn redirect_is_not_followed() {
    // Where the redirect points: nobody may connect there.
    let target = TcpListener::bind("127.0.0.1:0").unwrap();
    let location = format!("http://{}/root.crl", target.local_addr().unwrap());
    let (url, _server) = serve(move |stream| {
        let head = format!("HTTP/1.1 302 Found\r\nLocation: {location}\r\nContent-Length: 0\r\n\r\n");
        stream.write_all(head.as_bytes()).unwrap();
    });
    let err = fetcher().fetch_crl(&format!("{url}/root.crl")).unwrap_err();
    assert!(matches!(err, FetchError::Redirect { status: 302 }), "{err:?}");
    target.set_nonblocking(true).unwrap();
    assert!(target.accept().is_err(), "the redirect was followed");
}

#[test]
fn huge_body_with_content_length_is_refused_quickly() {
    const HUNDRED_MB: u64 = 100 * 1024 * 1024;
    let (url, server) = serve(|stream| {
        let head =
            format!("HTTP/1.1 200 OK\r\nContent-Type: application/pkix-crl\r\nContent-Length: {HUNDRED_MB}\r\n\r\n");
        stream_zeros(stream, &head, HUNDRED_MB);
    });
    let start = Instant::now();
    let err = fetcher().fetch_crl(&format!("{url}/big.crl")).unwrap_err();
    assert!(
        matches!(err, FetchError::TooLarge { limit } if limit == 32 * 1024 * 1024),
        "{err:?}"
    );
    assert!(start.elapsed() < Duration::from_secs(5), "took {:?}", start.elapsed());
    server.join().unwrap();
}

#[test]
fn huge_body_without_length_stops_at_the_limit() {
    const HUNDRED_MB: u64 = 100 * 1024 * 1024;
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/big.crl", listener.local_addr().unwrap());
    // A close-delimited body: only the read limit can stop it.
    let server = std::thread::spawn(move || {
        let (mut stream, _) = listener.accept().unwrap();
        read_request(&mut stream);
        stream_zeros(&mut stream, "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n", HUNDRED_MB)
    });
    let options = FetchOptions {
        max_crl_bytes: 1024 * 1024,
        ..FetchOptions::default()
    };
    let start = Instant::now();
    let err = RevocationFetcher::new(options).fetch_crl(&url).unwrap_err();
    assert!(matches!(err, FetchError::TooLarge { limit: 1048576 }), "{err:?}");
    assert!(start.elapsed() < Duration::from_secs(5), "took {:?}", start.elapsed());
    let written = server.join().unwrap();
    assert!(written < HUNDRED_MB, "the client read all {written} bytes");
}

#[test]
fn silent_server_times_out() {
    let (url, _server) = serve(|_stream| std::thread::sleep(Duration::from_secs(30)));
    let options = FetchOptions {
        timeout: Duration::from_secs(2),
        ..FetchOptions::default()
    };
    let start = Instant::now();
    let err = RevocationFetcher::new(options)
        .fetch_crl(&format!("{url}/root.crl"))
        .unwrap_err();
    assert!(matches!(err, FetchError::Timeout), "{err:?}");
    assert!(start.elapsed() < Duration::from_secs(10), "took {:?}", start.elapsed());
}

#[test]
fn not_found_is_an_http_status() {
    let (url, _server) = serve_body("404 Not Found", "text/plain", b"no such CRL".to_vec());
    let err = fetcher().fetch_crl(&format!("{url}/root.crl")).unwrap_err();
    assert!(matches!(err, FetchError::HttpStatus(404)), "{err:?}");
}

#[test]
fn other_schemes_and_userinfo_are_refused_before_connecting() {
    for url in [
        "ldap://127.0.0.1/cn=Root%20CA?certificateRevocationList",
        "file:///etc/passwd",
        "FTP://127.0.0.1/root.crl",
    ] {
        let err = fetcher().fetch_crl(url).unwrap_err();
        assert!(matches!(err, FetchError::UnsupportedScheme(_)), "{url}: {err:?}");
    }
    let err = fetcher().fetch_crl("ldap://127.0.0.1/cn=x").unwrap_err();
    assert!(
        matches!(&err, FetchError::UnsupportedScheme(s) if s == "ldap"),
        "{err:?}"
    );
    let err = fetcher().fetch_ocsp("ldap://127.0.0.1/", b"", b"").unwrap_err();
    assert!(matches!(err, FetchError::UnsupportedScheme(_)), "{err:?}");

    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let err = fetcher()
        .fetch_crl(&format!("http://user:secret@127.0.0.1:{port}/root.crl"))
        .unwrap_err();
    assert!(matches!(err, FetchError::InvalidUrl(_)), "{err:?}");
    assert!(!err.to_string().contains("secret"), "{err}");
    listener.set_nonblocking(true).unwrap();
    assert!(listener.accept().is_err(), "connected despite the userinfo");
}

// ---------------------------------------------------------------------------------- OCSP

/// A free port on 127.0.0.1 (bound, then released for the responder).
fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// The real `openssl ocsp` responder for the PKI's root, answering one request and saving
/// it to `served-req.der`. Returns once it listens (it prints `ACCEPT` then).
fn openssl_responder(pki: &Pki, port: u16) -> Child {
    let mut child = Command::new("openssl")
        .current_dir(pki.dir.path())
        .args(["ocsp", "-index", "index.txt", "-port", &port.to_string()])
        .args(["-rsigner", "root.pem", "-rkey", "root.key", "-CA", "root.pem"])
        .args(["-nrequest", "1", "-reqout", "served-req.der"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("openssl not found");
    // A probe connection would use up the one request: wait for openssl's own word.
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    assert!(line.starts_with("ACCEPT"), "openssl ocsp said {line:?}");
    child
}

/// An OCSP response made offline by openssl for a request of openssl's (with its own nonce,
/// or none with `-no_nonce`).
fn offline_response(pki: &Pki, name: &str, request_options: &[&str]) -> Vec<u8> {
    let (req, resp) = (format!("{name}-req.der"), format!("{name}-resp.der"));
    let mut args = vec!["ocsp", "-issuer", "root.pem", "-cert", "signer.pem", "-reqout", &req];
    args.extend(request_options);
    assert!(openssl(pki.dir.path(), &args));
    let respond = [
        "ocsp",
        "-index",
        "index.txt",
        "-rsigner",
        "root.pem",
        "-rkey",
        "root.key",
        "-CA",
        "root.pem",
        "-reqin",
        &req,
        "-respout",
        &resp,
    ];
    assert!(openssl(pki.dir.path(), &respond));
    std::fs::read(pki.path(&resp)).unwrap()
}

fn ocsp_body(seen: &Seen) -> OcspRequest {
    assert!(seen.head.starts_with("POST / HTTP/1.1\r\n"), "{}", seen.head);
    assert_eq!(seen.header("content-type"), Some("application/ocsp-request"));
    OcspRequest::from_der(&seen.body).expect("a DER OCSPRequest")
}

#[test]
fn openssl_responder_answers_our_request_with_our_nonce() {
    let pki = Pki::new();
    let port = free_port();
    let mut responder = openssl_responder(&pki, port);
    let result = fetcher().fetch_ocsp(&format!("http://127.0.0.1:{port}/"), &pki.signer, &pki.root);
    let status = responder.wait().unwrap();
    let der = result.unwrap();
    assert!(status.success());

    let request = OcspRequest::from_der(&std::fs::read(pki.path("served-req.der")).unwrap()).unwrap();
    let sent = request
        .nonce()
        .map(|n| n.0.as_bytes().to_vec())
        .expect("a nonce in the request");
    assert_eq!(sent.len(), 16);

    let response = OcspResponse::from_der(&der).unwrap();
    let basic = BasicOcspResponse::from_der(response.response_bytes.unwrap().response.as_bytes()).unwrap();
    let echoed = basic
        .nonce()
        .map(|n| n.0.as_bytes().to_vec())
        .expect("openssl echoes the nonce");
    assert_eq!(echoed, sent);
    // The responder found the signer in its index: our CertID is right.
    let single = &basic.tbs_response_data.responses[0];
    assert!(
        matches!(single.cert_status, CertStatus::Good(_)),
        "{:?}",
        single.cert_status
    );

    // And it is the CertID openssl itself builds (SHA-1, same hashes and serial).
    let reference = offline_request(&pki);
    assert_eq!(request.tbs_request.request_list.len(), 1);
    assert_eq!(request.tbs_request.request_list[0].req_cert, reference);
    // openssl reads our request as we meant it.
    let out = Command::new("openssl")
        .current_dir(pki.dir.path())
        .args(["ocsp", "-reqin", "served-req.der", "-req_text"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("Hash Algorithm: sha1"), "{text}");
    assert!(text.contains("OCSP Nonce"), "{text}");
}

/// The CertID of `openssl ocsp -issuer root.pem -cert signer.pem` (SHA-1, no nonce).
fn offline_request(pki: &Pki) -> x509_ocsp::CertId {
    let args = [
        "ocsp",
        "-issuer",
        "root.pem",
        "-sha1",
        "-cert",
        "signer.pem",
        "-no_nonce",
        "-reqout",
        "ref-req.der",
    ];
    assert!(openssl(pki.dir.path(), &args));
    let request = OcspRequest::from_der(&std::fs::read(pki.path("ref-req.der")).unwrap()).unwrap();
    request.tbs_request.request_list[0].req_cert.clone()
}

#[test]
fn response_to_another_nonce_is_refused() {
    let pki = Pki::new();
    let foreign = offline_response(&pki, "other", &[]);
    let (url, server) = serve_body("200 OK", "application/ocsp-response", foreign);
    let err = fetcher()
        .fetch_ocsp(&format!("{url}/"), &pki.signer, &pki.root)
        .unwrap_err();
    assert!(matches!(err, FetchError::NonceMismatch), "{err:?}");
    ocsp_body(&server.join().unwrap());
}

#[test]
fn response_without_nonce_is_accepted() {
    let pki = Pki::new();
    let pre_produced = offline_response(&pki, "plain", &["-no_nonce"]);
    let (url, server) = serve_body("200 OK", "application/ocsp-response", pre_produced.clone());
    let got = fetcher()
        .fetch_ocsp(&format!("{url}/"), &pki.signer, &pki.root)
        .unwrap();
    assert_eq!(got, pre_produced);
    let request = ocsp_body(&server.join().unwrap());
    assert_eq!(
        request.nonce().map(|n| n.0.as_bytes().to_vec()).map(|n| n.len()),
        Some(16)
    );
}

#[test]
fn try_later_is_an_ocsp_status() {
    let pki = Pki::new();
    let (url, _server) = serve_body(
        "200 OK",
        "application/ocsp-response",
        vec![0x30, 0x03, 0x0a, 0x01, 0x03],
    );
    let err = fetcher()
        .fetch_ocsp(&format!("{url}/"), &pki.signer, &pki.root)
        .unwrap_err();
    assert!(
        matches!(&err, FetchError::OcspStatus(name) if name == "tryLater"),
        "{err:?}"
    );
}

#[test]
fn html_is_not_an_ocsp_response() {
    let pki = Pki::new();
    let page = b"<html><body>OCSP service</body></html>".to_vec();
    let (url, _server) = serve_body("200 OK", "text/html", page);
    let err = fetcher()
        .fetch_ocsp(&format!("{url}/"), &pki.signer, &pki.root)
        .unwrap_err();
    assert!(matches!(err, FetchError::NotAnOcspResponse), "{err:?}");
}

#[test]
fn ocsp_body_over_its_limit_is_refused() {
    let pki = Pki::new();
    let (url, _server) = serve_body("200 OK", "application/ocsp-response", vec![0x30; 4096]);
    let options = FetchOptions {
        max_ocsp_bytes: 1024,
        ..FetchOptions::default()
    };
    let err = RevocationFetcher::new(options)
        .fetch_ocsp(&format!("{url}/"), &pki.signer, &pki.root)
        .unwrap_err();
    assert!(matches!(err, FetchError::TooLarge { limit: 1024 }), "{err:?}");
}

// ------------------------------------------------------------------------ URLs in a cert

#[test]
fn urls_come_from_the_certificate() {
    let pki = Pki::new();
    let cert = pki.issue_with_extensions(
        "withurls",
        "basicConstraints = critical, CA:FALSE\n\
         crlDistributionPoints = URI:http://127.0.0.1:1/root.crl\n\
         authorityInfoAccess = OCSP;URI:http://127.0.0.1:2/, caIssuers;URI:http://127.0.0.1:3/root.cer",
    );
    assert_eq!(crl_urls(&cert), ["http://127.0.0.1:1/root.crl"]);
    assert_eq!(ocsp_urls(&cert), ["http://127.0.0.1:2/"]);
    // The signer has neither extension; garbage has nothing.
    assert!(crl_urls(&pki.signer).is_empty());
    assert!(ocsp_urls(&pki.signer).is_empty());
    assert!(crl_urls(b"not a certificate").is_empty());
    assert!(ocsp_urls(b"not a certificate").is_empty());
}

#[test]
fn several_distribution_points_are_all_listed() {
    let pki = Pki::new();
    let cert = pki.issue_with_extensions(
        "twocdps",
        "crlDistributionPoints = URI:http://127.0.0.1:1/a.crl, URI:ldap://127.0.0.1/cn=Root\n\
         authorityInfoAccess = OCSP;URI:http://127.0.0.1:2/, OCSP;URI:http://127.0.0.1:4/",
    );
    assert_eq!(
        crl_urls(&cert),
        ["http://127.0.0.1:1/a.crl", "ldap://127.0.0.1/cn=Root"]
    );
    assert_eq!(ocsp_urls(&cert), ["http://127.0.0.1:2/", "http://127.0.0.1:4/"]);
}
