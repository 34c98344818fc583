//! A small PKI made by the real `openssl ca`: a root, a signer (RSA-2048, digitalSignature
//! + nonRepudiation), CRLs, an impostor root with the same name, and CMS signatures.

use std::path::{Path, PathBuf};
use std::process::Command;

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
[ crl_users ]
authorityKeyIdentifier = keyid
issuingDistributionPoint = critical, @idp_users
[ idp_users ]
onlyuser = TRUE
[ crl_cas ]
authorityKeyIdentifier = keyid
issuingDistributionPoint = critical, @idp_cas
[ idp_cas ]
onlyCA = TRUE
[ crl_some_reasons ]
authorityKeyIdentifier = keyid
issuingDistributionPoint = critical, @idp_reasons
[ idp_reasons ]
onlysomereasons = keyCompromise
";

pub fn openssl(dir: &Path, args: &[&str]) -> bool {
    let out = Command::new("openssl")
        .current_dir(dir)
        .args(args)
        .output()
        .expect("openssl not found");
    if !out.status.success() {
        eprintln!("openssl {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    }
    out.status.success()
}

pub struct Pki {
    pub dir: tempfile::TempDir,
    pub root: Vec<u8>,
    pub signer: Vec<u8>,
    pub impostor_root: Vec<u8>,
}

impl Pki {
    pub fn new() -> Pki {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        std::fs::write(d.join("ca.cnf"), CA_CONFIG).unwrap();
        std::fs::create_dir(d.join("newcerts")).unwrap();
        std::fs::write(d.join("index.txt"), "").unwrap();
        std::fs::write(d.join("serial"), "1000\n").unwrap();
        std::fs::write(d.join("crlnumber"), "01\n").unwrap();
        for name in ["root", "impostor"] {
            let (key, cert) = (format!("{name}.key"), format!("{name}.pem"));
            assert!(openssl(
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
                    &key,
                    "-out",
                    &cert,
                    "-subj",
                    "/CN=Root CA",
                    "-days",
                    "3650",
                    "-config",
                    "ca.cnf",
                    "-extensions",
                    "v3_ca"
                ]
            ));
        }
        assert!(openssl(
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
                "/CN=Signer"
            ]
        ));
        let pki = Pki {
            root: Vec::new(),
            signer: Vec::new(),
            impostor_root: Vec::new(),
            dir,
        };
        pki.ca(&[
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
        Pki {
            root: pki.der("x509", "root.pem"),
            signer: pki.der("x509", "signer.pem"),
            impostor_root: pki.der("x509", "impostor.pem"),
            ..pki
        }
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn ca(&self, args: &[&str]) {
        let mut all = vec![
            "ca", "-batch", "-config", "ca.cnf", "-cert", "root.pem", "-keyfile", "root.key",
        ];
        all.extend(args);
        assert!(openssl(self.dir.path(), &all), "openssl ca {args:?}");
    }

    pub fn der(&self, kind: &str, pem: &str) -> Vec<u8> {
        let out = format!("{pem}.der");
        assert!(openssl(
            self.dir.path(),
            &[kind, "-in", pem, "-outform", "DER", "-out", &out]
        ));
        std::fs::read(self.path(&out)).unwrap()
    }

    /// A CRL of the root as the index stands now (DER).
    pub fn crl(&self, name: &str) -> Vec<u8> {
        self.crl_with(name, "crl_ext")
    }

    /// Like [`Pki::crl`], with the CRL extensions of config section `section`.
    pub fn crl_with(&self, name: &str, section: &str) -> Vec<u8> {
        let file = format!("{name}.crl");
        self.ca(&["-gencrl", "-out", &file, "-crlexts", section]);
        self.der("crl", &file)
    }

    /// Issues another signer certificate for a new key of `spec` (`ed25519`, `rsa:2048`,
    /// …) under the root; returns its DER. Files: `{name}.key`, `{name}.pem`.
    pub fn issue(&self, name: &str, spec: &str) -> Vec<u8> {
        let (key, csr, cert) = (format!("{name}.key"), format!("{name}.csr"), format!("{name}.pem"));
        let subject = format!("/CN={name}");
        assert!(openssl(
            self.dir.path(),
            &["req", "-newkey", spec, "-nodes", "-keyout", &key, "-out", &csr, "-subj", &subject]
        ));
        self.ca(&[
            "-in",
            &csr,
            "-out",
            &cert,
            "-extensions",
            "v3_signer",
            "-days",
            "365",
            "-notext",
        ]);
        self.der("x509", &cert)
    }

    /// Revokes the signer (revocation date: now).
    pub fn revoke_signer(&self) {
        self.ca(&["-revoke", "signer.pem"]);
    }

    /// A CRL with the root's name, signed by the impostor's key (DER).
    pub fn forged_crl(&self) -> Vec<u8> {
        assert!(openssl(
            self.dir.path(),
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
                "forged.crl",
                "-crlexts",
                "crl_ext"
            ]
        ));
        self.der("crl", "forged.crl")
    }

    /// A detached CMS by the signer over `content`, with extra `openssl cms` options.
    pub fn sign(&self, content: &[u8], opts: &[&str]) -> Vec<u8> {
        std::fs::write(self.path("content.bin"), content).unwrap();
        let mut args = vec![
            "cms",
            "-sign",
            "-binary",
            "-in",
            "content.bin",
            "-signer",
            "signer.pem",
            "-inkey",
            "signer.key",
            "-md",
            "sha256",
            "-outform",
            "DER",
            "-out",
            "sig.p7s",
        ];
        args.extend(opts);
        assert!(openssl(self.dir.path(), &args));
        std::fs::read(self.path("sig.p7s")).unwrap()
    }

    /// What `openssl cms -verify` says, trusting only the root, with optional CRLs.
    pub fn openssl_verifies(&self, cms: &[u8], content: &[u8], crl_pem: Option<&str>) -> bool {
        std::fs::write(self.path("check.p7s"), cms).unwrap();
        std::fs::write(self.path("check.bin"), content).unwrap();
        let mut args = vec!["cms", "-verify", "-binary", "-inform", "DER", "-in", "check.p7s"];
        args.extend(["-content", "check.bin", "-purpose", "any", "-out", "/dev/null"]);
        match crl_pem {
            // `openssl cms` reads CRLs from the CA file.
            Some(crl) => {
                let mut both = std::fs::read(self.path("root.pem")).unwrap();
                both.extend(std::fs::read(self.path(crl)).unwrap());
                std::fs::write(self.path("root+crl.pem"), both).unwrap();
                args.extend(["-CAfile", "root+crl.pem", "-crl_check"]);
            }
            None => args.extend(["-CAfile", "root.pem"]),
        }
        openssl(self.dir.path(), &args)
    }
}
