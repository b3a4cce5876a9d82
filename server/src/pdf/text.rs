//! Text measured the way the PDF draws it: each face's own glyph advances, greedy word
//! wrapping (long words broken by character), cutting to fit, and what is safe to draw.

use printpdf::{FontId, ParsedFont};

/// One embedded font face and the metrics to measure text with it.
pub struct Face {
    /// Its resource name; fixed (not printpdf's random one) so the bytes are deterministic.
    pub id: FontId,
    /// The parsed font printpdf embeds and subsets.
    pub font: ParsedFont,
    units_per_em: f32,
}

impl Face {
    /// Parses a TrueType font; `id` must be six capital letters (it becomes the subset tag).
    pub fn parse(id: &str, bytes: &[u8]) -> Option<Face> {
        let font = ParsedFont::from_bytes(bytes, 0, &mut Vec::new())?;
        let units_per_em = f32::from(font.pdf_font_metrics.units_per_em.max(1));
        Some(Face { id: FontId(id.to_string()), font, units_per_em })
    }

    /// True when the font has a real glyph for `c`.
    pub fn has(&self, c: char) -> bool {
        self.font.lookup_glyph_index(c as u32).is_some_and(|g| g != 0)
    }

    /// The advance of `c` in points at `size`.
    fn advance(&self, c: char, size: f32) -> f32 {
        let gid = self.font.lookup_glyph_index(c as u32).unwrap_or(0);
        f32::from(self.font.get_horizontal_advance(gid)) * size / self.units_per_em
    }

    /// The width of `text` in points at `size` (no kerning: printpdf emits none either).
    pub fn width(&self, text: &str, size: f32) -> f32 {
        text.chars().map(|c| self.advance(c, size)).sum()
    }
}

/// The two faces a record uses.
pub struct Fonts {
    /// Body text.
    pub regular: Face,
    /// Labels and headings.
    pub bold: Face,
}

/// Which face.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Weight {
    /// Body text.
    Regular,
    /// Labels and headings.
    Bold,
}

impl Fonts {
    pub(super) fn face(&self, w: Weight) -> &Face {
        match w {
            Weight::Regular => &self.regular,
            Weight::Bold => &self.bold,
        }
    }

    /// `text` made safe to draw: format and control characters (bidi overrides, zero-width
    /// joiners, NULs) become a visible `[U+XXXX]` so a record cannot hide or reorder text; a
    /// character the font lacks becomes U+FFFD, a visible mark, never a silent blank.
    pub fn printable(&self, text: &str) -> String {
        let mut out = String::with_capacity(text.len());
        for c in text.chars() {
            match c {
                '\n' => out.push('\n'),
                '\t' => out.push_str("    "),
                '\r' => {}
                c if is_invisible_control(c) => out.push_str(&format!("[U+{:04X}]", c as u32)),
                c if self.regular.has(c) && self.bold.has(c) => out.push(c),
                c if c.is_whitespace() => out.push(' '),
                _ => out.push('\u{FFFD}'),
            }
        }
        out
    }

    /// Wraps `text` (already [`Fonts::printable`]) to lines no wider than `width`; paragraphs
    /// split on newlines; a word wider than the line is broken by character. A line that ends
    /// between words keeps one trailing space (invisible, outside the width), so text read
    /// from the tags line after line does not run words together.
    pub fn wrap(&self, text: &str, weight: Weight, size: f32, width: f32) -> Vec<String> {
        let face = self.face(weight);
        let space = face.advance(' ', size);
        // Each line, and whether it ends between words.
        let mut lines: Vec<(String, bool)> = Vec::new();
        for paragraph in text.split('\n') {
            let mut line = String::new();
            let mut line_w = 0.0;
            for word in paragraph.split(' ').filter(|w| !w.is_empty()) {
                let word_w = face.width(word, size);
                if !line.is_empty() && line_w + space + word_w <= width {
                    line.push(' ');
                    line.push_str(word);
                    line_w += space + word_w;
                    continue;
                }
                if !line.is_empty() {
                    lines.push((std::mem::take(&mut line), true));
                    line_w = 0.0;
                }
                if word_w <= width {
                    line.push_str(word);
                    line_w = word_w;
                    continue;
                }
                for c in word.chars() {
                    let w = face.advance(c, size);
                    if !line.is_empty() && line_w + w > width {
                        lines.push((std::mem::take(&mut line), false));
                        line_w = 0.0;
                    }
                    line.push(c);
                    line_w += w;
                }
            }
            lines.push((line, true));
        }
        let last = lines.len().saturating_sub(1);
        lines
            .into_iter()
            .enumerate()
            .map(|(i, (mut line, between_words))| {
                if between_words && i < last && !line.is_empty() {
                    line.push(' ');
                }
                line
            })
            .collect()
    }

    /// `text` cut to fit `width` on one line, with an ellipsis when cut.
    pub fn fit(&self, text: &str, weight: Weight, size: f32, width: f32) -> String {
        let face = self.face(weight);
        let flat: String = text.chars().map(|c| if c == '\n' { ' ' } else { c }).collect();
        if face.width(&flat, size) <= width {
            return flat;
        }
        let budget = width - face.width("…", size);
        let mut out = String::new();
        let mut w = 0.0;
        for c in flat.chars() {
            w += face.advance(c, size);
            if w > budget {
                break;
            }
            out.push(c);
        }
        out.push('…');
        out
    }
}

/// Bidi controls, zero-width and other format characters, and C0/C1 controls.
fn is_invisible_control(c: char) -> bool {
    c.is_control()
        || matches!(c as u32, 0x00AD | 0x061C | 0x180E | 0x200B..=0x200F | 0x202A..=0x202E | 0x2060..=0x2064 | 0x2066..=0x206F | 0xFEFF | 0xFFF9..=0xFFFB)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pdf::layout::{BODY, SMALL};

    fn fonts() -> &'static Fonts {
        crate::pdf::fonts().expect("the bundled fonts parse")
    }

    #[test]
    fn wrapped_lines_fit_the_width_and_keep_every_character() {
        let f = fonts();
        let text = "Restart the payment workers one at a time, watching the queue depth and the p99 latency dashboards between each restart; Übergrößenträger αβγ ДЖЯ";
        let lines = f.wrap(text, Weight::Regular, BODY, 120.0);
        assert!(lines.len() > 3);
        for l in &lines {
            assert!(f.regular.width(l.trim_end(), BODY) <= 120.0 + 0.01, "{l} is too wide");
        }
        // Lines broken between words say so to whoever reads the text line by line.
        assert!(lines[..lines.len() - 1].iter().all(|l| l.ends_with(' ')));
        let joined: String = lines.join(" ");
        assert_eq!(joined.split_whitespace().collect::<String>(), text.split_whitespace().collect::<String>());
    }

    #[test]
    fn a_word_longer_than_the_line_is_broken_not_overflowing() {
        let f = fonts();
        let word = "x".repeat(500);
        let lines = f.wrap(&word, Weight::Regular, SMALL, 80.0);
        assert!(lines.len() > 5);
        assert!(lines.iter().all(|l| f.regular.width(l, SMALL) <= 80.01));
        assert_eq!(lines.concat(), word);
    }

    #[test]
    fn controls_become_visible_and_missing_glyphs_a_replacement_mark() {
        let f = fonts();
        assert_eq!(f.printable("a\u{202E}b\u{200B}c"), "a[U+202E]b[U+200B]c");
        // Deseret is not in DejaVu Sans.
        assert_eq!(f.printable("x\u{10400}y"), "x\u{FFFD}y");
        assert_eq!(f.printable("é ñ Ω Ж €"), "é ñ Ω Ж €");
    }
}
