//! `rvault export ID --out DIR`: everything needed to check a result without rvault: its
//! content, its canonical envelope (which names the content's SHA-256), every accepted
//! signature (detached CMS over the envelope), and the vault's trust material (its OCSP
//! responses as files of their own), with the openssl commands that verify them.
//!
//! Files are written as [`crate::output::write_new`] does: never through a symbolic link
//! planted in the folder, never over an existing file unless `--force`.

use std::path::Path;

use results_vault::{ResultId, Vault};

use crate::error::CliError;

/// Whether `der` is one whole CRL (the trust material's other revocation evidence is OCSP
/// responses).
fn is_crl(der: &[u8]) -> bool {
    use x509_parser::prelude::FromDer;
    matches!(
        x509_parser::revocation_list::CertificateRevocationList::from_der(der),
        Ok((rest, _)) if rest.is_empty()
    )
}

fn pem_file(label: &str, items: &[Vec<u8>]) -> Vec<u8> {
    let blocks: Vec<pem::Pem> = items.iter().map(|der| pem::Pem::new(label, der.clone())).collect();
    pem::encode_many(&blocks).into_bytes()
}

/// Writes the export; returns the files written. Without `force`, a folder that holds
/// any of the export's names (a file, a folder or a symbolic link) is refused before
/// anything is written; with it, those are replaced (a link itself, never its target).
pub fn export(vault: &Vault, id: &ResultId, dir: &Path, force: bool) -> Result<Vec<String>, CliError> {
    let record = vault.get(id)?;
    let content = vault.read_content(id)?;
    let envelope = vault.envelope(id)?;
    let signatures = vault.signatures(id)?;
    let material = vault.trust_material()?;
    let mut files: Vec<(String, Vec<u8>)> = vec![
        ("content".to_owned(), content),
        ("envelope.json".to_owned(), envelope.as_bytes().to_vec()),
    ];
    for (i, s) in signatures.iter().enumerate() {
        files.push((format!("signature-{}.der", i + 1), s.cms.clone()));
    }
    // `openssl cms -verify` reads CRLs from its CA file: one file holds both. The trust
    // material's revocation evidence also holds OCSP responses, which no CA file may hold
    // (openssl refuses the whole file): each is a file of its own.
    let (crls, ocsp): (Vec<Vec<u8>>, Vec<Vec<u8>>) = material.crls.iter().cloned().partition(|der| is_crl(der));
    let certificates = [material.anchors.clone(), material.intermediates.clone()].concat();
    let mut trust = pem_file("CERTIFICATE", &certificates);
    trust.extend(pem_file("X509 CRL", &crls));
    files.push(("trust.pem".to_owned(), trust));
    for (i, der) in ocsp.iter().enumerate() {
        files.push((format!("ocsp-{}.der", i + 1), der.clone()));
    }
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
    if !ocsp.is_empty() {
        how.push_str(
            "\n3. The vault's OCSP responses (revocation evidence openssl cms cannot read: for a\n\
             \x20  certificate no CRL in trust.pem covers, leave out -crl_check_all above and read\n\
             \x20  its status here; each must say \"Response verify OK\"):\n",
        );
        for i in 1..=ocsp.len() {
            how.push_str(&format!(
                "   openssl ocsp -respin ocsp-{i}.der -CAfile trust.pem -resp_text\n"
            ));
        }
    }
    files.push(("VERIFY.txt".to_owned(), how.into_bytes()));

    std::fs::create_dir_all(dir).map_err(|error| CliError::Output {
        path: dir.display().to_string(),
        error,
    })?;
    for (name, _) in &files {
        crate::output::refuse_existing(&dir.join(name), force)?;
    }
    for (name, bytes) in &files {
        crate::output::write_new(&dir.join(name), bytes, force)?;
    }
    Ok(files.into_iter().map(|(name, _)| name).collect())
}
