//! Detached CMS made by the real `openssl cms -sign` (RSA PKCS#1 and PSS, P-256; Debian's
//! OpenSSL 3.0 cannot make Ed25519 CMS and streams only attached BER: pyHanko and real
//! PDF signers will cover those): the engine's integrity and signature checks agree with
//! `openssl cms -verify -noverify` (which checks the same without a chain).

mod common;

use std::path::{Path, PathBuf};

use common::pki::openssl;
use results_vault::verify::cms::{check_detached, SignerOutcome};

/// A self-signed signer of `kind` ("rsa:2048", "ec", "ed25519", "rsa:1024") in `dir`.
fn signer(dir: &Path, name: &str, kind: &str) -> (PathBuf, PathBuf) {
    let (key, cert) = (format!("{name}.key"), format!("{name}.pem"));
    let mut args = vec!["req", "-x509", "-newkey", kind];
    if kind == "ec" {
        args.extend(["-pkeyopt", "ec_paramgen_curve:P-256"]);
    }
    args.extend([
        "-keyout",
        &key,
        "-out",
        &cert,
        "-nodes",
        "-subj",
        "/CN=Can bo ky so/O=UBND",
        "-days",
        "30",
    ]);
    assert!(openssl(dir, &args), "cannot make {name}");
    (dir.join(key), dir.join(cert))
}

/// Signs `content.bin` in `dir` with extra `opts`; returns the CMS bytes.
fn sign(dir: &Path, name: &str, opts: &[&str]) -> Vec<u8> {
    let out = format!("{name}.p7s");
    let (key, cert) = (format!("{name}.key"), format!("{name}.pem"));
    let mut args = vec![
        "cms",
        "-sign",
        "-binary",
        "-in",
        "content.bin",
        "-signer",
        &cert,
        "-inkey",
        &key,
        "-outform",
        "DER",
        "-out",
        &out,
    ];
    args.extend(opts);
    assert!(openssl(dir, &args), "cannot sign with {name} {opts:?}");
    std::fs::read(dir.join(out)).unwrap()
}

fn openssl_verifies(dir: &Path, cms: &[u8], content: &[u8]) -> bool {
    std::fs::write(dir.join("check.p7s"), cms).unwrap();
    std::fs::write(dir.join("check.bin"), content).unwrap();
    openssl(
        dir,
        &[
            "cms",
            "-verify",
            "-binary",
            "-noverify",
            "-inform",
            "DER",
            "-in",
            "check.p7s",
            "-content",
            "check.bin",
            "-out",
            "/dev/null",
        ],
    )
}

fn setup() -> (tempfile::TempDir, Vec<u8>) {
    let dir = tempfile::tempdir().unwrap();
    let content = "Kết quả giải quyết thủ tục hành chính — bản điện tử\n"
        .repeat(500)
        .into_bytes();
    std::fs::write(dir.path().join("content.bin"), &content).unwrap();
    (dir, content)
}

fn outcome(cms: &[u8], content: &[u8]) -> SignerOutcome {
    let check = check_detached(cms, content).expect("openssl's CMS must parse");
    assert_eq!(check.signers.len(), 1);
    check.signers[0].outcome.clone()
}

#[test]
fn openssl_signatures_verify_and_tampering_is_caught_as_openssl_does() {
    let (dir, content) = setup();
    let d = dir.path();
    signer(d, "rsa", "rsa:2048");
    signer(d, "p256", "ec");
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("rsa pkcs1 sha256", sign(d, "rsa", &["-md", "sha256"])),
        ("rsa pkcs1 sha384", sign(d, "rsa", &["-md", "sha384"])),
        ("rsa pkcs1 sha512", sign(d, "rsa", &["-md", "sha512"])),
        (
            "rsa pss salt=hash",
            sign(
                d,
                "rsa",
                &[
                    "-md",
                    "sha256",
                    "-keyopt",
                    "rsa_padding_mode:pss",
                    "-keyopt",
                    "rsa_pss_saltlen:digest",
                ],
            ),
        ),
        (
            "rsa without signed attributes",
            sign(d, "rsa", &["-md", "sha256", "-noattr"]),
        ),
        // pyHanko's choice, the maximum salt, which ring cannot verify (RustCrypto rsa can).
        (
            "rsa pss max salt",
            sign(
                d,
                "rsa",
                &[
                    "-md",
                    "sha256",
                    "-keyopt",
                    "rsa_padding_mode:pss",
                    "-keyopt",
                    "rsa_pss_saltlen:max",
                ],
            ),
        ),
        (
            "rsa pss sha512 salt 32",
            sign(
                d,
                "rsa",
                &[
                    "-md",
                    "sha512",
                    "-keyopt",
                    "rsa_padding_mode:pss",
                    "-keyopt",
                    "rsa_pss_saltlen:32",
                ],
            ),
        ),
        ("p256 sha256", sign(d, "p256", &["-md", "sha256"])),
        ("p256 sha384", sign(d, "p256", &["-md", "sha384"])),
    ];
    let mut tampered = content.clone();
    tampered[10] ^= 1;
    for (name, cms) in &cases {
        assert!(openssl_verifies(d, cms, &content), "{name}: openssl itself rejects it");
        assert_eq!(outcome(cms, &content), SignerOutcome::Intact, "{name}");

        assert!(
            !openssl_verifies(d, cms, &tampered),
            "{name}: openssl accepts tampered content?"
        );
        let expected = if name.contains("without signed attributes") {
            SignerOutcome::SigCryptoFailure // no messageDigest: the signature itself fails
        } else {
            SignerOutcome::HashFailure
        };
        assert_eq!(outcome(cms, &tampered), expected, "{name} over tampered content");

        // Flip a bit in the signature value (the last bytes of these CMS are the signature).
        let mut broken = cms.clone();
        let at = broken.len() - 6;
        broken[at] ^= 0x10;
        assert!(
            !openssl_verifies(d, &broken, &content),
            "{name}: openssl accepts a broken signature?"
        );
        assert_eq!(
            outcome(&broken, &content),
            SignerOutcome::SigCryptoFailure,
            "{name} with a broken signature"
        );
    }
    // The claimed signing time is read (and is only a claim).
    let check = check_detached(&cases[0].1, &content).unwrap();
    let claimed = check.signers[0].claimed_signing_time.expect("openssl adds signingTime");
    assert!((time::OffsetDateTime::now_utc() - claimed).whole_minutes().abs() < 5);
    assert_eq!(check.certificates.len(), 1);
}

#[test]
fn weak_and_unusable_signatures_are_never_intact() {
    let (dir, content) = setup();
    let d = dir.path();
    signer(d, "weak", "rsa:1024");
    signer(d, "rsa", "rsa:2048");
    let weak = sign(d, "weak", &["-md", "sha256"]);
    assert!(matches!(outcome(&weak, &content), SignerOutcome::CryptoConstraints(_)));
    let sha1 = sign(d, "rsa", &["-md", "sha1"]);
    assert!(matches!(outcome(&sha1, &content), SignerOutcome::CryptoConstraints(_)));
    // A signer named by subject key identifier (a primitive [0], RFC 5652 §5.3).
    let by_keyid = sign(d, "rsa", &["-md", "sha256", "-keyid"]);
    assert_eq!(outcome(&by_keyid, &content), SignerOutcome::Intact);
    let mut other = content.clone();
    other[1] ^= 1;
    assert_eq!(outcome(&by_keyid, &other), SignerOutcome::HashFailure);
    // A policy for legacy results admits them (and still checks them).
    use results_vault::verify::cms::check_detached_with;
    for old in [&weak, &sha1] {
        assert_eq!(
            check_detached_with(old, &content, true).unwrap().signers[0].outcome,
            SignerOutcome::Intact
        );
        let mut other = content.clone();
        other[0] ^= 1;
        assert_eq!(
            check_detached_with(old, &other, true).unwrap().signers[0].outcome,
            SignerOutcome::HashFailure
        );
    }
    let no_certs = sign(d, "rsa", &["-md", "sha256", "-nocerts"]);
    assert_eq!(outcome(&no_certs, &content), SignerOutcome::NoSigningCertificate);
}

#[test]
fn malformed_input_is_a_format_failure_not_a_panic() {
    let (dir, content) = setup();
    signer(dir.path(), "rsa", "rsa:2048");
    let cms = sign(dir.path(), "rsa", &["-md", "sha256"]);
    for bad in [&b""[..], b"not a cms", &cms[..cms.len() / 2], &cms[1..]] {
        assert!(check_detached(bad, &content).is_err());
    }
    // Every truncation is refused or not intact (never a panic: the engine catches the
    // ASN.1 layer's own assertions and reports FORMAT_FAILURE).
    for cut in 0..cms.len() {
        if let Ok(check) = check_detached(&cms[..cut], &content) {
            assert!(
                check.signers.iter().all(|s| s.outcome != SignerOutcome::Intact),
                "truncated at {cut}"
            );
        }
    }
    // Any change to the signature value (the last 256 bytes for RSA-2048) is never intact.
    for i in cms.len() - 256..cms.len() {
        let mut c = cms.clone();
        c[i] ^= 0x01;
        if let Ok(check) = check_detached(&c, &content) {
            assert!(
                check.signers.iter().all(|s| s.outcome != SignerOutcome::Intact),
                "byte {i} flipped"
            );
        }
    }
}

#[test]
fn ess_signing_certificate_binds_the_signer_and_a_substituted_certificate_is_caught() {
    let (dir, content) = setup();
    let d = dir.path();
    // Two certificates for one key, same issuer and serial, different validity: the
    // CMS's issuer+serial cannot tell them apart; only the ESS hash can.
    assert!(openssl(
        d,
        &[
            "genpkey",
            "-algorithm",
            "RSA",
            "-pkeyopt",
            "rsa_keygen_bits:2048",
            "-out",
            "same.key"
        ]
    ));
    for (name, days) in [("same", "30"), ("twin", "31")] {
        let cert = format!("{name}.pem");
        let args = [
            "req",
            "-x509",
            "-key",
            "same.key",
            "-out",
            &cert,
            "-set_serial",
            "42",
            "-subj",
            "/CN=Signer",
            "-days",
            days,
        ];
        assert!(openssl(d, &args));
    }
    let der = |name: &str| {
        assert!(openssl(
            d,
            &[
                "x509",
                "-in",
                &format!("{name}.pem"),
                "-outform",
                "DER",
                "-out",
                &format!("{name}.der")
            ]
        ));
        std::fs::read(d.join(format!("{name}.der"))).unwrap()
    };
    let (same, twin) = (der("same"), der("twin"));
    assert_eq!(same.len(), twin.len());

    let plain = sign(d, "same", &["-md", "sha256"]);
    let check = check_detached(&plain, &content).unwrap();
    assert_eq!(
        check.signers[0].signing_certificate_attribute,
        results_vault::verify::cms::EssBinding::Absent
    );
    assert_eq!(check.signers[0].outcome, SignerOutcome::Intact);

    let cades = sign(d, "same", &["-md", "sha256", "-cades"]);
    let check = check_detached(&cades, &content).unwrap();
    assert_eq!(
        check.signers[0].signing_certificate_attribute,
        results_vault::verify::cms::EssBinding::Matches
    );
    assert_eq!(check.signers[0].outcome, SignerOutcome::Intact);

    // Put the twin certificate where the signer's was.
    let at = cades
        .windows(same.len())
        .position(|w| w == same.as_slice())
        .expect("the CMS carries the certificate");
    let mut swapped = cades.clone();
    swapped[at..at + same.len()].copy_from_slice(&twin);
    let check = check_detached(&swapped, &content).unwrap();
    assert_eq!(check.signers[0].outcome, SignerOutcome::SigningCertificateMismatch);
    // Without the ESS attribute the same substitution goes unnoticed by this check: that is
    // why CAdES and PAdES policies require the attribute.
    let at = plain.windows(same.len()).position(|w| w == same.as_slice()).unwrap();
    let mut swapped = plain.clone();
    swapped[at..at + same.len()].copy_from_slice(&twin);
    assert_eq!(
        check_detached(&swapped, &content).unwrap().signers[0].outcome,
        SignerOutcome::Intact
    );
}
