//! What a signature's `/ByteRange` covers (ISO 32000-1 §12.8.1; ETSI EN 319 142-1 §6.2.1):
//! exactly two ranges from byte 0 that leave out only the `/Contents` hex string of the
//! signature's own dictionary, and end where a revision ends. Anything else is an anomaly
//! that fails the signature: the bytes it vouches for are not the document.

use super::object::{Object, Span};
use super::revision::Document;
use super::signature::FoundSignature;

/// What a well-formed ByteRange covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Coverage {
    /// Every byte of the file but the signature value.
    WholeFile,
    /// Revision `index`, which later revisions (or trailing bytes) follow.
    Revision { index: usize },
}

/// The signed bytes: `[0, a)` and `[b, b + c)`, and the revision they end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct SignedRange {
    pub first: Span,
    pub second: Span,
    pub revision: usize,
    pub coverage: Coverage,
}

/// Checks `signature`'s ByteRange against the file; `Err` says what is wrong.
pub(crate) fn check(doc: &Document<'_>, signature: &FoundSignature) -> Result<SignedRange, String> {
    // A signature that cannot be read as such (e.g. its dictionary in an object stream,
    // whose byte positions are not the file's) has no coverage to speak of.
    if let Some(problem) = signature.problems.first() {
        return Err(problem.clone());
    }
    // Byte offsets count from the start of the file (§7.5.4); readers that tolerate bytes
    // before the header disagree on whether to shift them, so such a file can show
    // different content in different readers.
    if !doc.data.starts_with(b"%PDF-") {
        return Err("the file does not start with its %PDF- header: readers place its objects differently".into());
    }
    let dict = signature.dict();
    if dict.duplicate_keys {
        return Err("the signature dictionary has a key twice (readers disagree on which counts)".into());
    }
    let range: Vec<i64> = match dict.get(b"ByteRange") {
        None => return Err("the signature has no /ByteRange".into()),
        Some(Object::Array(items)) => items
            .iter()
            .map(|o| o.as_int().ok_or("the /ByteRange holds something other than integers"))
            .collect::<Result<_, _>>()?,
        Some(_) => return Err("the /ByteRange is not written in the signature dictionary as an array".into()),
    };
    let [start, a, b, c] = range[..] else {
        return Err(format!("the /ByteRange has {} numbers, not 4", range.len()));
    };
    if start != 0 {
        return Err("the /ByteRange does not start at byte 0".into());
    }
    let (a, b, c) = match (usize::try_from(a), usize::try_from(b), usize::try_from(c)) {
        (Ok(a), Ok(b), Ok(c)) if a > 0 && b > a => (a, b, c),
        _ => return Err("the /ByteRange's ranges are negative, empty or overlapping".into()),
    };
    let end = b
        .checked_add(c)
        .filter(|&e| e <= doc.data.len())
        .ok_or("the /ByteRange reaches past the end of the file")?;
    let contents = signature.contents().ok_or("the signature has no /Contents string")?;
    if !contents.hex {
        return Err("the /Contents is not a hex string".into());
    }
    // The gap must be exactly this signature's /Contents token: a larger gap leaves signed
    // content out, a gap elsewhere vouches for bytes that are not this signature's.
    let gap = Span { start: a, end: b };
    if contents.span != gap {
        return Err(format!(
            "the /ByteRange leaves out bytes {a}..{b}, but this signature's /Contents is at {}..{}",
            contents.span.start, contents.span.end
        ));
    }
    if contents.bytes.iter().all(|&x| x == 0) {
        return Err("the /Contents holds no signature (only zeros)".into());
    }
    let revision = doc
        .revision_ending_at(end)
        .ok_or_else(|| format!("the /ByteRange ends at byte {end}, which is not the end of a revision"))?;
    // The signature dictionary itself must be among the signed bytes and stay as signed.
    if signature.object.span.end > end {
        return Err("the signature dictionary lies outside the bytes it signs".into());
    }
    for later in &doc.revisions[revision + 1..] {
        if later.own.contains_key(&signature.value.num) {
            return Err("the signature dictionary was rewritten by a later update".into());
        }
    }
    // pyHanko's strict policy: in a hybrid-reference file, readers that know xref streams
    // and readers that do not see different objects, so what was signed is ambiguous.
    if doc.revisions[..=revision].iter().any(|r| r.hybrid) {
        return Err(
            "the file mixes an xref table with an xref stream (hybrid reference): readers may show different content"
                .into(),
        );
    }
    let coverage = if revision == doc.last() && doc.trailing.is_none() {
        Coverage::WholeFile
    } else {
        Coverage::Revision { index: revision }
    };
    Ok(SignedRange {
        first: Span { start: 0, end: a },
        second: Span { start: b, end },
        revision,
        coverage,
    })
}
