//! `rvault sign --provider csc|vnpt-smartca|viettel-mysign RECORD` and
//! `rvault sign --resume SESSION`: signing through a remote provider, with a spinner while
//! the officer approves on the phone. The session id is printed before the provider is
//! called, so that a run that is stopped can be resumed.

use std::path::PathBuf;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};
use results_vault::remote::config::{ProviderConfig, PROVIDERS};
use results_vault::remote::tsa::{TsaClient, TsaConfig};
use results_vault::{RemoteRequest, RemoteSigningOptions, RemoteState, Vault};

use crate::error::CliError;

/// The remote form of `rvault sign`.
#[derive(clap::Args)]
pub struct RemoteSignArgs {
    /// Sign RECORD through this provider: csc, vnpt-smartca or viettel-mysign.
    #[arg(long, value_parser = PROVIDERS, requires = "record", conflicts_with = "resume")]
    provider: Option<String>,
    /// Go on with a remote signing session after a restart or a timeout (never sends twice).
    #[arg(long, value_name = "SESSION")]
    resume: Option<String>,
    /// The result id to sign (with --provider).
    record: Option<String>,
    /// List the remote requests not finished yet (after a restart: resume each).
    #[arg(long, conflicts_with_all = ["provider", "resume", "record"])]
    pending: bool,
    /// The provider's configuration (JSON; README "Remote signing"). Fields may also come
    /// from RVAULT_CSC_*, RVAULT_SMARTCA_*, RVAULT_MYSIGN_* (e.g. RVAULT_SMARTCA_SP_PASSWORD).
    #[arg(long = "provider-config", env = "RVAULT_PROVIDER_CONFIG", value_name = "FILE")]
    config: Option<PathBuf>,
    /// How long to wait for the officer's approval, in seconds, before leaving the request
    /// pending (resume it later with --resume).
    #[arg(long, default_value_t = 300, value_name = "SECONDS")]
    wait: u64,
    /// SHA-256, SHA-384 or SHA-512.
    #[arg(long, default_value = "SHA-256")]
    digest: String,
    /// Timestamp the vault's signature through an RFC 3161 TSA (CAdES B-T, with the
    /// revocation evidence: B-LT): a JSON file {"url", "username", "password" |
    /// "bearer_token", "policy_oid", "timeout_seconds", "ca_file"}; fields may also come
    /// from RVAULT_TSA_* (RVAULT_TSA_URL alone is enough). For every form of `sign`.
    #[arg(long = "tsa-config", env = "RVAULT_TSA_CONFIG", value_name = "FILE", global = true)]
    pub tsa_config: Option<PathBuf>,
    /// The first pause between two status polls, in milliseconds.
    #[arg(long, default_value_t = 2000, value_name = "MS", hide = true)]
    poll_interval_ms: u64,
}

/// The timestamp authority `--tsa-config` or RVAULT_TSA_* name, if any.
pub fn timestamper(args: &RemoteSignArgs) -> Result<Option<results_vault::SharedTimestamper>, CliError> {
    let Some(config) = TsaConfig::load(args.tsa_config.as_deref()).map_err(results_vault::Error::from)? else {
        return Ok(None);
    };
    let client = TsaClient::new(config).map_err(results_vault::Error::from)?;
    Ok(Some(std::sync::Arc::new(client)))
}

/// Runs the remote form.
pub fn run(vault: &Vault, args: &RemoteSignArgs) -> Result<(), CliError> {
    if args.pending {
        for r in vault.unfinished_remote_requests()? {
            outln!(
                "{}  {:<14} {:<8} polls {:<4} since {}",
                r.session_id,
                r.provider,
                r.state,
                r.polls,
                r.created_at
                    .format(&time::format_description::well_known::Rfc3339)
                    .unwrap_or_default()
            )?;
        }
        return Ok(());
    }
    let digest = crate::trust_sign::digest_arg(&args.digest)?;
    let provider_name =
        match (&args.provider, &args.resume) {
            (Some(name), _) => name.clone(),
            (None, Some(session)) => match vault.remote_request(session)? {
                Some(request) => request.provider,
                None => {
                    // Says "no such session" or "not a remote session".
                    vault.signing_session(session)?;
                    return Err(CliError::Usage(format!(
                        "session {session} was not sent to a provider: complete it with `rvault sign complete`"
                    )));
                }
            },
            (None, None) => return Err(CliError::Usage(
                "give --provider NAME RECORD, or --resume SESSION (or a subcommand: local, begin, complete, cancel)"
                    .into(),
            )),
        };
    let config = ProviderConfig::load(&provider_name, args.config.as_deref()).map_err(results_vault::Error::from)?;
    let client = config.client().map_err(results_vault::Error::from)?;

    let spinner = ProgressBar::new_spinner();
    spinner.set_style(ProgressStyle::with_template("{spinner} {msg} ({elapsed})").expect("a valid template"));
    spinner.enable_steady_tick(Duration::from_millis(120));
    let announced = std::sync::atomic::AtomicBool::new(false);
    let progress = |request: &RemoteRequest| {
        if !announced.swap(true, std::sync::atomic::Ordering::SeqCst) {
            spinner.suspend(|| {
                errln!(
                    "session {} ({}); if this stops, resume with: rvault sign --resume {}",
                    request.session_id,
                    request.provider,
                    request.session_id
                )
            });
        }
        spinner.set_message(match request.state {
            RemoteState::Sending => format!("sending to {}", request.provider),
            RemoteState::Waiting => format!(
                "waiting for the officer to approve on the phone ({}, {} checks)",
                request.provider, request.polls
            ),
            RemoteState::Approved => "approved: verifying the signature".to_owned(),
            other => other.to_string(),
        });
    };
    let options = RemoteSigningOptions {
        digest,
        wait: Duration::from_secs(args.wait),
        poll_interval: Duration::from_millis(args.poll_interval_ms.max(10)),
        progress: Some(&progress),
        ..RemoteSigningOptions::default()
    };
    let outcome = match (&args.resume, &args.record) {
        (Some(session), _) => vault.resume_remote(session, client.as_ref(), &options),
        (None, Some(record)) => vault.sign_remote(&crate::cli::id_arg(record)?, client.as_ref(), &options),
        (None, None) => return Err(CliError::Usage("give the result id to sign".into())),
    };
    spinner.finish_and_clear();
    let stored = outcome?;
    outln!(
        "signed {} through {provider_name} by {}: {} at {}",
        stored.result_id,
        // The signer's name carries their personal ID (`UID=CCCD:…`): masked.
        stored
            .acceptance
            .signer
            .as_ref()
            .map_or("?".to_owned(), |s| results_vault::redact::mask_personal_ids(&s.subject)),
        stored.acceptance.indication.as_str(),
        stored.acceptance.proof_of_existence.as_deref().unwrap_or("?")
    )?;
    Ok(())
}
