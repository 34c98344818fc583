//! Adversarial review of the whole PDF verifier (round 3): how the file is read into
//! revisions and how viewers read the same bytes. Each attack is a PDF written by hand and
//! signed for real (openssl test PKI, `adbe.pkcs7.detached`), then an update an attacker
//! appends without any key. `verify_pdf` must not say PASSED when a viewer shows content
//! that was not signed. Where poppler (`pdftotext`) is installed, the tests also show what
//! a real viewer reads from the attacked file.
//!
//! HOLE marks the tests that fail today.

mod common;

use std::fmt::Write as _;
use std::sync::{Mutex, OnceLock};

use common::pki::Pki;
use results_vault::pdf::{verify_pdf, PdfVerdict};
use results_vault::verify::signature::{Policy, ValidationContext};
use results_vault::Indication;

/// One PKI for the whole binary (its `sign` writes files in its directory: one at a time).
fn pki() -> &'static Mutex<Pki> {
    static PKI: OnceLock<Mutex<Pki>> = OnceLock::new();
    PKI.get_or_init(|| Mutex::new(Pki::new()))
}

fn verify(data: &[u8]) -> PdfVerdict {
    try_verify(data).unwrap_or_else(|e| panic!("no verdict: {e}"))
}

fn try_verify(data: &[u8]) -> Result<PdfVerdict, results_vault::pdf::PdfError> {
    let pki = pki().lock().unwrap();
    let anchors = vec![pki.root.clone()];
    let crls = vec![pki.crl("current")];
    let policy = Policy::pkcs7_detached();
    let ctx = ValidationContext {
        anchors: &anchors,
        intermediates: &[],
        crls: &crls,
        validation_time: time::OffsetDateTime::now_utc() + time::Duration::minutes(1),
        proof_of_existence: None,
        policy: &policy,
        all_signers: false,
        chain_cache: None,
    };
    verify_pdf(data, &ctx)
}

fn summary(v: &PdfVerdict) -> String {
    let mut out = format!("{:?}/{:?}:", v.indication, v.sub_indication);
    for s in &v.signatures {
        let _ = write!(
            out,
            " [{} rev {:?} whole {} {:?} {:?} changes {:?} detail {}]",
            s.field,
            s.signed_revision,
            s.covers_whole_file,
            s.verdict.indication,
            s.coverage_problem,
            s.changes_after_signing,
            s.verdict.detail
        );
    }
    out
}

/// What poppler's `pdftotext` reads from `data`, if it is installed.
fn poppler_text(data: &[u8]) -> Option<String> {
    let dir = tempfile::tempdir().ok()?;
    let path = dir.path().join("in.pdf");
    std::fs::write(&path, data).ok()?;
    let out = std::process::Command::new("pdftotext")
        .arg(&path)
        .arg("-")
        .output()
        .ok()?;
    Some(String::from_utf8_lossy(&out.stdout).into_owned())
}

const SIGNED_TEXT: &str = "Amount: 10.000 VND";
const FORGED_TEXT: &str = "Amount: 900.000.000 VND";

fn content(text: &str) -> String {
    let body = format!("BT /F1 24 Tf 72 700 Td ({text}) Tj ET");
    format!("<< /Length {} >>\nstream\n{body}\nendstream", body.len())
}

const CATALOG: &str = "<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [6 0 R] /SigFlags 3 >> >>";
const PAGES: &str = "<< /Type /Pages /Kids [3 0 R] /Count 1 >>";
const FONT: &str = "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>";
const FIELD: &str =
    "<< /FT /Sig /T (Signature1) /V 7 0 R /Type /Annot /Subtype /Widget /Rect [0 0 0 0] /F 132 /P 3 0 R >>";

fn page(contents: u32) -> String {
    format!(
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 5 0 R >> >> \
         /Contents {contents} 0 R /Annots [6 0 R] >>"
    )
}

/// Hex digits reserved for the CMS.
const CONTENTS_HEX: usize = 8192;

fn signature_dict() -> String {
    format!(
        "<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter /adbe.pkcs7.detached \
         /ByteRange [0 0000000000 0000000000 0000000000] /Contents <{}> /M (D:20260101000000Z) >>",
        "0".repeat(CONTENTS_HEX)
    )
}

/// A PDF written by hand, revision by revision.
struct Writer {
    data: Vec<u8>,
    /// Where each object was last written.
    at: std::collections::BTreeMap<u32, usize>,
    /// The newest xref section.
    prev: Option<usize>,
}

fn xref_row(offset: usize) -> String {
    format!("{offset:010} 00000 n\r\n")
}

impl Writer {
    fn new() -> Writer {
        Writer {
            data: b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n".to_vec(),
            at: Default::default(),
            prev: None,
        }
    }

    fn obj(&mut self, num: u32, body: &str) -> usize {
        let at = self.data.len();
        self.at.insert(num, at);
        self.data
            .extend_from_slice(format!("{num} 0 obj\n{body}\nendobj\n").as_bytes());
        at
    }

    /// Bytes of the update that are no object its xref lists.
    fn raw(&mut self, text: &str) {
        self.data.extend_from_slice(text.as_bytes());
    }

    /// A classic xref section with `rows` (already formatted subsections), the trailer and
    /// the end marker.
    fn table(&mut self, rows: &str, size: u32) -> usize {
        let at = self.data.len();
        let mut text = String::from("xref\n");
        if self.prev.is_none() {
            text.push_str("0 1\n0000000000 65535 f\r\n");
        }
        text.push_str(rows);
        let prev = self.prev.map(|p| format!(" /Prev {p}")).unwrap_or_default();
        let _ = write!(
            text,
            "trailer\n<< /Size {size} /Root 1 0 R{prev} >>\nstartxref\n{at}\n%%EOF\n"
        );
        self.data.extend_from_slice(text.as_bytes());
        self.prev = Some(at);
        at
    }

    /// One subsection per object listed, each at the offset it was written.
    fn table_of(&mut self, nums: &[u32], size: u32) -> usize {
        let mut rows = String::new();
        for num in nums {
            let _ = write!(rows, "{num} 1\n{}", xref_row(self.at[num]));
        }
        self.table(&rows, size)
    }

    /// An xref stream (object `num`) listing `rows` (object number, offset) in that order
    /// under `/Index`, with `/Prev`.
    fn xref_stream(&mut self, num: u32, rows: &[(u32, usize)], size: u32) -> usize {
        let at = self.data.len();
        let mut index = String::new();
        let mut bytes = Vec::new();
        for &(n, offset) in rows {
            let _ = write!(index, "{n} 1 ");
            bytes.push(1u8);
            bytes.extend_from_slice(&(offset as u32).to_be_bytes());
            bytes.extend_from_slice(&0u16.to_be_bytes());
        }
        let _ = write!(index, "{num} 1");
        bytes.push(1u8);
        bytes.extend_from_slice(&(at as u32).to_be_bytes());
        bytes.extend_from_slice(&0u16.to_be_bytes());
        let prev = self.prev.map(|p| format!(" /Prev {p}")).unwrap_or_default();
        self.data.extend_from_slice(
            format!(
                "{num} 0 obj\n<< /Type /XRef /Size {size} /W [1 4 2] /Index [{index}] /Root 1 0 R{prev} /Length {} >>\nstream\n",
                bytes.len()
            )
            .as_bytes(),
        );
        self.data.extend_from_slice(&bytes);
        self.data
            .extend_from_slice(format!("\nendstream\nendobj\nstartxref\n{at}\n%%EOF\n").as_bytes());
        self.prev = Some(at);
        at
    }

    /// Fills in the last signature dictionary's /ByteRange and /Contents so that it signs
    /// the file as it is now.
    fn sign(&mut self) {
        let br = rfind(&self.data, b"/ByteRange [0 ").unwrap() + 14;
        let contents = find(&self.data[br..], b"/Contents <").unwrap() + br + 10;
        let after = contents + CONTENTS_HEX + 2;
        let numbers = format!("{contents:010} {after:010} {:010}", self.data.len() - after);
        self.data[br..br + 32].copy_from_slice(numbers.as_bytes());
        let mut signed = self.data[..contents].to_vec();
        signed.extend_from_slice(&self.data[after..]);
        let cms = pki().lock().unwrap().sign(&signed, &[]);
        let hex: String = cms.iter().map(|b| format!("{b:02X}")).collect();
        assert!(hex.len() <= CONTENTS_HEX, "the CMS is larger than the room left for it");
        self.data[contents + 1..contents + 1 + hex.len()].copy_from_slice(hex.as_bytes());
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

fn rfind(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).rposition(|w| w == needle)
}

/// An honest one-page document with one signature field, signed (revision 0).
fn signed() -> Writer {
    let mut w = Writer::new();
    w.obj(1, CATALOG);
    w.obj(2, PAGES);
    w.obj(3, &page(4));
    w.obj(4, &content(SIGNED_TEXT));
    w.obj(5, FONT);
    w.obj(6, FIELD);
    w.obj(7, &signature_dict());
    w.table_of(&[1, 2, 3, 4, 5, 6, 7], 8);
    w.sign();
    w
}

/// Asserts `verify_pdf` does not pass `data`, showing what poppler reads from it.
fn refused(what: &str, data: &[u8]) -> Result<(), String> {
    // A file that cannot be read at all gets no verdict: not PASSED either.
    let Ok(verdict) = try_verify(data) else { return Ok(()) };
    if verdict.indication != Indication::Passed {
        return Ok(());
    }
    let shown = poppler_text(data)
        .map(|t| format!("poppler shows {:?}", t.trim()))
        .unwrap_or_else(|| "pdftotext not installed".into());
    Err(format!("{what}: PASSED ({}); {shown}", summary(&verdict)))
}

/// Regression: the builder makes a signature the verifier passes, alone and followed by an
/// update that adds an object nothing uses; an honest overlay update (the page re-pointed
/// at new content, listed properly) is refused; poppler shows the signed text.
#[test]
fn an_honest_signed_file_passes_and_a_listed_overlay_does_not() {
    let w = signed();
    let v = verify(&w.data);
    assert_eq!(v.indication, Indication::Passed, "{}", summary(&v));
    assert!(v.signatures[0].covers_whole_file);
    if let Some(text) = poppler_text(&w.data) {
        assert!(text.contains(SIGNED_TEXT), "{text}");
    }

    let mut w = signed();
    w.obj(10, "<< /Producer (x) >>");
    w.table_of(&[10], 11);
    let v = verify(&w.data);
    assert_eq!(v.indication, Indication::Passed, "{}", summary(&v));

    let mut w = signed();
    w.obj(3, &page(9));
    w.obj(9, &content(FORGED_TEXT));
    w.table_of(&[3, 9], 10);
    let v = verify(&w.data);
    assert_eq!(v.indication, Indication::Failed, "{}", summary(&v));
    if let Some(text) = poppler_text(&w.data) {
        assert!(text.contains(FORGED_TEXT), "{text}");
    }
}

/// HOLE. An update's xref table lists object 3 (the page) twice: first at a new page
/// drawing other content, then again at its signed offset. pdf.js (`readXRefTable`: "if
/// (!this.entries[i + first])") and poppler keep the FIRST entry of a number (they read
/// newest first and never overwrite), so they show the new page; `xref::read_table`
/// inserts into a BTreeMap, so the LAST entry wins: object 3 is "re-listed at its old
/// offset", which `changes::touched_objects` skips (`continue` before `touched.insert`)
/// as no change at all. PASSED, whole signature intact, no change noted.
///
/// Rule: a section that lists an object number twice (two subsections, overlapping
/// `/Index` ranges) is ambiguous — readers disagree on which entry counts — and must be
/// an anomaly (a modification for every earlier signature), as a dictionary key written
/// twice already is.
#[test]
fn an_update_listing_an_object_twice_shows_the_first_entry_to_viewers() {
    let mut w = signed();
    let old_page = w.at[&3];
    let new_page = w.obj(3, &page(9));
    w.obj(9, &content(FORGED_TEXT));
    let rows = format!(
        "3 1\n{}3 1\n{}9 1\n{}",
        xref_row(new_page),
        xref_row(old_page),
        xref_row(w.at[&9])
    );
    w.table(&rows, 10);
    let mut holes = Vec::new();
    holes.extend(refused("table", &w.data).err());

    // The same through an xref stream's /Index [3 1 3 1 9 1 …].
    let mut w = signed();
    let new_page = w.obj(3, &page(9));
    let forged = w.obj(9, &content(FORGED_TEXT));
    w.xref_stream(11, &[(3, new_page), (3, old_page), (9, forged)], 12);
    holes.extend(refused("xref stream", &w.data).err());
    assert!(holes.is_empty(), "{holes:#?}");
}

/// HOLE. An update whose xref table only this parser reads: `xref::read_table` reads a
/// row by fixed columns (offset 0..10, generation 11..16, type 17) and never checks the
/// separators, so `0000004321x00000xn` is an entry to it; pdf.js and poppler read rows as
/// tokens, fail on it, and rebuild the xref by scanning the whole file for `N G obj`,
/// where the LAST definition of a number wins. The update also writes `3 0 obj` (a page
/// drawing other content) and `9 0 obj` (that content) that its xref does not list: the
/// verifier never looks at update bytes no entry names, sees one harmless new object
/// (10), and passes; the viewers show the forged page.
///
/// Also rows run together without an end of line, and an xref stream row of type 3
/// (ignored here, "Invalid entry type" to pdf.js, refused by poppler).
///
/// Rules: an xref row must be exactly `nnnnnnnnnn ggggg n` with its separators and end of
/// line, an xref stream row of type 0, 1 or 2 (else the update does not parse: trailing
/// bytes, a modification); and — the class — an update's bytes must hold no object
/// header its xref does not list (an unlisted `N G obj` is what every repairing reader
/// picks up, whatever made it repair).
#[test]
fn an_xref_row_only_this_parser_reads_lets_viewers_rebuild_onto_unlisted_objects() {
    let mut w = signed();
    w.obj(3, &page(9));
    w.obj(9, &content(FORGED_TEXT));
    let harmless = w.obj(10, "<< /Producer (x) >>");
    let rows = format!("10 1\n{harmless:010}x00000xn\r\n");
    w.table(&rows, 11);
    let mut holes = Vec::new();
    holes.extend(refused("row with other separators", &w.data).err());

    // Rows run together without an end of line: `…00000 n0000000123 00000 n`.
    let mut w = signed();
    w.obj(3, &page(9));
    w.obj(9, &content(FORGED_TEXT));
    let a = w.obj(10, "<< /Producer (x) >>");
    let b = w.obj(11, "<< /Producer (y) >>");
    let rows = format!("10 2\n{a:010} 00000 n{b:010} 00000 n\r\n");
    w.table(&rows, 12);
    holes.extend(refused("rows without end of line", &w.data).err());

    // An xref stream row of type 3: "to be ignored" here (`read_stream`: `_ => continue`),
    // a FormatError to pdf.js ("Invalid entry type") and to poppler, which rebuild.
    let mut w = signed();
    w.obj(3, &page(9));
    w.obj(9, &content(FORGED_TEXT));
    let harmless = w.obj(10, "<< /Producer (x) >>");
    w.xref_stream(11, &[(10, harmless)], 12);
    let row = rfind(&w.data, b"\nstream\n").unwrap() + 8;
    w.data[row] = 3;
    holes.extend(refused("xref stream row of type 3", &w.data).err());
    assert!(holes.is_empty(), "{holes:#?}");
}

/// HOLE. The signed revision's xref places the page (object 3) one byte off (the signer
/// prepared the file; viewers repair it silently: poppler and pdf.js rebuild the xref by
/// scanning, find the one `3 0 obj`, and show the signed page). The verifier cannot read
/// object 3 in the signed revision, records it as unreadable, and goes on. A later update
/// writes `3 0 obj` again, drawing other content, but lists only a harmless object: the
/// viewers' scan now finds the update's page last and shows it; the verifier sees object 3
/// unreadable before and after ("no change") and passes.
///
/// Rule: an object of the signed revision that is not where its xref says (unreadable to
/// this parser, repaired by every viewer) makes every later update unclassifiable — the
/// signature may stand only if it covers the whole file; and an update may hold no object
/// header its xref does not list.
#[test]
fn a_misplaced_entry_in_the_signed_revision_lets_a_later_unlisted_page_win() {
    let mut w = Writer::new();
    w.obj(1, CATALOG);
    w.obj(2, PAGES);
    w.obj(3, &page(4));
    w.obj(4, &content(SIGNED_TEXT));
    w.obj(5, FONT);
    w.obj(6, FIELD);
    w.obj(7, &signature_dict());
    *w.at.get_mut(&3).unwrap() += 1;
    w.table_of(&[1, 2, 3, 4, 5, 6, 7], 8);
    w.sign();
    // As signed: the viewers show the signed page (repaired).
    if let Some(text) = poppler_text(&w.data) {
        assert!(text.contains(SIGNED_TEXT), "{text}");
    }
    w.obj(3, &page(9));
    w.obj(9, &content(FORGED_TEXT));
    w.obj(10, "<< /Producer (x) >>");
    w.table_of(&[10], 11);
    refused("misplaced page entry", &w.data).unwrap();
}

/// Regression (closed today): an update's trailer names `/Root` twice, a forged catalog
/// (a new object) first, the signed one last. `Dict::get` reads the last, but
/// `changed_keys` walks every entry of the new trailer, so the first `/Root` is seen as a
/// changed trailer key: a modification.
#[test]
fn an_update_trailer_naming_root_twice() {
    let mut w = signed();
    w.obj(30, "<< /Type /Catalog /Pages 31 0 R /AcroForm << /Fields [6 0 R] >> >>");
    w.obj(31, "<< /Type /Pages /Kids [32 0 R] /Count 1 >>");
    w.obj(
        32,
        "<< /Type /Page /Parent 31 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 5 0 R >> >> /Contents 33 0 R >>",
    );
    w.obj(33, &content(FORGED_TEXT));
    let at = w.data.len();
    let mut rows = String::from("xref\n");
    for num in 30..=33 {
        let _ = write!(rows, "{num} 1\n{}", xref_row(w.at[&num]));
    }
    let _ = write!(
        rows,
        "trailer\n<< /Size 34 /Root 30 0 R /Root 1 0 R /Prev {} >>\nstartxref\n{at}\n%%EOF\n",
        w.prev.unwrap()
    );
    w.raw(&rows);
    refused("/Root twice in the trailer", &w.data).unwrap();
}

/// Regression (closed today): structural rewrites that readers follow and the verifier
/// refuses — an update written as a second original (a full xref, no /Prev) that re-lists
/// every object with a forged page; bytes after the last %%EOF; an update whose /Prev
/// skips to a section that is not the signed revision's; a hybrid update whose /XRefStm
/// lists the forged page while its table lists nothing.
#[test]
fn structural_rewrites_are_refused() {
    // A second original: no /Prev.
    let mut w = signed();
    w.obj(3, &page(9));
    w.obj(9, &content(FORGED_TEXT));
    w.prev = None;
    w.table_of(&[1, 2, 3, 4, 5, 6, 7, 9], 10);
    refused("second original", &w.data).unwrap();

    // Bytes after %%EOF that hold a full update without its end marker.
    let mut w = signed();
    w.obj(3, &page(9));
    w.obj(9, &content(FORGED_TEXT));
    refused("trailing objects", &w.data).unwrap();

    // /Prev pointing at a section of the update itself (not the signed one).
    let mut w = signed();
    w.obj(3, &page(9));
    w.obj(9, &content(FORGED_TEXT));
    let inner = w.data.len();
    w.raw(&format!(
        "xref\n3 1\n{}9 1\n{}trailer\n<< /Size 10 /Root 1 0 R >>\n",
        xref_row(w.at[&3]),
        xref_row(w.at[&9])
    ));
    w.prev = Some(inner);
    w.table("", 10);
    refused("/Prev to an unsigned section", &w.data).unwrap();

    // Hybrid update: the table lists nothing, its /XRefStm lists the forged page.
    let mut w = signed();
    let prev = w.prev.unwrap();
    let new_page = w.obj(3, &page(9));
    let forged = w.obj(9, &content(FORGED_TEXT));
    w.prev = None;
    let stm = w.data.len();
    w.xref_stream(11, &[(3, new_page), (9, forged)], 12);
    // Cut the stream's own end marker: the table below ends the update.
    let cut = rfind(&w.data, b"startxref").unwrap();
    w.data.truncate(cut);
    let at = w.data.len();
    w.raw(&format!(
        "xref\n0 0\ntrailer\n<< /Size 12 /Root 1 0 R /Prev {prev} /XRefStm {stm} >>\nstartxref\n{at}\n%%EOF\n"
    ));
    refused("hybrid update", &w.data).unwrap();
}
