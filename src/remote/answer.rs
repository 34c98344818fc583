//! Reading what providers answer: base64 values, certificate chains, and the check that a
//! certificate is the configured signer's.

use base64::Engine;
use x509_parser::prelude::{FromDer, X509Certificate};

use super::state::RemoteError;
use crate::hash::Sha256;

/// Decodes standard base64, ignoring the line breaks some providers put in long values.
pub(crate) fn base64(provider: &str, what: &str, text: &str) -> Result<Vec<u8>, RemoteError> {
    let compact: String = text.chars().filter(|c| !c.is_ascii_whitespace()).collect();
    base64::engine::general_purpose::STANDARD
        .decode(compact.as_bytes())
        .map_err(|_| RemoteError::MalformedAnswer {
            provider: provider.to_owned(),
            detail: format!("{what} is not base64"),
        })
}

/// Encodes standard base64.
pub(crate) fn to_base64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// A chain of base64 DER certificates, signer first; each must parse as X.509.
pub(crate) fn chain(provider: &str, items: &[&str]) -> Result<Vec<Vec<u8>>, RemoteError> {
    let mut chain = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let der = base64(provider, &format!("certificate {i}"), item)?;
        if X509Certificate::from_der(&der).is_err() {
            return Err(RemoteError::MalformedAnswer {
                provider: provider.to_owned(),
                detail: format!("certificate {i} is not DER X.509"),
            });
        }
        chain.push(der);
    }
    if chain.is_empty() {
        return Err(RemoteError::MalformedAnswer {
            provider: provider.to_owned(),
            detail: "no certificate".into(),
        });
    }
    Ok(chain)
}

/// Who the signer is, as configured: checked against the certificate a provider names,
/// so that a provider answering with another user's certificate is refused.
#[derive(Debug, Clone, Default)]
pub(crate) struct ExpectedSigner<'a> {
    /// SHA-256 of the signer's certificate (hex), when pinned.
    pub certificate_sha256: Option<&'a str>,
    /// The user's id at the provider (CCCD, tax code, `CMT_…`): its digits must appear in
    /// the certificate's subject, as Vietnamese CAs write them (`UID=CCCD:…`, `CN=…`).
    pub user_id: Option<&'a str>,
}

/// The personal number in a configured user id (what follows a `CMT_`, `MST_` or `CCCD:`
/// prefix), if it is one: digits, perhaps with the `-` of a branch's tax code.
pub(crate) fn personal_number(user: &str) -> Option<&str> {
    let id = user.rsplit(['_', ':']).next().unwrap_or(user).trim();
    (id.bytes().any(|b| b.is_ascii_digit()) && id.bytes().all(|b| b.is_ascii_digit() || b == b'-')).then_some(id)
}

/// Whether `value` holds `id` as a whole number: not as part of a longer one (a 9-digit
/// id must not match inside another person's 12-digit one).
fn names_whole(value: &str, id: &str) -> bool {
    value.match_indices(id).any(|(at, _)| {
        let before = value[..at].chars().next_back();
        let after = value[at + id.len()..].chars().next();
        !before.is_some_and(|c| c.is_ascii_digit()) && !after.is_some_and(|c| c.is_ascii_digit())
    })
}

impl ExpectedSigner<'_> {
    pub(crate) fn check(&self, provider: &str, leaf: &[u8]) -> Result<(), RemoteError> {
        let wrong = |detail: String| RemoteError::WrongCertificate {
            provider: provider.to_owned(),
            detail,
        };
        if let Some(pin) = self.certificate_sha256 {
            let actual = Sha256::of(leaf).to_hex();
            if !actual.eq_ignore_ascii_case(pin.trim()) {
                return Err(wrong(format!(
                    "its SHA-256 is {actual}, the configured certificate_sha256 another"
                )));
            }
            return Ok(());
        }
        let Some(user) = self.user_id else { return Ok(()) };
        // The id proper: what follows a prefix such as `CMT_`, `MST_` or `CCCD:`.
        let id = user.rsplit(['_', ':']).next().unwrap_or(user).trim();
        if id.is_empty() {
            return Ok(());
        }
        // A short id would match almost any subject: it identifies nobody.
        if id.chars().filter(char::is_ascii_alphanumeric).count() < 9 {
            return Err(RemoteError::Config(format!(
                "{provider}: user_id is too short to identify the signer's certificate (a CCCD, CMND or tax code has at least 9 digits); pin certificate_sha256"
            )));
        }
        let (_, cert) = X509Certificate::from_der(leaf).map_err(|_| wrong("not DER X.509".into()))?;
        let names_user = cert
            .subject()
            .iter_attributes()
            .filter_map(|a| a.as_str().ok())
            .any(|value| names_whole(value, id));
        if names_user {
            Ok(())
        } else {
            // The id itself is personal: only its last two characters are shown.
            let shown: String = id.chars().rev().take(2).collect::<Vec<_>>().into_iter().rev().collect();
            Err(wrong(format!(
                "its subject does not name the configured user (…{shown}); pin certificate_sha256 if this CA writes no id in the subject"
            )))
        }
    }
}
