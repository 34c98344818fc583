//! Verifying a detached CMS over ~200 KB (RSA-2048 and P-256 signers, made by openssl),
//! against the same run's floor: SHA-256 of the content plus one bare `ring` verification
//! of the signed attributes. Prints paired medians and ratios: integrity only (the CMS
//! checks), the full verdict building the chain every time, and with a `ChainCache`.
//!
//! `cargo bench --bench verify` (needs the `openssl` CLI).

#[path = "support.rs"]
mod support;

use std::path::Path;
use std::process::Command;

use cryptographic_message_syntax::asn1::rfc5652::SignedData;
use results_vault::verify::cms::check_detached;
use results_vault::verify::path::ChainCache;
use results_vault::verify::signature::{verify_detached, Policy, ValidationContext};
use results_vault::verify::verdict::Indication;
use support::{compressed_doc, paired};
use x509_parser::prelude::FromDer;

fn openssl(dir: &Path, args: &[&str]) {
    let ok = Command::new("openssl")
        .current_dir(dir)
        .args(args)
        .output()
        .expect("openssl")
        .status
        .success();
    assert!(ok, "openssl {args:?}");
}

fn read(dir: &Path, name: &str) -> Vec<u8> {
    std::fs::read(dir.join(name)).unwrap()
}

fn main() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("content.bin"), compressed_doc(7)).unwrap();
    let content = read(d, "content.bin");
    std::fs::write(
        d.join("ext.cnf"),
        "[ca]\nbasicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\nsubjectKeyIdentifier=hash\n\
         [leaf]\nbasicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n",
    )
    .unwrap();
    openssl(
        d,
        &[
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-nodes",
            "-keyout",
            "root.key",
            "-out",
            "root.pem",
            "-subj",
            "/CN=Root",
            "-days",
            "30",
            "-config",
            "ext.cnf",
            "-extensions",
            "ca",
        ],
    );
    openssl(d, &["x509", "-in", "root.pem", "-outform", "DER", "-out", "root.der"]);
    let anchors = vec![read(d, "root.der")];
    let policy = Policy::pkcs7_detached();
    let policy = Policy {
        require_revocation_data: false,
        ..policy
    };

    for (name, spec) in [("rsa2048", "rsa:2048"), ("p256", "ec")] {
        let mut req = vec![
            "req",
            "-newkey",
            spec,
            "-nodes",
            "-keyout",
            "leaf.key",
            "-out",
            "leaf.csr",
            "-subj",
            "/CN=Signer",
        ];
        if spec == "ec" {
            req.extend(["-pkeyopt", "ec_paramgen_curve:P-256"]);
        }
        openssl(d, &req);
        openssl(
            d,
            &[
                "x509",
                "-req",
                "-in",
                "leaf.csr",
                "-CA",
                "root.pem",
                "-CAkey",
                "root.key",
                "-out",
                "leaf.pem",
                "-days",
                "30",
                "-extfile",
                "ext.cnf",
                "-extensions",
                "leaf",
            ],
        );
        openssl(
            d,
            &[
                "cms",
                "-sign",
                "-binary",
                "-in",
                "content.bin",
                "-signer",
                "leaf.pem",
                "-inkey",
                "leaf.key",
                "-md",
                "sha256",
                "-outform",
                "DER",
                "-out",
                "sig.p7s",
            ],
        );
        openssl(d, &["x509", "-in", "leaf.pem", "-pubkey", "-noout", "-out", "leaf.pub"]);
        openssl(
            d,
            &[
                "pkey",
                "-pubin",
                "-in",
                "leaf.pub",
                "-outform",
                "DER",
                "-out",
                "leaf.spki",
            ],
        );
        let cms = read(d, "sig.p7s");

        // The floor's inputs, extracted once: the signed attributes, the signature, the key.
        let signed = SignedData::decode_ber(&cms).unwrap();
        let signer = signed.signer_infos.iter().next().unwrap();
        let attrs = signer.signed_attributes_digested_content().unwrap().unwrap();
        let signature = signer.signature.to_bytes().to_vec();
        let spki = read(d, "leaf.spki");
        let (_, parsed) = x509_parser::x509::SubjectPublicKeyInfo::from_der(&spki).unwrap();
        let key = parsed.subject_public_key.data.to_vec();
        let algorithm: &dyn ring::signature::VerificationAlgorithm = if spec == "ec" {
            &ring::signature::ECDSA_P256_SHA256_ASN1
        } else {
            &ring::signature::RSA_PKCS1_2048_8192_SHA256
        };
        let floor = || {
            let digest = ring::digest::digest(&ring::digest::SHA256, &content);
            std::hint::black_box(digest);
            ring::signature::UnparsedPublicKey::new(algorithm, &key)
                .verify(&attrs, &signature)
                .unwrap();
        };
        floor();

        let ctx = ValidationContext {
            anchors: &anchors,
            intermediates: &[],
            crls: &[],
            validation_time: time::OffsetDateTime::now_utc(),
            proof_of_existence: None,
            policy: &policy,
            all_signers: false,
            chain_cache: None,
        };
        assert_eq!(verify_detached(&cms, &content, &ctx)[0].indication, Indication::Passed);
        let rounds = std::env::var("RV_BENCH_ROUNDS")
            .ok()
            .and_then(|r| r.parse().ok())
            .unwrap_or(300);
        paired(
            &format!("{name} CMS checks"),
            rounds,
            1.25,
            |_| floor(),
            |_| {
                std::hint::black_box(check_detached(&cms, &content).unwrap());
            },
        );
        paired(
            &format!("{name} full, no chain cache"),
            rounds,
            f64::INFINITY,
            |_| floor(),
            |_| {
                std::hint::black_box(verify_detached(&cms, &content, &ctx));
            },
        );
        let cache = ChainCache::new();
        let cached = ValidationContext {
            chain_cache: Some(&cache),
            ..ctx.clone()
        };
        paired(
            &format!("{name} full, chain cached"),
            rounds,
            1.25,
            |_| floor(),
            |_| {
                std::hint::black_box(verify_detached(&cms, &content, &cached));
            },
        );
    }
}
