//! Step content: turns a step's nodes (its item, the items indented under it, the blocks attached to it) into ordered [`Block`]s with sources and Markdown, and derives the step's other fields from them.

use std::ops::Range;

use pulldown_cmark::Tag;

use super::read::{Draft, Extractor};
use super::{
    render, step_markdown, step_slug, strip_optional, Block, BlockKind, Code, Link, Note, Reading,
    Step, MAX_STEP_DEPTH,
};
use crate::markdown::blocks::{self, Node};
use crate::project::Page;

/// The items of a list that make one step: the item, and the items after it
/// that CommonMark reads as further items but the writer indented under it
/// and numbered afresh (`4.` then ` 1.`, ` 2.`): those are its substeps.
pub(super) struct Group<'p> {
    pub(super) item: &'p Node<'static>,
    pub(super) subs: Vec<&'p Node<'static>>,
}

/// Groups the items of `list` into steps. An item whose marker is further
/// right than the first item's joins the step above as a substep when it
/// starts a new numbering there (its written number is not above that
/// step's) or lines up with the substeps already there; otherwise it is a
/// step of its own (a list merely indented unevenly).
pub(super) fn groups<'p>(text: &str, list: &'p Node<'static>, reading: Reading) -> Vec<Group<'p>> {
    let mut groups: Vec<Group<'p>> = Vec::new();
    let Some(first) = list.children.first() else {
        return groups;
    };
    let base = column(text, marker_at(text, first.range.start));
    for item in &list.children {
        let col = column(text, marker_at(text, item.range.start));
        if let Some(last) = groups
            .last_mut()
            .filter(|_| reading == Reading::Writer && col > base)
        {
            let lined_up = last
                .subs
                .first()
                .is_some_and(|s| column(text, marker_at(text, s.range.start)) == col);
            let renumbered = last.subs.is_empty()
                && written_number(text, item) <= written_number(text, last.item);
            if lined_up || renumbered {
                last.subs.push(item);
                continue;
            }
        }
        groups.push(Group {
            item,
            subs: Vec::new(),
        });
    }
    groups
}

/// Column (in characters) of byte `at` in its line.
fn column(text: &str, at: usize) -> usize {
    let line = text[..at].rfind('\n').map_or(0, |i| i + 1);
    text[line..at].chars().count()
}

/// The number written on an item's marker (`12.` gives 12), 0 when unreadable.
pub(super) fn written_number(text: &str, item: &Node<'_>) -> u64 {
    let at = marker_at(text, item.range.start);
    let digits: String = text[at..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    digits.parse().unwrap_or(0)
}

/// Where a list item's marker is: pulldown-cmark may start an item's range
/// at the indentation before it.
pub(super) fn marker_at(text: &str, at: usize) -> usize {
    at + (text[at..].len() - text[at..].trim_start_matches([' ', '\t']).len())
}

/// Plain text of the paragraph an item ends with (`""` when it ends with
/// another block).
pub(super) fn last_text(item: &Node<'_>) -> String {
    match item.children.last() {
        Some(last) if matches!(last.tag(), Some(Tag::Paragraph)) => last.plain_text(),
        Some(last) if !last.is_block() => {
            let inline = item
                .children
                .iter()
                .rev()
                .take_while(|n| !n.is_block())
                .count();
            blocks::plain_text(&item.children[item.children.len() - inline..])
        }
        _ => String::new(),
    }
}

/// Plain text of an item's first paragraph: its first child when that is a
/// paragraph (loose lists), else the inline content before its first block
/// (tight lists, where pulldown-cmark emits no paragraph).
fn first_paragraph(item: &Node<'_>) -> String {
    match item.children.first() {
        Some(first) if matches!(first.tag(), Some(Tag::Paragraph)) => first.plain_text(),
        _ => {
            let inline = item.children.iter().take_while(|n| !n.is_block()).count();
            blocks::plain_text(&item.children[..inline])
        }
    }
}

/// What a step is built from, besides its content blocks.
struct Parts<'p> {
    /// Nodes whose code, notes and links are the step's.
    own: Vec<&'p Node<'static>>,
    /// Ranges of the lists read as substeps, left out of `own`.
    substep_lists: Vec<Range<usize>>,
}

impl<'p> Extractor<'p> {
    /// Builds a step of level `depth` (1 for a procedure's own steps).
    pub(super) fn step(&mut self, d: Draft<'p>, parent_id: &str, depth: usize) -> Step {
        let item = d.group.item;
        let text = &self.page.doc.text;
        let item_start = marker_at(text, item.range.start);
        let first = first_paragraph(item);
        let (optional, title) = strip_optional(&first);
        let title = title.to_owned();
        let id = self
            .step_ids
            .claim(&format!("{parent_id}/{}", step_slug(&title)));
        let mut content = Vec::new();
        let mut substeps = Vec::new();
        let mut parts = Parts {
            own: vec![item],
            substep_lists: Vec::new(),
        };
        self.item_blocks(item, &id, depth, &mut content, &mut substeps, &mut parts);
        if let (Some(first_sub), Some(last_sub)) = (d.group.subs.first(), d.group.subs.last()) {
            let range = first_sub.range.start..last_sub.range.end;
            let start = written_number(text, first_sub);
            let drafts = d.group.subs.iter().zip(start..).map(|(sub, number)| Draft {
                group: Group {
                    item: sub,
                    subs: Vec::new(),
                },
                number,
                attached: Vec::new(),
            });
            let block = self.substeps(drafts.collect(), range, &id, depth, &mut substeps);
            content.push(Block {
                attached: true,
                ..block
            });
        }
        for node in &d.attached {
            content.push(self.block(node, true));
            parts.own.push(node);
        }
        let markdown = step_markdown(&content);
        let hold = super::hold::is_hold(&title, &content);
        if optional {
            strip_optional_view(&mut content);
        }
        Step {
            id,
            number: d.number,
            title,
            text: first,
            markdown,
            optional,
            hold,
            substeps,
            code: code(&parts),
            notes: self.notes(&parts),
            links: links(&parts),
            details: None,
            source: self.source(item_start),
            content,
        }
    }

    /// The blocks of an item, in order; nested numbered lists become substeps.
    fn item_blocks(
        &mut self,
        item: &'p Node<'static>,
        id: &str,
        depth: usize,
        content: &mut Vec<Block>,
        substeps: &mut Vec<Step>,
        parts: &mut Parts<'p>,
    ) {
        let children = &item.children;
        let mut k = 0;
        while k < children.len() {
            let node = &children[k];
            if !node.is_block() {
                let n = children[k..].iter().take_while(|n| !n.is_block()).count();
                content.push(self.inline_paragraph(&children[k..k + n]));
                k += n;
                continue;
            }
            k += 1;
            let Some(start) = node.ordered_start() else {
                content.push(self.block(node, false));
                continue;
            };
            if depth >= MAX_STEP_DEPTH {
                self.warn_too_deep(node, id);
                content.push(self.block(node, false));
                continue;
            }
            parts.substep_lists.push(node.range.clone());
            self.lint.indent(node, start, &self.groups(node));
            let drafts = self
                .groups(node)
                .into_iter()
                .zip(start..)
                .map(|(group, number)| Draft {
                    group,
                    number,
                    attached: Vec::new(),
                })
                .collect();
            content.push(self.substeps(drafts, node.range.clone(), id, depth, substeps));
        }
    }

    fn warn_too_deep(&mut self, list: &Node<'_>, id: &str) {
        if self.too_deep {
            return;
        }
        if let Some(first) = list.children.first() {
            self.too_deep = true;
            let at = marker_at(&self.page.doc.text, first.range.start);
            self.lint.too_deep(at, id, MAX_STEP_DEPTH);
        }
    }

    /// Reads `drafts` as substeps (appended to `substeps`); returns the
    /// `substeps` block that stands for them in the step's content.
    fn substeps(
        &mut self,
        drafts: Vec<Draft<'p>>,
        range: Range<usize>,
        id: &str,
        depth: usize,
        substeps: &mut Vec<Step>,
    ) -> Block {
        let mut ids = Vec::new();
        for draft in drafts {
            let step = self.step(draft, id, depth + 1);
            ids.push(step.id.clone());
            substeps.push(step);
        }
        let at = marker_at(&self.page.doc.text, range.start);
        Block {
            kind: BlockKind::Substeps,
            // each substep carries its own Markdown
            markdown: String::new(),
            language: None,
            callout: None,
            steps: ids,
            attached: false,
            source: self.source(at),
            view: Default::default(),
        }
    }

    /// A paragraph of a tight item: a run of inline nodes.
    fn inline_paragraph(&self, nodes: &[Node<'static>]) -> Block {
        let range = nodes[0].range.start..nodes[nodes.len() - 1].range.end;
        Block {
            kind: BlockKind::Paragraph,
            markdown: block_markdown(self.page, range.clone()),
            language: None,
            callout: None,
            steps: Vec::new(),
            attached: false,
            source: self.source(range.start),
            view: render::inline_view(nodes),
        }
    }

    /// One block node as a block of a step, procedure notes included.
    pub(super) fn block(&self, node: &Node<'static>, attached: bool) -> Block {
        let (kind, language, callout) = classify(node);
        let markdown = match kind {
            BlockKind::Note => inner_markdown(self.page, node),
            _ => block_markdown(self.page, node.range.clone()),
        };
        let at = marker_at(&self.page.doc.text, node.range.start);
        Block {
            kind,
            markdown,
            language,
            callout,
            steps: Vec::new(),
            attached,
            source: self.source(at),
            view: render::view(node, kind),
        }
    }

    /// Callouts of a step outside its substeps, not nested in another one.
    fn notes(&self, parts: &Parts<'_>) -> Vec<Note> {
        let mut notes = Vec::new();
        for node in &parts.own {
            visit_self(node, &mut |n| {
                if inside(&parts.substep_lists, &n.range) {
                    return false;
                }
                match n.callout() {
                    Some(kind) => {
                        notes.push(Note {
                            kind: kind.to_owned(),
                            markdown: inner_markdown(self.page, n),
                        });
                        false
                    }
                    None => true,
                }
            });
        }
        notes
    }
}

/// Renders a step's first paragraph again without its `Optional:` prefix,
/// for the checklists' step line (which marks the step optional instead).
fn strip_optional_view(content: &mut [Block]) {
    let Some(first) = content
        .first_mut()
        .filter(|b| b.kind == BlockKind::Paragraph && !b.attached)
    else {
        return;
    };
    let line: Vec<&str> = first.markdown.lines().map(str::trim).collect();
    let line = line.join("\n");
    let (_, rest) = super::strip_optional_markdown(&line);
    let tree = blocks::parse_fragment(rest);
    if let Some(paragraph) = tree
        .first()
        .filter(|n| matches!(n.tag(), Some(Tag::Paragraph)))
    {
        first.view = render::view(paragraph, BlockKind::Paragraph);
    }
}

/// A block node's kind, code language and callout kind.
fn classify(node: &Node<'_>) -> (BlockKind, Option<String>, Option<String>) {
    if let Some(kind) = node.callout() {
        return (BlockKind::Note, None, Some(kind.to_owned()));
    }
    if let Some((language, _)) = node.code() {
        return (BlockKind::Code, language, None);
    }
    let kind = match node.tag() {
        Some(Tag::Paragraph) if node.is_image_paragraph() => BlockKind::Image,
        Some(Tag::List(_)) => BlockKind::List,
        Some(Tag::BlockQuote(_)) => BlockKind::Quote,
        Some(Tag::Table(_)) => BlockKind::Table,
        Some(Tag::Heading { .. }) => BlockKind::Heading,
        Some(Tag::HtmlBlock) => BlockKind::Html,
        None if !node.is_block() || matches!(node.kind, blocks::Kind::Leaf(_)) => BlockKind::Rule,
        _ => BlockKind::Paragraph,
    };
    (kind, None, None)
}

/// Calls `f` on `node` and, while `f` says so, on everything in it.
fn visit_self<'n>(node: &'n Node<'_>, f: &mut dyn FnMut(&'n Node<'_>) -> bool) {
    if f(node) {
        for child in &node.children {
            visit_self(child, f);
        }
    }
}

fn code(parts: &Parts<'_>) -> Vec<Code> {
    let mut code = Vec::new();
    for node in &parts.own {
        visit_self(node, &mut |n| {
            if inside(&parts.substep_lists, &n.range) || n.callout().is_some() {
                return false;
            }
            if let Some((language, content)) = n.code() {
                code.push(Code { language, content });
                return false;
            }
            true
        });
    }
    code
}

fn links(parts: &Parts<'_>) -> Vec<Link> {
    let mut links = Vec::new();
    for node in &parts.own {
        visit_self(node, &mut |n| {
            if inside(&parts.substep_lists, &n.range) {
                return false;
            }
            if let Some(Tag::Link { dest_url, .. }) = n.tag() {
                links.push(Link {
                    text: n.plain_text(),
                    href: dest_url.to_string(),
                });
                return false;
            }
            true
        });
    }
    links
}

/// `inner` lies within `outer`.
fn within(outer: &Range<usize>, inner: &Range<usize>) -> bool {
    outer.start <= inner.start && inner.end <= outer.end
}

fn inside(ranges: &[Range<usize>], r: &Range<usize>) -> bool {
    ranges.iter().any(|o| within(o, r))
}

/// The expanded-page text behind `doc_range`: from its start to the end of
/// the line holding its last visible character, and where that begins.
fn expanded_slice(page: &Page, doc_range: Range<usize>) -> Option<(usize, &str)> {
    let (last, _) = page
        .doc
        .text
        .get(doc_range.clone())?
        .trim_end()
        .char_indices()
        .next_back()?;
    let exp = &page.expansion.text;
    let start = page.doc.to_expanded(doc_range.start);
    let end = page.doc.to_expanded(doc_range.start + last);
    let end = exp[end..].find('\n').map_or(exp.len(), |i| end + i);
    Some((start, &exp[start..end.max(start)]))
}

/// A block's Markdown as written: its expanded source, every line after the
/// first dedented by the column the block starts at.
fn block_markdown(page: &Page, doc_range: Range<usize>) -> String {
    let Some((start, slice)) = expanded_slice(page, doc_range) else {
        return String::new();
    };
    let exp = &page.expansion.text;
    let line_start = exp[..start].rfind('\n').map_or(0, |i| i + 1);
    let mut lines = slice.split('\n');
    let first = lines.next().unwrap_or("");
    let (indent, first) = if start == line_start {
        let trimmed = first.trim_start_matches(' ');
        (first.len() - trimmed.len(), trimmed)
    } else {
        (exp[line_start..start].chars().count(), first)
    };
    let mut out = first.to_owned();
    for line in lines {
        out.push('\n');
        out.push_str(dedent(line, indent));
    }
    out.trim_end().to_owned()
}

/// `line` without up to `n` leading spaces.
fn dedent(line: &str, n: usize) -> &str {
    let spaces = line.len() - line.trim_start_matches(' ').len();
    &line[spaces.min(n)..]
}

/// A callout's inner Markdown without leading and trailing blank lines,
/// dedented by the smallest indentation of its lines.
fn inner_markdown(page: &Page, callout: &Node<'_>) -> String {
    let (Some(first), Some(last)) = (callout.children.first(), callout.children.last()) else {
        return String::new();
    };
    let Some((start, slice)) = expanded_slice(page, first.range.start..last.range.end) else {
        return String::new();
    };
    let exp = &page.expansion.text;
    let line_start = exp[..start].rfind('\n').map_or(0, |i| i + 1);
    let head = &exp[line_start..start];
    let whole = format!("{}{slice}", " ".repeat(head.chars().count()));
    let lines: Vec<&str> = whole.split('\n').collect();
    let indent = lines
        .iter()
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.len() - l.trim_start_matches(' ').len())
        .min()
        .unwrap_or(0);
    let out: Vec<&str> = lines.iter().map(|l| dedent(l, indent)).collect();
    out.join("\n").trim_end().to_owned()
}
