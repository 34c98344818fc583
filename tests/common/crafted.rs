//! Attackers' DER generators shared by the issue 17 tests (tests/work_bounds.rs,
//! tests/cms_lenient_cases.rs and tests/vault_refuses_crafted.rs): the lattice of costly
//! fake CA certificates (class 7) and the older ESS signingCertificate attribute (class 8).

use super::der::{self, Cms, Node};

pub const SHA256_WITH_RSA: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0b];
pub const RSA_ENCRYPTION: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01];
pub const SIGNING_CERTIFICATE_V1: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x10, 0x02, 0x0c];

pub fn seq(children: Vec<Node>) -> Node {
    Node::Cons(0x30, children)
}

pub fn integer(bytes: &[u8]) -> Node {
    let zeros = bytes.iter().take_while(|&&b| b == 0).count().min(bytes.len() - 1);
    let mut v = bytes[zeros..].to_vec();
    if v.first().is_some_and(|b| b & 0x80 != 0) {
        v.insert(0, 0);
    }
    Node::Prim(0x02, v)
}

pub fn rsa_algorithm() -> Node {
    seq(vec![
        Node::Prim(0x06, SHA256_WITH_RSA.to_vec()),
        Node::Prim(0x05, vec![]),
    ])
}

pub fn name(cn: &str) -> Node {
    let atv = seq(vec![
        Node::Prim(0x06, vec![0x55, 0x04, 0x03]),
        Node::Prim(0x0c, cn.as_bytes().to_vec()),
    ]);
    seq(vec![Node::Cons(0x31, vec![atv])])
}

/// A fake RSA key: an odd `bits`-bit modulus (no primes needed to make a verifier work)
/// and the public exponent `e`.
pub fn fake_rsa_spki(seed: u64, bits: usize, e: u64) -> Node {
    let mut n = super::noise(seed, bits / 8);
    n[0] |= 0x80;
    *n.last_mut().unwrap() |= 1;
    let e = e.to_be_bytes();
    let e: Vec<u8> = e.iter().copied().skip_while(|&b| b == 0).collect();
    let key = seq(vec![integer(&n), integer(&e)]).encode();
    let mut bits_content = vec![0];
    bits_content.extend(key);
    seq(vec![
        seq(vec![
            Node::Prim(0x06, RSA_ENCRYPTION.to_vec()),
            Node::Prim(0x05, vec![]),
        ]),
        Node::Prim(0x03, bits_content),
    ])
}

/// A signature value below any modulus of `bits` bits that never verifies.
pub fn junk_signature(seed: u64, bits: usize) -> Node {
    let mut s = super::noise(seed ^ 0x5151, bits / 8);
    s[0] = 0x01;
    let mut content = vec![0];
    content.extend(s);
    Node::Prim(0x03, content)
}

/// One of the 16 lattice CAs: "CN=Lattice CA" issued by "CN=Lattice CA", cA=TRUE.
pub fn lattice_ca(i: u64, bits: usize, e: u64, validity: &Node) -> Vec<u8> {
    let basic_constraints = seq(vec![
        Node::Prim(0x06, vec![0x55, 0x1d, 0x13]),
        Node::Prim(0x01, vec![0xff]),
        Node::Prim(0x04, seq(vec![Node::Prim(0x01, vec![0xff])]).encode()),
    ]);
    let tbs = seq(vec![
        Node::Cons(0xa0, vec![integer(&[2])]),
        integer(&(1000 + i).to_be_bytes()),
        rsa_algorithm(),
        name("Lattice CA"),
        validity.clone(),
        name("Lattice CA"),
        fake_rsa_spki(i + 1, bits, e),
        Node::Cons(0xa3, vec![seq(vec![basic_constraints])]),
    ]);
    seq(vec![tbs, rsa_algorithm(), junk_signature(i, bits)]).encode()
}

/// The certificate `signer` re-issued by "CN=Lattice CA" (a signature that does not
/// verify), with the key `spki` (its own when `None`): DER and validity.
pub fn lattice_leaf_of(signer: &[u8], spki: Option<Node>) -> (Vec<u8>, Node) {
    let (mut cert, _) = der::parse(signer);
    let tbs = &mut cert.children_mut()[0];
    let validity = tbs.children()[4].clone();
    tbs.children_mut()[2] = rsa_algorithm();
    tbs.children_mut()[3] = name("Lattice CA");
    if let Some(spki) = spki {
        tbs.children_mut()[6] = spki;
    }
    cert.children_mut()[1] = rsa_algorithm();
    cert.children_mut()[2] = junk_signature(99, 2048);
    (cert.encode(), validity)
}

/// `cms` with `extra` certificates put before the ones it carries.
pub fn with_certificates(cms: &[u8], extra: &[Vec<u8>]) -> Cms {
    let mut cms = Cms::parse(cms);
    let set = cms
        .signed_data()
        .children_mut()
        .iter_mut()
        .find(|n| n.tag() == 0xa0)
        .expect("a certificate set");
    let mut all: Vec<Node> = extra.iter().map(|c| der::parse(c).0).collect();
    all.append(set.children_mut());
    *set.children_mut() = all;
    cms
}

/// An ESS signingCertificate (v1) attribute naming `cert` by its SHA-1.
pub fn ess_v1(cert: &[u8]) -> Node {
    let hash = ring::digest::digest(&ring::digest::SHA1_FOR_LEGACY_USE_ONLY, cert);
    let cert_id = Node::Cons(0x30, vec![Node::Prim(0x04, hash.as_ref().to_vec())]);
    let signing_certificate = Node::Cons(0x30, vec![Node::Cons(0x30, vec![cert_id])]);
    Node::Cons(
        0x30,
        vec![
            Node::Prim(0x06, SIGNING_CERTIFICATE_V1.to_vec()),
            Node::Cons(0x31, vec![signing_certificate]),
        ],
    )
}

/// The signer infos of `cms`: its first, `n` times.
pub fn repeat_signer(cms: &mut Cms, n: usize) {
    let sd = cms.signed_data();
    let infos = sd.children_mut().last_mut().unwrap();
    let first = infos.children()[0].clone();
    *infos.children_mut() = vec![first; n];
}
