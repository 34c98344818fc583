//! Verifying a signed PDF (PAdES, ETSI EN 319 142-1): every signature's CMS through the
//! verification engine, with the PDF facts added — what its ByteRange covers, what later
//! updates changed, and the certification (DocMDP) level — in the same verdict vocabulary
//! as the vault's own signatures.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::archive::{
    covering, earliest, level, order_failure, parse_time, proof_of, summaries, DocumentStamp, FileFacts,
};
use super::changes::{Analysis, Level};
use super::coverage::{self, Coverage, SignedRange};
use super::dss;
use super::object::{ObjId, Object};
use super::revision::Document;
use super::signature::{find_signatures, form_fields, FieldLock, FormField, FoundSignature, SignatureKind};
use super::PdfError;
use crate::verify::levels::{TimestampKind, TimestampSummary};
use crate::verify::signature::{
    rfc3339, undecided, verify_detached_parts_claimed, Policy, SignatureVerdict, ValidationContext,
};
use crate::verify::timestamp::verify_timestamp_token_parts;
use crate::verify::verdict::{Indication, SubIndication};

/// One signature of a PDF, as verified.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PdfSignature {
    /// The signature field's fully qualified name.
    pub field: String,
    /// `signature`, or `document_timestamp` (PAdES-LTA).
    pub kind: String,
    /// `/SubFilter`: `adbe.pkcs7.detached`, `ETSI.CAdES.detached`, `ETSI.RFC3161`…
    pub sub_filter: String,
    /// `/M`, the signing time the PDF claims (RFC 3339), when it parses.
    pub claimed_time: Option<String>,
    /// `/Reason`, as the signer wrote it.
    pub reason: Option<String>,
    /// `/Location`, as the signer wrote it.
    pub location: Option<String>,
    /// The revision the signature ends (0-based), when its ByteRange is sound.
    pub signed_revision: Option<usize>,
    /// The ByteRange covers the whole file (but the signature value).
    pub covers_whole_file: bool,
    /// What is wrong with the ByteRange, if anything (the signature then FAILED).
    pub coverage_problem: Option<String>,
    /// A later update changed more than the allow-list (and the certification) permits.
    pub modified_after_signing: bool,
    /// What later updates did, in words.
    pub changes_after_signing: Vec<String>,
    /// The DocMDP level (1 no changes, 2 form filling and signing, 3 also annotations) of
    /// a certification signature.
    pub certification: Option<u8>,
    /// The verdict, with the PDF facts folded in.
    pub verdict: SignatureVerdict,
}

/// A PDF's signatures and the overall answer.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PdfVerdict {
    /// Revisions (the original and each incremental update).
    pub revisions: usize,
    /// Every signature and document timestamp, in the order they were made.
    pub signatures: Vec<PdfSignature>,
    /// The worst signature's indication; INDETERMINATE / SIGNED_DATA_NOT_FOUND if none.
    pub indication: Indication,
    /// Why, unless PASSED.
    pub sub_indication: Option<SubIndication>,
}

/// What later incremental updates a signature tolerates before it is no longer PASSED.
///
/// Either way, changes that are no form filling, signing, validation data or annotation
/// (page content, pages, resources, a re-pointed object…) fail the signature, and a
/// certification's DocMDP level is enforced (ISO 32000-1 §12.8.2.2).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangePolicy {
    /// The default: after any signature, only what DocMDP P=2 permits — filling in form
    /// fields, signing, adding validation data (DSS) and document timestamps. An
    /// annotation added after signing (a comment, a stamp, a box drawn over an amount)
    /// fails the signature, with the change named: an officer cannot tell an overlay from
    /// the signed text.
    #[default]
    Strict,
    /// ISO 32000's reading: after an approval signature, and under a certification with
    /// P=3, annotations may also be added, changed or deleted; the signature stays PASSED
    /// and the annotations are listed in `changes_after_signing`.
    Iso,
}

/// Whether `data` looks like a PDF (its header within the first KiB).
pub fn is_pdf(data: &[u8]) -> bool {
    data[..data.len().min(1024)].windows(5).any(|w| w == b"%PDF-")
}

/// Verifies every signature of the PDF in `data` under the default [`ChangePolicy::Strict`].
/// `ctx` gives the trust material and the validation time; its policy is replaced per
/// signature by the one its `/SubFilter` asks for. A PDF that cannot be parsed at all is an
/// error; everything else is a verdict.
pub fn verify_pdf(data: &[u8], ctx: &ValidationContext<'_>) -> Result<PdfVerdict, PdfError> {
    verify_pdf_with(data, ctx, ChangePolicy::Strict)
}

/// As [`verify_pdf`], with the changes after signing judged under `changes`.
pub fn verify_pdf_with(
    data: &[u8],
    ctx: &ValidationContext<'_>,
    changes: ChangePolicy,
) -> Result<PdfVerdict, PdfError> {
    let _work = crate::verify::budget::WorkScope::enter(); // one work budget for all the signatures (issue 17)
    let doc = Document::parse(data)?;
    let analysis = Analysis::new(&doc);
    let rules = Rules {
        analysis: &analysis,
        policy: changes,
    };
    if doc
        .revisions
        .iter()
        .any(|r| !matches!(r.trailer.get(b"Encrypt"), None | Some(Object::Null)))
    {
        return Err(PdfError::Unsupported("encrypted PDF".into()));
    }
    let found = find_signatures(&doc)?;
    // An unreadable last revision has no certification to speak of: its changes fail
    // every signature anyway.
    // What each signature's ByteRange covers, checked once.
    let ranges: Vec<Result<SignedRange, String>> = found.iter().map(|s| coverage::check(&doc, s)).collect();
    let certification = certification(&doc, &found, &ranges).ok().flatten();
    // Every ByteRange starts at 0: one hash pass, kept at each signature's hole, serves
    // them all (a B-LTA file is hashed about once, not once per signature).
    let cuts = ranges.iter().flatten().map(|r| r.first.end).collect();
    let _one_pass = crate::verify::prefix_digest::PrefixScope::enter(doc.data, cuts);
    // The validation data the file carries (every revision's DSS), beside the caller's.
    let carried = dss::read(&doc)?;
    let (intermediates, evidence);
    let ctx = &if carried.certificates.is_empty() && carried.revocation.is_empty() {
        ctx.clone()
    } else {
        intermediates = [ctx.intermediates, &carried.certificates].concat();
        evidence = [ctx.crls, &carried.revocation].concat();
        ValidationContext {
            intermediates: &intermediates,
            crls: &evidence,
            ..ctx.clone()
        }
    };
    let revision_of = |i: usize| ranges[i].as_ref().ok().map(|r| r.revision);
    // Document timestamps first (PAdES-LTA), the latest first: each is judged at the
    // earliest genTime of the later ones that passed (an archive renewal proves the
    // earlier timestamp existed before its TSA's key could leak), the latest at the
    // caller's proof of existence or now. One that passes proves that the revisions it
    // covers, and the signatures in them, existed at its genTime.
    let mut order: Vec<usize> = (0..found.len())
        .filter(|&i| found[i].kind == SignatureKind::DocTimeStamp)
        .collect();
    order.sort_by_key(|&i| std::cmp::Reverse(revision_of(i)));
    // A timestamp over data that holds one with a later genTime contradicts it: it gives
    // no proof of existence (INDETERMINATE / TIMESTAMP_ORDER_FAILURE) and the chain is
    // judged again without it; the earlier one stands on its own.
    let mut contradicted: Vec<usize> = Vec::new();
    let (mut checked, stamps) = loop {
        let mut checked: Vec<Option<PdfSignature>> = vec![None; found.len()];
        let mut stamps: Vec<DocumentStamp> = Vec::new();
        let mut contradiction = None;
        for &i in &order {
            let covering = covering(&stamps, revision_of(i));
            let ctx = ValidationContext {
                proof_of_existence: earliest(proof_of(&covering), ctx.proof_of_existence),
                ..ctx.clone()
            };
            let mut out = verify_one(&doc, &found[i], &ranges[i], certification, &rules, &ctx)?;
            let gen_time = out.verdict.claimed_signing_time.as_deref().and_then(parse_time);
            if contradicted.contains(&i) {
                out.verdict = order_failure(out.verdict, "a timestamp earlier in the file claims a later time");
            } else if let Some(later) = covering
                .iter()
                .find(|s| s.proven.is_some() && gen_time.is_some_and(|g| s.gen_time.is_some_and(|t| t < g)))
            {
                contradiction = Some(later.index);
                break;
            }
            out.verdict.timestamps = summaries(&covering);
            crate::verify::levels::mark_proof_used(&mut out.verdict);
            stamps.push(DocumentStamp {
                index: i,
                revision: revision_of(i),
                gen_time,
                proven: match (out.verdict.indication, out.signed_revision) {
                    (Indication::Passed, Some(_)) => out.verdict.proof_of_existence.as_deref().and_then(parse_time),
                    _ => None,
                },
                summary: TimestampSummary {
                    kind: TimestampKind::DocumentTimestamp,
                    field: Some(out.field.clone()),
                    gen_time: out.verdict.claimed_signing_time.clone(),
                    proves: match out.verdict.indication {
                        Indication::Passed => out.verdict.proof_of_existence.clone(),
                        _ => None,
                    },
                    tsa: out.verdict.signer.as_ref().map(|s| s.subject.clone()),
                    indication: out.verdict.indication,
                    sub_indication: out.verdict.sub_indication,
                    detail: out.verdict.detail.clone(),
                    proof_used: false,
                },
            });
            checked[i] = Some(out);
        }
        match contradiction {
            // Each round distrusts one more timestamp: at most one round per timestamp.
            Some(later) if !contradicted.contains(&later) => contradicted.push(later),
            _ => break (checked, stamps),
        }
    };
    let mut signatures = Vec::with_capacity(found.len());
    for (i, signature) in found.iter().enumerate() {
        let out = match checked[i].take() {
            Some(out) => out,
            None => {
                let covering = covering(&stamps, revision_of(i));
                let ctx = ValidationContext {
                    proof_of_existence: earliest(proof_of(&covering), ctx.proof_of_existence),
                    ..ctx.clone()
                };
                let mut out = verify_one(&doc, signature, &ranges[i], certification, &rules, &ctx)?;
                // A document timestamp over this signature may not claim a time before its
                // signature timestamp's.
                let stamped_later = out
                    .verdict
                    .timestamps
                    .iter()
                    .filter(|t| t.indication == Indication::Passed)
                    .any(|t| {
                        let at = t.gen_time.as_deref().and_then(parse_time);
                        covering
                            .iter()
                            .any(|s| s.proven.is_some() && s.gen_time.zip(at).is_some_and(|(d, a)| d < a))
                    });
                if stamped_later && out.verdict.indication != Indication::Failed {
                    out.verdict = order_failure(
                        out.verdict,
                        "a document timestamp over this signature claims an earlier time than its signature timestamp",
                    );
                }
                let file = FileFacts {
                    doc: &doc,
                    signature,
                    range: &ranges[i],
                    certification,
                    rules: &rules,
                    carried: &carried,
                };
                level(&mut out, &covering, &file, &ctx)?;
                out
            }
        };
        signatures.push(out);
    }
    let (indication, sub_indication) = overall(&signatures);
    Ok(PdfVerdict {
        revisions: doc.revisions.len(),
        signatures,
        indication,
        sub_indication,
    })
}

fn overall(signatures: &[PdfSignature]) -> (Indication, Option<SubIndication>) {
    if signatures.is_empty() {
        return (Indication::Indeterminate, Some(SubIndication::SignedDataNotFound));
    }
    for wanted in [Indication::Failed, Indication::Indeterminate] {
        if let Some(s) = signatures.iter().find(|s| s.verdict.indication == wanted) {
            return (wanted, s.verdict.sub_indication);
        }
    }
    (Indication::Passed, None)
}

/// A certification signature: which one, its DocMDP level, the revision it signs.
#[derive(Clone, Copy)]
pub(super) struct Certification {
    value: ObjId,
    level: u8,
    revision: Option<usize>,
}

/// The certification: the signature the catalog's `/Perms /DocMDP` names, and its level.
fn certification(
    doc: &Document<'_>,
    found: &[FoundSignature],
    ranges: &[Result<SignedRange, String>],
) -> Result<Option<Certification>, PdfError> {
    let catalog = doc.catalog(doc.last())?;
    let perms = doc.dict(doc.last(), catalog.get(b"Perms"))?;
    let Some(certifying) = perms.and_then(|p| p.reference(b"DocMDP")) else {
        return Ok(None);
    };
    let Some(i) = found.iter().position(|s| s.value == certifying) else {
        return Ok(None);
    };
    Ok(Some(Certification {
        value: found[i].value,
        level: found[i].docmdp(doc)?.unwrap_or(2),
        revision: ranges[i].as_ref().ok().map(|r| r.revision),
    }))
}

/// The highest change level a certification at `p` permits (§12.8.2.2, table 254).
fn permitted(p: u8) -> Level {
    match p {
        1 => Level::Lta,
        2 => Level::FormFilling,
        _ => Level::Annotations,
    }
}

fn failed(mut verdict: SignatureVerdict, sub: SubIndication, detail: String) -> SignatureVerdict {
    verdict.indication = Indication::Failed;
    verdict.sub_indication = Some(sub);
    verdict.detail = detail;
    verdict
}

/// How the changes after each signature are judged: one analysis per document.
pub(super) struct Rules<'r, 'd, 'a> {
    analysis: &'r Analysis<'d, 'a>,
    policy: ChangePolicy,
}

pub(super) fn verify_one(
    doc: &Document<'_>,
    signature: &FoundSignature,
    range: &Result<SignedRange, String>,
    certification: Option<Certification>,
    rules: &Rules<'_, '_, '_>,
    ctx: &ValidationContext<'_>,
) -> Result<PdfSignature, PdfError> {
    let sub_filter = signature.sub_filter();
    let policy = match (signature.kind, sub_filter.as_str()) {
        (SignatureKind::Signature, "ETSI.CAdES.detached") => Some(Policy::pades_baseline()),
        (SignatureKind::Signature, "adbe.pkcs7.detached") => Some(Policy::pades_pkcs7()),
        (SignatureKind::DocTimeStamp, "ETSI.RFC3161") => Some(Policy {
            name: "results-vault/pades-document-timestamp".into(),
            ..ctx.policy.clone()
        }),
        _ => None,
    };
    let default_policy = Policy::pades_pkcs7();
    let ctx = ValidationContext {
        policy: policy.as_ref().unwrap_or(&default_policy),
        all_signers: false,
        ..ctx.clone()
    };
    let claimed = signature.text(b"M").and_then(|m| pdf_date(&m));
    let mut out = PdfSignature {
        field: signature.field_name.clone(),
        kind: match signature.kind {
            SignatureKind::Signature => "signature",
            SignatureKind::DocTimeStamp => "document_timestamp",
        }
        .into(),
        sub_filter: sub_filter.clone(),
        claimed_time: claimed.map(rfc3339),
        reason: signature.text(b"Reason"),
        location: signature.text(b"Location"),
        signed_revision: None,
        covers_whole_file: false,
        coverage_problem: None,
        modified_after_signing: false,
        changes_after_signing: Vec::new(),
        certification: certification.filter(|c| c.value == signature.value).map(|c| c.level),
        verdict: undecided(&ctx),
    };
    if let Some(problem) = signature.problems.first() {
        out.verdict = failed(out.verdict, SubIndication::FormatFailure, problem.clone());
        return Ok(out);
    }
    let range = match range {
        Ok(range) => *range,
        Err(problem) => {
            out.coverage_problem = Some(problem.clone());
            out.verdict = failed(out.verdict, SubIndication::FormatFailure, problem.clone());
            return Ok(out);
        }
    };
    out.signed_revision = Some(range.revision);
    out.covers_whole_file = range.coverage == Coverage::WholeFile;

    if policy.is_none() {
        // adbe.pkcs7.sha1, adbe.x509.rsa_sha1 (SHA-1 era formats) and anything unknown.
        let why = format!("the signature format /SubFilter /{sub_filter} is not accepted");
        out.verdict = failed(out.verdict, SubIndication::FormatFailure, why);
        return Ok(out);
    }
    let cms = signature.contents().map(|c| c.bytes.as_slice()).unwrap_or_default();
    let parts = [
        &doc.data[range.first.start..range.first.end],
        &doc.data[range.second.start..range.second.end],
    ];
    let mut verdict = match signature.kind {
        SignatureKind::DocTimeStamp => verify_timestamp_token_parts(cms, &parts, &ctx),
        SignatureKind::Signature => verify_detached_parts_claimed(cms, &parts, &ctx, claimed)
            .into_iter()
            .next()
            .unwrap_or_else(|| undecided(&ctx)),
    };
    if verdict.claimed_signing_time.is_none() {
        verdict.claimed_signing_time = out.claimed_time.clone();
    }

    let changes = rules.analysis.after(range.revision)?;
    out.changes_after_signing = changes.described.clone();
    let mut too_much = changes.level == Level::Other;
    if rules.policy == ChangePolicy::Strict && changes.level >= Level::Annotations {
        too_much = true;
        out.changes_after_signing.push(
            "annotations were added or changed after this signature: the default (strict) policy permits after \
             a signature only form filling, signing, validation data and document timestamps"
                .into(),
        );
    }
    if let Some(Certification { level: p, revision, .. }) = certification {
        if revision.is_some_and(|c| c <= range.revision) && changes.level > permitted(p) {
            too_much = true;
            out.changes_after_signing.push(format!(
                "the document is certified with DocMDP level {p}, which does not permit these changes"
            ));
        }
    }
    // PDF 2.0: a field lock may also restrict the whole document after this signature.
    if let Some(p) = signature.lock_permissions(doc).ok().flatten() {
        if changes.level > permitted(p) {
            too_much = true;
            out.changes_after_signing.push(format!(
                "this signature's field lock (PDF 2.0 /P {p}) does not permit these changes"
            ));
        }
    }
    // FieldMDP: fields this signature locked must keep their values.
    let locks = signature.field_locks(doc).unwrap_or_default();
    if !locks.is_empty() && !changes.filled_fields.is_empty() {
        let names = form_fields(doc, doc.last()).unwrap_or_default();
        let broken = locked_fields_changed(&names, &changes.filled_fields, &locks);
        too_much |= !broken.is_empty();
        out.changes_after_signing.extend(broken);
    }
    if too_much {
        out.modified_after_signing = true;
        let detail = format!("changed after signing: {}", out.changes_after_signing.join("; "));
        verdict = failed(verdict, SubIndication::HashFailure, detail);
    }
    out.verdict = verdict;
    Ok(out)
}

/// What `filled` (fields whose values changed) does to the fields `locks` protect, in
/// words. A field's value is inherited by its kids (§12.7.3.1): changing it changes every
/// field below it. A field the form does not name cannot be shown to be outside the lock.
fn locked_fields_changed(names: &[FormField], filled: &[ObjId], locks: &[FieldLock]) -> Vec<String> {
    let mut broken = Vec::new();
    for id in filled {
        let Some(name) = names.iter().find(|f| f.id == Some(*id)).map(|f| f.name.as_str()) else {
            broken.push(format!(
                "form field {}, which the form does not list, was changed under this signature's field lock (FieldMDP)",
                id.num
            ));
            continue;
        };
        let below = format!("{name}.");
        let mut affected = names
            .iter()
            .map(|f| f.name.as_str())
            .filter(|n| *n == name || n.starts_with(&below));
        if let Some(locked) = affected.find(|n| locks.iter().any(|l| l.locks(n))) {
            broken.push(format!(
                "form field {locked:?}, locked by this signature (FieldMDP), was changed"
            ));
        }
    }
    broken
}

/// A PDF date (§7.9.4): `D:YYYYMMDDHHmmSSOHH'mm'`, every part after the year optional.
pub(crate) fn pdf_date(text: &str) -> Option<OffsetDateTime> {
    let s = text.trim().strip_prefix("D:").unwrap_or(text.trim());
    let digits = |from: usize, len: usize, default: u8| -> Option<u8> {
        match s.get(from..from + len) {
            Some(part) if part.bytes().all(|b| b.is_ascii_digit()) => part.parse().ok(),
            Some(_) => None,
            None => Some(default),
        }
    };
    let year: i32 = s.get(0..4)?.parse().ok()?;
    let month = time::Month::try_from(digits(4, 2, 1)?).ok()?;
    let date = time::Date::from_calendar_date(year, month, digits(6, 2, 1)?).ok()?;
    let clock = time::Time::from_hms(digits(8, 2, 0)?, digits(10, 2, 0)?, digits(12, 2, 0)?).ok()?;
    let offset = match s.get(14..15) {
        None | Some("Z") => time::UtcOffset::UTC,
        Some(sign @ ("+" | "-")) => {
            let hours = digits(15, 2, 0)? as i8;
            let minutes = s.get(17..).map(|r| r.trim_matches('\'')).filter(|r| !r.is_empty());
            let minutes: i8 = minutes.map_or(Some(0), |m| m.get(0..2)?.parse().ok())?;
            let (h, m) = if sign == "-" {
                (-hours, -minutes)
            } else {
                (hours, minutes)
            };
            time::UtcOffset::from_hms(h, m, 0).ok()?
        }
        Some(_) => return None,
    };
    Some(date.with_time(clock).assume_offset(offset))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field(num: u32, name: &str) -> FormField {
        FormField {
            id: Some(ObjId { num, gen: 0 }),
            name: name.into(),
            field_type: Some(b"Tx".to_vec()),
            dict: Default::default(),
        }
    }

    /// A lock on `form.amount` is broken by a change to the parent `form`, whose value
    /// the kid inherits; not by a change to a sibling; and a field the form does not list
    /// is never shown to be outside a lock.
    #[test]
    fn field_locks_cover_what_a_changed_parent_passes_down() {
        let names = [field(10, "form"), field(11, "form.amount"), field(12, "form.note")];
        let lock = [FieldLock::Include(vec!["form.amount".into()])];
        let id = |num| ObjId { num, gen: 0 };
        assert_eq!(locked_fields_changed(&names, &[id(10)], &lock).len(), 1);
        assert_eq!(locked_fields_changed(&names, &[id(11)], &lock).len(), 1);
        assert!(locked_fields_changed(&names, &[id(12)], &lock).is_empty());
        assert_eq!(locked_fields_changed(&names, &[id(99)], &lock).len(), 1);
        let except = [FieldLock::Exclude(vec!["form.note".into()])];
        assert!(locked_fields_changed(&names, &[id(12)], &except).is_empty());
        assert_eq!(locked_fields_changed(&names, &[id(10)], &except).len(), 1);
    }

    #[test]
    fn pdf_dates() {
        let utc = |text: &str| pdf_date(text).map(|t| rfc3339(t.to_offset(time::UtcOffset::UTC)));
        assert_eq!(utc("D:20261120103000+07'00'").unwrap(), "2026-11-20T03:30:00Z");
        assert_eq!(utc("D:2026").unwrap(), "2026-01-01T00:00:00Z");
        assert_eq!(utc("20261120103000Z").unwrap(), "2026-11-20T10:30:00Z");
        assert_eq!(utc("D:20261120103000-05'30").unwrap(), "2026-11-20T16:00:00Z");
        assert_eq!(pdf_date("D:2026-11-20"), None);
        assert_eq!(pdf_date("D:20261340"), None);
    }
}
