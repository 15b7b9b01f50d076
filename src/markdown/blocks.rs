//! Block tree: folds pulldown-cmark's offset events over [`Doc::text`](crate::markdown::Doc) into nested nodes.
//!
//! pulldown-cmark yields a flat stream of `Start`/`End` events. Later stages
//! (procedure extraction, checklists) want to ask "which blocks does this
//! list item hold?", so the stream is folded once into a tree of [`Node`]s,
//! each with the byte range it covers in the parsed text.
//!
//! The fold is iterative and containers nest at most [`MAX_TREE_DEPTH`]
//! deep: containers nested deeper (a 3000-level list written as
//! `1. 1. 1. …` on one line) are not kept as nodes, their text is attached
//! to the deepest node kept. Everything that walks the tree recursively
//! (plain text, visits, `Drop`) therefore stays within a small stack.

use std::ops::Range;

use pulldown_cmark::{CodeBlockKind, Event, Parser, Tag};

use crate::markdown::{Callout, Doc};

/// What a node is: a container opened by a `Start` event, a leaf event, or
/// a callout (`:::kind` … `:::`) folded from the HTML blocks its fences
/// became in [`crate::markdown::Doc`].
#[derive(Clone, Debug, PartialEq)]
pub enum Kind<'a> {
    Container(Tag<'a>),
    Leaf(Event<'a>),
    Callout(String),
}

/// One node of the tree with the byte range it covers in the parsed text.
#[derive(Clone, Debug, PartialEq)]
pub struct Node<'a> {
    pub kind: Kind<'a>,
    pub range: Range<usize>,
    pub children: Vec<Node<'a>>,
}

/// How deep containers nest in the tree (leaf events sit one level below).
/// Far more than any real page needs (procedures read 16 levels of
/// substeps, two nodes each), small enough for recursive walks.
pub(crate) const MAX_TREE_DEPTH: usize = 128;

/// The page's tree: [`parse`] with callouts folded into [`Kind::Callout`]
/// nodes, owning its strings so the page can keep it.
pub(crate) fn page_tree(doc: &Doc) -> Vec<Node<'static>> {
    let tree = parse(doc.parser());
    fold_callouts(owned(tree), &doc.callouts)
}

fn owned(nodes: Vec<Node<'_>>) -> Vec<Node<'static>> {
    nodes
        .into_iter()
        .map(|n| Node {
            kind: match n.kind {
                Kind::Container(tag) => Kind::Container(tag.into_static()),
                Kind::Leaf(event) => Kind::Leaf(event.into_static()),
                Kind::Callout(kind) => Kind::Callout(kind),
            },
            range: n.range,
            children: owned(n.children),
        })
        .collect()
}

/// Replaces each callout's opening HTML block, the siblings after it and its
/// closing HTML block by one [`Kind::Callout`] node holding those siblings.
/// A callout whose fences ended up in different containers (opened inside a
/// list item, closed outside it) is left as HTML blocks.
fn fold_callouts(nodes: Vec<Node<'static>>, callouts: &[Callout]) -> Vec<Node<'static>> {
    if callouts.is_empty() {
        return nodes;
    }
    let mut nodes: Vec<Option<Node<'static>>> = nodes.into_iter().map(Some).collect();
    let mut out = Vec::with_capacity(nodes.len());
    let mut i = 0;
    while i < nodes.len() {
        let node = nodes[i].as_ref().expect("each node is taken once");
        let close = opened_callout(node, callouts).and_then(|c| {
            let k = (i + 1..nodes.len())
                .find(|&k| nodes[k].as_ref().is_some_and(|n| closes_callout(n, c)))?;
            Some((c, k))
        });
        match close {
            Some((callout, k)) => {
                let start = node.range.start;
                let end = nodes[k].as_ref().map_or(start, |n| n.range.end);
                let inner: Vec<Node<'static>> = nodes[i + 1..k]
                    .iter_mut()
                    .filter_map(Option::take)
                    .collect();
                out.push(Node {
                    kind: Kind::Callout(callout.kind.clone()),
                    range: start..end,
                    children: fold_callouts(inner, callouts),
                });
                i = k + 1;
            }
            None => {
                let mut node = nodes[i].take().expect("each node is taken once");
                node.children = fold_callouts(std::mem::take(&mut node.children), callouts);
                out.push(node);
                i += 1;
            }
        }
    }
    out
}

fn is_html_block(node: &Node<'_>) -> bool {
    matches!(node.tag(), Some(Tag::HtmlBlock))
}

/// The callout whose opening line `node` is.
fn opened_callout<'c>(node: &Node<'_>, callouts: &'c [Callout]) -> Option<&'c Callout> {
    if !is_html_block(node) {
        return None;
    }
    callouts
        .iter()
        .find(|c| c.range.start <= node.range.start && node.range.end <= c.inner.start)
}

fn closes_callout(node: &Node<'_>, callout: &Callout) -> bool {
    is_html_block(node)
        && node.range.start >= callout.inner.end
        && node.range.end <= callout.range.end
}

/// The tree of a Markdown fragment (a step's first line with its optional
/// prefix taken off, a link's text), parsed with runsheet's options.
pub(crate) fn parse_fragment(markdown: &str) -> Vec<Node<'_>> {
    parse(Parser::new_ext(markdown, crate::markdown::options()))
}

/// Plain text of a Markdown fragment, as [`plain_text`] reads a tree.
pub(crate) fn fragment_plain_text(markdown: &str) -> String {
    plain_text(&parse_fragment(markdown))
}

/// Parses the whole parser output into its top-level nodes.
pub(crate) fn parse<'a>(parser: Parser<'a>) -> Vec<Node<'a>> {
    let mut stack: Vec<Node<'a>> = Vec::new();
    let mut top = Vec::new();
    // containers opened below MAX_TREE_DEPTH and not closed yet
    let mut flattened = 0usize;
    for (event, range) in parser.into_offset_iter() {
        match event {
            Event::Start(_) if stack.len() >= MAX_TREE_DEPTH => flattened += 1,
            Event::Start(tag) => stack.push(Node {
                kind: Kind::Container(tag),
                range,
                children: Vec::new(),
            }),
            // every container opened after the deepest kept one is flattened,
            // so an `End` closes a flattened container while there are any
            Event::End(_) if flattened > 0 => flattened -= 1,
            Event::End(_) => {
                let done = stack.pop().expect("pulldown-cmark balances its events");
                attach(&mut stack, &mut top, done);
            }
            leaf => attach(
                &mut stack,
                &mut top,
                Node {
                    kind: Kind::Leaf(leaf),
                    range,
                    children: Vec::new(),
                },
            ),
        }
    }
    top
}

fn attach<'a>(stack: &mut [Node<'a>], top: &mut Vec<Node<'a>>, node: Node<'a>) {
    match stack.last_mut() {
        Some(parent) => parent.children.push(node),
        None => top.push(node),
    }
}

impl<'a> Node<'a> {
    /// The tag when the node is a container.
    pub fn tag(&self) -> Option<&Tag<'a>> {
        match &self.kind {
            Kind::Container(tag) => Some(tag),
            Kind::Leaf(_) | Kind::Callout(_) => None,
        }
    }

    /// The kind of a callout node (`hint`, `warning`, …).
    pub fn callout(&self) -> Option<&str> {
        match &self.kind {
            Kind::Callout(kind) => Some(kind),
            _ => None,
        }
    }

    /// A paragraph holding only images (and spaces): a figure.
    pub fn is_image_paragraph(&self) -> bool {
        matches!(self.tag(), Some(Tag::Paragraph))
            && self
                .children
                .iter()
                .any(|c| matches!(c.tag(), Some(Tag::Image { .. })))
            && self.children.iter().all(|c| match &c.kind {
                Kind::Container(Tag::Image { .. }) => true,
                Kind::Leaf(Event::Text(t)) => t.trim().is_empty(),
                Kind::Leaf(Event::SoftBreak | Event::HardBreak) => true,
                _ => false,
            })
    }

    /// The events of the node and everything in it with the byte ranges
    /// they cover, as pulldown-cmark's offset iterator gave them (a callout
    /// as the two HTML blocks its fences became), for renderers that need
    /// both: the site walks the page's tree instead of parsing it again.
    pub fn offset_events(&self, out: &mut Vec<(Event<'a>, Range<usize>)>) {
        match &self.kind {
            Kind::Leaf(event) => out.push((event.clone(), self.range.clone())),
            Kind::Container(tag) => {
                out.push((Event::Start(tag.clone()), self.range.clone()));
                for child in &self.children {
                    child.offset_events(out);
                }
                out.push((Event::End(tag.to_end()), self.range.clone()));
            }
            Kind::Callout(kind) => {
                let open =
                    format!("<div class=\"callout callout-{kind}\" data-callout=\"{kind}\">\n");
                let start = self.range.start..self.range.start;
                let end = self.range.end..self.range.end;
                out.push((Event::Start(Tag::HtmlBlock), start.clone()));
                out.push((Event::Html(open.into()), start.clone()));
                out.push((Event::End(pulldown_cmark::TagEnd::HtmlBlock), start));
                for child in &self.children {
                    child.offset_events(out);
                }
                out.push((Event::Start(Tag::HtmlBlock), end.clone()));
                out.push((Event::Html("</div>\n".into()), end.clone()));
                out.push((Event::End(pulldown_cmark::TagEnd::HtmlBlock), end));
            }
        }
    }

    /// The events of the node and everything in it, as pulldown-cmark
    /// emitted them; a callout becomes a labelled note box
    /// (`<div class="note note-KIND">` with its kind as a label).
    pub fn events(&self, out: &mut Vec<Event<'a>>) {
        match &self.kind {
            Kind::Leaf(event) => out.push(event.clone()),
            Kind::Container(tag) => {
                out.push(Event::Start(tag.clone()));
                for child in &self.children {
                    child.events(out);
                }
                out.push(Event::End(tag.to_end()));
            }
            Kind::Callout(kind) => {
                out.push(Event::Html(
                    format!(
                        "<div class=\"note note-{kind}\"><span class=\"note-kind\">{kind}</span>\n"
                    )
                    .into(),
                ));
                for child in &self.children {
                    child.events(out);
                }
                out.push(Event::Html("</div>\n".into()));
            }
        }
    }

    /// `Some(start)` for an ordered list, the number its first item shows.
    pub fn ordered_start(&self) -> Option<u64> {
        match self.tag() {
            Some(Tag::List(start)) => *start,
            _ => None,
        }
    }

    pub fn is_list(&self) -> bool {
        matches!(self.tag(), Some(Tag::List(_)))
    }

    /// True for block-level nodes: paragraphs, lists, code, headings, HTML
    /// blocks, quotes, tables, rules; false for inline content.
    pub fn is_block(&self) -> bool {
        match &self.kind {
            Kind::Container(tag) => matches!(
                tag,
                Tag::Paragraph
                    | Tag::Heading { .. }
                    | Tag::BlockQuote(_)
                    | Tag::CodeBlock(_)
                    | Tag::HtmlBlock
                    | Tag::List(_)
                    | Tag::Item
                    | Tag::FootnoteDefinition(_)
                    | Tag::Table(_)
                    | Tag::DefinitionList
                    | Tag::MetadataBlock(_)
            ),
            Kind::Leaf(event) => matches!(event, Event::Rule | Event::DisplayMath(_)),
            Kind::Callout(_) => true,
        }
    }

    /// Plain text of the node: text and inline code, line breaks as spaces,
    /// whitespace collapsed. Image descriptions and inline HTML are left out.
    pub fn plain_text(&self) -> String {
        plain_text(std::slice::from_ref(self))
    }

    fn push_text(&self, out: &mut String) {
        match &self.kind {
            Kind::Leaf(Event::Text(t) | Event::Code(t)) => out.push_str(t),
            Kind::Leaf(Event::SoftBreak | Event::HardBreak) => out.push(' '),
            Kind::Container(Tag::Image { .. }) => {}
            _ => {
                for child in &self.children {
                    child.push_text(out);
                }
            }
        }
    }

    /// The language and text of a code block node.
    pub fn code(&self) -> Option<(Option<String>, String)> {
        let Some(Tag::CodeBlock(kind)) = self.tag() else {
            return None;
        };
        let language = match kind {
            CodeBlockKind::Fenced(info) => info
                .split(|c: char| c.is_whitespace() || c == '{' || c == ',')
                .next()
                .filter(|l| !l.is_empty())
                .map(str::to_owned),
            CodeBlockKind::Indented => None,
        };
        let mut content = String::new();
        for child in &self.children {
            if let Kind::Leaf(Event::Text(t)) = &child.kind {
                content.push_str(t);
            }
        }
        Some((language, content))
    }
}

/// Plain text of a run of sibling nodes, as [`Node::plain_text`] reads one.
pub(crate) fn plain_text(nodes: &[Node<'_>]) -> String {
    let mut raw = String::new();
    for node in nodes {
        node.push_text(&mut raw);
    }
    collapse_whitespace(&raw)
}

/// Runs of whitespace become one space; the ends are trimmed.
pub(crate) fn collapse_whitespace(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::markdown::options;

    fn tree(text: &str) -> Vec<Node<'_>> {
        parse(Parser::new_ext(text, options()))
    }

    #[test]
    fn lists_nest_items_and_blocks() {
        let text = "Intro\n\n3. One `x`\n   ```sh\n   ls\n   ```\n4. Two\n   1. Sub\n";
        let top = tree(text);
        assert_eq!(top.len(), 2);
        assert_eq!(top[0].plain_text(), "Intro");
        let list = &top[1];
        assert_eq!(list.ordered_start(), Some(3));
        assert_eq!(list.children.len(), 2);
        let first = &list.children[0];
        assert_eq!(&text[first.range.clone()][..4], "3. O");
        let code = first.children.iter().find_map(Node::code).unwrap();
        assert_eq!(code, (Some("sh".into()), "ls\n".into()));
        let sub = first.children.iter().find(|n| n.is_list());
        assert!(sub.is_none());
        let second = &list.children[1];
        assert!(second.children.iter().any(|n| n.ordered_start() == Some(1)));
    }

    fn depth(nodes: &[Node<'_>]) -> usize {
        // iterative, so the test itself cannot overflow
        let mut deepest = 0;
        let mut todo: Vec<(&Node<'_>, usize)> = nodes.iter().map(|n| (n, 1)).collect();
        while let Some((node, d)) = todo.pop() {
            deepest = deepest.max(d);
            todo.extend(node.children.iter().map(|c| (c, d + 1)));
        }
        deepest
    }

    #[test]
    fn deep_nesting_is_capped_and_keeps_its_text() {
        let text = format!("{}x\n", "1. ".repeat(3000));
        let top = tree(&text);
        assert_eq!(depth(&top), MAX_TREE_DEPTH + 1);
        assert_eq!(top.len(), 1);
        assert_eq!(top[0].plain_text(), "x");
        let quotes = format!("{}deep\n\nafter\n", "> ".repeat(3000));
        let top = tree(&quotes);
        assert_eq!(depth(&top), MAX_TREE_DEPTH + 1);
        assert_eq!(top.len(), 2);
        assert_eq!(top[0].plain_text(), "deep");
        assert_eq!(top[1].plain_text(), "after");
    }

    #[test]
    fn plain_text_table() {
        let cases = [
            ("Click **Save**  now.", "Click Save now."),
            ("Run `ls -l`\nthen [go](x.md).", "Run ls -l then go."),
            ("See ![shot](a.png) here", "See here"),
            ("a <b>bold</b> move", "a bold move"),
        ];
        for (input, expected) in cases {
            assert_eq!(tree(input)[0].plain_text(), expected, "{input:?}");
        }
    }
}
