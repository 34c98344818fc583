//! Red team: signature timestamps, proofs of existence and baseline levels under attack.
//!
//! Every test builds a hostile input with the real `openssl` (cms, ts, ca) and checks that
//! the verifier answers what the standards require (RFC 3161, RFC 5652, RFC 5280, ETSI EN
//! 319 102-1 / 319 122-1 / 319 142-1). A test fails when the verifier lets the attack
//! through.
//!
//! The common scene: the signer signs at T0; a trusted TSA stamps the signature value at
//! T0; the signer's certificate is revoked at T0 + 2 s (a CRL issued after says so). A
//! signature timestamp that really verifies is then the only thing that keeps the
//! signature PASSED (past signature validation, EN 319 102-1 §5.6.2.4): an attacker who
//! stole the key after T0 wants a timestamp that gives a proof of existence it has no
//! right to.

mod common;

use common::der::{parse, Cms, Node};
use common::pki::{openssl, Pki};
use results_vault::verify::levels::BaselineLevel;
use results_vault::verify::signature::{verify_detached, Policy, SignatureVerdict, ValidationContext};
use results_vault::verify::verdict::{Indication, SubIndication};
use time::{Duration, OffsetDateTime};

const TSA_EXT: &str = "basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, nonRepudiation
extendedKeyUsage = critical, timeStamping
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid";

/// id-aa-signatureTimeStampToken, 1.2.840.113549.1.9.16.2.14.
const OID_SIG_TST: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x10, 0x02, 0x0e];

fn now() -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp(OffsetDateTime::now_utc().unix_timestamp()).unwrap()
}

fn generalized(t: OffsetDateTime) -> String {
    format!(
        "{:04}{:02}{:02}{:02}{:02}{:02}Z",
        t.year(),
        t.month() as u8,
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

/// `YYMMDDHHMMSSZ`, the date format of `openssl ca`'s index.
fn utc(t: OffsetDateTime) -> String {
    generalized(t)[2..].to_string()
}

fn ctx<'a>(
    anchors: &'a [Vec<u8>],
    intermediates: &'a [Vec<u8>],
    crls: &'a [Vec<u8>],
    policy: &'a Policy,
) -> ValidationContext<'a> {
    ValidationContext {
        anchors,
        intermediates,
        crls,
        validation_time: now() + Duration::minutes(1),
        proof_of_existence: None,
        policy,
        all_signers: false,
        chain_cache: None,
    }
}

fn show(v: &SignatureVerdict) -> String {
    let ts: Vec<String> = v
        .timestamps
        .iter()
        .map(|t| {
            format!(
                "[{:?} {:?}/{:?} gen {:?} used {}: {}]",
                t.kind, t.indication, t.sub_indication, t.gen_time, t.proof_used, t.detail
            )
        })
        .collect();
    format!(
        "{:?}/{:?} level {:?} poe {:?}: {} | timestamps {}",
        v.indication,
        v.sub_indication,
        v.level,
        v.proof_of_existence,
        v.detail,
        ts.join(" ")
    )
}

/// A token by the real `openssl ts` (TSA `tsa`) over `data`.
fn ts_token(pki: &Pki, tsa: &str, data: &[u8]) -> Vec<u8> {
    let d = pki.dir.path();
    std::fs::write(d.join("ts.cnf"), common::pki::OPENSSL_TS_CONFIG).unwrap();
    if !d.join("tsaserial").exists() {
        std::fs::write(d.join("tsaserial"), "01\n").unwrap();
    }
    std::fs::write(d.join("stamped.bin"), data).unwrap();
    assert!(openssl(
        d,
        &[
            "ts",
            "-query",
            "-data",
            "stamped.bin",
            "-sha256",
            "-cert",
            "-out",
            "q.tsq"
        ]
    ));
    let (cert, key) = (format!("{tsa}.pem"), format!("{tsa}.key"));
    assert!(
        openssl(
            d,
            &[
                "ts",
                "-reply",
                "-queryfile",
                "q.tsq",
                "-signer",
                &cert,
                "-inkey",
                &key,
                "-out",
                "r.tsr",
                "-config",
                "ts.cnf",
            ]
        ),
        "openssl ts -reply by {tsa}"
    );
    assert!(openssl(
        d,
        &["ts", "-reply", "-in", "r.tsr", "-token_out", "-out", "token.der"]
    ));
    std::fs::read(d.join("token.der")).unwrap()
}

/// The TSTInfo of `token`, edited by `edit`, signed again by `signer` as a token (with
/// ESS signing-certificate-v2; `openssl cms` does not care about the signer's EKU).
fn resign_token(pki: &Pki, token: &[u8], signer: &str, edit: impl Fn(&mut Node)) -> Vec<u8> {
    let d = pki.dir.path();
    std::fs::write(d.join("token-in.der"), token).unwrap();
    let extract: Vec<&str> = "cms -verify -noverify -binary -inform DER -in token-in.der -out tstinfo.der"
        .split(' ')
        .collect();
    assert!(openssl(d, &extract));
    let (mut info, _) = parse(&std::fs::read(d.join("tstinfo.der")).unwrap());
    edit(&mut info);
    std::fs::write(d.join("tstinfo.der"), info.encode()).unwrap();
    let sign = format!(
        "cms -sign -binary -nodetach -cades -econtent_type 1.2.840.113549.1.9.16.1.4 -in tstinfo.der \
         -signer {signer}.pem -inkey {signer}.key -md sha256 -outform DER -out resigned.der"
    );
    let sign: Vec<&str> = sign.split_ascii_whitespace().collect();
    assert!(openssl(d, &sign), "openssl cms -sign with {signer}");
    std::fs::read(d.join("resigned.der")).unwrap()
}

/// The signature value (OCTET STRING) of the CMS's first SignerInfo.
fn signature_value(cms: &[u8]) -> Vec<u8> {
    let mut c = Cms::parse(cms);
    match c.signer_info().children().iter().find(|n| n.tag() == 0x04) {
        Some(Node::Prim(_, v)) => v.clone(),
        _ => panic!("no signature value"),
    }
}

fn attribute(oid: &[u8], values: Vec<Node>) -> Node {
    Node::Cons(0x30, vec![Node::Prim(0x06, oid.to_vec()), Node::Cons(0x31, values)])
}

/// `cms` with unsigned attributes `attrs` on its first SignerInfo (replacing any).
fn with_unsigned(cms: &[u8], attrs: Vec<Node>) -> Vec<u8> {
    let mut c = Cms::parse(cms);
    let si = c.signer_info();
    si.children_mut().retain(|n| n.tag() != 0xa1);
    si.children_mut().push(Node::Cons(0xa1, attrs));
    c.encode()
}

/// `cms` with one signature timestamp attribute holding `tokens`.
fn stamped(cms: &[u8], tokens: &[&[u8]]) -> Vec<u8> {
    let values = tokens.iter().map(|t| parse(t).0).collect();
    with_unsigned(cms, vec![attribute(OID_SIG_TST, values)])
}

/// `cms` with `crls` in SignedData.crls (RFC 5652 RevocationInfoChoices).
fn with_crls(cms: &[u8], crls: &[Vec<u8>]) -> Vec<u8> {
    let mut c = Cms::parse(cms);
    let sd = c.signed_data();
    let children = sd.children_mut();
    children.retain(|n| n.tag() != 0xa1);
    let at = children.len() - 1; // before signerInfos
    children.insert(at, Node::Cons(0xa1, crls.iter().map(|c| parse(c).0).collect()));
    c.encode()
}

/// The scene: a PKI (certificates from now on), a trusted TSA, the signer's signature over
/// `content` with a genuine signature timestamp made at T0, then the signer revoked at
/// T0 + 2 s and a CRL issued after that.
struct Scene {
    pki: Pki,
    content: Vec<u8>,
    /// The signer's CMS, no unsigned attributes.
    cms: Vec<u8>,
    /// A genuine token over the CMS's signature value.
    good_token: Vec<u8>,
    /// A genuine token by the same TSA over another signature value of the same signer,
    /// made *before* the good one.
    other_token: Vec<u8>,
    /// The CRL listing the signer revoked at T0 + 2 s.
    crl: Vec<u8>,
}

fn scene_with(tsa_setup: impl FnOnce(&Pki), after_stamp: impl FnOnce(&Pki, OffsetDateTime)) -> Scene {
    let pki = Pki::new();
    tsa_setup(&pki);
    let content = common::noise(21, 4_000);
    let other = pki.sign(b"another document, signed earlier", &["-cades"]);
    let other_token = ts_token(&pki, "tsa", &signature_value(&other));
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let cms = pki.sign(&content, &["-cades"]);
    let good_token = ts_token(&pki, "tsa", &signature_value(&cms));
    let t0 = now();
    let revoked_at = t0 + Duration::seconds(2);
    pki.revoke_dated("signer.pem", &utc(revoked_at));
    after_stamp(&pki, t0);
    std::thread::sleep(std::time::Duration::from_millis(3100));
    let crl = pki.crl("after");
    Scene {
        pki,
        content,
        cms,
        good_token,
        other_token,
        crl,
    }
}

fn scene() -> Scene {
    scene_with(
        |pki| {
            pki.issue_with_extensions("tsa", TSA_EXT);
        },
        |_, _| {},
    )
}

impl Scene {
    fn verify(&self, cms: &[u8]) -> SignatureVerdict {
        let anchors = vec![self.pki.root.clone()];
        let crls = vec![self.crl.clone()];
        let policy = Policy::cades_baseline();
        let c = ctx(&anchors, &[], &crls, &policy);
        verify_detached(cms, &self.content, &c).remove(0)
    }
}

fn passed(v: &SignatureVerdict) -> bool {
    v.indication == Indication::Passed
}

/// The control: the genuine signature timestamp is a proof of existence before the
/// revocation, so the signature is PASSED at B-T; without it, it is not PASSED.
#[test]
fn control_a_genuine_signature_timestamp_proves_existence_before_the_revocation() {
    let s = scene();
    let bare = s.verify(&s.cms);
    assert!(!passed(&bare), "unstamped: {}", show(&bare));
    let v = s.verify(&stamped(&s.cms, &[&s.good_token]));
    assert!(passed(&v), "{}", show(&v));
    assert!(v.proof_of_existence.is_some(), "{}", show(&v));
    assert_eq!(v.level, Some(BaselineLevel::BT), "{}", show(&v));
    assert!(v.timestamps[0].proof_used, "{}", show(&v));
}

/// Backdating with a genuine token of a trusted TSA over *another* signature value: the
/// messageImprint is not the hash of this signature value (RFC 3161 §2.4.2, EN 319 122-1
/// §5.3): no proof of existence, no B-T.
#[test]
fn a_token_over_another_signature_value_proves_nothing() {
    let s = scene();
    let v = s.verify(&stamped(&s.cms, &[&s.other_token]));
    assert!(!passed(&v), "{}", show(&v));
    assert_eq!(v.proof_of_existence, None, "{}", show(&v));
    assert_ne!(v.level, Some(BaselineLevel::BT), "{}", show(&v));
    assert_eq!(v.timestamps.len(), 1, "{}", show(&v));
    assert_eq!(v.timestamps[0].indication, Indication::Failed, "{}", show(&v));
    assert_eq!(
        v.timestamps[0].sub_indication,
        Some(SubIndication::HashFailure),
        "{}",
        show(&v)
    );
}

/// Two tokens, each in its own id-aa-signatureTimeStampToken attribute: an earlier one
/// over another value and the genuine one, in either order. The proof of existence is
/// the genuine one's genTime, never the earlier bad one's.
#[test]
fn a_bad_earlier_token_beside_a_good_one_does_not_backdate() {
    let s = scene();
    for order in [[&s.other_token, &s.good_token], [&s.good_token, &s.other_token]] {
        let attrs = vec![
            attribute(OID_SIG_TST, vec![parse(order[0]).0]),
            attribute(OID_SIG_TST, vec![parse(order[1]).0]),
        ];
        let v = s.verify(&with_unsigned(&s.cms, attrs));
        assert!(passed(&v), "{}", show(&v));
        let good = v
            .timestamps
            .iter()
            .find(|t| t.indication == Indication::Passed)
            .expect("the good token passed");
        // What the token proves: genTime plus its accuracy (openssl ts: 1 s).
        assert_eq!(v.proof_of_existence, good.proves, "{}", show(&v));
        let bad = v
            .timestamps
            .iter()
            .find(|t| t.indication != Indication::Passed)
            .expect("the bad token listed");
        assert!(bad.gen_time < good.gen_time, "the bad one is earlier: {}", show(&v));
        assert!(!bad.proof_used, "{}", show(&v));
    }
}

/// RFC 5652 §5.3: an Attribute's attrValues is a SET OF AttributeValue, and the CMS
/// reader documents "every value of every such attribute". One attribute holding two
/// tokens (the genuine one first) must be read as two tokens, each checked on its own;
/// not as one token followed by garbage.
#[test]
fn two_values_in_one_attribute_are_two_timestamps() {
    let s = scene();
    let v = s.verify(&stamped(&s.cms, &[&s.good_token, &s.other_token]));
    assert_eq!(v.timestamps.len(), 2, "{}", show(&v));
    assert!(passed(&v), "{}", show(&v));
    let good = v
        .timestamps
        .iter()
        .find(|t| t.indication == Indication::Passed)
        .unwrap();
    // What the token proves: genTime plus its accuracy (openssl ts: 1 s).
    assert_eq!(v.proof_of_existence, good.proves, "{}", show(&v));
}

/// A TSTInfo whose messageImprint names SHA-512 but holds the SHA-256 hash of the
/// signature value, signed by the genuine TSA: the imprint is not the named hash of the
/// data.
#[test]
fn an_imprint_whose_algorithm_disagrees_with_its_hash_proves_nothing() {
    let s = scene();
    let sha512 = vec![0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x03];
    let forged = resign_token(&s.pki, &s.good_token, "tsa", |info| {
        let imprint = &mut info.children_mut()[2];
        let alg = &mut imprint.children_mut()[0];
        alg.children_mut()[0] = Node::Prim(0x06, sha512.clone());
    });
    let v = s.verify(&stamped(&s.cms, &[&forged]));
    assert!(!passed(&v), "{}", show(&v));
    assert_eq!(v.proof_of_existence, None, "{}", show(&v));
    // The control: the same re-signing without the edit passes.
    let resigned = resign_token(&s.pki, &s.good_token, "tsa", |_| {});
    let v = s.verify(&stamped(&s.cms, &[&resigned]));
    assert!(passed(&v), "control: {}", show(&v));
}

/// RFC 3161 §2.4.2: accuracy is "the time deviation around the UTC time contained in
/// GeneralizedTime": a token with genTime T0 and accuracy ±1 hour only proves the data
/// existed at T0 + 1 h. The genuine TSA's token over the signature value, made at T0 with
/// an accuracy of one hour, cannot prove existence before a revocation at T0 + 2 s.
#[test]
fn a_token_accurate_to_an_hour_does_not_prove_existence_to_the_second() {
    let s = scene();
    let coarse = resign_token(&s.pki, &s.good_token, "tsa", |info| {
        let at = info
            .children()
            .iter()
            .position(|n| n.tag() == 0x30 && matches!(n.children().first(), Some(Node::Prim(0x02, _))))
            .expect("an accuracy field (openssl ts writes secs:1)");
        // Accuracy ::= SEQUENCE { seconds INTEGER 3600 }
        info.children_mut()[at] = Node::Cons(0x30, vec![Node::Prim(0x02, vec![0x0e, 0x10])]);
    });
    // Control: the same re-signing with accuracy ±1 s keeps the POE.
    let resigned = resign_token(&s.pki, &s.good_token, "tsa", |_| {});
    assert!(passed(&s.verify(&stamped(&s.cms, &[&resigned]))), "control");
    let v = s.verify(&stamped(&s.cms, &[&coarse]));
    assert!(!passed(&v), "{}", show(&v));
}

/// A TSTInfo with a critical extension the verifier does not know (RFC 3161 §2.4.2 takes
/// X.509's Extensions: a critical one that is not understood must not be ignored),
/// signed by the genuine TSA: not a proof of existence.
#[test]
fn a_token_with_an_unknown_critical_extension_proves_nothing() {
    let s = scene();
    let odd = resign_token(&s.pki, &s.good_token, "tsa", |info| {
        let ext = Node::Cons(
            0x30,
            vec![
                Node::Prim(0x06, vec![0x2a, 0x03, 0x04, 0x05, 0x06]),
                Node::Prim(0x01, vec![0xff]),
                Node::Prim(0x04, vec![0x05, 0x00]),
            ],
        );
        info.children_mut().push(Node::Cons(0xa1, vec![ext]));
    });
    let v = s.verify(&stamped(&s.cms, &[&odd]));
    assert!(!passed(&v), "{}", show(&v));
}

/// A token whose genTime is moved earlier and re-signed by a certificate that is not a
/// TSA (the signer's own: it lacks the critical id-kp-timeStamping, RFC 3161 §2.3).
#[test]
fn a_token_signed_by_the_signer_itself_proves_nothing() {
    let s = scene();
    let forged = resign_token(&s.pki, &s.good_token, "signer", |info| {
        // genTime one hour earlier.
        let gen = &mut info.children_mut()[4];
        if let Node::Prim(0x18, text) = gen {
            let t = std::str::from_utf8(text).unwrap().to_string();
            let hour: u32 = t[8..10].parse().unwrap();
            let earlier = format!("{}{:02}{}", &t[..8], (hour + 23) % 24, &t[10..]);
            *text = earlier.into_bytes();
        } else {
            panic!("no genTime at index 4");
        }
    });
    let v = s.verify(&stamped(&s.cms, &[&forged]));
    assert!(!passed(&v), "{}", show(&v));
    assert_eq!(v.proof_of_existence, None, "{}", show(&v));
    assert_eq!(
        v.timestamps[0].sub_indication,
        Some(SubIndication::SigConstraintsFailure),
        "{}",
        show(&v)
    );
}

/// The genuine token put among the *signed* attributes (and the signature made again):
/// only the unsigned id-aa-signatureTimeStampToken is a signature timestamp (EN 319 122-1
/// §5.3); anything else gives no proof of existence.
#[test]
fn a_token_as_a_signed_attribute_is_no_signature_timestamp() {
    let s = scene();
    let mut c = Cms::parse(&s.cms);
    c.attributes()
        .push(attribute(OID_SIG_TST, vec![parse(&s.good_token).0]));
    c.resign(s.pki.dir.path(), "signer.key");
    let v = s.verify(&c.encode());
    assert!(v.integrity, "the re-signed CMS verifies: {}", show(&v));
    assert!(!passed(&v), "{}", show(&v));
    assert_eq!(v.proof_of_existence, None, "{}", show(&v));
    assert!(v.timestamps.is_empty(), "{}", show(&v));
    assert_eq!(v.level, Some(BaselineLevel::BB), "{}", show(&v));
}

/// 600 signature timestamp attributes (the genuine token each time, just under the 1 MiB
/// CMS limit): bounded work (each token costs a CMS verification and a path) and the same
/// answer as the token alone.
#[test]
fn many_timestamp_attributes_cost_little() {
    let s = scene();
    let attrs = (0..600)
        .map(|_| attribute(OID_SIG_TST, vec![parse(&s.good_token).0]))
        .collect();
    let cms = with_unsigned(&s.cms, attrs);
    let start = std::time::Instant::now();
    let v = s.verify(&cms);
    let took = start.elapsed();
    assert!(passed(&v), "{}", show(&v));
    assert!(v.timestamps.len() <= 16, "{} timestamps listed", v.timestamps.len());
    assert!(took < std::time::Duration::from_secs(10), "took {took:?}");
}

/// A FAILED signature (content changed) proves no level, whatever it carries.
#[test]
fn a_failed_signature_reports_no_level() {
    let s = scene();
    let mut content = s.content.clone();
    content[0] ^= 1;
    let anchors = vec![s.pki.root.clone()];
    let crls = vec![s.crl.clone()];
    let policy = Policy::cades_baseline();
    let c = ctx(&anchors, &[], &crls, &policy);
    let v = verify_detached(&stamped(&s.cms, &[&s.good_token]), &content, &c).remove(0);
    assert_eq!(v.indication, Indication::Failed, "{}", show(&v));
    assert_eq!(v.level, None, "{}", show(&v));
    assert_eq!(v.proof_of_existence, None, "{}", show(&v));
}

/// The TSA's certificate expires after genTime but before the validation time, and no
/// later proof of existence covers the token: its key may have leaked since, so the token
/// proves nothing (EN 319 102-1 §5.6.2.4 / §5.6.3: a timestamp is validated like a
/// signature) and the revoked signer is not saved.
#[test]
fn a_tsa_expired_before_the_validation_time_gives_no_proof() {
    let s = scene_with(
        |pki| {
            let start = now() - Duration::minutes(1);
            let end = now() + Duration::seconds(4);
            pki.issue_custom("tsa", "rsa:2048", (&generalized(start), &generalized(end)), TSA_EXT);
        },
        |_, _| std::thread::sleep(std::time::Duration::from_secs(3)),
    );
    let v = s.verify(&stamped(&s.cms, &[&s.good_token]));
    assert!(!passed(&v), "{}", show(&v));
    assert_eq!(v.proof_of_existence, None, "{}", show(&v));
    assert_eq!(
        v.timestamps[0].sub_indication,
        Some(SubIndication::OutOfBoundsNoPoe),
        "{}",
        show(&v)
    );
    assert_ne!(v.level, Some(BaselineLevel::BT), "{}", show(&v));
}

/// The TSA is revoked after genTime (before the validation time), and nothing proves the
/// token existed before that: no proof of existence (REVOKED_NO_POE for the token).
#[test]
fn a_tsa_revoked_after_gen_time_gives_no_proof() {
    let s = scene_with(
        |pki| {
            pki.issue_with_extensions("tsa", TSA_EXT);
        },
        |pki, t0| pki.revoke_dated("tsa.pem", &utc(t0 + Duration::seconds(1))),
    );
    let v = s.verify(&stamped(&s.cms, &[&s.good_token]));
    assert!(!passed(&v), "{}", show(&v));
    assert_eq!(v.proof_of_existence, None, "{}", show(&v));
    assert_ne!(v.timestamps[0].indication, Indication::Passed, "{}", show(&v));
}

/// A genuine token whose genTime precedes the signer certificate's notBefore: the
/// signature cannot have been made with that certificate's key under it then; the
/// best-signature-time before the certificate's issuance is not PASSED (EN 319 102-1
/// §5.6.2.4: NOT_YET_VALID).
#[test]
fn a_gen_time_before_the_signer_certificate_is_not_passed() {
    let pki = Pki::new();
    pki.issue_with_extensions("tsa", TSA_EXT);
    let start = now() + Duration::seconds(3);
    let end = now() + Duration::days(30);
    pki.issue_custom(
        "late",
        "rsa:2048",
        (&generalized(start), &generalized(end)),
        "basicConstraints = critical, CA:FALSE\nkeyUsage = critical, digitalSignature, nonRepudiation\n\
         subjectKeyIdentifier = hash\nauthorityKeyIdentifier = keyid",
    );
    let content = b"signed before the certificate existed".to_vec();
    std::fs::write(pki.path("content.bin"), &content).unwrap();
    let sign = "cms -sign -binary -in content.bin -signer late.pem -inkey late.key -md sha256 -cades \
                -outform DER -out late.p7s";
    assert!(openssl(
        pki.dir.path(),
        &sign.split_ascii_whitespace().collect::<Vec<_>>()
    ));
    let cms = std::fs::read(pki.path("late.p7s")).unwrap();
    let token = ts_token(&pki, "tsa", &signature_value(&cms));
    std::thread::sleep(std::time::Duration::from_secs(4));
    let crls = vec![pki.crl("now")];
    let anchors = vec![pki.root.clone()];
    let policy = Policy::cades_baseline();
    let c = ctx(&anchors, &[], &crls, &policy);
    // Control: unstamped, judged now, it is PASSED (the certificate is valid now).
    let bare = verify_detached(&cms, &content, &c).remove(0);
    assert!(passed(&bare), "control: {}", show(&bare));
    let v = verify_detached(&stamped(&cms, &[&token]), &content, &c).remove(0);
    assert!(!passed(&v), "{}", show(&v));
    // EN 319 102-1 §5.5.4: best-signature-time before the signing certificate's issuance
    // is FAILED / NOT_YET_VALID (a definitive answer, not INDETERMINATE: no later evidence
    // can make a key sign before its certificate was issued).
    assert_eq!(v.indication, Indication::Failed, "{}", show(&v));
}

/// CAdES B-LT (EN 319 122-1 §6.3, like PAdES B-LT, EN 319 142-1 §6.3) means the signature
/// itself carries *all* the validation data: every certificate of the path and the
/// revocation data. A CMS that carries the CRLs but not the intermediate CA (given by the
/// caller's trust store) is B-T, not B-LT. Control: with the intermediate carried, B-LT.
#[test]
fn b_lt_needs_the_certificates_in_the_signature_not_from_the_caller() {
    let pki = Pki::new();
    pki.issue_with_extensions("tsa", TSA_EXT);
    let inter = pki.issue_with_extensions(
        "inter",
        "basicConstraints = critical, CA:TRUE\nkeyUsage = critical, keyCertSign, cRLSign\n\
         subjectKeyIdentifier = hash\nauthorityKeyIdentifier = keyid",
    );
    let d = pki.dir.path();
    std::fs::write(
        d.join("leaf.ext"),
        "[ x ]\nbasicConstraints = critical, CA:FALSE\nkeyUsage = critical, digitalSignature, nonRepudiation\n\
         subjectKeyIdentifier = hash\nauthorityKeyIdentifier = keyid\n",
    )
    .unwrap();
    let req = "req -newkey rsa:2048 -nodes -keyout leaf.key -out leaf.csr -subj /CN=Leaf";
    assert!(openssl(d, &req.split(' ').collect::<Vec<_>>()));
    let x509 = "x509 -req -in leaf.csr -CA inter.pem -CAkey inter.key -CAcreateserial -days 30 \
                -extfile leaf.ext -extensions x -out leaf.pem";
    assert!(openssl(d, &x509.split_ascii_whitespace().collect::<Vec<_>>()));
    let gencrl = "ca -batch -config ca.cnf -cert inter.pem -keyfile inter.key -gencrl -out inter.crl -crlexts crl_ext";
    assert!(openssl(d, &gencrl.split(' ').collect::<Vec<_>>()));
    let inter_crl = pki.der("crl", "inter.crl");
    let root_crl = pki.crl("root");
    let content = common::noise(5, 1000);
    std::fs::write(d.join("content.bin"), &content).unwrap();
    let mut answers = Vec::new();
    for carry_inter in [false, true] {
        let mut sign = "cms -sign -binary -in content.bin -signer leaf.pem -inkey leaf.key -md sha256 -cades \
                        -outform DER -out leaf.p7s"
            .to_string();
        if carry_inter {
            sign.push_str(" -certfile inter.pem");
        }
        assert!(openssl(d, &sign.split_ascii_whitespace().collect::<Vec<_>>()));
        let cms = std::fs::read(d.join("leaf.p7s")).unwrap();
        let token = ts_token(&pki, "tsa", &signature_value(&cms));
        let cms = with_crls(&stamped(&cms, &[&token]), &[root_crl.clone(), inter_crl.clone()]);
        let anchors = vec![pki.root.clone()];
        let intermediates = vec![inter.clone()];
        let policy = Policy::cades_baseline();
        // The caller's CRL of the root, for the TSA's certificate (the same CRL the CMS carries).
        let caller_crls = vec![root_crl.clone()];
        let c = ctx(&anchors, &intermediates, &caller_crls, &policy);
        let v = verify_detached(&cms, &content, &c).remove(0);
        assert!(passed(&v), "carry_inter {carry_inter}: {}", show(&v));
        answers.push(v.level);
        eprintln!("carry_inter {carry_inter}: {}", show(&v));
    }
    assert_eq!(answers[1], Some(BaselineLevel::BLt), "control: intermediate carried");
    assert_eq!(
        answers[0],
        Some(BaselineLevel::BT),
        "the intermediate CA came from the caller, not the signature: not B-LT"
    );
}

/// A CMS that carries, in SignedData.crls, the CRL that covers its signature timestamp's
/// TSA: verified offline with nothing but the root, the timestamp verifies on what the
/// signature carries (EN 319 122-1 §5.5: the validation data in the signature serves
/// every certificate the validation needs, the TSA's included): a self-contained CAdES
/// B-LT keeps its POE offline.
#[test]
fn the_crl_a_cms_carries_serves_its_signature_timestamp_too() {
    let s = scene();
    // The scene's CRL: issued by the root after the POE, it covers the TSA (good) and
    // lists the signer revoked after the POE.
    let cms = with_crls(&stamped(&s.cms, &[&s.good_token]), std::slice::from_ref(&s.crl));
    let anchors = vec![s.pki.root.clone()];
    let policy = Policy::cades_baseline();
    let c = ctx(&anchors, &[], &[], &policy);
    let v = verify_detached(&cms, &s.content, &c).remove(0);
    assert_eq!(v.timestamps[0].indication, Indication::Passed, "{}", show(&v));
    assert!(passed(&v), "{}", show(&v));
    assert_eq!(v.level, Some(BaselineLevel::BLt), "{}", show(&v));
}

// ---------------------------------------------------------------------------------------
// PDF: document timestamps and the DSS (pyHanko builds the files, tests/pades/attack_levels.py)
// ---------------------------------------------------------------------------------------

use common::pades::pyhanko_python;
use results_vault::pdf::{verify_pdf, PdfVerdict};

const SIGNER_EXT: &str = "basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, nonRepudiation
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid";

fn iso(t: OffsetDateTime) -> String {
    t.format(&time::format_description::well_known::Rfc3339).unwrap()
}

struct PdfScene {
    pki: Pki,
    out: tempfile::TempDir,
    /// The root's CRL (thisUpdate 2026-10-31): lists `victim` revoked at 2026-06-01.
    crl: Vec<u8>,
}

/// One PKI (dated 2026-01-01 .. 2036-01-01): `signer` (good), `victim` (revoked
/// 2026-06-01), `tsa`, `tsa-old` (expired 2026-06-01), an OCSP responder; the PDFs of
/// `cases` (JSON) built by attack_levels.py.
fn pdf_scene(cases: serde_json::Value) -> PdfScene {
    let python = pyhanko_python();
    let pki = Pki::dated();
    pki.issue_with_extensions("victim", SIGNER_EXT);
    pki.issue_with_extensions("tsa", TSA_EXT);
    pki.issue_custom("tsa-old", "rsa:2048", ("20260101000000Z", "20260601000000Z"), TSA_EXT);
    pki.issue_with_extensions(
        "ocsp",
        "basicConstraints = critical, CA:FALSE\nkeyUsage = critical, digitalSignature\n\
         extendedKeyUsage = OCSPSigning\nsubjectKeyIdentifier = hash\nauthorityKeyIdentifier = keyid\nnoCheck = ignored",
    );
    let d = pki.dir.path();
    // A "good" OCSP answer about the victim, made while the CA's index still says valid,
    // issued now: after the CRL (2026-10-31) that lists it revoked.
    assert!(openssl(
        d,
        &[
            "ocsp",
            "-issuer",
            "root.pem",
            "-cert",
            "victim.pem",
            "-no_nonce",
            "-reqout",
            "ocsp-req.der"
        ]
    ));
    assert!(openssl(
        d,
        &[
            "ocsp",
            "-index",
            "index.txt",
            "-rsigner",
            "ocsp.pem",
            "-rkey",
            "ocsp.key",
            "-CA",
            "root.pem",
            "-reqin",
            "ocsp-req.der",
            "-respout",
            "victim-good.ocsp",
            "-ndays",
            "30",
        ]
    ));
    // An intermediate CA and a leaf under it (`leaf`), and the intermediate's CRL.
    pki.issue_with_extensions(
        "inter",
        "basicConstraints = critical, CA:TRUE\nkeyUsage = critical, keyCertSign, cRLSign\n\
         subjectKeyIdentifier = hash\nauthorityKeyIdentifier = keyid",
    );
    std::fs::write(d.join("leaf.ext"), format!("[ x ]\n{SIGNER_EXT}\n")).unwrap();
    let req = "req -newkey rsa:2048 -nodes -keyout leaf.key -out leaf.csr -subj /CN=Leaf";
    assert!(openssl(d, &req.split(' ').collect::<Vec<_>>()));
    let ca = "ca -batch -config ca.cnf -cert inter.pem -keyfile inter.key -in leaf.csr -out leaf.pem -notext \
              -extfile leaf.ext -extensions x -startdate 20260101000000Z -enddate 20360101000000Z";
    assert!(openssl(d, &ca.split_ascii_whitespace().collect::<Vec<_>>()));
    let gencrl = "ca -batch -config ca.cnf -cert inter.pem -keyfile inter.key -gencrl -out inter.crl -crlexts crl_ext";
    assert!(openssl(d, &gencrl.split(' ').collect::<Vec<_>>()));
    std::fs::write(d.join("inter.crl.der"), pki.der("crl", "inter.crl")).unwrap();
    pki.revoke_dated("victim.pem", "260601000000Z");
    let crl = pki.crl("current");
    std::fs::write(d.join("current.crl.der"), &crl).unwrap();
    std::fs::write(d.join("forged.crl.der"), pki.forged_crl()).unwrap();
    let roles: serde_json::Map<String, serde_json::Value> = ["signer", "victim", "tsa", "tsa-old", "leaf"]
        .iter()
        .map(|r| {
            (
                r.to_string(),
                serde_json::json!({"key": format!("{r}.key"), "cert": format!("{r}.pem")}),
            )
        })
        .collect();
    let spec = serde_json::json!({"root": "root.pem", "roles": roles, "cases": cases});
    std::fs::write(d.join("attack.json"), spec.to_string()).unwrap();
    let out = tempfile::tempdir().unwrap();
    let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/pades/attack_levels.py");
    let status = std::process::Command::new(&python)
        .arg(&script)
        .arg(out.path())
        .arg(d)
        .status()
        .unwrap();
    assert!(status.success(), "attack_levels.py");
    PdfScene { pki, out, crl }
}

impl PdfScene {
    fn verify(&self, file: &str, crls: &[Vec<u8>]) -> PdfVerdict {
        self.verify_with(file, &[], crls)
    }

    fn verify_with(&self, file: &str, intermediates: &[Vec<u8>], crls: &[Vec<u8>]) -> PdfVerdict {
        let data = std::fs::read(self.out.path().join(file)).unwrap();
        let anchors = vec![self.pki.root.clone()];
        let policy = Policy::pades_baseline();
        let c = ctx(&anchors, intermediates, crls, &policy);
        verify_pdf(&data, &c).unwrap()
    }
}

fn field<'v>(v: &'v PdfVerdict, name: &str) -> &'v SignatureVerdict {
    &v.signatures
        .iter()
        .find(|s| s.field == name)
        .unwrap_or_else(|| panic!("no {name}"))
        .verdict
}

fn show_pdf(v: &PdfVerdict) -> String {
    v.signatures
        .iter()
        .map(|s| format!("\n  {} ({}): {}", s.field, s.kind, show(&s.verdict)))
        .collect()
}

fn doc_ts(tsa: &str, at: &str, field: &str) -> serde_json::Value {
    serde_json::json!({"op": "doc_ts", "tsa": tsa, "at": at, "field": field})
}

/// Document timestamps, each earlier one judged at the next one's genTime:
/// - renewal too late: TS1 by a TSA whose certificate expired (2026-06-01) before TS2's
///   genTime; TS1 proves nothing, so the victim (revoked 2026-06-01) has no POE before
///   its revocation (EN 319 102-1 §5.6.3: the archive timestamp must be made while the
///   earlier one is still valid). Control: the renewal in time (TS2 at 2026-05-01).
/// - time backwards: TS2 covers TS1 but claims a genTime (2026-04-01) earlier than TS1's
///   (2026-09-01): the timestamps' order is broken (EN 319 102-1 TIMESTAMP_ORDER_FAILURE);
///   no POE before the revocation may come of it.
/// - a genTime in the future, and a "TSA" that is the signer: no POE.
#[test]
fn document_timestamp_chains_under_attack() {
    let soon = iso(now() - Duration::hours(1));
    let future = iso(now() + Duration::days(2));
    let cases = serde_json::json!([
        {"name": "renewal_too_late.pdf", "signer": "victim", "steps": [
            doc_ts("tsa-old", "2026-03-01T00:00:00Z", "TS1"), doc_ts("tsa", &soon, "TS2")]},
        {"name": "renewal_in_time.pdf", "signer": "victim", "steps": [
            doc_ts("tsa-old", "2026-03-01T00:00:00Z", "TS1"), doc_ts("tsa", "2026-05-01T00:00:00Z", "TS2")]},
        {"name": "time_backwards.pdf", "signer": "victim", "steps": [
            doc_ts("tsa", "2026-09-01T00:00:00Z", "TS1"), doc_ts("tsa", "2026-04-01T00:00:00Z", "TS2")]},
        {"name": "future.pdf", "signer": "signer", "steps": [doc_ts("tsa", &future, "TS1")]},
        {"name": "tsa_is_signer.pdf", "signer": "victim", "steps": [
            doc_ts("victim", "2026-04-01T00:00:00Z", "TS1")]},
    ]);
    let s = pdf_scene(cases);
    let crls = vec![s.crl.clone()];
    let mut holes = Vec::new();

    // Control: renewal in time keeps TS1, and the victim is PASSED with POE 2026-03-01.
    let v = s.verify("renewal_in_time.pdf", &crls);
    eprintln!("renewal_in_time: {}", show_pdf(&v));
    assert_eq!(
        field(&v, "TS1").indication,
        Indication::Passed,
        "control: {}",
        show_pdf(&v)
    );
    assert!(passed(field(&v, "Signature1")), "control: {}", show_pdf(&v));
    assert_eq!(
        field(&v, "Signature1").proof_of_existence.as_deref(),
        Some("2026-03-01T00:00:00Z"),
        "control: {}",
        show_pdf(&v)
    );

    let v = s.verify("renewal_too_late.pdf", &crls);
    eprintln!("renewal_too_late: {}", show_pdf(&v));
    if field(&v, "TS1").indication == Indication::Passed || passed(field(&v, "Signature1")) {
        holes.push(format!("renewal too late accepted: {}", show_pdf(&v)));
    }

    let v = s.verify("time_backwards.pdf", &crls);
    eprintln!("time_backwards: {}", show_pdf(&v));
    if passed(field(&v, "Signature1")) {
        holes.push(format!(
            "a covering timestamp older than the timestamp it covers gave a POE: {}",
            show_pdf(&v)
        ));
    }

    let v = s.verify("future.pdf", &crls);
    eprintln!("future: {}", show_pdf(&v));
    let sig = field(&v, "Signature1");
    if field(&v, "TS1").indication == Indication::Passed || sig.proof_of_existence.is_some() {
        holes.push(format!("a genTime in the future was accepted: {}", show_pdf(&v)));
    }
    assert!(passed(sig), "the signature itself is good: {}", show_pdf(&v));
    assert_eq!(sig.level, Some(BaselineLevel::BB), "{}", show_pdf(&v));

    let v = s.verify("tsa_is_signer.pdf", &crls);
    eprintln!("tsa_is_signer: {}", show_pdf(&v));
    if field(&v, "TS1").indication == Indication::Passed || passed(field(&v, "Signature1")) {
        holes.push(format!("the signer's own key as TSA gave a POE: {}", show_pdf(&v)));
    }
    assert!(holes.is_empty(), "{}", holes.join("\n"));
}

/// The DSS under attack:
/// - a forged CRL (the root's name, another key) is the only evidence: it vouches for
///   nothing, the signature is not PASSED (revocation data required) and not B-LT;
/// - the genuine CRL lists the victim revoked, and a later update adds a "good" OCSP
///   answer issued after it: revocation wins (RFC 5280 §6.3, EN 319 102-1 §5.2.6), an
///   update can add evidence but not withdraw a revocation;
/// - the same "good" answer in the file while the caller holds the CRL: revocation wins.
#[test]
fn dss_evidence_under_attack() {
    let cases = serde_json::json!([
        {"name": "forged_crl.pdf", "signer": "signer", "steps": [{"op": "dss", "crls": ["forged.crl.der"]}]},
        {"name": "good_after_revoked.pdf", "signer": "victim", "steps": [
            {"op": "dss", "crls": ["current.crl.der"]}, {"op": "dss", "ocsps": ["victim-good.ocsp"]}]},
        {"name": "good_only.pdf", "signer": "victim", "steps": [{"op": "dss", "ocsps": ["victim-good.ocsp"]}]},
    ]);
    let s = pdf_scene(cases);
    let mut holes = Vec::new();

    let v = s.verify("forged_crl.pdf", &[]);
    eprintln!("forged_crl: {}", show_pdf(&v));
    let sig = field(&v, "Signature1");
    if passed(sig) || sig.level >= Some(BaselineLevel::BLt) {
        holes.push(format!("a forged CRL in the DSS vouched: {}", show_pdf(&v)));
    }

    let v = s.verify("good_after_revoked.pdf", &[]);
    eprintln!("good_after_revoked: {}", show_pdf(&v));
    if passed(field(&v, "Signature1")) {
        holes.push(format!("a later good OCSP answer hid a revocation: {}", show_pdf(&v)));
    }

    let v = s.verify("good_only.pdf", std::slice::from_ref(&s.crl));
    eprintln!("good_only + caller CRL: {}", show_pdf(&v));
    if passed(field(&v, "Signature1")) {
        holes.push(format!(
            "the file's good OCSP answer beat the caller's CRL: {}",
            show_pdf(&v)
        ));
    }
    // Control: the good OCSP answer alone (the caller knows nothing) — PASSED is what the
    // evidence says, the answer being authentic; printed, not asserted.
    let v = s.verify("good_only.pdf", &[]);
    eprintln!("good_only alone (control, not asserted): {}", show_pdf(&v));
    assert!(holes.is_empty(), "{}", holes.join("\n"));
}

/// PAdES B-LT (EN 319 142-1 §6.3, Table 1; §5.4.2): the DSS (or the CMS) carries the
/// validation data — the certificates of the path *and* the revocation data. The leaf's
/// CMS carries the leaf and the root, the DSS both CRLs but not the intermediate CA's
/// certificate, which only the caller's trust store gives: that file is B-T, not B-LT
/// (nor B-LTA, though a document timestamp covers the DSS). Control: the same with the
/// intermediate in the DSS /Certs is B-LTA.
#[test]
fn pdf_b_lt_needs_the_path_in_the_file_not_from_the_caller() {
    let soon = iso(now() - Duration::minutes(1));
    let cases = serde_json::json!([
        {"name": "lt_without_inter.pdf", "signer": "leaf", "steps": [
            {"op": "dss", "crls": ["current.crl.der", "inter.crl.der"]}, doc_ts("tsa", &soon, "TS1")]},
        {"name": "lt_with_inter.pdf", "signer": "leaf", "steps": [
            {"op": "dss", "crls": ["current.crl.der", "inter.crl.der"], "certs": ["inter.pem"]},
            doc_ts("tsa", &soon, "TS1")]},
        {"name": "lt_inter_in_cms.pdf", "signer": "leaf", "chain": ["inter.pem"], "steps": [
            {"op": "dss", "crls": ["current.crl.der", "inter.crl.der"]},
            doc_ts("tsa", &soon, "TS1")]},
    ]);
    let s = pdf_scene(cases);
    let inter = s.pki.der("x509", "inter.pem");
    let intermediates = vec![inter];
    let control = s.verify_with("lt_with_inter.pdf", &[], &[]);
    eprintln!("with inter (control): {}", show_pdf(&control));
    let sig = field(&control, "Signature1");
    assert!(passed(sig), "control: {}", show_pdf(&control));
    assert_eq!(sig.level, Some(BaselineLevel::BLta), "control: {}", show_pdf(&control));
    // Sanity: the file alone has no path (the intermediate really is not in it).
    let alone = s.verify_with("lt_without_inter.pdf", &[], &[]);
    assert_eq!(
        field(&alone, "Signature1").sub_indication,
        Some(SubIndication::NoCertificateChainFound),
        "{}",
        show_pdf(&alone)
    );
    let v = s.verify_with("lt_without_inter.pdf", &intermediates, &[]);
    eprintln!("without inter, caller gives it: {}", show_pdf(&v));
    let sig = field(&v, "Signature1");
    assert!(passed(sig), "{}", show_pdf(&v));
    assert_eq!(sig.level, Some(BaselineLevel::BT), "{}", show_pdf(&v));
    // The intermediate in the signature's own CMS (zero-padded in /Contents) is in the
    // file as much as one in the DSS.
    let in_cms = s.verify_with("lt_inter_in_cms.pdf", &[], &[]);
    let sig = field(&in_cms, "Signature1");
    assert!(passed(sig), "{}", show_pdf(&in_cms));
    assert_eq!(sig.level, Some(BaselineLevel::BLta), "{}", show_pdf(&in_cms));
}

/// The caller holds a proof of existence P (the vault's record) of the signature. The TSA
/// is revoked at P + 1 s, and *after* that its key makes a signature timestamp. The
/// token's chain must be valid at its genTime (RFC 3161 §4.1 / EN 319 102-1 §5.4: a
/// timestamp is validated like a signature at its own time): a TSA revoked before genTime
/// makes a token that proves nothing, so it must not be listed PASSED nor lift the level
/// to B-T. (The verifier judges the TSA's chain at min(P, genTime), before the
/// revocation.)
#[test]
fn a_token_made_after_its_tsa_was_revoked_is_not_rescued_by_the_callers_earlier_proof() {
    let pki = Pki::new();
    pki.issue_with_extensions("tsa", TSA_EXT);
    let content = b"a result the vault recorded".to_vec();
    let cms = pki.sign(&content, &["-cades"]);
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let proof = now();
    pki.revoke_dated("tsa.pem", &utc(proof + Duration::seconds(1)));
    std::thread::sleep(std::time::Duration::from_millis(2100));
    let token = ts_token(&pki, "tsa", &signature_value(&cms));
    let crls = vec![pki.crl("after")];
    let anchors = vec![pki.root.clone()];
    let policy = Policy::cades_baseline();
    let c = ValidationContext {
        proof_of_existence: Some(proof),
        ..ctx(&anchors, &[], &crls, &policy)
    };
    let v = verify_detached(&stamped(&cms, &[&token]), &content, &c).remove(0);
    eprintln!("{}", show(&v));
    assert!(passed(&v), "the signature itself (POE {proof}) is good: {}", show(&v));
    assert_ne!(v.timestamps[0].indication, Indication::Passed, "{}", show(&v));
    assert_eq!(v.level, Some(BaselineLevel::BB), "{}", show(&v));
}

/// `data` with an incremental update whose catalog gets `/DSS dss_num 0 R`, adding the
/// objects `objects` (number, body) — a classic xref section, as pyHanko's files have.
fn append_update(data: &[u8], objects: &[(u32, Vec<u8>)], dss_num: u32) -> Vec<u8> {
    let text = String::from_utf8_lossy(data);
    let trailer = &text[text.rfind("trailer").expect("a classic trailer")..];
    let num_after = |key: &str| -> u32 {
        let at = trailer.find(key).unwrap_or_else(|| panic!("no {key}")) + key.len();
        trailer[at..]
            .trim_start()
            .split(|c: char| !c.is_ascii_digit())
            .next()
            .unwrap()
            .parse()
            .unwrap()
    };
    let (root, size) = (num_after("/Root"), num_after("/Size"));
    let startxref: usize = text[text.rfind("startxref").unwrap() + 9..]
        .split_whitespace()
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let header = format!("\n{root} 0 obj");
    let at = text.rfind(&header).expect("the catalog as a plain object") + header.len();
    let end = at + text[at..].find("endobj").unwrap();
    let body = text[at..end].trim();
    let body = body.strip_suffix(">>").expect("a catalog dictionary").to_string() + &format!(" /DSS {dss_num} 0 R >>");
    let mut out = data.to_vec();
    out.push(b'\n');
    let mut offsets = Vec::new();
    let mut all: Vec<(u32, Vec<u8>)> = objects.to_vec();
    all.push((root, body.into_bytes()));
    for (num, body) in &all {
        offsets.push((*num, out.len()));
        out.extend_from_slice(format!("{num} 0 obj\n").as_bytes());
        out.extend_from_slice(body);
        out.extend_from_slice(b"\nendobj\n");
    }
    let xref = out.len();
    out.extend_from_slice(b"xref\n");
    for (num, offset) in &offsets {
        out.extend_from_slice(format!("{num} 1\n{offset:010} 00000 n \n").as_bytes());
    }
    let new_size = all.iter().map(|(n, _)| n + 1).max().unwrap().max(size);
    out.extend_from_slice(
        format!("trailer\n<< /Size {new_size} /Root {root} 0 R /Prev {startxref} >>\nstartxref\n{xref}\n%%EOF\n")
            .as_bytes(),
    );
    out
}

/// A hostile DSS appended to a good signed file: one array of 99,000 references (to
/// itself, to absent objects, to one 1 MB stream) named by /Certs, /CRLs, /OCSPs and by
/// 4,000 VRI entries' /Cert, /CRL and /OCSP — 12,003 lists of 99,000 items. The work must
/// stay bounded (an answer, or a refusal as too complex, within seconds), never
/// PASSED-with-a-better-level.
#[test]
fn a_huge_self_referencing_dss_costs_little() {
    let cases = serde_json::json!([{"name": "plain.pdf", "signer": "signer", "steps": []}]);
    let s = pdf_scene(cases);
    let crls = vec![s.crl.clone()];
    let data = std::fs::read(s.out.path().join("plain.pdf")).unwrap();
    let good = s.verify("plain.pdf", &crls);
    assert!(passed(field(&good, "Signature1")), "control: {}", show_pdf(&good));
    let base = 90_000u32;
    let (array, stream, dss, vri) = (base, base + 1, base + 2, base + 3);
    let mut items = String::with_capacity(99_000 * 12);
    items.push('[');
    for i in 0..99_000u32 {
        match i % 3 {
            0 => items.push_str(&format!("{array} 0 R ")),
            1 => items.push_str(&format!("{} 0 R ", 200_000 + i)),
            _ => items.push_str(&format!("{stream} 0 R ")),
        }
    }
    items.push(']');
    let mut big = format!("<< /Length {} >>\nstream\n", 1 << 20).into_bytes();
    big.extend(std::iter::repeat_n(0x30u8, 1 << 20));
    big.extend_from_slice(b"\nendstream");
    let mut vri_body = String::from("<<");
    for k in 0..4_000 {
        vri_body.push_str(&format!(
            " /K{k:04} << /Cert {array} 0 R /CRL {array} 0 R /OCSP {array} 0 R >>"
        ));
    }
    vri_body.push_str(" >>");
    let dss_body = format!("<< /Certs {array} 0 R /CRLs {array} 0 R /OCSPs {array} 0 R /VRI {vri} 0 R >>");
    let hostile = append_update(
        &data,
        &[
            (array, items.into_bytes()),
            (stream, big),
            (dss, dss_body.into_bytes()),
            (vri, vri_body.into_bytes()),
        ],
        dss,
    );
    let anchors = vec![s.pki.root.clone()];
    let policy = Policy::pades_baseline();
    let c = ctx(&anchors, &[], &crls, &policy);
    let start = std::time::Instant::now();
    let answer = verify_pdf(&hostile, &c);
    let took = start.elapsed();
    match &answer {
        Ok(v) => eprintln!("hostile DSS: {took:?}: {}", show_pdf(v)),
        Err(e) => eprintln!("hostile DSS: {took:?}: refused: {e}"),
    }
    assert!(took < std::time::Duration::from_secs(20), "took {took:?}");
    if let Ok(v) = &answer {
        let sig = field(v, "Signature1");
        assert!(sig.level <= Some(BaselineLevel::BB), "{}", show_pdf(v));
    }
}
