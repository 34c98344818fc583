//! `rvault export ID --out DIR`: everything needed to check a result without rvault: its
//! content, its canonical envelope (which names the content's SHA-256), every accepted
//! signature (detached CMS over the envelope), and the vault's trust material, with the
//! openssl commands that verify them.

use std::path::Path;

use results_vault::{ResultId, Vault};

use crate::error::CliError;

fn write(dir: &Path, name: &str, bytes: &[u8]) -> Result<(), CliError> {
    let path = dir.join(name);
    std::fs::write(&path, bytes).map_err(|error| CliError::Input {
        path: path.display().to_string(),
        error,
    })
}

fn pem_file(label: &str, items: &[Vec<u8>]) -> Vec<u8> {
    let blocks: Vec<pem::Pem> = items.iter().map(|der| pem::Pem::new(label, der.clone())).collect();
    pem::encode_many(&blocks).into_bytes()
}

/// Writes the export; returns the files written.
pub fn export(vault: &Vault, id: &ResultId, dir: &Path) -> Result<Vec<String>, CliError> {
    std::fs::create_dir_all(dir).map_err(|error| CliError::Input {
        path: dir.display().to_string(),
        error,
    })?;
    let record = vault.get(id)?;
    let content = vault.read_content(id)?;
    let envelope = vault.envelope(id)?;
    let signatures = vault.signatures(id)?;
    let material = vault.trust_material()?;
    let mut files = vec!["content".to_owned(), "envelope.json".to_owned()];
    write(dir, "content", &content)?;
    write(dir, "envelope.json", envelope.as_bytes())?;
    for (i, s) in signatures.iter().enumerate() {
        let name = format!("signature-{}.der", i + 1);
        write(dir, &name, &s.cms)?;
        files.push(name);
    }
    // `openssl cms -verify` reads CRLs from its CA file: one file holds both.
    let certificates = [material.anchors.clone(), material.intermediates.clone()].concat();
    let mut trust = pem_file("CERTIFICATE", &certificates);
    trust.extend(pem_file("X509 CRL", &material.crls));
    write(dir, "trust.pem", &trust)?;
    files.push("trust.pem".to_owned());
    let mut how = format!(
        "Result {id} ({} {}), exported by rvault {}.\n\n\
         1. The content is the one the envelope names (SHA-256 {}):\n\
         \x20  sha256sum content\n\
         \x20  grep -o '\"sha256\":\"[0-9a-f]*\"' envelope.json\n\n\
         2. Each signature signs the envelope exactly (detached CMS, DER), and its signer\n\
         \x20  chains to the trust anchors in trust.pem, unrevoked by its CRLs (trust.pem holds\n\
         \x20  the vault's anchors, intermediates and CRLs):\n",
        record.meta.document_type,
        record.meta.document_number,
        results_vault::VERSION,
        record.content.sha256,
    );
    for i in 1..=signatures.len() {
        how.push_str(&format!(
            "   openssl cms -verify -binary -inform DER -in signature-{i}.der -content envelope.json \\\n\
             \x20    -CAfile trust.pem -crl_check_all -purpose any -out /dev/null\n"
        ));
    }
    if signatures.is_empty() {
        how.push_str("   (this result carries no accepted signature)\n");
    }
    write(dir, "VERIFY.txt", how.as_bytes())?;
    files.push("VERIFY.txt".to_owned());
    Ok(files)
}
