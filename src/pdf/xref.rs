//! Cross-reference sections (ISO 32000-1 §7.5.4, §7.5.8): classic `xref` tables and xref
//! streams, each read on its own (never merged here), with its trailer and where it ends.

use std::collections::BTreeMap;

use super::filters;
use super::lexer::Lexer;
use super::limits::{Budget, ENTRY_BYTES, MAX_OBJECTS};
use super::object::{parse_indirect, parse_object, Dict, Object};
use super::PdfError;

/// One entry of a section.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Entry {
    Free {
        next_gen: u16,
    },
    InUse {
        offset: usize,
        gen: u16,
    },
    /// In object stream `stream`, at `index`.
    Compressed {
        stream: u32,
        index: u32,
    },
}

/// A section as written.
#[derive(Debug, Clone)]
pub(crate) struct Section {
    /// Where it starts (what `startxref` or `/Prev` point at).
    pub at: usize,
    pub entries: BTreeMap<u32, Entry>,
    pub trailer: Dict,
    /// Just after the trailer dictionary, or after the xref stream's `endobj`.
    pub end: usize,
    /// What readers may read differently in it (an object number listed twice: some keep
    /// the first entry, this parser the last; an entry of an unknown type, which readers
    /// that refuse it repair around by scanning the file).
    pub ambiguities: Vec<String>,
    /// Where its parts are in the file (the table with its trailer, or the stream object;
    /// and a hybrid table's xref stream): bytes an update may hold besides its objects.
    pub spans: Vec<(usize, usize)>,
}

impl Section {
    /// `/Prev`: the previous section in the chain.
    pub fn prev(&self) -> Option<usize> {
        self.trailer.int(b"Prev").and_then(|p| usize::try_from(p).ok())
    }
}

fn malformed(at: usize, what: impl Into<String>) -> PdfError {
    PdfError::Malformed { at, what: what.into() }
}

/// Reads the section at `at`: a table if the keyword `xref` is there, else a stream.
pub(crate) fn read_section(data: &[u8], at: usize, budget: &Budget) -> Result<Section, PdfError> {
    if at >= data.len() {
        return Err(malformed(at, "an xref offset is outside the file"));
    }
    let mut lx = Lexer::at(data, at);
    if lx.at_keyword(b"xref") {
        read_table(data, at, budget)
    } else {
        read_stream(data, at, budget)
    }
}

fn digits(field: &[u8]) -> Option<u64> {
    (!field.is_empty() && field.iter().all(u8::is_ascii_digit))
        .then(|| field.iter().fold(0u64, |n, d| n * 10 + u64::from(d - b'0')))
}

fn read_table(data: &[u8], at: usize, budget: &Budget) -> Result<Section, PdfError> {
    let mut lx = Lexer::at(data, at);
    lx.eat_keyword(b"xref");
    let mut entries = BTreeMap::new();
    let mut ambiguities = Vec::new();
    loop {
        if lx.eat_keyword(b"trailer") {
            break;
        }
        let here = lx.pos;
        let (Some(first), Some(count)) = (lx.unsigned(), lx.unsigned()) else {
            return Err(malformed(here, "an xref subsection header is malformed"));
        };
        if first.saturating_add(count) > MAX_OBJECTS {
            return Err(PdfError::TooComplex("an xref subsection is too large"));
        }
        budget.spend(count)?;
        budget.hold(count as usize * ENTRY_BYTES)?;
        for i in 0..count {
            lx.skip_space_only();
            // "nnnnnnnnnn ggggg n" + a two-byte end of line (§7.5.4), read leniently on the
            // end of line: some writers use one byte.
            let row = data
                .get(lx.pos..lx.pos + 18)
                .ok_or_else(|| malformed(lx.pos, "an xref entry is cut short"))?;
            let (offset, gen, kind) = (digits(&row[0..10]), digits(&row[11..16]), row[17]);
            // Exactly one space between the fields, and an end of line (or a space) after:
            // a row only this parser would read makes other readers rebuild the xref by
            // scanning the file, and see other objects.
            let separated = row[10] == b' ' && row[16] == b' ';
            let ended = matches!(data.get(lx.pos + 18), Some(b' ' | b'\r' | b'\n'));
            let (Some(offset), Some(gen), true, true) = (offset, gen, separated, ended) else {
                return Err(malformed(lx.pos, "an xref entry is malformed"));
            };
            let gen = u16::try_from(gen).map_err(|_| malformed(lx.pos, "a generation is too large"))?;
            let entry = match kind {
                b'n' => Entry::InUse {
                    offset: offset as usize,
                    gen,
                },
                b'f' => Entry::Free { next_gen: gen },
                _ => return Err(malformed(lx.pos, "an xref entry is neither n nor f")),
            };
            if entries.insert((first + i) as u32, entry).is_some() {
                ambiguities.push(format!(
                    "the xref section at byte {at} lists object {} twice",
                    first + i
                ));
            }
            lx.pos += 18;
        }
    }
    let trailer_at = lx.pos;
    let Object::Dict(trailer) = parse_object(&mut lx, budget)? else {
        return Err(malformed(trailer_at, "the trailer is not a dictionary"));
    };
    Ok(Section {
        at,
        entries,
        trailer,
        end: lx.pos,
        ambiguities,
        spans: vec![(at, lx.pos)],
    })
}

fn read_stream(data: &[u8], at: usize, budget: &Budget) -> Result<Section, PdfError> {
    let object = parse_indirect(data, at, None, budget, &|_| None)?;
    let (Some(dict), Some(raw)) = (object.dict(), object.stream) else {
        return Err(malformed(at, "no xref table or xref stream here"));
    };
    if !dict.has_name(b"Type", b"XRef") {
        return Err(malformed(at, "an xref stream without /Type /XRef"));
    }
    let widths: Vec<usize> = dict
        .get(b"W")
        .and_then(Object::as_array)
        .filter(|w| w.len() == 3)
        .map(|w| {
            w.iter()
                .map(|x| x.as_int().and_then(|i| usize::try_from(i).ok()))
                .collect()
        })
        .and_then(|w: Option<Vec<usize>>| w)
        .filter(|w| w.iter().all(|&x| x <= 8) && w[1] > 0)
        .ok_or_else(|| malformed(at, "an xref stream's /W is malformed"))?;
    let size = dict
        .int(b"Size")
        .filter(|&s| s >= 0 && s as u64 <= MAX_OBJECTS)
        .ok_or_else(|| malformed(at, "an xref stream's /Size is missing or too large"))?;
    let index: Vec<(u64, u64)> = match dict.get(b"Index") {
        None => vec![(0, size as u64)],
        Some(Object::Array(a)) if a.len() % 2 == 0 => a
            .chunks(2)
            .map(|p| match (p[0].as_int(), p[1].as_int()) {
                (Some(s), Some(n)) if s >= 0 && n >= 0 && (s + n) as u64 <= MAX_OBJECTS => Ok((s as u64, n as u64)),
                _ => Err(malformed(at, "an xref stream's /Index is malformed")),
            })
            .collect::<Result<_, _>>()?,
        Some(_) => return Err(malformed(at, "an xref stream's /Index is malformed")),
    };
    let decoded = filters::decode(dict, &data[raw.start..raw.end], budget)?;
    let row_len: usize = widths.iter().sum();
    let field = |row: &[u8], i: usize| -> u64 {
        let start: usize = widths[..i].iter().sum();
        row[start..start + widths[i]]
            .iter()
            .fold(0u64, |n, &b| n << 8 | u64::from(b))
    };
    let mut rows = decoded.chunks_exact(row_len);
    let mut entries = BTreeMap::new();
    let mut ambiguities = Vec::new();
    for (first, count) in index {
        budget.spend(count)?;
        budget.hold(count as usize * ENTRY_BYTES)?;
        for i in 0..count {
            let row = rows
                .next()
                .ok_or_else(|| malformed(at, "an xref stream has fewer rows than its /Index"))?;
            // A missing type field means type 1 (§7.5.8.2, table 17).
            let kind = if widths[0] == 0 { 1 } else { field(row, 0) };
            let (f1, f2) = (field(row, 1), if widths[2] == 0 { 0 } else { field(row, 2) });
            let entry = match kind {
                0 => Entry::Free { next_gen: f2 as u16 },
                1 => Entry::InUse {
                    offset: usize::try_from(f1).map_err(|_| malformed(at, "an offset is too large"))?,
                    gen: u16::try_from(f2).map_err(|_| malformed(at, "a generation is too large"))?,
                },
                2 => Entry::Compressed {
                    stream: u32::try_from(f1).map_err(|_| malformed(at, "an object stream number is too large"))?,
                    index: f2 as u32,
                },
                // Other types are to be read as null references (§7.5.8.3); readers that
                // refuse them rebuild the xref by scanning instead.
                other => {
                    ambiguities.push(format!(
                        "the xref stream at byte {at} has an entry of unknown type {other}"
                    ));
                    continue;
                }
            };
            if entries.insert((first + i) as u32, entry).is_some() {
                ambiguities.push(format!("the xref stream at byte {at} lists object {} twice", first + i));
            }
        }
    }
    // The stream's dictionary is the trailer: moved, not copied.
    let end = object.span.end;
    let Object::Dict(trailer) = object.value else {
        return Err(malformed(at, "no xref table or xref stream here"));
    };
    Ok(Section {
        at,
        entries,
        trailer,
        end,
        ambiguities,
        spans: vec![(at, end)],
    })
}

/// A `startxref N %%EOF` marker: the offset it names, and where it ends (just after
/// `%%EOF`, and after one optional end-of-line).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct EndMarker {
    pub xref: usize,
    pub eof_end: usize,
    pub end: usize,
}

/// The `startxref N %%EOF` right after `after` (white space between), or `None`.
pub(crate) fn end_marker(data: &[u8], after: usize) -> Option<EndMarker> {
    let mut lx = Lexer::at(data, after);
    lx.skip_space_only();
    if !lx.keyword_here(b"startxref") {
        return None;
    }
    lx.pos += b"startxref".len();
    let offset = lx.unsigned()?;
    lx.skip_space_only();
    if !lx.keyword_here(b"%%EOF") {
        return None;
    }
    lx.pos += b"%%EOF".len();
    let eof_end = lx.pos;
    lx.eol();
    Some(EndMarker {
        xref: usize::try_from(offset).ok()?,
        eof_end,
        end: lx.pos,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pdf::object::ObjId;

    #[test]
    fn a_table_with_its_trailer_and_end_marker() {
        let data = b"xref\n0 2\n0000000000 65535 f\r\n0000000017 00000 n\r\ntrailer\n<< /Size 2 /Root 1 0 R >>\nstartxref\n0\n%%EOF\n";
        let s = read_section(data, 0, &Budget::default()).unwrap();
        assert_eq!(s.entries[&1], Entry::InUse { offset: 17, gen: 0 });
        assert_eq!(s.entries[&0], Entry::Free { next_gen: 65535 });
        assert_eq!(s.trailer.reference(b"Root"), Some(ObjId { num: 1, gen: 0 }));
        let marker = end_marker(data, s.end).unwrap();
        assert_eq!(
            (marker.xref, marker.eof_end, marker.end),
            (0, data.len() - 1, data.len())
        );
        assert_eq!(end_marker(b" startxref 12 %%EO", 0), None);
    }

    #[test]
    fn an_xref_stream() {
        // Rows of W [1 2 1]: free 0; in use at 15; compressed in stream 3, index 0.
        let rows = [0u8, 0, 0, 255, 1, 0, 15, 0, 2, 0, 3, 0];
        let body = miniz_oxide::deflate::compress_to_vec_zlib(&rows, 6);
        let mut data = format!(
            "9 0 obj\n<< /Type /XRef /W [1 2 1] /Size 3 /Filter /FlateDecode /Length {} >>\nstream\n",
            body.len()
        )
        .into_bytes();
        data.extend_from_slice(&body);
        data.extend_from_slice(b"\nendstream\nendobj\n");
        let s = read_section(&data, 0, &Budget::default()).unwrap();
        assert_eq!(s.entries[&1], Entry::InUse { offset: 15, gen: 0 });
        assert_eq!(s.entries[&2], Entry::Compressed { stream: 3, index: 0 });
    }
}
