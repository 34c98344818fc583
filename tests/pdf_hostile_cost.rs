//! The cost of hostile PDFs (issue 16, class 5): shapes that made the parser do
//! superlinear work or hold many times the file's size, generated at any size. Every one
//! must be answered, or refused as too complex, in bounded time and memory: the target (in
//! release builds) is at most 1 s per MB of input and a peak RSS of at most 10x the file.
//!
//! - the tests below make each shape at 2 MB and verify it in a child process (this test
//!   binary, re-run with `--exact measure_child`), which reports its time and peak RSS
//!   (`VmHWM`), so the generator's own memory is not counted;
//! - `benches/pdf_hostile.sh` runs the same shapes at 2, 20 and 200 MB in release mode
//!   through `gen_child` and `measure_child` (environment `RV_HOSTILE_*`).

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::Path;
use std::process::Command;
use std::time::Instant;

use results_vault::pdf::verify_pdf;
use results_vault::verify::signature::{Policy, ValidationContext};

const MB: usize = 1 << 20;

/// A PDF written object by object, with classic xref tables, one per revision.
struct Writer {
    data: Vec<u8>,
    /// Objects written since the last xref: (number, offset).
    pending: Vec<(u32, usize)>,
    prev: Option<usize>,
    size: u32,
}

impl Writer {
    fn new() -> Writer {
        Writer {
            data: b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n".to_vec(),
            pending: Vec::new(),
            prev: None,
            size: 1,
        }
    }

    fn len(&self) -> usize {
        self.data.len()
    }

    fn obj(&mut self, num: u32, body: &[u8]) {
        self.pending.push((num, self.data.len()));
        self.size = self.size.max(num + 1);
        writeln!(self.data, "{num} 0 obj").unwrap();
        self.data.extend_from_slice(body);
        self.data.extend_from_slice(b"\nendobj\n");
    }

    /// A stream object of `len` bytes of padding (never parsed, only located).
    fn padding(&mut self, num: u32, len: usize) {
        let mut body = format!("<< /Length {len} >>\nstream\n").into_bytes();
        body.extend(std::iter::repeat_n(b'x', len));
        body.extend_from_slice(b"\nendstream");
        self.obj(num, &body);
    }

    /// The xref table of the pending objects, the trailer (with `extra` keys), and the end
    /// marker: one revision. Returns where the xref starts.
    fn revision(&mut self, extra: &str) -> usize {
        let at = self.data.len();
        let mut rows = String::from("xref\n");
        if self.prev.is_none() {
            rows.push_str("0 1\n0000000000 65535 f\r\n");
        }
        self.pending.sort();
        let pending = std::mem::take(&mut self.pending);
        for run in pending.chunk_by(|a, b| b.0 == a.0 + 1) {
            writeln!(rows, "{} {}", run[0].0, run.len()).unwrap();
            for (_, offset) in run {
                write!(rows, "{offset:010} 00000 n\r\n").unwrap();
            }
        }
        if pending.is_empty() && self.prev.is_some() {
            rows.push_str("0 0\n");
        }
        let prev = self.prev.map(|p| format!(" /Prev {p}")).unwrap_or_default();
        write!(
            rows,
            "trailer\n<< /Size {} /Root 1 0 R{prev}{extra} >>\nstartxref\n{at}\n%%EOF\n",
            self.size
        )
        .unwrap();
        self.data.extend_from_slice(rows.as_bytes());
        self.prev = Some(at);
        at
    }

    /// A signature dictionary as object `num` whose /ByteRange is filled in by `seal`.
    fn signature(&mut self, num: u32) {
        let body = format!(
            "<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter /adbe.pkcs7.detached \
             /ByteRange [0 {z} {z} {z}] /Contents <{}> /M (D:20260101000000Z) >>",
            "AB".repeat(1024), // not a CMS, but not the zeros of an unsigned field
            z = "0".repeat(10)
        );
        self.obj(num, body.as_bytes());
    }

    /// Fills in the /ByteRange of the (only) signature so that it covers the file as it is
    /// now but its /Contents: a well-formed signature of the revision just written.
    fn seal(&mut self) {
        let br = find(&self.data, b"/ByteRange [0 ").unwrap() + 14;
        let contents = find(&self.data[br..], b"/Contents <").unwrap() + br + 10;
        let after = contents + 2048 + 2;
        let numbers = format!("{contents:010} {after:010} {:010}", self.data.len() - after);
        self.data[br..br + 32].copy_from_slice(numbers.as_bytes());
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// Keys of one length with a long common prefix: the worst case for comparing keys.
fn keys(count: usize) -> String {
    let mut out = String::with_capacity(count * 16);
    for i in 0..count {
        write!(out, " /Key{i:010} {i}").unwrap();
    }
    out
}

/// (a) Many xref sections whose trailers hold 4,093 keys each (with /Size, /Root and
/// /Prev: the most a dictionary may have), over a base that does not parse: the last
/// chain fails at its end, and so does every earlier `startxref` tried in its place.
fn trailers(target: usize) -> Vec<u8> {
    let mut w = Writer::new();
    let extra = keys(4_093);
    // The oldest section's /Prev points into the header: no xref there.
    w.prev = Some(3);
    while w.len() < target {
        w.revision(&extra);
    }
    w.data
}

/// The catalog (1), pages (2), form (3) with `fields` fields (the first a signature field,
/// 4, whose value is 5; then text fields from 10), each field behind `hops` references.
fn form(w: &mut Writer, fields: u32, hops: u32) {
    w.obj(1, b"<< /Type /Catalog /Pages 2 0 R /AcroForm 3 0 R >>");
    w.obj(2, b"<< /Type /Pages /Kids [] /Count 0 >>");
    let first_text = 10u32;
    let stride = hops + 1;
    let mut list = String::from("<< /Fields [4 0 R");
    for i in 1..fields {
        write!(list, " {} 0 R", first_text + (i - 1) * stride).unwrap();
    }
    list.push_str("] /SigFlags 3 >>");
    w.obj(3, list.as_bytes());
    w.obj(4, b"<< /FT /Sig /T (Signature1) /V 5 0 R >>");
    w.signature(5);
    for i in 1..fields {
        let base = first_text + (i - 1) * stride;
        for hop in 0..hops {
            w.obj(base + hop, format!("{} 0 R", base + hop + 1).as_bytes());
        }
        w.obj(
            base + hops,
            format!("<< /FT /Tx /T (field{i}) /V (value {i}) >>").as_bytes(),
        );
    }
}

/// (b) A 10,000-field form, signed, then up to 999 empty incremental updates (each with
/// a padding stream to reach the size): the form walk ran once per revision, and every
/// revision held its own copy of the whole xref.
fn form_updates(target: usize) -> Vec<u8> {
    let mut w = Writer::new();
    form(&mut w, 10_000, 0);
    w.revision("");
    w.seal();
    let updates = 999;
    let pad = target.saturating_sub(w.len()) / updates;
    let mut next = w.size;
    for _ in 0..updates {
        if pad > 200 {
            w.padding(next, pad - 200);
            next += 1;
        }
        w.revision("");
    }
    w.data
}

/// (c) Huge arrays of tiny objects in the trailer (always parsed): a 2-byte `0 ` becomes
/// a 40-byte object, and the trailer is copied into its revision.
fn huge_arrays(target: usize) -> Vec<u8> {
    let mut w = Writer::new();
    w.obj(1, b"<< /Type /Catalog /Pages 2 0 R >>");
    w.obj(2, b"<< /Type /Pages /Kids [] /Count 0 >>");
    let inner = format!("[{}]", "0 ".repeat(99_999));
    let mut extra = String::from(" /X [");
    while extra.len() + w.len() < target {
        extra.push_str(&inner);
    }
    extra.push(']');
    w.revision(&extra);
    w.data
}

/// (d) A signed 10,000-object file, then up to 999 updates that each redefine a slice of
/// those objects: every revision held a copy of the whole xref, and every change is
/// judged after the signature.
fn many_revisions(target: usize) -> Vec<u8> {
    let mut w = Writer::new();
    let objects = 10_000u32;
    form(&mut w, 1, 0);
    for n in 10..10 + objects {
        w.obj(n, format!("<< /Type /Thing /N {n} >>").as_bytes());
    }
    w.revision("");
    w.seal();
    let per_object = 45;
    let updates = 999usize;
    let per_update = (target.saturating_sub(w.len()) / updates / per_object).clamp(1, objects as usize) as u32;
    let mut next = 0u32;
    for _ in 0..updates {
        for _ in 0..per_update {
            let n = 10 + next % objects;
            w.obj(n, format!("<< /Type /Thing /N {n} /Changed true >>").as_bytes());
            next += 1;
        }
        w.revision("");
        if w.len() >= target {
            break;
        }
    }
    w.data
}

/// (e) Deep but legal reference chains: fields reached through 30 references each, and
/// empty updates that made the walk run again per revision.
fn ref_chains(target: usize) -> Vec<u8> {
    let mut w = Writer::new();
    let fields = ((target / 2) / (30 * 40)).clamp(2, 10_000) as u32;
    form(&mut w, fields, 30);
    w.revision("");
    w.seal();
    let updates = 999;
    let pad = target.saturating_sub(w.len()) / updates;
    let mut next = w.size;
    for _ in 0..updates {
        if pad > 200 {
            w.padding(next, pad - 200);
            next += 1;
        }
        w.revision("");
    }
    w.data
}

/// An xref stream (FlateDecode, /W [1 4 2]) of `rows` (7 bytes each) for `size` objects.
fn xref_stream(w: &mut Writer, num: u32, size: usize, rows: &[u8], prev: Option<usize>) -> usize {
    let at = w.len();
    let body = miniz_oxide::deflate::compress_to_vec_zlib(rows, 6);
    let prev = prev.map(|p| format!(" /Prev {p}")).unwrap_or_default();
    let mut obj = format!(
        "{num} 0 obj\n<< /Type /XRef /W [1 4 2] /Size {size} /Root 1 0 R{prev} /Filter /FlateDecode /Length {} >>\nstream\n",
        body.len()
    )
    .into_bytes();
    obj.extend_from_slice(&body);
    obj.extend_from_slice(b"\nendstream\nendobj\n");
    w.data.extend_from_slice(&obj);
    write!(w.data, "startxref\n{at}\n%%EOF\n").unwrap();
    at
}

/// (f) Xref streams with the largest /Size (8,000,000 rows of free entries inflate from a
/// few kilobytes), one per revision: each revision held its own map of millions of
/// entries.
fn xref_sizes(target: usize) -> Vec<u8> {
    let mut w = Writer::new();
    w.obj(1, b"<< /Type /Catalog /Pages 2 0 R >>");
    w.obj(2, b"<< /Type /Pages /Kids [] /Count 0 >>");
    let size = 8_000_000usize;
    let mut rows = vec![0u8; size * 7];
    for (n, at) in w.pending.clone() {
        rows[n as usize * 7] = 1;
        rows[n as usize * 7 + 1..n as usize * 7 + 5].copy_from_slice(&(at as u32).to_be_bytes());
    }
    w.pending.clear();
    let mut prev = None;
    let mut num = 3;
    loop {
        prev = Some(xref_stream(&mut w, num, size, &rows, prev));
        num += 1;
        if w.len() >= target || num > 40 {
            break;
        }
    }
    if w.len() < target {
        // Up to the size: an unreferenced stream in a last, small revision.
        let at = w.len();
        w.padding(num, target - at);
        w.pending.clear();
        let mut small = rows[..(num as usize + 2) * 7].to_vec();
        small[num as usize * 7] = 1;
        small[num as usize * 7 + 1..num as usize * 7 + 5].copy_from_slice(&(at as u32).to_be_bytes());
        xref_stream(&mut w, num + 1, num as usize + 2, &small, prev);
    }
    w.data
}

/// (g) Object streams of 65,000 tiny objects each (up to 64), under an xref stream, with
/// the form's 9,000 fields spread over all of them so that every stream is read.
fn object_streams(target: usize) -> Vec<u8> {
    let mut w = Writer::new();
    let per_stream = 65_000usize; // an index fits the xref stream's 2-byte field
    let mut compressed: Vec<(u32, u32, u32)> = Vec::new(); // (num, stream, index)
    let mut direct: Vec<(u32, usize)> = Vec::new();
    let mut next = 10u32;
    while w.len() < target && direct.len() < 64 {
        let stream_num = next;
        next += 1;
        let mut header = String::new();
        let mut body = String::new();
        for i in 0..per_stream {
            write!(header, "{next} {} ", body.len()).unwrap();
            body.push_str("[0 0]\n");
            compressed.push((next, stream_num, i as u32));
            next += 1;
        }
        let data = format!("{header}\n{body}");
        let packed = miniz_oxide::deflate::compress_to_vec_zlib(data.as_bytes(), 6);
        direct.push((stream_num, w.len()));
        write!(
            w.data,
            "{stream_num} 0 obj\n<< /Type /ObjStm /N {per_stream} /First {} /Filter /FlateDecode /Length {} >>\nstream\n",
            header.len() + 1,
            packed.len()
        )
        .unwrap();
        w.data.extend_from_slice(&packed);
        w.data.extend_from_slice(b"\nendstream\nendobj\n");
    }
    let step = compressed.len().div_ceil(9_000);
    let fields: String = compressed
        .iter()
        .step_by(step)
        .map(|(n, _, _)| format!(" {n} 0 R"))
        .collect();
    for (num, body) in [
        (1, "<< /Type /Catalog /Pages 2 0 R /AcroForm 3 0 R >>".to_owned()),
        (2, "<< /Type /Pages /Kids [] /Count 0 >>".to_owned()),
        (3, format!("<< /Fields [{fields}] >>")),
    ] {
        direct.push((num, w.len()));
        write!(w.data, "{num} 0 obj\n{body}\nendobj\n").unwrap();
    }
    if w.len() < target {
        direct.push((next, w.len()));
        w.padding(next, target - w.len());
        w.pending.clear();
    }
    let size = next as usize + 2;
    let mut rows = vec![0u8; size * 7];
    for (n, at) in direct {
        let r = n as usize * 7;
        rows[r] = 1;
        rows[r + 1..r + 5].copy_from_slice(&(at as u32).to_be_bytes());
    }
    for (n, stream, index) in compressed {
        let r = n as usize * 7;
        rows[r] = 2;
        rows[r + 1..r + 5].copy_from_slice(&stream.to_be_bytes());
        rows[r + 5..r + 7].copy_from_slice(&(index as u16).to_be_bytes());
    }
    xref_stream(&mut w, next + 1, size, &rows, None);
    w.data
}

/// (h) A signed file with objects of 4,093 keys, each redefined by an update with its keys
/// in the reverse order and one value changed: comparing them, and finding the keys that
/// changed, was quadratic.
fn reordered_dicts(target: usize) -> Vec<u8> {
    let mut w = Writer::new();
    form(&mut w, 1, 0);
    let per_object = 2 * 4_093 * 20;
    let count = (target / per_object).max(1) as u32;
    let entries: Vec<String> = (0..4_093).map(|i| format!("/Key{i:010} {i}")).collect();
    let forward = format!("<< {} >>", entries.join(" "));
    // In the reverse order, with one value changed (so that every key is compared).
    let backward = format!("<< {} >>", entries.iter().rev().cloned().collect::<Vec<_>>().join(" "))
        .replace("/Key0000004092 4092", "/Key0000004092 -1");
    for n in 0..count {
        w.obj(10 + n, forward.as_bytes());
    }
    w.revision("");
    w.seal();
    for n in 0..count {
        w.obj(10 + n, backward.as_bytes());
    }
    w.revision("");
    w.data
}

type Shape = (&'static str, fn(usize) -> Vec<u8>);

/// Every hostile shape, by name.
const SHAPES: &[Shape] = &[
    ("trailers", trailers),
    ("form_updates", form_updates),
    ("huge_arrays", huge_arrays),
    ("many_revisions", many_revisions),
    ("ref_chains", ref_chains),
    ("xref_sizes", xref_sizes),
    ("object_streams", object_streams),
    ("reordered_dicts", reordered_dicts),
];

fn shape(name: &str) -> fn(usize) -> Vec<u8> {
    SHAPES
        .iter()
        .find(|(n, _)| *n == name)
        .unwrap_or_else(|| panic!("no shape {name}"))
        .1
}

/// Peak and current resident set size of this process, in KiB.
fn memory_kib() -> (u64, u64) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .unwrap_or(0)
    };
    (field("VmHWM:"), field("VmRSS:"))
}

/// What a child run reported.
#[derive(Debug)]
struct Measured {
    bytes: usize,
    seconds: f64,
    peak_kib: u64,
    base_kib: u64,
    outcome: String,
}

/// Verifies `path` in a child process (this binary's `measure_child`).
fn measure(path: &Path) -> Measured {
    let out = Command::new(std::env::current_exe().unwrap())
        .args([
            "--ignored",
            "--exact",
            "measure_child",
            "--nocapture",
            "--test-threads=1",
        ])
        .env("RV_HOSTILE_FILE", path)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let line = stdout
        .lines()
        .find_map(|l| l.find("RESULT ").map(|at| &l[at..]))
        .unwrap_or_else(|| {
            panic!(
                "the child reported nothing: {stdout} {}",
                String::from_utf8_lossy(&out.stderr)
            )
        });
    let field = |key: &str| {
        line.split_whitespace()
            .find_map(|kv| kv.strip_prefix(key))
            .unwrap_or_default()
            .to_owned()
    };
    Measured {
        bytes: field("bytes=").parse().unwrap(),
        seconds: field("seconds=").parse().unwrap(),
        peak_kib: field("peak_kib=").parse().unwrap(),
        base_kib: field("base_kib=").parse().unwrap(),
        outcome: line
            .split_once("outcome=")
            .map(|(_, o)| o.to_owned())
            .unwrap_or_default(),
    }
}

/// Child: verifies the file `RV_HOSTILE_FILE` and prints a `RESULT` line.
#[test]
#[ignore = "run by the other tests and benches/pdf_hostile.sh"]
fn measure_child() {
    let Ok(path) = std::env::var("RV_HOSTILE_FILE") else {
        return;
    };
    let data = std::fs::read(&path).unwrap();
    let (_, base_kib) = memory_kib();
    let policy = Policy::pkcs7_detached();
    let ctx = ValidationContext {
        anchors: &[],
        intermediates: &[],
        crls: &[],
        validation_time: time::OffsetDateTime::now_utc(),
        proof_of_existence: None,
        policy: &policy,
        all_signers: false,
        chain_cache: None,
    };
    let started = Instant::now();
    let verdict = verify_pdf(&data, &ctx);
    let seconds = started.elapsed().as_secs_f64();
    let (peak_kib, _) = memory_kib();
    let outcome = match verdict {
        Ok(v) => format!(
            "answered: {} revisions, {} signatures, {:?} ({})",
            v.revisions,
            v.signatures.len(),
            v.indication,
            v.signatures
                .first()
                .map(|s| format!(
                    "{}; {} changes after signing",
                    s.verdict.detail,
                    s.changes_after_signing.len()
                ))
                .unwrap_or_default()
        ),
        Err(e) => format!("refused: {e}"),
    };
    println!(
        "RESULT bytes={} seconds={seconds:.3} peak_kib={peak_kib} base_kib={base_kib} outcome={outcome}",
        data.len()
    );
}

/// Child: writes shape `RV_HOSTILE_SHAPE` of `RV_HOSTILE_MB` MB to `RV_HOSTILE_OUT`.
#[test]
#[ignore = "run by benches/pdf_hostile.sh"]
fn gen_child() {
    let (Ok(name), Ok(mb), Ok(out)) = (
        std::env::var("RV_HOSTILE_SHAPE"),
        std::env::var("RV_HOSTILE_MB"),
        std::env::var("RV_HOSTILE_OUT"),
    ) else {
        return;
    };
    let data = shape(&name)(mb.parse::<usize>().unwrap() * MB);
    std::fs::File::create(out).unwrap().write_all(&data).unwrap();
}

/// Makes `name` at 2 MB, verifies it in a child, and checks time and memory.
fn bounded(name: &str) {
    let data = shape(name)(2 * MB);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(format!("{name}.pdf"));
    std::fs::write(&path, &data).unwrap();
    let m = measure(&path);
    eprintln!("{name}: {m:?}");
    assert_eq!(m.bytes, data.len());
    // The release target is 1 s per MB; a debug build is several times slower, so the bound
    // here is the target for 2 MB with room for that (still far below the 38 s of issue 16).
    let limit = if cfg!(debug_assertions) { 20.0 } else { 2.0 };
    assert!(m.seconds <= limit, "{name}: {:.2} s ({})", m.seconds, m.outcome);
    // Peak memory: at most 10x the file, above what the process held before verifying
    // (the test harness and the file itself).
    let held = m.peak_kib.saturating_sub(m.base_kib) * 1024;
    assert!(
        held as usize <= 10 * data.len(),
        "{name}: {} MiB held for a {} MiB file ({})",
        held >> 20,
        data.len() >> 20,
        m.outcome
    );
}

#[test]
fn many_big_trailers_over_a_broken_base() {
    bounded("trailers");
}

#[test]
fn empty_updates_over_a_big_form() {
    bounded("form_updates");
}

#[test]
fn huge_arrays_of_tiny_objects() {
    bounded("huge_arrays");
}

#[test]
fn many_revisions_redefining_many_objects() {
    bounded("many_revisions");
}

#[test]
fn deep_reference_chains() {
    bounded("ref_chains");
}

#[test]
fn xref_streams_of_the_largest_size() {
    bounded("xref_sizes");
}

#[test]
fn object_streams_of_many_objects() {
    bounded("object_streams");
}

#[test]
fn reordered_big_dictionaries() {
    bounded("reordered_dicts");
}
