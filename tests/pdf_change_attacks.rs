//! Hostile incremental updates to signed PDFs (tests/pades/make_attacks.py, see
//! tests/pades/README.md): PDFs whose later updates show something other than what was
//! signed, made on pyHanko-signed bases (certified P=1, 2, 3 and approval; both
//! SubFilters; classic xref and xref stream), and the honest updates ISO 32000 allows.
//! Every file is verified under the default (strict) change policy and under the ISO one,
//! and every expectation of attacks.json is checked; all failures are reported together.
//!
//! Classes: 1 a reference the signed revision does not define, defined later; 2 one object
//! with two roles (document information, metadata or validation data that is also page
//! content); 3 a widget on a signature field; 4 markup annotations drawn over the text;
//! 6 a signature dictionary inside an object stream; "honest" the signed bases and permitted
//! updates. Set ATTACKS_KEEP=1 to keep the generated files (their directory is printed).

mod common;

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use common::pades::{pyhanko_python, PadesFixtures};
use results_vault::pdf::{verify_pdf, verify_pdf_with, ChangePolicy, PdfVerdict};
use results_vault::verify::signature::{Policy, ValidationContext};
use results_vault::Indication;
use serde::Deserialize;

#[derive(Debug, Deserialize)]
struct Attack {
    file: String,
    /// 1, 2, 3, 4, 6 or "honest".
    class: serde_json::Value,
    variant: String,
    base: String,
    expect_default: String,
    expect_iso: String,
    /// Expected (case-insensitively) in some signature's changes_after_signing or detail
    /// when the expectation is NOT_PASSED; empty: not checked.
    reason: String,
    /// How many signatures (and document timestamps) the verdict must list.
    signatures: Option<usize>,
}

impl Attack {
    fn class(&self) -> String {
        match &self.class {
            serde_json::Value::String(s) => s.clone(),
            other => other.to_string(),
        }
    }
}

/// One verification's answer, reduced to what the expectations look at.
struct Outcome {
    passed: bool,
    verdict: Result<PdfVerdict, String>,
}

impl Outcome {
    fn describe(&self) -> String {
        match &self.verdict {
            Err(e) => format!("no verdict: {e}"),
            Ok(v) => {
                let mut s = format!("{:?}/{:?}", v.indication, v.sub_indication);
                for sig in &v.signatures {
                    s += &format!(
                        "\n      [{} {}] {:?}/{:?} modified_after_signing={} changes={:?} detail={:?}",
                        sig.kind,
                        sig.field,
                        sig.verdict.indication,
                        sig.verdict.sub_indication,
                        sig.modified_after_signing,
                        sig.changes_after_signing,
                        sig.verdict.detail
                    );
                }
                s
            }
        }
    }

    /// Whether `reason` is said anywhere in the answer (changes, details, the error).
    fn says(&self, reason: &str) -> bool {
        let reason = reason.to_lowercase();
        match &self.verdict {
            Err(e) => e.to_lowercase().contains(&reason),
            Ok(v) => v.signatures.iter().any(|s| {
                s.verdict.detail.to_lowercase().contains(&reason)
                    || s.changes_after_signing
                        .iter()
                        .any(|c| c.to_lowercase().contains(&reason))
            }),
        }
    }
}

fn outcome(result: Result<PdfVerdict, results_vault::pdf::PdfError>) -> Outcome {
    match result {
        Ok(v) => Outcome {
            passed: v.indication == Indication::Passed,
            verdict: Ok(v),
        },
        Err(e) => Outcome {
            passed: false,
            verdict: Err(e.to_string()),
        },
    }
}

fn expectation(text: &str) -> bool {
    match text {
        "PASSED" => true,
        "NOT_PASSED" => false,
        other => panic!("attacks.json: unknown expectation {other:?}"),
    }
}

fn word(passed: bool) -> &'static str {
    if passed {
        "PASSED"
    } else {
        "NOT_PASSED"
    }
}

#[derive(Default)]
struct Tally {
    files: usize,
    variants: std::collections::BTreeSet<String>,
    passed_default: usize,
    passed_iso: usize,
    /// Attack files the default policy PASSED (the holes still open).
    holes: Vec<String>,
}

#[test]
fn hostile_updates_after_signing_are_refused_and_honest_ones_pass() {
    let fx = PadesFixtures::make();
    let out = tempfile::tempdir().unwrap();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/pades/make_attacks.py");
    assert!(fx.pki.path("keys.json").exists());
    let run = Command::new(pyhanko_python())
        .arg(&script)
        .arg(out.path())
        .arg(fx.pki.dir.path())
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "make_attacks.py failed:\n{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let attacks: Vec<Attack> =
        serde_json::from_slice(&std::fs::read(out.path().join("attacks.json")).unwrap()).expect("attacks.json");

    let anchors = vec![fx.root()];
    let crls = vec![fx.crl()];
    let policy = Policy::pkcs7_detached();
    let ctx = ValidationContext {
        anchors: &anchors,
        intermediates: &[],
        crls: &crls,
        validation_time: time::OffsetDateTime::now_utc(),
        proof_of_existence: None,
        policy: &policy,
        all_signers: false,
        chain_cache: None,
    };

    let mut failures: Vec<String> = Vec::new();
    let mut tally: BTreeMap<String, Tally> = BTreeMap::new();
    for a in &attacks {
        let data = std::fs::read(out.path().join(&a.file)).unwrap();
        let strict = outcome(verify_pdf(&data, &ctx));
        let strict_again = outcome(verify_pdf_with(&data, &ctx, ChangePolicy::Strict));
        let iso = outcome(verify_pdf_with(&data, &ctx, ChangePolicy::Iso));
        let class = a.class();
        let t = tally.entry(class.clone()).or_default();
        t.files += 1;
        t.variants.insert(a.variant.clone());
        t.passed_default += strict.passed as usize;
        t.passed_iso += iso.passed as usize;
        let attack = class != "honest";
        if attack && strict.passed {
            t.holes.push(a.file.clone());
        }

        let mut fail = |policy: &str, what: String, got: &Outcome| {
            failures.push(format!(
                "{} (class {class}, {}, base {}) [{policy}]: {what}\n    got: {}",
                a.file,
                a.variant,
                a.base,
                got.describe()
            ));
        };
        if strict.passed != strict_again.passed {
            fail(
                "default",
                "verify_pdf and verify_pdf_with(Strict) disagree".into(),
                &strict_again,
            );
        }
        for (policy, want, got) in [
            ("default", expectation(&a.expect_default), &strict),
            ("iso", expectation(&a.expect_iso), &iso),
        ] {
            if want != got.passed {
                fail(
                    policy,
                    format!("expected {}, got {}", word(want), word(got.passed)),
                    got,
                );
                continue;
            }
            if !want && !a.reason.is_empty() && !got.says(&a.reason) {
                fail(
                    policy,
                    format!("refused, but not for the expected reason {:?}", a.reason),
                    got,
                );
            }
            match (&got.verdict, a.signatures) {
                (Ok(v), Some(n)) if v.signatures.len() != n => fail(
                    policy,
                    format!("{} signatures listed, expected {n}", v.signatures.len()),
                    got,
                ),
                (Err(_), _) if want || class == "6" => fail(policy, "the verifier gave no verdict".into(), got),
                _ => {}
            }
            // A signature dictionary in an object stream is reported FAILED, never dropped.
            if class == "6" {
                if let Ok(v) = &got.verdict {
                    let reported = v.signatures.iter().any(|s| {
                        s.verdict.indication == Indication::Failed
                            && s.verdict.detail.to_lowercase().contains("object stream")
                    });
                    if v.indication != Indication::Failed || !reported {
                        fail(policy, "no FAILED signature that says \"object stream\"".into(), got);
                    }
                }
            }
        }
    }

    println!("class   files variants passed(default) refused(default) passed(iso) refused(iso)");
    for (class, t) in &tally {
        println!(
            "{class:<7} {:>5} {:>8} {:>15} {:>16} {:>11} {:>12}",
            t.files,
            t.variants.len(),
            t.passed_default,
            t.files - t.passed_default,
            t.passed_iso,
            t.files - t.passed_iso
        );
    }
    for (class, t) in &tally {
        if !t.holes.is_empty() {
            println!("class {class}: PASSED under the default policy ({}):", t.holes.len());
            for h in &t.holes {
                println!("  {h}");
            }
        }
    }
    for class in ["1", "2", "3", "4", "6", "honest"] {
        let t = tally.get(class);
        let (files, variants) = t.map_or((0, 0), |t| (t.files, t.variants.len()));
        assert!(
            files >= 8 && variants >= 4,
            "class {class}: only {files} files / {variants} variants generated"
        );
    }
    if std::env::var_os("ATTACKS_KEEP").is_some() {
        println!("files kept in {}", out.keep().display());
    }
    assert!(
        failures.is_empty(),
        "{} of {} expectations failed:\n{}",
        failures.len(),
        attacks.len() * 2,
        failures.join("\n")
    );
}
