//! What the revisions after a signature change, judged from an allow-list (as pyHanko's
//! difference analysis and EU DSS do): later updates may add signatures and their fields,
//! validation data (DSS), document timestamps, metadata, form values and, at the highest
//! level, annotations. Anything else — pages, page content, resources, a re-pointed or
//! redefined object, a freed object, an xref entry pointing outside its own update, bytes
//! that are no update at all, or anything not understood — is a modification.

use std::collections::{BTreeSet, HashSet};

use super::object::{Dict, ObjId, Object};
use super::revision::Document;
use super::xref::Entry;
use super::PdfError;

/// How far later changes go (ordered: each level includes the ones before).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Level {
    /// Nothing changed.
    None,
    /// Validation data, document timestamps, metadata, new invisible objects.
    Lta,
    /// Signatures added, form fields filled.
    FormFilling,
    /// Annotations added.
    Annotations,
    /// Anything else: the document as displayed may differ from what was signed.
    Other,
}

/// The changes after revision `signed`, up to the last revision.
#[derive(Debug, Clone)]
pub(crate) struct Changes {
    pub level: Level,
    /// What was seen, in words, newest last.
    pub described: Vec<String>,
    /// The fields whose values (or signatures) were filled in, for FieldMDP locks.
    pub filled_fields: Vec<ObjId>,
}

impl Changes {
    fn note(&mut self, level: Level, what: String) {
        self.level = self.level.max(level);
        if self.described.len() < 50 && !self.described.contains(&what) {
            self.described.push(what);
        }
    }
}

/// Keys of a field that filling it may change (§12.7.3, §12.5.6.19).
const FIELD_VALUE_KEYS: &[&[u8]] = &[b"V", b"AS", b"AP", b"F", b"Ff", b"DA", b"Q", b"MK", b"Type"];
/// Catalog keys later updates may change (pyHanko's and DSS's list).
const CATALOG_KEYS: &[&[u8]] = &[b"AcroForm", b"DSS", b"Extensions", b"Metadata", b"MarkInfo", b"Version"];
/// Interactive form keys later updates may change.
const ACROFORM_KEYS: &[&[u8]] = &[b"Fields", b"DR", b"DA", b"Q", b"NeedAppearances", b"SigFlags"];
/// Trailer keys that differ between any two revisions (and those of an xref stream).
const TRAILER_KEYS: &[&[u8]] = &[
    b"Size",
    b"Prev",
    b"Root",
    b"Info",
    b"ID",
    b"XRefStm",
    b"Type",
    b"W",
    b"Index",
    b"Length",
    b"Filter",
    b"DecodeParms",
];

/// What an object was in the signed revision.
#[derive(Default)]
struct Roles {
    catalog: Option<ObjId>,
    info: Option<ObjId>,
    acroform: Option<ObjId>,
    metadata: Option<ObjId>,
    dss: HashSet<ObjId>,
    pages: HashSet<ObjId>,
    page_annots: HashSet<ObjId>,
    fields: HashSet<ObjId>,
}

fn roles(doc: &Document<'_>, rev: usize) -> Result<Roles, PdfError> {
    let trailer = &doc.revisions[rev].trailer;
    let mut r = Roles {
        catalog: trailer.reference(b"Root"),
        info: trailer.reference(b"Info"),
        ..Roles::default()
    };
    let catalog = doc.catalog(rev)?;
    r.acroform = catalog.reference(b"AcroForm");
    r.metadata = catalog.reference(b"Metadata");
    // The DSS and everything under it (VRI dictionaries, arrays of streams).
    let mut todo: Vec<Object> = catalog.get(b"DSS").into_iter().cloned().collect();
    while let Some(o) = todo.pop() {
        if r.dss.len() > 100_000 {
            break;
        }
        match o {
            Object::Ref(id) if r.dss.insert(id) => todo.extend(doc.object(rev, id)?),
            Object::Dict(d) => todo.extend(d.entries.into_iter().map(|(_, v)| v)),
            Object::Array(a) => todo.extend(a),
            _ => {}
        }
    }
    // The page tree's leaves (and their /Annots arrays); its inner nodes are "other".
    let mut todo: Vec<(ObjId, usize)> = catalog.reference(b"Pages").map(|p| (p, 0)).into_iter().collect();
    let mut seen = HashSet::new();
    while let Some((id, depth)) = todo.pop() {
        if !seen.insert(id) || depth > 64 || seen.len() > 100_000 {
            continue;
        }
        let Some(node) = doc.dict(rev, Some(&Object::Ref(id)))? else {
            continue;
        };
        if node.has_name(b"Type", b"Page") {
            r.pages.insert(id);
            if let Some(annots) = node.reference(b"Annots") {
                r.page_annots.insert(annots);
            }
        } else if let Some(Object::Array(kids)) = node.get(b"Kids").map(|k| doc.resolve(rev, k)).transpose()? {
            todo.extend(kids.iter().filter_map(|k| match k {
                Object::Ref(k) => Some((*k, depth + 1)),
                _ => None,
            }));
        }
    }
    // Form fields (and their kids: widgets merged with fields).
    if let Some(form) = doc.dict(rev, catalog.get(b"AcroForm"))? {
        let mut todo: Vec<Object> = match form.get(b"Fields").map(|f| doc.resolve(rev, f)).transpose()? {
            Some(Object::Array(a)) => a,
            _ => Vec::new(),
        };
        while let Some(o) = todo.pop() {
            let Object::Ref(id) = o else { continue };
            if r.fields.len() > 100_000 || !r.fields.insert(id) {
                continue;
            }
            if let Some(field) = doc.dict(rev, Some(&o))? {
                if let Some(Object::Array(kids)) = field.get(b"Kids").map(|k| doc.resolve(rev, k)).transpose()? {
                    todo.extend(kids);
                }
            }
        }
    }
    Ok(r)
}

/// The keys whose values differ between two dictionaries.
fn changed_keys(old: &Dict, new: &Dict) -> BTreeSet<Vec<u8>> {
    let mut keys: BTreeSet<Vec<u8>> = BTreeSet::new();
    for (k, v) in &old.entries {
        if new.get(k) != Some(v) {
            keys.insert(k.clone());
        }
    }
    for (k, v) in &new.entries {
        if old.get(k) != Some(v) {
            keys.insert(k.clone());
        }
    }
    keys
}

fn refs_of(doc: &Document<'_>, rev: usize, value: Option<&Object>) -> Result<Vec<Object>, PdfError> {
    Ok(match value.map(|v| doc.resolve(rev, v)).transpose()? {
        Some(Object::Array(a)) => a,
        _ => Vec::new(),
    })
}

fn name_of(key: &[u8]) -> String {
    format!("/{}", String::from_utf8_lossy(key))
}

/// Judges every change from revision `signed` to the last revision.
pub(crate) fn after(doc: &Document<'_>, signed: usize) -> Result<Changes, PdfError> {
    let mut changes = Changes {
        level: Level::None,
        described: Vec::new(),
        filled_fields: Vec::new(),
    };
    let last = doc.last();
    if let Some(at) = doc.trailing {
        changes.note(
            Level::Other,
            format!(
                "{} bytes after the end of the last update are no PDF update",
                doc.data.len() - at
            ),
        );
    }
    if signed == last {
        return Ok(changes);
    }
    for anomaly in &doc.anomalies {
        changes.note(Level::Other, anomaly.clone());
    }
    let roles = roles(doc, signed)?;
    let old_trailer = &doc.revisions[signed].trailer;
    let mut touched = BTreeSet::new();
    for (j, revision) in doc.revisions.iter().enumerate().skip(signed + 1) {
        // The trailer: same catalog, no encryption appearing, nothing else new.
        for key in changed_keys(old_trailer, &revision.trailer) {
            if !TRAILER_KEYS.contains(&key.as_slice()) || key == b"Root" {
                changes.note(
                    Level::Other,
                    format!("update {j} changes the trailer's {}", name_of(&key)),
                );
            }
        }
        for (&num, entry) in &revision.own {
            doc.budget.spend(1)?;
            match *entry {
                Entry::InUse { offset, gen } => {
                    // An update's objects are in its own bytes: pointing back into signed
                    // bytes is how shadow attacks bring hidden content forward.
                    if !(revision.start..revision.end).contains(&offset) {
                        if doc.revisions[j - 1].entries.get(&num) != Some(entry) {
                            changes.note(
                                Level::Other,
                                format!("update {j} points object {num} at byte {offset}, outside the update"),
                            );
                        }
                        continue;
                    }
                    // Tolerance for a wrong /Length is for what was signed; what came after
                    // must be written properly.
                    match doc.indirect(j, ObjId { num, gen }) {
                        Err(e) => changes.note(Level::Other, format!("update {j}: object {num} does not parse ({e})")),
                        Ok(Some(o)) if !o.well_formed => changes.note(
                            Level::Other,
                            format!("update {j}: object {num} is malformed (its /Length or endobj)"),
                        ),
                        Ok(_) => {}
                    }
                }
                Entry::Compressed { stream, .. } => {
                    if !revision.own.contains_key(&stream) {
                        changes.note(
                            Level::Other,
                            format!("update {j} puts object {num} in object stream {stream} of an earlier revision"),
                        );
                    }
                }
                Entry::Free { .. } => {
                    let was_used = !matches!(doc.revisions[signed].entries.get(&num), None | Some(Entry::Free { .. }));
                    if was_used {
                        changes.note(Level::Other, format!("update {j} deletes object {num}"));
                    }
                }
            }
            touched.insert(num);
        }
    }
    // Objects compared as signed and as they are now (cumulatively, as pyHanko does: a
    // change undone later is no change).
    for num in touched {
        let Some(old_entry) = doc.revisions[signed].entries.get(&num) else {
            continue; // a new object: harmless unless something old now points at it
        };
        let (old_gen, new_gen) = (
            entry_gen(old_entry),
            doc.revisions[last].entries.get(&num).map(entry_gen),
        );
        let Some(old_gen) = old_gen else { continue };
        let id = ObjId { num, gen: old_gen };
        if new_gen != Some(Some(old_gen)) {
            changes.note(Level::Other, format!("object {num} was replaced by another generation"));
            continue;
        }
        let judged = match same_object(doc, signed, last, id) {
            Ok(true) => continue,
            Ok(false) => judge_changed(doc, signed, last, id, &roles, &mut changes),
            Err(e) => Err(e),
        };
        if let Err(e) = judged {
            changes.note(Level::Other, format!("object {num} as updated cannot be read ({e})"));
        }
    }
    Ok(changes)
}

fn entry_gen(entry: &Entry) -> Option<u16> {
    match *entry {
        Entry::InUse { gen, .. } => Some(gen),
        Entry::Compressed { .. } => Some(0),
        Entry::Free { .. } => None,
    }
}

/// Equal values, and for streams equal (encoded) data.
fn same_object(doc: &Document<'_>, a: usize, b: usize, id: ObjId) -> Result<bool, PdfError> {
    let (old, new) = (doc.object(a, id)?, doc.object(b, id)?);
    if old != new {
        return Ok(false);
    }
    let (old, new) = (doc.indirect(a, id)?, doc.indirect(b, id)?);
    Ok(match (old.and_then(|o| o.stream), new.and_then(|n| n.stream)) {
        (Some(x), Some(y)) => doc.data[x.start..x.end] == doc.data[y.start..y.end],
        (None, None) => true,
        _ => false,
    })
}

/// Classifies one object that existed when signed and differs now.
fn judge_changed(
    doc: &Document<'_>,
    signed: usize,
    last: usize,
    id: ObjId,
    roles: &Roles,
    changes: &mut Changes,
) -> Result<(), PdfError> {
    let old = doc.object(signed, id)?.unwrap_or(Object::Null);
    let new = doc.object(last, id)?.unwrap_or(Object::Null);
    let is_stream = doc.indirect(signed, id)?.is_some_and(|o| o.stream.is_some());
    let (Object::Dict(old), Object::Dict(new)) = (old, new) else {
        changes.note(Level::Other, format!("object {} was changed", id.num));
        return Ok(());
    };
    let keys = changed_keys(&old, &new);
    let only = |allowed: &[&[u8]]| keys.iter().all(|k| allowed.contains(&k.as_slice()));
    if Some(id) == roles.info {
        changes.note(Level::Lta, "the document information was updated".into());
    } else if Some(id) == roles.metadata && is_stream {
        changes.note(Level::Lta, "the XMP metadata was updated".into());
    } else if roles.dss.contains(&id) {
        changes.note(Level::Lta, "validation data (DSS) was added".into());
    } else if Some(id) == roles.catalog {
        if !only(CATALOG_KEYS) {
            let list: Vec<String> = keys.iter().map(|k| name_of(k)).collect();
            changes.note(
                Level::Other,
                format!("the document catalog was changed ({})", list.join(" ")),
            );
        } else {
            if keys.contains(&b"DSS"[..]) {
                changes.note(Level::Lta, "validation data (DSS) was added".into());
            }
            if keys.contains(&b"AcroForm"[..]) {
                judge_form(
                    doc,
                    signed,
                    last,
                    old.get(b"AcroForm"),
                    new.get(b"AcroForm"),
                    roles,
                    changes,
                )?;
            }
        }
    } else if Some(id) == roles.acroform {
        judge_form(
            doc,
            signed,
            last,
            Some(&Object::Dict(old)),
            Some(&Object::Dict(new)),
            roles,
            changes,
        )?;
    } else if roles.pages.contains(&id) && !is_stream {
        if !only(&[b"Annots"]) {
            changes.note(Level::Other, format!("page object {} was changed", id.num));
        } else {
            judge_annots(
                doc,
                signed,
                last,
                old.get(b"Annots"),
                new.get(b"Annots"),
                roles,
                changes,
            )?;
        }
    } else if roles.page_annots.contains(&id) {
        changes.note(Level::Other, format!("object {} was changed", id.num));
    } else if roles.fields.contains(&id) && !is_stream {
        judge_field(&old, &keys, id, changes);
    } else {
        let what = if is_stream { "stream object" } else { "object" };
        changes.note(Level::Other, format!("{what} {} was changed", id.num));
    }
    Ok(())
}

/// A field changed in place: filling it (value, state, appearance) is form filling; its
/// appearance changing while its value stays is how a shown value is swapped.
fn judge_field(old: &Dict, keys: &BTreeSet<Vec<u8>>, id: ObjId, changes: &mut Changes) {
    let is_signature = old.has_name(b"FT", b"Sig");
    if !keys.iter().all(|k| FIELD_VALUE_KEYS.contains(&k.as_slice())) {
        changes.note(
            Level::Other,
            format!("form field {} was changed beyond its value", id.num),
        );
    } else if is_signature && old.get(b"V").is_some() {
        changes.note(Level::Other, format!("signed signature field {} was changed", id.num));
    } else if is_signature {
        changes.filled_fields.push(id);
        changes.note(Level::FormFilling, "an empty signature field was signed".into());
    } else if keys.contains(&b"AP"[..]) && !keys.contains(&b"V"[..]) && !keys.contains(&b"AS"[..]) {
        changes.note(
            Level::Other,
            format!("form field {}'s appearance was changed while its value was not", id.num),
        );
    } else {
        changes.filled_fields.push(id);
        changes.note(Level::FormFilling, "a form field was filled in".into());
    }
}

/// The interactive form: fields may be added only as new signature fields, none removed.
fn judge_form(
    doc: &Document<'_>,
    signed: usize,
    last: usize,
    old: Option<&Object>,
    new: Option<&Object>,
    roles: &Roles,
    changes: &mut Changes,
) -> Result<(), PdfError> {
    let old_form = doc.dict(signed, old)?.unwrap_or_default();
    let Some(new_form) = doc.dict(last, new)? else {
        changes.note(Level::Other, "the interactive form was removed".into());
        return Ok(());
    };
    let keys = changed_keys(&old_form, &new_form);
    if !keys.iter().all(|k| ACROFORM_KEYS.contains(&k.as_slice())) {
        changes.note(Level::Other, "the interactive form's settings were changed".into());
    }
    if keys.iter().any(|k| k != b"Fields") {
        changes.note(Level::FormFilling, "the form's resources or flags were updated".into());
    }
    let old_fields = refs_of(doc, signed, old_form.get(b"Fields"))?;
    let new_fields = refs_of(doc, last, new_form.get(b"Fields"))?;
    if old_fields.iter().any(|f| !new_fields.contains(f)) {
        changes.note(Level::Other, "a form field was removed".into());
    }
    for added in new_fields.iter().filter(|f| !old_fields.contains(f)) {
        new_signature_field(doc, signed, last, added, roles, changes)?;
    }
    Ok(())
}

/// A field added later: only a new signature field (a new object) is allowed.
fn new_signature_field(
    doc: &Document<'_>,
    signed: usize,
    last: usize,
    field: &Object,
    roles: &Roles,
    changes: &mut Changes,
) -> Result<(), PdfError> {
    let Object::Ref(id) = field else {
        changes.note(Level::Other, "a form field was added as a direct object".into());
        return Ok(());
    };
    if doc.object(signed, *id)?.is_some() || roles.fields.contains(id) {
        changes.note(
            Level::Other,
            format!("object {} from the signed revision became a form field", id.num),
        );
        return Ok(());
    }
    let field = doc.dict(last, Some(field))?.unwrap_or_default();
    if !field.has_name(b"FT", b"Sig") {
        changes.note(Level::Other, "a form field other than a signature was added".into());
        return Ok(());
    }
    let value = doc.dict(last, field.get(b"V"))?;
    if value.is_some_and(|v| v.has_name(b"Type", b"DocTimeStamp")) {
        changes.note(Level::Lta, "a document timestamp was added".into());
    } else {
        changes.note(Level::FormFilling, "a signature was added".into());
    }
    Ok(())
}

/// A page's annotations: old ones kept as they were; new widgets of new signature fields
/// are signing, other new annotations are annotating.
fn judge_annots(
    doc: &Document<'_>,
    signed: usize,
    last: usize,
    old: Option<&Object>,
    new: Option<&Object>,
    roles: &Roles,
    changes: &mut Changes,
) -> Result<(), PdfError> {
    let old_annots = refs_of(doc, signed, old)?;
    let new_annots = refs_of(doc, last, new)?;
    if old_annots.iter().any(|a| !new_annots.contains(a)) {
        changes.note(Level::Other, "an annotation was removed from a page".into());
    }
    for added in new_annots.iter().filter(|a| !old_annots.contains(a)) {
        let Object::Ref(id) = added else {
            changes.note(Level::Other, "an annotation was added as a direct object".into());
            continue;
        };
        if doc.object(signed, *id)?.is_some() || roles.fields.contains(id) {
            changes.note(
                Level::Other,
                format!("object {} from the signed revision was put on a page", id.num),
            );
            continue;
        }
        let annot = doc.dict(last, Some(added))?.unwrap_or_default();
        let is_signature_widget = annot.has_name(b"Subtype", b"Widget")
            && (annot.has_name(b"FT", b"Sig")
                || doc
                    .dict(last, annot.get(b"Parent"))?
                    .is_some_and(|p| p.has_name(b"FT", b"Sig")));
        if is_signature_widget {
            changes.note(Level::FormFilling, "a signature was added".into());
        } else {
            changes.note(Level::Annotations, "an annotation (comment) was added".into());
        }
    }
    Ok(())
}
