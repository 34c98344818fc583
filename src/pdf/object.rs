//! PDF objects (ISO 32000-1 §7.3) and their parser: the eight basic types, indirect
//! references, and indirect objects with their stream data located (not decoded). Byte
//! spans are kept where signatures need them (strings, dictionaries, whole objects), and
//! ignored when objects are compared.

use super::lexer::{find, is_space, Lexer};
use super::limits::{Budget, MAX_ARRAY_LEN, MAX_DEPTH, MAX_DICT_ENTRIES, OBJECT_BYTES, SMALL_DICT};
use super::PdfError;

/// An object number and generation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) struct ObjId {
    pub num: u32,
    pub gen: u16,
}

impl std::fmt::Display for ObjId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.num, self.gen)
    }
}

/// A byte range `[start, end)` of the file.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Span {
    pub start: usize,
    pub end: usize,
}

/// A string object: its bytes, and where it was written.
#[derive(Debug, Clone)]
pub(crate) struct PdfString {
    pub bytes: Vec<u8>,
    /// `<…>` rather than `(…)`.
    pub hex: bool,
    /// From the opening to the closing delimiter, both included.
    pub span: Span,
}

impl PartialEq for PdfString {
    fn eq(&self, other: &Self) -> bool {
        self.bytes == other.bytes
    }
}

/// A dictionary, in the order written. Two entries with one key make it ambiguous (readers
/// disagree on which wins): `duplicate_keys` says so, and signature checks refuse it.
#[derive(Debug, Clone, Default)]
pub(crate) struct Dict {
    pub entries: Vec<(Vec<u8>, Object)>,
    pub duplicate_keys: bool,
    pub span: Span,
    /// For a dictionary of more than [`SMALL_DICT`] entries, made by the parser: entry
    /// positions sorted by key, then position (lookups are binary searches, not scans:
    /// a 4,096-key dictionary compared key by key was 16M comparisons). Unused if the
    /// entries change length afterwards.
    sorted: Box<[u32]>,
}

impl PartialEq for Dict {
    /// The same entries: in the same order (a single pass), or in another order (by
    /// lookup). With a key written twice, every entry must be the one its key finds.
    fn eq(&self, other: &Self) -> bool {
        if self.entries.len() != other.entries.len() {
            return false;
        }
        if !self.duplicate_keys && !other.duplicate_keys && self.entries == other.entries {
            return true;
        }
        self.entries.iter().all(|(k, v)| other.get(k) == Some(v))
    }
}

impl Dict {
    /// The value of `key` (the last one written, as most readers take it).
    pub fn get(&self, key: &[u8]) -> Option<&Object> {
        if self.sorted.len() == self.entries.len() && self.entries.len() > SMALL_DICT {
            let at = self
                .sorted
                .partition_point(|&i| self.entries[i as usize].0.as_slice() <= key);
            let (k, v) = &self.entries[*self.sorted.get(at.checked_sub(1)?)? as usize];
            return (k == key).then_some(v);
        }
        self.entries.iter().rev().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    /// Once every entry is in: whether a key is written twice, and the sorted index of a
    /// large dictionary (n log n, counted), instead of a scan per entry (n², uncounted).
    fn finish(&mut self, budget: &Budget) -> Result<(), PdfError> {
        let n = self.entries.len();
        if n <= SMALL_DICT {
            self.duplicate_keys = (1..n).any(|i| self.entries[..i].iter().any(|(k, _)| *k == self.entries[i].0));
            return Ok(());
        }
        budget.spend(n as u64 * u64::from(n.ilog2()))?;
        budget.hold(n * std::mem::size_of::<u32>())?;
        let mut sorted: Vec<u32> = (0..n as u32).collect();
        sorted.sort_unstable_by(|&a, &b| {
            self.entries[a as usize]
                .0
                .cmp(&self.entries[b as usize].0)
                .then(a.cmp(&b))
        });
        self.duplicate_keys = sorted
            .windows(2)
            .any(|w| self.entries[w[0] as usize].0 == self.entries[w[1] as usize].0);
        self.sorted = sorted.into_boxed_slice();
        Ok(())
    }

    /// The value of `key` if it is the name `name`.
    pub fn has_name(&self, key: &[u8], name: &[u8]) -> bool {
        matches!(self.get(key), Some(Object::Name(n)) if n == name)
    }

    pub fn int(&self, key: &[u8]) -> Option<i64> {
        self.get(key).and_then(Object::as_int)
    }

    pub fn name(&self, key: &[u8]) -> Option<&[u8]> {
        match self.get(key) {
            Some(Object::Name(n)) => Some(n),
            _ => None,
        }
    }

    pub fn reference(&self, key: &[u8]) -> Option<ObjId> {
        match self.get(key) {
            Some(Object::Ref(id)) => Some(*id),
            _ => None,
        }
    }
}

/// A PDF object.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Object {
    Null,
    Bool(bool),
    Int(i64),
    Real(f64),
    Name(Vec<u8>),
    String(PdfString),
    Array(Vec<Object>),
    Dict(Dict),
    Ref(ObjId),
}

impl Object {
    /// How many objects a copy of this one makes (what a copy costs, in budget units).
    pub fn nodes(&self) -> u64 {
        match self {
            Object::Array(items) => 1 + items.iter().map(Object::nodes).sum::<u64>(),
            Object::Dict(d) => 1 + d.entries.iter().map(|(_, v)| 1 + v.nodes()).sum::<u64>(),
            _ => 1,
        }
    }

    /// A copy, counted against `budget` (copies of big objects are work too).
    pub fn copy_in(&self, budget: &Budget) -> Result<Object, PdfError> {
        if matches!(self, Object::Array(_) | Object::Dict(_)) {
            budget.spend(self.nodes())?;
        }
        Ok(self.clone())
    }

    pub fn as_int(&self) -> Option<i64> {
        match self {
            Object::Int(i) => Some(*i),
            _ => None,
        }
    }

    pub fn as_dict(&self) -> Option<&Dict> {
        match self {
            Object::Dict(d) => Some(d),
            _ => None,
        }
    }

    pub fn as_array(&self) -> Option<&[Object]> {
        match self {
            Object::Array(a) => Some(a),
            _ => None,
        }
    }

    pub fn as_string(&self) -> Option<&PdfString> {
        match self {
            Object::String(s) => Some(s),
            _ => None,
        }
    }
}

fn malformed(at: usize, what: impl Into<String>) -> PdfError {
    PdfError::Malformed { at, what: what.into() }
}

/// Parses the object at the lexer's cursor.
pub(crate) fn parse_object(lx: &mut Lexer<'_>, budget: &Budget) -> Result<Object, PdfError> {
    parse_at_depth(lx, budget, 0)
}

fn parse_at_depth(lx: &mut Lexer<'_>, budget: &Budget, depth: usize) -> Result<Object, PdfError> {
    if depth > MAX_DEPTH {
        return Err(PdfError::TooComplex("objects nested too deeply"));
    }
    budget.spend(1)?;
    budget.hold(OBJECT_BYTES)?;
    lx.skip_space();
    let start = lx.pos;
    let Some(c) = lx.peek() else {
        return Err(malformed(start, "the file ends inside an object"));
    };
    match c {
        b'/' => {
            lx.pos += 1;
            let name = unescape_name(lx.regular());
            budget.hold(name.len())?;
            Ok(Object::Name(name))
        }
        b'(' => {
            let string = literal_string(lx)?;
            budget.hold(string.bytes.len())?;
            Ok(Object::String(string))
        }
        b'<' if lx.data.get(lx.pos + 1) == Some(&b'<') => {
            lx.pos += 2;
            let mut dict = Dict::default();
            loop {
                lx.skip_space();
                if lx.data.get(lx.pos..lx.pos + 2) == Some(b">>") {
                    lx.pos += 2;
                    dict.span = Span { start, end: lx.pos };
                    dict.finish(budget)?;
                    return Ok(Object::Dict(dict));
                }
                // A key is a name held in its entry (not an object of its own): counted as
                // its bytes and their allocation.
                if lx.peek() != Some(b'/') {
                    return Err(malformed(lx.pos, "a dictionary key is not a name"));
                }
                lx.pos += 1;
                let key = unescape_name(lx.regular());
                budget.spend(1)?;
                budget.hold(key.len() + 16)?;
                let value = parse_at_depth(lx, budget, depth + 1)?;
                if dict.entries.len() >= MAX_DICT_ENTRIES {
                    return Err(PdfError::TooComplex("a dictionary has too many entries"));
                }
                dict.entries.push((key, value));
            }
        }
        b'<' => {
            let string = hex_string(lx)?;
            budget.hold(string.bytes.len())?;
            Ok(Object::String(string))
        }
        b'[' => {
            lx.pos += 1;
            let mut items = Vec::new();
            loop {
                lx.skip_space();
                if lx.peek() == Some(b']') {
                    lx.pos += 1;
                    return Ok(Object::Array(items));
                }
                if items.len() >= MAX_ARRAY_LEN {
                    return Err(PdfError::TooComplex("an array is too long"));
                }
                items.push(parse_at_depth(lx, budget, depth + 1)?);
            }
        }
        _ => {
            let token = lx.regular();
            match token {
                b"" => Err(malformed(start, format!("unexpected byte 0x{c:02x}"))),
                b"true" => Ok(Object::Bool(true)),
                b"false" => Ok(Object::Bool(false)),
                b"null" => Ok(Object::Null),
                _ => number_or_reference(lx, token, start),
            }
        }
    }
}

/// An integer, a real, or `N G R`.
fn number_or_reference(lx: &mut Lexer<'_>, token: &[u8], start: usize) -> Result<Object, PdfError> {
    let text = std::str::from_utf8(token).map_err(|_| malformed(start, "an unknown token"))?;
    if token.iter().all(u8::is_ascii_digit) {
        let after = lx.pos;
        if let (Ok(num), Some(gen)) = (text.parse::<u32>(), lx.unsigned()) {
            if gen <= u64::from(u16::MAX) && lx.eat_keyword(b"R") {
                return Ok(Object::Ref(ObjId { num, gen: gen as u16 }));
            }
        }
        lx.pos = after;
    }
    if let Ok(i) = text.parse::<i64>() {
        return Ok(Object::Int(i));
    }
    let real = text.strip_prefix('+').unwrap_or(text);
    if !real.is_empty() && real.bytes().all(|b| b.is_ascii_digit() || b == b'.' || b == b'-') {
        if let Ok(r) = real.parse::<f64>() {
            return Ok(Object::Real(r));
        }
    }
    Err(malformed(start, format!("an unknown token {text:?}")))
}

/// `#xx` escapes of a name (§7.3.5).
fn unescape_name(raw: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(raw.len());
    let mut i = 0;
    while i < raw.len() {
        if raw[i] == b'#' && i + 2 < raw.len() + 1 {
            let hex = raw.get(i + 1..i + 3).and_then(|h| std::str::from_utf8(h).ok());
            if let Some(v) = hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                out.push(v);
                i += 3;
                continue;
            }
        }
        out.push(raw[i]);
        i += 1;
    }
    out
}

fn literal_string(lx: &mut Lexer<'_>) -> Result<PdfString, PdfError> {
    let start = lx.pos;
    lx.pos += 1;
    let mut out = Vec::new();
    let mut depth = 1usize;
    while let Some(c) = lx.peek() {
        lx.pos += 1;
        match c {
            b'\\' => {
                let Some(e) = lx.peek() else { break };
                lx.pos += 1;
                match e {
                    b'n' => out.push(b'\n'),
                    b'r' => out.push(b'\r'),
                    b't' => out.push(b'\t'),
                    b'b' => out.push(8),
                    b'f' => out.push(12),
                    b'0'..=b'7' => {
                        let mut v = u32::from(e - b'0');
                        for _ in 0..2 {
                            match lx.peek() {
                                Some(d @ b'0'..=b'7') => {
                                    v = v * 8 + u32::from(d - b'0');
                                    lx.pos += 1;
                                }
                                _ => break,
                            }
                        }
                        out.push(v as u8);
                    }
                    b'\r' => {
                        if lx.peek() == Some(b'\n') {
                            lx.pos += 1;
                        }
                    }
                    b'\n' => {}
                    other => out.push(other),
                }
            }
            b'(' => {
                depth += 1;
                out.push(c);
            }
            b')' => {
                depth -= 1;
                if depth == 0 {
                    return Ok(PdfString {
                        bytes: out,
                        hex: false,
                        span: Span { start, end: lx.pos },
                    });
                }
                out.push(c);
            }
            _ => out.push(c),
        }
    }
    Err(malformed(start, "a string is not closed"))
}

/// Hex digit values; 0xFF for every other byte.
const HEX: [u8; 256] = {
    let mut table = [0xFFu8; 256];
    let mut i = 0;
    while i < 10 {
        table[b'0' as usize + i] = i as u8;
        i += 1;
    }
    let mut i = 0;
    while i < 6 {
        table[b'a' as usize + i] = 10 + i as u8;
        table[b'A' as usize + i] = 10 + i as u8;
        i += 1;
    }
    table
};

fn hex_string(lx: &mut Lexer<'_>) -> Result<PdfString, PdfError> {
    let start = lx.pos;
    // One pass to the closing '>' (a signature's /Contents is tens of thousands of digits).
    let body = &lx.data[start + 1..];
    let close = memchr::memchr(b'>', body).ok_or_else(|| malformed(start, "a hex string is not closed"))?;
    let digits = &body[..close];
    // Two digits at a time while there is no white space (the common case), by table.
    let mut out = vec![0u8; close / 2];
    let mut decoded = 0;
    for (byte, pair) in out.iter_mut().zip(digits.chunks_exact(2)) {
        let (h, l) = (HEX[usize::from(pair[0])], HEX[usize::from(pair[1])]);
        if h | l >= 16 {
            break;
        }
        *byte = h << 4 | l;
        decoded += 1;
    }
    out.truncate(decoded);
    let i = decoded * 2;
    let mut high: Option<u8> = None;
    for (j, &c) in digits[i..].iter().enumerate() {
        let v = match HEX[usize::from(c)] {
            v @ 0..=15 => v,
            _ if is_space(c) => continue,
            _ => return Err(malformed(start + 1 + i + j, "a hex string holds a non-hex character")),
        };
        match high.take() {
            Some(h) => out.push(h << 4 | v),
            None => high = Some(v),
        }
    }
    // An odd last digit is followed by an implied 0 (§7.3.4.3).
    if let Some(h) = high {
        out.push(h << 4);
    }
    lx.pos = start + 1 + close + 1;
    Ok(PdfString {
        bytes: out,
        hex: true,
        span: Span { start, end: lx.pos },
    })
}

/// An indirect object as written in the file.
#[derive(Debug, Clone)]
pub(crate) struct Indirect {
    pub value: Object,
    /// The raw (still encoded) stream data, if it is a stream.
    pub stream: Option<Span>,
    /// The stream's `/Length` matched its data and `endobj` was there.
    pub well_formed: bool,
    /// From the `N G obj` header to after `endobj`.
    pub span: Span,
}

impl Indirect {
    pub fn dict(&self) -> Option<&Dict> {
        self.value.as_dict()
    }
}

/// Parses `N G obj … endobj` at `offset`. `expect`: the id the xref entry names (a header
/// that says otherwise is an error: an entry pointing at another object is how some
/// shadow attacks re-point objects). `length`: resolves an indirect `/Length`.
pub(crate) fn parse_indirect(
    data: &[u8],
    offset: usize,
    expect: Option<ObjId>,
    budget: &Budget,
    length: &dyn Fn(ObjId) -> Option<i64>,
) -> Result<Indirect, PdfError> {
    if offset >= data.len() {
        return Err(malformed(offset, "an object offset is outside the file"));
    }
    let mut lx = Lexer::at(data, offset);
    let (Some(num), Some(gen)) = (lx.unsigned(), lx.unsigned()) else {
        return Err(malformed(offset, "no object header here"));
    };
    if !lx.eat_keyword(b"obj") || num > u64::from(u32::MAX) || gen > u64::from(u16::MAX) {
        return Err(malformed(offset, "no object header here"));
    }
    let id = ObjId {
        num: num as u32,
        gen: gen as u16,
    };
    if let Some(wanted) = expect {
        if wanted != id {
            return Err(malformed(
                offset,
                format!("the xref names object {wanted}, the file has {id} here"),
            ));
        }
    }
    let value = parse_object(&mut lx, budget)?;
    let mut stream = None;
    let mut well_formed = true;
    if lx.eat_keyword(b"stream") {
        // §7.3.8.1: `stream` is followed by CRLF or LF (a lone CR is tolerated, flagged).
        let mut eol = lx.eol();
        if eol == 1 && data.get(lx.pos - 1) == Some(&b'\r') {
            well_formed = false;
            eol = 0;
        }
        let _ = eol;
        let start = lx.pos;
        let declared = match value.as_dict().and_then(|d| d.get(b"Length")) {
            Some(Object::Int(n)) => Some(*n),
            Some(Object::Ref(r)) => length(*r),
            _ => None,
        };
        let exact = declared
            .and_then(|n| usize::try_from(n).ok())
            .and_then(|n| start.checked_add(n))
            .filter(|&end| end <= data.len())
            .filter(|&end| {
                let mut after = Lexer::at(data, end);
                after.skip_space_only();
                after.keyword_here(b"endstream")
            });
        let end = match exact {
            Some(end) => end,
            None => {
                // A wrong /Length is common in real files (also inside signed revisions):
                // find `endstream`, and flag the object.
                well_formed = false;
                let at = find(&data[start..], b"endstream")
                    .map(|i| start + i)
                    .ok_or_else(|| malformed(start, "a stream has no endstream"))?;
                let mut end = at;
                if end > start && data[end - 1] == b'\n' {
                    end -= 1;
                }
                if end > start && data[end - 1] == b'\r' {
                    end -= 1;
                }
                end
            }
        };
        lx.pos = end;
        lx.skip_space_only();
        lx.pos += b"endstream".len();
        stream = Some(Span { start, end });
    }
    if lx.eat_keyword(b"endobj") {
    } else {
        well_formed = false;
    }
    Ok(Indirect {
        value,
        stream,
        well_formed,
        span: Span {
            start: offset,
            end: lx.pos,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &[u8]) -> Result<Object, PdfError> {
        parse_object(&mut Lexer::at(text, 0), &Budget::default())
    }

    #[test]
    fn every_basic_type_and_references() {
        let o = parse(b"<< /A 1 /B -2.5 /C (x\\(y\\)) /D <4142 4> /E [1 0 R 2 true null] /F#20G /N >>").unwrap();
        let d = o.as_dict().unwrap();
        assert_eq!(d.int(b"A"), Some(1));
        assert_eq!(d.get(b"B"), Some(&Object::Real(-2.5)));
        assert_eq!(d.get(b"C").unwrap().as_string().unwrap().bytes, b"x(y)");
        let hex = d.get(b"D").unwrap().as_string().unwrap();
        assert_eq!(
            (hex.bytes.as_slice(), hex.span),
            (&b"AB@"[..], Span { start: 31, end: 39 })
        );
        let e = d.get(b"E").unwrap().as_array().unwrap();
        assert_eq!(e[0], Object::Ref(ObjId { num: 1, gen: 0 }));
        assert_eq!(e[1], Object::Int(2));
        assert!(d.has_name(b"F G", b"N"));
        assert!(!d.duplicate_keys);
        assert!(parse(b"<< /A 1 /A 2 >>").unwrap().as_dict().unwrap().duplicate_keys);
    }

    #[test]
    fn large_dictionaries_are_looked_up_and_compared_by_index() {
        let keys: Vec<String> = (0..100).map(|i| format!("/K{i:04} {i}")).collect();
        let forward = format!("<< {} >>", keys.join(" "));
        let backward = format!("<< {} >>", keys.iter().rev().cloned().collect::<Vec<_>>().join(" "));
        let (f, b) = (parse(forward.as_bytes()).unwrap(), parse(backward.as_bytes()).unwrap());
        let d = f.as_dict().unwrap();
        assert_eq!(
            (d.int(b"K0007"), d.int(b"K0099"), d.get(b"K0100")),
            (Some(7), Some(99), None)
        );
        assert!(!d.duplicate_keys);
        assert_eq!(f, b, "the same entries in another order");
        let other = parse(backward.replace("/K0050 50", "/K0050 51").as_bytes()).unwrap();
        assert_ne!(f, other);
        // A key written twice: flagged, and the last one wins.
        let twice = parse(forward.replace(" >>", " /K0007 70 >>").as_bytes()).unwrap();
        let twice = twice.as_dict().unwrap();
        assert!(twice.duplicate_keys);
        assert_eq!(twice.int(b"K0007"), Some(70));
        // The index is counted: 4,096 keys cost a bounded number of units, not 16M.
        let keys: Vec<String> = (0..4_096).map(|i| format!("/Key{i:010} {i}")).collect();
        let budget = Budget::default();
        parse_object(
            &mut Lexer::at(format!("<< {} >>", keys.join(" ")).as_bytes(), 0),
            &budget,
        )
        .unwrap();
        assert!(budget.used().0 < 100_000, "{:?}", budget.used());
    }

    #[test]
    fn hostile_objects_are_refused_not_followed() {
        assert!(matches!(parse(&[b'['; 10_000]), Err(PdfError::TooComplex(_))));
        assert!(matches!(parse(b"<< /A"), Err(PdfError::Malformed { .. })));
        assert!(matches!(parse(b"(never closed"), Err(PdfError::Malformed { .. })));
        assert!(matches!(parse(b"<12 zz>"), Err(PdfError::Malformed { .. })));
        assert!(matches!(parse(b"<< 1 2 >>"), Err(PdfError::Malformed { .. })));
    }

    #[test]
    fn indirect_objects_with_streams_and_wrong_lengths() {
        let data = b"7 0 obj\n<< /Length 5 >>\nstream\nhello\nendstream\nendobj\n";
        let none = |_| None;
        let o = parse_indirect(data, 0, Some(ObjId { num: 7, gen: 0 }), &Budget::default(), &none).unwrap();
        let s = o.stream.unwrap();
        assert_eq!(&data[s.start..s.end], b"hello");
        assert!(o.well_formed);
        let wrong = b"7 0 obj\n<< /Length 50 >>\nstream\nhello\nendstream\nendobj\n";
        let o = parse_indirect(wrong, 0, None, &Budget::default(), &none).unwrap();
        assert_eq!(&wrong[o.stream.unwrap().start..o.stream.unwrap().end], b"hello");
        assert!(!o.well_formed);
        let other = parse_indirect(data, 0, Some(ObjId { num: 8, gen: 0 }), &Budget::default(), &none);
        assert!(matches!(other, Err(PdfError::Malformed { .. })));
    }
}
