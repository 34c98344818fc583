//! SQL for the `reuses` table and the per-agency statistics built on it.

use std::collections::BTreeMap;

use rusqlite::Transaction;

use super::to_ms;
use crate::error::Result;
use crate::record::ResultId;
use crate::reuse::{AgencyStats, Requester};

/// Records that `result_id` was handed to `requester`, as event `event_seq`.
pub(crate) fn insert(
    tx: &Transaction<'_>,
    event_seq: u64,
    result_id: &ResultId,
    at: time::OffsetDateTime,
    requester: &Requester,
) -> Result<()> {
    let mut stmt = tx.prepare_cached(
        "INSERT INTO reuses (event_seq, result_id, at_ms, agency_code, procedure_code, dossier_code, purpose)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?;
    stmt.execute((
        event_seq as i64,
        result_id.as_str(),
        to_ms(at),
        &requester.agency_code,
        &requester.procedure_code,
        &requester.dossier_code,
        &requester.purpose,
    ))?;
    Ok(())
}

/// A stored reuse row, as read.
pub(crate) struct StoredReuse {
    pub event_seq: i64,
    pub result_id: String,
    pub at_ms: i64,
    pub requester: Requester,
}

/// Visits every reuse row in event order.
pub(crate) fn for_each(tx: &Transaction<'_>, mut f: impl FnMut(StoredReuse) -> Result<()>) -> Result<()> {
    let mut stmt = tx.prepare(
        "SELECT event_seq, result_id, at_ms, agency_code, procedure_code, dossier_code, purpose
         FROM reuses ORDER BY event_seq",
    )?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        f(StoredReuse {
            event_seq: r.get(0)?,
            result_id: r.get(1)?,
            at_ms: r.get(2)?,
            requester: Requester {
                agency_code: r.get(3)?,
                procedure_code: r.get(4)?,
                dossier_code: r.get(5)?,
                purpose: r.get(6)?,
            },
        })?;
    }
    Ok(())
}

/// Per-agency figures for `[from, to)`; see [`AgencyStats`] for what each counts.
pub(crate) fn stats(
    tx: &Transaction<'_>,
    from: time::OffsetDateTime,
    to: time::OffsetDateTime,
) -> Result<Vec<AgencyStats>> {
    let (from, to) = (to_ms(from), to_ms(to));
    let mut by_agency: BTreeMap<String, AgencyStats> = BTreeMap::new();
    fn slot(map: &mut BTreeMap<String, AgencyStats>, agency: String) -> &mut AgencyStats {
        map.entry(agency.clone()).or_insert_with(|| AgencyStats {
            agency_code: agency,
            ..AgencyStats::default()
        })
    }

    // Results the agency issued in the window, their dossiers, and how many of those
    // dossiers reused at least one result (a reuse by the same agency for the same
    // dossier, before the window's end).
    let mut issued = tx.prepare(
        "SELECT r.agency_code, count(*), count(DISTINCT r.dossier_code),
                count(DISTINCT CASE WHEN EXISTS (
                    SELECT 1 FROM reuses u
                    WHERE u.agency_code = r.agency_code AND u.dossier_code = r.dossier_code AND u.at_ms < ?2
                ) THEN r.dossier_code END)
         FROM records r WHERE r.result_id >= ?3 AND r.result_id < ?4
                          AND r.ingested_ms >= ?1 AND r.ingested_ms < ?2
         GROUP BY r.agency_code",
    )?;
    // Result ids are ULIDs minted from the ingest time: the time window is an id range.
    let (first_id, end_id) = (ResultId::lowest_at(from), ResultId::lowest_at(to));
    let mut rows = issued.query((from, to, first_id.as_str(), end_id.as_str()))?;
    while let Some(r) = rows.next()? {
        let s = slot(&mut by_agency, r.get(0)?);
        s.results_ingested = r.get::<_, i64>(1)? as u64;
        s.dossiers = r.get::<_, i64>(2)? as u64;
        s.dossiers_with_reuse = r.get::<_, i64>(3)? as u64;
    }

    // Reuse requests the agency made in the window.
    let mut requested = tx.prepare(
        "SELECT agency_code, count(*), count(DISTINCT dossier_code) FROM reuses
         WHERE at_ms >= ?1 AND at_ms < ?2 GROUP BY agency_code",
    )?;
    let mut rows = requested.query((from, to))?;
    while let Some(r) = rows.next()? {
        let s = slot(&mut by_agency, r.get(0)?);
        s.reuses_made = r.get::<_, i64>(1)? as u64;
        s.dossiers_reusing = r.get::<_, i64>(2)? as u64;
    }

    // The agency's own results that others (or itself) reused in the window.
    let mut reused = tx.prepare(
        "SELECT r.agency_code, count(DISTINCT u.result_id) FROM reuses u
         JOIN records r ON r.result_id = u.result_id
         WHERE u.at_ms >= ?1 AND u.at_ms < ?2 GROUP BY r.agency_code",
    )?;
    let mut rows = reused.query((from, to))?;
    while let Some(r) = rows.next()? {
        slot(&mut by_agency, r.get(0)?).results_reused = r.get::<_, i64>(1)? as u64;
    }

    Ok(by_agency
        .into_values()
        .map(|mut s| {
            s.reuse_rate = (s.dossiers > 0).then(|| s.dossiers_with_reuse as f64 / s.dossiers as f64);
            s
        })
        .collect())
}
