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
    Ok(touched)
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
        for role in strict {
            match (role, &old, &new) {
                (Role::Drawn | Role::Other, ..) => {
                    changes.note(Level::Other, format!("{what} {} was changed", id.num));
                }
                (Role::FieldList, Object::Array(old), Object::Array(new)) => self.field_list(old, new, changes)?,
                (Role::AnnotList, Object::Array(old), Object::Array(new)) => self.annots(old, new, changes)?,
                // A widget merged with its field: the field's rules judge it.
                (Role::Annotation, ..) if roles.has(Role::Field) => {}
                (_, Object::Dict(old), Object::Dict(new)) if !is_stream => {
                    self.changed_dict(role, id, old, new, changes)?;
                }
                _ => changes.note(Level::Other, format!("{what} {} was changed", id.num)),
            }
        }
        Ok(())
    }

    /// A dictionary (not a stream) that changed, judged in one role.
    fn changed_dict(
        &self,
        role: Role,
        id: ObjId,
        old: &Dict,
        new: &Dict,
        changes: &mut Changes,
    ) -> Result<(), PdfError> {
        let keys = changed_keys(old, new);
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
                if keys.contains(&b"DSS"[..]) {
                    changes.note(Level::Lta, "validation data (DSS) was added".into());
                }
                if keys.contains(&b"Metadata"[..]) {
                    changes.note(Level::Lta, "the XMP metadata was updated".into());
                }
                if keys.contains(&b"AcroForm"[..]) {
                    self.form(old.get(b"AcroForm"), new.get(b"AcroForm"), changes)?;
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
                let (old, new) = (
                    refs_of(self.doc, self.signed, old.get(b"Annots"))?,
                    refs_of(self.doc, self.last, new.get(b"Annots"))?,
                );
                self.annots(&old, &new, changes)?;
            }
            Role::Field => judge_field(old, &keys, id, changes),
            Role::Annotation if is_widget(old) => self.widget(id, old, &keys, changes)?,
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

    /// A widget annotation changed in place (its field's value or appearance): form
    /// filling, unless its field was a signed signature field, or its appearance changed
    /// while neither its state nor its field's value did (how a shown value is swapped).
    fn widget(&self, id: ObjId, old: &Dict, keys: &BTreeSet<Vec<u8>>, changes: &mut Changes) -> Result<(), PdfError> {
        if !keys.iter().all(|k| FIELD_VALUE_KEYS.contains(&k.as_slice())) {
            changes.note(
                Level::Other,
                format!("widget {} was changed beyond its appearance", id.num),
            );
            return Ok(());
        }
        let field = match old.reference(b"Parent") {
            Some(parent) if old.get(b"FT").is_none() && old.get(b"T").is_none() => parent,
            _ => id,
        };
        let old_field = self
            .doc
            .dict(self.signed, Some(&Object::Ref(field)))?
            .unwrap_or_default();
        let new_field = self.doc.dict(self.last, Some(&Object::Ref(field)))?.unwrap_or_default();
        let signature = old_field.has_name(b"FT", b"Sig");
        if signature && old_field.get(b"V").is_some() {
            changes.note(
                Level::Other,
                format!("the widget {} of a signed signature field was changed", id.num),
            );
        } else if keys.contains(&b"F"[..]) && !(signature && new_field.get(b"V").is_some()) {
            changes.note(
                Level::Other,
                format!("widget {}'s visibility flags (/F) were changed", id.num),
            );
        } else if keys.contains(&b"AP"[..]) && !keys.contains(&b"AS"[..]) && old_field.get(b"V") == new_field.get(b"V")
        {
            changes.note(
                Level::Other,
                format!(
                    "widget {}'s appearance was changed while its field's value was not",
                    id.num
                ),
            );
        } else {
            changes.note(Level::FormFilling, "a form field was filled in".into());
        }
        Ok(())
    }

    /// The interactive form: fields may be added only as new signature fields, none removed.
    fn form(&self, old: Option<&Object>, new: Option<&Object>, changes: &mut Changes) -> Result<(), PdfError> {
        let doc = self.doc;
        let old_form = doc.dict(self.signed, old)?.unwrap_or_default();
        let Some(new_form) = doc.dict(self.last, new)? else {
            changes.note(Level::Other, "the interactive form was removed".into());
            return Ok(());
        };
        let keys = changed_keys(&old_form, &new_form);
        if !keys.iter().all(|k| ACROFORM_KEYS.contains(&k.as_slice())) {
            changes.note(Level::Other, "the interactive form's settings were changed".into());
        }
        // Asking viewers to redraw every field from its value shows values that the signed
        // appearances did not (a value prepared to differ from its appearance).
        let redraws = |form: &Dict| matches!(form.get(b"NeedAppearances"), Some(Object::Bool(true)));
        if redraws(&new_form) && !redraws(&old_form) {
            changes.note(
                Level::Other,
                "the form now asks viewers to redraw every field (/NeedAppearances)".into(),
            );
        }
        if keys.iter().any(|k| k != b"Fields") {
            changes.note(Level::FormFilling, "the form's resources or flags were updated".into());
        }
        if keys.contains(&b"Fields"[..]) {
            let old_fields = refs_of(doc, self.signed, old_form.get(b"Fields"))?;
            let new_fields = refs_of(doc, self.last, new_form.get(b"Fields"))?;
            self.field_list(&old_fields, &new_fields, changes)?;
        }
        Ok(())
    }

    /// The form's field list: none removed, new entries only new signature fields.
    fn field_list(&self, old: &[Object], new: &[Object], changes: &mut Changes) -> Result<(), PdfError> {
        self.doc.budget.spend((old.len() + new.len()) as u64)?;
        if old.iter().any(|f| !new.contains(f)) {
            changes.note(Level::Other, "a form field was removed".into());
        }
        for added in new.iter().filter(|f| !old.contains(f)) {
            self.new_signature_field(added, changes)?;
        }
        Ok(())
    }

    /// A field added later: only a new signature field (a new object) is allowed.
    fn new_signature_field(&self, field: &Object, changes: &mut Changes) -> Result<(), PdfError> {
        let doc = self.doc;
        let Object::Ref(id) = field else {
            changes.note(Level::Other, "a form field was added as a direct object".into());
            return Ok(());
        };
        if doc.object(self.signed, *id)?.is_some() || self.old.is_field(*id) {
            changes.note(
                Level::Other,
                format!("object {} from the signed revision became a form field", id.num),
            );
            return Ok(());
        }
        let field = doc.dict(self.last, Some(field))?.unwrap_or_default();
        if !field.has_name(b"FT", b"Sig") {
            changes.note(Level::Other, "a form field other than a signature was added".into());
            return Ok(());
        }
        if let Some(Object::Ref(value)) = field.get(b"V") {
            if doc.object(self.signed, *value)?.is_some() {
                changes.note(
                    Level::Other,
                    format!(
                        "new signature field {} takes object {} of the signed revision as its value",
                        id.num, value.num
                    ),
                );
                return Ok(());
            }
        }
        let value = doc.dict(self.last, field.get(b"V"))?;
        if value.is_some_and(|v| v.has_name(b"Type", b"DocTimeStamp")) {
            changes.note(Level::Lta, "a document timestamp was added".into());
        } else {
            changes.note(Level::FormFilling, "a signature was added".into());
        }
        Ok(())
    }

    /// A page's annotations: old ones kept as they were; a new widget is signing only
    /// when it belongs to a signature field the form lists and that is being signed now
    /// (new, or empty when signed); other new annotations are annotating.
    fn annots(&self, old: &[Object], new: &[Object], changes: &mut Changes) -> Result<(), PdfError> {
        let doc = self.doc;
        doc.budget.spend((old.len() + new.len()) as u64)?;
        if old.iter().any(|a| !new.contains(a)) {
            changes.note(Level::Other, "an annotation was removed from a page".into());
        }
        for added in new.iter().filter(|a| !old.contains(a)) {
            let Object::Ref(id) = added else {
                changes.note(Level::Other, "an annotation was added as a direct object".into());
                continue;
            };
            if doc.object(self.signed, *id)?.is_some() {
                changes.note(
                    Level::Other,
                    format!("object {} from the signed revision was put on a page", id.num),
                );
                continue;
            }
            let annot = doc.dict(self.last, Some(added))?.unwrap_or_default();
            if !is_widget(&annot) {
                changes.note(Level::Annotations, "an annotation (comment) was added".into());
                continue;
            }
            match self.new_widget_field(*id, &annot)? {
                // A document timestamp's field has a widget too (an empty one).
                Ok(true) => changes.note(Level::Lta, "a document timestamp was added".into()),
                Ok(false) => changes.note(Level::FormFilling, "a signature was added".into()),
                Err(why) => changes.note(Level::Other, format!("a widget was added ({why})")),
            }
        }
        Ok(())
    }

    /// Why new widget `id` is no signature's widget, if it is not: its field must be a
    /// signature field the form lists now, signed by this update, and not signed before.
    /// `Ok(true)`: the signature is a document timestamp.
    fn new_widget_field(&self, id: ObjId, annot: &Dict) -> Result<Result<bool, String>, PdfError> {
        let doc = self.doc;
        let merged = annot.get(b"FT").is_some() || annot.get(b"T").is_some();
        let field = match annot.reference(b"Parent") {
            Some(parent) if !merged => parent,
            None if !merged => return Ok(Err("it belongs to no form field".into())),
            _ => id,
        };
        if !self.new.is_field(field) {
            return Ok(Err(format!("its field {} is not in the form's /Fields", field.num)));
        }
        let now = doc.dict(self.last, Some(&Object::Ref(field)))?.unwrap_or_default();
        if !now.has_name(b"FT", b"Sig") {
            return Ok(Err(format!("its field {} is not a signature field", field.num)));
        }
        let Some(value) = now.get(b"V") else {
            return Ok(Err(format!("its signature field {} is not signed", field.num)));
        };
        let timestamp = doc
            .dict(self.last, Some(value))?
            .is_some_and(|v| v.has_name(b"Type", b"DocTimeStamp"));
        if let Some(before) = doc.dict(self.signed, Some(&Object::Ref(field)))? {
            if before.get(b"V").is_some() {
                return Ok(Err(format!("its signature field {} was already signed", field.num)));
            }
            if self.old.is_field(field) {
                let widgets = doc.dict(self.signed, Some(&Object::Ref(field)))?.unwrap_or_default();
                if widgets.get(b"Kids").is_some() || is_widget(&widgets) {
                    return Ok(Err(format!("its signature field {} already had a widget", field.num)));
                }
            }
        }
        Ok(Ok(timestamp))
    }
}

fn is_widget(dict: &Dict) -> bool {
    dict.has_name(b"Subtype", b"Widget")
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
    } else if !is_signature && keys.contains(&b"F"[..]) {
        // Filling in a value does not change what is hidden: flipping /F shows a widget
        // prepared hidden before signing, or hides what was signed.
        changes.note(
            Level::Other,
            format!("form field {}'s visibility flags (/F) were changed", id.num),
        );
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

#[cfg(test)]
mod tests;
