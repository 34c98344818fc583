//! An RFC 3161 timestamp client: the vault's signatures get a signature timestamp (CAdES
//! B-T) from a timestamp authority over HTTP.
//!
//! The request (RFC 3161 §2.4.1) carries a SHA-256 messageImprint of the given bytes, the
//! policy when one is configured, a fresh random 64-bit nonce and certReq TRUE (so that
//! the token carries the TSA's certificate). The answer (§2.4.2) must be granted (or
//! grantedWithMods) and its token must echo the imprint, the nonce and the policy asked
//! for. This client checks no signature: the vault verifies the token with the
//! verification engine ([`crate::verify::timestamp::check_timestamp_token_parts`]) before
//! it keeps anything.
//!
//! As for the revocation fetcher: one timeout for the whole exchange, no redirects, a
//! bounded body. Plain `http://` is taken when no credentials are configured (most TSAs
//! serve it, and the token proves itself); with credentials, `https://` only (plain
//! `http://` on the loopback interface).

use std::path::PathBuf;
use std::time::Duration;

use bcder::decode::Constructed;
use bcder::encode::Values;
use bcder::{Integer, Mode, OctetString, Oid};
use cryptographic_message_syntax::asn1::rfc3161::{MessageImprint, TimeStampReq, TstInfo};
use cryptographic_message_syntax::Bytes;
use ring::rand::SecureRandom;
use serde::Deserialize;

use super::config::Secret;
use crate::signing::{SigningError, Timestamper};
use crate::verify::crypto::DigestAlgorithm;

/// Largest answer read from a TSA (a token is a few KiB).
const MAX_REPLY_BYTES: u64 = 256 * 1024;

/// How the client authenticates to the TSA.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum TsaAuth {
    /// No credentials.
    #[default]
    None,
    /// HTTP Basic.
    Basic {
        /// The user name.
        user: String,
        /// Its password.
        password: Secret,
    },
    /// `Authorization: Bearer <token>`.
    Bearer(Secret),
}

/// Where and how to ask for timestamps.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TsaConfig {
    /// The TSA's URL: `https://…`, or plain `http://` when no credentials are configured
    /// (with credentials, plain `http://` only on 127.0.0.1 or localhost).
    pub url: String,
    /// Credentials, if the TSA asks for them.
    pub auth: TsaAuth,
    /// The TSA policy to ask for (dotted OID); the token must carry it.
    pub policy_oid: Option<String>,
    /// The whole exchange must finish within this (default 10 s).
    pub timeout: Duration,
    /// PEM roots to trust for the TSA's TLS instead of Mozilla's.
    pub ca_file: Option<PathBuf>,
}

impl TsaConfig {
    /// A configuration for `url` with no credentials, no policy and a 10 s timeout.
    pub fn new(url: impl Into<String>) -> TsaConfig {
        TsaConfig {
            url: url.into(),
            auth: TsaAuth::None,
            policy_oid: None,
            timeout: Duration::from_secs(10),
            ca_file: None,
        }
    }

    /// Reads a JSON configuration (`{"url": …, "username": …, "password": …,
    /// "bearer_token": …, "policy_oid": …, "timeout_seconds": …, "ca_file": …}`); the
    /// environment fills or overrides any field (`RVAULT_TSA_URL`, `RVAULT_TSA_PASSWORD`…).
    /// `Ok(None)` when neither gives a URL: no timestamps.
    pub fn from_json(json: &str) -> Result<Option<TsaConfig>, SigningError> {
        let bad = |m: String| SigningError::Timestamp(format!("configuration: {m}"));
        let mut fields = if json.trim().is_empty() {
            serde_json::Map::new()
        } else {
            match serde_json::from_str(json).map_err(|e| bad(crate::redact::json_error(&e)))? {
                serde_json::Value::Object(fields) => fields,
                _ => return Err(bad("must be a JSON object".into())),
            }
        };
        for (key, value) in std::env::vars() {
            if let Some(field) = key.strip_prefix("RVAULT_TSA_") {
                let field = field.to_ascii_lowercase();
                let value = match (field.as_str(), value.parse::<u64>()) {
                    ("timeout_seconds", Ok(n)) => serde_json::Value::from(n),
                    _ => serde_json::Value::String(value),
                };
                fields.insert(field, value);
            }
        }
        // RVAULT_TSA_CONFIG names the file itself.
        fields.remove("config");
        if !fields.contains_key("url") {
            return Ok(None);
        }
        let file: TsaFile = serde_json::from_value(serde_json::Value::Object(fields))
            .map_err(|e| bad(crate::redact::json_error(&e)))?;
        let auth = match (file.username, file.password, file.bearer_token) {
            (None, None, None) => TsaAuth::None,
            (Some(user), Some(password), None) => TsaAuth::Basic { user, password },
            (None, None, Some(token)) => TsaAuth::Bearer(token),
            _ => {
                return Err(bad(
                    "give username and password (HTTP Basic), or bearer_token, or neither".into(),
                ))
            }
        };
        Ok(Some(TsaConfig {
            url: file.url,
            auth,
            policy_oid: file.policy_oid,
            timeout: Duration::from_secs(file.timeout_seconds.clamp(1, 600)),
            ca_file: file.ca_file,
        }))
    }
}

impl TsaConfig {
    /// [`TsaConfig::from_json`] on a file; `None`: the environment only.
    pub fn load(file: Option<&std::path::Path>) -> Result<Option<TsaConfig>, SigningError> {
        let json = match file {
            Some(path) => std::fs::read_to_string(path).map_err(|e| {
                SigningError::Timestamp(format!("configuration {}: {e}", crate::redact::shown_path(path)))
            })?,
            None => String::new(),
        };
        TsaConfig::from_json(&json)
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TsaFile {
    url: String,
    #[serde(default)]
    username: Option<String>,
    #[serde(default)]
    password: Option<Secret>,
    #[serde(default)]
    bearer_token: Option<Secret>,
    #[serde(default)]
    policy_oid: Option<String>,
    #[serde(default = "ten")]
    timeout_seconds: u64,
    #[serde(default)]
    ca_file: Option<PathBuf>,
}

fn ten() -> u64 {
    10
}

/// A blocking RFC 3161 client. Share it in [`crate::VaultOptions::timestamper`] (an `Arc`).
pub struct TsaClient {
    http: super::http::Http,
    config: TsaConfig,
    policy: Option<Oid<Bytes>>,
}

impl std::fmt::Debug for TsaClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TsaClient").field("config", &self.config).finish()
    }
}

impl TsaClient {
    /// A client for `config`; refuses a URL that is not `https://` or `http://` (with
    /// credentials: `https://`, or loopback `http://`) and a policy that is not a dotted OID.
    pub fn new(config: TsaConfig) -> Result<TsaClient, SigningError> {
        // Credentials only over TLS (or loopback); without them plain http is allowed: the
        // token is signed, and its imprint, nonce and signer are checked.
        let http = match config.auth {
            TsaAuth::None => super::http::Http::new_plain_allowed,
            _ => super::http::Http::new,
        }("tsa", &config.url, config.timeout, config.ca_file.as_deref())
        .map_err(|e| SigningError::Timestamp(e.to_string()))?;
        let policy = config
            .policy_oid
            .as_deref()
            .map(|p| {
                p.parse::<Oid<Bytes>>()
                    .map_err(|_| SigningError::Timestamp(format!("policy_oid {p:?} is not a dotted OID")))
            })
            .transpose()?;
        Ok(TsaClient { http, config, policy })
    }

    /// The configuration it was made with.
    pub fn config(&self) -> &TsaConfig {
        &self.config
    }

    /// Asks the TSA to stamp `data` (its SHA-256 is sent) and returns the token (a DER
    /// ContentInfo), after checking the answer's status, imprint, nonce and policy.
    pub fn timestamp(&self, data: &[u8]) -> Result<Vec<u8>, SigningError> {
        let imprint = DigestAlgorithm::Sha256.digest(data);
        let mut nonce = [0u8; 8];
        ring::rand::SystemRandom::new()
            .fill(&mut nonce)
            .map_err(|_| SigningError::Timestamp("no system randomness for the nonce".into()))?;
        // A positive INTEGER of 64 bits (the top bit cleared keeps it at eight octets).
        nonce[0] &= 0x7f;
        let nonce = Integer::from(u64::from_be_bytes(nonce));
        let request = request_der(&imprint, self.policy.as_ref(), &nonce);
        let auth = match &self.config.auth {
            TsaAuth::None => super::http::Auth::None,
            TsaAuth::Basic { user, password } => super::http::Auth::Basic(user, password.expose()),
            TsaAuth::Bearer(token) => super::http::Auth::Bearer(token.expose()),
        };
        let (status, content_type, body) = self
            .http
            .post_bytes(&request, "application/timestamp-query", auth, MAX_REPLY_BYTES)
            .map_err(|e| SigningError::Timestamp(e.to_string()))?;
        if status != 200 {
            return Err(SigningError::Timestamp(format!("the TSA answered HTTP {status}")));
        }
        if !content_type.is_some_and(|t| t.trim().eq_ignore_ascii_case("application/timestamp-reply")) {
            return Err(SigningError::Timestamp(
                "the TSA's answer is not application/timestamp-reply".into(),
            ));
        }
        check_reply(&body, &imprint, self.policy.as_ref(), &nonce)
    }
}

impl Timestamper for TsaClient {
    fn timestamp(&self, data: &[u8]) -> Result<Vec<u8>, SigningError> {
        TsaClient::timestamp(self, data)
    }
}

fn sha256_imprint(hash: &[u8]) -> MessageImprint {
    MessageImprint {
        hash_algorithm: x509_certificate::DigestAlgorithm::Sha256.into(),
        hashed_message: OctetString::new(Bytes::copy_from_slice(hash)),
    }
}

/// The DER TimeStampReq (version 1, SHA-256 imprint, policy, nonce, certReq TRUE).
fn request_der(imprint: &[u8], policy: Option<&Oid<Bytes>>, nonce: &Integer) -> Vec<u8> {
    TimeStampReq {
        version: Integer::from(1u8),
        message_imprint: sha256_imprint(imprint),
        req_policy: policy.cloned(),
        nonce: Some(nonce.clone()),
        cert_req: Some(true),
        extensions: None,
    }
    .encode_ref()
    .to_captured(Mode::Der)
    .into_bytes()
    .to_vec()
}

/// The token of a TimeStampResp `body`, when granted and matching what was asked.
fn check_reply(
    body: &[u8],
    imprint: &[u8],
    policy: Option<&Oid<Bytes>>,
    nonce: &Integer,
) -> Result<Vec<u8>, SigningError> {
    let bad = |what: &str| SigningError::Timestamp(format!("the TSA's answer {what}"));
    // PKIStatusInfo: the status is read; statusString and failInfo are free text and
    // bits for a human, not needed to refuse.
    let (status, token) = Constructed::decode(body, Mode::Ber, |cons| {
        cons.take_sequence(|cons| {
            let status = cons.take_sequence(|cons| {
                let status = cons.take_primitive_if(bcder::Tag::INTEGER, |p| p.to_u8())?;
                cons.capture_all()?;
                Ok(status)
            })?;
            let token = cons.capture_all()?;
            Ok((status, token))
        })
    })
    .map_err(|_| bad("is not a TimeStampResp"))?;
    match status {
        // granted, grantedWithMods
        0 | 1 => {}
        other => {
            let name = match other {
                2 => "rejection",
                3 => "waiting",
                4 => "revocationWarning",
                5 => "revocationNotification",
                _ => "an unknown status",
            };
            return Err(SigningError::Timestamp(format!(
                "the TSA refused: {name} (PKIStatus {other})"
            )));
        }
    }
    let token = token.as_slice().to_vec();
    if token.is_empty() {
        return Err(bad("is granted but carries no token"));
    }
    let signed = cryptographic_message_syntax::SignedData::parse_ber(&token)
        .map_err(|_| bad("carries a token that is not a CMS SignedData"))?;
    let content = signed
        .signed_content()
        .ok_or_else(|| bad("carries a token without content"))?;
    let info = Constructed::decode(content, Mode::Der, TstInfo::take_from)
        .map_err(|_| bad("carries a token whose content is not a DER TSTInfo"))?;
    // The algorithm's parameters may be NULL or absent (RFC 5754 §2): the OID decides.
    let sha256_oid = sha256_imprint(imprint).hash_algorithm.algorithm;
    if info.message_imprint.hash_algorithm.algorithm != sha256_oid
        || info.message_imprint.hashed_message.to_bytes().as_ref() != imprint
    {
        return Err(SigningError::Timestamp(
            "the TSA stamped another imprint than the one sent".into(),
        ));
    }
    if info.nonce.as_ref() != Some(nonce) {
        return Err(SigningError::Timestamp(
            "the TSA's token does not echo the nonce sent (a replayed or misdirected answer)".into(),
        ));
    }
    if let Some(policy) = policy {
        if info.policy != *policy {
            return Err(SigningError::Timestamp(format!(
                "the TSA stamped under policy {} instead of {policy}",
                info.policy
            )));
        }
    }
    Ok(token)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_request_is_der_with_every_field() {
        let nonce = Integer::from(0x0102_0304_0506_0708u64);
        let policy: Oid<Bytes> = "1.2.3.4".parse().unwrap();
        let der = request_der(&[9u8; 32], Some(&policy), &nonce);
        let back = Constructed::decode(der.as_slice(), Mode::Der, TimeStampReq::take_from).unwrap();
        assert_eq!(back.version, Integer::from(1u8));
        assert_eq!(back.nonce, Some(nonce));
        assert_eq!(back.cert_req, Some(true));
        assert_eq!(back.req_policy, Some(policy));
        assert_eq!(back.message_imprint.hashed_message.to_bytes().as_ref(), &[9u8; 32]);
    }

    #[test]
    fn a_rejection_is_refused_with_its_status() {
        // TimeStampResp { PKIStatusInfo { rejection, failInfo badAlg } }
        let body = [0x30, 0x09, 0x30, 0x07, 0x02, 0x01, 0x02, 0x03, 0x02, 0x07, 0x80];
        let err = check_reply(&body, &[0; 32], None, &Integer::from(1u8))
            .unwrap_err()
            .to_string();
        assert!(err.contains("rejection"), "{err}");
        // Granted, but no token.
        let err = check_reply(
            &[0x30, 0x05, 0x30, 0x03, 0x02, 0x01, 0x00],
            &[0; 32],
            None,
            &Integer::from(1u8),
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("no token"), "{err}");
        // Not DER at all.
        assert!(check_reply(b"<html>", &[0; 32], None, &Integer::from(1u8)).is_err());
    }

    #[test]
    fn credentials_travel_only_over_tls() {
        assert!(TsaClient::new(TsaConfig::new("http://tsa.example/tsr")).is_ok());
        assert!(TsaClient::new(TsaConfig::new("ftp://tsa.example/tsr")).is_err());
        assert!(TsaClient::new(TsaConfig::new("http://user@tsa.example/tsr")).is_err());
        let basic = TsaConfig {
            auth: TsaAuth::Basic {
                user: "u".into(),
                password: Secret::new("p"),
            },
            ..TsaConfig::new("http://tsa.example/tsr")
        };
        assert!(TsaClient::new(basic.clone()).is_err());
        assert!(TsaClient::new(TsaConfig {
            url: "https://tsa.example/tsr".into(),
            ..basic
        })
        .is_ok());
    }

    #[test]
    fn config_from_json_with_basic_auth() {
        let c = TsaConfig::from_json(
            r#"{"url": "https://tsa.example/tsr", "username": "u", "password": "p", "policy_oid": "1.2.3"}"#,
        )
        .unwrap()
        .unwrap();
        assert_eq!(c.url, "https://tsa.example/tsr");
        assert!(matches!(c.auth, TsaAuth::Basic { .. }));
        assert!(!format!("{c:?}").contains("\"p\""));
        assert!(TsaConfig::from_json(r#"{"url": "https://x", "pasword": "p"}"#).is_err());
    }
}
