//! The officer's setting for CLI tests: the `rvault` binary run on a vault that trusts a
//! test PKI's root and CRL, with helpers to ingest, sign and read the answers.

use std::path::Path;
use std::process::{Command, Output};

use super::pki::Pki;

pub fn rvault(vault: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_rvault"))
        .arg("--vault")
        .arg(vault)
        .args(args)
        .output()
        .unwrap()
}

pub fn out(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn err(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

pub fn code(o: &Output) -> i32 {
    o.status.code().unwrap_or(-1)
}

/// The one JSON line of `verify --json` for one input.
pub fn json(o: &Output) -> serde_json::Value {
    let text = out(o);
    let mut lines = text.lines();
    let v = serde_json::from_str(lines.next().unwrap_or_default()).unwrap_or_else(|e| panic!("{e}: {text}"));
    assert!(lines.next().is_none(), "one line per input: {text}");
    v
}

pub fn meta(number: &str, valid_until: Option<&str>) -> String {
    let until = valid_until
        .map(|u| format!(r#""valid_until": "{u}","#))
        .unwrap_or_default();
    format!(
        r#"{{"dossier_code": "G22.46-261001-{}", "procedure_code": "1.000466",
        "document_type": "Trích lục khai sinh", "document_number": "{number}",
        "issuer": {{"agency_code": "G22.46.01", "agency_name": "UBND phường Hải Châu"}},
        "subject": {{"kind": "citizen", "id": "001203004567", "name": "Nguyễn Văn An"}},
        "issued_at": "2026-01-02", "valid_from": "2026-01-02", {until}
        "media_type": "application/pdf", "provenance": {{"origin": "born_digital"}}}}"#,
        if valid_until.is_some() { "0002" } else { "0001" },
    )
}

pub struct Office {
    pub dir: tempfile::TempDir,
    pub pki: Pki,
    pub vault: std::path::PathBuf,
}

impl Office {
    /// A vault that trusts the PKI's root and its current CRL.
    pub fn new() -> Office {
        let pki = Pki::new();
        let dir = tempfile::tempdir().unwrap();
        let vault = dir.path().join("office.vault");
        std::fs::write(dir.path().join("crl.der"), pki.crl("current")).unwrap();
        let o = Office { dir, pki, vault };
        assert!(o.run(&["init"]).status.success());
        let root = o.pki.path("root.pem");
        let t = o.run(&["trust", "add", "anchor", root.to_str().unwrap()]);
        assert!(t.status.success(), "{}", err(&t));
        assert!(out(&t).starts_with("anchor "), "{}", out(&t));
        let t = o.run(&["trust", "add", "crl", o.path("crl.der").to_str().unwrap()]);
        assert!(t.status.success(), "{}", err(&t));
        o
    }

    pub fn run(&self, args: &[&str]) -> Output {
        rvault(&self.vault, args)
    }

    pub fn path(&self, name: &str) -> std::path::PathBuf {
        self.dir.path().join(name)
    }

    /// Ingests `content` with metadata; returns the result id.
    pub fn ingest(&self, name: &str, content: &[u8], valid_until: Option<&str>) -> String {
        std::fs::write(self.path(name), content).unwrap();
        std::fs::write(self.path("meta.json"), meta(name, valid_until)).unwrap();
        let o = self.run(&[
            "ingest",
            self.path(name).to_str().unwrap(),
            "--meta",
            self.path("meta.json").to_str().unwrap(),
        ]);
        assert!(o.status.success(), "{}", err(&o));
        out(&o).split_whitespace().nth(1).unwrap().to_owned()
    }

    pub fn sign_local(&self, id: &str) -> Output {
        let key = self.pki.path("signer.key");
        let cert = self.pki.path("signer.pem");
        self.run(&[
            "sign",
            "local",
            id,
            "--key",
            key.to_str().unwrap(),
            "--cert",
            cert.to_str().unwrap(),
        ])
    }
}
