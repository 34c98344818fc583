//! Path validation on a PKI made by the real `openssl ca`: a root, a signer certificate,
//! and CRLs before and after the signer is revoked.

use std::path::Path;
use std::process::Command;

use results_vault::verify::path::{validate, PathError, PathOptions, Revocation};
use time::{Duration, OffsetDateTime};

const CA_CONFIG: &str = "
[ ca ]
default_ca = CA_default
[ CA_default ]
dir = .
database = $dir/index.txt
new_certs_dir = $dir/newcerts
serial = $dir/serial
crlnumber = $dir/crlnumber
default_md = sha256
default_crl_days = 30
policy = policy_any
[ policy_any ]
commonName = supplied
[ v3_ca ]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[ v3_signer ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, nonRepudiation
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[ crl_ext ]
authorityKeyIdentifier = keyid
";

fn openssl(dir: &Path, args: &[&str]) {
    let out = Command::new("openssl")
        .current_dir(dir)
        .args(args)
        .output()
        .expect("openssl not found");
    assert!(
        out.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn der(dir: &Path, kind: &str, pem: &str) -> Vec<u8> {
    let out = format!("{pem}.der");
    openssl(dir, &[kind, "-in", pem, "-outform", "DER", "-out", &out]);
    std::fs::read(dir.join(out)).unwrap()
}

struct Pki {
    _dir: tempfile::TempDir,
    root: Vec<u8>,
    signer: Vec<u8>,
    empty_crl: Vec<u8>,
    revoked_crl: Vec<u8>,
    foreign_crl: Vec<u8>,
}

fn pki() -> Pki {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("ca.cnf"), CA_CONFIG).unwrap();
    std::fs::create_dir(d.join("newcerts")).unwrap();
    std::fs::write(d.join("index.txt"), "").unwrap();
    std::fs::write(d.join("serial"), "1000\n").unwrap();
    std::fs::write(d.join("crlnumber"), "01\n").unwrap();
    let ca = |args: &[&str]| {
        let mut all = vec![
            "ca", "-batch", "-config", "ca.cnf", "-cert", "root.pem", "-keyfile", "root.key",
        ];
        all.extend(args);
        openssl(d, &all);
    };
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
            "/CN=Root CA",
            "-days",
            "3650",
            "-config",
            "ca.cnf",
            "-extensions",
            "v3_ca",
        ],
    );
    openssl(
        d,
        &[
            "req",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            "signer.key",
            "-out",
            "signer.csr",
            "-subj",
            "/CN=Signer",
        ],
    );
    ca(&[
        "-in",
        "signer.csr",
        "-out",
        "signer.pem",
        "-extensions",
        "v3_signer",
        "-days",
        "365",
        "-notext",
    ]);
    ca(&["-gencrl", "-out", "empty.crl", "-crlexts", "crl_ext"]);
    ca(&["-revoke", "signer.pem"]);
    ca(&["-gencrl", "-out", "revoked.crl", "-crlexts", "crl_ext"]);
    // A CRL with the root's name signed by another key.
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
            "impostor.key",
            "-out",
            "impostor.pem",
            "-subj",
            "/CN=Root CA",
            "-days",
            "3650",
            "-config",
            "ca.cnf",
            "-extensions",
            "v3_ca",
        ],
    );
    openssl(
        d,
        &[
            "ca",
            "-batch",
            "-config",
            "ca.cnf",
            "-cert",
            "impostor.pem",
            "-keyfile",
            "impostor.key",
            "-gencrl",
            "-out",
            "foreign.crl",
            "-crlexts",
            "crl_ext",
        ],
    );
    Pki {
        root: der(d, "x509", "root.pem"),
        signer: der(d, "x509", "signer.pem"),
        empty_crl: der(d, "crl", "empty.crl"),
        revoked_crl: der(d, "crl", "revoked.crl"),
        foreign_crl: der(d, "crl", "foreign.crl"),
        _dir: dir,
    }
}

#[test]
fn a_chain_made_by_openssl_validates_and_its_crls_are_applied() {
    let p = pki();
    let soon = OffsetDateTime::now_utc() + Duration::minutes(1);
    let anchors = [p.root.clone()];
    let opts = PathOptions::default();

    let path = validate(&p.signer, &[], &anchors, &[], soon, &opts).unwrap();
    assert_eq!(path.chain, vec![p.signer.clone(), p.root.clone()]);
    assert_eq!(
        path.revocation,
        vec![Revocation::Unknown],
        "no CRL given: unknown, not good"
    );

    let path = validate(
        &p.signer,
        &[],
        &anchors,
        std::slice::from_ref(&p.empty_crl),
        soon,
        &opts,
    )
    .unwrap();
    assert!(matches!(path.revocation[0], Revocation::Good { .. }));

    let err = validate(
        &p.signer,
        &[],
        &anchors,
        std::slice::from_ref(&p.revoked_crl),
        soon,
        &opts,
    )
    .unwrap_err();
    assert!(matches!(err, PathError::Revoked(_)), "{err}");
    // Listed as revoked, even by a CRL past its nextUpdate.
    let later = soon + Duration::days(40);
    assert!(matches!(
        validate(
            &p.signer,
            &[],
            &anchors,
            std::slice::from_ref(&p.revoked_crl),
            later,
            &opts
        ),
        Err(PathError::Revoked(_))
    ));

    // A CRL that the root did not sign is refused, not believed.
    let err = validate(
        &p.signer,
        &[],
        &anchors,
        std::slice::from_ref(&p.foreign_crl),
        soon,
        &opts,
    )
    .unwrap_err();
    assert!(err.to_string().contains("signature does not verify"), "{err}");
}

#[test]
fn untrusted_expired_and_not_yet_valid_chains_fail() {
    let p = pki();
    let soon = OffsetDateTime::now_utc() + Duration::minutes(1);
    let opts = PathOptions::default();
    assert_eq!(
        validate(&p.signer, &[], &[], &[], soon, &opts).unwrap_err(),
        PathError::NoChain
    );
    // The root as an "intermediate" is not a trust anchor.
    assert_eq!(
        validate(&p.signer, std::slice::from_ref(&p.root), &[], &[], soon, &opts).unwrap_err(),
        PathError::NoChain
    );
    let expired = validate(
        &p.signer,
        &[],
        std::slice::from_ref(&p.root),
        &[],
        soon + Duration::days(400),
        &opts,
    )
    .unwrap_err();
    assert!(matches!(expired, PathError::OutOfValidity(_)), "{expired}");
    let early = validate(
        &p.signer,
        &[],
        std::slice::from_ref(&p.root),
        &[],
        soon - Duration::days(2),
        &opts,
    )
    .unwrap_err();
    assert!(matches!(early, PathError::OutOfValidity(_)), "{early}");
    assert!(matches!(
        validate(b"garbage", &[], std::slice::from_ref(&p.root), &[], soon, &opts),
        Err(PathError::Malformed(_))
    ));
}
