//! Procedures: reads every top-level ordered list of a page into a [`Procedure`] of [`Step`]s with stable ids, sources and `details` links.

use std::ops::Range;

use pulldown_cmark::Tag;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::align;
use crate::blocks::{self, Node};
use crate::diagnostic::Diagnostic;
use crate::markdown::Heading;
use crate::project::Page;
use crate::slug::{slugify, slugify_words, Unique};
use crate::source::SourceDb;
use crate::sourcemap::Location;

mod lint;

/// How many words of a step's title go into its id.
pub const ID_WORDS: usize = 5;

/// How many levels of steps are read: top-level steps are level 1, their
/// substeps level 2, … An ordered list nested in a step of this level is
/// not read as substeps; it stays in that step's `markdown` (and its code
/// and links count as the step's), and `procedure-too-deep` warns once per
/// procedure.
pub const MAX_STEP_DEPTH: usize = 16;

/// One numbered procedure: a top-level ordered list and the headings above it.
///
/// This is the step model shared by plans ([`crate::plan`]) and checklists;
/// the reading rules are in `docs/procedures.md`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Procedure {
    /// Slug of the heading path, `recommended-approach/overview`; unique
    /// among the procedures of the page (a step may have the same id).
    pub id: String,
    /// Text of the nearest heading above the list; null when there is none.
    pub title: Option<String>,
    /// Texts of every enclosing heading, outermost first.
    pub heading_path: Vec<String>,
    /// Level (1 to 6) of the heading named by `title`; null when there is none.
    pub level: Option<u8>,
    /// Plain text of the paragraph right before the list, if that is a paragraph.
    pub intro: Option<String>,
    /// Where the list's first item is written.
    pub source: Source,
    pub steps: Vec<Step>,
}

/// One item of a procedure's list, or of a step's nested list.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Step {
    /// `<procedure id>/<slug of the title's first words>`; for a substep,
    /// `<step id>/<slug>`. Unique among the steps of the page (a procedure
    /// may have the same id).
    pub id: String,
    /// The number a reader sees: the list's start number plus the item's position.
    pub number: u64,
    /// `text` without an `Optional:`, `(Optional)` or `[Optional]` prefix.
    pub title: String,
    /// The item's first paragraph as plain text.
    pub text: String,
    /// The item's own Markdown as written (partials expanded, callouts as
    /// `:::` fences), without its list marker and dedented.
    pub markdown: String,
    /// The text starts with `Optional:`, `(Optional)` or `[Optional]`, in any case.
    pub optional: bool,
    /// Items of ordered lists nested directly in this item.
    pub substeps: Vec<Step>,
    /// Code blocks of the item, outside substeps and notes.
    pub code: Vec<Code>,
    /// Callouts of the item, outside substeps.
    pub notes: Vec<Note>,
    /// Links of the item (notes included), outside substeps.
    pub links: Vec<Link>,
    /// Anchor of the later heading of the page that carries this step out.
    pub details: Option<String>,
    /// Where the item's list marker is written.
    pub source: Source,
}

/// A fenced or indented code block.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Code {
    /// First word of a fence's info string; null for indented code or a bare fence.
    pub language: Option<String>,
    pub content: String,
}

/// A callout (`:::hint` … `:::`) inside a step.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Note {
    /// `hint`, `warning`, …: the word after `:::`.
    pub kind: String,
    /// The Markdown between the fences, dedented.
    pub markdown: String,
}

/// A link: its plain text and its destination as written.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Link {
    pub text: String,
    pub href: String,
}

/// Where text is written: the file it really comes from and the include
/// sites that brought it into the page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Source {
    /// Path relative to the project folder, `/`-separated.
    pub file: String,
    /// 1-based.
    #[schemars(range(min = 1))]
    pub line: usize,
    /// 1-based, in characters.
    #[schemars(range(min = 1))]
    pub column: usize,
    /// Each `!include` line on the way, innermost first, outermost last.
    pub included_from: Vec<IncludedFrom>,
}

/// One `!include` line that brought text into the page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct IncludedFrom {
    pub file: String,
    #[schemars(range(min = 1))]
    pub line: usize,
}

impl From<Location> for Source {
    fn from(l: Location) -> Self {
        Source {
            file: l.file,
            line: l.line,
            column: l.column,
            included_from: l
                .included_from
                .into_iter()
                .map(|(file, line)| IncludedFrom { file, line })
                .collect(),
        }
    }
}

/// Every procedure of the page, in page order, with `details` filled in.
/// `procedure-split` and `procedure-empty` warnings go to `diags`.
pub fn extract(page: &Page, db: &SourceDb, diags: &mut Vec<Diagnostic>) -> Vec<Procedure> {
    extract_located(page, db, diags)
        .into_iter()
        .map(|l| l.procedure)
        .collect()
}

/// A procedure and where its list is in the page's [`crate::markdown::Doc`] text.
#[derive(Clone, Debug)]
pub struct Located {
    pub procedure: Procedure,
    /// Byte range of the list in `page.doc.text`.
    pub span: Range<usize>,
}

/// [`extract`], keeping each procedure's place in the page, for renderers
/// that relate procedures to sections (checklists nest a step's `details`).
pub fn extract_located(page: &Page, db: &SourceDb, diags: &mut Vec<Diagnostic>) -> Vec<Located> {
    let tree = blocks::parse(page.doc.parser());
    let mut ex = Extractor {
        page,
        db,
        procedure_ids: Unique::default(),
        step_ids: Unique::default(),
        path: Vec::new(),
        lint: lint::Lint::new(page),
        found: Vec::new(),
        too_deep: false,
    };
    ex.walk(&tree);
    ex.lint.finish();
    let Extractor { found, lint, .. } = ex;
    diags.extend(lint.diags);
    let headings = &page.doc.headings;
    found
        .into_iter()
        .map(|mut f| {
            link_details(&mut f, headings);
            Located {
                span: f.list_start..f.list_end,
                procedure: f.procedure,
            }
        })
        .collect()
}

/// `(true, rest)` when `text` starts with `Optional:`, `(Optional)` or
/// `[Optional]` in any case; `rest` is the text after it and after any `:`,
/// `-`, dashes and spaces that follow.
pub fn strip_optional(text: &str) -> (bool, &str) {
    optional_prefix(text, false)
}

/// [`strip_optional`] for a line of Markdown, where the prefix may be
/// emphasised with it: `**Optional:** x`, `**Optional**: x`,
/// `**[Optional]** x`, `_(Optional)_ x` all give `x`. When the emphasis goes
/// on past the prefix (`**Optional: x**`), the line is kept whole.
pub fn strip_optional_markdown(line: &str) -> (bool, &str) {
    optional_prefix(line, true)
}

fn optional_prefix(text: &str, markdown: bool) -> (bool, &str) {
    let is_marker = |c: char| markdown && (c == '*' || c == '_');
    let open = text.len() - text.trim_start_matches(is_marker).len();
    if open > 3 {
        return (false, text);
    }
    let s = &text[open..];
    for (prefix, needs_colon) in [
        ("optional", true),
        ("(optional)", false),
        ("[optional]", false),
    ] {
        let Some(head) = s.get(..prefix.len()) else {
            continue;
        };
        if !head.eq_ignore_ascii_case(prefix) {
            continue;
        }
        let mut rest = &s[prefix.len()..];
        if markdown && prefix.starts_with('[') && rest.starts_with(['(', '[']) {
            // `[Optional](url)`: a link, not a prefix
            continue;
        }
        let mut closed = 0;
        let closing = |rest: &mut &str, closed: &mut usize| {
            while *closed < open && rest.starts_with(is_marker) {
                *rest = &rest[1..];
                *closed += 1;
            }
        };
        closing(&mut rest, &mut closed);
        if needs_colon && !rest.starts_with(':') {
            continue;
        }
        loop {
            closing(&mut rest, &mut closed);
            let trimmed = rest.trim_start_matches([' ', ':', '-', '–', '—']);
            if trimmed.len() == rest.len() {
                break;
            }
            rest = trimmed;
        }
        if closed != open {
            return (true, text);
        }
        return (true, rest);
    }
    (false, text)
}

/// The id segment for a step title: its first [`ID_WORDS`] words, slugged.
pub fn step_slug(title: &str) -> String {
    let slug = slugify_words(title, ID_WORDS);
    if slug.is_empty() {
        "step".into()
    } else {
        slug
    }
}

/// A heading enclosing the current position.
struct PathHeading {
    level: u8,
    text: String,
    /// `{#id}` when given, else the slug of the text.
    segment: String,
}

struct Found {
    procedure: Procedure,
    list_start: usize,
    list_end: usize,
    level: u8,
    parent_level: u8,
}

struct Extractor<'p> {
    page: &'p Page,
    db: &'p SourceDb,
    /// Procedure ids and step ids are unique each in their own kind, so a
    /// procedure's id never depends on the text of some step.
    procedure_ids: Unique,
    step_ids: Unique,
    path: Vec<PathHeading>,
    lint: lint::Lint<'p>,
    found: Vec<Found>,
    /// `procedure-too-deep` was reported for the procedure being read.
    too_deep: bool,
}

impl Extractor<'_> {
    /// Reads a run of sibling blocks: the page, or a block quote's content.
    fn walk(&mut self, nodes: &[Node<'_>]) {
        let mut prev: Option<&Node<'_>> = None;
        for node in nodes {
            match node.tag() {
                Some(Tag::Heading { level, id, .. }) => {
                    let text = node.plain_text();
                    self.lint.heading(*level as u8, &text, node.range.start);
                    self.heading(*level as u8, text, id.as_deref());
                }
                Some(Tag::List(Some(start))) => {
                    self.lint.list(node, *start);
                    self.procedure(node, *start, prev);
                }
                Some(Tag::BlockQuote(_)) => {
                    self.lint.block(node);
                    self.walk(&node.children);
                }
                Some(Tag::Paragraph) => self.lint.paragraph(node),
                _ => self.lint.block(node),
            }
            prev = Some(node);
        }
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
    }

    fn in_callout(&self, offset: usize) -> bool {
        self.page
            .doc
            .callouts
            .iter()
            .any(|c| c.range.contains(&offset))
    }

    fn procedure(&mut self, list: &Node<'_>, start: u64, prev: Option<&Node<'_>>) {
        let base = self
            .path
            .iter()
            .map(|h| {
                if h.segment.is_empty() {
                    "section"
                } else {
                    &h.segment
                }
            })
            .collect::<Vec<_>>()
            .join("/");
        let id = self
            .procedure_ids
            .claim(if base.is_empty() { "procedure" } else { &base });
        let intro = prev
            .filter(|p| matches!(p.tag(), Some(Tag::Paragraph)))
            .map(Node::plain_text)
            .filter(|t| !t.is_empty());
        self.too_deep = false;
        let steps = self.steps(list, start, &id, 1);
        let level = self.path.last().map(|h| h.level);
        let parent_level = self.path.iter().rev().nth(1).map_or(0, |h| h.level);
        let procedure = Procedure {
            id,
            title: self.path.last().map(|h| h.text.clone()),
            heading_path: self.path.iter().map(|h| h.text.clone()).collect(),
            level,
            intro,
            source: self.source(marker_at(&self.page.doc.text, list.range.start)),
            steps,
        };
        self.found.push(Found {
            procedure,
            list_start: list.range.start,
            list_end: list.range.end,
            level: level.unwrap_or(0),
            parent_level,
        });
    }

    /// The items of `list` as steps of level `depth` (1 for a procedure's own).
    fn steps(&mut self, list: &Node<'_>, start: u64, parent_id: &str, depth: usize) -> Vec<Step> {
        self.lint.indent(list, start);
        list.children
            .iter()
            .zip(start..)
            .map(|(item, number)| self.step(item, number, parent_id, depth))
            .collect()
    }

    fn step(&mut self, item: &Node<'_>, number: u64, parent_id: &str, depth: usize) -> Step {
        let item_start = marker_at(&self.page.doc.text, item.range.start);
        let text = first_paragraph(item);
        let (optional, title) = strip_optional(&text);
        let title = title.to_owned();
        let id = self
            .step_ids
            .claim(&format!("{parent_id}/{}", step_slug(&title)));
        let sub_lists: Vec<&Node<'_>> = item
            .children
            .iter()
            .filter(|n| n.ordered_start().is_some() && !self.in_callout(n.range.start))
            .collect();
        let sub_lists = if depth < MAX_STEP_DEPTH {
            sub_lists
        } else {
            if let Some(first) = sub_lists.first().and_then(|l| l.children.first()) {
                if !self.too_deep {
                    self.too_deep = true;
                    let at = marker_at(&self.page.doc.text, first.range.start);
                    self.lint.too_deep(at, &id, MAX_STEP_DEPTH);
                }
            }
            // read as the step's own content, like a bullet list
            Vec::new()
        };
        let mut substeps = Vec::new();
        for list in &sub_lists {
            let start = list.ordered_start().unwrap_or(1);
            substeps.extend(self.steps(list, start, &id, depth + 1));
        }
        let excluded: Vec<Range<usize>> = sub_lists.iter().map(|l| l.range.clone()).collect();
        let notes = self.notes(item, &excluded);
        Step {
            id,
            number,
            title,
            text,
            markdown: item_markdown(self.page, item_start..item.range.end),
            optional,
            substeps,
            code: self.code(item, &excluded),
            notes,
            links: links(item, &excluded),
            details: None,
            source: self.source(item_start),
        }
    }

    fn code(&self, item: &Node<'_>, excluded: &[Range<usize>]) -> Vec<Code> {
        let mut code = Vec::new();
        visit(item, &mut |node| {
            if inside(excluded, &node.range) || self.in_callout(node.range.start) {
                return false;
            }
            if let Some((language, content)) = node.code() {
                code.push(Code { language, content });
                return false;
            }
            true
        });
        code
    }

    fn notes(&self, item: &Node<'_>, excluded: &[Range<usize>]) -> Vec<Note> {
        let callouts = &self.page.doc.callouts;
        let mine: Vec<_> = callouts
            .iter()
            .filter(|c| within(&item.range, &c.range) && !inside(excluded, &c.range))
            .collect();
        mine.iter()
            .filter(|c| {
                !mine
                    .iter()
                    .any(|o| o.range != c.range && within(&o.range, &c.range))
            })
            .map(|c| Note {
                kind: c.kind.clone(),
                markdown: note_markdown(self.page, c.inner.clone()),
            })
            .collect()
    }

    fn source(&self, doc_offset: usize) -> Source {
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

fn links(item: &Node<'_>, excluded: &[Range<usize>]) -> Vec<Link> {
    let mut links = Vec::new();
    visit(item, &mut |node| {
        if inside(excluded, &node.range) {
            return false;
        }
        if let Some(Tag::Link { dest_url, .. }) = node.tag() {
            links.push(Link {
                text: node.plain_text(),
                href: dest_url.to_string(),
            });
            return false;
        }
        true
    });
    links
}

/// Calls `f` on every descendant of `node`, depth first; `f` returns whether
/// to descend into the node it was given.
fn visit<'n>(node: &'n Node<'_>, f: &mut dyn FnMut(&'n Node<'_>) -> bool) {
    for child in &node.children {
        if f(child) {
            visit(child, f);
        }
    }
}

/// Where a list item's marker is: pulldown-cmark may start an item's range
/// at the indentation before it.
fn marker_at(text: &str, at: usize) -> usize {
    at + (text[at..].len() - text[at..].trim_start_matches([' ', '\t']).len())
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
    let (last, _) = page.doc.text[doc_range.clone()]
        .trim_end()
        .char_indices()
        .next_back()?;
    let exp = &page.expansion.text;
    let start = page.doc.to_expanded(doc_range.start);
    let end = page.doc.to_expanded(doc_range.start + last);
    let end = exp[end..].find('\n').map_or(exp.len(), |i| end + i);
    Some((start, &exp[start..end.max(start)]))
}

/// A list item's Markdown: its expanded source without the list marker,
/// every further line dedented by the item's content indent.
fn item_markdown(page: &Page, doc_range: Range<usize>) -> String {
    let Some((start, slice)) = expanded_slice(page, doc_range) else {
        return String::new();
    };
    let exp = &page.expansion.text;
    let line_start = exp[..start].rfind('\n').map_or(0, |i| i + 1);
    let column = exp[line_start..start].chars().count();
    let mut lines = slice.split('\n');
    let (marker, first) = strip_marker(lines.next().unwrap_or(""));
    let indent = column + marker;
    let mut out = first.to_owned();
    for line in lines {
        out.push('\n');
        out.push_str(dedent(line, indent));
    }
    out.trim_end().to_owned()
}

/// Splits an ordered list marker (`12.`, `3)`) and the spaces after it off
/// `line`: `(content indent, content)`, following CommonMark's rule that
/// five or more spaces mean one space and indented code.
pub fn strip_marker(line: &str) -> (usize, &str) {
    let digits = line.bytes().take_while(u8::is_ascii_digit).count();
    let after = &line[digits..];
    if digits == 0 || !(after.starts_with('.') || after.starts_with(')')) {
        return (0, line);
    }
    let rest = &after[1..];
    let spaces = rest.len() - rest.trim_start_matches(' ').len();
    let width = digits + 1;
    match spaces {
        _ if rest.trim().is_empty() => (width + 1, ""),
        1..=4 => (width + spaces, &rest[spaces..]),
        _ => (width + 1, &rest[1..]),
    }
}

/// `line` without up to `n` leading spaces.
fn dedent(line: &str, n: usize) -> &str {
    let spaces = line.len() - line.trim_start_matches(' ').len();
    &line[spaces.min(n)..]
}

/// A callout's inner Markdown without leading and trailing blank lines,
/// dedented by the smallest indentation of its lines.
fn note_markdown(page: &Page, inner: Range<usize>) -> String {
    let Some((_, slice)) = expanded_slice(page, inner) else {
        return String::new();
    };
    let lines: Vec<&str> = slice
        .split('\n')
        .skip_while(|l| l.trim().is_empty())
        .collect();
    let indent = lines
        .iter()
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.len() - l.trim_start_matches(' ').len())
        .min()
        .unwrap_or(0);
    let out: Vec<&str> = lines.iter().map(|l| dedent(l, indent)).collect();
    out.join("\n").trim_end().to_owned()
}

/// The headings a procedure's steps may link to: the subsections of its own
/// heading after the list when there are any, otherwise the later sections of
/// its parent section (its later siblings and their subsections).
fn candidates<'h>(f: &Found, headings: &'h [Heading]) -> Vec<&'h Heading> {
    let after: Vec<&Heading> = headings
        .iter()
        .filter(|h| h.range.start >= f.list_end)
        .collect();
    let own: Vec<&Heading> = after
        .iter()
        .take_while(|h| h.level > f.level)
        .copied()
        .collect();
    if !own.is_empty() {
        return own;
    }
    after
        .into_iter()
        .take_while(|h| h.level > f.parent_level)
        .collect()
}

fn link_details(f: &mut Found, headings: &[Heading]) {
    let candidates = candidates(f, headings);
    let texts: Vec<&str> = candidates.iter().map(|h| h.text.as_str()).collect();
    let titles: Vec<&str> = f.procedure.steps.iter().map(|s| s.title.as_str()).collect();
    let links = align::align(&titles, &texts);
    for (step, link) in f.procedure.steps.iter_mut().zip(links) {
        step.details = link.map(|i| candidates[i].anchor.clone());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::frontmatter::FrontMatter;
    use crate::include::Expansion;
    use crate::markdown::Doc;
    use crate::source::{FileKind, SourceFile};
    use crate::sourcemap::{ChainId, SourceMap};

    /// The procedures of a one-file page, and the codes of its warnings.
    fn extract_text(text: &str) -> (Vec<Procedure>, Vec<&'static str>) {
        let mut db = SourceDb::default();
        let file = db.add(SourceFile::new(
            "content/t.md".into(),
            "content/t.md".into(),
            FileKind::Page,
            text.into(),
        ));
        let mut map = SourceMap::default();
        map.map(0, file, 0, ChainId::ROOT);
        let expansion = Expansion {
            text: text.into(),
            map,
            used: Default::default(),
        };
        let mut diags = Vec::new();
        let doc = Doc::parse(&expansion, &mut diags);
        let page = Page {
            name: "t".into(),
            file,
            front: FrontMatter::default(),
            expansion,
            doc,
        };
        let procedures = extract(&page, &db, &mut diags);
        (procedures, diags.iter().map(|d| d.code).collect())
    }

    #[test]
    fn number_table() {
        let cases: [(&str, &[&[u64]]); 6] = [
            ("1. a\n2. b\n3. c\n", &[&[1, 2, 3]]),
            ("1. a\n1. b\n1. c\n", &[&[1, 2, 3]]),
            ("3. a\n1. b\n", &[&[3, 4]]),
            ("0. a\n0. b\n", &[&[0, 1]]),
            ("1) a\n2) b\n", &[&[1, 2]]),
            // a change of delimiter starts a new list
            ("1. a\n2) b\n", &[&[1], &[2]]),
        ];
        for (text, expected) in cases {
            let (procedures, _) = extract_text(text);
            let numbers: Vec<Vec<u64>> = procedures
                .iter()
                .map(|p| p.steps.iter().map(|s| s.number).collect())
                .collect();
            assert_eq!(numbers, expected, "{text:?}");
        }
    }

    #[test]
    fn id_table() {
        let cases: [(&str, &[&str]); 8] = [
            ("## A\n\n1. Do it\n", &["a", "a/do-it"]),
            ("## A {#x}\n\n### B\n\n1. Do it\n", &["x/b", "x/b/do-it"]),
            ("1. Do it\n", &["procedure", "procedure/do-it"]),
            (
                "## A\n\n1. Do it\n1. Do it\n",
                &["a", "a/do-it", "a/do-it-2"],
            ),
            (
                "## A\n\n1. Optional: Take one two three four five six\n",
                &["a", "a/take-one-two-three-four"],
            ),
            (
                "## A\n\n1. Step\n   1. Sub step\n",
                &["a", "a/step", "a/step/sub-step"],
            ),
            // procedure ids and step ids are unique each in their own kind
            (
                "## A\n\n1. B\n\n### B\n\n1. C\n",
                &["a", "a/b", "a/b", "a/b/c"],
            ),
            (
                "## A\n\n1. A\n\n## A\n\n1. A\n",
                &["a", "a/a", "a-2", "a-2/a"],
            ),
        ];
        for (text, expected) in cases {
            let (procedures, _) = extract_text(text);
            let mut ids = Vec::new();
            fn walk<'a>(steps: &'a [Step], ids: &mut Vec<&'a str>) {
                for s in steps {
                    ids.push(s.id.as_str());
                    walk(&s.substeps, ids);
                }
            }
            for p in &procedures {
                ids.push(p.id.as_str());
                walk(&p.steps, &mut ids);
            }
            assert_eq!(ids, expected, "{text:?}");
        }
    }

    #[test]
    fn procedure_empty_table() {
        // (page, warns)
        let cases = [
            ("## Steps\n\nThe steps are:\n", true),
            ("## Steps\n\nThe steps are:\n\n## Next\n\nText.\n", true),
            ("## Steps\n\nDo this: :point_down:\n", true),
            ("## Steps\n\nDo the following.\n", true),
            ("## Steps\n\nFollow the steps below\n", true),
            ("## Steps\n\nProceed as follows\n", true),
            ("## Steps\n\nRun **these**:\n", true),
            ("## Empty\n\n## Next\n\nText.\n", true),
            ("## Done\n\nYou are finished :tada:\n", false),
            ("## Done\n\n:tada: :+1:\n", false),
            ("## Done\n\nWell done :white_check_mark: :tada:\n", false),
            ("## Drive\n\nSet the drive to `C:`\n", false),
            ("## Note\n\nNote: this is done.\n", false),
            ("## Time\n\nIt ran at 10:30\n", false),
            ("## Done\n\nYou did the following steps already.\n", false),
            ("## Done\n\nNothing else follows\n", false),
            ("## Steps\n\nThe steps are:\n\n1. One\n", false),
            ("## Steps\n\nRun:\n\n```sh\nx\n```\n", false),
            (
                "## Steps\n\nThe steps are:\n\n### 1. Back up\n\nText.\n",
                false,
            ),
            ("## Steps\n\n:::hint\nThe steps are:\n:::\n", false),
            ("## Shot\n\nLike this: ![shot](a.png)\n", false),
        ];
        for (text, warns) in cases {
            let (_, codes) = extract_text(text);
            let empty = codes.iter().filter(|c| **c == "procedure-empty").count();
            assert_eq!(empty, usize::from(warns), "{text:?}: {codes:?}");
        }
    }

    #[test]
    fn optional_prefix_table() {
        let cases = [
            ("Optional: Snapshot the VM", true, "Snapshot the VM"),
            ("optional:Snapshot", true, "Snapshot"),
            ("OPTIONAL:  Snapshot", true, "Snapshot"),
            ("(Optional) Disable targets", true, "Disable targets"),
            ("(optional): Disable targets", true, "Disable targets"),
            (
                "Optionally snapshot the VM",
                false,
                "Optionally snapshot the VM",
            ),
            ("Snapshot (optional)", false, "Snapshot (optional)"),
            ("Optional", false, "Optional"),
            ("Ö", false, "Ö"),
            ("[Optional] Clone the instance", true, "Clone the instance"),
            ("[OPTIONAL]: Clone", true, "Clone"),
            ("[optional] - Clone", true, "Clone"),
            ("[Optionally] clone", false, "[Optionally] clone"),
        ];
        for (text, optional, title) in cases {
            assert_eq!(strip_optional(text), (optional, title), "{text:?}");
        }
    }

    #[test]
    fn optional_markdown_prefix_table() {
        let cases = [
            ("Optional: x", true, "x"),
            ("**Optional:** x", true, "x"),
            ("**Optional**: x", true, "x"),
            ("*Optional:* **x**", true, "**x**"),
            ("**[Optional]** Clone it", true, "Clone it"),
            ("_(Optional)_ Clone it", true, "Clone it"),
            ("[optional] Clone it", true, "Clone it"),
            ("**Optional: clone it**", true, "**Optional: clone it**"),
            (
                "[Optional](x.md) reading",
                false,
                "[Optional](x.md) reading",
            ),
            ("**Optionally** clone", false, "**Optionally** clone"),
            ("**Note:** x", false, "**Note:** x"),
            ("****Optional:** x", false, "****Optional:** x"),
        ];
        for (text, optional, rest) in cases {
            assert_eq!(strip_optional_markdown(text), (optional, rest), "{text:?}");
        }
    }

    #[test]
    fn step_slug_table() {
        let cases = [
            (
                "Download the same version of Octopus Deploy as your main instance.",
                "download-the-same-version-of",
            ),
            ("Test cloned instance.", "test-cloned-instance"),
            ("Run `Octopus.Server.exe`", "run-octopusserverexe"),
            ("", "step"),
            ("!!!", "step"),
        ];
        for (title, slug) in cases {
            assert_eq!(step_slug(title), slug, "{title:?}");
        }
    }

    #[test]
    fn marker_table() {
        let cases = [
            ("1. Step", (3, "Step")),
            ("12) Step", (4, "Step")),
            ("1.   Step", (5, "Step")),
            ("1.      code", (3, "     code")),
            ("1.", (3, "")),
            ("- bullet", (0, "- bullet")),
        ];
        for (line, expected) in cases {
            assert_eq!(strip_marker(line), expected, "{line:?}");
        }
    }
}
