//! The change rules on small hand-written PDFs: a signed revision (revision 0 here; what
//! signs it does not matter to these rules) and the updates an attacker or an honest
//! writer appends. Each test names the class of attack it closes.

use super::{Analysis, Changes, Level};
use crate::pdf::revision::Document;

/// A PDF written revision by revision, with classic xref tables.
struct Pdf {
    data: Vec<u8>,
    prev: Option<usize>,
    size: u32,
}

impl Pdf {
    /// The original file: `objects` as (number, body), and extra trailer entries.
    fn new(objects: &[(u32, &str)], trailer: &str) -> Pdf {
        let mut pdf = Pdf {
            data: b"%PDF-1.7\n".to_vec(),
            prev: None,
            size: 1,
        };
        pdf.update(objects, trailer);
        pdf
    }

    /// Appends an incremental update.
    fn update(&mut self, objects: &[(u32, &str)], trailer: &str) -> &mut Pdf {
        let mut offsets = Vec::new();
        for (num, body) in objects {
            offsets.push((*num, self.data.len()));
            self.data
                .extend_from_slice(format!("{num} 0 obj\n{body}\nendobj\n").as_bytes());
            self.size = self.size.max(num + 1);
        }
        offsets.sort();
        let xref = self.data.len();
        let mut table = String::from("xref\n");
        if self.prev.is_none() {
            table.push_str("0 1\n0000000000 65535 f\r\n");
        }
        for (num, at) in offsets {
            table.push_str(&format!("{num} 1\n{at:010} 00000 n\r\n"));
        }
        let prev = self.prev.map(|p| format!(" /Prev {p}")).unwrap_or_default();
        table.push_str(&format!(
            "trailer\n<< /Size {} /Root 1 0 R{prev} {trailer} >>\nstartxref\n{xref}\n%%EOF\n",
            self.size
        ));
        self.data.extend_from_slice(table.as_bytes());
        self.prev = Some(xref);
        self
    }

    /// The changes after revision 0.
    fn changes(&self) -> Changes {
        let doc = Document::parse(&self.data).expect("parses");
        let changes = Analysis::new(&doc).after(0).expect("judged");
        changes
    }
}

const CATALOG: &str = "<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [6 0 R] >> >>";
const PAGES: &str = "<< /Type /Pages /Kids [3 0 R] /Count 1 >>";
const PAGE: &str = "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Annots [6 0 R] >>";
const CONTENT: &str = "<< /Length 27 >>\nstream\nBT /F1 12 Tf (10.000) Tj ET\nendstream";
const INFO: &str = "<< /Title (Giay khai sinh) >>";
/// A signature field merged with its widget, signed (its value is object 7).
const SIGNED_FIELD: &str =
    "<< /FT /Sig /T (Signature1) /V 7 0 R /Type /Annot /Subtype /Widget /Rect [0 0 0 0] /P 3 0 R >>";
const SIGNATURE: &str = "<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter /ETSI.CAdES.detached >>";

/// The signed revision: a page with one content stream and a signed signature field.
fn signed(page: &str, catalog: &str, trailer: &str) -> Pdf {
    Pdf::new(
        &[
            (1, catalog),
            (2, PAGES),
            (3, page),
            (4, CONTENT),
            (5, INFO),
            (6, SIGNED_FIELD),
            (7, SIGNATURE),
        ],
        trailer,
    )
}

fn standard() -> Pdf {
    signed(PAGE, CATALOG, "/Info 5 0 R")
}

const OVERLAY: &str = "<< /Length 38 >>\nstream\n1 1 1 rg 0 0 595 842 re f BT (900) Tj ET\nendstream";

fn says(changes: &Changes, words: &str) -> bool {
    changes.described.iter().any(|d| d.contains(words))
}

#[test]
fn honest_updates_keep_their_levels() {
    let c = standard().changes();
    assert_eq!(c.level, Level::None);
    // New document information, in place.
    let c = standard()
        .update(&[(5, "<< /Title (Giay khai sinh) /Producer (x) >>")], "/Info 5 0 R")
        .changes();
    assert_eq!((c.level, c.described.len()), (Level::Lta, 1), "{:?}", c.described);
    // Validation data added as new objects.
    let dss_catalog = "<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [6 0 R] >> /DSS 8 0 R >>";
    let c = standard()
        .update(
            &[
                (1, dss_catalog),
                (8, "<< /Certs [9 0 R] >>"),
                (9, "<< /Length 3 >>\nstream\nabc\nendstream"),
            ],
            "/Info 5 0 R",
        )
        .changes();
    assert_eq!(c.level, Level::Lta, "{:?}", c.described);
    // A new signature field with its widget on the page.
    let page = "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Annots [6 0 R 10 0 R] >>";
    let catalog = "<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [6 0 R 10 0 R] >> >>";
    let field = "<< /FT /Sig /T (Signature2) /V 11 0 R /Type /Annot /Subtype /Widget /Rect [0 0 0 0] /P 3 0 R >>";
    let c = standard()
        .update(&[(1, catalog), (3, page), (10, field), (11, SIGNATURE)], "/Info 5 0 R")
        .changes();
    assert_eq!(c.level, Level::FormFilling, "{:?}", c.described);
}

/// Class 1: the signed page draws `[4 0 R 9 0 R]`, 9 defined nowhere (null: nothing
/// shows); an update defines 9 as a second content stream.
#[test]
fn a_reference_defined_after_signing_is_a_modification() {
    let page = "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents [4 0 R 9 0 R] /Annots [6 0 R] >>";
    let c = signed(page, CATALOG, "/Info 5 0 R")
        .update(&[(9, OVERLAY)], "/Info 5 0 R")
        .changes();
    assert_eq!(c.level, Level::Other);
    assert!(
        says(&c, "object 9, referenced but not defined when signed"),
        "{:?}",
        c.described
    );
    // Also through a resource name the signed content uses, and a reference to another
    // generation of an object that exists.
    let page = "<< /Type /Page /Parent 2 0 R /Contents 4 0 R /Resources << /XObject << /X9 9 0 R >> >> >>";
    let c = signed(page, CATALOG, "").update(&[(9, OVERLAY)], "").changes();
    assert_eq!(c.level, Level::Other, "{:?}", c.described);
    // An /Annots entry defined later as an annotation covering the page.
    let page = "<< /Type /Page /Parent 2 0 R /Contents 4 0 R /Annots [6 0 R 9 0 R] >>";
    let square = "<< /Type /Annot /Subtype /Square /Rect [0 0 595 842] /IC [1 1 1] >>";
    let c = signed(page, CATALOG, "").update(&[(9, square)], "").changes();
    assert_eq!(c.level, Level::Other, "{:?}", c.described);
    let c = signed(page, CATALOG, "").update(&[], "").changes();
    assert_eq!(c.level, Level::None, "an update that defines nothing changes nothing");
}

/// Class 2: the trailer's /Info is the page, or the DSS lists the content stream; the
/// update rewrites them as if they were only document information or validation data.
#[test]
fn an_object_with_two_roles_is_judged_by_the_strictest() {
    let c = signed(PAGE, CATALOG, "/Info 3 0 R")
        .update(
            &[
                (3, "<< /Type /Page /Parent 2 0 R /Contents 9 0 R /Annots [6 0 R] >>"),
                (9, OVERLAY),
            ],
            "/Info 3 0 R",
        )
        .changes();
    assert_eq!(c.level, Level::Other);
    assert!(says(&c, "page object 3 was changed"), "{:?}", c.described);
    assert!(!says(&c, "document information"), "{:?}", c.described);

    let c = signed(PAGE, CATALOG, "/Info 4 0 R")
        .update(&[(4, OVERLAY)], "/Info 4 0 R")
        .changes();
    assert_eq!(c.level, Level::Other, "{:?}", c.described);

    for dss in [
        "<< /Certs [4 0 R] >>",
        "<< /VRI << /ABCD << /Cert [4 0 R] >> >> >>",
        "<< /Foo 4 0 R >>",
        "<< /VRI << /ABCD << /TS 4 0 R >> >> >>",
    ] {
        let catalog = format!("<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [6 0 R] >> /DSS {dss} >>");
        let c = signed(PAGE, &catalog, "").update(&[(4, OVERLAY)], "").changes();
        assert_eq!(c.level, Level::Other, "{dss}: {:?}", c.described);
        assert!(says(&c, "stream object 4 was changed"), "{dss}: {:?}", c.described);
    }
    // The XMP metadata is the content stream.
    let catalog = "<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [6 0 R] >> /Metadata 4 0 R >>";
    let c = signed(PAGE, catalog, "").update(&[(4, OVERLAY)], "").changes();
    assert_eq!(c.level, Level::Other, "{:?}", c.described);
}

/// A page named by a destination (an outline, /OpenAction) is still judged as a page:
/// a comment added to it is an annotation, not "an object was changed".
#[test]
fn pointers_to_a_page_do_not_make_it_untouchable() {
    let catalog = "<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [6 0 R] >> /OpenAction [3 0 R /Fit] >>";
    let page = "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Annots [6 0 R 10 0 R] >>";
    let c = signed(PAGE, catalog, "")
        .update(
            &[
                (3, page),
                (10, "<< /Type /Annot /Subtype /Text /Rect [0 0 10 10] /Contents (ok) >>"),
            ],
            "",
        )
        .changes();
    assert_eq!(c.level, Level::Annotations, "{:?}", c.described);
}

/// Class 3: a new widget whose /Parent is the signed signature field (not listed in the
/// form) draws over the page; also one that claims /FT /Sig but is in no /Fields, and a
/// new signature field that takes the signed signature's value.
#[test]
fn a_widget_on_a_signed_or_unlisted_field_is_a_modification() {
    let page = "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Annots [6 0 R 10 0 R] >>";
    let appearance = "<< /Type /XObject /Subtype /Form /BBox [0 0 595 842] /Length 38 >>\nstream\n1 1 1 rg 0 0 595 842 re f BT (900) Tj ET\nendstream";
    for widget in [
        "<< /Type /Annot /Subtype /Widget /Parent 6 0 R /Rect [0 0 595 842] /AP << /N 11 0 R >> >>",
        "<< /Type /Annot /Subtype /Widget /FT /Sig /T (X) /V 12 0 R /Rect [0 0 595 842] /AP << /N 11 0 R >> >>",
    ] {
        let c = standard()
            .update(&[(3, page), (10, widget), (11, appearance), (12, SIGNATURE)], "")
            .changes();
        assert_eq!(c.level, Level::Other, "{widget}: {:?}", c.described);
        assert!(says(&c, "a widget was added"), "{:?}", c.described);
    }
    let catalog = "<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [6 0 R 10 0 R] >> >>";
    let reused = "<< /FT /Sig /T (X) /V 7 0 R /Type /Annot /Subtype /Widget /Rect [0 0 595 842] /AP << /N 11 0 R >> >>";
    let c = standard()
        .update(&[(1, catalog), (3, page), (10, reused), (11, appearance)], "")
        .changes();
    assert_eq!(c.level, Level::Other, "{:?}", c.described);
    assert!(says(&c, "takes object 7 of the signed revision"), "{:?}", c.described);
}

/// Class 4 (the rule's input): a new annotation that is no widget is an annotation, the
/// level the strict policy refuses after any signature; a hidden one shown is more.
#[test]
fn annotations_and_visibility_flags() {
    let page = "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Annots [6 0 R 10 0 R] >>";
    let free_text = "<< /Type /Annot /Subtype /FreeText /Rect [0 0 595 842] /DA (/Helv 40 Tf) /Contents (900) >>";
    let c = standard().update(&[(3, page), (10, free_text)], "").changes();
    assert_eq!(c.level, Level::Annotations, "{:?}", c.described);
    assert!(says(&c, "annotation"), "{:?}", c.described);
    // Prepared hidden (/F 2) before signing, shown after.
    let hidden = "<< /Type /Annot /Subtype /Square /Rect [0 0 595 842] /F 2 /IC [1 1 1] >>";
    let shown = "<< /Type /Annot /Subtype /Square /Rect [0 0 595 842] /F 4 /IC [1 1 1] >>";
    let pdf = Pdf::new(
        &[
            (1, CATALOG),
            (2, PAGES),
            (3, page),
            (4, CONTENT),
            (5, INFO),
            (6, SIGNED_FIELD),
            (7, SIGNATURE),
            (10, hidden),
        ],
        "",
    );
    let mut pdf = pdf;
    let c = pdf.update(&[(10, shown)], "").changes();
    assert_eq!(c.level, Level::Other, "{:?}", c.described);
    assert!(says(&c, "visibility flags"), "{:?}", c.described);
}

/// /NeedAppearances set after signing makes viewers redraw fields from values that may
/// differ from the signed appearances.
#[test]
fn asking_viewers_to_redraw_the_form_is_a_modification() {
    let catalog = "<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [6 0 R] /NeedAppearances true >> >>";
    let c = standard().update(&[(1, catalog)], "").changes();
    assert_eq!(c.level, Level::Other, "{:?}", c.described);
    assert!(says(&c, "NeedAppearances"), "{:?}", c.described);
}
