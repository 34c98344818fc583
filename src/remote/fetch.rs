//! Fetching revocation data: CRLs from a certificate's CRL distribution points and OCSP
//! responses from its responders (RFC 5280 §4.2.1.13, RFC 6960).
//!
//! This module only brings bytes home and checks that they are what they claim to be (a
//! CRL, an OCSP response answering our nonce). It checks no signature: the vault verifies
//! a CRL before it keeps it, and the engine ([`crate::verify`]) judges OCSP responses.
//!
//! Plain `http://` is allowed as well as `https://`: CRLs and OCSP responses are signed
//! objects, and the standards publish them over plain HTTP (RFC 5280 §4.2.1.13 and
//! RFC 6960 Appendix A; most CAs' distribution points and responders are `http://` only,
//! and an `https://` one would need revocation data to check its own certificate).
//! Nothing else is fetched: not `ldap:`, `file:` or `ftp:`.
//!
//! No error message ever carries a response body: a server's page says nothing useful and
//! may say anything.

use std::time::Duration;

use base64::Engine;
use der::asn1::OctetString;
use der::{Decode, Encode};
use ring::rand::SecureRandom;
use x509_ocsp::{BasicOcspResponse, CertId, OcspRequest, OcspResponse, OcspResponseStatus, Request, TbsRequest};
use x509_parser::prelude::{FromDer, X509Certificate};
use x509_parser::revocation_list::CertificateRevocationList;

/// id-pkix-ocsp-nonce (1.3.6.1.5.5.7.48.1.2).
const NONCE_OID: der::asn1::ObjectIdentifier = der::asn1::ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.48.1.2");
/// id-pkix-ocsp-basic (1.3.6.1.5.5.7.48.1.1): the only response type RFC 6960 defines.
const BASIC_OID: der::asn1::ObjectIdentifier = der::asn1::ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.48.1.1");
/// AlgorithmIdentifier { sha1, NULL }: the CertID hash every responder supports
/// (RFC 5019 §2.1.1 makes it the one lightweight responders must accept).
const SHA1_ALGORITHM: &[u8] = &[0x30, 0x09, 0x06, 0x05, 0x2b, 0x0e, 0x03, 0x02, 0x1a, 0x05, 0x00];
/// Nonce length: RFC 8954 §2.1 asks for 1 to 32 octets and recommends 32 or fewer; 16 is
/// what OpenSSL and most clients send, and some responders refuse longer ones.
const NONCE_LEN: usize = 16;

/// How a [`RevocationFetcher`] talks to servers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FetchOptions {
    /// The whole exchange (connect, request, response, body) must finish within this
    /// (default 10 s): a responder that hangs must not hang the vault.
    pub timeout: Duration,
    /// Largest CRL body read (default 32 MiB: national CAs' full CRLs reach a few MiB).
    pub max_crl_bytes: u64,
    /// Largest OCSP response body read (default 1 MiB; a real one is a few KiB).
    pub max_ocsp_bytes: u64,
}

impl Default for FetchOptions {
    fn default() -> Self {
        FetchOptions {
            timeout: Duration::from_secs(10),
            max_crl_bytes: 32 * 1024 * 1024,
            max_ocsp_bytes: 1024 * 1024,
        }
    }
}

/// Why revocation data could not be fetched. Messages never include response bodies.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum FetchError {
    /// The URL's scheme is not `http` or `https` (e.g. `ldap`, `file`, `ftp`).
    #[error("unsupported URL scheme {0:?}: only http and https revocation URLs are fetched")]
    UnsupportedScheme(String),
    /// The URL is not one this client fetches (user information before the host, no
    /// host, not a valid URI).
    #[error("invalid revocation URL: {0}")]
    InvalidUrl(String),
    /// A certificate handed to [`RevocationFetcher::fetch_ocsp`] could not be read.
    #[error("cannot build the OCSP request: {0}")]
    InvalidCertificate(String),
    /// The server did not answer within [`FetchOptions::timeout`].
    #[error("the server did not answer in time")]
    Timeout,
    /// The server answered with a redirect, which is not followed (a distribution point
    /// names the place to fetch from; a redirect could lead anywhere, `file:` included).
    #[error("the server answered with a redirect (HTTP {status}), which is not followed")]
    Redirect {
        /// The 3xx status.
        status: u16,
    },
    /// The server answered with a status other than 200.
    #[error("the server answered HTTP {0}")]
    HttpStatus(u16),
    /// The body is larger than the configured limit; reading stopped there.
    #[error("the answer is larger than the limit of {limit} bytes")]
    TooLarge {
        /// The limit, in bytes.
        limit: u64,
    },
    /// The body is neither a DER CRL nor a PEM `X509 CRL` block.
    #[error("the answer is not a CRL (neither DER nor PEM \"X509 CRL\")")]
    NotACrl,
    /// The body is not a DER OCSPResponse.
    #[error("the answer is not an OCSP response")]
    NotAnOcspResponse,
    /// The responder answered with an unsuccessful responseStatus (its RFC 6960 name,
    /// e.g. `tryLater`, `unauthorized`).
    #[error("the OCSP responder answered {0}")]
    OcspStatus(String),
    /// The response carries a nonce other than the one sent (a replayed or misdirected
    /// response).
    #[error("the OCSP response's nonce is not the one sent")]
    NonceMismatch,
    /// The request could not be built (no system randomness, an encoding failure).
    #[error("internal error: {0}")]
    Internal(String),
    /// The connection failed (DNS, refused, reset, TLS).
    #[error("network error: {0}")]
    Network(String),
}

/// A blocking HTTP client for CRLs and OCSP responses: one timeout for the whole exchange,
/// no redirects, bounded bodies. Cheap to share (`&self` methods; connections are pooled).
#[derive(Debug)]
pub struct RevocationFetcher {
    agent: ureq::Agent,
    options: FetchOptions,
}

impl RevocationFetcher {
    /// A fetcher with `options` (see [`FetchOptions::default`]).
    pub fn new(options: FetchOptions) -> RevocationFetcher {
        let agent = ureq::Agent::config_builder()
            .timeout_global(Some(options.timeout))
            // Statuses are ours to judge, and a 3xx must come back as is: with
            // max_redirects 0 ureq returns it rather than following.
            .http_status_as_error(false)
            .max_redirects(0)
            .user_agent(format!("results-vault/{}", crate::VERSION))
            .build()
            .into();
        RevocationFetcher { agent, options }
    }

    /// The options this fetcher was made with.
    pub fn options(&self) -> &FetchOptions {
        &self.options
    }

    /// GETs the CRL at `url` and returns it as DER (a PEM `X509 CRL` answer is decoded).
    ///
    /// Only HTTP 200 is accepted; the body is read up to [`FetchOptions::max_crl_bytes`].
    /// The CRL's signature is **not** checked here: the vault does that before keeping it.
    pub fn fetch_crl(&self, url: &str) -> Result<Vec<u8>, FetchError> {
        check_url(url)?;
        let mut response = self.agent.get(url).call().map_err(transport)?;
        let body = read_body(&mut response, self.options.max_crl_bytes)?;
        crl_der(&body).ok_or(FetchError::NotACrl)
    }

    /// POSTs an OCSP request (RFC 6960 §4.1.1, Appendix A.1) for `cert_der`, issued by
    /// `issuer_der`, to `url`, and returns the DER OCSPResponse.
    ///
    /// The request names the certificate by a SHA-1 CertID and carries a fresh 16-byte
    /// nonce (RFC 8954). The answer must be a successful OCSPResponse; if it carries a
    /// nonce, it must be ours. A response without a nonce is accepted: many CAs serve
    /// pre-produced responses, whose freshness the engine judges by thisUpdate. Neither the
    /// response's signature nor its CertID is checked here (that is the engine's job).
    pub fn fetch_ocsp(&self, url: &str, cert_der: &[u8], issuer_der: &[u8]) -> Result<Vec<u8>, FetchError> {
        check_url(url)?;
        let mut nonce = [0u8; NONCE_LEN];
        ring::rand::SystemRandom::new()
            .fill(&mut nonce)
            .map_err(|_| FetchError::Internal("no system randomness for the OCSP nonce".into()))?;
        let request = ocsp_request(cert_der, issuer_der, &nonce)?;
        let mut response = self
            .agent
            .post(url)
            .header("Content-Type", "application/ocsp-request")
            .header("Accept", "application/ocsp-response")
            .send(&request[..])
            .map_err(transport)?;
        let body = read_body(&mut response, self.options.max_ocsp_bytes)?;
        check_ocsp_response(&body, &nonce)?;
        Ok(body)
    }
}

/// The vault's refresh ([`crate::Vault::refresh_revocation`]) fetches through this client;
/// the URLs come from [`crate::verify::locations`].
impl crate::vault::RevocationSource for RevocationFetcher {
    fn crl(&self, url: &str) -> Result<Vec<u8>, String> {
        self.fetch_crl(url).map_err(|e| e.to_string())
    }

    fn ocsp(&self, url: &str, cert: &[u8], issuer: &[u8]) -> Result<Vec<u8>, String> {
        self.fetch_ocsp(url, cert, issuer).map_err(|e| e.to_string())
    }
}

/// Refuses what must not be fetched before any connection is made.
fn check_url(url: &str) -> Result<(), FetchError> {
    let Some((scheme, rest)) = url.split_once(':') else {
        return Err(FetchError::InvalidUrl("no scheme".into()));
    };
    let scheme = scheme.to_ascii_lowercase();
    if scheme != "http" && scheme != "https" {
        // The scheme comes from a certificate: keep the message short.
        return Err(FetchError::UnsupportedScheme(scheme.chars().take(32).collect()));
    }
    let Some(rest) = rest.strip_prefix("//") else {
        return Err(FetchError::InvalidUrl("no host".into()));
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    // `http://good@evil/` connects to `evil`, and userinfo may be a password: refused,
    // and not repeated in the message.
    if authority.contains('@') {
        return Err(FetchError::InvalidUrl(
            "user information (user@host) is not allowed".into(),
        ));
    }
    if authority.is_empty() {
        return Err(FetchError::InvalidUrl("no host".into()));
    }
    Ok(())
}

/// Maps ureq's error; its messages name no body.
fn transport(e: ureq::Error) -> FetchError {
    match e {
        ureq::Error::Timeout(_) => FetchError::Timeout,
        ureq::Error::Io(io) if io.kind() == std::io::ErrorKind::TimedOut => FetchError::Timeout,
        ureq::Error::BadUri(_) => FetchError::InvalidUrl("not a valid URI".into()),
        e => FetchError::Network(e.to_string()),
    }
}

/// Judges the status, then reads at most `limit` bytes of the body.
fn read_body(response: &mut ureq::http::Response<ureq::Body>, limit: u64) -> Result<Vec<u8>, FetchError> {
    let status = response.status().as_u16();
    if (300..400).contains(&status) {
        return Err(FetchError::Redirect { status });
    }
    if status != 200 {
        return Err(FetchError::HttpStatus(status));
    }
    // A declared length over the limit is refused before reading a byte.
    if response.body().content_length().is_some_and(|n| n > limit) {
        return Err(FetchError::TooLarge { limit });
    }
    // Otherwise ureq stops one byte past the limit (chunked or close-delimited bodies).
    response
        .body_mut()
        .with_config()
        .limit(limit)
        .read_to_vec()
        .map_err(|e| match e {
            ureq::Error::BodyExceedsLimit(_) => FetchError::TooLarge { limit },
            e => transport(e),
        })
}

/// `body` as a DER CRL: itself when it is one, the decoded block when it is PEM.
fn crl_der(body: &[u8]) -> Option<Vec<u8>> {
    if is_der_crl(body) {
        return Some(body.to_vec());
    }
    let der = pem_block(body, "X509 CRL")?;
    is_der_crl(&der).then_some(der)
}

/// Exactly one CRL, nothing after it (trailing bytes would be unsigned and unexplained).
fn is_der_crl(der: &[u8]) -> bool {
    matches!(CertificateRevocationList::from_der(der), Ok((rest, _)) if rest.is_empty())
}

/// The first PEM block labelled `label`, decoded; text around it is ignored (RFC 7468 §2).
fn pem_block(text: &[u8], label: &str) -> Option<Vec<u8>> {
    let begin = format!("-----BEGIN {label}-----");
    let end = format!("-----END {label}-----");
    let start = memchr::memmem::find(text, begin.as_bytes())? + begin.len();
    let len = memchr::memmem::find(&text[start..], end.as_bytes())?;
    let b64: Vec<u8> = text[start..start + len]
        .iter()
        .copied()
        .filter(|b| !b.is_ascii_whitespace())
        .collect();
    base64::engine::general_purpose::STANDARD.decode(b64).ok()
}

/// The DER OCSPRequest for `cert_der` issued by `issuer_der`, with `nonce`.
fn ocsp_request(cert_der: &[u8], issuer_der: &[u8], nonce: &[u8]) -> Result<Vec<u8>, FetchError> {
    let bad = |what: &str| FetchError::InvalidCertificate(format!("the {what} is not a DER X.509 certificate"));
    let (_, cert) = X509Certificate::from_der(cert_der).map_err(|_| bad("certificate"))?;
    let (_, issuer) = X509Certificate::from_der(issuer_der).map_err(|_| bad("issuer certificate"))?;
    let sha1 = |data: &[u8]| {
        let digest = ring::digest::digest(&ring::digest::SHA1_FOR_LEGACY_USE_ONLY, data);
        OctetString::new(digest.as_ref()).map_err(encoding)
    };
    // RFC 6960 §4.1.1: the hash of the issuer's DN as it appears in the certificate's
    // issuer field, and of the issuer key's BIT STRING value (tag, length and unused-bits
    // octet excluded).
    let issuer_name_hash = sha1(cert.issuer().as_raw())?;
    let issuer_key_hash = sha1(&issuer.public_key().subject_public_key.data)?;
    // x509-cert's types are not named in this crate's dependencies: decode them from DER.
    let serial_der = der::asn1::AnyRef::new(der::Tag::Integer, cert.raw_serial())
        .and_then(|any| any.to_der())
        .map_err(encoding)?;
    let serial_number = Decode::from_der(&serial_der)
        .map_err(|_| FetchError::InvalidCertificate("the certificate's serial number is not a DER INTEGER".into()))?;
    let cert_id = CertId {
        hash_algorithm: Decode::from_der(SHA1_ALGORITHM).map_err(encoding)?,
        issuer_name_hash,
        issuer_key_hash,
        serial_number,
    };
    // RFC 8954 §2.1: extnValue is an OCTET STRING holding the DER of Nonce ::= OCTET STRING.
    let nonce_value = OctetString::new(nonce).and_then(|n| n.to_der()).map_err(encoding)?;
    let extension_der = NonceExtension {
        extn_id: NONCE_OID,
        extn_value: OctetString::new(nonce_value).map_err(encoding)?,
    }
    .to_der()
    .map_err(encoding)?;
    let request = OcspRequest {
        tbs_request: TbsRequest {
            request_list: vec![Request {
                req_cert: cert_id,
                single_request_extensions: None,
            }],
            request_extensions: Some(vec![Decode::from_der(&extension_der).map_err(encoding)?]),
            ..Default::default()
        },
        optional_signature: None,
    };
    request.to_der().map_err(encoding)
}

/// An Extension with `critical` absent (DEFAULT FALSE; a responder that ignores nonces
/// must still answer, RFC 8954 §2.1), encoded here and decoded as x509-cert's Extension.
#[derive(der::Sequence)]
struct NonceExtension {
    extn_id: der::asn1::ObjectIdentifier,
    extn_value: OctetString,
}

fn encoding(e: der::Error) -> FetchError {
    FetchError::Internal(format!("OCSP request encoding: {e}"))
}

/// Checks that `body` is a successful OCSPResponse holding a BasicOCSPResponse, whose
/// nonce, if any, is `nonce`.
fn check_ocsp_response(body: &[u8], nonce: &[u8]) -> Result<(), FetchError> {
    let response = OcspResponse::from_der(body).map_err(|_| FetchError::NotAnOcspResponse)?;
    let name = match response.response_status {
        OcspResponseStatus::Successful => None,
        OcspResponseStatus::MalformedRequest => Some("malformedRequest"),
        OcspResponseStatus::InternalError => Some("internalError"),
        OcspResponseStatus::TryLater => Some("tryLater"),
        OcspResponseStatus::SigRequired => Some("sigRequired"),
        OcspResponseStatus::Unauthorized => Some("unauthorized"),
    };
    if let Some(name) = name {
        return Err(FetchError::OcspStatus(name.to_owned()));
    }
    let Some(bytes) = response.response_bytes else {
        return Err(FetchError::NotAnOcspResponse);
    };
    if bytes.response_type != BASIC_OID {
        return Err(FetchError::NotAnOcspResponse);
    }
    let basic = BasicOcspResponse::from_der(bytes.response.as_bytes()).map_err(|_| FetchError::NotAnOcspResponse)?;
    let extensions = basic
        .tbs_response_data
        .response_extensions
        .as_deref()
        .unwrap_or_default();
    let mut nonces = extensions.iter().filter(|e| e.extn_id == NONCE_OID).peekable();
    if nonces.peek().is_none() {
        return Ok(());
    }
    // Every nonce extension must be ours. RFC 8954's form is an OCTET STRING inside
    // extnValue; some older responders echo the bare bytes, which are accepted too.
    let ours =
        |value: &[u8]| value == nonce || OctetString::from_der(value).is_ok_and(|inner| inner.as_bytes() == nonce);
    if nonces.all(|e| ours(e.extn_value.as_bytes())) {
        Ok(())
    } else {
        Err(FetchError::NonceMismatch)
    }
}
