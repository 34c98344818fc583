//! A PDF as a series of revisions (ISO 32000-1 §7.5.6, incremental updates), each with the
//! xref as it stood when that revision was written, and objects read "as of" a revision.
//! Nothing is repaired: what does not parse is an error, what parses but is odd (a section
//! outside its revision's bytes, a chain that does not build on the previous revision,
//! bytes after the last `%%EOF`) is recorded as an anomaly for the signature checks.

use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::rc::Rc;

use super::filters;
use super::lexer::{rfind, Lexer};
use super::limits::{
    Budget, ENTRY_BYTES, INDIRECT_BYTES, MAX_FILE_SIZE, MAX_OBJECTS_PER_STREAM, MAX_REVISIONS, OBJECT_BYTES,
};
use super::object::{parse_indirect, parse_object, Dict, Indirect, ObjId, Object};
use super::signature::FormWalk;
use super::xref::{end_marker, read_section, EndMarker, Entry, Section};
use super::PdfError;

/// The objects of one object stream, in order: (object number, object).
type StreamObjects = Rc<Vec<(u32, Object)>>;

/// Xref sections by offset, each read once for all the `startxref` tried (with the entries
/// of its hybrid xref stream merged in).
type SectionCache = HashMap<usize, Result<Rc<Section>, PdfError>>;

/// The xref of one revision: every object number's newest entry as of that revision.
///
/// Revisions that build on the one before share one table of versioned rows (each adds
/// only its own entries: 1,000 updates of a 10,000-object file hold 10,000 rows, not ten
/// million); one that does not (an anomaly) has a map of its own, counted in the budget.
#[derive(Debug, Clone)]
pub(crate) enum Xref {
    /// Rows (object number, revision, entry) sorted; this revision's index.
    Shared {
        rows: Rc<Vec<(u32, u32, Entry)>>,
        version: u32,
    },
    Own(Rc<BTreeMap<u32, Entry>>),
}

impl Xref {
    /// Object `num`'s entry as of this revision.
    pub fn get(&self, num: &u32) -> Option<&Entry> {
        match self {
            Xref::Shared { rows, version } => {
                let at = rows.partition_point(|&(n, v, _)| (n, v) <= (*num, *version));
                match rows.get(at.checked_sub(1)?)? {
                    (n, _, entry) if n == num => Some(entry),
                    _ => None,
                }
            }
            Xref::Own(map) => map.get(num),
        }
    }

    /// Every object number's entry as of this revision, by number.
    pub fn iter(&self) -> Box<dyn Iterator<Item = (u32, Entry)> + '_> {
        match self {
            Xref::Shared { rows, version } => {
                let version = *version;
                let visible = rows.iter().filter(move |&&(_, v, _)| v <= version);
                // Rows are sorted by (number, revision): the last visible row of a number
                // is its entry.
                let mut visible = visible.peekable();
                Box::new(std::iter::from_fn(move || loop {
                    let &(num, _, entry) = visible.next()?;
                    if visible.peek().is_none_or(|&&(next, _, _)| next != num) {
                        return Some((num, entry));
                    }
                }))
            }
            Xref::Own(map) => Box::new(map.iter().map(|(&num, &entry)| (num, entry))),
        }
    }
}

/// What [`Document::parse_from`] reads.
struct Parsed {
    revisions: Vec<Revision>,
    anomalies: Vec<String>,
    trailing: Option<usize>,
}

/// One revision: the original file, or one incremental update.
#[derive(Debug, Clone)]
pub(crate) struct Revision {
    /// Where its bytes start (the previous revision's end; 0 for the first).
    pub start: usize,
    /// Just after its `%%EOF` (and one end-of-line).
    pub end: usize,
    /// Just after its `%%EOF` (a signature may end here or at `end`).
    pub eof_end: usize,
    /// Its `startxref` value: the newest section of its chain.
    pub xref_at: usize,
    /// The xref as of this revision: every object number's newest entry.
    pub entries: Xref,
    /// The entries its own sections list (what it adds or changes).
    pub own: BTreeMap<u32, Entry>,
    /// Its newest section's trailer.
    pub trailer: Dict,
    /// One of its own sections is a hybrid-reference table (`/XRefStm`, §7.5.8.4).
    pub hybrid: bool,
    /// Its xref chain is its own sections followed by the previous revision's chain: its
    /// entries are the previous revision's with `own` laid over them.
    pub builds_on_previous: bool,
    /// Where its own xref sections are (with their trailers, or their stream objects).
    pub own_spans: Vec<(usize, usize)>,
}

/// A parsed PDF: its revisions, oldest first, and what looked wrong.
pub(crate) struct Document<'a> {
    pub data: &'a [u8],
    pub revisions: Vec<Revision>,
    /// Structural oddities (each makes changes after signing unclassifiable).
    pub anomalies: Vec<String>,
    /// Bytes after the last revision's end, if any.
    pub trailing: Option<usize>,
    pub budget: Budget,
    objects: RefCell<HashMap<(usize, ObjId), Rc<Indirect>>>,
    object_streams: RefCell<HashMap<usize, StreamObjects>>,
    /// The newest form walk (`signature::form_fields`), reused by later revisions that
    /// change none of what it read.
    pub(crate) form_walk: RefCell<Option<Rc<FormWalk>>>,
}

fn malformed(at: usize, what: impl Into<String>) -> PdfError {
    PdfError::Malformed { at, what: what.into() }
}

impl<'a> Document<'a> {
    /// Reads the revision structure of `data`.
    pub fn parse(data: &'a [u8]) -> Result<Document<'a>, PdfError> {
        if data.len() > MAX_FILE_SIZE {
            return Err(PdfError::TooComplex("the file is too large"));
        }
        if !data.starts_with(b"%PDF-") {
            let head = &data[..data.len().min(1024)];
            if rfind(head, b"%PDF-").is_none() {
                return Err(malformed(0, "not a PDF (no %PDF- header)"));
            }
        }
        // One budget for the document, the retries below included.
        let budget = Budget::for_input(data.len());
        let mut cache = SectionCache::new();
        // `startxref` is in the last kilobyte of a normal file: look there first.
        let last = [2 << 10, 64 << 10, data.len()]
            .into_iter()
            .find_map(|window: usize| {
                let from = data.len().saturating_sub(window);
                rfind(&data[from..], b"startxref").map(|i| i + from)
            })
            .ok_or_else(|| malformed(data.len(), "no startxref"))?;
        let final_marker =
            end_marker(data, last).ok_or_else(|| malformed(last, "the last startxref is not followed by %%EOF"))?;
        let parsed = match Self::parse_from(data, final_marker, &budget, &mut cache) {
            Ok(parsed) => parsed,
            // The last update does not parse: read the file up to the newest earlier end
            // that does, and keep the rest as bytes that are no update (so that signatures
            // over earlier revisions are reported as modified, not the file as unreadable).
            // Sections already read are not read again, and all of it is counted.
            Err(error) => {
                let mut before = last;
                let mut found = None;
                for _ in 0..64 {
                    let Some(at) = rfind(&data[..before], b"startxref") else {
                        break;
                    };
                    before = at;
                    let Some(marker) = end_marker(data, at) else { continue };
                    match Self::parse_from(data, marker, &budget, &mut cache) {
                        Ok(mut parsed) => {
                            parsed
                                .anomalies
                                .push(format!("the update after byte {} does not parse ({error})", marker.end));
                            parsed.trailing = Some(marker.end);
                            found = Some(parsed);
                            break;
                        }
                        Err(e @ PdfError::TooComplex(_)) if budget.spent_out() => return Err(e),
                        Err(_) => {}
                    }
                }
                found.ok_or(error)?
            }
        };
        Ok(Document {
            data,
            revisions: parsed.revisions,
            anomalies: parsed.anomalies,
            trailing: parsed.trailing,
            budget,
            objects: RefCell::default(),
            object_streams: RefCell::default(),
            form_walk: RefCell::default(),
        })
    }

    /// The section at `at` (a hybrid table with its stream's entries), read once.
    fn section(data: &[u8], at: usize, budget: &Budget, cache: &mut SectionCache) -> Result<Rc<Section>, PdfError> {
        if let Some(hit) = cache.get(&at) {
            return hit.clone();
        }
        let read = || -> Result<Rc<Section>, PdfError> {
            let mut section = read_section(data, at, budget)?;
            // A hybrid file's table names an xref stream with more entries (§7.5.8.4):
            // the table's own entries first, then the stream's, then /Prev.
            if let Some(stm) = section.trailer.int(b"XRefStm").and_then(|x| usize::try_from(x).ok()) {
                let hybrid = read_section(data, stm, budget)?;
                section.spans.extend(hybrid.spans);
                section.ambiguities.extend(hybrid.ambiguities);
                for (num, entry) in hybrid.entries {
                    section.entries.entry(num).or_insert(entry);
                }
            }
            Ok(Rc::new(section))
        };
        let result = read();
        cache.insert(at, result.clone());
        result
    }

    /// Reads the revisions whose newest end marker is `final_marker`.
    fn parse_from(
        data: &[u8],
        final_marker: EndMarker,
        budget: &Budget,
        cache: &mut SectionCache,
    ) -> Result<Parsed, PdfError> {
        let trailing = (final_marker.end < data.len()).then_some(final_marker.end);

        // Every section of the chain, newest first, with the end marker that follows it.
        let mut sections: Vec<(Rc<Section>, Option<EndMarker>)> = Vec::new();
        let mut seen = HashSet::new();
        let mut next = Some(final_marker.xref);
        while let Some(at) = next {
            if !seen.insert(at) {
                return Err(malformed(at, "the xref chain loops (/Prev)"));
            }
            if sections.len() >= MAX_REVISIONS {
                return Err(PdfError::TooComplex("too many xref sections"));
            }
            budget.spend(1)?;
            let section = Self::section(data, at, budget, cache)?;
            let marker = end_marker(data, section.end);
            next = section.prev();
            sections.push((section, marker));
        }

        // Revision ends: the markers that name a section (a linearized file's first-page
        // section ends with `startxref 0`, which ends nothing).
        let mut ends: Vec<EndMarker> = sections
            .iter()
            .filter_map(|(_, marker)| *marker)
            .filter(|m| m.xref != 0 && seen.contains(&m.xref) && m.end <= final_marker.end)
            .collect();
        ends.sort_by_key(|m| m.end);
        ends.dedup_by_key(|m| m.end);
        if ends.last().map(|m| m.end) != Some(final_marker.end) {
            ends.push(final_marker);
        }
        let by_offset: HashMap<usize, &Section> = sections.iter().map(|(s, _)| (s.at, &**s)).collect();
        let chain = |from: usize| -> Result<Vec<&Section>, PdfError> {
            let mut out = Vec::new();
            let mut visited = HashSet::new();
            let mut at = Some(from);
            while let Some(s) = at.and_then(|a| by_offset.get(&a)) {
                if !visited.insert(s.at) {
                    break;
                }
                budget.spend(1)?;
                out.push(*s);
                at = s.prev();
            }
            Ok(out)
        };

        let mut anomalies = Vec::new();
        let mut revisions: Vec<Revision> = Vec::new();
        // Rows of the shared xref table, and whether every revision so far shares it.
        let mut rows: Vec<(u32, u32, Entry)> = Vec::new();
        let mut sharing = true;
        for &EndMarker {
            xref: xref_at,
            eof_end,
            end,
        } in &ends
        {
            let sections_now = chain(xref_at)?;
            let previous = revisions.last();
            let earlier: Vec<usize> = match previous {
                Some(p) => chain(p.xref_at)?.iter().map(|s| s.at).collect(),
                None => Vec::new(),
            };
            let earlier_set: HashSet<usize> = earlier.iter().copied().collect();
            let own: Vec<&&Section> = sections_now.iter().filter(|s| !earlier_set.contains(&s.at)).collect();
            let builds_on_previous = sections_now
                .iter()
                .map(|s| s.at)
                .skip(own.len())
                .eq(earlier.iter().copied());
            let start = previous.map_or(0, |p| p.end);
            if !builds_on_previous {
                anomalies.push(format!(
                    "the update ending at byte {end} does not build on the revision before it"
                ));
            }
            let mut own_entries = BTreeMap::new();
            let mut own_spans = Vec::new();
            for s in own.iter().rev() {
                budget.spend(s.entries.len() as u64)?;
                budget.hold(s.entries.len() * ENTRY_BYTES)?;
                own_entries.extend(s.entries.iter().map(|(k, v)| (*k, *v)));
                own_spans.extend(s.spans.iter().copied());
                anomalies.extend(s.ambiguities.iter().cloned());
                if previous.is_some() && !(start..end).contains(&s.at) {
                    anomalies.push(format!(
                        "the update ending at byte {end} has its xref at byte {} outside its own bytes",
                        s.at
                    ));
                }
                if let Some(stm) = s.trailer.int(b"XRefStm").and_then(|x| usize::try_from(x).ok()) {
                    if previous.is_some() && !(start..end).contains(&stm) {
                        anomalies.push(format!(
                            "the update ending at byte {end} points at an xref stream at byte {stm}, outside its own bytes"
                        ));
                    }
                }
            }
            // Its entries: its own rows over the previous revision's, or (once the chain
            // has been broken) a full map of its own.
            sharing &= builds_on_previous;
            let version = revisions.len() as u32;
            let entries = if sharing {
                budget.hold(own_entries.len() * ENTRY_BYTES)?;
                rows.extend(own_entries.iter().map(|(&num, &entry)| (num, version, entry)));
                Xref::Shared {
                    rows: Rc::default(),
                    version,
                }
            } else {
                let mut entries = BTreeMap::new();
                for s in sections_now.iter().rev() {
                    budget.spend(s.entries.len() as u64)?;
                    budget.hold(s.entries.len() * ENTRY_BYTES)?;
                    entries.extend(s.entries.iter().map(|(k, v)| (*k, *v)));
                }
                Xref::Own(Rc::new(entries))
            };
            let newest = sections_now
                .first()
                .ok_or_else(|| malformed(xref_at, "a revision has no xref"))?;
            // The trailer is copied into the revision: counted as made.
            let nodes: u64 = newest.trailer.entries.iter().map(|(_, v)| 1 + v.nodes()).sum();
            budget.spend(nodes)?;
            budget.hold(nodes as usize * OBJECT_BYTES)?;
            revisions.push(Revision {
                start,
                end,
                eof_end,
                xref_at,
                entries,
                own: own_entries,
                trailer: newest.trailer.clone(),
                hybrid: own.iter().any(|s| s.trailer.get(b"XRefStm").is_some()),
                builds_on_previous,
                own_spans,
            });
        }
        budget.spend(rows.len() as u64)?;
        rows.sort_unstable_by_key(|&(num, version, _)| (num, version));
        let rows = Rc::new(rows);
        for revision in &mut revisions {
            if let Xref::Shared { rows: shared, .. } = &mut revision.entries {
                *shared = rows.clone();
            }
        }
        Ok(Parsed {
            revisions,
            anomalies,
            trailing,
        })
    }

    /// The last revision's index.
    pub fn last(&self) -> usize {
        self.revisions.len() - 1
    }

    /// The indirect object written at `offset` (which must be `id`), parsed once. An
    /// indirect `/Length` is read from revision `rev`.
    pub fn indirect_at(&self, rev: usize, offset: usize, id: ObjId) -> Result<Rc<Indirect>, PdfError> {
        if let Some(hit) = self.objects.borrow().get(&(offset, id)) {
            return Ok(hit.clone());
        }
        let length = |r: ObjId| match self.revisions[rev].entries.get(&r.num) {
            Some(&Entry::InUse { offset, gen }) if gen == r.gen => {
                let mut lx = Lexer::at(self.data, offset);
                let header = (lx.unsigned(), lx.unsigned(), lx.eat_keyword(b"obj"));
                (header == (Some(u64::from(r.num)), Some(u64::from(r.gen)), true))
                    .then(|| parse_object(&mut lx, &self.budget).ok()?.as_int())
                    .flatten()
            }
            _ => None,
        };
        let parsed = Rc::new(parse_indirect(self.data, offset, Some(id), &self.budget, &length)?);
        self.budget.hold(INDIRECT_BYTES)?;
        self.objects.borrow_mut().insert((offset, id), parsed.clone());
        Ok(parsed)
    }

    /// Object `id` as of revision `rev`: `None` if free or absent there.
    pub fn object(&self, rev: usize, id: ObjId) -> Result<Option<Object>, PdfError> {
        match self.revisions[rev].entries.get(&id.num) {
            Some(&Entry::InUse { offset, gen }) if gen == id.gen => {
                Ok(Some(self.indirect_at(rev, offset, id)?.value.copy_in(&self.budget)?))
            }
            Some(&Entry::Compressed { stream, index }) if id.gen == 0 => {
                let objects = self.object_stream(rev, stream)?;
                match objects.get(index as usize) {
                    Some((num, value)) if *num == id.num => Ok(Some(value.copy_in(&self.budget)?)),
                    _ => Err(malformed(
                        0,
                        format!("object {id} is not where its object stream entry says"),
                    )),
                }
            }
            _ => Ok(None),
        }
    }

    /// The indirect object (with its stream) for `id` as of `rev`, if it is not compressed.
    pub fn indirect(&self, rev: usize, id: ObjId) -> Result<Option<Rc<Indirect>>, PdfError> {
        match self.revisions[rev].entries.get(&id.num) {
            Some(&Entry::InUse { offset, gen }) if gen == id.gen => Ok(Some(self.indirect_at(rev, offset, id)?)),
            _ => Ok(None),
        }
    }

    /// Follows references (a bounded number) to a direct object, as of `rev`.
    pub fn resolve(&self, rev: usize, object: &Object) -> Result<Object, PdfError> {
        let mut current = object.copy_in(&self.budget)?;
        for _ in 0..32 {
            self.budget.spend(1)?;
            match current {
                Object::Ref(id) => current = self.object(rev, id)?.unwrap_or(Object::Null),
                other => return Ok(other),
            }
        }
        Err(PdfError::TooComplex("a chain of references is too long"))
    }

    /// A dictionary value, resolved, as of `rev` (`None` if absent or not a dictionary).
    pub fn dict(&self, rev: usize, object: Option<&Object>) -> Result<Option<Dict>, PdfError> {
        match object {
            Some(o) => Ok(match self.resolve(rev, o)? {
                Object::Dict(d) => Some(d),
                _ => None,
            }),
            None => Ok(None),
        }
    }

    /// The objects of object stream `stream` as of `rev`, in order.
    fn object_stream(&self, rev: usize, stream: u32) -> Result<StreamObjects, PdfError> {
        let Some(&Entry::InUse { offset, gen }) = self.revisions[rev].entries.get(&stream) else {
            return Err(malformed(0, format!("object stream {stream} is not in use")));
        };
        if let Some(hit) = self.object_streams.borrow().get(&offset) {
            return Ok(hit.clone());
        }
        let holder = self.indirect_at(rev, offset, ObjId { num: stream, gen })?;
        let (Some(dict), Some(raw)) = (holder.dict(), holder.stream) else {
            return Err(malformed(offset, "an object stream is not a stream"));
        };
        if !dict.has_name(b"Type", b"ObjStm") {
            return Err(malformed(offset, "an object stream without /Type /ObjStm"));
        }
        let data = filters::decode(dict, &self.data[raw.start..raw.end], &self.budget)?;
        let count = dict
            .int(b"N")
            .and_then(|n| usize::try_from(n).ok())
            .filter(|&n| n <= MAX_OBJECTS_PER_STREAM)
            .ok_or_else(|| malformed(offset, "an object stream's /N is missing or too large"))?;
        let first = dict
            .int(b"First")
            .and_then(|n| usize::try_from(n).ok())
            .ok_or_else(|| malformed(offset, "an object stream's /First is missing"))?;
        let mut header = Lexer::at(&data, 0);
        let mut places = Vec::with_capacity(count);
        for _ in 0..count {
            let (Some(num), Some(at)) = (header.unsigned(), header.unsigned()) else {
                return Err(malformed(offset, "an object stream's header is malformed"));
            };
            places.push((u32::try_from(num).unwrap_or(u32::MAX), at as usize));
        }
        let mut objects = Vec::with_capacity(count);
        for (num, at) in places {
            let mut lx = Lexer::at(&data, first.saturating_add(at).min(data.len()));
            objects.push((num, parse_object(&mut lx, &self.budget)?));
        }
        let objects = Rc::new(objects);
        self.object_streams.borrow_mut().insert(offset, objects.clone());
        Ok(objects)
    }

    /// The catalog (`/Root`) as of `rev`.
    pub fn catalog(&self, rev: usize) -> Result<Dict, PdfError> {
        let root = self.revisions[rev].trailer.get(b"Root").cloned();
        self.dict(rev, root.as_ref())?
            .ok_or_else(|| malformed(0, "the trailer's /Root is not a dictionary"))
    }

    /// The revision that ends at `end` (just after its `%%EOF`, or after the end of line
    /// that follows it): where a signature's ByteRange must stop.
    pub fn revision_ending_at(&self, end: usize) -> Option<usize> {
        self.revisions.iter().position(|r| (r.eof_end..=r.end).contains(&end))
    }
}
