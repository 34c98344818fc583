//! Verifying a record whose issuing CA's CRL lists 200,000 serials (about 7.4 MB, made by
//! `openssl ca -gencrl` from a generated index.txt): a detached CMS over ~200 KB (RSA-2048
//! signer, not in the CRL, RSA-2048 CA) against the same run's floor: SHA-256 of the
//! content plus one bare `ring` verification of the signed attributes (as
//! benches/verify.rs defines it). The policy requires revocation data, so the CRL must be
//! read and say "good".
//!
//! Cases (criterion, then paired medians and ratios):
//! - `verify_pinned`: a warm `ChainCache::with_crls` (the trust state's CRLs, found by
//!   identity): the CRL costs a lookup;
//! - `verify_compared`: a warm `ChainCache::new()` given the caller's own copy of the CRL:
//!   found after comparing every byte;
//! - `verify_cold`: a new `ChainCache` each time (no index kept: the CRL is parsed and
//!   indexed, its signature and the path verified);
//! - `path_pinned`: the path layer alone (`ChainCache::validate`), warm and pinned;
//! - `crls_used_today` / `crl_summary`: what naming the CRL in a verdict costs as
//!   `signature::crls_used` does it now (SHA-256 of the DER and a parse) and from the index;
//! - `crl_parse` / `index_build`: x509-parser's parse of the CRL, and building its index
//!   (the parse included): what a validation without the index pays for the CRL.
//!
//! `cargo bench --bench revocation` (needs the `openssl` CLI; RV_BENCH_ROUNDS sets the
//! paired rounds, 60 by default).

#[path = "support.rs"]
mod support;

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use criterion::Criterion;
use cryptographic_message_syntax::asn1::rfc5652::SignedData;
use results_vault::verify::crl_index::CrlIndex;
use results_vault::verify::path::{ChainCache, PathOptions, Revocation};
use results_vault::verify::signature::{verify_detached, Policy, ValidationContext};
use results_vault::verify::verdict::Indication;
use support::{compressed_doc, paired_medians, print_ratios};
use x509_parser::prelude::FromDer;

/// Serials the CA's CRL lists.
const LISTED: usize = 200_000;

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

const CA_CONFIG: &str = "[ca]\ndefault_ca = CA_default\n[CA_default]\ndir = .\ndatabase = $dir/index.txt\n\
new_certs_dir = $dir\nserial = $dir/serial\ncrlnumber = $dir/crlnumber\ndefault_md = sha256\n\
default_crl_days = 7\npolicy = any\n[any]\ncommonName = supplied\n\
[crl_ext]\nauthorityKeyIdentifier = keyid\n\
[ca_ext]\nbasicConstraints = critical,CA:TRUE\nkeyUsage = critical,keyCertSign,cRLSign\nsubjectKeyIdentifier = hash\n\
[leaf]\nbasicConstraints = critical,CA:FALSE\nkeyUsage = critical,digitalSignature,nonRepudiation\n\
subjectKeyIdentifier = hash\nauthorityKeyIdentifier = keyid\n";

/// The fixture: a CA, its CRL of [`LISTED`] serials, a signer not in it, a CMS.
struct Fixture {
    content: Vec<u8>,
    cms: Vec<u8>,
    leaf: Vec<u8>,
    anchors: Vec<Vec<u8>>,
    crl: Vec<u8>,
    /// An OCSP response from the CA itself saying the signer is good (`openssl ocsp`).
    ocsp: Vec<u8>,
    /// The floor's inputs: signed attributes, signature, the signer's key.
    attrs: Vec<u8>,
    signature: Vec<u8>,
    key: Vec<u8>,
}

impl Fixture {
    fn new(d: &Path) -> Fixture {
        std::fs::write(d.join("content.bin"), compressed_doc(11)).unwrap();
        std::fs::write(d.join("ca.cnf"), CA_CONFIG).unwrap();
        #[rustfmt::skip]
        openssl(d, &["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "root.key", "-out", "root.pem",
            "-subj", "/CN=National Root CA", "-days", "30", "-config", "ca.cnf", "-extensions", "ca_ext"]);
        #[rustfmt::skip]
        openssl(d, &["req", "-newkey", "rsa:2048", "-nodes", "-keyout", "leaf.key", "-out", "leaf.csr",
            "-subj", "/CN=Signer"]);
        // A serial outside the listed range.
        #[rustfmt::skip]
        openssl(d, &["x509", "-req", "-in", "leaf.csr", "-CA", "root.pem", "-CAkey", "root.key",
            "-set_serial", "0x7fff0001", "-out", "leaf.pem", "-days", "30", "-extfile", "ca.cnf", "-extensions", "leaf"]);
        // index.txt written directly (openssl ca -revoke one by one would take hours).
        let mut index = String::with_capacity(LISTED * 60);
        for i in 0..LISTED {
            index.push_str(&format!(
                "R\t360101000000Z\t260101000000Z,keyCompromise\t{:08X}\tunknown\t/CN=revoked {i}\n",
                0x1000_0000 + i
            ));
        }
        std::fs::write(d.join("index.txt"), index).unwrap();
        std::fs::write(d.join("crlnumber"), "1000\n").unwrap();
        #[rustfmt::skip]
        openssl(d, &["ca", "-batch", "-config", "ca.cnf", "-cert", "root.pem", "-keyfile", "root.key", "-gencrl",
            "-crlexts", "crl_ext", "-out", "big.crl"]);
        openssl(d, &["crl", "-in", "big.crl", "-outform", "DER", "-out", "big.der"]);
        openssl(d, &["x509", "-in", "root.pem", "-outform", "DER", "-out", "root.der"]);
        openssl(d, &["x509", "-in", "leaf.pem", "-outform", "DER", "-out", "leaf.der"]);
        #[rustfmt::skip]
        openssl(d, &["cms", "-sign", "-binary", "-in", "content.bin", "-signer", "leaf.pem", "-inkey", "leaf.key",
            "-md", "sha256", "-outform", "DER", "-out", "sig.p7s"]);
        // The OCSP answer: from an index that knows the signer as valid.
        std::fs::write(
            d.join("ocsp-index.txt"),
            "V\t360101000000Z\t\t7FFF0001\tunknown\t/CN=Signer\n",
        )
        .unwrap();
        #[rustfmt::skip]
        openssl(d, &["ocsp", "-issuer", "root.pem", "-cert", "leaf.pem", "-no_nonce", "-reqout", "req.der"]);
        #[rustfmt::skip]
        openssl(d, &["ocsp", "-index", "ocsp-index.txt", "-rsigner", "root.pem", "-rkey", "root.key", "-CA", "root.pem",
            "-reqin", "req.der", "-respout", "resp.der", "-ndays", "7"]);
        openssl(d, &["x509", "-in", "leaf.pem", "-pubkey", "-noout", "-out", "leaf.pub"]);
        #[rustfmt::skip]
        openssl(d, &["pkey", "-pubin", "-in", "leaf.pub", "-outform", "DER", "-out", "leaf.spki"]);
        let cms = read(d, "sig.p7s");
        let signed = SignedData::decode_ber(&cms).unwrap();
        let signer = signed.signer_infos.iter().next().unwrap();
        let attrs = signer.signed_attributes_digested_content().unwrap().unwrap();
        let signature = signer.signature.to_bytes().to_vec();
        let spki = read(d, "leaf.spki");
        let (_, parsed) = x509_parser::x509::SubjectPublicKeyInfo::from_der(&spki).unwrap();
        Fixture {
            content: read(d, "content.bin"),
            cms,
            leaf: read(d, "leaf.der"),
            anchors: vec![read(d, "root.der")],
            crl: read(d, "big.der"),
            ocsp: read(d, "resp.der"),
            attrs,
            signature,
            key: parsed.subject_public_key.data.to_vec(),
        }
    }

    fn floor(&self) {
        let digest = ring::digest::digest(&ring::digest::SHA256, &self.content);
        std::hint::black_box(digest);
        ring::signature::UnparsedPublicKey::new(&ring::signature::RSA_PKCS1_2048_8192_SHA256, &self.key)
            .verify(&self.attrs, &self.signature)
            .unwrap();
    }

    fn ctx<'a>(&'a self, policy: &'a Policy, crls: &'a [Vec<u8>], cache: &'a ChainCache) -> ValidationContext<'a> {
        ValidationContext {
            anchors: &self.anchors,
            intermediates: &[],
            crls,
            validation_time: time::OffsetDateTime::now_utc(),
            proof_of_existence: None,
            policy,
            all_signers: false,
            chain_cache: Some(cache),
        }
    }

    /// One full verification; it must pass with the CRL saying "good".
    fn verify(&self, ctx: &ValidationContext<'_>) {
        let verdicts = verify_detached(&self.cms, &self.content, ctx);
        debug_assert_eq!(verdicts[0].indication, Indication::Passed);
        std::hint::black_box(verdicts);
    }
}

fn main() {
    let dir = tempfile::tempdir().unwrap();
    let t = std::time::Instant::now();
    let f = Fixture::new(dir.path());
    println!(
        "fixture: CRL of {LISTED} serials, {} bytes (made in {:.1} s); content {} bytes; RSA-2048 CA and signer",
        f.crl.len(),
        t.elapsed().as_secs_f64(),
        f.content.len()
    );
    let policy = Policy {
        require_revocation_data: true,
        ..Policy::pkcs7_detached()
    };
    assert_eq!(CrlIndex::from_der(&f.crl).map(|i| i.serials()), Some(LISTED));
    let own_crls = vec![f.crl.clone()];
    let pinned = ChainCache::with_crls(vec![f.crl.clone()]);
    let compared = ChainCache::new();
    let pinned_ctx = f.ctx(&policy, pinned.crls(), &pinned);
    let compared_ctx = f.ctx(&policy, &own_crls, &compared);
    let verdict = &verify_detached(&f.cms, &f.content, &pinned_ctx)[0];
    assert_eq!(verdict.indication, Indication::Passed, "{}", verdict.detail);
    assert_eq!(verdict.revocation.status, "GOOD");
    f.verify(&compared_ctx);
    let options = PathOptions {
        validation_time: Some(time::OffsetDateTime::now_utc()),
        ..PathOptions::default()
    };
    let path_pinned = || {
        let now = time::OffsetDateTime::now_utc();
        let valid = pinned
            .validate(&f.leaf, &[], &f.anchors, pinned.crls(), now, &options)
            .unwrap();
        debug_assert!(matches!(valid.revocation[0], Revocation::Good { .. }));
        std::hint::black_box(valid);
    };
    path_pinned();
    let verify_cold = || {
        let cache = ChainCache::new();
        f.verify(&f.ctx(&policy, &own_crls, &cache));
    };
    let crls_used_today = || {
        std::hint::black_box(ring::digest::digest(&ring::digest::SHA256, &f.crl));
        let parsed = x509_parser::revocation_list::CertificateRevocationList::from_der(&f.crl).unwrap();
        std::hint::black_box(parsed.1.issuer().to_string());
    };
    // Evidence that is one OCSP response, through a warm cache.
    let ocsp_evidence = vec![f.ocsp.clone()];
    let ocsp_cache = ChainCache::new();
    let ocsp_ctx = f.ctx(&policy, &ocsp_evidence, &ocsp_cache);
    let verdict = &verify_detached(&f.cms, &f.content, &ocsp_ctx)[0];
    assert_eq!(verdict.indication, Indication::Passed, "{}", verdict.detail);
    assert!(verdict
        .revocation
        .source
        .as_deref()
        .is_some_and(|s| s.starts_with("OCSP")));
    let crl_summary = || {
        std::hint::black_box(pinned.crl_summary(&pinned.crls()[0]).unwrap());
    };

    let mut c = Criterion::default()
        .sample_size(30)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(5))
        .configure_from_args();
    {
        let mut group = c.benchmark_group("revocation");
        group.bench_function("floor", |b| b.iter(|| f.floor()));
        group.bench_function("verify_pinned", |b| b.iter(|| f.verify(&pinned_ctx)));
        group.bench_function("verify_compared", |b| b.iter(|| f.verify(&compared_ctx)));
        group.bench_function("path_pinned", |b| b.iter(path_pinned));
        group.bench_function("crl_summary", |b| b.iter(crl_summary));
        group.bench_function("verify_ocsp", |b| b.iter(|| f.verify(&ocsp_ctx)));
        group.finish();
    }
    {
        // A parse of 7 MB per iteration: few samples.
        let mut group = c.benchmark_group("revocation_cold");
        group.sample_size(10);
        group.bench_function("floor", |b| b.iter(|| f.floor()));
        group.bench_function("verify_cold", |b| b.iter(verify_cold));
        group.bench_function("crls_used_today", |b| b.iter(crls_used_today));
        group.bench_function("crl_parse", |b| {
            b.iter(|| x509_parser::revocation_list::CertificateRevocationList::from_der(&f.crl).is_ok())
        });
        group.bench_function("index_build", |b| b.iter(|| CrlIndex::from_der(&f.crl).unwrap()));
        group.finish();
    }
    c.final_summary();

    let rounds = std::env::var("RV_BENCH_ROUNDS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(60);
    println!("\npaired medians ({rounds} rounds each; floor = SHA-256 of the content + one RSA-2048 verification):");
    paired_medians(
        "verify, pinned CRL",
        rounds,
        1.3,
        |_| f.floor(),
        |_| f.verify(&pinned_ctx),
    );
    paired_medians(
        "verify, OCSP response",
        rounds,
        1.5,
        |_| f.floor(),
        |_| f.verify(&ocsp_ctx),
    );
    paired_medians(
        "path only, pinned CRL",
        rounds,
        f64::INFINITY,
        |_| f.floor(),
        |_| path_pinned(),
    );
    paired_medians(
        "verify, CRL compared",
        rounds,
        f64::INFINITY,
        |_| f.floor(),
        |_| f.verify(&compared_ctx),
    );
    paired_medians(
        "verify, no index (cold)",
        rounds.min(20),
        f64::INFINITY,
        |_| f.floor(),
        |_| verify_cold(),
    );
    print_ratios(&[
        ("revocation", "verify_pinned", "floor", 1.3),
        ("revocation", "path_pinned", "floor", f64::INFINITY),
        ("revocation", "verify_compared", "floor", f64::INFINITY),
        ("revocation", "crl_summary", "floor", f64::INFINITY),
        ("revocation", "verify_ocsp", "floor", 1.5),
        ("revocation_cold", "verify_cold", "floor", f64::INFINITY),
        ("revocation_cold", "crls_used_today", "floor", f64::INFINITY),
        ("revocation_cold", "crl_parse", "floor", f64::INFINITY),
        ("revocation_cold", "index_build", "floor", f64::INFINITY),
    ]);
}
