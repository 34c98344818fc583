//! Issue 17 through the vault: the crafted certificates and CMS of classes 2, 3, 6, 7
//! and 8, sent to `begin_signing`, `complete_signing` (a provider's whole CMS) and
//! `attach_signature`. A variant is refused with a typed error and leaves nothing behind
//! (no signature row, no `sign` event); a control made the same way correctly completes
//! and is stored. Classes 1, 4 and 5 are in tests/crl_attacks.rs and tests/cms_attacks.rs.
//!
//! Sessions of a chain that `begin_signing` now refuses are simulated as the class 4 test
//! does it: a session opened with a good chain whose stored chain is then swapped (as one
//! stored by an older version would be), so that the completion's verification is what
//! refuses the reply.
//!
//! Class 6 (a claimed time is no proof) reaches the vault only in one shape: the vault
//! verifies a reply at its own clock and records its own acceptance time as the proof of
//! existence; no caller gives it a validation time in the past. So the test shows that a
//! revoked signer's reply claiming a signingTime before the revocation is refused, and
//! that an accepted reply's proof of existence is the vault's acceptance time, never the
//! claim.

mod common;

#[path = "common/chain.rs"]
mod chain;

use std::time::{Duration, Instant};

use chain::Lab;
use common::crafted::{ess_v1, lattice_ca, lattice_leaf_of, repeat_signer, with_certificates};
use common::der::{self, Cms};
use common::pki::{openssl, Pki};
use common::*;
use results_vault::{
    DigestAlgorithm, Error, EventKind, Indication, ResultId, SignatureReply, SigningError, StoredSignature,
    SubIndication, VaultOptions,
};
use time::OffsetDateTime;

/// A vault on the real clock (the labs' certificates start now).
fn vault() -> TempVault {
    temp_vault_with(VaultOptions::default())
}

fn record(t: &TempVault, n: u64) -> ResultId {
    let mut new = birth_extract(&format!("V-{n}"));
    new.document_number = format!("{n}/TLKS");
    t.vault.ingest(new, &noise(n, 1500)).unwrap().record.result_id
}

fn envelope(t: &TempVault, id: &ResultId) -> Vec<u8> {
    t.vault.envelope(id).unwrap().as_bytes().to_vec()
}

fn sign_events(t: &TempVault, id: &ResultId) -> usize {
    t.vault
        .history(id)
        .unwrap()
        .iter()
        .filter(|e| e.kind == EventKind::Sign)
        .count()
}

/// No signature row and no `sign` event for `id`.
fn nothing_stored(t: &TempVault, id: &ResultId, case: &str) {
    assert!(
        t.vault.signatures(id).unwrap().is_empty(),
        "{case}: a signature was stored"
    );
    assert_eq!(sign_events(t, id), 0, "{case}: a sign event was logged");
}

/// The verdict of a reply the vault refused as not PASSED.
fn refused(r: results_vault::Result<StoredSignature>, case: &str) -> (Indication, Option<SubIndication>, String) {
    match r {
        Err(Error::Signing(SigningError::NotAccepted {
            indication,
            sub_indication,
            detail,
        })) => (indication, sub_indication, detail),
        other => panic!("{case}: expected a refused reply, got {other:?}"),
    }
}

/// `openssl cms -sign -cades` by `{cert}.pem` / `{key}` over `content`, in `dir`, with
/// the extra certificates of `certfile` (a PEM file) if given.
fn cms_sign(dir: &std::path::Path, cert: &str, key: &str, content: &[u8], certfile: Option<&str>) -> Vec<u8> {
    std::fs::write(dir.join("content.bin"), content).unwrap();
    let cert = format!("{cert}.pem");
    let mut args = vec![
        "cms",
        "-sign",
        "-binary",
        "-cades",
        "-in",
        "content.bin",
        "-signer",
        &cert,
        "-inkey",
        key,
        "-md",
        "sha256",
        "-outform",
        "DER",
        "-out",
        "reply.p7s",
    ];
    if let Some(f) = certfile {
        args.extend(["-certfile", f]);
    }
    assert!(openssl(dir, &args));
    std::fs::read(dir.join("reply.p7s")).unwrap()
}

/// Replaces the certificate chain stored with session `session_id`.
fn swap_session_chain(t: &TempVault, session_id: &str, chain: &[Vec<u8>]) {
    let n = raw_sqlite(&t.path())
        .execute(
            "UPDATE signing_sessions SET chain = ?1 WHERE session_id = ?2",
            (chain.concat(), session_id),
        )
        .unwrap();
    assert_eq!(n, 1);
}

/// A CRL (DER, 30 days) of lab CA `ca` revoking nothing, made by `openssl ca -gencrl`.
fn lab_crl(lab: &Lab, ca: &str) -> Vec<u8> {
    let d = lab.dir.path();
    let cnf = format!("crl-{ca}.cnf");
    std::fs::write(
        d.join(&cnf),
        format!(
            "[ca]\ndefault_ca = d\n[d]\ndatabase = crl-{ca}.index\ncrlnumber = crl-{ca}.number\n\
             default_md = sha256\ndefault_crl_days = 30\n[crl_ext]\nauthorityKeyIdentifier = keyid\n"
        ),
    )
    .unwrap();
    std::fs::write(d.join(format!("crl-{ca}.index")), "").unwrap();
    std::fs::write(d.join(format!("crl-{ca}.number")), "01\n").unwrap();
    let (cert, key, out) = (format!("{ca}.pem"), format!("{ca}.key"), format!("{ca}.crl"));
    assert!(openssl(
        d,
        &[
            "ca", "-batch", "-config", &cnf, "-gencrl", "-cert", &cert, "-keyfile", &key, "-crlexts", "crl_ext",
            "-out", &out,
        ]
    ));
    let der = format!("{ca}.crl.der");
    assert!(openssl(d, &["crl", "-in", &out, "-outform", "DER", "-out", &der]));
    std::fs::read(d.join(der)).unwrap()
}

/// A lab vault: the lab's root as anchor, the intermediates `cas` (the vault keeps a CRL
/// only of an issuer it holds), a CRL of the root and of each intermediate.
fn lab_vault(lab: &Lab, root: &[u8], cas: &[&str]) -> TempVault {
    let t = vault();
    t.vault.add_trust_anchor(root).unwrap();
    t.vault.add_crl(&lab_crl(lab, "root")).unwrap();
    for ca in cas {
        t.vault.add_intermediate(&lab.der(ca)).unwrap();
        t.vault.add_crl(&lab_crl(lab, ca)).unwrap();
    }
    t
}

/// One chain case of classes 2 and 3: a signer `leaf` under intermediate `ica` (lab names).
struct ChainCase {
    name: &'static str,
    ica: &'static str,
    leaf: String,
    /// Acceptable: a control.
    control: bool,
}

/// Drives one chain case through the vault. A variant: `begin_signing` refuses its chain
/// (BadCertificateChain naming `word`), `attach_signature` and `complete_signing` (on a
/// session whose chain was swapped to it, opened with the control `good`) refuse its CMS
/// as INDETERMINATE / CHAIN_CONSTRAINTS_FAILURE naming `word`, and nothing is stored.
/// A control: begin and complete, and attach, each store one signature.
fn drive_chain_case(t: &TempVault, lab: &Lab, c: &ChainCase, n: u64, word: &str, good: (&str, &str)) {
    let d = lab.dir.path();
    let chain = vec![lab.der(&c.leaf), lab.der(c.ica)];
    let ica_pem = format!("{}.pem", c.ica);
    let key = format!("{}.key", c.leaf);
    let id = record(t, n);
    let cms = cms_sign(d, &c.leaf, &key, &envelope(t, &id), Some(&ica_pem));
    if c.control {
        let session = t
            .vault
            .begin_signing(&id, chain, DigestAlgorithm::Sha256)
            .unwrap_or_else(|e| panic!("{}: begin: {e}", c.name));
        t.vault
            .complete_signing(&session.session_id, SignatureReply::Cms { cms })
            .unwrap_or_else(|e| panic!("{}: complete: {e}", c.name));
        assert_eq!(t.vault.signatures(&id).unwrap().len(), 1, "{}", c.name);
        assert_eq!(sign_events(t, &id), 1, "{}", c.name);
        let other = record(t, n + 1000);
        let cms = cms_sign(d, &c.leaf, &key, &envelope(t, &other), Some(&ica_pem));
        t.vault
            .attach_signature(&other, &cms)
            .unwrap_or_else(|e| panic!("{}: attach: {e}", c.name));
        assert_eq!(t.vault.signatures(&other).unwrap().len(), 1, "{}", c.name);
        println!("{:<60} accepted (begin, complete, attach)", c.name);
        return;
    }
    match t.vault.begin_signing(&id, chain.clone(), DigestAlgorithm::Sha256) {
        Err(Error::Signing(SigningError::BadCertificateChain(why))) => {
            assert!(why.contains(word), "{}: begin: {why:?} lacks {word:?}", c.name)
        }
        other => panic!("{}: begin: expected a refused chain, got {other:?}", c.name),
    }
    let (indication, sub, detail) = refused(t.vault.attach_signature(&id, &cms), c.name);
    assert_eq!(
        (indication, sub),
        (Indication::Indeterminate, Some(SubIndication::ChainConstraintsFailure)),
        "{}: attach: {detail}",
        c.name
    );
    assert!(detail.contains(word), "{}: attach: {detail:?} lacks {word:?}", c.name);
    let good_chain = vec![lab.der(good.0), lab.der(good.1)];
    let session = t.vault.begin_signing(&id, good_chain, DigestAlgorithm::Sha256).unwrap();
    swap_session_chain(t, &session.session_id, &chain);
    let (indication, sub, detail) = refused(
        t.vault
            .complete_signing(&session.session_id, SignatureReply::Cms { cms }),
        c.name,
    );
    assert_eq!(
        (indication, sub),
        (Indication::Indeterminate, Some(SubIndication::ChainConstraintsFailure)),
        "{}: complete: {detail}",
        c.name
    );
    assert!(detail.contains(word), "{}: complete: {detail:?} lacks {word:?}", c.name);
    nothing_stored(t, &id, c.name);
    println!("{:<60} refused: {detail}", c.name);
}

const CA: &str = "basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid";
const LEAF: &str = "basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, nonRepudiation
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid";
const P1: &str = "1.3.6.1.4.1.55555.1.1";
const P3: &str = "1.3.6.1.4.1.55555.1.3";
const ANY_POLICY: &str = "2.5.29.32.0";

/// Class 2 (RFC 5280 §6.1.5(g)): an intermediate requiring an explicit policy over a
/// signer with none, with a disjoint one, or with only anyPolicy under inhibitAnyPolicy.
#[test]
fn class2_the_vault_refuses_a_signer_outside_the_required_policies() {
    let extensions = format!(
        "[ca]\n{CA}\n\
         [ica_explicit]\n{CA}\ncertificatePolicies = {P1}\npolicyConstraints = critical, requireExplicitPolicy:0\n\
         [ica_explicit_any_inhibited]\n{CA}\ncertificatePolicies = {ANY_POLICY}\n\
         policyConstraints = critical, requireExplicitPolicy:0\ninhibitAnyPolicy = critical, 0\n\
         [leaf_none]\n{LEAF}\n\
         [leaf_p1]\n{LEAF}\ncertificatePolicies = {P1}\n\
         [leaf_p3]\n{LEAF}\ncertificatePolicies = {P3}\n\
         [leaf_any]\n{LEAF}\ncertificatePolicies = {ANY_POLICY}\n"
    );
    let lab = Lab::new(&extensions);
    let root = lab.root("root", "/CN=Policy Root", "ca");
    let icas = ["ica_explicit", "ica_explicit_any_inhibited"];
    for ica in icas {
        lab.request(ica, &format!("/CN={ica}"), "utf8only");
        lab.sign(ica, "root", ica);
    }
    let leaf = |name: &str, ica: &str, section: &str| {
        lab.request(name, &format!("/CN={name}"), "utf8only");
        lab.sign(name, ica, section);
        name.to_string()
    };
    let cases = [
        ChainCase {
            name: "control: explicit policy required, signer with P1",
            ica: "ica_explicit",
            leaf: leaf("good", "ica_explicit", "leaf_p1"),
            control: true,
        },
        ChainCase {
            name: "control: explicit policy, inhibitAnyPolicy, signer with P1",
            ica: "ica_explicit_any_inhibited",
            leaf: leaf("good_p1", "ica_explicit_any_inhibited", "leaf_p1"),
            control: true,
        },
        ChainCase {
            name: "explicit policy required, signer without policies",
            ica: "ica_explicit",
            leaf: leaf("none", "ica_explicit", "leaf_none"),
            control: false,
        },
        ChainCase {
            name: "explicit policy required, signer with a disjoint policy",
            ica: "ica_explicit",
            leaf: leaf("disjoint", "ica_explicit", "leaf_p3"),
            control: false,
        },
        ChainCase {
            name: "explicit policy required, only anyPolicy under inhibitAnyPolicy",
            ica: "ica_explicit_any_inhibited",
            leaf: leaf("any", "ica_explicit_any_inhibited", "leaf_any"),
            control: false,
        },
    ];
    let t = lab_vault(&lab, &root, &icas);
    for (i, c) in cases.iter().enumerate() {
        drive_chain_case(
            &t,
            &lab,
            c,
            200 + i as u64,
            "certificate policies",
            ("good", "ica_explicit"),
        );
    }
}

/// Class 3 (RFC 5280 §7.1, RFC 4518): an excluded `O=Evil Corp` is not escaped by case,
/// doubled spaces or another string type; a permitted `O=Good Corp` admits them.
#[test]
fn class3_the_vault_refuses_a_signer_whose_name_escapes_an_exclusion_only_by_its_bytes() {
    let extensions = format!(
        "[ca]\n{CA}\n\
         [ica_excluded]\n{CA}\nnameConstraints = critical, excluded;dirName:excluded_dn\n\
         [excluded_dn]\nO = Evil Corp\n\
         [ica_permitted]\n{CA}\nnameConstraints = critical, permitted;dirName:permitted_dn\n\
         [permitted_dn]\nO = Good Corp\n\
         [leaf]\n{LEAF}\n"
    );
    let lab = Lab::new(&extensions);
    let root = lab.root("root", "/CN=Root CA", "ca");
    let icas = ["ica_excluded", "ica_permitted"];
    for ica in icas {
        lab.request(ica, &format!("/CN={ica}"), "utf8only");
        lab.sign(ica, "root", ica);
    }
    let leaf = |name: &str, ica: &str, subject: &str, mask: &str| {
        lab.request(name, subject, mask);
        lab.sign(name, ica, "leaf");
        name.to_string()
    };
    let cases = [
        ChainCase {
            name: "control: O=Good Corp under the exclusion",
            ica: "ica_excluded",
            leaf: leaf("good", "ica_excluded", "/O=Good Corp/CN=Alice", "utf8only"),
            control: true,
        },
        ChainCase {
            name: "control: O=GOOD   CORP (BMPString) under the permission",
            ica: "ica_permitted",
            leaf: leaf("permitted", "ica_permitted", "/O=GOOD   CORP/CN=Bob", "MASK:0x800"),
            control: true,
        },
        ChainCase {
            name: "upper case O=EVIL CORP",
            ica: "ica_excluded",
            leaf: leaf("upper", "ica_excluded", "/O=EVIL CORP/CN=Alice", "utf8only"),
            control: false,
        },
        ChainCase {
            name: "two spaces O=Evil  Corp",
            ica: "ica_excluded",
            leaf: leaf("spaces", "ica_excluded", "/O=Evil  Corp/CN=Alice", "utf8only"),
            control: false,
        },
        ChainCase {
            name: "BMPString O=eViL   cOrP",
            ica: "ica_excluded",
            leaf: leaf("bmp", "ica_excluded", "/O=eViL   cOrP/CN=Alice", "MASK:0x800"),
            control: false,
        },
        ChainCase {
            name: "O=Good Corps under the permission",
            ica: "ica_permitted",
            leaf: leaf("outside", "ica_permitted", "/O=Good Corps/CN=Bob", "utf8only"),
            control: false,
        },
    ];
    let t = lab_vault(&lab, &root, &icas);
    for (i, c) in cases.iter().enumerate() {
        drive_chain_case(
            &t,
            &lab,
            c,
            300 + i as u64,
            "name constraints",
            ("good", "ica_excluded"),
        );
    }
}

/// A vault trusting `pki`'s root, with a current CRL of it.
fn pki_vault(pki: &Pki) -> TempVault {
    let t = vault();
    t.vault.add_trust_anchor(&pki.root).unwrap();
    t.vault.add_crl(&pki.crl("current")).unwrap();
    t
}

/// `base` with its signingTime replaced by `utc_time` and re-signed with `key`.
fn claiming(pki: &Pki, base: &[u8], utc_time: &str, key: &str) -> Vec<u8> {
    let mut cms = Cms::parse(base);
    *cms.values(der::SIGNING_TIME) = vec![der::utc_time(utc_time)];
    cms.resign(pki.dir.path(), key);
    cms.encode()
}

fn utc_stamp(t: OffsetDateTime) -> String {
    format!(
        "{:02}{:02}{:02}{:02}{:02}{:02}Z",
        t.year() % 100,
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

/// Class 6: a signer revoked for key compromise after the session began; its reply
/// claims a signingTime before the revocation (and, the second, the time it was made,
/// after it). The vault verifies at its own clock with its acceptance time as the only
/// proof of existence: both are refused, nothing is stored. An accepted reply's proof of
/// existence is the vault's acceptance time (its `sign` event), never the claimed time.
#[test]
fn class6_a_claimed_signing_time_is_no_proof_to_the_vault() {
    let pki = Pki::dated();
    pki.issue("good", "rsa:2048");
    let t = pki_vault(&pki);
    let id = record(&t, 600);
    let session = t
        .vault
        .begin_signing(&id, vec![pki.signer.clone()], DigestAlgorithm::Sha256)
        .unwrap();
    let d = pki.dir.path();
    let made_now = cms_sign(d, "signer", "signer.key", &envelope(&t, &id), None);
    let claimed_before = claiming(&pki, &made_now, "260115000000Z", "signer.key");
    // Revoked since an hour ago; the vault learns it from a new CRL.
    let revoked_at = OffsetDateTime::now_utc() - time::Duration::hours(1);
    pki.revoke_dated("signer.pem", &format!("{},keyCompromise", utc_stamp(revoked_at)));
    t.vault.add_crl(&pki.crl("revoked")).unwrap();
    // Neither claim is a proof: the vault's acceptance time (now) is after the
    // revocation. A claim before it leaves the answer INDETERMINATE (REVOKED_NO_POE), a
    // claim after it makes it FAILED (REVOKED); never PASSED.
    for (case, cms, expected) in [
        (
            "claims 2026-01-15, before the revocation",
            claimed_before.clone(),
            (Indication::Indeterminate, Some(SubIndication::RevokedNoPoe)),
        ),
        (
            "claims the time it was made, after the revocation",
            made_now,
            (Indication::Failed, Some(SubIndication::Revoked)),
        ),
    ] {
        let (indication, sub, detail) = refused(
            t.vault
                .complete_signing(&session.session_id, SignatureReply::Cms { cms: cms.clone() }),
            case,
        );
        println!("revoked signer, {case}: {indication:?}/{sub:?} {detail}");
        assert_eq!((indication, sub), expected, "complete, {case}: {detail}");
        let (indication, sub, detail) = refused(t.vault.attach_signature(&id, &cms), case);
        assert_eq!((indication, sub), expected, "attach, {case}: {detail}");
        nothing_stored(&t, &id, case);
    }
    // The control: an unrevoked signer claiming the same early time is accepted, and the
    // proof of existence the vault records is its own acceptance time, not the claim.
    for via_session in [true, false] {
        let id = record(&t, if via_session { 601 } else { 602 });
        let before = OffsetDateTime::now_utc() - time::Duration::seconds(1);
        let base = cms_sign(d, "good", "good.key", &envelope(&t, &id), None);
        let cms = claiming(&pki, &base, "260115000000Z", "good.key");
        let stored = if via_session {
            let good = pki.der("x509", "good.pem");
            let session = t.vault.begin_signing(&id, vec![good], DigestAlgorithm::Sha256).unwrap();
            t.vault
                .complete_signing(&session.session_id, SignatureReply::Cms { cms })
                .unwrap()
        } else {
            t.vault.attach_signature(&id, &cms).unwrap()
        };
        assert_eq!(
            stored.acceptance.claimed_signing_time.as_deref(),
            Some("2026-01-15T00:00:00Z")
        );
        assert!(stored.proof_of_existence >= before, "{}", stored.proof_of_existence);
        let sign = t
            .vault
            .history(&id)
            .unwrap()
            .into_iter()
            .find(|e| e.kind == EventKind::Sign)
            .expect("a sign event");
        assert_eq!(stored.proof_of_existence, sign.at);
        assert_eq!(t.vault.signatures(&id).unwrap().len(), 1);
    }
}

/// Class 7, the lattice: a reply signed with the signer's key whose certificate is
/// re-issued by "Lattice CA", carrying 16 CA certificates of that name that cross-sign
/// each other with costly RSA keys (as the issue built them, RSA-8192 e = 2^33 − 1, and
/// within the bounds, RSA-4096 e = 2^32 − 1). One SignerInfo: refused as
/// INDETERMINATE / NO_CERTIFICATE_CHAIN_FOUND within 5 s; ten SignerInfos: refused before
/// any verification. Nothing is stored.
#[test]
fn class7_a_lattice_reply_is_refused_quickly_and_nothing_is_stored() {
    let pki = Pki::dated();
    let t = pki_vault(&pki);
    let d = pki.dir.path();
    let (leaf, validity) = lattice_leaf_of(&pki.signer, None);
    std::fs::write(d.join("lattice-leaf.der"), &leaf).unwrap();
    assert!(openssl(
        d,
        &[
            "x509",
            "-inform",
            "DER",
            "-in",
            "lattice-leaf.der",
            "-out",
            "lattice-leaf.pem"
        ]
    ));
    for (k, (bits, e)) in [(8192, (1u64 << 33) - 1), (4096, (1u64 << 32) - 1)]
        .into_iter()
        .enumerate()
    {
        let cas: Vec<Vec<u8>> = (0..16).map(|i| lattice_ca(i, bits, e, &validity)).collect();
        let id = record(&t, 700 + k as u64);
        let signed = cms_sign(d, "lattice-leaf", "signer.key", &envelope(&t, &id), None);
        let one = with_certificates(&signed, &cas).encode();
        let mut ten = with_certificates(&signed, &cas);
        repeat_signer(&mut ten, 10);
        let ten = ten.encode();
        let case = format!("lattice RSA-{bits}");
        // Attached as a finished CMS.
        let started = Instant::now();
        let (indication, sub, detail) = refused(t.vault.attach_signature(&id, &one), &case);
        let took = started.elapsed();
        println!("{case}, attached: {indication:?}/{sub:?} in {took:?}: {detail}");
        assert_eq!(
            (indication, sub),
            (Indication::Indeterminate, Some(SubIndication::NoCertificateChainFound)),
            "{case}: {detail}"
        );
        assert!(took < Duration::from_secs(5), "{case}: attach took {took:?}");
        // A provider's reply to a session whose signer is the lattice's leaf.
        let session = t
            .vault
            .begin_signing(&id, vec![pki.signer.clone()], DigestAlgorithm::Sha256)
            .unwrap();
        swap_session_chain(&t, &session.session_id, std::slice::from_ref(&leaf));
        let started = Instant::now();
        let (indication, sub, detail) = refused(
            t.vault
                .complete_signing(&session.session_id, SignatureReply::Cms { cms: one }),
            &case,
        );
        let took = started.elapsed();
        println!("{case}, session: {indication:?}/{sub:?} in {took:?}");
        assert_eq!(
            (indication, sub),
            (Indication::Indeterminate, Some(SubIndication::NoCertificateChainFound)),
            "{case}: {detail}"
        );
        assert!(took < Duration::from_secs(5), "{case}: complete took {took:?}");
        // Ten SignerInfos: not a reply at all.
        let started = Instant::now();
        for r in [
            t.vault
                .complete_signing(&session.session_id, SignatureReply::Cms { cms: ten.clone() }),
            t.vault.attach_signature(&id, &ten),
        ] {
            match r {
                Err(Error::Signing(SigningError::MalformedReply(why))) => {
                    assert!(why.contains("10 SignerInfos"), "{case}: {why}")
                }
                other => panic!("{case}: ten signers: expected a malformed reply, got {other:?}"),
            }
        }
        assert!(started.elapsed() < Duration::from_secs(5), "{case}: ten signers");
        nothing_stored(&t, &id, &case);
    }
}

/// The subject key identifier of certificate `der`.
fn ski(der: &[u8]) -> Vec<u8> {
    use x509_parser::extensions::ParsedExtension;
    let (_, cert) = x509_parser::parse_x509_certificate(der).unwrap();
    cert.extensions()
        .iter()
        .find_map(|e| match e.parsed_extension() {
            ParsedExtension::SubjectKeyIdentifier(k) => Some(k.0.to_vec()),
            _ => None,
        })
        .expect("a subjectKeyIdentifier")
}

/// Class 7, the padded set: 199 junk CA certificates named like the signer's
/// intermediate, with its key identifier, "issued" under the root's name and key
/// identifier by an attacker's key, on keys of their own or on the intermediate's key;
/// put in the reply before the real intermediate. The vault holds the intermediate (it
/// keeps a CRL only of an issuer it holds, and its policy requires one for every
/// certificate of the chain), and the engine ranks the trust store's certificates before
/// the CMS's: the reply is accepted as the engine says, quickly, and stored, through a
/// session and attached.
#[test]
fn class7_padding_certificates_do_not_starve_the_real_path_in_the_vault() {
    use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyIdMethod, KeyPair, KeyUsagePurpose};
    let lab = Lab::new(&format!("[ca]\n{CA}\n[leaf]\n{LEAF}\n"));
    let root = lab.root("root", "/CN=Padded Root", "ca");
    lab.request("ica", "/CN=Padded Intermediate", "utf8only");
    let ica = lab.sign("ica", "root", "ca");
    lab.request("signer", "/CN=Padded Signer", "utf8only");
    let signer = lab.sign("signer", "ica", "leaf");
    let t = lab_vault(&lab, &root, &["ica"]);
    let ca_params = |cn: &str, ski: Vec<u8>| {
        let mut p = CertificateParams::new(Vec::<String>::new()).unwrap();
        p.distinguished_name.push(DnType::CommonName, cn);
        p.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        p.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        p.use_authority_key_identifier_extension = true;
        p.key_identifier_method = KeyIdMethod::PreSpecified(ski);
        p
    };
    let forger = KeyPair::generate().unwrap();
    let forged_root = Issuer::new(ca_params("Padded Root", ski(&root)), &forger);
    let ica_key = KeyPair::from_pem(&std::fs::read_to_string(lab.dir.path().join("ica.key")).unwrap()).unwrap();
    let d = lab.dir.path();
    for (k, same_key) in [false, true].into_iter().enumerate() {
        let junk: Vec<Vec<u8>> = (0..199)
            .map(|_| {
                let p = ca_params("Padded Intermediate", ski(&ica));
                if same_key {
                    p.signed_by(&ica_key, &forged_root).unwrap().der().to_vec()
                } else {
                    p.signed_by(&KeyPair::generate().unwrap(), &forged_root)
                        .unwrap()
                        .der()
                        .to_vec()
                }
            })
            .collect();
        let case = format!(
            "199 junk intermediates on {}",
            if same_key {
                "the intermediate's key"
            } else {
                "their own keys"
            }
        );
        // Through a session.
        let id = record(&t, 800 + 2 * k as u64);
        let signed = cms_sign(d, "signer", "signer.key", &envelope(&t, &id), Some("ica.pem"));
        let padded = with_certificates(&signed, &junk).encode();
        let session = t
            .vault
            .begin_signing(&id, vec![signer.clone(), ica.clone()], DigestAlgorithm::Sha256)
            .unwrap();
        let started = Instant::now();
        let stored = t
            .vault
            .complete_signing(&session.session_id, SignatureReply::Cms { cms: padded })
            .unwrap_or_else(|e| panic!("{case}: session: {e}"));
        let took = started.elapsed();
        println!("{case}, session: accepted in {took:?}");
        assert_eq!(stored.acceptance.chain.len(), 3, "{case}");
        assert!(took < Duration::from_secs(5), "{case}: complete took {took:?}");
        assert_eq!(t.vault.signatures(&id).unwrap().len(), 1, "{case}");
        // Attached.
        let id = record(&t, 801 + 2 * k as u64);
        let signed = cms_sign(d, "signer", "signer.key", &envelope(&t, &id), Some("ica.pem"));
        let padded = with_certificates(&signed, &junk).encode();
        let started = Instant::now();
        t.vault
            .attach_signature(&id, &padded)
            .unwrap_or_else(|e| panic!("{case}: attach: {e}"));
        let took = started.elapsed();
        println!("{case}, attached: accepted in {took:?}");
        assert!(took < Duration::from_secs(5), "{case}: attach took {took:?}");
        assert_eq!(t.vault.signatures(&id).unwrap().len(), 1, "{case}");
    }
}

/// Class 8: the older ESS signingCertificate (v1) beside v2, naming the root instead of
/// the signer: refused as INDETERMINATE / NO_SIGNING_CERTIFICATE_FOUND through a session
/// and attached, nothing stored; v1 naming the signer (the control) completes.
#[test]
fn class8_ess_v1_naming_another_certificate_is_refused_by_the_vault() {
    let pki = Pki::dated();
    let t = pki_vault(&pki);
    let id = record(&t, 900);
    let session = t
        .vault
        .begin_signing(&id, vec![pki.signer.clone()], DigestAlgorithm::Sha256)
        .unwrap();
    let base = cms_sign(pki.dir.path(), "signer", "signer.key", &envelope(&t, &id), None);
    let with_v1 = |named: &[u8]| {
        let mut cms = Cms::parse(&base);
        cms.attributes().push(ess_v1(named));
        cms.attributes().sort_by_key(|a| a.encode());
        cms.resign(pki.dir.path(), "signer.key");
        cms.encode()
    };
    let bad = with_v1(&pki.root);
    let (indication, sub, detail) = refused(
        t.vault
            .complete_signing(&session.session_id, SignatureReply::Cms { cms: bad.clone() }),
        "v1 names the root",
    );
    println!("ESS v1 names the root: {indication:?}/{sub:?} {detail}");
    assert_eq!(
        (indication, sub),
        (
            Indication::Indeterminate,
            Some(SubIndication::NoSigningCertificateFound)
        ),
        "{detail}"
    );
    let (_, sub, detail) = refused(t.vault.attach_signature(&id, &bad), "v1 names the root, attached");
    assert_eq!(sub, Some(SubIndication::NoSigningCertificateFound), "{detail}");
    nothing_stored(&t, &id, "v1 names the root");
    // The control: v1 names the signer, as v2 does.
    t.vault
        .complete_signing(
            &session.session_id,
            SignatureReply::Cms {
                cms: with_v1(&pki.signer),
            },
        )
        .unwrap();
    assert_eq!(t.vault.signatures(&id).unwrap().len(), 1);
    assert_eq!(sign_events(&t, &id), 1);
}
