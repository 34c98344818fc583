//! The command line: parsing with clap, and each subcommand as a thin call into `Vault`.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
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
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Create a new, empty vault file.
    Init,
    /// Store one result: its file and its metadata (JSON, see README.md).
    Ingest {
        /// The result's file.
        file: PathBuf,
        /// The metadata JSON file.
        #[arg(long)]
        meta: PathBuf,
    },
    /// Print a record as JSON.
    Show {
        /// The result id.
        id: String,
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
}

#[derive(Subcommand)]
enum LogCommand {
    /// Check the hash chain and every record against it.
    Verify {
        /// A head kept outside the vault, as printed by `rvault log head`: SEQ:HASH.
        #[arg(long)]
        against: Option<String>,
    },
    /// Print the newest event's sequence number and hash (keep it outside the vault).
    Head,
}

fn time_arg(name: &str, value: &str) -> Result<OffsetDateTime, CliError> {
    OffsetDateTime::parse(value, &Rfc3339).map_err(|e| {
        CliError::Usage(format!(
            "--{name} {value:?} is not an RFC 3339 time ({e}), e.g. 2026-11-22T09:00:00+07:00"
        ))
    })
}

fn id_arg(value: &str) -> Result<ResultId, CliError> {
    value
        .parse()
        .map_err(|e: results_vault::FieldError| CliError::Usage(e.to_string()))
}

fn print_json(value: &impl serde::Serialize) {
    println!("{}", serde_json::to_string_pretty(value).unwrap_or_default());
}

pub fn run(args: Args) -> Result<ExitCode, CliError> {
    let open = || {
        Vault::open(
            &args.vault,
            VaultOptions {
                actor: "rvault".into(),
                ..VaultOptions::default()
            },
        )
    };
    match args.command {
        Command::Init => {
            Vault::create(&args.vault, VaultOptions::default())?;
            println!("created {}", args.vault.display());
        }
        Command::Ingest { file, meta } => {
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
            println!(
                "{} {} sha256 {}",
                if done.created { "stored" } else { "already stored" },
                done.record.result_id,
                done.record.content.sha256
            );
        }
        Command::Show { id } => print_json(&open()?.get(&id_arg(&id)?)?),
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
            println!("revoked {}", record.result_id);
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
            print_json(&open()?.find_reusable(query, requester)?);
        }
        Command::Stats { from, to } => print_json(&open()?.stats(time_arg("from", &from)?, time_arg("to", &to)?)?),
        Command::Log {
            command: LogCommand::Head,
        } => match open()?.log_head()? {
            Some(head) => println!("{}:{}", head.seq, head.hash),
            None => println!("0:empty"),
        },
        Command::Log {
            command: LogCommand::Verify { against },
        } => {
            let vault = open()?;
            let report = match against {
                Some(head) => {
                    let bad = || {
                        CliError::Usage(format!(
                            "--against {head:?} is not SEQ:HASH as printed by `rvault log head`"
                        ))
                    };
                    let (seq, hash) = head.split_once(':').ok_or_else(bad)?;
                    let head = results_vault::LogHead {
                        seq: seq.parse().map_err(|_| bad())?,
                        hash: hash.parse().map_err(|_| bad())?,
                    };
                    vault.verify_log_against(&head)?
                }
                None => vault.verify_log()?,
            };
            for p in &report.problems {
                let at = p
                    .seq
                    .map(|s| format!("event {s}"))
                    .or(p.result_id.clone())
                    .unwrap_or_default();
                println!("PROBLEM {at}: {}", p.what);
            }
            println!(
                "{}: {} events, {} records, {} reuses checked, {} problems",
                if report.is_intact() { "INTACT" } else { "TAMPERED" },
                report.events,
                report.records,
                report.reuses,
                report.problem_count
            );
            if !report.is_intact() {
                return Ok(ExitCode::from(1));
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
