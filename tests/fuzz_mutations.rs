//! A bounded, deterministic mutation fuzzer over the verification engine's inputs: CMS,
//! certificates and CRLs made by openssl, with bytes flipped, inserted, deleted and
//! truncated. Nothing may panic, hang, or turn a signature over other data into PASSED.

mod common;

use std::time::{Duration, Instant};

use common::pki::Pki;
use results_vault::verify::path::{validate, PathOptions};
use results_vault::verify::signature::{verify_detached, Policy, ValidationContext};
use results_vault::verify::verdict::Indication;

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

fn mutate(rng: &mut Rng, input: &[u8]) -> Vec<u8> {
    let mut out = input.to_vec();
    for _ in 0..1 + rng.below(4) {
        match rng.below(5) {
            0 | 1 if !out.is_empty() => {
                let i = rng.below(out.len());
                out[i] ^= 1 << rng.below(8);
            }
            2 => {
                let i = rng.below(out.len() + 1);
                out.insert(i, rng.next() as u8);
            }
            3 if !out.is_empty() => {
                let i = rng.below(out.len());
                out.remove(i);
            }
            _ => {
                // Length bytes are where parsers break: set one to 0x80 (indefinite) or 0xFF.
                if !out.is_empty() {
                    let i = rng.below(out.len());
                    out[i] = if rng.below(2) == 0 { 0x80 } else { 0xFF };
                }
            }
        }
    }
    out
}

#[test]
fn mutated_inputs_never_panic_hang_or_pass_for_other_data() {
    let p = Pki::new();
    let content = b"Ket qua giai quyet thu tuc hanh chinh".to_vec();
    let cms = p.sign(&content, &["-cades"]);
    let crl = p.crl("current");
    let policy = Policy::pkcs7_detached();
    let anchors = vec![p.root.clone()];
    let mut other = content.clone();
    other[0] ^= 1;
    let mut rng = Rng(0x5EED_CAFE_F00D_1234);
    let soon = time::OffsetDateTime::now_utc() + time::Duration::minutes(1);
    let mut slowest = Duration::ZERO;

    for round in 0..1500 {
        let bad_cms = mutate(&mut rng, &cms);
        let bad_crl = mutate(&mut rng, &crl);
        let crls = [bad_crl.clone()];
        let ctx = ValidationContext {
            anchors: &anchors,
            intermediates: &[],
            crls: &crls,
            validation_time: soon,
            proof_of_existence: None,
            policy: &policy,
            all_signers: true,
            chain_cache: None,
        };
        let started = Instant::now();
        // A signature never vouches for data it was not made over.
        for v in verify_detached(&bad_cms, &other, &ctx) {
            assert_ne!(
                v.indication,
                Indication::Passed,
                "round {round}: a mutated CMS passed over other data"
            );
        }
        let _ = verify_detached(&bad_cms, &content, &ctx);
        // Mutated certificates: as signer, as anchor, as intermediate.
        let bad_leaf = mutate(&mut rng, &p.signer);
        let bad_root = mutate(&mut rng, &p.root);
        let opts = PathOptions::default();
        let _ = validate(&bad_leaf, &[], &anchors, std::slice::from_ref(&crl), soon, &opts);
        let bad_roots = [bad_root];
        let _ = validate(&p.signer, &bad_roots, &bad_roots, &[bad_crl], soon, &opts);
        slowest = slowest.max(started.elapsed());
    }
    assert!(slowest < Duration::from_secs(1), "one round took {slowest:?}");
}

#[test]
fn oversized_input_is_refused_with_a_clear_reason() {
    let p = Pki::new();
    let huge = vec![0x30u8; results_vault::verify::cms::MAX_CMS_SIZE + 1];
    let policy = Policy::cades_baseline();
    let ctx = ValidationContext {
        anchors: std::slice::from_ref(&p.root),
        intermediates: &[],
        crls: &[],
        validation_time: time::OffsetDateTime::now_utc(),
        proof_of_existence: None,
        policy: &policy,
        all_signers: false,
        chain_cache: None,
    };
    let v = &verify_detached(&huge, b"x", &ctx)[0];
    assert_eq!(v.indication, Indication::Indeterminate);
    assert!(v.detail.contains("accepted"), "{}", v.detail);
}
