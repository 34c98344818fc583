//! `rvault show ID` (the record with its evidence) and `rvault history ID` (its audit events).

use results_vault::redact::mask_personal_ids;
use results_vault::{Event, EventKind, Indication, Record, ResultId, SignatureSource, SubIndication, Vault};
use serde::Serialize;
use serde_json::Value;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

use crate::error::CliError;

fn rfc3339(t: OffsetDateTime) -> String {
    t.format(&Rfc3339).unwrap_or_default()
}

/// An event's time in UTC, to the millisecond the log keeps, always three digits so
/// that the lines of `history` align: `2026-11-20T03:00:00.120Z` (RFC 3339).
fn event_time(t: OffsetDateTime) -> String {
    let format =
        time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z");
    t.to_offset(time::UtcOffset::UTC).format(&format).unwrap_or_default()
}

/// The record as JSON, as `show` always printed it (same fields, same order), with two
/// more fields after its own: `signatures` and `pdf_check`.
#[derive(Serialize)]
pub struct ShownRecord {
    #[serde(flatten)]
    record: Record,
    signatures: Vec<ShownSignature>,
    /// `null` when no check was made (not a PDF, or ingested without one).
    pdf_check: Option<ShownPdfCheck>,
}

/// A signature the vault accepted: its hashes, how it came, its proof of existence and
/// the verdict that let it in (the CMS itself is in `rvault export`).
#[derive(Serialize)]
struct ShownSignature {
    sha256: String,
    signer_certificate: String,
    /// The signer's name, personal IDs masked (`UID=CCCD:**********67`), as `verify` shows it.
    signer: Option<String>,
    source: SignatureSource,
    proof_of_existence: String,
    event_seq: u64,
    acceptance: Acceptance,
}

#[derive(Serialize)]
struct Acceptance {
    indication: Indication,
    sub_indication: Option<SubIndication>,
}

/// The check of the PDF's embedded signatures made at ingest.
#[derive(Serialize)]
struct ShownPdfCheck {
    checked_at: String,
    /// `null` when the file could not be read as a PDF (then `problem` says why).
    indication: Option<Indication>,
    sub_indication: Option<SubIndication>,
    revisions: Option<usize>,
    problem: Option<String>,
    signatures: Vec<ShownPdfSignature>,
}

#[derive(Serialize)]
struct ShownPdfSignature {
    field: String,
    sub_filter: String,
    indication: Indication,
    sub_indication: Option<SubIndication>,
    signer: Option<String>,
    signing_time: Option<String>,
    covers_whole_file: bool,
    modified_after_signing: bool,
    changes_after_signing: Vec<String>,
    certification: Option<u8>,
}

/// `rvault show ID`: the record, its signatures and its PDF check.
pub fn shown_record(vault: &Vault, id: &ResultId) -> Result<ShownRecord, CliError> {
    let record = vault.get(id)?;
    let signatures = vault
        .signatures(id)?
        .into_iter()
        .map(|s| ShownSignature {
            sha256: s.sha256.to_hex(),
            signer_certificate: s.signer_certificate.to_hex(),
            signer: s.acceptance.signer.as_ref().map(|c| mask_personal_ids(&c.subject)),
            source: s.source,
            proof_of_existence: rfc3339(s.proof_of_existence),
            event_seq: s.event_seq,
            acceptance: Acceptance {
                indication: s.acceptance.indication,
                sub_indication: s.acceptance.sub_indication,
            },
        })
        .collect();
    let pdf_check = vault.pdf_check(id)?.map(|check| ShownPdfCheck {
        checked_at: rfc3339(check.checked_at),
        indication: check.verdict.as_ref().map(|v| v.indication),
        sub_indication: check.verdict.as_ref().and_then(|v| v.sub_indication),
        revisions: check.verdict.as_ref().map(|v| v.revisions),
        problem: check.problem,
        signatures: check.verdict.map_or(Vec::new(), |v| {
            v.signatures
                .into_iter()
                .map(|s| ShownPdfSignature {
                    indication: s.verdict.indication,
                    sub_indication: s.verdict.sub_indication,
                    signer: s.verdict.signer.as_ref().map(|c| mask_personal_ids(&c.subject)),
                    signing_time: s.verdict.claimed_signing_time.or(s.claimed_time),
                    field: s.field,
                    sub_filter: s.sub_filter,
                    covers_whole_file: s.covers_whole_file,
                    modified_after_signing: s.modified_after_signing,
                    changes_after_signing: s.changes_after_signing,
                    certification: s.certification,
                })
                .collect()
        }),
    });
    Ok(ShownRecord {
        record,
        signatures,
        pdf_check,
    })
}

/// `rvault history ID`: one line per event, oldest first (`--json`: the events as the
/// log holds them, one JSON object a line).
pub fn print(vault: &Vault, id: &ResultId, json: bool) -> Result<(), CliError> {
    for event in vault.history(id)? {
        if json {
            outln!("{}", serde_json::to_string(&event).unwrap_or_default())?;
        } else {
            outln!(
                "{}  {}  {:<9}  {}  {}",
                event.seq,
                event_time(event.at),
                event.kind.as_str(),
                mask_personal_ids(&event.actor),
                summary(&event)
            )?;
        }
    }
    Ok(())
}

/// What an event's details say, in a few words. Hashes and result ids are shown whole;
/// the text people typed (reasons, purposes, codes) with any personal ID masked.
fn summary(event: &Event) -> String {
    let d = &event.details;
    let text = |key: &str| mask_personal_ids(d.get(key).and_then(Value::as_str).unwrap_or("?"));
    let hash = |key: &str| d.get(key).and_then(Value::as_str).unwrap_or("?").to_owned();
    match event.kind {
        EventKind::Ingest => {
            let pdf = if d.get("pdf_check").is_some_and(|c| !c.is_null()) {
                "; PDF check kept (see `rvault show`)"
            } else {
                ""
            };
            format!("stored, content sha256 {}{pdf}", hash("sha256"))
        }
        EventKind::Revoke => format!("decision {}: {}", text("decision_ref"), text("reason")),
        EventKind::Supersede => format!(
            "replaced by {}; decision {}: {}",
            hash("replaced_by"),
            text("decision_ref"),
            text("reason")
        ),
        EventKind::Sign => {
            let session = match d.get("session_id").and_then(Value::as_str) {
                Some(session) => format!(" {session}"),
                None => String::new(),
            };
            format!(
                "signature {} by certificate {} ({}{session})",
                hash("signature"),
                hash("signer_certificate"),
                text("source")
            )
        }
        EventKind::Reuse => format!(
            "for dossier {}, procedure {}: {}",
            text("dossier_code"),
            text("procedure_code"),
            text("purpose")
        ),
        // Not about one record; any other kind a newer vault writes: its fields as they are.
        _ => mask_personal_ids(&d.to_string()),
    }
}
