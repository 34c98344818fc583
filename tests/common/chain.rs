//! Chains of CA and end-entity certificates made by the real `openssl` (req, x509 -req),
//! with extensions and subject string types chosen per certificate, for the generators of
//! tests/name_constraints_attacks.rs and tests/policy_attacks.rs. OpenSSL's own verdict on
//! a chain (`openssl verify`) is recorded beside ours.

#![allow(dead_code)]

use std::path::Path;
use std::process::Command;

/// A temporary directory of keys and certificates, named by the caller.
pub struct Lab {
    pub dir: tempfile::TempDir,
    serial: std::cell::Cell<u32>,
}

/// One row of a generator's table: what we said, what OpenSSL said, what was expected.
#[derive(Debug)]
pub struct Row {
    pub case: String,
    pub ours: Result<(), String>,
    pub openssl: bool,
    pub expected_pass: bool,
}

fn run(dir: &Path, args: &[&str]) -> std::process::Output {
    Command::new("openssl")
        .current_dir(dir)
        .args(args)
        .output()
        .expect("openssl not found")
}

fn must(dir: &Path, args: &[&str]) {
    let out = run(dir, args);
    assert!(
        out.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

impl Lab {
    /// A lab whose extension sections (for `-extensions NAME`) are `extensions`.
    pub fn new(extensions: &str) -> Lab {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("ext.cnf"), extensions).unwrap();
        Lab {
            dir,
            serial: std::cell::Cell::new(0x1000),
        }
    }

    /// A P-256 key `name.key` and a request `name.csr` for `subject` (openssl `-subj`
    /// syntax, `+` for multi-valued RDNs), its strings encoded under `string_mask`
    /// ("utf8only", "MASK:0x800" for BMPString, "MASK:0x4" for TeletexString, "MASK:0x2"
    /// for PrintableString).
    pub fn request(&self, name: &str, subject: &str, string_mask: &str) {
        let d = self.dir.path();
        let cnf = format!("{name}.req.cnf");
        std::fs::write(
            d.join(&cnf),
            format!("[req]\ndistinguished_name = dn\nstring_mask = {string_mask}\nutf8 = yes\n[dn]\n"),
        )
        .unwrap();
        if !d.join(format!("{name}.key")).exists() {
            must(
                d,
                &[
                    "genpkey",
                    "-algorithm",
                    "EC",
                    "-pkeyopt",
                    "ec_paramgen_curve:P-256",
                    "-out",
                    &format!("{name}.key"),
                ],
            );
        }
        must(
            d,
            &[
                "req",
                "-new",
                "-config",
                &cnf,
                "-utf8",
                "-multivalue-rdn",
                "-key",
                &format!("{name}.key"),
                "-subj",
                subject,
                "-out",
                &format!("{name}.csr"),
            ],
        );
    }

    /// A self-signed root `name` with the extensions of section `section`.
    pub fn root(&self, name: &str, subject: &str, section: &str) -> Vec<u8> {
        self.request(name, subject, "utf8only");
        self.sign(name, name, section)
    }

    /// Certifies the request `name.csr` by `issuer` (its `issuer.pem` and `issuer.key`;
    /// `issuer == name` self-signs) with the extensions of `section`. Returns the DER.
    pub fn sign(&self, name: &str, issuer: &str, section: &str) -> Vec<u8> {
        let d = self.dir.path();
        let serial = self.serial.get() + 1;
        self.serial.set(serial);
        let serial = format!("0x{serial:x}");
        let (csr, key, out) = (format!("{name}.csr"), format!("{issuer}.key"), format!("{name}.pem"));
        let mut args = vec![
            "x509",
            "-req",
            "-in",
            &csr,
            "-days",
            "365",
            "-set_serial",
            &serial,
            "-sha256",
            "-extfile",
            "ext.cnf",
            "-extensions",
            section,
            "-out",
            &out,
        ];
        let ca = format!("{issuer}.pem");
        if issuer == name {
            args.extend(["-signkey", &key]);
        } else {
            args.extend(["-CA", &ca, "-CAkey", &key]);
        }
        must(d, &args);
        self.der(name)
    }

    /// The DER of `name.pem`.
    pub fn der(&self, name: &str) -> Vec<u8> {
        let text = std::fs::read(self.dir.path().join(format!("{name}.pem"))).unwrap();
        x509_parser::pem::Pem::iter_from_buffer(&text)
            .next()
            .unwrap()
            .unwrap()
            .contents
    }

    /// `openssl verify` of `leaf` against the trusted `root`, with `untrusted`
    /// intermediates and extra flags; true when OpenSSL accepts it.
    pub fn openssl_verify(&self, root: &str, untrusted: &[&str], leaf: &str, flags: &[&str]) -> bool {
        let d = self.dir.path();
        let bundle = format!("untrusted-{leaf}.pem");
        let mut text = Vec::new();
        for name in untrusted {
            text.extend(std::fs::read(d.join(format!("{name}.pem"))).unwrap());
        }
        std::fs::write(d.join(&bundle), text).unwrap();
        let (ca, leaf) = (format!("{root}.pem"), format!("{leaf}.pem"));
        let mut args = vec!["verify", "-CAfile", &ca];
        if !untrusted.is_empty() {
            args.extend(["-untrusted", &bundle]);
        }
        args.extend(flags);
        args.push(&leaf);
        run(d, &args).status.success()
    }
}

/// Prints the table and fails on any row whose verdict is not the expected one. Rows
/// where OpenSSL disagrees with the expectation are printed (OpenSSL is a reference, not
/// the judge: it does not case-fold non-ASCII letters, for example).
pub fn judge(title: &str, rows: &[Row]) {
    println!("{title}: case | ours | openssl | expected");
    let mut wrong = Vec::new();
    for row in rows {
        let ours = match &row.ours {
            Ok(()) => "PASS".to_string(),
            Err(e) => format!("FAIL ({e})"),
        };
        let expected = if row.expected_pass { "PASS" } else { "FAIL" };
        let openssl = if row.openssl { "PASS" } else { "FAIL" };
        println!("  {} | {ours} | {openssl} | {expected}", row.case);
        if row.ours.is_ok() != row.expected_pass {
            wrong.push(row.case.clone());
        }
    }
    assert!(wrong.is_empty(), "{title}: wrong verdicts for {wrong:?}");
}
