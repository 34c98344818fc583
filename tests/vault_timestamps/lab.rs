//! What the timestamp tests share: the PKI with its TSA certificates, vaults on the real
//! clock, DER accessors for what the vault keeps, and a canned TSA for the odd answers.

use std::sync::Arc;
use std::time::Duration;

use crate::common::der::{parse, Node};
use crate::common::pki::openssl;
use crate::common::signing::TestSigner;
use crate::common::*;
use results_vault::remote::tsa::{TsaClient, TsaConfig};
use results_vault::{DigestAlgorithm, ResultId, SharedTimestamper, StoredSignature, Vault, VaultOptions};
use time::OffsetDateTime;

/// id-aa-signatureTimeStampToken's DER OID content.
pub const TST_ATTR: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x10, 0x02, 0x0e];
/// id-ri-ocsp-response.
pub const RI_OCSP: &[u8] = &[0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x10, 0x02];

pub const TSA_EXTENSIONS: &str = "basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, nonRepudiation
extendedKeyUsage = critical, timeStamping
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid";

pub const NO_EKU_EXTENSIONS: &str = "basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, nonRepudiation
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid";

/// The test signer, a TSA certificate `tsa` (critical EKU timeStamping) and one without
/// it, `noeku`, under the same root; the root's CRL made after both.
pub struct Lab {
    pub s: TestSigner,
}

impl Lab {
    pub fn new() -> Lab {
        let s = TestSigner::new();
        s.pki.issue_with_extensions("tsa", TSA_EXTENSIONS);
        s.pki.issue_with_extensions("noeku", NO_EKU_EXTENSIONS);
        Lab { s }
    }

    pub fn dir(&self) -> &std::path::Path {
        self.s.pki.dir.path()
    }

    /// A vault on the real clock trusting the root and its CRL, with `tsa` (if any), holding
    /// one record.
    pub fn vault(&self, tsa: Option<SharedTimestamper>) -> (TempVault, ResultId) {
        let t = temp_vault_with(VaultOptions {
            clock: Arc::new(OffsetDateTime::now_utc),
            timestamper: tsa,
            ..VaultOptions::default()
        });
        self.s.trust(&t.vault);
        let id = t
            .vault
            .ingest(birth_extract("TS-1"), &noise(7, 3000))
            .unwrap()
            .record
            .result_id;
        (t, id)
    }

    pub fn sign(&self, vault: &Vault, id: &ResultId) -> results_vault::Result<StoredSignature> {
        vault.sign_with(id, &self.s.signer, DigestAlgorithm::Sha256)
    }
}

pub fn client(url: String) -> SharedTimestamper {
    let config = TsaConfig {
        timeout: Duration::from_secs(3),
        ..TsaConfig::new(url)
    };
    Arc::new(TsaClient::new(config).unwrap())
}

/// The SignerInfo of a DER CMS.
pub fn signer_info(cms: &[u8]) -> Node {
    let mut c = crate::common::der::Cms::parse(cms);
    c.signer_info().clone()
}

/// The signature value of the CMS's SignerInfo.
pub fn signature_value(cms: &[u8]) -> Vec<u8> {
    match signer_info(cms).children().iter().find(|n| n.tag() == 0x04) {
        Some(Node::Prim(_, v)) => v.clone(),
        _ => panic!("no signature value"),
    }
}

/// The SignerInfo's unsigned attributes (`[1]`), if any.
pub fn unsigned_attributes(cms: &[u8]) -> Option<Vec<Node>> {
    signer_info(cms)
        .children()
        .iter()
        .find(|n| n.tag() == 0xa1)
        .map(|n| n.children().to_vec())
}

/// The signature timestamp token (DER) of the CMS's SignerInfo.
pub fn token_of(cms: &[u8]) -> Vec<u8> {
    let attrs = unsigned_attributes(cms).expect("no unsigned attributes");
    let attr = attrs
        .iter()
        .find(|a| a.children()[0] == Node::Prim(0x06, TST_ATTR.to_vec()))
        .expect("no signatureTimeStampToken");
    let values = attr.children()[1].children();
    assert_eq!(values.len(), 1, "one token");
    values[0].encode()
}

/// The SignedData's `crls` entries.
pub fn crls_of(cms: &[u8]) -> Vec<Node> {
    let mut c = crate::common::der::Cms::parse(cms);
    c.signed_data()
        .children()
        .iter()
        .find(|n| n.tag() == 0xa1)
        .map(|n| n.children().to_vec())
        .unwrap_or_default()
}

pub fn certificates_of(cms: &[u8]) -> Vec<Vec<u8>> {
    let mut c = crate::common::der::Cms::parse(cms);
    c.signed_data()
        .children()
        .iter()
        .find(|n| n.tag() == 0xa0)
        .map(|n| n.children().iter().map(Node::encode).collect())
        .unwrap_or_default()
}

pub fn write(lab: &Lab, name: &str, bytes: &[u8]) {
    std::fs::write(lab.dir().join(name), bytes).unwrap();
}

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Nothing was kept for `id`, and the session is still open.
pub fn nothing_kept(vault: &Vault, id: &ResultId) {
    assert!(vault.signatures(id).unwrap().is_empty(), "no signature kept");
}

/// Begins a session and completes it with the local key's reply (the path a portal takes).
pub fn complete(lab: &Lab, vault: &Vault, id: &ResultId) -> (String, results_vault::Result<StoredSignature>) {
    use results_vault::Signer;
    let session = vault
        .begin_signing(id, vec![lab.s.pki.signer.clone()], DigestAlgorithm::Sha256)
        .unwrap();
    let reply = lab.s.signer.sign(&session).unwrap();
    let done = vault.complete_signing(&session.session_id, reply);
    (session.session_id, done)
}

/// A one-route HTTP server on 127.0.0.1 answering every POST with `answer(body)`.
pub struct Canned {
    pub url: String,
    server: Arc<tiny_http::Server>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Canned {
    pub fn start(answer: impl Fn(&[u8]) -> Vec<u8> + Send + 'static) -> Canned {
        let server = Arc::new(tiny_http::Server::http("127.0.0.1:0").unwrap());
        let port = server.server_addr().to_ip().unwrap().port();
        let srv = server.clone();
        let thread = std::thread::spawn(move || {
            for mut request in srv.incoming_requests() {
                let mut body = Vec::new();
                let _ = std::io::Read::read_to_end(request.as_reader(), &mut body);
                let header = tiny_http::Header::from_bytes("Content-Type", "application/timestamp-reply").unwrap();
                let _ = request.respond(tiny_http::Response::from_data(answer(&body)).with_header(header));
            }
        });
        Canned {
            url: format!("http://127.0.0.1:{port}/tsr"),
            server,
            thread: Some(thread),
        }
    }
}

impl Drop for Canned {
    fn drop(&mut self) {
        self.server.unblock();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// `openssl ts -reply` by `signer` to `query` (a DER TimeStampReq).
pub fn ts_reply(dir: &std::path::Path, query: &[u8], signer: &str) -> Vec<u8> {
    std::fs::write(dir.join("q.tsq"), query).unwrap();
    let (cert, key) = (format!("{signer}.pem"), format!("{signer}.key"));
    assert!(openssl(
        dir,
        &[
            "ts",
            "-reply",
            "-config",
            "ts.cnf",
            "-queryfile",
            "q.tsq",
            "-signer",
            &cert,
            "-inkey",
            &key,
            "-out",
            "r.tsr"
        ]
    ));
    std::fs::read(dir.join("r.tsr")).unwrap()
}

/// The TimeStampResp `resp` with its token replaced by `token`.
pub fn with_token(resp: &[u8], token: &[u8]) -> Vec<u8> {
    let (root, _) = parse(resp);
    let status = root.children()[0].encode();
    crate::common::der::tlv(0x30, &[status, token.to_vec()].concat())
}

pub fn token_in(resp: &[u8]) -> Vec<u8> {
    parse(resp).0.children()[1].encode()
}
