//! A signer for tests: a dated openssl PKI (valid 2026-2036, so the fixed test clock
//! works on any day) and a `LocalSigner` over its RSA signer key.

use results_vault::{DigestAlgorithm, LocalSigner, ResultId, StoredSignature, Vault};

use super::pki::Pki;

pub struct TestSigner {
    pub pki: Pki,
    pub signer: LocalSigner,
}

impl TestSigner {
    pub fn new() -> TestSigner {
        let pki = Pki::dated();
        let signer = LocalSigner::from_pkcs8(&pki.pkcs8("signer.key"), vec![pki.signer.clone()]).unwrap();
        TestSigner { pki, signer }
    }

    /// Adds the root as trust anchor and a current CRL of it to `vault`.
    pub fn trust(&self, vault: &Vault) {
        vault.add_trust_anchor(&self.pki.root).unwrap();
        vault.add_crl(&self.pki.crl("current")).unwrap();
    }

    /// Signs record `id` (SHA-256), through begin/sign/complete.
    pub fn sign(&self, vault: &Vault, id: &ResultId) -> StoredSignature {
        vault.sign_with(id, &self.signer, DigestAlgorithm::Sha256).unwrap()
    }
}
