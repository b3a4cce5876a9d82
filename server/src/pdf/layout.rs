//! A small page-layout engine on printpdf's ops: text measured and wrapped by [`super::text`],
//! pagination, two-column fields and tables whose header row repeats on every page they
//! continue on.
//!
//! printpdf draws; it does not lay out. Everything here is measured in PDF points from the
//! bottom-left corner of a US Letter page. What it draws is tagged as it goes ([`super::tags`]):
//! the title, headings and paragraphs, each table and each run of fields (a table whose rows
//! are headed by their label); rules, shading and running headers are artifacts.

use printpdf::{
    Color, FontId, Line, LinePoint, Op, PaintMode, PdfFontHandle, Point, Pt, Rect, Rgb, TextItem, TextMatrix,
};

use super::tags::{Artifact, Mark, Role, Scope, Tree};
use super::text::{Fonts, Weight};

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

/// A column of a table: heading and share of the content width.
pub struct Column {
    /// The heading.
    pub title: &'static str,
    /// Its share of the width (the shares of a table add up to 1).
    pub share: f32,
}

/// One cell laid out: its x, width, weight, lines and what its text is tagged as.
struct Cell {
    x: f32,
    weight: Weight,
    lines: Vec<Vec<Run>>,
}

/// A piece of a cell's line: its offset from the cell's left edge, its text and its tag.
struct Run {
    dx: f32,
    text: String,
    mark: Mark,
}

impl Cell {
    /// A cell whose every line is one piece of one element's text.
    fn text(x: f32, weight: Weight, lines: Vec<String>, mark: Mark) -> Cell {
        Cell { x, weight, lines: lines.into_iter().map(|text| vec![Run { dx: 0.0, text, mark }]).collect() }
    }
}

/// A field's label column.
const LABEL_W: f32 = CONTENT_WIDTH * 0.3;
/// Where a field's value starts, and how wide it may be.
const VALUE_X: f32 = MARGIN + LABEL_W;
const VALUE_W: f32 = CONTENT_WIDTH - LABEL_W - CELL_PAD;
/// How far a list item's text stands from its bullet.
const BULLET_INDENT: f32 = 9.0;

/// The table being drawn.
struct Table {
    /// Its header, repeated (as an artifact) on every page it continues on.
    columns: Vec<Column>,
    /// Its structure element.
    element: usize,
}

/// Writes pages top to bottom.
pub struct Writer<'f> {
    fonts: &'f Fonts,
    pages: Vec<Vec<Op>>,
    y: f32,
    table: Option<Table>,
    /// The table the current run of [`Writer::field`]s is in.
    fields: Option<usize>,
    tags: Tree,
    /// What the last line of text drawn was marked as, and on which page.
    last: Option<(Mark, usize)>,
}

const LINE_FACTOR: f32 = 1.3;
const CELL_PAD: f32 = 3.0;
const GREY: f32 = 0.93;

impl<'f> Writer<'f> {
    /// An empty document with a first page.
    pub fn new(fonts: &'f Fonts) -> Writer<'f> {
        Writer {
            fonts,
            pages: vec![Vec::new()],
            y: CONTENT_TOP,
            table: None,
            fields: None,
            tags: Tree::default(),
            last: None,
        }
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
            self.table_head(true);
        }
    }

    /// A new top-level element; it ends a run of fields.
    fn block(&mut self, role: Role) -> usize {
        self.fields = None;
        self.tags.add(Tree::ROOT, role)
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

    /// One line of text. Lines of the same element drawn one after another on a page share
    /// one marked-content sequence and one text object.
    fn text_at(&mut self, mark: Mark, weight: Weight, size: f32, x: f32, baseline: f32, text: &str) {
        if text.is_empty() {
            return;
        }
        let page = self.pages.len() - 1;
        let font = PdfFontHandle::External(self.fonts.face(weight).id.clone());
        let continues = self.last == Some((mark, page));
        let begin = (!continues).then(|| self.tags.begin(mark, page));
        let ops = self.ops();
        match begin {
            Some(begin) => {
                ops.push(begin);
                ops.push(Op::StartTextSection);
            }
            // Reopen the sequence the previous line closed.
            None => {
                ops.truncate(ops.len() - 2);
            }
        }
        ops.push(Op::SetFont { font, size: Pt(size) });
        ops.push(Op::SetTextMatrix { matrix: TextMatrix::Translate(Pt(x), Pt(baseline)) });
        ops.push(Op::ShowText { items: vec![TextItem::Text(text.to_string())] });
        ops.push(Op::EndTextSection);
        ops.push(Tree::end());
        self.last = Some((mark, page));
    }

    fn rule(&mut self, x1: f32, x2: f32, y: f32, thickness: f32) {
        self.last = None;
        draw_rule(self.ops(), x1, x2, y, thickness);
    }

    fn shade(&mut self, x: f32, y: f32, width: f32, height: f32) {
        self.last = None;
        let ops = self.ops();
        ops.push(Tree::artifact(Artifact::Layout));
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
        ops.push(Tree::end());
    }

    /// The document's title block.
    pub fn title(&mut self, title: &str, subtitle: &str) {
        self.wrapped(Role::H1, Weight::Bold, TITLE, title);
        self.paragraph(subtitle);
        self.y -= 6.0;
    }

    /// A top-level element of wrapped text across the full width, continuing across pages.
    fn wrapped(&mut self, role: Role, weight: Weight, size: f32, text: &str) {
        let f = self.fonts;
        let mark = Mark::Content(self.block(role));
        for line in f.wrap(&f.printable(text), weight, size, CONTENT_WIDTH) {
            self.ensure(size * LINE_FACTOR);
            self.y -= size * LINE_FACTOR;
            self.text_at(mark, weight, size, MARGIN, self.y, &line);
        }
    }

    /// A section heading, kept with at least a few lines of what follows.
    pub fn heading(&mut self, text: &str) {
        let f = self.fonts;
        let text = f.fit(&f.printable(text), Weight::Bold, HEADING, CONTENT_WIDTH);
        self.ensure(HEADING * 2.0 + BODY * LINE_FACTOR * 3.0);
        self.y -= HEADING * 1.6;
        let h2 = Mark::Content(self.block(Role::H2));
        self.text_at(h2, Weight::Bold, HEADING, MARGIN, self.y, &text);
        self.y -= 4.0;
        self.rule(MARGIN, PAGE_WIDTH - MARGIN, self.y, 0.6);
        self.y -= 4.0;
    }

    /// Body text, wrapped, continuing across pages.
    pub fn paragraph(&mut self, text: &str) {
        self.wrapped(Role::P, Weight::Regular, BODY, text);
    }

    /// A label and its value side by side (an empty value reads "—"). Consecutive fields are
    /// one table to assistive technology, each row headed by its label.
    pub fn field(&mut self, label: &str, value: &str) {
        let f = self.fonts;
        let value = if value.trim().is_empty() { "—" } else { value };
        let (tr, label) = self.field_row(label);
        let td = Mark::Content(self.tags.add(tr, Role::TD));
        let lines = f.wrap(&f.printable(value), Weight::Regular, BODY, VALUE_W);
        self.row(vec![label, Cell::text(VALUE_X, Weight::Regular, lines, td)], BODY, false);
    }

    /// A label and a list of items, each after a bullet; to assistive technology the value
    /// cell holds a list (`L`, each `LI` a `Lbl` and an `LBody`). No items: `empty` instead.
    pub fn field_list(&mut self, label: &str, items: &[String], empty: &str) {
        if items.is_empty() {
            return self.field(label, empty);
        }
        let f = self.fonts;
        let (tr, label) = self.field_row(label);
        let td = self.tags.add(tr, Role::TD);
        let list = self.tags.add(td, Role::L);
        let mut lines = Vec::new();
        for item in items {
            let li = self.tags.add(list, Role::LI);
            let bullet = Mark::Content(self.tags.add(li, Role::Lbl));
            let body = Mark::Content(self.tags.add(li, Role::LBody));
            let wrapped = f.wrap(&f.printable(item), Weight::Regular, BODY, VALUE_W - BULLET_INDENT);
            for (i, text) in wrapped.into_iter().enumerate() {
                let mut runs = Vec::new();
                if i == 0 {
                    runs.push(Run { dx: 0.0, text: "•".to_string(), mark: bullet });
                }
                runs.push(Run { dx: BULLET_INDENT, text, mark: body });
                lines.push(runs);
            }
        }
        self.row(vec![label, Cell { x: VALUE_X, weight: Weight::Regular, lines }], BODY, false);
    }

    /// A new row of the current run of fields (starting its table if need be) and its label.
    fn field_row(&mut self, label: &str) -> (usize, Cell) {
        let f = self.fonts;
        let table = match self.fields {
            Some(table) => table,
            None => {
                let table = self.block(Role::Table);
                self.fields = Some(table);
                table
            }
        };
        let tr = self.tags.add(table, Role::TR);
        let th = Mark::Content(self.tags.add(tr, Role::TH(Scope::Row)));
        let lines = f.wrap(&f.printable(label), Weight::Bold, BODY, LABEL_W - CELL_PAD * 2.0);
        (tr, Cell::text(MARGIN, Weight::Bold, lines, th))
    }

    /// Starts a table: draws the header row, which repeats on every following page until
    /// [`Writer::end_table`].
    pub fn start_table(&mut self, columns: Vec<Column>) {
        // The header and at least one line of a row must share a page.
        self.ensure(SMALL * LINE_FACTOR * 3.0 + CELL_PAD * 4.0);
        let element = self.block(Role::Table);
        self.table = Some(Table { columns, element });
        self.table_head(false);
    }

    /// The header row; on a continuation page an artifact, so the table reads as one.
    fn table_head(&mut self, repeated: bool) {
        let Some(table) = self.table.take() else { return };
        let f = self.fonts;
        let tr = (!repeated).then(|| self.tags.add(table.element, Role::TR));
        let mut x = MARGIN;
        let cells: Vec<Cell> = table
            .columns
            .iter()
            .map(|c| {
                let w = CONTENT_WIDTH * c.share;
                let mark = match tr {
                    Some(tr) => Mark::Content(self.tags.add(tr, Role::TH(Scope::Column))),
                    None => Mark::Artifact(Artifact::Layout),
                };
                let lines = f.wrap(c.title, Weight::Bold, SMALL, w - CELL_PAD * 2.0);
                let cell = Cell::text(x, Weight::Bold, lines, mark);
                x += w;
                cell
            })
            .collect();
        let lines = cells.iter().map(|c| c.lines.len()).max().unwrap_or(1) as f32;
        let height = lines * SMALL * LINE_FACTOR + CELL_PAD * 2.0;
        self.shade(MARGIN, self.y - height, CONTENT_WIDTH, height);
        self.row(cells, SMALL, true);
        self.table = Some(table);
    }

    /// One table row; cells wrap within their column.
    pub fn table_row(&mut self, values: &[String]) {
        let f = self.fonts;
        let Some(table) = self.table.take() else { return };
        let tr = self.tags.add(table.element, Role::TR);
        let mut x = MARGIN;
        let cells: Vec<Cell> = table
            .columns
            .iter()
            .zip(values)
            .map(|(c, v)| {
                let w = CONTENT_WIDTH * c.share;
                let lines = f.wrap(&f.printable(v), Weight::Regular, SMALL, w - CELL_PAD * 2.0);
                let cell = Cell::text(x, Weight::Regular, lines, Mark::Content(self.tags.add(tr, Role::TD)));
                x += w;
                cell
            })
            .collect();
        self.table = Some(table);
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
        let mut first = 0;
        while first < count {
            if self.room() < line_h + CELL_PAD {
                self.new_page();
                self.y -= CELL_PAD;
            }
            // The lines that fit on this page, drawn cell by cell: each cell's text on a page
            // is then one marked-content sequence, in reading order.
            let fit = (((self.room() - CELL_PAD) / line_h).floor() as usize).clamp(1, count - first);
            let top = self.y;
            for cell in &cells {
                for (k, runs) in cell.lines.iter().enumerate().skip(first).take(fit) {
                    let baseline = top - (k - first) as f32 * line_h - size;
                    for run in runs {
                        self.text_at(run.mark, cell.weight, size, cell.x + CELL_PAD + run.dx, baseline, &run.text);
                    }
                }
            }
            self.y -= fit as f32 * line_h;
            first += fit;
        }
        self.y -= CELL_PAD;
        if ruled {
            self.rule(MARGIN, PAGE_WIDTH - MARGIN, self.y, 0.3);
        }
    }

    /// Adds the running header and footer (artifacts) to every page and returns the pages'
    /// operations and the structure of what they show.
    pub fn finish(mut self, header: &str, header_right: &str, footer: &str) -> (Vec<Vec<Op>>, Tree) {
        let f = self.fonts;
        let total = self.pages.len();
        let right_w = f.regular.width(header_right, SMALL);
        let header = f.fit(&f.printable(header), Weight::Bold, SMALL, CONTENT_WIDTH - right_w - 12.0);
        let footer = f.fit(&f.printable(footer), Weight::Regular, SMALL, CONTENT_WIDTH * 0.75);
        let (bold, regular) = (f.bold.id.clone(), f.regular.id.clone());
        let head = || Tree::artifact(Artifact::Header);
        let foot = || Tree::artifact(Artifact::Footer);
        for (i, ops) in self.pages.iter_mut().enumerate() {
            let top = PAGE_HEIGHT - 40.0;
            draw_text(ops, head(), bold.clone(), SMALL, MARGIN, top, &header);
            draw_text(ops, head(), regular.clone(), SMALL, PAGE_WIDTH - MARGIN - right_w, top, header_right);
            draw_rule(ops, MARGIN, PAGE_WIDTH - MARGIN, top - 5.0, 0.5);
            let bottom = 36.0;
            draw_rule(ops, MARGIN, PAGE_WIDTH - MARGIN, bottom + 10.0, 0.5);
            draw_text(ops, foot(), regular.clone(), SMALL, MARGIN, bottom, &footer);
            let numbers = format!("Page {} of {total}", i + 1);
            let w = f.regular.width(&numbers, SMALL);
            draw_text(ops, foot(), regular.clone(), SMALL, PAGE_WIDTH - MARGIN - w, bottom, &numbers);
        }
        (self.pages, self.tags)
    }
}

/// One line of text, wrapped in the marked-content sequence `begin` opens.
fn draw_text(ops: &mut Vec<Op>, begin: Op, font: FontId, size: f32, x: f32, baseline: f32, text: &str) {
    if text.is_empty() {
        return;
    }
    ops.push(begin);
    ops.push(Op::StartTextSection);
    ops.push(Op::SetFont { font: PdfFontHandle::External(font), size: Pt(size) });
    ops.push(Op::SetTextMatrix { matrix: TextMatrix::Translate(Pt(x), Pt(baseline)) });
    ops.push(Op::ShowText { items: vec![TextItem::Text(text.to_string())] });
    ops.push(Op::EndTextSection);
    ops.push(Tree::end());
}

/// A horizontal rule, an artifact.
fn draw_rule(ops: &mut Vec<Op>, x1: f32, x2: f32, y: f32, thickness: f32) {
    let point = |x: f32| LinePoint { p: Point { x: Pt(x), y: Pt(y) }, bezier: false };
    ops.push(Tree::artifact(Artifact::Layout));
    ops.push(Op::SetOutlineThickness { pt: Pt(thickness) });
    ops.push(Op::DrawLine { line: Line { points: vec![point(x1), point(x2)], is_closed: false } });
    ops.push(Tree::end());
}
