//! `rvault trust refresh`: the vault fetches its own revocation data (the CRLs and OCSP
//! responses its CAs' and signers' certificates name) with the library's HTTP client, and
//! says what it did, source by source.

use std::process::ExitCode;
use std::time::Duration;

use results_vault::redact;
use results_vault::remote::fetch::{FetchOptions, RevocationFetcher};
use results_vault::{RefreshReport, SourceOutcome, Vault};

use crate::error::CliError;

/// The exit code when a source failed (the others were still refreshed).
const SOME_SOURCE_FAILED: u8 = 1;

/// `rvault trust refresh [--timeout-secs N] [--json]`.
pub fn trust_refresh(vault: &Vault, timeout_secs: u64, json: bool) -> Result<ExitCode, CliError> {
    let fetcher = RevocationFetcher::new(FetchOptions {
        timeout: Duration::from_secs(timeout_secs),
        ..FetchOptions::default()
    });
    let report = shown(vault.refresh_revocation(&fetcher)?);
    if json {
        outln!("{}", serde_json::to_string_pretty(&report).unwrap_or_default())?;
    } else {
        for source in &report.sources {
            let (outcome, detail) = match &source.outcome {
                SourceOutcome::Added { sha256 } => ("added", format!("sha256 {sha256}")),
                SourceOutcome::Unchanged { sha256 } => ("unchanged", format!("sha256 {sha256}")),
                SourceOutcome::Failed { reason } => ("failed", reason.clone()),
                SourceOutcome::Skipped { reason } => ("skipped", reason.clone()),
            };
            outln!(
                "{:<4} {outcome:<9} {} {}: {detail}",
                source.kind.as_str(),
                source.url,
                source.about
            )?;
        }
        let count = |f: fn(&SourceOutcome) -> bool| report.sources.iter().filter(|s| f(&s.outcome)).count();
        outln!(
            "{} sources: {} added, {} unchanged, {} failed, {} skipped",
            report.sources.len(),
            report.added(),
            count(|o| matches!(o, SourceOutcome::Unchanged { .. })),
            report.failed(),
            count(|o| matches!(o, SourceOutcome::Skipped { .. })),
        )?;
        if report.sources.is_empty() {
            errln!(
                "rvault: no trusted CA or stored signer names a CRL distribution point or an OCSP responder: add CRLs with `rvault trust add crl`"
            );
        }
    }
    if report.failed() > 0 {
        errln!(
            "rvault: {} of {} sources failed (the others were refreshed): run `rvault trust refresh` again later, or add the evidence with `rvault trust add crl|ocsp`",
            report.failed(),
            report.sources.len()
        );
        return Ok(ExitCode::from(SOME_SOURCE_FAILED));
    }
    Ok(ExitCode::SUCCESS)
}

/// The report as it is shown: personal IDs masked in every text field (the certificate
/// names are masked by the library already; URLs and reasons come from certificates and
/// servers).
fn shown(mut report: RefreshReport) -> RefreshReport {
    for source in &mut report.sources {
        source.url = redact::mask_personal_ids(&source.url);
        source.about = redact::mask_personal_ids(&source.about);
        if let SourceOutcome::Failed { reason } | SourceOutcome::Skipped { reason } = &mut source.outcome {
            *reason = redact::mask_personal_ids(reason);
        }
    }
    report
}
