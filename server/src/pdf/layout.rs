//! A small page-layout engine on printpdf's ops: text measured by the font's own glyph
//! advances, greedy word wrapping (long words broken by character), pagination, two-column
//! fields and tables whose header row repeats on every page they continue on.
//!
//! printpdf draws; it does not lay out. Everything here is measured in PDF points from the
//! bottom-left corner of a US Letter page.

use printpdf::{
    Color, FontId, Line, LinePoint, Op, PaintMode, ParsedFont, PdfFontHandle, Point, Pt, Rect, Rgb, TextItem,
    TextMatrix,
};

/// US Letter, the organisation's paper.
pub const PAGE_WIDTH: f32 = 612.0;
/// US Letter height.
pub const PAGE_HEIGHT: f32 = 792.0;
/// Left and right margin.
pub const MARGIN: f32 = 54.0;
/// The first baseline area below the running header.
const CONTENT_TOP: f32 = PAGE_HEIGHT - 72.0;
/// Nothing is drawn below this, above the running footer.
const CONTENT_BOTTOM: f32 = 64.0;
/// Usable width between the margins.
pub const CONTENT_WIDTH: f32 = PAGE_WIDTH - 2.0 * MARGIN;

/// Body text size.
pub const BODY: f32 = 9.5;
/// Table text size.
pub const SMALL: f32 = 8.0;
/// Section heading size.
const HEADING: f32 = 13.0;
/// Document title size.
const TITLE: f32 = 17.0;

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
    fn face(&self, w: Weight) -> &Face {
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
    /// split on newlines; a word wider than the line is broken by character.
    pub fn wrap(&self, text: &str, weight: Weight, size: f32, width: f32) -> Vec<String> {
        let face = self.face(weight);
        let space = face.advance(' ', size);
        let mut lines = Vec::new();
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
                    lines.push(std::mem::take(&mut line));
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
                        lines.push(std::mem::take(&mut line));
                        line_w = 0.0;
                    }
                    line.push(c);
                    line_w += w;
                }
            }
            lines.push(line);
        }
        lines
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

/// A column of a table: heading and share of the content width.
pub struct Column {
    /// The heading.
    pub title: &'static str,
    /// Its share of the width (the shares of a table add up to 1).
    pub share: f32,
}

/// One cell laid out: its x, width, weight and lines.
struct Cell {
    x: f32,
    weight: Weight,
    lines: Vec<String>,
}

/// Writes pages top to bottom.
pub struct Writer<'f> {
    fonts: &'f Fonts,
    pages: Vec<Vec<Op>>,
    y: f32,
    /// The header of the table being drawn, repeated on every page it continues on.
    table: Option<Vec<Column>>,
}

const LINE_FACTOR: f32 = 1.3;
const CELL_PAD: f32 = 3.0;
const GREY: f32 = 0.93;

impl<'f> Writer<'f> {
    /// An empty document with a first page.
    pub fn new(fonts: &'f Fonts) -> Writer<'f> {
        Writer { fonts, pages: vec![Vec::new()], y: CONTENT_TOP, table: None }
    }

    /// The fonts.
    pub fn fonts(&self) -> &'f Fonts {
        self.fonts
    }

    fn ops(&mut self) -> &mut Vec<Op> {
        // `pages` is never empty: `new` creates the first one.
        let last = self.pages.len() - 1;
        &mut self.pages[last]
    }

    fn new_page(&mut self) {
        self.pages.push(Vec::new());
        self.y = CONTENT_TOP;
        if self.table.is_some() {
            self.table_head();
        }
    }

    /// Starts a new page unless `height` fits above the bottom margin.
    fn ensure(&mut self, height: f32) {
        if self.y - height < CONTENT_BOTTOM {
            self.new_page();
        }
    }

    fn room(&self) -> f32 {
        self.y - CONTENT_BOTTOM
    }

    fn text_at(&mut self, weight: Weight, size: f32, x: f32, baseline: f32, text: &str) {
        if text.is_empty() {
            return;
        }
        let id = self.fonts.face(weight).id.clone();
        let ops = self.ops();
        ops.push(Op::StartTextSection);
        ops.push(Op::SetFont { font: PdfFontHandle::External(id), size: Pt(size) });
        ops.push(Op::SetTextMatrix { matrix: TextMatrix::Translate(Pt(x), Pt(baseline)) });
        ops.push(Op::ShowText { items: vec![TextItem::Text(text.to_string())] });
        ops.push(Op::EndTextSection);
    }

    fn rule(&mut self, x1: f32, x2: f32, y: f32, thickness: f32) {
        let point = |x: f32| LinePoint { p: Point { x: Pt(x), y: Pt(y) }, bezier: false };
        let ops = self.ops();
        ops.push(Op::SetOutlineThickness { pt: Pt(thickness) });
        ops.push(Op::DrawLine { line: Line { points: vec![point(x1), point(x2)], is_closed: false } });
    }

    fn shade(&mut self, x: f32, y: f32, width: f32, height: f32) {
        let ops = self.ops();
        ops.push(Op::SaveGraphicsState);
        ops.push(Op::SetFillColor { col: Color::Rgb(Rgb { r: GREY, g: GREY, b: GREY, icc_profile: None }) });
        ops.push(Op::DrawRectangle {
            rectangle: Rect {
                x: Pt(x),
                y: Pt(y),
                width: Pt(width),
                height: Pt(height),
                mode: Some(PaintMode::Fill),
                winding_order: None,
            },
        });
        ops.push(Op::RestoreGraphicsState);
    }

    /// The document's title block.
    pub fn title(&mut self, title: &str, subtitle: &str) {
        let f = self.fonts;
        for line in f.wrap(&f.printable(title), Weight::Bold, TITLE, CONTENT_WIDTH) {
            self.ensure(TITLE * LINE_FACTOR);
            self.y -= TITLE * LINE_FACTOR;
            self.text_at(Weight::Bold, TITLE, MARGIN, self.y, &line);
        }
        self.paragraph(subtitle);
        self.y -= 6.0;
    }

    /// A section heading, kept with at least a few lines of what follows.
    pub fn heading(&mut self, text: &str) {
        let f = self.fonts;
        let text = f.fit(&f.printable(text), Weight::Bold, HEADING, CONTENT_WIDTH);
        self.ensure(HEADING * 2.0 + BODY * LINE_FACTOR * 3.0);
        self.y -= HEADING * 1.6;
        self.text_at(Weight::Bold, HEADING, MARGIN, self.y, &text);
        self.y -= 4.0;
        self.rule(MARGIN, PAGE_WIDTH - MARGIN, self.y, 0.6);
        self.y -= 4.0;
    }

    /// Body text, wrapped, continuing across pages.
    pub fn paragraph(&mut self, text: &str) {
        let f = self.fonts;
        for line in f.wrap(&f.printable(text), Weight::Regular, BODY, CONTENT_WIDTH) {
            self.ensure(BODY * LINE_FACTOR);
            self.y -= BODY * LINE_FACTOR;
            self.text_at(Weight::Regular, BODY, MARGIN, self.y, &line);
        }
    }

    /// A label and its value side by side (an empty value reads "—").
    pub fn field(&mut self, label: &str, value: &str) {
        let f = self.fonts;
        let label_w = CONTENT_WIDTH * 0.3;
        let value = if value.trim().is_empty() { "—" } else { value };
        let cells = vec![
            Cell {
                x: MARGIN,
                weight: Weight::Bold,
                lines: f.wrap(&f.printable(label), Weight::Bold, BODY, label_w - CELL_PAD * 2.0),
            },
            Cell {
                x: MARGIN + label_w,
                weight: Weight::Regular,
                lines: f.wrap(&f.printable(value), Weight::Regular, BODY, CONTENT_WIDTH - label_w - CELL_PAD),
            },
        ];
        self.row(cells, BODY, false);
    }

    /// Starts a table: draws the header row, which repeats on every following page until
    /// [`Writer::end_table`].
    pub fn start_table(&mut self, columns: Vec<Column>) {
        // The header and at least one line of a row must share a page.
        self.ensure(SMALL * LINE_FACTOR * 3.0 + CELL_PAD * 4.0);
        self.table = Some(columns);
        self.table_head();
    }

    fn table_head(&mut self) {
        let Some(columns) = self.table.take() else { return };
        let f = self.fonts;
        let mut x = MARGIN;
        let cells: Vec<Cell> = columns
            .iter()
            .map(|c| {
                let w = CONTENT_WIDTH * c.share;
                let cell =
                    Cell { x, weight: Weight::Bold, lines: f.wrap(c.title, Weight::Bold, SMALL, w - CELL_PAD * 2.0) };
                x += w;
                cell
            })
            .collect();
        let lines = cells.iter().map(|c| c.lines.len()).max().unwrap_or(1) as f32;
        let height = lines * SMALL * LINE_FACTOR + CELL_PAD * 2.0;
        self.shade(MARGIN, self.y - height, CONTENT_WIDTH, height);
        self.row(cells, SMALL, true);
        self.table = Some(columns);
    }

    /// One table row; cells wrap within their column.
    pub fn table_row(&mut self, values: &[String]) {
        let f = self.fonts;
        let Some(columns) = self.table.as_ref() else { return };
        let mut x = MARGIN;
        let cells: Vec<Cell> = columns
            .iter()
            .zip(values)
            .map(|(c, v)| {
                let w = CONTENT_WIDTH * c.share;
                let cell = Cell {
                    x,
                    weight: Weight::Regular,
                    lines: f.wrap(&f.printable(v), Weight::Regular, SMALL, w - CELL_PAD * 2.0),
                };
                x += w;
                cell
            })
            .collect();
        self.row(cells, SMALL, true);
    }

    /// Ends the table.
    pub fn end_table(&mut self) {
        self.table = None;
        self.y -= 4.0;
    }

    /// Draws cells side by side. A row that fits stays on one page; one taller than a page
    /// continues line by line (a table's header repeats on the new page).
    fn row(&mut self, cells: Vec<Cell>, size: f32, ruled: bool) {
        let line_h = size * LINE_FACTOR;
        let count = cells.iter().map(|c| c.lines.len()).max().unwrap_or(0).max(1);
        let height = count as f32 * line_h + CELL_PAD * 2.0;
        let page = CONTENT_TOP - CONTENT_BOTTOM;
        if height > self.room() && height <= page * 0.9 {
            self.new_page();
        }
        self.y -= CELL_PAD;
        for i in 0..count {
            if self.room() < line_h + CELL_PAD {
                self.new_page();
                self.y -= CELL_PAD;
            }
            self.y -= line_h;
            let baseline = self.y + line_h - size;
            for cell in &cells {
                if let Some(text) = cell.lines.get(i) {
                    let text = text.clone();
                    self.text_at(cell.weight, size, cell.x + CELL_PAD, baseline, &text);
                }
            }
        }
        self.y -= CELL_PAD;
        if ruled {
            self.rule(MARGIN, PAGE_WIDTH - MARGIN, self.y, 0.3);
        }
    }

    /// Adds the running header and footer to every page and returns the pages' operations.
    pub fn finish(mut self, header: &str, header_right: &str, footer: &str) -> Vec<Vec<Op>> {
        let f = self.fonts;
        let total = self.pages.len();
        let right_w = f.regular.width(header_right, SMALL);
        let header = f.fit(&f.printable(header), Weight::Bold, SMALL, CONTENT_WIDTH - right_w - 12.0);
        let mut pages = std::mem::take(&mut self.pages);
        for (i, ops) in pages.iter_mut().enumerate() {
            let mut page = Writer { fonts: f, pages: vec![std::mem::take(ops)], y: 0.0, table: None };
            let top = PAGE_HEIGHT - 40.0;
            page.text_at(Weight::Bold, SMALL, MARGIN, top, &header);
            page.text_at(Weight::Regular, SMALL, PAGE_WIDTH - MARGIN - right_w, top, header_right);
            page.rule(MARGIN, PAGE_WIDTH - MARGIN, top - 5.0, 0.5);
            let bottom = 36.0;
            page.rule(MARGIN, PAGE_WIDTH - MARGIN, bottom + 10.0, 0.5);
            let footer_text = f.fit(&f.printable(footer), Weight::Regular, SMALL, CONTENT_WIDTH * 0.75);
            page.text_at(Weight::Regular, SMALL, MARGIN, bottom, &footer_text);
            let numbers = format!("Page {} of {total}", i + 1);
            let w = f.regular.width(&numbers, SMALL);
            page.text_at(Weight::Regular, SMALL, PAGE_WIDTH - MARGIN - w, bottom, &numbers);
            *ops = page.pages.remove(0);
        }
        pages
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
            assert!(f.regular.width(l, BODY) <= 120.0 + 0.01, "{l} is too wide");
        }
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
