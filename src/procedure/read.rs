//! Reading procedures: walks a page's block tree in order, decides which lists (and which blocks between them) make one procedure, and numbers its steps.
//!
//! The rules are in `docs/procedures.md`, sections 1 and 4. A *run* is what
//! one procedure reads: its first list, then (when lists are read as the
//! writer meant them) every later list that continues the numbering after
//! blocks that are not headings, those blocks going to the step above, the
//! blocks that follow a step ending with a colon, and the callouts right
//! after the last step.

use std::ops::Range;

use pulldown_cmark::Tag;

use super::content::{self, Group};
use super::{lint, Block, Procedure, Reading, Source, Step};
use crate::blocks::Node;
use crate::diagnostic::Diagnostic;
use crate::project::Page;
use crate::slug::{slugify, Unique};
use crate::source::SourceDb;

/// A procedure as read, with where it is in the page.
pub(super) struct Found {
    pub(super) procedure: Procedure,
    /// Doc-text range from the first list to the last block the run read.
    pub(super) span: Range<usize>,
    pub(super) level: u8,
    pub(super) parent_level: u8,
}

/// A heading enclosing the current position.
struct PathHeading {
    level: u8,
    text: String,
    /// `{#id}` when given, else the slug of the text.
    segment: String,
}

/// One piece of a run, in page order.
enum Piece<'p> {
    /// A list whose items are steps.
    List(&'p Node<'static>),
    /// A block written between two lists (or after a step ending with a
    /// colon) that belongs to the step above.
    Attach(&'p Node<'static>),
}

/// What one procedure reads, from the sibling at which its first list is.
struct Run<'p> {
    pieces: Vec<Piece<'p>>,
    closing: Vec<&'p Node<'static>>,
    /// Index of the first sibling after the run.
    end: usize,
}

/// A step before its id and content are settled: its item (and the items
/// indented under it too little to nest) plus the blocks attached to it.
pub(super) struct Draft<'p> {
    pub(super) group: Group<'p>,
    pub(super) number: u64,
    pub(super) attached: Vec<&'p Node<'static>>,
}

pub(super) struct Extractor<'p> {
    pub(super) page: &'p Page,
    pub(super) db: &'p SourceDb,
    pub(super) reading: Reading,
    procedure_ids: Unique,
    pub(super) step_ids: Unique,
    path: Vec<PathHeading>,
    pub(super) lint: lint::Lint<'p>,
    found: Vec<Found>,
    /// `procedure-too-deep` was reported for the procedure being read.
    pub(super) too_deep: bool,
    /// Callouts since the last heading or procedure, in the container walked.
    leads: Vec<&'p Node<'static>>,
    /// Warnings written at the page's top level before its first procedure.
    page_warnings: Vec<&'p Node<'static>>,
}

/// Callout kinds that warn: the page's warnings before its first procedure
/// are read before that procedure's step 1.
const WARNING_KINDS: &[&str] = &[
    "warning",
    "problem",
    "danger",
    "caution",
    "important",
    "error",
];

impl<'p> Extractor<'p> {
    pub(super) fn new(page: &'p Page, db: &'p SourceDb, reading: Reading) -> Self {
        Extractor {
            page,
            db,
            reading,
            procedure_ids: Unique::default(),
            step_ids: Unique::default(),
            path: Vec::new(),
            lint: lint::Lint::new(page, is_index_page(page, db)),
            found: Vec::new(),
            too_deep: false,
            leads: Vec::new(),
            page_warnings: Vec::new(),
        }
    }

    pub(super) fn finish(mut self) -> (Vec<Found>, Vec<Diagnostic>) {
        self.lint.finish();
        (self.found, self.lint.diags)
    }

    /// Reads a run of sibling blocks: the page (`top`), or a block quote's
    /// or callout's content.
    pub(super) fn walk(&mut self, nodes: &'p [Node<'static>], top: bool) {
        let mut prev: Option<&'p Node<'static>> = None;
        let mut i = 0;
        while i < nodes.len() {
            let node = &nodes[i];
            if let Some(kind) = node.callout() {
                self.callout(node, kind, top);
            } else {
                match node.tag() {
                    Some(Tag::Heading { level, id, .. }) => {
                        let text = node.plain_text();
                        self.lint.heading(*level as u8, &text, node.range.start);
                        self.heading(*level as u8, text, id.as_deref());
                    }
                    Some(Tag::List(Some(_))) => {
                        let end = self.procedure(nodes, i, prev, top);
                        prev = Some(&nodes[end - 1]);
                        i = end;
                        continue;
                    }
                    Some(Tag::BlockQuote(_)) => {
                        self.lint.block(node);
                        self.nested(&node.children);
                    }
                    Some(Tag::Paragraph) => self.lint.paragraph(node),
                    _ => self.lint.block(node),
                }
            }
            prev = Some(node);
            i += 1;
        }
    }

    fn callout(&mut self, node: &'p Node<'static>, kind: &str, top: bool) {
        self.lint.block(node);
        if !holds_ordered_list(node) {
            self.leads.push(node);
            if top && self.found.is_empty() && WARNING_KINDS.contains(&kind) {
                self.page_warnings.push(node);
            }
        }
        self.nested(&node.children);
    }

    /// Walks a container's content; its callouts are not leads outside it.
    fn nested(&mut self, nodes: &'p [Node<'static>]) {
        let leads = std::mem::take(&mut self.leads);
        self.walk(nodes, false);
        self.leads = leads;
    }

    fn heading(&mut self, level: u8, text: String, id: Option<&str>) {
        while self.path.last().is_some_and(|h| h.level >= level) {
            self.path.pop();
        }
        let segment = id.map_or_else(|| slugify(&text), str::to_owned);
        self.path.push(PathHeading {
            level,
            text,
            segment,
        });
        self.leads.clear();
    }

    fn id_base(&self) -> String {
        self.path
            .iter()
            .map(|h| {
                if h.segment.is_empty() {
                    "section"
                } else {
                    &h.segment
                }
            })
            .collect::<Vec<_>>()
            .join("/")
    }

    /// Reads the procedure whose first list is `nodes[i]`; returns the index
    /// of the first sibling after everything it read.
    fn procedure(
        &mut self,
        nodes: &'p [Node<'static>],
        i: usize,
        prev: Option<&'p Node<'static>>,
        top: bool,
    ) -> usize {
        let run = self.run(nodes, i);
        let base = self.id_base();
        let id = self
            .procedure_ids
            .claim(if base.is_empty() { "procedure" } else { &base });
        let intro = prev
            .filter(|p| matches!(p.tag(), Some(Tag::Paragraph)))
            .map(Node::plain_text)
            .filter(|t| !t.is_empty());
        let notes = self.lead_notes(top);
        self.too_deep = false;
        let drafts = self.drafts(&run);
        let steps: Vec<Step> = drafts.into_iter().map(|d| self.step(d, &id, 1)).collect();
        let level = self.path.last().map(|h| h.level);
        let parent_level = self.path.iter().rev().nth(1).map_or(0, |h| h.level);
        let first = &nodes[i];
        let last = &nodes[run.end - 1];
        let closing_notes = run.closing.iter().map(|n| self.block(n, true)).collect();
        let procedure = Procedure {
            id,
            title: self.path.last().map(|h| h.text.clone()),
            heading_path: self.path.iter().map(|h| h.text.clone()).collect(),
            level,
            intro,
            notes,
            closing_notes,
            source: self.source(content::marker_at(&self.page.doc.text, first.range.start)),
            steps,
        };
        self.found.push(Found {
            procedure,
            span: first.range.start..last.range.end,
            level: level.unwrap_or(0),
            parent_level,
        });
        run.end
    }

    /// The lead callouts of the procedure starting now, as note blocks.
    fn lead_notes(&mut self, top: bool) -> Vec<Block> {
        let mut nodes: Vec<&'p Node<'static>> = Vec::new();
        if top && self.found.is_empty() {
            nodes.append(&mut self.page_warnings);
        }
        for lead in self.leads.drain(..) {
            if !nodes.iter().any(|n| n.range == lead.range) {
                nodes.push(lead);
            }
        }
        nodes.into_iter().map(|n| self.block(n, false)).collect()
    }

    /// Decides what the procedure starting at `nodes[i]` reads.
    fn run(&mut self, nodes: &'p [Node<'static>], i: usize) -> Run<'p> {
        let first = &nodes[i];
        let start = first.ordered_start().unwrap_or(1);
        self.lint.list(first, start);
        let mut pieces = vec![Piece::List(first)];
        let mut shown = last_shown(self, first, start);
        let mut written = self.last_written(first);
        let mut all_ones = self.all_written_one(first);
        let mut j = i + 1;
        if self.reading == Reading::Writer {
            while let Some(k) = self.continuation(nodes, j, shown, written, all_ones) {
                for node in &nodes[j..k] {
                    self.lint.block(node);
                    pieces.push(Piece::Attach(node));
                }
                let list = &nodes[k];
                self.lint.block(list);
                pieces.push(Piece::List(list));
                shown += self.groups(list).len() as u64;
                written = self.last_written(list);
                all_ones &= self.all_written_one(list);
                j = k + 1;
            }
            if self.ends_with_colon(&pieces) {
                while let Some(node) = nodes.get(j).filter(|n| belongs_after_colon(n)) {
                    self.lint.block(node);
                    pieces.push(Piece::Attach(node));
                    j += 1;
                }
            }
        }
        let mut closing = Vec::new();
        while let Some(node) = nodes
            .get(j)
            .filter(|n| n.callout().is_some() && !holds_ordered_list(n))
        {
            self.lint.block(node);
            closing.push(node);
            j += 1;
        }
        Run {
            pieces,
            closing,
            end: j,
        }
    }

    /// The index of the list that continues the procedure after the blocks
    /// from `j` on, when there is one: the first sibling that is not an
    /// interruption is a numbered list starting at the next number (as shown,
    /// or as the writer last wrote it), above 1; or, for a writer who numbers
    /// every step `1.`, a list starting at 1 when only code, callouts,
    /// images, tables or raw HTML stand between (no prose, which may
    /// introduce a new procedure).
    fn continuation(
        &self,
        nodes: &[Node<'static>],
        j: usize,
        shown: u64,
        written: u64,
        all_ones: bool,
    ) -> Option<usize> {
        let k = (j..nodes.len()).find(|&k| !interrupts(&nodes[k]))?;
        let start = nodes[k].ordered_start()?;
        let next = start > 1 && (start == shown + 1 || start == written + 1);
        let ones = all_ones
            && start == 1
            && k > j
            && nodes[k]
                .children
                .iter()
                .all(|item| content::written_number(&self.page.doc.text, item) == 1)
            && nodes[j..k].iter().all(is_figure_like);
        (next || ones).then_some(k)
    }

    /// Every item of the list is written `1.`.
    fn all_written_one(&self, list: &'p Node<'static>) -> bool {
        let text = &self.page.doc.text;
        list.children
            .iter()
            .all(|item| content::written_number(text, item) == 1)
    }

    /// The number the writer put on the list's last step.
    fn last_written(&self, list: &'p Node<'static>) -> u64 {
        self.groups(list)
            .last()
            .map_or(0, |g| content::written_number(&self.page.doc.text, g.item))
    }

    fn ends_with_colon(&self, pieces: &[Piece<'p>]) -> bool {
        let Some(Piece::List(list)) = pieces.last() else {
            return false;
        };
        self.groups(list).last().is_some_and(|g| {
            let item = g.subs.last().copied().unwrap_or(g.item);
            content::last_text(item).trim_end().ends_with(':')
        })
    }

    /// The items of `list` grouped into steps (see [`content::groups`]).
    pub(super) fn groups(&self, list: &'p Node<'static>) -> Vec<Group<'p>> {
        content::groups(&self.page.doc.text, list, self.reading)
    }

    /// The steps of a run, numbered, each with the blocks attached to it.
    fn drafts(&mut self, run: &Run<'p>) -> Vec<Draft<'p>> {
        let mut drafts: Vec<Draft<'p>> = Vec::new();
        for piece in &run.pieces {
            match piece {
                Piece::List(list) => {
                    let start = list.ordered_start().unwrap_or(1);
                    let first = drafts.last().map_or(start, |d| d.number + 1);
                    self.lint.indent(list, first, &self.groups(list));
                    for (number, group) in (first..).zip(self.groups(list)) {
                        drafts.push(Draft {
                            group,
                            number,
                            attached: Vec::new(),
                        });
                    }
                }
                Piece::Attach(node) => {
                    if let Some(last) = drafts.last_mut() {
                        last.attached.push(node);
                    }
                }
            }
        }
        drafts
    }

    pub(super) fn source(&self, doc_offset: usize) -> Source {
        match self.page.origin(doc_offset) {
            Some(origin) => origin.locate(self.db).into(),
            None => Source {
                file: self.db.get(self.page.file).path.clone(),
                line: 1,
                column: 1,
                included_from: Vec::new(),
            },
        }
    }
}

/// The page is a folder's `index.md` (or `.mdx`).
fn is_index_page(page: &Page, db: &SourceDb) -> bool {
    let path = &db.get(page.file).path;
    let file = path.rsplit('/').next().unwrap_or(path);
    file == "index.md" || file == "index.mdx"
}

/// The number shown on the list's last step.
fn last_shown(ex: &Extractor<'_>, list: &Node<'static>, start: u64) -> u64 {
    let n = content::groups(&ex.page.doc.text, list, ex.reading).len() as u64;
    start + n.saturating_sub(1)
}

/// A block that may stand between two lists of one procedure: anything
/// but a heading, a thematic break or a numbered list.
fn interrupts(node: &Node<'_>) -> bool {
    if node.callout().is_some() {
        return true;
    }
    match node.tag() {
        Some(Tag::Heading { .. } | Tag::List(Some(_))) | None => false,
        Some(_) => true,
    }
}

/// A block that is not prose: code, a callout, an image, a table, raw HTML.
fn is_figure_like(node: &Node<'_>) -> bool {
    node.callout().is_some()
        || node.is_image_paragraph()
        || matches!(
            node.tag(),
            Some(Tag::CodeBlock(_) | Tag::Table(_) | Tag::HtmlBlock)
        )
}

/// A block that belongs to a step ending with a colon when written right
/// after it: code, a callout, an image.
fn belongs_after_colon(node: &Node<'_>) -> bool {
    node.callout().is_some()
        || matches!(node.tag(), Some(Tag::CodeBlock(_)))
        || node.is_image_paragraph()
}

fn holds_ordered_list(node: &Node<'_>) -> bool {
    node.children
        .iter()
        .any(|c| c.ordered_start().is_some() || (c.callout().is_some() && holds_ordered_list(c)))
}

/// Plain text of the first paragraph that starts inside `range` (a section),
/// at the top level of `nodes`.
pub(super) fn first_paragraph_in(nodes: &[Node<'_>], range: Range<usize>) -> Option<String> {
    nodes
        .iter()
        .filter(|n| range.contains(&n.range.start))
        .find(|n| matches!(n.tag(), Some(Tag::Paragraph)))
        .map(Node::plain_text)
        .filter(|t| !t.is_empty())
}
