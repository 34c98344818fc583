//! Finding the signatures of a PDF (ISO 32000-1 §12.7.4.5, §12.8): the signature fields of
//! the interactive form, in every revision, and their signature dictionaries (`/ByteRange`,
//! `/Contents`, `/SubFilter`, `/M`, the DocMDP transform of a certification).

use std::cell::Cell;
use std::collections::{BTreeMap, HashSet};
use std::rc::Rc;

use super::limits::{MAX_FIELDS, OBJECT_BYTES};
use super::object::{Dict, Indirect, ObjId, Object, PdfString};
use super::revision::Document;
use super::xref::Entry;
use super::PdfError;

/// A signature dictionary's `/Type`: a signature, or a document timestamp (PAdES-LTA).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SignatureKind {
    Signature,
    DocTimeStamp,
}

/// One signature as the document carries it.
#[derive(Debug, Clone)]
pub(crate) struct FoundSignature {
    /// The field's fully qualified name (`/T` of it and its parents, joined by dots).
    pub field_name: String,
    /// The signature dictionary's object (a field's `/V` must be an indirect object).
    pub value: ObjId,
    /// The signature dictionary as the last revision has it, with its place in the file.
    pub object: std::rc::Rc<Indirect>,
    pub kind: SignatureKind,
    /// The newest revision whose form still lists the field.
    pub last_listed: usize,
    /// Problems that make the signature unreadable as such (e.g. a direct `/V`).
    pub problems: Vec<String>,
    /// The signature field's object.
    pub field: Option<ObjId>,
}

impl FoundSignature {
    pub fn dict(&self) -> &Dict {
        static EMPTY: std::sync::OnceLock<Dict> = std::sync::OnceLock::new();
        self.object.dict().unwrap_or_else(|| EMPTY.get_or_init(Dict::default))
    }

    pub fn sub_filter(&self) -> String {
        self.dict()
            .name(b"SubFilter")
            .map(|n| String::from_utf8_lossy(n).into_owned())
            .unwrap_or_default()
    }

    /// `/Contents`, which must be a hex string written in the signature dictionary itself.
    pub fn contents(&self) -> Option<&PdfString> {
        self.dict().get(b"Contents").and_then(Object::as_string)
    }

    /// A text entry (`/M`, `/Reason`, `/Location`, `/Name`) as text.
    pub fn text(&self, key: &[u8]) -> Option<String> {
        self.dict()
            .get(key)
            .and_then(Object::as_string)
            .map(|s| text_string(&s.bytes))
    }

    /// The DocMDP permission level this signature certifies with (`/Reference` with
    /// `/TransformMethod /DocMDP`): 1, 2 or 3 (default 2, §12.8.2.2).
    pub fn docmdp(&self, doc: &Document<'_>) -> Result<Option<u8>, PdfError> {
        let rev = doc.last();
        let Some(references) = self.dict().get(b"Reference") else {
            return Ok(None);
        };
        let Object::Array(items) = doc.resolve(rev, references)? else {
            return Ok(None);
        };
        for item in items.iter().take(16) {
            let Some(reference) = doc.dict(rev, Some(item))? else {
                continue;
            };
            if reference.has_name(b"TransformMethod", b"DocMDP") {
                let params = doc.dict(rev, reference.get(b"TransformParams"))?;
                let p = params.and_then(|p| p.int(b"P")).unwrap_or(2);
                // Values outside 1..=3 are not defined: take the strictest.
                return Ok(Some(if (1..=3).contains(&p) { p as u8 } else { 1 }));
            }
        }
        Ok(None)
    }
}

/// Which fields a signature locks (FieldMDP, §12.8.2.4): from its `/Reference` transform
/// and from its field's `/Lock` dictionary.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum FieldLock {
    All,
    Include(Vec<String>),
    Exclude(Vec<String>),
}

impl FieldLock {
    pub fn locks(&self, name: &str) -> bool {
        match self {
            FieldLock::All => true,
            FieldLock::Include(names) => names.iter().any(|n| n == name),
            FieldLock::Exclude(names) => !names.iter().any(|n| n == name),
        }
    }

    fn from_params(params: &Dict) -> Option<FieldLock> {
        let names = || -> Vec<String> {
            params
                .get(b"Fields")
                .and_then(Object::as_array)
                .map(|a| {
                    a.iter()
                        .filter_map(Object::as_string)
                        .map(|s| text_string(&s.bytes))
                        .collect()
                })
                .unwrap_or_default()
        };
        match params.name(b"Action")? {
            b"All" => Some(FieldLock::All),
            b"Include" => Some(FieldLock::Include(names())),
            b"Exclude" => Some(FieldLock::Exclude(names())),
            _ => None,
        }
    }
}

impl FoundSignature {
    /// The lock dictionaries of this signature: its FieldMDP transforms' parameters and
    /// its field's `/Lock`.
    fn lock_dicts(&self, doc: &Document<'_>) -> Result<Vec<Dict>, PdfError> {
        let rev = doc.last();
        let mut dicts = Vec::new();
        if let Some(Object::Array(items)) = self.dict().get(b"Reference").map(|r| doc.resolve(rev, r)).transpose()? {
            for item in items.iter().take(16) {
                let Some(reference) = doc.dict(rev, Some(item))? else {
                    continue;
                };
                if reference.has_name(b"TransformMethod", b"FieldMDP") {
                    dicts.push(doc.dict(rev, reference.get(b"TransformParams"))?.unwrap_or_default());
                }
            }
        }
        if let Some(field) = self.field {
            let field = doc.dict(rev, Some(&Object::Ref(field)))?.unwrap_or_default();
            dicts.extend(doc.dict(rev, field.get(b"Lock"))?);
        }
        Ok(dicts)
    }

    /// The field locks this signature sets (FieldMDP transform, field `/Lock`).
    pub fn field_locks(&self, doc: &Document<'_>) -> Result<Vec<FieldLock>, PdfError> {
        Ok(self
            .lock_dicts(doc)?
            .iter()
            .filter_map(FieldLock::from_params)
            .collect())
    }

    /// The document permissions a PDF 2.0 lock grants after this signature (`/P` of its
    /// `/Lock` or FieldMDP parameters, ISO 32000-2 §12.7.5.5, same values as DocMDP): the
    /// strictest when several say, 1 for a value outside 1..=3.
    pub fn lock_permissions(&self, doc: &Document<'_>) -> Result<Option<u8>, PdfError> {
        Ok(self
            .lock_dicts(doc)?
            .iter()
            .filter_map(|d| d.int(b"P"))
            .map(|p| if (1..=3).contains(&p) { p as u8 } else { 1 })
            .min())
    }
}

/// A PDF text string (§7.9.2.2): UTF-16BE with a BOM, UTF-8 with a BOM (PDF 2.0), else
/// PDFDocEncoding (read as Latin-1, which it equals for the printable range).
pub(crate) fn text_string(bytes: &[u8]) -> String {
    if let Some(utf16) = bytes.strip_prefix(&[0xFE, 0xFF]) {
        let units: Vec<u16> = utf16
            .chunks_exact(2)
            .map(|c| u16::from_be_bytes([c[0], c[1]]))
            .collect();
        return String::from_utf16_lossy(&units);
    }
    if let Some(utf8) = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]) {
        return String::from_utf8_lossy(utf8).into_owned();
    }
    bytes.iter().map(|&b| char::from(b)).collect()
}

/// Every signature field with a value, in any revision, keyed by the value's object: the
/// last revision's view of each, and the newest revision that still lists it.
pub(crate) fn find_signatures(doc: &Document<'_>) -> Result<Vec<FoundSignature>, PdfError> {
    let mut found: BTreeMap<ObjId, FoundSignature> = BTreeMap::new();
    for rev in 0..doc.revisions.len() {
        // A later update that does not parse is judged with the changes after signing;
        // here it just lists no signatures (the first revision must parse).
        let fields = match signature_fields(doc, rev) {
            Ok(fields) => fields,
            Err(e) if rev == 0 => return Err(e),
            Err(_) => continue,
        };
        for (field_name, value, direct, field) in fields {
            let last = doc.last();
            let mut problems = Vec::new();
            if direct {
                problems.push("the signature dictionary is not an indirect object".to_owned());
            }
            let object = match doc.indirect(last, value).ok().flatten() {
                Some(object) => object,
                None => match doc.indirect(rev, value)? {
                    Some(object) => {
                        problems.push("the signature dictionary was removed by a later update".into());
                        object
                    }
                    None => match doc.object(rev, value) {
                        // In an object stream: its /Contents are not bytes of the file, so no
                        // /ByteRange can leave them out. Kept in the verdict as FAILED, never
                        // dropped (a PDF with only such a signature is not "unsigned").
                        Ok(Some(compressed)) => {
                            problems.push(
                                "the signature dictionary is inside an object stream: its /Contents are not in the \
                                 file's bytes, so no /ByteRange can exclude them (ISO 32000-1 §12.8.1)"
                                    .into(),
                            );
                            std::rc::Rc::new(Indirect {
                                value: compressed,
                                stream: None,
                                well_formed: false,
                                span: Default::default(),
                            })
                        }
                        // A /V naming nothing is null (§7.3.10): an empty field, as readers show it.
                        Ok(None) => continue,
                        Err(e) => {
                            problems.push(format!("the signature dictionary cannot be read ({e})"));
                            std::rc::Rc::new(Indirect {
                                value: Object::Null,
                                stream: None,
                                well_formed: false,
                                span: Default::default(),
                            })
                        }
                    },
                },
            };
            let kind = match object.dict() {
                Some(d) if d.has_name(b"Type", b"DocTimeStamp") => SignatureKind::DocTimeStamp,
                _ => SignatureKind::Signature,
            };
            let entry = found.entry(value).or_insert_with(|| FoundSignature {
                field_name: field_name.clone(),
                value,
                object,
                kind,
                last_listed: rev,
                problems,
                field,
            });
            entry.last_listed = rev;
            entry.field_name = field_name;
            entry.field = field;
        }
    }
    let mut signatures: Vec<FoundSignature> = found.into_values().collect();
    // In the order they were made: by where their dictionaries are in the file.
    signatures.sort_by_key(|s| s.object.span.start);
    Ok(signatures)
}

/// A form field (or a widget kid of one) as revision `rev` has it.
pub(crate) struct FormField {
    /// Its object, when it is an indirect one (fields in `/Fields` and `/Kids` must be).
    pub id: Option<ObjId>,
    /// Its fully qualified name (`/T` of it and its parents, joined by dots).
    pub name: String,
    /// `/FT`, inherited from its parents.
    pub field_type: Option<Vec<u8>>,
    pub dict: Dict,
}

/// A walk of the interactive form: the fields of revision `rev`, and what it read.
pub(crate) struct FormWalk {
    /// The newest revision it is known to hold for.
    rev: Cell<usize>,
    /// The trailer's `/Root` it started from.
    root: Option<Object>,
    /// The object numbers it read (and the object streams holding them).
    read: HashSet<u32>,
    fields: Rc<Vec<FormField>>,
}

impl FormWalk {
    /// Whether the walk holds for revision `rev` too: every revision after its own builds
    /// on the one before, keeps `/Root`, and writes none of the objects read (so a file of
    /// 1,000 empty updates over a 10,000-field form is walked once, not 1,000 times).
    fn holds_for(&self, doc: &Document<'_>, rev: usize) -> Result<bool, PdfError> {
        if rev < self.rev.get() {
            return Ok(false);
        }
        for q in self.rev.get() + 1..=rev {
            let revision = &doc.revisions[q];
            doc.budget.spend(1 + revision.own.len() as u64)?;
            if !revision.builds_on_previous
                || revision.trailer.get(b"Root") != self.root.as_ref()
                || revision.own.keys().any(|num| self.read.contains(num))
            {
                return Ok(false);
            }
            self.rev.set(q);
        }
        Ok(true)
    }
}

/// Every field of the interactive form in revision `rev`, from the catalog's
/// `/AcroForm /Fields` through `/Kids`: the previous walk if it still holds, else a new one.
pub(crate) fn form_fields(doc: &Document<'_>, rev: usize) -> Result<Rc<Vec<FormField>>, PdfError> {
    if let Some(walk) = doc.form_walk.borrow().as_ref() {
        if walk.holds_for(doc, rev)? {
            return Ok(walk.fields.clone());
        }
    }
    let walk = walk_form(doc, rev)?;
    let fields = walk.fields.clone();
    *doc.form_walk.borrow_mut() = Some(Rc::new(walk));
    Ok(fields)
}

/// The form walk of revision `rev`, each field counted against the document's budget.
fn walk_form(doc: &Document<'_>, rev: usize) -> Result<FormWalk, PdfError> {
    let root = doc.revisions[rev].trailer.get(b"Root").cloned();
    let mut read = HashSet::new();
    // `Document::resolve`, noting what is read.
    let mut resolve = |object: &Object| -> Result<Object, PdfError> {
        let mut current = object.copy_in(&doc.budget)?;
        for _ in 0..32 {
            doc.budget.spend(1)?;
            match current {
                Object::Ref(id) => {
                    read.insert(id.num);
                    if let Some(&Entry::Compressed { stream, .. }) = doc.revisions[rev].entries.get(&id.num) {
                        read.insert(stream);
                    }
                    current = doc.object(rev, id)?.unwrap_or(Object::Null);
                }
                other => return Ok(other),
            }
        }
        Err(PdfError::TooComplex("a chain of references is too long"))
    };
    let Object::Dict(catalog) = resolve(root.as_ref().unwrap_or(&Object::Null))? else {
        return Err(PdfError::Malformed {
            at: 0,
            what: "the trailer's /Root is not a dictionary".into(),
        });
    };
    let mut out = Vec::new();
    let fields = match catalog.get(b"AcroForm").map(&mut resolve).transpose()? {
        Some(Object::Dict(form)) => match form.get(b"Fields").map(&mut resolve).transpose()? {
            Some(Object::Array(fields)) => fields,
            _ => Vec::new(),
        },
        _ => Vec::new(),
    };
    let mut visited = HashSet::new();
    // (field reference, parent's qualified name, inherited /FT, depth)
    let mut stack: Vec<(Object, String, Option<Vec<u8>>, usize)> =
        fields.into_iter().rev().map(|f| (f, String::new(), None, 0)).collect();
    while let Some((field, parent, inherited_type, depth)) = stack.pop() {
        doc.budget.spend(1)?;
        if visited.len() >= MAX_FIELDS || depth > 32 {
            return Err(PdfError::TooComplex("too many or too deeply nested form fields"));
        }
        let id = match field {
            Object::Ref(id) if !visited.insert(id) => continue,
            Object::Ref(id) => Some(id),
            _ => None,
        };
        let Object::Dict(dict) = resolve(&field)? else {
            continue;
        };
        let partial = dict
            .get(b"T")
            .and_then(Object::as_string)
            .map(|t| text_string(&t.bytes));
        let name = match (&partial, parent.is_empty()) {
            (Some(t), true) => t.clone(),
            (Some(t), false) => format!("{parent}.{t}"),
            (None, _) => parent.clone(),
        };
        let field_type = dict.name(b"FT").map(<[u8]>::to_vec).or(inherited_type);
        // The walk keeps a copy of every field: counted as memory made.
        doc.budget.hold((1 + dict.entries.len()) * OBJECT_BYTES + name.len())?;
        if let Some(Object::Array(kids)) = dict.get(b"Kids").map(&mut resolve).transpose()? {
            doc.budget.spend(kids.len() as u64)?;
            for kid in kids.into_iter().rev() {
                stack.push((kid, name.clone(), field_type.clone(), depth + 1));
            }
        }
        out.push(FormField {
            id,
            name,
            field_type,
            dict,
        });
    }
    Ok(FormWalk {
        rev: Cell::new(rev),
        root,
        read,
        fields: Rc::new(out),
    })
}

/// A signature field with a value: (qualified name, value, `/V` was direct, the field).
type SignatureField = (String, ObjId, bool, Option<ObjId>);

/// The signature fields with a value in revision `rev`.
fn signature_fields(doc: &Document<'_>, rev: usize) -> Result<Vec<SignatureField>, PdfError> {
    let mut out = Vec::new();
    for field in form_fields(doc, rev)?.iter() {
        if field.field_type.as_deref() != Some(b"Sig") {
            continue;
        }
        // Each is looked up by the caller in every revision: counted.
        doc.budget.spend(4)?;
        match (field.dict.get(b"V"), field.id) {
            (Some(Object::Ref(value)), id) => out.push((field.name.clone(), *value, false, id)),
            (Some(Object::Dict(_)), Some(id)) => out.push((field.name.clone(), id, true, Some(id))),
            _ => {}
        }
    }
    Ok(out)
}
