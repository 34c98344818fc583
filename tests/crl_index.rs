//! The CRL index (src/verify/crl_index.rs): it answers what a linear scan of the CRL's
//! entries answers (earliest revocation per serial, capped at thisUpdate; removeFromCRL
//! entries left out; leading zero octets ignored), and a cache of indexes never lends one
//! CRL's index to other bytes. CRLs of several thousand entries are made from an
//! `openssl ca -gencrl` template, their entry list written here, re-signed with the root's
//! key by `openssl dgst`.

mod common;

use std::collections::HashMap;

use common::der::{self, Node};
use common::pki::{openssl, Pki};
use results_vault::verify::crl_index::CrlIndex;
use results_vault::verify::path::{validate, ChainCache, PathError, PathOptions, Revocation};
use time::OffsetDateTime;
use x509_parser::prelude::FromDer;
use x509_parser::revocation_list::CertificateRevocationList;

/// A delta CRL section (the base CRL number is 1), added to the test CA's configuration.
const DELTA_SECTION: &str = "
[ crl_delta ]
authorityKeyIdentifier = keyid
deltaCRL = critical, DER:02:01:01
";

/// The signer's serial in [`Pki::new`] (the CA's serial file starts at 1000, hex).
const SIGNER_SERIAL: &[u8] = &[0x10, 0x00];

/// A revocation date long after any CRL made today: read as the CRL's thisUpdate.
const FUTURE: &str = "491231235959Z";

fn pki() -> Pki {
    let p = Pki::new();
    let conf = p.path("ca.cnf");
    let mut text = std::fs::read_to_string(&conf).unwrap();
    text.push_str(DELTA_SECTION);
    std::fs::write(conf, text).unwrap();
    p
}

/// One CRL entry: serial (INTEGER content, as encoded), revocationDate (UTCTime), reason.
struct Entry {
    serial: Vec<u8>,
    date: String,
    reason: Option<u8>,
}

fn entry(serial: &[u8], date: &str, reason: Option<u8>) -> Entry {
    Entry {
        serial: serial.to_vec(),
        date: date.to_owned(),
        reason,
    }
}

impl Entry {
    fn node(&self) -> Node {
        let mut fields = vec![
            Node::Prim(0x02, self.serial.clone()),
            Node::Prim(0x17, self.date.as_bytes().to_vec()),
        ];
        if let Some(code) = self.reason {
            // Extensions { Extension { reasonCode, OCTET STRING { ENUMERATED code } } }
            let reason = Node::Cons(
                0x30,
                vec![
                    Node::Prim(0x06, vec![0x55, 0x1d, 0x15]),
                    Node::Prim(0x04, vec![0x0a, 0x01, code]),
                ],
            );
            fields.push(Node::Cons(0x30, vec![reason]));
        }
        Node::Cons(0x30, fields)
    }
}

/// A CRL of the root made by openssl with extension section `section` (no entries), its
/// entry list replaced by `entries`, re-signed with the root's key.
fn crl_with_entries(p: &Pki, name: &str, section: &str, entries: &[Entry]) -> Vec<u8> {
    let template = p.crl_with(name, section);
    let (mut crl, _) = der::parse(&template);
    {
        let tbs = &mut crl.children_mut()[0];
        let children = tbs.children_mut();
        // After thisUpdate and nextUpdate (indices 3, 4), before the [0] extensions.
        let at = children.iter().position(|n| n.tag() == 0xa0).unwrap();
        assert_eq!(children[at - 1].tag(), 0x17, "nextUpdate before the extensions");
        children.insert(at, Node::Cons(0x30, entries.iter().map(Entry::node).collect()));
    }
    resign(p, &mut crl);
    crl.encode()
}

/// Re-signs the tbsCertList of `crl` with the root's key (ECDSA P-256, SHA-256).
fn resign(p: &Pki, crl: &mut Node) {
    let tbs = crl.children()[0].encode();
    std::fs::write(p.path("tbs.der"), &tbs).unwrap();
    assert!(openssl(
        p.dir.path(),
        &["dgst", "-sha256", "-sign", "root.key", "-out", "tbs.sig", "tbs.der"]
    ));
    let mut bits = vec![0u8];
    bits.extend(std::fs::read(p.path("tbs.sig")).unwrap());
    crl.children_mut()[2] = Node::Prim(0x03, bits);
}

/// The minimal big-endian octets of `n` as a positive DER INTEGER.
fn integer(n: u64) -> Vec<u8> {
    let mut bytes: Vec<u8> = n.to_be_bytes().iter().copied().skip_while(|&b| b == 0).collect();
    if bytes.first().is_none_or(|&b| b & 0x80 != 0) {
        bytes.insert(0, 0);
    }
    bytes
}

fn strip(serial: &[u8]) -> &[u8] {
    let n = serial.iter().take_while(|&&b| b == 0).count();
    &serial[n.min(serial.len().saturating_sub(1))..]
}

/// What the validator did before the index, for each certificate: scan every entry.
fn linear_scan(crl: &CertificateRevocationList<'_>, serial: &[u8]) -> Option<i64> {
    let this_update = crl.last_update().timestamp();
    let mut revoked_at: Option<i64> = None;
    for e in crl.iter_revoked_certificates() {
        if strip(e.raw_serial()) != strip(serial) {
            continue;
        }
        if matches!(e.reason_code(), Some((_, code)) if code.0 == 8) {
            continue;
        }
        let when = e.revocation_date.timestamp().min(this_update);
        revoked_at = Some(revoked_at.map_or(when, |r| r.min(when)));
    }
    revoked_at
}

/// Several thousand entries: minimal serials, serials with a 0x00 before a high bit,
/// non-minimal encodings with extra leading zeros, one serial listed three times (one of
/// them dated after the CRL), reasons or none.
fn many_entries() -> Vec<Entry> {
    let mut entries = Vec::new();
    for i in 0..4000u64 {
        let serial = match i % 10 {
            // A 0x00 before a high bit (a positive INTEGER).
            3 => integer(0x80_0000 + i),
            // Extra leading zeros: not DER-minimal, the same number.
            7 => [vec![0, 0], integer(0x2_0000 + i)].concat(),
            _ => integer(0x2_0000 + i),
        };
        let date = format!("25{:02}{:02}120000Z", 1 + i % 12, 1 + i % 28);
        let reason = [None, Some(1), Some(4), Some(5)][(i % 4) as usize];
        entries.push(Entry { serial, date, reason });
    }
    // One serial three times: the earliest counts, whatever the order.
    let twice = integer(0x55_5555);
    entries.insert(100, entry(&twice, "250601000000Z", Some(1)));
    entries.insert(2000, entry(&[0, 0x55, 0x55, 0x55], "240301000000Z", None));
    entries.push(entry(&twice, FUTURE, None));
    // Only dated after the CRL: revoked at its thisUpdate.
    entries.push(entry(&integer(0x66_6666), FUTURE, Some(1)));
    entries
}

/// The index agrees with the linear scan for every serial listed, and for some that are not.
fn assert_agrees(der: &[u8], entries: &[Entry]) {
    let index = CrlIndex::from_der(der).expect("an index");
    let (_, crl) = CertificateRevocationList::from_der(der).unwrap();
    assert_eq!(crl.iter_revoked_certificates().count(), entries.len());
    let mut distinct = HashMap::new();
    for e in entries {
        let expected = linear_scan(&crl, &e.serial);
        assert_eq!(index.revoked_at(&e.serial), expected, "serial {:02x?}", e.serial);
        // The same number, written with more or fewer leading zeros.
        assert_eq!(index.revoked_at(strip(&e.serial)), expected);
        assert_eq!(index.revoked_at(&[&[0u8, 0][..], &e.serial].concat()), expected);
        if let Some(when) = expected {
            distinct.insert(strip(&e.serial).to_vec(), when);
        }
    }
    assert_eq!(index.serials(), distinct.len());
    for absent in [&[0x05][..], &[0x00], &[0x7f, 0xff, 0xff], SIGNER_SERIAL] {
        assert_eq!(index.revoked_at(absent), None, "{absent:02x?}");
        assert_eq!(linear_scan(&crl, absent), None);
    }
}

fn options() -> PathOptions {
    PathOptions {
        validation_time: Some(OffsetDateTime::now_utc()),
        ..PathOptions::default()
    }
}

fn soon() -> OffsetDateTime {
    OffsetDateTime::now_utc() + time::Duration::minutes(1)
}

/// The signer's revocation status with `crls`, through `cache` (or none).
fn status(p: &Pki, crls: &[Vec<u8>], cache: Option<&ChainCache>) -> Result<Revocation, PathError> {
    let anchors = std::slice::from_ref(&p.root);
    let valid = match cache {
        Some(c) => c.validate(&p.signer, &[], anchors, crls, soon(), &options()),
        None => validate(&p.signer, &[], anchors, crls, soon(), &options()),
    };
    valid.map(|v| v.revocation[0])
}

fn good(r: &Result<Revocation, PathError>) -> bool {
    matches!(r, Ok(Revocation::Good { .. }))
}

fn revoked(r: &Result<Revocation, PathError>) -> bool {
    matches!(r, Err(PathError::Revoked { .. }))
}

#[test]
fn the_index_agrees_with_a_linear_scan_of_a_complete_crl() {
    let p = pki();
    let entries = many_entries();
    let crl = crl_with_entries(&p, "many", "crl_ext", &entries);
    assert_agrees(&crl, &entries);
    let index = CrlIndex::from_der(&crl).unwrap();
    // Listed three times: the earliest date (2024-03-01).
    assert_eq!(index.revoked_at(&[0x55, 0x55, 0x55]), Some(1_709_251_200));
    // Dated after the CRL: revoked at its thisUpdate.
    assert_eq!(index.revoked_at(&[0x66, 0x66, 0x66]), Some(index.this_update()));

    // The signer is not listed: the CRL says good, with or without a cache.
    let cache = ChainCache::new();
    assert!(good(&status(&p, std::slice::from_ref(&crl), None)));
    assert!(good(&status(&p, std::slice::from_ref(&crl), Some(&cache))));
    assert!(good(&status(&p, std::slice::from_ref(&crl), Some(&cache))));
    // Listed with extra leading zeros: revoked.
    let mut listed = many_entries();
    listed.push(entry(&[0, 0, 0x10, 0x00], "250101000000Z", Some(1)));
    let listed = crl_with_entries(&p, "listed", "crl_ext", &listed);
    assert!(revoked(&status(&p, std::slice::from_ref(&listed), None)));
    assert!(revoked(&status(&p, std::slice::from_ref(&listed), Some(&cache))));
}

#[test]
fn remove_from_crl_in_a_delta_is_not_a_revocation() {
    let p = pki();
    let mut entries = many_entries();
    // Only removeFromCRL: off hold, not revoked.
    entries.push(entry(&integer(0x77_0001), "250101000000Z", Some(8)));
    // removeFromCRL and a revocation: the revocation counts.
    entries.push(entry(&integer(0x77_0002), "250101000000Z", Some(8)));
    entries.push(entry(&[0, 0x77, 0x00, 0x02], "250201000000Z", Some(1)));
    // On hold.
    entries.push(entry(&integer(0x77_0003), "250301000000Z", Some(6)));
    let delta = crl_with_entries(&p, "delta", "crl_delta", &entries);
    assert_agrees(&delta, &entries);
    let index = CrlIndex::from_der(&delta).unwrap();
    assert_eq!(index.revoked_at(&[0x77, 0x00, 0x01]), None);
    assert_eq!(index.revoked_at(&[0x77, 0x00, 0x02]), Some(1_738_368_000));
    assert!(index.revoked_at(&[0x77, 0x00, 0x03]).is_some());

    // A complete CRL that does not list the signer says good; a delta that takes it off
    // hold leaves it good, one that puts it on hold revokes it.
    let base = crl_with_entries(&p, "base", "crl_ext", &many_entries()[..50]);
    let off_hold = crl_with_entries(
        &p,
        "off_hold",
        "crl_delta",
        &[entry(SIGNER_SERIAL, "250101000000Z", Some(8))],
    );
    let on_hold = crl_with_entries(
        &p,
        "on_hold",
        "crl_delta",
        &[entry(SIGNER_SERIAL, "250101000000Z", Some(6))],
    );
    let cache = ChainCache::new();
    for c in [None, Some(&cache)] {
        assert!(good(&status(&p, &[base.clone(), off_hold.clone()], c)));
        assert!(revoked(&status(&p, &[base.clone(), on_hold.clone()], c)));
    }
    // removeFromCRL in a complete CRL breaks a rule: the path fails, not revoked.
    let broken = crl_with_entries(
        &p,
        "broken",
        "crl_ext",
        &[entry(SIGNER_SERIAL, "250101000000Z", Some(8))],
    );
    assert!(matches!(
        status(&p, std::slice::from_ref(&broken), Some(&cache)),
        Err(PathError::Profile(_))
    ));
}

#[test]
fn a_crl_that_differs_in_one_byte_never_reuses_another_index() {
    let p = pki();
    // A listed serial one byte away from the signer's (0x1001 → 0x1000).
    let mut entries = many_entries();
    entries.insert(2500, entry(&[0x10, 0x01], "250101000000Z", Some(1)));
    let crl = crl_with_entries(&p, "near", "crl_ext", &entries);
    let at = crl
        .windows(4)
        .position(|w| w == [0x02, 0x02, 0x10, 0x01])
        .expect("the entry")
        + 3;
    assert!(at > 64 && at < crl.len() - 64, "same length, start and end");
    // The same bytes but the signer listed, not re-signed: same length, start and
    // signature, so only a full comparison tells them apart. Not authentic: skipped.
    let mut forged = crl.clone();
    forged[at] = 0x00;
    // The same change, re-signed: the signer is revoked.
    let (mut node, _) = der::parse(&forged);
    resign(&p, &mut node);
    let listed = node.encode();

    let cache = ChainCache::new();
    let pinned = ChainCache::with_crls(vec![crl.clone()]);
    let copy = vec![crl.clone()];
    for round in 0..2 {
        // The CRL first (its index cached), then the others through the same cache.
        assert!(good(&status(&p, std::slice::from_ref(&crl), Some(&cache))), "{round}");
        assert!(good(&status(&p, pinned.crls(), Some(&pinned))), "{round}");
        for c in [&cache, &pinned] {
            assert!(matches!(
                status(&p, std::slice::from_ref(&forged), Some(c)),
                Ok(Revocation::Unknown)
            ));
            assert!(revoked(&status(&p, std::slice::from_ref(&listed), Some(c))));
            // A copy of the pinned CRL (other memory, equal bytes) is the same CRL.
            assert!(good(&status(&p, &copy, Some(c))));
        }
    }
    // Summaries come from each CRL's own index.
    let sha = |der: &[u8]| ring::digest::digest(&ring::digest::SHA256, der).as_ref().to_vec();
    for der in [&crl, &listed] {
        let summary = pinned.crl_summary(der).unwrap();
        assert_eq!(summary.sha256.to_vec(), sha(der));
        assert_eq!(summary.issuer, "CN=Root CA");
    }
    assert!(pinned.crl_summary(b"not a CRL").is_none());
}
