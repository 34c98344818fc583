//! What each object of a revision is, by every path that reaches it from the trailer
//! (ISO 32000-1 §7.7): the catalog, a page, a form field, an annotation, something drawn,
//! the document information, the XMP metadata, validation data (DSS)… One object may be
//! reached by several paths — a page that is also the `/Info` dictionary, a content stream
//! that a `/DSS` array also lists — and the change rules judge it by all of them: a
//! lenient role (information, metadata, DSS) counts only for an object that nothing else
//! reaches. References that name no object are kept too: an update that defines one
//! later changes what the signed revision shows.

use std::collections::{HashMap, HashSet};

use super::object::{Dict, ObjId, Object};
use super::revision::Document;
use super::PdfError;

/// The role of a value, from the path that reached it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Role {
    /// The document catalog (`/Root`).
    Catalog,
    /// The document information dictionary, and anything only it reaches.
    Info,
    /// The catalog's XMP `/Metadata` stream, and anything only it reaches.
    Metadata,
    /// The `/DSS` dictionary (PAdES validation data).
    Dss,
    /// A `/Certs`, `/CRLs`, `/OCSPs` array of the DSS, or `/Cert`, `/CRL`, `/OCSP` of a VRI.
    DssList,
    /// A certificate, CRL, OCSP response or VRI timestamp the DSS lists.
    DssItem,
    /// The DSS's `/VRI` dictionary.
    VriMap,
    /// One VRI entry.
    Vri,
    /// The interactive form (`/AcroForm`).
    AcroForm,
    /// The form's `/Fields` array.
    FieldList,
    /// A field's `/Kids` array.
    FieldKids,
    /// A form field the form lists (`/Fields`, a listed field's `/Kids`), or a widget
    /// merged with one, or a widget kid of one.
    Field,
    /// A field reached up a `/Parent` link (it lends its inherited attributes: `/FT`,
    /// `/V`, `/DA`…), judged as a field, though the form may not list it.
    FieldAncestor,
    /// A field's `/V` as an indirect object (a signature dictionary, a value).
    FieldValue,
    /// A page tree node that is reached before its `/Type` is known.
    PageTree,
    /// An inner node of the page tree (`/Type /Pages`).
    PageNode,
    /// A node's `/Kids` array.
    PageKids,
    /// A page (`/Type /Page`).
    Page,
    /// A page's `/Annots` array.
    AnnotList,
    /// An annotation a page lists.
    Annotation,
    /// What is drawn: page contents, resources, appearance streams and what they use.
    Drawn,
    /// Anything else (outlines, actions, names, structure…): any change counts.
    Other,
}

impl Role {
    fn bit(self) -> u32 {
        1 << self as u32
    }

    /// The roles whose objects may change only in ways validation data, metadata and
    /// document information updates change them.
    fn lenient(self) -> bool {
        matches!(
            self,
            Role::Info | Role::Metadata | Role::Dss | Role::DssList | Role::DssItem | Role::VriMap | Role::Vri
        )
    }

    /// The role of the value under `key` of `dict`, which has this role; `None` for an
    /// annotation's or a field's `/P` (its page, which the page tree reaches). A `/Parent`
    /// is followed: pages, fields and popups inherit from what it names.
    fn child(self, key: &[u8], dict: &Dict) -> Option<Role> {
        use Role::*;
        Some(match (self, key) {
            (Annotation | Field | FieldAncestor, b"P") => return None,
            (Page | PageNode, b"Parent") => PageTree,
            (Field | FieldAncestor, b"Parent") => FieldAncestor,
            (Annotation, b"Parent") if dict.has_name(b"Subtype", b"Widget") => FieldAncestor,
            (Annotation, b"Parent" | b"Popup" | b"IRT") => Annotation,
            (Catalog, b"Pages") => PageTree,
            (Catalog, b"AcroForm") => AcroForm,
            (Catalog, b"DSS") => Dss,
            (Catalog, b"Metadata") => Metadata,
            (Info, _) => Info,
            (Metadata, _) => Metadata,
            (Dss, b"Certs" | b"CRLs" | b"OCSPs") => DssList,
            (Dss, b"VRI") => VriMap,
            (DssItem, _) => DssItem,
            (VriMap, _) => Vri,
            (Vri, b"Cert" | b"CRL" | b"OCSP") => DssList,
            (Vri, b"TS" | b"TU") => DssItem,
            (AcroForm, b"Fields") => FieldList,
            (Field, b"Kids") => FieldKids,
            (Field | FieldAncestor, b"V") => FieldValue,
            (PageNode, b"Kids") => PageKids,
            (Page, b"Annots") => AnnotList,
            (Page, b"Contents" | b"Resources" | b"Group")
            | (PageNode, b"Resources")
            | (Annotation | Field | FieldAncestor, b"AP")
            | (Drawn, _) => Drawn,
            _ => Other,
        })
    }

    /// The role of an element of an array that has this role.
    fn element(self) -> Role {
        match self {
            Role::FieldList | Role::FieldKids => Role::Field,
            Role::AnnotList => Role::Annotation,
            Role::DssList => Role::DssItem,
            Role::PageKids => Role::PageTree,
            Role::Info | Role::Metadata | Role::DssItem | Role::Drawn => self,
            _ => Role::Other,
        }
    }
}

/// The roles of one object.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct RoleSet(u32);

impl RoleSet {
    pub fn has(self, role: Role) -> bool {
        self.0 & role.bit() != 0
    }

    /// Every role but the lenient ones.
    pub fn strict(self) -> impl Iterator<Item = Role> {
        ALL.into_iter().filter(move |r| self.has(*r) && !r.lenient())
    }

    /// Reached only through lenient paths (information, metadata, DSS).
    pub fn only_lenient(self) -> bool {
        self.0 != 0 && self.strict().next().is_none()
    }
}

const ALL: [Role; 22] = [
    Role::Catalog,
    Role::Info,
    Role::Metadata,
    Role::Dss,
    Role::DssList,
    Role::DssItem,
    Role::VriMap,
    Role::Vri,
    Role::AcroForm,
    Role::FieldList,
    Role::FieldKids,
    Role::Field,
    Role::FieldAncestor,
    Role::FieldValue,
    Role::PageTree,
    Role::PageNode,
    Role::PageKids,
    Role::Page,
    Role::AnnotList,
    Role::Annotation,
    Role::Drawn,
    Role::Other,
];

/// The roles of every object reachable in one revision.
#[derive(Debug, Default)]
pub(crate) struct Roles {
    of: HashMap<ObjId, RoleSet>,
    /// References that name no object (absent, free, or another generation).
    pub dangling: HashSet<ObjId>,
    /// Reachable objects that do not parse.
    pub unreadable: HashSet<ObjId>,
}

impl Roles {
    /// The roles of `id` (empty if nothing reaches it).
    pub fn of(&self, id: ObjId) -> RoleSet {
        self.of.get(&id).copied().unwrap_or_default()
    }

    /// Every object reached as a form field or a field's ancestor.
    pub fn fields(&self) -> impl Iterator<Item = ObjId> + '_ {
        self.of
            .iter()
            .filter(|(_, set)| set.has(Role::Field) || set.has(Role::FieldAncestor))
            .map(|(id, _)| *id)
    }

    /// Whether `id` is reached as a form field (listed in `/Fields` or a field's `/Kids`).
    pub fn is_field(&self, id: ObjId) -> bool {
        self.of(id).has(Role::Field)
    }
}

/// The roles the page tree and the form give.
const STRUCTURAL: u32 = 1 << Role::Page as u32
    | 1 << Role::PageNode as u32
    | 1 << Role::Annotation as u32
    | 1 << Role::Field as u32
    | 1 << Role::FieldAncestor as u32;

/// A page or an annotation: what a pointer elsewhere (a destination, the structure tree,
/// an outline) names without drawing it. Such a pointer gives it no role of its own; its
/// own path through the page tree judges it.
fn is_pointed_at(dict: &Dict) -> bool {
    dict.has_name(b"Type", b"Page")
        || (dict.get(b"Subtype").is_some() && dict.get(b"Rect").is_some())
        || dict.get(b"FT").is_some()
}

/// Walks revision `rev` from its trailer and gives every reachable object its roles.
pub(crate) fn walk(doc: &Document<'_>, rev: usize) -> Result<Roles, PdfError> {
    let mut walker = Walker {
        doc,
        roles: Roles::default(),
        queued: HashSet::new(),
        todo: Vec::new(),
        pointed: Vec::new(),
    };
    for (key, value) in &doc.revisions[rev].trailer.entries {
        let role = match key.as_slice() {
            b"Root" => Role::Catalog,
            b"Info" => Role::Info,
            _ => Role::Other,
        };
        walker.scan(value, role)?;
    }
    walker.run(rev, false)?;
    // A pointer's exemption holds only for what the page tree or the form judges: an
    // object that merely looks like a page or an annotation (an action, an optional
    // content configuration given a /Subtype and a /Rect) is "other" after all, and so is
    // what it reaches.
    let structural = [
        Role::Page,
        Role::PageNode,
        Role::Annotation,
        Role::Field,
        Role::FieldAncestor,
    ];
    let pointed = std::mem::take(&mut walker.pointed);
    for id in pointed {
        let set = walker.roles.of(id);
        if !structural.iter().any(|r| set.has(*r)) {
            walker.todo.push((id, Role::Other));
        }
    }
    walker.run(rev, true)?;
    Ok(walker.roles)
}

impl Walker<'_, '_> {
    /// Takes every queued reference: resolves it, gives it its role, scans its parts.
    /// `pointers_judged`: the second pass, where a pointer names something the first one
    /// found no page, annotation or field in.
    fn run(&mut self, rev: usize, pointers_judged: bool) -> Result<(), PdfError> {
        let doc = self.doc;
        while let Some((id, role)) = self.todo.pop() {
            doc.budget.spend(1)?;
            let value = match doc.object(rev, id) {
                Ok(Some(value)) => value,
                Ok(None) => {
                    self.roles.dangling.insert(id);
                    continue;
                }
                Err(e @ PdfError::TooComplex(_)) => return Err(e),
                Err(_) => {
                    self.roles.unreadable.insert(id);
                    continue;
                }
            };
            let dict = value.as_dict();
            let role = match role {
                Role::PageTree if dict.is_some_and(|d| d.has_name(b"Type", b"Page")) => Role::Page,
                Role::PageTree => Role::PageNode,
                Role::Other if dict.is_some_and(is_pointed_at) && !pointers_judged => {
                    self.pointed.push(id);
                    continue;
                }
                Role::Other if dict.is_some_and(is_pointed_at) && self.roles.of(id).0 & STRUCTURAL != 0 => continue,
                other => other,
            };
            let set = self.roles.of.entry(id).or_default();
            if set.has(role) {
                continue;
            }
            set.0 |= role.bit();
            self.expand(&value, role)?;
        }
        Ok(())
    }
}

struct Walker<'d, 'a> {
    doc: &'d Document<'a>,
    roles: Roles,
    queued: HashSet<(ObjId, Role)>,
    todo: Vec<(ObjId, Role)>,
    /// Objects an "other" path named that look like pages, annotations or fields.
    pointed: Vec<ObjId>,
}

impl Walker<'_, '_> {
    /// Queues what `value` (in role `role`) refers to.
    fn scan(&mut self, value: &Object, role: Role) -> Result<(), PdfError> {
        match value {
            Object::Ref(id) => {
                if self.queued.insert((*id, role)) {
                    self.todo.push((*id, role));
                }
                Ok(())
            }
            _ => self.expand(value, role),
        }
    }

    /// Scans the parts of a direct value.
    fn expand(&mut self, value: &Object, role: Role) -> Result<(), PdfError> {
        match value {
            Object::Array(items) => {
                self.doc.budget.spend(items.len() as u64)?;
                let element = role.element();
                for item in items {
                    self.scan(item, element)?;
                }
            }
            Object::Dict(dict) => {
                self.doc.budget.spend(dict.entries.len() as u64)?;
                let role = match role {
                    Role::PageTree if dict.has_name(b"Type", b"Page") => Role::Page,
                    Role::PageTree => Role::PageNode,
                    other => other,
                };
                for (key, item) in &dict.entries {
                    if let Some(child) = role.child(key, dict) {
                        self.scan(item, child)?;
                    }
                }
            }
            Object::Ref(_) => self.scan(value, role)?,
            _ => {}
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lenient_paths_lead_only_to_lenient_roles() {
        for role in ALL.into_iter().filter(|r| r.lenient()) {
            for key in [&b"Foo"[..], b"Contents", b"Kids", b"Annots", b"Fields"] {
                let child = role.child(key, &Dict::default());
                assert!(
                    child.is_none_or(|c| c.lenient() || c == Role::Other),
                    "{role:?} /{}",
                    String::from_utf8_lossy(key)
                );
            }
        }
        // Nothing drawn ever becomes anything else.
        assert_eq!(Role::Drawn.child(b"Parent", &Dict::default()), Some(Role::Drawn));
        assert_eq!(Role::Drawn.element(), Role::Drawn);
    }
}
