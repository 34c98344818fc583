//! The rules for the interactive form and the pages' annotations after signing (ISO
//! 32000-1 §12.5, §12.7, §12.8): a field may change only by taking a new value (and the
//! appearance that shows it), an empty signature field only by being signed, fields may be
//! added only as new signature fields, and a new widget is signing only when it belongs to
//! such a field. How a value is drawn (its appearance, state, default appearance,
//! characteristics, flags, the form's resources) may not change while the value does not:
//! that is how a signed value is shown as another.

use std::collections::BTreeSet;

use super::{changed_keys, refs_of, Changes, Judge, Level};
use crate::pdf::object::{Dict, ObjId, Object};
use crate::pdf::PdfError;

/// Keys of a field (or its widget) that filling it in or signing it may change (§12.7.3,
/// §12.5.6.19).
const FIELD_KEYS: &[&[u8]] = &[b"V", b"AS", b"AP", b"F", b"Ff", b"DA", b"Q", b"MK", b"Type"];
/// Keys that say how a value is drawn: they may change only together with the value.
const DRAWING_KEYS: &[&[u8]] = &[b"AP", b"AS", b"DA", b"Q", b"MK"];
/// Interactive form keys later updates may change.
const FORM_KEYS: &[&[u8]] = &[b"Fields", b"DR", b"NeedAppearances", b"SigFlags"];
/// How far up `/Parent` links inherited field attributes are looked for.
const MAX_FIELD_DEPTH: usize = 32;
/// A new signature's widget covering more of its page than this (a quarter) draws over
/// the signed content like an annotation (the "sneaky signature" attack), whatever
/// signing it also is.
const LARGEST_SIGNATURE_APPEARANCE: f64 = 0.25;

pub(super) fn is_widget(dict: &Dict) -> bool {
    dict.has_name(b"Subtype", b"Widget")
}

/// A number, as written (integers and reals).
fn number(o: &Object) -> Option<f64> {
    match o {
        Object::Int(i) => Some(*i as f64),
        Object::Real(r) => Some(*r),
        _ => None,
    }
}

/// The area of a rectangle `[x1 y1 x2 y2]` (0 when it is not one).
pub(super) fn area(rect: Option<&Object>) -> f64 {
    let Some(Object::Array(r)) = rect else { return 0.0 };
    match r.iter().map(number).collect::<Option<Vec<f64>>>().as_deref() {
        Some([x1, y1, x2, y2]) => ((x2 - x1) * (y2 - y1)).abs(),
        _ => 0.0,
    }
}

/// An A4 page, for a widget whose page is not known.
const A4_AREA: f64 = 595.0 * 842.0;

impl Judge<'_, '_> {
    /// A field attribute as revision `rev` has it for field `id`: its own, or inherited
    /// from its parents (§12.7.3.1), resolved (`None` for absent or null).
    fn inherited(&self, rev: usize, id: ObjId, key: &[u8]) -> Result<Option<Object>, PdfError> {
        let mut at = Some(id);
        for _ in 0..MAX_FIELD_DEPTH {
            let Some(field) = at.and_then(|id| self.doc.dict(rev, Some(&Object::Ref(id))).transpose()) else {
                return Ok(None);
            };
            let field = field?;
            if let Some(value) = field.get(key) {
                return Ok(match self.doc.resolve(rev, value)? {
                    Object::Null => None,
                    resolved => Some(resolved),
                });
            }
            at = field.reference(b"Parent");
        }
        Ok(None)
    }

    /// The raw (unresolved) `/V` of field `id` or of the nearest parent that has one.
    fn raw_value(&self, rev: usize, id: ObjId) -> Result<Option<Object>, PdfError> {
        let mut at = Some(id);
        for _ in 0..MAX_FIELD_DEPTH {
            let Some(field) = at.and_then(|id| self.doc.dict(rev, Some(&Object::Ref(id))).transpose()) else {
                return Ok(None);
            };
            let field = field?;
            if let Some(value) = field.get(b"V") {
                return Ok(Some(value.clone()));
            }
            at = field.reference(b"Parent");
        }
        Ok(None)
    }

    /// Whether `value` (a field's new `/V`) is a signature made by the updates: a new
    /// object of theirs that is a dictionary (which `find_signatures` will then verify).
    fn is_new_signature_value(&self, value: Option<&Object>) -> Result<bool, PdfError> {
        let Some(Object::Ref(id)) = value else {
            return Ok(false);
        };
        Ok(self.doc.object(self.signed, *id)?.is_none() && self.doc.dict(self.last, value)?.is_some())
    }

    /// A field, or a widget of one, changed in place.
    pub(super) fn field(&self, id: ObjId, keys: &BTreeSet<Vec<u8>>, changes: &mut Changes) -> Result<(), PdfError> {
        if !keys.iter().all(|k| FIELD_KEYS.contains(&k.as_slice())) {
            changes.note(
                Level::Other,
                format!("form field {} was changed beyond its value", id.num),
            );
            return Ok(());
        }
        let field_type = self.inherited(self.signed, id, b"FT")?;
        let old_value = self.inherited(self.signed, id, b"V")?;
        if field_type == Some(Object::Name(b"Sig".to_vec())) {
            if old_value.is_some() {
                changes.note(
                    Level::Other,
                    format!("signed signature field {} (or its widget) was changed", id.num),
                );
            } else if self.is_new_signature_value(self.raw_value(self.last, id)?.as_ref())? {
                changes.filled_fields.push(id);
                changes.note(Level::FormFilling, "an empty signature field was signed".into());
            } else {
                changes.note(
                    Level::Other,
                    format!("empty signature field {} was changed without being signed", id.num),
                );
            }
            return Ok(());
        }
        let new_value = self.inherited(self.last, id, b"V")?;
        let value_changed = old_value != new_value;
        let drawing: Vec<String> = keys
            .iter()
            .filter(|k| DRAWING_KEYS.contains(&k.as_slice()))
            .map(|k| super::name_of(k))
            .collect();
        if keys.contains(&b"Ff"[..]) {
            changes.note(
                Level::Other,
                format!("form field {}'s flags (/Ff) were changed", id.num),
            );
        } else if keys.contains(&b"F"[..]) {
            // Filling in a value does not change what is hidden: flipping /F shows a
            // widget prepared hidden before signing, or hides what was signed.
            changes.note(
                Level::Other,
                format!("form field {}'s visibility flags (/F) were changed", id.num),
            );
        } else if !drawing.is_empty() && !value_changed {
            changes.note(
                Level::Other,
                format!(
                    "form field {}'s appearance ({}) was changed while its value was not",
                    id.num,
                    drawing.join(" ")
                ),
            );
        } else if !self.state_follows_value(id, keys, new_value.as_ref())? {
            changes.note(
                Level::Other,
                format!(
                    "form field {}'s appearance state (/AS) does not follow its value",
                    id.num
                ),
            );
        } else if value_changed {
            changes.filled_fields.push(id);
            changes.note(Level::FormFilling, "a form field was filled in".into());
        } else {
            changes.note(
                Level::FormFilling,
                "a form field was rewritten, its value unchanged".into(),
            );
        }
        Ok(())
    }

    /// A button's appearance state (§12.7.4.2.3): when it changes, it is `/Off` or the
    /// field's value.
    fn state_follows_value(
        &self,
        id: ObjId,
        keys: &BTreeSet<Vec<u8>>,
        value: Option<&Object>,
    ) -> Result<bool, PdfError> {
        if !keys.contains(&b"AS"[..]) {
            return Ok(true);
        }
        let widget = self.doc.dict(self.last, Some(&Object::Ref(id)))?.unwrap_or_default();
        Ok(match widget.name(b"AS") {
            None | Some(b"Off") => true,
            Some(state) => value == Some(&Object::Name(state.to_vec())),
        })
    }

    /// The interactive form: fields may be added only as new signature fields, none
    /// removed; its resources may gain entries, not change them.
    pub(super) fn form(
        &self,
        old: Option<&Object>,
        new: Option<&Object>,
        changes: &mut Changes,
    ) -> Result<(), PdfError> {
        let doc = self.doc;
        let old_form = doc.dict(self.signed, old)?.unwrap_or_default();
        let Some(new_form) = doc.dict(self.last, new)? else {
            changes.note(Level::Other, "the interactive form was removed".into());
            return Ok(());
        };
        let keys = changed_keys(&old_form, &new_form);
        let others: Vec<String> = keys
            .iter()
            .filter(|k| !FORM_KEYS.contains(&k.as_slice()))
            .map(|k| super::name_of(k))
            .collect();
        if !others.is_empty() {
            changes.note(
                Level::Other,
                format!("the interactive form's settings were changed ({})", others.join(" ")),
            );
        }
        // Asking viewers to redraw every field from its value shows values that the signed
        // appearances did not (a value prepared to differ from its appearance).
        let redraws = |rev: usize, form: &Dict| -> Result<bool, PdfError> {
            Ok(match form.get(b"NeedAppearances") {
                Some(value) => matches!(doc.resolve(rev, value)?, Object::Bool(true)),
                None => false,
            })
        };
        if redraws(self.last, &new_form)? && !redraws(self.signed, &old_form)? {
            changes.note(
                Level::Other,
                "the form now asks viewers to redraw every field (/NeedAppearances)".into(),
            );
        }
        if keys.contains(&b"DR"[..]) {
            self.form_resources(old_form.get(b"DR"), new_form.get(b"DR"), changes)?;
        }
        if keys.contains(&b"SigFlags"[..]) {
            changes.note(Level::FormFilling, "the form's signature flags were updated".into());
        }
        if keys.contains(&b"Fields"[..]) {
            let old_fields = refs_of(doc, self.signed, old_form.get(b"Fields"))?;
            let new_fields = refs_of(doc, self.last, new_form.get(b"Fields"))?;
            self.field_list(&old_fields, &new_fields, changes)?;
        }
        Ok(())
    }

    /// The form's default resources (`/DR`): new names may be added (a font for a new
    /// value); a name the signed revision had must keep what it named, or the fields
    /// drawn with it would show other glyphs.
    fn form_resources(
        &self,
        old: Option<&Object>,
        new: Option<&Object>,
        changes: &mut Changes,
    ) -> Result<(), PdfError> {
        let doc = self.doc;
        let old = doc.dict(self.signed, old)?.unwrap_or_default();
        let new = doc.dict(self.last, new)?.unwrap_or_default();
        for (category, old_names) in &old.entries {
            let old_names = doc.dict(self.signed, Some(old_names))?.unwrap_or_default();
            let new_names = doc.dict(self.last, new.get(category))?.unwrap_or_default();
            doc.budget.spend(old_names.entries.len() as u64)?;
            if old_names
                .entries
                .iter()
                .any(|(name, value)| new_names.get(name) != Some(value))
            {
                changes.note(
                    Level::Other,
                    format!(
                        "the form's default resources ({}) were changed",
                        super::name_of(category)
                    ),
                );
                return Ok(());
            }
        }
        changes.note(Level::FormFilling, "the form's resources were extended".into());
        Ok(())
    }

    /// The form's field list: none removed, new entries only new signature fields.
    pub(super) fn field_list(&self, old: &[Object], new: &[Object], changes: &mut Changes) -> Result<(), PdfError> {
        self.doc.budget.spend((old.len() + new.len()) as u64)?;
        let old_set: BTreeSet<&ObjId> = old.iter().filter_map(as_ref).collect();
        let new_set: BTreeSet<&ObjId> = new.iter().filter_map(as_ref).collect();
        if old.iter().any(|f| !matches!(f, Object::Ref(_))) || new.iter().any(|f| !matches!(f, Object::Ref(_))) {
            changes.note(Level::Other, "a form field is listed as a direct object".into());
        }
        if old_set.iter().any(|f| !new_set.contains(f)) {
            changes.note(Level::Other, "a form field was removed".into());
        }
        for added in new_set.difference(&old_set) {
            self.new_signature_field(**added, changes)?;
        }
        Ok(())
    }

    /// A field added later: only a new signature field (a new object) is allowed, empty or
    /// with a new signature value.
    fn new_signature_field(&self, id: ObjId, changes: &mut Changes) -> Result<(), PdfError> {
        let doc = self.doc;
        if doc.object(self.signed, id)?.is_some() {
            changes.note(
                Level::Other,
                format!("object {} from the signed revision became a form field", id.num),
            );
            return Ok(());
        }
        let field = doc.dict(self.last, Some(&Object::Ref(id)))?.unwrap_or_default();
        if !field.has_name(b"FT", b"Sig") {
            changes.note(Level::Other, "a form field other than a signature was added".into());
            return Ok(());
        }
        match field.get(b"V") {
            None => changes.note(Level::FormFilling, "an empty signature field was added".into()),
            Some(value) if !self.is_new_signature_value(Some(value))? => changes.note(
                Level::Other,
                format!(
                    "new signature field {} has a value that is no new signature of the update",
                    id.num
                ),
            ),
            Some(value) => {
                let timestamp = doc
                    .dict(self.last, Some(value))?
                    .is_some_and(|v| v.has_name(b"Type", b"DocTimeStamp"));
                if timestamp {
                    changes.note(Level::Lta, "a document timestamp was added".into());
                } else {
                    changes.note(Level::FormFilling, "a signature was added".into());
                }
            }
        }
        Ok(())
    }

    /// A page's annotations: old ones kept as they were; a new widget is signing only
    /// when it belongs to a signature field the form lists and that is being signed now
    /// (new, or empty when signed); other new annotations are annotating. `page_area`:
    /// the page's size, for how much a new signature's appearance covers.
    pub(super) fn annots(
        &self,
        old: &[Object],
        new: &[Object],
        page_area: Option<f64>,
        changes: &mut Changes,
    ) -> Result<(), PdfError> {
        let doc = self.doc;
        doc.budget.spend((old.len() + new.len()) as u64)?;
        let old_set: BTreeSet<&ObjId> = old.iter().filter_map(as_ref).collect();
        let new_set: BTreeSet<&ObjId> = new.iter().filter_map(as_ref).collect();
        if old_set.iter().any(|a| !new_set.contains(a)) {
            changes.note(Level::Other, "an annotation was removed from a page".into());
        }
        if new.iter().any(|a| !matches!(a, Object::Ref(_)) && !old.contains(a)) {
            changes.note(Level::Other, "an annotation was added as a direct object".into());
        }
        for &&id in new_set.difference(&old_set) {
            if doc.object(self.signed, id)?.is_some() {
                changes.note(
                    Level::Other,
                    format!("object {} from the signed revision was put on a page", id.num),
                );
                continue;
            }
            let annot = doc.dict(self.last, Some(&Object::Ref(id)))?.unwrap_or_default();
            if !is_widget(&annot) {
                changes.note(Level::Annotations, "an annotation (comment) was added".into());
                continue;
            }
            match self.new_widget_field(id, &annot)? {
                Err(why) => changes.note(Level::Other, format!("a widget was added ({why})")),
                Ok(timestamp) => {
                    let covers = area(
                        doc.resolve(self.last, annot.get(b"Rect").unwrap_or(&Object::Null))
                            .ok()
                            .as_ref(),
                    ) / page_area.filter(|a| *a > 0.0).unwrap_or(A4_AREA);
                    let hidden = annot.int(b"F").is_some_and(|f| f & 2 != 0) || annot.get(b"AP").is_none();
                    if !hidden && covers > LARGEST_SIGNATURE_APPEARANCE {
                        changes.note(
                            Level::Annotations,
                            format!(
                                "a signature whose appearance covers {:.0}% of its page was added",
                                covers.min(1.0) * 100.0
                            ),
                        );
                    } else if timestamp && !hidden && covers > 0.0 {
                        changes.note(
                            Level::FormFilling,
                            "a document timestamp with a visible appearance was added".into(),
                        );
                    } else if timestamp {
                        changes.note(Level::Lta, "a document timestamp was added".into());
                    } else {
                        changes.note(Level::FormFilling, "a signature was added".into());
                    }
                }
            }
        }
        Ok(())
    }

    /// Why new widget `id` is no signature's widget, if it is not: its field must be a
    /// signature field the form lists now, signed by the updates with a new signature
    /// value, and neither signed nor given a widget before. `Ok(true)`: the signature is a
    /// document timestamp.
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
        if self.inherited(self.last, field, b"FT")? != Some(Object::Name(b"Sig".to_vec())) {
            return Ok(Err(format!("its field {} is not a signature field", field.num)));
        }
        let value = self.raw_value(self.last, field)?;
        if !self.is_new_signature_value(value.as_ref())? {
            return Ok(Err(format!(
                "its signature field {} is not signed by the update",
                field.num
            )));
        }
        if let Some(before) = doc.dict(self.signed, Some(&Object::Ref(field)))? {
            if self.inherited(self.signed, field, b"V")?.is_some() {
                return Ok(Err(format!("its signature field {} was already signed", field.num)));
            }
            if before.get(b"Kids").is_some() || is_widget(&before) {
                return Ok(Err(format!("its signature field {} already had a widget", field.num)));
            }
        }
        let timestamp = doc
            .dict(self.last, value.as_ref())?
            .is_some_and(|v| v.has_name(b"Type", b"DocTimeStamp"));
        Ok(Ok(timestamp))
    }
}

fn as_ref(o: &Object) -> Option<&ObjId> {
    match o {
        Object::Ref(id) => Some(id),
        _ => None,
    }
}
