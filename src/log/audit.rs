//! `rvault log verify`: the chain, and every stored fact a verdict reads against the
//! event that binds it (see [`super::bound`] for the rule of each table).

use std::collections::{HashMap, HashSet};

use serde_json::Value;

use super::{event_hash, record_state, EventKind, LogCheck, LogHead, LogReport, GENESIS};
use crate::error::Result;
use crate::hash::Sha256;
use crate::store;

/// Checks the chain, every record against its last event, and every reuse row against
/// its event, in one read snapshot. With `anchor`, also checks that the event at
/// `anchor.seq` still has `anchor.hash`.
pub(crate) fn verify(tx: &rusqlite::Transaction<'_>, check: &LogCheck) -> Result<LogReport> {
    let anchor = check.against.as_ref();
    let mut report = LogReport {
        events: 0,
        records: 0,
        reuses: 0,
        contents: 0,
        head: None,
        problems: Vec::new(),
        problem_count: 0,
    };
    // Per record: the state its last state-changing event pins, and that event's kind.
    let mut pinned: HashMap<String, (Sha256, EventKind)> = HashMap::new();
    // The previous event's time: the vault never dates an event before the one it follows.
    let mut prev_at_ms = i64::MIN;
    // Reuse events, to be matched with the reuse rows.
    let mut reuse_events: HashMap<u64, (String, serde_json::Value, i64)> = HashMap::new();
    // The trust items the log says are in the store (added and not removed since), with
    // the kind and name their trust_add event gave them.
    let mut trust: HashMap<Sha256, (String, String)> = HashMap::new();
    // The signer rules the log says are in force: rule id -> (agency, rule JSON).
    let mut policy: HashMap<Sha256, (String, Value)> = HashMap::new();
    // The PDF checks the ingest events name, per record.
    let mut pdf_checks: HashMap<String, Sha256> = HashMap::new();
    // The signatures the log says were accepted: (record, SHA-256 of the CMS).
    let mut signed: HashSet<(String, Sha256)> = HashSet::new();
    // Per record: its newest event so far, to check the history links.
    let mut last_event: HashMap<String, i64> = HashMap::new();
    let mut prev = GENESIS;
    let mut expected_seq = 1u64;
    let mut anchor_seen = false;

    store::events::for_each(tx, |e| {
        report.events += 1;
        let seq = e.seq as u64;
        if e.seq < 1 || seq != expected_seq {
            report.problem(
                Some(seq),
                None,
                format!(
                    "sequence jumps from {} to {seq}: events were removed, inserted or reordered",
                    expected_seq - 1
                ),
            );
        }
        expected_seq = seq + 1;
        if e.at_ms < prev_at_ms {
            report.problem(
                Some(seq),
                e.result_id.as_deref(),
                "event is dated before the event it follows: the log was edited",
            );
        }
        prev_at_ms = prev_at_ms.max(e.at_ms);
        let stored_prev = Sha256::from_slice(&e.prev_hash);
        if stored_prev != Some(prev) {
            report.problem(
                Some(seq),
                None,
                "prev_hash does not match the previous event's hash: the chain is broken here",
            );
        }
        let details: serde_json::Value = match serde_json::from_str(&e.details) {
            Ok(d) => d,
            Err(_) => {
                report.problem(Some(seq), e.result_id.as_deref(), "details are not JSON");
                serde_json::Value::Null
            }
        };
        let recomputed = event_hash(
            seq,
            e.at_ms,
            &e.kind,
            &e.actor,
            e.result_id.as_deref(),
            &details,
            &Sha256::from_slice(&e.prev_hash).unwrap_or(GENESIS),
        )?;
        let stored_hash = Sha256::from_slice(&e.hash);
        if stored_hash != Some(recomputed) {
            report.problem(
                Some(seq),
                e.result_id.as_deref(),
                "event was edited: its hash does not match its contents",
            );
        }
        // Continue the chain from the stored hash, so one edit is reported once.
        prev = stored_hash.unwrap_or(recomputed);
        if let Some(a) = anchor {
            if a.seq == seq {
                anchor_seen = true;
                if a.hash != prev {
                    report.problem(
                        Some(seq),
                        None,
                        "event differs from the anchored head kept outside the vault: the log was rewritten",
                    );
                }
            }
        }
        if let Some(id) = &e.result_id {
            if e.record_prev_seq != last_event.insert(id.clone(), e.seq) {
                report.problem(
                    Some(seq),
                    Some(id),
                    "the record's history link does not point to its previous event",
                );
            }
        }
        match e.kind.parse::<EventKind>() {
            Ok(kind) if kind.changes_record() => {
                let state = details
                    .get("state")
                    .and_then(|s| s.as_str())
                    .and_then(|s| s.parse::<Sha256>().ok());
                match (e.result_id, state) {
                    (Some(id), Some(state)) => {
                        if kind == EventKind::Ingest && pinned.contains_key(&id) {
                            report.problem(Some(seq), Some(&id), "a second ingest event for one record");
                        }
                        match pinned.get(&id) {
                            None if kind != EventKind::Ingest => {
                                report.problem(Some(seq), Some(&id), "status change before the record's ingest event")
                            }
                            // Revocation and supersession are final: nothing changes a record after them.
                            Some((_, last @ (EventKind::Revoke | EventKind::Supersede))) => report.problem(
                                Some(seq),
                                Some(&id),
                                format!("a status change after the record's {last}: the log was edited"),
                            ),
                            _ => {}
                        }
                        if kind == EventKind::Ingest {
                            if let Some(check) = details.get("pdf_check") {
                                match check.as_str().and_then(|c| c.parse::<Sha256>().ok()) {
                                    Some(check) => {
                                        pdf_checks.insert(id.clone(), check);
                                    }
                                    None => {
                                        report.problem(Some(seq), Some(&id), "ingest event names a malformed PDF check")
                                    }
                                }
                            }
                        }
                        pinned.insert(id, (state, kind));
                    }
                    (id, _) => report.problem(Some(seq), id.as_deref(), "event lacks its record id or state hash"),
                }
            }
            Ok(kind @ (EventKind::TrustAdd | EventKind::TrustRemove)) => {
                match details
                    .get("sha256")
                    .and_then(|v| v.as_str())
                    .and_then(|v| v.parse::<Sha256>().ok())
                {
                    Some(sha) if kind == EventKind::TrustAdd => {
                        let field = |k: &str| details.get(k).and_then(Value::as_str).unwrap_or_default().to_owned();
                        trust.insert(sha, (field("item"), field("name")));
                    }
                    Some(sha) => {
                        trust.remove(&sha);
                    }
                    None => report.problem(Some(seq), None, "trust event without the item's sha256"),
                }
            }
            Ok(kind @ (EventKind::PolicyAdd | EventKind::PolicyRemove)) => {
                let id = details
                    .get("rule_id")
                    .and_then(|v| v.as_str())
                    .and_then(|v| v.parse::<Sha256>().ok());
                match id {
                    Some(id) if kind == EventKind::PolicyAdd => {
                        let agency = details.get("agency_code").and_then(Value::as_str).unwrap_or_default();
                        let rule = details.get("rule").cloned().unwrap_or_default();
                        policy.insert(id, (agency.to_owned(), rule));
                    }
                    Some(id) => {
                        policy.remove(&id);
                    }
                    None => report.problem(Some(seq), None, "policy event without the rule's id"),
                }
            }
            Ok(EventKind::Sign) => {
                let sha = details
                    .get("signature")
                    .and_then(|v| v.as_str())
                    .and_then(|v| v.parse::<Sha256>().ok());
                match (e.result_id, sha) {
                    (Some(id), Some(sha)) => {
                        if !pinned.contains_key(&id) {
                            report.problem(Some(seq), Some(&id), "signature before the record's ingest event");
                        }
                        if !signed.insert((id.clone(), sha)) {
                            report.problem(Some(seq), Some(&id), "a second sign event for one signature");
                        }
                    }
                    (id, _) => report.problem(
                        Some(seq),
                        id.as_deref(),
                        "sign event lacks its record id or signature hash",
                    ),
                }
            }
            Ok(EventKind::Reuse) => match e.result_id {
                Some(id) => {
                    reuse_events.insert(seq, (id, details, e.at_ms));
                }
                None => report.problem(Some(seq), None, "reuse event without a record id"),
            },
            _ => report.problem(
                Some(seq),
                e.result_id.as_deref(),
                format!("unknown event kind {:?}", e.kind),
            ),
        }
        Ok(())
    })?;
    if report.events > 0 {
        report.head = Some(LogHead {
            seq: expected_seq - 1,
            hash: prev,
        });
    }
    if let Some(a) = anchor {
        if !anchor_seen {
            report.problem(
                Some(a.seq),
                None,
                format!("the anchored head (event {}) is gone: the log was truncated", a.seq),
            );
        }
    }

    store::records::for_each(tx, |record, last, stored_id| {
        report.records += 1;
        let id = record.result_id.as_str();
        if last != last_event.get(id).copied() {
            report.problem(
                None,
                Some(id),
                "the record's history does not start at its newest event",
            );
        }
        if stored_id != id {
            report.problem(None, Some(id), "the record's key is not its id as the vault writes it");
        }
        match pinned.remove(id) {
            None => report.problem(
                None,
                Some(id),
                "record has no ingest event: it was added behind the vault's back",
            ),
            Some((state, _)) if state != record_state(&record)? => report.problem(
                None,
                Some(id),
                "record differs from the state its last event pins: it was changed behind the vault's back",
            ),
            // The status must be what the kind of that event makes it.
            Some((_, kind)) if !status_fits(kind, &record.status) => report.problem(
                None,
                Some(id),
                format!("record's status does not follow from its last event ({kind}): the log was edited"),
            ),
            Some(_) => {}
        }
        Ok(())
    })?;
    let mut missing: Vec<String> = pinned.into_keys().collect();
    missing.sort();
    for id in missing {
        report.problem(
            None,
            Some(&id),
            "the log names a record that is no longer stored: it was deleted behind the vault's back",
        );
    }

    store::reuses::for_each(tx, |row| {
        report.reuses += 1;
        let seq = row.event_seq as u64;
        let matches = reuse_events.remove(&seq).is_some_and(|(id, details, at_ms)| {
            let r = &row.requester;
            id == row.result_id
                && details.get("agency_code").and_then(|v| v.as_str()) == Some(&r.agency_code)
                && details.get("procedure_code").and_then(|v| v.as_str()) == Some(&r.procedure_code)
                && details.get("dossier_code").and_then(|v| v.as_str()) == Some(&r.dossier_code)
                && details.get("purpose").and_then(|v| v.as_str()) == Some(&r.purpose)
                && at_ms == row.at_ms
        });
        if !matches {
            report.problem(
                Some(seq),
                Some(&row.result_id),
                "reuse row does not match its reuse event",
            );
        }
        Ok(())
    })?;
    check_structure(tx, &mut report, check.skip_contents)?;
    if !check.skip_contents {
        report.contents = super::contents::rehash(tx, &mut report)?;
    }
    check_trust(tx, &mut report, trust)?;
    check_policy(tx, &mut report, policy)?;
    check_signatures(tx, &mut report, signed)?;
    check_pdf_checks(tx, &mut report, pdf_checks)?;
    let mut orphans: Vec<u64> = reuse_events.into_keys().collect();
    orphans.sort();
    for seq in orphans {
        report.problem(
            Some(seq),
            None,
            "reuse event has no reuse row: it was deleted behind the vault's back",
        );
    }
    Ok(report)
}

/// Every trust item against the trust_add event that brought it in: its bytes, its kind
/// and its name (an intermediate relabelled as an anchor is a trust change the log never
/// recorded).
fn check_trust(
    tx: &rusqlite::Transaction<'_>,
    report: &mut LogReport,
    mut trust: HashMap<Sha256, (String, String)>,
) -> Result<()> {
    store::trust::for_each_row(tx, |recorded, actual, kind, name| {
        if recorded != Some(actual) {
            report.problem(
                None,
                None,
                format!("trust item {actual} was edited behind the vault's back"),
            );
            return Ok(());
        }
        match trust.remove(&actual) {
            None => report.problem(None, None, format!("trust item {actual} was added behind the vault's back")),
            Some((logged_kind, _)) if logged_kind != kind => report.problem(
                None,
                None,
                format!("trust item {actual} is stored as {kind:?} but was added as {logged_kind:?}: relabelled behind the vault's back"),
            ),
            Some((_, logged_name)) if logged_name != name => report.problem(
                None,
                None,
                format!("trust item {actual} was renamed behind the vault's back"),
            ),
            Some(_) => {}
        }
        Ok(())
    })?;
    let mut gone: Vec<Sha256> = trust.into_keys().collect();
    gone.sort();
    for sha in gone {
        report.problem(
            None,
            None,
            format!("trust item {sha} was removed behind the vault's back"),
        );
    }
    Ok(())
}

/// Every signer rule against the policy_add event that brought it in: its id, agency and
/// rule (a rule widened in the file is a policy change the log never recorded).
fn check_policy(
    tx: &rusqlite::Transaction<'_>,
    report: &mut LogReport,
    mut policy: HashMap<Sha256, (String, Value)>,
) -> Result<()> {
    for row in store::signer_rules::all(tx)? {
        let Some(id) = row.rule_id else {
            report.problem(
                None,
                None,
                "a signer rule's id is not 32 bytes: edited behind the vault's back",
            );
            continue;
        };
        let stored: Option<Value> = serde_json::from_str(&row.rule).ok();
        let recomputed = stored.as_ref().and_then(|rule| {
            super::jcs(&serde_json::json!({ "agency_code": row.agency_code, "rule": rule }))
                .ok()
                .map(|j| Sha256::of(&j))
        });
        match policy.remove(&id) {
            None => report.problem(
                None,
                None,
                format!("signer rule {id} was added behind the vault's back"),
            ),
            Some(_) if recomputed != Some(id) => report.problem(
                None,
                None,
                format!("signer rule {id} was edited behind the vault's back"),
            ),
            Some((agency, rule)) if agency != row.agency_code || Some(&rule) != stored.as_ref() => report.problem(
                None,
                None,
                format!("signer rule {id} is not the rule its policy_add event names"),
            ),
            Some(_) => {}
        }
    }
    let mut gone: Vec<Sha256> = policy.into_keys().collect();
    gone.sort();
    for id in gone {
        report.problem(
            None,
            None,
            format!("signer rule {id} was removed behind the vault's back"),
        );
    }
    Ok(())
}

/// Every signature row against the sign event it names (see [`super::bound`]), and every
/// completed signing session against the signature it produced.
fn check_signatures(
    tx: &rusqlite::Transaction<'_>,
    report: &mut LogReport,
    mut signed: HashSet<(String, Sha256)>,
) -> Result<()> {
    let mut by_session: HashMap<String, i64> = HashMap::new();
    store::signatures::for_each_row(tx, None, |row| {
        let actual = Sha256::of(&row.cms);
        if let Some(why) = super::bound::signature_mismatch(&row) {
            report.problem(
                row.event.as_ref().and_then(|e| u64::try_from(e.seq).ok()),
                Some(&row.result_id),
                format!("signature {actual} was edited behind the vault's back: {why}"),
            );
        }
        if !signed.remove(&(row.result_id.clone(), actual)) && row.sha256 == Some(actual) {
            report.problem(
                None,
                Some(&row.result_id),
                format!("signature {actual} was added behind the vault's back"),
            );
        }
        if let Some(session) = row.session_id.filter(|_| row.source == "session") {
            by_session.insert(session, row.id);
        }
        Ok(())
    })?;
    let mut unsigned: Vec<(String, Sha256)> = signed.into_iter().collect();
    unsigned.sort();
    for (id, sha) in unsigned {
        report.problem(
            None,
            Some(&id),
            format!("signature {sha} was removed behind the vault's back"),
        );
    }
    store::signatures::for_each_session(tx, |session_id, result_id, state, signature_id| {
        let produced = by_session.remove(&session_id);
        let consistent = match state.as_str() {
            "completed" => produced.is_some() && produced == signature_id,
            "open" | "cancelled" => produced.is_none() && signature_id.is_none(),
            _ => false,
        };
        if !consistent {
            report.problem(
                None,
                Some(&result_id),
                format!("signing session {session_id} does not match the signature it produced: changed behind the vault's back"),
            );
        }
        Ok(())
    })?;
    let mut orphans: Vec<String> = by_session.into_keys().collect();
    orphans.sort();
    for session_id in orphans {
        report.problem(
            None,
            None,
            format!("a signature names signing session {session_id}, which is gone: changed behind the vault's back"),
        );
    }
    Ok(())
}

/// Every PDF check against the ingest event that named it.
fn check_pdf_checks(
    tx: &rusqlite::Transaction<'_>,
    report: &mut LogReport,
    mut named: HashMap<String, Sha256>,
) -> Result<()> {
    store::pdf_checks::for_each(tx, |result_id, json| {
        match named.remove(&result_id) {
            Some(digest) if digest == Sha256::of(json.as_bytes()) => {}
            Some(_) => report.problem(
                None,
                Some(&result_id),
                "the PDF check differs from the one its ingest event names: changed behind the vault's back",
            ),
            None => report.problem(
                None,
                Some(&result_id),
                "a PDF check no ingest event names: added behind the vault's back",
            ),
        }
        Ok(())
    })?;
    let mut gone: Vec<String> = named.into_keys().collect();
    gone.sort();
    for id in gone {
        report.problem(
            None,
            Some(&id),
            "the PDF check its ingest event names is gone: deleted behind the vault's back",
        );
    }
    Ok(())
}

/// Whether `status` is what an event of `kind` leaves a record in.
fn status_fits(kind: EventKind, status: &crate::record::LegalStatus) -> bool {
    use crate::record::LegalStatus;
    matches!(
        (kind, status),
        (EventKind::Ingest, LegalStatus::Active)
            | (EventKind::Revoke, LegalStatus::Revoked { .. })
            | (EventKind::Supersede, LegalStatus::Superseded { .. })
    )
}

/// The file's structure: its schema exactly the vault's (no planted trigger, view or
/// index), and every table's indexes agreeing with the table (verdicts look rows up through
/// indexes while this audit scans tables, so a stale index could hide a row from one and
/// not the other). The contents table, the bulk of the file, only when contents are checked.
fn check_structure(tx: &rusqlite::Transaction<'_>, report: &mut LogReport, skip_contents: bool) -> Result<()> {
    for difference in store::schema::schema_differences(tx)? {
        report.problem(None, None, format!("the vault's schema was changed: {difference}"));
    }
    let tables: Vec<String> = {
        let mut stmt =
            tx.prepare("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")?;
        let names = stmt.query_map([], |r| r.get(0))?;
        names.collect::<rusqlite::Result<_>>()?
    };
    for table in tables.iter().filter(|t| !(skip_contents && *t == "contents")) {
        let mut stmt = tx.prepare("SELECT * FROM pragma_integrity_check(?1)")?;
        let lines = stmt.query_map([table], |r| r.get::<_, String>(0))?;
        for line in lines {
            let line = line?;
            if line != "ok" {
                report.problem(None, None, format!("the table {table} is inconsistent: {line}"));
            }
        }
    }
    Ok(())
}
