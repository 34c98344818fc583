//! OCSP (RFC 6960) evidence made by the real `openssl ocsp` as the responder, over a PKI
//! made by `openssl ca` (its `index.txt` is the responder's database). Each case checks
//! the exact revocation status the path validation gives, and, where it helps, prints or
//! checks what `openssl ocsp -respin … -CAfile root.pem` itself says of the response.
//!
//! Responses are dated by openssl at the real time: the times used are read back from
//! `openssl ocsp -resp_text` (not by the engine's parser), and the validation time handed
//! to the engine is always explicit.

mod common;

use std::sync::atomic::{AtomicUsize, Ordering};

use common::der::{self, Node};
use common::pki::{openssl, Pki};
use results_vault::verify::path::{validate, EvidenceKind, PathError, PathOptions, Revocation};
use results_vault::verify::signature::{verify_detached, Policy, SignatureVerdict, ValidationContext};
use results_vault::{Indication, SubIndication};
use time::macros::{datetime, format_description};
use time::{OffsetDateTime, PrimitiveDateTime};

const HOUR: i64 = 3600;
const DAY: i64 = 24 * HOUR;

/// Which response [`respond`] asks `openssl ocsp` for.
#[derive(Clone, Copy)]
struct Ask<'a> {
    /// The certificate asked about (a PEM file of the PKI).
    cert: &'a str,
    /// Certificates asked about before it in the same request.
    before: &'a [&'a str],
    /// The CertID's digest (`openssl ocsp` request option).
    digest: &'a str,
    /// The responder: `{responder}.pem` and `{responder}.key`.
    responder: &'a str,
    /// The responder's database (`openssl ca` index format).
    index: &'a str,
    /// How long the answer is current (`-ndays N` or `-nmin N`).
    validity: [&'a str; 2],
    /// More responder options, e.g. `-resp_no_certs`, `-resp_key_id`.
    extra: &'a [&'a str],
}

/// The signer asked about with a SHA-1 CertID, answered by the root itself for 7 days.
const ASK: Ask<'static> = Ask {
    cert: "signer.pem",
    before: &[],
    digest: "-sha1",
    responder: "root",
    index: "index.txt",
    validity: ["-ndays", "7"],
    extra: &[],
};

/// A response made by openssl, and what openssl reads in it.
struct Response {
    der: Vec<u8>,
    /// `openssl ocsp -resp_text -noverify`.
    text: String,
    /// thisUpdate and nextUpdate (Unix seconds).
    this_update: i64,
    next_update: i64,
}

impl Response {
    /// The time on the line `{label}: Mon DD HH:MM:SS YYYY GMT` of the text, if any.
    fn time(&self, label: &str) -> Option<i64> {
        let line = self.text.lines().find_map(|l| l.trim().strip_prefix(label))?;
        let format = format_description!("[month repr:short] [day padding:space] [hour]:[minute]:[second] [year] GMT");
        let t = PrimitiveDateTime::parse(line.trim_start_matches(':').trim(), &format).unwrap();
        Some(t.assume_utc().unix_timestamp())
    }
}

/// Has `openssl ocsp` write a request as `ask` says (no nonce), then answer it offline
/// from the PKI's database.
fn respond(pki: &Pki, ask: Ask<'_>) -> Response {
    static N: AtomicUsize = AtomicUsize::new(0);
    let n = N.fetch_add(1, Ordering::SeqCst);
    let (req, resp) = (format!("req{n}.der"), format!("resp{n}.der"));
    let d = pki.dir.path();
    let mut request = vec!["ocsp", "-no_nonce", "-issuer", "root.pem", ask.digest];
    for cert in ask.before.iter().chain([&ask.cert]) {
        request.extend(["-cert", cert]);
    }
    request.extend(["-reqout", &req]);
    assert!(openssl(d, &request));
    let (rsigner, rkey) = (format!("{}.pem", ask.responder), format!("{}.key", ask.responder));
    let mut args = vec![
        "ocsp", "-index", ask.index, "-CA", "root.pem", "-rsigner", &rsigner, "-rkey", &rkey, "-reqin", &req,
        "-respout", &resp,
    ];
    args.extend(ask.validity);
    args.extend(ask.extra);
    assert!(openssl(d, &args));
    let out = std::process::Command::new("openssl")
        .current_dir(d)
        .args(["ocsp", "-respin", &resp, "-resp_text", "-noverify"])
        .output()
        .unwrap();
    let mut response = Response {
        der: std::fs::read(pki.path(&resp)).unwrap(),
        text: String::from_utf8_lossy(&out.stdout).into_owned(),
        this_update: 0,
        next_update: 0,
    };
    response.this_update = response.time("This Update").expect("thisUpdate");
    response.next_update = response.time("Next Update").expect("nextUpdate");
    response
}

/// What `openssl ocsp` itself says of `der` for `ask.cert`, trusting only the root.
fn openssl_verdict(pki: &Pki, der: &[u8], ask: Ask<'_>) -> String {
    std::fs::write(pki.path("check.der"), der).unwrap();
    let out = std::process::Command::new("openssl")
        .current_dir(pki.dir.path())
        .args([
            "ocsp",
            "-respin",
            "check.der",
            "-CAfile",
            "root.pem",
            "-issuer",
            "root.pem",
        ])
        .args([ask.digest, "-cert", ask.cert, "-no_nonce"])
        .output()
        .unwrap();
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    println!("openssl on {}: {said}", ask.cert);
    said
}

/// Runs `openssl ca` with the root as the CA.
fn ca(pki: &Pki, args: &[&str]) {
    let mut all = vec![
        "ca", "-batch", "-config", "ca.cnf", "-cert", "root.pem", "-keyfile", "root.key",
    ];
    all.extend(args);
    assert!(openssl(pki.dir.path(), &all), "openssl ca {args:?}");
}

/// Issues `{name}.pem` (RSA key `{name}.key`) under the root, with `extensions`, as a
/// responder: valid for a year from now, or over `dates` (Unix seconds).
fn responder(pki: &Pki, name: &str, extensions: &str, dates: Option<(i64, i64)>) {
    let Some((start, end)) = dates else {
        pki.issue_with_extensions(name, extensions);
        return;
    };
    let (key, csr, pem, ext) = (
        format!("{name}.key"),
        format!("{name}.csr"),
        format!("{name}.pem"),
        format!("{name}.ext"),
    );
    std::fs::write(pki.path(&ext), format!("[ x ]\n{extensions}\n")).unwrap();
    let subject = format!("/CN={name}");
    let request = [
        "req", "-newkey", "rsa:2048", "-nodes", "-keyout", &key, "-out", &csr, "-subj", &subject,
    ];
    assert!(openssl(pki.dir.path(), &request));
    let (start, end) = (generalized(start), generalized(end));
    let args = [
        "-in",
        &csr,
        "-out",
        &pem,
        "-extfile",
        &ext,
        "-extensions",
        "x",
        "-startdate",
        &start,
        "-enddate",
        &end,
    ];
    ca(pki, &args);
}

/// The extensions of a delegated responder: id-kp-OCSPSigning and id-pkix-ocsp-nocheck.
const RESPONDER_NO_CHECK: &str = "extendedKeyUsage = OCSPSigning\nnoCheck = ignored";

fn t(unix: i64) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp(unix).unwrap()
}

/// `YYYYMMDDHHMMSSZ`, as `openssl ca -crl_lastupdate` takes it.
fn generalized(unix: i64) -> String {
    t(unix)
        .format(format_description!("[year][month][day][hour][minute][second]Z"))
        .unwrap()
}

/// The revocation status of `cert` (issued by the root) at `at`, with `evidence`, and
/// `present` the caller's present when set.
fn status_at(
    pki: &Pki,
    cert: &[u8],
    evidence: &[Vec<u8>],
    at: i64,
    present: Option<i64>,
) -> Result<Revocation, PathError> {
    let options = PathOptions {
        validation_time: present.map(t),
        ..PathOptions::default()
    };
    let path = validate(cert, &[], std::slice::from_ref(&pki.root), evidence, t(at), &options)?;
    assert_eq!(path.chain.len(), 2, "signer and root");
    Ok(path.revocation[0])
}

/// The signer's status at `at`, the present unknown.
fn signer_status(pki: &Pki, evidence: &[Vec<u8>], at: i64) -> Result<Revocation, PathError> {
    status_at(pki, &pki.signer, evidence, at, None)
}

/// A response neither openssl nor the engine believes: openssl's verification fails and
/// the signer's status stays unknown a minute after its thisUpdate. `what` names the case.
fn not_believed(pki: &Pki, r: &Response, ask: Ask<'_>, what: &str) {
    assert!(
        !openssl_verdict(pki, &r.der, ask).contains("Response verify OK"),
        "{what}"
    );
    assert_eq!(
        signer_status(pki, std::slice::from_ref(&r.der), r.this_update + 60),
        Ok(Revocation::Unknown),
        "{what}"
    );
}

/// What an OCSP response `r` at `evidence` in the list says when it alone answers "good".
fn good(evidence: usize, r: &Response) -> Revocation {
    Revocation::Good {
        evidence,
        kind: EvidenceKind::Ocsp,
        this_update: r.this_update,
        next_update: Some(r.next_update),
        revoked_later: None,
    }
}

/// A bare BasicOCSPResponse: the content of the OCSPResponse's responseBytes.response.
fn basic_of(response: &[u8]) -> Vec<u8> {
    let (root, _) = der::parse(response);
    let bytes = &root.children()[1].children()[0];
    match &bytes.children()[1] {
        Node::Prim(0x04, basic) => basic.clone(),
        other => panic!("responseBytes.response: {other:?}"),
    }
}

/// The signer's status with `r` alone, a minute after it, legacy algorithms admitted or not.
fn legacy_status(pki: &Pki, r: &Response, legacy: bool) -> Result<Revocation, PathError> {
    let options = PathOptions {
        allow_legacy_algorithms: legacy,
        ..PathOptions::default()
    };
    let (anchors, evidence) = (std::slice::from_ref(&pki.root), std::slice::from_ref(&r.der));
    validate(&pki.signer, &[], anchors, evidence, t(r.this_update + 60), &options).map(|p| p.revocation[0])
}

/// The verdict on `cms` (signed over `content` by the signer) at `at`, under the CAdES
/// baseline policy (revocation data required), with `evidence` as the only revocation data.
fn verify_cms(pki: &Pki, cms: &[u8], content: &[u8], evidence: &[Vec<u8>], at: i64) -> SignatureVerdict {
    let anchors = [pki.root.clone()];
    let policy = Policy::cades_baseline();
    let ctx = ValidationContext {
        anchors: &anchors,
        intermediates: &[],
        crls: evidence,
        validation_time: t(at),
        proof_of_existence: None,
        policy: &policy,
        all_signers: false,
        chain_cache: None,
    };
    verify_detached(cms, content, &ctx).remove(0)
}

const CONTENT: &[u8] = b"%PDF-1.7 ket qua giai quyet TTHC";

#[test]
fn good_from_the_root_with_a_sha1_cert_id() {
    let pki = Pki::new();
    let r = respond(&pki, ASK);
    assert!(r.text.contains("Hash Algorithm: sha1") && r.text.contains("Cert Status: good"));
    assert!(openssl_verdict(&pki, &r.der, ASK).contains("Response verify OK"));
    let at = r.this_update + 60;
    assert_eq!(signer_status(&pki, std::slice::from_ref(&r.der), at), Ok(good(0, &r)));
    // The BasicOCSPResponse alone (as some DSS carry it) says the same.
    assert_eq!(signer_status(&pki, &[basic_of(&r.der)], at), Ok(good(0, &r)));
    // Control: without the response, nothing is known.
    assert_eq!(signer_status(&pki, &[], at), Ok(Revocation::Unknown));
}

#[test]
fn good_from_the_root_named_by_key() {
    let pki = Pki::new();
    let r = respond(
        &pki,
        Ask {
            extra: &["-resp_key_id", "-resp_no_certs"],
            ..ASK
        },
    );
    assert!(r.text.contains("Responder Id: ") && !r.text.contains("Responder Id: CN"));
    assert_eq!(
        signer_status(&pki, std::slice::from_ref(&r.der), r.this_update + 60),
        Ok(good(0, &r))
    );
}

#[test]
fn good_from_the_root_with_a_sha256_cert_id() {
    let pki = Pki::new();
    let ask = Ask {
        digest: "-sha256",
        ..ASK
    };
    let r = respond(&pki, ask);
    assert!(r.text.contains("Hash Algorithm: sha256") && r.text.contains("Cert Status: good"));
    assert!(openssl_verdict(&pki, &r.der, ask).contains("Response verify OK"));
    assert_eq!(
        signer_status(&pki, std::slice::from_ref(&r.der), r.this_update + 60),
        Ok(good(0, &r))
    );
}

#[test]
fn revoked_is_revoked_at_its_revocation_time() {
    let pki = Pki::new();
    ca(&pki, &["-revoke", "signer.pem", "-crl_reason", "keyCompromise"]);
    let r = respond(&pki, ASK);
    assert!(r.text.contains("Cert Status: revoked") && r.text.contains("keyCompromise"));
    assert!(openssl_verdict(&pki, &r.der, ASK).contains("signer.pem: revoked"));
    let revoked_at = r.time("Revocation Time").unwrap();
    let err = signer_status(&pki, &[r.der], r.this_update + 60).unwrap_err();
    match err {
        PathError::Revoked {
            revoked_at: when,
            ref detail,
            ..
        } => {
            assert_eq!(when, revoked_at);
            assert!(detail.contains("OCSP response"), "{detail}");
        }
        other => panic!("expected Revoked, got {other:?}"),
    }
}

#[test]
fn revoked_after_the_validation_time_is_revoked_later() {
    // A dated PKI (valid from 2026-01-01) so that the validation time can be months
    // before the response, and the revocation date chosen.
    let pki = Pki::dated();
    pki.revoke_dated("signer.pem", "260901000000Z");
    let r = respond(&pki, ASK);
    let revoked_at = datetime!(2026-09-01 00:00 UTC).unix_timestamp();
    assert_eq!(r.time("Revocation Time"), Some(revoked_at));
    let before = datetime!(2026-06-01 00:00 UTC).unix_timestamp();
    assert_eq!(
        signer_status(&pki, std::slice::from_ref(&r.der), before),
        Ok(Revocation::RevokedLater { revoked_at })
    );
    let after = datetime!(2026-10-01 00:00 UTC).unix_timestamp();
    assert!(matches!(
        signer_status(&pki, &[r.der], after),
        Err(PathError::Revoked { revoked_at: when, .. }) if when == revoked_at
    ));
}

#[test]
fn a_certificate_the_responder_does_not_know_is_unknown() {
    let pki = Pki::new();
    // A database without the signer: openssl answers `unknown`.
    std::fs::write(pki.path("empty.txt"), "").unwrap();
    let r = respond(
        &pki,
        Ask {
            index: "empty.txt",
            ..ASK
        },
    );
    assert!(openssl_verdict(&pki, &r.der, ASK).contains("signer.pem: unknown"));
    let at = r.this_update + 60;
    assert_eq!(
        signer_status(&pki, std::slice::from_ref(&r.der), at),
        Ok(Revocation::Unknown)
    );
    // `unknown` says nothing either way: a good CRL beside it still answers.
    let crl = pki.crl("current");
    assert!(matches!(
        signer_status(&pki, &[r.der, crl], at),
        Ok(Revocation::Good {
            evidence: 1,
            kind: EvidenceKind::Crl,
            ..
        })
    ));
}

#[test]
fn a_delegated_responder_with_no_check_is_believed() {
    let pki = Pki::new();
    responder(&pki, "ocsp", RESPONDER_NO_CHECK, None);
    let ask = Ask {
        responder: "ocsp",
        ..ASK
    };
    let r = respond(&pki, ask);
    assert!(r.text.contains("Responder Id: CN = ocsp"));
    assert!(openssl_verdict(&pki, &r.der, ask).contains("Response verify OK"));
    assert_eq!(
        signer_status(&pki, std::slice::from_ref(&r.der), r.this_update + 60),
        Ok(good(0, &r))
    );
    // Without its certificate in the response, the responder cannot be checked.
    let r = respond(
        &pki,
        Ask {
            extra: &["-resp_no_certs"],
            ..ask
        },
    );
    assert_eq!(
        signer_status(&pki, &[r.der], r.this_update + 60),
        Ok(Revocation::Unknown)
    );
}

#[test]
fn a_delegated_responder_named_by_key_is_believed() {
    let pki = Pki::new();
    responder(&pki, "ocsp", RESPONDER_NO_CHECK, None);
    let r = respond(
        &pki,
        Ask {
            responder: "ocsp",
            extra: &["-resp_key_id"],
            ..ASK
        },
    );
    assert!(r.text.contains("Responder Id: ") && !r.text.contains("Responder Id: CN"));
    assert_eq!(
        signer_status(&pki, std::slice::from_ref(&r.der), r.this_update + 60),
        Ok(good(0, &r))
    );
}

#[test]
fn a_delegated_responder_without_no_check_needs_the_cas_crl() {
    let pki = Pki::new();
    responder(&pki, "ocsp", "extendedKeyUsage = OCSPSigning", None);
    let r = respond(
        &pki,
        Ask {
            responder: "ocsp",
            ..ASK
        },
    );
    let at = r.this_update + 60;
    // Nothing says the responder itself is good: its answer is not used.
    assert_eq!(
        signer_status(&pki, std::slice::from_ref(&r.der), at),
        Ok(Revocation::Unknown)
    );
    // The root's CRL says it is good. The CRL is dated an hour earlier than the
    // response, so that the answer taken is the newer one, the response's (index 1).
    let crl = pki.crl_dated(
        "current",
        &generalized(r.this_update - HOUR),
        &generalized(r.this_update + 30 * DAY),
    );
    assert_eq!(signer_status(&pki, &[crl, r.der.clone()], at), Ok(good(1, &r)));
}

#[test]
fn a_revoked_delegated_responder_is_not_believed() {
    let pki = Pki::new();
    responder(&pki, "ocsp", "extendedKeyUsage = OCSPSigning", None);
    let r = respond(
        &pki,
        Ask {
            responder: "ocsp",
            ..ASK
        },
    );
    ca(&pki, &["-revoke", "ocsp.pem"]);
    // The CRL lists the responder; it is older than the response, so were the response
    // used, it would be the answer (index 1). It is not: the CRL's own answer stands.
    let crl = pki.crl_dated(
        "revoked",
        &generalized(r.this_update - HOUR),
        &generalized(r.this_update + 30 * DAY),
    );
    let responder_der = pki.der("x509", "ocsp.pem");
    let at = r.this_update + 60;
    assert!(matches!(
        status_at(&pki, &responder_der, std::slice::from_ref(&crl), at, None),
        Err(PathError::Revoked { .. })
    ));
    assert!(matches!(
        signer_status(&pki, &[crl, r.der], at),
        Ok(Revocation::Good {
            evidence: 0,
            kind: EvidenceKind::Crl,
            ..
        })
    ));
}

#[test]
fn a_responder_without_ocsp_signing_is_not_believed() {
    let pki = Pki::new();
    for (name, extensions) in [
        ("no-eku", "keyUsage = critical, digitalSignature\nnoCheck = ignored"),
        (
            "tls-eku",
            "extendedKeyUsage = serverAuth, clientAuth\nnoCheck = ignored",
        ),
    ] {
        responder(&pki, name, extensions, None);
        let ask = Ask { responder: name, ..ASK };
        not_believed(&pki, &respond(&pki, ask), ask, name);
    }
}

#[test]
fn a_response_signed_by_the_impostor_root_is_not_believed() {
    let pki = Pki::new();
    // The impostor has the root's name: by name, the response claims to be the root's;
    // by key, it names the impostor's certificate, which it carries.
    for extra in [&[][..], &["-resp_key_id"][..]] {
        let ask = Ask {
            responder: "impostor",
            extra,
            ..ASK
        };
        let r = respond(&pki, ask);
        assert!(r.text.contains("Cert Status: good"));
        not_believed(&pki, &r, ask, &format!("{extra:?}"));
    }
}

#[test]
fn a_forged_revocation_does_not_revoke() {
    let pki = Pki::new();
    ca(&pki, &["-revoke", "signer.pem", "-crl_reason", "keyCompromise"]);
    let forged = respond(
        &pki,
        Ask {
            responder: "impostor",
            ..ASK
        },
    );
    assert!(forged.text.contains("Cert Status: revoked"));
    let at = forged.this_update + 60;
    // Not the root's answer: as if absent, neither good nor revoked.
    assert_eq!(signer_status(&pki, &[forged.der], at), Ok(Revocation::Unknown));
    // Control: the root's own answer revokes.
    let real = respond(&pki, ASK);
    assert!(matches!(
        signer_status(&pki, &[real.der], at),
        Err(PathError::Revoked { .. })
    ));
}

#[test]
fn a_response_about_another_certificate_says_nothing_of_the_signer() {
    let pki = Pki::new();
    let other = pki.issue("other", "rsa:2048");
    let r = respond(
        &pki,
        Ask {
            cert: "other.pem",
            ..ASK
        },
    );
    let at = r.this_update + 60;
    assert_eq!(
        signer_status(&pki, std::slice::from_ref(&r.der), at),
        Ok(Revocation::Unknown)
    );
    // Control: it is a good answer for the certificate it is about.
    assert_eq!(
        status_at(&pki, &other, std::slice::from_ref(&r.der), at, None),
        Ok(good(0, &r))
    );
}

#[test]
fn a_stale_response_is_not_good() {
    let pki = Pki::new();
    let r = respond(
        &pki,
        Ask {
            validity: ["-ndays", "1"],
            ..ASK
        },
    );
    assert_eq!(r.next_update, r.this_update + DAY);
    let evidence = std::slice::from_ref(&r.der);
    // Control: current an hour later.
    assert_eq!(signer_status(&pki, evidence, r.this_update + HOUR), Ok(good(0, &r)));
    assert_eq!(
        signer_status(&pki, evidence, r.next_update + 60),
        Ok(Revocation::Unknown)
    );
}

#[test]
fn a_response_issued_after_the_callers_present_is_not_good() {
    // A dated PKI: the validation time (2026-06-01) can be months before the response.
    let pki = Pki::dated();
    let r = respond(&pki, ASK);
    let at = datetime!(2026-06-01 00:00 UTC).unix_timestamp();
    assert!(r.this_update > at);
    let evidence = std::slice::from_ref(&r.der);
    // Issued after the validation time but before the caller's present: good evidence
    // for that time (past-signature validation); the present unknown, likewise.
    assert_eq!(
        status_at(&pki, &pki.signer, evidence, at, Some(r.this_update + 60)),
        Ok(good(0, &r))
    );
    assert_eq!(status_at(&pki, &pki.signer, evidence, at, None), Ok(good(0, &r)));
    // Issued after the caller's present: not yet valid, says nothing good.
    assert_eq!(
        status_at(&pki, &pki.signer, evidence, at, Some(at)),
        Ok(Revocation::Unknown)
    );
    assert_eq!(
        status_at(&pki, &pki.signer, evidence, at, Some(r.this_update - 1)),
        Ok(Revocation::Unknown)
    );
}

#[test]
fn malformed_responses_are_ignored_without_panic() {
    let pki = Pki::new();
    let r = respond(&pki, ASK);
    let at = r.this_update + 60;
    let basic = basic_of(&r.der);
    let mut cases: Vec<(String, Vec<u8>)> = vec![
        ("tryLater".into(), vec![0x30, 0x03, 0x0a, 0x01, 0x03]),
        (
            "successful without responseBytes".into(),
            vec![0x30, 0x03, 0x0a, 0x01, 0x00],
        ),
        ("unauthorized".into(), vec![0x30, 0x03, 0x0a, 0x01, 0x06]),
        ("empty".into(), Vec::new()),
    ];
    // Every truncation of the response and of its BasicOCSPResponse.
    for n in 0..r.der.len() {
        cases.push((format!("response cut at {n}"), r.der[..n].to_vec()));
    }
    for n in 0..basic.len() {
        cases.push((format!("basic cut at {n}"), basic[..n].to_vec()));
    }
    for (name, bytes) in cases {
        assert_eq!(signer_status(&pki, &[bytes], at), Ok(Revocation::Unknown), "{name}");
    }
}

#[test]
fn a_response_with_a_flipped_signature_byte_is_not_believed() {
    let pki = Pki::new();
    let r = respond(&pki, ASK);
    let at = r.this_update + 60;
    // OCSPResponse { status, [0] { type, OCTET STRING { BasicOCSPResponse { tbs, alg,
    // BIT STRING signature, certs } } } }: flip the signature's last byte.
    let mut basic = der::parse(&basic_of(&r.der)).0;
    match &mut basic.children_mut()[2] {
        Node::Prim(0x03, signature) => *signature.last_mut().unwrap() ^= 0x01,
        other => panic!("signature: {other:?}"),
    }
    let (mut response, _) = der::parse(&r.der);
    response.children_mut()[1].children_mut()[0].children_mut()[1] = Node::Prim(0x04, basic.encode());
    let flipped = response.encode();
    assert_eq!(flipped.len(), r.der.len());
    assert!(!openssl_verdict(&pki, &flipped, ASK).contains("Response verify OK"));
    assert_eq!(signer_status(&pki, &[flipped], at), Ok(Revocation::Unknown));
    // Control: the response as made.
    assert_eq!(signer_status(&pki, std::slice::from_ref(&r.der), at), Ok(good(0, &r)));
}

#[test]
fn a_response_about_several_certificates_answers_for_each() {
    let pki = Pki::new();
    let other = pki.issue("other", "rsa:2048");
    let r = respond(
        &pki,
        Ask {
            before: &["other.pem"],
            ..ASK
        },
    );
    assert_eq!(r.text.matches("Cert Status: good").count(), 2);
    let at = r.this_update + 60;
    assert_eq!(signer_status(&pki, std::slice::from_ref(&r.der), at), Ok(good(0, &r)));
    assert_eq!(
        status_at(&pki, &other, std::slice::from_ref(&r.der), at, None),
        Ok(good(0, &r))
    );
}

#[test]
fn a_responder_whose_key_usage_forbids_signatures_is_not_believed() {
    let pki = Pki::new();
    responder(
        &pki,
        "ocsp",
        "keyUsage = critical, keyEncipherment\nextendedKeyUsage = OCSPSigning\nnoCheck = ignored",
        None,
    );
    let r = respond(
        &pki,
        Ask {
            responder: "ocsp",
            ..ASK
        },
    );
    assert_eq!(
        signer_status(&pki, &[r.der], r.this_update + 60),
        Ok(Revocation::Unknown)
    );
}

#[test]
fn a_sha1_signed_response_is_refused_without_legacy_algorithms() {
    let pki = Pki::new();
    // An RSA responder (the root's P-256 key cannot sign with SHA-1 in a form ring checks).
    responder(&pki, "ocsp", RESPONDER_NO_CHECK, None);
    let r = respond(
        &pki,
        Ask {
            responder: "ocsp",
            extra: &["-rmd", "sha1"],
            ..ASK
        },
    );
    assert!(r.text.contains("Signature Algorithm: sha1WithRSAEncryption"));
    assert_eq!(legacy_status(&pki, &r, false), Ok(Revocation::Unknown));
}

// Engine bug, see the report: `crypto::verify_under` has no arm for sha1WithRSAEncryption
// (1.2.840.113549.1.1.5), so it is Unsupported even under allow_legacy_algorithms.
#[test]
fn a_sha1_signed_response_is_admitted_with_legacy_algorithms() {
    let pki = Pki::new();
    responder(&pki, "ocsp", RESPONDER_NO_CHECK, None);
    let r = respond(
        &pki,
        Ask {
            responder: "ocsp",
            extra: &["-rmd", "sha1"],
            ..ASK
        },
    );
    assert_eq!(legacy_status(&pki, &r, true), Ok(good(0, &r)));
}

#[test]
fn a_responder_not_valid_when_the_response_was_produced_is_not_believed() {
    let pki = Pki::new();
    let now = OffsetDateTime::now_utc().unix_timestamp();
    for (name, dates) in [
        ("not-yet", (now + DAY, now + 365 * DAY)),
        ("expired", (now - 2 * DAY, now - DAY)),
    ] {
        responder(&pki, name, RESPONDER_NO_CHECK, Some(dates));
        let ask = Ask { responder: name, ..ASK };
        not_believed(&pki, &respond(&pki, ask), ask, name);
    }
}

#[test]
fn a_cms_signature_passes_with_only_an_ocsp_response_as_revocation_data() {
    let pki = Pki::new();
    let cms = pki.sign(CONTENT, &["-cades"]);
    let r = respond(&pki, ASK);
    let at = r.this_update + 60;
    let v = verify_cms(&pki, &cms, CONTENT, std::slice::from_ref(&r.der), at);
    assert_eq!(
        (v.indication, v.sub_indication),
        (Indication::Passed, None),
        "{}",
        v.detail
    );
    assert_eq!(v.revocation.status, "GOOD");
    let source = v.revocation.source.unwrap_or_default();
    assert!(source.starts_with("OCSP response"), "{source}");
    // Control: the policy requires revocation data, and without the response there is none.
    let v = verify_cms(&pki, &cms, CONTENT, &[], at);
    assert_eq!(
        (v.indication, v.sub_indication),
        (Indication::Indeterminate, Some(SubIndication::TryLater)),
        "{}",
        v.detail
    );
}

#[test]
fn a_cms_signature_by_a_certificate_revoked_per_ocsp_fails() {
    let pki = Pki::new();
    let cms = pki.sign(CONTENT, &["-cades"]);
    ca(&pki, &["-revoke", "signer.pem", "-crl_reason", "keyCompromise"]);
    let r = respond(&pki, ASK);
    let v = verify_cms(&pki, &cms, CONTENT, &[r.der], r.this_update + 60);
    assert_eq!(
        (v.indication, v.sub_indication),
        (Indication::Failed, Some(SubIndication::Revoked)),
        "{}",
        v.detail
    );
    assert_eq!(v.revocation.status, "REVOKED");
    assert!(v.detail.contains("(an OCSP response)"), "{}", v.detail);
}

// Engine bug, see the report: `signature::time_failure` writes the source "CRL" for every
// revocation, an OCSP response's too.
#[test]
fn a_revocation_per_ocsp_names_its_source() {
    let pki = Pki::new();
    let cms = pki.sign(CONTENT, &["-cades"]);
    ca(&pki, &["-revoke", "signer.pem", "-crl_reason", "keyCompromise"]);
    let r = respond(&pki, ASK);
    let v = verify_cms(&pki, &cms, CONTENT, &[r.der], r.this_update + 60);
    let source = v.revocation.source.unwrap_or_default();
    assert!(source.starts_with("OCSP response"), "{source}");
}
