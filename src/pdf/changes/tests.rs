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

const OVERLAY: &str = "<< /Length 40 >>\nstream\n1 1 1 rg 0 0 595 842 re f BT (900) Tj ET\nendstream";

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
    let appearance = OPAQUE_AP;
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
    assert!(says(&c, "no new signature of the update"), "{:?}", c.described);
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

// ---------------------------------------------------------------------------------------
// Adversarial review: updates that show something other than what was signed. Each test
// asserts what a correct verifier must say; the ones marked HOLE fail today.
// ---------------------------------------------------------------------------------------

/// A form XObject that paints the whole page white and writes another amount.
const OPAQUE_AP: &str =
    "<< /Type /XObject /Subtype /Form /BBox [0 0 595 842] /Length 40 >>\nstream\n1 1 1 rg 0 0 595 842 re f BT (900) Tj ET\nendstream";
/// An appearance that draws nothing.
const EMPTY_AP: &str = "<< /Type /XObject /Subtype /Form /BBox [0 0 595 842] /Length 0 >>\nstream\n\nendstream";

impl Pdf {
    /// The changes after revision 0, checking that the update itself is well written (so
    /// that a test fails or passes for its attack, not for a typo in a /Length).
    fn judged(&self) -> Changes {
        let c = self.changes();
        assert!(
            !c.described
                .iter()
                .any(|d| d.contains("malformed") || d.contains("does not parse")),
            "the test PDF is badly written: {:?}",
            c.described
        );
        c
    }
}

/// The standard signed revision plus `extra` objects, with the page listing `annots` and
/// the form listing `fields` (both as written inside the brackets).
fn signed_with(extra: &[(u32, &str)], annots: &str, fields: &str, catalog_extra: &str, trailer: &str) -> Pdf {
    let catalog = format!("<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [{fields}] >> {catalog_extra} >>");
    let page = format!("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Annots [{annots}] >>");
    let mut objects: Vec<(u32, &str)> = vec![
        (1, &catalog),
        (2, PAGES),
        (3, &page),
        (4, CONTENT),
        (5, INFO),
        (6, SIGNED_FIELD),
        (7, SIGNATURE),
    ];
    for (num, body) in extra {
        objects.retain(|(n, _)| n != num);
        objects.push((*num, body));
    }
    Pdf::new(&objects, trailer)
}

/// HOLE. A signed signature field whose widget is a kid (`/Kids [10 0 R]`, the widget
/// with `/Parent 6 0 R` and no `/FT` of its own, as several signing tools write it). The
/// update gives the widget a full-page opaque appearance and touches `/AS` (or adds a
/// `/V` to the widget): the signed signature's visible appearance now covers the page.
#[test]
fn a_signed_signature_fields_widget_kid_keeps_its_appearance() {
    let field = "<< /FT /Sig /T (Signature1) /V 7 0 R /Kids [10 0 R] >>";
    let widget = "<< /Type /Annot /Subtype /Widget /Parent 6 0 R /Rect [0 0 595 842] /P 3 0 R /AP << /N 11 0 R >> >>";
    let mut holes = Vec::new();
    for changed in [
        "<< /Type /Annot /Subtype /Widget /Parent 6 0 R /Rect [0 0 595 842] /P 3 0 R /AP << /N 12 0 R >> /AS /N >>",
        "<< /Type /Annot /Subtype /Widget /Parent 6 0 R /Rect [0 0 595 842] /P 3 0 R /AP << /N 12 0 R >> /V (x) >>",
    ] {
        let c = signed_with(&[(6, field), (10, widget), (11, EMPTY_AP)], "10 0 R", "6 0 R", "", "")
            .update(&[(10, changed), (12, OPAQUE_AP)], "")
            .judged();
        if c.level != Level::Other {
            holes.push(format!("{changed}: {:?} {:?}", c.level, c.described));
        }
    }
    // The signed field is the kid, merged with its widget, its /FT /Sig inherited from a
    // parent field (`find_signatures` inherits /FT; the change rules read only the kid's).
    let parent = "<< /FT /Sig /T (Signatures) /Kids [10 0 R] >>";
    let signed_kid = "<< /T (Signature1) /Parent 6 0 R /V 7 0 R /Type /Annot /Subtype /Widget /Rect [0 0 595 842] /P 3 0 R /AP << /N 11 0 R >> >>";
    let changed = "<< /T (Signature1) /Parent 6 0 R /V 7 0 R /Type /Annot /Subtype /Widget /Rect [0 0 595 842] /P 3 0 R /AP << /N 12 0 R >> /AS /N >>";
    let c = signed_with(
        &[(6, parent), (10, signed_kid), (11, EMPTY_AP)],
        "10 0 R",
        "6 0 R",
        "",
        "",
    )
    .update(&[(10, changed), (12, OPAQUE_AP)], "")
    .judged();
    if c.level != Level::Other {
        holes.push(format!("inherited /FT /Sig: {:?} {:?}", c.level, c.described));
    }
    assert!(holes.is_empty(), "{holes:#?}");
}

/// HOLE. An empty signature field prepared before signing (merged with a full-page
/// widget, hidden with `/F 2`, or with an empty appearance) is shown or given a new
/// appearance without being signed, or "signed" with a `/V` that is null or that reuses
/// the signature already there: no new signature is verified, the page shows the overlay.
#[test]
fn an_empty_signature_field_changes_only_by_being_signed() {
    let empty = "<< /FT /Sig /T (Witness) /Type /Annot /Subtype /Widget /Rect [0 0 595 842] /F 2 /P 3 0 R /AP << /N 11 0 R >> >>";
    let mut holes = Vec::new();
    for changed in [
        // Shown (/F 4): the prepared full-page appearance appears.
        "<< /FT /Sig /T (Witness) /Type /Annot /Subtype /Widget /Rect [0 0 595 842] /F 4 /P 3 0 R /AP << /N 11 0 R >> >>",
        // A new appearance, no value.
        "<< /FT /Sig /T (Witness) /Type /Annot /Subtype /Widget /Rect [0 0 595 842] /F 2 /P 3 0 R /AP << /N 12 0 R >> >>",
        // "Signed" with null: find_signatures lists nothing for it.
        "<< /FT /Sig /T (Witness) /Type /Annot /Subtype /Widget /Rect [0 0 595 842] /F 4 /P 3 0 R /AP << /N 12 0 R >> /V null >>",
        // "Signed" with the signature of Signature1 (a value already verified).
        "<< /FT /Sig /T (Witness) /Type /Annot /Subtype /Widget /Rect [0 0 595 842] /F 4 /P 3 0 R /AP << /N 12 0 R >> /V 7 0 R >>",
    ] {
        let c = signed_with(&[(10, empty), (11, OPAQUE_AP)], "6 0 R 10 0 R", "6 0 R 10 0 R", "", "")
            .update(&[(10, changed), (12, OPAQUE_AP)], "")
            .judged();
        if c.level != Level::Other {
            holes.push(format!("{changed}: {:?} {:?}", c.level, c.described));
        }
    }
    assert!(holes.is_empty(), "{holes:#?}");
}

/// HOLE. A new signature field (listed in /Fields, its widget on the page with a
/// full-page opaque appearance) whose `/V` names nothing (an undefined object) or is
/// null: judged "a signature was added", but `find_signatures` skips a `/V` that resolves
/// to nothing, so no new signature is ever verified and only the first one, PASSED, shows.
#[test]
fn a_new_signature_field_without_a_signature_is_a_modification() {
    let page = "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Annots [6 0 R 10 0 R] >>";
    let catalog = "<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [6 0 R 10 0 R] >> >>";
    let mut holes = Vec::new();
    for value in ["99 0 R", "null"] {
        let field = format!(
            "<< /FT /Sig /T (Signature2) /V {value} /Type /Annot /Subtype /Widget /Rect [0 0 595 842] /P 3 0 R /AP << /N 11 0 R >> >>"
        );
        let c = standard()
            .update(&[(1, catalog), (3, page), (10, &field), (11, OPAQUE_AP)], "")
            .judged();
        if c.level != Level::Other {
            holes.push(format!("/V {value}: {:?} {:?}", c.level, c.described));
        }
    }
    assert!(holes.is_empty(), "{holes:#?}");
}

/// HOLE. A document timestamp's widget is judged LTA whatever it draws: a full-page
/// opaque appearance on a timestamp field passes where only validation data may be added
/// (a certification with P=1). A widget that draws is at least form filling.
#[test]
fn a_document_timestamp_that_draws_is_more_than_validation_data() {
    let page = "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Annots [6 0 R 10 0 R] >>";
    let catalog = "<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [6 0 R 10 0 R] >> >>";
    let stamp = "<< /Type /DocTimeStamp /Filter /Adobe.PPKLite /SubFilter /ETSI.RFC3161 >>";
    // Honest: an invisible widget.
    let honest = "<< /FT /Sig /T (Timestamp) /V 12 0 R /Type /Annot /Subtype /Widget /Rect [0 0 0 0] /P 3 0 R >>";
    let c = standard()
        .update(&[(1, catalog), (3, page), (10, honest), (12, stamp)], "")
        .judged();
    assert_eq!(c.level, Level::Lta, "{:?}", c.described);
    let drawn = "<< /FT /Sig /T (Timestamp) /V 12 0 R /Type /Annot /Subtype /Widget /Rect [0 0 595 842] /P 3 0 R /AP << /N 11 0 R >> >>";
    let c = standard()
        .update(
            &[(1, catalog), (3, page), (10, drawn), (11, OPAQUE_AP), (12, stamp)],
            "",
        )
        .judged();
    assert!(c.level > Level::Lta, "{:?}", c.described);
}

/// HOLE (design: the "sneaky signature" attack, Mladenov et al. 2021). A second,
/// genuinely signed signature whose widget is a full-page opaque appearance: "a signature
/// was added" (form filling), PASSED under the strict policy, while the page shows the
/// overlay. A new signature's appearance that covers signed content draws like an
/// annotation and must be judged at least as one.
#[test]
fn a_new_signature_whose_appearance_covers_the_page() {
    let page = "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Annots [6 0 R 10 0 R] >>";
    let catalog = "<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [6 0 R 10 0 R] >> >>";
    let field = "<< /FT /Sig /T (Signature2) /V 12 0 R /Type /Annot /Subtype /Widget /Rect [0 0 595 842] /P 3 0 R /AP << /N 11 0 R >> >>";
    let c = standard()
        .update(
            &[(1, catalog), (3, page), (10, field), (11, OPAQUE_AP), (12, SIGNATURE)],
            "",
        )
        .judged();
    assert!(c.level >= Level::Annotations, "{:?}", c.described);
}

/// HOLE. A text field's appearance is swapped while its value stays "10.000": the rule
/// "appearance changed while the value was not" is skipped as soon as `/AS` is touched
/// (meaningless on a text field whose `/AP /N` is a stream), or when `/V` is rewritten as
/// a reference to the same text.
#[test]
fn an_appearance_swap_is_not_hidden_by_touching_as_or_rewriting_the_value() {
    let field = "<< /FT /Tx /T (amount) /V (10.000) /Type /Annot /Subtype /Widget /Rect [100 700 300 720] /P 3 0 R /AP << /N 11 0 R >> >>";
    let mut holes = Vec::new();
    for (changed, extra) in [
        (
            "<< /FT /Tx /T (amount) /V (10.000) /Type /Annot /Subtype /Widget /Rect [100 700 300 720] /P 3 0 R /AP << /N 12 0 R >> /AS /N >>",
            None,
        ),
        (
            "<< /FT /Tx /T (amount) /V 13 0 R /Type /Annot /Subtype /Widget /Rect [100 700 300 720] /P 3 0 R /AP << /N 12 0 R >> >>",
            Some((13, "(10.000)")),
        ),
    ] {
        let mut objects = vec![(10, changed), (12, OPAQUE_AP)];
        objects.extend(extra);
        let c = signed_with(&[(10, field), (11, EMPTY_AP)], "6 0 R 10 0 R", "6 0 R 10 0 R", "", "")
            .update(&objects, "")
            .judged();
        if c.level != Level::Other {
            holes.push(format!("{changed}: {:?} {:?}", c.level, c.described));
        }
    }
    // The same value written as a hex string is the same value (closed today).
    let hex = "<< /FT /Tx /T (amount) /V <31302E303030> /Type /Annot /Subtype /Widget /Rect [100 700 300 720] /P 3 0 R /AP << /N 12 0 R >> >>";
    let c = signed_with(&[(10, field), (11, EMPTY_AP)], "6 0 R 10 0 R", "6 0 R 10 0 R", "", "")
        .update(&[(10, hex), (12, OPAQUE_AP)], "")
        .judged();
    assert_eq!(c.level, Level::Other, "{:?}", c.described);
    assert!(holes.is_empty(), "{holes:#?}");
}

/// HOLE. A check box whose value stays /Off is switched (`/AS /Yes`) to an appearance
/// state prepared before signing (here a full-page overlay): the shown state no longer
/// follows the value, and nothing was filled in.
#[test]
fn an_appearance_state_switched_without_the_value_is_a_modification() {
    let field = "<< /FT /Btn /T (paid) /V /Off /AS /Off /Type /Annot /Subtype /Widget /Rect [0 0 595 842] /P 3 0 R /AP << /N << /Off 11 0 R /Yes 12 0 R >> >> >>";
    let changed = "<< /FT /Btn /T (paid) /V /Off /AS /Yes /Type /Annot /Subtype /Widget /Rect [0 0 595 842] /P 3 0 R /AP << /N << /Off 11 0 R /Yes 12 0 R >> >> >>";
    let c = signed_with(
        &[(10, field), (11, EMPTY_AP), (12, OPAQUE_AP)],
        "6 0 R 10 0 R",
        "6 0 R 10 0 R",
        "",
        "",
    )
    .update(&[(10, changed)], "")
    .judged();
    assert_eq!(c.level, Level::Other, "{:?}", c.described);
}

/// HOLE. A FreeText annotation on the page that is also listed in /Fields (with /FT /Tx
/// and a /T): changing its appearance and /V is judged as a field (form filling) and the
/// annotation rule is skipped, so the strict policy passes a redrawn comment.
#[test]
fn an_annotation_listed_as_a_field_is_still_an_annotation() {
    let note = "<< /Type /Annot /Subtype /FreeText /FT /Tx /T (note) /V (a) /Rect [0 0 595 842] /DA (/Helv 12 Tf) /AP << /N 11 0 R >> >>";
    let changed = "<< /Type /Annot /Subtype /FreeText /FT /Tx /T (note) /V (b) /Rect [0 0 595 842] /DA (/Helv 12 Tf) /AP << /N 12 0 R >> >>";
    let c = signed_with(&[(10, note), (11, EMPTY_AP)], "6 0 R 10 0 R", "6 0 R 10 0 R", "", "")
        .update(&[(10, changed), (12, OPAQUE_AP)], "")
        .judged();
    assert!(c.level >= Level::Annotations, "{:?}", c.described);
}

/// HOLE. A widget on the page that belongs to no form field (no /Parent, not in /Fields)
/// with a full-page empty appearance: the update adds a /V and an opaque appearance,
/// "a form field was filled in" — but there is no field to fill.
#[test]
fn a_widget_of_no_field_cannot_be_filled() {
    let widget = "<< /Type /Annot /Subtype /Widget /Rect [0 0 595 842] /P 3 0 R /AP << /N 11 0 R >> >>";
    let changed = "<< /Type /Annot /Subtype /Widget /Rect [0 0 595 842] /P 3 0 R /AP << /N 12 0 R >> /V (x) >>";
    let c = signed_with(&[(10, widget), (11, EMPTY_AP)], "6 0 R 10 0 R", "6 0 R", "", "")
        .update(&[(10, changed), (12, OPAQUE_AP)], "")
        .judged();
    assert_eq!(c.level, Level::Other, "{:?}", c.described);
}

/// HOLE. /NeedAppearances set through a reference (`/NeedAppearances 9 0 R`, 9 = true):
/// viewers resolve it and redraw every field, but the rule only looks for a direct `true`.
#[test]
fn asking_viewers_to_redraw_through_a_reference_is_a_modification() {
    let catalog = "<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [6 0 R] /NeedAppearances 9 0 R >> >>";
    let c = standard().update(&[(1, catalog), (9, "true")], "").judged();
    assert_eq!(c.level, Level::Other, "{:?}", c.described);
}

/// HOLE. A form signed with /NeedAppearances true (many generators set it): viewers draw
/// each field from its value, its /DA, /MK, /Q, /Ff and the form's /DR. The update keeps
/// every value and changes only how they are drawn — the form's /DR /Helv replaced by a
/// Helvetica whose /Differences draw "1" as "9", the field's text made white, a black
/// background, the field made a password field — all judged form filling today. (pdf.js,
/// which draws text fields as HTML inputs from /V and /DA, shows these even without
/// /NeedAppearances.)
#[test]
fn how_a_value_is_drawn_does_not_change_when_the_value_does_not() {
    let form = "/NeedAppearances true /DR << /Font << /Helv 13 0 R >> >> /DA (/Helv 0 Tf 0 g)";
    let field = "<< /FT /Tx /T (amount) /V (10.000) /DA (/Helv 12 Tf 0 g) /Type /Annot /Subtype /Widget /Rect [100 700 300 720] /P 3 0 R /AP << /N 11 0 R >> >>";
    let helvetica = "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>";
    let base = || {
        let catalog = format!("<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [6 0 R 10 0 R] {form} >> >>");
        let page = "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Annots [6 0 R 10 0 R] >>";
        Pdf::new(
            &[
                (1, &catalog),
                (2, PAGES),
                (3, page),
                (4, CONTENT),
                (5, INFO),
                (6, SIGNED_FIELD),
                (7, SIGNATURE),
                (10, field),
                (11, EMPTY_AP),
                (13, helvetica),
            ],
            "",
        )
    };
    // The form's default resources: "/Helv" now draws 1 as 9.
    let catalog = "<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [6 0 R 10 0 R] /NeedAppearances true /DR << /Font << /Helv 14 0 R >> >> /DA (/Helv 0 Tf 0 g) >> >>";
    let nine = "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding << /Differences [49 /nine] >> >>";
    let c = base().update(&[(1, catalog), (14, nine)], "").judged();
    let mut holes = Vec::new();
    if c.level != Level::Other {
        holes.push(format!("/DR: {:?} {:?}", c.level, c.described));
    }
    for changed in [
        "<< /FT /Tx /T (amount) /V (10.000) /DA (/Helv 12 Tf 1 g) /Type /Annot /Subtype /Widget /Rect [100 700 300 720] /P 3 0 R /AP << /N 11 0 R >> >>",
        "<< /FT /Tx /T (amount) /V (10.000) /DA (/Helv 12 Tf 0 g) /MK << /BG [0] >> /Type /Annot /Subtype /Widget /Rect [100 700 300 720] /P 3 0 R /AP << /N 11 0 R >> >>",
        "<< /FT /Tx /T (amount) /V (10.000) /DA (/Helv 12 Tf 0 g) /Ff 8192 /Type /Annot /Subtype /Widget /Rect [100 700 300 720] /P 3 0 R /AP << /N 11 0 R >> >>",
    ] {
        let c = base().update(&[(10, changed)], "").judged();
        if c.level != Level::Other {
            holes.push(format!("{changed}: {:?} {:?}", c.level, c.described));
        }
    }
    assert!(holes.is_empty(), "{holes:#?}");
}

/// HOLE. The pointer exemption of `roles.rs` (an object with /Subtype and /Rect, or /FT,
/// or /Type /Page, reached from an "Other" context gets no role there) combined with a
/// lenient path: the object is not a page, annotation or field at all, so no page-tree path
/// judges it, and the trailer's /Info (or the DSS) reaching it makes it "only lenient".
/// Here the optional-content default configuration (catalog /OCProperties /D, which
/// decides whether the page's `/OC /oc1 BDC … EMC` text is shown) carries a harmless
/// /Subtype and /Rect, or /FT; the update turns the hidden layer on. Likewise a catalog
/// /OpenAction JavaScript action (run on opening by Acrobat and pdf.js, which may rewrite
/// field values) with /Subtype and /Rect, rewritten. All judged "document information
/// updated" / "validation data added" (LTA), which passes even a P=1 certification.
#[test]
fn the_pointer_exemption_does_not_open_a_lenient_path() {
    let page = "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Properties << /oc1 12 0 R >> >> /Annots [6 0 R] >>";
    let ocg = "<< /Type /OCG /Name (Amount) >>";
    let mut holes = Vec::new();
    for (pointer, off, on) in [
        (
            "/OCProperties << /OCGs [12 0 R] /D 13 0 R >>",
            "<< /OFF [12 0 R] /Subtype /View /Rect [0 0 0 0] >>",
            "<< /ON [12 0 R] /Subtype /View /Rect [0 0 0 0] >>",
        ),
        (
            "/OCProperties << /OCGs [12 0 R] /D 13 0 R >>",
            "<< /OFF [12 0 R] /FT /View >>",
            "<< /ON [12 0 R] /FT /View >>",
        ),
        (
            "/OpenAction 13 0 R",
            "<< /S /JavaScript /JS (app.alert(1);) /Subtype /X /Rect [0 0 0 0] >>",
            "<< /S /JavaScript /JS (this.getField('amount').value = '900';) /Subtype /X /Rect [0 0 0 0] >>",
        ),
    ] {
        for (lenient, trailer) in [("", "/Info 14 0 R"), ("/DSS << /Certs [13 0 R] >>", "")] {
            let catalog =
                format!("<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [6 0 R] >> {pointer} {lenient} >>");
            let c = Pdf::new(
                &[
                    (1, &catalog),
                    (2, PAGES),
                    (3, page),
                    (4, CONTENT),
                    (6, SIGNED_FIELD),
                    (7, SIGNATURE),
                    (12, ocg),
                    (13, off),
                    (14, "<< /Title (Giay khai sinh) /Config 13 0 R >>"),
                ],
                trailer,
            )
            .update(&[(13, on)], trailer)
            .judged();
            if c.level != Level::Other {
                holes.push(format!(
                    "{pointer} {lenient} {trailer}: {:?} {:?}",
                    c.level, c.described
                ));
            }
        }
    }
    assert!(holes.is_empty(), "{holes:#?}");
}

/// HOLE. Inheritance through a /Parent that is not the page's place in the tree: page 3
/// (listed by the root node 2) names `/Parent 8 0 R`, a /Pages node the tree never lists,
/// which holds the page's /Resources (its font /F1) and /MediaBox. pdf.js reads inherited
/// attributes through /Parent, so object 8 and the font are drawn; the role walk never
/// follows /Parent, and the trailer's /Info naming node 8 makes both "document
/// information". The update swaps the font for one that draws "1" as "9", or rotates the
/// page: LTA today.
#[test]
fn inherited_page_attributes_are_drawn_whatever_else_reaches_them() {
    let page = "<< /Type /Page /Parent 8 0 R /Contents 4 0 R /Annots [6 0 R] >>";
    let node =
        "<< /Type /Pages /Kids [3 0 R] /Count 1 /MediaBox [0 0 595 842] /Resources << /Font << /F1 9 0 R >> >> >>";
    let helvetica = "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>";
    let base = || {
        Pdf::new(
            &[
                (1, CATALOG),
                (2, PAGES),
                (3, page),
                (4, CONTENT),
                (5, "<< /Title (Giay khai sinh) /Tree 8 0 R >>"),
                (6, SIGNED_FIELD),
                (7, SIGNATURE),
                (8, node),
                (9, helvetica),
            ],
            "/Info 5 0 R",
        )
    };
    let nine = "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding << /Differences [49 /nine] >> >>";
    let rotated = "<< /Type /Pages /Kids [3 0 R] /Count 1 /MediaBox [0 0 595 842] /Rotate 180 /Resources << /Font << /F1 9 0 R >> >> >>";
    let mut holes = Vec::new();
    for (what, update) in [("font", (9, nine)), ("node", (8, rotated))] {
        let c = base().update(&[update], "/Info 5 0 R").judged();
        if c.level != Level::Other {
            holes.push(format!("{what}: {:?} {:?}", c.level, c.described));
        }
    }
    assert!(holes.is_empty(), "{holes:#?}");
}

/// HOLE. The same through a widget's /Parent: the widget (listed in /Fields and on the
/// page) inherits /FT, /V, /DA and /AA from `/Parent 12 0 R`, a field no /Fields or /Kids
/// lists and that only the trailer's /Info names. The update gives that parent a format
/// action (Acrobat draws the value through it) or a new value (pdf.js draws /V): LTA
/// today, which passes a P=1 certification.
#[test]
fn inherited_field_attributes_are_judged_as_the_field() {
    let widget = "<< /Type /Annot /Subtype /Widget /T (amount) /Parent 12 0 R /Rect [100 700 300 720] /P 3 0 R /AP << /N 11 0 R >> >>";
    let parent = "<< /FT /Tx /T (form) /V (10.000) /DA (/Helv 12 Tf 0 g) >>";
    let mut holes = Vec::new();
    for (changed, want) in [
        (
            "<< /FT /Tx /T (form) /V (10.000) /DA (/Helv 12 Tf 0 g) /AA << /F << /S /JavaScript /JS (event.value = '900.000.000';) >> >> >>",
            Level::Other,
        ),
        ("<< /FT /Tx /T (form) /V (900.000.000) /DA (/Helv 12 Tf 0 g) >>", Level::FormFilling),
    ] {
        let c = signed_with(
            &[
                (10, widget),
                (11, EMPTY_AP),
                (12, parent),
                (5, "<< /Title (Giay khai sinh) /Form 12 0 R >>"),
            ],
            "6 0 R 10 0 R",
            "6 0 R 10 0 R",
            "",
            "/Info 5 0 R",
        )
        .update(&[(12, changed)], "/Info 5 0 R")
        .judged();
        if c.level < want {
            holes.push(format!("{changed}: {:?} {:?}", c.level, c.described));
        }
    }
    assert!(holes.is_empty(), "{holes:#?}");
}

/// The signed revision written with an xref stream (object 21), the catalog, the page
/// tree and the page compressed in object stream 20; `info` is object 5.
fn signed_in_object_stream(info: &str) -> Pdf {
    let mut data = b"%PDF-1.7\n".to_vec();
    let mut offsets: Vec<(u32, usize)> = Vec::new();
    let object_stream = object_stream_of(&[(1, CATALOG), (2, PAGES), (3, PAGE)]);
    for (num, body) in [
        (4, CONTENT),
        (5, info),
        (6, SIGNED_FIELD),
        (7, SIGNATURE),
        (20, object_stream.as_str()),
    ] {
        offsets.push((num, data.len()));
        data.extend_from_slice(format!("{num} 0 obj\n{body}\nendobj\n").as_bytes());
    }
    let xref_at = data.len();
    offsets.push((21, xref_at));
    let mut rows = Vec::new();
    for num in 0..22u32 {
        let (kind, field1, field2): (u8, u32, u16) = if let Some(&(_, at)) = offsets.iter().find(|(n, _)| *n == num) {
            (1, at as u32, 0)
        } else if (1..=3).contains(&num) {
            (2, 20, (num - 1) as u16)
        } else {
            (0, 0, if num == 0 { 65535 } else { 0 })
        };
        rows.push(kind);
        rows.extend_from_slice(&field1.to_be_bytes());
        rows.extend_from_slice(&field2.to_be_bytes());
    }
    data.extend_from_slice(
        format!(
            "21 0 obj\n<< /Type /XRef /Size 22 /W [1 4 2] /Root 1 0 R /Info 5 0 R /Length {} >>\nstream\n",
            rows.len()
        )
        .as_bytes(),
    );
    data.extend_from_slice(&rows);
    data.extend_from_slice(format!("\nendstream\nendobj\nstartxref\n{xref_at}\n%%EOF\n").as_bytes());
    Pdf {
        data,
        prev: Some(xref_at),
        size: 22,
    }
}

/// An uncompressed object stream holding `objects`.
fn object_stream_of(objects: &[(u32, &str)]) -> String {
    let (mut header, mut body) = (String::new(), String::new());
    for (num, text) in objects {
        header.push_str(&format!("{num} {} ", body.len()));
        body.push_str(text);
        body.push('\n');
    }
    format!(
        "<< /Type /ObjStm /N {} /First {} /Length {} >>\nstream\n{header}{body}\nendstream",
        objects.len(),
        header.len(),
        header.len() + body.len()
    )
}

/// HOLE. An object stream rewritten in place changes every object it holds (their xref
/// entries still point into it, and it is read as of the last revision), but only the
/// stream's own number is "touched", judged by the stream's own roles. Nothing refers to
/// an object stream, so it is a modification — unless the trailer's /Info names it, which
/// makes it "document information": the page inside it then gets a new /Contents, LTA.
#[test]
fn an_object_stream_is_judged_by_what_it_holds() {
    let page = "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 9 0 R /Annots [6 0 R] >>";
    let rewritten = object_stream_of(&[(1, CATALOG), (2, PAGES), (3, page)]);
    // The builder itself: an update that changes nothing, and honest information.
    let c = signed_in_object_stream(INFO).update(&[], "/Info 5 0 R").judged();
    assert_eq!(c.level, Level::None, "{:?}", c.described);
    let c = signed_in_object_stream(INFO)
        .update(&[(5, "<< /Title (x) >>")], "/Info 5 0 R")
        .judged();
    assert_eq!(c.level, Level::Lta, "{:?}", c.described);
    // Reached by nothing: a modification (closed today).
    let c = signed_in_object_stream(INFO)
        .update(&[(20, &rewritten), (9, OPAQUE_AP)], "/Info 5 0 R")
        .judged();
    assert_eq!(c.level, Level::Other, "{:?}", c.described);
    // Named by the document information.
    let c = signed_in_object_stream("<< /Title (Giay khai sinh) /Parts 20 0 R >>")
        .update(&[(20, &rewritten), (9, OPAQUE_AP)], "/Info 5 0 R")
        .judged();
    assert_eq!(c.level, Level::Other, "{:?}", c.described);
}

/// HOLE. A popup (in the page's /Annots, `/Open true`) shows the text of its `/Parent`
/// markup annotation, which no /Annots lists and only the trailer's /Info names: the
/// walk does not follow /Parent, so rewriting the text the popup shows is "document
/// information" (LTA) instead of an annotation change.
#[test]
fn a_popups_parent_is_judged_as_an_annotation() {
    let popup = "<< /Type /Annot /Subtype /Popup /Parent 12 0 R /Rect [300 600 595 842] /Open true >>";
    let note = "<< /Type /Annot /Subtype /Text /Rect [0 0 10 10] /T (Officer) /Contents (Approved: 10.000 VND) /Popup 10 0 R >>";
    let changed = "<< /Type /Annot /Subtype /Text /Rect [0 0 10 10] /T (Officer) /Contents (Approved: 900.000.000 VND) /Popup 10 0 R >>";
    let c = signed_with(
        &[
            (10, popup),
            (12, note),
            (5, "<< /Title (Giay khai sinh) /Note 12 0 R >>"),
        ],
        "6 0 R 10 0 R",
        "6 0 R",
        "",
        "/Info 5 0 R",
    )
    .update(&[(12, changed)], "/Info 5 0 R")
    .judged();
    assert!(c.level >= Level::Annotations, "{:?}", c.described);
}

/// HOLE. A dictionary written with one key twice (`/Annots [6 0 R 10 0 R] /Annots [6 0 R]`):
/// readers disagree on which entry wins (the crate's own `Dict` notes it and the signature
/// checks refuse it), but the change rules read one entry (the last) after seeing that the
/// key changed — the page "gains no annotation" (no change at all) while a reader taking
/// the first entry draws annotation 10; /NeedAppearances written `true` then `false`.
#[test]
fn an_updated_dictionary_with_a_key_written_twice_is_a_modification() {
    let square = "<< /Type /Annot /Subtype /Square /Rect [0 0 595 842] /IC [1 1 1] >>";
    let page = "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Annots [6 0 R 10 0 R] /Annots [6 0 R] >>";
    let mut holes = Vec::new();
    let c = standard().update(&[(3, page), (10, square)], "").judged();
    if c.level != Level::Other {
        holes.push(format!("/Annots twice: {:?} {:?}", c.level, c.described));
    }
    let catalog = "<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [6 0 R] /NeedAppearances true /NeedAppearances false >> >>";
    let c = standard().update(&[(1, catalog)], "").judged();
    if c.level != Level::Other {
        holes.push(format!("/NeedAppearances twice: {:?} {:?}", c.level, c.described));
    }
    assert!(holes.is_empty(), "{holes:#?}");
}

/// Closed today (regression): an object re-declared with the same dictionary but other
/// stream bytes (the content stream, same /Length), and pages the walk types differently
/// from pdf.js (a page without /Type, a /Type /Pages node without /Kids, which pdf.js
/// draws as a page) — everything they reach is strict.
#[test]
fn same_dictionary_other_bytes_and_untyped_pages_are_modifications() {
    let c = standard()
        .update(
            &[(4, "<< /Length 27 >>\nstream\nBT /F1 12 Tf (90.000) Tj ET\nendstream")],
            "",
        )
        .judged();
    assert_eq!(c.level, Level::Other, "{:?}", c.described);
    for page in [
        "<< /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Annots [6 0 R] >>",
        "<< /Type /Pages /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Annots [6 0 R] >>",
    ] {
        let c = signed(page, CATALOG, "").update(&[(4, OPAQUE_AP)], "").judged();
        assert_eq!(c.level, Level::Other, "{page}: {:?}", c.described);
        let annotated = page.replace("/Annots [6 0 R]", "/Annots [6 0 R 10 0 R]");
        let c = signed(page, CATALOG, "")
            .update(
                &[
                    (3, &annotated),
                    (
                        10,
                        "<< /Type /Annot /Subtype /Square /Rect [0 0 595 842] /IC [1 1 1] >>",
                    ),
                ],
                "",
            )
            .judged();
        assert!(c.level >= Level::Annotations, "{page}: {:?}", c.described);
    }
}

/// Regression: the `OVERLAY` of the tests above declares `/Length 38` for 40 bytes, so
/// each of those updates is also "malformed" (a modification on its own). The same attacks
/// with a well-formed overlay, checked by `judged`, are still modifications.
#[test]
fn the_earlier_classes_hold_with_a_well_formed_overlay() {
    let overlay = "<< /Length 40 >>\nstream\n1 1 1 rg 0 0 595 842 re f BT (900) Tj ET\nendstream";
    let page = "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents [4 0 R 9 0 R] /Annots [6 0 R] >>";
    let c = signed(page, CATALOG, "/Info 5 0 R")
        .update(&[(9, overlay)], "/Info 5 0 R")
        .judged();
    assert_eq!(c.level, Level::Other, "{:?}", c.described);
    let c = signed(PAGE, CATALOG, "/Info 4 0 R")
        .update(&[(4, overlay)], "/Info 4 0 R")
        .judged();
    assert_eq!(c.level, Level::Other, "{:?}", c.described);
    let catalog = "<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [6 0 R] >> /Metadata 4 0 R >>";
    let c = signed(PAGE, catalog, "").update(&[(4, overlay)], "").judged();
    assert_eq!(c.level, Level::Other, "{:?}", c.described);
    let page = "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Annots [6 0 R 10 0 R] >>";
    let widget = "<< /Type /Annot /Subtype /Widget /Parent 6 0 R /Rect [0 0 595 842] /AP << /N 11 0 R >> >>";
    let c = standard()
        .update(&[(3, page), (10, widget), (11, OPAQUE_AP)], "")
        .judged();
    assert_eq!(c.level, Level::Other, "{:?}", c.described);
}

// ---------------------------------------------------------------------------------------
// Adversarial review, round 2. HOLE marks the tests that fail today.
// ---------------------------------------------------------------------------------------

/// A genuine new signature's value (a new object of the update).
const SIGNATURE2: &str = "<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter /ETSI.CAdES.detached /M (D:20260101) >>";

/// HOLE (the "sneaky signature" through a prepared field). An empty signature field
/// prepared before signing with a full-page /Rect, invisible when signed (hidden with
/// `/F 2`, or drawn with an empty appearance), is later signed with a genuine new
/// signature: `/V` new, `/F 4`, a full-page opaque appearance. The 25% rule is applied
/// only to new widgets in `annots`; an old widget signed in place goes through
/// `field`'s Sig branch, where /F, /AP, /MK are all allowed: "an empty signature field
/// was signed" (form filling), PASSED by the strict policy while the page shows the
/// overlay. A signed field's appearance must be measured like a new one's.
#[test]
fn a_prepared_empty_signature_field_signed_later_is_measured_like_a_new_one() {
    let mut holes = Vec::new();
    for (before, after) in [
        (
            "<< /FT /Sig /T (Witness) /Type /Annot /Subtype /Widget /Rect [0 0 595 842] /F 2 /P 3 0 R /AP << /N 11 0 R >> >>",
            "<< /FT /Sig /T (Witness) /Type /Annot /Subtype /Widget /Rect [0 0 595 842] /F 4 /P 3 0 R /AP << /N 12 0 R >> /V 13 0 R >>",
        ),
        (
            "<< /FT /Sig /T (Witness) /Type /Annot /Subtype /Widget /Rect [0 0 595 842] /F 4 /P 3 0 R /AP << /N 11 0 R >> >>",
            "<< /FT /Sig /T (Witness) /Type /Annot /Subtype /Widget /Rect [0 0 595 842] /F 4 /P 3 0 R /AP << /N 12 0 R >> /V 13 0 R >>",
        ),
    ] {
        let c = signed_with(&[(10, before), (11, EMPTY_AP)], "6 0 R 10 0 R", "6 0 R 10 0 R", "", "")
            .update(&[(10, after), (12, OPAQUE_AP), (13, SIGNATURE2)], "")
            .judged();
        if c.level < Level::Annotations {
            holes.push(format!("{after}: {:?} {:?}", c.level, c.described));
        }
    }
    // Honest (regression): a small visible signature in a prepared small field.
    let small = "<< /FT /Sig /T (Witness) /Type /Annot /Subtype /Widget /Rect [400 50 560 110] /F 4 /P 3 0 R >>";
    let signed_small = "<< /FT /Sig /T (Witness) /Type /Annot /Subtype /Widget /Rect [400 50 560 110] /F 4 /P 3 0 R /AP << /N 12 0 R >> /V 13 0 R >>";
    let c = signed_with(&[(10, small)], "6 0 R 10 0 R", "6 0 R 10 0 R", "", "")
        .update(&[(10, signed_small), (12, OPAQUE_AP), (13, SIGNATURE2)], "")
        .judged();
    assert_eq!(c.level, Level::FormFilling, "{:?}", c.described);
    assert!(holes.is_empty(), "{holes:#?}");
}

/// HOLE. A new signature's (or document timestamp's) widget whose `/Rect` numbers are
/// indirect objects: `[0 0 20 0 R 21 0 R]` with 20 = 595 and 21 = 842. pdf.js
/// (`Dict.getArray`) and Acrobat resolve each element, so the appearance covers the page;
/// `form::area` reads only direct numbers, gets 0, and judges "a signature was added"
/// (form filling), or for a document timestamp "a document timestamp was added" (LTA),
/// which passes even a P=1 certification.
#[test]
fn a_signature_rect_with_indirect_numbers_is_measured() {
    let page = "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Annots [6 0 R 10 0 R] >>";
    let catalog = "<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [6 0 R 10 0 R] >> >>";
    let stamp = "<< /Type /DocTimeStamp /Filter /Adobe.PPKLite /SubFilter /ETSI.RFC3161 >>";
    let field = "<< /FT /Sig /T (Signature2) /V 12 0 R /Type /Annot /Subtype /Widget /Rect [0 0 20 0 R 21 0 R] /P 3 0 R /AP << /N 11 0 R >> >>";
    let mut holes = Vec::new();
    for (what, value) in [("signature", SIGNATURE2), ("timestamp", stamp)] {
        let c = standard()
            .update(
                &[
                    (1, catalog),
                    (3, page),
                    (10, field),
                    (11, OPAQUE_AP),
                    (12, value),
                    (20, "595"),
                    (21, "842"),
                ],
                "",
            )
            .judged();
        if c.level < Level::Annotations {
            holes.push(format!("{what}: {:?} {:?}", c.level, c.described));
        }
    }
    assert!(holes.is_empty(), "{holes:#?}");
}

/// HOLE. The 25% rule measures a new signature's widget against the page's own
/// `/MediaBox`, and falls back to an A4 page when it cannot: (a) a 100×100 page whose
/// /MediaBox is inherited from its /Pages node (§7.7.3.4), (b) an A4 /MediaBox whose
/// /CropBox (what viewers show, §14.11.2) is 100×100, (c) a 100×100 page whose /Annots is
/// an indirect array (the AnnotList rule passes no page size at all). Each time a
/// 100×100 signature appearance covers the whole visible page and is judged "a signature
/// was added" (2% of an A4 page): form filling, PASSED.
#[test]
fn a_signature_appearance_is_measured_against_the_page_as_shown() {
    let field = "<< /FT /Sig /T (Signature2) /V 12 0 R /Type /Annot /Subtype /Widget /Rect [0 0 100 100] /P 3 0 R /AP << /N 11 0 R >> >>";
    let catalog = "<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [6 0 R 10 0 R] >> >>";
    let small_ap = "<< /Type /XObject /Subtype /Form /BBox [0 0 100 100] /Length 40 >>\nstream\n1 1 1 rg 0 0 100 100 re f BT (900) Tj ET\nendstream";
    let mut holes = Vec::new();
    // (a) inherited /MediaBox.
    let node = "<< /Type /Pages /Kids [3 0 R] /Count 1 /MediaBox [0 0 100 100] >>";
    let page = "<< /Type /Page /Parent 2 0 R /Contents 4 0 R /Annots [6 0 R] >>";
    let annotated = "<< /Type /Page /Parent 2 0 R /Contents 4 0 R /Annots [6 0 R 10 0 R] >>";
    let c = signed_with(&[(2, node), (3, page)], "", "6 0 R", "", "")
        .update(
            &[
                (1, catalog),
                (3, annotated),
                (10, field),
                (11, small_ap),
                (12, SIGNATURE2),
            ],
            "",
        )
        .judged();
    if c.level < Level::Annotations {
        holes.push(format!("inherited /MediaBox: {:?} {:?}", c.level, c.described));
    }
    // (b) /CropBox.
    let page = "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /CropBox [0 0 100 100] /Contents 4 0 R /Annots [6 0 R] >>";
    let annotated = "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /CropBox [0 0 100 100] /Contents 4 0 R /Annots [6 0 R 10 0 R] >>";
    let c = signed_with(&[(3, page)], "", "6 0 R", "", "")
        .update(
            &[
                (1, catalog),
                (3, annotated),
                (10, field),
                (11, small_ap),
                (12, SIGNATURE2),
            ],
            "",
        )
        .judged();
    if c.level < Level::Annotations {
        holes.push(format!("/CropBox: {:?} {:?}", c.level, c.described));
    }
    // (c) an indirect /Annots array on a 100×100 page.
    let page = "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 100 100] /Contents 4 0 R /Annots 9 0 R >>";
    let c = signed_with(&[(3, page), (9, "[6 0 R]")], "", "6 0 R", "", "")
        .update(
            &[
                (1, catalog),
                (9, "[6 0 R 10 0 R]"),
                (10, field),
                (11, small_ap),
                (12, SIGNATURE2),
            ],
            "",
        )
        .judged();
    if c.level < Level::Annotations {
        holes.push(format!("indirect /Annots: {:?} {:?}", c.level, c.described));
    }
    // Regression: the page's own /MediaBox, 100×100, is measured.
    let page = "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 100 100] /Contents 4 0 R /Annots [6 0 R] >>";
    let annotated = "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 100 100] /Contents 4 0 R /Annots [6 0 R 10 0 R] >>";
    let c = signed_with(&[(3, page)], "", "6 0 R", "", "")
        .update(
            &[
                (1, catalog),
                (3, annotated),
                (10, field),
                (11, small_ap),
                (12, SIGNATURE2),
            ],
            "",
        )
        .judged();
    assert!(c.level >= Level::Annotations, "own /MediaBox: {:?}", c.described);
    assert!(holes.is_empty(), "{holes:#?}");
}

/// HOLE. A legit new signature whose widget carries actions: `/AA /PO` (page opened) or
/// `/AA /PV` JavaScript that rewrites the signed "amount" field's value or hides it when
/// the page is shown (Acrobat and pdf.js's scripting run widget page actions without any
/// click), or a `/AA /Fo` / `/A` run on focus/click. Nothing in a new widget but its /Rect,
/// /F and /AP is looked at: "a signature was added" (form filling) — or a document
/// timestamp (LTA) — while the document shown on open is not the one signed, and a value
/// changed by script escapes every FieldMDP lock.
#[test]
fn a_new_signature_widget_runs_no_script() {
    let page = "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Annots [6 0 R 10 0 R] >>";
    let catalog = "<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [6 0 R 10 0 R] >> >>";
    let js = "<< /S /JavaScript /JS (this.getField('amount').value = '900.000.000';) >>";
    let mut holes = Vec::new();
    for actions in [
        format!("/AA << /PO {js} >>"),
        format!("/AA << /PV {js} >>"),
        "/AA << /PO 14 0 R >>".to_string(),
        format!("/A {js}"),
    ] {
        let field = format!(
            "<< /FT /Sig /T (Signature2) /V 12 0 R /Type /Annot /Subtype /Widget /Rect [0 0 0 0] /P 3 0 R {actions} >>"
        );
        let c = standard()
            .update(&[(1, catalog), (3, page), (10, &field), (12, SIGNATURE2), (14, js)], "")
            .judged();
        if c.level != Level::Other {
            holes.push(format!("{actions}: {:?} {:?}", c.level, c.described));
        }
    }
    // The same on a new signature field that is not merged with its widget.
    let field = format!("<< /FT /Sig /T (Signature2) /V 12 0 R /Kids [15 0 R] /AA << /V {js} >> >>");
    let widget = "<< /Type /Annot /Subtype /Widget /Parent 10 0 R /Rect [0 0 0 0] /P 3 0 R >>";
    let page15 = "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Annots [6 0 R 15 0 R] >>";
    let c = standard()
        .update(
            &[(1, catalog), (3, page15), (10, &field), (12, SIGNATURE2), (15, widget)],
            "",
        )
        .judged();
    if c.level != Level::Other {
        holes.push(format!("field /AA: {:?} {:?}", c.level, c.described));
    }
    assert!(holes.is_empty(), "{holes:#?}");
}

/// HOLE (class 1 through a resource name). A form signed with /NeedAppearances true
/// (viewers draw each field from its value and /DA) whose field's /DA names `/Helv`,
/// which the form's /DR did not define when signed (viewers fall back to a standard
/// Helvetica). The update "extends" /DR with `/Helv` = a Helvetica whose /Differences
/// draw "1" as "9": every name old entries had is kept, so "the form's resources were
/// extended" (form filling) — but the signed field is now drawn with other glyphs. A name
/// the signed revision used without defining it is a dangling reference.
#[test]
fn a_resource_name_the_signed_form_used_is_not_defined_later() {
    let field = "<< /FT /Tx /T (amount) /V (10.000) /DA (/Helv 12 Tf 0 g) /Type /Annot /Subtype /Widget /Rect [100 700 300 720] /P 3 0 R >>";
    let nine = "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding << /Differences [49 /nine] >> >>";
    let mut holes = Vec::new();
    for (before, after) in [
        (
            "/NeedAppearances true",
            "/NeedAppearances true /DR << /Font << /Helv 13 0 R >> >>",
        ),
        (
            "/NeedAppearances true /DR << /Font << /ZaDb 14 0 R >> >>",
            "/NeedAppearances true /DR << /Font << /ZaDb 14 0 R /Helv 13 0 R >> >>",
        ),
    ] {
        let signed_catalog =
            format!("<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [6 0 R 10 0 R] {before} >> >>");
        let c = signed_with(
            &[
                (1, &signed_catalog),
                (10, field),
                (14, "<< /Type /Font /Subtype /Type1 /BaseFont /ZapfDingbats >>"),
            ],
            "6 0 R 10 0 R",
            "6 0 R 10 0 R",
            "",
            "",
        )
        .update(
            &[
                (
                    1,
                    &format!("<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [6 0 R 10 0 R] {after} >> >>"),
                ),
                (13, nine),
            ],
            "",
        )
        .judged();
        if c.level != Level::Other {
            holes.push(format!("{after}: {:?} {:?}", c.level, c.described));
        }
    }
    assert!(holes.is_empty(), "{holes:#?}");
}

/// HOLE. Two readings of "is this a signature field": the change rules inherit /FT up the
/// widget's `/Parent` link (as pdf.js and Acrobat do), `find_signatures` inherits it only
/// down the `/Fields`→`/Kids` walk. A field listed in /Fields with no /FT of its own and
/// `/Parent 12 0 R` (a `/FT /Sig` node no /Kids lists) is an empty signature field to the
/// rules and to viewers, but no field at all to `find_signatures`. The update "signs" it
/// with a bogus signature dictionary (no /ByteRange, no /Contents) and an appearance
/// reading "Approved — Director": "an empty signature field was signed" (form filling),
/// and the bogus value is never verified, so the document shows a signature nobody checks
/// next to the first one, PASSED. Whatever the rules accept as signing must be a
/// signature `find_signatures` lists.
#[test]
fn a_field_signed_by_the_update_is_one_find_signatures_verifies() {
    let parent = "<< /FT /Sig /T (Approvals) >>";
    let field = "<< /T (Director) /Parent 12 0 R /Type /Annot /Subtype /Widget /Rect [400 50 560 110] /P 3 0 R >>";
    let signed_field = "<< /T (Director) /Parent 12 0 R /Type /Annot /Subtype /Widget /Rect [400 50 560 110] /P 3 0 R /V 13 0 R /AP << /N 11 0 R >> >>";
    let bogus = "<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter /ETSI.CAdES.detached /Name (Director) >>";
    let pdf = {
        let mut pdf = signed_with(&[(10, field), (12, parent)], "6 0 R 10 0 R", "6 0 R 10 0 R", "", "");
        pdf.update(&[(10, signed_field), (11, EMPTY_AP), (13, bogus)], "");
        pdf
    };
    let c = pdf.judged();
    let doc = Document::parse(&pdf.data).expect("parses");
    let found = crate::pdf::signature::find_signatures(&doc).expect("found");
    let verified = found.iter().any(|s| s.value.num == 13);
    assert!(
        c.level == Level::Other || verified,
        "judged {:?} {:?}, but find_signatures lists {:?}",
        c.level,
        c.described,
        found
            .iter()
            .map(|s| (s.field_name.clone(), s.value.num))
            .collect::<Vec<_>>()
    );
}

/// HOLE (design, the "sneaky signature" class through form filling). A text field
/// prepared before signing with a full-page /Rect and an empty value and appearance
/// (invisible when signed) is "filled in" with a value and a full-page opaque appearance
/// showing another amount. Filling in may change /AP with /V, and nothing measures it:
/// form filling, PASSED by the strict policy. An appearance no signer saw that covers
/// more than the 25% a new signature may cover is drawing over the signed content.
#[test]
fn filling_a_prepared_full_page_field_is_measured_like_a_signature() {
    let field = "<< /FT /Tx /T (remarks) /DA (/Helv 0 Tf 0 g) /Type /Annot /Subtype /Widget /Rect [0 0 595 842] /F 4 /P 3 0 R /AP << /N 11 0 R >> >>";
    let filled = "<< /FT /Tx /T (remarks) /V (.) /DA (/Helv 0 Tf 0 g) /Type /Annot /Subtype /Widget /Rect [0 0 595 842] /F 4 /P 3 0 R /AP << /N 12 0 R >> >>";
    let c = signed_with(&[(10, field), (11, EMPTY_AP)], "6 0 R 10 0 R", "6 0 R 10 0 R", "", "")
        .update(&[(10, filled), (12, OPAQUE_AP)], "")
        .judged();
    assert!(c.level >= Level::Annotations, "{:?} {:?}", c.level, c.described);
}

/// Regression: a document timestamp written into an old empty signature field is "an
/// empty signature field was signed" (form filling), never LTA, so a P=1 certification
/// still refuses it; a new signature widget with huge negative coordinates is measured by
/// its absolute area; an object freed and reused at a higher generation, and the trailer's
/// /Info re-pointed at the catalog while the catalog gains a non-allowed key, are
/// modifications.
#[test]
fn timestamps_in_old_fields_generations_and_info_on_the_catalog() {
    let empty = "<< /FT /Sig /T (Timestamp) /Type /Annot /Subtype /Widget /Rect [0 0 0 0] /P 3 0 R >>";
    let stamped = "<< /FT /Sig /T (Timestamp) /Type /Annot /Subtype /Widget /Rect [0 0 0 0] /P 3 0 R /V 13 0 R >>";
    let stamp = "<< /Type /DocTimeStamp /Filter /Adobe.PPKLite /SubFilter /ETSI.RFC3161 >>";
    let c = signed_with(&[(10, empty)], "6 0 R 10 0 R", "6 0 R 10 0 R", "", "")
        .update(&[(10, stamped), (13, stamp)], "")
        .judged();
    assert!(c.level > Level::Lta, "{:?} {:?}", c.level, c.described);

    let page = "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Annots [6 0 R 10 0 R] >>";
    let catalog = "<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [6 0 R 10 0 R] >> >>";
    let field = "<< /FT /Sig /T (Signature2) /V 12 0 R /Type /Annot /Subtype /Widget /Rect [-100000 -100000 -99000 -99000] /P 3 0 R /AP << /N 11 0 R >> >>";
    let c = standard()
        .update(
            &[(1, catalog), (3, page), (10, field), (11, OPAQUE_AP), (12, SIGNATURE2)],
            "",
        )
        .judged();
    assert!(c.level >= Level::Annotations, "{:?} {:?}", c.level, c.described);

    // Object 4 (the content) freed, then written again as generation 1.
    let mut pdf = standard();
    let xref_at = pdf.data.len();
    let body_at;
    {
        let body = format!("4 1 obj\n{OVERLAY}\nendobj\n");
        body_at = xref_at;
        pdf.data.extend_from_slice(body.as_bytes());
    }
    let table_at = pdf.data.len();
    let prev = pdf.prev.unwrap();
    pdf.data.extend_from_slice(
        format!(
            "xref\n4 1\n{body_at:010} 00001 n\r\ntrailer\n<< /Size 8 /Root 1 0 R /Prev {prev} >>\nstartxref\n{table_at}\n%%EOF\n"
        )
        .as_bytes(),
    );
    let c = pdf.changes();
    assert_eq!(c.level, Level::Other, "{:?}", c.described);

    let c = standard()
        .update(
            &[
                (
                    1,
                    "<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [6 0 R] >> /OpenAction 9 0 R >>",
                ),
                (9, "<< /S /JavaScript /JS (1) >>"),
            ],
            "/Info 1 0 R",
        )
        .judged();
    assert_eq!(c.level, Level::Other, "{:?}", c.described);
}

// ---------------------------------------------------------------------------------------
// Adversarial review, round 3 (the whole verifier; see also tests/pdf_verifier_attacks.rs,
// where the same attacks are signed for real and poppler shows the forged page).
// ---------------------------------------------------------------------------------------

impl Pdf {
    /// Appends an update written by hand: `objects` as (number, body), then an xref
    /// section whose subsections are `rows(offsets)` (offsets of the objects just written,
    /// in order), with /Prev.
    fn update_rows(&mut self, objects: &[(u32, &str)], rows: impl Fn(&[usize]) -> String) -> &mut Pdf {
        let mut offsets = Vec::new();
        for (num, body) in objects {
            offsets.push(self.data.len());
            self.data
                .extend_from_slice(format!("{num} 0 obj\n{body}\nendobj\n").as_bytes());
            self.size = self.size.max(num + 1);
        }
        let xref = self.data.len();
        let prev = self.prev.expect("an update");
        self.data.extend_from_slice(
            format!(
                "xref\n{}trailer\n<< /Size {} /Root 1 0 R /Prev {prev} >>\nstartxref\n{xref}\n%%EOF\n",
                rows(&offsets),
                self.size
            )
            .as_bytes(),
        );
        self.prev = Some(xref);
        self
    }
}

/// The offset of `N 0 obj` in the first revision.
fn first_offset(pdf: &Pdf, num: u32) -> usize {
    let header = format!("\n{num} 0 obj\n");
    pdf.data
        .windows(header.len())
        .position(|w| w == header.as_bytes())
        .expect("written")
        + 1
}

/// HOLE. One xref section lists object 3 (the page) twice: the new page first, the signed
/// offset last. pdf.js and poppler keep the FIRST entry of a number (newest section first,
/// never overwritten), so they draw the new page; `xref::read_table` keeps the LAST (a
/// BTreeMap insert), and `touched_objects` skips an entry "re-listed at its old offset"
/// without touching the object: no change at all.
#[test]
fn a_section_listing_an_object_twice_is_a_modification() {
    let page = "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 9 0 R /Annots [6 0 R] >>";
    let mut pdf = standard();
    let old_page = first_offset(&pdf, 3);
    let c = pdf
        .update_rows(&[(3, page), (9, OPAQUE_AP)], |at| {
            format!(
                "3 1\n{:010} 00000 n\r\n3 1\n{old_page:010} 00000 n\r\n9 1\n{:010} 00000 n\r\n",
                at[0], at[1]
            )
        })
        .judged();
    assert_eq!(c.level, Level::Other, "{:?}", c.described);
}

/// HOLE. An update that writes objects its xref does not list (`3 0 obj`, a page drawing
/// other content): nothing reads them here, but every reader that rebuilds its xref by
/// scanning (pdf.js, poppler, Acrobat: on any xref row or object they cannot read, in any
/// revision) takes the last `3 0 obj` of the file. An update's bytes must be its listed
/// objects and its xref, nothing that looks like another object.
#[test]
fn an_update_holding_an_object_its_xref_does_not_list_is_a_modification() {
    let page = "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 9 0 R /Annots [6 0 R] >>";
    let mut pdf = standard();
    pdf.data
        .extend_from_slice(format!("3 0 obj\n{page}\nendobj\n9 0 obj\n{OPAQUE_AP}\nendobj\n").as_bytes());
    let c = pdf.update(&[(10, "<< /Producer (x) >>")], "").judged();
    assert_eq!(c.level, Level::Other, "{:?}", c.described);
}

/// Regression (closed today): the form walk reused across revisions (`FormWalk::holds_for`)
/// is not stale when an update changes only an indirect /Fields array or a field's /Kids:
/// a signature added that way is listed by `find_signatures`.
#[test]
fn the_form_walk_sees_fields_added_through_indirect_arrays() {
    let catalog = "<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields 8 0 R >> >>";
    let pdf = {
        let mut pdf = signed_with(&[(1, catalog), (8, "[6 0 R]")], "6 0 R", "6 0 R", "", "");
        pdf.update(
            &[
                (8, "[6 0 R 10 0 R]"),
                (10, "<< /FT /Sig /T (Signature2) /V 11 0 R >>"),
                (11, SIGNATURE2),
            ],
            "",
        );
        pdf.update(&[(12, "<< /Producer (x) >>")], "");
        pdf
    };
    let doc = Document::parse(&pdf.data).expect("parses");
    let found = crate::pdf::signature::find_signatures(&doc).expect("found");
    assert!(found.iter().any(|s| s.value.num == 11), "{:?}", found.len());
    let parent = "<< /T (Approvals) /Kids 13 0 R >>";
    let catalog = "<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [6 0 R 12 0 R] >> >>";
    let pdf = {
        let mut pdf = signed_with(
            &[(1, catalog), (12, parent), (13, "[]")],
            "6 0 R",
            "6 0 R 12 0 R",
            "",
            "",
        );
        pdf.update(&[(14, "<< /Producer (x) >>")], "");
        pdf.update(
            &[
                (13, "[15 0 R]"),
                (15, "<< /FT /Sig /T (Director) /Parent 12 0 R /V 16 0 R >>"),
                (16, SIGNATURE2),
            ],
            "",
        );
        pdf
    };
    let doc = Document::parse(&pdf.data).expect("parses");
    let found = crate::pdf::signature::find_signatures(&doc).expect("found");
    assert!(found.iter().any(|s| s.value.num == 16), "{:?}", found.len());
}
