//! Verifying a stored ~200 KB record end to end (`Vault::verify_record`: read, re-hash,
//! envelope, every signature, status) and `Vault::complete_signing`, for RSA-2048 and
//! P-256 signers made by openssl, against the same run's floor: SHA-256 of the content plus
//! one bare `ring` verification of the stored signature. Paired medians (see support.rs).
//!
//! - `verify_record, verdict cached`: the normal case, a signature already checked under
//!   the current trust store, inside the window its verdict holds;
//! - `verify_record, recomputed`: the verdict cache off (`VaultOptions::cache_verdicts`),
//!   so every call verifies the CMS and its signature and checks the path's times and
//!   CRLs again (the certificate path and its CRL signatures cached);
//! - `complete_signing`: a raw reply assembled into a CMS, verified, and stored durably
//!   with its audit event; also shown against the floor plus one durable SQLite insert,
//!   the write any accepted signature needs.
//!
//! `cargo bench --bench signing` (needs the `openssl` CLI); `RV_BENCH_ROUNDS` (default 300).

#[path = "support.rs"]
mod support;

#[allow(dead_code)]
#[path = "../tests/common/pki.rs"]
mod pki;

use cryptographic_message_syntax::asn1::rfc5652::SignedData;
use results_vault::{DigestAlgorithm, LocalSigner, Signer, Vault, VaultOptions};
use support::{bare_sqlite, bench_dir, compressed_doc, paired, record};
use x509_parser::prelude::{FromDer, X509Certificate};

fn main() {
    let rounds: usize = std::env::var("RV_BENCH_ROUNDS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(300);
    let p = pki::Pki::new();
    assert!(pki::openssl(
        p.dir.path(),
        &["ecparam", "-name", "prime256v1", "-out", "p256.pem"]
    ));
    let p256 = p.issue("p256", "ec:p256.pem");
    let crl = p.crl("bench");
    let content = compressed_doc(11);

    for (name, cert, key, ring_alg) in [
        (
            "rsa2048",
            p.signer.clone(),
            "signer.key",
            &ring::signature::RSA_PKCS1_2048_8192_SHA256 as &dyn ring::signature::VerificationAlgorithm,
        ),
        ("p256", p256, "p256.key", &ring::signature::ECDSA_P256_SHA256_ASN1),
    ] {
        let dir = bench_dir(&format!("signing-{name}"));
        let vault = Vault::create(dir.join("bench.vault"), VaultOptions::default()).unwrap();
        vault.add_trust_anchor(&p.root).unwrap();
        vault.add_crl(&crl).unwrap();
        let signer = LocalSigner::from_pkcs8(&p.pkcs8(key), vec![cert.clone()]).unwrap();
        let id = vault
            .ingest(record(0, "001203004567", "birth-extract"), &content)
            .unwrap()
            .record
            .result_id;
        let stored = vault.sign_with(&id, &signer, DigestAlgorithm::Sha256).unwrap();

        // The floor's inputs: the stored signature's signed attributes, value and key.
        let signed = SignedData::decode_ber(&stored.cms).unwrap();
        let info = signed.signer_infos.iter().next().unwrap();
        let attributes = info.signed_attributes_digested_content().unwrap().unwrap();
        let value = info.signature.to_bytes().to_vec();
        let (_, leaf) = X509Certificate::from_der(&cert).unwrap();
        let key_bytes = leaf.public_key().subject_public_key.data.to_vec();
        let floor = || {
            std::hint::black_box(ring::digest::digest(&ring::digest::SHA256, &content));
            ring::signature::UnparsedPublicKey::new(ring_alg, &key_bytes)
                .verify(&attributes, &value)
                .unwrap();
        };

        let now = time::OffsetDateTime::now_utc();
        assert!(vault.verify_record(&id, now).unwrap().reusable);
        paired(
            &format!("{name} verify_record, verdict cached"),
            rounds,
            1.3,
            |_| floor(),
            |_| {
                let v = vault.verify_record(&id, now).unwrap();
                assert!(v.reusable);
            },
        );
        // A second handle on the same file with the verdict cache off: the CMS, the
        // signature and the path's times and CRLs are checked on every call.
        let uncached = Vault::open(
            dir.join("bench.vault"),
            VaultOptions {
                cache_verdicts: false,
                ..VaultOptions::default()
            },
        )
        .unwrap();
        paired(
            &format!("{name} verify_record, recomputed"),
            rounds,
            1.3,
            |_| floor(),
            |_| {
                let v = uncached.verify_record(&id, now).unwrap();
                assert!(v.reusable);
            },
        );

        // complete_signing: sessions and replies prepared untimed, one record each (an
        // RSA signature over the same attributes in the same second would be identical).
        let prepare = |first: u64| -> Vec<(String, results_vault::SignatureReply)> {
            (first..first + rounds as u64)
                .map(|n| {
                    let doc = format!("doc {n}");
                    let id = vault
                        .ingest(record(n, "001203004567", "birth-extract"), doc.as_bytes())
                        .unwrap()
                        .record
                        .result_id;
                    let session = vault
                        .begin_signing(&id, vec![cert.clone()], DigestAlgorithm::Sha256)
                        .unwrap();
                    (session.session_id.clone(), signer.sign(&session).unwrap())
                })
                .collect()
        };
        let prepared = prepare(1);
        let bare = bare_sqlite(&dir.join("floor.db"));
        bare.execute_batch("CREATE TABLE s (id INTEGER PRIMARY KEY, cms BLOB NOT NULL)")
            .unwrap();
        let mut prepared_iter = prepared.into_iter();
        paired(
            &format!("{name} complete_signing"),
            rounds,
            1.3,
            |_| floor(),
            |_| {
                let (session, reply) = prepared_iter.next().unwrap();
                vault.complete_signing(&session, reply).unwrap();
            },
        );
        // The same, against the floor plus the one durable insert any acceptance needs.
        let prepared = prepare(1_000_000);
        let mut prepared = prepared.into_iter();
        paired(
            &format!("{name} complete_signing vs +commit"),
            rounds,
            1.3,
            |_| {
                floor();
                bare.execute("INSERT INTO s (cms) VALUES (?1)", [&stored.cms]).unwrap();
            },
            |_| {
                let (session, reply) = prepared.next().unwrap();
                vault.complete_signing(&session, reply).unwrap();
            },
        );
    }
}
