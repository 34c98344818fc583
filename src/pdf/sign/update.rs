//! The incremental update that carries a new signature (ISO 32000-1 §7.5.6, §12.7.4.5,
//! §12.8.1), laid out before the signature exists: a signature dictionary whose
//! `/Contents` is a run of zeros sized for the CMS and whose `/ByteRange` is written once
//! the update's length is known (fixed width, so nothing moves), an invisible signature
//! field merged with its widget, new versions of the objects that must list the field
//! (the catalog's `/AcroForm` and `/Fields`, the first page's `/Annots`), and an xref
//! section in the original's style (a table, or a stream) with `/Prev`.
//!
//! The input is read with the crate's own parser (`revision.rs`): a file it would not
//! verify afterwards (encrypted, ambiguous, bytes after `%%EOF`) is refused, not signed.

use std::collections::BTreeMap;

use time::OffsetDateTime;

use super::syntax;
use super::PdfSignError;
use crate::pdf::lexer::Lexer;
use crate::pdf::limits::MAX_DEPTH;
use crate::pdf::object::{Dict, ObjId, Object};
use crate::pdf::revision::Document;
use crate::pdf::signature::text_string;

/// Width of the `/ByteRange` array as written, padded with spaces: `[0 a b c]` with three
/// numbers of up to ten digits.
const BYTE_RANGE_WIDTH: usize = 36;

/// What the update's signature dictionary says besides its signature.
pub(crate) struct Request<'a> {
    /// The field's partial name (`/T`).
    pub field_name: &'a str,
    /// `/M`: the claimed signing time.
    pub at: OffsetDateTime,
    /// How many bytes of CMS `/Contents` must hold.
    pub room: usize,
}

/// The file with its update, waiting for its signature.
pub(crate) struct Placeholder {
    /// The original bytes, then the update; `/Contents` all zeros, `/ByteRange` final.
    pub file: Vec<u8>,
    /// The `/Contents` hex string, `<` and `>` included: what the ByteRange leaves out.
    pub contents: (usize, usize),
}

impl Placeholder {
    /// The two signed pieces: everything but the `/Contents` string.
    pub fn signed_parts(&self) -> [&[u8]; 2] {
        [&self.file[..self.contents.0], &self.file[self.contents.1..]]
    }

    /// How many bytes of CMS fit in `/Contents`.
    pub fn room(&self) -> usize {
        (self.contents.1 - self.contents.0 - 2) / 2
    }

    /// The signed file: `cms` written into `/Contents` (hex, zero-padded).
    pub fn fill(mut self, cms: &[u8]) -> Result<Vec<u8>, PdfSignError> {
        if cms.len() > self.room() {
            return Err(PdfSignError::TooLarge {
                size: cms.len(),
                room: self.room(),
            });
        }
        let mut hex = Vec::with_capacity(cms.len() * 2);
        for b in cms {
            hex.extend_from_slice(format!("{b:02X}").as_bytes());
        }
        let at = self.contents.0 + 1;
        self.file[at..at + hex.len()].copy_from_slice(&hex);
        Ok(self.file)
    }
}

fn malformed(what: impl Into<String>) -> PdfSignError {
    PdfSignError::Unreadable(crate::pdf::PdfError::Malformed {
        at: 0,
        what: what.into(),
    })
}

/// Object `id` as of revision `rev`, which must be a dictionary (not a stream) whose keys
/// are written once.
fn dictionary(doc: &Document<'_>, rev: usize, id: ObjId, what: &str) -> Result<Dict, PdfSignError> {
    if doc.indirect(rev, id)?.is_some_and(|i| i.stream.is_some()) {
        return Err(malformed(format!("the {what} (object {id}) is a stream")));
    }
    match doc.object(rev, id)? {
        Some(Object::Dict(d)) if d.duplicate_keys => Err(PdfSignError::Unsupported(format!(
            "the {what} (object {id}) has a key written twice: readers disagree on its value"
        ))),
        Some(Object::Dict(d)) => Ok(d),
        _ => Err(malformed(format!("the {what} (object {id}) is not a dictionary"))),
    }
}

/// Sets `key` (the last entry of that key, or a new one at the end).
fn set(d: &mut Dict, key: &[u8], value: Object) {
    match d.entries.iter().rposition(|(k, _)| k == key) {
        Some(at) => d.entries[at].1 = value,
        None => d.entries.push((key.to_vec(), value)),
    }
}

/// The objects the update writes anew, by number (each once).
#[derive(Default)]
struct Rewrites(BTreeMap<u32, (u16, Object)>);

impl Rewrites {
    fn add(&mut self, id: ObjId, object: Object) -> Result<(), PdfSignError> {
        if self.0.insert(id.num, (id.gen, object)).is_some() {
            return Err(PdfSignError::Unsupported(format!(
                "object {id} plays two parts in the form (it would be rewritten twice)"
            )));
        }
        Ok(())
    }
}

/// Appends `item` to the array at `holder`'s `key`: in the array object itself when
/// `key` refers to one (then `holder` is unchanged: `false`), else in `holder`.
fn append(
    doc: &Document<'_>,
    rev: usize,
    holder: &mut Dict,
    key: &[u8],
    item: Object,
    rewrites: &mut Rewrites,
) -> Result<bool, PdfSignError> {
    let shown = String::from_utf8_lossy(key).into_owned();
    match holder.get(key).cloned() {
        Some(Object::Ref(id)) => match doc.object(rev, id)? {
            Some(Object::Array(mut items)) => {
                items.push(item);
                rewrites.add(id, Object::Array(items))?;
                Ok(false)
            }
            _ => Err(malformed(format!("/{shown} (object {id}) is not an array"))),
        },
        Some(Object::Array(mut items)) => {
            items.push(item);
            set(holder, key, Object::Array(items));
            Ok(true)
        }
        None | Some(Object::Null) => {
            set(holder, key, Object::Array(vec![item]));
            Ok(true)
        }
        Some(_) => Err(malformed(format!("/{shown} is not an array"))),
    }
}

/// The first page of the page tree, and its object.
fn first_page(doc: &Document<'_>, rev: usize, catalog: &Dict) -> Result<(ObjId, Dict), PdfSignError> {
    let mut id = catalog
        .reference(b"Pages")
        .ok_or_else(|| malformed("the catalog has no /Pages reference"))?;
    for _ in 0..MAX_DEPTH {
        let node = dictionary(doc, rev, id, "page tree node")?;
        if node.has_name(b"Type", b"Page") {
            return Ok((id, node));
        }
        let kids = node.get(b"Kids").map(|k| doc.resolve(rev, k)).transpose()?;
        match kids.as_ref().and_then(Object::as_array).and_then(|k| k.first()) {
            Some(Object::Ref(kid)) => id = *kid,
            Some(_) => return Err(malformed("a page tree node's first kid is not a reference")),
            None => return Err(PdfSignError::Unsupported("the document has no page".into())),
        }
    }
    Err(PdfSignError::Unreadable(crate::pdf::PdfError::TooComplex(
        "the page tree is too deep",
    )))
}

/// Refuses `name` when a top-level field of `form` already has it.
fn check_name_is_free(doc: &Document<'_>, rev: usize, form: &Dict, name: &str) -> Result<(), PdfSignError> {
    let fields = form.get(b"Fields").map(|f| doc.resolve(rev, f)).transpose()?;
    for field in fields.as_ref().and_then(Object::as_array).unwrap_or_default() {
        let Some(field) = doc.dict(rev, Some(field))? else {
            continue;
        };
        if field
            .get(b"T")
            .and_then(Object::as_string)
            .map(|t| text_string(&t.bytes))
            == Some(name.to_owned())
        {
            return Err(PdfSignError::FieldExists(name.to_owned()));
        }
    }
    Ok(())
}

/// Adds the field to `form` (its `/Fields` and `/SigFlags` 3: signatures exist, append
/// only); returns whether `form` itself changed.
fn add_to_form(
    doc: &Document<'_>,
    rev: usize,
    form: &mut Dict,
    field: ObjId,
    rewrites: &mut Rewrites,
) -> Result<bool, PdfSignError> {
    let mut changed = append(doc, rev, form, b"Fields", Object::Ref(field), rewrites)?;
    let flags = form.get(b"SigFlags").and_then(Object::as_int);
    if flags.is_none_or(|f| f & 3 != 3) {
        set(form, b"SigFlags", Object::Int(flags.unwrap_or(0) | 3));
        changed = true;
    }
    Ok(changed)
}

/// Lays out the update for `request` after `data`.
pub(crate) fn prepare(data: &[u8], request: &Request<'_>) -> Result<Placeholder, PdfSignError> {
    let doc = Document::parse(data)?;
    if doc
        .revisions
        .iter()
        .any(|r| !matches!(r.trailer.get(b"Encrypt"), None | Some(Object::Null)))
    {
        return Err(PdfSignError::Encrypted);
    }
    if let Some(at) = doc.trailing {
        return Err(PdfSignError::Unsupported(format!(
            "{} bytes after its last %%EOF are no update",
            data.len() - at
        )));
    }
    if let Some(anomaly) = doc.anomalies.first() {
        return Err(PdfSignError::Unsupported(format!(
            "its structure is ambiguous ({anomaly})"
        )));
    }
    if doc.revisions.iter().any(|r| r.hybrid) {
        return Err(PdfSignError::Unsupported(
            "it is a hybrid-reference file (xref table and stream), which readers may read differently".into(),
        ));
    }
    let rev = doc.last();
    let revision = &doc.revisions[rev];
    let trailer = &revision.trailer;
    let root = trailer
        .reference(b"Root")
        .ok_or_else(|| malformed("the trailer has no /Root reference"))?;
    let mut catalog = dictionary(&doc, rev, root, "catalog")?;
    let (page_id, mut page) = first_page(&doc, rev, &catalog)?;

    // New objects after every number in use.
    let highest = revision.entries.iter().map(|(num, _)| num).max().unwrap_or(0);
    let size = trailer
        .int(b"Size")
        .and_then(|s| u32::try_from(s).ok())
        .unwrap_or(0)
        .max(highest.saturating_add(1));
    let signature = ObjId { num: size, gen: 0 };
    let field = ObjId { num: size + 1, gen: 0 };
    let mut next_size = size + 2;

    let mut rewrites = Rewrites::default();
    let mut catalog_changed = false;
    match catalog.get(b"AcroForm").cloned() {
        Some(Object::Ref(form_id)) => {
            let mut form = dictionary(&doc, rev, form_id, "interactive form")?;
            check_name_is_free(&doc, rev, &form, request.field_name)?;
            if add_to_form(&doc, rev, &mut form, field, &mut rewrites)? {
                rewrites.add(form_id, Object::Dict(form))?;
            }
        }
        Some(Object::Dict(mut form)) => {
            check_name_is_free(&doc, rev, &form, request.field_name)?;
            add_to_form(&doc, rev, &mut form, field, &mut rewrites)?;
            set(&mut catalog, b"AcroForm", Object::Dict(form));
            catalog_changed = true;
        }
        None | Some(Object::Null) => {
            let mut form = Dict::default();
            add_to_form(&doc, rev, &mut form, field, &mut rewrites)?;
            set(&mut catalog, b"AcroForm", Object::Dict(form));
            catalog_changed = true;
        }
        Some(_) => return Err(malformed("the catalog's /AcroForm is not a dictionary")),
    }
    if append(&doc, rev, &mut page, b"Annots", Object::Ref(field), &mut rewrites)? {
        rewrites.add(page_id, Object::Dict(page))?;
    }
    if catalog_changed {
        rewrites.add(root, Object::Dict(catalog))?;
    }

    let mut out = Vec::with_capacity(data.len() + 2 * request.room + 4096);
    out.extend_from_slice(data);
    if !matches!(data.last(), Some(b'\n' | b'\r')) {
        out.push(b'\n');
    }
    let mut offsets: BTreeMap<u32, (usize, u16)> = BTreeMap::new();
    let mut begin = |out: &mut Vec<u8>, id: ObjId| {
        offsets.insert(id.num, (out.len(), id.gen));
        out.extend_from_slice(format!("{} {} obj\n", id.num, id.gen).as_bytes());
    };

    // The signature dictionary, its two placeholders located as they are written.
    begin(&mut out, signature);
    out.extend_from_slice(b"<</Type /Sig /Filter /Adobe.PPKLite /SubFilter /ETSI.CAdES.detached /M (");
    out.extend_from_slice(syntax::date(request.at).as_bytes());
    out.extend_from_slice(b") /ByteRange ");
    let byte_range_at = out.len();
    out.extend_from_slice(format!("{:<BYTE_RANGE_WIDTH$}", "[0 0 0 0]").as_bytes());
    out.extend_from_slice(b" /Contents ");
    let contents_start = out.len();
    out.push(b'<');
    out.resize(out.len() + 2 * request.room, b'0');
    out.push(b'>');
    let contents_end = out.len();
    out.extend_from_slice(b">>\nendobj\n");

    // The field, merged with its invisible widget (zero-size, printed, locked).
    begin(&mut out, field);
    out.extend_from_slice(b"<</Type /Annot /Subtype /Widget /FT /Sig /T ");
    syntax::hex_string(&mut out, &syntax::text_string(request.field_name));
    out.extend_from_slice(
        format!(
            " /V {} 0 R /F 132 /Rect [0 0 0 0] /P {} {} R>>\nendobj\n",
            signature.num, page_id.num, page_id.gen
        )
        .as_bytes(),
    );

    for (&num, (gen, object)) in &rewrites.0 {
        begin(&mut out, ObjId { num, gen: *gen });
        syntax::object(&mut out, object);
        out.extend_from_slice(b"\nendobj\n");
    }

    // The trailer: what readers need from the previous one, and the chain back to it.
    let mut new_trailer = Dict::default();
    for key in [&b"Root"[..], b"Info", b"ID"] {
        if let Some(value) = trailer.get(key) {
            new_trailer.entries.push((key.to_vec(), value.clone()));
        }
    }
    new_trailer
        .entries
        .push((b"Prev".to_vec(), Object::Int(revision.xref_at as i64)));
    let xref_at = out.len();
    if Lexer::at(data, revision.xref_at).at_keyword(b"xref") {
        new_trailer
            .entries
            .insert(0, (b"Size".to_vec(), Object::Int(i64::from(next_size))));
        xref_table(&mut out, &offsets);
        out.extend_from_slice(b"trailer\n");
        syntax::dict(&mut out, &new_trailer);
        out.push(b'\n');
    } else {
        let stream = ObjId { num: next_size, gen: 0 };
        next_size += 1;
        offsets.insert(stream.num, (xref_at, 0));
        xref_stream(&mut out, stream, next_size, &offsets, new_trailer)?;
    }
    out.extend_from_slice(format!("startxref\n{xref_at}\n%%EOF\n").as_bytes());

    let range = format!("[0 {contents_start} {contents_end} {}]", out.len() - contents_end);
    if range.len() > BYTE_RANGE_WIDTH {
        return Err(PdfSignError::Unsupported("the file is too large to sign".into()));
    }
    out[byte_range_at..byte_range_at + BYTE_RANGE_WIDTH]
        .copy_from_slice(format!("{range:<BYTE_RANGE_WIDTH$}").as_bytes());
    Ok(Placeholder {
        file: out,
        contents: (contents_start, contents_end),
    })
}

/// Runs of consecutive object numbers: (first, count).
fn runs(offsets: &BTreeMap<u32, (usize, u16)>) -> Vec<(u32, u32)> {
    let mut runs: Vec<(u32, u32)> = Vec::new();
    for &num in offsets.keys() {
        match runs.last_mut() {
            Some((first, count)) if *first + *count == num => *count += 1,
            _ => runs.push((num, 1)),
        }
    }
    runs
}

/// A classic xref table (§7.5.4): one subsection per run, 20-byte rows.
fn xref_table(out: &mut Vec<u8>, offsets: &BTreeMap<u32, (usize, u16)>) {
    out.extend_from_slice(b"xref\n");
    for (first, count) in runs(offsets) {
        out.extend_from_slice(format!("{first} {count}\n").as_bytes());
        for num in first..first + count {
            let (offset, gen) = offsets[&num];
            out.extend_from_slice(format!("{offset:010} {gen:05} n\r\n").as_bytes());
        }
    }
}

/// An xref stream (§7.5.8), unfiltered, `/W [1 4 2]`, listing itself too.
fn xref_stream(
    out: &mut Vec<u8>,
    id: ObjId,
    size: u32,
    offsets: &BTreeMap<u32, (usize, u16)>,
    mut dict: Dict,
) -> Result<(), PdfSignError> {
    let mut rows = Vec::with_capacity(offsets.len() * 7);
    for &(offset, gen) in offsets.values() {
        let offset =
            u32::try_from(offset).map_err(|_| PdfSignError::Unsupported("the file is too large to sign".into()))?;
        rows.push(1);
        rows.extend_from_slice(&offset.to_be_bytes());
        rows.extend_from_slice(&gen.to_be_bytes());
    }
    let index = runs(offsets)
        .into_iter()
        .flat_map(|(first, count)| [Object::Int(i64::from(first)), Object::Int(i64::from(count))])
        .collect();
    let head = [
        (&b"Type"[..], Object::Name(b"XRef".to_vec())),
        (b"Size", Object::Int(i64::from(size))),
        (
            b"W",
            Object::Array(vec![Object::Int(1), Object::Int(4), Object::Int(2)]),
        ),
        (b"Index", Object::Array(index)),
        (b"Length", Object::Int(rows.len() as i64)),
    ];
    for (i, (key, value)) in head.into_iter().enumerate() {
        dict.entries.insert(i, (key.to_vec(), value));
    }
    out.extend_from_slice(format!("{} {} obj\n", id.num, id.gen).as_bytes());
    syntax::dict(out, &dict);
    out.extend_from_slice(b"\nstream\n");
    out.extend_from_slice(&rows);
    out.extend_from_slice(b"\nendstream\nendobj\n");
    Ok(())
}
