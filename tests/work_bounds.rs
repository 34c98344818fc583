//! Bounded work per verification (issue 17, class 7), with the attacker's generators:
//!
//! - the **lattice**: a CMS with N identical SignerInfos whose signer certificate is
//!   issued by "Lattice CA", and 16 CA certificates of that name (RSA keys, hand-built
//!   DER, signature values that never verify) that all name each other as issuer. As the
//!   issue measured it (RSA-8192, e = 2^33 − 1) the keys are refused before any
//!   arithmetic; within the bounds (RSA-4096, e = 2^32 − 1) every check is real work,
//!   done once for the whole CMS;
//! - the **pool**: distinct SignerInfos whose signature values all need a costly check:
//!   past the verification's budget, the remaining signers are INDETERMINATE / GENERIC_ERROR
//!   "too costly";
//! - the **padded set**: 199 junk certificates named like the intermediate, with its key
//!   identifier (on other keys, or on the intermediate's own key), before the real one in
//!   the CMS: the valid signature still PASSES.
//!
//! `cargo test --release --test work_bounds -- --ignored --nocapture` runs the benchmark
//! (N = 1, 10, 1000, 5900 and the padded sets), which `benches/work_bounds.sh` wraps.

mod common;

use std::time::{Duration, Instant};

use common::crafted::{fake_rsa_spki, lattice_ca, lattice_leaf_of, name, repeat_signer, seq, with_certificates};
use common::der::{self, Cms, Node};
use common::pki::{openssl, Pki};
use results_vault::verify::signature::{verify_detached, Policy, SignatureVerdict, ValidationContext};
use results_vault::{Indication, SubIndication};
use time::OffsetDateTime;

const CONTENT: &[u8] = b"%PDF-1.7 ket qua giai quyet TTHC";

/// The PKI's signer certificate re-issued by "CN=Lattice CA" (a signature that does not
/// verify), with its key `spki` (the signer's own when `None`): DER and validity.
fn lattice_leaf(pki: &Pki, spki: Option<Node>) -> (Vec<u8>, Node) {
    lattice_leaf_of(&pki.signer, spki)
}

/// `openssl cms -sign` by `leaf` (DER, key file `key`) over [`CONTENT`], `opts` added.
fn sign_with_key(pki: &Pki, leaf: &[u8], key: &str, opts: &[&str]) -> Vec<u8> {
    std::fs::write(pki.path("leaf.der"), leaf).unwrap();
    assert!(openssl(
        pki.dir.path(),
        &["x509", "-inform", "DER", "-in", "leaf.der", "-out", "leaf.pem"]
    ));
    std::fs::write(pki.path("content.bin"), CONTENT).unwrap();
    let mut args = vec![
        "cms",
        "-sign",
        "-binary",
        "-in",
        "content.bin",
        "-signer",
        "leaf.pem",
        "-inkey",
        key,
        "-md",
        "sha256",
        "-outform",
        "DER",
        "-out",
        "lattice.p7s",
    ];
    args.extend(opts);
    assert!(openssl(pki.dir.path(), &args));
    std::fs::read(pki.path("lattice.p7s")).unwrap()
}

/// The lattice CMS with `n` SignerInfos over 16 CAs of `bits`-bit keys with exponent `e`.
fn lattice_cms(pki: &Pki, n: usize, bits: usize, e: u64) -> Vec<u8> {
    lattice_cms_by(pki, &pki.signer, "signer.key", &["-cades"], n, bits, e)
}

/// [`lattice_cms`] by the certificate `signer` and key file `key`, with `opts`.
fn lattice_cms_by(pki: &Pki, signer: &[u8], key: &str, opts: &[&str], n: usize, bits: usize, e: u64) -> Vec<u8> {
    let (leaf, validity) = lattice_leaf_of(signer, None);
    let cas: Vec<Vec<u8>> = (0..16).map(|i| lattice_ca(i, bits, e, &validity)).collect();
    let signed = sign_with_key(pki, &leaf, key, opts);
    let mut cms = with_certificates(&signed, &cas);
    repeat_signer(&mut cms, n);
    cms.encode()
}

fn verify_all(anchors: &[Vec<u8>], intermediates: &[Vec<u8>], cms: &[u8], policy: &Policy) -> Vec<SignatureVerdict> {
    let ctx = ValidationContext {
        anchors,
        intermediates,
        crls: &[],
        validation_time: OffsetDateTime::now_utc(),
        proof_of_existence: None,
        policy,
        all_signers: true,
        chain_cache: None,
    };
    verify_detached(cms, CONTENT, &ctx)
}

fn timed<T>(f: impl FnOnce() -> T) -> (T, Duration) {
    let start = Instant::now();
    let out = f();
    (out, start.elapsed())
}

fn says(v: &SignatureVerdict) -> (Indication, Option<SubIndication>) {
    (v.indication, v.sub_indication)
}

/// The lattice at N = 1 and 10, as the issue built it (RSA-8192, e = 2^33 − 1: refused
/// before any arithmetic) and within the bounds (RSA-4096, e = 2^32 − 1: real work, once).
#[test]
fn lattice_cms_is_answered_quickly_with_no_chain() {
    let pki = Pki::new();
    let anchors = vec![pki.root.clone()];
    let policy = Policy::cades_baseline();
    for (bits, e) in [(8192, (1u64 << 33) - 1), (4096, (1u64 << 32) - 1)] {
        for n in [1, 10] {
            let cms = lattice_cms(&pki, n, bits, e);
            let (verdicts, took) = timed(|| verify_all(&anchors, &[], &cms, &policy));
            println!("lattice RSA-{bits} e={e} N={n}: {} bytes, {took:?}", cms.len());
            assert_eq!(verdicts.len(), n);
            for v in &verdicts {
                assert_eq!(
                    says(v),
                    (Indication::Indeterminate, Some(SubIndication::NoCertificateChainFound)),
                    "{}",
                    v.detail
                );
                assert!(v.integrity, "the signature value itself is good");
            }
            assert!(took < Duration::from_secs(5), "RSA-{bits} N={n} took {took:?}");
        }
    }
}

/// Keys beyond the bounds are refused as a signer's key too, before any arithmetic.
#[test]
fn oversized_signer_keys_are_crypto_constraints_failures() {
    let pki = Pki::new();
    let anchors = vec![pki.root.clone()];
    let policy = Policy::pkcs7_detached();
    for (bits, e, why) in [
        (8192, 65537, "8192 bits"),
        (2048, (1u64 << 33) - 1, "exponent 8589934591"),
        (2048, 65536, "exponent 65536"),
    ] {
        let signed = pki.sign(CONTENT, &["-noattr"]);
        let (leaf, _) = lattice_leaf(&pki, Some(fake_rsa_spki(7, bits, e)));
        let mut cms = Cms::parse(&signed);
        let set = cms
            .signed_data()
            .children_mut()
            .iter_mut()
            .find(|n| n.tag() == 0xa0)
            .unwrap();
        *set.children_mut() = vec![der::parse(&leaf).0];
        // The SignerInfo names the signer by the PKI's issuer and serial: re-point it.
        let issuer_and_serial = seq(vec![
            name("Lattice CA"),
            der::parse(&pki.signer).0.children()[0].children()[1].clone(),
        ]);
        cms.signer_info().children_mut()[1] = issuer_and_serial;
        let v = verify_all(&anchors, &[], &cms.encode(), &policy).remove(0);
        assert_eq!(
            says(&v),
            (Indication::Indeterminate, Some(SubIndication::CryptoConstraintsFailure)),
            "{why}: {}",
            v.detail
        );
        assert!(v.detail.contains("RSA"), "{why}: {}", v.detail);
    }
}

/// Distinct SignerInfos, each a costly check (RSA-4096, e = 2^32 − 1, a value that does
/// not verify): the verification's pool pays for some, the rest are "too costly".
fn pool_cms(pki: &Pki, n: usize) -> Vec<u8> {
    let signed = pki.sign(CONTENT, &["-noattr"]);
    let (leaf, _) = lattice_leaf(pki, Some(fake_rsa_spki(11, 4096, (1u64 << 32) - 1)));
    let mut cms = Cms::parse(&signed);
    let set = cms
        .signed_data()
        .children_mut()
        .iter_mut()
        .find(|n| n.tag() == 0xa0)
        .unwrap();
    *set.children_mut() = vec![der::parse(&leaf).0];
    let serial = der::parse(&pki.signer).0.children()[0].children()[1].clone();
    cms.signer_info().children_mut()[1] = seq(vec![name("Lattice CA"), serial]);
    let first = cms.signer_info().clone();
    let infos: Vec<Node> = (0..n as u64)
        .map(|i| {
            let mut si = first.clone();
            let value = si.children_mut().iter_mut().find(|c| c.tag() == 0x04).unwrap();
            let mut s = common::noise(1000 + i, 512);
            s[0] = 1;
            *value = Node::Prim(0x04, s);
            si
        })
        .collect();
    let sd = cms.signed_data();
    *sd.children_mut().last_mut().unwrap().children_mut() = infos;
    cms.encode()
}

#[test]
fn one_pool_per_verification_then_too_costly() {
    let pki = Pki::new();
    let anchors = vec![pki.root.clone()];
    let policy = Policy::pkcs7_detached();
    // 8192 units at 16 (RSA-4096: 4, e = 2^32 − 1: 4) each: 512 checks.
    let cms = pool_cms(&pki, 600);
    let (verdicts, took) = timed(|| verify_all(&anchors, &[], &cms, &policy));
    println!("pool: 600 distinct RSA-4096 SignerInfos, {} bytes, {took:?}", cms.len());
    let checked = verdicts
        .iter()
        .filter(|v| says(v) == (Indication::Failed, Some(SubIndication::SigCryptoFailure)))
        .count();
    let too_costly: Vec<_> = verdicts
        .iter()
        .filter(|v| says(v) == (Indication::Indeterminate, Some(SubIndication::GenericError)))
        .collect();
    assert_eq!(checked, 512);
    assert_eq!(too_costly.len(), 600 - 512);
    assert!(too_costly.iter().all(|v| v.detail.starts_with("too costly")));
    assert!(took < Duration::from_secs(20), "took {took:?}");
}

/// A root, an intermediate and a signer (rcgen, P-256), and 199 junk certificates named
/// like the intermediate with its key identifier: on keys of their own, or on the
/// intermediate's key (`same_key`). Returns (root DER, intermediate DER, CMS).
fn padded(pki: &Pki, same_key: bool, junk: usize) -> (Vec<u8>, Vec<u8>, Vec<u8>) {
    use rcgen::{
        BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyIdMethod, KeyPair, KeyUsagePurpose, SerialNumber,
    };
    let dated = |mut p: CertificateParams, serial: u64| {
        p.not_before = rcgen::date_time_ymd(2025, 1, 1);
        p.not_after = rcgen::date_time_ymd(2035, 1, 1);
        p.serial_number = Some(SerialNumber::from(serial));
        p
    };
    let ca_params = |cn: &str, serial: u64| {
        let mut p = CertificateParams::new(Vec::<String>::new()).unwrap();
        p.distinguished_name.push(DnType::CommonName, cn);
        p.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        p.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        p.use_authority_key_identifier_extension = true;
        dated(p, serial)
    };
    let root_key = KeyPair::generate().unwrap();
    let root_params = ca_params("Padded Root", 1);
    let root_ski = root_params.key_identifier(&root_key);
    let root = root_params.self_signed(&root_key).unwrap();
    let root_issuer = Issuer::new(root_params, &root_key);
    let inter_key = KeyPair::generate().unwrap();
    let inter_params = ca_params("Padded Intermediate", 2);
    let inter_ski = inter_params.key_identifier(&inter_key);
    let inter = inter_params.signed_by(&inter_key, &root_issuer).unwrap();
    let inter_issuer = Issuer::new(inter_params, &inter_key);
    let leaf_key = KeyPair::generate().unwrap();
    let mut leaf_params = CertificateParams::new(Vec::<String>::new()).unwrap();
    leaf_params.distinguished_name.push(DnType::CommonName, "Padded Signer");
    leaf_params.key_usages = vec![KeyUsagePurpose::DigitalSignature, KeyUsagePurpose::ContentCommitment];
    leaf_params.use_authority_key_identifier_extension = true;
    let leaf = dated(leaf_params, 3).signed_by(&leaf_key, &inter_issuer).unwrap();
    // The junk: the intermediate's name and key identifier, "issued" by the root's name
    // and key identifier with a key of the attacker's.
    let forger_key = KeyPair::generate().unwrap();
    let mut forged_root = ca_params("Padded Root", 1);
    forged_root.key_identifier_method = KeyIdMethod::PreSpecified(root_ski);
    let forged_issuer = Issuer::new(forged_root, &forger_key);
    let junk: Vec<Vec<u8>> = (0..junk as u64)
        .map(|i| {
            let mut p = ca_params("Padded Intermediate", 100 + i);
            p.key_identifier_method = KeyIdMethod::PreSpecified(inter_ski.clone());
            if same_key {
                p.signed_by(&inter_key, &forged_issuer).unwrap().der().to_vec()
            } else {
                let own = KeyPair::generate().unwrap();
                p.signed_by(&own, &forged_issuer).unwrap().der().to_vec()
            }
        })
        .collect();
    let dir = pki.dir.path();
    std::fs::write(dir.join("padded-leaf.pem"), leaf.pem()).unwrap();
    std::fs::write(dir.join("padded-leaf.key"), leaf_key.serialize_pem()).unwrap();
    std::fs::write(dir.join("padded-inter.pem"), inter.pem()).unwrap();
    std::fs::write(dir.join("content.bin"), CONTENT).unwrap();
    assert!(openssl(
        dir,
        &[
            "cms",
            "-sign",
            "-binary",
            "-cades",
            "-in",
            "content.bin",
            "-signer",
            "padded-leaf.pem",
            "-inkey",
            "padded-leaf.key",
            "-certfile",
            "padded-inter.pem",
            "-md",
            "sha256",
            "-outform",
            "DER",
            "-out",
            "padded.p7s",
        ]
    ));
    let signed = std::fs::read(dir.join("padded.p7s")).unwrap();
    let cms = with_certificates(&signed, &junk).encode();
    (root.der().to_vec(), inter.der().to_vec(), cms)
}

#[test]
fn padding_cannot_starve_the_real_path() {
    let pki = Pki::new();
    let policy = Policy {
        require_revocation_data: false,
        ..Policy::cades_baseline()
    };
    for same_key in [false, true] {
        let (root, inter, cms) = padded(&pki, same_key, 199);
        let anchors = vec![root];
        for store in [vec![], vec![inter.clone()]] {
            let (mut verdicts, took) = timed(|| verify_all(&anchors, &store, &cms, &policy));
            let v = verdicts.remove(0);
            println!(
                "padded (199 junk, {} key{}): {} bytes, {took:?}",
                if same_key { "the intermediate's" } else { "their own" },
                if store.is_empty() {
                    ""
                } else {
                    ", intermediate in the trust store"
                },
                cms.len()
            );
            assert_eq!(
                says(&v),
                (Indication::Passed, None),
                "same_key={same_key}: {}",
                v.detail
            );
            assert_eq!(v.chain.len(), 3);
            assert!(took < Duration::from_secs(5), "took {took:?}");
        }
    }
}

/// The benchmark: N = 1, 10, 1000, 5900 for both lattices, the pool, and the padded sets.
#[test]
#[ignore = "benchmark: cargo test --release --test work_bounds -- --ignored --nocapture"]
fn bench_work_bounds() {
    let pki = Pki::new();
    let anchors = vec![pki.root.clone()];
    // Small SignerInfos, as the issue's (about 180 bytes): a P-256 signer, no attributes.
    assert!(openssl(
        pki.dir.path(),
        &["ecparam", "-name", "prime256v1", "-out", "p256.pem"]
    ));
    let ec_signer = pki.issue("ecsigner", "ec:p256.pem");
    let policy = Policy::pkcs7_detached();
    for (bits, e) in [(8192, (1u64 << 33) - 1), (4096, (1u64 << 32) - 1)] {
        for n in [1, 10, 1000, 5900] {
            let cms = lattice_cms_by(&pki, &ec_signer, "ecsigner.key", &["-noattr"], n, bits, e);
            let (verdicts, took) = timed(|| verify_all(&anchors, &[], &cms, &policy));
            let first = verdicts.first().map(|v| format!("{:?}", says(v))).unwrap_or_default();
            println!(
                "lattice RSA-{bits} e=2^{}-1 N={n:>4}: {:>8} bytes  {:>10.3} ms  {first}",
                64 - e.leading_zeros(),
                cms.len(),
                took.as_secs_f64() * 1e3
            );
        }
    }
    let cms = pool_cms(&pki, 1700);
    let (verdicts, took) = timed(|| verify_all(&anchors, &[], &cms, &Policy::pkcs7_detached()));
    let too_costly = verdicts.iter().filter(|v| v.detail.starts_with("too costly")).count();
    println!(
        "pool: 1700 distinct RSA-4096 e=2^32-1 SignerInfos: {} bytes  {:.3} ms  ({too_costly} too costly)",
        cms.len(),
        took.as_secs_f64() * 1e3
    );
    let policy = Policy {
        require_revocation_data: false,
        ..Policy::cades_baseline()
    };
    for same_key in [false, true] {
        for junk in [199, 999] {
            let (root, _, cms) = padded(&pki, same_key, junk);
            let (verdicts, took) = timed(|| verify_all(&[root], &[], &cms, &policy));
            println!(
                "padded {junk} junk ({} key): {} bytes  {:.3} ms  {:?}",
                if same_key { "intermediate's" } else { "own" },
                cms.len(),
                took.as_secs_f64() * 1e3,
                says(&verdicts[0])
            );
        }
    }
}
