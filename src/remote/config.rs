//! Provider configuration: a JSON file (or string, as the C ABI passes it) and the
//! environment, which fills or overrides any field (`RVAULT_SMARTCA_SP_PASSWORD`), so that
//! secrets can stay out of files. Secrets are never printed: their `Debug` is `***`.
//!
//! ```json
//! {"provider": "vnpt-smartca", "base_url": "https://gwsca.vnpt.vn/sca/sp769",
//!  "sp_id": "…", "sp_password": "…", "user_id": "001088012345"}
//! ```

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;
use serde_json::{Map, Value};

use super::csc::CscClient;
use super::mysign::MySignClient;
use super::smartca::SmartCaClient;
use super::state::RemoteError;
use super::{AnswerFormat, Provider};

/// A secret (password, client secret, PIN, token): readable by the client, never printed.
#[derive(Clone, Deserialize, PartialEq, Eq)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    /// A secret from a string.
    pub fn new(value: impl Into<String>) -> Secret {
        Secret(value.into())
    }

    pub(crate) fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("\"***\"")
    }
}

/// What every provider configuration has.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
pub struct Endpoint {
    /// The API's base URL (`https://…`; plain `http://` only on 127.0.0.1 or localhost).
    pub base_url: String,
    /// Timeout of one HTTP exchange, in seconds (default 30).
    #[serde(default = "default_timeout")]
    pub timeout_seconds: u64,
    /// PEM roots to trust for the provider's TLS instead of Mozilla's.
    #[serde(default)]
    pub ca_file: Option<PathBuf>,
    /// SHA-256 (hex) of the signer's certificate: when set, any other certificate is refused.
    #[serde(default)]
    pub certificate_sha256: Option<String>,
}

fn default_timeout() -> u64 {
    30
}

impl Endpoint {
    pub(crate) fn timeout(&self) -> Duration {
        Duration::from_secs(self.timeout_seconds.clamp(1, 600))
    }
}

/// A Cloud Signature Consortium API v2 service (`…/csc/v2`).
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
pub struct CscConfig {
    /// Where and how.
    #[serde(flatten)]
    pub endpoint: Endpoint,
    /// A service access token (OAuth2 or issued out of band).
    #[serde(default)]
    pub access_token: Option<Secret>,
    /// For `auth/login` with HTTP Basic, when no access token is given.
    #[serde(default)]
    pub username: Option<String>,
    /// Its password.
    #[serde(default)]
    pub password: Option<Secret>,
    /// The credential (key) to sign with; when absent, the only one `credentials/list` gives.
    #[serde(default)]
    pub credential_id: Option<String>,
    /// The user, where the service needs `userID` in `credentials/list`.
    #[serde(default)]
    pub user_id: Option<String>,
    /// The PIN for `credentials/authorize`, when the credential asks for one.
    #[serde(default)]
    pub pin: Option<Secret>,
    /// The OTP, when the credential asks for one.
    #[serde(default)]
    pub otp: Option<Secret>,
    /// Asynchronous mode (`operationMode: "A"`, then `signatures/signPolling`).
    #[serde(default, rename = "async")]
    pub asynchronous: bool,
}

/// VNPT SmartCA, the service-provider API (`…/sca/sp769`).
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
pub struct SmartCaConfig {
    /// Where and how.
    #[serde(flatten)]
    pub endpoint: Endpoint,
    /// The integrator's id issued by VNPT.
    pub sp_id: String,
    /// Its password.
    pub sp_password: Secret,
    /// The officer: personal ID (CCCD) or tax code.
    pub user_id: String,
    /// The certificate's serial (hex), when the officer has several.
    #[serde(default)]
    pub serial_number: Option<String>,
    /// What `signature_value` is: a detached CMS (default) or a raw PKCS#1 signature.
    #[serde(default = "cms")]
    pub answer: AnswerFormat,
}

/// Viettel MySign (`https://remotesigning.viettel.vn`).
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
pub struct MySignConfig {
    /// Where and how.
    #[serde(flatten)]
    pub endpoint: Endpoint,
    /// The integrator's client id.
    pub client_id: String,
    /// Its secret.
    pub client_secret: Secret,
    /// The signing profile (`adss:ras:profile:001`).
    pub profile_id: String,
    /// The officer's MySign user (`CMT_001088012345`).
    pub user_id: String,
    /// The credential to sign with; when absent, the only valid one.
    #[serde(default)]
    pub credential_id: Option<String>,
    /// What a signature is: a CMS (default) or a raw PKCS#1 signature.
    #[serde(default = "cms")]
    pub answer: AnswerFormat,
}

fn cms() -> AnswerFormat {
    AnswerFormat::Cms
}

/// One provider's configuration.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(tag = "provider", rename_all = "kebab-case")]
pub enum ProviderConfig {
    /// `"provider": "csc"`.
    Csc(CscConfig),
    /// `"provider": "vnpt-smartca"`.
    VnptSmartca(SmartCaConfig),
    /// `"provider": "viettel-mysign"`.
    ViettelMysign(MySignConfig),
}

/// The provider names, as `rvault sign --provider` takes them.
pub const PROVIDERS: [&str; 3] = ["csc", "vnpt-smartca", "viettel-mysign"];

impl ProviderConfig {
    /// Reads `json` (may be `{}` or lack fields), fills and overrides fields from the
    /// environment (`RVAULT_CSC_*`, `RVAULT_SMARTCA_*`, `RVAULT_MYSIGN_*`: the field's
    /// name in capitals), and checks it for `provider`.
    pub fn from_json(provider: &str, json: &str) -> Result<ProviderConfig, RemoteError> {
        let value: Value = if json.trim().is_empty() {
            Value::Object(Map::new())
        } else {
            serde_json::from_str(json).map_err(|e| RemoteError::Config(crate::redact::json_error(&e)))?
        };
        let Value::Object(mut fields) = value else {
            return Err(RemoteError::Config("the configuration must be a JSON object".into()));
        };
        let prefix = env_prefix(provider)?;
        match fields.get("provider").and_then(Value::as_str) {
            Some(named) if named != provider => {
                return Err(RemoteError::Config(format!(
                    "the configuration is for {}, not {provider}",
                    crate::redact::shown_argument(named)
                )))
            }
            _ => {}
        }
        fields.insert("provider".into(), Value::String(provider.to_owned()));
        for (key, value) in std::env::vars() {
            if let Some(field) = key.strip_prefix(prefix) {
                fields.insert(field.to_ascii_lowercase(), typed(&field.to_ascii_lowercase(), value));
            }
        }
        check_fields(provider, &fields)?;
        // serde names the field; the value it may quote (a PIN typed as a number, a personal
        // ID) is described, not shown.
        serde_json::from_value(Value::Object(fields))
            .map_err(|e| RemoteError::Config(format!("{provider}: {}", crate::redact::json_error(&e))))
    }

    /// [`ProviderConfig::from_json`] on a file; `None`: the environment only.
    pub fn load(provider: &str, file: Option<&Path>) -> Result<ProviderConfig, RemoteError> {
        let json = match file {
            Some(path) => std::fs::read_to_string(path)
                .map_err(|e| RemoteError::Config(format!("{}: {e}", crate::redact::shown_path(path))))?,
            None => String::new(),
        };
        ProviderConfig::from_json(provider, &json)
    }

    /// The client for this configuration.
    pub fn client(&self) -> Result<Box<dyn Provider + Send + Sync>, RemoteError> {
        Ok(match self {
            ProviderConfig::Csc(c) => Box::new(CscClient::new(c.clone())?),
            ProviderConfig::VnptSmartca(c) => Box::new(SmartCaClient::new(c.clone())?),
            ProviderConfig::ViettelMysign(c) => Box::new(MySignClient::new(c.clone())?),
        })
    }
}

/// Refuses fields a provider does not take: a misspelt `certificate_sha256` must not turn
/// the pin off silently.
fn check_fields(provider: &str, fields: &Map<String, Value>) -> Result<(), RemoteError> {
    const COMMON: [&str; 5] = [
        "provider",
        "base_url",
        "timeout_seconds",
        "ca_file",
        "certificate_sha256",
    ];
    let own: &[&str] = match provider {
        "csc" => &[
            "access_token",
            "username",
            "password",
            "credential_id",
            "user_id",
            "pin",
            "otp",
            "async",
        ],
        "vnpt-smartca" => &["sp_id", "sp_password", "user_id", "serial_number", "answer"],
        _ => &[
            "client_id",
            "client_secret",
            "profile_id",
            "user_id",
            "credential_id",
            "answer",
        ],
    };
    match fields
        .keys()
        .find(|k| !COMMON.contains(&k.as_str()) && !own.contains(&k.as_str()))
    {
        Some(unknown) => Err(RemoteError::Config(format!(
            "{provider}: {} (fields: {}, {})",
            crate::redact::serde_message(&format!("unknown field `{unknown}`")),
            COMMON[1..].join(", "),
            own.join(", ")
        ))),
        None => Ok(()),
    }
}

fn env_prefix(provider: &str) -> Result<&'static str, RemoteError> {
    Ok(match provider {
        "csc" => "RVAULT_CSC_",
        "vnpt-smartca" => "RVAULT_SMARTCA_",
        "viettel-mysign" => "RVAULT_MYSIGN_",
        other => {
            return Err(RemoteError::Config(format!(
                "unknown provider {:?} (one of {})",
                crate::redact::shown_argument(other),
                PROVIDERS.join(", ")
            )))
        }
    })
}

/// An environment value as the field's JSON type.
fn typed(field: &str, value: String) -> Value {
    match field {
        "timeout_seconds" => value.parse::<u64>().map(Value::from).unwrap_or(Value::String(value)),
        "async" => match value.as_str() {
            "1" | "true" | "yes" => Value::Bool(true),
            "0" | "false" | "no" => Value::Bool(false),
            _ => Value::String(value),
        },
        _ => Value::String(value),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_misspelt_field_is_refused_not_ignored() {
        let json = r#"{"base_url": "https://gwsca.vnpt.vn/sca/sp769", "sp_id": "sp", "sp_password": "x",
                       "user_id": "001088012345", "certificate_sha265": "ab"}"#;
        let err = ProviderConfig::from_json("vnpt-smartca", json).unwrap_err();
        assert!(err.to_string().contains("certificate_sha265"), "{err}");
    }

    #[test]
    fn a_secret_of_the_wrong_type_is_not_echoed() {
        let json = r#"{"base_url": "https://h.example/csc/v2", "access_token": "t", "pin": 731904}"#;
        let err = ProviderConfig::from_json("csc", json).unwrap_err().to_string();
        assert!(err.contains("invalid type") && !err.contains("731904"), "{err}");
    }

    #[test]
    fn secrets_print_as_stars() {
        let json = r#"{"base_url": "https://h.example", "client_id": "c", "client_secret": "s3cr3t-value",
                       "profile_id": "p", "user_id": "CMT_001088012345"}"#;
        let config = ProviderConfig::from_json("viettel-mysign", json).unwrap();
        let shown = format!("{config:?}");
        assert!(!shown.contains("s3cr3t-value") && shown.contains("***"), "{shown}");
    }
}
