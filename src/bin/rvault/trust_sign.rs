//! `rvault trust` (the vault's anchors, intermediates and CRLs) and `rvault sign` (two-phase
//! signing: with a local key for demos, or `begin` / `complete` around an external signer).

use std::path::{Path, PathBuf};

use results_vault::redact;
use results_vault::{DigestAlgorithm, LocalSigner, RawAlgorithm, ResultId, SignatureReply, TrustItemKind, Vault};

use crate::error::CliError;
use crate::verify::read_items;

/// A file's bytes, or an error naming it.
pub fn read(path: &Path) -> Result<Vec<u8>, CliError> {
    std::fs::read(path).map_err(|error| CliError::Input {
        path: path.display().to_string(),
        error,
    })
}

/// `rvault trust add KIND FILE...`: every certificate or CRL in the files (PEM or DER).
pub fn trust_add(vault: &Vault, kind: TrustItemKind, files: &[PathBuf]) -> Result<(), CliError> {
    for der in read_items(files, kind.as_str())? {
        let item = match kind {
            TrustItemKind::Anchor => vault.add_trust_anchor(&der),
            TrustItemKind::Intermediate => vault.add_intermediate(&der),
            TrustItemKind::Crl => vault.add_crl(&der),
            TrustItemKind::Ocsp => vault.add_ocsp_response(&der),
        }?;
        outln!(
            "{} {} {}",
            item.kind.as_str(),
            item.sha256,
            redact::mask_personal_ids(&item.name)
        )?;
    }
    Ok(())
}

/// `rvault trust list`: one line per item.
pub fn trust_list(vault: &Vault) -> Result<(), CliError> {
    for item in vault.trust_items()? {
        outln!(
            "{:<12} {} {}",
            item.kind.as_str(),
            item.sha256,
            redact::mask_personal_ids(&item.name)
        )?;
    }
    Ok(())
}

/// A digest name as `--digest` takes it.
pub fn digest_arg(name: &str) -> Result<DigestAlgorithm, CliError> {
    serde_json::from_value(serde_json::Value::String(name.to_owned())).map_err(|_| {
        CliError::Usage(format!(
            "--digest {:?} is not SHA-256, SHA-384 or SHA-512",
            redact::shown_argument(name)
        ))
    })
}

/// `rvault sign local ID --key KEY --cert CERT...`: the whole two-phase flow with a key in a
/// file (PKCS#8, PEM or DER). For demos and tests: a real officer's key stays in an HSM.
pub fn sign_local(
    vault: &Vault,
    id: &ResultId,
    key: &Path,
    certs: &[PathBuf],
    digest: DigestAlgorithm,
) -> Result<(), CliError> {
    let key_der = results_vault::trust::pem_or_der_items(&read(key)?)
        .ok()
        .and_then(|mut items| (items.len() == 1).then(|| items.remove(0)))
        .ok_or_else(|| {
            CliError::Usage(format!(
                "{}: not a PKCS#8 private key (PEM or DER)",
                redact::shown_path(key)
            ))
        })?;
    let chain = read_items(certs, "certificate")?;
    let signer = LocalSigner::from_pkcs8(&key_der, chain).map_err(results_vault::Error::from)?;
    let stored = vault.sign_with(id, &signer, digest)?;
    outln!(
        "signed {} by {}: {} at {}",
        id,
        // The signer's name carries their personal ID (`UID=CCCD:…`): masked.
        stored
            .acceptance
            .signer
            .as_ref()
            .map_or("?".to_owned(), |s| redact::mask_personal_ids(&s.subject)),
        stored.acceptance.indication.as_str(),
        stored.acceptance.proof_of_existence.as_deref().unwrap_or("?")
    )?;
    Ok(())
}

/// `rvault sign complete SESSION`: the external signer's answer, a raw value or a whole CMS.
pub fn sign_complete(
    vault: &Vault,
    session: &str,
    raw: Option<&Path>,
    algorithm: Option<&str>,
    cms: Option<&Path>,
) -> Result<(), CliError> {
    let reply = match (raw, cms) {
        (Some(raw), None) => {
            let name = algorithm.ok_or_else(|| {
                CliError::Usage("--signature needs --algorithm (RSA_PKCS1, RSA_PSS, ECDSA, ED25519)".into())
            })?;
            let algorithm: RawAlgorithm =
                serde_json::from_value(serde_json::Value::String(name.to_owned())).map_err(|_| {
                    CliError::Usage(format!(
                        "--algorithm {:?} is not RSA_PKCS1, RSA_PSS, ECDSA or ED25519",
                        redact::shown_argument(name)
                    ))
                })?;
            SignatureReply::Raw {
                algorithm,
                value: read(raw)?,
            }
        }
        (None, Some(cms)) => SignatureReply::Cms { cms: read(cms)? },
        _ => {
            return Err(CliError::Usage(
                "give the signer's answer: --signature FILE --algorithm NAME, or --cms FILE".into(),
            ))
        }
    };
    let stored = vault.complete_signing(session, reply)?;
    outln!(
        "signed {} (signature {}, accepted at {})",
        stored.result_id,
        stored.sha256,
        stored.acceptance.proof_of_existence.as_deref().unwrap_or("?")
    )?;
    Ok(())
}
