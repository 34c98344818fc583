//! The one HTTP exchange every provider client makes: POST JSON, read JSON, bounded,
//! with a timeout, over rustls. No request or response body is ever logged or put in an
//! error message (they carry secrets, hashes and personal IDs).

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;

use super::state::{Delivery, RemoteError};

/// Largest answer read from a provider (a certificate chain or a CMS is a few KB).
const MAX_ANSWER_BYTES: u64 = 4 * 1024 * 1024;

/// How a request authenticates.
#[derive(Clone, Copy)]
pub(crate) enum Auth<'a> {
    /// Credentials in the body, or none.
    None,
    /// `Authorization: Bearer <token>`.
    Bearer(&'a str),
    /// `Authorization: Basic` (CSC `auth/login`).
    Basic(&'a str, &'a str),
}

/// A provider's HTTP endpoint.
pub(crate) struct Http {
    agent: ureq::Agent,
    base: String,
    provider: &'static str,
}

impl Http {
    /// [`Http::new`] for a configured endpoint.
    pub(crate) fn for_endpoint(
        provider: &'static str,
        endpoint: &super::config::Endpoint,
    ) -> Result<Http, RemoteError> {
        Http::new(
            provider,
            &endpoint.base_url,
            endpoint.timeout(),
            endpoint.ca_file.as_deref(),
        )
    }

    /// `base_url` must be `https://`, except on the loopback interface (tests, a local
    /// gateway). `ca_file`: PEM roots to trust instead of Mozilla's (a provider's private CA).
    pub(crate) fn new(
        provider: &'static str,
        base_url: &str,
        timeout: Duration,
        ca_file: Option<&Path>,
    ) -> Result<Http, RemoteError> {
        let base = base_url.trim_end_matches('/').to_owned();
        let loopback = ["http://127.0.0.1", "http://localhost", "http://[::1]"]
            .iter()
            .any(|p| {
                base.strip_prefix(p)
                    // No userinfo: `http://127.0.0.1:80@host/` connects to `host`.
                    .is_some_and(|rest| {
                        (rest.is_empty() || rest.starts_with([':', '/']))
                            && !rest.split(['/', '?', '#']).next().unwrap_or_default().contains('@')
                    })
            });
        if !base.starts_with("https://") && !loopback {
            return Err(RemoteError::Config(format!(
                "{provider}: base_url must start with https:// (plain http only on 127.0.0.1 or localhost)"
            )));
        }
        Http::build(provider, base, timeout, ca_file)
    }

    /// [`Http::new`] that also takes plain `http://` beyond the loopback interface: for a
    /// timestamp authority asked without credentials, whose answers are signed and checked
    /// (RFC 3161 §3.4; most TSAs serve plain HTTP). No user information before the host.
    pub(crate) fn new_plain_allowed(
        provider: &'static str,
        base_url: &str,
        timeout: Duration,
        ca_file: Option<&Path>,
    ) -> Result<Http, RemoteError> {
        let base = base_url.trim_end_matches('/').to_owned();
        let lower = base.to_ascii_lowercase();
        let rest = lower
            .strip_prefix("https://")
            .or_else(|| lower.strip_prefix("http://"))
            .ok_or_else(|| RemoteError::Config(format!("{provider}: the URL must start with https:// or http://")))?;
        let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
        if authority.is_empty() || authority.contains('@') {
            return Err(RemoteError::Config(format!(
                "{provider}: the URL needs a host, without user information (user@host)"
            )));
        }
        Http::build(provider, base, timeout, ca_file)
    }

    fn build(
        provider: &'static str,
        base: String,
        timeout: Duration,
        ca_file: Option<&Path>,
    ) -> Result<Http, RemoteError> {
        let mut tls = ureq::tls::TlsConfig::builder();
        if let Some(path) = ca_file {
            let pem = std::fs::read(path)
                .map_err(|e| RemoteError::Config(format!("{provider}: ca_file {}: {e}", path.display())))?;
            let roots: Vec<ureq::tls::Certificate<'static>> = ureq::tls::parse_pem(&pem)
                .filter_map(|item| match item {
                    Ok(ureq::tls::PemItem::Certificate(c)) => Some(c),
                    _ => None,
                })
                .collect();
            if roots.is_empty() {
                return Err(RemoteError::Config(format!(
                    "{provider}: ca_file {} holds no PEM certificate",
                    path.display()
                )));
            }
            tls = tls.root_certs(ureq::tls::RootCerts::Specific(Arc::new(roots)));
        }
        let agent = ureq::Agent::config_builder()
            .timeout_global(Some(timeout))
            .http_status_as_error(false)
            .max_redirects(0)
            .tls_config(tls.build())
            .user_agent(format!("results-vault/{}", crate::VERSION))
            .build()
            .into();
        Ok(Http { agent, base, provider })
    }

    /// POSTs `body` to `path` (after the base URL); returns the HTTP status and the JSON
    /// answer (`Value::Null` for an empty body).
    pub(crate) fn post(&self, path: &str, body: &Value, auth: Auth<'_>) -> Result<(u16, Value), RemoteError> {
        let url = format!("{}{path}", self.base);
        let bytes = serde_json::to_vec(body).map_err(|e| RemoteError::Config(e.to_string()))?;
        let mut request = self
            .agent
            .post(&url)
            .header("Content-Type", "application/json")
            .header("Accept", "application/json");
        match auth {
            Auth::None => {}
            Auth::Bearer(token) => request = request.header("Authorization", &format!("Bearer {token}")),
            Auth::Basic(user, password) => {
                let pair = super::answer::to_base64(format!("{user}:{password}").as_bytes());
                request = request.header("Authorization", &format!("Basic {pair}"));
            }
        }
        let mut response = request.send(&bytes[..]).map_err(|e| self.transport(path, &e))?;
        let status = response.status().as_u16();
        let raw = response
            .body_mut()
            .with_config()
            .limit(MAX_ANSWER_BYTES)
            .read_to_vec()
            .map_err(|e| match e {
                ureq::Error::BodyExceedsLimit(_) => self.malformed(path, "answer larger than 4 MiB".into()),
                e => self.transport(path, &e),
            })?;
        if raw.iter().all(u8::is_ascii_whitespace) {
            return Ok((status, Value::Null));
        }
        let json = serde_json::from_slice(&raw).map_err(|e| {
            self.malformed(
                path,
                format!("HTTP {status}, not JSON ({})", crate::redact::json_error(&e)),
            )
        })?;
        Ok((status, json))
    }

    /// POSTs `body` (of `content_type`) to the base URL itself, reading at most `limit`
    /// bytes back: the HTTP status, the answer's Content-Type and its body (an RFC 3161
    /// TSA speaks DER, not JSON).
    pub(crate) fn post_bytes(
        &self,
        body: &[u8],
        content_type: &str,
        auth: Auth<'_>,
        limit: u64,
    ) -> Result<(u16, Option<String>, Vec<u8>), RemoteError> {
        let mut request = self.agent.post(&self.base).header("Content-Type", content_type);
        match auth {
            Auth::None => {}
            Auth::Bearer(token) => request = request.header("Authorization", &format!("Bearer {token}")),
            Auth::Basic(user, password) => {
                let pair = super::answer::to_base64(format!("{user}:{password}").as_bytes());
                request = request.header("Authorization", &format!("Basic {pair}"));
            }
        }
        let mut response = request.send(body).map_err(|e| self.transport("", &e))?;
        let status = response.status().as_u16();
        let answer_type = response
            .headers()
            .get("Content-Type")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        if response.body().content_length().is_some_and(|n| n > limit) {
            return Err(self.malformed("", format!("answer larger than {limit} bytes")));
        }
        let raw = response
            .body_mut()
            .with_config()
            .limit(limit)
            .read_to_vec()
            .map_err(|e| match e {
                ureq::Error::BodyExceedsLimit(_) => self.malformed("", format!("answer larger than {limit} bytes")),
                e => self.transport("", &e),
            })?;
        Ok((status, answer_type, raw))
    }

    pub(crate) fn malformed(&self, path: &str, detail: String) -> RemoteError {
        RemoteError::MalformedAnswer {
            provider: self.provider.to_owned(),
            detail: format!("{path}: {detail}"),
        }
    }

    fn transport(&self, path: &str, e: &ureq::Error) -> RemoteError {
        use ureq::Timeout::{Connect, Resolve};
        let delivery = match e {
            ureq::Error::HostNotFound
            | ureq::Error::ConnectionFailed
            | ureq::Error::Tls(_)
            | ureq::Error::Rustls(_)
            | ureq::Error::BadUri(_)
            | ureq::Error::Timeout(Resolve | Connect) => Delivery::NotSent,
            ureq::Error::Io(io) if io.kind() == std::io::ErrorKind::ConnectionRefused => Delivery::NotSent,
            _ => Delivery::Maybe,
        };
        RemoteError::Transport {
            provider: self.provider.to_owned(),
            detail: format!("{path}: {e}"),
            delivery,
        }
    }
}
