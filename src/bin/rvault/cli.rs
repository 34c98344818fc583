//! The command line: parsing with clap, and each subcommand as a thin call into `Vault`.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use results_vault::redact;
use results_vault::{
    NewRecord, Requester, ResultId, ReuseQuery, StatusChange, SubjectId, SubjectKind, Vault, VaultOptions,
};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

use crate::error::CliError;

#[derive(Parser)]
#[command(
    name = "rvault",
    version,
    about = "Keep, reuse and check administrative results in a results vault"
)]
pub struct Args {
    /// The vault file.
    #[arg(long, global = true, env = "RVAULT_VAULT", default_value = "results.vault")]
    vault: PathBuf,
    /// How long to wait for another program that holds the vault file locked before giving
    /// up (exit 75), in milliseconds.
    #[arg(
        long,
        global = true,
        env = "RVAULT_BUSY_TIMEOUT_MS",
        default_value_t = 30_000,
        value_name = "MS",
        value_parser = clap::value_parser!(u64).range(..=i32::MAX as u64)
    )]
    busy_timeout_ms: u64,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Create a new, empty vault file.
    Init,
    /// Store one result (its file and its metadata JSON, see README.md), or every result of
    /// a manifest (CSV, JSON or JSON Lines) in parallel; re-running a manifest skips what is in.
    Ingest {
        /// The result's file.
        #[arg(required_unless_present = "manifest", requires = "meta", conflicts_with = "manifest")]
        file: Option<PathBuf>,
        /// The metadata JSON file.
        #[arg(long)]
        meta: Option<PathBuf>,
        /// A manifest of many results: .csv, .json or .jsonl (files relative to it).
        #[arg(long)]
        manifest: Option<PathBuf>,
        /// Threads for a manifest (default: the machine's cores).
        #[arg(long)]
        jobs: Option<usize>,
    },
    /// Print a record as JSON, with its signatures and the check of its PDF signatures.
    Show {
        /// The result id.
        id: String,
    },
    /// Print a record's audit events, oldest first: one line each, or JSON Lines.
    History {
        /// The result id.
        id: String,
        /// One JSON object per event (JSON Lines), as the audit log holds it.
        #[arg(long)]
        json: bool,
    },
    /// Revoke a result by decision.
    Revoke {
        /// The result id.
        id: String,
        /// Why.
        #[arg(long)]
        reason: String,
        /// The decision's reference, e.g. 45/QĐ-UBND.
        #[arg(long)]
        decision: String,
        /// Who decided (agency code).
        #[arg(long)]
        by: String,
    },
    /// Replace a result by another one about the same subject, by decision.
    Supersede {
        /// The result id of the result replaced.
        old: String,
        /// The result id of its replacement (stored, in force, same subject).
        new: String,
        /// Why.
        #[arg(long)]
        reason: String,
        /// The decision's reference, e.g. 45/QĐ-UBND.
        #[arg(long)]
        decision: String,
        /// Who decided (agency code).
        #[arg(long)]
        by: String,
    },
    /// Hand out a subject's results that can be reused now, and record the reuse.
    Reuse {
        /// citizen or organization.
        #[arg(long, default_value = "citizen")]
        kind: String,
        /// The personal ID or enterprise code.
        #[arg(long)]
        subject: String,
        /// The document type wanted.
        #[arg(long = "type")]
        document_type: String,
        /// Requesting agency code.
        #[arg(long)]
        agency: String,
        /// Procedure being resolved.
        #[arg(long)]
        procedure: String,
        /// Dossier being resolved.
        #[arg(long)]
        dossier: String,
        /// Why the result is needed.
        #[arg(long)]
        purpose: String,
        /// Validity time (RFC 3339); default now.
        #[arg(long)]
        at: Option<String>,
    },
    /// Per-agency ingest and reuse statistics (JSON).
    Stats {
        /// Start (RFC 3339, inclusive).
        #[arg(long)]
        from: String,
        /// End (RFC 3339, exclusive).
        #[arg(long)]
        to: String,
    },
    /// The audit log.
    Log {
        #[command(subcommand)]
        command: LogCommand,
    },
    /// Verify files, record ids or SHA-256 hashes: with the vault when there is one, or
    /// with --signature, --trust and --crl alone. Exit 0: all PASSED and in force; 1: a
    /// FAILED; 2: an INDETERMINATE; 3: signed right but revoked, superseded or expired.
    Verify {
        /// Files, record ids or SHA-256 hashes.
        #[arg(required = true)]
        inputs: Vec<String>,
        /// A detached CMS (DER, BER or PEM) over the file's exact bytes.
        #[arg(long)]
        signature: Option<PathBuf>,
        /// A trust anchor for this run only (PEM or DER; repeatable).
        #[arg(long = "trust")]
        trust: Vec<PathBuf>,
        /// A CRL for this run only (PEM or DER; repeatable).
        #[arg(long = "crl")]
        crl: Vec<PathBuf>,
        /// The validation time and the report's time of check (RFC 3339); default now.
        #[arg(long)]
        at: Option<String>,
        /// The policy for --signature: cades (ESS signing-certificate required) or pkcs7.
        #[arg(long, default_value = "pkcs7")]
        policy: String,
        /// One JSON object per input (JSON Lines) instead of sentences.
        #[arg(long)]
        json: bool,
        /// The language of the sentences and of the report: vi or en.
        #[arg(long, default_value = "vi")]
        lang: String,
        /// Also write a PDF verification report (one page or two per input) to this file,
        /// which must not exist yet unless --force.
        #[arg(long)]
        report: Option<PathBuf>,
        /// Replace an existing --report file (whole, at once; a symbolic link there is
        /// replaced, not followed).
        #[arg(long, requires = "report")]
        force: bool,
        /// What may change after a PDF signature: strict (default: form filling, signing,
        /// validation data, document timestamps) or iso (also annotations after an approval
        /// signature or a DocMDP P=3 certification, as ISO 32000 allows).
        #[arg(long = "pdf-changes", default_value = "strict")]
        pdf_changes: String,
    },
    /// The trust store: root CAs (anchors), intermediate CAs, CRLs and OCSP responses.
    Trust {
        #[command(subcommand)]
        command: TrustCommand,
    },
    /// The signer policy: who may sign results for which agency (agency-signed PDFs
    /// count for reuse when their signer is accepted; no rule: any trusted signer).
    Policy {
        #[command(subcommand)]
        command: crate::policy::PolicyCommand,
    },
    /// Sign a stored result through a remote provider (`--provider NAME RECORD`, `--resume
    /// SESSION`), with a local key (demos), or begin/complete around an external signer.
    #[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
    Sign {
        #[command(subcommand)]
        command: Option<SignCommand>,
        #[command(flatten)]
        remote: crate::remote_sign::RemoteSignArgs,
    },
    /// Write a result's content, envelope, signatures and trust material to a folder,
    /// with the openssl commands that verify them without rvault.
    Export {
        /// The result id.
        id: String,
        /// The folder to write (made if missing).
        #[arg(long)]
        out: PathBuf,
        /// Replace files of an earlier export in the folder (each replaced whole; a
        /// symbolic link there is replaced, not followed). Without it they are refused.
        #[arg(long)]
        force: bool,
    },
}

#[derive(Subcommand)]
enum TrustCommand {
    /// Add every certificate, CRL or OCSP response in the files (PEM or DER).
    Add {
        /// anchor, intermediate, crl or ocsp (a DER OCSPResponse, as `openssl ocsp
        /// -respout` writes it).
        kind: String,
        /// The files.
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// List the trust store.
    List,
    /// Remove an item by its SHA-256 (as `trust list` prints it).
    Remove {
        /// The item's SHA-256.
        sha256: String,
    },
    /// Fetch the CRLs and OCSP responses the certificates name, and keep what is new.
    ///
    /// The trusted CAs' and the stored signers' certificates name them (CRL distribution
    /// points, OCSP responders; http and https only); each answer is checked as `trust
    /// add` checks it. One line per source: kind,
    /// outcome (added, unchanged, failed, skipped), URL, certificate, then the SHA-256
    /// kept or the reason. Exit 0: no source failed; 1: a source failed (the others were
    /// still refreshed; run it again later).
    Refresh {
        /// How long one source may take (connection, request and answer), in seconds.
        #[arg(
            long,
            default_value_t = 10,
            value_name = "N",
            value_parser = clap::value_parser!(u64).range(1..=600)
        )]
        timeout_secs: u64,
        /// Print the report as JSON instead of lines.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand)]
enum SignCommand {
    /// Sign with a private key in a file (PKCS#8): for demos and tests only.
    Local {
        /// The result id.
        id: String,
        /// The signer's private key (PKCS#8, PEM or DER).
        #[arg(long)]
        key: PathBuf,
        /// The signer's certificate, then its CAs (PEM or DER; repeatable).
        #[arg(long = "cert", required = true)]
        certs: Vec<PathBuf>,
        /// SHA-256, SHA-384 or SHA-512.
        #[arg(long, default_value = "SHA-256")]
        digest: String,
    },
    /// Begin a session for an external signer: prints what it must sign (JSON).
    Begin {
        /// The result id.
        id: String,
        /// The signer's certificate, then its CAs (PEM or DER; repeatable).
        #[arg(long = "cert", required = true)]
        certs: Vec<PathBuf>,
        /// SHA-256, SHA-384 or SHA-512.
        #[arg(long, default_value = "SHA-256")]
        digest: String,
    },
    /// Complete a session with the external signer's answer.
    Complete {
        /// The session id printed by `sign begin`.
        session: String,
        /// A raw signature value over the session's signed attributes.
        #[arg(long)]
        signature: Option<PathBuf>,
        /// Its algorithm: RSA_PKCS1, RSA_PSS, ECDSA or ED25519.
        #[arg(long)]
        algorithm: Option<String>,
        /// Or a whole detached CMS over the envelope (VNPT SmartCA, Viettel MySign).
        #[arg(long)]
        cms: Option<PathBuf>,
    },
    /// Cancel an open session.
    Cancel {
        /// The session id.
        session: String,
    },
}

#[derive(Subcommand)]
enum LogCommand {
    /// Check the hash chain, every record, signature, trust item, PDF check and reuse
    /// against the events that bind them, and re-hash every stored content.
    Verify {
        /// A head kept outside the vault, as printed by `rvault log head`: SEQ:HASH.
        #[arg(long)]
        against: Option<String>,
        /// Do not re-hash every stored content (the slow part of the audit).
        #[arg(long)]
        skip_contents: bool,
    },
    /// Print the newest event's sequence number and hash (keep it outside the vault).
    Head,
}

/// An RFC 3339 time from 1970 through 9998 (UTC): later ones cannot be shown in Vietnam's
/// time or kept in the vault (`results_vault::record::check_instant`).
fn time_arg(name: &str, value: &str) -> Result<OffsetDateTime, CliError> {
    let t = OffsetDateTime::parse(value, &Rfc3339).map_err(|e| {
        CliError::Usage(format!(
            "--{name} {:?} is not an RFC 3339 time ({e}), e.g. 2026-11-22T09:00:00+07:00",
            redact::shown_argument(value)
        ))
    })?;
    results_vault::record::check_instant("time", t).map_err(|e| {
        CliError::Usage(format!(
            "--{name} {value:?}: {}; for example 2026-11-22T09:00:00+07:00",
            e.reason
        ))
    })
}

pub(crate) fn id_arg(value: &str) -> Result<ResultId, CliError> {
    value
        .parse()
        .map_err(|e: results_vault::FieldError| CliError::Usage(e.to_string()))
}

fn print_json(value: &impl serde::Serialize) -> Result<(), CliError> {
    outln!("{}", serde_json::to_string_pretty(value).unwrap_or_default())
}

pub fn run(args: Args) -> Result<ExitCode, CliError> {
    let busy_timeout = std::time::Duration::from_millis(args.busy_timeout_ms);
    let open = || {
        Vault::open(
            &args.vault,
            VaultOptions {
                actor: "rvault".into(),
                busy_timeout,
                ..VaultOptions::default()
            },
        )
    };
    match args.command {
        Command::Init => {
            Vault::create(
                &args.vault,
                VaultOptions {
                    busy_timeout,
                    ..VaultOptions::default()
                },
            )?;
            outln!("created {}", redact::shown_path(&args.vault))?;
        }
        Command::Ingest {
            manifest: Some(manifest),
            jobs,
            ..
        } => {
            let jobs = jobs.unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
            let summary = crate::ingest_many::ingest_manifest(&open()?, &manifest, jobs)?;
            for failure in &summary.failed {
                errln!("rvault: {failure}");
            }
            let not_tried = match summary.not_tried {
                0 => String::new(),
                n => format!(", {n} not tried"),
            };
            outln!(
                "{} stored, {} already stored, {} failed{not_tried}",
                summary.stored,
                summary.already,
                summary.failed.len()
            )?;
            if let Some(e) = summary.stopped_by {
                // Said last, with its hint and exit code: a re-run stores the rest.
                return Err(e.into());
            }
            if !summary.failed.is_empty() {
                return Ok(ExitCode::from(65));
            }
        }
        Command::Ingest { file, meta, .. } => {
            let (Some(file), Some(meta)) = (file, meta) else {
                return Err(CliError::Usage("give a FILE with --meta, or --manifest".into()));
            };
            let read = |p: &PathBuf| {
                std::fs::read(p).map_err(|error| CliError::Input {
                    path: p.display().to_string(),
                    error,
                })
            };
            let meta_bytes = read(&meta)?;
            let record: NewRecord = serde_json::from_slice(&meta_bytes).map_err(|error| CliError::Json {
                what: meta.display().to_string(),
                error,
            })?;
            let content = read(&file)?;
            let done = open()?.ingest(record, &content)?;
            outln!(
                "{} {} sha256 {}",
                if done.created { "stored" } else { "already stored" },
                done.record.result_id,
                done.record.content.sha256
            )?;
        }
        Command::Show { id } => print_json(&crate::history::shown_record(&open()?, &id_arg(&id)?)?)?,
        Command::History { id, json } => crate::history::print(&open()?, &id_arg(&id)?, json)?,
        Command::Revoke {
            id,
            reason,
            decision,
            by,
        } => {
            let change = StatusChange {
                reason,
                decision_ref: decision,
                at: OffsetDateTime::now_utc(),
                by,
            };
            let record = open()?.revoke(&id_arg(&id)?, change)?;
            outln!("revoked {}", record.result_id)?;
        }
        Command::Supersede {
            old,
            new,
            reason,
            decision,
            by,
        } => {
            let (old, new) = (id_arg(&old)?, id_arg(&new)?);
            let change = StatusChange {
                reason,
                decision_ref: decision,
                at: OffsetDateTime::now_utc(),
                by,
            };
            let record = open()?.supersede(&old, &new, change)?;
            outln!("superseded {} by {new}", record.result_id)?;
        }
        Command::Reuse {
            kind,
            subject,
            document_type,
            agency,
            procedure,
            dossier,
            purpose,
            at,
        } => {
            let subject_kind: SubjectKind = kind
                .parse()
                .map_err(|e: results_vault::FieldError| CliError::Usage(e.to_string()))?;
            let at = at
                .map(|a| time_arg("at", &a))
                .transpose()?
                .unwrap_or_else(OffsetDateTime::now_utc);
            let query = ReuseQuery {
                subject_kind,
                subject_id: SubjectId::new(subject),
                document_type,
                at,
            };
            let requester = Requester {
                agency_code: agency,
                procedure_code: procedure,
                dossier_code: dossier,
                purpose,
            };
            // The answer is for another agency: the signers' personal IDs are masked.
            print_json(&redact::shown_reuse_answer(open()?.find_reusable(query, requester)?))?;
        }
        Command::Stats { from, to } => print_json(&open()?.stats(time_arg("from", &from)?, time_arg("to", &to)?)?)?,
        Command::Log {
            command: LogCommand::Head,
        } => match open()?.log_head()? {
            Some(head) => outln!("{}:{}", head.seq, head.hash)?,
            None => outln!("0:empty")?,
        },
        Command::Log {
            command: LogCommand::Verify { against, skip_contents },
        } => {
            let vault = open()?;
            let against = match against {
                Some(head) => {
                    let bad = || {
                        CliError::Usage(format!(
                            "--against {:?} is not SEQ:HASH as printed by `rvault log head`",
                            redact::shown_argument(&head)
                        ))
                    };
                    let (seq, hash) = head.split_once(':').ok_or_else(bad)?;
                    let head = results_vault::LogHead {
                        seq: seq.parse().map_err(|_| bad())?,
                        hash: hash.parse().map_err(|_| bad())?,
                    };
                    Some(head)
                }
                None => None,
            };
            let report = vault.verify_log_with(&results_vault::LogCheck { against, skip_contents })?;
            for p in &report.problems {
                let at = p
                    .seq
                    .map(|s| format!("event {s}"))
                    .or(p.result_id.clone())
                    .unwrap_or_default();
                outln!("PROBLEM {at}: {}", p.what)?;
            }
            outln!(
                "{}: {} events, {} records, {} reuses checked, {} contents re-hashed, {} problems",
                if report.is_intact() { "INTACT" } else { "TAMPERED" },
                report.events,
                report.records,
                report.reuses,
                report.contents,
                report.problem_count
            )?;
            if !report.is_intact() {
                return Ok(ExitCode::from(1));
            }
        }
        Command::Verify {
            inputs,
            signature,
            trust,
            crl,
            at,
            policy,
            json,
            lang,
            report,
            force,
            pdf_changes,
        } => {
            let lang = crate::verify::lang_arg(&lang)?;
            let pdf_changes = match pdf_changes.as_str() {
                "strict" => results_vault::pdf::ChangePolicy::Strict,
                "iso" => results_vault::pdf::ChangePolicy::Iso,
                other => {
                    return Err(CliError::Usage(format!(
                        "--pdf-changes {:?} is not strict or iso",
                        redact::shown_argument(other)
                    )))
                }
            };
            let policy = match policy.as_str() {
                "cades" => results_vault::Policy::cades_baseline(),
                "pkcs7" => results_vault::Policy::pkcs7_detached(),
                other => {
                    return Err(CliError::Usage(format!(
                        "--policy {:?} is not cades or pkcs7",
                        redact::shown_argument(other)
                    )))
                }
            };
            let opts = crate::verify::VerifyOptions {
                signature,
                anchors: crate::verify::read_items(&trust, "trust anchor")?,
                crls: crate::verify::read_items(&crl, "CRL")?,
                at: at
                    .map(|a| time_arg("at", &a))
                    .transpose()?
                    .unwrap_or_else(OffsetDateTime::now_utc),
                policy,
                pdf_changes,
                report,
                force,
                vault_name: None,
                chain_cache: Default::default(),
                trust: Default::default(),
            };
            // A vault is used when its file is there; without one, files are verified alone.
            let vault = if args.vault.is_file() { Some(open()?) } else { None };
            let opts = crate::verify::VerifyOptions {
                vault_name: vault.as_ref().map(|_| args.vault.display().to_string()),
                ..opts
            };
            if vault.is_none() && opts.signature.is_none() && !json {
                errln!(
                    "rvault: no vault at {}: files are checked alone (give --vault, or --signature with --trust and --crl)",
                    redact::shown_path(&args.vault)
                );
            }
            return crate::verify::run(&inputs, vault.as_ref(), &opts, json, lang);
        }
        Command::Policy { command } => crate::policy::run(&open()?, command)?,
        Command::Trust { command } => {
            let vault = open()?;
            match command {
                TrustCommand::Add { kind, files } => {
                    let kind: results_vault::TrustItemKind = kind.parse().map_err(|_| {
                        CliError::Usage(format!(
                            "{:?} is not anchor, intermediate, crl or ocsp",
                            redact::shown_argument(&kind)
                        ))
                    })?;
                    crate::trust_sign::trust_add(&vault, kind, &files)?;
                }
                TrustCommand::List => crate::trust_sign::trust_list(&vault)?,
                TrustCommand::Refresh { timeout_secs, json } => {
                    return crate::refresh::trust_refresh(&vault, timeout_secs, json)
                }
                TrustCommand::Remove { sha256 } => {
                    let hash: results_vault::Sha256 = sha256.parse().map_err(|_| {
                        CliError::Usage(format!(
                            "{:?} is not a SHA-256 (64 hex digits)",
                            redact::shown_argument(&sha256)
                        ))
                    })?;
                    if !vault.remove_trust_item(&hash)? {
                        return Err(CliError::Usage(format!(
                            "no trust item {hash}: see `rvault trust list`"
                        )));
                    }
                    outln!("removed {hash}")?;
                }
            }
        }
        Command::Sign { command, remote } => {
            let vault = Vault::open(
                &args.vault,
                VaultOptions {
                    actor: "rvault".into(),
                    busy_timeout,
                    timestamper: crate::remote_sign::timestamper(&remote)?,
                    ..VaultOptions::default()
                },
            )?;
            let Some(command) = command else {
                crate::remote_sign::run(&vault, &remote)?;
                return Ok(ExitCode::SUCCESS);
            };
            match command {
                SignCommand::Local { id, key, certs, digest } => crate::trust_sign::sign_local(
                    &vault,
                    &id_arg(&id)?,
                    &key,
                    &certs,
                    crate::trust_sign::digest_arg(&digest)?,
                )?,
                SignCommand::Begin { id, certs, digest } => {
                    let chain = crate::verify::read_items(&certs, "certificate")?;
                    print_json(&vault.begin_signing(&id_arg(&id)?, chain, crate::trust_sign::digest_arg(&digest)?)?)?;
                }
                SignCommand::Complete {
                    session,
                    signature,
                    algorithm,
                    cms,
                } => crate::trust_sign::sign_complete(
                    &vault,
                    &session,
                    signature.as_deref(),
                    algorithm.as_deref(),
                    cms.as_deref(),
                )?,
                SignCommand::Cancel { session } => {
                    vault.cancel_signing(&session)?;
                    outln!("cancelled {session}")?;
                }
            }
        }
        Command::Export { id, out, force } => {
            for file in crate::export::export(&open()?, &id_arg(&id)?, &out, force)? {
                outln!("{}", redact::shown_path(&out.join(file)))?;
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
