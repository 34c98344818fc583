//! The report's embedded font: DejaVu Sans (regular and bold), which has every precomposed
//! Vietnamese letter. Text is measured with the font's own advances, and only the glyphs a
//! report uses are embedded, as a CID-keyed TrueType font (Identity-H) with a ToUnicode map
//! so that text copied out of the PDF, or read by `pdftotext`, is the text that was written.

use std::collections::BTreeMap;

use pdf_writer::types::{CidFontType, FontFlags, SystemInfo, UnicodeCmap};
use pdf_writer::{Filter, Finish, Name, Pdf, Rect, Ref, Str};

use super::ReportError;

const REGULAR: &[u8] = include_bytes!("../../../assets/fonts/DejaVuSans.ttf");
const BOLD: &[u8] = include_bytes!("../../../assets/fonts/DejaVuSans-Bold.ttf");

/// Which of the two faces.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Face {
    Regular,
    Bold,
}

/// Both faces, in the order of their resources (a free constant: cbindgen would export an
/// associated one into the C header).
pub(crate) const FACES: [Face; 2] = [Face::Regular, Face::Bold];

impl Face {
    fn data(self) -> &'static [u8] {
        match self {
            Face::Regular => REGULAR,
            Face::Bold => BOLD,
        }
    }

    /// The resource name the page content uses.
    pub fn resource(self) -> Name<'static> {
        match self {
            Face::Regular => Name(b"F1"),
            Face::Bold => Name(b"F2"),
        }
    }

    fn postscript_name(self) -> &'static str {
        match self {
            Face::Regular => "DejaVuSans",
            Face::Bold => "DejaVuSans-Bold",
        }
    }
}

/// A parsed face: glyph lookup and advances in em units.
pub(crate) struct Metrics {
    face: ttf_parser::Face<'static>,
    units_per_em: f32,
    /// The glyph drawn for a character the font lacks (U+FFFD, else `?`).
    fallback: ttf_parser::GlyphId,
}

impl Metrics {
    pub fn load(which: Face) -> Result<Metrics, ReportError> {
        let face = ttf_parser::Face::parse(which.data(), 0).map_err(|e| ReportError::Font(e.to_string()))?;
        let fallback = face
            .glyph_index('\u{FFFD}')
            .or_else(|| face.glyph_index('?'))
            .unwrap_or(ttf_parser::GlyphId(0));
        Ok(Metrics {
            units_per_em: f32::from(face.units_per_em()),
            face,
            fallback,
        })
    }

    /// Whether the font draws `c`.
    pub fn has(&self, c: char) -> bool {
        self.face.glyph_index(c).is_some()
    }

    /// The glyph for `c`, or the fallback glyph.
    pub fn glyph(&self, c: char) -> u16 {
        self.face.glyph_index(c).unwrap_or(self.fallback).0
    }

    /// The advance of a glyph in thousandths of an em (the unit of PDF glyph widths).
    pub fn advance(&self, glyph: u16) -> f32 {
        let units = self.face.glyph_hor_advance(ttf_parser::GlyphId(glyph)).unwrap_or(0);
        f32::from(units) * 1000.0 / self.units_per_em
    }

    /// The width of `text` at `size` points.
    pub fn width(&self, text: &str, size: f32) -> f32 {
        text.chars().map(|c| self.advance(self.glyph(c))).sum::<f32>() * size / 1000.0
    }

    fn scaled(&self, units: i16) -> f32 {
        f32::from(units) * 1000.0 / self.units_per_em
    }
}

/// The glyphs one face has used so far, with the text each stands for.
#[derive(Default)]
pub(crate) struct UsedGlyphs {
    /// Original glyph id → the character it was drawn for (the first one seen).
    glyphs: BTreeMap<u16, char>,
}

impl UsedGlyphs {
    pub fn note(&mut self, glyph: u16, c: char) {
        self.glyphs.entry(glyph).or_insert(c);
    }
}

/// A face's subset, ready to be referenced: original glyph id → CID in the subset.
pub(crate) struct Subset {
    remapper: subsetter::GlyphRemapper,
}

impl Subset {
    /// The two-byte CIDs (Identity-H) that draw `text`.
    pub fn encode(&self, metrics: &Metrics, text: &str) -> Vec<u8> {
        let mut out = Vec::with_capacity(text.len() * 2);
        for c in text.chars() {
            let cid = self.remapper.get(metrics.glyph(c)).unwrap_or(0);
            out.extend_from_slice(&cid.to_be_bytes());
        }
        out
    }
}

/// The PDF object ids of one embedded face.
pub(crate) struct FontRefs {
    pub type0: Ref,
    pub cid: Ref,
    pub descriptor: Ref,
    pub file: Ref,
    pub to_unicode: Ref,
}

/// Writes the subset of `which` holding `used` as a Type 0 font at `refs.type0`.
pub(crate) fn embed(
    pdf: &mut Pdf,
    which: Face,
    metrics: &Metrics,
    used: &UsedGlyphs,
    refs: &FontRefs,
) -> Result<Subset, ReportError> {
    // Sorted, so the subset (and the report's bytes) do not depend on the order of use.
    let glyphs: Vec<u16> = used.glyphs.keys().copied().collect();
    let remapper = subsetter::GlyphRemapper::new_from_glyphs_sorted(&glyphs);
    let font_file = subsetter::subset(which.data(), 0, &remapper).map_err(|e| ReportError::Font(e.to_string()))?;

    // A subset's name carries a six-letter tag (ISO 32000-1 §9.6.4); derived from the
    // glyphs used, so that the same report always gets the same tag.
    let digest = ring::digest::digest(&ring::digest::SHA256, &font_file);
    let tag: String = digest.as_ref()[..6].iter().map(|b| char::from(b'A' + b % 26)).collect();
    let base_font = format!("{tag}+{}", which.postscript_name());
    let system_info = SystemInfo {
        registry: Str(b"Adobe"),
        ordering: Str(b"Identity"),
        supplement: 0,
    };

    pdf.type0_font(refs.type0)
        .base_font(Name(base_font.as_bytes()))
        .encoding_predefined(Name(b"Identity-H"))
        .descendant_font(refs.cid)
        .to_unicode(refs.to_unicode);

    let mut cid = pdf.cid_font(refs.cid);
    cid.subtype(CidFontType::Type2)
        .base_font(Name(base_font.as_bytes()))
        .system_info(system_info)
        .font_descriptor(refs.descriptor)
        .cid_to_gid_map_predefined(Name(b"Identity"));
    {
        let mut widths = cid.widths();
        for &glyph in &glyphs {
            if let Some(new) = remapper.get(glyph) {
                widths.consecutive(new, [metrics.advance(glyph)]);
            }
        }
    }
    cid.finish();

    let face = &metrics.face;
    let bbox = face.global_bounding_box();
    let mut flags = FontFlags::NON_SYMBOLIC;
    if which == Face::Bold {
        flags |= FontFlags::FORCE_BOLD;
    }
    pdf.font_descriptor(refs.descriptor)
        .name(Name(base_font.as_bytes()))
        .flags(flags)
        .bbox(Rect::new(
            metrics.scaled(bbox.x_min),
            metrics.scaled(bbox.y_min),
            metrics.scaled(bbox.x_max),
            metrics.scaled(bbox.y_max),
        ))
        .italic_angle(0.0)
        .ascent(metrics.scaled(face.ascender()))
        .descent(metrics.scaled(face.descender()))
        .cap_height(metrics.scaled(face.capital_height().unwrap_or(face.ascender())))
        .stem_v(if which == Face::Bold { 120.0 } else { 80.0 })
        .font_file2(refs.file);

    let compressed = super::write::deflate(&font_file);
    pdf.stream(refs.file, &compressed)
        .filter(Filter::FlateDecode)
        .pair(Name(b"Length1"), font_file.len() as i32);

    let mut cmap = UnicodeCmap::new(Name(b"Custom"), system_info);
    for (&glyph, &c) in &used.glyphs {
        if let Some(new) = remapper.get(glyph) {
            cmap.pair(new, c);
        }
    }
    pdf.cmap(refs.to_unicode, &cmap.finish());
    Ok(Subset { remapper })
}
