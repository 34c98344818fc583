//! What the revisions after a signature change, judged from an allow-list (as pyHanko's
//! difference analysis and EU DSS do): later updates may add signatures and their fields,
//! validation data (DSS), document timestamps, metadata, form values and, at the highest
//! level, annotations. Anything else — pages, page content, resources, a re-pointed or
//! redefined object, a freed object, an xref entry pointing outside its own update, bytes
//! that are no update at all, or anything not understood — is a modification.
//!
//! The rules are structural: an object that differs is judged by every path that reaches
//! it in the signed revision (`roles`), the strictest wins, and an object number that the
//! signed revision refers to without defining it, defined later, is a modification.

mod form;

use std::cell::RefCell;
use std::collections::{BTreeSet, HashMap};
use std::rc::Rc;

use super::object::{Dict, ObjId, Object};
use super::revision::Document;
use super::roles::{self, Role, Roles};
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

/// Catalog keys later updates may change (pyHanko's and DSS's list).
const CATALOG_KEYS: &[&[u8]] = &[b"AcroForm", b"DSS", b"Extensions", b"Metadata", b"MarkInfo", b"Version"];
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

/// The change analysis of one document: the roles of each revision a signature ends are
/// walked once and shared by every rule and every signature.
pub(crate) struct Analysis<'d, 'a> {
    doc: &'d Document<'a>,
    roles: RefCell<HashMap<usize, Rc<Roles>>>,
}

impl<'d, 'a> Analysis<'d, 'a> {
    pub fn new(doc: &'d Document<'a>) -> Self {
        Analysis {
            doc,
            roles: RefCell::default(),
        }
    }

    /// The roles of revision `rev`, walked once.
    fn roles(&self, rev: usize) -> Result<Rc<Roles>, PdfError> {
        if let Some(hit) = self.roles.borrow().get(&rev) {
            return Ok(hit.clone());
        }
        let walked = Rc::new(roles::walk(self.doc, rev)?);
        self.roles.borrow_mut().insert(rev, walked.clone());
        Ok(walked)
    }

    /// Judges every change from revision `signed` to the last revision.
    pub fn after(&self, signed: usize) -> Result<Changes, PdfError> {
        let doc = self.doc;
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
        let judge = Judge {
            doc,
            signed,
            last,
            old: self.roles(signed)?,
            new: self.roles(last)?,
        };
        let touched = touched_objects(doc, signed, &mut changes)?;
        if let Some(id) = judge.old.unreadable.iter().min() {
            changes.note(
                Level::Other,
                format!(
                    "the signed revision's object {} is not where its xref says: readers repair such a file by scanning it, so what a later update shows cannot be told",
                    id.num
                ),
            );
        }
        let mut unreadable: Vec<ObjId> = judge
            .new
            .unreadable
            .difference(&judge.old.unreadable)
            .copied()
            .collect();
        unreadable.sort();
        for id in unreadable {
            changes.note(Level::Other, format!("object {} as updated cannot be read", id.num));
        }
        // A reference the signed revision made to nothing showed nothing; defined later,
        // it shows whatever the update wants (a second content stream, an XObject…).
        let mut dangling: Vec<ObjId> = judge.old.dangling.iter().copied().collect();
        dangling.sort();
        for id in dangling {
            doc.budget.spend(1)?;
            if !matches!(doc.object(last, id), Ok(None)) {
                changes.note(
                    Level::Other,
                    format!(
                        "object {}, referenced but not defined when signed, was defined later",
                        id.num
                    ),
                );
            }
        }
        // Objects compared as signed and as they are now (cumulatively, as pyHanko does: a
        // change undone later is no change).
        for num in touched {
            let Some(old_gen) = doc.revisions[signed].entries.get(&num).and_then(entry_gen) else {
                continue; // new: harmless unless something old now points at it
            };
            let id = ObjId { num, gen: old_gen };
            if doc.revisions[last].entries.get(&num).map(entry_gen) != Some(Some(old_gen)) {
                changes.note(Level::Other, format!("object {num} was replaced by another generation"));
                continue;
            }
            let judged = match same_object(doc, signed, last, id) {
                Ok(true) => continue,
                Ok(false) => judge.changed(id, &mut changes),
                Err(e) => Err(e),
            };
            if let Err(e) = judged {
                changes.note(Level::Other, format!("object {num} as updated cannot be read ({e})"));
            }
        }
        Ok(changes)
    }
}

/// The object numbers later updates write, after checking how they write them: the
/// trailer, entries that point outside their own update or into an earlier object stream,
/// objects that do not parse, deletions.
fn touched_objects(doc: &Document<'_>, signed: usize, changes: &mut Changes) -> Result<BTreeSet<u32>, PdfError> {
    let old_trailer = &doc.revisions[signed].trailer;
    let mut touched = BTreeSet::new();
    for (j, revision) in doc.revisions.iter().enumerate().skip(signed + 1) {
        let mut listed: Vec<(usize, usize)> = revision.own_spans.clone();
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
                        Ok(Some(o)) => {
                            listed.push((o.span.start, o.span.end));
                            twice_written(&o.value, j, num, changes);
                        }
                        Ok(None) => {}
                    }
                }
                Entry::Compressed { stream, .. } => {
                    if !revision.own.contains_key(&stream) {
                        changes.note(
                            Level::Other,
                            format!("update {j} puts object {num} in object stream {stream} of an earlier revision"),
                        );
                    } else if let Ok(Some(value)) = doc.object(j, ObjId { num, gen: 0 }) {
                        twice_written(&value, j, num, changes);
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
        if let Some(at) = unlisted_object(doc.data, revision.start, revision.end, &mut listed) {
            changes.note(
                Level::Other,
                format!("update {j} holds an object at byte {at} that its xref does not list (readers that rebuild the xref would show it)"),
            );
        }
    }
    // An object stream rewritten in place changes what its members are "as of" the last
    // revision without their own entries changing: each member is compared too.
    let mut members: BTreeSet<u32> = BTreeSet::new();
    for (num, entry) in doc.revisions[signed].entries.iter() {
        if let Entry::Compressed { stream, .. } = entry {
            if touched.contains(&stream) {
                doc.budget.spend(1)?;
                members.insert(num);
            }
        }
    }
    touched.extend(members);
    Ok(touched)
}

/// The first object header (`N G obj`) in `data[start..end]` outside the `listed`
/// spans (the update's listed objects and xref sections): an object no xref lists, which
/// readers that rebuild a damaged xref by scanning the file would take.
fn unlisted_object(data: &[u8], start: usize, end: usize, listed: &mut [(usize, usize)]) -> Option<usize> {
    use super::lexer::{is_delimiter, is_space};
    listed.sort_unstable();
    let bytes = &data[start..end.min(data.len())];
    for found in memchr::memmem::find_iter(bytes, b"obj") {
        let at = start + found;
        if data.get(at + 3).is_some_and(|&c| !is_space(c) && !is_delimiter(c)) {
            continue; // "object", "objects"…
        }
        // Back over white space, a generation, white space, a number.
        let mut i = at;
        let mut header = None;
        for part in 0..4 {
            let from = i;
            while i > start
                && if part % 2 == 0 {
                    is_space(data[i - 1])
                } else {
                    data[i - 1].is_ascii_digit()
                }
            {
                i -= 1;
            }
            if i == from {
                break;
            }
            if part == 3 && (i == 0 || is_space(data[i - 1]) || is_delimiter(data[i - 1])) {
                header = Some(i);
            }
        }
        let Some(header) = header else { continue };
        // Inside a listed object or section (its stream data, a string): not a header.
        if !listed.iter().any(|&(a, b)| a <= header && header < b) {
            return Some(header);
        }
    }
    None
}

/// An update that writes a key twice in one dictionary says two things: readers disagree
/// on which one counts (most take the last, some the first), so no rule can judge it.
fn twice_written(value: &Object, update: usize, num: u32, changes: &mut Changes) {
    fn any_twice(value: &Object, depth: usize) -> bool {
        match value {
            Object::Dict(d) => {
                d.duplicate_keys || (depth < 64 && d.entries.iter().any(|(_, v)| any_twice(v, depth + 1)))
            }
            Object::Array(a) => depth < 64 && a.iter().any(|v| any_twice(v, depth + 1)),
            _ => false,
        }
    }
    if any_twice(value, 0) {
        changes.note(
            Level::Other,
            format!("update {update} writes object {num} with a dictionary key twice"),
        );
    }
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

/// The rules for one signed revision against the last: the roles of both.
struct Judge<'j, 'a> {
    doc: &'j Document<'a>,
    signed: usize,
    last: usize,
    /// What each object was in the signed revision.
    old: Rc<Roles>,
    /// What each object is in the last revision (which fields the form lists now).
    new: Rc<Roles>,
}

impl Judge<'_, '_> {
    /// Classifies one object that existed when signed and differs now, by every role it
    /// had: lenient roles (information, metadata, DSS) count only when it had no other.
    fn changed(&self, id: ObjId, changes: &mut Changes) -> Result<(), PdfError> {
        let doc = self.doc;
        let roles = self.old.of(id);
        let is_stream = doc.indirect(self.signed, id)?.is_some_and(|o| o.stream.is_some());
        let what = if is_stream { "stream object" } else { "object" };
        if roles.only_lenient() {
            let said = if roles.has(Role::Info) {
                "the document information was updated"
            } else if roles.has(Role::Metadata) {
                "the XMP metadata was updated"
            } else {
                "validation data (DSS) was added"
            };
            changes.note(Level::Lta, said.into());
            return Ok(());
        }
        let strict: Vec<Role> = roles.strict().collect();
        if strict.is_empty() {
            // Reached by nothing in the signed revision: nothing explains a change to it.
            changes.note(Level::Other, format!("{what} {} was changed", id.num));
            return Ok(());
        }
        let old = doc.object(self.signed, id)?.unwrap_or(Object::Null);
        let new = doc.object(self.last, id)?.unwrap_or(Object::Null);
        let is_field = roles.has(Role::Field) || roles.has(Role::FieldAncestor);
        let mut judged_as_field = false;
        for role in strict {
            match (role, &old, &new) {
                (Role::Drawn | Role::Other, ..) => {
                    changes.note(Level::Other, format!("{what} {} was changed", id.num));
                }
                (Role::FieldList, Object::Array(old), Object::Array(new)) => self.field_list(old, new, changes)?,
                (Role::AnnotList, Object::Array(old), Object::Array(new)) => {
                    self.annots(old, new, None, changes)?;
                }
                (_, Object::Dict(old), Object::Dict(new)) if !is_stream => {
                    let keys = changed_keys(old, new);
                    match role {
                        Role::Field | Role::FieldAncestor if !judged_as_field => {
                            judged_as_field = true;
                            self.field(id, &keys, changes)?;
                        }
                        Role::Field | Role::FieldAncestor => {}
                        // A widget of a field: the field's rules judge it; of no field, it
                        // has no value to fill in.
                        Role::Annotation if form::is_widget(old) && is_field => {}
                        Role::Annotation if form::is_widget(old) => changes.note(
                            Level::Other,
                            format!("widget {}, of no form field, was changed", id.num),
                        ),
                        _ => self.changed_dict(role, id, old, new, &keys, changes)?,
                    }
                }
                _ => changes.note(Level::Other, format!("{what} {} was changed", id.num)),
            }
        }
        Ok(())
    }

    /// A dictionary (not a stream) that changed, judged in one role (fields aside).
    fn changed_dict(
        &self,
        role: Role,
        id: ObjId,
        old: &Dict,
        new: &Dict,
        keys: &BTreeSet<Vec<u8>>,
        changes: &mut Changes,
    ) -> Result<(), PdfError> {
        let only = |allowed: &[&[u8]]| keys.iter().all(|k| allowed.contains(&k.as_slice()));
        match role {
            Role::Catalog if !only(CATALOG_KEYS) => {
                let list: Vec<String> = keys.iter().map(|k| name_of(k)).collect();
                changes.note(
                    Level::Other,
                    format!("the document catalog was changed ({})", list.join(" ")),
                );
            }
            Role::Catalog => {
                for key in keys {
                    match key.as_slice() {
                        b"DSS" => changes.note(Level::Lta, "validation data (DSS) was added".into()),
                        b"Metadata" => changes.note(Level::Lta, "the XMP metadata was updated".into()),
                        b"AcroForm" => self.form(old.get(b"AcroForm"), new.get(b"AcroForm"), changes)?,
                        other => changes.note(Level::Lta, format!("the catalog's {} was updated", name_of(other))),
                    }
                }
            }
            Role::AcroForm => self.form(
                Some(&Object::Dict(old.clone())),
                Some(&Object::Dict(new.clone())),
                changes,
            )?,
            Role::Page if !only(&[b"Annots"]) => {
                changes.note(Level::Other, format!("page object {} was changed", id.num));
            }
            Role::Page => {
                let (old_annots, new_annots) = (
                    refs_of(self.doc, self.signed, old.get(b"Annots"))?,
                    refs_of(self.doc, self.last, new.get(b"Annots"))?,
                );
                self.annots(&old_annots, &new_annots, Some(new), changes)?;
            }
            // Showing an annotation prepared hidden before signing is no annotating.
            Role::Annotation if keys.contains(&b"F"[..]) => changes.note(
                Level::Other,
                format!("annotation {}'s visibility flags (/F) were changed", id.num),
            ),
            Role::Annotation => changes.note(Level::Annotations, "an annotation was modified".into()),
            _ => changes.note(Level::Other, format!("object {} was changed", id.num)),
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests;
