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

/// Keys a new signature field, or its widget, may have (§12.7.3.1, §12.7.4.5, §12.5.2,
/// §12.5.6.19): no actions (`/A`, `/AA`: a script run on opening changes what is shown),
/// nothing else a viewer would act on.
const NEW_SIGNATURE_KEYS: &[&[u8]] = &[
    b"Type",
    b"Subtype",
    b"FT",
    b"T",
    b"TU",
    b"TM",
    b"V",
    b"Ff",
    b"Rect",
    b"P",
    b"F",
    b"AP",
    b"AS",
    b"MK",
    b"DA",
    b"Q",
    b"Parent",
    b"Kids",
    b"Lock",
    b"SV",
    b"StructParent",
    b"NM",
    b"M",
    b"Border",
    b"BS",
    b"C",
];
/// How far up `/Parent` links inherited page attributes are looked for.
const MAX_PAGE_DEPTH: usize = 64;

/// A rectangle `[x1 y1 x2 y2]` normalized (left, bottom, right, top), its numbers
/// resolved as of `rev` (viewers resolve each element); `None` when it is not one.
fn rectangle(judge: &Judge<'_, '_>, rev: usize, rect: Option<&Object>) -> Result<Option<[f64; 4]>, PdfError> {
    let Some(rect) = rect else { return Ok(None) };
    let Object::Array(items) = judge.doc.resolve(rev, rect)? else {
        return Ok(None);
    };
    if items.len() != 4 {
        return Ok(None);
    }
    let mut n = [0.0; 4];
    for (slot, item) in n.iter_mut().zip(&items) {
        match number(&judge.doc.resolve(rev, item)?) {
            Some(v) if v.is_finite() => *slot = v,
            _ => return Ok(None),
        }
    }
    Ok(Some([n[0].min(n[2]), n[1].min(n[3]), n[0].max(n[2]), n[1].max(n[3])]))
}

fn area_of(r: [f64; 4]) -> f64 {
    (r[2] - r[0]).max(0.0) * (r[3] - r[1]).max(0.0)
}

impl Judge<'_, '_> {
    /// A page attribute of `page` as the last revision has it, inherited from its page
    /// tree nodes (§7.7.3.4).
    fn page_attribute(&self, page: &Dict, key: &[u8]) -> Result<Option<Object>, PdfError> {
        let mut node = page.clone();
        for _ in 0..MAX_PAGE_DEPTH {
            if let Some(value) = node.get(key) {
                return Ok(Some(value.clone()));
            }
            match self.doc.dict(self.last, node.get(b"Parent"))? {
                Some(parent) => node = parent,
                None => return Ok(None),
            }
        }
        Ok(None)
    }

    /// The area of a page as shown: its crop box (inherited, clipped to its media box).
    fn shown_area(&self, page: &Dict) -> Result<Option<f64>, PdfError> {
        let media = rectangle(self, self.last, self.page_attribute(page, b"MediaBox")?.as_ref())?;
        let crop = rectangle(self, self.last, self.page_attribute(page, b"CropBox")?.as_ref())?;
        let shown = match (media, crop) {
            (Some(m), Some(c)) => Some([m[0].max(c[0]), m[1].max(c[1]), m[2].min(c[2]), m[3].min(c[3])]),
            (Some(m), None) => Some(m),
            (None, _) => None,
        };
        Ok(shown.map(area_of).filter(|a| *a > 0.0))
    }

    /// How much of its page a widget's appearance covers, 0 to 1, as the last revision
    /// has it: 0 when it draws nothing (no appearance, hidden, no area); 1 when its page
    /// or its rectangle cannot be read (what cannot be measured is not small). `page`: the
    /// page that lists it, when known; else its `/P`.
    pub(super) fn coverage(&self, widget: &Dict, page: Option<&Dict>) -> Result<f64, PdfError> {
        let hidden = match widget.get(b"F") {
            Some(f) => matches!(self.doc.resolve(self.last, f)?, Object::Int(f) if f & (2 | 32) != 0),
            None => false,
        };
        if hidden || widget.get(b"AP").is_none() {
            return Ok(0.0);
        }
        let Some(rect) = rectangle(self, self.last, widget.get(b"Rect"))? else {
            return Ok(1.0);
        };
        if area_of(rect) == 0.0 {
            return Ok(0.0);
        }
        let own_page;
        let page = match page {
            Some(page) => Some(page),
            None => {
                own_page = self.doc.dict(self.last, widget.get(b"P"))?;
                own_page.as_ref()
            }
        };
        let Some(page_area) = page.map(|p| self.shown_area(p)).transpose()?.flatten() else {
            return Ok(1.0);
        };
        Ok((area_of(rect) / page_area).min(1.0))
    }

    /// A widget that now draws `covers` of its page for `what`: past a quarter it draws
    /// over the signed content like an annotation (the "sneaky signature").
    fn drawn(&self, covers: f64, what: &str, changes: &mut Changes) -> bool {
        if covers > LARGEST_SIGNATURE_APPEARANCE {
            changes.note(
                Level::Annotations,
                format!("{what}, and its appearance covers {:.0}% of its page", covers * 100.0),
            );
            return true;
        }
        false
    }

    /// Whether `value` is the value of a signature field `find_signatures` lists (by
    /// the same inheritance of `/FT`), so that what the rules accept as signed is verified.
    fn listed_signature(&self, value: Option<&Object>) -> Result<bool, PdfError> {
        let Some(value) = value else { return Ok(false) };
        let fields = crate::pdf::signature::form_fields(self.doc, self.last)?;
        Ok(fields
            .iter()
            .any(|f| f.field_type.as_deref() == Some(b"Sig") && f.dict.get(b"V") == Some(value)))
    }

    /// A field attribute as revision `rev` has it for field `id`: its own, or inherited
    /// from its parents (§12.7.3.1), resolved (`None` for absent or null).
    fn inherited(&self, rev: usize, id: ObjId, key: &[u8]) -> Result<Option<Object>, PdfError> {
        Ok(match self.inherited_raw(rev, id, key)? {
            Some(value) => match self.doc.resolve(rev, &value)? {
                Object::Null => None,
                resolved => Some(resolved),
            },
            None => None,
        })
    }

    /// The raw (unresolved) value of `key` in field `id` or the nearest parent that has it.
    fn inherited_raw(&self, rev: usize, id: ObjId, key: &[u8]) -> Result<Option<Object>, PdfError> {
        let mut at = Some(id);
        for _ in 0..MAX_FIELD_DEPTH {
            let Some(field) = at.and_then(|id| self.doc.dict(rev, Some(&Object::Ref(id))).transpose()) else {
                return Ok(None);
            };
            let field = field?;
            if let Some(value) = field.get(key) {
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
        Ok(self.doc.object(self.signed, *id)?.is_none()
            && self.doc.dict(self.last, value)?.is_some()
            && self.listed_signature(value)?)
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
            } else if self.is_new_signature_value(self.inherited_raw(self.last, id, b"V")?.as_ref())? {
                changes.filled_fields.push(id);
                let shown = keys.contains(&b"AP"[..]) || keys.contains(&b"F"[..]);
                self.filled(id, shown, "an empty signature field was signed", changes)?;
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
            self.filled(id, keys.contains(&b"AP"[..]), "a form field was filled in", changes)?;
        } else {
            changes.note(
                Level::FormFilling,
                "a form field was rewritten, its value unchanged".into(),
            );
        }
        Ok(())
    }

    /// Field `id` filled in (or signed) as `what`: form filling, or an annotation when
    /// it is a widget that `redrawn` now draws over more than a quarter of its page.
    fn filled(&self, id: ObjId, redrawn: bool, what: &str, changes: &mut Changes) -> Result<(), PdfError> {
        let widget = self.doc.dict(self.last, Some(&Object::Ref(id)))?.unwrap_or_default();
        if !redrawn || !is_widget(&widget) || !self.drawn(self.coverage(&widget, None)?, what, changes) {
            changes.note(Level::FormFilling, what.into());
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
        // A font name the signed form's default appearances used without defining it
        // (viewers fell back to a standard font) may not be defined later: that is a
        // reference defined after signing, by name.
        let old_fonts = doc.dict(self.signed, old.get(b"Font"))?.unwrap_or_default();
        let new_fonts = doc.dict(self.last, new.get(b"Font"))?.unwrap_or_default();
        let added: Vec<&[u8]> = new_fonts
            .entries
            .iter()
            .map(|(name, _)| name.as_slice())
            .filter(|name| old_fonts.get(name).is_none())
            .collect();
        if !added.is_empty() {
            let used = self.fonts_used_when_signed()?;
            if let Some(name) = added.iter().find(|n| used.contains(**n)) {
                changes.note(
                    Level::Other,
                    format!(
                        "the form's resources now define the font {}, which the signed form used undefined",
                        super::name_of(name)
                    ),
                );
                return Ok(());
            }
        }
        changes.note(Level::FormFilling, "the form's resources were extended".into());
        Ok(())
    }

    /// The font names the signed revision's default appearances (`/DA` of the form and
    /// of every field) name.
    fn fonts_used_when_signed(&self) -> Result<BTreeSet<Vec<u8>>, PdfError> {
        let doc = self.doc;
        let mut used = BTreeSet::new();
        let mut note = |da: Option<&Object>, rev: usize| -> Result<(), PdfError> {
            if let Some(da) = da {
                if let Object::String(text) = doc.resolve(rev, da)? {
                    used.extend(names_in(&text.bytes));
                }
            }
            Ok(())
        };
        let catalog = doc.catalog(self.signed)?;
        if let Some(form) = doc.dict(self.signed, catalog.get(b"AcroForm"))? {
            note(form.get(b"DA"), self.signed)?;
        }
        for id in self.old.fields() {
            doc.budget.spend(1)?;
            if let Some(field) = doc.dict(self.signed, Some(&Object::Ref(id)))? {
                note(field.get(b"DA"), self.signed)?;
            }
        }
        Ok(used)
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
        if let Some(key) = unexpected_key(&field) {
            changes.note(
                Level::Other,
                format!("new signature field {} carries {}", id.num, super::name_of(key)),
            );
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
    /// (new, or empty when signed); other new annotations are annotating. `page`: the
    /// page that lists them, when known, for how much a new signature's appearance covers.
    pub(super) fn annots(
        &self,
        old: &[Object],
        new: &[Object],
        page: Option<&Dict>,
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
                    let covers = self.coverage(&annot, page)?;
                    if self.drawn(covers, "a signature was added", changes) {
                    } else if timestamp && covers > 0.0 {
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
        if let Some(key) = unexpected_key(annot) {
            return Ok(Err(format!("it carries {}", super::name_of(key))));
        }
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
        let value = self.inherited_raw(self.last, field, b"V")?;
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

/// The names (`/Helv`) in a content-stream fragment such as a default appearance.
fn names_in(text: &[u8]) -> impl Iterator<Item = Vec<u8>> + '_ {
    text.split(|&c| c == b'/').skip(1).map(|rest| {
        rest.iter()
            .take_while(|&&c| !crate::pdf::lexer::is_space(c) && !crate::pdf::lexer::is_delimiter(c))
            .copied()
            .collect()
    })
}

/// A key a new signature field or widget may not have (an action, anything unknown).
fn unexpected_key(dict: &Dict) -> Option<&[u8]> {
    dict.entries
        .iter()
        .map(|(k, _)| k.as_slice())
        .find(|k| !NEW_SIGNATURE_KEYS.contains(k))
}

fn as_ref(o: &Object) -> Option<&ObjId> {
    match o {
        Object::Ref(id) => Some(id),
        _ => None,
    }
}
