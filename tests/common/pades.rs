//! PAdES fixtures: signed PDFs made by pyHanko (`tests/pades/make_pdfs.py`) with a test
//! PKI of every key type, a manifest of what a correct validator must say about each, and
//! pyHanko's own verdict on any PDF (`tests/pades/validate.py`). See tests/pades/README.md.
//!
//! Nothing is cached across test runs except the pyHanko virtualenv under target/.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;

use serde::Deserialize;
use time::{Duration, OffsetDateTime};

use crate::common::pki::{openssl, Pki, DATED};

/// The pyHanko the fixtures are made and checked with.
pub const PYHANKO: &str = "pyhanko==0.38.0";

/// A virtualenv with [`PYHANKO`] under target/, made once (the first run needs PyPI).
pub fn pyhanko_python() -> PathBuf {
    static MAKING: Mutex<()> = Mutex::new(());
    let _one_at_a_time = MAKING.lock().unwrap_or_else(|e| e.into_inner());
    let venv = Path::new(env!("CARGO_TARGET_TMPDIR")).join("pyhanko-venv");
    let python = venv.join("bin/python");
    // Named after the pin, so that changing the pin reinstalls.
    let ready = venv.join(format!("ready-{PYHANKO}"));
    if !ready.exists() {
        let ok = Command::new("python3")
            .args(["-m", "venv"])
            .arg(&venv)
            .status()
            .expect("python3 not found")
            .success();
        assert!(ok, "cannot make a virtualenv (Debian: apt-get install python3-venv)");
        let ok = Command::new(&python)
            .args(["-m", "pip", "install", "-q", PYHANKO])
            .status()
            .unwrap()
            .success();
        assert!(ok, "cannot install pyHanko from PyPI");
        std::fs::write(&ready, b"").unwrap();
    }
    python
}

/// What a correct PAdES validator concludes about one signature (see README.md).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Expect {
    pub intact: bool,
    pub valid: bool,
    pub trusted: bool,
    pub revoked: bool,
    pub expired: bool,
    pub covers_whole_file: bool,
    /// pyHanko's `SignatureCoverageLevel` name: `ENTIRE_FILE` or `ENTIRE_REVISION`.
    pub coverage: String,
    /// pyHanko's `ModificationLevel` name of the changes after the signed revision:
    /// `NONE`, `LTA_UPDATES`, `FORM_FILLING`, `ANNOTATIONS` or `OTHER`.
    pub modification_level: String,
    /// The document is certified and later changes exceed its DocMDP P.
    pub docmdp_violation: bool,
    /// Neither a DocMDP violation nor an `OTHER` change (pyHanko's `docmdp_ok`).
    pub modification_permitted: bool,
    pub bottom_line: bool,
}

/// Where pyHanko 0.38.0 knowingly departs from [`Expect`].
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct PyhankoDiffers {
    pub modification_level: String,
    pub modification_permitted: bool,
    pub bottom_line: bool,
    pub note: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct SignatureEntry {
    /// Fully qualified field name.
    pub field: String,
    /// `approval`, `certification` or `timestamp`.
    pub kind: String,
    /// Role of the signer in the PKI (`rsa`, `ecdsa-p256`, `tsa`, …).
    pub signer: String,
    /// The certificate's subject as pyHanko prints it (`Common Name: Signer`).
    pub signer_subject: String,
    pub key_type: String,
    pub subfilter: String,
    /// DocMDP P of a certification signature.
    pub docmdp: Option<u8>,
    /// `/P` of the signature's field lock (PDF 2.0), when it has one.
    #[serde(default)]
    pub lock_p: Option<u8>,
    pub expect: Expect,
    pub pyhanko_differs: Option<PyhankoDiffers>,
}

impl SignatureEntry {
    /// [`SignatureEntry::expect`] with pyHanko's known departures applied.
    pub fn pyhanko_expect(&self) -> Expect {
        let mut e = self.expect.clone();
        if let Some(d) = &self.pyhanko_differs {
            e.modification_level = d.modification_level.clone();
            e.modification_permitted = d.modification_permitted;
            e.bottom_line = d.bottom_line;
        }
        e
    }
}

/// One file of the manifest; `signer`, `key_type`, `subfilter` and `expect` are those of
/// its first signature (`None` for the unsigned bases).
#[derive(Debug, Clone, Deserialize)]
pub struct FixtureEntry {
    pub file: String,
    pub description: String,
    pub size: u64,
    pub signer: Option<String>,
    pub key_type: Option<String>,
    pub subfilter: Option<String>,
    pub expect: Option<Expect>,
    /// Every signature and document timestamp, in signing order.
    pub signatures: Vec<SignatureEntry>,
}

pub struct PadesFixtures {
    /// The PDFs and manifest.json.
    pub dir: tempfile::TempDir,
    /// Root CA (`root.pem`), signers (`{role}.key`/`.pem`, see [`PadesFixtures::key`]), the
    /// CRL (`pades.crl.der`) and `keys.json`.
    pub pki: Pki,
    pub manifest: Vec<FixtureEntry>,
}

/// Key files of each signer role, as `keys.json` gives them to make_pdfs.py.
pub const ROLES: [(&str, &str); 7] = [
    ("rsa", "signer"),
    ("ecdsa-p256", "ecdsa-p256"),
    ("ecdsa-p384", "ecdsa-p384"),
    ("ed25519", "ed25519"),
    ("revoked", "revoked"),
    ("expired", "expired"),
    ("tsa", "tsa"),
];

const TSA_EXT: &str = "[ v3_tsa ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, nonRepudiation
extendedKeyUsage = critical, timeStamping
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
";

fn manifest_dir() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// `YYYYMMDDHHMMSSZ` (GeneralizedTime, for `openssl ca -startdate/-enddate`).
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

/// Issues `{name}.pem` for a new `{name}.key` of `spec` under the PKI's root with its own
/// validity and extensions: `ext` is `(file in the PKI dir, section)`, else `v3_signer`.
/// (`Pki::issue` gives every certificate the same dates and extensions.)
fn issue_with(pki: &Pki, name: &str, spec: &str, dates: (&str, &str), ext: Option<(&str, &str)>) {
    let d = pki.dir.path();
    let (key, csr, cert) = (format!("{name}.key"), format!("{name}.csr"), format!("{name}.pem"));
    let subject = format!("/CN={name}");
    assert!(openssl(
        d,
        &["req", "-newkey", spec, "-nodes", "-keyout", &key, "-out", &csr, "-subj", &subject]
    ));
    let mut args = vec![
        "ca",
        "-batch",
        "-config",
        "ca.cnf",
        "-cert",
        "root.pem",
        "-keyfile",
        "root.key",
        "-in",
        &csr,
        "-out",
        &cert,
        "-notext",
        "-startdate",
        dates.0,
        "-enddate",
        dates.1,
    ];
    match ext {
        Some((file, section)) => args.extend(["-extfile", file, "-extensions", section]),
        None => args.extend(["-extensions", "v3_signer"]),
    }
    assert!(openssl(d, &args), "openssl ca for {name}");
}

impl PadesFixtures {
    /// Makes the PKI (root; RSA-2048, ECDSA P-256 and P-384, Ed25519 signers; a signer
    /// revoked ten days ago; a signer that expired yesterday; an RSA TSA) and its CRL,
    /// then every fixture PDF and manifest.json, in fresh temp dirs.
    pub fn make() -> PadesFixtures {
        let python = pyhanko_python();
        // Certificates valid 2026-01-01..2036-01-01, so that the expired signer's and the
        // revocation's dates (in the past) fall inside the root's validity.
        let pki = Pki::dated();
        let d = pki.dir.path();
        assert!(openssl(d, &["ecparam", "-name", "prime256v1", "-out", "p256.param"]));
        assert!(openssl(d, &["ecparam", "-name", "secp384r1", "-out", "p384.param"]));
        pki.issue("ecdsa-p256", "ec:p256.param");
        pki.issue("ecdsa-p384", "ec:p384.param");
        pki.issue("ed25519", "ed25519");
        pki.issue("revoked", "ec:p256.param");
        let now = OffsetDateTime::now_utc();
        let (start, end) = (
            generalized(now - Duration::days(60)),
            generalized(now - Duration::days(1)),
        );
        issue_with(&pki, "expired", "ec:p256.param", (&start, &end), None);
        std::fs::write(pki.path("tsa.ext"), TSA_EXT).unwrap();
        issue_with(&pki, "tsa", "rsa:2048", DATED, Some(("tsa.ext", "v3_tsa")));
        // UTCTime, as the CA database keeps it
        let revoked_at = generalized(now - Duration::days(10))[2..].to_owned();
        pki.revoke_dated("revoked.pem", &revoked_at);
        pki.crl("pades");

        let signers: serde_json::Map<String, serde_json::Value> = ROLES
            .iter()
            .map(|(role, stem)| {
                let files = serde_json::json!({"key": format!("{stem}.key"), "cert": format!("{stem}.pem")});
                (role.to_string(), files)
            })
            .collect();
        let keys = serde_json::json!({"root": "root.pem", "crls": ["pades.crl.der"], "signers": signers});
        std::fs::write(pki.path("keys.json"), serde_json::to_vec_pretty(&keys).unwrap()).unwrap();

        let dir = tempfile::tempdir().unwrap();
        let out = Command::new(&python)
            .arg(manifest_dir().join("tests/pades/make_pdfs.py"))
            .arg(dir.path())
            .arg(d)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "make_pdfs.py failed:\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let manifest = std::fs::read(dir.path().join("manifest.json")).unwrap();
        let manifest = serde_json::from_slice(&manifest).expect("manifest.json");
        PadesFixtures { dir, pki, manifest }
    }

    /// The path of fixture `file`.
    pub fn path(&self, file: &str) -> PathBuf {
        self.dir.path().join(file)
    }

    /// The bytes of fixture `file`.
    pub fn read(&self, file: &str) -> Vec<u8> {
        std::fs::read(self.path(file)).unwrap_or_else(|e| panic!("{file}: {e}"))
    }

    /// The manifest entry of `file`.
    pub fn entry(&self, file: &str) -> &FixtureEntry {
        self.manifest
            .iter()
            .find(|e| e.file == file)
            .unwrap_or_else(|| panic!("{file} is not in the manifest"))
    }

    /// The root certificate (DER), the one trust anchor of every fixture.
    pub fn root(&self) -> Vec<u8> {
        self.pki.root.clone()
    }

    /// The CRL (DER) listing the revoked signer; it covers every certificate of the PKI.
    pub fn crl(&self) -> Vec<u8> {
        std::fs::read(self.pki.path("pades.crl.der")).unwrap()
    }

    /// The `(key, cert)` PEM paths of signer `role` (see [`ROLES`]).
    pub fn key(&self, role: &str) -> (PathBuf, PathBuf) {
        let (_, stem) = ROLES
            .iter()
            .find(|(r, _)| *r == role)
            .unwrap_or_else(|| panic!("no signer role {role}"));
        (
            self.pki.path(&format!("{stem}.key")),
            self.pki.path(&format!("{stem}.pem")),
        )
    }

    /// pyHanko's verdict on every signature of `files`, trusting only the root and knowing
    /// the CRL: one JSON object per signature (or per unreadable file), see validate.py.
    pub fn pyhanko_validate(&self, files: &[&Path]) -> Vec<serde_json::Value> {
        let out = Command::new(pyhanko_python())
            .arg(manifest_dir().join("tests/pades/validate.py"))
            .arg(self.pki.path("root.pem"))
            .arg(self.pki.path("pades.crl.der"))
            .args(files)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "validate.py failed:\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout)
            .unwrap()
            .lines()
            .map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}")))
            .collect()
    }
}
