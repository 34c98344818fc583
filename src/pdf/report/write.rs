//! The PDF file: laid-out pages turned into content streams, the two embedded font
//! subsets, the document information and the file identifier. Nothing here reads a clock
//! or a random source, so the same report gives the same bytes.

use pdf_writer::{Content, Filter, Finish, Pdf, Rect, Ref, Str, TextStr};
use time::OffsetDateTime;

use super::font::{self, Face, FontRefs, Metrics, Subset, UsedGlyphs};
use super::layout::{Op, PAGE_HEIGHT, PAGE_WIDTH};
use super::ReportError;

/// The document information dictionary's facts.
pub(crate) struct DocumentInfo {
    pub title: String,
    pub subject: String,
    /// BCP 47, e.g. `vi`: screen readers and text extraction pick their rules by it.
    pub lang: &'static str,
    /// The time of the check (never the time of writing: reports must be reproducible).
    pub created: OffsetDateTime,
    pub producer: String,
}

/// zlib-wrapped deflate, as `/FlateDecode` expects.
pub(crate) fn deflate(data: &[u8]) -> Vec<u8> {
    miniz_oxide::deflate::compress_to_vec_zlib(data, 6)
}

/// Hands out object numbers in order.
struct Refs(i32);

impl Refs {
    fn next(&mut self) -> Ref {
        self.0 += 1;
        Ref::new(self.0)
    }
}

/// Writes the pages as a PDF file.
pub(crate) fn write(
    pages: &[Vec<Op>],
    regular: &Metrics,
    bold: &Metrics,
    info: &DocumentInfo,
) -> Result<Vec<u8>, ReportError> {
    let metrics = |face| match face {
        Face::Regular => regular,
        Face::Bold => bold,
    };
    let mut used = [UsedGlyphs::default(), UsedGlyphs::default()];
    for op in pages.iter().flatten() {
        if let Op::Text { face, text, .. } = op {
            for c in text.chars() {
                used[*face as usize].note(metrics(*face).glyph(c), c);
            }
        }
    }

    let mut refs = Refs(0);
    let (catalog, tree, info_ref) = (refs.next(), refs.next(), refs.next());
    let font_refs: Vec<FontRefs> = font::FACES
        .iter()
        .map(|_| FontRefs {
            type0: refs.next(),
            cid: refs.next(),
            descriptor: refs.next(),
            file: refs.next(),
            to_unicode: refs.next(),
        })
        .collect();
    let page_refs: Vec<(Ref, Ref)> = pages.iter().map(|_| (refs.next(), refs.next())).collect();

    let mut pdf = Pdf::new();
    let mut subsets: Vec<Subset> = Vec::new();
    for (i, face) in font::FACES.into_iter().enumerate() {
        subsets.push(font::embed(&mut pdf, face, metrics(face), &used[i], &font_refs[i])?);
    }

    // The file identifier (ISO 32000-1 §14.4) is a digest of what the pages show.
    let mut id = ring::digest::Context::new(&ring::digest::SHA256);
    id.update(info.title.as_bytes());
    for (ops, &(page_ref, content_ref)) in pages.iter().zip(&page_refs) {
        let content = page_content(ops, &subsets, &metrics);
        id.update(&content);
        let compressed = deflate(&content);
        pdf.stream(content_ref, &compressed).filter(Filter::FlateDecode);
        let mut page = pdf.page(page_ref);
        page.media_box(Rect::new(0.0, 0.0, PAGE_WIDTH, PAGE_HEIGHT))
            .parent(tree)
            .contents(content_ref);
        let mut resources = page.resources();
        let mut fonts = resources.fonts();
        for (face, refs) in font::FACES.iter().zip(&font_refs) {
            fonts.pair(face.resource(), refs.type0);
        }
    }
    pdf.pages(tree)
        .kids(page_refs.iter().map(|&(page, _)| page))
        .count(page_refs.len() as i32);

    let mut cat = pdf.catalog(catalog);
    cat.pages(tree).lang(TextStr(info.lang));
    cat.viewer_preferences().display_doc_title(true);
    cat.finish();

    pdf.document_info(info_ref)
        .title(TextStr(&info.title))
        .subject(TextStr(&info.subject))
        .producer(TextStr(&info.producer))
        .creator(TextStr(&info.producer))
        .creation_date(pdf_date(info.created));

    let digest = id.finish();
    let file_id = digest.as_ref()[..16].to_vec();
    pdf.set_file_id((file_id.clone(), file_id));
    Ok(pdf.finish())
}

fn pdf_date(t: OffsetDateTime) -> pdf_writer::Date {
    let (hours, minutes, _) = t.offset().as_hms();
    pdf_writer::Date::new(t.year().clamp(0, 9999) as u16)
        .month(t.month() as u8)
        .day(t.day())
        .hour(t.hour())
        .minute(t.minute())
        .second(t.second())
        .utc_offset_hour(hours)
        .utc_offset_minute(minutes.unsigned_abs())
}

/// One page's content stream.
fn page_content<'m>(ops: &[Op], subsets: &[Subset], metrics: &impl Fn(Face) -> &'m Metrics) -> Vec<u8> {
    let mut content = Content::new();
    for op in ops {
        match op {
            Op::Text {
                face,
                size,
                x,
                y,
                colour,
                text,
            } => {
                let encoded = subsets[*face as usize].encode(metrics(*face), text);
                content
                    .begin_text()
                    .set_fill_rgb(colour.0, colour.1, colour.2)
                    .set_font(face.resource(), *size)
                    .set_text_matrix([1.0, 0.0, 0.0, 1.0, *x, *y])
                    .show(Str(&encoded))
                    .end_text();
            }
            Op::Rect {
                x,
                y,
                width,
                height,
                colour,
            } => {
                content
                    .set_fill_rgb(colour.0, colour.1, colour.2)
                    .rect(*x, *y, *width, *height)
                    .fill_nonzero();
            }
            Op::Qr {
                x,
                y,
                module,
                width,
                dark,
            } => {
                // One rectangle per run of dark modules in a row: fewer operators, and
                // no hairline seams between neighbours in viewers that anti-alias.
                content.set_fill_rgb(0.0, 0.0, 0.0);
                for (row, modules) in dark.chunks(*width).enumerate() {
                    let bottom = *y - (row + 1) as f32 * module;
                    let mut col = 0;
                    while col < modules.len() {
                        let run = modules[col..].iter().take_while(|&&d| d).count();
                        if run > 0 {
                            content.rect(*x + col as f32 * module, bottom, run as f32 * module, *module);
                        }
                        col += run.max(1);
                    }
                }
                content.fill_nonzero();
            }
        }
    }
    content.finish().to_vec()
}
