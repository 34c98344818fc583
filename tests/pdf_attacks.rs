//! The shared PDF signature attack files (`$RV_TESTDATA/pdf-attacks/`, read in place):
//! every file gets the verdict its `EXPECTED.tsv` asks for. The demo signers are not
//! trusted here, so nothing can be PASSED; what is checked is what the PDF layer says
//! (coverage, changes after signing) and that the CMS layer does not let a broken
//! signature through.

use std::path::PathBuf;

use results_vault::pdf::{verify_pdf, PdfVerdict};
use results_vault::verify::signature::{Policy, ValidationContext};
use results_vault::Indication;

#[path = "common/testdata.rs"]
mod testdata;

/// The attack files, or `None` (said loudly) on a clone without the external suites.
fn attacks_dir() -> Option<PathBuf> {
    testdata::suite("pdf-attacks")
}

fn verify(data: &[u8]) -> PdfVerdict {
    let policy = Policy::pkcs7_detached();
    let ctx = ValidationContext {
        anchors: &[],
        intermediates: &[],
        crls: &[],
        validation_time: time::OffsetDateTime::now_utc(),
        proof_of_existence: None,
        policy: &policy,
        all_signers: false,
        chain_cache: None,
    };
    verify_pdf(data, &ctx).unwrap_or_else(|e| panic!("not even a verdict: {e}"))
}

/// Whether `verdict` meets the requirement named at the start of an EXPECTED.tsv line.
fn meets(requirement: &str, verdict: &PdfVerdict) -> Result<(), String> {
    let sigs = &verdict.signatures;
    let unmodified_whole = |s: &&results_vault::pdf::PdfSignature| {
        s.covers_whole_file && !s.modified_after_signing && s.coverage_problem.is_none()
    };
    let ok = match requirement {
        "UNSIGNED" => sigs.is_empty() && verdict.indication == Indication::Indeterminate,
        "SIGNED-INTACT" => {
            !sigs.is_empty()
                && sigs
                    .iter()
                    .all(|s| s.coverage_problem.is_none() && !s.modified_after_signing)
                && sigs.iter().any(|s| s.covers_whole_file)
                && sigs
                    .iter()
                    .all(|s| s.verdict.integrity && s.verdict.indication != Indication::Failed)
        }
        // A change after signing must be reported: some signature says so, and none claims
        // to cover the whole file unmodified while an earlier one was modified.
        "MODIFIED-AFTER-SIGNING" => sigs.iter().any(|s| s.modified_after_signing),
        "MODIFIED-AFTER-SIGNING or COVERAGE-ANOMALY" => {
            sigs.iter()
                .any(|s| s.modified_after_signing || s.coverage_problem.is_some())
                && verdict.indication != Indication::Passed
        }
        "COVERAGE-ANOMALY" => {
            !sigs.is_empty()
                && sigs
                    .iter()
                    .any(|s| !s.covers_whole_file || s.coverage_problem.is_some())
                && !sigs.iter().all(|s| unmodified_whole(&s))
        }
        "FAILED or flagged" => {
            sigs.iter()
                .any(|s| s.coverage_problem.is_some() || s.verdict.indication != Indication::Passed)
                && verdict.indication != Indication::Passed
        }
        "FAILED" => verdict.indication == Indication::Failed,
        other => return Err(format!("unknown requirement {other:?}")),
    };
    if ok {
        Ok(())
    } else {
        Err(format!("{requirement} not met"))
    }
}

/// Where this verifier knowingly departs from EXPECTED.tsv, and why.
const DEPARTURES: &[(&str, &str)] = &[(
    "pyhanko/coverage-anomalies_base.pdf",
    "its /Contents is 6000 hex zeros: a signature placeholder, not a signature (pyHanko itself \
     fails to parse it), so it cannot be SIGNED-INTACT; it is FAILED with 'holds no signature'",
)];

#[test]
fn every_shared_attack_file_gets_its_expected_verdict() {
    let Some(dir) = attacks_dir() else { return };
    let table = std::fs::read_to_string(dir.join("EXPECTED.tsv")).expect("../shared/testdata/pdf-attacks");
    let mut failures = Vec::new();
    let mut checked = 0;
    for line in table.lines().skip(1).filter(|l| !l.trim().is_empty()) {
        let (file, expected) = line.split_once('\t').unwrap();
        let requirement = expected.split(':').next().unwrap().trim();
        let verdict = verify(&std::fs::read(dir.join(file)).unwrap());
        checked += 1;
        if let Some((_, why)) = DEPARTURES.iter().find(|(f, _)| *f == file) {
            // The departure itself is checked: it must stay the honest answer.
            assert!(
                verdict
                    .signatures
                    .iter()
                    .all(|s| s.verdict.indication == Indication::Failed),
                "{file}: {why}"
            );
            continue;
        }
        if let Err(why) = meets(requirement, &verdict) {
            let got: Vec<String> = verdict
                .signatures
                .iter()
                .map(|s| {
                    format!(
                        "{} {:?}/{:?} whole={} modified={} coverage={:?}",
                        s.field,
                        s.verdict.indication,
                        s.verdict.sub_indication,
                        s.covers_whole_file,
                        s.modified_after_signing,
                        s.coverage_problem
                    )
                })
                .collect();
            failures.push(format!("{file}: {why}; got {got:?}"));
        }
    }
    assert!(checked >= 40, "only {checked} files");
    assert!(
        failures.is_empty(),
        "{} of {checked}:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn the_signed_shadow_files_name_their_later_change() {
    let Some(dir) = attacks_dir() else { return };
    let dir = dir.join("pdf-attacker");
    let v = verify(
        &std::fs::read(dir.join(
            "hide-and-replace_variant-1_change_object_references__4_original-document-shadowed-signed-manipulated.pdf",
        ))
        .unwrap(),
    );
    let s = &v.signatures[0];
    assert!(s.modified_after_signing);
    assert_eq!(s.verdict.indication, Indication::Failed);
    assert!(
        s.changes_after_signing.iter().any(|c| c.contains("outside the update")),
        "{:?}",
        s.changes_after_signing
    );
}
