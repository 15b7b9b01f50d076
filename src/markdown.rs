//! Markdown stage: prepares an expanded page for pulldown-cmark (callouts, `!toc`) and reads its headings.
//!
//! Callouts (`:::kind` … `:::`) are not CommonMark, so their fence lines are
//! rewritten into HTML blocks (`<div class="callout callout-kind">` and
//! `</div>`, each followed by a blank line so the Markdown between them is
//! parsed as Markdown, at the fence's own indentation so a callout inside a
//! list item stays inside it). `!toc` becomes an HTML comment the site
//! renderer replaces. A heading ending in `\{#id}` (the escaped form MDX
//! docs use) loses the backslash, so it is `{#id}`. A UI path
//! (`{{Projects,Operations}}`, see [`ui_path`]) becomes
//! `<span class="ui-path">Projects › Operations</span>`: the site shows the
//! span, and every plain-text reader of the page (plans, search) its text.
//! None of this happens in code. Every byte of the rewritten text maps back to the expanded page, and
//! from there through the include source map.

use std::ops::Range;

use pulldown_cmark::{Event, HeadingLevel, Options, Parser, Tag, TagEnd};

use crate::diagnostic::Diagnostic;
use crate::slug::{slugify, Unique};
use crate::sourcemap::Expansion;

pub(crate) mod attrs;
pub(crate) mod blocks;
pub(crate) mod ui_path;

/// The marker `!toc` turns into; renderers replace it with the table of contents.
pub(crate) const TOC_MARKER: &str = "<!-- runsheet:toc -->";

/// The pulldown-cmark extensions runsheet enables everywhere.
pub(crate) fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_HEADING_ATTRIBUTES
}

/// A heading of the page, with the anchor the site gives it.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Heading {
    /// 1 to 6.
    pub level: u8,
    /// Plain text, without inline markup or `{#id}`.
    pub text: String,
    /// `{#id}` when given, else the slug of the text; unique in the page.
    pub anchor: String,
    /// Byte range of the heading in [`Doc::text`].
    pub range: Range<usize>,
}

/// A callout block, in [`Doc::text`] coordinates.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Callout {
    pub kind: String,
    /// From the start of the opening line to the end of the closing line.
    pub range: Range<usize>,
    /// The Markdown between the two fence lines, still indented as written.
    pub inner: Range<usize>,
}

/// An expanded page ready for parsing.
#[derive(Debug, Default)]
pub struct Doc {
    /// The page's Markdown with callout fences and `!toc` rewritten.
    pub text: String,
    /// `(doc offset, expanded offset)` at each point where the two diverge.
    anchors: Vec<(usize, usize)>,
    /// Doc ranges of rewritten lines, with the expanded offset of the line
    /// each replaced; sorted.
    replaced: Vec<(Range<usize>, usize)>,
    pub headings: Vec<Heading>,
    /// The anchors the page's raw HTML sets (`<a id>`, `<a name>`, any
    /// element's `id`), outside code, in page order.
    pub html_ids: Vec<String>,
    pub callouts: Vec<Callout>,
    /// The block tree of [`Doc::text`], parsed once (callouts folded into
    /// nodes); every stage that needs the page's structure reads it.
    pub tree: Vec<blocks::Node<'static>>,
}

/// The kind named by a callout's opening line: `:::hint` or `:::div{.hint}`.
pub(crate) fn callout_open(line: &str) -> Option<&str> {
    let rest = line.trim().strip_prefix(":::")?;
    let kind = match rest.strip_prefix("div{.") {
        Some(inner) => inner.strip_suffix('}')?,
        None => rest,
    };
    let valid = !kind.is_empty()
        && kind
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    valid.then_some(kind)
}

/// True for a line that closes a callout: `:::` alone.
pub(crate) fn is_callout_close(line: &str) -> bool {
    line.trim() == ":::"
}

/// Byte ranges of the fenced and indented code blocks of `text`, where
/// directives are literal text.
pub(crate) fn code_ranges(text: &str) -> Vec<Range<usize>> {
    Parser::new_ext(text, options())
        .into_offset_iter()
        .filter_map(|(event, range)| match event {
            Event::Start(Tag::CodeBlock(_)) => Some(range),
            _ => None,
        })
        .collect()
}

/// Byte ranges of the code blocks and code spans of `text`.
pub(crate) fn code_and_span_ranges(text: &str) -> Vec<Range<usize>> {
    Parser::new_ext(text, options())
        .into_offset_iter()
        .filter_map(|(event, range)| match event {
            Event::Start(Tag::CodeBlock(_)) | Event::Code(_) => Some(range),
            _ => None,
        })
        .collect()
}

/// Markdown (such as the `footer` setting) as HTML, with tables.
pub(crate) fn to_html(text: &str) -> String {
    let mut out = String::new();
    let parser = Parser::new_ext(text, Options::ENABLE_TABLES);
    pulldown_cmark::html::push_html(&mut out, parser);
    out
}

/// What one parse of the expanded page tells its rewriting: where the code
/// blocks, the headings and the UI paths are.
#[derive(Debug, Default)]
struct Shape {
    code: Vec<Range<usize>>,
    headings: Vec<Range<usize>>,
    /// Each UI path and the inline HTML that replaces it, in page order.
    ui_paths: Vec<(Range<usize>, String)>,
}

impl Shape {
    /// Parses `source` only when it holds something to rewrite.
    fn of(source: &str) -> Shape {
        let triggers = [":::", "!toc", "\\{#", "{{"];
        if !triggers.iter().any(|t| source.contains(t)) {
            return Shape::default();
        }
        let mut shape = Shape::default();
        let mut places = ui_path::Places::default();
        for (event, range) in Parser::new_ext(source, options()).into_offset_iter() {
            places.see(&event, range.clone());
            match event {
                Event::Start(Tag::CodeBlock(_)) => shape.code.push(range),
                Event::Start(Tag::Heading { .. }) => shape.headings.push(range),
                _ => {}
            }
        }
        shape.ui_paths = places
            .paths(source)
            .into_iter()
            .map(|(range, parts)| (range, ui_path::html(&parts)))
            .collect();
        shape
    }

    fn overlaps(ranges: &[Range<usize>], line: &Range<usize>) -> bool {
        ranges
            .iter()
            .any(|r| r.start < line.end && r.end > line.start)
    }
}

/// Where a heading line ends in `\{#id}`: the offset of that backslash in `line`.
fn escaped_heading_id(line: &str) -> Option<usize> {
    let body = line.trim_end().strip_suffix('}')?;
    let at = body.rfind("\\{#")?;
    let inner = &body[at + 3..];
    let plain =
        !inner.is_empty() && !inner.contains(['{', '}', '\\']) && !body[..at].ends_with('\\');
    plain.then_some(at)
}

impl Doc {
    /// Rewrites the expanded page and reads its headings. Callouts that are
    /// never closed are reported (and closed at the end of the page).
    /// A page known only by its headings: what the site reads of a page the
    /// build cache lets a build reuse without parsing it.
    pub(crate) fn with_headings(headings: Vec<Heading>, html_ids: Vec<String>) -> Doc {
        Doc {
            headings,
            html_ids,
            ..Doc::default()
        }
    }

    pub fn parse(expansion: &Expansion, diags: &mut Vec<Diagnostic>) -> Doc {
        let source = expansion.text.as_str();
        let mut doc = Doc::default();
        let shape = Shape::of(source);
        let code = &shape.code;
        // (kind, doc offset of the opening line, expanded offset, inner start)
        let mut open: Vec<(String, usize, usize, usize)> = Vec::new();
        let mut pos = 0;
        for line in source.split_inclusive('\n') {
            let start = pos;
            pos += line.len();
            let literal = code.iter().any(|r| r.start < pos && r.end > start);
            let indent = &line[..line.len() - line.trim_start().len()];
            if !literal && is_callout_close(line) && !open.is_empty() {
                let (kind, open_at, _, inner_start) = open.pop().expect("checked non-empty");
                let inner_end = doc.text.len();
                doc.replace(start, &format!("{indent}</div>\n\n"));
                doc.callouts.push(Callout {
                    kind,
                    range: open_at..doc.text.len(),
                    inner: inner_start..inner_end,
                });
            } else if let Some(kind) = callout_open(line).filter(|_| !literal) {
                let open_at = doc.text.len();
                doc.replace(
                    start,
                    &format!("{indent}<div class=\"callout callout-{kind}\" data-callout=\"{kind}\">\n\n"),
                );
                open.push((
                    kind.to_owned(),
                    open_at,
                    start + indent.len(),
                    doc.text.len(),
                ));
            } else if !literal && line.trim() == "!toc" {
                doc.replace(start, &format!("{indent}{TOC_MARKER}\n\n"));
            } else {
                let edits = line_edits(line, start, &shape);
                doc.copy_edited(start, line, &edits);
            }
        }
        for (kind, open_at, expanded_at, inner_start) in open.into_iter().rev() {
            if let Some(origin) = expansion.map.lookup(expanded_at) {
                let len = source[expanded_at..]
                    .find('\n')
                    .unwrap_or(source.len() - expanded_at);
                diags.push(
                    Diagnostic::error("callout-unclosed", "callout is never closed")
                        .at_origin(origin, len)
                        .with_help("end the callout with a line `:::`"),
                );
            }
            let inner_end = doc.text.len();
            let newline = if doc.text.ends_with('\n') || doc.text.is_empty() {
                ""
            } else {
                "\n"
            };
            // written in no file: it maps to the end of the page
            doc.replace(source.len(), &format!("{newline}</div>\n"));
            doc.callouts.push(Callout {
                kind,
                range: open_at..doc.text.len(),
                inner: inner_start..inner_end,
            });
        }
        doc.callouts.sort_by_key(|c| c.range.start);
        doc.tree = blocks::page_tree(&doc);
        doc.headings = read_headings(&doc.tree);
        doc.html_ids = raw_html_ids(&doc.tree);
        doc
    }

    /// Copies `line` (at `expanded_at`) with `edits` made: byte ranges of
    /// `line`, sorted and apart, and the text to write instead (none: the
    /// bytes are left out).
    fn copy_edited(&mut self, expanded_at: usize, line: &str, edits: &[(Range<usize>, String)]) {
        let mut at = 0;
        for (range, with) in edits {
            if range.start > at {
                self.copy(expanded_at + at, &line[at..range.start]);
            }
            if !with.is_empty() {
                self.replace(expanded_at + range.start, with);
            }
            at = range.end;
        }
        if at < line.len() {
            self.copy(expanded_at + at, &line[at..]);
        }
    }

    fn copy(&mut self, expanded_at: usize, line: &str) {
        self.anchor(expanded_at);
        self.text.push_str(line);
    }

    fn replace(&mut self, expanded_at: usize, with: &str) {
        self.anchor(expanded_at);
        let start = self.text.len();
        self.text.push_str(with);
        self.replaced.push((start..self.text.len(), expanded_at));
        // whatever follows starts a new anchor
        self.anchors.push((self.text.len(), usize::MAX));
    }

    fn anchor(&mut self, expanded_at: usize) {
        let here = self.text.len();
        if let Some(&(d, e)) = self.anchors.last() {
            if e != usize::MAX && e + (here - d) == expanded_at {
                return;
            }
            if d == here {
                self.anchors.pop();
            }
        }
        self.anchors.push((here, expanded_at));
    }

    /// The offset in the expanded page that `doc_offset` came from. Text that
    /// replaced a directive line maps to the start of that line.
    pub fn to_expanded(&self, doc_offset: usize) -> usize {
        let r = self
            .replaced
            .partition_point(|(range, _)| range.end <= doc_offset);
        if let Some((range, line)) = self.replaced.get(r) {
            if range.contains(&doc_offset) {
                return *line;
            }
        }
        let i = self.anchors.partition_point(|&(d, _)| d <= doc_offset);
        match i.checked_sub(1).map(|i| (i, self.anchors[i])) {
            None => doc_offset,
            Some((i, (_, usize::MAX))) => {
                // inside a rewritten line: map to that line's start
                i.checked_sub(1).map_or(0, |j| self.anchors[j].1)
            }
            Some((_, (d, e))) => e + (doc_offset - d),
        }
    }

    /// A pulldown-cmark parser over [`Doc::text`] with runsheet's options.
    pub fn parser(&self) -> Parser<'_> {
        Parser::new_ext(&self.text, options())
    }
}

/// The changes a line of Markdown outside code needs, as byte ranges of
/// `line` (which starts at `start` in the page) and their replacements.
fn line_edits(line: &str, start: usize, shape: &Shape) -> Vec<(Range<usize>, String)> {
    let span = start..start + line.len();
    let mut edits: Vec<(Range<usize>, String)> = shape
        .ui_paths
        .iter()
        .filter(|(r, _)| span.start <= r.start && r.end <= span.end)
        .map(|(r, html)| (r.start - start..r.end - start, html.clone()))
        .collect();
    if Shape::overlaps(&shape.headings, &span) && !Shape::overlaps(&shape.code, &span) {
        if let Some(at) = escaped_heading_id(line) {
            edits.push((at..at + 1, String::new()));
        }
    }
    edits.sort_by_key(|(r, _)| r.start);
    // edits never overlap; keep the first should they ever
    let mut end = 0;
    edits.retain(|(r, _)| {
        let apart = r.start >= end;
        end = end.max(r.end);
        apart
    });
    edits
}

/// Headings with unique anchors: `{#id}` wins, otherwise the slug of the text.
/// The anchors set by the raw HTML of `tree` (HTML blocks, their lines
/// joined, and inline tags; never text in code).
fn raw_html_ids(tree: &[blocks::Node<'_>]) -> Vec<String> {
    let mut events = Vec::new();
    for node in tree {
        node.events(&mut events);
    }
    let mut ids = Vec::new();
    let mut block: Option<String> = None;
    for event in events {
        match event {
            Event::Start(Tag::HtmlBlock) => block = Some(String::new()),
            Event::Html(text) => block.get_or_insert_with(String::new).push_str(&text),
            Event::End(TagEnd::HtmlBlock) => {
                ids.extend(attrs::html_ids(&block.take().unwrap_or_default()))
            }
            Event::InlineHtml(text) => ids.extend(attrs::html_ids(&text)),
            _ => {}
        }
    }
    ids.extend(block.map(|b| attrs::html_ids(&b)).into_iter().flatten());
    ids
}

fn read_headings(tree: &[blocks::Node<'_>]) -> Vec<Heading> {
    let mut unique = Unique::default();
    let mut headings = Vec::new();
    let mut todo: Vec<&blocks::Node<'_>> = tree.iter().rev().collect();
    while let Some(node) = todo.pop() {
        if let Some(Tag::Heading { level, id, .. }) = node.tag() {
            let text = heading_text(node);
            let anchor = unique.claim(
                &id.as_ref()
                    .map_or_else(|| slugify(&text), |s| s.to_string()),
            );
            headings.push(Heading {
                level: level_number(*level),
                text,
                anchor,
                range: node.range.clone(),
            });
        } else {
            todo.extend(node.children.iter().rev());
        }
    }
    headings
}

/// A heading's text: its text and code, line breaks as spaces, trimmed
/// (markup and images left out).
fn heading_text(node: &blocks::Node<'_>) -> String {
    let mut text = String::new();
    let mut todo: Vec<&blocks::Node<'_>> = node.children.iter().rev().collect();
    while let Some(n) = todo.pop() {
        match &n.kind {
            blocks::Kind::Leaf(Event::Text(t) | Event::Code(t)) => text.push_str(t),
            blocks::Kind::Leaf(Event::SoftBreak | Event::HardBreak) => text.push(' '),
            _ => todo.extend(n.children.iter().rev()),
        }
    }
    text.trim().to_owned()
}

fn level_number(level: HeadingLevel) -> u8 {
    level as u8
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::FileId;
    use crate::sourcemap::{ChainId, SourceMap};

    fn doc(text: &str) -> (Doc, Vec<Diagnostic>) {
        let mut map = SourceMap::default();
        map.map(0, FileId(0), 0, ChainId::ROOT);
        let expansion = Expansion {
            text: text.into(),
            map,
            used: Default::default(),
        };
        let mut diags = Vec::new();
        (Doc::parse(&expansion, &mut diags), diags)
    }

    /// Found by the `procedures` fuzz target: the `</div>` that closes a
    /// callout left open at the page's end mapped past the expanded page,
    /// and a code block running into it sliced out of bounds.
    #[test]
    fn text_closing_an_unclosed_callout_maps_to_the_page_end() {
        for text in ["\n1. \n   :::i\n   :\n```\n", ":::hint\nx", ":::a\n:::b\n"] {
            let (doc, diags) = doc(text);
            assert!(diags.iter().all(|d| d.code == "callout-unclosed"));
            for offset in 0..=doc.text.len() {
                assert!(
                    doc.to_expanded(offset) <= text.len(),
                    "{text:?} at {offset}"
                );
            }
        }
    }

    #[test]
    fn callout_open_table() {
        let cases = [
            (":::hint", Some("hint")),
            ("   :::warning  ", Some("warning")),
            (":::div{.success}", Some("success")),
            (":::div{.hint} ", Some("hint")),
            (":::", None),
            (":::div{hint}", None),
            ("::: hint", None),
            ("text :::hint", None),
        ];
        for (line, kind) in cases {
            assert_eq!(callout_open(line), kind, "{line:?}");
        }
    }

    #[test]
    fn rewrite_table() {
        let cases = [
            ("plain\n", "plain\n"),
            (
                ":::hint\nNote **this**.\n:::\nAfter\n",
                "<div class=\"callout callout-hint\" data-callout=\"hint\">\n\nNote **this**.\n</div>\n\nAfter\n",
            ),
            (
                "1. Step\n   :::div{.warning}\n   Careful\n   :::\n",
                "1. Step\n   <div class=\"callout callout-warning\" data-callout=\"warning\">\n\n   Careful\n   </div>\n\n",
            ),
            ("```\n:::hint\n```\n", "```\n:::hint\n```\n"),
            ("!toc\n", "<!-- runsheet:toc -->\n\n"),
            ("stray\n:::\n", "stray\n:::\n"),
            ("## Next \\{#next}\n", "## Next {#next}\n"),
            ("- ### In a list \\{#x}  \n", "- ### In a list {#x}  \n"),
            ("Setext \\{#s}\n---\n", "Setext {#s}\n---\n"),
            ("Text \\{#t}\n", "Text \\{#t}\n"),
            ("## Mid \\{#m} text\n", "## Mid \\{#m} text\n"),
            ("## Two \\\\{#b}\n", "## Two \\\\{#b}\n"),
            ("```\n## Code \\{#c}\n```\n", "```\n## Code \\{#c}\n```\n"),
            ("    ## Indented \\{#i}\n", "    ## Indented \\{#i}\n"),
        ];
        for (input, expected) in cases {
            let (d, diags) = doc(input);
            assert_eq!(d.text, expected, "{input:?}");
            assert!(diags.is_empty());
        }
    }

    #[test]
    fn offsets_map_back_across_rewrites() {
        let input = "a\n:::hint\nbody\n:::\ntail\n";
        let (d, _) = doc(input);
        let cases = [
            ("a", "a"),
            ("body", "body"),
            ("tail", "tail"),
            ("<div", ":::hint"),
            ("data-callout", ":::hint"),
            ("</div>", ":::\n"),
            ("div>\n\ntail", ":::\n"),
        ];
        for (in_doc, in_expanded) in cases {
            let at = d.text.find(in_doc).unwrap();
            assert_eq!(
                d.to_expanded(at),
                input.find(in_expanded).unwrap(),
                "{in_doc}"
            );
        }
        assert_eq!(d.callouts.len(), 1);
        assert_eq!(&d.text[d.callouts[0].inner.clone()], "body\n");
    }

    #[test]
    fn ui_paths_become_spans_that_map_back() {
        let input = "Go to **{{A, B}}** now.\n\n`{{C,D}}`\n\n```\n{{E,F}}\n```\n";
        let (d, _) = doc(input);
        assert_eq!(
            d.text,
            "Go to **<span class=\"ui-path\">A › B</span>** now.\n\n`{{C,D}}`\n\n```\n{{E,F}}\n```\n"
        );
        let cases = [
            ("Go", "Go"),
            ("<span", "{{A"),
            ("A ›", "{{A"),
            ("** now", "** now"),
            ("`{{C", "`{{C"),
        ];
        for (in_doc, in_expanded) in cases {
            let at = d.text.find(in_doc).unwrap();
            assert_eq!(
                d.to_expanded(at),
                input.find(in_expanded).unwrap(),
                "{in_doc}"
            );
        }
    }

    #[test]
    fn escaped_heading_ids_map_back() {
        let input = "## A \\{#b}\n\n`\\{#` x\n## \\{#\n## \\{#}\n";
        let (d, _) = doc(input);
        assert!(d.text.starts_with("## A {#b}\n"));
        for part in ["{#b}", "x\n", "## \\{#}"] {
            let at = d.text.find(part).unwrap();
            assert_eq!(d.to_expanded(at), input.find(part).unwrap(), "{part}");
        }
        assert_eq!(d.headings[0].anchor, "b");
    }

    #[test]
    fn unclosed_callout_is_reported_at_its_line() {
        let (d, diags) = doc("x\n\n  :::warning\ntext\n");
        assert_eq!(diags.len(), 1);
        assert_eq!(diags[0].code, "callout-unclosed");
        assert_eq!(diags[0].label.unwrap().start, 5);
        assert!(d.text.ends_with("</div>\n"));
    }

    #[test]
    fn headings_get_unique_anchors() {
        let (d, _) =
            doc("# Title\n\n## Step {#custom}\n\n## Step\n\n### Step\n\n## `code` and *em*\n");
        let got: Vec<(u8, &str, &str)> = d
            .headings
            .iter()
            .map(|h| (h.level, h.text.as_str(), h.anchor.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                (1, "Title", "title"),
                (2, "Step", "custom"),
                (2, "Step", "step"),
                (3, "Step", "step-2"),
                (2, "code and em", "code-and-em"),
            ]
        );
    }
}
