//! Page layout: A4 pages filled top to bottom, text measured with the embedded font and
//! wrapped to a width, and a new page when the next block would not fit. What is drawn is
//! kept as a list of operations per page; `write` turns them into PDF content streams.

use unicode_normalization::UnicodeNormalization;

use super::font::{Face, Metrics};

/// A4 in points.
pub(crate) const PAGE_WIDTH: f32 = 595.276;
pub(crate) const PAGE_HEIGHT: f32 = 841.89;
/// 18 mm on every side; the footer sits in the bottom margin, under a rule.
pub(crate) const MARGIN: f32 = 51.0;
pub(crate) const CONTENT_WIDTH: f32 = PAGE_WIDTH - 2.0 * MARGIN;
const BOTTOM: f32 = MARGIN;

/// An RGB colour, components 0..=1.
pub(crate) type Rgb = (f32, f32, f32);

pub(crate) const BLACK: Rgb = (0.0, 0.0, 0.0);
pub(crate) const GREY: Rgb = (0.35, 0.35, 0.38);
pub(crate) const RULE: Rgb = (0.78, 0.78, 0.8);

/// One drawing operation on a page.
pub(crate) enum Op {
    Text {
        face: Face,
        size: f32,
        x: f32,
        /// The baseline.
        y: f32,
        colour: Rgb,
        text: String,
    },
    Rect {
        x: f32,
        y: f32,
        width: f32,
        height: f32,
        colour: Rgb,
    },
    /// A QR code: `width`×`width` modules, dark ones true, row by row from the top.
    Qr {
        x: f32,
        y: f32,
        module: f32,
        width: usize,
        dark: Vec<bool>,
    },
}

/// Text as the font can draw it: NFC (one precomposed glyph per Vietnamese letter),
/// control characters as spaces, and characters the font lacks as U+FFFD.
pub(crate) fn clean(metrics: &Metrics, text: &str) -> String {
    text.nfc()
        .map(|c| if c.is_control() { ' ' } else { c })
        .map(|c| if metrics.has(c) { c } else { '\u{FFFD}' })
        .collect()
}

/// The pages being filled, and where the next line goes.
pub(crate) struct Layout {
    regular: Metrics,
    bold: Metrics,
    pub pages: Vec<Vec<Op>>,
    /// The top of the free space on the current page.
    pub y: f32,
}

impl Layout {
    pub fn new(regular: Metrics, bold: Metrics) -> Layout {
        Layout {
            regular,
            bold,
            pages: vec![Vec::new()],
            y: PAGE_HEIGHT - MARGIN,
        }
    }

    pub fn metrics(&self, face: Face) -> &Metrics {
        match face {
            Face::Regular => &self.regular,
            Face::Bold => &self.bold,
        }
    }

    pub fn into_parts(self) -> (Metrics, Metrics, Vec<Vec<Op>>) {
        (self.regular, self.bold, self.pages)
    }

    /// Starts a new page.
    pub fn page_break(&mut self) {
        self.pages.push(Vec::new());
        self.y = PAGE_HEIGHT - MARGIN;
    }

    /// Makes room for `height` points, on a new page if this one is too full.
    pub fn need(&mut self, height: f32) {
        if self.y - height < BOTTOM && self.y < PAGE_HEIGHT - MARGIN {
            self.page_break();
        }
    }

    pub fn push(&mut self, op: Op) {
        if let Some(page) = self.pages.last_mut() {
            page.push(op);
        }
    }

    /// Draws one line of text with its baseline at `y` (no wrapping, no cursor move).
    pub fn text_at(&mut self, face: Face, size: f32, x: f32, y: f32, colour: Rgb, text: &str) {
        let text = clean(self.metrics(face), text);
        if !text.trim().is_empty() {
            self.push(Op::Text {
                face,
                size,
                x,
                y,
                colour,
                text,
            });
        }
    }

    /// The width of `text` at `size`.
    pub fn width(&self, face: Face, size: f32, text: &str) -> f32 {
        let metrics = self.metrics(face);
        metrics.width(&clean(metrics, text), size)
    }

    /// Breaks `text` into lines no wider than `width`: at spaces, and inside a word only
    /// when the word alone is too wide (a hash, a long certificate name).
    pub fn wrap(&self, face: Face, size: f32, text: &str, width: f32) -> Vec<String> {
        let metrics = self.metrics(face);
        let text = clean(metrics, text);
        let fits = |s: &str| metrics.width(s, size) <= width;
        let mut lines = Vec::new();
        for paragraph in text.split('\n') {
            let mut line = String::new();
            for word in paragraph.split(' ').filter(|w| !w.is_empty()) {
                let candidate = if line.is_empty() {
                    word.to_owned()
                } else {
                    format!("{line} {word}")
                };
                if fits(&candidate) {
                    line = candidate;
                    continue;
                }
                if !line.is_empty() {
                    lines.push(std::mem::take(&mut line));
                }
                for c in word.chars() {
                    line.push(c);
                    if !fits(&line) && line.chars().count() > 1 {
                        line.pop();
                        lines.push(std::mem::replace(&mut line, c.to_string()));
                    }
                }
            }
            lines.push(line);
        }
        lines
    }

    /// A wrapped paragraph at `x`, `width` wide, from the cursor down; returns its height.
    pub fn paragraph(&mut self, face: Face, size: f32, x: f32, width: f32, colour: Rgb, text: &str) -> f32 {
        let leading = size * 1.3;
        let lines = self.wrap(face, size, text, width);
        self.need(leading * lines.len() as f32);
        for line in &lines {
            self.y -= leading;
            self.text_at(face, size, x, self.y + size * 0.28, colour, line);
        }
        leading * lines.len() as f32
    }

    /// A label and its value side by side, the value wrapped in the right-hand column.
    pub fn row(&mut self, label: &str, value: &str, value_face: Face, value_size: f32) {
        const LABEL_WIDTH: f32 = 158.0;
        const SIZE: f32 = 9.0;
        let value_x = MARGIN + LABEL_WIDTH;
        let label_lines = self.wrap(Face::Regular, SIZE, label, LABEL_WIDTH - 8.0);
        let value_lines = self.wrap(value_face, value_size, value, CONTENT_WIDTH - LABEL_WIDTH);
        let leading = SIZE * 1.3;
        let height = leading * label_lines.len().max(value_lines.len()) as f32 + 2.0;
        self.need(height);
        let top = self.y;
        for (i, line) in label_lines.iter().enumerate() {
            let y = top - leading * (i as f32 + 1.0) + SIZE * 0.3;
            self.text_at(Face::Regular, SIZE, MARGIN, y, GREY, line);
        }
        for (i, line) in value_lines.iter().enumerate() {
            let y = top - leading * (i as f32 + 1.0) + SIZE * 0.3;
            self.text_at(value_face, value_size, value_x, y, BLACK, line);
        }
        self.y = top - height;
    }

    /// A section heading with a thin rule under it.
    pub fn heading(&mut self, text: &str) {
        self.need(40.0);
        self.y -= 11.0;
        self.text_at(Face::Bold, 11.0, MARGIN, self.y - 11.0, BLACK, text);
        self.y -= 14.0;
        self.push(Op::Rect {
            x: MARGIN,
            y: self.y,
            width: CONTENT_WIDTH,
            height: 0.6,
            colour: RULE,
        });
        self.y -= 3.0;
    }

    /// Vertical space.
    pub fn gap(&mut self, points: f32) {
        self.y -= points;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn layout() -> Layout {
        Layout::new(
            Metrics::load(Face::Regular).unwrap(),
            Metrics::load(Face::Bold).unwrap(),
        )
    }

    #[test]
    fn wrapped_lines_fit_and_keep_every_character() {
        let l = layout();
        let text = format!(
            "Ủy ban nhân dân phường Hải Châu, thành phố Đà Nẵng {} cấp cho ông Nguyễn Văn An",
            "6dc4ef7a3f8a275f23a508f2eb819cd6aefc042e408cc446ce082e854f701689".repeat(3)
        );
        for width in [40.0, 120.0, 335.0] {
            let lines = l.wrap(Face::Regular, 9.5, &text, width);
            for line in &lines {
                assert!(
                    l.width(Face::Regular, 9.5, line) <= width,
                    "{line:?} wider than {width}"
                );
            }
            let kept: String = lines.concat().chars().filter(|c| *c != ' ').collect();
            let given: String = text.chars().filter(|c| *c != ' ').collect();
            assert_eq!(kept, given);
        }
    }

    #[test]
    fn text_is_cleaned_to_what_the_font_draws() {
        let l = layout();
        // Decomposed "ễ" (e + circumflex + tilde) becomes the one precomposed glyph; a
        // control character a space; a character DejaVu lacks the replacement character.
        let cleaned = clean(l.metrics(Face::Regular), "Nguye\u{302}\u{303}n\u{7}\u{4E2D}");
        assert_eq!(cleaned, "Nguyễn \u{FFFD}");
    }

    #[test]
    fn a_long_block_moves_to_a_new_page_and_stays_inside_it() {
        let mut l = layout();
        for i in 0..200 {
            l.row(
                "Nhãn",
                &format!("giá trị số {i} rất dài ").repeat(4),
                Face::Regular,
                9.5,
            );
        }
        assert!(l.pages.len() > 3);
        for op in l.pages.iter().flatten() {
            if let Op::Text { x, y, .. } = op {
                assert!((MARGIN..PAGE_WIDTH - MARGIN).contains(x), "x {x}");
                assert!((BOTTOM..PAGE_HEIGHT - MARGIN).contains(y), "y {y}");
            }
        }
    }
}
