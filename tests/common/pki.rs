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
unique_subject = no
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
    /// Fixed validity (`openssl ca -startdate/-enddate`) of every certificate, if set.
    dates: Option<(String, String)>,
}

/// The validity of a [`Pki::dated`] PKI: 2026-01-01 to 2036-01-01, so that tests with a
/// fixed clock (2026-11-01) do not depend on the day they run.
pub const DATED: (&str, &str) = ("20260101000000Z", "20360101000000Z");

/// The thisUpdate of a dated PKI's CRLs: before the fixed clock (a CRL issued after the
/// validation time says nothing good), their nextUpdate stays 30 days from the day the
/// test runs.
pub const DATED_CRL_THIS_UPDATE: &str = "20261031000000Z";

impl Pki {
    /// A PKI whose certificates start now (`-days`).
    pub fn new() -> Pki {
        Pki::build(None)
    }

    /// A PKI whose certificates all have the fixed validity [`DATED`].
    pub fn dated() -> Pki {
        Pki::build(Some(DATED))
    }

    fn build(dates: Option<(&str, &str)>) -> Pki {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        std::fs::write(d.join("ca.cnf"), CA_CONFIG).unwrap();
        std::fs::create_dir(d.join("newcerts")).unwrap();
        std::fs::write(d.join("index.txt"), "").unwrap();
        std::fs::write(d.join("serial"), "1000\n").unwrap();
        std::fs::write(d.join("crlnumber"), "01\n").unwrap();
        for name in ["root", "impostor"] {
            let (key, cert) = (format!("{name}.key"), format!("{name}.pem"));
            if let Some((start, end)) = dates {
                let csr = format!("{name}.csr");
                let ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"];
                let mut args = vec!["req", "-new"];
                args.extend(ec);
                args.extend(["-keyout", &key, "-out", &csr, "-subj", "/CN=Root CA"]);
                assert!(openssl(d, &args));
                assert!(openssl(
                    d,
                    &[
                        "ca",
                        "-batch",
                        "-config",
                        "ca.cnf",
                        "-selfsign",
                        "-keyfile",
                        &key,
                        "-in",
                        &csr,
                        "-out",
                        &cert,
                        "-extensions",
                        "v3_ca",
                        "-startdate",
                        start,
                        "-enddate",
                        end,
                        "-notext"
                    ]
                ));
                continue;
            }
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
            dates: dates.map(|(a, b)| (a.to_owned(), b.to_owned())),
        };
        pki.issue_from("signer.csr", "signer.pem");
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
        let mut args = vec!["-gencrl", "-out", &file, "-crlexts", section];
        args.extend(self.crl_dates());
        self.ca(&args);
        self.der("crl", &file)
    }

    /// A CRL of the root with thisUpdate `this_update` and nextUpdate `next_update`
    /// (`YYYYMMDDHHMMSSZ`), as the index stands now (DER).
    pub fn crl_dated(&self, name: &str, this_update: &str, next_update: &str) -> Vec<u8> {
        let file = format!("{name}.crl");
        self.ca(&[
            "-gencrl",
            "-out",
            &file,
            "-crlexts",
            "crl_ext",
            "-crl_lastupdate",
            this_update,
            "-crl_nextupdate",
            next_update,
        ]);
        self.der("crl", &file)
    }

    /// `openssl ca -gencrl` options that date a dated PKI's CRLs ([`DATED_CRL_THIS_UPDATE`]).
    pub fn crl_dates(&self) -> Vec<&'static str> {
        match self.dates {
            Some(_) => vec!["-crl_lastupdate", DATED_CRL_THIS_UPDATE],
            None => Vec::new(),
        }
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
        self.issue_from(&csr, &cert);
        self.der("x509", &cert)
    }

    /// Issues a certificate `{name}.pem` for a new RSA-2048 key `{name}.key` under the
    /// root, with exactly the X.509v3 extensions `extensions` (openssl config lines, e.g.
    /// `extendedKeyUsage = serverAuth`); returns its DER.
    pub fn issue_with_extensions(&self, name: &str, extensions: &str) -> Vec<u8> {
        let (key, csr, cert) = (format!("{name}.key"), format!("{name}.csr"), format!("{name}.pem"));
        let ext = format!("{name}.ext");
        std::fs::write(self.path(&ext), format!("[ x ]\n{extensions}\n")).unwrap();
        let subject = format!("/CN={name}");
        assert!(openssl(
            self.dir.path(),
            &["req", "-newkey", "rsa:2048", "-nodes", "-keyout", &key, "-out", &csr, "-subj", &subject]
        ));
        let mut args = vec![
            "-in",
            &csr,
            "-out",
            &cert,
            "-extfile",
            &ext,
            "-extensions",
            "x",
            "-notext",
        ];
        match &self.dates {
            Some((start, end)) => args.extend(["-startdate", start.as_str(), "-enddate", end.as_str()]),
            None => args.extend(["-days", "365"]),
        }
        self.ca(&args);
        self.der("x509", &cert)
    }

    /// Issues `{name}.pem` for a new key `{name}.key` of `spec` (`rsa:2048`,
    /// `ec:p256.param`, …) under the root, valid from `start` to `end`
    /// (`YYYYMMDDHHMMSSZ`), with exactly the X.509v3 extensions `extensions` (openssl
    /// config lines); returns its DER.
    pub fn issue_custom(&self, name: &str, spec: &str, (start, end): (&str, &str), extensions: &str) -> Vec<u8> {
        let (key, csr, cert) = (format!("{name}.key"), format!("{name}.csr"), format!("{name}.pem"));
        let ext = format!("{name}.ext");
        std::fs::write(self.path(&ext), format!("[ x ]\n{extensions}\n")).unwrap();
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
            "-extfile",
            &ext,
            "-extensions",
            "x",
            "-notext",
            "-startdate",
            start,
            "-enddate",
            end,
        ]);
        self.der("x509", &cert)
    }

    /// Has the root sign `csr` into signer certificate `cert` (365 days, or the fixed dates).
    fn issue_from(&self, csr: &str, cert: &str) {
        let mut args = vec!["-in", csr, "-out", cert, "-extensions", "v3_signer", "-notext"];
        match &self.dates {
            Some((start, end)) => args.extend(["-startdate", start.as_str(), "-enddate", end.as_str()]),
            None => args.extend(["-days", "365"]),
        }
        self.ca(&args);
    }

    /// The DER PKCS#8 form of private key file `key` (e.g. `signer.key`).
    pub fn pkcs8(&self, key: &str) -> Vec<u8> {
        let out = format!("{key}.p8");
        assert!(openssl(
            self.dir.path(),
            &["pkcs8", "-topk8", "-nocrypt", "-in", key, "-outform", "DER", "-out", &out]
        ));
        std::fs::read(self.path(&out)).unwrap()
    }

    /// Marks certificate `pem` revoked in the CA's index with revocation date `date`
    /// (`YYMMDDHHMMSSZ`), as a CA would that learnt late of a key compromise; the next
    /// CRL lists it with that date.
    pub fn revoke_dated(&self, pem: &str, date: &str) {
        self.ca(&["-revoke", pem]);
        let index = self.path("index.txt");
        let text = std::fs::read_to_string(&index).unwrap();
        let serial = {
            let out = Command::new("openssl")
                .current_dir(self.dir.path())
                .args(["x509", "-in", pem, "-noout", "-serial"])
                .output()
                .unwrap();
            String::from_utf8(out.stdout)
                .unwrap()
                .trim()
                .trim_start_matches("serial=")
                .to_owned()
        };
        let edited: Vec<String> = text
            .lines()
            .map(|line| {
                let mut fields: Vec<&str> = line.split('\t').collect();
                if fields.len() > 3 && fields[0] == "R" && fields[3].eq_ignore_ascii_case(&serial) {
                    fields[2] = date;
                }
                fields.join("\t")
            })
            .collect();
        std::fs::write(&index, edited.join("\n") + "\n").unwrap();
    }

    /// Revokes the signer (revocation date: now).
    pub fn revoke_signer(&self) {
        self.ca(&["-revoke", "signer.pem"]);
    }

    /// A CRL with the root's name, signed by the impostor's key (DER).
    pub fn forged_crl(&self) -> Vec<u8> {
        let mut args = vec![
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
            "crl_ext",
        ];
        args.extend(self.crl_dates());
        assert!(openssl(self.dir.path(), &args));
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

/// An `openssl ts -reply` configuration for a TSA signed by this PKI: policy 1.2.3.4.1,
/// SHA-256 ESS signing-certificate-v2, accuracy one second, ordering and the TSA's name.
pub const OPENSSL_TS_CONFIG: &str = "
[ tsa ]
default_tsa = tsa_config
[ tsa_config ]
dir = .
serial = ./tsaserial
crypto_device = builtin
signer_digest = sha256
default_policy = 1.2.3.4.1
digests = sha256, sha384, sha512
accuracy = secs:1
clock_precision_digits = 3
ordering = yes
tsa_name = yes
ess_cert_id_chain = no
ess_cert_id_alg = sha256
";
