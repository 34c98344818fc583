//! A simple administrative document, the kind of result an agency issues: the national
//! heading beside the issuing agency, a title, and labelled lines, on one A4 page in
//! Vietnamese, drawn with the report's embedded font. Used by the quick start and the
//! tests as sample results that are real PDFs (and can then be signed inside,
//! [`crate::pdf::sign`]); not a template engine.

use time::OffsetDateTime;

use super::font::{Face, Metrics};
use super::layout::{Layout, Op, BLACK, CONTENT_WIDTH, GREY, MARGIN};
use super::{write, ReportError};

/// The national heading (Decree 30/2020/NĐ-CP, form of administrative documents).
const COUNTRY: &str = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM";
const MOTTO: &str = "Độc lập - Tự do - Hạnh phúc";

/// Renders a one-page document: `agency` (the issuer, top left) beside the national
/// heading, `title` centred, then each `(label, value)` of `lines` on its own row (long
/// values wrap; a page break if they do not fit). Reproducible: `created` is the file's
/// creation date, and nothing else varies.
///
/// ```
/// let pdf = results_vault::pdf::report::document(
///     "UBND PHƯỜNG HẢI CHÂU",
///     "TRÍCH LỤC KHAI SINH",
///     &[("Họ, chữ đệm, tên", "NGUYỄN VĂN AN"), ("Ngày sinh", "05/10/2026")],
///     results_vault::record::EARLIEST_INSTANT, // 1970-01-01: a reproducible creation date
/// )
/// .unwrap();
/// assert!(pdf.starts_with(b"%PDF-"));
/// ```
pub fn document(
    agency: &str,
    title: &str,
    lines: &[(&str, &str)],
    created: OffsetDateTime,
) -> Result<Vec<u8>, ReportError> {
    let regular = Metrics::load(Face::Regular)?;
    let bold = Metrics::load(Face::Bold)?;
    let mut layout = Layout::new(regular, bold);

    // The heading: the agency on the left half, the country and motto on the right, each
    // centred in its half; a short rule under the agency and the motto.
    const HALF: f32 = CONTENT_WIDTH / 2.0;
    let top = layout.y;
    let left = centred(&mut layout, Face::Bold, 10.0, MARGIN, HALF - 20.0, top, agency);
    let right_x = MARGIN + HALF - 10.0;
    let mut right = centred(&mut layout, Face::Bold, 10.0, right_x, HALF + 10.0, top, COUNTRY);
    right = centred(&mut layout, Face::Bold, 10.5, right_x, HALF + 10.0, right, MOTTO);
    let motto_width = layout.width(Face::Bold, 10.5, MOTTO);
    rule(
        &mut layout,
        right_x + (HALF + 10.0 - motto_width) / 2.0,
        right - 3.0,
        motto_width,
    );
    rule(&mut layout, MARGIN + (HALF - 20.0) / 2.0 - 30.0, left - 8.0, 60.0);
    layout.y = left.min(right) - 48.0;

    let title_top = layout.y;
    let title_bottom = centred(&mut layout, Face::Bold, 15.0, MARGIN, CONTENT_WIDTH, title_top, title);
    layout.y = title_bottom - 24.0;

    const SIZE: f32 = 11.0;
    const LABEL: f32 = 170.0;
    let leading = SIZE * 1.55;
    for (label, value) in lines {
        let label_lines = layout.wrap(Face::Regular, SIZE, &format!("{label}:"), LABEL - 10.0);
        let value_lines = layout.wrap(Face::Bold, SIZE, value, CONTENT_WIDTH - LABEL);
        let rows = label_lines.len().max(value_lines.len());
        layout.need(leading * rows as f32);
        let row_top = layout.y;
        for (i, line) in label_lines.iter().enumerate() {
            let y = row_top - leading * (i as f32 + 1.0);
            layout.text_at(Face::Regular, SIZE, MARGIN, y, GREY, line);
        }
        for (i, line) in value_lines.iter().enumerate() {
            let y = row_top - leading * (i as f32 + 1.0);
            layout.text_at(Face::Bold, SIZE, MARGIN + LABEL, y, BLACK, line);
        }
        layout.y = row_top - leading * rows as f32 - 4.0;
    }

    let (regular, bold, pages) = layout.into_parts();
    let info = write::DocumentInfo {
        title: title.to_owned(),
        subject: agency.to_owned(),
        lang: "vi",
        created,
        producer: super::verifier(),
    };
    write::write(&pages, &regular, &bold, &info)
}

/// Draws `text` wrapped to `width` and centred in `[x, x + width]`, lines from `top` down;
/// returns the baseline of the last line.
fn centred(layout: &mut Layout, face: Face, size: f32, x: f32, width: f32, top: f32, text: &str) -> f32 {
    let mut y = top;
    for line in layout.wrap(face, size, text, width) {
        y -= size * 1.35;
        let w = layout.width(face, size, &line);
        layout.text_at(face, size, x + (width - w) / 2.0, y, BLACK, &line);
    }
    y
}

fn rule(layout: &mut Layout, x: f32, y: f32, width: f32) {
    layout.push(Op::Rect {
        x,
        y,
        width,
        height: 0.7,
        colour: BLACK,
    });
}
