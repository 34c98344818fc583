//! SQL of the `pdf_checks` table: the verdict on a signed PDF's embedded signatures, as
//! checked when the PDF was ingested.

use rusqlite::{OptionalExtension, Transaction};

use super::to_ms;
use crate::error::{Error, Result};
use crate::record::ResultId;
use crate::vault::PdfCheck;

pub(crate) fn insert(tx: &Transaction<'_>, id: &ResultId, check: &PdfCheck) -> Result<()> {
    let json = serde_json::to_string(check).map_err(|e| Error::Malformed(e.to_string()))?;
    let indication = check.verdict.as_ref().map(|v| v.indication.as_str());
    tx.execute(
        "INSERT INTO pdf_checks (result_id, checked_ms, indication, check_json) VALUES (?1, ?2, ?3, ?4)",
        rusqlite::params![id.as_str(), to_ms(check.checked_at), indication, json],
    )?;
    Ok(())
}

pub(crate) fn get(tx: &Transaction<'_>, id: &ResultId) -> Result<Option<PdfCheck>> {
    let json: Option<String> = tx
        .query_row(
            "SELECT check_json FROM pdf_checks WHERE result_id = ?1",
            [id.as_str()],
            |r| r.get(0),
        )
        .optional()?;
    json.map(|j| serde_json::from_str(&j).map_err(|e| Error::Malformed(format!("stored PDF check: {e}"))))
        .transpose()
}

/// Visits every stored check: its record and its JSON as stored (for the audit).
pub(crate) fn for_each(tx: &Transaction<'_>, mut f: impl FnMut(String, String) -> Result<()>) -> Result<()> {
    let mut stmt = tx.prepare("SELECT result_id, check_json FROM pdf_checks")?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        let text = |i: usize| {
            r.get_ref(i)
                .ok()
                .and_then(|v| v.as_str().ok())
                .unwrap_or_default()
                .to_owned()
        };
        f(text(0), text(1))?;
    }
    Ok(())
}

/// Whether a check is kept for the record, and the document's indication it kept
/// (`Some(None)`: the PDF did not parse). One point lookup: what a reuse asks of every
/// candidate.
pub(crate) fn kept_indication(tx: &Transaction<'_>, id: &ResultId) -> Result<Option<Option<String>>> {
    let mut stmt = tx.prepare_cached("SELECT indication FROM pdf_checks WHERE result_id = ?1")?;
    Ok(stmt
        .query_row([id.as_str()], |r| Ok(r.get_ref(0)?.as_str().ok().map(str::to_owned)))
        .optional()?)
}
