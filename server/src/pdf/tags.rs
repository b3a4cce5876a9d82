//! The record's logical structure, so assistive technology reads it as a document (tagged PDF,
//! PDF/UA-1): every piece of text the layout draws is marked content owned by a structure
//! element (`H1`, `H2`, `P`, `Table`/`TR`/`TH`/`TD`, `L`/`LI`/`Lbl`/`LBody`); running
//! headers and footers, rules,
//! shading and a table header repeated on a continuation page are artifacts, which a screen
//! reader skips.
//!
//! [`Tree`] is built while drawing (printpdf only writes the `BDC`/`EMC` operators) and
//! [`Tree::write`] puts it into the lopdf document printpdf makes: the structure elements,
//! the parent tree that maps each page's marked content back to its element, and what the
//! catalog and pages need to say that the file is tagged.

use lopdf::{Dictionary, Document, Object, ObjectId};
use printpdf::{DictItem, Op};
use std::collections::BTreeMap;

/// A cell header's direction.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    /// Heads its column (a table's header row).
    Column,
    /// Heads its row (a field's label).
    Row,
}

/// A standard structure type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// The whole record.
    Document,
    /// The title.
    H1,
    /// A section heading.
    H2,
    /// A paragraph.
    P,
    /// A table (the plan, sign-offs, decisions, messages, the audit trail, and each run of
    /// label–value fields).
    Table,
    /// A row.
    TR,
    /// A header cell.
    TH(Scope),
    /// A data cell.
    TD,
    /// A list (the items of a field that holds several: risks, conflicts, absences, where
    /// the plan's steps came from).
    L,
    /// A list item.
    LI,
    /// An item's bullet.
    Lbl,
    /// An item's text.
    LBody,
}

impl Role {
    fn name(self) -> &'static str {
        match self {
            Role::Document => "Document",
            Role::H1 => "H1",
            Role::H2 => "H2",
            Role::P => "P",
            Role::Table => "Table",
            Role::TR => "TR",
            Role::TH(_) => "TH",
            Role::TD => "TD",
            Role::L => "L",
            Role::LI => "LI",
            Role::Lbl => "Lbl",
            Role::LBody => "LBody",
        }
    }
}

/// What kind of artifact, as PDF names them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Artifact {
    /// Rules, shading, a repeated table header.
    Layout,
    /// The running header.
    Header,
    /// The running footer and page numbers.
    Footer,
}

/// What a piece of drawing is: content of a structure element, or an artifact.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mark {
    /// Real content of the element with this index.
    Content(usize),
    /// Not part of the document's content.
    Artifact(Artifact),
}

enum Kid {
    Element(usize),
    Content { page: usize, mcid: usize },
}

struct Element {
    role: Role,
    parent: Option<usize>,
    kids: Vec<Kid>,
}

/// The structure tree of one record.
pub struct Tree {
    elements: Vec<Element>,
    /// For each page, the element that owns each marked-content id (the id is the index).
    owners: Vec<Vec<usize>>,
}

impl Default for Tree {
    fn default() -> Self {
        Tree { elements: vec![Element { role: Role::Document, parent: None, kids: Vec::new() }], owners: Vec::new() }
    }
}

fn name(s: &str) -> Object {
    Object::Name(s.as_bytes().to_vec())
}

fn dict_item(entries: &[(&str, DictItem)]) -> DictItem {
    DictItem::Dict { map: entries.iter().map(|(k, v)| (k.to_string(), v.clone())).collect::<BTreeMap<_, _>>() }
}

impl Tree {
    /// The `Document` element everything else is in.
    pub const ROOT: usize = 0;

    /// A new element, the last child of `parent`.
    pub fn add(&mut self, parent: usize, role: Role) -> usize {
        let index = self.elements.len();
        self.elements.push(Element { role, parent: Some(parent), kids: Vec::new() });
        self.elements[parent].kids.push(Kid::Element(index));
        index
    }

    /// The operator that opens `mark` on `page` (0-based); the content drawn until
    /// [`Tree::end`] belongs to it. Each call for an element adds the next piece of its
    /// content, in reading order.
    pub fn begin(&mut self, mark: Mark, page: usize) -> Op {
        match mark {
            Mark::Content(element) => {
                if self.owners.len() <= page {
                    self.owners.resize_with(page + 1, Vec::new);
                }
                let mcid = self.owners[page].len();
                self.owners[page].push(element);
                self.elements[element].kids.push(Kid::Content { page, mcid });
                Op::BeginMarkedContentWithProperties {
                    tag: self.elements[element].role.name().to_string(),
                    properties: dict_item(&[("MCID", DictItem::Int(mcid as i64))]),
                }
            }
            Mark::Artifact(kind) => Tree::artifact(kind),
        }
    }

    /// The operator that opens an artifact of this kind.
    pub fn artifact(kind: Artifact) -> Op {
        let (kind, subtype) = match kind {
            Artifact::Layout => ("Layout", None),
            Artifact::Header => ("Pagination", Some("Header")),
            Artifact::Footer => ("Pagination", Some("Footer")),
        };
        let mut entries = vec![("Type", DictItem::Name(kind.as_bytes().to_vec()))];
        if let Some(subtype) = subtype {
            entries.push(("Subtype", DictItem::Name(subtype.as_bytes().to_vec())));
        }
        Op::BeginMarkedContentWithProperties { tag: "Artifact".to_string(), properties: dict_item(&entries) }
    }

    /// The operator that closes what [`Tree::begin`] opened.
    pub fn end() -> Op {
        Op::EndMarkedContent
    }

    /// Writes the tree into `doc` (whose pages are the ones drawn, in order) and marks the
    /// document as tagged: `StructTreeRoot` with its `ParentTree`, `MarkInfo`, each page's
    /// `StructParents` and structure tab order, and `DisplayDocTitle`.
    pub fn write(&self, doc: &mut Document) -> Result<(), lopdf::Error> {
        let pages: Vec<ObjectId> = doc.get_pages().into_values().collect();
        let root_id = doc.new_object_id();
        let ids: Vec<ObjectId> = self.elements.iter().map(|_| doc.new_object_id()).collect();
        for (element, &id) in self.elements.iter().zip(&ids) {
            let mut d = Dictionary::new();
            d.set("Type", name("StructElem"));
            d.set("S", name(element.role.name()));
            d.set("P", Object::Reference(element.parent.map_or(root_id, |p| ids[p])));
            let first_page = element.kids.iter().find_map(|k| match k {
                Kid::Content { page, .. } => Some(*page),
                Kid::Element(_) => None,
            });
            if let Some(page) = first_page {
                d.set("Pg", Object::Reference(pages[page]));
            }
            let kids: Vec<Object> = element
                .kids
                .iter()
                .map(|kid| match kid {
                    Kid::Element(e) => Object::Reference(ids[*e]),
                    Kid::Content { page, mcid } if Some(*page) == first_page => Object::Integer(*mcid as i64),
                    // Content continued on a later page names its page.
                    Kid::Content { page, mcid } => {
                        let mut mcr = Dictionary::new();
                        mcr.set("Type", name("MCR"));
                        mcr.set("Pg", Object::Reference(pages[*page]));
                        mcr.set("MCID", Object::Integer(*mcid as i64));
                        Object::Dictionary(mcr)
                    }
                })
                .collect();
            if !kids.is_empty() {
                d.set("K", Object::Array(kids));
            }
            if let Role::TH(scope) = element.role {
                let mut a = Dictionary::new();
                a.set("O", name("Table"));
                a.set(
                    "Scope",
                    name(match scope {
                        Scope::Column => "Column",
                        Scope::Row => "Row",
                    }),
                );
                d.set("A", Object::Dictionary(a));
            }
            doc.objects.insert(id, Object::Dictionary(d));
        }

        let mut nums = Vec::with_capacity(pages.len() * 2);
        for (index, &page_id) in pages.iter().enumerate() {
            let owners = self.owners.get(index).map(Vec::as_slice).unwrap_or_default();
            nums.push(Object::Integer(index as i64));
            nums.push(Object::Array(owners.iter().map(|e| Object::Reference(ids[*e])).collect()));
            let page = doc.get_object_mut(page_id)?.as_dict_mut()?;
            page.set("StructParents", Object::Integer(index as i64));
            page.set("Tabs", name("S"));
        }
        let mut parent_tree = Dictionary::new();
        parent_tree.set("Nums", Object::Array(nums));
        let mut root = Dictionary::new();
        root.set("Type", name("StructTreeRoot"));
        root.set("K", Object::Reference(ids[Tree::ROOT]));
        root.set("ParentTree", Object::Dictionary(parent_tree));
        root.set("ParentTreeNextKey", Object::Integer(pages.len() as i64));
        doc.objects.insert(root_id, Object::Dictionary(root));

        let mut mark_info = Dictionary::new();
        mark_info.set("Marked", Object::Boolean(true));
        let mut viewer = Dictionary::new();
        viewer.set("DisplayDocTitle", Object::Boolean(true));
        let catalog = doc.catalog_mut()?;
        catalog.set("StructTreeRoot", Object::Reference(root_id));
        catalog.set("MarkInfo", Object::Dictionary(mark_info));
        catalog.set("ViewerPreferences", Object::Dictionary(viewer));
        Ok(())
    }
}
